//! Per-period returns of an equity curve, and the careful sums every other statistic
//! builds on.
//!
//! Why simple returns: the reference libraries (quantstats, empyrical, ffn) all start from
//! the per-period simple returns `r_i = e_i / e_{i-1} - 1` of the equity curve, so a curve
//! of `points` values has `N = points - 1` returns. Using the same series is what lets the
//! conformance fixtures agree to 1e-9.
//!
//! Why compensated sums: means and variances are accumulated with Neumaier's compensated
//! summation, and the variance is taken in two passes (mean first, then squared
//! deviations from it), so a long curve does not lose digits to cancellation.

/// Simple per-period returns `e_i / e_{i-1} - 1`; one fewer than the points given.
///
/// A return out of a zero equity is not finite; every statistic built on such a series
/// reports `None` rather than a NaN.
pub fn returns(equity: &[f64]) -> Vec<f64> {
    equity.windows(2).map(|w| w[1] / w[0] - 1.0).collect()
}

/// Total return over the curve: `last / first - 1` (0 for a single point, `None` for an
/// empty curve or a non-positive first value).
pub fn total_return(equity: &[f64]) -> Option<f64> {
    let (first, last) = (*equity.first()?, *equity.last()?);
    if first > 0.0 {
        super::finite(last / first - 1.0)
    } else {
        None
    }
}

/// Sum with Neumaier's compensation: exact to within one rounding for any order of terms
/// that does not overflow.
pub fn compensated_sum(values: impl IntoIterator<Item = f64>) -> f64 {
    let mut sum = 0.0_f64;
    let mut compensation = 0.0_f64;
    for v in values {
        let t = sum + v;
        if sum.abs() >= v.abs() {
            compensation += (sum - t) + v;
        } else {
            compensation += (v - t) + sum;
        }
        sum = t;
    }
    sum + compensation
}

/// Arithmetic mean; `None` when empty.
pub fn mean(values: &[f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    Some(compensated_sum(values.iter().copied()) / values.len() as f64)
}

/// Standard deviation with `ddof` degrees of freedom removed (1: sample, 0: population),
/// in two passes. `None` when there are not more than `ddof` values.
pub fn std_dev(values: &[f64], ddof: usize) -> Option<f64> {
    if values.len() <= ddof {
        return None;
    }
    let m = mean(values)?;
    let squares = compensated_sum(values.iter().map(|v| (v - m) * (v - m)));
    Some((squares / (values.len() - ddof) as f64).sqrt())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn returns_of_a_small_curve() {
        let r = returns(&[100.0, 110.0, 99.0, 99.0]);
        assert_eq!(r.len(), 3);
        assert!((r[0] - 0.1).abs() < 1e-15);
        assert!((r[1] + 0.1).abs() < 1e-15);
        assert_eq!(r[2], 0.0);
        assert!(returns(&[100.0]).is_empty());
        assert!(returns(&[]).is_empty());
    }

    #[test]
    fn total_return_edges() {
        assert!((total_return(&[100.0, 50.0, 150.0]).unwrap() - 0.5).abs() < 1e-15);
        assert_eq!(total_return(&[100.0]), Some(0.0));
        assert_eq!(total_return(&[]), None);
        assert_eq!(total_return(&[0.0, 1.0]), None);
    }

    #[test]
    fn compensated_sum_keeps_small_terms() {
        let values = [1e16, 1.0, -1e16, 1.0];
        assert_eq!(compensated_sum(values), 2.0);
        assert_eq!(values.iter().sum::<f64>(), 1.0, "the naive sum loses a term");
    }

    #[test]
    fn mean_and_std_by_hand() {
        // 2, 4, 4, 4, 5, 5, 7, 9: mean 5, squared deviations sum to 32.
        let v = [2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0];
        assert_eq!(mean(&v), Some(5.0));
        assert_eq!(std_dev(&v, 0), Some(2.0));
        assert!((std_dev(&v, 1).unwrap() - (32.0_f64 / 7.0).sqrt()).abs() < 1e-15);
        assert_eq!(std_dev(&[1.0], 1), None);
        assert_eq!(mean(&[]), None);
    }
}
