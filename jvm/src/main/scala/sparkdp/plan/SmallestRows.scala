package sparkdp.plan

/** The at most `maxRows` smallest (row hash, fingerprint) pairs offered so far, in a bounded max-heap: the
  * largest kept pair sits at the root, so a new pair either replaces it or is dropped, in O(log maxRows),
  * and nothing is ever sorted.
  *
  * Order: row hash first (signed, as Spark orders longs), then fingerprint with a null fingerprint before
  * every other (Spark's ascending order puts nulls first). Pairs equal in both are interchangeable: only the
  * fingerprint is kept, so whichever of them stays, the output is the same.
  *
  * Capacity grows by doubling up to `maxRows`, so `maxRows` = Int.MaxValue costs only what is kept.
  *
  * Example:
  * {{{
  * val smallest = new SmallestRows(2)
  * smallest.offer(5L, Some(50L)); smallest.offer(1L, Some(10L)); smallest.offer(3L, None)
  * smallest.fingerprints.toList.sortBy(_.toString) // List(None, Some(10))
  * }}}
  *
  * @param maxRows k, at least 1
  */
private[plan] final class SmallestRows(maxRows: Int) {
  require(maxRows >= 1, s"maxRows ($maxRows) must be at least 1")

  private var rowHashes = new Array[Long](math.min(maxRows, SmallestRows.InitialCapacity))
  private var fingerprints_ = new Array[Long](rowHashes.length)
  private var fingerprintIsNull = new Array[Boolean](rowHashes.length)
  private var size_ = 0

  /** The number of pairs kept, at most `maxRows`. */
  def size: Int = size_

  /** Keeps (rowHash, fingerprint) if it is among the `maxRows` smallest pairs offered so far. */
  def offer(rowHash: Long, fingerprint: Option[Long]): Unit =
    offer(rowHash, fingerprint.isEmpty, fingerprint.getOrElse(0L))

  /** As `offer(rowHash, fingerprint)`, without an `Option` per row; `fingerprint` is ignored when null. */
  def offer(rowHash: Long, isNullFingerprint: Boolean, fingerprint: Long): Unit =
    if (size_ < maxRows) {
      if (size_ == rowHashes.length) grow()
      set(size_, rowHash, isNullFingerprint, fingerprint)
      size_ += 1
      siftUp(size_ - 1)
    } else if (compareTo(0, rowHash, isNullFingerprint, fingerprint) > 0) {
      set(0, rowHash, isNullFingerprint, fingerprint)
      siftDown(0)
    }

  /** The kept fingerprints (None for a null one), in heap order. */
  def fingerprints: Iterator[Option[Long]] =
    Iterator.range(0, size_).map(i => if (fingerprintIsNull(i)) None else Some(fingerprints_(i)))

  private def grow(): Unit = {
    // Doubling, capped at maxRows without overflowing Int when maxRows is near Int.MaxValue.
    val capacity = if (rowHashes.length > maxRows / 2) maxRows else rowHashes.length * 2
    rowHashes = java.util.Arrays.copyOf(rowHashes, capacity)
    fingerprints_ = java.util.Arrays.copyOf(fingerprints_, capacity)
    fingerprintIsNull = java.util.Arrays.copyOf(fingerprintIsNull, capacity)
  }

  private def set(slot: Int, rowHash: Long, isNullFingerprint: Boolean, fingerprint: Long): Unit = {
    rowHashes(slot) = rowHash
    fingerprintIsNull(slot) = isNullFingerprint
    fingerprints_(slot) = if (isNullFingerprint) 0L else fingerprint
  }

  /** The order of the pair in `slot` against the given pair: negative, zero or positive. */
  private def compareTo(slot: Int, rowHash: Long, isNullFingerprint: Boolean, fingerprint: Long): Int = {
    val byHash = java.lang.Long.compare(rowHashes(slot), rowHash)
    if (byHash != 0) byHash
    else if (fingerprintIsNull(slot) || isNullFingerprint)
      java.lang.Boolean.compare(!fingerprintIsNull(slot), !isNullFingerprint)
    else java.lang.Long.compare(fingerprints_(slot), fingerprint)
  }

  private def compareSlots(slot: Int, other: Int): Int =
    compareTo(slot, rowHashes(other), fingerprintIsNull(other), fingerprints_(other))

  private def swap(slot: Int, other: Int): Unit = {
    val rowHash = rowHashes(slot)
    val isNull = fingerprintIsNull(slot)
    val fingerprint = fingerprints_(slot)
    set(slot, rowHashes(other), fingerprintIsNull(other), fingerprints_(other))
    set(other, rowHash, isNull, fingerprint)
  }

  private def siftUp(start: Int): Unit = {
    var child = start
    while (child > 0 && compareSlots((child - 1) / 2, child) < 0) {
      swap((child - 1) / 2, child)
      child = (child - 1) / 2
    }
  }

  private def siftDown(start: Int): Unit = {
    var parent = start
    var isHeap = false
    while (!isHeap) {
      val left = 2 * parent + 1
      val right = left + 1
      var largest = parent
      if (left < size_ && compareSlots(left, largest) > 0) largest = left
      if (right < size_ && compareSlots(right, largest) > 0) largest = right
      if (largest == parent) isHeap = true
      else {
        swap(parent, largest)
        parent = largest
      }
    }
  }
}

private[plan] object SmallestRows {

  /** Slots allocated for a new ID: most IDs have few rows, so start small and double. */
  val InitialCapacity: Int = 4
}
