//! The one table of exit codes, and how each failure is printed: one clear line (or one
//! line per scenario error), never a panic or a backtrace.

use slipstream::backtest::BacktestError;
use slipstream::data::DataError;
use slipstream::report::ReportError;
use slipstream::scenario::ScenarioErrors;
use std::path::PathBuf;
use std::process::ExitCode;

pub const EXIT_CODES_HELP: &str = "\
Exit codes:
  0  success
  2  bad command line
  3  invalid scenario file (every error is listed)
  4  invalid market data or signals file (file, line and field named)
  5  cannot write output
  70 internal error (a bug in slipstream; please report it)";

/// Exit code of an internal error (a bug): sysexits' EX_SOFTWARE.
pub const INTERNAL: u8 = 70;

/// Turns a panic into one line on stderr naming it as a bug; the exit code is
/// [`INTERNAL`] (set by `main`, which catches the unwind).
pub fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        let what = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".to_string());
        let place = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        eprintln!(
            "error: internal error{place}: {what} (a bug in slipstream; please report it with the scenario and data)"
        );
    }));
}

pub enum Failure {
    Usage(String),
    Scenario(ScenarioErrors),
    Data(DataError),
    /// `data check` found this many bad rows (already printed).
    InvalidRows(usize),
    Backtest(BacktestError),
    Report(ReportError),
    Io(PathBuf, std::io::Error),
}

impl Failure {
    pub fn report(self) -> ExitCode {
        let (code, message) = match self {
            Failure::Usage(m) => (2, m),
            Failure::Scenario(e) => (3, format!("{} error(s) in the scenario:\n{e}", e.errors.len())),
            Failure::Data(e) => (4, e.to_string()),
            Failure::InvalidRows(n) => (4, format!("{n} invalid row(s)")),
            Failure::Backtest(
                e @ (BacktestError::Data(_) | BacktestError::Signals(_) | BacktestError::NoBars { .. }),
            ) => (4, e.to_string()),
            Failure::Backtest(e @ BacktestError::Engine(_)) => (INTERNAL, e.to_string()),
            Failure::Report(e) => (5, e.to_string()),
            Failure::Io(path, e) => (5, format!("{}: {e}", path.display())),
        };
        eprintln!("error: {}", message.trim_end());
        ExitCode::from(code)
    }
}
