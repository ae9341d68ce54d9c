//! Trading costs and order activity.
//!
//! Fees and slippage are summed exactly (decimal) over every fill. Slippage cost is what
//! the fill price lost against the price the fill rules produced before slippage
//! (`Fill::slippage_cost`, positive when adverse). Slippage in basis points is taken over
//! the traded notional: `sum(slippage_cost) / sum(|px * qty|) * 1e4`.

use super::{finite, to_f64};
use crate::model::{Fill, Order};
use rust_decimal::Decimal;
use std::collections::BTreeMap;

/// Sum of fees over all fills.
pub fn fees_total(fills: &[Fill]) -> Decimal {
    fills.iter().map(|f| f.fee).sum()
}

/// Sum of slippage cost over all fills, in currency (positive = cost).
pub fn slippage_cost_total(fills: &[Fill]) -> Decimal {
    fills.iter().map(Fill::slippage_cost).sum()
}

/// Sum of the absolute fill notionals `|px * qty|`.
pub fn traded_notional(fills: &[Fill]) -> Decimal {
    fills.iter().map(|f| f.notional().abs()).sum()
}

/// `slippage_cost_total / traded_notional * 1e4`; `None` when nothing traded.
pub fn slippage_cost_bps(fills: &[Fill]) -> Option<f64> {
    let notional = traded_notional(fills);
    if notional.is_zero() {
        return None;
    }
    finite(to_f64(slippage_cost_total(fills)) / to_f64(notional) * 1e4)
}

/// Number of orders in each final status (keys as in `OrderStatus::as_str`), sorted by key.
pub fn orders_by_status(orders: &[Order]) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for order in orders {
        *counts.entry(order.status.as_str().to_string()).or_insert(0) += 1;
    }
    counts
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Liquidity, Side, Timestamp};
    use rust_decimal::dec;

    fn fill(side: Side, qty: Decimal, before: Decimal, px: Decimal, fee: Decimal) -> Fill {
        Fill {
            order_id: 1,
            symbol: 0,
            side,
            ts: Timestamp(0),
            qty,
            px,
            px_before_slippage: before,
            spread_per_unit: Decimal::ZERO,
            fee,
            liquidity: Liquidity::Taker,
            venue: 0,
        }
    }

    #[test]
    fn costs_by_hand() {
        let fills = [
            // Buy 100 at 10.01 instead of 10.00: 1.00 slippage on 1001 notional.
            fill(Side::Buy, dec!(100), dec!(10.00), dec!(10.01), dec!(1.5)),
            // Sell 100 at 10.99 instead of 11.00: 1.00 slippage on 1099 notional.
            fill(Side::Sell, dec!(100), dec!(11.00), dec!(10.99), dec!(0.5)),
        ];
        assert_eq!(fees_total(&fills), dec!(2.0));
        assert_eq!(slippage_cost_total(&fills), dec!(2.00));
        assert_eq!(traded_notional(&fills), dec!(2100));
        assert!((slippage_cost_bps(&fills).unwrap() - 2.0 / 2100.0 * 1e4).abs() < 1e-12);
        assert_eq!(slippage_cost_bps(&[]), None);
        assert_eq!(fees_total(&[]), Decimal::ZERO);
    }
}
