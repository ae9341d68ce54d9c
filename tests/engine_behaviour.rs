//! The engine and venue on hand-made bars: each test is a situation a user would ask
//! about, with the answer worked out by hand.

mod common;

use common::{bars, d, simulate};
use rust_decimal::Decimal;
use slipstream::model::{Liquidity, OrderStatus, Side};
use slipstream::scenario::{CommissionConfig, FillTiming, SizingConfig, SlippageConfig, Spread, VenueConfig};
use slipstream::strategy::{Intent, Signal};

fn signal(intent: Intent) -> Signal {
    Signal::new(0, intent)
}

fn fixed(qty: &str) -> SizingConfig {
    SizingConfig::FixedQty { qty: d(qty) }
}

#[test]
fn market_order_decided_at_close_fills_at_next_open() {
    let data = vec![bars(&[
        ("10", "11", "9", "10.5"),
        ("10.8", "12", "10", "11"),
        ("11", "11", "11", "11"),
    ])];
    let (out, _) = simulate(
        &data,
        &VenueConfig::default(),
        fixed("10"),
        "1000",
        vec![(0, 0, signal(Intent::Long))],
    );
    assert_eq!(out.fills.len(), 1);
    assert_eq!(out.fills[0].px, d("10.8"));
    assert_eq!(out.fills[0].ts, data[0][1].ts);
    assert_eq!(out.orders[0].decision_px, d("10.5"));
    // Equity at each bar: 1000, then 1000 - 108 + 10 × 11 = 1002, then 1002.
    let equity: Vec<_> = out.equity.iter().map(|p| p.equity).collect();
    assert_eq!(equity, [d("1000"), d("1002"), d("1002")]);
}

#[test]
fn same_close_fills_at_the_decision_bar_close() {
    let data = vec![bars(&[("10", "11", "9", "10.5"), ("10.8", "12", "10", "11")])];
    let venue = VenueConfig {
        fill_timing: FillTiming::SameClose,
        ..VenueConfig::default()
    };
    let (out, _) = simulate(&data, &venue, fixed("10"), "1000", vec![(0, 0, signal(Intent::Long))]);
    assert_eq!((out.fills[0].px, out.fills[0].ts), (d("10.5"), data[0][0].ts));
}

#[test]
fn unreached_limit_entry_expires_at_the_end_of_its_day() {
    let data = vec![bars(&[
        ("10", "10", "10", "10"),
        ("10", "11", "9.6", "10"),
        ("9", "9.2", "8", "9"),
    ])];
    let mut s = signal(Intent::Long);
    s.limit_px = Some(d("9.5"));
    let (out, _) = simulate(&data, &VenueConfig::default(), fixed("10"), "1000", vec![(0, 0, s)]);
    assert!(
        out.fills.is_empty(),
        "day 1 never traded below 9.5; day 2 would have, but the DAY order is gone"
    );
    assert_eq!(out.orders[0].status, OrderStatus::Expired);
    assert!(out.orders[0].note.as_deref().unwrap().contains("DAY"));
}

#[test]
fn stop_loss_gapped_through_fills_at_the_open_and_cancels_the_take_profit() {
    let data = vec![bars(&[
        ("10", "10", "10", "10"),
        ("10", "10.2", "9.9", "10"), // entry at the open, 10
        ("10", "10.4", "9.5", "10"), // neither 9 nor 12 reached
        ("8.5", "8.8", "8", "8.6"),  // gaps below the 9 stop: fills at the open, 8.5
        ("13", "13", "13", "13"),    // the take-profit would have filled here, but was cancelled
    ])];
    let mut s = signal(Intent::Long);
    s.stop_loss = Some(d("9"));
    s.take_profit = Some(d("12"));
    let (out, _) = simulate(&data, &VenueConfig::default(), fixed("10"), "1000", vec![(0, 0, s)]);
    let reasons: Vec<_> = out.orders.iter().map(|o| (o.reason, o.status)).collect();
    assert_eq!(
        reasons,
        [
            ("entry", OrderStatus::Filled),
            ("stop_loss", OrderStatus::Filled),
            ("take_profit", OrderStatus::Cancelled)
        ]
    );
    assert_eq!(out.fills[1].px, d("8.5"));
    assert_eq!(out.fills[1].side, Side::Sell);
    assert_eq!(out.trades.len(), 1);
    assert_eq!(out.trades[0].pnl, d("-15"));
}

#[test]
fn take_profit_is_a_maker_fill_at_its_limit() {
    let data = vec![bars(&[
        ("10", "10", "10", "10"),
        ("10", "10.2", "9.9", "10"),
        ("10", "12.5", "9.8", "12"), // trades through 12: fills at 12, stop cancelled
        ("5", "5", "5", "5"),
    ])];
    let mut s = signal(Intent::Long);
    s.stop_loss = Some(d("9"));
    s.take_profit = Some(d("12"));
    let (out, _) = simulate(&data, &VenueConfig::default(), fixed("10"), "1000", vec![(0, 0, s)]);
    assert_eq!(out.fills[1].px, d("12"));
    assert_eq!(out.fills[1].liquidity, Liquidity::Maker);
    assert_eq!(
        out.orders[1].status,
        OrderStatus::Cancelled,
        "the stop leg is cancelled by the OCO"
    );
    assert_eq!(out.equity.last().unwrap().equity, d("1020"));
}

#[test]
fn all_cash_reversal_uses_the_exit_proceeds() {
    let data = vec![bars(&[
        ("10", "10", "10", "10"),
        ("10", "10", "10", "10"),
        ("20", "20", "20", "20"),
        ("20", "20", "20", "20"),
    ])];
    let plan = vec![(0, 0, signal(Intent::Long)), (0, 1, signal(Intent::Short))];
    let (out, _) = simulate(&data, &VenueConfig::default(), SizingConfig::AllCash, "1000", plan);
    // Bar 1: buy 100 at 10. Bar 2: sell 100 at 20 (cash 2000), then short all cash: 100 more.
    let fills: Vec<_> = out.fills.iter().map(|f| (f.side, f.qty, f.px)).collect();
    assert_eq!(
        fills,
        [
            (Side::Buy, d("100"), d("10")),
            (Side::Sell, d("100"), d("20")),
            (Side::Sell, d("100"), d("20"))
        ]
    );
    assert_eq!(out.trades.len(), 2);
    assert!(out.trades[1].is_open());
    assert_eq!(out.trades[1].side, Side::Sell);
}

#[test]
fn slippage_and_commission_are_recorded_per_fill() {
    let data = vec![bars(&[
        ("100", "100", "100", "100"),
        ("100", "101", "99", "100"),
        ("100", "100", "100", "100"),
    ])];
    let venue = VenueConfig {
        slippage: SlippageConfig::FixedBps {
            bps: d("10"),
            spread: Spread::ZERO,
        },
        commission: CommissionConfig::PerShare {
            per_share: d("0.01"),
            min_per_order: d("1"),
        },
        ..VenueConfig::default()
    };
    let plan = vec![(0, 0, signal(Intent::Long)), (0, 1, signal(Intent::Flat))];
    let (out, _) = simulate(&data, &venue, fixed("50"), "10000", plan);
    let f = &out.fills;
    assert_eq!(
        (f[0].px_before_slippage, f[0].px, f[0].fee),
        (d("100"), d("100.10"), d("1"))
    );
    assert_eq!(
        (f[1].px_before_slippage, f[1].px, f[1].fee),
        (d("100"), d("99.90"), d("1"))
    );
    assert_eq!(f[0].slippage_cost() + f[1].slippage_cost(), d("10"));
    // 10000 - 5005 - 1 + 4995 - 1 = 9988
    assert_eq!(out.equity.last().unwrap().equity, d("9988"));
    assert_eq!(out.trades[0].fees, d("2"));
}

#[test]
fn an_order_decided_on_one_symbols_bar_never_fills_on_another_symbols_bar_of_the_same_time() {
    // Symbol 0's close at t1 decides to buy symbol 1. Symbol 1's bar at t1 comes later in
    // the merge order but is not later in time: the order fills at symbol 1's t2 open.
    // It is decided and sized at symbol 1's last known close (t0: 50), not symbol 0's.
    let a = bars(&[
        ("10", "10", "10", "10"),
        ("10", "10", "10", "10"),
        ("10", "10", "10", "10"),
    ]);
    let b = bars(&[
        ("50", "50", "50", "50"),
        ("60", "60", "60", "60"),
        ("70", "70", "70", "70"),
    ]);
    let plan = vec![(0, 1, Signal::new(1, Intent::Long))];
    let sizing = SizingConfig::FractionOfEquity { fraction: d("0.5") };
    let (out, _) = simulate(&[a, b.clone()], &VenueConfig::default(), sizing, "1000", plan);
    assert_eq!(out.orders[0].decision_px, d("50"));
    assert_eq!(out.fills[0].qty, d("10"), "half of 1000 at 50, not at symbol 0's 10");
    assert_eq!((out.fills[0].ts, out.fills[0].px), (b[2].ts, d("70")));
}

#[test]
fn a_signal_for_a_symbol_without_a_price_yet_is_skipped_with_a_reason() {
    let a = bars(&[("10", "10", "10", "10"), ("10", "10", "10", "10")]);
    let b = bars(&[("50", "50", "50", "50"), ("60", "60", "60", "60")]);
    let plan = vec![(0, 0, Signal::new(1, Intent::Long))];
    let (out, skipped) = simulate(&[a, b], &VenueConfig::default(), fixed("1"), "1000", plan);
    assert!(out.orders.is_empty());
    assert!(
        skipped[0].reason.contains("no price seen yet for S1"),
        "{}",
        skipped[0].reason
    );
}

#[test]
fn stop_loss_and_take_profit_on_the_same_bar_fill_in_path_order_and_only_one_fills() {
    // Entry at 100; exit bar O 100 → H 110 → L 90 → C 100 reaches the 105 take-profit
    // before the 95 stop: the take-profit fills, the stop is cancelled, no short is left.
    let data = vec![bars(&[
        ("100", "100", "100", "100"),
        ("100", "100", "100", "100"),
        ("100", "110", "90", "100"),
        ("100", "100", "100", "100"),
    ])];
    let mut s = signal(Intent::Long);
    s.stop_loss = Some(d("95"));
    s.take_profit = Some(d("105"));
    let (out, _) = simulate(&data, &VenueConfig::default(), fixed("10"), "10000", vec![(0, 0, s)]);
    let legs: Vec<_> = out.orders.iter().skip(1).map(|o| (o.reason, o.status)).collect();
    assert_eq!(
        legs,
        [
            ("stop_loss", OrderStatus::Cancelled),
            ("take_profit", OrderStatus::Filled)
        ]
    );
    assert_eq!(out.fills.len(), 2);
    assert_eq!(out.fills[1].px, d("105"));
    assert!(
        out.trades.iter().all(|t| !t.is_open()),
        "no position left after the take-profit"
    );
}

#[test]
fn protective_levels_on_the_wrong_side_skip_the_signal() {
    let data = vec![bars(&[("100", "100", "100", "100"); 3])];
    let mut s = signal(Intent::Long);
    s.stop_loss = Some(d("200"));
    s.take_profit = Some(d("10"));
    let (out, skipped) = simulate(&data, &VenueConfig::default(), fixed("10"), "10000", vec![(0, 0, s)]);
    assert!(out.orders.is_empty());
    assert!(
        skipped[0].reason.contains("stop_loss 200 is not below the price 100"),
        "{}",
        skipped[0].reason
    );
}

#[test]
fn limit_fills_are_never_worse_than_the_limit() {
    // A take-profit sell limit at 105 traded through: a maker fill at 105 exactly, even
    // with 50 bps of slippage configured; a marketable buy limit entry at 100.2 against
    // an open of 100 is slipped to 100.5 but capped at its limit.
    let data = vec![bars(&[
        ("100", "100", "100", "100"),
        ("100", "100.1", "99.9", "100"),
        ("100", "106", "99", "104"),
        ("104", "104", "104", "104"),
    ])];
    let venue = VenueConfig {
        slippage: SlippageConfig::FixedBps {
            bps: d("50"),
            spread: Spread::ZERO,
        },
        ..VenueConfig::default()
    };
    let mut s = signal(Intent::Long);
    s.limit_px = Some(d("100.2"));
    s.take_profit = Some(d("105"));
    let (out, _) = simulate(&data, &venue, fixed("10"), "10000", vec![(0, 0, s)]);
    assert_eq!(
        (out.fills[0].px_before_slippage, out.fills[0].px),
        (d("100"), d("100.2"))
    );
    assert_eq!((out.fills[1].px, out.fills[1].liquidity), (d("105"), Liquidity::Maker));
}

#[test]
fn target_signals_trade_the_difference_and_round_to_lots() {
    let data = vec![bars(&[("10", "10", "10", "10"); 4])];
    let plan = vec![
        (0, 0, signal(Intent::Target(d("30.7")))),
        (0, 1, signal(Intent::Target(d("-10")))),
    ];
    let (out, _) = simulate(&data, &VenueConfig::default(), fixed("1"), "1000", plan);
    let fills: Vec<_> = out.fills.iter().map(|f| (f.side, f.qty)).collect();
    assert_eq!(fills, [(Side::Buy, d("30")), (Side::Sell, d("40"))]);
}

#[test]
fn orders_still_working_when_the_data_ends_are_expired_and_say_so() {
    let data = vec![bars(&[("10", "10", "10", "10"), ("10", "10", "10", "10")])];
    let (out, _) = simulate(
        &data,
        &VenueConfig::default(),
        fixed("1"),
        "1000",
        vec![(0, 1, signal(Intent::Long))],
    );
    assert_eq!(out.orders[0].status, OrderStatus::Expired);
    assert_eq!(out.orders[0].note.as_deref(), Some("end of data"));
}

#[test]
fn a_signal_too_small_to_size_is_skipped_with_a_reason() {
    let data = vec![bars(&[("10", "10", "10", "10"); 3])];
    let sizing = SizingConfig::FractionOfEquity { fraction: d("0.001") };
    let (out, skipped) = simulate(
        &data,
        &VenueConfig::default(),
        sizing,
        "1000",
        vec![(0, 0, signal(Intent::Long))],
    );
    assert!(out.orders.is_empty());
    assert_eq!(skipped.len(), 1);
    assert!(skipped[0].reason.contains("below the minimum"), "{}", skipped[0].reason);
}

#[test]
fn a_partly_filled_protective_leg_keeps_working_after_its_sibling_is_cancelled() {
    // Bars of 3,000 shares at 100, then bars of 1,000 that trade down through 95. With a
    // 10% cap the 300-share entry fills at once (300 of 3,000); the stop at 95 can then
    // sell only 100 a bar. Its first fill cancels the take-profit; the stop keeps working
    // until the position is flat, three bars later.
    let mut rows = vec![("100", "100", "100", "100"); 4];
    rows.extend([("96", "96", "94", "94"); 4]);
    let mut data = bars(&rows);
    for (i, bar) in data.iter_mut().enumerate() {
        bar.volume = if i < 4 { d("3000") } else { d("1000") };
    }
    let venue = VenueConfig {
        participation_max: Some(d("0.1")),
        ..VenueConfig::default()
    };
    let mut s = signal(Intent::Long);
    s.stop_loss = Some(d("95"));
    s.take_profit = Some(d("120"));
    let (out, _) = simulate(&[data], &venue, fixed("300"), "100000", vec![(0, 0, s)]);
    let legs: Vec<_> = out
        .orders
        .iter()
        .skip(1)
        .map(|o| (o.reason, o.status, o.filled_qty))
        .collect();
    assert_eq!(
        legs,
        [
            ("stop_loss", OrderStatus::Filled, d("300")),
            ("take_profit", OrderStatus::Cancelled, d("0"))
        ]
    );
    let stop_fills: Vec<_> = out.fills.iter().filter(|f| f.order_id == 2).map(|f| f.qty).collect();
    assert_eq!(stop_fills, [d("100"), d("100"), d("100")]);
    assert!(out.trades.iter().all(|t| !t.is_open()), "the position ends flat");
}

fn with_volume(rows: &[(&str, &str, &str, &str)], volumes: &[&str]) -> Vec<slipstream::model::Bar> {
    let mut data = bars(rows);
    for (bar, v) in data.iter_mut().zip(volumes) {
        bar.volume = d(v);
    }
    data
}

#[test]
fn a_part_below_the_minimum_quantity_waits_for_a_bigger_bar() {
    // min_qty 100 with a 10% cap: a bar of 200 shares allows 20, which would leave a
    // position no order could trade; the entry waits for the bar of 2,000.
    let data = with_volume(&[("10", "10", "10", "10"); 4], &["1000", "200", "2000", "2000"]);
    let mut instruments = vec![slipstream::model::Instrument::equity("S0")];
    instruments[0].min_qty = d("100");
    let venue = VenueConfig {
        participation_max: Some(d("0.1")),
        ..VenueConfig::default()
    };
    let entry = signal(Intent::Long);
    let simulation = slipstream::backtest::Simulation {
        risk: &Default::default(),
        execution: Default::default(),
        spreads: &[],
        venues: &[],
        instruments: &instruments,
        bars: std::slice::from_ref(&data),
        venue: &venue,
        sizing: fixed("100"),
        periods_per_year: 252.0,
        cash: d("100000"),
        seed: 0,
    };
    let script = common::Scripted::new(1, vec![(0, 0, entry)]);
    let (out, _) = simulation.run("t", Box::new(script)).unwrap();
    // A DAY order: bar 1 (the day it arrives) allows only 20, below the minimum, so
    // nothing fills, and the order expires with the day.
    assert!(out.fills.is_empty(), "{:?}", out.fills);
    assert_eq!(out.orders[0].status, OrderStatus::Expired);
}

#[test]
fn an_all_cash_order_under_a_cap_never_spends_more_than_the_account_has() {
    // Hourly-like bars of rising price; a 5% cap fills 50 of 1,000-share bars at a time.
    let rows: Vec<(String, String, String, String)> = (0..12)
        .map(|i| {
            let p = (100 + 10 * i).to_string();
            (p.clone(), p.clone(), p.clone(), p)
        })
        .collect();
    let rows: Vec<(&str, &str, &str, &str)> = rows
        .iter()
        .map(|(a, b, c, e)| (a.as_str(), b.as_str(), c.as_str(), e.as_str()))
        .collect();
    let mut data = with_volume(&rows, &["1000"; 12]);
    // Hourly bars within one day, so the DAY entry keeps working from bar to bar.
    let start = data[0].ts.0;
    for (i, bar) in data.iter_mut().enumerate() {
        bar.ts = slipstream::model::Timestamp(start + i as i64 * 3_600_000_000_000);
    }
    let venue = VenueConfig {
        participation_max: Some(d("0.05")),
        ..VenueConfig::default()
    };
    let entry = signal(Intent::Long);
    let (out, _) = simulate(&[data], &venue, SizingConfig::AllCash, "10000", vec![(0, 0, entry)]);
    assert!(!out.fills.is_empty());
    assert!(
        out.equity.iter().all(|p| p.cash >= Decimal::ZERO),
        "cash went negative: {:?}",
        out.equity.iter().map(|p| p.cash).collect::<Vec<_>>()
    );
}

#[test]
fn a_capped_exit_keeps_working_until_the_position_is_flat() {
    // Entry of 300 on big bars; the exit on bars of 1,000 with a 10% cap sells 100 a bar
    // over three bars (GTC), so the long-only position ends flat.
    let data = with_volume(
        &[("10", "10", "10", "10"); 8],
        &["5000", "5000", "5000", "1000", "1000", "1000", "1000", "1000"],
    );
    let venue = VenueConfig {
        participation_max: Some(d("0.1")),
        ..VenueConfig::default()
    };
    let plan = vec![(0, 0, signal(Intent::Long)), (0, 2, signal(Intent::Flat))];
    let (out, _) = simulate(&[data], &venue, fixed("300"), "100000", plan);
    let exits: Vec<_> = out
        .fills
        .iter()
        .filter(|f| f.side == Side::Sell)
        .map(|f| f.qty)
        .collect();
    assert_eq!(exits, [d("100"), d("100"), d("100")]);
    assert!(out.trades.iter().all(|t| !t.is_open()));
}

#[test]
fn same_close_fills_of_one_bar_share_its_volume_budget() {
    // A reversal under same-close timing: the exit and the new entry both fill at the
    // decision bar's close, together within 10% of its 1,000 shares.
    let data = with_volume(&[("10", "10", "10", "10"); 4], &["1000"; 4]);
    let venue = VenueConfig {
        fill_timing: FillTiming::SameClose,
        participation_max: Some(d("0.1")),
        ..VenueConfig::default()
    };
    let plan = vec![(0, 0, signal(Intent::Long)), (0, 1, signal(Intent::Short))];
    let (out, _) = simulate(std::slice::from_ref(&data), &venue, fixed("100"), "100000", plan);
    for bar in &data {
        let filled: Decimal = out.fills.iter().filter(|f| f.ts == bar.ts).map(|f| f.qty).sum();
        assert!(filled <= d("100"), "{filled} filled on a bar allowing 100");
    }
}
