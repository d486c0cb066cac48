package sparkdp.bridge

import java.io.{DataInputStream, File}
import java.util.zip.ZipFile

import sparkdp.compat.CollectionConverters._

import org.scalatest.funsuite.AnyFunSuite

/**
 * The packaged jar runs on the oldest Java of its Spark line: the Scala 2.12 jar (build/sparkdp.jar) on Java 8
 * (Glue 3.0), every class at class-file major version 52; the Scala 2.13 jar (build/sparkdp_2.13.jar, Spark 4)
 * at 61 (Java 17). Neither bundles Scala, Arrow or Spark.
 * The build passes the jar's path as the system property `sparkdp.test.jar` and the expected major version
 * as `sparkdp.test.classMajor`.
 */
class BytecodeVersionSuite extends AnyFunSuite {

  private val expectedMajorVersion: Int = Option(System.getProperty("sparkdp.test.classMajor"))
    .getOrElse(fail("system property sparkdp.test.classMajor is not set (run the tests through sbt)")).toInt

  private lazy val jar: File = {
    val path = Option(System.getProperty("sparkdp.test.jar"))
      .getOrElse(fail("system property sparkdp.test.jar is not set (run the tests through sbt)"))
    val file = new File(path)
    assert(file.isFile, s"$file does not exist")
    file
  }

  private def withJar[T](body: ZipFile => T): T = {
    val zip = new ZipFile(jar)
    try body(zip) finally zip.close()
  }

  test("every class in the jar has the major version of its line (52 = Java 8 for Scala 2.12, 61 = Java 17)") {
    val versions = withJar { zip =>
      zip.entries.asScala.filter(_.getName.endsWith(".class")).map { entry =>
        val in = new DataInputStream(zip.getInputStream(entry))
        try {
          assert(in.readInt() == 0xCAFEBABE, s"${entry.getName} is not a class file")
          in.readUnsignedShort() // minor version
          entry.getName -> in.readUnsignedShort()
        } finally in.close()
      }.toList
    }
    // Guard against passing vacuously (e.g. the wrong jar): the bridge and Java exceptions must be there.
    val names = versions.map(_._1).toSet
    Seq("sparkdp/bridge/Native.class", "sparkdp/bridge/NativeLoader$.class", "sparkdp/bridge/ArrowIpc$.class",
      "sparkdp/NativeException.class", "sparkdp/InsufficientBudgetException.class").foreach { expected =>
      assert(names.contains(expected), s"$jar lacks $expected")
    }
    val wrong = versions.filter(_._2 != expectedMajorVersion)
    assert(wrong.isEmpty, s"classes not at major version $expectedMajorVersion: " +
      wrong.take(20).map { case (name, major) => s"$name ($major)" }.mkString(", "))
  }

  test("the jar bundles no Scala, Arrow or Spark classes") {
    val bundled = withJar(_.entries.asScala.map(_.getName).filter { name =>
      name.startsWith("scala/") || name.startsWith("org/apache/arrow/") || name.startsWith("org/apache/spark/")
    }.toList)
    assert(bundled.isEmpty, s"bundled third-party classes: ${bundled.take(10).mkString(", ")}")
  }
}
