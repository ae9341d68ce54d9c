//! Gap detection. A backtest over data with holes silently trades across them (a stop
//! "fills" at a price the market jumped over), so the summary of every loaded file lists
//! where bars are missing. The expected spacing is the file's median interval; weekends
//! are not gaps for equities and FX, and for intraday equity data neither is the night
//! between two sessions. Gaps are information, not errors: holidays show up honestly as
//! one missing daily bar (or one missing session of intraday bars).

use crate::model::time::{NANOS_PER_DAY, NANOS_PER_SEC};
use crate::model::{Bar, Calendar, Timestamp};
use serde::Serialize;
use std::collections::BTreeMap;

/// Bars missing between two consecutive bars.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Gap {
    /// The last bar before the hole.
    pub after: Timestamp,
    /// The first bar after it.
    pub before: Timestamp,
    /// How many bars of the file's usual interval would fit in the hole.
    pub missing_bars: u64,
}

/// Median spacing of consecutive timestamps in nanoseconds (the mean of the two middle
/// values for an even count); `None` for fewer than two bars.
pub(crate) fn median_interval_ns(bars: &[Bar]) -> Option<f64> {
    if bars.len() < 2 {
        return None;
    }
    let mut steps: Vec<i64> = bars.windows(2).map(|w| step_ns(w[0].ts, w[1].ts)).collect();
    let mid = steps.len() / 2;
    let odd = steps.len() % 2 == 1;
    let (lower, upper, _) = steps.select_nth_unstable(mid);
    let upper = *upper;
    if odd {
        Some(upper as f64)
    } else {
        // Even count: `upper` is the higher middle value; the lower one is the largest below it.
        let below = lower.iter().copied().max().unwrap_or(upper);
        Some((below as f64 + upper as f64) / 2.0)
    }
}

/// 1970-01-03, day 2 of the epoch, was a Saturday; 1970-01-04 a Sunday.
const FIRST_SATURDAY: i64 = 2;
const FIRST_SUNDAY: i64 = 3;

/// How the expected bar count between two timestamps is worked out.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Rule {
    /// Around the clock, every day (crypto; weekly or longer bars).
    Plain,
    /// Around the clock on weekdays: each Saturday the step spans removes 48 hours.
    SkipWeekends,
    /// Intraday equity: sessions open and close at the usual times on weekdays.
    Sessions {
        open_ns: i64,
        close_ns: i64,
        bars_per_session: u64,
    },
}

/// Finds the gaps in strictly increasing bars, given the calendar they trade on.
pub fn detect_gaps(bars: &[Bar], calendar: Calendar) -> Vec<Gap> {
    let Some(median) = median_interval_ns(bars) else {
        return Vec::new();
    };
    if median <= 0.0 {
        return Vec::new();
    }
    let rule = choose_rule(bars, median, calendar);
    let mut gaps = Vec::new();
    for w in bars.windows(2) {
        let (a, b) = (w[0].ts, w[1].ts);
        let step = step_ns(a, b);
        if (step as f64) < median * 1.5 {
            continue;
        }
        let missing = match rule {
            Rule::Plain => bars_in(step, median),
            Rule::SkipWeekends => {
                let weekend = 2 * NANOS_PER_DAY * count_days(a, b, FIRST_SATURDAY);
                bars_in((step - weekend).max(0), median)
            }
            Rule::Sessions {
                open_ns,
                close_ns,
                bars_per_session,
            } => {
                if a.day_index() == b.day_index() {
                    bars_in(step, median)
                } else {
                    let tod = |t: Timestamp| t.0.rem_euclid(NANOS_PER_DAY);
                    let after_a = ((close_ns - tod(a)) as f64 / median).round().max(0.0) as u64;
                    let before_b = ((tod(b) - open_ns) as f64 / median).round().max(0.0) as u64;
                    let between = weekdays_strictly_between(a.day_index(), b.day_index());
                    after_a + before_b + between * bars_per_session
                }
            }
        };
        if missing > 0 {
            gaps.push(Gap {
                after: a,
                before: b,
                missing_bars: missing,
            });
        }
    }
    gaps
}

/// Nanoseconds from `a` to `b`, saturating: two timestamps more than about 292 years
/// apart differ by more than an `i64` holds.
fn step_ns(a: Timestamp, b: Timestamp) -> i64 {
    b.0.saturating_sub(a.0)
}

/// Whole bars missing in a step of `step` ns at `median` ns per bar.
fn bars_in(step: i64, median: f64) -> u64 {
    ((step as f64 / median).round() - 1.0).max(0.0) as u64
}

fn choose_rule(bars: &[Bar], median: f64, calendar: Calendar) -> Rule {
    // Weekly or longer bars do not see weekends.
    if median >= 5.0 * NANOS_PER_DAY as f64 {
        return Rule::Plain;
    }
    match calendar {
        Calendar::Crypto => Rule::Plain,
        Calendar::Fx => Rule::SkipWeekends,
        Calendar::Equity if median >= 0.8 * NANOS_PER_DAY as f64 => Rule::SkipWeekends,
        Calendar::Equity => session_rule(bars, median),
    }
}

/// Learns the usual session from the data: the most common time of day of each date's
/// first bar, and of each date's last bar.
fn session_rule(bars: &[Bar], median: f64) -> Rule {
    let mut opens: BTreeMap<i64, u64> = BTreeMap::new();
    let mut closes: BTreeMap<i64, u64> = BTreeMap::new();
    let tod = |t: Timestamp| t.0.rem_euclid(NANOS_PER_DAY);
    let mut i = 0;
    while i < bars.len() {
        let day = bars[i].ts.day_index();
        let mut j = i;
        while j + 1 < bars.len() && bars[j + 1].ts.day_index() == day {
            j += 1;
        }
        *opens.entry(tod(bars[i].ts)).or_default() += 1;
        *closes.entry(tod(bars[j].ts)).or_default() += 1;
        i = j + 1;
    }
    // Ties: the earliest open and the latest close, the widest usual session.
    let open_ns = mode(opens.iter().map(|(&t, &n)| (t, n)));
    let close_ns = mode(closes.iter().rev().map(|(&t, &n)| (t, n)));
    let bars_per_session = (((close_ns - open_ns).max(0) as f64 / median).round() as u64) + 1;
    Rule::Sessions {
        open_ns,
        close_ns,
        bars_per_session,
    }
}

/// The value with the highest count; the first one seen wins ties.
fn mode(counts: impl Iterator<Item = (i64, u64)>) -> i64 {
    let mut best = (0, 0);
    for (value, n) in counts {
        if n > best.1 {
            best = (value, n);
        }
    }
    best.0
}

/// How many days of the week starting at epoch day `weekday` (a Saturday or a Sunday)
/// overlap the open interval (a, b).
fn count_days(a: Timestamp, b: Timestamp, weekday: i64) -> i64 {
    let first = a.day_index();
    // The last day the open interval touches: b's day, unless b is its midnight.
    let last = (b.0 - 1).div_euclid(NANOS_PER_DAY);
    count_weekday_in(first, last, weekday)
}

/// Days in `first..=last` (epoch day numbers) falling on the weekday of epoch day `weekday`.
fn count_weekday_in(first: i64, last: i64, weekday: i64) -> i64 {
    if last < first {
        return 0;
    }
    let upto = |d: i64| (d - weekday).div_euclid(7);
    upto(last) - upto(first - 1)
}

fn weekdays_strictly_between(a_day: i64, b_day: i64) -> u64 {
    let (first, last) = (a_day + 1, b_day - 1);
    if last < first {
        return 0;
    }
    let all = last - first + 1;
    let weekend = count_weekday_in(first, last, FIRST_SATURDAY) + count_weekday_in(first, last, FIRST_SUNDAY);
    (all - weekend) as u64
}

/// Seconds, for the summary.
pub(crate) fn ns_to_secs(ns: f64) -> f64 {
    ns / NANOS_PER_SEC as f64
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::Decimal;

    fn bar_at(text: &str) -> Bar {
        let ts = Timestamp::parse_iso(text).unwrap();
        Bar {
            ts,
            open: Decimal::ONE,
            high: Decimal::ONE,
            low: Decimal::ONE,
            close: Decimal::ONE,
            volume: Decimal::ONE,
        }
    }

    #[test]
    fn weekday_arithmetic() {
        let day = |s: &str| Timestamp::parse_iso(s).unwrap().day_index();
        // 2024-03-02 was a Saturday, 2024-03-03 a Sunday.
        assert_eq!(
            count_weekday_in(day("2024-03-02"), day("2024-03-02"), FIRST_SATURDAY),
            1
        );
        assert_eq!(
            count_weekday_in(day("2024-03-03"), day("2024-03-08"), FIRST_SATURDAY),
            0
        );
        // Sundays 3, 10 and 17 March.
        assert_eq!(count_weekday_in(day("2024-03-01"), day("2024-03-17"), FIRST_SUNDAY), 3);
        assert_eq!(weekdays_strictly_between(day("2024-03-01"), day("2024-03-04")), 0);
        assert_eq!(weekdays_strictly_between(day("2024-03-01"), day("2024-03-06")), 2);
        assert_eq!(weekdays_strictly_between(day("2024-03-04"), day("2024-03-05")), 0);
    }

    #[test]
    fn steps_across_the_whole_range_do_not_overflow() {
        // Centuries apart (weekly-or-longer rule), and hourly bars with one jump across
        // the whole range (weekend and session rules).
        let yearly = ["1677-09-22", "1700-01-01", "2200-01-01", "2262-04-11"];
        let hourly = [
            "1677-09-22T09:00:00",
            "1677-09-22T10:00:00",
            "1677-09-22T11:00:00",
            "2262-04-10T09:00:00",
            "2262-04-10T10:00:00",
        ];
        for stamps in [&yearly[..], &hourly[..]] {
            let bars: Vec<Bar> = stamps.iter().map(|s| bar_at(s)).collect();
            let median = median_interval_ns(&bars).unwrap();
            assert!(median > 0.0 && median <= i64::MAX as f64, "{median}");
            for calendar in [Calendar::Crypto, Calendar::Fx, Calendar::Equity] {
                let gaps = detect_gaps(&bars, calendar);
                assert_eq!(gaps.len(), 1, "{stamps:?} {calendar:?}: {gaps:?}");
                assert!(gaps[0].missing_bars > 0, "{gaps:?}");
            }
        }
    }

    #[test]
    fn median_of_odd_and_even_counts() {
        let bars: Vec<Bar> = ["2024-01-01", "2024-01-02", "2024-01-04"]
            .iter()
            .map(|s| bar_at(s))
            .collect();
        // Steps 1d and 2d: the median is their mean.
        assert_eq!(median_interval_ns(&bars), Some(1.5 * NANOS_PER_DAY as f64));
        let bars: Vec<Bar> = ["2024-01-01", "2024-01-02", "2024-01-03", "2024-01-10"]
            .iter()
            .map(|s| bar_at(s))
            .collect();
        assert_eq!(median_interval_ns(&bars), Some(NANOS_PER_DAY as f64));
        assert_eq!(median_interval_ns(&bars[..1]), None);
    }
}
