package sparkdp.plan

import scala.collection.JavaConverters._

/** For one partition, per distinct ID, the k rows with the smallest (row hash, fingerprint) (`SmallestRows`).
  *
  * IDs are told apart by exact equality of their bytes in Spark's internal form (`SparkIdentity`), never by a
  * hash of them: two IDs whose hashes collided would share k rows, and the selection for one ID would then
  * depend on another ID's rows, which breaks the stability argument in `TruncateRowsPerID`. Equal bytes are
  * exactly what Spark's own grouping deems one value (NaN = NaN, -0.0 = 0.0, nested too; distinct invalid UTF-8
  * strings stay distinct); null is one ID.
  *
  * Memory: O(distinct IDs × min(k, rows per ID)) slots of 17 bytes plus one map entry per ID; nothing is
  * preallocated for k.
  *
  * Example:
  * {{{
  * val kept = new BoundedRowsPerID(20)
  * rows.foreach(row => kept.offer(SparkIdentity.bytesAt(row, 0), row.getLong(2), row.isNullAt(1), row.getLong(1)))
  * kept.fingerprints.foreach(fingerprint => ...)
  * }}}
  *
  * @param maxRowsPerId k, at least 1
  */
private[plan] final class BoundedRowsPerID(maxRowsPerId: Int) {
  require(maxRowsPerId >= 1, s"maxRowsPerId ($maxRowsPerId) must be at least 1")

  private val smallestPerId = new java.util.HashMap[BoundedRowsPerID.BinaryID, SmallestRows]()

  /** Offers one row of the ID whose identity bytes are `idBytes` (`SparkIdentity`; the array is kept, not
    * copied); `fingerprint` is ignored when null.
    */
  def offer(idBytes: Array[Byte], rowHash: Long, isNullFingerprint: Boolean, fingerprint: Long): Unit = {
    val idKey = new BoundedRowsPerID.BinaryID(idBytes)
    var smallest = smallestPerId.get(idKey)
    if (smallest == null) {
      smallest = new SmallestRows(maxRowsPerId)
      smallestPerId.put(idKey, smallest)
    }
    smallest.offer(rowHash, isNullFingerprint, fingerprint)
  }

  /** The number of distinct IDs offered. */
  def idCount: Int = smallestPerId.size

  /** The fingerprint (None for a null one) of each kept row, ID by ID, in no particular order. */
  def fingerprints: Iterator[Option[Long]] = smallestPerId.values.iterator.asScala.flatMap(_.fingerprints)
}

private[plan] object BoundedRowsPerID {

  /** A binary ID compared and hashed by its bytes. */
  final class BinaryID(private val bytes: Array[Byte]) {
    override def equals(other: Any): Boolean = other match {
      case binary: BinaryID => java.util.Arrays.equals(bytes, binary.bytes)
      case _                => false
    }
    override def hashCode: Int = java.util.Arrays.hashCode(bytes)
  }
}
