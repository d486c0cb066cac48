package sparkdp

import sparkdp.ArgumentChecks.requireArgument

/** The query expression tree that [[QueryBuilder]] builds and `sparkdp.plan` compiles (Tumult's `QueryExpr`).
  * The API only builds it; nothing here touches Spark.
  *
  * Example:
  * {{{
  * val expr: QueryExpr =
  *   GroupByCount(EnforceConstraint(PrivateSource("checkouts"), MaxRowsPerID(20)), keyset, "count")
  * }}}
  */
sealed trait QueryExpr

/** A query expression that ends in an aggregation (or post-processes one): its result is released, never
  * used as a table.
  */
sealed trait AggregationExpr extends QueryExpr

/** A query expression whose result is a table (a private source or a transformation of one): it can be
  * aggregated, never released as it is. Every `QueryExpr` is exactly one of `TableExpr` and `AggregationExpr`,
  * so a pass that handles both kinds is exhaustive without listing every transformation.
  */
sealed trait TableExpr extends QueryExpr

/** A clamping bound as the user gave it: an integer (`IntegerBound`) or a float (`FloatBound`). Rust parses
  * it exactly (COMPILER_INTERFACES §5.2) and refuses bad bounds (low > high, NaN, infinite) with Tumult's text.
  *
  * Example: `IntegerBound(0)`, `FloatBound(2.5)`
  */
sealed trait ClampBound

/** An integer bound.
  *
  * Example: `IntegerBound(1000)`
  */
final case class IntegerBound(value: Long) extends ClampBound

/** A floating-point bound (NaN and infinities are refused by Rust, with Tumult's message).
  *
  * Example: `FloatBound(0.5)`
  */
final case class FloatBound(value: Double) extends ClampBound

/** The private table registered in the session under `sourceId`.
  *
  * Example: `PrivateSource("checkouts")`
  *
  * @param sourceId the name the table was registered under
  */
final case class PrivateSource(sourceId: String) extends TableExpr {
  requireArgument(sourceId != null && sourceId.nonEmpty, s"sourceId must be a non-empty table name, not '$sourceId'.")
}

/** `child` with `constraint` enforced on it (Tumult's `EnforceConstraint`).
  *
  * Example: `EnforceConstraint(PrivateSource("checkouts"), MaxRowsPerID(20))`
  *
  * @param child      the table the constraint is enforced on
  * @param constraint the contribution bound to enforce
  */
final case class EnforceConstraint(child: QueryExpr, constraint: Constraint) extends TableExpr {
  requireArgument(child != null, "child must be a query expression, not null.")
  requireArgument(constraint != null, "constraint must be a Constraint, not null.")
}

// ---- Row-wise transformations (issue 10): Filter, Select, Rename, ReplaceNullAndNan, DropNullAndNan,
// ReplaceInfinity, DropInfinity, BinColumn (histogram is a BinColumn + GroupByCount in the builder).
// Each maps a row to at most one row, so the table keeps its protected change (no Rust call); the
// column checks that need the input's columns are in plan/transform/RowwiseTransformations.scala.

/** The rows of `child` for which the Spark SQL expression `condition` holds (Tumult's `Filter`).
  *
  * Example: `Filter(PrivateSource("checkouts"), "year >= 2020")`
  */
final case class Filter(child: QueryExpr, condition: String) extends TableExpr {
  requireArgument(child != null, "child must be a query expression, not null.")
  requireArgument(condition != null, "condition must be a Spark SQL expression, not null.")
}

/** The columns `columns` of `child`, in that order (Tumult's `Select`).
  *
  * Example: `Select(PrivateSource("checkouts"), Seq("member_id", "title"))`
  */
final case class Select(child: QueryExpr, columns: Seq[String]) extends TableExpr {
  requireArgument(child != null, "child must be a query expression, not null.")
  requireArgument(columns != null && !columns.contains(null), "columns must be column names, not null.")
  requireArgument(
    columns.distinct.size == columns.size,
    s"Column name appears more than once in ${RowwiseValues.pythonTuple(columns)}"
  )
}

/** `child` with the columns named by `columnMapper`'s keys renamed to its values (Tumult's `Rename`).
  *
  * Example: `Rename(PrivateSource("checkouts"), Map("title" -> "book"))`
  */
final case class Rename(child: QueryExpr, columnMapper: Map[String, String]) extends TableExpr {
  requireArgument(child != null, "child must be a query expression, not null.")
  requireArgument(
    columnMapper != null && columnMapper.forall { case (from, to) => from != null && to != null },
    "column_mapper must map column names to column names, not null."
  )
  columnMapper.foreach { case (from, to) =>
    requireArgument(
      to.nonEmpty,
      s"""Cannot rename column $from to "" (the empty string): columns named "" are not allowed"""
    )
  }
}

/** `child` with nulls (and NaNs) in the columns of `replaceWith` replaced by its values; an empty map means
  * every column that may hold them, with Tumult's defaults (0, 0.0, "", 1970-01-01, the epoch) (Tumult's
  * `ReplaceNullAndNan`). Values are `Long`, `Double`, `String`, `java.sql.Date` or `java.sql.Timestamp`
  * (`Int` and `Float` are widened).
  *
  * Example: `ReplaceNullAndNan(PrivateSource("checkouts"), Map("genre" -> "unknown"))`
  */
final case class ReplaceNullAndNan(child: QueryExpr, replaceWith: Map[String, Any]) extends TableExpr {
  requireArgument(child != null, "child must be a query expression, not null.")
  requireArgument(replaceWith != null && !replaceWith.contains(null), "replace_with must map column names to values, not null.")
  replaceWith.foreach { case (column, value) =>
    requireArgument(
      RowwiseValues.isReplacementValue(value),
      s"Invalid replacement value ${RowwiseValues.pythonRepr(value)} for column '$column'"
    )
  }
}

/** `child` without the rows holding a null or NaN in one of `columns` (every column that may hold them
  * when empty, but the ID and grouping columns) (Tumult's `DropNullAndNan`).
  *
  * Example: `DropNullAndNan(PrivateSource("checkouts"), Seq("genre"))`
  */
final case class DropNullAndNan(child: QueryExpr, columns: Seq[String]) extends TableExpr {
  requireArgument(child != null, "child must be a query expression, not null.")
  requireArgument(columns != null && !columns.contains(null), "columns must be column names, not null.")
}

/** `child` with -inf and +inf in the columns of `replaceWith` replaced by its (low, high) pair; an empty map
  * means every floating-point column, with 0.0 for both (Tumult's `ReplaceInfinity`).
  *
  * Example: `ReplaceInfinity(PrivateSource("sales"), Map("price" -> (0.0, 1000.0)))`
  */
final case class ReplaceInfinity(child: QueryExpr, replaceWith: Map[String, (Double, Double)]) extends TableExpr {
  requireArgument(child != null, "child must be a query expression, not null.")
  requireArgument(replaceWith != null && !replaceWith.contains(null), "replace_with must map column names to pairs, not null.")
  replaceWith.foreach { case (column, (low, high)) =>
    requireArgument(!low.isNaN && !low.isInfinite, s"Invalid lower replacement value ${RowwiseValues.pythonRepr(low)} for column '$column'")
    requireArgument(!high.isNaN && !high.isInfinite, s"Invalid upper replacement value ${RowwiseValues.pythonRepr(high)} for column '$column'")
  }
}

/** `child` without the rows holding -inf or +inf in one of `columns` (every floating-point column when
  * empty, but the ID and grouping columns) (Tumult's `DropInfinity`).
  *
  * Example: `DropInfinity(PrivateSource("sales"), Seq("price"))`
  */
final case class DropInfinity(child: QueryExpr, columns: Seq[String]) extends TableExpr {
  requireArgument(child != null, "child must be a query expression, not null.")
  requireArgument(columns != null && !columns.contains(null), "columns must be column names, not null.")
}

/** `child` with a new column `name` holding the bin of `column`'s value under `spec` (Tumult's
  * `bin_column`, an augmenting map).
  *
  * Example: `BinColumn(PrivateSource("members"), "age", BinningSpec(Seq(0, 18, 65)), "age_binned")`
  */
final case class BinColumn(child: QueryExpr, column: String, spec: BinningSpec, name: String) extends TableExpr {
  requireArgument(child != null, "child must be a query expression, not null.")
  requireArgument(column != null, "column must be a column name, not null.")
  requireArgument(spec != null, "spec must be a BinningSpec, not null.")
  requireArgument(name != null && name.nonEmpty, s"The binned column's name must be non-empty, not '$name'.")
}

/** Values of the row-wise nodes: one representation per kind, and Python-like renderings for Tumult's
  * messages (its messages show Python values).
  */
private[sparkdp] object RowwiseValues {

  /** Integers widen to Long, floats to Double: one representation per kind (py4j sends small Python ints
    * as `Integer`).
    *
    * Example: `RowwiseValues.normalized(Integer.valueOf(3)) == 3L`
    */
  def normalized(value: Any): Any = value match {
    case b: java.lang.Byte    => b.longValue
    case s: java.lang.Short   => s.longValue
    case i: java.lang.Integer => i.longValue
    case f: java.lang.Float   => f.doubleValue
    case other                => other
  }

  /** Example: `pythonTuple(Seq("a", "a")) == "('a', 'a')"` */
  def pythonTuple(values: Seq[String]): String =
    if (values.size == 1) s"(${pythonRepr(values.head)},)" else values.map(pythonRepr).mkString("(", ", ", ")")

  /** Python's `repr` of a value as Python would have it (strings quoted, doubles with `.0`, `inf`, `nan`).
    *
    * Example: `pythonRepr("it's") == "\"it's\""`, `pythonRepr(2.0) == "2.0"`, `pythonRepr(true) == "True"`
    */
  def pythonRepr(value: Any): String = value match {
    case null                                   => "None"
    case text: String                           => pythonStringRepr(text)
    case d: Double                              => AggregationMethods.pythonRepr(d)
    case f: Float                               => pythonRepr(f.toDouble)
    case b: Boolean                             => if (b) "True" else "False"
    case other                                  => other.toString
  }

  private def pythonStringRepr(text: String): String = {
    val quote = if (text.contains("'") && !text.contains("\"")) '"' else '\''
    val escaped = text.flatMap {
      case '\\'                     => "\\\\"
      case '\n'                      => "\\n"
      case '\t'                      => "\\t"
      case '\r'                      => "\\r"
      case c if c == quote          => s"\\$c"
      case c                        => c.toString
    }
    s"$quote$escaped$quote"
  }

  /** Whether `value` may replace a null: a number (NaN and infinities excepted), a string, a date or a
    * timestamp (Tumult's `_valid_replacement_value`).
    */
  def isReplacementValue(value: Any): Boolean = value match {
    case d: Double => !d.isNaN && !d.isInfinite
    case f: Float  => !f.isNaN && !f.isInfinite
    case _: Byte | _: Short | _: Int | _: Long | _: String | _: java.sql.Date | _: java.sql.Timestamp => true
    case _ => false
  }
}

// ---- Map family (issue 10): Map, FlatMap, FlatMapByID. The nodes are named as Tumult's transformation visitor
// imports them (`Map as MapExpr`, ...): a `sparkdp.Map` would shadow Scala's `Map` in every file of package sparkdp.

/** The user's function of a map-family node: a Scala function, run in the executors (`rdd.mapPartitions`), or a
  * Spark column that computes the new columns (a Python UDF, run in Python workers), see [[UdfRowFunction]].
  *
  * Example: `ScalaRowFunction((row: Row) => Map("double" -> row.getLong(0) * 2))`
  */
sealed trait RowFunction[+F] extends Serializable

/** A Scala function: `Row => Map[String, Any]` (map), `Row => Seq[Map[String, Any]]` (flat_map) or
  * `Seq[Row] => Seq[Map[String, Any]]` (flat_map_by_id). Each map holds the new columns by name; values of
  * INTEGER columns may be any integral type, DECIMAL any numeric type, DATE `java.sql.Date` or `LocalDate`,
  * TIMESTAMP `java.sql.Timestamp` or `Instant`.
  *
  * Example: `ScalaRowFunction((row: Row) => Seq(Map("i" -> 1L), Map("i" -> 2L)))`
  */
final case class ScalaRowFunction[+F](f: F) extends RowFunction[F] {
  requireArgument(f != null, "f must be a function, not null.")
}

/** A Spark column computing the new columns from the column `__sparkdp_input` (UdfRowFunction.InputColumn),
  * which holds the input row as a struct (map, flat_map) or the ID's rows as an array of structs
  * (flat_map_by_id). It must give a struct of the new columns (map) or an array of such structs (flat_map,
  * flat_map_by_id), typed as `new_column_types`. Python wraps the user's function in such a UDF.
  *
  * Example: `UdfRowFunction(pythonUdf(col(UdfRowFunction.InputColumn)))`
  */
final case class UdfRowFunction[+F](column: org.apache.spark.sql.Column) extends RowFunction[F] {
  requireArgument(column != null, "column must be a Spark column, not null.")
}

object UdfRowFunction {

  /** The column a [[UdfRowFunction]] reads its input from. */
  val InputColumn = "__sparkdp_input"
}

/** Checks shared by the map-family nodes' constructors. */
private object MapArguments {
  /** The new columns of a py4j map call: `names` and `descriptors` paired in order (IAE when their sizes differ). */
  def newColumns(
      names: java.util.List[String],
      descriptors: java.util.List[ColumnDescriptor]
  ): Seq[(String, ColumnDescriptor)] = {
    requireArgument(names != null && descriptors != null, "new_column_types must not be null.")
    requireArgument(names.size == descriptors.size, "new_column_types: as many names as descriptors are needed.")
    import scala.collection.JavaConverters._
    names.asScala.toList.zip(descriptors.asScala.toList)
  }

  def require(child: QueryExpr, f: RowFunction[_], newColumnTypes: Seq[(String, ColumnDescriptor)]): Unit = {
    requireArgument(child != null, "child must be a query expression, not null.")
    requireArgument(f != null, "f must be a function, not null.")
    requireArgument(
      newColumnTypes != null && newColumnTypes.forall(t => t != null && t._1 != null && t._2 != null),
      "new_column_types must map column names to column types, without nulls."
    )
    val names = newColumnTypes.map(_._1)
    requireArgument(
      names.distinct.size == names.size,
      s"new_column_types names a column more than once: ${names.diff(names.distinct).distinct.mkString(", ")}"
    )
    newColumnTypes.foreach { case (name, descriptor) =>
      requireArgument(name.nonEmpty, "new_column_types: a column name must be non-empty.")
      requireArgument(
        !descriptor.columnType.isInstanceOf[ColumnType.Other],
        s"new_column_types: column '$name' has type ${descriptor.columnType}; a map can make INTEGER, " +
          "DECIMAL, VARCHAR, DATE or TIMESTAMP columns."
      )
    }
  }
}

/** `child` with `f` applied to each row (Tumult's `Map`): `f` gives the new columns of the row; with `augment`
  * they are added to the row's columns, without they replace them.
  *
  * Example: `MapExpr(PrivateSource("sales"), ScalaRowFunction(f), Seq("x2" -> ColumnDescriptor(ColumnType.Integer)), augment = true)`
  */
final case class MapExpr(
    child: QueryExpr,
    f: RowFunction[org.apache.spark.sql.Row => scala.collection.Map[String, Any]],
    newColumnTypes: Seq[(String, ColumnDescriptor)],
    augment: Boolean
) extends TableExpr {
  MapArguments.require(child, f, newColumnTypes)
}

/** `child` with each row replaced by the rows `f` gives for it (Tumult's `FlatMap`): at most `maxRows` of them
  * (the first ones); with `grouping`, `f` makes one new column whose values are distinct per input row (later
  * repeats are dropped, as Tumult Core's `GroupingFlatMap`), and the output is protected per value of that column.
  *
  * Example: `FlatMapExpr(PrivateSource("sales"), ScalaRowFunction(f), Seq("i" -> ColumnDescriptor(ColumnType.Integer)), augment = true, grouping = false, maxRows = Some(3))`
  */
final case class FlatMapExpr(
    child: QueryExpr,
    f: RowFunction[org.apache.spark.sql.Row => Seq[scala.collection.Map[String, Any]]],
    newColumnTypes: Seq[(String, ColumnDescriptor)],
    augment: Boolean,
    grouping: Boolean,
    maxRows: Option[Int]
) extends TableExpr {
  MapArguments.require(child, f, newColumnTypes)
  requireArgument(maxRows != null, "maxRows must be Some(n) or None, not null.")
  maxRows.foreach(m => requireArgument(m >= 0, s"Limit on number of rows '$m' must be non-negative."))
  requireArgument(
    !grouping || newColumnTypes.size == 1,
    s"new_column_types contains ${newColumnTypes.size} columns, grouping flat map can only result in 1 new column"
  )
}

/** `child` with the rows of each ID replaced by the rows `f` gives for them, each with that ID (Tumult's
  * `FlatMapByID`); only for tables protected by `AddRowsWithID`. The output has the ID column and the new
  * columns.
  *
  * Example: `FlatMapByIDExpr(PrivateSource("sales"), ScalaRowFunction(f), Seq("total" -> ColumnDescriptor(ColumnType.Integer)))`
  */
final case class FlatMapByIDExpr(
    child: QueryExpr,
    f: RowFunction[Seq[org.apache.spark.sql.Row] => Seq[scala.collection.Map[String, Any]]],
    newColumnTypes: Seq[(String, ColumnDescriptor)]
) extends TableExpr {
  MapArguments.require(child, f, newColumnTypes)
}

// ---- Joins (issue 10): JoinPublic, JoinPrivate.

/** Checks shared by the join nodes' constructors (Tumult's `JoinPublic` / `JoinPrivate` `__post_init__`). */
private object JoinArguments {
  def requireJoinColumns(joinColumns: Option[Seq[String]]): Unit = {
    requireArgument(joinColumns != null, "joinColumns must be Some(columns) or None, not null.")
    joinColumns.foreach { columns =>
      requireArgument(columns != null && !columns.contains(null), "join columns must be column names, not null.")
      requireArgument(columns.nonEmpty, "Provided join columns must not be empty")
      requireArgument(columns.distinct.size == columns.size, "Join columns must be distinct")
    }
  }
}

/** `child` joined with a public table (Tumult's `JoinPublic`): `publicTable` is the name of a public table of
  * the session (`Left`) or a DataFrame (`Right`); `joinColumns` None joins on every common column; `how` is
  * "inner" or "left". Null join keys match each other. The output's protected change comes from Rust, from the
  * public table's largest join-key multiplicity.
  *
  * Example: `JoinPublic(PrivateSource("checkouts"), Left("books"), Some(Seq("isbn")), "inner")`
  */
final case class JoinPublic(
    child: QueryExpr,
    publicTable: Either[String, org.apache.spark.sql.DataFrame],
    joinColumns: Option[Seq[String]],
    how: String
) extends TableExpr {
  requireArgument(child != null, "child must be a query expression, not null.")
  requireArgument(
    publicTable != null && publicTable.fold(name => name != null && name.nonEmpty, dataframe => dataframe != null),
    "publicTable must be a public table's name or a DataFrame, not null or empty."
  )
  JoinArguments.requireJoinColumns(joinColumns)
  requireArgument(how == "inner" || how == "left", s"Invalid join type '$how': must be 'inner' or 'left'")
}

/** `child` joined with another private table's query, `rightOperand` (Tumult's `JoinPrivate`): two
  * `AddRowsWithID` tables of one ID space joined on (at least) their ID column, or two tables without IDs,
  * each truncated by its strategy first. `joinColumns` None joins on every common column. Null join keys match
  * each other. The output's protected change comes from Rust.
  *
  * Example: `JoinPrivate(PrivateSource("orders"), PrivateSource("returns"), Some(TruncationStrategy.DropExcess(2)), Some(TruncationStrategy.DropNonUnique()), None)`
  */
final case class JoinPrivate(
    child: QueryExpr,
    rightOperand: QueryExpr,
    leftTruncationStrategy: Option[TruncationStrategy],
    rightTruncationStrategy: Option[TruncationStrategy],
    joinColumns: Option[Seq[String]]
) extends TableExpr {
  requireArgument(child != null, "child must be a query expression, not null.")
  requireArgument(rightOperand != null, "rightOperand must be a query expression, not null.")
  requireArgument(
    leftTruncationStrategy != null && leftTruncationStrategy.forall(_ != null) &&
      rightTruncationStrategy != null && rightTruncationStrategy.forall(_ != null),
    "The truncation strategies must be Some(strategy) or None, not null."
  )
  JoinArguments.requireJoinColumns(joinColumns)
}

// ---- Views (issue 10): a table made by Session.create_view is a PrivateSource of the session.

/** The number of rows of `child` for each key of `keyset`, in a column named `outputColumn`, with noise of
  * `mechanism` (Tumult's `GroupByCount`).
  *
  * Example: `GroupByCount(EnforceConstraint(PrivateSource("checkouts"), MaxRowsPerID(20)), keyset, "count")`
  *
  * @param child        the table whose rows are counted
  * @param keyset       the groups to report, exactly once each
  * @param outputColumn the name of the count column
  * @param mechanism    the noise mechanism
  */
final case class GroupByCount(
    child: QueryExpr,
    keyset: KeySet,
    outputColumn: String,
    mechanism: CountMechanism = CountMechanism.Default
) extends CountAggregation {
  requireArgument(child != null, "child must be a query expression, not null.")
  requireArgument(keyset != null, "keyset must be a KeySet, not null.")
  requireArgument(mechanism != null, "mechanism must be a CountMechanism, not null.")
  requireArgument(
    outputColumn != null && outputColumn.nonEmpty,
    s"The output column name must be non-empty, not '$outputColumn'."
  )
}

/** The number of rows of `child`, one total, in a column named `outputColumn`, with noise of `mechanism`
  * (Tumult's `GroupByCount` over the empty KeySet, as `QueryBuilder(...).count()` builds it).
  *
  * Example: `UngroupedCount(PrivateSource("checkouts"), "count")`
  *
  * @param child        the table whose rows are counted
  * @param outputColumn the name of the count column
  * @param mechanism    the noise mechanism
  */
final case class UngroupedCount(
    child: QueryExpr,
    outputColumn: String,
    mechanism: CountMechanism = CountMechanism.Default
) extends CountAggregation {
  requireArgument(child != null, "child must be a query expression, not null.")
  requireArgument(mechanism != null, "mechanism must be a CountMechanism, not null.")
  requireArgument(
    outputColumn != null && outputColumn.nonEmpty,
    s"The output column name must be non-empty, not '$outputColumn'."
  )
}

/** A noisy count (grouped by a keyset, or one total), which `suppress` may post-process. */
sealed trait CountAggregation extends AggregationExpr {

  /** The name of the count column. */
  def outputColumn: String
}

/** Checks shared by the aggregation nodes' constructors. */
private object AggregationArguments {
  def require(child: QueryExpr, keyset: Option[KeySet], outputColumn: String): Unit = {
    requireArgument(child != null, "child must be a query expression, not null.")
    requireArgument(keyset != null && keyset.forall(_ != null), "keyset must be a KeySet (or None), not null.")
    requireArgument(
      outputColumn != null && outputColumn.nonEmpty,
      s"The output column name must be non-empty, not '$outputColumn'."
    )
  }

  def requireMeasure(measureColumn: String, low: ClampBound, high: ClampBound): Unit = {
    requireArgument(measureColumn != null && measureColumn.nonEmpty, s"The measure column must be a column name, not '$measureColumn'.")
    requireArgument(low != null && high != null, "The clamping bounds low and high must be numbers, not null.")
  }
}

/** The number of distinct rows of `child` (compared on `columnsToCount`, every column when empty) per key of
  * `keyset` (None: one total row) (Tumult's `GroupByCountDistinct`).
  *
  * Example: `GroupByCountDistinct(PrivateSource("checkouts"), Some(keyset), Seq("title"), "count_distinct(title)")`
  */
final case class GroupByCountDistinct(
    child: QueryExpr,
    keyset: Option[KeySet],
    columnsToCount: Seq[String],
    outputColumn: String,
    mechanism: CountDistinctMechanism = CountDistinctMechanism.Default
) extends AggregationExpr {
  AggregationArguments.require(child, keyset, outputColumn)
  requireArgument(columnsToCount != null && !columnsToCount.contains(null), "columns must be column names, not null.")
  requireArgument(mechanism != null, "mechanism must be a CountDistinctMechanism, not null.")
}

/** The sum of `measureColumn` clamped to [low, high] per key (Tumult's `GroupByBoundedSum`).
  *
  * Example: `GroupByBoundedSum(PrivateSource("checkouts"), None, "pages", IntegerBound(0), IntegerBound(900), "pages_sum")`
  */
final case class GroupByBoundedSum(
    child: QueryExpr,
    keyset: Option[KeySet],
    measureColumn: String,
    low: ClampBound,
    high: ClampBound,
    outputColumn: String,
    mechanism: SumMechanism = SumMechanism.Default
) extends AggregationExpr {
  AggregationArguments.require(child, keyset, outputColumn)
  AggregationArguments.requireMeasure(measureColumn, low, high)
  requireArgument(mechanism != null, "mechanism must be a SumMechanism, not null.")
}

/** The average of `measureColumn` clamped to [low, high] per key (Tumult's `GroupByBoundedAverage`).
  *
  * Example: `GroupByBoundedAverage(PrivateSource("checkouts"), None, "pages", IntegerBound(0), IntegerBound(900), "pages_average")`
  */
final case class GroupByBoundedAverage(
    child: QueryExpr,
    keyset: Option[KeySet],
    measureColumn: String,
    low: ClampBound,
    high: ClampBound,
    outputColumn: String,
    mechanism: AverageMechanism = AverageMechanism.Default
) extends AggregationExpr {
  AggregationArguments.require(child, keyset, outputColumn)
  AggregationArguments.requireMeasure(measureColumn, low, high)
  requireArgument(mechanism != null, "mechanism must be an AverageMechanism, not null.")
}

/** The variance of `measureColumn` clamped to [low, high] per key (Tumult's `GroupByBoundedVariance`).
  *
  * Example: `GroupByBoundedVariance(PrivateSource("checkouts"), None, "pages", IntegerBound(0), IntegerBound(900), "pages_variance")`
  */
final case class GroupByBoundedVariance(
    child: QueryExpr,
    keyset: Option[KeySet],
    measureColumn: String,
    low: ClampBound,
    high: ClampBound,
    outputColumn: String,
    mechanism: VarianceMechanism = VarianceMechanism.Default
) extends AggregationExpr {
  AggregationArguments.require(child, keyset, outputColumn)
  AggregationArguments.requireMeasure(measureColumn, low, high)
  requireArgument(mechanism != null, "mechanism must be a VarianceMechanism, not null.")
}

/** The standard deviation of `measureColumn` clamped to [low, high] per key (Tumult's `GroupByBoundedStdev`).
  *
  * Example: `GroupByBoundedStdev(PrivateSource("checkouts"), None, "pages", IntegerBound(0), IntegerBound(900), "pages_stdev")`
  */
final case class GroupByBoundedStdev(
    child: QueryExpr,
    keyset: Option[KeySet],
    measureColumn: String,
    low: ClampBound,
    high: ClampBound,
    outputColumn: String,
    mechanism: StdevMechanism = StdevMechanism.Default
) extends AggregationExpr {
  AggregationArguments.require(child, keyset, outputColumn)
  AggregationArguments.requireMeasure(measureColumn, low, high)
  requireArgument(mechanism != null, "mechanism must be a StdevMechanism, not null.")
}

/** The `quantile` of `measureColumn` clamped to [low, high] per key (Tumult's `GroupByQuantile`; median is
  * 0.5, min 0, max 1). Rust refuses a quantile outside [0, 1].
  *
  * Example: `GroupByQuantile(PrivateSource("checkouts"), None, "pages", 0.5, IntegerBound(0), IntegerBound(900), "pages_median")`
  */
final case class GroupByQuantile(
    child: QueryExpr,
    keyset: Option[KeySet],
    measureColumn: String,
    quantile: Double,
    low: ClampBound,
    high: ClampBound,
    outputColumn: String
) extends AggregationExpr {
  AggregationArguments.require(child, keyset, outputColumn)
  AggregationArguments.requireMeasure(measureColumn, low, high)
}

/** Approximate bounds of `measureColumn` per key (Tumult's `GetBounds`): (−2^i, 2^i) for the noisy smallest
  * log bin i holding about 95% of the values, in `lowerBoundColumn` and `upperBoundColumn`, typed as the column
  * (bigint for integer columns, double for floats).
  *
  * Example: `GetBounds(PrivateSource("checkouts"), None, "pages", "pages_lower_bound", "pages_upper_bound")`
  */
final case class GetBounds(
    child: QueryExpr,
    keyset: Option[KeySet],
    measureColumn: String,
    lowerBoundColumn: String,
    upperBoundColumn: String
) extends AggregationExpr {
  AggregationArguments.require(child, keyset, lowerBoundColumn)
  AggregationArguments.require(child, keyset, upperBoundColumn)
  requireArgument(measureColumn != null && measureColumn.nonEmpty, s"The measure column must be a column name, not '$measureColumn'.")
}

/** The combinations of values of `columns` (every column but the ID column when empty) that appear in the
  * data often enough to pass a noisy threshold (Tumult's `GetGroups`): the output has those columns only.
  *
  * Example: `GetGroups(PrivateSource("checkouts"), Seq("isbn"))`
  */
final case class GetGroups(child: QueryExpr, columns: Seq[String]) extends AggregationExpr {
  requireArgument(child != null, "child must be a query expression, not null.")
  requireArgument(columns != null && !columns.contains(null), "columns must be column names, not null.")
}

/** `child`'s rows whose noisy count is at least `threshold` (Tumult's `SuppressAggregates`: post-processing,
  * spends nothing beyond the count).
  *
  * Example: `SuppressAggregates(GroupByCount(PrivateSource("checkouts"), keyset, "count"), 10.0)`
  */
final case class SuppressAggregates(child: CountAggregation, threshold: Double) extends AggregationExpr {
  requireArgument(child != null, "child must be a count, not null.")
  requireArgument(!threshold.isNaN, "The suppression threshold must be a number, not NaN.")
}
