//! Exact discrete Gaussian sampler (Canonne, Kamath, Steinke 2020, Algorithm 3), integer arithmetic only.
//! Pseudocode and proof sketch: `sample_discrete_gaussian.md` beside this file.
use super::bernoulli::bernoulli_exp_minus;
use super::discrete_laplace::{lowest_terms, DiscreteLaplace};
use super::rng::BitSource;
use super::wide::U512;
use crate::error::Result;
use crate::privacy::Rational;
use crate::{err, fail};
use rand_core::RngCore;

/// One draw from the discrete Gaussian P(x) ∝ exp(-x²/(2σ²)) on the integers; σ² = 0 returns 0.
///
/// # Proof Definition
/// For any `sigma_squared` = n/d (u128 numerator, non-zero denominator; no reduction assumed):
/// * n = 0: returns `Ok(0)` (the point mass at 0).
/// * otherwise, let Z be distributed on ℤ with P(Z = z) = e^{−z²/(2σ²)} / Σ_{y∈ℤ} e^{−y²/(2σ²)}, σ² = n/d.
///   Returns `Ok(Z)`, except that it returns `Err(Overflow)` (naming σ²) if a discrete Laplace proposal
///   leaves the i64 range (probability below 2·e^{−2^63/(σ+1)} per proposal, i.e. never for σ ≤ 10^9),
///   and `Err(Internal)` if an internal loop counter passes 2^64 (probability below 1/(2^64)!).
///   Every intermediate is exact: u128 where it fits, else 512-bit (all bounds are below 2^511 for any
///   u128 n and d, see `native/src/sample/sample_discrete_gaussian.md`).
///
/// Randomness: only `rng`'s output. Pseudocode and proof sketch:
/// `native/src/sample/sample_discrete_gaussian.md`.
pub fn sample_discrete_gaussian<R: RngCore + ?Sized>(
    rng: &mut R,
    sigma_squared: &Rational,
) -> Result<i64> {
    DiscreteGaussian::new(sigma_squared)?.sample(rng)
}

/// A discrete Gaussian sampler with its parameters prepared once. Same distribution as
/// [`sample_discrete_gaussian`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DiscreteGaussian {
    /// σ² = n/d in lowest terms.
    n: u128,
    d: u128,
    /// The proposal: discrete Laplace with integer scale t = ⌊σ⌋ + 1.
    proposal: DiscreteLaplace,
    /// d·t, when it fits u128.
    d_times_t: Option<u128>,
    /// 2·n·d·t², when it fits u128.
    acceptance_denominator: Option<u128>,
    d_times_t_wide: U512,
    acceptance_denominator_wide: U512,
}

impl DiscreteGaussian {
    /// Prepares the sampler. `Err(Overflow)` naming σ² only if 2·n·d·t² does not fit 512 bits, which the
    /// bounds in the proof note rule out for u128 inputs (kept as a checked guard, never a wrap).
    pub fn new(sigma_squared: &Rational) -> Result<Self> {
        let (n, d) = lowest_terms(sigma_squared);
        // ⌊σ⌋ = ⌊√⌊n/d⌋⌋ (for integer m: m ≤ √x ⇔ m² ≤ x ⇔ m² ≤ ⌊x⌋), and ⌊√(2^128−1)⌋ < 2^64, so t ≤ 2^64.
        let t = (n / d).isqrt() + 1;
        let overflow = || {
            err!(
                Overflow,
                "discrete Gaussian sigma_squared ({}/{}) is too large for exact arithmetic",
                sigma_squared.numerator(),
                sigma_squared.denominator()
            )
        };
        let d_times_t_wide = U512::from_u128(d)
            .checked_mul(&U512::from_u128(t))
            .ok_or_else(overflow)?;
        let acceptance_denominator_wide = U512::from_u128(n)
            .checked_mul(&d_times_t_wide)
            .and_then(|ndt| ndt.checked_mul(&U512::from_u128(t)))
            .and_then(|ndt2| ndt2.checked_mul(&U512::from_u64(2)))
            .ok_or_else(overflow)?;
        Ok(DiscreteGaussian {
            n,
            d,
            proposal: DiscreteLaplace::new(&Rational::from_integer(t)),
            d_times_t: d_times_t_wide.to_u128(),
            acceptance_denominator: acceptance_denominator_wide.to_u128(),
            d_times_t_wide,
            acceptance_denominator_wide,
        })
    }

    /// One draw; see [`sample_discrete_gaussian`] for the Proof Definition.
    pub fn sample<R: RngCore + ?Sized>(&self, rng: &mut R) -> Result<i64> {
        self.sample_from_bits(&mut BitSource::new(rng))
    }

    /// One draw from a shared [`BitSource`].
    pub fn sample_from_bits<R: RngCore + ?Sized>(
        &self,
        bits: &mut BitSource<'_, R>,
    ) -> Result<i64> {
        if self.n == 0 {
            return Ok(0);
        }
        loop {
            let y = self.proposal.sample_from_bits(bits).map_err(|e| match e {
                crate::error::Error::Overflow(_) => err!(
                    Overflow,
                    "discrete Gaussian sigma_squared ({}/{}) drew a proposal outside the i64 range",
                    self.n,
                    self.d
                ),
                other => other,
            })?;
            // Accept with probability exp(−(|Y| − σ²/t)² / (2σ²)) = exp(−(|Y|·d·t − n)² / (2·n·d·t²))
            // (CKS20 Algorithm 3; the second form clears the denominators of σ² = n/d).
            let magnitude = u128::from(y.unsigned_abs());
            let is_accepted = match self.acceptance_exponent_u128(magnitude) {
                Some((num, den)) => match (u64::try_from(num), u64::try_from(den)) {
                    (Ok(num), Ok(den)) => bernoulli_exp_minus(bits, &num, &den)?,
                    _ => bernoulli_exp_minus(bits, &num, &den)?,
                },
                None => {
                    let (num, den) = self.acceptance_exponent_wide(magnitude)?;
                    bernoulli_exp_minus(bits, &num, &den)?
                }
            };
            if is_accepted {
                return Ok(y);
            }
        }
    }

    /// The acceptance exponent as (|Y|·d·t − n)² / (2·n·d·t²) when every term fits u128.
    #[inline]
    fn acceptance_exponent_u128(&self, magnitude: u128) -> Option<(u128, u128)> {
        let scaled = magnitude.checked_mul(self.d_times_t?)?;
        let distance = scaled.abs_diff(self.n);
        Some((
            distance.checked_mul(distance)?,
            self.acceptance_denominator?,
        ))
    }

    /// The same exponent in 512 bits: |Y| < 2^63 and d·t ≤ 2^192 give a distance below 2^255, whose square
    /// is below 2^510.
    fn acceptance_exponent_wide(&self, magnitude: u128) -> Result<(U512, U512)> {
        let Some(scaled) = U512::from_u128(magnitude).checked_mul(&self.d_times_t_wide) else {
            fail!(
                Overflow,
                "discrete Gaussian sigma_squared ({}/{}): |Y|·d·t overflows",
                self.n,
                self.d
            );
        };
        let n = U512::from_u128(self.n);
        let distance = scaled
            .checked_sub(&n)
            .or_else(|| n.checked_sub(&scaled))
            .unwrap_or(U512::ZERO);
        let Some(squared) = distance.checked_mul(&distance) else {
            fail!(
                Overflow,
                "discrete Gaussian sigma_squared ({}/{}): (|Y|·d·t − n)² overflows",
                self.n,
                self.d
            );
        };
        Ok((squared, self.acceptance_denominator_wide))
    }
}
