//! Stability of `flat_map` and `flat_map_by_id` (see `mod.rs`): the protected change of the output table
//! for each protected change of the input, as Tumult Core's `FlatMap`, `GroupingFlatMap` and `FlatMapByKey`
//! give it (their `stability_function`s), in exact integers.
//!
//! - `flat_map(max_rows = m)`: each input row becomes at most `m` rows (the rest are dropped), so a change of
//!   `d` rows becomes a change of `d·m` rows: `AddOneRow` → `AddMaxRows(m)`, `AddMaxRows(n)` →
//!   `AddMaxRows(n·m)`, `AddMaxRowsInMaxGroups(c, g, r)` → `AddMaxRowsInMaxGroups(c, g, r·m)` (the flat map
//!   augments, so `c` survives and each changed row's copies stay in its group). Under `AddRowsWithID` the ID
//!   is kept and the change is unchanged; `max_rows` is ignored (Tumult's `FlatMapValueTransformation`
//!   with `max_num_rows=None`): the constraints enforced afterwards bound each ID.
//! - grouping `flat_map(max_rows = m)` with new column `c`: each input row becomes at most `m` rows with
//!   *distinct* values of `c`, so a change of `d` rows touches at most `m` groups of `c` with at most `d`
//!   rows each: `AddOneRow` → `AddMaxRowsInMaxGroups(c, m, 1)`, `AddMaxRows(n)` →
//!   `AddMaxRowsInMaxGroups(c, m, n)`. This is Tumult's `GroupingFlatMap` (d·m under `SumOf`, d·√m under
//!   `RootSumOfSquared`, which are exactly the L1 and L2 count sensitivities of that change).
//! - `flat_map_by_id`: all rows of one ID become rows of that same ID: `AddRowsWithID` is unchanged (Tumult's
//!   `FlatMapByKey`, stability 1).
//!
//! Everything else is refused with Tumult's message (an `InvalidArgument` naming the setting). The output's
//! numbers are capped at 2^31 − 1, the largest a `ProtectedChange` of the Scala API holds.
//!
//! Text form of a transformation (the second argument of `flatMapChange`):
//!   flat_map   := "flat_map:" max_rows
//!               | "grouping_flat_map:" max_rows ":" column      (column as `text.rs`: u64 ":" name)
//!               | "flat_map_by_id"
//!   max_rows   := u64 | "none"                                   (none: the user gave no max_rows)
use crate::error::Result;
use crate::privacy::sensitivity::ProtectedChange;
use crate::privacy::text::parse_columns;
use crate::{err, fail};

#[cfg(test)]
mod test;

/// The largest number an output change may hold: Scala's `AddMaxRows(maxRows: Int)` and
/// `AddMaxRowsInMaxGroups(…, maxGroups: Int, maxRowsPerGroup: Int)` take `Int`s.
pub const MAX_CHANGE_NUMBER: u64 = i32::MAX as u64;

/// The change of a table no change of the input can alter (a flat map with max_rows = 0 outputs no rows).
const NO_CHANGE: ProtectedChange = ProtectedChange::AddMaxRows { max_rows: 0 };

/// Tumult's message (`visit_flat_map`) for a flat map on a table without IDs and without `max_rows`.
pub const MISSING_MAX_ROWS_MESSAGE: &str =
    "Flat maps on tables without IDs must have a defined max_rows parameter.";

/// A transformation of the flat-map family, as the user configured it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FlatMap {
    /// `flat_map(…, grouping=False, max_rows)`; `None` when the user gave no `max_rows`.
    Ungrouped { max_rows: Option<u64> },
    /// `flat_map(…, grouping=True, max_rows)` whose one new column is `grouping_column`.
    Grouping {
        max_rows: Option<u64>,
        grouping_column: String,
    },
    /// `flat_map_by_id(…)`.
    ById,
}

/// Parses the text form of the module doc.
pub fn parse_flat_map(s: &str) -> Result<FlatMap> {
    if s == "flat_map_by_id" {
        return Ok(FlatMap::ById);
    }
    if let Some(max_rows) = s.strip_prefix("flat_map:") {
        return Ok(FlatMap::Ungrouped {
            max_rows: parse_max_rows(max_rows, s)?,
        });
    }
    if let Some(arguments) = s.strip_prefix("grouping_flat_map:") {
        let (max_rows, column) = arguments.split_once(':').ok_or_else(|| {
            err!(
                InvalidArgument,
                "invalid flat map '{s}': expected grouping_flat_map:<max_rows>:<column>"
            )
        })?;
        let columns = parse_columns(column)?;
        let [grouping_column] = <[String; 1]>::try_from(columns).map_err(|_| {
            err!(
                InvalidArgument,
                "invalid flat map '{s}': expected exactly one grouping column"
            )
        })?;
        return Ok(FlatMap::Grouping {
            max_rows: parse_max_rows(max_rows, s)?,
            grouping_column,
        });
    }
    fail!(
        InvalidArgument,
        "invalid flat map '{s}': expected flat_map:<max_rows>, \
         grouping_flat_map:<max_rows>:<column> or flat_map_by_id"
    )
}

fn parse_max_rows(text: &str, whole_text: &str) -> Result<Option<u64>> {
    if text == "none" {
        return Ok(None);
    }
    if text.is_empty() || !text.bytes().all(|byte| byte.is_ascii_digit()) {
        fail!(
            InvalidArgument,
            "invalid flat map '{whole_text}': max_rows '{text}' is not an unsigned integer or 'none'"
        );
    }
    text.parse::<u64>().map(Some).map_err(|_| {
        err!(
            InvalidArgument,
            "invalid flat map '{whole_text}': max_rows '{text}' is out of range"
        )
    })
}

/// The protected change of the output of `flat_map` applied to a table protected by `input`.
///
/// `max_rows` = 0 is accepted, as Tumult accepts it: the output has no rows whatever the input, so no change of
/// the input changes it. Its change is `AddMaxRows(0)` (Tumult Core's stability d·0 = 0, grouping or not),
/// whose sensitivities are 0: its queries are constant and get no noise, as Tumult's noise scale d/ε = 0.
///
/// Errors (`InvalidArgument`): `max_rows` missing on a table without IDs (Tumult's message), a grouping flat
/// map on a table with IDs or with a grouping column already (Tumult's messages), `flat_map_by_id` on a table
/// without IDs (Tumult's message), or an output number above [`MAX_CHANGE_NUMBER`] (naming `max_rows`).
pub fn flat_map_output_change(
    input: &ProtectedChange,
    flat_map: &FlatMap,
) -> Result<ProtectedChange> {
    match flat_map {
        FlatMap::ById => match input {
            ProtectedChange::AddRowsWithID => Ok(ProtectedChange::AddRowsWithID),
            _ => fail!(
                InvalidArgument,
                "Flat-map-by-ID may only be used on tables with ID columns."
            ),
        },
        FlatMap::Ungrouped { max_rows } => {
            if *input == ProtectedChange::AddRowsWithID {
                // Tumult ignores max_rows here (with a warning); the ID is kept.
                return Ok(ProtectedChange::AddRowsWithID);
            }
            let max_rows = required_max_rows(*max_rows)?;
            if max_rows == 0 {
                return Ok(NO_CHANGE);
            }
            match input {
                ProtectedChange::AddOneRow => Ok(ProtectedChange::AddMaxRows {
                    max_rows: capped_product(1, max_rows)?,
                }),
                ProtectedChange::AddMaxRows { max_rows: changed } => {
                    Ok(ProtectedChange::AddMaxRows {
                        max_rows: capped_product(*changed, max_rows)?,
                    })
                }
                ProtectedChange::AddMaxRowsInMaxGroups {
                    grouping_column,
                    max_groups,
                    max_rows_per_group,
                } => Ok(ProtectedChange::AddMaxRowsInMaxGroups {
                    grouping_column: grouping_column.clone(),
                    max_groups: *max_groups,
                    max_rows_per_group: capped_product(*max_rows_per_group, max_rows)?,
                }),
                ProtectedChange::AddRowsWithID => unreachable!("handled above"),
            }
        }
        FlatMap::Grouping {
            max_rows,
            grouping_column,
        } => {
            let changed_rows = match input {
                ProtectedChange::AddOneRow => 1,
                ProtectedChange::AddMaxRows { max_rows } => *max_rows,
                ProtectedChange::AddMaxRowsInMaxGroups { .. } => fail!(
                    InvalidArgument,
                    "Multiple grouping transformations are used in this query. \
                     Only one grouping transformation is allowed."
                ),
                ProtectedChange::AddRowsWithID => fail!(
                    InvalidArgument,
                    "Grouping flat map cannot be used on tables with the AddRowsWithID \
                     protected change."
                ),
            };
            let max_rows = required_max_rows(*max_rows)?;
            if max_rows == 0 {
                return Ok(NO_CHANGE);
            }
            Ok(ProtectedChange::AddMaxRowsInMaxGroups {
                grouping_column: grouping_column.clone(),
                max_groups: capped_product(1, max_rows)?,
                max_rows_per_group: capped_product(changed_rows, 1)?,
            })
        }
    }
}

fn required_max_rows(max_rows: Option<u64>) -> Result<u64> {
    match max_rows {
        None => fail!(InvalidArgument, "{MISSING_MAX_ROWS_MESSAGE}"),
        Some(max_rows) => Ok(max_rows),
    }
}

/// `changed · max_rows`, refused (naming `max_rows`) above [`MAX_CHANGE_NUMBER`].
fn capped_product(changed: u64, max_rows: u64) -> Result<u64> {
    match changed.checked_mul(max_rows) {
        Some(product) if product <= MAX_CHANGE_NUMBER => Ok(product),
        _ => fail!(
            InvalidArgument,
            "flat_map's max_rows={max_rows} makes a change of {changed} input rows one of \
             {changed}·{max_rows} output rows, more than the {MAX_CHANGE_NUMBER} a protected change \
             can hold. Use a smaller max_rows."
        ),
    }
}
