package sparkdp

import sparkdp.bridge.WireText

/** A privacy budget: how much privacy loss a session may spend in total, or one query may spend.
  *
  * Inside sparkdp a budget is an exact rational in the text form of docs/CONTRACTS.md, made by Rust from the
  * user's `Double`s; all arithmetic on budgets (charging a query, subtracting it, checking that the rest covers
  * a request) happens in Rust. Scala never adds, subtracts or compares budgets as `Double`s.
  *
  * Example:
  * {{{
  * val budget: PrivacyBudget = RhoZCDPBudget(0.5)
  * }}}
  */
sealed trait PrivacyBudget {

  /** The exact text form of this budget (e.g. `pure:2`, `approx:1:1/1000`, `zcdp:inf`), made by Rust.
    *
    * Example: `PureDPBudget(0.5).toBudgetText == "pure:1/2"`
    */
  private[sparkdp] def toBudgetText: String
}

/** A pure differential privacy budget ε (Tumult's `PureDPBudget`).
  *
  * `Double.PositiveInfinity` is allowed and means no noise, as in Tumult (useful for tests and examples).
  * Negative values, NaN and values too large to hold exactly are rejected by Rust (`budgetFromDoubles`) with
  * Tumult's message naming the value, when the budget is constructed.
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
  /** Example: `PureDPBudget(2).toBudgetText == "pure:2"` */
  private[sparkdp] override val toBudgetText: String = WireText.budget(this)
}

/** An approximate differential privacy budget (ε, δ) (Tumult's `ApproxDPBudget`).
  *
  * Either value may be `Double.PositiveInfinity` (an infinite budget: no noise). δ must be at most 1. Values
  * are checked by Rust (`budgetFromDoubles`) with Tumult's messages, when the budget is constructed.
  *
  * Example:
  * {{{
  * val budget = ApproxDPBudget(1, 1e-6)
  * }}}
  *
  * @param epsilon the privacy-loss parameter ε ≥ 0
  * @param delta   the failure probability δ in [0, 1]
  */
final case class ApproxDPBudget(epsilon: Double, delta: Double) extends PrivacyBudget {
  /** Example: `ApproxDPBudget(1, 0.5).toBudgetText == "approx:1:1/2"` */
  private[sparkdp] override val toBudgetText: String = WireText.budget(this)
}

/** A zero-concentrated differential privacy budget ρ (Tumult's `RhoZCDPBudget`). Its default count noise is
  * discrete Gaussian. ρ is checked by Rust (`budgetFromDoubles`) with Tumult's messages.
  *
  * Example:
  * {{{
  * val budget = RhoZCDPBudget(0.5)
  * val noNoise = RhoZCDPBudget(Double.PositiveInfinity)
  * }}}
  *
  * @param rho the privacy-loss parameter ρ ≥ 0
  */
final case class RhoZCDPBudget(rho: Double) extends PrivacyBudget {
  /** Example: `RhoZCDPBudget(0.5).toBudgetText == "zcdp:1/2"` */
  private[sparkdp] override val toBudgetText: String = WireText.budget(this)
}
