use super::*;
use proptest::prelude::*;
use Constraint::MaxRowsPerID as Rows;

use crate::privacy::test_support::{by, groups_on_g, rows_per_group_on_g};

fn q(num: u128, den: u128) -> Rational {
    Rational::new(num, den).unwrap()
}

fn invalid_argument_message<T: std::fmt::Debug>(result: Result<T>) -> String {
    match result {
        Err(Error::InvalidArgument(message)) => message,
        other => panic!("expected InvalidArgument, got {other:?}"),
    }
}

/// Each bad text is rejected with InvalidArgument and the message quotes it.
fn assert_rejected<T: std::fmt::Debug>(parse: fn(&str) -> Result<T>, texts: &[&str]) {
    for text in texts {
        let message = invalid_argument_message(parse(text));
        assert!(
            message.contains(&format!("'{text}'")),
            "{text:?}: {message}"
        );
    }
}

#[test]
fn numbers() {
    assert_eq!(parse_number("0").unwrap(), ExtRational::zero());
    assert_eq!(parse_number("12").unwrap(), ExtRational::from_integer(12));
    assert_eq!(parse_number("2/4").unwrap(), ExtRational::Finite(q(1, 2)));
    assert_eq!(parse_number("007").unwrap(), ExtRational::from_integer(7));
    assert_eq!(parse_number("inf").unwrap(), ExtRational::Infinite);
    let max = u128::MAX.to_string();
    assert_eq!(
        parse_number(&max).unwrap(),
        ExtRational::from_integer(u128::MAX)
    );
    assert_eq!(format_number(&ExtRational::Finite(q(1, 2))), "1/2");
    assert_eq!(format_number(&ExtRational::from_integer(3)), "3");
    assert_eq!(format_number(&ExtRational::Finite(q(6, 3))), "2");
    assert_eq!(format_number(&ExtRational::Infinite), "inf");
    assert_eq!(
        "3/9".parse::<ExtRational>().unwrap(),
        ExtRational::Finite(q(1, 3))
    );
    assert_eq!("3/9".parse::<Rational>().unwrap(), q(1, 3));
    assert_eq!(q(3, 9).to_string(), "1/3");
    assert_rejected(
        parse_number,
        &[
            "", "+1", "-1", "1.5", "1/0", "1/", "/2", " 1", "1 ", "Inf", "1/2/3", "1e3",
        ],
    );
    assert_rejected(parse_number, &["340282366920938463463374607431768211456"]);
    assert_rejected(parse_finite_number, &["inf"]);
    assert!(invalid_argument_message(parse_number("1/0")).contains("zero"));
}

#[test]
fn budgets() {
    let cases = [
        (
            "pure:2",
            Budget::PureDP {
                epsilon: ExtRational::from_integer(2),
            },
        ),
        (
            "pure:inf",
            Budget::PureDP {
                epsilon: ExtRational::Infinite,
            },
        ),
        (
            "approx:1/2:1/1000000",
            Budget::ApproxDP {
                epsilon: ExtRational::Finite(q(1, 2)),
                delta: ExtRational::Finite(q(1, 1_000_000)),
            },
        ),
        (
            "approx:inf:1",
            Budget::ApproxDP {
                epsilon: ExtRational::Infinite,
                delta: ExtRational::from_integer(1),
            },
        ),
        (
            "zcdp:3/7",
            Budget::RhoZCDP {
                rho: ExtRational::Finite(q(3, 7)),
            },
        ),
    ];
    for (text, budget) in cases {
        assert_eq!(parse_budget(text).unwrap(), budget, "{text}");
        assert_eq!(format_budget(&budget), text);
        assert_eq!(text.parse::<Budget>().unwrap(), budget);
    }
    assert_eq!(format_budget(&parse_budget("pure:4/2").unwrap()), "pure:2");
    assert_rejected(
        parse_budget,
        &[
            "",
            "pure",
            "pure:",
            "pure:-1",
            "PURE:1",
            "approx:1",
            "approx:1:2",
            "approx:1:inf",
            "zcdp:x",
            "laplace:1",
            "pure:1:2",
        ],
    );
    let message = invalid_argument_message(parse_budget("approx:1:2"));
    assert!(message.contains("Delta"), "{message}");
}

#[test]
fn protected_changes() {
    let cases = [
        ("AddOneRow", ProtectedChange::AddOneRow),
        ("AddMaxRows:5", ProtectedChange::AddMaxRows { max_rows: 5 }),
        (
            "AddMaxRows:18446744073709551615",
            ProtectedChange::AddMaxRows { max_rows: u64::MAX },
        ),
        ("AddRowsWithID", ProtectedChange::AddRowsWithID),
    ];
    for (text, change) in cases {
        assert_eq!(parse_protected_change(text).unwrap(), change, "{text}");
        assert_eq!(format_protected_change(&change), text);
    }
    assert_rejected(
        parse_protected_change,
        &[
            "",
            "addonerow",
            "AddMaxRows",
            "AddMaxRows:",
            "AddMaxRows:0",
            "AddMaxRows:-1",
            "AddMaxRows:18446744073709551616",
            "AddRowsWithID:x",
        ],
    );
}

#[test]
fn constraints() {
    assert_eq!(parse_constraints("").unwrap(), vec![]);
    assert_eq!(
        parse_constraints("MaxRowsPerID:20").unwrap(),
        vec![Rows(20)]
    );
    let pair = vec![groups_on_g(3), rows_per_group_on_g(2)];
    assert_eq!(
        parse_constraints("MaxGroupsPerID:3:1:g;MaxRowsPerGroupPerID:2:1:g").unwrap(),
        pair
    );
    assert_eq!(
        format_constraints(&pair),
        "MaxGroupsPerID:3:1:g;MaxRowsPerGroupPerID:2:1:g"
    );
    assert_eq!(format_constraints(&[]), "");
    assert_eq!("MaxRowsPerID:7".parse::<Constraint>().unwrap(), Rows(7));
    // Column names holding the separators, and multi-byte characters (the length counts UTF-8 bytes).
    let odd = vec![
        Constraint::MaxGroupsPerID {
            grouping_column: "a:1;b".to_string(),
            max: 4,
        },
        Rows(9),
        Constraint::MaxRowsPerGroupPerID {
            grouping_column: "é;".to_string(),
            max: 1,
        },
        Constraint::MaxRowsPerGroupPerID {
            grouping_column: String::new(),
            max: 2,
        },
    ];
    let text = "MaxGroupsPerID:4:5:a:1;b;MaxRowsPerID:9;MaxRowsPerGroupPerID:1:3:é;;MaxRowsPerGroupPerID:2:0:";
    assert_eq!(format_constraints(&odd), text);
    assert_eq!(parse_constraints(text).unwrap(), odd);
    assert_rejected(
        parse_constraints,
        &[
            "MaxRowsPerID",
            "MaxRowsPerID:0",
            "MaxRowsPerID:20;",
            ";",
            "Foo:1",
            "MaxRowsPerID:x",
            "MaxRowsPerID:20;MaxGroupsPerID",
            // The old form without a column, a short or overlong column, a split UTF-8 character, a
            // column on MaxRowsPerID, and a missing separator after a column.
            "MaxGroupsPerID:3",
            "MaxGroupsPerID:3:",
            "MaxGroupsPerID:3:5:abc",
            "MaxGroupsPerID:3:1:é",
            "MaxRowsPerID:3:1:g",
            "MaxGroupsPerID:3:1:gMaxRowsPerID:2",
            "MaxGroupsPerID:0:1:g",
        ],
    );
    let message = invalid_argument_message(parse_constraints("MaxRowsPerID:0"));
    assert!(
        message.contains("MaxRowsPerID must be positive"),
        "{message}"
    );
}

#[test]
fn groupby_columns() {
    assert_eq!(parse_columns("").unwrap(), Vec::<String>::new());
    let columns = by(&["title", "a;b", "c:d", ""]);
    let text = "5:title;3:a;b;3:c:d;0:";
    assert_eq!(format_columns(&columns), text);
    assert_eq!(parse_columns(text).unwrap(), columns);
    assert_rejected(
        parse_columns,
        &["title", "5:title;", "6:title", "5:titles", ";"],
    );
}

#[test]
fn noise_specs() {
    let cases = [
        ("none", NoiseSpec::NoNoise),
        (
            "laplace:10",
            NoiseSpec::DiscreteLaplace {
                scale: Rational::from_integer(10),
            },
        ),
        (
            "gaussian:1/3",
            NoiseSpec::DiscreteGaussian {
                sigma_squared: q(1, 3),
            },
        ),
    ];
    for (text, noise) in cases {
        assert_eq!(parse_noise_spec(text).unwrap(), noise, "{text}");
        assert_eq!(format_noise_spec(&noise), text);
        assert_eq!(text.parse::<NoiseSpec>().unwrap(), noise);
    }
    assert_rejected(
        parse_noise_spec,
        &[
            "",
            "None",
            "laplace",
            "laplace:",
            "laplace:inf",
            "gaussian:-1",
            "uniform:1",
            "laplace:1/0",
        ],
    );
}

/// A zero noise parameter would make `addNoise` release exact counts while the budget was charged as if
/// they were noisy; no noise must be asked for as `none`, so the zero forms are refused, naming the text.
#[test]
fn zero_noise_parameters_are_rejected() {
    for text in ["laplace:0", "laplace:0/7", "gaussian:0", "gaussian:0/1"] {
        let message = invalid_argument_message(parse_noise_spec(text));
        assert!(
            message.contains(text) && message.contains("positive"),
            "{text}: {message}"
        );
    }
}

fn any_rational() -> impl Strategy<Value = Rational> {
    (any::<u128>(), 1u128..).prop_map(|(num, den)| q(num, den))
}

fn any_positive_rational() -> impl Strategy<Value = Rational> {
    (1u128.., 1u128..).prop_map(|(num, den)| q(num, den))
}

fn any_number() -> impl Strategy<Value = ExtRational> {
    prop_oneof![
        any_rational().prop_map(ExtRational::Finite),
        Just(ExtRational::Infinite)
    ]
}

fn any_constraint() -> impl Strategy<Value = Constraint> {
    prop_oneof![
        (1u64..).prop_map(Rows),
        (1u64.., ".*").prop_map(|(max, grouping_column)| Constraint::MaxGroupsPerID {
            grouping_column,
            max
        }),
        (1u64.., "[:;0-9a-z]*").prop_map(|(max, grouping_column)| {
            Constraint::MaxRowsPerGroupPerID {
                grouping_column,
                max,
            }
        })
    ]
}

proptest! {
    #[test]
    fn numbers_round_trip(number in any_number()) {
        prop_assert_eq!(parse_number(&format_number(&number)).unwrap(), number);
    }

    #[test]
    fn budgets_round_trip(epsilon in any_number(), rho in any_number(), delta in any_rational()) {
        let delta = ExtRational::Finite(delta.min(Rational::one()));
        for budget in [Budget::PureDP { epsilon }, Budget::ApproxDP { epsilon, delta }, Budget::RhoZCDP { rho }] {
            prop_assert_eq!(parse_budget(&format_budget(&budget)).unwrap(), budget);
        }
    }

    #[test]
    fn noise_specs_round_trip(parameter in any_positive_rational()) {
        for noise in [NoiseSpec::DiscreteLaplace { scale: parameter }, NoiseSpec::DiscreteGaussian { sigma_squared: parameter }] {
            prop_assert_eq!(parse_noise_spec(&format_noise_spec(&noise)).unwrap(), noise);
        }
    }

    #[test]
    fn constraints_round_trip(constraints in prop::collection::vec(any_constraint(), 0..5)) {
        prop_assert_eq!(parse_constraints(&format_constraints(&constraints)).unwrap(), constraints);
    }

    #[test]
    fn groupby_columns_round_trip(columns in prop::collection::vec(".*", 0..5)) {
        prop_assert_eq!(parse_columns(&format_columns(&columns)).unwrap(), columns);
    }

    #[test]
    fn changes_round_trip(max_rows in 1u64..) {
        let change = ProtectedChange::AddMaxRows { max_rows };
        prop_assert_eq!(parse_protected_change(&format_protected_change(&change)).unwrap(), change);
    }
}
