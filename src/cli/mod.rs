//! Command-line driver: parse the arguments (clap), turn them and the scenario file into
//! a validated configuration, run the library, print one clear line on failure and exit
//! with the code from [`exit`]. This is the only place that looks at the wall clock (for
//! the progress bar) or at whether stderr is a terminal.

mod exit;

use clap::{Args, Parser, Subcommand};
use exit::Failure;
use slipstream::backtest;
use slipstream::data::{self, SynthParams};
use slipstream::model::{Calendar, Timestamp};
use slipstream::report;
use slipstream::scenario::{self, ColumnMap, DataFormat, DataSource};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "slipstream",
    version,
    about = "Deterministic backtests: scenario file in, reports out"
)]
#[command(after_help = exit::EXIT_CODES_HELP)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run a scenario and write its report folder.
    Run(RunArgs),
    /// Check a scenario file without running it; lists every error at once.
    Validate(ScenarioArgs),
    /// Market data tools.
    #[command(subcommand)]
    Data(DataCommand),
}

#[derive(Args)]
struct ScenarioArgs {
    /// The scenario file (TOML).
    scenario: PathBuf,
    /// Override a scenario field, e.g. --set strategy.fast=5 (repeatable).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    overrides: Vec<String>,
}

#[derive(Args)]
struct RunArgs {
    #[command(flatten)]
    scenario: ScenarioArgs,
    /// Write the reports here instead of the scenario's output_dir.
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Print nothing but errors.
    #[arg(long, short)]
    quiet: bool,
}

#[derive(Subcommand)]
enum DataCommand {
    /// Validate a bar file and print a summary: rows, range, interval, gaps, every bad row.
    Check(CheckArgs),
    /// Write a seeded random walk of OHLCV bars (for tests and benchmarks).
    Synth(SynthArgs),
}

#[derive(Args)]
struct CheckArgs {
    file: PathBuf,
    /// chrono format of the timestamp column (default: ISO-8601).
    #[arg(long)]
    timestamp_format: Option<String>,
    /// Column names as timestamp,open,high,low,close,volume (default: those names),
    /// optionally followed by a spread column's name to check it too.
    #[arg(long, value_name = "T,O,H,L,C,V[,S]")]
    columns: Option<String>,
    /// equity, fx or crypto: decides which spacing counts as a gap.
    #[arg(long, default_value = "equity")]
    calendar: String,
    /// Read through polars (csv_polars, parquet) instead of the csv crate.
    #[arg(long)]
    format: Option<String>,
}

#[derive(Args)]
struct SynthArgs {
    /// Number of bars.
    #[arg(long)]
    bars: usize,
    #[arg(long, default_value_t = 42)]
    seed: u64,
    #[arg(long)]
    out: PathBuf,
    /// Seconds between bars.
    #[arg(long, default_value_t = 60)]
    interval_secs: i64,
    /// First bar's timestamp (ISO-8601).
    #[arg(long, default_value = "2020-01-01T00:00:00")]
    start: String,
    /// First bar's open.
    #[arg(long, default_value = "100")]
    start_px: String,
}

pub fn main() -> ExitCode {
    exit::install_panic_hook();
    let cli = Cli::parse();
    let outcome = std::panic::catch_unwind(|| dispatch(cli));
    match outcome {
        Ok(Ok(())) => ExitCode::SUCCESS,
        Ok(Err(failure)) => failure.report(),
        // The hook already printed one line naming the bug.
        Err(_) => ExitCode::from(exit::INTERNAL),
    }
}

fn dispatch(cli: Cli) -> Result<(), Failure> {
    match cli.command {
        Command::Run(args) => run(args),
        Command::Validate(args) => validate(args),
        Command::Data(DataCommand::Check(args)) => check(args),
        Command::Data(DataCommand::Synth(args)) => synth(args),
    }
}

/// Writes to stdout; a closed pipe or a full disk is an output error (exit 5), not a panic.
fn print_out(text: &str) -> Result<(), Failure> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .map_err(|e| Failure::Io(PathBuf::from("standard output"), e))
}

fn run(args: RunArgs) -> Result<(), Failure> {
    let scenario = scenario::load(&args.scenario.scenario, &args.scenario.overrides).map_err(Failure::Scenario)?;
    let out_dir = args.out.clone().unwrap_or_else(|| scenario.output_dir.clone());
    let data = backtest::load_market_data(&scenario).map_err(Failure::Backtest)?;
    let total = backtest::bars_to_process(&scenario, &data);
    let bar = progress_bar(total, args.quiet);
    let result = backtest::run_with_data(&scenario, data, &mut |done| {
        if let Some(bar) = &bar {
            bar.set_position(done as u64);
        }
    })
    .map_err(Failure::Backtest)?;
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    let files = report::write_reports(&result, &out_dir).map_err(Failure::Report)?;
    if !args.quiet {
        let (metrics, _) = report::run_metrics(&result);
        print_out(&format!(
            "{}reports: {}/\n",
            report::summary_text(&result, &metrics),
            files.dir.display()
        ))?;
    }
    Ok(())
}

/// A progress bar on stderr for long runs, only when a person is watching.
fn progress_bar(total: usize, quiet: bool) -> Option<indicatif::ProgressBar> {
    const WORTH_A_BAR: usize = 2_000_000;
    if quiet || total < WORTH_A_BAR || !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = indicatif::ProgressBar::new(total as u64);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} bars ({per_sec}, {eta} left)")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    Some(bar)
}

fn validate(args: ScenarioArgs) -> Result<(), Failure> {
    let scenario = scenario::load(&args.scenario, &args.overrides).map_err(Failure::Scenario)?;
    // The files the scenario names must be there to run it.
    let mut files: Vec<&Path> = scenario.instruments.iter().map(|i| i.data.path.as_path()).collect();
    if let scenario::StrategyConfig::SignalsFile { path } = &scenario.strategy {
        files.push(path);
    }
    for file in files {
        std::fs::File::open(file)
            .map_err(|e| Failure::Data(data::DataError::new(file, format!("cannot open: {e}"))))?;
    }
    print_out(&format!(
        "{}: ok ({} instrument{}, strategy {}, output {})\n",
        args.scenario.display(),
        scenario.instruments.len(),
        if scenario.instruments.len() == 1 { "" } else { "s" },
        scenario.strategy.name(),
        scenario.output_dir.display()
    ))
}

fn check(args: CheckArgs) -> Result<(), Failure> {
    let usage = |message: String| Failure::Usage(message);
    let calendar = match args.calendar.as_str() {
        "equity" => Calendar::Equity,
        "fx" => Calendar::Fx,
        "crypto" => Calendar::Crypto,
        other => return Err(usage(format!("--calendar {other}: expected equity, fx or crypto"))),
    };
    let columns = match &args.columns {
        None => ColumnMap::default(),
        Some(list) => {
            let names: Vec<&str> = list.split(',').map(str::trim).collect();
            let ([timestamp, open, high, low, close, volume], spread) = match names[..] {
                [t, o, h, l, c, v] => ([t, o, h, l, c, v], None),
                [t, o, h, l, c, v, s] => ([t, o, h, l, c, v], Some(s)),
                _ => {
                    return Err(usage(format!(
                        "--columns {list}: expected six or seven names: timestamp,open,high,low,close,volume[,spread]"
                    )));
                }
            };
            ColumnMap {
                timestamp: timestamp.into(),
                open: open.into(),
                high: high.into(),
                low: low.into(),
                close: close.into(),
                volume: volume.into(),
                spread: spread.map(Into::into),
            }
        }
    };
    let format = match args.format.as_deref() {
        None => default_format(&args.file),
        Some("csv") => DataFormat::Csv,
        Some("csv_polars") => DataFormat::CsvPolars,
        Some("parquet") => DataFormat::Parquet,
        Some(other) => return Err(usage(format!("--format {other}: expected csv, csv_polars or parquet"))),
    };
    let source = DataSource {
        path: args.file.clone(),
        format,
        columns,
        timestamp_format: args.timestamp_format,
    };
    let report = data::check_file(&source, calendar).map_err(Failure::Data)?;
    print_out(&report.render())?;
    if report.is_ok() {
        Ok(())
    } else {
        Err(Failure::InvalidRows(report.errors.len()))
    }
}

fn default_format(path: &Path) -> DataFormat {
    match path.extension().and_then(|e| e.to_str()) {
        Some("parquet" | "pq") => DataFormat::Parquet,
        _ => DataFormat::Csv,
    }
}

fn synth(args: SynthArgs) -> Result<(), Failure> {
    let start = Timestamp::parse_iso(&args.start)
        .ok_or_else(|| Failure::Usage(format!("--start {}: not an ISO-8601 date or date-time", args.start)))?;
    let start_px = args
        .start_px
        .parse()
        .map_err(|_| Failure::Usage(format!("--start-px {}: not a decimal number", args.start_px)))?;
    let params = SynthParams {
        bars: args.bars,
        seed: args.seed,
        start,
        interval_secs: args.interval_secs,
        start_px,
        ..SynthParams::default()
    };
    params.validate().map_err(Failure::Usage)?;
    let bars = data::synth_bars(&params);
    data::write_csv(&bars, &args.out).map_err(|e| Failure::Io(args.out.clone(), e))?;
    eprintln!("wrote {} bars to {}", bars.len(), args.out.display());
    Ok(())
}
