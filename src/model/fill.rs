//! A fill: what happened at the venue, with everything a slippage report needs.

use super::instrument::SymbolId;
use super::order::{OrderId, Side};
use super::time::Timestamp;
use rust_decimal::Decimal;
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Liquidity {
    /// Took liquidity (market orders, marketable limits, triggered stops).
    Taker,
    /// A resting limit order that was traded through.
    Maker,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Fill {
    pub order_id: OrderId,
    pub symbol: SymbolId,
    pub side: Side,
    /// Timestamp of the bar the fill happened in.
    pub ts: Timestamp,
    pub qty: Decimal,
    /// Price actually paid or received, after slippage, on the tick grid.
    pub px: Decimal,
    /// Price the fill rules produced before slippage: within the bar's low..high.
    pub px_before_slippage: Decimal,
    /// Part of the adverse move per unit that is spread cost (>= 0); the rest of
    /// `|px - px_before_slippage|` is impact (and the random component).
    pub spread_per_unit: Decimal,
    /// Commission and fees charged for this fill (>= 0).
    pub fee: Decimal,
    pub liquidity: Liquidity,
    /// Index of the simulated venue that filled it (0 with a single venue).
    pub venue: u16,
}

impl Fill {
    pub fn notional(&self) -> Decimal {
        self.px * self.qty
    }

    /// Spread cost in currency (>= 0).
    pub fn spread_cost(&self) -> Decimal {
        self.spread_per_unit * self.qty
    }

    /// Impact cost in currency: slippage cost that is not spread (can be negative when
    /// the random component was favourable).
    pub fn impact_cost(&self) -> Decimal {
        self.slippage_cost() - self.spread_cost()
    }

    /// Slippage cost in currency: positive when the fill was worse than before slippage.
    pub fn slippage_cost(&self) -> Decimal {
        match self.side {
            Side::Buy => (self.px - self.px_before_slippage) * self.qty,
            Side::Sell => (self.px_before_slippage - self.px) * self.qty,
        }
    }
}
