//! Execution algorithms on hand-made bars: what children each sends, when, and how the
//! parent ends (filled, timed out after a partial fill, cut off by its window or by the
//! data, refused).

mod common;

use common::{DAY_NS, d, simulate_algo, simulate_risk};
use proptest::prelude::*;
use rust_decimal::Decimal;
use slipstream::backtest::result::RunOutcome;
use slipstream::model::{Bar, OrderKind, OrderStatus, TimeInForce, Timestamp};
use slipstream::risk::RejectCode;
use slipstream::scenario::{ExecutionConfig, FillTiming, RiskConfig, SizingConfig, VenueConfig, Visible};
use slipstream::strategy::{Intent, Signal};

const START: i64 = 10_957;

/// Daily bars from `(open, high, low, close, volume)`.
fn daily(rows: &[(&str, &str, &str, &str, &str)]) -> Vec<Bar> {
    rows.iter()
        .enumerate()
        .map(|(i, (o, h, l, c, v))| Bar {
            ts: Timestamp((START + i as i64) * DAY_NS),
            open: d(o),
            high: d(h),
            low: d(l),
            close: d(c),
            volume: d(v),
        })
        .collect()
}

fn flat(n: usize, volume: &str) -> Vec<Bar> {
    daily(&vec![("100", "100", "100", "100", volume); n])
}

fn ts(day: i64) -> Timestamp {
    Timestamp((START + day) * DAY_NS)
}

fn run(bars: Vec<Bar>, venue: &VenueConfig, algo: ExecutionConfig, qty: &str, signal: Signal) -> RunOutcome {
    let plan = vec![(0, 0, signal)];
    simulate_algo(
        &[bars],
        venue,
        algo,
        SizingConfig::FixedQty { qty: d(qty) },
        "10000000",
        plan,
    )
    .0
}

fn long() -> Signal {
    Signal::new(0, Intent::Long)
}

fn child_qtys(out: &RunOutcome) -> Vec<Decimal> {
    out.execution
        .children
        .iter()
        .map(|c| match c.qty {
            slipstream::model::OrderQty::Units(q) => q,
            slipstream::model::OrderQty::AllCash => Decimal::ZERO,
        })
        .collect()
}

fn twap(days: i64, slices: usize) -> ExecutionConfig {
    ExecutionConfig::Twap {
        duration_secs: days * 86_400,
        slices,
        limit_offset_bps: None,
    }
}

#[test]
fn twap_sends_equal_slices_inside_its_window_and_the_last_takes_the_remainder() {
    let out = run(flat(8, "1000000"), &VenueConfig::default(), twap(4, 5), "1003", long());
    // 1003 in five slices: cumulative targets 200.6, 401.2, 601.8, 802.4 round down to
    // whole shares; the last slice sends what is left.
    assert_eq!(child_qtys(&out), [d("200"), d("201"), d("200"), d("201"), d("201")]);
    for child in &out.execution.children {
        assert!(
            child.decision_ts >= ts(0) && child.decision_ts <= ts(4),
            "{:?}",
            child.decision_ts
        );
        assert_eq!(child.tif, TimeInForce::Ioc);
    }
    let parent = &out.orders[0];
    assert_eq!((parent.status, parent.filled_qty), (OrderStatus::Filled, d("1003")));
    // The engine books the fills under the parent, the log keeps them by child.
    assert!(out.fills.iter().all(|f| f.order_id == parent.id));
    assert_eq!(out.execution.child_fills.len(), 5);
    let record = &out.execution.parents[0];
    assert_eq!((record.algo, record.children.len()), ("twap", 5));
    assert_eq!(record.note.as_deref(), Some("filled"));
}

#[test]
fn twap_under_a_cap_rolls_what_a_slice_missed_into_the_next() {
    let venue = VenueConfig {
        participation_max: Some(d("0.1")),
        ..VenueConfig::default()
    };
    // 1,000 shares, 4 slices over 3 days, 1,000 traded per bar: each IOC child fills at
    // most 100. Slice targets 250, 500, 750, 1000: children catch up each time.
    let out = run(flat(8, "1000"), &venue, twap(3, 4), "1000", long());
    assert_eq!(child_qtys(&out), [d("250"), d("400"), d("550"), d("700")]);
    let parent = &out.orders[0];
    assert_eq!(parent.filled_qty, d("400"));
    assert_eq!(parent.status, OrderStatus::Cancelled);
    assert_eq!(parent.note.as_deref(), Some("schedule over with quantity unfilled"));
}

/// Flat daily bars on the given days only: the days between have no bar (a weekend, a
/// gap in the data).
fn flat_on(days: &[i64], volume: &str) -> Vec<Bar> {
    days.iter()
        .map(|&day| Bar {
            ts: ts(day),
            open: d("100"),
            high: d("100"),
            low: d("100"),
            close: d("100"),
            volume: d(volume),
        })
        .collect()
}

#[test]
fn a_twap_sends_nothing_after_its_window_and_ends_with_the_rest_unfilled() {
    // Two slices over two days from day 0; the data skips to day 3, past the window's end
    // at day 2. The second slice (due on day 1) must not go out on day 3.
    let bars = flat_on(&[0, 3, 4, 5], "1000000");
    let out = run(bars, &VenueConfig::default(), twap(2, 2), "1000", long());
    for child in &out.execution.children {
        assert!(child.decision_ts <= ts(2), "child sent at {:?}", child.decision_ts);
    }
    assert_eq!(child_qtys(&out), [d("500")]);
    let parent = &out.orders[0];
    assert_eq!((parent.status, parent.filled_qty), (OrderStatus::Cancelled, d("500")));
    assert_eq!(parent.note.as_deref(), Some("TWAP window ended with 500 unfilled"));
    let record = &out.execution.parents[0];
    assert_eq!(record.note.as_deref(), Some("TWAP window ended with 500 unfilled"));
    // It ends at the first close past the window, not at the end of the data.
    assert_eq!(record.end, Some(ts(3)));
}

#[test]
fn a_bar_exactly_at_the_window_end_still_sends() {
    let bars = flat_on(&[0, 2, 3], "1000000");
    let out = run(bars, &VenueConfig::default(), twap(2, 2), "1000", long());
    let sent: Vec<Timestamp> = out.execution.children.iter().map(|c| c.decision_ts).collect();
    assert_eq!(sent, [ts(0), ts(2)]);
    assert_eq!(child_qtys(&out), [d("500"), d("500")]);
    assert_eq!(out.orders[0].status, OrderStatus::Filled);
}

#[test]
fn children_still_live_when_the_window_ends_are_cancelled_first() {
    // A three-day latency keeps both children from arriving before the first close past
    // the window (day 3): they are cancelled, then the parent ends with nothing filled.
    let venue = VenueConfig {
        latency_ms: 3 * 86_400_000,
        ..VenueConfig::default()
    };
    let out = run(flat(6, "1000000"), &venue, twap(2, 2), "1000", long());
    assert_eq!(child_qtys(&out), [d("500"), d("500")]);
    assert!(out.fills.is_empty());
    for child in &out.execution.children {
        assert_eq!((child.status, child.last_update_ts), (OrderStatus::Cancelled, ts(3)));
    }
    let parent = &out.orders[0];
    assert_eq!(parent.status, OrderStatus::Cancelled);
    assert_eq!(parent.note.as_deref(), Some("TWAP window ended with 1000 unfilled"));
}

#[test]
fn a_limit_that_times_out_falls_back_to_market() {
    // The limit at 95 is never reached; after two days it is cancelled and the rest goes
    // out at market, filling at the next open.
    let algo = ExecutionConfig::LimitTimeout {
        timeout_secs: 2 * 86_400,
        fallback_market: true,
    };
    let signal = Signal {
        limit_px: Some(d("95")),
        ..long()
    };
    let out = run(flat(6, "1000000"), &VenueConfig::default(), algo, "100", signal);
    let kinds: Vec<OrderKind> = out.execution.children.iter().map(|c| c.kind).collect();
    assert_eq!(kinds, [OrderKind::Limit { limit_px: d("95") }, OrderKind::Market]);
    assert_eq!(out.execution.children[1].decision_ts, ts(2));
    assert_eq!(out.fills[0].ts, ts(3));
    assert_eq!(out.orders[0].status, OrderStatus::Filled);

    let algo = ExecutionConfig::LimitTimeout {
        timeout_secs: 2 * 86_400,
        fallback_market: false,
    };
    let signal = Signal {
        limit_px: Some(d("95")),
        ..long()
    };
    let out = run(flat(6, "1000000"), &VenueConfig::default(), algo, "100", signal);
    assert_eq!(out.execution.children.len(), 1);
    assert_eq!(out.orders[0].status, OrderStatus::Cancelled);
    assert_eq!(out.orders[0].note.as_deref(), Some("limit timed out; no fallback"));
}

/// The limit fills whole on day 2, the very bar whose close reaches the timeout: the
/// venue matches the bar before the timer runs, so the parent is filled and gone by
/// then; no cancel and no fallback go out.
#[test]
fn a_limit_filled_on_the_timeout_bar_ends_the_parent_before_the_timer() {
    let bars = daily(&[
        ("100", "100", "100", "100", "1000000"),
        ("100", "100", "99", "100", "1000000"),
        ("100", "100", "94", "96", "1000000"),
        ("96", "97", "95", "96", "1000000"),
    ]);
    let algo = ExecutionConfig::LimitTimeout {
        timeout_secs: 2 * 86_400,
        fallback_market: true,
    };
    let signal = Signal {
        limit_px: Some(d("95")),
        ..long()
    };
    let out = run(bars, &VenueConfig::default(), algo, "100", signal);
    assert_eq!(out.execution.children.len(), 1);
    let child = &out.execution.children[0];
    assert_eq!((child.status, child.filled_qty), (OrderStatus::Filled, d("100")));
    assert_eq!((out.fills[0].ts, out.fills[0].px), (ts(2), d("95")));
    assert_eq!(out.orders[0].status, OrderStatus::Filled);
    let record = &out.execution.parents[0];
    assert_eq!((record.note.as_deref(), record.end), (Some("filled"), Some(ts(2))));
}

/// A cancel racing a fill: the timeout fires at the close of the bar on which the limit
/// filled in part (a 5% cap lets 50 of 100 through). The cancel reaches a child that has
/// partly filled: the 50 stay filled, only the rest is cancelled, and the fallback asks
/// for the 50 left, not the whole 100; nothing is counted twice.
#[test]
fn a_timeout_on_the_bar_a_limit_filled_in_part_keeps_the_part_and_falls_back_for_the_rest() {
    let bars = daily(&[
        ("100", "100", "100", "100", "1000000"),
        ("100", "100", "99", "100", "1000000"),
        ("100", "100", "94", "96", "1000"),
        ("96", "97", "95", "96", "1000000"),
    ]);
    let venue = VenueConfig {
        participation_max: Some(d("0.05")),
        ..VenueConfig::default()
    };
    let algo = ExecutionConfig::LimitTimeout {
        timeout_secs: 2 * 86_400,
        fallback_market: true,
    };
    let signal = Signal {
        limit_px: Some(d("95")),
        ..long()
    };
    let out = run(bars, &venue, algo, "100", signal);
    assert_eq!(child_qtys(&out), [d("100"), d("50")]);
    let (limit, fallback) = (&out.execution.children[0], &out.execution.children[1]);
    assert_eq!(limit.kind, OrderKind::Limit { limit_px: d("95") });
    assert_eq!(
        (limit.status, limit.filled_qty, limit.last_update_ts),
        (OrderStatus::Cancelled, d("50"), ts(2))
    );
    assert_eq!(limit.note.as_deref(), Some("cancelled by its algorithm"));
    assert_eq!((fallback.kind, fallback.decision_ts), (OrderKind::Market, ts(2)));
    assert_eq!((fallback.status, fallback.filled_qty), (OrderStatus::Filled, d("50")));
    let fills: Vec<(Timestamp, Decimal)> = out.fills.iter().map(|f| (f.ts, f.qty)).collect();
    assert_eq!(fills, [(ts(2), d("50")), (ts(3), d("50"))]);
    assert_eq!(out.fills[0].px, d("95"));
    assert_eq!(out.execution.child_fills.len(), 2);
    let parent = &out.orders[0];
    assert_eq!((parent.status, parent.filled_qty), (OrderStatus::Filled, d("100")));
}

#[test]
fn an_iceberg_shows_one_clip_at_a_time() {
    let algo = ExecutionConfig::Iceberg {
        visible: Visible::Qty(d("300")),
    };
    let out = run(flat(8, "1000000"), &VenueConfig::default(), algo, "1000", long());
    assert_eq!(child_qtys(&out), [d("300"), d("300"), d("300"), d("100")]);
    // Each clip goes out only once the one before has filled.
    let fills = &out.execution.child_fills;
    for (clip, next) in out.execution.children.iter().zip(&out.execution.children[1..]) {
        let filled_at = fills.iter().find(|f| f.order_id == clip.id).unwrap().ts;
        assert!(next.decision_ts >= filled_at);
    }
    assert_eq!(out.orders[0].filled_qty, d("1000"));

    let algo = ExecutionConfig::Iceberg {
        visible: Visible::Fraction(d("0.25")),
    };
    let out = run(flat(8, "1000000"), &VenueConfig::default(), algo, "1000", long());
    assert_eq!(child_qtys(&out), [d("250"); 4]);
}

/// Under same-close timing a market clip fills as it is sent and the next goes out at
/// once, all within one bar: 10,000 clips (the most a parent may have) chain without
/// recursing (a few thousand used to overflow the stack and abort the run).
#[test]
fn an_iceberg_whose_clips_fill_as_they_are_sent_reaches_the_limit_without_recursing() {
    let venue = VenueConfig {
        fill_timing: FillTiming::SameClose,
        ..VenueConfig::default()
    };
    let algo = ExecutionConfig::Iceberg {
        visible: Visible::Qty(d("1")),
    };
    let out = run(flat(3, "1000000"), &venue, algo, "10000", long());
    assert_eq!(out.execution.children.len(), 10_000);
    assert!(
        out.execution
            .child_fills
            .iter()
            .all(|f| f.ts == ts(0) && f.qty == d("1"))
    );
    let parent = &out.orders[0];
    assert_eq!((parent.status, parent.filled_qty), (OrderStatus::Filled, d("10000")));
}

/// An iceberg that would need more clips than the limit is refused before anything is
/// sent, naming the setting to raise.
#[test]
fn an_iceberg_of_too_many_clips_is_refused_whole() {
    let cases = [
        (Visible::Qty(d("1")), "raise visible"),
        (Visible::Fraction(d("0.00001")), "raise visible_fraction"),
    ];
    for (visible, remedy) in cases {
        let algo = ExecutionConfig::Iceberg { visible };
        let out = run(flat(3, "1000000"), &VenueConfig::default(), algo, "100000", long());
        let note = format!("iceberg of 100000 clips of at most 1 exceeds the limit of 10000; {remedy}");
        assert!(out.execution.children.is_empty());
        assert!(out.fills.is_empty());
        assert_eq!(out.orders[0].status, OrderStatus::Cancelled);
        assert_eq!(out.orders[0].note.as_deref(), Some(note.as_str()));
    }
}

#[test]
fn split_sends_children_of_at_most_the_maximum_at_once() {
    let algo = ExecutionConfig::Split {
        threshold: d("500"),
        max_child: d("300"),
    };
    let out = run(flat(4, "1000000"), &VenueConfig::default(), algo, "1000", long());
    assert_eq!(child_qtys(&out), [d("300"), d("300"), d("300"), d("100")]);
    assert!(out.execution.children.iter().all(|c| c.decision_ts == ts(0)));
    // Below the threshold: one child.
    let out = run(flat(4, "1000000"), &VenueConfig::default(), algo, "400", long());
    assert_eq!(child_qtys(&out), [d("400")]);
}

/// The guard refuses the third child of a split (it would take the position with its
/// live siblings to 900, over 700): the fourth, which would have fit (700), is never
/// sent, so only the first two reach the venue, and they are cancelled with the parent.
#[test]
fn a_refused_split_child_stops_the_rest_of_its_batch() {
    let risk = RiskConfig {
        max_position_qty: Some(d("700")),
        ..RiskConfig::default()
    };
    let algo = ExecutionConfig::Split {
        threshold: d("500"),
        max_child: d("300"),
    };
    let sizing = SizingConfig::FixedQty { qty: d("1000") };
    let (out, _) = simulate_risk(
        &[flat(4, "1000000")],
        &risk,
        algo,
        sizing,
        "10000000",
        vec![(0, 0, long())],
    );
    let statuses: Vec<OrderStatus> = out.execution.children.iter().map(|c| c.status).collect();
    assert_eq!(
        statuses,
        [OrderStatus::Cancelled, OrderStatus::Cancelled, OrderStatus::Rejected]
    );
    assert_eq!(child_qtys(&out), [d("300"); 3]);
    let refused = out.execution.children[2].note.as_deref().unwrap();
    assert!(refused.starts_with("risk max_position_qty"), "{refused}");
    assert_eq!(out.risk.counts_by_code(), [(RejectCode::MaxPositionQty, 1)]);
    assert_eq!(out.execution.parents[0].children.len(), 3);
    assert!(out.fills.is_empty());
    let parent = &out.orders[0];
    assert_eq!(parent.status, OrderStatus::Cancelled);
    assert!(
        parent
            .note
            .as_deref()
            .unwrap()
            .contains("rejected: risk max_position_qty")
    );
}

/// One share at a time on a 100,000-share parent would be 100,000 orders at once: the
/// parent is refused before anything reaches the venue, and the note says how to fix it.
#[test]
fn a_split_into_too_many_children_is_refused_whole() {
    let algo = ExecutionConfig::Split {
        threshold: d("1"),
        max_child: d("1"),
    };
    let out = run(flat(4, "1000000"), &VenueConfig::default(), algo, "100000", long());
    let note = "split into 100000 children of at most 1 exceeds the limit of 10000; raise max_child";
    assert!(out.execution.children.is_empty());
    assert!(out.fills.is_empty());
    let parent = &out.orders[0];
    assert_eq!(parent.status, OrderStatus::Cancelled);
    assert_eq!(parent.note.as_deref(), Some(note));
    let record = &out.execution.parents[0];
    assert_eq!((record.note.as_deref(), record.end), (Some(note), Some(ts(0))));
}

#[test]
fn pov_follows_each_bars_volume() {
    let algo = ExecutionConfig::Pov {
        rate: d("0.1"),
        max_duration_secs: None,
    };
    let bars = daily(&[
        ("100", "100", "100", "100", "1000"),
        ("100", "100", "100", "100", "2000"),
        ("100", "100", "100", "100", "500"),
        ("100", "100", "100", "100", "1000"),
        ("100", "100", "100", "100", "1000"),
    ]);
    let out = run(bars, &VenueConfig::default(), algo, "350", long());
    // 10% of the volume of the bar just closed: 100, 200, then the 50 left (of 500 → 50).
    assert_eq!(child_qtys(&out), [d("100"), d("200"), d("50")]);
    assert_eq!(out.orders[0].filled_qty, d("350"));
}

#[test]
fn data_ending_mid_algorithm_expires_the_parent_with_what_it_filled() {
    // A TWAP over ten days on four bars: three slices fill, then the data ends.
    let out = run(
        flat(4, "1000000"),
        &VenueConfig::default(),
        twap(10, 10),
        "1000",
        long(),
    );
    let parent = &out.orders[0];
    assert_eq!(parent.status, OrderStatus::Expired);
    assert_eq!(parent.note.as_deref(), Some("end of data"));
    assert!(parent.filled_qty > Decimal::ZERO && parent.filled_qty < d("1000"));
    assert_eq!(out.execution.parents[0].note.as_deref(), Some("end of data"));
}

#[test]
fn a_new_signal_cancels_the_parent_and_its_children() {
    let plan = vec![(0, 0, long()), (0, 2, Signal::new(0, Intent::Flat))];
    let venue = VenueConfig::default();
    let sizing = SizingConfig::FixedQty { qty: d("1000") };
    let (out, _) = simulate_algo(&[flat(14, "1000000")], &venue, twap(6, 6), sizing, "10000000", plan);
    let entry = &out.orders[0];
    assert_eq!(entry.status, OrderStatus::Cancelled);
    assert_eq!(entry.note.as_deref(), Some("replaced by a new signal"));
    // The flat signal's exit (itself a TWAP parent) sells exactly what the entry bought.
    let position: Decimal = out.fills.iter().map(|f| f.side.sign() * f.qty).sum();
    assert_eq!(position, Decimal::ZERO);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// Children never add up to more than their parent, fills never exceed it, TWAP and
    /// VWAP children are decided inside [start, start + duration] even on bars sparser
    /// than their slices, an iceberg never shows more than its clip, and runs repeat.
    #[test]
    fn children_respect_their_parent(
        seed in 0u64..10_000,
        algo in 0u8..6,
        qty in 1i64..5_000,
        cap in prop::option::of(1i64..30),
        slices in 1usize..8,
        days in 1i64..6,
        window_hours in 1i64..144,
        gaps_hours in prop::collection::vec(1i64..96, 11),
    ) {
        let mut bars = slipstream::data::synth_bars(&slipstream::data::SynthParams {
            bars: 12, seed, interval_secs: 86_400, vol_per_bar: 0.02, ..Default::default()
        });
        // Bars as sparse as the slices or sparser: gaps of an hour to four days.
        let mut at = bars[0].ts.0;
        for (bar, gap) in bars[1..].iter_mut().zip(&gaps_hours) {
            at += gap * 3_600 * 1_000_000_000;
            bar.ts = Timestamp(at);
        }
        let venue = VenueConfig { participation_max: cap.map(|c| Decimal::new(c, 3)), ..VenueConfig::default() };
        let window_secs = window_hours * 3_600;
        let config = match algo {
            0 => ExecutionConfig::Twap { duration_secs: window_secs, slices, limit_offset_bps: None },
            5 => ExecutionConfig::Vwap { duration_secs: window_secs, slices, profile_bars: 100 },
            1 => ExecutionConfig::Iceberg { visible: Visible::Qty(Decimal::from(qty / slices as i64 + 1)) },
            2 => ExecutionConfig::Split { threshold: Decimal::from(qty / 2 + 1), max_child: Decimal::from(qty / slices as i64 + 1) },
            3 => ExecutionConfig::Pov { rate: d("0.01"), max_duration_secs: Some(days * 86_400) },
            _ => ExecutionConfig::LimitTimeout { timeout_secs: days * 86_400, fallback_market: slices % 2 == 0 },
        };
        let signal = Signal { limit_px: (algo == 4).then(|| bars[0].close * d("0.99")), ..long() };
        let plan = vec![(0, 0, signal)];
        let sizing = SizingConfig::FixedQty { qty: Decimal::from(qty) };
        let data = vec![bars.clone()];
        let (out, _) = simulate_algo(&data, &venue, config, sizing, "100000000", plan.clone());
        let parent_qty = Decimal::from(qty);
        let filled: Decimal = out.fills.iter().map(|f| f.qty).sum();
        prop_assert!(filled <= parent_qty);
        prop_assert_eq!(filled, out.orders[0].filled_qty);
        // What children ask for never exceeds what the parent has left when they go out.
        let mut asked = Decimal::ZERO;
        for child in &out.execution.children {
            let q = match child.qty { slipstream::model::OrderQty::Units(q) => q, _ => Decimal::ZERO };
            let filled_before: Decimal = out.execution.child_fills.iter()
                .filter(|f| f.ts <= child.decision_ts && f.order_id < child.id).map(|f| f.qty).sum();
            prop_assert!(q > Decimal::ZERO);
            prop_assert!(q <= parent_qty - filled_before, "child {} asks {} with {} filled of {}", child.id, q, filled_before, parent_qty);
            asked += q;
            if let ExecutionConfig::Twap { duration_secs, .. } | ExecutionConfig::Vwap { duration_secs, .. } = config {
                let start = out.orders[0].decision_ts.0;
                let end = start + duration_secs * 1_000_000_000;
                prop_assert!(
                    (start..=end).contains(&child.decision_ts.0),
                    "child {} sent at {} outside [{}, {}]", child.id, child.decision_ts.0, start, end
                );
            }
            if let ExecutionConfig::Iceberg { visible: Visible::Qty(clip) } = config {
                prop_assert!(q <= clip.max(Decimal::ONE));
            }
        }
        if matches!(config, ExecutionConfig::Split { .. } | ExecutionConfig::Iceberg { .. }) {
            prop_assert!(asked <= parent_qty, "split/iceberg children add up to {} of {}", asked, parent_qty);
        }
        let (again, _) = simulate_algo(&data, &venue, config, sizing, "100000000", plan);
        prop_assert_eq!(out, again);
    }
}

/// `parent_orders.csv` has a row per parent with its algorithm, children and fill.
#[test]
fn parent_orders_csv_reports_each_parent() {
    let path =
        std::path::Path::new(&std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo test sets CARGO_MANIFEST_DIR"))
            .join("scenarios/exec_twap_ibm.toml");
    let scenario = slipstream::scenario::load(&path, &[]).unwrap();
    let result = slipstream::backtest::run(&scenario).unwrap();
    let csv = String::from_utf8(slipstream::report::parents::parent_orders_csv(&result).unwrap()).unwrap();
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let header: Vec<String> = reader.headers().unwrap().iter().map(str::to_string).collect();
    assert_eq!(header, slipstream::report::parents::PARENT_HEADER);
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 2, "an entry and an exit");
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    for row in &rows {
        assert_eq!(&row[col("algo")], "twap");
        let children: usize = row[col("children")].parse().unwrap();
        assert!(children > 1, "worked in several children");
        let filled: Decimal = row[col("filled_qty")].parse().unwrap();
        let qty: Decimal = row[col("qty")].parse().unwrap();
        let fraction: f64 = row[col("filled_fraction")].parse().unwrap();
        assert!((fraction - (filled / qty).to_string().parse::<f64>().unwrap()).abs() < 1e-12);
    }
    // Children are logged with the parent and add up to at least what filled.
    let record = &result.main.execution.parents[0];
    assert_eq!(
        record.children.len(),
        rows[0][col("children")].parse::<usize>().unwrap()
    );
}

/// An all-cash reversal worked by an algorithm counts what its exit will free: it ends
/// short, as it does when orders go out as they are.
#[test]
fn an_all_cash_reversal_through_an_algorithm_enters() {
    let plan = vec![(0, 0, long()), (0, 2, Signal::new(0, Intent::Short))];
    let split = ExecutionConfig::Split {
        threshold: d("1000000"),
        max_child: d("1000000"),
    };
    let venue = VenueConfig::default();
    let (out, _) = simulate_algo(
        &[flat(6, "1000000")],
        &venue,
        split,
        SizingConfig::AllCash,
        "10000",
        plan,
    );
    let position: Decimal = out.fills.iter().map(|f| f.side.sign() * f.qty).sum();
    assert_eq!(position, d("-100"));
}
