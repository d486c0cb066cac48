//! Open kernel states by handle (truncation's and the release pass's): a handle is a key into a map (a
//! positive Java `long`), never a pointer, so a stale or made-up handle is an `InvalidArgument`, not a
//! crash.
//!
//! A call takes its state out of the map while it works (leaving a `Busy` marker), so calls on other
//! handles — other Spark tasks — never wait for it. A call that fails or panics frees its state: the
//! Spark task fails anyway, and a half-offered batch must not be counted. `close` is idempotent; a
//! `close` arriving while another call works on the handle frees the state when that call ends.
use std::collections::BTreeMap;
use std::sync::{Mutex, MutexGuard};

use crate::error::{Error, Result};
use crate::{err, fail};

enum Slot<S> {
    Ready(Box<S>),
    Busy { close_requested: bool },
}

struct Slots<S> {
    next_handle: i64,
    slots: BTreeMap<i64, Slot<S>>,
}

/// The open states of one kind of kernel; `what` names the kind in errors ("truncation", "release").
pub struct Registry<S> {
    what: &'static str,
    inner: Mutex<Slots<S>>,
}

impl<S> Registry<S> {
    pub const fn new(what: &'static str) -> Self {
        Registry {
            what,
            inner: Mutex::new(Slots {
                next_handle: 1,
                slots: BTreeMap::new(),
            }),
        }
    }

    /// The lock. Nothing panics while holding it, but a poisoned lock still holds a consistent map
    /// (every update is one map operation), so it is used as is.
    fn lock(&self) -> MutexGuard<'_, Slots<S>> {
        self.inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn unknown(&self, handle: i64) -> Error {
        err!(
            InvalidArgument,
            "unknown {} handle {handle}: never opened, already finished or closed, or freed after a \
             failed call",
            self.what
        )
    }

    fn busy(&self, handle: i64) -> Error {
        err!(
            InvalidArgument,
            "{} handle {handle} is in use by another call",
            self.what
        )
    }

    /// Registers `state`; returns its handle (positive).
    pub fn open(&self, state: S) -> Result<i64> {
        let mut slots = self.lock();
        let handle = slots.next_handle;
        slots.next_handle = match handle.checked_add(1) {
            Some(next) => next,
            None => fail!(Internal, "{} handles exhausted", self.what),
        };
        slots.slots.insert(handle, Slot::Ready(Box::new(state)));
        Ok(handle)
    }

    fn take(&self, handle: i64) -> Result<Taken<'_, S>> {
        let mut slots = self.lock();
        let slot = slots
            .slots
            .get_mut(&handle)
            .ok_or_else(|| self.unknown(handle))?;
        match std::mem::replace(
            slot,
            Slot::Busy {
                close_requested: false,
            },
        ) {
            Slot::Ready(state) => Ok(Taken {
                registry: self,
                handle,
                state: Some(state),
                keep: false,
            }),
            busy @ Slot::Busy { .. } => {
                *slot = busy;
                Err(self.busy(handle))
            }
        }
    }

    /// Runs `work` on the state of `handle`, outside the lock. The state is kept when `work` succeeds and
    /// freed when it fails.
    pub fn with_state<T>(&self, handle: i64, work: impl FnOnce(&mut S) -> Result<T>) -> Result<T> {
        let mut taken = self.take(handle)?;
        let Some(state) = taken.state.as_mut() else {
            fail!(Internal, "{} handle {handle} has no state", self.what);
        };
        let result = work(state);
        taken.keep = result.is_ok();
        result
    }

    /// Removes the state of `handle` and hands it to `finish` (the handle is freed whatever the outcome).
    pub fn finish<T>(&self, handle: i64, finish: impl FnOnce(S) -> Result<T>) -> Result<T> {
        let state = {
            let mut slots = self.lock();
            match slots.slots.remove(&handle) {
                Some(Slot::Ready(state)) => state,
                Some(busy_slot @ Slot::Busy { .. }) => {
                    slots.slots.insert(handle, busy_slot);
                    return Err(self.busy(handle));
                }
                None => return Err(self.unknown(handle)),
            }
        };
        finish(*state)
    }

    /// Frees the state of `handle` if it is still open; nothing for an unknown handle (idempotent).
    pub fn close(&self, handle: i64) {
        let mut slots = self.lock();
        match slots.slots.get_mut(&handle) {
            Some(Slot::Ready(_)) => {
                slots.slots.remove(&handle);
            }
            Some(Slot::Busy { close_requested }) => *close_requested = true,
            None => {}
        }
    }

    /// Whether `handle` is open (for tests: nothing leaks).
    pub fn is_open(&self, handle: i64) -> bool {
        self.lock().slots.contains_key(&handle)
    }
}

/// Puts a taken state back when the call succeeded, frees it otherwise (error, panic, or a close that
/// came in meanwhile).
struct Taken<'a, S> {
    registry: &'a Registry<S>,
    handle: i64,
    state: Option<Box<S>>,
    /// Set only once the call succeeded: an error or a panic leaves it false, and the state is freed.
    keep: bool,
}

impl<S> Drop for Taken<'_, S> {
    fn drop(&mut self) {
        let mut slots = self.registry.lock();
        let close_requested = matches!(
            slots.slots.remove(&self.handle),
            Some(Slot::Busy {
                close_requested: true
            })
        );
        if let Some(state) = self.state.take() {
            if self.keep && !close_requested {
                slots.slots.insert(self.handle, Slot::Ready(state));
            }
        }
    }
}
