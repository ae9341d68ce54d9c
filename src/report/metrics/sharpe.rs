//! Sharpe ratio and annualised volatility.
//!
//! Convention (quantstats / empyrical): risk-free rate 0, so excess returns are the
//! returns themselves; `sharpe = mean(r) / std(r, ddof = 1) * sqrt(P)` and
//! `volatility_ann = std(r, ddof = 1) * sqrt(P)`, with `P` the periods per year. The
//! sample standard deviation (ddof 1) is the one those libraries use by default.

use super::finite;
use super::returns::{mean, std_dev};

/// `mean(r) / std(r, ddof = 1) * sqrt(periods_per_year)`, rf = 0.
///
/// `None` with fewer than two returns or a zero (or non-finite) standard deviation: a flat
/// curve has no meaningful Sharpe ratio, and we never report NaN or infinity.
pub fn sharpe(returns: &[f64], periods_per_year: f64) -> Option<f64> {
    let m = mean(returns)?;
    let s = std_dev(returns, 1)?;
    if !(s > 0.0 && s.is_finite()) {
        return None;
    }
    finite(m / s * periods_per_year.sqrt())
}

/// `std(r, ddof = 1) * sqrt(periods_per_year)`. A flat curve has volatility 0 (a real
/// value, unlike its Sharpe ratio); `None` with fewer than two returns.
pub fn volatility_ann(returns: &[f64], periods_per_year: f64) -> Option<f64> {
    finite(std_dev(returns, 1)? * periods_per_year.sqrt())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sharpe_by_hand() {
        // Returns 0.01, -0.01, 0.03: mean 0.01, sample variance (0 + 0.0004 + 0.0004) / 2.
        let r = [0.01, -0.01, 0.03];
        let expected = 0.01 / 0.0004_f64.sqrt() * 4.0; // P = 16, sqrt 4
        assert!((sharpe(&r, 16.0).unwrap() - expected).abs() < 1e-12);
        assert!((volatility_ann(&r, 16.0).unwrap() - 0.08).abs() < 1e-12);
    }

    #[test]
    fn flat_or_short_series_have_no_sharpe() {
        assert_eq!(sharpe(&[0.0, 0.0, 0.0], 252.0), None);
        assert_eq!(sharpe(&[0.01], 252.0), None);
        assert_eq!(sharpe(&[], 252.0), None);
        assert_eq!(volatility_ann(&[0.0, 0.0], 252.0), Some(0.0));
        assert_eq!(volatility_ann(&[0.01], 252.0), None);
        assert_eq!(sharpe(&[f64::NAN, 0.01], 252.0), None);
    }
}
