//! Throughput of the data layer on a million bars. Ignored by default (it is slow in
//! debug builds and timing-based); run it in release:
//! `cargo test --release --test data_perf -- --ignored --nocapture`.
//! The timing below reads the wall clock on purpose: it measures, it does not decide
//! anything a backtest computes.
#![allow(clippy::disallowed_methods)]

use slipstream::data::{SynthParams, load_bars, synth_bars, write_csv};
use slipstream::model::Calendar;
use slipstream::scenario::{ColumnMap, DataFormat, DataSource};
use std::time::Instant;

const BARS: usize = 1_000_000;

#[test]
#[ignore = "timing; run in release with --ignored"]
fn million_bars() {
    let params = SynthParams {
        bars: BARS,
        ..SynthParams::default()
    };
    let t = Instant::now();
    let bars = synth_bars(&params);
    let synth_secs = t.elapsed().as_secs_f64();
    println!("synth_bars: {BARS} bars in {synth_secs:.3} s");

    let dir = tempfile::TempDir::new().unwrap();
    let path = dir.path().join("million.csv");
    let t = Instant::now();
    write_csv(&bars, &path).unwrap();
    println!(
        "write_csv: {:.3} s, {} bytes",
        t.elapsed().as_secs_f64(),
        std::fs::metadata(&path).unwrap().len()
    );

    let mut rates = Vec::new();
    for format in [DataFormat::Csv, DataFormat::CsvPolars] {
        let source = DataSource {
            path: path.clone(),
            format,
            columns: ColumnMap::default(),
            timestamp_format: None,
        };
        let t = Instant::now();
        let loaded = load_bars(&source, None, None, Calendar::Crypto).unwrap();
        let secs = t.elapsed().as_secs_f64();
        assert_eq!(loaded.bars, bars);
        let rate = BARS as f64 / secs;
        println!("load_bars {format:?}: {secs:.3} s = {:.2} M bars/s", rate / 1e6);
        rates.push(rate);
    }
    if !cfg!(debug_assertions) {
        assert!(synth_secs < 1.0, "synth_bars took {synth_secs:.3} s");
        assert!(rates[0] >= 1e6, "csv load at {:.0} bars/s", rates[0]);
    }
}
