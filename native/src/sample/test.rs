//! Unit tests of the sampler module: keys and streams, bounded draws, edge cases, large parameters and
//! known answers. Distribution tests (goodness of fit) live in `native/tests/`.
use super::rng::insecure_seeded_rng_for_tests;
use super::*;
use crate::privacy::Rational;
use crate::Error;
use rand_core::RngCore;

fn rational(n: u128, d: u128) -> Rational {
    Rational::new(n, d).unwrap()
}

fn golden_key() -> SecretKey {
    SecretKey::from_bytes(&[7u8; 32]).unwrap()
}

#[test]
fn derive_is_deterministic_and_separates_labels() {
    let key = golden_key();
    assert_eq!(key.derive("noise"), key.derive("noise"));
    let labels = [
        "",
        "noise",
        "noise\0",
        "truncation",
        "truncatio",
        "truncationX",
        "n",
        "\0",
        "\0\0\0\0\0\0\0\0",
    ];
    for (i, a) in labels.iter().enumerate() {
        assert_ne!(key.derive(a), key, "derived key equals parent for {a:?}");
        for b in &labels[i + 1..] {
            assert_ne!(
                key.derive(a),
                key.derive(b),
                "labels {a:?} and {b:?} collide"
            );
        }
    }
    let other = SecretKey::from_bytes(&[8u8; 32]).unwrap();
    assert_ne!(key.derive("noise"), other.derive("noise"));
}

#[test]
fn cell_streams_are_reproducible_and_distinct() {
    let key = golden_key();
    let first = |q: u64, c: i64| key.cell_rng(q, c).next_u64();
    assert_eq!(first(3, 42), first(3, 42));
    assert_eq!(key.query_key(3).cell_rng(42).next_u64(), first(3, 42));
    assert_ne!(first(3, 42), first(3, 43));
    assert_ne!(first(3, 42), first(4, 42));
    assert_ne!(first(0, -1), first(0, 1));
    assert_ne!(first(0, 0), key.derive("noise").cell_rng(0, 0).next_u64());
}

#[test]
fn os_keys_differ() {
    assert_ne!(SecretKey::from_os().unwrap(), SecretKey::from_os().unwrap());
    assert_ne!(os_rng().unwrap().next_u64(), os_rng().unwrap().next_u64());
    assert_eq!(format!("{:?}", golden_key()), "SecretKey(<redacted>)");
    assert!(SecretKey::from_bytes(&[0u8; 31])
        .unwrap_err()
        .to_string()
        .contains("31"));
}

#[test]
fn uniform_draws_stay_in_range_and_cover_it() {
    let mut rng = insecure_seeded_rng_for_tests(1);
    for &n in &[1u64, 2, 3, 7, 1 << 32, (1 << 32) + 1, u64::MAX] {
        for _ in 0..1000 {
            assert!(uniform_below_u64(&mut rng, n).unwrap() < n);
        }
    }
    for &n in &[
        1u128,
        5,
        u128::from(u64::MAX) + 1,
        u128::MAX / 3 + 7,
        u128::MAX,
    ] {
        for _ in 0..1000 {
            assert!(uniform_below_u128(&mut rng, n).unwrap() < n);
        }
    }
    let mut seen = [0u32; 6];
    for _ in 0..6000 {
        seen[uniform_below_u64(&mut rng, 6).unwrap() as usize] += 1;
    }
    assert!(seen.iter().all(|&count| count > 850), "{seen:?}");
    assert!(uniform_below_u64(&mut rng, 0).is_err());
    assert!(uniform_below_u128(&mut rng, 0).is_err());
}

#[test]
fn bernoulli_edge_cases_are_exact() {
    let mut rng = insecure_seeded_rng_for_tests(2);
    for _ in 0..1000 {
        assert!(!sample_bernoulli_rational(&mut rng, &rational(0, 5)).unwrap());
        assert!(sample_bernoulli_rational(&mut rng, &rational(5, 5)).unwrap());
        assert!(sample_bernoulli_exp_minus(&mut rng, &rational(0, 1)).unwrap());
    }
    let message = sample_bernoulli_rational(&mut rng, &rational(6, 5))
        .unwrap_err()
        .to_string();
    assert!(message.contains("6/5"), "{message}");
    // exp(−10^30) is 0 to any precision we could see, and the loop stops at the first failure.
    assert!(!sample_bernoulli_exp_minus(&mut rng, &rational(u128::MAX, 3)).unwrap());
}

#[test]
fn zero_parameters_give_zero() {
    let mut rng = insecure_seeded_rng_for_tests(3);
    assert_eq!(
        sample_discrete_laplace(&mut rng, &rational(0, 7)).unwrap(),
        0
    );
    assert_eq!(
        sample_discrete_gaussian(&mut rng, &rational(0, 7)).unwrap(),
        0
    );
}

#[test]
fn large_parameters_sample_without_overflow() {
    let mut rng = insecure_seeded_rng_for_tests(4);
    // Laplace scale 10^12 with a huge non-reduced and a huge reduced representation.
    let scales = [
        rational(1_000_000_000_000, 1),
        rational(1_000_000_000_000 * (1 << 60), 1 << 60),
        rational(u128::MAX, u128::MAX / 1_000_000_000_000),
        rational(u128::MAX - 2, 3),
        rational(1, u128::MAX),
    ];
    for scale in &scales {
        for _ in 0..200 {
            let sample = sample_discrete_laplace(&mut rng, scale);
            let bound = scale.numerator() / scale.denominator();
            match sample {
                Ok(x) => {
                    assert!(bound > 1 << 64 || u128::from(x.unsigned_abs()) < 60 * bound.max(1))
                }
                Err(Error::Overflow(message)) => {
                    assert!(bound > 1 << 60 && message.contains("scale"))
                }
                Err(other) => panic!("unexpected {other:?}"),
            }
        }
    }
    // σ² up to 10^18 and with arbitrary u128 denominators.
    let variances = [
        rational(1_000_000_000_000_000_000, 1),
        rational(u128::MAX, u128::MAX / 1_000_000_000_000_000_000),
        rational(u128::MAX - 1, (1 << 100) + 1),
        rational(1, u128::MAX),
        rational(u128::MAX, 1),
    ];
    for sigma_squared in &variances {
        let sampler = DiscreteGaussian::new(sigma_squared).unwrap();
        let sigma = ((sigma_squared.numerator() / sigma_squared.denominator()) as f64)
            .sqrt()
            .max(1.0);
        for _ in 0..50 {
            match sampler.sample(&mut rng) {
                Ok(x) => assert!((x as f64).abs() < 10.0 * sigma, "{x} vs σ {sigma}"),
                Err(Error::Overflow(message)) => {
                    assert!(sigma > 1e18 && message.contains("sigma_squared"))
                }
                Err(other) => panic!("unexpected {other:?}"),
            }
        }
    }
}

/// Golden outputs. These are integer-only computations over the ChaCha20 keystream, so they are the same
/// on every platform and every float rounding mode; a change here changes which noise users get.
#[test]
fn known_answers() {
    let mut seeded = insecure_seeded_rng_for_tests(20261125);
    let laplace: Vec<i64> = (0..8)
        .map(|_| sample_discrete_laplace(&mut seeded, &rational(20, 1)).unwrap())
        .collect();
    let gaussian: Vec<i64> = (0..8)
        .map(|_| sample_discrete_gaussian(&mut seeded, &rational(400, 1)).unwrap())
        .collect();
    let mut keyed = golden_key().cell_rng(3, 42);
    let keyed_laplace: Vec<i64> = (0..8)
        .map(|_| sample_discrete_laplace(&mut keyed, &rational(7, 3)).unwrap())
        .collect();
    let keyed_gaussian: Vec<i64> = (0..8)
        .map(|_| sample_discrete_gaussian(&mut keyed, &rational(1_000_000_000_000, 7)).unwrap())
        .collect();
    let first_word = golden_key().derive("noise").cell_rng(0, -1).next_u64();
    eprintln!("GOLDEN GOLDEN_LAPLACE_SEEDED = {laplace:?}");
    eprintln!("GOLDEN GOLDEN_GAUSSIAN_SEEDED = {gaussian:?}");
    eprintln!("GOLDEN GOLDEN_LAPLACE_KEYED = {keyed_laplace:?}");
    eprintln!("GOLDEN GOLDEN_GAUSSIAN_KEYED = {keyed_gaussian:?}");
    eprintln!("GOLDEN GOLDEN_DERIVED_WORD = {first_word:#018x}");
    assert_eq!(laplace, GOLDEN_LAPLACE_SEEDED, "seeded discrete Laplace");
    assert_eq!(gaussian, GOLDEN_GAUSSIAN_SEEDED, "seeded discrete Gaussian");
    assert_eq!(
        keyed_laplace, GOLDEN_LAPLACE_KEYED,
        "keyed discrete Laplace"
    );
    assert_eq!(
        keyed_gaussian, GOLDEN_GAUSSIAN_KEYED,
        "keyed discrete Gaussian"
    );
    assert_eq!(first_word, GOLDEN_DERIVED_WORD, "derived key stream");
}

const GOLDEN_LAPLACE_SEEDED: [i64; 8] = [12, 6, 5, 4, 19, 2, 23, 10];
const GOLDEN_GAUSSIAN_SEEDED: [i64; 8] = [33, -11, 23, 0, -1, -1, 19, -23];
const GOLDEN_LAPLACE_KEYED: [i64; 8] = [0, 2, -1, 0, 3, 0, -1, -1];
const GOLDEN_GAUSSIAN_KEYED: [i64; 8] = [
    -546061, -116806, -186995, 297130, 457769, -339147, -349498, -352783,
];
const GOLDEN_DERIVED_WORD: u64 = 0x2cab8bcce20b6859;

/// Every value lies in [0, 1) on the grid 1/d, every grid point is reached, a large denominator takes
/// the u128 path, and d = 0 is refused naming the value.
#[test]
fn uniform_rationals_lie_on_the_grid_and_cover_it() {
    let mut rng = insecure_seeded_rng_for_tests(41);
    let mut seen = [false; 6];
    for _ in 0..1000 {
        let value = uniform_rational_below_one(&mut rng, 6).unwrap();
        assert!(value < Rational::one(), "{value}");
        assert_eq!(6 % value.denominator(), 0, "{value}");
        seen[(value.numerator() * (6 / value.denominator())) as usize] = true;
    }
    assert!(seen.iter().all(|&was_seen| was_seen), "{seen:?}");
    let denominator = u128::MAX - 2;
    let value = uniform_rational_below_one(&mut rng, denominator).unwrap();
    assert!(value < Rational::one());
    // With d = 2^128 − 3 the numerator is almost never 0, so the value is almost never reduced to 0.
    assert!(!value.is_zero());
    let message = uniform_rational_below_one(&mut rng, 0)
        .unwrap_err()
        .to_string();
    assert!(message.contains("denominator (0)"), "{message}");
}

/// Measure 0 keeps the query's stream (golden vectors unchanged); other measures get streams of their
/// own, for every cell, and each is reproducible.
#[test]
fn measures_of_one_cell_get_separate_reproducible_streams() {
    let key = golden_key();
    let first_words = |query_key: &QueryKey, cell: i64| {
        let mut rng = query_key.cell_rng(cell);
        [rng.next_u64(), rng.next_u64()]
    };
    for cell in [0i64, 1, -1, i64::MAX, i64::from_be_bytes(*b"sparkdpD")] {
        let measure_zero = first_words(&key.measure_query_key(3, 0), cell);
        assert_eq!(measure_zero, first_words(&key.query_key(3), cell));
        let measure_one = first_words(&key.measure_query_key(3, 1), cell);
        let measure_two = first_words(&key.measure_query_key(3, 2), cell);
        assert_ne!(measure_zero, measure_one);
        assert_ne!(measure_one, measure_two);
        assert_ne!(measure_zero, measure_two);
        assert_eq!(measure_one, first_words(&key.measure_query_key(3, 1), cell));
        // The same measure of another query is another stream.
        assert_ne!(measure_one, first_words(&key.measure_query_key(4, 1), cell));
    }
}
