//! The ln bound against known values, and get_groups' threshold against Tumult's exact rule (computed in
//! f64 here, in the test only).
use super::*;
use crate::privacy::ExtRational;

fn q(num: u128, den: u128) -> Rational {
    Rational::new(num, den).unwrap()
}

#[test]
fn ln_bounds_are_above_and_close() {
    for (x, ln) in [
        (q(1, 1), 0.0f64),
        (q(2, 1), std::f64::consts::LN_2),
        (q(3, 1), 3f64.ln()),
        (q(10, 1), 10f64.ln()),
        (q(100_000, 1), 100_000f64.ln()),
        (q(7, 4), 1.75f64.ln()),
        (q(u128::MAX, 1), 128.0 * std::f64::consts::LN_2),
        (q(u128::MAX, u128::MAX - 1), 0.0),
    ] {
        let bound = ln_round_up(&x).unwrap() as f64 / 2f64.powi(64);
        assert!(
            bound >= ln - 1e-15 && bound <= ln + 1e-12,
            "{x}: {bound} vs {ln}"
        );
    }
    // Exactly above ln 2 = 0.693147180559945309417232…: 2^64·ln 2 = 12786308645202655659.79.
    assert!(ln_round_up(&q(2, 1)).unwrap() >= LN2_UP);
    assert!(ln_round_up(&q(2, 1)).unwrap() <= LN2_UP + 64);
}

/// Tumult's τ: the smallest τ with P(Z > τ − 2) ≤ δ/(d·e^(d/α)), P(Z > m) = p^(m+1)/(1+p), p = e^(−1/α).
fn tumult_tau(alpha: f64, d: f64, delta: f64) -> i64 {
    let p = (-1.0 / alpha).exp();
    let target = delta / (d * (d / alpha).exp());
    let mut m = 0i64;
    while p.powi((m + 1) as i32) / (1.0 + p) > target {
        m += 1;
    }
    m + 2
}

#[test]
fn thresholds_are_tumults_or_at_most_two_above() {
    for (epsilon, delta, d) in [
        (q(1, 1), q(1, 100_000), 1u128),
        (q(1, 10), q(1, 1_000_000), 1),
        (q(2, 1), q(1, 1000), 3),
        (q(1, 2), q(1, 10), 6),
        (q(5, 1), q(1, 1_000_000_000), 1),
        (q(1, 100), q(1, 1_000_000), 20),
    ] {
        let budget = Budget::ApproxDP {
            epsilon: ExtRational::Finite(epsilon),
            delta: ExtRational::Finite(delta),
        };
        let d_rational = Rational::from_integer(d);
        let scale = d_rational.checked_div(&epsilon).unwrap();
        let ours = partition_threshold(&budget, &scale, &d_rational).unwrap() + 1;
        let tumult = tumult_tau(
            scale.to_f64_round_down(),
            d as f64,
            delta.to_f64_round_down(),
        );
        assert!(
            ours >= tumult && ours <= tumult + 2,
            "ε={epsilon} δ={delta} d={d}: ours {ours}, Tumult's {tumult}"
        );
    }
}

#[test]
fn the_threshold_keeps_delta_at_most_the_budget() {
    // P(Z ≥ τ − 1) = p^(τ−1)/(1+p) ≤ δ/(d·e^ε), checked in f64 with margin for ε = 1, δ = 1e−6, d = 1.
    let budget = Budget::ApproxDP {
        epsilon: ExtRational::from_integer(1),
        delta: ExtRational::Finite(q(1, 1_000_000)),
    };
    let tau = partition_threshold(&budget, &Rational::one(), &Rational::one()).unwrap() + 1;
    let p = (-1f64).exp();
    let spent = p.powi((tau - 1) as i32) / (1.0 + p);
    assert!(spent <= 1e-6 / 1f64.exp(), "τ = {tau}: δ spent {spent}");
    // One less would spend too much (the bound is tight to within the slack).
    assert!(p.powi((tau - 4) as i32) / (1.0 + p) > 1e-6 / 1f64.exp());
}

/// Statistical check with the real sampler: a new group (true count 1) is released when 1 + Z ≥ τ, i.e.
/// Z ≥ τ − 1. For ε = 1/2, δ = 1/10, d = 1 (α = 2): the empirical release frequency over 200 000 draws
/// must match p^(τ−1)/(1+p) within 5 standard errors (two-sided, significance < 1e-6) and stay below
/// Tumult's per-unit δ' = δ/(d·e^ε) by more than 5 standard errors.
#[test]
fn new_groups_are_released_with_at_most_the_planned_delta() {
    use crate::sample::discrete_laplace::sample_discrete_laplace;
    use crate::sample::rng::insecure_seeded_rng_for_tests;
    let budget = Budget::ApproxDP {
        epsilon: ExtRational::Finite(q(1, 2)),
        delta: ExtRational::Finite(q(1, 10)),
    };
    let scale = Rational::from_integer(2);
    let tau = partition_threshold(&budget, &scale, &Rational::one()).unwrap() + 1;
    let p = (-0.5f64).exp();
    let exact = p.powi((tau - 1) as i32) / (1.0 + p);
    let delta_per_unit = 0.1 / 0.5f64.exp();
    let draws = 200_000u32;
    let mut rng = insecure_seeded_rng_for_tests(9);
    let released = (0..draws)
        .filter(|_| sample_discrete_laplace(&mut rng, &scale).unwrap() >= tau - 1)
        .count() as f64;
    let frequency = released / f64::from(draws);
    let standard_error = (exact * (1.0 - exact) / f64::from(draws)).sqrt();
    assert!(
        (frequency - exact).abs() < 5.0 * standard_error,
        "τ = {tau}: frequency {frequency}, exact {exact}"
    );
    assert!(
        frequency + 5.0 * standard_error < delta_per_unit,
        "τ = {tau}: frequency {frequency} is not below δ' = {delta_per_unit}"
    );
}
