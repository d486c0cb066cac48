//! Noise calibration. CONTRACT STUB: owned by the privacy helper.
use super::budget::Budget;
use super::rational::Rational;
use super::sensitivity::{Constraint, ProtectedChange};
use crate::error::Result;
use crate::fail;

/// Which integer noise to add to each cell, with exact parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoiseSpec {
    /// Infinite budget: release exact values.
    NoNoise,
    /// Discrete Laplace with P(x) ∝ exp(-|x|/scale).
    DiscreteLaplace { scale: Rational },
    /// Discrete Gaussian with P(x) ∝ exp(-x²/(2 σ²)).
    DiscreteGaussian { sigma_squared: Rational },
}

/// The noise for a grouped count answered with `budget` (the whole budget goes to this one count).
pub fn count_noise(_budget: &Budget, _change: &ProtectedChange, _constraints: &[Constraint]) -> Result<NoiseSpec> {
    fail!(Internal, "not implemented yet")
}
