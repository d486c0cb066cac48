package sparkdp.bridge

import java.io.{ByteArrayInputStream, File, InputStream}
import java.nio.file.Files

import org.scalatest.funsuite.AnyFunSuite

import sparkdp.NativeException

/** The loader's logic that does not need the native library. */
class NativeLoaderSuite extends AnyFunSuite {

  test("platform ids follow the jar layout") {
    assert(NativeLoader.platformId("Linux", "amd64") == "linux-x86_64")
    assert(NativeLoader.platformId("Linux", "x86_64") == "linux-x86_64")
    assert(NativeLoader.platformId("Linux", "aarch64") == "linux-aarch64")
    assert(NativeLoader.platformId("Mac OS X", "arm64") == "darwin-aarch64")
    assert(NativeLoader.platformId("Windows 10", "amd64") == "windows-x86_64")
    assert(NativeLoader.platformId("SunOS", "sparcv9") == "sunos-sparcv9")
  }

  test("resource paths follow docs/CONTRACTS.md") {
    assert(NativeLoader.resourcePath("linux-x86_64") == "/sparkdp/native/linux-x86_64/libsparkdp.so")
    assert(NativeLoader.resourcePath("linux-aarch64") == "/sparkdp/native/linux-aarch64/libsparkdp.so")
  }

  /** Load steps that load nothing: a jar with `bundled` resources, a `java.library.path` that has the library
    * only if `onLibraryPath`, and a library reporting `reportedVersion`. Records what was loaded.
    */
  private class FakeSteps(bundled: Set[String], onLibraryPath: Boolean, reportedVersion: String)
      extends NativeLoader.LoadSteps {
    var loaded: Seq[String] = Seq.empty
    override def openResource(path: String): Option[InputStream] =
      if (bundled(path)) Some(new ByteArrayInputStream(Array[Byte](0x7f, 'E', 'L', 'F'))) else None
    override def loadFile(library: File): Unit = loaded :+= s"file ${library.getName}"
    override def loadFromLibraryPath(libraryName: String): Unit =
      if (onLibraryPath) loaded :+= s"loadLibrary $libraryName"
      else throw new UnsatisfiedLinkError(s"no $libraryName in java.library.path: /opt/empty")
    override def loadedLibraryVersion(): String = reportedVersion
  }

  test("no library in the jar or on java.library.path: the error names platform, version and both places") {
    val steps = new FakeSteps(bundled = Set.empty, onLibraryPath = false, reportedVersion = "9.9.9")
    val e = intercept[NativeException](NativeLoader.load("plan9-mips", "1.2.3", steps))
    Seq("plan9-mips", "expected version 1.2.3", "/sparkdp/native/plan9-mips/libsparkdp.so", "not found",
      "java.library.path", "no sparkdp in java.library.path: /opt/empty", "linux-x86_64 and linux-aarch64")
      .foreach(part => assert(e.getMessage.contains(part), s"'$part' missing from: ${e.getMessage}"))
    assert(steps.loaded.isEmpty)
  }

  test("the jar's library is loaded first: java.library.path is not tried when the jar has one") {
    val path = NativeLoader.resourcePath("linux-x86_64")
    val steps = new FakeSteps(bundled = Set(path), onLibraryPath = true, reportedVersion = "1.2.3")
    val source = NativeLoader.load("linux-x86_64", "1.2.3", steps)
    assert(source.startsWith(s"jar resource $path"), source)
    assert(steps.loaded.size == 1 && steps.loaded.head.startsWith("file libsparkdp-"), steps.loaded)
  }

  test("java.library.path is used only when the jar has no library for the platform") {
    val steps = new FakeSteps(bundled = Set(NativeLoader.resourcePath("linux-x86_64")), onLibraryPath = true,
      reportedVersion = "1.2.3")
    assert(NativeLoader.load("linux-riscv64", "1.2.3", steps) == "java.library.path (libsparkdp.so)")
    assert(steps.loaded == Seq("loadLibrary sparkdp"))
  }

  test("a library of another version fails naming the platform, both versions and where it came from") {
    val jarSteps = new FakeSteps(bundled = Set(NativeLoader.resourcePath("linux-aarch64")), onLibraryPath = false,
      reportedVersion = "0.0.9")
    val fromJar = intercept[NativeException](NativeLoader.load("linux-aarch64", "1.2.3", jarSteps))
    Seq("linux-aarch64", "expects version 1.2.3", "reports version 0.0.9", "jar resource /sparkdp/native/linux-aarch64")
      .foreach(part => assert(fromJar.getMessage.contains(part), s"'$part' missing from: ${fromJar.getMessage}"))
    val pathSteps = new FakeSteps(bundled = Set.empty, onLibraryPath = true, reportedVersion = "0.0.9")
    val fromPath = intercept[NativeException](NativeLoader.load("linux-x86_64", "1.2.3", pathSteps))
    Seq("linux-x86_64", "expects version 1.2.3", "reports version 0.0.9", "java.library.path")
      .foreach(part => assert(fromPath.getMessage.contains(part), s"'$part' missing from: ${fromPath.getMessage}"))
  }

  test("a bundled library that fails to load is an error naming platform, version and file; no fallback") {
    val steps = new FakeSteps(bundled = Set(NativeLoader.resourcePath("linux-x86_64")), onLibraryPath = true,
      reportedVersion = "1.2.3") {
      override def loadFile(library: File): Unit =
        throw new UnsatisfiedLinkError(s"$library: wrong ELF class: ELFCLASS32")
    }
    val dir = Files.createTempDirectory("sparkdp-loader-").toFile
    val e = intercept[NativeException](NativeLoader.load("linux-x86_64", "1.2.3", steps, Seq(dir)))
    Seq("linux-x86_64", "version 1.2.3", "/sparkdp/native/linux-x86_64/libsparkdp.so", "wrong ELF class",
      dir.getPath)
      .foreach(part => assert(e.getMessage.contains(part), s"'$part' missing from: ${e.getMessage}"))
    assert(steps.loaded.isEmpty, "java.library.path must not be tried when the jar has a library")
  }

  test("a load failure is rethrown on every use, with the original failure as cause") {
    val original = new UnsatisfiedLinkError("no sparkdp in java.library.path")
    val failed: Either[Throwable, String] = Left(original)
    val first = intercept[NativeException](NativeLoader.sourceOrThrow(failed))
    val second = intercept[NativeException](NativeLoader.sourceOrThrow(failed))
    assert(first ne second, "each use gets its own exception (with its own stack trace)")
    Seq(first, second).foreach { e =>
      assert(e.getCause eq original)
      assert(e.getMessage.contains(NativeLoader.currentPlatform), e.getMessage)
      assert(e.getMessage.contains(s"version ${BuildInfo.Version}"), e.getMessage)
      assert(e.getMessage.contains("no sparkdp in java.library.path"), e.getMessage)
    }
    val explained = new NativeException("sparkdp has no native library for this platform")
    val third = intercept[NativeException](NativeLoader.sourceOrThrow(Left(explained)))
    assert(third.getMessage == explained.getMessage && (third.getCause eq explained))
    assert(NativeLoader.sourceOrThrow(Right("jar resource x")) == "jar resource x")
  }

  test("extraction directory: system property, else Spark conf, else java.io.tmpdir; then the fallbacks") {
    def dirs(prop: Option[String], conf: Option[String]) =
      NativeLoader.extractionDirs(prop, conf, "/tmp", "/work/container", "/home/u").map(_.getPath)
    assert(dirs(Some("/opt/x"), Some("/opt/y")) ==
      Seq("/opt/x", "/tmp", "/work/container", "/home/u/.sparkdp/native"))
    assert(dirs(None, Some("/opt/y")).head == "/opt/y")
    assert(dirs(None, None) == Seq("/tmp", "/work/container", "/home/u/.sparkdp/native"))
    assert(dirs(Some("  "), None).head == "/tmp", "a blank setting counts as unset")
  }

  /** Load steps whose System.load fails, as on a noexec mount, for every file inside `noexecDir`. */
  private class NoexecSteps(noexecDir: File)
      extends FakeSteps(bundled = Set(NativeLoader.resourcePath("linux-x86_64")), onLibraryPath = true,
        reportedVersion = "1.2.3") {
    override def loadFile(library: File): Unit =
      if (library.getParentFile == noexecDir)
        throw new UnsatisfiedLinkError(
          s"$library: failed to map segment from shared object") // glibc's text for EPERM on mmap(PROT_EXEC)
      else super.loadFile(library)
  }

  test("a noexec extraction directory (simulated: System.load fails there) falls back to the next one") {
    val noexec = Files.createTempDirectory("sparkdp-noexec-").toFile
    val fallback = Files.createTempDirectory("sparkdp-exec-").toFile
    val steps = new NoexecSteps(noexec)
    val source = NativeLoader.load("linux-x86_64", "1.2.3", steps, Seq(noexec, fallback))
    assert(source.contains(s"extracted to ${fallback.getPath}/libsparkdp-"), source)
    assert(steps.loaded.size == 1, steps.loaded)
    assert(noexec.listFiles().isEmpty, "the copy that could not be mapped and its .lck are removed")
    assert(fallback.listFiles().map(_.getName).count(_.endsWith(".so")) == 1)
  }

  test("when no extraction directory works, the error lists each one and names the setting to change") {
    val noexec = Files.createTempDirectory("sparkdp-noexec-").toFile
    val missingParent = Files.createTempFile("sparkdp-not-a-dir-", ".txt").toFile
    val unwritable = new File(missingParent, "sub") // under a regular file: cannot be created
    val e = intercept[NativeException](
      NativeLoader.load("linux-x86_64", "1.2.3", new NoexecSteps(noexec), Seq(noexec, unwritable)))
    Seq("linux-x86_64", "version 1.2.3", s"${noexec.getPath}/libsparkdp-", "failed to map segment",
      s"$unwritable: cannot write the library there", "-Dsparkdp.native.tmpdir=<dir>",
      "--conf spark.sparkdp.native.tmpdir=<dir>")
      .foreach(part => assert(e.getMessage.contains(part), s"'$part' missing from: ${e.getMessage}"))
  }
}
