//! Round trips of every plan type's text, the count plan's unchanged text, and refusals naming the text.
use super::*;
use crate::privacy::calibration::NoiseSpec;
use crate::privacy::Budget;

fn q(num: u128, den: u128) -> Rational {
    Rational::new(num, den).unwrap()
}

fn encodings() -> Vec<ValueEncoding> {
    let floats = [
        (-1.5, 2.25),
        (-0.0, 0.0),
        (5e-324, 1e300),
        (-f64::MAX, f64::MAX),
        (0.1, 0.30000000000000004),
    ];
    let mut all: Vec<ValueEncoding> = floats
        .iter()
        .map(|&(lower, upper)| ValueEncoding {
            clamp: Clamp::Float64 { lower, upper },
            lattice_exponent: -127,
            shift: i64::MIN,
        })
        .collect();
    all.push(ValueEncoding {
        clamp: Clamp::Int64 {
            lower: i64::MIN,
            upper: i64::MAX,
        },
        lattice_exponent: 127,
        shift: i64::MAX,
    });
    all.push(ValueEncoding {
        clamp: Clamp::Int64 {
            lower: -3,
            upper: -3,
        },
        lattice_exponent: 0,
        shift: 0,
    });
    all
}

fn partial_specs() -> Vec<PartialSpec> {
    let mut all = vec![PartialSpec::Count, PartialSpec::Distinct];
    for encoding in encodings() {
        all.push(PartialSpec::Moments {
            encoding,
            squares: false,
        });
        all.push(PartialSpec::Moments {
            encoding,
            squares: true,
        });
        all.push(PartialSpec::Histogram { encoding });
    }
    all
}

fn releases() -> Vec<Release> {
    vec![
        Release::Count,
        Release::CountDistinct,
        Release::Sum,
        Release::Average,
        Release::Variance,
        Release::Stdev,
        Release::Quantile {
            quantile: q(1, 2),
            rate: ExtRational::Finite(q(3, 1 << 32)),
        },
        Release::Quantile {
            quantile: Rational::zero(),
            rate: ExtRational::Infinite,
        },
        Release::Quantile {
            quantile: Rational::one(),
            rate: ExtRational::from_integer(7),
        },
        Release::CountAboveThreshold { threshold: -5 },
        Release::CountAboveThreshold {
            threshold: i64::MAX,
        },
    ]
}

fn bits(encoding: &ValueEncoding) -> Option<(u64, u64)> {
    match encoding.clamp {
        Clamp::Float64 { lower, upper } => Some((lower.to_bits(), upper.to_bits())),
        Clamp::Int64 { .. } => None,
    }
}

#[test]
fn partial_specs_round_trip_with_bit_exact_bounds() {
    for spec in partial_specs() {
        let text = format_partial_spec(&spec);
        let parsed = parse_partial_spec(&text).unwrap();
        assert_eq!(parsed, spec, "{text}");
        // -0.0 == 0.0 as f64: compare the bits too.
        if let (
            PartialSpec::Moments { encoding: a, .. } | PartialSpec::Histogram { encoding: a },
            PartialSpec::Moments { encoding: b, .. } | PartialSpec::Histogram { encoding: b },
        ) = (&parsed, &spec)
        {
            assert_eq!(bits(a), bits(b), "{text}");
        }
    }
    assert_eq!(
        format_partial_spec(&PartialSpec::Moments {
            encoding: ValueEncoding {
                clamp: Clamp::Float64 {
                    lower: -1.5,
                    upper: 2.0
                },
                lattice_exponent: -40,
                shift: 3
            },
            squares: true
        }),
        "moments_squares:float:-1.5:2.0:-40:3"
    );
}

#[test]
fn releases_round_trip() {
    for release in releases() {
        let text = format_release(&release);
        assert_eq!(parse_release(&text).unwrap(), release, "{text}");
    }
    assert_eq!(format_release(&releases()[6]), "quantile:1/2:3/4294967296");
}

fn plan_with(partial: PartialSpec, release: Release, outputs: Vec<OutputType>) -> MeasurementPlan {
    MeasurementPlan {
        measures: vec![
            PlannedMeasure {
                index: 0,
                name: "sum",
                noise: NoiseSpec::DiscreteLaplace { scale: q(7, 2) },
                budget: Budget::PureDP {
                    epsilon: ExtRational::Finite(q(1, 2)),
                },
            },
            PlannedMeasure {
                index: 1,
                name: "count",
                noise: NoiseSpec::NoNoise,
                budget: Budget::ApproxDP {
                    epsilon: ExtRational::Infinite,
                    delta: ExtRational::Finite(q(1, 2)),
                },
            },
        ],
        partial,
        release,
        outputs,
    }
}

#[test]
fn measurement_plans_round_trip() {
    for partial in partial_specs() {
        for release in releases() {
            for outputs in [
                vec![OutputType::Int64],
                vec![OutputType::Float64, OutputType::Int64],
            ] {
                let plan = plan_with(partial, release, outputs);
                let text = format_measurement_plan(&plan);
                assert_eq!(parse_measurement_plan(&text).unwrap(), plan, "{text}");
            }
        }
    }
}

#[test]
fn the_count_plan_text_has_only_its_measure_lines() {
    let count = plan_with(PartialSpec::Count, Release::Count, vec![OutputType::Int64]);
    let text = format_measurement_plan(&count);
    assert_eq!(
        text,
        "measure=0:sum;noise=laplace:7/2;budget=pure:1/2\nmeasure=1:count;noise=none;budget=approx:inf:1/2"
    );
    assert_eq!(parse_measurement_plan(&text).unwrap(), count);
}

#[test]
fn a_sum_plan_prints_every_line() {
    let encoding = ValueEncoding {
        clamp: Clamp::Int64 {
            lower: -2,
            upper: 5,
        },
        lattice_exponent: 0,
        shift: 0,
    };
    let plan = plan_with(
        PartialSpec::Moments {
            encoding,
            squares: false,
        },
        Release::Sum,
        vec![OutputType::Int64],
    );
    assert_eq!(
        format_measurement_plan(&plan),
        "measure=0:sum;noise=laplace:7/2;budget=pure:1/2\n\
         measure=1:count;noise=none;budget=approx:inf:1/2\n\
         partial=moments:int:-2:5:0:0\n\
         partial_columns=5:count;6:sum_hi;6:sum_lo\n\
         outputs=bigint\n\
         release=sum"
    );
}

fn invalid_naming(result: Result<impl std::fmt::Debug>, needle: &str) {
    match result {
        Err(Error::InvalidArgument(message)) => {
            assert!(
                message.contains(needle),
                "'{message}' does not name '{needle}'"
            )
        }
        other => panic!("expected InvalidArgument naming '{needle}', got {other:?}"),
    }
}

#[test]
fn bad_text_is_refused_naming_it() {
    for bad in [
        "moments",
        "moments:",
        "moments:int:1:2:0",
        "moments:int:2:1:0:0",
        "moments:int:+1:2:0:0",
        "moments:float:NaN:1.0:0:0",
        "moments:float:0.0:inf:0:0",
        "histogram:decimal:1:2:0:0",
        "moments:int:1:2:0:99999999999999999999",
        "sums",
    ] {
        invalid_naming(parse_partial_spec(bad), bad);
    }
    for bad in [
        "quantile:3/2:1",
        "quantile:1/2",
        "quantile:x:1",
        "count_above_threshold:",
        "count_above_threshold:1.5",
        "median",
    ] {
        invalid_naming(parse_release(bad), bad);
    }
    let good = format_measurement_plan(&plan_with(
        PartialSpec::Distinct,
        Release::CountDistinct,
        vec![OutputType::Int64],
    ));
    invalid_naming(parse_measurement_plan(""), "no measure= line");
    invalid_naming(
        parse_measurement_plan("measure=0:median;noise=none;budget=pure:1"),
        "median",
    );
    invalid_naming(
        parse_measurement_plan("measure=x:count;noise=none;budget=pure:1"),
        "x:count",
    );
    invalid_naming(
        parse_measurement_plan(&good.replace("item_1", "item_2")),
        "6:item_0;6:item_2",
    );
    invalid_naming(
        parse_measurement_plan(&good.replace("outputs=bigint", "outputs=int")),
        "int",
    );
    invalid_naming(
        parse_measurement_plan(&good.replace("\nrelease=count_distinct", "")),
        "release=",
    );
    invalid_naming(
        parse_measurement_plan(&format!("{good}\nrelease=sum")),
        "release=sum",
    );
    invalid_naming(
        parse_measurement_plan(&good.replace("partial=", "release=")),
        "release=distinct",
    );
}

#[test]
fn partial_columns_are_the_kernels_names() {
    let encoding = encodings()[0];
    assert_eq!(partial_columns(&PartialSpec::Count), ["count"]);
    assert_eq!(
        partial_columns(&PartialSpec::Moments {
            encoding,
            squares: false
        }),
        ["count", "sum_hi", "sum_lo"]
    );
    assert_eq!(
        partial_columns(&PartialSpec::Moments {
            encoding,
            squares: true
        }),
        ["count", "sum_hi", "sum_lo", "sumsq_hi", "sumsq_lo"]
    );
    assert_eq!(
        partial_columns(&PartialSpec::Histogram { encoding }),
        ["bin", "count"]
    );
    assert_eq!(
        partial_columns(&PartialSpec::Distinct),
        ["item_0", "item_1"]
    );
}
