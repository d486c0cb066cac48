use super::*;
use crate::error::Error;
use proptest::prelude::*;

fn q(num: u128, den: u128) -> ExtRational {
    ExtRational::Finite(Rational::new(num, den).unwrap())
}

fn pure(epsilon: ExtRational) -> Budget {
    Budget::pure_dp(epsilon).unwrap()
}

fn approx(epsilon: ExtRational, delta: ExtRational) -> Budget {
    Budget::approx_dp(epsilon, delta).unwrap()
}

fn zcdp(rho: ExtRational) -> Budget {
    Budget::rho_zcdp(rho).unwrap()
}

const INF: ExtRational = ExtRational::Infinite;

fn invalid_argument_message<T: std::fmt::Debug>(result: Result<T>) -> String {
    match result {
        Err(Error::InvalidArgument(message)) => message,
        other => panic!("expected InvalidArgument, got {other:?}"),
    }
}

fn insufficient_budget_message<T: std::fmt::Debug>(result: Result<T>) -> String {
    match result {
        Err(Error::InsufficientBudget(message)) => message,
        other => panic!("expected InsufficientBudget, got {other:?}"),
    }
}

#[test]
fn constructors_validate_with_tumult_messages() {
    assert_eq!(Budget::pure_dp_from_f64(0.5).unwrap(), pure(q(1, 2)));
    assert_eq!(Budget::pure_dp_from_f64(f64::INFINITY).unwrap(), pure(INF));
    assert_eq!(
        invalid_argument_message(Budget::pure_dp_from_f64(-1.0)),
        "Epsilon must be non-negative. Cannot construct a PureDPBudget with epsilon of -1."
    );
    let message = invalid_argument_message(Budget::rho_zcdp_from_f64(f64::NAN));
    assert!(
        message.contains("Rho") && message.contains("RhoZCDPBudget") && message.contains("NaN"),
        "{message}"
    );
    let message = invalid_argument_message(Budget::approx_dp_from_f64(1.0, 1.5));
    assert!(
        message.contains("Delta") && message.contains("1.5"),
        "{message}"
    );
    let message = invalid_argument_message(Budget::approx_dp_from_f64(-2.0, 0.5));
    assert!(
        message.contains("an ApproxDPBudget with epsilon of -2"),
        "{message}"
    );
    let message = invalid_argument_message(Budget::approx_dp(q(1, 1), q(3, 2)));
    assert!(message.contains("3/2"), "{message}");
    assert!(matches!(
        Budget::approx_dp(q(1, 1), INF),
        Err(Error::InvalidArgument(_))
    ));
    assert_eq!(
        Budget::approx_dp_from_f64(1.0, 0.25).unwrap(),
        approx(q(1, 1), q(1, 4))
    );
    // Building the variant directly skips the constructor; validate catches it.
    assert!(Budget::ApproxDP {
        epsilon: q(1, 1),
        delta: q(2, 1)
    }
    .validate()
    .is_err());
}

#[test]
fn subtraction_spends_exactly() {
    assert_eq!(
        pure(q(2, 1)).checked_sub(&pure(q(1, 3))).unwrap(),
        pure(q(5, 3))
    );
    assert_eq!(
        pure(q(1, 3)).checked_sub(&pure(q(1, 3))).unwrap(),
        pure(q(0, 1))
    );
    assert_eq!(
        approx(q(1, 1), q(1, 2))
            .checked_sub(&approx(q(1, 1), q(1, 4)))
            .unwrap(),
        approx(q(0, 1), q(1, 4))
    );
    assert_eq!(
        zcdp(q(1, 2)).checked_sub(&zcdp(q(1, 8))).unwrap(),
        zcdp(q(3, 8))
    );
}

#[test]
fn infinite_budgets_stay_infinite() {
    assert_eq!(pure(INF).checked_sub(&pure(q(5, 1))).unwrap(), pure(INF));
    assert_eq!(pure(INF).checked_sub(&pure(INF)).unwrap(), pure(INF));
    assert_eq!(zcdp(INF).checked_sub(&zcdp(INF)).unwrap(), zcdp(INF));
    // δ = 1 makes an approx-DP budget infinite whatever ε is.
    let vacuous = approx(q(1, 1), q(1, 1));
    assert!(vacuous.is_infinite());
    assert!(vacuous.covers(&approx(q(5, 1), q(1, 2))).unwrap());
    assert_eq!(
        vacuous.checked_sub(&approx(q(5, 1), q(1, 2))).unwrap(),
        vacuous
    );
    assert!(approx(INF, q(0, 1)).is_infinite());
    assert!(!approx(q(1, 1), q(1, 2)).is_infinite());
    assert!(!pure(q(1, 1)).is_infinite());
}

#[test]
fn overspending_is_insufficient_budget_naming_amounts() {
    let message = insufficient_budget_message(pure(q(1, 1)).checked_sub(&pure(q(2, 1))));
    assert!(
        message.starts_with("Cannot answer query without exceeding the Session privacy budget."),
        "{message}"
    );
    assert!(message.contains("Requested: ε=2.000"), "{message}");
    assert!(message.contains("Remaining: ε=1.000"), "{message}");
    assert!(message.contains("Difference: ε=1.000"), "{message}");
    assert!(!pure(q(1, 1)).covers(&pure(q(2, 1))).unwrap());
    assert!(pure(q(2, 1)).covers(&pure(q(2, 1))).unwrap());
    assert!(!approx(q(3, 1), q(1, 4))
        .covers(&approx(q(1, 1), q(1, 2)))
        .unwrap());
}

#[test]
fn mismatched_types_are_invalid_argument_naming_both() {
    let message = invalid_argument_message(pure(q(1, 1)).checked_sub(&zcdp(q(1, 1))));
    assert!(
        message.contains("PureDPBudget") && message.contains("RhoZCDPBudget"),
        "{message}"
    );
    let message = invalid_argument_message(pure(q(1, 1)).covers(&approx(q(1, 1), q(0, 1))));
    assert!(
        message.contains("PureDPBudget") && message.contains("ApproxDPBudget"),
        "{message}"
    );
    assert!(matches!(
        zcdp(INF).covers(&pure(q(1, 1))),
        Err(Error::InvalidArgument(_))
    ));
    assert!(matches!(
        pure(INF).checked_sub(&zcdp(q(1, 1))),
        Err(Error::InvalidArgument(_))
    ));
    assert!(matches!(
        pure(q(1, 1)).checked_add(&zcdp(q(1, 1))),
        Err(Error::InvalidArgument(_))
    ));
}

#[test]
fn addition_saturates_delta_at_one() {
    assert_eq!(
        pure(q(1, 2)).checked_add(&pure(q(1, 3))).unwrap(),
        pure(q(5, 6))
    );
    assert_eq!(
        approx(q(1, 1), q(3, 4))
            .checked_add(&approx(q(1, 1), q(3, 4)))
            .unwrap(),
        approx(q(2, 1), q(1, 1))
    );
    assert_eq!(zcdp(q(1, 1)).checked_add(&zcdp(INF)).unwrap(), zcdp(INF));
}

#[test]
fn split_evenly_and_zero() {
    assert_eq!(pure(q(1, 1)).split_evenly(3).unwrap(), pure(q(1, 3)));
    assert_eq!(
        approx(q(1, 1), q(1, 2)).split_evenly(2).unwrap(),
        approx(q(1, 2), q(1, 4))
    );
    assert_eq!(zcdp(INF).split_evenly(4).unwrap(), zcdp(INF));
    let message = invalid_argument_message(pure(q(1, 1)).split_evenly(0));
    assert!(
        message.contains("0 parts") && message.contains("pure:1"),
        "{message}"
    );
    assert_eq!(
        approx(q(1, 1), q(1, 2)).zero_like(),
        approx(q(0, 1), q(0, 1))
    );
    assert_eq!(zcdp(INF).zero_like(), zcdp(q(0, 1)));
}

fn finite_value() -> impl Strategy<Value = ExtRational> {
    (0u128..=u128::from(u32::MAX), 1u128..=u128::from(u32::MAX)).prop_map(|(num, den)| q(num, den))
}

fn delta_value() -> impl Strategy<Value = ExtRational> {
    (0u128..=u128::from(u32::MAX), 1u128..=u128::from(u32::MAX))
        .prop_map(|(num, den)| q(num.min(den.saturating_sub(1)), den))
}

fn finite_budget() -> impl Strategy<Value = Budget> {
    prop_oneof![
        finite_value().prop_map(pure),
        (finite_value(), delta_value()).prop_map(|(epsilon, delta)| approx(epsilon, delta)),
        finite_value().prop_map(zcdp),
    ]
}

/// Same type as `template`, with `value` in every component (δ kept below 1).
fn same_type(template: &Budget, value: ExtRational, delta: ExtRational) -> Budget {
    match template {
        Budget::PureDP { .. } => pure(value),
        Budget::ApproxDP { .. } => approx(value, delta),
        Budget::RhoZCDP { .. } => zcdp(value),
    }
}

proptest! {
    #[test]
    fn split_then_sum_gives_back_the_whole(whole in finite_budget(), parts in 1u64..50) {
        let share = whole.split_evenly(parts).unwrap();
        let mut total = whole.zero_like();
        for _ in 0..parts {
            total = total.checked_add(&share).unwrap();
        }
        prop_assert_eq!(total, whole);
        prop_assert!(whole.covers(&share).unwrap());
    }

    #[test]
    fn sub_then_add_round_trips(remaining in finite_budget(), value in finite_value(), delta in delta_value()) {
        let requested = same_type(&remaining, value, delta);
        match remaining.checked_sub(&requested) {
            Ok(left) => {
                prop_assert!(remaining.covers(&requested).unwrap());
                prop_assert_eq!(left.checked_add(&requested).unwrap(), remaining);
            }
            Err(error) => {
                prop_assert!(matches!(error, Error::InsufficientBudget(_)));
                prop_assert!(!remaining.covers(&requested).unwrap());
            }
        }
    }

    #[test]
    fn addition_is_commutative_and_associative(a in finite_value(), b in finite_value(), c in finite_value()) {
        let (a, b, c) = (zcdp(a), zcdp(b), zcdp(c));
        prop_assert_eq!(a.checked_add(&b).unwrap(), b.checked_add(&a).unwrap());
        prop_assert_eq!(
            a.checked_add(&b).unwrap().checked_add(&c).unwrap(),
            a.checked_add(&b.checked_add(&c).unwrap()).unwrap()
        );
    }

    #[test]
    fn spending_in_pieces_never_exceeds_the_whole(whole in finite_value(), parts in 1u64..20) {
        // However a budget is spent (split, then each share subtracted), the remainder is exactly zero,
        // and one more non-zero request fails.
        let mut remaining = pure(whole);
        let share = remaining.split_evenly(parts).unwrap();
        for _ in 0..parts {
            remaining = remaining.checked_sub(&share).unwrap();
        }
        prop_assert_eq!(remaining, pure(q(0, 1)));
        let tiny = pure(q(1, u128::from(u64::MAX)));
        prop_assert!(matches!(remaining.checked_sub(&tiny), Err(Error::InsufficientBudget(_))));
    }
}

// ----- budgets from doubles, charge, rounded subtraction, doubles (COMPILER_INTERFACES.md §3) -----

fn r(num: u128, den: u128) -> Rational {
    Rational::new(num, den).unwrap()
}

#[test]
fn from_doubles_takes_the_kind_and_ignores_b_unless_approx() {
    assert_eq!(
        Budget::from_doubles("pure", 0.5, 7.0).unwrap(),
        pure(q(1, 2))
    );
    assert_eq!(
        Budget::from_doubles("approx", 0.5, 0.25).unwrap(),
        approx(q(1, 2), q(1, 4))
    );
    assert_eq!(
        Budget::from_doubles("zcdp", f64::INFINITY, f64::NAN).unwrap(),
        zcdp(INF)
    );
    let message = invalid_argument_message(Budget::from_doubles("Pure", 1.0, 0.0));
    assert!(message.contains("'Pure'"), "{message}");
    assert_eq!(
        invalid_argument_message(Budget::from_doubles("approx", 1.0, 1.5)),
        "Delta must be between 0 and 1 (inclusive). Cannot construct an ApproxDPBudget with delta of 1.5."
    );
    assert_eq!(
        invalid_argument_message(Budget::from_doubles("zcdp", -0.5, 0.0)),
        "Rho must be non-negative. Cannot construct a RhoZCDPBudget with rho of -0.5."
    );
}

#[test]
fn a_value_needing_a_denominator_beyond_2_to_127_is_rounded_down() {
    // 1e-23 = m·2^-129 for an odd m: not a u128 rational; rounded down to floor(1e-23·2^127)/2^127.
    let budget = Budget::from_doubles("pure", 1e-23, 0.0).unwrap();
    let Budget::PureDP {
        epsilon: ExtRational::Finite(epsilon),
    } = budget
    else {
        panic!("{budget:?}")
    };
    assert!(Rational::from_f64_exact(1e-23, "epsilon").is_err());
    let power = Rational::power_of_two(-127).unwrap();
    // epsilon <= 1e-23 < epsilon + 2^-127, and epsilon is a multiple of 2^-127.
    assert!(epsilon.to_f64_round_down() <= 1e-23);
    assert!(epsilon.to_f64_round_up() <= 1e-23, "rounded down, not up");
    let next = epsilon.checked_add(&power).unwrap();
    assert!(next.to_f64_round_up() > 1e-23);
    assert!(epsilon.denominator() <= 1u128 << 127);
    // Below 2^-127 everything rounds to zero (still a valid, smaller budget); δ as well.
    assert_eq!(
        Budget::from_doubles("zcdp", 1e-300, 0.0).unwrap(),
        zcdp(q(0, 1))
    );
    assert_eq!(
        Budget::from_doubles("approx", 1.0, f64::MIN_POSITIVE).unwrap(),
        approx(q(1, 1), q(0, 1))
    );
    // Exactly representable values stay exact.
    assert_eq!(
        Budget::from_doubles("pure", 2f64.powi(-127), 0.0).unwrap(),
        pure(ExtRational::Finite(power))
    );
}

#[test]
fn a_value_too_large_to_hold_is_refused_naming_setting_value_and_limit() {
    assert_eq!(
        invalid_argument_message(Budget::from_doubles("pure", 1e300, 0.0)),
        "Epsilon must be at most 3.4028236692093843e38 or infinite. Cannot construct a PureDPBudget \
         with epsilon of 1e300."
    );
    let message = invalid_argument_message(Budget::from_doubles("zcdp", f64::MAX, 0.0));
    assert!(
        message.starts_with("Rho must be at most") && message.contains("RhoZCDPBudget"),
        "{message}"
    );
    // The limit itself is accepted exactly; the next double is refused.
    let largest = Budget::from_doubles("approx", Rational::LARGEST_F64, 1.0).unwrap();
    assert_eq!(largest.to_doubles(false), vec![Rational::LARGEST_F64, 1.0]);
    let above = f64::from_bits(Rational::LARGEST_F64.to_bits() + 1);
    let message = invalid_argument_message(Budget::from_doubles("approx", above, 1.0));
    assert!(
        message.contains("an ApproxDPBudget with epsilon of 3.402823669209385e38"),
        "{message}"
    );
}

#[test]
fn to_doubles_rounds_each_value_as_asked_and_keeps_infinity() {
    let third = approx(q(1, 3), q(1, 3));
    let [up_epsilon, up_delta] = third.to_doubles(true)[..] else {
        panic!()
    };
    let [down_epsilon, down_delta] = third.to_doubles(false)[..] else {
        panic!()
    };
    assert!(down_epsilon < up_epsilon && down_delta < up_delta);
    assert!(3.0 * down_epsilon <= 1.0 && 3.0 * up_epsilon >= 1.0);
    assert_eq!(pure(INF).to_doubles(false), vec![f64::INFINITY]);
    assert_eq!(zcdp(q(1, 4)).to_doubles(true), vec![0.25]);
}

#[test]
fn subtracting_a_tiny_charge_from_a_huge_budget_rounds_toward_less_remaining() {
    let remaining = Budget::from_doubles("pure", 1e12, 0.0).unwrap();
    let charged = Budget::from_doubles("pure", 1e-12, 0.0).unwrap();
    // The exact difference does not fit u128/u128.
    assert!(matches!(
        remaining.checked_sub(&charged),
        Err(Error::Overflow(_))
    ));
    let left = remaining.subtract_charged(&charged).unwrap();
    let (
        Budget::PureDP { epsilon: whole },
        Budget::PureDP { epsilon: spent },
        Budget::PureDP { epsilon: left },
    ) = (remaining, charged, left)
    else {
        panic!()
    };
    // whole - left >= spent (never more remaining than exists), by less than 2^-80.
    let gap = whole.checked_sub(&left).unwrap();
    assert!(gap >= spent, "{gap} < {spent}");
    let slack = gap.checked_sub(&spent).unwrap();
    assert!(
        slack <= ExtRational::Finite(Rational::power_of_two(-80).unwrap()),
        "{slack}"
    );
    assert!(left < whole);
    // Exact whenever the difference fits.
    assert_eq!(
        pure(q(2, 1)).subtract_charged(&pure(q(1, 2))).unwrap(),
        pure(q(3, 2))
    );
    // Both components of an approx budget, and an infinite budget stays infinite.
    let remaining = approx(ExtRational::Finite(r(1_000_000_000_000, 1)), q(1, 2));
    let charged = Budget::from_doubles("approx", 1e-12, 1e-30).unwrap();
    let left = remaining.subtract_charged(&charged).unwrap();
    assert!(left
        .checked_add(&charged)
        .map_or(true, |sum| remaining.covers(&sum).unwrap()));
    assert_eq!(
        pure(INF).subtract_charged(&pure(q(5, 1))).unwrap(),
        pure(INF)
    );
    // A charge that does not fit is still refused.
    let message = insufficient_budget_message(pure(q(1, 1)).subtract_charged(&pure(q(2, 1))));
    assert!(message.starts_with("Cannot answer query"), "{message}");
}

#[test]
fn charge_is_the_request_when_it_fits() {
    assert_eq!(pure(q(2, 1)).charge(&pure(q(1, 2))).unwrap(), pure(q(1, 2)));
    assert_eq!(pure(q(2, 1)).charge(&pure(q(2, 1))).unwrap(), pure(q(2, 1)));
    assert_eq!(pure(INF).charge(&pure(q(7, 1))).unwrap(), pure(q(7, 1)));
    assert_eq!(pure(INF).charge(&pure(INF)).unwrap(), pure(INF));
    assert_eq!(
        approx(q(1, 1), q(1, 2))
            .charge(&approx(q(1, 3), q(0, 1)))
            .unwrap(),
        approx(q(1, 3), q(0, 1))
    );
    assert_eq!(zcdp(q(1, 1)).charge(&zcdp(q(1, 1))).unwrap(), zcdp(q(1, 1)));
    // An infinite ApproxDP request is (∞, 1), as in Tumult.
    assert_eq!(
        approx(INF, q(0, 1)).charge(&approx(INF, q(0, 1))).unwrap(),
        approx(INF, q(1, 1))
    );
    assert_eq!(
        approx(q(1, 1), q(1, 1))
            .charge(&approx(q(1, 2), q(1, 1)))
            .unwrap(),
        approx(INF, q(1, 1))
    );
    assert_eq!(
        insufficient_budget_message(approx(q(5, 1), q(1, 2)).charge(&approx(q(1, 1), q(1, 1)))),
        "Cannot answer query without exceeding the Session privacy budget.\nRequested: ε=inf, δ=1.000\n\
         Remaining: ε=5.000, δ=0.500\nDifference: ε=inf, δ=0.500"
    );
}

#[test]
fn charge_rounds_a_request_within_remaining_over_10_to_the_9_down_to_the_remaining_value() {
    let billion = 1_000_000_000u128;
    // Remaining 3: the tolerance is 3/10^9. Exactly at it: charged the remaining 3.
    let at = q(3 * billion + 3, billion);
    assert_eq!(pure(q(3, 1)).charge(&pure(at)).unwrap(), pure(q(3, 1)));
    assert_eq!(zcdp(q(3, 1)).charge(&zcdp(at)).unwrap(), zcdp(q(3, 1)));
    // Just above it: refused.
    let above = q(3 * billion * 1000 + 3001, billion * 1000);
    let message = insufficient_budget_message(pure(q(3, 1)).charge(&pure(above)));
    assert!(
        message.starts_with("Cannot answer query without exceeding the Session privacy budget.")
    );
    assert!(matches!(
        zcdp(q(3, 1)).charge(&zcdp(above)),
        Err(Error::InsufficientBudget(_))
    ));
    // Per component: ε within tolerance, δ fits as asked.
    assert_eq!(
        approx(q(3, 1), q(1, 2))
            .charge(&approx(at, q(1, 4)))
            .unwrap(),
        approx(q(3, 1), q(1, 4))
    );
    // δ within tolerance, ε fits.
    let delta_at = q(billion / 2 + 1, billion); // 1/2 + (1/2)/10^9·2 ... = 1/2 + 1/10^9 > tolerance
    assert!(approx(q(3, 1), q(1, 2))
        .charge(&approx(q(1, 1), delta_at))
        .is_err());
    let delta_at = q(2 * billion + 1, 4 * billion); // 1/2 + 1/(4·10^9) <= 1/2 + (1/2)/10^9
    assert_eq!(
        approx(q(3, 1), q(1, 2))
            .charge(&approx(q(1, 1), delta_at))
            .unwrap(),
        approx(q(1, 1), q(1, 2))
    );
    // A zero remaining value has zero tolerance.
    assert!(pure(q(0, 1)).charge(&pure(q(1, u128::MAX))).is_err());
    // Huge denominators: the comparison still works (or keeps the request, never more).
    // Here the exact comparison does not fit: the request is kept (refused), never enlarged.
    let tiny = q(1, u128::MAX - 1);
    let charged = pure(tiny).charge(&pure(q(1, u128::MAX - 2)));
    assert!(
        matches!(charged, Ok(b) if b == pure(tiny))
            || matches!(charged, Err(Error::InsufficientBudget(_))),
        "{charged:?}"
    );
}

#[test]
fn charge_of_another_budget_type_is_tumults_value_error() {
    for (remaining, requested) in [
        (pure(q(1, 1)), zcdp(q(1, 1))),
        (zcdp(INF), approx(q(1, 1), q(0, 1))),
        (pure(q(1, 1)), approx(q(1, 1), q(0, 1))),
        (zcdp(q(1, 1)), pure(q(1, 1))),
    ] {
        assert_eq!(
            invalid_argument_message(remaining.charge(&requested)),
            "Your requested privacy budget type must match the type of the privacy budget your Session \
             was created with."
        );
    }
}

#[test]
fn charge_of_a_pure_request_in_an_approx_session_is_epsilon_with_zero_delta() {
    let remaining = approx(q(1, 1), q(1, 1_000_000));
    assert_eq!(
        remaining.charge(&pure(q(1, 2))).unwrap(),
        approx(q(1, 2), q(0, 1))
    );
    assert!(matches!(
        remaining.charge(&pure(q(2, 1))),
        Err(Error::InsufficientBudget(_))
    ));
}

const PREFIX: &str = "Cannot answer query without exceeding the Session privacy budget.";

#[test]
fn insufficient_budget_messages_are_formatted_as_tumult_formats_them() {
    // Expected texts computed with Tumult's `_format_insufficient_budget_msg` on the same exact values.
    let cases = [
        (
            pure(q(1, 1)),
            pure(q(2, 1)),
            "\nRequested: ε=2.000\nRemaining: ε=1.000\nDifference: ε=1.000",
        ),
        (
            pure(q(1, 3)),
            pure(q(1, 2)),
            "\nRequested: ε=0.500\nRemaining: ε=0.333\nDifference: ε=0.167",
        ),
        (
            zcdp(q(1, 1)),
            zcdp(q(101, 100)),
            "\nRequested: 𝝆=1.010\nRemaining: 𝝆=1.000\nDifference: 𝝆=1.000e-02",
        ),
        (
            approx(q(1, 1), q(1, 4)),
            approx(q(1, 2), q(1, 2)),
            "\nRequested: ε=0.500, δ=0.500\nRemaining: ε=1.000, δ=0.250\nDifference: δ=0.250",
        ),
        (
            approx(q(1, 1), q(1, 10)),
            approx(q(21, 20), q(1, 2)),
            "\nRequested: ε=1.050, δ=0.500\nRemaining: ε=1.000, δ=0.100\nDifference: ε=5.000e-02, δ=0.400",
        ),
        (
            approx(q(1, 1), q(1, 1000)),
            approx(q(3, 1), q(1, 100)),
            "\nRequested: ε=3.000, δ=0.010\nRemaining: ε=1.000, δ=0.001\nDifference: ε=2.000, δ=9.000e-03",
        ),
        (
            approx(q(1, 1), q(0, 1)),
            approx(q(3, 1), q(0, 1)),
            "\nRequested: ε=3.000, δ=0.000\nRemaining: ε=1.000, δ=0.000\nDifference: ε=2.000",
        ),
        (
            pure(q(5, 1)),
            pure(INF),
            "\nRequested: ε=inf\nRemaining: ε=5.000\nDifference: ε=inf",
        ),
    ];
    for (remaining, requested, lines) in cases {
        let expected = format!("{PREFIX}{lines}");
        assert_eq!(
            insufficient_budget_message(remaining.charge(&requested)),
            expected
        );
        assert_eq!(
            insufficient_budget_message(remaining.checked_sub(&requested)),
            expected
        );
    }
}
