use super::*;
use crate::error::Error;
use Constraint::{
    MaxGroupsPerID as Groups, MaxRowsPerGroupPerID as RowsPerGroup, MaxRowsPerID as Rows,
};
use ProtectedChange::{AddMaxRows, AddOneRow, AddRowsWithID};

fn q(num: u128, den: u128) -> Rational {
    Rational::new(num, den).unwrap()
}

fn n(value: u128) -> Rational {
    Rational::from_integer(value)
}

fn s(l1: Rational, l2_squared: Rational) -> Sensitivities {
    Sensitivities { l1, l2_squared }
}

fn invalid_argument_message<T: std::fmt::Debug>(result: Result<T>) -> String {
    match result {
        Err(Error::InvalidArgument(message)) => message,
        other => panic!("expected InvalidArgument, got {other:?}"),
    }
}

/// Hand-derived count sensitivities: (change, constraints, L1, L2²).
#[test]
fn count_sensitivity_table() {
    let table: Vec<(ProtectedChange, Vec<Constraint>, u128, u128)> = vec![
        (AddOneRow, vec![], 1, 1),
        // Constraints do not apply to row-protected tables.
        (AddOneRow, vec![Rows(5)], 1, 1),
        (AddMaxRows { max_rows: 5 }, vec![], 5, 25),
        (AddMaxRows { max_rows: 1 }, vec![], 1, 1),
        (AddRowsWithID, vec![Rows(20)], 20, 400),
        (AddRowsWithID, vec![Rows(1)], 1, 1),
        // g = 3 groups of r = 2 rows: L1 = 6, L2² = 3·2² = 12.
        (AddRowsWithID, vec![Groups(3), RowsPerGroup(2)], 6, 12),
        (AddRowsWithID, vec![RowsPerGroup(2), Groups(3)], 6, 12),
        // k = 4 with (3, 2): L1 = min(4, 6) = 4, L2² = min(16, 12) = 12.
        (
            AddRowsWithID,
            vec![Rows(4), Groups(3), RowsPerGroup(2)],
            4,
            12,
        ),
        // k = 10 with (3, 2): L1 = min(10, 6) = 6, L2² = min(100, 12) = 12.
        (
            AddRowsWithID,
            vec![Groups(3), RowsPerGroup(2), Rows(10)],
            6,
            12,
        ),
        // k = 2 with (3, 2): L1 = 2, L2² = min(4, 12) = 4.
        (
            AddRowsWithID,
            vec![Rows(2), Groups(3), RowsPerGroup(2)],
            2,
            4,
        ),
        // Both MaxRowsPerID constraints hold, so the smaller bounds.
        (AddRowsWithID, vec![Rows(20), Rows(5)], 5, 25),
        // One group per ID: L2 = L1 = r.
        (AddRowsWithID, vec![Groups(1), RowsPerGroup(7)], 7, 49),
        // r = 1 row in each of g = 9 groups: L1 = 9, L2 = 3.
        (AddRowsWithID, vec![Groups(9), RowsPerGroup(1)], 9, 9),
    ];
    for (change, constraints, l1, l2_squared) in table {
        let expected = s(n(l1), n(l2_squared));
        assert_eq!(
            count_sensitivities(&change, &constraints).unwrap(),
            expected,
            "{change:?} {constraints:?}"
        );
        assert_eq!(count_l1_sensitivity(&change, &constraints).unwrap(), n(l1));
        assert_eq!(
            count_l2_sensitivity_squared(&change, &constraints).unwrap(),
            n(l2_squared)
        );
    }
}

#[test]
fn large_bounds_stay_exact() {
    let huge = u64::MAX;
    let expected = s(n(u128::from(huge)), n(u128::from(huge) * u128::from(huge)));
    assert_eq!(
        count_sensitivities(&AddMaxRows { max_rows: huge }, &[]).unwrap(),
        expected
    );
    // g·r² = 2^64 · (2^64)² does not fit: an error, never a wrapped value.
    let result = count_sensitivities(&AddRowsWithID, &[Groups(huge), RowsPerGroup(huge)]);
    assert!(matches!(result, Err(Error::Overflow(_))), "{result:?}");
}

#[test]
fn id_protection_without_a_bound_names_the_needed_constraint() {
    for constraints in [vec![], vec![Groups(3)], vec![RowsPerGroup(2)]] {
        let message = invalid_argument_message(count_sensitivities(&AddRowsWithID, &constraints));
        assert!(message.contains("MaxRowsPerID"), "{message}");
        assert!(
            message.contains("MaxGroupsPerID and MaxRowsPerGroupPerID"),
            "{message}"
        );
        assert!(message.contains("AddRowsWithID"), "{message}");
    }
    let message = invalid_argument_message(count_sensitivities(&AddRowsWithID, &[Groups(3)]));
    assert!(message.contains("given: [MaxGroupsPerID(3)]"), "{message}");
}

#[test]
fn zero_bounds_are_rejected() {
    let message = invalid_argument_message(count_sensitivities(&AddRowsWithID, &[Rows(0)]));
    assert!(
        message.contains("MaxRowsPerID") && message.contains('0'),
        "{message}"
    );
    let message = invalid_argument_message(count_sensitivities(
        &AddRowsWithID,
        &[Rows(3), RowsPerGroup(0)],
    ));
    assert!(message.contains("MaxRowsPerGroupPerID"), "{message}");
    let message = invalid_argument_message(count_sensitivities(&AddMaxRows { max_rows: 0 }, &[]));
    assert!(
        message.contains("max_rows") && message.contains('0'),
        "{message}"
    );
}

#[test]
fn clamp_bounds() {
    let bounds = ClampBounds::from_integers(-3, 5).unwrap();
    assert_eq!(
        (
            bounds.max_abs(),
            bounds.width(),
            bounds.half_width().unwrap()
        ),
        (n(5), n(8), n(4))
    );
    let bounds = ClampBounds::from_integers(-7, 2).unwrap();
    assert_eq!((bounds.max_abs(), bounds.width()), (n(7), n(9)));
    let bounds = ClampBounds::from_integers(-9, -4).unwrap();
    assert_eq!((bounds.max_abs(), bounds.width()), (n(9), n(5)));
    let bounds = ClampBounds::from_integers(i64::MIN, i64::MAX).unwrap();
    assert_eq!(
        (bounds.max_abs(), bounds.width()),
        (n(1u128 << 63), n(u128::from(u64::MAX)))
    );
    let bounds = ClampBounds::from_integers(4, 4).unwrap();
    assert_eq!(bounds.width(), n(0));
    let bounds = ClampBounds::from_f64(-0.5, 1.5).unwrap();
    assert_eq!(
        (
            bounds.max_abs(),
            bounds.width(),
            bounds.half_width().unwrap()
        ),
        (q(3, 2), n(2), n(1))
    );
    let bounds = ClampBounds::from_f64(-0.0, 0.0).unwrap();
    assert_eq!(bounds.width(), n(0));
    let bounds = ClampBounds::from_f64(0.1, 0.1).unwrap();
    assert_eq!(
        bounds.max_abs(),
        Rational::from_f64_exact(0.1, "x").unwrap()
    );

    let message = invalid_argument_message(ClampBounds::from_integers(5, 3));
    assert!(
        message.contains("(5)") && message.contains("(3)"),
        "{message}"
    );
    let message = invalid_argument_message(ClampBounds::from_integers(-1, -2));
    assert!(
        message.contains("(-1)") && message.contains("(-2)"),
        "{message}"
    );
    let message = invalid_argument_message(ClampBounds::from_f64(1.0, 0.5));
    assert!(
        message.contains("(1)") && message.contains("(0.5)"),
        "{message}"
    );
    let message = invalid_argument_message(ClampBounds::from_f64(-1.0, -2.5));
    assert!(
        message.contains("(-1)") && message.contains("(-2.5)"),
        "{message}"
    );
    let message = invalid_argument_message(ClampBounds::from_f64(f64::NAN, 1.0));
    assert!(
        message.contains("lower bound") && message.contains("NaN"),
        "{message}"
    );
    let message = invalid_argument_message(ClampBounds::from_f64(0.0, f64::INFINITY));
    assert!(
        message.contains("upper bound") && message.contains("inf"),
        "{message}"
    );
}

#[test]
fn sum_sensitivity_table() {
    let bounds = ClampBounds::from_integers(-3, 5).unwrap();
    // c = max(|L|, |U|) = 5: L1 = 5·L1_count, L2² = 25·L2²_count.
    assert_eq!(
        sum_sensitivities(&AddOneRow, &[], &bounds).unwrap(),
        s(n(5), n(25))
    );
    assert_eq!(
        sum_sensitivities(&AddMaxRows { max_rows: 2 }, &[], &bounds).unwrap(),
        s(n(10), n(100))
    );
    assert_eq!(
        sum_sensitivities(&AddRowsWithID, &[Rows(20)], &bounds).unwrap(),
        s(n(100), n(10_000))
    );
    assert_eq!(
        sum_sensitivities(&AddRowsWithID, &[Groups(3), RowsPerGroup(2)], &bounds).unwrap(),
        s(n(30), n(300))
    );
    let bounds = ClampBounds::from_integers(-7, 2).unwrap();
    assert_eq!(
        sum_sensitivities(&AddOneRow, &[], &bounds).unwrap(),
        s(n(7), n(49))
    );
    let bounds = ClampBounds::from_f64(0.0, 0.5).unwrap();
    assert_eq!(
        sum_sensitivities(&AddMaxRows { max_rows: 3 }, &[], &bounds).unwrap(),
        s(q(3, 2), q(9, 4))
    );
    let message = invalid_argument_message(sum_sensitivities(&AddRowsWithID, &[], &bounds));
    assert!(message.contains("MaxRowsPerID"), "{message}");
}

#[test]
fn average_sensitivity_table() {
    // [-3, 5]: midpoint 1, half-width 4.
    let bounds = ClampBounds::from_integers(-3, 5).unwrap();
    let average = average_sensitivities(&AddOneRow, &[], &bounds).unwrap();
    assert_eq!(
        average,
        AverageSensitivities {
            shifted_sum: s(n(4), n(16)),
            count: s(n(1), n(1))
        }
    );
    // [0, 10] with MaxRowsPerID(20): shifted sum 5·20 = 100, L2² 25·400; count 20, 400.
    let bounds = ClampBounds::from_integers(0, 10).unwrap();
    let average = average_sensitivities(&AddRowsWithID, &[Rows(20)], &bounds).unwrap();
    assert_eq!(
        average,
        AverageSensitivities {
            shifted_sum: s(n(100), n(10_000)),
            count: s(n(20), n(400))
        }
    );
    // [0, 1]: half-width 1/2.
    let bounds = ClampBounds::from_integers(0, 1).unwrap();
    let average = average_sensitivities(&AddOneRow, &[], &bounds).unwrap();
    assert_eq!(average.shifted_sum, s(q(1, 2), q(1, 4)));
}

#[test]
fn variance_sensitivity_table() {
    // [0, 10], AddOneRow: (v − 5)² <= 25.
    let bounds = ClampBounds::from_integers(0, 10).unwrap();
    let variance = variance_sensitivities(&AddOneRow, &[], &bounds).unwrap();
    assert_eq!(
        variance,
        VarianceSensitivities {
            shifted_sum_of_squares: s(n(25), n(625)),
            shifted_sum: s(n(5), n(25)),
            count: s(n(1), n(1)),
        }
    );
    // [2, 4] with g = 3, r = 2: half-width 1, squares <= 1: every part has the count's (6, 12).
    let bounds = ClampBounds::from_integers(2, 4).unwrap();
    let variance =
        variance_sensitivities(&AddRowsWithID, &[Groups(3), RowsPerGroup(2)], &bounds).unwrap();
    assert_eq!(variance.shifted_sum_of_squares, s(n(6), n(12)));
    assert_eq!(variance.shifted_sum, s(n(6), n(12)));
    assert_eq!(variance.count, s(n(6), n(12)));
    // [-1, 2], AddMaxRows(2): half-width 3/2, squares <= 9/4: L1 = 2·9/4 = 9/2, L2² = 4·81/16 = 81/4.
    let bounds = ClampBounds::from_integers(-1, 2).unwrap();
    let variance = variance_sensitivities(&AddMaxRows { max_rows: 2 }, &[], &bounds).unwrap();
    assert_eq!(variance.shifted_sum_of_squares, s(q(9, 2), q(81, 4)));
    assert_eq!(variance.shifted_sum, s(n(3), n(9)));
}
