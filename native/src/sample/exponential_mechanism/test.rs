use super::*;
use crate::sample::rng::insecure_seeded_rng_for_tests;

fn rational(n: u128, d: u128) -> Rational {
    Rational::new(n, d).unwrap()
}

const HALF: u128 = 1 << 31;
const DENOMINATOR: u128 = 1 << 32;

/// The closed form: P(p) ∝ exp(−t·|rank(p) − q·n|) over [lower, upper], in f64 (reference only).
fn closed_form(cell: &QuantileCell, lower: i64, upper: i64, q: f64, t: f64) -> Vec<f64> {
    let n = cell.total() as f64;
    let weights: Vec<f64> = (lower..=upper)
        .map(|p| (-t * (cell.rank(p) as f64 - q * n).abs()).exp())
        .collect();
    let sum: f64 = weights.iter().sum();
    weights.into_iter().map(|w| w / sum).collect()
}

/// Pearson's chi-square statistic of `draws` (indices lower..=upper) against `expected` probabilities.
fn chi_square(draws: &[i64], lower: i64, expected: &[f64]) -> f64 {
    let mut observed = vec![0u64; expected.len()];
    for &draw in draws {
        observed[(draw - lower) as usize] += 1;
    }
    let n = draws.len() as f64;
    observed
        .iter()
        .zip(expected)
        .map(|(&o, &p)| (o as f64 - n * p).powi(2) / (n * p))
        .sum()
}

/// The 0.999 quantile of chi-square with 6 degrees of freedom: the test fails with probability 0.001
/// when the sampler is exact (fixed seed: deterministic).
const CHI_SQUARE_6_DF_ALPHA_0_001: f64 = 22.458;
const SAMPLES: usize = 200_000;

fn draws(
    cell: &QuantileCell,
    lower: i64,
    upper: i64,
    q: &Rational,
    t: &ExtRational,
    seed: u64,
) -> Vec<i64> {
    let mut rng = insecure_seeded_rng_for_tests(seed);
    (0..SAMPLES)
        .map(|_| sample_quantile_index(&mut rng, cell, lower, upper, q, t).unwrap())
        .collect()
}

#[test]
fn draws_follow_the_exponential_mechanism_exactly() {
    // 7 lattice points (6 degrees of freedom), ranks 0,2,2,3,6,6,6 with a gap, the median of n = 6.
    let cell = QuantileCell::new(&[(0, 2), (2, 1), (3, 3)]).unwrap();
    for (q_num, q, t_num, t_den, seed) in [
        (HALF, 0.5, 7u128, 10u128, 1u64),
        // q ≈ 0.3 at denominator 2^32 and a rate of 1.5.
        (1_288_490_189, 1_288_490_189.0 / 4_294_967_296.0, 3, 2, 2),
    ] {
        let q_rational = rational(q_num, DENOMINATOR);
        let t = ExtRational::Finite(rational(t_num, t_den));
        let samples = draws(&cell, -1, 5, &q_rational, &t, seed);
        // Reference rate: multiply by 1.2 here to see the test go red (done once: statistic 4491 for the first case, red).
        let reference_rate = t_num as f64 / t_den as f64;
        let expected = closed_form(&cell, -1, 5, q, reference_rate);
        let statistic = chi_square(&samples, -1, &expected);
        assert!(
            statistic < CHI_SQUARE_6_DF_ALPHA_0_001,
            "chi-square {statistic} for q {q}, t {reference_rate}"
        );
    }
}

#[test]
fn an_empty_cell_or_a_zero_rate_is_uniform() {
    let empty = QuantileCell::new(&[]).unwrap();
    let q = rational(HALF, DENOMINATOR);
    // Broken once on purpose (expected probability of the first point +2%): statistic 429 > 22.458, red.
    let uniform = vec![1.0 / 7.0; 7];
    let samples = draws(&empty, 10, 16, &q, &ExtRational::Finite(rational(5, 1)), 3);
    assert!(chi_square(&samples, 10, &uniform) < CHI_SQUARE_6_DF_ALPHA_0_001);
    let cell = QuantileCell::new(&[(12, 4)]).unwrap();
    let samples = draws(&cell, 10, 16, &q, &ExtRational::zero(), 4);
    assert!(chi_square(&samples, 10, &uniform) < CHI_SQUARE_6_DF_ALPHA_0_001);
    // Infinite rate on an empty cell: every point is best, the smallest wins.
    let mut rng = insecure_seeded_rng_for_tests(5);
    assert_eq!(
        sample_quantile_index(&mut rng, &empty, 10, 16, &q, &ExtRational::Infinite).unwrap(),
        10
    );
}

#[test]
fn an_infinite_rate_gives_the_smallest_best_point() {
    let mut rng = insecure_seeded_rng_for_tests(6);
    let cell = QuantileCell::new(&[(1, 1), (3, 1)]).unwrap();
    let median = rational(HALF, DENOMINATOR);
    // rank 1 on [1, 2]: D = 0 there.
    assert_eq!(
        sample_quantile_index(&mut rng, &cell, -5, 9, &median, &ExtRational::Infinite).unwrap(),
        1
    );
    // q = 0: rank 0 on [-5, 0]; q = 1: rank 2 from 3 on.
    let zero = Rational::zero();
    let one = Rational::one();
    assert_eq!(
        sample_quantile_index(&mut rng, &cell, -5, 9, &zero, &ExtRational::Infinite).unwrap(),
        -5
    );
    assert_eq!(
        sample_quantile_index(&mut rng, &cell, -5, 9, &one, &ExtRational::Infinite).unwrap(),
        3
    );
    // When a bin sits on the lower bound, the first segment starts there.
    let cell = QuantileCell::new(&[(0, 3), (4, 1)]).unwrap();
    assert_eq!(
        sample_quantile_index(&mut rng, &cell, 0, 9, &zero, &ExtRational::Infinite).unwrap(),
        0
    );
}

#[test]
fn a_fixed_stream_gives_fixed_draws() {
    let cell = QuantileCell::new(&[(0, 2), (2, 1), (3, 3)]).unwrap();
    let q = rational(HALF, DENOMINATOR);
    let t = ExtRational::Finite(rational(1, 3));
    let run = |seed| {
        let mut rng = insecure_seeded_rng_for_tests(seed);
        (0..50)
            .map(|_| sample_quantile_index(&mut rng, &cell, -1, 5, &q, &t).unwrap())
            .collect::<Vec<_>>()
    };
    assert_eq!(run(7), run(7));
    assert_ne!(run(7), run(8));
}

#[test]
fn bad_inputs_and_overflow_are_errors_not_panics() {
    let mut rng = insecure_seeded_rng_for_tests(9);
    let q = rational(HALF, DENOMINATOR);
    let t = ExtRational::Finite(rational(1, 2));
    let cell = QuantileCell::new(&[(0, 1)]).unwrap();
    assert!(sample_quantile_index(&mut rng, &cell, 3, 1, &q, &t).is_err());
    assert!(sample_quantile_index(&mut rng, &cell, 1, 3, &q, &t).is_err());
    assert!(sample_quantile_index(&mut rng, &cell, -1, 3, &rational(3, 2), &t).is_err());
    assert!(QuantileCell::new(&[(2, 1), (1, 1)]).is_err());
    assert!(QuantileCell::new(&[(2, 0)]).is_err());
    // A rate whose numerator times the distance leaves u128: Err(Overflow), drawn until a point is off
    // the best one.
    let cell = QuantileCell::new(&[(0, u64::MAX), (1, u64::MAX)]).unwrap();
    let huge = ExtRational::Finite(rational(u128::MAX - 2, 3));
    let mut result = Ok(0);
    for _ in 0..64 {
        result = sample_quantile_index(&mut rng, &cell, -3, 3, &q, &huge);
        if result.is_err() {
            break;
        }
    }
    let message = result.unwrap_err().to_string();
    assert!(message.contains("does not fit"), "{message}");
}

/// Cost of one draw at the planner's largest lattice (2^20 + 1 points) with 1000 rows in 100 points and
/// t = 1/2: most points are far from the median, so rounds ≈ M / #near points. Ignored: a measurement.
#[test]
#[ignore]
fn cost_of_a_draw_on_a_wide_lattice() {
    let bins: Vec<(i64, u64)> = (0..100).map(|i| (i * 3, 10)).collect();
    let cell = QuantileCell::new(&bins).unwrap();
    let q = rational(HALF, DENOMINATOR);
    let t = ExtRational::Finite(rational(1, 2));
    let mut rng = insecure_seeded_rng_for_tests(11);
    let start = std::time::Instant::now();
    for _ in 0..20 {
        sample_quantile_index(&mut rng, &cell, -(1 << 19), 1 << 19, &q, &t).unwrap();
    }
    eprintln!("per draw: {:?}", start.elapsed() / 20);
}
