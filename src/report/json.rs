//! `report.json`: the whole report for machines. Keys come in a fixed order (struct
//! order), floats print in their shortest round-trip form, and nothing depends on the
//! wall clock or on where the checkout lives, so the same run gives the same bytes.

use super::conventions::Conventions;
use super::format::display_path;
use super::metrics::Metrics;
use super::parents::{ExecutionSummary, execution_summary, parent_rows};
use super::routing::{RoutingSummary, routing_summary};
use super::slippage::{SlippageSummary, slippage_report};
use crate::backtest::result::{DataFileInfo, RunResult};
use crate::scenario::{Scenario, StrategyConfig};
use serde::Serialize;
use std::path::Path;

#[derive(Serialize)]
struct ReportJson<'a> {
    slipstream_version: &'static str,
    conventions: Conventions,
    scenario: Scenario,
    data_files: Vec<DataFileInfo>,
    periods_per_year: f64,
    periods_per_year_source: &'a str,
    metrics: &'a Metrics,
    benchmark_metrics: Option<&'a Metrics>,
    /// The slippage report's aggregates and their conventions (per order: `slippage.csv`).
    slippage: &'a SlippageSummary,
    /// Where orders went and why, by venue (per order: `routing.csv`).
    routing: RoutingSummary,
    /// How the parent orders were worked (per parent: `parent_orders.csv`).
    execution: ExecutionSummary,
    /// The risk guard's rejections (with counts by reason code) and trading-state changes.
    risk: RiskJson<'a>,
    warnings: &'a [String],
    files: &'a [&'a str],
}

#[derive(Serialize)]
struct RiskJson<'a> {
    rejections_by_code: Vec<(&'static str, usize)>,
    #[serde(flatten)]
    log: &'a crate::risk::RiskLog,
}

/// The scenario as run, with its paths made machine-independent (see [`display_path`]).
pub fn portable_scenario(scenario: &Scenario) -> Scenario {
    let mut out = scenario.clone();
    for inst in &mut out.instruments {
        inst.data.path = display_path(&inst.data.path, &scenario.source_dir);
    }
    if let StrategyConfig::SignalsFile { path } = &mut out.strategy {
        *path = display_path(path, &scenario.source_dir);
    }
    out
}

/// The data files' provenance, with machine-independent paths.
pub fn portable_data_files(files: &[DataFileInfo], source_dir: &Path) -> Vec<DataFileInfo> {
    files
        .iter()
        .map(|f| DataFileInfo {
            path: display_path(&f.path, source_dir),
            ..f.clone()
        })
        .collect()
}

/// Pretty-printed `report.json`, ending with a newline. `files` names the other files of
/// the report.
pub fn render_json(
    result: &RunResult,
    metrics: &Metrics,
    benchmark_metrics: Option<&Metrics>,
    files: &[&str],
) -> Result<String, serde_json::Error> {
    let (_, slippage) = slippage_report(result);
    render_json_with_slippage(result, metrics, benchmark_metrics, &slippage, files)
}

/// As [`render_json`], with the slippage aggregates already computed.
pub fn render_json_with_slippage(
    result: &RunResult,
    metrics: &Metrics,
    benchmark_metrics: Option<&Metrics>,
    slippage: &SlippageSummary,
    files: &[&str],
) -> Result<String, serde_json::Error> {
    let report = ReportJson {
        slipstream_version: env!("CARGO_PKG_VERSION"),
        conventions: Conventions::for_run(result),
        scenario: portable_scenario(&result.scenario),
        data_files: portable_data_files(&result.data_files, &result.scenario.source_dir),
        periods_per_year: result.periods_per_year,
        periods_per_year_source: result.periods_per_year_source,
        metrics,
        benchmark_metrics,
        slippage,
        routing: routing_summary(result),
        execution: execution_summary(result, &parent_rows(result)),
        risk: RiskJson {
            rejections_by_code: result
                .main
                .risk
                .counts_by_code()
                .into_iter()
                .map(|(code, n)| (code.as_str(), n))
                .collect(),
            log: &result.main.risk,
        },
        warnings: &result.warnings,
        files,
    };
    let mut text = serde_json::to_string_pretty(&report)?;
    text.push('\n');
    Ok(text)
}
