//! The one error type of the data layer. Bad market data is the most common way a
//! backtest goes quietly wrong, so every problem found at the door is reported with the
//! file, the place in it (a line as a text editor numbers it, or a row for Parquet) and
//! the column, in one line that a user can paste into an editor's "go to" box.

use std::fmt;
use std::path::{Path, PathBuf};

/// What [`DataError::line`] counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LineUnit {
    /// A 1-based line of a text file, as an editor shows it: the header is line 1.
    #[default]
    Line,
    /// A 1-based row of a columnar file (Parquet), counting data rows only.
    Row,
}

/// A problem with a data file. Displays as `{file}:{line}: {field}: {message}`, leaving
/// out the parts that are unknown (for rows: `{file}: row {n}: {field}: {message}`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataError {
    pub file: PathBuf,
    /// 1-based; see [`DataError::unit`] for whether it counts lines or rows.
    pub line: Option<u64>,
    /// The column as named in the file (the mapped source name, e.g. `High`).
    pub field: Option<String>,
    pub message: String,
    pub unit: LineUnit,
}

impl DataError {
    /// An error about the whole file (no line, no field).
    pub fn new(file: &Path, message: impl Into<String>) -> Self {
        DataError {
            file: file.to_path_buf(),
            line: None,
            field: None,
            message: message.into(),
            unit: LineUnit::Line,
        }
    }

    /// Places the error on a 1-based text line.
    #[must_use]
    pub fn at_line(mut self, line: u64) -> Self {
        self.line = Some(line);
        self.unit = LineUnit::Line;
        self
    }

    /// Places the error on a 1-based data row (columnar files).
    #[must_use]
    pub fn at_row(mut self, row: u64) -> Self {
        self.line = Some(row);
        self.unit = LineUnit::Row;
        self
    }

    #[must_use]
    pub fn with_field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }
}

impl fmt::Display for DataError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        match (self.line, self.unit) {
            (Some(n), LineUnit::Line) => write!(f, ":{n}")?,
            (Some(n), LineUnit::Row) => write!(f, ": row {n}")?,
            (None, _) => {}
        }
        if let Some(field) = &self.field {
            write!(f, ": {field}")?;
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for DataError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_leaves_out_missing_parts() {
        let e = DataError::new(Path::new("data/x.csv"), "bad")
            .at_line(17)
            .with_field("high");
        assert_eq!(e.to_string(), "data/x.csv:17: high: bad");
        assert_eq!(
            DataError::new(Path::new("data/x.csv"), "bad").to_string(),
            "data/x.csv: bad"
        );
        let e = DataError::new(Path::new("x.parquet"), "bad")
            .at_row(3)
            .with_field("low");
        assert_eq!(e.to_string(), "x.parquet: row 3: low: bad");
        let e = DataError::new(Path::new("x.csv"), "bad").at_line(2);
        assert_eq!(e.to_string(), "x.csv:2: bad");
    }
}
