//! Noise for float outputs on a lattice of spacing 2^k, drawn with the exact integer samplers.
//!
//! A float value x is rounded to the nearest lattice point m·2^k (m an integer), an exact integer noise Z
//! is drawn in lattice units, and (m + Z)·2^k is returned — exactly representable, so no output carries
//! the artefacts of a continuous floating-point sampler (Mironov 2012).
//!
//! # Choice of k
//! k is a function of the noise parameter only (never of the data): the largest integer with
//! 2^k ≤ scale / 2^20 for Laplace noise, or 2^k ≤ σ / 2^20 for Gaussian noise, clamped to
//! [−127, 127] so that 2^k is an exact u128 rational. The noise then spans about 2^20 lattice points per
//! unit of scale, so the lattice changes the noise's shape by a relative amount near 2^−20 while keeping
//! every integer small enough for the word-size fast path.
//!
//! # Privacy accounting of the rounding
//! Rounding to the nearest lattice point moves a value by at most 2^(k−1). For neighbouring inputs whose
//! exact values differ by at most Δ, the rounded values therefore differ by at most Δ + 2^k:
//! |m·2^k − m'·2^k| ≤ |x − x'| + 2·2^(k−1). In lattice units the integer m has sensitivity (Δ + 2^k)/2^k,
//! and discrete Laplace noise of scale b/2^k on it is ε-DP with ε = (Δ + 2^k)/b; discrete Gaussian noise
//! of variance σ²/4^k is ρ-zCDP with ρ = (Δ + 2^k)²/(2σ²). So the caller:
//! 1. picks k from the *uninflated* noise parameter ([`Lattice::for_laplace_scale`] with Δ/ε, or
//!    [`Lattice::for_gaussian_sigma_squared`]);
//! 2. calibrates the final noise with [`Lattice::inflated_sensitivity`] = Δ + 2^k (exact) in place of Δ;
//! 3. adds noise with the same `Lattice` (k stays fixed; it is not recomputed from the final scale).
//!
//! This accounts for one value. For a vector of d values rounded coordinate-wise, the L1 bound becomes
//! Δ₁ + d·2^k and the L2 bound Δ₂ + √d·2^k; callers with vectors must use those.
use super::discrete_gaussian::DiscreteGaussian;
use super::discrete_laplace::{lowest_terms, DiscreteLaplace};
use super::wide::U512;
use crate::error::Result;
use crate::privacy::Rational;
use crate::{err, fail};
use rand_core::RngCore;

/// Lattice points per unit of noise scale: 2^20.
pub const LATTICE_RESOLUTION_BITS: i32 = 20;
/// Smallest and largest lattice exponent (2^|k| must be an exact u128).
pub const MIN_LATTICE_EXPONENT: i32 = -127;
pub const MAX_LATTICE_EXPONENT: i32 = 127;

/// The lattice 2^k·ℤ.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Lattice {
    exponent: i32,
}

/// ⌊log2(n/d)⌋ for n, d > 0, exact.
fn floor_log2(n: u128, d: u128) -> i32 {
    let bits = |v: u128| 128 - v.leading_zeros() as i32;
    let estimate = bits(n) - bits(d); // n/d ∈ (2^(estimate−1), 2^(estimate+1))
                                      // 2^estimate ≤ n/d ⇔ d·2^estimate ≤ n (both sides shifted to be integers, exact in 512 bits).
    let (lhs, rhs) = if estimate >= 0 {
        (
            U512::from_u128(d).checked_shl(estimate as u32),
            Some(U512::from_u128(n)),
        )
    } else {
        (
            Some(U512::from_u128(d)),
            U512::from_u128(n).checked_shl((-estimate) as u32),
        )
    };
    match (lhs, rhs) {
        (Some(lhs), Some(rhs)) if lhs <= rhs => estimate,
        _ => estimate - 1,
    }
}

/// `value · 2^exponent`, or None when it does not fit u128 (for `value > 0`).
fn times_power_of_two(value: u128, exponent: u32) -> Option<u128> {
    if exponent < 128 && value.leading_zeros() >= exponent {
        Some(value << exponent)
    } else {
        None
    }
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

    /// Largest k with 2^k ≤ scale/2^20 (clamped to [−127, 127]). Err(InvalidArgument) for scale 0.
    pub fn for_laplace_scale(scale: &Rational) -> Result<Self> {
        let (n, d) = lowest_terms(scale);
        if n == 0 {
            fail!(
                InvalidArgument,
                "noise scale ({}/{}) must be positive to choose a lattice",
                n,
                d
            );
        }
        Ok(Self::clamped(floor_log2(n, d) - LATTICE_RESOLUTION_BITS))
    }

    /// Largest k with 2^k ≤ σ/2^20, i.e. 2^(2k+40) ≤ σ² (clamped to [−127, 127]). Err(InvalidArgument) for
    /// σ² = 0.
    pub fn for_gaussian_sigma_squared(sigma_squared: &Rational) -> Result<Self> {
        let (n, d) = lowest_terms(sigma_squared);
        if n == 0 {
            fail!(
                InvalidArgument,
                "sigma_squared ({}/{}) must be positive to choose a lattice",
                n,
                d
            );
        }
        // 2k + 40 ≤ ⌊log2 σ²⌋ ⇔ k ≤ (⌊log2 σ²⌋ − 40)/2.
        Ok(Self::clamped(
            (floor_log2(n, d) - 2 * LATTICE_RESOLUTION_BITS).div_euclid(2),
        ))
    }

    fn clamped(exponent: i32) -> Self {
        Lattice {
            exponent: exponent.clamp(MIN_LATTICE_EXPONENT, MAX_LATTICE_EXPONENT),
        }
    }

    pub fn exponent(&self) -> i32 {
        self.exponent
    }

    /// The spacing 2^k, exactly.
    pub fn spacing(&self) -> Rational {
        // |k| ≤ 127, so 2^|k| fits u128; the denominator is non-zero, so `new` cannot fail.
        let power = 1u128 << self.exponent.unsigned_abs();
        if self.exponent >= 0 {
            Rational::from_integer(power)
        } else {
            Rational::new(1, power).unwrap_or_else(|_| Rational::from_integer(0))
        }
    }

    /// Δ + 2^k exactly: the sensitivity to calibrate with when noise is added on this lattice (see the
    /// module doc). Err(Overflow) naming the sensitivity when the sum does not fit u128/u128.
    pub fn inflated_sensitivity(&self, sensitivity: &Rational) -> Result<Rational> {
        let (n, d) = lowest_terms(sensitivity);
        let power = 1u128 << self.exponent.unsigned_abs();
        let overflow = || {
            err!(
                Overflow,
                "sensitivity ({}/{}) plus the lattice spacing 2^{} does not fit u128/u128",
                sensitivity.numerator(),
                sensitivity.denominator(),
                self.exponent
            )
        };
        let (num, den) = if self.exponent >= 0 {
            // n/d + 2^k = (n + d·2^k)/d
            let num = d
                .checked_mul(power)
                .and_then(|dp| dp.checked_add(n))
                .ok_or_else(overflow)?;
            (num, d)
        } else {
            // n/d + 1/2^|k| = (n·2^|k| + d)/(d·2^|k|)
            let num = n
                .checked_mul(power)
                .and_then(|np| np.checked_add(d))
                .ok_or_else(overflow)?;
            (num, d.checked_mul(power).ok_or_else(overflow)?)
        };
        Rational::new(num, den)
    }

    /// value/2^k for a rational value, exactly (Err(Overflow) naming `setting` when it leaves u128/u128).
    fn in_lattice_units(
        &self,
        value: &Rational,
        power_of_two: u32,
        setting: &str,
    ) -> Result<Rational> {
        let (n, d) = lowest_terms(value);
        let overflow = || {
            err!(
                Overflow,
                "{setting} ({n}/{d}) in lattice units of 2^{} does not fit u128/u128",
                self.exponent
            )
        };
        if n == 0 {
            return Ok(Rational::zero());
        }
        // |k| ≤ 127 and power_of_two ≤ 2, so shift ≤ 254. The factor 2^shift first cancels against the
        // twos of the other side (n/d is reduced, so only one side has any), and only what is left
        // multiplies: Err(Overflow) exactly when the reduced value in lattice units leaves u128/u128.
        let shift = self.exponent.unsigned_abs() * power_of_two;
        let (num, den) = if self.exponent >= 0 {
            // n / (d·2^shift)
            let cancelled = n.trailing_zeros().min(shift);
            let den = times_power_of_two(d, shift - cancelled).ok_or_else(overflow)?;
            (n >> cancelled, den)
        } else {
            // n·2^shift / d
            let cancelled = d.trailing_zeros().min(shift);
            let num = times_power_of_two(n, shift - cancelled).ok_or_else(overflow)?;
            (num, d >> cancelled)
        };
        Rational::new(num, den)
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

    /// `value` rounded to this lattice plus 2^k × (discrete Laplace with scale `scale`/2^k), exactly on the
    /// lattice. `scale` is in the value's units and must have been calibrated with
    /// [`Lattice::inflated_sensitivity`]. Errors: those of [`Lattice::round_to_lattice`], Err(Overflow) when
    /// scale/2^k or the noisy multiple leaves the exact range, and those of the sampler.
    pub fn add_discrete_laplace_noise<R: RngCore + ?Sized>(
        &self,
        rng: &mut R,
        value: f64,
        scale: &Rational,
    ) -> Result<f64> {
        let multiple = self.round_to_lattice(value)?;
        let scale_in_units = self.in_lattice_units(scale, 1, "noise scale")?;
        let noise = DiscreteLaplace::new(&scale_in_units).sample(rng)?;
        self.noisy_point(multiple, noise, value)
    }

    /// `value` rounded to this lattice plus 2^k × (discrete Gaussian with variance σ²/4^k), exactly on the
    /// lattice. `sigma_squared` is in the value's units squared and must have been calibrated with
    /// [`Lattice::inflated_sensitivity`]. Errors as for [`Lattice::add_discrete_laplace_noise`].
    pub fn add_discrete_gaussian_noise<R: RngCore + ?Sized>(
        &self,
        rng: &mut R,
        value: f64,
        sigma_squared: &Rational,
    ) -> Result<f64> {
        let multiple = self.round_to_lattice(value)?;
        let variance_in_units = self.in_lattice_units(sigma_squared, 2, "sigma_squared")?;
        let noise = DiscreteGaussian::new(&variance_in_units)?.sample(rng)?;
        self.noisy_point(multiple, noise, value)
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

#[cfg(test)]
mod test {
    use super::*;
    use crate::sample::rng::insecure_seeded_rng_for_tests;
    use rand_core::RngCore;

    fn rational(n: u128, d: u128) -> Rational {
        Rational::new(n, d).unwrap()
    }

    #[test]
    fn exponent_is_the_largest_with_spacing_at_most_scale_over_2_20() {
        assert_eq!(
            Lattice::for_laplace_scale(&rational(1, 1))
                .unwrap()
                .exponent(),
            -20
        );
        assert_eq!(
            Lattice::for_laplace_scale(&rational(3, 2))
                .unwrap()
                .exponent(),
            -20
        );
        assert_eq!(
            Lattice::for_laplace_scale(&rational(2, 1))
                .unwrap()
                .exponent(),
            -19
        );
        assert_eq!(
            Lattice::for_laplace_scale(&rational(1_048_575, 1_048_576))
                .unwrap()
                .exponent(),
            -21
        );
        assert_eq!(
            Lattice::for_laplace_scale(&rational(1 << 40, 1))
                .unwrap()
                .exponent(),
            20
        );
        assert_eq!(
            Lattice::for_laplace_scale(&rational((1 << 40) - 1, 1))
                .unwrap()
                .exponent(),
            19
        );
        // σ = 1: 2^(2k+40) ≤ 1 ⇒ k = −20; σ² = 4 (σ = 2): k = −19; σ² = 3.99: k = −20.
        assert_eq!(
            Lattice::for_gaussian_sigma_squared(&rational(1, 1))
                .unwrap()
                .exponent(),
            -20
        );
        assert_eq!(
            Lattice::for_gaussian_sigma_squared(&rational(4, 1))
                .unwrap()
                .exponent(),
            -19
        );
        assert_eq!(
            Lattice::for_gaussian_sigma_squared(&rational(399, 100))
                .unwrap()
                .exponent(),
            -20
        );
        assert!(Lattice::for_laplace_scale(&rational(0, 1)).is_err());
    }

    #[test]
    fn inflated_sensitivity_adds_the_spacing_exactly() {
        let lattice = Lattice::from_exponent(-3).unwrap();
        let inflated = lattice.inflated_sensitivity(&rational(5, 2)).unwrap();
        assert_eq!(inflated.numerator() * 8, inflated.denominator() * 21); // 5/2 + 1/8 = 21/8
        let lattice = Lattice::from_exponent(4).unwrap();
        let inflated = lattice.inflated_sensitivity(&rational(3, 1)).unwrap();
        assert_eq!(inflated.numerator(), 19 * inflated.denominator());
        assert!(matches!(
            Lattice::from_exponent(100)
                .unwrap()
                .inflated_sensitivity(&rational(1, u128::MAX)),
            Err(crate::Error::Overflow(_))
        ));
    }

    #[test]
    fn noisy_outputs_land_exactly_on_the_lattice() {
        let mut rng = insecure_seeded_rng_for_tests(11);
        for &(scale_num, scale_den) in &[
            (1u128, 1u128),
            (20, 1),
            (1, 1000),
            (7, 3),
            (1_000_000_000_000, 1),
        ] {
            let scale = rational(scale_num, scale_den);
            let lattice = Lattice::for_laplace_scale(&scale).unwrap();
            let spacing = power_of_two_f64(lattice.exponent());
            for &value in &[0.0, 0.1, -3.7, 12345.678, 1e-9, -1e6] {
                let noisy = lattice
                    .add_discrete_laplace_noise(&mut rng, value, &scale)
                    .unwrap();
                assert_eq!(
                    (noisy / spacing).fract(),
                    0.0,
                    "{noisy} not on lattice 2^{}",
                    lattice.exponent()
                );
                let noisy = lattice
                    .add_discrete_gaussian_noise(&mut rng, value, &scale)
                    .unwrap();
                assert_eq!(
                    (noisy / spacing).fract(),
                    0.0,
                    "{noisy} not on lattice 2^{}",
                    lattice.exponent()
                );
            }
        }
    }

    /// Parameters whose value in lattice units fits u128/u128 once the power of two cancels against a
    /// power of two of the numerator or denominator must not be reported as Overflow (the doc promises
    /// Err(Overflow) only when the value in lattice units leaves u128/u128).
    #[test]
    fn parameters_in_lattice_units_cancel_powers_of_two_before_overflowing() {
        let mut rng = insecure_seeded_rng_for_tests(12);
        // scale (2^100 − 1)/2^127 on 2^−48: (2^100 − 1)·2^48/2^127 = (2^100 − 1)/2^79, but the
        // numerator (2^100 − 1)·2^48 alone does not fit u128.
        let scale = rational((1 << 100) - 1, 1 << 127);
        let lattice = Lattice::from_exponent(-48).unwrap();
        assert_eq!(
            lattice.in_lattice_units(&scale, 1, "noise scale").unwrap(),
            rational((1 << 100) - 1, 1 << 79)
        );
        assert!(lattice
            .add_discrete_laplace_noise(&mut rng, 1.0, &scale)
            .is_ok());
        // σ² 2^125/(2^127 − 1) on 2^10: 2^105/(2^127 − 1) in lattice units (4^10 cancels), although
        // (2^127 − 1)·4^10 does not fit u128.
        let sigma_squared = rational(1 << 125, (1 << 127) - 1);
        let lattice = Lattice::from_exponent(10).unwrap();
        assert_eq!(
            lattice
                .in_lattice_units(&sigma_squared, 2, "sigma_squared")
                .unwrap(),
            rational(1 << 105, (1 << 127) - 1)
        );
        assert!(lattice
            .add_discrete_gaussian_noise(&mut rng, 1024.0, &sigma_squared)
            .is_ok());
        // Wherever the direct product fits, the result is that product, reduced.
        for _ in 0..10_000 {
            let n = u128::from(rng.next_u64()) << (rng.next_u32() % 64);
            let d = (u128::from(rng.next_u64()) << (rng.next_u32() % 64)).max(1);
            let exponent = (rng.next_u32() % 255) as i32 - 127;
            let power_of_two = 1 + rng.next_u32() % 2;
            let lattice = Lattice::from_exponent(exponent).unwrap();
            let shift = exponent.unsigned_abs() * power_of_two;
            let direct = if shift >= 128 {
                None
            } else if exponent >= 0 {
                d.checked_mul(1 << shift).map(|den| rational(n, den))
            } else {
                n.checked_mul(1 << shift).map(|num| rational(num, d))
            };
            if let Some(expected) = direct {
                assert_eq!(
                    lattice.in_lattice_units(&rational(n, d), power_of_two, "x"),
                    Ok(expected),
                    "{n}/{d} on 2^{exponent}, power {power_of_two}"
                );
            }
        }
        // Genuinely out of range stays Err(Overflow), naming the setting.
        let message = Lattice::from_exponent(-100)
            .unwrap()
            .in_lattice_units(&rational(u128::MAX, 3), 2, "sigma_squared")
            .unwrap_err()
            .to_string();
        assert!(message.contains("sigma_squared"), "{message}");
    }

    #[test]
    fn rounding_is_to_the_nearest_point_and_errors_name_the_value() {
        let lattice = Lattice::from_exponent(-2).unwrap();
        assert_eq!(lattice.round_to_lattice(0.3).unwrap(), 1); // 0.3 / 0.25 = 1.2
        assert_eq!(lattice.round_to_lattice(-0.4).unwrap(), -2); // −1.6
        assert_eq!(lattice.lattice_point_to_f64(-6).unwrap(), -1.5);
        let message = lattice.round_to_lattice(f64::NAN).unwrap_err().to_string();
        assert!(message.contains("NaN"), "{message}");
        assert!(matches!(
            lattice.round_to_lattice(1e300),
            Err(crate::Error::Overflow(_))
        ));
        assert!(matches!(
            lattice.lattice_point_to_f64((1 << 53) + 1),
            Err(crate::Error::Overflow(_))
        ));
    }
}
