//! slipstream: a deterministic, event-driven backtest engine.
//!
//! A scenario file ([`scenario`]) names data files ([`data`]), instruments, a strategy
//! ([`strategy`]), sizing ([`sizing`], reading [`indicators`]) and a simulated venue ([`venue`]). The backtest
//! driver ([`backtest`]) merges the bars by time and feeds them, with the venue's fills,
//! to the pure [`engine`], which answers with orders; [`risk`] is the pre-trade risk
//! guard orders pass before they reach a venue. [`report`] turns the outcome into
//! metrics, tables and charts. See docs/ARCHITECTURE.md for the whole picture.

pub mod backtest;
pub mod data;
pub mod engine;
pub mod error;
pub mod execution;
pub mod indicators;
pub mod model;
pub mod portfolio;
pub mod report;
pub mod risk;
pub mod scenario;
pub mod sizing;
pub mod strategy;
pub mod venue;

pub use error::Error;
