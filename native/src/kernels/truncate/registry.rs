//! The open truncations, by handle (`kernels::registry`: handles are map keys, never pointers; a failed
//! call frees its state; `close` is idempotent).
use arrow::record_batch::RecordBatch;

use super::TruncationState;
use crate::error::Result;
use crate::kernels::registry::Registry;

static TRUNCATIONS: Registry<TruncationState> = Registry::new("truncation");

/// Registers `state`; returns its handle (positive).
pub fn open(state: TruncationState) -> Result<i64> {
    TRUNCATIONS.open(state)
}

/// Runs `work` on the state of `handle`, outside the lock. The state is kept when `work` succeeds and
/// freed when it fails.
pub fn with_state<T>(
    handle: i64,
    work: impl FnOnce(&mut TruncationState) -> Result<T>,
) -> Result<T> {
    TRUNCATIONS.with_state(handle, work)
}

/// Removes the state of `handle` and finishes it (the handle is freed whatever the outcome).
pub fn finish(handle: i64) -> Result<RecordBatch> {
    TRUNCATIONS.finish(handle, TruncationState::finish)
}

/// Frees the state of `handle` if it is still open; nothing for an unknown handle (idempotent).
pub fn close(handle: i64) {
    TRUNCATIONS.close(handle)
}

/// Whether `handle` is open (for tests: nothing leaks).
#[cfg(test)]
pub fn is_open(handle: i64) -> bool {
    TRUNCATIONS.is_open(handle)
}
