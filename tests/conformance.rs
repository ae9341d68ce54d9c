//! Conformance: slipstream reproduces reference runs of an established backtester
//! (backtesting.py 0.6.6) trade by trade, and the metrics that quantstats, empyrical and
//! ffn compute for them. Fixtures: tests/fixtures/conformance (see its README.md).
//!
//! Convention of the reference: SMA crossover on closes, long only, market orders decided
//! on bar t's close filled at bar t+1's open, all available cash in whole units, no
//! costs, the open position at the end not closed but marked at the last close.

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde::Deserialize;
use slipstream::backtest::Simulation;
use slipstream::data::load_bars;
use slipstream::model::{Calendar, Instrument, Side, Timestamp};
use slipstream::report::compute_metrics;
use slipstream::scenario::{ColumnMap, DataFormat, DataSource, SizingConfig, SmaMode, VenueConfig};
use slipstream::strategy::SmaCross;
use std::path::{Path, PathBuf};
use std::str::FromStr;

#[derive(Deserialize)]
struct Case {
    data: String,
    fast: usize,
    slow: usize,
    cash: f64,
    final_equity: f64,
    closed_trades: usize,
    trades: Vec<RefTrade>,
}

#[derive(Deserialize)]
struct RefTrade {
    size: i64,
    entry_time: String,
    entry_price: f64,
    exit_time: String,
    exit_price: f64,
    pnl: f64,
}

fn root() -> PathBuf {
    PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo test sets CARGO_MANIFEST_DIR"))
}

fn fixture(name: &str) -> PathBuf {
    root().join("tests/fixtures/conformance").join(name)
}

fn read_json(path: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap()
}

fn dec(x: f64) -> Decimal {
    Decimal::from_str(&x.to_string()).unwrap()
}

fn assert_rel(name: &str, got: f64, want: f64, tol: f64) {
    let scale = want.abs().max(1e-300);
    assert!(
        (got - want).abs() / scale <= tol,
        "{name}: got {got:.17}, reference {want:.17}"
    );
}

fn run_case(case_name: &str) {
    let case: Case = serde_json::from_value(read_json(&fixture(&format!("{case_name}.json")))).unwrap();
    let source = DataSource {
        path: root().join("data").join(&case.data),
        format: DataFormat::Csv,
        columns: ColumnMap::default(),
        timestamp_format: None,
    };
    let bars = load_bars(&source, None, None, Calendar::Equity).unwrap().bars;
    let instruments = vec![Instrument::equity("X")];
    let venue = VenueConfig::default();
    let cash = dec(case.cash);
    let simulation = Simulation {
        risk: &Default::default(),
        execution: Default::default(),
        spreads: &[],
        venues: &[],
        instruments: &instruments,
        bars: std::slice::from_ref(&bars),
        venue: &venue,
        sizing: SizingConfig::AllCash,
        periods_per_year: 252.0,
        cash,
        seed: 0,
    };
    let strategy = SmaCross::new(case.fast, case.slow, SmaMode::LongOnly, 1);
    let (outcome, skipped) = simulation.run("sma_cross", Box::new(strategy)).unwrap();
    assert!(skipped.is_empty());

    // Trades, one by one.
    let closed: Vec<_> = outcome.trades.iter().filter(|t| !t.is_open()).collect();
    assert_eq!(case.trades.len(), case.closed_trades);
    for (i, (got, want)) in closed.iter().zip(&case.trades).enumerate() {
        let at = format!("{case_name} trade {i}");
        assert_eq!(got.side, Side::Buy, "{at}");
        assert_eq!(got.qty, Decimal::from(want.size), "{at}: size");
        assert_eq!(
            got.entry_ts,
            Timestamp::parse_iso(&want.entry_time).unwrap(),
            "{at}: entry time"
        );
        assert_eq!(
            got.exit_ts,
            Some(Timestamp::parse_iso(&want.exit_time).unwrap()),
            "{at}: exit time"
        );
        assert_eq!(got.entry_px, dec(want.entry_price), "{at}: entry price");
        assert_eq!(got.exit_px, Some(dec(want.exit_price)), "{at}: exit price");
        assert!(
            (got.pnl.to_f64().unwrap() - want.pnl).abs() < 1e-6,
            "{at}: pnl {} vs {}",
            got.pnl,
            want.pnl
        );
    }
    assert_eq!(closed.len(), case.closed_trades, "{case_name}: closed trades");

    // Final equity to the cent.
    let final_equity = outcome.equity.last().unwrap().equity.to_f64().unwrap();
    assert!(
        (final_equity - case.final_equity).abs() <= 0.01,
        "{case_name}: final equity {final_equity} vs {}",
        case.final_equity
    );

    // The whole equity curve, bar by bar.
    let reference_curve = std::fs::read_to_string(fixture(&format!("{case_name}_equity.csv"))).unwrap();
    let reference_curve: Vec<(Timestamp, f64)> = reference_curve
        .lines()
        .skip(1)
        .map(|l| {
            let (ts, eq) = l.split_once(',').unwrap();
            (Timestamp::parse_iso(ts).unwrap(), eq.parse().unwrap())
        })
        .collect();
    assert_eq!(
        outcome.equity.len(),
        reference_curve.len(),
        "{case_name}: equity points"
    );
    for (got, (ts, eq)) in outcome.equity.iter().zip(&reference_curve) {
        assert_eq!(got.ts, *ts);
        assert!(
            (got.equity.to_f64().unwrap() - eq).abs() <= 0.01,
            "{case_name} equity at {ts}: {} vs {eq}",
            got.equity
        );
    }

    // Metrics against the reference formulas (quantstats / empyrical conventions).
    let metrics_ref = read_json(&fixture(&format!("{case_name}_metrics.json")));
    let reference = &metrics_ref["reference"];
    let periods = metrics_ref["input"]["periods_per_year"].as_f64().unwrap();
    let m = compute_metrics(&outcome, cash, periods);
    let want = |key: &str| reference[key].as_f64().unwrap_or_else(|| panic!("no {key}"));
    assert_eq!(m.n_returns as f64, want("n_returns"));
    assert_rel("sharpe", m.sharpe.unwrap(), want("sharpe_ddof1"), 1e-9);
    assert_rel("sortino", m.sortino.unwrap(), want("sortino"), 1e-9);
    assert_rel(
        "volatility",
        m.volatility_ann.unwrap(),
        want("volatility_ann_ddof1"),
        1e-9,
    );
    assert_rel("max_drawdown", m.max_drawdown, want("max_drawdown"), 1e-9);
    assert_rel("total_return", m.total_return.unwrap(), want("total_return"), 1e-9);
    assert_rel(
        "cagr_by_count",
        m.cagr_by_count.unwrap(),
        want("cagr_by_count(n/periods years)"),
        1e-9,
    );
    assert_rel(
        "cagr_by_calendar",
        m.cagr_by_calendar.unwrap(),
        want("cagr_by_calendar(365.25d years)"),
        1e-9,
    );
    assert_rel("calmar", m.calmar.unwrap(), want("calmar_by_count"), 1e-9);
    assert_eq!(m.trades_closed, case.closed_trades);
}

#[test]
fn sma_10_30_aapl_matches_reference_trade_by_trade() {
    run_case("sma_10_30_AAPL_1d_bokeh");
}

#[test]
fn sma_20_50_msft_matches_reference_trade_by_trade() {
    run_case("sma_20_50_MSFT_1d_bokeh");
}

/// Every case shipped in the fixtures folder has a test above.
#[test]
fn every_fixture_case_is_covered() {
    let mut cases: Vec<String> = std::fs::read_dir(root().join("tests/fixtures/conformance"))
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.ends_with(".json") && !n.ends_with("_metrics.json"))
        .collect();
    cases.sort();
    assert_eq!(cases, ["sma_10_30_AAPL_1d_bokeh.json", "sma_20_50_MSFT_1d_bokeh.json"]);
}
