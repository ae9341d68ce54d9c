//! The `[execution]` section: which algorithm works the engine's orders.

use super::{Bound, Cx, union};
use crate::scenario::config::{ExecutionConfig, Visible};
use crate::scenario::tree::{Kind, Node};

/// Longest duration an algorithm may run: ten years.
const MAX_DURATION_SECS: i64 = 10 * 366 * 86_400;
const MAX_SLICES: i64 = 100_000;

impl Cx {
    pub(super) fn execution(&mut self, path: &str, node: &Node) -> Option<ExecutionConfig> {
        const ALGOS: &[&str] = &["market", "limit_timeout", "split", "twap", "iceberg", "vwap", "pov"];
        const FIELDS: [&[&str]; 7] = [
            &["algo"],
            &["algo", "timeout", "fallback_market"],
            &["algo", "threshold", "max_child"],
            &["algo", "duration", "slices", "limit_offset_bps"],
            &["algo", "visible", "visible_fraction"],
            &["algo", "duration", "slices", "profile_bars"],
            &["algo", "rate", "max_duration"],
        ];
        let t = self.table(path, node)?;
        let Some(algo) = self.optional(t, "algo", |cx, path, node| cx.choice(path, node, ALGOS)) else {
            self.reject_unknown(t, &union(&FIELDS), None);
            return None;
        };
        let algo = algo.unwrap_or(0);
        self.reject_unknown(t, FIELDS[algo], Some(format!("algo = {:?}", ALGOS[algo])));
        let positive = |cx: &mut Cx, path: &str, node: &Node| cx.decimal(path, node, Bound::Positive);
        let slices = |cx: &mut Cx, path: &str, node: &Node| cx.integer_in(path, node, 1, MAX_SLICES);
        match algo {
            0 => Some(ExecutionConfig::Market),
            1 => {
                let timeout = self.required(t, "timeout", Cx::duration_secs);
                let fallback = self.optional(t, "fallback_market", Cx::boolean);
                Some(ExecutionConfig::LimitTimeout {
                    timeout_secs: timeout?,
                    fallback_market: fallback?.unwrap_or(true),
                })
            }
            2 => {
                let threshold = self.required(t, "threshold", positive);
                let max_child = self.required(t, "max_child", positive);
                Some(ExecutionConfig::Split {
                    threshold: threshold?,
                    max_child: max_child?,
                })
            }
            3 => {
                let duration = self.required(t, "duration", Cx::duration_secs);
                let n = self.required(t, "slices", slices);
                let offset = self.optional(t, "limit_offset_bps", |cx, path, node| {
                    cx.decimal(path, node, Bound::Bps)
                });
                Some(ExecutionConfig::Twap {
                    duration_secs: duration?,
                    slices: usize::try_from(n?).ok()?,
                    limit_offset_bps: offset?,
                })
            }
            4 => {
                let qty = self.optional(t, "visible", positive);
                let fraction = self.optional(t, "visible_fraction", |cx, path, node| {
                    cx.decimal(path, node, Bound::Fraction)
                });
                match (qty?, fraction?) {
                    (Some(q), None) => Some(ExecutionConfig::Iceberg {
                        visible: Visible::Qty(q),
                    }),
                    (None, Some(f)) => Some(ExecutionConfig::Iceberg {
                        visible: Visible::Fraction(f),
                    }),
                    _ => {
                        let message = "set exactly one of visible (a quantity) and visible_fraction";
                        self.error(path, t.node.origin, message);
                        None
                    }
                }
            }
            5 => {
                let duration = self.required(t, "duration", Cx::duration_secs);
                let n = self.required(t, "slices", slices);
                let profile = self.optional(t, "profile_bars", |cx, path, node| cx.integer_in(path, node, 1, 10_000));
                Some(ExecutionConfig::Vwap {
                    duration_secs: duration?,
                    slices: usize::try_from(n?).ok()?,
                    profile_bars: profile?.map_or(2_000, |n| n as usize),
                })
            }
            _ => {
                let rate = self.required(t, "rate", |cx, path, node| cx.decimal(path, node, Bound::Fraction));
                let max_duration = self.optional(t, "max_duration", Cx::duration_secs);
                Some(ExecutionConfig::Pov {
                    rate: rate?,
                    max_duration_secs: max_duration?,
                })
            }
        }
    }

    /// A duration: whole seconds, or a string of a whole number and a unit (`"90s"`,
    /// `"30m"`, `"6h"`, `"2d"`), positive and at most ten years.
    fn duration_secs(&mut self, path: &str, node: &Node) -> Option<i64> {
        let expected = "a duration: seconds, or a string like \"90s\", \"30m\", \"6h\", \"2d\"";
        let secs = match &node.kind {
            Kind::Int(i) => Some(*i),
            Kind::Str(s) => parse_duration(s),
            _ => None,
        };
        match secs {
            Some(secs) if secs > 0 && secs <= MAX_DURATION_SECS => Some(secs),
            Some(secs) => {
                self.error(
                    path,
                    node.origin,
                    format!("must be between 1 second and ten years, found {secs} s"),
                );
                None
            }
            None => {
                self.wrong_type(path, node, expected);
                None
            }
        }
    }
}

fn parse_duration(text: &str) -> Option<i64> {
    let text = text.trim();
    let split = text.find(|c: char| !c.is_ascii_digit())?;
    let (number, unit) = text.split_at(split);
    let n: i64 = number.parse().ok()?;
    let scale = match unit.trim() {
        "s" => 1,
        "m" => 60,
        "h" => 3_600,
        "d" => 86_400,
        _ => return None,
    };
    n.checked_mul(scale)
}

#[cfg(test)]
mod tests {
    use super::parse_duration;

    #[test]
    fn durations_take_a_unit() {
        assert_eq!(parse_duration("90s"), Some(90));
        assert_eq!(parse_duration("30m"), Some(1_800));
        assert_eq!(parse_duration("6h"), Some(21_600));
        assert_eq!(parse_duration("2d"), Some(172_800));
        assert_eq!(parse_duration("2 d"), Some(172_800));
        assert_eq!(parse_duration("2w"), None);
        assert_eq!(parse_duration("h"), None);
        assert_eq!(parse_duration("5"), None);
    }
}
