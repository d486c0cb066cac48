//! The get_bounds release's noise (`kernels::release`, `Release::Bounds`): the distribution of the bin the
//! sparse vector selects, over many cells (each cell its own keyed streams), against the exact distribution
//! implied by a threshold ⌊0.95·n⌋ + DL(α/2) and prefix counts + DL(α) with the planner's α = 4·L1/ε.
//!
//! Each check has significance α = 1e-5 / SUITE_CHECKS (Bonferroni over the whole statistical suite, see
//! `common/mod.rs`): 2 checks. Seeded by default (replay with `SPARKDP_TEST_SEED=<seed>`).
mod common;

use std::sync::Arc;

use arrow::array::AsArray;
use arrow::array::{ArrayRef, Int64Array};
use arrow::datatypes::{DataType, Field, Int64Type, Schema};
use arrow::record_batch::RecordBatch;
use common::*;
use rand_core::RngCore;
use sparkdp::kernels::release::ReleaseState;
use sparkdp::privacy::measurement::plan_measurement;
use sparkdp::privacy::text::parse_measurement_request;
use sparkdp::sample::SecretKey;

/// Cells per check: each gives one selected bin.
const CELLS: usize = 100_000;

/// The selected bins of `CELLS` cells whose merged log-bin counts are `bins` ((bin, count) pairs), planned
/// for an integer column under `budget` with AddOneRow (L1 = 1).
fn selected_bins(seed: u64, budget: &str, bins: &[(i64, i64)]) -> Vec<i64> {
    let request = format!(
        "aggregation=get_bounds\nbudget={budget}\nchange=AddOneRow\nconstraints=\ngroupby=\nmechanism=default\n\
         column=1:x\ncolumn_type=int"
    );
    let plan = plan_measurement(&parse_measurement_request(&request).unwrap()).unwrap();
    let mut key = [0u8; 32];
    seeded_rng(seed).fill_bytes(&mut key);
    let mut state = ReleaseState::new(plan, &SecretKey::from_bytes(&key).unwrap(), 5).unwrap();
    let (mut fps, mut markers, mut bin_column, mut counts) = (vec![], vec![], vec![], vec![]);
    for fp in 0..CELLS as i64 {
        fps.push(Some(fp));
        markers.push(Some(1));
        bin_column.push(None);
        counts.push(None);
        for &(bin, count) in bins {
            fps.push(Some(fp));
            markers.push(None);
            bin_column.push(Some(bin));
            counts.push(Some(count));
        }
    }
    let schema = Arc::new(Schema::new(vec![
        Field::new("fp", DataType::Int64, true),
        Field::new("key_marker", DataType::Int64, true),
        Field::new("bin", DataType::Int64, true),
        Field::new("count", DataType::Int64, true),
    ]));
    let columns: Vec<ArrayRef> = [fps, markers, bin_column, counts]
        .into_iter()
        .map(|values| Arc::new(values.into_iter().collect::<Int64Array>()) as ArrayRef)
        .collect();
    let batch = RecordBatch::try_new(schema.clone(), columns).unwrap();
    state.offer(&schema, &[batch]).unwrap();
    let output = state.finish().unwrap();
    let upper = output.column(2).as_primitive::<Int64Type>();
    (0..output.num_rows())
        .map(|row| i64::from(63 - upper.value(row).leading_zeros() as i32))
        .collect()
}

/// P(Z ≥ m) for Z discrete Laplace with `scale`: q^m/(1+q) for m ≥ 1, else 1 − q^(1−m)/(1+q).
fn tail_at_least(scale: f64, m: i64) -> f64 {
    let q = (-1.0 / scale).exp();
    if m >= 1 {
        q.powi(m as i32) / (1.0 + q)
    } else {
        1.0 - q.powi((1 - m) as i32) / (1.0 + q)
    }
}

/// The exact distribution of the selected bin among 0..=62: threshold T = ⌊19n/20⌋ + Z₀ (Z₀ ~ DL(s₀));
/// bin i passes when P_i + Z_i ≥ T (Z_i ~ DL(s₁) iid); the first passing bin, else 62.
fn reference(bins: &[(i64, i64)], threshold_scale: f64, prefix_scale: f64) -> ReferencePmf {
    let n: i64 = bins.iter().map(|b| b.1).sum();
    let exact_threshold = 19 * n / 20;
    let prefix = |i: i64| -> i64 { bins.iter().filter(|b| b.0 <= i).map(|b| b.1).sum() };
    let z0 = ReferencePmf::discrete_laplace(threshold_scale);
    let mut masses = vec![0.0; 63];
    for (offset, p_z) in z0.masses.iter().enumerate() {
        let threshold = exact_threshold + z0.low + offset as i64;
        let mut none_yet = 1.0;
        for i in 0..=62 {
            let pass = if i == 62 {
                1.0
            } else {
                tail_at_least(prefix_scale, threshold - prefix(i))
            };
            masses[i as usize] += p_z * none_yet * pass;
            none_yet *= 1.0 - pass;
        }
    }
    ReferencePmf {
        low: 0,
        masses,
        mass_below: 0.0,
        mass_above: 0.0,
    }
}

/// All 20 rows in bin 0, ε = 2: α = 2, threshold scale 1. 1 check.
#[test]
fn selected_bin_of_one_full_bin_follows_the_sparse_vector() {
    let seed = run_seed(601);
    let bins = [(0, 20)];
    let samples = selected_bins(seed, "pure:2", &bins);
    assert_fits(
        "get_bounds one bin, eps 2",
        seed,
        &samples,
        &reference(&bins, 1.0, 2.0),
    );
}

/// 10 rows in bin 3 and 10 in bin 5, ε = 1: α = 4, threshold scale 2. 1 check.
#[test]
fn selected_bin_of_two_bins_follows_the_sparse_vector() {
    let seed = run_seed(602);
    let bins = [(3, 10), (5, 10)];
    let samples = selected_bins(seed, "pure:1", &bins);
    assert_fits(
        "get_bounds two bins, eps 1",
        seed,
        &samples,
        &reference(&bins, 2.0, 4.0),
    );
}
