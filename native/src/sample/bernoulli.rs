//! Exact Bernoulli samplers: Bernoulli(num/den) and Bernoulli(exp(−x)) for rational x ≥ 0
//! (Canonne, Kamath, Steinke 2020, "The Discrete Gaussian for Differential Privacy", Algorithm 1).
//! Integer arithmetic only; see `sample_bernoulli_exp_minus.md` for the proof sketch.
use super::rng::BitSource;
use super::wide::Natural;
use crate::error::Result;
use crate::fail;
use crate::privacy::Rational;
use rand_core::RngCore;

/// One draw from Bernoulli(p) with p = `probability` (a rational in [0, 1]).
///
/// # Proof Definition
/// For any `probability` = n/d with d > 0: returns `Err(InvalidArgument)` when n > d (p > 1); otherwise
/// returns `Ok(true)` with probability exactly n/d and `Ok(false)` otherwise, by comparing a uniform
/// integer U on {0, …, d−1} (bias-free bounded draw) with n: P(U < n) = n/d.
pub fn sample_bernoulli_rational<R: RngCore + ?Sized>(
    rng: &mut R,
    probability: &Rational,
) -> Result<bool> {
    let (num, den) = (probability.numerator(), probability.denominator());
    if num > den {
        fail!(
            InvalidArgument,
            "probability ({num}/{den}) must not exceed 1"
        );
    }
    let mut bits = BitSource::new(rng);
    Ok(bernoulli_ratio(&mut bits, &num, &den))
}

/// One draw from Bernoulli(exp(−x)) for a rational x ≥ 0.
///
/// # Proof Definition
/// For any `x` = n/d (d > 0, so x ∈ [0, 2^128)): never returns `Err` except `Err(Internal)` if an internal
/// loop counter would pass 2^64 (an event of probability below 1/(2^64)!, i.e. never); otherwise
/// returns `Ok(true)` with probability exactly exp(−n/d). Pseudocode and proof sketch:
/// `native/src/sample/sample_bernoulli_exp_minus.md` (beside this file).
pub fn sample_bernoulli_exp_minus<R: RngCore + ?Sized>(rng: &mut R, x: &Rational) -> Result<bool> {
    let mut bits = BitSource::new(rng);
    bernoulli_exp_minus(&mut bits, &x.numerator(), &x.denominator())
}

/// Bernoulli(num/den) for num ≤ den, den ≥ 1: P(U < num) for U uniform below den.
#[inline]
pub(crate) fn bernoulli_ratio<N: Natural, R: RngCore + ?Sized>(
    bits: &mut BitSource<'_, R>,
    num: &N,
    den: &N,
) -> bool {
    if num.is_zero() {
        return false;
    }
    N::uniform_below(bits, den) < *num
}

/// Bernoulli(exp(−num/den)) for num ≤ den (γ = num/den ∈ [0, 1]), CKS20 Algorithm 1:
/// K ← 1; while Bernoulli(γ/K) = 1: K ← K+1; return [K is odd].
/// Bernoulli(γ/K) is drawn as Bernoulli(1/K) ∧ Bernoulli(γ) (independent draws), which is exact and
/// keeps every number below `den` — no product γ·K is ever formed, so nothing can overflow.
#[inline]
pub(crate) fn bernoulli_exp_minus_fraction<N: Natural, R: RngCore + ?Sized>(
    bits: &mut BitSource<'_, R>,
    num: &N,
    den: &N,
) -> Result<bool> {
    if num.is_zero() {
        return Ok(true);
    }
    let mut k: u64 = 1;
    loop {
        if !(bits.bernoulli_one_over(k) && bernoulli_ratio(bits, num, den)) {
            return Ok(k % 2 == 1);
        }
        k = match k.checked_add(1) {
            Some(next) => next,
            None => fail!(Internal, "Bernoulli(exp(-x)) loop counter passed 2^64"),
        };
    }
}

/// Bernoulli(exp(−1)): the γ = 1 case of [`bernoulli_exp_minus_fraction`], with no ratio draw.
#[inline]
pub(crate) fn bernoulli_exp_minus_one<R: RngCore + ?Sized>(
    bits: &mut BitSource<'_, R>,
) -> Result<bool> {
    // K = 1: Bernoulli(1/1) = 1 always, so start at K = 2.
    let mut k: u64 = 2;
    loop {
        if !bits.bernoulli_one_over(k) {
            return Ok(k % 2 == 1);
        }
        k = match k.checked_add(1) {
            Some(next) => next,
            None => fail!(Internal, "Bernoulli(exp(-1)) loop counter passed 2^64"),
        };
    }
}

/// Bernoulli(exp(−num/den)) for any num ≥ 0, den ≥ 1 (CKS20 Algorithm 1, x > 1 branch):
/// exp(−x) = exp(−1)^⌊x⌋ · exp(−(x − ⌊x⌋)), so draw ⌊x⌋ independent Bernoulli(exp(−1)) (stopping at the
/// first 0) and then one Bernoulli(exp(−frac(x))).
pub(crate) fn bernoulli_exp_minus<N: Natural, R: RngCore + ?Sized>(
    bits: &mut BitSource<'_, R>,
    num: &N,
    den: &N,
) -> Result<bool> {
    let (mut whole, fraction) = num.div_rem(den);
    while !whole.is_zero() {
        if !bernoulli_exp_minus_one(bits)? {
            return Ok(false);
        }
        whole = whole.decrement();
    }
    bernoulli_exp_minus_fraction(bits, &fraction, den)
}
