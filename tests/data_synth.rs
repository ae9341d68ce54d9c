//! Synthetic bars: deterministic from the seed, and always valid data.

use proptest::prelude::*;
use rust_decimal::Decimal;
use rust_decimal::dec;
use rust_decimal::prelude::ToPrimitive;
use slipstream::data::{PRICE_MAX, SynthParams, load_bars, synth_bars, write_csv};
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

#[test]
fn validate_accepts_the_defaults_and_names_each_bad_parameter() {
    assert_eq!(SynthParams::default().validate(), Ok(()));
    let bad = |params: SynthParams, needle: &str| {
        let err = params.validate().expect_err(needle);
        assert!(err.contains(needle), "`{err}` does not contain `{needle}`");
    };
    let d = SynthParams::default;
    bad(SynthParams { bars: 0, ..d() }, "bars must be > 0");
    bad(
        SynthParams {
            interval_secs: 0,
            ..d()
        },
        "interval_secs must be > 0",
    );
    bad(
        SynthParams {
            interval_secs: -60,
            ..d()
        },
        "interval_secs must be > 0",
    );
    bad(
        SynthParams {
            start_px: dec!(0),
            ..d()
        },
        "start_px must be > 0",
    );
    bad(
        SynthParams {
            start_px: dec!(-5),
            ..d()
        },
        "start_px must be > 0",
    );
    bad(
        SynthParams {
            start_px: dec!(10000000000000),
            ..d()
        },
        "start_px 10000000000000 is outside the supported price range 0.00000001 .. 1000000000000",
    );
    bad(
        SynthParams {
            tick_size: dec!(0),
            ..d()
        },
        "tick_size must be > 0",
    );
    bad(
        SynthParams {
            tick_size: dec!(-0.01),
            ..d()
        },
        "tick_size must be > 0",
    );
    bad(
        SynthParams {
            tick_size: dec!(0.000000001),
            ..d()
        },
        "tick_size 0.000000001 is outside the supported price range",
    );
    bad(
        SynthParams {
            tick_size: dec!(0.000000015),
            ..d()
        },
        "tick_size 0.000000015 is not a multiple of 0.00000001",
    );
    bad(
        SynthParams {
            start_px: dec!(100000000),
            tick_size: dec!(0.00000001),
            ..d()
        },
        "start_px 100000000 is more than 1000000000000000 ticks of 0.00000001",
    );
    for vol in [f64::NAN, f64::INFINITY, -0.001] {
        bad(
            SynthParams {
                vol_per_bar: vol,
                ..d()
            },
            "vol_per_bar must be finite and >= 0",
        );
    }
}

#[test]
fn validate_refuses_a_last_bar_past_2262() {
    let last = Timestamp::parse_iso("2262-04-11T23:47:00").unwrap();
    let fits = SynthParams {
        bars: 100,
        interval_secs: 60,
        start: Timestamp(last.0 - 99 * 60 * 1_000_000_000),
        ..SynthParams::default()
    };
    assert_eq!(fits.validate(), Ok(()));
    let bars = synth_bars(&fits);
    assert_eq!(bars.last().unwrap().ts, last);
    assert!(bars.windows(2).all(|w| w[0].ts < w[1].ts));

    let one_more = SynthParams {
        bars: 101,
        ..fits.clone()
    };
    let err = one_more.validate().unwrap_err();
    assert!(err.contains("past") || err.contains("after"), "{err}");
    assert!(err.contains("2262-04-11T23:47:16"), "{err}");
    // Far too many bars, or an interval whose nanoseconds do not fit an i64.
    let from_2262 = SynthParams {
        start: Timestamp::parse_iso("2262-01-01").unwrap(),
        bars: 1_000,
        interval_secs: 86_400,
        ..SynthParams::default()
    };
    assert!(from_2262.validate().is_err());
    assert!(
        SynthParams {
            bars: usize::MAX,
            ..SynthParams::default()
        }
        .validate()
        .is_err()
    );
    let huge_interval = SynthParams {
        bars: 2,
        interval_secs: i64::MAX / 1_000,
        ..SynthParams::default()
    };
    assert!(huge_interval.validate().is_err());
    // A single bar never steps, whatever the interval.
    let single = SynthParams {
        bars: 1,
        interval_secs: i64::MAX,
        ..SynthParams::default()
    };
    assert_eq!(single.validate(), Ok(()));
    assert_eq!(synth_bars(&single)[0].ts, single.start);
}

#[test]
#[should_panic(expected = "SynthParams::validate")]
fn synth_bars_refuses_rather_than_wraps() {
    // Before: the 2263 bars silently wrapped round to 1678 (release) or overflowed (debug).
    synth_bars(&SynthParams {
        start: Timestamp::parse_iso("2262-01-01").unwrap(),
        bars: 1_000,
        interval_secs: 86_400,
        ..SynthParams::default()
    });
}

#[test]
fn a_runaway_walk_stays_in_the_supported_price_range() {
    let params = SynthParams {
        bars: 300,
        seed: 3,
        start_px: dec!(100000000000),
        vol_per_bar: 2.0,
        ..SynthParams::default()
    };
    assert_eq!(params.validate(), Ok(()));
    let bars = synth_bars(&params);
    let top = bars.iter().map(|b| b.high).max().unwrap();
    assert_eq!(top, PRICE_MAX, "the walk should reach the cap with this volatility");
    check_valid(&bars, &params).unwrap();
    let dir = tempfile::TempDir::new().unwrap();
    let path = dir.path().join("wild.csv");
    write_csv(&bars, &path).unwrap();
    let source = DataSource {
        path,
        format: DataFormat::Csv,
        columns: ColumnMap::default(),
        timestamp_format: None,
    };
    assert_eq!(load_bars(&source, None, None, Calendar::Crypto).unwrap().bars, bars);
}
