//! sparkdp's native core.
//!
//! * `privacy` — exact rationals, budgets, sensitivity and noise calibration (the audited place for every
//!   number that affects the privacy guarantee).
//! * `sample`  — the ChaCha20 CSPRNG and exact integer samplers.
//! * `kernels` — Arrow record-batch kernels (partial counts, adding calibrated noise) and IPC encoding.
//! * `jni`     — the only module that knows about JNI.
pub mod error;
pub mod kernels;
pub mod privacy;
pub mod sample;

mod jni;

pub use error::{Error, Result};
