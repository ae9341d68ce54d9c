//! `slipstream data check FILE`: a whole-file health report. Where the engine stops at
//! the first bad row, a user cleaning a file wants every problem at once, with the shape
//! of the good data (range, interval, gaps) alongside; this module holds that report and
//! its plain-text rendering.

use super::error::DataError;
use super::summary::DataSummary;
use std::fmt::Write;

/// How many errors and gaps [`CheckReport::render`] lists before summarising the rest.
const MAX_ERRORS_SHOWN: usize = 50;
const MAX_GAPS_SHOWN: usize = 5;

/// Everything `data check` found in one file.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckReport {
    /// Summary of the rows that passed validation.
    pub summary: DataSummary,
    /// Every row error, in file order.
    pub errors: Vec<DataError>,
}

impl CheckReport {
    pub fn is_ok(&self) -> bool {
        self.errors.is_empty()
    }

    /// A human-readable report: file facts, interval, the largest gaps, then the errors.
    pub fn render(&self) -> String {
        let s = &self.summary;
        let mut out = String::new();
        let opt = |t: Option<crate::model::Timestamp>| t.map_or_else(|| "-".to_string(), |t| t.to_string());
        // Writing to a String cannot fail.
        let _ = writeln!(out, "file:     {}", s.path.display());
        let _ = writeln!(out, "sha256:   {}", s.sha256);
        let _ = writeln!(out, "rows:     {} valid", s.rows);
        let _ = writeln!(out, "first:    {}", opt(s.first_ts));
        let _ = writeln!(out, "last:     {}", opt(s.last_ts));
        let _ = writeln!(out, "interval: {}", describe_interval(s.bar_interval_secs));
        let missing: u64 = s.gaps.iter().map(|g| g.missing_bars).sum();
        if s.gaps.is_empty() {
            let _ = writeln!(out, "gaps:     none");
        } else {
            let _ = writeln!(out, "gaps:     {} ({} missing bars in all)", s.gaps.len(), missing);
            let mut largest: Vec<_> = s.gaps.iter().collect();
            // Largest first; ties in file order.
            largest.sort_by(|a, b| b.missing_bars.cmp(&a.missing_bars).then(a.after.cmp(&b.after)));
            let indent = if s.gaps.len() > MAX_GAPS_SHOWN {
                let _ = writeln!(out, "  largest {MAX_GAPS_SHOWN}:");
                "    "
            } else {
                "  "
            };
            for g in largest.iter().take(MAX_GAPS_SHOWN) {
                let _ = writeln!(out, "{indent}{} -> {}: {} missing", g.after, g.before, g.missing_bars);
            }
        }
        if self.errors.is_empty() {
            let _ = writeln!(out, "errors:   none");
        } else {
            let _ = writeln!(out, "errors:   {}", self.errors.len());
            for e in self.errors.iter().take(MAX_ERRORS_SHOWN) {
                let _ = writeln!(out, "  {e}");
            }
            if self.errors.len() > MAX_ERRORS_SHOWN {
                let _ = writeln!(out, "  ... and {} more", self.errors.len() - MAX_ERRORS_SHOWN);
            }
        }
        out
    }
}

/// `86400` → `86400 s (1 day, median)`; `90` → `90 s (median)`.
fn describe_interval(secs: f64) -> String {
    if secs <= 0.0 {
        return "- (fewer than 2 bars)".to_string();
    }
    let units = [(86_400.0, "day"), (3_600.0, "hour"), (60.0, "minute")];
    for (size, name) in units {
        let n = secs / size;
        if secs >= size && n.fract() == 0.0 {
            let plural = if n == 1.0 { "" } else { "s" };
            return format!("{secs} s ({n} {name}{plural}, median)");
        }
    }
    format!("{secs} s (median)")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::Gap;
    use crate::model::Timestamp;
    use std::path::{Path, PathBuf};

    fn report(errors: usize, gaps: usize) -> CheckReport {
        let day = 86_400 * 1_000_000_000;
        CheckReport {
            summary: DataSummary {
                path: PathBuf::from("x.csv"),
                sha256: "ab".repeat(32),
                rows: 10,
                first_ts: Some(Timestamp(0)),
                last_ts: Some(Timestamp(9 * day)),
                bar_interval_secs: 86_400.0,
                gaps: (0..gaps as i64)
                    .map(|i| Gap {
                        after: Timestamp(i * day),
                        before: Timestamp((i + 3) * day),
                        missing_bars: i as u64,
                    })
                    .collect(),
            },
            errors: (0..errors)
                .map(|i| {
                    DataError::new(Path::new("x.csv"), "bad")
                        .at_line(i as u64 + 2)
                        .with_field("high")
                })
                .collect(),
        }
    }

    #[test]
    fn render_caps_errors_and_gaps() {
        let text = report(60, 8).render();
        assert!(text.contains("rows:     10 valid"), "{text}");
        assert!(text.contains("interval: 86400 s (1 day, median)"), "{text}");
        assert!(text.contains("gaps:     8 (28 missing bars in all)"), "{text}");
        // Largest first: 7, 6, 5, 4, 3 missing; 2 is not shown.
        assert!(
            text.contains("1970-01-08T00:00:00 -> 1970-01-11T00:00:00: 7 missing"),
            "{text}"
        );
        assert!(!text.contains(": 2 missing"), "{text}");
        assert!(text.contains("errors:   60"), "{text}");
        assert!(text.contains("x.csv:51: high: bad"), "{text}");
        assert!(!text.contains("x.csv:52: high: bad"), "{text}");
        assert!(text.contains("... and 10 more"), "{text}");
    }

    #[test]
    fn render_clean_file() {
        let text = report(0, 0).render();
        assert!(text.contains("gaps:     none"), "{text}");
        assert!(text.contains("errors:   none"), "{text}");
        assert_eq!(describe_interval(7200.0), "7200 s (2 hours, median)");
        assert_eq!(describe_interval(90.0), "90 s (median)");
        assert_eq!(describe_interval(0.0), "- (fewer than 2 bars)");
    }
}
