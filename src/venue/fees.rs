//! Commission models. A fee is charged per fill; per-order amounts (a minimum, a fixed
//! fee) are charged on the order's first fill, so partial fills never pay them twice.

use crate::scenario::CommissionConfig;
use rust_decimal::Decimal;

const BPS: Decimal = Decimal::from_parts(10_000, 0, 0, false, 0);

/// Fee for a fill of `qty` at `px`; `first_fill` is true for the order's first fill.
pub fn commission(config: &CommissionConfig, qty: Decimal, px: Decimal, first_fill: bool) -> Decimal {
    match *config {
        CommissionConfig::None => Decimal::ZERO,
        CommissionConfig::PerShare {
            per_share,
            min_per_order,
        } => {
            let fee = per_share * qty;
            if first_fill { fee.max(min_per_order) } else { fee }
        }
        CommissionConfig::PercentOfNotional { bps } => qty * px * bps / BPS,
        CommissionConfig::Fixed { per_order } => {
            if first_fill {
                per_order
            } else {
                Decimal::ZERO
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::dec;

    #[test]
    fn per_share_with_minimum() {
        let cfg = CommissionConfig::PerShare {
            per_share: dec!(0.005),
            min_per_order: dec!(1),
        };
        assert_eq!(commission(&cfg, dec!(100), dec!(50), true), dec!(1));
        assert_eq!(commission(&cfg, dec!(1000), dec!(50), true), dec!(5));
        assert_eq!(commission(&cfg, dec!(100), dec!(50), false), dec!(0.5));
    }

    #[test]
    fn percent_of_notional_and_fixed() {
        let cfg = CommissionConfig::PercentOfNotional { bps: dec!(10) };
        assert_eq!(commission(&cfg, dec!(100), dec!(50), true), dec!(5));
        let cfg = CommissionConfig::Fixed { per_order: dec!(4.95) };
        assert_eq!(commission(&cfg, dec!(100), dec!(50), true), dec!(4.95));
        assert_eq!(commission(&cfg, dec!(100), dec!(50), false), dec!(0));
    }
}
