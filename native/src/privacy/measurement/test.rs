//! Plans for every protected change × constraint set × budget type × mechanism, against hand-derived
//! noise (sensitivities from the table in `sensitivity.rs`).
use super::*;
use crate::error::Error;
use crate::privacy::plan::ValueEncoding;
use crate::privacy::plan_text::format_measurement_plan;
use crate::privacy::text::{format_plan, parse_budget, parse_measurement_request};
use crate::privacy::ExtRational;

/// (change text, constraints text, L1, L2²); all grouped by column `c`.
const CHANGES: [(&str, &str, u128, u128); 7] = [
    ("AddOneRow", "", 1, 1),
    ("AddOneRow", "MaxRowsPerID:7", 1, 1),
    ("AddMaxRows:3", "", 3, 9),
    ("AddMaxRowsInMaxGroups:2:3:1:c", "", 6, 18),
    ("AddRowsWithID", "MaxRowsPerID:4", 4, 16),
    (
        "AddRowsWithID",
        "MaxGroupsPerID:2:1:c;MaxRowsPerGroupPerID:3:1:c",
        6,
        18,
    ),
    // Every constraint counts: L1 = min(4, 6), L2² = min(16, 18).
    (
        "AddRowsWithID",
        "MaxRowsPerID:4;MaxGroupsPerID:2:1:c;MaxRowsPerGroupPerID:3:1:c",
        4,
        16,
    ),
];

fn plan(budget: &str, change: &str, constraints: &str, mechanism: &str) -> Result<String> {
    let request = format!(
        "aggregation=count\nbudget={budget}\nchange={change}\nconstraints={constraints}\ngroupby=1:c\nmechanism={mechanism}"
    );
    Ok(format_measurement_plan(&plan_measurement(
        &parse_measurement_request(&request)?,
    )?))
}

fn fraction(num: u128, den: u128) -> String {
    crate::privacy::Rational::new(num, den).unwrap().to_string()
}

const GAUSSIAN_UNDER_DP: &str =
    "Gaussian noise is only supported when using a RhoZCDP budget. Use \
                                 Laplace noise instead, or switch to RhoZCDP.";

#[test]
fn every_change_budget_and_mechanism_gives_the_hand_derived_plan() {
    for (change, constraints, l1, l2_squared) in CHANGES {
        // Finite budgets: ε = 2 (δ unused by a count), ρ = 1/2.
        for budget in ["pure:2", "approx:2:1/10"] {
            let laplace = format!(
                "measure=0:count;noise=laplace:{};budget={budget}",
                fraction(l1, 2)
            );
            for mechanism in ["default", "laplace", "Laplace"] {
                assert_eq!(
                    plan(budget, change, constraints, mechanism).unwrap(),
                    laplace,
                    "{budget} {change} {constraints} {mechanism}"
                );
            }
            assert_eq!(
                plan(budget, change, constraints, "gaussian"),
                Err(Error::InvalidArgument(GAUSSIAN_UNDER_DP.to_string()))
            );
        }
        // ρ = 1/2: σ² = L2²/(2ρ) = L2²; Laplace scale L1/sqrt(2ρ) = L1.
        let budget = "zcdp:1/2";
        let gaussian = format!("measure=0:count;noise=gaussian:{l2_squared};budget={budget}");
        for mechanism in ["default", "gaussian"] {
            assert_eq!(
                plan(budget, change, constraints, mechanism).unwrap(),
                gaussian
            );
        }
        assert_eq!(
            plan(budget, change, constraints, "laplace").unwrap(),
            format!("measure=0:count;noise=laplace:{l1};budget={budget}")
        );
        // Infinite budgets release exact values; Gaussian stays refused under DP budgets.
        for budget in ["pure:inf", "approx:inf:0", "approx:1:1", "zcdp:inf"] {
            let none = format!("measure=0:count;noise=none;budget={budget}");
            for mechanism in ["default", "laplace"] {
                assert_eq!(plan(budget, change, constraints, mechanism).unwrap(), none);
            }
            let gaussian = plan(budget, change, constraints, "gaussian");
            if budget.starts_with("zcdp") {
                assert_eq!(gaussian.unwrap(), none);
            } else {
                assert_eq!(
                    gaussian,
                    Err(Error::InvalidArgument(GAUSSIAN_UNDER_DP.to_string()))
                );
            }
        }
    }
}

#[test]
fn an_id_table_without_a_usable_constraint_is_unsupported_whatever_the_budget_and_mechanism() {
    let message =
        "A constraint on the number of rows contributed by each ID is needed to perform this \
                   query (e.g. MaxRowsPerID).";
    for constraints in ["", "MaxGroupsPerID:2:1:c", "MaxRowsPerGroupPerID:3:1:c"] {
        for budget in [
            "pure:2",
            "approx:2:1/10",
            "zcdp:1/2",
            "pure:inf",
            "zcdp:inf",
        ] {
            for mechanism in ["default", "laplace", "gaussian"] {
                assert_eq!(
                    plan(budget, "AddRowsWithID", constraints, mechanism),
                    Err(Error::UnsupportedQuery(message.to_string())),
                    "{constraints} {budget} {mechanism}"
                );
            }
        }
    }
}

#[test]
fn the_grouping_of_the_aggregation_reaches_the_sensitivity() {
    // Not grouped by c: L2² = (g·r)² = 36.
    let request = "aggregation=count\nbudget=zcdp:1/2\nchange=AddMaxRowsInMaxGroups:2:3:1:c\n\
                   constraints=\ngroupby=1:x\nmechanism=default";
    let planned = plan_measurement(&parse_measurement_request(request).unwrap()).unwrap();
    assert_eq!(
        format_plan(&planned.measures),
        "measure=0:count;noise=gaussian:36;budget=zcdp:1/2"
    );
    let ungrouped = request.replace("groupby=1:x", "groupby=");
    let planned = plan_measurement(&parse_measurement_request(&ungrouped).unwrap()).unwrap();
    assert_eq!(planned.measures[0].noise.to_string(), "gaussian:36");
}

#[test]
fn a_zero_budget_is_refused_naming_it() {
    let result = plan("pure:0", "AddOneRow", "", "default");
    assert!(
        matches!(&result, Err(Error::InvalidArgument(message)) if message.contains("epsilon")),
        "{result:?}"
    );
}

/// A request for `aggregation` grouped by `c` over an integer column x in [−2, 5] (quantile 1/2).
fn aggregation_request(
    aggregation: &str,
    budget: &str,
    change: &str,
    constraints: &str,
    mechanism: &str,
    column: &str,
) -> String {
    let mut text = format!(
        "aggregation={aggregation}\nbudget={budget}\nchange={change}\nconstraints={constraints}\ngroupby=1:c\nmechanism={mechanism}"
    );
    if !matches!(aggregation, "count" | "count_distinct" | "get_groups") {
        text += &format!("\n{column}");
    }
    if aggregation == "quantile" {
        text += "\nquantile=0.5";
    }
    text
}

const INT_COLUMN: &str = "column=1:x\ncolumn_type=int\nlow=-2\nhigh=5";
const FLOAT_COLUMN: &str = "column=1:x\ncolumn_type=float\nlow=-1.5\nhigh=3.0";
const AGGREGATIONS: [&str; 8] = [
    "count",
    "count_distinct",
    "sum",
    "average",
    "variance",
    "stdev",
    "quantile",
    "get_groups",
];

fn plan_of(request: &str) -> Result<MeasurementPlan> {
    plan_measurement(&parse_measurement_request(request)?)
}

fn measures_text(plan: &MeasurementPlan) -> String {
    format_plan(&plan.measures)
}

/// The measures' budgets add up to the request's exactly, and the plan's text reads back to it.
fn check_budget_and_text(plan: &MeasurementPlan, budget: &Budget) {
    let mut total = plan.measures[0].budget;
    for measure in &plan.measures[1..] {
        total = total.checked_add(&measure.budget).unwrap();
    }
    if !budget.is_infinite() {
        assert_eq!(total, *budget);
    }
    let text = format_measurement_plan(plan);
    assert_eq!(
        crate::privacy::plan_text::parse_measurement_plan(&text).unwrap(),
        *plan
    );
}

#[test]
fn every_aggregation_budget_and_change_gives_the_hand_derived_measures() {
    for (change, constraints, l1, l2_squared) in CHANGES {
        let f = |num: u128, den: u128| fraction(num, den);
        // Integer column [−2, 5]: sum R = 5; average/variance shift round(3/2) = 2, R = 4, R² = 16.
        // PureDP ε = 2 (ApproxDP the same; δ splits with ε): Laplace scale = sensitivity / share.
        for budget in ["pure:2", "approx:2:1/10"] {
            let approx = budget.starts_with("approx");
            let share = |parts: u128| {
                if approx {
                    format!("approx:{}:{}", f(2, parts), f(1, 10 * parts))
                } else {
                    format!("pure:{}", f(2, parts))
                }
            };
            let expected = [
                ("count", format!("measure=0:count;noise=laplace:{};budget={budget}", f(l1, 2))),
                (
                    "count_distinct",
                    format!("measure=0:count_distinct;noise=laplace:{};budget={budget}", f(l1, 2)),
                ),
                ("sum", format!("measure=0:sum;noise=laplace:{};budget={budget}", f(5 * l1, 2))),
                (
                    "average",
                    format!(
                        "measure=0:sum;noise=laplace:{};budget={s}\nmeasure=1:count;noise=laplace:{};budget={s}",
                        4 * l1,
                        l1,
                        s = share(2)
                    ),
                ),
                (
                    "variance",
                    format!(
                        "measure=0:sum_of_squares;noise=laplace:{};budget={s}\n\
                         measure=1:sum;noise=laplace:{};budget={s}\n\
                         measure=2:count;noise=laplace:{};budget={s}",
                        24 * l1,
                        6 * l1,
                        f(3 * l1, 2),
                        s = share(3)
                    ),
                ),
                ("quantile", format!("measure=0:quantile;noise=none;budget={budget}")),
            ];
            for (aggregation, measures) in expected {
                let request = aggregation_request(
                    aggregation,
                    budget,
                    change,
                    constraints,
                    "default",
                    INT_COLUMN,
                );
                let plan = plan_of(&request).unwrap();
                assert_eq!(measures_text(&plan), measures, "{request}");
                check_budget_and_text(&plan, &parse_budget(budget).unwrap());
            }
            // The quantile's rate ε/(2·L1) = 1/L1, rounded down to a multiple of 2^−32.
            let request = aggregation_request(
                "quantile",
                budget,
                change,
                constraints,
                "default",
                INT_COLUMN,
            );
            let Release::Quantile { quantile, rate } = plan_of(&request).unwrap().release else {
                panic!()
            };
            assert_eq!(quantile, Rational::new(1, 2).unwrap());
            assert_eq!(
                rate,
                ExtRational::Finite(Rational::new((1u128 << 32) / l1, 1 << 32).unwrap())
            );
        }
        // zCDP ρ = 1/2: Gaussian σ² = sensitivity² / (2·share).
        let budget = "zcdp:1/2";
        let expected = [
            ("sum", format!("measure=0:sum;noise=gaussian:{};budget={budget}", 25 * l2_squared)),
            (
                "average",
                format!(
                    "measure=0:sum;noise=gaussian:{};budget=zcdp:1/4\nmeasure=1:count;noise=gaussian:{};budget=zcdp:1/4",
                    32 * l2_squared,
                    2 * l2_squared
                ),
            ),
            (
                "stdev",
                format!(
                    "measure=0:sum_of_squares;noise=gaussian:{};budget=zcdp:1/6\n\
                     measure=1:sum;noise=gaussian:{};budget=zcdp:1/6\n\
                     measure=2:count;noise=gaussian:{};budget=zcdp:1/6",
                    768 * l2_squared,
                    48 * l2_squared,
                    3 * l2_squared
                ),
            ),
        ];
        for (aggregation, measures) in expected {
            let request = aggregation_request(
                aggregation,
                budget,
                change,
                constraints,
                "default",
                INT_COLUMN,
            );
            let plan = plan_of(&request).unwrap();
            assert_eq!(measures_text(&plan), measures, "{request}");
            check_budget_and_text(&plan, &parse_budget(budget).unwrap());
        }
        // The quantile's zCDP rate sqrt(2ρ/L2²) = 1/L2, rounded down (within 2^−28 relative).
        let request = aggregation_request(
            "quantile",
            budget,
            change,
            constraints,
            "default",
            INT_COLUMN,
        );
        let Release::Quantile {
            rate: ExtRational::Finite(rate),
            ..
        } = plan_of(&request).unwrap().release
        else {
            panic!()
        };
        let exact = 1.0 / (l2_squared as f64).sqrt();
        let rate = rate.to_f64_round_down();
        assert!(
            rate <= exact && rate >= exact * (1.0 - 2f64.powi(-27)),
            "{rate} vs {exact}"
        );
        // Laplace under zCDP: scale sensitivity/sqrt(2ρ) = sensitivity for ρ = 1/2.
        let request =
            aggregation_request("sum", budget, change, constraints, "laplace", INT_COLUMN);
        assert_eq!(
            measures_text(&plan_of(&request).unwrap()),
            format!("measure=0:sum;noise=laplace:{};budget={budget}", 5 * l1)
        );
        // get_groups: Laplace with α = L1/ε and the threshold of partition_selection.
        let request = aggregation_request(
            "get_groups",
            "approx:2:1/1000000",
            change,
            constraints,
            "default",
            "",
        );
        let plan = plan_of(&request).unwrap();
        assert_eq!(
            measures_text(&plan),
            format!(
                "measure=0:count;noise=laplace:{};budget=approx:2:1/1000000",
                f(l1, 2)
            )
        );
        assert!(
            matches!(plan.release, Release::CountAboveThreshold { threshold } if threshold > l1 as i64)
        );
        check_budget_and_text(&plan, &parse_budget("approx:2:1/1000000").unwrap());
    }
}

#[test]
fn plans_have_tumults_outputs_partials_and_releases() {
    let plan = |aggregation: &str, column: &str| {
        plan_of(&aggregation_request(
            aggregation,
            "zcdp:1",
            "AddOneRow",
            "",
            "default",
            column,
        ))
        .unwrap()
    };
    let int = Clamp::Int64 {
        lower: -2,
        upper: 5,
    };
    let moments = |shift, squares| PartialSpec::Moments {
        encoding: ValueEncoding {
            clamp: int,
            lattice_exponent: 0,
            shift,
        },
        squares,
    };
    for (aggregation, partial, release, output) in [
        (
            "count",
            PartialSpec::Count,
            Release::Count,
            OutputType::Int64,
        ),
        (
            "count_distinct",
            PartialSpec::Distinct,
            Release::CountDistinct,
            OutputType::Int64,
        ),
        ("sum", moments(0, false), Release::Sum, OutputType::Int64),
        (
            "average",
            moments(2, false),
            Release::Average,
            OutputType::Float64,
        ),
        (
            "variance",
            moments(2, true),
            Release::Variance,
            OutputType::Float64,
        ),
        (
            "stdev",
            moments(2, true),
            Release::Stdev,
            OutputType::Float64,
        ),
    ] {
        let plan = plan(aggregation, INT_COLUMN);
        assert_eq!(
            (plan.partial, plan.release, plan.outputs),
            (partial, release, vec![output]),
            "{aggregation}"
        );
    }
    // A float sum is a double; a quantile is a double over a histogram.
    assert_eq!(plan("sum", FLOAT_COLUMN).outputs, [OutputType::Float64]);
    let quantile = plan("quantile", INT_COLUMN);
    assert_eq!(quantile.outputs, [OutputType::Float64]);
    assert_eq!(
        quantile.partial,
        PartialSpec::Histogram {
            encoding: ValueEncoding {
                clamp: int,
                lattice_exponent: 0,
                shift: 0
            }
        }
    );
}

#[test]
fn a_float_sum_by_hand() {
    // [−1.5, 3], ε = 1, AddOneRow: b₁ = 1 (log2 0), k = ⌊log2 3⌋ + 0 − 40 = −39, R = 3·2^39: scale 3·2^39.
    let request = aggregation_request("sum", "pure:1", "AddOneRow", "", "default", FLOAT_COLUMN);
    let plan = plan_of(&request).unwrap();
    assert_eq!(
        format_measurement_plan(&plan),
        format!(
            "measure=0:sum;noise=laplace:{};budget=pure:1\n\
             partial=moments:float:-1.5:3.0:-39:0\n\
             partial_columns=5:count;6:sum_hi;6:sum_lo\n\
             outputs=double\n\
             release=sum",
            3u128 << 39
        )
    );
    // ε = 2^−20: b₁ = 2^20, k = 1 + 20 − 40 = −19, R = 3·2^19, scale 3·2^39 again: the lattice follows
    // the noise, so the noise in lattice units stays near 2^41.
    let request = aggregation_request(
        "sum",
        "pure:1/1048576",
        "AddOneRow",
        "",
        "default",
        FLOAT_COLUMN,
    );
    let plan = plan_of(&request).unwrap();
    let PartialSpec::Moments { encoding, .. } = plan.partial else {
        panic!()
    };
    assert_eq!(encoding.lattice_exponent, -19);
    assert_eq!(
        measures_text(&plan),
        format!(
            "measure=0:sum;noise=laplace:{};budget=pure:1/1048576",
            3u128 << 39
        )
    );
}

#[test]
fn infinite_budgets_release_exact_values() {
    for budget in ["pure:inf", "approx:inf:0", "approx:1:1", "zcdp:inf"] {
        for aggregation in AGGREGATIONS {
            if aggregation == "get_groups" && !budget.starts_with("approx") {
                continue;
            }
            let request = aggregation_request(
                aggregation,
                budget,
                "AddMaxRows:3",
                "",
                "default",
                FLOAT_COLUMN,
            );
            let plan = plan_of(&request).unwrap();
            assert!(
                plan.measures.iter().all(|m| m.noise == NoiseSpec::NoNoise),
                "{request}"
            );
            check_budget_and_text(&plan, &parse_budget(budget).unwrap());
            match plan.release {
                Release::Quantile { rate, .. } => assert_eq!(rate, ExtRational::Infinite),
                Release::CountAboveThreshold { threshold } => assert_eq!(threshold, -1),
                _ => {}
            }
        }
    }
}

fn refusal(request: &str) -> String {
    match plan_of(request) {
        Err(Error::InvalidArgument(message)) => message,
        other => panic!("expected InvalidArgument for {request}, got {other:?}"),
    }
}

#[test]
fn refusals_name_what_is_wrong() {
    for aggregation in AGGREGATIONS {
        // Gaussian under a DP budget, with Tumult's text (quantile has no mechanism at all).
        for budget in ["pure:1", "approx:1:1/100"] {
            let request = aggregation_request(
                aggregation,
                budget,
                "AddOneRow",
                "",
                "gaussian",
                FLOAT_COLUMN,
            );
            let message = refusal(&request);
            if aggregation == "quantile" {
                assert!(
                    message.contains("mechanism must be default, got gaussian"),
                    "{message}"
                );
            } else if aggregation == "get_groups" && budget.starts_with("pure") {
                assert_eq!(message, "GetGroups is only supported with ApproxDPBudgets.");
            } else {
                assert_eq!(message, GAUSSIAN_UNDER_DP, "{request}");
            }
        }
        // An ID table without a usable constraint is unsupported, as count.
        {
            let request = aggregation_request(
                aggregation,
                "approx:1:1/100",
                "AddRowsWithID",
                "",
                "default",
                FLOAT_COLUMN,
            );
            assert!(
                matches!(plan_of(&request), Err(Error::UnsupportedQuery(_))),
                "{request}"
            );
        }
    }
    let quantile = |q: &str, mechanism: &str| {
        aggregation_request(
            "quantile",
            "pure:1",
            "AddOneRow",
            "",
            mechanism,
            FLOAT_COLUMN,
        )
        .replace("quantile=0.5", &format!("quantile={q}"))
    };
    assert_eq!(
        refusal(&quantile("1.5", "default")),
        "Quantile must be between 0 and 1, and not '1.5'."
    );
    assert_eq!(
        refusal(&quantile("-0.25", "default")),
        "Quantile must be between 0 and 1, and not '-0.25'."
    );
    assert!(refusal(&quantile("NaN", "default")).contains("not 'NaN'"));
    assert!(refusal(&quantile("0.5", "laplace")).contains("mechanism must be default, got laplace"));
    for budget in ["pure:1", "zcdp:1", "pure:inf"] {
        let request = aggregation_request("get_groups", budget, "AddOneRow", "", "default", "");
        assert_eq!(
            refusal(&request),
            "GetGroups is only supported with ApproxDPBudgets."
        );
    }
    let request = aggregation_request("get_groups", "approx:1:0", "AddOneRow", "", "default", "");
    assert!(refusal(&request).contains("GetGroups requires a positive delta"));
    // Bounds, for every aggregation with a column.
    for aggregation in ["sum", "average", "variance", "stdev", "quantile"] {
        for (column, needle) in [
            (
                "column=1:x\ncolumn_type=float\nlow=3.0\nhigh=-1.5",
                "Lower bound '3.0' must be less than the upper bound '-1.5'.",
            ),
            (
                "column=1:x\ncolumn_type=float\nlow=NaN\nhigh=1",
                "lower bound of column 'x' must be a finite number",
            ),
            (
                "column=1:x\ncolumn_type=float\nlow=0\nhigh=Infinity",
                "upper bound of column 'x' must be a finite number",
            ),
            (
                "column=1:x\ncolumn_type=int\nlow=0.5\nhigh=3",
                "lower bound of the integer column 'x' must be an integer",
            ),
            (
                "column=1:x\ncolumn_type=float\nlow=-1.0E300\nhigh=1.0E300",
                "bounds of column 'x'",
            ),
        ] {
            let request =
                aggregation_request(aggregation, "pure:1", "AddOneRow", "", "default", column);
            assert!(
                refusal(&request).contains(needle),
                "{aggregation} {column}: {}",
                refusal(&request)
            );
        }
    }
    // Noise too large to draw (ε = 2^−60 on a sum of [0, 2^40]) is refused naming the budget.
    let column = "column=1:x\ncolumn_type=int\nlow=0\nhigh=1099511627776";
    let request = aggregation_request(
        "sum",
        "pure:1/1152921504606846976",
        "AddOneRow",
        "",
        "default",
        column,
    );
    assert!(
        refusal(&request).contains("epsilon=8.67"),
        "{}",
        refusal(&request)
    );
    // Zero budgets.
    for aggregation in ["sum", "average", "quantile"] {
        let request = aggregation_request(
            aggregation,
            "pure:0",
            "AddOneRow",
            "",
            "default",
            FLOAT_COLUMN,
        );
        assert!(refusal(&request).contains("epsilon"), "{aggregation}");
    }
}

fn any_bound() -> impl proptest::strategy::Strategy<Value = String> {
    use proptest::prelude::*;
    prop_oneof![
        any::<i64>().prop_map(|v| v.to_string()),
        any::<f64>().prop_map(|v| crate::privacy::text::format_bound(
            &crate::privacy::lattice::Bound::Double(v)
        )),
        (-60i32..60, -1000i64..1000).prop_map(|(e, m)| format!("{:?}", m as f64 * 2f64.powi(e))),
    ]
}

proptest::proptest! {
    /// Whatever the bounds, budget, change and aggregation, planning returns a plan whose budgets add up
    /// and whose text reads back, or a user error: never Overflow, Internal or a panic.
    #[test]
    fn planning_never_overflows_or_panics(
        aggregation in 0usize..8,
        budget in proptest::sample::select(vec![
            "pure:1", "pure:1/1000000000000", "pure:340282366920938463463374607431768211455",
            "approx:1/3:1/1000000000", "approx:5:1/2", "zcdp:1/7", "zcdp:1/1000000000000000000000000",
            "pure:inf", "zcdp:inf", "approx:inf:0",
        ]),
        change in proptest::sample::select(vec![
            "AddOneRow", "AddMaxRows:18446744073709551615", "AddMaxRowsInMaxGroups:4294967296:4294967296:1:c",
        ]),
        column_type in proptest::sample::select(vec!["int", "float"]),
        low in any_bound(),
        high in any_bound(),
        quantile in proptest::prelude::any::<f64>(),
        mechanism in proptest::sample::select(vec!["default", "laplace", "gaussian"]),
    ) {
        let column = format!("column=1:x\ncolumn_type={column_type}\nlow={low}\nhigh={high}");
        let request = aggregation_request(AGGREGATIONS[aggregation], budget, change, "", mechanism, &column)
            .replace("quantile=0.5", &format!("quantile={}", crate::privacy::text::format_bound(&crate::privacy::lattice::Bound::Double(quantile))));
        match plan_of(&request) {
            Ok(plan) => check_budget_and_text(&plan, &parse_budget(budget).unwrap()),
            Err(Error::InvalidArgument(_)) => {}
            Err(other) => proptest::prop_assert!(false, "{request}: {other:?}"),
        }
    }
}

/// A count of an ID table with `MaxRowsPerID(3)` grouped by `c`, in a child at ID distance `distance`.
fn child_count(budget: &str, mechanism: &str, distance: &str) -> Result<String> {
    let request = format!(
        "aggregation=count\nbudget={budget}\nchange=AddRowsWithID\nconstraints=MaxRowsPerID:3\n\
         groupby=1:c\nmechanism={mechanism}\nid_distance={distance}"
    );
    Ok(measures_text(&plan_of(&request)?))
}

#[test]
fn a_child_of_an_id_partition_is_compiled_for_tumults_distance() {
    // Tumult: d_in = g = 2 under PureDP/ApproxDP, so MaxRowsPerID(3) gives stability 2·3 and the count's
    // Laplace scale is k·g/ε = 6/2 = 3.
    for budget in ["pure:2", "approx:2:1/10"] {
        assert_eq!(
            child_count(budget, "default", "2").unwrap(),
            format!("measure=0:count;noise=laplace:3;budget={budget}")
        );
    }
    // RhoZCDP: d_in = √2, L2 = √2·3, σ² = L2²/(2ρ) = 18 at ρ = 1/2 (exact: no root taken); Laplace under zCDP
    // uses L1 × ⌈√2⌉ = 6 (rounded up: more noise), scale L1/sqrt(2ρ) = 6.
    assert_eq!(
        child_count("zcdp:1/2", "default", "2").unwrap(),
        "measure=0:count;noise=gaussian:18;budget=zcdp:1/2"
    );
    assert_eq!(
        child_count("zcdp:1/2", "laplace", "2").unwrap(),
        "measure=0:count;noise=laplace:6;budget=zcdp:1/2"
    );
    // Distance 1 is the plain table's plan; a child still needs its own constraint (Tumult's children have none).
    assert_eq!(
        child_count("pure:2", "default", "1").unwrap(),
        "measure=0:count;noise=laplace:3/2;budget=pure:2"
    );
    let unconstrained = "aggregation=count\nbudget=pure:2\nchange=AddRowsWithID\nconstraints=\n\
                         groupby=1:c\nmechanism=default\nid_distance=2";
    assert!(matches!(
        plan_of(unconstrained),
        Err(Error::UnsupportedQuery(_))
    ));
}

#[test]
fn every_aggregation_of_a_child_scales_with_its_distance() {
    // Each measure's noise parameter at distance 4 under PureDP is 4 times the one at distance 1 (Laplace scale
    // ∝ L1); under zCDP σ² is 4 times (L2² × D). The lattice and encodings do not depend on the distance
    // beyond that, so compare the noise of each measure.
    for budget in ["pure:2", "approx:2:1/10", "zcdp:1/2"] {
        for aggregation in ["count", "count_distinct", "sum", "average", "variance"] {
            let request = aggregation_request(
                aggregation,
                budget,
                "AddRowsWithID",
                "MaxRowsPerID:3",
                "default",
                INT_COLUMN,
            );
            let at_one = plan_of(&request).unwrap();
            let at_four = plan_of(&format!("{request}\nid_distance=4")).unwrap();
            for (one, four) in at_one.measures.iter().zip(&at_four.measures) {
                let (one, four) = match (one.noise, four.noise) {
                    (
                        NoiseSpec::DiscreteLaplace { scale: a },
                        NoiseSpec::DiscreteLaplace { scale: b },
                    ) => (a, b),
                    (
                        NoiseSpec::DiscreteGaussian { sigma_squared: a },
                        NoiseSpec::DiscreteGaussian { sigma_squared: b },
                    ) => (a, b),
                    other => panic!("{budget} {aggregation}: {other:?}"),
                };
                assert_eq!(
                    four,
                    one.checked_mul_integer(4).unwrap(),
                    "{budget} {aggregation}"
                );
            }
        }
    }
}
