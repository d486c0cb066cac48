//! The log-magnitude bin of one get_bounds value (`privacy::plan::PartialSpec::LogBins`): ⌈log2 |v|⌉,
//! computed exactly from the integer's bit length or the double's exponent and fraction bits, never with a
//! float `log2` (which rounds: Tumult's `ceil(log2(2^53 + 2))` is 53, the exact bin 54).
use crate::privacy::plan::OutputType;

/// Tumult clamps every bin to at most 100 (`clamp(…, lower, 100)`), whatever the column type.
pub const CLAMP_HIGHEST: i32 = 100;

/// The bin of `raw` (an Int64 value, or a Float64's bits for `OutputType::Float64`) among `lowest..=highest`:
/// ⌈log2 |v|⌉ clamped to [`lowest`, [`CLAMP_HIGHEST`]] (Tumult's clamp; v = 0 is in the lowest bin). None
/// when the row is not counted: a NaN or ±inf (Tumult drops them before get_bounds), or a clamped bin above
/// `highest` (an integer above 2^62: Tumult's integer bin keys stop at 62, so its count drops the row).
pub fn log_bin(raw: i64, value: OutputType, lowest: i32, highest: i32) -> Option<i32> {
    let exact = match value {
        OutputType::Int64 => ceil_log2_of_int(raw.unsigned_abs()),
        OutputType::Float64 => {
            let float = f64::from_bits(raw as u64);
            if !float.is_finite() {
                return None;
            }
            ceil_log2_of_float(float)
        }
    };
    let bin = exact.map_or(lowest, |exact| {
        exact.min(CLAMP_HIGHEST.max(lowest)).max(lowest)
    });
    (bin <= highest).then_some(bin)
}

/// ⌈log2 m⌉ for m ≥ 1; None for m = 0 (the lowest bin).
fn ceil_log2_of_int(magnitude: u64) -> Option<i32> {
    match magnitude {
        0 => None,
        1 => Some(0),
        // ⌈log2 m⌉ = the bit length of m − 1 for m ≥ 2 (m = 2^63 gives 63).
        _ => Some(64 - (magnitude - 1).leading_zeros() as i32),
    }
}

/// ⌈log2 |x|⌉ for a finite x ≠ 0; None for ±0.
fn ceil_log2_of_float(x: f64) -> Option<i32> {
    let bits = x.to_bits() & !(1u64 << 63);
    let biased_exponent = (bits >> 52) as i32;
    let fraction = bits & ((1u64 << 52) - 1);
    if biased_exponent == 0 {
        // Subnormal: |x| = fraction · 2^−1074.
        if fraction == 0 {
            return None;
        }
        let floor = 63 - fraction.leading_zeros() as i32 - 1074;
        return Some(if fraction.is_power_of_two() {
            floor
        } else {
            floor + 1
        });
    }
    // Normal: |x| = (1 + fraction/2^52) · 2^(biased − 1023); a power of two exactly when fraction = 0.
    let exponent = biased_exponent - 1023;
    Some(if fraction == 0 {
        exponent
    } else {
        exponent + 1
    })
}

#[cfg(test)]
mod test;
