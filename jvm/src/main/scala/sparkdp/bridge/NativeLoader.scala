package sparkdp.bridge

import java.io.{File, IOException, InputStream}
import java.nio.file.Files
import java.util.Locale

import scala.util.control.NonFatal

import sparkdp.NativeException

/**
 * Loads the sparkdp native library once per JVM (class loader) and remembers the outcome.
 *
 * Order:
 *  1. the library bundled in the jar for this platform, `/sparkdp/native/<os>-<arch>/libsparkdp.so`, copied
 *     to a file in an extraction directory and loaded with `System.load`. The directories tried, in order
 *     ([[extractionDirs]]): the system property `sparkdp.native.tmpdir`, else the Spark conf
 *     `spark.sparkdp.native.tmpdir`, else `java.io.tmpdir`; then, if the library cannot be written or
 *     mapped there (a temp directory mounted `noexec` makes `System.load` fail with "failed to map segment
 *     from shared object"), `java.io.tmpdir`, the working directory (a YARN / EMR container's) and
 *     `~/.sparkdp/native`;
 *  2. only if the jar has none for this platform, `System.loadLibrary("sparkdp")` from `java.library.path`.
 * The jar's own library comes first because a JVM cannot unload a library: a stale `libsparkdp.so` left on
 * `java.library.path` would otherwise be loaded, fail the version check, and block the correct one.
 * Then the library's `libraryVersion()` must equal the jar's version ([[BuildInfo.Version]]).
 *
 * A failure is kept and rethrown, as a new [[sparkdp.NativeException]] whose cause is the original
 * failure, on every later use: the first caller and every later one see the same clear message, naming the
 * platform and the expected version, instead of a `NoClassDefFoundError` or a bare `UnsatisfiedLinkError`.
 *
 * {{{
 * NativeLoader.ensureLoaded()   // throws sparkdp.NativeException naming platform, version and places tried
 * }}}
 */
private[sparkdp] object NativeLoader {

  /** The library's base name: `libsparkdp.so` on Linux. */
  val LibraryName = "sparkdp"

  /**
   * Optional system property: directory for the extracted library (default `java.io.tmpdir`), for hosts
   * whose temp directory is mounted `noexec`. Wins over [[TempDirSparkConf]].
   */
  val TempDirProperty = "sparkdp.native.tmpdir"

  /**
   * Optional Spark conf with the same meaning as [[TempDirProperty]] (`--conf spark.sparkdp.native.tmpdir=`),
   * read from the driver's or executor's `SparkEnv` when the library is first loaded.
   */
  val TempDirSparkConf = "spark.sparkdp.native.tmpdir"

  /**
   * The directories the library may be extracted to, first choice first, without repeats: the configured
   * one ([[TempDirProperty]], else [[TempDirSparkConf]], else `java.io.tmpdir`), then the fallbacks for a
   * configured directory that cannot hold an executable library: `java.io.tmpdir`, the working directory,
   * `~/.sparkdp/native`.
   *
   * @param systemProperty the value of [[TempDirProperty]], if set
   * @param sparkConf      the value of [[TempDirSparkConf]], if set
   * @param javaTmpDir     `java.io.tmpdir`
   * @param workingDir     `user.dir`
   * @param homeDir        `user.home`
   */
  def extractionDirs(
      systemProperty: Option[String],
      sparkConf: Option[String],
      javaTmpDir: String,
      workingDir: String,
      homeDir: String): Seq[File] = {
    val configured = systemProperty.orElse(sparkConf).filter(_.trim.nonEmpty).getOrElse(javaTmpDir)
    Seq(configured, javaTmpDir, workingDir, new File(new File(homeDir, ".sparkdp"), "native").getPath)
      .filter(_.nonEmpty).map(p => new File(p).getAbsoluteFile).distinct
  }

  /** [[extractionDirs]] for this JVM. */
  private def currentExtractionDirs(): Seq[File] =
    extractionDirs(
      Option(System.getProperty(TempDirProperty)),
      sparkConfValue(TempDirSparkConf),
      System.getProperty("java.io.tmpdir", "/tmp"),
      System.getProperty("user.dir", ""),
      System.getProperty("user.home", ""))

  // The SparkEnv of this driver or executor, if one runs (none in plain unit tests or before the
  // SparkContext starts); a class-path without Spark is treated as no conf.
  private def sparkConfValue(key: String): Option[String] =
    try Option(org.apache.spark.SparkEnv.get).flatMap(_.conf.getOption(key))
    catch {
      case _: LinkageError => None
      case NonFatal(_) => None
    }

  /**
   * The platform id used in the jar's resource path, from `os.name` and `os.arch`.
   *
   * @param osName the `os.name` system property, e.g. `"Linux"`
   * @param osArch the `os.arch` system property, e.g. `"amd64"`
   * @return e.g. `"linux-x86_64"`, `"linux-aarch64"`
   * {{{
   * NativeLoader.platformId("Linux", "amd64")   // "linux-x86_64"
   * }}}
   */
  def platformId(osName: String, osArch: String): String = {
    val os = osName.toLowerCase(Locale.ROOT) match {
      case n if n.startsWith("linux") => "linux"
      case n if n.startsWith("mac") || n.startsWith("darwin") => "darwin"
      case n if n.startsWith("windows") => "windows"
      case n => n.replaceAll("[^a-z0-9]+", "")
    }
    val arch = osArch.toLowerCase(Locale.ROOT) match {
      case "amd64" | "x86_64" | "x86-64" => "x86_64"
      case "aarch64" | "arm64" => "aarch64"
      case a => a
    }
    s"$os-$arch"
  }

  /**
   * Where the jar holds the library for a platform.
   *
   * @param platform a platform id from [[platformId]]
   * @return e.g. `"/sparkdp/native/linux-x86_64/libsparkdp.so"`
   */
  def resourcePath(platform: String): String =
    s"/sparkdp/native/$platform/${System.mapLibraryName(LibraryName)}"

  /** This JVM's platform id. */
  lazy val currentPlatform: String =
    platformId(System.getProperty("os.name", "unknown"), System.getProperty("os.arch", "unknown"))

  /**
   * The side effects of loading, apart so that a test can replace them without loading a second library
   * into its JVM.
   *
   * {{{
   * NativeLoader.load(NativeLoader.currentPlatform, BuildInfo.Version, NativeLoader.SystemLoadSteps)
   * }}}
   */
  private[bridge] trait LoadSteps {

    /** The jar resource at `path`, if the jar has it. */
    def openResource(path: String): Option[InputStream]

    /** `System.load` of an extracted library file; throws `UnsatisfiedLinkError` if the file cannot be loaded. */
    def loadFile(library: File): Unit

    /** `System.loadLibrary`; throws `UnsatisfiedLinkError` if `java.library.path` has no such library. */
    def loadFromLibraryPath(libraryName: String): Unit

    /** The loaded library's `libraryVersion()`. */
    def loadedLibraryVersion(): String
  }

  /** The real steps: the jar's class loader, `System.load`, `System.loadLibrary`, [[Native.libraryVersion]]. */
  private[bridge] object SystemLoadSteps extends LoadSteps {
    override def openResource(path: String): Option[InputStream] = Option(getClass.getResourceAsStream(path))
    override def loadFile(library: File): Unit = System.load(library.getAbsolutePath)
    override def loadFromLibraryPath(libraryName: String): Unit = System.loadLibrary(libraryName)
    override def loadedLibraryVersion(): String = new Native().libraryVersion()
  }

  /** The outcome of loading: where the library came from, or why loading failed. */
  private val outcome: Either[Throwable, String] =
    try Right(load(currentPlatform, BuildInfo.Version, SystemLoadSteps))
    catch {
      // LinkageError (UnsatisfiedLinkError) is not NonFatal but is exactly what a failed load throws.
      case e: LinkageError => Left(e)
      case NonFatal(e) => Left(e)
    }

  /**
   * Makes sure the library is loaded (it is loaded at most once per JVM).
   *
   * @throws sparkdp.NativeException on every call if loading failed, with the first failure as cause
   */
  def ensureLoaded(): Unit = sourceOrThrow(outcome)

  /**
   * Describes where the library was loaded from.
   *
   * @return e.g. `"jar resource /sparkdp/native/linux-x86_64/libsparkdp.so (extracted to /tmp/...)"`
   * @throws sparkdp.NativeException if loading failed
   */
  def loadedFrom: String = sourceOrThrow(outcome)

  // A new exception per use, so its stack trace shows the current caller; the cause is the original.
  private[bridge] def sourceOrThrow(loadOutcome: Either[Throwable, String]): String = loadOutcome match {
    case Right(source) => source
    case Left(failure) =>
      val message = failure match {
        case e: NativeException => e.getMessage
        case e =>
          s"sparkdp native library version ${BuildInfo.Version} could not be loaded on $currentPlatform: $e"
      }
      val exception = new NativeException(message)
      exception.initCause(failure)
      throw exception
  }

  /**
   * Loads the library for `platform` (see the order above) and checks its version.
   *
   * @param platform        the platform id, e.g. `"linux-x86_64"`
   * @param expectedVersion the version the library must report, e.g. `"0.1.0"`
   * @param steps           the side effects ([[SystemLoadSteps]] outside tests)
   * @param dirs            the extraction directories to try in order ([[extractionDirs]])
   * @return where the library came from, e.g. `"jar resource /sparkdp/native/linux-x86_64/libsparkdp.so
   *         (extracted to /tmp/libsparkdp-123.so)"`
   * @throws sparkdp.NativeException naming the platform, the expected version and the places tried
   */
  private[bridge] def load(
      platform: String,
      expectedVersion: String,
      steps: LoadSteps,
      dirs: => Seq[File] = currentExtractionDirs()): String = {
    val path = resourcePath(platform)
    val source = steps.openResource(path) match {
      case Some(in) =>
        val library =
          try readAll(in)
          finally in.close()
        loadFromJar(platform, expectedVersion, path, library, steps, dirs)
      case None => loadFromLibraryPath(platform, expectedVersion, path, steps)
    }
    checkVersion(platform, expectedVersion, source, steps)
    source
  }

  // Tries each extraction directory until the library loads from one; the error lists every directory with
  // its failure. A failed System.load leaves nothing loaded, so the next copy can still be loaded.
  private def loadFromJar(
      platform: String,
      expectedVersion: String,
      path: String,
      library: Array[Byte],
      steps: LoadSteps,
      dirs: Seq[File]): String = {
    val failures = Seq.newBuilder[String]
    val loaded = dirs.iterator.map { dir =>
      try {
        val libFile = extractTo(dir, library)
        try {
          steps.loadFile(libFile)
          Some(s"jar resource $path (extracted to $libFile)")
        } catch {
          case e: UnsatisfiedLinkError =>
            libFile.delete()
            new File(dir, libFile.getName.stripSuffix(".so") + ".lck").delete()
            // The JVM's message usually starts with the file's path already.
            val reason = String.valueOf(e.getMessage)
            failures += (if (reason.contains(libFile.getPath)) reason else s"$libFile: $reason")
            None
        }
      } catch {
        case e: IOException =>
          failures += s"$dir: cannot write the library there: $e"
          None
      }
    }.collectFirst { case Some(source) => source }
    loaded.getOrElse {
      throw new NativeException(
        s"sparkdp native library version $expectedVersion for $platform (resource $path in the sparkdp jar) " +
          s"could not be loaded from any extraction directory. Tried: ${failures.result().mkString("; ")}. " +
          "A directory mounted noexec fails with \"failed to map segment from shared object\": choose an " +
          s"executable one with -D$TempDirProperty=<dir> or --conf $TempDirSparkConf=<dir>.")
    }
  }

  private def loadFromLibraryPath(platform: String, expectedVersion: String, path: String, steps: LoadSteps): String = {
    val fileName = System.mapLibraryName(LibraryName)
    val libraryPath = System.getProperty("java.library.path", "")
    try steps.loadFromLibraryPath(LibraryName)
    catch {
      case e: UnsatisfiedLinkError =>
        throw new NativeException(
          s"sparkdp has no native library for this platform, $platform " +
            s"(os.name=${System.getProperty("os.name")}, os.arch=${System.getProperty("os.arch")}), " +
            s"expected version $expectedVersion. Tried: 1. resource $path in the sparkdp jar: not found; " +
            s"2. $fileName on java.library.path ($libraryPath): ${e.getMessage}. " +
            s"The jar is built for ${BuildInfo.NativePlatforms.mkString(" and ")}.")
    }
    s"java.library.path ($fileName)"
  }

  private def readAll(in: InputStream): Array[Byte] = {
    val out = new java.io.ByteArrayOutputStream()
    val buffer = new Array[Byte](1 << 16)
    var n = in.read(buffer)
    while (n >= 0) {
      out.write(buffer, 0, n)
      n = in.read(buffer)
    }
    out.toByteArray
  }

  // Throws IOException when `dir` cannot be created or written.
  private def extractTo(dir: File, library: Array[Byte]): File = {
    if (!dir.isDirectory && !dir.mkdirs() && !dir.isDirectory)
      throw new IOException(s"cannot create directory $dir")
    deleteStaleCopies(dir)
    // The .lck file is created first, atomically and with a unique name, and the library's name is
    // derived from it. So two JVMs (e.g. executors on one host) never extract to the same file, and
    // deleteStaleCopies in another JVM spares a live JVM's library because its .lck exists. Creating
    // the library first would open a window in which another JVM sees a library without a .lck and
    // deletes it before this JVM has loaded it.
    val lockFile = File.createTempFile("libsparkdp-", ".lck", dir)
    lockFile.deleteOnExit()
    val libFile = new File(dir, lockFile.getName.stripSuffix(".lck") + ".so")
    libFile.deleteOnExit() // deleteOnExit runs in reverse order: the library goes before its .lck
    try Files.write(libFile.toPath, library)
    catch {
      case e: IOException => // e.g. a full disk: leave no partial copy behind
        libFile.delete()
        lockFile.delete()
        throw e
    }
    libFile
  }

  // Removes copies whose .lck is gone: their JVM has exited but could not delete the library itself.
  // After a crash both files stay (deleteOnExit never ran) and cannot be told from a live JVM's, so they
  // are left alone: a few MB in the temp directory.
  private def deleteStaleCopies(tempDir: File): Unit = {
    val copies = Option(tempDir.listFiles()).getOrElse(Array.empty[File])
      .filter(f => f.getName.startsWith("libsparkdp-") && f.getName.endsWith(".so"))
    copies.foreach { lib =>
      val lock = new File(tempDir, lib.getName.stripSuffix(".so") + ".lck")
      if (!lock.exists()) lib.delete()
    }
  }

  private def checkVersion(platform: String, expectedVersion: String, source: String, steps: LoadSteps): Unit = {
    val libraryVersion =
      try steps.loadedLibraryVersion()
      catch {
        case e: UnsatisfiedLinkError =>
          throw new NativeException(
            s"sparkdp native library from $source on $platform lacks the JNI function " +
              s"Java_sparkdp_bridge_Native_libraryVersion (expected version $expectedVersion): $e")
      }
    if (libraryVersion != expectedVersion)
      throw new NativeException(
        s"sparkdp native library version mismatch on $platform: the jar expects version $expectedVersion " +
          s"but the library from $source reports version $libraryVersion")
  }
}
