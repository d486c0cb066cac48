package sparkdp

import org.apache.spark.sql.DataFrame

import sparkdp.ArgumentChecks.requireArgument
import sparkdp.bridge.{Native, WireText}
import sparkdp.plan.{EvaluationContext, PrivateTable, QueryCompiler}
import sparkdp.warehouse.SessionWarehouse

/** Answers queries on private data within a total privacy budget (Tumult's `Session`).
  *
  * Each `evaluate` spends the budget it is given, and only when its result has been computed, stored in the
  * session's database and checked. Results live in that database (under `spark.sql.warehouse.dir`) until
  * `stop()`, so collecting a returned DataFrame again gives the same values.
  *
  * Example:
  * {{{
  * val session = Session.fromDataFrame(PureDPBudget(2), "checkouts", checkoutsDf, AddRowsWithID("member_id"))
  * val keyset = KeySet.fromDataFrame(booksDf.select("title", "author", "isbn"))
  * val output = session.evaluate(
  *   QueryBuilder("checkouts").enforce(MaxRowsPerID(20)).groupBy(keyset).count(), PureDPBudget(2))
  * session.stop()
  * }}}
  */
final class Session private (
    tables: Map[String, PrivateTable],
    sourceOrder: Seq[String],
    initialBudgetText: String,
    truncationKey: Array[Byte],
    noiseKey: Array[Byte],
    private[sparkdp] val warehouse: SessionWarehouse
) {
  private var remainingBudgetText: String = initialBudgetText
  private var nextQueryIndex: Long = 0L
  private var isStopped: Boolean = false

  /** The names of the private tables, in the order they were added.
    *
    * Example: `session.privateSources == Seq("checkouts")`
    */
  def privateSources: Seq[String] = sourceOrder

  /** The budget not yet spent, rounded down, so passing it to `evaluate` always fits.
    *
    * It has the session's type (`PureDPBudget`, `ApproxDPBudget` or `RhoZCDPBudget`), each value rounded down
    * by Rust.
    *
    * Example: `session.remainingPrivacyBudget == PureDPBudget(1.5)` after spending 0.5 of 2.
    */
  def remainingPrivacyBudget: PrivacyBudget = synchronized {
    WireText.budgetOfKind(remainingBudgetText, Native.get.budgetToDoubles(remainingBudgetText, false))
  }

  /** Answers `query` with `privacyBudget` of the session's budget and returns the noisy result: the keyset's
    * columns, in keyset order, then the count column (LongType).
    *
    * Throws `IllegalArgumentException` for a query that does not fit the data (unknown table or column, a
    * constraint that does not apply, …) or a `privacyBudget` of another type than the session's,
    * `java.util.NoSuchElementException` for a KeySet column the table lacks, `UnsupportedQueryException` when an
    * ID table lacks the constraint the query needs, `InsufficientBudgetException` (Tumult's Requested /
    * Remaining / Difference text, made in Rust) if `privacyBudget` exceeds what remains, `WarehouseException`
    * if the result cannot be stored, and `SessionStoppedException` (an `IllegalStateException`) after `stop()`.
    * In all these cases nothing is spent. Each call, failed or not, uses a fresh query index, so two evaluations
    * of the same query get independent noise. As in Tumult, a `privacyBudget` above what remains by at most a
    * billionth of it (float rounding, e.g. the tenth of ten ε = 0.1 out of 1) spends exactly what remains.
    *
    * Example:
    * {{{
    * val output = session.evaluate(
    *   QueryBuilder("checkouts").enforce(MaxRowsPerID(20)).groupBy(keyset).count(), PureDPBudget(1))
    * }}}
    */
  def evaluate(query: Query, privacyBudget: PrivacyBudget): DataFrame = synchronized {
    requireActive()
    val queryIndex = nextQueryIndex
    nextQueryIndex += 1
    requireArgument(query != null, "query must be a Query, not null.")
    requireArgument(privacyBudget != null, "privacyBudget must be a PrivacyBudget, not null.")
    requireArgument(
      !WireText.isZeroBudget(privacyBudget.toBudgetText),
      "You need a non-zero privacy budget to evaluate a query."
    )
    // Rust decides what the query spends (Tumult's tolerance included) or refuses it (type mismatch, too little
    // left), before anything runs.
    val chargedBudgetText = Native.get.budgetCharge(remainingBudgetText, privacyBudget.toBudgetText)
    // Validation (in compile) first: a query rejected for its table, columns or constraints must not create the
    // session's database, which in a persistent catalog (Hive metastore, Glue) would outlive a program that never
    // stops the session. With adaptive query execution (on by default from Spark 3.2) compile may already run the
    // truncation shuffle, when it plans the RDDs of the Rust steps: only for a query that passed validation.
    val compiled = QueryCompiler.compile(
      query.queryExpr,
      tables,
      EvaluationContext(truncationKey, noiseKey, queryIndex, chargedBudgetText)
    )
    // Fail on a misconfigured warehouse before the result is computed.
    warehouse.ensureDatabase()
    // The expected row count may need one Spark job (get_groups: the released cells); computed once.
    val storedResult =
      compiled.afterStore(warehouse.materialize(compiled.result, queryIndex, compiled.expectedRows.rowCount()))
    // Charged only now that the result is stored and verified. budgetCharge accepted it above and evaluate is
    // synchronized, so this cannot fail short of a bug; if it does, nothing is released.
    remainingBudgetText =
      try Native.get.budgetSubtract(remainingBudgetText, chargedBudgetText)
      catch {
        case failure: Throwable =>
          warehouse.dropQueryTable(queryIndex)
          throw failure
      }
    storedResult
  }

  /** Drops the session's database and every result table in it; the DataFrames returned by `evaluate` can no
    * longer be read afterwards. Idempotent. Later calls to `evaluate` throw `SessionStoppedException`. A session
    * never stopped has its database dropped when the JVM exits (a shutdown hook, see `SessionWarehouse`).
    *
    * Example: `session.stop()`
    */
  def stop(): Unit = synchronized {
    if (!isStopped) {
      warehouse.dropDatabase()
      isStopped = true
    }
  }

  /** Example: `session.toString == "Session(privateSources=[checkouts])"` */
  override def toString: String = sourceOrder.mkString("Session(privateSources=[", ", ", "])")

  private def requireActive(): Unit =
    if (isStopped) {
      throw new SessionStoppedException("This session is no longer active: it was stopped with session.stop().")
    }

}

/** Creates sessions.
  *
  * Example:
  * {{{
  * val session = Session.fromDataFrame(PureDPBudget(2), "checkouts", checkoutsDf, AddRowsWithID("member_id"))
  * }}}
  */
object Session {

  /** A session with one private table, `dataframe`, registered as `sourceId` and protected by
    * `protectedChange`, and a total budget of `privacyBudget`. Nothing is read from the data yet.
    *
    * The session draws a 256-bit secret from the OS and derives two keys from it: one for choosing rows under
    * MaxRowsPerID (which appears in Spark plans as literals) and one for noise (which never does), so seeing
    * the first reveals nothing about the second.
    *
    * Example:
    * {{{
    * val session = Session.fromDataFrame(PureDPBudget(2), "checkouts", checkoutsDf, AddRowsWithID("member_id"))
    * }}}
    */
  def fromDataFrame(
      privacyBudget: PrivacyBudget,
      sourceId: String,
      dataframe: DataFrame,
      protectedChange: ProtectedChange
  ): Session = {
    requireArgument(privacyBudget != null, "privacyBudget must be a PrivacyBudget, not null.")
    requireArgument(sourceId != null && sourceId.nonEmpty, s"sourceId must be a non-empty table name, not '$sourceId'.")
    requireArgument(dataframe != null, "dataframe must be a DataFrame, not null.")
    requireArgument(protectedChange != null, "protectedChange must be a ProtectedChange, not null.")
    val changeColumn = protectedChange match {
      case AddRowsWithID(idColumn, _)                 => Some(idColumn)
      case AddMaxRowsInMaxGroups(groupingColumn, _, _) => Some(groupingColumn)
      case AddOneRow() | AddMaxRows(_)                 => None
    }
    changeColumn.foreach { column =>
      requireArgument(
        dataframe.columns.contains(column),
        s"Column '$column' does not exist in this table, available columns are " +
          dataframe.columns.map(name => s"'$name'").mkString("[", ", ", "]")
      )
    }
    val budgetText = privacyBudget.toBudgetText
    val native = Native.get
    val secret = native.newSessionSecret()
    val (truncationKey, noiseKey) =
      try Tuple2(native.deriveKey(secret, "truncation"), native.deriveKey(secret, "noise"))
      finally java.util.Arrays.fill(secret, 0.toByte)
    new Session(
      Map(sourceId -> PrivateTable(dataframe, protectedChange)),
      Seq(sourceId),
      budgetText,
      truncationKey,
      noiseKey,
      new SessionWarehouse(dataframe.sparkSession)
    )
  }
}
