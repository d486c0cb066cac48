package sparkdp.plan.transform

import org.apache.spark.sql.DataFrame
import org.apache.spark.sql.expressions.Window
import org.apache.spark.sql.functions.dense_rank

import sparkdp.plan.{HashableColumns, SparkIdentity, TruncationHashes}

/** What `partitionAndCreate` does to an ID table's rows before splitting them (Tumult's `MaxGroupsPerID._enforce`
  * with `update_metric`, Core's `LimitKeysPerGroup`): each ID keeps the rows of at most `maxGroups` values of the
  * partition column, so its rows reach at most that many children, which is what the children's ID distance
  * (Rust's plan) assumes.
  *
  * Which values an ID keeps: those with the smallest truncation-keyed group hash (`TruncationHashes.groupHash`,
  * the rule the truncation kernel applies to `MaxGroupsPerID` at aggregation time; ties broken by the value's
  * identity), so the choice depends on that ID's own rows only (a stable per-ID selection, see
  * `TruncationHashes`) and is the same on every re-evaluation and task retry.
  */
private[sparkdp] object PartitionTruncation {

  /** The rows of `table` (protected by `AddRowsWithID` on `idColumn`) whose `column` value is among the first
    * `maxGroups` of its ID's values. Lazy: one window over the table, nothing is read now.
    *
    * Example: `PartitionTruncation.keepGroupsPerID(prepared.dataframe, "member_id", "branch", 2, truncationKey)`
    */
  def keepGroupsPerID(
      table: DataFrame,
      idColumn: String,
      column: String,
      maxGroups: Int,
      truncationKey: Array[Byte]
  ): DataFrame = {
    require(maxGroups >= 1, s"MaxGroupsPerID must be positive, got $maxGroups")
    val idIdentity = TruncationHashes.idOf(table, idColumn)
    val groupIdentity = SparkIdentity.identity(HashableColumns.column(column), table.schema(column).dataType)
    val rankColumn = HashableColumns.freshName("__sparkdp_group_rank", table.columns.toSeq)
    val byId = Window.partitionBy(idIdentity).orderBy(TruncationHashes.groupHash(groupIdentity, truncationKey), groupIdentity)
    table
      .withColumn(rankColumn, dense_rank().over(byId))
      .filter(HashableColumns.column(rankColumn) <= maxGroups)
      .drop(rankColumn)
  }
}
