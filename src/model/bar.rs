//! One OHLCV bar. Prices and volume are decimals: fills are priced from them and must
//! match the reference backtests to the cent.

use super::time::Timestamp;
use rust_decimal::Decimal;
use serde::Serialize;

/// A validated bar: `low <= min(open, close)`, `high >= max(open, close)`, prices > 0,
/// volume >= 0. Only the data loaders (which check this at the door) and tests build them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Bar {
    /// Start of the bar's interval.
    pub ts: Timestamp,
    pub open: Decimal,
    pub high: Decimal,
    pub low: Decimal,
    pub close: Decimal,
    pub volume: Decimal,
}

impl Bar {
    /// True when the price lies within the bar's traded range.
    pub fn contains(&self, price: Decimal) -> bool {
        self.low <= price && price <= self.high
    }

    pub fn debug_check(&self) {
        debug_assert!(
            self.low <= self.open.min(self.close),
            "bar low above open/close at {}",
            self.ts
        );
        debug_assert!(
            self.high >= self.open.max(self.close),
            "bar high below open/close at {}",
            self.ts
        );
    }
}
