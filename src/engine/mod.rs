//! The pure engine core: events in, commands out.
//!
//! The engine never reads a clock and never does I/O. It is fed bars
//! ([`Engine::on_bar`]) and venue events (through [`VenueListener`]), and answers with
//! [`Command`]s that a driver carries to a venue. Time exists only as the timestamps on
//! those events. A driver (the backtest here; paper and live later) owns time, data and
//! the venue, so the same strategy, sizing and order logic run in every mode.
//!
//! Inside, a bar goes: mark the position → strategy → signals → sizing → orders. Venue
//! events go: order state machine → portfolio → follow-up orders (protective stop-loss
//! and take-profit legs for what an entry has filled, resized as it fills more, the
//! other leg cancelled when one fills).

use crate::backtest::result::{EquityPoint, RunOutcome};
use crate::model::{
    Bar, Fill, Instrument, InvalidTransition, Order, OrderEvent, OrderId, OrderKind, OrderQty, OrderStatus, Side,
    SymbolId, TimeInForce, Timestamp,
};
use crate::portfolio::Portfolio;
use crate::risk::{TradingState, increases_exposure};
use crate::scenario::SizingConfig;
use crate::sizing::{Sizer, SizingDecision, SizingInputs};
use crate::strategy::{Intent, Signal, Strategy, StrategyContext};
use crate::venue::{Account, RouteLog, VenueEvent, VenueListener};
use rust_decimal::Decimal;

/// What the engine asks its driver to do.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    Submit(Box<Order>),
    Cancel {
        symbol: SymbolId,
        order_id: OrderId,
        reason: &'static str,
    },
}

/// A signal that produced no order, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct SkippedSignal {
    pub ts: Timestamp,
    pub symbol: SymbolId,
    pub reason: String,
}

/// An entry with stop-loss and/or take-profit levels, and the legs that protect what it
/// has filled so far.
///
/// The legs always aim to cover the bracket's open quantity: what the entry filled less
/// what every leg of the bracket (live or replaced) sold back, and never more than the
/// position held on the entry's side, so a leg can only ever close. There is no amend, so
/// a resize cancels the live legs and places new ones once the venue has confirmed the
/// old ones ended: whatever an old leg filled before its cancel landed is then counted,
/// and for that moment the position is covered by less than it holds, never by more.
#[derive(Debug, Clone)]
struct Bracket {
    entry: OrderId,
    symbol: SymbolId,
    stop_loss: Option<Decimal>,
    take_profit: Option<Decimal>,
    /// Live legs: a one-cancels-other pair, or one leg when only one level is set.
    legs: Vec<OrderId>,
    /// Legs cancelled to be replaced whose end the venue has not reported yet.
    replacing: Vec<OrderId>,
    /// What every leg of the bracket has filled, old and live.
    exited: Decimal,
    /// Set when a leg traded (or the stop triggered) while the entry still worked: why
    /// the rest of the entry is cancelled.
    fired: Option<&'static str>,
    entry_cancelled: bool,
    /// The stop-loss has triggered: a stop that replaces it is a market order, as the
    /// triggered stop had become.
    stop_triggered: bool,
    /// Something changed since the legs were last compared with the open quantity.
    due: bool,
    /// Time of the latest event that touched the bracket: when replacement legs are decided.
    as_of: Timestamp,
}

impl Bracket {
    fn holds_leg(&self, id: OrderId) -> bool {
        self.legs.contains(&id) || self.replacing.contains(&id)
    }
}

/// An engine fault: the venue reported something the order state machine forbids.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("order {order_id}: {source}")]
pub struct EngineFault {
    pub order_id: OrderId,
    pub source: InvalidTransition,
}

pub struct Engine {
    name: String,
    instruments: Vec<Instrument>,
    strategy: Box<dyn Strategy>,
    /// The sizing model and the per-symbol indicators it reads.
    sizer: Sizer,
    /// Every entry sized at its decision (all models but all-cash), in decision order.
    sizing_decisions: Vec<SizingDecision>,
    portfolio: Portfolio,
    /// Every order of the run; an order's id is its index + 1.
    orders: Vec<Order>,
    /// Ids of the orders working per symbol (not in a terminal state), in submission order.
    working: Vec<Vec<OrderId>>,
    /// Brackets whose entry still works or whose legs are still live, in entry order.
    brackets: Vec<Bracket>,
    /// Some bracket is due a look at the next [`Engine::take_commands`].
    brackets_due: bool,
    /// OCO pairs of live protective legs.
    oco: Vec<(OrderId, OrderId)>,
    fills: Vec<Fill>,
    equity: Vec<EquityPoint>,
    bars_in_market: usize,
    skipped: Vec<SkippedSignal>,
    faults: Vec<EngineFault>,
    /// The risk guard's trading state, as last reported (active without a guard).
    trading_state: TradingState,
    /// Position values (net, gross) computed by [`Engine::marked_equity`] at a
    /// timestamp's last close, with the number of fills then: the equity point reuses
    /// them when no fill came after (no mark can, at the last close).
    marked_values: Option<(usize, Decimal, Decimal)>,
    outbox: Vec<Command>,
    signals: Vec<Signal>,
}

impl Engine {
    /// `periods_per_year` annualises the volatility that `vol_target` sizing reads.
    pub fn new(
        name: &str,
        instruments: Vec<Instrument>,
        strategy: Box<dyn Strategy>,
        sizing: SizingConfig,
        periods_per_year: f64,
        cash: Decimal,
    ) -> Self {
        let n = instruments.len();
        Engine {
            name: name.to_string(),
            instruments,
            strategy,
            sizer: Sizer::new(sizing, n, periods_per_year),
            sizing_decisions: Vec::new(),
            portfolio: Portfolio::new(cash, n),
            orders: Vec::new(),
            working: vec![Vec::new(); n],
            brackets: Vec::new(),
            brackets_due: false,
            oco: Vec::new(),
            fills: Vec::new(),
            equity: Vec::new(),
            bars_in_market: 0,
            skipped: Vec::new(),
            faults: Vec::new(),
            trading_state: TradingState::Active,
            marked_values: None,
            outbox: Vec::new(),
            signals: Vec::new(),
        }
    }

    /// Reserves room for `points` equity points, so a long run does not overshoot its
    /// memory by growing the curve geometrically.
    pub fn reserve_equity_points(&mut self, points: usize) {
        self.equity.reserve_exact(points);
    }

    pub fn portfolio(&self) -> &Portfolio {
        &self.portfolio
    }

    pub fn order(&self, id: OrderId) -> &Order {
        &self.orders[(id - 1) as usize]
    }

    pub fn orders(&self) -> &[Order] {
        &self.orders
    }

    pub fn fills(&self) -> &[Fill] {
        &self.fills
    }

    pub fn skipped_signals(&self) -> &[SkippedSignal] {
        &self.skipped
    }

    /// Every entry sized at its decision so far (all models but all-cash, which the
    /// venue sizes at the fill), in decision order.
    pub fn sizing_decisions(&self) -> &[SizingDecision] {
        &self.sizing_decisions
    }

    /// Commands produced since the last call, in the order they must be carried out.
    ///
    /// Bracket legs are resized here rather than at each fill. A driver takes the
    /// commands after every venue pass, and a leg decided anywhere in the processing of a
    /// bar can first fill on the next bar, so waiting for the end of the pass costs no
    /// protection, while an entry filled several times in one pass (children, venues)
    /// replaces its legs once instead of once per fill. Waiting for the next `on_bar`
    /// instead would leave fills made after the strategy's close (same-close fills,
    /// algorithm children sent at the close) unprotected through the next bar.
    pub fn take_commands(&mut self, into: &mut Vec<Command>) {
        if self.brackets_due {
            self.settle_brackets();
        }
        into.append(&mut self.outbox);
    }

    pub fn has_commands(&self) -> bool {
        !self.outbox.is_empty() || self.brackets_due
    }

    /// A bar's close is known: mark the position, ask the strategy, turn its signals
    /// into orders.
    pub fn on_bar(&mut self, symbol: SymbolId, bar: &Bar) {
        self.mark(symbol, bar);
        self.decide(symbol, bar);
    }

    /// The first half of [`Engine::on_bar`]: the close is known, the position is marked
    /// at it. A driver with a risk guard hands the guard the marked account between the
    /// two halves, so the trading state is current when the strategy's signals are acted on.
    pub fn mark(&mut self, symbol: SymbolId, bar: &Bar) {
        self.portfolio.mark(symbol, bar.close);
        // Sizing indicators see the decision bar itself, never a later one.
        self.sizer.on_bar(symbol, bar);
    }

    /// The second half of [`Engine::on_bar`]: the strategy sees the bar, its signals
    /// become orders.
    pub fn decide(&mut self, symbol: SymbolId, bar: &Bar) {
        let mut signals = std::mem::take(&mut self.signals);
        signals.clear();
        let ctx = StrategyContext {
            portfolio: &self.portfolio,
        };
        self.strategy.on_bar(&ctx, symbol, bar, &mut signals);
        // Signals decided at one instant for one symbol cannot both stand: the last one
        // is the strategy's intention (and each is decided on the position before any
        // of them trades).
        for (i, signal) in signals.iter().enumerate() {
            if signals[i + 1..].iter().all(|later| later.symbol != signal.symbol) {
                self.handle_signal(signal, bar);
            }
        }
        signals.clear();
        self.signals = signals;
    }

    /// The risk guard's trading state changed. Reducing or halted, every working order
    /// that would add exposure is cancelled, so nothing resting can fill new risk after
    /// the change: judged in submission order against the position plus the orders kept
    /// before it (the entry of a reversal adds exposure, its exit does not). Protective
    /// legs and flattens stay. Orders decided at this very close and not yet sent are
    /// cancelled too: the guard refuses one sent as it is anyway (the cancel then finds
    /// nothing), but a worked parent is only checked through its children and could
    /// otherwise outlive the change. An entry cancelled with a partial fill keeps its
    /// legs, sized to what it filled.
    ///
    /// With `flatten` and the state halted, every open position is instead closed at
    /// market: whatever works in its symbol is cancelled (legs included, so nothing can
    /// exit twice) and a protective `risk_flatten` order, which a halt lets through,
    /// takes its place.
    pub fn on_trading_state(&mut self, state: TradingState, flatten: bool, ts: Timestamp) {
        self.trading_state = state;
        if flatten && state == TradingState::Halted {
            return self.flatten_all(ts);
        }
        let reason = match state {
            TradingState::Active => return,
            TradingState::Reducing => "cancelled: the risk guard is reducing (daily loss limit)",
            TradingState::Halted => "cancelled: trading halted by the risk guard",
        };
        for symbol in 0..self.working.len() {
            let mut open = self.portfolio.position(symbol).qty;
            for &order_id in &self.working[symbol] {
                let order = self.order(order_id);
                if is_protective(order.reason) {
                    continue;
                }
                // An all-cash entry's size is not known yet: it can only add.
                let adds = order
                    .remaining()
                    .is_none_or(|qty| increases_exposure(open, order.side.sign() * qty));
                if adds {
                    self.outbox.push(Command::Cancel {
                        symbol,
                        order_id,
                        reason,
                    });
                } else if let Some(qty) = order.remaining() {
                    open += order.side.sign() * qty;
                }
            }
        }
    }

    /// Closes every open position at market and cancels everything else that works.
    fn flatten_all(&mut self, ts: Timestamp) {
        for symbol in 0..self.working.len() {
            let held = self.portfolio.position(symbol).qty;
            if self.working[symbol]
                .iter()
                .any(|&id| self.order(id).reason == "risk_flatten")
            {
                continue;
            }
            self.cancel_working(
                symbol,
                "cancelled: trading halted by the risk guard, positions flattened",
            );
            if !held.is_zero() {
                self.close_at_market(symbol, "risk_flatten", ts);
            }
        }
    }

    /// A GTC market order that closes the whole position in `symbol`, decided at `ts`.
    fn close_at_market(&mut self, symbol: SymbolId, reason: &'static str, ts: Timestamp) {
        let held = self.portfolio.position(symbol).qty;
        let side = if held > Decimal::ZERO { Side::Sell } else { Side::Buy };
        let mut exit = NewOrder::new(symbol, side, OrderKind::Market, OrderQty::Units(held.abs()), reason);
        exit.tif = TimeInForce::Gtc;
        let decision = Decision {
            ts,
            px: self.portfolio.mark_px(symbol),
        };
        self.new_order(exit, decision);
    }

    /// Cash plus positions at the latest marks, for the risk guard's loss rules before
    /// orders are decided. Call it at a timestamp's last close only (after its last
    /// `mark`): the equity point of that timestamp reuses what it computed.
    pub fn marked_equity(&mut self) -> Decimal {
        let (net, gross) = self.portfolio.values();
        self.marked_values = Some((self.fills.len(), net, gross));
        self.portfolio.cash() + net
    }

    /// Closes the equity point for `ts`, once every bar stamped `ts` was processed, and
    /// returns its equity (for the risk guard: reading it back from the curve just after
    /// writing it stalled on store forwarding, a fifth of the driver's time).
    pub fn record_equity(&mut self, ts: Timestamp) -> Decimal {
        let (positions_value, gross_exposure) = match self.marked_values.take() {
            Some((fills, net, gross)) if fills == self.fills.len() => (net, gross),
            _ => self.portfolio.values(),
        };
        let cash = self.portfolio.cash();
        if self.portfolio.has_position() {
            self.bars_in_market += 1;
        }
        let equity = cash + positions_value;
        self.equity.push(EquityPoint {
            ts,
            cash,
            gross_exposure,
            equity,
        });
        equity
    }

    /// Ends the run.
    ///
    /// # Errors
    /// The engine faults seen during the run (illegal order transitions reported by the
    /// venue), which mean the venue and the engine disagree and the results are suspect.
    pub fn finish(self) -> Result<(RunOutcome, Vec<SkippedSignal>), Vec<EngineFault>> {
        if !self.faults.is_empty() {
            return Err(self.faults);
        }
        let trades = self.portfolio.trades(self.equity.len().saturating_sub(1));
        let outcome = RunOutcome {
            strategy: self.name,
            equity: self.equity,
            orders: self.orders,
            fills: self.fills,
            trades,
            bars_in_market: self.bars_in_market,
            notes: self.strategy.notes(),
            routes: RouteLog::default(),
            execution: crate::execution::ExecutionLog::default(),
            risk: crate::risk::RiskLog::default(),
            sizing: self.sizing_decisions,
        };
        Ok((outcome, self.skipped))
    }

    fn handle_signal(&mut self, signal: &Signal, bar: &Bar) {
        let symbol = signal.symbol;
        let skip = |engine: &mut Engine, reason: String| {
            engine.skipped.push(SkippedSignal {
                ts: bar.ts,
                symbol,
                reason,
            })
        };
        // The decision is priced at the signal's own symbol's last close, which need not
        // be the bar that triggered the strategy.
        let decision_px = self.portfolio.mark_px(symbol);
        if decision_px <= Decimal::ZERO {
            let reason = format!("no price seen yet for {}", self.instruments[symbol].symbol);
            return skip(self, reason);
        }
        let decision = Decision {
            ts: bar.ts,
            px: decision_px,
        };
        let held = self.portfolio.position(symbol).qty;
        let already = match signal.intent {
            Intent::Long => held > Decimal::ZERO,
            Intent::Short => held < Decimal::ZERO,
            Intent::Flat | Intent::Target(_) => false,
        };
        if already {
            return;
        }
        if let Err(reason) = check_protection(signal, decision_px) {
            return skip(self, reason);
        }
        // A signal whose every order the guard would refuse changes nothing: acting on it
        // would only cancel what still works, a halt's flatten and the position's stop
        // among them.
        match self.trading_state {
            TradingState::Halted => {
                return skip(
                    self,
                    "trading is halted by the risk guard: every order would be refused".to_string(),
                );
            }
            TradingState::Reducing if !reduces_exposure(signal.intent, held) => {
                let reason = "trading is reducing (daily loss limit) and the signal would only add exposure";
                return skip(self, reason.to_string());
            }
            _ => {}
        }
        // A new intention replaces whatever was still working in the symbol.
        self.cancel_working(symbol, "replaced by a new signal");

        let instrument = &self.instruments[symbol];
        let (exit_qty, entry) = match signal.intent {
            Intent::Long => (held.abs(), Some(Side::Buy)),
            Intent::Short => (held.abs(), Some(Side::Sell)),
            Intent::Flat => (held.abs(), None),
            Intent::Target(target) => {
                let magnitude = instrument.round_qty_down(target.abs());
                let target = if target < Decimal::ZERO { -magnitude } else { magnitude };
                let delta = target - held;
                if delta.is_zero() {
                    return;
                }
                let side = if delta > Decimal::ZERO { Side::Buy } else { Side::Sell };
                let order = NewOrder::new(symbol, side, entry_kind(signal), OrderQty::Units(delta.abs()), "target");
                self.new_order(order, decision);
                return;
            }
        };
        if exit_qty > Decimal::ZERO {
            let side = if held > Decimal::ZERO { Side::Sell } else { Side::Buy };
            // An exit works until the position is flat, even when a participation cap
            // spreads it over several bars.
            let mut exit = NewOrder::new(symbol, side, OrderKind::Market, OrderQty::Units(exit_qty), "exit");
            exit.tif = TimeInForce::Gtc;
            self.new_order(exit, decision);
        }
        let Some(side) = entry else {
            return;
        };
        // All-cash entries are sized by the venue at the fill; every other model decides
        // here, and its decision is recorded.
        let mut sized = (!self.sizer.sizes_at_fill()).then(|| {
            let inputs = SizingInputs {
                equity: self.portfolio.equity(),
                buying_power: self.entry_buying_power(symbol),
                price: decision_px,
                confidence: signal.confidence,
                atr: None,
                sigma_annual: None,
            };
            self.sizer
                .decide(&self.instruments[symbol], bar.ts, symbol, side, inputs)
        });
        let qty = sized.as_ref().map_or(Some(OrderQty::AllCash), |s| s.qty);
        match qty {
            Some(qty) => {
                let id = self.new_order(NewOrder::new(symbol, side, entry_kind(signal), qty, "entry"), decision);
                if let Some(sized) = &mut sized {
                    sized.order_id = Some(id);
                }
                if signal.stop_loss.is_some() || signal.take_profit.is_some() {
                    self.brackets.push(Bracket {
                        entry: id,
                        symbol,
                        stop_loss: signal.stop_loss,
                        take_profit: signal.take_profit,
                        legs: Vec::new(),
                        replacing: Vec::new(),
                        exited: Decimal::ZERO,
                        fired: None,
                        entry_cancelled: false,
                        stop_triggered: false,
                        due: false,
                        as_of: bar.ts,
                    });
                }
            }
            None => {
                let reason = sized.as_ref().and_then(|s| s.skip_reason.clone()).unwrap_or_default();
                skip(self, reason);
            }
        }
        self.sizing_decisions.extend(sized);
    }

    /// What an entry in `symbol` may spend: the equity not committed to positions once
    /// the symbol's own position is exited (a signal sends that exit before its entry),
    /// less what entries still working in other symbols would cost at their decision
    /// prices, so entries decided together cannot spend the same money twice.
    fn entry_buying_power(&self, symbol: SymbolId) -> Decimal {
        let p = &self.portfolio;
        let released = (p.position(symbol).qty * p.mark_px(symbol)).abs();
        let reserved: Decimal = self
            .working
            .iter()
            .enumerate()
            .filter(|(s, _)| *s != symbol)
            .flat_map(|(_, ids)| ids)
            .map(|&id| self.order(id))
            .filter(|o| o.reason == "entry")
            .map(|o| match o.qty {
                OrderQty::Units(qty) => (qty - o.filled_qty) * o.decision_px,
                OrderQty::AllCash => Decimal::ZERO,
            })
            .sum();
        (p.equity() - p.gross_exposure() + released - reserved).max(Decimal::ZERO)
    }

    fn new_order(&mut self, new: NewOrder, decision: Decision) -> OrderId {
        let id = self.orders.len() as OrderId + 1;
        let mut order = Order {
            id,
            symbol: new.symbol,
            side: new.side,
            kind: new.kind,
            qty: new.qty,
            tif: new.tif,
            status: OrderStatus::Created,
            decision_ts: decision.ts,
            decision_px: decision.px,
            filled_qty: Decimal::ZERO,
            avg_fill_px: Decimal::ZERO,
            last_update_ts: decision.ts,
            arrival_ts: None,
            arrival_px: None,
            arrival_volume: None,
            end_px: None,
            oco: new.oco,
            reason: new.reason,
            note: None,
        };
        order
            .apply(OrderEvent::Submit, decision.ts)
            .expect("a new order can always be submitted");
        self.outbox.push(Command::Submit(Box::new(order.clone())));
        self.orders.push(order);
        self.working[new.symbol].push(id);
        id
    }

    /// Cancels everything working in `symbol` because a new signal replaces it. Entries
    /// cancelled this way keep no protective legs for what they filled: the new signal
    /// decides the position from here (it exits it, or keeps it).
    fn cancel_working(&mut self, symbol: SymbolId, reason: &'static str) {
        self.brackets.retain(|b| b.symbol != symbol);
        for &order_id in &self.working[symbol] {
            self.outbox.push(Command::Cancel {
                symbol,
                order_id,
                reason,
            });
        }
    }

    fn order_mut(&mut self, id: OrderId) -> &mut Order {
        &mut self.orders[(id - 1) as usize]
    }

    /// Applies a lifecycle event; an illegal one is recorded as a fault.
    fn transition(&mut self, id: OrderId, event: OrderEvent, ts: Timestamp, note: Option<String>) {
        let order = self.order_mut(id);
        match order.apply(event, ts) {
            Ok(()) => {
                if note.is_some() {
                    order.note = note;
                }
                if order.status.is_terminal() {
                    self.retire(id);
                }
            }
            Err(source) => self.faults.push(EngineFault { order_id: id, source }),
        }
    }

    /// Removes a finished order from the working set and settles what hangs on it.
    fn retire(&mut self, id: OrderId) {
        let symbol = self.order(id).symbol;
        let mark = self.portfolio.mark_px(symbol);
        let order = self.order_mut(id);
        order.end_px = Some(mark);
        let filled_whole = order.status == OrderStatus::Filled;
        self.working[symbol].retain(|w| *w != id);
        if let Some(pos) = self.oco.iter().position(|(a, b)| *a == id || *b == id) {
            let (a, b) = self.oco.remove(pos);
            let other = if a == id { b } else { a };
            // The venue already cancels the sibling of a leg that trades. A leg that ends
            // without filling (cancelled as the loser, or by a new signal) leaves the
            // other alone: it may be the winner, still working off a partial fill.
            if filled_whole {
                self.outbox.push(Command::Cancel {
                    symbol,
                    order_id: other,
                    reason: "other leg of the bracket filled",
                });
            }
        }
        if self.brackets.is_empty() {
            return;
        }
        if let Some(i) = self.brackets.iter().position(|b| b.entry == id) {
            // At once, not at the next batch: an entry filled whole by one fill gets its
            // legs exactly as it always did.
            self.brackets[i].as_of = self.order(id).last_update_ts;
            self.sync_bracket(i);
        } else if let Some(i) = self.brackets.iter().position(|b| b.holds_leg(id)) {
            let order = self.order(id);
            let (status, ts) = (order.status, order.last_update_ts);
            let b = &mut self.brackets[i];
            b.legs.retain(|l| *l != id);
            b.replacing.retain(|l| *l != id);
            if status == OrderStatus::Expired {
                // Only the end of the data expires a GTC leg: nothing follows it.
                self.brackets.remove(i);
            } else {
                self.mark_due(i, ts);
            }
        }
    }

    fn mark_due(&mut self, i: usize, ts: Timestamp) {
        let b = &mut self.brackets[i];
        b.due = true;
        b.as_of = ts;
        self.brackets_due = true;
    }

    /// Compares every due bracket's legs with its open quantity.
    fn settle_brackets(&mut self) {
        self.brackets_due = false;
        let due: Vec<OrderId> = self.brackets.iter().filter(|b| b.due).map(|b| b.entry).collect();
        for entry in due {
            if let Some(i) = self.brackets.iter().position(|b| b.entry == entry) {
                self.sync_bracket(i);
            }
        }
    }

    /// Brings a bracket's legs to its open quantity, or cancels its entry once a leg has
    /// traded; drops the bracket when nothing is left to protect.
    fn sync_bracket(&mut self, i: usize) {
        self.brackets[i].due = false;
        let b = &self.brackets[i];
        let entry = self.order(b.entry);
        let entry_done = entry.status.is_terminal();
        if !entry_done && let Some(reason) = b.fired {
            // The bracket has done its job: no more buying into it, and no resizing until
            // the entry has ended (its last fills are counted then).
            if !b.entry_cancelled {
                let (symbol, order_id) = (b.symbol, b.entry);
                self.brackets[i].entry_cancelled = true;
                self.outbox.push(Command::Cancel {
                    symbol,
                    order_id,
                    reason,
                });
            }
            return;
        }
        if !b.replacing.is_empty() {
            return;
        }
        let open = entry.filled_qty - b.exited;
        // Below the open quantity while an earlier exit of the symbol (a reversal's) is
        // still working: the rest is covered as that exit fills.
        let held = (entry.side.sign() * self.portfolio.position(b.symbol).qty).max(Decimal::ZERO);
        let target = open.min(held).max(Decimal::ZERO);
        let covered = b
            .legs
            .iter()
            .filter_map(|&l| self.order(l).remaining())
            .min()
            .unwrap_or_default();
        if !b.legs.is_empty() {
            if covered != target {
                let symbol = b.symbol;
                let old = std::mem::take(&mut self.brackets[i].legs);
                for &order_id in &old {
                    self.outbox.push(Command::Cancel {
                        symbol,
                        order_id,
                        reason: "replaced by legs for the quantity the bracket now holds",
                    });
                }
                self.brackets[i].replacing = old;
            }
            return;
        }
        if target > Decimal::ZERO {
            self.place_protection(i, target);
        } else if entry_done && open <= Decimal::ZERO {
            self.brackets.remove(i);
        }
    }

    /// Places the stop-loss and take-profit legs of bracket `i` for `qty`, as an OCO pair
    /// that the venue enforces: the first leg to fill cancels the other on the same bar.
    fn place_protection(&mut self, i: usize, qty: Decimal) {
        let b = &self.brackets[i];
        let entry = self.order(b.entry);
        let (symbol, exit_side) = (entry.symbol, opposite(entry.side));
        let decision = Decision {
            ts: b.as_of,
            px: entry.avg_fill_px,
        };
        // A triggered stop works as a market order; what replaces it must too, and a
        // take-profit beside it could only be cancelled by its fill at the next open.
        let legs: Vec<(OrderKind, &'static str)> = if b.stop_triggered {
            vec![(OrderKind::Market, "stop_loss")]
        } else {
            [
                b.stop_loss.map(|stop_px| (OrderKind::Stop { stop_px }, "stop_loss")),
                b.take_profit
                    .map(|limit_px| (OrderKind::Limit { limit_px }, "take_profit")),
            ]
            .into_iter()
            .flatten()
            .collect()
        };
        // Ids are sequential, so each leg can name its sibling before it exists.
        let first = self.orders.len() as OrderId + 1;
        let pair = legs.len() == 2;
        let mut ids = Vec::with_capacity(legs.len());
        for (n, (kind, reason)) in legs.into_iter().enumerate() {
            let mut order = NewOrder::new(symbol, exit_side, kind, OrderQty::Units(qty), reason);
            order.tif = TimeInForce::Gtc;
            order.oco = pair.then(|| if n == 0 { first + 1 } else { first });
            ids.push(self.new_order(order, decision));
        }
        if pair {
            self.oco.push((first, first + 1));
        }
        self.brackets[i].legs = ids;
    }

    /// A leg of a bracket traded: what it sold back is no longer the legs' to cover, and
    /// an entry still working is stopped.
    fn leg_traded(&mut self, i: usize, leg: OrderId, qty: Decimal, ts: Timestamp) {
        let reason = self.order(leg).reason;
        let entry_working = !self.order(self.brackets[i].entry).status.is_terminal();
        let b = &mut self.brackets[i];
        b.exited += qty;
        let stop = reason == "stop_loss";
        b.stop_triggered |= stop;
        if entry_working && b.fired.is_none() {
            b.fired = Some(if stop {
                "its stop-loss filled"
            } else {
                "its take-profit filled"
            });
        }
        self.mark_due(i, ts);
    }

    /// A bracket whose protective leg could not be placed does not leave the position
    /// naked: an entry still working is cancelled, the other leg too, and the position is
    /// closed at market.
    fn flatten_unprotected(&mut self, leg: OrderId, sibling: Option<OrderId>, entry: Option<OrderId>, ts: Timestamp) {
        let symbol = self.order(leg).symbol;
        if let Some(entry) = entry
            && !self.order(entry).status.is_terminal()
        {
            self.outbox.push(Command::Cancel {
                symbol,
                order_id: entry,
                reason: "its protective leg could not be placed",
            });
        }
        if let Some(sibling) = sibling
            && self.working[symbol].contains(&sibling)
        {
            self.outbox.push(Command::Cancel {
                symbol,
                order_id: sibling,
                reason: "the other leg of the bracket could not be placed",
            });
        }
        let held = self.portfolio.position(symbol).qty;
        let flattening = self.working[symbol]
            .iter()
            .any(|&id| self.order(id).reason == "bracket_flatten");
        if held.is_zero() || flattening {
            return;
        }
        self.close_at_market(symbol, "bracket_flatten", ts);
    }

    fn on_fill(&mut self, fill: Fill) {
        let id = fill.order_id;
        let order = self.order_mut(id);
        if let Err(source) = order.record_fill(fill.qty, fill.px, fill.ts) {
            self.faults.push(EngineFault { order_id: id, source });
            return;
        }
        let terminal = order.status.is_terminal();
        self.portfolio.apply_fill(&fill, self.equity.len());
        // Any fill in the symbol can change what its bracket's legs should cover (the
        // position caps them); a leg's own fill is what it sold back.
        for i in 0..self.brackets.len() {
            if self.brackets[i].symbol != fill.symbol {
                continue;
            }
            if self.brackets[i].holds_leg(id) {
                self.leg_traded(i, id, fill.qty, fill.ts);
            } else {
                self.mark_due(i, fill.ts);
            }
        }
        self.fills.push(fill);
        if terminal {
            self.retire(id);
        }
    }
}

/// When and at what price an order was decided.
#[derive(Debug, Clone, Copy)]
struct Decision {
    ts: Timestamp,
    px: Decimal,
}

/// An order about to be created.
struct NewOrder {
    symbol: SymbolId,
    side: Side,
    kind: OrderKind,
    qty: OrderQty,
    tif: TimeInForce,
    oco: Option<OrderId>,
    reason: &'static str,
}

impl NewOrder {
    /// A DAY order, as entries and targets are (exits and protective legs are GTC).
    fn new(symbol: SymbolId, side: Side, kind: OrderKind, qty: OrderQty, reason: &'static str) -> Self {
        NewOrder {
            symbol,
            side,
            kind,
            qty,
            tif: TimeInForce::Day,
            oco: None,
            reason,
        }
    }
}

/// A stop-loss must lie on the losing side of the decision price and a take-profit on
/// the winning side; otherwise a leg would fill at once and close (or flip) the trade.
fn check_protection(signal: &Signal, px: Decimal) -> Result<(), String> {
    let long = match signal.intent {
        Intent::Long => true,
        Intent::Short => false,
        _ => return Ok(()),
    };
    if let Some(stop) = signal.stop_loss
        && (if long { stop >= px } else { stop <= px })
    {
        let side = if long { "below" } else { "above" };
        return Err(format!(
            "stop_loss {stop} is not {side} the price {px} for a {} entry",
            if long { "long" } else { "short" }
        ));
    }
    if let Some(take) = signal.take_profit
        && (if long { take <= px } else { take >= px })
    {
        let side = if long { "above" } else { "below" };
        return Err(format!(
            "take_profit {take} is not {side} the price {px} for a {} entry",
            if long { "long" } else { "short" }
        ));
    }
    Ok(())
}

/// Whether a signal's orders include one that shrinks the position `held`: an exit, or a
/// target closer to flat on the same side.
fn reduces_exposure(intent: Intent, held: Decimal) -> bool {
    match intent {
        Intent::Long => held < Decimal::ZERO,
        Intent::Short => held > Decimal::ZERO,
        Intent::Flat => !held.is_zero(),
        Intent::Target(target) => target != held && !increases_exposure(held, target - held),
    }
}

/// Orders that only ever protect a position: its stop-loss and take-profit legs, the
/// flatten that replaces a leg that could not be placed, and the flatten of a halt.
pub fn is_protective(reason: &str) -> bool {
    matches!(reason, "stop_loss" | "take_profit" | "bracket_flatten" | "risk_flatten")
}

fn opposite(side: Side) -> Side {
    match side {
        Side::Buy => Side::Sell,
        Side::Sell => Side::Buy,
    }
}

fn entry_kind(signal: &Signal) -> OrderKind {
    match signal.limit_px {
        Some(limit_px) => OrderKind::Limit { limit_px },
        None => OrderKind::Market,
    }
}

impl VenueListener for Engine {
    fn buying_power(&self) -> Decimal {
        self.portfolio.buying_power()
    }

    fn account(&self, exclude: &[OrderId]) -> Account {
        let n = self.instruments.len();
        let mut working = vec![Decimal::ZERO; n];
        for (symbol, ids) in self.working.iter().enumerate() {
            for &id in ids.iter().filter(|id| !exclude.contains(id)) {
                let order = self.order(id);
                // Protective legs only ever close the position they protect: counting them
                // would make a protected position look flat (and a bracket count twice).
                if matches!(order.reason, "stop_loss" | "take_profit") {
                    continue;
                }
                // Not yet sent: decided with the order being checked and checked after it,
                // in the order sent. Counting a reversal's entry while its exit is checked
                // made the exit look like a flip, and a position limit refused the exit.
                if order.status == OrderStatus::Submitted {
                    continue;
                }
                // An all-cash order's size is unknown until it fills: it counts as none.
                working[symbol] += order.side.sign() * order.remaining().unwrap_or_default();
            }
        }
        Account {
            equity: self.portfolio.equity(),
            buying_power: self.portfolio.buying_power(),
            positions: (0..n).map(|s| self.portfolio.position(s).qty).collect(),
            marks: (0..n).map(|s| self.portfolio.mark_px(s)).collect(),
            working,
        }
    }

    fn on_venue_event(&mut self, event: VenueEvent) {
        match event {
            VenueEvent::Accepted { order_id, ts } => self.transition(order_id, OrderEvent::Accept, ts, None),
            VenueEvent::Rejected { order_id, ts, reason } => {
                let leg = matches!(self.order(order_id).reason, "stop_loss" | "take_profit");
                let sibling = self.order(order_id).oco;
                // The flatten takes over: the bracket places no more legs.
                let entry = self
                    .brackets
                    .iter()
                    .position(|b| b.holds_leg(order_id))
                    .map(|i| self.brackets.remove(i).entry);
                self.transition(order_id, OrderEvent::Reject, ts, Some(reason));
                if leg {
                    self.flatten_unprotected(order_id, sibling, entry, ts);
                }
            }
            VenueEvent::Arrived {
                order_id,
                ts,
                px,
                volume,
            } => {
                let order = self.order_mut(order_id);
                order.arrival_ts = Some(ts);
                order.arrival_px = Some(px);
                order.arrival_volume = Some(volume);
            }
            VenueEvent::QuantityResolved { order_id, qty } => {
                let order = self.order_mut(order_id);
                debug_assert_eq!(order.qty, OrderQty::AllCash, "only all-cash orders are resolved");
                order.qty = OrderQty::Units(qty);
            }
            VenueEvent::Triggered { order_id, ts } => {
                self.transition(order_id, OrderEvent::Trigger, ts, None);
                // A stop-loss reached is the bracket's exit even before it fills (the
                // participation cap may leave it nothing to fill on this bar).
                if let Some(i) = self.brackets.iter().position(|b| b.holds_leg(order_id)) {
                    let entry_working = !self.order(self.brackets[i].entry).status.is_terminal();
                    let b = &mut self.brackets[i];
                    b.stop_triggered = true;
                    if entry_working && b.fired.is_none() {
                        b.fired = Some("its stop-loss triggered");
                    }
                    self.mark_due(i, ts);
                }
            }
            VenueEvent::Filled(fill) => self.on_fill(fill),
            VenueEvent::Cancelled { order_id, ts, reason } => {
                self.transition(order_id, OrderEvent::Cancel, ts, Some(reason))
            }
            VenueEvent::Expired { order_id, ts, reason } => {
                self.transition(order_id, OrderEvent::Expire, ts, Some(reason))
            }
        }
    }
}
