//! Execution algorithms: each turns one parent order into child orders over time, as an
//! explicit state machine driven by three events: the start, every bar close of the
//! parent's symbol (the timer: bars carry the only time there is), and the end of a
//! child. They only decide; [`super::Executor`] sends, cancels and tracks.
//!
//! Time rule: an algorithm acts at a bar close, like a strategy; a child it sends then
//! can first fill on the next bar. A timer due at time T fires at the first bar close at
//! or after T.
//!
//! Window rule (TWAP, VWAP): children are sent only at bar closes inside [start, start +
//! duration]; a close exactly at the end still sends, catching up every slice due. When
//! bars are sparser than the slices (a weekend, a gap, a window shorter than a bar), the
//! slices that came due after the last close inside the window are never sent: at the
//! first close past the end the parent ends with the rest unfilled ("TWAP window ended
//! with N unfilled"), once any child still live is cancelled. Catching them up late would
//! trade outside the window the user asked for.

use crate::model::{Bar, OrderKind, Side, TimeInForce, Timestamp};
use crate::scenario::{ExecutionConfig, Visible};
use rust_decimal::Decimal;
use rust_decimal::prelude::{FromPrimitive, ToPrimitive};

/// Most children one parent may need, for split and iceberg. A split sends all of them
/// at one bar close, and an iceberg's clips can follow one another within one bar (under
/// same-close timing a market clip fills as it is sent, and the next goes out at once);
/// each child is risk-checked and routed on its own and kept as an order in the log to
/// the end of the run (a few hundred bytes each). Real splits have tens of children and
/// icebergs hundreds of clips; ten thousand leaves room for any deliberate one while a
/// mistaken `max_child` or `visible` (1 share of a million) is refused at once instead of
/// creating a million orders. TWAP and VWAP need no cap: they send at most one child per
/// slice, and `slices` is bounded when the scenario is read. POV sends at most one child
/// per bar.
pub const MAX_CHILDREN: u32 = 10_000;

const NANOS_PER_SEC: i64 = 1_000_000_000;
const BPS: Decimal = Decimal::from_parts(10_000, 0, 0, false, 0);

/// What an algorithm knows about its parent.
#[derive(Debug, Clone, Copy)]
pub struct ParentView {
    pub side: Side,
    /// The parent's whole quantity.
    pub qty: Decimal,
    pub filled: Decimal,
    /// Quantity of live children not yet filled.
    pub working: Decimal,
    pub limit_px: Option<Decimal>,
    pub start: Timestamp,
    pub lot: Decimal,
    pub min_qty: Decimal,
}

impl ParentView {
    /// What neither fill nor live children cover yet.
    pub fn unassigned(&self) -> Decimal {
        (self.qty - self.filled - self.working).max(Decimal::ZERO)
    }

    fn round(&self, qty: Decimal) -> Decimal {
        if self.lot.is_zero() {
            qty
        } else {
            (qty / self.lot).floor() * self.lot
        }
    }
}

/// What an algorithm asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    Send {
        qty: Decimal,
        kind: OrderKind,
        tif: TimeInForce,
    },
    /// Cancel every live child (a child that already filled is simply done).
    CancelChildren,
    /// The parent is finished; what is unfilled stays unfilled.
    Finish { note: String },
}

/// One algorithm's state.
#[derive(Debug, Clone)]
pub enum Algo {
    /// One child: the parent itself.
    Market {
        sent: bool,
    },
    LimitTimeout {
        timeout_ns: i64,
        fallback_market: bool,
        phase: TimeoutPhase,
    },
    Split {
        threshold: Decimal,
        max_child: Decimal,
    },
    /// TWAP and VWAP: cumulative targets per slice, reached by catching up at each slice,
    /// never past the window's end.
    Schedule {
        /// "TWAP" or "VWAP", for the notes.
        label: &'static str,
        duration_ns: i64,
        step_ns: i64,
        /// Cumulative fractions of the parent to have sent by slice i (the last is 1).
        targets: Vec<Decimal>,
        next: usize,
        limit_offset_bps: Option<Decimal>,
        /// A close past the window's end was seen: nothing more is sent.
        window_over: bool,
    },
    Iceberg {
        visible: Visible,
    },
    Pov {
        rate: Decimal,
        end: Option<Timestamp>,
        done: bool,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeoutPhase {
    Resting,
    /// The timeout passed and the resting child is being cancelled.
    Cancelling,
    /// The market order for the rest is out.
    Fallback,
}

impl Algo {
    /// The algorithm for a new parent. `profile` gives, for VWAP, the expected volume at
    /// each slice time (earlier bars only).
    pub fn new(config: &ExecutionConfig, start: Timestamp, profile: &dyn Fn(Timestamp) -> f64) -> Algo {
        match *config {
            ExecutionConfig::Market => Algo::Market { sent: false },
            ExecutionConfig::LimitTimeout {
                timeout_secs,
                fallback_market,
            } => Algo::LimitTimeout {
                timeout_ns: timeout_secs.saturating_mul(NANOS_PER_SEC),
                fallback_market,
                phase: TimeoutPhase::Resting,
            },
            ExecutionConfig::Split { threshold, max_child } => Algo::Split { threshold, max_child },
            ExecutionConfig::Twap {
                duration_secs,
                slices,
                limit_offset_bps,
            } => {
                let weights = vec![1.0; slices.max(1)];
                Algo::schedule("TWAP", duration_secs, &weights, limit_offset_bps)
            }
            ExecutionConfig::Vwap {
                duration_secs, slices, ..
            } => {
                let slices = slices.max(1);
                let step = duration_secs.saturating_mul(NANOS_PER_SEC) / slices as i64;
                let weights: Vec<f64> = (0..slices)
                    .map(|i| profile(Timestamp(start.0.saturating_add(step.saturating_mul(i as i64)))))
                    .collect();
                Algo::schedule("VWAP", duration_secs, &weights, None)
            }
            ExecutionConfig::Iceberg { visible } => Algo::Iceberg { visible },
            ExecutionConfig::Pov {
                rate,
                max_duration_secs,
            } => Algo::Pov {
                rate,
                end: max_duration_secs.map(|s| Timestamp(start.0.saturating_add(s.saturating_mul(NANOS_PER_SEC)))),
                done: false,
            },
        }
    }

    /// Cumulative targets from slice weights (all equal when the weights are unusable).
    fn schedule(label: &'static str, duration_secs: i64, weights: &[f64], limit_offset_bps: Option<Decimal>) -> Algo {
        let n = weights.len().max(1);
        let total: f64 = weights.iter().filter(|w| w.is_finite() && **w > 0.0).sum();
        let usable = total > 0.0 && weights.iter().all(|w| w.is_finite() && *w >= 0.0);
        let mut cumulative = 0.0;
        let mut targets: Vec<Decimal> = (0..n)
            .map(|i| {
                cumulative += if usable { weights[i] / total } else { 1.0 / n as f64 };
                Decimal::from_f64(cumulative.min(1.0))
                    .unwrap_or(Decimal::ONE)
                    .round_dp(9)
            })
            .collect();
        if let Some(last) = targets.last_mut() {
            *last = Decimal::ONE;
        }
        let duration_ns = duration_secs.saturating_mul(NANOS_PER_SEC);
        Algo::Schedule {
            label,
            duration_ns,
            step_ns: duration_ns / n as i64,
            targets,
            next: 0,
            limit_offset_bps,
            window_over: false,
        }
    }

    /// The parent starts at a bar close (`now`, with that bar).
    pub fn on_start(&mut self, p: &ParentView, market: OrderKind, tif: TimeInForce, bar: &Bar) -> Vec<Action> {
        match self {
            Algo::Market { sent } => {
                *sent = true;
                vec![send(p.unassigned(), market, tif)]
            }
            Algo::LimitTimeout { .. } => {
                let limit_px = p.limit_px.unwrap_or(bar.close);
                vec![send(p.unassigned(), OrderKind::Limit { limit_px }, TimeInForce::Gtc)]
            }
            Algo::Split { threshold, max_child } => {
                let total = p.unassigned();
                if total <= *threshold || *max_child <= Decimal::ZERO {
                    return vec![send(total, market, tif)];
                }
                let child = p.round(*max_child).max(p.lot).max(p.min_qty);
                if let Some(n) = children_over_limit(total, child, MAX_CHILDREN) {
                    return vec![finish(format!(
                        "split into {n} children of at most {child} exceeds the limit of \
                         {MAX_CHILDREN}; raise max_child"
                    ))];
                }
                let mut out = Vec::new();
                let mut left = total;
                while left > Decimal::ZERO {
                    let qty = left.min(child);
                    out.push(send(qty, market, tif));
                    left -= qty;
                }
                out
            }
            Algo::Schedule { .. } | Algo::Pov { .. } => self.on_bar(p, bar.ts, bar, market),
            Algo::Iceberg { visible } => {
                let clip = iceberg_clip(p, *visible);
                let remedy = match visible {
                    Visible::Qty(_) => "visible",
                    Visible::Fraction(_) => "visible_fraction",
                };
                if let Some(n) = children_over_limit(p.unassigned(), clip, MAX_CHILDREN) {
                    return vec![finish(format!(
                        "iceberg of {n} clips of at most {clip} exceeds the limit of {MAX_CHILDREN}; raise {remedy}"
                    ))];
                }
                self.refresh(p, market)
            }
        }
    }

    /// A bar of the parent's symbol closed at `now`.
    pub fn on_bar(&mut self, p: &ParentView, now: Timestamp, bar: &Bar, market: OrderKind) -> Vec<Action> {
        match self {
            Algo::LimitTimeout { timeout_ns, phase, .. } => {
                if *phase == TimeoutPhase::Resting && now.0 >= p.start.0.saturating_add(*timeout_ns) {
                    *phase = TimeoutPhase::Cancelling;
                    return vec![Action::CancelChildren];
                }
                Vec::new()
            }
            Algo::Schedule {
                label,
                duration_ns,
                step_ns,
                targets,
                next,
                limit_offset_bps,
                window_over,
            } => {
                if *window_over {
                    return Vec::new();
                }
                if now.0 > p.start.0.saturating_add(*duration_ns) {
                    *window_over = true;
                    return if p.working > Decimal::ZERO {
                        vec![Action::CancelChildren]
                    } else {
                        vec![window_ended(label, p)]
                    };
                }
                let mut out = Vec::new();
                // Catch up to the latest slice that is due (a late bar fires several).
                let mut due = None;
                while *next < targets.len() && now.0 >= p.start.0.saturating_add(step_ns.saturating_mul(*next as i64)) {
                    due = Some(*next);
                    *next += 1;
                }
                if let Some(i) = due {
                    let target = if i + 1 == targets.len() {
                        p.qty
                    } else {
                        p.round(p.qty * targets[i])
                    };
                    let qty = (target - p.filled - p.working).max(Decimal::ZERO);
                    let qty = if i + 1 == targets.len() { qty } else { p.round(qty) };
                    if qty > Decimal::ZERO && qty >= p.min_qty.min(p.qty - p.filled) {
                        let kind = match limit_offset_bps {
                            Some(bps) => OrderKind::Limit {
                                limit_px: offset_limit(p.side, bar.close, *bps),
                            },
                            None => market,
                        };
                        out.push(send(qty, kind, TimeInForce::Ioc));
                    }
                }
                out
            }
            Algo::Pov { rate, end, done } => {
                if *done {
                    return Vec::new();
                }
                if end.is_some_and(|end| now.0 > end.0) {
                    *done = true;
                    return if p.working > Decimal::ZERO {
                        vec![Action::CancelChildren]
                    } else {
                        vec![finish("POV ran out of time")]
                    };
                }
                if p.working > Decimal::ZERO {
                    return Vec::new();
                }
                let qty = p.round((*rate * bar.volume.max(Decimal::ZERO)).min(p.unassigned()));
                if qty > Decimal::ZERO && (qty >= p.min_qty || qty == p.unassigned()) {
                    vec![send(qty, market, TimeInForce::Ioc)]
                } else {
                    Vec::new()
                }
            }
            Algo::Market { .. } | Algo::Split { .. } | Algo::Iceberg { .. } => Vec::new(),
        }
    }

    /// A child ended (filled whole, or cancelled/expired with `p.filled` as it stands).
    pub fn on_child_done(&mut self, p: &ParentView, market: OrderKind) -> Vec<Action> {
        let complete = p.filled >= p.qty;
        if complete {
            return vec![finish("filled")];
        }
        let idle = p.working.is_zero();
        match self {
            Algo::Market { .. } | Algo::Split { .. } if idle => vec![finish("child ended unfilled")],
            Algo::LimitTimeout {
                fallback_market, phase, ..
            } => match *phase {
                TimeoutPhase::Cancelling if idle => {
                    if *fallback_market {
                        *phase = TimeoutPhase::Fallback;
                        vec![send(p.unassigned(), market_of(market), TimeInForce::Gtc)]
                    } else {
                        vec![finish("limit timed out; no fallback")]
                    }
                }
                TimeoutPhase::Fallback | TimeoutPhase::Resting if idle => vec![finish("child ended unfilled")],
                _ => Vec::new(),
            },
            Algo::Schedule { label, window_over, .. } if idle && *window_over => vec![window_ended(label, p)],
            Algo::Schedule { next, targets, .. } if idle && *next >= targets.len() => {
                vec![finish("schedule over with quantity unfilled")]
            }
            Algo::Iceberg { .. } if idle => self.refresh(p, market),
            Algo::Pov { done, .. } if idle && *done => vec![finish("POV ran out of time")],
            _ => Vec::new(),
        }
    }

    /// An iceberg shows its next clip.
    fn refresh(&self, p: &ParentView, market: OrderKind) -> Vec<Action> {
        let Algo::Iceberg { visible } = self else {
            return Vec::new();
        };
        let qty = iceberg_clip(p, *visible).min(p.unassigned());
        if qty <= Decimal::ZERO {
            return vec![finish("filled")];
        }
        let kind = match p.limit_px {
            Some(limit_px) => OrderKind::Limit { limit_px },
            None => market,
        };
        vec![send(qty, kind, TimeInForce::Gtc)]
    }
}

/// An iceberg's clip in whole lots, at least one lot and the minimum quantity.
fn iceberg_clip(p: &ParentView, visible: Visible) -> Decimal {
    let clip = match visible {
        Visible::Qty(q) => q,
        Visible::Fraction(f) => p.qty * f,
    };
    p.round(clip).max(p.lot).max(p.min_qty)
}

fn send(qty: Decimal, kind: OrderKind, tif: TimeInForce) -> Action {
    Action::Send { qty, kind, tif }
}

/// How many children of at most `child` it takes to cover `total`, when that is more
/// than `limit` (shown as "more than" Decimal's maximum when the count itself overflows).
fn children_over_limit(total: Decimal, child: Decimal, limit: u32) -> Option<String> {
    if child <= Decimal::ZERO {
        return None;
    }
    // Only a child too big for the product to fit can overflow it, and that one fits.
    if child
        .checked_mul(Decimal::from(limit))
        .is_none_or(|covered| covered >= total)
    {
        return None;
    }
    Some(match total.checked_div(child) {
        Some(n) => n.ceil().to_string(),
        None => format!("more than {}", Decimal::MAX),
    })
}

fn finish(note: impl Into<String>) -> Action {
    Action::Finish { note: note.into() }
}

/// The end of a schedule whose window closed before its parent filled.
fn window_ended(label: &str, p: &ParentView) -> Action {
    let unfilled = (p.qty - p.filled).max(Decimal::ZERO);
    if unfilled.is_zero() {
        return finish("filled");
    }
    finish(format!("{label} window ended with {unfilled} unfilled"))
}

/// A limit order's kind turned into a market order (for the fallback).
fn market_of(kind: OrderKind) -> OrderKind {
    match kind {
        OrderKind::Limit { .. } => OrderKind::Market,
        other => other,
    }
}

/// A marketable limit `bps` past `close`: above it for buys, below for sells.
pub fn offset_limit(side: Side, close: Decimal, bps: Decimal) -> Decimal {
    let factor = bps / BPS;
    match side {
        Side::Buy => close * (Decimal::ONE + factor),
        Side::Sell => (close * (Decimal::ONE - factor)).max(Decimal::ZERO),
    }
}

/// Mean volume of `history` bars at the same time of day as `at` (all of them for daily
/// bars), or 0 when none: a VWAP slice's expected volume.
pub fn same_time_volume(history: &[Bar], at: Timestamp) -> f64 {
    const DAY: i64 = 86_400 * NANOS_PER_SEC;
    let slot = at.0.rem_euclid(DAY);
    let (sum, n) = history
        .iter()
        .filter(|b| b.ts.0.rem_euclid(DAY) == slot)
        .fold((0.0, 0usize), |(s, n), b| (s + b.volume.to_f64().unwrap_or(0.0), n + 1));
    if n == 0 { 0.0 } else { sum / n as f64 }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::dec;

    fn view(qty: Decimal) -> ParentView {
        ParentView {
            side: Side::Buy,
            qty,
            filled: Decimal::ZERO,
            working: Decimal::ZERO,
            limit_px: None,
            start: Timestamp(0),
            lot: Decimal::ONE,
            min_qty: Decimal::ONE,
        }
    }

    fn bar_at(secs: i64, volume: Decimal) -> Bar {
        Bar {
            ts: Timestamp(secs * NANOS_PER_SEC),
            open: dec!(10),
            high: dec!(10),
            low: dec!(10),
            close: dec!(10),
            volume,
        }
    }

    /// VWAP slices follow the volume earlier days traded at the same hour: 3:1 between
    /// the two hours of the profile gives a 3/4 first slice.
    #[test]
    fn vwap_slices_follow_the_profile() {
        let history = [
            bar_at(0, dec!(300)),
            bar_at(3_600, dec!(100)),
            bar_at(86_400, dec!(300)),
            bar_at(86_400 + 3_600, dec!(100)),
        ];
        let config = ExecutionConfig::Vwap {
            duration_secs: 7_200,
            slices: 2,
            profile_bars: 100,
        };
        let start = Timestamp(2 * 86_400 * NANOS_PER_SEC);
        let mut algo = Algo::new(&config, start, &|at| same_time_volume(&history, at));
        let mut p = view(dec!(1000));
        p.start = start;
        let first = algo.on_start(&p, OrderKind::Market, TimeInForce::Day, &bar_at(2 * 86_400, dec!(1)));
        assert_eq!(first, [send(dec!(750), OrderKind::Market, TimeInForce::Ioc)]);
        p.filled = dec!(750);
        let second = algo.on_bar(
            &p,
            Timestamp(start.0 + 3_600 * NANOS_PER_SEC),
            &bar_at(0, dec!(1)),
            OrderKind::Market,
        );
        assert_eq!(second, [send(dec!(250), OrderKind::Market, TimeInForce::Ioc)]);
    }

    /// A VWAP whose next bar comes after its window sends nothing more and ends, naming
    /// itself and what is left.
    #[test]
    fn vwap_ends_at_the_first_close_past_its_window() {
        let config = ExecutionConfig::Vwap {
            duration_secs: 7_200,
            slices: 2,
            profile_bars: 100,
        };
        let mut algo = Algo::new(&config, Timestamp(0), &|_| 0.0);
        let mut p = view(dec!(1000));
        let first = algo.on_start(&p, OrderKind::Market, TimeInForce::Day, &bar_at(0, dec!(1)));
        assert_eq!(first, [send(dec!(500), OrderKind::Market, TimeInForce::Ioc)]);
        p.filled = dec!(500);
        let late = algo.on_bar(
            &p,
            Timestamp(7_201 * NANOS_PER_SEC),
            &bar_at(7_201, dec!(1)),
            OrderKind::Market,
        );
        assert_eq!(late, [finish("VWAP window ended with 500 unfilled")]);
        // Nothing after that, not even at a later close.
        let later = algo.on_bar(
            &p,
            Timestamp(9_000 * NANOS_PER_SEC),
            &bar_at(9_000, dec!(1)),
            OrderKind::Market,
        );
        assert!(later.is_empty());
    }

    /// The count is exact at the limit, and a count too big for a decimal still reads.
    #[test]
    fn children_over_the_limit_are_counted() {
        assert_eq!(children_over_limit(dec!(10000), dec!(1), 10_000), None);
        assert_eq!(
            children_over_limit(dec!(10000.5), dec!(1), 10_000).as_deref(),
            Some("10001")
        );
        assert_eq!(children_over_limit(dec!(1000), dec!(0.3), 10), Some("3334".to_string()));
        assert_eq!(children_over_limit(Decimal::MAX, Decimal::MAX, 10_000), None);
        let tiny = Decimal::new(1, 28);
        assert_eq!(
            children_over_limit(dec!(1000000000000000), tiny, 10_000),
            Some(format!("more than {}", Decimal::MAX))
        );
    }

    /// Without history the slices are equal, as TWAP.
    #[test]
    fn vwap_without_history_is_twap() {
        let config = ExecutionConfig::Vwap {
            duration_secs: 7_200,
            slices: 4,
            profile_bars: 100,
        };
        let mut algo = Algo::new(&config, Timestamp(0), &|_| 0.0);
        let first = algo.on_start(
            &view(dec!(1000)),
            OrderKind::Market,
            TimeInForce::Day,
            &bar_at(0, dec!(1)),
        );
        assert_eq!(first, [send(dec!(250), OrderKind::Market, TimeInForce::Ioc)]);
    }
}
