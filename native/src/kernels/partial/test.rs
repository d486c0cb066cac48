use super::*;

#[test]
fn i128_travels_as_hi_lo_pairs() {
    for value in [
        0i128,
        1,
        -1,
        i128::MAX,
        i128::MIN,
        1 << 64,
        -(1 << 64) + 5,
        (1 << 100) + 77,
    ] {
        let (hi, lo) = split_i128(value);
        assert_eq!(join_i128(hi, lo), value);
    }
}

#[test]
fn moments_overflow_is_an_error_naming_the_column() {
    let mut moments = Moments {
        count: 0,
        sum: i128::MAX - 1,
        sum_of_squares: 0,
    };
    let message = moments.add(5, "value_0").unwrap_err().to_string();
    assert!(
        message.contains("value_0") && message.contains("sum"),
        "{message}"
    );
}

#[test]
fn column_names_follow_the_spec() {
    let names: Vec<String> = partial_schema(&PartialSpec::Distinct)
        .fields()
        .iter()
        .map(|f| f.name().clone())
        .collect();
    assert_eq!(names, ["fp", "item_0", "item_1"]);
    assert_eq!(partial_schema(&PartialSpec::Count).fields().len(), 2);
}

#[test]
fn log_bins_count_rows_per_bin_and_drop_null_nan_and_infinities() {
    let spec = PartialSpec::LogBins {
        value: OutputType::Float64,
        lowest: -100,
        highest: 100,
    };
    let mut accumulator = PartialAccumulator::new(&spec).unwrap();
    let float = |v: f64| Some(v.to_bits() as i64);
    for (fp, value) in [
        (Some(2), float(3.0)),
        (Some(2), float(-4.0)),
        (Some(2), float(0.0)),
        (Some(2), None),
        (Some(2), float(f64::NAN)),
        (Some(2), float(f64::INFINITY)),
        (Some(2), float(f64::NEG_INFINITY)),
        (None, float(1e300)),
        (Some(1), float(0.25)),
    ] {
        accumulator.add(fp, &[value]).unwrap();
    }
    let batch = accumulator.finish().unwrap();
    let names: Vec<&str> = batch
        .schema_ref()
        .fields()
        .iter()
        .map(|f| f.name().as_str())
        .collect();
    assert_eq!(names, ["fp", "bin", "count"]);
    let column = |index: usize| -> Vec<Option<i64>> {
        let array = batch
            .column(index)
            .as_any()
            .downcast_ref::<Int64Array>()
            .unwrap();
        array.iter().collect()
    };
    // Sorted by fp (null first), then bin; 3.0 and −4.0 share bin 2; 0.0 is the lowest bin.
    assert_eq!(column(0), [None, Some(1), Some(2), Some(2)]);
    assert_eq!(column(1), [Some(100), Some(-2), Some(-100), Some(2)]);
    assert_eq!(column(2), [Some(1), Some(1), Some(1), Some(2)]);
    assert_eq!(value_columns_needed(&spec), 1);
    assert_eq!(value_0_type(&spec), Some(OutputType::Float64));
}

#[test]
fn integer_log_bins_drop_values_above_two_to_the_62() {
    let spec = PartialSpec::LogBins {
        value: OutputType::Int64,
        lowest: 0,
        highest: 62,
    };
    let mut accumulator = PartialAccumulator::new(&spec).unwrap();
    for value in [i64::MIN, i64::MAX, 1 << 62, 0, -1, 5] {
        accumulator.add(Some(0), &[Some(value)]).unwrap();
    }
    let batch = accumulator.finish().unwrap();
    let bins: Vec<Option<i64>> = batch
        .column(1)
        .as_any()
        .downcast_ref::<Int64Array>()
        .unwrap()
        .iter()
        .collect();
    let counts: Vec<Option<i64>> = batch
        .column(2)
        .as_any()
        .downcast_ref::<Int64Array>()
        .unwrap()
        .iter()
        .collect();
    assert_eq!(bins, [Some(0), Some(3), Some(62)]);
    assert_eq!(counts, [Some(2), Some(1), Some(1)]);
}
