//! One structured call from a measurement request to its plan (COMPILER_INTERFACES.md §2, §5): which
//! integer measures each cell gets, with which noise, each charged which part of the budget, and how the
//! kernels encode, aggregate and post-process them. Text forms are `text.rs`'s
//! ([`parse_measurement_request`](super::text::parse_measurement_request)) and `plan_text.rs`'s. Every
//! number is decided by the rules it names: count sensitivities by
//! [`count_sensitivities`](super::sensitivity::count_sensitivities), mechanism and calibration by
//! [`noise_for_sensitivities`] (Tumult's `select_noise_mechanism`: Laplace-family noise under
//! PureDP/ApproxDP, Gaussian under RhoZCDP, integer noise on integer encodings), lattices by `lattice`,
//! the quantile rate by [`quantile_rate`], get_groups' threshold by `partition_selection`.
use super::bounds::plan_bounds;
use super::budget::Budget;
use super::calibration::{
    noise_for_sensitivities, noise_scale_log2, quantile_rate, Mechanism, NoiseSpec,
    QUANTILE_GRID_BITS,
};
use super::id_distance::IdDistance;
use super::lattice::{
    clamp_of, quantile_encoding, sum_encoding, ColumnType, Encoded, MeasureColumn, SumKind,
};
use super::partition_selection::partition_threshold;
use super::plan::{Clamp, MeasurementPlan, OutputType, PartialSpec, Release};
use super::rational::Rational;
use super::sensitivity::{count_sensitivities, Constraint, ProtectedChange, Sensitivities};
use crate::error::{Error, Result};
use crate::{err, fail};

#[cfg(test)]
mod test;

/// What a query computes per group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Aggregation {
    Count,
    CountDistinct,
    Sum,
    Average,
    Variance,
    Stdev,
    /// Also median (quantile 0.5), min (0) and max (1).
    Quantile,
    GetGroups,
    /// Approximate bounds of a column (Tumult's `GetBounds`; `privacy::bounds`).
    GetBounds,
}

impl Aggregation {
    /// The request's name of the aggregation.
    pub fn name(&self) -> &'static str {
        match self {
            Aggregation::Count => "count",
            Aggregation::CountDistinct => "count_distinct",
            Aggregation::Sum => "sum",
            Aggregation::Average => "average",
            Aggregation::Variance => "variance",
            Aggregation::Stdev => "stdev",
            Aggregation::Quantile => "quantile",
            Aggregation::GetGroups => "get_groups",
            Aggregation::GetBounds => "get_bounds",
        }
    }

    /// Every aggregation, in the order of the grammar.
    pub const ALL: [Aggregation; 9] = [
        Aggregation::Count,
        Aggregation::CountDistinct,
        Aggregation::Sum,
        Aggregation::Average,
        Aggregation::Variance,
        Aggregation::Stdev,
        Aggregation::Quantile,
        Aggregation::GetGroups,
        Aggregation::GetBounds,
    ];

    /// Whether the request carries a measure column with bounds (`column=`, `column_type=`, `low=`,
    /// `high=`).
    pub fn takes_measure_column(&self) -> bool {
        matches!(
            self,
            Aggregation::Sum
                | Aggregation::Average
                | Aggregation::Variance
                | Aggregation::Stdev
                | Aggregation::Quantile
        )
    }
}

/// A parsed measurement request: one aggregation of one table, and the budget it spends.
#[derive(Debug, Clone, PartialEq)]
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
    /// The measure column and its bounds (sum, average, variance, stdev, quantile; None otherwise).
    pub measure_column: Option<MeasureColumn>,
    /// The quantile in [0, 1] as the user gave it (quantile only).
    pub quantile: Option<f64>,
    /// The column whose bounds get_bounds finds (`column=`, `column_type=`, no bounds; None otherwise).
    pub bounds_column: Option<(String, ColumnType)>,
    /// The ID distance the table's measurements are compiled for (`id_distance=`, absent: 1): every
    /// sensitivity is the distance-1 one scaled by [`IdDistance::scale`].
    pub id_distance: IdDistance,
}

/// Every name a [`PlannedMeasure`] may have (the plan text's parser maps names back to these).
pub const MEASURE_NAMES: [&str; 7] = [
    "count",
    "count_distinct",
    "sum",
    "sum_of_squares",
    "quantile",
    "bounds_threshold",
    "bounds_prefix",
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

/// The plan of `request`.
///
/// # Proof Definition
/// Per aggregation (C = the count sensitivities of the request's change, constraints and groupby columns,
/// [`count_sensitivities`]; every budget share below adds up exactly to the request's budget):
/// * `count`: one measure "count" with the noise of [`count_noise`](super::calibration::count_noise), the whole budget; partial `Count`,
///   release `Count`, outputs [Int64]. Its plan text is unchanged (measure lines only).
/// * `count_distinct`: as count (each kept row adds at most one distinct item to its cell, so the number
///   of distinct items has the count's sensitivities; Tumult's `create_count_distinct_measurement` uses
///   the count's stability and `CountDistinctMechanism` follows `CountMechanism`'s rules), measure
///   "count_distinct"; partial `Distinct`, release `CountDistinct`, outputs [Int64].
/// * `sum`: one measure "sum" with sensitivities C·R (R of [`sum_encoding`] `Sum`), the whole budget;
///   partial `Moments` (no squares), release `Sum`, outputs [Int64] for an integer column (k = 0), else
///   [Float64].
/// * `average`: Tumult's split (`create_average_measurement`: d_out/2 each): "sum" of shifted values
///   (C·R, R of `Average`) and "count" (C), half the budget each; release `Average`, outputs [Float64].
/// * `variance`/`stdev`: Tumult's split (`create_variance_measurement`: d_out/3 each): "sum_of_squares"
///   (C·R²), "sum" (C·R), "count" (C), a third each; partial `Moments` with squares; release
///   `Variance`/`Stdev`, outputs [Float64].
/// * `quantile`: one measure "quantile" with noise `none` and the whole budget (the exponential mechanism
///   spends it); partial `Histogram` ([`quantile_encoding`]), release `Quantile{q rounded down to a
///   multiple of 2^−32, rate of [`quantile_rate`]}`, outputs [Float64]. Err(InvalidArgument) with Tumult's
///   message for q outside [0, 1], and for a `laplace`/`gaussian` mechanism (quantile has none).
/// * `get_groups`: only under `ApproxDP` (else Err(InvalidArgument) with Tumult's "GetGroups is only
///   supported with ApproxDPBudgets."); one measure "count" with the Laplace noise of C (α = L1/ε; δ
///   goes to the threshold), partial `Count`, release `CountAboveThreshold{τ − 1}` with τ of
///   [`partition_threshold`] (−1 under an infinite budget: every group with a kept row), outputs [Int64].
///   Err(InvalidArgument) for δ = 0 with a finite ε.
/// * `get_bounds`: [`plan_bounds`] with C (measures "bounds_threshold" with the whole budget and
///   "bounds_prefix", partial `LogBins`, release `Bounds`, two outputs typed as the column).
///
/// Errors (all before anything runs): those of [`count_noise`](super::calibration::count_noise) (Err(UnsupportedQuery) for an
/// `AddRowsWithID` table without a usable constraint; Gaussian under a DP budget; a zero budget; noise
/// too large to draw), those of [`clamp_of`] and the encodings (bad bounds naming the column), and
/// Err(InvalidArgument) when a sensitivity or budget share cannot be represented. Never Err(Overflow).
pub fn plan_measurement(request: &MeasurementRequest) -> Result<MeasurementPlan> {
    request.budget.validate()?;
    let plan = match request.aggregation {
        Aggregation::Count => plan_count(request),
        Aggregation::CountDistinct => plan_count_distinct(request),
        Aggregation::Sum | Aggregation::Average | Aggregation::Variance | Aggregation::Stdev => {
            plan_moments(request)
        }
        Aggregation::Quantile => plan_quantile(request),
        Aggregation::GetGroups => plan_get_groups(request),
        Aggregation::GetBounds => plan_get_bounds(request),
    };
    plan.map_err(|error| match error {
        Error::Overflow(detail) => err!(
            InvalidArgument,
            "The noise of this {} cannot be represented ({detail}). Use smaller bounds or \
             constraints, or a larger budget.",
            request.aggregation.name()
        ),
        other => other,
    })
}

fn plan_count(request: &MeasurementRequest) -> Result<MeasurementPlan> {
    // Sensitivities first, even for an infinite budget: a missing constraint is the user's error whatever
    // the budget, as in Tumult (and as `count_noise`, which knows no ID distance).
    let count = request_count_sensitivities(request)?;
    let noise = noise_for_sensitivities(&request.budget, &count, request.mechanism)?;
    Ok(MeasurementPlan {
        measures: vec![measure(0, "count", noise, request.budget)],
        partial: PartialSpec::Count,
        release: Release::Count,
        outputs: vec![OutputType::Int64],
    })
}

fn plan_count_distinct(request: &MeasurementRequest) -> Result<MeasurementPlan> {
    let count = request_count_sensitivities(request)?;
    let noise = noise_for_sensitivities(&request.budget, &count, request.mechanism)?;
    Ok(MeasurementPlan {
        measures: vec![measure(0, "count_distinct", noise, request.budget)],
        partial: PartialSpec::Distinct,
        release: Release::CountDistinct,
        outputs: vec![OutputType::Int64],
    })
}

fn measure(index: u64, name: &'static str, noise: NoiseSpec, budget: Budget) -> PlannedMeasure {
    PlannedMeasure {
        index,
        name,
        noise,
        budget,
    }
}

/// The count sensitivities of the request at its ID distance; Overflow becomes InvalidArgument as in
/// [`count_noise`](super::calibration::count_noise).
fn request_count_sensitivities(request: &MeasurementRequest) -> Result<Sensitivities> {
    count_sensitivities(
        &request.change,
        &request.constraints,
        &request.groupby_columns,
    )
    .and_then(|per_id| request.id_distance.scale(&request.budget, &per_id))
    .map_err(|error| match error {
        Error::Overflow(detail) => err!(
            InvalidArgument,
            "The sensitivity of this {} cannot be represented ({detail}). Use smaller \
                 constraint bounds.",
            request.aggregation.name()
        ),
        other => other,
    })
}

fn measure_column(request: &MeasurementRequest) -> Result<&MeasureColumn> {
    match &request.measure_column {
        Some(column) => Ok(column),
        None => fail!(
            Internal,
            "a {} request without a measure column",
            request.aggregation.name()
        ),
    }
}

/// `budget` split into `parts` equal shares, checked to add up to it exactly.
fn split_budget(budget: &Budget, parts: u64) -> Result<Budget> {
    let share = budget.split_evenly(parts)?;
    if budget.is_infinite() {
        // As Tumult: every share of an infinite budget is infinite.
        return Ok(share);
    }
    let mut total = share;
    for _ in 1..parts {
        total = total.checked_add(&share)?;
    }
    if total != *budget {
        fail!(
            InvalidArgument,
            "The budget {budget} cannot be split exactly into {parts} parts."
        );
    }
    Ok(share)
}

/// sum, average, variance, stdev: the `Moments` family.
fn plan_moments(request: &MeasurementRequest) -> Result<MeasurementPlan> {
    let column = measure_column(request)?;
    let count = request_count_sensitivities(request)?;
    let clamp = clamp_of(column)?;
    let (kind, parts) = match request.aggregation {
        Aggregation::Sum => (SumKind::Sum, 1),
        Aggregation::Average => (SumKind::Average, 2),
        _ => (SumKind::Variance, 3),
    };
    let share = split_budget(&request.budget, parts)?;
    // The lattice follows the noise a per-row contribution of 1 would get under this share.
    let noise_log2 = noise_scale_log2(&share, &count, request.mechanism)?;
    let Encoded { encoding, max_abs } = sum_encoding(&column.name, &clamp, kind, noise_log2)?;
    let per_row = Rational::from_integer(max_abs);
    let noise_of = |sensitivities: &Sensitivities| {
        noise_for_sensitivities(&share, sensitivities, request.mechanism)
    };
    let sum_noise = noise_of(&count.scaled_per_row(&per_row)?)?;
    let (measures, release, squares) = match kind {
        SumKind::Sum => (
            vec![measure(0, "sum", sum_noise, share)],
            Release::Sum,
            false,
        ),
        SumKind::Average => (
            vec![
                measure(0, "sum", sum_noise, share),
                measure(1, "count", noise_of(&count)?, share),
            ],
            Release::Average,
            false,
        ),
        SumKind::Variance => {
            let squares_noise = noise_of(&count.scaled_per_row(&per_row.checked_square()?)?)?;
            let release = if request.aggregation == Aggregation::Stdev {
                Release::Stdev
            } else {
                Release::Variance
            };
            (
                vec![
                    measure(0, "sum_of_squares", squares_noise, share),
                    measure(1, "sum", sum_noise, share),
                    measure(2, "count", noise_of(&count)?, share),
                ],
                release,
                true,
            )
        }
    };
    let output = match (kind, clamp) {
        (SumKind::Sum, Clamp::Int64 { .. }) => OutputType::Int64,
        _ => OutputType::Float64,
    };
    Ok(MeasurementPlan {
        measures,
        partial: PartialSpec::Moments { encoding, squares },
        release,
        outputs: vec![output],
    })
}

/// q rounded down to a multiple of 2^−32 (it only shapes the utility), after Tumult's check.
fn rounded_quantile(quantile: f64) -> Result<Rational> {
    if !(0.0..=1.0).contains(&quantile) {
        fail!(
            InvalidArgument,
            "Quantile must be between 0 and 1, and not '{quantile:?}'."
        );
    }
    // q·2^32 is exact (a power-of-two scaling of a double in [0, 1]); floor is exact.
    let scaled = (quantile * f64::from(1u32 << 31) * 2.0).floor() as u128;
    Rational::new(scaled, 1u128 << QUANTILE_GRID_BITS)
}

fn plan_quantile(request: &MeasurementRequest) -> Result<MeasurementPlan> {
    let column = measure_column(request)?;
    let Some(quantile) = request.quantile else {
        fail!(Internal, "a quantile request without a quantile");
    };
    let quantile = rounded_quantile(quantile)?;
    if request.mechanism != Mechanism::Default {
        fail!(
            InvalidArgument,
            "A quantile has no noise mechanism to choose: mechanism must be default, got {}.",
            request.mechanism
        );
    }
    let count = request_count_sensitivities(request)?;
    let clamp = clamp_of(column)?;
    let Encoded { encoding, .. } = quantile_encoding(&column.name, &clamp)?;
    let rate = quantile_rate(&request.budget, &count)?;
    Ok(MeasurementPlan {
        measures: vec![measure(0, "quantile", NoiseSpec::NoNoise, request.budget)],
        partial: PartialSpec::Histogram { encoding },
        release: Release::Quantile { quantile, rate },
        outputs: vec![OutputType::Float64],
    })
}

fn plan_get_groups(request: &MeasurementRequest) -> Result<MeasurementPlan> {
    let Budget::ApproxDP { delta, .. } = request.budget else {
        fail!(
            InvalidArgument,
            "GetGroups is only supported with ApproxDPBudgets."
        );
    };
    if request.mechanism == Mechanism::Gaussian {
        // Tumult's text for Gaussian noise under a DP budget.
        noise_for_sensitivities(
            &request.budget,
            &Sensitivities {
                l1: Rational::one(),
                l2_squared: Rational::one(),
            },
            Mechanism::Gaussian,
        )?;
    }
    let count = request_count_sensitivities(request)?;
    let noise = noise_for_sensitivities(&request.budget, &count, Mechanism::Laplace)?;
    let threshold = match noise {
        NoiseSpec::NoNoise => -1,
        NoiseSpec::DiscreteLaplace { scale } => {
            if delta.is_zero() {
                fail!(
                    InvalidArgument,
                    "GetGroups requires a positive delta. The budget provided was {}.",
                    request.budget.describe()
                );
            }
            partition_threshold(&request.budget, &scale, &count.l1)? - 1
        }
        NoiseSpec::DiscreteGaussian { .. } => {
            fail!(Internal, "Gaussian noise planned for get_groups")
        }
    };
    Ok(MeasurementPlan {
        measures: vec![measure(0, "count", noise, request.budget)],
        partial: PartialSpec::Count,
        release: Release::CountAboveThreshold { threshold },
        outputs: vec![OutputType::Int64],
    })
}

fn plan_get_bounds(request: &MeasurementRequest) -> Result<MeasurementPlan> {
    let Some((_, column_type)) = &request.bounds_column else {
        fail!(Internal, "a get_bounds request without a column");
    };
    let count = request_count_sensitivities(request)?;
    plan_bounds(request, *column_type, &count)
}
