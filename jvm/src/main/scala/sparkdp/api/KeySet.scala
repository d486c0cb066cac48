package sparkdp

import sparkdp.compat.CollectionConverters._

import org.apache.spark.sql.{Column, DataFrame, Row, SparkSession}
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

  /** Each key column's descriptor, in column order (Tumult's `KeySet.schema()`, a dict of `ColumnDescriptor`).
    * The Spark schema is `dataframe.schema`.
    *
    * Example: `KeySet.fromDict(Map("a" -> Seq(1, 2))).schema("a").columnType == ColumnType.Integer`
    */
  def schema: Map[String, ColumnDescriptor] =
    scala.collection.immutable.ListMap(dataframe.schema.fields.toSeq.map(field => field.name -> ColumnDescriptor.of(field)): _*)

  /** The number of keys (runs a Spark job; a keyset stays lazy until a query or this asks).
    *
    * Example: `KeySet.fromDict(ListMap("a" -> Seq(1, 2), "b" -> Seq("x", "y", "z"))).size == 6`
    */
  def size: Long = dataframe.count()

  /** Every combination of a key of this keyset and a key of `other` (Tumult's `keyset * other`); the columns are
    * this keyset's, then `other`'s, and must not overlap (IllegalArgumentException naming the shared ones).
    *
    * Example: `KeySet.fromDict(Map("a" -> Seq(1, 2))) * KeySet.fromDict(Map("b" -> Seq("x")))` has 2 keys
    */
  def *(other: KeySet): KeySet = {
    requireOther(other, "multiply")
    val shared = sharedColumns(other)
    requireArgument(
      shared.isEmpty,
      s"Cannot multiply keysets with overlapping columns ${shared.mkString("[", ", ", "]")}; use join to combine keysets on shared columns."
    )
    new KeySet(dataframe.crossJoin(other.dataframe))
  }

  /** Scala and py4j name of `*`. */
  def product(other: KeySet): KeySet = this * other

  /** The keys of this keyset and `other` that agree on their shared columns (an inner join, nulls equal to nulls as
    * in grouping); the columns are this keyset's, then `other`'s others. IllegalArgumentException when they
    * share no column or a shared column has different types.
    *
    * Example: `KeySet.fromTuples(Seq(("A", 1)), Seq("g", "x")).join(KeySet.fromTuples(Seq(("A", "p")), Seq("g", "y")))`
    */
  def join(other: KeySet): KeySet = {
    requireOther(other, "join")
    val shared = sharedColumns(other)
    requireArgument(shared.nonEmpty, s"Cannot join keysets without a shared column: ${columns.mkString("[", ", ", "]")} and ${other.columns.mkString("[", ", ", "]")}.")
    requireSameTypes(other, shared, "join")
    val condition = shared.map(name => dataframe(quoted(name)) <=> other.dataframe(quoted(name))).reduce(_ && _)
    val otherOnly = other.columns.filterNot(shared.contains)
    val joined = dataframe.join(other.dataframe, condition, "inner")
      .select(columns.map(name => dataframe(quoted(name))) ++ otherOnly.map(name => other.dataframe(quoted(name))): _*)
    new KeySet(joined.distinct())
  }

  /** The keys of this keyset whose values on `other`'s columns are not a key of `other` (Tumult's
    * `keyset - other`); `other`'s columns must be among this keyset's, with the same types.
    *
    * Example: `KeySet.fromDict(Map("a" -> Seq(1, 2, 3))) - KeySet.fromDict(Map("a" -> Seq(2)))` has keys 1 and 3
    */
  def -(other: KeySet): KeySet = {
    requireOther(other, "subtract")
    val missing = other.columns.filterNot(name => columns.exists(_.equalsIgnoreCase(name)))
    requireArgument(
      missing.isEmpty,
      s"Cannot subtract a keyset with columns ${missing.mkString("[", ", ", "]")} that this keyset (${columns.mkString("[", ", ", "]")}) does not have."
    )
    requireSameTypes(other, other.columns, "subtract")
    val condition = other.columns.map(name => dataframe(quoted(name)) <=> other.dataframe(quoted(name))).reduce(_ && _)
    new KeySet(dataframe.join(other.dataframe, condition, "left_anti"))
  }

  /** Scala and py4j name of `-`. */
  def difference(other: KeySet): KeySet = this - other

  /** The keys of either keyset; both must have the same columns (in any order) with the same types. The columns are
    * in this keyset's order.
    *
    * Example: `KeySet.fromDict(Map("a" -> Seq(1))).union(KeySet.fromDict(Map("a" -> Seq(2)))).size == 2`
    */
  def union(other: KeySet): KeySet = {
    requireOther(other, "union")
    requireArgument(
      sameColumnSet(other),
      s"Cannot union keysets with different columns: ${columns.mkString("[", ", ", "]")} and ${other.columns.mkString("[", ", ", "]")}."
    )
    requireSameTypes(other, columns, "union")
    new KeySet(dataframe.union(other.dataframe.select(columns.map(quoted).map(other.dataframe(_)): _*)).distinct())
  }

  /** The keys for which the Spark SQL expression `condition` holds (Tumult's `KeySet.filter`).
    *
    * Example: `keyset.filter("year >= 1900")`
    */
  def filter(condition: String): KeySet = {
    requireArgument(condition != null && condition.trim.nonEmpty, "condition must be a non-empty Spark SQL expression.")
    new KeySet(dataframe.filter(condition))
  }

  /** The keys for which `condition` holds. */
  def filter(condition: Column): KeySet = {
    requireArgument(condition != null, "condition must be a Column, not null.")
    new KeySet(dataframe.filter(condition))
  }

  /** The distinct keys of the named columns, in the given order (Tumult's `keyset["a"]`, `keyset[["a", "b"]]`).
    * IllegalArgumentException for an unknown or repeated column, or no columns.
    *
    * Example: `KeySet.fromDict(ListMap("a" -> Seq(1, 2), "b" -> Seq("x"))).select(Seq("b")).size == 1`
    */
  def select(names: Seq[String]): KeySet = {
    requireArgument(names != null && names.nonEmpty, "Select at least one KeySet column.")
    val unknown = names.filterNot(name => columns.contains(name))
    requireArgument(unknown.isEmpty, s"KeySet has no column ${unknown.mkString("[", ", ", "]")}; its columns are ${columns.mkString("[", ", ", "]")}.")
    requireArgument(names.distinct.size == names.size, s"Columns ${names.mkString("[", ", ", "]")} repeat a name.")
    new KeySet(dataframe.select(names.map(quoted).map(dataframe(_)): _*).distinct())
  }

  /** `select` of one column. */
  def apply(name: String): KeySet = select(Seq(name))

  /** py4j form of `select`. */
  def select(names: java.util.List[String]): KeySet = select(Option(names).map(_.asScala.toSeq).orNull)

  /** Equal when both have the same columns (in any order) with the same types, and the same keys. Runs Spark jobs.
    *
    * Example: `KeySet.fromTuples(Seq((1, "x")), Seq("a", "b")) == KeySet.fromTuples(Seq(("x", 1)), Seq("b", "a"))`
    */
  override def equals(other: Any): Boolean = other match {
    case that: KeySet =>
      (that eq this) || (sameColumnSet(that) && columns.forall(name => typeOf(name) == that.typeOf(name)) && {
        val aligned = that.dataframe.select(columns.map(quoted).map(that.dataframe(_)): _*)
        dataframe.exceptAll(aligned).isEmpty && aligned.exceptAll(dataframe).isEmpty
      })
    case _ => false
  }

  override def hashCode: Int = columns.map(_.toLowerCase).sorted.hashCode

  private def typeOf(name: String) = dataframe.schema(name).dataType

  private def sameColumnSet(other: KeySet): Boolean = columns.toSet == other.columns.toSet

  private def sharedColumns(other: KeySet): Seq[String] = columns.filter(other.columns.contains)

  private def requireOther(other: KeySet, operation: String): Unit =
    requireArgument(other != null, s"Cannot $operation with null; pass a KeySet.")

  private def requireSameTypes(other: KeySet, names: Seq[String], operation: String): Unit =
    names.foreach { name =>
      requireArgument(
        typeOf(name) == other.typeOf(name),
        s"Cannot $operation keysets whose column '$name' has type ${typeOf(name).simpleString} in one and ${other.typeOf(name).simpleString} in the other."
      )
    }

  private def quoted(name: String): String = s"`${name.replace("`", "``")}`"

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
