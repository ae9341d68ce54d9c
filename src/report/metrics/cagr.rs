//! Compound annual growth rate, two ways, and the Calmar ratio.
//!
//! By period count (quantstats / empyrical): the curve's `N` returns are taken to span
//! `N / P` years, so `cagr_by_count = (final / initial)^(P / N) - 1`.
//! By calendar (ffn): years are the elapsed time between the first and last timestamps,
//! `(last_ts - first_ts)` in seconds over `365.25 * 86400`, and
//! `cagr_by_calendar = (final / initial)^(1 / years) - 1`.
//! The two differ when the bars do not cover exactly `P` periods a year (holidays, gaps).
//!
//! Calmar (quantstats / empyrical): `cagr_by_count / |max_drawdown|`.

use super::finite;

/// Seconds in a calendar year of 365.25 days.
pub const SECS_PER_YEAR: f64 = 365.25 * 86_400.0;

/// `(final / initial)^(P / N) - 1` with `N = equity.len() - 1`. `None` with fewer than two
/// points, a non-positive initial value, or a final value below zero.
pub fn cagr_by_count(equity: &[f64], periods_per_year: f64) -> Option<f64> {
    let n = equity.len().checked_sub(1).filter(|n| *n > 0)?;
    let (first, last) = (equity[0], equity[n]);
    growth(first, last, periods_per_year / n as f64)
}

/// `(last / first)^(1 / years) - 1` with `years = secs / (365.25 * 86400)`. `None` when no
/// time elapsed, the initial value is not positive, or the final value is below zero.
pub fn cagr_by_calendar(first: f64, last: f64, secs: f64) -> Option<f64> {
    let years = secs / SECS_PER_YEAR;
    if years.is_nan() || years <= 0.0 {
        return None;
    }
    growth(first, last, 1.0 / years)
}

fn growth(first: f64, last: f64, exponent: f64) -> Option<f64> {
    if first.is_nan() || first <= 0.0 || last < 0.0 {
        return None;
    }
    finite((last / first).powf(exponent) - 1.0)
}

/// `cagr / |max_drawdown|`; `None` when either is missing or the curve never fell.
pub fn calmar(cagr: Option<f64>, max_drawdown: f64) -> Option<f64> {
    if max_drawdown < 0.0 {
        finite(cagr? / max_drawdown.abs())
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cagr_by_count_by_hand() {
        // 4 returns at 2 periods a year = 2 years; 100 -> 121 is 10% a year.
        let e = [100.0, 105.0, 98.0, 115.0, 121.0];
        assert!((cagr_by_count(&e, 2.0).unwrap() - 0.1).abs() < 1e-12);
        assert_eq!(cagr_by_count(&[100.0], 252.0), None);
        assert_eq!(cagr_by_count(&[0.0, 1.0], 252.0), None);
        assert_eq!(cagr_by_count(&[100.0, 0.0], 1.0), Some(-1.0));
    }

    #[test]
    fn cagr_by_calendar_by_hand() {
        let two_years = 2.0 * SECS_PER_YEAR;
        assert!((cagr_by_calendar(100.0, 121.0, two_years).unwrap() - 0.1).abs() < 1e-12);
        assert_eq!(cagr_by_calendar(100.0, 121.0, 0.0), None);
        assert_eq!(cagr_by_calendar(100.0, -1.0, two_years), None);
    }

    #[test]
    fn calmar_by_hand() {
        assert_eq!(calmar(Some(0.1), -0.25), Some(0.4));
        assert_eq!(calmar(Some(-0.1), -0.5), Some(-0.2));
        assert_eq!(calmar(Some(0.1), 0.0), None);
        assert_eq!(calmar(None, -0.2), None);
    }
}
