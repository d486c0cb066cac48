package sparkdp.plan.transform

import org.apache.spark.sql.Column
import org.apache.spark.sql.functions.{isnan, lit, when}
import org.apache.spark.sql.types._

import sparkdp.{BinningSpec, ColumnType}

/** The Spark expression of a [[BinningSpec]] (Tumult's `BinningSpec.__call__`), evaluated per row by Spark. */
private[transform] object BinnedColumns {

  /** The Spark type of a binned column whose names are of `columnType`.
    *
    * Example: `BinnedColumns.sparkType(ColumnType.Varchar) == StringType`
    */
  def sparkType(columnType: ColumnType): DataType = columnType match {
    case ColumnType.Integer   => LongType
    case ColumnType.Decimal   => DoubleType
    case ColumnType.Varchar   => StringType
    case ColumnType.Date      => DateType
    case ColumnType.Timestamp => TimestampType
    case ColumnType.Other(name) => throw new IllegalArgumentException(s"Bin names of type $name are not supported.")
  }

  /** The bin name of `value` under `spec`: null for null and for values outside the edges; `spec.nanBin` for
    * NaN (only when `isFloat`); else the bin whose interval holds the value. With `right`, bin i is
    * (e(i), e(i+1)] (the first also holds e(0) with `includeBothEndpoints`); without, [e(i), e(i+1)) (the last
    * also holds the last edge).
    *
    * Example: `BinnedColumns.binOf(col("age"), isFloat = false, BinningSpec(Seq(0, 18, 65)), StringType)`
    */
  def binOf(value: Column, isFloat: Boolean, spec: BinningSpec, outputType: DataType): Column = {
    def name(bin: Any): Column = (if (bin == null) lit(null) else lit(bin)).cast(outputType)
    val edges = spec.binEdges.map(lit)
    val names = spec.names
    val first = edges.head
    val last = edges.last
    val nullName = name(null)
    val start = if (isFloat) when(value.isNull, nullName).when(isnan(value), name(spec.nanBin.orNull)) else when(value.isNull, nullName)
    val bounded =
      if (spec.right) {
        val withFirst = if (spec.includeBothEndpoints) start.when(value === first, name(names.head)) else start
        val outside = withFirst.when(value <= first || value > last, nullName)
        edges.tail.zip(names).foldLeft(outside) { case (chain, (upper, bin)) => chain.when(value <= upper, name(bin)) }
      } else {
        val withLast = if (spec.includeBothEndpoints) start.when(value === last, name(names.last)) else start
        val outside = withLast.when(value < first || value >= last, nullName)
        edges.tail.zip(names).foldLeft(outside) { case (chain, (upper, bin)) => chain.when(value < upper, name(bin)) }
      }
    bounded.otherwise(nullName)
  }
}
