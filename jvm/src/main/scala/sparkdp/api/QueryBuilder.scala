package sparkdp

import sparkdp.ArgumentChecks.requireArgument

/** Builds a query on one private table, step by step (Tumult's `QueryBuilder`). Each method returns a new
  * builder; nothing is evaluated until `Session.evaluate`.
  *
  * Example:
  * {{{
  * val query = QueryBuilder("checkouts").enforce(MaxRowsPerID(20)).groupBy(keyset).count()
  * }}}
  */
final class QueryBuilder private (private[sparkdp] val queryExpr: QueryExpr) extends AggregationMethods {

  protected override def keysetOption: Option[KeySet] = None
  protected override def aggregatedExpr: QueryExpr = queryExpr

  /** Starts a query on the private table `sourceId` (for Java and py4j; Scala callers can write
    * `QueryBuilder(sourceId)`).
    *
    * Example (Java): `new QueryBuilder("checkouts")`
    */
  def this(sourceId: String) = this(PrivateSource(sourceId))

  /** Enforces `constraint` on the rows so far (e.g. at most 20 rows per ID).
    *
    * Example: `QueryBuilder("checkouts").enforce(MaxRowsPerID(20))`
    */
  def enforce(constraint: Constraint): QueryBuilder = {
    requireArgument(constraint != null, "constraint must be a Constraint, not null.")
    new QueryBuilder(EnforceConstraint(queryExpr, constraint))
  }

  // ---- Row-wise transformations (issue 10): filter, select, rename, replaceNullAndNan, dropNullAndNan,
  // replaceInfinity, dropInfinity, binColumn, histogram.

  // ---- Map family (issue 10): map, flatMap, flatMapByID.

  /** Applies `f` to each row (Tumult's `map`); `f` gives the new columns, typed by `newColumnTypes` (every new
    * column may hold null, as in Tumult). With `augment` the new columns are added to the row's, otherwise they
    * replace them (a table protected by `AddRowsWithID` or `AddMaxRowsInMaxGroups` needs `augment`). `f` runs in
    * the executors and must be deterministic.
    *
    * Example: `QueryBuilder("sales").map(row => Map("x2" -> row.getAs[Long]("x") * 2), Seq("x2" -> ColumnDescriptor(ColumnType.Integer)), augment = true)`
    */
  def map(
      f: org.apache.spark.sql.Row => scala.collection.Map[String, Any],
      newColumnTypes: Seq[(String, ColumnDescriptor)],
      augment: Boolean
  ): QueryBuilder = {
    requireArgument(f != null, "f must be a function, not null.")
    new QueryBuilder(MapExpr(queryExpr, ScalaRowFunction(f), newColumnTypes, augment))
  }

  /** [[map]] without `augment`: the output has the new columns only.
    *
    * Example: `QueryBuilder("sales").map(row => Map("x2" -> row.getAs[Long]("x") * 2), Seq("x2" -> ColumnDescriptor(ColumnType.Integer)))`
    */
  def map(f: org.apache.spark.sql.Row => scala.collection.Map[String, Any], newColumnTypes: Seq[(String, ColumnDescriptor)]): QueryBuilder =
    map(f, newColumnTypes, augment = false)

  /** For py4j (Python's `map`): `udf` reads column `__sparkdp_input` (the row as a struct) and gives a struct of
    * the new columns, named `names` and described by `descriptors`, in order.
    *
    * Example (Python, internal): `builder.map(udf(col("__sparkdp_input"))._jc, names, descriptors, True)`
    */
  def map(
      udf: org.apache.spark.sql.Column,
      names: java.util.List[String],
      descriptors: java.util.List[ColumnDescriptor],
      augment: Boolean
  ): QueryBuilder =
    new QueryBuilder(MapExpr(queryExpr, UdfRowFunction(udf), MapArguments.newColumns(names, descriptors), augment))

  /** Replaces each row by the rows `f` gives for it, at most `maxRows` of them (the first ones; Tumult's
    * `flat_map`). `maxRows` is required unless the table is protected by `AddRowsWithID`, where it is ignored
    * (and the ID column is kept: `augment` must be true). With `grouping`, `f` makes exactly one new column
    * whose values are distinct per input row (repeats are dropped), and the output is protected per value of
    * it, so group-bys on it get Tumult's tighter noise; the table must be protected by `AddOneRow` or
    * `AddMaxRows`, and `augment` must be true. The protected change of the output is Rust's to decide.
    *
    * Example: `QueryBuilder("sales").flatMap(row => Seq(Map("i" -> 1L), Map("i" -> 2L)), Seq("i" -> ColumnDescriptor(ColumnType.Integer)), augment = true, grouping = false, maxRows = Some(2))`
    */
  def flatMap(
      f: org.apache.spark.sql.Row => Seq[scala.collection.Map[String, Any]],
      newColumnTypes: Seq[(String, ColumnDescriptor)],
      augment: Boolean,
      grouping: Boolean,
      maxRows: Option[Int]
  ): QueryBuilder = {
    requireArgument(f != null, "f must be a function, not null.")
    new QueryBuilder(FlatMapExpr(queryExpr, ScalaRowFunction(f), newColumnTypes, augment, grouping, maxRows))
  }

  /** [[flatMap]] without `augment` or `grouping`, with `maxRows`.
    *
    * Example: `QueryBuilder("sales").flatMap(row => Seq(Map("i" -> 1L)), Seq("i" -> ColumnDescriptor(ColumnType.Integer)), 3)`
    */
  def flatMap(
      f: org.apache.spark.sql.Row => Seq[scala.collection.Map[String, Any]],
      newColumnTypes: Seq[(String, ColumnDescriptor)],
      maxRows: Int
  ): QueryBuilder = flatMap(f, newColumnTypes, augment = false, grouping = false, Some(maxRows))

  /** For py4j (Python's `flat_map`): `udf` reads column `__sparkdp_input` (the row as a struct) and gives an
    * array of structs of the new columns; a null `maxRows` means none was given.
    *
    * Example (Python, internal): `builder.flatMap(udf(col("__sparkdp_input"))._jc, names, descriptors, False, False, 3)`
    */
  def flatMap(
      udf: org.apache.spark.sql.Column,
      names: java.util.List[String],
      descriptors: java.util.List[ColumnDescriptor],
      augment: Boolean,
      grouping: Boolean,
      maxRows: java.lang.Integer
  ): QueryBuilder =
    new QueryBuilder(
      FlatMapExpr(
        queryExpr,
        UdfRowFunction(udf),
        MapArguments.newColumns(names, descriptors),
        augment,
        grouping,
        Option(maxRows).map(_.intValue)
      )
    )

  /** Replaces the rows of each ID by the rows `f` gives for all of them, each with that ID (Tumult's
    * `flat_map_by_id`; only for tables protected by `AddRowsWithID`). The output has the ID column and the new
    * columns (which must not include the ID column).
    *
    * Example: `QueryBuilder("sales").flatMapByID(rows => Seq(Map("n" -> rows.size.toLong)), Seq("n" -> ColumnDescriptor(ColumnType.Integer)))`
    */
  def flatMapByID(
      f: Seq[org.apache.spark.sql.Row] => Seq[scala.collection.Map[String, Any]],
      newColumnTypes: Seq[(String, ColumnDescriptor)]
  ): QueryBuilder = {
    requireArgument(f != null, "f must be a function, not null.")
    new QueryBuilder(FlatMapByIDExpr(queryExpr, ScalaRowFunction(f), newColumnTypes))
  }

  /** For py4j (Python's `flat_map_by_id`): `udf` reads column `__sparkdp_input` (the ID's rows as an array of
    * structs) and gives an array of structs of the new columns.
    *
    * Example (Python, internal): `builder.flatMapByID(udf(col("__sparkdp_input"))._jc, names, descriptors)`
    */
  def flatMapByID(
      udf: org.apache.spark.sql.Column,
      names: java.util.List[String],
      descriptors: java.util.List[ColumnDescriptor]
  ): QueryBuilder =
    new QueryBuilder(FlatMapByIDExpr(queryExpr, UdfRowFunction(udf), MapArguments.newColumns(names, descriptors)))

  // ---- Joins (issue 10): joinPublic, joinPrivate.

  /** Groups the rows by the columns of `keyset`; the output has exactly one row per key of `keyset`.
    *
    * Example: `QueryBuilder("checkouts").enforce(MaxRowsPerID(20)).groupBy(keyset)`
    */
  def groupBy(keyset: KeySet): GroupedQueryBuilder = {
    requireArgument(keyset != null, "keyset must be a KeySet, not null.")
    new GroupedQueryBuilder(queryExpr, keyset)
  }

  /** The same as [[groupBy]], under Tumult's Python name.
    *
    * Example: `QueryBuilder("checkouts").enforce(MaxRowsPerID(20)).groupby(keyset)`
    */
  def groupby(keyset: KeySet): GroupedQueryBuilder = groupBy(keyset)

  /** The number of rows, as one row with one column named `count` (Tumult's ungrouped `count()`).
    *
    * Example: `QueryBuilder("checkouts").enforce(MaxRowsPerID(20)).count()`
    */
  def count(): Query = count(GroupedQueryBuilder.DefaultCountColumn)

  /** The number of rows, in a column named `name`.
    *
    * Example: `QueryBuilder("checkouts").enforce(MaxRowsPerID(20)).count("checkouts")`
    */
  def count(name: String): Query = count(name, CountMechanism.Default)

  /** The number of rows, in a column named `name`, with noise of `mechanism`.
    *
    * Example: `QueryBuilder("checkouts").enforce(MaxRowsPerID(20)).count("count", CountMechanism.Laplace)`
    */
  def count(name: String, mechanism: CountMechanism): Query = Query(UngroupedCount(queryExpr, name, mechanism))

  /** For Java and py4j (Tumult's `count(name=None, mechanism="default")`): a null `name` means `count`;
    * `mechanism` is a mechanism's name, case-insensitive.
    *
    * Example (Java): `new QueryBuilder("checkouts").count(null, "laplace")`
    */
  def count(name: String, mechanism: String): Query =
    count(Option(name).getOrElse(GroupedQueryBuilder.DefaultCountColumn), CountMechanism.fromName(mechanism))

  /** The combinations of values of `columns` that appear in the data, each released only when its noisy
    * count passes Rust's threshold (Tumult's `get_groups`); empty `columns` means every column except an
    * `AddRowsWithID` table's ID column. The output has exactly those columns.
    *
    * Example: `QueryBuilder("checkouts").getGroups(Seq("isbn"))`
    */
  def getGroups(columns: Seq[String]): Query = {
    requireArgument(columns != null, "columns must be a list of column names, not null.")
    Query(GetGroups(queryExpr, columns))
  }

  /** [[getGroups]] of every column (but an ID column).
    *
    * Example: `QueryBuilder("checkouts").getGroups()`
    */
  def getGroups(): Query = getGroups(Seq.empty[String])

  /** For Java and py4j (Tumult's `get_groups(columns=None)`): null or empty means every column.
    *
    * Example (Java): `new QueryBuilder("checkouts").getGroups(java.util.Arrays.asList("isbn"))`
    */
  def getGroups(columns: java.util.List[String]): Query = getGroups(AggregationMethods.toSeq(columns))

  /** Example: `QueryBuilder("checkouts").toString == "QueryBuilder(PrivateSource(checkouts))"` */
  override def toString: String = s"QueryBuilder($queryExpr)"
}

/** Starts query builders.
  *
  * Example: `QueryBuilder("checkouts")`
  */
object QueryBuilder {

  /** Starts a query on the private table `sourceId`.
    *
    * Example: `QueryBuilder("checkouts").enforce(MaxRowsPerID(20))`
    */
  def apply(sourceId: String): QueryBuilder = new QueryBuilder(sourceId)
}

/** A query grouped by a keyset, waiting for its aggregation (Tumult's `GroupedQueryBuilder`).
  *
  * Example:
  * {{{
  * val query = QueryBuilder("checkouts").enforce(MaxRowsPerID(20)).groupBy(keyset).count()
  * }}}
  */
final class GroupedQueryBuilder private[sparkdp] (queryExpr: QueryExpr, keyset: KeySet)
    extends AggregationMethods {

  protected override def keysetOption: Option[KeySet] = Some(keyset)
  protected override def aggregatedExpr: QueryExpr = queryExpr

  /** The number of rows per key, in a column named `count`.
    *
    * Example: `QueryBuilder("checkouts").enforce(MaxRowsPerID(20)).groupBy(keyset).count()`
    */
  def count(): GroupbyCountQuery = count(GroupedQueryBuilder.DefaultCountColumn)

  /** The number of rows per key, in a column named `name`.
    *
    * Example: `QueryBuilder("checkouts").enforce(MaxRowsPerID(20)).groupBy(keyset).count("checkouts")`
    */
  def count(name: String): GroupbyCountQuery = count(name, CountMechanism.Default)

  /** The number of rows per key, in a column named `name`, with noise of `mechanism`.
    *
    * Example: `QueryBuilder("checkouts").enforce(MaxRowsPerID(20)).groupBy(keyset).count("count", CountMechanism.Laplace)`
    */
  def count(name: String, mechanism: CountMechanism): GroupbyCountQuery =
    new GroupbyCountQuery(GroupByCount(queryExpr, keyset, name, mechanism))

  /** For Java and py4j (Tumult's `count(name=None, mechanism="default")`): a null `name` means the default,
    * `count`; `mechanism` is a mechanism's name, case-insensitive (`"default"`, `"laplace"`, `"gaussian"`).
    *
    * Example (Java): `grouped.count(null, "laplace")`
    */
  def count(name: String, mechanism: String): GroupbyCountQuery =
    count(Option(name).getOrElse(GroupedQueryBuilder.DefaultCountColumn), CountMechanism.fromName(mechanism))

  /** Example: `groupedBuilder.toString == "GroupedQueryBuilder(PrivateSource(checkouts), KeySet(title: string))"` */
  override def toString: String = s"GroupedQueryBuilder($queryExpr, $keyset)"
}

private object GroupedQueryBuilder {
  val DefaultCountColumn = "count"
}

/** A complete query, ready for `Session.evaluate` (Tumult's `Query`).
  *
  * Example:
  * {{{
  * val query: Query = QueryBuilder("checkouts").enforce(MaxRowsPerID(20)).groupBy(keyset).count()
  * session.evaluate(query, PureDPBudget(1))
  * }}}
  *
  * @param queryExpr the query expression tree
  */
class Query(val queryExpr: QueryExpr) extends Serializable {
  requireArgument(queryExpr != null, "queryExpr must be a query expression, not null.")

  override def equals(other: Any): Boolean = other match {
    case that: Query => that.queryExpr == queryExpr
    case _           => false
  }

  override def hashCode: Int = queryExpr.hashCode

  /** Example: `Query(PrivateSource("a")).toString == "Query(PrivateSource(a))"` */
  override def toString: String = s"Query($queryExpr)"
}

/** Makes queries from expression trees.
  *
  * Example: `Query(UngroupedCount(PrivateSource("checkouts"), "count"))`
  */
object Query {

  /** Example: `Query(UngroupedCount(PrivateSource("checkouts"), "count"))` */
  def apply(queryExpr: QueryExpr): Query = new Query(queryExpr)
}

/** A grouped count, which may be post-processed with [[suppress]] (Tumult's `GroupbyCountQuery`).
  *
  * Example: `QueryBuilder("checkouts").groupBy(keyset).count().suppress(10)`
  */
final class GroupbyCountQuery private[sparkdp] (val groupByCount: GroupByCount) extends Query(groupByCount) {

  /** The same count without the keys whose noisy count is below `threshold` (post-processing: the budget
    * spent is the count's).
    *
    * Example: `QueryBuilder("checkouts").groupBy(keyset).count().suppress(10.0)`
    */
  def suppress(threshold: Double): Query = Query(SuppressAggregates(groupByCount, threshold))
}
