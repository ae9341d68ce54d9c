//! Large files and Parquet go through polars. Columnar files carry types, so a timestamp
//! may arrive as text, a Datetime of any unit, a Date or an epoch integer, and prices as
//! any float or integer type or as text; this module turns each into the same parsed
//! values the CSV reader produces and hands them to the shared validation, so errors read
//! the same whatever the format. Floats become decimals through their shortest text
//! (118.56 stays 118.56). Polars CSV is read with every column as text, which keeps the
//! decimals exactly as written. Polars is the fast path for clean CSV files only: it
//! turns blank lines into rows of nulls, cannot say on which line a quoted field ends and
//! refuses ragged rows without a line number, so when anything at all is wrong the file
//! is read again by the csv crate, whose errors (and line numbers) are the reference.
//! Parquet positions are 1-based data rows.

use super::csv_loader::{hex, read_csv};
use super::error::{DataError, LineUnit};
use super::parse::{NumberFault, TsLayout, civil_from_days, decimal_from_f32, decimal_from_f64, parse_decimal};
use super::validate::{
    Fault, Field, Row, Sink, SpreadBar, check_bar, check_spread, missing_column_message, parse_timestamp,
    resolve_columns, resolve_spread,
};
use crate::model::Timestamp;
use crate::scenario::{DataFormat, DataSource};
use polars::prelude::{
    Column, CsvReadOptions, DataFrame, DataType, Float32Chunked, Float64Chunked, Int32Chunked, Int64Chunked,
    ParquetReader, PolarsResult, SerReader, StringChunked, TimeUnit,
};
use rust_decimal::Decimal;
use sha2::{Digest, Sha256};
use std::io::Cursor;

type Numbers<'a> = Box<dyn Iterator<Item = Result<Decimal, NumberFault>> + 'a>;
type Stamps<'a> = Box<dyn Iterator<Item = Result<Timestamp, Fault>> + 'a>;

/// Reads a CSV (through polars) or Parquet file into `sink`; returns the hex SHA-256 of
/// the file. As for CSV, file-level problems are returned and row problems go to the sink.
pub(crate) fn read_polars(source: &DataSource, sink: &mut Sink<'_>) -> Result<String, DataError> {
    if source.format == DataFormat::Parquet {
        return read_frame(source, sink);
    }
    match read_frame(source, sink) {
        Ok(sha256) if sink.is_clean() => Ok(sha256),
        // Something is wrong: let the reference reader say exactly what, and where.
        _ => {
            sink.reset();
            read_csv(source, sink)
        }
    }
}

fn read_frame(source: &DataSource, sink: &mut Sink<'_>) -> Result<String, DataError> {
    let path = source.path.as_path();
    let bytes = std::fs::read(path).map_err(|e| DataError::new(path, format!("cannot open: {e}")))?;
    let sha256 = hex(&Sha256::digest(&bytes));
    if bytes.trim_ascii().is_empty() {
        return Err(DataError::new(path, "empty file: no header line"));
    }
    let parquet = source.format == DataFormat::Parquet;
    let frame = if parquet {
        frame_from_parquet(bytes)
    } else {
        frame_from_csv(bytes)
    };
    let df = frame.map_err(|e| DataError::new(path, format!("cannot read {}: {e}", format_name(source.format))))?;

    let header: Vec<String> = df.get_column_names().iter().map(|n| n.as_str().to_string()).collect();
    let what = if parquet { "schema" } else { "header" };
    let missing = |field| {
        let e = DataError::new(path, missing_column_message(field, &source.columns, &header, what));
        if parquet { e } else { e.at_line(1) }
    };
    let idx = resolve_columns(&header, &source.columns).map_err(missing)?;
    let spread = resolve_spread(&header, &source.columns).map_err(missing)?;
    let unit = if parquet { LineUnit::Row } else { LineUnit::Line };
    sink.set_unit(unit);
    let height = df.height();
    if height == 0 {
        let e = sink.error(None, None, "no data rows".to_string());
        sink.fail(e)?;
        return Ok(sha256);
    }
    sink.reserve(height);
    let layout = TsLayout::new(source.timestamp_format.as_deref());
    // Parquet counts data rows; in CSV the header is line 1.
    let first = if parquet { 1 } else { 2 };
    read_rows(&df, &idx, spread, layout, first, sink)?;
    Ok(sha256)
}

/// Reads the frame's rows into `sink`: the columns at `idx` (in [`Field`] order), and
/// the spread column at `spread` when the scenario maps one. The first row is at
/// position `first`.
fn read_rows(
    df: &DataFrame,
    idx: &[usize; 6],
    spread: Option<usize>,
    layout: TsLayout<'_>,
    first: u64,
    sink: &mut Sink<'_>,
) -> Result<(), DataError> {
    // In `Field` order, so `Field as usize` indexes them (the spread, if any, last).
    let columns: Vec<&Column> = idx.iter().chain(&spread).map(|&i| &df.columns()[i]).collect();
    let fields = Field::ALL.into_iter().chain(spread.map(|_| Field::Spread));
    // Casts that produce new columns must outlive the iterators borrowing them.
    let mut casts: Vec<Option<Column>> = Vec::with_capacity(columns.len());
    for field in fields {
        let Some(cast) = readable(sink, field, widen(columns[field as usize]))? else {
            return Ok(());
        };
        casts.push(cast);
    }
    let col = |f: Field| casts[f as usize].as_ref().unwrap_or(columns[f as usize]);

    let Some(mut stamps) = readable(sink, Field::Timestamp, stamps(col(Field::Timestamp), layout))? else {
        return Ok(());
    };
    let mut values: Vec<Numbers<'_>> = Vec::with_capacity(5);
    for field in [Field::Open, Field::High, Field::Low, Field::Close, Field::Volume] {
        let Some(it) = readable(sink, field, numbers(col(field)))? else {
            return Ok(());
        };
        values.push(it);
    }
    let spreads = match spread {
        None => None,
        Some(_) => match readable(sink, Field::Spread, numbers(col(Field::Spread)))? {
            Some(it) => Some(it),
            None => return Ok(()),
        },
    };

    // Advance every column on every row, whatever fails, so they stay aligned.
    let mut next_bar = || {
        let ts = stamps.next().unwrap_or(Err(Fault::MissingTimestamp));
        let mut v = [
            Ok(Decimal::ZERO),
            Ok(Decimal::ZERO),
            Ok(Decimal::ZERO),
            Ok(Decimal::ZERO),
            Ok(Decimal::ZERO),
        ];
        for (slot, it) in v.iter_mut().zip(values.iter_mut()) {
            *slot = it.next().unwrap_or(Err(NumberFault::Missing));
        }
        let [open, high, low, close, volume] = v;
        let number = |f: Field, r: Result<Decimal, NumberFault>| r.map_err(|e| Fault::Number(f, e));
        let ts = ts?;
        let open = number(Field::Open, open)?;
        let high = number(Field::High, high)?;
        let low = number(Field::Low, low)?;
        let close = number(Field::Close, close)?;
        let volume = number(Field::Volume, volume)?;
        check_bar(ts, open, high, low, close, volume)
    };
    let lines = first..first + df.height() as u64;
    // One loop per layout, so that a file without a spread column pays nothing for it.
    match spreads {
        None => feed(sink, lines, next_bar),
        Some(mut spreads) => feed(sink, lines, || {
            let spread = spreads.next().unwrap_or(Err(NumberFault::Missing));
            let bar = next_bar()?;
            Ok(SpreadBar {
                bar,
                spread: check_spread(spread)?,
            })
        }),
    }
}

/// Hands one row to `sink` for each of `lines`, as `next` reads it.
fn feed<T: Row>(
    sink: &mut Sink<'_>,
    lines: std::ops::Range<u64>,
    mut next: impl FnMut() -> Result<T, Fault>,
) -> Result<(), DataError> {
    for line in lines {
        sink.row(line, next())?;
    }
    Ok(())
}

/// A column's reader, or `None` when the column cannot be read at all (its type): the
/// error names the column for the whole file, and when errors are collected the rows
/// are not read.
fn readable<T>(sink: &mut Sink<'_>, field: Field, reader: Result<T, String>) -> Result<Option<T>, DataError> {
    match reader {
        Ok(r) => Ok(Some(r)),
        Err(message) => {
            let e = sink.error(None, Some(field), message);
            sink.fail(e)?;
            Ok(None)
        }
    }
}

fn format_name(format: DataFormat) -> &'static str {
    match format {
        DataFormat::Parquet => "Parquet",
        DataFormat::Csv | DataFormat::CsvPolars => "CSV",
    }
}

fn frame_from_csv(bytes: Vec<u8>) -> PolarsResult<DataFrame> {
    // A schema inferred from zero rows makes every column text: decimals are read
    // from exactly what was written, and bad values reach our own validation.
    CsvReadOptions::default()
        .with_has_header(true)
        .with_infer_schema_length(Some(0))
        .into_reader_with_file_handle(Cursor::new(bytes))
        .finish()
}

fn frame_from_parquet(bytes: Vec<u8>) -> PolarsResult<DataFrame> {
    ParquetReader::new(Cursor::new(bytes)).finish()
}

/// Casts the column types that are read through a wider one: small or unsigned
/// integers to `Int64`, `Float16` to `Float32`. `None` when the column is used as is.
fn widen(col: &Column) -> Result<Option<Column>, String> {
    let dtype = col.dtype();
    let target = match dtype {
        DataType::Int64 => return Ok(None),
        DataType::Float16 => DataType::Float32,
        d if d.is_integer() => DataType::Int64,
        _ => return Ok(None),
    };
    col.strict_cast(&target)
        .map(Some)
        .map_err(|e| format!("cannot read {dtype} values as {target}: {e}"))
}

fn numbers(col: &Column) -> Result<Numbers<'_>, String> {
    let wrong = |_| format!("unexpected column type {}", col.dtype());
    Ok(match col.dtype() {
        DataType::String => {
            let ca: &StringChunked = col.str().map_err(wrong)?;
            Box::new(
                ca.iter()
                    .map(|v| v.map_or(Err(NumberFault::Missing), |s| parse_decimal(s.as_bytes()))),
            )
        }
        DataType::Float64 => {
            let ca: &Float64Chunked = col.f64().map_err(wrong)?;
            Box::new(ca.iter().map(|v| v.map_or(Err(NumberFault::Missing), decimal_from_f64)))
        }
        DataType::Float32 => {
            let ca: &Float32Chunked = col.f32().map_err(wrong)?;
            Box::new(ca.iter().map(|v| v.map_or(Err(NumberFault::Missing), decimal_from_f32)))
        }
        DataType::Int64 => {
            let ca: &Int64Chunked = col.i64().map_err(wrong)?;
            Box::new(ca.iter().map(|v| v.map(Decimal::from).ok_or(NumberFault::Missing)))
        }
        other => return Err(format!("unsupported column type {other} (expected numbers or text)")),
    })
}

/// A date-time as `YYYY-MM-DDTHH:MM:SS` from seconds since the epoch, for any `i64`
/// seconds that a Datetime column can hold (years far beyond chrono's range included).
fn describe_secs(secs: i64) -> String {
    let (year, month, day) = civil_from_days(secs.div_euclid(86_400));
    let tod = secs.rem_euclid(86_400);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}",
        tod / 3600,
        tod / 60 % 60,
        tod % 60
    )
}

fn stamps<'a>(col: &'a Column, layout: TsLayout<'a>) -> Result<Stamps<'a>, String> {
    let wrong = |_| format!("unexpected column type {}", col.dtype());
    // `per_sec` counts of the column's unit make a second; a count that does not fit
    // in nanoseconds is reported as the date-time it names.
    let scaled = |ca: &'a Int64Chunked, per_sec: i64| -> Stamps<'a> {
        let factor = 1_000_000_000 / per_sec;
        Box::new(ca.iter().map(move |v| {
            let v = v.ok_or(Fault::MissingTimestamp)?;
            v.checked_mul(factor)
                .map(Timestamp)
                .ok_or_else(|| Fault::TimestampOutOfRange(describe_secs(v.div_euclid(per_sec))))
        }))
    };
    Ok(match col.dtype() {
        DataType::String => {
            let ca: &StringChunked = col.str().map_err(wrong)?;
            Box::new(
                ca.iter()
                    .map(move |v| v.map_or(Err(Fault::MissingTimestamp), |s| parse_timestamp(s.as_bytes(), layout))),
            )
        }
        DataType::Datetime(unit, _) => {
            let per_sec = match unit {
                TimeUnit::Nanoseconds => 1_000_000_000,
                TimeUnit::Microseconds => 1_000_000,
                TimeUnit::Milliseconds => 1_000,
            };
            scaled(col.datetime().map_err(wrong)?.physical(), per_sec)
        }
        DataType::Date => {
            let ca: &Int32Chunked = col.date().map_err(wrong)?.physical();
            Box::new(ca.iter().map(|v| {
                let days = i64::from(v.ok_or(Fault::MissingTimestamp)?);
                Timestamp::from_days(days).ok_or_else(|| {
                    let (year, month, day) = civil_from_days(days);
                    Fault::TimestampOutOfRange(format!("{year:04}-{month:02}-{day:02}"))
                })
            }))
        }
        // Epoch nanoseconds (other integer types were widened to Int64): every value fits.
        DataType::Int64 => scaled(col.i64().map_err(wrong)?, 1_000_000_000),
        other => {
            return Err(format!(
                "unsupported timestamp column type {other} (expected text, Datetime, Date or integer epoch nanoseconds)"
            ));
        }
    })
}
