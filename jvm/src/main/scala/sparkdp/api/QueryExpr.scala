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
) extends QueryExpr {
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
) extends QueryExpr {
  requireArgument(child != null, "child must be a query expression, not null.")
  requireArgument(mechanism != null, "mechanism must be a CountMechanism, not null.")
  requireArgument(
    outputColumn != null && outputColumn.nonEmpty,
    s"The output column name must be non-empty, not '$outputColumn'."
  )
}
