//! The default reader: CSV through the csv crate, streamed row by row. It is the fast
//! path (one reused `ByteRecord`, numbers parsed from the raw bytes) and the one that
//! knows exact line numbers, because the csv crate tracks where each record starts
//! even across quoted newlines. The file's SHA-256 is computed as the bytes stream past,
//! so a run can record exactly which data it used without reading the file twice.

use super::error::DataError;
use super::parse::{TsLayout, parse_decimal};
use super::validate::{
    Fault, Field, Row, Sink, SpreadBar, check_bar, check_spread, missing_column_message, parse_timestamp,
    resolve_columns, resolve_spread,
};
use crate::model::Bar;
use crate::scenario::DataSource;
use csv::{ByteRecord, Reader};
use sha2::{Digest, Sha256};
use std::fs::File;
use std::io::{self, Read};

/// Passes reads through while hashing every byte read.
struct HashingReader<R> {
    inner: R,
    hasher: Sha256,
}

impl<R: Read> Read for HashingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }
}

/// Reads the whole file into `sink`; returns the hex SHA-256 of its bytes. Errors that
/// make the file unreadable as a whole (cannot open, no header, a mapped column absent)
/// are returned directly; row errors go through the sink.
pub(crate) fn read_csv(source: &DataSource, sink: &mut Sink<'_>) -> Result<String, DataError> {
    let path = source.path.as_path();
    let file = File::open(path).map_err(|e| DataError::new(path, format!("cannot open: {e}")))?;
    // A row of OHLCV text is typically 50 to 70 bytes: reserve about once instead of
    // doubling the bar vector a dozen times.
    if let Ok(meta) = file.metadata() {
        sink.reserve((meta.len() / 64).min(1 << 26) as usize);
    }
    let hashing = HashingReader {
        inner: file,
        hasher: Sha256::new(),
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .buffer_capacity(1 << 16)
        .from_reader(hashing);

    let csv_error = |e: csv::Error| {
        let line = e.position().map(|p| p.line());
        let error = DataError::new(path, format!("cannot read CSV: {e}"));
        match line {
            Some(n) => error.at_line(n),
            None => error,
        }
    };
    let header: Vec<String> = reader
        .byte_headers()
        .map_err(csv_error)?
        .iter()
        .map(|h| String::from_utf8_lossy(h).trim().to_string())
        .collect();
    if header.is_empty() || header.iter().all(String::is_empty) {
        return Err(DataError::new(path, "empty file: no header line"));
    }
    let missing =
        |field| DataError::new(path, missing_column_message(field, &source.columns, &header, "header")).at_line(1);
    let idx = resolve_columns(&header, &source.columns).map_err(missing)?;
    let spread = resolve_spread(&header, &source.columns).map_err(missing)?;

    let layout = TsLayout::new(source.timestamp_format.as_deref());
    // One loop per layout, so that a file without a spread column pays nothing for it.
    let rows = match spread {
        None => read_rows(&mut reader, header.len(), sink, &csv_error, |r| {
            parse_row(r, &idx, layout)
        }),
        Some(at) => read_rows(&mut reader, header.len(), sink, &csv_error, |r| {
            let bar = parse_row(r, &idx, layout)?;
            let spread = check_spread(parse_decimal(&r[at]))?;
            Ok(SpreadBar { bar, spread })
        }),
    }?;
    if rows == 0 {
        let e = sink.error(None, None, "no data rows (the file has only a header)".to_string());
        sink.fail(e)?;
    }
    let hasher = reader.into_inner().hasher;
    Ok(hex(&hasher.finalize()))
}

/// Hands every record to `sink` as `parse` reads it (a record of the wrong width is a
/// fault of its own); returns how many records there were.
fn read_rows<R: Read, T: Row>(
    reader: &mut Reader<R>,
    width: usize,
    sink: &mut Sink<'_>,
    csv_error: &impl Fn(csv::Error) -> DataError,
    parse: impl Fn(&ByteRecord) -> Result<T, Fault>,
) -> Result<u64, DataError> {
    let mut record = ByteRecord::new();
    let mut rows = 0u64;
    while reader.read_byte_record(&mut record).map_err(csv_error)? {
        rows += 1;
        let line = record.position().map_or(rows + 1, |p| p.line());
        let row = if record.len() == width {
            parse(&record)
        } else {
            Err(Fault::FieldCount {
                expected: width,
                found: record.len(),
            })
        };
        sink.row(line, row)?;
    }
    Ok(rows)
}

#[inline]
fn parse_row(record: &ByteRecord, idx: &[usize; 6], layout: TsLayout<'_>) -> Result<Bar, Fault> {
    let field = |f: Field| &record[idx[f as usize]];
    let ts = parse_timestamp(field(Field::Timestamp), layout)?;
    let number = |f: Field| parse_decimal(field(f)).map_err(|e| Fault::Number(f, e));
    let open = number(Field::Open)?;
    let high = number(Field::High)?;
    let low = number(Field::Low)?;
    let close = number(Field::Close)?;
    let volume = number(Field::Volume)?;
    check_bar(ts, open, high, low, close, volume)
}

/// Lowercase hex of a digest.
pub(crate) fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        out.push(DIGITS[usize::from(b >> 4)] as char);
        out.push(DIGITS[usize::from(b & 0xf)] as char);
    }
    out
}
