package sparkdp.compat

import org.apache.spark.sql.types.DataType

/** String collations, on the Scala 2.12 line (Spark 3.1–3.5): Spark 3 strings have none, every string compares
  * by its bytes. The Spark 4 twin (src/main/scala-2.13) finds the collations that do not.
  */
private[sparkdp] object StringCollations {

  /** The name of a collation inside `dataType` under which two different byte strings can be equal: never. */
  def nonBinaryCollation(dataType: DataType): Option[String] = None
}
