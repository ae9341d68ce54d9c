//! Conformance of the metrics with the reference formulas (quantstats / empyrical / ffn
//! conventions) on the equity curves of the conformance fixtures: every statistic must
//! agree with the fixture's `reference` block to 1e-9 relative.

use rust_decimal::Decimal;
use slipstream::backtest::result::{EquityPoint, RunOutcome};
use slipstream::model::Timestamp;
use slipstream::report::metrics::{self, SECS_PER_YEAR};
use std::path::PathBuf;

const CASES: [&str; 2] = ["sma_10_30_AAPL_1d_bokeh", "sma_20_50_MSFT_1d_bokeh"];
const PERIODS: f64 = 252.0;
const TOLERANCE: f64 = 1e-9;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo test sets CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/conformance")
        .join(name)
}

struct Curve {
    ts: Vec<Timestamp>,
    /// The equity column as written, for the decimal path through `compute_metrics`.
    text: Vec<String>,
    equity: Vec<f64>,
}

fn load_curve(case: &str) -> Curve {
    let path = fixture(&format!("{case}_equity.csv"));
    let mut reader = csv::Reader::from_path(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert_eq!(reader.headers().unwrap(), vec!["timestamp", "equity"]);
    let mut curve = Curve {
        ts: Vec::new(),
        text: Vec::new(),
        equity: Vec::new(),
    };
    for record in reader.records() {
        let record = record.unwrap();
        curve
            .ts
            .push(Timestamp::parse_iso(&record[0]).unwrap_or_else(|| panic!("bad timestamp {}", &record[0])));
        curve.equity.push(record[1].parse().unwrap());
        curve.text.push(record[1].to_string());
    }
    curve
}

fn load_reference(case: &str) -> serde_json::Value {
    let path = fixture(&format!("{case}_metrics.json"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(json["input"]["periods_per_year"].as_f64(), Some(PERIODS));
    json
}

fn reference(json: &serde_json::Value, key: &str) -> f64 {
    json["reference"][key]
        .as_f64()
        .unwrap_or_else(|| panic!("reference block has no number {key}"))
}

#[track_caller]
fn assert_close(case: &str, what: &str, actual: Option<f64>, expected: f64) {
    let actual = actual.unwrap_or_else(|| panic!("{case}: {what} is None, expected {expected}"));
    let rel = (actual - expected).abs() / expected.abs().max(f64::MIN_POSITIVE);
    assert!(
        rel <= TOLERANCE,
        "{case}: {what} = {actual:.17}, reference {expected:.17} (relative error {rel:.3e})"
    );
}

#[test]
fn every_statistic_matches_the_reference_block() {
    for case in CASES {
        let curve = load_curve(case);
        let json = load_reference(case);
        let r = metrics::returns(&curve.equity);
        assert_eq!(r.len() as f64, reference(&json, "n_returns"), "{case}: N");
        assert_eq!(
            curve.equity.len() as f64,
            json["input"]["n_equity_points"].as_f64().unwrap()
        );

        assert_close(
            case,
            "mean",
            metrics::mean(&r),
            reference(&json, "mean_excess_per_period"),
        );
        assert_close(
            case,
            "std ddof 1",
            metrics::std_dev(&r, 1),
            reference(&json, "std_ddof1_per_period"),
        );
        assert_close(
            case,
            "std ddof 0",
            metrics::std_dev(&r, 0),
            reference(&json, "std_ddof0_per_period"),
        );
        assert_close(
            case,
            "downside deviation",
            metrics::downside_deviation(&r),
            reference(&json, "downside_dev_per_period(rms of min(r-rf,0) over all N)"),
        );
        assert_close(
            case,
            "sharpe",
            metrics::sharpe(&r, PERIODS),
            reference(&json, "sharpe_ddof1"),
        );
        assert_close(
            case,
            "sortino",
            metrics::sortino(&r, PERIODS),
            reference(&json, "sortino"),
        );
        assert_close(
            case,
            "volatility",
            metrics::volatility_ann(&r, PERIODS),
            reference(&json, "volatility_ann_ddof1"),
        );
        let mdd = metrics::max_drawdown(&curve.equity);
        assert_close(case, "max drawdown", Some(mdd), reference(&json, "max_drawdown"));
        assert_close(
            case,
            "total return",
            metrics::total_return(&curve.equity),
            reference(&json, "total_return"),
        );
        let cagr = metrics::cagr_by_count(&curve.equity, PERIODS);
        assert_close(
            case,
            "cagr by count",
            cagr,
            reference(&json, "cagr_by_count(n/periods years)"),
        );
        let secs = curve.ts.last().unwrap().secs_since(curve.ts[0]);
        let (first, last) = (curve.equity[0], *curve.equity.last().unwrap());
        assert_close(
            case,
            "cagr by calendar",
            metrics::cagr_by_calendar(first, last, secs),
            reference(&json, "cagr_by_calendar(365.25d years)"),
        );
        assert_close(
            case,
            "calmar",
            metrics::calmar(cagr, mdd),
            reference(&json, "calmar_by_count"),
        );
    }
}

#[test]
fn the_libraries_agree_where_their_conventions_match_ours() {
    for case in CASES {
        let curve = load_curve(case);
        let json = load_reference(case);
        let r = metrics::returns(&curve.equity);
        let mdd = metrics::max_drawdown(&curve.equity);
        let qs = &json["quantstats"];
        let num = |v: &serde_json::Value| v.as_f64().unwrap();
        assert_close(
            case,
            "quantstats sharpe",
            metrics::sharpe(&r, PERIODS),
            num(&qs["sharpe"]),
        );
        assert_close(
            case,
            "quantstats sortino",
            metrics::sortino(&r, PERIODS),
            num(&qs["sortino"]),
        );
        assert_close(
            case,
            "quantstats calmar",
            metrics::calmar(metrics::cagr_by_count(&curve.equity, PERIODS), mdd),
            num(&qs["calmar"]),
        );
        let ep = &json["empyrical"];
        assert_close(
            case,
            "empyrical volatility",
            metrics::volatility_ann(&r, PERIODS),
            num(&ep["annual_volatility"]),
        );
        assert_close(case, "empyrical max drawdown", Some(mdd), num(&ep["max_drawdown"]));
        // ffn's Calmar uses the calendar CAGR.
        let secs = curve.ts.last().unwrap().secs_since(curve.ts[0]);
        let cagr_cal = metrics::cagr_by_calendar(curve.equity[0], *curve.equity.last().unwrap(), secs);
        assert_close(
            case,
            "ffn calmar",
            metrics::calmar(cagr_cal, mdd),
            num(&json["ffn"]["calmar"]),
        );
        assert!(
            (secs / SECS_PER_YEAR - 13.0).abs() < 0.01,
            "{case}: the fixtures span 13 years"
        );
    }
}

#[test]
fn compute_metrics_on_the_decimal_curve_matches_too() {
    for case in CASES {
        let curve = load_curve(case);
        let json = load_reference(case);
        let equity: Vec<EquityPoint> = curve
            .ts
            .iter()
            .zip(&curve.text)
            .map(|(ts, text)| {
                let equity: Decimal = text.parse().unwrap();
                EquityPoint {
                    ts: *ts,
                    cash: equity,
                    gross_exposure: Decimal::ZERO,
                    equity,
                }
            })
            .collect();
        let outcome = RunOutcome {
            risk: Default::default(),
            execution: Default::default(),
            routes: Default::default(),
            sizing: Vec::new(),
            strategy: "sma_cross".to_string(),
            equity,
            orders: Vec::new(),
            fills: Vec::new(),
            trades: Vec::new(),
            bars_in_market: 0,
            notes: Vec::new(),
        };
        let m = metrics::compute_metrics(&outcome, Decimal::new(100_000, 0), PERIODS);
        assert_eq!(m.n_returns as f64, reference(&json, "n_returns"));
        assert_close(case, "sharpe", m.sharpe, reference(&json, "sharpe_ddof1"));
        assert_close(case, "sortino", m.sortino, reference(&json, "sortino"));
        assert_close(
            case,
            "volatility",
            m.volatility_ann,
            reference(&json, "volatility_ann_ddof1"),
        );
        assert_close(
            case,
            "max drawdown",
            Some(m.max_drawdown),
            reference(&json, "max_drawdown"),
        );
        assert_close(case, "total return", m.total_return, reference(&json, "total_return"));
        assert_close(
            case,
            "cagr by count",
            m.cagr_by_count,
            reference(&json, "cagr_by_count(n/periods years)"),
        );
        assert_close(
            case,
            "cagr by calendar",
            m.cagr_by_calendar,
            reference(&json, "cagr_by_calendar(365.25d years)"),
        );
        assert_close(case, "calmar", m.calmar, reference(&json, "calmar_by_count"));
        assert!(m.max_drawdown_duration_bars > 0 && m.max_drawdown_duration_days > 0.0);
        assert_eq!((m.trades_closed, m.win_rate, m.fills), (0, None, 0));
    }
}
