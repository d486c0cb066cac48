package sparkdp.bridge

import org.scalatest.funsuite.AnyFunSuite

import sparkdp.{InsufficientBudgetException, NativeException, UnsupportedQueryException}

/**
 * The JNI bridge against the real native library, loaded as users load it: from the jar's resources
 * (the test classpath holds the same resources as the jar; `make native` stages them).
 */
class NativeBridgeSuite extends AnyFunSuite {

  private lazy val native = Native.get

  test("the library loads from the jar resource for this platform") {
    val source = NativeLoader.loadedFrom
    assert(source.contains(NativeLoader.resourcePath(NativeLoader.currentPlatform)),
      s"expected the bundled library, got $source")
  }

  test("the library's version is the jar's version") {
    assert(native.libraryVersion() == BuildInfo.Version)
  }

  test("a Rust panic becomes sparkdp.NativeException carrying the panic message") {
    val e = intercept[NativeException](native.panicForTest())
    assert(e.getMessage != null && e.getMessage.toLowerCase.contains("panic"), e.getMessage)
    // The JVM survives and the library keeps working after a panic.
    assert(native.libraryVersion() == BuildInfo.Version)
  }

  test("bytes that are not an Arrow IPC stream give IllegalArgumentException saying so") {
    for (bad <- Seq(Array.empty[Byte], Array[Byte](1, 2, 3, 4, 5, 6, 7, 8), Array.fill[Byte](100)(-1))) {
      val e = intercept[IllegalArgumentException](native.countByKey(bad))
      assert(e.getMessage.toLowerCase.contains("ipc"), e.getMessage)
    }
  }

  test("a stream with the wrong schema gives IllegalArgumentException naming the column") {
    val wrongName = ArrowIpc.encode(Seq(Int64Column("member_id", Array(1L), None)))
    val e1 = intercept[IllegalArgumentException](native.countByKey(wrongName))
    assert(e1.getMessage.contains("key"), e1.getMessage)
    val e2 = intercept[IllegalArgumentException](native.countByKey(TestIpcStreams.int32Keys(Seq(1, 2))))
    assert(e2.getMessage.contains("key"), e2.getMessage)
  }

  test("countByKey counts rows per key, nulls as their own group, across batches") {
    val ipc = TestIpcStreams.int64Batches("key",
      Seq(Seq(Some(1L), Some(2L), None, Some(2L)), Seq(), Seq(Some(3L), None, Some(2L), Some(-9L))))
    val result = ArrowIpc.decode(native.countByKey(ipc))
    assert(result.map(_.name) == Seq("key", "count"))
    assert(result(1).isNull.isEmpty, "count is declared not null")
    val counts = result(0).toOptions.zip(result(1).values).toMap
    assert(result(0).length == counts.size, "one row per distinct key")
    assert(counts == Map(Some(1L) -> 1L, Some(2L) -> 3L, None -> 2L, Some(3L) -> 1L, Some(-9L) -> 1L))
  }

  test("countByKey of an empty input gives an empty result") {
    val result = ArrowIpc.decode(native.countByKey(
      ArrowIpc.encode(Seq(Int64Column("key", Array.empty[Long], Some(Array.empty[Boolean]))))))
    assert(result.map(_.name) == Seq("key", "count") && result.forall(_.length == 0))
  }

  test("addNoise with no noise returns the values unchanged, in order") {
    val input = Seq(Int64Column("key", Array(5L, 3L, 9L), None), Int64Column("value", Array(10L, 0L, -4L), None))
    val secret = native.newSessionSecret()
    assert(ArrowIpc.decode(native.addNoise(ArrowIpc.encode(input), secret, 0L, "none")) == input)
  }

  test("addNoise is a function of (secret, query index, key): same inputs, same output") {
    val keys = Array.tabulate(200)(_.toLong)
    val input = ArrowIpc.encode(Seq(Int64Column("key", keys, None), Int64Column("value", Array.fill(200)(100L), None)))
    val secret = native.newSessionSecret()
    val first = ArrowIpc.decode(native.addNoise(input, secret, 3L, "laplace:10"))
    val again = ArrowIpc.decode(native.addNoise(input, secret, 3L, "laplace:10"))
    assert(first == again)
    assert(first.head.values.sameElements(keys), "keys and row order are kept")
    val otherQuery = ArrowIpc.decode(native.addNoise(input, secret, 4L, "laplace:10"))
    // 200 discrete Laplace(10) draws agreeing everywhere by chance is (far) below 1e-100.
    assert(!(otherQuery(1).values sameElements first(1).values), "another query index must draw other noise")
  }

  test("session secrets are 32 bytes and fresh; deriveKey checks the secret's length") {
    val a = native.newSessionSecret()
    val b = native.newSessionSecret()
    assert(a.length == 32 && b.length == 32)
    assert(!(a sameElements b))
    assert(native.deriveKey(a, "row-hash").length == 32)
    assert(native.deriveKey(a, "row-hash") sameElements native.deriveKey(a, "row-hash"))
    intercept[IllegalArgumentException](native.deriveKey(Array[Byte](1, 2, 3), "row-hash"))
  }

  test("errors map to the contract's exception classes with messages naming the value") {
    val nan = intercept[IllegalArgumentException](native.exactFromDouble(Double.NaN, "epsilon"))
    assert(nan.getMessage.contains("epsilon"), nan.getMessage)
    val negative = intercept[IllegalArgumentException](native.exactFromDouble(-1.0, "epsilon"))
    assert(negative.getMessage.contains("epsilon") && negative.getMessage.contains("-1"), negative.getMessage)
    intercept[InsufficientBudgetException](native.budgetSubtract("pure:1", "pure:2"))
    intercept[IllegalArgumentException](native.budgetCovers("pure:1", "zcdp:1"))
    val noBound =
      intercept[UnsupportedQueryException](native.countNoise("pure:1", "AddRowsWithID", "", "5:title", "default"))
    assert(noBound.getMessage.contains("MaxRowsPerID"), noBound.getMessage)
  }

  test("text arguments and results cross the edge intact") {
    assert(native.exactFromDouble(0.5, "epsilon") == "1/2")
    assert(native.exactFromDouble(Double.PositiveInfinity, "epsilon") == "inf")
    assert(native.budgetSubtract("pure:2", "pure:1/2") == "pure:3/2")
    assert(native.budgetCovers("pure:2", "pure:2") && !native.budgetCovers("pure:1", "pure:2"))
    assert(native.numberToDouble("1/2", true) == 0.5)
    // 1.0 / 3 is the double just below 1/3, so rounding down gives it and rounding up the next one.
    assert(native.numberToDouble("1/3", false) == 1.0 / 3)
    assert(native.numberToDouble("1/3", true) == Math.nextUp(1.0 / 3))
  }

  test("countNoise takes the groupby columns and the mechanism; Gaussian needs zCDP (Tumult's message)") {
    assert(WireText.columns(Seq("title", "a;b")) == "5:title;3:a;b")
    val perIsbn = "MaxGroupsPerID:3:4:isbn;MaxRowsPerGroupPerID:2:4:isbn"
    // L2² = 3·2² = 12 grouped by isbn, (3·2)² = 36 otherwise; σ² = L2²/(2ρ) with ρ = 1/2.
    assert(native.countNoise("zcdp:1/2", "AddRowsWithID", perIsbn, WireText.columns(Seq("isbn")), "default") ==
      "gaussian:12")
    assert(native.countNoise("zcdp:1/2", "AddRowsWithID", perIsbn, WireText.columns(Seq("title")), "DEFAULT") ==
      "gaussian:36")
    assert(native.countNoise("pure:2", "AddRowsWithID", "MaxRowsPerID:20", "5:title", "laplace") == "laplace:10")
    val gaussian = intercept[IllegalArgumentException](
      native.countNoise("pure:2", "AddRowsWithID", "MaxRowsPerID:20", "5:title", "gaussian")
    )
    assert(
      gaussian.getMessage.startsWith("Gaussian noise is only supported when using a RhoZCDP budget."),
      gaussian.getMessage
    )
  }
}
