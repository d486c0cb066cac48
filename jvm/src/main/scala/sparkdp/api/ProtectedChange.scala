package sparkdp

import sparkdp.ArgumentChecks.requireArgument

/** What change to the private data a session protects (Tumult's `ProtectedChange`): the neighbouring
  * relation of the differential privacy guarantee.
  *
  * Example:
  * {{{
  * val change: ProtectedChange = AddRowsWithID("member_id")
  * }}}
  */
sealed trait ProtectedChange {

  /** The protected change in the text form of docs/CONTRACTS.md, for Rust's calibration.
    *
    * Example: `AddRowsWithID("member_id").toChangeText == "AddRowsWithID"`
    */
  private[sparkdp] def toChangeText: String
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

  /** Example: `AddRowsWithID("member_id").toChangeText == "AddRowsWithID"` */
  private[sparkdp] override def toChangeText: String = "AddRowsWithID"
}
