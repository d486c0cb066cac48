package sparkdp.plan

import org.apache.spark.sql.DataFrame

import sparkdp.ProtectedChange

/** A private table registered in a session: its data and the change its guarantee protects.
  *
  * Example: `PrivateTable(checkoutsDf, AddRowsWithID("member_id"))`
  */
private[sparkdp] final case class PrivateTable(dataframe: DataFrame, protectedChange: ProtectedChange)

/** What the compiler needs to know about one evaluation.
  *
  * Example: `EvaluationContext(truncationKey, noiseKey, queryIndex = 0, budgetText = "pure:2")`
  *
  * @param truncationKey the session's 32-byte key for choosing the rows constraints keep (may appear in plans)
  * @param noiseKey      the session's 32-byte noise key (never appears in plans: only inside tasks' closures)
  * @param queryIndex    this evaluation's index in the session
  * @param budgetText    the budget this query spends (Rust's `budgetCharge` of the request), in exact text form
  */
private[sparkdp] final case class EvaluationContext(
    truncationKey: Array[Byte],
    noiseKey: Array[Byte],
    queryIndex: Long,
    budgetText: String
)

/** A compiled query: the (lazy) noisy result and how many rows it must have.
  *
  * Example: `CompiledQuery(noisyCounts, expectedRowCount = keysetSize)`
  */
private[sparkdp] final case class CompiledQuery(result: DataFrame, expectedRowCount: Long)
