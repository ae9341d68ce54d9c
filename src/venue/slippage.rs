//! Slippage: the price the trader really gets, given the price the fill rules produced.
//!
//! Models (the scenario picks one; the report states it):
//! - none: the fill rules' price as is;
//! - fixed bps: `px × (1 ± bps / 10_000)`, against the trader;
//! - half spread: `px ± spread / 2`, against the trader (the bar prices are taken as mids).
//!
//! A slipped price is rounded to the instrument's tick against the trader (buys up,
//! sells down). An unslipped price is used exactly as the data gives it, even off-tick,
//! so that runs without costs match reference backtests to the cent.

use crate::model::{Instrument, Side};
use crate::scenario::SlippageConfig;
use rust_decimal::Decimal;

const BPS: Decimal = Decimal::from_parts(10_000, 0, 0, false, 0);

/// Price after slippage for a fill of `side` at `px`.
pub fn apply(config: &SlippageConfig, instrument: &Instrument, side: Side, px: Decimal) -> Decimal {
    let slipped = match *config {
        SlippageConfig::None => return px,
        SlippageConfig::FixedBps { bps } => px + side.sign() * px * bps / BPS,
        SlippageConfig::HalfSpread { spread } => px + side.sign() * spread / Decimal::TWO,
    };
    if slipped == px {
        return px;
    }
    let rounded = instrument.round_price(slipped, side == Side::Buy);
    // A sell slipped to or below zero would be a nonsense price; keep one tick.
    rounded.max(instrument.tick_size)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::dec;

    #[test]
    fn fixed_bps_moves_against_the_trader_and_rounds_adversely() {
        let inst = Instrument::equity("X");
        let cfg = SlippageConfig::FixedBps { bps: dec!(10) };
        assert_eq!(apply(&cfg, &inst, Side::Buy, dec!(100)), dec!(100.10));
        assert_eq!(apply(&cfg, &inst, Side::Sell, dec!(100)), dec!(99.90));
        // 57.25 × 1.001 = 57.30725 → buys round up to 57.31; sells 57.19275 → 57.19.
        assert_eq!(apply(&cfg, &inst, Side::Buy, dec!(57.25)), dec!(57.31));
        assert_eq!(apply(&cfg, &inst, Side::Sell, dec!(57.25)), dec!(57.19));
    }

    #[test]
    fn half_spread() {
        let mut inst = Instrument::equity("EURUSD");
        inst.tick_size = dec!(0.00001);
        let cfg = SlippageConfig::HalfSpread { spread: dec!(0.0002) };
        assert_eq!(apply(&cfg, &inst, Side::Buy, dec!(1.05236)), dec!(1.05246));
        assert_eq!(apply(&cfg, &inst, Side::Sell, dec!(1.05236)), dec!(1.05226));
    }

    #[test]
    fn none_keeps_off_tick_data_prices() {
        let inst = Instrument::equity("X");
        assert_eq!(
            apply(&SlippageConfig::None, &inst, Side::Buy, dec!(29.215)),
            dec!(29.215)
        );
    }
}
