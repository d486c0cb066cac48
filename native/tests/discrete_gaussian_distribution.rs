//! Goodness of fit and moments of the exact discrete Gaussian sampler.
//!
//! Each check has significance α = 1e-5 / 64 (Bonferroni over the whole statistical suite, see
//! `common/mod.rs`), so a correct sampler fails some check of the suite with probability at most 1e-5.
//! Seeded by default (replay with `SPARKDP_TEST_SEED=<seed>`, unseeded with `SPARKDP_TEST_SEED=random`).
mod common;

use common::*;
use sparkdp::privacy::Rational;
use sparkdp::sample::DiscreteGaussian;

fn draw(seed: u64, sigma_squared: &Rational, n: usize) -> Vec<i64> {
    let mut rng = seeded_rng(seed);
    let sampler = DiscreteGaussian::new(sigma_squared).expect("sigma_squared");
    (0..n)
        .map(|_| sampler.sample(&mut rng).expect("discrete Gaussian sample"))
        .collect()
}

/// Chi-square fit, mean and variance (moments of the tabulated reference): 3 checks.
fn check_sigma(label: &str, seed: u64, sigma_squared: Rational, sigma: f64) {
    let samples = draw(seed, &sigma_squared, DRAWS);
    let reference = ReferencePmf::discrete_gaussian(sigma);
    assert_fits(label, seed, &samples, &reference);
    let variance = reference.moment_about(0.0, 2);
    assert_moments(
        label,
        seed,
        &samples,
        0.0,
        variance,
        reference.moment_about(0.0, 4),
    );
}

#[test]
fn discrete_gaussian_sigma_one_half() {
    check_sigma(
        "discrete Gaussian sigma 1/2",
        run_seed(201),
        Rational::new(1, 4).unwrap(),
        0.5,
    );
}

#[test]
fn discrete_gaussian_sigma_1() {
    check_sigma(
        "discrete Gaussian sigma 1",
        run_seed(202),
        Rational::from_integer(1),
        1.0,
    );
}

#[test]
fn discrete_gaussian_sigma_20() {
    check_sigma(
        "discrete Gaussian sigma 20",
        run_seed(203),
        Rational::from_integer(400),
        20.0,
    );
}

#[test]
fn discrete_gaussian_sigma_1000() {
    check_sigma(
        "discrete Gaussian sigma 1000",
        run_seed(204),
        Rational::from_integer(1_000_000),
        1000.0,
    );
}

/// σ = 10^6: quantile-binned chi-square, mean and variance (3 checks). For σ ≥ 2 the discrete Gaussian's variance and fourth moment
/// equal σ² and 3σ⁴ to far below f64 resolution (Poisson summation: relative error ~ e^{−2π²σ²}).
#[test]
fn discrete_gaussian_sigma_1e6() {
    let seed = run_seed(205);
    let samples = draw(seed, &Rational::from_integer(1_000_000_000_000), DRAWS);
    assert_discrete_gaussian_quantile_fit("discrete Gaussian sigma 1e6", seed, &samples, 1e6);
}

/// σ² = (400·2^100 + 1)/2^100 (σ = 20 to far below f64 resolution) drives the acceptance test through
/// 512-bit arithmetic. 1 check.
#[test]
fn discrete_gaussian_wide_path_sigma_20() {
    let seed = run_seed(206);
    let sigma_squared = Rational::new(400 * (1 << 100) + 1, 1 << 100).unwrap();
    let samples = draw(seed, &sigma_squared, DRAWS);
    assert_fits(
        "discrete Gaussian sigma 20 (wide path)",
        seed,
        &samples,
        &ReferencePmf::discrete_gaussian(20.0),
    );
}

/// σ ≈ 10^9 with a u128 denominator near 2^68: quantile-binned chi-square, mean and variance (3 checks),
/// through the 512-bit path.
#[test]
fn discrete_gaussian_sigma_1e9_with_u128_denominator() {
    let seed = run_seed(207);
    let denominator = u128::MAX / 1_000_000_000_000_000_000;
    let sigma_squared = Rational::new(u128::MAX, denominator).unwrap();
    let variance = u128::MAX as f64 / denominator as f64;
    let samples = draw(seed, &sigma_squared, DRAWS);
    assert_discrete_gaussian_quantile_fit(
        "discrete Gaussian sigma 1e9 (u128 denominator)",
        seed,
        &samples,
        variance.sqrt(),
    );
}

/// The checks can fail: samples at σ = 10 are rejected as σ = 20 (the "break it once" check, kept).
#[test]
fn goodness_of_fit_rejects_half_the_sigma() {
    let seed = run_seed(208);
    let samples = draw(seed, &Rational::from_integer(100), DRAWS);
    let fit = std::panic::catch_unwind(|| {
        assert_fits(
            "half sigma",
            seed,
            &samples,
            &ReferencePmf::discrete_gaussian(20.0),
        );
    });
    assert!(
        fit.is_err(),
        "chi-square accepted sigma 10 samples as sigma 20"
    );
}
