//! Position sizing: how many units an entry is for.
//!
//! Sizing runs when the strategy decides, at the decision bar's close, except for
//! all-cash sizing, which is resolved by the venue at the fill price (as the reference
//! backtester does and as a broker's notional order would). Quantities round down to
//! whole lots; an entry below the instrument's minimum quantity is skipped, and the
//! reason is recorded.

use crate::model::{Instrument, OrderQty};
use crate::scenario::SizingConfig;
use rust_decimal::Decimal;

/// The quantity of a new entry, or why there is none.
pub fn entry_qty(
    config: &SizingConfig,
    instrument: &Instrument,
    equity: Decimal,
    decision_px: Decimal,
) -> Result<OrderQty, String> {
    let qty = match *config {
        SizingConfig::AllCash => return Ok(OrderQty::AllCash),
        SizingConfig::FixedQty { qty } => instrument.round_qty_down(qty),
        SizingConfig::FractionOfEquity { fraction } => {
            if decision_px <= Decimal::ZERO || equity <= Decimal::ZERO {
                return Err(format!("no equity to size from (equity {equity})"));
            }
            instrument.round_qty_down(fraction * equity / decision_px)
        }
    };
    if qty < instrument.min_qty || qty <= Decimal::ZERO {
        return Err(format!(
            "sized quantity {qty} is below the minimum {}",
            instrument.min_qty
        ));
    }
    Ok(OrderQty::Units(qty))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::dec;

    #[test]
    fn fraction_of_equity_rounds_down_to_lots() {
        let inst = Instrument::equity("X");
        let cfg = SizingConfig::FractionOfEquity { fraction: dec!(0.5) };
        assert_eq!(
            entry_qty(&cfg, &inst, dec!(10000), dec!(33)),
            Ok(OrderQty::Units(dec!(151)))
        );
    }

    #[test]
    fn fixed_qty_and_minimums() {
        let mut inst = Instrument::equity("X");
        inst.lot_size = dec!(100);
        inst.min_qty = dec!(100);
        let cfg = SizingConfig::FixedQty { qty: dec!(250) };
        assert_eq!(entry_qty(&cfg, &inst, dec!(0), dec!(1)), Ok(OrderQty::Units(dec!(200))));
        let cfg = SizingConfig::FixedQty { qty: dec!(50) };
        assert!(entry_qty(&cfg, &inst, dec!(0), dec!(1)).is_err());
    }

    #[test]
    fn all_cash_is_resolved_at_the_fill() {
        let inst = Instrument::equity("X");
        assert_eq!(
            entry_qty(&SizingConfig::AllCash, &inst, dec!(1), dec!(1)),
            Ok(OrderQty::AllCash)
        );
    }
}
