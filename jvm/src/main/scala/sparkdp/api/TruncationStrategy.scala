package sparkdp

import sparkdp.ArgumentChecks.requireArgument

/** How a private join of tables without IDs bounds the rows per join key of one side (Tumult's
  * `TruncationStrategy`). The joined table's protected change follows from both sides' strategies and changes;
  * Rust decides it (`privacy::stability::join`).
  *
  * Example: `QueryBuilder("orders").joinPrivate(QueryBuilder("returns"), TruncationStrategy.DropExcess(2), TruncationStrategy.DropNonUnique())`
  */
sealed trait TruncationStrategy

/** The two strategies.
  *
  * Example: `TruncationStrategy.DropExcess(3)`
  */
object TruncationStrategy {

  /** Keeps at most `maxRows` rows per join key; which rows is decided by a keyed hash of each row, not by row
    * order, so a re-evaluation or a retried task keeps the same rows.
    *
    * Example: `TruncationStrategy.DropExcess(2)`
    */
  final case class DropExcess(maxRows: Int) extends TruncationStrategy {
    requireArgument(maxRows >= 1, s"max_rows must be positive, but got $maxRows.")

    override def toString: String = s"DropExcess(max_rows=$maxRows)"
  }

  /** Drops every row whose join key appears more than once in its table.
    *
    * Example: `TruncationStrategy.DropNonUnique()`
    */
  final case class DropNonUnique() extends TruncationStrategy {
    override def toString: String = "DropNonUnique()"
  }
}
