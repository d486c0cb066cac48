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

  /** Joins the rows so far with the session's public table `publicTable` on every common column (an inner join;
    * null keys match each other). The output has the join columns, then the other columns of this table, then
    * those of the public table; a common column that is not a join column gets the suffix `_left` / `_right`.
    *
    * Example: `QueryBuilder("checkouts").joinPublic("books")`
    */
  def joinPublic(publicTable: String): QueryBuilder = joinPublicTable(Left(publicTable), None, "inner")

  /** [[joinPublic]] with a public DataFrame instead of a table of the session.
    *
    * Example: `QueryBuilder("checkouts").joinPublic(booksDf)`
    */
  def joinPublic(publicTable: org.apache.spark.sql.DataFrame): QueryBuilder = joinPublicTable(Right(publicTable), None, "inner")

  /** [[joinPublic]] on `joinColumns` (non-empty, distinct, common to both tables with the same column types).
    *
    * Example: `QueryBuilder("checkouts").joinPublic("books", Seq("isbn"))`
    */
  def joinPublic(publicTable: String, joinColumns: Seq[String]): QueryBuilder =
    joinPublicTable(Left(publicTable), Some(joinColumns), "inner")

  /** Example: `QueryBuilder("checkouts").joinPublic(booksDf, Seq("isbn"))` */
  def joinPublic(publicTable: org.apache.spark.sql.DataFrame, joinColumns: Seq[String]): QueryBuilder =
    joinPublicTable(Right(publicTable), Some(joinColumns), "inner")

  /** [[joinPublic]] on `joinColumns` with join type `how`: "inner" or "left" (a left join keeps this table's rows
    * that match no public row, with nulls in the public columns).
    *
    * Example: `QueryBuilder("checkouts").joinPublic("books", Seq("isbn"), "left")`
    */
  def joinPublic(publicTable: String, joinColumns: Seq[String], how: String): QueryBuilder =
    joinPublicTable(Left(publicTable), Some(joinColumns), how)

  /** Example: `QueryBuilder("checkouts").joinPublic(booksDf, Seq("isbn"), "left")` */
  def joinPublic(publicTable: org.apache.spark.sql.DataFrame, joinColumns: Seq[String], how: String): QueryBuilder =
    joinPublicTable(Right(publicTable), Some(joinColumns), how)

  /** For Java and py4j (Tumult's `join_public(public_table, join_columns=None, how="inner")`): null or empty
    * `joinColumns` joins on every common column.
    *
    * Example (Java): `new QueryBuilder("checkouts").joinPublic("books", java.util.Arrays.asList("isbn"), "inner")`
    */
  def joinPublic(publicTable: String, joinColumns: java.util.List[String], how: String): QueryBuilder =
    joinPublicTable(Left(publicTable), QueryBuilder.joinColumnsOption(joinColumns), how)

  /** Example (Java): `new QueryBuilder("checkouts").joinPublic(booksDf, null, "left")` */
  def joinPublic(publicTable: org.apache.spark.sql.DataFrame, joinColumns: java.util.List[String], how: String): QueryBuilder =
    joinPublicTable(Right(publicTable), QueryBuilder.joinColumnsOption(joinColumns), how)

  private def joinPublicTable(
      publicTable: Either[String, org.apache.spark.sql.DataFrame],
      joinColumns: Option[Seq[String]],
      how: String
  ): QueryBuilder = new QueryBuilder(JoinPublic(queryExpr, publicTable, joinColumns, how))

  /** Joins the rows so far with the rows of another query on a private table, `rightOperand`, on every common
    * column: for two `AddRowsWithID` tables of one ID space, joined on (at least) the ID column. Column order and
    * suffixes as [[joinPublic]]'s.
    *
    * Example: `QueryBuilder("checkouts").joinPrivate(QueryBuilder("holds"))`
    */
  def joinPrivate(rightOperand: QueryBuilder): QueryBuilder = joinPrivateTable(rightOperand, None, None, None)

  /** [[joinPrivate]] on `joinColumns`.
    *
    * Example: `QueryBuilder("checkouts").joinPrivate(QueryBuilder("holds"), Seq("member_id", "isbn"))`
    */
  def joinPrivate(rightOperand: QueryBuilder, joinColumns: Seq[String]): QueryBuilder =
    joinPrivateTable(rightOperand, None, None, Some(joinColumns))

  /** [[joinPrivate]] of tables without IDs: each side is first truncated by its strategy (Tumult's
    * `left_truncation_strategy` / `right_truncation_strategy`), which bounds how much the join can change.
    *
    * Example: `QueryBuilder("orders").joinPrivate(QueryBuilder("returns"), TruncationStrategy.DropExcess(2), TruncationStrategy.DropNonUnique())`
    */
  def joinPrivate(
      rightOperand: QueryBuilder,
      leftTruncationStrategy: TruncationStrategy,
      rightTruncationStrategy: TruncationStrategy
  ): QueryBuilder =
    joinPrivateTable(rightOperand, Some(leftTruncationStrategy), Some(rightTruncationStrategy), None)

  /** [[joinPrivate]] with truncation strategies on `joinColumns`.
    *
    * Example: `QueryBuilder("orders").joinPrivate(QueryBuilder("returns"), TruncationStrategy.DropExcess(2), TruncationStrategy.DropExcess(1), Seq("order_id"))`
    */
  def joinPrivate(
      rightOperand: QueryBuilder,
      leftTruncationStrategy: TruncationStrategy,
      rightTruncationStrategy: TruncationStrategy,
      joinColumns: Seq[String]
  ): QueryBuilder =
    joinPrivateTable(rightOperand, Some(leftTruncationStrategy), Some(rightTruncationStrategy), Some(joinColumns))

  /** For Java and py4j (Tumult's `join_private(right_operand, left_truncation_strategy=None,
    * right_truncation_strategy=None, join_columns=None)`): a null strategy is None; null or empty `joinColumns`
    * joins on every common column.
    *
    * Example (Java): `new QueryBuilder("orders").joinPrivate(new QueryBuilder("returns"), new TruncationStrategy.DropExcess(2), new TruncationStrategy.DropNonUnique(), null)`
    */
  def joinPrivate(
      rightOperand: QueryBuilder,
      leftTruncationStrategy: TruncationStrategy,
      rightTruncationStrategy: TruncationStrategy,
      joinColumns: java.util.List[String]
  ): QueryBuilder =
    joinPrivateTable(
      rightOperand,
      Option(leftTruncationStrategy),
      Option(rightTruncationStrategy),
      QueryBuilder.joinColumnsOption(joinColumns)
    )

  private def joinPrivateTable(
      rightOperand: QueryBuilder,
      leftTruncationStrategy: Option[TruncationStrategy],
      rightTruncationStrategy: Option[TruncationStrategy],
      joinColumns: Option[Seq[String]]
  ): QueryBuilder = {
    requireArgument(rightOperand != null, "rightOperand must be a QueryBuilder, not null.")
    new QueryBuilder(JoinPrivate(queryExpr, rightOperand.queryExpr, leftTruncationStrategy, rightTruncationStrategy, joinColumns))
  }

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

  /** py4j's join columns: null or empty means None (every common column). */
  private def joinColumnsOption(joinColumns: java.util.List[String]): Option[Seq[String]] =
    Option(joinColumns).filter(!_.isEmpty).map(columns => AggregationMethods.toSeq(columns))
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
