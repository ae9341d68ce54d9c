//! Commission models. A fee is charged per fill. Amounts that belong to the whole order
//! (a minimum, a fixed fee, a maximum, tier boundaries) are kept per order in
//! [`OrderFees`], so an order filled in several parts pays what it would have paid in
//! one: a minimum or fixed fee is charged on the first fill, a maximum caps the running
//! total, and tiers count the order's shares across its fills.

use crate::model::Liquidity;
use crate::scenario::{CommissionConfig, FeeTier};
use rust_decimal::Decimal;

const BPS: Decimal = Decimal::from_parts(10_000, 0, 0, false, 0);

/// What an order has filled and paid so far.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OrderFees {
    pub shares: Decimal,
    pub notional: Decimal,
    pub paid: Decimal,
}

/// Fee for the next fill of `qty` at `px`, given what the order filled and paid before.
///
/// Schedules with per-order terms (a minimum, a fixed fee, a maximum, tiers) charge each
/// fill the order's total fee for everything filled so far minus what it already paid,
/// so an order filled in parts pays exactly what one fill of the same size would (the
/// minimum is charged once; the maximum is never exceeded). Proportional schedules are
/// charged per fill.
pub fn commission(
    config: &CommissionConfig,
    qty: Decimal,
    px: Decimal,
    liquidity: Liquidity,
    before: &OrderFees,
) -> Decimal {
    // Saturating: a fee too large for a Decimal is as good as infinite.
    let notional = saturating_mul(qty, px);
    let fee = match config {
        CommissionConfig::None => Decimal::ZERO,
        CommissionConfig::PercentOfNotional { bps } => saturating_mul(notional, *bps) / BPS,
        CommissionConfig::MakerTaker { maker_bps, taker_bps } => {
            let bps = match liquidity {
                Liquidity::Maker => maker_bps,
                Liquidity::Taker => taker_bps,
            };
            saturating_mul(notional, *bps) / BPS
        }
        per_order => {
            let total = order_total(per_order, before.shares + qty, before.notional + notional);
            (total - before.paid).max(Decimal::ZERO)
        }
    };
    debug_assert!(fee >= Decimal::ZERO, "fees are charged, never paid out");
    fee
}

/// `a × b`, or `Decimal::MAX` when that does not fit (all operands here are >= 0).
fn saturating_mul(a: Decimal, b: Decimal) -> Decimal {
    a.checked_mul(b).unwrap_or(Decimal::MAX)
}

/// The whole fee of an order that filled `shares` for `notional`, under a schedule with
/// per-order terms. Never decreases as the order fills.
fn order_total(config: &CommissionConfig, shares: Decimal, notional: Decimal) -> Decimal {
    match config {
        CommissionConfig::PerShare {
            per_share,
            min_per_order,
        } => saturating_mul(*per_share, shares).max(*min_per_order),
        CommissionConfig::Fixed { per_order } => *per_order,
        CommissionConfig::Tiered {
            tiers,
            min_per_order,
            max_per_order_bps,
        } => {
            let fee = tiered(tiers, Decimal::ZERO, shares).max(*min_per_order);
            match max_per_order_bps {
                Some(max_bps) => fee.min((saturating_mul(notional, *max_bps) / BPS).max(*min_per_order)),
                None => fee,
            }
        }
        CommissionConfig::None | CommissionConfig::PercentOfNotional { .. } | CommissionConfig::MakerTaker { .. } => {
            Decimal::ZERO
        }
    }
}

/// Per-share charge for the order's shares numbered `from..to` under marginal tiers.
fn tiered(tiers: &[FeeTier], from: Decimal, to: Decimal) -> Decimal {
    let mut fee = Decimal::ZERO;
    let mut lower = Decimal::ZERO;
    for tier in tiers {
        let upper = tier.up_to.unwrap_or(Decimal::MAX);
        let overlap = to.min(upper) - from.max(lower);
        if overlap > Decimal::ZERO {
            fee = fee
                .checked_add(saturating_mul(overlap, tier.per_share))
                .unwrap_or(Decimal::MAX);
        }
        if to <= upper {
            break;
        }
        lower = upper;
    }
    fee
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::dec;

    const T: Liquidity = Liquidity::Taker;

    fn first() -> OrderFees {
        OrderFees::default()
    }

    #[test]
    fn per_share_with_minimum() {
        let cfg = CommissionConfig::PerShare {
            per_share: dec!(0.005),
            min_per_order: dec!(1),
        };
        assert_eq!(commission(&cfg, dec!(100), dec!(50), T, &first()), dec!(1));
        assert_eq!(commission(&cfg, dec!(1000), dec!(50), T, &first()), dec!(5));
        // Filled in two parts of 100 and 300: 1 (the minimum) then 1 more = 2 = one fill of 400.
        let later = OrderFees {
            shares: dec!(100),
            notional: dec!(5000),
            paid: dec!(1),
        };
        assert_eq!(commission(&cfg, dec!(300), dec!(50), T, &later), dec!(1));
        assert_eq!(commission(&cfg, dec!(400), dec!(50), T, &first()), dec!(2));
    }

    #[test]
    fn an_order_filled_in_parts_pays_what_one_fill_would() {
        // Small parts under a minimum: 10 × 20 shares at 0.005 with a 1 minimum pays 1 in
        // all, like one fill of 200 shares (0.005 × 200 = 1).
        let cfg = CommissionConfig::PerShare {
            per_share: dec!(0.005),
            min_per_order: dec!(1),
        };
        let mut state = first();
        for _ in 0..10 {
            let fee = commission(&cfg, dec!(20), dec!(50), T, &state);
            state = OrderFees {
                shares: state.shares + dec!(20),
                notional: state.notional + dec!(1000),
                paid: state.paid + fee,
            };
        }
        assert_eq!(state.paid, commission(&cfg, dec!(200), dec!(50), T, &first()));
        // Tiers with a minimum and a cap, in uneven parts: the same total as one fill.
        let cfg = schedule(Some(dec!(100)));
        for parts in [
            vec![dec!(50), dec!(1450)],
            vec![dec!(700), dec!(100), dec!(700)],
            vec![dec!(1500)],
        ] {
            let mut state = first();
            for q in parts {
                let fee = commission(&cfg, q, dec!(1), T, &state);
                state = OrderFees {
                    shares: state.shares + q,
                    notional: state.notional + q,
                    paid: state.paid + fee,
                };
            }
            assert_eq!(state.paid, commission(&cfg, dec!(1500), dec!(1), T, &first()));
        }
    }

    #[test]
    fn percent_of_notional_and_fixed() {
        let cfg = CommissionConfig::PercentOfNotional { bps: dec!(10) };
        assert_eq!(commission(&cfg, dec!(100), dec!(50), T, &first()), dec!(5));
        let cfg = CommissionConfig::Fixed { per_order: dec!(4.95) };
        assert_eq!(commission(&cfg, dec!(100), dec!(50), T, &first()), dec!(4.95));
        let later = OrderFees {
            shares: dec!(100),
            notional: dec!(5000),
            paid: dec!(4.95),
        };
        assert_eq!(commission(&cfg, dec!(100), dec!(50), T, &later), dec!(0));
    }

    #[test]
    fn maker_and_taker_pay_their_own_rates() {
        let cfg = CommissionConfig::MakerTaker {
            maker_bps: dec!(1),
            taker_bps: dec!(3),
        };
        assert_eq!(
            commission(&cfg, dec!(100), dec!(50), Liquidity::Maker, &first()),
            dec!(0.5)
        );
        assert_eq!(
            commission(&cfg, dec!(100), dec!(50), Liquidity::Taker, &first()),
            dec!(1.5)
        );
    }

    fn schedule(max_bps: Option<Decimal>) -> CommissionConfig {
        CommissionConfig::Tiered {
            tiers: vec![
                FeeTier {
                    up_to: Some(dec!(300)),
                    per_share: dec!(0.01),
                },
                FeeTier {
                    up_to: Some(dec!(1000)),
                    per_share: dec!(0.005),
                },
                FeeTier {
                    up_to: None,
                    per_share: dec!(0.002),
                },
            ],
            min_per_order: dec!(1),
            max_per_order_bps: max_bps,
        }
    }

    #[test]
    fn tiers_are_marginal_over_the_orders_shares() {
        let cfg = schedule(None);
        // 300 × 0.01 + 700 × 0.005 + 500 × 0.002 = 3 + 3.5 + 1 = 7.5
        assert_eq!(commission(&cfg, dec!(1500), dec!(10), T, &first()), dec!(7.5));
        // The minimum applies to a small order.
        assert_eq!(commission(&cfg, dec!(50), dec!(10), T, &first()), dec!(1));
        // Split in two fills, the same total: 200 shares (2, first) then 1300 more.
        let a = commission(&cfg, dec!(200), dec!(10), T, &first());
        let after = OrderFees {
            shares: dec!(200),
            notional: dec!(2000),
            paid: a,
        };
        let b = commission(&cfg, dec!(1300), dec!(10), T, &after);
        assert_eq!((a, b, a + b), (dec!(2), dec!(5.5), dec!(7.5)));
    }

    #[test]
    fn the_maximum_caps_the_orders_total() {
        // 1500 shares at 0.10: notional 150; 100 bps of it is 1.5, above the minimum 1.
        let cfg = schedule(Some(dec!(100)));
        assert_eq!(commission(&cfg, dec!(1500), dec!(0.10), T, &first()), dec!(1.5));
        // Across two fills the running total stays under the cap.
        let a = commission(&cfg, dec!(1000), dec!(0.10), T, &first());
        assert_eq!(
            a,
            dec!(1),
            "6.5 by the tiers, capped at 1 (1% of 100), never below the minimum"
        );
        let after = OrderFees {
            shares: dec!(1000),
            notional: dec!(100),
            paid: a,
        };
        assert_eq!(commission(&cfg, dec!(500), dec!(0.10), T, &after), dec!(0.5));
        assert_eq!(a + dec!(0.5), commission(&cfg, dec!(1500), dec!(0.10), T, &first()));
    }
}
