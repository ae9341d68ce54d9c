//! Validation at the door: every kind of bad data is refused with an error that names
//! the file, the line (as an editor numbers it: header = line 1) and the column.

use slipstream::data::{DataError, check_file, load_bars};
use slipstream::model::{Calendar, Timestamp};
use slipstream::scenario::{ColumnMap, DataFormat, DataSource};
use std::path::{Path, PathBuf};
use tempfile::TempDir;

const HEADER: &str = "timestamp,open,high,low,close,volume\n";
const GOOD_1: &str = "2000-03-01T00:00:00,100,105,99,101.2,1000\n";
const GOOD_2: &str = "2000-03-02T00:00:00,101.2,103,100,102,2000\n";

fn source(path: &Path, format: DataFormat) -> DataSource {
    DataSource {
        path: path.to_path_buf(),
        format,
        columns: ColumnMap::default(),
        timestamp_format: None,
    }
}

fn write(dir: &TempDir, name: &str, text: &str) -> PathBuf {
    let path = dir.path().join(name);
    std::fs::write(&path, text).unwrap();
    path
}

/// Loads `body` (after the standard header and one good row) and returns the error.
fn error_for(body: &str) -> (DataError, PathBuf) {
    let dir = TempDir::new().unwrap();
    let path = write(&dir, "bars.csv", &format!("{HEADER}{GOOD_1}{body}"));
    let err = load_bars(&source(&path, DataFormat::Csv), None, None, Calendar::Equity).expect_err("must fail");
    (err, path)
}

#[track_caller]
fn assert_error(err: &DataError, path: &Path, line: u64, field: Option<&str>, needle: &str) {
    assert_eq!(err.file, path, "{err}");
    assert_eq!(err.line, Some(line), "{err}");
    assert_eq!(err.field.as_deref(), field, "{err}");
    assert!(
        err.message.contains(needle),
        "`{}` does not contain `{needle}`",
        err.message
    );
    let shown = err.to_string();
    assert!(shown.starts_with(&format!("{}:{line}: ", path.display())), "{shown}");
    if let Some(f) = field {
        assert!(shown.contains(&format!(":{line}: {f}: ")), "{shown}");
    }
}

#[test]
fn non_numeric_value() {
    let (err, path) = error_for("2000-03-02T00:00:00,abc,103,100,102,2000\n");
    assert_error(&err, &path, 3, Some("open"), "`abc` is not a number");
}

#[test]
fn nan_is_not_finite() {
    let (err, path) = error_for("2000-03-02T00:00:00,101,103,100,NaN,2000\n");
    assert_error(&err, &path, 3, Some("close"), "`NaN` is not a finite number");
}

#[test]
fn inf_is_not_finite() {
    let (err, path) = error_for(&format!("{GOOD_2}2000-03-03T00:00:00,101,inf,100,102,2000\n"));
    assert_error(&err, &path, 4, Some("high"), "`inf` is not a finite number");
}

#[test]
fn empty_field_is_missing() {
    let (err, path) = error_for("2000-03-02T00:00:00,101,103,100,102,\n");
    assert_error(&err, &path, 3, Some("volume"), "missing value");
}

#[test]
fn zero_price() {
    let (err, path) = error_for("2000-03-02T00:00:00,101,103,0,102,2000\n");
    assert_error(&err, &path, 3, Some("low"), "price 0 must be greater than 0");
}

#[test]
fn negative_price() {
    let (err, path) = error_for("2000-03-02T00:00:00,-101,103,-102,102,2000\n");
    assert_error(&err, &path, 3, Some("open"), "price -101 must be greater than 0");
}

#[test]
fn negative_volume() {
    let (err, path) = error_for("2000-03-02T00:00:00,101,103,100,102,-5\n");
    assert_error(&err, &path, 3, Some("volume"), "-5 is negative");
}

#[test]
fn high_below_open_or_close() {
    let (err, path) = error_for("2000-03-02T00:00:00,100,99.5,98,101.2,2000\n");
    assert_error(&err, &path, 3, Some("high"), "99.5 is below max(open, close) = 101.2");
    assert_eq!(
        err.to_string(),
        format!("{}:3: high: 99.5 is below max(open, close) = 101.2", path.display())
    );
}

#[test]
fn low_above_open_or_close() {
    let (err, path) = error_for("2000-03-02T00:00:00,100,103,99.9,99.8,2000\n");
    assert_error(&err, &path, 3, Some("low"), "99.9 is above min(open, close) = 99.8");
}

#[test]
fn duplicate_timestamp() {
    let (err, path) = error_for(&format!("{GOOD_2}{GOOD_2}"));
    assert_error(
        &err,
        &path,
        4,
        Some("timestamp"),
        "duplicate timestamp 2000-03-02T00:00:00 (also on line 3)",
    );
}

#[test]
fn decreasing_timestamp() {
    let (err, path) = error_for(&format!("{GOOD_2}2000-02-28T00:00:00,101,103,100,102,2000\n"));
    assert_error(
        &err,
        &path,
        4,
        Some("timestamp"),
        "2000-02-28T00:00:00 is before 2000-03-02T00:00:00 on line 3",
    );
}

#[test]
fn unparseable_timestamp() {
    let (err, path) = error_for("2000-02-30T00:00:00,101,103,100,102,2000\n");
    assert_error(
        &err,
        &path,
        3,
        Some("timestamp"),
        "cannot parse `2000-02-30T00:00:00` as a timestamp",
    );
}

#[test]
fn wrong_number_of_fields() {
    let (err, path) = error_for("2000-03-02T00:00:00,101,103,100,102\n");
    assert_error(&err, &path, 3, None, "expected 6 fields (as in the header), found 5");
}

#[test]
fn line_numbers_count_quoted_newlines_and_blank_lines() {
    // Line 3 is blank; the row on line 4 has a quoted note spanning lines 4 and 5; the bad row is line 6.
    let dir = TempDir::new().unwrap();
    let text = "timestamp,open,high,low,close,volume,note\n\
                2000-03-01T00:00:00,100,105,99,101.2,1000,plain\n\
                \n\
                2000-03-02T00:00:00,101,103,100,102,2,\"two\nlines\"\n\
                2000-03-03T00:00:00,x,1,1,1,1,\n";
    let path = write(&dir, "bars.csv", text);
    let err = load_bars(&source(&path, DataFormat::Csv), None, None, Calendar::Equity).unwrap_err();
    assert_error(&err, &path, 6, Some("open"), "`x` is not a number");
}

#[test]
fn missing_column_names_column_and_mapping() {
    let dir = TempDir::new().unwrap();
    let path = write(&dir, "bars.csv", &format!("{HEADER}{GOOD_1}"));
    let mut src = source(&path, DataFormat::Csv);
    src.columns.timestamp = "Date".into();
    let err = load_bars(&src, None, None, Calendar::Equity).unwrap_err();
    assert_eq!(err.line, Some(1));
    assert_eq!(
        err.to_string(),
        format!(
            "{}:1: no column `Date` (columns.timestamp) in header: timestamp,open,high,low,close,volume",
            path.display()
        )
    );
    // check_file refuses it outright too.
    assert_eq!(check_file(&src, Calendar::Equity).unwrap_err(), err);
}

#[test]
fn empty_and_header_only_files() {
    let dir = TempDir::new().unwrap();
    for format in [DataFormat::Csv, DataFormat::CsvPolars] {
        let empty = write(&dir, "empty.csv", "");
        let err = load_bars(&source(&empty, format), None, None, Calendar::Equity).unwrap_err();
        assert!(err.message.contains("empty file"), "{err}");
        let header_only = write(&dir, "header.csv", HEADER);
        let err = load_bars(&source(&header_only, format), None, None, Calendar::Equity).unwrap_err();
        assert_eq!(err.file, header_only);
        assert!(err.message.contains("no data rows"), "{err}");
    }
}

#[test]
fn cannot_open() {
    let dir = TempDir::new().unwrap();
    let path = dir.path().join("absent.csv");
    let err = load_bars(&source(&path, DataFormat::Csv), None, None, Calendar::Equity).unwrap_err();
    assert_eq!(err.file, path);
    assert!(err.message.starts_with("cannot open"), "{err}");
    assert!(check_file(&source(&path, DataFormat::Csv), Calendar::Equity).is_err());
}

#[test]
fn exponent_numbers_are_accepted() {
    let dir = TempDir::new().unwrap();
    let path = write(
        &dir,
        "bars.csv",
        &format!("{HEADER}2000-03-01T00:00:00,1.0e2,1.05E2,99,1.012e+2,1.5e3\n"),
    );
    let loaded = load_bars(&source(&path, DataFormat::Csv), None, None, Calendar::Equity).unwrap();
    let bar = loaded.bars[0];
    assert_eq!(bar.open.to_string(), "100");
    assert_eq!(bar.high.to_string(), "105");
    assert_eq!(bar.close.to_string(), "101.2");
    assert_eq!(bar.volume.to_string(), "1500");
}

#[test]
fn first_error_aborts_but_check_collects_all() {
    let dir = TempDir::new().unwrap();
    let text = format!(
        "{HEADER}{GOOD_1}2000-03-02T00:00:00,101,100,100,102,1\n{GOOD_2}2000-03-03T00:00:00,1,1,1,1,-1\n\
         2000-03-06T00:00:00,1,1,1,1,1\n"
    );
    let path = write(&dir, "bars.csv", &text);
    let src = source(&path, DataFormat::Csv);
    let err = load_bars(&src, None, None, Calendar::Equity).unwrap_err();
    assert_eq!((err.line, err.field.as_deref()), (Some(3), Some("high")));

    let report = check_file(&src, Calendar::Equity).unwrap();
    let found: Vec<(Option<u64>, Option<&str>)> = report.errors.iter().map(|e| (e.line, e.field.as_deref())).collect();
    // Line 4 repeats line 3's timestamp, but line 3 was invalid, so line 4 is the first 03-02 bar.
    assert_eq!(found, vec![(Some(3), Some("high")), (Some(5), Some("volume"))]);
    assert_eq!(report.summary.rows, 3);
    assert_eq!(report.summary.first_ts, Timestamp::parse_iso("2000-03-01"));
    assert_eq!(report.summary.last_ts, Timestamp::parse_iso("2000-03-06"));
    let text = report.render();
    assert!(text.contains("errors:   2"), "{text}");
    assert!(
        text.contains(&format!("{}:5: volume: -1 is negative", path.display())),
        "{text}"
    );
}

#[test]
fn check_lists_at_most_fifty_errors() {
    let dir = TempDir::new().unwrap();
    let mut text = String::from(HEADER);
    for day in 1..=28 {
        text.push_str(&format!("2001-02-{day:02}T00:00:00,1,1,1,1,-{day}\n"));
    }
    for day in 1..=30 {
        text.push_str(&format!("2001-04-{day:02}T00:00:00,1,1,1,1,-{day}\n"));
    }
    let path = write(&dir, "bars.csv", &text);
    let report = check_file(&source(&path, DataFormat::Csv), Calendar::Crypto).unwrap();
    assert_eq!(report.errors.len(), 58);
    assert_eq!(report.summary.rows, 0);
    let text = report.render();
    assert!(text.contains("errors:   58"), "{text}");
    assert!(text.contains("... and 8 more"), "{text}");
    assert_eq!(text.lines().filter(|l| l.contains(": volume: ")).count(), 50);
}

#[test]
fn polars_csv_reports_the_same_errors() {
    let note_header = "timestamp,open,high,low,close,volume,note\n";
    let cases = [
        (
            format!("{HEADER}{GOOD_1}2000-03-02T00:00:00,100,99.5,98,101.2,2000\n"),
            3,
            Some("high"),
            "99.5 is below",
        ),
        (
            format!("{HEADER}{GOOD_1}2000-03-02T00:00:00,nan,103,100,102,2000\n"),
            3,
            Some("open"),
            "`nan` is not a finite",
        ),
        (
            format!("{HEADER}{GOOD_1}{GOOD_1}"),
            3,
            Some("timestamp"),
            "duplicate timestamp",
        ),
        (
            format!("{HEADER}{GOOD_1}03/02/2000,101,103,100,102,2000\n"),
            3,
            Some("timestamp"),
            "cannot parse `03/02/2000`",
        ),
        // Polars reads blank lines as rows of nulls and cannot place rows after a quoted newline.
        (
            format!("{HEADER}{GOOD_1}\n\n{GOOD_2}2000-03-03T00:00:00,x,1,1,1,1\n"),
            6,
            Some("open"),
            "`x` is not a number",
        ),
        (
            format!(
                "{note_header}2000-03-01T00:00:00,100,105,99,101.2,1000,\"a\nb\"\n2000-03-03T00:00:00,x,1,1,1,1,\n"
            ),
            4,
            Some("open"),
            "`x` is not a number",
        ),
        // Ragged rows: too long (polars refuses the file) and too short (polars pads with nulls).
        (
            format!("{HEADER}{GOOD_1}2000-03-03T00:00:00,1,1,1,1,1,7\n"),
            3,
            None,
            "expected 6 fields (as in the header), found 7",
        ),
        (
            format!("{HEADER}{GOOD_1}2000-03-03T00:00:00,1,1,1,1\n"),
            3,
            None,
            "expected 6 fields (as in the header), found 5",
        ),
    ];
    for (text, line, field, needle) in cases {
        let dir = TempDir::new().unwrap();
        let path = write(&dir, "bars.csv", &text);
        let csv_err = load_bars(&source(&path, DataFormat::Csv), None, None, Calendar::Equity).unwrap_err();
        let polars_err = load_bars(&source(&path, DataFormat::CsvPolars), None, None, Calendar::Equity).unwrap_err();
        assert_error(&polars_err, &path, line, field, needle);
        assert_eq!(csv_err, polars_err);
        let csv_report = check_file(&source(&path, DataFormat::Csv), Calendar::Equity).unwrap();
        let polars_report = check_file(&source(&path, DataFormat::CsvPolars), Calendar::Equity).unwrap();
        assert_eq!(csv_report, polars_report);
    }
}

#[test]
fn polars_csv_skips_blank_lines_like_csv() {
    let dir = TempDir::new().unwrap();
    let path = write(&dir, "bars.csv", &format!("{HEADER}\n{GOOD_1}\n{GOOD_2}\n\n"));
    let csv = load_bars(&source(&path, DataFormat::Csv), None, None, Calendar::Equity).unwrap();
    let polars = load_bars(&source(&path, DataFormat::CsvPolars), None, None, Calendar::Equity).unwrap();
    assert_eq!(csv.bars.len(), 2);
    assert_eq!(csv, polars);
}

const RANGE: &str = "is outside the supported range 1677-09-22 .. 2262-04-11";
const PRICE_RANGE: &str = "is outside the supported price range 0.00000001 .. 1000000000000";
const VOLUME_RANGE: &str = "is outside the supported volume range 0 .. 1000000000000000000";

/// The error for `text` from both CSV readers, which must agree, and `data check`'s list.
fn csv_errors(text: &str, timestamp_format: Option<&str>) -> (DataError, Vec<DataError>, PathBuf, TempDir) {
    let dir = TempDir::new().unwrap();
    let path = write(&dir, "bars.csv", text);
    let mut csv = source(&path, DataFormat::Csv);
    csv.timestamp_format = timestamp_format.map(String::from);
    let mut polars = csv.clone();
    polars.format = DataFormat::CsvPolars;
    let err = load_bars(&csv, None, None, Calendar::Equity).expect_err("must fail");
    assert_eq!(load_bars(&polars, None, None, Calendar::Equity).unwrap_err(), err);
    let report = check_file(&csv, Calendar::Equity).unwrap();
    assert_eq!(check_file(&polars, Calendar::Equity).unwrap(), report);
    (err, report.errors, path, dir)
}

#[test]
fn timestamps_after_2262_are_refused_not_wrapped() {
    // The fast path's three shapes, and chrono's fallback (fractional seconds, minutes only).
    for stamp in [
        "2263-01-01",
        "2263-01-01T00:00:00",
        "2263-01-01 00:00:00",
        "2262-04-11T23:47:17",
        "9999-12-31T23:59:59",
        "2263-01-01T00:00:00.5",
        "2263-01-01T00:00",
    ] {
        let (err, _, path, _dir) = csv_errors(&format!("{HEADER}{GOOD_1}{stamp},101,103,100,102,2000\n"), None);
        assert_error(&err, &path, 3, Some("timestamp"), &format!("{stamp} {RANGE}"));
    }
    let (err, _, path, _dir) = csv_errors(&format!("{HEADER}{GOOD_1}2263-01-01,101,103,100,102,2000\n"), None);
    assert_eq!(
        err.to_string(),
        format!(
            "{}:3: timestamp: 2263-01-01 is outside the supported range 1677-09-22 .. 2262-04-11",
            path.display()
        )
    );
    // The last second that fits still loads.
    let dir = TempDir::new().unwrap();
    let path = write(
        &dir,
        "bars.csv",
        &format!("{HEADER}{GOOD_1}2262-04-11T23:47:16,101,103,100,102,2000\n"),
    );
    let loaded = load_bars(&source(&path, DataFormat::Csv), None, None, Calendar::Equity).unwrap();
    assert_eq!(loaded.bars[1].ts.to_string(), "2262-04-11T23:47:16");
}

#[test]
fn timestamps_before_1677_are_refused_not_wrapped() {
    let (err, errors, path, _dir) = csv_errors(
        &format!("{HEADER}1677-09-21T00:12:43,101,103,100,102,2000\n1600-01-01,101,103,100,102,2000\n{GOOD_1}"),
        None,
    );
    assert_error(
        &err,
        &path,
        2,
        Some("timestamp"),
        &format!("1677-09-21T00:12:43 {RANGE}"),
    );
    let found: Vec<(Option<u64>, String)> = errors.iter().map(|e| (e.line, e.message.clone())).collect();
    assert_eq!(
        found,
        vec![
            (Some(2), format!("1677-09-21T00:12:43 {RANGE}")),
            (Some(3), format!("1600-01-01 {RANGE}")),
        ]
    );
}

#[test]
fn timestamps_out_of_range_with_an_explicit_format() {
    for (format, stamp) in [
        ("%d/%m/%Y", "01/01/2263"),
        ("%Y-%m-%d", "2263-01-01"),
        ("%Y-%m-%dT%H:%M:%S", "2263-01-01T00:00:00"),
        ("%Y-%m-%d %H:%M:%S", "1066-10-14 09:00:00"),
    ] {
        let (err, _, path, _dir) = csv_errors(&format!("{HEADER}{stamp},101,103,100,102,2000\n"), Some(format));
        assert_error(&err, &path, 2, Some("timestamp"), &format!("{stamp} {RANGE}"));
    }
}

#[test]
fn data_check_lists_out_of_range_timestamps() {
    // Before the fix 2263-01-01 wrapped round to 1678-06-12 and `data check` saw nothing wrong.
    let text = format!("{HEADER}{GOOD_1}{GOOD_2}2263-01-01,101,103,100,102,2000\n");
    let (_, errors, path, _dir) = csv_errors(&text, None);
    assert_eq!(errors.len(), 1);
    assert_error(&errors[0], &path, 4, Some("timestamp"), &format!("2263-01-01 {RANGE}"));
    let report = check_file(&source(&path, DataFormat::Csv), Calendar::Equity).unwrap();
    assert_eq!(report.summary.rows, 2);
    assert_eq!(report.summary.last_ts, Timestamp::parse_iso("2000-03-02"));
}

#[test]
fn prices_outside_the_supported_range() {
    let cases = [
        ("1e25,1e25,100,102,2000", "open", format!("1e25 {PRICE_RANGE}")),
        (
            "101,1000000000000.01,100,102,2000",
            "high",
            format!("1000000000000.01 {PRICE_RANGE}"),
        ),
        ("101,103,1e-28,102,2000", "low", format!("1e-28 {PRICE_RANGE}")),
        (
            "101,103,0.000000009,102,2000",
            "low",
            format!("0.000000009 {PRICE_RANGE}"),
        ),
        (
            "101,103,100,50000000000000000000000000000,2000",
            "close",
            format!("5e28 {PRICE_RANGE}"),
        ),
        // Beyond what a Decimal holds at all: the same message, with the value as written.
        ("1e30,1e30,100,102,2000", "open", format!("1e30 {PRICE_RANGE}")),
        ("101,103,1e-30,102,2000", "low", format!("1e-30 {PRICE_RANGE}")),
        // Not positive is still its own message, however large.
        (
            "101,103,-1e30,102,2000",
            "low",
            "price -1e30 must be greater than 0".to_string(),
        ),
        (
            "101,103,0,102,2000",
            "low",
            "price 0 must be greater than 0".to_string(),
        ),
    ];
    for (values, field, message) in cases {
        let (err, _, path, _dir) = csv_errors(&format!("{HEADER}{GOOD_1}2000-03-02T00:00:00,{values}\n"), None);
        assert_error(&err, &path, 3, Some(field), &message);
        assert_eq!(err.message, message);
    }
    let (err, _, path, _dir) = csv_errors(
        &format!("{HEADER}{GOOD_1}2000-03-02T00:00:00,1e25,1e25,100,102,2000\n"),
        None,
    );
    assert_eq!(
        err.to_string(),
        format!(
            "{}:3: open: 1e25 is outside the supported price range 0.00000001 .. 1000000000000",
            path.display()
        )
    );
}

#[test]
fn volumes_outside_the_supported_range() {
    let cases = [
        ("1e19", format!("1e19 {VOLUME_RANGE}")),
        (
            "1000000000000000000.5",
            format!("1.0000000000000000005e18 {VOLUME_RANGE}"),
        ),
        ("1e30", format!("1e30 {VOLUME_RANGE}")),
        (
            "1e-30",
            "1e-30 is too small to represent (at most 28 decimal places)".to_string(),
        ),
        ("-1e30", "-1e30 is negative".to_string()),
        ("-5", "-5 is negative".to_string()),
    ];
    for (volume, message) in cases {
        let (err, _, path, _dir) = csv_errors(
            &format!("{HEADER}{GOOD_1}2000-03-02T00:00:00,101,103,100,102,{volume}\n"),
            None,
        );
        assert_error(&err, &path, 3, Some("volume"), &message);
        assert_eq!(err.message, message);
    }
}

#[test]
fn the_range_bounds_themselves_load() {
    let dir = TempDir::new().unwrap();
    let text = format!(
        "{HEADER}2000-03-01T00:00:00,0.00000001,0.00000001,0.00000001,0.00000001,0\n\
         2000-03-02T00:00:00,1000000000000,1000000000000,1000000000000,1000000000000,1000000000000000000\n\
         2000-03-03T00:00:00,1e12,1e12,1e-8,1E-8,1e18\n"
    );
    let path = write(&dir, "bars.csv", &text);
    for format in [DataFormat::Csv, DataFormat::CsvPolars] {
        let loaded = load_bars(&source(&path, format), None, None, Calendar::Crypto).unwrap();
        assert_eq!(loaded.bars.len(), 3);
        assert_eq!(loaded.bars[2].low, slipstream::data::PRICE_MIN);
        assert_eq!(loaded.bars[2].high, slipstream::data::PRICE_MAX);
        assert_eq!(loaded.bars[2].volume, slipstream::data::VOLUME_MAX);
    }
}
