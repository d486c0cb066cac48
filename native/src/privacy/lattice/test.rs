//! Bounds checks and encodings by hand: k, shift and R for a few bounds, and each refusal naming its column.
use super::*;
use crate::error::Error;

fn column(column_type: ColumnType, low: Bound, high: Bound) -> MeasureColumn {
    MeasureColumn {
        name: "x".to_string(),
        column_type,
        low,
        high,
    }
}

fn refusal(result: Result<impl std::fmt::Debug>) -> String {
    match result {
        Err(Error::InvalidArgument(message)) => message,
        other => panic!("expected InvalidArgument, got {other:?}"),
    }
}

#[test]
fn bounds_are_checked_as_tumult_checks_them() {
    use Bound::{Double, Integer};
    assert_eq!(
        clamp_of(&column(ColumnType::Int, Integer(-2), Double(5.0))).unwrap(),
        Clamp::Int64 {
            lower: -2,
            upper: 5
        }
    );
    assert_eq!(
        clamp_of(&column(ColumnType::Float, Integer(-2), Double(0.5))).unwrap(),
        Clamp::Float64 {
            lower: -2.0,
            upper: 0.5
        }
    );
    assert_eq!(
        refusal(clamp_of(&column(
            ColumnType::Float,
            Double(2.0),
            Double(1.5)
        ))),
        "Lower bound '2.0' must be less than the upper bound '1.5'."
    );
    assert_eq!(
        refusal(clamp_of(&column(ColumnType::Int, Integer(3), Integer(3)))),
        "Lower bound '3' must be less than the upper bound '3'."
    );
    assert!(refusal(clamp_of(&column(
        ColumnType::Float,
        Double(f64::NAN),
        Double(1.0)
    )))
    .contains("lower bound of column 'x' must be a finite number, got NaN"));
    assert!(refusal(clamp_of(&column(
        ColumnType::Float,
        Double(0.0),
        Double(f64::INFINITY)
    )))
    .contains("upper bound of column 'x' must be a finite number, got inf"));
    assert!(
        refusal(clamp_of(&column(ColumnType::Int, Double(0.5), Integer(3))))
            .contains("lower bound of the integer column 'x' must be an integer")
    );
    assert!(refusal(clamp_of(&column(
        ColumnType::Int,
        Integer(0),
        Double(9.3e18)
    )))
    .contains("upper bound of the integer column 'x'"));
    assert!(refusal(clamp_of(&column(
        ColumnType::Float,
        Integer(0),
        Integer(i64::MAX)
    )))
    .contains("is not exactly a double"));
}

#[test]
fn integer_sums_keep_integers() {
    let clamp = Clamp::Int64 {
        lower: -7,
        upper: 3,
    };
    let sum = sum_encoding("x", &clamp, SumKind::Sum, Some(10)).unwrap();
    assert_eq!(
        sum.encoding,
        ValueEncoding {
            clamp,
            lattice_exponent: 0,
            shift: 0
        }
    );
    assert_eq!(sum.max_abs, 7);
    // Midpoint −2: R = max(|−7+2|, |3+2|) = 5.
    let average = sum_encoding("x", &clamp, SumKind::Average, Some(10)).unwrap();
    assert_eq!((average.encoding.shift, average.max_abs), (-2, 5));
    // (−7 + 4)/2 = −1.5 rounds away from zero to −2: R = max(5, 6) = 6.
    let clamp = Clamp::Int64 {
        lower: -7,
        upper: 4,
    };
    let average = sum_encoding("x", &clamp, SumKind::Average, None).unwrap();
    assert_eq!((average.encoding.shift, average.max_abs), (-2, 6));
}

#[test]
fn float_lattices_follow_the_bounds_and_the_noise() {
    let clamp = Clamp::Float64 {
        lower: -1.5,
        upper: 3.0,
    };
    // ⌊log2 3⌋ = 1; noise 2^−3 < 1 adds nothing: k = 1 − 40.
    let sum = sum_encoding("x", &clamp, SumKind::Sum, Some(-3)).unwrap();
    assert_eq!(sum.encoding.lattice_exponent, -39);
    assert_eq!(sum.max_abs, 3 << 39);
    // Noise 2^10 per row: k = 1 + 10 − 40; R = round(3·2^29) = 3·2^29.
    let sum = sum_encoding("x", &clamp, SumKind::Sum, Some(10)).unwrap();
    assert_eq!((sum.encoding.lattice_exponent, sum.max_abs), (-29, 3 << 29));
    // Average: e(L) = −1.5·2^39, e(U) = 3·2^39, midpoint 0.75·2^39, R = 2.25·2^39.
    let average = sum_encoding("x", &clamp, SumKind::Average, None).unwrap();
    assert_eq!(average.encoding.shift, 3 << 37);
    assert_eq!(average.max_abs, 9 << 37);
    // Variance: 2^20 resolution.
    let variance = sum_encoding("x", &clamp, SumKind::Variance, None).unwrap();
    assert_eq!(variance.encoding.lattice_exponent, -19);
    assert_eq!(variance.max_abs, 9 << 17);
    // Integer variance: k = max(0, ⌊log2 2^40⌋ − 20) = 20.
    let clamp = Clamp::Int64 {
        lower: 0,
        upper: 1 << 40,
    };
    let variance = sum_encoding("x", &clamp, SumKind::Variance, None).unwrap();
    assert_eq!(variance.encoding.lattice_exponent, 20);
    assert_eq!(
        (variance.encoding.shift, variance.max_abs),
        (1 << 19, 1 << 19)
    );
    // Tiny bounds hit the clamp at −127 and still encode.
    let clamp = Clamp::Float64 {
        lower: 0.0,
        upper: 5e-324,
    };
    let tiny = sum_encoding("x", &clamp, SumKind::Sum, None).unwrap();
    assert_eq!((tiny.encoding.lattice_exponent, tiny.max_abs), (-127, 0));
}

#[test]
fn bounds_too_large_for_the_lattice_are_refused() {
    let clamp = Clamp::Int64 {
        lower: i64::MIN,
        upper: 0,
    };
    assert!(refusal(sum_encoding("x", &clamp, SumKind::Sum, None))
        .contains("bounds of column 'x' are too large"));
    let clamp = Clamp::Float64 {
        lower: -1e300,
        upper: 1e300,
    };
    assert!(refusal(sum_encoding("x", &clamp, SumKind::Sum, None)).contains("column 'x'"));
    assert!(refusal(quantile_encoding("x", &clamp)).contains("column 'x'"));
    // 2^100 fits with k = 60.
    let clamp = Clamp::Float64 {
        lower: 0.0,
        upper: 2f64.powi(100),
    };
    assert_eq!(
        sum_encoding("x", &clamp, SumKind::Sum, None)
            .unwrap()
            .encoding
            .lattice_exponent,
        60
    );
}

#[test]
fn quantile_lattices_have_about_a_million_points() {
    let clamp = Clamp::Float64 {
        lower: -1.0,
        upper: 3.0,
    };
    let encoded = quantile_encoding("x", &clamp).unwrap();
    // ⌈log2 4⌉ = 2: k = −18; e(U) − e(L) = 2^20.
    assert_eq!(encoded.encoding.lattice_exponent, -18);
    assert_eq!(encoded.max_abs, 3 << 18);
    let clamp = Clamp::Float64 {
        lower: 1e6,
        upper: 1e6 + 1.0,
    };
    assert_eq!(
        quantile_encoding("x", &clamp)
            .unwrap()
            .encoding
            .lattice_exponent,
        -20
    );
    let clamp = Clamp::Int64 {
        lower: 0,
        upper: 100,
    };
    assert_eq!(
        quantile_encoding("x", &clamp)
            .unwrap()
            .encoding
            .lattice_exponent,
        0
    );
    let clamp = Clamp::Int64 {
        lower: -(1 << 30),
        upper: (1 << 30) + 1,
    };
    // width 2^31 + 1: ⌈log2⌉ = 32, k = 12.
    assert_eq!(
        quantile_encoding("x", &clamp)
            .unwrap()
            .encoding
            .lattice_exponent,
        12
    );
}
