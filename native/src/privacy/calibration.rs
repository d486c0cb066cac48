//! Noise calibration: from a budget and sensitivities to exact noise parameters, and back from noise
//! parameters to the privacy loss they cost.
//!
//! The mechanism is chosen here, following Tumult Analytics' `CountMechanism` rules (see [`Mechanism`]):
//! by default `PureDP` and `ApproxDP` budgets use the discrete Laplace mechanism (δ is not spent by a
//! count) and `RhoZCDP` budgets the discrete Gaussian mechanism; Laplace may be asked for under zCDP;
//! Gaussian under a DP budget is refused; an infinite budget releases exact values. All parameters are exact rationals; where an exact value is
//! irrational (a square root), the rational used is rounded in the direction that adds noise.
//!
//! # Budgets at the edge of what u128/u128 holds
//! A valid budget never yields `Err(Overflow)` here (which would reach the user as an
//! `ArithmeticException`). Where the exact parameter (e.g. `Δ₁/ε` for ε = 1e-23, a multiple of 2^-127)
//! does not fit u128/u128, the parameter is rounded *up* to the nearest `c/2^k` that fits
//! ([`Rational::div_round_up`]), and `2ρ` is rounded *down* ([`Rational::mul_round_down`]) before it
//! divides: a larger Laplace scale or σ² than required is always private (more noise), so the result is
//! still sound and still an exact rational the samplers take. The count noise of
//! [`noise_for_sensitivities`] must also be *drawable*: the samplers return i64, so a scale above
//! [`MAX_LAPLACE_SCALE`] (2^56) or a σ² above [`MAX_GAUSSIAN_SIGMA_SQUARED`] (2^112) would make `addNoise`
//! fail (with probability above 2·e^{−128} per draw, and near 1 for the scales a tiny ε gives). Such a
//! query, and one whose parameter exceeds u128 even rounded, is refused up front with
//! `Err(InvalidArgument)` naming the budget value, the sensitivity and the remedy (a larger ε or ρ): the
//! user gets a `ValueError` before anything runs.
use super::budget::Budget;
use super::rational::{ExtRational, Rational};
use super::sensitivity::{count_sensitivities, Constraint, ProtectedChange, Sensitivities};
use crate::error::Result;
use crate::{err, fail};

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

/// The noise mechanism a query asks for (Tumult's `CountMechanism`, also used for sums and averages).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mechanism {
    /// Discrete Laplace under `PureDP`/`ApproxDP`, discrete Gaussian under `RhoZCDP`.
    Default,
    /// Discrete Laplace under every budget (under `RhoZCDP` calibrated by its ρ cost ε²/2).
    Laplace,
    /// Discrete Gaussian; only under `RhoZCDP`.
    Gaussian,
}

/// The noise family a (budget, mechanism) pair resolves to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum NoiseFamily {
    Laplace,
    Gaussian,
}

/// Tumult's rule (`select_noise_mechanism`), applied whatever the budget's value, infinite included.
fn noise_family(budget: &Budget, mechanism: Mechanism) -> Result<NoiseFamily> {
    let is_zcdp = matches!(budget, Budget::RhoZCDP { .. });
    match (mechanism, is_zcdp) {
        (Mechanism::Default, false) | (Mechanism::Laplace, _) => Ok(NoiseFamily::Laplace),
        (Mechanism::Default, true) | (Mechanism::Gaussian, true) => Ok(NoiseFamily::Gaussian),
        (Mechanism::Gaussian, false) => fail!(
            InvalidArgument,
            "Gaussian noise is only supported when using a RhoZCDP budget. Use Laplace noise instead, \
             or switch to RhoZCDP."
        ),
    }
}

/// The discrete Laplace scale for L1 sensitivity `l1_sensitivity` under `budget`: `Δ₁/ε` for
/// `PureDP`/`ApproxDP` ([`laplace_scale`]), and [`laplace_scale_for_rho`] for `RhoZCDP`.
fn laplace_scale_for_budget(l1_sensitivity: &Rational, budget: &Budget) -> Result<Rational> {
    match budget {
        Budget::PureDP { epsilon } | Budget::ApproxDP { epsilon, .. } => {
            laplace_scale(l1_sensitivity, &finite_budget_value(epsilon)?)
        }
        Budget::RhoZCDP { rho } => {
            laplace_scale_for_rho(l1_sensitivity, &finite_budget_value(rho)?)
        }
    }
}

/// The discrete Gaussian σ² for squared L2 sensitivity `l2_squared` under a `RhoZCDP` budget.
fn gaussian_sigma_squared_for_budget(l2_squared: &Rational, budget: &Budget) -> Result<Rational> {
    match budget {
        Budget::RhoZCDP { rho } => gaussian_sigma_squared(l2_squared, &finite_budget_value(rho)?),
        // noise_family sends only zCDP budgets to the Gaussian mechanism.
        other => fail!(
            Internal,
            "a Gaussian mechanism was calibrated for the budget {other}"
        ),
    }
}

/// The discrete Laplace scale that makes an integer-valued query with L1 sensitivity `l1_sensitivity`
/// ε-DP: `scale = l1_sensitivity / epsilon`, exactly when it fits u128/u128, else rounded up.
///
/// # Proof Definition
/// For any `l1_sensitivity` and any `epsilon > 0`, returns `Ok(scale)` with `scale = l1_sensitivity/epsilon`
/// exactly when that rational fits u128/u128, otherwise the upper bound of
/// [`Rational::div_round_up`] (`scale ≥ l1_sensitivity/epsilon`: more noise, still ε-DP), or
/// `Err(Overflow)` when the quotient exceeds `u128::MAX`. Returns
/// `Err(InvalidArgument)` naming the value when `epsilon == 0` (no finite scale achieves 0-DP).
///
/// Relies on: adding discrete Laplace noise `P(x) ∝ exp(-|x|/b)` to an integer-valued query with L1
/// sensitivity Δ₁ is (Δ₁/b)-DP (Ghosh, Roughgarden, Sundararajan 2009; Canonne, Kamath, Steinke 2020,
/// Sec. 2), so `b = Δ₁/ε` gives exactly ε, and any `b ≥ Δ₁/ε` gives `Δ₁/b ≤ ε`.
pub fn laplace_scale(l1_sensitivity: &Rational, epsilon: &Rational) -> Result<Rational> {
    if epsilon.is_zero() {
        fail!(
            InvalidArgument,
            "cannot answer a query with a budget of zero (epsilon = {epsilon})"
        );
    }
    l1_sensitivity.div_round_up(epsilon)
}

/// A lower bound on `2ρ` that fits: exact when it fits, else [`Rational::mul_round_down`], and
/// `u128::MAX` when `2ρ ≥ 2^128`; positive for every positive `rho` (`2ρ ≥ 2/(2^128 − 1) > 2^-127`).
fn two_rho_round_down(rho: &Rational) -> Result<Rational> {
    match rho.mul_round_down(&Rational::from_integer(2)) {
        Err(crate::error::Error::Overflow(_)) => Ok(Rational::from_integer(u128::MAX)),
        other => other,
    }
}

/// The discrete Gaussian variance that makes an integer-valued query with squared L2 sensitivity
/// `l2_squared` ρ-zCDP: `σ² = l2_squared / (2ρ)`, exactly when it fits u128/u128, else rounded up.
///
/// # Proof Definition
/// For any `l2_squared` and any `rho > 0`, returns `Ok(sigma_squared)` with
/// `sigma_squared = l2_squared / (2·rho)` exactly when it fits, otherwise an upper bound
/// (`2ρ` rounded down by [`Rational::mul_round_down`], then the quotient rounded up by
/// [`Rational::div_round_up`]), or `Err(Overflow)` when the bound exceeds `u128::MAX`. Returns
/// `Err(InvalidArgument)` naming the value when `rho == 0`.
///
/// Relies on: adding discrete Gaussian noise `P(x) ∝ exp(-x²/(2σ²))` to an integer-valued query with L2
/// sensitivity Δ₂ is (Δ₂²/(2σ²))-zCDP (Canonne, Kamath, Steinke 2020, Theorem 14); a larger σ² gives a
/// smaller ρ.
pub fn gaussian_sigma_squared(l2_squared: &Rational, rho: &Rational) -> Result<Rational> {
    if rho.is_zero() {
        fail!(
            InvalidArgument,
            "cannot answer a query with a budget of zero (rho = {rho})"
        );
    }
    l2_squared.div_round_up(&two_rho_round_down(rho)?)
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
/// `laplace_rho(l1_sensitivity, scale) <= rho` holds exactly, or `Err(Overflow)` when the scale exceeds
/// `u128::MAX`. Returns
/// `Err(InvalidArgument)` when `rho == 0` or when `rho` is so small that the lower bound on `sqrt(2ρ)`
/// is zero.
///
/// Relies on [`laplace_rho`]'s lemma, on [`Rational::mul_round_down`] returning `t <= 2ρ`, on
/// [`Rational::sqrt_round_down`] returning `s <= sqrt(t)` and on [`Rational::div_round_up`] returning
/// `scale >= Δ₁/s`: then `(Δ₁/scale)²/2 <= s²/2 <= t/2 <= ρ`.
pub fn laplace_scale_for_rho(l1_sensitivity: &Rational, rho: &Rational) -> Result<Rational> {
    if rho.is_zero() {
        fail!(
            InvalidArgument,
            "cannot answer a query with a budget of zero (rho = {rho})"
        );
    }
    let epsilon_lower_bound = two_rho_round_down(rho)?.sqrt_round_down()?;
    if epsilon_lower_bound.is_zero() {
        fail!(
            InvalidArgument,
            "rho ({rho}) is too small to calibrate a Laplace mechanism"
        );
    }
    l1_sensitivity.div_round_up(&epsilon_lower_bound)
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

/// The largest discrete Laplace scale a count is calibrated to: 2^56 ≈ 7.2e16. A draw leaves the i64
/// range with probability below 2·e^{−2^63/2^56} = 2·e^{−128}, and exceeds 2^62 in magnitude (so that
/// count + noise could leave i64 for a count below 2^62) with probability below 2·e^{−64}.
pub const MAX_LAPLACE_SCALE: u128 = 1 << 56;
/// The largest discrete Gaussian σ² a count is calibrated to: 2^112, σ = 2^56 (the sampler's Laplace
/// proposal then has scale ⌊σ⌋ + 1, with the bound of [`MAX_LAPLACE_SCALE`]).
pub const MAX_GAUSSIAN_SIGMA_SQUARED: u128 = 1 << 112;

/// The budget's value as the user reads it, e.g. "epsilon=1e-23" (the nearest double below the exact
/// value, in scientific notation, plus the exact value when they differ).
fn describe_budget_value(budget: &Budget) -> String {
    let (setting, value) = match budget {
        Budget::PureDP { epsilon } | Budget::ApproxDP { epsilon, .. } => ("epsilon", epsilon),
        Budget::RhoZCDP { rho } => ("rho", rho),
    };
    match value.finite() {
        Some(exact) => {
            let shown = exact.to_f64_round_down();
            if Rational::from_f64_exact(shown, setting).ok() == Some(exact) {
                format!("{setting}={shown:e}")
            } else {
                format!("{setting}={shown:e} (exactly {exact})")
            }
        }
        None => format!("{setting}=inf"),
    }
}

/// Err(InvalidArgument) for a noise parameter the samplers cannot draw i64 noise from (see the module
/// doc): `parameter` is the calibrated value, or Err(Overflow) when it exceeds u128 even rounded up.
fn drawable_parameter(
    parameter: Result<Rational>,
    limit: u128,
    budget: &Budget,
    what: &str,
    sensitivity: &str,
) -> Result<Rational> {
    let too_large = |shown: String| {
        let budget_value = describe_budget_value(budget);
        let remedy = if matches!(budget, Budget::RhoZCDP { .. }) {
            "rho"
        } else {
            "epsilon"
        };
        err!(
            InvalidArgument,
            "The noise scale for {budget_value} and {sensitivity} cannot be represented: the {what} \
             would be {shown}, above the largest whose noise fits a 64-bit count ({limit_shown:.1e}). \
             Use a larger {remedy}, or tighter constraints.",
            limit_shown = limit as f64
        )
    };
    match parameter {
        Ok(value) if value <= Rational::from_integer(limit) => Ok(value),
        Ok(value) => Err(too_large(format!("{:e}", value.to_f64_round_down()))),
        Err(crate::error::Error::Overflow(_)) => Err(too_large("above 2^128".to_string())),
        Err(other) => Err(other),
    }
}

fn finite_budget_value(value: &ExtRational) -> Result<Rational> {
    match value.finite() {
        Some(exact) => Ok(exact),
        // Callers check `Budget::is_infinite` first; reaching this is a bug on our side.
        None => fail!(Internal, "expected a finite budget value, got {value}"),
    }
}

/// The noise for one aggregation with sensitivities `sensitivities` answered with `budget` (the whole
/// budget goes to it) by `mechanism`.
///
/// # Proof Definition
/// For a valid `budget` (see [`Budget::validate`]): Err(InvalidArgument) with Tumult's message when
/// `mechanism` is `Gaussian` and the budget is not `RhoZCDP` (whatever its value). Otherwise returns
/// `Ok(NoNoise)` when the budget is infinite (Tumult's `is_infinite`, so releasing exact values is
/// allowed), or when the sensitivity the mechanism uses is zero (the query is constant on
/// neighbouring data); otherwise, all exact:
/// * Laplace (`Laplace`, or `Default` under `PureDP`/`ApproxDP`): `Ok(DiscreteLaplace{scale})` with
///   `scale = Δ₁/ε` under `PureDP{ε}` and `ApproxDP{ε, δ}` (δ unused), and the scale of
///   [`laplace_scale_for_rho`] (whose ρ cost `(Δ₁/scale)²/2` is at most ρ) under `RhoZCDP{ρ}`;
/// * Gaussian (`Gaussian` or `Default` under `RhoZCDP{ρ}`): `Ok(DiscreteGaussian{σ² = Δ₂²/(2ρ)})`.
///
/// Each parameter is exact when it fits u128/u128 and otherwise rounded up (more noise; see the module
/// doc). Err(InvalidArgument) naming the value when ε or ρ is zero, and naming the budget value and the
/// sensitivity when the parameter exceeds [`MAX_LAPLACE_SCALE`] / [`MAX_GAUSSIAN_SIGMA_SQUARED`] (its
/// noise would not fit i64): never Err(Overflow).
///
/// Relies on the lemmas of [`laplace_scale`], [`laplace_scale_for_rho`] and
/// [`gaussian_sigma_squared`]; pure ε-DP implies (ε, δ)-DP for every δ ≥ 0.
pub fn noise_for_sensitivities(
    budget: &Budget,
    sensitivities: &Sensitivities,
    mechanism: Mechanism,
) -> Result<NoiseSpec> {
    budget.validate()?;
    let family = noise_family(budget, mechanism)?;
    if budget.is_infinite() {
        return Ok(NoiseSpec::NoNoise);
    }
    // A zero parameter (zero sensitivity: the query is constant on neighbouring data) is spelled NoNoise:
    // the text form of a zero-parameter spec is refused at the JNI edge (privacy/text.rs).
    match family {
        NoiseFamily::Laplace => {
            let scale = drawable_parameter(
                laplace_scale_for_budget(&sensitivities.l1, budget),
                MAX_LAPLACE_SCALE,
                budget,
                "Laplace scale",
                &format!("L1 sensitivity {}", sensitivities.l1),
            )?;
            Ok(if scale.is_zero() {
                NoiseSpec::NoNoise
            } else {
                NoiseSpec::DiscreteLaplace { scale }
            })
        }
        NoiseFamily::Gaussian => {
            let sigma_squared = drawable_parameter(
                gaussian_sigma_squared_for_budget(&sensitivities.l2_squared, budget),
                MAX_GAUSSIAN_SIGMA_SQUARED,
                budget,
                "Gaussian sigma squared",
                &format!("squared L2 sensitivity {}", sensitivities.l2_squared),
            )?;
            Ok(if sigma_squared.is_zero() {
                NoiseSpec::NoNoise
            } else {
                NoiseSpec::DiscreteGaussian { sigma_squared }
            })
        }
    }
}

/// The noise for a count grouped by `groupby_columns` answered with `budget` (the whole budget goes to
/// this one count) by `mechanism`.
///
/// # Proof Definition
/// As [`noise_for_sensitivities`] with the count sensitivities of `change` under `constraints` and
/// `groupby_columns` ([`count_sensitivities`]); additionally Err(UnsupportedQuery) when `AddRowsWithID`
/// lacks a bounding constraint, and Err(InvalidArgument) naming the bounds when a sensitivity does not
/// fit u128 (e.g. `(g·r)²` for g·r ≥ 2^64): never Err(Overflow).
pub fn count_noise(
    budget: &Budget,
    change: &ProtectedChange,
    constraints: &[Constraint],
    groupby_columns: &[String],
    mechanism: Mechanism,
) -> Result<NoiseSpec> {
    // Sensitivities first, even for an infinite budget: a missing constraint is the user's error whatever
    // the budget, as in Tumult.
    let sensitivities =
        count_sensitivities(change, constraints, groupby_columns).map_err(|e| match e {
            crate::error::Error::Overflow(detail) => err!(
                InvalidArgument,
                "The sensitivity of this count cannot be represented ({detail}). Use smaller \
                 constraint bounds."
            ),
            other => other,
        })?;
    noise_for_sensitivities(budget, &sensitivities, mechanism)
}

/// Lattice points per unit of the smaller of the per-value sensitivity and the noise parameter: 2^20.
pub const LATTICE_RESOLUTION_BITS: i32 = 20;
/// Smallest and largest lattice exponent (2^|k| must be an exact u128).
pub const MIN_LATTICE_EXPONENT: i32 = -127;
pub const MAX_LATTICE_EXPONENT: i32 = 127;

/// Noise for float values: the lattice 2^k·ℤ the values are rounded to, and integer noise in lattice
/// units, calibrated (by [`float_noise`], the only constructor) to the sensitivity *inflated* by the
/// rounding. The fields are private so that no caller can pair a lattice with a noise parameter
/// calibrated to the un-inflated sensitivity; `sample::lattice::add_float_noise` consumes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FloatNoiseSpec {
    lattice_exponent: i32,
    noise_in_lattice_units: NoiseSpec,
}

impl FloatNoiseSpec {
    /// k of the lattice 2^k·ℤ (0 when there is no noise: values are then released unchanged).
    pub fn lattice_exponent(&self) -> i32 {
        self.lattice_exponent
    }

    /// The integer noise to add to `round(x / 2^k)`: a discrete Laplace scale, or a discrete Gaussian
    /// σ², in lattice units (or `NoNoise`).
    pub fn noise_in_lattice_units(&self) -> NoiseSpec {
        self.noise_in_lattice_units
    }
}

fn clamped_lattice_exponent(exponent: i32) -> i32 {
    exponent.clamp(MIN_LATTICE_EXPONENT, MAX_LATTICE_EXPONENT)
}

/// A rational upper bound on `sqrt(x)` (`x > 0`): `1/s` with `s ≤ sqrt(1/x)` from
/// [`Rational::sqrt_round_down`], so `1/s ≥ sqrt(x)`, with relative excess below 2^-28.
fn sqrt_round_up(x: &Rational) -> Result<Rational> {
    let lower_root_of_reciprocal = x.checked_reciprocal()?.sqrt_round_down()?;
    if lower_root_of_reciprocal.is_zero() {
        fail!(
            Overflow,
            "no rational upper bound on sqrt({x}) fits u128/u128"
        );
    }
    lower_root_of_reciprocal.checked_reciprocal()
}

/// The float-noise spec for releasing float values with sensitivities `sensitivities` (exact, e.g. from
/// [`Rational::from_f64_exact`]) under `budget` by `mechanism`, when one neighbouring change moves at
/// most `max_changed_values` of the released values (1 for a single value; for a grouped aggregation,
/// the most groups one protected change can touch: [`max_changed_cells`](super::sensitivity::max_changed_cells)).
///
/// # Lattice rule
/// k is a function of the sensitivities and the budget only (never of the data): the largest integer
/// with `2^k ≤ 2^−20 · min(Δ₁/c, b₀)` for Laplace noise, and `2^k ≤ 2^−20 · min(Δ₂/√c, σ₀)` for
/// Gaussian noise (computed as `4^k·2^40 ≤ min(Δ₂²/c, σ₀²)`), where c = `max_changed_values`, b₀ and σ₀
/// are the noise parameters the un-inflated sensitivity would get, and k is clamped to [−127, 127].
/// So the rounding inflates the sensitivity by a relative 2^−20 at most and the lattice is 2^20 times
/// finer than the noise (unless the clamp binds, which only adds noise: the accounting below uses the
/// actual k).
///
/// # Proof Definition
/// For a valid `budget`, `max_changed_values ≥ 1` and any `sensitivities`: Err(InvalidArgument) as in
/// [`noise_for_sensitivities`] for Gaussian under a non-zCDP budget. Otherwise returns `Ok(spec)` with
/// `spec.noise_in_lattice_units() == NoNoise` when the budget is infinite or the sensitivity the
/// mechanism uses is zero; otherwise, with k as above and `h = 2^k`:
/// * Laplace: `DiscreteLaplace{scale = b(Δ₁ + c·h)/h}`, exactly, where `b(Δ)` is the scale
///   [`noise_for_sensitivities`] gives for L1 sensitivity Δ under `budget` (`Δ/ε`, or
///   [`laplace_scale_for_rho`] under zCDP);
/// * Gaussian (`RhoZCDP{ρ}`): `DiscreteGaussian{σ² = D / (2ρ·h²)}` with `D = Δ₂² + 2·U·h + c·h²` and
///   `U` a rational upper bound on `sqrt(c·Δ₂²)`, so `D ≥ (Δ₂ + √c·h)²`.
///
/// Err(InvalidArgument) when `max_changed_values == 0` or ε/ρ is zero, and, as
/// [`noise_for_sensitivities`], naming the budget value when the parameter in lattice units exceeds
/// [`MAX_LAPLACE_SCALE`] / [`MAX_GAUSSIAN_SIGMA_SQUARED`] or u128 (its noise could not be drawn as i64);
/// Err(Overflow) when an intermediate value does not fit u128/u128.
///
/// Relies on: rounding `x ↦ m = round(x/h)` moves each value by at most h/2, and only the (at most c)
/// values that differ between neighbours can move differently, so for neighbours with
/// `‖x − x'‖₁ ≤ Δ₁` we get `‖m − m'‖₁ ≤ (Δ₁ + c·h)/h`, and `‖m − m'‖₂ ≤ (Δ₂ + √c·h)/h` by the
/// triangle inequality. The integer vector m then gets the lemmas of [`laplace_scale`],
/// [`laplace_scale_for_rho`] and [`gaussian_sigma_squared`] in lattice units (a scale in lattice units
/// is the scale in value units divided by h); multiplying by h afterwards is post-processing. The
/// caller must guarantee the sensitivity bounds hold for the f64 values actually passed in.
/// Pseudocode and proof sketch: `native/src/privacy/float_noise.md`.
pub fn float_noise(
    budget: &Budget,
    sensitivities: &Sensitivities,
    max_changed_values: u64,
    mechanism: Mechanism,
) -> Result<FloatNoiseSpec> {
    budget.validate()?;
    let family = noise_family(budget, mechanism)?;
    if max_changed_values == 0 {
        fail!(
            InvalidArgument,
            "max_changed_values ({max_changed_values}) must be positive"
        );
    }
    let no_noise = FloatNoiseSpec {
        lattice_exponent: 0,
        noise_in_lattice_units: NoiseSpec::NoNoise,
    };
    if budget.is_infinite() {
        return Ok(no_noise);
    }
    let changed = Rational::from_integer(u128::from(max_changed_values));
    match family {
        NoiseFamily::Laplace => {
            let l1 = &sensitivities.l1;
            // Only an unrepresentable value is refused here (limit u128::MAX): a large one just picks a
            // coarse lattice; the cap applies in lattice units below.
            let uninflated_scale = drawable_parameter(
                laplace_scale_for_budget(l1, budget),
                u128::MAX,
                budget,
                "Laplace scale",
                &format!("L1 sensitivity {l1}"),
            )?;
            if uninflated_scale.is_zero() {
                return Ok(no_noise);
            }
            let finest = l1.checked_div(&changed)?.min(uninflated_scale);
            let k = clamped_lattice_exponent(finest.floor_log2()? - LATTICE_RESOLUTION_BITS);
            let spacing = Rational::power_of_two(k)?;
            let inflated_l1 = l1.checked_add(&spacing.checked_mul(&changed)?)?;
            let scale = drawable_parameter(
                laplace_scale_for_budget(&inflated_l1, budget)
                    .and_then(|scale| scale.checked_div(&spacing)),
                MAX_LAPLACE_SCALE,
                budget,
                "Laplace scale in lattice units",
                &format!("L1 sensitivity {l1}"),
            )?;
            Ok(FloatNoiseSpec {
                lattice_exponent: k,
                noise_in_lattice_units: NoiseSpec::DiscreteLaplace { scale },
            })
        }
        NoiseFamily::Gaussian => {
            let l2_squared = &sensitivities.l2_squared;
            let uninflated_sigma_squared = drawable_parameter(
                gaussian_sigma_squared_for_budget(l2_squared, budget),
                u128::MAX,
                budget,
                "Gaussian sigma squared",
                &format!("squared L2 sensitivity {l2_squared}"),
            )?;
            if uninflated_sigma_squared.is_zero() {
                return Ok(no_noise);
            }
            let finest = l2_squared
                .checked_div(&changed)?
                .min(uninflated_sigma_squared);
            // 2k + 40 ≤ ⌊log2 X⌋ ⇔ 4^k·2^40 ≤ X (k an integer).
            let k = clamped_lattice_exponent(
                (finest.floor_log2()? - 2 * LATTICE_RESOLUTION_BITS).div_euclid(2),
            );
            let spacing = Rational::power_of_two(k)?;
            let root_bound = sqrt_round_up(&l2_squared.checked_mul(&changed)?)?;
            let inflated_l2_squared = l2_squared
                .checked_add(&root_bound.checked_mul(&spacing)?.checked_mul_integer(2)?)?
                .checked_add(&changed.checked_mul(&spacing)?.checked_mul(&spacing)?)?;
            let sigma_squared = drawable_parameter(
                gaussian_sigma_squared_for_budget(&inflated_l2_squared, budget)
                    .and_then(|sigma_squared| sigma_squared.checked_div(&spacing))
                    .and_then(|sigma_squared| sigma_squared.checked_div(&spacing)),
                MAX_GAUSSIAN_SIGMA_SQUARED,
                budget,
                "Gaussian sigma squared in lattice units",
                &format!("squared L2 sensitivity {l2_squared}"),
            )?;
            Ok(FloatNoiseSpec {
                lattice_exponent: k,
                noise_in_lattice_units: NoiseSpec::DiscreteGaussian { sigma_squared },
            })
        }
    }
}

/// ⌊log2⌋ of the noise scale (Laplace b, or Gaussian σ = sqrt(σ²), whose ⌊log2⌋ is ⌊⌊log2 σ²⌋/2⌋) the
/// mechanism would use for `sensitivities` under `budget`, before any drawability cap: only for choosing
/// a lattice (`lattice::sum_encoding`), which any value keeps private. None when there is no noise
/// (infinite budget or zero sensitivity); 128 when the scale does not fit u128.
pub fn noise_scale_log2(
    budget: &Budget,
    sensitivities: &Sensitivities,
    mechanism: Mechanism,
) -> Result<Option<i32>> {
    budget.validate()?;
    let family = noise_family(budget, mechanism)?;
    if budget.is_infinite() {
        return Ok(None);
    }
    let parameter = match family {
        NoiseFamily::Laplace => laplace_scale_for_budget(&sensitivities.l1, budget),
        NoiseFamily::Gaussian => {
            gaussian_sigma_squared_for_budget(&sensitivities.l2_squared, budget)
        }
    };
    let parameter = match parameter {
        Ok(value) => value,
        Err(crate::error::Error::Overflow(_)) => return Ok(Some(128)),
        Err(other) => return Err(other),
    };
    if parameter.is_zero() {
        return Ok(None);
    }
    let log2 = parameter.floor_log2()?;
    Ok(Some(match family {
        NoiseFamily::Laplace => log2,
        NoiseFamily::Gaussian => log2.div_euclid(2),
    }))
}

/// Denominator of the rounded exponential-mechanism rate and quantile: 2^32.
pub const QUANTILE_GRID_BITS: u32 = 32;

/// `x` rounded down to a multiple of 2^−32, at most 2^64 (a larger rate changes nothing measurable).
fn round_down_to_grid(x: &Rational) -> Result<Rational> {
    let cap = Rational::from_integer(1u128 << 64);
    if *x >= cap {
        return Ok(cap);
    }
    let scaled = x.mul_round_down(&Rational::from_integer(1u128 << QUANTILE_GRID_BITS))?;
    Rational::new(
        scaled.numerator() / scaled.denominator(),
        1u128 << QUANTILE_GRID_BITS,
    )
}

/// The exponential-mechanism rate t of a quantile (`plan::Release::Quantile`: P(p) ∝ exp(t·u(p)) with
/// utility u(p) = −|rank(p) − q·n|) for the count sensitivities of its change, spending all of `budget`.
///
/// # Proof Definition
/// For a valid `budget`: `Ok(Infinite)` when it is infinite; Err(InvalidArgument) naming the value when ε or
/// ρ is zero; otherwise `Ok(t)` with t a multiple of 2^−32 (at most 2^64) and
/// * `PureDP{ε}` / `ApproxDP{ε, δ}` (δ unused, as Tumult): `t ≤ ε / (2·L1)`;
/// * `RhoZCDP{ρ}`: `t ≤ sqrt(2ρ / L2²)` (Tumult's `create_quantile_measurement`: ε' = sqrt(8ρ)/L2, t = ε'/2).
///
/// Relies on: a protected change moves at most L1 rows in total across the cells (each row changes one
/// cell's rank function by at most 1 at every p, and n by at most 1, so |Δu| ≤ the rows changed in that
/// cell, m_g); with independent randomness per cell, the exponential mechanism with rate t is
/// (Σ 2t·m_g)-DP ≤ 2t·L1 (McSherry–Talwar), and (Σ (2t·m_g)²/8)-zCDP ≤ t²·L2²/2 (Cesar–Rogers 2021:
/// an ε-DP exponential mechanism is ε²/8-zCDP; composition over cells), since Σ m_g² ≤ L2². Rounding t
/// down only lowers these.
pub fn quantile_rate(budget: &Budget, sensitivities: &Sensitivities) -> Result<ExtRational> {
    budget.validate()?;
    if budget.is_infinite() {
        return Ok(ExtRational::Infinite);
    }
    if sensitivities.l1.is_zero() {
        return Ok(ExtRational::Finite(Rational::from_integer(1u128 << 64)));
    }
    let rate = match budget {
        Budget::PureDP { epsilon } | Budget::ApproxDP { epsilon, .. } => {
            let epsilon = finite_budget_value(epsilon)?;
            if epsilon.is_zero() {
                fail!(
                    InvalidArgument,
                    "cannot answer a query with a budget of zero (epsilon = {epsilon})"
                );
            }
            let two_l1 = sensitivities.l1.checked_mul_integer(2)?;
            epsilon.mul_round_down(&two_l1.checked_reciprocal()?)?
        }
        Budget::RhoZCDP { rho } => {
            let rho = finite_budget_value(rho)?;
            if rho.is_zero() {
                fail!(
                    InvalidArgument,
                    "cannot answer a query with a budget of zero (rho = {rho})"
                );
            }
            let ratio = two_rho_round_down(&rho)?
                .mul_round_down(&sensitivities.l2_squared.checked_reciprocal()?)?;
            ratio.sqrt_round_down()?
        }
    };
    Ok(ExtRational::Finite(round_down_to_grid(&rate)?))
}
