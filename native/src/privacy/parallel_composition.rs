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
//! - `AddRowsWithID`: Tumult first enforces a `MaxGroupsPerID(column, g)` constraint and refuses without one
//!   (its message); with one, the children would protect the addition of up to g IDs, which no protected
//!   change of ours can express yet, so it is refused as unsupported.
use super::budget::Budget;
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
}

/// Tumult's first sentence of an insufficient-budget error of `evaluate`, and the one of a partition.
const QUERY_INSUFFICIENT: &str =
    "Cannot answer query without exceeding the Session privacy budget.";
const PARTITION_INSUFFICIENT: &str =
    "Cannot perform this partition without exceeding the Session privacy budget.";

/// The plan of partitioning a table protected by `change` (with `constraints` enforced on it) on `column`,
/// when the parent has `remaining` and asks for `requested` per child.
///
/// Errors: Tumult's type-mismatch `InvalidArgument`; `InsufficientBudget` with Tumult's partition message;
/// `InvalidArgument` for an ID table without a `MaxGroupsPerID` on `column` (Tumult's text);
/// `UnsupportedQuery` for an ID table with one; `Overflow` when g·r does not fit in u64.
pub fn plan_partition(
    remaining: &Budget,
    requested: &Budget,
    change: &ProtectedChange,
    constraints: &[Constraint],
    column: &str,
) -> Result<PartitionPlan> {
    let child_change = child_protected_change(remaining, change, constraints, column)?;
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
    })
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
            let has_max_groups_on_column = constraints.iter().any(|constraint| {
                matches!(constraint, Constraint::MaxGroupsPerID { grouping_column, .. }
                    if grouping_column == column)
            });
            if !has_max_groups_on_column {
                fail!(
                    InvalidArgument,
                    "You must create MaxGroupsPerID constraint before using partition_and_create on \
                     tables with the AddRowsWithID protected change."
                );
            }
            fail!(
                UnsupportedQuery,
                "partition_and_create on a table with the AddRowsWithID protected change is not \
                 supported yet: its partitions would protect the addition of several IDs, which no \
                 protected change can express."
            )
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
    // floor(√target) by Newton's method on integers from a first guess at or above it (2^⌈bits/2⌉ ≤ 2^64);
    // the iterates decrease to the floor, and root + target/root < 2^65 never overflows.
    let mut root = target;
    if target > 1 {
        let bits = 128 - target.leading_zeros();
        root = 1u128 << bits.div_ceil(2);
        let mut next = (root + target / root) / 2;
        while next < root {
            root = next;
            next = (root + target / root) / 2;
        }
    }
    // root² ≤ target < 2^128, so root < 2^64 and root² does not overflow.
    let ceil = if root * root == target {
        root
    } else {
        root + 1
    };
    match u64::try_from(ceil) {
        Ok(max_rows) => Ok(max_rows),
        Err(_) => fail!(
            Overflow,
            "⌈{max_rows_per_group}·√{max_groups}⌉ of the partitioned table does not fit in 64 bits"
        ),
    }
}

/// The text form: `partition(remaining, requested, change, constraints, column)` →
/// `"charge=<budget>\nchild_budget=<budget>\nchild_change=<change>"` (COMPILER_INTERFACES §6.4).
pub fn plan_partition_text(
    remaining: &str,
    requested: &str,
    change: &str,
    constraints: &str,
    column: &str,
) -> Result<String> {
    let plan = plan_partition(
        &parse_budget(remaining)?,
        &parse_budget(requested)?,
        &parse_protected_change(change)?,
        &parse_constraints(constraints)?,
        column,
    )?;
    Ok(format!(
        "charge={}\nchild_budget={}\nchild_change={}",
        format_budget(&plan.parent_charge),
        format_budget(&plan.child_budget),
        plan.child_change
    ))
}
