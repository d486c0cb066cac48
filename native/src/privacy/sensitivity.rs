//! Sensitivity rules, written once. CONTRACT STUB: owned by the privacy helper.
use super::rational::Rational;
use crate::error::Result;
use crate::fail;

/// What a neighbouring data set may differ by (Tumult's protected changes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProtectedChange {
    AddOneRow,
    AddMaxRows { max_rows: u64 },
    AddRowsWithID,
}

/// Truncation constraints enforced on an ID-protected table (Tumult's constraints).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Constraint {
    MaxRowsPerID(u64),
    MaxGroupsPerID(u64),
    MaxRowsPerGroupPerID(u64),
}

/// L1 sensitivity of a grouped count. Err(InvalidArgument) when AddRowsWithID lacks a bounding constraint.
pub fn count_l1_sensitivity(_change: &ProtectedChange, _constraints: &[Constraint]) -> Result<Rational> {
    fail!(Internal, "not implemented yet")
}

/// L2 sensitivity squared (exact) of a grouped count.
pub fn count_l2_sensitivity_squared(_change: &ProtectedChange, _constraints: &[Constraint]) -> Result<Rational> {
    fail!(Internal, "not implemented yet")
}
