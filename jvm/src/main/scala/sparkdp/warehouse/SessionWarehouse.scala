package sparkdp.warehouse

import java.security.SecureRandom

import scala.util.control.NonFatal

import org.apache.hadoop.fs.Path
import org.apache.hadoop.util.ShutdownHookManager
import org.apache.spark.sql.{DataFrame, SaveMode, SparkSession}
import org.apache.spark.sql.types.{ArrayType, DataType, MapType, StructType}

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

  // A warehouse the executors cannot share, or cannot write, fails the session's creation, before any data is read.
  WarehouseLocation.require(spark)

  /** `sparkdp_` and 16 random hex digits, so that sessions sharing a catalog never share a database.
    *
    * Example: `new SessionWarehouse(spark).databaseName` is like `sparkdp_3f9c0a1b2c3d4e5f`.
    */
  val databaseName: String = SessionWarehouse.newDatabaseName(System.currentTimeMillis())

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
        SessionWarehouse.liveDatabases.add(databaseName)
        ShutdownHookManager.get().addShutdownHook(dropAtExit, SessionWarehouse.DropAtExitPriority)
        probeWritable(new Path(spark.catalog.getDatabase(databaseName).locationUri))
      } catch {
        case NonFatal(cause) =>
          dropDatabaseQuietly()
          throw new WarehouseException(
            s"Cannot create the session database $databaseName under $warehouseSetting: $cause. " +
              WarehouseLocation.Fix,
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
        SessionWarehouse
          .withReleasedLayout(result.toDF(storedColumns: _*), expectedRowCount)
          .write
          .format("parquet")
          .mode(SaveMode.ErrorIfExists)
          .saveAsTable(quoted(tableName))
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
    stored.toDF(result.columns.toIndexedSeq: _*)
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
      SessionWarehouse.liveDatabases.remove(databaseName)
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

  /** Rows per stored partition aimed at; the number of partitions follows from the expected row count alone. */
  private val RowsPerStoredPartition = 1000000L

  /** `result` rearranged so that the stored table's layout (number of partitions and files, which row is in which
    * file, row order) is a function of the released rows and the expected row count (the keyset size) only.
    *
    * Why: the layout of the plan's last stage is decided by Spark from the sizes of the partitions it computed —
    * with adaptive execution, from the sizes of the private partial aggregates — so storing that stage as it
    * comes out would publish, in file counts and row order, something the noise does not cover (issue 11, "no
    * side channel in the release"). Hash-partitioning on every column into a count fixed by the keyset size
    * (an explicit count, which adaptive execution does not coalesce) and sorting each partition by every column
    * makes the layout post-processing of the released values. Columns Spark cannot order (maps) only join the
    * partitioning.
    *
    * Example: `withReleasedLayout(noisyCounts, expectedRowCount = 300)` has 1 partition, rows sorted.
    */
  private[warehouse] def withReleasedLayout(result: DataFrame, expectedRowCount: Long): DataFrame = {
    val partitions = math.max(1L, math.min(1000L, (expectedRowCount + RowsPerStoredPartition - 1) / RowsPerStoredPartition))
    val columns = result.schema.fields.toSeq
    val orderable = columns.filterNot(field => containsMap(field.dataType)).map(field => result.col(s"`${field.name}`"))
    val all = columns.map(field => result.col(s"`${field.name}`"))
    result.repartition(partitions.toInt, all: _*).sortWithinPartitions(orderable: _*)
  }

  private def containsMap(dataType: DataType): Boolean = dataType match {
    case _: MapType           => true
    case array: ArrayType     => containsMap(array.elementType)
    case struct: StructType   => struct.fields.exists(field => containsMap(field.dataType))
    case _                    => false
  }

  /** `sparkdp_<creation time in ms since the epoch, 13 digits>_<16 random hex digits>`: the creation time lets
    * `cleanup` tell the databases of sessions that died long ago from those of sessions still running elsewhere.
    *
    * Example: `newDatabaseName(1764720000000L)` matches `sparkdp_1764720000000_[0-9a-f]{16}`
    */
  private[warehouse] def newDatabaseName(createdAtMillis: Long): String =
    "sparkdp_%013d_%016x".format(createdAtMillis, new SecureRandom().nextLong())

  private val DatabaseNamePattern = "sparkdp_([0-9]{13})_[0-9a-f]{16}".r

  /** The databases of this JVM's sessions that are not stopped: `cleanup` never drops them. */
  private val liveDatabases = java.util.concurrent.ConcurrentHashMap.newKeySet[String]()

  /** Drops the databases (and their tables) of sparkdp sessions created more than `olderThanMillis` ago that no
    * session of this JVM still uses: what sessions that died without `stop()` (a killed driver, a crashed job)
    * left in a persistent catalog such as Glue's or a Hive metastore. Returns the names dropped, sorted.
    * Throws `WarehouseException` naming the database when one cannot be dropped (earlier ones stay dropped).
    *
    * Example: `SessionWarehouse.cleanup(spark, olderThanMillis = 24L * 3600 * 1000)`
    */
  def cleanup(spark: SparkSession, olderThanMillis: Long): Seq[String] = {
    require(olderThanMillis >= 0, s"olderThan must not be negative, got $olderThanMillis ms")
    val cutoff = System.currentTimeMillis() - olderThanMillis
    val stale = spark.catalog.listDatabases().collect().map(_.name).toSeq.collect {
      case name @ DatabaseNamePattern(createdAt) if createdAt.toLong <= cutoff && !liveDatabases.contains(name) => name
    }.sorted
    stale.foreach { name =>
      try spark.sql(s"DROP DATABASE IF EXISTS `$name` CASCADE")
      catch {
        case NonFatal(cause) =>
          throw new WarehouseException(s"Cannot drop the stale session database $name: $cause", cause)
      }
    }
    stale
  }

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
    * Example: `SessionWarehouse.tableName("sparkdp_x", 2) == "sparkdp_x.query_2"`
    */
  def tableName(databaseName: String, queryIndex: Long): String = s"$databaseName.query_$queryIndex"
}
