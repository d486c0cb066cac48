package sparkdp.plan.measure

import org.apache.spark.sql.{Column, DataFrame}
import org.apache.spark.sql.expressions.Window
import org.apache.spark.sql.functions.{col, count, dense_rank, lit, row_number, xxhash64}

import sparkdp.{AnalyticsInternalException, Constraint, MaxGroupsPerID, MaxRowsPerGroupPerID, MaxRowsPerID}
import sparkdp.plan.{HashableColumns, PartialCounts, SparkIdentity, TruncateRowsPerID}

/** The true aggregates of a measurement per key fingerprint, after the table's constraints are enforced.
  *
  * This is the seam where the fused Rust truncation pass (COMPILER_INTERFACES §3, "Truncation kernel batches")
  * replaces the Spark steps below: same arguments, same result.
  */
private[sparkdp] object PartialAggregates {

  /** One row per fingerprint among the rows the constraints keep: `fingerprintColumn` (Long, nullable) and
    * `countColumn` (Long, the number of kept rows with it).
    *
    * Enforcement (COMPILER_INTERFACES §3 semantics): per ID, each constraint in order on the rows the previous
    * left: `MaxRowsPerID(k)` keeps the k smallest (row hash, fingerprint); `MaxGroupsPerID(c, g)` the rows of
    * the g values of c with the smallest (group hash, value); `MaxRowsPerGroupPerID(c, r)` per value of c the r
    * smallest (row hash, fingerprint). Selection depends only on the ID's own rows (the stability argument of
    * `TruncateRowsPerID`). Without an ID column there are no constraints (the compiler refuses them) and every
    * row counts.
    *
    * Example:
    * {{{
    * val counts = PartialAggregates.countPerFingerprint(
    *   checkoutsDf, Some("member_id"), Seq(MaxRowsPerID(20)), KeyFingerprint.of(keyFields), truncationKey, "fp", "n")
    * }}}
    *
    * @param table             the private table
    * @param idColumn          its ID column (AddRowsWithID), or None
    * @param constraints       the constraints in enforcement order (empty without an ID column)
    * @param fingerprint       the group-by key fingerprint, a column of `table` (`lit(0L)` when ungrouped)
    * @param truncationKey     the session's 32-byte truncation key
    * @param fingerprintColumn the name of the output fingerprint column
    * @param countColumn       the name of the output count column
    */
  def countPerFingerprint(
      table: DataFrame,
      idColumn: Option[String],
      constraints: Seq[Constraint],
      fingerprint: Column,
      truncationKey: Array[Byte],
      fingerprintColumn: String,
      countColumn: String
  ): DataFrame = idColumn match {
    case None =>
      if (constraints.nonEmpty) {
        throw new AnalyticsInternalException(s"Constraints $constraints reached a table without an ID column.")
      }
      table.select(fingerprint.as(fingerprintColumn)).groupBy(col(fingerprintColumn)).agg(count(lit(1)).as(countColumn))
    case Some(id) =>
      constraints match {
        // The seed query's path: one pass per partition with a bounded heap per ID, no sort.
        case Seq(MaxRowsPerID(maxRowsPerId)) =>
          val kept = TruncateRowsPerID.keptFingerprints(table, id, fingerprint, maxRowsPerId, truncationKey)
          PartialCounts.countPerFingerprint(table.sparkSession, kept, fingerprintColumn, countColumn)
        case _ =>
          enforcedByWindows(table, id, constraints, fingerprint, truncationKey)
            .groupBy(col(FingerprintName).as(fingerprintColumn))
            .agg(count(lit(1)).as(countColumn))
      }
  }

  private val IdName = "id"
  private val FingerprintName = "fp"
  private val RowHashName = "row_hash"
  private def groupValueName(i: Int) = s"group_key_$i"
  private def groupHashName(i: Int) = s"group_hash_$i"

  /** The kept rows (id, fp, row hash, grouping values and hashes) of any constraint sequence, one window per
    * constraint. Sorts every row: the Rust truncation pass replaces it.
    */
  private def enforcedByWindows(
      table: DataFrame,
      idColumn: String,
      constraints: Seq[Constraint],
      fingerprint: Column,
      truncationKey: Array[Byte]
  ): DataFrame = {
    val keyWords = TruncateRowsPerID.truncationKeyWords(truncationKey).map(word => lit(word))
    val groupingColumns = constraints.flatMap {
      case MaxRowsPerID(_)                 => None
      case MaxGroupsPerID(column, _)       => Some(column)
      case MaxRowsPerGroupPerID(column, _) => Some(column)
    }.distinct
    val groupColumns = groupingColumns.zipWithIndex.flatMap { case (column, i) =>
      val value = HashableColumns.column(column)
      // Grouping values are told apart as Spark's grouping does (COMPILER_INTERFACES §1).
      val identity = SparkIdentity.identity(value, table.schema(column).dataType)
      Seq(identity.as(groupValueName(i)), xxhash64(keyWords :+ identity: _*).as(groupHashName(i)))
    }
    val hashed = table.select(
      Seq(
        TruncateRowsPerID.idOf(table, idColumn).as(IdName),
        fingerprint.as(FingerprintName),
        TruncateRowsPerID.rowHash(table, truncationKey).as(RowHashName)
      ) ++ groupColumns: _*
    )
    val rank = "__sparkdp_rank"
    constraints.foldLeft(hashed) { (rows, constraint) =>
      val (ranking, max) = constraint match {
        case MaxRowsPerID(maxRows) =>
          (row_number().over(Window.partitionBy(col(IdName)).orderBy(col(RowHashName), col(FingerprintName))), maxRows)
        case MaxGroupsPerID(column, maxGroups) =>
          val i = groupingColumns.indexOf(column)
          (dense_rank().over(Window.partitionBy(col(IdName)).orderBy(col(groupHashName(i)), col(groupValueName(i)))), maxGroups)
        case MaxRowsPerGroupPerID(column, maxRows) =>
          val i = groupingColumns.indexOf(column)
          val window = Window.partitionBy(col(IdName), col(groupValueName(i))).orderBy(col(RowHashName), col(FingerprintName))
          (row_number().over(window), maxRows)
      }
      rows.withColumn(rank, ranking).where(col(rank) <= max).drop(rank)
    }
  }
}
