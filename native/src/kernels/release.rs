//! The release pass (COMPILER_INTERFACES.md §5.1 step 3): one partition of cells, offered in Arrow batches
//! of keyset *marker* rows (`key_marker` not null) and partial rows (`key_marker` null, the partial
//! columns of `privacy::plan::partial_columns`). The partials are merged per fp (exact i128 sums,
//! histogram counts, distinct item sets); at finish each marked fp (for get_groups: each partial fp)
//! gets its measures' noise and is post-processed (`postprocess`) into one output row
//! `fp, out_0, out_1, …`, ascending fp with null first.
//!
//! Noise: measure i of cell fp is drawn from `SecretKey::measure_query_key(query, index_i).cell_rng(fp)`
//! — for measure 0 exactly the stream `addNoise` gives a count cell (`query_key(query).cell_rng(fp)`) —
//! so it depends only on (secret, query index, measure index, fp), never on the partition, the batch
//! order or the attempt. A null fp (no stream id of its own: every i64 is some fp's) draws from the
//! same construction under the child key `secret.derive("release:null-fp")`.
//!
//! The JNI methods hold states through [`registry`] (as truncation's).
use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;

use arrow::array::{Array, ArrayRef, AsArray, Float64Array, Int64Array};
use arrow::buffer::ScalarBuffer;
use arrow::datatypes::{DataType, Field, Int64Type, Schema, SchemaRef};
use arrow::record_batch::RecordBatch;
use rand_chacha::ChaCha20Rng;

use super::ipc::{require_batch_matches_schema, require_int64_column, require_only_columns};
use super::partial::{join_i128, Moments};
use crate::error::Result;
use crate::privacy::plan::{partial_columns, MeasurementPlan, OutputType, PartialSpec, Release};
use crate::privacy::NoiseSpec;
use crate::sample::rng::QueryKey;
use crate::sample::{sample_discrete_gaussian, sample_discrete_laplace, SecretKey};
use crate::{err, fail};

pub mod bounds;
pub mod postprocess;
pub mod registry;
#[cfg(test)]
mod test;

const CONTEXT: &str = "release input";

/// The cell fingerprint: Int64, nullable.
pub const FP_COLUMN: &str = "fp";
/// 1 on a keyset marker row, null on a partial row: Int64, nullable.
pub const KEY_MARKER_COLUMN: &str = "key_marker";
/// The purpose of the child key whose streams draw a null fp's noise.
const NULL_FP_PURPOSE: &str = "release:null-fp";

/// `out_<i>`: the i-th released value.
pub fn output_column(index: usize) -> String {
    format!("out_{index}")
}

/// The output schema: `fp` Int64 nullable, then `out_<i>` typed as `outputs` (not null).
pub fn output_schema(outputs: &[OutputType]) -> SchemaRef {
    let mut fields = vec![Field::new(FP_COLUMN, DataType::Int64, true)];
    for (index, output) in outputs.iter().enumerate() {
        let data_type = match output {
            OutputType::Int64 => DataType::Int64,
            OutputType::Float64 => DataType::Float64,
        };
        fields.push(Field::new(output_column(index), data_type, false));
    }
    Arc::new(Schema::new(fields))
}

/// The merged partials of one fp, and whether the keyset marks it.
#[derive(Debug, Default)]
pub struct Cell {
    pub marked: bool,
    /// `Count` partials: Σ count.
    pub count: i128,
    /// `Moments` partials.
    pub moments: Moments,
    /// `Histogram` partials: Σ count per bin (encoded value); `LogBins` partials: Σ count per log bin.
    pub bins: BTreeMap<i64, u64>,
    /// `Distinct` partials: the distinct item pairs.
    pub items: HashSet<(i64, i64)>,
}

/// One released value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Released {
    Int64(i64),
    Float64(f64),
}

/// The accumulated input of one release pass (one Spark task's partition of cells).
pub struct ReleaseState {
    plan: MeasurementPlan,
    /// Per measure: its query key, and the one for a null fp.
    measure_keys: Vec<(QueryKey, QueryKey)>,
    cells: BTreeMap<Option<i64>, Cell>,
}

impl std::fmt::Debug for ReleaseState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReleaseState")
            .field("plan", &self.plan)
            .field("cells", &self.cells.len())
            .finish()
    }
}

impl ReleaseState {
    /// A release of `plan` for query `query_index` under `secret`. Err(InvalidArgument) when the plan's
    /// partial, measures and outputs do not fit its release (`postprocess::check_plan`).
    pub fn new(plan: MeasurementPlan, secret: &SecretKey, query_index: u64) -> Result<Self> {
        postprocess::check_plan(&plan)?;
        let null_fp_secret = secret.derive(NULL_FP_PURPOSE);
        let measure_keys = plan
            .measures
            .iter()
            .map(|measure| {
                (
                    secret.measure_query_key(query_index, measure.index),
                    null_fp_secret.measure_query_key(query_index, measure.index),
                )
            })
            .collect();
        Ok(ReleaseState {
            plan,
            measure_keys,
            cells: BTreeMap::new(),
        })
    }

    /// Adds the rows of `batches` (which have `schema`: exactly `fp`, `key_marker` and the plan's partial
    /// columns, all Int64). Err(InvalidArgument) naming the column for a wrong schema or a null partial
    /// value on a partial row; Err(Internal) for a repeated marker (or a marker for get_groups);
    /// Err(Overflow) naming the column when a merged total overflows. A failed offer leaves the state
    /// half-merged: the registry frees it.
    pub fn offer(&mut self, schema: &Schema, batches: &[RecordBatch]) -> Result<()> {
        let partial_names = partial_columns(&self.plan.partial);
        let mut expected = vec![FP_COLUMN, KEY_MARKER_COLUMN];
        expected.extend(partial_names.iter().copied());
        require_only_columns(schema, &expected, CONTEXT)?;
        let indices = expected
            .iter()
            .map(|name| require_int64_column(schema, name, CONTEXT))
            .collect::<Result<Vec<usize>>>()?;
        for (batch_index, batch) in batches.iter().enumerate() {
            require_batch_matches_schema(schema, batch, batch_index, CONTEXT)?;
        }
        for batch in batches {
            let columns: Vec<&Int64Array> = indices
                .iter()
                .map(|&index| {
                    batch
                        .column(index)
                        .as_primitive_opt::<Int64Type>()
                        .ok_or_else(|| err!(Internal, "{CONTEXT}: column {index} is not Int64"))
                })
                .collect::<Result<_>>()?;
            for row in 0..batch.num_rows() {
                self.offer_row(&columns, &expected, row)?;
            }
        }
        Ok(())
    }

    fn offer_row(&mut self, columns: &[&Int64Array], names: &[&str], row: usize) -> Result<()> {
        let value = |column: usize| {
            columns[column]
                .is_valid(row)
                .then(|| columns[column].value(row))
        };
        let fp = value(0);
        let cell = self.cells.entry(fp).or_default();
        if let Some(marker) = value(1) {
            if marker != 1 {
                fail!(
                    InvalidArgument,
                    "{CONTEXT}: column '{KEY_MARKER_COLUMN}' must be 1 or null, got {marker}"
                );
            }
            if matches!(self.plan.release, Release::CountAboveThreshold { .. }) {
                fail!(
                    Internal,
                    "{CONTEXT}: get_groups takes no keyset marker rows (fp {fp:?})"
                );
            }
            if cell.marked {
                fail!(Internal, "{CONTEXT}: the keyset marks fp {fp:?} twice");
            }
            cell.marked = true;
            return Ok(());
        }
        let mut partial = Vec::with_capacity(columns.len() - 2);
        for (column, name) in names.iter().enumerate().skip(2) {
            match value(column) {
                Some(v) => partial.push(v),
                None => fail!(
                    InvalidArgument,
                    "{CONTEXT}: partial column '{name}' is null on a partial row (key_marker null) of fp \
                     {fp:?}"
                ),
            }
        }
        merge_partial(cell, &self.plan.partial, &partial)
    }

    /// The released rows: one per marked fp (get_groups: per partial fp whose noisy count passes the
    /// threshold), ascending fp with null first, with [`output_schema`]. Err(Overflow) naming the measure
    /// when a noisy value leaves its type; sampler errors are passed on.
    pub fn finish(self) -> Result<RecordBatch> {
        let releases_partials = matches!(self.plan.release, Release::CountAboveThreshold { .. });
        let mut fps: Vec<Option<i64>> = Vec::new();
        let mut rows: Vec<Vec<Released>> = Vec::new();
        for (fp, cell) in &self.cells {
            if !releases_partials && !cell.marked {
                // A key not in the keyset is never released.
                continue;
            }
            let mut streams = self.streams(*fp);
            if let Some(outputs) = postprocess::release_cell(&self.plan, cell, &mut streams)? {
                fps.push(*fp);
                rows.push(outputs);
            }
        }
        let mut columns: Vec<ArrayRef> = vec![Arc::new(fps.into_iter().collect::<Int64Array>())];
        for (index, output) in self.plan.outputs.iter().enumerate() {
            let column: ArrayRef = match output {
                OutputType::Int64 => {
                    let mut values = Vec::with_capacity(rows.len());
                    for row in &rows {
                        match row.get(index) {
                            Some(Released::Int64(value)) => values.push(*value),
                            other => {
                                fail!(Internal, "release: out_{index} is {other:?}, not Int64")
                            }
                        }
                    }
                    Arc::new(Int64Array::new(ScalarBuffer::from(values), None))
                }
                OutputType::Float64 => {
                    let mut values = Vec::with_capacity(rows.len());
                    for row in &rows {
                        match row.get(index) {
                            Some(Released::Float64(value)) => values.push(*value),
                            other => {
                                fail!(Internal, "release: out_{index} is {other:?}, not Float64")
                            }
                        }
                    }
                    Arc::new(Float64Array::new(ScalarBuffer::from(values), None))
                }
            };
            columns.push(column);
        }
        RecordBatch::try_new(output_schema(&self.plan.outputs), columns)
            .map_err(|e| err!(Internal, "release: cannot build the output batch: {e}"))
    }

    /// The noise streams of cell `fp`, one per measure, in plan order.
    fn streams(&self, fp: Option<i64>) -> Vec<ChaCha20Rng> {
        self.measure_keys
            .iter()
            .map(|(key, null_fp_key)| match fp {
                Some(fp) => key.cell_rng(fp),
                None => null_fp_key.cell_rng(0),
            })
            .collect()
    }
}

/// Adds one partial row (`values` in `partial_columns` order, not null) to `cell`.
fn merge_partial(cell: &mut Cell, spec: &PartialSpec, values: &[i64]) -> Result<()> {
    let overflow = |what: &str| err!(Overflow, "release: the merged {what} of a cell overflows");
    match (spec, values) {
        (PartialSpec::Count, [count]) => {
            cell.count = cell
                .count
                .checked_add(i128::from(*count))
                .ok_or_else(|| overflow("count"))?;
        }
        (PartialSpec::Moments { .. }, [count, sum_hi, sum_lo, squares @ ..]) => {
            let sum_of_squares = match squares {
                [hi, lo] => join_i128(*hi, *lo),
                _ => 0,
            };
            let other = Moments {
                count: *count,
                sum: join_i128(*sum_hi, *sum_lo),
                sum_of_squares,
            };
            cell.moments.merge(&other, "value_0")?;
        }
        (PartialSpec::Histogram { .. } | PartialSpec::LogBins { .. }, [bin, count]) => {
            let Ok(count) = u64::try_from(*count) else {
                fail!(
                    InvalidArgument,
                    "{CONTEXT}: partial column 'count' holds a negative count ({count}) for bin {bin}"
                );
            };
            let total = cell.bins.entry(*bin).or_insert(0);
            *total = total
                .checked_add(count)
                .ok_or_else(|| overflow("histogram count"))?;
        }
        (PartialSpec::Distinct, [first, second]) => {
            cell.items.insert((*first, *second));
        }
        _ => fail!(
            Internal,
            "release: {} partial values do not fit the partial {spec:?}",
            values.len()
        ),
    }
    Ok(())
}

/// One draw of integer noise from `noise` on `stream`.
pub fn draw_noise(stream: &mut ChaCha20Rng, noise: &NoiseSpec) -> Result<i64> {
    match noise {
        NoiseSpec::NoNoise => Ok(0),
        NoiseSpec::DiscreteLaplace { scale } => sample_discrete_laplace(stream, scale),
        NoiseSpec::DiscreteGaussian { sigma_squared } => {
            sample_discrete_gaussian(stream, sigma_squared)
        }
    }
}
