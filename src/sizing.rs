//! Position sizing.
