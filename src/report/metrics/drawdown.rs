//! Drawdowns: how far the curve is below its running peak, the deepest such fall, and how
//! long the curve stays under water.
//!
//! Convention (quantstats / empyrical): the running peak includes the curve's first point,
//! i.e. wealth is anchored at 1.0 before the first return, so a curve that falls from the
//! very start has a drawdown from its starting equity. Drawdowns are negative fractions
//! (`-0.25` is a 25% fall): `dd_i = e_i / max(e_0..=e_i) - 1`.
//!
//! A drawdown spell starts at a peak (the last point at the running maximum before the
//! curve drops below it) and ends at the first later point at or above that peak
//! (recovery), or at the last point if the curve never recovers. Its duration is counted
//! in bars (points from peak to end) and in calendar days between those points' timestamps.

use crate::model::Timestamp;

/// `e_i / running_peak_i - 1` for every point (0 at new highs). A non-positive peak (a
/// curve that starts at or below zero) has no meaningful drawdown and gives 0.
pub fn drawdown_series(equity: &[f64]) -> Vec<f64> {
    let mut peak = f64::NEG_INFINITY;
    equity
        .iter()
        .map(|&e| {
            peak = peak.max(e);
            if peak > 0.0 { e / peak - 1.0 } else { 0.0 }
        })
        .collect()
}

/// The deepest drawdown, as a negative fraction (0 for a curve that never falls or is empty).
pub fn max_drawdown(equity: &[f64]) -> f64 {
    drawdown_series(equity).into_iter().fold(0.0, f64::min)
}

/// One period under water.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DrawdownSpell {
    /// Index of the peak the curve fell from.
    pub peak: usize,
    /// Index of the lowest point of the spell.
    pub trough: usize,
    /// Index of the recovery point, or the last index if the curve never recovered.
    pub end: usize,
    pub recovered: bool,
    /// Depth at the trough, as a negative fraction.
    pub depth: f64,
}

impl DrawdownSpell {
    /// Bars from the peak to the recovery (or the end).
    pub fn bars(&self) -> usize {
        self.end - self.peak
    }
}

/// Every drawdown spell of the curve, in time order.
pub fn drawdown_spells(equity: &[f64]) -> Vec<DrawdownSpell> {
    let mut spells = Vec::new();
    let Some(&first) = equity.first() else {
        return spells;
    };
    let (mut peak_idx, mut peak) = (0, first);
    let mut open: Option<DrawdownSpell> = None;
    for (i, &e) in equity.iter().enumerate().skip(1) {
        match open.as_mut() {
            Some(spell) if e >= peak => {
                spell.end = i;
                spell.recovered = true;
                spells.push(*spell);
                open = None;
                (peak_idx, peak) = (i, e);
            }
            Some(spell) => {
                let depth = if peak > 0.0 { e / peak - 1.0 } else { 0.0 };
                if depth < spell.depth {
                    spell.depth = depth;
                    spell.trough = i;
                }
            }
            None if e >= peak => (peak_idx, peak) = (i, e),
            None => {
                let depth = if peak > 0.0 { e / peak - 1.0 } else { 0.0 };
                open = Some(DrawdownSpell {
                    peak: peak_idx,
                    trough: i,
                    end: i,
                    recovered: false,
                    depth,
                });
            }
        }
    }
    if let Some(mut spell) = open {
        spell.end = equity.len() - 1;
        spells.push(spell);
    }
    spells
}

/// Longest spell under water, in bars (0 if the curve never falls).
pub fn max_drawdown_duration_bars(equity: &[f64]) -> usize {
    drawdown_spells(equity)
        .iter()
        .map(DrawdownSpell::bars)
        .max()
        .unwrap_or(0)
}

/// Longest spell under water, in calendar days between the peak's and the end's
/// timestamps (`ts` holds one timestamp per equity point). Taken over spells on its own,
/// so it may be a different spell from the longest in bars (weekends, data gaps).
pub fn max_drawdown_duration_days(equity: &[f64], ts: &[Timestamp]) -> f64 {
    debug_assert_eq!(equity.len(), ts.len(), "one timestamp per equity point");
    drawdown_spells(equity)
        .iter()
        .filter(|s| s.end < ts.len())
        .map(|s| ts[s.end].secs_since(ts[s.peak]) / 86_400.0)
        .fold(0.0, f64::max)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::time::NANOS_PER_DAY;

    const CURVE: [f64; 8] = [100.0, 110.0, 99.0, 105.0, 110.0, 120.0, 90.0, 100.0];

    #[test]
    fn series_and_max_by_hand() {
        let dd = drawdown_series(&CURVE);
        assert_eq!(dd[0], 0.0);
        assert_eq!(dd[1], 0.0);
        assert!((dd[2] - (99.0 / 110.0 - 1.0)).abs() < 1e-15);
        assert_eq!(dd[4], 0.0);
        assert_eq!(max_drawdown(&CURVE), -0.25);
        assert_eq!(max_drawdown(&[]), 0.0);
        assert_eq!(max_drawdown(&[100.0, 101.0]), 0.0);
    }

    #[test]
    fn anchored_at_the_first_point() {
        // Falls from the start: the drawdown counts from the starting equity.
        assert!((max_drawdown(&[100.0, 80.0, 90.0]) + 0.2).abs() < 1e-15);
        assert_eq!(max_drawdown_duration_bars(&[100.0, 80.0, 90.0]), 2);
    }

    #[test]
    fn spells_by_hand() {
        let spells = drawdown_spells(&CURVE);
        assert_eq!(spells.len(), 2);
        assert_eq!(
            (spells[0].peak, spells[0].trough, spells[0].end, spells[0].recovered),
            (1, 2, 4, true)
        );
        assert_eq!(
            (spells[1].peak, spells[1].trough, spells[1].end, spells[1].recovered),
            (5, 6, 7, false)
        );
        assert_eq!(spells[1].depth, -0.25);
        assert_eq!(max_drawdown_duration_bars(&CURVE), 3);
    }

    #[test]
    fn duration_in_days_uses_timestamps() {
        // Daily points, but a 10-day gap inside the second (shorter in bars) spell.
        let days = [0, 1, 2, 3, 4, 5, 6, 16];
        let ts: Vec<Timestamp> = days.iter().map(|d| Timestamp(d * NANOS_PER_DAY)).collect();
        assert_eq!(max_drawdown_duration_days(&CURVE, &ts), 11.0);
        assert_eq!(max_drawdown_duration_days(&[1.0, 2.0], &ts[..2]), 0.0);
    }
}
