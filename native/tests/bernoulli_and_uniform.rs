//! Frequency tests of the exact Bernoulli samplers and uniformity of the bounded integer draws.
//!
//! Each check has significance α = 1e-5 / 64 (Bonferroni over the whole statistical suite, see
//! `common/mod.rs`). Seeded by default (replay with `SPARKDP_TEST_SEED=<seed>`).
mod common;

use common::*;
use sparkdp::privacy::Rational;
use sparkdp::sample::{
    sample_bernoulli_exp_minus, sample_bernoulli_rational, uniform_below_u128, uniform_below_u64,
    uniform_rational_below_one,
};

/// Bernoulli(exp(−x)) for 9 values of x: 9 checks. Fractions near 1 matter: an error in the K-loop of
/// CKS20 Algorithm 1 is of order γ³, invisible at γ = 1/10 but large at γ = 999/1000. x > 1 exercises the
/// ⌊x⌋ loop; the last two use u128 arithmetic (x = 1 + 2^−127 and x = 2 − 2^−127).
#[test]
fn bernoulli_exp_minus_frequencies() {
    let cases: [(u128, u128); 9] = [
        (1, 10),
        (7, 10),
        (999, 1000),
        (1, 1),
        (7, 3),
        (17, 3),
        (5, 1),
        ((1 << 127) + 1, 1 << 127),
        (u128::MAX, 1 << 127),
    ];
    for (i, (num, den)) in cases.into_iter().enumerate() {
        let seed = run_seed(301 + i as u64);
        let mut rng = seeded_rng(seed);
        let x = Rational::new(num, den).unwrap();
        let successes = (0..DRAWS)
            .filter(|_| sample_bernoulli_exp_minus(&mut rng, &x).unwrap())
            .count() as u64;
        let p0 = (-(num as f64 / den as f64)).exp();
        assert_frequency(
            &format!("Bernoulli(exp(-{num}/{den}))"),
            seed,
            DRAWS,
            successes,
            p0,
        );
    }
}

/// Bernoulli(p) for p in {1/3, 999/1000, (2^127 − 1)/(2^128 − 1)}: 3 checks.
#[test]
fn bernoulli_rational_frequencies() {
    let cases: [(u128, u128); 3] = [(1, 3), (999, 1000), ((1 << 127) - 1, u128::MAX)];
    for (i, (num, den)) in cases.into_iter().enumerate() {
        let seed = run_seed(311 + i as u64);
        let mut rng = seeded_rng(seed);
        let p = Rational::new(num, den).unwrap();
        let successes = (0..DRAWS)
            .filter(|_| sample_bernoulli_rational(&mut rng, &p).unwrap())
            .count() as u64;
        assert_frequency(
            &format!("Bernoulli({num}/{den})"),
            seed,
            DRAWS,
            successes,
            num as f64 / den as f64,
        );
    }
}

/// Chi-square uniformity of `buckets` equally likely outcomes.
fn assert_uniform(label: &str, seed: u64, counts: &[u64]) {
    let n: u64 = counts.iter().sum();
    let expected = n as f64 / counts.len() as f64;
    let statistic: f64 = counts
        .iter()
        .map(|&o| (o as f64 - expected).powi(2) / expected)
        .sum();
    let p_value = chi_square_p_value(statistic, counts.len() - 1);
    assert!(
        p_value >= ALPHA_PER_CHECK,
        "{label}: uniformity failed (seed {seed}, replay with SPARKDP_TEST_SEED={seed}): n = {n}, counts {counts:?}, \
         expected {expected:.1} each, χ² = {statistic:.1}, p = {p_value:.3e}"
    );
}

/// Bounded draws are unbiased: below 10; below 3·2^62 (top part, where modulo bias would show as
/// 2:1:1-ish skew); below 3·2^100 (u128 path). 3 checks.
#[test]
fn bounded_draws_are_uniform() {
    let seed = run_seed(321);
    let mut rng = seeded_rng(seed);
    let mut counts = vec![0u64; 10];
    for _ in 0..DRAWS {
        counts[uniform_below_u64(&mut rng, 10).unwrap() as usize] += 1;
    }
    assert_uniform("uniform below 10", seed, &counts);
    let mut counts = vec![0u64; 3];
    for _ in 0..DRAWS {
        counts[(uniform_below_u64(&mut rng, 3 << 62).unwrap() >> 62) as usize] += 1;
    }
    assert_uniform("uniform below 3·2^62", seed, &counts);
    let mut counts = vec![0u64; 3];
    for _ in 0..DRAWS {
        counts[(uniform_below_u128(&mut rng, 3 << 100).unwrap() >> 100) as usize] += 1;
    }
    assert_uniform("uniform below 3·2^100", seed, &counts);
}

/// Lemire's rejection step is there and exact, on each of the three word widths (16-bit draws from the
/// cached word for n ≤ 2^16, 32-bit for n ≤ 2^32, 64-bit above): 3 checks.
///
/// With n = 3·2^(w−2), 2^w/n = 4/3, so ⌊x·n/2^w⌋ without rejection gives every m ≡ 0 (mod 3) two preimages
/// and the others one: residues 1/2, 1/4, 1/4 instead of 1/3 each (m ≡ 0 is where the w-bit low half
/// falls below 2^w mod n). Comparing with `>` instead of `>=` against the threshold drops m ≡ 2 entirely.
/// Neither bug shows in `bounded_draws_are_uniform`: bias of order n/2^w is invisible for n = 10, and the
/// doubled outputs are spread evenly over the top-bit buckets of 3·2^62.
#[test]
fn bounded_draws_have_no_multiply_shift_bias() {
    let seed = run_seed(322);
    let mut rng = seeded_rng(seed);
    for width in [16u32, 32, 64] {
        let n = 3u64 << (width - 2);
        let mut counts = vec![0u64; 3];
        for _ in 0..DRAWS {
            counts[(uniform_below_u64(&mut rng, n).unwrap() % 3) as usize] += 1;
        }
        assert_uniform(
            &format!("uniform below 3·2^{} (residues mod 3)", width - 2),
            seed,
            &counts,
        );
    }
}

/// Uniform rationals at denominator 12 hit each k/12 equally often (chi-square over the 12 numerators
/// after un-reducing), and at denominator 3·2^100 each third of [0, 1) equally often: 2 checks.
#[test]
fn uniform_rationals_are_uniform() {
    let seed = run_seed(323);
    let mut rng = seeded_rng(seed);
    let mut counts = vec![0u64; 12];
    for _ in 0..DRAWS {
        let value = uniform_rational_below_one(&mut rng, 12).unwrap();
        counts[(value.numerator() * (12 / value.denominator())) as usize] += 1;
    }
    assert_uniform("uniform rational at denominator 12", seed, &counts);
    let mut counts = vec![0u64; 3];
    let third = Rational::new(1, 3).unwrap();
    let two_thirds = Rational::new(2, 3).unwrap();
    for _ in 0..DRAWS {
        let value = uniform_rational_below_one(&mut rng, 3 << 100).unwrap();
        counts[usize::from(value >= third) + usize::from(value >= two_thirds)] += 1;
    }
    assert_uniform(
        "uniform rational at denominator 3·2^100 (thirds)",
        seed,
        &counts,
    );
}

/// The reference tail functions are right (else the suite could pass anything): textbook values.
#[test]
fn reference_tail_functions_match_tables() {
    let close = |a: f64, b: f64| (a - b).abs() <= 1e-6 * b;
    assert!(close(chi_square_p_value(3.841_458_820_694_124, 1), 0.05));
    assert!(close(chi_square_p_value(18.307_038_053_275_146, 10), 0.05));
    assert!(close(chi_square_p_value(124.342_113_404_787_49, 100), 0.05));
    assert!(close(two_sided_normal_p_value(1.959_963_984_540_054), 0.05));
    assert!(close(
        two_sided_normal_p_value(5.0),
        5.733_031_437_583_878e-7
    ));
    assert!(close(chi_square_p_value(10.0, 2), (-5.0f64).exp()));
}
