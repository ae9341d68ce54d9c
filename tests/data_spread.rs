//! The optional spread column (`columns.spread`): read beside the bars by every reader,
//! kept index for index with them through the start/end filter, validated at the door
//! with the file, line (or row) and mapped column name in every error, and checked by
//! `data check` and the backtest's loader.

use polars::prelude::{Column, DataFrame, NamedFrom, ParquetWriter, Series};
use rust_decimal::{Decimal, dec};
use slipstream::data::{DataError, LoadedBars, PRICE_MAX, check_file, load_bars};
use slipstream::model::{Calendar, Timestamp};
use slipstream::scenario::{ColumnMap, DataFormat, DataSource};
use std::path::{Path, PathBuf};
use tempfile::TempDir;

/// The spread column has its own name, and the scenario maps it.
const HEADER: &str = "timestamp,open,high,low,close,volume,ba_spread\n";
const ROWS: &str = "2000-03-01T00:00:00,100,105,99,101.2,1000,0.02\n\
                    2000-03-02T00:00:00,101.2,103,100,102,2000,0\n\
                    2000-03-03T00:00:00,102,104,101,103,1500,0.5\n\
                    2000-03-06T00:00:00,103,106,102,105,1800,1e-2\n";

fn spread_source(path: &Path, format: DataFormat) -> DataSource {
    DataSource {
        path: path.to_path_buf(),
        format,
        columns: ColumnMap {
            spread: Some("ba_spread".into()),
            ..ColumnMap::default()
        },
        timestamp_format: None,
    }
}

fn write(dir: &TempDir, name: &str, text: &str) -> PathBuf {
    let path = dir.path().join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn ts(text: &str) -> Timestamp {
    Timestamp::parse_iso(text).unwrap()
}

fn load(src: &DataSource, start: Option<&str>, end: Option<&str>) -> Result<LoadedBars, DataError> {
    load_bars(src, start.map(ts), end.map(ts), Calendar::Equity)
}

const TEXT_FORMATS: [DataFormat; 2] = [DataFormat::Csv, DataFormat::CsvPolars];

#[test]
fn spreads_load_aligned_with_the_bars_and_cut_to_the_range() {
    let dir = TempDir::new().unwrap();
    let path = write(&dir, "bars.csv", &format!("{HEADER}{ROWS}"));
    for format in TEXT_FORMATS {
        let src = spread_source(&path, format);
        let all = load(&src, None, None).unwrap();
        assert_eq!(all.bars.len(), 4, "{format:?}");
        assert_eq!(
            all.spreads,
            Some(vec![dec!(0.02), dec!(0), dec!(0.5), dec!(0.01)]),
            "{format:?}"
        );
        // The bars are those of the same file read without the spread.
        let plain = load(
            &DataSource {
                columns: ColumnMap::default(),
                ..src.clone()
            },
            None,
            None,
        )
        .unwrap();
        assert_eq!(plain.bars, all.bars, "{format:?}");
        assert_eq!(plain.spreads, None, "{format:?}");

        let cut = load(&src, Some("2000-03-02"), Some("2000-03-03")).unwrap();
        assert_eq!(cut.bars, all.bars[1..3], "{format:?}");
        assert_eq!(cut.spreads, Some(vec![dec!(0), dec!(0.5)]), "{format:?}");
        let from = load(&src, Some("2000-03-03"), None).unwrap();
        assert_eq!(from.spreads, Some(vec![dec!(0.5), dec!(0.01)]), "{format:?}");
        let none = load(&src, Some("2001-01-01"), None).unwrap();
        assert_eq!((none.bars.len(), none.spreads), (0, Some(vec![])), "{format:?}");
    }
}

#[test]
fn the_spread_column_is_found_like_the_others() {
    let dir = TempDir::new().unwrap();
    // Anywhere in the header, matched ignoring case when that is unambiguous.
    let path = write(
        &dir,
        "moved.csv",
        "BA_Spread,timestamp,open,high,low,close,volume\n\
         0.25,2000-03-01T00:00:00,100,105,99,101.2,1000\n",
    );
    for format in TEXT_FORMATS {
        let loaded = load(&spread_source(&path, format), None, None).unwrap();
        assert_eq!(loaded.spreads, Some(vec![dec!(0.25)]), "{format:?}");
        assert_eq!(loaded.bars[0].close, dec!(101.2), "{format:?}");
    }
}

#[test]
fn the_bounds_themselves_are_accepted() {
    let dir = TempDir::new().unwrap();
    let path = write(
        &dir,
        "bounds.csv",
        &format!(
            "{HEADER}2000-03-01T00:00:00,100,105,99,101.2,1000,0\n\
             2000-03-02T00:00:00,100,105,99,101.2,1000,{PRICE_MAX}\n"
        ),
    );
    for format in TEXT_FORMATS {
        let loaded = load(&spread_source(&path, format), None, None).unwrap();
        assert_eq!(loaded.spreads, Some(vec![Decimal::ZERO, PRICE_MAX]), "{format:?}");
    }
}

#[test]
fn bad_spreads_name_file_line_and_mapped_column() {
    let spread_range = format!("is outside the supported spread range 0 .. {PRICE_MAX}");
    let cases = [
        ("-0.01", "-0.01 is negative".to_string()),
        ("-1e30", "-1e30 is negative".to_string()),
        ("abc", "`abc` is not a number".to_string()),
        ("", "missing value".to_string()),
        ("  ", "missing value".to_string()),
        ("1000000000000.01", format!("1000000000000.01 {spread_range}")),
        ("1e25", format!("1e25 {spread_range}")),
        ("1e30", format!("1e30 {spread_range}")),
        ("NaN", "`NaN` is not a finite number".to_string()),
        ("inf", "`inf` is not a finite number".to_string()),
        ("-Infinity", "`-Infinity` is not a finite number".to_string()),
        (
            "1e-30",
            "1e-30 is too small to represent (at most 28 decimal places)".to_string(),
        ),
    ];
    let dir = TempDir::new().unwrap();
    for (i, (value, message)) in cases.iter().enumerate() {
        let path = write(
            &dir,
            &format!("bad_{i}.csv"),
            &format!("{HEADER}{ROWS}2000-03-07T00:00:00,105,106,104,105,900,{value}\n"),
        );
        for format in TEXT_FORMATS {
            let err = load(&spread_source(&path, format), None, None).expect_err(value);
            assert_eq!(
                err.to_string(),
                format!("{}:6: ba_spread: {message}", path.display()),
                "{value:?} {format:?}"
            );
            assert_eq!(
                (err.line, err.field.as_deref()),
                (Some(6), Some("ba_spread")),
                "{value:?} {format:?}"
            );
        }
    }
}

#[test]
fn a_bad_bar_is_reported_before_its_spread() {
    let dir = TempDir::new().unwrap();
    let path = write(
        &dir,
        "both.csv",
        &format!("{HEADER}2000-03-01T00:00:00,100,99,98,101,1000,-1\n"),
    );
    let err = load(&spread_source(&path, DataFormat::Csv), None, None).unwrap_err();
    assert_eq!(err.field.as_deref(), Some("high"), "{err}");
}

#[test]
fn a_short_row_is_still_a_field_count_error() {
    let dir = TempDir::new().unwrap();
    let path = write(
        &dir,
        "short.csv",
        &format!("{HEADER}2000-03-01T00:00:00,100,105,99,101.2,1000\n"),
    );
    for format in TEXT_FORMATS {
        let err = load(&spread_source(&path, format), None, None).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!("{}:2: expected 7 fields (as in the header), found 6", path.display()),
            "{format:?}"
        );
    }
}

#[test]
fn a_mapped_spread_column_must_exist() {
    let dir = TempDir::new().unwrap();
    let path = write(
        &dir,
        "plain.csv",
        "timestamp,open,high,low,close,volume\n2000-03-01T00:00:00,100,105,99,101.2,1000\n",
    );
    for format in TEXT_FORMATS {
        let err = load(&spread_source(&path, format), None, None).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "{}:1: no column `ba_spread` (columns.spread) in header: timestamp,open,high,low,close,volume",
                path.display()
            ),
            "{format:?}"
        );
        let err = check_file(&spread_source(&path, format), Calendar::Equity).unwrap_err();
        assert!(err.message.contains("(columns.spread)"), "{err}");
    }
}

#[test]
fn data_check_collects_every_spread_error() {
    let dir = TempDir::new().unwrap();
    let path = write(
        &dir,
        "many.csv",
        &format!(
            "{HEADER}{ROWS}2000-03-07T00:00:00,105,106,104,105,900,-2\n\
             2000-03-08T00:00:00,105,106,104,105,900,0.03\n\
             2000-03-09T00:00:00,105,106,104,105,900,\n\
             2000-03-10T00:00:00,105,106,104,105,900,nan\n"
        ),
    );
    let p = path.display();
    for format in TEXT_FORMATS {
        let report = check_file(&spread_source(&path, format), Calendar::Equity).unwrap();
        let shown: Vec<String> = report.errors.iter().map(ToString::to_string).collect();
        assert_eq!(
            shown,
            vec![
                format!("{p}:6: ba_spread: -2 is negative"),
                format!("{p}:8: ba_spread: missing value"),
                format!("{p}:9: ba_spread: `nan` is not a finite number"),
            ],
            "{format:?}"
        );
        assert_eq!(report.summary.rows, 5, "{format:?}");
    }
}

fn write_parquet(mut df: DataFrame, path: &Path) {
    let file = std::fs::File::create(path).unwrap();
    ParquetWriter::new(file).finish(&mut df).unwrap();
}

/// Three daily bars with the given spread column.
fn parquet_with(spread: Column) -> DataFrame {
    DataFrame::new_infer_height(vec![
        Column::from(Series::new(
            "timestamp".into(),
            vec!["2000-03-01", "2000-03-02", "2000-03-03"],
        )),
        Column::from(Series::new("open".into(), vec![100.0, 101.0, 102.0])),
        Column::from(Series::new("high".into(), vec![105.0, 103.0, 104.0])),
        Column::from(Series::new("low".into(), vec![99.0, 100.0, 101.0])),
        Column::from(Series::new("close".into(), vec![101.0, 102.0, 103.0])),
        Column::from(Series::new("volume".into(), vec![1000_i64, 2000, 1500])),
        spread,
    ])
    .unwrap()
}

#[test]
fn parquet_spreads_of_any_numeric_or_text_type() {
    let dir = TempDir::new().unwrap();
    let columns = [
        Column::from(Series::new("ba_spread".into(), vec![0.02_f64, 0.0, 0.5])),
        Column::from(Series::new("ba_spread".into(), vec![0.02_f32, 0.0, 0.5])),
        Column::from(Series::new("ba_spread".into(), vec!["0.02", "0", "0.5"])),
    ];
    for (i, spread) in columns.into_iter().enumerate() {
        let path = dir.path().join(format!("typed_{i}.parquet"));
        write_parquet(parquet_with(spread), &path);
        let src = spread_source(&path, DataFormat::Parquet);
        let all = load(&src, None, None).unwrap();
        assert_eq!(all.bars.len(), 3, "variant {i}");
        assert_eq!(all.spreads, Some(vec![dec!(0.02), dec!(0), dec!(0.5)]), "variant {i}");
        let cut = load(&src, Some("2000-03-02"), None).unwrap();
        assert_eq!(cut.bars, all.bars[1..], "variant {i}");
        assert_eq!(cut.spreads, Some(vec![dec!(0), dec!(0.5)]), "variant {i}");
    }
    // Small integers are widened, as for the other columns.
    let path = dir.path().join("ints.parquet");
    write_parquet(
        parquet_with(Column::from(Series::new("ba_spread".into(), vec![0_i32, 1, 2]))),
        &path,
    );
    let loaded = load(&spread_source(&path, DataFormat::Parquet), None, None).unwrap();
    assert_eq!(loaded.spreads, Some(vec![dec!(0), dec!(1), dec!(2)]));
}

#[test]
fn parquet_spread_errors_name_rows() {
    let dir = TempDir::new().unwrap();
    let path = dir.path().join("bad.parquet");
    let spread = Series::new("ba_spread".into(), vec![Some(-0.5), None, Some(f64::NAN)]);
    write_parquet(parquet_with(Column::from(spread)), &path);
    let src = spread_source(&path, DataFormat::Parquet);
    let p = path.display();
    let err = load(&src, None, None).unwrap_err();
    assert_eq!(err.to_string(), format!("{p}: row 1: ba_spread: -0.5 is negative"));
    let report = check_file(&src, Calendar::Equity).unwrap();
    let shown: Vec<String> = report.errors.iter().map(ToString::to_string).collect();
    assert_eq!(
        shown,
        vec![
            format!("{p}: row 1: ba_spread: -0.5 is negative"),
            format!("{p}: row 2: ba_spread: missing value"),
            format!("{p}: row 3: ba_spread: `NaN` is not a finite number"),
        ]
    );
    assert_eq!(report.summary.rows, 0);

    let path = dir.path().join("huge.parquet");
    let spread = Series::new("ba_spread".into(), vec![0.1, 2e12, f64::INFINITY]);
    write_parquet(parquet_with(Column::from(spread)), &path);
    let report = check_file(&spread_source(&path, DataFormat::Parquet), Calendar::Equity).unwrap();
    let shown: Vec<String> = report.errors.iter().map(ToString::to_string).collect();
    let p = path.display();
    assert_eq!(
        shown,
        vec![
            format!("{p}: row 2: ba_spread: 2000000000000 is outside the supported spread range 0 .. {PRICE_MAX}"),
            format!("{p}: row 3: ba_spread: `inf` is not a finite number"),
        ]
    );
    assert_eq!(report.summary.rows, 1);

    // A column of a type that holds no numbers names the column, for the whole file.
    let path = dir.path().join("bools.parquet");
    let spread = Series::new("ba_spread".into(), vec![true, false, true]);
    write_parquet(parquet_with(Column::from(spread)), &path);
    let err = load(&spread_source(&path, DataFormat::Parquet), None, None).unwrap_err();
    assert_eq!((err.line, err.field.as_deref()), (None, Some("ba_spread")), "{err}");
    assert!(err.message.contains("unsupported column type"), "{err}");
}

#[test]
fn a_mapped_spread_column_must_be_in_the_parquet_schema() {
    let dir = TempDir::new().unwrap();
    let path = dir.path().join("no_spread.parquet");
    let other = Column::from(Series::new("spread_bps".into(), vec![1.0, 2.0, 3.0]));
    write_parquet(parquet_with(other), &path);
    let err = load(&spread_source(&path, DataFormat::Parquet), None, None).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "{}: no column `ba_spread` (columns.spread) in schema: timestamp,open,high,low,close,volume,spread_bps",
            path.display()
        )
    );
}

#[test]
fn market_data_carries_spreads_per_instrument() {
    let dir = TempDir::new().unwrap();
    write(&dir, "a.csv", &format!("{HEADER}{ROWS}"));
    let scenario_text = "name = \"s\"\ncash = 1000\nstart = \"2000-03-02\"\n\
        [[instruments]]\nsymbol = \"A\"\ndata = \"a.csv\"\ncolumns = { spread = \"ba_spread\" }\n\
        [[instruments]]\nsymbol = \"B\"\ndata = \"a.csv\"\n\
        [strategy]\nkind = \"buy_and_hold\"\n";
    let scenario =
        slipstream::scenario::parse_str(scenario_text, &dir.path().join("s.toml"), &[]).expect("scenario parses");
    let data = slipstream::backtest::load_market_data(&scenario).unwrap();
    assert_eq!(data.bars.len(), 2);
    assert_eq!(data.spreads, vec![Some(vec![dec!(0), dec!(0.5), dec!(0.01)]), None]);
    assert_eq!(data.bars[0], data.bars[1]);
}
