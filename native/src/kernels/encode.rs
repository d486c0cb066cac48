//! A measure value as the integer the partials add up (`privacy::plan::ValueEncoding`): drop null / NaN,
//! clamp (±inf to the bounds), round to the lattice 2^k·ℤ with ties away from zero, subtract the shift.
//!
//! Integer arithmetic only: a Float64 is split into its exact `m·2^e` (m < 2^53) and rounded by shifting
//! `m`, so the result is the same on every platform and for subnormals too (no f64 multiply that could
//! round twice). The plan guarantees `|e(v)| < 2^62` for every value within its bounds; a value whose
//! encoding breaks that is an error naming the measure column, never a wrap.
use crate::error::Result;
use crate::fail;
use crate::privacy::plan::{Clamp, ValueEncoding};

/// The largest magnitude (exclusive) of an encoded value: sums of 2^64 of them and their squares fit i128.
pub const ENCODED_LIMIT: i128 = 1 << 62;

/// The encoding of one raw measure value: `raw` is an Int64 value, or a Float64's bits (`f64::to_bits`)
/// for a `Clamp::Float64` encoding. None when the value is dropped (NaN). `column` names the input
/// column in errors (Err(InvalidArgument) when the encoded value reaches ±2^62).
pub fn encode_value(encoding: &ValueEncoding, raw: i64, column: &str) -> Result<Option<i64>> {
    let point = match encoding.clamp {
        Clamp::Int64 { lower, upper } => {
            lattice_index_of_int(raw.clamp(lower, upper), encoding.lattice_exponent)
        }
        Clamp::Float64 { lower, upper } => {
            let value = f64::from_bits(raw as u64);
            if value.is_nan() {
                return Ok(None);
            }
            // ±inf compare beyond every finite bound, so they clamp to it.
            lattice_index_of_float(value.max(lower).min(upper), encoding.lattice_exponent)
        }
    };
    let encoded = point.map(|point| point - i128::from(encoding.shift));
    match encoded {
        Some(encoded) if encoded.abs() < ENCODED_LIMIT => Ok(Some(encoded as i64)),
        _ => fail!(
            InvalidArgument,
            "measure column '{column}': the value {} encodes beyond ±2^62 lattice units of 2^{} (shift \
             {}): the plan's bounds do not cover it",
            describe(encoding, raw),
            encoding.lattice_exponent,
            encoding.shift
        ),
    }
}

/// The lattice index `round(bound / 2^k)` (ties away from zero, no shift) of the encoding's lower and
/// upper bounds: the range of lattice points every value clamps into. Err(InvalidArgument) when a bound's
/// index does not fit i64.
pub fn lattice_bounds(encoding: &ValueEncoding) -> Result<(i64, i64)> {
    let k = encoding.lattice_exponent;
    let (lower, upper) = match encoding.clamp {
        Clamp::Int64 { lower, upper } => (
            lattice_index_of_int(lower, k),
            lattice_index_of_int(upper, k),
        ),
        Clamp::Float64 { lower, upper } => (
            lattice_index_of_float(lower, k),
            lattice_index_of_float(upper, k),
        ),
    };
    match (
        lower.and_then(|v| i64::try_from(v).ok()),
        upper.and_then(|v| i64::try_from(v).ok()),
    ) {
        (Some(lower), Some(upper)) => Ok((lower, upper)),
        _ => fail!(
            InvalidArgument,
            "the clamping bounds {:?} have no Int64 lattice index on the lattice 2^{k}",
            encoding.clamp
        ),
    }
}

/// The nearest integer to `value / 2^k`, ties away from zero, exactly; None when it does not fit i128
/// comfortably (|result| ≥ 2^120) or `value` is not finite.
pub fn lattice_index_of_float(value: f64, k: i32) -> Option<i128> {
    if !value.is_finite() {
        return None;
    }
    let bits = value.to_bits();
    let negative = bits >> 63 == 1;
    let biased_exponent = ((bits >> 52) & 0x7ff) as i32;
    let fraction = bits & ((1u64 << 52) - 1);
    // value = ±mantissa · 2^exponent exactly.
    let (mantissa, exponent) = if biased_exponent == 0 {
        (fraction, -1074)
    } else {
        (fraction | (1u64 << 52), biased_exponent - 1075)
    };
    let magnitude = shift_round_half_up(u128::from(mantissa), i64::from(exponent) - i64::from(k))?;
    Some(if negative { -magnitude } else { magnitude })
}

/// The nearest integer to `value / 2^k`, ties away from zero, exactly; None when beyond 2^120.
pub fn lattice_index_of_int(value: i64, k: i32) -> Option<i128> {
    let magnitude = shift_round_half_up(u128::from(value.unsigned_abs()), -i64::from(k))?;
    Some(if value < 0 { -magnitude } else { magnitude })
}

/// `round(magnitude · 2^shift)` for `magnitude < 2^64`, halves rounded up (away from zero, as the caller
/// applies the sign afterwards); None when the result reaches 2^120.
fn shift_round_half_up(magnitude: u128, shift: i64) -> Option<i128> {
    const LIMIT_BITS: u32 = 120;
    if magnitude == 0 {
        return Some(0);
    }
    if shift >= 0 {
        let bits = 128 - magnitude.leading_zeros();
        if i64::from(bits) + shift > i64::from(LIMIT_BITS) {
            return None;
        }
        return Some((magnitude << shift) as i128);
    }
    let right = -shift;
    // magnitude < 2^64 ≤ 2^(right−1) makes the quotient round to 0.
    if right > 65 {
        return Some(0);
    }
    let right = right as u32;
    let quotient = magnitude >> right;
    let remainder = magnitude & ((1u128 << right) - 1);
    let half = 1u128 << (right - 1);
    Some((quotient + u128::from(remainder >= half)) as i128)
}

fn describe(encoding: &ValueEncoding, raw: i64) -> String {
    match encoding.clamp {
        Clamp::Int64 { .. } => raw.to_string(),
        Clamp::Float64 { .. } => format!("{:?}", f64::from_bits(raw as u64)),
    }
}

#[cfg(test)]
mod test;
