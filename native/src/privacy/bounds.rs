//! The plan of `get_bounds` (COMPILER_INTERFACES.md §5.5): Tumult's `create_bounds_measurement`, a sparse
//! vector over the prefix sums of log-magnitude bins (`SparseVectorPrefixSums`, threshold fraction 0.95).
//!
//! Tumult's rules, read in opendp/tumult-core `measurements/aggregations.py` and `spark_measurements.py`:
//! * bins: i = ⌈log2 |v|⌉ (v = 0: the lowest bin), raised to the lowest bin; bin keys −100..=100 for a
//!   float column and 0..=62 (`range(size − 1)`, size 64) for an integer column, so a row whose bin is above
//!   the highest key is not counted;
//! * noise: threshold ⌊0.95·n⌋ + Geom(α/2), prefix sums + Geom(α), α = 4·d_mid/ε with d_mid the count's L1
//!   (after `UnwrapIfGroupedBy`); privacy `4·d_in/α` = ε (pure DP);
//! * ApproxDP spends ε only (Tumult's visitor replaces δ by 0); RhoZCDP goes through `PureDPToRhoZCDP`
//!   with ε = √(2ρ); an infinite budget means α = 0 (no noise).
use super::calibration::{noise_for_sensitivities, Mechanism, NoiseSpec};
use super::lattice::ColumnType;
use super::measurement::{MeasurementRequest, PlannedMeasure};
use super::plan::{MeasurementPlan, OutputType, PartialSpec, Release};
use super::rational::Rational;
use super::sensitivity::Sensitivities;
use crate::error::Result;
use crate::fail;

#[cfg(test)]
mod test;

/// Tumult's threshold fraction (`threshold=0.95` in its `visit_get_bounds`), exactly.
pub const THRESHOLD_NUMERATOR: u128 = 19;
pub const THRESHOLD_DENOMINATOR: u128 = 20;

/// The bins of a column type: (lowest, highest), Tumult's bin keys.
pub fn log_bin_range(column_type: ColumnType) -> (i32, i32) {
    match column_type {
        ColumnType::Int => (0, 62),
        ColumnType::Float => (-100, 100),
    }
}

/// The plan of a get_bounds request, given the request's count sensitivities.
///
/// # Proof Definition
/// Returns measures 0:"bounds_threshold" (the request's whole budget) and 1:"bounds_prefix" (a zero budget:
/// both draws belong to the one sparse-vector mechanism measure 0 charges), partial `LogBins` of
/// [`log_bin_range`], release `Bounds{19/20}` and two outputs typed as the column. Under an infinite budget
/// both noises are `NoNoise`. Otherwise the threshold noise is discrete Laplace with scale
/// `s₀ ≥ 2·L1/ε` and the prefix noise with scale `s₁ ≥ 4·L1/ε`, where ε is the budget's ε (PureDP,
/// ApproxDP: δ unspent) or a rational lower bound on √(2ρ) (RhoZCDP), each rounded up
/// ([`noise_for_sensitivities`] with the Laplace mechanism on sensitivities 2·L1 and 4·L1).
/// Err(InvalidArgument) for a mechanism other than default (get_bounds has none to choose), a zero budget,
/// or noise too large to draw.
///
/// Relies on: the sparse vector technique with one positive answer over queries of sensitivity Δ (each
/// prefix count changes by at most L1 over all cells together, and so does ⌊0.95·n⌋, which is monotone
/// with the prefix counts) is ε-DP when the threshold gets Laplace noise of scale 2Δ/ε and each query of
/// scale 4Δ/ε (Lyu, Su, Li 2017, Alg. 7 with c = 1, ε₁ = ε₂ = ε/2; Tumult's `SparseVectorPrefixSums`
/// privacy function `4·d_in/α`); discrete Laplace noise of the same scales gives the same guarantee for
/// integer queries; larger scales only lower ε; every ε-DP mechanism is (ε, 0)-DP and (ε²/2)-zCDP.
pub fn plan_bounds(
    request: &MeasurementRequest,
    column_type: ColumnType,
    count: &Sensitivities,
) -> Result<MeasurementPlan> {
    if request.mechanism != Mechanism::Default {
        fail!(
            InvalidArgument,
            "get_bounds has no noise mechanism to choose: mechanism must be default, got {}.",
            request.mechanism
        );
    }
    let laplace_for = |times: u128| -> Result<NoiseSpec> {
        let l1 = count.l1.checked_mul_integer(times)?;
        let sensitivities = Sensitivities {
            l2_squared: l1.checked_square()?,
            l1,
        };
        noise_for_sensitivities(&request.budget, &sensitivities, Mechanism::Laplace)
    };
    let threshold_noise = laplace_for(2)?;
    let prefix_noise = laplace_for(4)?;
    let (lowest, highest) = log_bin_range(column_type);
    let value = match column_type {
        ColumnType::Int => OutputType::Int64,
        ColumnType::Float => OutputType::Float64,
    };
    Ok(MeasurementPlan {
        measures: vec![
            PlannedMeasure {
                index: 0,
                name: "bounds_threshold",
                noise: threshold_noise,
                budget: request.budget,
            },
            PlannedMeasure {
                index: 1,
                name: "bounds_prefix",
                noise: prefix_noise,
                budget: request.budget.zero_like(),
            },
        ],
        partial: PartialSpec::LogBins {
            value,
            lowest,
            highest,
        },
        release: Release::Bounds {
            threshold_fraction: Rational::new(THRESHOLD_NUMERATOR, THRESHOLD_DENOMINATOR)?,
        },
        outputs: vec![value, value],
    })
}
