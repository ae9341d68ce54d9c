//! Cash, positions and round-trip trades.
