package sparkdp.warehouse

import java.nio.file.Files

import org.apache.hadoop.conf.Configuration
import org.scalatest.funsuite.AnyFunSuite

import sparkdp.WarehouseException

/** WarehouseLocation's rules on explicit inputs (the cluster suites check them end to end): a `file:` warehouse
  * only where every process shares this machine's disk, and a location that can be created and written.
  */
class WarehouseLocationSuite extends AnyFunSuite {

  private val hadoopConf = new Configuration()
  private def tempDir = Files.createTempDirectory("sparkdp-warehouse-location").toFile

  private def refusal(value: String, master: String, shareOverride: Option[String] = None): String =
    intercept[WarehouseException](WarehouseLocation.check(value, master, hadoopConf, shareOverride)).getMessage

  private def assertNamesSettingAndFix(message: String, value: String): Unit = {
    assert(message.contains(s"spark.sql.warehouse.dir=$value"), message)
    assert(message.contains("--conf spark.sql.warehouse.dir=s3://<bucket>/<prefix>/"), message)
  }

  test("a file: warehouse is accepted on local and local-cluster masters, refused on any other") {
    val dir = tempDir
    for (value <- Seq(dir.getAbsolutePath, dir.toURI.toString)) {
      for (master <- Seq("local", "local[2]", "local[*]", "local-cluster[2,1,1024]")) {
        WarehouseLocation.check(value, master, hadoopConf, None)
      }
      for (master <- Seq("yarn", "spark://10.0.0.1:7077", "k8s://https://host:443", "mesos://host:5050")) {
        val message = refusal(value, master)
        assertNamesSettingAndFix(message, value)
        assert(message.contains(s"master $master"), message)
      }
    }
  }

  test("the test-only override flips the master rule both ways") {
    val value = tempDir.getAbsolutePath
    assertNamesSettingAndFix(refusal(value, "local-cluster[2,1,1024]", Some("false")), value)
    WarehouseLocation.check(value, "spark://127.0.0.1:7077", hadoopConf, Some("true"))
    WarehouseLocation.check(value, "local[2]", hadoopConf, Some("anything else"))
  }

  test("a location that cannot be created or written, or a file system Hadoop does not know, is refused") {
    val blocker = Files.createTempFile("sparkdp-not-a-directory", ".txt").toFile
    blocker.deleteOnExit()
    val underAFile = new java.io.File(blocker, "warehouse").getAbsolutePath
    assertNamesSettingAndFix(refusal(underAFile, "local[2]"), underAFile)
    assertNamesSettingAndFix(refusal(blocker.getAbsolutePath, "local[2]"), blocker.getAbsolutePath)
    val unknownScheme = "nosuchfs://bucket/prefix/"
    assertNamesSettingAndFix(refusal(unknownScheme, "yarn"), unknownScheme)
  }

  test("a missing directory on a writable disk is created (Spark would create it on the first CREATE DATABASE)") {
    val missing = new java.io.File(tempDir, "a/b/warehouse")
    WarehouseLocation.check(missing.getAbsolutePath, "local[2]", hadoopConf, None)
    assert(missing.isDirectory)
    assert(missing.list().isEmpty, "the write probe must be deleted")
  }
}
