package sparkdp.plan

import org.apache.spark.sql.Column
import org.apache.spark.sql.functions.{isnull, lit, when, xxhash64}
import org.apache.spark.sql.types.{ByteType, DataType, DoubleType, FloatType, IntegerType, LongType, ShortType, StructField}

/** The 64-bit fingerprint of a group-by key, computed by the same Spark expression on the data and on the
  * keyset so that equal keys get equal fingerprints.
  */
private[sparkdp] object KeyFingerprint {

  /** `xxhash64(isnull(c1), c1, isnull(c2), c2, …)` over the key columns, in keyset order.
    *
    * Spark's hash skips null arguments, so without the `isnull` flags the keys (null, "a") and ("a", null)
    * would hash alike. Equal fingerprints also need equal column types (xxhash64 of the int 5 and of the long
    * 5 differ), which the compiler checks before using this. Float and double columns hash -0.0 as 0.0: Spark
    * deems them equal (`distinct` on the keyset keeps one of them) but hashes their bits, so without this a
    * data row with -0.0 would silently miss the keyset's 0.0. (NaNs already hash alike: xxhash64 hashes
    * `doubleToLongBits`, which has one NaN.)
    *
    * Example: `df.select(KeyFingerprint.of(keyset.dataframe.schema.fields).as("fp"))`
    *
    * @param keyFields the keyset's fields (names and types), in order
    */
  def of(keyFields: Seq[StructField]): Column = {
    require(keyFields.nonEmpty, "a key fingerprint needs at least one column")
    xxhash64(keyFields.flatMap { field =>
      val hashed = hashedType(field.dataType)
      val keyColumn =
        if (hashed == field.dataType) HashableColumns.column(field.name) else HashableColumns.column(field.name).cast(hashed)
      Seq(isnull(keyColumn), withoutNegativeZero(keyColumn, hashed))
    }: _*)
  }

  /** The type a key column is hashed as: integers as `bigint` and floats as `double`, so that a KeySet built from
    * Python or Scala integers (`bigint`) finds an `int` column's values (widening keeps every value).
    *
    * Example: `KeyFingerprint.hashedType(IntegerType) == LongType`
    */
  def hashedType(dataType: DataType): DataType = dataType match {
    case ByteType | ShortType | IntegerType => LongType
    case FloatType                          => DoubleType
    case other                              => other
  }

  private def withoutNegativeZero(keyColumn: Column, dataType: DataType): Column = dataType match {
    // -0.0 == 0.0 in Spark's comparison, so both become the literal +0.0 of the column's type.
    case DoubleType => when(keyColumn === lit(0.0), lit(0.0)).otherwise(keyColumn)
    case FloatType  => when(keyColumn === lit(0.0f), lit(0.0f)).otherwise(keyColumn)
    case _          => keyColumn
  }
}
