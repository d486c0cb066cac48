//! Constraints in force after a transformation (issue 10, constraint placement): which of the constraints
//! enforced earlier in a query still hold on a transformation's output, and with what bound. Tumult Analytics
//! truncates where the program calls `enforce` and then carries the constraints through every later
//! transformation (`_constraint_propagation.py`); these are its rules, and the only place a constraint's bound
//! changes. Scala renames grouping columns (select, rename, join suffixes) itself: names are not numbers.
//!
//! Rules (Tumult's `propagate_*` followed by `simplify_constraints`):
//! - `enforce(c)`: the constraints so far and c, simplified.
//! - flat_map (augmenting; Scala refuses the others on ID tables): only `MaxGroupsPerID` survives. A flat map
//!   may repeat a row any number of times but adds no group.
//! - flat_map_by_id: none survives (its output keeps only the ID column, and an ID's row count is arbitrary).
//! - join_public with the public table's largest join-key multiplicity m (0 for an empty public table):
//!   `MaxRowsPerID(k)` → `MaxRowsPerID(k·m)`, `MaxRowsPerGroupPerID(c, r)` → `(c, r·m)`, both dropped when
//!   m = 0 (Tumult's falsy stability); `MaxGroupsPerID` unchanged (an output row keeps its row's group).
//! - join_private (both sides `AddRowsWithID`, joined on the ID): a side's stability s is the smallest of its
//!   `MaxRowsPerID` bound and its `MaxRowsPerGroupPerID` bounds on a join column (each bounds how many rows of
//!   one ID share one join key); none of those: unbounded. The left's constraints are multiplied by the
//!   right's s as in join_public (dropped when the right is unbounded), and the right's by the left's s.
//!   Both lists, in that order, simplified.
//! - Simplification (Tumult's `simplify_truncation_constraints`): the smallest `MaxRowsPerID`, then per
//!   grouping column (first appearance first) the smallest `MaxGroupsPerID`, then the smallest
//!   `MaxRowsPerGroupPerID`. Every enforced bound holds, so the smallest does.
//!
//! Every bound is a u64 product, checked; a bound above `i32::MAX` (Scala's constraints hold an `Int`) is an
//! IAE naming the constraint and the factor.
use super::super::sensitivity::Constraint;
use super::super::text::{format_constraints, take_columns, take_constraints};
use super::join::parse_join_key_multiplicity;
use crate::error::Result;
use crate::{err, fail};

#[cfg(test)]
mod test;

/// The largest bound a propagated constraint may carry (Scala's constraints hold an `Int`).
pub const MAX_CONSTRAINT_BOUND: u64 = i32::MAX as u64;

/// A transformation that changes or drops constraints (the row-wise ones keep them, up to names).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConstraintStep {
    /// `enforce(constraint)` on the table.
    Enforce(Constraint),
    /// An augmenting `flat_map` (grouping flat maps are refused on ID tables).
    FlatMap,
    /// `flat_map_by_id`.
    FlatMapByID,
    /// `join_public` with the public table's largest join-key multiplicity (nulls one key).
    JoinPublic { max_join_key_multiplicity: u64 },
}

/// The constraints in force after `step` on a table whose constraints in force are `constraints`.
pub fn propagate(constraints: &[Constraint], step: &ConstraintStep) -> Result<Vec<Constraint>> {
    let propagated = match step {
        ConstraintStep::Enforce(constraint) => {
            let mut all = constraints.to_vec();
            all.push(constraint.clone());
            all
        }
        ConstraintStep::FlatMap => constraints
            .iter()
            .filter(|c| matches!(c, Constraint::MaxGroupsPerID { .. }))
            .cloned()
            .collect(),
        ConstraintStep::FlatMapByID => Vec::new(),
        ConstraintStep::JoinPublic {
            max_join_key_multiplicity,
        } => multiplied(
            constraints,
            Some(*max_join_key_multiplicity).filter(|m| *m > 0),
            "the public table's largest join-key multiplicity",
        )?,
    };
    Ok(simplify(&propagated))
}

/// The constraints in force after a private join of two ID tables on `join_columns` (both sides' grouping
/// columns already named as in the joined table).
pub fn propagate_private_join(
    left: &[Constraint],
    right: &[Constraint],
    join_columns: &[String],
) -> Result<Vec<Constraint>> {
    let mut both = multiplied(
        left,
        join_stability(right, join_columns),
        "the right table's rows per ID and join key",
    )?;
    both.extend(multiplied(
        right,
        join_stability(left, join_columns),
        "the left table's rows per ID and join key",
    )?);
    Ok(simplify(&both))
}

/// The most rows of one side that can share an ID and a join key, as its constraints bound it; None when
/// they do not (Tumult's `max_join_stability`).
fn join_stability(constraints: &[Constraint], join_columns: &[String]) -> Option<u64> {
    constraints
        .iter()
        .filter_map(|c| match c {
            Constraint::MaxRowsPerID(max) => Some(*max),
            Constraint::MaxRowsPerGroupPerID {
                grouping_column,
                max,
            } if join_columns.contains(grouping_column) => Some(*max),
            _ => None,
        })
        .min()
}

/// Each constraint after a join in which every input row meets at most `factor` rows (None: unbounded):
/// row bounds multiplied (dropped when unbounded), group counts unchanged.
fn multiplied(
    constraints: &[Constraint],
    factor: Option<u64>,
    factor_name: &str,
) -> Result<Vec<Constraint>> {
    let mut output = Vec::new();
    for constraint in constraints {
        let times = |max: u64| -> Result<Option<u64>> {
            let Some(factor) = factor else {
                return Ok(None);
            };
            match max.checked_mul(factor) {
                Some(bound) if bound <= MAX_CONSTRAINT_BOUND => Ok(Some(bound)),
                _ => fail!(
                    InvalidArgument,
                    "The join would turn constraint {} into one bounding {} × {} rows ({factor_name} is {}), \
                     more than sparkdp can hold ({MAX_CONSTRAINT_BOUND}). Enforce the constraint after the join.",
                    constraint.describe(),
                    max,
                    factor,
                    factor
                ),
            }
        };
        match constraint {
            Constraint::MaxRowsPerID(max) => {
                if let Some(bound) = times(*max)? {
                    output.push(Constraint::MaxRowsPerID(bound));
                }
            }
            Constraint::MaxRowsPerGroupPerID {
                grouping_column,
                max,
            } => {
                if let Some(bound) = times(*max)? {
                    output.push(Constraint::MaxRowsPerGroupPerID {
                        grouping_column: grouping_column.clone(),
                        max: bound,
                    });
                }
            }
            Constraint::MaxGroupsPerID { .. } => output.push(constraint.clone()),
        }
    }
    Ok(output)
}

/// Tumult's `simplify_truncation_constraints`: one constraint per kind and grouping column, the smallest.
pub fn simplify(constraints: &[Constraint]) -> Vec<Constraint> {
    let mut rows_per_id: Option<u64> = None;
    let mut groups_per_id: Vec<(String, u64)> = Vec::new();
    let mut rows_per_group: Vec<(String, u64)> = Vec::new();
    let keep_smallest = |bounds: &mut Vec<(String, u64)>, column: &str, max: u64| match bounds
        .iter_mut()
        .find(|(name, _)| name == column)
    {
        Some((_, bound)) => *bound = (*bound).min(max),
        None => bounds.push((column.to_string(), max)),
    };
    for constraint in constraints {
        match constraint {
            Constraint::MaxRowsPerID(max) => {
                rows_per_id = Some(rows_per_id.map_or(*max, |bound| bound.min(*max)))
            }
            Constraint::MaxGroupsPerID {
                grouping_column,
                max,
            } => keep_smallest(&mut groups_per_id, grouping_column, *max),
            Constraint::MaxRowsPerGroupPerID {
                grouping_column,
                max,
            } => keep_smallest(&mut rows_per_group, grouping_column, *max),
        }
    }
    rows_per_id
        .map(Constraint::MaxRowsPerID)
        .into_iter()
        .chain(
            groups_per_id
                .into_iter()
                .map(|(grouping_column, max)| Constraint::MaxGroupsPerID {
                    grouping_column,
                    max,
                }),
        )
        .chain(rows_per_group.into_iter().map(|(grouping_column, max)| {
            Constraint::MaxRowsPerGroupPerID {
                grouping_column,
                max,
            }
        }))
        .collect()
}

/// `propagateConstraints(request)`: the constraints text in force after a transformation. Request grammar
/// (constraints and columns as in `text.rs`; a column may hold a newline, it is read by its length):
/// ```text
/// "enforce\n" constraints "\n" constraints       (in force; the one enforced)
/// "flat_map\n" constraints
/// "flat_map_by_id\n" constraints
/// "join_public\n" u64 "\n" constraints           (largest join-key multiplicity; in force)
/// "join_private\n" columns "\n" constraints "\n" constraints   (join columns; left; right)
/// ```
pub fn propagate_constraints_text(request: &str) -> Result<String> {
    let invalid = |why: &str| {
        err!(
            InvalidArgument,
            "invalid constraint propagation request '{request}': {why}"
        )
    };
    let (kind, rest) = request
        .split_once('\n')
        .ok_or_else(|| invalid("expected a transformation name and a newline"))?;
    let end_of = |rest: &str, what: &str| -> Result<()> {
        if rest.is_empty() {
            Ok(())
        } else {
            Err(invalid(&format!("unexpected text after the {what}")))
        }
    };
    let next_line = |rest: &'_ str, what: &str| -> Result<()> {
        if rest.starts_with('\n') {
            Ok(())
        } else {
            Err(invalid(&format!("expected a newline after the {what}")))
        }
    };
    let propagated = match kind {
        "enforce" => {
            let (in_force, rest) = take_constraints(rest, request)?;
            next_line(rest, "constraints in force")?;
            let (enforced, rest) = take_constraints(&rest[1..], request)?;
            end_of(rest, "enforced constraint")?;
            let [constraint] = enforced.as_slice() else {
                return Err(invalid("expected exactly one enforced constraint"));
            };
            propagate(&in_force, &ConstraintStep::Enforce(constraint.clone()))?
        }
        "flat_map" | "flat_map_by_id" => {
            let (in_force, rest) = take_constraints(rest, request)?;
            end_of(rest, "constraints")?;
            let step = if kind == "flat_map" {
                ConstraintStep::FlatMap
            } else {
                ConstraintStep::FlatMapByID
            };
            propagate(&in_force, &step)?
        }
        "join_public" => {
            let (digits, rest) = rest
                .split_once('\n')
                .ok_or_else(|| invalid("expected the largest join-key multiplicity and a newline"))?;
            let multiplicity = parse_join_key_multiplicity(digits).map_err(invalid)?;
            let (in_force, rest) = take_constraints(rest, request)?;
            end_of(rest, "constraints")?;
            propagate(
                &in_force,
                &ConstraintStep::JoinPublic {
                    max_join_key_multiplicity: multiplicity,
                },
            )?
        }
        "join_private" => {
            let (join_columns, rest) = take_columns(rest, request)?;
            next_line(rest, "join columns")?;
            let (left, rest) = take_constraints(&rest[1..], request)?;
            next_line(rest, "left constraints")?;
            let (right, rest) = take_constraints(&rest[1..], request)?;
            end_of(rest, "right constraints")?;
            propagate_private_join(&left, &right, &join_columns)?
        }
        _ => {
            return Err(invalid(
                "expected enforce, flat_map, flat_map_by_id, join_public or join_private on the first line",
            ))
        }
    };
    Ok(format_constraints(&propagated))
}
