package sparkdp.warehouse

import scala.annotation.tailrec

/** Tells a failure of the query's own steps (raised in sparkdp's plan or bridge code inside a Spark task, and
  * arriving wrapped in Spark's job-failure exceptions) from a failure of the warehouse (creating or writing
  * the table). The first must reach the user as the original exception (e.g. an `IllegalArgumentException`
  * from Rust), the second as a `WarehouseException`.
  */
private[sparkdp] object QueryFailure {

  private val QueryStepPackages = Seq("sparkdp.plan.", "sparkdp.bridge.")

  /** The first throwable in the cause chain of `failure` raised by sparkdp's plan or bridge code (or of one of
    * sparkdp's own exception classes), if any.
    *
    * Example: `QueryFailure.fromQuerySteps(sparkException)` is `Some(illegalArgument)` when a task's call to
    * `Native.addNoise` threw it.
    */
  def fromQuerySteps(failure: Throwable): Option[Throwable] = {
    @tailrec
    def search(current: Throwable, seen: Set[Throwable]): Option[Throwable] =
      if (current == null || seen.contains(current)) None
      else if (isFromQuerySteps(current)) Some(current)
      else search(current.getCause, seen + current)
    search(failure, Set.empty)
  }

  private def isFromQuerySteps(throwable: Throwable): Boolean = {
    val className = throwable.getClass.getName
    val isSparkdpException = className.startsWith("sparkdp.") && className != classOf[sparkdp.WarehouseException].getName
    isSparkdpException || throwable.getStackTrace.exists(frame => QueryStepPackages.exists(frame.getClassName.startsWith))
  }
}
