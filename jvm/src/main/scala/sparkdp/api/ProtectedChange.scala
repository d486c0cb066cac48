package sparkdp

import sparkdp.ArgumentChecks.requireArgument

/** What change to the private data a session protects (Tumult's `ProtectedChange`): the neighbouring
  * relation of the differential privacy guarantee. Its text form for Rust is built by `sparkdp.bridge.WireText`.
  *
  * Example:
  * {{{
  * val change: ProtectedChange = AddRowsWithID("member_id")
  * }}}
  */
sealed trait ProtectedChange

/** Protects adding or removing one row (Tumult's `AddOneRow`).
  *
  * Example: `Session.fromDataFrame(PureDPBudget(1), "checkouts", checkoutsDf, AddOneRow())`
  */
final case class AddOneRow() extends ProtectedChange

/** Protects adding or removing up to `maxRows` rows (Tumult's `AddMaxRows`).
  *
  * Example: `Session.fromDataFrame(PureDPBudget(1), "checkouts", checkoutsDf, AddMaxRows(5))`
  *
  * @param maxRows the most rows one change adds or removes, at least 1
  */
final case class AddMaxRows(maxRows: Int) extends ProtectedChange {
  requireArgument(maxRows >= 1 || (maxRows == 0 && AddMaxRows.buildingNoChange.value), s"max_rows must be positive, but got $maxRows.")
}

object AddMaxRows {
  private val buildingNoChange = new scala.util.DynamicVariable(false)

  /** `AddMaxRows(0)`, which users cannot build (Tumult's `AddMaxRows` needs max_rows ≥ 1): the change of a table
    * that no change of the input alters, as Rust gives it for a flat map with max_rows = 0 (its output has no
    * rows; Tumult's stability 0). Its queries are constant and Rust gives them no noise.
    */
  private[sparkdp] def noChange: AddMaxRows = buildingNoChange.withValue(true)(new AddMaxRows(0))
}

/** Protects adding or removing up to `maxRowsPerGroup` rows in each of up to `maxGroups` values of
  * `groupingColumn` (Tumult's `AddMaxRowsInMaxGroups`).
  *
  * Example: `Session.fromDataFrame(PureDPBudget(1), "checkouts", checkoutsDf, AddMaxRowsInMaxGroups("isbn", 2, 3))`
  *
  * @param groupingColumn  the column whose values the changed rows fall in
  * @param maxGroups       the most values of `groupingColumn` one change touches, at least 1
  * @param maxRowsPerGroup the most rows one change adds or removes per value, at least 1
  */
final case class AddMaxRowsInMaxGroups(groupingColumn: String, maxGroups: Int, maxRowsPerGroup: Int)
    extends ProtectedChange {
  requireArgument(
    groupingColumn != null && groupingColumn.nonEmpty,
    s"grouping_column must be a non-empty column name, not '$groupingColumn'."
  )
  requireArgument(maxGroups >= 1, s"max_groups must be positive, but got $maxGroups.")
  requireArgument(maxRowsPerGroup >= 1, s"max_rows_per_group must be positive, but got $maxRowsPerGroup.")
}

/** Protects adding or removing all rows that share one value of `idColumn` (Tumult's `AddRowsWithID`):
  * everything one person (one ID) contributed is hidden, however many rows that is. Queries must then bound
  * each ID's contribution with a constraint such as [[MaxRowsPerID]]. Rows whose ID is null count as rows of
  * one and the same ID (as Spark groups nulls, and as Tumult truncates them): together they keep at most k rows.
  *
  * Example:
  * {{{
  * val change = AddRowsWithID("member_id")
  * val sameIds = AddRowsWithID("member_id", Some("library_members"))
  * }}}
  *
  * @param idColumn the column that identifies the person (or other unit) to protect
  * @param idSpace  the identifier space, for sessions whose tables share IDs (Tumult's `id_space`)
  */
final case class AddRowsWithID(idColumn: String, idSpace: Option[String] = None) extends ProtectedChange {
  requireArgument(idColumn != null && idColumn.nonEmpty, s"idColumn must be a non-empty column name, not '$idColumn'.")
  requireArgument(idSpace != null, "idSpace must be Some(name) or None, not null.")
  requireArgument(
    idSpace.forall(space => space != null && space.nonEmpty),
    s"idSpace must be a non-empty name when given, not '${idSpace.orNull}'."
  )

  /** For Java and py4j, which cannot use Scala default arguments.
    *
    * Example (Java): `new AddRowsWithID("member_id")`
    */
  def this(idColumn: String) = this(idColumn, None)

  /** For Java and py4j, which have no Scala `Option`: a null `idSpace` means none.
    *
    * Example (Java): `new AddRowsWithID("member_id", "library_members")`
    */
  def this(idColumn: String, idSpace: String) = this(idColumn, Option(idSpace))
}
