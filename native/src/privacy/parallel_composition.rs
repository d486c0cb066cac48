//! Parallel composition for `Session.partition_and_create` (Tumult Core's `PrivacyAccountant.split` over
//! `PartitionByKeys`): what the parent session is charged, the budget of each child session and the change
//! each child's table protects.
//!
//! The rows of the partitioned table go to at most one child each (the split values are distinct and
//! public, and each child keeps the rows whose column equals its value), so a neighbouring table differs
//! from the original in children whose differences add up to the parent's protected change. Tumult charges
//! the parent the requested budget once and gives every child that budget, with the child's distance taken
//! as the parent's whole distance (its `SumOf` / `RootSumOfSquared` list metric): under PureDP/ApproxDP the
//! privacy loss of our mechanisms grows linearly in the distance (Σ dᵢ ≤ d), under zCDP quadratically
//! (Σ dᵢ² ≤ d²), so the children's losses together stay within the one charge.
//!
//! The children's protected change (Tumult's `element_metric` in `Session.partition_and_create`):
//! - `AddOneRow`, `AddMaxRows(k)`: unchanged.
//! - `AddMaxRowsInMaxGroups(c, g, r)` split on another column: unchanged (Tumult keeps `IfGroupedBy(c, …)`).
//! - `AddMaxRowsInMaxGroups(c, g, r)` split on `c`: Tumult's `SymmetricDifference` with the parent's distance,
//!   i.e. `AddMaxRows(g·r)` under PureDP/ApproxDP (d = g·r) and, under zCDP (d = r·√g), `AddMaxRows(m)` with
//!   m = ⌈r·√g⌉ the least integer with m² ≥ g·r² (rounded up: more noise, never less).
//! - `AddRowsWithID`: Tumult first enforces a `MaxGroupsPerID(column, g)` constraint (`LimitKeysPerGroup`, so
//!   an ID's rows reach at most g partitions) and refuses without one (its message). Each child then holds
//!   one ID table (same ID column and ID space, no constraints: Tumult's child sessions start without any)
//!   whose accountant's `d_in` is the partition's whole distance: g IDs under `SumOf`, √g under
//!   `RootSumOfSquared` ([`IdDistance::after_partition`]). The plan names the g the caller must enforce
//!   on the parent's rows before splitting them.
//!
//! Every child's ID distance is the parent table's times what the split adds (g for an ID table, 1
//! otherwise), so the distance of a child of a child composes as Tumult's accountants do.
use super::budget::Budget;
use super::id_distance::{ceil_sqrt, parse_id_distance, IdDistance};
use super::sensitivity::{Constraint, ProtectedChange};
use super::text::{format_budget, parse_budget, parse_constraints, parse_protected_change};
use crate::error::{Error, Result};
use crate::fail;

#[cfg(test)]
mod test;

/// What one `partition_and_create` does to the budgets and protected changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartitionPlan {
    /// What the parent session is charged (Tumult's `_process_requested_budget` of the request).
    pub parent_charge: Budget,
    /// The total budget of every child session (the same charged budget, as Tumult's children get).
    pub child_budget: Budget,
    /// The change each child's one private table protects.
    pub child_change: ProtectedChange,
    /// The ID distance each child's table is compiled for ([`IdDistance`]).
    pub child_id_distance: IdDistance,
    /// For an ID table: the `MaxGroupsPerID(column, g)` bound g to enforce on the parent's rows before they
    /// are split (the smallest such constraint on `column`), so that one ID reaches at most g children.
    pub max_groups_per_id: Option<u64>,
}

/// Tumult's first sentence of an insufficient-budget error of `evaluate`, and the one of a partition.
const QUERY_INSUFFICIENT: &str =
    "Cannot answer query without exceeding the Session privacy budget.";
const PARTITION_INSUFFICIENT: &str =
    "Cannot perform this partition without exceeding the Session privacy budget.";

/// The plan of partitioning a table protected by `change` at `id_distance` (with `constraints` enforced on
/// it) on `column`, when the parent has `remaining` and asks for `requested` per child.
///
/// Errors: Tumult's type-mismatch `InvalidArgument`; `InsufficientBudget` with Tumult's partition message;
/// `InvalidArgument` for an ID table without a `MaxGroupsPerID` on `column` (Tumult's text); `Overflow`
/// when g·r or the children's ID distance does not fit in u64.
pub fn plan_partition(
    remaining: &Budget,
    requested: &Budget,
    change: &ProtectedChange,
    id_distance: IdDistance,
    constraints: &[Constraint],
    column: &str,
) -> Result<PartitionPlan> {
    let child_change = child_protected_change(remaining, change, constraints, column)?;
    let max_groups_per_id = match change {
        ProtectedChange::AddRowsWithID => smallest_max_groups_per_id(constraints, column),
        _ => None,
    };
    let child_id_distance = match max_groups_per_id {
        Some(max_groups) => id_distance.after_partition(max_groups)?,
        None => id_distance,
    };
    let parent_charge = remaining.charge(requested).map_err(|error| match error {
        Error::InsufficientBudget(message) => Error::InsufficientBudget(message.replacen(
            QUERY_INSUFFICIENT,
            PARTITION_INSUFFICIENT,
            1,
        )),
        other => other,
    })?;
    Ok(PartitionPlan {
        parent_charge,
        child_budget: parent_charge,
        child_change,
        child_id_distance,
        max_groups_per_id,
    })
}

/// The smallest g of the `MaxGroupsPerID(column, g)` constraints (every enforced bound holds at once).
fn smallest_max_groups_per_id(constraints: &[Constraint], column: &str) -> Option<u64> {
    constraints
        .iter()
        .filter_map(|constraint| match constraint {
            Constraint::MaxGroupsPerID {
                grouping_column,
                max,
            } if grouping_column == column => Some(*max),
            _ => None,
        })
        .min()
}

fn child_protected_change(
    session_budget: &Budget,
    change: &ProtectedChange,
    constraints: &[Constraint],
    column: &str,
) -> Result<ProtectedChange> {
    match change {
        ProtectedChange::AddOneRow | ProtectedChange::AddMaxRows { .. } => Ok(change.clone()),
        ProtectedChange::AddMaxRowsInMaxGroups {
            grouping_column,
            max_groups,
            max_rows_per_group,
        } => {
            if grouping_column != column {
                return Ok(change.clone());
            }
            let max_rows = match session_budget {
                Budget::RhoZCDP { .. } => {
                    ceil_root_of_groups_times_rows_squared(*max_groups, *max_rows_per_group)?
                }
                Budget::PureDP { .. } | Budget::ApproxDP { .. } => {
                    match max_groups.checked_mul(*max_rows_per_group) {
                        Some(product) => product,
                        None => fail!(
                            Overflow,
                            "max_groups ({max_groups}) × max_rows_per_group ({max_rows_per_group}) \
                             of the partitioned table does not fit in 64 bits"
                        ),
                    }
                }
            };
            Ok(ProtectedChange::AddMaxRows { max_rows })
        }
        ProtectedChange::AddRowsWithID => {
            if smallest_max_groups_per_id(constraints, column).is_none() {
                fail!(
                    InvalidArgument,
                    "You must create MaxGroupsPerID constraint before using partition_and_create on \
                     tables with the AddRowsWithID protected change."
                );
            }
            Ok(ProtectedChange::AddRowsWithID)
        }
    }
}

/// ⌈r·√g⌉: the least m with m² ≥ g·r², exactly (integer square root of a u128, rounded up).
fn ceil_root_of_groups_times_rows_squared(max_groups: u64, max_rows_per_group: u64) -> Result<u64> {
    let rows = u128::from(max_rows_per_group);
    let target = match rows
        .checked_mul(rows)
        .and_then(|square| square.checked_mul(u128::from(max_groups)))
    {
        Some(target) => target,
        None => fail!(
            Overflow,
            "max_groups ({max_groups}) × max_rows_per_group² ({max_rows_per_group}²) of the partitioned \
             table does not fit in 128 bits"
        ),
    };
    let ceil = ceil_sqrt(target);
    match u64::try_from(ceil) {
        Ok(max_rows) => Ok(max_rows),
        Err(_) => fail!(
            Overflow,
            "⌈{max_rows_per_group}·√{max_groups}⌉ of the partitioned table does not fit in 64 bits"
        ),
    }
}

/// The text form: `partition(remaining, requested, change, idDistance, constraints, column)` →
/// `"charge=<budget>\nchild_budget=<budget>\nchild_change=<change>\nchild_id_distance=<D>"`, plus
/// `"\nmax_groups_per_id=<g>"` for an ID table (COMPILER_INTERFACES §6.4).
pub fn plan_partition_text(
    remaining: &str,
    requested: &str,
    change: &str,
    id_distance: &str,
    constraints: &str,
    column: &str,
) -> Result<String> {
    let plan = plan_partition(
        &parse_budget(remaining)?,
        &parse_budget(requested)?,
        &parse_protected_change(change)?,
        parse_id_distance(id_distance)?,
        &parse_constraints(constraints)?,
        column,
    )?;
    let mut text = format!(
        "charge={}\nchild_budget={}\nchild_change={}\nchild_id_distance={}",
        format_budget(&plan.parent_charge),
        format_budget(&plan.child_budget),
        plan.child_change,
        plan.child_id_distance
    );
    if let Some(max_groups) = plan.max_groups_per_id {
        text += &format!("\nmax_groups_per_id={max_groups}");
    }
    Ok(text)
}
