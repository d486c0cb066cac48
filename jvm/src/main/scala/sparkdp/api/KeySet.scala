package sparkdp

import org.apache.spark.sql.DataFrame

import sparkdp.ArgumentChecks.requireArgument
import sparkdp.plan.HashableColumns

/** The public list of groups a grouped query reports on (Tumult's `KeySet`): every key in it appears exactly
  * once in the output (with a count of 0 if no row has it), and no other key appears. Keys must come from
  * public knowledge, never from the private data, or the key list itself would leak. A null is a key value like
  * any other: data rows with a null key column are counted under the keyset's key with a null there, and, like
  * every row whose key the keyset lacks, not counted if it has none (Tumult's groupby does the same).
  *
  * Example:
  * {{{
  * val keyset = KeySet.fromDataFrame(booksDf.select("title", "author", "isbn"))
  * keyset.columns // Seq("title", "author", "isbn")
  * }}}
  *
  * @param dataframe the distinct keys, one column per group-by column, in the caller's column order
  */
final class KeySet private (val dataframe: DataFrame) {

  /** The group-by columns, in order.
    *
    * Example: `KeySet.fromDataFrame(df.select("title", "isbn")).columns == Seq("title", "isbn")`
    */
  def columns: Seq[String] = dataframe.columns.toSeq

  /** Example: `KeySet.fromDataFrame(df.select("title")).toString == "KeySet(title: string)"` */
  override def toString: String =
    dataframe.schema.fields.map(field => s"${field.name}: ${field.dataType.simpleString}").mkString("KeySet(", ", ", ")")
}

/** Builds keysets.
  *
  * Example: `KeySet.fromDataFrame(booksDf.select("title", "author", "isbn"))`
  */
object KeySet {

  /** The keyset of the distinct rows of `dataframe`, keeping its columns and their order. Column names must be
    * distinct, and map-typed columns are rejected (Spark can neither deduplicate nor hash them).
    *
    * Example:
    * {{{
    * val keyset = KeySet.fromDataFrame(booksDf.select("title", "author", "isbn"))
    * }}}
    */
  def fromDataFrame(dataframe: DataFrame): KeySet = {
    requireArgument(dataframe != null, "dataframe must be a DataFrame, not null.")
    val columnNames = dataframe.columns.toSeq
    val duplicateNames = columnNames.groupBy(_.toLowerCase).collect { case (_, names) if names.size > 1 => names.head }
    requireArgument(
      duplicateNames.isEmpty,
      s"KeySet column names must be distinct; duplicated: ${duplicateNames.toSeq.sorted.mkString("[", ", ", "]")}."
    )
    dataframe.schema.fields.foreach(field => HashableColumns.requireHashable(field, "the keyset"))
    new KeySet(dataframe.distinct())
  }
}
