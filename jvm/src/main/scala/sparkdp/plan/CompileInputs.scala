package sparkdp.plan

import org.apache.spark.sql.DataFrame

import sparkdp.ProtectedChange

/** A private table registered in a session: its data and the change its guarantee protects.
  *
  * A view (`Session.createView`) is a private table too: `view` holds the prepared table its query compiled to
  * (its rows, protected change, constraints in force and column descriptors), which a query on the view starts
  * from; `dataframe` and `protectedChange` are then the view's.
  *
  * `idDistance` is the ID distance the table's measurements are compiled for, Rust's text: `"1"` for a table the
  * user registered; in a child of `partitionAndCreate` on an ID table, the one Rust planned (COMPILER_INTERFACES
  * §6.4). A view carries its own in `view`.
  *
  * Example: `PrivateTable(checkoutsDf, AddRowsWithID("member_id"))`
  */
private[sparkdp] final case class PrivateTable(
    dataframe: DataFrame,
    protectedChange: ProtectedChange,
    view: Option[sparkdp.plan.transform.PreparedTable] = None,
    idDistance: String = "1"
)

/** What the transformation compiler reads besides the private tables: the session's public tables (for
  * `join_public` by name) and the truncation key (for `join_private`'s `DropExcess`, chosen by keyed hash).
  *
  * Example: `CompileInputs(session.publicSourceDataframes, truncationKey)`
  */
private[sparkdp] final case class CompileInputs(publicTables: Map[String, DataFrame], truncationKey: Array[Byte])

/** What the compiler needs to know about one evaluation.
  *
  * Example: `EvaluationContext(truncationKey, noiseKey, queryIndex = 0, budgetText = "pure:2")`
  *
  * @param truncationKey the session's 32-byte key for choosing the rows constraints keep (may appear in plans)
  * @param noiseKey      the session's 32-byte noise key (never appears in plans: only inside tasks' closures)
  * @param queryIndex    this evaluation's index in the session
  * @param budgetText    the budget this query spends (Rust's `budgetCharge` of the request), in exact text form
  * @param publicTables  the session's public tables by name (`join_public` by name)
  */
private[sparkdp] final case class EvaluationContext(
    truncationKey: Array[Byte],
    noiseKey: Array[Byte],
    queryIndex: Long,
    budgetText: String,
    publicTables: Map[String, DataFrame] = Map.empty
) {

  /** What the transformation compiler reads besides the private tables. */
  def compileInputs: CompileInputs = CompileInputs(publicTables, truncationKey)
}

/** A compiled query: the (lazy) noisy result, how many rows it must have, and the post-processing applied to
  * the stored result (e.g. `suppress`'s filter; it reads stored values only, so re-reading gives the same rows).
  *
  * Example: `CompiledQuery(noisyCounts, KeysetRows(keysetSize))`
  */
private[sparkdp] final case class CompiledQuery(
    result: DataFrame,
    expectedRows: ExpectedRows,
    afterStore: DataFrame => DataFrame = identity
)

/** How many rows a stored result must have: checked after writing, so a short result is never returned.
  *
  * Example: `KeysetRows(4).rowCount() == 4`
  */
private[sparkdp] sealed trait ExpectedRows {

  /** The number of rows; may run one Spark job (`ReleasedRows`), so call it once. */
  def rowCount(): Long
}

/** One row per keyset key: the keyset size, known at compile time.
  *
  * Example: `KeysetRows(keysetSize)`
  */
private[sparkdp] final case class KeysetRows(keysetSize: Long) extends ExpectedRows {
  override def rowCount(): Long = keysetSize
}

/** As many rows as the release lets through (get_groups): the count of the released cells, computed once.
  * The noise of a cell depends only on (secret, query, measure, fp), so this count and the stored table see
  * the same released cells.
  *
  * Example: `ReleasedRows(releasedFingerprints)`
  */
private[sparkdp] final case class ReleasedRows(released: DataFrame) extends ExpectedRows {
  override def rowCount(): Long = released.count()
}
