//! Orders and their lifecycle. An order's status changes only through
//! [`OrderStatus::transition`], one table of every legal (status, event) pair; anything
//! else is an [`InvalidTransition`] error, so a venue or algorithm bug surfaces at once
//! instead of silently corrupting the order book.

use super::instrument::SymbolId;
use super::time::Timestamp;
use rust_decimal::Decimal;
use serde::Serialize;
use std::fmt;

pub type OrderId = u64;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    Buy,
    Sell,
}

impl Side {
    /// +1 for buys, -1 for sells: the sign of the position change.
    pub fn sign(self) -> Decimal {
        match self {
            Side::Buy => Decimal::ONE,
            Side::Sell => Decimal::NEGATIVE_ONE,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Side::Buy => "buy",
            Side::Sell => "sell",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "type")]
pub enum OrderKind {
    Market,
    Limit { limit_px: Decimal },
    Stop { stop_px: Decimal },
    StopLimit { stop_px: Decimal, limit_px: Decimal },
}

impl OrderKind {
    pub fn name(&self) -> &'static str {
        match self {
            OrderKind::Market => "market",
            OrderKind::Limit { .. } => "limit",
            OrderKind::Stop { .. } => "stop",
            OrderKind::StopLimit { .. } => "stop_limit",
        }
    }

    pub fn limit_px(&self) -> Option<Decimal> {
        match self {
            OrderKind::Limit { limit_px } | OrderKind::StopLimit { limit_px, .. } => Some(*limit_px),
            _ => None,
        }
    }

    pub fn stop_px(&self) -> Option<Decimal> {
        match self {
            OrderKind::Stop { stop_px } | OrderKind::StopLimit { stop_px, .. } => Some(*stop_px),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum TimeInForce {
    /// Lives through the first trading day on which it can trade, then expires.
    Day,
    /// Good till cancelled.
    Gtc,
    /// Immediate or cancel: fills what it can on the first bar it can trade, cancels the rest.
    Ioc,
    /// Fill or kill: fills whole on the first bar it can trade, or not at all.
    Fok,
}

impl TimeInForce {
    pub fn as_str(self) -> &'static str {
        match self {
            TimeInForce::Day => "DAY",
            TimeInForce::Gtc => "GTC",
            TimeInForce::Ioc => "IOC",
            TimeInForce::Fok => "FOK",
        }
    }
}

/// How many units an order is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderQty {
    Units(Decimal),
    /// All available cash at the fill price, in whole lots, after fees: what the
    /// reference backtester does, and what a broker's notional order does. Resolved by
    /// the venue at the fill.
    AllCash,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderStatus {
    /// Built by the engine, not yet sent.
    Created,
    /// Sent to the venue, not yet acknowledged.
    Submitted,
    /// Working at the venue.
    Accepted,
    /// A stop(-limit) whose stop price was reached; a stop-limit now works as a limit.
    Triggered,
    PartiallyFilled,
    Filled,
    Cancelled,
    Rejected,
    Expired,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderEvent {
    Submit,
    Accept,
    Reject,
    Trigger,
    PartialFill,
    Fill,
    Cancel,
    Expire,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("illegal order transition: {event:?} on a {from:?} order")]
pub struct InvalidTransition {
    pub from: OrderStatus,
    pub event: OrderEvent,
}

impl OrderStatus {
    /// The order state machine, as one table.
    ///
    /// # Errors
    /// [`InvalidTransition`] for every pair not listed, e.g. a fill on a cancelled order.
    pub fn transition(self, event: OrderEvent) -> Result<OrderStatus, InvalidTransition> {
        use OrderEvent as E;
        use OrderStatus as S;
        let next = match (self, event) {
            (S::Created, E::Submit) => S::Submitted,
            (S::Created, E::Reject) => S::Rejected,
            (S::Submitted, E::Accept) => S::Accepted,
            (S::Submitted, E::Reject) => S::Rejected,
            (S::Submitted, E::Cancel) => S::Cancelled,
            (S::Accepted, E::Trigger) => S::Triggered,
            (S::Accepted | S::Triggered | S::PartiallyFilled, E::PartialFill) => S::PartiallyFilled,
            (S::Accepted | S::Triggered | S::PartiallyFilled, E::Fill) => S::Filled,
            (S::Accepted | S::Triggered | S::PartiallyFilled, E::Cancel) => S::Cancelled,
            (S::Accepted | S::Triggered | S::PartiallyFilled, E::Expire) => S::Expired,
            (from, event) => return Err(InvalidTransition { from, event }),
        };
        Ok(next)
    }

    /// True once nothing more can happen to the order.
    pub fn is_terminal(self) -> bool {
        matches!(
            self,
            OrderStatus::Filled | OrderStatus::Cancelled | OrderStatus::Rejected | OrderStatus::Expired
        )
    }

    pub fn as_str(self) -> &'static str {
        match self {
            OrderStatus::Created => "created",
            OrderStatus::Submitted => "submitted",
            OrderStatus::Accepted => "accepted",
            OrderStatus::Triggered => "triggered",
            OrderStatus::PartiallyFilled => "partially_filled",
            OrderStatus::Filled => "filled",
            OrderStatus::Cancelled => "cancelled",
            OrderStatus::Rejected => "rejected",
            OrderStatus::Expired => "expired",
        }
    }
}

impl fmt::Display for OrderStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An order as the engine tracks it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Order {
    pub id: OrderId,
    pub symbol: SymbolId,
    pub side: Side,
    pub kind: OrderKind,
    pub qty: OrderQty,
    pub tif: TimeInForce,
    pub status: OrderStatus,
    /// When the strategy decided (the close of the bar it saw).
    pub decision_ts: Timestamp,
    /// The price the strategy saw when it decided (that bar's close).
    pub decision_px: Decimal,
    pub filled_qty: Decimal,
    /// Volume-weighted average fill price, zero until the first fill.
    pub avg_fill_px: Decimal,
    pub last_update_ts: Timestamp,
    /// When the order reached the market: the first bar it could trade on.
    pub arrival_ts: Option<Timestamp>,
    /// The first price the order could trade at (that bar's open; the close under
    /// same-close fills).
    pub arrival_px: Option<Decimal>,
    /// Volume of the arrival bar, to express the order's size as a share of it.
    pub arrival_volume: Option<Decimal>,
    /// The symbol's last close when the order ended, to price what never filled.
    pub end_px: Option<Decimal>,
    /// The other leg of a one-cancels-other pair: the first of the two to fill cancels
    /// the other at once, at the venue.
    pub oco: Option<OrderId>,
    /// Why the order exists ("entry", "exit", "stop_loss", ...), for reports.
    pub reason: &'static str,
    /// Set when the order ends without filling whole (reject, cancel or expiry reason).
    pub note: Option<String>,
}

impl Order {
    /// Applies a lifecycle event through the state machine.
    ///
    /// # Errors
    /// [`InvalidTransition`] when the event is illegal in the current status; the order
    /// is left unchanged.
    pub fn apply(&mut self, event: OrderEvent, ts: Timestamp) -> Result<(), InvalidTransition> {
        self.status = self.status.transition(event)?;
        self.last_update_ts = ts;
        Ok(())
    }

    /// Records a fill of `qty` at `px`, moving the status to partially filled or filled.
    ///
    /// # Errors
    /// [`InvalidTransition`] when the order cannot take a fill in its status.
    pub fn record_fill(&mut self, qty: Decimal, px: Decimal, ts: Timestamp) -> Result<(), InvalidTransition> {
        debug_assert!(qty > Decimal::ZERO, "fills are for a positive quantity");
        let total = self.filled_qty + qty;
        if let OrderQty::Units(ordered) = self.qty {
            debug_assert!(total <= ordered, "order {} overfilled: {total} of {ordered}", self.id);
        }
        let complete = match self.qty {
            OrderQty::Units(ordered) => total >= ordered,
            OrderQty::AllCash => true,
        };
        self.apply(
            if complete {
                OrderEvent::Fill
            } else {
                OrderEvent::PartialFill
            },
            ts,
        )?;
        self.avg_fill_px = (self.avg_fill_px * self.filled_qty + px * qty) / total;
        self.filled_qty = total;
        Ok(())
    }

    /// Quantity still to fill; `None` for an unresolved all-cash order.
    pub fn remaining(&self) -> Option<Decimal> {
        match self.qty {
            OrderQty::Units(q) => Some(q - self.filled_qty),
            OrderQty::AllCash => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL_STATUSES: [OrderStatus; 9] = [
        OrderStatus::Created,
        OrderStatus::Submitted,
        OrderStatus::Accepted,
        OrderStatus::Triggered,
        OrderStatus::PartiallyFilled,
        OrderStatus::Filled,
        OrderStatus::Cancelled,
        OrderStatus::Rejected,
        OrderStatus::Expired,
    ];
    const ALL_EVENTS: [OrderEvent; 8] = [
        OrderEvent::Submit,
        OrderEvent::Accept,
        OrderEvent::Reject,
        OrderEvent::Trigger,
        OrderEvent::PartialFill,
        OrderEvent::Fill,
        OrderEvent::Cancel,
        OrderEvent::Expire,
    ];

    #[test]
    fn terminal_states_accept_nothing() {
        for status in ALL_STATUSES.into_iter().filter(|s| s.is_terminal()) {
            for event in ALL_EVENTS {
                assert_eq!(status.transition(event), Err(InvalidTransition { from: status, event }));
            }
        }
    }

    #[test]
    fn happy_path_and_known_illegal_pairs() {
        let s = OrderStatus::Created.transition(OrderEvent::Submit).unwrap();
        let s = s.transition(OrderEvent::Accept).unwrap();
        let s = s.transition(OrderEvent::PartialFill).unwrap();
        assert_eq!(s, OrderStatus::PartiallyFilled);
        assert_eq!(s.transition(OrderEvent::Fill).unwrap(), OrderStatus::Filled);
        assert!(OrderStatus::Created.transition(OrderEvent::Fill).is_err());
        assert!(OrderStatus::Submitted.transition(OrderEvent::Fill).is_err());
        assert!(OrderStatus::PartiallyFilled.transition(OrderEvent::Accept).is_err());
        assert!(OrderStatus::Triggered.transition(OrderEvent::Trigger).is_err());
    }

    #[test]
    fn the_table_has_exactly_the_documented_legal_pairs() {
        let legal = ALL_STATUSES
            .iter()
            .flat_map(|s| ALL_EVENTS.iter().map(move |e| (*s, *e)))
            .filter(|(s, e)| s.transition(*e).is_ok())
            .count();
        assert_eq!(legal, 18);
    }
}
