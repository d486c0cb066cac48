use super::*;
use crate::error::Error;

fn rows(max: u64) -> Constraint {
    Constraint::MaxRowsPerID(max)
}

fn groups(column: &str, max: u64) -> Constraint {
    Constraint::MaxGroupsPerID {
        grouping_column: column.to_string(),
        max,
    }
}

fn rows_per_group(column: &str, max: u64) -> Constraint {
    Constraint::MaxRowsPerGroupPerID {
        grouping_column: column.to_string(),
        max,
    }
}

fn columns(names: &[&str]) -> Vec<String> {
    names.iter().map(|name| name.to_string()).collect()
}

fn invalid_message(result: Result<impl std::fmt::Debug>) -> String {
    match result {
        Err(Error::InvalidArgument(message)) => message,
        other => panic!("expected an InvalidArgument error, got {other:?}"),
    }
}

#[test]
fn enforcing_adds_the_constraint_and_keeps_the_smallest_of_each_kind() {
    assert_eq!(
        propagate(&[], &ConstraintStep::Enforce(rows(3))).unwrap(),
        vec![rows(3)]
    );
    assert_eq!(
        propagate(&[rows(3)], &ConstraintStep::Enforce(rows(5))).unwrap(),
        vec![rows(3)]
    );
    assert_eq!(
        propagate(&[rows(3)], &ConstraintStep::Enforce(rows(2))).unwrap(),
        vec![rows(2)]
    );
    // Tumult's order: MaxRowsPerID, then MaxGroupsPerID per column, then MaxRowsPerGroupPerID per column.
    assert_eq!(
        propagate(
            &[rows_per_group("a", 4), groups("b", 2), groups("a", 5)],
            &ConstraintStep::Enforce(groups("b", 1))
        )
        .unwrap(),
        vec![groups("b", 1), groups("a", 5), rows_per_group("a", 4)]
    );
}

#[test]
fn flat_map_keeps_only_max_groups_per_id() {
    assert_eq!(
        propagate(
            &[rows(2), groups("a", 3), rows_per_group("a", 1)],
            &ConstraintStep::FlatMap
        )
        .unwrap(),
        vec![groups("a", 3)]
    );
    assert_eq!(
        propagate(&[rows(2)], &ConstraintStep::FlatMap).unwrap(),
        vec![]
    );
}

#[test]
fn flat_map_by_id_keeps_none() {
    assert_eq!(
        propagate(&[rows(2), groups("a", 3)], &ConstraintStep::FlatMapByID).unwrap(),
        vec![]
    );
}

#[test]
fn public_join_multiplies_row_bounds_by_the_largest_multiplicity() {
    let step = ConstraintStep::JoinPublic {
        max_join_key_multiplicity: 3,
    };
    assert_eq!(
        propagate(&[rows(2), groups("a", 4), rows_per_group("a", 5)], &step).unwrap(),
        vec![rows(6), groups("a", 4), rows_per_group("a", 15)]
    );
    let once = ConstraintStep::JoinPublic {
        max_join_key_multiplicity: 1,
    };
    assert_eq!(propagate(&[rows(2)], &once).unwrap(), vec![rows(2)]);
}

#[test]
fn public_join_with_an_empty_public_table_drops_row_bounds_as_tumult() {
    let step = ConstraintStep::JoinPublic {
        max_join_key_multiplicity: 0,
    };
    assert_eq!(
        propagate(&[rows(2), groups("a", 4), rows_per_group("a", 5)], &step).unwrap(),
        vec![groups("a", 4)]
    );
}

#[test]
fn public_join_refuses_a_bound_beyond_an_int() {
    let step = ConstraintStep::JoinPublic {
        max_join_key_multiplicity: 1 << 20,
    };
    assert_eq!(
        propagate(&[rows(1 << 10)], &step).unwrap(),
        vec![rows(1 << 30)]
    );
    let message = invalid_message(propagate(&[rows(1 << 11)], &step));
    assert!(message.contains("MaxRowsPerID(2048)"), "{message}");
    assert!(message.contains("1048576"), "{message}");
    let huge = ConstraintStep::JoinPublic {
        max_join_key_multiplicity: u64::MAX,
    };
    invalid_message(propagate(&[rows_per_group("a", 2)], &huge));
}

#[test]
fn private_join_multiplies_each_side_by_the_other_sides_stability() {
    // Right: MaxRowsPerID(3) and MaxRowsPerGroupPerID on the join column 'k' (2): s_right = 2.
    // Left: MaxRowsPerID(5): s_left = 5.
    let left = [rows(5), groups("a", 4)];
    let right = [rows(3), rows_per_group("k", 2)];
    assert_eq!(
        propagate_private_join(&left, &right, &columns(&["id", "k"])).unwrap(),
        vec![rows(10), groups("a", 4), rows_per_group("k", 10)]
    );
    // MaxRowsPerGroupPerID on a column that is not joined on does not bound the stability.
    let right = [rows(3), rows_per_group("b", 2)];
    assert_eq!(
        propagate_private_join(&left, &right, &columns(&["id"])).unwrap(),
        vec![rows(15), groups("a", 4), rows_per_group("b", 10)]
    );
}

#[test]
fn private_join_drops_row_bounds_multiplied_by_an_unbounded_side() {
    // Right has no row bound: the left's row bounds go; the right's are multiplied by the left's 5
    // (its MaxRowsPerGroupPerID on 'a' does not count: 'a' is not a join column).
    let left = [rows(5), rows_per_group("a", 2)];
    let right = [groups("b", 3), rows_per_group("b", 4)];
    assert_eq!(
        propagate_private_join(&left, &right, &columns(&["id"])).unwrap(),
        vec![groups("b", 3), rows_per_group("b", 20)]
    );
    assert_eq!(
        propagate_private_join(&[], &[], &columns(&["id"])).unwrap(),
        vec![]
    );
}

#[test]
fn text_requests_round_trip() {
    assert_eq!(
        propagate_constraints_text("enforce\nMaxRowsPerID:4\nMaxRowsPerID:2").unwrap(),
        "MaxRowsPerID:2"
    );
    assert_eq!(
        propagate_constraints_text("enforce\n\nMaxGroupsPerID:2:1:a").unwrap(),
        "MaxGroupsPerID:2:1:a"
    );
    assert_eq!(
        propagate_constraints_text("flat_map\nMaxRowsPerID:4;MaxGroupsPerID:2:1:a").unwrap(),
        "MaxGroupsPerID:2:1:a"
    );
    assert_eq!(
        propagate_constraints_text("flat_map_by_id\nMaxRowsPerID:4").unwrap(),
        ""
    );
    assert_eq!(
        propagate_constraints_text("join_public\n3\nMaxRowsPerID:4").unwrap(),
        "MaxRowsPerID:12"
    );
    assert_eq!(propagate_constraints_text("join_public\n0\n").unwrap(), "");
    // A column name may hold a newline: it is read by its length.
    assert_eq!(
        propagate_constraints_text(
            "join_private\n2:id;3:k\nk\nMaxRowsPerID:2\nMaxRowsPerGroupPerID:3:3:k\nk"
        )
        .unwrap(),
        "MaxRowsPerID:6;MaxRowsPerGroupPerID:6:3:k\nk"
    );
}

#[test]
fn malformed_text_requests_are_refused() {
    for request in [
        "",
        "enforce",
        "unknown\n",
        "enforce\nMaxRowsPerID:4",
        "enforce\n\nMaxRowsPerID:4;MaxRowsPerID:2",
        "enforce\n\nMaxRowsPerID:0",
        "flat_map\nMaxRowsPerID:4\n",
        "join_public\nx\n",
        "join_public\n-1\n",
        "join_public\n99999999999999999999999\n",
        "join_private\n2:id\n",
        "join_private\n2:id\n\n\n",
    ] {
        invalid_message(propagate_constraints_text(request));
    }
}
