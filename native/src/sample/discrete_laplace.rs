//! Exact discrete Laplace sampler (Canonne, Kamath, Steinke 2020, Algorithm 2), integer arithmetic only.
//! Pseudocode and proof sketch: `sample_discrete_laplace.md` beside this file.
use super::bernoulli::{bernoulli_exp_minus_fraction, bernoulli_exp_minus_one};
use super::rng::BitSource;
use super::wide::U512;
use crate::error::Result;
use crate::privacy::Rational;
use crate::{err, fail};
use rand_core::RngCore;

/// One draw from the discrete Laplace distribution P(x) ∝ exp(-|x|/scale) on the integers;
/// scale 0 returns 0.
///
/// # Proof Definition
/// For any `scale` = t/s (u128 numerator and non-zero denominator; no reduction assumed):
/// * t = 0: returns `Ok(0)` (the point mass at 0, the limit of the distribution as scale → 0).
/// * otherwise, let Z be distributed on ℤ with P(Z = z) = (1 − e^{−1/scale}) / (1 + e^{−1/scale}) ·
///   e^{−|z|/scale}. Returns `Ok(Z)` when |Z| ≤ i64::MAX and `Err(Overflow)` (naming the scale) when
///   |Z| > i64::MAX — an event of probability below 2·e^{−(2^63)/scale}, i.e. never for scale ≤ 10^12.
///   `Err(Internal)` is returned only if an internal loop counter passes 2^64 (probability below
///   1/(2^64)!). No other `Err` is possible: products that leave u128 are computed in 512 bits.
///
/// Randomness: only `rng`'s output, through bias-free bounded draws. Pseudocode and proof sketch:
/// `native/src/sample/sample_discrete_laplace.md`.
pub fn sample_discrete_laplace<R: RngCore + ?Sized>(rng: &mut R, scale: &Rational) -> Result<i64> {
    DiscreteLaplace::new(scale).sample(rng)
}

/// Greatest common divisor (binary, no division).
pub(crate) fn gcd_u128(mut a: u128, mut b: u128) -> u128 {
    if a == 0 {
        return b;
    }
    if b == 0 {
        return a;
    }
    let common_twos = (a | b).trailing_zeros();
    a >>= a.trailing_zeros();
    loop {
        b >>= b.trailing_zeros();
        if a > b {
            std::mem::swap(&mut a, &mut b);
        }
        b -= a;
        if b == 0 {
            return a << common_twos;
        }
    }
}

/// `num/den` in lowest terms (den > 0 by the `Rational` invariant).
pub(crate) fn lowest_terms(value: &Rational) -> (u128, u128) {
    let (num, den) = (value.numerator(), value.denominator());
    let divisor = gcd_u128(num, den).max(1);
    (num / divisor, den / divisor)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum LaplaceParameters {
    /// Scale 0: always 0.
    Zero,
    /// scale = t/s with t, s < 2^64: every intermediate fits u128 (U + t·V < 2^64 + 2^128 − 2^65 + 1).
    Word { t: u64, s: u64 },
    /// Any other scale = t/s.
    Wide { t: u128, s: u128 },
}

/// A discrete Laplace sampler with its parameters prepared once (lowest terms, word-size fast path), for
/// callers drawing many values at one scale. Same distribution as [`sample_discrete_laplace`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DiscreteLaplace {
    parameters: LaplaceParameters,
    scale: Rational,
}

impl DiscreteLaplace {
    pub fn new(scale: &Rational) -> Self {
        let (t, s) = lowest_terms(scale);
        let parameters = if t == 0 {
            LaplaceParameters::Zero
        } else if let (Ok(t), Ok(s)) = (u64::try_from(t), u64::try_from(s)) {
            LaplaceParameters::Word { t, s }
        } else {
            LaplaceParameters::Wide { t, s }
        };
        DiscreteLaplace {
            parameters,
            scale: *scale,
        }
    }

    /// One draw; see [`sample_discrete_laplace`] for the Proof Definition.
    pub fn sample<R: RngCore + ?Sized>(&self, rng: &mut R) -> Result<i64> {
        self.sample_from_bits(&mut BitSource::new(rng))
    }

    /// One draw from a shared [`BitSource`] (lets a caller drawing many values reuse cached bits).
    #[inline]
    pub fn sample_from_bits<R: RngCore + ?Sized>(
        &self,
        bits: &mut BitSource<'_, R>,
    ) -> Result<i64> {
        match self.parameters {
            LaplaceParameters::Zero => Ok(0),
            LaplaceParameters::Word { t, s } => self.sample_word(bits, t, s),
            LaplaceParameters::Wide { t, s } => self.sample_wide(bits, t, s),
        }
    }

    /// V ~ Geometric: the number of Bernoulli(exp(−1)) successes before the first failure,
    /// P(V = v) = (1 − e^{−1}) e^{−v} (CKS20 Algorithm 2, lines 6–9).
    #[inline]
    fn geometric_exp_minus_one<R: RngCore + ?Sized>(
        &self,
        bits: &mut BitSource<'_, R>,
    ) -> Result<u64> {
        let mut v: u64 = 0;
        while bernoulli_exp_minus_one(bits)? {
            v = match v.checked_add(1) {
                Some(next) => next,
                None => fail!(Internal, "discrete Laplace geometric counter passed 2^64"),
            };
        }
        Ok(v)
    }

    /// Applies the random sign; `None` means "reject and restart" (the B = 1, Y = 0 case that would
    /// otherwise give 0 twice the mass).
    #[inline]
    fn signed<R: RngCore + ?Sized>(
        &self,
        bits: &mut BitSource<'_, R>,
        magnitude: u128,
    ) -> Result<Option<i64>> {
        let is_negative = bits.bit();
        if is_negative && magnitude == 0 {
            return Ok(None);
        }
        let magnitude = i64::try_from(magnitude).map_err(|_| self.out_of_range())?;
        Ok(Some(if is_negative { -magnitude } else { magnitude }))
    }

    fn out_of_range(&self) -> crate::error::Error {
        err!(
            Overflow,
            "discrete Laplace noise with scale ({}/{}) drew a value outside the i64 range",
            self.scale.numerator(),
            self.scale.denominator()
        )
    }

    #[inline]
    fn sample_word<R: RngCore + ?Sized>(
        &self,
        bits: &mut BitSource<'_, R>,
        t: u64,
        s: u64,
    ) -> Result<i64> {
        loop {
            // U uniform on {0..t−1}, accepted with probability exp(−U/t): U + t·V is then geometric
            // with ratio e^{−1/t} (CKS20 Algorithm 2, lines 3–5).
            let u = bits.uniform_below_u64(t);
            if !bernoulli_exp_minus_fraction(bits, &u, &t)? {
                continue;
            }
            let v = self.geometric_exp_minus_one(bits)?;
            // Lossless widening; the sum cannot overflow (see LaplaceParameters::Word).
            let x = u128::from(u) + u128::from(t) * u128::from(v);
            // Y = ⌊X/s⌋ is geometric with ratio e^{−s/t} = e^{−1/scale} (CKS20 Lemma 17).
            let y = if s == 1 {
                x
            } else if let Ok(x_word) = u64::try_from(x) {
                u128::from(x_word / s)
            } else {
                x / u128::from(s)
            };
            if let Some(sample) = self.signed(bits, y)? {
                return Ok(sample);
            }
        }
    }

    fn sample_wide<R: RngCore + ?Sized>(
        &self,
        bits: &mut BitSource<'_, R>,
        t: u128,
        s: u128,
    ) -> Result<i64> {
        loop {
            let u = bits.uniform_below_u128(t);
            if !bernoulli_exp_minus_fraction(bits, &u, &t)? {
                continue;
            }
            let v = self.geometric_exp_minus_one(bits)?;
            let y = match t
                .checked_mul(u128::from(v))
                .and_then(|tv| tv.checked_add(u))
            {
                Some(x) => x / s,
                None => {
                    // X = U + t·V ≥ 2^128: exact in 512 bits (< 2^129 · 2^64).
                    let x = U512::from_u128(t)
                        .checked_mul(&U512::from_u64(v))
                        .and_then(|tv| tv.checked_add(&U512::from_u128(u)))
                        .ok_or_else(|| self.out_of_range())?;
                    let (y, _) = x.div_rem(&U512::from_u128(s));
                    y.to_u128().ok_or_else(|| self.out_of_range())?
                }
            };
            if let Some(sample) = self.signed(bits, y)? {
                return Ok(sample);
            }
        }
    }
}
