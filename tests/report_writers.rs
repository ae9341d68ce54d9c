//! The report writers on a small hand-built run: every file is written, the CSVs have the
//! documented headers and one row per item, report.json carries the metrics and
//! conventions, the look-ahead warning shows only for same-close fills, and writing twice
//! gives the same bytes.

use rust_decimal::{Decimal, dec};
use slipstream::backtest::result::{DataFileInfo, EquityPoint, RunOutcome, RunResult, Trade};
use slipstream::model::time::NANOS_PER_DAY;
use slipstream::model::{
    Fill, Instrument, Liquidity, Order, OrderKind, OrderQty, OrderStatus, Side, TimeInForce, Timestamp,
};
use slipstream::report::{self, REPORT_FILES, compute_metrics, summary_text, write_reports};
use slipstream::scenario::{
    ColumnMap, CommissionConfig, DataFormat, DataSource, FillTiming, InstrumentConfig, IntrabarPath, Scenario,
    SizingConfig, SlippageConfig, SmaMode, Spread, StrategyConfig, VenueConfig,
};
use std::path::{Path, PathBuf};

/// 2024-01-01 plus `d` days.
fn day(d: i64) -> Timestamp {
    Timestamp(19_723 * NANOS_PER_DAY + d * NANOS_PER_DAY)
}

fn scenario(fill_timing: FillTiming) -> Scenario {
    Scenario {
        execution: Default::default(),
        venues: Vec::new(),
        risk: Default::default(),
        name: "hand built | test".to_string(),
        description: Some("A tiny run built by hand.".to_string()),
        cash: dec!(10000),
        currency: "USD".to_string(),
        seed: 7,
        periods_per_year: None,
        start: None,
        end: None,
        output_dir: PathBuf::from("reports/hand"),
        benchmark: true,
        instruments: vec![InstrumentConfig {
            instrument: Instrument::equity("AAPL"),
            data: DataSource {
                path: PathBuf::from("data/AAPL.csv"),
                format: DataFormat::Csv,
                columns: ColumnMap::default(),
                timestamp_format: None,
            },
        }],
        strategy: StrategyConfig::SmaCross {
            fast: 2,
            slow: 3,
            mode: SmaMode::LongOnly,
        },
        sizing: SizingConfig::AllCash,
        venue: VenueConfig {
            fill_timing,
            intrabar_path: IntrabarPath::OpenHighLowClose,
            slippage: SlippageConfig::FixedBps {
                bps: dec!(5),
                spread: Spread::ZERO,
            },
            commission: CommissionConfig::PerShare {
                per_share: dec!(0.01),
                min_per_order: dec!(1),
            },
            ..VenueConfig::default()
        },
        source_dir: std::path::PathBuf::new(),
    }
}

fn point(d: i64, cash: Decimal, positions: Decimal) -> EquityPoint {
    EquityPoint {
        ts: day(d),
        cash,
        gross_exposure: positions.abs(),
        equity: cash + positions,
    }
}

#[allow(clippy::too_many_arguments)]
fn order(
    id: u64,
    side: Side,
    kind: OrderKind,
    qty: OrderQty,
    status: OrderStatus,
    d: i64,
    filled: Decimal,
    avg: Decimal,
) -> Order {
    Order {
        id,
        symbol: 0,
        side,
        kind,
        qty,
        tif: TimeInForce::Gtc,
        status,
        decision_ts: day(d),
        decision_px: dec!(100),
        filled_qty: filled,
        avg_fill_px: avg,
        last_update_ts: day(d + 1),
        arrival_ts: Some(day(d + 1)),
        arrival_px: None,
        arrival_volume: None,
        end_px: None,
        oco: None,
        reason: if side == Side::Buy { "entry" } else { "exit" },
        note: (status == OrderStatus::Cancelled).then(|| "not enough cash, \"really\"".to_string()),
    }
}

fn fill(order_id: u64, side: Side, d: i64, qty: Decimal, before: Decimal, px: Decimal, fee: Decimal) -> Fill {
    Fill {
        venue: 0,
        order_id,
        symbol: 0,
        side,
        ts: day(d),
        qty,
        px,
        px_before_slippage: before,
        spread_per_unit: Decimal::ZERO,
        fee,
        liquidity: Liquidity::Taker,
    }
}

fn main_outcome() -> RunOutcome {
    RunOutcome {
        risk: Default::default(),
        execution: Default::default(),
        routes: Default::default(),
        sizing: Vec::new(),
        strategy: "sma_cross".to_string(),
        equity: vec![
            point(0, dec!(10000), dec!(0)),
            point(1, dec!(4997.95), dec!(5000)),
            point(2, dec!(4997.95), dec!(5200)),
            point(3, dec!(10095.65), dec!(0)),
            point(4, dec!(5093.10), dec!(4900)),
            point(5, dec!(5093.10), dec!(4950)),
        ],
        orders: vec![
            order(
                1,
                Side::Buy,
                OrderKind::Market,
                OrderQty::AllCash,
                OrderStatus::Filled,
                0,
                dec!(50),
                dec!(100.05),
            ),
            order(
                2,
                Side::Sell,
                OrderKind::Market,
                OrderQty::Units(dec!(50)),
                OrderStatus::Filled,
                2,
                dec!(50),
                dec!(101.95),
            ),
            order(
                3,
                Side::Buy,
                OrderKind::Market,
                OrderQty::AllCash,
                OrderStatus::Cancelled,
                2,
                dec!(0),
                dec!(0),
            ),
            order(
                4,
                Side::Buy,
                OrderKind::Market,
                OrderQty::Units(dec!(50)),
                OrderStatus::Filled,
                3,
                dec!(50),
                dec!(100.05),
            ),
            order(
                5,
                Side::Sell,
                OrderKind::Limit { limit_px: dec!(120.50) },
                OrderQty::Units(dec!(50)),
                OrderStatus::Expired,
                4,
                dec!(0),
                dec!(0),
            ),
        ],
        fills: vec![
            fill(1, Side::Buy, 1, dec!(50), dec!(100.00), dec!(100.05), dec!(1)),
            fill(2, Side::Sell, 3, dec!(50), dec!(102.00), dec!(101.95), dec!(1)),
            fill(4, Side::Buy, 4, dec!(50), dec!(100.00), dec!(100.05), dec!(1)),
        ],
        trades: vec![
            Trade {
                symbol: 0,
                side: Side::Buy,
                qty: dec!(50),
                entry_ts: day(1),
                entry_px: dec!(100.05),
                exit_ts: Some(day(3)),
                exit_px: Some(dec!(101.95)),
                pnl: dec!(95.00),
                fees: dec!(2),
                bars_held: 2,
            },
            Trade {
                symbol: 0,
                side: Side::Buy,
                qty: dec!(50),
                entry_ts: day(4),
                entry_px: dec!(100.05),
                exit_ts: None,
                exit_px: None,
                pnl: dec!(-52.50),
                fees: dec!(1),
                bars_held: 2,
            },
        ],
        bars_in_market: 4,
        notes: Vec::new(),
    }
}

fn benchmark_outcome() -> RunOutcome {
    let closes = [dec!(100), dec!(100), dec!(104), dec!(102), dec!(98), dec!(99)];
    RunOutcome {
        risk: Default::default(),
        execution: Default::default(),
        routes: Default::default(),
        sizing: Vec::new(),
        strategy: "buy_and_hold".to_string(),
        equity: closes
            .iter()
            .enumerate()
            .map(|(d, c)| point(d as i64, dec!(0), *c * dec!(100)))
            .collect(),
        orders: Vec::new(),
        fills: Vec::new(),
        trades: Vec::new(),
        bars_in_market: 6,
        notes: Vec::new(),
    }
}

fn run(fill_timing: FillTiming, with_benchmark: bool) -> RunResult {
    RunResult {
        scenario: scenario(fill_timing),
        instruments: vec![Instrument::equity("AAPL")],
        periods_per_year: 252.0,
        periods_per_year_source: "calendar",
        data_files: vec![DataFileInfo {
            symbol: "AAPL".to_string(),
            path: PathBuf::from("data/AAPL.csv"),
            sha256: "ab".repeat(32),
            bars: 6,
            first_ts: Some(day(0)),
            last_ts: Some(day(5)),
            bar_interval_secs: 86_400.0,
            gaps: 0,
        }],
        main: main_outcome(),
        benchmark: with_benchmark.then(benchmark_outcome),
        warnings: vec!["a warning the run produced".to_string()],
    }
}

fn read(dir: &Path, name: &str) -> String {
    std::fs::read_to_string(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn csv_table(dir: &Path, name: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let mut reader = csv::Reader::from_path(dir.join(name)).unwrap();
    let header = reader.headers().unwrap().iter().map(str::to_string).collect();
    let rows = reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect();
    (header, rows)
}

fn write(result: &RunResult) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("nested").join("report");
    let files = write_reports(result, &out).unwrap();
    assert_eq!(files.dir, out);
    (tmp, out)
}

#[test]
fn writes_every_file() {
    let (_tmp, out) = write(&run(FillTiming::NextOpen, true));
    for name in REPORT_FILES {
        let meta = std::fs::metadata(out.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(meta.len() > 0, "{name} is empty");
    }
    let files = write_reports(&run(FillTiming::NextOpen, true), &out).unwrap();
    let names: Vec<String> = files
        .files
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, REPORT_FILES);
    assert!(files.files.iter().all(|p| p.starts_with(&out)));
}

#[test]
fn csv_headers_and_rows() {
    let (_tmp, out) = write(&run(FillTiming::NextOpen, true));

    let (header, rows) = csv_table(&out, "trades.csv");
    assert_eq!(
        header,
        [
            "symbol",
            "side",
            "qty",
            "entry_ts",
            "entry_px",
            "exit_ts",
            "exit_px",
            "pnl",
            "fees",
            "net_pnl",
            "return_pct",
            "bars_held",
            "status"
        ]
    );
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0][0], "AAPL");
    assert_eq!(rows[0][1], "long");
    assert_eq!(rows[0][3], "2024-01-02T00:00:00");
    assert_eq!(rows[0][7], "95", "decimals without trailing zeros");
    assert_eq!(rows[0][9], "93");
    let ret: f64 = rows[0][10].parse().unwrap();
    assert!((ret - 93.0 / 5002.5 * 100.0).abs() < 1e-9);
    assert_eq!(rows[0][12], "closed");
    assert_eq!(
        (rows[1][5].as_str(), rows[1][6].as_str(), rows[1][12].as_str()),
        ("", "", "open")
    );

    let (header, rows) = csv_table(&out, "orders.csv");
    assert_eq!(
        &header[..15],
        [
            "id",
            "symbol",
            "side",
            "type",
            "qty",
            "limit_px",
            "stop_px",
            "tif",
            "status",
            "decision_ts",
            "decision_px",
            "filled_qty",
            "avg_fill_px",
            "reason",
            "note"
        ]
    );
    assert_eq!(rows.len(), 5);
    assert_eq!(rows[0][4], "50", "a filled all-cash order shows its filled quantity");
    assert_eq!(rows[2][4], "all_cash", "an unfilled all-cash order says so");
    assert_eq!(rows[2][8], "cancelled");
    assert_eq!(rows[2][12], "", "no average price before a fill");
    assert_eq!(rows[2][14], "not enough cash, \"really\"", "notes survive quoting");
    assert_eq!(
        (rows[4][3].as_str(), rows[4][5].as_str(), rows[4][7].as_str()),
        ("limit", "120.5", "GTC")
    );

    let (header, rows) = csv_table(&out, "fills.csv");
    assert_eq!(
        header,
        [
            "order_id",
            "symbol",
            "side",
            "ts",
            "qty",
            "px_before_slippage",
            "slippage_per_unit",
            "px",
            "slippage_cost",
            "fee",
            "notional",
            "liquidity",
            "venue"
        ]
    );
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[0][12], "default", "a run with one venue names it `default`");
    assert_eq!(rows[1][2], "sell");
    assert_eq!(
        (rows[1][6].as_str(), rows[1][8].as_str(), rows[1][10].as_str()),
        ("0.05", "2.5", "5097.5")
    );
    assert_eq!(rows[1][11], "taker");

    let (header, rows) = csv_table(&out, "equity.csv");
    assert_eq!(
        header,
        [
            "ts",
            "cash",
            "positions_value",
            "gross_exposure",
            "equity",
            "drawdown",
            "benchmark_equity"
        ]
    );
    assert_eq!(rows.len(), 6);
    assert_eq!(rows[0][4], "10000");
    assert_eq!(rows[0][5], "0");
    assert_eq!(rows[2][6], "10400");
    let dd: f64 = rows[5][5].parse().unwrap();
    assert!((dd - (10043.10 / 10197.95 - 1.0)).abs() < 1e-12);
}

#[test]
fn equity_csv_without_benchmark_has_no_benchmark_column() {
    let (_tmp, out) = write(&run(FillTiming::NextOpen, false));
    let (header, rows) = csv_table(&out, "equity.csv");
    assert_eq!(header.len(), 6);
    assert!(!header.contains(&"benchmark_equity".to_string()));
    assert_eq!(rows.len(), 6);
    let json: serde_json::Value = serde_json::from_str(&read(&out, "report.json")).unwrap();
    assert!(json["benchmark_metrics"].is_null());
    let md = read(&out, "report.md");
    assert!(md.contains("| Metric | Strategy |\n") && !md.contains("| Metric | Strategy | Benchmark |"));
}

#[test]
fn report_json_has_metrics_conventions_and_provenance() {
    let result = run(FillTiming::NextOpen, true);
    let (_tmp, out) = write(&result);
    let text = read(&out, "report.json");
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    let keys: Vec<&str> = json.as_object().unwrap().keys().map(String::as_str).collect();
    for key in [
        "slipstream_version",
        "conventions",
        "scenario",
        "data_files",
        "periods_per_year",
        "periods_per_year_source",
        "metrics",
        "benchmark_metrics",
        "warnings",
    ] {
        assert!(keys.contains(&key), "report.json has no {key}");
    }
    let pos = |k: &str| {
        text.find(&format!("\n  \"{k}\""))
            .unwrap_or_else(|| panic!("{k} not at top level"))
    };
    assert!(pos("slipstream_version") < pos("conventions") && pos("conventions") < pos("scenario"));
    assert!(pos("metrics") < pos("benchmark_metrics") && pos("benchmark_metrics") < pos("warnings"));
    assert_eq!(json["slipstream_version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(json["periods_per_year"], 252.0);
    assert_eq!(json["periods_per_year_source"], "calendar");

    let c = &json["conventions"];
    assert_eq!(c["fill_timing"], "next_open");
    assert_eq!(c["look_ahead"], false);
    assert_eq!(c["risk_free_rate"], 0.0);
    assert!(c["sharpe"].as_str().unwrap().contains("ddof=1"));
    assert!(c["slippage"].as_str().unwrap().contains("5 bps"));
    assert!(c["commission"].as_str().unwrap().contains("0.01 per share"));

    let m = &json["metrics"];
    let expected = compute_metrics(&result.main, result.scenario.cash, 252.0);
    assert_eq!(m["strategy"], "sma_cross");
    assert_eq!(m["trades_closed"], 1);
    assert_eq!(m["trades_open"], 1);
    assert_eq!(m["fills"], 3);
    assert_eq!(m["orders_by_status"]["filled"], 3);
    assert_eq!(m["orders_by_status"]["cancelled"], 1);
    assert_eq!(m["orders_by_status"]["expired"], 1);
    assert_eq!(m["fees_total"], "3");
    assert_eq!(m["slippage_cost_total"], "7.50");
    assert_eq!(m["n_returns"], 5);
    assert_eq!(m["sharpe"].as_f64(), expected.sharpe);
    assert_eq!(m["max_drawdown"].as_f64(), Some(expected.max_drawdown));
    assert_eq!(m["exposure"].as_f64(), Some(4.0 / 6.0));
    assert!(
        m["profit_factor"].is_null(),
        "no losing closed trade: undefined, not infinite"
    );
    assert_eq!(json["benchmark_metrics"]["strategy"], "buy_and_hold");
    assert!(json["benchmark_metrics"]["sharpe"].is_number());

    assert_eq!(json["data_files"][0]["sha256"], "ab".repeat(32));
    assert_eq!(json["data_files"][0]["path"], "data/AAPL.csv");
    assert_eq!(json["scenario"]["name"], "hand built | test");
    assert_eq!(json["scenario"]["instruments"][0]["data"]["path"], "data/AAPL.csv");
    assert_eq!(json["warnings"][0], "a warning the run produced");
    assert!(!text.contains("NaN") && !text.contains("inf"));
}

#[test]
fn report_md_has_every_section_and_embeds_the_charts() {
    let (_tmp, out) = write(&run(FillTiming::NextOpen, true));
    let md = read(&out, "report.md");
    assert!(md.starts_with("# Backtest report: hand built | test\n"));
    assert!(md.contains("A tiny run built by hand."));
    for section in [
        "## Performance",
        "## Trades",
        "## Costs",
        "## Charts",
        "## Conventions",
        "## Data provenance",
        "## Warnings",
        "## Files",
    ] {
        assert!(md.contains(section), "report.md has no {section}");
    }
    assert!(md.contains("| Metric | Strategy | Benchmark |"));
    assert!(md.contains("![Equity over time](equity.svg)"));
    assert!(md.contains("![Drawdown over time](drawdown.svg)"));
    for csv in ["trades.csv", "orders.csv", "fills.csv", "equity.csv", "report.json"] {
        assert!(md.contains(&format!("[{csv}]({csv})")), "report.md does not link {csv}");
    }
    assert!(md.contains("P = 252 periods per year"));
    assert!(md.contains("bar t+1's open"));
    assert!(md.contains("mean(r) / std(r, ddof=1) * sqrt(P)"));
    assert!(md.contains(&"ab".repeat(32)));
    assert!(md.contains("| AAPL | `data/AAPL.csv` |"));
    assert!(md.contains("- a warning the run produced"));
    assert!(md.contains("| Fees (USD) | 3.00 | 0.00 |"));
}

#[test]
fn look_ahead_warning_only_for_same_close() {
    let marker = "WARNING: fill timing is `same_close`";
    let (_tmp, out) = write(&run(FillTiming::NextOpen, true));
    assert!(!read(&out, "report.md").contains(marker));
    assert!(
        !read(&out, "report.md")
            .to_lowercase()
            .contains("looks ahead and usually flatters")
    );

    let result = run(FillTiming::SameClose, true);
    let (_tmp2, out) = write(&result);
    let md = read(&out, "report.md");
    let first_section = md.find("\n## ").unwrap();
    let warning = md.find(marker).expect("same-close report has the warning");
    assert!(warning < first_section, "the warning comes before the first section");
    let json: serde_json::Value = serde_json::from_str(&read(&out, "report.json")).unwrap();
    assert_eq!(json["conventions"]["look_ahead"], true);
    assert_eq!(json["conventions"]["fill_timing"], "same_close");

    let (main, _) = report::run_metrics(&result);
    assert!(summary_text(&result, &main).contains("WARNING"));
    let next_open = run(FillTiming::NextOpen, true);
    assert!(!summary_text(&next_open, &main).contains("WARNING"));
}

#[test]
fn writing_twice_gives_identical_bytes() {
    let result = run(FillTiming::NextOpen, true);
    let (_a, first) = write(&result);
    let (_b, second) = write(&result);
    for name in REPORT_FILES {
        let a = std::fs::read(first.join(name)).unwrap();
        let b = std::fs::read(second.join(name)).unwrap();
        assert!(a == b, "{name} differs between two writes of the same run");
    }
}

#[test]
fn charts_are_svg_with_titles_and_date_ticks() {
    let (_tmp, out) = write(&run(FillTiming::NextOpen, true));
    let equity = read(&out, "equity.svg");
    assert!(equity.contains("<svg"));
    assert!(equity.contains("width=\"1000\"") && equity.contains("height=\"500\""));
    assert!(equity.contains("Equity: hand built | test"));
    assert!(equity.contains("2024-01-0"), "x ticks are dates");
    assert!(equity.contains("strategy (sma_cross)") && equity.contains("benchmark (buy_and_hold)"));
    let drawdown = read(&out, "drawdown.svg");
    assert!(drawdown.contains("<svg") && drawdown.contains("Drawdown"));
    assert!(
        drawdown.contains("<polygon") || drawdown.contains("<path"),
        "the drawdown is a filled area"
    );
}

#[test]
fn summary_has_the_headline_numbers() {
    let result = run(FillTiming::NextOpen, true);
    let (main, _) = report::run_metrics(&result);
    let text = summary_text(&result, &main);
    assert!(text.starts_with("hand built | test (sma_cross)\n"));
    assert!(text.contains("Final equity   10043.10 USD (start 10000.00)"), "{text}");
    assert!(text.contains("Total return   0.43%"), "{text}");
    assert!(text.contains("Sharpe"));
    assert!(
        text.contains("Max drawdown   -2.01% (longest 3 bars, 3.0 days)"),
        "{text}"
    );
    assert!(text.contains("1 closed, 1 open, win rate 100.00%"), "{text}");
    assert!(text.contains("Fees           3.00 USD"), "{text}");
    assert!(text.contains("Slippage cost  7.50 USD"), "{text}");
    assert!(text.contains("Benchmark"));
    assert!(text.contains("1 warning (see report.md)"));
}

#[test]
fn an_empty_run_still_writes_a_report() {
    let mut result = run(FillTiming::NextOpen, false);
    result.main = RunOutcome {
        risk: Default::default(),
        execution: Default::default(),
        routes: Default::default(),
        sizing: Vec::new(),
        strategy: "sma_cross".to_string(),
        equity: Vec::new(),
        orders: Vec::new(),
        fills: Vec::new(),
        trades: Vec::new(),
        bars_in_market: 0,
        notes: Vec::new(),
    };
    result.data_files.clear();
    result.warnings.clear();
    let (_tmp, out) = write(&result);
    let json: serde_json::Value = serde_json::from_str(&read(&out, "report.json")).unwrap();
    assert!(json["metrics"]["sharpe"].is_null());
    assert!(json["metrics"]["total_return"].is_null());
    assert_eq!(json["metrics"]["final_equity"], "10000");
    assert_eq!(csv_table(&out, "equity.csv").1.len(), 0);
    assert!(read(&out, "equity.svg").contains("<svg"));
}

#[test]
fn an_unwritable_folder_is_named_in_the_error() {
    let tmp = tempfile::tempdir().unwrap();
    let blocker = tmp.path().join("blocker");
    std::fs::write(&blocker, "a file, not a folder").unwrap();
    let target = blocker.join("report");
    let err = write_reports(&run(FillTiming::NextOpen, true), &target).unwrap_err();
    assert_eq!(err.path, target);
    assert!(err.to_string().contains(&target.display().to_string()), "{err}");
}

/// A conformance fixture's equity curve (3,270 daily points) as an outcome.
fn fixture_outcome(case: &str, strategy: &str) -> RunOutcome {
    let path = Path::new(&std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo test sets CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/conformance")
        .join(format!("{case}_equity.csv"));
    let mut reader = csv::Reader::from_path(&path).unwrap();
    let equity = reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            let equity: Decimal = r[1].parse().unwrap();
            let ts = Timestamp::parse_iso(&r[0]).unwrap();
            EquityPoint {
                ts,
                cash: equity,
                gross_exposure: Decimal::ZERO,
                equity,
            }
        })
        .collect();
    RunOutcome {
        risk: Default::default(),
        execution: Default::default(),
        routes: Default::default(),
        sizing: Vec::new(),
        strategy: strategy.to_string(),
        equity,
        orders: Vec::new(),
        fills: Vec::new(),
        trades: Vec::new(),
        bars_in_market: 0,
        notes: Vec::new(),
    }
}

#[test]
fn a_long_curve_gives_readable_charts_and_full_tables() {
    let mut result = run(FillTiming::NextOpen, true);
    result.scenario.cash = dec!(100000);
    result.main = fixture_outcome("sma_10_30_AAPL_1d_bokeh", "sma_cross");
    result.benchmark = Some(fixture_outcome("sma_20_50_MSFT_1d_bokeh", "buy_and_hold"));
    let (_tmp, out) = write(&result);
    assert_eq!(csv_table(&out, "equity.csv").1.len(), 3270);
    let svg = read(&out, "equity.svg");
    assert!(
        svg.contains("2000-03-01") || svg.contains("2001-") || svg.contains("2002-"),
        "x ticks are dates"
    );
    assert!(
        svg.len() < 400_000,
        "a long curve is thinned, not drawn point by point ({} bytes)",
        svg.len()
    );
    let json: serde_json::Value = serde_json::from_str(&read(&out, "report.json")).unwrap();
    let sharpe = json["metrics"]["sharpe"].as_f64().unwrap();
    assert!(
        (sharpe - 0.6074795507104325).abs() < 1e-9,
        "the report carries the conformance Sharpe"
    );
    if let Some(dir) = std::env::var_os("REPORT_SAMPLE_DIR") {
        write_reports(&result, &Path::new(&dir).join("long")).unwrap();
    }
}

/// The run above on two venues with order 1 worked by TWAP through one child (routed to
/// `dark` after comparing quotes) and order 5 sent as it is to `lit`.
fn two_venue_run() -> RunResult {
    use slipstream::execution::{CHILD_ID_BASE, ParentRecord};
    use slipstream::venue::RouteLog;
    use slipstream::venue::router::{CostQuote, RouteDecision, RouteReason};
    let mut result = run(FillTiming::NextOpen, false);
    let main = &mut result.main;
    let child_id = CHILD_ID_BASE;
    let mut child = main.orders[0].clone();
    child.id = child_id;
    child.qty = OrderQty::Units(dec!(50));
    child.reason = "child";
    let quote = |venue, spread| CostQuote {
        venue,
        spread,
        impact: dec!(0),
        fees: dec!(1),
    };
    main.routes = RouteLog {
        venues: vec!["lit".to_string(), "dark".to_string()],
        decisions: vec![
            RouteDecision {
                order_id: child_id,
                symbol: 0,
                venue: 1,
                reason: RouteReason::LowestCost,
                qty: dec!(50),
                px: dec!(100),
                quotes: vec![quote(0, dec!(2.5)), quote(1, dec!(1.25))],
            },
            RouteDecision {
                order_id: 5,
                symbol: 0,
                venue: 0,
                reason: RouteReason::FirstListed,
                qty: dec!(50),
                px: dec!(100),
                quotes: Vec::new(),
            },
        ],
    };
    main.execution.algo = "twap";
    main.execution.parents = vec![ParentRecord {
        parent_id: 1,
        algo: "twap",
        start: day(0),
        end: Some(day(1)),
        children: vec![child_id],
        note: None,
    }];
    main.execution.children = vec![child];
    main.fills[0].venue = 1;
    result
}

#[test]
fn routing_csv_names_the_parent_of_each_routed_order() {
    let result = two_venue_run();
    let bytes = report::routing::routing_csv(&result).unwrap();
    let mut reader = csv::Reader::from_reader(&bytes[..]);
    let header: Vec<String> = reader.headers().unwrap().iter().map(str::to_string).collect();
    assert_eq!(
        header,
        [
            "parent_id",
            "order_id",
            "symbol",
            "side",
            "decision_ts",
            "qty",
            "ref_px",
            "routed_to",
            "reason",
            "quoted_venue",
            "expected_spread",
            "expected_impact",
            "expected_fees",
            "expected_total",
            "chosen"
        ]
    );
    let rows: Vec<Vec<String>> = reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect();
    assert_eq!(
        rows.len(),
        3,
        "two quotes for the child, one row for the order sent as it is"
    );
    // The child's side and decision time come from the child itself.
    assert_eq!(
        rows[1],
        [
            "1",
            "1099511627776",
            "AAPL",
            "buy",
            "2024-01-01T00:00:00",
            "50",
            "100",
            "dark",
            "lowest_cost",
            "dark",
            "1.25",
            "0.00",
            "1.00",
            "2.25",
            "true"
        ]
    );
    assert_eq!((rows[0][9].as_str(), rows[0][14].as_str()), ("lit", "false"));
    assert_eq!(rows[2][..2], ["5", "5"], "an order sent as it is is its own parent");
    assert_eq!((rows[2][7].as_str(), rows[2][8].as_str()), ("lit", "first_listed"));

    // The parent's venue in orders.csv is its child's; an order that reached no venue has none.
    let (_tmp, out) = write(&result);
    let (header, rows) = csv_table(&out, "orders.csv");
    let venue = header.iter().position(|h| h == "venue").unwrap();
    let venues: Vec<&str> = rows.iter().map(|r| r[venue].as_str()).collect();
    assert_eq!(venues, ["dark", "", "", "", "lit"]);
    let (_, fills) = csv_table(&out, "fills.csv");
    assert_eq!(
        fills[0][12], "dark",
        "a child's fill, booked under its parent, names the child's venue"
    );

    let json: serde_json::Value = serde_json::from_str(&read(&out, "report.json")).unwrap();
    let venues = &json["routing"]["venues"];
    assert_eq!(
        (venues[1]["routed_orders"].as_u64(), venues[1]["parent_orders"].as_u64()),
        (Some(1), Some(1))
    );
    let md = read(&out, "report.md");
    assert!(md.contains("| dark | 1 | 1 | 1 |"), "{md}");
}
