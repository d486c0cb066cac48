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
  def count(): GroupbyCountQuery = count(GroupedQueryBuilder.DefaultCountColumn)

  /** The number of rows, in a column named `name`.
    *
    * Example: `QueryBuilder("checkouts").enforce(MaxRowsPerID(20)).count("checkouts")`
    */
  def count(name: String): GroupbyCountQuery = count(name, CountMechanism.Default)

  /** The number of rows, in a column named `name`, with noise of `mechanism`.
    *
    * Example: `QueryBuilder("checkouts").enforce(MaxRowsPerID(20)).count("count", CountMechanism.Laplace)`
    */
  def count(name: String, mechanism: CountMechanism): GroupbyCountQuery =
    new GroupbyCountQuery(UngroupedCount(queryExpr, name, mechanism))

  /** For Java and py4j (Tumult's `count(name=None, mechanism="default")`): a null `name` means `count`;
    * `mechanism` is a mechanism's name, case-insensitive.
    *
    * Example (Java): `new QueryBuilder("checkouts").count(null, "laplace")`
    */
  def count(name: String, mechanism: String): GroupbyCountQuery =
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

/** A count, grouped or ungrouped, which may be post-processed with [[suppress]] (Tumult's `GroupbyCountQuery`,
  * which both `QueryBuilder.count()` and `GroupedQueryBuilder.count()` return).
  *
  * Example: `QueryBuilder("checkouts").groupBy(keyset).count().suppress(10)`
  */
final class GroupbyCountQuery private[sparkdp] (val groupByCount: CountAggregation) extends Query(groupByCount) {

  /** The same count without the keys whose noisy count is below `threshold` (post-processing: the budget
    * spent is the count's).
    *
    * Example: `QueryBuilder("checkouts").groupBy(keyset).count().suppress(10.0)`
    */
  def suppress(threshold: Double): Query = Query(SuppressAggregates(groupByCount, threshold))
}
