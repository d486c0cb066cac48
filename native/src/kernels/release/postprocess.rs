//! From a cell's merged partials and its noisy measures to its released values (`privacy::plan::Release`).
//! Post-processing only: nothing here reads data beyond the noisy measures (and, for a quantile, the
//! exponential mechanism's own draw), so nothing here changes the privacy guarantee.
//!
//! The formulas follow Tumult Core's (`tmlt/core/measurements/aggregations.py`, opendp/tumult-core),
//! read in the lattice units of the plan's encoding (e = round(v/2^k) − shift):
//! * average (`create_average_measurement`, `postprocess_sod_and_count`):
//!   `sod / max(1, count) + midpoint` — a noisy count ≤ 0 divides by 1; Tumult does **not** clamp the
//!   result into [lower, upper], and neither do we. Here: `(S / max(1, N) + shift)·2^k`.
//! * variance (`create_variance_measurement`, `postprocess_sums_and_count`): NaN when the noisy count ≤ 1;
//!   otherwise the sample variance `(Σv² − (Σv)²/N)/(N − 1)` from the noisy sums (Tumult writes it with
//!   its two midpoints, which cancel), then 0 if negative, else at most `(upper − lower)²/4`. The shift
//!   cancels too: `(S2 − S1²/N)/(N − 1)·2^(2k)` with S2 = noisy Σe², S1 = noisy Σe.
//! * standard deviation (`create_standard_deviation_measurement`): `sqrt(variance)` (NaN stays NaN).
//! * sum: the noisy lattice total times 2^k (Int64 when the column is Int64 with k = 0).
//! * quantile: the exponential mechanism's lattice point times 2^k, clamped into [lower, upper].
//! * get_bounds (`create_bounds_measurement`'s post-processing): the sparse vector's bin i as (−2^i, 2^i)
//!   (`bounds`).
//!
//! Floating-point steps are IEEE 754 operations (and `sqrt`, correctly rounded), so every platform
//! returns the same bits.
use rand_chacha::ChaCha20Rng;

use super::bounds::{bounds_of_bin, select_bin, SparseVectorStreams};
use super::{draw_noise, Cell, Released};
use crate::error::Result;
use crate::kernels::encode::lattice_bounds;
use crate::privacy::plan::{Clamp, MeasurementPlan, OutputType, PartialSpec, Release};
use crate::sample::{sample_quantile_index, QuantileCell};
use crate::{err, fail};

/// Err(InvalidArgument) when `plan`'s partial, number of measures or outputs do not fit its release.
pub fn check_plan(plan: &MeasurementPlan) -> Result<()> {
    use OutputType::{Float64, Int64};
    let moments = matches!(plan.partial, PartialSpec::Moments { .. });
    let (partial_fits, measures, outputs): (bool, usize, Vec<OutputType>) = match plan.release {
        Release::Count | Release::CountAboveThreshold { .. } => {
            (plan.partial == PartialSpec::Count, 1, vec![Int64])
        }
        Release::CountDistinct => (plan.partial == PartialSpec::Distinct, 1, vec![Int64]),
        Release::Sum => {
            let integer = matches!(
                plan.partial,
                PartialSpec::Moments { encoding, .. }
                    if matches!(encoding.clamp, Clamp::Int64 { .. }) && encoding.lattice_exponent == 0
            );
            let shift_free = matches!(
                plan.partial,
                PartialSpec::Moments { encoding, .. } if encoding.shift == 0
            );
            let output = if integer && plan.outputs == [Int64] {
                Int64
            } else {
                Float64
            };
            (moments && shift_free, 1, vec![output])
        }
        Release::Average => (moments, 2, vec![Float64]),
        Release::Variance | Release::Stdev => (
            matches!(plan.partial, PartialSpec::Moments { squares: true, .. }),
            3,
            vec![Float64],
        ),
        Release::Quantile { .. } => (
            matches!(plan.partial, PartialSpec::Histogram { .. }),
            1,
            vec![Float64],
        ),
        Release::Bounds { .. } => match plan.partial {
            PartialSpec::LogBins { value, .. } => (true, 2, vec![value, value]),
            _ => (false, 2, vec![]),
        },
    };
    if !partial_fits || plan.measures.len() != measures || plan.outputs != outputs {
        fail!(
            InvalidArgument,
            "measurement plan: the release {:?} needs {measures} measure(s), outputs {outputs:?} and a \
             fitting partial (Sum: unshifted), got {} measure(s), outputs {:?} and the partial {:?}",
            plan.release,
            plan.measures.len(),
            plan.outputs,
            plan.partial
        );
    }
    Ok(())
}

/// The released values of one cell (None: get_groups withholds it). `streams[i]` is measure i's stream
/// for this cell. A bigint output saturates at the Int64 range; Err(Overflow) naming the measure only when a
/// noisy total leaves i128.
pub fn release_cell(
    plan: &MeasurementPlan,
    cell: &Cell,
    streams: &mut [ChaCha20Rng],
) -> Result<Option<Vec<Released>>> {
    let mut noisy = |measure: usize, exact: i128| -> Result<i128> {
        let (Some(planned), Some(stream)) = (plan.measures.get(measure), streams.get_mut(measure))
        else {
            fail!(Internal, "release: no measure {measure} in the plan");
        };
        let noise = draw_noise(stream, &planned.noise)?;
        exact.checked_add(i128::from(noise)).ok_or_else(|| {
            err!(
                Overflow,
                "release: the noisy {} of a cell overflows i128",
                planned.name
            )
        })
    };
    // A bigint output saturates at the Int64 range: a clamped sum can exceed it (3 rows at the largest
    // bound 2^62 - 1 do), and noise can push any total past it. Saturating is post-processing of the noisy
    // value (no privacy cost) and gives an answer where an exception, or Spark's ANSI overflow error
    // on a wrapped value, would give none (issue 12: clamped sums never overflow into an exception).
    let int64 = |value: i128| -> i64 {
        i64::try_from(value).unwrap_or(if value > 0 { i64::MAX } else { i64::MIN })
    };
    let encoding = match plan.partial {
        PartialSpec::Moments { encoding, .. } | PartialSpec::Histogram { encoding } => {
            Some(encoding)
        }
        PartialSpec::Count | PartialSpec::Distinct | PartialSpec::LogBins { .. } => None,
    };
    let k = encoding.map_or(0, |e| e.lattice_exponent);
    let released = match plan.release {
        Release::Bounds { threshold_fraction } => {
            let PartialSpec::LogBins {
                value,
                lowest,
                highest,
            } = plan.partial
            else {
                fail!(Internal, "release: get_bounds without a LogBins partial");
            };
            let ([threshold, prefix], [threshold_stream, prefix_stream, ..]) =
                (plan.measures.as_slice(), streams)
            else {
                fail!(
                    Internal,
                    "release: get_bounds needs two measures and two streams"
                );
            };
            let bin = select_bin(
                &cell.bins,
                lowest,
                highest,
                &threshold_fraction,
                SparseVectorStreams {
                    threshold: (&threshold.noise, threshold_stream),
                    prefix: (&prefix.noise, prefix_stream),
                },
            )?;
            return Ok(Some(bounds_of_bin(bin, value)?.to_vec()));
        }
        Release::Count => Released::Int64(int64(noisy(0, cell.count)?)),
        Release::CountAboveThreshold { threshold } => {
            let count = int64(noisy(0, cell.count)?);
            if count <= threshold {
                return Ok(None);
            }
            Released::Int64(count)
        }
        Release::CountDistinct => {
            let distinct = i128::try_from(cell.items.len())
                .map_err(|_| err!(Overflow, "release: too many distinct items"))?;
            Released::Int64(int64(noisy(0, distinct)?))
        }
        Release::Sum => {
            let total = noisy(0, cell.moments.sum)?;
            match plan.outputs.first() {
                Some(OutputType::Int64) => Released::Int64(int64(total)),
                _ => Released::Float64(times_power_of_two(total as f64, k)),
            }
        }
        Release::Average => {
            let sum = noisy(0, cell.moments.sum)? as f64;
            let count = noisy(1, i128::from(cell.moments.count))?.max(1) as f64;
            let shift = encoding.map_or(0, |e| e.shift) as f64;
            Released::Float64(times_power_of_two(sum / count + shift, k))
        }
        Release::Variance | Release::Stdev => {
            let squares = noisy(0, cell.moments.sum_of_squares)? as f64;
            let sum = noisy(1, cell.moments.sum)? as f64;
            let count = noisy(2, i128::from(cell.moments.count))?;
            let variance = if count <= 1 {
                f64::NAN
            } else {
                let n = count as f64;
                let units = (squares - sum * sum / n) / (n - 1.0);
                let variance = times_power_of_two(times_power_of_two(units, k), k);
                let (lower, upper) = float_bounds(encoding.map(|e| e.clamp));
                if variance < 0.0 {
                    0.0
                } else {
                    variance.min((upper - lower) * (upper - lower) / 4.0)
                }
            };
            Released::Float64(if plan.release == Release::Stdev {
                variance.sqrt()
            } else {
                variance
            })
        }
        Release::Quantile { quantile, rate } => {
            let Some(encoding) = encoding else {
                fail!(Internal, "release: a quantile without an encoding");
            };
            let mut bins = Vec::with_capacity(cell.bins.len());
            for (&encoded, &count) in &cell.bins {
                let Some(point) = encoded.checked_add(encoding.shift) else {
                    fail!(
                        InvalidArgument,
                        "release: histogram bin {encoded} is beyond the lattice"
                    );
                };
                bins.push((point, count));
            }
            let (lower_point, upper_point) = lattice_bounds(&encoding)?;
            let Some(stream) = streams.first_mut() else {
                fail!(Internal, "release: a quantile without a measure");
            };
            let point = sample_quantile_index(
                stream,
                &QuantileCell::new(&bins)?,
                lower_point,
                upper_point,
                &quantile,
                &rate,
            )?;
            let (lower, upper) = float_bounds(Some(encoding.clamp));
            Released::Float64(times_power_of_two(point as f64, k).max(lower).min(upper))
        }
    };
    Ok(Some(vec![released]))
}

/// The clamping bounds as doubles (Int64 bounds rounded to nearest; (0, 0) without an encoding).
fn float_bounds(clamp: Option<Clamp>) -> (f64, f64) {
    match clamp {
        Some(Clamp::Int64 { lower, upper }) => (lower as f64, upper as f64),
        Some(Clamp::Float64 { lower, upper }) => (lower, upper),
        None => (0.0, 0.0),
    }
}

/// `value · 2^k`, in steps whose factors are exact doubles, so the product is exact unless it overflows
/// (±inf) or becomes subnormal.
pub fn times_power_of_two(value: f64, k: i32) -> f64 {
    let mut value = value;
    let mut k = k;
    while k != 0 {
        let step = k.clamp(-1000, 1000);
        value *= f64::from_bits(((step + 1023) as u64) << 52);
        k -= step;
    }
    value
}
