//! Validation at the door, shared by every file format. Each loader turns a row into
//! parsed values and hands them here; the checks, the wording of every message and the
//! ordering rules (no duplicate or decreasing timestamps) live in one place, so a CSV
//! file and the same data in Parquet fail the same way. The [`Sink`] also decides what
//! an error does: stop the load (the engine's path) or be collected (`data check`).
//!
//! Values are also held to ranges the engine can compute with: `Decimal` keeps 28
//! significant digits and panics when a product or quotient overflows, so a price of
//! 1e25 (or 1e-28) that loaded fine would bring the backtest down later. Prices must lie
//! in [`PRICE_MIN`] ..= [`PRICE_MAX`] and volumes in 0 ..= [`VOLUME_MAX`]; timestamps
//! must fit a [`Timestamp`] ([`SUPPORTED_DATES`]). An optional spread column
//! (`columns.spread`) holds a price difference: 0 ..= [`PRICE_MAX`].

use super::error::{DataError, LineUnit};
use super::parse::{NumberFault, TsLayout};
use crate::model::time::{SUPPORTED_DATES, TimeParseError};
use crate::model::{Bar, Timestamp};
use crate::scenario::ColumnMap;
use rust_decimal::{Decimal, dec};
use std::path::Path;

/// The smallest price accepted at the door, 0.00000001 (1e-8, a satoshi).
pub const PRICE_MIN: Decimal = dec!(0.00000001);
/// The largest price accepted at the door, 1000000000000 (1e12). Note that a price of
/// PRICE_MAX times a volume of [`VOLUME_MAX`] (1e30) is beyond `Decimal` (about 7.9e28).
pub const PRICE_MAX: Decimal = dec!(1000000000000);
/// The largest volume accepted at the door, 1000000000000000000 (1e18); the smallest is 0.
pub const VOLUME_MAX: Decimal = dec!(1000000000000000000);

/// The logical columns of a file, in file-independent order: the six of a bar, then the
/// optional spread read beside it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Field {
    Timestamp = 0,
    Open = 1,
    High = 2,
    Low = 3,
    Close = 4,
    Volume = 5,
    /// Read only when `columns.spread` maps it; never part of [`Field::ALL`].
    Spread = 6,
}

impl Field {
    /// The six columns every file must have.
    pub(crate) const ALL: [Field; 6] = [
        Field::Timestamp,
        Field::Open,
        Field::High,
        Field::Low,
        Field::Close,
        Field::Volume,
    ];

    /// The key in the scenario's `columns` table.
    pub(crate) fn key(self) -> &'static str {
        match self {
            Field::Timestamp => "timestamp",
            Field::Open => "open",
            Field::High => "high",
            Field::Low => "low",
            Field::Close => "close",
            Field::Volume => "volume",
            Field::Spread => "spread",
        }
    }

    /// The source column name this field is mapped to.
    pub(crate) fn source(self, map: &ColumnMap) -> &str {
        match self {
            Field::Timestamp => &map.timestamp,
            Field::Open => &map.open,
            Field::High => &map.high,
            Field::Low => &map.low,
            Field::Close => &map.close,
            Field::Volume => &map.volume,
            Field::Spread => map.spread.as_deref().unwrap_or("spread"),
        }
    }

    /// Whether the field may be zero (a volume, a spread) rather than a price, which
    /// must be greater than 0.
    fn may_be_zero(self) -> bool {
        matches!(self, Field::Volume | Field::Spread)
    }
}

/// What is wrong with one row. Rendered into a message (with the file's own column
/// names) only when it is reported, so the happy path allocates nothing.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Fault {
    Number(Field, NumberFault),
    Timestamp(String),
    /// A valid date-time that a [`Timestamp`] cannot hold, as written (or as decoded
    /// from a typed column).
    TimestampOutOfRange(String),
    MissingTimestamp,
    NotPositive(Field, Decimal),
    PriceOutOfRange(Field, Decimal),
    /// A volume or spread below 0.
    Negative(Field, Decimal),
    /// A volume or spread above its maximum.
    AboveMax(Field, Decimal),
    HighBelow(Decimal, Decimal),
    LowAbove(Decimal, Decimal),
    FieldCount {
        expected: usize,
        found: usize,
    },
}

/// Checks the values of one bar; the order of the checks fixes which error a row with
/// several problems reports.
pub(crate) fn check_bar(
    ts: Timestamp,
    open: Decimal,
    high: Decimal,
    low: Decimal,
    close: Decimal,
    volume: Decimal,
) -> Result<Bar, Fault> {
    for (field, px) in [
        (Field::Open, open),
        (Field::High, high),
        (Field::Low, low),
        (Field::Close, close),
    ] {
        if px <= Decimal::ZERO {
            return Err(Fault::NotPositive(field, px));
        }
        if !(PRICE_MIN..=PRICE_MAX).contains(&px) {
            return Err(Fault::PriceOutOfRange(field, px));
        }
    }
    let volume = zero_to(Field::Volume, volume, VOLUME_MAX)?;
    let top = open.max(close);
    if high < top {
        return Err(Fault::HighBelow(high, top));
    }
    let bottom = open.min(close);
    if low > bottom {
        return Err(Fault::LowAbove(low, bottom));
    }
    Ok(Bar {
        ts,
        open,
        high,
        low,
        close,
        volume,
    })
}

/// Checks a spread as read (parsed from text or converted from a typed column): a
/// number in 0 ..= [`PRICE_MAX`].
#[inline]
pub(crate) fn check_spread(read: Result<Decimal, NumberFault>) -> Result<Decimal, Fault> {
    let spread = read.map_err(|e| Fault::Number(Field::Spread, e))?;
    zero_to(Field::Spread, spread, PRICE_MAX)
}

/// Checks a value that may be zero (a volume, a spread) against 0 ..= `max`.
#[inline]
fn zero_to(field: Field, value: Decimal, max: Decimal) -> Result<Decimal, Fault> {
    if value < Decimal::ZERO {
        return Err(Fault::Negative(field, value));
    }
    if value > max {
        return Err(Fault::AboveMax(field, value));
    }
    Ok(value)
}

/// Parses a timestamp field in `layout`, with the message a user needs when it fails.
#[inline]
pub(crate) fn parse_timestamp(bytes: &[u8], layout: TsLayout<'_>) -> Result<Timestamp, Fault> {
    match layout.parse(bytes) {
        Ok(ts) => Ok(ts),
        Err(_) if bytes.trim_ascii().is_empty() => Err(Fault::MissingTimestamp),
        Err(TimeParseError::OutOfRange) => Err(Fault::TimestampOutOfRange(
            String::from_utf8_lossy(bytes.trim_ascii()).into_owned(),
        )),
        Err(TimeParseError::Invalid) => {
            let text = String::from_utf8_lossy(bytes.trim_ascii());
            Err(Fault::Timestamp(format!(
                "cannot parse `{text}` as a timestamp (expected {})",
                layout.describe()
            )))
        }
    }
}

/// A value outside a supported range as a user would write it: plain unless that is
/// long (`5000000000000.5`, `0.000000005`), else in exponent form (`1e25`, `1e-28`).
fn compact(d: Decimal) -> String {
    let plain = d.normalize().to_string();
    if plain.len() <= 16 {
        plain
    } else {
        format!("{:e}", d.normalize())
    }
}

/// The message for `value` (as written) outside the range `field` supports.
fn range_message(field: Field, value: &str) -> String {
    match field {
        Field::Volume => format!("{value} is outside the supported volume range 0 .. {VOLUME_MAX}"),
        Field::Spread => format!("{value} is outside the supported spread range 0 .. {PRICE_MAX}"),
        _ => format!("{value} is outside the supported price range {PRICE_MIN} .. {PRICE_MAX}"),
    }
}

/// Finds each mapped column in a header: an exact match (ignoring surrounding spaces)
/// first, else the one column whose name matches ignoring ASCII case.
pub(crate) fn resolve_columns(header: &[String], map: &ColumnMap) -> Result<[usize; 6], Field> {
    let mut out = [0usize; 6];
    for field in Field::ALL {
        out[field as usize] = find_column(header, field.source(map)).ok_or(field)?;
    }
    Ok(out)
}

/// Finds the spread column, as [`resolve_columns`] finds the others: `Ok(None)` when
/// `columns.spread` is not set, `Err(Field::Spread)` when it names no column.
pub(crate) fn resolve_spread(header: &[String], map: &ColumnMap) -> Result<Option<usize>, Field> {
    map.spread
        .as_deref()
        .map(|want| find_column(header, want).ok_or(Field::Spread))
        .transpose()
}

fn find_column(header: &[String], want: &str) -> Option<usize> {
    let want = want.trim();
    let exact = header.iter().position(|h| h.trim() == want);
    exact.or_else(|| {
        let mut matches = header
            .iter()
            .enumerate()
            .filter(|(_, h)| h.trim().eq_ignore_ascii_case(want));
        match (matches.next(), matches.next()) {
            (Some((i, _)), None) => Some(i),
            _ => None,
        }
    })
}

/// The message for a mapped column that is not in the header.
pub(crate) fn missing_column_message(field: Field, map: &ColumnMap, header: &[String], what: &str) -> String {
    format!(
        "no column `{}` (columns.{}) in {what}: {}",
        field.source(map),
        field.key(),
        header.join(",")
    )
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// The first error ends the load.
    FailFast,
    /// Every row error is recorded and the row skipped.
    CollectAll,
}

/// A valid row as a loader hands it over: a [`Bar`], or a [`SpreadBar`] when the file
/// has a spread column. [`Sink::row`] is generic over it, so a file without a spread
/// column pays nothing per row for the feature.
pub(crate) trait Row {
    fn ts(&self) -> Timestamp;
    /// Appends the row's bar, and its spread if it has one.
    fn keep(self, bars: &mut Vec<Bar>, spreads: &mut Vec<Decimal>);
}

impl Row for Bar {
    #[inline]
    fn ts(&self) -> Timestamp {
        self.ts
    }

    #[inline]
    fn keep(self, bars: &mut Vec<Bar>, _: &mut Vec<Decimal>) {
        bars.push(self);
    }
}

/// A bar and the spread read beside it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct SpreadBar {
    pub(crate) bar: Bar,
    pub(crate) spread: Decimal,
}

impl Row for SpreadBar {
    #[inline]
    fn ts(&self) -> Timestamp {
        self.bar.ts
    }

    #[inline]
    fn keep(self, bars: &mut Vec<Bar>, spreads: &mut Vec<Decimal>) {
        bars.push(self.bar);
        spreads.push(self.spread);
    }
}

/// Receives rows in file order: reports faults, enforces strictly increasing
/// timestamps, and keeps the bars (and their spreads) inside the requested range.
pub(crate) struct Sink<'a> {
    mode: Mode,
    file: &'a Path,
    columns: &'a ColumnMap,
    unit: LineUnit,
    start: Option<Timestamp>,
    end: Option<Timestamp>,
    /// Timestamp and line of the last valid row (kept or not).
    prev: Option<(Timestamp, u64)>,
    pub(crate) bars: Vec<Bar>,
    /// The kept bars' spreads, index for index; empty when no spread column is mapped.
    pub(crate) spreads: Vec<Decimal>,
    pub(crate) errors: Vec<DataError>,
}

impl<'a> Sink<'a> {
    pub(crate) fn new(
        mode: Mode,
        file: &'a Path,
        columns: &'a ColumnMap,
        start: Option<Timestamp>,
        end: Option<Timestamp>,
    ) -> Self {
        Sink {
            mode,
            file,
            columns,
            unit: LineUnit::Line,
            start,
            end,
            prev: None,
            bars: Vec::new(),
            spreads: Vec::new(),
            errors: Vec::new(),
        }
    }

    /// True when no error has been recorded.
    pub(crate) fn is_clean(&self) -> bool {
        self.errors.is_empty()
    }

    /// Forgets every row taken so far, to read the file again from the start.
    pub(crate) fn reset(&mut self) {
        self.unit = LineUnit::Line;
        self.prev = None;
        self.bars.clear();
        self.spreads.clear();
        self.errors.clear();
    }

    /// Sets whether positions are text lines (CSV) or data rows (Parquet).
    pub(crate) fn set_unit(&mut self, unit: LineUnit) {
        self.unit = unit;
    }

    /// Reserves room for about `rows` bars (and spreads, when mapped), unless a date
    /// range will drop most of them.
    pub(crate) fn reserve(&mut self, rows: usize) {
        if self.start.is_none() && self.end.is_none() {
            self.bars.reserve(rows);
            if self.columns.spread.is_some() {
                self.spreads.reserve(rows);
            }
        }
    }

    /// An error about the whole file, positioned at `line` when given.
    pub(crate) fn error(&self, line: Option<u64>, field: Option<Field>, message: String) -> DataError {
        let mut e = DataError::new(self.file, message);
        if let Some(n) = line {
            e = match self.unit {
                LineUnit::Line => e.at_line(n),
                LineUnit::Row => e.at_row(n),
            };
        }
        if let Some(f) = field {
            e = e.with_field(f.source(self.columns));
        }
        e
    }

    /// Reports an error: `Err` when failing fast, else records it and carries on.
    pub(crate) fn fail(&mut self, error: DataError) -> Result<(), DataError> {
        match self.mode {
            Mode::FailFast => Err(error),
            Mode::CollectAll => {
                self.errors.push(error);
                Ok(())
            }
        }
    }

    /// Takes one row, at 1-based position `line`.
    #[inline]
    pub(crate) fn row<R: Row>(&mut self, line: u64, row: Result<R, Fault>) -> Result<(), DataError> {
        let row = match row {
            Ok(row) => row,
            Err(fault) => {
                let (field, message) = self.render(fault);
                let e = self.error(Some(line), field, message);
                return self.fail(e);
            }
        };
        let ts = row.ts();
        if let Some((prev, prev_line)) = self.prev.filter(|&(prev, _)| ts <= prev) {
            let word = match self.unit {
                LineUnit::Line => "line",
                LineUnit::Row => "row",
            };
            let message = if ts == prev {
                format!("duplicate timestamp {ts} (also on {word} {prev_line})")
            } else {
                format!("timestamp {ts} is before {prev} on {word} {prev_line} (timestamps must increase)")
            };
            let e = self.error(Some(line), Some(Field::Timestamp), message);
            return self.fail(e);
        }
        self.prev = Some((ts, line));
        if self.start.is_none_or(|s| ts >= s) && self.end.is_none_or(|e| ts <= e) {
            row.keep(&mut self.bars, &mut self.spreads);
        }
        Ok(())
    }

    fn render(&self, fault: Fault) -> (Option<Field>, String) {
        let name = |f: Field| f.source(self.columns);
        match fault {
            Fault::Number(field, NumberFault::Missing) => (Some(field), "missing value".to_string()),
            Fault::Number(field, NumberFault::NotANumber(text)) => (Some(field), format!("`{text}` is not a number")),
            Fault::Number(field, NumberFault::NonFinite(text)) => {
                (Some(field), format!("`{text}` is not a finite number"))
            }
            // Numbers beyond what a Decimal holds get the message their value would get.
            Fault::Number(field, NumberFault::TooLarge { text, negative: false }) => {
                (Some(field), range_message(field, &text))
            }
            Fault::Number(field, NumberFault::TooSmall { text, negative: false }) if field.may_be_zero() => (
                Some(field),
                format!("{text} is too small to represent (at most 28 decimal places)"),
            ),
            Fault::Number(
                field,
                NumberFault::TooLarge { text, negative: true } | NumberFault::TooSmall { text, negative: true },
            ) if field.may_be_zero() => (Some(field), format!("{text} is negative")),
            Fault::Number(
                field,
                NumberFault::TooLarge { text, negative: true } | NumberFault::TooSmall { text, negative: true },
            ) => (Some(field), format!("price {text} must be greater than 0")),
            Fault::Number(field, NumberFault::TooSmall { text, negative: false }) => {
                (Some(field), range_message(field, &text))
            }
            Fault::MissingTimestamp => (Some(Field::Timestamp), "missing value".to_string()),
            Fault::Timestamp(message) => (Some(Field::Timestamp), message),
            Fault::TimestampOutOfRange(text) => (
                Some(Field::Timestamp),
                format!("{text} is outside the supported range {SUPPORTED_DATES}"),
            ),
            Fault::NotPositive(field, px) => (Some(field), format!("price {px} must be greater than 0")),
            Fault::PriceOutOfRange(field, px) => (Some(field), range_message(field, &compact(px))),
            Fault::Negative(field, v) => (Some(field), format!("{v} is negative")),
            Fault::AboveMax(field, v) => (Some(field), range_message(field, &compact(v))),
            Fault::HighBelow(high, top) => (
                Some(Field::High),
                format!(
                    "{high} is below max({}, {}) = {top}",
                    name(Field::Open),
                    name(Field::Close)
                ),
            ),
            Fault::LowAbove(low, bottom) => (
                Some(Field::Low),
                format!(
                    "{low} is above min({}, {}) = {bottom}",
                    name(Field::Open),
                    name(Field::Close)
                ),
            ),
            Fault::FieldCount { expected, found } => (
                None,
                format!("expected {expected} fields (as in the header), found {found}"),
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::dec;

    #[test]
    fn bar_checks_in_order() {
        let ts = Timestamp(0);
        assert!(check_bar(ts, dec!(10), dec!(11), dec!(9), dec!(10.5), dec!(0)).is_ok());
        assert_eq!(
            check_bar(ts, dec!(0), dec!(11), dec!(9), dec!(10), dec!(1)),
            Err(Fault::NotPositive(Field::Open, dec!(0)))
        );
        assert_eq!(
            check_bar(ts, dec!(10), dec!(11), dec!(9), dec!(10), dec!(-1)),
            Err(Fault::Negative(Field::Volume, dec!(-1)))
        );
        assert_eq!(
            check_bar(ts, dec!(10), dec!(10.4), dec!(9), dec!(10.5), dec!(1)),
            Err(Fault::HighBelow(dec!(10.4), dec!(10.5)))
        );
        assert_eq!(
            check_bar(ts, dec!(10), dec!(11), dec!(9.9), dec!(9.8), dec!(1)),
            Err(Fault::LowAbove(dec!(9.9), dec!(9.8)))
        );
    }

    #[test]
    fn prices_and_volumes_must_lie_in_the_supported_ranges() {
        let ts = Timestamp(0);
        assert_eq!(PRICE_MIN.to_string(), "0.00000001");
        assert_eq!(PRICE_MAX.to_string(), "1000000000000");
        assert_eq!(VOLUME_MAX.to_string(), "1000000000000000000");
        // The bounds themselves are accepted.
        assert!(check_bar(ts, PRICE_MIN, PRICE_MAX, PRICE_MIN, PRICE_MAX, VOLUME_MAX).is_ok());
        assert!(check_bar(ts, PRICE_MAX, PRICE_MAX, PRICE_MIN, PRICE_MIN, dec!(0)).is_ok());
        let huge = dec!(10000000000000000000000000);
        let tiny = dec!(0.0000000000000000000000000001);
        assert_eq!(
            check_bar(ts, huge, huge, dec!(9), dec!(10), dec!(1)),
            Err(Fault::PriceOutOfRange(Field::Open, huge))
        );
        assert_eq!(
            check_bar(ts, dec!(10), dec!(1000000000000.01), dec!(9), dec!(10), dec!(1)),
            Err(Fault::PriceOutOfRange(Field::High, dec!(1000000000000.01)))
        );
        assert_eq!(
            check_bar(ts, dec!(10), dec!(11), tiny, dec!(10), dec!(1)),
            Err(Fault::PriceOutOfRange(Field::Low, tiny))
        );
        assert_eq!(
            check_bar(
                ts,
                dec!(0.00000002),
                dec!(0.00000002),
                dec!(0.00000002),
                dec!(0.000000009),
                dec!(1)
            ),
            Err(Fault::PriceOutOfRange(Field::Close, dec!(0.000000009)))
        );
        // Not positive is still its own fault, and comes first.
        assert_eq!(
            check_bar(ts, -huge, dec!(11), dec!(9), dec!(10), dec!(1)),
            Err(Fault::NotPositive(Field::Open, -huge))
        );
        assert_eq!(
            check_bar(ts, dec!(10), dec!(11), dec!(9), dec!(10), dec!(1000000000000000000.5)),
            Err(Fault::AboveMax(Field::Volume, dec!(1000000000000000000.5)))
        );
        assert_eq!(
            check_bar(ts, dec!(10), dec!(11), dec!(9), dec!(10), dec!(-1)),
            Err(Fault::Negative(Field::Volume, dec!(-1)))
        );
    }

    #[test]
    fn out_of_range_values_read_as_written() {
        assert_eq!(compact(dec!(10000000000000000000000000)), "1e25");
        assert_eq!(compact(dec!(0.0000000000000000000000000001)), "1e-28");
        assert_eq!(compact(dec!(5000000000000.5)), "5000000000000.5");
        assert_eq!(compact(dec!(0.000000005)), "0.000000005");
        assert_eq!(compact(dec!(2000000000000.00)), "2000000000000");
        assert_eq!(
            range_message(Field::Open, "1e25"),
            "1e25 is outside the supported price range 0.00000001 .. 1000000000000"
        );
    }

    #[test]
    fn columns_resolve_exactly_then_ignoring_case() {
        let header: Vec<String> = ["Date", "open", "High", "low", "close", "volume", "HIGH"]
            .map(String::from)
            .to_vec();
        let mut map = ColumnMap {
            timestamp: "Date".into(),
            ..ColumnMap::default()
        };
        // `high` matches two columns ignoring case: ambiguous, so not found.
        assert_eq!(resolve_columns(&header, &map), Err(Field::High));
        map.high = "HIGH".into();
        assert_eq!(resolve_columns(&header, &map), Ok([0, 1, 6, 3, 4, 5]));
        map.timestamp = "date".into();
        assert_eq!(resolve_columns(&header, &map), Ok([0, 1, 6, 3, 4, 5]));
    }

    #[test]
    fn the_spread_column_resolves_only_when_mapped() {
        let header: Vec<String> = ["timestamp", "open", "high", "low", "close", "volume", "Spread"]
            .map(String::from)
            .to_vec();
        let mut map = ColumnMap::default();
        assert_eq!(resolve_spread(&header, &map), Ok(None));
        map.spread = Some("spread".into());
        assert_eq!(resolve_spread(&header, &map), Ok(Some(6)));
        map.spread = Some("bid_ask".into());
        assert_eq!(resolve_spread(&header, &map), Err(Field::Spread));
        assert_eq!(
            missing_column_message(Field::Spread, &map, &header, "header"),
            "no column `bid_ask` (columns.spread) in header: timestamp,open,high,low,close,volume,Spread"
        );
        // The six bar columns resolve as before.
        assert_eq!(resolve_columns(&header, &map), Ok([0, 1, 2, 3, 4, 5]));
    }

    #[test]
    fn spreads_may_be_zero_and_at_most_the_largest_price() {
        assert_eq!(check_spread(Ok(dec!(0))), Ok(dec!(0)));
        assert_eq!(check_spread(Ok(dec!(0.0001))), Ok(dec!(0.0001)));
        assert_eq!(check_spread(Ok(PRICE_MAX)), Ok(PRICE_MAX));
        assert_eq!(
            check_spread(Ok(dec!(-0.01))),
            Err(Fault::Negative(Field::Spread, dec!(-0.01)))
        );
        assert_eq!(
            check_spread(Ok(dec!(1000000000000.01))),
            Err(Fault::AboveMax(Field::Spread, dec!(1000000000000.01)))
        );
        assert_eq!(
            check_spread(Err(NumberFault::Missing)),
            Err(Fault::Number(Field::Spread, NumberFault::Missing))
        );
    }

    #[test]
    fn faults_render_by_field() {
        let map = ColumnMap {
            spread: Some("BidAsk".into()),
            ..ColumnMap::default()
        };
        let sink = Sink::new(Mode::FailFast, Path::new("x.csv"), &map, None, None);
        let shown = |fault| {
            let (field, message) = sink.render(fault);
            format!("{}: {message}", field.map_or("-", |f| f.source(&map)))
        };
        let large = |negative| NumberFault::TooLarge {
            text: "1e30".into(),
            negative,
        };
        let small = |negative| NumberFault::TooSmall {
            text: "1e-30".into(),
            negative,
        };
        let spreads = "is outside the supported spread range 0 .. 1000000000000";
        assert_eq!(
            shown(Fault::Negative(Field::Spread, dec!(-1))),
            "BidAsk: -1 is negative"
        );
        assert_eq!(
            shown(Fault::AboveMax(Field::Spread, dec!(2000000000000))),
            format!("BidAsk: 2000000000000 {spreads}")
        );
        assert_eq!(
            shown(Fault::Number(Field::Spread, large(false))),
            format!("BidAsk: 1e30 {spreads}")
        );
        assert_eq!(
            shown(Fault::Number(Field::Spread, large(true))),
            "BidAsk: 1e30 is negative"
        );
        assert_eq!(
            shown(Fault::Number(Field::Spread, small(false))),
            "BidAsk: 1e-30 is too small to represent (at most 28 decimal places)"
        );
        assert_eq!(
            shown(Fault::Number(Field::Spread, NumberFault::Missing)),
            "BidAsk: missing value"
        );
        // Volumes and prices keep their own wording.
        assert_eq!(
            shown(Fault::AboveMax(Field::Volume, dec!(2000000000000000000))),
            "volume: 2e18 is outside the supported volume range 0 .. 1000000000000000000"
        );
        assert_eq!(
            shown(Fault::Number(Field::Volume, small(false))),
            "volume: 1e-30 is too small to represent (at most 28 decimal places)"
        );
        assert_eq!(
            shown(Fault::Number(Field::Volume, small(true))),
            "volume: 1e-30 is negative"
        );
        assert_eq!(
            shown(Fault::Number(Field::Open, large(true))),
            "open: price 1e30 must be greater than 0"
        );
        assert_eq!(
            shown(Fault::Number(Field::Low, small(false))),
            "low: 1e-30 is outside the supported price range 0.00000001 .. 1000000000000"
        );
    }

    #[test]
    fn the_sink_keeps_spreads_index_for_index_with_their_bars() {
        let map = ColumnMap {
            spread: Some("spread".into()),
            ..ColumnMap::default()
        };
        let day = 86_400_000_000_000;
        let bar = |d: i64| Bar {
            ts: Timestamp(d * day),
            open: dec!(10),
            high: dec!(11),
            low: dec!(9),
            close: dec!(10),
            volume: dec!(1),
        };
        let row = |d: i64, spread| Ok(SpreadBar { bar: bar(d), spread });
        let mut sink = Sink::new(
            Mode::CollectAll,
            Path::new("x.csv"),
            &map,
            Some(Timestamp(day)),
            Some(Timestamp(3 * day)),
        );
        sink.reserve(8);
        // Before the start, kept, a bad row, kept, a duplicate, after the end.
        sink.row(2, row(0, dec!(0.1))).unwrap();
        sink.row(3, row(1, dec!(0.2))).unwrap();
        sink.row(4, Err::<SpreadBar, _>(Fault::Negative(Field::Spread, dec!(-1))))
            .unwrap();
        sink.row(5, row(3, dec!(0.4))).unwrap();
        sink.row(6, row(3, dec!(0.5))).unwrap();
        sink.row(7, row(4, dec!(0.6))).unwrap();
        assert_eq!(sink.bars, vec![bar(1), bar(3)]);
        assert_eq!(sink.spreads, vec![dec!(0.2), dec!(0.4)]);
        let errors: Vec<_> = sink.errors.iter().map(|e| (e.line, e.field.clone())).collect();
        assert_eq!(
            errors,
            vec![
                (Some(4), Some("spread".to_string())),
                (Some(6), Some("timestamp".to_string()))
            ]
        );
        sink.reset();
        assert!(sink.bars.is_empty() && sink.spreads.is_empty() && sink.is_clean());
        // Plain bars leave the spreads alone.
        sink.row(2, Ok(bar(2))).unwrap();
        assert_eq!((sink.bars.len(), sink.spreads.len()), (1, 0));
    }
}
