package sparkdp.warehouse

import java.security.SecureRandom

import scala.util.control.NonFatal

import org.apache.hadoop.fs.Path
import org.apache.hadoop.util.ShutdownHookManager
import org.apache.spark.sql.{DataFrame, SaveMode, SparkSession}

import sparkdp.WarehouseException

/** The session's own database under `spark.sql.warehouse.dir`: query results are written there as tables,
  * their row counts checked, and read back, so that a returned DataFrame is a scan of stored values (re-reading
  * it never recomputes, so never re-draws, noise). `dropDatabase` removes everything.
  *
  * Example:
  * {{{
  * val warehouse = new SessionWarehouse(spark)
  * val stored = warehouse.materialize(noisyCounts, queryIndex = 0, expectedRowCount = keysetSize)
  * warehouse.dropDatabase()
  * }}}
  *
  * @param spark the Spark session whose catalog and warehouse directory hold the database
  */
private[sparkdp] final class SessionWarehouse(spark: SparkSession) {

  /** `sparkdp_` and 16 random hex digits, so that sessions sharing a catalog never share a database.
    *
    * Example: `new SessionWarehouse(spark).databaseName` is like `sparkdp_3f9c0a1b2c3d4e5f`.
    */
  val databaseName: String = "sparkdp_%016x".format(new SecureRandom().nextLong())

  private var isDatabaseCreated = false

  /** Drops the database when the JVM exits, for sessions never stopped: Tumult programs rarely call
    * `Session.stop()`, and with a persistent catalog (Hive metastore, Glue Data Catalog) or a warehouse on disk
    * the database and its noisy tables would otherwise outlive the program. Registered with Hadoop's shutdown
    * hook manager above Spark's own hook (priority 40, which stops the SparkContext), so it runs first.
    */
  private val dropAtExit: Runnable = new Runnable {
    override def run(): Unit = dropDatabaseQuietly()
  }

  private def warehouseSetting: String =
    s"${SessionWarehouse.WarehouseDirKey}=${spark.conf.getOption(SessionWarehouse.WarehouseDirKey).getOrElse("(unset)")}"

  /** Creates the database (on first use) and checks that its directory exists and can be written, so that a
    * misconfigured warehouse fails before any query work. Throws `WarehouseException` naming the setting.
    *
    * Example: `warehouse.ensureDatabase()`
    */
  def ensureDatabase(): Unit = synchronized {
    if (!isDatabaseCreated) {
      try {
        spark.sql(s"CREATE DATABASE IF NOT EXISTS `$databaseName`")
        isDatabaseCreated = true
        ShutdownHookManager.get().addShutdownHook(dropAtExit, SessionWarehouse.DropAtExitPriority)
        probeWritable(new Path(spark.catalog.getDatabase(databaseName).locationUri))
      } catch {
        case NonFatal(cause) =>
          dropDatabaseQuietly()
          throw new WarehouseException(
            s"Cannot create the session database $databaseName under $warehouseSetting: $cause. " +
              s"Set ${SessionWarehouse.WarehouseDirKey} to a writable directory when building the SparkSession.",
            cause
          )
      }
    }
  }

  /** Writes a zero-byte file into the database directory and deletes it again. */
  private def probeWritable(databaseDir: Path): Unit = {
    val fileSystem = databaseDir.getFileSystem(spark.sparkContext.hadoopConfiguration)
    if (!fileSystem.getFileStatus(databaseDir).isDirectory) {
      throw new java.io.IOException(s"$databaseDir is not a directory")
    }
    val probe = new Path(databaseDir, "_sparkdp_write_probe")
    fileSystem.create(probe, true).close()
    fileSystem.delete(probe, false)
  }

  /** Writes `result` as table `query_<queryIndex>`, checks that it has `expectedRowCount` rows, and returns
    * the table read back, with `result`'s column names.
    *
    * Failures of the query's own steps are rethrown as they are, and so are Spark's failures computing the
    * result (the user's data or keyset, e.g. a failing UDF); any other failure to write or read the table
    * becomes a `WarehouseException` naming the setting, and a row-count mismatch one naming the table and both
    * counts. In every failure case the table is dropped: never an empty or partial result.
    *
    * Example:
    * {{{
    * val stored = warehouse.materialize(noisyCounts, queryIndex = 0, expectedRowCount = 4)
    * }}}
    */
  def materialize(result: DataFrame, queryIndex: Long, expectedRowCount: Long): DataFrame = {
    ensureDatabase()
    val tableName = SessionWarehouse.tableName(databaseName, queryIndex)
    // Stored under positional names: Parquet rejects some characters (spaces, commas, …) that users' column
    // names may contain. The original names come back with toDF.
    val storedColumns = result.columns.indices.map(i => s"c$i")
    val stored =
      try {
        result.toDF(storedColumns: _*).write.format("parquet").mode(SaveMode.ErrorIfExists).saveAsTable(quoted(tableName))
        spark.table(quoted(tableName))
      } catch {
        case NonFatal(cause) =>
          dropTableQuietly(tableName)
          QueryFailure.fromQuerySteps(cause).foreach(queryStepFailure => throw queryStepFailure)
          QueryFailure.fromComputation(cause).foreach(computationFailure => throw computationFailure)
          throw new WarehouseException(
            s"Cannot write the result of query $queryIndex as table $tableName under $warehouseSetting: $cause",
            cause
          )
      }
    val actualRowCount =
      try stored.count()
      catch {
        case NonFatal(cause) =>
          dropTableQuietly(tableName)
          throw new WarehouseException(s"Cannot read back table $tableName under $warehouseSetting: $cause", cause)
      }
    if (actualRowCount != expectedRowCount) {
      dropTableQuietly(tableName)
      throw new WarehouseException(
        s"Table $tableName has $actualRowCount rows but the keyset (or, for get_groups, the release) has $expectedRowCount keys; the table was " +
          s"dropped and nothing was charged ($warehouseSetting)."
      )
    }
    stored.toDF(result.columns: _*)
  }

  /** Drops the table of query `queryIndex`, ignoring failures (used when a later step fails).
    *
    * Example: `warehouse.dropQueryTable(3)`
    */
  def dropQueryTable(queryIndex: Long): Unit = dropTableQuietly(SessionWarehouse.tableName(databaseName, queryIndex))

  /** Drops the database and all its tables (CASCADE), if it was created. Idempotent. Throws
    * `WarehouseException` naming the setting if the catalog refuses.
    *
    * Example: `warehouse.dropDatabase()`
    */
  def dropDatabase(): Unit = synchronized {
    if (isDatabaseCreated) {
      try spark.sql(s"DROP DATABASE IF EXISTS `$databaseName` CASCADE")
      catch {
        case NonFatal(cause) =>
          throw new WarehouseException(s"Cannot drop the session database $databaseName under $warehouseSetting: $cause", cause)
      }
      isDatabaseCreated = false
      // Hadoop refuses to remove a hook while the hooks run (then this is the hook itself).
      if (!ShutdownHookManager.get().isShutdownInProgress) ShutdownHookManager.get().removeShutdownHook(dropAtExit)
    }
  }

  private def dropDatabaseQuietly(): Unit =
    try dropDatabase()
    catch { case NonFatal(_) => isDatabaseCreated = false }

  private def dropTableQuietly(tableName: String): Unit =
    try spark.sql(s"DROP TABLE IF EXISTS ${quoted(tableName)}")
    catch { case NonFatal(_) => () }

  private def quoted(qualifiedName: String): String =
    qualifiedName.split('.').map(part => s"`$part`").mkString(".")
}

/** Names used by [[SessionWarehouse]].
  *
  * Example: `SessionWarehouse.tableName("sparkdp_0123456789abcdef", 2) == "sparkdp_0123456789abcdef.query_2"`
  */
private[sparkdp] object SessionWarehouse {

  /** The Spark setting naming the warehouse directory.
    *
    * Example: `spark.conf.get(SessionWarehouse.WarehouseDirKey)`
    */
  val WarehouseDirKey = "spark.sql.warehouse.dir"

  /** Above Spark's shutdown hook (`FileSystem.SHUTDOWN_HOOK_PRIORITY + 30` = 40), which stops the SparkContext;
    * higher priorities run first.
    *
    * Example: `ShutdownHookManager.get().addShutdownHook(hook, SessionWarehouse.DropAtExitPriority)`
    */
  val DropAtExitPriority: Int = 50

  /** The qualified name of query `queryIndex`'s table.
    *
    * Example: `SessionWarehouse.tableName("sparkdp_0123456789abcdef", 2) == "sparkdp_0123456789abcdef.query_2"`
    */
  def tableName(databaseName: String, queryIndex: Long): String = s"$databaseName.query_$queryIndex"
}
