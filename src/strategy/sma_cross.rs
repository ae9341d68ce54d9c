//! SMA(fast)/SMA(slow) crossover on closes.
//!
//! A cross up at bar t means the fast average is above the slow one at t and was below
//! it the last time the two differed; a cross down mirrors it. Without ties this is the
//! reference backtester's rule (fast[t-1] < slow[t-1] and fast[t] > slow[t]); the first
//! possible signal is on bar `slow` (0-based), when both averages were defined twice.
//!
//! The averages are kept as exact decimal running sums and compared by cross
//! multiplication (fast_sum × slow_n against slow_sum × fast_n), so a crossover never
//! depends on floating-point rounding. Exact ties do happen with decimal prices (AAPL,
//! 2003-02-07: both averages are 14.426). A tie takes neither side: below → tie → above
//! is a cross up on the bar that goes above, above → tie → above is no cross. A
//! floating-point implementation decides such ties by rounding noise instead; on the
//! shipped conformance data the reference's noise agrees with this rule.

use super::{Intent, Signal, Strategy, StrategyContext};
use crate::model::{Bar, SymbolId};
use crate::scenario::SmaMode;
use rust_decimal::Decimal;
use std::cmp::Ordering;

/// Running sums for one symbol.
struct Averages {
    closes: Vec<Decimal>,
    next: usize,
    count: usize,
    fast_sum: Decimal,
    slow_sum: Decimal,
    /// The last strict side of fast vs slow (ties are skipped).
    previous: Option<Ordering>,
}

pub struct SmaCross {
    fast: usize,
    slow: usize,
    fast_n: Decimal,
    slow_n: Decimal,
    mode: SmaMode,
    symbols: Vec<Averages>,
}

impl SmaCross {
    /// `fast < slow`, both at least 1 (the scenario validated it).
    pub fn new(fast: usize, slow: usize, mode: SmaMode, symbols: usize) -> Self {
        debug_assert!(1 <= fast && fast < slow, "sma_cross needs 1 <= fast < slow");
        let averages = || Averages {
            closes: vec![Decimal::ZERO; slow],
            next: 0,
            count: 0,
            fast_sum: Decimal::ZERO,
            slow_sum: Decimal::ZERO,
            previous: None,
        };
        SmaCross {
            fast,
            slow,
            fast_n: Decimal::from(fast),
            slow_n: Decimal::from(slow),
            mode,
            symbols: (0..symbols).map(|_| averages()).collect(),
        }
    }

    /// Pushes a close; returns fast vs slow once the slow average is defined.
    fn update(&mut self, symbol: SymbolId, close: Decimal) -> Option<Ordering> {
        let (fast, slow) = (self.fast, self.slow);
        let a = &mut self.symbols[symbol];
        // The ring buffer holds the last `slow` closes; `next` is where this one goes.
        if a.count >= slow {
            a.slow_sum -= a.closes[a.next];
        }
        if a.count >= fast {
            // The close `fast` bars back: `next - fast`, wrapped into the ring.
            let back = if a.next >= fast {
                a.next - fast
            } else {
                a.next + slow - fast
            };
            a.fast_sum -= a.closes[back];
        }
        a.closes[a.next] = close;
        a.next = if a.next + 1 == slow { 0 } else { a.next + 1 };
        a.count += 1;
        a.fast_sum += close;
        a.slow_sum += close;
        if a.count < slow {
            return None;
        }
        Some(
            cross_cmp(a.fast_sum, self.slow, a.slow_sum, self.fast)
                .unwrap_or_else(|| (a.fast_sum * self.slow_n).cmp(&(a.slow_sum * self.fast_n))),
        )
    }
}

/// `a × m` against `b × n` on the mantissas, when `a` and `b` share a scale (sums of
/// closes quoted to the same tick do) and the products fit in `i128`: exact, and without
/// the two decimal multiplications. `None` otherwise.
fn cross_cmp(a: Decimal, m: usize, b: Decimal, n: usize) -> Option<Ordering> {
    if a.scale() != b.scale() {
        return None;
    }
    let left = a.mantissa().checked_mul(i128::try_from(m).ok()?)?;
    let right = b.mantissa().checked_mul(i128::try_from(n).ok()?)?;
    Some(left.cmp(&right))
}

impl Strategy for SmaCross {
    fn on_bar(&mut self, ctx: &StrategyContext<'_>, symbol: SymbolId, bar: &Bar, signals: &mut Vec<Signal>) {
        let Some(now) = self.update(symbol, bar.close) else {
            return;
        };
        if now == Ordering::Equal {
            // A tie takes neither side; the next strict side decides whether it crossed.
            return;
        }
        let previous = self.symbols[symbol].previous.replace(now);
        let cross_up = previous == Some(Ordering::Less) && now == Ordering::Greater;
        let cross_down = previous == Some(Ordering::Greater) && now == Ordering::Less;
        let position = ctx.position_qty(symbol);
        match self.mode {
            SmaMode::LongOnly => {
                if cross_up && position.is_zero() {
                    signals.push(Signal::new(symbol, Intent::Long));
                } else if cross_down && position > Decimal::ZERO {
                    signals.push(Signal::new(symbol, Intent::Flat));
                }
            }
            SmaMode::LongShort => {
                if cross_up {
                    signals.push(Signal::new(symbol, Intent::Long));
                } else if cross_down {
                    signals.push(Signal::new(symbol, Intent::Short));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Timestamp;
    use crate::portfolio::Portfolio;

    fn run(closes: &[i64], fast: usize, slow: usize, mode: SmaMode) -> Vec<(usize, Intent)> {
        run_holding(closes, fast, slow, mode, 0)
    }

    /// Signals over `closes` for a strategy whose account holds `position` shares throughout.
    fn run_holding(closes: &[i64], fast: usize, slow: usize, mode: SmaMode, position: i64) -> Vec<(usize, Intent)> {
        use crate::model::{Fill, Liquidity, Side};
        let mut strategy = SmaCross::new(fast, slow, mode, 1);
        let mut portfolio = Portfolio::new(Decimal::from(1000), 1);
        if position != 0 {
            let px = Decimal::from(10);
            let fill = Fill {
                order_id: 1,
                symbol: 0,
                side: if position > 0 { Side::Buy } else { Side::Sell },
                ts: Timestamp(0),
                qty: Decimal::from(position.abs()),
                px,
                px_before_slippage: px,
                spread_per_unit: Decimal::ZERO,
                fee: Decimal::ZERO,
                liquidity: Liquidity::Taker,
                venue: 0,
            };
            portfolio.apply_fill(&fill, 0);
        }
        let ctx = StrategyContext { portfolio: &portfolio };
        let mut out = Vec::new();
        for (i, c) in closes.iter().enumerate() {
            let px = Decimal::from(*c);
            let bar = Bar {
                ts: Timestamp(i as i64),
                open: px,
                high: px,
                low: px,
                close: px,
                volume: Decimal::ONE,
            };
            let mut signals = Vec::new();
            strategy.on_bar(&ctx, 0, &bar, &mut signals);
            out.extend(signals.into_iter().map(|s| (i, s.intent)));
        }
        out
    }

    /// The mantissa comparison agrees with the decimal one, and steps aside when the
    /// scales differ or the products would overflow.
    #[test]
    fn cross_multiplication_on_mantissas_matches_decimals() {
        let d = |s: &str| s.parse::<Decimal>().unwrap();
        for (a, m, b, n) in [
            ("123.45", 30, "411.50", 10),
            ("123.45", 30, "411.49", 10),
            ("-5.5", 3, "-1.8", 10),
            ("0.00", 7, "0.00", 3),
        ] {
            let (a, b) = (d(a), d(b));
            let exact = (a * Decimal::from(m)).cmp(&(b * Decimal::from(n)));
            assert_eq!(cross_cmp(a, m, b, n), Some(exact), "{a} x {m} vs {b} x {n}");
        }
        assert_eq!(cross_cmp(d("1.5"), 2, d("3.00"), 1), None, "scales differ");
        assert_eq!(cross_cmp(Decimal::MAX, usize::MAX, Decimal::ONE, 1), None, "overflow");
    }

    #[test]
    fn running_sums_match_direct_averages() {
        let closes: Vec<i64> = (0..50).map(|i| (i * 37 % 23) + 10).collect();
        let mut s = SmaCross::new(3, 7, SmaMode::LongOnly, 1);
        for (i, c) in closes.iter().enumerate() {
            let got = s.update(0, Decimal::from(*c));
            if i + 1 < 7 {
                assert!(got.is_none());
                continue;
            }
            let fast: i64 = closes[i + 1 - 3..=i].iter().sum();
            let slow: i64 = closes[i + 1 - 7..=i].iter().sum();
            assert_eq!(got, Some((fast * 7).cmp(&(slow * 3))), "bar {i}");
        }
    }

    #[test]
    fn crosses_need_strict_inequality_on_both_bars() {
        // fast=1, slow=2: fast vs slow is close[t] vs mean(close[t-1], close[t]).
        // Falling, then rising: cross up at index 3 (10 < 10.5 → 12 > 11).
        assert_eq!(
            run(&[12, 11, 10, 12, 13], 1, 2, SmaMode::LongShort),
            vec![(3, Intent::Long)]
        );
        // A tie takes neither side: below, tie, above is a cross up on the bar going above...
        assert_eq!(
            run(&[12, 11, 11, 12], 1, 2, SmaMode::LongShort),
            vec![(3, Intent::Long)]
        );
        // ...while above, tie, above is none, and the first defined relation is no cross.
        assert_eq!(run(&[10, 11, 11, 12], 1, 2, SmaMode::LongShort), vec![]);
        assert_eq!(run(&[10, 10, 12], 1, 2, SmaMode::LongShort), vec![]);
    }

    #[test]
    fn long_only_enters_only_when_flat_and_exits_only_when_long() {
        // Falling then rising then falling: a cross up at 3 and a cross down at 4.
        let closes = [12, 11, 10, 12, 11, 10];
        // Flat all along: only the cross up acts (an entry); the cross down has nothing to exit.
        assert_eq!(
            run_holding(&closes, 1, 2, SmaMode::LongOnly, 0),
            vec![(3, Intent::Long)]
        );
        // Long all along: the cross up is ignored (already long); the cross down exits.
        assert_eq!(
            run_holding(&closes, 1, 2, SmaMode::LongOnly, 5),
            vec![(4, Intent::Flat)]
        );
        // Long/short ignores the position: both crosses act.
        assert_eq!(
            run(&closes, 1, 2, SmaMode::LongShort),
            vec![(3, Intent::Long), (4, Intent::Short)]
        );
    }
}
