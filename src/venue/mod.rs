//! The simulated venue: where orders meet bars.
//!
//! It implements the fill conventions of the backtest and nothing else: the engine
//! decides what to trade, the venue decides what would have happened. It keeps the
//! orders working per symbol in arrival order (so earlier orders fill first, and an
//! all-cash entry placed after an exit sees the exit's proceeds), walks each bar's
//! intrabar path ([`path`]), limits what a bar can fill to a share of its volume,
//! applies slippage and impact ([`slippage`]) and fees ([`fees`]), and reports every
//! acknowledgement, arrival, fill, cancel and expiry to a [`VenueListener`].
//!
//! Timing rule: an order can only fill on a bar that starts more than the configured
//! latency after the bar it was decided on started, so nothing fills on prices known
//! before the order existed. With no latency that is the next bar. The order is taken to
//! arrive at that bar's open (bars carry no finer timing): its arrival price is the
//! open. The one exception is [`FillTiming::SameClose`], which fills market orders at
//! the decision bar's close and is reported as able to look ahead.
//!
//! Volume rule: with a participation limit p, the strategy's orders in a symbol fill at
//! most p × the bar's volume together (whole lots), in arrival order; what does not fill
//! stays working (partial fills) unless its time in force says otherwise: IOC cancels the
//! rest after its first bar, FOK fills whole on its first bar or not at all. A bar with
//! zero volume then fills nothing. Without a limit, any size fills.

pub mod fees;
pub mod path;
pub mod router;
pub mod slippage;

use crate::model::{
    Bar, Fill, Instrument, Liquidity, Order, OrderId, OrderKind, OrderQty, Side, TimeInForce, Timestamp,
};
use crate::scenario::{FillTiming, SlippageConfig, VenueConfig};
use fees::OrderFees;
use path::{MatchOutcome, match_order};
use rand_chacha::ChaCha8Rng;
use rand_core::{RngCore, SeedableRng};
pub use router::{CostQuote, RouteDecision, RouteLog, Router, VenueId};
use rust_decimal::Decimal;
use slippage::{FillContext, RollingSigma};

const NANOS_PER_MS: i64 = 1_000_000;

/// What the venue tells the order's owner.
#[derive(Debug, Clone, PartialEq)]
pub enum VenueEvent {
    Accepted {
        order_id: OrderId,
        ts: Timestamp,
    },
    Rejected {
        order_id: OrderId,
        ts: Timestamp,
        reason: String,
    },
    /// The order reached the market: the first bar it could trade on opened at `px` and
    /// traded `volume` in all.
    Arrived {
        order_id: OrderId,
        ts: Timestamp,
        px: Decimal,
        volume: Decimal,
    },
    /// An all-cash order's quantity, fixed at its first fill.
    QuantityResolved {
        order_id: OrderId,
        qty: Decimal,
    },
    Triggered {
        order_id: OrderId,
        ts: Timestamp,
    },
    Filled(Fill),
    Cancelled {
        order_id: OrderId,
        ts: Timestamp,
        reason: String,
    },
    Expired {
        order_id: OrderId,
        ts: Timestamp,
        reason: String,
    },
}

/// The venue's view of the account it trades for, and where its events go.
pub trait VenueListener {
    /// What an all-cash order may spend at the moment it fills (equity not committed to
    /// positions).
    fn buying_power(&self) -> Decimal;
    fn on_venue_event(&mut self, event: VenueEvent);
    /// The account as a pre-trade risk check sees it, leaving the orders in `exclude` out
    /// of the working quantities (the order being checked, its sibling, its parent).
    fn account(&self, exclude: &[OrderId]) -> Account {
        let _ = exclude;
        Account::default()
    }
}

/// The account's state for the risk guard: owned, so the guard can borrow it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Account {
    pub equity: Decimal,
    pub buying_power: Decimal,
    /// Signed position per symbol.
    pub positions: Vec<Decimal>,
    /// Last close per symbol.
    pub marks: Vec<Decimal>,
    /// Signed unfilled quantity of the working orders per symbol.
    pub working: Vec<Decimal>,
}

impl Account {
    pub fn view(&self) -> crate::risk::AccountView<'_> {
        crate::risk::AccountView {
            equity: self.equity,
            buying_power: self.buying_power,
            positions: &self.positions,
            marks: &self.marks,
            working: &self.working,
        }
    }
}

/// An order as the venue works it.
#[derive(Debug, Clone)]
struct WorkingOrder {
    id: OrderId,
    side: Side,
    kind: OrderKind,
    qty: OrderQty,
    filled: Decimal,
    tif: TimeInForce,
    decision_ts: Timestamp,
    triggered: bool,
    /// Day index of the first bar the order could trade on (for DAY expiry); set on arrival.
    session_day: Option<i64>,
    fees: OrderFees,
    oco: Option<OrderId>,
    /// Sized from buying power: every fill is limited by what it can still afford.
    all_cash: bool,
}

impl WorkingOrder {
    fn from_order(order: &Order) -> Self {
        WorkingOrder {
            id: order.id,
            side: order.side,
            kind: order.kind,
            qty: order.qty,
            filled: order.filled_qty,
            tif: order.tif,
            decision_ts: order.decision_ts,
            triggered: false,
            session_day: None,
            fees: OrderFees::default(),
            oco: order.oco,
            all_cash: order.qty == OrderQty::AllCash,
        }
    }
}

/// Per-symbol state of the venue.
#[derive(Debug, Clone)]
struct Book {
    working: Vec<WorkingOrder>,
    last_bar: Option<Bar>,
    /// Volatility of the closes seen so far (for square-root impact).
    sigma: RollingSigma,
    /// What same-close fills have used of the latest bar's volume.
    close_filled: Decimal,
    /// The latest bar's quoted spread from the data (0 without a spread column).
    quoted_spread: Decimal,
}

pub struct SimulatedVenue {
    /// Stamped on every fill, so reports can tell venues apart.
    id: VenueId,
    /// Share of each bar's volume that trades here (1 for a lone venue).
    volume_fraction: Decimal,
    config: VenueConfig,
    instruments: Vec<Instrument>,
    books: Vec<Book>,
    latency_ns: i64,
    /// Seeded from the scenario; drawn once per fill only when the noise is on.
    rng: ChaCha8Rng,
    scratch: Scratch,
}

/// Working buffers of one bar's matching, kept between bars to avoid allocating.
#[derive(Default)]
struct Scratch {
    slots: Vec<Option<WorkingOrder>>,
    candidates: Vec<(Decimal, usize, path::PathFill)>,
    trading: Vec<bool>,
    done: Vec<bool>,
}

impl Scratch {
    fn clear(&mut self) {
        self.slots.clear();
        self.candidates.clear();
        self.trading.clear();
        self.done.clear();
    }
}

/// What the current bar still allows, shared by the orders of its symbol.
struct BarBudget {
    /// Quantity the strategy may still fill on this bar; `None`: no volume limit.
    left: Option<Decimal>,
    /// Quantity filled on this bar so far.
    filled: Decimal,
}

impl SimulatedVenue {
    pub fn new(config: VenueConfig, instruments: Vec<Instrument>, seed: u64) -> Self {
        let window = match config.slippage {
            SlippageConfig::SquareRoot { sigma_bars, .. } => sigma_bars,
            _ => 0,
        };
        let books = instruments
            .iter()
            .map(|_| Book {
                working: Vec::new(),
                last_bar: None,
                sigma: RollingSigma::new(window),
                close_filled: Decimal::ZERO,
                quoted_spread: Decimal::ZERO,
            })
            .collect();
        let latency_ns = i64::try_from(config.latency_ms).unwrap_or(i64::MAX / NANOS_PER_MS) * NANOS_PER_MS;
        SimulatedVenue {
            id: 0,
            volume_fraction: Decimal::ONE,
            config,
            instruments,
            books,
            latency_ns,
            rng: ChaCha8Rng::seed_from_u64(seed),
            scratch: Scratch::default(),
        }
    }

    /// This venue as venue `id` of several, trading `volume_fraction` of every bar's
    /// volume (0 < f <= 1): its participation cap and impact apply to that share.
    #[must_use]
    pub fn with_share(mut self, id: VenueId, volume_fraction: Decimal) -> Self {
        self.id = id;
        self.volume_fraction = volume_fraction;
        self
    }

    pub fn config(&self) -> &VenueConfig {
        &self.config
    }

    /// Sets the quoted spread of `symbol`'s next bar (from the data's spread column), for
    /// fills on that bar and same-close fills at its close.
    pub fn set_quoted_spread(&mut self, symbol: usize, spread: Decimal) {
        self.books[symbol].quoted_spread = spread;
    }

    /// The volume of `bar` that trades on this venue.
    fn venue_volume(&self, bar: &Bar) -> Decimal {
        let volume = bar.volume.max(Decimal::ZERO);
        if self.volume_fraction == Decimal::ONE {
            volume
        } else {
            volume * self.volume_fraction
        }
    }

    /// What trading `qty` of `order` here would cost if it filled at `px` on a bar like
    /// `symbol`'s latest one: the price a fill of `qty` would get there (half the quoted
    /// spread, the impact model at this venue's share of that bar's volume, no random
    /// component, rounded to the tick against the order as a fill is, capped at a
    /// limit) against `px`, times `qty`, plus the fees. A limit order that would rest (a
    /// buy below `px`, a sell above) is priced as a maker: no spread, no impact, maker
    /// fees. `None` before the symbol's first bar. Amounts too large for a Decimal
    /// saturate (the venue is then never the cheapest).
    pub fn quote(&self, order: &Order, qty: Decimal, px: Decimal) -> Option<CostQuote> {
        let book = &self.books[order.symbol];
        let bar = book.last_bar?;
        let instrument = &self.instruments[order.symbol];
        let rests = order.kind.limit_px().is_some_and(|limit| match order.side {
            Side::Buy => limit < px,
            Side::Sell => limit > px,
        }) && order.kind.stop_px().is_none();
        let fees = |liquidity| fees::commission(&self.config.commission, qty, px, liquidity, &OrderFees::default());
        if rests {
            return Some(CostQuote {
                venue: self.id,
                spread: Decimal::ZERO,
                impact: Decimal::ZERO,
                fees: fees(Liquidity::Maker),
            });
        }
        let ctx = FillContext {
            qty,
            filled_in_bar: Decimal::ZERO,
            bar_volume: self.venue_volume(&bar),
            participation_max: self.config.participation_max,
            sigma: book.sigma.sigma(),
            noise_z: 0.0,
            noise_bps: Decimal::ZERO,
            quoted_spread: book.quoted_spread,
        };
        let clamp = self.config.price_clamp;
        let mut slipped = slippage::apply(&self.config.slippage, clamp, instrument, &bar, order.side, px, &ctx);
        if let Some(limit) = order.kind.limit_px() {
            slipped = cap_at_limit(slipped, order.side, limit, px);
        }
        let moved = order.side.sign() * (slipped.px - px);
        let times_qty = |per_unit: Decimal| per_unit.checked_mul(qty).unwrap_or(Decimal::MAX);
        Some(CostQuote {
            venue: self.id,
            spread: times_qty(slipped.spread_per_unit),
            impact: times_qty(moved - slipped.spread_per_unit),
            fees: fees(Liquidity::Taker),
        })
    }

    /// True while any order is working in any symbol.
    pub fn has_working(&self) -> bool {
        self.books.iter().any(|b| !b.working.is_empty())
    }

    /// Number of orders still working in `symbol`.
    pub fn working_count(&self, symbol: usize) -> usize {
        self.books[symbol].working.len()
    }

    /// Accepts or rejects a new order. Under [`FillTiming::SameClose`] a market order
    /// fills at once at the close of the symbol's latest bar (within its volume limit).
    pub fn submit(&mut self, order: &Order, now: Timestamp, listener: &mut dyn VenueListener) {
        let instrument = &self.instruments[order.symbol];
        if let Some(reason) = reject_reason(order, instrument) {
            listener.on_venue_event(VenueEvent::Rejected {
                order_id: order.id,
                ts: now,
                reason,
            });
            return;
        }
        listener.on_venue_event(VenueEvent::Accepted {
            order_id: order.id,
            ts: now,
        });
        let mut working = WorkingOrder::from_order(order);
        // Same-close fills at the close of the bar the order was decided on; one decided
        // before its symbol's bar at that time was seen (a halt's flatten as the bar
        // begins) waits for the bar like any order, or it would fill at an older close.
        if self.config.fill_timing == FillTiming::SameClose
            && order.kind == OrderKind::Market
            && let Some(bar) = self.books[order.symbol].last_bar.filter(|b| b.ts >= order.decision_ts)
        {
            listener.on_venue_event(VenueEvent::Arrived {
                order_id: order.id,
                ts: bar.ts,
                px: bar.close,
                volume: bar.volume,
            });
            // It has arrived: its first session is the decision bar's, and what it cannot
            // fill now waits for the next bar like any order.
            working.session_day = Some(bar.ts.day_index());
            // Same-close fills of one bar share its volume budget.
            let mut budget = self.budget(&bar);
            let used = self.books[order.symbol].close_filled;
            budget.filled = used;
            if let Some(left) = budget.left.as_mut() {
                *left = (*left - used).max(Decimal::ZERO);
            }
            let done = self.execute(
                order.symbol,
                &mut working,
                &bar,
                bar.close,
                false,
                &mut budget,
                listener,
            );
            self.books[order.symbol].close_filled = budget.filled;
            if done {
                return;
            }
        }
        self.books[order.symbol].working.push(working);
    }

    /// Cancels a working order; a no-op (returning false) when it is no longer working.
    pub fn cancel(
        &mut self,
        symbol: usize,
        order_id: OrderId,
        now: Timestamp,
        reason: &str,
        listener: &mut dyn VenueListener,
    ) -> bool {
        let working = &mut self.books[symbol].working;
        let Some(pos) = working.iter().position(|w| w.id == order_id) else {
            return false;
        };
        working.remove(pos);
        listener.on_venue_event(VenueEvent::Cancelled {
            order_id,
            ts: now,
            reason: reason.to_string(),
        });
        true
    }

    fn budget(&self, bar: &Bar) -> BarBudget {
        let left = self.config.participation_max.map(|p| p * self.venue_volume(bar));
        BarBudget {
            left,
            filled: Decimal::ZERO,
        }
    }

    /// Matches the working orders of `symbol` against its new bar.
    pub fn on_bar(&mut self, symbol: usize, bar: &Bar, listener: &mut dyn VenueListener) {
        bar.debug_check();
        let filled = if self.books[symbol].working.is_empty() {
            Decimal::ZERO
        } else {
            self.match_bar(symbol, bar, listener)
        };
        // After matching: the bar's close is history for the next bar's impact.
        let book = &mut self.books[symbol];
        book.last_bar = Some(*bar);
        book.sigma.push(bar.close);
        // Same-close fills at this bar's close share the volume the bar already gave.
        book.close_filled = filled;
    }

    /// Returns the quantity filled on the bar.
    fn match_bar(&mut self, symbol: usize, bar: &Bar, listener: &mut dyn VenueListener) -> Decimal {
        let mut orders = std::mem::take(&mut self.books[symbol].working);
        let day = bar.ts.day_index();
        // Buffers reused from bar to bar: this runs on every bar with working orders.
        let mut scratch = std::mem::take(&mut self.scratch);
        scratch.clear();
        let Scratch {
            slots,
            candidates,
            trading,
            done,
        } = &mut scratch;
        // Pass 1: which orders can trade on this bar, and where on its path they would fill.
        for mut order in orders.drain(..) {
            let index = slots.len();
            let eligible = bar.ts.0 > order.decision_ts.0.saturating_add(self.latency_ns);
            if eligible && order.tif == TimeInForce::Day && order.session_day.is_some_and(|d| d < day) {
                listener.on_venue_event(VenueEvent::Expired {
                    order_id: order.id,
                    ts: bar.ts,
                    reason: "DAY order not filled by the end of its trading day".to_string(),
                });
                continue;
            }
            if eligible {
                if order.session_day.is_none() {
                    order.session_day = Some(day);
                    listener.on_venue_event(VenueEvent::Arrived {
                        order_id: order.id,
                        ts: bar.ts,
                        px: bar.open,
                        volume: bar.volume,
                    });
                }
                match match_order(bar, self.config.intrabar_path, order.side, &order.kind, order.triggered) {
                    MatchOutcome::Fill(fill) => candidates.push((fill.at, index, fill)),
                    MatchOutcome::TriggeredOnly => {
                        order.triggered = true;
                        listener.on_venue_event(VenueEvent::Triggered {
                            order_id: order.id,
                            ts: bar.ts,
                        });
                    }
                    MatchOutcome::NoFill => {}
                }
            }
            trading.push(eligible);
            slots.push(Some(order));
        }
        // Pass 2: fill in the order the path reaches the orders (ties: arrival order, so an
        // exit placed before an entry fills first). A filled leg of a one-cancels-other pair
        // cancels its sibling at once, so both legs never fill on one bar.
        candidates.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(&b.1)));
        let mut budget = self.budget(bar);
        done.resize(slots.len(), false);
        for &(_, index, fill) in candidates.iter() {
            let Some(order) = slots[index].as_mut() else {
                continue;
            };
            let newly_triggered = fill.triggered && !order.triggered;
            if newly_triggered && matches!(order.kind, OrderKind::StopLimit { .. }) {
                listener.on_venue_event(VenueEvent::Triggered {
                    order_id: order.id,
                    ts: bar.ts,
                });
            }
            order.triggered |= fill.triggered;
            let before = order.filled;
            done[index] = self.execute(symbol, order, bar, fill.px, fill.resting, &mut budget, listener);
            let (filled_now, sibling) = (order.filled > before, order.oco);
            // A stop reports its trigger through its fill; one the bar's volume budget left
            // nothing to fill has become a market order all the same, and its owner must
            // be able to tell it from a stop not yet reached.
            if newly_triggered && !filled_now && !done[index] && matches!(order.kind, OrderKind::Stop { .. }) {
                listener.on_venue_event(VenueEvent::Triggered {
                    order_id: order.id,
                    ts: bar.ts,
                });
            }
            if filled_now && let Some(sibling) = sibling {
                let other = slots.iter().position(|o| o.as_ref().is_some_and(|o| o.id == sibling));
                if let Some(other) = other {
                    slots[other] = None;
                    listener.on_venue_event(VenueEvent::Cancelled {
                        order_id: sibling,
                        ts: bar.ts,
                        reason: "the other leg of its one-cancels-other pair filled".to_string(),
                    });
                }
            }
        }
        // What is left keeps working, unless its time in force ends it after its first bar.
        let mut keep = orders;
        for (index, slot) in slots.drain(..).enumerate() {
            let Some(order) = slot else {
                continue;
            };
            if done[index] {
                continue;
            }
            if trading[index] && matches!(order.tif, TimeInForce::Ioc | TimeInForce::Fok) {
                let reason = format!(
                    "{} order not filled whole on the first bar it could trade",
                    order.tif.as_str()
                );
                listener.on_venue_event(VenueEvent::Cancelled {
                    order_id: order.id,
                    ts: bar.ts,
                    reason,
                });
                continue;
            }
            keep.push(order);
        }
        self.books[symbol].working = keep;
        self.scratch = scratch;
        budget.filled
    }

    /// Fills as much of `order` at `px_before_slippage` as the bar's budget allows.
    /// Returns true when the order is done: filled whole, or cancelled (an all-cash order
    /// that cannot afford one lot, an FOK order the bar cannot fill whole).
    #[allow(clippy::too_many_arguments)]
    fn execute(
        &mut self,
        symbol: usize,
        order: &mut WorkingOrder,
        bar: &Bar,
        px_before_slippage: Decimal,
        resting: bool,
        budget: &mut BarBudget,
        listener: &mut dyn VenueListener,
    ) -> bool {
        let instrument = &self.instruments[symbol];
        let liquidity = if resting { Liquidity::Maker } else { Liquidity::Taker };
        let noise_z = if self.config.slippage_noise_bps.is_zero() {
            0.0
        } else {
            standard_normal(&mut self.rng)
        };
        let mut ctx = FillContext {
            qty: Decimal::ZERO,
            filled_in_bar: budget.filled,
            bar_volume: self.venue_volume(bar),
            participation_max: self.config.participation_max,
            sigma: self.books[symbol].sigma.sigma(),
            noise_z,
            noise_bps: self.config.slippage_noise_bps,
            quoted_spread: self.books[symbol].quoted_spread,
        };
        let (config, clamp, side, limit) = (
            &self.config.slippage,
            self.config.price_clamp,
            order.side,
            order.kind.limit_px(),
        );
        // A resting limit traded through fills at its limit: it provided the liquidity, so
        // no spread or impact. Any other limit fill is slipped, but never past its limit.
        let price_for = |ctx: &FillContext, qty: Decimal| {
            if resting {
                return slippage::Slipped {
                    px: px_before_slippage,
                    spread_per_unit: Decimal::ZERO,
                };
            }
            let ctx = FillContext { qty, ..*ctx };
            let slipped = slippage::apply(config, clamp, instrument, bar, side, px_before_slippage, &ctx);
            match limit {
                Some(limit) => cap_at_limit(slipped, side, limit, px_before_slippage),
                None => slipped,
            }
        };

        // Nothing to do on a bar whose budget is spent: wait (an all-cash order is not
        // sized until something can fill).
        if budget
            .left
            .is_some_and(|left| instrument.round_qty_down(left) <= Decimal::ZERO)
        {
            return false;
        }
        // The last quantity priced, and its price: sizing an all-cash order prices the
        // quantity that usually fills, so the fill need not price it again.
        let mut priced: Option<(Decimal, slippage::Slipped)> = None;
        let remaining = match order.qty {
            OrderQty::Units(q) => q - order.filled,
            OrderQty::AllCash => {
                let cash = listener.buying_power();
                let commission = &self.config.commission;
                let fees_before = order.fees;
                let fee = |q: Decimal, px: Decimal| fees::commission(commission, q, px, liquidity, &fees_before);
                // Size at the unimpacted price, then again at the price the first size
                // would get: impact only grows with size, so the second size is affordable.
                // The unslipped price is a lower bound on every slipped one.
                let first = all_cash_qty(cash, px_before_slippage, instrument, fee);
                let first_price = price_for(&ctx, first);
                priced = Some((first, first_price));
                let qty = all_cash_qty(cash, first_price.px, instrument, fee);
                if qty < instrument.min_qty.max(instrument.lot_size) || qty <= Decimal::ZERO {
                    listener.on_venue_event(VenueEvent::Cancelled {
                        order_id: order.id,
                        ts: bar.ts,
                        reason: format!("not enough cash for one lot at {}", price_for(&ctx, Decimal::ZERO).px),
                    });
                    return true;
                }
                order.qty = OrderQty::Units(qty);
                listener.on_venue_event(VenueEvent::QuantityResolved {
                    order_id: order.id,
                    qty,
                });
                qty
            }
        };

        let mut allowed = match budget.left {
            None => remaining,
            Some(left) => instrument.round_qty_down(left.min(remaining)),
        };
        // A part below the minimum quantity would leave a position no order could trade:
        // wait for a bar that allows more (the last part of an order may be small).
        if allowed < remaining && allowed < instrument.min_qty {
            allowed = Decimal::ZERO;
        }
        // An all-cash order filling in parts spends what is left of the buying power, at
        // the price of each part; when that runs out the rest is cancelled.
        if order.all_cash && !order.filled.is_zero() && allowed > Decimal::ZERO {
            let commission = &self.config.commission;
            let fees_before = order.fees;
            let fee = |q: Decimal, px: Decimal| fees::commission(commission, q, px, liquidity, &fees_before);
            let price = price_for(&ctx, allowed);
            priced = Some((allowed, price));
            let affordable = all_cash_qty(listener.buying_power(), price.px, instrument, fee);
            if affordable < allowed {
                allowed = affordable;
            }
            if allowed <= Decimal::ZERO {
                listener.on_venue_event(VenueEvent::Cancelled {
                    order_id: order.id,
                    ts: bar.ts,
                    reason: format!("not enough cash for the rest ({remaining}) after partial fills"),
                });
                return true;
            }
        }
        if order.tif == TimeInForce::Fok && allowed < remaining {
            listener.on_venue_event(VenueEvent::Cancelled {
                order_id: order.id,
                ts: bar.ts,
                reason: format!("FOK order for {remaining} cannot fill whole: the bar allows {allowed}"),
            });
            return true;
        }
        if allowed <= Decimal::ZERO {
            return false;
        }
        ctx.qty = allowed;
        let slipped = match priced {
            Some((qty, price)) if qty == allowed => price,
            _ => price_for(&ctx, allowed),
        };
        let fee = fees::commission(&self.config.commission, allowed, slipped.px, liquidity, &order.fees);
        order.filled += allowed;
        order.fees.shares += allowed;
        order.fees.notional += allowed * slipped.px;
        order.fees.paid += fee;
        budget.filled += allowed;
        if let Some(left) = budget.left.as_mut() {
            *left -= allowed;
        }
        listener.on_venue_event(VenueEvent::Filled(Fill {
            order_id: order.id,
            symbol,
            side: order.side,
            ts: bar.ts,
            qty: allowed,
            px: slipped.px,
            px_before_slippage,
            spread_per_unit: slipped.spread_per_unit,
            fee,
            liquidity,
            venue: self.id,
        }));
        allowed == remaining
    }

    /// Expires every order still working, e.g. when the data ends.
    pub fn expire_all(&mut self, now: Timestamp, reason: &str, listener: &mut dyn VenueListener) {
        for book in &mut self.books {
            for order in book.working.drain(..) {
                listener.on_venue_event(VenueEvent::Expired {
                    order_id: order.id,
                    ts: now,
                    reason: reason.to_string(),
                });
            }
        }
    }
}

/// Keeps a slipped limit fill at or better than its limit, cutting impact first.
fn cap_at_limit(slipped: slippage::Slipped, side: Side, limit: Decimal, before: Decimal) -> slippage::Slipped {
    let px = match side {
        Side::Buy => slipped.px.min(limit),
        Side::Sell => slipped.px.max(limit),
    };
    let moved = (side.sign() * (px - before)).max(Decimal::ZERO);
    slippage::Slipped {
        px,
        spread_per_unit: slipped.spread_per_unit.min(moved),
    }
}

/// A standard-normal draw (Box-Muller) from the venue's seeded generator.
fn standard_normal(rng: &mut ChaCha8Rng) -> f64 {
    // 53 random bits to a float in (0, 1]; never zero, so the logarithm is finite.
    let uniform = |rng: &mut ChaCha8Rng| ((rng.next_u64() >> 11) as f64 + 1.0) / (1u64 << 53) as f64;
    let (u1, u2) = (uniform(rng), uniform(rng));
    (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
}

/// Why the venue refuses an order outright, if it does.
fn reject_reason(order: &Order, instrument: &Instrument) -> Option<String> {
    // The minimum quantity is the sizing's to respect (entries below it are skipped); an
    // order that closes a smaller position must still reach the market.
    if let OrderQty::Units(qty) = order.qty {
        if qty <= Decimal::ZERO {
            return Some(format!("quantity {qty} must be positive"));
        }
        if !instrument.lot_size.is_zero() && !(qty % instrument.lot_size).is_zero() {
            return Some(format!(
                "quantity {qty} is not a multiple of the lot size {}",
                instrument.lot_size
            ));
        }
    }
    let prices = [order.kind.limit_px(), order.kind.stop_px()];
    if let Some(px) = prices.into_iter().flatten().find(|px| *px <= Decimal::ZERO) {
        return Some(format!("price {px} must be positive"));
    }
    None
}

/// The largest whole-lot quantity whose cost plus fee fits in `cash` at `px`.
fn all_cash_qty(
    cash: Decimal,
    px: Decimal,
    instrument: &Instrument,
    fee: impl Fn(Decimal, Decimal) -> Decimal,
) -> Decimal {
    if cash <= Decimal::ZERO || px <= Decimal::ZERO {
        return Decimal::ZERO;
    }
    // Fees are small against notional, so re-sizing on the cash left after the fee lands
    // under the budget within a few refinements; a schedule where it does not (a fee that
    // jumps with size) is then walked down lot by lot, a bounded number of steps, and
    // anything still unaffordable sizes to zero (the order is cancelled with a reason).
    const REFINEMENTS: usize = 4;
    const LOT_STEPS: usize = 1_000;
    let mut qty = instrument.round_qty_down(cash / px);
    for _ in 0..REFINEMENTS {
        let cost = qty * px + fee(qty, px);
        if cost <= cash {
            return qty;
        }
        qty = instrument.round_qty_down((cash - fee(qty, px)).max(Decimal::ZERO) / px);
    }
    let step = if instrument.lot_size.is_zero() {
        Decimal::ONE
    } else {
        instrument.lot_size
    };
    for _ in 0..LOT_STEPS {
        if qty <= Decimal::ZERO || qty * px + fee(qty, px) <= cash {
            return qty.max(Decimal::ZERO);
        }
        qty -= step;
    }
    Decimal::ZERO
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{OrderStatus, SymbolId};
    use rust_decimal::dec;

    /// Records what the venue says, with a fixed cash balance.
    struct Recorder {
        cash: Decimal,
        events: Vec<VenueEvent>,
    }

    impl VenueListener for Recorder {
        fn buying_power(&self) -> Decimal {
            self.cash
        }
        fn on_venue_event(&mut self, event: VenueEvent) {
            self.events.push(event);
        }
    }

    const DAY: i64 = crate::model::time::NANOS_PER_DAY;

    fn bar(day: i64, o: Decimal, h: Decimal, l: Decimal, c: Decimal) -> Bar {
        Bar {
            ts: Timestamp(day * DAY),
            open: o,
            high: h,
            low: l,
            close: c,
            volume: dec!(1000),
        }
    }

    fn order(id: OrderId, symbol: SymbolId, kind: OrderKind, tif: TimeInForce, decided_day: i64) -> Order {
        Order {
            id,
            symbol,
            side: Side::Buy,
            kind,
            qty: OrderQty::Units(dec!(10)),
            tif,
            status: OrderStatus::Submitted,
            decision_ts: Timestamp(decided_day * DAY),
            decision_px: dec!(10),
            filled_qty: Decimal::ZERO,
            avg_fill_px: Decimal::ZERO,
            last_update_ts: Timestamp(decided_day * DAY),
            arrival_ts: None,
            arrival_px: None,
            arrival_volume: None,
            end_px: None,
            oco: None,
            reason: "test",
            note: None,
        }
    }

    /// Lifecycle events by name; arrivals and quantity resolutions are left out.
    fn names(events: &[VenueEvent]) -> Vec<(&'static str, OrderId)> {
        events
            .iter()
            .filter(|e| !matches!(e, VenueEvent::Arrived { .. } | VenueEvent::QuantityResolved { .. }))
            .map(|e| match e {
                VenueEvent::Accepted { order_id, .. } => ("accepted", *order_id),
                VenueEvent::Arrived { order_id, .. } => ("arrived", *order_id),
                VenueEvent::QuantityResolved { order_id, .. } => ("resolved", *order_id),
                VenueEvent::Rejected { order_id, .. } => ("rejected", *order_id),
                VenueEvent::Triggered { order_id, .. } => ("triggered", *order_id),
                VenueEvent::Filled(f) => ("filled", f.order_id),
                VenueEvent::Cancelled { order_id, .. } => ("cancelled", *order_id),
                VenueEvent::Expired { order_id, .. } => ("expired", *order_id),
            })
            .collect()
    }

    #[test]
    fn time_in_force_decides_what_survives_an_unfilled_bar() {
        let mut venue = SimulatedVenue::new(VenueConfig::default(), vec![Instrument::equity("X")], 0);
        let mut rec = Recorder {
            cash: dec!(1000),
            events: Vec::new(),
        };
        let limit = OrderKind::Limit { limit_px: dec!(9) };
        for (id, tif) in [
            (1, TimeInForce::Day),
            (2, TimeInForce::Gtc),
            (3, TimeInForce::Ioc),
            (4, TimeInForce::Fok),
        ] {
            venue.submit(&order(id, 0, limit, tif, 0), Timestamp(0), &mut rec);
        }
        rec.events.clear();
        // Day 1 never trades through 9: IOC and FOK are cancelled after their first bar.
        venue.on_bar(0, &bar(1, dec!(10), dec!(11), dec!(9.5), dec!(10)), &mut rec);
        assert_eq!(names(&rec.events), [("cancelled", 3), ("cancelled", 4)]);
        rec.events.clear();
        // Day 2 trades through 9: the DAY order expired at the end of day 1; GTC fills.
        venue.on_bar(0, &bar(2, dec!(10), dec!(10), dec!(8), dec!(8.5)), &mut rec);
        assert_eq!(names(&rec.events), [("expired", 1), ("filled", 2)]);
        assert_eq!(venue.working_count(0), 0);
    }

    #[test]
    fn a_stop_reached_on_a_bar_with_no_budget_left_reports_its_trigger() {
        let config = VenueConfig {
            participation_max: Some(dec!(0.1)),
            ..VenueConfig::default()
        };
        let mut venue = SimulatedVenue::new(config, vec![Instrument::equity("X")], 0);
        let mut rec = Recorder {
            cash: dec!(100000),
            events: Vec::new(),
        };
        // A buy that takes the bar's whole budget (10% of 1,000) at the open, and two
        // sell stops: one whose stop the path reaches after that, one never reached.
        let mut buy = order(1, 0, OrderKind::Market, TimeInForce::Gtc, 0);
        buy.qty = OrderQty::Units(dec!(100));
        let mut stop = order(2, 0, OrderKind::Stop { stop_px: dec!(9.5) }, TimeInForce::Gtc, 0);
        stop.side = Side::Sell;
        let mut far = order(3, 0, OrderKind::Stop { stop_px: dec!(5) }, TimeInForce::Gtc, 0);
        far.side = Side::Sell;
        for o in [&buy, &stop, &far] {
            venue.submit(o, Timestamp(0), &mut rec);
        }
        rec.events.clear();
        venue.on_bar(0, &bar(1, dec!(10), dec!(10), dec!(9), dec!(9.2)), &mut rec);
        assert_eq!(names(&rec.events), [("filled", 1), ("triggered", 2)]);
        rec.events.clear();
        // Triggered, it is a market order: it fills at the next open, with no second trigger.
        venue.on_bar(0, &bar(2, dec!(9.1), dec!(9.3), dec!(9), dec!(9.2)), &mut rec);
        assert_eq!(names(&rec.events), [("filled", 2)]);
    }

    #[test]
    fn ioc_fills_when_it_can_on_its_first_bar() {
        let mut venue = SimulatedVenue::new(VenueConfig::default(), vec![Instrument::equity("X")], 0);
        let mut rec = Recorder {
            cash: dec!(1000),
            events: Vec::new(),
        };
        venue.submit(
            &order(1, 0, OrderKind::Market, TimeInForce::Ioc, 0),
            Timestamp(0),
            &mut rec,
        );
        venue.on_bar(0, &bar(1, dec!(10), dec!(11), dec!(9), dec!(10)), &mut rec);
        assert_eq!(names(&rec.events), [("accepted", 1), ("filled", 1)]);
    }

    #[test]
    fn orders_never_fill_on_their_decision_bar_or_before() {
        let mut venue = SimulatedVenue::new(VenueConfig::default(), vec![Instrument::equity("X")], 0);
        let mut rec = Recorder {
            cash: dec!(1000),
            events: Vec::new(),
        };
        venue.submit(
            &order(1, 0, OrderKind::Market, TimeInForce::Gtc, 5),
            Timestamp(5 * DAY),
            &mut rec,
        );
        venue.on_bar(0, &bar(5, dec!(10), dec!(11), dec!(9), dec!(10)), &mut rec);
        assert_eq!(names(&rec.events), [("accepted", 1)]);
        venue.on_bar(0, &bar(6, dec!(12), dec!(12), dec!(12), dec!(12)), &mut rec);
        assert_eq!(names(&rec.events), [("accepted", 1), ("filled", 1)]);
    }

    #[test]
    fn invalid_orders_are_rejected_with_a_reason() {
        let mut inst = Instrument::equity("X");
        inst.lot_size = dec!(100);
        inst.min_qty = dec!(100);
        let mut venue = SimulatedVenue::new(VenueConfig::default(), vec![inst], 0);
        let mut rec = Recorder {
            cash: dec!(1000),
            events: Vec::new(),
        };
        venue.submit(
            &order(1, 0, OrderKind::Market, TimeInForce::Gtc, 0),
            Timestamp(0),
            &mut rec,
        );
        let mut odd = order(2, 0, OrderKind::Limit { limit_px: dec!(-1) }, TimeInForce::Gtc, 0);
        odd.qty = OrderQty::Units(dec!(100));
        venue.submit(&odd, Timestamp(0), &mut rec);
        let reasons: Vec<String> = rec
            .events
            .iter()
            .map(|e| match e {
                VenueEvent::Rejected { reason, .. } => reason.clone(),
                other => panic!("expected a rejection, got {other:?}"),
            })
            .collect();
        assert!(reasons[0].contains("not a multiple of the lot size"), "{}", reasons[0]);
        assert!(reasons[1].contains("must be positive"), "{}", reasons[1]);
    }

    #[test]
    fn an_all_cash_order_that_cannot_afford_a_lot_is_cancelled_with_a_reason() {
        let mut venue = SimulatedVenue::new(VenueConfig::default(), vec![Instrument::equity("X")], 0);
        let mut rec = Recorder {
            cash: dec!(5),
            events: Vec::new(),
        };
        let mut o = order(1, 0, OrderKind::Market, TimeInForce::Gtc, 0);
        o.qty = OrderQty::AllCash;
        venue.submit(&o, Timestamp(0), &mut rec);
        venue.on_bar(0, &bar(1, dec!(10), dec!(10), dec!(10), dec!(10)), &mut rec);
        assert!(
            rec.events
                .iter()
                .any(|e| matches!(e, VenueEvent::Cancelled { reason, .. } if reason.contains("not enough cash")))
        );
    }

    #[test]
    fn all_cash_is_floor_of_cash_over_price_without_fees() {
        let inst = Instrument::equity("AAPL");
        assert_eq!(
            all_cash_qty(dec!(100000), dec!(57.25), &inst, |_, _| Decimal::ZERO),
            dec!(1746)
        );
    }

    #[test]
    fn all_cash_leaves_room_for_fees() {
        let inst = Instrument::equity("AAPL");
        // 1000 / 10 = 100 shares, but a 5 fee leaves room for 99 only.
        assert_eq!(all_cash_qty(dec!(1000), dec!(10), &inst, |_, _| dec!(5)), dec!(99));
        let pct = |q: Decimal, px: Decimal| q * px * dec!(0.001);
        let q = all_cash_qty(dec!(1000), dec!(10), &inst, pct);
        assert!(q * dec!(10) + pct(q, dec!(10)) <= dec!(1000));
        assert_eq!(q, dec!(99));
    }
}
