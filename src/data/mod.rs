//! Market data: loading, validation at the door, gap detection and synthetic bars.
//!
//! [`load_bars`] is the engine's way in: it reads a [`DataSource`] (CSV through the csv
//! crate, or CSV/Parquet through polars), checks every row (numbers finite, prices > 0
//! and within [`PRICE_MIN`] ..= [`PRICE_MAX`], volume within 0 ..= [`VOLUME_MAX`],
//! high/low bracketing open and close, timestamps representable
//! ([`SUPPORTED_DATES`](crate::model::time::SUPPORTED_DATES)) and strictly increasing),
//! stops at the first problem with a [`DataError`] naming file, line and column, and keeps
//! the bars inside the scenario's start/end. A spread column, when the scenario maps one,
//! is validated the same way (finite, within 0 ..= [`PRICE_MAX`]) and kept beside the
//! bars in [`LoadedBars::spreads`]; bars themselves never carry it. [`check_file`] runs the same checks over a
//! whole file but collects every error, for `slipstream data check`. [`synth_bars`] and
//! [`write_csv`] make test and benchmark data.

mod check;
mod csv_loader;
mod error;
mod gaps;
mod parse;
mod polars_loader;
mod summary;
mod synth;
mod validate;
mod writer;

pub use check::CheckReport;
pub use error::{DataError, LineUnit};
pub use gaps::{Gap, detect_gaps};
pub use summary::{DataSummary, LoadedBars};
pub use synth::{SynthParams, synth_bars};
pub use validate::{PRICE_MAX, PRICE_MIN, VOLUME_MAX};
pub use writer::write_csv;

use crate::model::{Calendar, Timestamp};
use crate::scenario::{DataFormat, DataSource};
use validate::{Mode, Sink};

/// Loads and validates a data file, keeping the bars with `start <= ts <= end` (both
/// bounds optional, inclusive). Every row of the file is validated, in range or not.
///
/// # Errors
/// The first problem found: the file cannot be read, is empty or header-only, lacks a
/// mapped column, or a row fails validation. A range that keeps no bars is not an error.
pub fn load_bars(
    source: &DataSource,
    start: Option<Timestamp>,
    end: Option<Timestamp>,
    calendar: Calendar,
) -> Result<LoadedBars, DataError> {
    let mut sink = Sink::new(Mode::FailFast, &source.path, &source.columns, start, end);
    let sha256 = read_into(source, &mut sink)?;
    let bars = std::mem::take(&mut sink.bars);
    let spreads = source
        .columns
        .spread
        .is_some()
        .then(|| std::mem::take(&mut sink.spreads));
    let summary = DataSummary::of(source.path.clone(), sha256, &bars, calendar);
    Ok(LoadedBars { bars, spreads, summary })
}

/// Validates a whole file and collects every row error, with a summary of the valid rows.
/// A mapped spread column is checked too.
///
/// # Errors
/// Only when the file cannot be checked at all: it cannot be opened or parsed as a
/// whole, it is empty, or its header lacks a mapped column.
pub fn check_file(source: &DataSource, calendar: Calendar) -> Result<CheckReport, DataError> {
    let mut sink = Sink::new(Mode::CollectAll, &source.path, &source.columns, None, None);
    let sha256 = read_into(source, &mut sink)?;
    let bars = std::mem::take(&mut sink.bars);
    let errors = std::mem::take(&mut sink.errors);
    let summary = DataSummary::of(source.path.clone(), sha256, &bars, calendar);
    Ok(CheckReport { summary, errors })
}

fn read_into(source: &DataSource, sink: &mut Sink<'_>) -> Result<String, DataError> {
    match source.format {
        DataFormat::Csv => csv_loader::read_csv(source, sink),
        DataFormat::CsvPolars | DataFormat::Parquet => polars_loader::read_polars(source, sink),
    }
}
