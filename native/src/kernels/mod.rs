//! Arrow record-batch kernels and the IPC stream encoding that crosses the JNI edge.
//!
//! * `ipc`          — Arrow IPC stream bytes <-> schema + record batches, and input schema checks.
//! * `count_by_key` — partial counts per 64-bit key over record batches.
//! * `add_noise`    — keyed, reproducible noise added to an aggregate batch.
//! * `partial`      — the per-fp partial aggregates (moments, histogram, distinct items) of kept rows.
//! * `registry`     — open kernel states by handle (map keys, never pointers).
//! * `release`      — the release pass: merge partials per fp, draw each measure's noise, post-process.
//! * `truncate`     — per-ID truncation by the constraints fused with the partial count per fingerprint,
//!   over batches offered one at a time to a handle.
//! * `encode`       — a measure value as the integer the partials add up (null/NaN dropped, clamped, rounded).
//! * `edge_ops`     — one plain-Rust function per JNI method (text / IPC bytes in and out), so `cargo test`
//!   covers everything `jni.rs` calls without a JVM.
pub mod add_noise;
pub mod count_by_key;
pub mod edge_ops;
pub mod encode;
pub mod ipc;
pub mod log_bin;
pub mod partial;
pub mod registry;
pub mod release;
pub mod truncate;

pub use add_noise::add_noise;
pub use count_by_key::count_by_key;
