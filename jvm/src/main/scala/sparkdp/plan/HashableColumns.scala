package sparkdp.plan

import org.apache.spark.sql.Column
import org.apache.spark.sql.functions.col
import org.apache.spark.sql.types.{ArrayType, DataType, MapType, StructField, StructType}

import sparkdp.ArgumentChecks.requireArgument
import sparkdp.compat.StringCollations

/** Column references and type checks for the columns sparkdp hashes (group-by keys and whole rows). */
private[sparkdp] object HashableColumns {

  /** A reference to the top-level column `name`, quoted so that dots and backticks in user column names are
    * not read as struct-field access.
    *
    * Example: `HashableColumns.column("a.b")` refers to the column named `a.b`, not field `b` of `a`.
    */
  def column(name: String): Column = col("`" + name.replace("`", "``") + "`")

  /** Rejects a column whose type contains a map: Spark's hash functions (and `distinct`) cannot take maps.
    *
    * Example: `HashableColumns.requireHashable(StructField("tags", MapType(StringType, StringType)), "table 'checkouts'")`
    * throws `IllegalArgumentException("Column 'tags' of table 'checkouts' has type map<string,string>, ...")`.
    */
  def requireHashable(field: StructField, where: String): Unit = {
    requireArgument(
      !containsMap(field.dataType),
      s"Column '${field.name}' of $where has type ${field.dataType.simpleString}, which contains a map; sparkdp " +
        s"cannot hash map values. Drop the column or convert it (e.g. with to_json) first."
    )
    requireByteEquality(field, where)
  }

  /** Rejects a column whose strings have a collation (Spark 4) under which different bytes can be equal, e.g.
    * UTF8_LCASE: Spark would group "a" and "A" as one key, sparkdp's hashes of the bytes as two, so a cell
    * could silently miss rows. Refused rather than hashed on the collation key, which only Spark 4's internal
    * CollationFactory computes (see sparkdp.compat.StringCollations).
    *
    * Example: on Spark 4, a key column `city STRING COLLATE UTF8_LCASE` of table 'checkouts' throws
    * `IllegalArgumentException("Column 'city' of table 'checkouts' has collation UTF8_LCASE, ...")`.
    */
  def requireByteEquality(field: StructField, where: String): Unit =
    StringCollations.nonBinaryCollation(field.dataType).foreach { collation =>
      throw new IllegalArgumentException(
        s"Column '${field.name}' of $where has collation $collation, under which different strings are equal " +
          "keys; sparkdp groups, truncates and counts distinct values by exact string value and does not support " +
          s"such collations. Convert the column first: collate(`${field.name}`, 'UTF8_BINARY'), or " +
          s"lower(`${field.name}`) for case-insensitive keys."
      )
    }

  private def containsMap(dataType: DataType): Boolean = dataType match {
    case _: MapType           => true
    case struct: StructType   => struct.fields.exists(field => containsMap(field.dataType))
    case array: ArrayType     => containsMap(array.elementType)
    case _                    => false
  }

  /** A name for an internal column that differs (case-insensitively, as Spark resolves names by default) from
    * every name in `takenNames`.
    *
    * Example: `HashableColumns.freshName("__sparkdp_fp", Seq("title", "__sparkdp_fp")) == "__sparkdp_fp_1"`
    */
  def freshName(base: String, takenNames: Seq[String]): String = {
    val taken = takenNames.map(_.toLowerCase).toSet
    Iterator.from(0).map(i => if (i == 0) base else s"${base}_$i").find(name => !taken(name.toLowerCase)).get
  }
}
