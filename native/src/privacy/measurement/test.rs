//! Plans for every protected change × constraint set × budget type × mechanism, against hand-derived
//! noise (sensitivities from the table in `sensitivity.rs`).
use super::*;
use crate::error::Error;
use crate::privacy::plan_text::format_measurement_plan;
use crate::privacy::text::{format_plan, parse_measurement_request};

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
