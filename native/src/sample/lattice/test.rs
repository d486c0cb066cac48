use super::*;
use crate::privacy::calibration::{float_noise, Mechanism};
use crate::privacy::sensitivity::Sensitivities;
use crate::privacy::text::parse_budget;
use crate::privacy::Rational;
use crate::sample::rng::insecure_seeded_rng_for_tests;

fn spec(budget: &str, l1: f64, l2_squared: f64) -> FloatNoiseSpec {
    let sensitivities = Sensitivities {
        l1: Rational::from_f64_exact(l1, "l1").unwrap(),
        l2_squared: Rational::from_f64_exact(l2_squared, "l2_squared").unwrap(),
    };
    float_noise(
        &parse_budget(budget).unwrap(),
        &sensitivities,
        1,
        Mechanism::Default,
    )
    .unwrap()
}

/// Each output divided by 2^k is an integer, and it is exactly round(value/2^k) + Z where Z is the
/// draw of the integer sampler (at the spec's parameter) from an identically seeded stream.
#[test]
fn outputs_are_the_rounded_input_plus_the_integer_noise_on_the_lattice() {
    let specs = [
        spec("pure:1", 0.3, 0.09),
        spec("pure:1/1000", 1e6, 1e12),
        spec("zcdp:1/2", 0.3, 0.09),
        spec("zcdp:1/10", 1e6, 1e12),
    ];
    let mut nonzero_noise = 0;
    for (case, spec) in specs.iter().enumerate() {
        let spacing = power_of_two_f64(spec.lattice_exponent());
        for (i, &value) in [0.0, 0.1, -3.7, 12345.678, 1e-9, -1e6, 0.3]
            .iter()
            .enumerate()
        {
            let seed = 1000 * case as u64 + i as u64;
            let noisy =
                add_float_noise(&mut insecure_seeded_rng_for_tests(seed), value, spec).unwrap();
            let mut replay = insecure_seeded_rng_for_tests(seed);
            let noise = match spec.noise_in_lattice_units() {
                NoiseSpec::DiscreteLaplace { scale } => {
                    DiscreteLaplace::new(&scale).sample(&mut replay).unwrap()
                }
                NoiseSpec::DiscreteGaussian { sigma_squared } => {
                    DiscreteGaussian::new(&sigma_squared)
                        .unwrap()
                        .sample(&mut replay)
                        .unwrap()
                }
                NoiseSpec::NoNoise => panic!("case {case} has no noise"),
            };
            nonzero_noise += usize::from(noise != 0);
            let units = noisy / spacing;
            assert_eq!(
                units.fract(),
                0.0,
                "{noisy} not on lattice 2^{}",
                spec.lattice_exponent()
            );
            assert_eq!(
                units,
                (value / spacing).round() + noise as f64,
                "case {case}, value {value}"
            );
        }
    }
    // The noise is 2^20 lattice units wide or more: a zero draw everywhere would mean no noise at all.
    assert!(nonzero_noise >= 20, "{nonzero_noise}");
}

#[test]
fn no_noise_releases_the_value_unchanged_and_non_finite_values_are_refused() {
    let mut rng = insecure_seeded_rng_for_tests(3);
    let exact = spec("pure:inf", 1.0, 1.0);
    assert_eq!(add_float_noise(&mut rng, 0.1, &exact), Ok(0.1));
    let noisy = spec("pure:1", 1.0, 1.0);
    let message = add_float_noise(&mut rng, f64::NAN, &noisy)
        .unwrap_err()
        .to_string();
    assert!(message.contains("NaN"), "{message}");
    assert!(matches!(
        add_float_noise(&mut rng, 1e300, &noisy),
        Err(crate::Error::Overflow(_))
    ));
}

#[test]
fn rounding_is_to_the_nearest_point_and_errors_name_the_value() {
    let lattice = Lattice::from_exponent(-2).unwrap();
    assert_eq!(lattice.round_to_lattice(0.3).unwrap(), 1); // 0.3 / 0.25 = 1.2
    assert_eq!(lattice.round_to_lattice(-0.4).unwrap(), -2); // −1.6
    assert_eq!(lattice.lattice_point_to_f64(-6).unwrap(), -1.5);
    let message = lattice.round_to_lattice(f64::NAN).unwrap_err().to_string();
    assert!(message.contains("NaN"), "{message}");
    assert!(matches!(
        lattice.round_to_lattice(1e300),
        Err(crate::Error::Overflow(_))
    ));
    assert!(matches!(
        lattice.lattice_point_to_f64((1 << 53) + 1),
        Err(crate::Error::Overflow(_))
    ));
    assert!(Lattice::from_exponent(128).is_err());
}
