//! The open truncations, by handle: a handle is a key into this map (a positive Java `long`), never a
//! pointer, so a stale or made-up handle is an `InvalidArgument`, not a crash.
//!
//! A call takes its state out of the map while it works (leaving a `Busy` marker), so calls on other
//! handles — other Spark tasks — never wait for it. A call that fails or panics frees its state: the
//! Spark task fails anyway, and a half-offered batch must not be counted. `close` is idempotent; a
//! `close` arriving while another call works on the handle frees the state when that call ends.
use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};

use arrow::record_batch::RecordBatch;
use once_cell::sync::Lazy;

use super::TruncationState;
use crate::error::Result;
use crate::fail;

enum Slot {
    Ready(Box<TruncationState>),
    Busy { close_requested: bool },
}

struct Registry {
    next_handle: i64,
    slots: HashMap<i64, Slot>,
}

static REGISTRY: Lazy<Mutex<Registry>> = Lazy::new(|| {
    Mutex::new(Registry {
        next_handle: 1,
        slots: HashMap::new(),
    })
});

/// The registry lock. Nothing panics while holding it, but a poisoned lock still holds a consistent map
/// (every update is one map operation), so it is used as is.
fn registry() -> MutexGuard<'static, Registry> {
    REGISTRY
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Registers `state`; returns its handle (positive).
pub fn open(state: TruncationState) -> Result<i64> {
    let mut registry = registry();
    let handle = registry.next_handle;
    registry.next_handle = match handle.checked_add(1) {
        Some(next) => next,
        None => fail!(Internal, "truncation handles exhausted"),
    };
    registry.slots.insert(handle, Slot::Ready(Box::new(state)));
    Ok(handle)
}

fn unknown(handle: i64) -> crate::error::Error {
    crate::err!(
        InvalidArgument,
        "unknown truncation handle {handle}: never opened, already finished or closed, or freed after a \
         failed call"
    )
}

fn busy(handle: i64) -> crate::error::Error {
    crate::err!(
        InvalidArgument,
        "truncation handle {handle} is in use by another call"
    )
}

/// Puts a taken state back when the call succeeded, frees it otherwise (error, panic, or a close that
/// came in meanwhile).
struct Taken {
    handle: i64,
    state: Option<Box<TruncationState>>,
    /// Set only once the call succeeded: an error or a panic leaves it false, and the state is freed.
    keep: bool,
}

impl Drop for Taken {
    fn drop(&mut self) {
        let mut registry = registry();
        let close_requested = matches!(
            registry.slots.remove(&self.handle),
            Some(Slot::Busy {
                close_requested: true
            })
        );
        if let Some(state) = self.state.take() {
            if self.keep && !close_requested {
                registry.slots.insert(self.handle, Slot::Ready(state));
            }
        }
    }
}

fn take(handle: i64) -> Result<Taken> {
    let mut registry = registry();
    let slot = registry
        .slots
        .get_mut(&handle)
        .ok_or_else(|| unknown(handle))?;
    if matches!(slot, Slot::Busy { .. }) {
        return Err(busy(handle));
    }
    match std::mem::replace(
        slot,
        Slot::Busy {
            close_requested: false,
        },
    ) {
        Slot::Ready(state) => Ok(Taken {
            handle,
            state: Some(state),
            keep: false,
        }),
        Slot::Busy { .. } => fail!(
            Internal,
            "truncation handle {handle} changed under the lock"
        ),
    }
}

/// Runs `work` on the state of `handle`, outside the lock. The state is kept when `work` succeeds and
/// freed when it fails.
pub fn with_state<T>(
    handle: i64,
    work: impl FnOnce(&mut TruncationState) -> Result<T>,
) -> Result<T> {
    let mut taken = take(handle)?;
    let Some(state) = taken.state.as_mut() else {
        fail!(Internal, "truncation handle {handle} has no state");
    };
    let result = work(state);
    taken.keep = result.is_ok();
    result
}

/// Removes the state of `handle` and finishes it (the handle is freed whatever the outcome).
pub fn finish(handle: i64) -> Result<RecordBatch> {
    let state = {
        let mut registry = registry();
        match registry.slots.remove(&handle) {
            Some(Slot::Ready(state)) => state,
            Some(busy_slot @ Slot::Busy { .. }) => {
                registry.slots.insert(handle, busy_slot);
                return Err(busy(handle));
            }
            None => return Err(unknown(handle)),
        }
    };
    state.finish()
}

/// Frees the state of `handle` if it is still open; nothing for an unknown handle (idempotent).
pub fn close(handle: i64) {
    let mut registry = registry();
    match registry.slots.get_mut(&handle) {
        Some(Slot::Ready(_)) => {
            registry.slots.remove(&handle);
        }
        Some(Slot::Busy { close_requested }) => *close_requested = true,
        None => {}
    }
}

/// Whether `handle` is open (for tests: nothing leaks).
#[cfg(test)]
pub fn is_open(handle: i64) -> bool {
    registry().slots.contains_key(&handle)
}
