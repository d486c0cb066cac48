//! Noise calibration: from a budget and sensitivities to exact noise parameters, and back from noise
//! parameters to the privacy loss they cost.
//!
//! Mechanism families follow Tumult Analytics: `PureDP` and `ApproxDP` budgets use the discrete Laplace
//! mechanism (δ is not spent by a count), `RhoZCDP` budgets use the discrete Gaussian mechanism, and an
//! infinite budget releases exact values. All parameters are exact rationals; where an exact value is
//! irrational (a square root), the rational used is rounded in the direction that adds noise.
use super::budget::Budget;
use super::rational::{ExtRational, Rational};
use super::sensitivity::{count_sensitivities, Constraint, ProtectedChange, Sensitivities};
use crate::error::Result;
use crate::fail;

#[cfg(test)]
mod test;

/// Which integer noise to add to each cell, with exact parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoiseSpec {
    /// Infinite budget: release exact values.
    NoNoise,
    /// Discrete Laplace with P(x) ∝ exp(-|x|/scale).
    DiscreteLaplace { scale: Rational },
    /// Discrete Gaussian with P(x) ∝ exp(-x²/(2 σ²)).
    DiscreteGaussian { sigma_squared: Rational },
}

/// The discrete Laplace scale that makes an integer-valued query with L1 sensitivity `l1_sensitivity`
/// ε-DP: `scale = l1_sensitivity / epsilon`, exactly.
///
/// # Proof Definition
/// For any `l1_sensitivity` and any `epsilon > 0`, returns `Ok(scale)` with `scale = l1_sensitivity/epsilon`
/// exactly, or `Err(Overflow)` when that rational does not fit in u128/u128. Returns
/// `Err(InvalidArgument)` naming the value when `epsilon == 0` (no finite scale achieves 0-DP).
///
/// Relies on: adding discrete Laplace noise `P(x) ∝ exp(-|x|/b)` to an integer-valued query with L1
/// sensitivity Δ₁ is (Δ₁/b)-DP (Ghosh, Roughgarden, Sundararajan 2009; Canonne, Kamath, Steinke 2020,
/// Sec. 2), so `b = Δ₁/ε` gives exactly ε.
pub fn laplace_scale(l1_sensitivity: &Rational, epsilon: &Rational) -> Result<Rational> {
    if epsilon.is_zero() {
        fail!(
            InvalidArgument,
            "cannot answer a query with a budget of zero (epsilon = {epsilon})"
        );
    }
    l1_sensitivity.checked_div(epsilon)
}

/// The discrete Gaussian variance that makes an integer-valued query with squared L2 sensitivity
/// `l2_squared` ρ-zCDP: `σ² = l2_squared / (2ρ)`, exactly.
///
/// # Proof Definition
/// For any `l2_squared` and any `rho > 0`, returns `Ok(sigma_squared)` with
/// `sigma_squared = l2_squared / (2·rho)` exactly, or `Err(Overflow)` when it does not fit. Returns
/// `Err(InvalidArgument)` naming the value when `rho == 0`.
///
/// Relies on: adding discrete Gaussian noise `P(x) ∝ exp(-x²/(2σ²))` to an integer-valued query with L2
/// sensitivity Δ₂ is (Δ₂²/(2σ²))-zCDP (Canonne, Kamath, Steinke 2020, Theorem 14).
pub fn gaussian_sigma_squared(l2_squared: &Rational, rho: &Rational) -> Result<Rational> {
    if rho.is_zero() {
        fail!(
            InvalidArgument,
            "cannot answer a query with a budget of zero (rho = {rho})"
        );
    }
    l2_squared.checked_div(&rho.checked_mul_integer(2)?)
}

/// The ε a discrete Laplace mechanism with `scale` costs on a query with L1 sensitivity `l1_sensitivity`.
///
/// # Proof Definition
/// For any `l1_sensitivity` and `scale > 0`, returns `Ok(epsilon)` with `epsilon = l1_sensitivity/scale`
/// exactly (or `Err(Overflow)`); `Err(InvalidArgument)` when `scale == 0` (no noise is not ε-DP for any
/// finite ε unless the sensitivity is zero, which callers should not rely on).
///
/// Relies on the same lemma as [`laplace_scale`].
pub fn laplace_epsilon(l1_sensitivity: &Rational, scale: &Rational) -> Result<Rational> {
    if scale.is_zero() {
        fail!(
            InvalidArgument,
            "a discrete Laplace scale of {scale} gives no finite epsilon"
        );
    }
    l1_sensitivity.checked_div(scale)
}

/// The ρ a discrete Laplace mechanism with `scale` costs under zCDP: `ρ = ε²/2` with `ε = Δ₁/scale`.
///
/// # Proof Definition
/// For any `l1_sensitivity` and `scale > 0`, returns `Ok(rho)` with `rho = (l1_sensitivity/scale)²/2`
/// exactly (or `Err(Overflow)`); `Err(InvalidArgument)` when `scale == 0`.
///
/// Relies on: every ε-DP mechanism is (ε²/2)-zCDP (Bun, Steinke 2016, Proposition 1.4), with ε from
/// [`laplace_epsilon`].
pub fn laplace_rho(l1_sensitivity: &Rational, scale: &Rational) -> Result<Rational> {
    laplace_epsilon(l1_sensitivity, scale)?
        .checked_square()?
        .checked_div_integer(2)
}

/// A discrete Laplace scale whose zCDP cost is at most `rho`: `scale = Δ₁ / ε` with `ε` a rational lower
/// bound on `sqrt(2ρ)` (so the scale is at least the exact `Δ₁/sqrt(2ρ)`: more noise, never less).
///
/// # Proof Definition
/// For any `l1_sensitivity` and `rho > 0`, returns `Ok(scale)` such that
/// `laplace_rho(l1_sensitivity, scale) <= rho` holds exactly, or `Err(Overflow)`. Returns
/// `Err(InvalidArgument)` when `rho == 0` or when `rho` is so small that the lower bound on `sqrt(2ρ)`
/// is zero.
///
/// Relies on [`laplace_rho`]'s lemma and on [`Rational::sqrt_round_down`] returning `s <= sqrt(2ρ)`:
/// then `(Δ₁/scale)²/2 = s²/2 <= ρ`.
pub fn laplace_scale_for_rho(l1_sensitivity: &Rational, rho: &Rational) -> Result<Rational> {
    if rho.is_zero() {
        fail!(
            InvalidArgument,
            "cannot answer a query with a budget of zero (rho = {rho})"
        );
    }
    let epsilon_lower_bound = rho.checked_mul_integer(2)?.sqrt_round_down()?;
    if epsilon_lower_bound.is_zero() {
        fail!(
            InvalidArgument,
            "rho ({rho}) is too small to calibrate a Laplace mechanism"
        );
    }
    l1_sensitivity.checked_div(&epsilon_lower_bound)
}

/// The ρ a discrete Gaussian with variance `sigma_squared` costs on a query with squared L2 sensitivity
/// `l2_squared`: `ρ = Δ₂²/(2σ²)`.
///
/// # Proof Definition
/// For any `l2_squared` and `sigma_squared > 0`, returns `Ok(rho)` with `rho = l2_squared/(2·sigma_squared)`
/// exactly (or `Err(Overflow)`); `Err(InvalidArgument)` when `sigma_squared == 0`.
///
/// Relies on the same lemma as [`gaussian_sigma_squared`].
pub fn gaussian_rho(l2_squared: &Rational, sigma_squared: &Rational) -> Result<Rational> {
    if sigma_squared.is_zero() {
        fail!(
            InvalidArgument,
            "a discrete Gaussian variance of {sigma_squared} gives no finite rho"
        );
    }
    l2_squared.checked_div(&sigma_squared.checked_mul_integer(2)?)
}

fn finite_budget_value(value: &ExtRational) -> Result<Rational> {
    match value.finite() {
        Some(exact) => Ok(exact),
        // Callers check `Budget::is_infinite` first; reaching this is a bug on our side.
        None => fail!(Internal, "expected a finite budget value, got {value}"),
    }
}

/// The noise for one aggregation with sensitivities `sensitivities` answered with `budget` (the whole
/// budget goes to it).
///
/// # Proof Definition
/// For a valid `budget` (see [`Budget::validate`]): returns `Ok(NoNoise)` when the budget is infinite
/// (Tumult's `is_infinite`, so releasing exact values is allowed), or when the budget is positive and the
/// sensitivity it would be divided into is zero (the query is constant on neighbouring data); otherwise
/// `Ok(DiscreteLaplace{scale = Δ₁/ε})` for `PureDP{ε}` and `ApproxDP{ε, δ}` (δ unused), and
/// `Ok(DiscreteGaussian{σ² = Δ₂²/(2ρ)})` for `RhoZCDP{ρ}`, all exact. Err(InvalidArgument) naming the
/// value when ε or ρ is zero; Err(Overflow) when a parameter does not fit.
///
/// Relies on the lemmas of [`laplace_scale`] and [`gaussian_sigma_squared`]; pure ε-DP implies
/// (ε, δ)-DP for every δ ≥ 0.
pub fn noise_for_sensitivities(
    budget: &Budget,
    sensitivities: &Sensitivities,
) -> Result<NoiseSpec> {
    budget.validate()?;
    if budget.is_infinite() {
        return Ok(NoiseSpec::NoNoise);
    }
    // A zero parameter (zero sensitivity: the query is constant on neighbouring data) is spelled NoNoise:
    // the text form of a zero-parameter spec is refused at the JNI edge (privacy/text.rs).
    match budget {
        Budget::PureDP { epsilon } | Budget::ApproxDP { epsilon, .. } => {
            let scale = laplace_scale(&sensitivities.l1, &finite_budget_value(epsilon)?)?;
            Ok(if scale.is_zero() {
                NoiseSpec::NoNoise
            } else {
                NoiseSpec::DiscreteLaplace { scale }
            })
        }
        Budget::RhoZCDP { rho } => {
            let sigma_squared =
                gaussian_sigma_squared(&sensitivities.l2_squared, &finite_budget_value(rho)?)?;
            Ok(if sigma_squared.is_zero() {
                NoiseSpec::NoNoise
            } else {
                NoiseSpec::DiscreteGaussian { sigma_squared }
            })
        }
    }
}

/// The noise for a grouped count answered with `budget` (the whole budget goes to this one count).
///
/// # Proof Definition
/// As [`noise_for_sensitivities`] with the count sensitivities of `change` under `constraints`
/// ([`count_sensitivities`]); additionally Err(InvalidArgument) when `AddRowsWithID` lacks a bounding
/// constraint.
pub fn count_noise(
    budget: &Budget,
    change: &ProtectedChange,
    constraints: &[Constraint],
) -> Result<NoiseSpec> {
    // Sensitivities first, even for an infinite budget: a missing constraint is the user's error whatever
    // the budget, as in Tumult.
    let sensitivities = count_sensitivities(change, constraints)?;
    noise_for_sensitivities(budget, &sensitivities)
}
