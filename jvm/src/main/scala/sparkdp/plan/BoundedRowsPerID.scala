package sparkdp.plan

import scala.collection.JavaConverters._

import org.apache.spark.sql.Row

/** For one partition, per distinct ID, the k rows with the smallest (row hash, fingerprint) (`SmallestRows`).
  *
  * IDs are told apart by exact equality of their values as Spark's external `Row` gives them, never by a hash
  * of them: two IDs whose hashes collided would share k rows, and the selection for one ID would then depend
  * on another ID's rows, which breaks the stability argument in `TruncateRowsPerID`. Null is one ID. Binary
  * values (`Array[Byte]`, also inside structs and arrays) are compared by content, not by reference.
  *
  * Memory: O(distinct IDs × min(k, rows per ID)) slots of 17 bytes plus one map entry per ID; nothing is
  * preallocated for k.
  *
  * Example:
  * {{{
  * val kept = new BoundedRowsPerID(20)
  * rows.foreach(row => kept.offer(row.get(0), row.getLong(2), row.isNullAt(1), row.getLong(1)))
  * kept.fingerprints.foreach(fingerprint => ...)
  * }}}
  *
  * @param maxRowsPerId k, at least 1
  */
private[plan] final class BoundedRowsPerID(maxRowsPerId: Int) {
  require(maxRowsPerId >= 1, s"maxRowsPerId ($maxRowsPerId) must be at least 1")

  // java.util.HashMap: it takes a null key (the null ID) and hashes with the values' own hashCode.
  private val smallestPerId = new java.util.HashMap[Any, SmallestRows]()

  /** Offers one row of ID `id` (a value of the ID column, null allowed); `fingerprint` is ignored when null. */
  def offer(id: Any, rowHash: Long, isNullFingerprint: Boolean, fingerprint: Long): Unit = {
    val idKey = BoundedRowsPerID.idKey(id)
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

  /** A map key equal for two ID values exactly when Spark deems them the same value: `Array[Byte]` becomes a
    * `BinaryID` (content equality), and structs and arrays are rebuilt around their keyed members. Other
    * values (numbers, strings, decimals of one column's fixed scale, dates, timestamps) already have value
    * equality. Floating-point IDs arrive with -0.0 already turned into 0.0 (`TruncateRowsPerID`).
    *
    * Example: `idKey(Array[Byte](1, 2)) == idKey(Array[Byte](1, 2))`
    */
  def idKey(id: Any): Any = id match {
    case bytes: Array[Byte] => new BinaryID(bytes)
    case struct: Row        => struct.toSeq.map(idKey).toVector
    case array: Seq[_]      => array.map(idKey).toVector
    case other              => other
  }

  /** A binary ID compared and hashed by its bytes. */
  final class BinaryID(private val bytes: Array[Byte]) {
    override def equals(other: Any): Boolean = other match {
      case binary: BinaryID => java.util.Arrays.equals(bytes, binary.bytes)
      case _                => false
    }
    override def hashCode: Int = java.util.Arrays.hashCode(bytes)
  }
}
