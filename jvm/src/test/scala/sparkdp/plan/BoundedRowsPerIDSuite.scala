package sparkdp.plan

import scala.util.Random

import org.scalatest.funsuite.AnyFunSuite

/** The per-ID bounded heaps of the sort-free truncation, without Spark: against a full sort as the oracle. */
class BoundedRowsPerIDSuite extends AnyFunSuite {

  /** (row hash, fingerprint) ascending, a null fingerprint first: Spark's order for `orderBy(hash, fp)`. */
  private val sparkOrder: Ordering[(Long, Option[Long])] =
    Ordering.Tuple2(Ordering.Long, Ordering.Option(Ordering.Long))

  private def keptBySort(rows: Seq[(Long, Option[Long])], k: Int): Seq[Option[Long]] =
    rows.sorted(sparkOrder).take(k).map(_._2)

  private def sortedFingerprints(fingerprints: Iterator[Option[Long]]): Seq[Option[Long]] =
    fingerprints.toSeq.sorted(Ordering.Option(Ordering.Long))

  test("SmallestRows keeps the k smallest (hash, fingerprint), with ties and null fingerprints, for any k") {
    val random = new Random(20261129L)
    for (trial <- 0 until 200) {
      val rowCount = random.nextInt(60)
      // Hashes from a small range and repeated fingerprints give ties in hash and in (hash, fingerprint).
      val rows = Seq.fill(rowCount)(
        (random.nextInt(8).toLong - 4L, if (random.nextInt(4) == 0) None else Some(random.nextInt(5).toLong - 2L))
      )
      val k = 1 + random.nextInt(20)
      val smallest = new SmallestRows(k)
      rows.foreach { case (rowHash, fingerprint) => smallest.offer(rowHash, fingerprint) }
      assert(smallest.size == math.min(k, rowCount))
      assert(
        sortedFingerprints(smallest.fingerprints) == sortedFingerprints(keptBySort(rows, k).iterator),
        s"trial $trial, k = $k, rows = $rows"
      )
    }
  }

  test("SmallestRows with k = Int.MaxValue keeps every row and allocates only what it keeps") {
    val smallest = new SmallestRows(Int.MaxValue)
    (1 to 100000).foreach(i => smallest.offer(i.toLong * 31 % 1000, Some(i.toLong)))
    assert(smallest.size == 100000)
    assert(smallest.fingerprints.flatten.toSet == (1 to 100000).map(_.toLong).toSet)
  }

  test("SmallestRows keeps Long.MinValue and Long.MaxValue hashes in signed order") {
    val smallest = new SmallestRows(1)
    smallest.offer(Long.MaxValue, Some(1L))
    smallest.offer(Long.MinValue, Some(2L))
    smallest.offer(0L, Some(3L))
    assert(smallest.fingerprints.toList == List(Some(2L)))
  }

  test("BoundedRowsPerID keeps k rows per ID, IDs compared by the content of their identity bytes") {
    val random = new Random(7L)
    val ids: Seq[Array[Byte]] = Seq(Array[Byte](), Array[Byte](1, 2), Array[Byte](1, 3), Array[Byte](2, 1), Array[Byte](0))
    val rows = Seq.fill(2000) {
      val id = ids(random.nextInt(ids.length))
      // A fresh copy of every ID, so equal IDs are never the same object.
      (id.clone(), random.nextInt(50).toLong, if (random.nextInt(10) == 0) None else Some(random.nextInt(30).toLong))
    }
    val k = 7
    val kept = new BoundedRowsPerID(k)
    rows.foreach { case (id, rowHash, fingerprint) => kept.offer(id, rowHash, fingerprint.isEmpty, fingerprint.getOrElse(0L)) }
    assert(kept.idCount == ids.length)
    val expected = rows
      .groupBy { case (id, _, _) => id.toSeq }
      .values
      .flatMap(idRows => keptBySort(idRows.map { case (_, rowHash, fingerprint) => (rowHash, fingerprint) }, k))
    assert(sortedFingerprints(kept.fingerprints) == sortedFingerprints(expected.iterator))
  }

  test("ID keys: equal content is one key, different content another") {
    import BoundedRowsPerID.BinaryID
    assert(new BinaryID(Array[Byte](1, 2)) == new BinaryID(Array[Byte](1, 2)))
    assert(new BinaryID(Array[Byte](1, 2)).hashCode == new BinaryID(Array[Byte](1, 2)).hashCode)
    assert(new BinaryID(Array[Byte](1, 2)) != new BinaryID(Array[Byte](2, 1)))
    assert(new BinaryID(Array[Byte](1)) != new BinaryID(Array[Byte](1, 0)))
  }
}
