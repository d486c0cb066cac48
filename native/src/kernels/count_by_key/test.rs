//! Unit tests (being written).
