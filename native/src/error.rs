//! The one error type of the native crate. Variants are named after the kind of failure; the JNI edge maps
//! each variant to exactly one Java exception class (see `jni.rs`).
use thiserror::Error as ThisError;

#[derive(Debug, Clone, PartialEq, Eq, ThisError)]
pub enum Error {
    /// A caller passed a value outside the function's domain (negative scale, NaN epsilon, bad IPC bytes...).
    /// Maps to `java.lang.IllegalArgumentException`.
    #[error("{0}")]
    InvalidArgument(String),
    /// Exact arithmetic would overflow its fixed-width representation.
    /// Maps to `java.lang.ArithmeticException`.
    #[error("{0}")]
    Overflow(String),
    /// A budget request exceeds what remains. Maps to `sparkdp.InsufficientBudgetException`.
    #[error("{0}")]
    InsufficientBudget(String),
    /// A well-formed query the library cannot answer as asked (e.g. an ID-protected table aggregated without
    /// a constraint bounding each ID's rows), with Tumult's message. Maps to `sparkdp.UnsupportedQueryException`
    /// (a `RuntimeException`; Python `RuntimeError`, as Tumult raises).
    #[error("{0}")]
    UnsupportedQuery(String),
    /// Anything else, including invariant violations: a bug on our side. Maps to `sparkdp.NativeException`.
    #[error("{0}")]
    Internal(String),
}

pub type Result<T> = std::result::Result<T, Error>;

/// Early-return an `Err` of the given variant with a formatted message, OpenDP-`fallible!` style:
/// `fail!(InvalidArgument, "scale ({}) must not be negative", scale)`.
#[macro_export]
macro_rules! fail {
    ($variant:ident, $($arg:tt)+) => {
        return Err($crate::error::Error::$variant(format!($($arg)+)))
    };
}

/// Build (without returning) an error of the given variant: `err!(Overflow, "numerator {} overflows", n)`.
#[macro_export]
macro_rules! err {
    ($variant:ident, $($arg:tt)+) => {
        $crate::error::Error::$variant(format!($($arg)+))
    };
}
