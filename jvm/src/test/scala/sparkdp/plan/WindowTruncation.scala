package sparkdp.plan

import org.apache.spark.sql.{Column, DataFrame}
import org.apache.spark.sql.expressions.Window
import org.apache.spark.sql.functions.{col, count, dense_rank, lit, row_number}

import sparkdp.{Constraint, MaxGroupsPerID, MaxRowsPerGroupPerID, MaxRowsPerID}

/** The test oracle of the fused Rust truncation (`PartialAggregates`): the same selection (COMPILER_INTERFACES
  * §3) written with Spark windows, one per constraint, with the same keyed hashes. Outputs agree unless two
  * distinct rows of one ID collide in their 64-bit row hash (the two sides then break the tie differently).
  */
object WindowTruncation {

  private val IdName = "id"
  private val FingerprintName = "fp"
  private val RowHashName = "row_hash"
  private def groupValueName(i: Int) = s"group_key_$i"
  private def groupHashName(i: Int) = s"group_hash_$i"

  /** The kept rows' count per fingerprint (None for a null fingerprint). */
  def countPerFingerprint(
      table: DataFrame,
      idColumn: String,
      constraints: Seq[Constraint],
      fingerprint: Column,
      truncationKey: Array[Byte]
  ): Map[Option[Long], Long] =
    keptRows(table, idColumn, constraints, fingerprint, truncationKey)
      .groupBy(col(FingerprintName))
      .agg(count(lit(1)))
      .collect()
      .map(row => (if (row.isNullAt(0)) None else Some(row.getLong(0))) -> row.getLong(1))
      .toMap

  /** The kept rows (id, fp, row hash, grouping values and hashes) of any constraint sequence, one window per
    * constraint (sorts every row).
    */
  def keptRows(
      table: DataFrame,
      idColumn: String,
      constraints: Seq[Constraint],
      fingerprint: Column,
      truncationKey: Array[Byte]
  ): DataFrame = {
        val groupingColumns = constraints.flatMap(_.groupingColumnOption).distinct
    val groupColumns = groupingColumns.zipWithIndex.flatMap { case (column, i) =>
      val value = HashableColumns.column(column)
      // Grouping values are told apart as Spark's grouping does (COMPILER_INTERFACES §1).
      val identity = SparkIdentity.identity(value, table.schema(column).dataType)
      Seq(identity.as(groupValueName(i)), TruncationHashes.groupHash(identity, truncationKey).as(groupHashName(i)))
    }
    val hashed = table.select(
      Seq(
        TruncationHashes.idOf(table, idColumn).as(IdName),
        fingerprint.as(FingerprintName),
        TruncationHashes.rowHash(table, truncationKey).as(RowHashName)
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
