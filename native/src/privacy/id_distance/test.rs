use super::*;
use crate::error::Error;
use crate::privacy::text::parse_budget;

fn budget(text: &str) -> Budget {
    parse_budget(text).unwrap()
}

fn sensitivities(l1: u128, l2_squared: u128) -> Sensitivities {
    Sensitivities {
        l1: Rational::from_integer(l1),
        l2_squared: Rational::from_integer(l2_squared),
    }
}

#[test]
fn distance_one_changes_nothing() {
    let per_id = sensitivities(3, 9);
    for text in ["pure:1", "approx:1:1/100", "zcdp:1"] {
        assert_eq!(
            IdDistance::ONE.scale(&budget(text), &per_id).unwrap(),
            per_id
        );
    }
}

#[test]
fn pure_and_approx_multiply_l1_by_the_distance() {
    // MaxRowsPerID(3) in a child of MaxGroupsPerID(g, 2): Tumult's d_in = 2, stability 2·3.
    let distance = IdDistance::ONE.after_partition(2).unwrap();
    for text in ["pure:1", "approx:1:1/100"] {
        assert_eq!(
            distance.scale(&budget(text), &sensitivities(3, 9)).unwrap(),
            sensitivities(6, 36)
        );
    }
}

#[test]
fn zcdp_multiplies_l2_squared_by_the_distance_squared_exactly() {
    // d_in = √2: L2 = √2·3, so L2² = 2·9 exactly; L1 (Laplace under zCDP) by ⌈√2⌉ = 2, rounded up.
    let distance = IdDistance::ONE.after_partition(2).unwrap();
    assert_eq!(
        distance
            .scale(&budget("zcdp:1"), &sensitivities(3, 9))
            .unwrap(),
        sensitivities(6, 18)
    );
    // A perfect square needs no rounding: √9 = 3.
    let nine = IdDistance::new(9).unwrap();
    assert_eq!(
        nine.scale(&budget("zcdp:1"), &sensitivities(1, 1)).unwrap(),
        sensitivities(3, 9)
    );
}

#[test]
fn nested_partitions_multiply() {
    let child = IdDistance::ONE.after_partition(2).unwrap();
    let grandchild = child.after_partition(3).unwrap();
    assert_eq!(grandchild.value(), 6);
    // √2·√3 = √6 under zCDP: L2² × 6.
    assert_eq!(
        grandchild
            .scale(&budget("zcdp:1"), &sensitivities(1, 1))
            .unwrap()
            .l2_squared,
        Rational::from_integer(6)
    );
}

#[test]
fn bad_distances_are_refused() {
    assert!(matches!(IdDistance::new(0), Err(Error::InvalidArgument(_))));
    assert!(matches!(
        IdDistance::ONE.after_partition(0),
        Err(Error::InvalidArgument(_))
    ));
    assert!(matches!(
        IdDistance::new(u64::MAX).unwrap().after_partition(2),
        Err(Error::Overflow(_))
    ));
    for text in ["0", "", "-1", "+2", "1.5", "x", "18446744073709551616"] {
        assert!(
            matches!(parse_id_distance(text), Err(Error::InvalidArgument(ref m)) if m.contains("ID distance")),
            "{text}"
        );
    }
    assert_eq!(parse_id_distance("12").unwrap().to_string(), "12");
}

#[test]
fn ceil_sqrt_is_exact() {
    for (n, root) in [
        (0u128, 0u128),
        (1, 1),
        (2, 2),
        (4, 2),
        (5, 3),
        (9, 3),
        (10, 4),
    ] {
        assert_eq!(ceil_sqrt(n), root, "{n}");
    }
    assert_eq!(ceil_sqrt(u128::MAX), 1u128 << 64);
    let big = (1u128 << 64) - 1;
    assert_eq!(ceil_sqrt(big * big), big);
    assert_eq!(ceil_sqrt(big * big + 1), big + 1);
}
