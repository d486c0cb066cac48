package sparkdp.plan

import sparkdp.{EnforceConstraint, GroupByCount, PrivateSource, QueryExpr, UngroupedCount}
import sparkdp.plan.measure.CountMeasurement
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
  def compile(queryExpr: QueryExpr, tables: Map[String, PrivateTable], context: EvaluationContext): CompiledQuery =
    queryExpr match {
      case GroupByCount(child, keyset, outputColumn, mechanism) =>
        CountMeasurement.compile(TransformationCompiler.prepare(child, tables), Some(keyset), outputColumn, mechanism, context)
      case UngroupedCount(child, outputColumn, mechanism) =>
        CountMeasurement.compile(TransformationCompiler.prepare(child, tables), None, outputColumn, mechanism, context)
      case PrivateSource(_) | EnforceConstraint(_, _) =>
        throw new IllegalArgumentException(
          s"A query must end with an aggregation such as count(); this one is $queryExpr."
        )
    }
}
