//! Position sizing: how many units an entry is for, and why.
//!
//! Every model but all-cash decides at the decision bar's close (price = the symbol's
//! last close, equity marked at the last closes):
//!
//! | model | raw quantity |
//! |---|---|
//! | `fixed_qty` | `qty` |
//! | `fixed_notional` | `notional / price` |
//! | `fraction_of_equity` | `fraction × equity / price` |
//! | `atr_risk` | `risk_fraction × equity / (atr_multiple × ATR(atr_bars))` |
//! | `vol_target` | `annual_vol × equity / (σ_annual × price)`, σ_annual = σ(vol_bars) × √P |
//! | `confidence` | `confidence × fraction × equity / price` |
//!
//! ATR is the simple mean of the last `atr_bars` true ranges and σ(n) the sample
//! standard deviation of the last n close-to-close returns ([`crate::indicators`]), both
//! over bars up to and including the decision bar; P is the run's periods per year.
//! Then, in this order: the quantity is capped at `buying_power / price` (the buying
//! power this entry may use, see [`SizingInputs::buying_power`]), rounded down to whole
//! lots, and the entry is skipped if that is below the instrument's minimum quantity.
//! An entry is also skipped, with a reason, when the model's indicator lacks history,
//! when the signal has no confidence or one below `min_confidence`, or when there is no
//! equity to size from.
//!
//! All-cash sizing is resolved by the venue at the fill price instead (as the reference
//! backtester does and as a broker's notional order would): the largest number of whole
//! lots whose cost and fee the buying power pays for at that moment.
//!
//! Every entry sized at its decision is recorded as a [`SizingDecision`] (inputs and
//! result), which the report writes to `sizing.csv`. All-cash entries are not: their
//! quantity is decided at the fill, and `orders.csv` shows it.

use crate::indicators::{Atr, ReturnVolatility};
use crate::model::{Bar, Instrument, OrderId, OrderQty, Side, SymbolId, Timestamp};
use crate::scenario::SizingConfig;
use rust_decimal::Decimal;
use rust_decimal::prelude::FromPrimitive;
use serde::Serialize;

/// What one entry is sized against.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SizingInputs {
    /// Equity marked at the last closes.
    pub equity: Decimal,
    /// What this entry may spend: equity not committed to positions once the exit the
    /// same signal sends first is done (`equity − gross exposure + |value of this
    /// symbol's position|`), less what entries still working in other symbols would
    /// cost at their decision prices; at least zero.
    pub buying_power: Decimal,
    /// The decision price: the symbol's last close.
    pub price: Decimal,
    /// The signal's confidence (0..1), if it has one.
    pub confidence: Option<f64>,
    /// ATR of the symbol (`atr_risk`; [`Sizer::decide`] fills it in).
    pub atr: Option<Decimal>,
    /// Annualised volatility of the symbol's returns (`vol_target`; [`Sizer::decide`]
    /// fills it in).
    pub sigma_annual: Option<Decimal>,
}

/// A model's answer for one entry.
#[derive(Debug, Clone, PartialEq)]
pub struct Sized {
    /// The order quantity, or why the entry is skipped.
    pub qty: Result<OrderQty, String>,
    /// The model's quantity before the buying-power cap and lot rounding; `None` for
    /// all-cash, for an entry skipped before the formula, and for a quantity beyond the
    /// decimal range (then the buying power caps it).
    pub raw_qty: Option<Decimal>,
    /// Whether the buying power cut the quantity.
    pub capped_by_buying_power: bool,
}

impl Sized {
    fn skipped(reason: String) -> Self {
        Sized {
            qty: Err(reason),
            raw_qty: None,
            capped_by_buying_power: false,
        }
    }
}

/// One entry sizing, as `sizing.csv` shows it: what the model saw and what it decided.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SizingDecision {
    /// The decision bar's timestamp.
    pub ts: Timestamp,
    pub symbol: SymbolId,
    pub side: Side,
    /// The model's `kind`, as the scenario spells it.
    pub model: &'static str,
    pub equity: Decimal,
    /// The buying power this entry could use ([`SizingInputs::buying_power`]).
    pub buying_power: Decimal,
    pub price: Decimal,
    /// The ATR used (`atr_risk`).
    pub atr: Option<Decimal>,
    /// The annualised volatility used (`vol_target`).
    pub sigma_annual: Option<Decimal>,
    /// The signal's confidence, whatever the model.
    pub confidence: Option<f64>,
    /// See [`Sized::raw_qty`].
    pub raw_qty: Option<Decimal>,
    /// The entry's quantity; `None` when skipped.
    pub qty: Option<OrderQty>,
    pub capped_by_buying_power: bool,
    /// Why the entry was skipped.
    pub skip_reason: Option<String>,
    /// The entry order, when there is one.
    pub order_id: Option<OrderId>,
}

/// The run's sizing model with the per-symbol indicators it reads. Indicators exist only
/// for the model that needs them (ATR for `atr_risk`, return volatility for
/// `vol_target`); for the others [`Sizer::on_bar`] does nothing.
#[derive(Debug, Clone)]
pub struct Sizer {
    config: SizingConfig,
    sqrt_periods_per_year: f64,
    atr: Vec<Atr>,
    vol: Vec<ReturnVolatility>,
}

impl Sizer {
    /// A sizer for `symbols` instruments; `periods_per_year` annualises volatility.
    pub fn new(config: SizingConfig, symbols: usize, periods_per_year: f64) -> Self {
        let (atr, vol) = match config {
            SizingConfig::AtrRisk { atr_bars, .. } => ((0..symbols).map(|_| Atr::new(atr_bars)).collect(), Vec::new()),
            SizingConfig::VolTarget { vol_bars, .. } => (
                Vec::new(),
                (0..symbols).map(|_| ReturnVolatility::new(vol_bars)).collect(),
            ),
            _ => (Vec::new(), Vec::new()),
        };
        Sizer {
            config,
            sqrt_periods_per_year: periods_per_year.sqrt(),
            atr,
            vol,
        }
    }

    pub fn config(&self) -> &SizingConfig {
        &self.config
    }

    /// Whether entries are sized by the venue at the fill (all-cash) rather than by
    /// [`Sizer::decide`] at the decision. Such entries get no [`SizingDecision`]: there is
    /// nothing to decide at the decision, and recording one per entry would cost the
    /// all-cash pipeline time and memory for no information (`orders.csv` shows the
    /// quantity each filled).
    pub fn sizes_at_fill(&self) -> bool {
        matches!(self.config, SizingConfig::AllCash)
    }

    /// A bar of `symbol` closed: update its indicators (nothing to do for models without).
    #[inline]
    pub fn on_bar(&mut self, symbol: SymbolId, bar: &Bar) {
        if let Some(atr) = self.atr.get_mut(symbol) {
            atr.push(bar);
        }
        if let Some(vol) = self.vol.get_mut(symbol) {
            vol.push(bar.close);
        }
    }

    /// Sizes an entry of `side` in `symbol`, decided at `ts`, filling in the symbol's
    /// indicators; the decision has no order id yet.
    pub fn decide(
        &self,
        instrument: &Instrument,
        ts: Timestamp,
        symbol: SymbolId,
        side: Side,
        mut inputs: SizingInputs,
    ) -> SizingDecision {
        let mut missing = None;
        if let Some(atr) = self.atr.get(symbol) {
            match atr.value() {
                Some(value) => inputs.atr = Some(value),
                None => {
                    missing = Some(format!(
                        "ATR({}) needs {} bars, have {}",
                        atr.window(),
                        atr.bars_needed(),
                        atr.bars()
                    ))
                }
            }
        }
        if let Some(vol) = self.vol.get(symbol) {
            match vol.stdev() {
                Some(sigma) => match Decimal::from_f64(sigma * self.sqrt_periods_per_year) {
                    Some(annual) => inputs.sigma_annual = Some(annual),
                    None => missing = Some(format!("the volatility of the returns is not a number ({sigma})")),
                },
                None => {
                    missing = Some(format!(
                        "the volatility of {} returns needs {} bars, have {}",
                        vol.window(),
                        vol.bars_needed(),
                        vol.bars()
                    ))
                }
            }
        }
        let sized = match missing {
            Some(reason) => Sized::skipped(reason),
            None => entry_qty(&self.config, instrument, &inputs),
        };
        let (qty, skip_reason) = match sized.qty {
            Ok(qty) => (Some(qty), None),
            Err(reason) => (None, Some(reason)),
        };
        SizingDecision {
            ts,
            symbol,
            side,
            model: self.config.name(),
            equity: inputs.equity,
            buying_power: inputs.buying_power,
            price: inputs.price,
            atr: inputs.atr,
            sigma_annual: inputs.sigma_annual,
            confidence: inputs.confidence,
            raw_qty: sized.raw_qty,
            qty,
            capped_by_buying_power: sized.capped_by_buying_power,
            skip_reason,
            order_id: None,
        }
    }
}

/// The quantity of a new entry under `config`, or why there is none (formulas in the
/// module documentation). `inputs.atr` and `inputs.sigma_annual` must be set for the
/// models that read them.
pub fn entry_qty(config: &SizingConfig, instrument: &Instrument, inputs: &SizingInputs) -> Sized {
    let SizingInputs {
        buying_power, price, ..
    } = *inputs;
    if matches!(config, SizingConfig::AllCash) {
        return Sized {
            qty: Ok(OrderQty::AllCash),
            raw_qty: None,
            capped_by_buying_power: false,
        };
    }
    if price <= Decimal::ZERO {
        return Sized::skipped(format!("no price to size at ({price})"));
    }
    let raw = match raw_qty(config, inputs) {
        Ok(raw) => raw,
        Err(reason) => return Sized::skipped(reason),
    };
    let affordable = buying_power.max(Decimal::ZERO).checked_div(price);
    let (qty, capped) = match (raw, affordable) {
        (Some(raw), Some(affordable)) if raw > affordable => (affordable, true),
        (Some(raw), _) => (raw, false),
        (None, Some(affordable)) => (affordable, true),
        (None, None) => return Sized::skipped("the sized quantity is beyond the decimal range".to_string()),
    };
    let qty = instrument.round_qty_down(qty);
    let result = if qty <= Decimal::ZERO || qty < instrument.min_qty {
        let cap = if capped {
            format!(" after the buying-power cap ({buying_power} at {price})")
        } else {
            String::new()
        };
        Err(format!(
            "sized quantity {qty} is below the minimum {}{cap}",
            instrument.min_qty
        ))
    } else {
        Ok(OrderQty::Units(qty))
    };
    Sized {
        qty: result,
        raw_qty: raw,
        capped_by_buying_power: capped,
    }
}

/// The model's quantity before the cap and rounding; `Ok(None)` when it overflows.
fn raw_qty(config: &SizingConfig, inputs: &SizingInputs) -> Result<Option<Decimal>, String> {
    let SizingInputs { equity, price, .. } = *inputs;
    let equity_to_size = || {
        if equity > Decimal::ZERO {
            Ok(equity)
        } else {
            Err(format!("no equity to size from (equity {equity})"))
        }
    };
    Ok(match *config {
        SizingConfig::AllCash => None,
        SizingConfig::FixedQty { qty } => Some(qty),
        SizingConfig::FixedNotional { notional } => notional.checked_div(price),
        SizingConfig::FractionOfEquity { fraction } => (fraction * equity_to_size()?).checked_div(price),
        SizingConfig::AtrRisk {
            risk_fraction,
            atr_bars,
            atr_multiple,
        } => {
            let equity = equity_to_size()?;
            let atr = inputs
                .atr
                .ok_or_else(|| format!("no ATR({atr_bars}) for this symbol"))?;
            if atr <= Decimal::ZERO {
                return Err(format!("ATR({atr_bars}) is {atr}: no stop distance to size over"));
            }
            let risk = risk_fraction * equity;
            atr_multiple.checked_mul(atr).and_then(|stop| risk.checked_div(stop))
        }
        SizingConfig::VolTarget { annual_vol, vol_bars } => {
            let equity = equity_to_size()?;
            let sigma = inputs
                .sigma_annual
                .ok_or_else(|| format!("no volatility of {vol_bars} returns for this symbol"))?;
            if sigma <= Decimal::ZERO {
                return Err(format!(
                    "the volatility of the last {vol_bars} returns is {sigma}: nothing to target"
                ));
            }
            annual_vol
                .checked_mul(equity)
                .zip(sigma.checked_mul(price))
                .and_then(|(target, position_vol)| target.checked_div(position_vol))
        }
        SizingConfig::Confidence {
            fraction,
            min_confidence,
        } => {
            let equity = equity_to_size()?;
            let Some(confidence) = inputs.confidence else {
                return Err("the signal has no confidence to scale the size by".to_string());
            };
            let confidence = Decimal::from_f64(confidence)
                .filter(|c| *c >= Decimal::ZERO && *c <= Decimal::ONE)
                .ok_or_else(|| format!("confidence {confidence} is not within 0..1"))?;
            if confidence < min_confidence {
                return Err(format!(
                    "confidence {confidence} is below min_confidence {min_confidence}"
                ));
            }
            (confidence * fraction * equity).checked_div(price)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::dec;

    /// An account with `equity`, all of it buying power, at `price`.
    fn inputs(equity: Decimal, price: Decimal) -> SizingInputs {
        SizingInputs {
            equity,
            buying_power: equity,
            price,
            confidence: None,
            atr: None,
            sigma_annual: None,
        }
    }

    fn units(sized: &Sized) -> Decimal {
        match sized.qty {
            Ok(OrderQty::Units(q)) => q,
            ref other => panic!("expected units, got {other:?}"),
        }
    }

    fn reason(sized: &Sized) -> &str {
        match &sized.qty {
            Err(reason) => reason,
            other => panic!("expected a skip, got {other:?}"),
        }
    }

    fn lots(lot: Decimal, min: Decimal) -> Instrument {
        let mut inst = Instrument::equity("X");
        inst.lot_size = lot;
        inst.min_qty = min;
        inst
    }

    #[test]
    fn all_cash_is_resolved_at_the_fill() {
        let sized = entry_qty(
            &SizingConfig::AllCash,
            &Instrument::equity("X"),
            &inputs(dec!(1), dec!(1)),
        );
        assert_eq!(sized.qty, Ok(OrderQty::AllCash));
        assert_eq!((sized.raw_qty, sized.capped_by_buying_power), (None, false));
    }

    #[test]
    fn fixed_qty_rounds_down_to_lots_and_respects_the_minimum() {
        let inst = lots(dec!(100), dec!(100));
        let cfg = SizingConfig::FixedQty { qty: dec!(250) };
        let sized = entry_qty(&cfg, &inst, &inputs(dec!(10000), dec!(1)));
        assert_eq!((units(&sized), sized.raw_qty), (dec!(200), Some(dec!(250))));
        let cfg = SizingConfig::FixedQty { qty: dec!(50) };
        let sized = entry_qty(&cfg, &inst, &inputs(dec!(10000), dec!(1)));
        assert_eq!(reason(&sized), "sized quantity 0 is below the minimum 100");
    }

    #[test]
    fn fixed_qty_is_capped_by_the_buying_power() {
        // 100 units at 12 would cost 1200; 1000 of buying power pays for 83.33 → 83.
        let cfg = SizingConfig::FixedQty { qty: dec!(100) };
        let sized = entry_qty(&cfg, &Instrument::equity("X"), &inputs(dec!(1000), dec!(12)));
        assert_eq!(units(&sized), dec!(83));
        assert!(sized.capped_by_buying_power);
        assert_eq!(sized.raw_qty, Some(dec!(100)));
        // With lots of 50 the cap rounds down to 50.
        let sized = entry_qty(&cfg, &lots(dec!(50), dec!(50)), &inputs(dec!(1000), dec!(12)));
        assert_eq!(units(&sized), dec!(50));
    }

    #[test]
    fn fixed_notional_divides_by_the_price() {
        // 5000 / 33 = 151.5… → 151.
        let cfg = SizingConfig::FixedNotional { notional: dec!(5000) };
        let sized = entry_qty(&cfg, &Instrument::equity("X"), &inputs(dec!(100000), dec!(33)));
        assert_eq!(units(&sized), dec!(151));
        assert!(!sized.capped_by_buying_power);
        // Fractional lots: 5000 / 33 = 151.51515… → 151.515 with lots of 0.001.
        let sized = entry_qty(&cfg, &lots(dec!(0.001), dec!(0.001)), &inputs(dec!(100000), dec!(33)));
        assert_eq!(units(&sized), dec!(151.515));
    }

    #[test]
    fn fraction_of_equity_rounds_down_to_lots() {
        // 0.5 × 10000 / 33 = 151.5… → 151.
        let cfg = SizingConfig::FractionOfEquity { fraction: dec!(0.5) };
        let sized = entry_qty(&cfg, &Instrument::equity("X"), &inputs(dec!(10000), dec!(33)));
        assert_eq!(units(&sized), dec!(151));
        let mut account = inputs(dec!(10000), dec!(33));
        account.buying_power = dec!(1000);
        let sized = entry_qty(&cfg, &Instrument::equity("X"), &account);
        assert_eq!(units(&sized), dec!(30), "1000 / 33 = 30.3");
        assert!(sized.capped_by_buying_power);
        account.equity = dec!(-5);
        let sized = entry_qty(&cfg, &Instrument::equity("X"), &account);
        assert_eq!(reason(&sized), "no equity to size from (equity -5)");
    }

    #[test]
    fn atr_risk_risks_a_fraction_of_equity_over_the_stop_distance() {
        // 1% of 100000 = 1000 at risk; stop 2 × ATR 2.5 = 5 away → 200 units at 50
        // (10000 of notional).
        let cfg = SizingConfig::AtrRisk {
            risk_fraction: dec!(0.01),
            atr_bars: 14,
            atr_multiple: dec!(2),
        };
        let mut account = inputs(dec!(100000), dec!(50));
        account.atr = Some(dec!(2.5));
        let sized = entry_qty(&cfg, &Instrument::equity("X"), &account);
        assert_eq!((units(&sized), sized.raw_qty), (dec!(200), Some(dec!(200))));
        // ATR 3: 1000 / 6 = 166.67 → 166; lots of 25 → 150.
        account.atr = Some(dec!(3));
        let sized = entry_qty(&cfg, &lots(dec!(25), dec!(25)), &account);
        assert_eq!(units(&sized), dec!(150));
        // A tight stop asks for more than the account can pay: 1000 / (2 × 0.05) = 10000
        // units at 50 = 500000; the buying power of 100000 pays for 2000.
        account.atr = Some(dec!(0.05));
        let sized = entry_qty(&cfg, &Instrument::equity("X"), &account);
        assert_eq!((units(&sized), sized.raw_qty), (dec!(2000), Some(dec!(10000))));
        assert!(sized.capped_by_buying_power);
        account.atr = Some(dec!(0));
        let sized = entry_qty(&cfg, &Instrument::equity("X"), &account);
        assert_eq!(reason(&sized), "ATR(14) is 0: no stop distance to size over");
    }

    #[test]
    fn vol_target_sizes_to_the_target_volatility() {
        // Target 10% a year on 100000 = 10000 of annual volatility; the symbol moves
        // 25% a year at 40, so a unit carries 10 → 1000 units.
        let cfg = SizingConfig::VolTarget {
            annual_vol: dec!(0.1),
            vol_bars: 20,
        };
        let mut account = inputs(dec!(100000), dec!(40));
        account.sigma_annual = Some(dec!(0.25));
        let sized = entry_qty(&cfg, &Instrument::equity("X"), &account);
        assert_eq!(units(&sized), dec!(1000));
        // A calm symbol (5% a year) would need 5000 units = 200000: the buying power caps
        // it at 100000 / 40 = 2500.
        account.sigma_annual = Some(dec!(0.05));
        let sized = entry_qty(&cfg, &Instrument::equity("X"), &account);
        assert_eq!((units(&sized), sized.raw_qty), (dec!(2500), Some(dec!(5000))));
        assert!(sized.capped_by_buying_power);
        account.sigma_annual = Some(dec!(0));
        let sized = entry_qty(&cfg, &Instrument::equity("X"), &account);
        assert!(reason(&sized).contains("is 0: nothing to target"), "{}", reason(&sized));
    }

    #[test]
    fn confidence_scales_a_fraction_of_equity_and_skips_below_the_minimum() {
        // 0.8 × 0.5 × 10000 / 20 = 200.
        let cfg = SizingConfig::Confidence {
            fraction: dec!(0.5),
            min_confidence: dec!(0.6),
        };
        let mut account = inputs(dec!(10000), dec!(20));
        account.confidence = Some(0.8);
        let sized = entry_qty(&cfg, &Instrument::equity("X"), &account);
        assert_eq!((units(&sized), sized.raw_qty), (dec!(200), Some(dec!(200))));
        // Exactly the minimum still trades: 0.6 × 0.5 × 10000 / 20 = 150.
        account.confidence = Some(0.6);
        assert_eq!(units(&entry_qty(&cfg, &Instrument::equity("X"), &account)), dec!(150));
        account.confidence = Some(0.3);
        let sized = entry_qty(&cfg, &Instrument::equity("X"), &account);
        assert_eq!(reason(&sized), "confidence 0.3 is below min_confidence 0.6");
        assert_eq!(sized.raw_qty, None);
        account.confidence = None;
        let sized = entry_qty(&cfg, &Instrument::equity("X"), &account);
        assert_eq!(reason(&sized), "the signal has no confidence to scale the size by");
        account.confidence = Some(f64::NAN);
        let sized = entry_qty(&cfg, &Instrument::equity("X"), &account);
        assert_eq!(reason(&sized), "confidence NaN is not within 0..1");
    }

    #[test]
    fn a_capped_entry_below_the_minimum_says_the_cap_did_it() {
        let cfg = SizingConfig::FixedQty { qty: dec!(100) };
        let mut account = inputs(dec!(10000), dec!(60));
        account.buying_power = dec!(50);
        let sized = entry_qty(&cfg, &Instrument::equity("X"), &account);
        assert_eq!(
            reason(&sized),
            "sized quantity 0 is below the minimum 1 after the buying-power cap (50 at 60)"
        );
        assert!(sized.capped_by_buying_power);
    }

    fn bar(high: Decimal, low: Decimal, close: Decimal) -> Bar {
        Bar {
            ts: Timestamp(0),
            open: close,
            high,
            low,
            close,
            volume: dec!(1),
        }
    }

    #[test]
    fn the_sizer_waits_for_history_and_then_uses_the_indicator() {
        let cfg = SizingConfig::AtrRisk {
            risk_fraction: dec!(0.01),
            atr_bars: 2,
            atr_multiple: dec!(2),
        };
        let mut sizer = Sizer::new(cfg, 2, 252.0);
        let account = inputs(dec!(100000), dec!(50));
        let inst = Instrument::equity("X");
        sizer.on_bar(0, &bar(dec!(51), dec!(49), dec!(50)));
        sizer.on_bar(0, &bar(dec!(52), dec!(50), dec!(51)));
        let decision = sizer.decide(&inst, Timestamp(7), 0, Side::Buy, account);
        assert_eq!(decision.skip_reason.as_deref(), Some("ATR(2) needs 3 bars, have 2"));
        assert_eq!((decision.qty, decision.atr, decision.raw_qty), (None, None, None));
        // True ranges 2 and 3: ATR 2.5, stop 5 away, 1000 at risk → 200.
        sizer.on_bar(0, &bar(dec!(53), dec!(50), dec!(52)));
        let decision = sizer.decide(&inst, Timestamp(8), 0, Side::Sell, account);
        assert_eq!(decision.atr, Some(dec!(2.5)));
        assert_eq!(decision.qty, Some(OrderQty::Units(dec!(200))));
        assert_eq!(
            (decision.ts, decision.symbol, decision.side, decision.model),
            (Timestamp(8), 0, Side::Sell, "atr_risk")
        );
        // Each symbol has its own history.
        let other = sizer.decide(&inst, Timestamp(8), 1, Side::Buy, account);
        assert_eq!(other.skip_reason.as_deref(), Some("ATR(2) needs 3 bars, have 0"));
    }

    #[test]
    fn the_sizer_annualises_volatility_with_the_runs_periods_per_year() {
        let cfg = SizingConfig::VolTarget {
            annual_vol: dec!(0.1),
            vol_bars: 2,
        };
        // P = 100: σ_annual = 10 × the per-bar σ.
        let mut sizer = Sizer::new(cfg, 1, 100.0);
        let inst = Instrument::equity("X");
        for close in [dec!(100), dec!(102)] {
            sizer.on_bar(0, &bar(close, close, close));
        }
        let decision = sizer.decide(&inst, Timestamp(0), 0, Side::Buy, inputs(dec!(100000), dec!(100)));
        assert_eq!(
            decision.skip_reason.as_deref(),
            Some("the volatility of 2 returns needs 3 bars, have 2")
        );
        // Returns +2% and −1%: mean 0.5%, sample σ = √((1.5%)² × 2) = 2.1213…%; annual
        // 21.213…%. 0.1 × 100000 / (0.21213 × 100) = 471.4 → 471.
        sizer.on_bar(0, &bar(dec!(100.98), dec!(100.98), dec!(100.98)));
        let decision = sizer.decide(&inst, Timestamp(0), 0, Side::Buy, inputs(dec!(100000), dec!(100)));
        let sigma = decision.sigma_annual.unwrap();
        assert!((sigma - dec!(0.212132034)).abs() < dec!(0.000000001), "{sigma}");
        assert_eq!(decision.qty, Some(OrderQty::Units(dec!(471))));
    }

    #[test]
    fn models_without_indicators_keep_none() {
        let mut sizer = Sizer::new(SizingConfig::AllCash, 3, 252.0);
        sizer.on_bar(2, &bar(dec!(1), dec!(1), dec!(1)));
        assert!(sizer.atr.is_empty() && sizer.vol.is_empty());
        assert!(sizer.sizes_at_fill());
        let sizer = Sizer::new(SizingConfig::FixedQty { qty: dec!(1) }, 3, 252.0);
        assert!(sizer.atr.is_empty() && sizer.vol.is_empty());
        assert!(!sizer.sizes_at_fill());
    }
}
