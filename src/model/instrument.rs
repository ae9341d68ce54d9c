//! What can be traded, and how: tick and lot sizes bound every price and quantity the
//! engine produces; the calendar decides how many bars make a year.

use rust_decimal::{Decimal, RoundingStrategy};
use serde::Serialize;

/// Index of an instrument in the run's instrument list. Dense, so per-symbol state is a `Vec`.
pub type SymbolId = usize;

/// Trading calendar: decides periods per year for annualisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Calendar {
    /// Exchange-traded equities: 252 sessions a year of 6.5 hours.
    Equity,
    /// Spot FX: 24 hours, 5 days a week (260 days a year).
    Fx,
    /// Crypto: 24 hours, 365 days a year.
    Crypto,
}

impl Calendar {
    pub fn days_per_year(self) -> f64 {
        match self {
            Calendar::Equity => 252.0,
            Calendar::Fx => 260.0,
            Calendar::Crypto => 365.0,
        }
    }

    pub fn session_secs(self) -> f64 {
        match self {
            Calendar::Equity => 6.5 * 3600.0,
            Calendar::Fx | Calendar::Crypto => 24.0 * 3600.0,
        }
    }

    /// Periods per year for bars of `bar_secs` seconds (the median spacing of the data):
    /// - intraday bars: sessions a year × bars per session (6.5 h equity sessions, 24 h
    ///   for FX and crypto);
    /// - daily bars (spacing under 6 days, weekends and holidays included): sessions a year;
    /// - weekly bars and longer: calendar periods a year, rounded (52 for weekly, 12 for
    ///   monthly), since a week holds five sessions but seven days.
    pub fn periods_per_year(self, bar_secs: f64) -> f64 {
        const DAY_SECS: f64 = 86_400.0;
        if bar_secs >= 6.0 * DAY_SECS {
            (365.25 * DAY_SECS / bar_secs).round().max(1.0)
        } else if bar_secs >= DAY_SECS * 0.99 {
            self.days_per_year()
        } else {
            self.days_per_year() * (self.session_secs() / bar_secs).round().max(1.0)
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Calendar::Equity => "equity",
            Calendar::Fx => "fx",
            Calendar::Crypto => "crypto",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Instrument {
    pub symbol: String,
    /// Smallest price increment; fill prices are rounded to it (adversely for slippage).
    pub tick_size: Decimal,
    /// Quantities are whole multiples of it; sizing rounds down.
    pub lot_size: Decimal,
    /// Smallest order quantity the venue accepts.
    pub min_qty: Decimal,
    pub currency: String,
    pub calendar: Calendar,
}

impl Instrument {
    /// A plain equity with cent ticks and whole-share lots.
    pub fn equity(symbol: &str) -> Self {
        Instrument {
            symbol: symbol.to_string(),
            tick_size: Decimal::new(1, 2),
            lot_size: Decimal::ONE,
            min_qty: Decimal::ONE,
            currency: "USD".to_string(),
            calendar: Calendar::Equity,
        }
    }

    /// Rounds a quantity down to a whole number of lots (never up: sizing must not overspend).
    pub fn round_qty_down(&self, qty: Decimal) -> Decimal {
        if self.lot_size.is_zero() {
            return qty;
        }
        // Whole units and decimal lots (0.01, 0.001) round without a division: this runs
        // for every all-cash fill.
        if self.lot_size.mantissa() == 1 {
            return qty.round_dp_with_strategy(self.lot_size.scale(), RoundingStrategy::ToNegativeInfinity);
        }
        (qty / self.lot_size).floor() * self.lot_size
    }

    /// Rounds a price to the tick: `up` for prices that must not be better than computed.
    pub fn round_price(&self, price: Decimal, up: bool) -> Decimal {
        if self.tick_size.is_zero() {
            return price;
        }
        // Decimal ticks (0.01, 0.00001) round without a division: this runs for every
        // slipped fill.
        if self.tick_size.mantissa() == 1 {
            let strategy = if up {
                RoundingStrategy::ToPositiveInfinity
            } else {
                RoundingStrategy::ToNegativeInfinity
            };
            return price.round_dp_with_strategy(self.tick_size.scale(), strategy);
        }
        let ticks = price / self.tick_size;
        let ticks = if up { ticks.ceil() } else { ticks.floor() };
        ticks * self.tick_size
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::dec;

    #[test]
    fn periods_per_year_by_calendar() {
        assert_eq!(Calendar::Equity.periods_per_year(86_400.0), 252.0);
        assert_eq!(Calendar::Crypto.periods_per_year(86_400.0), 365.0);
        assert_eq!(Calendar::Fx.periods_per_year(3_600.0), 260.0 * 24.0);
        assert_eq!(Calendar::Equity.periods_per_year(60.0), 252.0 * 390.0);
        assert_eq!(Calendar::Equity.periods_per_year(7.0 * 86_400.0), 52.0);
        assert_eq!(Calendar::Fx.periods_per_year(7.0 * 86_400.0), 52.0);
        assert_eq!(Calendar::Equity.periods_per_year(30.0 * 86_400.0), 12.0);
        assert_eq!(Calendar::Equity.periods_per_year(31.0 * 86_400.0), 12.0);
        // A daily series whose median spacing is a day, whatever its weekends.
        assert_eq!(Calendar::Equity.periods_per_year(86_400.0), 252.0);
    }

    #[test]
    fn rounding_respects_lot_and_tick() {
        let mut inst = Instrument::equity("X");
        assert_eq!(inst.round_qty_down(dec!(1746.99)), dec!(1746));
        inst.lot_size = dec!(100);
        assert_eq!(inst.round_qty_down(dec!(1746)), dec!(1700));
        assert_eq!(inst.round_price(dec!(10.001), true), dec!(10.01));
        assert_eq!(inst.round_price(dec!(10.009), false), dec!(10.00));
        assert_eq!(inst.round_price(dec!(-10.001), true), dec!(-10.00));
        // The fast path (decimal ticks and lots) agrees with the division for each case.
        for tick in [dec!(0.01), dec!(0.00001), dec!(1), dec!(0.25), dec!(0.05)] {
            inst.tick_size = tick;
            for px in [dec!(57.30725), dec!(1.052461), dec!(100), dec!(99.999999), dec!(0.004)] {
                for up in [true, false] {
                    let t = px / tick;
                    let expected = if up { t.ceil() } else { t.floor() } * tick;
                    assert_eq!(inst.round_price(px, up), expected, "tick {tick} px {px} up {up}");
                }
            }
        }
        for lot in [dec!(1), dec!(0.001), dec!(100), dec!(1000), dec!(0.5)] {
            inst.lot_size = lot;
            for qty in [dec!(1746.99), dec!(0.0015), dec!(123456.789), dec!(999)] {
                assert_eq!(
                    inst.round_qty_down(qty),
                    (qty / lot).floor() * lot,
                    "lot {lot} qty {qty}"
                );
            }
        }
    }
}
