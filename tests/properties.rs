//! Invariants over whole classes of inputs (proptest): random bar paths, random signal
//! scripts (market and limit entries, stop-losses, take-profits, reversals, targets) and
//! random venue settings.

mod common;

use common::{d, simulate, simulate_venues};
use proptest::prelude::*;
use rust_decimal::Decimal;
use slipstream::data::{SynthParams, synth_bars};
use slipstream::model::{
    Fill, Liquidity, Order, OrderEvent, OrderKind, OrderQty, OrderStatus, Side, TimeInForce, Timestamp,
};
use slipstream::portfolio::Portfolio;
use slipstream::scenario::{
    CommissionConfig, FeeTier, FillTiming, IntrabarPath, Routing, SizingConfig, SlippageConfig, Spread, VenueConfig,
    VenueSpec,
};
use slipstream::strategy::{Intent, Signal};

/// Case count for the whole-engine properties: `PROPTEST_CASES` raises it for a deeper hunt.
fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn price(cents: i64) -> Decimal {
    Decimal::new(cents, 2)
}

proptest! {
    /// A fill changes cash + position value (marked at the fill price) by exactly minus its fee.
    #[test]
    fn a_fill_costs_exactly_its_fee(
        fills in prop::collection::vec((any::<bool>(), 1i64..500, 100i64..100_000, 0i64..1_000), 1..40)
    ) {
        let mut portfolio = Portfolio::new(d("100000"), 1);
        for (i, (buy, qty, cents, fee_cents)) in fills.into_iter().enumerate() {
            let px = price(cents);
            let fill = Fill {
                venue: 0,
                order_id: i as u64 + 1,
                symbol: 0,
                side: if buy { Side::Buy } else { Side::Sell },
                ts: Timestamp(i as i64),
                qty: Decimal::from(qty),
                px,
                px_before_slippage: px,
                spread_per_unit: Decimal::ZERO,
                fee: price(fee_cents),
                liquidity: Liquidity::Taker,
            };
            let value = |p: &Portfolio| p.cash() + p.position(0).qty * px;
            let before = value(&portfolio);
            portfolio.apply_fill(&fill, i);
            prop_assert_eq!(value(&portfolio) - before, -fill.fee);
        }
    }

    /// Every order event either follows the table or is refused and changes nothing;
    /// a terminal order never changes again.
    #[test]
    fn order_transitions_follow_the_table(events in prop::collection::vec(0usize..8, 1..30)) {
        const EVENTS: [OrderEvent; 8] = [
            OrderEvent::Submit, OrderEvent::Accept, OrderEvent::Reject, OrderEvent::Trigger,
            OrderEvent::PartialFill, OrderEvent::Fill, OrderEvent::Cancel, OrderEvent::Expire,
        ];
        let mut order = Order {
            id: 1, symbol: 0, side: Side::Buy, kind: OrderKind::Market, qty: OrderQty::Units(d("1")),
            tif: TimeInForce::Gtc, status: OrderStatus::Created, decision_ts: Timestamp(0), decision_px: d("1"),
            filled_qty: Decimal::ZERO, avg_fill_px: Decimal::ZERO, last_update_ts: Timestamp(0), reason: "test", note: None,
            arrival_ts: None, arrival_px: None, arrival_volume: None, end_px: None, oco: None,
        };
        let mut was_terminal = false;
        for e in events {
            let event = EVENTS[e];
            let before = order.clone();
            match order.apply(event, Timestamp(1)) {
                Ok(()) => {
                    prop_assert!(!was_terminal, "a terminal order accepted {:?}", event);
                    prop_assert_eq!(Ok(order.status), before.status.transition(event));
                }
                Err(err) => {
                    prop_assert_eq!(&order, &before, "a refused event changed the order");
                    prop_assert_eq!(err.from, before.status);
                }
            }
            was_terminal = order.status.is_terminal();
        }
    }
}

/// One step of a random signal script.
#[derive(Debug, Clone)]
struct Step {
    bar: usize,
    intent: u8,
    target: i64,
    limit_bps: Option<i64>,
    stop_bps: Option<i64>,
    take_bps: Option<i64>,
}

fn step() -> impl Strategy<Value = Step> {
    (
        0usize..120,
        0u8..4,
        -50i64..50,
        prop::option::of(-300i64..300),
        prop::option::of(50i64..500),
        prop::option::of(50i64..500),
    )
        .prop_map(|(bar, intent, target, limit_bps, stop_bps, take_bps)| Step {
            bar,
            intent,
            target,
            limit_bps,
            stop_bps,
            take_bps,
        })
}

fn venue() -> impl Strategy<Value = VenueConfig> {
    (any::<bool>(), 0u8..5, 0u8..6, prop::option::of(1i64..100), 0u8..3).prop_map(
        |(adaptive, slippage, commission, cap_pct, timing)| VenueConfig {
            fill_timing: if timing == 2 {
                FillTiming::SameClose
            } else {
                FillTiming::NextOpen
            },
            intrabar_path: if adaptive {
                IntrabarPath::Adaptive
            } else {
                IntrabarPath::OpenHighLowClose
            },
            slippage: match slippage {
                0 => SlippageConfig::None,
                1 => SlippageConfig::FixedBps {
                    bps: d("7"),
                    spread: Spread::ZERO,
                },
                2 => SlippageConfig::HalfSpread {
                    spread: Spread::Fixed(d("0.04")),
                },
                3 => SlippageConfig::VolumeShare {
                    price_impact: d("0.1"),
                    spread: Spread::Fixed(d("0.02")),
                },
                _ => SlippageConfig::SquareRoot {
                    k: d("0.5"),
                    sigma_bars: 5,
                    spread: Spread::Fixed(d("0")),
                },
            },
            commission: match commission {
                0 => CommissionConfig::None,
                1 => CommissionConfig::PerShare {
                    per_share: d("0.005"),
                    min_per_order: d("1"),
                },
                2 => CommissionConfig::PercentOfNotional { bps: d("2") },
                3 => CommissionConfig::Fixed { per_order: d("1.5") },
                4 => CommissionConfig::MakerTaker {
                    maker_bps: d("0.5"),
                    taker_bps: d("2"),
                },
                _ => CommissionConfig::Tiered {
                    tiers: vec![
                        FeeTier {
                            up_to: Some(d("5")),
                            per_share: d("0.01"),
                        },
                        FeeTier {
                            up_to: None,
                            per_share: d("0.004"),
                        },
                    ],
                    min_per_order: d("0.35"),
                    max_per_order_bps: Some(d("50")),
                },
            },
            participation_max: cap_pct.map(|p| Decimal::new(p, 2)),
            // Two hours of latency on hourly bars: the first fill moves one bar later.
            latency_ms: if timing == 1 { 2 * 3_600_000 } else { 0 },
            ..VenueConfig::default()
        },
    )
}

/// No venues (one default venue), or two venues splitting 90% of the volume with their
/// own spreads, fees and caps, routed by cost or to the first.
fn venues() -> impl Strategy<Value = (Vec<VenueSpec>, Routing)> {
    (0u8..3, prop::option::of(1i64..50), any::<bool>()).prop_map(|(kind, cap_pct, by_cost)| {
        let routing = if by_cost {
            Routing::LowestCost
        } else {
            Routing::FirstListed
        };
        if kind == 0 {
            return (Vec::new(), routing);
        }
        let spec = |name: &str, fraction: &str, spread: &str, per_share: &str| VenueSpec {
            name: name.to_string(),
            symbols: vec![0],
            symbol_names: vec!["S0".to_string()],
            volume_fraction: d(fraction),
            spread: Some(Spread::Fixed(d(spread))),
            participation_max: None,
            commission: Some(CommissionConfig::PerShare {
                per_share: d(per_share),
                min_per_order: Decimal::ZERO,
            }),
        };
        let mut small = spec("small", "0.3", "0.02", "0.001");
        small.participation_max = cap_pct.map(|p| Decimal::new(p, 2));
        let deep = spec("deep", "0.6", "0.04", "0.004");
        let list = if kind == 1 {
            vec![deep, small]
        } else {
            vec![small, deep]
        };
        (list, routing)
    })
}

/// Turns a script into signals priced off the close of the bar they are decided on.
fn plan(steps: &[Step], bars: &[slipstream::model::Bar]) -> Vec<(usize, usize, Signal)> {
    let off = |close: Decimal, bps: i64| (close * (Decimal::ONE + Decimal::new(bps, 4))).round_dp(2);
    steps
        .iter()
        .filter(|s| s.bar < bars.len())
        .map(|s| {
            let close = bars[s.bar].close;
            let intent = match s.intent {
                0 => Intent::Long,
                1 => Intent::Short,
                2 => Intent::Flat,
                _ => Intent::Target(Decimal::from(s.target)),
            };
            let mut signal = Signal::new(0, intent);
            signal.limit_px = s.limit_bps.map(|b| off(close, b));
            let sign = if intent == Intent::Short { -1 } else { 1 };
            signal.stop_loss = s.stop_bps.map(|b| off(close, -sign * b));
            signal.take_profit = s.take_bps.map(|b| off(close, sign * b));
            (0, s.bar, signal)
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(64), ..ProptestConfig::default() })]

    /// Fills lie within their bar's low..high before slippage and never on a bar at or
    /// before the order's decision; filled quantity never exceeds the order's and equals
    /// the sum of its fills; the same inputs give the same outcome.
    #[test]
    fn fills_respect_bars_orders_and_determinism(
        seed in 0u64..1_000_000,
        n in 20usize..120,
        steps in prop::collection::vec(step(), 0..25),
        venue in venue(),
        (venues, routing) in venues(),
        sizing in 0u8..6,
    ) {
        let venue = VenueConfig { routing, ..venue };
        let bars = synth_bars(&SynthParams { bars: n, seed, interval_secs: 3_600, vol_per_bar: 0.01, ..SynthParams::default() });
        let sizing = match sizing {
            0 => SizingConfig::AllCash,
            1 => SizingConfig::FixedQty { qty: d("7") },
            2 => SizingConfig::FractionOfEquity { fraction: d("0.4") },
            3 => SizingConfig::AtrRisk { risk_fraction: d("0.02"), atr_bars: 5, atr_multiple: d("2") },
            4 => SizingConfig::VolTarget { annual_vol: d("0.2"), vol_bars: 5 },
            _ => SizingConfig::FixedNotional { notional: d("30000") },
        };
        let script = plan(&steps, &bars);
        let data = vec![bars.clone()];
        let (outcome, _) = simulate_venues(&data, &venue, &venues, sizing, "100000", script.clone());

        for fill in &outcome.fills {
            let bar = bars.iter().find(|b| b.ts == fill.ts).expect("a fill happens on a bar");
            prop_assert!(bar.contains(fill.px_before_slippage), "fill {} outside {}..{}", fill.px_before_slippage, bar.low, bar.high);
            let order = &outcome.orders[(fill.order_id - 1) as usize];
            let latency_ns = venue.latency_ms as i64 * 1_000_000;
            let same_close = venue.fill_timing == FillTiming::SameClose && order.kind == slipstream::model::OrderKind::Market;
            if same_close {
                prop_assert!(fill.ts >= order.decision_ts, "order {} filled before its decision", order.id);
            } else {
                prop_assert!(fill.ts.0 > order.decision_ts.0 + latency_ns, "order {} filled before it could arrive", order.id);
            }
            prop_assert!(fill.qty > Decimal::ZERO);
            prop_assert!(fill.fee >= Decimal::ZERO);
            match fill.side {
                Side::Buy => prop_assert!(fill.px >= fill.px_before_slippage),
                Side::Sell => prop_assert!(fill.px <= fill.px_before_slippage),
            }
        }
        // Per bar, the strategy's fills in the symbol stay within the participation cap, on
        // each venue's share of the volume; every order trades on the one venue it was sent to.
        let listed = if venues.is_empty() { 1 } else { venues.len() };
        for v in 0..listed {
            let (cap, fraction) = match venues.get(v) {
                Some(spec) => (spec.effective(&venue).participation_max, spec.volume_fraction),
                None => (venue.participation_max, Decimal::ONE),
            };
            let Some(cap) = cap else { continue };
            for bar in &bars {
                let filled: Decimal = outcome.fills.iter().filter(|f| f.ts == bar.ts && usize::from(f.venue) == v).map(|f| f.qty).sum();
                prop_assert!(filled <= cap * fraction * bar.volume, "{} filled on venue {} of a bar of {} with cap {}", filled, v, bar.volume, cap);
            }
        }
        for fill in &outcome.fills {
            let routed = outcome.routes.decision(fill.order_id).map(|r| r.venue);
            let expected = if venues.is_empty() { None } else { Some(fill.venue) };
            prop_assert_eq!(routed, expected, "order {} filled away from its venue", fill.order_id);
        }
        for order in &outcome.orders {
            // Filled quantity only grows, one positive fill at a time, and never passes the order's.
            let mut cumulative = Decimal::ZERO;
            for fill in outcome.fills.iter().filter(|f| f.order_id == order.id) {
                cumulative += fill.qty;
                if let OrderQty::Units(qty) = order.qty {
                    prop_assert!(cumulative <= qty, "order {} overfilled", order.id);
                }
            }
            let filled = cumulative;
            prop_assert_eq!(filled, order.filled_qty);
            if let OrderQty::Units(qty) = order.qty {
                prop_assert!(order.filled_qty <= qty);
                if order.status == OrderStatus::Filled {
                    prop_assert_eq!(order.filled_qty, qty);
                }
            }
            prop_assert!(order.status.is_terminal(), "order {} ended the run as {:?}", order.id, order.status);
        }
        // A limit never fills worse than its limit, and a protective leg only ever reduces
        // the position: it never flips it to the other side.
        let mut position = Decimal::ZERO;
        for fill in &outcome.fills {
            let order = &outcome.orders[(fill.order_id - 1) as usize];
            if let Some(limit) = order.kind.limit_px() {
                match fill.side {
                    Side::Buy => prop_assert!(fill.px <= limit, "buy limit {} filled at {}", limit, fill.px),
                    Side::Sell => prop_assert!(fill.px >= limit, "sell limit {} filled at {}", limit, fill.px),
                }
            }
            let after = position + fill.side.sign() * fill.qty;
            if matches!(order.reason, "stop_loss" | "take_profit") {
                prop_assert!(after.abs() <= position.abs() && after * position >= Decimal::ZERO,
                    "protective order {} took the position from {} to {}", order.id, position, after);
            }
            position = after;
        }
        // Conservation: final cash = start - sum(signed notional) - fees.
        let spent: Decimal = outcome.fills.iter().map(|f| f.side.sign() * f.qty * f.px + f.fee).sum();
        prop_assert_eq!(outcome.equity.last().unwrap().cash, d("100000") - spent);

        let (again, _) = simulate_venues(&data, &venue, &venues, sizing, "100000", script);
        prop_assert_eq!(outcome, again);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(48), ..ProptestConfig::default() })]

    /// No look-ahead: rewrite every bar after bar k (prices and volumes), and every order
    /// decided and every fill made up to bar k is unchanged.
    #[test]
    fn changing_the_future_never_changes_the_past(
        seed in 0u64..1_000_000,
        other_seed in 0u64..1_000_000,
        n in 30usize..100,
        cut in 5usize..29,
        steps in prop::collection::vec(step(), 0..20),
        venue in venue(),
        sizing in 0u8..3,
    ) {
        let params = SynthParams { bars: n, seed, interval_secs: 3_600, vol_per_bar: 0.01, ..SynthParams::default() };
        let bars = synth_bars(&params);
        let future = synth_bars(&SynthParams { seed: other_seed, ..params });
        // Same past, different future: bars after `cut` come from another walk, shifted to
        // continue from the cut's close scale (any valid bars will do).
        let mut changed = bars.clone();
        for (bar, other) in changed[cut + 1..].iter_mut().zip(&future[cut + 1..]) {
            *bar = slipstream::model::Bar { ts: bar.ts, ..*other };
        }
        let t = bars[cut].ts;
        // A script may only depend on what was known: decisions up to the cut.
        let script: Vec<_> = plan(&steps, &bars).into_iter().filter(|(_, i, _)| *i <= cut).collect();
        // Indicator-driven sizing reads only bars up to the decision, too.
        let sizing = match sizing {
            0 => SizingConfig::FractionOfEquity { fraction: d("0.3") },
            1 => SizingConfig::AtrRisk { risk_fraction: d("0.02"), atr_bars: 3, atr_multiple: d("1.5") },
            _ => SizingConfig::VolTarget { annual_vol: d("0.3"), vol_bars: 4 },
        };
        let (a, _) = simulate(&[bars], &venue, sizing, "100000", script.clone());
        let (b, _) = simulate(&[changed], &venue, sizing, "100000", script);
        let fills_a: Vec<_> = a.fills.iter().filter(|f| f.ts <= t).collect();
        let fills_b: Vec<_> = b.fills.iter().filter(|f| f.ts <= t).collect();
        prop_assert_eq!(fills_a, fills_b);
        let decided = |o: &&slipstream::model::Order| o.decision_ts <= t;
        let orders_a: Vec<_> = a.orders.iter().filter(decided).map(|o| (o.id, o.side, o.kind, o.qty, o.decision_px)).collect();
        let orders_b: Vec<_> = b.orders.iter().filter(decided).map(|o| (o.id, o.side, o.kind, o.qty, o.decision_px)).collect();
        prop_assert_eq!(orders_a, orders_b);
        prop_assert_eq!(&a.equity[..=cut], &b.equity[..=cut]);
    }
}
