//! The one error of the report writers: which file could not be written, and why.

use std::path::PathBuf;

/// Why a report file could not be produced.
#[derive(Debug, thiserror::Error)]
pub enum ReportErrorKind {
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("JSON serialisation failed: {0}")]
    Json(#[from] serde_json::Error),
    #[error("CSV serialisation failed: {0}")]
    Csv(#[from] csv::Error),
    #[error("chart rendering failed: {0}")]
    Chart(String),
}

/// A report file (or the report folder) that could not be written.
#[derive(Debug, thiserror::Error)]
#[error("cannot write report file {}: {kind}", path.display())]
pub struct ReportError {
    /// The file or folder that could not be written.
    pub path: PathBuf,
    #[source]
    pub kind: ReportErrorKind,
}

impl ReportError {
    pub fn new(path: impl Into<PathBuf>, kind: impl Into<ReportErrorKind>) -> Self {
        ReportError {
            path: path.into(),
            kind: kind.into(),
        }
    }
}
