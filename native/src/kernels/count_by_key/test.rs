use std::collections::BTreeMap;

use arrow::array::{ArrayRef, StringArray};
use rand_chacha::ChaCha8Rng;
use rand_core::{RngCore, SeedableRng};

use super::*;
use crate::error::Error;

fn input_schema() -> SchemaRef {
    Arc::new(Schema::new(vec![Field::new(
        KEY_COLUMN,
        DataType::Int64,
        true,
    )]))
}

fn key_batch(keys: Vec<Option<i64>>) -> RecordBatch {
    let column: ArrayRef = Arc::new(Int64Array::from(keys));
    RecordBatch::try_new(input_schema(), vec![column]).expect("test batch")
}

/// The output as a map, checking on the way that no key appears twice.
fn counts_of(output: &RecordBatch) -> BTreeMap<Option<i64>, i64> {
    assert_eq!(output.schema(), output_schema());
    let keys = output.column(0).as_primitive::<Int64Type>();
    let counts = output.column(1).as_primitive::<Int64Type>();
    assert_eq!(counts.null_count(), 0);
    let mut by_key = BTreeMap::new();
    for row in 0..output.num_rows() {
        let key = keys.is_valid(row).then(|| keys.value(row));
        assert!(
            by_key.insert(key, counts.value(row)).is_none(),
            "key {key:?} appears twice"
        );
    }
    by_key
}

fn naive_counts(batches: &[RecordBatch]) -> BTreeMap<Option<i64>, i64> {
    let mut by_key = BTreeMap::new();
    for batch in batches {
        let keys = batch.column(0).as_primitive::<Int64Type>();
        for row in 0..keys.len() {
            *by_key
                .entry(keys.is_valid(row).then(|| keys.value(row)))
                .or_insert(0) += 1;
        }
    }
    by_key
}

/// Random batches: `batch_count` batches of `batch_rows` rows, each key null with probability
/// `null_percent`%, non-null keys drawn from `distinct_keys` values spread over the whole i64 range
/// (or any i64 when `distinct_keys` is 0). Every other batch is a slice at an offset, so validity
/// bitmaps with a non-zero offset are exercised too.
fn random_batches(
    rng: &mut ChaCha8Rng,
    batch_count: usize,
    batch_rows: usize,
    null_percent: u64,
    distinct_keys: u64,
) -> Vec<RecordBatch> {
    let key_pool: Vec<i64> = (0..distinct_keys).map(|_| rng.next_u64() as i64).collect();
    (0..batch_count)
        .map(|batch_index| {
            let offset = if batch_index % 2 == 1 { 3 } else { 0 };
            let keys: Vec<Option<i64>> = (0..batch_rows + offset)
                .map(|_| {
                    if rng.next_u64() % 100 < null_percent {
                        None
                    } else if key_pool.is_empty() {
                        Some(rng.next_u64() as i64)
                    } else {
                        Some(key_pool[(rng.next_u64() % distinct_keys) as usize])
                    }
                })
                .collect();
            key_batch(keys).slice(offset, batch_rows)
        })
        .collect()
}

#[test]
fn matches_a_naive_count_on_random_batches() {
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    for batch_rows in [0, 1, 7, 1000, 4096] {
        for null_percent in [0, 30, 90, 100] {
            for distinct_keys in [1, 10, 5000, 0] {
                for batch_count in [1, 3] {
                    let batches = random_batches(
                        &mut rng,
                        batch_count,
                        batch_rows,
                        null_percent,
                        distinct_keys,
                    );
                    let output = count_by_key(&input_schema(), &batches).expect("count");
                    assert_eq!(
                        counts_of(&output),
                        naive_counts(&batches),
                        "rows {batch_rows}, nulls {null_percent}%, distinct {distinct_keys}, batches {batch_count}"
                    );
                }
            }
        }
    }
}

#[test]
fn small_integer_keys_and_keys_differing_only_in_high_bits_are_counted_apart() {
    let keys: Vec<Option<i64>> = (0..2000)
        .map(|i| Some(i % 100))
        .chain((0..64).map(|shift| Some(1i64 << shift)))
        .collect();
    let batches = vec![key_batch(keys)];
    let output = count_by_key(&input_schema(), &batches).expect("count");
    assert_eq!(counts_of(&output), naive_counts(&batches));
}

#[test]
fn no_batches_give_one_empty_batch() {
    let output = count_by_key(&input_schema(), &[]).expect("count");
    assert_eq!(output.schema(), output_schema());
    assert_eq!(output.num_rows(), 0);
}

#[test]
fn null_keys_form_one_group_of_their_own() {
    let batches = vec![key_batch(vec![None, Some(0), None]), key_batch(vec![None])];
    let output = count_by_key(&input_schema(), &batches).expect("count");
    assert_eq!(
        counts_of(&output),
        BTreeMap::from([(None, 3), (Some(0), 1)])
    );
}

#[test]
fn a_non_nullable_key_field_is_accepted() {
    let schema = Arc::new(Schema::new(vec![Field::new(
        KEY_COLUMN,
        DataType::Int64,
        false,
    )]));
    let column: ArrayRef = Arc::new(Int64Array::from(vec![4, 4, 5]));
    let batch = RecordBatch::try_new(schema.clone(), vec![column]).expect("batch");
    let output = count_by_key(&schema, &[batch]).expect("count");
    assert_eq!(
        counts_of(&output),
        BTreeMap::from([(Some(4), 2), (Some(5), 1)])
    );
}

#[test]
fn a_key_of_the_wrong_type_is_rejected_naming_column_and_type() {
    let schema = Arc::new(Schema::new(vec![Field::new(
        KEY_COLUMN,
        DataType::Utf8,
        true,
    )]));
    let column: ArrayRef = Arc::new(StringArray::from(vec!["a"]));
    let batch = RecordBatch::try_new(schema.clone(), vec![column]).expect("batch");
    assert_eq!(
        count_by_key(&schema, &[batch]),
        Err(Error::InvalidArgument(
            "countByKey input: expected column 'key' of type Int64, got Utf8".to_string()
        ))
    );
}

#[test]
fn an_extra_column_is_rejected_not_ignored() {
    let schema = Arc::new(Schema::new(vec![
        Field::new(KEY_COLUMN, DataType::Int64, true),
        Field::new("member_id", DataType::Int64, true),
    ]));
    assert_eq!(
        count_by_key(&schema, &[]),
        Err(Error::InvalidArgument(
            "countByKey input: unexpected column 'member_id'; expected exactly the columns [\"key\"]".to_string()
        ))
    );
}

#[test]
fn increment_reports_overflow_naming_the_key() {
    let mut count = i64::MAX;
    assert_eq!(
        increment(&mut count, 42),
        Err(Error::Overflow(
            "countByKey input: count of key 42 overflows Int64".to_string()
        ))
    );
}

/// The schema argument and the batches must agree: a batch without the `key` column must not be indexed
/// out of range (a panic in library code), nor a column of another name be counted as the key.
#[test]
fn a_batch_whose_columns_differ_from_the_schema_is_rejected() {
    let no_columns = RecordBatch::try_new_with_options(
        Arc::new(Schema::empty()),
        vec![],
        &arrow::record_batch::RecordBatchOptions::new().with_row_count(Some(3)),
    )
    .expect("batch");
    let renamed = RecordBatch::try_new(
        Arc::new(Schema::new(vec![Field::new(
            "member_id",
            DataType::Int64,
            true,
        )])),
        vec![Arc::new(Int64Array::from(vec![Some(1)]))],
    )
    .expect("batch");
    for (label, batch) in [("no columns", no_columns), ("renamed", renamed)] {
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            count_by_key(&input_schema(), &[key_batch(vec![Some(1)]), batch.clone()])
        }));
        match outcome {
            Ok(Err(Error::InvalidArgument(message))) => assert!(
                message.contains("batch 1") && message.contains("schema"),
                "{label}: {message}"
            ),
            Ok(other) => panic!("{label}: expected InvalidArgument, got {other:?}"),
            Err(_) => panic!("{label}: count_by_key panicked"),
        }
    }
}
