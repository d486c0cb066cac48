package sparkdp.compat

import org.apache.spark.sql.types.{ArrayType, DataType, MapType, StringType, StructType}

/** String collations, on the Scala 2.13 line (Spark 4.x). Spark groups, joins and deduplicates a string with a
  * collation such as UTF8_LCASE, UNICODE_CI or UTF8_BINARY_RTRIM by its collation key ("a" = "A"), while
  * sparkdp's key fingerprints, privacy-ID identities and distinct hashes read the string's bytes. Such a column
  * could then be one group to Spark and several to sparkdp, so the compiler refuses it as a key (see
  * HashableColumns.requireHashable). Only UTF8_BINARY (the default, byte equality) is accepted: Spark's public
  * API tells a string's collation id but not whether its equality is byte equality (that is in the internal
  * CollationFactory), so every other collation is treated as one that is not. The Spark 3 twin is in
  * src/main/scala-2.12.
  */
private[sparkdp] object StringCollations {

  /** The name of the first collation other than UTF8_BINARY inside `dataType` (nested types too), or None.
    *
    * Example: `StringCollations.nonBinaryCollation(StringType("UTF8_LCASE")) == Some("UTF8_LCASE")`
    */
  def nonBinaryCollation(dataType: DataType): Option[String] = dataType match {
    case string: StringType =>
      // typeName is "string" for UTF8_BINARY and "string collate <name>" for any other collation.
      if (string.collationId == StringType.collationId) None
      else Some(string.typeName.stripPrefix("string collate ").trim)
    case array: ArrayType   => nonBinaryCollation(array.elementType)
    case map: MapType       => nonBinaryCollation(map.keyType).orElse(nonBinaryCollation(map.valueType))
    case struct: StructType => struct.fields.iterator.flatMap(field => nonBinaryCollation(field.dataType)).nextOption()
    case _                  => None
  }
}
