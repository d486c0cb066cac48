//! Stability of `join_public` and `join_private` (see `mod.rs`): the protected change the joined table carries,
//! given the change(s) of its input(s). Exact integers only; every product is checked.
//!
//! Rules (Tumult Core's `PublicJoin`, `PrivateJoin` and `PrivateJoinOnKey` stability functions):
//! - Public join, the public table's largest join-key multiplicity `m` (nulls equal, as the join matches them),
//!   `f = max(m, 1)`: an added private row meets at most `m` public rows (inner join) or appears once unmatched
//!   (left join), so it adds at most `f` output rows. `AddOneRow` → `AddMaxRows(f)` (`AddOneRow` when `f = 1`);
//!   `AddMaxRows(n)` → `AddMaxRows(n·f)`; `AddMaxRowsInMaxGroups(c, g, r)` → `(c, g, r·f)` (the grouping value of
//!   an output row is its input row's: the rows stay in the same groups); `AddRowsWithID` stays (every output row
//!   keeps its input row's ID).
//! - Private join of two `AddRowsWithID` tables (one ID space, joined on the ID column: Scala checks these):
//!   `AddRowsWithID` (an output row's ID is both inputs' ID; `PrivateJoinOnKey` has stability 1).
//! - Private join of two tables without IDs: both sides need a truncation strategy. With thresholds τ
//!   (`DropExcess(k)`: k; `DropNonUnique`: 1), truncation stabilities s (`DropExcess`: 2, since an added row can
//!   push out one kept row; `DropNonUnique`: 1) and input distances d (`AddOneRow`: 1, `AddMaxRows(n)`: n,
//!   `AddMaxRowsInMaxGroups(g, r)`: g·r rows in all), the output is `AddMaxRows(τ_l·s_r·d_r + τ_r·s_l·d_l)`:
//!   each changed truncated left row meets at most τ_r right rows, and symmetrically.
//! - One side with IDs and one without: refused, with Tumult's message.
//!
//! A result beyond `i32::MAX` rows is refused with an IAE naming the settings (Scala's `AddMaxRows` holds an
//! `Int`; such a stability would drown any answer in noise anyway).
use super::super::sensitivity::ProtectedChange;
use super::super::text::take_protected_change;
use crate::error::Result;
use crate::{err, fail};

#[cfg(test)]
mod test;

/// The largest `max_rows` a joined table's `AddMaxRows` may have (Scala's `AddMaxRows(maxRows: Int)`).
pub const MAX_JOINED_ROWS: u64 = i32::MAX as u64;

/// How a private join without IDs bounds the rows per join key of one side (Tumult's `TruncationStrategy`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TruncationStrategy {
    /// No strategy given (allowed only for `AddRowsWithID` tables).
    None,
    /// Keep at most `max_rows` rows per join key (chosen by a keyed hash).
    DropExcess { max_rows: u64 },
    /// Drop every row whose join key appears more than once.
    DropNonUnique,
}

impl TruncationStrategy {
    /// τ: the most rows per join key the truncated side keeps.
    fn threshold(self) -> Option<u64> {
        match self {
            TruncationStrategy::None => None,
            TruncationStrategy::DropExcess { max_rows } => Some(max_rows),
            TruncationStrategy::DropNonUnique => Some(1),
        }
    }

    /// s: by how many rows the truncated side can change per changed input row (Tumult Core's
    /// `truncation_strategy_stability`: 2 for truncation to a threshold, the threshold 1 for dropping).
    fn stability(self) -> Option<u64> {
        match self {
            TruncationStrategy::None => None,
            TruncationStrategy::DropExcess { .. } => Some(2),
            TruncationStrategy::DropNonUnique => Some(1),
        }
    }
}

/// The change of `input` joined with a public table whose largest join-key multiplicity is
/// `max_join_key_multiplicity` (see the module rules). IAE when the result exceeds [`MAX_JOINED_ROWS`].
pub fn public_join_change(
    input: &ProtectedChange,
    max_join_key_multiplicity: u64,
) -> Result<ProtectedChange> {
    // A left join keeps an unmatched row once; an inner join with an empty public table outputs nothing,
    // for which any bound holds.
    let factor = max_join_key_multiplicity.max(1);
    let multiplied = |rows: u64, setting: &str| {
        checked_rows(u128::from(rows) * u128::from(factor), || {
            format!(
                "{setting} ({rows}) × the public table's largest join-key multiplicity ({factor})"
            )
        })
    };
    Ok(match input {
        ProtectedChange::AddOneRow if factor == 1 => ProtectedChange::AddOneRow,
        ProtectedChange::AddOneRow => ProtectedChange::AddMaxRows {
            max_rows: multiplied(1, "AddOneRow's one row")?,
        },
        ProtectedChange::AddMaxRows { max_rows } => ProtectedChange::AddMaxRows {
            max_rows: multiplied(*max_rows, "AddMaxRows' max_rows")?,
        },
        ProtectedChange::AddMaxRowsInMaxGroups {
            grouping_column,
            max_groups,
            max_rows_per_group,
        } => ProtectedChange::AddMaxRowsInMaxGroups {
            grouping_column: grouping_column.clone(),
            max_groups: *max_groups,
            max_rows_per_group: multiplied(
                *max_rows_per_group,
                "AddMaxRowsInMaxGroups' max_rows_per_group",
            )?,
        },
        ProtectedChange::AddRowsWithID => ProtectedChange::AddRowsWithID,
    })
}

/// The change of the private join of `left` (truncated by `left_truncation`) with `right` (truncated by
/// `right_truncation`) (see the module rules).
pub fn private_join_change(
    left: &ProtectedChange,
    left_truncation: TruncationStrategy,
    right: &ProtectedChange,
    right_truncation: TruncationStrategy,
) -> Result<ProtectedChange> {
    let left_has_ids = *left == ProtectedChange::AddRowsWithID;
    let right_has_ids = *right == ProtectedChange::AddRowsWithID;
    if left_has_ids && right_has_ids {
        // Truncation strategies are ignored for ID tables, as Tumult does (it warns).
        return Ok(ProtectedChange::AddRowsWithID);
    }
    if left_has_ids || right_has_ids {
        fail!(
            InvalidArgument,
            "Private joins can only be performed between two tables with the same type of protected change \
             (left: {left}, right: {right})."
        );
    }
    let (Some(left_threshold), Some(left_stability), Some(right_threshold), Some(right_stability)) = (
        left_truncation.threshold(),
        left_truncation.stability(),
        right_truncation.threshold(),
        right_truncation.stability(),
    ) else {
        fail!(
            InvalidArgument,
            "When joining without IDs, truncation strategies are required (left_truncation_strategy: {}, \
             right_truncation_strategy: {}).",
            describe(left_truncation),
            describe(right_truncation)
        );
    };
    for (strategy, side) in [(left_truncation, "left"), (right_truncation, "right")] {
        if let TruncationStrategy::DropExcess { max_rows: 0 } = strategy {
            fail!(
                InvalidArgument,
                "The {side} truncation strategy DropExcess(max_rows=0) must keep at least one row per join key."
            );
        }
    }
    let left_rows = changed_rows(left)?;
    let right_rows = changed_rows(right)?;
    // Each factor is below 2^64, so each triple product is below 2^192: compute in two checked u128 steps.
    let term = |threshold: u64, stability: u64, rows: u64| -> Option<u128> {
        (u128::from(threshold) * u128::from(stability)).checked_mul(u128::from(rows))
    };
    let total = term(left_threshold, right_stability, right_rows)
        .zip(term(right_threshold, left_stability, left_rows))
        .and_then(|(a, b)| a.checked_add(b))
        .unwrap_or(u128::MAX);
    let max_rows = checked_rows(total, || {
        format!(
            "the private join's stability τ_left·s_right·d_right + τ_right·s_left·d_left with τ_left = \
             {left_threshold}, s_right = {right_stability}, d_right = {right_rows}, τ_right = {right_threshold}, \
             s_left = {left_stability}, d_left = {left_rows}"
        )
    })?;
    Ok(ProtectedChange::AddMaxRows { max_rows })
}

/// The most rows a neighbour may add to a table without IDs.
fn changed_rows(change: &ProtectedChange) -> Result<u64> {
    match change {
        ProtectedChange::AddOneRow => Ok(1),
        ProtectedChange::AddMaxRows { max_rows } => Ok(*max_rows),
        ProtectedChange::AddMaxRowsInMaxGroups {
            max_groups,
            max_rows_per_group,
            ..
        } => max_groups.checked_mul(*max_rows_per_group).ok_or_else(|| {
            err!(
                InvalidArgument,
                "AddMaxRowsInMaxGroups' max_groups ({max_groups}) × max_rows_per_group ({max_rows_per_group}) \
                 does not fit in 64 bits"
            )
        }),
        ProtectedChange::AddRowsWithID => Err(err!(
            Internal,
            "changed_rows called on an AddRowsWithID table"
        )),
    }
}

fn checked_rows(rows: u128, describe_setting: impl Fn() -> String) -> Result<u64> {
    match u64::try_from(rows) {
        Ok(rows) if rows <= MAX_JOINED_ROWS => Ok(rows),
        _ => fail!(
            InvalidArgument,
            "The join's output could differ by more rows than sparkdp can protect: {} exceeds {MAX_JOINED_ROWS}. \
             Use a public table with fewer rows per join key, or smaller truncation thresholds.",
            describe_setting()
        ),
    }
}

fn describe(strategy: TruncationStrategy) -> String {
    match strategy {
        TruncationStrategy::None => "None".to_string(),
        TruncationStrategy::DropExcess { max_rows } => format!("DropExcess(max_rows={max_rows})"),
        TruncationStrategy::DropNonUnique => "DropNonUnique()".to_string(),
    }
}

/// Reads a truncation strategy text: `"none" | "DropExcess:" u64 | "DropNonUnique"`.
pub fn parse_truncation_strategy(text: &str) -> Result<TruncationStrategy> {
    if text == "none" {
        return Ok(TruncationStrategy::None);
    }
    if text == "DropNonUnique" {
        return Ok(TruncationStrategy::DropNonUnique);
    }
    if let Some(digits) = text.strip_prefix("DropExcess:") {
        if !digits.is_empty() && digits.bytes().all(|byte| byte.is_ascii_digit()) {
            if let Ok(max_rows) = digits.parse::<u64>() {
                return Ok(TruncationStrategy::DropExcess { max_rows });
            }
        }
    }
    fail!(
        InvalidArgument,
        "invalid truncation strategy '{text}': expected none, DropExcess:<u64> or DropNonUnique"
    )
}

/// The largest join-key multiplicity of a request's text (join stability, constraint propagation): an
/// unsigned decimal u64. Err names what is wrong, for the caller's request error.
pub(crate) fn parse_join_key_multiplicity(digits: &str) -> std::result::Result<u64, &'static str> {
    if digits.is_empty() || !digits.bytes().all(|byte| byte.is_ascii_digit()) {
        return Err("the largest join-key multiplicity is not an unsigned integer");
    }
    digits
        .parse()
        .map_err(|_| "the largest join-key multiplicity is out of range")
}

/// `joinStability(request)`: the joined table's change text. Request grammar (changes as in `text.rs`; a change's
/// column may hold a newline, it is read by its length):
/// ```text
/// "public\n" change "\n" u64                                  (input change, largest join-key multiplicity)
/// "private\n" change "\n" strategy "\n" change "\n" strategy  (left change and strategy, right change and strategy)
/// ```
pub fn join_stability_text(request: &str) -> Result<String> {
    let invalid = |why: &str| {
        err!(
            InvalidArgument,
            "invalid join stability request '{request}': {why}"
        )
    };
    if let Some(rest) = request.strip_prefix("public\n") {
        let (change, rest) = take_protected_change(rest, request)?;
        let digits = rest
            .strip_prefix('\n')
            .ok_or_else(|| invalid("expected a newline and the largest join-key multiplicity"))?;
        let multiplicity = parse_join_key_multiplicity(digits).map_err(invalid)?;
        return Ok(public_join_change(&change, multiplicity)?.to_string());
    }
    if let Some(rest) = request.strip_prefix("private\n") {
        let (left, rest) = take_protected_change(rest, request)?;
        let rest = rest
            .strip_prefix('\n')
            .ok_or_else(|| invalid("expected a newline after the left change"))?;
        let (left_strategy, rest) = rest
            .split_once('\n')
            .ok_or_else(|| invalid("expected the left truncation strategy and a newline"))?;
        let (right, rest) = take_protected_change(rest, request)?;
        let right_strategy = rest
            .strip_prefix('\n')
            .ok_or_else(|| invalid("expected a newline after the right change"))?;
        let change = private_join_change(
            &left,
            parse_truncation_strategy(left_strategy)?,
            &right,
            parse_truncation_strategy(right_strategy)?,
        )?;
        return Ok(change.to_string());
    }
    Err(invalid("expected 'public' or 'private' on the first line"))
}
