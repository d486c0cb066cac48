package sparkdp.plan.measure

import org.apache.spark.sql.Column
import org.apache.spark.sql.functions.lit
import org.apache.spark.sql.types.StructField

import sparkdp.ArgumentChecks.requireArgument
import sparkdp.{AnalyticsInternalException, KeySet}
import sparkdp.bridge.{MeasurementPlanText, MeasurementRequest, Native, TruncationKernel, WireText}
import sparkdp.plan.{CompiledQuery, EvaluationContext, KeysetRows, HashableColumns, KeyFingerprint, KeysetFingerprints}
import sparkdp.plan.transform.PreparedTable

/** The generic keyset path of every aggregation except count (COMPILER_INTERFACES §5.1): check the keyset
  * and output name, ask Rust for the plan (the one privacy call), compute the partials, release them per
  * keyset cell and join the released values back to the keyset. The `*Measurement` objects supply what
  * differs: the request and the measure columns.
  */
private[measure] object AggregationPath {

  /** The lazy released result (keyset columns, then `outputColumn`) and its row count (the keyset size).
    *
    * Example:
    * {{{
    * AggregationPath.compile(prepared, Some(keyset), "pages_sum", keyColumns => request(keyColumns), values, context)
    * }}}
    *
    * @param request the plan request for the groupby columns (the keyset's)
    * @param values  the measure columns `value_<j>` over the table, with their Arrow types
    */
  def compile(
      table: PreparedTable,
      keyset: Option[KeySet],
      outputColumn: String,
      request: Seq[String] => MeasurementRequest,
      values: Seq[(Column, TruncationKernel.MeasureValueType)],
      context: EvaluationContext
  ): CompiledQuery = compileOutputs(table, keyset, Seq(outputColumn), request, values, context)

  /** [[compile]] for a plan releasing several columns (get_bounds: lower, upper), named `outputColumns`. */
  def compileOutputs(
      table: PreparedTable,
      keyset: Option[KeySet],
      outputColumns: Seq[String],
      request: Seq[String] => MeasurementRequest,
      values: Seq[(Column, TruncationKernel.MeasureValueType)],
      context: EvaluationContext
  ): CompiledQuery = {
    val keyFields = keyset.fold(Seq.empty[StructField])(_.dataframe.schema.fields.toSeq)
    val keyColumns = keyFields.map(_.name)
    val dataKeyFields = keyFields.map(keyField => CountMeasurement.matchingDataField(table, keyField))
    keyset.foreach(CountMeasurement.requireKeysTheTableCanHold(table, _))
    outputColumns.foreach(outputColumn => requireOutputName(outputColumn, keyColumns))
    requireHashableIdTable(table)

    val plan = planOf(request(keyColumns), expectedOutputs = outputColumns.length)

    val fingerprintColumn = HashableColumns.freshName("__sparkdp_fingerprint", keyColumns ++ outputColumns)
    val (keysWithFingerprint, keysetSize) = keyset match {
      case Some(keys) if keyFields.nonEmpty => KeysetFingerprints.withFingerprint(keys.dataframe, fingerprintColumn, context.truncationKey)
      case Some(keys)                       => (keys.dataframe.withColumn(fingerprintColumn, UngroupedFingerprint), keys.dataframe.count())
      case None => (table.dataframe.sparkSession.range(1).select(UngroupedFingerprint.as(fingerprintColumn)), 1L)
    }
    val dataFingerprint: Column = if (keyFields.isEmpty) UngroupedFingerprint else KeyFingerprint.of(dataKeyFields, context.truncationKey)
    val partials = PartialAggregates.partialsPerFingerprint(
      table.dataframe,
      table.idColumn,
      table.constraints,
      dataFingerprint,
      values,
      context.truncationKey,
      plan,
      fingerprintColumn
    )
    val released = Release.cells(
      Some(keysWithFingerprint.select(HashableColumns.column(fingerprintColumn))),
      partials,
      plan,
      context,
      fingerprintColumn,
      outputColumns,
      Release.partitionsFor(keysetSize)
    )
    val result = Release.joinToKeyset(keysWithFingerprint, keyColumns, released, fingerprintColumn, outputColumns)
    CompiledQuery(result, KeysetRows(keysetSize))
  }

  /** Every row of an ungrouped aggregation has this fingerprint (COMPILER_INTERFACES §3). */
  val UngroupedFingerprint: Column = lit(0L)

  /** Rust's plan for `request`, checked to release `expectedOutputs` columns. */
  def planOf(request: MeasurementRequest, expectedOutputs: Int): MeasurementPlanText = {
    val planText = Native.get.planMeasurement(WireText.measurementRequest(request))
    val plan = WireText.measurementPlan(planText)
    if (plan.outputs.length != expectedOutputs) {
      throw new AnalyticsInternalException(
        s"Native planMeasurement planned ${plan.outputs.length} outputs for ${request.aggregation} (expected $expectedOutputs): $planText"
      )
    }
    plan
  }

  /** The output column must not repeat a keyset column (Spark would make the result ambiguous). */
  def requireOutputName(outputColumn: String, keyColumns: Seq[String]): Unit =
    requireArgument(
      !keyColumns.exists(_.equalsIgnoreCase(outputColumn)),
      s"The output column '$outputColumn' has the name of a KeySet column; choose another name with the name argument."
    )

  /** An ID table's truncation hashes whole rows, so every column must be hashable. */
  def requireHashableIdTable(table: PreparedTable): Unit =
    table.idColumn.foreach { idColumn =>
      requireArgument(table.column(idColumn).isDefined, table.missingColumnMessage(idColumn))
      table.dataframe.schema.fields.foreach(field => HashableColumns.requireHashable(field, s"table '${table.sourceId}'"))
    }

}
