//! Exact discrete Gaussian sampler. CONTRACT STUB: owned by the sampler helper.
use crate::error::Result;
use crate::fail;
use crate::privacy::Rational;
use rand_core::RngCore;

/// One draw from the discrete Gaussian P(x) ∝ exp(-x²/(2σ²)) on the integers; σ² = 0 returns 0.
pub fn sample_discrete_gaussian<R: RngCore + ?Sized>(_rng: &mut R, _sigma_squared: &Rational) -> Result<i64> {
    fail!(Internal, "not implemented yet")
}
