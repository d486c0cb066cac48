package sparkdp.plan.measure

import org.apache.spark.sql.functions.col

import sparkdp.bridge.MeasurementRequest
import sparkdp.plan.{CompiledQuery, EvaluationContext, HashableColumns, KeyFingerprint, ReleasedRows}
import sparkdp.plan.transform.PreparedTable

/** The groups present in the data (Tumult's `GetGroups`): no keyset; each fingerprint's truncated count gets
  * noise and is released only above Rust's threshold (`Release::CountAboveThreshold`); the released
  * fingerprints are joined to the data's distinct (fingerprint, key columns).
  */
private[sparkdp] object GetGroupsMeasurement {

  /** The lazy released groups: the columns `columns` (every column but an ID column when empty), one row per
    * released group; their number is checked against the released cells after storing.
    *
    * Throws `IllegalArgumentException` naming missing or unhashable columns (Tumult's "Nonexistent columns in
    * get_groups query"), and from Rust for a budget or table it does not allow.
    *
    * Example: `GetGroupsMeasurement.compile(prepared, Seq("isbn"), context)`
    */
  def compile(table: PreparedTable, columns: Seq[String], context: EvaluationContext): CompiledQuery = {
    val missing = columns.filter(column => table.column(column).isEmpty)
    if (missing.nonEmpty) {
      throw new IllegalArgumentException(
        s"Nonexistent columns in get_groups query: ${missing.distinct.map(name => s"'$name'").mkString("{", ", ", "}")}"
      )
    }
    val keyColumns = if (columns.nonEmpty) columns else table.columns.map(_.name).filterNot(table.idColumn.contains)
    val keyFields = keyColumns.map(column => table.dataframe.schema(column))
    keyFields.foreach(field => HashableColumns.requireHashable(field, s"table '${table.sourceId}'"))
    AggregationPath.requireHashableIdTable(table)

    val request = MeasurementRequest(
      "get_groups",
      context.budgetText,
      table.protectedChange,
      table.constraints,
      keyColumns,
      // Rust's request takes a mechanism for every aggregation; get_groups has no choice (Tumult's neither).
      Some("default"),
      None,
      None,
      table.idDistance
    )
    val plan = AggregationPath.planOf(request, expectedOutputs = 1)
    val fingerprintColumn = HashableColumns.freshName("__sparkdp_fingerprint", keyColumns)
    val noisyCountColumn = HashableColumns.freshName("__sparkdp_noisy_count", keyColumns :+ fingerprintColumn)
    val dataFingerprint = KeyFingerprint.of(keyFields, context.truncationKey)
    val partials = PartialAggregates.partialsPerFingerprint(
      table.dataframe,
      table.idColumn,
      table.constraints,
      dataFingerprint,
      Seq.empty,
      context.truncationKey,
      plan,
      fingerprintColumn
    )
    val partitions = table.dataframe.sparkSession.conf.get("spark.sql.shuffle.partitions").toInt
    val released = Release
      .cells(None, partials, plan, context, fingerprintColumn, Seq(noisyCountColumn), partitions)
      .select(col(fingerprintColumn))
    val groups = table.dataframe
      .select(dataFingerprint.as(fingerprintColumn) +: keyColumns.map(HashableColumns.column): _*)
      .distinct()
    val result = Release.joinToKeyset(groups, keyColumns, released, fingerprintColumn, Seq.empty)
    CompiledQuery(result, ReleasedRows(released))
  }
}
