//! One structured call from a measurement request to its plan: which values are released, with which
//! noise, each charged which budget (COMPILER_INTERFACES.md §2). Text forms are `text.rs`'s
//! ([`parse_measurement_request`](super::text::parse_measurement_request),
//! [`format_plan`](super::text::format_plan)); every decision is made by the existing rules —
//! sensitivities by [`count_sensitivities`](super::sensitivity::count_sensitivities) (the minimum over every
//! usable enforced constraint), mechanism and calibration by [`count_noise`] — and none is repeated here.
use super::budget::Budget;
use super::calibration::{count_noise, Mechanism, NoiseSpec};
use super::plan::{MeasurementPlan, OutputType, PartialSpec, Release};
use super::sensitivity::{Constraint, ProtectedChange};
use crate::error::Result;

#[cfg(test)]
mod test;

/// What a query computes per group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Aggregation {
    Count,
}

/// A parsed measurement request: one aggregation of one table, and the budget it spends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeasurementRequest {
    pub aggregation: Aggregation,
    /// The budget the query spends: already the charged one ([`Budget::charge`]).
    pub budget: Budget,
    pub change: ProtectedChange,
    /// Every constraint enforced on the table, in enforcement order.
    pub constraints: Vec<Constraint>,
    /// The aggregation's groupby columns (empty: ungrouped).
    pub groupby_columns: Vec<String>,
    pub mechanism: Mechanism,
}

/// Every name a [`PlannedMeasure`] may have (the plan text's parser maps names back to these).
pub const MEASURE_NAMES: [&str; 5] = [
    "count",
    "count_distinct",
    "sum",
    "sum_of_squares",
    "quantile",
];

/// One released value of a plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedMeasure {
    /// Keys the value's noise stream (`sample::SecretKey::measure_query_key`).
    pub index: u64,
    /// What the value is, e.g. "count".
    pub name: &'static str,
    pub noise: NoiseSpec,
    /// The part of the request's budget this value spends; the measures' budgets add up to it.
    pub budget: Budget,
}

/// The plan of `request`: its released values in release order.
///
/// # Proof Definition
/// For `count`: one measure (index 0, "count") whose noise is [`count_noise`] of the request's budget,
/// change, constraints, groupby columns and mechanism, spending the whole budget. Errors as
/// [`count_noise`]: Err(UnsupportedQuery) with Tumult's message when an `AddRowsWithID` table has no
/// usable constraint; Err(InvalidArgument) for Gaussian noise under a DP budget, zero bounds, a zero
/// budget, or a noise parameter or sensitivity too large to represent or to draw i64 noise from (naming
/// the budget value; see `calibration`'s module doc). Never Err(Overflow) for a valid budget.
pub fn plan_measurement(request: &MeasurementRequest) -> Result<MeasurementPlan> {
    match request.aggregation {
        Aggregation::Count => {
            let noise = count_noise(
                &request.budget,
                &request.change,
                &request.constraints,
                &request.groupby_columns,
                request.mechanism,
            )?;
            Ok(MeasurementPlan {
                measures: vec![PlannedMeasure {
                    index: 0,
                    name: "count",
                    noise,
                    budget: request.budget,
                }],
                partial: PartialSpec::Count,
                release: Release::Count,
                outputs: vec![OutputType::Int64],
            })
        }
    }
}
