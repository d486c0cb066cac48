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
        IdDistance::ONE,
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
        IdDistance::ONE,
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
        IdDistance::ONE,
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
        IdDistance::ONE,
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
        IdDistance::ONE,
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
            IdDistance::ONE,
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
            IdDistance::ONE,
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
        IdDistance::ONE,
        &[],
        "g",
    )
    .unwrap_err();
    assert!(matches!(error, Error::Overflow(_)), "{error:?}");
}

fn max_groups_on(column: &str, max: u64) -> Constraint {
    Constraint::MaxGroupsPerID {
        grouping_column: column.to_string(),
        max,
    }
}

#[test]
fn id_tables_need_max_groups_per_id_on_the_column() {
    for constraints in [
        vec![Constraint::MaxRowsPerID(2)],
        vec![max_groups_on("B", 2)],
        vec![],
    ] {
        let error = plan_partition(
            &budget("pure:1"),
            &budget("pure:1"),
            &ProtectedChange::AddRowsWithID,
            IdDistance::ONE,
            &constraints,
            "A",
        )
        .unwrap_err();
        assert!(
            matches!(&error, Error::InvalidArgument(m) if m.starts_with("You must create MaxGroupsPerID constraint")),
            "{error:?}"
        );
    }
}

#[test]
fn id_table_children_keep_ids_at_distance_g() {
    // Tumult: the parent is charged once, each child gets the charge and an ID table whose d_in is g
    // (SumOf) or √g (RootSumOfSquared); D = g in both representations.
    for (session, request) in [
        ("pure:2", "pure:1"),
        ("approx:2:1/100", "approx:1:1/1000"),
        ("zcdp:2", "zcdp:1/2"),
    ] {
        let plan = plan_partition(
            &budget(session),
            &budget(request),
            &ProtectedChange::AddRowsWithID,
            IdDistance::ONE,
            &[
                Constraint::MaxRowsPerID(5),
                max_groups_on("A", 3),
                max_groups_on("A", 2),
                max_groups_on("B", 1),
            ],
            "A",
        )
        .unwrap();
        assert_eq!(plan.parent_charge, budget(request), "{session}");
        assert_eq!(plan.child_budget, budget(request), "{session}");
        assert_eq!(plan.child_change, ProtectedChange::AddRowsWithID);
        // The smallest MaxGroupsPerID on the split column holds.
        assert_eq!(plan.max_groups_per_id, Some(2));
        assert_eq!(plan.child_id_distance.value(), 2);
    }
}

#[test]
fn child_distances_compose_and_non_id_tables_pass_theirs_on() {
    let child = IdDistance::new(3).unwrap();
    let plan = plan_partition(
        &budget("pure:1"),
        &budget("pure:1"),
        &ProtectedChange::AddRowsWithID,
        child,
        &[max_groups_on("A", 4)],
        "A",
    )
    .unwrap();
    assert_eq!(plan.child_id_distance.value(), 12);
    let plan = plan_partition(
        &budget("pure:1"),
        &budget("pure:1"),
        &groups("g", 3, 2),
        child,
        &[],
        "g",
    )
    .unwrap();
    assert_eq!(plan.child_id_distance, child);
    assert_eq!(plan.max_groups_per_id, None);
    let error = plan_partition(
        &budget("pure:1"),
        &budget("pure:1"),
        &ProtectedChange::AddRowsWithID,
        IdDistance::new(u64::MAX).unwrap(),
        &[max_groups_on("A", 2)],
        "A",
    )
    .unwrap_err();
    assert!(matches!(error, Error::Overflow(_)), "{error:?}");
}

#[test]
fn text_form_round_trips() {
    let text = plan_partition_text(
        "zcdp:2",
        "zcdp:1/2",
        "AddMaxRowsInMaxGroups:3:2:1:g",
        "1",
        "",
        "g",
    )
    .unwrap();
    assert_eq!(
        text,
        "charge=zcdp:1/2\nchild_budget=zcdp:1/2\nchild_change=AddMaxRows:4\nchild_id_distance=1"
    );
    let text = plan_partition_text(
        "pure:1",
        "pure:1",
        "AddRowsWithID",
        "3",
        "MaxGroupsPerID:2:1:g",
        "g",
    )
    .unwrap();
    assert_eq!(
        text,
        "charge=pure:1\nchild_budget=pure:1\nchild_change=AddRowsWithID\nchild_id_distance=6\nmax_groups_per_id=2"
    );
    assert!(plan_partition_text("pure:1", "pure:1", "nonsense", "1", "", "g").is_err());
    assert!(plan_partition_text("pure:1", "pure:1", "AddOneRow", "0", "", "g").is_err());
}
