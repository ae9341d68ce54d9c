//! Buy on the first bar of each symbol and hold to the end: the benchmark.

use super::{Intent, Signal, Strategy, StrategyContext};
use crate::model::{Bar, SymbolId};

pub struct BuyAndHold {
    entered: Vec<bool>,
}

impl BuyAndHold {
    pub fn new(symbols: usize) -> Self {
        BuyAndHold {
            entered: vec![false; symbols],
        }
    }
}

impl Strategy for BuyAndHold {
    fn on_bar(&mut self, _ctx: &StrategyContext<'_>, symbol: SymbolId, _bar: &Bar, signals: &mut Vec<Signal>) {
        if !self.entered[symbol] {
            self.entered[symbol] = true;
            signals.push(Signal::new(symbol, Intent::Long));
        }
    }
}
