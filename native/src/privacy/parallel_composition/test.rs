use super::*;
use crate::privacy::text::parse_budget;

fn budget(text: &str) -> Budget {
    parse_budget(text).unwrap()
}

fn groups(column: &str, max_groups: u64, max_rows_per_group: u64) -> ProtectedChange {
    ProtectedChange::AddMaxRowsInMaxGroups {
        grouping_column: column.to_string(),
        max_groups,
        max_rows_per_group,
    }
}

#[test]
fn parent_is_charged_once_and_each_child_gets_the_charge() {
    let plan = plan_partition(
        &budget("pure:1"),
        &budget("pure:3/4"),
        &ProtectedChange::AddOneRow,
        &[],
        "A",
    )
    .unwrap();
    assert_eq!(plan.parent_charge, budget("pure:3/4"));
    assert_eq!(plan.child_budget, budget("pure:3/4"));
    assert_eq!(plan.child_change, ProtectedChange::AddOneRow);
    // The parent keeps exactly 1 - 3/4.
    assert_eq!(
        budget("pure:1")
            .subtract_charged(&plan.parent_charge)
            .unwrap(),
        budget("pure:1/4")
    );
}

#[test]
fn tumults_tolerance_and_pure_request_in_approx_session_apply() {
    let plan = plan_partition(
        &budget("approx:1:1/1000"),
        &budget("pure:1000000001/1000000000"),
        &ProtectedChange::AddMaxRows { max_rows: 2 },
        &[],
        "A",
    )
    .unwrap();
    assert_eq!(plan.parent_charge, budget("approx:1:0"));
    assert_eq!(plan.child_budget, budget("approx:1:0"));
    assert_eq!(
        plan.child_change,
        ProtectedChange::AddMaxRows { max_rows: 2 }
    );
}

#[test]
fn insufficient_budget_uses_tumults_partition_message() {
    let error = plan_partition(
        &budget("pure:1"),
        &budget("pure:2"),
        &ProtectedChange::AddOneRow,
        &[],
        "A",
    )
    .unwrap_err();
    match error {
        Error::InsufficientBudget(message) => {
            assert!(
                message.starts_with(
                    "Cannot perform this partition without exceeding the Session privacy budget.\nRequested: ε=2.000"
                ),
                "{message}"
            );
        }
        other => panic!("expected InsufficientBudget, got {other:?}"),
    }
}

#[test]
fn budget_type_mismatch_is_tumults_value_error() {
    let error = plan_partition(
        &budget("pure:1"),
        &budget("zcdp:1"),
        &ProtectedChange::AddOneRow,
        &[],
        "A",
    )
    .unwrap_err();
    assert!(
        matches!(&error, Error::InvalidArgument(m) if m.contains("must match the type")),
        "{error:?}"
    );
}

#[test]
fn groups_split_on_another_column_keep_the_change() {
    let plan = plan_partition(
        &budget("zcdp:1"),
        &budget("zcdp:1/2"),
        &groups("g", 3, 2),
        &[],
        "A",
    )
    .unwrap();
    assert_eq!(plan.child_change, groups("g", 3, 2));
}

#[test]
fn groups_split_on_the_grouping_column_become_max_rows() {
    // PureDP / ApproxDP: d = g·r.
    for session in ["pure:1", "approx:1:1/100"] {
        let plan = plan_partition(
            &budget(session),
            &budget(session),
            &groups("g", 3, 2),
            &[],
            "g",
        )
        .unwrap();
        assert_eq!(
            plan.child_change,
            ProtectedChange::AddMaxRows { max_rows: 6 }
        );
    }
    // zCDP: d = r·√g, rounded up: ⌈2·√3⌉ = ⌈3.46⌉ = 4; ⌈3·√4⌉ = 6 exactly.
    let cases = [
        ((3, 2), 4),
        ((4, 3), 6),
        ((1, 5), 5),
        ((2, 1), 2),
        ((10, 10), 32),
    ];
    for ((max_groups, max_rows_per_group), expected) in cases {
        let plan = plan_partition(
            &budget("zcdp:1"),
            &budget("zcdp:1"),
            &groups("g", max_groups, max_rows_per_group),
            &[],
            "g",
        )
        .unwrap();
        assert_eq!(
            plan.child_change,
            ProtectedChange::AddMaxRows { max_rows: expected },
            "g={max_groups}, r={max_rows_per_group}"
        );
    }
}

#[test]
fn ceil_root_is_the_least_integer_whose_square_covers() {
    for max_groups in 1..200u64 {
        for max_rows_per_group in 1..50u64 {
            let m = ceil_root_of_groups_times_rows_squared(max_groups, max_rows_per_group).unwrap();
            let target = max_groups * max_rows_per_group * max_rows_per_group;
            assert!(
                m * m >= target && (m - 1) * (m - 1) < target,
                "g={max_groups}, r={max_rows_per_group}"
            );
        }
    }
    // Large values: exact and without overflow.
    assert_eq!(
        ceil_root_of_groups_times_rows_squared(1, u64::MAX).unwrap(),
        u64::MAX
    );
    assert_eq!(
        ceil_root_of_groups_times_rows_squared(4, 1 << 62).unwrap(),
        1 << 63
    );
    // 5·2^124 fits in u128; its root (≈ 2^63.16) in u64.
    let m = u128::from(ceil_root_of_groups_times_rows_squared(5, 1 << 62).unwrap());
    let target = 5u128 << 124;
    assert!(m * m >= target && (m - 1) * (m - 1) < target);
    assert!(matches!(
        ceil_root_of_groups_times_rows_squared(5, 1 << 63),
        Err(Error::Overflow(_))
    ));
    assert!(matches!(
        ceil_root_of_groups_times_rows_squared(u64::MAX, u64::MAX),
        Err(Error::Overflow(_))
    ));
}

#[test]
fn group_product_overflow_is_an_error() {
    let error = plan_partition(
        &budget("pure:1"),
        &budget("pure:1"),
        &groups("g", u64::MAX, 2),
        &[],
        "g",
    )
    .unwrap_err();
    assert!(matches!(error, Error::Overflow(_)), "{error:?}");
}

#[test]
fn id_tables_need_max_groups_per_id_on_the_column_and_are_refused() {
    let without = plan_partition(
        &budget("pure:1"),
        &budget("pure:1"),
        &ProtectedChange::AddRowsWithID,
        &[Constraint::MaxRowsPerID(2)],
        "A",
    )
    .unwrap_err();
    assert!(
        matches!(&without, Error::InvalidArgument(m) if m.starts_with("You must create MaxGroupsPerID constraint")),
        "{without:?}"
    );
    let with = plan_partition(
        &budget("pure:1"),
        &budget("pure:1"),
        &ProtectedChange::AddRowsWithID,
        &[Constraint::MaxGroupsPerID {
            grouping_column: "A".to_string(),
            max: 2,
        }],
        "A",
    )
    .unwrap_err();
    assert!(matches!(with, Error::UnsupportedQuery(_)), "{with:?}");
}

#[test]
fn text_form_round_trips() {
    let text = plan_partition_text(
        "zcdp:2",
        "zcdp:1/2",
        "AddMaxRowsInMaxGroups:3:2:1:g",
        "",
        "g",
    )
    .unwrap();
    assert_eq!(
        text,
        "charge=zcdp:1/2\nchild_budget=zcdp:1/2\nchild_change=AddMaxRows:4"
    );
    assert!(plan_partition_text("pure:1", "pure:1", "nonsense", "", "g").is_err());
}
