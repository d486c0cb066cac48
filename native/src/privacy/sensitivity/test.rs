use super::*;
use crate::error::Error;
use Constraint::MaxRowsPerID as Rows;
use ProtectedChange::{AddMaxRows, AddOneRow, AddRowsWithID};

use crate::privacy::test_support::{by, groups_on_g, rows_per_group_on_g};

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
        (
            AddRowsWithID,
            vec![groups_on_g(3), rows_per_group_on_g(2)],
            6,
            12,
        ),
        (
            AddRowsWithID,
            vec![rows_per_group_on_g(2), groups_on_g(3)],
            6,
            12,
        ),
        // k = 4 with (3, 2): L1 = min(4, 6) = 4, L2² = min(16, 12) = 12.
        (
            AddRowsWithID,
            vec![Rows(4), groups_on_g(3), rows_per_group_on_g(2)],
            4,
            12,
        ),
        // k = 10 with (3, 2): L1 = min(10, 6) = 6, L2² = min(100, 12) = 12.
        (
            AddRowsWithID,
            vec![groups_on_g(3), rows_per_group_on_g(2), Rows(10)],
            6,
            12,
        ),
        // k = 2 with (3, 2): L1 = 2, L2² = min(4, 12) = 4.
        (
            AddRowsWithID,
            vec![Rows(2), groups_on_g(3), rows_per_group_on_g(2)],
            2,
            4,
        ),
        // Both MaxRowsPerID constraints hold, so the smaller bounds.
        (AddRowsWithID, vec![Rows(20), Rows(5)], 5, 25),
        // One group per ID: L2 = L1 = r.
        (
            AddRowsWithID,
            vec![groups_on_g(1), rows_per_group_on_g(7)],
            7,
            49,
        ),
        // r = 1 row in each of g = 9 groups: L1 = 9, L2 = 3.
        (
            AddRowsWithID,
            vec![groups_on_g(9), rows_per_group_on_g(1)],
            9,
            9,
        ),
    ];
    for (change, constraints, l1, l2_squared) in table {
        let expected = s(n(l1), n(l2_squared));
        assert_eq!(
            count_sensitivities(&change, &constraints, &by(&["g"])).unwrap(),
            expected,
            "{change:?} {constraints:?}"
        );
        assert_eq!(
            count_l1_sensitivity(&change, &constraints, &by(&["g"])).unwrap(),
            n(l1)
        );
        assert_eq!(
            count_l2_sensitivity_squared(&change, &constraints, &by(&["g"])).unwrap(),
            n(l2_squared)
        );
    }
}

#[test]
fn large_bounds_stay_exact() {
    let huge = u64::MAX;
    let expected = s(n(u128::from(huge)), n(u128::from(huge) * u128::from(huge)));
    assert_eq!(
        count_sensitivities(&AddMaxRows { max_rows: huge }, &[], &by(&["g"])).unwrap(),
        expected
    );
    // g·r² = 2^64 · (2^64)² does not fit: an error, never a wrapped value.
    let result = count_sensitivities(
        &AddRowsWithID,
        &[groups_on_g(huge), rows_per_group_on_g(huge)],
        &by(&["g"]),
    );
    assert!(matches!(result, Err(Error::Overflow(_))), "{result:?}");
}

#[test]
fn id_protection_without_a_usable_bound_is_tumults_unsupported_query() {
    let unusable = [
        vec![],
        vec![groups_on_g(3)],
        vec![rows_per_group_on_g(2)],
        // A pair on different columns bounds nothing.
        vec![groups_on("a", 3), rows_per_group_on("b", 2)],
    ];
    for constraints in unusable {
        let result = count_sensitivities(&AddRowsWithID, &constraints, &by(&["g"]));
        assert_eq!(
            result,
            Err(Error::UnsupportedQuery(
                "A constraint on the number of rows contributed by each ID is needed to perform this \
                 query (e.g. MaxRowsPerID)."
                    .to_string()
            )),
            "{constraints:?}"
        );
        assert!(matches!(
            max_changed_cells(&AddRowsWithID, &constraints, &by(&["g"])),
            Err(Error::UnsupportedQuery(_))
        ));
    }
}

/// `AddMaxRowsInMaxGroups{c, g, r}`: L1 = g·r; L2² = g·r² grouped by c, (g·r)² otherwise; constraints
/// ignored; changed cells g when grouped by exactly [c], else g·r.
#[test]
fn add_max_rows_in_max_groups_sensitivities() {
    let change = |column: &str, groups: u64, rows: u64| ProtectedChange::AddMaxRowsInMaxGroups {
        grouping_column: column.to_string(),
        max_groups: groups,
        max_rows_per_group: rows,
    };
    let table: Vec<(ProtectedChange, Vec<&str>, u128, u128, u64)> = vec![
        (change("c", 3, 2), vec!["c"], 6, 12, 3),
        (change("c", 3, 2), vec!["x", "c"], 6, 12, 6),
        (change("c", 3, 2), vec!["x"], 6, 36, 6),
        (change("c", 3, 2), vec![], 6, 36, 6),
        (change("c", 1, 1), vec!["c"], 1, 1, 1),
        (change("c", 4, 1), vec!["c"], 4, 4, 4),
        (change("c", 1, 5), vec!["c"], 5, 25, 1),
        // Column names compare exactly.
        (change("C", 3, 2), vec!["c"], 6, 36, 6),
    ];
    for (change, groupby, l1, l2_squared, cells) in table {
        let groupby = by(&groupby);
        for constraints in [vec![], vec![Rows(1)]] {
            assert_eq!(
                count_sensitivities(&change, &constraints, &groupby).unwrap(),
                s(n(l1), n(l2_squared)),
                "{change:?} by {groupby:?}"
            );
            assert_eq!(
                max_changed_cells(&change, &constraints, &groupby).unwrap(),
                cells,
                "{change:?} by {groupby:?}"
            );
        }
    }
    for (groups, rows, name) in [(0, 2, "max_groups"), (3, 0, "max_rows_per_group")] {
        let message = invalid_argument_message(count_sensitivities(
            &change("c", groups, rows),
            &[],
            &by(&["c"]),
        ));
        assert!(
            message.starts_with(&format!("{name} must be positive")),
            "{message}"
        );
    }
    let huge = u64::MAX;
    assert!(matches!(
        max_changed_cells(&change("c", huge, 2), &[], &by(&["x"])),
        Err(Error::Overflow(_))
    ));
}

#[test]
fn zero_bounds_are_rejected() {
    let message =
        invalid_argument_message(count_sensitivities(&AddRowsWithID, &[Rows(0)], &by(&["g"])));
    assert!(
        message.contains("MaxRowsPerID") && message.contains('0'),
        "{message}"
    );
    let message = invalid_argument_message(count_sensitivities(
        &AddRowsWithID,
        &[Rows(3), rows_per_group_on_g(0)],
        &by(&["g"]),
    ));
    assert!(message.contains("MaxRowsPerGroupPerID"), "{message}");
}

#[test]
fn a_change_no_input_change_alters_has_zero_sensitivities() {
    // AddMaxRows(0): a flat map's output with max_rows=0 (Tumult's stability 0).
    for groupby in [by(&[]), by(&["g"])] {
        assert_eq!(
            count_sensitivities(&AddMaxRows { max_rows: 0 }, &[], &groupby).unwrap(),
            s(n(0), n(0))
        );
    }
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
        sum_sensitivities(&AddOneRow, &[], &by(&["g"]), &bounds).unwrap(),
        s(n(5), n(25))
    );
    assert_eq!(
        sum_sensitivities(&AddMaxRows { max_rows: 2 }, &[], &by(&["g"]), &bounds).unwrap(),
        s(n(10), n(100))
    );
    assert_eq!(
        sum_sensitivities(&AddRowsWithID, &[Rows(20)], &by(&["g"]), &bounds).unwrap(),
        s(n(100), n(10_000))
    );
    assert_eq!(
        sum_sensitivities(
            &AddRowsWithID,
            &[groups_on_g(3), rows_per_group_on_g(2)],
            &by(&["g"]),
            &bounds
        )
        .unwrap(),
        s(n(30), n(300))
    );
    let bounds = ClampBounds::from_integers(-7, 2).unwrap();
    assert_eq!(
        sum_sensitivities(&AddOneRow, &[], &by(&["g"]), &bounds).unwrap(),
        s(n(7), n(49))
    );
    let bounds = ClampBounds::from_f64(0.0, 0.5).unwrap();
    assert_eq!(
        sum_sensitivities(&AddMaxRows { max_rows: 3 }, &[], &by(&["g"]), &bounds).unwrap(),
        s(q(3, 2), q(9, 4))
    );
    let result = sum_sensitivities(&AddRowsWithID, &[], &by(&["g"]), &bounds);
    assert!(
        matches!(&result, Err(Error::UnsupportedQuery(message)) if message.contains("MaxRowsPerID")),
        "{result:?}"
    );
}

#[test]
fn average_sensitivity_table() {
    // [-3, 5]: midpoint 1, half-width 4.
    let bounds = ClampBounds::from_integers(-3, 5).unwrap();
    let average = average_sensitivities(&AddOneRow, &[], &by(&["g"]), &bounds).unwrap();
    assert_eq!(
        average,
        AverageSensitivities {
            shifted_sum: s(n(4), n(16)),
            count: s(n(1), n(1))
        }
    );
    // [0, 10] with MaxRowsPerID(20): shifted sum 5·20 = 100, L2² 25·400; count 20, 400.
    let bounds = ClampBounds::from_integers(0, 10).unwrap();
    let average = average_sensitivities(&AddRowsWithID, &[Rows(20)], &by(&["g"]), &bounds).unwrap();
    assert_eq!(
        average,
        AverageSensitivities {
            shifted_sum: s(n(100), n(10_000)),
            count: s(n(20), n(400))
        }
    );
    // [0, 1]: half-width 1/2.
    let bounds = ClampBounds::from_integers(0, 1).unwrap();
    let average = average_sensitivities(&AddOneRow, &[], &by(&["g"]), &bounds).unwrap();
    assert_eq!(average.shifted_sum, s(q(1, 2), q(1, 4)));
}

#[test]
fn variance_sensitivity_table() {
    // [0, 10], AddOneRow: (v − 5)² <= 25.
    let bounds = ClampBounds::from_integers(0, 10).unwrap();
    let variance = variance_sensitivities(&AddOneRow, &[], &by(&["g"]), &bounds).unwrap();
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
    let variance = variance_sensitivities(
        &AddRowsWithID,
        &[groups_on_g(3), rows_per_group_on_g(2)],
        &by(&["g"]),
        &bounds,
    )
    .unwrap();
    assert_eq!(variance.shifted_sum_of_squares, s(n(6), n(12)));
    assert_eq!(variance.shifted_sum, s(n(6), n(12)));
    assert_eq!(variance.count, s(n(6), n(12)));
    // [-1, 2], AddMaxRows(2): half-width 3/2, squares <= 9/4: L1 = 2·9/4 = 9/2, L2² = 4·81/16 = 81/4.
    let bounds = ClampBounds::from_integers(-1, 2).unwrap();
    let variance =
        variance_sensitivities(&AddMaxRows { max_rows: 2 }, &[], &by(&["g"]), &bounds).unwrap();
    assert_eq!(variance.shifted_sum_of_squares, s(q(9, 2), q(81, 4)));
    assert_eq!(variance.shifted_sum, s(n(3), n(9)));
}

fn groups_on(column: &str, max: u64) -> Constraint {
    Constraint::MaxGroupsPerID {
        grouping_column: column.to_string(),
        max,
    }
}

fn rows_per_group_on(column: &str, max: u64) -> Constraint {
    Constraint::MaxRowsPerGroupPerID {
        grouping_column: column.to_string(),
        max,
    }
}

/// Hand-derived: the (MaxGroupsPerID, MaxRowsPerGroupPerID) pair counts only on one column, and gives
/// L2² = g·r² only when the count groups by that column (else (g·r)², as all rows may meet in one group).
#[test]
fn per_group_constraints_depend_on_the_groupby_columns() {
    let pair = [groups_on("isbn", 3), rows_per_group_on("isbn", 2)];
    let sensitivities = |constraints: &[Constraint], columns: &[&str]| {
        count_sensitivities(&AddRowsWithID, constraints, &by(columns))
    };
    // Grouped by isbn (alone or with other columns): L1 = 6, L2² = 3·4 = 12.
    assert_eq!(sensitivities(&pair, &["isbn"]), Ok(s(n(6), n(12))));
    assert_eq!(sensitivities(&pair, &["title", "isbn"]), Ok(s(n(6), n(12))));
    // Not grouped by isbn: L1 = L2 = 6, L2² = 36.
    assert_eq!(sensitivities(&pair, &["title"]), Ok(s(n(6), n(36))));
    assert_eq!(sensitivities(&pair, &[]), Ok(s(n(6), n(36))));
    // Column names compare exactly (no case folding here: the JVM resolves names before calling).
    assert_eq!(sensitivities(&pair, &["ISBN"]), Ok(s(n(6), n(36))));
    // With MaxRowsPerID(5) and not grouped by isbn: L1 = min(5, 6) = 5, L2² = min(25, 36) = 25.
    let with_rows = [Rows(5), groups_on("isbn", 3), rows_per_group_on("isbn", 2)];
    assert_eq!(sensitivities(&with_rows, &["title"]), Ok(s(n(5), n(25))));
    // Grouped by isbn: L1 = 5, L2² = min(25, 12) = 12.
    assert_eq!(sensitivities(&with_rows, &["isbn"]), Ok(s(n(5), n(12))));
    // Pairs on two columns: each is a candidate. (a: g=2, r=5 → 10, 50; b: g=4, r=1 → 4, 4 when grouped
    // by b.) Grouped by a only: a gives (10, 50), b gives (4, 16): L1 = 4, L2² = 16.
    let two = [
        groups_on("a", 2),
        rows_per_group_on("a", 5),
        groups_on("b", 4),
        rows_per_group_on("b", 1),
    ];
    assert_eq!(sensitivities(&two, &["a"]), Ok(s(n(4), n(16))));
    assert_eq!(sensitivities(&two, &["b"]), Ok(s(n(4), n(4))));
    // The smallest bound on the same column holds: MaxGroupsPerID(isbn, 3) and (isbn, 2) → g = 2.
    let repeated = [
        groups_on("isbn", 3),
        groups_on("isbn", 2),
        rows_per_group_on("isbn", 2),
    ];
    assert_eq!(sensitivities(&repeated, &["isbn"]), Ok(s(n(4), n(8))));
    // A pair on different columns bounds nothing (Tumult has no rule for it).
    let mismatched = [groups_on("a", 3), rows_per_group_on("b", 2)];
    assert!(matches!(
        sensitivities(&mismatched, &["a", "b"]),
        Err(Error::UnsupportedQuery(_))
    ));
    // Column names with separators are ordinary names here.
    let odd = [groups_on("a:b;c", 3), rows_per_group_on("a:b;c", 2)];
    assert_eq!(sensitivities(&odd, &["a:b;c"]), Ok(s(n(6), n(12))));
}

/// Hand-derived: how many cells one change can alter.
#[test]
fn max_changed_cells_on_hand_values() {
    let cells = |change: &ProtectedChange, constraints: &[Constraint], columns: &[&str]| {
        max_changed_cells(change, constraints, &by(columns))
    };
    assert_eq!(cells(&AddOneRow, &[], &["a"]), Ok(1));
    assert_eq!(cells(&AddMaxRows { max_rows: 4 }, &[], &["a"]), Ok(4));
    assert_eq!(cells(&AddRowsWithID, &[Rows(20), Rows(7)], &["a"]), Ok(7));
    let pair = [groups_on("isbn", 3), rows_per_group_on("isbn", 2)];
    // Grouped by exactly isbn: one cell per isbn value, 3. With another column: up to 3·2 rows, 6.
    assert_eq!(cells(&AddRowsWithID, &pair, &["isbn"]), Ok(3));
    assert_eq!(cells(&AddRowsWithID, &pair, &["isbn", "title"]), Ok(6));
    assert_eq!(cells(&AddRowsWithID, &pair, &["title"]), Ok(6));
    let with_rows = [Rows(4), groups_on("isbn", 3), rows_per_group_on("isbn", 2)];
    assert_eq!(cells(&AddRowsWithID, &with_rows, &["title"]), Ok(4));
    assert_eq!(cells(&AddRowsWithID, &with_rows, &["isbn"]), Ok(3));
    assert!(cells(&AddRowsWithID, &[groups_on("isbn", 3)], &["isbn"]).is_err());
    let huge = [groups_on("a", u64::MAX), rows_per_group_on("a", 2)];
    assert!(matches!(
        cells(&AddRowsWithID, &huge, &["b"]),
        Err(Error::Overflow(_)) | Err(Error::InvalidArgument(_))
    ));
}
