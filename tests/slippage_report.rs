//! The slippage report on small hand-built runs: every component of the implementation
//! shortfall checked against hand-computed values for a buy and a mirrored sell, the
//! shortfall identity, size buckets, the hour table only for intraday runs, orders that
//! never reached the market left out of the totals, and the files `write_reports` writes.

use rust_decimal::{Decimal, dec};
use slipstream::backtest::result::{DataFileInfo, EquityPoint, RunOutcome, RunResult};
use slipstream::model::time::{NANOS_PER_DAY, NANOS_PER_SEC};
use slipstream::model::{
    Fill, Instrument, Liquidity, Order, OrderEvent, OrderKind, OrderQty, OrderStatus, Side, TimeInForce, Timestamp,
};
use slipstream::report::slippage::{SizeBucket, aggregate, order_costs, slippage_report, worst_orders};
use slipstream::report::slippage_writer::{slippage_csv, slippage_header};
use slipstream::report::{REPORT_FILES, write_reports};
use slipstream::scenario::{
    ColumnMap, CommissionConfig, DataFormat, DataSource, FillTiming, InstrumentConfig, IntrabarPath, Scenario,
    SizingConfig, SlippageConfig, Spread, StrategyConfig, VenueConfig,
};
use std::path::{Path, PathBuf};

/// 2024-01-01 plus `d` days and `h` hours.
fn at(d: i64, h: i64) -> Timestamp {
    Timestamp(19_723 * NANOS_PER_DAY + d * NANOS_PER_DAY + h * 3_600 * NANOS_PER_SEC)
}

fn instrument_config(symbol: &str) -> InstrumentConfig {
    InstrumentConfig {
        instrument: Instrument::equity(symbol),
        data: DataSource {
            path: PathBuf::from(format!("data/{symbol}.csv")),
            format: DataFormat::Csv,
            columns: ColumnMap::default(),
            timestamp_format: None,
        },
    }
}

fn scenario() -> Scenario {
    Scenario {
        execution: Default::default(),
        venues: Vec::new(),
        risk: Default::default(),
        name: "slippage by hand".to_string(),
        description: None,
        cash: dec!(100000),
        currency: "USD".to_string(),
        seed: 1,
        periods_per_year: None,
        start: None,
        end: None,
        output_dir: PathBuf::from("reports/slippage"),
        benchmark: false,
        instruments: vec![instrument_config("AAA"), instrument_config("BBB")],
        strategy: StrategyConfig::BuyAndHold,
        sizing: SizingConfig::FixedQty { qty: dec!(100) },
        venue: VenueConfig {
            fill_timing: FillTiming::NextOpen,
            intrabar_path: IntrabarPath::OpenHighLowClose,
            slippage: SlippageConfig::HalfSpread {
                spread: Spread::Fixed(dec!(0.1)),
            },
            commission: CommissionConfig::Fixed { per_order: dec!(1) },
            ..VenueConfig::default()
        },
        source_dir: PathBuf::new(),
    }
}

fn data_file(symbol: &str, interval_secs: f64) -> DataFileInfo {
    DataFileInfo {
        symbol: symbol.to_string(),
        path: PathBuf::from(format!("data/{symbol}.csv")),
        sha256: "cd".repeat(32),
        bars: 10,
        first_ts: Some(at(0, 0)),
        last_ts: Some(at(9, 0)),
        bar_interval_secs: interval_secs,
        gaps: 0,
    }
}

/// A run with the given orders and fills of the main strategy; `interval_secs` is the
/// bar interval of both data files.
fn run(orders: Vec<Order>, fills: Vec<Fill>, interval_secs: f64) -> RunResult {
    let equity = (0..4)
        .map(|d| EquityPoint {
            ts: at(d, 0),
            cash: dec!(100000),
            gross_exposure: Decimal::ZERO,
            equity: dec!(100000),
        })
        .collect();
    RunResult {
        scenario: scenario(),
        instruments: vec![Instrument::equity("AAA"), Instrument::equity("BBB")],
        periods_per_year: 252.0,
        periods_per_year_source: "calendar",
        data_files: vec![data_file("AAA", interval_secs), data_file("BBB", interval_secs)],
        main: RunOutcome {
            risk: Default::default(),
            execution: Default::default(),
            routes: Default::default(),
            sizing: Vec::new(),
            strategy: "by_hand".to_string(),
            equity,
            orders,
            fills,
            trades: Vec::new(),
            bars_in_market: 0,
            notes: Vec::new(),
        },
        benchmark: None,
        warnings: Vec::new(),
    }
}

/// How an order went, for [`order`].
struct Spec {
    id: u64,
    symbol: usize,
    side: Side,
    qty: OrderQty,
    decision_px: Decimal,
    arrival: Option<(Timestamp, Decimal, Decimal)>,
    end_px: Option<Decimal>,
}

fn spec(id: u64, side: Side, qty: Decimal) -> Spec {
    Spec {
        id,
        symbol: 0,
        side,
        qty: OrderQty::Units(qty),
        decision_px: dec!(100),
        arrival: Some((at(1, 0), dec!(100), dec!(1_000_000))),
        end_px: Some(dec!(100)),
    }
}

/// An order that went through its lifecycle: accepted, then filled by `fills` (through
/// `Order::record_fill`, which keeps the average price as the engine does), then
/// cancelled if anything is left.
fn order(s: &Spec, fills: &[Fill]) -> Order {
    let mut o = Order {
        id: s.id,
        symbol: s.symbol,
        side: s.side,
        kind: OrderKind::Market,
        qty: s.qty,
        tif: TimeInForce::Gtc,
        status: OrderStatus::Created,
        decision_ts: at(0, 0),
        decision_px: s.decision_px,
        filled_qty: Decimal::ZERO,
        avg_fill_px: Decimal::ZERO,
        last_update_ts: at(0, 0),
        arrival_ts: s.arrival.map(|a| a.0),
        arrival_px: s.arrival.map(|a| a.1),
        arrival_volume: s.arrival.map(|a| a.2),
        end_px: s.end_px,
        oco: None,
        reason: if s.side == Side::Buy { "entry" } else { "exit" },
        note: None,
    };
    o.apply(OrderEvent::Submit, at(0, 0)).unwrap();
    o.apply(OrderEvent::Accept, at(0, 0)).unwrap();
    for f in fills.iter().filter(|f| f.order_id == s.id) {
        o.record_fill(f.qty, f.px, f.ts).unwrap();
    }
    if !o.status.is_terminal() {
        o.apply(OrderEvent::Cancel, at(2, 0)).unwrap();
    }
    o
}

/// A fill of `qty` at `before` (price before slippage), paying `spread` and `impact` per
/// unit against the order, and `fee`.
fn fill(
    order_id: u64,
    side: Side,
    qty: Decimal,
    before: Decimal,
    spread: Decimal,
    impact: Decimal,
    fee: Decimal,
) -> Fill {
    let px = before + side.sign() * (spread + impact);
    Fill {
        venue: 0,
        order_id,
        symbol: 0,
        side,
        ts: at(1, 0),
        qty,
        px,
        px_before_slippage: before,
        spread_per_unit: spread,
        fee,
        liquidity: Liquidity::Taker,
    }
}

/// The worked example: decided at 100, arrived at 101 (99 for the sell), 60 of 100 filled
/// at 101.5 before slippage (98.5), 0.05 spread and 0.1 impact per unit, fee 1, ended at
/// 103 (97).
fn worked_example(side: Side) -> (Order, Vec<Fill>) {
    let (arrival, before, end) = match side {
        Side::Buy => (dec!(101), dec!(101.5), dec!(103)),
        Side::Sell => (dec!(99), dec!(98.5), dec!(97)),
    };
    let fills = vec![fill(1, side, dec!(60), before, dec!(0.05), dec!(0.1), dec!(1))];
    let s = Spec {
        arrival: Some((at(1, 0), arrival, dec!(10_000))),
        end_px: Some(end),
        ..spec(1, side, dec!(100))
    };
    (order(&s, &fills), fills)
}

fn check_worked_example(side: Side) {
    let (o, fills) = worked_example(side);
    assert_eq!(o.filled_qty, dec!(60));
    assert_eq!(o.status, OrderStatus::Cancelled);
    let result = run(vec![o], fills, 86_400.0);
    let costs = order_costs(&result);
    assert_eq!(costs.len(), 1);
    let c = &costs[0];
    assert!(c.reached_market);
    assert_eq!(c.cost.delay, dec!(60), "{side:?} delay");
    assert_eq!(c.cost.timing, dec!(30), "{side:?} timing");
    assert_eq!(c.cost.spread, dec!(3), "{side:?} spread");
    assert_eq!(c.cost.impact, dec!(6), "{side:?} impact");
    assert_eq!(c.cost.fees, dec!(1), "{side:?} fees");
    assert_eq!(c.cost.opportunity, dec!(120), "{side:?} opportunity: 40 x 3");
    assert_eq!(c.cost.shortfall, dec!(220), "{side:?} shortfall");
    assert_eq!(c.decision_notional, dec!(10000));
    assert_eq!(c.bps.shortfall, 220.0, "220 / (100 x 100) x 1e4");
    assert_eq!(c.bps.delay, 60.0);
    assert_eq!(c.bps.timing, 30.0);
    assert_eq!(c.bps.spread, 3.0);
    assert_eq!(c.bps.impact, 6.0);
    assert_eq!(c.bps.fees, 1.0);
    assert_eq!(c.bps.opportunity, 120.0);
    assert_eq!(c.size_of_bar_volume, Some(dec!(0.01)));
    assert_eq!(c.size_bucket, SizeBucket::From1To5Pct);
    let summary = aggregate(&result, &costs);
    assert_eq!(summary.totals.cost.shortfall, dec!(220));
    assert_eq!(summary.totals.bps.shortfall, 220.0);
}

#[test]
fn a_buy_by_hand() {
    check_worked_example(Side::Buy);
}

#[test]
fn a_sell_mirrors_the_buy_with_signs() {
    check_worked_example(Side::Sell);
    // The same prices as the buy, sold: every move that cost the buyer pays the seller.
    let fills = vec![fill(
        1,
        Side::Sell,
        dec!(60),
        dec!(101.5),
        dec!(0.05),
        dec!(0.1),
        dec!(1),
    )];
    let s = Spec {
        arrival: Some((at(1, 0), dec!(101), dec!(10_000))),
        end_px: Some(dec!(103)),
        ..spec(1, Side::Sell, dec!(100))
    };
    let result = run(vec![order(&s, &fills)], fills, 86_400.0);
    let c = &order_costs(&result)[0];
    assert_eq!(c.cost.delay, dec!(-60));
    assert_eq!(c.cost.timing, dec!(-30));
    assert_eq!(c.cost.spread, dec!(3), "spread is always a cost");
    assert_eq!(c.cost.impact, dec!(6), "impact is against the order either way");
    assert_eq!(c.cost.opportunity, dec!(-120));
    assert_eq!(c.cost.shortfall, dec!(-200), "-60 - 30 + 3 + 6 + 1 - 120");
    assert_eq!(c.bps.shortfall, -200.0);
}

#[test]
fn timing_uses_the_vwap_of_several_fills_and_can_be_a_gain() {
    // Fills over two bars under a participation cap: 30 at 101 then 70 at 102 before
    // slippage, arrival 100.5: VWAP 101.7, timing (101.7 - 100.5) x 100 = 120.
    let fills = vec![
        fill(7, Side::Buy, dec!(30), dec!(101), dec!(0), dec!(0), dec!(0)),
        fill(7, Side::Buy, dec!(70), dec!(102), dec!(0), dec!(0), dec!(0)),
    ];
    let s = Spec {
        arrival: Some((at(1, 0), dec!(100.5), dec!(500))),
        ..spec(7, Side::Buy, dec!(100))
    };
    let o = order(&s, &fills);
    assert_eq!(o.status, OrderStatus::Filled);
    // A limit buy that waited: arrived at 100, filled at 99 (maker, no slippage).
    let limit_fills = vec![fill(8, Side::Buy, dec!(10), dec!(99), dec!(0), dec!(0), dec!(0))];
    let limit = order(&spec(8, Side::Buy, dec!(10)), &limit_fills);
    let mut all_fills = fills;
    all_fills.extend(limit_fills);
    let result = run(vec![o, limit], all_fills, 86_400.0);
    let costs = order_costs(&result);
    assert_eq!(costs[0].cost.delay, dec!(50));
    assert_eq!(costs[0].cost.timing, dec!(120));
    assert_eq!(costs[0].cost.opportunity, Decimal::ZERO, "nothing left unfilled");
    assert_eq!(costs[0].size_bucket, SizeBucket::AtLeast10Pct, "100 of 500 is 20%");
    assert_eq!(costs[1].cost.timing, dec!(-10), "waiting for a better price is a gain");
    assert_eq!(costs[1].cost.shortfall, dec!(-10));
    assert_eq!(costs[1].bps.shortfall, -100.0);
}

#[test]
fn the_shortfall_identity_holds() {
    // Buys and sells, partial and complete, several fills, a favourable random
    // component (negative impact), prices that leave the average fill price inexact.
    let mut fills = vec![
        fill(1, Side::Buy, dec!(60), dec!(101.5), dec!(0.05), dec!(0.1), dec!(1)),
        fill(
            2,
            Side::Sell,
            dec!(33),
            dec!(49.37),
            dec!(0.01),
            dec!(-0.02),
            dec!(0.33),
        ),
        fill(2, Side::Sell, dec!(34), dec!(49.11), dec!(0.01), dec!(0.04), dec!(0.34)),
        fill(2, Side::Sell, dec!(7), dec!(48.93), dec!(0.01), dec!(0.013), dec!(1)),
        fill(3, Side::Buy, dec!(1), dec!(10.01), dec!(0.005), dec!(0.001), dec!(0)),
        fill(3, Side::Buy, dec!(2), dec!(10.02), dec!(0.005), dec!(-0.003), dec!(0)),
    ];
    let specs = [
        Spec {
            arrival: Some((at(1, 0), dec!(101), dec!(10_000))),
            end_px: Some(dec!(103)),
            ..spec(1, Side::Buy, dec!(100))
        },
        Spec {
            decision_px: dec!(50.02),
            arrival: Some((at(1, 0), dec!(49.8), dec!(3_000))),
            end_px: Some(dec!(48.5)),
            ..spec(2, Side::Sell, dec!(90))
        },
        Spec {
            decision_px: dec!(10),
            arrival: Some((at(1, 0), dec!(10.03), dec!(7))),
            end_px: Some(dec!(9.5)),
            ..spec(3, Side::Buy, dec!(3))
        },
    ];
    for f in &mut fills {
        f.symbol = 0;
    }
    let orders: Vec<Order> = specs.iter().map(|s| order(s, &fills)).collect();
    let result = run(orders.clone(), fills, 86_400.0);
    let costs = order_costs(&result);
    assert_eq!(costs.len(), 3);
    for (o, c) in orders.iter().zip(&costs) {
        let sum = c.cost.delay + c.cost.timing + c.cost.spread + c.cost.impact + c.cost.fees + c.cost.opportunity;
        assert_eq!(
            c.cost.shortfall, sum,
            "order {}: the shortfall is the sum of its parts",
            o.id
        );
        let direct = o.side.sign() * (o.avg_fill_px - o.decision_px) * o.filled_qty + c.cost.fees + c.cost.opportunity;
        assert!(
            (c.cost.shortfall - direct).abs() < dec!(0.000001),
            "order {}: {} vs {direct}",
            o.id,
            c.cost.shortfall
        );
    }
    // Order 3 had a favourable random component on its second fill: impact below spread.
    assert_eq!(costs[2].cost.impact, dec!(0.001) - dec!(0.006));
    assert!(costs[2].cost.impact < Decimal::ZERO);
}

#[test]
fn size_buckets_from_arrival_volume() {
    let volume = dec!(100_000);
    let cases = [
        (dec!(50), Some(volume), SizeBucket::Under0_1Pct),
        (dec!(100), Some(volume), SizeBucket::From0_1To1Pct),
        (dec!(999), Some(volume), SizeBucket::From0_1To1Pct),
        (dec!(1_000), Some(volume), SizeBucket::From1To5Pct),
        (dec!(5_000), Some(volume), SizeBucket::From5To10Pct),
        (dec!(10_000), Some(volume), SizeBucket::AtLeast10Pct),
        (dec!(100), Some(Decimal::ZERO), SizeBucket::Unknown),
    ];
    let orders: Vec<Order> = cases
        .iter()
        .enumerate()
        .map(|(i, (qty, vol, _))| {
            let s = Spec {
                arrival: vol.map(|v| (at(1, 0), dec!(100), v)),
                ..spec(i as u64 + 1, Side::Buy, *qty)
            };
            order(&s, &[])
        })
        .collect();
    let mut all_cash = spec(99, Side::Buy, dec!(1));
    all_cash.qty = OrderQty::AllCash;
    let mut orders = orders;
    orders.push(order(&all_cash, &[]));
    let result = run(orders, Vec::new(), 86_400.0);
    let costs = order_costs(&result);
    for (c, (_, _, bucket)) in costs.iter().zip(&cases) {
        assert_eq!(c.size_bucket, *bucket, "order {}", c.order_id);
    }
    let unfilled_all_cash = costs.last().unwrap();
    assert_eq!(
        unfilled_all_cash.qty,
        Decimal::ZERO,
        "an unfilled all-cash order has Q = 0"
    );
    assert!(!unfilled_all_cash.qty_known);
    assert_eq!(unfilled_all_cash.size_bucket, SizeBucket::Unknown);
    assert_eq!(unfilled_all_cash.bps.shortfall, 0.0);
    let summary = aggregate(&result, &costs);
    let groups: Vec<(&str, usize)> = summary.by_size.iter().map(|g| (g.group.as_str(), g.orders)).collect();
    assert_eq!(
        groups,
        [
            ("< 0.1%", 1),
            ("0.1-1%", 2),
            ("1-5%", 1),
            ("5-10%", 1),
            (">= 10%", 1),
            ("unknown", 2)
        ]
    );
}

/// Two buys of 100 (AAA arriving 09:00, BBB 10:00) and a sell of AAA arriving 09:00.
fn three_orders(result_interval: f64) -> RunResult {
    let fills = vec![
        fill(1, Side::Buy, dec!(100), dec!(101), dec!(0), dec!(0), dec!(2)),
        Fill {
            symbol: 1,
            ..fill(2, Side::Buy, dec!(100), dec!(51), dec!(0.5), dec!(0), dec!(0))
        },
        fill(3, Side::Sell, dec!(100), dec!(100), dec!(0), dec!(0), dec!(0)),
    ];
    let specs = [
        Spec {
            arrival: Some((at(1, 9), dec!(100), dec!(10_000))),
            ..spec(1, Side::Buy, dec!(100))
        },
        Spec {
            symbol: 1,
            decision_px: dec!(50),
            arrival: Some((at(1, 10), dec!(50), dec!(10_000))),
            end_px: Some(dec!(50)),
            ..spec(2, Side::Buy, dec!(100))
        },
        Spec {
            arrival: Some((at(2, 9), dec!(101), dec!(10_000))),
            ..spec(3, Side::Sell, dec!(100))
        },
    ];
    let orders = specs.iter().map(|s| order(s, &fills)).collect();
    run(orders, fills, result_interval)
}

#[test]
fn aggregates_by_symbol_and_side_are_notional_weighted() {
    let result = three_orders(86_400.0);
    let (costs, summary) = slippage_report(&result);
    // Order 1: timing 100 + fees 2 = 102 on 10,000. Order 2: timing 100 + spread 50 = 150
    // on 5,000. Order 3: delay -1 x 1 x 100 = -100, timing -1 x (100 - 101) x 100 = 100.
    assert_eq!(costs[0].cost.shortfall, dec!(102));
    assert_eq!(costs[1].cost.shortfall, dec!(150));
    assert_eq!(costs[1].bps.shortfall, 300.0);
    assert_eq!(costs[2].cost.delay, dec!(-100));
    assert_eq!(costs[2].cost.timing, dec!(100));
    assert_eq!(costs[2].cost.shortfall, Decimal::ZERO);
    assert_eq!(summary.totals.orders, 3);
    assert_eq!(summary.totals.decision_notional, dec!(25000));
    assert_eq!(summary.totals.cost.shortfall, dec!(252));
    assert!((summary.totals.bps.shortfall - 252.0 / 25_000.0 * 1e4).abs() < 1e-9);
    let symbols: Vec<(&str, usize, Decimal)> = summary
        .by_symbol
        .iter()
        .map(|g| (g.group.as_str(), g.orders, g.cost.shortfall))
        .collect();
    assert_eq!(symbols, [("AAA", 2, dec!(102)), ("BBB", 1, dec!(150))]);
    assert!((summary.by_symbol[0].bps.shortfall - 102.0 / 20_000.0 * 1e4).abs() < 1e-9);
    let sides: Vec<(&str, usize, Decimal)> = summary
        .by_side
        .iter()
        .map(|g| (g.group.as_str(), g.orders, g.cost.shortfall))
        .collect();
    assert_eq!(sides, [("buy", 2, dec!(252)), ("sell", 1, Decimal::ZERO)]);
    let worst: Vec<u64> = worst_orders(&costs, 10).iter().map(|c| c.order_id).collect();
    assert_eq!(worst, [2, 1, 3]);
    assert_eq!(worst_orders(&costs, 1).len(), 1);
}

#[test]
fn the_hour_table_only_for_intraday_runs() {
    let daily = three_orders(86_400.0);
    let (_, summary) = slippage_report(&daily);
    assert!(!summary.intraday.intraday);
    assert!(summary.by_hour.is_none());
    let reason = summary.intraday.by_hour_omitted.clone().unwrap();
    assert!(reason.contains("not intraday"), "{reason}");

    let mut hourly = three_orders(3_600.0);
    // Only the smallest interval counts.
    hourly.data_files[1].bar_interval_secs = 86_400.0;
    let (_, summary) = slippage_report(&hourly);
    assert!(summary.intraday.intraday);
    assert!(summary.intraday.by_hour_omitted.is_none());
    let hours: Vec<(&str, usize)> = summary
        .by_hour
        .as_ref()
        .unwrap()
        .iter()
        .map(|g| (g.group.as_str(), g.orders))
        .collect();
    assert_eq!(hours, [("09:00", 2), ("10:00", 1)]);

    let tmp = tempfile::tempdir().unwrap();
    write_reports(&daily, tmp.path()).unwrap();
    let md = read(tmp.path(), "slippage.md");
    assert!(md.contains("## By hour of day (arrival bar)\n\nOmitted: the run is not intraday"));
    let json = report_json(tmp.path());
    assert!(json["slippage"]["by_hour"].is_null());
    assert!(json["slippage"]["intraday"]["by_hour_omitted"].is_string());

    write_reports(&hourly, tmp.path()).unwrap();
    let md = read(tmp.path(), "slippage.md");
    assert!(md.contains("| Hour | Orders |"));
    assert!(md.contains("| 09:00 | 2 | 2 |"));
    let json = report_json(tmp.path());
    assert_eq!(json["slippage"]["by_hour"][1]["group"], "10:00");
}

#[test]
fn orders_that_never_reached_the_market_are_listed_not_summed() {
    let mut result = three_orders(86_400.0);
    let mut rejected = order(
        &Spec {
            arrival: None,
            end_px: Some(dec!(120)),
            ..spec(4, Side::Buy, dec!(1_000))
        },
        &[],
    );
    rejected.status = OrderStatus::Rejected;
    rejected.note = Some("price outside | the band".to_string());
    let cancelled = order(
        &Spec {
            arrival: None,
            end_px: Some(dec!(80)),
            ..spec(5, Side::Sell, dec!(1_000))
        },
        &[],
    );
    result.main.orders.extend([rejected, cancelled]);
    let (costs, summary) = slippage_report(&result);
    assert_eq!(summary.orders, 5);
    assert_eq!(summary.orders_excluded, 2);
    assert_eq!(summary.totals.orders, 3);
    assert_eq!(
        summary.totals.cost.shortfall,
        dec!(252),
        "the excluded orders add nothing"
    );
    assert!(!costs[3].reached_market && !costs[4].reached_market);
    assert_eq!(costs[3].cost.shortfall, Decimal::ZERO);
    assert_eq!(costs[3].size_bucket, SizeBucket::Unknown);

    let csv = String::from_utf8(slippage_csv(&result, &costs).unwrap()).unwrap();
    let rows: Vec<&str> = csv.lines().collect();
    assert_eq!(rows.len(), 6);
    assert!(rows[4].starts_with("4,AAA,buy,entry,rejected,1000,0,"), "{}", rows[4]);
    assert!(
        rows[4].ends_with(&format!("{},default", ",".repeat(14))),
        "no costs for an order never costed: {}",
        rows[4]
    );

    let tmp = tempfile::tempdir().unwrap();
    write_reports(&result, tmp.path()).unwrap();
    let md = read(tmp.path(), "slippage.md");
    assert!(md.contains("5 orders: 3 reached the market and are summed below; 2 never reached the market"));
    let section = &md[md.find("## Orders that never reached the market").unwrap()..];
    assert!(
        section.contains("| 4 | AAA | buy | entry | rejected | 1000 |"),
        "{section}"
    );
    assert!(section.contains("price outside \\| the band"));
    assert!(section.contains("| 5 | AAA | sell | exit | cancelled | 1000 |"));
    assert_eq!(report_json(tmp.path())["slippage"]["orders_excluded"], 2);
}

fn read(dir: &Path, name: &str) -> String {
    std::fs::read_to_string(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn report_json(dir: &Path) -> serde_json::Value {
    serde_json::from_str(&read(dir, "report.json")).unwrap()
}

fn worked_run() -> RunResult {
    let (buy, mut fills) = worked_example(Side::Buy);
    let mut result = three_orders(3_600.0);
    let mut buy = buy;
    buy.id = 10;
    for f in &mut fills {
        f.order_id = 10;
    }
    result.main.orders.push(buy);
    result.main.fills.extend(fills);
    result
}

#[test]
fn write_reports_writes_the_slippage_files_and_the_json_section() {
    let result = worked_run();
    let tmp = tempfile::tempdir().unwrap();
    let written = write_reports(&result, tmp.path()).unwrap();
    for name in [
        "slippage.md",
        "slippage.csv",
        "slippage_hist.svg",
        "slippage_vs_size.svg",
    ] {
        assert!(REPORT_FILES.contains(&name), "{name} is not in REPORT_FILES");
        assert!(written.files.contains(&tmp.path().join(name)), "{name} not written");
        assert!(!read(tmp.path(), name).is_empty(), "{name} is empty");
    }

    let mut reader = csv::Reader::from_path(tmp.path().join("slippage.csv")).unwrap();
    let header: Vec<String> = reader.headers().unwrap().iter().map(str::to_string).collect();
    assert_eq!(header, slippage_header());
    assert_eq!(
        &header[..13],
        [
            "id",
            "symbol",
            "side",
            "reason",
            "status",
            "qty",
            "filled_qty",
            "decision_ts",
            "decision_px",
            "arrival_ts",
            "arrival_px",
            "avg_fill_px",
            "size_pct_of_bar_volume"
        ]
    );
    assert_eq!(
        header[13..20],
        [
            "delay",
            "timing",
            "spread",
            "impact",
            "fees",
            "opportunity",
            "shortfall"
        ]
    );
    assert_eq!(header[26], "shortfall_bps");
    assert_eq!(header[27], "venue");
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 4);
    let worked = &rows[3];
    assert_eq!(&worked[0], "10");
    assert_eq!(&worked[9], "2024-01-02T00:00:00");
    assert_eq!(&worked[10], "101");
    assert_eq!(&worked[11], "101.65");
    assert_eq!(&worked[12], "1");
    let money: Vec<&str> = (13..20).map(|i| &worked[i]).collect();
    assert_eq!(money, ["60", "30", "3", "6", "1", "120", "220"]);
    let bps: Vec<&str> = (20..27).map(|i| &worked[i]).collect();
    assert_eq!(bps, ["60", "30", "3", "6", "1", "120", "220"]);

    let json = report_json(tmp.path());
    let s = &json["slippage"];
    assert_eq!(s["orders"], 4);
    let decimal = |v: &serde_json::Value| -> Decimal { v.as_str().expect("money is a string").parse().unwrap() };
    assert_eq!(decimal(&s["totals"]["cost"]["shortfall"]), dec!(472));
    assert_eq!(decimal(&s["totals"]["decision_notional"]), dec!(35000));
    assert_eq!(decimal(&s["by_symbol"][1]["cost"]["spread"]), dec!(50));
    assert_eq!(s["totals"]["bps"]["opportunity"].as_f64(), Some(120.0 / 35_000.0 * 1e4));
    assert_eq!(s["by_symbol"][0]["group"], "AAA");
    assert_eq!(s["by_side"][1]["group"], "sell");
    assert!(s["by_size"].is_array());
    assert_eq!(s["by_hour"][0]["group"], "00:00");
    assert!(
        s["conventions"]["delay"]
            .as_str()
            .unwrap()
            .contains("arrival_px - decision_px")
    );
    assert!(s["conventions"]["all_cash"].as_str().unwrap().contains("Q = 0"));
    let files: Vec<&str> = json["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap())
        .collect();
    assert!(files.contains(&"slippage.md") && files.contains(&"slippage_vs_size.svg"));

    let md = read(tmp.path(), "slippage.md");
    assert!(md.starts_with("# Slippage report: slippage by hand\n"));
    for section in [
        "## Totals",
        "## By symbol",
        "## By side",
        "## By order size",
        "## By hour of day",
        "## Worst orders",
        "## Orders that never reached the market",
        "## Charts",
        "## Conventions",
    ] {
        assert!(md.contains(section), "slippage.md has no {section}");
    }
    assert!(md.contains("| **Implementation shortfall** | 472.00 |"));
    assert!(md.contains("| Opportunity | 120.00 |"));
    assert!(md.contains("![Distribution of the implementation shortfall per order](slippage_hist.svg)"));
    assert!(md.contains("![Spread and impact against order size](slippage_vs_size.svg)"));
    assert!(md.contains("s * (arrival_px - decision_px) * F"));
    // Largest bps first: order 2 (300 bps), the worked example (220), order 1 (102), order 3 (0).
    let worst = &md[md.find("## Worst orders").unwrap()..md.find("## Orders that never").unwrap()];
    assert!(
        worst.contains("\n| 10 | AAA | buy | entry | cancelled | 100 | 60 | 100 | 101 | 101.65 | 1.0000 | 60.00 |")
    );
    let order_of = |id: &str| worst.find(&format!("\n| {id} |")).unwrap();
    assert!(order_of("2") < order_of("10") && order_of("10") < order_of("1") && order_of("1") < order_of("3"));

    let report_md = read(tmp.path(), "report.md");
    assert!(report_md.contains("[slippage.md](slippage.md)"));
    let costs_section = &report_md[report_md.find("## Costs").unwrap()..report_md.find("## Charts").unwrap()];
    assert!(
        costs_section.contains("[slippage.md](slippage.md)"),
        "the costs section links slippage.md"
    );
    for name in ["slippage.csv", "slippage_hist.svg", "slippage_vs_size.svg"] {
        assert!(
            report_md.contains(&format!("[{name}]({name})")),
            "report.md does not list {name}"
        );
    }

    let hist = read(tmp.path(), "slippage_hist.svg");
    assert!(hist.contains("<svg") && hist.contains("<rect"));
    let scatter = read(tmp.path(), "slippage_vs_size.svg");
    assert!(scatter.contains("<svg") && scatter.contains("<circle"));
    assert!(scatter.contains("log scale"));
}

#[test]
fn writing_twice_gives_identical_bytes() {
    let result = worked_run();
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    write_reports(&result, a.path()).unwrap();
    write_reports(&result, b.path()).unwrap();
    for name in REPORT_FILES {
        let first = std::fs::read(a.path().join(name)).unwrap();
        let second = std::fs::read(b.path().join(name)).unwrap();
        assert!(first == second, "{name} differs between two writes of the same run");
    }
}

#[test]
fn a_run_without_orders_still_writes_the_slippage_report() {
    let result = run(Vec::new(), Vec::new(), 86_400.0);
    let tmp = tempfile::tempdir().unwrap();
    write_reports(&result, tmp.path()).unwrap();
    let md = read(tmp.path(), "slippage.md");
    assert!(md.contains("0 orders: 0 reached the market"));
    assert!(md.contains("No orders reached the market."));
    assert!(read(tmp.path(), "slippage_hist.svg").contains("<svg"));
    assert!(read(tmp.path(), "slippage_vs_size.svg").contains("<svg"));
    let json = report_json(tmp.path());
    assert_eq!(json["slippage"]["totals"]["orders"], 0);
    assert_eq!(json["slippage"]["totals"]["bps"]["shortfall"], 0.0);
    assert_eq!(read(tmp.path(), "slippage.csv").lines().count(), 1);
}
