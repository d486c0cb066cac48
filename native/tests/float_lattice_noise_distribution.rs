//! The float-lattice noise at the scale the privacy calibration intends: the integer noise
//! `output / 2^k − round(input / 2^k)` drawn by `sample::add_float_noise` from the spec of
//! `privacy::calibration::float_noise` is checked against the distribution whose parameter is derived
//! here by hand from the budget and the rounding-inflated sensitivity.
//!
//! Each check has significance α = 1e-5 / 64 (Bonferroni over the whole statistical suite, see
//! `common/mod.rs`). Seeded by default (replay with `SPARKDP_TEST_SEED=<seed>`).
mod common;

use common::*;
use sparkdp::privacy::calibration::{float_noise, Mechanism};
use sparkdp::privacy::sensitivity::Sensitivities;
use sparkdp::privacy::text::parse_budget;
use sparkdp::privacy::{FloatNoiseSpec, Rational};
use sparkdp::sample::add_float_noise;

/// The integer noise of `DRAWS` releases of `value` (not on the lattice, so the rounding is exercised),
/// asserting each output lies on the lattice.
fn lattice_noise(seed: u64, spec: &FloatNoiseSpec, value: f64) -> Vec<i64> {
    let mut rng = seeded_rng(seed);
    let spacing = 2f64.powi(spec.lattice_exponent());
    let rounded = (value / spacing).round();
    (0..DRAWS)
        .map(|_| {
            let noisy = add_float_noise(&mut rng, value, spec).expect("float noise");
            let units = noisy / spacing;
            assert_eq!(units.fract(), 0.0, "{noisy} is off the lattice");
            (units - rounded) as i64
        })
        .collect()
}

fn spec(budget: &str) -> FloatNoiseSpec {
    let sensitivities = Sensitivities {
        l1: Rational::from_integer(1),
        l2_squared: Rational::from_integer(1),
    };
    float_noise(
        &parse_budget(budget).expect("budget"),
        &sensitivities,
        1,
        Mechanism::Default,
    )
    .expect("spec")
}

/// ε = 1, Δ₁ = 1: k = −20 and the scale in lattice units is (1 + 2^−20)·2^20 = 2^20 + 1.
/// Quantile-binned chi-square, mean and variance: 3 checks.
#[test]
fn float_laplace_noise_has_the_inflated_scale() {
    let seed = run_seed(401);
    let spec = spec("pure:1");
    assert_eq!(spec.lattice_exponent(), -20);
    let scale = 1_048_577.0;
    let samples = lattice_noise(seed, &spec, 0.1);
    let label = "float Laplace noise, scale 2^20 + 1 lattice units";
    assert_discrete_laplace_quantile_fit(label, seed, &samples, scale);
}

/// ρ = 1/2, Δ₂ = 1: k = −20 and σ² in lattice units is (1 + 2^−20)²·4^20 = (2^20 + 1)²; the variance
/// is σ² (not σ). Quantile-binned chi-square, mean and variance: 3 checks.
#[test]
fn float_gaussian_noise_has_the_inflated_variance() {
    let seed = run_seed(402);
    let spec = spec("zcdp:1/2");
    assert_eq!(spec.lattice_exponent(), -20);
    let sigma = 1_048_577.0;
    let samples = lattice_noise(seed, &spec, -3.7);
    let label = "float Gaussian noise, sigma 2^20 + 1 lattice units";
    assert_discrete_gaussian_quantile_fit(label, seed, &samples, sigma);
}
