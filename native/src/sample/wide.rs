//! A small fixed-width 512-bit unsigned integer for the samplers' rare large-parameter paths, and the
//! `Natural` trait that lets one exact algorithm run on `u64`, `u128` or `U512`.
//!
//! Every operation is exact: multiplication and addition report overflow (`None`) instead of wrapping,
//! division is schoolbook shift-and-subtract. Nothing here is on the hot path of small parameters.
use super::rng::BitSource;
use rand_core::RngCore;
use std::cmp::Ordering;

const LIMBS: usize = 8;

/// Little-endian 64-bit limbs: value = Σ limbs[i]·2^(64·i).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct U512([u64; LIMBS]);

impl U512 {
    pub const ZERO: U512 = U512([0; LIMBS]);

    pub fn from_u128(value: u128) -> Self {
        let mut limbs = [0u64; LIMBS];
        limbs[0] = value as u64;
        limbs[1] = (value >> 64) as u64;
        U512(limbs)
    }

    pub fn from_u64(value: u64) -> Self {
        Self::from_u128(u128::from(value))
    }

    /// The value if it fits in a u128.
    pub fn to_u128(&self) -> Option<u128> {
        if self.0[2..].iter().any(|&limb| limb != 0) {
            return None;
        }
        Some(u128::from(self.0[0]) | (u128::from(self.0[1]) << 64))
    }

    pub fn is_zero(&self) -> bool {
        self.0.iter().all(|&limb| limb == 0)
    }

    /// Number of significant bits (0 for zero).
    pub fn bit_length(&self) -> u32 {
        for i in (0..LIMBS).rev() {
            if self.0[i] != 0 {
                return 64 * i as u32 + (64 - self.0[i].leading_zeros());
            }
        }
        0
    }

    fn bit(&self, index: u32) -> bool {
        (self.0[(index / 64) as usize] >> (index % 64)) & 1 == 1
    }

    fn set_bit(&mut self, index: u32) {
        self.0[(index / 64) as usize] |= 1 << (index % 64);
    }

    pub fn checked_add(&self, other: &Self) -> Option<Self> {
        let mut out = [0u64; LIMBS];
        let mut carry = false;
        for (i, limb) in out.iter_mut().enumerate() {
            let (sum, c1) = self.0[i].overflowing_add(other.0[i]);
            let (sum, c2) = sum.overflowing_add(u64::from(carry));
            *limb = sum;
            carry = c1 || c2;
        }
        if carry {
            None
        } else {
            Some(U512(out))
        }
    }

    /// `self − other` modulo 2^512 (callers use it only when self ≥ other, or when the true difference
    /// is known to lie in [0, 2^512)).
    fn wrapping_sub(&self, other: &Self) -> Self {
        let mut out = [0u64; LIMBS];
        let mut borrow = false;
        for (i, limb) in out.iter_mut().enumerate() {
            let (diff, b1) = self.0[i].overflowing_sub(other.0[i]);
            let (diff, b2) = diff.overflowing_sub(u64::from(borrow));
            *limb = diff;
            borrow = b1 || b2;
        }
        U512(out)
    }

    /// `self − other`, or None when other > self.
    pub fn checked_sub(&self, other: &Self) -> Option<Self> {
        if *self < *other {
            None
        } else {
            Some(self.wrapping_sub(other))
        }
    }

    pub fn checked_mul(&self, other: &Self) -> Option<Self> {
        let mut wide = [0u64; 2 * LIMBS];
        for i in 0..LIMBS {
            if self.0[i] == 0 {
                continue;
            }
            let mut carry: u128 = 0;
            for j in 0..LIMBS {
                let cell = u128::from(wide[i + j])
                    + u128::from(self.0[i]) * u128::from(other.0[j])
                    + carry;
                wide[i + j] = cell as u64;
                carry = cell >> 64;
            }
            // i + LIMBS < 2·LIMBS; a carry there is an overflow found below.
            wide[i + LIMBS] = carry as u64;
        }
        if wide[LIMBS..].iter().any(|&limb| limb != 0) {
            return None;
        }
        let mut out = [0u64; LIMBS];
        out.copy_from_slice(&wide[..LIMBS]);
        Some(U512(out))
    }

    /// `self << 1`, also returning the bit shifted out.
    fn shl1(&self) -> (Self, bool) {
        let mut out = [0u64; LIMBS];
        let mut carry = 0u64;
        for (i, limb) in out.iter_mut().enumerate() {
            *limb = (self.0[i] << 1) | carry;
            carry = self.0[i] >> 63;
        }
        (U512(out), carry == 1)
    }

    /// `self · 2^shift`, or None when bits would be lost.
    pub fn checked_shl(&self, shift: u32) -> Option<Self> {
        if self.is_zero() {
            return Some(*self);
        }
        if self.bit_length() + shift > 512 {
            return None;
        }
        let mut out = *self;
        for _ in 0..shift {
            out = out.shl1().0;
        }
        Some(out)
    }

    /// (⌊self / divisor⌋, self mod divisor); divisor must be non-zero (a zero divisor returns (0, self)).
    pub fn div_rem(&self, divisor: &Self) -> (Self, Self) {
        if divisor.is_zero() {
            return (U512::ZERO, *self);
        }
        let mut quotient = U512::ZERO;
        let mut remainder = U512::ZERO;
        for index in (0..self.bit_length()).rev() {
            let (shifted, carried_out) = remainder.shl1();
            remainder = shifted;
            if self.bit(index) {
                remainder.0[0] |= 1;
            }
            // remainder < divisor before the shift, so the true value 2r+b < 2·divisor ≤ 2^513 and the
            // difference to divisor lies in [0, 2^512): wrapping_sub gives it exactly.
            if carried_out || remainder >= *divisor {
                remainder = remainder.wrapping_sub(divisor);
                quotient.set_bit(index);
            }
        }
        (quotient, remainder)
    }
}

impl Ord for U512 {
    fn cmp(&self, other: &Self) -> Ordering {
        for i in (0..LIMBS).rev() {
            match self.0[i].cmp(&other.0[i]) {
                Ordering::Equal => continue,
                unequal => return unequal,
            }
        }
        Ordering::Equal
    }
}

impl PartialOrd for U512 {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// Natural numbers the exact Bernoulli samplers run on. Implemented for u64 (fast path), u128 and U512.
pub trait Natural: Copy + Ord {
    fn is_zero(&self) -> bool;
    /// (⌊self / d⌋, self mod d) for d > 0.
    fn div_rem(&self, divisor: &Self) -> (Self, Self);
    /// `self − 1` for self ≥ 1.
    fn decrement(&self) -> Self;
    /// Uniform on {0, …, n−1} for n ≥ 1.
    fn uniform_below<R: RngCore + ?Sized>(bits: &mut BitSource<'_, R>, n: &Self) -> Self;
}

impl Natural for u64 {
    #[inline]
    fn is_zero(&self) -> bool {
        *self == 0
    }
    #[inline]
    fn div_rem(&self, divisor: &Self) -> (Self, Self) {
        (self / divisor, self % divisor)
    }
    #[inline]
    fn decrement(&self) -> Self {
        self.saturating_sub(1)
    }
    #[inline]
    fn uniform_below<R: RngCore + ?Sized>(bits: &mut BitSource<'_, R>, n: &Self) -> Self {
        bits.uniform_below_u64(*n)
    }
}

impl Natural for u128 {
    #[inline]
    fn is_zero(&self) -> bool {
        *self == 0
    }
    #[inline]
    fn div_rem(&self, divisor: &Self) -> (Self, Self) {
        (self / divisor, self % divisor)
    }
    #[inline]
    fn decrement(&self) -> Self {
        self.saturating_sub(1)
    }
    #[inline]
    fn uniform_below<R: RngCore + ?Sized>(bits: &mut BitSource<'_, R>, n: &Self) -> Self {
        bits.uniform_below_u128(*n)
    }
}

impl Natural for U512 {
    fn is_zero(&self) -> bool {
        U512::is_zero(self)
    }
    fn div_rem(&self, divisor: &Self) -> (Self, Self) {
        U512::div_rem(self, divisor)
    }
    fn decrement(&self) -> Self {
        self.checked_sub(&U512::from_u64(1)).unwrap_or(U512::ZERO)
    }
    /// Masked rejection: draw `bit_length(n−1)` uniform bits, accept below n (probability > 1/2 a try).
    fn uniform_below<R: RngCore + ?Sized>(bits: &mut BitSource<'_, R>, n: &Self) -> Self {
        if let Some(small) = n.to_u128() {
            return U512::from_u128(bits.uniform_below_u128(small));
        }
        let width = n.decrement().bit_length();
        loop {
            let mut candidate = U512::ZERO;
            for i in 0..LIMBS {
                let low_bit = 64 * i as u32;
                if low_bit >= width {
                    break;
                }
                let word = bits.next_u64();
                let kept = width - low_bit;
                candidate.0[i] = if kept >= 64 {
                    word
                } else {
                    word & ((1u64 << kept) - 1)
                };
            }
            if candidate < *n {
                return candidate;
            }
        }
    }
}

#[cfg(test)]
mod test {
    use super::*;

    #[test]
    fn multiply_divide_round_trip() {
        let a = U512::from_u128(u128::MAX);
        let b = U512::from_u128(0x1234_5678_9abc_def0_1122_3344_5566_7788);
        let product = a.checked_mul(&b).unwrap();
        let sum = product.checked_add(&U512::from_u64(12345)).unwrap();
        let (q, r) = sum.div_rem(&a);
        assert_eq!(q, b);
        assert_eq!(r, U512::from_u64(12345));
        let (q, r) = sum.div_rem(&b);
        assert_eq!(q, a);
        assert_eq!(r, U512::from_u64(12345));
    }

    #[test]
    fn overflow_is_reported_not_wrapped() {
        let big = U512::from_u64(1).checked_shl(300).unwrap();
        assert!(big.checked_mul(&big).is_none());
        let top = U512::from_u64(1).checked_shl(511).unwrap();
        assert!(top.checked_add(&top).is_none());
        assert!(top.checked_shl(1).is_none());
        assert!(U512::from_u64(1).checked_sub(&U512::from_u64(2)).is_none());
    }

    #[test]
    fn divides_by_a_divisor_above_half_the_range() {
        let top = U512::from_u64(1).checked_shl(511).unwrap();
        let dividend = top
            .checked_add(&top.wrapping_sub(&U512::from_u64(1)))
            .unwrap(); // 2^512 − 1
        let (q, r) = dividend.div_rem(&top);
        assert_eq!(q, U512::from_u64(1));
        assert_eq!(r, top.wrapping_sub(&U512::from_u64(1)));
    }
}
