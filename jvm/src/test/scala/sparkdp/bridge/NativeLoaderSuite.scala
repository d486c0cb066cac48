package sparkdp.bridge

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

  test("a platform without a bundled library fails naming the platform and the resource") {
    val e = intercept[NativeException](NativeLoader.loadFromJar("plan9-mips"))
    assert(e.getMessage.contains("plan9-mips"), e.getMessage)
    assert(e.getMessage.contains("/sparkdp/native/plan9-mips/libsparkdp.so"), e.getMessage)
    assert(e.getMessage.contains("not found"), e.getMessage)
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
      assert(e.getMessage.contains("no sparkdp in java.library.path"), e.getMessage)
    }
    val explained = new NativeException("sparkdp has no native library for this platform")
    val third = intercept[NativeException](NativeLoader.sourceOrThrow(Left(explained)))
    assert(third.getMessage == explained.getMessage && (third.getCause eq explained))
    assert(NativeLoader.sourceOrThrow(Right("jar resource x")) == "jar resource x")
  }
}
