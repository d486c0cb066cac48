use super::*;
use crate::error::Error;
use crate::privacy::text::parse_budget;
use proptest::prelude::*;
use Constraint::MaxRowsPerID as Rows;
use ProtectedChange::{AddMaxRows, AddOneRow, AddRowsWithID};

use crate::privacy::test_support::{by, groups_on_g, rows_per_group_on_g};

fn q(num: u128, den: u128) -> Rational {
    Rational::new(num, den).unwrap()
}

fn n(value: u128) -> Rational {
    Rational::from_integer(value)
}

fn budget(text: &str) -> Budget {
    parse_budget(text).unwrap()
}

fn invalid_argument_message<T: std::fmt::Debug>(result: Result<T>) -> String {
    match result {
        Err(Error::InvalidArgument(message)) => message,
        other => panic!("expected InvalidArgument, got {other:?}"),
    }
}

fn laplace(scale: Rational) -> NoiseSpec {
    NoiseSpec::DiscreteLaplace { scale }
}

fn gaussian(sigma_squared: Rational) -> NoiseSpec {
    NoiseSpec::DiscreteGaussian { sigma_squared }
}

/// Hand-derived: (budget, change, constraints, noise).
#[test]
fn count_noise_table() {
    let table: Vec<(&str, ProtectedChange, Vec<Constraint>, NoiseSpec)> = vec![
        // The seed query: Δ₁ = 20 rows per ID, ε = 2: scale 10.
        ("pure:2", AddRowsWithID, vec![Rows(20)], laplace(n(10))),
        ("pure:1/10", AddOneRow, vec![], laplace(n(10))),
        (
            "pure:3",
            AddMaxRows { max_rows: 2 },
            vec![],
            laplace(q(2, 3)),
        ),
        (
            "pure:1",
            AddRowsWithID,
            vec![groups_on_g(3), rows_per_group_on_g(2)],
            laplace(n(6)),
        ),
        // δ is not spent by a count.
        ("approx:1:1/1000", AddOneRow, vec![], laplace(n(1))),
        ("approx:1/2:0", AddRowsWithID, vec![Rows(4)], laplace(n(8))),
        // σ² = Δ₂²/(2ρ).
        ("zcdp:1/2", AddRowsWithID, vec![Rows(20)], gaussian(n(400))),
        (
            "zcdp:1",
            AddRowsWithID,
            vec![groups_on_g(3), rows_per_group_on_g(2)],
            gaussian(n(6)),
        ),
        (
            "zcdp:1",
            AddRowsWithID,
            vec![Rows(4), groups_on_g(3), rows_per_group_on_g(2)],
            gaussian(n(6)),
        ),
        ("zcdp:2", AddOneRow, vec![], gaussian(q(1, 4))),
        (
            "zcdp:1/8",
            AddMaxRows { max_rows: 3 },
            vec![],
            gaussian(n(36)),
        ),
        // Infinite budgets release exact values.
        (
            "pure:inf",
            AddRowsWithID,
            vec![Rows(20)],
            NoiseSpec::NoNoise,
        ),
        ("approx:inf:0", AddOneRow, vec![], NoiseSpec::NoNoise),
        ("approx:1:1", AddOneRow, vec![], NoiseSpec::NoNoise),
        ("zcdp:inf", AddOneRow, vec![], NoiseSpec::NoNoise),
    ];
    for (budget_text, change, constraints, expected) in table {
        let noise = count_noise(
            &budget(budget_text),
            &change,
            &constraints,
            &by(&["g"]),
            Mechanism::Default,
        )
        .unwrap();
        assert_eq!(noise, expected, "{budget_text} {change:?} {constraints:?}");
    }
}

/// A query with zero sensitivity (e.g. a sum clamped to [0, 0]) is constant on neighbouring data: it
/// needs no noise, and says so with `NoNoise` rather than a zero-parameter spec, whose text form
/// ("laplace:0") the JNI edge refuses. A positive sensitivity with a zero budget stays an error.
#[test]
fn zero_sensitivity_needs_no_noise() {
    let zero = Sensitivities {
        l1: Rational::zero(),
        l2_squared: Rational::zero(),
    };
    for budget_text in ["pure:1", "approx:1/2:1/100", "zcdp:1/8"] {
        let noise =
            noise_for_sensitivities(&budget(budget_text), &zero, Mechanism::Default).unwrap();
        assert_eq!(noise, NoiseSpec::NoNoise, "{budget_text}");
        let text = crate::privacy::text::format_noise_spec(&noise);
        assert_eq!(
            crate::privacy::text::parse_noise_spec(&text).unwrap(),
            noise
        );
    }
    let one = Sensitivities {
        l1: Rational::one(),
        l2_squared: Rational::one(),
    };
    assert!(invalid_argument_message(noise_for_sensitivities(
        &budget("pure:0"),
        &one,
        Mechanism::Default
    ))
    .contains("epsilon = 0"));
}

#[test]
fn count_noise_errors_name_the_value() {
    let message = invalid_argument_message(count_noise(
        &budget("pure:0"),
        &AddOneRow,
        &[],
        &by(&["g"]),
        Mechanism::Default,
    ));
    assert!(
        message.contains("budget of zero") && message.contains("epsilon = 0"),
        "{message}"
    );
    let message = invalid_argument_message(count_noise(
        &budget("approx:0:1/2"),
        &AddOneRow,
        &[],
        &by(&["g"]),
        Mechanism::Default,
    ));
    assert!(message.contains("epsilon = 0"), "{message}");
    let message = invalid_argument_message(count_noise(
        &budget("zcdp:0"),
        &AddOneRow,
        &[],
        &by(&["g"]),
        Mechanism::Default,
    ));
    assert!(
        message.contains("budget of zero") && message.contains("rho = 0"),
        "{message}"
    );
    // A missing constraint is an error even with an infinite budget.
    for budget_text in ["pure:1", "pure:inf", "zcdp:inf"] {
        let result = count_noise(
            &budget(budget_text),
            &AddRowsWithID,
            &[],
            &by(&["g"]),
            Mechanism::Default,
        );
        assert!(
            matches!(&result, Err(Error::UnsupportedQuery(message)) if message.contains("MaxRowsPerID")),
            "{result:?}"
        );
    }
    let invalid_delta = Budget::ApproxDP {
        epsilon: ExtRational::from_integer(1),
        delta: ExtRational::from_integer(2),
    };
    assert!(matches!(
        count_noise(
            &invalid_delta,
            &AddOneRow,
            &[],
            &by(&["g"]),
            Mechanism::Default
        ),
        Err(Error::InvalidArgument(_))
    ));
}

#[test]
fn accounting_helpers_on_hand_values() {
    assert_eq!(laplace_scale(&n(3), &q(1, 2)).unwrap(), n(6));
    assert_eq!(laplace_epsilon(&n(3), &n(6)).unwrap(), q(1, 2));
    // ε = Δ₁/b = 1, ρ = ε²/2 = 1/2.
    assert_eq!(laplace_rho(&n(1), &n(1)).unwrap(), q(1, 2));
    assert_eq!(laplace_rho(&n(2), &n(1)).unwrap(), n(2));
    assert_eq!(gaussian_sigma_squared(&n(12), &n(1)).unwrap(), n(6));
    assert_eq!(gaussian_rho(&n(12), &n(6)).unwrap(), n(1));
    // ρ = 1/2 gives ε = sqrt(1) = 1 exactly.
    assert_eq!(laplace_scale_for_rho(&n(5), &q(1, 2)).unwrap(), n(5));
    // ρ = 1: ε = sqrt(2) is irrational; the scale must be at least 5/sqrt(2) and its ρ at most 1.
    let scale = laplace_scale_for_rho(&n(5), &n(1)).unwrap();
    assert!(laplace_rho(&n(5), &scale).unwrap() <= n(1));
    assert!(scale.to_f64_round_up() >= 5.0 / 2f64.sqrt() && scale.to_f64_round_down() < 3.5356);
    assert!(invalid_argument_message(laplace_scale(&n(1), &n(0))).contains("epsilon = 0"));
    assert!(invalid_argument_message(gaussian_sigma_squared(&n(1), &n(0))).contains("rho = 0"));
    assert!(invalid_argument_message(laplace_scale_for_rho(&n(1), &n(0))).contains("rho = 0"));
    assert!(invalid_argument_message(laplace_epsilon(&n(1), &n(0))).contains('0'));
    assert!(invalid_argument_message(gaussian_rho(&n(1), &n(0))).contains('0'));
}

fn positive_rational() -> impl Strategy<Value = Rational> {
    (1u128..=u128::from(u32::MAX), 1u128..=u128::from(u32::MAX)).prop_map(|(num, den)| q(num, den))
}

fn positive_f64() -> impl Strategy<Value = f64> {
    (1e-6f64..1e6).prop_filter("positive", |x| *x > 0.0)
}

proptest! {
    #[test]
    fn laplace_calibration_spends_exactly_epsilon(l1 in positive_rational(), epsilon in positive_rational()) {
        let scale = laplace_scale(&l1, &epsilon).unwrap();
        prop_assert_eq!(laplace_epsilon(&l1, &scale).unwrap(), epsilon);
    }

    #[test]
    fn gaussian_calibration_spends_exactly_rho(l2_squared in positive_rational(), rho in positive_rational()) {
        let sigma_squared = gaussian_sigma_squared(&l2_squared, &rho).unwrap();
        prop_assert_eq!(gaussian_rho(&l2_squared, &sigma_squared).unwrap(), rho);
    }

    #[test]
    fn laplace_under_zcdp_never_overspends(l1 in positive_rational(), rho in positive_rational()) {
        let scale = laplace_scale_for_rho(&l1, &rho).unwrap();
        let spent = laplace_rho(&l1, &scale).unwrap();
        prop_assert!(spent <= rho, "spent {} of {}", spent, rho);
        // and wastes at most a relative 2^-28 of it (twice the square root's relative error).
        prop_assert!(spent.to_f64_round_up() >= rho.to_f64_round_down() * (1.0 - 2f64.powi(-28)));
    }

    /// No path from a user's float to noise yields a larger ε than exact arithmetic on that float: the
    /// budget is the float's exact value, and the noise of each of `parts` count queries spends exactly its
    /// share, so the total spent is exactly the float.
    #[test]
    fn no_path_spends_more_epsilon_than_the_user_gave(
        epsilon in positive_f64(),
        rows_per_id in 1u64..1000,
        parts in 1u64..10,
    ) {
        let whole = Budget::pure_dp_from_f64(epsilon).unwrap();
        let exact_epsilon = Rational::from_f64_exact(epsilon, "epsilon").unwrap();
        prop_assert_eq!(exact_epsilon.to_f64_round_up(), epsilon);
        let share = whole.split_evenly(parts).unwrap();
        let mut spent = Rational::zero();
        let mut remaining = whole;
        for _ in 0..parts {
            let noise = count_noise(&share, &AddRowsWithID, &[Rows(rows_per_id)], &by(&["g"]), Mechanism::Default).unwrap();
            let NoiseSpec::DiscreteLaplace { scale } = noise else {
                return Err(TestCaseError::fail(format!("expected Laplace noise, got {noise:?}")));
            };
            spent = spent.checked_add(&laplace_epsilon(&n(u128::from(rows_per_id)), &scale).unwrap()).unwrap();
            remaining = remaining.checked_sub(&share).unwrap();
        }
        prop_assert_eq!(spent, exact_epsilon);
        prop_assert_eq!(remaining, whole.zero_like());
    }

    #[test]
    fn zcdp_count_noise_spends_exactly_rho(rho in positive_f64(), rows_per_id in 1u64..1000) {
        let noise = count_noise(&Budget::rho_zcdp_from_f64(rho).unwrap(), &AddRowsWithID, &[Rows(rows_per_id)], &by(&["g"]), Mechanism::Default).unwrap();
        let NoiseSpec::DiscreteGaussian { sigma_squared } = noise else {
            return Err(TestCaseError::fail(format!("expected Gaussian noise, got {noise:?}")));
        };
        let l2_squared = n(u128::from(rows_per_id) * u128::from(rows_per_id));
        prop_assert_eq!(gaussian_rho(&l2_squared, &sigma_squared).unwrap(), Rational::from_f64_exact(rho, "rho").unwrap());
    }
}

fn float_spec(
    budget_text: &str,
    l1: Rational,
    l2_squared: Rational,
    changed: u64,
) -> FloatNoiseSpec {
    float_noise(
        &budget(budget_text),
        &Sensitivities { l1, l2_squared },
        changed,
        Mechanism::Default,
    )
    .unwrap()
}

fn lattice_laplace(exponent: i32, scale: Rational) -> FloatNoiseSpec {
    FloatNoiseSpec {
        lattice_exponent: exponent,
        noise_in_lattice_units: laplace(scale),
    }
}

fn lattice_gaussian(exponent: i32, sigma_squared: Rational) -> FloatNoiseSpec {
    FloatNoiseSpec {
        lattice_exponent: exponent,
        noise_in_lattice_units: gaussian(sigma_squared),
    }
}

/// Hand-derived: k = ⌊log2 min(Δ/c, b₀)⌋ − 20 (Laplace), ⌊(⌊log2 min(Δ₂²/c, σ₀²)⌋ − 40)/2⌋ (Gaussian);
/// the noise is calibrated to Δ + c·2^k and expressed in units of 2^k.
#[test]
fn float_noise_table() {
    let two_20 = 1u128 << 20;
    // Δ₁ = 1, ε = 1: b₀ = 1, k = −20, scale (1 + 2^−20)/2^−20 = 2^20 + 1.
    assert_eq!(
        float_spec("pure:1", n(1), n(1), 1),
        lattice_laplace(-20, n(two_20 + 1))
    );
    // Δ₁ = 3, ε = 2: min(3, 3/2) = 3/2, k = −20, scale (3 + 2^−20)/2 · 2^20 = (3·2^20 + 1)/2.
    assert_eq!(
        float_spec("pure:2", n(3), n(9), 1),
        lattice_laplace(-20, q(3 * two_20 + 1, 2))
    );
    // Large noise, small Δ: the sensitivity picks k (2^k ≤ 2^−20·Δ), scale 1000·(2^20 + 1).
    assert_eq!(
        float_spec("pure:1/1000", n(1), n(1), 1),
        lattice_laplace(-20, n(1000 * (two_20 + 1)))
    );
    // Small noise: b₀ = 1/1000 picks k = ⌊log2(1/1000)⌋ − 20 = −30; scale (2^30 + 1)/1000.
    assert_eq!(
        float_spec("pure:1000", n(1), n(1), 1),
        lattice_laplace(-30, q((1 << 30) + 1, 1000))
    );
    // δ is not spent.
    assert_eq!(
        float_spec("approx:1:1/100", n(1), n(1), 1),
        lattice_laplace(-20, n(two_20 + 1))
    );
    // c = 4 values may change: Δ₁/c = 2 picks k = −19; Δ₁ + 4·2^−19 = 8 + 2^−17; scale 2^22 + 4.
    assert_eq!(
        float_spec("pure:1", n(8), n(16), 4),
        lattice_laplace(-19, n((1 << 22) + 4))
    );
    // Δ₂² = 1, ρ = 1/2: σ₀² = 1, k = −20, D = (1 + 2^−20)², σ² = D/(2ρ)/4^−20 = (2^20 + 1)².
    assert_eq!(
        float_spec("zcdp:1/2", n(1), n(1), 1),
        lattice_gaussian(-20, n((two_20 + 1) * (two_20 + 1)))
    );
    // Δ₂² = 4, ρ = 1/8: σ₀² = 16, min(4, 16) = 4, k = ⌊(2 − 40)/2⌋ = −19, D = (2 + 2^−19)²,
    // σ² = 4·D·4^19 = 4·(2^20 + 1)².
    assert_eq!(
        float_spec("zcdp:1/8", n(2), n(4), 1),
        lattice_gaussian(-19, n(4 * (two_20 + 1) * (two_20 + 1)))
    );
}

#[test]
fn float_noise_without_noise_and_errors() {
    let no_noise = FloatNoiseSpec {
        lattice_exponent: 0,
        noise_in_lattice_units: NoiseSpec::NoNoise,
    };
    assert_eq!(float_spec("pure:inf", n(1), n(1), 1), no_noise);
    assert_eq!(float_spec("zcdp:inf", n(1), n(1), 1), no_noise);
    assert_eq!(float_spec("pure:1", n(0), n(0), 1), no_noise);
    assert_eq!(float_spec("zcdp:1", n(0), n(0), 1), no_noise);
    let sensitivities = Sensitivities {
        l1: n(1),
        l2_squared: n(1),
    };
    let message = invalid_argument_message(float_noise(
        &budget("pure:1"),
        &sensitivities,
        0,
        Mechanism::Default,
    ));
    assert!(message.contains("max_changed_values (0)"), "{message}");
    let message = invalid_argument_message(float_noise(
        &budget("pure:0"),
        &sensitivities,
        1,
        Mechanism::Default,
    ));
    assert!(message.contains("epsilon = 0"), "{message}");
    // A noise parameter beyond what the samplers draw (here beyond u128) is refused naming the budget,
    // as for integer noise, instead of an Overflow.
    let huge = Sensitivities {
        l1: n(1 << 100),
        l2_squared: n(1 << 100),
    };
    let tiny_epsilon = format!("pure:1/{}", 1u128 << 100);
    let message = invalid_argument_message(float_noise(
        &budget(&tiny_epsilon),
        &huge,
        1,
        Mechanism::Default,
    ));
    assert!(
        message.contains("epsilon=7.88") && message.contains("Laplace scale"),
        "{message}"
    );
}

proptest! {
    /// The spec never spends more than the budget once the rounding is accounted for: in lattice units
    /// the sensitivity is (Δ₁ + 2^k)/2^k, and (Δ₁ + 2^k)/2^k / scale = ε exactly; the lattice is at
    /// least 2^20 times finer than both Δ₁ and the noise.
    #[test]
    fn float_laplace_spends_exactly_epsilon_with_the_inflated_sensitivity(
        l1 in positive_rational(), epsilon in positive_rational()
    ) {
        let Ok(spec) = float_noise(
            &Budget::PureDP { epsilon: ExtRational::Finite(epsilon) },
            &Sensitivities { l1, l2_squared: l1 },
            1,
            Mechanism::Laplace,
        ) else { return Ok(()); };
        let spacing = Rational::power_of_two(spec.lattice_exponent()).unwrap();
        let NoiseSpec::DiscreteLaplace { scale } = spec.noise_in_lattice_units() else {
            panic!("{spec:?}")
        };
        let inflated_in_units = l1.checked_add(&spacing).unwrap().checked_div(&spacing).unwrap();
        prop_assert_eq!(laplace_epsilon(&inflated_in_units, &scale).unwrap(), epsilon);
        if spec.lattice_exponent() > MIN_LATTICE_EXPONENT {
            let fine = spacing.checked_mul_integer(1 << 20).unwrap();
            prop_assert!(fine <= l1 && fine <= laplace_scale(&l1, &epsilon).unwrap());
        }
    }
}

/// Tumult's CountMechanism rules, hand-derived: Default is Laplace under DP budgets and Gaussian under
/// zCDP; Laplace under zCDP has the scale whose ρ cost (Δ₁/b)²/2 fits ρ; Gaussian needs zCDP, even
/// with an infinite budget.
#[test]
fn count_noise_follows_the_mechanism() {
    let rows = [Rows(4)];
    let noise = |budget_text: &str, mechanism| {
        count_noise(
            &budget(budget_text),
            &AddRowsWithID,
            &rows,
            &by(&["g"]),
            mechanism,
        )
    };
    assert_eq!(noise("pure:2", Mechanism::Default), Ok(laplace(n(2))));
    assert_eq!(noise("pure:2", Mechanism::Laplace), Ok(laplace(n(2))));
    assert_eq!(
        noise("approx:2:1/100", Mechanism::Laplace),
        Ok(laplace(n(2)))
    );
    // ρ = 8: σ² = 16/16 = 1 (Default, Gaussian); Laplace: ε = sqrt(2ρ) = 4 exactly, b = 4/4 = 1.
    assert_eq!(noise("zcdp:8", Mechanism::Default), Ok(gaussian(n(1))));
    assert_eq!(noise("zcdp:8", Mechanism::Gaussian), Ok(gaussian(n(1))));
    assert_eq!(noise("zcdp:8", Mechanism::Laplace), Ok(laplace(n(1))));
    assert_eq!(laplace_rho(&n(4), &n(1)), Ok(n(8)));
    assert_eq!(
        noise("zcdp:inf", Mechanism::Laplace),
        Ok(NoiseSpec::NoNoise)
    );
    for budget_text in ["pure:1", "approx:1:1/100", "pure:inf"] {
        let message = invalid_argument_message(noise(budget_text, Mechanism::Gaussian));
        assert_eq!(
            message,
            "Gaussian noise is only supported when using a RhoZCDP budget. Use Laplace noise instead, \
             or switch to RhoZCDP.",
            "{budget_text}"
        );
    }
    // The same rules for float noise: Laplace under zCDP, Gaussian refused under pure DP.
    let one = Sensitivities {
        l1: n(1),
        l2_squared: n(1),
    };
    let spec = float_noise(&budget("zcdp:1/2"), &one, 1, Mechanism::Laplace).unwrap();
    // ε = sqrt(1) = 1: as pure:1, k = −20, scale 2^20 + 1.
    assert_eq!(spec, lattice_laplace(-20, n((1 << 20) + 1)));
    assert!(float_noise(&budget("pure:1"), &one, 1, Mechanism::Gaussian).is_err());
}

proptest! {
    /// Laplace under zCDP never spends more than ρ, and Default under zCDP is the Gaussian.
    #[test]
    fn laplace_count_under_zcdp_fits_rho(rho in positive_f64(), rows_per_id in 1u64..1000) {
        let budget = Budget::rho_zcdp_from_f64(rho).unwrap();
        let noise = count_noise(&budget, &AddRowsWithID, &[Rows(rows_per_id)], &by(&["g"]), Mechanism::Laplace).unwrap();
        let NoiseSpec::DiscreteLaplace { scale } = noise else {
            return Err(TestCaseError::fail(format!("expected Laplace noise, got {noise:?}")));
        };
        let spent = laplace_rho(&n(u128::from(rows_per_id)), &scale).unwrap();
        prop_assert!(spent <= Rational::from_f64_exact(rho, "rho").unwrap());
    }
}

#[test]
fn parameters_that_do_not_fit_exactly_are_rounded_up_soundly() {
    // ε = (2^127 + 1)/(2^127 + 3) ≈ 1 and Δ₁ = 2: Δ₁/ε = 2(2^127 + 3)/(2^127 + 1) has no u128/u128 form.
    let epsilon = q((1 << 127) + 1, (1 << 127) + 3);
    let sensitivities = Sensitivities {
        l1: n(2),
        l2_squared: n(4),
    };
    let pure = Budget::PureDP {
        epsilon: epsilon.into(),
    };
    let NoiseSpec::DiscreteLaplace { scale } =
        noise_for_sensitivities(&pure, &sensitivities, Mechanism::Default).unwrap()
    else {
        panic!()
    };
    // scale·ε ≥ 2 (a lower bound on the product already reaches 2): the spent ε is at most ε.
    assert!(scale.mul_round_down(&epsilon).unwrap() >= n(2), "{scale}");
    assert!(
        scale < q(2, 1).checked_add(&q(1, 1 << 120)).unwrap(),
        "{scale}"
    );
    // The same under zCDP: σ² = Δ₂²/(2ρ) rounded up, and the Laplace ρ cost stays within ρ.
    let zcdp = Budget::RhoZCDP {
        rho: epsilon.into(),
    };
    let NoiseSpec::DiscreteGaussian { sigma_squared } =
        noise_for_sensitivities(&zcdp, &sensitivities, Mechanism::Default).unwrap()
    else {
        panic!()
    };
    // ρ spent = 4/(2σ²) ≤ ρ ⇔ 2σ²·ρ ≥ 4.
    assert!(
        sigma_squared.mul_round_down(&epsilon).unwrap() >= n(2),
        "{sigma_squared}"
    );
    let NoiseSpec::DiscreteLaplace { scale } =
        noise_for_sensitivities(&zcdp, &sensitivities, Mechanism::Laplace).unwrap()
    else {
        panic!()
    };
    assert!(laplace_rho(&n(2), &scale).unwrap() <= epsilon, "{scale}");
    // A ρ near the largest accepted double: 2ρ does not fit, is rounded down, and σ² is tiny but positive.
    let huge = Budget::RhoZCDP {
        rho: Rational::from_f64_exact(Rational::LARGEST_F64, "rho")
            .unwrap()
            .into(),
    };
    let NoiseSpec::DiscreteGaussian { sigma_squared } =
        noise_for_sensitivities(&huge, &sensitivities, Mechanism::Default).unwrap()
    else {
        panic!()
    };
    assert!(!sigma_squared.is_zero() && sigma_squared < q(1, 1 << 100));
}

#[test]
fn noise_that_would_not_fit_i64_is_refused_up_front() {
    let sensitivities = Sensitivities {
        l1: n(1),
        l2_squared: n(1),
    };
    let at_limit = budget(&format!("pure:1/{}", MAX_LAPLACE_SCALE));
    assert_eq!(
        noise_for_sensitivities(&at_limit, &sensitivities, Mechanism::Default),
        Ok(laplace(n(MAX_LAPLACE_SCALE)))
    );
    let beyond = budget(&format!("pure:1/{}", MAX_LAPLACE_SCALE + 1));
    let message = invalid_argument_message(noise_for_sensitivities(
        &beyond,
        &sensitivities,
        Mechanism::Default,
    ));
    assert!(
        message.starts_with("The noise scale for epsilon="),
        "{message}"
    );
    let at_limit = budget(&format!("zcdp:1/{}", 2 * MAX_GAUSSIAN_SIGMA_SQUARED));
    assert_eq!(
        noise_for_sensitivities(&at_limit, &sensitivities, Mechanism::Default),
        Ok(gaussian(n(MAX_GAUSSIAN_SIGMA_SQUARED)))
    );
    let beyond = budget(&format!("zcdp:1/{}", 2 * MAX_GAUSSIAN_SIGMA_SQUARED + 1));
    let message = invalid_argument_message(noise_for_sensitivities(
        &beyond,
        &sensitivities,
        Mechanism::Default,
    ));
    assert!(message.starts_with("The noise scale for rho="), "{message}");
}
