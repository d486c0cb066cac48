package sparkdp.plan

import java.nio.ByteBuffer

import org.apache.spark.rdd.RDD
import org.apache.spark.sql.{Column, DataFrame, Row}
import org.apache.spark.sql.catalyst.InternalRow
import org.apache.spark.sql.functions.{col, lit, xxhash64}

/** Enforces `MaxRowsPerID(k)`: keeps, per ID, the k rows with the smallest (row hash, fingerprint) and, of
  * each kept row, only its key fingerprint.
  *
  * Why privacy does not depend on the hash being secret: which rows of an ID are kept is a function of that
  * ID's own rows only (their hashes), so adding or removing one ID's rows changes the output by at most that
  * ID's k kept rows and leaves every other ID's kept rows as they were. Any such per-ID selection is a stable
  * transformation from the AddRowsWithID relation to "at most k rows added or removed" (Tumult Core's
  * `LimitRowsPerGroup` argument), which is what the calibration of `countNoise(…, "MaxRowsPerID:k")` assumes.
  * It would hold for a public hash too. It needs IDs to be told apart exactly as Spark tells them apart: rows
  * are grouped by equality of the ID's bytes in Spark's internal form (`SparkIdentity`, `BoundedRowsPerID`),
  * never by a hash of it, so no ID's selection depends on another ID's rows, and no ID is split in two.
  *
  * Why it is keyed anyway: with a public hash an analyst who can add rows could predict or steer which rows
  * survive (e.g. craft rows that always win), and the choice would be the same across sessions; keyed by the
  * session's truncation key it is random to everyone yet identical on every re-evaluation and task retry, so
  * recomputing a DataFrame never changes the selection. The truncation key is derived separately from the
  * noise key because its four words appear as literals in Spark plans (UI, `explain`, event logs); seeing
  * them reveals nothing about the noise.
  *
  * Why no sort: the k smallest per ID need only a bounded heap per ID (`SmallestRows`) over one pass of the
  * partition, where a window would sort every row by (ID, hash, fingerprint), and on Spark 3.5 sort them once
  * more before the shuffle (`InsertWindowGroupLimit`).
  */
private[sparkdp] object TruncateRowsPerID {

  /** One row per kept row, its only field the (nullable Long) key fingerprint.
    *
    * Only (id, fingerprint, row hash) — 24 bytes a row for a long ID — are shuffled by ID, never the string
    * columns; then one pass per partition keeps each ID's k smallest (row hash, fingerprint)
    * (`keptInPartition`). The result is the same whichever way Spark orders a partition's rows, so a retried
    * task or a re-evaluation keeps the same rows. Memory per partition: O(distinct IDs × min(k, rows per ID)).
    *
    * Example:
    * {{{
    * val keptFingerprints = TruncateRowsPerID.keptFingerprints(
    *   checkoutsDf, "member_id", Seq("title", "author", "isbn"), 20, truncationKey)
    * }}}
    *
    * @param table         the private table
    * @param idColumn      the protected change's ID column
    * @param keyColumns    the group-by columns (in keyset order)
    * @param maxRowsPerId  k, at least 1
    * @param truncationKey the session's 32-byte truncation key
    */
  def keptFingerprints(
      table: DataFrame,
      idColumn: String,
      keyColumns: Seq[String],
      maxRowsPerId: Int,
      truncationKey: Array[Byte]
  ): RDD[Row] =
    keptFingerprints(table, idColumn, KeyFingerprint.of(keyColumns.map(name => table.schema(name))), maxRowsPerId, truncationKey)

  /** [[keptFingerprints]] with the fingerprint given as a column of `table` (e.g. `lit(0L)` when ungrouped).
    *
    * Example: `TruncateRowsPerID.keptFingerprints(checkoutsDf, "member_id", lit(0L), 20, truncationKey)`
    */
  def keptFingerprints(
      table: DataFrame,
      idColumn: String,
      fingerprint: Column,
      maxRowsPerId: Int,
      truncationKey: Array[Byte]
  ): RDD[Row] = {
    require(maxRowsPerId >= 1, s"maxRowsPerId ($maxRowsPerId) must be at least 1")
    keptOfHashedRows(hashedRows(table, idColumn, fingerprint, truncationKey), maxRowsPerId)
  }

  /** `keptFingerprints` from rows with `hashedRows`' columns: shuffle them by ID, then `keptInPartition`.
    *
    * Example: `keptOfHashedRows(hashedRows(table, "member_id", Seq("title"), truncationKey), 20)`
    */
  private[plan] def keptOfHashedRows(hashed: DataFrame, maxRowsPerId: Int): RDD[Row] =
    // repartition by the ID column hash-partitions on the ID value, so all rows of an ID meet in one
    // partition. AQE may coalesce these partitions but never splits one (skew splitting applies to joins and
    // rebalance, not to repartition), so that still holds with AQE on.
    // queryExecution.toRdd: the rows in Spark's internal form, whose ID bytes define ID identity; no external
    // `Row` per input row (toRdd reuses its row objects: keptInPartition copies what it keeps).
    hashed
      .repartition(col(IdName))
      .queryExecution
      .toRdd
      .mapPartitions(rows => keptInPartition(rows, maxRowsPerId))

  /** The column names of `hashedRows`. */
  private[plan] val IdName = "id"
  private[plan] val FingerprintName = "fp"
  private[plan] val RowHashName = "row_hash"

  /** (`id`, `fp`, `row_hash`) per row of `table`: the ID's identity (`SparkIdentity.identity`: a one-field
    * struct, floating-point parts normalised), the key fingerprint (`KeyFingerprint`) and the truncation-keyed
    * hash of the whole row.
    *
    * Example: `TruncateRowsPerID.hashedRows(checkoutsDf, "member_id", Seq("title"), truncationKey)`
    */
  private[plan] def hashedRows(
      table: DataFrame,
      idColumn: String,
      keyColumns: Seq[String],
      truncationKey: Array[Byte]
  ): DataFrame =
    hashedRows(table, idColumn, KeyFingerprint.of(keyColumns.map(name => table.schema(name))), truncationKey)

  private[plan] def hashedRows(
      table: DataFrame,
      idColumn: String,
      fingerprint: Column,
      truncationKey: Array[Byte]
  ): DataFrame =
    table.select(
      idOf(table, idColumn).as(IdName),
      fingerprint.as(FingerprintName),
      rowHash(table, truncationKey).as(RowHashName)
    )

  /** The ID's identity column (`SparkIdentity.identity`: a one-field struct, floating-point parts normalised).
    *
    * Example: `table.select(TruncateRowsPerID.idOf(table, "member_id"))`
    */
  private[sparkdp] def idOf(table: DataFrame, idColumn: String): Column =
    SparkIdentity.identity(HashableColumns.column(idColumn), table.schema(idColumn).dataType)

  /** The truncation-keyed hash of the whole row.
    *
    * Example: `table.select(TruncateRowsPerID.rowHash(table, truncationKey))`
    */
  private[sparkdp] def rowHash(table: DataFrame, truncationKey: Array[Byte]): Column =
    xxhash64(truncationKeyWords(truncationKey).map(word => lit(word)) ++ table.columns.toSeq.map(HashableColumns.column): _*)

  /** Keeps, for each ID among `rows` (`hashedRows`' columns), its k smallest (row hash, fingerprint), and
    * returns their fingerprints. Reads the whole partition before it returns its first row.
    *
    * Example: `keptInPartition(hashed.queryExecution.toRdd.toLocalIterator, 1)`
    */
  private[plan] def keptInPartition(rows: Iterator[InternalRow], maxRowsPerId: Int): Iterator[Row] = {
    val kept = new BoundedRowsPerID(maxRowsPerId)
    rows.foreach { row =>
      val isNullFingerprint = row.isNullAt(1)
      kept.offer(SparkIdentity.bytesAt(row, 0), row.getLong(2), isNullFingerprint, if (isNullFingerprint) 0L else row.getLong(1))
    }
    kept.fingerprints.map {
      case Some(fingerprint) => Row(fingerprint)
      case None              => Row(null)
    }
  }

  /** The 32-byte key as four big-endian longs (xxhash64's arguments).
    *
    * Example: `truncationKeyWords(new Array[Byte](32)).toSeq == Seq(0L, 0L, 0L, 0L)`
    */
  private[sparkdp] def truncationKeyWords(truncationKey: Array[Byte]): Seq[Long] = {
    require(truncationKey.length == 32, s"the truncation key must have 32 bytes, not ${truncationKey.length}")
    val buffer = ByteBuffer.wrap(truncationKey)
    Seq.fill(4)(buffer.getLong())
  }
}
