//! Exposure and turnover: how much of the time the strategy was in the market, and how
//! much it traded.
//!
//! - exposure: `bars_in_market / equity points` (share of points with any open position);
//! - turnover: `sum(|fill notional|) / mean(equity)` over the whole run (not annualised):
//!   a strategy that buys and later sells its whole equity once has a turnover of about 2.

use super::finite;
use super::returns::mean;

/// Share of equity points with a non-zero position, in [0, 1]; `None` for an empty curve.
pub fn exposure(bars_in_market: usize, equity_points: usize) -> Option<f64> {
    if equity_points == 0 {
        None
    } else {
        Some(bars_in_market as f64 / equity_points as f64)
    }
}

/// `traded_notional / mean(equity)`; `None` for an empty curve or a non-positive mean.
pub fn turnover(traded_notional: f64, equity: &[f64]) -> Option<f64> {
    let m = mean(equity)?;
    if m > 0.0 { finite(traded_notional / m) } else { None }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exposure_and_turnover_by_hand() {
        assert_eq!(exposure(3, 4), Some(0.75));
        assert_eq!(exposure(0, 0), None);
        assert_eq!(turnover(200.0, &[90.0, 110.0]), Some(2.0));
        assert_eq!(turnover(200.0, &[]), None);
    }
}
