//! Exact non-negative rationals on u128 (always reduced, denominator > 0), plus an extended form with +inf.
//! CONTRACT STUB: owned by the privacy helper; signatures are the contract, bodies to be replaced.
use crate::error::Result;
use crate::fail;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Rational {
    num: u128,
    den: u128,
}

impl Rational {
    /// `num/den`, reduced. Err(InvalidArgument) when `den == 0`.
    pub fn new(num: u128, den: u128) -> Result<Self> {
        if den == 0 {
            fail!(InvalidArgument, "denominator must not be zero");
        }
        Ok(Rational { num, den })
    }
    pub fn from_integer(n: u128) -> Self {
        Rational { num: n, den: 1 }
    }
    pub fn zero() -> Self {
        Self::from_integer(0)
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
    /// Exact conversion of a finite, non-negative f64 (every finite f64 is a dyadic rational).
    /// `setting` names the value in error messages, e.g. "epsilon". Err on NaN, negative, infinite,
    /// or when the exact value does not fit in u128/u128 (Overflow).
    pub fn from_f64_exact(_x: f64, setting: &str) -> Result<Self> {
        fail!(Internal, "from_f64_exact({setting}) not implemented yet")
    }
    pub fn checked_add(&self, _o: &Self) -> Result<Self> {
        fail!(Internal, "not implemented yet")
    }
    /// Err(InvalidArgument) when the result would be negative.
    pub fn checked_sub(&self, _o: &Self) -> Result<Self> {
        fail!(Internal, "not implemented yet")
    }
    pub fn checked_mul(&self, _o: &Self) -> Result<Self> {
        fail!(Internal, "not implemented yet")
    }
    pub fn checked_div(&self, _o: &Self) -> Result<Self> {
        fail!(Internal, "not implemented yet")
    }
    /// Nearest f64 at or above the exact value.
    pub fn to_f64_round_up(&self) -> f64 {
        self.num as f64 / self.den as f64
    }
    /// Nearest f64 at or below the exact value.
    pub fn to_f64_round_down(&self) -> f64 {
        self.num as f64 / self.den as f64
    }
}

/// A rational that may also be +infinity (an infinite budget means "no noise").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ExtRational {
    Finite(Rational),
    Infinite,
}
