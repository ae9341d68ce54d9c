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
//! - once triggered (and not yet filled whole), a stop works as a market order and a
//!   stop-limit as a limit from the next bar's open.
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

/// A fill price before slippage, where on the path it happened, and whether the order
/// provided liquidity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PathFill {
    pub px: Decimal,
    /// Position along the path: 0 at the open, k + f a fraction f along the segment from
    /// point k to point k + 1, 3 at the close. Orders of one bar fill in this order.
    pub at: Decimal,
    /// True when the order rested and was traded through (a maker fill).
    pub resting: bool,
    /// True when a stop(-limit) triggered on this bar.
    pub triggered: bool,
}

/// Where the path stands after an event: the price there, the position, and the index
/// of the next path point.
#[derive(Clone, Copy)]
struct PathPos {
    px: Decimal,
    at: Decimal,
    next: usize,
}

/// Fraction of the way from `from` to `to` at which the price equals `level`.
fn crossing(from: Decimal, to: Decimal, level: Decimal) -> Decimal {
    debug_assert!(from != to, "a crossing needs a moving segment");
    (level - from).abs() / (to - from).abs()
}

/// First place where the path is at or beyond `level` in the adverse direction for a
/// stop (`Buy`: at or above; `Sell`: at or below).
fn reach(path: &[Decimal; 4], side: Side, level: Decimal) -> Option<PathPos> {
    let beyond = |p: Decimal| match side {
        Side::Buy => p >= level,
        Side::Sell => p <= level,
    };
    if beyond(path[0]) {
        return Some(PathPos {
            px: path[0],
            at: Decimal::ZERO,
            next: 1,
        });
    }
    (1..path.len()).find(|&k| beyond(path[k])).map(|k| PathPos {
        px: level,
        at: Decimal::from(k - 1) + crossing(path[k - 1], path[k], level),
        next: k,
    })
}

/// A limit order working from `pos`: fills at the current price if it is already at or
/// better than the limit, else at the limit where the rest of the path first trades
/// through it. Returns the price, the position and whether it was a resting fill.
fn limit_from(path: &[Decimal; 4], pos: PathPos, side: Side, limit: Decimal) -> Option<(Decimal, Decimal, bool)> {
    let through = |p: Decimal| match side {
        Side::Buy => p < limit,
        Side::Sell => p > limit,
    };
    let marketable = match side {
        Side::Buy => pos.px <= limit,
        Side::Sell => pos.px >= limit,
    };
    if marketable {
        return Some((pos.px, pos.at, false));
    }
    (pos.next..path.len()).find(|&k| through(path[k])).map(|k| {
        // The segment into point k starts at or before the limit (else k would not be the
        // first), so the crossing lies on it, after `pos`.
        (
            limit,
            Decimal::from(k - 1) + crossing(path[k - 1], path[k], limit),
            true,
        )
    })
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
        at: Decimal::ZERO,
        next: 1,
    };
    let fill = |(px, at, resting): (Decimal, Decimal, bool), triggered: bool| {
        MatchOutcome::Fill(PathFill {
            px,
            at,
            resting,
            triggered,
        })
    };
    let outcome = match *kind {
        OrderKind::Market => fill((bar.open, Decimal::ZERO, false), false),
        OrderKind::Limit { limit_px } => match limit_from(&path, start, side, limit_px) {
            Some(found) => fill(found, false),
            None => MatchOutcome::NoFill,
        },
        // A stop triggered on an earlier bar (and only partly filled) is a market order now.
        OrderKind::Stop { .. } if already_triggered => fill((bar.open, Decimal::ZERO, false), true),
        OrderKind::Stop { stop_px } => match reach(&path, side, stop_px) {
            Some(pos) => fill((pos.px, pos.at, false), true),
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
                Some(pos) => match limit_from(&path, pos, side, limit_px) {
                    Some(found) => fill(found, true),
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
        debug_assert!(
            fill.at >= Decimal::ZERO && fill.at <= Decimal::from(3),
            "path position {}",
            fill.at
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

    fn at(outcome: MatchOutcome) -> Option<Decimal> {
        match outcome {
            MatchOutcome::Fill(f) => Some(f.at),
            _ => None,
        }
    }

    #[test]
    fn positions_along_the_path_order_the_fills_of_a_bar() {
        // O 100 → H 110 → L 90 → C 100: a sell limit at 105 trades through on the way up
        // (half way along the first segment), a sell stop at 95 on the way down (three
        // quarters along the second): the take-profit comes first.
        let b = bar(dec!(100), dec!(110), dec!(90), dec!(100));
        let take_profit = at(match_order(
            &b,
            P,
            Side::Sell,
            &OrderKind::Limit { limit_px: dec!(105) },
            false,
        ));
        let stop_loss = at(match_order(
            &b,
            P,
            Side::Sell,
            &OrderKind::Stop { stop_px: dec!(95) },
            false,
        ));
        assert_eq!((take_profit, stop_loss), (Some(dec!(0.5)), Some(dec!(1.75))));
        // Adaptive with a nearer low visits the low first: the stop comes first.
        let b = bar(dec!(100), dec!(110), dec!(95), dec!(100));
        let stop = at(match_order(
            &b,
            IntrabarPath::Adaptive,
            Side::Sell,
            &OrderKind::Stop { stop_px: dec!(96) },
            false,
        ));
        let limit = at(match_order(
            &b,
            IntrabarPath::Adaptive,
            Side::Sell,
            &OrderKind::Limit { limit_px: dec!(105) },
            false,
        ));
        assert!(stop < limit, "{stop:?} {limit:?}");
        // Market orders and gaps fill at position 0.
        assert_eq!(
            at(match_order(&b, P, Side::Buy, &OrderKind::Market, false)),
            Some(dec!(0))
        );
    }

    #[test]
    fn a_triggered_stop_is_a_market_order_on_later_bars() {
        // The price never comes back to the 90 stop, but the order was triggered earlier.
        let b = bar(dec!(95), dec!(96), dec!(94), dec!(95));
        let stop = OrderKind::Stop { stop_px: dec!(90) };
        assert_eq!(px(match_order(&b, P, Side::Sell, &stop, true)), Some(dec!(95)));
        assert_eq!(px(match_order(&b, P, Side::Sell, &stop, false)), None);
    }

    #[test]
    fn a_triggered_stop_limit_marketable_at_the_open_is_a_taker_fill() {
        let b = bar(dec!(103), dec!(105), dec!(102), dec!(104));
        let kind = OrderKind::StopLimit {
            stop_px: dec!(100),
            limit_px: dec!(104),
        };
        match match_order(&b, P, Side::Buy, &kind, true) {
            MatchOutcome::Fill(f) => assert_eq!((f.px, f.resting), (dec!(103), false)),
            other => panic!("{other:?}"),
        }
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
