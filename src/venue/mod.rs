//! The simulated venue: price path, fill rules, slippage and fees.
