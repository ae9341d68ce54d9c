//! Throughput and memory of the backtest pipeline.
//!
//! - `pipeline/sma_10_30`: SMA(10/30) crossover over 1,000,000 synthetic one-minute bars
//!   held in memory, through the venue's fills to the equity curve (target: at least
//!   5,000,000 bars/s on one core); `pipeline/sma_10_30_volume_share`: the same with
//!   volume-share impact (same target); `pipeline/sma_10_30_volume_share_cap`: also
//!   under a 2.5% participation cap, where most bars carry a partial fill (reported);
//!   `pipeline/sma_10_30_sizing_risk`: half of equity per entry and every order through
//!   the risk guard (same target); `pipeline/sma_10_30_twap`: every order worked by
//!   TWAP (reported).
//! - `load/csv`: loading the same bars from a CSV file with the csv-crate loader
//!   (target: at least 1,000,000 bars/s); `load/csv_polars`: the same file through polars.
//! - Peak heap memory per bar of one pipeline run, bars included (target: at most 200
//!   bytes/bar), measured by a counting allocator and printed before the timings.
//!
//! Run: `cargo bench --bench pipeline` (criterion prints bars/s as "elem/s").

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use rust_decimal::Decimal;
use slipstream::backtest::Simulation;
use slipstream::data::{SynthParams, load_bars, synth_bars, write_csv};
use slipstream::model::{Calendar, Instrument};
use slipstream::scenario::{
    ColumnMap, DataFormat, DataSource, ExecutionConfig, RiskConfig, SizingConfig, SlippageConfig, SmaMode, Spread,
    VenueConfig,
};
use slipstream::strategy::SmaCross;
use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::sync::atomic::{AtomicUsize, Ordering};

const BARS: usize = 1_000_000;

/// Counts live heap bytes and their peak, to measure memory per bar.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

// SAFETY: delegates every call to the system allocator unchanged; only counts sizes.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: same contract as the caller's.
        let ptr = unsafe { System.alloc(layout) };
        if !ptr.is_null() {
            let live = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(live, Ordering::Relaxed);
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: same contract as the caller's.
        let new = unsafe { System.realloc(ptr, layout, new_size) };
        if !new.is_null() {
            if new_size >= layout.size() {
                let live = LIVE.fetch_add(new_size - layout.size(), Ordering::Relaxed) + new_size - layout.size();
                PEAK.fetch_max(live, Ordering::Relaxed);
            } else {
                LIVE.fetch_sub(layout.size() - new_size, Ordering::Relaxed);
            }
        }
        new
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

fn bars() -> Vec<slipstream::model::Bar> {
    synth_bars(&SynthParams {
        bars: BARS,
        seed: 42,
        ..SynthParams::default()
    })
}

fn run_pipeline(data: &[Vec<slipstream::model::Bar>], venue: &VenueConfig) -> usize {
    run_with(
        data,
        venue,
        ExecutionConfig::Market,
        &RiskConfig::default(),
        SizingConfig::AllCash,
    )
}

fn run_with(
    data: &[Vec<slipstream::model::Bar>],
    venue: &VenueConfig,
    execution: ExecutionConfig,
    risk: &RiskConfig,
    sizing: SizingConfig,
) -> usize {
    let instruments = [Instrument::equity("SYN")];
    let simulation = Simulation {
        risk,
        execution,
        spreads: &[],
        venues: &[],
        instruments: &instruments,
        bars: data,
        venue,
        sizing,
        periods_per_year: 252.0,
        cash: Decimal::from(100_000),
        seed: 0,
    };
    let (outcome, _) = simulation
        .run("sma_cross", Box::new(SmaCross::new(10, 30, SmaMode::LongOnly, 1)))
        .expect("the benchmark run is valid");
    outcome.fills.len()
}

/// Peak heap bytes per bar over one whole pipeline run: synthesising the bars, the
/// simulation (orders, fills, equity curve) and the outcome.
fn report_memory() {
    let before = LIVE.load(Ordering::Relaxed);
    PEAK.store(before, Ordering::Relaxed);
    {
        let bars = bars();
        let instruments = [Instrument::equity("SYN")];
        let venue = VenueConfig::default();
        let data = vec![bars];
        let simulation = Simulation {
            risk: &Default::default(),
            execution: Default::default(),
            spreads: &[],
            venues: &[],
            instruments: &instruments,
            bars: &data,
            venue: &venue,
            sizing: SizingConfig::AllCash,
            periods_per_year: 252.0,
            cash: Decimal::from(100_000),
            seed: 0,
        };
        let outcome = simulation.run("sma_cross", Box::new(SmaCross::new(10, 30, SmaMode::LongOnly, 1)));
        black_box(&outcome);
    }
    let peak = PEAK.load(Ordering::Relaxed) - before;
    println!(
        "memory: peak heap {:.1} MB over one pipeline run of {BARS} bars = {:.1} bytes/bar (target <= 200)",
        peak as f64 / 1e6,
        peak as f64 / BARS as f64
    );
}

fn pipeline(c: &mut Criterion) {
    report_memory();
    let data = vec![bars()];
    let mut group = c.benchmark_group("pipeline");
    group.sample_size(10);
    group.throughput(Throughput::Elements(BARS as u64));
    let plain = VenueConfig::default();
    group.bench_function("sma_10_30", |b| {
        b.iter(|| black_box(run_pipeline(black_box(&data), &plain)))
    });
    // The same with the volume-share impact model switched on (the target applies).
    let impact = VenueConfig {
        slippage: SlippageConfig::VolumeShare {
            price_impact: Decimal::new(1, 1),
            spread: Spread::Fixed(Decimal::ZERO),
        },
        ..VenueConfig::default()
    };
    group.bench_function("sma_10_30_volume_share", |b| {
        b.iter(|| black_box(run_pipeline(black_box(&data), &impact)))
    });
    // And under a 2.5% participation cap: on these bars most orders then fill in parts
    // over many bars, so most bars carry a fill. Reported, not held to the target.
    let capped = VenueConfig {
        participation_max: Some(Decimal::new(25, 3)),
        ..impact
    };
    group.bench_function("sma_10_30_volume_share_cap", |b| {
        b.iter(|| black_box(run_pipeline(black_box(&data), &capped)))
    });
    // With sizing and the risk guard on (the target applies): half of equity per entry,
    // and every order checked against size, position, exposure, buying-power, loss,
    // drawdown and throttle limits that these runs never reach.
    let risk = RiskConfig {
        max_order_qty: Some(Decimal::from(1_000_000)),
        max_position_notional: Some(Decimal::from(10_000_000)),
        max_gross_exposure: Some(Decimal::from(10_000_000)),
        max_open_positions: Some(5),
        check_buying_power: true,
        daily_loss_limit: Some(Decimal::new(5, 1)),
        max_drawdown: Some(Decimal::new(9, 1)),
        max_orders_per_minute: Some(100),
        ..RiskConfig::default()
    };
    let half = SizingConfig::FractionOfEquity {
        fraction: Decimal::new(5, 1),
    };
    group.bench_function("sma_10_30_sizing_risk", |b| {
        b.iter(|| black_box(run_with(black_box(&data), &plain, ExecutionConfig::Market, &risk, half)))
    });
    // Every order worked by TWAP: five IOC slices over ten minutes of one-minute bars.
    let twap = ExecutionConfig::Twap {
        duration_secs: 600,
        slices: 5,
        limit_offset_bps: None,
    };
    group.bench_function("sma_10_30_twap", |b| {
        b.iter(|| black_box(run_with(black_box(&data), &plain, twap, &RiskConfig::default(), half)))
    });
    group.finish();
}

fn load(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("a temp dir");
    let path = dir.path().join("bars.csv");
    write_csv(&bars(), &path).expect("writing the benchmark file");
    let source = DataSource {
        path,
        format: DataFormat::Csv,
        columns: ColumnMap::default(),
        timestamp_format: None,
    };
    let mut group = c.benchmark_group("load");
    group.sample_size(10);
    group.throughput(Throughput::Elements(BARS as u64));
    group.bench_function("csv", |b| {
        b.iter(|| {
            black_box(
                load_bars(&source, None, None, Calendar::Equity)
                    .expect("valid file")
                    .bars
                    .len(),
            )
        })
    });
    let polars = DataSource {
        format: DataFormat::CsvPolars,
        ..source.clone()
    };
    group.bench_function("csv_polars", |b| {
        b.iter(|| {
            black_box(
                load_bars(&polars, None, None, Calendar::Equity)
                    .expect("valid file")
                    .bars
                    .len(),
            )
        })
    });
    group.finish();
}

criterion_group!(benches, pipeline, load);
criterion_main!(benches);
