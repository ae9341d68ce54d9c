//! Errors found while reading a scenario file. The parser never stops at the first
//! problem: it collects one [`FieldError`] per problem so the user can fix them all in
//! one pass, and [`ScenarioErrors`] prints them one a line, `file:line: path: message`.

use std::fmt;
use std::path::{Path, PathBuf};

/// One problem with one field of a scenario.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// Dotted path of the field, with array indices in brackets: `instruments[1].tick_size`.
    /// Empty when the problem is not about a field (unreadable file, malformed `--set`).
    pub path: String,
    /// 1-based line in the scenario file; `None` when unknown (values given with `--set`,
    /// fields missing from the top level of the file).
    pub line: Option<usize>,
    pub message: String,
}

impl FieldError {
    pub fn new(path: impl Into<String>, line: Option<usize>, message: impl Into<String>) -> Self {
        FieldError {
            path: path.into(),
            line,
            message: message.into(),
        }
    }
}

/// Every problem found in one scenario file, sorted by line then path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScenarioErrors {
    pub file: PathBuf,
    pub errors: Vec<FieldError>,
}

impl ScenarioErrors {
    /// Wraps the errors, sorting them by line (unknown lines first) then path. The sort is
    /// stable, so two errors on the same field keep the order they were found in.
    pub fn new(file: &Path, mut errors: Vec<FieldError>) -> Self {
        errors.sort_by(|a, b| (a.line, &a.path).cmp(&(b.line, &b.path)));
        ScenarioErrors {
            file: file.to_path_buf(),
            errors,
        }
    }

    /// True if some error is about `path` (exactly).
    pub fn has_path(&self, path: &str) -> bool {
        self.errors.iter().any(|e| e.path == path)
    }

    /// The errors about `path` (exactly), in order.
    pub fn for_path<'a>(&'a self, path: &'a str) -> impl Iterator<Item = &'a FieldError> + 'a {
        self.errors.iter().filter(move |e| e.path == path)
    }
}

impl fmt::Display for ScenarioErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let file = self.file.display();
        for (i, e) in self.errors.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{file}")?;
            if let Some(line) = e.line {
                write!(f, ":{line}")?;
            }
            if e.path.is_empty() {
                write!(f, ": {}", e.message)?;
            } else {
                write!(f, ": {}: {}", e.path, e.message)?;
            }
        }
        Ok(())
    }
}

impl std::error::Error for ScenarioErrors {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_one_line_per_error_sorted() {
        let errors = ScenarioErrors::new(
            Path::new("s.toml"),
            vec![
                FieldError::new("strategy.fast", Some(9), "missing required field"),
                FieldError::new("cash", Some(3), "must be positive, found -1"),
                FieldError::new("name", None, "missing required field"),
                FieldError::new("", None, "(--set) `x`: expected key=value"),
                FieldError::new("benchmark", Some(3), "expected a boolean, found integer 1"),
            ],
        );
        assert_eq!(
            errors.to_string(),
            "s.toml: (--set) `x`: expected key=value\n\
             s.toml: name: missing required field\n\
             s.toml:3: benchmark: expected a boolean, found integer 1\n\
             s.toml:3: cash: must be positive, found -1\n\
             s.toml:9: strategy.fast: missing required field"
        );
        assert!(errors.has_path("cash"));
        assert_eq!(errors.for_path("strategy.fast").count(), 1);
    }
}
