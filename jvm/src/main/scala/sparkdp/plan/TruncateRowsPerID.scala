package sparkdp.plan

import java.nio.ByteBuffer

import org.apache.spark.sql.DataFrame
import org.apache.spark.sql.expressions.Window
import org.apache.spark.sql.functions.{col, lit, row_number, xxhash64}

/** Enforces `MaxRowsPerID(k)`: keeps at most k rows per ID and, of each kept row, only its key fingerprint.
  *
  * Why privacy does not depend on the hash being secret: which rows of an ID are kept is a function of that
  * ID's own rows only (their hashes), so adding or removing one ID's rows changes the output by at most that
  * ID's k kept rows and leaves every other ID's kept rows as they were. Any such per-ID selection is a stable
  * transformation from the AddRowsWithID relation to "at most k rows added or removed" (Tumult Core's
  * `LimitRowsPerGroup` argument), which is what the calibration of `countNoise(…, "MaxRowsPerID:k")` assumes.
  * It would hold for a public hash too.
  *
  * Why it is keyed anyway: with a public hash an analyst who can add rows could predict or steer which rows
  * survive (e.g. craft rows that always win), and the choice would be the same across sessions; keyed by the
  * session's truncation key it is random to everyone yet identical on every re-evaluation and task retry, so
  * recomputing a DataFrame never changes the selection. The truncation key is derived separately from the
  * noise key because its four words appear as literals in Spark plans (UI, `explain`, event logs); seeing
  * them reveals nothing about the noise.
  */
private[sparkdp] object TruncateRowsPerID {

  /** The fingerprint column of the truncated table: one row per kept row, one column `fingerprintColumn`.
    *
    * Only (id, fingerprint, row hash) — 24 bytes a row — go into the window's shuffle, never the string
    * columns. Ties in (row hash, fingerprint) are between rows that the rest of the plan cannot tell apart
    * (only the fingerprint is kept), so the output is the same whichever of them Spark keeps.
    *
    * Example:
    * {{{
    * val keptFingerprints = TruncateRowsPerID.keptFingerprints(
    *   checkoutsDf, "member_id", Seq("title", "author", "isbn"), 20, truncationKey, "fp")
    * }}}
    *
    * @param table             the private table
    * @param idColumn          the protected change's ID column
    * @param keyColumns        the group-by columns (in keyset order)
    * @param maxRowsPerId      k, at least 1
    * @param truncationKey     the session's 32-byte truncation key
    * @param fingerprintColumn the name of the output column
    */
  def keptFingerprints(
      table: DataFrame,
      idColumn: String,
      keyColumns: Seq[String],
      maxRowsPerId: Int,
      truncationKey: Array[Byte],
      fingerprintColumn: String
  ): DataFrame = {
    require(maxRowsPerId >= 1, s"maxRowsPerId ($maxRowsPerId) must be at least 1")
    val keyWords = truncationKeyWords(truncationKey).map(word => lit(word))
    val rowColumns = table.columns.toSeq.map(HashableColumns.column)
    val rowHash = xxhash64(keyWords ++ rowColumns: _*)
    val idName = "id"
    val rowHashName = "row_hash"
    val rankName = "rank_in_id"
    table
      .select(
        HashableColumns.column(idColumn).as(idName),
        KeyFingerprint.of(keyColumns.map(name => table.schema(name))).as(fingerprintColumn),
        rowHash.as(rowHashName)
      )
      .withColumn(rankName, row_number().over(Window.partitionBy(col(idName)).orderBy(col(rowHashName), col(fingerprintColumn))))
      .where(col(rankName) <= maxRowsPerId)
      .select(col(fingerprintColumn))
  }

  /** The 32-byte key as four big-endian longs (xxhash64's arguments).
    *
    * Example: `truncationKeyWords(new Array[Byte](32)).toSeq == Seq(0L, 0L, 0L, 0L)`
    */
  private[plan] def truncationKeyWords(truncationKey: Array[Byte]): Seq[Long] = {
    require(truncationKey.length == 32, s"the truncation key must have 32 bytes, not ${truncationKey.length}")
    val buffer = ByteBuffer.wrap(truncationKey)
    Seq.fill(4)(buffer.getLong())
  }
}
