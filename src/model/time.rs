//! Time exists in the engine only as timestamps carried by events.
//!
//! A [`Timestamp`] is nanoseconds since the Unix epoch in the data's own (naive) time
//! zone: the sample data has no zone, and the engine never converts between zones.
//! An `i64` keeps bars small and comparisons cheap, which matters at millions of bars
//! per second; formatting goes through chrono at the edges only.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Timelike};
use serde::{Serialize, Serializer};
use std::fmt;

/// Nanoseconds since 1970-01-01T00:00:00 (naive, zone as in the data).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Timestamp(pub i64);

pub const NANOS_PER_SEC: i64 = 1_000_000_000;
pub const NANOS_PER_DAY: i64 = 86_400 * NANOS_PER_SEC;

impl Timestamp {
    pub fn from_naive(dt: NaiveDateTime) -> Option<Self> {
        dt.and_utc().timestamp_nanos_opt().map(Timestamp)
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

    pub fn secs_since(self, earlier: Timestamp) -> f64 {
        (self.0 - earlier.0) as f64 / NANOS_PER_SEC as f64
    }

    /// Parses the ISO-8601 forms the sample data and scenario files use:
    /// `2000-03-01T00:00:00`, `2000-03-01 00:00:00`, fractional seconds, or a bare date.
    pub fn parse_iso(text: &str) -> Option<Self> {
        let text = text.trim();
        for format in [
            "%Y-%m-%dT%H:%M:%S%.f",
            "%Y-%m-%d %H:%M:%S%.f",
            "%Y-%m-%dT%H:%M",
            "%Y-%m-%d %H:%M",
        ] {
            if let Ok(dt) = NaiveDateTime::parse_from_str(text, format) {
                return Self::from_naive(dt);
            }
        }
        NaiveDate::parse_from_str(text, "%Y-%m-%d")
            .ok()
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .and_then(Self::from_naive)
    }

    /// Parses with an explicit chrono format; a format without a time part reads as midnight.
    pub fn parse_with_format(text: &str, format: &str) -> Option<Self> {
        let text = text.trim();
        if let Ok(dt) = NaiveDateTime::parse_from_str(text, format) {
            return Self::from_naive(dt);
        }
        NaiveDate::parse_from_str(text, format)
            .ok()
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .and_then(Self::from_naive)
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
}
