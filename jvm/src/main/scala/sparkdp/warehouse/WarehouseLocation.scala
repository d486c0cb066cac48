package sparkdp.warehouse

import java.util.Locale

import scala.util.control.NonFatal

import org.apache.hadoop.conf.Configuration
import org.apache.hadoop.fs.Path
import org.apache.spark.sql.SparkSession

import sparkdp.WarehouseException

/** Checks, when a session is created and before any private data is read, that `spark.sql.warehouse.dir` is a
  * place every process of the application can write and read (issue 11 #2). Results are stored there and read
  * back; a warehouse on the driver's local disk, on a cluster whose executors run on other hosts, is where
  * Tumult's Glue guide says "evaluating queries may produce empty dataframes". sparkdp refuses it instead.
  *
  * The rule for "executors cannot share it" is decided from the master URL, not measured: a `file:` warehouse
  * is shared only when every process runs on this machine, i.e. for `local`, `local[...]` and
  * `local-cluster[...]` masters. A probe (an executor task looking for a file the driver wrote) was not chosen:
  * which executors run it is up to the scheduler, so it could pass on an executor that happens to share the
  * driver's host and miss the others. Test-only: the session setting [[ExecutorsShareLocalDiskSetting]] overrides
  * the rule (`false`: a `local-cluster` counts as remote, to show the refusal on the test cluster; `true`: the
  * test's standalone cluster on loopback addresses counts as local).
  *
  * Example: `WarehouseLocation.require(spark)` throws `WarehouseException` naming the setting, its value and
  * the fix, or returns.
  */
private[sparkdp] object WarehouseLocation {

  /** Test-only session setting (see above); never set outside tests. */
  val ExecutorsShareLocalDiskSetting = "sparkdp.test.executorsShareLocalDisk"

  /** What to do about it, in every message: the Glue job parameter (and the Spark equivalent). */
  val Fix: String =
    s"Set ${SessionWarehouse.WarehouseDirKey} to a location every executor can read and write, e.g. the Glue job " +
      s"parameter --conf ${SessionWarehouse.WarehouseDirKey}=s3://<bucket>/<prefix>/ (or " +
      s"""spark.config("${SessionWarehouse.WarehouseDirKey}", "s3://<bucket>/<prefix>/") when building the SparkSession)."""

  /** Throws `WarehouseException` when the warehouse is a `file:` location on a master whose executors may run
    * on other hosts, or cannot be created and written (a probe file is written and deleted in it).
    *
    * Example: `WarehouseLocation.require(spark)`
    */
  def require(spark: SparkSession): Unit =
    check(
      spark.conf.getOption(SessionWarehouse.WarehouseDirKey).getOrElse("(unset)"),
      spark.sparkContext.master,
      spark.sparkContext.hadoopConfiguration,
      spark.conf.getOption(ExecutorsShareLocalDiskSetting)
    )

  /** [[require]] on explicit inputs: the warehouse setting's value, the master URL, the Hadoop configuration and
    * the test-only override (None outside tests).
    *
    * Example: `WarehouseLocation.check("file:/tmp/w", "yarn", hadoopConf, None)` throws.
    */
  private[warehouse] def check(value: String, master: String, hadoopConf: Configuration, shareOverride: Option[String]): Unit = {
    val setting = s"${SessionWarehouse.WarehouseDirKey}=$value"
    val warehouse =
      try new Path(value)
      catch { case NonFatal(cause) => throw new WarehouseException(s"$setting is not a valid location: $cause. $Fix", cause) }
    val fileSystem =
      try warehouse.getFileSystem(hadoopConf)
      catch { case NonFatal(cause) => throw new WarehouseException(s"$setting cannot be opened: $cause. $Fix", cause) }
    val scheme = Option(warehouse.toUri.getScheme).getOrElse(fileSystem.getUri.getScheme)
    if (scheme.toLowerCase(Locale.ROOT) == "file" && !sharesLocalDisk(master, shareOverride)) {
      throw new WarehouseException(
        s"$setting is a directory on the driver's local disk, but the master $master runs executors that may be on " +
          s"other hosts: they cannot share it, and results stored there could read back empty. $Fix"
      )
    }
    try probeWritable(fileSystem, warehouse)
    catch {
      case NonFatal(cause) =>
        throw new WarehouseException(s"$setting cannot be created or written: $cause. $Fix", cause)
    }
  }

  /** True when every process of the application runs on this machine, so a `file:` path is the same directory
    * for all of them.
    */
  private def sharesLocalDisk(master: String, shareOverride: Option[String]): Boolean = {
    val byMaster = master == "local" || master.startsWith("local[") || master.startsWith("local-cluster[")
    shareOverride.map(_.trim.toLowerCase(Locale.ROOT)) match {
      case Some("true")  => true
      case Some("false") => false
      case _             => byMaster
    }
  }

  /** Creates the warehouse directory if missing (Spark would on the first CREATE DATABASE), then writes and
    * deletes a uniquely named empty file in it.
    */
  private def probeWritable(fileSystem: org.apache.hadoop.fs.FileSystem, warehouse: Path): Unit = {
    if (!fileSystem.exists(warehouse) && !fileSystem.mkdirs(warehouse)) {
      throw new java.io.IOException(s"cannot create the directory $warehouse")
    }
    if (!fileSystem.getFileStatus(warehouse).isDirectory) throw new java.io.IOException(s"$warehouse is not a directory")
    val probe = new Path(warehouse, s"_sparkdp_write_probe_${java.util.UUID.randomUUID()}")
    fileSystem.create(probe, false).close()
    fileSystem.delete(probe, false)
  }
}
