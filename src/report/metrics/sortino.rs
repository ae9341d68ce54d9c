//! Sortino ratio.
//!
//! Convention (quantstats): risk-free rate and target 0; the downside deviation is the
//! root mean square of `min(r, 0)` taken over **all** `N` returns (not only the negative
//! ones), and `sortino = mean(r) / downside_deviation * sqrt(P)`.

use super::finite;
use super::returns::{compensated_sum, mean};

/// `sqrt(sum(min(r, 0)^2) / N)`; `None` for an empty series.
pub fn downside_deviation(returns: &[f64]) -> Option<f64> {
    if returns.is_empty() {
        return None;
    }
    let squares = compensated_sum(returns.iter().map(|r| r.min(0.0) * r.min(0.0)));
    Some((squares / returns.len() as f64).sqrt())
}

/// `mean(r) / downside_deviation(r) * sqrt(periods_per_year)`; `None` when no return is
/// negative (no downside: the ratio is unbounded, and we never report infinity).
pub fn sortino(returns: &[f64], periods_per_year: f64) -> Option<f64> {
    let m = mean(returns)?;
    let dd = downside_deviation(returns)?;
    if !(dd > 0.0 && dd.is_finite()) {
        return None;
    }
    finite(m / dd * periods_per_year.sqrt())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sortino_by_hand() {
        // Returns 0.02, -0.01, 0.03, -0.02: mean 0.005; downside squares 0.0001 + 0.0004
        // over all 4 returns -> dd = sqrt(0.000125).
        let r = [0.02, -0.01, 0.03, -0.02];
        let dd = 0.000125_f64.sqrt();
        assert!((downside_deviation(&r).unwrap() - dd).abs() < 1e-15);
        assert!((sortino(&r, 4.0).unwrap() - 0.005 / dd * 2.0).abs() < 1e-12);
    }

    #[test]
    fn no_downside_means_none() {
        assert_eq!(sortino(&[0.01, 0.0, 0.02], 252.0), None);
        assert_eq!(sortino(&[], 252.0), None);
        assert_eq!(downside_deviation(&[0.01]), Some(0.0));
    }
}
