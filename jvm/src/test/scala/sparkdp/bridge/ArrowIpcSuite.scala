package sparkdp.bridge

import org.scalatest.funsuite.AnyFunSuite

/** ArrowIpc against Spark 3.1.1's Arrow Java 2.0.0 (the oldest Arrow the jar meets). */
class ArrowIpcSuite extends AnyFunSuite {

  test("round trip keeps values, nulls, nullability and column order") {
    val columns = Seq(
      Int64Column("key", Array(7L, 0L, Long.MinValue, Long.MaxValue, -1L), Some(Array(false, true, false, false, false))),
      Int64Column("count", Array(1L, 2L, 3L, 4L, 5L), None))
    val decoded = ArrowIpc.decode(ArrowIpc.encode(columns))
    assert(decoded == columns)
    assert(decoded.map(_.name) == Seq("key", "count"))
    assert(decoded.head.toOptions == Seq(Some(7L), None, Some(Long.MinValue), Some(Long.MaxValue), Some(-1L)))
    assert(decoded(1).isNull.isEmpty, "a not-null column must decode as not null")
    assert(decoded.head.isNull.isDefined, "a nullable column must decode as nullable")
  }

  test("a nullable column without nulls stays nullable") {
    val column = Int64Column("key", Array(1L, 2L), Some(Array(false, false)))
    assert(ArrowIpc.decode(ArrowIpc.encode(Seq(column))) == Seq(column))
  }

  test("zero rows round trip") {
    val columns = Seq(Int64Column("key", Array.empty[Long], Some(Array.empty[Boolean])),
      Int64Column("value", Array.empty[Long], None))
    val decoded = ArrowIpc.decode(ArrowIpc.encode(columns))
    assert(decoded == columns)
    assert(decoded.forall(_.length == 0))
  }

  test("a larger batch round trips") {
    val n = 100000
    val values = Array.tabulate(n)(i => i.toLong * 31 - 7)
    val nulls = Array.tabulate(n)(_ % 7 == 3)
    val column = Int64Column("key", values, Some(nulls))
    assert(ArrowIpc.decode(ArrowIpc.encode(Seq(column))) == Seq(column))
  }

  test("decode concatenates all record batches in order, including empty ones") {
    val ipc = TestIpcStreams.int64Batches("key",
      Seq(Seq(Some(1L), None), Seq(), Seq(Some(3L)), Seq(None, Some(5L), Some(6L))))
    val decoded = ArrowIpc.decode(ipc)
    assert(decoded.map(_.name) == Seq("key"))
    assert(decoded.head.toOptions == Seq(Some(1L), None, Some(3L), None, Some(5L), Some(6L)))
  }

  test("decode of a stream with a schema and no batches gives empty columns") {
    val decoded = ArrowIpc.decode(TestIpcStreams.int64Batches("key", Seq()))
    assert(decoded == Seq(Int64Column("key", Array.empty[Long], Some(Array.empty[Boolean]))))
  }

  test("decode rejects a non-Int64 column, naming it and its type") {
    val e = intercept[IllegalArgumentException](ArrowIpc.decode(TestIpcStreams.utf8Column("title", Seq("a"))))
    assert(e.getMessage.contains("'title'"), e.getMessage)
    assert(e.getMessage.contains("Utf8"), e.getMessage)
    val e32 = intercept[IllegalArgumentException](ArrowIpc.decode(TestIpcStreams.int32Keys(Seq(1))))
    assert(e32.getMessage.contains("'key'") && e32.getMessage.contains("Int(32"), e32.getMessage)
  }

  test("decode rejects bytes that are not an IPC stream, saying so") {
    for (bad <- Seq(Array.empty[Byte], Array[Byte](1, 2, 3), Array.fill[Byte](64)(-1), Array.fill[Byte](64)(7))) {
      val before = ArrowIpc.allocatedBytes
      val e = intercept[IllegalArgumentException](ArrowIpc.decode(bad))
      info(s"${bad.length} bytes: ${e.getMessage}; Arrow bytes kept: ${ArrowIpc.allocatedBytes - before}")
      assert(e.getMessage.contains("Arrow IPC stream") && e.getMessage.contains(s"${bad.length} bytes"),
        e.getMessage)
    }
    val valid = ArrowIpc.encode(Seq(Int64Column("key", Array(1L, 2L, 3L), None)))
    val truncated = valid.take(valid.length - 20)
    val before = ArrowIpc.allocatedBytes
    val e = intercept[IllegalArgumentException](ArrowIpc.decode(truncated))
    assert(e.getMessage.contains("record batch 0"), e.getMessage)
    info(s"truncated: ${e.getMessage}; Arrow bytes kept: ${ArrowIpc.allocatedBytes - before}")
  }

  test("encode validates its columns") {
    val e1 = intercept[IllegalArgumentException](ArrowIpc.encode(Seq()))
    assert(e1.getMessage.contains("at least one column"))
    val e2 = intercept[IllegalArgumentException](ArrowIpc.encode(Seq(
      Int64Column("key", Array(1L), None), Int64Column("value", Array(1L, 2L), None))))
    assert(e2.getMessage.contains("'value' has 2 rows") && e2.getMessage.contains("'key' has 1"), e2.getMessage)
    val e3 = intercept[IllegalArgumentException](ArrowIpc.encode(Seq(
      Int64Column("key", Array(1L), None), Int64Column("key", Array(2L), None))))
    assert(e3.getMessage.contains("key"), e3.getMessage)
  }

  test("Int64Column rejects null flags of the wrong length, naming the column") {
    val e = intercept[IllegalArgumentException](Int64Column("key", Array(1L, 2L), Some(Array(true))))
    assert(e.getMessage.contains("'key'") && e.getMessage.contains("1 flags") && e.getMessage.contains("2 values"))
  }

  test("many calls release all Arrow memory (child allocators close cleanly)") {
    // A leak makes the per-call child allocator's close() throw, which fails this loop.
    val before = ArrowIpc.allocatedBytes
    val ipc = ArrowIpc.encode(Seq(Int64Column("key", Array.tabulate(1000)(_.toLong), None)))
    (1 to 200).foreach(_ => ArrowIpc.decode(ArrowIpc.encode(ArrowIpc.decode(ipc))))
    assert(ArrowIpc.decode(ipc).head.length == 1000)
    assert(ArrowIpc.allocatedBytes == before)
  }
}
