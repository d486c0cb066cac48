package sparkdp.warehouse

import java.io.File
import java.nio.file.Files

import org.apache.spark.sql.Row
import org.apache.spark.sql.types.{LongType, StringType, StructField, StructType}
import org.scalatest.funsuite.AnyFunSuite

import sparkdp.WarehouseException
import sparkdp.system.TestSpark

/** The session database: materialize, verify, drop; and a clear error for a warehouse that cannot be written. */
class SessionWarehouseSuite extends AnyFunSuite {

  private lazy val spark = TestSpark.spark

  private val schema = StructType(Seq(StructField("book title", StringType), StructField("count", LongType)))

  private lazy val result =
    spark.createDataFrame(spark.sparkContext.parallelize(Seq(Row("Dune", 3L), Row("Emma", 0L)), 2), schema)

  private def databaseDir(warehouse: SessionWarehouse): File =
    new File(TestSpark.warehouseDir, warehouse.databaseName + ".db")

  test("materialize stores the result, restores column names, and reads back the stored rows") {
    val warehouse = new SessionWarehouse(spark)
    try {
      val stored = warehouse.materialize(result, queryIndex = 0, expectedRowCount = 2)
      assert(stored.columns.toSeq == Seq("book title", "count"))
      assert(stored.collect().toSet == Set(Row("Dune", 3L), Row("Emma", 0L)))
      assert(spark.catalog.tableExists(warehouse.databaseName, "query_0"))
      assert(stored.inputFiles.nonEmpty && stored.inputFiles.forall(_.contains(warehouse.databaseName)))
    } finally warehouse.dropDatabase()
  }

  test("the stored layout (files, row order) depends on the released rows only, not on how they were computed") {
    val rows = (0 until 50).map(i => Row(f"book $i%02d", (i * 7 % 13).toLong))
    // The same released rows, once from 7 partitions in reverse order (as a plan sized by private partials could
    // produce them), once from one partition.
    val scattered = spark.createDataFrame(spark.sparkContext.parallelize(rows.reverse, 7), schema)
    val single = spark.createDataFrame(spark.sparkContext.parallelize(rows, 1), schema)
    val warehouse = new SessionWarehouse(spark)
    try {
      val first = warehouse.materialize(scattered, queryIndex = 10, expectedRowCount = 50)
      val second = warehouse.materialize(single, queryIndex = 11, expectedRowCount = 50)
      assert(first.inputFiles.length == second.inputFiles.length)
      assert(first.collect().toSeq == second.collect().toSeq)
      assert(first.collect().toSeq == rows, "rows are stored sorted by their columns")
    } finally warehouse.dropDatabase()
  }

  test("cleanup drops stale sessions' databases, never a live one, a recent one, or another database") {
    val stale = SessionWarehouse.newDatabaseName(System.currentTimeMillis() - 3L * 24 * 3600 * 1000)
    val recent = SessionWarehouse.newDatabaseName(System.currentTimeMillis() - 3600L * 1000)
    Seq(stale, recent, "sparkdp_not_a_session").foreach(name => spark.sql(s"CREATE DATABASE `$name`"))
    spark.sql(s"CREATE TABLE `$stale`.query_0 (c0 BIGINT) USING parquet")
    val live = new SessionWarehouse(spark)
    try {
      live.materialize(result, queryIndex = 0, expectedRowCount = 2)
      val dropped = sparkdp.Cleanup.cleanup(spark, java.time.Duration.ofDays(1))
      assert(dropped.contains(stale) && !dropped.contains(recent))
      assert(!spark.catalog.databaseExists(stale))
      assert(Seq(recent, "sparkdp_not_a_session", live.databaseName).forall(spark.catalog.databaseExists))
      // A zero duration reaches the recent database, still never the live one.
      assert(sparkdp.Cleanup.cleanup(spark, java.time.Duration.ZERO).contains(recent))
      assert(spark.catalog.databaseExists(live.databaseName))
      intercept[IllegalArgumentException](sparkdp.Cleanup.cleanup(spark, java.time.Duration.ofSeconds(-1)))
    } finally {
      live.dropDatabase()
      Seq(recent, "sparkdp_not_a_session").foreach(name => spark.sql(s"DROP DATABASE IF EXISTS `$name` CASCADE"))
    }
  }

  test("a row count that differs from the keyset size drops the table and names table and counts") {
    val warehouse = new SessionWarehouse(spark)
    try {
      val error = intercept[WarehouseException](warehouse.materialize(result, queryIndex = 3, expectedRowCount = 5))
      assert(error.getMessage.contains(s"${warehouse.databaseName}.query_3"))
      assert(error.getMessage.contains("has 2 rows") && error.getMessage.contains("5 keys"))
      assert(!spark.catalog.tableExists(warehouse.databaseName, "query_3"))
    } finally warehouse.dropDatabase()
  }

  test("dropDatabase removes the database from the catalog and the warehouse dir, and is idempotent") {
    val warehouse = new SessionWarehouse(spark)
    warehouse.materialize(result, queryIndex = 1, expectedRowCount = 2)
    assert(databaseDir(warehouse).isDirectory)
    warehouse.dropDatabase()
    warehouse.dropDatabase()
    assert(!spark.catalog.databaseExists(warehouse.databaseName))
    assert(!databaseDir(warehouse).exists())
  }

  test("a database directory that cannot be created gives a WarehouseException naming the setting") {
    val warehouse = new SessionWarehouse(spark)
    val blocker = databaseDir(warehouse) // a regular file where the database directory must go
    Files.write(blocker.toPath, Array[Byte](1))
    try {
      val error = intercept[WarehouseException](warehouse.materialize(result, queryIndex = 0, expectedRowCount = 2))
      assert(error.getMessage.contains("spark.sql.warehouse.dir=" + spark.conf.get("spark.sql.warehouse.dir")))
      assert(!spark.catalog.databaseExists(warehouse.databaseName))
    } finally {
      Files.deleteIfExists(blocker.toPath)
      warehouse.dropDatabase()
    }
  }

  test("failures raised by the query's own steps are told apart from warehouse failures") {
    val fromNative = new IllegalArgumentException("scale must be positive")
    fromNative.setStackTrace(Array(new StackTraceElement("sparkdp.bridge.Native", "addNoise", null, -2)))
    val wrapped = new RuntimeException("Job aborted", new RuntimeException("stage failure", fromNative))
    assert(QueryFailure.fromQuerySteps(wrapped).contains(fromNative))
    val ioFailure = new java.io.IOException("Mkdirs failed")
    ioFailure.setStackTrace(Array(new StackTraceElement("org.apache.hadoop.fs.FileSystem", "mkdirs", null, 1)))
    assert(QueryFailure.fromQuerySteps(new RuntimeException("Job aborted", ioFailure)).isEmpty)
  }

  test("a stage failure computing the result is the user's; one while writing rows is the warehouse's") {
    val udfFailure = new IllegalStateException("cannot parse title 'Emma'")
    val stageFailure = new RuntimeException("Job aborted due to stage failure: Task 0 in stage 2.0 failed", udfFailure)
    assert(QueryFailure.fromComputation(new RuntimeException("Job aborted.", stageFailure)).contains(stageFailure))
    val writeFailure = new RuntimeException("Task failed while writing rows.", new java.io.IOException("No space left"))
    val writeStage = new RuntimeException("Job aborted due to stage failure: Task 0 in stage 3.0 failed", writeFailure)
    assert(QueryFailure.fromComputation(new RuntimeException("Job aborted.", writeStage)).isEmpty)
    assert(QueryFailure.fromComputation(new java.io.IOException("Mkdirs failed")).isEmpty)
  }
}
