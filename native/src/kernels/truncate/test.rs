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
    let mut counts = BTreeMap::new();
    for r in reference_kept(constraints, rows) {
        *counts.entry(r.2).or_insert(0) += 1;
    }
    counts
}

/// The rows the reference keeps, per ID in row-key order, IDs in byte order.
fn reference_kept(constraints: &str, rows: &[InputRow]) -> Vec<InputRow> {
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
    let mut kept = Vec::new();
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
        kept.extend(id_rows);
    }
    kept
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
fn random_batches<T: Clone>(rng: &mut ChaCha8Rng, rows: &[T]) -> Vec<Vec<T>> {
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

/// An input row with its measure values: `value_0` Int64 and `value_1` Float64.
type ValuedRow = (InputRow, Option<i64>, Option<f64>);

fn valued(input: InputRow, int: Option<i64>, float: Option<f64>) -> ValuedRow {
    (input, int, float)
}

const KINDS: [ValueKind; 2] = [ValueKind::Int64, ValueKind::Float64];

/// A batch of `rows` with the columns `value_0` Int64 and `value_1` Float64 at the end; without `id`
/// and `row_hash` when `with_id` is false (a table without constraints).
fn valued_batch(rows: &[ValuedRow], grouping_columns: usize, with_id: bool) -> RecordBatch {
    let plain: Vec<InputRow> = rows.iter().map(|r| r.0.clone()).collect();
    let mut base = batch_of(&plain, grouping_columns);
    if !with_id {
        base = base.project(&[2]).unwrap();
    }
    let mut fields = base.schema().fields().to_vec();
    fields.push(Arc::new(Field::new(value_column(0), DataType::Int64, true)));
    fields.push(Arc::new(Field::new(
        value_column(1),
        DataType::Float64,
        true,
    )));
    let mut columns = base.columns().to_vec();
    columns.push(Arc::new(rows.iter().map(|r| r.1).collect::<Int64Array>()));
    columns.push(Arc::new(rows.iter().map(|r| r.2).collect::<Float64Array>()));
    RecordBatch::try_new(Arc::new(Schema::new(fields)), columns).unwrap()
}

/// Per fp: (count, sum_0, nonnull_0, the bits of sum_1, nonnull_1).
type Totals = BTreeMap<Option<i64>, (i64, i64, i64, u64, i64)>;

fn totals_of(output: &RecordBatch) -> Totals {
    assert_eq!(output.schema(), output_schema_for(&KINDS));
    let int64 = |index: usize| output.column(index).as_primitive::<Int64Type>();
    let float_sums = output.column(4).as_primitive::<Float64Type>();
    let mut by_fp = BTreeMap::new();
    for index in 0..output.num_rows() {
        let fp = int64(0).is_valid(index).then(|| int64(0).value(index));
        for column in 1..output.num_columns() {
            assert!(
                output.column(column).is_valid(index),
                "null in column {column}"
            );
        }
        let totals = (
            int64(1).value(index),
            int64(2).value(index),
            int64(3).value(index),
            float_sums.value(index).to_bits(),
            int64(5).value(index),
        );
        assert!(by_fp.insert(fp, totals).is_none(), "fp twice");
    }
    by_fp
}

fn try_truncate_valued(constraints: &str, batches: &[Vec<ValuedRow>]) -> Result<Totals> {
    let mut state = state_for(constraints);
    let grouping_columns = state.grouping_columns.len();
    for rows in batches {
        let batch = valued_batch(rows, grouping_columns, !constraints.is_empty());
        state.offer(&batch.schema(), &[batch])?;
    }
    Ok(totals_of(&state.finish()?))
}

fn truncate_valued(constraints: &str, rows: &[ValuedRow]) -> Totals {
    try_truncate_valued(constraints, &[rows.to_vec()]).unwrap()
}

/// The totals of one fp: (count, sum_0, nonnull_0, sum_1, nonnull_1).
type FpTotal = (i64, i64, i64, f64, i64);

fn totals(entries: &[(Option<i64>, FpTotal)]) -> Totals {
    entries
        .iter()
        .map(|&(fp, (count, sum, nonnull, float_sum, float_nonnull))| {
            (
                fp,
                (count, sum, nonnull, float_sum.to_bits(), float_nonnull),
            )
        })
        .collect()
}

#[test]
fn kept_rows_carry_their_values_through_each_constraint_kind() {
    // MaxRowsPerID (the bounded heap, no grouping columns).
    let rows = vec![
        valued(row("a", 5, Some(1), &[]), Some(500), Some(5.5)),
        valued(row("a", 1, Some(1), &[]), Some(100), None),
        valued(row("a", 3, Some(2), &[]), Some(300), Some(3.5)),
        valued(row("a", 2, Some(1), &[]), None, Some(2.25)),
        valued(row("b", 9, Some(2), &[]), Some(900), Some(9.0)),
        valued(row("b", -4, None, &[]), Some(-40), Some(-4.0)),
        valued(row("c", 0, Some(7), &[]), None, None),
    ];
    // a keeps hashes 1 and 2 (fp 1), dropping 500 / 5.5 and fp 2's 300 / 3.5; b keeps both; c keeps
    // its row of nulls (sums 0, nothing non-null).
    let expected = totals(&[
        (None, (1, -40, 1, -4.0, 1)),
        (Some(1), (2, 100, 1, 2.25, 1)),
        (Some(2), (1, 900, 1, 9.0, 1)),
        (Some(7), (1, 0, 0, 0.0, 0)),
    ]);
    assert_eq!(truncate_valued("MaxRowsPerID:2", &rows), expected);
    assert_eq!(
        truncate_valued("MaxRowsPerID:3;MaxRowsPerID:2", &rows),
        expected
    );
    // Grouping constraints: x (group hash 5) and y (group hash 1).
    let rows = vec![
        valued(row("a", 1, Some(1), &[("x", 5)]), Some(10), Some(1.0)),
        valued(row("a", 2, Some(1), &[("y", 1)]), Some(20), Some(2.0)),
        valued(row("a", 3, Some(1), &[("y", 1)]), None, Some(4.0)),
        valued(row("b", 4, Some(2), &[("x", 5)]), Some(-7), Some(-0.5)),
    ];
    // MaxGroupsPerID keeps y: 20 and 2.0 + 4.0.
    assert_eq!(
        truncate_valued("MaxGroupsPerID:1:1:c", &rows),
        totals(&[
            (Some(1), (2, 20, 1, 6.0, 2)),
            (Some(2), (1, -7, 1, -0.5, 1))
        ])
    );
    // MaxRowsPerGroupPerID keeps the smallest row of x and of y: 10 + 20, 1.0 + 2.0.
    assert_eq!(
        truncate_valued("MaxRowsPerGroupPerID:1:1:c", &rows),
        totals(&[
            (Some(1), (2, 30, 2, 3.0, 2)),
            (Some(2), (1, -7, 1, -0.5, 1))
        ])
    );
    // A MaxRowsPerID after a grouping constraint (applied at finish): the smallest row, 10 and 1.0.
    assert_eq!(
        truncate_valued("MaxGroupsPerID:2:1:c;MaxRowsPerID:1", &rows),
        totals(&[
            (Some(1), (1, 10, 1, 1.0, 1)),
            (Some(2), (1, -7, 1, -0.5, 1))
        ])
    );
    // A leading MaxRowsPerID with grouping columns (the bounded heap of full rows), then per group.
    assert_eq!(
        truncate_valued("MaxRowsPerID:2;MaxRowsPerGroupPerID:1:1:c", &rows),
        totals(&[
            (Some(1), (2, 30, 2, 3.0, 2)),
            (Some(2), (1, -7, 1, -0.5, 1))
        ])
    );
}

#[test]
fn value_columns_on_a_table_without_constraints_are_summed_per_fp() {
    let rows = vec![
        valued(row("", 0, Some(1), &[]), Some(3), Some(0.25)),
        valued(row("", 0, Some(1), &[]), None, Some(0.5)),
        valued(row("", 0, None, &[]), Some(-3), None),
        valued(row("", 0, Some(1), &[]), Some(4), None),
    ];
    assert_eq!(
        truncate_valued("", &rows),
        totals(&[(None, (1, -3, 1, 0.0, 0)), (Some(1), (3, 7, 2, 0.75, 2))])
    );
    // The first offer fixes the output schema, even with no batches.
    let mut state = state_for("");
    let schema = valued_batch(&rows, 0, false).schema();
    state.offer(&schema, &[]).unwrap();
    let output = state.finish().unwrap();
    assert_eq!(output.schema(), output_schema_for(&KINDS));
    assert_eq!(output.num_rows(), 0);
    // Without value columns the output is exactly fp, count.
    let mut state = state_for("MaxRowsPerID:1");
    let batch = batch_of(&[row("a", 1, Some(1), &[])], 0);
    state.offer(&batch.schema(), &[batch]).unwrap();
    assert_eq!(state.finish().unwrap().schema(), output_schema());
}

#[test]
fn int64_sums_overflow_as_an_error_naming_the_column_whatever_the_order() {
    let max = valued(row("a", 1, Some(1), &[]), Some(i64::MAX), Some(1.0));
    let one = valued(row("b", 2, Some(1), &[]), Some(1), Some(1.0));
    let minus_one = valued(row("c", 3, Some(1), &[]), Some(-1), Some(1.0));
    for constraints in ["", "MaxRowsPerID:1", "MaxGroupsPerID:1:1:c"] {
        let group = |r: &ValuedRow| {
            let mut r = r.clone();
            if constraints.contains(":c") {
                r.0 .3 = vec![(b"x".to_vec(), 1)];
            }
            r
        };
        let (max, one, minus_one) = (group(&max), group(&one), group(&minus_one));
        match try_truncate_valued(constraints, &[vec![one.clone(), max.clone()]]) {
            Err(Error::Overflow(message)) => {
                assert!(message.contains("'value_0'"), "{message}")
            }
            other => panic!("{constraints}: expected Overflow, got {other:?}"),
        }
        // The exact total decides, not the order: MAX + 1 - 1 fits whichever comes first.
        for batches in [
            vec![vec![max.clone(), one.clone(), minus_one.clone()]],
            vec![
                vec![one.clone()],
                vec![max.clone()],
                vec![minus_one.clone()],
            ],
        ] {
            let output = try_truncate_valued(constraints, &batches).unwrap();
            assert_eq!(output[&Some(1)].1, i64::MAX, "{constraints}");
        }
    }
    // A dropped row's value is not summed: no overflow.
    let dropped = valued(row("a", 9, Some(1), &[]), Some(1), None);
    let output = truncate_valued("MaxRowsPerID:1", &[max.clone(), max.clone(), dropped]);
    assert_eq!(output[&Some(1)], (1, i64::MAX, 1, 1f64.to_bits(), 1));
}

#[test]
fn float64_sums_do_not_depend_on_the_order_of_rows_and_batches() {
    let mut rng = ChaCha8Rng::seed_from_u64(64);
    let magnitudes = [1e16, 1.0, -1e16, 0.1, -3.3e-5, 7.0e10, -0.0];
    for constraints in ["", "MaxRowsPerID:1000", "MaxRowsPerGroupPerID:1000:1:c"] {
        let mut rows: Vec<ValuedRow> = (0..200)
            .map(|index| {
                let groups: &[(&str, i64)] = if constraints.contains(":c") {
                    &[("x", 1)]
                } else {
                    &[]
                };
                let float = magnitudes[(rng.next_u32() as usize) % magnitudes.len()]
                    * f64::from(1 + rng.next_u32() % 1000);
                valued(
                    row(&format!("id{}", index % 3), index, Some(index % 2), groups),
                    None,
                    Some(float),
                )
            })
            .collect();
        let expected = try_truncate_valued(constraints, &[rows.clone()]).unwrap();
        // The rows are such that the naive sum in arrival order does depend on the order.
        let mut naive_sums = std::collections::BTreeSet::new();
        for _ in 0..20 {
            shuffle(&mut rng, &mut rows);
            naive_sums.insert(rows.iter().fold(0.0, |sum, r| sum + r.2.unwrap()).to_bits());
            let mut batches = random_batches(&mut rng, &rows);
            shuffle(&mut rng, &mut batches);
            assert_eq!(
                try_truncate_valued(constraints, &batches).unwrap(),
                expected,
                "{constraints}"
            );
        }
        assert!(naive_sums.len() > 1, "the test's values cancel too little");
    }
}

/// Values as a function of the row (its row hash covers the whole row) or, when `per_row` is set, drawn
/// per row (then rows with identical row keys may differ in their values).
fn with_random_values(rng: &mut ChaCha8Rng, rows: &[InputRow], per_row: bool) -> Vec<ValuedRow> {
    rows.iter()
        .map(|input| {
            let seed = if per_row {
                rng.next_u32() as i64
            } else {
                input.1 * 31 + input.2.unwrap_or(-9) * 7 + input.3.iter().map(|g| g.1).sum::<i64>()
            };
            let int = (seed % 5 != 0).then_some(seed * 1_000_003);
            let float = (seed % 7 != 0)
                .then(|| [1e16, -1e16, 0.1, 3.0][(seed.rem_euclid(4)) as usize] * seed as f64);
            valued(input.clone(), int, float)
        })
        .collect()
}

/// The reference's totals of one fp before summing the floats: (count, sum_0, nonnull_0, the values of
/// value_1, nonnull_1).
type FpValues = (i64, i64, i64, Vec<f64>, i64);

#[test]
fn values_of_kept_rows_match_the_reference_and_not_the_arrival_order() {
    let constraint_sets = [
        "",
        "MaxRowsPerID:1",
        "MaxRowsPerID:3",
        "MaxGroupsPerID:2:1:c",
        "MaxRowsPerGroupPerID:2:1:c",
        "MaxRowsPerID:3;MaxGroupsPerID:1:1:c",
        "MaxGroupsPerID:1:1:c;MaxRowsPerID:2",
        "MaxGroupsPerID:2:1:c;MaxRowsPerGroupPerID:2:1:d;MaxRowsPerID:3",
    ];
    let mut rng = ChaCha8Rng::seed_from_u64(9);
    for constraints in constraint_sets {
        let grouping_columns = state_for(constraints).grouping_columns.len();
        for trial in 0..12 {
            let plain = random_rows(&mut rng, 1 + trial * 4, grouping_columns);
            let mut rows = with_random_values(&mut rng, &plain, false);
            // The reference: the kept rows' values, floats summed in ascending order.
            let kept = reference_kept(constraints, &plain);
            let mut expected_rows: BTreeMap<Option<i64>, FpValues> = BTreeMap::new();
            for input in &kept {
                let (_, int, float) =
                    &with_random_values(&mut rng, std::slice::from_ref(input), false)[0];
                let entry = expected_rows.entry(input.2).or_default();
                entry.0 += 1;
                entry.1 += int.unwrap_or(0);
                entry.2 += i64::from(int.is_some());
                entry.3.extend(float);
                entry.4 += i64::from(float.is_some());
            }
            let expected: Totals = expected_rows
                .into_iter()
                .map(|(fp, (count, sum, nonnull, mut floats, float_nonnull))| {
                    floats.sort_by(f64::total_cmp);
                    let float_sum = floats.iter().fold(0.0, |sum, value| sum + value);
                    (
                        fp,
                        (count, sum, nonnull, float_sum.to_bits(), float_nonnull),
                    )
                })
                .collect();
            assert_eq!(
                truncate_valued(constraints, &rows),
                expected,
                "{constraints}"
            );
            for _ in 0..2 {
                shuffle(&mut rng, &mut rows);
                let mut batches = random_batches(&mut rng, &rows);
                shuffle(&mut rng, &mut batches);
                assert_eq!(
                    try_truncate_valued(constraints, &batches).unwrap(),
                    expected,
                    "{constraints}"
                );
            }
            // Values drawn per row: rows with equal row keys may differ in values; still a function of
            // the input multiset.
            let mut rows = with_random_values(&mut rng, &plain, true);
            let first = truncate_valued(constraints, &rows);
            let counts: BTreeMap<Option<i64>, i64> =
                first.iter().map(|(fp, t)| (*fp, t.0)).collect();
            assert_eq!(counts, reference(constraints, &plain), "{constraints}");
            for _ in 0..2 {
                shuffle(&mut rng, &mut rows);
                let mut batches = random_batches(&mut rng, &rows);
                shuffle(&mut rng, &mut batches);
                assert_eq!(
                    try_truncate_valued(constraints, &batches).unwrap(),
                    first,
                    "{constraints}"
                );
            }
        }
    }
}

#[test]
fn bad_value_columns_are_invalid_argument_naming_the_column() {
    let base = batch_of(&[row("a", 1, Some(1), &[])], 0);
    let with = |name: &str, array: ArrayRef| {
        let mut fields = base.schema().fields().to_vec();
        fields.push(Arc::new(Field::new(name, array.data_type().clone(), true)));
        let mut columns = base.columns().to_vec();
        columns.push(array);
        RecordBatch::try_new(Arc::new(Schema::new(fields)), columns).unwrap()
    };
    let int = || -> ArrayRef { Arc::new(Int64Array::from(vec![Some(1)])) };
    for (batch, expected) in [
        (with("value_x", int()), "'value_x'"),
        (with("value_01", int()), "'value_01'"),
        (with("value_", int()), "'value_'"),
        (with("value", int()), "'value'"),
        (with("value_1", int()), "'value_1'"),
        (with("value_99999999999", int()), "'value_99999999999'"),
        (
            with("value_0", Arc::new(StringArray::from(vec!["1"]))),
            "'value_0' must be Int64 or Float64, got Utf8",
        ),
        (
            with("value_0", Arc::new(arrow::array::Int32Array::from(vec![1]))),
            "'value_0' must be Int64 or Float64, got Int32",
        ),
    ] {
        let message = offer_error(&mut state_for("MaxRowsPerID:1"), batch);
        assert!(message.contains(expected), "{expected}: {message}");
    }
    // A gap: value_0 and value_2.
    let gap = with("value_0", int());
    let mut fields = gap.schema().fields().to_vec();
    fields.push(Arc::new(Field::new("value_2", DataType::Int64, true)));
    let mut columns = gap.columns().to_vec();
    columns.push(int());
    let gap = RecordBatch::try_new(Arc::new(Schema::new(fields)), columns).unwrap();
    let message = offer_error(&mut state_for("MaxRowsPerID:1"), gap);
    assert!(
        message.contains("'value_2'") && message.contains("'value_1'"),
        "{message}"
    );
    // Later offers must bring the value columns of the first.
    let mut state = state_for("MaxRowsPerID:1");
    let first = with("value_0", int());
    state.offer(&first.schema(), &[first]).unwrap();
    let message = offer_error(
        &mut state,
        with("value_0", Arc::new(Float64Array::from(vec![1.0]))),
    );
    assert!(message.contains("value_0 Float64"), "{message}");
    let message = offer_error(&mut state, base.clone());
    assert!(message.contains("value_0 Int64"), "{message}");
}

// ---- Partials other than Count (COMPILER_INTERFACES.md §5.1 step 2) ----

use crate::kernels::partial::{join_i128, partial_schema};
use crate::privacy::plan::{Clamp as PlanClamp, PartialSpec, ValueEncoding};

/// `rows` with one extra column per entry of `values` (named value_<j>, nullable).
fn batch_with_values(
    rows: &[InputRow],
    grouping_columns: usize,
    with_id: bool,
    values: Vec<ArrayRef>,
) -> RecordBatch {
    let mut base = batch_of(rows, grouping_columns);
    if !with_id {
        base = base.project(&[2]).unwrap();
    }
    let mut fields = base.schema().fields().to_vec();
    let mut columns = base.columns().to_vec();
    for (index, array) in values.into_iter().enumerate() {
        fields.push(Arc::new(Field::new(
            value_column(index),
            array.data_type().clone(),
            true,
        )));
        columns.push(array);
    }
    RecordBatch::try_new(Arc::new(Schema::new(fields)), columns).unwrap()
}

/// A measure value that is a function of the row (so the kept multiset of values is well defined):
/// nulls, NaN, ±inf, -0.0, lattice ties and both bounds exactly, among ordinary values.
fn float_of(input: &InputRow) -> Option<f64> {
    let seed =
        (input.1 * 31 + input.2.unwrap_or(-9) * 7 + input.3.iter().map(|g| g.1).sum::<i64>())
            .rem_euclid(13);
    match seed {
        0 => None,
        1 => Some(f64::NAN),
        2 => Some(f64::INFINITY),
        3 => Some(f64::NEG_INFINITY),
        4 => Some(-0.0),
        5 => Some(2.25),  // a tie on the half lattice: 4.5 units
        6 => Some(-2.25), // -4.5 units
        7 => Some(-3.0),  // the lower bound
        8 => Some(5.0),   // the upper bound
        9 => Some(7.75),  // clamped
        other => Some(other as f64 * 0.3 - 2.0),
    }
}

/// The naive encoding: scaling by 2^-k is exact for these values, and f64::round ties away from zero.
fn naive_encode(encoding: &ValueEncoding, value: f64) -> Option<i64> {
    let PlanClamp::Float64 { lower, upper } = encoding.clamp else {
        unreachable!()
    };
    if value.is_nan() {
        return None;
    }
    let clamped = value.max(lower).min(upper);
    Some((clamped * 2f64.powi(-encoding.lattice_exponent)).round() as i64 - encoding.shift)
}

fn test_encoding() -> ValueEncoding {
    ValueEncoding {
        clamp: PlanClamp::Float64 {
            lower: -3.0,
            upper: 5.0,
        },
        lattice_exponent: -1,
        shift: 2,
    }
}

fn truncate_partial(
    constraints: &str,
    spec: PartialSpec,
    batches: &[Vec<InputRow>],
    values: impl Fn(&[InputRow]) -> Vec<ArrayRef>,
) -> Result<RecordBatch> {
    let parsed = parse_constraints(constraints).unwrap();
    let grouping = distinct_grouping_columns(&parsed);
    let mut state = TruncationState::with_partial(&parsed, &grouping, spec)?;
    for rows in batches {
        let batch = batch_with_values(rows, grouping.len(), !constraints.is_empty(), values(rows));
        state.offer(&batch.schema(), &[batch])?;
    }
    let output = state.finish()?;
    assert_eq!(output.schema(), partial_schema(&spec));
    Ok(output)
}

fn int64_rows(output: &RecordBatch) -> Vec<Vec<Option<i64>>> {
    (0..output.num_rows())
        .map(|row| {
            (0..output.num_columns())
                .map(|column| {
                    let array = output.column(column).as_primitive::<Int64Type>();
                    array.is_valid(row).then(|| array.value(row))
                })
                .collect()
        })
        .collect()
}

fn float_values(rows: &[InputRow]) -> Vec<ArrayRef> {
    vec![Arc::new(
        rows.iter().map(float_of).collect::<Float64Array>(),
    )]
}

fn item_values(rows: &[InputRow]) -> Vec<ArrayRef> {
    vec![
        Arc::new(Int64Array::from_iter_values(rows.iter().map(|r| r.1 % 3))),
        Arc::new(Int64Array::from_iter_values(
            rows.iter().map(|r| r.2.unwrap_or(0) % 2),
        )),
    ]
}

#[test]
fn partials_match_a_naive_oracle_and_not_the_arrival_order() {
    let constraint_sets = [
        "",
        "MaxRowsPerID:2",
        "MaxGroupsPerID:2:1:c",
        "MaxGroupsPerID:2:1:c;MaxRowsPerGroupPerID:2:1:d;MaxRowsPerID:3",
    ];
    let encoding = test_encoding();
    let mut rng = ChaCha8Rng::seed_from_u64(91);
    for constraints in constraint_sets {
        let grouping_columns = state_for(constraints).grouping_columns.len();
        for trial in 0..10 {
            let mut rows = random_rows(&mut rng, 1 + trial * 7, grouping_columns);
            let kept = if constraints.is_empty() {
                rows.clone()
            } else {
                reference_kept(constraints, &rows)
            };
            // The oracle, per fp (BTreeMap: null first, ascending).
            let mut moments: BTreeMap<Option<i64>, (i64, i128, i128)> = BTreeMap::new();
            let mut histogram: BTreeMap<(Option<i64>, i64), i64> = BTreeMap::new();
            let mut distinct: std::collections::BTreeSet<(Option<i64>, i64, i64)> =
                Default::default();
            for input in &kept {
                let entry = moments.entry(input.2).or_default();
                distinct.insert((input.2, input.1 % 3, input.2.unwrap_or(0) % 2));
                let Some(e) = float_of(input).and_then(|v| naive_encode(&encoding, v)) else {
                    continue;
                };
                entry.0 += 1;
                entry.1 += i128::from(e);
                entry.2 += i128::from(e) * i128::from(e);
                *histogram.entry((input.2, e)).or_default() += 1;
            }
            let expected_moments: Vec<Vec<Option<i64>>> = moments
                .iter()
                .map(|(fp, (count, sum, squares))| {
                    let (sum_hi, sum_lo) = crate::kernels::partial::split_i128(*sum);
                    let (sq_hi, sq_lo) = crate::kernels::partial::split_i128(*squares);
                    vec![
                        *fp,
                        Some(*count),
                        Some(sum_hi),
                        Some(sum_lo),
                        Some(sq_hi),
                        Some(sq_lo),
                    ]
                })
                .collect();
            let expected_histogram: Vec<Vec<Option<i64>>> = histogram
                .iter()
                .map(|((fp, bin), count)| vec![*fp, Some(*bin), Some(*count)])
                .collect();
            let expected_distinct: Vec<Vec<Option<i64>>> = distinct
                .iter()
                .map(|(fp, a, b)| vec![*fp, Some(*a), Some(*b)])
                .collect();
            for round in 0..3 {
                if round > 0 {
                    shuffle(&mut rng, &mut rows);
                }
                let mut batches = random_batches(&mut rng, &rows);
                shuffle(&mut rng, &mut batches);
                let moments_spec = PartialSpec::Moments {
                    encoding,
                    squares: true,
                };
                let got = truncate_partial(constraints, moments_spec, &batches, float_values);
                assert_eq!(int64_rows(&got.unwrap()), expected_moments, "{constraints}");
                let histogram_spec = PartialSpec::Histogram { encoding };
                let got = truncate_partial(constraints, histogram_spec, &batches, float_values);
                assert_eq!(
                    int64_rows(&got.unwrap()),
                    expected_histogram,
                    "{constraints}"
                );
                let got =
                    truncate_partial(constraints, PartialSpec::Distinct, &batches, item_values);
                assert_eq!(
                    int64_rows(&got.unwrap()),
                    expected_distinct,
                    "{constraints}"
                );
            }
            // Moments without squares: the first four columns.
            let spec = PartialSpec::Moments {
                encoding,
                squares: false,
            };
            let got = truncate_partial(constraints, spec, &[rows.clone()], float_values).unwrap();
            let first_four: Vec<Vec<Option<i64>>> = expected_moments
                .iter()
                .map(|row| row[..4].to_vec())
                .collect();
            assert_eq!(int64_rows(&got), first_four, "{constraints}");
            for row in &expected_moments {
                assert_eq!(
                    join_i128(row[2].unwrap(), row[3].unwrap()),
                    moments[&row[0]].1
                );
            }
        }
    }
}

#[test]
fn partials_refuse_wrong_measure_columns_naming_them() {
    let rows = vec![row("a", 1, Some(1), &[])];
    let encoding = test_encoding();
    let spec = PartialSpec::Histogram { encoding };
    let ints = |rows: &[InputRow]| -> Vec<ArrayRef> {
        vec![Arc::new(Int64Array::from_iter_values(
            rows.iter().map(|r| r.1),
        ))]
    };
    let message = truncate_partial("MaxRowsPerID:1", spec, std::slice::from_ref(&rows), ints)
        .unwrap_err()
        .to_string();
    assert!(message.contains("value_0 Float64"), "{message}");
    let message = truncate_partial("MaxRowsPerID:1", spec, std::slice::from_ref(&rows), |_| {
        Vec::new()
    })
    .unwrap_err()
    .to_string();
    assert!(message.contains("value_0"), "{message}");
    let nulls = |rows: &[InputRow]| -> Vec<ArrayRef> {
        vec![
            Arc::new(rows.iter().map(|_| None).collect::<Int64Array>()),
            Arc::new(rows.iter().map(|_| Some(1)).collect::<Int64Array>()),
        ]
    };
    let message = truncate_partial(
        "",
        PartialSpec::Distinct,
        std::slice::from_ref(&rows),
        nulls,
    )
    .unwrap_err()
    .to_string();
    assert!(
        message.contains("value_0") && message.contains("null"),
        "{message}"
    );
    // A value the encoding cannot hold is an error naming value_0, never a wrap.
    let tiny = PartialSpec::Moments {
        encoding: ValueEncoding {
            clamp: PlanClamp::Float64 {
                lower: -1e300,
                upper: 1e300,
            },
            lattice_exponent: 0,
            shift: 0,
        },
        squares: false,
    };
    let huge = |rows: &[InputRow]| -> Vec<ArrayRef> {
        vec![Arc::new(
            rows.iter().map(|_| Some(1e200)).collect::<Float64Array>(),
        )]
    };
    let message = truncate_partial("", tiny, std::slice::from_ref(&rows), huge)
        .unwrap_err()
        .to_string();
    assert!(
        message.contains("value_0") && message.contains("2^62"),
        "{message}"
    );
    // Count keeps truncation's own output.
    let output = truncate_partial("MaxRowsPerID:1", PartialSpec::Count, &[rows], |_| {
        Vec::new()
    });
    assert_eq!(output.unwrap().num_columns(), 2);
}

#[test]
fn int64_moments_clamp_at_the_edges_and_match_the_oracle() {
    // Int64 clamp [-7, 1000] on the lattice 2^1 (ties away from zero), shifted by 3 units.
    let encoding = ValueEncoding {
        clamp: PlanClamp::Int64 {
            lower: -7,
            upper: 1000,
        },
        lattice_exponent: 1,
        shift: 3,
    };
    let spec = PartialSpec::Moments {
        encoding,
        squares: true,
    };
    let int_of = |input: &InputRow| -> Option<i64> {
        match (input.1 * 5 + input.2.unwrap_or(3)).rem_euclid(9) {
            0 => None,
            1 => Some(i64::MIN),
            2 => Some(i64::MAX),
            3 => Some(-7),
            4 => Some(1000),
            5 => Some(-5), // -2.5 units: -3
            6 => Some(5),  // 2.5 units: 3
            other => Some(other * 37 - 100),
        }
    };
    let naive = |value: i64| -> i64 {
        let clamped = value.clamp(-7, 1000) as f64;
        (clamped / 2.0).round() as i64 - 3
    };
    let mut rng = ChaCha8Rng::seed_from_u64(17);
    for constraints in ["", "MaxRowsPerID:2"] {
        for trial in 0..10 {
            let mut rows = random_rows(&mut rng, 3 + trial * 5, 0);
            let kept = if constraints.is_empty() {
                rows.clone()
            } else {
                reference_kept(constraints, &rows)
            };
            let mut expected: BTreeMap<Option<i64>, (i64, i128, i128)> = BTreeMap::new();
            for input in &kept {
                let entry = expected.entry(input.2).or_default();
                if let Some(value) = int_of(input) {
                    let e = i128::from(naive(value));
                    entry.0 += 1;
                    entry.1 += e;
                    entry.2 += e * e;
                }
            }
            let expected: Vec<Vec<Option<i64>>> = expected
                .into_iter()
                .map(|(fp, (count, sum, squares))| {
                    let (sum_hi, sum_lo) = crate::kernels::partial::split_i128(sum);
                    let (sq_hi, sq_lo) = crate::kernels::partial::split_i128(squares);
                    vec![
                        fp,
                        Some(count),
                        Some(sum_hi),
                        Some(sum_lo),
                        Some(sq_hi),
                        Some(sq_lo),
                    ]
                })
                .collect();
            shuffle(&mut rng, &mut rows);
            let batches = random_batches(&mut rng, &rows);
            let values = |rows: &[InputRow]| -> Vec<ArrayRef> {
                vec![Arc::new(rows.iter().map(int_of).collect::<Int64Array>())]
            };
            let got = truncate_partial(constraints, spec, &batches, values).unwrap();
            assert_eq!(int64_rows(&got), expected, "{constraints}");
        }
    }
}
