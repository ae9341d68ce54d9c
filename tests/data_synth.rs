//! Synthetic bars: deterministic from the seed, and always valid data.

use proptest::prelude::*;
use rust_decimal::Decimal;
use rust_decimal::dec;
use rust_decimal::prelude::ToPrimitive;
use slipstream::data::{SynthParams, load_bars, synth_bars, write_csv};
use slipstream::model::{Bar, Calendar, Timestamp};
use slipstream::scenario::{ColumnMap, DataFormat, DataSource};

#[test]
fn same_seed_same_bars_other_seed_other_bars() {
    let params = SynthParams {
        bars: 5_000,
        ..SynthParams::default()
    };
    let a = synth_bars(&params);
    let b = synth_bars(&params);
    assert_eq!(a, b);
    let c = synth_bars(&SynthParams {
        seed: 43,
        ..params.clone()
    });
    assert_eq!(c.len(), a.len());
    assert_ne!(a, c);
    // Timestamps do not depend on the seed, prices do: most closes differ.
    assert!(a.iter().zip(&c).all(|(x, y)| x.ts == y.ts));
    let differing = a.iter().zip(&c).filter(|(x, y)| x.close != y.close).count();
    assert!(differing > 4_000, "{differing}");
    // A longer run starts with the shorter one.
    let longer = synth_bars(&SynthParams { bars: 6_000, ..params });
    assert_eq!(longer[..5_000], a[..]);
}

#[test]
fn walk_has_the_requested_volatility() {
    let bars = synth_bars(&SynthParams {
        bars: 50_000,
        vol_per_bar: 0.002,
        start_px: dec!(1000),
        ..Default::default()
    });
    let rets: Vec<f64> = bars
        .iter()
        .map(|b| {
            let (o, c) = (b.open.to_f64().unwrap(), b.close.to_f64().unwrap());
            (c / o).ln()
        })
        .collect();
    let mean = rets.iter().sum::<f64>() / rets.len() as f64;
    let sd = (rets.iter().map(|r| (r - mean).powi(2)).sum::<f64>() / rets.len() as f64).sqrt();
    // Tick rounding adds a little noise at these price levels; 10% tolerance.
    assert!((sd - 0.002).abs() < 0.0002, "sd {sd}");
}

fn check_valid(bars: &[Bar], params: &SynthParams) -> Result<(), TestCaseError> {
    prop_assert_eq!(bars.len(), params.bars);
    for (i, b) in bars.iter().enumerate() {
        prop_assert_eq!(
            b.ts,
            Timestamp(params.start.0 + i as i64 * params.interval_secs * 1_000_000_000)
        );
        for px in [b.open, b.high, b.low, b.close] {
            prop_assert!(px > Decimal::ZERO, "bar {} price {}", i, px);
            prop_assert!(
                (px % params.tick_size).is_zero(),
                "bar {} price {} off the {} grid",
                i,
                px,
                params.tick_size
            );
        }
        prop_assert!(b.high >= b.open.max(b.close), "bar {}: {:?}", i, b);
        prop_assert!(b.low <= b.open.min(b.close), "bar {}: {:?}", i, b);
        prop_assert!(
            b.volume > Decimal::ZERO && b.volume.fract().is_zero(),
            "bar {} volume {}",
            i,
            b.volume
        );
        if i > 0 {
            prop_assert_eq!(b.open, bars[i - 1].close);
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Every synthetic bar passes the loader's validation at the door, and reads back equal.
    #[test]
    fn synthetic_bars_are_valid(
        seed in any::<u64>(),
        bars in 1usize..400,
        interval_secs in 1i64..100_000,
        start_secs in -2_000_000_000i64..4_000_000_000,
        start_cents in 1i64..10_000_000,
        vol_per_bar in 0.0f64..0.2,
        tick in prop::sample::select(vec![dec!(0.01), dec!(0.05), dec!(1), dec!(0.0001), dec!(0.25)]),
    ) {
        let params = SynthParams {
            bars,
            seed,
            start: Timestamp(start_secs * 1_000_000_000),
            interval_secs,
            start_px: Decimal::new(start_cents, 2),
            vol_per_bar,
            tick_size: tick,
        };
        let generated = synth_bars(&params);
        check_valid(&generated, &params)?;

        let dir = tempfile::TempDir::new().unwrap();
        let path = dir.path().join("synth.csv");
        write_csv(&generated, &path).unwrap();
        let source = DataSource { path, format: DataFormat::Csv, columns: ColumnMap::default(), timestamp_format: None };
        let loaded = load_bars(&source, None, None, Calendar::Crypto);
        prop_assert!(loaded.is_ok(), "{}", loaded.unwrap_err());
        let loaded = loaded.unwrap();
        prop_assert_eq!(loaded.bars, generated);
        prop_assert!(loaded.summary.gaps.is_empty());
        if bars >= 2 {
            prop_assert_eq!(loaded.summary.bar_interval_secs, interval_secs as f64);
        }
    }
}
