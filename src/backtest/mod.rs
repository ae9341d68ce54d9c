//! The backtest driver.

pub mod result;
