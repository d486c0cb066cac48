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
final class QueryBuilder private (private[sparkdp] val queryExpr: QueryExpr) {

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
final class GroupedQueryBuilder private[sparkdp] (queryExpr: QueryExpr, keyset: KeySet) {

  /** The number of rows per key, in a column named `count`.
    *
    * Example: `QueryBuilder("checkouts").enforce(MaxRowsPerID(20)).groupBy(keyset).count()`
    */
  def count(): Query = count(GroupedQueryBuilder.DefaultCountColumn)

  /** The number of rows per key, in a column named `name`.
    *
    * Example: `QueryBuilder("checkouts").enforce(MaxRowsPerID(20)).groupBy(keyset).count("checkouts")`
    */
  def count(name: String): Query = count(name, CountMechanism.Default)

  /** The number of rows per key, in a column named `name`, with noise of `mechanism`.
    *
    * Example: `QueryBuilder("checkouts").enforce(MaxRowsPerID(20)).groupBy(keyset).count("count", CountMechanism.Laplace)`
    */
  def count(name: String, mechanism: CountMechanism): Query = Query(GroupByCount(queryExpr, keyset, name, mechanism))

  /** For Java and py4j (Tumult's `count(name=None, mechanism="default")`): a null `name` means the default,
    * `count`; `mechanism` is a mechanism's name, case-insensitive (`"default"`, `"laplace"`, `"gaussian"`).
    *
    * Example (Java): `grouped.count(null, "laplace")`
    */
  def count(name: String, mechanism: String): Query =
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
final case class Query(queryExpr: QueryExpr) {
  requireArgument(queryExpr != null, "queryExpr must be a query expression, not null.")
}
