use rand_chacha::ChaCha8Rng;
use rand_core::{RngCore, SeedableRng};

use super::*;
use crate::privacy::plan::{Clamp, ValueEncoding};

fn float_encoding(lower: f64, upper: f64, k: i32, shift: i64) -> ValueEncoding {
    ValueEncoding {
        clamp: Clamp::Float64 { lower, upper },
        lattice_exponent: k,
        shift,
    }
}

fn encode_float(encoding: &ValueEncoding, value: f64) -> Option<i64> {
    encode_value(encoding, value.to_bits() as i64, "value_0").expect("encodes")
}

#[test]
fn floats_round_to_the_lattice_with_ties_away_from_zero() {
    let unit = float_encoding(-100.0, 100.0, 0, 0);
    assert_eq!(encode_float(&unit, 2.5), Some(3));
    assert_eq!(encode_float(&unit, -2.5), Some(-3));
    assert_eq!(encode_float(&unit, 2.4999999999999996), Some(2));
    assert_eq!(encode_float(&unit, -0.0), Some(0));
    assert_eq!(encode_float(&unit, 0.5), Some(1));
    assert_eq!(encode_float(&unit, -0.5), Some(-1));
    assert_eq!(encode_float(&unit, f64::NAN), None);
    assert_eq!(encode_float(&unit, f64::INFINITY), Some(100));
    assert_eq!(encode_float(&unit, f64::NEG_INFINITY), Some(-100));
    assert_eq!(encode_float(&unit, 1e300), Some(100));
    // Quarter lattice, shifted by 4 units.
    let quarter = float_encoding(-1.0, 3.0, -2, 4);
    assert_eq!(encode_float(&quarter, 1.125), Some(5 - 4)); // 4.5 rounds away from zero
    assert_eq!(encode_float(&quarter, -1.125), Some(-4 - 4));
    assert_eq!(encode_float(&quarter, 3.0), Some(12 - 4));
    // Subnormals on a coarse lattice round to 0, never to garbage.
    let coarse = float_encoding(-1.0, 1.0, 3, 0);
    assert_eq!(encode_float(&coarse, f64::from_bits(1)), Some(0));
    assert_eq!(encode_float(&coarse, -f64::MIN_POSITIVE), Some(0));
    assert_eq!(encode_float(&coarse, 1.0), Some(0)); // 1/8
    let fine = float_encoding(-1.0, 1.0, -1074, 0);
    assert!(encode_value(&fine, 1.0f64.to_bits() as i64, "value_0").is_err());
    assert_eq!(encode_float(&fine, f64::from_bits(3)), Some(3));
}

#[test]
fn ints_clamp_and_round_on_any_lattice() {
    let encoding = |lower, upper, k, shift| ValueEncoding {
        clamp: Clamp::Int64 { lower, upper },
        lattice_exponent: k,
        shift,
    };
    let e = encoding(-10, 10, 0, 3);
    assert_eq!(encode_value(&e, 7, "value_0").unwrap(), Some(4));
    assert_eq!(encode_value(&e, i64::MIN, "value_0").unwrap(), Some(-13));
    let halves = encoding(i64::MIN, i64::MAX, 1, 0);
    assert_eq!(encode_value(&halves, 5, "v").unwrap(), Some(3));
    assert_eq!(encode_value(&halves, -5, "v").unwrap(), Some(-3));
    let message = encode_value(&halves, i64::MIN, "value_0")
        .unwrap_err()
        .to_string();
    assert!(
        message.contains("value_0") && message.contains("-9223372036854775808"),
        "{message}"
    );
    let doubled = encoding(-4, 4, -1, 0);
    assert_eq!(encode_value(&doubled, -3, "v").unwrap(), Some(-6));
    assert_eq!(lattice_bounds(&encoding(-5, 5, 1, 0)).unwrap(), (-3, 3));
    assert_eq!(
        lattice_bounds(&float_encoding(-0.3, 2.75, -2, 9)).unwrap(),
        (-1, 11)
    );
}

#[test]
fn floats_match_f64_rounding_where_scaling_is_exact() {
    let mut rng = ChaCha8Rng::seed_from_u64(9);
    for _ in 0..100_000 {
        let k = (rng.next_u32() % 41) as i32 - 20;
        // Finite doubles of moderate size: mantissa random, exponent in [-30, 30].
        let exponent = (rng.next_u32() % 61) as i32 - 30;
        let mantissa = (rng.next_u64() >> 11) as f64 / (1u64 << 52) as f64;
        let sign = if rng.next_u32() % 2 == 0 { 1.0 } else { -1.0 };
        let value = sign * mantissa * 2f64.powi(exponent);
        let expected = (value * 2f64.powi(-k)).round();
        let got = lattice_index_of_float(value, k).expect("in range");
        assert_eq!(got as f64, expected, "value {value:e} k {k}");
    }
}
