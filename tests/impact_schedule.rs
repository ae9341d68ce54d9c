//! Working a large order slowly costs less impact than sending it at once, under both
//! impact models: the reason execution algorithms exist (issue 3).

mod common;

use common::{d, simulate};
use rust_decimal::Decimal;
use slipstream::data::{SynthParams, synth_bars};
use slipstream::model::Bar;
use slipstream::scenario::{SizingConfig, SlippageConfig, Spread, VenueConfig};
use slipstream::strategy::{Intent, Signal};

/// Hourly bars of 10,000 shares each on a seeded walk.
fn bars() -> Vec<Bar> {
    let mut bars = synth_bars(&SynthParams {
        bars: 60,
        seed: 5,
        interval_secs: 3_600,
        vol_per_bar: 0.01,
        ..SynthParams::default()
    });
    for bar in &mut bars {
        bar.volume = d("10000");
    }
    bars
}

fn target(bar: usize, qty: i64) -> (usize, usize, Signal) {
    (0, bar, Signal::new(0, Intent::Target(Decimal::from(qty))))
}

/// Impact cost (currency) of buying 5,000 shares at once at bar 30, and in five slices
/// of 1,000 at bars 30..35.
fn impact_costs(slippage: SlippageConfig) -> (Decimal, Decimal) {
    let venue = VenueConfig {
        slippage,
        ..VenueConfig::default()
    };
    let sizing = SizingConfig::FixedQty { qty: d("1") };
    let data = vec![bars()];
    let (at_once, _) = simulate(&data, &venue, sizing, "100000000", vec![target(30, 5000)]);
    let sliced_plan = (0..5).map(|i| target(30 + i, 1000 * (i as i64 + 1))).collect();
    let (sliced, _) = simulate(&data, &venue, sizing, "100000000", sliced_plan);
    let filled = |o: &slipstream::backtest::result::RunOutcome| o.fills.iter().map(|f| f.qty).sum::<Decimal>();
    assert_eq!(
        (filled(&at_once), filled(&sliced)),
        (d("5000"), d("5000")),
        "both schedules buy the same 5,000"
    );
    let impact =
        |o: &slipstream::backtest::result::RunOutcome| o.fills.iter().map(|f| f.impact_cost()).sum::<Decimal>();
    (impact(&at_once), impact(&sliced))
}

#[test]
fn slicing_lowers_volume_share_impact_by_the_square_of_the_share() {
    let (at_once, sliced) = impact_costs(SlippageConfig::VolumeShare {
        price_impact: d("0.1"),
        spread: Spread::Fixed(d("0")),
    });
    // At once: share 0.5 → 0.1 × 0.25 = 2.5% of the price on 5,000 shares. Sliced: share
    // 0.1 per bar → 0.1% on each 1,000. Ratio about 25 (prices differ a little by bar,
    // and each fill rounds up to the tick).
    assert!(
        sliced * Decimal::from(15) < at_once,
        "sliced {sliced} vs at once {at_once}"
    );
    assert!(sliced > Decimal::ZERO);
}

#[test]
fn slicing_lowers_square_root_impact() {
    let (at_once, sliced) = impact_costs(SlippageConfig::SquareRoot {
        k: d("1"),
        sigma_bars: 20,
        spread: Spread::Fixed(d("0")),
    });
    // At once: 5,000 × σ × √0.5 ≈ 3,536 σ; sliced: 5 × 1,000 × σ × √0.1 ≈ 1,581 σ (times the price).
    assert!(
        sliced * Decimal::from(3) < at_once * Decimal::from(2),
        "sliced {sliced} vs at once {at_once}"
    );
    assert!(sliced > Decimal::ZERO);
}

#[test]
fn a_participation_cap_turns_one_large_order_into_partial_fills_over_several_bars() {
    let venue = VenueConfig {
        slippage: SlippageConfig::VolumeShare {
            price_impact: d("0.1"),
            spread: Spread::Fixed(d("0")),
        },
        participation_max: Some(d("0.1")),
        ..VenueConfig::default()
    };
    let sizing = SizingConfig::FixedQty { qty: d("1") };
    let (out, _) = simulate(&[bars()], &venue, sizing, "100000000", vec![target(30, 5000)]);
    let per_bar: Vec<Decimal> = out.fills.iter().map(|f| f.qty).collect();
    // 1,000 a bar (10% of 10,000) until the DAY order expires at the end of its day.
    assert!(per_bar.iter().all(|q| *q == d("1000")), "{per_bar:?}");
    assert!(per_bar.len() >= 2);
    assert_eq!(out.orders[0].filled_qty, per_bar.iter().copied().sum::<Decimal>());
}
