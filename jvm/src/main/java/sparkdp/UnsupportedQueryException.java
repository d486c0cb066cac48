package sparkdp;

/**
 * A well-formed query that cannot be answered as asked, e.g. a count on a table protected by
 * {@code AddRowsWithID} without a constraint bounding the rows of each ID.
 *
 * <p>Thrown by the JNI edge ({@code native/src/jni.rs}) for {@code Error::UnsupportedQuery}, with Tumult
 * Analytics' message. Python maps it to {@code RuntimeError}, as Tumult Analytics raises.
 */
public class UnsupportedQueryException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message why the query cannot be answered, e.g. "A constraint on the number of rows
     *     contributed by each ID is needed to perform this query (e.g. MaxRowsPerID)."
     */
    public UnsupportedQueryException(String message) {
        super(message);
    }
}
