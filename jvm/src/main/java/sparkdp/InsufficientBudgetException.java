package sparkdp;

/**
 * A query asked for more privacy budget than the session has left.
 *
 * <p>Thrown by the JNI edge ({@code native/src/jni.rs}) for {@code Error::InsufficientBudget}, with the
 * Rust message naming the requested and remaining budgets. Python maps it to {@code RuntimeError}, as
 * Tumult Analytics raises for an exhausted budget.
 */
public class InsufficientBudgetException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message what was requested and what remains, e.g. "Cannot answer query without exceeding
     *     the Session privacy budget. ..."
     */
    public InsufficientBudgetException(String message) {
        super(message);
    }
}
