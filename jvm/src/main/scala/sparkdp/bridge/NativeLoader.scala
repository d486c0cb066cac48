package sparkdp.bridge

import java.io.{File, IOException, InputStream}
import java.nio.file.{Files, StandardCopyOption}
import java.util.Locale

import scala.util.control.NonFatal

import sparkdp.NativeException

/**
 * Loads the sparkdp native library once per JVM (class loader) and remembers the outcome.
 *
 * Order (the shape of Comet's `NativeBase`):
 *  1. `System.loadLibrary("sparkdp")`, so an operator can supply a library on `java.library.path`;
 *  2. otherwise the library bundled in the jar at `/sparkdp/native/<os>-<arch>/libsparkdp.so` is copied to
 *     a temporary file and loaded with `System.load`.
 * Then the library's `libraryVersion()` must equal the jar's version ([[BuildInfo.Version]]).
 *
 * A failure is kept and rethrown, as a new [[sparkdp.NativeException]] whose cause is the original
 * failure, on every later use: the first caller and every later one see the same clear message instead of
 * a `NoClassDefFoundError` or a bare `UnsatisfiedLinkError` from some JNI call.
 *
 * {{{
 * NativeLoader.ensureLoaded()   // throws sparkdp.NativeException naming platform and resource if absent
 * }}}
 */
private[sparkdp] object NativeLoader {

  /** The library's base name: `libsparkdp.so` on Linux. */
  val LibraryName = "sparkdp"

  /**
   * Optional system property: directory for the extracted library (default `java.io.tmpdir`), for hosts
   * whose temp directory is mounted `noexec`.
   */
  val TempDirProperty = "sparkdp.native.tmpdir"

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

  /** The outcome of loading: where the library came from, or why loading failed. */
  private val outcome: Either[Throwable, String] =
    try Right(load())
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
        case e => s"sparkdp native library could not be loaded on $currentPlatform: $e"
      }
      val exception = new NativeException(message)
      exception.initCause(failure)
      throw exception
  }

  private def load(): String = {
    val source =
      try {
        System.loadLibrary(LibraryName)
        s"java.library.path (${System.mapLibraryName(LibraryName)})"
      } catch {
        case _: UnsatisfiedLinkError => loadFromJar(currentPlatform)
      }
    checkVersion(source)
    source
  }

  private[bridge] def loadFromJar(platform: String): String = {
    val path = resourcePath(platform)
    val in = Option(getClass.getResourceAsStream(path)).getOrElse {
      throw new NativeException(
        s"sparkdp has no native library for this platform, $platform " +
          s"(os.name=${System.getProperty("os.name")}, os.arch=${System.getProperty("os.arch")}): " +
          s"resource $path not found in the sparkdp jar, and no ${System.mapLibraryName(LibraryName)} " +
          "on java.library.path. The jar is built for linux-x86_64 and linux-aarch64.")
    }
    val libFile =
      try extractToTempFile(in)
      finally in.close()
    try System.load(libFile.getAbsolutePath)
    catch {
      case e: UnsatisfiedLinkError =>
        throw new NativeException(
          s"sparkdp native library for $platform (resource $path, extracted to $libFile) " +
            s"could not be loaded: ${e.getMessage}")
    }
    s"jar resource $path (extracted to $libFile)"
  }

  private def extractToTempFile(library: InputStream): File = {
    val tempDir = new File(Option(System.getProperty(TempDirProperty)).getOrElse(System.getProperty("java.io.tmpdir")))
    deleteStaleCopies(tempDir)
    // The .lck file is created first, atomically and with a unique name, and the library's name is
    // derived from it. So two JVMs (e.g. executors on one host) never extract to the same file, and
    // deleteStaleCopies in another JVM spares a live JVM's library because its .lck exists. Creating
    // the library first would open a window in which another JVM sees a library without a .lck and
    // deletes it before this JVM has loaded it.
    val lockFile =
      try File.createTempFile("libsparkdp-", ".lck", tempDir)
      catch {
        case e: IOException =>
          throw new NativeException(
            s"cannot create a temporary file in $tempDir for the sparkdp native library " +
              s"(set -D$TempDirProperty=<dir> to use another directory): $e")
      }
    lockFile.deleteOnExit()
    val libFile = new File(tempDir, lockFile.getName.stripSuffix(".lck") + ".so")
    libFile.deleteOnExit() // deleteOnExit runs in reverse order: the library goes before its .lck
    Files.copy(library, libFile.toPath, StandardCopyOption.REPLACE_EXISTING)
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

  private def checkVersion(source: String): Unit = {
    val libraryVersion =
      try new Native().libraryVersion()
      catch {
        case e: UnsatisfiedLinkError =>
          throw new NativeException(
            s"sparkdp native library from $source on $currentPlatform lacks the JNI function " +
              s"Java_sparkdp_bridge_Native_libraryVersion: $e")
      }
    if (libraryVersion != BuildInfo.Version)
      throw new NativeException(
        s"sparkdp native library version mismatch on $currentPlatform: the jar is version " +
          s"${BuildInfo.Version} but the library from $source reports version $libraryVersion")
  }
}
