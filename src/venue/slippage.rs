//! Slippage and market impact: the price the trader really gets, given the price the
//! fill rules produced (`px`, within the bar's range).
//!
//! The adverse move is split in two parts, reported separately:
//! - **spread**: half the quoted spread (`half_spread`, and the optional `spread` of the
//!   other models), the cost of crossing from mid to the far side; the spread is fixed,
//!   or each fill bar's value in the data's spread column;
//! - **impact** (everything else): `fixed_bps` → `px × bps / 10⁴`; `volume_share` →
//!   `px × price_impact × share²` with `share` the bar volume filled so far by the
//!   strategy in the symbol, this fill included, over the bar's volume, capped at the
//!   participation limit (the zipline / LEAN model); `square_root` → `px × k × σ × √(q/V)`
//!   with q the fill's quantity, V the bar's volume (q/V capped at the participation
//!   limit) and σ the per-bar volatility of earlier closes; plus the seeded random
//!   component `px × noise_bps / 10⁴ × z`, z standard normal, which can be favourable.
//!
//! A bar with zero volume counts as fully used: share = the participation limit (1
//! without one). The slipped price is rounded to the tick against the trader (the
//! rounding counts as impact); an unslipped price is used exactly as the data gives it,
//! even off the tick grid, so runs without costs match reference backtests to the cent.
//! With [`PriceClamp::BarRange`] the result is then clamped into the bar's low..high
//! (cutting impact first, then spread); a sell never goes below one tick.

use crate::model::{Bar, Instrument, Side};
use crate::scenario::{PriceClamp, SlippageConfig, Spread};
use rust_decimal::Decimal;
use rust_decimal::prelude::{FromPrimitive, ToPrimitive};

const BPS: Decimal = Decimal::from_parts(10_000, 0, 0, false, 0);
/// 0.5: multiplying is much cheaper than dividing a Decimal by two.
const HALF: Decimal = Decimal::from_parts(5, 0, 0, false, 1);

/// What the impact models need to know about the fill besides its price.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FillContext {
    pub qty: Decimal,
    /// Quantity the strategy already filled in this symbol on this bar, before this fill.
    pub filled_in_bar: Decimal,
    pub bar_volume: Decimal,
    /// The participation limit, if any (caps the volume share).
    pub participation_max: Option<Decimal>,
    /// Per-bar volatility of close-to-close returns before this bar, if known.
    pub sigma: Option<f64>,
    /// A standard-normal draw for the random component (0 when there is none).
    pub noise_z: f64,
    pub noise_bps: Decimal,
    /// The fill bar's quoted spread from the data (0 without a spread column).
    pub quoted_spread: Decimal,
}

/// The slipped price and how much of the adverse move per unit was spread.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Slipped {
    pub px: Decimal,
    /// Adverse move per unit that is spread cost (>= 0); the rest of `|px - before|` is impact.
    pub spread_per_unit: Decimal,
}

fn share(volume_filled: Decimal, ctx: &FillContext) -> Decimal {
    let cap = ctx.participation_max.unwrap_or(Decimal::ONE);
    if ctx.bar_volume <= Decimal::ZERO {
        return cap;
    }
    // Twelve decimal places are far finer than any tick once multiplied by a price, and
    // keep the products that follow cheap (a full 28-digit quotient makes them slow).
    (volume_filled / ctx.bar_volume).round_dp(12).min(cap)
}

/// Half spread and impact, per unit, before rounding; both are adverse amounts (impact
/// may be negative through the random component).
pub fn components(config: &SlippageConfig, px: Decimal, ctx: &FillContext) -> (Decimal, Decimal) {
    let half = |spread: Spread| match spread {
        Spread::Fixed(spread) => spread * HALF,
        Spread::Data => ctx.quoted_spread * HALF,
    };
    let (half_spread, impact) = match *config {
        SlippageConfig::None => (Decimal::ZERO, Decimal::ZERO),
        SlippageConfig::FixedBps { bps, spread } => (half(spread), px * bps / BPS),
        SlippageConfig::HalfSpread { spread } => (half(spread), Decimal::ZERO),
        SlippageConfig::VolumeShare { price_impact, spread } => {
            let s = share(ctx.filled_in_bar + ctx.qty, ctx);
            (half(spread), px * (price_impact * (s * s).round_dp(12)))
        }
        SlippageConfig::SquareRoot { k, spread, .. } => {
            let s = share(ctx.qty, ctx).to_f64().unwrap_or(0.0);
            let fraction = ctx.sigma.map_or(0.0, |sigma| sigma * s.sqrt());
            let impact = px * k * Decimal::from_f64(fraction).unwrap_or(Decimal::ZERO);
            (half(spread), impact)
        }
    };
    let noise = if ctx.noise_bps.is_zero() {
        Decimal::ZERO
    } else {
        px * ctx.noise_bps / BPS * Decimal::from_f64(ctx.noise_z).unwrap_or(Decimal::ZERO)
    };
    (half_spread, impact + noise)
}

/// Price after slippage for a fill of `side` at `px` in `bar`.
pub fn apply(
    config: &SlippageConfig,
    clamp: PriceClamp,
    instrument: &Instrument,
    bar: &Bar,
    side: Side,
    px: Decimal,
    ctx: &FillContext,
) -> Slipped {
    let (half_spread, impact) = components(config, px, ctx);
    let adverse = half_spread + impact;
    if adverse.is_zero() {
        return Slipped {
            px,
            spread_per_unit: Decimal::ZERO,
        };
    }
    let mut slipped = instrument.round_price(px + side.sign() * adverse, side == Side::Buy);
    if clamp == PriceClamp::BarRange {
        slipped = slipped.clamp(bar.low, bar.high);
    }
    // A sell slipped to or below zero would be a nonsense price; keep one tick.
    slipped = slipped.max(instrument.tick_size);
    let moved = side.sign() * (slipped - px);
    Slipped {
        px: slipped,
        spread_per_unit: half_spread.min(moved.max(Decimal::ZERO)),
    }
}

/// Rolling standard deviation (ddof = 1) of close-to-close simple returns over the last
/// `window` returns, fed one close at a time; f64, as indicators may be.
#[derive(Debug, Clone)]
pub struct RollingSigma {
    window: usize,
    returns: Vec<f64>,
    next: usize,
    filled: usize,
    last_close: Option<f64>,
}

impl RollingSigma {
    pub fn new(window: usize) -> Self {
        RollingSigma {
            window,
            returns: vec![0.0; window.max(1)],
            next: 0,
            filled: 0,
            last_close: None,
        }
    }

    pub fn push(&mut self, close: Decimal) {
        // Unused (no square-root model): skip the conversion, which is on every bar.
        if self.window == 0 {
            return;
        }
        let close = close.to_f64().unwrap_or(f64::NAN);
        if let Some(last) = self.last_close
            && last > 0.0
        {
            self.returns[self.next] = close / last - 1.0;
            self.next = (self.next + 1) % self.returns.len();
            self.filled = (self.filled + 1).min(self.returns.len());
        }
        self.last_close = Some(close);
    }

    /// `None` until `window` returns (and at least two) are known.
    pub fn sigma(&self) -> Option<f64> {
        if self.filled < self.window.max(2) {
            return None;
        }
        let r = &self.returns[..self.filled];
        let mean = r.iter().sum::<f64>() / r.len() as f64;
        let var = r.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (r.len() - 1) as f64;
        Some(var.sqrt())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Timestamp;
    use rust_decimal::dec;

    fn bar() -> Bar {
        Bar {
            ts: Timestamp(0),
            open: dec!(100),
            high: dec!(101),
            low: dec!(99),
            close: dec!(100),
            volume: dec!(10000),
        }
    }

    fn ctx(qty: Decimal) -> FillContext {
        FillContext {
            qty,
            filled_in_bar: Decimal::ZERO,
            bar_volume: dec!(10000),
            participation_max: None,
            sigma: None,
            noise_z: 0.0,
            noise_bps: Decimal::ZERO,
            quoted_spread: Decimal::ZERO,
        }
    }

    fn slip(cfg: SlippageConfig, side: Side, px: Decimal, c: &FillContext) -> Slipped {
        apply(&cfg, PriceClamp::None, &Instrument::equity("X"), &bar(), side, px, c)
    }

    #[test]
    fn fixed_bps_moves_against_the_trader_and_rounds_adversely() {
        let cfg = SlippageConfig::FixedBps {
            bps: dec!(10),
            spread: Spread::ZERO,
        };
        assert_eq!(slip(cfg, Side::Buy, dec!(100), &ctx(dec!(1))).px, dec!(100.10));
        assert_eq!(slip(cfg, Side::Sell, dec!(100), &ctx(dec!(1))).px, dec!(99.90));
        // 57.25 × 1.001 = 57.30725 → buys round up to 57.31; sells 57.19275 → 57.19.
        assert_eq!(slip(cfg, Side::Buy, dec!(57.25), &ctx(dec!(1))).px, dec!(57.31));
        assert_eq!(slip(cfg, Side::Sell, dec!(57.25), &ctx(dec!(1))).px, dec!(57.19));
        assert_eq!(slip(cfg, Side::Buy, dec!(100), &ctx(dec!(1))).spread_per_unit, dec!(0));
    }

    #[test]
    fn half_spread_is_all_spread_cost() {
        let mut inst = Instrument::equity("EURUSD");
        inst.tick_size = dec!(0.00001);
        let cfg = SlippageConfig::HalfSpread {
            spread: Spread::Fixed(dec!(0.0002)),
        };
        let b = bar();
        let buy = apply(
            &cfg,
            PriceClamp::None,
            &inst,
            &b,
            Side::Buy,
            dec!(1.05236),
            &ctx(dec!(1)),
        );
        assert_eq!((buy.px, buy.spread_per_unit), (dec!(1.05246), dec!(0.0001)));
        let sell = apply(
            &cfg,
            PriceClamp::None,
            &inst,
            &b,
            Side::Sell,
            dec!(1.05236),
            &ctx(dec!(1)),
        );
        assert_eq!(sell.px, dec!(1.05226));
    }

    #[test]
    fn a_data_spread_is_the_fill_bars_quoted_spread() {
        let mut c = ctx(dec!(100));
        c.quoted_spread = dec!(0.06);
        let cfg = SlippageConfig::FixedBps {
            bps: dec!(10),
            spread: Spread::Data,
        };
        // Half of 0.06 plus 10 bps of 100: 0.03 + 0.10.
        assert_eq!(components(&cfg, dec!(100), &c), (dec!(0.03), dec!(0.1)));
        let s = slip(cfg, Side::Sell, dec!(100), &c);
        assert_eq!((s.px, s.spread_per_unit), (dec!(99.87), dec!(0.03)));
        // A fixed spread ignores the column.
        assert_eq!(
            components(&cfg.with_spread(Spread::Fixed(dec!(0.02))), dec!(100), &c).0,
            dec!(0.01)
        );
    }

    #[test]
    fn none_keeps_off_tick_data_prices() {
        assert_eq!(
            slip(SlippageConfig::None, Side::Buy, dec!(29.215), &ctx(dec!(1))).px,
            dec!(29.215)
        );
    }

    /// Worked from the published definition (zipline's VolumeShareSlippage, defaults
    /// volume_limit = 0.025, price_impact = 0.1): a buy of 200 shares in a bar of 10,000
    /// at 100 takes a 2% share: 100 × (1 + 0.1 × 0.02²) = 100.004 → 100.01 on the tick.
    #[test]
    fn volume_share_by_hand() {
        let cfg = SlippageConfig::VolumeShare {
            price_impact: dec!(0.1),
            spread: Spread::ZERO,
        };
        let mut c = ctx(dec!(200));
        c.participation_max = Some(dec!(0.025));
        let (_, impact) = components(&cfg, dec!(100), &c);
        assert_eq!(impact, dec!(0.004));
        assert_eq!(slip(cfg, Side::Buy, dec!(100), &c).px, dec!(100.01));
        // Earlier fills in the same bar count: 200 more after 200 is a 4% share, capped at 2.5%:
        // 100 × 0.1 × 0.025² = 0.00625.
        c.filled_in_bar = dec!(200);
        assert_eq!(components(&cfg, dec!(100), &c).1, dec!(0.00625));
        // A sell of 1,000 without a cap: 10% share → 100 × 0.1 × 0.01 = 0.1 → 99.90.
        let mut c = ctx(dec!(1000));
        c.participation_max = None;
        assert_eq!(slip(cfg, Side::Sell, dec!(100), &c).px, dec!(99.90));
    }

    #[test]
    fn square_root_by_hand() {
        // k = 1, σ = 2% per bar, q/V = 400/10,000 = 0.04 → √ = 0.2 → 100 × 0.02 × 0.2 = 0.4.
        let cfg = SlippageConfig::SquareRoot {
            k: dec!(1),
            sigma_bars: 20,
            spread: Spread::Fixed(dec!(0.02)),
        };
        let mut c = ctx(dec!(400));
        c.sigma = Some(0.02);
        let (half_spread, impact) = components(&cfg, dec!(100), &c);
        assert_eq!(half_spread, dec!(0.01));
        assert!((impact - dec!(0.4)).abs() < dec!(0.0000001), "{impact}");
        let s = slip(cfg, Side::Buy, dec!(100), &c);
        assert_eq!((s.px, s.spread_per_unit), (dec!(100.41), dec!(0.01)));
        // Without a volatility estimate (too little history) there is no impact.
        c.sigma = None;
        assert_eq!(components(&cfg, dec!(100), &c).1, dec!(0));
    }

    #[test]
    fn clamping_keeps_the_price_inside_the_bar_cutting_impact_first() {
        let cfg = SlippageConfig::VolumeShare {
            price_impact: dec!(1),
            spread: Spread::Fixed(dec!(0.4)),
        };
        let c = ctx(dec!(5000)); // share 0.5 → impact 100 × 1 × 0.25 = 25
        let inst = Instrument::equity("X");
        let b = bar();
        let free = apply(&cfg, PriceClamp::None, &inst, &b, Side::Buy, dec!(100), &c);
        assert_eq!(free.px, dec!(125.20));
        let clamped = apply(&cfg, PriceClamp::BarRange, &inst, &b, Side::Buy, dec!(100.9), &c);
        assert_eq!((clamped.px, clamped.spread_per_unit), (dec!(101), dec!(0.1)));
        let sell = apply(&cfg, PriceClamp::BarRange, &inst, &b, Side::Sell, dec!(100), &c);
        assert_eq!(sell.px, dec!(99));
    }

    #[test]
    fn noise_is_scaled_by_its_bps_and_can_help() {
        let mut c = ctx(dec!(1));
        c.noise_bps = dec!(10);
        c.noise_z = -1.0;
        let s = slip(SlippageConfig::None, Side::Buy, dec!(100), &c);
        assert_eq!(s.px, dec!(99.90), "a favourable draw of one standard deviation");
    }

    #[test]
    fn rolling_sigma_uses_only_the_window() {
        let mut s = RollingSigma::new(2);
        for close in [dec!(100), dec!(110), dec!(99)] {
            s.push(close);
        }
        // Returns 0.10 and -0.10: mean 0, sample std = sqrt(0.02 / 1) ≈ 0.141421.
        assert!((s.sigma().unwrap() - 0.02f64.sqrt()).abs() < 1e-12);
        s.push(dec!(99));
        // Window now -0.10 and 0: std = sqrt(0.005) ≈ 0.0707.
        assert!((s.sigma().unwrap() - 0.005f64.sqrt()).abs() < 1e-12);
        assert!(RollingSigma::new(5).sigma().is_none());
    }
}
