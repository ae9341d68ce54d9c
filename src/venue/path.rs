//! The intrabar price path and the fill rules that walk it.
//!
//! A bar only tells us four prices, not their order. We assume the price moved along
//! straight segments between them: open first, then both extremes, then the close. With
//! [`IntrabarPath::OpenHighLowClose`] the high comes first; with
//! [`IntrabarPath::Adaptive`] the extreme nearer the open comes first (ties: high). The
//! path decides where a stop triggers and whether a stop-limit can still fill after it.
//!
//! Rules (buy side; sells mirror them):
//! - market: the open.
//! - limit at L: the open if the open is at or below L (the order was already
//!   marketable); otherwise L, if the path later trades *through* L (strictly below it).
//!   Touching L exactly is not a fill: a resting order would be at the back of the queue.
//! - stop at S: the open if the open is at or above S (a gap through the stop fills at
//!   the open, not at S); otherwise S, if the path reaches S.
//! - stop-limit (S, L): triggers as a stop; from the trigger point on, works as a limit
//!   at L on the rest of the path.
//!
//! Every price produced here lies within the bar's low..high.

use crate::model::{Bar, OrderKind, Side};
use crate::scenario::IntrabarPath;
use rust_decimal::Decimal;

/// The four path points of a bar, in visiting order.
pub fn path_points(bar: &Bar, mode: IntrabarPath) -> [Decimal; 4] {
    let high_first = match mode {
        IntrabarPath::OpenHighLowClose => true,
        IntrabarPath::Adaptive => bar.high - bar.open <= bar.open - bar.low,
    };
    if high_first {
        [bar.open, bar.high, bar.low, bar.close]
    } else {
        [bar.open, bar.low, bar.high, bar.close]
    }
}

/// A fill price before slippage, and whether the order provided liquidity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PathFill {
    pub px: Decimal,
    /// True when the order rested and was traded through (a maker fill).
    pub resting: bool,
    /// True when a stop(-limit) triggered on this bar.
    pub triggered: bool,
}

/// Where the path stands after an event: the price there and the points still ahead.
#[derive(Clone, Copy)]
struct PathPos<'a> {
    px: Decimal,
    ahead: &'a [Decimal],
}

/// First point at which the path is at or beyond `level` in the adverse direction for a
/// stop (`Buy`: at or above; `Sell`: at or below).
fn reach(path: &[Decimal; 4], side: Side, level: Decimal) -> Option<PathPos<'_>> {
    let beyond = |p: Decimal| match side {
        Side::Buy => p >= level,
        Side::Sell => p <= level,
    };
    if beyond(path[0]) {
        return Some(PathPos {
            px: path[0],
            ahead: &path[1..],
        });
    }
    (1..path.len()).find(|&k| beyond(path[k])).map(|k| PathPos {
        px: level,
        ahead: &path[k..],
    })
}

/// A limit order working from `pos`: fills at the current price if it is already at or
/// better than the limit, else at the limit if the rest of the path trades through it.
fn limit_from(pos: PathPos<'_>, side: Side, limit: Decimal) -> Option<(Decimal, bool)> {
    let (marketable, through) = match side {
        Side::Buy => (pos.px <= limit, pos.ahead.iter().any(|p| *p < limit)),
        Side::Sell => (pos.px >= limit, pos.ahead.iter().any(|p| *p > limit)),
    };
    if marketable {
        Some((pos.px, false))
    } else if through {
        Some((limit, true))
    } else {
        None
    }
}

/// Decides whether an order fills in `bar` and at what price (before slippage).
/// `already_triggered` is true for a stop-limit triggered on an earlier bar.
pub fn match_order(
    bar: &Bar,
    mode: IntrabarPath,
    side: Side,
    kind: &OrderKind,
    already_triggered: bool,
) -> MatchOutcome {
    let path = path_points(bar, mode);
    let start = PathPos {
        px: path[0],
        ahead: &path[1..],
    };
    let outcome = match *kind {
        OrderKind::Market => MatchOutcome::Fill(PathFill {
            px: bar.open,
            resting: false,
            triggered: false,
        }),
        OrderKind::Limit { limit_px } => match limit_from(start, side, limit_px) {
            Some((px, resting)) => MatchOutcome::Fill(PathFill {
                px,
                resting,
                triggered: false,
            }),
            None => MatchOutcome::NoFill,
        },
        OrderKind::Stop { stop_px } => match reach(&path, side, stop_px) {
            Some(pos) => MatchOutcome::Fill(PathFill {
                px: pos.px,
                resting: false,
                triggered: true,
            }),
            None => MatchOutcome::NoFill,
        },
        OrderKind::StopLimit { stop_px, limit_px } => {
            let trigger = if already_triggered {
                Some(start)
            } else {
                reach(&path, side, stop_px)
            };
            match trigger {
                None => MatchOutcome::NoFill,
                Some(pos) => match limit_from(pos, side, limit_px) {
                    Some((px, resting)) => MatchOutcome::Fill(PathFill {
                        px,
                        resting: resting || already_triggered,
                        triggered: true,
                    }),
                    None if already_triggered => MatchOutcome::NoFill,
                    None => MatchOutcome::TriggeredOnly,
                },
            }
        }
    };
    if let MatchOutcome::Fill(fill) = outcome {
        debug_assert!(
            bar.contains(fill.px),
            "fill price {} outside bar {}..{}",
            fill.px,
            bar.low,
            bar.high
        );
    }
    outcome
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MatchOutcome {
    Fill(PathFill),
    /// A stop-limit whose stop was reached but whose limit did not fill on this bar.
    TriggeredOnly,
    NoFill,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Timestamp;
    use rust_decimal::dec;

    fn bar(o: Decimal, h: Decimal, l: Decimal, c: Decimal) -> Bar {
        Bar {
            ts: Timestamp(0),
            open: o,
            high: h,
            low: l,
            close: c,
            volume: dec!(1000),
        }
    }

    fn px(outcome: MatchOutcome) -> Option<Decimal> {
        match outcome {
            MatchOutcome::Fill(f) => Some(f.px),
            _ => None,
        }
    }

    const P: IntrabarPath = IntrabarPath::OpenHighLowClose;

    #[test]
    fn market_fills_at_open() {
        let b = bar(dec!(10), dec!(12), dec!(9), dec!(11));
        assert_eq!(
            px(match_order(&b, P, Side::Buy, &OrderKind::Market, false)),
            Some(dec!(10))
        );
    }

    #[test]
    fn limit_buy_fills_at_open_when_open_is_better_and_needs_a_trade_through() {
        let b = bar(dec!(10), dec!(12), dec!(9), dec!(11));
        let at = |l| px(match_order(&b, P, Side::Buy, &OrderKind::Limit { limit_px: l }, false));
        assert_eq!(at(dec!(10.5)), Some(dec!(10)));
        assert_eq!(at(dec!(9.5)), Some(dec!(9.5)));
        assert_eq!(at(dec!(9)), None, "touching the low is not a trade through");
        assert_eq!(at(dec!(8)), None);
    }

    #[test]
    fn limit_sell_mirrors() {
        let b = bar(dec!(10), dec!(12), dec!(9), dec!(11));
        let at = |l| px(match_order(&b, P, Side::Sell, &OrderKind::Limit { limit_px: l }, false));
        assert_eq!(at(dec!(9.5)), Some(dec!(10)));
        assert_eq!(at(dec!(11.5)), Some(dec!(11.5)));
        assert_eq!(at(dec!(12)), None);
    }

    #[test]
    fn stops_trigger_on_the_range_and_gap_to_the_open() {
        let b = bar(dec!(10), dec!(12), dec!(9), dec!(11));
        let buy = |s| px(match_order(&b, P, Side::Buy, &OrderKind::Stop { stop_px: s }, false));
        assert_eq!(buy(dec!(11)), Some(dec!(11)));
        assert_eq!(
            buy(dec!(9.5)),
            Some(dec!(10)),
            "already through at the open: fills at the open"
        );
        assert_eq!(buy(dec!(12.5)), None);
        let sell = |s| px(match_order(&b, P, Side::Sell, &OrderKind::Stop { stop_px: s }, false));
        assert_eq!(sell(dec!(9.5)), Some(dec!(9.5)));
        assert_eq!(sell(dec!(10.5)), Some(dec!(10)));
        assert_eq!(sell(dec!(8)), None);
    }

    #[test]
    fn stop_limit_depends_on_the_path_order() {
        // Sell stop at 9.5 with limit 10.5: triggers on the way down to 9; only a path that
        // comes back above 10.5 afterwards can fill it.
        let b = bar(dec!(10), dec!(12), dec!(9), dec!(11));
        let kind = OrderKind::StopLimit {
            stop_px: dec!(9.5),
            limit_px: dec!(10.5),
        };
        // O→H→L→C: after the low the path only goes to the close (11): through 10.5.
        assert_eq!(px(match_order(&b, P, Side::Sell, &kind, false)), Some(dec!(10.5)));
        let b2 = bar(dec!(10), dec!(12), dec!(9), dec!(10.2));
        assert_eq!(
            match_order(&b2, P, Side::Sell, &kind, false),
            MatchOutcome::TriggeredOnly
        );
        // Adaptive visits the nearer low first, then the high (12): fills at 10.5.
        assert_eq!(
            px(match_order(&b2, IntrabarPath::Adaptive, Side::Sell, &kind, false)),
            Some(dec!(10.5))
        );
    }

    #[test]
    fn triggered_stop_limit_works_as_a_limit() {
        let b = bar(dec!(10), dec!(12), dec!(9), dec!(11));
        let kind = OrderKind::StopLimit {
            stop_px: dec!(20),
            limit_px: dec!(9.5),
        };
        assert_eq!(px(match_order(&b, P, Side::Buy, &kind, true)), Some(dec!(9.5)));
        assert_eq!(match_order(&b, P, Side::Buy, &kind, false), MatchOutcome::NoFill);
    }
}
