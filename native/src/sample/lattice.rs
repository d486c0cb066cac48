//! Noise for float outputs on a lattice of spacing 2^k, drawn with the exact integer samplers.
//!
//! A float value x is rounded to the nearest lattice point m·2^k (m an integer), an exact integer noise Z
//! is drawn in lattice units, and (m + Z)·2^k is returned — exactly representable, so no output carries
//! the artefacts of a continuous floating-point sampler (Mironov 2012).
//!
//! The lattice exponent k and the noise parameter come only from a
//! [`FloatNoiseSpec`], built by
//! `privacy::calibration::float_noise`, which chooses k and accounts for the rounding (it calibrates
//! to the sensitivity inflated by the lattice spacing). This file only does the mechanics.
use super::discrete_gaussian::DiscreteGaussian;
use super::discrete_laplace::DiscreteLaplace;
use crate::error::Result;
use crate::privacy::calibration::{FloatNoiseSpec, MAX_LATTICE_EXPONENT, MIN_LATTICE_EXPONENT};
use crate::privacy::NoiseSpec;
use crate::{err, fail};
use rand_core::RngCore;

/// The lattice 2^k·ℤ.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Lattice {
    exponent: i32,
}

/// 2^k as an exact f64 for k in the lattice range (a normal number, built from its bit pattern).
fn power_of_two_f64(exponent: i32) -> f64 {
    f64::from_bits(((exponent + 1023) as u64) << 52)
}

impl Lattice {
    /// The lattice 2^exponent·ℤ. Err(InvalidArgument) outside [−127, 127].
    pub fn from_exponent(exponent: i32) -> Result<Self> {
        if !(MIN_LATTICE_EXPONENT..=MAX_LATTICE_EXPONENT).contains(&exponent) {
            fail!(
                InvalidArgument,
                "lattice exponent ({exponent}) must be between {MIN_LATTICE_EXPONENT} and {MAX_LATTICE_EXPONENT}"
            );
        }
        Ok(Lattice { exponent })
    }

    pub fn exponent(&self) -> i32 {
        self.exponent
    }

    /// The integer m with m·2^k nearest to `value` (ties away from zero). Err(InvalidArgument) naming the
    /// value when it is not finite; Err(Overflow) when |m| ≥ 2^63.
    ///
    /// Exactness: multiplying by 2^−k is exact in IEEE 754 unless the product overflows (then |m| is far
    /// beyond 2^63 and we return Err) or falls below 2^−1022 (then the nearest integer is 0 either way);
    /// `round` is exact. So m is the true nearest integer to value/2^k on every platform.
    pub fn round_to_lattice(&self, value: f64) -> Result<i64> {
        if !value.is_finite() {
            fail!(
                InvalidArgument,
                "value ({value}) must be finite to add noise"
            );
        }
        let multiple = (value * power_of_two_f64(-self.exponent)).round();
        // ±2^63 is exact in f64; the open interval (−2^63, 2^63) holds exactly the i64-representable values.
        const TWO_TO_63: f64 = 9_223_372_036_854_775_808.0;
        if !(-TWO_TO_63 < multiple && multiple < TWO_TO_63) {
            fail!(
                Overflow,
                "value ({value}) is too large for the noise lattice 2^{}",
                self.exponent
            );
        }
        Ok(multiple as i64)
    }

    /// m·2^k as f64, exactly. Err(Overflow) when m·2^k is not exactly representable (|m| > 2^53 with
    /// low bits set).
    pub fn lattice_point_to_f64(&self, multiple: i64) -> Result<f64> {
        let as_float = multiple as f64;
        if as_float as i128 != i128::from(multiple) {
            fail!(
                Overflow,
                "lattice point {multiple}·2^{} is not exactly representable as f64",
                self.exponent
            );
        }
        // |multiple| ≤ 2^63 and |k| ≤ 127 keep the product a normal f64, so the scaling is exact.
        Ok(as_float * power_of_two_f64(self.exponent))
    }

    fn noisy_point(&self, multiple: i64, noise: i64, value: f64) -> Result<f64> {
        let noisy = multiple.checked_add(noise).ok_or_else(|| {
            err!(
                Overflow,
                "value ({value}) plus noise overflows the lattice 2^{}",
                self.exponent
            )
        })?;
        self.lattice_point_to_f64(noisy)
    }
}

/// `value` rounded to the lattice of `spec` plus integer noise in lattice units, as `spec` says: returns
/// `(round(value/2^k) + Z)·2^k` with Z drawn from `spec.noise_in_lattice_units()`, exactly on the
/// lattice; `value` itself when the spec has no noise.
///
/// # Proof Definition
/// For finite `value` and a spec from `privacy::calibration::float_noise`: returns `Ok((m + Z)·2^k)`
/// with `m` the integer nearest `value/2^k` (ties away from zero) and `Z` distributed exactly as
/// discrete Laplace with the spec's scale (`P(z) ∝ exp(−|z|/t)`) or discrete Gaussian with the spec's
/// σ² (`P(z) ∝ exp(−z²/(2σ²))`), drawn from `rng`; `Ok(value)` when the spec has no noise.
/// Err(InvalidArgument) naming the value when it is not finite; Err(Overflow) when `|m|` or `|m + Z|`
/// reaches 2^63 or `(m + Z)·2^k` is not exactly representable as an f64. The privacy of the output is
/// `float_noise`'s Proof Definition; this function only has to draw exactly what the spec says.
pub fn add_float_noise<R: RngCore + ?Sized>(
    rng: &mut R,
    value: f64,
    spec: &FloatNoiseSpec,
) -> Result<f64> {
    if !value.is_finite() {
        fail!(
            InvalidArgument,
            "value ({value}) must be finite to add noise"
        );
    }
    let noise = match spec.noise_in_lattice_units() {
        NoiseSpec::NoNoise => return Ok(value),
        NoiseSpec::DiscreteLaplace { scale } => DiscreteLaplace::new(&scale).sample(rng)?,
        NoiseSpec::DiscreteGaussian { sigma_squared } => {
            DiscreteGaussian::new(&sigma_squared)?.sample(rng)?
        }
    };
    let lattice = Lattice::from_exponent(spec.lattice_exponent())?;
    let multiple = lattice.round_to_lattice(value)?;
    lattice.noisy_point(multiple, noise, value)
}

#[cfg(test)]
mod test;
