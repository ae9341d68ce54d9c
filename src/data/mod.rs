//! Market data: loading, validation at the door, gap detection and synthetic bars.
