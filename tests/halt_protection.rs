//! A halt, or the reducing state, must never leave a position unprotected or frozen
//! by accident: the cases a second independent review of the risk fixes found, each
//! failing before the fix (the comments describe the defect), and a random sweep.

mod common;

use common::{DAY_NS, bars, d, simulate_full, simulate_risk};
use proptest::prelude::*;
use rust_decimal::Decimal;
use slipstream::model::{OrderStatus, Timestamp};
use slipstream::scenario::{ExecutionConfig, FillTiming, RiskConfig, SizingConfig, VenueConfig};
use slipstream::strategy::{Intent, Signal};

fn fixed(qty: &str) -> SizingConfig {
    SizingConfig::FixedQty { qty: d(qty) }
}

fn flat_rows(n: usize) -> Vec<(&'static str, &'static str, &'static str, &'static str)> {
    vec![("100", "101", "99", "100"); n]
}

fn dump(out: &slipstream::backtest::result::RunOutcome) -> String {
    out.orders
        .iter()
        .map(|o| {
            format!(
                "#{} {} {:?} {:?} filled {} note {:?}\n",
                o.id, o.reason, o.side, o.status, o.filled_qty, o.note
            )
        })
        .collect()
}

/// Regression: a risk_flatten still working (participation cap) is cancelled by the strategy's
/// next signal ("replaced by a new signal"); the signal's own exit is refused by the
/// halt, so the rest of the position stays open for the rest of the run.
#[test]
fn a_signal_during_a_halt_leaves_the_flatten_working() {
    let data = vec![bars(&flat_rows(8))];
    let kill = data[0][3].ts;
    let risk = RiskConfig {
        kill_switch_at: Some(kill),
        flatten_on_halt: true,
        ..RiskConfig::default()
    };
    let venue = VenueConfig {
        participation_max: Some(d("0.1")),
        ..VenueConfig::default()
    };
    // 150,000 at 10% of 1,000,000 a bar: the entry fills on bars 1 and 2, the flatten
    // decided at bar 3 needs bars 4 and 5.
    let plan = vec![
        (0, 0, Signal::new(0, Intent::Target(d("100000")))),
        (0, 1, Signal::new(0, Intent::Target(d("200000")))),
        (0, 4, Signal::new(0, Intent::Flat)),
    ];
    let (out, _) = simulate_full(
        &data,
        &venue,
        &risk,
        ExecutionConfig::Market,
        fixed("1"),
        "100000000",
        plan,
    );
    let position: Decimal = out.fills.iter().map(|f| f.side.sign() * f.qty).sum();
    println!("{}", dump(&out));
    for f in &out.fills {
        println!("{} {:?} {}", f.order_id, f.ts, f.qty);
    }
    assert_eq!(
        position,
        Decimal::ZERO,
        "halted with flatten_on_halt, still holding {position}\n{}",
        dump(&out)
    );
}

/// Regression: a risk_flatten refused by an order-size limit: the stop that protected the position
/// was cancelled to make way for it, and nothing replaces either. The crash that the stop
/// would have caught runs through the (frozen, unprotected) position.
#[test]
fn a_flatten_over_an_order_size_limit_still_goes_out() {
    let data = vec![bars(&[
        ("100", "101", "99", "100"),
        ("101", "102", "100", "101"),
        ("102", "103", "101", "102"),
        ("103", "104", "102", "103"),
        ("104", "105", "103", "104"),
        ("40", "41", "39", "40"),
        ("40", "41", "39", "40"),
    ])];
    let kill = data[0][4].ts;
    let risk = RiskConfig {
        kill_switch_at: Some(kill),
        flatten_on_halt: true,
        // The entry (10 x 100) and its stop (10 x 101) pass; at the halt 10 x 103 does not.
        max_order_notional: Some(d("1020")),
        ..RiskConfig::default()
    };
    let protected = Signal {
        stop_loss: Some(d("60")),
        ..Signal::new(0, Intent::Long)
    };
    let (out, _) = simulate_risk(
        &data,
        &risk,
        ExecutionConfig::Market,
        fixed("10"),
        "100000",
        vec![(0, 0, protected)],
    );
    let position: Decimal = out.fills.iter().map(|f| f.side.sign() * f.qty).sum();
    assert_eq!(position, Decimal::ZERO, "still holding {position}\n{}", dump(&out));
}

/// Regression: the same without flatten_on_halt: the halt alone keeps the stop, but the strategy's
/// next signal cancels it ("replaced by a new signal") and its exit is refused.
#[test]
fn a_signal_during_a_halt_leaves_the_stop_working() {
    let data = vec![bars(&[
        ("100", "101", "99", "100"),
        ("100", "101", "99", "100"),
        ("100", "101", "99", "100"),
        ("100", "101", "99", "100"),
        ("90", "95", "85", "90"),
        ("90", "95", "85", "90"),
    ])];
    let risk = RiskConfig {
        kill_switch_at: Some(data[0][2].ts),
        ..RiskConfig::default()
    };
    let protected = Signal {
        stop_loss: Some(d("95")),
        ..Signal::new(0, Intent::Long)
    };
    let plan = vec![(0, 0, protected), (0, 2, Signal::new(0, Intent::Flat))];
    let (out, _) = simulate_risk(&data, &risk, ExecutionConfig::Market, fixed("10"), "100000", plan);
    let position: Decimal = out.fills.iter().map(|f| f.side.sign() * f.qty).sum();
    assert_eq!(position, Decimal::ZERO, "still holding {position}\n{}", dump(&out));
}

/// Regression: two entries in different symbols decided at one close, against max_gross_exposure.
#[test]
fn two_entries_decided_together_count_each_other() {
    let data = vec![bars(&flat_rows(5)), bars(&flat_rows(5))];
    let risk = RiskConfig {
        max_gross_exposure: Some(d("15000")),
        ..RiskConfig::default()
    };
    // At S1's close of bar 1, signals for both symbols (10,000 each).
    let plan = vec![
        (1, 1, Signal::new(0, Intent::Long)),
        (1, 1, Signal::new(1, Intent::Long)),
    ];
    let (out, _) = simulate_risk(&data, &risk, ExecutionConfig::Market, fixed("100"), "1000000", plan);
    let filled = out.orders.iter().filter(|o| o.status == OrderStatus::Filled).count();
    assert_eq!(filled, 1, "{}", dump(&out));
    // The same under a TWAP.
    let twap = ExecutionConfig::Twap {
        duration_secs: 2 * 86_400,
        slices: 2,
        limit_offset_bps: None,
    };
    let plan = vec![
        (1, 1, Signal::new(0, Intent::Long)),
        (1, 1, Signal::new(1, Intent::Long)),
    ];
    let (out, _) = simulate_risk(&data, &risk, twap, fixed("100"), "1000000", plan);
    let gross: Decimal = out.fills.iter().map(|f| f.qty * f.px).sum();
    assert!(gross <= d("15000"), "{gross}\n{}", dump(&out));
}

/// Regression: kill switch at an hour outside trading_hours: the flatten is refused.
#[test]
fn a_flatten_outside_trading_hours_still_goes_out() {
    let mut data = bars(&flat_rows(6));
    let start = (10_957 + 2) * DAY_NS + 9 * 3_600_000_000_000;
    for (i, bar) in data.iter_mut().enumerate() {
        bar.ts = Timestamp(start + i as i64 * 3_600_000_000_000);
    }
    let kill = data[3].ts; // 12:00
    let risk = RiskConfig {
        kill_switch_at: Some(kill),
        flatten_on_halt: true,
        trading_hours: Some(slipstream::scenario::TradingHours::parse("09:00-11:30").unwrap()),
        ..RiskConfig::default()
    };
    let (out, _) = simulate_risk(
        &[data],
        &risk,
        ExecutionConfig::Market,
        fixed("10"),
        "100000",
        vec![(0, 0, Signal::new(0, Intent::Long))],
    );
    let position: Decimal = out.fills.iter().map(|f| f.side.sign() * f.qty).sum();
    assert_eq!(position, Decimal::ZERO, "still holding {position}\n{}", dump(&out));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 3000, ..ProptestConfig::default() })]

    /// Sweep: no engine fault (the runner unwraps), and after the halt no fill adds
    /// exposure or flips a position, in any symbol.
    #[test]
    fn random_halts_never_add_exposure_or_flip_a_position(
        seed in 0u64..10_000,
        kill_day in 5i64..38,
        script in prop::collection::vec((0usize..2, 0usize..2, 0usize..40, 0u8..4, 0u8..4), 1..20),
        algo in 0u8..4,
        flatten in any::<bool>(),
        cap in 0u8..3,
        same_close in any::<bool>(),
        dd in 0u8..3,
        hourly in any::<bool>(),
        latency in 0u64..3,
    ) {
        let step: i64 = if hourly { 3_600 } else { 86_400 };
        let data: Vec<_> = (0..2).map(|k| slipstream::data::synth_bars(&slipstream::data::SynthParams {
            bars: 40, seed: seed + k, interval_secs: step, vol_per_bar: 0.03, ..Default::default()
        })).collect();
        let kill = Timestamp(data[0][0].ts.0 + kill_day * step * 1_000_000_000);
        let risk = RiskConfig {
            kill_switch_at: Some(kill),
            flatten_on_halt: flatten,
            max_drawdown: match dd { 0 => None, 1 => Some(d("0.1")), _ => Some(d("0.2")) },
            daily_loss_limit: if dd == 2 { Some(d("0.02")) } else { None },
            ..RiskConfig::default()
        };
        let plan: Vec<_> = script.iter().map(|&(at, sym, bar, intent, prot)| {
            let intent = match intent { 0 => Intent::Long, 1 => Intent::Short, 2 => Intent::Flat, _ => Intent::Target(d("300")) };
            let mut s = Signal::new(sym, intent);
            match (prot, intent) {
                (1, Intent::Long) => { s.stop_loss = Some(d("1")); s.take_profit = Some(d("100000")); }
                (1, Intent::Short) => { s.stop_loss = Some(d("100000")); s.take_profit = Some(d("1")); }
                (2, Intent::Long) => { s.stop_loss = Some(d("95")); }
                (2, Intent::Short) => { s.stop_loss = Some(d("105")); }
                _ => {}
            }
            (at, bar, s)
        }).collect();
        let execution = match algo {
            0 => ExecutionConfig::Market,
            1 => ExecutionConfig::Twap { duration_secs: 3 * 86_400, slices: 3, limit_offset_bps: None },
            2 => ExecutionConfig::Pov { rate: d("0.02"), max_duration_secs: None },
            _ => ExecutionConfig::Split { threshold: d("50"), max_child: d("100") },
        };
        let venue = VenueConfig {
            participation_max: match cap { 0 => None, 1 => Some(d("0.01")), _ => Some(d("0.2")) },
            fill_timing: if same_close { FillTiming::SameClose } else { FillTiming::NextOpen },
            latency_ms: if same_close { 0 } else { latency * step as u64 * 700 },
            ..VenueConfig::default()
        };
        let (out, _) = simulate_full(&data, &venue, &risk, execution, fixed("250"), "1000000", plan);
        let halted_at = out.risk.state_changes.iter().find(|c| c.to == slipstream::risk::TradingState::Halted).map(|c| c.ts);
        let mut position = [Decimal::ZERO; 2];
        for fill in &out.fills {
            let p = position[fill.symbol];
            let after = p + fill.side.sign() * fill.qty;
            if let Some(h) = halted_at && fill.ts > h {
                let flips = (p > Decimal::ZERO && after < Decimal::ZERO) || (p < Decimal::ZERO && after > Decimal::ZERO);
                let o = &out.orders[(fill.order_id - 1) as usize];
                prop_assert!(after.abs() <= p.abs() && !flips,
                    "fill of #{} {} at {:?} (halt {:?}) took S{} from {} to {}\n{}", fill.order_id, o.reason, fill.ts, h, fill.symbol, p, after, dump(&out));
            }
            position[fill.symbol] = after;
        }
        let n_after = out.fills.iter().filter(|f| halted_at.is_some_and(|h| f.ts > h)).count();
        let flat_reasons = out.orders.iter().filter(|o| o.reason == "risk_flatten").count();
        eprintln!("STAT fills={} after_halt={} flattens={} halted={}", out.fills.len(), n_after, flat_reasons, halted_at.is_some());
    }
}

/// Regression: no cap needed: the kill switch's flatten is decided at on_clock(ts) and cannot
/// fill before bar ts+1; a signal at bar ts's close cancels it.
#[test]
fn a_signal_at_the_kill_switch_bar_leaves_the_flatten_working() {
    let data = vec![bars(&flat_rows(8))];
    let kill = data[0][3].ts;
    let risk = RiskConfig {
        kill_switch_at: Some(kill),
        flatten_on_halt: true,
        ..RiskConfig::default()
    };
    let plan = vec![
        (0, 0, Signal::new(0, Intent::Long)),
        (0, 3, Signal::new(0, Intent::Short)),
    ];
    let (out, _) = simulate_risk(&data, &risk, ExecutionConfig::Market, fixed("10"), "100000", plan);
    let position: Decimal = out.fills.iter().map(|f| f.side.sign() * f.qty).sum();
    assert_eq!(position, Decimal::ZERO, "still holding {position}\n{}", dump(&out));
}

/// Regression: reducing: a target that adds is refused, but it cancelled the position's stop first.
#[test]
fn a_target_that_only_adds_while_reducing_leaves_the_stop_working() {
    let data = vec![bars(&[
        ("100", "100", "100", "100"),
        ("100", "100", "100", "100"),
        ("97", "97", "97", "97"),
        ("97", "97", "97", "97"),
        ("80", "80", "70", "75"),
        ("75", "75", "75", "75"),
    ])];
    let risk = RiskConfig {
        daily_loss_limit: Some(d("0.001")),
        ..RiskConfig::default()
    };
    let protected = Signal {
        stop_loss: Some(d("90")),
        ..Signal::new(0, Intent::Long)
    };
    let plan = vec![(0, 0, protected), (0, 2, Signal::new(0, Intent::Target(d("2000"))))];
    let (out, _) = simulate_risk(&data, &risk, ExecutionConfig::Market, fixed("1000"), "1000000", plan);
    let position: Decimal = out.fills.iter().map(|f| f.side.sign() * f.qty).sum();
    assert_eq!(position, Decimal::ZERO, "still holding {position}\n{}", dump(&out));
}

/// Regression: same_close: the kill switch's flatten, decided at ts before bar ts is matched,
/// fills at the previous bar's close, stamped with the previous bar's time.
#[test]
fn under_same_close_a_halts_flatten_never_fills_before_its_decision() {
    let data = vec![bars(&[
        ("100", "100", "100", "100"),
        ("100", "100", "100", "100"),
        ("100", "100", "100", "100"),
        ("50", "50", "50", "50"),
        ("50", "50", "50", "50"),
    ])];
    let kill = data[0][3].ts;
    let risk = RiskConfig {
        kill_switch_at: Some(kill),
        flatten_on_halt: true,
        ..RiskConfig::default()
    };
    let venue = VenueConfig {
        fill_timing: FillTiming::SameClose,
        ..VenueConfig::default()
    };
    let (out, _) = simulate_full(
        &data,
        &venue,
        &risk,
        ExecutionConfig::Market,
        fixed("10"),
        "100000",
        vec![(0, 0, Signal::new(0, Intent::Long))],
    );
    let flatten = out.orders.iter().find(|o| o.reason == "risk_flatten").unwrap();
    let fill = out.fills.iter().find(|f| f.order_id == flatten.id).unwrap();
    assert!(
        fill.ts >= flatten.decision_ts,
        "decided {:?}, filled {:?} at {}",
        flatten.decision_ts,
        fill.ts,
        fill.px
    );
}

/// Regression: under an algorithm, max_order_qty applies to children, so a parent of 100 in
/// children of 50 passes a 60 limit; its legs, resized to 100, are refused, and the
/// bracket_flatten of 100 that replaces them is refused as well: the position is naked.
#[test]
fn legs_over_the_order_size_limit_give_way_to_a_flatten_that_goes_out() {
    let data = vec![bars(&flat_rows(8))];
    let risk = RiskConfig {
        max_order_qty: Some(d("60")),
        ..RiskConfig::default()
    };
    let twap = ExecutionConfig::Twap {
        duration_secs: 2 * 86_400,
        slices: 2,
        limit_offset_bps: None,
    };
    let protected = Signal {
        stop_loss: Some(d("90")),
        ..Signal::new(0, Intent::Long)
    };
    let (out, _) = simulate_risk(&data, &risk, twap, fixed("100"), "100000", vec![(0, 0, protected)]);
    let position: Decimal = out.fills.iter().map(|f| f.side.sign() * f.qty).sum();
    let live_stop = out
        .orders
        .iter()
        .any(|o| o.reason == "stop_loss" && o.status == OrderStatus::Expired);
    assert!(
        position.is_zero() || live_stop,
        "holding {position} with no stop\n{}",
        dump(&out)
    );
}
