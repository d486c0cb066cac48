package sparkdp.plan

import java.nio.ByteBuffer

import org.apache.spark.sql.{Column, DataFrame}
import org.apache.spark.sql.functions.{lit, xxhash64}

/** The columns the truncation orders and groups rows by: the ID's identity and the truncation-keyed row hash.
  * The constraints themselves are enforced by Rust (`PartialAggregates`, `TruncationKernel`): per ID, rows with
  * the smallest (row hash, fingerprint), groups with the smallest keyed group hash.
  *
  * Why privacy does not depend on the hash being secret: which rows of an ID are kept is a function of that
  * ID's own rows only (their hashes), so adding or removing one ID's rows changes the output by at most what
  * the constraints let that ID keep, and leaves every other ID's kept rows as they were. Any such per-ID
  * selection is a stable transformation (Tumult Core's `LimitRowsPerGroup` / `LimitKeysPerGroup` arguments),
  * which is what Rust's calibration assumes. It would hold for a public hash too. It needs IDs to be told apart
  * exactly as Spark tells them apart: by the bytes of their identity (`SparkIdentity`), never by a hash, so no
  * ID's selection depends on another ID's rows and no ID is split in two.
  *
  * Why it is keyed anyway: with a public hash an analyst who can add rows could predict or steer which rows
  * survive (e.g. craft rows that always win), and the choice would be the same across sessions; keyed by the
  * session's truncation key it is random to everyone yet identical on every re-evaluation and task retry, so
  * recomputing a DataFrame never changes the selection. The truncation key is derived separately from the
  * noise key because its four words appear as literals in Spark plans (UI, `explain`, event logs); seeing
  * them reveals nothing about the noise.
  */
private[sparkdp] object TruncationHashes {

  /** The ID's identity column (`SparkIdentity.identity`: a one-field struct, floating-point parts normalised).
    *
    * Example: `table.select(TruncationHashes.idOf(table, "member_id"))`
    */
  def idOf(table: DataFrame, idColumn: String): Column =
    SparkIdentity.identity(HashableColumns.column(idColumn), table.schema(idColumn).dataType)

  /** The truncation-keyed hash of the whole row.
    *
    * Example: `table.select(TruncationHashes.rowHash(table, truncationKey))`
    */
  def rowHash(table: DataFrame, truncationKey: Array[Byte]): Column =
    xxhash64(keyWordColumns(truncationKey) ++ table.columns.toSeq.map(HashableColumns.column): _*)

  /** The truncation-keyed hash of a grouping value's identity (`SparkIdentity.identity`), so values Spark deems
    * equal get one hash.
    *
    * Example: `TruncationHashes.groupHash(SparkIdentity.identity(col("shop"), StringType), truncationKey)`
    */
  def groupHash(identity: Column, truncationKey: Array[Byte]): Column =
    xxhash64(keyWordColumns(truncationKey) :+ identity: _*)

  /** One of count_distinct's two keyed 64-bit hashes (`which` = 0 or 1) of a distinct-columns identity
    * (`SparkIdentity.identity`): together a 128-bit identity, so two different rows collide (and count once)
    * only with probability ~2^-128 per pair. Each hash has its own key words, derived from the truncation key
    * (each word XOR a per-hash constant), so the two are independent hash functions of the same bytes.
    *
    * Example: `TruncationHashes.distinctHash(SparkIdentity.identity(col("title"), StringType), truncationKey, 0)`
    */
  def distinctHash(identity: Column, truncationKey: Array[Byte], which: Int): Column = {
    require(which == 0 || which == 1, s"count_distinct has two hashes, not hash $which")
    val keyWords = truncationKeyWords(truncationKey).zip(DistinctHashTweaks(which)).map { case (word, tweak) => word ^ tweak }
    xxhash64(keyWords.map(word => lit(word)) :+ identity: _*)
  }

  /** The per-hash constants of `distinctHash` (digits of pi and e: nothing up the sleeve). */
  private val DistinctHashTweaks: Seq[Seq[Long]] = Seq(
    Seq(0x243f6a8885a308d3L, 0x13198a2e03707344L, 0xa4093822299f31d0L, 0x082efa98ec4e6c89L),
    Seq(0x2b7e151628aed2a6L, 0xabf7158809cf4f3cL, 0x762e7160f38b4da5L, 0x6a784d9045190cfeL)
  )

  /** The 32-byte key as four big-endian longs (xxhash64's arguments).
    *
    * Example: `truncationKeyWords(new Array[Byte](32)).toSeq == Seq(0L, 0L, 0L, 0L)`
    */
  def truncationKeyWords(truncationKey: Array[Byte]): Seq[Long] = {
    require(truncationKey.length == 32, s"the truncation key must have 32 bytes, not ${truncationKey.length}")
    val buffer = ByteBuffer.wrap(truncationKey)
    Seq.fill(4)(buffer.getLong())
  }

  private def keyWordColumns(truncationKey: Array[Byte]): Seq[Column] = truncationKeyWords(truncationKey).map(word => lit(word))
}
