//! Clamping bounds and the integer encoding of measure values (`plan::ValueEncoding`): which lattice
//! 2^k·ℤ a column's clamped values are rounded to, which shift is subtracted, and the largest |e(v)| the
//! encoding can produce (R, the per-row contribution every sensitivity of a sum is scaled by).
//!
//! Why an integer encoding: each row is rounded *before* summing, so a sum of encoded values is an exact
//! integer whose sensitivity is exactly (count sensitivity) × R: no float-summation attack, and integer
//! noise in lattice units. The rounding error is at most 2^(k−1) per row. The lattice exponent k is a
//! function of the bounds and of the noise scale only (never of the data), so any choice is private; the
//! rules below keep |e(v)| small enough that sums fit i128 and the noise in lattice units is drawable.
use super::plan::{Clamp, ValueEncoding};
use super::rational::Rational;
use crate::error::Result;
use crate::fail;

#[cfg(test)]
mod test;

/// A bound as the request gave it: an integer when the user gave one, else the double.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Bound {
    Integer(i64),
    Double(f64),
}

impl std::fmt::Display for Bound {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Bound::Integer(value) => write!(f, "{value}"),
            Bound::Double(value) => write!(f, "{value:?}"),
        }
    }
}

/// The type of a measure column: `Int` for every Spark integer type (sent widened to Int64), `Float` for
/// float and double (sent as Float64).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnType {
    Int,
    Float,
}

/// The measure column of a request and its clamping bounds (`low`, `high` as given).
#[derive(Debug, Clone, PartialEq)]
pub struct MeasureColumn {
    pub name: String,
    pub column_type: ColumnType,
    pub low: Bound,
    pub high: Bound,
}

/// Largest |e(v)| any encoding may produce: sums of up to 2^64 rows then fit i128.
const MAX_ENCODED: i128 = 1 << 62;
/// Largest |e(v)| when squares are summed too: e² < 2^62.
const MAX_ENCODED_FOR_SQUARES: i128 = 1 << 31;

/// The clamp of `column`, checked as Tumult checks query bounds (`_query_expr.py`: "Lower bound '…' must
/// be less than the upper bound '…'." when low ≥ high), plus what our encodings need: finite bounds, and
/// integer bounds (within i64) for an integer column. Err(InvalidArgument) naming the column and value.
pub fn clamp_of(column: &MeasureColumn) -> Result<Clamp> {
    let name = &column.name;
    let clamp = match column.column_type {
        ColumnType::Int => {
            let integer = |bound: Bound, which: &str| -> Result<i64> {
                match bound {
                    Bound::Integer(value) => Ok(value),
                    Bound::Double(value) => match exact_i64(value) {
                        Some(integer) => Ok(integer),
                        None => fail!(
                            InvalidArgument,
                            "The {which} bound of the integer column '{name}' must be an integer \
                             (within the 64-bit range), got {bound}."
                        ),
                    },
                }
            };
            Clamp::Int64 {
                lower: integer(column.low, "lower")?,
                upper: integer(column.high, "upper")?,
            }
        }
        ColumnType::Float => {
            let float = |bound: Bound, which: &str| -> Result<f64> {
                let value = match bound {
                    Bound::Double(value) => value,
                    Bound::Integer(value) => match exact_f64(value) {
                        Some(float) => float,
                        None => fail!(
                            InvalidArgument,
                            "The {which} bound of column '{name}' ({value}) is not exactly a double."
                        ),
                    },
                };
                if !value.is_finite() {
                    fail!(
                        InvalidArgument,
                        "The {which} bound of column '{name}' must be a finite number, got {bound}."
                    );
                }
                Ok(value)
            };
            Clamp::Float64 {
                lower: float(column.low, "lower")?,
                upper: float(column.high, "upper")?,
            }
        }
    };
    let is_ordered = match clamp {
        Clamp::Int64 { lower, upper } => lower < upper,
        Clamp::Float64 { lower, upper } => lower < upper,
    };
    if !is_ordered {
        fail!(
            InvalidArgument,
            "Lower bound '{}' must be less than the upper bound '{}'.",
            column.low,
            column.high
        );
    }
    Ok(clamp)
}

/// `value` as an i64 when it is an integer within range.
fn exact_i64(value: f64) -> Option<i64> {
    // −2^63 ≤ value < 2^63 (2^63 itself is out of range; both are exact doubles).
    let two_to_63 = 2f64.powi(63);
    if value.is_finite() && value.fract() == 0.0 && (-two_to_63..two_to_63).contains(&value) {
        Some(value as i64)
    } else {
        None
    }
}

/// `value` as an f64 when the conversion is exact.
fn exact_f64(value: i64) -> Option<f64> {
    let float = value as f64;
    (float as i128 == i128::from(value)).then_some(float)
}

/// ⌊log2 |x|⌋ of a nonzero finite double, from its bits (exact, subnormals included).
fn floor_log2_f64(x: f64) -> i32 {
    let bits = x.abs().to_bits();
    let exponent = (bits >> 52) as i32;
    let mantissa = bits & ((1u64 << 52) - 1);
    if exponent == 0 {
        63 - mantissa.leading_zeros() as i32 - 1074
    } else {
        exponent - 1023
    }
}

/// ⌊log2 max(|lower|, |upper|)⌋ (the bounds are not both zero: lower < upper).
fn floor_log2_max_abs(clamp: &Clamp) -> i32 {
    match *clamp {
        Clamp::Int64 { lower, upper } => {
            let max_abs = lower.unsigned_abs().max(upper.unsigned_abs());
            63 - max_abs.leading_zeros() as i32
        }
        Clamp::Float64 { lower, upper } => {
            let nonzero = [lower, upper].into_iter().filter(|b| *b != 0.0);
            nonzero.map(floor_log2_f64).max().unwrap_or(0)
        }
    }
}

/// round(v / 2^k), ties away from zero, exactly; None when it does not fit i128.
fn encode_bound(clamp: &Clamp, value_is_upper: bool, k: i32) -> Option<i128> {
    match *clamp {
        Clamp::Int64 { lower, upper } => {
            let v = i128::from(if value_is_upper { upper } else { lower });
            if k <= 0 {
                // Integer columns get k ≥ 0 (clamped so by every rule): k = 0 keeps the value.
                return Some(v);
            }
            let half = 1i128 << (k - 1);
            let magnitude = (v.abs() + half) >> k;
            Some(if v < 0 { -magnitude } else { magnitude })
        }
        Clamp::Float64 { lower, upper } => {
            let v = if value_is_upper { upper } else { lower };
            // Multiplying by a power of two is exact (barring underflow, where the result is below 1/2
            // and rounds to 0 either way); `round` is ties-away and exact.
            let scaled = (v * 2f64.powi(-k)).round();
            (scaled.abs() < 2f64.powi(100)).then_some(scaled as i128)
        }
    }
}

/// An encoding and the largest |e(v)| it produces.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Encoded {
    pub encoding: ValueEncoding,
    /// R = max(|e(lower)|, |e(upper)|) with the shift applied: every encoded value lies in [−R, R]
    /// (rounding is monotone, so e(v) lies between e(lower) and e(upper)).
    pub max_abs: u128,
}

/// What the sum-family encodings are used for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SumKind {
    /// A sum: shift 0; integer columns keep k = 0 (integer noise on the integer sum).
    Sum,
    /// An average: shifted by the rounded midpoint; integer columns keep k = 0.
    Average,
    /// A variance or standard deviation: shifted, and squares are summed, so |e| ≤ 2^31 and integer
    /// columns may get k > 0.
    Variance,
}

/// Lattice points per value unit below the larger of max|bound| and the value-unit noise scale: 2^40 for
/// sums and averages, 2^20 for variances (whose Σe² has sensitivity R²).
fn resolution_bits(kind: SumKind) -> i32 {
    match kind {
        SumKind::Sum | SumKind::Average => 40,
        SumKind::Variance => 20,
    }
}

/// The encoding of a sum-family measure over `clamp`. `noise_log2_per_row` is ⌊log2⌋ of the noise
/// scale (Laplace b, Gaussian σ) a per-row contribution of 1 would get (None: no noise).
///
/// # Rule
/// Float columns: `k = ⌊log2 max|bound|⌋ + max(0, noise_log2_per_row) − bits`, clamped to [−127, 127],
/// with bits = [`resolution_bits`]: so max|bound|/2^k and the value-unit noise scale max|bound|·b₁ over
/// 2^k are both about 2^bits (the noise in lattice units stays drawable; the rounding error per row is
/// 2^−bits of the larger of the two). Integer columns: k = 0 for sums and averages (exact integers,
/// integer noise), `max(0, same rule)` for variances. Shift: 0 for sums, else `round((e(L) + e(U))/2)`
/// ties away from zero. Err(InvalidArgument) naming the column when |e| could exceed 2^62 (2^31 for
/// variances): the bounds are too large for the lattice.
pub fn sum_encoding(
    column: &str,
    clamp: &Clamp,
    kind: SumKind,
    noise_log2_per_row: Option<i32>,
) -> Result<Encoded> {
    let rule =
        floor_log2_max_abs(clamp) + noise_log2_per_row.unwrap_or(0).max(0) - resolution_bits(kind);
    let k = match (clamp, kind) {
        (Clamp::Int64 { .. }, SumKind::Sum | SumKind::Average) => 0,
        (Clamp::Int64 { .. }, SumKind::Variance) => rule.clamp(0, 127),
        (Clamp::Float64 { .. }, _) => rule.clamp(-127, 127),
    };
    let limit = match kind {
        SumKind::Sum | SumKind::Average => MAX_ENCODED,
        SumKind::Variance => MAX_ENCODED_FOR_SQUARES,
    };
    encode_with(column, clamp, k, kind != SumKind::Sum, limit)
}

/// The histogram encoding of a quantile over `clamp`: at most about 2^20 lattice points in
/// [lower, upper]: `k = ⌈log2(upper − lower)⌉ − 20` (clamped to [−127, 127]; at least 0 for integer
/// columns), shift 0. Err(InvalidArgument) naming the column when the bounds do not fit the lattice.
pub fn quantile_encoding(column: &str, clamp: &Clamp) -> Result<Encoded> {
    const POINTS_BITS: i32 = 20;
    let ceil_log2_width = match *clamp {
        Clamp::Int64 { lower, upper } => {
            let width = (i128::from(upper) - i128::from(lower)) as u128;
            128 - (width - 1).leading_zeros() as i32
        }
        Clamp::Float64 { lower, upper } => {
            let too_fine = || {
                crate::err!(
                    InvalidArgument,
                    "The bounds of column '{column}' ({lower:?}, {upper:?}) are too large or too \
                     finely spaced for a quantile (their difference must be an exact fraction with at \
                     most 127 binary digits)."
                )
            };
            let width = exact_width(lower, upper).ok_or_else(too_fine)?;
            let floor = width.floor_log2()?;
            if Rational::power_of_two(floor).ok() == Some(width) {
                floor
            } else {
                floor + 1
            }
        }
    };
    let k = match clamp {
        Clamp::Int64 { .. } => (ceil_log2_width - POINTS_BITS).clamp(0, 127),
        Clamp::Float64 { .. } => (ceil_log2_width - POINTS_BITS).clamp(-127, 127),
    };
    encode_with(column, clamp, k, false, MAX_ENCODED)
}

/// `upper − lower` exactly, when both bounds and the difference fit u128/u128.
fn exact_width(lower: f64, upper: f64) -> Option<Rational> {
    let magnitude = |x: f64| Rational::from_f64_exact(x.abs(), "bound").ok();
    let (l, u) = (magnitude(lower)?, magnitude(upper)?);
    match (lower < 0.0, upper < 0.0) {
        (true, false) => l.checked_add(&u).ok(),
        (false, false) => u.checked_sub(&l).ok(),
        (true, true) => l.checked_sub(&u).ok(),
        (false, true) => None,
    }
}

fn encode_with(column: &str, clamp: &Clamp, k: i32, shifted: bool, limit: i128) -> Result<Encoded> {
    let too_large = || {
        crate::err!(
            InvalidArgument,
            "The bounds of column '{column}' are too large for this aggregation: |bound|/2^{k} must \
             stay below {limit}. Use smaller bounds."
        )
    };
    let lower = encode_bound(clamp, false, k).ok_or_else(too_large)?;
    let upper = encode_bound(clamp, true, k).ok_or_else(too_large)?;
    let shift = if shifted {
        let sum = lower + upper;
        let half = (sum.abs() + 1) / 2;
        if sum < 0 {
            -half
        } else {
            half
        }
    } else {
        0
    };
    let max_abs = (lower - shift).abs().max((upper - shift).abs());
    if max_abs >= limit {
        return Err(too_large());
    }
    Ok(Encoded {
        encoding: ValueEncoding {
            clamp: *clamp,
            lattice_exponent: k,
            shift: i64::try_from(shift).map_err(|_| too_large())?,
        },
        max_abs: max_abs as u128,
    })
}
