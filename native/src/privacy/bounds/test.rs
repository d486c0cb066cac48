//! get_bounds plans against hand-derived noise (α = 4·L1/ε, threshold α/2), text round trips, refusals.
use crate::error::Error;
use crate::privacy::measurement::plan_measurement;
use crate::privacy::plan::{MeasurementPlan, OutputType, PartialSpec, Release};
use crate::privacy::plan_text::{format_measurement_plan, parse_measurement_plan};
use crate::privacy::text::parse_measurement_request;
use crate::privacy::Rational;

fn request(
    budget: &str,
    change: &str,
    constraints: &str,
    mechanism: &str,
    column_type: &str,
) -> String {
    format!(
        "aggregation=get_bounds\nbudget={budget}\nchange={change}\nconstraints={constraints}\ngroupby=1:c\n\
         mechanism={mechanism}\ncolumn=3:age\ncolumn_type={column_type}"
    )
}

fn plan_of(text: &str) -> crate::error::Result<MeasurementPlan> {
    plan_measurement(&parse_measurement_request(text)?)
}

fn plan_text(budget: &str, change: &str, constraints: &str, column_type: &str) -> String {
    format_measurement_plan(
        &plan_of(&request(
            budget,
            change,
            constraints,
            "default",
            column_type,
        ))
        .unwrap(),
    )
}

#[test]
fn noise_is_four_l1_over_epsilon_and_half_of_it_for_the_threshold() {
    // (change, constraints, L1): the count's L1 sensitivity.
    let changes = [
        ("AddOneRow", "", 1u128),
        ("AddMaxRows:3", "", 3),
        ("AddMaxRowsInMaxGroups:2:3:1:c", "", 6),
        ("AddRowsWithID", "MaxRowsPerID:4", 4),
        (
            "AddRowsWithID",
            "MaxGroupsPerID:2:1:c;MaxRowsPerGroupPerID:3:1:c",
            6,
        ),
    ];
    let fraction = |n: u128, d: u128| Rational::new(n, d).unwrap().to_string();
    for (change, constraints, l1) in changes {
        // ε = 2; ApproxDP spends ε only (δ stays on the line, as for count); zCDP ρ = 1/8: ε = √(2ρ) = 1/2.
        for (budget, epsilon_num, epsilon_den, zero) in [
            ("pure:2", 2u128, 1u128, "pure:0"),
            ("approx:2:1/10", 2, 1, "approx:0:0"),
            ("zcdp:1/8", 1, 2, "zcdp:0"),
        ] {
            let expected = format!(
                "measure=0:bounds_threshold;noise=laplace:{};budget={budget}\n\
                 measure=1:bounds_prefix;noise=laplace:{};budget={zero}\n\
                 partial=log_bins:int:0:62\npartial_columns=3:bin;5:count\noutputs=bigint,bigint\n\
                 release=bounds:19/20",
                fraction(2 * l1 * epsilon_den, epsilon_num),
                fraction(4 * l1 * epsilon_den, epsilon_num),
            );
            assert_eq!(
                plan_text(budget, change, constraints, "int"),
                expected,
                "{change} {budget}"
            );
        }
    }
    // zCDP with an irrational √(2ρ): ε is rounded down, so both scales are at least the exact ones.
    let plan = plan_of(&request("zcdp:1", "AddOneRow", "", "default", "float")).unwrap();
    let scale = |i: usize| match plan.measures[i].noise {
        crate::privacy::NoiseSpec::DiscreteLaplace { scale } => scale,
        other => panic!("{other:?}"),
    };
    // scale² ≥ (k·L1)²/(2ρ) = k²/2 for k = 2, 4.
    assert!(scale(0).checked_square().unwrap() >= Rational::new(4, 2).unwrap());
    assert!(scale(1).checked_square().unwrap() >= Rational::new(16, 2).unwrap());
    assert!(
        scale(1) < Rational::new(2829, 1000).unwrap(),
        "{}",
        scale(1)
    );
}

#[test]
fn float_columns_use_bins_minus_100_to_100_and_double_outputs() {
    let plan = plan_of(&request("pure:1", "AddOneRow", "", "default", "float")).unwrap();
    assert_eq!(
        plan.partial,
        PartialSpec::LogBins {
            value: OutputType::Float64,
            lowest: -100,
            highest: 100
        }
    );
    assert_eq!(plan.outputs, vec![OutputType::Float64, OutputType::Float64]);
    assert_eq!(
        plan.release,
        Release::Bounds {
            threshold_fraction: Rational::new(19, 20).unwrap()
        }
    );
}

#[test]
fn an_infinite_budget_draws_no_noise() {
    for budget in ["pure:inf", "approx:inf:0", "approx:1:1", "zcdp:inf"] {
        let text = plan_text(budget, "AddOneRow", "", "float");
        assert!(
            text.starts_with("measure=0:bounds_threshold;noise=none;"),
            "{text}"
        );
        assert!(
            text.contains("measure=1:bounds_prefix;noise=none;"),
            "{text}"
        );
    }
}

#[test]
fn plan_texts_round_trip_and_bad_ones_are_refused() {
    for column_type in ["int", "float"] {
        for budget in ["pure:3/7", "approx:1:1/1000", "zcdp:5", "pure:inf"] {
            let plan =
                plan_of(&request(budget, "AddMaxRows:2", "", "default", column_type)).unwrap();
            let text = format_measurement_plan(&plan);
            assert_eq!(parse_measurement_plan(&text).unwrap(), plan, "{text}");
        }
    }
    let good = plan_text("pure:1", "AddOneRow", "", "int");
    for (from, to) in [
        ("log_bins:int:0:62", "log_bins:int:-1:62"),
        ("log_bins:int:0:62", "log_bins:int:0:63"),
        ("log_bins:int:0:62", "log_bins:int:5:4"),
        ("log_bins:int:0:62", "log_bins:decimal:0:62"),
        ("log_bins:int:0:62", "log_bins:int:0"),
        ("log_bins:int:0:62", "log_bins:float:-1023:0"),
        ("bounds:19/20", "bounds:0"),
        ("bounds:19/20", "bounds:21/20"),
        ("bounds:19/20", "bounds:inf"),
        ("bounds:19/20", "bounds:"),
    ] {
        let bad = good.replace(from, to);
        assert!(
            matches!(parse_measurement_plan(&bad), Err(Error::InvalidArgument(_))),
            "{bad}"
        );
    }
}

fn refusal(text: &str) -> String {
    match plan_of(text) {
        Err(Error::InvalidArgument(message)) => message,
        other => panic!("expected InvalidArgument for {text}, got {other:?}"),
    }
}

#[test]
fn refusals_name_what_is_wrong() {
    for mechanism in ["laplace", "gaussian"] {
        for budget in ["pure:1", "zcdp:1"] {
            assert_eq!(
                refusal(&request(budget, "AddOneRow", "", mechanism, "int")),
                format!(
                    "get_bounds has no noise mechanism to choose: mechanism must be default, got {mechanism}."
                )
            );
        }
    }
    let base = request("pure:1", "AddOneRow", "", "default", "int");
    assert!(refusal(&format!("{base}\nlow=0"))
        .contains("key 'low' is not taken by the aggregation 'get_bounds'"));
    assert!(refusal(&format!("{base}\nhigh=0")).contains("key 'high' is not taken"));
    assert!(refusal(&format!("{base}\nquantile=0.5")).contains("key 'quantile' is not taken"));
    assert!(
        refusal(&base.replace("\ncolumn_type=int", "")).contains("key 'column_type' is missing")
    );
    assert!(refusal(&base.replace("\ncolumn=3:age", "")).contains("key 'column' is missing"));
    assert!(refusal(&base.replace("pure:1", "pure:0")).contains("epsilon"));
    assert!(refusal(&base.replace("pure:1", "zcdp:0")).contains("rho"));
    // Noise too large to draw is refused naming the budget.
    assert!(refusal(&base.replace("pure:1", "pure:1/1152921504606846976")).contains("epsilon"));
    // An ID table without a usable constraint: UnsupportedQuery, as count, whatever the budget.
    for budget in ["pure:1", "pure:inf"] {
        let unsupported = request(budget, "AddRowsWithID", "", "default", "float");
        assert!(
            matches!(plan_of(&unsupported), Err(Error::UnsupportedQuery(_))),
            "{budget}"
        );
    }
}
