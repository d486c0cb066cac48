//! The partial aggregates one partition emits per fingerprint (`privacy::plan::PartialSpec`, other than
//! `Count`, which keeps truncation's own output): moments of the encoded measure, its histogram, or the
//! distinct items. Rows are added one at a time (the kept rows of truncation, in any order); `finish`
//! writes one batch whose rows are sorted (fp, null first, then bin / items), so the output depends only
//! on the multiset of rows added.
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use arrow::array::{ArrayRef, Int64Array};
use arrow::buffer::ScalarBuffer;
use arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use arrow::record_batch::RecordBatch;

use super::encode::encode_value;
use super::log_bin::log_bin;
use crate::error::Result;
use crate::privacy::plan::{partial_columns, Clamp, OutputType, PartialSpec, ValueEncoding};
use crate::{err, fail};

/// The partial batch's schema: `fp` Int64 nullable, then `privacy::plan::partial_columns` Int64 not null.
pub fn partial_schema(spec: &PartialSpec) -> SchemaRef {
    let mut fields = vec![Field::new("fp", DataType::Int64, true)];
    for name in partial_columns(spec) {
        fields.push(Field::new(name, DataType::Int64, false));
    }
    Arc::new(Schema::new(fields))
}

/// The number of `value_<j>` columns a partial reads (all Int64 for `Distinct`).
pub fn value_columns_needed(spec: &PartialSpec) -> usize {
    match spec {
        PartialSpec::Count => 0,
        PartialSpec::Moments { .. }
        | PartialSpec::Histogram { .. }
        | PartialSpec::LogBins { .. } => 1,
        PartialSpec::Distinct => 2,
    }
}

/// The type of `value_0` when the partial reads one typed measure column (Moments, Histogram: the
/// encoding's clamp; LogBins: its value type); None otherwise (Count, Distinct).
pub fn value_0_type(spec: &PartialSpec) -> Option<OutputType> {
    match spec {
        PartialSpec::LogBins { value, .. } => Some(*value),
        _ => encoding_of(spec).map(|encoding| match encoding.clamp {
            Clamp::Int64 { .. } => OutputType::Int64,
            Clamp::Float64 { .. } => OutputType::Float64,
        }),
    }
}

/// The encoding a partial applies to `value_0`, if any.
pub fn encoding_of(spec: &PartialSpec) -> Option<&ValueEncoding> {
    match spec {
        PartialSpec::Moments { encoding, .. } | PartialSpec::Histogram { encoding } => {
            Some(encoding)
        }
        PartialSpec::Count | PartialSpec::Distinct | PartialSpec::LogBins { .. } => None,
    }
}

/// An i128 as its (hi, lo) Int64 pair: `value = (hi as i128) << 64 | (lo as u64 as i128)`.
pub fn split_i128(value: i128) -> (i64, i64) {
    ((value >> 64) as i64, value as u64 as i64)
}

/// The i128 of a (hi, lo) Int64 pair ([`split_i128`]'s inverse).
pub fn join_i128(hi: i64, lo: i64) -> i128 {
    (i128::from(hi) << 64) | i128::from(lo as u64)
}

/// Count, Σe and Σe² of the encoded values of one fp.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Moments {
    pub count: i64,
    pub sum: i128,
    pub sum_of_squares: i128,
}

impl Moments {
    /// Adds one encoded value (|e| < 2^62, so e² < 2^124). Err(Overflow) naming `column` when a total
    /// leaves its type.
    pub fn add(&mut self, encoded: i64, column: &str) -> Result<()> {
        let e = i128::from(encoded);
        self.count = self
            .count
            .checked_add(1)
            .ok_or_else(|| overflow(column, "count"))?;
        self.sum = self
            .sum
            .checked_add(e)
            .ok_or_else(|| overflow(column, "sum"))?;
        self.sum_of_squares = self
            .sum_of_squares
            .checked_add(e * e)
            .ok_or_else(|| overflow(column, "sum of squares"))?;
        Ok(())
    }

    /// Adds another partition's moments of the same fp.
    pub fn merge(&mut self, other: &Moments, column: &str) -> Result<()> {
        self.count = self
            .count
            .checked_add(other.count)
            .ok_or_else(|| overflow(column, "count"))?;
        self.sum = self
            .sum
            .checked_add(other.sum)
            .ok_or_else(|| overflow(column, "sum"))?;
        self.sum_of_squares = self
            .sum_of_squares
            .checked_add(other.sum_of_squares)
            .ok_or_else(|| overflow(column, "sum of squares"))?;
        Ok(())
    }
}

fn overflow(column: &str, what: &str) -> crate::error::Error {
    err!(
        Overflow,
        "the {what} of measure column '{column}' overflows its exact total"
    )
}

/// What one partition accumulates per fp for a `PartialSpec` other than `Count`.
#[derive(Debug)]
pub enum PartialAccumulator {
    Moments {
        encoding: ValueEncoding,
        squares: bool,
        cells: HashMap<Option<i64>, Moments>,
    },
    Histogram {
        encoding: ValueEncoding,
        cells: HashMap<Option<i64>, BTreeMap<i64, i64>>,
    },
    Distinct {
        cells: HashMap<Option<i64>, BTreeSet<(i64, i64)>>,
    },
    /// Rows per log bin (`log_bin`), per fp.
    LogBins {
        value: OutputType,
        lowest: i32,
        highest: i32,
        cells: HashMap<Option<i64>, BTreeMap<i64, i64>>,
    },
}

const VALUE_0: &str = "value_0";
const VALUE_1: &str = "value_1";

impl PartialAccumulator {
    /// The accumulator of `spec`; None for `Count` (truncation's own output).
    pub fn new(spec: &PartialSpec) -> Option<Self> {
        match *spec {
            PartialSpec::Count => None,
            PartialSpec::Moments { encoding, squares } => Some(PartialAccumulator::Moments {
                encoding,
                squares,
                cells: HashMap::new(),
            }),
            PartialSpec::Histogram { encoding } => Some(PartialAccumulator::Histogram {
                encoding,
                cells: HashMap::new(),
            }),
            PartialSpec::Distinct => Some(PartialAccumulator::Distinct {
                cells: HashMap::new(),
            }),
            PartialSpec::LogBins {
                value,
                lowest,
                highest,
            } => Some(PartialAccumulator::LogBins {
                value,
                lowest,
                highest,
                cells: HashMap::new(),
            }),
        }
    }

    /// Adds one kept row of `fp` with its raw measure values (`value_<j>`: Int64, or a Float64's bits;
    /// None for null). Err(InvalidArgument) naming the column for a null distinct item or a value beyond
    /// the encoding; Err(Overflow) when a total overflows.
    pub fn add(&mut self, fp: Option<i64>, values: &[Option<i64>]) -> Result<()> {
        match self {
            PartialAccumulator::Moments {
                encoding, cells, ..
            } => {
                let moments = cells.entry(fp).or_default();
                let Some(raw) = values.first().copied().flatten() else {
                    return Ok(());
                };
                if let Some(encoded) = encode_value(encoding, raw, VALUE_0)? {
                    moments.add(encoded, VALUE_0)?;
                }
            }
            PartialAccumulator::Histogram { encoding, cells } => {
                let Some(raw) = values.first().copied().flatten() else {
                    return Ok(());
                };
                if let Some(encoded) = encode_value(encoding, raw, VALUE_0)? {
                    let count = cells.entry(fp).or_default().entry(encoded).or_insert(0);
                    *count = count
                        .checked_add(1)
                        .ok_or_else(|| overflow(VALUE_0, "histogram count"))?;
                }
            }
            PartialAccumulator::Distinct { cells } => {
                let item = |index: usize, name: &str| -> Result<i64> {
                    match values.get(index).copied().flatten() {
                        Some(item) => Ok(item),
                        None => fail!(
                            InvalidArgument,
                            "truncation input: the distinct item column '{name}' must not hold nulls"
                        ),
                    }
                };
                let pair = (item(0, VALUE_0)?, item(1, VALUE_1)?);
                cells.entry(fp).or_default().insert(pair);
            }
            PartialAccumulator::LogBins {
                value,
                lowest,
                highest,
                cells,
            } => {
                let Some(raw) = values.first().copied().flatten() else {
                    return Ok(());
                };
                if let Some(bin) = log_bin(raw, *value, *lowest, *highest) {
                    let count = cells
                        .entry(fp)
                        .or_default()
                        .entry(i64::from(bin))
                        .or_insert(0);
                    *count = count
                        .checked_add(1)
                        .ok_or_else(|| overflow(VALUE_0, "log bin count"))?;
                }
            }
        }
        Ok(())
    }

    /// The partial batch ([`partial_schema`]): rows sorted by fp (null first), then bin / item.
    pub fn finish(self) -> Result<RecordBatch> {
        let (spec, columns): (PartialSpec, Vec<Vec<Option<i64>>>) = match self {
            PartialAccumulator::Moments {
                encoding,
                squares,
                cells,
            } => {
                let mut cells: Vec<_> = cells.into_iter().collect();
                cells.sort_unstable_by_key(|(fp, _)| *fp);
                let mut columns =
                    vec![Vec::with_capacity(cells.len()); if squares { 6 } else { 4 }];
                for (fp, moments) in cells {
                    let (sum_hi, sum_lo) = split_i128(moments.sum);
                    let mut row = vec![fp, Some(moments.count), Some(sum_hi), Some(sum_lo)];
                    if squares {
                        let (hi, lo) = split_i128(moments.sum_of_squares);
                        row.extend([Some(hi), Some(lo)]);
                    }
                    for (column, value) in columns.iter_mut().zip(row) {
                        column.push(value);
                    }
                }
                (PartialSpec::Moments { encoding, squares }, columns)
            }
            PartialAccumulator::Histogram { encoding, cells } => {
                (PartialSpec::Histogram { encoding }, bin_columns(cells))
            }
            PartialAccumulator::LogBins {
                value,
                lowest,
                highest,
                cells,
            } => (
                PartialSpec::LogBins {
                    value,
                    lowest,
                    highest,
                },
                bin_columns(cells),
            ),
            PartialAccumulator::Distinct { cells } => {
                let mut cells: Vec<_> = cells.into_iter().collect();
                cells.sort_unstable_by_key(|(fp, _)| *fp);
                let mut columns = vec![Vec::new(); 3];
                for (fp, items) in cells {
                    for (first, second) in items {
                        columns[0].push(fp);
                        columns[1].push(Some(first));
                        columns[2].push(Some(second));
                    }
                }
                (PartialSpec::Distinct, columns)
            }
        };
        let mut arrays: Vec<ArrayRef> = Vec::with_capacity(columns.len());
        for (index, column) in columns.into_iter().enumerate() {
            if index == 0 {
                arrays.push(Arc::new(column.into_iter().collect::<Int64Array>()));
            } else {
                let values: Vec<i64> = column.into_iter().map(Option::unwrap_or_default).collect();
                arrays.push(Arc::new(Int64Array::new(ScalarBuffer::from(values), None)));
            }
        }
        RecordBatch::try_new(partial_schema(&spec), arrays)
            .map_err(|e| err!(Internal, "partial: cannot build the output batch: {e}"))
    }
}

/// The `fp`, `bin`, `count` columns of per-fp bin counts, sorted by fp (null first), then bin.
fn bin_columns(cells: HashMap<Option<i64>, BTreeMap<i64, i64>>) -> Vec<Vec<Option<i64>>> {
    let mut cells: Vec<_> = cells.into_iter().collect();
    cells.sort_unstable_by_key(|(fp, _)| *fp);
    let mut columns = vec![Vec::new(); 3];
    for (fp, bins) in cells {
        for (bin, count) in bins {
            columns[0].push(fp);
            columns[1].push(Some(bin));
            columns[2].push(Some(count));
        }
    }
    columns
}

#[cfg(test)]
mod test;
