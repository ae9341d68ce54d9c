//! Reports: metrics, writers (JSON, Markdown, CSV) and charts.
//!
//! [`write_reports`] turns a finished [`RunResult`] into a folder of files:
//!
//! - `report.json`: metrics, conventions, scenario and data provenance, for machines;
//! - `report.md`: the same for people, with the charts embedded;
//! - `trades.csv`, `orders.csv`, `fills.csv`, `equity.csv`: the raw tables;
//! - `parent_orders.csv`: every order the strategy's signals produced, as its execution
//!   algorithm worked it ([`parents`]; summed in the `Execution` sections);
//! - `routing.csv`: where each routed order (a child under an execution algorithm, with
//!   its parent) went and what each venue quoted for it
//!   ([`routing`]; its totals by venue are in `report.json` and `report.md`);
//! - `sizing.csv`: every entry sized at its decision, its inputs and result
//!   ([`tables::sizing_csv`]; all-cash entries are sized at the fill and have none);
//! - `equity.svg`, `drawdown.svg`: charts;
//! - `slippage.md`, `slippage.csv`, `slippage_hist.svg`, `slippage_vs_size.svg`: the
//!   slippage report, every order's implementation shortfall split into delay, timing,
//!   spread, impact, fees and opportunity cost (formulas in [`slippage`]; the aggregates
//!   are also the `"slippage"` section of `report.json`).
//!
//! Output is deterministic: the same result gives byte-identical files (no wall clock, no
//! hash-map order, fixed float formatting, paths as given rather than where the checkout
//! lives). [`summary_text`] is the short summary the command line prints.

pub mod charts;
pub mod conventions;
pub mod error;
pub mod format;
pub mod json;
pub mod markdown;
pub mod metrics;
pub mod parents;
pub mod routing;
pub mod slippage;
pub mod slippage_writer;
pub mod tables;

pub use conventions::Conventions;
pub use error::{ReportError, ReportErrorKind};
pub use markdown::{render_markdown, summary_text};
pub use metrics::{Metrics, compute_metrics, returns};

use crate::backtest::result::RunResult;
use std::path::{Path, PathBuf};

/// What [`write_reports`] wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportFiles {
    /// The report folder, as passed in.
    pub dir: PathBuf,
    /// Every file written, in the order written (`report.json` first).
    pub files: Vec<PathBuf>,
}

/// Names of the files [`write_reports`] writes, in order.
pub const REPORT_FILES: [&str; 15] = [
    "report.json",
    "report.md",
    "trades.csv",
    "orders.csv",
    "fills.csv",
    "routing.csv",
    "parent_orders.csv",
    "sizing.csv",
    "equity.csv",
    "equity.svg",
    "drawdown.svg",
    "slippage.md",
    "slippage.csv",
    "slippage_hist.svg",
    "slippage_vs_size.svg",
];

/// Metrics of the main strategy and of the benchmark (if any), as the reports show them.
pub fn run_metrics(result: &RunResult) -> (Metrics, Option<Metrics>) {
    let cash = result.scenario.cash;
    let main = compute_metrics(&result.main, cash, result.periods_per_year);
    let bench = result
        .benchmark
        .as_ref()
        .map(|b| compute_metrics(b, cash, result.periods_per_year));
    (main, bench)
}

/// Writes every report file of `result` into `out_dir` (created with its parents if
/// missing; existing files of the same names are replaced).
///
/// # Errors
/// [`ReportError`] naming the folder or file that could not be produced.
pub fn write_reports(result: &RunResult, out_dir: &Path) -> Result<ReportFiles, ReportError> {
    std::fs::create_dir_all(out_dir).map_err(|e| ReportError::new(out_dir, e))?;
    let (main, bench) = run_metrics(result);
    let (costs, slippage) = slippage::slippage_report(result);
    let others: Vec<&str> = REPORT_FILES.iter().copied().filter(|f| *f != "report.json").collect();
    let mut files = Vec::with_capacity(REPORT_FILES.len());
    for name in REPORT_FILES {
        let path = out_dir.join(name);
        let fail = |kind: ReportErrorKind| ReportError::new(&path, kind);
        let bytes: Vec<u8> = match name {
            "report.json" => json::render_json_with_slippage(result, &main, bench.as_ref(), &slippage, &others)
                .map_err(|e| fail(e.into()))?
                .into_bytes(),
            "report.md" => render_markdown(result, &main, bench.as_ref()).into_bytes(),
            "trades.csv" => tables::trades_csv(result).map_err(|e| fail(e.into()))?,
            "orders.csv" => tables::orders_csv(result).map_err(|e| fail(e.into()))?,
            "fills.csv" => tables::fills_csv(result).map_err(|e| fail(e.into()))?,
            "routing.csv" => routing::routing_csv(result).map_err(|e| fail(e.into()))?,
            "parent_orders.csv" => parents::parent_orders_csv(result).map_err(|e| fail(e.into()))?,
            "sizing.csv" => tables::sizing_csv(result).map_err(|e| fail(e.into()))?,
            "equity.csv" => tables::equity_csv(result).map_err(|e| fail(e.into()))?,
            "equity.svg" => charts::equity_svg(result)
                .map_err(|e| fail(ReportErrorKind::Chart(e)))?
                .into_bytes(),
            "drawdown.svg" => charts::drawdown_svg(result)
                .map_err(|e| fail(ReportErrorKind::Chart(e)))?
                .into_bytes(),
            "slippage.md" => slippage_writer::render_slippage_markdown(result, &costs, &slippage).into_bytes(),
            "slippage.csv" => slippage_writer::slippage_csv(result, &costs).map_err(|e| fail(e.into()))?,
            "slippage_hist.svg" => slippage_writer::slippage_hist_svg(result, &costs)
                .map_err(|e| fail(ReportErrorKind::Chart(e)))?
                .into_bytes(),
            "slippage_vs_size.svg" => slippage_writer::slippage_vs_size_svg(result, &costs)
                .map_err(|e| fail(ReportErrorKind::Chart(e)))?
                .into_bytes(),
            other => unreachable!("no writer for report file {other}"),
        };
        std::fs::write(&path, bytes).map_err(|e| fail(e.into()))?;
        files.push(path);
    }
    Ok(ReportFiles {
        dir: out_dir.to_path_buf(),
        files,
    })
}
