//! Exact exponential mechanism for a quantile over a finite lattice (`Release::Quantile`).
//!
//! The candidates are the lattice indices p ∈ [lower, upper] (M = upper − lower + 1 points). A cell's data
//! is its histogram: sorted distinct lattice indices with their row counts, n rows in all. The utility is
//! u(p) = −|rank(p) − q·n| with rank(p) = #{rows with index ≤ p}, and the output is drawn with
//! P(p) ∝ exp(t · u(p)) for the rate t the plan gives.
//!
//! # Privacy
//! This is McSherry–Talwar's exponential mechanism over the finite, data-independent set [lower, upper]:
//! adding or removing one row changes rank(p) by at most 1 and q·n by q ∈ [0, 1], each in the same
//! direction, so |u(p) − u'(p)| ≤ 1 for every p (utility sensitivity 1). With P(p) ∝ exp(t·u(p)) the
//! output is 2t-DP (t-DP for a monotone utility such as this one, as `privacy::measurement` assumes when
//! it sets t); the rate is decided there, not here. This module only has to return *exactly* that
//! distribution.
//!
//! # Exactness (rejection sampling)
//! Let D(p) = |rank(p) − q·n| and D* = min_p D(p) (exact rationals; q has a power-of-two denominator).
//! Repeat: draw p uniform on [lower, upper] (an exact bounded integer from the ChaCha stream); accept with
//! probability exp(−t·(D(p) − D*)) ≤ 1 (`sample_bernoulli_exp_minus`, exact for rational arguments).
//! One round returns p with probability (1/M)·exp(−t·(D(p) − D*)), proportional to exp(−t·D(p)); rounds
//! are independent, so the returned p has exactly the target law. No floating point is involved.
//! A round accepts with probability (1/M)·Σ_p exp(−t·(D(p) − D*)) ≥ A/M, where A is the number of points
//! with D(p) = D*, so the expected number of rounds is at most M/A (≤ M: about 2^20 with the planner's
//! lattices; 1 when t = 0 or the cell is empty, which makes every point equally likely).
//!
//! An infinite rate (infinite budget) is the limit: the smallest p with D(p) = D*, drawing nothing.
use rand_core::RngCore;

use super::bernoulli::sample_bernoulli_exp_minus;
use super::rng::uniform_below_u128;
use crate::error::Result;
use crate::privacy::{ExtRational, Rational};
use crate::{err, fail};

/// A cell's data for the quantile mechanism: sorted, strictly increasing lattice indices with positive
/// row counts (`bins`), and the prefix sums that give rank(p) by binary search.
#[derive(Debug, Clone)]
pub struct QuantileCell {
    indices: Vec<i64>,
    /// `ranks[i]` = Σ counts of bins 0..=i.
    ranks: Vec<u128>,
}

impl QuantileCell {
    /// Err(InvalidArgument) when the indices are not strictly increasing or a count is zero.
    pub fn new(bins: &[(i64, u64)]) -> Result<Self> {
        let mut indices = Vec::with_capacity(bins.len());
        let mut ranks = Vec::with_capacity(bins.len());
        let mut total: u128 = 0;
        for (position, &(index, count)) in bins.iter().enumerate() {
            if count == 0 {
                fail!(InvalidArgument, "quantile: bin {index} has a zero count");
            }
            if position > 0 && bins[position - 1].0 >= index {
                fail!(
                    InvalidArgument,
                    "quantile: bins must be strictly increasing, got {} then {index}",
                    bins[position - 1].0
                );
            }
            total += u128::from(count);
            indices.push(index);
            ranks.push(total);
        }
        Ok(QuantileCell { indices, ranks })
    }

    /// n: the number of rows.
    pub fn total(&self) -> u128 {
        self.ranks.last().copied().unwrap_or(0)
    }

    /// rank(p) = #{rows with index ≤ p}.
    pub fn rank(&self, point: i64) -> u128 {
        match self.indices.partition_point(|&index| index <= point) {
            0 => 0,
            after => self.ranks[after - 1],
        }
    }
}

/// D(p)·den(q) = |rank·den(q) − num(q)·n| as an exact integer. Err(Overflow) beyond u128.
fn scaled_distance(rank: u128, quantile: &Rational, total: u128) -> Result<u128> {
    let overflow = || {
        err!(
            Overflow,
            "quantile: the utility of a lattice point overflows u128"
        )
    };
    let scaled_rank = rank
        .checked_mul(quantile.denominator())
        .ok_or_else(overflow)?;
    let target = quantile
        .numerator()
        .checked_mul(total)
        .ok_or_else(overflow)?;
    Ok(scaled_rank.abs_diff(target))
}

/// One exponential-mechanism draw of a lattice index in [lower, upper] for `quantile` ∈ [0, 1] at rate
/// `rate` (module doc).
///
/// # Proof Definition
/// For `lower ≤ upper`, `quantile ≤ 1` and every bin inside [lower, upper]: returns `Ok(p)` with
/// P(p) = exp(−t·D(p)) / Σ_r exp(−t·D(r)) over the integers r ∈ [lower, upper], D(p) = |rank(p) − q·n|,
/// given uniform bits from `rng`; for an infinite rate, the smallest p minimizing D. Err(InvalidArgument)
/// naming the value for bounds out of order, a quantile above 1, or a bin outside the bounds;
/// Err(Overflow) when an exponent t·(D(p) − D*) does not fit a u128 rational (never a wrap).
pub fn sample_quantile_index<R: RngCore + ?Sized>(
    rng: &mut R,
    cell: &QuantileCell,
    lower: i64,
    upper: i64,
    quantile: &Rational,
    rate: &ExtRational,
) -> Result<i64> {
    if lower > upper {
        fail!(
            InvalidArgument,
            "quantile: lower lattice index ({lower}) must not exceed upper ({upper})"
        );
    }
    if quantile.numerator() > quantile.denominator() {
        fail!(
            InvalidArgument,
            "quantile ({quantile}) must be between 0 and 1"
        );
    }
    if let (Some(first), Some(last)) = (cell.indices.first(), cell.indices.last()) {
        if *first < lower || *last > upper {
            fail!(
                InvalidArgument,
                "quantile: bins [{first}, {last}] must lie within the lattice bounds [{lower}, {upper}]"
            );
        }
    }
    let total = cell.total();
    // The candidate ranks are constant on segments: [lower, first bin), then from each bin to the next.
    // D* is the least distance over them; the first segment attaining it starts the infinite-rate answer.
    let mut segment_starts = Vec::with_capacity(cell.indices.len() + 1);
    if cell.indices.first() != Some(&lower) {
        segment_starts.push(lower);
    }
    segment_starts.extend_from_slice(&cell.indices);
    let distances = segment_starts
        .iter()
        .map(|&start| scaled_distance(cell.rank(start), quantile, total))
        .collect::<Result<Vec<u128>>>()?;
    let Some(&least) = distances.iter().min() else {
        fail!(Internal, "quantile: no lattice point in [{lower}, {upper}]");
    };
    let rate = match rate {
        ExtRational::Infinite => {
            // The first segment at the least distance starts the answer.
            let best = distances.iter().position(|&d| d == least).unwrap_or(0);
            return Ok(segment_starts[best]);
        }
        ExtRational::Finite(rate) => rate,
    };
    // Each segment's exponent t·(D − D*), computed once (not once per round).
    let exponents = distances
        .iter()
        .map(|&distance| {
            let excess = distance - least;
            if excess == 0 || rate.is_zero() {
                return Ok(None);
            }
            Rational::new(excess, quantile.denominator())
                .and_then(|distance| distance.checked_mul(rate))
                .map(Some)
                .map_err(|e| {
                    err!(
                        Overflow,
                        "quantile: the exponent rate·(D(p) − D*) = {rate}·{excess}/{} does not fit a \
                         u128 rational: {e}",
                        quantile.denominator()
                    )
                })
        })
        .collect::<Result<Vec<Option<Rational>>>>()?;
    // M ≤ 2^64: the difference of two i64 plus one.
    let points = (i128::from(upper) - i128::from(lower) + 1) as u128;
    loop {
        let point = (i128::from(lower) + uniform_below_u128(rng, points)? as i128) as i64;
        // The segment holding `point`: the last start at or below it (the first start is `lower`).
        let segment = segment_starts.partition_point(|&start| start <= point) - 1;
        match &exponents[segment] {
            None => return Ok(point),
            Some(exponent) => {
                if sample_bernoulli_exp_minus(rng, exponent)? {
                    return Ok(point);
                }
            }
        }
    }
}

#[cfg(test)]
mod test;
