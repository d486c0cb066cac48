package sparkdp.plan

import sparkdp.{GetBounds, GetGroups, GroupByBoundedAverage, GroupByBoundedStdev, GroupByBoundedSum, GroupByBoundedVariance, GroupByCount, GroupByCountDistinct, GroupByQuantile, QueryExpr, SuppressAggregates, TableExpr, UngroupedCount}
import sparkdp.plan.measure.{CountDistinctMeasurement, CountMeasurement, GetBoundsMeasurement, GetGroupsMeasurement, MomentsMeasurement, QuantileMeasurement}
import sparkdp.plan.measure.MomentsMeasurement.Moment
import sparkdp.plan.transform.TransformationCompiler

/** Compiles a query expression into Spark DataFrame steps (Tumult's `QueryExprCompiler`): the aggregation at
  * the root picks its measurement (`plan/measure`, one file per kind), which compiles its input table through
  * the transformation compiler (`plan/transform`).
  */
private[sparkdp] object QueryCompiler {

  /** The lazy noisy result of `queryExpr` and the number of rows it must have (the keyset size).
    *
    * Throws `IllegalArgumentException` naming the table, column, constraint or setting when the query does
    * not fit the data, `java.util.NoSuchElementException` for a keyset column the table lacks, and
    * `sparkdp.UnsupportedQueryException` when an ID table lacks the constraint the aggregation needs. The
    * keyset's fingerprints are checked here (one Spark job over the public keyset). The private data may be
    * read here too: where adaptive query execution is on (Spark 3.2+ by default), turning the truncation plan
    * into an RDD runs its shuffle stage at once, so a failure in the private data (e.g. a failing UDF) can
    * surface from this call as Spark's own exception. Nothing is released or charged before the result is
    * stored and verified (`Session.evaluate`).
    *
    * Example:
    * {{{
    * val compiled = QueryCompiler.compile(query.queryExpr, Map("checkouts" -> table), context)
    * compiled.result.write.saveAsTable(...)
    * }}}
    */
  def compile(queryExpr: QueryExpr, tables: Map[String, PrivateTable], context: EvaluationContext): CompiledQuery = {
    def prepare(child: QueryExpr) = TransformationCompiler.prepareForAggregation(child, tables, context.compileInputs)
    queryExpr match {
      case GroupByCount(child, keyset, outputColumn, mechanism) =>
        CountMeasurement.compile(prepare(child), Some(keyset), outputColumn, mechanism, context)
      case UngroupedCount(child, outputColumn, mechanism) =>
        CountMeasurement.compile(prepare(child), None, outputColumn, mechanism, context)
      case GroupByBoundedSum(child, keyset, column, low, high, outputColumn, mechanism) =>
        MomentsMeasurement.compile(prepare(child), keyset, Moment.Sum, column, low, high, outputColumn, mechanism.name, context)
      case GroupByBoundedAverage(child, keyset, column, low, high, outputColumn, mechanism) =>
        MomentsMeasurement.compile(prepare(child), keyset, Moment.Average, column, low, high, outputColumn, mechanism.name, context)
      case GroupByBoundedVariance(child, keyset, column, low, high, outputColumn, mechanism) =>
        MomentsMeasurement.compile(prepare(child), keyset, Moment.Variance, column, low, high, outputColumn, mechanism.name, context)
      case GroupByBoundedStdev(child, keyset, column, low, high, outputColumn, mechanism) =>
        MomentsMeasurement.compile(prepare(child), keyset, Moment.Stdev, column, low, high, outputColumn, mechanism.name, context)
      case GroupByQuantile(child, keyset, column, quantile, low, high, outputColumn) =>
        QuantileMeasurement.compile(prepare(child), keyset, column, quantile, low, high, outputColumn, context)
      case GroupByCountDistinct(child, keyset, columns, outputColumn, mechanism) =>
        CountDistinctMeasurement.compile(prepare(child), keyset, columns, outputColumn, mechanism.name, context)
      case GetBounds(child, keyset, column, lowerBoundColumn, upperBoundColumn) =>
        GetBoundsMeasurement.compile(prepare(child), keyset, column, lowerBoundColumn, upperBoundColumn, context)
      case GetGroups(child, columns) =>
        GetGroupsMeasurement.compile(prepare(child), columns, context)
      case SuppressAggregates(count, threshold) =>
        // Post-processing of the stored noisy counts (Tumult keeps rows with count >= threshold): the stored
        // table holds every key, verified against the keyset size; the filter reads stored values only.
        val compiled = compile(count, tables, context)
        val countColumn = HashableColumns.column(count.outputColumn)
        compiled.copy(afterStore = stored => compiled.afterStore(stored).where(countColumn >= threshold))
      case _: TableExpr =>
        throw new IllegalArgumentException(
          s"A query must end with an aggregation such as count(); this one is $queryExpr."
        )
    }
  }
}
