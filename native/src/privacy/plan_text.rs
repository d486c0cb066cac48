//! The text forms of the plan types of `plan.rs` (COMPILER_INTERFACES.md §5.3): the only place that
//! formats or parses them. Scala reads `partial_columns=` and `outputs=` and passes the rest through
//! opaque, so only Rust parses `partial=` and `release=`. Grammar (no spaces; `number` and `noise`, `budget`
//! as in `text.rs`):
//!   f64        := Rust's `{:?}` of a finite f64 (shortest text that reads back to the same bits, e.g.
//!                 "1.5", "-0.0", "1e300", "5e-324")
//!   clamp      := "int:" i64 ":" i64 | "float:" f64 ":" f64          (lower, upper)
//!   encoding   := clamp ":" i32 ":" i64                              (lattice exponent, shift)
//!   partial    := "count" | "moments:" encoding | "moments_squares:" encoding | "histogram:" encoding
//!               | "distinct" | "log_bins:" ("int" | "float") ":" i32 ":" i32     (value type, lowest, highest bin)
//!   release    := "count" | "count_distinct" | "sum" | "average" | "variance" | "stdev"
//!               | "quantile:" number ":" number      (quantile in [0,1], rate: finite or "inf")
//!               | "count_above_threshold:" i64
//!               | "bounds:" number                  (threshold fraction in (0, 1])
//!   output     := "bigint" | "double"
//!   plan       := measure lines ("measure=" u64 ":" name ";noise=" noise ";budget=" budget, one per measure)
//!                 then, except for count, "partial=" partial, "partial_columns=" columns (text.rs's
//!                 length-prefixed list, always `plan::partial_columns` of the partial),
//!                 "outputs=" output ("," output)*, "release=" release, one line each, in this order.
//! A plan with only measure lines is count's (partial `count`, release `count`, outputs `bigint`): its text
//! stays exactly as before issue 9, because the Scala count path reads it. Every error is
//! Err(InvalidArgument) naming the offending text.
use super::measurement::{PlannedMeasure, MEASURE_NAMES};
use super::plan::{
    partial_columns, Clamp, MeasurementPlan, OutputType, PartialSpec, Release, ValueEncoding,
};
use super::rational::{ExtRational, Rational};
use super::text::{
    format_columns, format_plan, parse_budget, parse_columns, parse_noise_spec, parse_number,
};
use crate::error::{Error, Result};
use crate::{err, fail};

#[cfg(test)]
mod test;

/// Prefixes `error`'s message (when it is the user's) with what was being read.
fn in_context<'a>(what: &'a str, text: &'a str) -> impl Fn(Error) -> Error + 'a {
    move |error| match error {
        Error::InvalidArgument(message) => {
            err!(InvalidArgument, "invalid {what} '{text}': {message}")
        }
        other => other,
    }
}

fn parse_integer<T: std::str::FromStr>(s: &str, what: &str, whole_text: &str) -> Result<T> {
    // `str::parse` alone would accept a leading '+'.
    if s.starts_with('+') {
        fail!(
            InvalidArgument,
            "invalid {what} '{whole_text}': '{s}' is not an integer"
        );
    }
    s.parse::<T>().map_err(|_| {
        err!(
            InvalidArgument,
            "invalid {what} '{whole_text}': '{s}' is not an integer in range"
        )
    })
}

fn parse_finite_f64(s: &str, whole_text: &str) -> Result<f64> {
    match s.parse::<f64>() {
        Ok(value) if value.is_finite() && !s.starts_with('+') => Ok(value),
        _ => fail!(
            InvalidArgument,
            "invalid partial spec '{whole_text}': '{s}' is not a finite number"
        ),
    }
}

fn format_encoding(encoding: &ValueEncoding) -> String {
    let clamp = match encoding.clamp {
        Clamp::Int64 { lower, upper } => format!("int:{lower}:{upper}"),
        Clamp::Float64 { lower, upper } => format!("float:{lower:?}:{upper:?}"),
    };
    format!("{clamp}:{}:{}", encoding.lattice_exponent, encoding.shift)
}

fn parse_encoding(s: &str, whole_text: &str) -> Result<ValueEncoding> {
    let fields: Vec<&str> = s.split(':').collect();
    let [kind, lower, upper, exponent, shift] = fields.as_slice() else {
        fail!(
            InvalidArgument,
            "invalid partial spec '{whole_text}': expected (int|float):<lower>:<upper>:<lattice exponent>:<shift>"
        );
    };
    let clamp = match *kind {
        "int" => {
            let lower = parse_integer(lower, "partial spec", whole_text)?;
            let upper = parse_integer(upper, "partial spec", whole_text)?;
            if lower > upper {
                fail!(
                    InvalidArgument,
                    "invalid partial spec '{whole_text}': lower > upper"
                );
            }
            Clamp::Int64 { lower, upper }
        }
        "float" => {
            let lower = parse_finite_f64(lower, whole_text)?;
            let upper = parse_finite_f64(upper, whole_text)?;
            if lower > upper {
                fail!(
                    InvalidArgument,
                    "invalid partial spec '{whole_text}': lower > upper"
                );
            }
            Clamp::Float64 { lower, upper }
        }
        _ => fail!(
            InvalidArgument,
            "invalid partial spec '{whole_text}': the clamp kind '{kind}' is not int or float"
        ),
    };
    Ok(ValueEncoding {
        clamp,
        lattice_exponent: parse_integer(exponent, "partial spec", whole_text)?,
        shift: parse_integer(shift, "partial spec", whole_text)?,
    })
}

/// `partial` of the grammar above.
pub fn format_partial_spec(spec: &PartialSpec) -> String {
    match spec {
        PartialSpec::Count => "count".to_string(),
        PartialSpec::Moments {
            encoding,
            squares: false,
        } => {
            format!("moments:{}", format_encoding(encoding))
        }
        PartialSpec::Moments {
            encoding,
            squares: true,
        } => {
            format!("moments_squares:{}", format_encoding(encoding))
        }
        PartialSpec::Histogram { encoding } => format!("histogram:{}", format_encoding(encoding)),
        PartialSpec::Distinct => "distinct".to_string(),
        PartialSpec::LogBins {
            value,
            lowest,
            highest,
        } => {
            let value = match value {
                OutputType::Int64 => "int",
                OutputType::Float64 => "float",
            };
            format!("log_bins:{value}:{lowest}:{highest}")
        }
    }
}

fn parse_log_bins(s: &str, whole_text: &str) -> Result<PartialSpec> {
    let fields: Vec<&str> = s.split(':').collect();
    let [value, lowest, highest] = fields.as_slice() else {
        fail!(
            InvalidArgument,
            "invalid partial spec '{whole_text}': expected log_bins:(int|float):<lowest>:<highest>"
        );
    };
    let value = match *value {
        "int" => OutputType::Int64,
        "float" => OutputType::Float64,
        _ => fail!(
            InvalidArgument,
            "invalid partial spec '{whole_text}': the value type '{value}' is not int or float"
        ),
    };
    let lowest: i32 = parse_integer(lowest, "partial spec", whole_text)?;
    let highest: i32 = parse_integer(highest, "partial spec", whole_text)?;
    // Bins are exponents of 2 the outputs hold exactly: Int64 2^i needs 0 ≤ i ≤ 62, Float64 |i| ≤ 1023.
    let (floor, ceiling) = match value {
        OutputType::Int64 => (0, 62),
        OutputType::Float64 => (-1022, 1023),
    };
    if lowest > highest || lowest < floor || highest > ceiling {
        fail!(
            InvalidArgument,
            "invalid partial spec '{whole_text}': the bins must satisfy {floor} <= lowest <= highest <= {ceiling}"
        );
    }
    Ok(PartialSpec::LogBins {
        value,
        lowest,
        highest,
    })
}

/// The inverse of [`format_partial_spec`].
pub fn parse_partial_spec(s: &str) -> Result<PartialSpec> {
    match s {
        "count" => return Ok(PartialSpec::Count),
        "distinct" => return Ok(PartialSpec::Distinct),
        _ => {}
    }
    let (kind, encoding) = s.split_once(':').unwrap_or((s, ""));
    match kind {
        "moments" => Ok(PartialSpec::Moments {
            encoding: parse_encoding(encoding, s)?,
            squares: false,
        }),
        "moments_squares" => Ok(PartialSpec::Moments {
            encoding: parse_encoding(encoding, s)?,
            squares: true,
        }),
        "histogram" => Ok(PartialSpec::Histogram {
            encoding: parse_encoding(encoding, s)?,
        }),
        "log_bins" => parse_log_bins(encoding, s),
        _ => fail!(
            InvalidArgument,
            "invalid partial spec '{s}': expected count, distinct, moments:<encoding>, \
             moments_squares:<encoding>, histogram:<encoding> or log_bins:<type>:<lowest>:<highest>"
        ),
    }
}

/// `release` of the grammar above.
pub fn format_release(release: &Release) -> String {
    match release {
        Release::Count => "count".to_string(),
        Release::CountDistinct => "count_distinct".to_string(),
        Release::Sum => "sum".to_string(),
        Release::Average => "average".to_string(),
        Release::Variance => "variance".to_string(),
        Release::Stdev => "stdev".to_string(),
        Release::Quantile { quantile, rate } => format!("quantile:{quantile}:{rate}"),
        Release::CountAboveThreshold { threshold } => format!("count_above_threshold:{threshold}"),
        Release::Bounds { threshold_fraction } => format!("bounds:{threshold_fraction}"),
    }
}

/// The inverse of [`format_release`]. Err(InvalidArgument) also for a quantile above 1.
pub fn parse_release(s: &str) -> Result<Release> {
    match s {
        "count" => return Ok(Release::Count),
        "count_distinct" => return Ok(Release::CountDistinct),
        "sum" => return Ok(Release::Sum),
        "average" => return Ok(Release::Average),
        "variance" => return Ok(Release::Variance),
        "stdev" => return Ok(Release::Stdev),
        _ => {}
    }
    if let Some(arguments) = s.strip_prefix("quantile:") {
        let (quantile, rate) = arguments.split_once(':').ok_or_else(|| {
            err!(
                InvalidArgument,
                "invalid release '{s}': expected quantile:<quantile>:<rate>"
            )
        })?;
        let quantile = match parse_number(quantile).map_err(in_context("release", s))? {
            ExtRational::Finite(q) if q <= Rational::one() => q,
            _ => fail!(
                InvalidArgument,
                "invalid release '{s}': the quantile must be in [0, 1]"
            ),
        };
        let rate = parse_number(rate).map_err(in_context("release", s))?;
        return Ok(Release::Quantile { quantile, rate });
    }
    if let Some(threshold) = s.strip_prefix("count_above_threshold:") {
        return Ok(Release::CountAboveThreshold {
            threshold: parse_integer(threshold, "release", s)?,
        });
    }
    if let Some(fraction) = s.strip_prefix("bounds:") {
        return match parse_number(fraction).map_err(in_context("release", s))? {
            ExtRational::Finite(fraction) if !fraction.is_zero() && fraction <= Rational::one() => {
                Ok(Release::Bounds {
                    threshold_fraction: fraction,
                })
            }
            _ => fail!(
                InvalidArgument,
                "invalid release '{s}': the threshold fraction must be in (0, 1]"
            ),
        };
    }
    fail!(
        InvalidArgument,
        "invalid release '{s}': expected count, count_distinct, sum, average, variance, stdev, \
         quantile:<quantile>:<rate>, count_above_threshold:<threshold> or bounds:<threshold fraction>"
    )
}

fn format_output(output: OutputType) -> &'static str {
    match output {
        OutputType::Int64 => "bigint",
        OutputType::Float64 => "double",
    }
}

fn parse_outputs(s: &str) -> Result<Vec<OutputType>> {
    s.split(',')
        .map(|output| match output {
            "bigint" => Ok(OutputType::Int64),
            "double" => Ok(OutputType::Float64),
            _ => fail!(
                InvalidArgument,
                "invalid outputs '{s}': '{output}' is not bigint or double"
            ),
        })
        .collect()
}

/// One `measure=` line's value (after "measure=").
fn parse_measure(s: &str) -> Result<PlannedMeasure> {
    let invalid = || {
        err!(
            InvalidArgument,
            "invalid measure '{s}': expected <index>:<name>;noise=<noise>;budget=<budget>"
        )
    };
    let (index, rest) = s.split_once(':').ok_or_else(invalid)?;
    let (name, rest) = rest.split_once(";noise=").ok_or_else(invalid)?;
    let (noise, budget) = rest.split_once(";budget=").ok_or_else(invalid)?;
    if index.is_empty() || !index.bytes().all(|byte| byte.is_ascii_digit()) {
        return Err(invalid());
    }
    let name = MEASURE_NAMES
        .iter()
        .find(|known| **known == name)
        .ok_or_else(|| {
            err!(
                InvalidArgument,
                "invalid measure '{s}': unknown name '{name}' (names: {})",
                MEASURE_NAMES.join(", ")
            )
        })?;
    Ok(PlannedMeasure {
        index: index.parse().map_err(|_| invalid())?,
        name,
        noise: parse_noise_spec(noise).map_err(in_context("measure", s))?,
        budget: parse_budget(budget).map_err(in_context("measure", s))?,
    })
}

/// Whether `plan` is count's, whose text has only measure lines.
fn is_count_plan(plan: &MeasurementPlan) -> bool {
    plan.partial == PartialSpec::Count
        && plan.release == Release::Count
        && plan.outputs == [OutputType::Int64]
}

/// The plan text of the grammar above (count's: its measure lines only).
pub fn format_measurement_plan(plan: &MeasurementPlan) -> String {
    let mut lines = vec![format_plan(&plan.measures)];
    if !is_count_plan(plan) {
        let columns: Vec<String> = partial_columns(&plan.partial)
            .iter()
            .map(|c| c.to_string())
            .collect();
        let outputs: Vec<&str> = plan.outputs.iter().map(|o| format_output(*o)).collect();
        lines.push(format!("partial={}", format_partial_spec(&plan.partial)));
        lines.push(format!("partial_columns={}", format_columns(&columns)));
        lines.push(format!("outputs={}", outputs.join(",")));
        lines.push(format!("release={}", format_release(&plan.release)));
    }
    lines.join("\n")
}

/// The inverse of [`format_measurement_plan`]. Err(InvalidArgument) naming the line for a line out of
/// the grammar's order, a missing or repeated line, or a `partial_columns=` other than the partial's.
pub fn parse_measurement_plan(s: &str) -> Result<MeasurementPlan> {
    let mut lines = s.split('\n').peekable();
    let mut measures = Vec::new();
    while let Some(measure) = lines.peek().and_then(|line| line.strip_prefix("measure=")) {
        measures.push(parse_measure(measure)?);
        lines.next();
    }
    if measures.is_empty() {
        fail!(
            InvalidArgument,
            "invalid measurement plan '{s}': it has no measure= line"
        );
    }
    let mut take = |key: &str| -> Result<Option<&str>> {
        match lines.next() {
            None if key == "partial" => Ok(None),
            Some(line) => match line
                .strip_prefix(key)
                .and_then(|rest| rest.strip_prefix('='))
            {
                Some(value) => Ok(Some(value)),
                None => fail!(
                    InvalidArgument,
                    "invalid measurement plan: expected a '{key}=' line, found '{line}'"
                ),
            },
            None => fail!(
                InvalidArgument,
                "invalid measurement plan: the '{key}=' line is missing"
            ),
        }
    };
    let Some(partial) = take("partial")? else {
        return Ok(MeasurementPlan {
            measures,
            partial: PartialSpec::Count,
            release: Release::Count,
            outputs: vec![OutputType::Int64],
        });
    };
    let partial = parse_partial_spec(partial)?;
    let columns_text = take("partial_columns")?.unwrap_or_default();
    let columns = parse_columns(columns_text)?;
    if columns != partial_columns(&partial) {
        fail!(
            InvalidArgument,
            "invalid measurement plan: partial_columns '{columns_text}' are not those of the partial \
             ({})",
            partial_columns(&partial).join(", ")
        );
    }
    let outputs = parse_outputs(take("outputs")?.unwrap_or_default())?;
    let release = parse_release(take("release")?.unwrap_or_default())?;
    if let Some(extra) = lines.next() {
        fail!(
            InvalidArgument,
            "invalid measurement plan: unexpected line '{extra}' after release="
        );
    }
    Ok(MeasurementPlan {
        measures,
        partial,
        release,
        outputs,
    })
}
