//! The get_bounds release of one cell (`privacy::plan::Release::Bounds`; Tumult's `SparseVectorPrefixSums`
//! and the post-processing of `create_bounds_measurement`): a noisy threshold, then the noisy prefix counts
//! of the log bins in increasing order until one reaches it; the bin i found becomes (−2^i, 2^i).
//!
//! Integer arithmetic throughout: the threshold ⌊fraction·n⌋ is exact (u128), the noise is integer, and
//! 2^i is built from bits. Draw order is fixed: measure 0's stream gives the threshold noise (one draw),
//! measure 1's stream the prefix noise of the lowest bin first, then the next, so bin i's noise is the
//! same draw whatever the data; stopping at the first bin that passes leaves every earlier draw unchanged.
use rand_chacha::ChaCha20Rng;
use std::collections::BTreeMap;

use super::{draw_noise, Released};
use crate::error::Result;
use crate::privacy::plan::OutputType;
use crate::privacy::{NoiseSpec, Rational};
use crate::{err, fail};

/// The noise and streams of one cell's sparse vector: (threshold noise, its stream), (prefix noise, its
/// stream).
pub struct SparseVectorStreams<'a> {
    pub threshold: (&'a NoiseSpec, &'a mut ChaCha20Rng),
    pub prefix: (&'a NoiseSpec, &'a mut ChaCha20Rng),
}

/// The bin a cell's sparse vector selects among `lowest..=highest`, from its per-bin row counts `bins`
/// (bins outside the range are an error: the partial never makes them).
pub fn select_bin(
    bins: &BTreeMap<i64, u64>,
    lowest: i32,
    highest: i32,
    threshold_fraction: &Rational,
    streams: SparseVectorStreams<'_>,
) -> Result<i32> {
    if let Some((&bin, _)) = bins
        .iter()
        .find(|(&bin, _)| bin < i64::from(lowest) || bin > i64::from(highest))
    {
        fail!(
            InvalidArgument,
            "release: log bin {bin} is outside the bins [{lowest}, {highest}] of the plan"
        );
    }
    let overflow = || {
        err!(
            Overflow,
            "release: the row count of a get_bounds cell overflows"
        )
    };
    let total: u128 = bins
        .values()
        .try_fold(0u128, |sum, &count| sum.checked_add(u128::from(count)))
        .ok_or_else(overflow)?;
    let scaled = total
        .checked_mul(threshold_fraction.numerator())
        .ok_or_else(overflow)?;
    let exact_threshold =
        i128::try_from(scaled / threshold_fraction.denominator()).map_err(|_| overflow())?;
    let (threshold_noise, threshold_stream) = streams.threshold;
    let threshold = exact_threshold + i128::from(draw_noise(threshold_stream, threshold_noise)?);
    let (prefix_noise, prefix_stream) = streams.prefix;
    let mut prefix: i128 = 0;
    for bin in lowest..=highest {
        prefix += bins.get(&i64::from(bin)).copied().map_or(0, i128::from);
        let noisy = prefix + i128::from(draw_noise(prefix_stream, prefix_noise)?);
        if noisy >= threshold {
            return Ok(bin);
        }
    }
    Ok(highest)
}

/// (−2^bin, 2^bin) typed as `value`: Int64 for 0 ≤ bin ≤ 62, Float64 for −1022 ≤ bin ≤ 1023 (exact).
pub fn bounds_of_bin(bin: i32, value: OutputType) -> Result<[Released; 2]> {
    match value {
        OutputType::Int64 if (0..=62).contains(&bin) => {
            let upper = 1i64 << bin;
            Ok([Released::Int64(-upper), Released::Int64(upper)])
        }
        OutputType::Float64 if (-1022..=1023).contains(&bin) => {
            let upper = f64::from_bits(((bin + 1023) as u64) << 52);
            Ok([Released::Float64(-upper), Released::Float64(upper)])
        }
        _ => fail!(Internal, "release: bin {bin} has no {value:?} power of two"),
    }
}
