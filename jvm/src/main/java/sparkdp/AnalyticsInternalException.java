package sparkdp;

/**
 * An invariant of sparkdp's JVM code failed: a bug on our side, not something the caller did.
 *
 * <p>The JVM counterpart of {@link NativeException} (which comes from the Rust library), named after Tumult
 * Analytics' {@code AnalyticsInternalError}, to which Python maps it. The message says which invariant failed
 * and the values involved.
 *
 * <p>Example: {@code throw new AnalyticsInternalException("Native countByKey returned columns [key], without
 * 'count'.");}
 */
public class AnalyticsInternalException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Example: {@code new AnalyticsInternalException("Expected a pure DP budget text, got 'zcdp:1'.")}. */
  public AnalyticsInternalException(String message) {
    super(message);
  }
}
