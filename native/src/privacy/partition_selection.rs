//! get_groups' threshold (Tumult's `create_partition_selection_measurement` /
//! `GeometricPartitionSelection`): a cell is released when its count plus discrete Laplace noise of scale α
//! reaches τ. The threshold needs ln, which is irrational: it is bounded by exact rationals (fixed point
//! with 64 fractional bits, every step rounded in the direction that raises τ, i.e. spends less δ).
use super::budget::Budget;
use super::rational::Rational;
use crate::error::Result;
use crate::{err, fail};

#[cfg(test)]
mod test;

const FRACTION_BITS: u32 = 64;
const ONE: u128 = 1 << FRACTION_BITS;
/// ⌈ln 2 · 2^64⌉ and ⌊ln 2 · 2^64⌋ (ln 2 · 2^64 = 12786308645202655659.788…).
const LN2_UP: u128 = 12_786_308_645_202_655_660;
const LN2_DOWN: u128 = 12_786_308_645_202_655_659;

/// ⌈a·b / 2^64⌉ for fixed-point values below 2^66 (the product fits u128 when both are below 2^64, and
/// is split otherwise).
fn mul_up(a: u128, b: u128) -> u128 {
    let (a_hi, a_lo) = (a >> 32, a & 0xffff_ffff);
    // a·b = a_hi·b·2^32 + a_lo·b; both parts fit u128 for a, b < 2^66.
    let high = a_hi * b;
    let low = a_lo * b;
    let total_hi = high >> 32; // contributes total_hi·2^64 / 2^64 = total_hi
    let rest = ((high & 0xffff_ffff) << 32) + low; // < 2^64·2^2 + 2^98: fits
    total_hi + rest.div_ceil(ONE)
}

/// ⌈numerator·2^64 / denominator⌉ for numerator < 2·denominator (bit by bit: no overflow for any u128).
fn fraction_up(numerator: u128, denominator: u128) -> u128 {
    let mut integer = numerator / denominator;
    let mut remainder = numerator % denominator;
    for _ in 0..FRACTION_BITS {
        // remainder < denominator; doubling may overflow u128, so compare against denominator − remainder.
        let bit = remainder >= denominator - remainder;
        remainder = if bit {
            remainder - (denominator - remainder)
        } else {
            remainder * 2
        };
        integer = integer * 2 + u128::from(bit);
    }
    integer + u128::from(remainder != 0)
}

/// An upper bound on ln x for x ≥ 1, in units of 2^−64 (excess below 2^−58).
///
/// Method: x = 2^j·y with y ∈ [1, 2) (y rounded up), ln x = j·ln 2 + 2·atanh(z) with z = (y−1)/(y+1) ≤ 1/3,
/// and 2·atanh(z) = 2·Σ z^(2n+1)/(2n+1): 20 terms, each rounded up, plus the tail bound
/// z^41/(41·(1−z²)) ≤ (9/8)·z^41/41.
pub fn ln_round_up(x: &Rational) -> Result<u128> {
    if *x < Rational::one() {
        fail!(Internal, "ln_round_up needs x ≥ 1, got {x}");
    }
    let j = x.floor_log2()?;
    let y = x.div_round_up(&Rational::power_of_two(j)?)?;
    let y_fixed = fraction_up(y.numerator(), y.denominator()).max(ONE);
    if y_fixed >= 2 * ONE {
        // y rounded up to 2: x ≤ 2^(j+1).
        return Ok((j as u128 + 1) * LN2_UP);
    }
    let z = ((y_fixed - ONE) * ONE).div_ceil(y_fixed + ONE);
    let z_squared = mul_up(z, z);
    let mut power = z;
    let mut series = 0u128;
    for n in 0..20u128 {
        series += power.div_ceil(2 * n + 1);
        power = mul_up(power, z_squared);
    }
    series += (power * 9).div_ceil(8 * 41) + 1;
    Ok(j as u128 * LN2_UP + 2 * series)
}

/// The threshold of `Release::CountAboveThreshold`: a cell is released when noisy count > the result.
///
/// # Proof Definition
/// For `ApproxDP{ε, δ}` with ε > 0 finite and 0 < δ < 1, `scale` α ≥ d/ε (the discrete Laplace scale of
/// the count, P(Z = x) ∝ p^|x| with p = e^(−1/α)) and `d` the count's L1 sensitivity (≥ 1): returns
/// τ − 1 where τ (Tumult's threshold: release when noisy count ≥ τ) is the smallest integer
/// with τ − 1 ≥ min(A, B), A = α·ln⁺(d/δ) + d, B = α·(ln⁺(d/δ) − ln 2) + d + 1 (B only when
/// ln⁺(d/δ) ≥ ln 2), ln⁺ an upper bound on ln. Err(InvalidArgument) when τ does not fit i64.
///
/// Relies on: Tumult's guarantee (`GeometricPartitionSelection.privacy_function`): with ε₁ = 1/α and
/// δ₁ = P(Z > τ − 2) = p^(τ−1)/(1+p), the selection is (d·ε₁, d·e^(d·ε₁)·δ₁)-DP for inputs d apart.
/// d·ε₁ ≤ ε. And δ₁ ≤ δ/(d·e^(d/α)) holds when (τ−1)/α ≥ ln(d/δ) + d/α − ln(1+p): A is that with
/// ln(1+p) ≥ 0, B with ln(1+p) ≥ ln 2 − (1 − p) ≥ ln 2 − 1/α (ln is 1-Lipschitz on [1, 2];
/// 1 − e^(−u) ≤ u). Tumult's exact τ (its inverse CDF) is never above ours, and ours exceeds it by at
/// most 2 (the ln bounds and the ln(1+p) slack).
pub fn partition_threshold(budget: &Budget, scale: &Rational, d: &Rational) -> Result<i64> {
    let Budget::ApproxDP { delta, .. } = budget else {
        fail!(Internal, "a partition threshold for the budget {budget}");
    };
    let delta = delta
        .finite()
        .filter(|delta| !delta.is_zero() && *delta < Rational::one())
        .ok_or_else(|| err!(Internal, "a partition threshold for δ = {delta}"))?;
    // ln(d/δ) ≤ ln⁺(d) + ln⁺(1/δ): each argument is ≥ 1 and exact.
    let ln_bound = ln_round_up(d)? + ln_round_up(&delta.checked_reciprocal()?)?;
    let too_large = || {
        err!(
            InvalidArgument,
            "The get_groups threshold for {budget} cannot be represented. Use a larger epsilon or delta."
        )
    };
    let times_scale = |log_fixed: u128| -> Result<Rational> {
        let log = Rational::new(log_fixed, ONE)?;
        match scale.checked_mul(&log) {
            Ok(product) => Ok(product),
            Err(_) => scale
                .div_round_up(&log.checked_reciprocal()?)
                .map_err(|_| too_large()),
        }
    };
    let bound_a = times_scale(ln_bound)?
        .checked_add(d)
        .map_err(|_| too_large())?;
    let bound = if ln_bound >= LN2_DOWN {
        let bound_b = times_scale(ln_bound - LN2_DOWN)?
            .checked_add(d)
            .and_then(|b| b.checked_add(&Rational::one()))
            .map_err(|_| too_large())?;
        bound_a.min(bound_b)
    } else {
        bound_a
    };
    let ceiling = bound.numerator().div_ceil(bound.denominator());
    i64::try_from(ceiling).map_err(|_| too_large())
}
