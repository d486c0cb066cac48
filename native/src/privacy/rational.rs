//! Exact non-negative rationals on u128 (always reduced, denominator > 0), plus an extended form with +inf.
//!
//! Every operation is exact or returns an `Err`: arithmetic never wraps, never rounds, and never goes
//! through floating point. The only floats are the two named outward-rounding conversions
//! [`Rational::to_f64_round_up`] / [`Rational::to_f64_round_down`] (for display and for handing a bound to
//! code that needs a float), and the exact input conversion [`Rational::from_f64_exact`].
//! Text forms (`Display`, `FromStr`) live in `text.rs`, the one place that parses and formats them.
use std::cmp::Ordering;

use crate::error::Result;
use crate::{err, fail};

#[cfg(test)]
mod test;

/// An exact non-negative rational `num/den`. Invariants: `den > 0`, `gcd(num, den) == 1`, and zero is `0/1`.
/// Because the representation is canonical, the derived `PartialEq`/`Hash` are equality of values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Rational {
    num: u128,
    den: u128,
}

const LOW_64_BITS: u128 = (1u128 << 64) - 1;

fn gcd(mut a: u128, mut b: u128) -> u128 {
    while b != 0 {
        let remainder = a % b;
        a = b;
        b = remainder;
    }
    a
}

/// The exact 256-bit product `x·y` as `(high, low)` 128-bit halves (schoolbook on 64-bit limbs).
fn widening_mul(x: u128, y: u128) -> (u128, u128) {
    let (x_high, x_low) = (x >> 64, x & LOW_64_BITS);
    let (y_high, y_low) = (y >> 64, y & LOW_64_BITS);
    // Each partial product of two 64-bit limbs is < 2^128, so none of these overflow.
    let low_low = x_low * y_low;
    let low_high = x_low * y_high;
    let high_low = x_high * y_low;
    let high_high = x_high * y_high;
    // Sum of three values < 2^64 each: < 3·2^64, fits.
    let middle = (low_low >> 64) + (low_high & LOW_64_BITS) + (high_low & LOW_64_BITS);
    let low = (low_low & LOW_64_BITS) | ((middle & LOW_64_BITS) << 64);
    // The full product is < 2^256, so the high half cannot overflow.
    let high = high_high + (low_high >> 64) + (high_low >> 64) + (middle >> 64);
    (high, low)
}

/// Number of significant bits of `x` (0 for 0).
fn bit_length(x: u128) -> u32 {
    128 - x.leading_zeros()
}

/// `2^exponent` as an f64, built from its bit pattern so no rounding is involved.
/// Callers keep `exponent` in the normal range [-1022, 1023] (they use at most [-181, 76]).
fn power_of_two(exponent: i32) -> f64 {
    f64::from_bits(((exponent + 1023) as u64) << 52)
}

/// Long division of `remainder/den` in base 2: returns the next fraction bit and updates the remainder.
/// Written as `r >= den - r` instead of `2r >= den` so it cannot overflow for `den` near 2^128.
fn next_fraction_bit(remainder: &mut u128, den: u128) -> bool {
    if *remainder >= den - *remainder {
        *remainder -= den - *remainder;
        true
    } else {
        // Here 2·remainder < den, so the shift cannot overflow.
        *remainder <<= 1;
        false
    }
}

impl Rational {
    /// `num/den`, reduced. Err(InvalidArgument) when `den == 0`.
    pub fn new(num: u128, den: u128) -> Result<Self> {
        if den == 0 {
            fail!(
                InvalidArgument,
                "denominator must not be zero (got {num}/0)"
            );
        }
        Ok(Self::reduced(num, den))
    }

    /// `num/den` reduced; the caller guarantees `den > 0`.
    fn reduced(num: u128, den: u128) -> Self {
        if num == 0 {
            return Self::zero();
        }
        // num > 0, so the gcd is at least 1.
        let divisor = gcd(num, den);
        Rational {
            num: num / divisor,
            den: den / divisor,
        }
    }

    pub fn from_integer(n: u128) -> Self {
        Rational { num: n, den: 1 }
    }
    pub fn zero() -> Self {
        Self::from_integer(0)
    }
    pub fn one() -> Self {
        Self::from_integer(1)
    }
    pub fn numerator(&self) -> u128 {
        self.num
    }
    pub fn denominator(&self) -> u128 {
        self.den
    }
    pub fn is_zero(&self) -> bool {
        self.num == 0
    }

    /// Exact conversion of a finite, non-negative f64 (every finite f64 is a dyadic rational
    /// `mantissa · 2^exponent`, so no rounding happens). `setting` names the value in error messages,
    /// e.g. "epsilon". Err(InvalidArgument) on NaN, negative or infinite input; Err(Overflow) when the exact
    /// value does not fit in u128/u128: x ≥ 2^128, or x has a set bit below 2^-127 (its reduced
    /// denominator would exceed 2^127), which includes every non-zero x below 2^-127 but also, e.g.,
    /// 1.5·2^-127. `-0.0` is zero.
    pub fn from_f64_exact(x: f64, setting: &str) -> Result<Self> {
        if x.is_nan() {
            fail!(InvalidArgument, "{setting} must be a number, got NaN");
        }
        if x < 0.0 {
            fail!(InvalidArgument, "{setting} must be non-negative, got {x}");
        }
        if x.is_infinite() {
            fail!(InvalidArgument, "{setting} must be finite, got {x}");
        }
        let bits = x.to_bits();
        let biased_exponent = ((bits >> 52) & 0x7ff) as i32;
        let fraction = bits & ((1u64 << 52) - 1);
        if biased_exponent == 0 && fraction == 0 {
            return Ok(Self::zero());
        }
        // IEEE 754 binary64: normal x = (2^52 + fraction)·2^(e-1075); subnormal x = fraction·2^-1074.
        let (mut mantissa, mut exponent) = if biased_exponent == 0 {
            (fraction, -1074)
        } else {
            (fraction | (1u64 << 52), biased_exponent - 1075)
        };
        let trailing_zeros = mantissa.trailing_zeros();
        mantissa >>= trailing_zeros;
        exponent += trailing_zeros as i32;
        if exponent >= 0 {
            let needed_bits = bit_length(mantissa as u128) as i32 + exponent;
            if needed_bits > 128 {
                fail!(
                    Overflow,
                    "{setting} ({x:?}) is too large to represent exactly as a u128 rational"
                );
            }
            Ok(Rational {
                num: (mantissa as u128) << exponent,
                den: 1,
            })
        } else {
            let denominator_log2 = -exponent;
            if denominator_log2 > 127 {
                fail!(
                    Overflow,
                    "{setting} ({x:?}) is too small to represent exactly as a u128 rational"
                );
            }
            // mantissa is odd now, so mantissa/2^k is already reduced.
            Ok(Rational {
                num: mantissa as u128,
                den: 1u128 << denominator_log2,
            })
        }
    }

    /// The largest finite f64 that [`Rational::from_f64_exact`] and [`Rational::from_f64_round_down`]
    /// accept: `(2^53 − 1)·2^75`, the largest f64 below 2^128.
    pub const LARGEST_F64: f64 = 340_282_366_920_938_425_684_442_744_474_606_501_888.0;

    /// Like [`Rational::from_f64_exact`], but a value whose exact form needs a denominator beyond 2^127
    /// is rounded *down* to the nearest multiple of 2^-127 (so every x below 2^-127 becomes zero) instead
    /// of failing. Use it where a smaller value is the safe side (a privacy budget). Err(InvalidArgument)
    /// on NaN, negative or infinite input; Err(Overflow) above [`Rational::LARGEST_F64`].
    pub fn from_f64_round_down(x: f64, setting: &str) -> Result<Self> {
        match Self::from_f64_exact(x, setting) {
            Err(crate::error::Error::Overflow(_)) if x < 1.0 => {
                // x = m·2^e with e < -127 (x is finite and positive here). floor(x·2^127) = floor(m·2^(e+127)).
                let bits = x.to_bits();
                let biased_exponent = ((bits >> 52) & 0x7ff) as i32;
                let fraction = bits & ((1u64 << 52) - 1);
                let (mantissa, exponent) = if biased_exponent == 0 {
                    (fraction, -1074)
                } else {
                    (fraction | (1u64 << 52), biased_exponent - 1075)
                };
                let shift = (-127 - exponent).unsigned_abs();
                let numerator = u128::from(mantissa).checked_shr(shift).unwrap_or(0);
                Ok(Self::reduced(numerator, 1u128 << 127))
            }
            other => other,
        }
    }

    /// `ceil(self·2^shift)` for `0 <= shift <= 127`, or `None` when it does not fit in u128.
    fn ceil_times_power_of_two(&self, shift: u32) -> Option<u128> {
        let floor = self.floor_times_power_of_two(shift as i32)?;
        let is_exact = Self::reduced(floor, 1u128 << shift) == *self;
        if is_exact {
            Some(floor)
        } else {
            floor.checked_add(1)
        }
    }

    /// A lower bound on `self − o` (`o <= self`) that fits u128/u128: the exact difference when it fits,
    /// otherwise `floor(self·2^k)/2^k − ceil(o·2^k)/2^k` (at least 0) for the largest `k <= 127` for which
    /// this fits, which is below the exact difference by less than 2^(1−k). Err(InvalidArgument) when
    /// `o > self`.
    pub fn sub_round_down(&self, o: &Self) -> Result<Self> {
        match self.checked_sub(o) {
            Err(crate::error::Error::Overflow(_)) => {}
            other => return other,
        }
        for shift in (0..=127u32).rev() {
            let Some(minuend) = self.floor_times_power_of_two(shift as i32) else {
                continue;
            };
            let Some(subtrahend) = o.ceil_times_power_of_two(shift) else {
                continue;
            };
            return Ok(Self::reduced(
                minuend.saturating_sub(subtrahend),
                1u128 << shift,
            ));
        }
        // shift = 0 always fits: floor(self) < 2^128 and ceil(o) <= ceil(self) fits unless self > 2^128 − 1,
        // which no u128 rational is.
        fail!(
            Internal,
            "sub_round_down({self}, {o}): no power-of-two denominator fits"
        )
    }

    /// `self + o`, exact. Err(Overflow) when an intermediate or the reduced result exceeds u128.
    pub fn checked_add(&self, o: &Self) -> Result<Self> {
        // Knuth, TAOCP vol. 2 §4.5.1: dividing by gcd(b, d) first keeps intermediates small.
        let overflow = || {
            err!(
                Overflow,
                "rational addition {self} + {o} overflows u128/u128"
            )
        };
        let common = gcd(self.den, o.den);
        let self_scale = o.den / common;
        let other_scale = self.den / common;
        let numerator = self
            .num
            .checked_mul(self_scale)
            .and_then(|left| {
                o.num
                    .checked_mul(other_scale)
                    .and_then(|right| left.checked_add(right))
            })
            .ok_or_else(overflow)?;
        let denominator = self.den.checked_mul(self_scale).ok_or_else(overflow)?;
        Ok(Self::reduced(numerator, denominator))
    }

    /// `self - o`, exact. Err(InvalidArgument) when the result would be negative; Err(Overflow) when an
    /// intermediate exceeds u128.
    pub fn checked_sub(&self, o: &Self) -> Result<Self> {
        if self < o {
            fail!(
                InvalidArgument,
                "rational subtraction {self} - {o} would be negative"
            );
        }
        let overflow = || {
            err!(
                Overflow,
                "rational subtraction {self} - {o} overflows u128/u128"
            )
        };
        let common = gcd(self.den, o.den);
        let self_scale = o.den / common;
        let other_scale = self.den / common;
        let left = self.num.checked_mul(self_scale).ok_or_else(overflow)?;
        let right = o.num.checked_mul(other_scale).ok_or_else(overflow)?;
        // self >= o was checked exactly above, so left >= right.
        let numerator = left.checked_sub(right).ok_or_else(overflow)?;
        let denominator = self.den.checked_mul(self_scale).ok_or_else(overflow)?;
        Ok(Self::reduced(numerator, denominator))
    }

    /// `self · o`, exact. Cross-cancelling first means Err(Overflow) happens only when the reduced result
    /// itself does not fit.
    pub fn checked_mul(&self, o: &Self) -> Result<Self> {
        let overflow = || {
            err!(
                Overflow,
                "rational multiplication {self} * {o} overflows u128/u128"
            )
        };
        // Denominators are positive, so both gcds are at least 1.
        let cancel_self = gcd(self.num, o.den);
        let cancel_other = gcd(o.num, self.den);
        let numerator = (self.num / cancel_self)
            .checked_mul(o.num / cancel_other)
            .ok_or_else(overflow)?;
        let denominator = (self.den / cancel_other)
            .checked_mul(o.den / cancel_self)
            .ok_or_else(overflow)?;
        Ok(Self::reduced(numerator, denominator))
    }

    /// `self / o`, exact. Err(InvalidArgument) when `o` is zero; Err(Overflow) when the result does not fit.
    pub fn checked_div(&self, o: &Self) -> Result<Self> {
        if o.is_zero() {
            fail!(
                InvalidArgument,
                "rational division {self} / {o} divides by zero"
            );
        }
        let reciprocal = Rational {
            num: o.den,
            den: o.num,
        };
        self.checked_mul(&reciprocal).map_err(|_| {
            err!(
                Overflow,
                "rational division {self} / {o} overflows u128/u128"
            )
        })
    }

    /// `self · n` for an integer `n`.
    pub fn checked_mul_integer(&self, n: u128) -> Result<Self> {
        self.checked_mul(&Self::from_integer(n))
    }

    /// `self / n` for an integer `n`; Err(InvalidArgument) when `n == 0`.
    pub fn checked_div_integer(&self, n: u128) -> Result<Self> {
        self.checked_div(&Self::from_integer(n))
    }

    /// `self²`.
    pub fn checked_square(&self) -> Result<Self> {
        self.checked_mul(self)
    }

    /// The first 53 significant bits of `self > 0` as `m·2^exponent` with `m` in [2^52, 2^53), and whether
    /// the value has any further non-zero bits (so `m·2^exponent <= self < (m+1)·2^exponent`, with equality
    /// on the left exactly when not inexact).
    fn leading_53_bits(&self) -> (u64, i32, bool) {
        let integer_part = self.num / self.den;
        let mut remainder = self.num % self.den;
        if integer_part > 0 {
            let integer_bits = bit_length(integer_part);
            if integer_bits >= 53 {
                let dropped_bits = integer_bits - 53;
                let mantissa = (integer_part >> dropped_bits) as u64;
                let dropped = integer_part & ((1u128 << dropped_bits) - 1);
                return (
                    mantissa,
                    dropped_bits as i32,
                    dropped != 0 || remainder != 0,
                );
            }
            let mut mantissa = integer_part as u64;
            for _ in integer_bits..53 {
                mantissa = (mantissa << 1) | next_fraction_bit(&mut remainder, self.den) as u64;
            }
            return (mantissa, integer_bits as i32 - 53, remainder != 0);
        }
        // 0 < self < 1. The loop ends within 128 rounds: remainder >= 1 doubles on every zero bit and a one
        // bit comes as soon as 2·remainder >= den, and den < 2^128.
        let mut exponent = 0i32;
        while !next_fraction_bit(&mut remainder, self.den) {
            exponent -= 1;
        }
        exponent -= 1;
        let mut mantissa = 1u64;
        for _ in 0..52 {
            mantissa = (mantissa << 1) | next_fraction_bit(&mut remainder, self.den) as u64;
            exponent -= 1;
        }
        (mantissa, exponent, remainder != 0)
    }

    /// The smallest f64 at or above the exact value (outward rounding: use it for upper bounds such as a
    /// privacy loss). Always finite: every value is < 2^128.
    pub fn to_f64_round_up(&self) -> f64 {
        if self.is_zero() {
            return 0.0;
        }
        let (mantissa, exponent, is_inexact) = self.leading_53_bits();
        // mantissa + 1 <= 2^53 is exact in f64, and the product by a power of two stays normal: exact.
        (mantissa + is_inexact as u64) as f64 * power_of_two(exponent)
    }

    /// The largest f64 at or below the exact value (outward rounding: use it for lower bounds such as a
    /// noise scale).
    pub fn to_f64_round_down(&self) -> f64 {
        if self.is_zero() {
            return 0.0;
        }
        let (mantissa, exponent, _) = self.leading_53_bits();
        mantissa as f64 * power_of_two(exponent)
    }

    /// `floor(self · 2^shift)`, or `None` when it does not fit in u128.
    fn floor_times_power_of_two(&self, shift: i32) -> Option<u128> {
        let integer_part = self.num / self.den;
        if shift <= 0 {
            return Some(integer_part.checked_shr(shift.unsigned_abs()).unwrap_or(0));
        }
        let mut remainder = self.num % self.den;
        let mut scaled = integer_part;
        for _ in 0..shift {
            let bit = next_fraction_bit(&mut remainder, self.den) as u128;
            scaled = scaled.checked_mul(2)?.checked_add(bit)?;
        }
        Some(scaled)
    }

    /// A rational lower bound `s` on `sqrt(self)`: `s <= sqrt(self)` always, with relative error below
    /// 2^-29. Use it where a smaller value means more noise (e.g. ε = sqrt(2ρ) when running a Laplace
    /// mechanism under a zCDP budget), never where a smaller value would claim less privacy loss.
    ///
    /// Method: with `j` even, `floor(sqrt(floor(self·2^j))) / 2^(j/2) <= sqrt(self·2^j) / 2^(j/2)`; `j` is
    /// chosen so `self·2^j` lies in [2^60, 2^63), giving a root of 31–32 bits. The precision is kept
    /// deliberately modest so the result stays small enough (numerator < 2^32) for exact arithmetic on
    /// it afterwards, e.g. squaring it to account for the ρ actually spent; a 2^-29 relative excess of
    /// noise is immaterial.
    pub fn sqrt_round_down(&self) -> Result<Self> {
        if self.is_zero() {
            return Ok(Self::zero());
        }
        // self lies in [2^(log2_estimate-1), 2^(log2_estimate+1)); log2_estimate is in [-127, 128].
        let log2_estimate = bit_length(self.num) as i32 - bit_length(self.den) as i32;
        let mut shift = 62 - log2_estimate;
        if shift % 2 != 0 {
            shift -= 1;
        }
        let scaled = self.floor_times_power_of_two(shift).ok_or_else(|| {
            err!(
                Internal,
                "sqrt_round_down({self}): scaled value does not fit (shift {shift})"
            )
        })?;
        let root = scaled.isqrt();
        let half_shift = shift / 2;
        if half_shift >= 0 {
            // shift <= 62 + 127, so half_shift <= 94 and the power of two fits.
            Self::new(root, 1u128 << half_shift)
        } else {
            // shift >= 62 - 128 - 1, so half_shift >= -33; root < 2^32, so this cannot overflow.
            let multiplier = 1u128 << half_shift.unsigned_abs();
            root.checked_mul(multiplier)
                .map(Self::from_integer)
                .ok_or_else(|| err!(Overflow, "sqrt_round_down({self}) overflows u128"))
        }
    }
}

/// A 256-bit unsigned integer as `(high, low)` 128-bit halves; tuple order is numeric order.
type Wide = (u128, u128);

fn wide_sub(a: Wide, b: Wide) -> Wide {
    let (low, borrow) = a.1.overflowing_sub(b.1);
    (a.0 - b.0 - u128::from(borrow), low)
}

/// `2r + bit` reduced modulo `d` by one subtraction, for `r < d`: the next step of binary long division.
/// Returns the quotient bit. Written so nothing exceeds 256 bits (`r >= d − r` instead of `2r >= d`).
fn wide_division_step(r: &mut Wide, d: Wide, bit: bool) -> bool {
    let gap = wide_sub(d, *r);
    if *r >= gap {
        // 2r + bit − d = r − (d − r) + bit < d.
        *r = wide_sub(*r, gap);
        if bit {
            *r = if r.1 == u128::MAX {
                (r.0 + 1, 0)
            } else {
                (r.0, r.1 + 1)
            };
        }
        true
    } else {
        // 2r < d, so 2r + bit <= d fits.
        *r = ((r.0 << 1) | (r.1 >> 127), (r.1 << 1) | u128::from(bit));
        if *r >= d {
            *r = wide_sub(*r, d);
            true
        } else {
            false
        }
    }
}

/// The best bound `c/2^k` on `n/d` (`d > 0`; 256-bit operands) with `c` a u128 and `k <= 127` as large as
/// fits: `c = ceil(n·2^k/d)` (`round_up`) or `floor(n·2^k/d)`, so the bound is within 2^-k of the value.
/// `None` when even `k = 0` does not fit (the bound is at least 2^128).
fn dyadic_bound(n: Wide, d: Wide, round_up: bool) -> Option<Rational> {
    let mut remainder: Wide = (0, 0);
    let mut quotient: Wide = (0, 0);
    for index in (0..256u32).rev() {
        let bit = if index >= 128 {
            (n.0 >> (index - 128)) & 1 == 1
        } else {
            (n.1 >> index) & 1 == 1
        };
        let q_bit = wide_division_step(&mut remainder, d, bit);
        quotient = (
            (quotient.0 << 1) | (quotient.1 >> 127),
            (quotient.1 << 1) | u128::from(q_bit),
        );
    }
    if quotient.0 != 0 {
        return None;
    }
    let bound_at = |scaled: u128, remainder: Wide| -> Option<u128> {
        if round_up && remainder != (0, 0) {
            scaled.checked_add(1)
        } else {
            Some(scaled)
        }
    };
    let mut scaled = quotient.1;
    let mut best = (bound_at(scaled, remainder)?, 0u32);
    for shift in 1..=127u32 {
        let bit = wide_division_step(&mut remainder, d, false);
        let Some(next) = scaled
            .checked_mul(2)
            .and_then(|doubled| doubled.checked_add(u128::from(bit)))
        else {
            break;
        };
        scaled = next;
        match bound_at(scaled, remainder) {
            Some(bound) => best = (bound, shift),
            None => break,
        }
    }
    Some(Rational::reduced(best.0, 1u128 << best.1))
}

impl Rational {
    /// An upper bound on `self / o` that fits u128/u128: the exact quotient when it fits, otherwise
    /// `ceil(self/o · 2^k)/2^k` for the largest `k <= 127` for which the numerator fits (above the exact
    /// quotient by less than 2^-k). Use it where a larger value is the safe side (a noise scale).
    /// Err(InvalidArgument) when `o` is zero; Err(Overflow) when the quotient exceeds `u128::MAX`.
    pub fn div_round_up(&self, o: &Self) -> Result<Self> {
        match self.checked_div(o) {
            Err(crate::error::Error::Overflow(_)) => {}
            other => return other,
        }
        let numerator = widening_mul(self.num, o.den);
        let denominator = widening_mul(self.den, o.num);
        dyadic_bound(numerator, denominator, true).ok_or_else(|| {
            err!(
                Overflow,
                "rational division {self} / {o} exceeds the largest u128"
            )
        })
    }

    /// A lower bound on `self · o` that fits u128/u128: the exact product when it fits, otherwise
    /// `floor(self·o · 2^k)/2^k` for the largest `k <= 127` for which the numerator fits (below the exact
    /// product by less than 2^-k). Use it where a smaller value is the safe side (a budget).
    /// Err(Overflow) when the product is at least 2^128.
    pub fn mul_round_down(&self, o: &Self) -> Result<Self> {
        match self.checked_mul(o) {
            Err(crate::error::Error::Overflow(_)) => {}
            other => return other,
        }
        let numerator = widening_mul(self.num, o.num);
        let denominator = widening_mul(self.den, o.den);
        dyadic_bound(numerator, denominator, false).ok_or_else(|| {
            err!(
                Overflow,
                "rational multiplication {self} * {o} exceeds the largest u128"
            )
        })
    }
}

impl Rational {
    /// `⌊log2(self)⌋`, exactly. Err(InvalidArgument) when `self == 0`.
    ///
    /// With b(x) the bit length, `num/den` lies in `(2^(e−1), 2^(e+1))` for `e = b(num) − b(den)`, and
    /// `|e| ≤ 127`; the answer is `e` when `den·2^e ≤ num` and `e − 1` otherwise (compared as exact
    /// 256-bit products).
    pub fn floor_log2(&self) -> Result<i32> {
        if self.is_zero() {
            fail!(InvalidArgument, "log2 of zero is undefined");
        }
        let estimate = bit_length(self.num) as i32 - bit_length(self.den) as i32;
        let power = 1u128 << estimate.unsigned_abs();
        let is_at_most = if estimate >= 0 {
            widening_mul(self.den, power) <= widening_mul(self.num, 1)
        } else {
            widening_mul(self.den, 1) <= widening_mul(self.num, power)
        };
        Ok(if is_at_most { estimate } else { estimate - 1 })
    }

    /// `2^exponent` exactly. Err(Overflow) naming the exponent outside `[−127, 127]`.
    pub fn power_of_two(exponent: i32) -> Result<Self> {
        if !(-127..=127).contains(&exponent) {
            fail!(
                Overflow,
                "2^{exponent} does not fit u128/u128 (exponent must be between -127 and 127)"
            );
        }
        let power = 1u128 << exponent.unsigned_abs();
        Ok(if exponent >= 0 {
            Self::from_integer(power)
        } else {
            Self::reduced(1, power)
        })
    }

    /// `1/self`. Err(InvalidArgument) when `self == 0`.
    pub fn checked_reciprocal(&self) -> Result<Self> {
        if self.is_zero() {
            fail!(InvalidArgument, "zero has no reciprocal");
        }
        Ok(Rational {
            num: self.den,
            den: self.num,
        })
    }
}

impl PartialOrd for Rational {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Rational {
    /// Exact: compares `a·d` with `c·b` as 256-bit products (denominators are positive).
    fn cmp(&self, other: &Self) -> Ordering {
        widening_mul(self.num, other.den).cmp(&widening_mul(other.num, self.den))
    }
}

/// A rational that may also be +infinity (an infinite budget means "no noise").
///
/// Arithmetic follows budget accounting rather than the extended reals: `∞ − x = ∞` for every `x`,
/// including `∞ − ∞ = ∞`. An infinite budget stays infinite however much is spent from it (as in Tumult
/// Analytics, where a session with an infinite budget can answer any number of infinite-budget queries).
/// Subtracting ∞ from a finite value is an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ExtRational {
    Finite(Rational),
    Infinite,
}

impl From<Rational> for ExtRational {
    fn from(value: Rational) -> Self {
        ExtRational::Finite(value)
    }
}

impl ExtRational {
    pub fn zero() -> Self {
        ExtRational::Finite(Rational::zero())
    }

    pub fn from_integer(n: u128) -> Self {
        ExtRational::Finite(Rational::from_integer(n))
    }

    /// Like [`Rational::from_f64_exact`], but `+inf` becomes `Infinite`.
    pub fn from_f64_exact(x: f64, setting: &str) -> Result<Self> {
        if x == f64::INFINITY {
            return Ok(ExtRational::Infinite);
        }
        Rational::from_f64_exact(x, setting).map(ExtRational::Finite)
    }

    pub fn is_infinite(&self) -> bool {
        matches!(self, ExtRational::Infinite)
    }

    pub fn is_zero(&self) -> bool {
        matches!(self, ExtRational::Finite(value) if value.is_zero())
    }

    /// The finite value, or `None` for ∞.
    pub fn finite(&self) -> Option<Rational> {
        match self {
            ExtRational::Finite(value) => Some(*value),
            ExtRational::Infinite => None,
        }
    }

    /// `self + o`; ∞ absorbs everything.
    pub fn checked_add(&self, o: &Self) -> Result<Self> {
        match (self, o) {
            (ExtRational::Finite(a), ExtRational::Finite(b)) => {
                a.checked_add(b).map(ExtRational::Finite)
            }
            _ => Ok(ExtRational::Infinite),
        }
    }

    /// `self − o` with `∞ − x = ∞` (see the type's doc). Err(InvalidArgument) for `finite − ∞` and when a
    /// finite result would be negative.
    pub fn checked_sub(&self, o: &Self) -> Result<Self> {
        match (self, o) {
            (ExtRational::Infinite, _) => Ok(ExtRational::Infinite),
            (ExtRational::Finite(a), ExtRational::Infinite) => {
                fail!(
                    InvalidArgument,
                    "cannot subtract inf from the finite value {a}"
                )
            }
            (ExtRational::Finite(a), ExtRational::Finite(b)) => {
                a.checked_sub(b).map(ExtRational::Finite)
            }
        }
    }

    /// `self · factor`; `∞ · 0` has no meaning here and is Err(InvalidArgument).
    pub fn checked_mul_finite(&self, factor: &Rational) -> Result<Self> {
        match self {
            ExtRational::Finite(value) => value.checked_mul(factor).map(ExtRational::Finite),
            ExtRational::Infinite if factor.is_zero() => {
                fail!(InvalidArgument, "cannot multiply inf by zero")
            }
            ExtRational::Infinite => Ok(ExtRational::Infinite),
        }
    }

    /// `self / divisor`; Err(InvalidArgument) when `divisor` is zero (also for ∞).
    pub fn checked_div_finite(&self, divisor: &Rational) -> Result<Self> {
        match self {
            ExtRational::Finite(value) => value.checked_div(divisor).map(ExtRational::Finite),
            ExtRational::Infinite if divisor.is_zero() => {
                fail!(InvalidArgument, "cannot divide inf by zero")
            }
            ExtRational::Infinite => Ok(ExtRational::Infinite),
        }
    }

    /// Smallest f64 at or above the value; `f64::INFINITY` for ∞.
    pub fn to_f64_round_up(&self) -> f64 {
        self.finite()
            .map_or(f64::INFINITY, |value| value.to_f64_round_up())
    }

    /// Largest f64 at or below the value; `f64::INFINITY` for ∞ (∞ is exactly representable).
    pub fn to_f64_round_down(&self) -> f64 {
        self.finite()
            .map_or(f64::INFINITY, |value| value.to_f64_round_down())
    }
}

impl PartialOrd for ExtRational {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for ExtRational {
    fn cmp(&self, other: &Self) -> Ordering {
        match (self, other) {
            (ExtRational::Finite(a), ExtRational::Finite(b)) => a.cmp(b),
            (ExtRational::Finite(_), ExtRational::Infinite) => Ordering::Less,
            (ExtRational::Infinite, ExtRational::Finite(_)) => Ordering::Greater,
            (ExtRational::Infinite, ExtRational::Infinite) => Ordering::Equal,
        }
    }
}
