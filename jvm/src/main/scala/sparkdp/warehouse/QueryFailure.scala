package sparkdp.warehouse

import scala.annotation.tailrec

/** Tells a failure of the query's own steps (raised in sparkdp's plan or bridge code inside a Spark task, and
  * arriving wrapped in Spark's job-failure exceptions) from a failure of the warehouse (creating or writing
  * the table). The first must reach the user as the original exception (e.g. an `IllegalArgumentException`
  * from Rust), the second as a `WarehouseException`.
  */
private[sparkdp] object QueryFailure {

  // A frame of these packages marks an exception raised by the query's steps. So the driver's own call chain
  // around a query (Session.evaluate, its warnings channel, the warehouse) must stay out of them: a driver-side
  // "Job aborted." would otherwise carry such a frame and pass for a query step's failure.
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

  /** The Spark job failure in the cause chain of `failure` when the failure happened while computing the
    * result (reading or transforming the private data or the keyset, e.g. a malformed record or a failing UDF)
    * rather than while writing it: a stage failure whose chain shows no writing task failed. Such a failure is
    * the user's data or code, not the warehouse, and must reach the user as Spark reported it.
    *
    * Example: `QueryFailure.fromComputation(jobAborted)` is `Some(stageFailure)` when a UDF in the private
    * DataFrame threw.
    */
  def fromComputation(failure: Throwable): Option[Throwable] = {
    val chain = causeChain(failure)
    val isWriteFailure = chain.exists(throwable => Option(throwable.getMessage).exists(_.contains(WriteTaskFailure)))
    if (isWriteFailure) None
    else chain.find(throwable => Option(throwable.getMessage).exists(_.startsWith(StageFailure)))
  }

  // Spark's texts (DAGScheduler; FileFormatWriter), the same in 3.1 and 3.5 (which prefixes an error class to
  // the second: "[TASK_WRITE_FAILED] Task failed while writing rows to ...").
  private val StageFailure = "Job aborted due to stage failure"
  private val WriteTaskFailure = "Task failed while writing rows"

  private def causeChain(failure: Throwable): Seq[Throwable] =
    Iterator.iterate(failure)(_.getCause).takeWhile(_ != null).take(MaxCauseDepth).toSeq

  private val MaxCauseDepth = 32

  private def isFromQuerySteps(throwable: Throwable): Boolean = {
    val className = throwable.getClass.getName
    val isSparkdpException = className.startsWith("sparkdp.") && className != classOf[sparkdp.WarehouseException].getName
    isSparkdpException || throwable.getStackTrace.exists(frame => QueryStepPackages.exists(frame.getClassName.startsWith))
  }
}
