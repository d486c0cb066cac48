package sparkdp.plan

import org.apache.spark.sql.Column
import org.apache.spark.sql.functions.{isnull, lit, struct, when, xxhash64}
import org.apache.spark.sql.types.{ArrayType, ByteType, DataType, DoubleType, FloatType, IntegerType, LongType, ShortType, StructField, StructType}

/** The 64-bit fingerprint of a group-by key, computed by the same Spark expression on the data and on the
  * keyset so that equal keys get equal fingerprints.
  */
private[sparkdp] object KeyFingerprint {

  /** `xxhash64(k1, k2, k3, k4, tag, isnull(c1), c1', isnull(c2), c2', …)` over the key columns, in keyset order,
    * where k1..k4 are the session's secret truncation key words and `ci'` is the column made null-position aware.
    *
    * Keyed: with a public seed, anyone who can add rows could search offline for a key whose fingerprint equals a
    * keyset key's, and have their rows counted in that key's cell (issue 11; the pair `08fddbe3e350a06f` /
    * `4e783818c57654b8` collides under Spark's default seed). With the session's secret words first, the
    * fingerprints of a session cannot be computed outside it. The tag separates these hashes from the row and
    * group hashes keyed by the same words (`TruncationHashes`).
    *
    * Null-aware: Spark's hash skips null arguments, so without the `isnull` flags the keys (null, "a") and
    * ("a", null) would hash alike; it also skips null array elements and struct fields, so nested values get a
    * flag per element and field (`["a"]`, `["a", null]` and `[null, "a"]` are three keys, never a false
    * collision). Equal fingerprints also need equal column types (xxhash64 of the int 5 and of the long 5
    * differ), which the compiler checks before using this. Floats are normalised as Spark's grouping does (NaN
    * is one NaN, -0.0 is 0.0, nested ones too): Spark deems them equal but hashes their bits, so without this a
    * data row with -0.0 would silently miss the keyset's 0.0.
    *
    * Example: `df.select(KeyFingerprint.of(keyset.dataframe.schema.fields, truncationKey).as("fp"))`
    *
    * @param keyFields     the keyset's fields (names and types), in order
    * @param truncationKey the session's 32-byte truncation key
    */
  def of(keyFields: Seq[StructField], truncationKey: Array[Byte]): Column = {
    require(keyFields.nonEmpty, "a key fingerprint needs at least one column")
    val keyWords = TruncationHashes.truncationKeyWords(truncationKey).map(word => lit(word))
    xxhash64(keyWords ++ Seq(lit(FingerprintTag)) ++ keyFields.flatMap { field =>
      val hashed = hashedType(field.dataType)
      val keyColumn =
        if (hashed == field.dataType) HashableColumns.column(field.name) else HashableColumns.column(field.name).cast(hashed)
      Seq(isnull(keyColumn), nullAware(SparkIdentity.normalized(keyColumn, hashed), hashed))
    }: _*)
  }

  /** Distinguishes these hashes from the other hashes keyed by the same words. */
  private val FingerprintTag = "sparkdp key fingerprint"

  /** `value` with an `isnull` flag before every array element and struct field (nested too), so that a hash that
    * skips nulls still sees where they were. Atomic values are returned as they are.
    */
  private def nullAware(value: Column, dataType: DataType): Column = dataType match {
    case arrayType: ArrayType =>
      // Qualified: inside package sparkdp.plan, `transform` names the subpackage plan.transform.
      org.apache.spark.sql.functions.transform(
        value,
        element => struct(isnull(element), nullAware(element, arrayType.elementType))
      )
    case structType: StructType =>
      val flagged = structType.fields.toSeq.flatMap { field =>
        val fieldValue = value.getField(field.name)
        Seq(isnull(fieldValue), nullAware(fieldValue, field.dataType))
      }
      if (flagged.isEmpty) value else when(value.isNull, lit(null)).otherwise(struct(flagged: _*))
    case _ => value
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
}
