//! The backtest driver: owns simulated time, the data and the simulated venue.
//!
//! It merges the bars of every symbol by `(timestamp, symbol index)`, so ties always
//! resolve the same way, and for each bar: lets the venue match the working orders
//! (fills go to the engine), lets the engine see the bar (its commands go to the
//! venue), and once every bar of a timestamp is done, records an equity point. The
//! engine itself never sees the data files, the venue or a clock.

pub mod result;

use crate::data::{self, DataError};
use crate::engine::{Command, Engine, EngineFault, SkippedSignal};
use crate::execution::Executor;
use crate::model::{Bar, Instrument, Timestamp};
use crate::scenario::{
    ExecutionConfig, FillTiming, RiskConfig, Scenario, SizingConfig, StrategyConfig, VenueConfig, VenueSpec,
};
use crate::strategy::{BuyAndHold, SignalsError, SignalsFile, SmaCross, Strategy};
use rayon::prelude::*;
use result::{DataFileInfo, RunOutcome, RunResult};
use rust_decimal::Decimal;

#[derive(Debug, thiserror::Error)]
pub enum BacktestError {
    #[error(transparent)]
    Data(#[from] DataError),
    #[error(transparent)]
    Signals(#[from] SignalsError),
    #[error("{path}: no bars left for {symbol} between the scenario's start and end")]
    NoBars { symbol: String, path: String },
    #[error("engine fault (a bug in slipstream, please report it): {}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
    Engine(Vec<EngineFault>),
}

/// Bars of every instrument, in the scenario's instrument order.
pub struct MarketData {
    pub bars: Vec<Vec<Bar>>,
    /// Per instrument, each bar's spread (index for index with its `bars`), or `None`
    /// when its data source maps no spread column.
    pub spreads: Vec<Option<Vec<Decimal>>>,
    pub files: Vec<DataFileInfo>,
}

/// Loads and validates every data file of the scenario (in parallel; the result does not
/// depend on the order in which files finish).
///
/// # Errors
/// The first file's error in instrument order, naming file, line and field.
pub fn load_market_data(scenario: &Scenario) -> Result<MarketData, BacktestError> {
    let loaded: Vec<_> = scenario
        .instruments
        .par_iter()
        .map(|config| data::load_bars(&config.data, scenario.start, scenario.end, config.instrument.calendar))
        .collect();
    let mut bars = Vec::with_capacity(loaded.len());
    let mut spreads = Vec::with_capacity(loaded.len());
    let mut files = Vec::with_capacity(loaded.len());
    for (config, result) in scenario.instruments.iter().zip(loaded) {
        let loaded = result?;
        if loaded.bars.is_empty() {
            return Err(BacktestError::NoBars {
                symbol: config.instrument.symbol.clone(),
                path: config.data.path.display().to_string(),
            });
        }
        let summary = loaded.summary;
        files.push(DataFileInfo {
            symbol: config.instrument.symbol.clone(),
            path: config.data.path.clone(),
            sha256: summary.sha256,
            bars: summary.rows,
            first_ts: summary.first_ts,
            last_ts: summary.last_ts,
            bar_interval_secs: summary.bar_interval_secs,
            gaps: summary.gaps.len(),
        });
        bars.push(loaded.bars);
        spreads.push(loaded.spreads);
    }
    Ok(MarketData { bars, spreads, files })
}

/// Builds the scenario's strategy.
///
/// # Errors
/// A signals file that does not validate.
pub fn build_strategy(config: &StrategyConfig, instruments: &[Instrument]) -> Result<Box<dyn Strategy>, BacktestError> {
    Ok(match config {
        StrategyConfig::SmaCross { fast, slow, mode } => {
            Box::new(SmaCross::new(*fast, *slow, *mode, instruments.len()))
        }
        StrategyConfig::BuyAndHold => Box::new(BuyAndHold::new(instruments.len())),
        StrategyConfig::SignalsFile { path } => Box::new(SignalsFile::load(path, instruments)?),
    })
}

/// How often [`Simulation::run_observed`] reports progress.
pub const PROGRESS_EVERY_BARS: usize = 1 << 16;

/// Everything one simulation needs besides the strategy.
pub struct Simulation<'a> {
    pub instruments: &'a [Instrument],
    pub bars: &'a [Vec<Bar>],
    /// Quoted spreads per instrument, aligned with `bars` (empty, or `None` for an
    /// instrument: no spread column).
    pub spreads: &'a [Option<Vec<Decimal>>],
    pub venue: &'a VenueConfig,
    /// The scenario's venues (empty: one venue by `venue` alone).
    pub venues: &'a [VenueSpec],
    /// How orders are worked (`market`: as they are).
    pub execution: ExecutionConfig,
    /// Pre-trade risk limits (none by default).
    pub risk: &'a RiskConfig,
    pub sizing: SizingConfig,
    /// Periods per year of the run (P), which annualises the volatility `vol_target`
    /// sizing reads.
    pub periods_per_year: f64,
    pub cash: Decimal,
    /// Seeds the venue's random slippage component.
    pub seed: u64,
}

impl Simulation<'_> {
    /// Runs `strategy` over the bars.
    ///
    /// # Errors
    /// [`BacktestError::Engine`] if the venue and the engine disagreed on an order's state.
    pub fn run(
        &self,
        name: &str,
        strategy: Box<dyn Strategy>,
    ) -> Result<(RunOutcome, Vec<SkippedSignal>), BacktestError> {
        self.run_observed(name, strategy, &mut |_| {})
    }

    /// As [`Simulation::run`], calling `progress` with the number of bars processed so
    /// far every [`PROGRESS_EVERY_BARS`] bars and once at the end.
    ///
    /// # Errors
    /// As [`Simulation::run`].
    pub fn run_observed(
        &self,
        name: &str,
        strategy: Box<dyn Strategy>,
        progress: &mut dyn FnMut(usize),
    ) -> Result<(RunOutcome, Vec<SkippedSignal>), BacktestError> {
        let mut engine = Engine::new(
            name,
            self.instruments.to_vec(),
            strategy,
            self.sizing,
            self.periods_per_year,
            self.cash,
        );
        // At least one equity point per bar of the longest series (exact for one symbol).
        engine.reserve_equity_points(self.bars.iter().map(Vec::len).max().unwrap_or(0));
        let mut venue = Executor::new(
            self.execution,
            self.risk,
            self.venue,
            self.venues,
            self.instruments.to_vec(),
            self.seed,
        );
        let mut commands = Vec::new();
        let mut cursor = vec![0usize; self.bars.len()];
        let mut last_ts = Timestamp::default();
        let mut bars_done = 0usize;
        let mut next_report = PROGRESS_EVERY_BARS;
        let watch_equity = venue.watches_equity();
        while let Some(ts) = next_timestamp(self.bars, &cursor) {
            venue.on_clock(ts);
            react_to_trading_state(&mut engine, &mut venue, &mut commands, ts);
            // The account is marked at every close of `ts` only after its last bar: before
            // that, an equity would mix this close with earlier ones.
            let last_symbol = if watch_equity {
                (0..self.bars.len())
                    .rev()
                    .find(|&s| self.bars[s].get(cursor[s]).is_some_and(|b| b.ts == ts))
            } else {
                None
            };
            for (symbol, bars) in self.bars.iter().enumerate() {
                let Some(bar) = bars.get(cursor[symbol]).filter(|b| b.ts == ts) else {
                    continue;
                };
                if let Some(Some(spreads)) = self.spreads.get(symbol) {
                    // The loader keeps spreads index for index with the bars.
                    let spread = spreads.get(cursor[symbol]).copied().unwrap_or_default();
                    venue.set_quoted_spread(symbol, spread);
                }
                cursor[symbol] += 1;
                bars_done += 1;
                venue.on_bar(symbol, bar, &mut engine);
                carry_out(&mut engine, &mut venue, &mut commands, ts);
                engine.mark(symbol, bar);
                // At the timestamp's last close the account is marked at every close of
                // `ts`: the guard sees it before the strategy acts, so a loss binds on the
                // bar that shows it and the engine knows the state its signals meet. At
                // earlier bars of `ts` the state is the last equity point's (the guard
                // never sees a half-marked account, and a halt never cancels an order
                // before its bar at `ts`).
                if last_symbol == Some(symbol) {
                    venue.on_marked_equity(ts, engine.marked_equity());
                    react_to_trading_state(&mut engine, &mut venue, &mut commands, ts);
                }
                engine.decide(symbol, bar);
                carry_out(&mut engine, &mut venue, &mut commands, ts);
                if !venue.passthrough() {
                    venue.after_bar(symbol, bar, &mut engine);
                    carry_out(&mut engine, &mut venue, &mut commands, ts);
                }
            }
            let equity = engine.record_equity(ts);
            if watch_equity {
                venue.on_equity(ts, equity);
                react_to_trading_state(&mut engine, &mut venue, &mut commands, ts);
            }
            last_ts = ts;
            if bars_done >= next_report {
                progress(bars_done);
                next_report = bars_done + PROGRESS_EVERY_BARS;
            }
        }
        progress(bars_done);
        // Expiring an entry can place its protective legs; sweep until nothing works.
        while venue.has_working() {
            venue.expire_all(last_ts, "end of data", &mut engine);
            carry_out(&mut engine, &mut venue, &mut commands, last_ts);
        }
        let (mut outcome, skipped) = engine.finish().map_err(BacktestError::Engine)?;
        (outcome.routes, outcome.execution, outcome.risk) = venue.into_logs();
        Ok((outcome, skipped))
    }
}

/// The earliest timestamp among the next bars of every symbol.
fn next_timestamp(bars: &[Vec<Bar>], cursor: &[usize]) -> Option<Timestamp> {
    bars.iter()
        .zip(cursor)
        .filter_map(|(b, &c)| b.get(c).map(|bar| bar.ts))
        .min()
}

/// When the risk guard's trading state changed, the engine cancels what would add
/// exposure, and the cancels go out at once.
fn react_to_trading_state(engine: &mut Engine, venue: &mut Executor, commands: &mut Vec<Command>, now: Timestamp) {
    if let Some(state) = venue.take_state_change() {
        engine.on_trading_state(state, venue.flattens_on_halt(), now);
        carry_out(engine, venue, commands, now);
    }
}

/// Carries the engine's commands to the venue until none are left (a fill can cause a
/// cancel, a cancel nothing further, so this ends).
fn carry_out(engine: &mut Engine, venue: &mut Executor, commands: &mut Vec<Command>, now: Timestamp) {
    while engine.has_commands() {
        engine.take_commands(commands);
        for command in commands.drain(..) {
            match command {
                Command::Submit(order) => venue.submit(&order, now, engine),
                Command::Cancel {
                    symbol,
                    order_id,
                    reason,
                } => {
                    venue.cancel(symbol, order_id, now, reason, engine);
                }
            }
        }
    }
}

/// Runs a whole scenario: data, strategy, benchmark.
///
/// # Errors
/// Data, signals-file or engine errors, each naming what went wrong where.
pub fn run(scenario: &Scenario) -> Result<RunResult, BacktestError> {
    let data = load_market_data(scenario)?;
    run_with_data(scenario, data, &mut |_| {})
}

/// Total bars one run of the scenario processes (strategy plus benchmark), for progress.
pub fn bars_to_process(scenario: &Scenario, data: &MarketData) -> usize {
    let bars: usize = data.bars.iter().map(Vec::len).sum();
    if scenario.benchmark { 2 * bars } else { bars }
}

/// Runs a scenario on data already loaded.
///
/// # Errors
/// As [`run`], less the data errors.
pub fn run_with_data(
    scenario: &Scenario,
    data: MarketData,
    progress: &mut dyn FnMut(usize),
) -> Result<RunResult, BacktestError> {
    let instruments: Vec<Instrument> = scenario.instruments.iter().map(|c| c.instrument.clone()).collect();
    // The equity curve has a point per distinct timestamp, so its frequency is that of
    // the finest series; P follows that instrument's interval and calendar. It is known
    // before the run, as volatility-targeting sizing annualises with it.
    let finest = (0..instruments.len())
        .min_by(|&a, &b| {
            data.files[a]
                .bar_interval_secs
                .total_cmp(&data.files[b].bar_interval_secs)
        })
        .unwrap_or(0);
    let (periods_per_year, periods_per_year_source) = match scenario.periods_per_year {
        Some(p) => (p, "scenario"),
        None => (
            instruments[finest]
                .calendar
                .periods_per_year(data.files[finest].bar_interval_secs.max(1.0)),
            "calendar",
        ),
    };
    let simulation = Simulation {
        instruments: &instruments,
        bars: &data.bars,
        spreads: &data.spreads,
        venue: &scenario.venue,
        venues: &scenario.venues,
        execution: scenario.execution,
        risk: &scenario.risk,
        sizing: scenario.sizing,
        periods_per_year,
        cash: scenario.cash,
        seed: scenario.seed,
    };
    let strategy = build_strategy(&scenario.strategy, &instruments)?;
    let (main, skipped) = simulation.run_observed(scenario.strategy.name(), strategy, progress)?;
    let main_bars: usize = data.bars.iter().map(Vec::len).sum();

    let benchmark = if scenario.benchmark {
        let n = instruments.len();
        let sizing = if n == 1 {
            SizingConfig::AllCash
        } else {
            SizingConfig::FractionOfEquity {
                fraction: Decimal::ONE / Decimal::from(n),
            }
        };
        // The benchmark holds the instruments: the strategy's risk limits and execution
        // algorithm are the strategy's, and would refuse or reshape the benchmark's one
        // entry per instrument (an all-cash buy over a position limit never happens).
        let no_risk = RiskConfig::default();
        let bench = Simulation {
            sizing,
            execution: ExecutionConfig::Market,
            risk: &no_risk,
            ..simulation
        };
        let mut offset_progress = |done: usize| progress(main_bars + done);
        Some(
            bench
                .run_observed("buy_and_hold", Box::new(BuyAndHold::new(n)), &mut offset_progress)?
                .0,
        )
    } else {
        None
    };

    let mut warnings = warnings(scenario, &data.files, &skipped, &instruments);
    let mixed = data.files.iter().zip(&instruments).any(|(f, i)| {
        f.bar_interval_secs != data.files[finest].bar_interval_secs || i.calendar != instruments[finest].calendar
    });
    if mixed && scenario.periods_per_year.is_none() {
        warnings.push(format!(
            "the instruments have different bar intervals or calendars; P = {periods_per_year} follows {} (the finest \
             series), set periods_per_year in the scenario to choose another",
            instruments[finest].symbol
        ));
    }
    warnings.extend(outcome_warnings(&main, scenario.cash));
    Ok(RunResult {
        scenario: scenario.clone(),
        instruments,
        periods_per_year,
        periods_per_year_source,
        data_files: data.files,
        main,
        benchmark,
        warnings,
    })
}

/// What a reader must know about how the run went.
fn outcome_warnings(outcome: &RunOutcome, cash: Decimal) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(bust) = outcome.equity.iter().find(|p| p.equity <= Decimal::ZERO) {
        out.push(format!(
            "the account's equity reached {} at {} (from {}): the run went bust, and return-based metrics after that \
             point are not meaningful",
            bust.equity, bust.ts, cash
        ));
    }
    let unaffordable = outcome
        .orders
        .iter()
        .filter(|o| o.note.as_deref().is_some_and(|n| n.starts_with("not enough cash")))
        .count();
    if unaffordable > 0 {
        out.push(format!(
            "{unaffordable} all-cash order(s) were cancelled because the buying power (equity not committed to \
             positions) could not pay for one lot; see orders.csv"
        ));
    }
    out.extend(outcome.notes.iter().cloned());
    out
}

fn warnings(
    scenario: &Scenario,
    files: &[DataFileInfo],
    skipped: &[SkippedSignal],
    instruments: &[Instrument],
) -> Vec<String> {
    let mut out = Vec::new();
    if scenario.venue.fill_timing == FillTiming::SameClose {
        out.push(
            "fill_timing = same_close: market orders fill at the close of the bar the strategy decided on. \
             That price was only known at the moment of the decision, so results can look ahead and overstate performance."
                .to_string(),
        );
    }
    for file in files.iter().filter(|f| f.gaps > 0) {
        out.push(format!(
            "{}: {} gaps in the data (missing bars beyond weekends; exchange holidays count); see `slipstream data check`",
            file.symbol, file.gaps
        ));
    }
    for skip in skipped.iter().take(20) {
        out.push(format!(
            "{} {}: signal produced no order: {}",
            skip.ts, instruments[skip.symbol].symbol, skip.reason
        ));
    }
    if skipped.len() > 20 {
        out.push(format!(
            "... and {} more signals that produced no order",
            skipped.len() - 20
        ));
    }
    out
}
