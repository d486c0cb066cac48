package sparkdp.cluster

import java.util.concurrent.atomic.AtomicInteger

import org.apache.spark.scheduler.{SparkListener, SparkListenerJobStart}
import org.apache.spark.sql.SparkSession
import org.apache.spark.sql.functions.{col, least, lit}
import org.scalatest.BeforeAndAfterAll
import org.scalatest.funsuite.AnyFunSuite

import sparkdp._
import sparkdp.warehouse.{SessionWarehouse, WarehouseLocation}

/** The multi-executor harness and the warehouse checks on it (issue 11 #1, #2): sparkdp on `local-cluster`,
  * each executor a separate JVM that loads the native library from the sparkdp jar.
  */
class ClusterSuite extends AnyFunSuite with BeforeAndAfterAll {

  private var spark: SparkSession = _

  override def beforeAll(): Unit = spark = TestCluster.start("sparkdp-cluster")

  override def afterAll(): Unit = if (spark != null) spark.stop()

  private val infinite = PureDPBudget(Double.PositiveInfinity)

  test("executors are separate JVMs; a query loads the native library in each, from the sparkdp jar") {
    val session = ClusterProbes.newSession(spark, infinite)
    try {
      // Every executor runs truncation and noise tasks (4 partitions each, one core per executor).
      session.evaluate(ClusterProbes.countQuery(spark), infinite).collect()
      val driver = ClusterProbes.report()
      val executors = ClusterProbes.executorReports(spark)
      info(s"driver pid ${driver.pid}; executors: ${executors.mkString("; ")}")
      assert(executors.map(_.pid).distinct.size == 2, s"expected two executor processes, got $executors")
      assert(!executors.map(_.pid).contains(driver.pid))
      executors.foreach { executor =>
        assert(executor.hasNativeLibraryMapped, s"executor ${executor.pid} had not loaded libsparkdp before the probe")
        assert(executor.libraryLoadedFrom.startsWith("jar resource /sparkdp/native/linux-"), executor.libraryLoadedFrom)
        assert(executor.classesFrom.endsWith(TestCluster.sparkdpJar.getName), executor.classesFrom)
        assert(executor.classesFrom != TestCluster.sparkdpJar.toURI.toString, "executors must fetch the jar, not share it")
      }
    } finally session.stop()
  }

  test("on the cluster, an infinite-budget count equals the exact counts and a finite one releases every key once") {
    val session = ClusterProbes.newSession(spark, PureDPBudget(1))
    val exactSession = ClusterProbes.newSession(spark, infinite)
    try {
      val exact = ClusterProbes.byTitle(exactSession.evaluate(ClusterProbes.countQuery(spark), infinite))
      // MaxRowsPerID(30): each member has 20000 / 300 rows (66 or 67), spread evenly over 40 books; Spark computes
      // the truncated truth independently: rows ranked per member by (title, amount) is not sparkdp's choice, but
      // the total kept is min(rows, 30) per member.
      val keptTotal = ClusterProbes.checkouts(spark).groupBy("member_id").count()
        .select(least(col("count"), lit(30L)).as("kept")).collect().map(_.getLong(0)).sum
      assert(exact.values.map(_.head.asInstanceOf[Long]).sum == keptTotal)
      assert(exact.keySet == (0 until 45).map(i => s"book-$i").toSet)
      assert((40 until 45).forall(i => exact(s"book-$i") == Seq(0L)))
      val noisy = ClusterProbes.byTitle(session.evaluate(ClusterProbes.countQuery(spark), PureDPBudget(1)))
      assert(noisy.keySet == exact.keySet)
      assert(session.remainingPrivacyBudget == PureDPBudget(0))
    } finally { session.stop(); exactSession.stop() }
  }

  test("a file: warehouse on a master whose executors may be remote fails Session creation, reading nothing") {
    val jobs = new AtomicInteger()
    val listener = new SparkListener { override def onJobStart(jobStart: SparkListenerJobStart): Unit = jobs.incrementAndGet() }
    val value = spark.conf.get(SessionWarehouse.WarehouseDirKey)
    spark.sparkContext.addSparkListener(listener)
    spark.conf.set(WarehouseLocation.ExecutorsShareLocalDiskSetting, "false")
    try {
      val error = intercept[WarehouseException](ClusterProbes.newSession(spark, PureDPBudget(1)))
      info(error.getMessage)
      assert(error.getMessage.contains(s"spark.sql.warehouse.dir=$value"))
      assert(error.getMessage.contains("--conf spark.sql.warehouse.dir=s3://<bucket>/<prefix>/"))
      assert(error.getMessage.contains(TestCluster.Master))
      Thread.sleep(1000) // the listener bus is asynchronous; a job started above would have been posted by now
      assert(jobs.get() == 0, "a Spark job ran: private data may have been read")
    } finally {
      spark.conf.unset(WarehouseLocation.ExecutorsShareLocalDiskSetting)
      spark.sparkContext.removeSparkListener(listener)
    }
    // The same cluster, its disk shared by every process: accepted.
    ClusterProbes.newSession(spark, PureDPBudget(1)).stop()
  }

  test("on the cluster, a stored result whose row count differs from the keyset size is an error, never a short table") {
    val warehouse = new SessionWarehouse(spark)
    try {
      val result = spark.range(0, 40, 1, 4).toDF("key")
      val error = intercept[WarehouseException](warehouse.materialize(result, queryIndex = 0, expectedRowCount = 45))
      assert(error.getMessage.contains("has 40 rows") && error.getMessage.contains("45 keys"), error.getMessage)
      assert(!spark.catalog.tableExists(SessionWarehouse.tableName(warehouse.databaseName, 0)))
      val stored = warehouse.materialize(result, queryIndex = 1, expectedRowCount = 40)
      assert(stored.collect().map(_.getLong(0)).sorted.toSeq == (0L until 40L))
    } finally warehouse.dropDatabase()
  }
}
