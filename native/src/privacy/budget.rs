//! Privacy budgets with exact arithmetic. CONTRACT STUB: owned by the privacy helper.
use super::rational::ExtRational;
use crate::error::Result;
use crate::fail;

/// One budget of one of the three accounting types, every value exact.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Budget {
    PureDP { epsilon: ExtRational },
    ApproxDP { epsilon: ExtRational, delta: ExtRational },
    RhoZCDP { rho: ExtRational },
}

impl Budget {
    /// `self + other` (same type only; Err(InvalidArgument) otherwise).
    pub fn checked_add(&self, _other: &Budget) -> Result<Budget> {
        fail!(Internal, "not implemented yet")
    }
    /// `self - requested`; Err(InsufficientBudget) naming both values when `requested` exceeds `self`.
    pub fn checked_sub(&self, _requested: &Budget) -> Result<Budget> {
        fail!(Internal, "not implemented yet")
    }
    /// Whether `requested` fits in `self` (same type only).
    pub fn covers(&self, _requested: &Budget) -> Result<bool> {
        fail!(Internal, "not implemented yet")
    }
}
