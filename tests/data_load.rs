//! Loading real and hand-made files: the shipped sample data, column mapping and
//! timestamp formats, start/end filtering, the CSV round trip, agreement of the csv,
//! polars-CSV and Parquet readers, and gap detection.

use polars::prelude::{Column, DataFrame, DataType, NamedFrom, ParquetWriter, Series, TimeUnit};
use rust_decimal::Decimal;
use rust_decimal::dec;
use rust_decimal::prelude::ToPrimitive;
use sha2::{Digest, Sha256};
use slipstream::data::{Gap, SynthParams, detect_gaps, load_bars, synth_bars, write_csv};
use slipstream::model::{Bar, Calendar, Timestamp};
use slipstream::scenario::{ColumnMap, DataFormat, DataSource};
use std::path::{Path, PathBuf};
use tempfile::TempDir;

fn sample(name: &str) -> PathBuf {
    Path::new(&std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo test sets CARGO_MANIFEST_DIR"))
        .join("data")
        .join(name)
}

fn source(path: &Path, format: DataFormat) -> DataSource {
    DataSource {
        path: path.to_path_buf(),
        format,
        columns: ColumnMap::default(),
        timestamp_format: None,
    }
}

fn ts(text: &str) -> Timestamp {
    Timestamp::parse_iso(text).unwrap()
}

fn load_all(path: &Path, format: DataFormat) -> Vec<Bar> {
    load_bars(&source(path, format), None, None, Calendar::Equity)
        .unwrap()
        .bars
}

#[test]
fn loads_aapl_sample() {
    let path = sample("AAPL_1d_bokeh.csv");
    let loaded = load_bars(&source(&path, DataFormat::Csv), None, None, Calendar::Equity).unwrap();
    let s = &loaded.summary;
    assert_eq!(loaded.bars.len(), 3270);
    assert_eq!(s.rows, 3270);
    assert_eq!(s.path, path);
    assert_eq!(s.first_ts, Some(ts("2000-03-01T00:00:00")));
    assert_eq!(s.last_ts, Some(ts("2013-03-01T00:00:00")));
    assert_eq!(s.bar_interval_secs, 86_400.0);
    let first = loaded.bars[0];
    assert_eq!(first.open, dec!(118.56));
    assert_eq!(first.open.to_string(), "118.56");
    assert_eq!(
        (first.high, first.low, first.close, first.volume),
        (dec!(132.06), dec!(118.5), dec!(130.31), dec!(9616100))
    );
    let expected_sha: String = Sha256::digest(std::fs::read(&path).unwrap())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(s.sha256, expected_sha);
    // Markets were shut from 11 to 14 September 2001: four weekdays missing. Weekends are never gaps.
    let sept = Gap {
        after: ts("2001-09-10"),
        before: ts("2001-09-17"),
        missing_bars: 4,
    };
    assert!(s.gaps.contains(&sept), "{:?}", s.gaps);
    let weekend =
        |g: &Gap| g.after.date().format("%a").to_string() == "Fri" && g.before.secs_since(g.after) == 3.0 * 86_400.0;
    assert!(!s.gaps.iter().any(weekend));
    // Counted independently: steps over weekdays with no bar, and the weekdays they skip (exchange holidays).
    assert_eq!(s.gaps.len(), 118);
    assert_eq!(s.gaps.iter().map(|g| g.missing_bars).sum::<u64>(), 123);
}

#[test]
fn fx_weekends_are_not_gaps() {
    let path = sample("EURUSD_1h_gymanytrading.csv");
    let loaded = load_bars(&source(&path, DataFormat::Csv), None, None, Calendar::Fx).unwrap();
    assert_eq!(loaded.bars.len(), 6225);
    assert_eq!(loaded.bars[0].volume, dec!(143539993.3));
    assert_eq!(loaded.summary.bar_interval_secs, 3600.0);
    // Found by listing every step longer than an hour: 48 weekends of exactly Fri 21:00 -> Sun 22:00,
    // one DST weekend of 48 h, two weekends an hour longer than usual, and Christmas Day.
    let gaps = &loaded.summary.gaps;
    let expected = vec![
        Gap {
            after: ts("2017-11-03T20:00:00"),
            before: ts("2017-11-05T22:00:00"),
            missing_bars: 1,
        },
        Gap {
            after: ts("2017-12-22T21:00:00"),
            before: ts("2017-12-24T23:00:00"),
            missing_bars: 1,
        },
        Gap {
            after: ts("2017-12-25T07:00:00"),
            before: ts("2017-12-25T22:00:00"),
            missing_bars: 14,
        },
    ];
    assert_eq!(gaps, &expected);
    // The same file on a 24/7 calendar: every weekend is a gap.
    let crypto = load_bars(&source(&path, DataFormat::Csv), None, None, Calendar::Crypto).unwrap();
    assert!(crypto.summary.gaps.len() >= 51, "{}", crypto.summary.gaps.len());
}

#[test]
fn all_samples_load() {
    let expected_rows = [
        ("AAPL_1d_bokeh.csv", 3270),
        ("IBM_1d_bokeh.csv", 3270),
        ("MSFT_1d_bokeh.csv", 3270),
        ("FB_1d_bokeh.csv", 196),
        ("SP500_1d_vega.csv", 5105),
        ("EURUSD_1h_gymanytrading.csv", 6225),
    ];
    for (name, rows) in expected_rows {
        let loaded = load_bars(&source(&sample(name), DataFormat::Csv), None, None, Calendar::Equity).unwrap();
        assert_eq!(loaded.summary.rows, rows, "{name}");
    }
}

#[test]
fn column_mapping_and_timestamp_format() {
    let dir = TempDir::new().unwrap();
    let path = dir.path().join("mapped.csv");
    // Columns in another order, an extra column, day-first dates.
    std::fs::write(
        &path,
        "Volume,Date,Open,High,Low,Close,Adj Close\n\
         9616100,01/03/2000,118.56,132.06,118.5,130.31,1\n\
         2779100,02/03/2000,127,127.94,120.69,122,1\n",
    )
    .unwrap();
    let src = DataSource {
        path: path.clone(),
        format: DataFormat::Csv,
        columns: ColumnMap {
            timestamp: "Date".into(),
            open: "Open".into(),
            high: "High".into(),
            low: "Low".into(),
            close: "Close".into(),
            volume: "Volume".into(),
            spread: None,
        },
        timestamp_format: Some("%d/%m/%Y".into()),
    };
    let from_mapped = load_bars(&src, None, None, Calendar::Equity).unwrap().bars;
    let from_sample = load_all(&sample("AAPL_1d_bokeh.csv"), DataFormat::Csv);
    assert_eq!(from_mapped, from_sample[..2]);
    // Polars' CSV reader honours the same mapping and format.
    let polars = load_bars(
        &DataSource {
            format: DataFormat::CsvPolars,
            ..src.clone()
        },
        None,
        None,
        Calendar::Equity,
    );
    assert_eq!(polars.unwrap().bars, from_mapped);

    // Errors name the file's own column names.
    std::fs::write(
        &path,
        "Volume,Date,Open,High,Low,Close,Adj Close\n1,01/03/2000,10,9,8,9.5,1\n",
    )
    .unwrap();
    let err = load_bars(&src, None, None, Calendar::Equity).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("{}:2: High: 9 is below max(Open, Close) = 10", path.display())
    );
    // A date in the wrong layout says which layout was expected.
    std::fs::write(
        &path,
        "Volume,Date,Open,High,Low,Close,Adj Close\n1,2000-03-01,10,11,8,9.5,1\n",
    )
    .unwrap();
    let err = load_bars(&src, None, None, Calendar::Equity).unwrap_err();
    assert_eq!((err.line, err.field.as_deref()), (Some(2), Some("Date")));
    assert!(err.message.contains("format `%d/%m/%Y`"), "{err}");
}

#[test]
fn start_end_filter_is_inclusive() {
    let path = sample("AAPL_1d_bokeh.csv");
    let src = source(&path, DataFormat::Csv);
    // 2010 had 252 NYSE sessions; both bounds fall on trading days and are kept.
    let year = load_bars(&src, Some(ts("2010-01-04")), Some(ts("2010-12-31")), Calendar::Equity).unwrap();
    assert_eq!(year.bars.len(), 252);
    assert_eq!(year.summary.rows, 252);
    assert_eq!(year.summary.first_ts, Some(ts("2010-01-04")));
    assert_eq!(year.summary.last_ts, Some(ts("2010-12-31")));
    // Only a start, only an end.
    let tail = load_bars(&src, Some(ts("2013-02-28")), None, Calendar::Equity).unwrap();
    assert_eq!(
        tail.bars.iter().map(|b| b.ts).collect::<Vec<_>>(),
        vec![ts("2013-02-28"), ts("2013-03-01")]
    );
    let head = load_bars(&src, None, Some(ts("2000-03-02T12:00:00")), Calendar::Equity).unwrap();
    assert_eq!(head.bars.len(), 2);
    // A range with no bars is not an error, but the summary says so.
    let none = load_bars(&src, Some(ts("2020-01-01")), None, Calendar::Equity).unwrap();
    assert!(none.bars.is_empty());
    assert_eq!(
        (none.summary.rows, none.summary.first_ts, none.summary.bar_interval_secs),
        (0, None, 0.0)
    );
}

#[test]
fn csv_round_trip() {
    let dir = TempDir::new().unwrap();
    let params = SynthParams {
        bars: 2_000,
        tick_size: dec!(0.05),
        start_px: dec!(250),
        ..SynthParams::default()
    };
    let bars = synth_bars(&params);
    let path = dir.path().join("synth.csv");
    write_csv(&bars, &path).unwrap();
    assert_eq!(load_all(&path, DataFormat::Csv), bars);
    // Real data, with its mix of decimal places, survives too: write, read, compare.
    let aapl = load_all(&sample("EURUSD_1h_gymanytrading.csv"), DataFormat::Csv);
    write_csv(&aapl, &path).unwrap();
    assert_eq!(load_all(&path, DataFormat::Csv), aapl);
    // Written decimals carry no trailing zeros.
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(
        text.starts_with("timestamp,open,high,low,close,volume\n2017-01-01T22:00:00,1.05236,"),
        "{}",
        &text[..80]
    );
}

#[test]
fn write_handles_sub_second_timestamps() {
    let dir = TempDir::new().unwrap();
    let mut bars = synth_bars(&SynthParams {
        bars: 3,
        ..SynthParams::default()
    });
    bars[1].ts = Timestamp(bars[1].ts.0 + 500_000_000);
    let path = dir.path().join("frac.csv");
    write_csv(&bars, &path).unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("2020-01-01T00:01:00.500,"), "{text}");
    assert_eq!(load_all(&path, DataFormat::Csv), bars);
}

#[test]
fn polars_csv_matches_csv() {
    for name in ["AAPL_1d_bokeh.csv", "EURUSD_1h_gymanytrading.csv", "SP500_1d_vega.csv"] {
        let path = sample(name);
        let a = load_bars(&source(&path, DataFormat::Csv), None, None, Calendar::Equity).unwrap();
        let b = load_bars(&source(&path, DataFormat::CsvPolars), None, None, Calendar::Equity).unwrap();
        assert_eq!(a.bars, b.bars, "{name}");
        assert_eq!(a.summary, b.summary, "{name}");
    }
}

fn f64s(bars: &[Bar], get: fn(&Bar) -> Decimal) -> Vec<f64> {
    bars.iter().map(|b| get(b).to_f64().unwrap()).collect()
}

fn write_parquet(mut df: DataFrame, path: &Path) {
    let file = std::fs::File::create(path).unwrap();
    ParquetWriter::new(file).finish(&mut df).unwrap();
}

/// The sample's bars as a typed frame: Datetime timestamps in `unit`, float prices, integer volume.
fn typed_frame(bars: &[Bar], unit: TimeUnit) -> DataFrame {
    let per = match unit {
        TimeUnit::Nanoseconds => 1,
        TimeUnit::Microseconds => 1_000,
        TimeUnit::Milliseconds => 1_000_000,
    };
    let stamps: Vec<i64> = bars.iter().map(|b| b.ts.0 / per).collect();
    let stamps = Series::new("timestamp".into(), stamps)
        .cast(&DataType::Datetime(unit, None))
        .unwrap();
    let volume: Vec<i64> = bars.iter().map(|b| b.volume.to_i64().unwrap()).collect();
    DataFrame::new_infer_height(vec![
        Column::from(stamps),
        Column::from(Series::new("open".into(), f64s(bars, |b| b.open))),
        Column::from(Series::new("high".into(), f64s(bars, |b| b.high))),
        Column::from(Series::new("low".into(), f64s(bars, |b| b.low))),
        Column::from(Series::new("close".into(), f64s(bars, |b| b.close))),
        Column::from(Series::new("volume".into(), volume)),
    ])
    .unwrap()
}

#[test]
fn parquet_matches_csv() {
    let dir = TempDir::new().unwrap();
    let bars = load_all(&sample("AAPL_1d_bokeh.csv"), DataFormat::Csv);
    for unit in [TimeUnit::Nanoseconds, TimeUnit::Microseconds, TimeUnit::Milliseconds] {
        let path = dir.path().join(format!("aapl_{unit}.parquet"));
        write_parquet(typed_frame(&bars, unit), &path);
        let loaded = load_bars(&source(&path, DataFormat::Parquet), None, None, Calendar::Equity).unwrap();
        assert_eq!(loaded.bars, bars, "{unit}");
        assert_eq!(loaded.bars[0].open.to_string(), "118.56");
        assert_eq!(loaded.summary.rows, 3270);
    }
}

#[test]
fn parquet_accepts_text_dates_epochs_and_f32() {
    let dir = TempDir::new().unwrap();
    let bars = load_all(&sample("FB_1d_bokeh.csv"), DataFormat::Csv);
    let price = |name: &str, get: fn(&Bar) -> Decimal| Column::from(Series::new(name.into(), f64s(&bars, get)));
    let volume = Column::from(Series::new("volume".into(), f64s(&bars, |b| b.volume)));
    let timestamp_columns = [
        // ISO text.
        Series::new(
            "timestamp".into(),
            bars.iter().map(|b| b.ts.to_string()).collect::<Vec<_>>(),
        ),
        // Dates (days since the epoch): the bars are at midnight.
        Series::new(
            "timestamp".into(),
            bars.iter().map(|b| b.ts.day_index() as i32).collect::<Vec<_>>(),
        )
        .cast(&DataType::Date)
        .unwrap(),
        // Integer epoch nanoseconds.
        Series::new("timestamp".into(), bars.iter().map(|b| b.ts.0).collect::<Vec<_>>()),
    ];
    for (i, stamps) in timestamp_columns.into_iter().enumerate() {
        let df = DataFrame::new_infer_height(vec![
            Column::from(stamps),
            price("open", |b| b.open),
            price("high", |b| b.high),
            price("low", |b| b.low),
            price("close", |b| b.close),
            volume.clone(),
        ])
        .unwrap();
        let path = dir.path().join(format!("fb_{i}.parquet"));
        write_parquet(df, &path);
        assert_eq!(load_all(&path, DataFormat::Parquet), bars, "variant {i}");
    }

    // f32 prices and text prices read as their shortest decimal text.
    let df = DataFrame::new_infer_height(vec![
        Column::from(Series::new(
            "timestamp".into(),
            vec![ts("2000-03-01").0, ts("2000-03-02").0],
        )),
        Column::from(Series::new("open".into(), vec![118.56_f32, 127.0])),
        Column::from(Series::new("high".into(), vec!["132.06", "127.94"])),
        Column::from(Series::new("low".into(), vec![118.5_f32, 120.69])),
        Column::from(Series::new("close".into(), vec![130.31_f64, 122.0])),
        Column::from(Series::new("volume".into(), vec![9_616_100_u32, 2_779_100])),
    ])
    .unwrap();
    let path = dir.path().join("mixed.parquet");
    write_parquet(df, &path);
    let aapl = load_all(&sample("AAPL_1d_bokeh.csv"), DataFormat::Csv);
    assert_eq!(load_all(&path, DataFormat::Parquet), aapl[..2]);
}

#[test]
fn parquet_errors_name_rows() {
    let dir = TempDir::new().unwrap();
    let df = DataFrame::new_infer_height(vec![
        Column::from(Series::new(
            "timestamp".into(),
            vec!["2000-03-01", "2000-03-02", "2000-03-03"],
        )),
        Column::from(Series::new("open".into(), vec![10.0, 10.0, 10.0])),
        Column::from(Series::new("high".into(), vec![11.0, 11.0, 9.5])),
        Column::from(Series::new("low".into(), vec![9.0, f64::NAN, 9.0])),
        Column::from(Series::new("close".into(), vec![10.5, 10.5, 10.5])),
        Column::from(Series::new("volume".into(), vec![1_i64, 1, 1])),
    ])
    .unwrap();
    let path = dir.path().join("bad.parquet");
    write_parquet(df, &path);
    let src = source(&path, DataFormat::Parquet);
    let err = load_bars(&src, None, None, Calendar::Equity).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("{}: row 2: low: `NaN` is not a finite number", path.display())
    );
    let report = slipstream::data::check_file(&src, Calendar::Equity).unwrap();
    let shown: Vec<String> = report.errors.iter().map(ToString::to_string).collect();
    assert_eq!(
        shown,
        vec![
            format!("{}: row 2: low: `NaN` is not a finite number", path.display()),
            format!("{}: row 3: high: 9.5 is below max(open, close) = 10.5", path.display()),
        ]
    );
    assert_eq!(report.summary.rows, 1);

    // A missing column names the schema.
    let mut renamed = src.clone();
    renamed.columns.volume = "vol".into();
    let err = load_bars(&renamed, None, None, Calendar::Equity).unwrap_err();
    assert_eq!(err.line, None);
    assert!(
        err.message
            .starts_with("no column `vol` (columns.volume) in schema: timestamp,open"),
        "{err}"
    );
}

/// Microseconds (or whatever `per_sec` says) since the epoch of a civil date-time,
/// computed by chrono independently of the loader.
fn epoch(y: i32, m: u32, d: u32, per_sec: i64) -> i64 {
    let secs = chrono::NaiveDate::from_ymd_opt(y, m, d)
        .unwrap()
        .and_hms_opt(0, 0, 0)
        .unwrap()
        .and_utc()
        .timestamp();
    secs * per_sec
}

#[test]
fn parquet_refuses_out_of_range_timestamps_prices_and_volumes() {
    let dir = TempDir::new().unwrap();
    let micros = |y, m, d| epoch(y, m, d, 1_000_000);
    let stamps = vec![
        micros(2000, 3, 1),
        micros(2263, 1, 1),
        micros(2000, 3, 3),
        micros(2000, 3, 4),
        micros(2000, 3, 5),
        micros(2000, 3, 6),
        micros(2000, 3, 7),
    ];
    let df = DataFrame::new_infer_height(vec![
        Column::from(
            Series::new("timestamp".into(), stamps)
                .cast(&DataType::Datetime(TimeUnit::Microseconds, None))
                .unwrap(),
        ),
        Column::from(Series::new(
            "open".into(),
            vec![100.0, 100.0, 1e25, 100.0, 100.0, 1e30, 100.0],
        )),
        Column::from(Series::new(
            "high".into(),
            vec![105.0, 105.0, 1e25, 105.0, 105.0, 1e30, 105.0],
        )),
        Column::from(Series::new(
            "low".into(),
            vec![99.0, 99.0, 99.0, 1e-28, 99.0, 99.0, 99.0],
        )),
        Column::from(Series::new(
            "close".into(),
            vec![101.0, 101.0, 101.0, 101.0, 101.0, 101.0, 101.0],
        )),
        Column::from(Series::new(
            "volume".into(),
            vec![1_i64, 1, 1, 1, 5_000_000_000_000_000_000, 1, 1],
        )),
    ])
    .unwrap();
    let path = dir.path().join("extreme.parquet");
    write_parquet(df, &path);
    let src = source(&path, DataFormat::Parquet);
    let p = path.display();
    let err = load_bars(&src, None, None, Calendar::Crypto).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("{p}: row 2: timestamp: 2263-01-01T00:00:00 is outside the supported range 1677-09-22 .. 2262-04-11")
    );
    let report = slipstream::data::check_file(&src, Calendar::Crypto).unwrap();
    let shown: Vec<String> = report.errors.iter().map(ToString::to_string).collect();
    let prices = "is outside the supported price range 0.00000001 .. 1000000000000";
    assert_eq!(
        shown,
        vec![
            format!(
                "{p}: row 2: timestamp: 2263-01-01T00:00:00 is outside the supported range 1677-09-22 .. 2262-04-11"
            ),
            format!("{p}: row 3: open: 1e25 {prices}"),
            format!("{p}: row 4: low: 1e-28 {prices}"),
            format!("{p}: row 5: volume: 5e18 is outside the supported volume range 0 .. 1000000000000000000"),
            format!("{p}: row 6: open: 1e30 {prices}"),
        ]
    );
    assert_eq!(report.summary.rows, 2);
}

#[test]
fn parquet_dates_and_datetimes_of_every_unit_are_range_checked() {
    let dir = TempDir::new().unwrap();
    let one = |stamps: Series, name: &str| {
        let df = DataFrame::new_infer_height(vec![
            Column::from(stamps),
            Column::from(Series::new("open".into(), vec![10.0])),
            Column::from(Series::new("high".into(), vec![11.0])),
            Column::from(Series::new("low".into(), vec![9.0])),
            Column::from(Series::new("close".into(), vec![10.5])),
            Column::from(Series::new("volume".into(), vec![1_i64])),
        ])
        .unwrap();
        let path = dir.path().join(name);
        write_parquet(df, &path);
        load_bars(&source(&path, DataFormat::Parquet), None, None, Calendar::Crypto)
    };
    let datetime = |value: i64, unit: TimeUnit| {
        Series::new("timestamp".into(), vec![value])
            .cast(&DataType::Datetime(unit, None))
            .unwrap()
    };
    let date = |y, m, d| {
        let days = (epoch(y, m, d, 1) / 86_400) as i32;
        Series::new("timestamp".into(), vec![days])
            .cast(&DataType::Date)
            .unwrap()
    };
    let out = "is outside the supported range 1677-09-22 .. 2262-04-11";
    let cases = [
        (date(2263, 1, 1), "2263-01-01".to_string()),
        (date(1600, 2, 29), "1600-02-29".to_string()),
        (
            datetime(epoch(2263, 1, 1, 1_000), TimeUnit::Milliseconds),
            "2263-01-01T00:00:00".to_string(),
        ),
        (
            datetime(epoch(1600, 1, 1, 1_000) + 1_500, TimeUnit::Milliseconds),
            "1600-01-01T00:00:01".to_string(),
        ),
        (
            datetime(i64::MAX, TimeUnit::Microseconds),
            "294247-01-10T04:00:54".to_string(),
        ),
    ];
    for (i, (stamps, shown)) in cases.into_iter().enumerate() {
        let err = one(stamps, &format!("t{i}.parquet")).unwrap_err();
        assert_eq!((err.line, err.field.as_deref()), (Some(1), Some("timestamp")), "{err}");
        assert_eq!(err.message, format!("{shown} {out}"));
    }
    // The edges that fit still load, in every unit.
    let last_day = date(2262, 4, 11);
    let first_day = date(1677, 9, 22);
    assert_eq!(
        one(last_day, "last.parquet").unwrap().bars[0].ts.to_string(),
        "2262-04-11T00:00:00"
    );
    assert_eq!(
        one(first_day, "first.parquet").unwrap().bars[0].ts.to_string(),
        "1677-09-22T00:00:00"
    );
    let max_ms = i64::MAX / 1_000_000;
    let loaded = one(datetime(max_ms, TimeUnit::Milliseconds), "max_ms.parquet").unwrap();
    assert_eq!(loaded.bars[0].ts.to_string(), "2262-04-11T23:47:16.854");
}

fn bars_at(stamps: &[&str]) -> Vec<Bar> {
    stamps
        .iter()
        .map(|s| Bar {
            ts: ts(s),
            open: dec!(1),
            high: dec!(1),
            low: dec!(1),
            close: dec!(1),
            volume: dec!(1),
        })
        .collect()
}

#[test]
fn gaps_in_daily_bars() {
    // 2024-03-01 is a Friday.
    let bars = bars_at(&[
        "2024-02-28", // Wed
        "2024-02-29", // Thu
        "2024-03-01", // Fri
        "2024-03-04", // Mon: after a weekend, no gap
        "2024-03-06", // Wed: Tuesday missing
        "2024-03-07", // Thu
        "2024-03-12", // Tue: Fri and Mon missing, weekend skipped
        "2024-03-13", // Wed
    ]);
    let gap = |a: &str, b: &str, n: u64| Gap {
        after: ts(a),
        before: ts(b),
        missing_bars: n,
    };
    let equity = vec![gap("2024-03-04", "2024-03-06", 1), gap("2024-03-07", "2024-03-12", 2)];
    assert_eq!(detect_gaps(&bars, Calendar::Equity), equity);
    assert_eq!(detect_gaps(&bars, Calendar::Fx), equity);
    // Around the clock every day: the weekends are missing too.
    let crypto = vec![
        gap("2024-03-01", "2024-03-04", 2),
        gap("2024-03-04", "2024-03-06", 1),
        gap("2024-03-07", "2024-03-12", 4),
    ];
    assert_eq!(detect_gaps(&bars, Calendar::Crypto), crypto);
    assert!(detect_gaps(&bars[..1], Calendar::Equity).is_empty());
}

#[test]
fn gaps_in_intraday_equity_bars() {
    // Hourly bars 09:00..=15:00 (7 a day) on Thu 29 Feb, Fri 1 Mar, Tue 5 Mar (Monday missing)
    // and Wed 6 Mar, where the 11:00 and 12:00 bars are missing.
    let mut stamps = Vec::new();
    for day in ["2024-02-29", "2024-03-01", "2024-03-05", "2024-03-06"] {
        for hour in 9..=15 {
            if day == "2024-03-06" && (hour == 11 || hour == 12) {
                continue;
            }
            stamps.push(format!("{day}T{hour:02}:00:00"));
        }
    }
    let stamps: Vec<&str> = stamps.iter().map(String::as_str).collect();
    let bars = bars_at(&stamps);
    let gaps = detect_gaps(&bars, Calendar::Equity);
    let expected = vec![
        // Overnight and the weekend are not gaps; the missing Monday is a whole session.
        Gap {
            after: ts("2024-03-01T15:00:00"),
            before: ts("2024-03-05T09:00:00"),
            missing_bars: 7,
        },
        Gap {
            after: ts("2024-03-06T10:00:00"),
            before: ts("2024-03-06T13:00:00"),
            missing_bars: 2,
        },
    ];
    assert_eq!(gaps, expected);
}

#[test]
fn gaps_in_intraday_fx_bars() {
    // Hourly FX bars: Fri 1 Mar up to 21:00, reopening Sun 3 Mar 22:00, with Mon 02:00 missing.
    let mut stamps = vec!["2024-03-01T19:00:00", "2024-03-01T20:00:00", "2024-03-01T21:00:00"];
    stamps.extend([
        "2024-03-03T22:00:00",
        "2024-03-03T23:00:00",
        "2024-03-04T00:00:00",
        "2024-03-04T01:00:00",
    ]);
    stamps.extend(["2024-03-04T03:00:00", "2024-03-04T04:00:00"]);
    let bars = bars_at(&stamps);
    let expected = vec![Gap {
        after: ts("2024-03-04T01:00:00"),
        before: ts("2024-03-04T03:00:00"),
        missing_bars: 1,
    }];
    assert_eq!(detect_gaps(&bars, Calendar::Fx), expected);
    // Without the weekend rule, the weekend is 48 missing hours.
    let crypto = detect_gaps(&bars, Calendar::Crypto);
    assert_eq!(crypto[0].missing_bars, 48);
}
