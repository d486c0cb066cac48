//! Privacy budgets with exact arithmetic.
//!
//! A budget is one of Tumult Analytics' three types, every value an exact [`ExtRational`]. The constructors
//! validate (ε ≥ 0 and ρ ≥ 0 hold by construction of `ExtRational`; 0 ≤ δ ≤ 1 is checked); code that
//! builds the enum variants directly must call [`Budget::validate`]. Every operation either returns the
//! exact result or an `Err`, except three that round, each toward *less* budget so nothing here can hand
//! out more budget than exists: the `*_from_f64` constructors (a float needing a denominator beyond 2^127
//! is rounded down), [`Budget::charge`] (Tumult's tolerance: a request a hair above what remains is
//! charged what remains) and [`Budget::subtract_charged`] (a remainder that does not fit u128/u128 is
//! rounded down).
use super::rational::{ExtRational, Rational};
use crate::error::Result;
use crate::{err, fail};

#[cfg(test)]
mod test;

/// One budget of one of the three accounting types, every value exact.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Budget {
    PureDP {
        epsilon: ExtRational,
    },
    ApproxDP {
        epsilon: ExtRational,
        delta: ExtRational,
    },
    RhoZCDP {
        rho: ExtRational,
    },
}

/// Rejects NaN and negative floats with Tumult's wording, e.g.
/// `Epsilon must be non-negative. Cannot construct a PureDPBudget with epsilon of -1.`, and finite values
/// above [`Rational::LARGEST_F64`] naming that limit; converts the rest exactly, except that a value
/// needing a denominator beyond 2^127 is rounded *down* (less budget: see
/// [`Rational::from_f64_round_down`]).
fn exact_budget_value(value: f64, setting: &str, budget_name: &str) -> Result<ExtRational> {
    let article = if budget_name.starts_with('A') {
        "an"
    } else {
        "a"
    };
    let capitalized = capitalize(setting);
    if value.is_nan() {
        fail!(
            InvalidArgument,
            "{capitalized} must be a number. Cannot construct {article} {budget_name} with {setting} of NaN."
        );
    }
    if value < 0.0 {
        fail!(
            InvalidArgument,
            "{capitalized} must be non-negative. Cannot construct {article} {budget_name} with {setting} of {value}."
        );
    }
    budget_value_rounded_down(value, setting, &format!("{article} {budget_name}"))
}

/// `value` (not NaN, not negative) as a budget value: +inf is infinite, finite values above
/// [`Rational::LARGEST_F64`] are refused naming the limit, others are rounded down to u128/u128.
fn budget_value_rounded_down(value: f64, setting: &str, budget: &str) -> Result<ExtRational> {
    if value == f64::INFINITY {
        return Ok(ExtRational::Infinite);
    }
    if value > Rational::LARGEST_F64 {
        fail!(
            InvalidArgument,
            "{} must be at most {:?} or infinite. Cannot construct {budget} with {setting} of {value:?}.",
            capitalize(setting),
            Rational::LARGEST_F64
        );
    }
    Rational::from_f64_round_down(value, setting).map(ExtRational::Finite)
}

fn capitalize(word: &str) -> String {
    let mut characters = word.chars();
    match characters.next() {
        Some(first) => first.to_uppercase().chain(characters).collect(),
        None => String::new(),
    }
}

impl Budget {
    /// A `PureDPBudget(epsilon)`; every non-negative (possibly infinite) ε is valid.
    pub fn pure_dp(epsilon: ExtRational) -> Result<Budget> {
        Ok(Budget::PureDP { epsilon })
    }

    /// An `ApproxDPBudget(epsilon, delta)`; Err(InvalidArgument) unless 0 ≤ δ ≤ 1.
    pub fn approx_dp(epsilon: ExtRational, delta: ExtRational) -> Result<Budget> {
        let budget = Budget::ApproxDP { epsilon, delta };
        budget.validate()?;
        Ok(budget)
    }

    /// A `RhoZCDPBudget(rho)`; every non-negative (possibly infinite) ρ is valid.
    pub fn rho_zcdp(rho: ExtRational) -> Result<Budget> {
        Ok(Budget::RhoZCDP { rho })
    }

    /// `PureDPBudget(epsilon)` from a user's float, converted exactly (+inf allowed) or, when that needs
    /// a denominator beyond 2^127, rounded down; values above `Rational::LARGEST_F64` are refused.
    pub fn pure_dp_from_f64(epsilon: f64) -> Result<Budget> {
        Self::pure_dp(exact_budget_value(epsilon, "epsilon", "PureDPBudget")?)
    }

    /// `ApproxDPBudget(epsilon, delta)` from a user's floats, converted as [`Budget::pure_dp_from_f64`].
    pub fn approx_dp_from_f64(epsilon: f64, delta: f64) -> Result<Budget> {
        let epsilon = exact_budget_value(epsilon, "epsilon", "ApproxDPBudget")?;
        if delta.is_nan() || !(0.0..=1.0).contains(&delta) {
            fail!(
                InvalidArgument,
                "Delta must be between 0 and 1 (inclusive). Cannot construct an ApproxDPBudget with delta of {delta}."
            );
        }
        Self::approx_dp(
            epsilon,
            budget_value_rounded_down(delta, "delta", "an ApproxDPBudget")?,
        )
    }

    /// `RhoZCDPBudget(rho)` from a user's float, converted as [`Budget::pure_dp_from_f64`].
    pub fn rho_zcdp_from_f64(rho: f64) -> Result<Budget> {
        Self::rho_zcdp(exact_budget_value(rho, "rho", "RhoZCDPBudget")?)
    }

    /// A budget from the JVM's doubles: `kind` "pure" (`a` = ε), "approx" (`a` = ε, `b` = δ) or "zcdp"
    /// (`a` = ρ); `b` is ignored unless approx. Validation and rounding as the `*_from_f64` constructors.
    pub fn from_doubles(kind: &str, a: f64, b: f64) -> Result<Budget> {
        match kind {
            "pure" => Self::pure_dp_from_f64(a),
            "approx" => Self::approx_dp_from_f64(a, b),
            "zcdp" => Self::rho_zcdp_from_f64(a),
            _ => fail!(
                InvalidArgument,
                "invalid budget kind '{kind}': expected pure, approx or zcdp"
            ),
        }
    }

    /// The budget's values as f64, each rounded up (`round_up`) or down; ∞ stays ∞: `[ε]`, `[ε, δ]` or
    /// `[ρ]`.
    pub fn to_doubles(&self, round_up: bool) -> Vec<f64> {
        let convert = |value: &ExtRational| {
            if round_up {
                value.to_f64_round_up()
            } else {
                value.to_f64_round_down()
            }
        };
        match self {
            Budget::PureDP { epsilon } => vec![convert(epsilon)],
            Budget::ApproxDP { epsilon, delta } => vec![convert(epsilon), convert(delta)],
            Budget::RhoZCDP { rho } => vec![convert(rho)],
        }
    }

    /// Checks the invariants the constructors enforce: δ finite and at most 1.
    pub fn validate(&self) -> Result<()> {
        if let Budget::ApproxDP { delta, .. } = self {
            if *delta > ExtRational::from_integer(1) {
                fail!(
                    InvalidArgument,
                    "Delta must be between 0 and 1 (inclusive). Cannot construct an ApproxDPBudget with delta of {delta}."
                );
            }
        }
        Ok(())
    }

    /// Tumult's class name of this budget type, for messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            Budget::PureDP { .. } => "PureDPBudget",
            Budget::ApproxDP { .. } => "ApproxDPBudget",
            Budget::RhoZCDP { .. } => "RhoZCDPBudget",
        }
    }

    /// The zero budget of the same type.
    pub fn zero_like(&self) -> Budget {
        match self {
            Budget::PureDP { .. } => Budget::PureDP {
                epsilon: ExtRational::zero(),
            },
            Budget::ApproxDP { .. } => Budget::ApproxDP {
                epsilon: ExtRational::zero(),
                delta: ExtRational::zero(),
            },
            Budget::RhoZCDP { .. } => Budget::RhoZCDP {
                rho: ExtRational::zero(),
            },
        }
    }

    /// Whether the budget allows answering without noise: ε = ∞, ρ = ∞, or for approx-DP ε = ∞ or δ = 1
    /// (Tumult's `is_infinite`: with δ = 1 the (ε, δ)-DP guarantee is vacuous for every ε).
    pub fn is_infinite(&self) -> bool {
        match self {
            Budget::PureDP { epsilon } => epsilon.is_infinite(),
            Budget::ApproxDP { epsilon, delta } => {
                epsilon.is_infinite() || *delta >= ExtRational::from_integer(1)
            }
            Budget::RhoZCDP { rho } => rho.is_infinite(),
        }
    }

    fn type_mismatch(&self, other: &Budget, operation: &str) -> crate::error::Error {
        err!(
            InvalidArgument,
            "cannot {operation} budgets of different types: {} ({self}) and {} ({other})",
            self.type_name(),
            other.type_name()
        )
    }

    /// `self + other` (same type only; Err(InvalidArgument) otherwise). For approx-DP, δ saturates at 1:
    /// a δ of 1 already makes the guarantee vacuous, and keeping δ ≤ 1 keeps the sum a valid budget.
    pub fn checked_add(&self, other: &Budget) -> Result<Budget> {
        match (self, other) {
            (Budget::PureDP { epsilon: a }, Budget::PureDP { epsilon: b }) => Ok(Budget::PureDP {
                epsilon: a.checked_add(b)?,
            }),
            (
                Budget::ApproxDP {
                    epsilon: a,
                    delta: da,
                },
                Budget::ApproxDP {
                    epsilon: b,
                    delta: db,
                },
            ) => {
                let delta = da.checked_add(db)?.min(ExtRational::from_integer(1));
                Ok(Budget::ApproxDP {
                    epsilon: a.checked_add(b)?,
                    delta,
                })
            }
            (Budget::RhoZCDP { rho: a }, Budget::RhoZCDP { rho: b }) => Ok(Budget::RhoZCDP {
                rho: a.checked_add(b)?,
            }),
            _ => Err(self.type_mismatch(other, "add")),
        }
    }

    /// Whether `requested` fits in `self` (same type only; Err(InvalidArgument) otherwise). An infinite
    /// budget covers every request of its type.
    pub fn covers(&self, requested: &Budget) -> Result<bool> {
        if self.is_infinite() && std::mem::discriminant(self) == std::mem::discriminant(requested) {
            return Ok(true);
        }
        match (self, requested) {
            (Budget::PureDP { epsilon: have }, Budget::PureDP { epsilon: want }) => {
                Ok(want <= have)
            }
            (
                Budget::ApproxDP {
                    epsilon: have,
                    delta: have_delta,
                },
                Budget::ApproxDP {
                    epsilon: want,
                    delta: want_delta,
                },
            ) => Ok(want <= have && want_delta <= have_delta),
            (Budget::RhoZCDP { rho: have }, Budget::RhoZCDP { rho: want }) => Ok(want <= have),
            _ => Err(self.type_mismatch(requested, "compare")),
        }
    }

    /// `self - requested`, exact. Err(InvalidArgument) on mismatched types; Err(InsufficientBudget) with
    /// Tumult's message (see [`Budget::insufficient_budget_message`]) when `requested` does not fit;
    /// Err(Overflow) when an exact difference does not fit ([`Budget::subtract_charged`] rounds instead).
    /// An infinite budget stays infinite (see [`ExtRational`]).
    pub fn checked_sub(&self, requested: &Budget) -> Result<Budget> {
        self.subtract_with(requested, |have, want| have.checked_sub(want))
    }

    /// `self - charged` for a `charged` budget that fits (as [`Budget::charge`] returns): exact when the
    /// difference fits u128/u128, otherwise rounded toward *less* remaining per component
    /// ([`Rational::sub_round_down`]), so it never fails for such a budget. Errors as
    /// [`Budget::checked_sub`] for a budget that does not fit or has another type.
    pub fn subtract_charged(&self, charged: &Budget) -> Result<Budget> {
        self.subtract_with(charged, |have, want| match (have, want) {
            (ExtRational::Finite(have), ExtRational::Finite(want)) => {
                have.sub_round_down(want).map(ExtRational::Finite)
            }
            _ => have.checked_sub(want),
        })
    }

    fn subtract_with(
        &self,
        requested: &Budget,
        subtract: impl Fn(&ExtRational, &ExtRational) -> Result<ExtRational>,
    ) -> Result<Budget> {
        if !self.covers(requested)? {
            fail!(
                InsufficientBudget,
                "{}",
                self.insufficient_budget_message(requested)
            );
        }
        if self.is_infinite() {
            return Ok(*self);
        }
        match (self, requested) {
            (Budget::PureDP { epsilon: have }, Budget::PureDP { epsilon: want }) => {
                Ok(Budget::PureDP {
                    epsilon: subtract(have, want)?,
                })
            }
            (
                Budget::ApproxDP {
                    epsilon: have,
                    delta: have_delta,
                },
                Budget::ApproxDP {
                    epsilon: want,
                    delta: want_delta,
                },
            ) => Ok(Budget::ApproxDP {
                epsilon: subtract(have, want)?,
                delta: subtract(have_delta, want_delta)?,
            }),
            (Budget::RhoZCDP { rho: have }, Budget::RhoZCDP { rho: want }) => Ok(Budget::RhoZCDP {
                rho: subtract(have, want)?,
            }),
            _ => Err(self.type_mismatch(requested, "subtract")),
        }
    }

    /// What a query asking for `requested` is charged when `self` remains (Tumult's `_get_adjusted_budget`
    /// followed by its accountant's check):
    /// * in an ApproxDP session a PureDP request for ε is the request (ε, 0), as in Tumult's `Session.evaluate`;
    /// * Err(InvalidArgument) with Tumult's message when the types differ otherwise;
    /// * an infinite ApproxDP request (ε = ∞ or δ = 1) is the request (∞, 1), as Tumult's
    ///   `_process_requested_budget` makes it;
    /// * per component, a requested value above a finite remaining value by at most remaining/10^9
    ///   (Tumult's `_BUDGET_RELATIVE_TOLERANCE`, compared exactly) is replaced by the remaining value;
    /// * the result if it fits in `self`, else Err(InsufficientBudget) with Tumult's message
    ///   ([`Budget::insufficient_budget_message`]) for the adjusted request.
    pub fn charge(&self, requested: &Budget) -> Result<Budget> {
        // Tumult's `Session.evaluate`: in an ApproxDP session a PureDPBudget(ε) request is ApproxDPBudget(ε, 0)
        // (pure ε-DP is (ε, 0)-DP).
        let converted;
        let requested = match (self, requested) {
            (Budget::ApproxDP { .. }, Budget::PureDP { epsilon }) => {
                converted = Budget::ApproxDP {
                    epsilon: *epsilon,
                    delta: ExtRational::zero(),
                };
                &converted
            }
            _ => requested,
        };
        let requested = match requested {
            Budget::ApproxDP { .. } if requested.is_infinite() => Budget::ApproxDP {
                epsilon: ExtRational::Infinite,
                delta: ExtRational::from_integer(1),
            },
            _ => *requested,
        };
        let requested = &requested;
        let adjusted = match (self, requested) {
            (Budget::PureDP { epsilon: have }, Budget::PureDP { epsilon: want }) => {
                Budget::PureDP {
                    epsilon: within_tolerance(want, have),
                }
            }
            (
                Budget::ApproxDP {
                    epsilon: have,
                    delta: have_delta,
                },
                Budget::ApproxDP {
                    epsilon: want,
                    delta: want_delta,
                },
            ) => Budget::ApproxDP {
                epsilon: within_tolerance(want, have),
                delta: within_tolerance(want_delta, have_delta),
            },
            (Budget::RhoZCDP { rho: have }, Budget::RhoZCDP { rho: want }) => Budget::RhoZCDP {
                rho: within_tolerance(want, have),
            },
            _ => fail!(
                InvalidArgument,
                "Your requested privacy budget type must match the type of the privacy budget your \
                 Session was created with."
            ),
        };
        if !self.covers(&adjusted)? {
            fail!(
                InsufficientBudget,
                "{}",
                self.insufficient_budget_message(&adjusted)
            );
        }
        Ok(adjusted)
    }

    /// Tumult's message for a request that does not fit (`Session.evaluate` + `_format_insufficient_budget_msg`):
    /// "Cannot answer query without exceeding the Session privacy budget." then Requested, Remaining and
    /// Difference lines, values rounded up to f64 and shown with 3 decimals (a difference below 0.1 in
    /// scientific notation), ρ written "𝝆" as Tumult writes it.
    pub fn insufficient_budget_message(&self, requested: &Budget) -> String {
        const FORMAT_THRESHOLD: f64 = 0.1;
        let diff_text = |difference: f64| {
            if difference >= FORMAT_THRESHOLD {
                format!("{difference:.3}")
            } else {
                python_exponent_format(difference)
            }
        };
        let mut message =
            String::from("Cannot answer query without exceeding the Session privacy budget.");
        match (requested, self) {
            (
                Budget::ApproxDP { epsilon, delta },
                Budget::ApproxDP {
                    epsilon: remaining_epsilon,
                    delta: remaining_delta,
                },
            ) => {
                let (want_epsilon, want_delta) =
                    (epsilon.to_f64_round_up(), delta.to_f64_round_up());
                let (have_epsilon, have_delta) = (
                    remaining_epsilon.to_f64_round_up(),
                    remaining_delta.to_f64_round_up(),
                );
                message += &format!("\nRequested: ε={want_epsilon:.3}, δ={want_delta:.3}");
                message += &format!("\nRemaining: ε={have_epsilon:.3}, δ={have_delta:.3}");
                message += "\nDifference: ";
                let lacks_epsilon = have_epsilon < want_epsilon;
                let lacks_delta = have_delta < want_delta;
                let epsilon_difference = python_round_3((have_epsilon - want_epsilon).abs());
                let delta_difference = python_round_3((have_delta - want_delta).abs());
                // Tumult's branches, including the one that shows a small δ difference with 3 decimals.
                if lacks_epsilon && lacks_delta {
                    if epsilon_difference >= FORMAT_THRESHOLD
                        && delta_difference >= FORMAT_THRESHOLD
                    {
                        message += &format!("ε={epsilon_difference:.3}, δ={delta_difference:.3}");
                    } else if epsilon_difference < FORMAT_THRESHOLD {
                        message += &format!(
                            "ε={}, δ={delta_difference:.3}",
                            python_exponent_format(epsilon_difference)
                        );
                    } else {
                        message += &format!(
                            "ε={epsilon_difference:.3}, δ={}",
                            python_exponent_format(delta_difference)
                        );
                    }
                } else if lacks_epsilon {
                    message += &format!("ε={}", diff_text(epsilon_difference));
                } else if lacks_delta {
                    message += &format!("δ={}", diff_text(delta_difference));
                }
            }
            (Budget::PureDP { epsilon: want }, Budget::PureDP { epsilon: have })
            | (Budget::RhoZCDP { rho: want }, Budget::RhoZCDP { rho: have }) => {
                let symbol = if matches!(self, Budget::PureDP { .. }) {
                    "ε"
                } else {
                    "𝝆"
                };
                let (want, have) = (want.to_f64_round_up(), have.to_f64_round_up());
                let difference = python_round_3((have - want).abs());
                message += &format!("\nRequested: {symbol}={want:.3}");
                message += &format!("\nRemaining: {symbol}={have:.3}");
                message += &format!("\nDifference: {symbol}={}", diff_text(difference));
            }
            _ => {
                message += &format!(
                    "\nRequested: {} ({requested})\nRemaining: {} ({self})",
                    requested.type_name(),
                    self.type_name()
                );
            }
        }
        message
    }

    /// `ε=…`, `ε=…, δ=…` or `ρ=…` with exact values (and a decimal approximation for non-integers).
    pub fn describe(&self) -> String {
        fn show(value: &ExtRational) -> String {
            match value.finite() {
                Some(exact) if exact.denominator() != 1 => {
                    // Display only: the nearest-above f64 of the exact value.
                    format!("{value} (≈{:.6})", exact.to_f64_round_up())
                }
                _ => value.to_string(),
            }
        }
        match self {
            Budget::PureDP { epsilon } => format!("ε={}", show(epsilon)),
            Budget::ApproxDP { epsilon, delta } => {
                format!("ε={}, δ={}", show(epsilon), show(delta))
            }
            Budget::RhoZCDP { rho } => format!("ρ={}", show(rho)),
        }
    }

    /// The budget of one of `parts` equal shares, exactly: adding `parts` copies of the result gives back
    /// `self` (for finite budgets; an infinite budget splits into infinite shares, as in Tumult).
    /// Err(InvalidArgument) when `parts == 0`.
    pub fn split_evenly(&self, parts: u64) -> Result<Budget> {
        if parts == 0 {
            fail!(
                InvalidArgument,
                "cannot split the budget {self} into 0 parts"
            );
        }
        if self.is_infinite() {
            return Ok(*self);
        }
        let divisor = Rational::from_integer(u128::from(parts));
        match self {
            Budget::PureDP { epsilon } => Ok(Budget::PureDP {
                epsilon: epsilon.checked_div_finite(&divisor)?,
            }),
            Budget::ApproxDP { epsilon, delta } => Ok(Budget::ApproxDP {
                epsilon: epsilon.checked_div_finite(&divisor)?,
                delta: delta.checked_div_finite(&divisor)?,
            }),
            Budget::RhoZCDP { rho } => Ok(Budget::RhoZCDP {
                rho: rho.checked_div_finite(&divisor)?,
            }),
        }
    }
}

/// Tumult's `_get_adjusted_budget_number`: `remaining` when `requested` exceeds a finite `remaining` by at
/// most `remaining/10^9` (exactly), else `requested`. When the exact comparison does not fit u128/u128
/// (denominators near 2^128), the request is kept as is: never more budget than asked for, at worst a
/// refusal where Tumult would round.
fn within_tolerance(requested: &ExtRational, remaining: &ExtRational) -> ExtRational {
    const RELATIVE_TOLERANCE: u128 = 1_000_000_000;
    let (ExtRational::Finite(want), ExtRational::Finite(have)) = (requested, remaining) else {
        return *requested;
    };
    if want <= have {
        return *requested;
    }
    let Ok(excess) = want.checked_sub(have) else {
        return *requested;
    };
    let is_within = match excess.checked_mul_integer(RELATIVE_TOLERANCE) {
        Ok(scaled_excess) => scaled_excess <= *have,
        Err(_) => match have.checked_div_integer(RELATIVE_TOLERANCE) {
            Ok(tolerance) => excess <= tolerance,
            Err(_) => false,
        },
    };
    if is_within {
        *remaining
    } else {
        *requested
    }
}

/// Python's `round(x, 3)` for a float: the correctly rounded 3-decimal value (Rust's `{:.3}` rounds the
/// exact binary value half-to-even, as Python does), read back as f64.
fn python_round_3(x: f64) -> f64 {
    format!("{x:.3}").parse().unwrap_or(x)
}

/// Python's `f"{x:.3e}"`: Rust's `{:.3e}` digits with Python's exponent (sign, at least two digits).
fn python_exponent_format(x: f64) -> String {
    let formatted = format!("{x:.3e}");
    match formatted.split_once('e') {
        Some((mantissa, exponent)) => match exponent.parse::<i32>() {
            Ok(exponent) => {
                let sign = if exponent < 0 { '-' } else { '+' };
                format!("{mantissa}e{sign}{:02}", exponent.unsigned_abs())
            }
            Err(_) => formatted,
        },
        // inf and NaN have no exponent.
        None => formatted,
    }
}
