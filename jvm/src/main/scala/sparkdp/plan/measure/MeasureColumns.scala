package sparkdp.plan.measure

import org.apache.spark.sql.Column
import org.apache.spark.sql.functions.{lit, when}
import org.apache.spark.sql.types.{ByteType, DataType, DateType, DoubleType, FloatType, IntegerType, LongType, ShortType, StringType, TimestampType}

import sparkdp.ArgumentChecks.requireArgument
import sparkdp.bridge.TruncationKernel.MeasureValueType
import sparkdp.plan.HashableColumns
import sparkdp.plan.transform.PreparedTable

/** The measure column of a sum, average, variance, stdev or quantile: Tumult's checks (`_validate_groupby`)
  * with its messages, and the column as the kernel's `value_0` (integers widened to Int64, floats to Float64).
  */
private[measure] object MeasureColumns {

  /** A checked measure column: its kernel value, Arrow type and whether it is an integer column.
    *
    * Example: `MeasureColumn(col("pages").cast(LongType), MeasureValueType.Int64, isInteger = true)`
    */
  final case class MeasureColumn(value: Column, valueType: MeasureValueType, isInteger: Boolean)

  /** `column` of `table` as a measure of the query `queryKind` (Tumult's QueryExpr name, for messages).
    * Throws `IllegalArgumentException` (Tumult's ValueError texts) when the column does not exist, is not
    * numeric, is the ID column, or is a group-by column.
    *
    * Example: `MeasureColumns.of(prepared, "pages", "GroupByBoundedSum", Seq("isbn"))`
    */
  def of(table: PreparedTable, column: String, queryKind: String, keyColumns: Seq[String]): MeasureColumn =
    checked(table, column, queryKind, keyColumns)

  /** [[of]] for a quantile: a float column's ±inf values become null, so the kernel drops them. Tumult drops
    * null, NaN and ±inf before a quantile (`GroupByQuantile`), where its sum, average, variance and stdev
    * clamp ±inf to the bounds (Rust's encoding clamps; nulls and NaN it drops). A row-wise map: the
    * truncation and the sensitivity are unchanged.
    *
    * Example: `MeasureColumns.forQuantile(prepared, "price", Seq("shop"))`
    */
  def forQuantile(table: PreparedTable, column: String, keyColumns: Seq[String]): MeasureColumn = {
    val measure = checked(table, column, "GroupByQuantile", keyColumns)
    if (measure.isInteger) measure
    else {
      val infinite = measure.value === lit(Double.PositiveInfinity) || measure.value === lit(Double.NegativeInfinity)
      measure.copy(value = when(infinite, lit(null).cast(DoubleType)).otherwise(measure.value))
    }
  }

  private def checked(table: PreparedTable, column: String, queryKind: String, keyColumns: Seq[String]): MeasureColumn = {
    requireArgument(
      !keyColumns.contains(column),
      s"Column to aggregate must be a non-grouped column, not '$column'."
    )
    val descriptor = table.column(column).getOrElse(
      throw new IllegalArgumentException(s"$queryKind query's measure column '$column' does not exist in the table.")
    )
    requireArgument(
      !table.idColumn.contains(column),
      s"$queryKind query's measure column is the same as the privacy ID column($column) on a table with the " +
        "AddRowsWithID protected change."
    )
    descriptor.dataType match {
      case ByteType | ShortType | IntegerType | LongType =>
        MeasureColumn(HashableColumns.column(column).cast(LongType), MeasureValueType.Int64, isInteger = true)
      case FloatType | DoubleType =>
        MeasureColumn(HashableColumns.column(column).cast(DoubleType), MeasureValueType.Float64, isInteger = false)
      case other =>
        throw new IllegalArgumentException(
          s"$queryKind query's measure column '$column' has invalid type '${tumultTypeName(other)}'. " +
            "Expected types: 'INTEGER' or 'DECIMAL'."
        )
    }
  }

  /** Tumult's name of a column type (its `ColumnType`), else Spark's, upper case. */
  private def tumultTypeName(dataType: DataType): String = dataType match {
    case StringType    => "VARCHAR"
    case DateType      => "DATE"
    case TimestampType => "TIMESTAMP"
    case other         => other.simpleString.toUpperCase(java.util.Locale.ROOT)
  }
}
