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
final case class PrivateSource(sourceId: String) extends QueryExpr {
  requireArgument(sourceId != null && sourceId.nonEmpty, s"sourceId must be a non-empty table name, not '$sourceId'.")
}

/** `child` with `constraint` enforced on it (Tumult's `EnforceConstraint`).
  *
  * Example: `EnforceConstraint(PrivateSource("checkouts"), MaxRowsPerID(20))`
  *
  * @param child      the table the constraint is enforced on
  * @param constraint the contribution bound to enforce
  */
final case class EnforceConstraint(child: QueryExpr, constraint: Constraint) extends QueryExpr {
  requireArgument(child != null, "child must be a query expression, not null.")
  requireArgument(constraint != null, "constraint must be a Constraint, not null.")
}

// ---- Row-wise transformations (issue 10): Filter, Select, Rename, ReplaceNullAndNan, DropNullAndNan,
// ReplaceInfinity, DropInfinity, BinColumn (histogram is a BinColumn + GroupByCount in the builder).

// ---- Map family (issue 10): Map, FlatMap, FlatMapByID.

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
) extends QueryExpr {
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
) extends QueryExpr {
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
) extends AggregationExpr {
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
) extends AggregationExpr {
  requireArgument(child != null, "child must be a query expression, not null.")
  requireArgument(mechanism != null, "mechanism must be a CountMechanism, not null.")
  requireArgument(
    outputColumn != null && outputColumn.nonEmpty,
    s"The output column name must be non-empty, not '$outputColumn'."
  )
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
final case class SuppressAggregates(child: GroupByCount, threshold: Double) extends AggregationExpr {
  requireArgument(child != null, "child must be a GroupByCount, not null.")
  requireArgument(!threshold.isNaN, "The suppression threshold must be a number, not NaN.")
}
