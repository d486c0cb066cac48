//! Calibrated noise added to the cells of an aggregate batch (`key` Int64, `value` Int64).
//!
//! The noise of a row is drawn from a ChaCha20 stream keyed by (session secret, query index, key) and by
//! nothing else: not the row's position, the batch it arrived in, the partition, the attempt number or a
//! clock. That is what makes a Spark task retry, a speculative duplicate task, or a re-evaluation of the
//! returned DataFrame reproduce *identical* noise (DESIGN.md, "Re-evaluating a returned DataFrame or a
//! retried task never draws fresh noise"): recomputing a cell cannot hand an attacker a second,
//! independent noisy draw of the same count to average away.
use std::sync::Arc;

use arrow::array::{Array, ArrayRef, AsArray, Int64Array};
use arrow::buffer::ScalarBuffer;
use arrow::datatypes::{Int64Type, Schema};
use arrow::record_batch::RecordBatch;

use super::ipc::{require_batch_matches_schema, require_int64_column, require_only_columns};
use crate::error::Result;
use crate::privacy::NoiseSpec;
use crate::sample::rng::QueryKey;
use crate::sample::{sample_discrete_gaussian, sample_discrete_laplace, SecretKey};
use crate::{err, fail};

const CONTEXT: &str = "addNoise input";

/// The cell's key (a fingerprint of the group-by values), Int64, no nulls.
pub const KEY_COLUMN: &str = "key";
/// The exact aggregate of the cell, Int64, no nulls.
pub const VALUE_COLUMN: &str = "value";

/// Add noise drawn from `noise` to column `value` of every row of `batches` (which have `schema`).
///
/// Returns the batches with the same schema, the same batch boundaries and the same row order, `value`
/// replaced by `value + noise(secret, query_index, key)`.
/// `Err(InvalidArgument)` when the schema is not exactly the Int64 columns `key` and `value`, or a key or
/// value is null (a null must not be silently dropped, nor noised as if it were 0);
/// `Err(Overflow)` when value + noise does not fit in i64; sampler errors are passed on.
pub fn add_noise(
    schema: &Schema,
    batches: &[RecordBatch],
    secret: &SecretKey,
    query_index: u64,
    noise: &NoiseSpec,
) -> Result<Vec<RecordBatch>> {
    let key_index = require_int64_column(schema, KEY_COLUMN, CONTEXT)?;
    let value_index = require_int64_column(schema, VALUE_COLUMN, CONTEXT)?;
    require_only_columns(schema, &[KEY_COLUMN, VALUE_COLUMN], CONTEXT)?;
    // Deriving the query key is a PRF call; do it once per call, not once per cell.
    let query_key = secret.query_key(query_index);
    batches
        .iter()
        .enumerate()
        .map(|(batch_index, batch)| {
            require_batch_matches_schema(schema, batch, batch_index, CONTEXT)?;
            add_noise_to_batch(
                batch,
                batch_index,
                key_index,
                value_index,
                &query_key,
                noise,
            )
        })
        .collect()
}

fn add_noise_to_batch(
    batch: &RecordBatch,
    batch_index: usize,
    key_index: usize,
    value_index: usize,
    query_key: &QueryKey,
    noise: &NoiseSpec,
) -> Result<RecordBatch> {
    let keys = non_null_int64_column(batch, batch_index, key_index, KEY_COLUMN)?;
    let values = non_null_int64_column(batch, batch_index, value_index, VALUE_COLUMN)?;
    let mut noisy_values = Vec::with_capacity(values.len());
    for (&key, &value) in keys.values().iter().zip(values.values().iter()) {
        let cell_noise = sample_cell_noise(query_key, key, noise)?;
        // The message names the key only: the exact value (or the noise) would release the
        // un-noised count.
        let noisy_value = value.checked_add(cell_noise).ok_or_else(|| {
            err!(
                Overflow,
                "addNoise: the noisy value of the cell with key {key} does not fit in Int64 (value plus noise {} the Int64 range)",
                if cell_noise > 0 { "exceeds" } else { "falls below" }
            )
        })?;
        noisy_values.push(noisy_value);
    }
    let mut columns: Vec<ArrayRef> = batch.columns().to_vec();
    let noisy_column: ArrayRef = Arc::new(Int64Array::new(ScalarBuffer::from(noisy_values), None));
    match columns.get_mut(value_index) {
        Some(column) => *column = noisy_column,
        None => fail!(
            Internal,
            "addNoise: batch {batch_index} has no column {value_index}"
        ),
    }
    RecordBatch::try_new(batch.schema(), columns).map_err(|e| {
        err!(
            Internal,
            "addNoise: cannot build output batch {batch_index}: {e}"
        )
    })
}

/// One draw of the cell's noise. The stream is a function of (secret, query_index, key) only — see the
/// module doc for why that matters.
fn sample_cell_noise(query_key: &QueryKey, key: i64, noise: &NoiseSpec) -> Result<i64> {
    match noise {
        NoiseSpec::NoNoise => Ok(0),
        NoiseSpec::DiscreteLaplace { scale } => {
            sample_discrete_laplace(&mut query_key.cell_rng(key), scale)
        }
        NoiseSpec::DiscreteGaussian { sigma_squared } => {
            sample_discrete_gaussian(&mut query_key.cell_rng(key), sigma_squared)
        }
    }
}

fn non_null_int64_column<'a>(
    batch: &'a RecordBatch,
    batch_index: usize,
    column_index: usize,
    column_name: &str,
) -> Result<&'a Int64Array> {
    let column = batch
        .column(column_index)
        .as_primitive_opt::<Int64Type>()
        .ok_or_else(|| {
            err!(
                Internal,
                "{CONTEXT}: batch {batch_index} column '{column_name}' is not an Int64 array"
            )
        })?;
    if let Some(nulls) = column.nulls() {
        if let Some(row) = (0..column.len()).find(|&row| nulls.is_null(row)) {
            fail!(
                InvalidArgument,
                "{CONTEXT}: column '{column_name}' has a null at row {row} of batch {batch_index}; every key and value must be non-null"
            );
        }
    }
    Ok(column)
}

#[cfg(test)]
mod test;
