//! The text forms in which numbers, budgets, protected changes, constraints and noise specs cross the JNI
//! edge; the only place that parses or formats them (the `Display`/`FromStr` impls of the privacy types
//! live here too, so every text form has one definition). Grammar (no spaces):
//!   number     := u128 | u128 "/" u128 | "inf"
//!   budget     := "pure:" number | "approx:" number ":" number | "zcdp:" number
//!   change     := "AddOneRow" | "AddMaxRows:" u64 | "AddRowsWithID"
//!               | "AddMaxRowsInMaxGroups:" u64 ":" u64 ":" column   (max_groups, max_rows_per_group, column)
//!   constraints:= "" | constraint (";" constraint)*
//!   constraint := "MaxRowsPerID:" u64 | ("MaxGroupsPerID"|"MaxRowsPerGroupPerID") ":" u64 ":" column
//!   column     := u64 ":" name     (name = that many bytes of UTF-8; length-prefixed: names may hold ':' or ';')
//!   columns    := "" | column (";" column)*               (an aggregation's groupby columns)
//!   noise      := "none" | "laplace:" number | "gaussian:" number     (number is finite and > 0 here)
//!   mechanism  := "default" | "laplace" | "gaussian"                   (case-insensitive on parsing)
//!   aggregation:= "count" | "count_distinct" | "sum" | "average" | "variance" | "stdev" | "quantile"
//!               | "get_groups" | "get_bounds"
//!   bound      := i64 (decimal) | double (Java's/Python's text: "1.5", "1.0E10", "NaN", "Infinity")
//!   request    := line ("\n" line)*   each of these keys exactly once, any order:
//!                 "aggregation=" aggregation | "budget=" budget | "change=" change
//!                 | "constraints=" constraints | "groupby=" columns | "mechanism=" mechanism
//!                 and for sum, average, variance, stdev, quantile only (an IAE naming the key otherwise):
//!                 "column=" column | "column_type=" ("int" | "float") | "low=" bound | "high=" bound
//!                 and for quantile only: "quantile=" bound   (median 0.5, min 0, max 1)
//!                 and for get_bounds only: "column=" column | "column_type=" ("int" | "float")   (no bounds)
//!   plan       := line ("\n" line)*   one per released value: "measure=" u64 ":" name ";noise=" noise ";budget=" budget
//!                 then, except for count, the lines of `plan_text.rs` (partial, partial_columns, outputs, release)
//!
//! Formatting is canonical (fractions reduced, `n` rather than `n/1`), so `format(parse(s))` may differ from
//! `s` (`2/4` becomes `1/2`) but `parse(format(x)) == x` always. Every error names the offending text.
use std::fmt;
use std::str::FromStr;

use super::budget::Budget;
use super::calibration::{Mechanism, NoiseSpec};
use super::id_distance::{parse_id_distance, IdDistance};
use super::lattice::{Bound, ColumnType, MeasureColumn};
use super::measurement::{Aggregation, MeasurementRequest, PlannedMeasure};
use super::rational::{ExtRational, Rational};
use super::sensitivity::{Constraint, ProtectedChange};
use crate::error::{Error, Result};
use crate::{err, fail};

#[cfg(test)]
mod test;

/// Digits only: `str::parse` alone would also accept a leading `+`.
fn parse_unsigned<T: FromStr>(digits: &str, what: &str, whole_text: &str) -> Result<T> {
    if digits.is_empty() || !digits.bytes().all(|byte| byte.is_ascii_digit()) {
        fail!(
            InvalidArgument,
            "invalid {what} '{whole_text}': '{digits}' is not an unsigned integer"
        );
    }
    digits.parse::<T>().map_err(|_| {
        err!(
            InvalidArgument,
            "invalid {what} '{whole_text}': '{digits}' is out of range"
        )
    })
}

fn parse_number_in(s: &str, what: &str) -> Result<ExtRational> {
    if s == "inf" {
        return Ok(ExtRational::Infinite);
    }
    match s.split_once('/') {
        None => Ok(ExtRational::Finite(Rational::from_integer(parse_unsigned(
            s, what, s,
        )?))),
        Some((numerator, denominator)) => {
            let numerator = parse_unsigned(numerator, what, s)?;
            let denominator = parse_unsigned(denominator, what, s)?;
            if denominator == 0 {
                fail!(
                    InvalidArgument,
                    "invalid {what} '{s}': the denominator is zero"
                );
            }
            Ok(ExtRational::Finite(Rational::new(numerator, denominator)?))
        }
    }
}

/// `u128`, `u128/u128` (reduced on parsing) or `inf`.
pub fn parse_number(s: &str) -> Result<ExtRational> {
    parse_number_in(s, "number")
}

/// Like [`parse_number`] but Err(InvalidArgument) for `inf`.
pub fn parse_finite_number(s: &str) -> Result<Rational> {
    match parse_number(s)? {
        ExtRational::Finite(value) => Ok(value),
        ExtRational::Infinite => {
            fail!(InvalidArgument, "invalid number '{s}': must be finite here")
        }
    }
}

pub fn format_number(x: &ExtRational) -> String {
    x.to_string()
}

pub fn parse_budget(s: &str) -> Result<Budget> {
    let invalid = || {
        err!(
            InvalidArgument,
            "invalid budget '{s}': expected pure:<number>, approx:<number>:<number> or zcdp:<number>"
        )
    };
    let (kind, values) = s.split_once(':').ok_or_else(invalid)?;
    let in_budget = |error: Error| match error {
        Error::InvalidArgument(message) => err!(InvalidArgument, "invalid budget '{s}': {message}"),
        other => other,
    };
    match kind {
        "pure" => Budget::pure_dp(parse_number_in(values, "budget").map_err(in_budget)?),
        "approx" => {
            let (epsilon, delta) = values.split_once(':').ok_or_else(invalid)?;
            let epsilon = parse_number_in(epsilon, "budget").map_err(in_budget)?;
            let delta = parse_number_in(delta, "budget").map_err(in_budget)?;
            Budget::approx_dp(epsilon, delta).map_err(in_budget)
        }
        "zcdp" => Budget::rho_zcdp(parse_number_in(values, "budget").map_err(in_budget)?),
        _ => Err(invalid()),
    }
}

pub fn format_budget(b: &Budget) -> String {
    b.to_string()
}

pub fn parse_protected_change(s: &str) -> Result<ProtectedChange> {
    let (change, rest) = take_protected_change(s, s)?;
    if !rest.is_empty() {
        fail!(
            InvalidArgument,
            "invalid protected change '{s}': unexpected '{rest}' after the change"
        );
    }
    Ok(change)
}

/// Reads one protected change at the start of `rest` (ending at the end or at a newline); returns it and
/// what follows it.
pub(crate) fn take_protected_change<'a>(
    rest: &'a str,
    whole_text: &str,
) -> Result<(ProtectedChange, &'a str)> {
    let end = rest.find('\n').unwrap_or(rest.len());
    let (head, after_head) = rest.split_at(end);
    if head == "AddOneRow" {
        return Ok((ProtectedChange::AddOneRow, after_head));
    }
    if head == "AddRowsWithID" {
        return Ok((ProtectedChange::AddRowsWithID, after_head));
    }
    if let Some(max_rows) = head.strip_prefix("AddMaxRows:") {
        // 0 is the change of a table that no change of the input can alter (a flat map with max_rows=0,
        // Tumult's stability 0): its queries are constant, so they get no noise.
        let max_rows: u64 = parse_unsigned(max_rows, "protected change", whole_text)?;
        return Ok((ProtectedChange::AddMaxRows { max_rows }, after_head));
    }
    // The column may hold a newline: read it by its length, from `rest`.
    if let Some(arguments) = rest.strip_prefix("AddMaxRowsInMaxGroups:") {
        let invalid = || {
            err!(
                InvalidArgument,
                "invalid protected change '{whole_text}': expected \
                 AddMaxRowsInMaxGroups:<max_groups>:<max_rows_per_group>:<column>"
            )
        };
        let (max_groups, after_groups) = arguments.split_once(':').ok_or_else(invalid)?;
        let (max_rows_per_group, after_rows) = after_groups.split_once(':').ok_or_else(invalid)?;
        let max_groups: u64 = parse_unsigned(max_groups, "protected change", whole_text)?;
        let max_rows_per_group: u64 =
            parse_unsigned(max_rows_per_group, "protected change", whole_text)?;
        for (value, name) in [
            (max_groups, "max_groups"),
            (max_rows_per_group, "max_rows_per_group"),
        ] {
            if value == 0 {
                fail!(
                    InvalidArgument,
                    "invalid protected change '{whole_text}': {name} must be positive"
                );
            }
        }
        let (grouping_column, after_column) =
            take_column(after_rows, "protected change", whole_text)?;
        let change = ProtectedChange::AddMaxRowsInMaxGroups {
            grouping_column,
            max_groups,
            max_rows_per_group,
        };
        return Ok((change, after_column));
    }
    fail!(
        InvalidArgument,
        "invalid protected change '{whole_text}': expected AddOneRow, AddMaxRows:<u64>, \
         AddMaxRowsInMaxGroups:<u64>:<u64>:<column> or AddRowsWithID"
    )
}

pub fn format_protected_change(change: &ProtectedChange) -> String {
    change.to_string()
}

/// Reads `column := u64 ":" bytes` at the start of `rest`; returns the column and what follows it.
fn take_column<'a>(rest: &'a str, what: &str, whole_text: &str) -> Result<(String, &'a str)> {
    let (length, after_length) = rest.split_once(':').ok_or_else(|| {
        err!(
            InvalidArgument,
            "invalid {what} '{whole_text}': expected <byte length>:<column name>"
        )
    })?;
    let length: usize = parse_unsigned(length, what, whole_text)?;
    if length > after_length.len() || !after_length.is_char_boundary(length) {
        fail!(
            InvalidArgument,
            "invalid {what} '{whole_text}': a column name of {length} bytes does not fit in '{after_length}'"
        );
    }
    let (column, after_column) = after_length.split_at(length);
    Ok((column.to_string(), after_column))
}

/// Reads one constraint at the start of `rest`; returns it and what follows it.
fn take_constraint<'a>(rest: &'a str, whole_text: &str) -> Result<(Constraint, &'a str)> {
    let expected = "expected MaxRowsPerID:<u64>, MaxGroupsPerID:<u64>:<column> or \
                    MaxRowsPerGroupPerID:<u64>:<column> (column = <byte length>:<name>)";
    let invalid = || {
        err!(
            InvalidArgument,
            "invalid constraints '{whole_text}': {expected}"
        )
    };
    let (name, after_name) = rest.split_once(':').ok_or_else(invalid)?;
    let max_end = after_name
        .find([':', ';', '\n'])
        .unwrap_or(after_name.len());
    let (max, after_max) = after_name.split_at(max_end);
    let max: u64 = parse_unsigned(max, "constraints", whole_text)?;
    if max == 0 {
        fail!(
            InvalidArgument,
            "invalid constraints '{whole_text}': {name} must be positive"
        );
    }
    match name {
        "MaxRowsPerID" => Ok((Constraint::MaxRowsPerID(max), after_max)),
        "MaxGroupsPerID" | "MaxRowsPerGroupPerID" => {
            let after_colon = after_max.strip_prefix(':').ok_or_else(invalid)?;
            let (grouping_column, after_column) =
                take_column(after_colon, "constraints", whole_text)?;
            let constraint = if name == "MaxGroupsPerID" {
                Constraint::MaxGroupsPerID {
                    grouping_column,
                    max,
                }
            } else {
                Constraint::MaxRowsPerGroupPerID {
                    grouping_column,
                    max,
                }
            };
            Ok((constraint, after_column))
        }
        _ => Err(invalid()),
    }
}

/// Items of a ";"-separated list whose items are read by `take_item` (which knows where each ends, so
/// an item may itself contain ';'), up to the end of `s`.
fn parse_list<T>(
    s: &str,
    what: &str,
    take_item: impl Fn(&str) -> Result<(T, &str)>,
) -> Result<Vec<T>> {
    let (items, rest) = take_list(s, s, what, take_item)?;
    if !rest.is_empty() {
        fail!(
            InvalidArgument,
            "invalid {what} '{s}': expected ';' and another item or the end, found '{rest}'"
        );
    }
    Ok(items)
}

/// Like [`parse_list`] on a prefix of `s`: the list ends at the end of `s` or at a newline that follows
/// an item (or starts `s`: the empty list); returns the items and what follows them.
fn take_list<'a, T>(
    s: &'a str,
    whole_text: &str,
    what: &str,
    take_item: impl Fn(&'a str) -> Result<(T, &'a str)>,
) -> Result<(Vec<T>, &'a str)> {
    let mut items = Vec::new();
    let mut rest = s;
    while !rest.is_empty() && !rest.starts_with('\n') {
        let (item, after_item) = take_item(rest)?;
        items.push(item);
        rest = match after_item.strip_prefix(';') {
            Some(next) if !next.is_empty() && !next.starts_with('\n') => next,
            None if after_item.is_empty() || after_item.starts_with('\n') => {
                return Ok((items, after_item))
            }
            _ => fail!(
                InvalidArgument,
                "invalid {what} '{whole_text}': expected ';' and another item or the end, found '{after_item}'"
            ),
        };
    }
    Ok((items, rest))
}

/// A constraints list at the start of `rest` (ending at the end or at a newline): the constraints and what
/// follows them. For requests that hold several lists, one per line (`privacy::stability::constraints`).
pub(crate) fn take_constraints<'a>(
    rest: &'a str,
    whole_text: &str,
) -> Result<(Vec<Constraint>, &'a str)> {
    take_list(rest, whole_text, "constraints", |item| {
        take_constraint(item, whole_text)
    })
}

/// A columns list at the start of `rest` (ending at the end or at a newline): the names and what follows.
pub(crate) fn take_columns<'a>(rest: &'a str, whole_text: &str) -> Result<(Vec<String>, &'a str)> {
    take_list(rest, whole_text, "columns", |item| {
        take_column(item, "columns", whole_text)
    })
}

/// One line value of a request: up to the next newline or the end.
fn take_line(rest: &str) -> (&str, &str) {
    rest.split_at(rest.find('\n').unwrap_or(rest.len()))
}

/// An aggregation name (the grammar's `aggregation`).
pub fn parse_aggregation(s: &str) -> Result<Aggregation> {
    match Aggregation::ALL.iter().find(|a| a.name() == s) {
        Some(aggregation) => Ok(*aggregation),
        None => fail!(
            InvalidArgument,
            "invalid aggregation '{s}': expected {}",
            Aggregation::ALL.map(|a| a.name()).join(", ")
        ),
    }
}

/// A bound: an i64 in decimal, or a double in Java's/Python's form ("1.5", "1.0E10", "NaN", "Infinity");
/// the double is read exactly (correctly rounded, as Java wrote it).
pub fn parse_bound(s: &str) -> Result<Bound> {
    let digits = s.strip_prefix('-').unwrap_or(s);
    if !digits.is_empty() && digits.bytes().all(|byte| byte.is_ascii_digit()) {
        return s.parse::<i64>().map(Bound::Integer).map_err(|_| {
            err!(
                InvalidArgument,
                "invalid bound '{s}': out of the 64-bit range"
            )
        });
    }
    match s {
        "NaN" => return Ok(Bound::Double(f64::NAN)),
        "Infinity" => return Ok(Bound::Double(f64::INFINITY)),
        "-Infinity" => return Ok(Bound::Double(f64::NEG_INFINITY)),
        _ => {}
    }
    // Rust's parser also takes "inf", "nan" or a leading '+': only Java's/Python's digits here.
    let is_decimal = !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'-' | b'.' | b'e' | b'E'))
        && s.bytes().any(|b| b.is_ascii_digit());
    match s.parse::<f64>() {
        Ok(value) if is_decimal => Ok(Bound::Double(value)),
        _ => fail!(
            InvalidArgument,
            "invalid bound '{s}': expected an integer or a double such as 1.5, 1.0E10, NaN or Infinity"
        ),
    }
}

pub fn format_bound(bound: &Bound) -> String {
    match bound {
        Bound::Integer(value) => value.to_string(),
        Bound::Double(value) if value.is_nan() => "NaN".to_string(),
        Bound::Double(value) if value.is_infinite() => if *value > 0.0 {
            "Infinity"
        } else {
            "-Infinity"
        }
        .to_string(),
        // `{:?}` is the shortest text that reads back to the same double.
        Bound::Double(value) => format!("{value:?}"),
    }
}

fn parse_column_type(s: &str) -> Result<ColumnType> {
    match s {
        "int" => Ok(ColumnType::Int),
        "float" => Ok(ColumnType::Float),
        _ => fail!(
            InvalidArgument,
            "invalid column type '{s}': expected int or float"
        ),
    }
}

fn format_column_type(column_type: ColumnType) -> &'static str {
    match column_type {
        ColumnType::Int => "int",
        ColumnType::Float => "float",
    }
}

/// The keys every measurement request has.
const REQUEST_KEYS: [&str; 6] = [
    "aggregation",
    "budget",
    "change",
    "constraints",
    "groupby",
    "mechanism",
];
/// The keys of the measure column (sum, average, variance, stdev, quantile).
const MEASURE_COLUMN_KEYS: [&str; 4] = ["column", "column_type", "low", "high"];
/// The key only quantile takes.
const QUANTILE_KEY: &str = "quantile";
/// The optional key of a table in a child of `partition_and_create` on an ID table (absent: 1).
const ID_DISTANCE_KEY: &str = "id_distance";

/// Every key, for messages.
fn all_request_keys() -> String {
    let mut keys: Vec<&str> = REQUEST_KEYS.to_vec();
    keys.extend(MEASURE_COLUMN_KEYS);
    keys.push(QUANTILE_KEY);
    keys.push(ID_DISTANCE_KEY);
    keys.join(", ")
}

/// The values of one request, each key at most once.
#[derive(Default)]
struct RequestValues {
    aggregation: Option<Aggregation>,
    budget: Option<Budget>,
    change: Option<ProtectedChange>,
    constraints: Option<Vec<Constraint>>,
    groupby_columns: Option<Vec<String>>,
    mechanism: Option<Mechanism>,
    column: Option<String>,
    column_type: Option<ColumnType>,
    low: Option<Bound>,
    high: Option<Bound>,
    quantile: Option<f64>,
    id_distance: Option<IdDistance>,
}

impl RequestValues {
    fn is_given(&self, key: &str) -> Option<bool> {
        Some(match key {
            "aggregation" => self.aggregation.is_some(),
            "budget" => self.budget.is_some(),
            "change" => self.change.is_some(),
            "constraints" => self.constraints.is_some(),
            "groupby" => self.groupby_columns.is_some(),
            "mechanism" => self.mechanism.is_some(),
            "column" => self.column.is_some(),
            "column_type" => self.column_type.is_some(),
            "low" => self.low.is_some(),
            "high" => self.high.is_some(),
            "quantile" => self.quantile.is_some(),
            "id_distance" => self.id_distance.is_some(),
            _ => return None,
        })
    }

    /// Reads `key`'s value at the start of `after_key`; returns what follows it.
    fn read<'a>(&mut self, key: &str, after_key: &'a str) -> Result<&'a str> {
        let (value, after) = take_line(after_key);
        match key {
            "aggregation" => self.aggregation = Some(parse_aggregation(value)?),
            "budget" => self.budget = Some(parse_budget(value)?),
            "mechanism" => self.mechanism = Some(parse_mechanism(value)?),
            "column_type" => self.column_type = Some(parse_column_type(value)?),
            "low" => self.low = Some(parse_bound(value)?),
            "high" => self.high = Some(parse_bound(value)?),
            "id_distance" => self.id_distance = Some(parse_id_distance(value)?),
            "quantile" => {
                self.quantile = match parse_bound(value)? {
                    Bound::Double(q) => Some(q),
                    Bound::Integer(q) => Some(q as f64),
                }
            }
            "change" => {
                let (change, after) = take_protected_change(after_key, value)?;
                self.change = Some(change);
                return Ok(after);
            }
            "constraints" => {
                let (constraints, after) = take_list(after_key, value, "constraints", |item| {
                    take_constraint(item, value)
                })?;
                self.constraints = Some(constraints);
                return Ok(after);
            }
            "column" => {
                let (column, after) = take_column(after_key, "column", value)?;
                self.column = Some(column);
                return Ok(after);
            }
            _ => {
                let (columns, after) = take_list(after_key, value, "groupby columns", |item| {
                    take_column(item, "groupby columns", value)
                })?;
                self.groupby_columns = Some(columns);
                return Ok(after);
            }
        }
        Ok(after)
    }
}

/// A measurement request (COMPILER_INTERFACES.md §2, §5.2): one `key=value` line per key, in any order,
/// each exactly once: the keys of [`REQUEST_KEYS`], plus `column`, `column_type`, `low`, `high` for sum,
/// average, variance, stdev and quantile, plus `quantile` for quantile. Err(InvalidArgument) naming the
/// key for an unknown, repeated or missing key, a key the aggregation does not take, or a bad value
/// (with the value parser's message). Values holding column names are read by their length prefixes, so
/// a column name may contain a newline.
pub fn parse_measurement_request(s: &str) -> Result<MeasurementRequest> {
    let mut values = RequestValues::default();
    let in_key = |key: &str, error: Error| match error {
        Error::InvalidArgument(message) => err!(
            InvalidArgument,
            "invalid measurement request: key '{key}': {message}"
        ),
        other => other,
    };
    let mut rest = s;
    loop {
        let (line_head, _) = take_line(rest);
        let Some((key, after_key)) = rest.split_once('=').filter(|(key, _)| !key.contains('\n'))
        else {
            fail!(
                InvalidArgument,
                "invalid measurement request: the line '{line_head}' is not <key>=<value> (keys: {})",
                all_request_keys()
            );
        };
        match values.is_given(key) {
            None => fail!(
                InvalidArgument,
                "invalid measurement request: unknown key '{key}' (keys: {})",
                all_request_keys()
            ),
            Some(true) => fail!(
                InvalidArgument,
                "invalid measurement request: key '{key}' is given more than once"
            ),
            Some(false) => {}
        }
        let after_value = values.read(key, after_key).map_err(|e| in_key(key, e))?;
        match after_value.strip_prefix('\n') {
            None if after_value.is_empty() => break,
            Some(next) if !next.is_empty() => rest = next,
            Some(_) => fail!(
                InvalidArgument,
                "invalid measurement request: it ends with an empty line"
            ),
            None => fail!(
                InvalidArgument,
                "invalid measurement request: key '{key}': unexpected '{}' after the value",
                take_line(after_value).0
            ),
        }
    }
    let missing = |key: &str| {
        err!(
            InvalidArgument,
            "invalid measurement request: key '{key}' is missing"
        )
    };
    let aggregation = values.aggregation.ok_or_else(|| missing("aggregation"))?;
    let not_taken = |key: &str| {
        err!(
            InvalidArgument,
            "invalid measurement request: key '{key}' is not taken by the aggregation '{}'",
            aggregation.name()
        )
    };
    let bounds_column = if aggregation == Aggregation::GetBounds {
        for key in ["low", "high"] {
            if values.is_given(key) == Some(true) {
                return Err(not_taken(key));
            }
        }
        Some((
            values.column.take().ok_or_else(|| missing("column"))?,
            values
                .column_type
                .take()
                .ok_or_else(|| missing("column_type"))?,
        ))
    } else {
        None
    };
    let measure_column = if aggregation.takes_measure_column() {
        Some(MeasureColumn {
            name: values.column.ok_or_else(|| missing("column"))?,
            column_type: values.column_type.ok_or_else(|| missing("column_type"))?,
            low: values.low.ok_or_else(|| missing("low"))?,
            high: values.high.ok_or_else(|| missing("high"))?,
        })
    } else {
        for key in MEASURE_COLUMN_KEYS {
            if values.is_given(key) == Some(true) {
                return Err(not_taken(key));
            }
        }
        None
    };
    let quantile = match (aggregation, values.quantile) {
        (Aggregation::Quantile, None) => return Err(missing(QUANTILE_KEY)),
        (Aggregation::Quantile, quantile) => quantile,
        (_, None) => None,
        (_, Some(_)) => return Err(not_taken(QUANTILE_KEY)),
    };
    Ok(MeasurementRequest {
        aggregation,
        budget: values.budget.ok_or_else(|| missing("budget"))?,
        change: values.change.ok_or_else(|| missing("change"))?,
        constraints: values.constraints.ok_or_else(|| missing("constraints"))?,
        groupby_columns: values.groupby_columns.ok_or_else(|| missing("groupby"))?,
        mechanism: values.mechanism.ok_or_else(|| missing("mechanism"))?,
        measure_column,
        quantile,
        bounds_column,
        id_distance: values.id_distance.unwrap_or(IdDistance::ONE),
    })
}

/// A measurement request as text (the inverse of [`parse_measurement_request`]; keys in [`REQUEST_KEYS`]
/// order, then the measure column's, then `quantile`).
pub fn format_measurement_request(request: &MeasurementRequest) -> String {
    let mut text = format!(
        "aggregation={}\nbudget={}\nchange={}\nconstraints={}\ngroupby={}\nmechanism={}",
        request.aggregation.name(),
        request.budget,
        request.change,
        format_constraints(&request.constraints),
        format_columns(&request.groupby_columns),
        request.mechanism
    );
    if let Some(column) = &request.measure_column {
        text += &format!(
            "\ncolumn={}\ncolumn_type={}\nlow={}\nhigh={}",
            format_column(&column.name),
            format_column_type(column.column_type),
            format_bound(&column.low),
            format_bound(&column.high)
        );
    }
    if let Some(quantile) = request.quantile {
        text += &format!("\nquantile={}", format_bound(&Bound::Double(quantile)));
    }
    if let Some((name, column_type)) = &request.bounds_column {
        text += &format!(
            "\ncolumn={}\ncolumn_type={}",
            format_column(name),
            format_column_type(*column_type)
        );
    }
    if request.id_distance != IdDistance::ONE {
        text += &format!("\n{ID_DISTANCE_KEY}={}", request.id_distance);
    }
    text
}

/// A plan: one `measure=<index>:<name>;noise=<noise>;budget=<budget>` line per released value.
pub fn format_plan(measures: &[PlannedMeasure]) -> String {
    measures
        .iter()
        .map(|measure| {
            format!(
                "measure={}:{};noise={};budget={}",
                measure.index, measure.name, measure.noise, measure.budget
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

pub fn parse_constraints(s: &str) -> Result<Vec<Constraint>> {
    parse_list(s, "constraints", |rest| take_constraint(rest, s))
}

pub fn format_constraints(constraints: &[Constraint]) -> String {
    constraints
        .iter()
        .map(Constraint::to_string)
        .collect::<Vec<_>>()
        .join(";")
}

fn format_column(column: &str) -> String {
    format!("{}:{column}", column.len())
}

/// An aggregation's groupby column names: `columns` in the grammar above.
pub fn parse_columns(s: &str) -> Result<Vec<String>> {
    parse_list(s, "groupby columns", |rest| {
        take_column(rest, "groupby columns", s)
    })
}

pub fn format_columns(columns: &[String]) -> String {
    columns
        .iter()
        .map(|column| format_column(column))
        .collect::<Vec<_>>()
        .join(";")
}

pub fn parse_noise_spec(s: &str) -> Result<NoiseSpec> {
    if s == "none" {
        return Ok(NoiseSpec::NoNoise);
    }
    let finite = |text: &str| -> Result<Rational> {
        match parse_number_in(text, "noise spec").map_err(|error| match error {
            Error::InvalidArgument(message) => {
                err!(InvalidArgument, "{message} (in noise spec '{s}')")
            }
            other => other,
        })? {
            // Zero would be a spec that adds no noise while its query is charged as noisy: a JVM-side
            // slip (say a scale rounded to 0) would release exact counts. No noise is spelled `none`.
            ExtRational::Finite(value) if value.is_zero() => fail!(
                InvalidArgument,
                "invalid noise spec '{s}': the parameter must be positive (no noise is 'none')"
            ),
            ExtRational::Finite(value) => Ok(value),
            ExtRational::Infinite => fail!(
                InvalidArgument,
                "invalid noise spec '{s}': the parameter must be finite"
            ),
        }
    };
    match s.split_once(':') {
        Some(("laplace", scale)) => Ok(NoiseSpec::DiscreteLaplace {
            scale: finite(scale)?,
        }),
        Some(("gaussian", sigma_squared)) => Ok(NoiseSpec::DiscreteGaussian {
            sigma_squared: finite(sigma_squared)?,
        }),
        _ => fail!(
            InvalidArgument,
            "invalid noise spec '{s}': expected none, laplace:<number> or gaussian:<number>"
        ),
    }
}

pub fn format_noise_spec(n: &NoiseSpec) -> String {
    n.to_string()
}

/// A count mechanism name, case-insensitively (Tumult's `CountMechanism` values). Err(InvalidArgument)
/// naming the text otherwise.
pub fn parse_mechanism(s: &str) -> Result<Mechanism> {
    match s.to_ascii_lowercase().as_str() {
        "default" => Ok(Mechanism::Default),
        "laplace" => Ok(Mechanism::Laplace),
        "gaussian" => Ok(Mechanism::Gaussian),
        _ => fail!(
            InvalidArgument,
            "invalid mechanism '{s}': expected default, laplace or gaussian"
        ),
    }
}

pub fn format_mechanism(mechanism: Mechanism) -> String {
    mechanism.to_string()
}

impl fmt::Display for Mechanism {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Mechanism::Default => "default",
            Mechanism::Laplace => "laplace",
            Mechanism::Gaussian => "gaussian",
        })
    }
}

impl FromStr for Mechanism {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        parse_mechanism(s)
    }
}

impl fmt::Display for Rational {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.denominator() == 1 {
            write!(f, "{}", self.numerator())
        } else {
            write!(f, "{}/{}", self.numerator(), self.denominator())
        }
    }
}

impl fmt::Display for ExtRational {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExtRational::Finite(value) => value.fmt(f),
            ExtRational::Infinite => f.write_str("inf"),
        }
    }
}

impl FromStr for Rational {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        parse_finite_number(s)
    }
}

impl FromStr for ExtRational {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        parse_number(s)
    }
}

impl fmt::Display for Budget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Budget::PureDP { epsilon } => write!(f, "pure:{epsilon}"),
            Budget::ApproxDP { epsilon, delta } => write!(f, "approx:{epsilon}:{delta}"),
            Budget::RhoZCDP { rho } => write!(f, "zcdp:{rho}"),
        }
    }
}

impl FromStr for Budget {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        parse_budget(s)
    }
}

impl fmt::Display for ProtectedChange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProtectedChange::AddOneRow => f.write_str("AddOneRow"),
            ProtectedChange::AddMaxRows { max_rows } => write!(f, "AddMaxRows:{max_rows}"),
            ProtectedChange::AddMaxRowsInMaxGroups {
                grouping_column,
                max_groups,
                max_rows_per_group,
            } => write!(
                f,
                "AddMaxRowsInMaxGroups:{max_groups}:{max_rows_per_group}:{}",
                format_column(grouping_column)
            ),
            ProtectedChange::AddRowsWithID => f.write_str("AddRowsWithID"),
        }
    }
}

impl FromStr for ProtectedChange {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        parse_protected_change(s)
    }
}

impl fmt::Display for Constraint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.grouping_column() {
            None => write!(f, "{}:{}", self.name(), self.max()),
            Some(column) => write!(
                f,
                "{}:{}:{}",
                self.name(),
                self.max(),
                format_column(column)
            ),
        }
    }
}

impl FromStr for Constraint {
    type Err = Error;
    /// Exactly one constraint.
    fn from_str(s: &str) -> Result<Self> {
        match parse_constraints(s)?.as_slice() {
            [constraint] => Ok(constraint.clone()),
            _ => fail!(
                InvalidArgument,
                "invalid constraint '{s}': expected exactly one constraint"
            ),
        }
    }
}

impl fmt::Display for NoiseSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NoiseSpec::NoNoise => f.write_str("none"),
            NoiseSpec::DiscreteLaplace { scale } => write!(f, "laplace:{scale}"),
            NoiseSpec::DiscreteGaussian { sigma_squared } => write!(f, "gaussian:{sigma_squared}"),
        }
    }
}

impl FromStr for NoiseSpec {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        parse_noise_spec(s)
    }
}
