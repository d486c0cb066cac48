use super::*;
use crate::error::Error;
use crate::privacy::text::{format_protected_change, parse_protected_change};

fn output(change: &str, flat_map: &str) -> Result<String> {
    let change = parse_protected_change(change)?;
    let flat_map = parse_flat_map(flat_map)?;
    Ok(format_protected_change(&flat_map_output_change(
        &change, &flat_map,
    )?))
}

fn invalid_argument(result: Result<String>) -> String {
    match result {
        Err(Error::InvalidArgument(message)) => message,
        other => panic!("expected InvalidArgument, got {other:?}"),
    }
}

#[test]
fn ungrouped_flat_map_multiplies_the_changed_rows_by_max_rows() {
    assert_eq!(output("AddOneRow", "flat_map:3").unwrap(), "AddMaxRows:3");
    assert_eq!(
        output("AddMaxRows:4", "flat_map:3").unwrap(),
        "AddMaxRows:12"
    );
    assert_eq!(output("AddOneRow", "flat_map:1").unwrap(), "AddMaxRows:1");
    assert_eq!(
        output("AddMaxRowsInMaxGroups:2:5:1:g", "flat_map:3").unwrap(),
        "AddMaxRowsInMaxGroups:2:15:1:g"
    );
}

#[test]
fn ungrouped_flat_map_keeps_ids_and_ignores_max_rows() {
    assert_eq!(
        output("AddRowsWithID", "flat_map:3").unwrap(),
        "AddRowsWithID"
    );
    assert_eq!(
        output("AddRowsWithID", "flat_map:none").unwrap(),
        "AddRowsWithID"
    );
    assert_eq!(
        output("AddRowsWithID", "flat_map:0").unwrap(),
        "AddRowsWithID"
    );
}

#[test]
fn grouping_flat_map_spreads_the_change_over_max_rows_groups() {
    assert_eq!(
        output("AddOneRow", "grouping_flat_map:3:1:c").unwrap(),
        "AddMaxRowsInMaxGroups:3:1:1:c"
    );
    assert_eq!(
        output("AddMaxRows:2", "grouping_flat_map:5:5:x;y\nz").unwrap(),
        "AddMaxRowsInMaxGroups:5:2:5:x;y\nz"
    );
}

#[test]
fn flat_map_by_id_keeps_the_id_change() {
    assert_eq!(
        output("AddRowsWithID", "flat_map_by_id").unwrap(),
        "AddRowsWithID"
    );
    for change in ["AddOneRow", "AddMaxRows:2", "AddMaxRowsInMaxGroups:1:1:1:g"] {
        assert_eq!(
            invalid_argument(output(change, "flat_map_by_id")),
            "Flat-map-by-ID may only be used on tables with ID columns."
        );
    }
}

#[test]
fn refusals_name_the_setting_with_tumults_messages() {
    for change in ["AddOneRow", "AddMaxRows:2", "AddMaxRowsInMaxGroups:1:1:1:g"] {
        assert_eq!(
            invalid_argument(output(change, "flat_map:none")),
            MISSING_MAX_ROWS_MESSAGE
        );
    }
    assert_eq!(
        invalid_argument(output("AddOneRow", "grouping_flat_map:none:1:c")),
        MISSING_MAX_ROWS_MESSAGE
    );
    assert!(
        invalid_argument(output("AddRowsWithID", "grouping_flat_map:3:1:c"))
            .starts_with("Grouping flat map cannot be used on tables with the AddRowsWithID")
    );
    assert!(invalid_argument(output(
        "AddMaxRowsInMaxGroups:1:1:1:g",
        "grouping_flat_map:3:1:c"
    ))
    .starts_with("Multiple grouping transformations are used in this query."));
}

#[test]
fn output_numbers_beyond_an_int_are_refused_naming_max_rows() {
    assert_eq!(
        output("AddOneRow", "flat_map:2147483647").unwrap(),
        "AddMaxRows:2147483647"
    );
    let message = invalid_argument(output("AddMaxRows:2", "flat_map:1073741824"));
    assert!(message.contains("max_rows=1073741824"), "{message}");
    // The product overflows u64: still the same refusal, never a wrap.
    let message = invalid_argument(output("AddMaxRows:4294967296", "flat_map:4294967296"));
    assert!(message.contains("max_rows=4294967296"), "{message}");
    assert!(
        invalid_argument(output("AddOneRow", "grouping_flat_map:2147483648:1:c"))
            .contains("max_rows=2147483648")
    );
}

#[test]
fn malformed_texts_are_refused() {
    for text in [
        "",
        "flat_map",
        "flat_map:",
        "flat_map:+3",
        "flat_map:-1",
        "flat_map:99999999999999999999999",
        "grouping_flat_map:3",
        "grouping_flat_map:3:",
        "grouping_flat_map:3:1:a;1:b",
        "flat_map_by_id:1",
    ] {
        assert!(
            matches!(parse_flat_map(text), Err(Error::InvalidArgument(_))),
            "{text:?}"
        );
    }
}

#[test]
fn max_rows_zero_gives_the_change_no_input_change_alters() {
    // Tumult accepts max_rows=0: the output has no rows, Core's stability is d·0 = 0, grouping or not.
    for change in ["AddOneRow", "AddMaxRows:2", "AddMaxRowsInMaxGroups:1:1:1:g"] {
        assert_eq!(
            output(change, "flat_map:0").unwrap(),
            "AddMaxRows:0",
            "{change}"
        );
    }
    for change in ["AddOneRow", "AddMaxRows:2"] {
        assert_eq!(
            output(change, "grouping_flat_map:0:1:c").unwrap(),
            "AddMaxRows:0",
            "{change}"
        );
    }
    // Under IDs max_rows is ignored, 0 included (Tumult's FlatMapValueTransformation without max_num_rows).
    assert_eq!(
        output("AddRowsWithID", "flat_map:0").unwrap(),
        "AddRowsWithID"
    );
}
