use std::collections::BTreeMap;

use arrow::array::Float64Array;
use arrow::datatypes::Float64Type;
use rand_chacha::ChaCha8Rng;
use rand_core::{RngCore, SeedableRng};

use super::*;
use crate::error::Error;
use crate::kernels::partial::split_i128;
use crate::privacy::measurement::PlannedMeasure;
use crate::privacy::plan::{Clamp, ValueEncoding};
use crate::privacy::{Budget, ExtRational, Rational};

fn secret() -> SecretKey {
    SecretKey::from_bytes(&[7u8; 32]).unwrap()
}

fn laplace(scale: u128) -> NoiseSpec {
    NoiseSpec::DiscreteLaplace {
        scale: Rational::from_integer(scale),
    }
}

fn plan(
    partial: PartialSpec,
    release: Release,
    outputs: Vec<OutputType>,
    noises: &[NoiseSpec],
) -> MeasurementPlan {
    let names = ["sum_of_squares", "sum", "count"];
    MeasurementPlan {
        measures: noises
            .iter()
            .enumerate()
            .map(|(index, noise)| PlannedMeasure {
                index: index as u64,
                name: if noises.len() == 1 {
                    "count"
                } else {
                    names[3 - noises.len() + index]
                },
                noise: *noise,
                budget: Budget::PureDP {
                    epsilon: ExtRational::Infinite,
                },
            })
            .collect(),
        partial,
        release,
        outputs,
    }
}

/// One input row: (fp, key_marker, partial values).
type InputRow = (Option<i64>, Option<i64>, Vec<Option<i64>>);

fn marker(fp: i64) -> InputRow {
    (Some(fp), Some(1), Vec::new())
}

fn input_batch(spec: &PartialSpec, rows: &[InputRow]) -> RecordBatch {
    let names = partial_columns(spec);
    let mut fields = vec![
        Field::new(FP_COLUMN, DataType::Int64, true),
        Field::new(KEY_MARKER_COLUMN, DataType::Int64, true),
    ];
    let mut columns: Vec<ArrayRef> = vec![
        Arc::new(rows.iter().map(|r| r.0).collect::<Int64Array>()),
        Arc::new(rows.iter().map(|r| r.1).collect::<Int64Array>()),
    ];
    for (index, name) in names.iter().enumerate() {
        fields.push(Field::new(*name, DataType::Int64, true));
        columns.push(Arc::new(
            rows.iter()
                .map(|r| r.2.get(index).copied().flatten())
                .collect::<Int64Array>(),
        ));
    }
    RecordBatch::try_new(Arc::new(Schema::new(fields)), columns).unwrap()
}

fn try_release(plan: &MeasurementPlan, batches: &[Vec<InputRow>]) -> Result<RecordBatch> {
    let mut state = ReleaseState::new(plan.clone(), &secret(), 3)?;
    for rows in batches {
        let batch = input_batch(&plan.partial, rows);
        state.offer(&batch.schema(), &[batch])?;
    }
    state.finish()
}

fn int_rows(output: &RecordBatch) -> Vec<(Option<i64>, i64)> {
    let fps = output.column(0).as_primitive::<Int64Type>();
    let values = output.column(1).as_primitive::<Int64Type>();
    (0..output.num_rows())
        .map(|row| (fps.is_valid(row).then(|| fps.value(row)), values.value(row)))
        .collect()
}

fn float_rows(output: &RecordBatch) -> Vec<(Option<i64>, f64)> {
    let fps = output.column(0).as_primitive::<Int64Type>();
    let values = output.column(1).as_primitive::<Float64Type>();
    (0..output.num_rows())
        .map(|row| (fps.is_valid(row).then(|| fps.value(row)), values.value(row)))
        .collect()
}

fn count_row(fp: Option<i64>, count: i64) -> InputRow {
    (fp, None, vec![Some(count)])
}

#[test]
fn counts_are_merged_per_marked_fp_in_ascending_order_null_first() {
    let count_plan = plan(
        PartialSpec::Count,
        Release::Count,
        vec![OutputType::Int64],
        &[NoiseSpec::NoNoise],
    );
    let rows = vec![
        marker(5),
        count_row(Some(1), 2),
        (None, Some(1), Vec::new()),
        count_row(Some(7), 9), // no marker: never released
        marker(1),
        count_row(Some(1), 3),
        count_row(None, 4),
        marker(2),
        count_row(Some(2), 1),
    ];
    let expected = vec![(None, 4), (Some(1), 5), (Some(2), 1), (Some(5), 0)];
    let output = try_release(&count_plan, std::slice::from_ref(&rows)).unwrap();
    assert_eq!(output.schema(), output_schema(&[OutputType::Int64]));
    assert_eq!(int_rows(&output), expected);
    // Any row and batch order gives the same rows.
    let mut rng = ChaCha8Rng::seed_from_u64(4);
    for _ in 0..20 {
        let mut shuffled = rows.clone();
        for index in (1..shuffled.len()).rev() {
            shuffled.swap(index, rng.next_u32() as usize % (index + 1));
        }
        let split = rng.next_u32() as usize % shuffled.len();
        let batches = vec![shuffled[..split].to_vec(), shuffled[split..].to_vec()];
        assert_eq!(
            int_rows(&try_release(&count_plan, &batches).unwrap()),
            expected
        );
    }
}

#[test]
fn measure_0_noise_is_the_count_path_noise_of_the_same_cell() {
    let noise = laplace(3);
    let count_plan = plan(
        PartialSpec::Count,
        Release::Count,
        vec![OutputType::Int64],
        &[noise],
    );
    let fps: Vec<i64> = (0..40).map(|fp| fp * 1_000_003 - 7).collect();
    let mut rows: Vec<InputRow> = fps.iter().map(|&fp| marker(fp)).collect();
    rows.extend(fps.iter().map(|&fp| count_row(Some(fp), 100)));
    let released = int_rows(&try_release(&count_plan, &[rows]).unwrap());
    // addNoise on (key = fp, value = 100) with the same secret and query index.
    let schema = Arc::new(Schema::new(vec![
        Field::new("key", DataType::Int64, false),
        Field::new("value", DataType::Int64, false),
    ]));
    let batch = RecordBatch::try_new(
        schema.clone(),
        vec![
            Arc::new(Int64Array::from(fps.clone())),
            Arc::new(Int64Array::from(vec![100i64; fps.len()])),
        ],
    )
    .unwrap();
    let noisy = crate::kernels::add_noise(&schema, &[batch], &secret(), 3, &noise).unwrap();
    let count_path: Vec<i64> = noisy[0]
        .column(1)
        .as_primitive::<Int64Type>()
        .values()
        .to_vec();
    let release_path: Vec<i64> = released.iter().map(|(_, v)| *v).collect();
    assert_eq!(release_path, count_path);
    assert!(release_path.iter().any(|&v| v != 100), "no noise drawn");
}

#[test]
fn measures_of_one_cell_draw_from_separate_streams() {
    // Average with two noisy measures: measure 1's noise must differ from measure 0's stream.
    let encoding = ValueEncoding {
        clamp: Clamp::Int64 {
            lower: 0,
            upper: 1000,
        },
        lattice_exponent: 0,
        shift: 0,
    };
    let spec = PartialSpec::Moments {
        encoding,
        squares: false,
    };
    let sums = plan(spec, Release::Sum, vec![OutputType::Int64], &[laplace(5)]);
    let mut state = ReleaseState::new(sums, &secret(), 3).unwrap();
    let streams_a = state.streams(Some(11));
    state.measure_keys.push((
        secret().measure_query_key(3, 1),
        secret().measure_query_key(3, 1),
    ));
    let streams_b = state.streams(Some(11));
    let mut first = streams_a[0].clone();
    let mut second = streams_b[1].clone();
    assert_ne!(first.next_u64(), second.next_u64());
    let mut null_stream = state.streams(None)[0].clone();
    let mut zero_stream = state.streams(Some(0))[0].clone();
    assert_ne!(null_stream.next_u64(), zero_stream.next_u64());
}

fn moments_row(fp: i64, values: &[i64]) -> InputRow {
    let count = values.len() as i64;
    let sum: i128 = values.iter().map(|&v| i128::from(v)).sum();
    let squares: i128 = values.iter().map(|&v| i128::from(v) * i128::from(v)).sum();
    let (sum_hi, sum_lo) = split_i128(sum);
    let (sq_hi, sq_lo) = split_i128(squares);
    (
        Some(fp),
        None,
        vec![
            Some(count),
            Some(sum_hi),
            Some(sum_lo),
            Some(sq_hi),
            Some(sq_lo),
        ],
    )
}

fn float_encoding(shift: i64) -> ValueEncoding {
    ValueEncoding {
        clamp: Clamp::Float64 {
            lower: -2.0,
            upper: 6.0,
        },
        lattice_exponent: -2,
        shift,
    }
}

#[test]
fn sums_averages_variances_and_stdevs_follow_tumults_formulas_without_noise() {
    // Values 1.0, 2.5, 4.25 on the quarter lattice shifted by 8 (2.0): e = -4, 2, 9.
    let encoding = float_encoding(8);
    let squares = PartialSpec::Moments {
        encoding,
        squares: true,
    };
    let e = [-4i64, 2, 9];
    let rows = vec![
        marker(1),
        moments_row(1, &e[..1]),
        moments_row(1, &e[1..]),
        marker(2),
        moments_row(2, &[3]),
    ];
    let none3 = [NoiseSpec::NoNoise; 3];
    let average_plan = plan(
        PartialSpec::Moments {
            encoding,
            squares: false,
        },
        Release::Average,
        vec![OutputType::Float64],
        &none3[..2],
    );
    let average_rows: Vec<InputRow> = rows
        .iter()
        .map(|r| (r.0, r.1, r.2.iter().take(3).copied().collect()))
        .collect();
    let averages = float_rows(&try_release(&average_plan, &[average_rows]).unwrap());
    assert_eq!(
        averages,
        vec![(Some(1), (1.0 + 2.5 + 4.25) / 3.0), (Some(2), 2.75)]
    );
    let variance = plan(
        squares,
        Release::Variance,
        vec![OutputType::Float64],
        &none3,
    );
    let variances = float_rows(&try_release(&variance, std::slice::from_ref(&rows)).unwrap());
    let mean = (1.0 + 2.5 + 4.25) / 3.0;
    let sample_variance =
        ((1.0f64 - mean).powi(2) + (2.5f64 - mean).powi(2) + (4.25f64 - mean).powi(2)) / 2.0;
    assert!(
        (variances[0].1 - sample_variance).abs() < 1e-12,
        "{variances:?}"
    );
    assert!(variances[1].1.is_nan(), "one row: NaN as Tumult");
    let stdev = plan(squares, Release::Stdev, vec![OutputType::Float64], &none3);
    let stdevs = float_rows(&try_release(&stdev, std::slice::from_ref(&rows)).unwrap());
    assert!((stdevs[0].1 - sample_variance.sqrt()).abs() < 1e-12);
    assert!(stdevs[1].1.is_nan());
    // A float sum: the lattice total times 2^-2 (unshifted encoding).
    let sum_encoding = float_encoding(0);
    let sum_plan = plan(
        PartialSpec::Moments {
            encoding: sum_encoding,
            squares: false,
        },
        Release::Sum,
        vec![OutputType::Float64],
        &none3[..1],
    );
    let sum_rows = vec![marker(4), (Some(4), None, vec![Some(2), Some(0), Some(13)])];
    assert_eq!(
        float_rows(&try_release(&sum_plan, &[sum_rows]).unwrap()),
        vec![(Some(4), 3.25)]
    );
}

fn moments_cell(count: i64, sum: i128, sum_of_squares: i128) -> Cell {
    Cell {
        marked: true,
        moments: Moments {
            count,
            sum,
            sum_of_squares,
        },
        ..Cell::default()
    }
}

#[test]
fn post_processing_edges_match_tumult() {
    let encoding = float_encoding(8);
    let none = [NoiseSpec::NoNoise; 3];
    let average = plan(
        PartialSpec::Moments {
            encoding,
            squares: false,
        },
        Release::Average,
        vec![OutputType::Float64],
        &none[..2],
    );
    let release = |plan: &MeasurementPlan, cell: &Cell| {
        let state = ReleaseState::new(plan.clone(), &secret(), 0).unwrap();
        let mut streams = state.streams(Some(1));
        postprocess::release_cell(plan, cell, &mut streams)
            .unwrap()
            .unwrap()[0]
    };
    // A noisy count <= 0 divides by 1 (Tumult's max(1, count)); the result is not clamped.
    assert_eq!(
        release(&average, &moments_cell(0, 0, 0)),
        Released::Float64(2.0)
    );
    assert_eq!(
        release(&average, &moments_cell(-3, 40, 0)),
        Released::Float64((40.0 + 8.0) / 4.0)
    );
    assert_eq!(
        release(&average, &moments_cell(1, 400, 0)),
        Released::Float64(102.0)
    );
    let squares = PartialSpec::Moments {
        encoding,
        squares: true,
    };
    let variance = plan(squares, Release::Variance, vec![OutputType::Float64], &none);
    // Negative: 0. Above ((upper - lower)/2)^2 = 16: 16.
    assert_eq!(
        release(&variance, &moments_cell(5, 100, 0)),
        Released::Float64(0.0)
    );
    assert_eq!(
        release(&variance, &moments_cell(2, 0, 100_000)),
        Released::Float64(16.0)
    );
    let Released::Float64(nan) = release(&variance, &moments_cell(-2, 0, 5)) else {
        panic!()
    };
    assert!(nan.is_nan());
    let stdev = plan(squares, Release::Stdev, vec![OutputType::Float64], &none);
    assert_eq!(
        release(&stdev, &moments_cell(2, 0, 100_000)),
        Released::Float64(4.0)
    );
}

#[test]
fn bigint_sums_saturate_at_the_int64_range_instead_of_failing() {
    // Three rows clamped to the largest planned bound 2^62 - 1 sum to more than i64::MAX (issue 12: a
    // clamped sum never overflows into an exception, with Spark's ANSI mode on or off).
    let bound = (1i128 << 62) - 1;
    let encoding = ValueEncoding {
        clamp: Clamp::Int64 {
            lower: -(bound as i64),
            upper: bound as i64,
        },
        lattice_exponent: 0,
        shift: 0,
    };
    let spec = PartialSpec::Moments {
        encoding,
        squares: false,
    };
    let release = |plan: &MeasurementPlan, sum: i128| {
        let state = ReleaseState::new(plan.clone(), &secret(), 0).unwrap();
        let mut streams = state.streams(Some(1));
        postprocess::release_cell(plan, &moments_cell(3, sum, 0), &mut streams)
            .unwrap()
            .unwrap()[0]
    };
    let exact = plan(
        spec,
        Release::Sum,
        vec![OutputType::Int64],
        &[NoiseSpec::NoNoise],
    );
    assert_eq!(release(&exact, 3 * bound), Released::Int64(i64::MAX));
    assert_eq!(release(&exact, -3 * bound), Released::Int64(i64::MIN));
    assert_eq!(
        release(&exact, 2 * bound),
        Released::Int64((2 * bound) as i64)
    );
    let noisy = plan(
        spec,
        Release::Sum,
        vec![OutputType::Int64],
        &[laplace(1 << 40)],
    );
    assert_eq!(release(&noisy, 3 * bound), Released::Int64(i64::MAX));
}

#[test]
fn quantiles_draw_from_the_histogram() {
    let encoding = float_encoding(8);
    let spec = PartialSpec::Histogram { encoding };
    let median = Rational::new(1 << 31, 1 << 32).unwrap();
    let exact = plan(
        spec,
        Release::Quantile {
            quantile: median,
            rate: ExtRational::Infinite,
        },
        vec![OutputType::Float64],
        &[NoiseSpec::NoNoise],
    );
    // Values 0.5, 1.0, 1.0, 5.0 (e = 2-8, 4-8, 20-8), q·n = 2: ranks 1 on [0.5, 1.0) and 3 from 1.0 are
    // equally far from 2, so the smallest best point is 0.5.
    let rows = vec![
        marker(3),
        (Some(3), None, vec![Some(-6), Some(1)]),
        (Some(3), None, vec![Some(-4), Some(2)]),
        (Some(3), None, vec![Some(12), Some(1)]),
        marker(4),
    ];
    let output = float_rows(&try_release(&exact, std::slice::from_ref(&rows)).unwrap());
    // The empty cell at infinite rate: the lower bound.
    assert_eq!(output, vec![(Some(3), 0.5), (Some(4), -2.0)]);
    let noisy = plan(
        spec,
        Release::Quantile {
            quantile: median,
            rate: ExtRational::Finite(Rational::new(1, 2).unwrap()),
        },
        vec![OutputType::Float64],
        &[NoiseSpec::NoNoise],
    );
    let first = float_rows(&try_release(&noisy, std::slice::from_ref(&rows)).unwrap());
    assert_eq!(
        first,
        float_rows(&try_release(&noisy, &[rows]).unwrap()),
        "keyed: reproducible"
    );
    for (_, value) in first {
        assert!(
            (-2.0..=6.0).contains(&value) && (value * 4.0).fract() == 0.0,
            "{value}"
        );
    }
}

#[test]
fn count_distinct_and_get_groups() {
    let distinct = plan(
        PartialSpec::Distinct,
        Release::CountDistinct,
        vec![OutputType::Int64],
        &[NoiseSpec::NoNoise],
    );
    let rows = vec![
        marker(1),
        (Some(1), None, vec![Some(1), Some(2)]),
        (Some(1), None, vec![Some(1), Some(2)]),
        (Some(1), None, vec![Some(2), Some(1)]),
    ];
    assert_eq!(
        int_rows(&try_release(&distinct, &[rows]).unwrap()),
        vec![(Some(1), 2)]
    );
    let groups = plan(
        PartialSpec::Count,
        Release::CountAboveThreshold { threshold: 5 },
        vec![OutputType::Int64],
        &[NoiseSpec::NoNoise],
    );
    let rows = vec![
        count_row(Some(1), 3),
        count_row(Some(2), 4),
        count_row(Some(2), 6),
        count_row(None, 5),
    ];
    assert_eq!(
        int_rows(&try_release(&groups, &[rows]).unwrap()),
        vec![(Some(2), 10)]
    );
    let message = try_release(&groups, &[vec![marker(1)]]).unwrap_err();
    assert!(matches!(message, Error::Internal(_)), "{message}");
}

#[test]
fn bad_input_is_an_error_naming_what_is_wrong() {
    let count_plan = plan(
        PartialSpec::Count,
        Release::Count,
        vec![OutputType::Int64],
        &[NoiseSpec::NoNoise],
    );
    let message = try_release(&count_plan, &[vec![marker(1), marker(1)]]).unwrap_err();
    assert!(
        matches!(&message, Error::Internal(m) if m.contains("twice")),
        "{message}"
    );
    let message = try_release(
        &count_plan,
        &[vec![count_row(Some(1), 1), (Some(1), None, vec![None])]],
    )
    .unwrap_err()
    .to_string();
    assert!(
        message.contains("'count'") && message.contains("null"),
        "{message}"
    );
    // A merged total beyond Int64 is no error: the bigint output saturates (post-processing).
    let saturated = try_release(
        &count_plan,
        &[vec![
            marker(1),
            count_row(Some(1), i64::MAX),
            count_row(Some(1), 1),
        ]],
    )
    .unwrap();
    assert_eq!(int_rows(&saturated), vec![(Some(1), i64::MAX)]);
    // Wrong columns: a histogram batch for a count plan.
    let mut state = ReleaseState::new(count_plan.clone(), &secret(), 0).unwrap();
    let batch = input_batch(
        &PartialSpec::Histogram {
            encoding: float_encoding(0),
        },
        &[marker(1)],
    );
    let message = state
        .offer(&batch.schema(), &[batch])
        .unwrap_err()
        .to_string();
    assert!(message.contains("bin"), "{message}");
    // A plan whose release does not fit its partial.
    let bad = plan(
        PartialSpec::Distinct,
        Release::Count,
        vec![OutputType::Int64],
        &[NoiseSpec::NoNoise],
    );
    assert!(matches!(
        ReleaseState::new(bad, &secret(), 0),
        Err(Error::InvalidArgument(_))
    ));
    let shifted_sum = plan(
        PartialSpec::Moments {
            encoding: float_encoding(3),
            squares: false,
        },
        Release::Sum,
        vec![OutputType::Float64],
        &[NoiseSpec::NoNoise],
    );
    assert!(ReleaseState::new(shifted_sum, &secret(), 0).is_err());
}

#[test]
fn registry_handles_are_keys_and_close_is_idempotent() {
    let count_plan = plan(
        PartialSpec::Count,
        Release::Count,
        vec![OutputType::Int64],
        &[NoiseSpec::NoNoise],
    );
    let handle =
        registry::open(ReleaseState::new(count_plan.clone(), &secret(), 0).unwrap()).unwrap();
    let batch = input_batch(&PartialSpec::Count, &[marker(1), count_row(Some(1), 2)]);
    registry::with_state(handle, |state| {
        state.offer(&batch.schema(), std::slice::from_ref(&batch))
    })
    .unwrap();
    assert_eq!(
        int_rows(&registry::finish(handle).unwrap()),
        vec![(Some(1), 2)]
    );
    assert!(!registry::is_open(handle));
    let message = registry::finish(handle).unwrap_err().to_string();
    assert!(message.contains("unknown release handle"), "{message}");
    let handle = registry::open(ReleaseState::new(count_plan, &secret(), 0).unwrap()).unwrap();
    registry::close(handle);
    registry::close(handle);
    assert!(!registry::is_open(handle));
    let _ = BTreeMap::<i64, i64>::new();
    let _ = Float64Array::from(vec![0.0]);
}

fn bounds_plan(
    value: OutputType,
    lowest: i32,
    highest: i32,
    noises: [NoiseSpec; 2],
) -> MeasurementPlan {
    MeasurementPlan {
        measures: ["bounds_threshold", "bounds_prefix"]
            .iter()
            .zip(noises)
            .enumerate()
            .map(|(index, (name, noise))| PlannedMeasure {
                index: index as u64,
                name,
                noise,
                budget: Budget::PureDP {
                    epsilon: ExtRational::from_integer(1),
                },
            })
            .collect(),
        partial: PartialSpec::LogBins {
            value,
            lowest,
            highest,
        },
        release: Release::Bounds {
            threshold_fraction: Rational::new(19, 20).unwrap(),
        },
        outputs: vec![value, value],
    }
}

fn bin_row(fp: i64, bin: i64, count: i64) -> InputRow {
    (Some(fp), None, vec![Some(bin), Some(count)])
}

fn pair_rows(output: &RecordBatch) -> Vec<(Option<i64>, i64, i64)> {
    let fps = output.column(0).as_primitive::<Int64Type>();
    let lower = output.column(1).as_primitive::<Int64Type>();
    let upper = output.column(2).as_primitive::<Int64Type>();
    (0..output.num_rows())
        .map(|row| {
            (
                fps.is_valid(row).then(|| fps.value(row)),
                lower.value(row),
                upper.value(row),
            )
        })
        .collect()
}

#[test]
fn bounds_without_noise_are_the_first_bin_reaching_95_percent() {
    let exact = bounds_plan(
        OutputType::Int64,
        0,
        62,
        [NoiseSpec::NoNoise, NoiseSpec::NoNoise],
    );
    // fp 1: 19 rows in bin 3, 1 in bin 10: ⌊0.95·20⌋ = 19 is reached at bin 3. fp 2: 18 + 2: bin 10.
    // fp 3: no rows: the threshold 0 is reached at the lowest bin. Partials split over two batches merge.
    let rows = vec![
        marker(1),
        bin_row(1, 3, 10),
        bin_row(1, 10, 1),
        marker(2),
        bin_row(2, 3, 18),
        bin_row(2, 10, 2),
        marker(3),
        bin_row(9, 5, 1),
    ];
    let output = try_release(&exact, &[rows, vec![bin_row(1, 3, 9)]]).unwrap();
    assert_eq!(
        pair_rows(&output),
        vec![(Some(1), -8, 8), (Some(2), -1024, 1024), (Some(3), -1, 1)]
    );
    // Float columns: bins −100..=100, doubles.
    let exact = bounds_plan(
        OutputType::Float64,
        -100,
        100,
        [NoiseSpec::NoNoise, NoiseSpec::NoNoise],
    );
    let output = try_release(&exact, &[vec![marker(4), bin_row(4, -3, 20), marker(5)]]).unwrap();
    let lower = output.column(1).as_primitive::<Float64Type>();
    let upper = output.column(2).as_primitive::<Float64Type>();
    assert_eq!((lower.value(0), upper.value(0)), (-0.125, 0.125));
    assert_eq!(upper.value(1), 2f64.powi(-100));
}

#[test]
fn bounds_noise_comes_from_the_documented_streams() {
    let noises = [laplace(1), laplace(2)];
    let noisy = bounds_plan(OutputType::Int64, 0, 62, noises);
    let rows = vec![
        marker(7),
        bin_row(7, 4, 30),
        bin_row(7, 9, 10),
        marker(-3),
        bin_row(-3, 0, 5),
    ];
    let output = pair_rows(&try_release(&noisy, std::slice::from_ref(&rows)).unwrap());
    // Re-evaluation (same secret, query, fps) gives the same bounds, in any batch split.
    let (first, second) = rows.split_at(2);
    assert_eq!(
        output,
        pair_rows(&try_release(&noisy, &[second.to_vec(), first.to_vec()]).unwrap())
    );
    // By hand: threshold noise = the first draw of (query 3, measure 0, fp); bin i's = the i-th draw of
    // (query 3, measure 1, fp), from bin 0.
    for (fp, bins) in [(7i64, vec![(4i64, 30u64), (9, 10)]), (-3, vec![(0, 5)])] {
        let mut threshold_stream = secret().measure_query_key(3, 0).cell_rng(fp);
        let mut prefix_stream = secret().measure_query_key(3, 1).cell_rng(fp);
        let n: u64 = bins.iter().map(|b| b.1).sum();
        let threshold = i128::from(19 * n / 20)
            + i128::from(draw_noise(&mut threshold_stream, &noises[0]).unwrap());
        let mut expected = 62;
        for bin in 0..=62i64 {
            let prefix: u64 = bins.iter().filter(|b| b.0 <= bin).map(|b| b.1).sum();
            if i128::from(prefix) + i128::from(draw_noise(&mut prefix_stream, &noises[1]).unwrap())
                >= threshold
            {
                expected = bin;
                break;
            }
        }
        let row = output.iter().find(|r| r.0 == Some(fp)).unwrap();
        assert_eq!(
            (row.1, row.2),
            (-(1i64 << expected), 1i64 << expected),
            "fp {fp}"
        );
    }
}

#[test]
fn bounds_plans_and_partials_that_do_not_fit_are_refused() {
    let mut plan = bounds_plan(
        OutputType::Int64,
        0,
        62,
        [NoiseSpec::NoNoise, NoiseSpec::NoNoise],
    );
    plan.outputs = vec![OutputType::Int64];
    assert!(ReleaseState::new(plan, &secret(), 0).is_err());
    let mut plan = bounds_plan(
        OutputType::Int64,
        0,
        62,
        [NoiseSpec::NoNoise, NoiseSpec::NoNoise],
    );
    plan.outputs = vec![OutputType::Float64, OutputType::Float64];
    assert!(ReleaseState::new(plan, &secret(), 0).is_err());
    let mut plan = bounds_plan(
        OutputType::Int64,
        0,
        62,
        [NoiseSpec::NoNoise, NoiseSpec::NoNoise],
    );
    plan.measures.pop();
    assert!(ReleaseState::new(plan, &secret(), 0).is_err());
    // A bin outside the plan's range is an error naming it.
    let exact = bounds_plan(
        OutputType::Int64,
        0,
        62,
        [NoiseSpec::NoNoise, NoiseSpec::NoNoise],
    );
    let error = try_release(&exact, &[vec![marker(1), bin_row(1, 63, 1)]]).unwrap_err();
    assert!(error.to_string().contains("log bin 63"), "{error}");
}
