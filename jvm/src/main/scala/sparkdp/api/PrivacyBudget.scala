package sparkdp

import sparkdp.ArgumentChecks.requireArgument
import sparkdp.bridge.Native

/** A privacy budget: how much privacy loss a session may spend in total, or one query may spend.
  *
  * Inside sparkdp a budget is an exact rational in the text form of docs/CONTRACTS.md; all arithmetic on
  * budgets (subtracting a query's cost, checking that the rest covers a request) happens in Rust. Scala never
  * adds or subtracts budgets as `Double`s.
  *
  * Example:
  * {{{
  * val budget: PrivacyBudget = PureDPBudget(2)
  * }}}
  */
sealed trait PrivacyBudget {

  /** The exact text form of this budget (e.g. `pure:2`, `pure:inf`), made by Rust from the `Double` without
    * rounding.
    *
    * Example: `PureDPBudget(0.5).toBudgetText == "pure:1/2"`
    */
  private[sparkdp] def toBudgetText: String

  /** Whether this budget spends nothing (a query with it would be pointless; Tumult rejects it).
    *
    * Example: `PureDPBudget(0).isZero == true`
    */
  private[sparkdp] def isZero: Boolean
}

/** A pure differential privacy budget ε (Tumult's `PureDPBudget`).
  *
  * `Double.PositiveInfinity` is allowed and means no noise, as in Tumult (useful for tests and examples).
  * Negative values and NaN are rejected with Tumult's message.
  *
  * Example:
  * {{{
  * val budget = PureDPBudget(2)
  * val noNoise = PureDPBudget(Double.PositiveInfinity)
  * }}}
  *
  * @param epsilon the privacy-loss parameter ε ≥ 0
  */
final case class PureDPBudget(epsilon: Double) extends PrivacyBudget {
  requireArgument(
    !epsilon.isNaN && epsilon >= 0,
    s"Epsilon must be non-negative. Cannot construct a PureDPBudget with epsilon of $epsilon."
  )

  /** The exact text form, `pure:<number>`.
    *
    * Example: `PureDPBudget(2).toBudgetText == "pure:2"`
    */
  private[sparkdp] override def toBudgetText: String =
    PureDPBudget.TextPrefix + Native.get.exactFromDouble(epsilon, "epsilon")

  /** Example: `PureDPBudget(0).isZero == true` */
  private[sparkdp] override def isZero: Boolean = epsilon == 0.0
}

/** Helpers for turning budget texts back into user-facing budgets.
  *
  * Example: `PureDPBudget.fromBudgetText("pure:1/2", roundUp = false) == PureDPBudget(0.5)`
  */
object PureDPBudget {
  private[sparkdp] val TextPrefix = "pure:"

  /** The `PureDPBudget` whose epsilon is the exact number in `budgetText` rounded as asked (down when the
    * result may be passed back to `evaluate`, so that it always fits; up when it is only displayed, as Tumult
    * does in its messages).
    *
    * Example: `PureDPBudget.fromBudgetText("pure:1/3", roundUp = false).epsilon <= 1.0 / 3`
    */
  private[sparkdp] def fromBudgetText(budgetText: String, roundUp: Boolean): PureDPBudget =
    PureDPBudget(epsilonOf(budgetText, roundUp))

  /** The ε of a `pure:` budget text as a `Double`, rounded as asked.
    *
    * Example: `PureDPBudget.epsilonOf("pure:2", roundUp = true) == 2.0`
    */
  private[sparkdp] def epsilonOf(budgetText: String, roundUp: Boolean): Double = {
    if (!budgetText.startsWith(TextPrefix)) {
      throw new AnalyticsInternalException(s"Expected a pure DP budget text, got '$budgetText'.")
    }
    Native.get.numberToDouble(budgetText.substring(TextPrefix.length), roundUp)
  }
}
