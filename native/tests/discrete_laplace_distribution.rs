//! Goodness of fit and moments of the exact discrete Laplace sampler.
//!
//! Each check has significance α = 1e-5 / 64 (Bonferroni over the whole statistical suite, see
//! `common/mod.rs`), so a correct sampler fails some check of the suite with probability at most 1e-5.
//! Seeded by default (replay with `SPARKDP_TEST_SEED=<seed>`, unseeded with `SPARKDP_TEST_SEED=random`).
mod common;

use common::*;
use sparkdp::privacy::Rational;
use sparkdp::sample::DiscreteLaplace;

fn draw(seed: u64, scale: &Rational, n: usize) -> Vec<i64> {
    let mut rng = seeded_rng(seed);
    let sampler = DiscreteLaplace::new(scale);
    (0..n)
        .map(|_| sampler.sample(&mut rng).expect("discrete Laplace sample"))
        .collect()
}

/// Chi-square fit, mean and variance at one scale: 3 checks.
fn check_scale(label: &str, seed: u64, scale: Rational, scale_f64: f64) {
    let samples = draw(seed, &scale, DRAWS);
    assert_fits(
        label,
        seed,
        &samples,
        &ReferencePmf::discrete_laplace(scale_f64),
    );
    let (variance, fourth) = discrete_laplace_moments(scale_f64);
    assert_moments(label, seed, &samples, 0.0, variance, fourth);
}

#[test]
fn discrete_laplace_scale_one_half() {
    check_scale(
        "discrete Laplace scale 1/2",
        run_seed(101),
        Rational::new(1, 2).unwrap(),
        0.5,
    );
}

#[test]
fn discrete_laplace_scale_1() {
    check_scale(
        "discrete Laplace scale 1",
        run_seed(102),
        Rational::from_integer(1),
        1.0,
    );
}

#[test]
fn discrete_laplace_scale_20() {
    check_scale(
        "discrete Laplace scale 20",
        run_seed(103),
        Rational::from_integer(20),
        20.0,
    );
}

#[test]
fn discrete_laplace_scale_1000() {
    check_scale(
        "discrete Laplace scale 1000",
        run_seed(104),
        Rational::from_integer(1000),
        1000.0,
    );
}

/// Scale (20·2^100 + 1)/2^100 = 20 + 2^−100 in lowest terms takes the u128 ("wide") path; its
/// distribution is scale 20's to far below f64 resolution. 1 check.
#[test]
fn discrete_laplace_wide_path_scale_20() {
    let seed = run_seed(105);
    let scale = Rational::new(20 * (1 << 100) + 1, 1 << 100).unwrap();
    let samples = draw(seed, &scale, DRAWS);
    assert_fits(
        "discrete Laplace scale 20 + 2^-100 (wide path)",
        seed,
        &samples,
        &ReferencePmf::discrete_laplace(20.0),
    );
}

/// Scale 10^6: quantile-binned chi-square, mean and variance (3 checks).
#[test]
fn discrete_laplace_scale_1e6() {
    let seed = run_seed(108);
    let scale_f64 = 1e6;
    let samples = draw(seed, &Rational::from_integer(1_000_000), DRAWS);
    assert_discrete_laplace_quantile_fit("discrete Laplace scale 1e6", seed, &samples, scale_f64);
}

/// Scale ≈ 10^12 with a denominator near 2^88: quantile-binned chi-square, mean and variance (3 checks).
#[test]
fn discrete_laplace_scale_1e12_with_u128_denominator() {
    let seed = run_seed(106);
    let denominator = u128::MAX / 1_000_000_000_000;
    let scale = Rational::new(u128::MAX, denominator).unwrap();
    let scale_f64 = u128::MAX as f64 / denominator as f64;
    let samples = draw(seed, &scale, DRAWS);
    assert_discrete_laplace_quantile_fit(
        "discrete Laplace scale 1e12 (u128 denominator)",
        seed,
        &samples,
        scale_f64,
    );
}

/// The tests above can fail: a sampler at half the intended scale is rejected by the same checks
/// (this is the "break it once and watch it go red" check, kept as a test).
#[test]
fn goodness_of_fit_rejects_half_the_scale() {
    let seed = run_seed(107);
    let samples = draw(seed, &Rational::from_integer(10), DRAWS);
    let fit = std::panic::catch_unwind(|| {
        assert_fits(
            "half scale",
            seed,
            &samples,
            &ReferencePmf::discrete_laplace(20.0),
        );
    });
    assert!(
        fit.is_err(),
        "chi-square accepted scale 10 samples as scale 20"
    );
    let (variance, fourth) = discrete_laplace_moments(20.0);
    let moments = std::panic::catch_unwind(|| {
        assert_moments("half scale", seed, &samples, 0.0, variance, fourth)
    });
    assert!(
        moments.is_err(),
        "variance check accepted scale 10 samples as scale 20"
    );
}

/// The quantile-binned chi-square can fail: samples at scale 1.05·10^6 are rejected as scale 10^6.
#[test]
fn quantile_goodness_of_fit_rejects_five_percent_more_scale() {
    let seed = run_seed(109);
    let samples = draw(seed, &Rational::from_integer(1_050_000), DRAWS);
    let fit = std::panic::catch_unwind(|| {
        assert_fits_cdf(
            "scale 1.05e6 as 1e6",
            seed,
            &samples,
            |x| discrete_laplace_cdf(1e6, x),
            60_000_000,
            QUANTILE_BINS,
        );
    });
    assert!(
        fit.is_err(),
        "quantile chi-square accepted scale 1.05e6 samples as scale 1e6"
    );
}
