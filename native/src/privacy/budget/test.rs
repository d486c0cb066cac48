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
    assert!(message.contains("Requested: ε=2"), "{message}");
    assert!(message.contains("Remaining: ε=1"), "{message}");
    assert!(message.contains("Difference: ε=1"), "{message}");
    let message = insufficient_budget_message(pure(q(1, 3)).checked_sub(&pure(q(1, 2))));
    assert!(message.contains("Difference: ε=1/6"), "{message}");
    let message = insufficient_budget_message(pure(q(5, 1)).checked_sub(&pure(INF)));
    assert!(
        message.contains("Requested: ε=inf") && message.contains("Difference: ε=inf"),
        "{message}"
    );
    let message = insufficient_budget_message(
        approx(q(1, 1), q(1, 4)).checked_sub(&approx(q(1, 2), q(1, 2))),
    );
    assert!(
        message.contains("Requested: ε=1/2") && message.contains("Difference: ε=0, δ=1/4"),
        "{message}"
    );
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
