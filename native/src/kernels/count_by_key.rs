//! Partial counts per key: the per-partition half of a grouped count. Spark sums the partials after
//! shuffling them by key; the noise is added later, once per final cell (see `add_noise`).
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::Arc;

use arrow::array::{Array, ArrayRef, AsArray, Int64Array};
use arrow::buffer::{BooleanBuffer, NullBuffer, ScalarBuffer};
use arrow::datatypes::{DataType, Field, Int64Type, Schema, SchemaRef};
use arrow::record_batch::RecordBatch;

use super::ipc::{require_batch_matches_schema, require_int64_column, require_only_columns};
use crate::error::Result;
use crate::{err, fail};

const CONTEXT: &str = "countByKey input";

/// The input column: Int64, nullable (a null key is its own group).
pub const KEY_COLUMN: &str = "key";
/// The output column holding the number of input rows with that key.
pub const COUNT_COLUMN: &str = "count";

/// Capacity reserved up front: enough for a typical batch of a few thousand distinct keys without
/// rehashing, without reserving gigabytes when a large input has few distinct keys.
const MAX_RESERVED_KEYS: usize = 1 << 16;

/// The output schema: `key` Int64 nullable, `count` Int64 not null.
pub fn output_schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        Field::new(KEY_COLUMN, DataType::Int64, true),
        Field::new(COUNT_COLUMN, DataType::Int64, false),
    ]))
}

/// Count the rows of each distinct value of column `key` over all `batches` (which have `schema`).
///
/// Returns one batch with `output_schema()`: one row per distinct key, null keys counted together in one
/// row with a null key, rows in unspecified order. Empty input gives an empty batch.
/// `Err(InvalidArgument)` when the schema is not exactly one Int64 column `key`;
/// `Err(Overflow)` if a count would not fit in i64.
pub fn count_by_key(schema: &Schema, batches: &[RecordBatch]) -> Result<RecordBatch> {
    let key_index = require_int64_column(schema, KEY_COLUMN, CONTEXT)?;
    require_only_columns(schema, &[KEY_COLUMN], CONTEXT)?;

    let total_rows = batches
        .iter()
        .map(RecordBatch::num_rows)
        .fold(0usize, usize::saturating_add);
    let mut count_by_key: HashMap<i64, i64, FingerprintHasherBuilder> =
        HashMap::with_capacity_and_hasher(
            total_rows.min(MAX_RESERVED_KEYS),
            FingerprintHasherBuilder::default(),
        );
    let mut null_key_count: i64 = 0;

    for (batch_index, batch) in batches.iter().enumerate() {
        require_batch_matches_schema(schema, batch, batch_index, CONTEXT)?;
        let keys = batch
            .column(key_index)
            .as_primitive_opt::<Int64Type>()
            .ok_or_else(|| {
                err!(
                    Internal,
                    "{CONTEXT}: batch {batch_index} column 'key' is not an Int64 array"
                )
            })?;
        match keys.nulls().filter(|nulls| nulls.null_count() > 0) {
            None => {
                for &key in keys.values().iter() {
                    increment(count_by_key.entry(key).or_insert(0), key)?;
                }
            }
            Some(nulls) => {
                let null_rows = i64::try_from(nulls.null_count()).map_err(|_| {
                    err!(Overflow, "{CONTEXT}: null key count does not fit in Int64")
                })?;
                null_key_count = null_key_count.checked_add(null_rows).ok_or_else(|| {
                    err!(Overflow, "{CONTEXT}: count of the null key overflows Int64")
                })?;
                for (row, &key) in keys.values().iter().enumerate() {
                    if nulls.is_valid(row) {
                        increment(count_by_key.entry(key).or_insert(0), key)?;
                    }
                }
            }
        }
    }

    build_output(count_by_key, null_key_count)
}

fn increment(count: &mut i64, key: i64) -> Result<()> {
    *count = count
        .checked_add(1)
        .ok_or_else(|| err!(Overflow, "{CONTEXT}: count of key {key} overflows Int64"))?;
    Ok(())
}

fn build_output(
    count_by_key: HashMap<i64, i64, FingerprintHasherBuilder>,
    null_key_count: i64,
) -> Result<RecordBatch> {
    let has_null_group = null_key_count > 0;
    let output_rows = count_by_key.len() + usize::from(has_null_group);
    let mut keys = Vec::with_capacity(output_rows);
    let mut counts = Vec::with_capacity(output_rows);
    for (key, count) in count_by_key {
        keys.push(key);
        counts.push(count);
    }
    let key_nulls = if has_null_group {
        // The null group goes last; its value slot is arbitrary (0) and masked by the validity bitmap.
        keys.push(0);
        counts.push(null_key_count);
        let mut validity = vec![true; output_rows];
        if let Some(last) = validity.last_mut() {
            *last = false;
        }
        Some(NullBuffer::new(BooleanBuffer::from(validity)))
    } else {
        None
    };
    let key_array: ArrayRef = Arc::new(Int64Array::new(ScalarBuffer::from(keys), key_nulls));
    let count_array: ArrayRef = Arc::new(Int64Array::new(ScalarBuffer::from(counts), None));
    match RecordBatch::try_new(output_schema(), vec![key_array, count_array]) {
        Ok(batch) => Ok(batch),
        Err(e) => fail!(Internal, "countByKey: cannot build the output batch: {e}"),
    }
}

/// Keys are already 64-bit fingerprints, so a cryptographic hasher (SipHash) buys nothing but time. We
/// still mix the bits: `HashMap` takes the bucket from the low bits and a tag from the top 7 bits, so an
/// identity hash would put small integer keys (tests, raw ids) all under one tag. A folded 64x64->128
/// multiply by an odd constant spreads every input bit into both ends. `wrapping_mul`-style arithmetic is
/// intended here: this is hashing, not a count.
#[derive(Default, Clone, Copy)]
struct FingerprintHasher {
    state: u64,
}

type FingerprintHasherBuilder = BuildHasherDefault<FingerprintHasher>;

impl Hasher for FingerprintHasher {
    fn finish(&self) -> u64 {
        let product = u128::from(self.state).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        // Truncations are the point: fold the high half into the low half.
        (product as u64) ^ ((product >> 64) as u64)
    }

    fn write(&mut self, bytes: &[u8]) {
        // Only reached for non-i64 keys, which this map never has; stay correct anyway.
        for &byte in bytes {
            self.state = self.state.rotate_left(8) ^ u64::from(byte);
        }
    }

    fn write_i64(&mut self, key: i64) {
        self.state = key as u64;
    }
}

#[cfg(test)]
mod test;
