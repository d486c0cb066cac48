//! The trusted core of privacy accounting: exact rationals, budgets, sensitivity rules and noise
//! calibration. No floating-point arithmetic happens here except in explicitly named, outward-rounding
//! conversions for display.
pub mod bounds;
pub mod budget;
pub mod calibration;
pub mod id_distance;
pub mod lattice;
pub mod measurement;
pub mod parallel_composition;
pub mod partition_selection;
pub mod plan;
pub mod plan_text;
pub mod rational;
pub mod sensitivity;
pub mod stability;
#[cfg(test)]
mod test_support;
pub mod text;

pub use budget::Budget;
pub use calibration::{FloatNoiseSpec, NoiseSpec};
pub use rational::{ExtRational, Rational};
