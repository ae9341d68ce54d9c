//! What a load produced, beside the bars themselves: which exact file (its SHA-256, so a
//! report can prove what data it ran on), how many bars, their range, their usual
//! spacing and where bars are missing. The engine uses the interval to annualise and
//! the reports print the rest.

use super::gaps::{Gap, detect_gaps, median_interval_ns, ns_to_secs};
use crate::model::{Bar, Calendar, Timestamp};
use rust_decimal::Decimal;
use serde::Serialize;
use std::path::PathBuf;

/// The bars of one file, validated and cut to the requested range, with their summary.
#[derive(Debug, Clone, PartialEq)]
pub struct LoadedBars {
    pub bars: Vec<Bar>,
    /// Each bar's spread (price units), index for index with `bars`: `Some` exactly when
    /// the source maps a spread column (`columns.spread`).
    pub spreads: Option<Vec<Decimal>>,
    pub summary: DataSummary,
}

/// Facts about the bars kept from one file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DataSummary {
    pub path: PathBuf,
    /// Lowercase hex SHA-256 of the whole file's bytes.
    pub sha256: String,
    /// Bars kept (after the start/end filter).
    pub rows: usize,
    pub first_ts: Option<Timestamp>,
    pub last_ts: Option<Timestamp>,
    /// Median spacing between consecutive bars, seconds; 0 for fewer than 2 bars.
    pub bar_interval_secs: f64,
    pub gaps: Vec<Gap>,
}

impl DataSummary {
    /// Summarises strictly increasing `bars` read from `path`.
    pub fn of(path: PathBuf, sha256: String, bars: &[Bar], calendar: Calendar) -> Self {
        DataSummary {
            path,
            sha256,
            rows: bars.len(),
            first_ts: bars.first().map(|b| b.ts),
            last_ts: bars.last().map(|b| b.ts),
            bar_interval_secs: median_interval_ns(bars).map_or(0.0, ns_to_secs),
            gaps: detect_gaps(bars, calendar),
        }
    }
}
