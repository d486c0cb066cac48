package sparkdp.plan.transform

import org.apache.spark.sql.{Column, DataFrame}
import org.apache.spark.sql.expressions.Window
import org.apache.spark.sql.functions.{col, dense_rank, row_number, struct, xxhash64}

import sparkdp.{Constraint, MaxGroupsPerID, MaxRowsPerGroupPerID, MaxRowsPerID}
import sparkdp.bridge.{Native, WireText}
import sparkdp.plan.{HashableColumns, SparkIdentity, TruncationHashes}

/** Constraints enforced where the program wrote `enforce` (Tumult's `visit_enforce_constraint`), and the
  * constraints in force after each transformation that changes them (Tumult's constraint propagation).
  *
  * Truncation runs in Spark, on the executors, as a window over each ID's rows (no collect): `MaxRowsPerID(k)`
  * keeps an ID's k rows with the smallest (row hash, tie hash); `MaxGroupsPerID(c, g)` the rows of its g values
  * of c with the smallest (group hash, value); `MaxRowsPerGroupPerID(c, r)` per (ID, value of c) the r rows with
  * the smallest (row hash, tie hash). The hashes are `TruncationHashes`' (keyed by the session's truncation
  * key, the same row and group hashes the aggregation's kernel orders by), so the choice depends only on the
  * ID's own rows (stability) and is the same on every re-evaluation and task retry; only rows identical in
  * both 64-bit hashes (identical rows) are told apart by Spark's order, and which of those is kept changes
  * nothing.
  *
  * Why a window and not a keep-mask from Rust: the constraints in force after every transformation are ones
  * the table satisfies (Rust propagates them as Tumult does), and each constraint of the aggregation's kernel
  * keeps every row of a table that satisfies it, so truncating again at the aggregation is a no-op whatever
  * rule chose the rows here. The window needs no second pass through the rows in Rust and spills to disk like
  * any Spark sort.
  *
  * Bounds are never computed here: `Native.propagateConstraints` decides the constraints in force.
  */
private[sparkdp] object ConstraintPlacement {

  /** The constraints in force after enforcing `constraint` on `input` (Rust's simplification of the input's
    * and this one: the smallest bound per kind and column). The rows are truncated by [[truncate]].
    *
    * Example: `ConstraintPlacement.afterEnforce(prepared, MaxRowsPerID(2)) == Seq(MaxRowsPerID(2))`
    */
  def afterEnforce(input: PreparedTable, constraint: Constraint): Seq[Constraint] =
    WireText.parseConstraints(Native.get.propagateConstraints(WireText.enforceRequest(input.constraints, constraint)))

  /** `table`'s rows truncated to `constraint` now (its constraints in force unchanged: see [[afterEnforce]]).
    *
    * Example: `ConstraintPlacement.truncate(prepared, MaxRowsPerID(2), truncationKey)`
    */
  def truncate(table: PreparedTable, constraint: Constraint, truncationKey: Array[Byte]): PreparedTable = {
    val idColumn = table.idColumn.getOrElse(
      throw new sparkdp.AnalyticsInternalException(s"enforce($constraint) reached a table without IDs")
    )
    table.copy(dataframe = truncated(table.dataframe, idColumn, constraint, truncationKey))
  }

  /** The constraints in force after an augmenting flat map (only `MaxGroupsPerID`s survive), or after
    * flat_map_by_id when `byId` (none does).
    *
    * Example: `ConstraintPlacement.afterFlatMap(Seq(MaxRowsPerID(2)), byId = false) == Nil`
    */
  def afterFlatMap(constraints: Seq[Constraint], byId: Boolean): Seq[Constraint] =
    if (constraints.isEmpty) constraints
    else WireText.parseConstraints(Native.get.propagateConstraints(WireText.flatMapConstraintsRequest(constraints, byId)))

  /** The constraints in force after a public join whose public table has at most `maxJoinKeyMultiplicity` rows
    * per join key (`constraints` already named as in the joined table).
    *
    * Example: `ConstraintPlacement.afterPublicJoin(3, Seq(MaxRowsPerID(2))) == Seq(MaxRowsPerID(6))`
    */
  def afterPublicJoin(maxJoinKeyMultiplicity: Long, constraints: Seq[Constraint]): Seq[Constraint] =
    if (constraints.isEmpty) constraints
    else
      WireText.parseConstraints(
        Native.get.propagateConstraints(WireText.publicJoinConstraintsRequest(maxJoinKeyMultiplicity, constraints))
      )

  /** The constraints in force after a private join of two ID tables on `joinColumns` (both sides' constraints
    * already named as in the joined table).
    *
    * Example: `ConstraintPlacement.afterPrivateJoin(Seq("id"), Seq(MaxRowsPerID(2)), Seq(MaxRowsPerID(3))) == Seq(MaxRowsPerID(6))`
    */
  def afterPrivateJoin(joinColumns: Seq[String], left: Seq[Constraint], right: Seq[Constraint]): Seq[Constraint] =
    if (left.isEmpty && right.isEmpty) Nil
    else WireText.parseConstraints(Native.get.propagateConstraints(WireText.privateJoinConstraintsRequest(joinColumns, left, right)))

  /** The rows of `table` that `constraint` keeps (see the object's comment), with `table`'s columns. */
  private def truncated(table: DataFrame, idColumn: String, constraint: Constraint, truncationKey: Array[Byte]): DataFrame = {
    val taken = table.columns.toSeq
    // Helper columns, named apart from the table's (the bases differ from each other).
    def fresh(base: String) = HashableColumns.freshName(base, taken)
    val idName = fresh("__sparkdp_id")
    val rowHashName = fresh("__sparkdp_row_hash")
    val tieHashName = fresh("__sparkdp_tie_hash")
    val groupName = fresh("__sparkdp_group")
    val groupHashName = fresh("__sparkdp_group_hash")
    val rankName = fresh("__sparkdp_rank")
    val id = TruncationHashes.idOf(table, idColumn)
    val rowOrder = Seq(col(rowHashName), col(tieHashName))
    val withHashes = table
      .withColumn(idName, id)
      .withColumn(rowHashName, TruncationHashes.rowHash(table, truncationKey))
      .withColumn(tieHashName, tieHash(table, truncationKey))
    def group(column: String): DataFrame = {
      val identity = SparkIdentity.identity(HashableColumns.column(column), table.schema(column).dataType)
      withHashes
        .withColumn(groupName, identity)
        .withColumn(groupHashName, TruncationHashes.groupHash(col(groupName), truncationKey))
    }
    val kept = constraint match {
      case MaxRowsPerID(max) =>
        keepRanked(withHashes, row_number(), Window.partitionBy(col(idName)).orderBy(rowOrder: _*), max, rankName)
      case MaxGroupsPerID(column, max) =>
        val window = Window.partitionBy(col(idName)).orderBy(col(groupHashName), col(groupName))
        keepRanked(group(column), dense_rank(), window, max, rankName)
      case MaxRowsPerGroupPerID(column, max) =>
        val window = Window.partitionBy(col(idName), col(groupName)).orderBy(rowOrder: _*)
        keepRanked(group(column), row_number(), window, max, rankName)
    }
    kept.select(taken.map(HashableColumns.column): _*)
  }

  private def keepRanked(
      table: DataFrame,
      rank: Column,
      window: org.apache.spark.sql.expressions.WindowSpec,
      max: Int,
      rankName: String
  ): DataFrame = table.withColumn(rankName, rank.over(window)).filter(col(rankName) <= max)

  /** A second keyed hash of the whole row, independent of `TruncationHashes.rowHash` (its key words are the
    * truncation key's XOR a constant), so two different rows of an ID tie in the order only with probability
    * ~2^-128.
    */
  private def tieHash(table: DataFrame, truncationKey: Array[Byte]): Column = {
    val keyWords = TruncationHashes.truncationKeyWords(truncationKey).zip(TieHashTweaks).map { case (word, tweak) => word ^ tweak }
    xxhash64(keyWords.map(word => org.apache.spark.sql.functions.lit(word)) ++ Seq(struct(table.columns.toSeq.map(HashableColumns.column): _*)): _*)
  }

  /** Digits of sqrt(2) (nothing up the sleeve), distinct from `TruncationHashes`' tweaks. */
  private val TieHashTweaks: Seq[Long] = Seq(0x6a09e667f3bcc908L, 0xb2fb1366ea957d3eL, 0x3adec17512775099L, 0xda2f590b0667322aL)
}
