//! Sizing models through the engine and the backtest driver: each entry gets the size
//! worked out by hand, skips say why, caps are recorded, and `sizing.csv` shows it all.

mod common;

use common::{bars, d, simulate, simulate_with_periods};
use rust_decimal::Decimal;
use slipstream::model::{OrderQty, Side};
use slipstream::report::tables::SIZING_HEADER;
use slipstream::scenario::{SizingConfig, VenueConfig};
use slipstream::strategy::{Intent, Signal};
use std::path::Path;

fn long() -> Signal {
    Signal::new(0, Intent::Long)
}

fn flat(px: &str) -> (&str, &str, &str, &str) {
    (px, px, px, px)
}

#[test]
fn atr_risk_sizes_the_entry_over_k_atr_and_waits_for_history() {
    // ATR(3) needs 4 bars. True ranges: bar 1 max(12 − 10, |12 − 10|, |10 − 10|) = 2;
    // bar 2 max(11.5 − 9.5, |11.5 − 11|, |9.5 − 11|) = 2; bar 3 max(15 − 10, |15 − 10|, 0) = 5.
    // ATR = 9 / 3 = 3; 1% of 100000 = 1000 at risk over 2 × 3 = 6 → 166.67 → 166 units.
    let data = vec![bars(&[
        ("10", "11", "9", "10"),
        ("10", "12", "10", "11"),
        ("11", "11.5", "9.5", "10"),
        ("10", "15", "10", "12"),
        flat("12"),
        flat("12"),
    ])];
    let sizing = SizingConfig::AtrRisk {
        risk_fraction: d("0.01"),
        atr_bars: 3,
        atr_multiple: d("2"),
    };
    let plan = vec![(0, 1, long()), (0, 3, long())];
    let (out, skipped) = simulate(&data, &VenueConfig::default(), sizing, "100000", plan);

    assert_eq!(skipped.len(), 1);
    assert_eq!(skipped[0].reason, "ATR(3) needs 4 bars, have 2");
    assert_eq!(skipped[0].ts, data[0][1].ts);
    assert_eq!(out.fills.len(), 1);
    assert_eq!((out.fills[0].qty, out.fills[0].px), (d("166"), d("12")));

    let [first, second] = &out.sizing[..] else {
        panic!("two sizing decisions expected: {:?}", out.sizing)
    };
    assert_eq!(first.skip_reason.as_deref(), Some("ATR(3) needs 4 bars, have 2"));
    assert_eq!((first.qty, first.atr, first.order_id), (None, None, None));
    assert_eq!(second.atr, Some(d("3")));
    assert_eq!(second.qty, Some(OrderQty::Units(d("166"))));
    assert_eq!(second.raw_qty.unwrap().round_dp(4), d("166.6667"));
    assert_eq!(
        (second.equity, second.price, second.buying_power),
        (d("100000"), d("12"), d("100000"))
    );
    assert_eq!(
        (second.order_id, second.model, second.side),
        (Some(1), "atr_risk", Side::Buy)
    );
    assert!(!second.capped_by_buying_power);
}

#[test]
fn vol_target_annualises_with_the_runs_periods_per_year() {
    // Returns +2% and −1% (100 → 102 → 100.98): per-bar σ = 0.0212132 (ddof 1).
    // P = 100: σ_annual = 0.212132; 10% of 100000 / (0.212132 × 100.98) = 466.8 → 466.
    // P = 252: σ_annual = 0.336749; 10000 / (0.336749 × 100.98) = 294.1 → 294.
    let data = vec![bars(&[flat("100"), flat("102"), flat("100.98"), flat("100.98")])];
    let sizing = SizingConfig::VolTarget {
        annual_vol: d("0.1"),
        vol_bars: 2,
    };
    let plan = || vec![(0, 1, long()), (0, 2, long())];
    let (out, skipped) = simulate_with_periods(&data, sizing, 100.0, "100000", plan());
    assert_eq!(skipped[0].reason, "the volatility of 2 returns needs 3 bars, have 2");
    assert_eq!(out.fills[0].qty, d("466"));
    let sigma = out.sizing[1].sigma_annual.unwrap();
    assert!((sigma - d("0.2121320344")).abs() < d("1e-9"), "{sigma}");

    let (out, _) = simulate_with_periods(&data, sizing, 252.0, "100000", plan());
    assert_eq!(out.fills[0].qty, d("294"));
}

#[test]
fn confidence_scales_the_size_and_skips_low_or_missing_confidence() {
    let data = vec![bars(&[flat("10"); 6])];
    let sizing = SizingConfig::Confidence {
        fraction: d("0.5"),
        min_confidence: d("0.5"),
    };
    let with = |c: f64| Signal {
        confidence: Some(c),
        ..long()
    };
    let plan = vec![
        (0, 0, with(0.4)),
        (0, 1, with(0.8)),
        (0, 2, Signal::new(0, Intent::Flat)),
        (0, 3, long()),
    ];
    let (out, skipped) = simulate(&data, &VenueConfig::default(), sizing, "10000", plan);
    let reasons: Vec<_> = skipped.iter().map(|s| s.reason.as_str()).collect();
    assert_eq!(
        reasons,
        [
            "confidence 0.4 is below min_confidence 0.5",
            "the signal has no confidence to scale the size by"
        ]
    );
    // 0.8 × 0.5 × 10000 / 10 = 400.
    assert_eq!(out.fills[0].qty, d("400"));
    let confidences: Vec<_> = out.sizing.iter().map(|s| s.confidence).collect();
    assert_eq!(confidences, [Some(0.4), Some(0.8), None]);
}

#[test]
fn entries_decided_together_share_the_buying_power() {
    // Two symbols at 10, 1000 of cash, 80% of equity each: the first entry takes 80
    // units (800); the second may spend only the 200 left, so 20 units, capped.
    let data = vec![bars(&[flat("10"); 3]), bars(&[flat("10"); 3])];
    let sizing = SizingConfig::FractionOfEquity { fraction: d("0.8") };
    let plan = vec![(0, 0, long()), (1, 0, Signal::new(1, Intent::Long))];
    let (out, _) = simulate(&data, &VenueConfig::default(), sizing, "1000", plan);
    let sized: Vec<_> = out
        .sizing
        .iter()
        .map(|s| (s.symbol, s.buying_power, s.raw_qty, s.qty, s.capped_by_buying_power))
        .collect();
    assert_eq!(
        sized,
        [
            (0, d("1000"), Some(d("80")), Some(OrderQty::Units(d("80"))), false),
            (1, d("200"), Some(d("80")), Some(OrderQty::Units(d("20"))), true),
        ]
    );
    assert!(out.equity.iter().all(|p| p.cash >= Decimal::ZERO));
}

#[test]
fn a_reversal_may_spend_what_its_exit_releases() {
    // 1000 of cash at 10: a fixed 150 is capped at 100. Reversing to short, the exit of
    // the 100 long frees its 1000 again, so the short entry is 100 too, not 0.
    let data = vec![bars(&[flat("10"); 4])];
    let sizing = SizingConfig::FixedQty { qty: d("150") };
    let plan = vec![(0, 0, long()), (0, 1, Signal::new(0, Intent::Short))];
    let (out, skipped) = simulate(&data, &VenueConfig::default(), sizing, "1000", plan);
    assert!(skipped.is_empty(), "{skipped:?}");
    let fills: Vec<_> = out.fills.iter().map(|f| (f.side, f.qty)).collect();
    assert_eq!(
        fills,
        [(Side::Buy, d("100")), (Side::Sell, d("100")), (Side::Sell, d("100"))]
    );
    assert!(out.sizing.iter().all(|s| s.capped_by_buying_power));
    assert_eq!(out.sizing[1].buying_power, d("1000"));
}

#[test]
fn all_cash_entries_are_sized_at_the_fill_and_not_recorded() {
    let data = vec![bars(&[flat("10"), flat("10"), flat("12")])];
    let (out, _) = simulate(
        &data,
        &VenueConfig::default(),
        SizingConfig::AllCash,
        "1000",
        vec![(0, 0, long())],
    );
    assert!(out.sizing.is_empty(), "{:?}", out.sizing);
    assert_eq!(out.orders[0].qty, OrderQty::Units(d("100")), "resolved at the fill");
    assert_eq!(out.fills[0].qty, d("100"));
}

/// Writes `files` (name, contents) into a fresh folder.
fn folder(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    dir
}

const BARS: &str = "timestamp,open,high,low,close,volume
2000-01-03,100,100,100,100,1000000
2000-01-04,102,102,102,102,1000000
2000-01-05,100.98,100.98,100.98,100.98,1000000
2000-01-06,100.98,100.98,100.98,100.98,1000000
2000-01-07,100.98,100.98,100.98,100.98,1000000
";

const SIGNALS: &str = "timestamp,symbol,side
2000-01-04,X,long
2000-01-05,X,long
";

const SCENARIO: &str = r#"name = "vol"
cash = 100000
periods_per_year = 100
benchmark = false

[[instruments]]
symbol = "X"
data = "x.csv"

[strategy]
kind = "signals_file"
path = "signals.csv"

[sizing]
kind = "vol_target"
annual_vol = 0.1
vol_bars = 2
"#;

#[test]
fn a_scenario_run_sizes_with_its_periods_per_year_and_writes_sizing_csv() {
    let dir = folder(&[("x.csv", BARS), ("signals.csv", SIGNALS), ("s.toml", SCENARIO)]);
    let scenario = slipstream::scenario::load(&dir.path().join("s.toml"), &[]).unwrap();
    let result = slipstream::backtest::run(&scenario).unwrap();
    // As in the engine test with P = 100: 466 units.
    assert_eq!(result.periods_per_year, 100.0);
    assert_eq!(result.main.fills[0].qty, d("466"));
    assert!(
        result
            .warnings
            .iter()
            .any(|w| w.ends_with("signal produced no order: the volatility of 2 returns needs 3 bars, have 2")),
        "{:?}",
        result.warnings
    );

    let out = dir.path().join("report");
    slipstream::report::write_reports(&result, &out).unwrap();
    let mut reader = csv::Reader::from_path(out.join("sizing.csv")).unwrap();
    let header: Vec<String> = reader.headers().unwrap().iter().map(str::to_string).collect();
    assert_eq!(header, SIZING_HEADER);
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), result.main.sizing.len());
    assert_eq!(rows.len(), 2);
    let field = |row: &csv::StringRecord, name: &str| {
        let i = SIZING_HEADER.iter().position(|h| *h == name).unwrap();
        row[i].to_string()
    };
    assert_eq!(field(&rows[0], "ts"), "2000-01-04T00:00:00");
    assert_eq!(field(&rows[0], "symbol"), "X");
    assert_eq!(field(&rows[0], "model"), "vol_target");
    assert_eq!(field(&rows[0], "qty"), "");
    assert_eq!(field(&rows[0], "order_id"), "");
    assert_eq!(
        field(&rows[0], "skip_reason"),
        "the volatility of 2 returns needs 3 bars, have 2"
    );
    assert_eq!(field(&rows[1], "side"), "buy");
    assert_eq!(field(&rows[1], "equity"), "100000");
    assert_eq!(field(&rows[1], "price"), "100.98");
    assert!(field(&rows[1], "sigma_annual").starts_with("0.21213203"));
    assert!(field(&rows[1], "raw_qty").starts_with("466.8"));
    assert_eq!(field(&rows[1], "qty"), "466");
    assert_eq!(field(&rows[1], "capped_by"), "");
    assert_eq!(field(&rows[1], "order_id"), "1");

    let md = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(md.contains("volatility target: each entry sized to 10.00% annualised volatility"));
    assert!(md.contains("[sizing.csv](sizing.csv)"));
    assert!(Path::new(&out.join("sizing.csv")).exists());
}
