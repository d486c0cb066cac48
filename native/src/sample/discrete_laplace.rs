//! Exact discrete Laplace sampler. CONTRACT STUB: owned by the sampler helper.
use crate::error::Result;
use crate::fail;
use crate::privacy::Rational;
use rand_core::RngCore;

/// One draw from the discrete Laplace distribution P(x) ∝ exp(-|x|/scale) on the integers;
/// scale 0 returns 0.
pub fn sample_discrete_laplace<R: RngCore + ?Sized>(_rng: &mut R, _scale: &Rational) -> Result<i64> {
    fail!(Internal, "not implemented yet")
}
