package sparkdp.cluster

import java.util.concurrent.ConcurrentLinkedQueue

import scala.collection.JavaConverters._

import org.apache.spark.{ExceptionFailure, ExecutorLostFailure}
import org.apache.spark.scheduler.{SparkListener, SparkListenerExecutorRemoved, SparkListenerTaskEnd}
import org.apache.spark.sql.SparkSession
import org.scalatest.BeforeAndAfterAll
import org.scalatest.funsuite.AnyFunSuite

import sparkdp._
import sparkdp.bridge.TaskFaults

/** Faults on the cluster (issue 11 #3): tasks whose first attempt fails, and an executor process that dies
  * mid-query, give exactly the values of the undisturbed run of the same session and query (the same keys and
  * query index, computed again without faults), or a clear error; never a charge without a result.
  */
class ClusterFaultSuite extends AnyFunSuite with BeforeAndAfterAll {

  private var spark: SparkSession = _
  private val taskEnds = new ConcurrentLinkedQueue[SparkListenerTaskEnd]()
  private val removedExecutors = new ConcurrentLinkedQueue[SparkListenerExecutorRemoved]()

  override def beforeAll(): Unit = {
    spark = TestCluster.start("sparkdp-cluster-faults", Map("spark.task.maxFailures" -> "4"))
    spark.sparkContext.addSparkListener(new SparkListener {
      override def onTaskEnd(taskEnd: SparkListenerTaskEnd): Unit = taskEnds.add(taskEnd)
      override def onExecutorRemoved(removed: SparkListenerExecutorRemoved): Unit = removedExecutors.add(removed)
    })
  }

  override def afterAll(): Unit = if (spark != null) spark.stop()

  private def withFaults[T](armed: String)(body: => T): T = {
    taskEnds.clear()
    spark.sparkContext.setLocalProperty(TaskFaults.Property, armed)
    try body
    finally spark.sparkContext.setLocalProperty(TaskFaults.Property, null)
  }

  /** The task failures seen since `withFaults` began that the switch injected. */
  private def injectedFailures: Seq[SparkListenerTaskEnd] = {
    Thread.sleep(500) // the listener bus is asynchronous
    taskEnds.asScala.toSeq.filter(_.reason match {
      case failure: ExceptionFailure => failure.className == classOf[TaskFaults.InjectedTaskFault].getName
      case _                         => false
    })
  }

  private val budget = PureDPBudget(1)

  for ((name, query) <- Seq("count" -> ClusterProbes.countQuery _, "sum" -> ClusterProbes.sumQuery _)) {
    test(s"$name: first attempts of truncation and noise tasks throw; the retries store the undisturbed values") {
      val session = ClusterProbes.newSession(spark, PureDPBudget(3))
      try {
        val stored = withFaults(s"${TaskFaults.Truncate}:throw,${TaskFaults.Noise}:throw") {
          ClusterProbes.byTitle(session.evaluate(query(spark), budget))
        }
        val failures = injectedFailures
        def failuresOf(step: String) = failures.count(_.reason.asInstanceOf[ExceptionFailure].description.contains(s"$step task"))
        info(s"task attempts failed by injection, then retried: ${failuresOf(TaskFaults.Truncate)} truncation, " +
          s"${failuresOf(TaskFaults.Noise)} noise")
        // Every truncation task (one per input partition: 4) failed once, and so did every noise task (1 to 4).
        assert(failuresOf(TaskFaults.Truncate) == 4)
        assert(failuresOf(TaskFaults.Noise) >= 1)
        assert(failures.forall(_.taskInfo.attemptNumber == 0))
        val undisturbed = ClusterProbes.undisturbedValues(session, spark, query(spark), budget, queryIndex = 0, PureDPBudget(3))
        assert(stored == undisturbed)
        assert(stored.size == 45)
        assert(session.remainingPrivacyBudget == PureDPBudget(2))
      } finally session.stop()
    }
  }

  test("an executor killed mid-query (its JVM halts in a noise task): the same values, or an error and no charge") {
    val session = ClusterProbes.newSession(spark, PureDPBudget(3))
    removedExecutors.clear()
    try {
      val outcome = withFaults(s"${TaskFaults.Noise}:halt@0") {
        scala.util.Try(ClusterProbes.byTitle(session.evaluate(ClusterProbes.countQuery(spark), budget)))
      }
      Thread.sleep(500)
      val lost = taskEnds.asScala.toSeq.filter(_.reason.isInstanceOf[ExecutorLostFailure])
      info(s"executors removed: ${removedExecutors.asScala.map(_.executorId).mkString(", ")}; tasks lost with them: ${lost.size}")
      assert(removedExecutors.size >= 1, "no executor died: the fault did not fire")
      outcome match {
        case scala.util.Success(stored) =>
          assert(stored == ClusterProbes.undisturbedValues(session, spark, ClusterProbes.countQuery(spark), budget, 0, PureDPBudget(3)))
          assert(session.remainingPrivacyBudget == PureDPBudget(2))
        case scala.util.Failure(error) =>
          info(s"the query failed: $error")
          assert(session.remainingPrivacyBudget == PureDPBudget(3), "charged without a result")
      }
    } finally {
      session.stop()
      TestCluster.awaitExecutors(spark, count = 2) // the worker starts a new executor in the dead one's place
    }
  }
}
