//! Stability of `join_public` and `join_private` (see `mod.rs`).
