package sparkdp;

/**
 * An internal error inside sparkdp's native library: a bug on our side, not something the caller did.
 *
 * <p>Thrown by the JNI edge ({@code native/src/jni.rs}) for {@code Error::Internal} and for any Rust
 * panic, which it catches instead of letting it abort the JVM. The message is the Rust error text; for a
 * panic it is the panic message followed by "(native panic at FILE:LINE:COLUMN)" and the Rust backtrace.
 * Python maps this class to {@code sparkdp.AnalyticsInternalError}.
 */
public class NativeException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message the Rust error text, e.g. "countByKey: cannot build the output batch: ..."
     */
    public NativeException(String message) {
        super(message);
    }
}
