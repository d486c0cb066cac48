use std::collections::BTreeMap;

use arrow::array::{BinaryArray, StringArray};
use rand_chacha::ChaCha8Rng;
use rand_core::{RngCore, SeedableRng};

use super::*;
use crate::error::Error;
use crate::privacy::text::parse_constraints;

/// One input row: (id, row_hash, fp, [(group_key, group_hash)] per grouping column).
type InputRow = (Vec<u8>, i64, Option<i64>, Vec<(Vec<u8>, i64)>);

fn row(id: &str, row_hash: i64, fp: Option<i64>, groups: &[(&str, i64)]) -> InputRow {
    (
        id.as_bytes().to_vec(),
        row_hash,
        fp,
        groups
            .iter()
            .map(|(key, hash)| (key.as_bytes().to_vec(), *hash))
            .collect(),
    )
}

fn input_schema(grouping_columns: usize, with_id: bool) -> SchemaRef {
    let mut fields = Vec::new();
    if with_id {
        fields.push(Field::new(ID_COLUMN, DataType::Binary, false));
        fields.push(Field::new(ROW_HASH_COLUMN, DataType::Int64, false));
    }
    fields.push(Field::new(FP_COLUMN, DataType::Int64, true));
    for index in 0..grouping_columns {
        fields.push(Field::new(group_key_column(index), DataType::Binary, false));
        fields.push(Field::new(group_hash_column(index), DataType::Int64, false));
    }
    Arc::new(Schema::new(fields))
}

fn batch_of(rows: &[InputRow], grouping_columns: usize) -> RecordBatch {
    let schema = input_schema(grouping_columns, true);
    let mut columns: Vec<ArrayRef> = vec![
        Arc::new(BinaryArray::from_iter_values(
            rows.iter().map(|r| r.0.as_slice()),
        )),
        Arc::new(Int64Array::from_iter_values(rows.iter().map(|r| r.1))),
        Arc::new(rows.iter().map(|r| r.2).collect::<Int64Array>()),
    ];
    for index in 0..grouping_columns {
        columns.push(Arc::new(BinaryArray::from_iter_values(
            rows.iter().map(|r| r.3[index].0.as_slice()),
        )));
        columns.push(Arc::new(Int64Array::from_iter_values(
            rows.iter().map(|r| r.3[index].1),
        )));
    }
    RecordBatch::try_new(schema, columns).expect("test batch")
}

fn state_for(constraints: &str) -> TruncationState {
    let constraints = parse_constraints(constraints).unwrap();
    TruncationState::new(&constraints, &distinct_grouping_columns(&constraints)).unwrap()
}

fn counts_of(output: &RecordBatch) -> BTreeMap<Option<i64>, i64> {
    assert_eq!(output.schema(), output_schema());
    let fps = output.column(0).as_primitive::<Int64Type>();
    let counts = output.column(1).as_primitive::<Int64Type>();
    let mut by_fp = BTreeMap::new();
    for index in 0..output.num_rows() {
        let fp = fps.is_valid(index).then(|| fps.value(index));
        assert!(by_fp.insert(fp, counts.value(index)).is_none(), "fp twice");
    }
    by_fp
}

/// Truncates `rows` offered as the given batches (each a list of rows).
fn truncate(constraints: &str, batches: &[Vec<InputRow>]) -> BTreeMap<Option<i64>, i64> {
    let mut state = state_for(constraints);
    let grouping_columns = state.grouping_columns.len();
    for rows in batches {
        let batch = batch_of(rows, grouping_columns);
        state.offer(&batch.schema(), &[batch]).unwrap();
    }
    counts_of(&state.finish().unwrap())
}

fn map(entries: &[(Option<i64>, i64)]) -> BTreeMap<Option<i64>, i64> {
    entries.iter().copied().collect()
}

#[test]
fn max_rows_per_id_keeps_the_smallest_row_hashes_per_id() {
    let rows = vec![
        row("a", 5, Some(1), &[]),
        row("a", 1, Some(2), &[]),
        row("a", 3, Some(3), &[]),
        row("a", 2, Some(2), &[]),
        row("b", 9, Some(1), &[]),
        row("b", -4, None, &[]),
    ];
    // a keeps hashes 1, 2 (fp 2, 2); b keeps -4, 9 (fp None, 1).
    let expected = map(&[(None, 1), (Some(1), 1), (Some(2), 2)]);
    assert_eq!(
        truncate("MaxRowsPerID:2", std::slice::from_ref(&rows)),
        expected
    );
    // Several MaxRowsPerID act as the smallest.
    assert_eq!(
        truncate(
            "MaxRowsPerID:5;MaxRowsPerID:2;MaxRowsPerID:3",
            std::slice::from_ref(&rows)
        ),
        expected
    );
    // A bound above every ID's rows keeps everything.
    assert_eq!(
        truncate(
            "MaxRowsPerID:18446744073709551615",
            std::slice::from_ref(&rows)
        ),
        map(&[(None, 1), (Some(1), 2), (Some(2), 2), (Some(3), 1)])
    );
}

#[test]
fn ties_in_row_hash_are_broken_by_fp_with_null_first() {
    let rows = vec![
        row("a", 7, Some(3), &[]),
        row("a", 7, None, &[]),
        row("a", 7, Some(-1), &[]),
    ];
    assert_eq!(
        truncate("MaxRowsPerID:1", std::slice::from_ref(&rows)),
        map(&[(None, 1)])
    );
    assert_eq!(
        truncate("MaxRowsPerID:2", std::slice::from_ref(&rows)),
        map(&[(None, 1), (Some(-1), 1)])
    );
}

#[test]
fn ids_are_compared_by_their_bytes() {
    // "a" and "a\0" are different IDs; a hash of them never decides.
    let rows = vec![
        row("a", 1, Some(1), &[]),
        row("a\0", 2, Some(1), &[]),
        row("a", 3, Some(1), &[]),
        row("", 4, Some(1), &[]),
    ];
    assert_eq!(
        truncate("MaxRowsPerID:1", std::slice::from_ref(&rows)),
        map(&[(Some(1), 3)])
    );
}

#[test]
fn max_groups_per_id_keeps_the_groups_with_the_smallest_group_hash() {
    let rows = vec![
        row("a", 1, Some(10), &[("x", 30)]),
        row("a", 2, Some(20), &[("y", 10)]),
        row("a", 3, Some(30), &[("z", 20)]),
        row("a", 4, Some(20), &[("y", 10)]),
        row("b", 5, Some(10), &[("x", 30)]),
    ];
    // a keeps groups y (10) and z (20); b keeps x.
    assert_eq!(
        truncate("MaxGroupsPerID:2:1:c", std::slice::from_ref(&rows)),
        map(&[(Some(10), 1), (Some(20), 2), (Some(30), 1)])
    );
    // Ties in group_hash are broken by the key bytes.
    let tied = vec![
        row("a", 1, Some(1), &[("q", 5)]),
        row("a", 2, Some(2), &[("p", 5)]),
    ];
    assert_eq!(
        truncate("MaxGroupsPerID:1:1:c", &[tied]),
        map(&[(Some(2), 1)])
    );
}

#[test]
fn max_rows_per_group_per_id_keeps_the_smallest_rows_of_each_group() {
    let rows = vec![
        row("a", 4, Some(1), &[("x", 1)]),
        row("a", 1, Some(2), &[("x", 1)]),
        row("a", 3, Some(3), &[("x", 1)]),
        row("a", 2, Some(4), &[("y", 2)]),
        row("b", 9, Some(3), &[("x", 1)]),
    ];
    // a: x keeps hashes 1, 3 (fp 2, 3); y keeps fp 4. b: x keeps fp 3.
    assert_eq!(
        truncate("MaxRowsPerGroupPerID:2:1:c", std::slice::from_ref(&rows)),
        map(&[(Some(2), 1), (Some(3), 2), (Some(4), 1)])
    );
}

#[test]
fn constraints_apply_in_enforcement_order() {
    // One ID: group x has rows with hashes 1, 2, 3; group y (larger group hash) has hash 0.
    let rows = vec![
        row("a", 1, Some(1), &[("x", 1)]),
        row("a", 2, Some(2), &[("x", 1)]),
        row("a", 3, Some(3), &[("x", 1)]),
        row("a", 0, Some(9), &[("y", 2)]),
    ];
    // MaxRowsPerID(2) first keeps hashes 0, 1 (fp 9, 1); then MaxGroupsPerID(1) keeps x: fp 1.
    assert_eq!(
        truncate(
            "MaxRowsPerID:2;MaxGroupsPerID:1:1:c",
            std::slice::from_ref(&rows)
        ),
        map(&[(Some(1), 1)])
    );
    // MaxGroupsPerID(1) first keeps x (hashes 1, 2, 3); then MaxRowsPerID(2) keeps fp 1, 2.
    assert_eq!(
        truncate(
            "MaxGroupsPerID:1:1:c;MaxRowsPerID:2",
            std::slice::from_ref(&rows)
        ),
        map(&[(Some(1), 1), (Some(2), 1)])
    );
    // The pair, in both orders, and with a per-ID bound last.
    assert_eq!(
        truncate(
            "MaxGroupsPerID:1:1:c;MaxRowsPerGroupPerID:1:1:c",
            std::slice::from_ref(&rows)
        ),
        map(&[(Some(1), 1)])
    );
    assert_eq!(
        truncate(
            "MaxRowsPerGroupPerID:1:1:c;MaxGroupsPerID:2:1:c",
            std::slice::from_ref(&rows)
        ),
        map(&[(Some(1), 1), (Some(9), 1)])
    );
    assert_eq!(
        truncate(
            "MaxRowsPerGroupPerID:2:1:c;MaxGroupsPerID:2:1:c;MaxRowsPerID:2",
            std::slice::from_ref(&rows)
        ),
        map(&[(Some(1), 1), (Some(9), 1)])
    );
}

#[test]
fn two_grouping_columns_are_indexed_in_order_of_first_appearance() {
    let constraints = "MaxGroupsPerID:1:1:d;MaxRowsPerGroupPerID:1:1:c";
    let state = state_for(constraints);
    assert_eq!(
        state.grouping_columns,
        vec!["d".to_string(), "c".to_string()]
    );
    // Column 0 is d, column 1 is c.
    let rows = vec![
        row("a", 1, Some(1), &[("d1", 1), ("c1", 1)]),
        row("a", 2, Some(2), &[("d1", 1), ("c1", 1)]),
        row("a", 3, Some(3), &[("d1", 1), ("c2", 2)]),
        row("a", 4, Some(4), &[("d2", 2), ("c3", 3)]),
    ];
    // d keeps d1 (rows 1-3), then one row per c: fp 1 and 3.
    assert_eq!(
        truncate(constraints, std::slice::from_ref(&rows)),
        map(&[(Some(1), 1), (Some(3), 1)])
    );
    let wrong_order = TruncationState::new(
        &parse_constraints(constraints).unwrap(),
        &["c".to_string(), "d".to_string()],
    );
    assert!(
        matches!(&wrong_order, Err(Error::InvalidArgument(m)) if m.contains("[\"d\", \"c\"]")),
        "{wrong_order:?}"
    );
}

#[test]
fn without_constraints_rows_are_counted_per_fp() {
    let mut state = state_for("");
    let schema = Arc::new(Schema::new(vec![
        Field::new(FP_COLUMN, DataType::Int64, true),
        Field::new(ROW_HASH_COLUMN, DataType::Int64, false),
    ]));
    for fps in [vec![Some(1), None, Some(1)], vec![None, Some(2)], vec![]] {
        let hashes = Int64Array::from_iter_values(fps.iter().map(|_| 0));
        let batch = RecordBatch::try_new(
            schema.clone(),
            vec![
                Arc::new(fps.into_iter().collect::<Int64Array>()),
                Arc::new(hashes),
            ],
        )
        .unwrap();
        state.offer(&schema, &[batch]).unwrap();
    }
    assert_eq!(
        counts_of(&state.finish().unwrap()),
        map(&[(None, 2), (Some(1), 2), (Some(2), 1)])
    );
    // No input at all: an empty batch.
    assert_eq!(state_for("").finish().unwrap().num_rows(), 0);
    assert_eq!(state_for("MaxRowsPerID:1").finish().unwrap().num_rows(), 0);
}

fn offer_error(state: &mut TruncationState, batch: RecordBatch) -> String {
    match state.offer(&batch.schema(), &[batch]) {
        Err(Error::InvalidArgument(message)) => message,
        other => panic!("expected InvalidArgument, got {other:?}"),
    }
}

#[test]
fn bad_schemas_are_invalid_argument_naming_the_column() {
    let good = batch_of(&[row("a", 1, Some(1), &[("x", 1)])], 1);
    let mut state = state_for("MaxGroupsPerID:1:1:c");
    // Missing column.
    let message = offer_error(&mut state, good.project(&[0, 1, 2, 3]).unwrap());
    assert!(message.contains("'group_hash_0'"), "{message}");
    // Wrong type.
    let schema = Arc::new(Schema::new(vec![
        Field::new(ID_COLUMN, DataType::Utf8, false),
        Field::new(ROW_HASH_COLUMN, DataType::Int64, false),
        Field::new(FP_COLUMN, DataType::Int64, true),
    ]));
    let batch = RecordBatch::try_new(
        schema,
        vec![
            Arc::new(StringArray::from(vec!["a"])),
            Arc::new(Int64Array::from(vec![1])),
            Arc::new(Int64Array::from(vec![1])),
        ],
    )
    .unwrap();
    let message = offer_error(&mut state_for("MaxRowsPerID:1"), batch);
    assert!(
        message.contains("'id' of type Binary, got Utf8"),
        "{message}"
    );
    // Unexpected column (an id without constraints, a group column too many).
    let message = offer_error(&mut state_for(""), good.clone());
    assert!(message.contains("unexpected column 'id'"), "{message}");
    let message = offer_error(&mut state_for("MaxRowsPerID:1"), good.clone());
    assert!(
        message.contains("unexpected column 'group_key_0'"),
        "{message}"
    );
    // Nulls in a not-null column.
    let schema = Arc::new(Schema::new(vec![
        Field::new(ID_COLUMN, DataType::Binary, true),
        Field::new(ROW_HASH_COLUMN, DataType::Int64, false),
        Field::new(FP_COLUMN, DataType::Int64, true),
    ]));
    let batch = RecordBatch::try_new(
        schema,
        vec![
            Arc::new(BinaryArray::from(vec![Some(b"a".as_slice()), None])),
            Arc::new(Int64Array::from(vec![1, 2])),
            Arc::new(Int64Array::from(vec![1, 2])),
        ],
    )
    .unwrap();
    let mut state = state_for("MaxRowsPerID:1");
    let message = offer_error(&mut state, batch);
    assert!(message.contains("'id' must not hold nulls"), "{message}");
    // Nothing was taken from the refused batch.
    assert_eq!(state.finish().unwrap().num_rows(), 0);
}

/// The reference: straightforward per-ID sorting and filtering, written without the kernel's helpers.
fn reference(constraints: &str, rows: &[InputRow]) -> BTreeMap<Option<i64>, i64> {
    let constraints = parse_constraints(constraints).unwrap();
    let columns = distinct_grouping_columns(&constraints);
    let mut by_id: BTreeMap<Vec<u8>, Vec<InputRow>> = BTreeMap::new();
    for input in rows {
        by_id
            .entry(input.0.clone())
            .or_default()
            .push(input.clone());
    }
    let row_key = |r: &InputRow| {
        (
            r.1,
            r.2,
            r.3.iter()
                .map(|(key, hash)| (*hash, key.clone()))
                .collect::<Vec<_>>(),
        )
    };
    let mut counts = BTreeMap::new();
    for (_, mut id_rows) in by_id {
        id_rows.sort_by_key(|r| row_key(r));
        for constraint in &constraints {
            let column = constraint
                .grouping_column()
                .map(|c| columns.iter().position(|known| known == c).unwrap());
            let max = constraint.max() as usize;
            id_rows = match constraint {
                Constraint::MaxRowsPerID(_) => id_rows.into_iter().take(max).collect(),
                Constraint::MaxGroupsPerID { .. } => {
                    let column = column.unwrap();
                    let mut values: Vec<(i64, Vec<u8>)> = id_rows
                        .iter()
                        .map(|r| (r.3[column].1, r.3[column].0.clone()))
                        .collect();
                    values.sort();
                    values.dedup_by(|later, earlier| later.1 == earlier.1);
                    let kept: Vec<Vec<u8>> =
                        values.into_iter().take(max).map(|(_, key)| key).collect();
                    id_rows
                        .into_iter()
                        .filter(|r| kept.contains(&r.3[column].0))
                        .collect()
                }
                Constraint::MaxRowsPerGroupPerID { .. } => {
                    let column = column.unwrap();
                    let mut seen: BTreeMap<Vec<u8>, usize> = BTreeMap::new();
                    id_rows
                        .into_iter()
                        .filter(|r| {
                            let count = seen.entry(r.3[column].0.clone()).or_default();
                            *count += 1;
                            *count <= max
                        })
                        .collect()
                }
            };
        }
        for r in id_rows {
            *counts.entry(r.2).or_insert(0) += 1;
        }
    }
    counts
}

fn random_rows(rng: &mut ChaCha8Rng, count: usize, grouping_columns: usize) -> Vec<InputRow> {
    let small = |rng: &mut ChaCha8Rng, n: u32| (rng.next_u32() % n) as i64;
    (0..count)
        .map(|_| {
            let id = format!("id{}", small(rng, 6)).into_bytes();
            // Few distinct hashes and fps, so ties happen.
            let row_hash = small(rng, 8) - 4;
            let fp = match small(rng, 5) {
                0 => None,
                value => Some(value),
            };
            let groups = (0..grouping_columns)
                .map(|_| {
                    let value = small(rng, 4);
                    // The hash is a function of the key, as Scala computes it.
                    (format!("g{value}").into_bytes(), (value * 7919) % 5)
                })
                .collect();
            (id, row_hash, fp, groups)
        })
        .collect()
}

fn shuffle<T>(rng: &mut ChaCha8Rng, items: &mut [T]) {
    for index in (1..items.len()).rev() {
        let other = (rng.next_u32() as usize) % (index + 1);
        items.swap(index, other);
    }
}

/// Splits `rows` into batches of random sizes (some empty).
fn random_batches(rng: &mut ChaCha8Rng, rows: &[InputRow]) -> Vec<Vec<InputRow>> {
    let mut batches = Vec::new();
    let mut rest = rows;
    while !rest.is_empty() {
        let size = (rng.next_u32() as usize) % (rest.len() + 1);
        let (head, tail) = rest.split_at(size);
        batches.push(head.to_vec());
        rest = tail;
    }
    batches
}

#[test]
fn output_matches_the_reference_and_not_the_arrival_order() {
    let constraint_sets = [
        "MaxRowsPerID:1",
        "MaxRowsPerID:3",
        "MaxRowsPerID:4;MaxRowsPerID:2",
        "MaxGroupsPerID:2:1:c",
        "MaxRowsPerGroupPerID:2:1:c",
        "MaxGroupsPerID:2:1:c;MaxRowsPerGroupPerID:1:1:c",
        "MaxRowsPerGroupPerID:1:1:c;MaxGroupsPerID:2:1:c",
        "MaxRowsPerID:3;MaxGroupsPerID:1:1:c",
        "MaxGroupsPerID:1:1:c;MaxRowsPerID:2",
        "MaxGroupsPerID:2:1:c;MaxRowsPerGroupPerID:2:1:d;MaxRowsPerID:3",
        "MaxRowsPerID:5;MaxRowsPerGroupPerID:1:1:d;MaxGroupsPerID:1:1:c",
    ];
    let mut rng = ChaCha8Rng::seed_from_u64(8);
    for constraints in constraint_sets {
        let grouping_columns = state_for(constraints).grouping_columns.len();
        for trial in 0..20 {
            let mut rows = random_rows(&mut rng, 1 + trial * 3, grouping_columns);
            let expected = reference(constraints, &rows);
            assert_eq!(
                truncate(constraints, std::slice::from_ref(&rows)),
                expected,
                "{constraints}"
            );
            for _ in 0..3 {
                shuffle(&mut rng, &mut rows);
                let mut batches = random_batches(&mut rng, &rows);
                shuffle(&mut rng, &mut batches);
                assert_eq!(truncate(constraints, &batches), expected, "{constraints}");
            }
        }
    }
}

#[test]
fn offered_through_ipc_streams_as_arrow_java_writes_them() {
    let rows = vec![
        row("a", 2, Some(1), &[]),
        row("a", 1, Some(2), &[]),
        row("b", 3, None, &[]),
    ];
    let batch = batch_of(&rows, 0);
    // Two batches in one stream, and a second stream.
    let stream =
        crate::kernels::ipc::write_stream(&batch.schema(), &[batch.slice(0, 2), batch.slice(2, 1)])
            .unwrap();
    let (schema, batches) = crate::kernels::ipc::read_stream(&stream, "test").unwrap();
    assert_eq!(schema.field(0).data_type(), &DataType::Binary);
    let mut state = state_for("MaxRowsPerID:1");
    state.offer(&schema, &batches).unwrap();
    state.offer(&schema, &batches).unwrap();
    // The second offer adds rows of the same IDs: still one row per ID, a's smallest (1, fp 2) and b's.
    assert_eq!(
        counts_of(&state.finish().unwrap()),
        map(&[(None, 1), (Some(2), 1)])
    );
}

#[test]
fn registry_handles_are_keys_and_free_on_finish_failure_and_close() {
    let handle = registry::open(state_for("MaxRowsPerID:1")).unwrap();
    assert!(handle > 0);
    let batch = batch_of(&[row("a", 1, Some(4), &[])], 0);
    registry::with_state(handle, |state| {
        state.offer(&batch.schema(), std::slice::from_ref(&batch))
    })
    .unwrap();
    let output = registry::finish(handle).unwrap();
    assert_eq!(counts_of(&output), map(&[(Some(4), 1)]));
    assert!(!registry::is_open(handle));
    // A finished handle is unknown; close stays harmless.
    assert!(
        matches!(registry::finish(handle), Err(Error::InvalidArgument(m)) if m.contains("unknown truncation handle"))
    );
    registry::close(handle);
    registry::close(handle);
    assert!(matches!(
        registry::finish(-5),
        Err(Error::InvalidArgument(_))
    ));
    // A failed call frees the handle.
    let handle = registry::open(state_for("MaxRowsPerID:1")).unwrap();
    let failed = registry::with_state(handle, |state| state.offer(&input_schema(1, true), &[]));
    assert!(failed.is_err());
    assert!(!registry::is_open(handle));
    // Close frees an open handle; a handle in use is refused to a second call.
    let handle = registry::open(state_for("")).unwrap();
    let nested =
        registry::with_state(handle, |_| Ok(registry::with_state(handle, |_| Ok(())))).unwrap();
    assert!(matches!(nested, Err(Error::InvalidArgument(m)) if m.contains("in use")));
    // Close while in use frees at the end of the call.
    registry::with_state(handle, |_| {
        registry::close(handle);
        Ok(())
    })
    .unwrap();
    assert!(!registry::is_open(handle));
    let handle = registry::open(state_for("")).unwrap();
    registry::close(handle);
    assert!(!registry::is_open(handle));
    // A panic inside a call frees the handle too (the JNI edge turns the panic into an exception).
    let handle = registry::open(state_for("")).unwrap();
    let outcome = std::panic::catch_unwind(|| {
        registry::with_state(handle, |_| -> Result<()> { panic!("deliberate") })
    });
    assert!(outcome.is_err());
    assert!(!registry::is_open(handle));
}

/// A stream written by Arrow Java 2.0.0 (Spark 3.1's) with `fixtures/WriteTruncationInput.java`: two
/// batches, nullable Binary `id` / `group_key_0` fields, a null fp, an ID holding a zero byte.
#[test]
fn reads_a_stream_written_by_arrow_java_2_0() {
    let bytes = include_bytes!("fixtures/arrow_java_2_0_input.arrows");
    let (schema, batches) = crate::kernels::ipc::read_stream(bytes, "fixture").unwrap();
    assert_eq!(batches.len(), 2);
    assert_eq!(schema.field(0).data_type(), &DataType::Binary);
    let truncate_fixture = |constraints: &str| {
        let mut state = state_for(constraints);
        state.offer(&schema, &batches).unwrap();
        counts_of(&state.finish().unwrap())
    };
    // a: (5, 10, x), (1, null, y), (0, 40, z); "b\0": (3, 30, x), (2, 50, x).
    // Without grouping constraints the group columns are not sent.
    let projected: Vec<RecordBatch> = batches
        .iter()
        .map(|b| b.project(&[0, 1, 2]).unwrap())
        .collect();
    let mut state = state_for("MaxRowsPerID:2");
    state.offer(&projected[0].schema(), &projected).unwrap();
    assert_eq!(
        counts_of(&state.finish().unwrap()),
        map(&[(None, 1), (Some(30), 1), (Some(40), 1), (Some(50), 1)])
    );
    assert_eq!(
        truncate_fixture("MaxGroupsPerID:1:1:c"),
        map(&[(Some(10), 1), (Some(30), 1), (Some(50), 1)])
    );
    assert_eq!(
        truncate_fixture("MaxRowsPerGroupPerID:1:1:c;MaxRowsPerID:1"),
        map(&[(Some(40), 1), (Some(50), 1)])
    );
}

/// A rough throughput figure, not a benchmark: `cargo test -p sparkdp-native --lib throughput -- --ignored
/// --nocapture` (the test profile optimizes this crate).
#[test]
#[ignore]
fn throughput_of_max_rows_per_id_and_of_the_group_pair() {
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let rows_per_batch = 8192;
    let batch_count = 256;
    for (constraints, grouping_columns) in [
        ("MaxRowsPerID:5", 0),
        ("MaxGroupsPerID:3:1:c;MaxRowsPerGroupPerID:2:1:c", 1),
    ] {
        let batches: Vec<RecordBatch> = (0..batch_count)
            .map(|_| {
                let rows: Vec<InputRow> = (0..rows_per_batch)
                    .map(|_| {
                        let id = (rng.next_u32() % 200_000).to_le_bytes().to_vec();
                        let group = rng.next_u32() % 20;
                        (
                            id,
                            rng.next_u64() as i64,
                            Some(i64::from(rng.next_u32() % 1000)),
                            (0..grouping_columns)
                                .map(|_| (group.to_le_bytes().to_vec(), i64::from(group) * 31))
                                .collect(),
                        )
                    })
                    .collect();
                batch_of(&rows, grouping_columns)
            })
            .collect();
        let start = std::time::Instant::now();
        let mut state = state_for(constraints);
        for batch in &batches {
            state
                .offer(&batch.schema(), std::slice::from_ref(batch))
                .unwrap();
        }
        let output = state.finish().unwrap();
        let elapsed = start.elapsed();
        let rows = rows_per_batch * batch_count;
        println!(
            "{constraints}: {rows} rows in {elapsed:?} = {:.1} M rows/s ({} output rows)",
            rows as f64 / elapsed.as_secs_f64() / 1e6,
            output.num_rows()
        );
    }
}

#[test]
fn id_table_compares_bytes_inline_in_the_arena_and_along_hash_chains() {
    let long_a = [7u8; 40];
    let mut long_b = [7u8; 40];
    long_b[39] = 8; // same 16-byte prefix as long_a
    let ids: [&[u8]; 7] = [b"", b"a", &[1; 16], &[1; 17], &long_a, &long_b, &[1; 15]];
    for same_hash in [false, true] {
        let mut table = IdTable::default();
        let number = |table: &mut IdTable, id: &[u8]| {
            if same_hash {
                // Every ID collides: all but the latest are found along the chain.
                table.number_with_hash(42, id)
            } else {
                table.number(id)
            }
        };
        for (expected, id) in ids.iter().enumerate() {
            assert_eq!(number(&mut table, id), (expected, true), "{id:?}");
        }
        for (expected, id) in ids.iter().enumerate().rev() {
            assert_eq!(number(&mut table, id), (expected, false), "{id:?}");
        }
        for (expected, id) in ids.iter().enumerate() {
            assert_eq!(IdTable::bytes(&table.arena, &table.ends, expected), *id);
        }
    }
}
