package sparkdp.system

import java.io.File
import java.nio.file.Files

import org.apache.hadoop.fs.Path
import org.apache.spark.sql.SparkSession

/** The one local SparkSession all sparkdp suites share (starting one costs seconds on 2 cores): `local[2]`,
  * 4 shuffle partitions, a temporary warehouse directory. Never stopped by a suite; the forked test JVM's exit
  * ends it.
  */
object TestSpark {

  /** The shared session. */
  lazy val spark: SparkSession = {
    val warehouseDir = Files.createTempDirectory("sparkdp-test-warehouse").toFile
    warehouseDir.deleteOnExit()
    SparkSession
      .builder()
      .master("local[2]")
      .appName("sparkdp-tests")
      .config("spark.sql.shuffle.partitions", "4")
      .config("spark.default.parallelism", "4")
      .config("spark.ui.enabled", "false")
      .config("spark.driver.host", "127.0.0.1")
      .config("spark.driver.bindAddress", "127.0.0.1")
      .config("spark.sql.warehouse.dir", warehouseDir.getAbsolutePath)
      .getOrCreate()
  }

  /** The warehouse directory the session actually uses (another suite may have created the session first). */
  def warehouseDir: File = new File(new Path(spark.conf.get("spark.sql.warehouse.dir")).toUri.getPath)
}
