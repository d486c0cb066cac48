package sparkdp;

/**
 * A query the data's protection cannot answer as asked, e.g. a count on a table protected by
 * {@code AddRowsWithID} without the constraint that bounds each ID's contribution.
 *
 * <p>Thrown by the JNI edge ({@code native/src/jni.rs}) from {@code planMeasurement}, with Tumult's message
 * naming what is missing. Python maps it to {@code RuntimeError}, as Tumult Analytics raises.
 */
public class UnsupportedQueryException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message what the query lacks, e.g. "A constraint on the number of rows contributed by each ID
     *     is needed to perform this query (e.g. MaxRowsPerID)."
     */
    public UnsupportedQueryException(String message) {
        super(message);
    }
}
