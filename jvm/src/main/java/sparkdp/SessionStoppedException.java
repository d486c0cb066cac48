package sparkdp;

/**
 * A query was evaluated on a session after {@code session.stop()}.
 *
 * <p>An {@link IllegalStateException}, as before this class existed, but a class of its own so that Python
 * maps exactly this case to {@code RuntimeError} (as Tumult Analytics raises for an inactive session) and
 * not every {@code IllegalStateException} thrown anywhere in the JVM.
 *
 * <p>Example: {@code throw new SessionStoppedException("This session is no longer active: it was stopped
 * with session.stop().");}
 */
public class SessionStoppedException extends IllegalStateException {
  private static final long serialVersionUID = 1L;

  /** Example: {@code new SessionStoppedException("This session is no longer active: ...")}. */
  public SessionStoppedException(String message) {
    super(message);
  }
}
