//! Sensitivity rules, written once.
//!
//! Every aggregation's sensitivity is a per-row contribution times the *count* sensitivity of the
//! protected change (how many rows a neighbouring data set may add, and how they may spread over
//! groups). Both the L1 sensitivity and the **square** of the L2 sensitivity are exact rationals, so
//! values like `L2 = sqrt(g)·r` stay exact as `L2² = g·r²`.
//!
//! Count sensitivities (Tumult Analytics' rules), for a grouped count:
//!
//! | protected change                                   | L1          | L2²          |
//! |----------------------------------------------------|-------------|--------------|
//! | `AddOneRow`                                        | 1           | 1            |
//! | `AddMaxRows{n}`                                    | n           | n²           |
//! | `AddMaxRowsInMaxGroups{c, g, r}`, grouped by c     | g·r         | g·r²         |
//! | `AddMaxRowsInMaxGroups{c, g, r}`, not grouped by c | g·r         | (g·r)²       |
//! | `AddRowsWithID` + `MaxRowsPerID(k)`                | k           | k²           |
//! | `AddRowsWithID` + `MaxGroupsPerID(c, g)` + `MaxRowsPerGroupPerID(c, r)`, grouped by c | g·r | g·r² |
//! | the same, not grouped by c                         | g·r         | (g·r)²       |
//!
//! `AddMaxRows{n}` and `MaxRowsPerID(k)`: all added rows may land in one group, so L1 = L2 = n (or k).
//! `AddMaxRowsInMaxGroups{c, g, r}` (Tumult's `AddRemoveRowsAcrossGroups`): a neighbour differs by at most r
//! rows in each of at most g values of c. Tumult starts from the distance g·r under `SumOf` (PureDP/ApproxDP)
//! and r·sqrt(g) under `RootSumOfSquared` (RhoZCDP), both in `IfGroupedBy(c, ·)`. Grouped by c (among possibly
//! other columns), each value of c is its own block of output cells: L1 = g·r, L2² = g·r² (Tumult's L2 =
//! r·sqrt(g)). Not grouped by c, all g·r rows may land in one cell: L1 = L2 = g·r, as `AddMaxRows(g·r)`.
//! (Tumult's `UnwrapIfGroupedBy` squares the `RootSumOfSquared` distance there, giving r²·g under RhoZCDP,
//! which is never below g·r: ours is the tighter, still sound bound, since the neighbour has at most g·r more
//! rows in all.)
//! `MaxGroupsPerID(c, g)` and `MaxRowsPerGroupPerID(c, r)` bound an ID to g values of column c with at
//! most r rows each. They are used only as a pair on the *same* column c (Tumult's
//! `_get_truncatable_constraints`); alone, or paired with a different column, they bound nothing. When the
//! aggregation groups by c (among possibly other columns), an ID's rows fall in at most g blocks of output
//! groups (one block per value of c) with at most r rows per block, so L1 = g·r and L2² ≤ g·r² (a block's
//! L2² is at most r² however its rows spread). When it does not group by c, all g·r rows may land in one
//! output group, so L1 = L2 = g·r (Tumult's `_constraint_stability`: the pair's stability is g·r unless the
//! budget is zCDP *and* c is grouped on). Every enforced constraint holds on the data at once, so each of
//! L1 and L2² is the smallest over the usable candidates (Tumult picks one candidate set by the budget's
//! norm; taking the minimum per norm gives the same value for that norm, and never more). (A tighter L2
//! exists for the combination; like Tumult we do not use it, which only adds noise.) Constraints are
//! ignored for `AddOneRow` / `AddMaxRows`, where they cannot lower the bound the change already gives.
use super::rational::Rational;
use crate::error::Result;
use crate::{err, fail};

#[cfg(test)]
mod test;

/// What a neighbouring data set may differ by (Tumult's protected changes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProtectedChange {
    AddOneRow,
    AddMaxRows {
        max_rows: u64,
    },
    /// At most `max_rows_per_group` rows in each of at most `max_groups` values of `grouping_column`.
    AddMaxRowsInMaxGroups {
        grouping_column: String,
        max_groups: u64,
        max_rows_per_group: u64,
    },
    AddRowsWithID,
}

/// Truncation constraints enforced on an ID-protected table (Tumult's constraints, with Tumult's
/// argument order: `MaxGroupsPerID(grouping_column, max)`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Constraint {
    MaxRowsPerID(u64),
    MaxGroupsPerID { grouping_column: String, max: u64 },
    MaxRowsPerGroupPerID { grouping_column: String, max: u64 },
}

impl Constraint {
    /// Tumult's class name of the constraint.
    pub fn name(&self) -> &'static str {
        match self {
            Constraint::MaxRowsPerID(_) => "MaxRowsPerID",
            Constraint::MaxGroupsPerID { .. } => "MaxGroupsPerID",
            Constraint::MaxRowsPerGroupPerID { .. } => "MaxRowsPerGroupPerID",
        }
    }

    /// The constraint's bound.
    pub fn max(&self) -> u64 {
        match self {
            Constraint::MaxRowsPerID(max)
            | Constraint::MaxGroupsPerID { max, .. }
            | Constraint::MaxRowsPerGroupPerID { max, .. } => *max,
        }
    }

    /// The grouping column of `MaxGroupsPerID` / `MaxRowsPerGroupPerID`; None for `MaxRowsPerID`.
    pub fn grouping_column(&self) -> Option<&str> {
        match self {
            Constraint::MaxRowsPerID(_) => None,
            Constraint::MaxGroupsPerID {
                grouping_column, ..
            }
            | Constraint::MaxRowsPerGroupPerID {
                grouping_column, ..
            } => Some(grouping_column),
        }
    }

    /// Tumult-style description for messages: `MaxRowsPerID(20)`, `MaxGroupsPerID('isbn', 5)`.
    pub fn describe(&self) -> String {
        match self.grouping_column() {
            None => format!("{}({})", self.name(), self.max()),
            Some(column) => format!("{}('{}', {})", self.name(), column, self.max()),
        }
    }
}

/// The L1 sensitivity and the square of the L2 sensitivity of one aggregation, exact.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sensitivities {
    pub l1: Rational,
    pub l2_squared: Rational,
}

impl Sensitivities {
    /// Sensitivities of an aggregation in which each row contributes at most `per_row` in absolute value,
    /// given the count sensitivities of the change: L1 scales by `per_row`, L2² by `per_row²`.
    pub fn scaled_per_row(&self, per_row: &Rational) -> Result<Sensitivities> {
        Ok(Sensitivities {
            l1: self.l1.checked_mul(per_row)?,
            l2_squared: self.l2_squared.checked_mul(&per_row.checked_square()?)?,
        })
    }
}

/// Sensitivities of the two parts of an average (see [`average_sensitivities`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AverageSensitivities {
    pub shifted_sum: Sensitivities,
    pub count: Sensitivities,
}

/// Sensitivities of the three parts of a variance (see [`variance_sensitivities`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VarianceSensitivities {
    pub shifted_sum_of_squares: Sensitivities,
    pub shifted_sum: Sensitivities,
    pub count: Sensitivities,
}

/// A signed exact value (bounds may be negative while [`Rational`] is not).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct SignedRational {
    is_negative: bool,
    magnitude: Rational,
}

impl SignedRational {
    fn from_i64(value: i64) -> Self {
        SignedRational {
            is_negative: value < 0,
            magnitude: Rational::from_integer(u128::from(value.unsigned_abs())),
        }
    }

    fn from_f64(value: f64, setting: &str) -> Result<Self> {
        if !value.is_finite() {
            fail!(
                InvalidArgument,
                "{setting} must be a finite number, got {value}"
            );
        }
        let magnitude = Rational::from_f64_exact(value.abs(), setting)?;
        Ok(SignedRational {
            is_negative: value < 0.0 && !magnitude.is_zero(),
            magnitude,
        })
    }

    /// `upper - lower` when `lower <= upper`, else `None`.
    fn distance_up_to(&self, upper: &SignedRational) -> Result<Option<Rational>> {
        match (self.is_negative, upper.is_negative) {
            (true, false) => Ok(Some(self.magnitude.checked_add(&upper.magnitude)?)),
            (false, true) => Ok(None),
            (false, false) if self.magnitude <= upper.magnitude => {
                Ok(Some(upper.magnitude.checked_sub(&self.magnitude)?))
            }
            (true, true) if upper.magnitude <= self.magnitude => {
                Ok(Some(self.magnitude.checked_sub(&upper.magnitude)?))
            }
            _ => Ok(None),
        }
    }
}

/// Clamping bounds `[lower, upper]` of a measure column, exact, with `lower <= upper`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClampBounds {
    max_abs: Rational,
    width: Rational,
}

impl ClampBounds {
    fn new(
        lower: SignedRational,
        upper: SignedRational,
        lower_text: String,
        upper_text: String,
    ) -> Result<Self> {
        match lower.distance_up_to(&upper)? {
            Some(width) => Ok(ClampBounds { max_abs: lower.magnitude.max(upper.magnitude), width }),
            None => fail!(
                InvalidArgument,
                "Lower bound ({lower_text}) must be less than or equal to upper bound ({upper_text})."
            ),
        }
    }

    /// Integer bounds. Err(InvalidArgument) naming both when `lower > upper`.
    pub fn from_integers(lower: i64, upper: i64) -> Result<Self> {
        Self::new(
            SignedRational::from_i64(lower),
            SignedRational::from_i64(upper),
            lower.to_string(),
            upper.to_string(),
        )
    }

    /// Float bounds, converted exactly. Err(InvalidArgument) for NaN/infinite bounds or `lower > upper`;
    /// Err(Overflow) for a bound whose exact value does not fit (see [`Rational::from_f64_exact`]).
    pub fn from_f64(lower: f64, upper: f64) -> Result<Self> {
        Self::new(
            SignedRational::from_f64(lower, "lower bound")?,
            SignedRational::from_f64(upper, "upper bound")?,
            lower.to_string(),
            upper.to_string(),
        )
    }

    /// `max(|lower|, |upper|)`: the most one clamped row can add to a sum.
    pub fn max_abs(&self) -> Rational {
        self.max_abs
    }

    /// `upper - lower`.
    pub fn width(&self) -> Rational {
        self.width
    }

    /// `(upper - lower)/2`: the most a clamped row can differ from the midpoint `(lower + upper)/2`.
    pub fn half_width(&self) -> Result<Rational> {
        self.width.checked_div_integer(2)
    }
}

/// `AddMaxRows(0)` is allowed: the change of a flat map's output with max_rows=0 (Tumult's stability 0), whose
/// sensitivities are 0 and whose queries get no noise.
fn validate_change(change: &ProtectedChange) -> Result<()> {
    match change {
        ProtectedChange::AddMaxRowsInMaxGroups { max_groups: 0, .. } => fail!(
            InvalidArgument,
            "max_groups must be positive, got 0 (AddMaxRowsInMaxGroups)"
        ),
        ProtectedChange::AddMaxRowsInMaxGroups {
            max_rows_per_group: 0,
            ..
        } => fail!(
            InvalidArgument,
            "max_rows_per_group must be positive, got 0 (AddMaxRowsInMaxGroups)"
        ),
        _ => Ok(()),
    }
}

/// Tumult's message (`_truncate_table` in its measurement visitor) when an ID-protected table is aggregated
/// without a constraint bounding the rows of each ID.
pub const MISSING_ID_CONSTRAINT_MESSAGE: &str =
    "A constraint on the number of rows contributed by each ID \
     is needed to perform this query (e.g. MaxRowsPerID).";

/// Count sensitivities when each neighbour differs by at most `rows_per_group` rows in each of at most
/// `groups` values of `column` (see the module table): the `AddMaxRowsInMaxGroups` change and the
/// (`MaxGroupsPerID`, `MaxRowsPerGroupPerID`) pair share this rule.
fn grouped_rows_sensitivities(
    column: &str,
    groups: u64,
    rows_per_group: u64,
    groupby_columns: &[String],
) -> Result<Sensitivities> {
    let (l1, l2_squared) = grouped_rows_bounds(column, groups, rows_per_group, groupby_columns);
    let Some(l2_squared) = l2_squared else {
        fail!(
            Overflow,
            "the squared L2 sensitivity of {groups} groups of {rows_per_group} rows on {column} \
             exceeds u128"
        );
    };
    Ok(Sensitivities { l1, l2_squared })
}

/// (L1, L2²) of [`grouped_rows_sensitivities`], L2² `None` when it exceeds u128 (L1 = g·r always fits).
fn grouped_rows_bounds(
    column: &str,
    groups: u64,
    rows_per_group: u64,
    groupby_columns: &[String],
) -> (Rational, Option<Rational>) {
    let rows = u128::from(groups) * u128::from(rows_per_group);
    let is_grouped_on = groupby_columns.iter().any(|grouped| grouped == column);
    let l2_squared = if is_grouped_on {
        u128::from(rows_per_group).checked_mul(rows)
    } else {
        rows.checked_mul(rows)
    };
    (
        Rational::from_integer(rows),
        l2_squared.map(Rational::from_integer),
    )
}

/// The smallest `MaxRowsPerID` bound among `constraints` (every enforced bound holds, so the smallest does).
fn smallest_max_rows_per_id(constraints: &[Constraint]) -> Option<u64> {
    constraints
        .iter()
        .filter(|c| matches!(c, Constraint::MaxRowsPerID(_)))
        .map(Constraint::max)
        .min()
}

/// For each grouping column c carrying both `MaxGroupsPerID(c, ·)` and `MaxRowsPerGroupPerID(c, ·)`, once
/// and in name order: (c, the smallest g, the smallest r) on c (all enforced bounds hold).
fn paired_group_bounds(constraints: &[Constraint]) -> Vec<(&str, u64, u64)> {
    let smallest_on = |column: &str, is_wanted: fn(&Constraint) -> bool| {
        constraints
            .iter()
            .filter(|c| is_wanted(c) && c.grouping_column() == Some(column))
            .map(Constraint::max)
            .min()
    };
    let mut columns: Vec<&str> = constraints
        .iter()
        .filter(|c| matches!(c, Constraint::MaxGroupsPerID { .. }))
        .filter_map(Constraint::grouping_column)
        .collect();
    columns.sort_unstable();
    columns.dedup();
    columns
        .into_iter()
        .filter_map(|column| {
            let groups = smallest_on(column, |c| matches!(c, Constraint::MaxGroupsPerID { .. }))?;
            let rows_per_group = smallest_on(column, |c| {
                matches!(c, Constraint::MaxRowsPerGroupPerID { .. })
            })?;
            Some((column, groups, rows_per_group))
        })
        .collect()
}

/// Count sensitivities under `AddRowsWithID`, from the constraints and the aggregation's groupby
/// columns (see the module table).
fn id_count_sensitivities(
    constraints: &[Constraint],
    groupby_columns: &[String],
) -> Result<Sensitivities> {
    if let Some(zero) = constraints.iter().find(|constraint| constraint.max() == 0) {
        fail!(InvalidArgument, "{} must be positive", zero.describe());
    }
    // (L1, L2²) per usable constraint; L2² is None when it exceeds u128 (then it is larger than every
    // candidate that fits, and only matters, as an error, when no other candidate bounds L2²).
    let mut candidates: Vec<(Rational, Option<Rational>)> = Vec::new();
    if let Some(rows) = smallest_max_rows_per_id(constraints) {
        let rows = u128::from(rows);
        // rows < 2^64, so rows² fits.
        candidates.push((
            Rational::from_integer(rows),
            Some(Rational::from_integer(rows * rows)),
        ));
    }
    let mut too_large_l2 = None;
    for (column, groups, rows_per_group) in paired_group_bounds(constraints) {
        let bounds = grouped_rows_bounds(column, groups, rows_per_group, groupby_columns);
        if bounds.1.is_none() {
            too_large_l2.get_or_insert((column, groups, rows_per_group));
        }
        candidates.push(bounds);
    }
    let l1 = candidates.iter().map(|(l1, _)| *l1).min();
    let l2_squared = candidates.iter().filter_map(|(_, l2)| *l2).min();
    match (l1, l2_squared, too_large_l2) {
        (Some(l1), Some(l2_squared), _) => Ok(Sensitivities { l1, l2_squared }),
        (Some(_), None, Some((column, groups, rows_per_group))) => fail!(
            Overflow,
            "the squared L2 sensitivity of {groups} groups of {rows_per_group} rows on {column} \
             exceeds u128"
        ),
        // Usable: MaxRowsPerID, or MaxGroupsPerID and MaxRowsPerGroupPerID on the same grouping column.
        _ => fail!(UnsupportedQuery, "{MISSING_ID_CONSTRAINT_MESSAGE}"),
    }
}

/// Sensitivities of a count grouped by `groupby_columns` (see the module table). Err(UnsupportedQuery) with
/// Tumult's message when `AddRowsWithID` lacks a bounding constraint; Err(InvalidArgument) when a bound is zero.
pub fn count_sensitivities(
    change: &ProtectedChange,
    constraints: &[Constraint],
    groupby_columns: &[String],
) -> Result<Sensitivities> {
    validate_change(change)?;
    match change {
        ProtectedChange::AddOneRow => Ok(Sensitivities {
            l1: Rational::one(),
            l2_squared: Rational::one(),
        }),
        ProtectedChange::AddMaxRows { max_rows } => {
            let rows = Rational::from_integer(u128::from(*max_rows));
            Ok(Sensitivities {
                l1: rows,
                l2_squared: rows.checked_square()?,
            })
        }
        ProtectedChange::AddMaxRowsInMaxGroups {
            grouping_column,
            max_groups,
            max_rows_per_group,
        } => grouped_rows_sensitivities(
            grouping_column,
            *max_groups,
            *max_rows_per_group,
            groupby_columns,
        ),
        ProtectedChange::AddRowsWithID => id_count_sensitivities(constraints, groupby_columns),
    }
}

/// The most output cells of an aggregation grouped by `groupby_columns` that one protected change can
/// alter: the `max_changed_values` of [`float_noise`](super::calibration::float_noise).
///
/// # Proof Definition
/// Returns `Ok(1)` for `AddOneRow`, `Ok(n)` for `AddMaxRows{n}` (each added row lands in one cell).
/// For `AddMaxRowsInMaxGroups{c, g, r}`: `g` when the aggregation groups by exactly `[c]`, else `g·r`.
/// For `AddRowsWithID`, the smallest of: `k` for each `MaxRowsPerID(k)` (an ID has at most k rows);
/// for each column c with `MaxGroupsPerID(c, g)` and `MaxRowsPerGroupPerID(c, r)`, `g` when the
/// aggregation groups by exactly `[c]` (an ID has at most g values of c, one cell each), else `g·r`
/// (an ID has at most g·r rows). Err(InvalidArgument) as [`count_sensitivities`] when no constraint
/// bounds the rows of an ID or a bound is zero; Err(Overflow) when `g·r` leaves u64.
pub fn max_changed_cells(
    change: &ProtectedChange,
    constraints: &[Constraint],
    groupby_columns: &[String],
) -> Result<u64> {
    // Validates the change and the constraints, and errs exactly when no candidate exists below.
    count_sensitivities(change, constraints, groupby_columns)?;
    match change {
        ProtectedChange::AddOneRow => Ok(1),
        ProtectedChange::AddMaxRows { max_rows } => Ok(*max_rows),
        ProtectedChange::AddMaxRowsInMaxGroups {
            grouping_column,
            max_groups,
            max_rows_per_group,
        } => grouped_changed_cells(
            grouping_column,
            *max_groups,
            *max_rows_per_group,
            groupby_columns,
        ),
        ProtectedChange::AddRowsWithID => {
            let mut bound = smallest_max_rows_per_id(constraints);
            for (column, groups, rows_per_group) in paired_group_bounds(constraints) {
                let cells = grouped_changed_cells(column, groups, rows_per_group, groupby_columns)?;
                bound = Some(bound.map_or(cells, |current| current.min(cells)));
            }
            bound.ok_or_else(|| {
                err!(
                    Internal,
                    "count_sensitivities accepted constraints that bound no cells"
                )
            })
        }
    }
}

/// Cells one change can alter when it touches at most `rows_per_group` rows in each of at most `groups`
/// values of `column`: `groups` when the aggregation groups by exactly `[column]`, else `groups·rows_per_group`.
fn grouped_changed_cells(
    column: &str,
    groups: u64,
    rows_per_group: u64,
    groupby_columns: &[String],
) -> Result<u64> {
    if matches!(groupby_columns, [only] if only == column) {
        return Ok(groups);
    }
    groups.checked_mul(rows_per_group).ok_or_else(|| {
        err!(
            Overflow,
            "{groups} groups of {rows_per_group} rows on column '{column}' overflow u64"
        )
    })
}

/// L1 sensitivity of a grouped count. Err(InvalidArgument) when AddRowsWithID lacks a bounding constraint.
pub fn count_l1_sensitivity(
    change: &ProtectedChange,
    constraints: &[Constraint],
    groupby_columns: &[String],
) -> Result<Rational> {
    Ok(count_sensitivities(change, constraints, groupby_columns)?.l1)
}

/// L2 sensitivity squared (exact) of a grouped count.
pub fn count_l2_sensitivity_squared(
    change: &ProtectedChange,
    constraints: &[Constraint],
    groupby_columns: &[String],
) -> Result<Rational> {
    Ok(count_sensitivities(change, constraints, groupby_columns)?.l2_squared)
}

/// Sensitivities of a grouped sum of values clamped to `bounds`.
///
/// Derivation: a clamped row adds a value `v` with `|v| <= max(|L|, |U|) =: c` to its group's sum. The
/// change adds rows that, as a count, move the vector of group counts by at most `L1_count` (and
/// `L2_count` in L2); replacing each added row's 1 by its value scales every group's change by at most
/// `c`, so `L1 = c·L1_count` and `L2² = c²·L2²_count`.
pub fn sum_sensitivities(
    change: &ProtectedChange,
    constraints: &[Constraint],
    groupby_columns: &[String],
    bounds: &ClampBounds,
) -> Result<Sensitivities> {
    count_sensitivities(change, constraints, groupby_columns)?.scaled_per_row(&bounds.max_abs())
}

/// Sensitivities of the two noisy parts of a grouped average over values clamped to `[L, U]`.
///
/// As in Tumult (Core's average measurement): with midpoint `m = (L+U)/2`, release a noisy
/// `S = Σ (v − m)` and a noisy count `N`, and answer `S/N + m` (post-processing). Each clamped row has
/// `|v − m| <= (U − L)/2`, so `S` has the sensitivities of a sum with per-row contribution `(U−L)/2`,
/// and `N` those of a count. Shifting by `m` is what makes the per-row bound `(U−L)/2` instead of
/// `max(|L|, |U|)`. How the budget is split between the two parts is the caller's choice.
pub fn average_sensitivities(
    change: &ProtectedChange,
    constraints: &[Constraint],
    groupby_columns: &[String],
    bounds: &ClampBounds,
) -> Result<AverageSensitivities> {
    let count = count_sensitivities(change, constraints, groupby_columns)?;
    Ok(AverageSensitivities {
        shifted_sum: count.scaled_per_row(&bounds.half_width()?)?,
        count,
    })
}

/// Sensitivities of the three noisy parts of a grouped variance over values clamped to `[L, U]`.
///
/// As for the average, with `m = (L+U)/2`: release noisy `Q = Σ (v − m)²`, `S = Σ (v − m)` and a count
/// `N`; the variance `Q/N − (S/N)²` is post-processing (shift-invariant). Each row has
/// `0 <= (v − m)² <= ((U−L)/2)²`, so `Q` has the sensitivities of a sum with per-row contribution
/// `((U−L)/2)²`; `S` and `N` are as in [`average_sensitivities`].
pub fn variance_sensitivities(
    change: &ProtectedChange,
    constraints: &[Constraint],
    groupby_columns: &[String],
    bounds: &ClampBounds,
) -> Result<VarianceSensitivities> {
    let count = count_sensitivities(change, constraints, groupby_columns)?;
    let half_width = bounds.half_width()?;
    Ok(VarianceSensitivities {
        shifted_sum_of_squares: count.scaled_per_row(&half_width.checked_square()?)?,
        shifted_sum: count.scaled_per_row(&half_width)?,
        count,
    })
}
