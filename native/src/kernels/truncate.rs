//! Fused truncation + partial count: the per-partition half of a count on an ID-protected table
//! (COMPILER_INTERFACES.md §3). Rows arrive in any number of Arrow batches; per ID (compared by its bytes,
//! never by a hash) the constraints are applied in enforcement order, each on what the previous left, and the
//! kept rows are counted per group-by fingerprint `fp`. Spark sums the partials after the shuffle, as for
//! `countByKey`.
//!
//! Selection (deterministic, independent of the order rows and batches arrive):
//! * rows are ordered by their *row key* `(row_hash, fp, (group_hash_0, group_key_0), ...)` (a null fp sorts
//!   first). `MaxRowsPerID(k)` keeps the k smallest; `MaxRowsPerGroupPerID(c, r)` the r smallest per value of c.
//!   Rows with equal `(row_hash, fp)` differ only when the grouping values differ; the grouping values break
//!   such ties so that identical input multisets always give identical output.
//! * `MaxGroupsPerID(c, g)` keeps the rows of the g values of c (compared by their bytes) with the smallest
//!   `(group_hash, group_key)`.
//!
//! Memory: when the first constraints are `MaxRowsPerID` (all of them, in the common case), each ID keeps a
//! bounded max-heap of its k smallest rows (k = the smallest leading bound): O(IDs × k). Otherwise every
//! row of an ID is buffered until [`TruncationState::finish`]. With no constraints (tables protected by
//! `AddOneRow` / `AddMaxRows`) there is no `id` column and rows are only counted per `fp`.
//! IDs are numbered in order of first appearance by `IdTable` (their bytes stored once in one arena, found
//! by a keyed SipHash and compared bytewise); without grouping columns a row is kept as a 24-byte
//! `(row_hash, fp)`. Throughput: `benches/truncate.rs`, figures in `benches/README.md`.
//!
//! Optional measure columns `value_<j>` (Int64 or Float64, nullable) travel with their rows: a kept row's
//! values are summed per fp (`sum_<j>`, `nonnull_<j>`, see [`output_schema_for`]); they only break ties
//! between rows with identical row keys. Int64 sums are exact (i128) and checked against Int64 at finish;
//! Float64 values are summed in ascending order, so neither depends on the arrival order. Values are not
//! clamped here. Without measure columns none of this runs (same rows, same output `fp`, `count`).
//!
//! The JNI methods hold states through [`registry`]: handles are keys into a map, never pointers.
use std::collections::hash_map::{Entry, RandomState};
use std::collections::{BinaryHeap, HashMap};
use std::hash::{BuildHasher, BuildHasherDefault, Hasher};
use std::sync::Arc;

use arrow::array::{Array, ArrayRef, AsArray, BinaryArray, Float64Array, Int64Array};
use arrow::buffer::ScalarBuffer;
use arrow::datatypes::{DataType, Field, Float64Type, Int64Type, Schema, SchemaRef};
use arrow::record_batch::RecordBatch;

use super::partial::{partial_schema, value_0_type, value_columns_needed, PartialAccumulator};
use crate::error::Result;
use crate::privacy::plan::{OutputType, PartialSpec};
use crate::privacy::sensitivity::Constraint;
use crate::{err, fail};

pub mod registry;
#[cfg(test)]
mod test;

const CONTEXT: &str = "truncation input";

/// The ID bytes (COMPILER_INTERFACES.md §1): Binary, not null. Absent without constraints.
pub const ID_COLUMN: &str = "id";
/// The truncation-keyed hash of the whole row: Int64, not null.
pub const ROW_HASH_COLUMN: &str = "row_hash";
/// The group-by key fingerprint: Int64, nullable.
pub const FP_COLUMN: &str = "fp";
/// The output count column.
pub const COUNT_COLUMN: &str = "count";

/// `group_key_<i>`: the bytes of the i-th distinct grouping column's value (Binary, not null).
pub fn group_key_column(index: usize) -> String {
    format!("group_key_{index}")
}

/// `group_hash_<i>`: the keyed hash of the i-th distinct grouping column's value (Int64, not null).
pub fn group_hash_column(index: usize) -> String {
    format!("group_hash_{index}")
}

/// The prefix of the optional measure columns `value_<j>` (Int64 or Float64, nullable).
pub const VALUE_PREFIX: &str = "value_";

/// `value_<j>`: the j-th measure column (Int64 or Float64, nullable), carried with its row.
pub fn value_column(index: usize) -> String {
    format!("{VALUE_PREFIX}{index}")
}

/// `sum_<j>`: the output sum of the kept non-null values of `value_<j>` per fp.
pub fn sum_column(index: usize) -> String {
    format!("sum_{index}")
}

/// `nonnull_<j>`: the output number of kept rows whose `value_<j>` is not null, per fp.
pub fn nonnull_column(index: usize) -> String {
    format!("nonnull_{index}")
}

/// The type of a measure column `value_<j>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueKind {
    Int64,
    Float64,
}

impl ValueKind {
    fn data_type(self) -> DataType {
        match self {
            ValueKind::Int64 => DataType::Int64,
            ValueKind::Float64 => DataType::Float64,
        }
    }
}

/// The output schema without measure columns: `fp` Int64 nullable, `count` Int64 not null.
pub fn output_schema() -> SchemaRef {
    output_schema_for(&[])
}

/// The output schema for measure columns of the given kinds: `fp` Int64 nullable, `count` Int64 not null,
/// then per `value_<j>`: `sum_<j>` (of the input's type, not null) and `nonnull_<j>` (Int64, not null).
pub fn output_schema_for(values: &[ValueKind]) -> SchemaRef {
    let mut fields = vec![
        Field::new(FP_COLUMN, DataType::Int64, true),
        Field::new(COUNT_COLUMN, DataType::Int64, false),
    ];
    for (index, kind) in values.iter().enumerate() {
        fields.push(Field::new(sum_column(index), kind.data_type(), false));
        fields.push(Field::new(nonnull_column(index), DataType::Int64, false));
    }
    Arc::new(Schema::new(fields))
}

/// The measure values of one row, per `value_<j>`: None for null; an Int64 as is, a Float64 as its bits
/// (`f64::to_bits`). Ordered only to break ties between rows with identical row keys.
type Values = Box<[Option<i64>]>;

/// One value of a grouping column: ordered by (hash, bytes).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct GroupValue {
    hash: i64,
    key: Vec<u8>,
}

/// One row as truncation sees it. The derived order is the row key of the module doc: `row_hash`, then
/// `fp` (None first), then the grouping values in column order; then (with measure columns, `V` =
/// [`Values`]) the values, which only break ties between rows with identical row keys.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Row<V = ()> {
    row_hash: i64,
    fp: Option<i64>,
    groups: Vec<GroupValue>,
    values: V,
}

/// A constraint with its grouping column resolved to an index into [`Row::groups`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    Rows(usize),
    Groups { column: usize, max: usize },
    RowsPerGroup { column: usize, max: usize },
}

/// A row of a state without grouping columns: `(row_hash, fp)`, ordered as a [`Row`] with no grouping
/// values (None first), in 24 bytes instead of 48 (the heaps are most of the memory and of the cache misses).
type PlainRow = (i64, Option<i64>);

/// The rows of one ID: all of them, or (when `cap` is set) only the `cap` smallest, in a max-heap.
#[derive(Debug)]
struct IdRows<R> {
    heap: BinaryHeap<R>,
}

impl<R: Ord> Default for IdRows<R> {
    fn default() -> Self {
        IdRows {
            heap: BinaryHeap::new(),
        }
    }
}

/// Heaps of a bounded ID reserve room for this many rows up front (one allocation for the common small
/// `MaxRowsPerID`); larger ones grow as usual.
const RESERVED_ROWS_PER_ID: usize = 64;

impl<R: Ord> IdRows<R> {
    fn offer(&mut self, row: R, cap: Option<usize>) {
        if let (Some(cap), 0) = (cap, self.heap.capacity()) {
            self.heap.reserve_exact(cap.min(RESERVED_ROWS_PER_ID));
        }
        match cap {
            Some(cap) if self.heap.len() >= cap => {
                if let Some(mut largest) = self.heap.peek_mut() {
                    if row < *largest {
                        *largest = row;
                    }
                }
            }
            _ => self.heap.push(row),
        }
    }
}

/// A hasher for keys that are already hashes (the keyed hashes of [`IdTable`]): passes the u64 through.
#[derive(Debug, Default)]
struct PassThroughHasher(u64);

impl Hasher for PassThroughHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        // Only u64 keys are hashed here; fold anything else in anyway rather than panic.
        for &byte in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(byte);
        }
    }
    fn write_u64(&mut self, value: u64) {
        self.0 = value;
    }
}

/// No next ID in a hash chain.
const END_OF_CHAIN: usize = usize::MAX;

/// IDs this long or shorter (the common 16-byte `UnsafeRow` of one int or long) are compared against a copy
/// kept in the hash table's own slot: no second memory access per row.
const INLINE_ID_BYTES: usize = 16;

/// The hash table's entry for the latest ID with a given keyed hash.
#[derive(Debug, Clone, Copy)]
struct IdSlot {
    number: usize,
    len: usize,
    /// The ID's first `min(len, INLINE_ID_BYTES)` bytes, zero-padded.
    prefix: [u8; INLINE_ID_BYTES],
}

impl IdSlot {
    fn new(number: usize, id: &[u8]) -> Self {
        let mut prefix = [0u8; INLINE_ID_BYTES];
        let inline = id.len().min(INLINE_ID_BYTES);
        prefix[..inline].copy_from_slice(&id[..inline]);
        IdSlot {
            number,
            len: id.len(),
            prefix,
        }
    }
}

/// The distinct IDs seen so far, numbered 0, 1, ... in order of first appearance. Their bytes are stored
/// once, back to back in one arena (no allocation per ID or per row); an ID is found by a keyed hash of
/// its bytes (SipHash with per-state random keys, as `HashMap`'s default) and then compared bytewise
/// (short IDs against the copy in the table's slot): IDs with the same hash are chained.
#[derive(Debug, Default)]
struct IdTable {
    hasher: RandomState,
    arena: Vec<u8>,
    /// Per ID number: its bytes' end offset in `arena` (its start is the previous ID's end).
    ends: Vec<usize>,
    /// Per ID number: the next ID number with the same hash, or [`END_OF_CHAIN`].
    next_with_same_hash: Vec<usize>,
    /// Keyed hash -> the latest ID with that hash.
    by_hash: HashMap<u64, IdSlot, BuildHasherDefault<PassThroughHasher>>,
}

impl IdTable {
    /// The bytes of ID `number` (fields passed separately so `by_hash` can stay borrowed).
    fn bytes<'a>(arena: &'a [u8], ends: &[usize], number: usize) -> &'a [u8] {
        let start = if number == 0 { 0 } else { ends[number - 1] };
        &arena[start..ends[number]]
    }

    /// The number of `id`, and whether it is new (then numbered `len()`).
    fn number(&mut self, id: &[u8]) -> (usize, bool) {
        let hash = self.hasher.hash_one(id);
        self.number_with_hash(hash, id)
    }

    /// [`IdTable::number`] given `id`'s keyed hash (tests pass colliding hashes here).
    fn number_with_hash(&mut self, hash: u64, id: &[u8]) -> (usize, bool) {
        let new_number = self.ends.len();
        let previous = match self.by_hash.entry(hash) {
            Entry::Occupied(mut entry) => {
                let slot = *entry.get();
                let is_head = slot.len == id.len()
                    && if id.len() <= INLINE_ID_BYTES {
                        slot.prefix[..id.len()] == *id
                    } else {
                        slot.prefix == id[..INLINE_ID_BYTES]
                            && Self::bytes(&self.arena, &self.ends, slot.number) == id
                    };
                if is_head {
                    return (slot.number, false);
                }
                let mut candidate = self.next_with_same_hash[slot.number];
                while candidate != END_OF_CHAIN {
                    if Self::bytes(&self.arena, &self.ends, candidate) == id {
                        return (candidate, false);
                    }
                    candidate = self.next_with_same_hash[candidate];
                }
                entry.insert(IdSlot::new(new_number, id)).number
            }
            Entry::Vacant(entry) => {
                entry.insert(IdSlot::new(new_number, id));
                END_OF_CHAIN
            }
        };
        self.arena.extend_from_slice(id);
        self.ends.push(self.arena.len());
        self.next_with_same_hash.push(previous);
        (new_number, true)
    }
}

/// The accumulated input of one truncation (one Spark task's partition).
#[derive(Debug)]
pub struct TruncationState {
    grouping_columns: Vec<String>,
    /// Bound applied while rows arrive (the smallest leading `MaxRowsPerID`), if any.
    leading_cap: Option<usize>,
    /// The constraints still to apply at finish, in enforcement order.
    remaining_steps: Vec<Step>,
    has_constraints: bool,
    ids: IdTable,
    /// The rows of each ID, by its number in `ids`.
    rows_by_id: Vec<IdRows<Row>>,
    /// The same without grouping columns (then every constraint is a leading `MaxRowsPerID`), compactly.
    plain_rows_by_id: Vec<IdRows<PlainRow>>,
    /// Without constraints: the count per fp, directly.
    counts: HashMap<Option<i64>, i64>,
    /// The measure columns, fixed by the first `offer` (its schema); None before.
    value_kinds: Option<Vec<ValueKind>>,
    /// With measure columns and constraints: the rows of each ID, with their values (grouping values
    /// empty when there are no grouping columns).
    valued_rows_by_id: Vec<IdRows<Row<Values>>>,
    /// With measure columns and without constraints: the totals per fp, directly.
    totals: HashMap<Option<i64>, FpTotals>,
    /// What the kept rows feed (`PartialSpec::Count`: the count and the `sum_<j>` / `nonnull_<j>` totals).
    partial: PartialSpec,
    /// For a partial other than `Count`: its aggregates (fed directly without constraints, at finish
    /// otherwise).
    accumulator: Option<PartialAccumulator>,
}

/// The totals of one measure column for one fp.
#[derive(Debug, Default)]
struct ValueTotal {
    nonnull: i64,
    /// Int64 input: the exact sum (2^64 values of ±2^63 fit), checked against Int64 at finish, so an
    /// overflow does not depend on the order the values came in.
    int_sum: i128,
    /// Float64 input: the values, summed at finish in ascending (`total_cmp`) order.
    floats: Vec<f64>,
}

/// The count and value totals of the kept rows of one fp.
#[derive(Debug, Default)]
struct FpTotals {
    count: i64,
    values: Vec<ValueTotal>,
}

impl FpTotals {
    fn add(&mut self, fp: Option<i64>, kinds: &[ValueKind], values: &[Option<i64>]) -> Result<()> {
        increment(&mut self.count, fp)?;
        if self.values.len() < kinds.len() {
            self.values.resize_with(kinds.len(), ValueTotal::default);
        }
        for ((kind, total), value) in kinds.iter().zip(&mut self.values).zip(values) {
            let Some(raw) = *value else { continue };
            increment(&mut total.nonnull, fp)?;
            match kind {
                ValueKind::Int64 => total.int_sum += i128::from(raw),
                ValueKind::Float64 => total.floats.push(f64::from_bits(raw as u64)),
            }
        }
        Ok(())
    }
}

/// Saturating conversion: a bound beyond `usize` bounds nothing any input could reach.
fn bound(max: u64) -> usize {
    usize::try_from(max).unwrap_or(usize::MAX)
}

/// The distinct grouping columns of `constraints`, in order of first appearance.
pub fn distinct_grouping_columns(constraints: &[Constraint]) -> Vec<String> {
    let mut columns: Vec<String> = Vec::new();
    for column in constraints.iter().filter_map(Constraint::grouping_column) {
        if !columns.iter().any(|known| known == column) {
            columns.push(column.to_string());
        }
    }
    columns
}

impl TruncationState {
    /// A state for `constraints` (enforcement order). `grouping_columns` must be their distinct grouping
    /// columns in order of first appearance (the `group_key_<i>` / `group_hash_<i>` input columns), so the
    /// caller and this kernel agree on what `i` means. Err(InvalidArgument) otherwise, or for a zero bound.
    pub fn new(constraints: &[Constraint], grouping_columns: &[String]) -> Result<Self> {
        Self::with_partial(constraints, grouping_columns, PartialSpec::Count)
    }

    /// [`TruncationState::new`] whose kept rows feed `partial` (COMPILER_INTERFACES.md §5.1 step 2): for
    /// `Count`, the output of [`TruncationState::new`]; otherwise the partial batch of
    /// [`super::partial::partial_schema`], read from the measure columns `value_0` (and `value_1` for
    /// `Distinct`), which every offer must then carry with the encoding's type.
    pub fn with_partial(
        constraints: &[Constraint],
        grouping_columns: &[String],
        partial: PartialSpec,
    ) -> Result<Self> {
        if let Some(zero) = constraints.iter().find(|constraint| constraint.max() == 0) {
            fail!(InvalidArgument, "{} must be positive", zero.describe());
        }
        let expected = distinct_grouping_columns(constraints);
        if grouping_columns != expected.as_slice() {
            fail!(
                InvalidArgument,
                "truncation grouping columns {grouping_columns:?} must be the constraints' distinct grouping \
                 columns in order of first appearance: {expected:?}"
            );
        }
        let column_index = |column: &str| {
            expected
                .iter()
                .position(|known| known == column)
                .ok_or_else(|| err!(Internal, "grouping column '{column}' not indexed"))
        };
        let mut steps = Vec::with_capacity(constraints.len());
        for constraint in constraints {
            steps.push(match constraint {
                Constraint::MaxRowsPerID(max) => Step::Rows(bound(*max)),
                Constraint::MaxGroupsPerID {
                    grouping_column,
                    max,
                } => Step::Groups {
                    column: column_index(grouping_column)?,
                    max: bound(*max),
                },
                Constraint::MaxRowsPerGroupPerID {
                    grouping_column,
                    max,
                } => Step::RowsPerGroup {
                    column: column_index(grouping_column)?,
                    max: bound(*max),
                },
            });
        }
        // Consecutive leading MaxRowsPerID(k1), MaxRowsPerID(k2), ... keep the min(k) smallest rows: applied
        // while rows arrive, by a bounded heap.
        let leading = steps
            .iter()
            .take_while(|step| matches!(step, Step::Rows(_)))
            .count();
        let leading_cap = steps[..leading]
            .iter()
            .filter_map(|step| match step {
                Step::Rows(max) => Some(*max),
                _ => None,
            })
            .min();
        Ok(TruncationState {
            grouping_columns: expected,
            leading_cap,
            remaining_steps: steps[leading..].to_vec(),
            has_constraints: !constraints.is_empty(),
            ids: IdTable::default(),
            rows_by_id: Vec::new(),
            plain_rows_by_id: Vec::new(),
            counts: HashMap::new(),
            value_kinds: None,
            valued_rows_by_id: Vec::new(),
            totals: HashMap::new(),
            accumulator: PartialAccumulator::new(&partial),
            partial,
        })
    }

    /// The input columns this state expects, in no particular order, with their types and whether they
    /// may hold nulls.
    fn expected_columns(&self) -> Vec<(String, DataType, bool)> {
        let mut columns = vec![(FP_COLUMN.to_string(), DataType::Int64, true)];
        if self.has_constraints {
            columns.push((ID_COLUMN.to_string(), DataType::Binary, false));
            columns.push((ROW_HASH_COLUMN.to_string(), DataType::Int64, false));
            for index in 0..self.grouping_columns.len() {
                columns.push((group_key_column(index), DataType::Binary, false));
                columns.push((group_hash_column(index), DataType::Int64, false));
            }
        }
        columns
    }

    /// Checks `schema` against the expected columns; returns the index of each expected column in
    /// `expected_columns` order. Without constraints a `row_hash` column is allowed (and ignored).
    fn column_indices(&self, schema: &Schema) -> Result<Vec<usize>> {
        let expected = self.expected_columns();
        for (index, field) in schema.fields().iter().enumerate() {
            if schema.fields()[..index]
                .iter()
                .any(|earlier| earlier.name() == field.name())
            {
                fail!(
                    InvalidArgument,
                    "{CONTEXT}: column '{}' appears more than once",
                    field.name()
                );
            }
            let is_expected = expected.iter().any(|(name, _, _)| name == field.name())
                || (!self.has_constraints && field.name() == ROW_HASH_COLUMN)
                || field.name().starts_with(VALUE_PREFIX);
            if !is_expected {
                fail!(
                    InvalidArgument,
                    "{CONTEXT}: unexpected column '{}'; expected the columns {:?}",
                    field.name(),
                    expected.iter().map(|(name, _, _)| name).collect::<Vec<_>>()
                );
            }
        }
        expected
            .iter()
            .map(|(name, data_type, _)| {
                let Ok(index) = schema.index_of(name) else {
                    fail!(
                        InvalidArgument,
                        "{CONTEXT}: expected column '{name}' of type {data_type}, but there is no column \
                         '{name}'; available columns are {:?}",
                        schema.fields().iter().map(|f| f.name()).collect::<Vec<_>>()
                    );
                };
                let actual = schema.field(index).data_type();
                if actual != data_type {
                    fail!(
                        InvalidArgument,
                        "{CONTEXT}: expected column '{name}' of type {data_type}, got {actual}"
                    );
                }
                Ok(index)
            })
            .collect()
    }

    /// The measure columns of `schema`: their kinds and indices, by j. Err(InvalidArgument) naming the
    /// column for a `value_`-prefixed name that is not `value_<j>`, a type other than Int64 / Float64, a
    /// gap (`value_<j>` without some `value_<i>`, i < j), or columns other than those of the first offer.
    fn value_columns(&self, schema: &Schema) -> Result<(Vec<ValueKind>, Vec<usize>)> {
        let mut found: Vec<Option<(ValueKind, usize)>> = Vec::new();
        for (position, field) in schema.fields().iter().enumerate() {
            let name = field.name();
            let Some(suffix) = name.strip_prefix(VALUE_PREFIX) else {
                continue;
            };
            let index = match suffix.parse::<usize>() {
                Ok(index) if value_column(index) == *name => index,
                _ => fail!(
                    InvalidArgument,
                    "{CONTEXT}: unexpected column '{name}'; measure columns are named value_0, value_1, ..."
                ),
            };
            let kind = match field.data_type() {
                DataType::Int64 => ValueKind::Int64,
                DataType::Float64 => ValueKind::Float64,
                other => fail!(
                    InvalidArgument,
                    "{CONTEXT}: measure column '{name}' must be Int64 or Float64, got {other}"
                ),
            };
            if index >= schema.fields().len() {
                fail!(
                    InvalidArgument,
                    "{CONTEXT}: measure column '{name}' without all of the measure columns before it \
                     (they are numbered from 0 without gaps)"
                );
            }
            if found.len() <= index {
                found.resize(index + 1, None);
            }
            found[index] = Some((kind, position));
        }
        let mut kinds = Vec::with_capacity(found.len());
        let mut positions = Vec::with_capacity(found.len());
        for (index, column) in found.iter().enumerate() {
            let Some((kind, position)) = *column else {
                fail!(
                    InvalidArgument,
                    "{CONTEXT}: measure column '{}' without the measure column '{}' (they are numbered \
                     from 0 without gaps)",
                    value_column(found.len() - 1),
                    value_column(index)
                );
            };
            kinds.push(kind);
            positions.push(position);
        }
        if let Some(first) = &self.value_kinds {
            if *first != kinds {
                let describe = |kinds: &[ValueKind]| {
                    kinds
                        .iter()
                        .enumerate()
                        .map(|(index, kind)| {
                            format!("{} {}", value_column(index), kind.data_type())
                        })
                        .collect::<Vec<_>>()
                };
                fail!(
                    InvalidArgument,
                    "{CONTEXT}: measure columns {:?} differ from those of the first batches {:?}",
                    describe(&kinds),
                    describe(first)
                );
            }
        }
        Ok((kinds, positions))
    }

    /// Adds the rows of `batches` (which have `schema`). Err(InvalidArgument) naming the column for a
    /// wrong schema or a null in a not-null column; the state is unchanged then (every batch is checked
    /// before any row is taken). The first offer (even of no batches) fixes the measure columns.
    pub fn offer(&mut self, schema: &Schema, batches: &[RecordBatch]) -> Result<()> {
        let (kinds, value_positions) = self.value_columns(schema)?;
        self.check_partial_value_columns(&kinds)?;
        let indices = self.column_indices(schema)?;
        let expected = self.expected_columns();
        for (batch_index, batch) in batches.iter().enumerate() {
            super::ipc::require_batch_matches_schema(schema, batch, batch_index, CONTEXT)?;
            for ((name, _, nullable), &index) in expected.iter().zip(&indices) {
                if !nullable && batch.column(index).null_count() > 0 {
                    fail!(
                        InvalidArgument,
                        "{CONTEXT}: column '{name}' must not hold nulls, but batch {batch_index} has {}",
                        batch.column(index).null_count()
                    );
                }
            }
        }
        self.value_kinds = Some(kinds);
        for batch in batches {
            if value_positions.is_empty() {
                self.offer_batch(batch, &indices)?;
            } else {
                self.offer_valued_batch(batch, &indices, &value_positions)?;
            }
        }
        Ok(())
    }

    /// Err(InvalidArgument) naming the column when the measure columns are not those the partial reads:
    /// `value_0` of the encoding's type (Moments, Histogram), or Int64 `value_0`, `value_1` (Distinct).
    fn check_partial_value_columns(&self, kinds: &[ValueKind]) -> Result<()> {
        let needed = value_columns_needed(&self.partial);
        if needed == 0 {
            return Ok(());
        }
        let expected = match value_0_type(&self.partial) {
            Some(OutputType::Float64) => vec![ValueKind::Float64],
            Some(OutputType::Int64) => vec![ValueKind::Int64],
            None => vec![ValueKind::Int64; needed],
        };
        if kinds != expected.as_slice() {
            let describe = |kinds: &[ValueKind]| {
                kinds
                    .iter()
                    .enumerate()
                    .map(|(index, kind)| format!("{} {}", value_column(index), kind.data_type()))
                    .collect::<Vec<_>>()
            };
            fail!(
                InvalidArgument,
                "{CONTEXT}: the partial {:?} reads the measure columns {:?}, got {:?}",
                self.partial,
                describe(&expected),
                describe(kinds)
            );
        }
        Ok(())
    }

    /// [`TruncationState::offer_batch`] with measure columns at `value_positions` (by j): each row keeps
    /// its values.
    fn offer_valued_batch(
        &mut self,
        batch: &RecordBatch,
        indices: &[usize],
        value_positions: &[usize],
    ) -> Result<()> {
        let kinds = self.value_kinds.clone().unwrap_or_default();
        let int64 = |index: usize| -> Result<&Int64Array> {
            batch
                .column(index)
                .as_primitive_opt::<Int64Type>()
                .ok_or_else(|| err!(Internal, "{CONTEXT}: column {index} is not Int64"))
        };
        enum Column<'a> {
            Int(&'a Int64Array),
            Float(&'a Float64Array),
        }
        let mut value_columns = Vec::with_capacity(value_positions.len());
        for (&position, kind) in value_positions.iter().zip(&kinds) {
            value_columns.push(match kind {
                ValueKind::Int64 => Column::Int(int64(position)?),
                ValueKind::Float64 => Column::Float(
                    batch
                        .column(position)
                        .as_primitive_opt::<Float64Type>()
                        .ok_or_else(|| {
                            err!(Internal, "{CONTEXT}: column {position} is not Float64")
                        })?,
                ),
            });
        }
        let values_at = |row: usize| -> Values {
            value_columns
                .iter()
                .map(|column| match column {
                    Column::Int(array) => array.is_valid(row).then(|| array.value(row)),
                    Column::Float(array) => array
                        .is_valid(row)
                        .then(|| array.value(row).to_bits() as i64),
                })
                .collect()
        };
        let fps = int64(indices[0])?;
        let fp_at = |row: usize| fps.is_valid(row).then(|| fps.value(row));
        if !self.has_constraints {
            if let Some(accumulator) = self.accumulator.as_mut() {
                for row in 0..batch.num_rows() {
                    accumulator.add(fp_at(row), &values_at(row))?;
                }
                return Ok(());
            }
            for row in 0..batch.num_rows() {
                let fp = fp_at(row);
                self.totals
                    .entry(fp)
                    .or_default()
                    .add(fp, &kinds, &values_at(row))?;
            }
            return Ok(());
        }
        let ids = batch
            .column(indices[1])
            .as_binary_opt::<i32>()
            .ok_or_else(|| err!(Internal, "{CONTEXT}: column 'id' is not Binary"))?;
        let row_hashes = int64(indices[2])?;
        let mut group_columns = Vec::with_capacity(self.grouping_columns.len());
        for index in 0..self.grouping_columns.len() {
            let keys = batch
                .column(indices[3 + 2 * index])
                .as_binary_opt::<i32>()
                .ok_or_else(|| err!(Internal, "{CONTEXT}: a group key column is not Binary"))?;
            group_columns.push((keys, int64(indices[4 + 2 * index])?));
        }
        for row in 0..batch.num_rows() {
            let candidate = Row {
                row_hash: row_hashes.value(row),
                fp: fp_at(row),
                groups: group_columns
                    .iter()
                    .map(|(keys, hashes)| GroupValue {
                        hash: hashes.value(row),
                        key: keys.value(row).to_vec(),
                    })
                    .collect(),
                values: values_at(row),
            };
            let (number, is_new) = self.ids.number(ids.value(row));
            if is_new {
                self.valued_rows_by_id.push(IdRows::default());
            }
            self.valued_rows_by_id[number].offer(candidate, self.leading_cap);
        }
        Ok(())
    }

    fn offer_batch(&mut self, batch: &RecordBatch, indices: &[usize]) -> Result<()> {
        let int64 = |position: usize| -> Result<&Int64Array> {
            batch
                .column(indices[position])
                .as_primitive_opt::<Int64Type>()
                .ok_or_else(|| err!(Internal, "{CONTEXT}: column {position} is not Int64"))
        };
        let binary = |position: usize| -> Result<&BinaryArray> {
            batch
                .column(indices[position])
                .as_binary_opt::<i32>()
                .ok_or_else(|| err!(Internal, "{CONTEXT}: column {position} is not Binary"))
        };
        let fps = int64(0)?;
        let fp_at = |row: usize| fps.is_valid(row).then(|| fps.value(row));
        if !self.has_constraints {
            for row in 0..batch.num_rows() {
                let fp = fp_at(row);
                increment(self.counts.entry(fp).or_insert(0), fp)?;
            }
            return Ok(());
        }
        let ids = binary(1)?;
        let row_hashes = int64(2)?;
        let mut group_columns = Vec::with_capacity(self.grouping_columns.len());
        for index in 0..self.grouping_columns.len() {
            group_columns.push((binary(3 + 2 * index)?, int64(4 + 2 * index)?));
        }
        if group_columns.is_empty() {
            for row in 0..batch.num_rows() {
                let (number, is_new) = self.ids.number(ids.value(row));
                if is_new {
                    self.plain_rows_by_id.push(IdRows::default());
                }
                self.plain_rows_by_id[number]
                    .offer((row_hashes.value(row), fp_at(row)), self.leading_cap);
            }
            return Ok(());
        }
        for row in 0..batch.num_rows() {
            let candidate = Row {
                row_hash: row_hashes.value(row),
                fp: fp_at(row),
                groups: group_columns
                    .iter()
                    .map(|(keys, hashes)| GroupValue {
                        hash: hashes.value(row),
                        key: keys.value(row).to_vec(),
                    })
                    .collect(),
                values: (),
            };
            let (number, is_new) = self.ids.number(ids.value(row));
            if is_new {
                self.rows_by_id.push(IdRows::default());
            }
            self.rows_by_id[number].offer(candidate, self.leading_cap);
        }
        Ok(())
    }

    /// The counts per fp of the rows the constraints keep: one batch with [`output_schema`], one row per
    /// distinct fp (null first, then ascending). Err(Overflow) if a count leaves i64.
    pub fn finish(self) -> Result<RecordBatch> {
        if self.accumulator.is_some() {
            return self.finish_partial();
        }
        match self.value_kinds.clone() {
            Some(kinds) if !kinds.is_empty() => self.finish_valued(&kinds),
            _ => self.finish_counts(),
        }
    }

    /// [`TruncationState::finish`] with measure columns: per fp, the count and per `value_<j>` its
    /// `sum_<j>` and `nonnull_<j>` ([`output_schema_for`]). Err(Overflow) naming the column when an Int64
    /// sum (of all kept values of an fp, whatever their order) leaves Int64.
    fn finish_valued(self, kinds: &[ValueKind]) -> Result<RecordBatch> {
        let mut totals = self.totals;
        for rows in self.valued_rows_by_id {
            let kept = if self.remaining_steps.is_empty() {
                rows.heap.into_vec()
            } else {
                apply_steps(rows.heap.into_sorted_vec(), &self.remaining_steps)
            };
            for row in kept {
                totals
                    .entry(row.fp)
                    .or_default()
                    .add(row.fp, kinds, &row.values)?;
            }
        }
        // Null first, then ascending fp (Option's order).
        let mut totals: Vec<(Option<i64>, FpTotals)> = totals.into_iter().collect();
        totals.sort_unstable_by_key(|(fp, _)| *fp);
        let mut columns: Vec<ArrayRef> = vec![
            Arc::new(totals.iter().map(|(fp, _)| *fp).collect::<Int64Array>()),
            Arc::new(Int64Array::from_iter_values(
                totals.iter().map(|(_, total)| total.count),
            )),
        ];
        let fp_count = totals.len();
        for (index, kind) in kinds.iter().enumerate() {
            let column_totals = totals.iter_mut().map(|(fp, total)| {
                if total.values.len() < kinds.len() {
                    total.values.resize_with(kinds.len(), ValueTotal::default);
                }
                (*fp, &mut total.values[index])
            });
            match kind {
                ValueKind::Int64 => {
                    let mut sums = Vec::with_capacity(fp_count);
                    for (fp, total) in column_totals {
                        sums.push(i64::try_from(total.int_sum).map_err(|_| {
                            err!(
                                Overflow,
                                "truncation: the sum of column '{}' for fp {fp:?} overflows Int64",
                                value_column(index)
                            )
                        })?);
                    }
                    columns.push(Arc::new(Int64Array::new(ScalarBuffer::from(sums), None)));
                }
                ValueKind::Float64 => {
                    let sums: Vec<f64> = column_totals
                        .map(|(_, total)| {
                            // A fixed order (ascending, -0.0 before 0.0, NaNs by their bits): the sum
                            // does not depend on the order the rows arrived in.
                            total.floats.sort_unstable_by(f64::total_cmp);
                            total.floats.iter().fold(0.0, |sum, value| sum + value)
                        })
                        .collect();
                    columns.push(Arc::new(Float64Array::new(ScalarBuffer::from(sums), None)));
                }
            }
            let nonnull: Vec<i64> = totals
                .iter()
                .map(|(_, total)| total.values[index].nonnull)
                .collect();
            columns.push(Arc::new(Int64Array::new(ScalarBuffer::from(nonnull), None)));
        }
        RecordBatch::try_new(output_schema_for(kinds), columns)
            .map_err(|e| err!(Internal, "truncation: cannot build the output batch: {e}"))
    }

    /// [`TruncationState::finish`] for a partial other than `Count`: the kept rows of every ID feed the
    /// accumulator (rows of a table without constraints already did, as they arrived).
    fn finish_partial(self) -> Result<RecordBatch> {
        let Some(mut accumulator) = self.accumulator else {
            fail!(Internal, "truncation: no partial accumulator at finish");
        };
        for rows in self.valued_rows_by_id {
            let kept = if self.remaining_steps.is_empty() {
                rows.heap.into_vec()
            } else {
                apply_steps(rows.heap.into_sorted_vec(), &self.remaining_steps)
            };
            for row in kept {
                accumulator.add(row.fp, &row.values)?;
            }
        }
        let output = accumulator.finish()?;
        debug_assert_eq!(output.schema(), partial_schema(&self.partial));
        Ok(output)
    }

    /// [`TruncationState::finish`] without measure columns.
    fn finish_counts(self) -> Result<RecordBatch> {
        let mut counts = self.counts;
        if !self.plain_rows_by_id.is_empty() && !self.remaining_steps.is_empty() {
            fail!(
                Internal,
                "truncation without grouping columns has constraints left at finish"
            );
        }
        for rows in self.plain_rows_by_id {
            // Only leading MaxRowsPerID: the heap holds exactly the kept rows; order does not matter.
            for &(_, fp) in rows.heap.iter() {
                increment(counts.entry(fp).or_insert(0), fp)?;
            }
        }
        for rows in self.rows_by_id {
            if self.remaining_steps.is_empty() {
                // Only leading MaxRowsPerID: the heap holds exactly the kept rows; order does not matter.
                for row in rows.heap.iter() {
                    increment(counts.entry(row.fp).or_insert(0), row.fp)?;
                }
            } else {
                let kept = apply_steps(rows.heap.into_sorted_vec(), &self.remaining_steps);
                for row in kept {
                    increment(counts.entry(row.fp).or_insert(0), row.fp)?;
                }
            }
        }
        // Null first, then ascending fp (Option's order).
        let mut counts: Vec<(Option<i64>, i64)> = counts.into_iter().collect();
        counts.sort_unstable_by_key(|(fp, _)| *fp);
        let fps: Int64Array = counts.iter().map(|(fp, _)| *fp).collect();
        let values: Vec<i64> = counts.into_iter().map(|(_, count)| count).collect();
        let columns: Vec<ArrayRef> = vec![
            Arc::new(fps),
            Arc::new(Int64Array::new(ScalarBuffer::from(values), None)),
        ];
        RecordBatch::try_new(output_schema(), columns)
            .map_err(|e| err!(Internal, "truncation: cannot build the output batch: {e}"))
    }
}

fn increment(count: &mut i64, fp: Option<i64>) -> Result<()> {
    *count = count.checked_add(1).ok_or_else(|| {
        err!(
            Overflow,
            "truncation: the count of fp {fp:?} overflows Int64"
        )
    })?;
    Ok(())
}

/// Applies `steps` in order to one ID's `rows` (sorted ascending by row key); returns the kept rows,
/// still sorted.
fn apply_steps<V>(mut rows: Vec<Row<V>>, steps: &[Step]) -> Vec<Row<V>> {
    for step in steps {
        match *step {
            Step::Rows(max) => rows.truncate(max),
            Step::Groups { column, max } => {
                // The smallest (hash, key) per distinct key, then the `max` smallest of those.
                let mut smallest_by_key: HashMap<&[u8], i64> = HashMap::new();
                for row in &rows {
                    let value = &row.groups[column];
                    smallest_by_key
                        .entry(value.key.as_slice())
                        .and_modify(|hash| *hash = (*hash).min(value.hash))
                        .or_insert(value.hash);
                }
                let mut values: Vec<(i64, &[u8])> = smallest_by_key
                    .into_iter()
                    .map(|(key, hash)| (hash, key))
                    .collect();
                values.sort_unstable();
                values.truncate(max);
                let kept: std::collections::HashSet<Vec<u8>> =
                    values.into_iter().map(|(_, key)| key.to_vec()).collect();
                rows.retain(|row| kept.contains(&row.groups[column].key));
            }
            Step::RowsPerGroup { column, max } => {
                let mut taken: HashMap<Vec<u8>, usize> = HashMap::new();
                rows.retain(|row| {
                    let count = taken.entry(row.groups[column].key.clone()).or_insert(0);
                    *count += 1;
                    *count <= max
                });
            }
        }
    }
    rows
}
