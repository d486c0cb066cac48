package sparkdp.plan.measure

import sparkdp.ArgumentChecks.requireArgument
import sparkdp.KeySet
import sparkdp.bridge.MeasurementRequest
import sparkdp.plan.{CompiledQuery, EvaluationContext, HashableColumns}
import sparkdp.plan.transform.PreparedTable

/** Approximate bounds of a column (Tumult's `GetBounds`, COMPILER_INTERFACES §5.5): Rust counts each kept
  * row's value in its log bin ⌈log2 |v|⌉ (null, NaN and ±inf are dropped, as Tumult drops them), runs the
  * sparse vector over the prefix counts and releases (−2^i, 2^i), typed as the column.
  */
private[sparkdp] object GetBoundsMeasurement {

  /** The lazy released bounds per key of `keyset` (None: one row): the keyset's columns, `upperBoundColumn`,
    * `lowerBoundColumn` (Tumult's order), bigint for an integer column, double for a float column.
    *
    * Throws `IllegalArgumentException` for a measure column that is missing, not numeric, the ID column or a
    * group-by column (Tumult's texts, query name `GetBounds`), for equal output names, and from Rust for a
    * budget it does not allow; `java.util.NoSuchElementException` for a keyset column the table lacks.
    *
    * Example:
    * {{{
    * GetBoundsMeasurement.compile(prepared, None, "pages", "pages_lower_bound", "pages_upper_bound", context)
    * }}}
    */
  def compile(
      table: PreparedTable,
      keyset: Option[KeySet],
      column: String,
      lowerBoundColumn: String,
      upperBoundColumn: String,
      context: EvaluationContext
  ): CompiledQuery = {
    requireArgument(
      !lowerBoundColumn.equalsIgnoreCase(upperBoundColumn),
      s"The lower and upper bound columns must have different names, not both '$lowerBoundColumn'."
    )
    val keyColumns = keyset.fold(Seq.empty[String])(_.dataframe.columns.toSeq)
    val measure = MeasureColumns.of(table, column, "GetBounds", keyColumns)
    val compiled = AggregationPath.compileOutputs(
      table,
      keyset,
      Seq(lowerBoundColumn, upperBoundColumn),
      groupby =>
        MeasurementRequest(
          "get_bounds",
          context.budgetText,
          table.protectedChange,
          table.constraints,
          groupby,
          // Rust's request takes a mechanism for every aggregation; get_bounds has none to choose (Tumult's neither).
          Some("default"),
          None,
          None,
          table.idDistance,
          boundsColumn = Some((column, measure.isInteger))
        ),
      Seq(measure.value -> measure.valueType),
      context
    )
    // Tumult's result has the upper bound's column before the lower bound's (its post-processing adds the
    // upper, then the lower as its negation); Rust releases (lower, upper).
    val ordered = (keyColumns ++ Seq(upperBoundColumn, lowerBoundColumn)).map(HashableColumns.column)
    compiled.copy(result = compiled.result.select(ordered: _*))
  }
}
