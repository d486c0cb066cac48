package sparkdp

import scala.collection.JavaConverters._

import org.apache.spark.sql.{DataFrame, Row, SparkSession}
import org.apache.spark.sql.types.{BinaryType, BooleanType, DataType, DateType, DoubleType, LongType, StringType, StructField, StructType, TimestampType}

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

  /** The keyset of every combination of the given values, one column per entry in the map's iteration order
    * (Tumult's `KeySet.from_dict`; use a `ListMap` to fix the order). An empty map is the keyset of one empty
    * key: grouping by it gives one total row. Column types come from the values: integers become `bigint`
    * (as Python ints do in Tumult), floating-point numbers `double`, and strings, booleans, dates, timestamps
    * and byte arrays their Spark types; nulls are allowed beside values that give the type. Built in the
    * active SparkSession.
    *
    * Example:
    * {{{
    * val keyset = KeySet.fromDict(ListMap("title" -> Seq("Dune", "Emma"), "year" -> Seq(1965, 1815)))
    * keyset.dataframe.count() // 4
    * }}}
    */
  def fromDict(domains: Map[String, Seq[Any]]): KeySet = {
    requireArgument(domains != null, "domains must be a map from column name to values, not null.")
    val spark = activeSpark("KeySet.fromDict")
    val columnFrames = domains.toSeq.map { case (columnName, values) =>
      requireArgument(values != null, s"The values of column '$columnName' must be a list, not null.")
      localFrame(spark, Seq(columnName), values.map(value => Seq(value)))
    }
    fromDataFrame(columnFrames.reduceOption(_ crossJoin _).getOrElse(spark.range(1).select()))
  }

  /** [[fromDict]] for Java and py4j: a `java.util.Map` from column name to a `java.util.List` of values (its
    * iteration order is the column order: pass a `LinkedHashMap`).
    *
    * Example (Java): `KeySet.fromDict(linkedMapOfLists)`
    */
  def fromDict(domains: java.util.Map[String, java.util.List[Object]]): KeySet = {
    requireArgument(domains != null, "domains must be a map from column name to values, not null.")
    fromDict(scala.collection.immutable.ListMap(domains.asScala.toSeq.map { case (columnName, values) =>
      columnName -> Option(values).map(_.asScala.toSeq: Seq[Any]).orNull
    }: _*))
  }

  /** The keyset of the given keys, one tuple each, with the given column names (Tumult's
    * `KeySet.from_tuples`); types as in [[fromDict]]. Built in the active SparkSession.
    *
    * Example:
    * {{{
    * val keyset = KeySet.fromTuples(Seq(("Dune", "isbn-1"), ("Emma", "isbn-2")), Seq("title", "isbn"))
    * }}}
    */
  def fromTuples(tuples: Seq[Product], columns: Seq[String]): KeySet = {
    requireArgument(tuples != null, "tuples must be a list of tuples, not null.")
    requireArgument(columns != null, "columns must be a list of column names, not null.")
    fromRows(tuples.map(tuple => Option(tuple).map(_.productIterator.toSeq).orNull), columns)
  }

  /** [[fromTuples]] for Java and py4j: each key a `java.util.List` of values.
    *
    * Example (Java): `KeySet.fromTuples(listOfLists, java.util.Arrays.asList("title", "isbn"))`
    */
  def fromTuples(tuples: java.util.List[java.util.List[Object]], columns: java.util.List[String]): KeySet = {
    requireArgument(tuples != null, "tuples must be a list of tuples, not null.")
    requireArgument(columns != null, "columns must be a list of column names, not null.")
    fromRows(tuples.asScala.toSeq.map(tuple => Option(tuple).map(_.asScala.toSeq: Seq[Any]).orNull), columns.asScala.toSeq)
  }

  private def fromRows(rows: Seq[Seq[Any]], columns: Seq[String]): KeySet = {
    rows.foreach { row =>
      requireArgument(
        row != null && row.length == columns.length,
        s"Each tuple must have one value per column (${columns.length}: ${columns.mkString(", ")}), " +
          s"not ${Option(row).fold("null")(_.mkString("(", ", ", ")"))}."
      )
    }
    fromDataFrame(localFrame(activeSpark("KeySet.fromTuples"), columns, rows))
  }

  private def activeSpark(caller: String): SparkSession =
    SparkSession.getActiveSession.orElse(SparkSession.getDefaultSession).getOrElse(
      throw new IllegalStateException(s"$caller needs an active SparkSession; create one first.")
    )

  /** A local DataFrame of `rows` with one column per name, each typed from its values. */
  private def localFrame(spark: SparkSession, columns: Seq[String], rows: Seq[Seq[Any]]): DataFrame = {
    columns.foreach(name => requireArgument(name != null && name.nonEmpty, s"A KeySet column name must be non-empty, not '$name'."))
    val converted = rows.map(_.map(sparkValue))
    val fields = columns.indices.map { i =>
      val types = converted.flatMap(row => Option(row(i)).map(sparkType(columns(i), _))).distinct
      requireArgument(
        types.length == 1,
        if (types.isEmpty) s"Cannot infer the type of KeySet column '${columns(i)}': it has no non-null value."
        else s"KeySet column '${columns(i)}' mixes values of types ${types.map(_.simpleString).mkString(", ")}."
      )
      StructField(columns(i), types.head, nullable = true)
    }
    spark.createDataFrame(converted.map(Row.fromSeq).asJava, StructType(fields))
  }

  /** The value as Spark's external type for it: integers widened to Long, floats to Double. */
  private def sparkValue(value: Any): Any = value match {
    case null                       => null
    case number: java.lang.Byte     => number.longValue
    case number: java.lang.Short    => number.longValue
    case number: java.lang.Integer  => number.longValue
    case number: java.lang.Float    => number.doubleValue
    case date: java.time.LocalDate  => java.sql.Date.valueOf(date)
    case instant: java.time.Instant => java.sql.Timestamp.from(instant)
    case other                      => other
  }

  private def sparkType(columnName: String, value: Any): DataType = value match {
    case _: java.lang.Long     => LongType
    case _: java.lang.Double   => DoubleType
    case _: String             => StringType
    case _: java.lang.Boolean  => BooleanType
    case _: java.sql.Date      => DateType
    case _: java.sql.Timestamp => TimestampType
    case _: Array[Byte]        => BinaryType
    case other =>
      throw new IllegalArgumentException(
        s"KeySet column '$columnName' has the value $other of type ${other.getClass.getName}, which sparkdp " +
          "cannot type; use KeySet.fromDataFrame."
      )
  }

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
