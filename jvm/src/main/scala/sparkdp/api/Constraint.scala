package sparkdp

import sparkdp.ArgumentChecks.requireArgument

/** A limit on how much each ID may contribute, enforced on a table by `QueryBuilder.enforce` (Tumult's
  * `Constraint`). Enforcing it is what gives a query under [[AddRowsWithID]] a bounded sensitivity; only
  * tables protected by `AddRowsWithID` take constraints. Its text form for Rust is built by
  * `sparkdp.bridge.WireText`.
  *
  * Example:
  * {{{
  * val constraint: Constraint = MaxRowsPerID(20)
  * }}}
  */
sealed trait Constraint {

  /** The column whose values this constraint limits per ID: the one place that says which constraints have
    * one (the compiler checks it exists, the truncation hashes its values).
    *
    * Example: `MaxGroupsPerID("isbn", 5).groupingColumnOption == Some("isbn")`
    */
  private[sparkdp] def groupingColumnOption: Option[String] = this match {
    case MaxRowsPerID(_)                 => None
    case MaxGroupsPerID(column, _)       => Some(column)
    case MaxRowsPerGroupPerID(column, _) => Some(column)
  }
}

/** Keep at most `max` rows per ID (Tumult's `MaxRowsPerID`). Which rows are kept depends only on each ID's
  * own rows (a secret-keyed hash of each row), so it is the same on every re-evaluation.
  *
  * Example:
  * {{{
  * QueryBuilder("checkouts").enforce(MaxRowsPerID(20))
  * }}}
  *
  * @param max the largest number of rows kept for one ID, at least 1
  */
final case class MaxRowsPerID(max: Int) extends Constraint {
  requireArgument(max >= 1, s"MaxRowsPerID max must be at least 1, not $max.")
}

/** Keep, per ID, the rows of at most `max` distinct values of `groupingColumn` (Tumult's `MaxGroupsPerID`).
  * Paired with [[MaxRowsPerGroupPerID]] on the same column it bounds a count grouped by that column.
  *
  * Example:
  * {{{
  * QueryBuilder("checkouts").enforce(MaxGroupsPerID("isbn", 3)).enforce(MaxRowsPerGroupPerID("isbn", 2))
  * }}}
  *
  * @param groupingColumn the column whose distinct values are limited per ID
  * @param max            the largest number of distinct values kept for one ID, at least 1
  */
final case class MaxGroupsPerID(groupingColumn: String, max: Int) extends Constraint {
  requireArgument(
    groupingColumn != null && groupingColumn.nonEmpty,
    s"MaxGroupsPerID grouping_column must be a non-empty column name, not '$groupingColumn'."
  )
  requireArgument(max >= 1, s"MaxGroupsPerID max must be at least 1, not $max.")
}

/** Keep, per ID and value of `groupingColumn`, at most `max` rows (Tumult's `MaxRowsPerGroupPerID`).
  *
  * Example:
  * {{{
  * QueryBuilder("checkouts").enforce(MaxGroupsPerID("isbn", 3)).enforce(MaxRowsPerGroupPerID("isbn", 2))
  * }}}
  *
  * @param groupingColumn the column whose values the rows are limited in
  * @param max            the largest number of rows kept for one ID in one value, at least 1
  */
final case class MaxRowsPerGroupPerID(groupingColumn: String, max: Int) extends Constraint {
  requireArgument(
    groupingColumn != null && groupingColumn.nonEmpty,
    s"MaxRowsPerGroupPerID grouping_column must be a non-empty column name, not '$groupingColumn'."
  )
  requireArgument(max >= 1, s"MaxRowsPerGroupPerID max must be at least 1, not $max.")
}
