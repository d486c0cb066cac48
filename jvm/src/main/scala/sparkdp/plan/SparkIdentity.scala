package sparkdp.plan

import org.apache.spark.sql.Column
import org.apache.spark.sql.catalyst.InternalRow
import org.apache.spark.sql.catalyst.expressions.UnsafeRow
import org.apache.spark.sql.functions.{isnan, lit, struct, when}
import org.apache.spark.sql.types.{ArrayType, DataType, DoubleType, FloatType, StructType}

import sparkdp.AnalyticsInternalException

/** The identity of a value (an ID, or a constraint's grouping value) as Spark's own grouping sees it, as bytes.
  *
  * Spark groups by the bytes of the key's `UnsafeRow` after normalising floating-point values
  * (`NormalizeFloatingNumbers`: every NaN is one NaN, -0.0 is 0.0, inside structs and arrays too). We do the
  * same: `identity` normalises the value with DataFrame expressions and wraps it in a one-field struct; on the
  * executor `bytesAt` takes that struct's `UnsafeRow` bytes. Two values are one ID exactly when these bytes are
  * equal, which is exactly when Spark's `groupBy` puts them in one group:
  *  - a struct or array holding NaN is equal to itself (external `Row`s compared with Scala's `==` made every
  *    row of such an ID a new ID, so the ID's rows were not bounded at all);
  *  - strings are compared by their bytes, so two distinct invalid UTF-8 strings stay two IDs (decoding them
  *    to Java strings turned both into U+FFFD and merged two people);
  *  - null is one ID (the struct whose only field is null), distinct from every value.
  * The bytes are position independent (nested variable-length data is addressed relative to its own row) and
  * fully defined (Spark zeroes null slots and padding), so they are a sound map key.
  *
  * Example:
  * {{{
  * val hashed = table.select(SparkIdentity.identity(col("member_id"), table.schema("member_id").dataType).as("id"))
  * hashed.queryExecution.toRdd.mapPartitions(rows => rows.map(row => SparkIdentity.bytesAt(row, 0)))
  * }}}
  */
private[sparkdp] object SparkIdentity {

  /** `value` (of `dataType`) wrapped in a one-field struct after normalising its floating-point parts; the
    * column to pass to `bytesAt` on the executor.
    *
    * Example: `SparkIdentity.identity(col("id"), DoubleType)` maps -0.0 and 0.0 to one struct.
    */
  def identity(value: Column, dataType: DataType): Column = struct(normalized(value, dataType).as("value"))

  /** The bytes of the one-field struct (`identity`) at `ordinal` of `row`: a fresh array the caller owns.
    *
    * Example: `SparkIdentity.bytesAt(row, 0)`
    */
  def bytesAt(row: InternalRow, ordinal: Int): Array[Byte] = row.getStruct(ordinal, 1) match {
    case unsafe: UnsafeRow => copyOf(unsafe)
    case other             => throw new AnalyticsInternalException(s"Expected an UnsafeRow identity, got ${other.getClass}.")
  }

  /** `UnsafeRow.getBytes` may return its backing array itself; the caller keeps the bytes, so always copy. */
  private def copyOf(row: UnsafeRow): Array[Byte] = {
    val bytes = new Array[Byte](row.getSizeInBytes)
    row.writeToMemory(bytes, org.apache.spark.unsafe.Platform.BYTE_ARRAY_OFFSET)
    bytes
  }

  /** `value` with every float and double, nested ones included, as Spark's grouping normalises it: NaN as the
    * canonical NaN, -0.0 as 0.0; other values and null unchanged. Types without floats are returned as they are.
    *
    * Example: `SparkIdentity.normalized(col("score"), DoubleType)`
    */
  def normalized(value: Column, dataType: DataType): Column = dataType match {
    case DoubleType =>
      when(isnan(value), lit(Double.NaN)).when(value === lit(0.0), lit(0.0)).otherwise(value)
    case FloatType =>
      when(isnan(value), lit(Float.NaN)).when(value === lit(0.0f), lit(0.0f)).otherwise(value)
    case structType: StructType if containsFloat(structType) =>
      val fields = structType.fields.toSeq.map { field =>
        normalized(value.getField(field.name), field.dataType).as(field.name)
      }
      when(value.isNull, lit(null).cast(structType)).otherwise(struct(fields: _*))
    case arrayType: ArrayType if containsFloat(arrayType) =>
      // Qualified: inside package sparkdp.plan, `transform` names the subpackage plan.transform.
      org.apache.spark.sql.functions.transform(value, element => normalized(element, arrayType.elementType))
    case _ => value
  }

  private def containsFloat(dataType: DataType): Boolean = dataType match {
    case DoubleType | FloatType => true
    case structType: StructType => structType.fields.exists(field => containsFloat(field.dataType))
    case arrayType: ArrayType   => containsFloat(arrayType.elementType)
    case _                      => false
  }
}
