//! Every byte string the JVM can hand to an Arrow-taking edge function — truncation, release, countByKey and
//! addNoise inputs — gives `Ok` or an `Err`, never a panic that escapes the function (issue 11 #8). Inputs:
//! valid IPC streams of each kernel's schema, mutated (bytes flipped, cut, inserted, duplicated), and
//! arbitrary bytes. `ipc::read_stream` turns a panic of arrow-ipc's decoder into an InvalidArgument error;
//! everything after decoding (schema checks, the kernels) must not panic at all, and this test fails if
//! anything does. Each run draws new cases; proptest shrinks a failing input and prints it.
use std::sync::Arc;

use arrow::array::{ArrayRef, BinaryArray, Int64Array};
use arrow::datatypes::{DataType, Field, Schema};
use arrow::record_batch::RecordBatch;
use proptest::prelude::*;
use proptest::test_runner::{Config, FileFailurePersistence};

use sparkdp::kernels::{edge_ops, ipc};

const SECRET: [u8; 32] = [7; 32];

fn int64(values: &[Option<i64>]) -> ArrayRef {
    Arc::new(Int64Array::from(values.to_vec()))
}

fn stream(columns: Vec<(&str, DataType, bool, ArrayRef)>) -> Vec<u8> {
    let fields: Vec<Field> = columns
        .iter()
        .map(|(name, data_type, nullable, _)| Field::new(*name, data_type.clone(), *nullable))
        .collect();
    let schema = Arc::new(Schema::new(fields));
    let arrays = columns.into_iter().map(|(_, _, _, array)| array).collect();
    let batch = RecordBatch::try_new(schema.clone(), arrays).expect("a valid seed batch");
    ipc::write_stream(&schema, &[batch.clone(), batch]).expect("a valid seed stream")
}

/// One valid input stream per kernel input schema, to mutate.
fn seeds() -> Vec<Vec<u8>> {
    let ids: ArrayRef = Arc::new(BinaryArray::from(vec![&b"a"[..], b"b", b"a"]));
    vec![
        // truncation input with a measure column (id, row_hash, fp, value_0)
        stream(vec![
            ("id", DataType::Binary, false, ids.clone()),
            (
                "row_hash",
                DataType::Int64,
                false,
                int64(&[Some(3), Some(1), Some(2)]),
            ),
            (
                "fp",
                DataType::Int64,
                true,
                int64(&[Some(0), None, Some(5)]),
            ),
            (
                "value_0",
                DataType::Int64,
                true,
                int64(&[Some(1), None, Some(-4)]),
            ),
        ]),
        // release input of get_groups' count partial (fp, key_marker, count; no marker rows)
        stream(vec![
            (
                "fp",
                DataType::Int64,
                true,
                int64(&[Some(0), Some(7), None]),
            ),
            (
                "key_marker",
                DataType::Int64,
                true,
                int64(&[None, None, None]),
            ),
            (
                "count",
                DataType::Int64,
                true,
                int64(&[Some(2), Some(4), Some(1)]),
            ),
        ]),
        // countByKey / addNoise input (key, value)
        stream(vec![
            (
                "key",
                DataType::Int64,
                false,
                int64(&[Some(1), Some(2), Some(1)]),
            ),
            (
                "value",
                DataType::Int64,
                false,
                int64(&[Some(10), Some(0), Some(-3)]),
            ),
        ]),
    ]
}

#[derive(Debug, Clone)]
enum Edit {
    Flip(usize, u8),
    Cut(usize),
    Insert(usize, u8),
    Duplicate(usize, usize),
}

fn edit() -> impl Strategy<Value = Edit> {
    let byte = prop_oneof![
        prop::sample::select(vec![0u8, 1, 0x7f, 0x80, 0xff, 0xfe, 8, 0x10]),
        any::<u8>(),
    ];
    prop_oneof![
        (any::<usize>(), byte.clone()).prop_map(|(at, b)| Edit::Flip(at, b)),
        any::<usize>().prop_map(Edit::Cut),
        (any::<usize>(), byte).prop_map(|(at, b)| Edit::Insert(at, b)),
        (any::<usize>(), 1usize..64).prop_map(|(at, n)| Edit::Duplicate(at, n)),
    ]
}

fn apply(seed: &[u8], edits: &[Edit]) -> Vec<u8> {
    let mut bytes = seed.to_vec();
    for edit in edits {
        let len = bytes.len();
        match *edit {
            Edit::Flip(at, b) if len > 0 => bytes[at % len] ^= b.max(1),
            Edit::Cut(at) => bytes.truncate(at % (len + 1)),
            Edit::Insert(at, b) => bytes.insert(at % (len + 1), b),
            Edit::Duplicate(at, n) if len > 0 => {
                let start = at % len;
                let end = (start + n).min(len);
                let copy: Vec<u8> = bytes[start..end].to_vec();
                bytes.splice(end..end, copy);
            }
            _ => {}
        }
    }
    bytes
}

/// The plan text of get_groups (a count partial), so that `release_offer` reaches its kernel.
fn count_plan() -> String {
    edge_ops::plan_measurement_text(
        "aggregation=get_groups\nbudget=approx:1:1/100000\nchange=AddOneRow\nconstraints=\ngroupby=4:shop\nmechanism=default",
    )
    .expect("a get_groups request plans")
}

/// Offers `bytes` to every Arrow-taking edge function (handles opened are closed again). Returning at all
/// is the property: a panic fails the test.
fn feed(bytes: &[u8], plan: &str) {
    let _ = edge_ops::count_by_key_ipc(bytes);
    let _ = edge_ops::add_noise_ipc(bytes, &SECRET, 0, "laplace:1");
    for (constraints, partial) in [("", None), ("MaxRowsPerID:2", None), ("", Some("count"))] {
        let handle = match partial {
            None => edge_ops::truncation_open(constraints, ""),
            Some(partial) => edge_ops::truncation_open_partial(constraints, "", partial),
        };
        if let Ok(handle) = handle {
            if edge_ops::truncation_offer(handle, bytes).is_ok() {
                let _ = edge_ops::truncation_finish(handle);
            }
            let _ = edge_ops::truncation_close(handle);
        }
    }
    if let Ok(handle) = edge_ops::release_open(plan, &SECRET, 0) {
        if edge_ops::release_offer(handle, bytes).is_ok() {
            let _ = edge_ops::release_finish(handle);
        }
        let _ = edge_ops::release_close(handle);
    }
}

fn config() -> Config {
    Config {
        cases: 2000,
        failure_persistence: Some(Box::new(FileFailurePersistence::Off)),
        ..Config::default()
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn mutated_valid_streams_never_panic(seed in prop::sample::select(seeds()), edits in prop::collection::vec(edit(), 1..5)) {
        feed(&apply(&seed, &edits), &count_plan());
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        feed(&bytes, &count_plan());
    }
}

#[test]
fn the_seeds_are_accepted_so_mutations_start_from_deep_inside_the_decoder() {
    // Without this the mutations could all die at the first schema check and test nothing beyond it.
    let seeds = seeds();
    let plan = count_plan();
    let handle = edge_ops::truncation_open("MaxRowsPerID:2", "").unwrap();
    edge_ops::truncation_offer(handle, &seeds[0]).expect("the truncation seed is a valid input");
    edge_ops::truncation_close(handle).unwrap();
    let handle = edge_ops::release_open(&plan, &SECRET, 0).unwrap();
    edge_ops::release_offer(handle, &seeds[1]).expect("the release seed is a valid input");
    edge_ops::release_close(handle).unwrap();
    edge_ops::count_by_key_ipc(&seeds[2])
        .expect_err("countByKey takes only `key`: a schema error, not a panic");
    edge_ops::add_noise_ipc(&seeds[2], &SECRET, 0, "laplace:1")
        .expect("the addNoise seed is a valid input");
}
