package sparkdp.bridge

import org.apache.spark.{SparkEnv, TaskContext}

/** Test-only fault switch (issue 11 #3): makes the first attempt of chosen sparkdp tasks fail, so that cluster
  * tests can prove that Spark's retries, speculation and lost executors give exactly the values of an undisturbed
  * run (every cell's noise depends only on the session's key, query index, measure index and fingerprint, never
  * on which attempt or executor computed it).
  *
  * Off unless the job's local property [[Property]] is set (`SparkContext.setLocalProperty`, which travels with
  * each task of the jobs the setting thread starts; nothing else reads or writes it). Its value is a
  * comma-separated list of `<step>:<action>` or `<step>:<action>@<partition>`:
  *  - step: [[Truncate]] (the truncation tasks, reading private rows) or [[Noise]] (the tasks drawing noise);
  *  - action: `throw` (an [[InjectedTaskFault]]), `halt` (the executor's JVM ends at once, as a killed process;
  *    never in the driver's JVM, so never in local mode) or `stall` (the attempt sleeps [[StallMillis]] before
  *    running, a straggler for speculation);
  *  - partition: only that partition's task (default: every task of the step).
  * Only attempt 0 of stage attempt 0 is disturbed, so every retry (and a resubmitted stage) runs normally.
  *
  * Example:
  * {{{
  * spark.sparkContext.setLocalProperty(TaskFaults.Property, "noise:throw,truncate:throw@0")
  * session.evaluate(query, budget)   // every noise task and truncation task 0 fail once, then succeed
  * spark.sparkContext.setLocalProperty(TaskFaults.Property, null)
  * }}}
  */
private[sparkdp] object TaskFaults {

  /** The local property that arms the switch. */
  val Property = "sparkdp.test.failFirstAttempts"

  /** The truncation step (TruncationKernel). */
  val Truncate = "truncate"

  /** The noise step (NoisyCounts, ReleaseKernel). */
  val Noise = "noise"

  /** How long a `stall` attempt sleeps. */
  val StallMillis: Long = 20000L

  /** Thrown by a `throw` fault. */
  final class InjectedTaskFault(message: String) extends RuntimeException(message)

  /** Disturbs the current task as the armed property says, if it names `step`; otherwise does nothing (and
    * outside a Spark task, or with the property unset, costs one null check).
    *
    * Example: `TaskFaults.injectIfArmed(TaskFaults.Noise)` at the start of a noise task.
    */
  def injectIfArmed(step: String): Unit = {
    val context = TaskContext.get()
    if (context != null) {
      val armed = context.getLocalProperty(Property)
      if (armed != null && context.attemptNumber() == 0 && context.stageAttemptNumber() == 0) {
        actionsFor(armed, step, context.partitionId()).foreach(act(_, step, context))
      }
    }
  }

  /** The actions `armed` asks of partition `partition` of `step`.
    *
    * Example: `actionsFor("noise:throw,truncate:halt@1", "truncate", 1) == Seq("halt")`
    */
  private[sparkdp] def actionsFor(armed: String, step: String, partition: Int): Seq[String] =
    armed.split(',').toSeq.map(_.trim).filter(_.nonEmpty).flatMap { entry =>
      val (target, partitionFilter) = entry.split('@') match {
        case Array(stepAndAction)                  => (stepAndAction, None)
        case Array(stepAndAction, chosenPartition) => (stepAndAction, Some(chosenPartition.trim.toInt))
        case _                                     => throw new IllegalArgumentException(s"$Property: bad entry '$entry'")
      }
      target.split(':') match {
        case Array(entryStep, action) if entryStep == step && partitionFilter.forall(_ == partition) => Some(action)
        case Array(_, _)                                                                            => None
        case _ => throw new IllegalArgumentException(s"$Property: bad entry '$entry', expected <step>:<action>[@<partition>]")
      }
    }

  private def act(action: String, step: String, context: TaskContext): Unit = {
    val where = s"$step task of partition ${context.partitionId()}, stage ${context.stageId()}, attempt 0"
    action match {
      case "throw" => throw new InjectedTaskFault(s"injected fault ($Property): $where")
      case "halt" =>
        // In local mode the task runs in the driver's JVM: ending it would end the application, not an executor.
        if (SparkEnv.get != null && SparkEnv.get.executorId != "driver") Runtime.getRuntime.halt(77)
      case "stall" => Thread.sleep(StallMillis)
      case other   => throw new IllegalArgumentException(s"$Property: unknown action '$other' (throw, halt or stall)")
    }
  }
}
