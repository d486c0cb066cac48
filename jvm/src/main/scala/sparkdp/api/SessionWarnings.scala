package sparkdp

import scala.util.DynamicVariable

/** One warning Tumult gives with Python's `warnings.warn`: its category (`UserWarning` or `RuntimeWarning`, the
  * Python class Tumult names) and its text.
  */
private[sparkdp] final case class SessionWarning(category: String, message: String)

/** The warnings of a session action (evaluate, createView, partitionAndCreate, …), where Tumult calls
  * `warnings.warn`. Scala users see them in the log (WARN); the session also keeps them so that Python can
  * re-issue each with `warnings.warn` and Tumult's category once the JVM call returns.
  *
  * The compiler runs on the calling thread, so the session sets its queue around the action (`collectingInto`)
  * and the compile code deep below calls `warn` without the session in its signature.
  *
  * Example:
  * {{{
  * SessionWarnings.collectingInto(queue) { SessionWarnings.warn(SessionWarnings.RuntimeWarning, "…") }
  * }}}
  */
private[sparkdp] object SessionWarnings {
  val UserWarning = "UserWarning"
  val RuntimeWarning = "RuntimeWarning"

  private val log = org.slf4j.LoggerFactory.getLogger("sparkdp.Session")
  private val current = new DynamicVariable[Option[java.util.Queue[SessionWarning]]](None)

  /** Logs `message` as a WARN and records it for the session acting on this thread, if any. */
  def warn(category: String, message: String): Unit = {
    log.warn(message)
    current.value.foreach(_.add(SessionWarning(category, message)))
  }

  /** Runs `body` with the warnings it gives recorded in `queue`. */
  def collectingInto[T](queue: java.util.Queue[SessionWarning])(body: => T): T = current.withValue(Some(queue))(body)
}
