package sparkdp.cluster

import java.util.concurrent.ConcurrentLinkedQueue

import scala.collection.JavaConverters._

import org.apache.spark.{Success, TaskKilled}
import org.apache.spark.deploy.TwoHostCluster
import org.apache.spark.scheduler.{SparkListener, SparkListenerTaskEnd}
import org.apache.spark.sql.SparkSession
import org.scalatest.BeforeAndAfterAll
import org.scalatest.funsuite.AnyFunSuite

import sparkdp._
import sparkdp.bridge.TaskFaults
import sparkdp.warehouse.WarehouseLocation

/** Speculation (issue 11 #3): a straggling truncation task gets a speculative copy on the other host; whichever
  * attempt wins, the stored values are those of the undisturbed run of the same session and query. Needs two
  * executor hosts (TwoHostCluster: workers on 127.0.0.1 and 127.0.0.2), since Spark never speculates on the host
  * of the running attempt.
  */
class ClusterSpeculationSuite extends AnyFunSuite with BeforeAndAfterAll {

  private var cluster: TwoHostCluster.Running = _
  private var spark: SparkSession = _
  private val taskEnds = new ConcurrentLinkedQueue[SparkListenerTaskEnd]()

  override def beforeAll(): Unit = {
    cluster = TwoHostCluster.start(Seq("127.0.0.1", "127.0.0.2"))
    val speculation = Map(
      "spark.speculation" -> "true",
      "spark.speculation.interval" -> "100ms",
      "spark.speculation.multiplier" -> "3",
      "spark.speculation.quantile" -> "0.5",
      // Both hosts are this machine: the file: warehouse is shared (WarehouseLocation's test-only override).
      WarehouseLocation.ExecutorsShareLocalDiskSetting -> "true"
    )
    spark = TestCluster.start("sparkdp-cluster-speculation", speculation, master = cluster.masterUrl)
    spark.sparkContext.addSparkListener(new SparkListener {
      override def onTaskEnd(taskEnd: SparkListenerTaskEnd): Unit = taskEnds.add(taskEnd)
    })
  }

  override def afterAll(): Unit = {
    if (spark != null) spark.stop()
    if (cluster != null) cluster.stop()
  }

  test("a straggling truncation task is run speculatively on the other host; the stored values are the undisturbed ones") {
    val session = ClusterProbes.newSession(spark, PureDPBudget(3))
    val budget = PureDPBudget(1)
    try {
      spark.sparkContext.setLocalProperty(TaskFaults.Property, s"${TaskFaults.Truncate}:stall@0")
      val stored =
        try ClusterProbes.byTitle(session.evaluate(ClusterProbes.countQuery(spark), budget))
        finally spark.sparkContext.setLocalProperty(TaskFaults.Property, null)
      Thread.sleep(500) // the listener bus is asynchronous
      val ends = taskEnds.asScala.toSeq
      // The straggler: the non-speculative attempt of partition 0 (it sleeps 20 s) that was killed once its
      // speculative copy had succeeded; the copy: a speculative attempt of the same task that succeeded. (How long
      // the straggler ran depends on how soon Spark speculates: on a quiet machine the copy wins within a second
      // or two, so its duration is not a sign of the fault; being killed for a winning copy is.)
      val stragglers = ends.filter(end =>
        end.taskInfo.index == 0 && !end.taskInfo.speculative && end.reason.isInstanceOf[TaskKilled])
      val copies = ends.filter(end => end.taskInfo.speculative && end.reason == Success &&
        stragglers.exists(straggler => straggler.stageId == end.stageId && straggler.taskInfo.index == end.taskInfo.index))
      info(s"stragglers: ${stragglers.map(end => s"stage ${end.stageId} on ${end.taskInfo.host} (${end.reason.getClass.getSimpleName}, ${end.taskInfo.duration} ms)").mkString(", ")}; " +
        s"speculative copies that won: ${copies.map(end => s"stage ${end.stageId} on ${end.taskInfo.host}").mkString(", ")}")
      assert(copies.nonEmpty, "the straggling truncation task was not won by a speculative copy")
      assert(copies.forall(copy => stragglers.exists(s => s.stageId == copy.stageId && s.taskInfo.host != copy.taskInfo.host)))
      assert(stored == ClusterProbes.undisturbedValues(session, spark, ClusterProbes.countQuery(spark), budget, 0, PureDPBudget(3)))
      assert(session.remainingPrivacyBudget == PureDPBudget(2))
    } finally session.stop()
  }
}
