//! Constructors shared by the privacy unit tests (sensitivity, calibration, text).
use super::sensitivity::Constraint;

/// `MaxGroupsPerID("g", max)`.
pub(crate) fn groups_on_g(max: u64) -> Constraint {
    Constraint::MaxGroupsPerID {
        grouping_column: "g".to_string(),
        max,
    }
}

/// `MaxRowsPerGroupPerID("g", max)`.
pub(crate) fn rows_per_group_on_g(max: u64) -> Constraint {
    Constraint::MaxRowsPerGroupPerID {
        grouping_column: "g".to_string(),
        max,
    }
}

/// Groupby columns from names.
pub(crate) fn by(columns: &[&str]) -> Vec<String> {
    columns.iter().map(|column| column.to_string()).collect()
}
