//! The execution layer: between the engine's orders and the venues.
//!
//! The engine decides *what* to trade: each order it sends for a signal (entry, exit,
//! target) is a **parent**. With `[execution] algo = "market"` (the default) the parent
//! goes to the router as it is. With any other algorithm ([`algo`]) the parent stays
//! here and children go to the router instead: the engine sees its parent accepted, then
//! the children's arrival (the first one's) and fills under the parent's id, and finally
//! the parent ending when the algorithm finishes. Protective orders (stop-loss and
//! take-profit legs, and the flatten that replaces a leg that could not be placed) always
//! go to the venue as they are.
//!
//! An all-cash parent worked by an algorithm is sized when the algorithm starts: the
//! buying power plus what the symbol's working exits will free, at the decision price,
//! in whole lots.
//!
//! Children are numbered from [`CHILD_ID_BASE`], apart from the engine's ids. A child the
//! risk guard or the venue refuses ends its parent (no retry loop); children the
//! algorithm asked for after it in the same step (a split's batch) are never sent. When
//! the data ends, children expire and then their parents, with the note "end of data".

pub mod algo;

use crate::model::{
    Bar, Fill, Instrument, Order, OrderEvent, OrderId, OrderKind, OrderQty, OrderStatus, SymbolId, TimeInForce,
    Timestamp,
};
use crate::risk::{OrderCheck, RiskGuard, RiskLog, TradingState};
use crate::scenario::RiskConfig;
use crate::scenario::{ExecutionConfig, VenueConfig, VenueSpec};
use crate::venue::{Account, RouteLog, Router, VenueEvent, VenueListener};
use algo::{Action, Algo, ParentView};
use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::{BTreeMap, VecDeque};

/// Child order ids start here, far above any engine order id.
pub const CHILD_ID_BASE: OrderId = 1 << 40;

/// How many earlier bars per symbol VWAP profiles may look at.
const HISTORY_CAP: usize = 10_000;

/// A parent as the reports see it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ParentRecord {
    pub parent_id: OrderId,
    pub algo: &'static str,
    pub start: Timestamp,
    pub end: Option<Timestamp>,
    pub children: Vec<OrderId>,
    /// How the algorithm ended ("filled", "end of data", ...).
    pub note: Option<String>,
}

/// What the execution layer did, for the reports.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ExecutionLog {
    /// The algorithm of the run.
    pub algo: &'static str,
    /// One per parent worked by an algorithm (none with `market`), by parent id.
    pub parents: Vec<ParentRecord>,
    /// Every child order, as it ended.
    pub children: Vec<Order>,
    /// Every child fill (the engine books them under the parent's id).
    pub child_fills: Vec<Fill>,
}

/// A parent being worked.
struct Working {
    order: Order,
    algo: Algo,
    filled: Decimal,
    /// Live children and what each still has to fill.
    live: BTreeMap<OrderId, Decimal>,
    arrived: bool,
    record: usize,
}

impl Working {
    fn view(&self, instrument: &Instrument) -> ParentView {
        ParentView {
            side: self.order.side,
            qty: match self.order.qty {
                OrderQty::Units(q) => q,
                OrderQty::AllCash => Decimal::ZERO,
            },
            filled: self.filled,
            working: self.live.values().copied().sum(),
            limit_px: self.order.kind.limit_px(),
            start: self.order.decision_ts,
            lot: instrument.lot_size,
            min_qty: instrument.min_qty,
        }
    }
}

/// Child events waiting for their algorithm (the router is busy while it reports them).
enum ChildNews {
    Done { child: OrderId },
    Rejected { child: OrderId, reason: String },
}

/// The execution layer of one run.
pub struct Executor {
    config: ExecutionConfig,
    router: Router,
    /// The pre-trade risk guard; `None` when the scenario sets no limit.
    risk: Option<RiskGuard>,
    instruments: Vec<Instrument>,
    /// Working parents by id.
    parents: BTreeMap<OrderId, Working>,
    child_parent: BTreeMap<OrderId, OrderId>,
    children: BTreeMap<OrderId, Order>,
    next_child: OrderId,
    /// Recent bars per symbol, for VWAP profiles (empty for other algorithms).
    history: Vec<VecDeque<Bar>>,
    last_bar: Vec<Option<Bar>>,
    news: Vec<ChildNews>,
    log: ExecutionLog,
    /// The risk guard's state as last reported by [`Executor::take_state_change`].
    reported_state: TradingState,
}

impl Executor {
    pub fn new(
        config: ExecutionConfig,
        risk: &RiskConfig,
        shared: &VenueConfig,
        venues: &[VenueSpec],
        instruments: Vec<Instrument>,
        seed: u64,
    ) -> Self {
        let n = instruments.len();
        let risk = Some(RiskGuard::new(risk.clone(), &instruments)).filter(|g| !g.is_inactive());
        let keep_history = matches!(config, ExecutionConfig::Vwap { .. });
        Executor {
            config,
            router: Router::new(shared, venues, instruments.clone(), seed),
            risk,
            instruments,
            parents: BTreeMap::new(),
            child_parent: BTreeMap::new(),
            children: BTreeMap::new(),
            next_child: CHILD_ID_BASE,
            history: vec![VecDeque::new(); if keep_history { n } else { 0 }],
            last_bar: vec![None; n],
            news: Vec::new(),
            reported_state: TradingState::Active,
            log: ExecutionLog {
                algo: config.name(),
                ..ExecutionLog::default()
            },
        }
    }

    /// The router, and a relay that turns the child events it reports into the parents'
    /// (disjoint borrows of the executor's fields).
    fn router_and_relay<'a>(&'a mut self, engine: &'a mut dyn VenueListener) -> (&'a mut Router, Relay<'a>) {
        let relay = Relay {
            parents: &mut self.parents,
            child_parent: &self.child_parent,
            children: &mut self.children,
            news: &mut self.news,
            child_fills: &mut self.log.child_fills,
            engine,
        };
        (&mut self.router, relay)
    }

    /// True when orders go to the router as they are (no algorithm, nothing to time).
    #[inline]
    pub fn passthrough(&self) -> bool {
        self.config == ExecutionConfig::Market
    }

    /// The route log, the execution log and the risk log, for the reports.
    pub fn into_logs(mut self) -> (RouteLog, ExecutionLog, RiskLog) {
        let children = std::mem::take(&mut self.children);
        self.log.children = children.into_values().collect();
        let risk = self.risk.map(RiskGuard::into_log).unwrap_or_default();
        (self.router.into_log(), self.log, risk)
    }

    /// A new bar timestamp begins, before the venues match it: the risk guard rolls its
    /// day and applies the kill switch.
    #[inline]
    pub fn on_clock(&mut self, ts: Timestamp) {
        if let Some(guard) = self.risk.as_mut() {
            guard.on_clock(ts);
        }
    }

    /// Whether the risk guard has rules that read the equity (daily loss, drawdown): the
    /// driver only computes the equity for [`Executor::on_equity`] when they do.
    #[inline]
    pub fn watches_equity(&self) -> bool {
        self.risk.as_ref().is_some_and(RiskGuard::watches_equity)
    }

    /// The account's equity at `ts`, marked at the latest closes: the risk guard applies
    /// its loss and drawdown rules.
    #[inline]
    pub fn on_equity(&mut self, ts: Timestamp, equity: Decimal) {
        if let Some(guard) = self.risk.as_mut() {
            guard.on_equity(ts, equity);
        }
    }

    /// The account marked at a timestamp's last close, before the strategy decides (see
    /// [`RiskGuard::on_marked_equity`]: it sets no peak and no reference).
    #[inline]
    pub fn on_marked_equity(&mut self, ts: Timestamp, equity: Decimal) {
        if let Some(guard) = self.risk.as_mut() {
            guard.on_marked_equity(ts, equity);
        }
    }

    /// The trading state, when it changed since the last call: the engine then cancels
    /// what would add exposure.
    #[inline]
    pub fn take_state_change(&mut self) -> Option<TradingState> {
        let state = self.risk.as_ref()?.state();
        (state != std::mem::replace(&mut self.reported_state, state)).then_some(state)
    }

    /// The risk guard's verdict on `order` (quantity `qty`), leaving `exclude` out of the
    /// working orders; `Ok` without a guard.
    fn risk_check(
        &mut self,
        order: &Order,
        qty: Decimal,
        now: Timestamp,
        exclude: &[OrderId],
        siblings: Decimal,
        engine: &dyn VenueListener,
    ) -> Result<(), String> {
        let Some(guard) = self.risk.as_mut() else {
            return Ok(());
        };
        let mut account = engine.account(exclude);
        // Live children of the same parent are working orders the engine does not see.
        if let Some(working) = account.working.get_mut(order.symbol) {
            *working += order.side.sign() * siblings;
        }
        let check = OrderCheck {
            order_id: order.id,
            symbol: order.symbol,
            side: order.side,
            qty,
            limit_px: order.kind.limit_px(),
            ts: now,
            protective: is_protective(order),
            close_out: matches!(order.reason, "bracket_flatten" | "risk_flatten"),
        };
        guard
            .check(&check, &account.view())
            .map_err(|r| format!("risk {}: {}", r.code.as_str(), r.message))
    }

    /// An order's quantity for a risk check: an all-cash order's is estimated from the
    /// buying power at the decision price.
    fn check_qty(&self, order: &Order, engine: &dyn VenueListener) -> Decimal {
        match order.qty {
            OrderQty::Units(q) => q - order.filled_qty,
            OrderQty::AllCash => self.all_cash_qty(order, engine),
        }
    }

    /// Whether a halt closes every position (`[risk] flatten_on_halt`).
    #[inline]
    pub fn flattens_on_halt(&self) -> bool {
        self.risk.as_ref().is_some_and(|g| g.config().flatten_on_halt)
    }

    pub fn has_working(&self) -> bool {
        !self.parents.is_empty() || self.router.has_working()
    }

    pub fn set_quoted_spread(&mut self, symbol: SymbolId, spread: Decimal) {
        self.router.set_quoted_spread(symbol, spread);
    }

    /// Matches the bar at the venues (before the engine sees it).
    pub fn on_bar(&mut self, symbol: SymbolId, bar: &Bar, engine: &mut dyn VenueListener) {
        if self.passthrough() {
            self.router.on_bar(symbol, bar, engine);
            return;
        }
        self.last_bar[symbol] = Some(*bar);
        let (router, mut relay) = self.router_and_relay(engine);
        router.on_bar(symbol, bar, &mut relay);
        self.settle(bar.ts, engine);
    }

    /// After the engine saw the bar (its close): the algorithms' timers.
    pub fn after_bar(&mut self, symbol: SymbolId, bar: &Bar, engine: &mut dyn VenueListener) {
        if self.passthrough() {
            return;
        }
        let ids: Vec<OrderId> = self
            .parents
            .iter()
            .filter(|(_, w)| w.order.symbol == symbol)
            .map(|(id, _)| *id)
            .collect();
        for id in ids {
            let Some(working) = self.parents.get_mut(&id) else {
                continue;
            };
            let view = working.view(&self.instruments[symbol]);
            let market = market_kind(&working.order);
            let actions = working.algo.on_bar(&view, bar.ts, bar, market);
            self.apply(id, actions, bar.ts, engine);
            self.settle(bar.ts, engine);
        }
        if let Some(history) = self.history.get_mut(symbol) {
            if history.len() == HISTORY_CAP {
                history.pop_front();
            }
            history.push_back(*bar);
        }
    }

    /// A new order from the engine.
    pub fn submit(&mut self, order: &Order, now: Timestamp, engine: &mut dyn VenueListener) {
        // Protection goes out at once, as it is: a flatten is an emergency, not a parent.
        let direct = self.passthrough() || is_protective(order);
        // What goes to a venue is checked: an order sent as it is here, a worked
        // parent's children one by one (so order-size limits apply to the children).
        if direct && self.risk.is_some() {
            // The order itself and its one-cancels-other sibling count as one position change.
            let exclude = [order.id, order.oco.unwrap_or(order.id)];
            let qty = self.check_qty(order, engine);
            if let Err(reason) = self.risk_check(order, qty, now, &exclude, Decimal::ZERO, engine) {
                engine.on_venue_event(VenueEvent::Rejected {
                    order_id: order.id,
                    ts: now,
                    reason,
                });
                return;
            }
        }
        if direct {
            self.router.submit(order, now, engine);
            return;
        }
        engine.on_venue_event(VenueEvent::Accepted {
            order_id: order.id,
            ts: now,
        });
        let mut order = order.clone();
        if order.qty == OrderQty::AllCash {
            let qty = self.all_cash_qty(&order, engine);
            if qty <= Decimal::ZERO {
                engine.on_venue_event(VenueEvent::Cancelled {
                    order_id: order.id,
                    ts: now,
                    reason: "not enough cash for one lot at the decision price".to_string(),
                });
                return;
            }
            order.qty = OrderQty::Units(qty);
            engine.on_venue_event(VenueEvent::QuantityResolved {
                order_id: order.id,
                qty,
            });
        }
        let history = self
            .history
            .get_mut(order.symbol)
            .map_or(&[][..], |h| &*h.make_contiguous());
        // VWAP looks at its last `profile_bars` bars only.
        let keep = match self.config {
            ExecutionConfig::Vwap { profile_bars, .. } => profile_bars,
            _ => 0,
        };
        let history = &history[history.len().saturating_sub(keep)..];
        let algo = Algo::new(&self.config, now, &|at| algo::same_time_volume(history, at));
        self.log.parents.push(ParentRecord {
            parent_id: order.id,
            algo: self.config.name(),
            start: now,
            end: None,
            children: Vec::new(),
            note: None,
        });
        let mut working = Working {
            order,
            algo,
            filled: Decimal::ZERO,
            live: BTreeMap::new(),
            arrived: false,
            record: self.log.parents.len() - 1,
        };
        let symbol = working.order.symbol;
        let view = working.view(&self.instruments[symbol]);
        let market = market_kind(&working.order);
        let bar = self.last_bar[symbol].unwrap_or(Bar {
            ts: now,
            open: working.order.decision_px,
            high: working.order.decision_px,
            low: working.order.decision_px,
            close: working.order.decision_px,
            volume: Decimal::ZERO,
        });
        let actions = working.algo.on_start(&view, market, working.order.tif, &bar);
        let id = working.order.id;
        self.parents.insert(id, working);
        self.apply(id, actions, now, engine);
        self.settle(now, engine);
    }

    /// All cash for a parent: buying power plus what the symbol's working exits free.
    fn all_cash_qty(&self, order: &Order, engine: &dyn VenueListener) -> Decimal {
        let px = order.decision_px;
        if px <= Decimal::ZERO {
            return Decimal::ZERO;
        }
        let freed: Decimal = self
            .parents
            .values()
            .filter(|w| w.order.symbol == order.symbol && w.order.reason == "exit")
            .map(|w| w.view(&self.instruments[order.symbol]).qty - w.filled)
            .sum();
        let cash = engine.buying_power().max(Decimal::ZERO) + freed * px;
        self.instruments[order.symbol].round_qty_down(cash / px)
    }

    /// Cancels a parent (with its children) or a protective leg.
    pub fn cancel(
        &mut self,
        symbol: SymbolId,
        order_id: OrderId,
        now: Timestamp,
        reason: &str,
        engine: &mut dyn VenueListener,
    ) {
        if !self.parents.contains_key(&order_id) {
            self.router.cancel(symbol, order_id, now, reason, engine);
            return;
        }
        self.cancel_children(order_id, now, reason, engine);
        self.finish(order_id, now, Some(reason.to_string()), engine, End::Cancelled);
    }

    /// Expires every child, then every parent still being worked.
    pub fn expire_all(&mut self, now: Timestamp, reason: &str, engine: &mut dyn VenueListener) {
        if self.passthrough() {
            self.router.expire_all(now, reason, engine);
            return;
        }
        let (router, mut relay) = self.router_and_relay(engine);
        router.expire_all(now, reason, &mut relay);
        // Parents end with the data; their algorithms get no more say.
        self.news.clear();
        let ids: Vec<OrderId> = self.parents.keys().copied().collect();
        for id in ids {
            self.finish(id, now, Some(reason.to_string()), engine, End::Expired);
        }
    }

    /// Hands the algorithms what their children did during the bar.
    fn settle(&mut self, now: Timestamp, engine: &mut dyn VenueListener) {
        while !self.news.is_empty() {
            let news = std::mem::take(&mut self.news);
            for item in news {
                match item {
                    ChildNews::Done { child } => {
                        let Some(&parent) = self.child_parent.get(&child) else {
                            continue;
                        };
                        let Some(working) = self.parents.get_mut(&parent) else {
                            continue;
                        };
                        let view = working.view(&self.instruments[working.order.symbol]);
                        let market = market_kind(&working.order);
                        let actions = working.algo.on_child_done(&view, market);
                        self.apply(parent, actions, now, engine);
                    }
                    ChildNews::Rejected { child, reason } => {
                        if let Some(&parent) = self.child_parent.get(&child)
                            && self.parents.contains_key(&parent)
                        {
                            self.cancel_children(parent, now, "a sibling child was rejected", engine);
                            let note = format!("child {child} rejected: {reason}");
                            self.finish(parent, now, Some(note), engine, End::Cancelled);
                        }
                    }
                }
            }
        }
    }

    /// Carries out an algorithm's actions. What they cause (children filled at once under
    /// same-close timing, refusals) is left in `news` for the caller's `settle`: settling
    /// here would recurse once per child through `settle`, and an iceberg whose clips
    /// fill as they are sent overflowed the stack after a few thousand clips.
    fn apply(&mut self, parent: OrderId, actions: Vec<Action>, now: Timestamp, engine: &mut dyn VenueListener) {
        for action in actions {
            if !self.parents.contains_key(&parent) {
                return;
            }
            match action {
                Action::Send { qty, kind, tif } => {
                    // A refused child ends its parent (in `settle`): the rest of the batch
                    // must not reach the venue first.
                    if !self.send_child(parent, qty, kind, tif, now, engine) {
                        break;
                    }
                }
                Action::CancelChildren => self.cancel_children(parent, now, "cancelled by its algorithm", engine),
                Action::Finish { note } => {
                    let working = &self.parents[&parent];
                    let end = if working.filled >= working.view(&self.instruments[working.order.symbol]).qty {
                        End::Filled
                    } else {
                        End::Cancelled
                    };
                    self.finish(parent, now, Some(note), engine, end);
                }
            }
        }
    }

    /// Sends a child; false when the risk guard or the venue refused it.
    fn send_child(
        &mut self,
        parent: OrderId,
        qty: Decimal,
        kind: OrderKind,
        tif: TimeInForce,
        now: Timestamp,
        engine: &mut dyn VenueListener,
    ) -> bool {
        if qty <= Decimal::ZERO {
            return true;
        }
        let Some(working) = self.parents.get_mut(&parent) else {
            return false;
        };
        let siblings: Decimal = working.live.values().copied().sum();
        let id = self.next_child;
        self.next_child += 1;
        let mut child = working.order.clone();
        child.id = id;
        child.qty = OrderQty::Units(qty);
        child.kind = kind;
        child.tif = tif;
        child.decision_ts = now;
        child.decision_px = self.last_bar[child.symbol].map_or(child.decision_px, |b| b.close);
        child.last_update_ts = now;
        child.filled_qty = Decimal::ZERO;
        child.avg_fill_px = Decimal::ZERO;
        child.status = OrderStatus::Submitted;
        child.reason = "child";
        child.note = None;
        child.oco = None;
        working.live.insert(id, qty);
        self.log.parents[working.record].children.push(id);
        self.child_parent.insert(id, parent);
        self.children.insert(id, child.clone());
        // Each child is checked on its own; its parent stands aside in the working orders.
        if let Err(reason) = self.risk_check(&child, qty, now, &[parent], siblings, engine) {
            if let Some(w) = self.parents.get_mut(&parent) {
                w.live.remove(&id);
            }
            if let Some(c) = self.children.get_mut(&id) {
                let _ = c.apply(OrderEvent::Reject, now);
                c.note = Some(reason.clone());
            }
            self.news.push(ChildNews::Rejected { child: id, reason });
            return false;
        }
        let (router, mut relay) = self.router_and_relay(engine);
        router.submit(&child, now, &mut relay);
        // The venue refuses at submission, and the relay marks the child.
        self.children
            .get(&id)
            .is_some_and(|c| c.status != OrderStatus::Rejected)
    }

    fn cancel_children(&mut self, parent: OrderId, now: Timestamp, reason: &str, engine: &mut dyn VenueListener) {
        let Some(working) = self.parents.get(&parent) else {
            return;
        };
        let symbol = working.order.symbol;
        let live: Vec<OrderId> = working.live.keys().copied().collect();
        for child in live {
            let (router, mut relay) = self.router_and_relay(engine);
            let cancelled = router.cancel(symbol, child, now, reason, &mut relay);
            // A cancel cannot lose a race against a fill here. Every event that ends a child
            // at a venue (fill, IOC or FOK cancel, DAY expiry, refusal) comes through the
            // relay, which takes the child out of `live` at once; and cancels are only
            // issued between router calls: a bar is matched before the algorithms' timers
            // and the strategy's signals run at its close, latency only delays a working
            // order, and each child works at one venue. A fill that beats the cancel has
            // therefore already ended the child (and, if it completed the parent, the
            // parent too); a partly filled child is still working and is cancelled for the
            // rest.
            debug_assert!(
                cancelled,
                "live child {child} of parent {parent} is not working at a venue"
            );
            // Should the invariant ever break, a child no venue works is done all the same,
            // and its algorithm must hear so or it would wait for it forever.
            if !cancelled && let Some(w) = self.parents.get_mut(&parent) {
                w.live.remove(&child);
                self.news.push(ChildNews::Done { child });
            }
        }
    }

    /// Ends a parent for the engine and the log.
    fn finish(
        &mut self,
        parent: OrderId,
        now: Timestamp,
        note: Option<String>,
        engine: &mut dyn VenueListener,
        end: End,
    ) {
        let Some(working) = self.parents.remove(&parent) else {
            return;
        };
        let record = &mut self.log.parents[working.record];
        record.end = Some(now);
        record.note.clone_from(&note);
        let reason = note.unwrap_or_default();
        match end {
            // The engine already saw the last fill complete the parent.
            End::Filled => {}
            End::Cancelled => engine.on_venue_event(VenueEvent::Cancelled {
                order_id: parent,
                ts: now,
                reason,
            }),
            End::Expired => engine.on_venue_event(VenueEvent::Expired {
                order_id: parent,
                ts: now,
                reason,
            }),
        }
    }
}

#[derive(Clone, Copy)]
enum End {
    Filled,
    Cancelled,
    Expired,
}

/// Stop-loss and take-profit legs, and the market orders that close a position whose leg
/// could not be placed or that a halt flattens: they only ever protect a position.
fn is_protective(order: &Order) -> bool {
    crate::engine::is_protective(order.reason)
}

/// The parent's own kind for children that take liquidity: market, or its limit.
fn market_kind(order: &Order) -> OrderKind {
    match order.kind {
        OrderKind::Limit { .. } => order.kind,
        _ => OrderKind::Market,
    }
}

/// Stands between the router and the engine while children trade: child events update
/// the child and its parent, and reach the engine as the parent's.
struct Relay<'a> {
    parents: &'a mut BTreeMap<OrderId, Working>,
    child_parent: &'a BTreeMap<OrderId, OrderId>,
    children: &'a mut BTreeMap<OrderId, Order>,
    news: &'a mut Vec<ChildNews>,
    child_fills: &'a mut Vec<Fill>,
    engine: &'a mut dyn VenueListener,
}

impl VenueListener for Relay<'_> {
    fn buying_power(&self) -> Decimal {
        self.engine.buying_power()
    }

    fn account(&self, exclude: &[OrderId]) -> Account {
        self.engine.account(exclude)
    }

    fn on_venue_event(&mut self, event: VenueEvent) {
        let child_id = match &event {
            VenueEvent::Accepted { order_id, .. }
            | VenueEvent::Rejected { order_id, .. }
            | VenueEvent::Arrived { order_id, .. }
            | VenueEvent::QuantityResolved { order_id, .. }
            | VenueEvent::Triggered { order_id, .. }
            | VenueEvent::Cancelled { order_id, .. }
            | VenueEvent::Expired { order_id, .. } => *order_id,
            VenueEvent::Filled(fill) => fill.order_id,
        };
        let Some(&parent) = self.child_parent.get(&child_id) else {
            // Not a child: a protective leg or a passed-through order.
            return self.engine.on_venue_event(event);
        };
        let child = self.children.get_mut(&child_id);
        let working = self.parents.get_mut(&parent);
        match event {
            VenueEvent::Accepted { ts, .. } => {
                if let Some(child) = child {
                    let _ = child.apply(OrderEvent::Accept, ts);
                }
            }
            VenueEvent::Arrived { ts, px, volume, .. } => {
                if let Some(child) = child {
                    child.arrival_ts = Some(ts);
                    child.arrival_px = Some(px);
                    child.arrival_volume = Some(volume);
                }
                if let Some(w) = working
                    && !w.arrived
                {
                    w.arrived = true;
                    self.engine.on_venue_event(VenueEvent::Arrived {
                        order_id: parent,
                        ts,
                        px,
                        volume,
                    });
                }
            }
            VenueEvent::Filled(fill) => {
                if let Some(child) = child {
                    let _ = child.record_fill(fill.qty, fill.px, fill.ts);
                }
                if let Some(w) = working {
                    w.filled += fill.qty;
                    let left = w.live.get(&child_id).copied().unwrap_or_default() - fill.qty;
                    if left <= Decimal::ZERO {
                        w.live.remove(&child_id);
                        self.news.push(ChildNews::Done { child: child_id });
                    } else {
                        w.live.insert(child_id, left);
                    }
                }
                self.child_fills.push(fill.clone());
                self.engine.on_venue_event(VenueEvent::Filled(Fill {
                    order_id: parent,
                    ..fill
                }));
            }
            VenueEvent::Cancelled { ts, reason, .. } => {
                if let Some(child) = child {
                    let _ = child.apply(OrderEvent::Cancel, ts);
                    child.note = Some(reason);
                }
                if let Some(w) = working {
                    w.live.remove(&child_id);
                }
                self.news.push(ChildNews::Done { child: child_id });
            }
            VenueEvent::Expired { ts, reason, .. } => {
                if let Some(child) = child {
                    let _ = child.apply(OrderEvent::Expire, ts);
                    child.note = Some(reason);
                }
                if let Some(w) = working {
                    w.live.remove(&child_id);
                }
                self.news.push(ChildNews::Done { child: child_id });
            }
            VenueEvent::Rejected { ts, reason, .. } => {
                if let Some(child) = child {
                    let _ = child.apply(OrderEvent::Reject, ts);
                    child.note = Some(reason.clone());
                }
                if let Some(w) = working {
                    w.live.remove(&child_id);
                }
                self.news.push(ChildNews::Rejected {
                    child: child_id,
                    reason,
                });
            }
            VenueEvent::Triggered { ts, .. } => {
                if let Some(child) = child {
                    let _ = child.apply(OrderEvent::Trigger, ts);
                }
            }
            VenueEvent::QuantityResolved { .. } => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::algo::offset_limit;
    use crate::model::Side;
    use rust_decimal::dec;

    #[test]
    fn offset_limits_sit_past_the_close() {
        assert_eq!(offset_limit(Side::Buy, dec!(100), dec!(25)), dec!(100.25));
        assert_eq!(offset_limit(Side::Sell, dec!(100), dec!(25)), dec!(99.75));
    }
}
