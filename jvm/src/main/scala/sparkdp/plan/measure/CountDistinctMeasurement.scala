package sparkdp.plan.measure

import org.apache.spark.sql.functions.struct
import org.apache.spark.sql.types.{StructField, StructType}

import sparkdp.ArgumentChecks.requireArgument
import sparkdp.KeySet
import sparkdp.bridge.MeasurementRequest
import sparkdp.bridge.TruncationKernel.MeasureValueType
import sparkdp.plan.{CompiledQuery, EvaluationContext, HashableColumns, SparkIdentity, TruncationHashes}
import sparkdp.plan.transform.PreparedTable

/** The number of distinct rows (Tumult's `GroupByCountDistinct`): `value_0`, `value_1` are two keyed 64-bit
  * hashes of the distinct columns' `SparkIdentity` bytes (values Spark deems equal get one identity), and
  * Rust counts the distinct pairs per cell after truncation.
  */
private[sparkdp] object CountDistinctMeasurement {

  /** The lazy released distinct count (bigint) per key of `keyset` (None: one row), in `outputColumn`.
    *
    * Throws `IllegalArgumentException` naming a column the table lacks or that cannot be compared (a map),
    * and (from Rust) for a mechanism the budget does not allow; `java.util.NoSuchElementException` for a
    * keyset column the table lacks.
    *
    * Example: `CountDistinctMeasurement.compile(prepared, None, Seq("member_id"), "count_distinct(member_id)", "default", context)`
    *
    * @param columns the columns compared (empty: every column of the table)
    */
  def compile(
      table: PreparedTable,
      keyset: Option[KeySet],
      columns: Seq[String],
      outputColumn: String,
      mechanismName: String,
      context: EvaluationContext
  ): CompiledQuery = {
    columns.foreach(column => requireArgument(table.column(column).isDefined, table.missingColumnMessage(column)))
    val compared = if (columns.isEmpty) table.columns.map(_.name) else columns
    val fields = compared.map(column => table.dataframe.schema(column))
    fields.foreach(field => HashableColumns.requireHashable(field, s"table '${table.sourceId}'"))
    // One identity for the compared values: a struct of them, floats normalised as Spark's distinct does.
    val identity = SparkIdentity.identity(
      struct(compared.map(HashableColumns.column): _*),
      StructType(fields.map(field => StructField(field.name, field.dataType, field.nullable)))
    )
    val values = Seq(0, 1).map(which => TruncationHashes.distinctHash(identity, context.truncationKey, which) -> MeasureValueType.Int64)
    AggregationPath.compile(
      table,
      keyset,
      outputColumn,
      groupby =>
        MeasurementRequest(
          "count_distinct",
          context.budgetText,
          table.protectedChange,
          table.constraints,
          groupby,
          Some(mechanismName),
          None,
          None,
          table.idDistance
        ),
      values,
      context
    )
  }
}
