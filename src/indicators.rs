//! Per-symbol indicators that sizing models read: the average true range and the
//! volatility of close-to-close returns.
//!
//! Both are fed one bar at a time, once the bar's close is known, and only ever look at
//! bars up to and including the latest one they were fed: a decision on bar t sees bar t
//! and earlier, never later. Each keeps a ring of its last `n` values; the value itself
//! is computed when asked (sizing asks once per entry), so nothing drifts as a running
//! sum would.

use crate::model::Bar;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

/// Average true range over `n` bars: the simple mean (not Wilder's smoothing) of the last
/// `n` true ranges, where a bar's true range is
/// `max(high − low, |high − previous close|, |low − previous close|)`. The first bar has
/// no previous close and gives no true range, so ATR(n) needs `n + 1` bars. Exact decimal
/// arithmetic.
#[derive(Debug, Clone)]
pub struct Atr {
    window: usize,
    /// The last `window` true ranges, as a ring once full.
    ranges: Vec<Decimal>,
    next: usize,
    prev_close: Option<Decimal>,
    bars: usize,
}

impl Atr {
    /// ATR over `window` true ranges (at least 1).
    pub fn new(window: usize) -> Self {
        Atr {
            window: window.max(1),
            ranges: Vec::new(),
            next: 0,
            prev_close: None,
            bars: 0,
        }
    }

    /// Feeds the next bar of the symbol.
    pub fn push(&mut self, bar: &Bar) {
        if let Some(prev) = self.prev_close {
            let range = (bar.high - bar.low)
                .max((bar.high - prev).abs())
                .max((bar.low - prev).abs());
            if self.ranges.len() < self.window {
                self.ranges.push(range);
            } else {
                self.ranges[self.next] = range;
                self.next = (self.next + 1) % self.window;
            }
        }
        self.prev_close = Some(bar.close);
        self.bars += 1;
    }

    /// Number of true ranges averaged.
    pub fn window(&self) -> usize {
        self.window
    }

    /// Bars fed so far.
    pub fn bars(&self) -> usize {
        self.bars
    }

    /// Bars needed before there is a value: `window + 1`.
    pub fn bars_needed(&self) -> usize {
        self.window + 1
    }

    /// The ATR, or `None` until `window + 1` bars were fed.
    pub fn value(&self) -> Option<Decimal> {
        if self.ranges.len() < self.window {
            return None;
        }
        let sum: Decimal = self.ranges.iter().sum();
        Some(sum / Decimal::from(self.window))
    }
}

/// Standard deviation (ddof = 1) of the last `n` close-to-close simple returns
/// `close_t / close_{t−1} − 1`, per bar (not annualised); f64. Needs `n + 1` bars.
#[derive(Debug, Clone)]
pub struct ReturnVolatility {
    window: usize,
    /// The last `window` returns, as a ring once full.
    returns: Vec<f64>,
    next: usize,
    last_close: Option<f64>,
    bars: usize,
}

impl ReturnVolatility {
    /// Volatility over `window` returns (at least 2).
    pub fn new(window: usize) -> Self {
        ReturnVolatility {
            window: window.max(2),
            returns: Vec::new(),
            next: 0,
            last_close: None,
            bars: 0,
        }
    }

    /// Feeds the next close of the symbol.
    pub fn push(&mut self, close: Decimal) {
        let close = close.to_f64().unwrap_or(f64::NAN);
        if let Some(last) = self.last_close {
            let r = close / last - 1.0;
            if self.returns.len() < self.window {
                self.returns.push(r);
            } else {
                self.returns[self.next] = r;
                self.next = (self.next + 1) % self.window;
            }
        }
        self.last_close = Some(close);
        self.bars += 1;
    }

    /// Number of returns the deviation is taken over.
    pub fn window(&self) -> usize {
        self.window
    }

    /// Bars fed so far.
    pub fn bars(&self) -> usize {
        self.bars
    }

    /// Bars needed before there is a value: `window + 1`.
    pub fn bars_needed(&self) -> usize {
        self.window + 1
    }

    /// The per-bar standard deviation, or `None` until `window + 1` bars were fed.
    /// Two passes over the window in time order (mean, then squared deviations).
    pub fn stdev(&self) -> Option<f64> {
        if self.returns.len() < self.window {
            return None;
        }
        // Once the ring wraps, `next` is the oldest slot: from there to the end, then the start.
        let (newest, oldest) = self.returns.split_at(self.next);
        let in_order = || oldest.iter().chain(newest);
        let n = self.window as f64;
        let mean = in_order().sum::<f64>() / n;
        let var = in_order().map(|r| (r - mean) * (r - mean)).sum::<f64>() / (n - 1.0);
        Some(var.sqrt())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Timestamp;
    use rust_decimal::dec;

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
    fn atr_is_the_mean_of_the_last_true_ranges() {
        let mut atr = Atr::new(2);
        // Bar 0 (H 11, L 9, C 10): no previous close, no true range.
        atr.push(&bar(dec!(11), dec!(9), dec!(10)));
        assert_eq!((atr.value(), atr.bars()), (None, 1));
        // Bar 1 gaps up: H 14, L 12, C 13: TR = max(2, |14 − 10|, |12 − 10|) = 4.
        atr.push(&bar(dec!(14), dec!(12), dec!(13)));
        assert_eq!(atr.value(), None, "ATR(2) needs 3 bars");
        // Bar 2 gaps down: H 12, L 10.5, C 11: TR = max(1.5, |12 − 13|, |10.5 − 13|) = 2.5.
        atr.push(&bar(dec!(12), dec!(10.5), dec!(11)));
        assert_eq!(atr.value(), Some(dec!(3.25)), "(4 + 2.5) / 2");
        // Bar 3 inside: H 11.5, L 10, C 11: TR = max(1.5, 0.5, 1) = 1.5; the 4 drops out.
        atr.push(&bar(dec!(11.5), dec!(10), dec!(11)));
        assert_eq!(atr.value(), Some(dec!(2)), "(2.5 + 1.5) / 2");
        // And once more, so the ring wraps: TR = max(1, 1, 0) = 1.
        atr.push(&bar(dec!(12), dec!(11), dec!(12)));
        assert_eq!(atr.value(), Some(dec!(1.25)), "(1.5 + 1) / 2");
        assert_eq!((atr.bars(), atr.bars_needed()), (5, 3));
    }

    #[test]
    fn return_volatility_is_the_sample_deviation_of_the_last_returns() {
        let mut vol = ReturnVolatility::new(3);
        // Closes 100, 110, 99, 108.9: returns +10%, −10%, +10%.
        for close in [dec!(100), dec!(110), dec!(99)] {
            vol.push(close);
            assert_eq!(vol.stdev(), None);
        }
        vol.push(dec!(108.9));
        // Mean 1/30; squared deviations (2/30)², (4/30)², (2/30)² sum to 24/900; / 2.
        let expected = (12.0f64 / 900.0).sqrt();
        assert!((vol.stdev().unwrap() - expected).abs() < 1e-12, "{:?}", vol.stdev());
        // A fourth close at 108.9 (return 0) pushes the first +10% out: −10%, +10%, 0.
        vol.push(dec!(108.9));
        let (a, b, c) = (-0.1f64, 0.1f64, 0.0f64);
        let mean = (a + b + c) / 3.0;
        let expected = (((a - mean).powi(2) + (b - mean).powi(2) + (c - mean).powi(2)) / 2.0).sqrt();
        assert!((vol.stdev().unwrap() - expected).abs() < 1e-12, "{:?}", vol.stdev());
        assert!((expected - 0.1).abs() < 1e-12, "the deviation of -0.1, 0.1, 0 is 0.1");
        assert_eq!((vol.bars(), vol.bars_needed(), vol.window()), (5, 4, 3));
    }
}
