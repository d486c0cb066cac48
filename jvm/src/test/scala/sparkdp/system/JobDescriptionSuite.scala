package sparkdp.system

import java.util.concurrent.ConcurrentLinkedQueue

import sparkdp.compat.CollectionConverters._

import org.apache.spark.scheduler.{SparkListener, SparkListenerJobStart}
import org.scalatest.funsuite.AnyFunSuite

import sparkdp._

/** Every Spark job an evaluate starts carries a description naming the query and its DP step (issue 12 #5), and
  * the caller's own description comes back afterwards.
  */
class JobDescriptionSuite extends AnyFunSuite {

  private lazy val spark = TestSpark.spark

  test("each job of an evaluate is described as 'sparkdp: query <i>: <step> (<query>)'") {
    val descriptions = new ConcurrentLinkedQueue[String]()
    val listener = new SparkListener {
      override def onJobStart(jobStart: SparkListenerJobStart): Unit =
        descriptions.add(Option(jobStart.properties).map(_.getProperty("spark.job.description")).orNull)
    }
    val checkouts = Library.checkoutsDf(spark)
    val keyset = KeySet.fromDataFrame(Library.booksDf(spark).select("title"))
    val session = Session.fromDataFrame(PureDPBudget(1), "checkouts", checkouts, AddRowsWithID("member_id"))
    spark.sparkContext.setJobDescription("the caller's job")
    spark.sparkContext.addSparkListener(listener)
    try {
      session.evaluate(QueryBuilder("checkouts").enforce(MaxRowsPerID(20)).groupBy(keyset).count(), PureDPBudget(1))
      assert(spark.sparkContext.getLocalProperty("spark.job.description") == "the caller's job")
      // Listener events arrive asynchronously.
      val deadline = System.currentTimeMillis() + 10000
      while (descriptions.isEmpty && System.currentTimeMillis() < deadline) Thread.sleep(50)
      Thread.sleep(500)
      val seen = descriptions.asScala.toSeq
      assert(seen.nonEmpty)
      assert(seen.forall(d => d != null && d.startsWith("sparkdp: query 0: ")), seen.mkString("\n"))
      assert(seen.exists(_.contains("compile and check the keyset")) && seen.exists(_.contains("add noise and store")))
      assert(seen.forall(_.contains("MaxRowsPerID(20)")))
    } finally {
      spark.sparkContext.removeSparkListener(listener)
      spark.sparkContext.setJobDescription(null)
      session.stop()
    }
  }
}
