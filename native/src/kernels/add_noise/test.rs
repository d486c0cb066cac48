//! Tests of the noise kernel: exactness with `NoNoise`, input validation, and, with the real samplers,
//! that the noise is keyed by (secret, query index, key) only and has the spec's scale.
use std::collections::HashMap;

use arrow::array::{Int64Array, StringArray};
use arrow::datatypes::{DataType, Field, SchemaRef};

use super::*;
use crate::error::Error;
use crate::privacy::Rational;

fn input_schema(is_nullable: bool) -> SchemaRef {
    Arc::new(Schema::new(vec![
        Field::new(KEY_COLUMN, DataType::Int64, is_nullable),
        Field::new(VALUE_COLUMN, DataType::Int64, is_nullable),
    ]))
}

fn cell_batch(keys: Vec<Option<i64>>, values: Vec<Option<i64>>) -> RecordBatch {
    RecordBatch::try_new(
        input_schema(true),
        vec![
            Arc::new(Int64Array::from(keys)),
            Arc::new(Int64Array::from(values)),
        ],
    )
    .expect("test batch")
}

fn cells(batch_keys: &[i64], value: i64) -> RecordBatch {
    let keys = batch_keys.iter().map(|&key| Some(key)).collect();
    cell_batch(keys, vec![Some(value); batch_keys.len()])
}

fn test_secret(byte: u8) -> SecretKey {
    SecretKey::from_bytes(&[byte; 32]).expect("32 bytes")
}

fn laplace(scale: u128) -> NoiseSpec {
    NoiseSpec::DiscreteLaplace {
        scale: Rational::from_integer(scale),
    }
}

/// (key, noisy value) of every row, in order.
fn rows_of(batches: &[RecordBatch]) -> Vec<(i64, i64)> {
    batches
        .iter()
        .flat_map(|batch| {
            let keys = batch.column(0).as_primitive::<Int64Type>().clone();
            let values = batch.column(1).as_primitive::<Int64Type>().clone();
            (0..batch.num_rows()).map(move |row| (keys.value(row), values.value(row)))
        })
        .collect()
}

fn noise_by_key(batches: &[RecordBatch], value: i64) -> HashMap<i64, i64> {
    rows_of(batches)
        .into_iter()
        .map(|(key, noisy)| (key, noisy - value))
        .collect()
}

#[test]
fn no_noise_returns_the_input_exactly_with_schema_batches_and_order() {
    let batches = vec![
        cell_batch(
            vec![Some(9), Some(-1), Some(i64::MIN)],
            vec![Some(0), Some(i64::MAX), Some(-5)],
        ),
        cell_batch(vec![], vec![]),
        cell_batch(vec![Some(3)], vec![Some(12)]),
    ];
    let output = add_noise(
        &input_schema(true),
        &batches,
        &test_secret(1),
        0,
        &NoiseSpec::NoNoise,
    )
    .expect("add");
    assert_eq!(output, batches);
}

#[test]
fn no_batches_give_no_batches() {
    let output = add_noise(
        &input_schema(false),
        &[],
        &test_secret(1),
        0,
        &NoiseSpec::NoNoise,
    )
    .expect("add");
    assert!(output.is_empty());
}

#[test]
fn a_null_key_is_rejected_naming_column_row_and_batch() {
    let batches = vec![
        cells(&[1, 2], 5),
        cell_batch(vec![Some(3), Some(4), None], vec![Some(1); 3]),
    ];
    assert_eq!(
        add_noise(&input_schema(true), &batches, &test_secret(1), 0, &NoiseSpec::NoNoise),
        Err(Error::InvalidArgument(
            "addNoise input: column 'key' has a null at row 2 of batch 1; every key and value must be non-null"
                .to_string()
        ))
    );
}

#[test]
fn a_null_value_is_rejected_not_noised_as_zero() {
    let batches = vec![cell_batch(vec![Some(3), Some(4)], vec![None, Some(1)])];
    assert_eq!(
        add_noise(&input_schema(true), &batches, &test_secret(1), 0, &NoiseSpec::NoNoise),
        Err(Error::InvalidArgument(
            "addNoise input: column 'value' has a null at row 0 of batch 0; every key and value must be non-null"
                .to_string()
        ))
    );
}

#[test]
fn a_missing_value_column_is_rejected_listing_the_columns() {
    let schema = Arc::new(Schema::new(vec![Field::new(
        KEY_COLUMN,
        DataType::Int64,
        false,
    )]));
    assert_eq!(
        add_noise(&schema, &[], &test_secret(1), 0, &NoiseSpec::NoNoise),
        Err(Error::InvalidArgument(
            "addNoise input: expected column 'value' of type Int64, but there is no column 'value'; available columns are [\"key\"]"
                .to_string()
        ))
    );
}

#[test]
fn a_value_of_the_wrong_type_is_rejected() {
    let schema = Arc::new(Schema::new(vec![
        Field::new(KEY_COLUMN, DataType::Int64, false),
        Field::new(VALUE_COLUMN, DataType::Utf8, false),
    ]));
    let batch = RecordBatch::try_new(
        schema.clone(),
        vec![
            Arc::new(Int64Array::from(vec![1])),
            Arc::new(StringArray::from(vec!["1"])),
        ],
    )
    .expect("batch");
    assert_eq!(
        add_noise(&schema, &[batch], &test_secret(1), 0, &NoiseSpec::NoNoise),
        Err(Error::InvalidArgument(
            "addNoise input: expected column 'value' of type Int64, got Utf8".to_string()
        ))
    );
}

#[test]
fn an_extra_column_is_rejected() {
    let schema = Arc::new(Schema::new(vec![
        Field::new(KEY_COLUMN, DataType::Int64, false),
        Field::new(VALUE_COLUMN, DataType::Int64, false),
        Field::new("title", DataType::Utf8, false),
    ]));
    assert!(matches!(
        add_noise(&schema, &[], &test_secret(1), 0, &NoiseSpec::NoNoise),
        Err(Error::InvalidArgument(message)) if message.contains("unexpected column 'title'")
    ));
}

/// The noise of a cell is a function of (secret, query index, key) only: splitting the same cells into
/// other batches, reordering them, or recomputing gives the same noise per key.
#[test]
fn the_noise_of_a_cell_depends_only_on_secret_query_index_and_key() {
    let keys: Vec<i64> = (0..200).map(|i| i * 7919 - 500).collect();
    let schema = input_schema(false);
    let noise = laplace(1000);
    let secret = test_secret(7);
    let one_batch = add_noise(&schema, &[cells(&keys, 100)], &secret, 3, &noise).expect("add");
    let reversed_keys: Vec<i64> = keys.iter().rev().copied().collect();
    let split = add_noise(
        &schema,
        &[
            cells(&reversed_keys[..50], 100),
            cells(&[], 100),
            cells(&reversed_keys[50..], 100),
        ],
        &secret,
        3,
        &noise,
    )
    .expect("add");
    assert_eq!(
        rows_of(&split)
            .iter()
            .map(|&(key, _)| key)
            .collect::<Vec<_>>(),
        reversed_keys,
        "row order kept"
    );
    assert_eq!(noise_by_key(&one_batch, 100), noise_by_key(&split, 100));
    let recomputed = add_noise(&schema, &[cells(&keys, 100)], &secret, 3, &noise).expect("add");
    assert_eq!(recomputed, one_batch);
}

/// With scale 1000 two independent draws coincide with probability < 1/1000, so among 200 keys a
/// different query index or secret leaves at most a handful of noises equal (≥ 20 equal has
/// probability below 1e-20).
#[test]
fn another_query_index_or_secret_gives_fresh_noise() {
    let keys: Vec<i64> = (0..200).collect();
    let schema = input_schema(false);
    let noise = laplace(1000);
    let base = noise_by_key(
        &add_noise(&schema, &[cells(&keys, 0)], &test_secret(7), 3, &noise).expect("add"),
        0,
    );
    let other_query = noise_by_key(
        &add_noise(&schema, &[cells(&keys, 0)], &test_secret(7), 4, &noise).expect("add"),
        0,
    );
    let other_secret = noise_by_key(
        &add_noise(&schema, &[cells(&keys, 0)], &test_secret(8), 3, &noise).expect("add"),
        0,
    );
    let equal_to_base =
        |other: &HashMap<i64, i64>| keys.iter().filter(|key| base[key] == other[key]).count();
    assert!(
        equal_to_base(&other_query) < 20,
        "{} of 200 equal",
        equal_to_base(&other_query)
    );
    assert!(
        equal_to_base(&other_secret) < 20,
        "{} of 200 equal",
        equal_to_base(&other_secret)
    );
}

/// The kernel must hand the sampler the spec's own parameter (not, say, its reciprocal, the Gaussian's
/// σ instead of σ², or a parameter off by a few percent). Discrete Laplace with scale s=100:
/// E|X| = 2q/(1-q²) with q = e^(-1/s), ≈ 99.998, and sd(|X|) ≈ s. The mean of n = 40000 draws has
/// sd ≈ 100/√40000 = 0.5; the band ±3 is 6 sd (false failure < 2e-9 by the CLT) and rejects a scale
/// off by 5% (mean ≈ 105 or 95, 4 sd outside the band).
#[test]
fn laplace_noise_has_the_spec_scale() {
    let keys: Vec<i64> = (0..40_000).collect();
    let noisy = add_noise(
        &input_schema(false),
        &[cells(&keys, 0)],
        &test_secret(9),
        1,
        &laplace(100),
    )
    .expect("add");
    let mean_abs = rows_of(&noisy)
        .iter()
        .map(|&(_, noise)| noise.unsigned_abs() as f64)
        .sum::<f64>()
        / 40_000.0;
    assert!(
        (mean_abs - 100.0).abs() < 3.0,
        "n=40000, mean |noise| = {mean_abs}, expected ≈ 100"
    );
}

/// Discrete Gaussian with σ² = 10000: E[X²] ≈ σ² (exact up to < 1e-100 relative for this σ), sd(X²) =
/// σ²·√2, so the mean of n = 40000 squares has sd ≈ 70.7; the band ±450 is > 6 sd (false failure
/// < 2e-10 by the CLT) and rejects σ (100), 2σ², or a σ² off by 10% (1000 away, 7.8 sd outside the
/// band); a σ² off by 5% fails with probability ≈ 0.8.
#[test]
fn gaussian_noise_has_the_spec_variance() {
    let keys: Vec<i64> = (0..40_000).collect();
    let spec = NoiseSpec::DiscreteGaussian {
        sigma_squared: Rational::from_integer(10_000),
    };
    let noisy = add_noise(
        &input_schema(false),
        &[cells(&keys, 0)],
        &test_secret(9),
        1,
        &spec,
    )
    .expect("add");
    let mean_square = rows_of(&noisy)
        .iter()
        .map(|&(_, noise)| (noise as f64) * (noise as f64))
        .sum::<f64>()
        / 40_000.0;
    assert!(
        (mean_square - 10_000.0).abs() < 450.0,
        "n=40000, mean noise² = {mean_square}, expected ≈ 10000"
    );
}

/// At Int64's edge some of 64 cells get positive noise (all 64 non-positive: probability ≈ 2^-64), and
/// that cell's value + noise overflows: Err(Overflow) naming the key, never a wrapped value.
#[test]
fn overflow_at_the_int64_edge_is_an_error_naming_the_key() {
    let keys: Vec<i64> = (0..64).collect();
    match add_noise(
        &input_schema(false),
        &[cells(&keys, i64::MAX)],
        &test_secret(9),
        1,
        &laplace(1000),
    ) {
        Err(Error::Overflow(message)) => {
            assert!(
                message.starts_with("addNoise: the noisy value of the cell with key "),
                "{message}"
            );
            assert!(
                message.ends_with("(value plus noise exceeds the Int64 range)"),
                "{message}"
            );
        }
        other => panic!("expected Overflow, got {other:?}"),
    }
}

/// The schema argument and the batches must agree: a batch with fewer columns must not be indexed out of
/// range (a panic in library code), and a batch with the columns in another order must not get its
/// key column noised.
#[test]
fn a_batch_whose_columns_differ_from_the_schema_is_rejected() {
    let key_only = RecordBatch::try_new(
        Arc::new(Schema::new(vec![Field::new(
            KEY_COLUMN,
            DataType::Int64,
            false,
        )])),
        vec![Arc::new(Int64Array::from(vec![1, 2]))],
    )
    .expect("batch");
    let swapped = RecordBatch::try_new(
        Arc::new(Schema::new(vec![
            Field::new(VALUE_COLUMN, DataType::Int64, false),
            Field::new(KEY_COLUMN, DataType::Int64, false),
        ])),
        vec![
            Arc::new(Int64Array::from(vec![5])),
            Arc::new(Int64Array::from(vec![1])),
        ],
    )
    .expect("batch");
    for (label, batch) in [("key only", key_only), ("swapped", swapped)] {
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            add_noise(
                &input_schema(false),
                &[cells(&[7], 1), batch.clone()],
                &test_secret(1),
                0,
                &laplace(10),
            )
        }));
        match outcome {
            Ok(Err(Error::InvalidArgument(message))) => assert!(
                message.contains("batch 1") && message.contains("schema"),
                "{label}: {message}"
            ),
            Ok(other) => panic!("{label}: expected InvalidArgument, got {other:?}"),
            Err(_) => panic!("{label}: add_noise panicked"),
        }
    }
}
