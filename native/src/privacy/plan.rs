//! What a measurement plan tells the kernels (COMPILER_INTERFACES.md §5): how each kept row's measure value
//! becomes an integer (`ValueEncoding`), which partial aggregates a partition emits (`PartialSpec`), and how a
//! cell's merged partials and noisy measures become its released values (`Release`, `OutputType`).
//!
//! `privacy::measurement` builds these (every number in them that touches the privacy guarantee — lattice
//! exponent, shift, bounds, exponential-mechanism rate — is decided there); `kernels::truncate` (partials) and
//! `kernels::release` (merge, noise, post-processing) consume them and decide nothing about privacy. Their
//! text forms (`privacy::text`) cross the JNI edge opaque to Scala.
use super::rational::{ExtRational, Rational};

/// The Arrow type of a measure column `value_<j>` and of its clamping bounds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Clamp {
    /// An Int64 column clamped to `[lower, upper]` (`lower <= upper`).
    Int64 { lower: i64, upper: i64 },
    /// A Float64 column clamped to `[lower, upper]` (both finite, `lower <= upper`); `-inf`/`+inf` values
    /// clamp to `lower`/`upper`.
    Float64 { lower: f64, upper: f64 },
}

/// How one measure value becomes an integer: a null (or a NaN in a Float64 column) is dropped (the row is not
/// counted by this measure); otherwise `e(v) = round(clamp(v) / 2^lattice_exponent) − shift`, rounding to the
/// nearest integer with ties away from zero (exact: `v·2^−k` is exact in f64; an Int64 with k = 0 is itself,
/// and with k > 0 — variances and quantile histograms of wide integer columns — is divided in integer
/// arithmetic). `measurement` guarantees `|e(v)| < 2^62` for every v (`|e(v)| ≤ 2^31` when squares are
/// summed), so sums of up to 2^64 rows fit i128.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ValueEncoding {
    pub clamp: Clamp,
    /// k of the lattice 2^k·ℤ the clamped values are rounded to (0 for Int64 sums and averages: integer noise).
    pub lattice_exponent: i32,
    /// Subtracted after rounding, in lattice units (0 for a sum; the rounded midpoint for averages, variances).
    pub shift: i64,
}

/// What one partition emits per fingerprint (`fp` Int64 nullable first, then Int64 columns, named as below).
/// i128 sums travel as two Int64 columns `<name>_hi` (the value >> 64, as i64) and `<name>_lo` (the low 64 bits,
/// as i64): `value = (hi as i128) << 64 | (lo as u64 as i128)`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum PartialSpec {
    /// `fp`, `count`: kept rows per fingerprint (no measure column). The count and count_distinct path.
    Count,
    /// `fp`, `count` (kept rows whose `value_0` encodes, i.e. not dropped), `sum_hi`, `sum_lo` (Σ e(v)), and
    /// when `squares`, `sumsq_hi`, `sumsq_lo` (Σ e(v)²); one row per fingerprint with at least one kept row.
    Moments {
        encoding: ValueEncoding,
        squares: bool,
    },
    /// `fp`, `bin`, `count`: per fingerprint, one row per distinct `e(v)` of its kept rows (`bin` = e(v)), with
    /// the number of kept rows that encode to it. The quantile family.
    Histogram { encoding: ValueEncoding },
    /// `fp`, `item_0`, `item_1`: per fingerprint, each distinct (`value_0`, `value_1`) pair among its kept
    /// rows once (both Int64 not null: a keyed 128-bit identity of the distinct columns' values). The
    /// count_distinct path.
    Distinct,
    /// `fp`, `bin`, `count`: per fingerprint, one row per non-empty log bin of its kept rows' `value_0`
    /// (get_bounds; Tumult's `create_bounds_measurement`): bin i = ⌈log2 |v|⌉, 0 for v = 0, raised to
    /// `lowest` (never lowered: a bin above `highest` is dropped with its row, as Tumult's bin keys drop
    /// it), computed exactly from the value's bits. Null, NaN and ±inf are dropped (Tumult's
    /// `DropNullAndNan`/`DropInfinity` before get_bounds). `value` is the type of `value_0`: Int64 (bins
    /// [0, 62]) or Float64 (bins [−100, 100]).
    LogBins {
        value: OutputType,
        lowest: i32,
        highest: i32,
    },
}

/// The type of one released column `out_<i>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputType {
    Int64,
    Float64,
}

/// How a cell's released values follow from its merged partials and its noisy measures (post-processing
/// only: nothing here spends budget). Measure i of the plan is drawn from the keyed stream (query, i, fp).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Release {
    /// out_0 (Int64) = count + Z_0. Partial `Count`.
    Count,
    /// out_0 (Int64) = number of distinct items + Z_0. Partial `Distinct`.
    CountDistinct,
    /// out_0 = (Σe + Z_0)·2^k (Int64 for an Int64 column with k = 0, else Float64). Partial `Moments`.
    Sum,
    /// out_0 (Float64): from noisy Σe (measure 0) and noisy count (measure 1), Tumult's average
    /// post-processing: Σe / max(1, count) + shift, times 2^k, not clamped into [lower, upper] (as Tumult's
    /// `postprocess_sod_and_count`; COMPILER_INTERFACES §5.6). Partial `Moments`.
    Average,
    /// out_0 (Float64): from noisy Σe² (0), Σe (1), count (2), Tumult's variance post-processing.
    Variance,
    /// out_0 (Float64): the square root of `Variance`'s value.
    Stdev,
    /// out_0 (Float64): an exponential-mechanism sample over the lattice points `p` of [lower, upper] with
    /// utility `−|#{rows with e(v) ≤ p} − quantile·n|` and P(p) ∝ exp(rate · utility(p)), in [lower, upper].
    /// Partial `Histogram`; no noisy measure (the plan's one measure carries the budget, noise `none`).
    /// `rate` is infinite under an infinite budget: then the smallest lattice point of greatest utility.
    Quantile {
        quantile: Rational,
        rate: ExtRational,
    },
    /// get_groups: out_0 (Int64) = count + Z_0, and the cell is released only when out_0 > `threshold`
    /// (cells come from the partials, not from keyset markers). Partial `Count`.
    CountAboveThreshold { threshold: i64 },
    /// get_bounds (Tumult's `SparseVectorPrefixSums`): out_0 = −2^i, out_1 = 2^i (typed as the `LogBins`
    /// value) for the first bin i, in increasing order over every bin of the partial's range (empty ones
    /// included), whose noisy prefix count `#{rows with bin ≤ i} + Z_1,i` reaches the noisy threshold
    /// `⌊threshold_fraction · n⌋ + Z_0` (n = the cell's rows in the range); the highest bin when none does.
    /// Z_0 is the one draw of measure 0's stream, Z_1,i the i-th draw (from the lowest bin) of measure 1's.
    Bounds { threshold_fraction: Rational },
}

/// Everything the kernels need to compute and release one aggregation (`measurement::plan_measurement`'s
/// result; text form `privacy::text::format_measurement_plan`).
#[derive(Debug, Clone, PartialEq)]
pub struct MeasurementPlan {
    /// The noisy integer measures of each cell, in release order (measure i keys stream (query, i, fp)).
    pub measures: Vec<super::measurement::PlannedMeasure>,
    pub partial: PartialSpec,
    pub release: Release,
    /// The type of each released column `out_<i>`.
    pub outputs: Vec<OutputType>,
}

/// The columns of the partial batch `spec` makes, after `fp` (COMPILER_INTERFACES.md §5.1 step 2), in
/// order; all Int64. One definition for the planner's `partial_columns=` line and the kernels.
pub fn partial_columns(spec: &PartialSpec) -> Vec<&'static str> {
    match spec {
        PartialSpec::Count => vec!["count"],
        PartialSpec::Moments { squares: false, .. } => vec!["count", "sum_hi", "sum_lo"],
        PartialSpec::Moments { squares: true, .. } => {
            vec!["count", "sum_hi", "sum_lo", "sumsq_hi", "sumsq_lo"]
        }
        PartialSpec::Histogram { .. } | PartialSpec::LogBins { .. } => vec!["bin", "count"],
        PartialSpec::Distinct => vec!["item_0", "item_1"],
    }
}
