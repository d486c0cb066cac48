package sparkdp.cluster

import java.io.{File, FileOutputStream}
import java.nio.file.{Files, Path => JPath, Paths}
import java.util.jar.{JarEntry, JarOutputStream}

import scala.collection.JavaConverters._

import org.apache.spark.sql.SparkSession

/** A Spark cluster of separate executor processes on this machine, for the cluster suites (issue 11 #1):
  * `local-cluster[2,1,1024]` — a master and two workers inside the test JVM, each worker starting one executor
  * JVM with one core and 1024 MB.
  *
  * Executors need a Spark distribution (`spark.home`: `jars/` for their class path). The tests have none for
  * Spark 3.1.1 (only the Maven jars on the test class path), so one is made: a directory under target/ whose `jars/`
  * links to the Spark (and Scala, Hadoop, …) jars of this JVM's class path, nothing of sparkdp's own. The
  * executors run on this JVM's Java (`spark.executorEnv.JAVA_HOME`).
  *
  * sparkdp reaches the executors only as an application jar (`spark.jars`): the packaged jar with the native
  * libraries inside (`-Dsparkdp.test.jar`, sbt's `packageBin`; else `build/sparkdp.jar`), so each executor loads
  * the library from the jar, as on Glue or EMR. The probes of this package (closures run by executors) travel in
  * a second small jar made from the test classes of `sparkdp.cluster`.
  *
  * Each suite starts its own (one SparkContext per suite; sbt forks a JVM per cluster suite) and stops it.
  *
  * Example:
  * {{{
  * val spark = TestCluster.start("sparkdp-cluster-faults", Map("spark.task.maxFailures" -> "4"))
  * try ... finally spark.stop()
  * }}}
  */
object TestCluster {

  /** The master: two workers (executors), one core and 1024 MB each. */
  val Master = "local-cluster[2,1,1024]"

  /** The packaged sparkdp jar the executors load (with both native libraries). */
  lazy val sparkdpJar: File = {
    val jar = Option(System.getProperty("sparkdp.test.jar")).map(new File(_)).filter(_.isFile)
      .getOrElse(new File("build/sparkdp.jar").getAbsoluteFile)
    require(jar.isFile, s"no sparkdp jar at $jar: run `make jar` (or sbt package)")
    jar
  }

  /** Starts the cluster's SparkSession with `extraConf` on top of the defaults, waiting until both executors have
    * registered. `master` is [[Master]] unless a suite brings its own cluster (ClusterSpeculationSuite).
    */
  def start(appName: String, extraConf: Map[String, String] = Map.empty, master: String = Master): SparkSession = {
    require(SparkSession.getActiveSession.isEmpty && SparkSession.getDefaultSession.isEmpty,
      "a SparkSession already runs in this JVM: cluster suites need their own JVM (scala-build.sbt testGrouping)")
    val warehouseDir = Files.createTempDirectory("sparkdp-cluster-warehouse").toFile
    val builder = SparkSession
      .builder()
      .master(master)
      .appName(appName)
      .config("spark.home", sparkHome.toString)
      .config("spark.jars", Seq(sparkdpJar.getAbsolutePath, probesJar.toString).mkString(","))
      .config("spark.executorEnv.JAVA_HOME", System.getProperty("java.home"))
      // C1 only: short-lived executors spend their time warming up, not in hot loops.
      .config("spark.executor.extraJavaOptions", "-Dio.netty.tryReflectionSetAccessible=true -XX:TieredStopAtLevel=1")
      .config("spark.sql.shuffle.partitions", "4")
      .config("spark.default.parallelism", "4")
      .config("spark.ui.enabled", "false")
      .config("spark.driver.host", "127.0.0.1")
      .config("spark.driver.bindAddress", "127.0.0.1")
      .config("spark.sql.warehouse.dir", warehouseDir.getAbsolutePath)
    val spark = extraConf.foldLeft(builder) { case (b, (key, value)) => b.config(key, value) }.getOrCreate()
    awaitExecutors(spark, count = 2)
    spark
  }

  /** Blocks until `count` executors (besides the driver) have registered, at most 60 s. */
  def awaitExecutors(spark: SparkSession, count: Int): Unit = {
    val deadline = System.nanoTime() + 60L * 1000 * 1000 * 1000
    def registered = spark.sparkContext.statusTracker.getExecutorInfos.length - 1
    while (registered < count) {
      if (System.nanoTime() > deadline) throw new IllegalStateException(s"only $registered of $count executors started")
      Thread.sleep(100)
    }
  }

  /** A Spark "distribution" for the executors: `jars/` = the jars of this JVM's class path except sparkdp's. It
    * must be where the test JVM's SPARK_HOME points (scala-build.sbt sets both): local-cluster's workers read
    * only that environment variable.
    */
  private lazy val sparkHome: JPath = {
    val home = Paths.get(Option(System.getProperty("sparkdp.test.sparkHome")).getOrElse(
      throw new IllegalStateException("-Dsparkdp.test.sparkHome is unset: run the cluster suites through sbt")))
    require(sys.env.get("SPARK_HOME").map(Paths.get(_).toAbsolutePath).contains(home.toAbsolutePath),
      s"SPARK_HOME must be $home for the cluster suites, is ${sys.env.get("SPARK_HOME")}")
    val jars = home.resolve("jars")
    if (Files.isDirectory(jars)) Files.list(jars).iterator().asScala.foreach(Files.delete)
    Files.createDirectories(jars)
    // Spark's launcher asks for the Scala version through this directory when SPARK_SCALA_VERSION is unset.
    Files.createDirectories(home.resolve("launcher/target/scala-2.12"))
    val classPath = System.getProperty("java.class.path").split(File.pathSeparator).map(Paths.get(_))
    classPath
      .filter(entry => entry.toString.endsWith(".jar") && Files.isRegularFile(entry))
      .filterNot(entry => entry.getFileName.toString.startsWith("sparkdp"))
      .foreach { jar =>
        val link = jars.resolve(jar.getFileName)
        if (!Files.exists(link)) Files.createSymbolicLink(link, jar.toAbsolutePath)
      }
    home
  }

  /** The compiled classes of package `sparkdp.cluster` (the probes executors run), as a jar. */
  private lazy val probesJar: JPath = {
    val classesRoot = Paths.get(getClass.getProtectionDomain.getCodeSource.getLocation.toURI)
    val packageDir = classesRoot.resolve("sparkdp/cluster")
    val jar = Files.createTempFile("sparkdp-cluster-probes", ".jar")
    val out = new JarOutputStream(new FileOutputStream(jar.toFile))
    try {
      Files.walk(packageDir).iterator().asScala.filter(Files.isRegularFile(_)).foreach { file =>
        out.putNextEntry(new JarEntry(classesRoot.relativize(file).toString.replace(File.separatorChar, '/')))
        Files.copy(file, out)
        out.closeEntry()
      }
    } finally out.close()
    jar.toFile.deleteOnExit()
    jar
  }
}
