//! Privacy budgets with exact arithmetic.
//!
//! A budget is one of Tumult Analytics' three types, every value an exact [`ExtRational`]. The constructors
//! validate (ε ≥ 0 and ρ ≥ 0 hold by construction of `ExtRational`; 0 ≤ δ ≤ 1 is checked); code that
//! builds the enum variants directly must call [`Budget::validate`]. Every operation either returns the
//! exact result or an `Err`: nothing here rounds, so nothing here can hand out more budget than exists.
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
/// `Epsilon must be non-negative. Cannot construct a PureDPBudget with epsilon of -1.`
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
    ExtRational::from_f64_exact(value, setting)
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

    /// `PureDPBudget(epsilon)` from a user's float, converted exactly (+inf allowed).
    pub fn pure_dp_from_f64(epsilon: f64) -> Result<Budget> {
        Self::pure_dp(exact_budget_value(epsilon, "epsilon", "PureDPBudget")?)
    }

    /// `ApproxDPBudget(epsilon, delta)` from a user's floats, converted exactly.
    pub fn approx_dp_from_f64(epsilon: f64, delta: f64) -> Result<Budget> {
        let epsilon = exact_budget_value(epsilon, "epsilon", "ApproxDPBudget")?;
        if delta.is_nan() || !(0.0..=1.0).contains(&delta) {
            fail!(
                InvalidArgument,
                "Delta must be between 0 and 1 (inclusive). Cannot construct an ApproxDPBudget with delta of {delta}."
            );
        }
        Self::approx_dp(epsilon, ExtRational::from_f64_exact(delta, "delta")?)
    }

    /// `RhoZCDPBudget(rho)` from a user's float, converted exactly (+inf allowed).
    pub fn rho_zcdp_from_f64(rho: f64) -> Result<Budget> {
        Self::rho_zcdp(exact_budget_value(rho, "rho", "RhoZCDPBudget")?)
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

    /// `self - requested`. Err(InvalidArgument) on mismatched types; Err(InsufficientBudget) naming the
    /// requested, remaining and missing amounts when `requested` does not fit (Tumult's message). An
    /// infinite budget stays infinite (see [`ExtRational`]).
    pub fn checked_sub(&self, requested: &Budget) -> Result<Budget> {
        if !self.covers(requested)? {
            let difference = requested.shortfall_over(self)?;
            fail!(
                InsufficientBudget,
                "Cannot answer query without exceeding the Session privacy budget.\nRequested: {}\nRemaining: {}\nDifference: {}",
                requested.describe(),
                self.describe(),
                difference.describe()
            );
        }
        if self.is_infinite() {
            return Ok(*self);
        }
        match (self, requested) {
            (Budget::PureDP { epsilon: have }, Budget::PureDP { epsilon: want }) => {
                Ok(Budget::PureDP {
                    epsilon: have.checked_sub(want)?,
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
                epsilon: have.checked_sub(want)?,
                delta: have_delta.checked_sub(want_delta)?,
            }),
            (Budget::RhoZCDP { rho: have }, Budget::RhoZCDP { rho: want }) => Ok(Budget::RhoZCDP {
                rho: have.checked_sub(want)?,
            }),
            _ => Err(self.type_mismatch(requested, "subtract")),
        }
    }

    /// Per component, how much `self` exceeds `available` (zero where it does not). Same type only.
    fn shortfall_over(&self, available: &Budget) -> Result<Budget> {
        let excess = |want: &ExtRational, have: &ExtRational| -> Result<ExtRational> {
            if want > have {
                want.checked_sub(have)
            } else {
                Ok(ExtRational::zero())
            }
        };
        match (self, available) {
            (Budget::PureDP { epsilon: want }, Budget::PureDP { epsilon: have }) => {
                Ok(Budget::PureDP {
                    epsilon: excess(want, have)?,
                })
            }
            (
                Budget::ApproxDP {
                    epsilon: want,
                    delta: want_delta,
                },
                Budget::ApproxDP {
                    epsilon: have,
                    delta: have_delta,
                },
            ) => Ok(Budget::ApproxDP {
                epsilon: excess(want, have)?,
                delta: excess(want_delta, have_delta)?,
            }),
            (Budget::RhoZCDP { rho: want }, Budget::RhoZCDP { rho: have }) => Ok(Budget::RhoZCDP {
                rho: excess(want, have)?,
            }),
            _ => Err(available.type_mismatch(self, "subtract")),
        }
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
