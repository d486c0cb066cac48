use super::*;
use crate::error::Error;
use proptest::prelude::*;

fn q(num: u128, den: u128) -> Rational {
    Rational::new(num, den).unwrap()
}

fn invalid_argument_message<T: std::fmt::Debug>(result: Result<T>) -> String {
    match result {
        Err(Error::InvalidArgument(message)) => message,
        other => panic!("expected InvalidArgument, got {other:?}"),
    }
}

fn overflow_message<T: std::fmt::Debug>(result: Result<T>) -> String {
    match result {
        Err(Error::Overflow(message)) => message,
        other => panic!("expected Overflow, got {other:?}"),
    }
}

/// Shift-and-add 256-bit product: an independent reference for `widening_mul`.
fn reference_widening_mul(x: u128, y: u128) -> (u128, u128) {
    let (mut high, mut low) = (0u128, 0u128);
    for bit in 0..128 {
        if (y >> bit) & 1 == 1 {
            let add_low = x << bit;
            let add_high = if bit == 0 { 0 } else { x >> (128 - bit) };
            let (new_low, carry) = low.overflowing_add(add_low);
            low = new_low;
            high = high + add_high + u128::from(carry);
        }
    }
    (high, low)
}

/// 2^exponent exactly as a Rational (|exponent| <= 127).
fn power_of_two_rational(exponent: i32) -> Rational {
    if exponent >= 0 {
        Rational::from_integer(1u128 << exponent)
    } else {
        q(1, 1u128 << (-exponent))
    }
}

#[test]
fn new_reduces_and_rejects_zero_denominator() {
    let reduced = q(6, 4);
    assert_eq!((reduced.numerator(), reduced.denominator()), (3, 2));
    let zero = q(0, 7);
    assert_eq!((zero.numerator(), zero.denominator()), (0, 1));
    assert_eq!(zero, Rational::zero());
    let message = invalid_argument_message(Rational::new(5, 0));
    assert!(message.contains("5/0"), "{message}");
}

#[test]
fn widening_mul_matches_known_products() {
    assert_eq!(widening_mul(u128::MAX, u128::MAX), (u128::MAX - 1, 1));
    assert_eq!(widening_mul(1u128 << 127, 2), (1, 0));
    assert_eq!(widening_mul(0, u128::MAX), (0, 0));
}

#[test]
fn ordering_is_exact_where_cross_products_overflow() {
    let max = u128::MAX;
    // (M-1)/M vs (M-2)/(M-1): (M-1)² = M² - 2M + 1 > M(M-2) = M² - 2M.
    let larger = q(max - 1, max);
    let smaller = q(max - 2, max - 1);
    assert!(larger > smaller);
    assert!(smaller < larger);
    // f64 would see both as 1.0.
    assert_eq!(larger.to_f64_round_down(), smaller.to_f64_round_down());
    assert_eq!(q(max, max - 1).cmp(&q(max, max - 1)), Ordering::Equal);
    assert!(Rational::from_integer(max) > q(max, 2));
}

#[test]
fn arithmetic_on_hand_values() {
    assert_eq!(q(1, 3).checked_add(&q(1, 6)).unwrap(), q(1, 2));
    assert_eq!(q(1, 2).checked_sub(&q(1, 3)).unwrap(), q(1, 6));
    assert_eq!(q(2, 3).checked_mul(&q(3, 4)).unwrap(), q(1, 2));
    assert_eq!(q(2, 3).checked_div(&q(4, 9)).unwrap(), q(3, 2));
    assert_eq!(q(5, 7).checked_sub(&q(5, 7)).unwrap(), Rational::zero());
    // Cross-cancellation: the product fits although the naive intermediates do not.
    let huge_half = q(u128::MAX, 2);
    assert_eq!(
        huge_half.checked_mul(&q(2, u128::MAX)).unwrap(),
        Rational::one()
    );
    assert_eq!(huge_half.checked_div(&huge_half).unwrap(), Rational::one());
}

#[test]
fn subtraction_below_zero_is_invalid_argument_naming_operands() {
    let message = invalid_argument_message(q(1, 3).checked_sub(&q(1, 2)));
    assert!(
        message.contains("1/3") && message.contains("1/2"),
        "{message}"
    );
}

#[test]
fn overflow_is_an_error_naming_operation_and_operands() {
    let max = Rational::from_integer(u128::MAX);
    let message = overflow_message(max.checked_add(&Rational::one()));
    assert!(
        message.contains("addition") && message.contains(&u128::MAX.to_string()),
        "{message}"
    );
    let message = overflow_message(max.checked_mul(&Rational::from_integer(2)));
    assert!(
        message.contains("multiplication") && message.contains(&u128::MAX.to_string()),
        "{message}"
    );
    let message = overflow_message(max.checked_div(&q(1, 3)));
    assert!(
        message.contains("division") && message.contains("1/3"),
        "{message}"
    );
    // Denominators overflow too: 1/p + 1/p' with coprime p, p' just above 2^64 need a denominator > 2^128.
    let a = q(1, (1u128 << 64) + 1);
    let b = q(1, (1u128 << 64) + 3);
    assert!(matches!(a.checked_add(&b), Err(Error::Overflow(_))));
    let message = invalid_argument_message(q(1, 2).checked_div(&Rational::zero()));
    assert!(
        message.contains("1/2") && message.contains("zero"),
        "{message}"
    );
}

#[test]
fn from_f64_exact_known_values() {
    assert_eq!(Rational::from_f64_exact(0.5, "epsilon").unwrap(), q(1, 2));
    assert_eq!(
        Rational::from_f64_exact(3.0, "epsilon").unwrap(),
        Rational::from_integer(3)
    );
    // 0.1 is not 1/10: it is the dyadic 3602879701896397 / 2^55.
    assert_eq!(
        Rational::from_f64_exact(0.1, "epsilon").unwrap(),
        q(3602879701896397, 1u128 << 55)
    );
    assert_eq!(
        Rational::from_f64_exact(0.0, "epsilon").unwrap(),
        Rational::zero()
    );
    assert_eq!(
        Rational::from_f64_exact(-0.0, "epsilon").unwrap(),
        Rational::zero()
    );
    // Limits: 2^127 and (2^53-1)·2^75 fit, 2^128 does not; 2^-127 fits, 2^-128 does not.
    assert_eq!(
        Rational::from_f64_exact(2f64.powi(127), "x").unwrap(),
        Rational::from_integer(1u128 << 127)
    );
    let largest = ((1u128 << 53) - 1) << 75;
    assert_eq!(
        Rational::from_f64_exact(largest as f64, "x").unwrap(),
        Rational::from_integer(largest)
    );
    assert_eq!(
        Rational::from_f64_exact(2f64.powi(-127), "x").unwrap(),
        q(1, 1u128 << 127)
    );
}

#[test]
fn from_f64_exact_errors_name_setting_and_value() {
    let message = invalid_argument_message(Rational::from_f64_exact(f64::NAN, "epsilon"));
    assert_eq!(message, "epsilon must be a number, got NaN");
    let message = invalid_argument_message(Rational::from_f64_exact(-1.5, "rho"));
    assert!(
        message.contains("rho") && message.contains("-1.5"),
        "{message}"
    );
    let message = invalid_argument_message(Rational::from_f64_exact(f64::INFINITY, "delta"));
    assert!(
        message.contains("delta") && message.contains("inf"),
        "{message}"
    );
    let message = invalid_argument_message(Rational::from_f64_exact(f64::NEG_INFINITY, "delta"));
    assert!(
        message.contains("delta") && message.contains("-inf"),
        "{message}"
    );
    let message = overflow_message(Rational::from_f64_exact(1e300, "epsilon"));
    assert!(
        message.contains("epsilon") && message.contains("1e300"),
        "{message}"
    );
    let message = overflow_message(Rational::from_f64_exact(2f64.powi(128), "epsilon"));
    assert!(message.contains("epsilon"), "{message}");
    let message = overflow_message(Rational::from_f64_exact(5e-324, "epsilon"));
    assert!(
        message.contains("epsilon") && message.contains("5e-324"),
        "{message}"
    );
    assert!(matches!(
        Rational::from_f64_exact(2f64.powi(-128), "x"),
        Err(Error::Overflow(_))
    ));
}

#[test]
fn to_f64_rounds_outward_on_tricky_values() {
    // 1/3 = 0.010101…₂: the nearest f64 (1.0/3.0) lies below, so it is the round-down.
    let third = q(1, 3);
    assert_eq!(third.to_f64_round_down(), 1.0 / 3.0);
    assert_eq!(third.to_f64_round_up(), (1.0f64 / 3.0).next_up());
    // 1/10: the nearest f64 (0.1 = 0.1000000000000000055…) lies above.
    let tenth = q(1, 10);
    assert_eq!(tenth.to_f64_round_up(), 0.1);
    assert_eq!(tenth.to_f64_round_down(), 0.1f64.next_down());
    // Exact values round to themselves.
    assert_eq!(q(3, 8).to_f64_round_up(), 0.375);
    assert_eq!(q(3, 8).to_f64_round_down(), 0.375);
    assert_eq!(Rational::zero().to_f64_round_up(), 0.0);
    // 2^53 + 1 lies between two f64s.
    let between = Rational::from_integer((1u128 << 53) + 1);
    assert_eq!(between.to_f64_round_down(), 2f64.powi(53));
    assert_eq!(between.to_f64_round_up(), 2f64.powi(53) + 2.0);
    // Largest value: 2^128 - 1 lies between 2^128 - 2^75 and 2^128.
    let max = Rational::from_integer(u128::MAX);
    assert_eq!(max.to_f64_round_up(), 2f64.powi(128));
    assert_eq!(max.to_f64_round_down(), 2f64.powi(128) - 2f64.powi(75));
    // Smallest positive value: 1/(2^128 - 1) is just above 2^-128.
    let smallest = q(1, u128::MAX);
    assert_eq!(smallest.to_f64_round_down(), 2f64.powi(-128));
    assert_eq!(smallest.to_f64_round_up(), 2f64.powi(-128).next_up());
    // Huge numerator and denominator with a value near 1.
    let near_one = q(u128::MAX - 1, u128::MAX);
    assert_eq!(near_one.to_f64_round_up(), 1.0);
    assert_eq!(near_one.to_f64_round_down(), 1.0f64.next_down());
}

#[test]
fn sqrt_round_down_known_values() {
    assert_eq!(
        Rational::from_integer(4).sqrt_round_down().unwrap(),
        Rational::from_integer(2)
    );
    assert_eq!(q(9, 16).sqrt_round_down().unwrap(), q(3, 4));
    assert_eq!(
        Rational::zero().sqrt_round_down().unwrap(),
        Rational::zero()
    );
    let root_two = Rational::from_integer(2).sqrt_round_down().unwrap();
    assert!(root_two.checked_square().unwrap() < Rational::from_integer(2));
    assert!(root_two > q(1_414_213_561, 1_000_000_000));
    let root_max = Rational::from_integer(u128::MAX).sqrt_round_down().unwrap();
    // sqrt(2^128 - 1) is just below 2^64; the bound keeps at least 30 bits of it.
    assert!(root_max <= Rational::from_integer(u128::from(u64::MAX)));
    assert!(root_max >= Rational::from_integer((1u128 << 64) - (1u128 << 35)));
    let root_min = q(1, u128::MAX).sqrt_round_down().unwrap();
    assert!(
        root_min <= power_of_two_rational(-64) && root_min > q(9_999_999_999, 10_000_000_000 << 64)
    );
}

#[test]
fn ext_rational_budget_arithmetic() {
    let three = ExtRational::from_integer(3);
    let inf = ExtRational::Infinite;
    assert!(inf > three);
    assert!(three < inf);
    assert_eq!(inf.cmp(&ExtRational::Infinite), Ordering::Equal);
    assert_eq!(inf.checked_add(&three).unwrap(), inf);
    assert_eq!(inf.checked_sub(&three).unwrap(), inf);
    assert_eq!(inf.checked_sub(&inf).unwrap(), inf);
    let message = invalid_argument_message(three.checked_sub(&inf));
    assert!(
        message.contains("inf") && message.contains('3'),
        "{message}"
    );
    assert_eq!(
        three.checked_sub(&ExtRational::from_integer(1)).unwrap(),
        ExtRational::from_integer(2)
    );
    assert_eq!(
        inf.checked_div_finite(&Rational::from_integer(7)).unwrap(),
        inf
    );
    assert_eq!(
        three
            .checked_div_finite(&Rational::from_integer(6))
            .unwrap(),
        ExtRational::Finite(q(1, 2))
    );
    assert!(matches!(
        inf.checked_mul_finite(&Rational::zero()),
        Err(Error::InvalidArgument(_))
    ));
    assert!(matches!(
        inf.checked_div_finite(&Rational::zero()),
        Err(Error::InvalidArgument(_))
    ));
    assert_eq!(
        ExtRational::from_f64_exact(f64::INFINITY, "epsilon").unwrap(),
        inf
    );
    assert_eq!(
        ExtRational::from_f64_exact(2.0, "epsilon").unwrap(),
        ExtRational::from_integer(2)
    );
    let message = invalid_argument_message(ExtRational::from_f64_exact(f64::NAN, "epsilon"));
    assert!(
        message.contains("epsilon") && message.contains("NaN"),
        "{message}"
    );
    assert!(matches!(
        ExtRational::from_f64_exact(f64::NEG_INFINITY, "epsilon"),
        Err(Error::InvalidArgument(_))
    ));
    assert_eq!(inf.to_f64_round_down(), f64::INFINITY);
    assert!(inf.is_infinite() && ExtRational::zero().is_zero() && !three.is_zero());
}

fn small_rational() -> impl Strategy<Value = Rational> {
    (0u128..=u128::from(u32::MAX), 1u128..=u128::from(u32::MAX)).prop_map(|(num, den)| q(num, den))
}

fn any_rational() -> impl Strategy<Value = Rational> {
    let part = prop_oneof![
        any::<u128>(),
        0u128..1000,
        any::<u64>().prop_map(u128::from)
    ];
    (
        part.clone(),
        part.prop_filter("positive denominator", |den| *den > 0),
    )
        .prop_map(|(num, den)| q(num, den))
}

proptest! {
    #[test]
    fn widening_mul_matches_reference(x in any::<u128>(), y in any::<u128>()) {
        prop_assert_eq!(widening_mul(x, y), reference_widening_mul(x, y));
    }

    #[test]
    fn ordering_matches_small_cross_products(a in small_rational(), b in small_rational()) {
        let expected = (a.numerator() * b.denominator()).cmp(&(b.numerator() * a.denominator()));
        prop_assert_eq!(a.cmp(&b), expected);
    }

    #[test]
    fn ordering_agrees_with_subtraction(a in any_rational(), b in any_rational()) {
        // a - b is negative exactly when a < b; otherwise it succeeds or overflows, never wraps.
        match a.checked_sub(&b) {
            Err(Error::InvalidArgument(_)) => prop_assert!(a < b),
            Err(Error::Overflow(_)) => prop_assert!(a >= b),
            Err(other) => prop_assert!(false, "unexpected error {other:?}"),
            Ok(difference) => {
                prop_assert!(a >= b);
                prop_assert_eq!(difference.is_zero(), a == b);
            }
        }
    }

    #[test]
    fn addition_is_commutative_and_associative(a in small_rational(), b in small_rational(), c in small_rational()) {
        prop_assert_eq!(a.checked_add(&b).unwrap(), b.checked_add(&a).unwrap());
        let left = a.checked_add(&b).unwrap().checked_add(&c).unwrap();
        let right = a.checked_add(&b.checked_add(&c).unwrap()).unwrap();
        prop_assert_eq!(left, right);
    }

    #[test]
    fn sub_then_add_round_trips(a in small_rational(), b in small_rational()) {
        let (larger, smaller) = if a >= b { (a, b) } else { (b, a) };
        let difference = larger.checked_sub(&smaller).unwrap();
        prop_assert_eq!(difference.checked_add(&smaller).unwrap(), larger);
        prop_assert_eq!(a.checked_add(&b).unwrap().checked_sub(&b).unwrap(), a);
    }

    #[test]
    fn mul_then_div_round_trips(a in small_rational(), b in small_rational()) {
        prop_assume!(!b.is_zero());
        prop_assert_eq!(a.checked_mul(&b).unwrap().checked_div(&b).unwrap(), a);
    }

    #[test]
    fn results_are_reduced(a in any_rational(), b in any_rational()) {
        for result in [a.checked_add(&b), a.checked_mul(&b), a.checked_div(&b)].into_iter().flatten() {
            prop_assert_eq!(gcd(result.numerator(), result.denominator()), 1);
        }
    }

    #[test]
    fn from_f64_exact_reconstructs_the_same_bits(fraction in 0u64..(1u64 << 52), biased_exponent in 0u64..(1023 + 129)) {
        let x = f64::from_bits((biased_exponent << 52) | fraction);
        match Rational::from_f64_exact(x, "x") {
            Ok(exact) => {
                // Denominators are powers of two and numerators have at most 53 significant bits, so this
                // float division is exact: an independent reconstruction.
                let rebuilt = exact.numerator() as f64 / exact.denominator() as f64;
                prop_assert_eq!(rebuilt.to_bits(), x.to_bits());
                prop_assert_eq!(exact.to_f64_round_down().to_bits(), x.to_bits());
                prop_assert_eq!(exact.to_f64_round_up().to_bits(), x.to_bits());
            }
            Err(error) => {
                prop_assert!(matches!(error, Error::Overflow(_)));
                // Overflow exactly when x >= 2^128 or x has a set bit below 2^-127 (scaling by a power of two
                // is exact in f64).
                let needs_smaller_bits = (x * 2f64.powi(127)).fract() != 0.0;
                prop_assert!(x >= 2f64.powi(128) || needs_smaller_bits, "{x:e} should have fitted");
            }
        }
    }

    #[test]
    fn to_f64_brackets_the_exact_value_tightly(r in any_rational()) {
        let down = r.to_f64_round_down();
        let up = r.to_f64_round_up();
        prop_assert!(up == down || up == down.next_up(), "{r}: {down} .. {up}");
        // Exact comparisons: below 2^-74 the f64 does not convert back into u128/u128, and 2^128 is above
        // every Rational.
        if down >= 2f64.powi(-74) {
            prop_assert!(Rational::from_f64_exact(down, "down").unwrap() <= r);
        }
        if up < 2f64.powi(128) && up >= 2f64.powi(-74) {
            prop_assert!(Rational::from_f64_exact(up, "up").unwrap() >= r);
        }
        prop_assert_eq!(up == down, Rational::from_f64_exact(down, "down").is_ok_and(|d| d == r));
    }

    #[test]
    fn sqrt_round_down_is_a_tight_lower_bound(r in any_rational()) {
        let root = r.sqrt_round_down().unwrap();
        if let Ok(square) = root.checked_square() {
            prop_assert!(square <= r, "sqrt({r}) gave {root}");
        }
        // Tightness (in floats, outward): root >= sqrt(r)·(1 - 2^-29).
        let floor = r.to_f64_round_down().sqrt() * (1.0 - 2f64.powi(-29));
        prop_assert!(root.to_f64_round_up() >= floor, "sqrt({r}) gave {root}");
    }
}

#[test]
fn floor_log2_and_powers_of_two_on_hand_values() {
    let q = |n: u128, d: u128| Rational::new(n, d).unwrap();
    assert_eq!(q(1, 1).floor_log2(), Ok(0));
    assert_eq!(q(3, 2).floor_log2(), Ok(0));
    assert_eq!(q(2, 1).floor_log2(), Ok(1));
    assert_eq!(q(1_048_575, 1_048_576).floor_log2(), Ok(-1));
    assert_eq!(q(1, 3).floor_log2(), Ok(-2)); // 1/4 ≤ 1/3 < 1/2
    assert_eq!(q(u128::MAX, 1).floor_log2(), Ok(127));
    assert_eq!(q(1, u128::MAX).floor_log2(), Ok(-128));
    assert_eq!(q(1, 1 << 127).floor_log2(), Ok(-127));
    assert!(Rational::zero().floor_log2().is_err());
    assert_eq!(Rational::power_of_two(-3), Ok(q(1, 8)));
    assert_eq!(Rational::power_of_two(127), Ok(q(1 << 127, 1)));
    assert!(matches!(
        Rational::power_of_two(128),
        Err(crate::Error::Overflow(_))
    ));
    assert_eq!(q(3, 7).checked_reciprocal(), Ok(q(7, 3)));
}

/// `x` in 512 bits.
fn wide(x: u128) -> crate::sample::wide::U512 {
    crate::sample::wide::U512::from_u128(x)
}

fn mul3(x: u128, y: u128, z: u128) -> crate::sample::wide::U512 {
    wide(x)
        .checked_mul(&wide(y))
        .and_then(|xy| xy.checked_mul(&wide(z)))
        .unwrap()
}

#[test]
fn div_round_up_is_exact_when_the_quotient_fits() {
    assert_eq!(q(3, 4).div_round_up(&q(1, 2)), Ok(q(3, 2)));
    assert!(matches!(
        q(1, 1).div_round_up(&Rational::zero()),
        Err(Error::InvalidArgument(_))
    ));
    assert_eq!(
        Rational::zero().div_round_up(&q(1, u128::MAX)),
        Ok(Rational::zero())
    );
}

#[test]
fn div_round_up_and_mul_round_down_round_where_the_exact_value_does_not_fit() {
    // 2/(3/2^127) = 2^128/3 ≈ 1.1e38 fits as a value but not as a reduced fraction: rounded up to
    // ceil(2^129/3)/2 (k = 1 is the largest shift that fits).
    let two_over_tiny = q(2, 1).div_round_up(&q(3, 1 << 127)).unwrap();
    assert_eq!(two_over_tiny, q(2 * (u128::MAX / 3) + 1, 2));
    // (2^127 + 1)/(2^127 + 3) · 2 ≈ 2: neither 2·num nor 2·den fits; the bound is below by < 2^-126.
    let odd = q((1 << 127) + 1, (1 << 127) + 3);
    let doubled = odd.mul_round_down(&q(2, 1)).unwrap();
    assert!(doubled < q(2, 1) && q(2, 1).checked_sub(&doubled).unwrap() <= q(1, 1 << 124));
    // Quotients of 2^128 and more do not fit at all.
    assert!(matches!(
        q(u128::MAX, 1).div_round_up(&q(1, 2)),
        Err(Error::Overflow(_))
    ));
    assert!(matches!(
        q(u128::MAX, 1).mul_round_down(&q(2, 1)),
        Err(Error::Overflow(_))
    ));
    // A quotient just below 2^128 that fits stays exact.
    let just_below = q(u128::MAX - 1, 3).div_round_up(&q(1, 3)).unwrap();
    assert_eq!(just_below, q(u128::MAX - 1, 1));
}

proptest! {
    #[test]
    fn div_round_up_is_a_tight_upper_bound(
        an in 0u128.., ad in 1u128.., bn in 1u128.., bd in 1u128..,
    ) {
        let (a, b) = (q(an, ad), q(bn, bd));
        // a/b = N/D with N = a.num·b.den, D = a.den·b.num.
        let (n_lo, n_hi) = (a.numerator(), b.denominator());
        let (d_lo, d_hi) = (a.denominator(), b.numerator());
        match a.div_round_up(&b) {
            Ok(bound) => {
                let (c, e) = (bound.numerator(), bound.denominator());
                // c/e >= N/D  ⇔  c·D >= N·e
                prop_assert!(mul3(c, d_lo, d_hi) >= mul3(n_lo, n_hi, e));
                // Below 1 the bound has k = 127: c/e − N/D < 2^-127 ⇔ (c·D − N·e)·2^127 < e·D.
                if bound < Rational::one() {
                    let excess = mul3(c, d_lo, d_hi).checked_sub(&mul3(n_lo, n_hi, e)).unwrap();
                    let scaled = excess.checked_mul(&wide(1u128 << 127)).unwrap();
                    prop_assert!(scaled < mul3(e, d_lo, d_hi));
                }
            }
            Err(Error::Overflow(_)) => {
                // N/D > u128::MAX ⇔ N > u128::MAX·D.
                prop_assert!(mul3(n_lo, n_hi, 1) > mul3(u128::MAX, d_lo, d_hi));
            }
            Err(other) => prop_assert!(false, "{other}"),
        }
    }

    #[test]
    fn mul_round_down_is_a_lower_bound(
        an in 0u128.., ad in 1u128.., bn in 0u128.., bd in 1u128..,
    ) {
        let (a, b) = (q(an, ad), q(bn, bd));
        if let Ok(bound) = a.mul_round_down(&b) {
            let (c, e) = (bound.numerator(), bound.denominator());
            // c/e <= a·b ⇔ c·a.den·b.den <= a.num·b.num·e
            prop_assert!(mul3(c, a.denominator(), b.denominator()) <= mul3(a.numerator(), b.numerator(), e));
        }
    }
}
