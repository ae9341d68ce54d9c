//! Scenario files: a full scenario parses to the expected values, defaults apply, every
//! validation rule reports the right path and line, all problems are reported together,
//! and `--set` overrides change the result.

use rust_decimal::dec;
use slipstream::model::{Calendar, Instrument, Timestamp};
use slipstream::scenario::{
    self, ColumnMap, CommissionConfig, DataFormat, FillTiming, IntrabarPath, Scenario, ScenarioErrors, SizingConfig,
    SlippageConfig, SmaMode, Spread, StrategyConfig, VenueConfig,
};
use slipstream::scenario::{RiskConfig, TradingHours};
use std::path::{Path, PathBuf};

const FULL: &str = r#"# A scenario using every field.
name = "full-test_1.0"
description = "every field"
cash = "100000.50"
currency = "EUR"
seed = 42
periods_per_year = 252
start = "2001-01-02"
end = 2010-12-31T16:00:00
output_dir = "out/full"
benchmark = false

[[instruments]]
symbol = "AAPL"
data = "../data/AAPL_1d_bokeh.csv"
timestamp_format = "%Y-%m-%d"
columns = { timestamp = "date", volume = "vol" }
tick_size = 0.01
lot_size = 1
min_qty = 5

[[instruments]]
symbol = "EURUSD"
data = "fx/eurusd.pq"
format = "csv_polars"
tick_size = 0.00001
lot_size = "1000"
currency = "USD"
calendar = "fx"

[strategy]
kind = "sma_cross"
fast = 10
slow = 30
mode = "long_short"

[sizing]
kind = "fraction_of_equity"
fraction = 0.5

[venue]
fill_timing = "same_close"
intrabar_path = "adaptive"

[venue.slippage]
model = "fixed_bps"
bps = 2.5

[venue.commission]
model = "per_share"
per_share = 0.005
min_per_order = 1
"#;

const MINIMAL: &str = r#"name = "minimal"
cash = 10000

[[instruments]]
symbol = "SPY"
data = "spy.csv"

[strategy]
kind = "buy_and_hold"
"#;

fn file() -> &'static Path {
    Path::new("scenarios/test.toml")
}

fn parse(text: &str) -> Result<Scenario, ScenarioErrors> {
    scenario::parse_str(text, file(), &[])
}

fn parse_with(text: &str, overrides: &[&str]) -> Result<Scenario, ScenarioErrors> {
    let overrides: Vec<String> = overrides.iter().map(|s| s.to_string()).collect();
    scenario::parse_str(text, file(), &overrides)
}

fn errors(text: &str) -> ScenarioErrors {
    match parse(text) {
        Ok(s) => panic!("expected errors, parsed {s:?}"),
        Err(e) => e,
    }
}

/// Asserts there is exactly one error at `path`, on `line`, whose message contains `needle`.
fn assert_error(errors: &ScenarioErrors, path: &str, line: Option<usize>, needle: &str) {
    let found: Vec<_> = errors.errors.iter().filter(|e| e.path == path).collect();
    assert_eq!(found.len(), 1, "expected one error at {path}, got:\n{errors}");
    assert_eq!(found[0].line, line, "line of {path}:\n{errors}");
    assert!(
        found[0].message.contains(needle),
        "message of {path} lacks {needle:?}:\n{errors}"
    );
}

fn ts(text: &str) -> Timestamp {
    Timestamp::parse_iso(text).unwrap()
}

#[test]
fn full_scenario_parses_to_expected_values() {
    let s = parse(FULL).unwrap();
    assert_eq!(s.name, "full-test_1.0");
    assert_eq!(s.description.as_deref(), Some("every field"));
    assert_eq!(s.cash, dec!(100000.50));
    assert_eq!(s.currency, "EUR");
    assert_eq!(s.seed, 42);
    assert_eq!(s.periods_per_year, Some(252.0));
    assert_eq!(s.start, Some(ts("2001-01-02")));
    assert_eq!(s.end, Some(ts("2010-12-31T16:00:00")));
    assert_eq!(s.output_dir, PathBuf::from("out/full"));
    assert!(!s.benchmark);

    assert_eq!(s.instruments.len(), 2);
    let aapl = &s.instruments[0];
    assert_eq!(
        aapl.instrument,
        Instrument {
            symbol: "AAPL".into(),
            tick_size: dec!(0.01),
            lot_size: dec!(1),
            min_qty: dec!(5),
            currency: "EUR".into(),
            calendar: Calendar::Equity,
        }
    );
    assert_eq!(
        aapl.data.path,
        PathBuf::from("data/AAPL_1d_bokeh.csv"),
        "resolved against the scenario folder, `..` folded"
    );
    assert_eq!(aapl.data.format, DataFormat::Csv);
    assert_eq!(aapl.data.timestamp_format.as_deref(), Some("%Y-%m-%d"));
    assert_eq!(
        aapl.data.columns,
        ColumnMap {
            timestamp: "date".into(),
            volume: "vol".into(),
            ..ColumnMap::default()
        }
    );

    let fx = &s.instruments[1];
    assert_eq!(
        fx.instrument,
        Instrument {
            symbol: "EURUSD".into(),
            tick_size: dec!(0.00001),
            lot_size: dec!(1000),
            min_qty: dec!(1000),
            currency: "USD".into(),
            calendar: Calendar::Fx,
        }
    );
    assert_eq!(fx.data.path, PathBuf::from("scenarios/fx/eurusd.pq"));
    assert_eq!(
        fx.data.format,
        DataFormat::CsvPolars,
        "an explicit format beats the extension"
    );
    assert_eq!(fx.data.columns, ColumnMap::default());
    assert_eq!(fx.data.timestamp_format, None);

    assert_eq!(
        s.strategy,
        StrategyConfig::SmaCross {
            fast: 10,
            slow: 30,
            mode: SmaMode::LongShort
        }
    );
    assert_eq!(s.sizing, SizingConfig::FractionOfEquity { fraction: dec!(0.5) });
    assert_eq!(
        s.venue,
        VenueConfig {
            fill_timing: FillTiming::SameClose,
            intrabar_path: IntrabarPath::Adaptive,
            slippage: SlippageConfig::FixedBps {
                bps: dec!(2.5),
                spread: Spread::ZERO
            },
            commission: CommissionConfig::PerShare {
                per_share: dec!(0.005),
                min_per_order: dec!(1)
            },
            ..VenueConfig::default()
        }
    );
}

#[test]
fn defaults_apply() {
    let s = parse(MINIMAL).unwrap();
    assert_eq!(s.description, None);
    assert_eq!(s.cash, dec!(10000));
    assert_eq!(s.currency, "USD");
    assert_eq!(s.seed, 0);
    assert_eq!(s.periods_per_year, None);
    assert_eq!((s.start, s.end), (None, None));
    assert_eq!(
        s.output_dir,
        PathBuf::from("reports/minimal"),
        "output_dir is not resolved against the folder"
    );
    assert!(s.benchmark);
    let spy = &s.instruments[0];
    assert_eq!(spy.instrument, Instrument::equity("SPY"));
    assert_eq!(spy.data.path, PathBuf::from("scenarios/spy.csv"));
    assert_eq!(spy.data.format, DataFormat::Csv);
    assert_eq!(spy.data.columns, ColumnMap::default());
    assert_eq!(s.strategy, StrategyConfig::BuyAndHold);
    assert_eq!(s.sizing, SizingConfig::AllCash);
    assert_eq!(s.venue, VenueConfig::default());
}

#[test]
fn defaults_inside_sections() {
    let text = format!(
        "{MINIMAL}\n[sizing]\n\n[venue.slippage]\nmodel = \"half_spread\"\nspread = \"0.02\"\n\n\
         [venue.commission]\nmodel = \"per_share\"\nper_share = 0.01\n\n\
         [[instruments]]\nsymbol = \"B\"\ndata = \"/abs/b.parquet\"\nlot_size = 10\n"
    );
    let s = parse(&text).unwrap();
    assert_eq!(s.sizing, SizingConfig::AllCash);
    assert_eq!(s.venue.fill_timing, FillTiming::NextOpen);
    assert_eq!(s.venue.intrabar_path, IntrabarPath::OpenHighLowClose);
    assert_eq!(
        s.venue.slippage,
        SlippageConfig::HalfSpread {
            spread: Spread::Fixed(dec!(0.02))
        }
    );
    assert_eq!(
        s.venue.commission,
        CommissionConfig::PerShare {
            per_share: dec!(0.01),
            min_per_order: dec!(0)
        }
    );
    let b = &s.instruments[1];
    assert_eq!(
        b.data.path,
        PathBuf::from("/abs/b.parquet"),
        "absolute paths stay absolute"
    );
    assert_eq!(b.data.format, DataFormat::Parquet);
    assert_eq!(b.instrument.min_qty, dec!(10), "min_qty defaults to lot_size");
}

#[test]
fn other_variants_parse() {
    let text = MINIMAL.replace(
        "kind = \"buy_and_hold\"",
        "kind = \"signals_file\"\npath = \"sig/s.csv\"",
    ) + "\n[sizing]\nkind = \"fixed_qty\"\nqty = 100\n\n[venue.commission]\nmodel = \"fixed\"\nper_order = 1.5\n";
    let s = parse(&text).unwrap();
    assert_eq!(
        s.strategy,
        StrategyConfig::SignalsFile {
            path: PathBuf::from("scenarios/sig/s.csv")
        }
    );
    assert_eq!(s.sizing, SizingConfig::FixedQty { qty: dec!(100) });
    assert_eq!(s.venue.commission, CommissionConfig::Fixed { per_order: dec!(1.5) });

    let text = MINIMAL.to_string() + "\n[venue.commission]\nmodel = \"percent_of_notional\"\nbps = 10\n";
    assert_eq!(
        parse(&text).unwrap().venue.commission,
        CommissionConfig::PercentOfNotional { bps: dec!(10) }
    );
}

#[test]
fn floats_convert_exactly() {
    let text = MINIMAL.replace("cash = 10000", "cash = 10000.1") + "\n[sizing]\nkind = \"fixed_qty\"\nqty = 0.3\n";
    let s = parse(&text).unwrap();
    assert_eq!(s.cash, dec!(10000.1));
    assert_eq!(s.sizing, SizingConfig::FixedQty { qty: dec!(0.3) });
    let e = errors(&MINIMAL.replace("cash = 10000", "cash = nan"));
    assert_error(&e, "cash", Some(2), "expected a positive decimal, found float NaN");
    let e = errors(&MINIMAL.replace("cash = 10000", "cash = inf"));
    assert_error(&e, "cash", Some(2), "found float inf");
}

#[test]
fn unknown_field_is_reported_with_path_and_line() {
    let text = MINIMAL.replace(
        "kind = \"buy_and_hold\"",
        "kind = \"sma_cross\"\nfsat = 5\nfast = 5\nslow = 20",
    );
    let e = errors(&text);
    assert_eq!(e.errors.len(), 1, "{e}");
    assert_eq!(e.errors[0].path, "strategy.fsat");
    assert_eq!(e.errors[0].line, Some(10));
    assert_eq!(
        e.errors[0].message,
        "unknown field for kind = \"sma_cross\"; expected one of kind, fast, slow, mode"
    );

    let e = errors(&MINIMAL.replace("cash = 10000", "cash = 10000\ncahs = 5"));
    assert_error(
        &e,
        "cahs",
        Some(3),
        "unknown field; expected one of name, description, cash",
    );

    let e = errors(&MINIMAL.replace(
        "data = \"spy.csv\"",
        "data = \"spy.csv\"\ncolumns = { open = \"o\", opne = \"x\" }",
    ));
    assert_error(&e, "instruments[0].columns.opne", Some(7), "unknown field");
    assert_error(
        &e,
        "instruments[0].columns.opne",
        Some(7),
        "timestamp, open, high, low, close, volume, spread",
    );
}

#[test]
fn spread_column_is_optional_and_named_like_the_others() {
    let with_columns = |columns: &str| {
        MINIMAL.replace(
            "data = \"spy.csv\"",
            &format!("data = \"spy.csv\"\ncolumns = {columns}"),
        )
    };
    assert_eq!(parse(MINIMAL).unwrap().instruments[0].data.columns.spread, None);
    let s = parse(&with_columns("{ close = \"Close\", spread = \"BidAsk\" }")).unwrap();
    assert_eq!(
        s.instruments[0].data.columns,
        ColumnMap {
            close: "Close".into(),
            spread: Some("BidAsk".into()),
            ..ColumnMap::default()
        }
    );
    let s = parse_with(FULL, &["instruments.0.columns.spread=ba"]).unwrap();
    assert_eq!(s.instruments[0].data.columns.spread.as_deref(), Some("ba"));
    assert_eq!(s.instruments[0].data.columns.volume, "vol");

    let e = errors(&with_columns("{ spread = \" \" }"));
    assert_error(&e, "instruments[0].columns.spread", Some(7), "must not be empty");
    let e = errors(&with_columns("{ spread = 3 }"));
    assert_error(&e, "instruments[0].columns.spread", Some(7), "a non-empty string");
    // Unknown keys are still refused, next to a valid spread.
    let e = errors(&with_columns("{ spread = \"s\", sprd = \"x\" }"));
    assert_eq!(e.errors.len(), 1, "{e}");
    assert_error(
        &e,
        "instruments[0].columns.sprd",
        Some(7),
        "unknown field; expected one of timestamp, open, high, low, close, volume, spread",
    );
}

#[test]
fn field_of_another_variant_is_unknown() {
    let text = MINIMAL.to_string() + "\n[sizing]\nkind = \"fixed_qty\"\nqty = 10\nfraction = 0.5\n";
    let e = errors(&text);
    assert_eq!(e.errors.len(), 1, "{e}");
    assert_error(
        &e,
        "sizing.fraction",
        Some(14),
        "unknown field for kind = \"fixed_qty\"; expected one of kind, qty",
    );

    let text = MINIMAL.to_string() + "\n[venue.slippage]\nbps = 3\n";
    assert_error(
        &errors(&text),
        "venue.slippage.bps",
        Some(12),
        "unknown field for model = \"none\"",
    );
}

#[test]
fn wrong_type_says_expected_and_found() {
    let e = errors(&MINIMAL.replace("cash = 10000", "cash = \"abc\""));
    assert_eq!(e.errors.len(), 1, "{e}");
    assert_error(&e, "cash", Some(2), "expected a positive decimal, found string \"abc\"");

    let e = errors(&MINIMAL.replace("symbol = \"SPY\"", "symbol = \"SPY\"\ntick_size = true\nlot_size = [1]"));
    assert_error(
        &e,
        "instruments[0].tick_size",
        Some(6),
        "expected a positive decimal, found boolean true",
    );
    assert_error(&e, "instruments[0].lot_size", Some(7), "found an array");

    let e = errors(&(MINIMAL.to_string() + "benchmark = \"yes\"\n"));
    assert_error(&e, "strategy.benchmark", Some(10), "unknown field");

    let e = errors(&MINIMAL.replace("cash = 10000", "cash = 10000\nbenchmark = 1\nseed = 1.5"));
    assert_error(
        &e,
        "benchmark",
        Some(3),
        "expected a boolean (true or false), found integer 1",
    );
    assert_error(&e, "seed", Some(4), "expected an integer >= 0, found float 1.5");

    let e =
        errors("name = \"x\"\ncash = 1\nstrategy = \"buy_and_hold\"\n[[instruments]]\nsymbol = \"A\"\ndata = \"a\"\n");
    assert_error(
        &e,
        "strategy",
        Some(3),
        "expected a table, found string \"buy_and_hold\"",
    );
    assert_eq!(e.errors.len(), 1, "{e}");
}

#[test]
fn missing_required_field_is_reported_at_the_table_line() {
    let e = errors(&MINIMAL.replace("kind = \"buy_and_hold\"", "kind = \"sma_cross\"\nslow = 20"));
    assert_eq!(e.errors.len(), 1, "{e}");
    assert_error(&e, "strategy.fast", Some(8), "missing required field");

    let e = errors(&MINIMAL.replace("data = \"spy.csv\"\n", ""));
    assert_error(&e, "instruments[0].data", Some(4), "missing required field");

    let e = errors(&MINIMAL.replace("cash = 10000\n", ""));
    assert_error(&e, "cash", None, "missing required field");

    let e = errors("name = \"x\"\ncash = 1\n");
    assert_error(&e, "instruments", None, "missing required field");
    assert_error(&e, "strategy", None, "missing required field");
    assert_eq!(e.errors.len(), 2, "{e}");
}

#[test]
fn bad_enum_value_lists_allowed_values() {
    let text = MINIMAL.to_string() + "\n[venue]\nfill_timing = \"next_bar\"\n";
    let e = errors(&text);
    assert_eq!(e.errors.len(), 1, "{e}");
    assert_eq!(e.errors[0].path, "venue.fill_timing");
    assert_eq!(e.errors[0].line, Some(12));
    assert_eq!(
        e.errors[0].message,
        "unknown value \"next_bar\"; expected one of \"next_open\", \"same_close\""
    );

    let e = errors(&MINIMAL.replace(
        "data = \"spy.csv\"",
        "data = \"spy.csv\"\ncalendar = \"forex\"\nformat = 3",
    ));
    assert_error(&e, "instruments[0].calendar", Some(7), "\"equity\", \"fx\", \"crypto\"");
    assert_error(
        &e,
        "instruments[0].format",
        Some(8),
        "expected one of \"csv\", \"csv_polars\", \"parquet\", found integer 3",
    );

    let e = errors(&MINIMAL.replace("buy_and_hold", "buy_hold"));
    assert_error(
        &e,
        "strategy.kind",
        Some(9),
        "\"sma_cross\", \"buy_and_hold\", \"signals_file\"",
    );
}

#[test]
fn fast_must_be_less_than_slow() {
    let text = MINIMAL.replace("kind = \"buy_and_hold\"", "kind = \"sma_cross\"\nfast = 10\nslow = 5");
    let e = errors(&text);
    assert_eq!(e.errors.len(), 1, "{e}");
    assert_eq!(e.errors[0].path, "strategy.fast");
    assert_eq!(e.errors[0].line, Some(10));
    assert_eq!(e.errors[0].message, "must be less than strategy.slow (10 >= 5)");
    assert_eq!(
        e.to_string(),
        "scenarios/test.toml:10: strategy.fast: must be less than strategy.slow (10 >= 5)"
    );

    let equal = MINIMAL.replace("kind = \"buy_and_hold\"", "kind = \"sma_cross\"\nfast = 20\nslow = 20");
    assert_error(
        &errors(&equal),
        "strategy.fast",
        Some(10),
        "must be less than strategy.slow (20 >= 20)",
    );

    let e = errors(&MINIMAL.replace("kind = \"buy_and_hold\"", "kind = \"sma_cross\"\nfast = 0\nslow = 5"));
    assert_error(&e, "strategy.fast", Some(10), "must be at least 1, found 0");
}

#[test]
fn duplicate_symbol() {
    let text = MINIMAL.to_string() + "\n[[instruments]]\nsymbol = \"SPY\"\ndata = \"other.csv\"\n";
    let e = errors(&text);
    assert_eq!(e.errors.len(), 1, "{e}");
    assert_error(
        &e,
        "instruments[1].symbol",
        Some(12),
        "duplicate symbol \"SPY\" (also used by instruments[0])",
    );
}

#[test]
fn start_must_precede_end() {
    let text = MINIMAL.replace(
        "cash = 10000",
        "cash = 10000\nstart = \"2020-01-01\"\nend = \"2019-12-31\"",
    );
    let e = errors(&text);
    assert_eq!(e.errors.len(), 1, "{e}");
    assert_error(
        &e,
        "start",
        Some(3),
        "must be before end (2020-01-01T00:00:00 >= 2019-12-31T00:00:00)",
    );

    let equal = MINIMAL.replace("cash = 10000", "cash = 10000\nstart = \"2020-01-01\"\nend = 2020-01-01");
    assert_error(&errors(&equal), "start", Some(3), "must be before end");

    let bad = MINIMAL.replace("cash = 10000", "cash = 10000\nend = \"tomorrow\"");
    assert_error(&errors(&bad), "end", Some(3), "expected an ISO date or datetime");
}

#[test]
fn cash_must_be_positive() {
    let e = errors(&MINIMAL.replace("cash = 10000", "cash = -100"));
    assert_eq!(e.errors.len(), 1, "{e}");
    assert_error(&e, "cash", Some(2), "must be greater than 0, found -100");
    assert_error(
        &errors(&MINIMAL.replace("cash = 10000", "cash = 0")),
        "cash",
        Some(2),
        "must be greater than 0",
    );
}

#[test]
fn other_bounds() {
    let text = MINIMAL.to_string()
        + "\n[sizing]\nkind = \"fraction_of_equity\"\nfraction = 1.5\n\n\
           [venue.slippage]\nmodel = \"fixed_bps\"\nbps = -1\n";
    let e = errors(&text);
    assert_error(
        &e,
        "sizing.fraction",
        Some(13),
        "must be greater than 0 and at most 1, found 1.5",
    );
    assert_error(
        &e,
        "venue.slippage.bps",
        Some(17),
        "must be between 0 and 10000 basis points, found -1",
    );
    let e = errors(&(MINIMAL.to_string() + "\n[venue.slippage]\nmodel = \"fixed_bps\"\nbps = 20000\n"));
    assert_error(
        &e,
        "venue.slippage.bps",
        Some(13),
        "must be between 0 and 10000 basis points, found 20000",
    );
    let e = errors(&MINIMAL.replace("cash = ", "cash = 1e16 # was "));
    assert!(e.has_path("cash"), "{e}");

    let e = errors(&MINIMAL.replace("name = \"minimal\"", "name = \"../etc\""));
    assert_error(&e, "name", Some(1), "not a valid name");
    let e = errors(&MINIMAL.replace("kind = \"buy_and_hold\"", "kind = \"signals_file\"\npath = \"\""));
    assert_error(&e, "strategy.path", Some(10), "must not be empty");
    let e = errors(&MINIMAL.replace("data = \"spy.csv\"", "data = \"spy.csv\"\ntimestamp_format = \"%Y-%Q\""));
    assert_error(
        &e,
        "instruments[0].timestamp_format",
        Some(7),
        "not a valid chrono format",
    );
    let e = errors(&MINIMAL.replace(
        "[[instruments]]\nsymbol = \"SPY\"\ndata = \"spy.csv\"\n",
        "instruments = []\n",
    ));
    assert_error(&e, "instruments", Some(4), "at least one instrument");
}

#[test]
fn every_problem_is_reported_at_once() {
    let text = r#"name = "many"
cash = "abc"
colour = "blue"

[[instruments]]
symbol = "A"
data = "a.csv"
tick_size = -0.01

[[instruments]]
data = "b.csv"
calendar = "lunar"

[strategy]
kind = "sma_cross"
fast = 50
slow = 20

[venue]
fill_timing = "whenever"

[venue.commission]
model = "per_share"
bps = 3
"#;
    let e = errors(text);
    let got: Vec<(&str, Option<usize>)> = e.errors.iter().map(|e| (e.path.as_str(), e.line)).collect();
    assert_eq!(
        got,
        vec![
            ("cash", Some(2)),
            ("colour", Some(3)),
            ("instruments[0].tick_size", Some(8)),
            ("instruments[1].symbol", Some(10)),
            ("instruments[1].calendar", Some(12)),
            ("strategy.fast", Some(16)),
            ("venue.fill_timing", Some(20)),
            ("venue.commission.per_share", Some(22)),
            ("venue.commission.bps", Some(24)),
        ],
        "{e}"
    );
    let shown = e.to_string();
    assert_eq!(shown.lines().count(), 9);
    assert!(shown.starts_with("scenarios/test.toml:2: cash: expected a positive decimal, found string \"abc\"\n"));
    assert!(shown.contains("scenarios/test.toml:10: instruments[1].symbol: missing required field"));
}

#[test]
fn invalid_toml_is_one_error_with_a_line() {
    let e = errors(&MINIMAL.replace("cash = 10000", "cash = 10000\ncash = 5"));
    assert_eq!(e.errors.len(), 1, "{e}");
    assert_eq!(e.errors[0].line, Some(3));
    assert!(e.errors[0].message.starts_with("invalid TOML"), "{e}");
}

#[test]
fn overrides_change_the_result() {
    let s = parse_with(
        FULL,
        &[
            "strategy.fast=5",
            "venue.slippage.model=half_spread",
            "venue.slippage.bps=",
            "instruments.1.tick_size=0.05",
            "cash = 250",
            "sizing = { kind = \"fixed_qty\", qty = \"7\" }",
        ],
    );
    // `venue.slippage.bps=` sets bps to an empty string, which half_spread rejects.
    let e = s.unwrap_err();
    assert_error(
        &e,
        "venue.slippage.bps",
        None,
        "(--set) unknown field for model = \"half_spread\"",
    );
    assert_error(&e, "venue.slippage.spread", Some(45), "missing required field");

    let s = parse_with(
        FULL,
        &[
            "strategy.fast=5",
            "venue.slippage.model=half_spread",
            "venue.slippage.bps=0",
            "venue.slippage = { model = \"half_spread\", spread = 0.02 }",
            "instruments.1.tick_size=0.05",
            "instruments.0.columns.open=Open",
            "cash = 250",
            "sizing = { kind = \"fixed_qty\", qty = \"7\" }",
            "end=2011-01-01",
        ],
    )
    .unwrap();
    assert_eq!(
        s.strategy,
        StrategyConfig::SmaCross {
            fast: 5,
            slow: 30,
            mode: SmaMode::LongShort
        }
    );
    assert_eq!(
        s.venue.slippage,
        SlippageConfig::HalfSpread {
            spread: Spread::Fixed(dec!(0.02))
        }
    );
    assert_eq!(s.instruments[1].instrument.tick_size, dec!(0.05));
    assert_eq!(s.instruments[0].instrument.tick_size, dec!(0.01));
    assert_eq!(s.instruments[0].data.columns.open, "Open");
    assert_eq!(s.instruments[0].data.columns.timestamp, "date");
    assert_eq!(s.cash, dec!(250));
    assert_eq!(s.sizing, SizingConfig::FixedQty { qty: dec!(7) });
    assert_eq!(s.end, Some(ts("2011-01-01")));
}

#[test]
fn override_can_add_fields_and_instruments() {
    let s = parse_with(
        MINIMAL,
        &[
            "description=bare words",
            "instruments.1.symbol=QQQ",
            "instruments.1.data=qqq.parquet",
            "seed=7",
        ],
    )
    .unwrap();
    assert_eq!(s.description.as_deref(), Some("bare words"));
    assert_eq!(s.seed, 7);
    assert_eq!(s.instruments.len(), 2);
    assert_eq!(s.instruments[1].instrument.symbol, "QQQ");
    assert_eq!(s.instruments[1].data.path, PathBuf::from("scenarios/qqq.parquet"));
    assert_eq!(s.instruments[1].data.format, DataFormat::Parquet);
}

#[test]
fn override_values_are_validated_and_marked() {
    let e = parse_with(MINIMAL, &["cash=-5", "strategy.kind=sma", "strategy.kind=sma_cross"]).unwrap_err();
    assert_error(&e, "cash", None, "(--set) must be greater than 0, found -5");
    assert_error(&e, "strategy.fast", Some(8), "missing required field");
    assert_eq!(e.errors.len(), 3, "{e}");
    assert!(
        e.to_string()
            .contains("scenarios/test.toml: cash: (--set) must be greater than 0"),
        "{e}"
    );
}

#[test]
fn bad_overrides_are_reported() {
    let e = parse_with(
        MINIMAL,
        &[
            "strategy.fast",
            "=5",
            "cash.x=1",
            "instruments.9.symbol=X",
            "instruments.first.symbol=X",
            "a..b=1",
        ],
    )
    .unwrap_err();
    assert_eq!(e.errors.len(), 6, "{e}");
    assert!(
        e.errors
            .iter()
            .all(|e| e.line.is_none() && e.message.starts_with("(--set) ")),
        "{e}"
    );
    assert!(
        e.errors
            .iter()
            .any(|e| e.path.is_empty() && e.message.contains("expected key=value")),
        "{e}"
    );
    assert!(
        e.errors
            .iter()
            .any(|e| e.path.is_empty() && e.message.contains("empty key")),
        "{e}"
    );
    assert_error(&e, "cash.x", None, "is integer 10000, not a table");
    assert_error(&e, "instruments.9.symbol", None, "index 9 is out of range");
    assert_error(&e, "instruments.first.symbol", None, "expected a numeric index");
    assert_error(&e, "a..b", None, "empty segment");
}

#[test]
fn paths_resolve_against_the_scenario_folder() {
    let text = MINIMAL.replace(
        "kind = \"buy_and_hold\"",
        "kind = \"signals_file\"\npath = \"signals.csv\"",
    );
    let s = scenario::parse_str(&text, Path::new("/srv/x/scen.toml"), &[]).unwrap();
    assert_eq!(s.instruments[0].data.path, PathBuf::from("/srv/x/spy.csv"));
    assert_eq!(
        s.strategy,
        StrategyConfig::SignalsFile {
            path: PathBuf::from("/srv/x/signals.csv")
        }
    );
    let s = scenario::parse_str(&text, Path::new("scen.toml"), &[]).unwrap();
    assert_eq!(s.instruments[0].data.path, PathBuf::from("spy.csv"));
    assert_eq!(s.output_dir, PathBuf::from("reports/minimal"));
}

#[test]
fn load_reads_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.toml");
    std::fs::write(&path, MINIMAL).unwrap();
    let s = scenario::load(&path, &["strategy.kind=buy_and_hold".to_string()]).unwrap();
    assert_eq!(s.instruments[0].data.path, dir.path().join("spy.csv"));

    let missing = dir.path().join("missing.toml");
    let e = scenario::load(&missing, &[]).unwrap_err();
    assert_eq!(e.errors.len(), 1);
    assert_eq!(e.errors[0].path, "");
    assert_eq!(e.file, missing);
    assert!(e.errors[0].message.starts_with("cannot read: "), "{e}");
}

const TWO_VENUES: &str = r#"name = "venues"
cash = 10000

[[instruments]]
symbol = "SPY"
data = "spy.csv"

[[instruments]]
symbol = "QQQ"
data = "qqq.csv"

[strategy]
kind = "buy_and_hold"

[venue]
routing = "first_listed"
slippage = { model = "volume_share", price_impact = 0.1, spread = 0.02 }

[[venues]]
name = "lit"
volume_fraction = 0.7
commission = { model = "per_share", per_share = 0.003, min_per_order = 1 }

[[venues]]
name = "dark"
symbols = ["SPY"]
volume_fraction = 0.3
spread = 0
participation_max = 0.02
"#;

#[test]
fn venues_parse_with_their_overrides() {
    let s = parse(TWO_VENUES).unwrap();
    assert_eq!(s.venue.routing, slipstream::scenario::Routing::FirstListed);
    assert_eq!(s.venues.len(), 2);
    let (lit, dark) = (&s.venues[0], &s.venues[1]);
    assert_eq!((lit.symbols.as_slice(), lit.symbol_names.len()), (&[0, 1][..], 2));
    assert_eq!(lit.volume_fraction, dec!(0.7));
    assert_eq!(lit.spread, None);
    assert_eq!(dark.symbols, [0]);
    assert_eq!(dark.spread, Some(Spread::Fixed(dec!(0))));
    // A venue's terms replace the shared ones: the dark venue charges no spread but keeps
    // the impact model; the lit one keeps the spread and pays its own commission.
    let dark_rules = dark.effective(&s.venue);
    assert_eq!(
        dark_rules.slippage,
        SlippageConfig::VolumeShare {
            price_impact: dec!(0.1),
            spread: Spread::Fixed(dec!(0))
        }
    );
    assert_eq!(dark_rules.participation_max, Some(dec!(0.02)));
    let lit_rules = lit.effective(&s.venue);
    assert_eq!(lit_rules.slippage.spread(), Spread::Fixed(dec!(0.02)));
    assert!(matches!(lit_rules.commission, CommissionConfig::PerShare { .. }));
    // Without [[venues]], none are listed and orders go to the one default venue.
    assert!(parse(MINIMAL).unwrap().venues.is_empty());
}

#[test]
fn a_spread_may_come_from_the_data() {
    let text = MINIMAL.replace("[strategy]", "columns = { spread = \"spr\" }\n\n[strategy]")
        + "\n[venue.slippage]\nmodel = \"half_spread\"\nspread = \"data\"\n";
    let s = parse(&text).unwrap();
    assert_eq!(s.venue.slippage, SlippageConfig::HalfSpread { spread: Spread::Data });
    let wrong = MINIMAL.to_string() + "\n[venue.slippage]\nmodel = \"half_spread\"\nspread = \"wide\"\n";
    assert_error(&errors(&wrong), "venue.slippage.spread", Some(13), "\"data\"");
}

#[test]
fn every_venue_error_is_reported_at_once() {
    let text = TWO_VENUES
        .replace(
            "symbols = [\"SPY\"]",
            "symbols = [\"SPY\", \"IWM\", \"SPY\"]\ncolour = \"red\"",
        )
        .replace("name = \"dark\"", "name = \"lit\"")
        .replace("volume_fraction = 0.3", "volume_fraction = 1.5");
    let e = errors(&text);
    assert_error(&e, "venues[1].symbols[1]", Some(26), "unknown symbol \"IWM\"");
    assert_error(&e, "venues[1].symbols[2]", Some(26), "listed twice");
    assert_error(&e, "venues[1].colour", Some(27), "unknown field");
    assert_error(&e, "venues[1].volume_fraction", Some(28), "at most 1");
    // With the venues themselves valid, the checks across them run.
    let text = TWO_VENUES
        .replace("name = \"dark\"", "name = \"lit\"")
        .replace("volume_fraction = 0.3", "volume_fraction = 0.5");
    let e = errors(&text);
    assert_error(&e, "venues[1].name", Some(25), "duplicate venue name \"lit\"");
    assert!(e.to_string().contains("add up to 1.2"), "{e}");
    let text = TWO_VENUES.replace("name = \"lit\"\n", "name = \"lit\"\nsymbols = [\"SPY\"]\n");
    assert!(errors(&text).to_string().contains("no venue trades \"QQQ\""));
}

#[test]
fn a_data_spread_needs_a_spread_column_wherever_it_prices() {
    let text = MINIMAL.to_string() + "\n[venue.slippage]\nmodel = \"half_spread\"\nspread = \"data\"\n";
    assert_error(
        &errors(&text),
        "venue.slippage.spread",
        Some(13),
        "instruments[0] maps none",
    );
    // On one venue only: the instrument it trades needs the column.
    let text = TWO_VENUES.replace("spread = 0\n", "spread = \"data\"\n");
    assert_error(&errors(&text), "venues[1].spread", Some(28), "\"SPY\"");
    let with_column = text.replace("data = \"spy.csv\"", "data = \"spy.csv\"\ncolumns = { spread = \"s\" }");
    assert_eq!(parse(&with_column).unwrap().venues[1].spread, Some(Spread::Data));
}

const RISK: &str = r#"
[risk]
max_position_qty = 1000
max_position_notional = 50000
max_gross_exposure = "150000"
max_open_positions = 3
max_order_qty = 500
max_order_notional = 25000.5
price_band_bps = 200
check_buying_power = false
daily_loss_limit = 0.02
max_drawdown = 0.25
max_orders_per_minute = 10
trading_hours = "09:30-16:00"
kill_switch_at = "2012-06-15T00:00:00"
flatten_on_halt = true
"#;

#[test]
fn risk_section_parses_every_key() {
    let s = parse(&format!("{MINIMAL}{RISK}")).unwrap();
    assert_eq!(
        s.risk,
        RiskConfig {
            max_position_qty: Some(dec!(1000)),
            max_position_notional: Some(dec!(50000)),
            max_gross_exposure: Some(dec!(150000)),
            max_open_positions: Some(3),
            max_order_qty: Some(dec!(500)),
            max_order_notional: Some(dec!(25000.5)),
            price_band_bps: Some(dec!(200)),
            check_buying_power: false,
            daily_loss_limit: Some(dec!(0.02)),
            max_drawdown: Some(dec!(0.25)),
            max_orders_per_minute: Some(10),
            trading_hours: TradingHours::parse("09:30-16:00"),
            kill_switch_at: Some(ts("2012-06-15")),
            flatten_on_halt: true,
        }
    );
    // A TOML datetime works as well as a string.
    let s = parse(&format!("{MINIMAL}\n[risk]\nkill_switch_at = 2012-06-15T09:30:00\n")).unwrap();
    assert_eq!(s.risk.kill_switch_at, Some(ts("2012-06-15T09:30:00")));
}

#[test]
fn risk_defaults_no_limits_and_a_section_checks_buying_power() {
    let s = parse(MINIMAL).unwrap();
    assert_eq!(s.risk, RiskConfig::default());
    assert!(s.risk.is_empty());
    let s = parse(&format!("{MINIMAL}\n[risk]\n")).unwrap();
    assert_eq!(
        s.risk,
        RiskConfig {
            check_buying_power: true,
            ..RiskConfig::default()
        }
    );
    assert!(!s.risk.is_empty());
    let s = parse(&format!("{MINIMAL}\n[risk]\ncheck_buying_power = false\n")).unwrap();
    assert!(s.risk.is_empty(), "no limit at all");
    // An override creates the section.
    let s = parse_with(MINIMAL, &["risk.max_order_qty=10"]).unwrap();
    assert_eq!(s.risk.max_order_qty, Some(dec!(10)));
    assert!(s.risk.check_buying_power);
    let s = parse_with(&format!("{MINIMAL}{RISK}"), &["risk.trading_hours=00:00-24:00"]).unwrap();
    assert_eq!(s.risk.trading_hours.unwrap().to_string(), "00:00-24:00");
    assert_eq!(s.risk.max_open_positions, Some(3));
}

#[test]
fn every_risk_error_is_reported_at_once_with_its_line() {
    let text = format!(
        "{MINIMAL}\n[risk]\nmax_position_qty = -1\nmax_position_notional = 0\nmax_gross_exposure = true\n\
         max_open_positions = 0\nmax_order_qty = \"lots\"\nmax_order_notional = 1e16\nprice_band_bps = 20000\n\
         check_buying_power = \"yes\"\ndaily_loss_limit = 1.5\nmax_drawdown = 0\nmax_orders_per_minute = 2.5\n\
         trading_hours = \"9:30-4pm\"\nkill_switch_at = \"tomorrow\"\nflatten_on_halt = 1\nmax_daily_orders = 5\n"
    );
    let e = errors(&text);
    let got: Vec<(&str, Option<usize>)> = e.errors.iter().map(|e| (e.path.as_str(), e.line)).collect();
    assert_eq!(
        got,
        vec![
            ("risk.max_position_qty", Some(12)),
            ("risk.max_position_notional", Some(13)),
            ("risk.max_gross_exposure", Some(14)),
            ("risk.max_open_positions", Some(15)),
            ("risk.max_order_qty", Some(16)),
            ("risk.max_order_notional", Some(17)),
            ("risk.price_band_bps", Some(18)),
            ("risk.check_buying_power", Some(19)),
            ("risk.daily_loss_limit", Some(20)),
            ("risk.max_drawdown", Some(21)),
            ("risk.max_orders_per_minute", Some(22)),
            ("risk.trading_hours", Some(23)),
            ("risk.kill_switch_at", Some(24)),
            ("risk.flatten_on_halt", Some(25)),
            ("risk.max_daily_orders", Some(26)),
        ],
        "{e}"
    );
    assert_error(
        &e,
        "risk.max_daily_orders",
        Some(26),
        "unknown field; expected one of max_position_qty, max_position_notional",
    );
    assert_error(
        &e,
        "risk.max_position_qty",
        Some(12),
        "must be greater than 0, found -1",
    );
    assert_error(&e, "risk.max_gross_exposure", Some(14), "found boolean true");
    assert_error(&e, "risk.max_open_positions", Some(15), "must be at least 1, found 0");
    assert_error(
        &e,
        "risk.max_order_notional",
        Some(17),
        "beyond the supported magnitude",
    );
    assert_error(&e, "risk.price_band_bps", Some(18), "between 0 and 10000 basis points");
    assert_error(&e, "risk.check_buying_power", Some(19), "expected a boolean");
    assert_error(&e, "risk.daily_loss_limit", Some(20), "at most 1, found 1.5");
    assert_error(&e, "risk.max_orders_per_minute", Some(22), "expected an integer >= 1");
    assert_error(
        &e,
        "risk.trading_hours",
        Some(23),
        "expected \"HH:MM-HH:MM\" (00:00 to 23:59, 24:00 as an end; start and end differ), found \"9:30-4pm\"",
    );
    assert_error(&e, "risk.kill_switch_at", Some(24), "expected an ISO date or datetime");

    let e = errors(&format!("{MINIMAL}\n[risk]\ntrading_hours = \"10:00-10:00\"\n"));
    assert_error(&e, "risk.trading_hours", Some(12), "start and end differ");
    let e = errors(&format!("{MINIMAL}risk = 5\n"));
    assert_error(&e, "strategy.risk", Some(10), "unknown field");
    let e = errors(&MINIMAL.replace("cash = 10000", "cash = 10000\nrisk = \"strict\""));
    assert_error(&e, "risk", Some(3), "expected a table, found string \"strict\"");
    let e = parse_with(MINIMAL, &["risk.max_drawdown=2"]).unwrap_err();
    assert_error(
        &e,
        "risk.max_drawdown",
        None,
        "(--set) must be greater than 0 and at most 1",
    );
}

/// MINIMAL with a `[sizing]` table of `body` (its first line is line 12) and a signals
/// file as the strategy, so every sizing kind is allowed.
fn with_sizing(body: &str) -> String {
    MINIMAL
        .replace("kind = \"buy_and_hold\"", "kind = \"signals_file\"\npath = \"s.csv\"")
        .trim_end()
        .to_string()
        + "\n[sizing]\n"
        + body
}

#[test]
fn the_new_sizing_models_parse_with_their_defaults() {
    let s = parse(&with_sizing("kind = \"fixed_notional\"\nnotional = 25000\n")).unwrap();
    assert_eq!(s.sizing, SizingConfig::FixedNotional { notional: dec!(25000) });

    let s = parse(&with_sizing("kind = \"atr_risk\"\nrisk_fraction = 0.01\n")).unwrap();
    assert_eq!(
        s.sizing,
        SizingConfig::AtrRisk {
            risk_fraction: dec!(0.01),
            atr_bars: 14,
            atr_multiple: dec!(2)
        }
    );
    let s = parse(&with_sizing(
        "kind = \"atr_risk\"\nrisk_fraction = 0.02\natr_bars = 20\natr_multiple = 3.5\n",
    ))
    .unwrap();
    assert_eq!(
        s.sizing,
        SizingConfig::AtrRisk {
            risk_fraction: dec!(0.02),
            atr_bars: 20,
            atr_multiple: dec!(3.5)
        }
    );

    let s = parse(&with_sizing("kind = \"vol_target\"\nannual_vol = 0.15\n")).unwrap();
    assert_eq!(
        s.sizing,
        SizingConfig::VolTarget {
            annual_vol: dec!(0.15),
            vol_bars: 20
        }
    );
    let s = parse(&with_sizing("kind = \"vol_target\"\nannual_vol = 0.1\nvol_bars = 60\n")).unwrap();
    assert_eq!(
        s.sizing,
        SizingConfig::VolTarget {
            annual_vol: dec!(0.1),
            vol_bars: 60
        }
    );

    let s = parse(&with_sizing("kind = \"confidence\"\nfraction = 0.5\n")).unwrap();
    assert_eq!(
        s.sizing,
        SizingConfig::Confidence {
            fraction: dec!(0.5),
            min_confidence: dec!(0)
        }
    );
    let s = parse(&with_sizing(
        "kind = \"confidence\"\nfraction = 1\nmin_confidence = 0.6\n",
    ))
    .unwrap();
    assert_eq!(
        s.sizing,
        SizingConfig::Confidence {
            fraction: dec!(1),
            min_confidence: dec!(0.6)
        }
    );
    // Overrides reach the new fields too.
    let text = with_sizing("kind = \"atr_risk\"\nrisk_fraction = 0.01\n");
    let s = parse_with(&text, &["sizing.atr_bars=5", "sizing.atr_multiple=1.5"]).unwrap();
    assert_eq!(
        s.sizing,
        SizingConfig::AtrRisk {
            risk_fraction: dec!(0.01),
            atr_bars: 5,
            atr_multiple: dec!(1.5)
        }
    );
}

#[test]
fn sizing_fields_are_validated_with_path_and_line() {
    let e = errors(&with_sizing(
        "kind = \"atr_risk\"\nrisk_fraction = 1.5\natr_bars = 0\natr_multiple = -2\n",
    ));
    assert_eq!(e.errors.len(), 3, "{e}");
    assert_error(
        &e,
        "sizing.risk_fraction",
        Some(13),
        "must be greater than 0 and at most 1, found 1.5",
    );
    assert_error(&e, "sizing.atr_bars", Some(14), "must be at least 1, found 0");
    assert_error(&e, "sizing.atr_multiple", Some(15), "must be greater than 0, found -2");

    let e = errors(&with_sizing("kind = \"atr_risk\"\natr_bars = 2000000\n"));
    assert_eq!(e.errors.len(), 2, "{e}");
    assert_error(&e, "sizing.risk_fraction", Some(11), "missing required field");
    assert_error(&e, "sizing.atr_bars", Some(13), "must be at most 1000000");

    let e = errors(&with_sizing("kind = \"vol_target\"\nannual_vol = 15\nvol_bars = 1\n"));
    assert_eq!(e.errors.len(), 2, "{e}");
    assert_error(
        &e,
        "sizing.annual_vol",
        Some(13),
        "must be at most 10 (a fraction a year: 0.15 is 15%), found 15",
    );
    assert_error(&e, "sizing.vol_bars", Some(14), "must be at least 2, found 1");
    let e = errors(&with_sizing("kind = \"vol_target\"\nannual_vol = 0\n"));
    assert_error(&e, "sizing.annual_vol", Some(13), "must be greater than 0");

    let e = errors(&with_sizing("kind = \"fixed_notional\"\nnotional = \"lots\"\n"));
    assert_error(
        &e,
        "sizing.notional",
        Some(13),
        "expected a positive decimal, found string \"lots\"",
    );

    let e = errors(&with_sizing(
        "kind = \"confidence\"\nfraction = 0.5\nmin_confidence = 1.2\n",
    ));
    assert_eq!(e.errors.len(), 1, "{e}");
    assert_error(
        &e,
        "sizing.min_confidence",
        Some(14),
        "must be between 0 and 1, found 1.2",
    );
    let e = errors(&with_sizing("kind = \"confidence\"\nmin_confidence = 0.5\n"));
    assert_error(&e, "sizing.fraction", Some(11), "missing required field");
}

#[test]
fn sizing_fields_of_another_model_are_unknown() {
    let e = errors(&with_sizing("kind = \"vol_target\"\nannual_vol = 0.1\natr_bars = 14\n"));
    assert_eq!(e.errors.len(), 1, "{e}");
    assert_error(
        &e,
        "sizing.atr_bars",
        Some(14),
        "unknown field for kind = \"vol_target\"; expected one of kind, annual_vol, vol_bars",
    );
    let e = errors(&with_sizing("kind = \"kelly\"\n"));
    assert_error(
        &e,
        "sizing.kind",
        Some(12),
        "unknown value \"kelly\"; expected one of \"all_cash\", \"fixed_qty\", \"fraction_of_equity\", \
         \"fixed_notional\", \"atr_risk\", \"vol_target\", \"confidence\"",
    );
}

#[test]
fn confidence_sizing_needs_a_strategy_that_gives_confidences() {
    let text = MINIMAL.to_string() + "\n[sizing]\nkind = \"confidence\"\nfraction = 0.5\n";
    let e = errors(&text);
    assert_eq!(e.errors.len(), 1, "{e}");
    assert_error(
        &e,
        "sizing.kind",
        Some(12),
        "strategy.kind = \"buy_and_hold\" gives none, so every entry would be skipped",
    );
}
