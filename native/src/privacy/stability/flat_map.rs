//! Stability of `flat_map` and `flat_map_by_id` (see `mod.rs`).
