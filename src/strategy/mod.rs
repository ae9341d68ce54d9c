//! Strategies behind one trait.
//!
//! A strategy sees each bar once its close is known and answers with [`Signal`]s:
//! intentions ("be long", "be flat", "hold 300 units"), not orders. The engine turns
//! them into orders through sizing, so the same strategy runs unchanged whatever the
//! sizing, venue or driver. Strategies cannot tell a backtest from paper trading.

pub mod buy_and_hold;
pub mod signals_file;
pub mod sma_cross;

pub use buy_and_hold::BuyAndHold;
pub use signals_file::{SignalsError, SignalsFile};
pub use sma_cross::SmaCross;

use crate::model::{Bar, SymbolId};
use crate::portfolio::Portfolio;
use rust_decimal::Decimal;

/// What a strategy wants the position in a symbol to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Intent {
    /// Be long; sizing decides how much. No-op when already long.
    Long,
    /// Be short; sizing decides how much. No-op when already short.
    Short,
    /// Close any position.
    Flat,
    /// Hold exactly this signed quantity.
    Target(Decimal),
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Signal {
    pub symbol: SymbolId,
    pub intent: Intent,
    /// 0..=1 when the strategy has an opinion on its own conviction.
    pub confidence: Option<f64>,
    /// Enter with a limit order at this price instead of a market order.
    pub limit_px: Option<Decimal>,
    /// Protect what the entry fills, from its first fill on, with a stop at this price.
    pub stop_loss: Option<Decimal>,
    /// Take profit on what the entry fills, from its first fill on, with a limit at this price.
    pub take_profit: Option<Decimal>,
}

impl Signal {
    pub fn new(symbol: SymbolId, intent: Intent) -> Self {
        Signal {
            symbol,
            intent,
            confidence: None,
            limit_px: None,
            stop_loss: None,
            take_profit: None,
        }
    }
}

/// What a strategy may look at besides the bar: its own account.
pub struct StrategyContext<'a> {
    pub portfolio: &'a Portfolio,
}

impl StrategyContext<'_> {
    pub fn position_qty(&self, symbol: SymbolId) -> Decimal {
        self.portfolio.position(symbol).qty
    }
}

pub trait Strategy {
    /// Called once per bar of every symbol, in time order, after the venue matched the
    /// bar and the fills were booked. Push signals into `signals`.
    fn on_bar(&mut self, ctx: &StrategyContext<'_>, symbol: SymbolId, bar: &Bar, signals: &mut Vec<Signal>);

    /// Called once the data has ended: anything the reader should know about the
    /// strategy's own run, one line each (the report lists them as warnings).
    fn notes(&self) -> Vec<String> {
        Vec::new()
    }
}
