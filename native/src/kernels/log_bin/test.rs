use super::log_bin;
use crate::privacy::plan::OutputType;

fn int_bin(v: i64) -> Option<i32> {
    log_bin(v, OutputType::Int64, 0, 62)
}

fn float_bin(v: f64) -> Option<i32> {
    log_bin(v.to_bits() as i64, OutputType::Float64, -100, 100)
}

#[test]
fn integer_bins_at_boundaries() {
    assert_eq!(int_bin(0), Some(0));
    assert_eq!(int_bin(1), Some(0));
    assert_eq!(int_bin(-1), Some(0));
    assert_eq!(int_bin(2), Some(1));
    assert_eq!(int_bin(-2), Some(1));
    assert_eq!(int_bin(3), Some(2));
    assert_eq!(int_bin(4), Some(2));
    assert_eq!(int_bin(5), Some(3));
    for k in 1..62 {
        let p = 1i64 << k;
        assert_eq!(int_bin(p), Some(k), "2^{k}");
        assert_eq!(int_bin(-p), Some(k), "-2^{k}");
        assert_eq!(int_bin(p - 1), Some(if k == 1 { 0 } else { k }), "2^{k}-1");
        assert_eq!(int_bin(p + 1), Some(k + 1), "2^{k}+1");
        assert_eq!(int_bin(-(p + 1)), Some(k + 1), "-(2^{k}+1)");
    }
    assert_eq!(int_bin(1 << 62), Some(62));
    assert_eq!(int_bin(-(1 << 62)), Some(62));
    // Above 2^62 the bin is 63: beyond Tumult's keys 0..=62, so not counted.
    assert_eq!(int_bin((1 << 62) + 1), None);
    assert_eq!(int_bin(i64::MAX), None);
    assert_eq!(int_bin(i64::MIN), None);
    assert_eq!(int_bin(i64::MIN + 1), None);
}

#[test]
fn float_bins_at_boundaries() {
    assert_eq!(float_bin(0.0), Some(-100));
    assert_eq!(float_bin(-0.0), Some(-100));
    assert_eq!(float_bin(1.0), Some(0));
    assert_eq!(float_bin(-1.0), Some(0));
    assert_eq!(float_bin(0.5), Some(-1));
    assert_eq!(float_bin(0.75), Some(0));
    assert_eq!(float_bin(1.5), Some(1));
    assert_eq!(float_bin(f64::from_bits(1.0f64.to_bits() + 1)), Some(1));
    assert_eq!(float_bin(f64::from_bits(2.0f64.to_bits() - 1)), Some(1));
    for k in -99..100 {
        let p = 2f64.powi(k);
        assert_eq!(float_bin(p), Some(k), "2^{k}");
        assert_eq!(float_bin(-p), Some(k), "-2^{k}");
        assert_eq!(float_bin(f64::from_bits(p.to_bits() + 1)), Some(k + 1));
        assert_eq!(float_bin(f64::from_bits(p.to_bits() - 1)), Some(k));
    }
    // 2^53 + 2: a float log2 rounds to 53; the exact bin is 54.
    assert_eq!(float_bin(9007199254740994.0), Some(54));
    // Clamped to [−100, 100], as Tumult clamps.
    assert_eq!(float_bin(1e-300), Some(-100));
    assert_eq!(float_bin(2f64.powi(-101)), Some(-100));
    assert_eq!(float_bin(2f64.powi(100)), Some(100));
    assert_eq!(float_bin(2f64.powi(100) * 1.5), Some(100));
    assert_eq!(float_bin(1e300), Some(100));
    assert_eq!(float_bin(-f64::MAX), Some(100));
}

#[test]
fn subnormals_and_specials() {
    let min_subnormal = f64::from_bits(1);
    assert_eq!(
        log_bin(1, OutputType::Float64, -1100, 1023),
        Some(-1074),
        "2^-1074"
    );
    assert_eq!(log_bin(3, OutputType::Float64, -1100, 1023), Some(-1072));
    assert_eq!(log_bin(4, OutputType::Float64, -1100, 1023), Some(-1072));
    let largest_subnormal = f64::from_bits((1u64 << 52) - 1);
    assert_eq!(
        log_bin(
            largest_subnormal.to_bits() as i64,
            OutputType::Float64,
            -1100,
            1023
        ),
        Some(-1022)
    );
    assert_eq!(float_bin(min_subnormal), Some(-100));
    assert_eq!(float_bin(-min_subnormal), Some(-100));
    assert_eq!(float_bin(f64::NAN), None);
    assert_eq!(float_bin(f64::INFINITY), None);
    assert_eq!(float_bin(f64::NEG_INFINITY), None);
    // Above CLAMP_HIGHEST the bin is clamped even when the range would hold it.
    assert_eq!(
        log_bin(f64::MAX.to_bits() as i64, OutputType::Float64, -1100, 1023),
        Some(100)
    );
}
