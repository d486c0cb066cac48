//! The text forms in which budgets, protected changes, constraints and noise specs cross the JNI edge.
//! CONTRACT STUB: owned by the privacy helper. Grammar (no spaces):
//!   number     := u128 | u128 "/" u128 | "inf"
//!   budget     := "pure:" number | "approx:" number ":" number | "zcdp:" number
//!   change     := "AddOneRow" | "AddMaxRows:" u64 | "AddRowsWithID"
//!   constraints:= "" | constraint (";" constraint)*      constraint := ("MaxRowsPerID"|"MaxGroupsPerID"|"MaxRowsPerGroupPerID") ":" u64
//!   noise      := "none" | "laplace:" number | "gaussian:" number     (number is finite here)
use super::budget::Budget;
use super::calibration::NoiseSpec;
use super::rational::ExtRational;
use super::sensitivity::{Constraint, ProtectedChange};
use crate::error::Result;
use crate::fail;

pub fn parse_number(_s: &str) -> Result<ExtRational> {
    fail!(Internal, "not implemented yet")
}
pub fn format_number(_x: &ExtRational) -> String {
    String::new()
}
pub fn parse_budget(_s: &str) -> Result<Budget> {
    fail!(Internal, "not implemented yet")
}
pub fn format_budget(_b: &Budget) -> String {
    String::new()
}
pub fn parse_protected_change(_s: &str) -> Result<ProtectedChange> {
    fail!(Internal, "not implemented yet")
}
pub fn parse_constraints(_s: &str) -> Result<Vec<Constraint>> {
    fail!(Internal, "not implemented yet")
}
pub fn parse_noise_spec(_s: &str) -> Result<NoiseSpec> {
    fail!(Internal, "not implemented yet")
}
pub fn format_noise_spec(_n: &NoiseSpec) -> String {
    String::new()
}
