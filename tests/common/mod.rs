//! Shared by the engine tests: a strategy that follows a script, and bar builders.
#![allow(dead_code)]

use rust_decimal::Decimal;
use slipstream::backtest::Simulation;
use slipstream::backtest::result::RunOutcome;
use slipstream::engine::SkippedSignal;
use slipstream::model::{Bar, Instrument, SymbolId, Timestamp};
use slipstream::scenario::{ExecutionConfig, RiskConfig, SizingConfig, VenueConfig, VenueSpec};
use slipstream::strategy::{Signal, Strategy, StrategyContext};
use std::str::FromStr;

pub fn d(text: &str) -> Decimal {
    Decimal::from_str(text).unwrap()
}

pub const DAY_NS: i64 = 86_400_000_000_000;

/// Daily bars from `(open, high, low, close)` strings, one per weekday-agnostic day.
pub fn bars(rows: &[(&str, &str, &str, &str)]) -> Vec<Bar> {
    rows.iter()
        .enumerate()
        .map(|(i, (o, h, l, c))| Bar {
            ts: Timestamp(10_957 * DAY_NS + i as i64 * DAY_NS),
            open: d(o),
            high: d(h),
            low: d(l),
            close: d(c),
            volume: d("1000000"),
        })
        .collect()
}

/// Emits the scripted signals when it sees the given bar (counted per symbol, 0-based).
pub struct Scripted {
    pub plan: Vec<(SymbolId, usize, Signal)>,
    pub seen: Vec<usize>,
}

impl Scripted {
    pub fn new(symbols: usize, plan: Vec<(SymbolId, usize, Signal)>) -> Self {
        Scripted {
            plan,
            seen: vec![0; symbols],
        }
    }
}

impl Strategy for Scripted {
    fn on_bar(&mut self, _ctx: &StrategyContext<'_>, symbol: SymbolId, _bar: &Bar, signals: &mut Vec<Signal>) {
        let index = self.seen[symbol];
        self.seen[symbol] += 1;
        signals.extend(
            self.plan
                .iter()
                .filter(|(s, i, _)| *s == symbol && *i == index)
                .map(|(_, _, sig)| *sig),
        );
    }
}

pub fn simulate(
    data: &[Vec<Bar>],
    venue: &VenueConfig,
    sizing: SizingConfig,
    cash: &str,
    plan: Vec<(SymbolId, usize, Signal)>,
) -> (RunOutcome, Vec<SkippedSignal>) {
    simulate_venues(data, venue, &[], sizing, cash, plan)
}

/// As [`simulate`], with pre-trade risk limits and an execution algorithm.
pub fn simulate_risk(
    data: &[Vec<Bar>],
    risk: &RiskConfig,
    execution: ExecutionConfig,
    sizing: SizingConfig,
    cash: &str,
    plan: Vec<(SymbolId, usize, Signal)>,
) -> (RunOutcome, Vec<SkippedSignal>) {
    let venue = VenueConfig::default();
    Setup {
        execution,
        risk,
        ..Setup::new(&venue, sizing)
    }
    .run(data, cash, plan)
}

/// As [`simulate`], with a venue, risk limits and an execution algorithm.
pub fn simulate_full(
    data: &[Vec<Bar>],
    venue: &VenueConfig,
    risk: &RiskConfig,
    execution: ExecutionConfig,
    sizing: SizingConfig,
    cash: &str,
    plan: Vec<(SymbolId, usize, Signal)>,
) -> (RunOutcome, Vec<SkippedSignal>) {
    Setup {
        execution,
        risk,
        ..Setup::new(venue, sizing)
    }
    .run(data, cash, plan)
}

/// As [`simulate`], working every order with `execution`.
pub fn simulate_algo(
    data: &[Vec<Bar>],
    venue: &VenueConfig,
    execution: ExecutionConfig,
    sizing: SizingConfig,
    cash: &str,
    plan: Vec<(SymbolId, usize, Signal)>,
) -> (RunOutcome, Vec<SkippedSignal>) {
    Setup {
        execution,
        ..Setup::new(venue, sizing)
    }
    .run(data, cash, plan)
}

/// As [`simulate`], trading on several venues.
pub fn simulate_venues(
    data: &[Vec<Bar>],
    venue: &VenueConfig,
    venues: &[VenueSpec],
    sizing: SizingConfig,
    cash: &str,
    plan: Vec<(SymbolId, usize, Signal)>,
) -> (RunOutcome, Vec<SkippedSignal>) {
    Setup {
        venues,
        ..Setup::new(venue, sizing)
    }
    .run(data, cash, plan)
}

/// As [`simulate`], with the run's periods per year (P) given: 252 elsewhere.
pub fn simulate_with_periods(
    data: &[Vec<Bar>],
    sizing: SizingConfig,
    periods_per_year: f64,
    cash: &str,
    plan: Vec<(SymbolId, usize, Signal)>,
) -> (RunOutcome, Vec<SkippedSignal>) {
    let venue = VenueConfig::default();
    Setup {
        periods_per_year,
        ..Setup::new(&venue, sizing)
    }
    .run(data, cash, plan)
}

/// Everything a scripted run may vary; `Setup::new` gives the defaults the tests assume.
struct Setup<'a> {
    venue: &'a VenueConfig,
    venues: &'a [VenueSpec],
    execution: ExecutionConfig,
    risk: &'a RiskConfig,
    sizing: SizingConfig,
    periods_per_year: f64,
}

static NO_RISK: std::sync::LazyLock<RiskConfig> = std::sync::LazyLock::new(RiskConfig::default);

impl<'a> Setup<'a> {
    fn new(venue: &'a VenueConfig, sizing: SizingConfig) -> Self {
        Setup {
            venue,
            venues: &[],
            execution: ExecutionConfig::Market,
            risk: &NO_RISK,
            sizing,
            periods_per_year: 252.0,
        }
    }

    fn run(
        self,
        data: &[Vec<Bar>],
        cash: &str,
        plan: Vec<(SymbolId, usize, Signal)>,
    ) -> (RunOutcome, Vec<SkippedSignal>) {
        let instruments: Vec<Instrument> = (0..data.len()).map(|i| Instrument::equity(&format!("S{i}"))).collect();
        let simulation = Simulation {
            instruments: &instruments,
            bars: data,
            spreads: &[],
            venue: self.venue,
            venues: self.venues,
            execution: self.execution,
            risk: self.risk,
            sizing: self.sizing,
            periods_per_year: self.periods_per_year,
            cash: d(cash),
            seed: 0,
        };
        simulation
            .run("scripted", Box::new(Scripted::new(data.len(), plan)))
            .unwrap()
    }
}
