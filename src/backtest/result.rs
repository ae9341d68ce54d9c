//! Everything a finished run produced, in the form the report writers consume.

use crate::execution::ExecutionLog;
use crate::model::{Fill, Instrument, Order, Side, SymbolId, Timestamp};
use crate::scenario::Scenario;
use crate::sizing::SizingDecision;
use crate::venue::RouteLog;
use rust_decimal::Decimal;
use serde::Serialize;
use std::path::PathBuf;

/// One row of the equity curve: the account marked at the closes known at `ts`, after
/// every bar with that timestamp was processed.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct EquityPoint {
    pub ts: Timestamp,
    pub cash: Decimal,
    /// Sum of absolute position values.
    pub gross_exposure: Decimal,
    /// Cash plus the signed market value of all positions.
    pub equity: Decimal,
}

impl EquityPoint {
    /// Signed market value of all positions (short positions count negative): equity less
    /// cash, exactly. Not stored: a run keeps one point per bar, and 16 bytes less per
    /// point is a fifth of the curve's memory.
    pub fn positions_value(&self) -> Decimal {
        self.equity - self.cash
    }
}

/// A round trip: from flat to flat (a reversal closes one trade and opens the next).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Trade {
    pub symbol: SymbolId,
    /// `Buy` for a long trade, `Sell` for a short one.
    pub side: Side,
    /// Largest absolute position held during the trade.
    pub qty: Decimal,
    pub entry_ts: Timestamp,
    /// Average price of the fills that opened or added to the position.
    pub entry_px: Decimal,
    /// `None` while the trade is still open at the end of the data.
    pub exit_ts: Option<Timestamp>,
    pub exit_px: Option<Decimal>,
    /// Realised PnL before fees (for an open trade: marked at the last close).
    pub pnl: Decimal,
    /// Fees charged on the trade's fills.
    pub fees: Decimal,
    /// Number of equity-curve points from entry to exit (to the end if still open).
    pub bars_held: usize,
}

impl Trade {
    pub fn is_open(&self) -> bool {
        self.exit_ts.is_none()
    }

    /// PnL after fees.
    pub fn net_pnl(&self) -> Decimal {
        self.pnl - self.fees
    }
}

/// Provenance of one data file, so a report says exactly what it was computed from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DataFileInfo {
    pub symbol: String,
    pub path: PathBuf,
    /// Hex SHA-256 of the file's bytes.
    pub sha256: String,
    pub bars: usize,
    pub first_ts: Option<Timestamp>,
    pub last_ts: Option<Timestamp>,
    /// Median spacing between bars, in seconds.
    pub bar_interval_secs: f64,
    /// Number of gaps found (spacing much larger than the usual interval, beyond weekends).
    pub gaps: usize,
}

/// The outcome of one backtest of one strategy.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunOutcome {
    pub strategy: String,
    pub equity: Vec<EquityPoint>,
    pub orders: Vec<Order>,
    pub fills: Vec<Fill>,
    /// Closed trades first in exit order, then trades still open at the end.
    pub trades: Vec<Trade>,
    /// Number of equity points with a non-zero position in any symbol.
    pub bars_in_market: usize,
    /// What the strategy reported about its own run (e.g. signals never acted on).
    pub notes: Vec<String>,
    /// The run's venues and where its orders went.
    pub routes: RouteLog,
    /// Parents worked by an execution algorithm, and their children.
    pub execution: ExecutionLog,
    /// The risk guard's rejections and trading-state changes.
    pub risk: crate::risk::RiskLog,
    /// Every entry sized at its decision, in decision order: inputs, result, and what
    /// capped or skipped it. Empty under all-cash sizing, which the venue resolves at the
    /// fill (`orders` has those quantities).
    pub sizing: Vec<SizingDecision>,
}

/// Everything the reports need.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunResult {
    pub scenario: Scenario,
    pub instruments: Vec<Instrument>,
    pub periods_per_year: f64,
    /// Where `periods_per_year` came from: "scenario" or "calendar".
    pub periods_per_year_source: &'static str,
    pub data_files: Vec<DataFileInfo>,
    pub main: RunOutcome,
    /// Buy and hold of the same instruments, equal weight, same venue.
    pub benchmark: Option<RunOutcome>,
    /// Things a user should know about how to read the numbers (look-ahead, gaps, ...).
    pub warnings: Vec<String>,
}
