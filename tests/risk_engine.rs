//! The risk guard in the loop: orders it refuses never reach a venue, every refusal is
//! on the order with its reason code, and the trading state holds across the run.

mod common;

use common::{DAY_NS, bars, d, simulate_full, simulate_risk};
use proptest::prelude::*;
use rust_decimal::Decimal;
use slipstream::model::{OrderStatus, Timestamp};
use slipstream::risk::{RejectCode, TradingState};
use slipstream::scenario::{ExecutionConfig, RiskConfig, SizingConfig, VenueConfig};
use slipstream::strategy::{Intent, Signal};

fn rising(n: usize) -> Vec<slipstream::model::Bar> {
    let rows: Vec<(String, String, String, String)> = (0..n)
        .map(|i| {
            let p = 100 + i;
            (p.to_string(), (p + 1).to_string(), (p - 1).to_string(), p.to_string())
        })
        .collect();
    let refs: Vec<(&str, &str, &str, &str)> = rows
        .iter()
        .map(|(a, b, c, e)| (a.as_str(), b.as_str(), c.as_str(), e.as_str()))
        .collect();
    bars(&refs)
}

fn fixed(qty: &str) -> SizingConfig {
    SizingConfig::FixedQty { qty: d(qty) }
}

#[test]
fn an_order_over_the_size_limit_is_rejected_with_its_code_and_never_trades() {
    let risk = RiskConfig {
        max_order_qty: Some(d("50")),
        ..RiskConfig::default()
    };
    let plan = vec![(0, 0, Signal::new(0, Intent::Long))];
    let (out, _) = simulate_risk(
        &[rising(4)],
        &risk,
        ExecutionConfig::Market,
        fixed("100"),
        "100000",
        plan,
    );
    assert_eq!(out.orders[0].status, OrderStatus::Rejected);
    let note = out.orders[0].note.as_deref().unwrap();
    assert!(note.starts_with("risk max_order_qty:"), "{note}");
    assert!(out.fills.is_empty());
    assert_eq!(out.risk.counts_by_code(), [(RejectCode::MaxOrderQty, 1)]);
}

#[test]
fn after_the_kill_switch_nothing_new_reaches_the_venue() {
    let risk = RiskConfig {
        kill_switch_at: Some(Timestamp((10_957 + 3) * DAY_NS)),
        ..RiskConfig::default()
    };
    let plan = vec![
        (0, 0, Signal::new(0, Intent::Long)),
        (0, 4, Signal::new(0, Intent::Flat)),
        (0, 5, Signal::new(0, Intent::Short)),
    ];
    let (out, _) = simulate_risk(
        &[rising(8)],
        &risk,
        ExecutionConfig::Market,
        fixed("10"),
        "100000",
        plan,
    );
    // The entry before the switch fills; the exit and the short after it are refused.
    assert_eq!(out.fills.len(), 1);
    let refused: Vec<&str> = out.orders[1..]
        .iter()
        .map(|o| o.note.as_deref().unwrap_or(""))
        .collect();
    assert!(refused.iter().all(|n| n.starts_with("risk halted")), "{refused:?}");
    assert_eq!(out.risk.final_state, TradingState::Halted);
    assert_eq!(out.risk.state_changes.len(), 1);
}

#[test]
fn children_are_checked_one_by_one_and_a_refused_child_ends_its_parent() {
    let twap = ExecutionConfig::Twap {
        duration_secs: 2 * 86_400,
        slices: 2,
        limit_offset_bps: None,
    };
    let plan = vec![(0, 0, Signal::new(0, Intent::Long))];
    // A 100-share parent in children of 50 under a 60-share order limit: each child
    // passes, though the parent as a whole would not.
    let risk = RiskConfig {
        max_order_qty: Some(d("60")),
        ..RiskConfig::default()
    };
    let (out, _) = simulate_risk(&[rising(5)], &risk, twap, fixed("100"), "100000", plan.clone());
    assert_eq!(
        (out.orders[0].status, out.orders[0].filled_qty),
        (OrderStatus::Filled, d("100"))
    );
    // Under a 40-share limit the first child is refused: it never reaches the venue and
    // the parent ends with the reason.
    let risk = RiskConfig {
        max_order_qty: Some(d("40")),
        ..RiskConfig::default()
    };
    let (out, _) = simulate_risk(&[rising(5)], &risk, twap, fixed("100"), "100000", plan);
    let parent = &out.orders[0];
    assert_eq!(
        (parent.status, parent.filled_qty),
        (OrderStatus::Cancelled, Decimal::ZERO)
    );
    assert!(
        parent.note.as_deref().unwrap().contains("risk max_order_qty"),
        "{:?}",
        parent.note
    );
    assert_eq!(out.execution.children[0].status, OrderStatus::Rejected);
    assert!(out.fills.is_empty());
}

#[test]
fn the_daily_loss_limit_lets_exits_through_and_lifts_the_next_day() {
    // A long position loses 20% on day 2; decided at that close, an exit goes out (allowed
    // while reducing). In a second run the flip to short waits for day 3, when the limit
    // is lifted (refused on day 2 itself: the_daily_loss_limit_binds_at_the_close_that_crosses_it).
    let data = vec![bars(&[
        ("100", "100", "100", "100"),
        ("100", "100", "100", "100"),
        ("80", "80", "80", "80"),
        ("80", "80", "80", "80"),
        ("80", "80", "80", "80"),
    ])];
    let risk = RiskConfig {
        daily_loss_limit: Some(d("0.05")),
        ..RiskConfig::default()
    };
    let exit = vec![
        (0, 0, Signal::new(0, Intent::Long)),
        (0, 2, Signal::new(0, Intent::Flat)),
    ];
    let (out, _) = simulate_risk(&data, &risk, ExecutionConfig::Market, fixed("500"), "10000", exit);
    assert_eq!(out.orders[1].status, OrderStatus::Filled, "the exit reduces exposure");
    assert!(out.risk.state_changes.iter().any(|c| c.to == TradingState::Reducing));

    let flip = vec![
        (0, 0, Signal::new(0, Intent::Long)),
        (0, 3, Signal::new(0, Intent::Target(d("-100")))),
    ];
    let (out, _) = simulate_risk(&data, &risk, ExecutionConfig::Market, fixed("100"), "10000", flip);
    assert_eq!(out.orders[1].status, OrderStatus::Filled, "{:?}", out.orders[1].note);
    let states: Vec<_> = out.risk.state_changes.iter().map(|c| (c.ts, c.to)).collect();
    assert_eq!(
        states,
        [
            (data[0][2].ts, TradingState::Reducing),
            (data[0][3].ts, TradingState::Active)
        ]
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// Whatever the script: a rejected order never fills, once the kill switch has halted
    /// trading no order decided after it fills, and no fill after it adds exposure
    /// (resting entries and children are cancelled by the halt).
    #[test]
    fn refused_and_halted_orders_never_reach_the_venue(
        seed in 0u64..10_000,
        kill_day in 1i64..30,
        script in prop::collection::vec((0usize..40, 0u8..4), 1..15),
        max_qty in 5i64..40,
        twap in any::<bool>(),
    ) {
        let bars = slipstream::data::synth_bars(&slipstream::data::SynthParams {
            bars: 40, seed, interval_secs: 86_400, vol_per_bar: 0.02, ..Default::default()
        });
        let kill = Timestamp(bars[0].ts.0 + kill_day * DAY_NS);
        let risk = RiskConfig {
            max_order_qty: Some(Decimal::from(max_qty)),
            kill_switch_at: Some(kill),
            ..RiskConfig::default()
        };
        let plan: Vec<_> = script.iter().map(|&(bar, intent)| {
            let intent = match intent { 0 => Intent::Long, 1 => Intent::Short, 2 => Intent::Flat, _ => Intent::Target(d("15")) };
            (0, bar, Signal::new(0, intent))
        }).collect();
        let execution = if twap {
            ExecutionConfig::Twap { duration_secs: 3 * 86_400, slices: 3, limit_offset_bps: None }
        } else {
            ExecutionConfig::Market
        };
        let (out, _) = simulate_risk(&[bars], &risk, execution, fixed("20"), "1000000", plan);
        for order in &out.orders {
            let filled = out.fills.iter().any(|f| f.order_id == order.id);
            if order.status == OrderStatus::Rejected {
                prop_assert!(!filled, "rejected order {} filled", order.id);
            }
            if order.decision_ts >= kill {
                prop_assert!(!filled, "order {} decided after the kill switch filled", order.id);
            }
        }
        for child in &out.execution.children {
            if child.decision_ts >= kill {
                prop_assert!(!out.execution.child_fills.iter().any(|f| f.order_id == child.id));
            }
            if child.status == OrderStatus::Rejected {
                prop_assert!(!out.execution.child_fills.iter().any(|f| f.order_id == child.id));
            }
        }
        // Nothing that was resting when the switch came (entries, children) adds
        // exposure after it either: a halt cancels them. Fills only shrink the position.
        let mut position = Decimal::ZERO;
        for fill in &out.fills {
            let after = position + fill.side.sign() * fill.qty;
            if fill.ts >= kill {
                let flips = (position > Decimal::ZERO && after < Decimal::ZERO)
                    || (position < Decimal::ZERO && after > Decimal::ZERO);
                prop_assert!(
                    after.abs() <= position.abs() && !flips,
                    "fill of order {} at {} took the position from {} to {} after the halt",
                    fill.order_id, fill.ts, position, after
                );
            }
            position = after;
        }
        let count: usize = out.risk.counts_by_code().iter().map(|(_, n)| n).sum();
        prop_assert_eq!(count, out.risk.rejections.len());
    }
}

/// A bracket whose take-profit the guard refuses (too far from the price for the band)
/// does not stay half protected: the stop is cancelled and the position is closed.
#[test]
fn a_bracket_leg_that_cannot_be_placed_flattens_the_position() {
    let risk = RiskConfig {
        price_band_bps: Some(d("500")),
        ..RiskConfig::default()
    };
    let signal = Signal {
        stop_loss: Some(d("99")),
        take_profit: Some(d("150")),
        ..Signal::new(0, Intent::Long)
    };
    let (out, _) = simulate_risk(
        &[rising(6)],
        &risk,
        ExecutionConfig::Market,
        fixed("10"),
        "100000",
        vec![(0, 0, signal)],
    );
    let by_reason = |r: &str| out.orders.iter().find(|o| o.reason == r).unwrap();
    assert_eq!(by_reason("take_profit").status, OrderStatus::Rejected);
    assert!(
        by_reason("take_profit")
            .note
            .as_deref()
            .unwrap()
            .starts_with("risk price_band")
    );
    assert_eq!(by_reason("stop_loss").status, OrderStatus::Cancelled);
    assert_eq!(by_reason("bracket_flatten").status, OrderStatus::Filled);
    let position: Decimal = out.fills.iter().map(|f| f.side.sign() * f.qty).sum();
    assert_eq!(position, Decimal::ZERO);
}

/// Children sent together count each other: a split parent cannot pass a position
/// limit that the same order sent whole would not.
#[test]
fn split_children_count_their_live_siblings() {
    let risk = RiskConfig {
        max_position_qty: Some(d("100")),
        ..RiskConfig::default()
    };
    let split = ExecutionConfig::Split {
        threshold: d("50"),
        max_child: d("100"),
    };
    let plan = vec![(0, 0, Signal::new(0, Intent::Long))];
    let (out, _) = simulate_risk(&[rising(5)], &risk, split, fixed("500"), "1000000", plan);
    // The second child would take the position (with the first, still live) to 200: it
    // is refused, which ends the parent and cancels the first before it fills.
    let refused = out.risk.counts_by_code();
    assert!(
        matches!(refused[..], [(RejectCode::MaxPositionQty, n)] if n >= 1),
        "{refused:?}"
    );
    assert!(out.fills.is_empty());
    let parent = &out.orders[0];
    assert_eq!(parent.status, OrderStatus::Cancelled);
    assert!(parent.note.as_deref().unwrap().contains("risk max_position_qty"));
}

/// A position protected by a stop is still open, and its value still committed: the
/// stop is not working exposure that cancels it.
#[test]
fn a_protected_position_still_counts_as_open() {
    let risk = RiskConfig {
        max_open_positions: Some(1),
        ..RiskConfig::default()
    };
    let protected = Signal {
        stop_loss: Some(d("90")),
        ..Signal::new(0, Intent::Long)
    };
    let plan = vec![(0, 0, protected), (1, 2, Signal::new(1, Intent::Long))];
    let data = vec![rising(5), rising(5)];
    let (out, _) = simulate_risk(&data, &risk, ExecutionConfig::Market, fixed("10"), "100000", plan);
    let second = out.orders.iter().find(|o| o.symbol == 1).unwrap();
    assert_eq!(second.status, OrderStatus::Rejected);
    assert!(second.note.as_deref().unwrap().starts_with("risk max_open_positions"));
}

/// Bars `("100", ..)` one hour apart on one trading day (2000-01-03, 09:00 on).
fn hourly(rows: &[(&str, &str, &str, &str)]) -> Vec<slipstream::model::Bar> {
    let mut out = bars(rows);
    let start = (10_957 + 2) * DAY_NS + 9 * 3_600_000_000_000;
    for (i, bar) in out.iter_mut().enumerate() {
        bar.ts = Timestamp(start + i as i64 * 3_600_000_000_000);
    }
    out
}

/// Bars per symbol, and the scripted signals: (symbol, bar index, signal).
type Script = (Vec<Vec<slipstream::model::Bar>>, Vec<(usize, usize, Signal)>);

/// A long position that loses 20% on bar 2: a flip to short decided at that bar's close.
fn loss_on_bar_two() -> Script {
    let data = vec![bars(&[
        ("100", "100", "100", "100"),
        ("100", "100", "100", "100"),
        ("80", "80", "80", "80"),
        ("80", "80", "80", "80"),
    ])];
    let plan = vec![
        (0, 0, Signal::new(0, Intent::Long)),
        (0, 2, Signal::new(0, Intent::Target(d("-100")))),
    ];
    (data, plan)
}

/// The flip of `loss_on_bar_two`, decided at the close that crosses the limit under
/// `risk`: the state is known before the strategy acts there, so the flip (which only
/// adds exposure) is skipped with its reason and nothing is cancelled for it.
fn flip_at_the_crossing_close(risk: RiskConfig, state: TradingState, reason: &str) {
    let (data, plan) = loss_on_bar_two();
    let (out, skipped) = simulate_risk(&data, &risk, ExecutionConfig::Market, fixed("100"), "10000", plan);
    assert_eq!(out.orders.len(), 1, "only the entry: {:?}", out.orders);
    assert_eq!(skipped.len(), 1);
    assert_eq!(skipped[0].ts, data[0][2].ts);
    assert!(skipped[0].reason.starts_with(reason), "{}", skipped[0].reason);
    let change = &out.risk.state_changes[0];
    assert_eq!((change.to, change.ts), (state, data[0][2].ts));
}

/// Regression (review of issue 4): the loss rules saw the previous close, so an order
/// decided at the close that crossed the daily loss limit still went out.
#[test]
fn the_daily_loss_limit_binds_at_the_close_that_crosses_it() {
    let risk = RiskConfig {
        daily_loss_limit: Some(d("0.05")),
        ..RiskConfig::default()
    };
    flip_at_the_crossing_close(risk, TradingState::Reducing, "trading is reducing");
}

/// Regression (review of issue 4): as above for the drawdown circuit breaker.
#[test]
fn the_drawdown_breaker_halts_at_the_close_that_crosses_it() {
    let risk = RiskConfig {
        max_drawdown: Some(d("0.1")),
        ..RiskConfig::default()
    };
    flip_at_the_crossing_close(risk, TradingState::Halted, "trading is halted");
}

/// Bars at 100 until the kill switch, then a dip to 85 that would fill a buy limit at 90.
fn dip_after_the_halt(hours: bool) -> Vec<slipstream::model::Bar> {
    let rows = [
        ("100", "101", "99", "100"),
        ("100", "101", "99", "100"),
        ("100", "101", "99", "100"),
        ("100", "101", "99", "100"),
        ("90", "95", "85", "90"),
        ("90", "95", "85", "90"),
    ];
    if hours { hourly(&rows) } else { bars(&rows) }
}

/// Regression (review of issue 4): a child resting at the venue kept working after a
/// halt and could fill. A halt now cancels every working order that adds exposure.
#[test]
fn a_halt_cancels_a_resting_child_before_it_can_fill() {
    let data = vec![dip_after_the_halt(false)];
    let kill = data[0][2].ts;
    let risk = RiskConfig {
        kill_switch_at: Some(kill),
        ..RiskConfig::default()
    };
    let limit = ExecutionConfig::LimitTimeout {
        timeout_secs: 30 * 86_400,
        fallback_market: true,
    };
    let signal = Signal {
        limit_px: Some(d("90")),
        ..Signal::new(0, Intent::Long)
    };
    let (out, _) = simulate_risk(&data, &risk, limit, fixed("10"), "100000", vec![(0, 0, signal)]);
    assert!(out.fills.is_empty(), "{:?}", out.fills);
    let parent = &out.orders[0];
    assert_eq!(parent.status, OrderStatus::Cancelled);
    assert_eq!(parent.last_update_ts, kill);
    assert!(parent.note.as_deref().unwrap().contains("halted"), "{:?}", parent.note);
    assert_eq!(out.execution.children[0].status, OrderStatus::Cancelled);
}

/// The same for an entry sent as it is: a DAY limit resting over hourly bars.
#[test]
fn a_halt_cancels_a_resting_entry_sent_as_it_is() {
    let data = vec![dip_after_the_halt(true)];
    let kill = data[0][2].ts;
    let risk = RiskConfig {
        kill_switch_at: Some(kill),
        ..RiskConfig::default()
    };
    let signal = Signal {
        limit_px: Some(d("90")),
        ..Signal::new(0, Intent::Long)
    };
    let plan = vec![(0, 0, signal)];
    let (out, _) = simulate_risk(&data, &risk, ExecutionConfig::Market, fixed("10"), "100000", plan);
    assert!(out.fills.is_empty(), "{:?}", out.fills);
    assert_eq!(
        (out.orders[0].status, out.orders[0].last_update_ts),
        (OrderStatus::Cancelled, kill)
    );
}

/// Regression (review of issue 4): a halt refused protective legs like any new order, and
/// then the flatten that should have replaced them, leaving the position naked. Here the
/// entry fills in part under a participation cap before the kill switch cancels the
/// rest: the part it bought gets its stop, which keeps working while halted and fills.
#[test]
fn a_position_entered_before_a_halt_keeps_its_stop() {
    let data = vec![hourly(&[
        ("100", "101", "99", "100"),
        ("100", "101", "99", "100"),
        ("100", "101", "99", "100"),
        ("100", "101", "99", "100"),
        ("90", "95", "85", "90"),
        ("90", "95", "85", "90"),
    ])];
    let kill = data[0][2].ts;
    let risk = RiskConfig {
        kill_switch_at: Some(kill),
        ..RiskConfig::default()
    };
    let venue = VenueConfig {
        participation_max: Some(d("0.1")),
        ..VenueConfig::default()
    };
    let signal = Signal {
        stop_loss: Some(d("95")),
        ..Signal::new(0, Intent::Long)
    };
    let (out, _) = simulate_full(
        &data,
        &venue,
        &risk,
        ExecutionConfig::Market,
        fixed("150000"),
        "100000000",
        vec![(0, 0, signal)],
    );
    let entry = &out.orders[0];
    assert_eq!((entry.status, entry.filled_qty), (OrderStatus::Cancelled, d("100000")));
    let stops: Vec<_> = out.orders.iter().filter(|o| o.reason == "stop_loss").collect();
    assert!(!stops.is_empty());
    assert!(
        stops.iter().all(|s| s.status != OrderStatus::Rejected),
        "{:?}",
        stops.iter().map(|s| &s.note).collect::<Vec<_>>()
    );
    assert!(out.orders.iter().all(|o| o.reason != "bracket_flatten"));
    let position: Decimal = out.fills.iter().map(|f| f.side.sign() * f.qty).sum();
    assert_eq!(position, Decimal::ZERO, "the stop closed what the entry bought");
    assert_eq!(out.risk.final_state, TradingState::Halted);
}

/// A halt cancels what adds exposure, never what protects: a stop placed before the
/// kill switch keeps working and closes the position.
#[test]
fn a_halt_leaves_a_working_stop_in_place() {
    let data = vec![dip_after_the_halt(false)];
    let risk = RiskConfig {
        kill_switch_at: Some(data[0][2].ts),
        ..RiskConfig::default()
    };
    let signal = Signal {
        stop_loss: Some(d("95")),
        ..Signal::new(0, Intent::Long)
    };
    let (out, _) = simulate_risk(
        &data,
        &risk,
        ExecutionConfig::Market,
        fixed("10"),
        "100000",
        vec![(0, 0, signal)],
    );
    let stop = out.orders.iter().find(|o| o.reason == "stop_loss").expect("a stop");
    assert_eq!(stop.status, OrderStatus::Filled, "{:?}", stop.note);
    assert_eq!(stop.decision_ts, data[0][1].ts, "placed before the halt");
}

/// The scenario's risk limits and execution algorithm are the strategy's: a position
/// limit that refuses the strategy's entries, and a TWAP, leave the buy-and-hold
/// benchmark's single all-cash order untouched.
#[test]
fn the_benchmark_is_not_held_to_the_strategys_limits_or_algorithm() {
    let dir = tempfile::tempdir().unwrap();
    let mut csv = String::from("timestamp,open,high,low,close,volume\n");
    for day in 1..=9 {
        let px = 100 + day;
        csv.push_str(&format!("2020-01-0{day},{px},{px},{px},{px},1000000\n"));
    }
    std::fs::write(dir.path().join("bars.csv"), csv).unwrap();
    let text = r#"name = "bench"
cash = 100000
[[instruments]]
symbol = "X"
data = "bars.csv"
[strategy]
kind = "buy_and_hold"
[risk]
max_position_notional = 50000
[execution]
algo = "twap"
duration = "2d"
slices = 2
"#;
    let path = dir.path().join("s.toml");
    let scenario = slipstream::scenario::parse_str(text, &path, &[]).unwrap();
    let result = slipstream::backtest::run(&scenario).unwrap();
    // The strategy's second TWAP child would take it over the limit.
    assert!(!result.main.risk.rejections.is_empty());
    let bench = result.benchmark.expect("a benchmark");
    assert_eq!(bench.fills.len(), 1, "one order, sent as it is: {:?}", bench.fills);
    assert!(bench.risk.rejections.is_empty() && bench.execution.parents.is_empty());
}

/// `flatten_on_halt`: the halt closes the position at market (the stop that protected it
/// is cancelled, so nothing exits twice), and nothing trades after.
#[test]
fn flatten_on_halt_closes_the_position_and_its_stop_goes() {
    let data = vec![rising(8)];
    let kill = data[0][3].ts;
    let risk = RiskConfig {
        kill_switch_at: Some(kill),
        flatten_on_halt: true,
        ..RiskConfig::default()
    };
    let protected = Signal {
        stop_loss: Some(d("50")),
        ..Signal::new(0, Intent::Long)
    };
    let plan = vec![(0, 0, protected), (0, 5, Signal::new(0, Intent::Short))];
    let (out, _) = simulate_risk(&data, &risk, ExecutionConfig::Market, fixed("10"), "100000", plan);
    let by_reason = |r: &str| out.orders.iter().find(|o| o.reason == r).unwrap();
    let flatten = by_reason("risk_flatten");
    assert_eq!((flatten.status, flatten.decision_ts), (OrderStatus::Filled, kill));
    assert_eq!(by_reason("stop_loss").status, OrderStatus::Cancelled);
    let position: Decimal = out.fills.iter().map(|f| f.side.sign() * f.qty).sum();
    assert_eq!(position, Decimal::ZERO);
    assert_eq!(out.fills.len(), 2, "the entry and the flatten: {:?}", out.fills);
    // Without the option the halt freezes the position (the strategy's exit is refused).
    let frozen = RiskConfig {
        flatten_on_halt: false,
        ..risk
    };
    let plan = vec![
        (0, 0, Signal::new(0, Intent::Long)),
        (0, 5, Signal::new(0, Intent::Flat)),
    ];
    let (out, _) = simulate_risk(&data, &frozen, ExecutionConfig::Market, fixed("10"), "100000", plan);
    let position: Decimal = out.fills.iter().map(|f| f.side.sign() * f.qty).sum();
    assert_eq!(position, d("10"));
}

/// Long 400 of S0 and short 400 of S1 from 100: when both close at `day2`, every equity
/// point is 100,000 exactly. `nudge` adds a one-share order on `nudge` (a symbol) at
/// day 2's close, which has nothing to do with the account's equity.
fn hedged(day2: &'static str, nudge: Option<usize>, risk: &RiskConfig) -> slipstream::backtest::result::RunOutcome {
    let row = |c: &'static str| (c, c, c, c);
    let series = || bars(&[row("100"), row("100"), row(day2), row(day2)]);
    let mut plan = vec![
        (0, 0, Signal::new(0, Intent::Long)),
        (1, 0, Signal::new(1, Intent::Short)),
    ];
    if let Some(symbol) = nudge {
        let target = if symbol == 0 { "401" } else { "-401" };
        plan.push((symbol, 2, Signal::new(symbol, Intent::Target(d(target)))));
    }
    let data = [series(), series()];
    simulate_risk(&data, risk, ExecutionConfig::Market, fixed("400"), "100000", plan).0
}

/// Regression (review of the risk timing): within a timestamp the guard was handed an
/// equity marked at one symbol's new close and another's old one, whenever some order
/// was about to be checked; that equity could set a peak the account never had, or a
/// loss it never made, and halt or reduce the run.
#[test]
fn a_half_marked_account_never_reaches_the_guard() {
    for nudge in [None, Some(0), Some(1)] {
        let drawdown = RiskConfig {
            max_drawdown: Some(d("0.03")),
            ..RiskConfig::default()
        };
        let out = hedged("110", nudge, &drawdown);
        assert!(out.equity.iter().all(|p| p.equity == d("100000")));
        assert!(
            out.risk.state_changes.is_empty(),
            "{nudge:?}: {:?}",
            out.risk.state_changes
        );
        let loss = RiskConfig {
            daily_loss_limit: Some(d("0.03")),
            ..RiskConfig::default()
        };
        let out = hedged("90", nudge, &loss);
        assert!(
            out.risk.state_changes.is_empty(),
            "{nudge:?}: {:?}",
            out.risk.state_changes
        );
    }
}

/// Regression (same review): a halt found at S0's close cancelled S1's resting limit
/// before S1's bar at that same time was matched (a look-ahead), and only when S0 had an
/// order to check. The limit fills on its bar either way; the halt comes after.
#[test]
fn a_halt_at_one_close_does_not_cancel_another_symbols_order_before_its_bar() {
    let risk = RiskConfig {
        max_drawdown: Some(d("0.05")),
        ..RiskConfig::default()
    };
    let run = |nudge: bool| {
        let s0 = bars(&[
            ("100", "100", "100", "100"),
            ("100", "100", "100", "100"),
            ("100", "100", "80", "80"),
            ("80", "80", "80", "80"),
        ]);
        let s1 = bars(&[
            ("100", "100", "100", "100"),
            ("100", "100", "100", "100"),
            ("100", "100", "94", "96"),
            ("96", "96", "96", "96"),
        ]);
        let limit = Signal {
            limit_px: Some(d("95")),
            ..Signal::new(1, Intent::Long)
        };
        let mut plan = vec![(0, 0, Signal::new(0, Intent::Long)), (1, 1, limit)];
        if nudge {
            plan.push((0, 2, Signal::new(0, Intent::Target(d("401")))));
        }
        let (out, _) = simulate_risk(&[s0, s1], &risk, ExecutionConfig::Market, fixed("400"), "100000", plan);
        assert_eq!(out.risk.final_state, TradingState::Halted);
        out.fills
            .iter()
            .filter(|f| f.symbol == 1)
            .map(|f| f.qty)
            .sum::<Decimal>()
    };
    assert_eq!(run(true), d("400"));
    assert_eq!(run(false), d("400"));
}

/// Regression (found by the risk_guard_aapl example): while a reversal's exit was
/// checked, its entry, decided with it but not yet sent, already counted as working, so
/// the exit looked like a flip and a position limit refused it; the entry then passed
/// against the untouched position and left a remainder. The exit must go, the entry
/// over the limit must not.
#[test]
fn a_reversal_exit_is_checked_before_its_entry_counts() {
    let risk = RiskConfig {
        max_position_notional: Some(d("12000")),
        ..RiskConfig::default()
    };
    // Long 100 (about 10,200 at the marks), then a reversal to a short of 150 (15,300).
    let plan = vec![
        (0, 0, Signal::new(0, Intent::Target(d("100")))),
        (0, 2, Signal::new(0, Intent::Short)),
    ];
    let (out, _) = simulate_risk(
        &[rising(6)],
        &risk,
        ExecutionConfig::Market,
        fixed("150"),
        "1000000",
        plan,
    );
    let by_reason = |r: &str| out.orders.iter().find(|o| o.reason == r).unwrap();
    assert_eq!(
        by_reason("exit").status,
        OrderStatus::Filled,
        "{:?}",
        by_reason("exit").note
    );
    let entry = by_reason("entry");
    assert_eq!(entry.status, OrderStatus::Rejected);
    assert!(entry.note.as_deref().unwrap().starts_with("risk max_position_notional"));
    let position: Decimal = out.fills.iter().map(|f| f.side.sign() * f.qty).sum();
    assert_eq!(position, Decimal::ZERO);
}
