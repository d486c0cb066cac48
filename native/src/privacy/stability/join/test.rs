use super::*;
use crate::error::Error;

fn add_max_rows(max_rows: u64) -> ProtectedChange {
    ProtectedChange::AddMaxRows { max_rows }
}

fn groups(max_groups: u64, max_rows_per_group: u64) -> ProtectedChange {
    ProtectedChange::AddMaxRowsInMaxGroups {
        grouping_column: "state".to_string(),
        max_groups,
        max_rows_per_group,
    }
}

fn invalid_message(result: Result<impl std::fmt::Debug>) -> String {
    match result {
        Err(Error::InvalidArgument(message)) => message,
        other => panic!("expected an InvalidArgument error, got {other:?}"),
    }
}

#[test]
fn public_join_multiplies_rows_by_the_largest_multiplicity() {
    assert_eq!(
        public_join_change(&ProtectedChange::AddOneRow, 3).unwrap(),
        add_max_rows(3)
    );
    assert_eq!(
        public_join_change(&add_max_rows(2), 3).unwrap(),
        add_max_rows(6)
    );
    assert_eq!(public_join_change(&groups(2, 5), 4).unwrap(), groups(2, 20));
    assert_eq!(
        public_join_change(&ProtectedChange::AddRowsWithID, 1000).unwrap(),
        ProtectedChange::AddRowsWithID
    );
}

#[test]
fn public_join_with_unique_or_absent_keys_keeps_the_change() {
    // m = 1: every private row meets at most one public row; m = 0 (empty public table): an inner join is
    // empty, a left join keeps each row once.
    for multiplicity in [0, 1] {
        assert_eq!(
            public_join_change(&ProtectedChange::AddOneRow, multiplicity).unwrap(),
            ProtectedChange::AddOneRow
        );
        assert_eq!(
            public_join_change(&add_max_rows(7), multiplicity).unwrap(),
            add_max_rows(7)
        );
    }
}

#[test]
fn public_join_refuses_a_stability_scala_cannot_hold() {
    // 2^16 · (2^15 − 1) = 2^31 − 2^16 fits an Int; 2^16 · 2^15 = 2^31 does not.
    assert_eq!(
        public_join_change(&add_max_rows(1 << 16), (1 << 15) - 1).unwrap(),
        add_max_rows((1 << 31) - (1 << 16))
    );
    let message = invalid_message(public_join_change(&add_max_rows(1 << 16), 1 << 15));
    assert!(message.contains("max_rows (65536)"), "{message}");
    assert!(message.contains("multiplicity (32768)"), "{message}");
    assert!(message.contains("2147483647"), "{message}");
    let message = invalid_message(public_join_change(&add_max_rows(u64::MAX), u64::MAX));
    assert!(message.contains("exceeds"), "{message}");
}

#[test]
fn private_join_of_id_tables_keeps_ids_and_ignores_strategies() {
    assert_eq!(
        private_join_change(
            &ProtectedChange::AddRowsWithID,
            TruncationStrategy::None,
            &ProtectedChange::AddRowsWithID,
            TruncationStrategy::DropExcess { max_rows: 3 },
        )
        .unwrap(),
        ProtectedChange::AddRowsWithID
    );
}

#[test]
fn private_join_refuses_mixing_ids_and_rows() {
    let message = invalid_message(private_join_change(
        &ProtectedChange::AddRowsWithID,
        TruncationStrategy::DropNonUnique,
        &ProtectedChange::AddOneRow,
        TruncationStrategy::DropNonUnique,
    ));
    assert!(
        message.contains("same type of protected change"),
        "{message}"
    );
}

#[test]
fn private_join_without_ids_needs_both_strategies() {
    let message = invalid_message(private_join_change(
        &ProtectedChange::AddOneRow,
        TruncationStrategy::DropExcess { max_rows: 2 },
        &ProtectedChange::AddOneRow,
        TruncationStrategy::None,
    ));
    assert!(
        message.contains("truncation strategies are required"),
        "{message}"
    );
    assert!(message.contains("DropExcess(max_rows=2)"), "{message}");
    let message = invalid_message(private_join_change(
        &ProtectedChange::AddOneRow,
        TruncationStrategy::DropExcess { max_rows: 0 },
        &ProtectedChange::AddOneRow,
        TruncationStrategy::DropNonUnique,
    ));
    assert!(message.contains("left truncation strategy"), "{message}");
}

#[test]
fn private_join_stability_is_tumult_cores_formula() {
    // τ_l·s_r·d_r + τ_r·s_l·d_l
    let cases = [
        // DropExcess(3) both sides, AddOneRow both: 3·2·1 + 3·2·1
        (
            ProtectedChange::AddOneRow,
            TruncationStrategy::DropExcess { max_rows: 3 },
            ProtectedChange::AddOneRow,
            TruncationStrategy::DropExcess { max_rows: 3 },
            12,
        ),
        // DropNonUnique both: 1·1·1 + 1·1·1
        (
            ProtectedChange::AddOneRow,
            TruncationStrategy::DropNonUnique,
            ProtectedChange::AddOneRow,
            TruncationStrategy::DropNonUnique,
            2,
        ),
        // left AddMaxRows(2) DropExcess(5), right AddMaxRows(3) DropNonUnique: 5·1·3 + 1·2·2
        (
            add_max_rows(2),
            TruncationStrategy::DropExcess { max_rows: 5 },
            add_max_rows(3),
            TruncationStrategy::DropNonUnique,
            19,
        ),
        // grouped change counts as g·r rows: left 2·3 = 6 DropNonUnique, right AddOneRow DropExcess(4):
        // 1·2·1 + 4·1·6
        (
            groups(2, 3),
            TruncationStrategy::DropNonUnique,
            ProtectedChange::AddOneRow,
            TruncationStrategy::DropExcess { max_rows: 4 },
            26,
        ),
    ];
    for (left, left_strategy, right, right_strategy, expected) in cases {
        assert_eq!(
            private_join_change(&left, left_strategy, &right, right_strategy).unwrap(),
            add_max_rows(expected),
            "{left} {left_strategy:?} ⋈ {right} {right_strategy:?}"
        );
    }
}

#[test]
fn private_join_refuses_overflow_naming_the_settings() {
    let message = invalid_message(private_join_change(
        &add_max_rows(u64::MAX),
        TruncationStrategy::DropExcess { max_rows: u64::MAX },
        &add_max_rows(u64::MAX),
        TruncationStrategy::DropExcess { max_rows: u64::MAX },
    ));
    assert!(
        message.contains("τ_left = 18446744073709551615"),
        "{message}"
    );
    let message = invalid_message(private_join_change(
        &groups(u64::MAX, 2),
        TruncationStrategy::DropNonUnique,
        &ProtectedChange::AddOneRow,
        TruncationStrategy::DropNonUnique,
    ));
    assert!(message.contains("max_groups"), "{message}");
}

#[test]
fn request_text_round_trip() {
    assert_eq!(
        join_stability_text("public\nAddMaxRows:2\n5").unwrap(),
        "AddMaxRows:10"
    );
    assert_eq!(
        join_stability_text("public\nAddRowsWithID\n5").unwrap(),
        "AddRowsWithID"
    );
    // A grouping column holding a newline is read by its length.
    assert_eq!(
        join_stability_text("public\nAddMaxRowsInMaxGroups:2:3:3:a\nb\n2").unwrap(),
        "AddMaxRowsInMaxGroups:2:6:3:a\nb"
    );
    assert_eq!(
        join_stability_text("private\nAddOneRow\nDropExcess:3\nAddMaxRows:2\nDropNonUnique")
            .unwrap(),
        // 3·1·2 + 1·2·1
        "AddMaxRows:8"
    );
    assert_eq!(
        join_stability_text("private\nAddRowsWithID\nnone\nAddRowsWithID\nnone").unwrap(),
        "AddRowsWithID"
    );
}

#[test]
fn bad_request_text_is_an_invalid_argument_naming_it() {
    for request in [
        "",
        "public\nAddOneRow",
        "public\nAddOneRow\n-1",
        "public\nAddOneRow\n99999999999999999999999",
        "public\nAddTwoRows\n1",
        "private\nAddOneRow\nDropExcess:x\nAddOneRow\nnone",
        "private\nAddOneRow\nDropExcess:1\nAddOneRow",
        "sideways\nAddOneRow\n1",
    ] {
        let message = invalid_message(join_stability_text(request));
        assert!(message.contains("invalid"), "{request:?}: {message}");
    }
}
