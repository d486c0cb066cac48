package sparkdp

import sparkdp.ArgumentChecks.requireArgument

/** A limit on how much each ID may contribute, enforced on a table by `QueryBuilder.enforce` (Tumult's
  * `Constraint`). Enforcing it is what gives a query under [[AddRowsWithID]] a bounded sensitivity.
  *
  * Example:
  * {{{
  * val constraint: Constraint = MaxRowsPerID(20)
  * }}}
  */
sealed trait Constraint {

  /** The constraint in the text form of docs/CONTRACTS.md, for Rust's calibration.
    *
    * Example: `MaxRowsPerID(20).toConstraintText == "MaxRowsPerID:20"`
    */
  private[sparkdp] def toConstraintText: String
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

  /** Example: `MaxRowsPerID(20).toConstraintText == "MaxRowsPerID:20"` */
  private[sparkdp] override def toConstraintText: String = s"MaxRowsPerID:$max"
}
