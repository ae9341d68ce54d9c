//! Brackets whose entry fills in parts (under a participation cap, or as an algorithm's
//! children): the legs protect what has been bought from the first fill on, follow the
//! entry as it fills, stop it when they trade, and never cover more than the position.

mod common;

use common::{DAY_NS, bars, d, simulate, simulate_algo, simulate_full};
use proptest::prelude::*;
use rust_decimal::Decimal;
use slipstream::backtest::result::RunOutcome;
use slipstream::data::{SynthParams, synth_bars};
use slipstream::engine::{Command, Engine};
use slipstream::model::{Bar, Fill, Instrument, Liquidity, Order, OrderKind, OrderQty, OrderStatus, Side, Timestamp};
use slipstream::risk::RejectCode;
use slipstream::scenario::{ExecutionConfig, FillTiming, RiskConfig, SizingConfig, VenueConfig, Visible};
use slipstream::strategy::{Intent, Signal};
use slipstream::venue::{VenueEvent, VenueListener};

const HOUR_NS: i64 = 3_600_000_000_000;

/// Bars one hour apart on one trading day (2000-01-03, 09:00 on), so a DAY entry keeps
/// working from bar to bar, each trading `volume`.
fn hourly(rows: &[(&str, &str, &str, &str)], volume: &str) -> Vec<Bar> {
    let mut out = bars(rows);
    let start = (10_957 + 2) * DAY_NS + 9 * HOUR_NS;
    for (i, bar) in out.iter_mut().enumerate() {
        bar.ts = Timestamp(start + i as i64 * HOUR_NS);
        bar.volume = d(volume);
    }
    out
}

fn capped(fraction: &str) -> VenueConfig {
    VenueConfig {
        participation_max: Some(d(fraction)),
        ..VenueConfig::default()
    }
}

fn fixed(qty: &str) -> SizingConfig {
    SizingConfig::FixedQty { qty: d(qty) }
}

fn bracket(stop: &str, take: &str) -> Signal {
    Signal {
        stop_loss: Some(d(stop)),
        take_profit: Some(d(take)),
        ..Signal::new(0, Intent::Long)
    }
}

fn legs(out: &RunOutcome) -> Vec<&Order> {
    out.orders
        .iter()
        .filter(|o| matches!(o.reason, "stop_loss" | "take_profit"))
        .collect()
}

fn qty(order: &Order) -> Decimal {
    match order.qty {
        OrderQty::Units(q) => q,
        OrderQty::AllCash => Decimal::ZERO,
    }
}

/// (reason, quantity, decision time, status) of every leg, in id order.
fn leg_summary(out: &RunOutcome) -> Vec<(&'static str, Decimal, Timestamp, OrderStatus)> {
    legs(out)
        .iter()
        .map(|o| (o.reason, qty(o), o.decision_ts, o.status))
        .collect()
}

/// The signed position after every fill, in fill order.
fn positions(out: &RunOutcome) -> Vec<Decimal> {
    out.fills
        .iter()
        .scan(Decimal::ZERO, |held, f| {
            *held += f.side.sign() * f.qty;
            Some(*held)
        })
        .collect()
}

const FLAT: (&str, &str, &str, &str) = ("100", "101", "99", "100");

/// A 300-share entry under a 10% cap on bars of 1,000 fills 100 a bar over three bars.
/// Its legs go out after the first 100 and are replaced, twice, by legs for 200 and then
/// 300, each pair decided on the bar of the fill it follows (and so working from the
/// next bar); no leg is refused and nothing is flattened.
#[test]
fn a_capped_entry_is_protected_from_its_first_fill_and_resized_as_it_fills() {
    let data = hourly(&[FLAT; 6], "1000");
    let (out, _) = simulate(
        std::slice::from_ref(&data),
        &capped("0.1"),
        fixed("300"),
        "1000000",
        vec![(0, 0, bracket("95", "120"))],
    );
    let entry = &out.orders[0];
    assert_eq!((entry.status, entry.filled_qty), (OrderStatus::Filled, d("300")));
    let t = |i: usize| data[i].ts;
    use OrderStatus::{Cancelled, Expired};
    assert_eq!(
        leg_summary(&out),
        [
            ("stop_loss", d("100"), t(1), Cancelled),
            ("take_profit", d("100"), t(1), Cancelled),
            ("stop_loss", d("200"), t(2), Cancelled),
            ("take_profit", d("200"), t(2), Cancelled),
            ("stop_loss", d("300"), t(3), Expired),
            ("take_profit", d("300"), t(3), Expired),
        ]
    );
    for old in &legs(&out)[..4] {
        assert!(
            old.note.as_deref().unwrap().starts_with("replaced by legs"),
            "{:?}",
            old.note
        );
    }
    // Each pair names its own sibling.
    assert_eq!(out.orders[1].oco, Some(3));
    assert_eq!(out.orders[2].oco, Some(2));
    assert!(out.orders.iter().all(|o| o.reason != "bracket_flatten"));
}

/// The same entry when the price collapses through the stop on bar 2. The entry's fill at
/// bar 2's open uses the bar's whole 100-share budget, so the stop triggers with nothing
/// to fill: that is enough to cancel the rest of the entry, and what it bought (200) is
/// closed from the next bar by a market order, the triggered stop's replacement, 100 a
/// bar under the cap. Without the fix the entry kept buying on bar 3, into the fall.
#[test]
fn a_drop_while_a_capped_entry_fills_stops_out_what_was_bought_and_cancels_the_rest() {
    let data = hourly(
        &[
            FLAT,
            FLAT,
            ("100", "100", "90", "91"),
            ("91", "92", "89", "90"),
            ("90", "91", "89", "90"),
            ("90", "91", "89", "90"),
        ],
        "1000",
    );
    let (out, _) = simulate(
        std::slice::from_ref(&data),
        &capped("0.1"),
        fixed("300"),
        "1000000",
        vec![(0, 0, bracket("95", "120"))],
    );
    let entry = &out.orders[0];
    assert_eq!((entry.status, entry.filled_qty), (OrderStatus::Cancelled, d("200")));
    assert_eq!(entry.note.as_deref(), Some("its stop-loss triggered"));
    assert_eq!(entry.last_update_ts, data[2].ts);
    let buys: Vec<_> = out.fills.iter().filter(|f| f.side == Side::Buy).map(|f| f.ts).collect();
    assert_eq!(buys, [data[1].ts, data[2].ts], "nothing bought after the stop was hit");
    let exit = legs(&out).into_iter().last().unwrap();
    assert_eq!(
        (exit.reason, exit.kind, qty(exit)),
        ("stop_loss", OrderKind::Market, d("200"))
    );
    assert_eq!(exit.decision_ts, data[2].ts);
    let sells: Vec<_> = out
        .fills
        .iter()
        .filter(|f| f.side == Side::Sell)
        .map(|f| (f.order_id, f.ts, f.qty))
        .collect();
    assert_eq!(
        sells,
        [(exit.id, data[3].ts, d("100")), (exit.id, data[4].ts, d("100"))]
    );
    assert_eq!(positions(&out).last().copied(), Some(Decimal::ZERO));
    assert!(positions(&out).iter().all(|p| *p >= Decimal::ZERO));
}

/// A DAY entry on daily bars gets one bar: under a cap it buys 100 of 300 on day 1 and
/// expires on day 2. The part it bought has its stop from day 1, so the fall on day 2 is
/// stopped out on day 2; before, the legs went out only when the entry expired, on day 2,
/// and the stop filled on day 3 at the bottom of the gap.
#[test]
fn a_capped_day_entry_on_daily_bars_is_stopped_out_on_the_day_after_its_fill() {
    let mut data = bars(&[
        FLAT,
        FLAT,
        ("99", "99", "90", "91"),
        ("80", "81", "79", "80"),
        ("80", "81", "79", "80"),
    ]);
    for bar in &mut data {
        bar.volume = d("1000");
    }
    let (out, _) = simulate(
        std::slice::from_ref(&data),
        &capped("0.1"),
        fixed("300"),
        "1000000",
        vec![(0, 0, bracket("95", "120"))],
    );
    let entry = &out.orders[0];
    assert_eq!((entry.status, entry.filled_qty), (OrderStatus::Expired, d("100")));
    let t = |i: usize| data[i].ts;
    use OrderStatus::{Cancelled, Filled};
    assert_eq!(
        leg_summary(&out),
        [
            ("stop_loss", d("100"), t(1), Filled),
            ("take_profit", d("100"), t(1), Cancelled)
        ]
    );
    let stop_fill = out.fills.iter().find(|f| f.side == Side::Sell).unwrap();
    assert_eq!((stop_fill.ts, stop_fill.px), (t(2), d("95")));
}

fn twap(days: i64, slices: usize) -> ExecutionConfig {
    ExecutionConfig::Twap {
        duration_secs: days * 86_400,
        slices,
        limit_offset_bps: None,
    }
}

/// A TWAP parent of 300 in three daily slices (99, 101, 100: the first rounds down): its
/// legs follow what the children have filled, 99, 200, then 300 when the parent ends.
#[test]
fn a_twap_parent_is_protected_from_its_first_child_and_resized_as_children_fill() {
    let data = bars(&[FLAT; 6]);
    let (out, _) = simulate_algo(
        std::slice::from_ref(&data),
        &VenueConfig::default(),
        twap(3, 3),
        fixed("300"),
        "1000000",
        vec![(0, 0, bracket("95", "120"))],
    );
    assert_eq!(out.execution.children.len(), 3);
    let parent = &out.orders[0];
    assert_eq!((parent.status, parent.filled_qty), (OrderStatus::Filled, d("300")));
    let t = |i: usize| data[i].ts;
    use OrderStatus::{Cancelled, Expired};
    assert_eq!(
        leg_summary(&out),
        [
            ("stop_loss", d("99"), t(1), Cancelled),
            ("take_profit", d("99"), t(1), Cancelled),
            ("stop_loss", d("200"), t(2), Cancelled),
            ("take_profit", d("200"), t(2), Cancelled),
            ("stop_loss", d("300"), t(3), Expired),
            ("take_profit", d("300"), t(3), Expired),
        ]
    );
}

/// The TWAP's second child (101) fills at day 2's open and the old stop, for the first
/// child's 99, fills later that bar at 95: the old pair's fill and the entry's fill race
/// on one bar. The parent is cancelled (no third child), and what is left is the second
/// child's 101, not the 200 the parent filled: the stop has triggered, so its
/// replacement sells 101 at market, at day 3's open, and the position ends flat, never
/// short.
#[test]
fn a_twap_whose_stop_fills_beside_a_child_is_cancelled_and_only_the_rest_is_closed() {
    let data = bars(&[
        FLAT,
        FLAT,
        ("100", "100", "90", "91"),
        ("91", "92", "89", "90"),
        ("90", "91", "89", "90"),
    ]);
    let (out, _) = simulate_algo(
        std::slice::from_ref(&data),
        &VenueConfig::default(),
        twap(3, 3),
        fixed("300"),
        "1000000",
        vec![(0, 0, bracket("95", "120"))],
    );
    let parent = &out.orders[0];
    assert_eq!((parent.status, parent.filled_qty), (OrderStatus::Cancelled, d("200")));
    assert_eq!(parent.note.as_deref(), Some("its stop-loss filled"));
    assert_eq!(out.execution.children.len(), 2, "the third slice is never sent");
    let summary: Vec<_> = legs(&out)
        .iter()
        .map(|o| (o.reason, o.kind, qty(o), o.status, o.filled_qty))
        .collect();
    use OrderStatus::{Cancelled, Filled};
    assert_eq!(
        summary,
        [
            (
                "stop_loss",
                OrderKind::Stop { stop_px: d("95") },
                d("99"),
                Filled,
                d("99")
            ),
            (
                "take_profit",
                OrderKind::Limit { limit_px: d("120") },
                d("99"),
                Cancelled,
                d("0")
            ),
            ("stop_loss", OrderKind::Market, d("101"), Filled, d("101")),
        ]
    );
    let last = out.fills.last().unwrap();
    assert_eq!((last.ts, last.px, last.qty), (data[3].ts, d("91"), d("101")));
    assert!(positions(&out).iter().all(|p| *p >= Decimal::ZERO));
    assert_eq!(positions(&out).last().copied(), Some(Decimal::ZERO));
}

/// A reversal worked by TWAP: the exit of a 200 short and the 200 long entry send their
/// 50-share children together, so the entry has bought 100 and 150 while the position is
/// still -100 and 0. Legs for what the entry bought would sell a position that is not
/// there (a stop for 150 on a long of 100 would leave it short): they cover the long
/// position as it forms, 100 then 200.
#[test]
fn a_reversals_legs_never_exceed_the_long_position_while_its_exit_still_fills() {
    let data = bars(&[FLAT; 11]);
    let long = Signal {
        stop_loss: Some(d("90")),
        ..Signal::new(0, Intent::Long)
    };
    let plan = vec![(0, 0, Signal::new(0, Intent::Short)), (0, 5, long)];
    let (out, _) = simulate_algo(
        std::slice::from_ref(&data),
        &VenueConfig::default(),
        twap(4, 4),
        fixed("200"),
        "1000000",
        plan,
    );
    let t = |i: usize| data[i].ts;
    assert_eq!(out.orders[2].reason, "entry");
    assert_eq!(out.orders[2].filled_qty, d("200"));
    use OrderStatus::{Cancelled, Expired};
    assert_eq!(
        leg_summary(&out),
        [
            ("stop_loss", d("100"), t(8), Cancelled),
            ("stop_loss", d("200"), t(9), Expired)
        ]
    );
}

/// An entry filled whole by one fill gets its legs exactly as before partial protection:
/// one pair, the ids after the entry's, decided at the fill for the whole quantity.
#[test]
fn an_entry_filled_whole_at_once_gets_the_legs_it_always_did() {
    let data = bars(&[FLAT; 4]);
    let (out, _) = simulate(
        std::slice::from_ref(&data),
        &VenueConfig::default(),
        fixed("300"),
        "1000000",
        vec![(0, 0, bracket("95", "120"))],
    );
    let summary: Vec<_> = out
        .orders
        .iter()
        .map(|o| (o.id, o.reason, o.kind, qty(o), o.decision_ts, o.decision_px, o.oco))
        .collect();
    assert_eq!(
        summary,
        [
            (1, "entry", OrderKind::Market, d("300"), data[0].ts, d("100"), None),
            (
                2,
                "stop_loss",
                OrderKind::Stop { stop_px: d("95") },
                d("300"),
                data[1].ts,
                d("100"),
                Some(3)
            ),
            (
                3,
                "take_profit",
                OrderKind::Limit { limit_px: d("120") },
                d("300"),
                data[1].ts,
                d("100"),
                Some(2)
            ),
        ]
    );
}

/// Two children of a split parent fill on the same bar: the legs are sized once, after
/// the venue's pass, not placed for the first child and replaced for the second.
#[test]
fn fills_of_one_bar_are_protected_by_one_pair() {
    let data = bars(&[FLAT; 4]);
    let split = ExecutionConfig::Split {
        threshold: d("100"),
        max_child: d("150"),
    };
    let (out, _) = simulate_algo(
        std::slice::from_ref(&data),
        &VenueConfig::default(),
        split,
        fixed("300"),
        "1000000",
        vec![(0, 0, bracket("95", "120"))],
    );
    assert_eq!(out.execution.child_fills.len(), 2);
    let t = data[1].ts;
    use OrderStatus::Expired;
    assert_eq!(
        leg_summary(&out),
        [
            ("stop_loss", d("300"), t, Expired),
            ("take_profit", d("300"), t, Expired)
        ]
    );
}

/// A replacement leg the risk guard refuses (the take-profit at 104 is within a 5% band
/// of the close of 100 when first placed, outside it around the close of 98 when resized)
/// still leaves nothing naked: the rest of the entry is cancelled, the new stop too, and
/// what was bought (200) is closed at market. The old legs, cancelled to be replaced,
/// caused no flatten of their own.
#[test]
fn a_refused_replacement_leg_cancels_the_entry_and_flattens_once() {
    let data = hourly(
        &[
            FLAT,
            ("100", "100", "98", "98"),
            ("98", "99", "97", "98"),
            FLAT,
            FLAT,
            FLAT,
        ],
        "1000",
    );
    let risk = RiskConfig {
        price_band_bps: Some(d("500")),
        ..RiskConfig::default()
    };
    let (out, _) = simulate_full(
        std::slice::from_ref(&data),
        &capped("0.1"),
        &risk,
        ExecutionConfig::Market,
        fixed("300"),
        "1000000",
        vec![(0, 0, bracket("90", "104"))],
    );
    let entry = &out.orders[0];
    assert_eq!((entry.status, entry.filled_qty), (OrderStatus::Cancelled, d("200")));
    assert_eq!(entry.note.as_deref(), Some("its protective leg could not be placed"));
    assert!(
        out.risk.rejections.iter().all(|r| r.code == RejectCode::PriceBand),
        "{:?}",
        out.risk.rejections
    );
    let t = |i: usize| data[i].ts;
    use OrderStatus::{Cancelled, Rejected};
    assert_eq!(
        leg_summary(&out),
        [
            ("stop_loss", d("100"), t(1), Cancelled),
            ("take_profit", d("100"), t(1), Cancelled),
            ("stop_loss", d("200"), t(2), Cancelled),
            ("take_profit", d("200"), t(2), Rejected),
        ]
    );
    let flattens: Vec<_> = out.orders.iter().filter(|o| o.reason == "bracket_flatten").collect();
    assert_eq!(flattens.len(), 1);
    assert_eq!((qty(flattens[0]), flattens[0].status), (d("200"), OrderStatus::Filled));
    assert!(positions(&out).iter().all(|p| *p >= Decimal::ZERO));
    assert_eq!(positions(&out).last().copied(), Some(Decimal::ZERO));
}

/// A new signal while the entry still fills cancels the entry and its legs together (the
/// new signal decides the position): no leg survives to trade against its exit.
#[test]
fn a_new_signal_cancels_the_working_entry_and_its_legs() {
    let data = hourly(&[FLAT; 6], "1000");
    let plan = vec![(0, 0, bracket("95", "120")), (0, 2, Signal::new(0, Intent::Flat))];
    let (out, _) = simulate(
        std::slice::from_ref(&data),
        &capped("0.1"),
        fixed("300"),
        "1000000",
        plan,
    );
    let entry = &out.orders[0];
    assert_eq!((entry.status, entry.filled_qty), (OrderStatus::Cancelled, d("200")));
    let legs = legs(&out);
    assert!(!legs.is_empty(), "the entry was protected while it filled");
    let last_pair = &legs[legs.len() - 2..];
    for leg in last_pair {
        assert_eq!(leg.status, OrderStatus::Cancelled);
        assert_eq!(leg.note.as_deref(), Some("replaced by a new signal"));
        assert_eq!(leg.filled_qty, Decimal::ZERO);
    }
    assert!(
        legs.iter().all(|l| l.decision_ts <= data[2].ts),
        "no legs after the signal"
    );
    assert_eq!(positions(&out).last().copied(), Some(Decimal::ZERO));
}

/// Applies venue events to the engine by hand, for what this driver never produces.
struct Script {
    engine: Engine,
}

impl Script {
    fn commands(&mut self) -> Vec<Command> {
        let mut out = Vec::new();
        self.engine.take_commands(&mut out);
        out
    }

    fn submitted(&mut self) -> Vec<Order> {
        self.commands()
            .into_iter()
            .map(|c| match c {
                Command::Submit(order) => *order,
                other => panic!("expected a submit, got {other:?}"),
            })
            .collect()
    }

    fn accept(&mut self, ids: &[u64], ts: Timestamp) {
        for &order_id in ids {
            self.engine.on_venue_event(VenueEvent::Accepted { order_id, ts });
        }
    }

    fn fill(&mut self, order_id: u64, side: Side, qty: &str, px: &str, ts: Timestamp) {
        let px = d(px);
        self.engine.on_venue_event(VenueEvent::Filled(Fill {
            order_id,
            symbol: 0,
            side,
            ts,
            qty: d(qty),
            px,
            px_before_slippage: px,
            spread_per_unit: Decimal::ZERO,
            fee: Decimal::ZERO,
            liquidity: Liquidity::Taker,
            venue: 0,
        }));
    }
}

/// A driver whose cancels take time to land (paper or live): the engine cancels the old
/// pair to resize it, and before the cancel lands the old stop fills for its 100. The new
/// legs wait for the venue to report how the old ones ended, so they cover the 100 left
/// (bought 200, sold 100), not the 200 the entry filled: a stop for 200 would have sold
/// the position short.
#[test]
fn a_leg_that_fills_before_its_cancel_lands_is_counted_in_the_new_size() {
    let plan = vec![(0, 0, bracket("95", "120"))];
    let mut s = Script {
        engine: Engine::new(
            "race",
            vec![Instrument::equity("S0")],
            Box::new(common::Scripted::new(1, plan)),
            fixed("300"),
            252.0,
            d("1000000"),
        ),
    };
    let data = hourly(&[FLAT; 4], "1000");
    let t = |i: usize| data[i].ts;
    s.engine.on_bar(0, &data[0]);
    let entry = s.submitted();
    assert_eq!((entry.len(), entry[0].reason), (1, "entry"));
    s.accept(&[1], t(0));
    s.fill(1, Side::Buy, "100", "100", t(1));
    let first = s.submitted();
    assert_eq!(
        first.iter().map(|o| (o.id, qty(o))).collect::<Vec<_>>(),
        [(2, d("100")), (3, d("100"))]
    );
    s.accept(&[2, 3], t(1));
    s.fill(1, Side::Buy, "100", "100", t(2));
    let cancels = s.commands();
    assert!(
        matches!(
            cancels[..],
            [Command::Cancel { order_id: 2, .. }, Command::Cancel { order_id: 3, .. }]
        ),
        "{cancels:?}"
    );
    // The venue's news: the stop filled before the cancel arrived, and its fill cancelled
    // the take-profit.
    s.fill(2, Side::Sell, "100", "95", t(2));
    s.engine.on_venue_event(VenueEvent::Cancelled {
        order_id: 3,
        ts: t(2),
        reason: "the other leg of its one-cancels-other pair filled".to_string(),
    });
    // The leg traded while the entry worked: the rest of the entry is cancelled first.
    let stop_entry = s.commands();
    assert!(
        stop_entry.iter().any(|c| matches!(
            c,
            Command::Cancel {
                order_id: 1,
                reason: "its stop-loss filled",
                ..
            }
        )),
        "{stop_entry:?}"
    );
    s.engine.on_venue_event(VenueEvent::Cancelled {
        order_id: 1,
        ts: t(2),
        reason: "its stop-loss filled".to_string(),
    });
    let replacement = s.submitted();
    let sized: Vec<_> = replacement.iter().map(|o| (o.reason, o.kind, qty(o))).collect();
    assert_eq!(sized, [("stop_loss", OrderKind::Market, d("100"))]);
    assert_eq!(s.engine.portfolio().position(0).qty, d("100"));
    assert!(s.commands().is_empty());
}

/// Runs twice on the same inputs: the same orders, fills and equity.
#[test]
fn partial_protection_is_deterministic() {
    let data = hourly(
        &[
            FLAT,
            FLAT,
            ("100", "100", "90", "91"),
            ("91", "92", "89", "90"),
            FLAT,
            FLAT,
        ],
        "1000",
    );
    let run = || {
        simulate_algo(
            std::slice::from_ref(&data),
            &capped("0.05"),
            ExecutionConfig::Pov {
                rate: d("0.1"),
                max_duration_secs: None,
            },
            fixed("300"),
            "1000000",
            vec![(0, 0, bracket("95", "120"))],
        )
        .0
    };
    let (a, b) = (run(), run());
    assert!(legs(&a).len() >= 2);
    assert_eq!(a, b);
}

fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Signed quantity of `fills` up to and including `t`.
fn held_at(fills: &[Fill], t: Timestamp) -> Decimal {
    fills.iter().filter(|f| f.ts <= t).map(|f| f.side.sign() * f.qty).sum()
}

fn filled_by(fills: &[Fill], id: u64, t: Timestamp) -> Decimal {
    fills
        .iter()
        .filter(|f| f.order_id == id && f.ts <= t)
        .map(|f| f.qty)
        .sum()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(64), ..ProptestConfig::default() })]

    /// Over random hourly bars, caps, fill timings, latency and algorithms, with every entry
    /// bracketed: a protective leg's fill never takes the position past flat; at the end
    /// of every bar the live legs (a pair counted once) cover no more than the position,
    /// on its closing side; while an entry is the symbol's latest decision, its legs cover
    /// exactly what it bought less what they sold back (capped by the position); and the
    /// same inputs give the same outcome.
    #[test]
    fn legs_never_cover_more_than_the_position(
        seed in 0u64..1_000_000,
        n in 20usize..70,
        steps in prop::collection::vec((0usize..70, 0u8..3, 30i64..300, prop::option::of(30i64..300)), 1..8),
        cap_pct in prop::option::of(1i64..30),
        timing in 0u8..3,
        algo in 0u8..5,
        size in 200i64..3000,
    ) {
        let bars = synth_bars(&SynthParams { bars: n, seed, interval_secs: 3_600, vol_per_bar: 0.01, ..SynthParams::default() });
        let off = |close: Decimal, bps: i64| (close * (Decimal::ONE + Decimal::new(bps, 4))).round_dp(2);
        let plan: Vec<_> = steps
            .iter()
            .filter(|(bar, ..)| *bar < n)
            .map(|&(bar, intent, stop, take)| {
                let close = bars[bar].close;
                let intent = match intent {
                    0 => Intent::Long,
                    1 => Intent::Short,
                    _ => Intent::Flat,
                };
                let sign = if intent == Intent::Short { -1 } else { 1 };
                let signal = Signal {
                    stop_loss: Some(off(close, -sign * stop)),
                    take_profit: take.map(|b| off(close, sign * b)),
                    ..Signal::new(0, intent)
                };
                (0, bar, signal)
            })
            .collect();
        let venue = VenueConfig {
            participation_max: cap_pct.map(|p| Decimal::new(p, 2)),
            fill_timing: if timing == 1 { FillTiming::SameClose } else { FillTiming::NextOpen },
            // Two hours of latency on hourly bars: legs work from two bars after they are decided.
            latency_ms: if timing == 2 { 2 * 3_600_000 } else { 0 },
            ..VenueConfig::default()
        };
        let algo = match algo {
            0 => ExecutionConfig::Market,
            1 => ExecutionConfig::Twap { duration_secs: 4 * 3_600, slices: 4, limit_offset_bps: None },
            2 => ExecutionConfig::Pov { rate: d("0.05"), max_duration_secs: None },
            3 => ExecutionConfig::Iceberg { visible: Visible::Fraction(d("0.25")) },
            _ => ExecutionConfig::Split { threshold: d("100"), max_child: d("150") },
        };
        let data = vec![bars.clone()];
        let run = || simulate_algo(&data, &venue, algo, SizingConfig::FixedQty { qty: Decimal::from(size) }, "100000000", plan.clone()).0;
        let out = run();
        let protective = |o: &Order| matches!(o.reason, "stop_loss" | "take_profit" | "bracket_flatten");

        let mut held = Decimal::ZERO;
        for fill in &out.fills {
            let order = &out.orders[(fill.order_id - 1) as usize];
            let after = held + fill.side.sign() * fill.qty;
            if protective(order) {
                prop_assert!(after.abs() <= held.abs() && after * held >= Decimal::ZERO,
                    "{} {} took the position from {} to {}", order.reason, order.id, held, after);
            }
            held = after;
        }

        let decisions: Vec<Timestamp> = plan.iter().map(|(_, bar, _)| bars[*bar].ts).collect();
        // The last bar is left out: the data's end expires every leg on it.
        for bar in &bars[..n - 1] {
            let t = bar.ts;
            let held = held_at(&out.fills, t);
            let live: Vec<&Order> = out.orders.iter()
                .filter(|o| protective(o) && o.decision_ts <= t && o.last_update_ts > t)
                .collect();
            // One-cancels-other legs cover the same shares: count each pair once.
            let mut pairs: Vec<(u64, Decimal)> = Vec::new();
            for leg in &live {
                prop_assert!(!held.is_zero() && (leg.side.sign() * held) < Decimal::ZERO,
                    "leg {} works beside a position of {} at {:?}", leg.id, held, t);
                let left = qty(leg) - filled_by(&out.fills, leg.id, t);
                let key = leg.oco.map_or(leg.id, |sibling| sibling.min(leg.id));
                match pairs.iter_mut().find(|(k, _)| *k == key) {
                    Some((_, most)) => *most = (*most).max(left),
                    None => pairs.push((key, left)),
                }
            }
            let covered: Decimal = pairs.iter().map(|(_, left)| *left).sum();
            prop_assert!(covered <= held.abs(), "legs cover {} of a position of {} at {:?}", covered, held, t);

            // The latest entry decided at or before t, while no later signal decided.
            let Some(entry) = out.orders.iter().rfind(|o| o.reason == "entry" && o.decision_ts <= t) else { continue };
            if decisions.iter().any(|&at| at > entry.decision_ts && at <= t) {
                continue;
            }
            // Its legs are created after it (an older bracket's last legs may be decided
            // at the same close, just before it).
            let sold_back: Decimal = out.orders.iter()
                .filter(|o| protective(o) && o.id > entry.id)
                .map(|o| filled_by(&out.fills, o.id, t))
                .sum();
            let on_side = (entry.side.sign() * held).max(Decimal::ZERO);
            let expected = (filled_by(&out.fills, entry.id, t) - sold_back).min(on_side).max(Decimal::ZERO);
            prop_assert_eq!(covered, expected, "entry {} at {:?}", entry.id, t);
        }
        prop_assert_eq!(&out, &run());
    }
}
