package sparkdp.plan.measure

import sparkdp.{ClampBound, KeySet}
import sparkdp.bridge.{MeasureColumnText, MeasurementRequest}
import sparkdp.plan.{CompiledQuery, EvaluationContext}
import sparkdp.plan.transform.PreparedTable

/** sum, average, variance and stdev of a clamped column (Tumult's `GroupByBoundedSum` / `…Average` /
  * `…Variance` / `…Stdev`): one measure column `value_0`; Rust decides the measures (Σ, count, Σ²), the
  * encoding and the post-processing from the aggregation's name.
  */
private[sparkdp] object MomentsMeasurement {

  /** Which statistic: the request's `aggregation=` and Tumult's query name (for messages).
    *
    * Example: `Moment.Sum.aggregation == "sum"`
    */
  sealed abstract class Moment(val aggregation: String, val queryKind: String)
  object Moment {
    case object Sum extends Moment("sum", "GroupByBoundedSum")
    case object Average extends Moment("average", "GroupByBoundedAverage")
    case object Variance extends Moment("variance", "GroupByBoundedVariance")
    case object Stdev extends Moment("stdev", "GroupByBoundedStdev")
  }

  /** The lazy released statistic per key of `keyset` (None: one row), in `outputColumn`: bigint for the sum
    * of an integer column, double otherwise (the plan's outputs say which).
    *
    * Throws `IllegalArgumentException` for a measure column that is missing, not numeric, the ID column or a
    * group-by column, and (from Rust) for bad bounds or a mechanism the budget does not allow;
    * `java.util.NoSuchElementException` for a keyset column the table lacks.
    *
    * Example:
    * {{{
    * MomentsMeasurement.compile(prepared, None, Moment.Sum, "pages", IntegerBound(0), IntegerBound(900),
    *   "pages_sum", "default", context)
    * }}}
    */
  def compile(
      table: PreparedTable,
      keyset: Option[KeySet],
      moment: Moment,
      column: String,
      low: ClampBound,
      high: ClampBound,
      outputColumn: String,
      mechanismName: String,
      context: EvaluationContext
  ): CompiledQuery = {
    val keyColumns = keyset.fold(Seq.empty[String])(_.dataframe.columns.toSeq)
    val measure = MeasureColumns.of(table, column, moment.queryKind, keyColumns)
    AggregationPath.compile(
      table,
      keyset,
      outputColumn,
      groupby =>
        MeasurementRequest(
          moment.aggregation,
          context.budgetText,
          table.protectedChange,
          table.constraints,
          groupby,
          Some(mechanismName),
          Some(MeasureColumnText(column, measure.isInteger, low, high)),
          None,
          table.idDistance
        ),
      Seq(measure.value -> measure.valueType),
      context
    )
  }
}
