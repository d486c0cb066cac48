//! Stability of transformations (issue 10): how a change to a transformation's input bounds the change to
//! its output, expressed as the protected change the output table carries. Scala asks these functions
//! (through one JNI call per transformation kind) and never computes a stability itself.
//!
//! Row-wise transformations that map each input row to at most one output row (filter, select, rename,
//! map, the null/NaN/infinity handling, bin_column) keep the protected change unchanged and need no call.
//! One file per transformation family, each with its own text form and tests:
//! - `flat_map`: `flat_map(max_rows, grouping)` and `flat_map_by_id`;
//! - `join`: `join_public` (by the public table's largest join-key multiplicity) and `join_private`.
//! - `constraints`: the constraints in force after `enforce`, flat maps and joins (constraint placement).
pub mod constraints;
pub mod flat_map;
pub mod join;
