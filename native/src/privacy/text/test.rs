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
    // AddMaxRows:0 is a flat map's output with max_rows=0 (no input change alters it).
    assert_eq!(
        parse_protected_change("AddMaxRows:0").unwrap(),
        ProtectedChange::AddMaxRows { max_rows: 0 }
    );
    assert_rejected(
        parse_protected_change,
        &[
            "",
            "addonerow",
            "AddMaxRows",
            "AddMaxRows:",
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

#[test]
fn add_max_rows_in_max_groups_changes() {
    let change = |column: &str, groups: u64, rows: u64| ProtectedChange::AddMaxRowsInMaxGroups {
        grouping_column: column.to_string(),
        max_groups: groups,
        max_rows_per_group: rows,
    };
    let cases = [
        ("AddMaxRowsInMaxGroups:3:2:5:state", change("state", 3, 2)),
        ("AddMaxRowsInMaxGroups:1:1:3:a:b", change("a:b", 1, 1)),
        ("AddMaxRowsInMaxGroups:1:1:4:a;\nb", change("a;\nb", 1, 1)),
        ("AddMaxRowsInMaxGroups:1:1:0:", change("", 1, 1)),
        (
            "AddMaxRowsInMaxGroups:18446744073709551615:7:1:é",
            change("é", u64::MAX, 7),
        ),
    ];
    for (text, change) in cases {
        let text = text.replace("1:é", "2:é");
        assert_eq!(parse_protected_change(&text).unwrap(), change, "{text}");
        assert_eq!(format_protected_change(&change), text);
    }
    assert_rejected(
        parse_protected_change,
        &[
            "AddMaxRowsInMaxGroups",
            "AddMaxRowsInMaxGroups:",
            "AddMaxRowsInMaxGroups:3:2",
            "AddMaxRowsInMaxGroups:3:2:",
            "AddMaxRowsInMaxGroups:3:2:state",
            "AddMaxRowsInMaxGroups:3:2:9:state",
            "AddMaxRowsInMaxGroups:3:2:5:statex",
            "AddMaxRowsInMaxGroups:0:2:5:state",
            "AddMaxRowsInMaxGroups:3:0:5:state",
            "AddMaxRowsInMaxGroups:-3:2:5:state",
            "AddMaxRowsInMaxGroups:3:2:1:é",
            "AddOneRow\n",
        ],
    );
    let message = invalid_argument_message(parse_protected_change("AddMaxRowsInMaxGroups:0:2:1:c"));
    assert!(message.contains("max_groups must be positive"), "{message}");
    let message = invalid_argument_message(parse_protected_change("AddMaxRowsInMaxGroups:1:0:1:c"));
    assert!(
        message.contains("max_rows_per_group must be positive"),
        "{message}"
    );
}

fn request_of(lines: &[&str]) -> String {
    lines.join("\n")
}

const SEED_REQUEST: [&str; 6] = [
    "aggregation=count",
    "budget=pure:2",
    "change=AddRowsWithID",
    "constraints=MaxRowsPerID:20",
    "groupby=5:title;6:author",
    "mechanism=default",
];

#[test]
fn measurement_requests_parse_in_any_order() {
    let expected = MeasurementRequest {
        aggregation: Aggregation::Count,
        budget: Budget::PureDP {
            epsilon: ExtRational::from_integer(2),
        },
        change: ProtectedChange::AddRowsWithID,
        constraints: vec![Rows(20)],
        groupby_columns: by(&["title", "author"]),
        mechanism: Mechanism::Default,
        measure_column: None,
        quantile: None,
        bounds_column: None,
        id_distance: IdDistance::ONE,
    };
    assert_eq!(
        parse_measurement_request(&request_of(&SEED_REQUEST)).unwrap(),
        expected
    );
    let mut reversed = SEED_REQUEST;
    reversed.reverse();
    assert_eq!(
        parse_measurement_request(&request_of(&reversed)).unwrap(),
        expected
    );
    assert_eq!(
        format_measurement_request(&expected),
        request_of(&SEED_REQUEST)
    );
    // Empty constraints and groupby; column names holding '\n', ';', '=' and ':'.
    let text = request_of(&[
        "groupby=",
        "constraints=",
        "mechanism=LAPLACE",
        "aggregation=count",
        "change=AddMaxRowsInMaxGroups:2:3:3:a\nb",
        "budget=zcdp:1/2",
    ]);
    let parsed = parse_measurement_request(&text).unwrap();
    assert_eq!(parsed.groupby_columns, Vec::<String>::new());
    assert_eq!(parsed.constraints, vec![]);
    assert_eq!(parsed.mechanism, Mechanism::Laplace);
    assert_eq!(
        parsed.change,
        ProtectedChange::AddMaxRowsInMaxGroups {
            grouping_column: "a\nb".to_string(),
            max_groups: 2,
            max_rows_per_group: 3
        }
    );
    let text = request_of(&[
        "aggregation=count",
        "budget=approx:1:1/100",
        "change=AddRowsWithID",
        "constraints=MaxGroupsPerID:2:4:x\n=y;MaxRowsPerGroupPerID:3:4:x\n=y;MaxRowsPerID:9",
        "groupby=4:x\n=y;1:;",
        "mechanism=gaussian",
    ]);
    let parsed = parse_measurement_request(&text).unwrap();
    assert_eq!(parsed.groupby_columns, by(&["x\n=y", ";"]));
    assert_eq!(parsed.constraints.len(), 3);
    assert_eq!(
        parse_measurement_request(&format_measurement_request(&parsed)).unwrap(),
        parsed
    );
}

#[test]
fn bad_measurement_requests_name_the_key() {
    let with = |key: &str, line: Option<&str>| {
        let mut lines: Vec<&str> = SEED_REQUEST
            .iter()
            .copied()
            .filter(|existing| !existing.starts_with(&format!("{key}=")))
            .collect();
        lines.extend(line);
        request_of(&lines)
    };
    for key in [
        "aggregation",
        "budget",
        "change",
        "constraints",
        "groupby",
        "mechanism",
    ] {
        let message = invalid_argument_message(parse_measurement_request(&with(key, None)));
        assert_eq!(
            message,
            format!("invalid measurement request: key '{key}' is missing")
        );
        let line = SEED_REQUEST
            .iter()
            .find(|l| l.starts_with(&format!("{key}=")))
            .unwrap();
        let twice = format!("{}\n{line}", request_of(&SEED_REQUEST));
        let message = invalid_argument_message(parse_measurement_request(&twice));
        assert_eq!(
            message,
            format!("invalid measurement request: key '{key}' is given more than once")
        );
        let bad = format!("{key}=bad value");
        let message = invalid_argument_message(parse_measurement_request(&with(key, Some(&bad))));
        assert!(
            message.starts_with(&format!("invalid measurement request: key '{key}': ")),
            "{message}"
        );
    }
    let message = invalid_argument_message(parse_measurement_request(&format!(
        "{}\nnoise=none",
        request_of(&SEED_REQUEST)
    )));
    assert!(message.contains("unknown key 'noise'"), "{message}");
    let message = invalid_argument_message(parse_measurement_request(&format!(
        "{}\n",
        request_of(&SEED_REQUEST)
    )));
    assert!(message.contains("empty line"), "{message}");
    let message = invalid_argument_message(parse_measurement_request("aggregation"));
    assert!(
        message.contains("'aggregation' is not <key>=<value>"),
        "{message}"
    );
    let message = invalid_argument_message(parse_measurement_request(""));
    assert!(message.contains("is not <key>=<value>"), "{message}");
    // Trailing text after a length-prefixed value.
    let message = invalid_argument_message(parse_measurement_request(&with(
        "groupby",
        Some("groupby=5:titlex"),
    )));
    assert!(
        message.starts_with("invalid measurement request: key 'groupby'"),
        "{message}"
    );
    let message = invalid_argument_message(parse_measurement_request(&with(
        "constraints",
        Some("constraints=MaxRowsPerID:20;"),
    )));
    assert!(
        message.starts_with("invalid measurement request: key 'constraints'"),
        "{message}"
    );
}

#[test]
fn plans_format_one_line_per_measure() {
    let measures = [
        PlannedMeasure {
            index: 0,
            name: "count",
            noise: NoiseSpec::DiscreteLaplace { scale: q(10, 1) },
            budget: Budget::PureDP {
                epsilon: ExtRational::from_integer(2),
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
    ];
    assert_eq!(
        format_plan(&measures),
        "measure=0:count;noise=laplace:10;budget=pure:2\nmeasure=1:count;noise=none;budget=approx:inf:1/2"
    );
}

proptest! {
    #[test]
    fn measurement_requests_round_trip(
        constraints in prop::collection::vec(any_constraint(), 0..4),
        columns in prop::collection::vec("[a-z:;=\n]*", 0..4),
        grouping_column in "[a-z:;=\n]*",
        groups in 1u64..,
        rows in 1u64..,
    ) {
        let request = MeasurementRequest {
            aggregation: Aggregation::Count,
            budget: Budget::RhoZCDP { rho: ExtRational::from_integer(1) },
            change: ProtectedChange::AddMaxRowsInMaxGroups { grouping_column, max_groups: groups, max_rows_per_group: rows },
            constraints,
            groupby_columns: columns,
            mechanism: Mechanism::Gaussian,
            measure_column: None,
            quantile: None,
            bounds_column: None,
            id_distance: IdDistance::new(groups).unwrap(),
        };
        prop_assert_eq!(parse_measurement_request(&format_measurement_request(&request)).unwrap(), request);
    }
}

#[test]
fn id_distance_is_optional_read_once_and_written_only_when_not_one() {
    let seed = request_of(&SEED_REQUEST);
    let with = format!("{seed}\nid_distance=6");
    let request = parse_measurement_request(&with).unwrap();
    assert_eq!(request.id_distance, IdDistance::new(6).unwrap());
    assert_eq!(format_measurement_request(&request), with);
    assert_eq!(
        parse_measurement_request(&seed).unwrap().id_distance,
        IdDistance::ONE
    );
    for (bad, expected) in [
        (
            format!("{seed}\nid_distance=0"),
            "key 'id_distance': an ID distance must be positive",
        ),
        (
            format!("{seed}\nid_distance=x"),
            "key 'id_distance': an ID distance must be a positive integer",
        ),
        (
            format!("{seed}\nid_distance=2\nid_distance=2"),
            "key 'id_distance' is given more than once",
        ),
    ] {
        let error = parse_measurement_request(&bad).unwrap_err();
        assert!(error.to_string().contains(expected), "{error}");
    }
}

#[test]
fn aggregation_requests_round_trip_with_their_keys() {
    use crate::privacy::lattice::{Bound, ColumnType, MeasureColumn};
    for aggregation in Aggregation::ALL {
        for (low, high) in [
            (Bound::Integer(-3), Bound::Integer(i64::MAX)),
            (Bound::Double(-1.5), Bound::Double(1e300)),
            (Bound::Double(5e-324), Bound::Integer(i64::MIN)),
        ] {
            let request = MeasurementRequest {
                aggregation,
                budget: Budget::RhoZCDP {
                    rho: ExtRational::from_integer(1),
                },
                change: ProtectedChange::AddOneRow,
                constraints: vec![],
                groupby_columns: by(&["a\nb"]),
                mechanism: Mechanism::Default,
                measure_column: aggregation.takes_measure_column().then(|| MeasureColumn {
                    name: "x=\n;".to_string(),
                    column_type: ColumnType::Float,
                    low,
                    high,
                }),
                quantile: (aggregation == Aggregation::Quantile).then_some(0.25),
                bounds_column: (aggregation == Aggregation::GetBounds)
                    .then(|| ("x=\n;".to_string(), ColumnType::Int)),
                id_distance: IdDistance::ONE,
            };
            let text = format_measurement_request(&request);
            assert_eq!(parse_measurement_request(&text).unwrap(), request, "{text}");
        }
    }
}

#[test]
fn bounds_parse_as_java_writes_them() {
    use crate::privacy::lattice::Bound;
    assert_eq!(parse_bound("-12").unwrap(), Bound::Integer(-12));
    assert_eq!(parse_bound("1.0E10").unwrap(), Bound::Double(1e10));
    assert_eq!(parse_bound("1.5").unwrap(), Bound::Double(1.5));
    assert_eq!(parse_bound("4.9E-324").unwrap(), Bound::Double(5e-324));
    assert_eq!(
        parse_bound("-Infinity").unwrap(),
        Bound::Double(f64::NEG_INFINITY)
    );
    assert!(matches!(parse_bound("NaN").unwrap(), Bound::Double(x) if x.is_nan()));
    for bad in [
        "",
        "+1",
        "inf",
        "nan",
        "1,5",
        "9223372036854775808",
        "0x10",
        "e",
    ] {
        assert!(
            matches!(parse_bound(bad), Err(Error::InvalidArgument(m)) if m.contains(&format!("'{bad}'"))),
            "{bad}"
        );
    }
}

#[test]
fn aggregation_keys_are_required_exactly_where_taken() {
    let base = "budget=pure:1\nchange=AddOneRow\nconstraints=\ngroupby=\nmechanism=default";
    let column = "column=1:x\ncolumn_type=float\nlow=0\nhigh=1.5";
    let message = |text: &str| match parse_measurement_request(text) {
        Err(Error::InvalidArgument(message)) => message,
        other => panic!("{other:?}"),
    };
    assert!(message(&format!("aggregation=count\n{base}\n{column}"))
        .contains("key 'column' is not taken by the aggregation 'count'"));
    assert!(
        message(&format!("aggregation=get_groups\n{base}\nquantile=0.5"))
            .contains("key 'quantile' is not taken")
    );
    assert!(
        message(&format!("aggregation=sum\n{base}\n{column}\nquantile=0.5"))
            .contains("key 'quantile' is not taken by the aggregation 'sum'")
    );
    assert!(message(&format!("aggregation=sum\n{base}")).contains("key 'column' is missing"));
    assert!(message(&format!("aggregation=quantile\n{base}\n{column}"))
        .contains("key 'quantile' is missing"));
    assert!(message(&format!(
        "aggregation=sum\n{base}\n{}",
        column.replace("float", "decimal")
    ))
    .contains("invalid column type 'decimal'"));
    assert!(
        message(&format!("aggregation=median\n{base}")).contains("invalid aggregation 'median'")
    );
    assert!(
        message(&format!("aggregation=sum\n{base}\n{column}\nthreshold=3"))
            .contains("unknown key 'threshold'")
    );
    let request = parse_measurement_request(&format!(
        "aggregation=quantile\n{base}\n{column}\nquantile=1"
    ))
    .unwrap();
    assert_eq!(request.quantile, Some(1.0));
}
