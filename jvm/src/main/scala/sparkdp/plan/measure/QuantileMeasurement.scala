package sparkdp.plan.measure

import sparkdp.{ClampBound, KeySet}
import sparkdp.bridge.{MeasureColumnText, MeasurementRequest}
import sparkdp.plan.{CompiledQuery, EvaluationContext}
import sparkdp.plan.transform.PreparedTable

/** A quantile of a clamped column (Tumult's `GroupByQuantile`; median, min and max are quantiles 0.5, 0, 1):
  * Rust builds each cell's histogram of encoded values and samples the exponential mechanism exactly.
  */
private[sparkdp] object QuantileMeasurement {

  /** The lazy released quantile (double) per key of `keyset` (None: one row), in `outputColumn`.
    *
    * Throws `IllegalArgumentException` for a bad measure column (as sum), and from Rust for a quantile
    * outside [0, 1] or bad bounds; `java.util.NoSuchElementException` for a keyset column the table lacks.
    *
    * Example:
    * {{{
    * QuantileMeasurement.compile(prepared, None, "pages", 0.5, IntegerBound(0), IntegerBound(900), "pages_median", context)
    * }}}
    */
  def compile(
      table: PreparedTable,
      keyset: Option[KeySet],
      column: String,
      quantile: Double,
      low: ClampBound,
      high: ClampBound,
      outputColumn: String,
      context: EvaluationContext
  ): CompiledQuery = {
    val keyColumns = keyset.fold(Seq.empty[String])(_.dataframe.columns.toSeq)
    val measure = MeasureColumns.forQuantile(table, column, keyColumns)
    AggregationPath.compile(
      table,
      keyset,
      outputColumn,
      groupby =>
        MeasurementRequest(
          "quantile",
          context.budgetText,
          table.protectedChange,
          table.constraints,
          groupby,
          // §5.2: quantile takes mechanism=default (its mechanism is always the exponential mechanism).
          Some("default"),
          Some(MeasureColumnText(column, measure.isInteger, low, high)),
          Some(quantile),
          table.idDistance
        ),
      Seq(measure.value -> measure.valueType),
      context
    )
  }
}
