//! Tests of the glue behind each JNI method, without a JVM. They go through the real `privacy::text`
//! parsers, `privacy` arithmetic and `sample` key handling.
use std::collections::BTreeMap;
use std::sync::Arc;

use arrow::array::{Array, AsArray, Int64Array};
use arrow::datatypes::{DataType, Field, Int64Type, Schema};
use arrow::record_batch::RecordBatch;

use super::*;
use crate::error::Error;

fn int64_ipc(columns: &[(&str, Vec<Option<i64>>)]) -> Vec<u8> {
    let schema = Arc::new(Schema::new(
        columns
            .iter()
            .map(|(name, _)| Field::new(*name, DataType::Int64, true))
            .collect::<Vec<_>>(),
    ));
    let arrays = columns
        .iter()
        .map(|(_, values)| Arc::new(Int64Array::from(values.clone())) as arrow::array::ArrayRef)
        .collect();
    let batch = RecordBatch::try_new(schema.clone(), arrays).expect("batch");
    ipc::write_stream(&schema, &[batch]).expect("write")
}

fn is_invalid_argument_containing(result: &Result<impl std::fmt::Debug>, fragment: &str) -> bool {
    matches!(result, Err(Error::InvalidArgument(message)) if message.contains(fragment))
}

#[test]
fn library_version_is_the_crate_version() {
    assert_eq!(library_version(), env!("CARGO_PKG_VERSION"));
    assert_eq!(library_version().split('.').count(), 3);
}

#[test]
fn derive_key_rejects_a_secret_of_the_wrong_length_naming_it() {
    let result = derive_key(&[0u8; 31], "noise");
    assert!(
        is_invalid_argument_containing(&result, "32 bytes, got 31"),
        "{result:?}"
    );
}

#[test]
fn derive_key_is_deterministic_and_32_bytes() {
    let child = derive_key(&[5u8; 32], "noise").expect("derive");
    assert_eq!(child.len(), 32);
    assert_eq!(derive_key(&[5u8; 32], "noise").expect("derive"), child);
}

#[test]
fn derive_key_separates_purposes_and_hides_the_parent() {
    let parent = [5u8; 32];
    let noise_key = derive_key(&parent, "noise").expect("derive");
    assert_ne!(
        noise_key,
        derive_key(&parent, "truncation").expect("derive")
    );
    assert_ne!(noise_key, parent.to_vec());
}

#[test]
fn new_session_secrets_are_32_fresh_bytes() {
    let first = new_session_secret().expect("secret");
    assert_eq!(first.len(), 32);
    assert_ne!(first, new_session_secret().expect("secret"));
}

#[test]
fn exact_from_double_is_exact_and_infinity_is_inf() {
    assert_eq!(
        exact_from_double(f64::INFINITY, "epsilon"),
        Ok("inf".to_string())
    );
    assert_eq!(exact_from_double(2.0, "epsilon"), Ok("2".to_string()));
    assert_eq!(exact_from_double(0.5, "epsilon"), Ok("1/2".to_string()));
    // 0.1 is not 1/10 in binary; the exact dyadic value is 3602879701896397 / 2^55.
    assert_eq!(
        exact_from_double(0.1, "epsilon"),
        Ok("3602879701896397/36028797018963968".to_string())
    );
}

#[test]
fn exact_from_double_refuses_a_double_without_an_exact_form_as_invalid_argument() {
    for value in [1e-23, 1e-30, 5e-324, f64::MAX, 1e39] {
        let result = exact_from_double(value, "epsilon");
        assert!(
            is_invalid_argument_containing(&result, &format!("epsilon ({value:?})")),
            "{value}: {result:?}"
        );
    }
    assert!(exact_from_double(Rational::LARGEST_F64, "epsilon").is_ok());
}

#[test]
fn exact_from_double_rejects_nan_and_negative_values_naming_the_setting() {
    for bad_value in [f64::NAN, -1.0, f64::NEG_INFINITY] {
        let result = exact_from_double(bad_value, "epsilon");
        assert!(
            is_invalid_argument_containing(&result, "epsilon"),
            "{bad_value}: {result:?}"
        );
    }
}

#[test]
fn number_to_double_rounds_outward_as_asked() {
    let up = number_to_double("1/3", true).expect("up");
    let down = number_to_double("1/3", false).expect("down");
    assert!(down < up && up - down <= f64::EPSILON, "{down} .. {up}");
    assert!(3.0 * down <= 1.0 && 3.0 * up >= 1.0);
    assert_eq!(number_to_double("2", true), Ok(2.0));
    assert_eq!(number_to_double("2", false), Ok(2.0));
    assert_eq!(number_to_double("inf", false), Ok(f64::INFINITY));
    assert!(matches!(
        number_to_double("-1", true),
        Err(Error::InvalidArgument(_))
    ));
}

#[test]
fn budget_subtract_is_exact() {
    assert_eq!(
        budget_subtract("pure:2", "pure:1/2"),
        Ok("pure:3/2".to_string())
    );
    assert_eq!(
        budget_subtract("zcdp:1", "zcdp:1"),
        Ok("zcdp:0".to_string())
    );
}

#[test]
fn budget_subtract_beyond_the_remaining_budget_is_insufficient_budget() {
    assert!(matches!(
        budget_subtract("pure:1", "pure:2"),
        Err(Error::InsufficientBudget(_))
    ));
}

#[test]
fn budget_subtract_of_another_budget_type_is_invalid_argument() {
    assert!(matches!(
        budget_subtract("pure:1", "zcdp:1/2"),
        Err(Error::InvalidArgument(_))
    ));
    assert!(is_invalid_argument_containing(
        &budget_subtract("pure:x", "pure:1"),
        "pure:x"
    ));
}

#[test]
fn budget_covers_compares_exactly() {
    assert_eq!(budget_covers("pure:1", "pure:1"), Ok(true));
    assert_eq!(budget_covers("pure:1", "pure:1000001/1000000"), Ok(false));
    assert_eq!(budget_covers("pure:inf", "pure:1000"), Ok(true));
    assert!(matches!(
        budget_covers("pure:1", "zcdp:1"),
        Err(Error::InvalidArgument(_))
    ));
}

/// The seed query: AddRowsWithID + MaxRowsPerID(20) under PureDP(2) → discrete Laplace, scale 20/2.
#[test]
fn count_noise_of_the_seed_query_is_laplace_with_scale_ten() {
    assert_eq!(
        count_noise_text(
            "pure:2",
            "AddRowsWithID",
            "MaxRowsPerID:20",
            "5:title",
            "default"
        ),
        Ok("laplace:10".to_string())
    );
}

#[test]
fn count_noise_with_an_infinite_budget_is_none() {
    assert_eq!(
        count_noise_text("pure:inf", "AddOneRow", "", "5:title", "default"),
        Ok("none".to_string())
    );
}

#[test]
fn count_noise_without_a_bounding_constraint_is_unsupported_query() {
    assert!(matches!(
        count_noise_text("pure:1", "AddRowsWithID", "", "5:title", "default"),
        Err(Error::UnsupportedQuery(_))
    ));
}

/// The mechanism text reaches the calibration: case-insensitive names, Laplace under zCDP, Gaussian
/// refused under pure DP, unknown names named in the error.
#[test]
fn count_noise_text_takes_the_mechanism() {
    // zCDP ρ = 1/2, Δ = 1: Gaussian σ² = 1; Laplace scale 1/sqrt(2ρ) = 1.
    assert_eq!(
        count_noise_text("zcdp:1/2", "AddOneRow", "", "5:title", "Default"),
        Ok("gaussian:1".to_string())
    );
    assert_eq!(
        count_noise_text("zcdp:1/2", "AddOneRow", "", "5:title", "LAPLACE"),
        Ok("laplace:1".to_string())
    );
    assert_eq!(
        count_noise_text("zcdp:1/2", "AddOneRow", "", "5:title", "gaussian"),
        Ok("gaussian:1".to_string())
    );
    match count_noise_text("pure:1", "AddOneRow", "", "5:title", "Gaussian") {
        Err(Error::InvalidArgument(message)) => assert!(
            message.contains("only supported when using a RhoZCDP budget"),
            "{message}"
        ),
        other => panic!("{other:?}"),
    }
    match count_noise_text("pure:1", "AddOneRow", "", "5:title", "geometric") {
        Err(Error::InvalidArgument(message)) => {
            assert!(message.contains("'geometric'"), "{message}")
        }
        other => panic!("{other:?}"),
    }
}

/// The groupby columns text reaches the sensitivity rule: MaxGroupsPerID('isbn', 3) and
/// MaxRowsPerGroupPerID('isbn', 2) under zCDP ρ = 1/2 give σ² = L2² = 3·2² = 12 when the count groups by
/// isbn, and (3·2)² = 36 when it does not; malformed column lists are refused.
#[test]
fn count_noise_text_takes_the_groupby_columns() {
    let pair = "MaxGroupsPerID:3:4:isbn;MaxRowsPerGroupPerID:2:4:isbn";
    assert_eq!(
        count_noise_text(
            "zcdp:1/2",
            "AddRowsWithID",
            pair,
            "5:title;4:isbn",
            "default"
        ),
        Ok("gaussian:12".to_string())
    );
    assert_eq!(
        count_noise_text("zcdp:1/2", "AddRowsWithID", pair, "5:title", "default"),
        Ok("gaussian:36".to_string())
    );
    assert!(matches!(
        count_noise_text("zcdp:1/2", "AddRowsWithID", pair, "9:title", "default"),
        Err(Error::InvalidArgument(_))
    ));
}

#[test]
fn count_noise_text_rejects_an_unknown_mechanism_naming_it() {
    match count_noise_text("pure:1", "AddOneRow", "", "5:title", "geometric") {
        Err(Error::InvalidArgument(message)) => {
            assert!(message.contains("'geometric'"), "{message}")
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn count_by_key_ipc_round_trips() {
    let input = int64_ipc(&[("key", vec![Some(2), None, Some(2), Some(9)])]);
    let (schema, batches) =
        ipc::read_stream(&count_by_key_ipc(&input).expect("count"), "output").expect("read");
    assert_eq!(schema, super::count_by_key::output_schema());
    assert_eq!(batches.len(), 1);
    let keys = batches[0].column(0).as_primitive::<Int64Type>();
    let counts = batches[0].column(1).as_primitive::<Int64Type>();
    let by_key: BTreeMap<Option<i64>, i64> = (0..keys.len())
        .map(|row| {
            (
                keys.is_valid(row).then(|| keys.value(row)),
                counts.value(row),
            )
        })
        .collect();
    assert_eq!(
        by_key,
        BTreeMap::from([(None, 1), (Some(2), 2), (Some(9), 1)])
    );
}

#[test]
fn count_by_key_ipc_rejects_bad_bytes_as_invalid_argument() {
    assert!(is_invalid_argument_containing(
        &count_by_key_ipc(b"nope"),
        "countByKey input: not a valid Arrow IPC stream"
    ));
}

#[test]
fn add_noise_ipc_without_noise_returns_the_input_values() {
    let input = int64_ipc(&[
        ("key", vec![Some(1), Some(2)]),
        ("value", vec![Some(10), Some(-3)]),
    ]);
    let output = add_noise_ipc(&input, &[0u8; 32], 0, "none").expect("add");
    assert_eq!(
        ipc::read_stream(&output, "output"),
        ipc::read_stream(&input, "input")
    );
}

#[test]
fn add_noise_ipc_rejects_a_negative_query_index() {
    let input = int64_ipc(&[("key", vec![Some(1)]), ("value", vec![Some(10)])]);
    assert_eq!(
        add_noise_ipc(&input, &[0u8; 32], -1, "none"),
        Err(Error::InvalidArgument(
            "queryIndex (-1) must not be negative".to_string()
        ))
    );
}

#[test]
fn add_noise_ipc_rejects_a_short_secret_and_bad_noise_text() {
    let input = int64_ipc(&[("key", vec![Some(1)]), ("value", vec![Some(10)])]);
    assert!(is_invalid_argument_containing(
        &add_noise_ipc(&input, &[0u8; 16], 0, "none"),
        "got 16"
    ));
    assert!(is_invalid_argument_containing(
        &add_noise_ipc(&input, &[0u8; 32], 0, "laplace:x"),
        "laplace:x"
    ));
}

#[test]
fn add_noise_ipc_names_its_input_in_ipc_errors() {
    let result = add_noise_ipc(b"nope", &[0u8; 32], 0, "none");
    assert!(
        is_invalid_argument_containing(&result, "addNoise input: not a valid Arrow IPC stream"),
        "{result:?}"
    );
}

// ----- the structured calls of COMPILER_INTERFACES.md §3 -----

#[test]
fn plan_measurement_text_of_the_seed_query() {
    let request =
        "aggregation=count\nbudget=pure:2\nchange=AddRowsWithID\nconstraints=MaxRowsPerID:20\n\
                   groupby=5:title;6:author;4:isbn\nmechanism=default";
    assert_eq!(
        plan_measurement_text(request),
        Ok("measure=0:count;noise=laplace:10;budget=pure:2".to_string())
    );
    let unsupported = request.replace("MaxRowsPerID:20", "");
    assert_eq!(
        plan_measurement_text(&unsupported),
        Err(Error::UnsupportedQuery(
            "A constraint on the number of rows contributed by each ID is needed to perform this query \
             (e.g. MaxRowsPerID)."
                .to_string()
        ))
    );
    assert!(is_invalid_argument_containing(
        &plan_measurement_text(&request.replace("mechanism=default", "mechanism=exponential")),
        "key 'mechanism'"
    ));
}

#[test]
fn budget_from_doubles_gives_exact_or_rounded_down_text() {
    assert_eq!(
        budget_from_doubles("approx", 0.5, 0.25),
        Ok("approx:1/2:1/4".to_string())
    );
    assert_eq!(
        budget_from_doubles("zcdp", f64::INFINITY, 0.0),
        Ok("zcdp:inf".to_string())
    );
    let tiny = budget_from_doubles("pure", 1e-23, 0.0).unwrap();
    let denominator: u128 = tiny.split_once('/').unwrap().1.parse().unwrap();
    assert!(
        denominator.is_power_of_two() && denominator <= 1 << 127,
        "{tiny}"
    );
    assert!(
        budget_to_doubles(&tiny, true).unwrap()[0] <= 1e-23,
        "{tiny}"
    );
    assert!(is_invalid_argument_containing(
        &budget_from_doubles("pure", 1e300, 0.0),
        "Cannot construct a PureDPBudget with epsilon of 1e300."
    ));
    assert!(is_invalid_argument_containing(
        &budget_from_doubles("pure", -1.0, 0.0),
        "Epsilon must be non-negative."
    ));
}

#[test]
fn budget_charge_applies_tumults_tolerance_and_messages() {
    assert_eq!(
        budget_charge("pure:2", "pure:1/2"),
        Ok("pure:1/2".to_string())
    );
    assert_eq!(
        budget_charge("pure:1", "pure:1000000001/1000000000"),
        Ok("pure:1".to_string())
    );
    assert_eq!(
        budget_charge("pure:1", "pure:1000000002/1000000000"),
        Err(Error::InsufficientBudget(
            "Cannot answer query without exceeding the Session privacy budget.\nRequested: ε=1.000\n\
             Remaining: ε=1.000\nDifference: ε=0.000e+00"
                .to_string()
        ))
    );
    assert!(is_invalid_argument_containing(
        &budget_charge("pure:1", "zcdp:1"),
        "Your requested privacy budget type must match"
    ));
}

#[test]
fn budget_subtract_of_a_charged_budget_never_fails() {
    let remaining = budget_from_doubles("pure", 1e12, 0.0).unwrap();
    let requested = budget_from_doubles("pure", 1e-12, 0.0).unwrap();
    let charged = budget_charge(&remaining, &requested).unwrap();
    let left = budget_subtract(&remaining, &charged).unwrap();
    let left_value = budget_to_doubles(&left, true).unwrap();
    assert!(left_value[0] <= 1e12, "{left}");
}

#[test]
fn budget_to_doubles_gives_one_or_two_values() {
    assert_eq!(budget_to_doubles("pure:1/4", false), Ok(vec![0.25]));
    assert_eq!(
        budget_to_doubles("approx:inf:1/2", true),
        Ok(vec![f64::INFINITY, 0.5])
    );
    let [down] = budget_to_doubles("zcdp:1/3", false).unwrap()[..] else {
        panic!()
    };
    let [up] = budget_to_doubles("zcdp:1/3", true).unwrap()[..] else {
        panic!()
    };
    assert!(down < up);
    assert!(is_invalid_argument_containing(
        &budget_to_doubles("zcdp", true),
        "'zcdp'"
    ));
}

#[test]
fn truncation_through_the_edge_ops() {
    use arrow::array::BinaryArray;
    let schema = Arc::new(Schema::new(vec![
        Field::new("id", DataType::Binary, false),
        Field::new("row_hash", DataType::Int64, false),
        Field::new("fp", DataType::Int64, true),
    ]));
    let batch = RecordBatch::try_new(
        schema.clone(),
        vec![
            Arc::new(BinaryArray::from_iter_values([b"a", b"a", b"b"])),
            Arc::new(Int64Array::from(vec![2, 1, 5])),
            Arc::new(Int64Array::from(vec![Some(7), Some(8), None])),
        ],
    )
    .expect("batch");
    let input = ipc::write_stream(&schema, &[batch]).expect("write");
    let handle = truncation_open("MaxRowsPerID:1", "").unwrap();
    truncation_offer(handle, &input).unwrap();
    let output = truncation_finish(handle).unwrap();
    let (_, batches) = ipc::read_stream(&output, "test").unwrap();
    let fps = batches[0].column(0).as_primitive::<Int64Type>();
    let counts = batches[0].column(1).as_primitive::<Int64Type>();
    let pairs: Vec<(Option<i64>, i64)> = (0..fps.len())
        .map(|row| (fps.is_valid(row).then(|| fps.value(row)), counts.value(row)))
        .collect();
    assert_eq!(pairs, vec![(None, 1), (Some(8), 1)]);
    // Finished: the handle is gone; close is idempotent.
    assert!(is_invalid_argument_containing(
        &truncation_offer(handle, &input),
        "unknown truncation handle"
    ));
    assert_eq!(truncation_close(handle), Ok(()));
    // Bad texts and bad IPC are IAE; a failed offer frees the handle.
    assert!(is_invalid_argument_containing(
        &truncation_open("MaxRowsPerID:0", ""),
        "MaxRowsPerID"
    ));
    assert!(is_invalid_argument_containing(
        &truncation_open("MaxGroupsPerID:2:1:c", ""),
        "grouping columns"
    ));
    let handle = truncation_open("MaxGroupsPerID:2:1:c", "1:c").unwrap();
    assert!(is_invalid_argument_containing(
        &truncation_offer(handle, &[1, 2, 3]),
        "truncationOffer input"
    ));
    assert!(is_invalid_argument_containing(
        &truncation_finish(handle),
        "unknown truncation handle"
    ));
}

// ----- valid budgets at the edge of u128/u128 never give Err(Overflow) (an ArithmeticException) -----

/// The budget text of a user's double (as `budgetFromDoubles`) for kind "pure", "approx" (δ = 1e-6) or "zcdp".
fn user_budget(kind: &str, value: f64) -> String {
    budget_from_doubles(kind, value, 1e-6).unwrap()
}

fn count_request(budget: &str, change: &str, constraints: &str, mechanism: &str) -> String {
    format!(
        "aggregation=count\nbudget={budget}\nchange={change}\nconstraints={constraints}\n\
         groupby=1:c\nmechanism={mechanism}"
    )
}

const EXTREME_DOUBLES: [f64; 7] = [
    1e-23,
    1e-30,
    f64::MIN_POSITIVE,
    5e-324,
    1.0,
    1e30,
    Rational::LARGEST_F64,
];

#[test]
fn plan_measurement_never_overflows_for_a_valid_budget() {
    let huge = u64::MAX;
    let tables = [
        ("AddRowsWithID".to_string(), "MaxRowsPerID:20".to_string()),
        ("AddRowsWithID".to_string(), format!("MaxRowsPerID:{huge}")),
        (
            "AddRowsWithID".to_string(),
            format!("MaxRowsPerID:{}", huge - 1),
        ),
        (format!("AddMaxRows:{huge}"), String::new()),
        (
            format!("AddMaxRowsInMaxGroups:{huge}:{huge}:1:c"),
            String::new(),
        ),
        (
            "AddRowsWithID".to_string(),
            format!("MaxGroupsPerID:{huge}:1:c;MaxRowsPerGroupPerID:{huge}:1:c"),
        ),
        (
            "AddRowsWithID".to_string(),
            format!("MaxRowsPerID:3;MaxGroupsPerID:{huge}:1:d;MaxRowsPerGroupPerID:{huge}:1:d"),
        ),
    ];
    for kind in ["pure", "approx", "zcdp"] {
        for value in EXTREME_DOUBLES {
            let budget = user_budget(kind, value);
            for (change, constraints) in &tables {
                for mechanism in ["default", "laplace", "gaussian"] {
                    let request = count_request(&budget, change, constraints, mechanism);
                    match plan_measurement_text(&request) {
                        Ok(plan) => {
                            let noise = plan.split(";noise=").nth(1).unwrap();
                            let parameter = noise.split(';').next().unwrap();
                            let value = parameter.split(':').nth(1).unwrap();
                            let exact = crate::privacy::text::parse_number(value).unwrap();
                            let limit = if parameter.starts_with("laplace") {
                                1u128 << 56
                            } else {
                                1u128 << 112
                            };
                            assert!(
                                exact <= crate::privacy::ExtRational::from_integer(limit),
                                "{request}\n-> {plan}"
                            );
                        }
                        Err(Error::InvalidArgument(message)) => assert!(
                            message.starts_with("Gaussian noise is only supported")
                                || message.contains("budget of zero")
                                || message.starts_with("The sensitivity of this count")
                                // A large budget always gets drawable noise for these sensitivities.
                                || (value < 1e30 && message.starts_with("The noise scale for")),
                            "{request}\n-> {message}"
                        ),
                        Err(other) => panic!("{request}\n-> {other:?}"),
                    }
                }
            }
        }
    }
}

#[test]
fn a_tiny_epsilon_is_refused_naming_the_budget_and_the_sensitivity() {
    for (kind, value) in [("pure", 1e-23), ("approx", 1e-23), ("pure", 1e-30)] {
        let budget = user_budget(kind, value);
        let result = plan_measurement_text(&count_request(
            &budget,
            "AddRowsWithID",
            "MaxRowsPerID:20",
            "default",
        ));
        let Err(Error::InvalidArgument(message)) = result else {
            panic!("{result:?}");
        };
        assert!(
            message.starts_with("The noise scale for epsilon="),
            "{message}"
        );
        assert!(message.contains("L1 sensitivity 20"), "{message}");
        assert!(message.contains("Use a larger epsilon"), "{message}");
    }
}

#[test]
fn a_tiny_rho_still_runs_where_the_noise_fits_and_is_refused_where_it_does_not() {
    // ρ = 1e-23, Δ₂² = 400: σ² ≈ 2e25 < 2^112, and the Laplace scale under ρ ≈ 4.5e12 < 2^56.
    let budget = user_budget("zcdp", 1e-23);
    for mechanism in ["default", "laplace"] {
        let plan = plan_measurement_text(&count_request(
            &budget,
            "AddRowsWithID",
            "MaxRowsPerID:20",
            mechanism,
        ));
        assert!(plan.is_ok(), "{mechanism}: {plan:?}");
    }
    // ρ = 1e-37 (just above 2^-127): σ² ≈ 2e39 would not even fit u128.
    let Err(Error::InvalidArgument(message)) = plan_measurement_text(&count_request(
        &user_budget("zcdp", 1e-37),
        "AddRowsWithID",
        "MaxRowsPerID:20",
        "default",
    )) else {
        panic!()
    };
    assert!(message.starts_with("The noise scale for rho="), "{message}");
    assert!(message.contains("Use a larger rho"), "{message}");
    assert!(message.contains("would be above 2^128"), "{message}");
    // Below 2^-127 (e.g. the smallest positive double) a budget rounds down to zero: refused as such.
    let zero = plan_measurement_text(&count_request(
        &user_budget("zcdp", f64::MIN_POSITIVE),
        "AddRowsWithID",
        "MaxRowsPerID:20",
        "default",
    ));
    assert!(
        is_invalid_argument_containing(&zero, "budget of zero"),
        "{zero:?}"
    );
}

#[test]
fn budget_edge_ops_never_overflow_for_valid_doubles() {
    for kind in ["pure", "approx", "zcdp"] {
        let budgets: Vec<String> = EXTREME_DOUBLES
            .iter()
            .chain([f64::INFINITY, 0.0].iter())
            .map(|&value| user_budget(kind, value))
            .collect();
        for remaining in &budgets {
            for round_up in [false, true] {
                assert!(
                    budget_to_doubles(remaining, round_up).is_ok(),
                    "{remaining}"
                );
            }
            for requested in &budgets {
                match budget_charge(remaining, requested) {
                    Ok(charged) => {
                        let left = budget_subtract(remaining, &charged);
                        assert!(left.is_ok(), "{remaining} - {charged}: {left:?}");
                    }
                    Err(Error::InsufficientBudget(_)) => {}
                    Err(other) => panic!("charge {requested} of {remaining}: {other:?}"),
                }
            }
        }
    }
    // Mixed denominators near 2^128: the exact difference does not fit, the rounded one does.
    let remaining = "pure:340282366920938463463374607431768211455/7";
    let charged = "pure:1/340282366920938463463374607431768211453";
    assert!(budget_subtract(remaining, charged).is_ok());
}

// ----- issue 9: partials and the release pass through their text forms -----

fn int_sum_plan() -> crate::privacy::plan::MeasurementPlan {
    use crate::privacy::measurement::PlannedMeasure;
    use crate::privacy::plan::{
        Clamp, MeasurementPlan, OutputType, PartialSpec, Release, ValueEncoding,
    };
    use crate::privacy::NoiseSpec;
    MeasurementPlan {
        measures: vec![PlannedMeasure {
            index: 0,
            name: "sum",
            noise: NoiseSpec::NoNoise,
            budget: Budget::PureDP {
                epsilon: ExtRational::Infinite,
            },
        }],
        partial: PartialSpec::Moments {
            encoding: ValueEncoding {
                clamp: Clamp::Int64 {
                    lower: -5,
                    upper: 5,
                },
                lattice_exponent: 0,
                shift: 0,
            },
            squares: false,
        },
        release: Release::Sum,
        outputs: vec![OutputType::Int64],
    }
}

#[test]
fn a_sum_goes_through_partials_and_release_by_text() {
    use crate::privacy::plan_text::{format_measurement_plan, format_partial_spec};
    let plan = int_sum_plan();
    let plan_text = format_measurement_plan(&plan);
    let handle = truncation_open_partial("", "", &format_partial_spec(&plan.partial)).unwrap();
    let rows = int64_ipc(&[
        ("fp", vec![Some(1), Some(1), Some(2), Some(3)]),
        ("value_0", vec![Some(4), Some(9), None, Some(-2)]),
    ]);
    truncation_offer(handle, &rows).unwrap();
    let (_, partials) = ipc::read_stream(&truncation_finish(handle).unwrap(), "test").unwrap();
    let column = |name: &str| -> Vec<Option<i64>> {
        let array = partials[0]
            .column_by_name(name)
            .unwrap()
            .as_primitive::<Int64Type>();
        (0..array.len())
            .map(|row| array.is_valid(row).then(|| array.value(row)))
            .collect()
    };
    assert_eq!(column("count"), vec![Some(2), Some(0), Some(1)]);
    assert_eq!(column("sum_lo"), vec![Some(9), Some(0), Some(-2)]);
    // Markers for fps 1 and 2 (fp 3 is not in the keyset).
    let mut fp = column("fp");
    let mut marker = vec![None; fp.len()];
    let mut partial_columns: Vec<Vec<Option<i64>>> = ["count", "sum_hi", "sum_lo"]
        .iter()
        .map(|name| column(name))
        .collect();
    for key in [1, 2] {
        fp.push(Some(key));
        marker.push(Some(1));
        for values in &mut partial_columns {
            values.push(None);
        }
    }
    let input = int64_ipc(&[
        ("fp", fp),
        ("key_marker", marker),
        ("count", partial_columns[0].clone()),
        ("sum_hi", partial_columns[1].clone()),
        ("sum_lo", partial_columns[2].clone()),
    ]);
    let handle = release_open(&plan_text, &[3u8; 32], 5).unwrap();
    release_offer(handle, &input).unwrap();
    let (_, released) = ipc::read_stream(&release_finish(handle).unwrap(), "test").unwrap();
    let fps = released[0]
        .column(0)
        .as_primitive::<Int64Type>()
        .values()
        .to_vec();
    let sums = released[0]
        .column(1)
        .as_primitive::<Int64Type>()
        .values()
        .to_vec();
    assert_eq!((fps, sums), (vec![1, 2], vec![9, 0]));
    // Finished: unknown handle; close is idempotent.
    assert!(is_invalid_argument_containing(
        &release_offer(handle, &input),
        "unknown release handle"
    ));
    assert_eq!(release_close(handle), Ok(()));
    assert_eq!(release_close(handle), Ok(()));
}

#[test]
fn release_and_partial_texts_are_checked() {
    use crate::privacy::plan_text::format_measurement_plan;
    let plan_text = format_measurement_plan(&int_sum_plan());
    assert!(is_invalid_argument_containing(
        &truncation_open_partial("", "", "moments:int:5:1:0:0"),
        "partial"
    ));
    assert!(is_invalid_argument_containing(
        &release_open("measure=nonsense", &[3u8; 32], 0),
        "measure"
    ));
    assert!(is_invalid_argument_containing(
        &release_open(&plan_text, &[3u8; 31], 0),
        "32"
    ));
    assert!(is_invalid_argument_containing(
        &release_open(&plan_text, &[3u8; 32], -1),
        "queryIndex"
    ));
    assert!(is_invalid_argument_containing(
        &release_finish(987_654_321),
        "unknown release handle"
    ));
    let handle = release_open(&plan_text, &[3u8; 32], 0).unwrap();
    assert!(is_invalid_argument_containing(
        &release_offer(handle, &[1, 2]),
        "releaseOffer input"
    ));
    assert!(is_invalid_argument_containing(
        &release_finish(handle),
        "unknown release handle"
    ));
}

/// Every aggregation the planner plans goes through both passes by text: exact under an infinite budget,
/// well-typed rows under a finite one.
#[test]
fn planned_aggregations_release_through_both_passes() {
    use crate::privacy::plan_text::{format_partial_spec, parse_measurement_plan};
    // fp -> values of an integer column clamped to [-2, 5].
    let data: Vec<(i64, Vec<i64>)> =
        vec![(1, vec![-9, 0, 3, 3, 12]), (2, vec![4]), (3, vec![1, 2])];
    let clamped =
        |values: &[i64]| -> Vec<f64> { values.iter().map(|v| (*v).clamp(-2, 5) as f64).collect() };
    for budget in ["pure:inf", "pure:1", "zcdp:1/2"] {
        for aggregation in [
            "count_distinct",
            "sum",
            "average",
            "variance",
            "stdev",
            "quantile",
        ] {
            let mut request = format!(
                "aggregation={aggregation}\nbudget={budget}\nchange=AddOneRow\nconstraints=\ngroupby=1:c\nmechanism=default"
            );
            if aggregation != "count_distinct" {
                request += "\ncolumn=1:x\ncolumn_type=int\nlow=-2\nhigh=5";
            }
            if aggregation == "quantile" {
                request += "\nquantile=0.5";
            }
            let plan_text = plan_measurement_text(&request).unwrap();
            let plan = parse_measurement_plan(&plan_text).unwrap();
            let handle =
                truncation_open_partial("", "", &format_partial_spec(&plan.partial)).unwrap();
            let fps: Vec<Option<i64>> = data
                .iter()
                .flat_map(|(fp, v)| v.iter().map(move |_| Some(*fp)))
                .collect();
            let values: Vec<Option<i64>> = data
                .iter()
                .flat_map(|(_, v)| v.iter().map(|x| Some(*x)))
                .collect();
            let mut columns = vec![("fp", fps), ("value_0", values.clone())];
            if aggregation == "count_distinct" {
                columns.push(("value_1", values.iter().map(|_| Some(0)).collect()));
            }
            truncation_offer(handle, &int64_ipc(&columns)).unwrap();
            let (schema, partials) =
                ipc::read_stream(&truncation_finish(handle).unwrap(), "t").unwrap();
            // The release input: the partial rows (key_marker null) and one marker per fp.
            let mut release_columns: Vec<(String, Vec<Option<i64>>)> = Vec::new();
            for (index, field) in schema.fields().iter().enumerate() {
                let array = partials[0].column(index).as_primitive::<Int64Type>();
                let mut column: Vec<Option<i64>> = (0..array.len())
                    .map(|row| array.is_valid(row).then(|| array.value(row)))
                    .collect();
                column.extend(data.iter().map(|(fp, _)| (index == 0).then_some(*fp)));
                release_columns.push((field.name().clone(), column));
            }
            let rows = release_columns[0].1.len();
            let partial_rows = partials[0].num_rows();
            release_columns.insert(
                1,
                (
                    "key_marker".to_string(),
                    (0..rows)
                        .map(|row| (row >= partial_rows).then_some(1))
                        .collect(),
                ),
            );
            let named: Vec<(&str, Vec<Option<i64>>)> = release_columns
                .iter()
                .map(|(n, v)| (n.as_str(), v.clone()))
                .collect();
            let handle = release_open(&plan_text, &[5u8; 32], 2).unwrap();
            release_offer(handle, &int64_ipc(&named)).unwrap();
            let (_, released) = ipc::read_stream(&release_finish(handle).unwrap(), "t").unwrap();
            assert_eq!(released[0].num_rows(), 3, "{aggregation} {budget}");
            if budget != "pure:inf" {
                continue;
            }
            for (row, (_, raw)) in data.iter().enumerate() {
                let v = clamped(raw);
                let n = v.len() as f64;
                let mean = v.iter().sum::<f64>() / n;
                let variance = if v.len() < 2 {
                    f64::NAN
                } else {
                    v.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (n - 1.0)
                };
                let float = || {
                    released[0]
                        .column(1)
                        .as_primitive::<arrow::datatypes::Float64Type>()
                        .value(row)
                };
                let int = || released[0].column(1).as_primitive::<Int64Type>().value(row);
                match aggregation {
                    "count_distinct" => {
                        let mut distinct = raw.clone();
                        distinct.sort();
                        distinct.dedup();
                        assert_eq!(int(), distinct.len() as i64);
                    }
                    "sum" => assert_eq!(int(), v.iter().sum::<f64>() as i64),
                    "average" => assert!((float() - mean).abs() < 1e-9, "{} vs {mean}", float()),
                    "variance" => assert!(
                        (float() - variance).abs() < 1e-9
                            || (variance.is_nan() && float().is_nan()),
                        "{} vs {variance}",
                        float()
                    ),
                    "stdev" => assert!(
                        (float() - variance.sqrt()).abs() < 1e-9
                            || (variance.is_nan() && float().is_nan())
                    ),
                    _ => assert!((-2.0..=5.0).contains(&float())),
                }
            }
        }
    }
}
