//! The ID distance of a private table: how far apart, in IDs, the neighbouring tables its measurements are
//! compiled for are (Tumult Core's `d_in` of the accountant a session was made with).
//!
//! A session the user builds protects the addition or removal of one ID: distance 1. A child of
//! `partition_and_create` on an `AddRowsWithID` table split on `c` under `MaxGroupsPerID(c, g)` is compiled,
//! as Tumult's, for the whole distance of the partition's output: one ID of the parent has rows in at most
//! g partitions, and Tumult's `SumOf` (PureDP, ApproxDP) gives every child the distance g, its
//! `RootSumOfSquared` (RhoZCDP) the distance √g (an exact sympy root there). Children of children multiply:
//! g₁·g₂, or √g₁·√g₂.
//!
//! Represented by one integer D, the distance under `SumOf` and the *square* of the distance under
//! `RootSumOfSquared`: D = g (resp. g₁·g₂) in both cases, so no square root is ever taken to store it. What
//! it does to sensitivities (a measurement at distance d has d times the sensitivity of distance 1):
//!
//! | session budget      | distance | L1 ×      | L2² × |
//! |---------------------|----------|-----------|-------|
//! | PureDP, ApproxDP    | D        | D         | D²    |
//! | RhoZCDP             | √D       | ⌈√D⌉      | D     |
//!
//! Under RhoZCDP the L2² factor is exact; only the L1 factor (used by Laplace noise under zCDP) needs a
//! root, rounded up: more noise, never less.
use std::fmt;

use super::budget::Budget;
use super::rational::Rational;
use super::sensitivity::Sensitivities;
use crate::error::Result;
use crate::fail;

#[cfg(test)]
mod test;

/// D: the ID distance under `SumOf`, its square under `RootSumOfSquared` (see the module text). At least 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IdDistance(u64);

impl IdDistance {
    /// The distance of every table of a session the user builds: one ID.
    pub const ONE: IdDistance = IdDistance(1);

    /// D as given. Err(InvalidArgument) for 0 (a distance of no ID protects nothing).
    pub fn new(value: u64) -> Result<IdDistance> {
        if value == 0 {
            fail!(InvalidArgument, "an ID distance must be positive, got 0");
        }
        Ok(IdDistance(value))
    }

    /// D itself.
    pub fn value(&self) -> u64 {
        self.0
    }

    /// The distance of each child of a partition in which one ID's rows reach at most `max_groups`
    /// partitions (`MaxGroupsPerID(column, max_groups)`): D·g, which is the distance g·d under `SumOf` and
    /// the square of √g·d under `RootSumOfSquared`. Err(InvalidArgument) for g = 0, Err(Overflow) past u64.
    pub fn after_partition(&self, max_groups: u64) -> Result<IdDistance> {
        if max_groups == 0 {
            fail!(InvalidArgument, "MaxGroupsPerID must be positive, got 0");
        }
        match self.0.checked_mul(max_groups) {
            Some(product) => Ok(IdDistance(product)),
            None => fail!(
                Overflow,
                "the ID distance {} × max_groups {max_groups} of the partition does not fit in 64 bits",
                self.0
            ),
        }
    }

    /// The sensitivities at this distance of a measurement whose sensitivities at distance 1 are
    /// `per_id`, under `budget`'s privacy definition (the module table). Err(Overflow) when a product
    /// leaves u128.
    pub fn scale(&self, budget: &Budget, per_id: &Sensitivities) -> Result<Sensitivities> {
        if self.0 == 1 {
            return Ok(*per_id);
        }
        let distance = u128::from(self.0);
        let (l1_factor, l2_squared_factor) = match budget {
            Budget::PureDP { .. } | Budget::ApproxDP { .. } => (distance, distance * distance),
            Budget::RhoZCDP { .. } => (ceil_sqrt(distance), distance),
        };
        Ok(Sensitivities {
            l1: per_id.l1.checked_mul(&Rational::from_integer(l1_factor))?,
            l2_squared: per_id
                .l2_squared
                .checked_mul(&Rational::from_integer(l2_squared_factor))?,
        })
    }
}

impl fmt::Display for IdDistance {
    /// The text form (`id_distance=` of a measurement request, `child_id_distance=` of a partition plan).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// Reads an ID distance's text: a positive decimal u64. Err(InvalidArgument) naming the text otherwise.
pub fn parse_id_distance(text: &str) -> Result<IdDistance> {
    match text.parse::<u64>() {
        Ok(value) if text.bytes().all(|byte| byte.is_ascii_digit()) => IdDistance::new(value),
        _ => fail!(
            InvalidArgument,
            "an ID distance must be a positive integer, got '{text}'"
        ),
    }
}

/// ⌈√n⌉ exactly: the least m with m² ≥ n.
pub fn ceil_sqrt(n: u128) -> u128 {
    // floor(√n) by Newton's method on integers from a first guess at or above it (2^⌈bits/2⌉ ≤ 2^64); the
    // iterates decrease to the floor, and root + n/root < 2^65 never overflows.
    let mut root = n;
    if n > 1 {
        let bits = 128 - n.leading_zeros();
        root = 1u128 << bits.div_ceil(2);
        let mut next = (root + n / root) / 2;
        while next < root {
            root = next;
            next = (root + n / root) / 2;
        }
    }
    // root² ≤ n < 2^128, so root < 2^64 and root² does not overflow.
    if root * root == n {
        root
    } else {
        root + 1
    }
}
