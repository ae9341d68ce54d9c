//! Synthetic bars: a seeded geometric random walk for tests and benchmarks. Tests need
//! data of any size and shape without shipping files, and benchmarks need millions of
//! bars in well under a second, so prices are walked in whole ticks (integers) and only
//! become decimals at the end. The same seed always gives the same bars: the generator
//! is ChaCha8 and the normal deviates come from a Box-Muller transform written here.

use super::validate::{PRICE_MAX, PRICE_MIN};
use crate::model::time::NANOS_PER_SEC;
use crate::model::{Bar, Timestamp};
use rand_chacha::ChaCha8Rng;
use rand_core::{RngCore, SeedableRng};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

/// What [`synth_bars`] generates.
#[derive(Debug, Clone, PartialEq)]
pub struct SynthParams {
    pub bars: usize,
    pub seed: u64,
    /// Timestamp of the first bar.
    pub start: Timestamp,
    /// Spacing of consecutive bars, seconds (> 0).
    pub interval_secs: i64,
    /// Open of the first bar (rounded to the tick).
    pub start_px: Decimal,
    /// Standard deviation of the log return per bar, e.g. 0.001.
    pub vol_per_bar: f64,
    /// Every price is a whole multiple of it (> 0).
    pub tick_size: Decimal,
}

/// 2020-01-01T00:00:00 in seconds since the epoch.
const JAN_1_2020_SECS: i64 = 1_577_836_800;

/// The most ticks `start_px` may be: well inside both `i64` and the integers an `f64`
/// holds exactly (2^53 ≈ 9.0e15), so the walk in ticks stays exact.
const MAX_START_TICKS: i64 = 1_000_000_000_000_000;

impl SynthParams {
    /// Checks that [`synth_bars`] can generate these bars, every one valid at the door:
    /// `bars > 0`, `interval_secs > 0`, `start_px` and `tick_size` positive and within
    /// the supported price range (`tick_size` a multiple of [`PRICE_MIN`], `start_px` at
    /// most 10^15 ticks), `vol_per_bar` finite and `>= 0`, and the last bar's timestamp,
    /// `start + (bars - 1) × interval_secs`, representable (no later than
    /// 2262-04-11T23:47:16).
    ///
    /// # Errors
    /// The first problem found, as a sentence naming the parameter.
    pub fn validate(&self) -> Result<(), String> {
        if self.bars == 0 {
            return Err("bars must be > 0".to_string());
        }
        if self.interval_secs <= 0 {
            return Err(format!("interval_secs must be > 0 (got {})", self.interval_secs));
        }
        let price_range = format!("the supported price range {PRICE_MIN} .. {PRICE_MAX}");
        if self.start_px <= Decimal::ZERO {
            return Err(format!("start_px must be > 0 (got {})", self.start_px));
        }
        if !(PRICE_MIN..=PRICE_MAX).contains(&self.start_px) {
            return Err(format!("start_px {} is outside {price_range}", self.start_px));
        }
        if self.tick_size <= Decimal::ZERO {
            return Err(format!("tick_size must be > 0 (got {})", self.tick_size));
        }
        if !(PRICE_MIN..=PRICE_MAX).contains(&self.tick_size) {
            return Err(format!("tick_size {} is outside {price_range}", self.tick_size));
        }
        if !(self.tick_size % PRICE_MIN).is_zero() {
            return Err(format!("tick_size {} is not a multiple of {PRICE_MIN}", self.tick_size));
        }
        let start_ticks = self.start_px.checked_div(self.tick_size).map(|t| t.round());
        if start_ticks.is_none_or(|t| t > Decimal::from(MAX_START_TICKS)) {
            return Err(format!(
                "start_px {} is more than {MAX_START_TICKS} ticks of {}",
                self.start_px, self.tick_size
            ));
        }
        if !self.vol_per_bar.is_finite() || self.vol_per_bar < 0.0 {
            return Err(format!(
                "vol_per_bar must be finite and >= 0 (got {})",
                self.vol_per_bar
            ));
        }
        if self.last_ts().is_none() {
            return Err(format!(
                "{} bars {} s apart from {} end after {}, the latest supported timestamp",
                self.bars,
                self.interval_secs,
                self.start,
                Timestamp::MAX
            ));
        }
        Ok(())
    }

    /// `start + (bars - 1) × interval_secs`, or `None` when it is not representable
    /// (or there are no bars).
    fn last_ts(&self) -> Option<Timestamp> {
        let steps = i64::try_from(self.bars.checked_sub(1)?).ok()?;
        if steps == 0 {
            return Some(self.start);
        }
        let span = self.interval_secs.checked_mul(NANOS_PER_SEC)?.checked_mul(steps)?;
        self.start.0.checked_add(span).map(Timestamp)
    }
}

impl Default for SynthParams {
    /// 1000 one-minute bars from 2020-01-01T00:00:00, starting at 100 with 0.1% volatility
    /// per bar and a 0.01 tick, seed 42.
    fn default() -> Self {
        SynthParams {
            bars: 1000,
            seed: 42,
            start: Timestamp(JAN_1_2020_SECS * NANOS_PER_SEC),
            interval_secs: 60,
            start_px: Decimal::from(100),
            vol_per_bar: 0.001,
            tick_size: Decimal::new(1, 2),
        }
    }
}

/// Standard normal deviates from uniform ones, two at a time (Box-Muller).
struct Normals {
    rng: ChaCha8Rng,
    spare: Option<f64>,
}

impl Normals {
    fn new(seed: u64) -> Self {
        Normals {
            rng: ChaCha8Rng::seed_from_u64(seed),
            spare: None,
        }
    }

    /// Uniform in [0, 1) with 53 random bits.
    fn uniform(&mut self) -> f64 {
        (self.rng.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    fn next(&mut self) -> f64 {
        if let Some(z) = self.spare.take() {
            return z;
        }
        // 1 - u lies in (0, 1], so the logarithm is finite.
        let radius = (-2.0 * (1.0 - self.uniform()).ln()).sqrt();
        let angle = std::f64::consts::TAU * self.uniform();
        let (sin, cos) = angle.sin_cos();
        self.spare = Some(radius * sin);
        radius * cos
    }
}

/// Generates `params.bars` valid bars: every price a positive multiple of the tick, at
/// most [`PRICE_MAX`], `low <= min(open, close)`, `high >= max(open, close)`, whole
/// volumes > 0, timestamps `interval_secs` apart. Each bar opens at the previous close.
/// Call [`SynthParams::validate`] first; debug builds assert it.
///
/// # Panics
/// When `tick_size` or `interval_secs` is not positive, or the last bar's timestamp
/// would be past [`Timestamp::MAX`] (timestamps never wrap around).
pub fn synth_bars(params: &SynthParams) -> Vec<Bar> {
    debug_assert!(
        params.validate().is_ok(),
        "synth_bars: {} (see SynthParams::validate)",
        params.validate().err().unwrap_or_default()
    );
    assert!(params.tick_size > Decimal::ZERO, "synth_bars: tick_size must be > 0");
    assert!(params.interval_secs > 0, "synth_bars: interval_secs must be > 0");
    assert!(
        params.bars == 0 || params.last_ts().is_some(),
        "synth_bars: the last bar would be past {} (see SynthParams::validate)",
        Timestamp::MAX
    );
    // A validated tick is a multiple of 10^-8, so normalised its scale is at most 8 and
    // a price of at most PRICE_MAX is at most 10^20 in units of that scale: ticks times
    // the tick's mantissa fits a Decimal.
    let tick = params.tick_size.normalize();
    let (tick_mantissa, tick_scale) = (tick.mantissa(), tick.scale());
    let px = |ticks: i64| Decimal::from_i128_with_scale(i128::from(ticks) * tick_mantissa, tick_scale);
    // Every price stays in 1 ..= max_ticks ticks, so none is beyond PRICE_MAX.
    let max_ticks = PRICE_MAX
        .checked_div(params.tick_size)
        .and_then(|t| t.floor().to_i64())
        .unwrap_or(i64::MAX)
        .max(1);
    // The last timestamp fits (asserted above), so no bar's offset overflows; the step
    // itself only saturates for a single bar, where it is never used.
    let step = params.interval_secs.saturating_mul(NANOS_PER_SEC);
    let vol = params.vol_per_bar.max(0.0);

    let mut normals = Normals::new(params.seed);
    let mut close = params
        .start_px
        .checked_div(params.tick_size)
        .and_then(|t| t.round().to_i64())
        .unwrap_or(max_ticks)
        .clamp(1, max_ticks);
    let mut out = Vec::with_capacity(params.bars);
    for i in 0..params.bars {
        let open = close;
        let level = open as f64;
        // Float-to-integer casts saturate, so a runaway walk is held at max_ticks.
        close = ((level * (vol * normals.next()).exp()).round() as i64).clamp(1, max_ticks);
        // Wicks beyond the body: half a bar's volatility on average, each side.
        let up = (normals.next().abs() * vol * 0.5 * level).round() as i64;
        let down = (normals.next().abs() * vol * 0.5 * level).round() as i64;
        let high = open.max(close).saturating_add(up).min(max_ticks);
        let low = open.min(close).saturating_sub(down).max(1);
        let volume = ((10_000.0 * (0.5 * normals.next()).exp()).round() as i64).max(1);
        out.push(Bar {
            ts: Timestamp(params.start.0 + i as i64 * step),
            open: px(open),
            high: px(high),
            low: px(low),
            close: px(close),
            volume: Decimal::from(volume),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::dec;

    #[test]
    fn default_starts_on_new_year_2020() {
        let p = SynthParams::default();
        assert_eq!(p.start, Timestamp::parse_iso("2020-01-01T00:00:00").unwrap());
        let bars = synth_bars(&p);
        assert_eq!(bars.len(), 1000);
        assert_eq!(bars[0].open, dec!(100));
        assert_eq!(bars[1].ts.secs_since(bars[0].ts), 60.0);
    }

    #[test]
    fn normals_look_normal() {
        let mut n = Normals::new(7);
        let xs: Vec<f64> = (0..200_000).map(|_| n.next()).collect();
        let mean = xs.iter().sum::<f64>() / xs.len() as f64;
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / xs.len() as f64;
        assert!(mean.abs() < 0.01, "mean {mean}");
        assert!((var - 1.0).abs() < 0.02, "variance {var}");
        let within_one = xs.iter().filter(|x| x.abs() < 1.0).count() as f64 / xs.len() as f64;
        assert!((within_one - 0.6827).abs() < 0.01, "P(|z| < 1) = {within_one}");
    }
}
