//! The open release passes, by handle (`kernels::registry`: handles are map keys, never pointers; a
//! failed call frees its state; `close` is idempotent).
use arrow::record_batch::RecordBatch;

use super::ReleaseState;
use crate::error::Result;
use crate::kernels::registry::Registry;

static RELEASES: Registry<ReleaseState> = Registry::new("release");

/// Registers `state`; returns its handle (positive).
pub fn open(state: ReleaseState) -> Result<i64> {
    RELEASES.open(state)
}

/// Runs `work` on the state of `handle`; the state is freed when `work` fails.
pub fn with_state<T>(handle: i64, work: impl FnOnce(&mut ReleaseState) -> Result<T>) -> Result<T> {
    RELEASES.with_state(handle, work)
}

/// Removes the state of `handle` and finishes it (the handle is freed whatever the outcome).
pub fn finish(handle: i64) -> Result<RecordBatch> {
    RELEASES.finish(handle, ReleaseState::finish)
}

/// Frees the state of `handle` if it is still open; nothing for an unknown handle (idempotent).
pub fn close(handle: i64) {
    RELEASES.close(handle)
}

/// Whether `handle` is open (for tests: nothing leaks).
#[cfg(test)]
pub fn is_open(handle: i64) -> bool {
    RELEASES.is_open(handle)
}
