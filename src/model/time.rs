//! Time exists in the engine only as timestamps carried by events.
//!
//! A [`Timestamp`] is nanoseconds since the Unix epoch in the data's own (naive) time
//! zone: the sample data has no zone, and the engine never converts between zones.
//! An `i64` keeps bars small and comparisons cheap, which matters at millions of bars
//! per second; formatting goes through chrono at the edges only.
//!
//! The price of nanoseconds in an `i64` is a bounded calendar: [`Timestamp::MIN`] is
//! 1677-09-21T00:12:43.145224192 and [`Timestamp::MAX`] 2262-04-11T23:47:16.854775807.
//! Everything that builds a timestamp from something wider (a date, seconds, a
//! microsecond count) does so with checked arithmetic and reports an instant outside
//! that range instead of letting it wrap around to the other end.

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, Timelike};
use serde::{Serialize, Serializer};
use std::fmt;

/// Nanoseconds since 1970-01-01T00:00:00 (naive, zone as in the data).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Timestamp(pub i64);

pub const NANOS_PER_SEC: i64 = 1_000_000_000;
pub const NANOS_PER_DAY: i64 = 86_400 * NANOS_PER_SEC;

/// The calendar dates a [`Timestamp`] can hold, for messages: every instant from the
/// first to the last date (the last up to 23:47:16) is representable.
pub const SUPPORTED_DATES: &str = "1677-09-22 .. 2262-04-11";

/// Why a timestamp could not be read from text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeParseError {
    /// The text is not a date or date-time in the expected layout.
    Invalid,
    /// A valid date-time, but outside what a [`Timestamp`] can hold ([`SUPPORTED_DATES`]).
    OutOfRange,
}

impl Timestamp {
    /// The earliest representable instant, 1677-09-21T00:12:43.145224192.
    pub const MIN: Timestamp = Timestamp(i64::MIN);
    /// The latest representable instant, 2262-04-11T23:47:16.854775807.
    pub const MAX: Timestamp = Timestamp(i64::MAX);

    /// `None` when `dt` is outside [`Timestamp::MIN`] ..= [`Timestamp::MAX`].
    pub fn from_naive(dt: NaiveDateTime) -> Option<Self> {
        dt.and_utc().timestamp_nanos_opt().map(Timestamp)
    }

    /// Whole seconds since the epoch; `None` when out of range.
    pub fn from_secs(secs: i64) -> Option<Self> {
        secs.checked_mul(NANOS_PER_SEC).map(Timestamp)
    }

    /// Midnight of a day number since the epoch; `None` when out of range.
    pub fn from_days(days: i64) -> Option<Self> {
        days.checked_mul(NANOS_PER_DAY).map(Timestamp)
    }

    pub fn to_naive(self) -> NaiveDateTime {
        DateTime::from_timestamp_nanos(self.0).naive_utc()
    }

    pub fn date(self) -> NaiveDate {
        self.to_naive().date()
    }

    /// Day number since the epoch; equal for two timestamps on the same calendar date.
    pub fn day_index(self) -> i64 {
        self.0.div_euclid(NANOS_PER_DAY)
    }

    pub fn hour(self) -> u32 {
        self.to_naive().hour()
    }

    /// Seconds from `earlier` to `self`; exact in `i128`, so any two timestamps work.
    pub fn secs_since(self, earlier: Timestamp) -> f64 {
        (i128::from(self.0) - i128::from(earlier.0)) as f64 / NANOS_PER_SEC as f64
    }

    /// Parses the ISO-8601 forms the sample data and scenario files use:
    /// `2000-03-01T00:00:00`, `2000-03-01 00:00:00`, fractional seconds, or a bare date.
    /// `None` when the text is not one of them or is outside [`SUPPORTED_DATES`].
    pub fn parse_iso(text: &str) -> Option<Self> {
        Self::try_parse_iso(text).ok()
    }

    /// As [`Timestamp::parse_iso`], saying whether the text is unreadable or out of range.
    ///
    /// # Errors
    /// [`TimeParseError::Invalid`] or [`TimeParseError::OutOfRange`].
    pub fn try_parse_iso(text: &str) -> Result<Self, TimeParseError> {
        let text = text.trim();
        for format in [
            "%Y-%m-%dT%H:%M:%S%.f",
            "%Y-%m-%d %H:%M:%S%.f",
            "%Y-%m-%dT%H:%M",
            "%Y-%m-%d %H:%M",
        ] {
            if let Ok(dt) = NaiveDateTime::parse_from_str(text, format) {
                return Self::from_naive(dt).ok_or(TimeParseError::OutOfRange);
            }
        }
        let date = NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| TimeParseError::Invalid)?;
        Self::from_naive(date.and_time(NaiveTime::MIN)).ok_or(TimeParseError::OutOfRange)
    }

    /// Parses with an explicit chrono format; a format without a time part reads as midnight.
    /// `None` when the text does not match or is outside [`SUPPORTED_DATES`].
    pub fn parse_with_format(text: &str, format: &str) -> Option<Self> {
        Self::try_parse_with_format(text, format).ok()
    }

    /// As [`Timestamp::parse_with_format`], saying whether the text is unreadable or out of range.
    ///
    /// # Errors
    /// [`TimeParseError::Invalid`] or [`TimeParseError::OutOfRange`].
    pub fn try_parse_with_format(text: &str, format: &str) -> Result<Self, TimeParseError> {
        let text = text.trim();
        if let Ok(dt) = NaiveDateTime::parse_from_str(text, format) {
            return Self::from_naive(dt).ok_or(TimeParseError::OutOfRange);
        }
        let date = NaiveDate::parse_from_str(text, format).map_err(|_| TimeParseError::Invalid)?;
        Self::from_naive(date.and_time(NaiveTime::MIN)).ok_or(TimeParseError::OutOfRange)
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let dt = self.to_naive();
        if dt.nanosecond() == 0 {
            write!(f, "{}", dt.format("%Y-%m-%dT%H:%M:%S"))
        } else {
            write!(f, "{}", dt.format("%Y-%m-%dT%H:%M:%S%.f"))
        }
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_iso() {
        let ts = Timestamp::parse_iso("2000-03-01T00:00:00").unwrap();
        assert_eq!(ts.to_string(), "2000-03-01T00:00:00");
        assert_eq!(Timestamp::parse_iso("2000-03-01").unwrap(), ts);
        assert_eq!(Timestamp::parse_iso("2000-03-01 00:00:00").unwrap(), ts);
        assert!(Timestamp::parse_iso("2000-13-01").is_none());
        assert!(Timestamp::parse_iso("yesterday").is_none());
    }

    #[test]
    fn explicit_format() {
        let ts = Timestamp::parse_with_format("01/03/2000", "%d/%m/%Y").unwrap();
        assert_eq!(ts.to_string(), "2000-03-01T00:00:00");
        let ts = Timestamp::parse_with_format("2017.01.01 22:00", "%Y.%m.%d %H:%M").unwrap();
        assert_eq!(ts.to_string(), "2017-01-01T22:00:00");
    }

    #[test]
    fn out_of_range_is_told_apart_from_unreadable() {
        assert_eq!(Timestamp::MIN.to_string(), "1677-09-21T00:12:43.145224192");
        assert_eq!(Timestamp::MAX.to_string(), "2262-04-11T23:47:16.854775807");
        // SUPPORTED_DATES names the first whole day and the last (partial) one.
        let (first, last) = SUPPORTED_DATES.split_once(" .. ").unwrap();
        assert_eq!(Timestamp::MIN.date().succ_opt().unwrap().to_string(), first);
        assert_eq!(Timestamp::MAX.date().to_string(), last);

        for text in [
            "2263-01-01",
            "2263-01-01T00:00:00",
            "2262-04-11T23:47:17",
            "1677-09-21 00:12:43",
            "1600-01-01",
        ] {
            assert_eq!(
                Timestamp::try_parse_iso(text),
                Err(TimeParseError::OutOfRange),
                "{text}"
            );
            assert_eq!(Timestamp::parse_iso(text), None, "{text}");
        }
        assert_eq!(
            Timestamp::try_parse_iso("2262-04-11T23:47:16"),
            Ok(Timestamp(i64::MAX - 854_775_807))
        );
        assert_eq!(Timestamp::try_parse_iso("2263-02-30"), Err(TimeParseError::Invalid));
        assert_eq!(Timestamp::try_parse_iso("soon"), Err(TimeParseError::Invalid));
        assert_eq!(
            Timestamp::try_parse_with_format("01/01/2263", "%d/%m/%Y"),
            Err(TimeParseError::OutOfRange)
        );
        assert_eq!(
            Timestamp::try_parse_with_format("2263.01.01 22:00", "%Y.%m.%d %H:%M"),
            Err(TimeParseError::OutOfRange)
        );
        assert_eq!(
            Timestamp::try_parse_with_format("2263", "%d/%m/%Y"),
            Err(TimeParseError::Invalid)
        );
    }

    #[test]
    fn checked_constructors_and_wide_differences() {
        assert_eq!(Timestamp::from_secs(86_400), Some(Timestamp(NANOS_PER_DAY)));
        assert_eq!(Timestamp::from_secs(9_223_372_037), None);
        assert_eq!(Timestamp::from_secs(-9_223_372_037), None);
        assert_eq!(Timestamp::from_days(-1), Some(Timestamp(-NANOS_PER_DAY)));
        assert_eq!(Timestamp::from_days(106_752), None);
        // The whole range is wider than an i64 of nanoseconds.
        let span = Timestamp::MAX.secs_since(Timestamp::MIN);
        assert!((span - 18_446_744_073.709_553).abs() < 1e-3, "{span}");
        assert!((Timestamp::MIN.secs_since(Timestamp::MAX) + span).abs() < 1e-3);
    }
}
