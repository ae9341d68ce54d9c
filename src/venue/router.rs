//! Several simulated venues, and the router that sends each order to one of them.
//!
//! A scenario may declare more than one venue for a symbol (`[[venues]]`), each trading
//! its own share of every bar's volume with its own spread, fees and participation cap.
//! Every venue sees every bar of the symbols it trades, in listing order. An order goes
//! to one venue and stays there: it is matched only against that venue's share of the
//! volume. The two legs of a one-cancels-other pair always go to the same venue, so the
//! venue can cancel one when the other fills.
//!
//! Routing rule [`Routing::LowestCost`]: at submission, each venue trading the symbol
//! quotes what the order's whole quantity would cost there at the symbol's last close
//! ([`SimulatedVenue::quote`]: half spread, impact at the venue's share of the last bar's
//! volume, fees), and the cheapest wins; ties go to the venue listed first. Expected cost
//! does not count time: a venue with a small participation cap is cheaper per fill but
//! may take more bars to fill, and that delay is not priced. [`Routing::FirstListed`]
//! sends every order to the first venue listed for its symbol, as a baseline. Two rules
//! come first, whatever the rule: a one-cancels-other leg goes where its sibling went,
//! and an order goes where another order of its symbol still works, so that what one
//! decision sends (an exit, then an all-cash entry that needs the exit's proceeds) fills
//! in the order it was sent. Every decision, with every quote, is kept in a [`RouteLog`]
//! for the reports.
//!
//! With one venue (no `[[venues]]`) the router only forwards, and logs nothing: every
//! order went to that venue.

use super::{SimulatedVenue, VenueListener};
use crate::model::{Bar, Instrument, Order, OrderId, OrderQty, SymbolId, Timestamp};
use crate::scenario::{Routing, VenueConfig, VenueSpec};
use rust_decimal::Decimal;
use serde::Serialize;

/// Index of a venue in the scenario's listing order.
pub type VenueId = u16;

/// Name of the one venue of a scenario that declares none.
pub const DEFAULT_VENUE: &str = "default";

/// What a venue expects an order to cost there, in currency (each part >= 0 but for a
/// maker rebate in `fees`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct CostQuote {
    pub venue: VenueId,
    pub spread: Decimal,
    pub impact: Decimal,
    pub fees: Decimal,
}

impl CostQuote {
    /// Spread, impact and fees (saturating: an overflowing quote is the dearest).
    pub fn total(&self) -> Decimal {
        self.spread
            .checked_add(self.impact)
            .and_then(|s| s.checked_add(self.fees))
            .unwrap_or(Decimal::MAX)
    }
}

/// Why an order went where it went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RouteReason {
    /// The cheapest quote (ties: listed first).
    LowestCost,
    /// Only one venue trades the symbol.
    OnlyVenue,
    /// The routing rule is `first_listed`.
    FirstListed,
    /// The other leg of its one-cancels-other pair is there.
    OcoSibling,
    /// Another order of the symbol still works there (an exit sent just before an
    /// entry, say): orders of a symbol fill in the order they were sent only on one venue.
    WithWorking,
}

impl RouteReason {
    pub fn as_str(self) -> &'static str {
        match self {
            RouteReason::LowestCost => "lowest_cost",
            RouteReason::OnlyVenue => "only_venue",
            RouteReason::FirstListed => "first_listed",
            RouteReason::OcoSibling => "oco_sibling",
            RouteReason::WithWorking => "with_working",
        }
    }
}

/// One routing decision.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RouteDecision {
    pub order_id: OrderId,
    pub symbol: SymbolId,
    pub venue: VenueId,
    pub reason: RouteReason,
    /// Quantity the quotes priced: what was left of the order, or for an all-cash order
    /// what the buying power bought at `px`.
    pub qty: Decimal,
    /// The price the quotes assumed: the symbol's last close.
    pub px: Decimal,
    /// One quote per venue trading the symbol, in listing order (empty unless the rule
    /// compared costs).
    pub quotes: Vec<CostQuote>,
}

/// The venues of a run and where its orders went.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct RouteLog {
    /// Venue names, by [`VenueId`].
    pub venues: Vec<String>,
    /// One per order, in submission order; empty when the run had a single venue (every
    /// order went to it).
    pub decisions: Vec<RouteDecision>,
}

impl RouteLog {
    /// The name of venue `id`.
    pub fn name(&self, id: VenueId) -> &str {
        self.venues.get(usize::from(id)).map_or(DEFAULT_VENUE, String::as_str)
    }

    /// Where `order_id` was routed, if it was logged.
    pub fn decision(&self, order_id: OrderId) -> Option<&RouteDecision> {
        self.decisions.iter().rev().find(|d| d.order_id == order_id)
    }
}

/// The simulated venues of one run, behind one interface.
pub struct Router {
    venues: Vec<SimulatedVenue>,
    /// Venues trading each symbol, in listing order (never empty: the scenario checks).
    routes: Vec<Vec<VenueId>>,
    rule: Routing,
    instruments: Vec<Instrument>,
    last_close: Vec<Option<Decimal>>,
    log: RouteLog,
}

impl Router {
    /// One venue per entry of `specs` (each seeded differently from `seed`), or a single
    /// venue trading every instrument by `shared` when `specs` is empty.
    pub fn new(shared: &VenueConfig, specs: &[VenueSpec], instruments: Vec<Instrument>, seed: u64) -> Self {
        let n = instruments.len();
        let (venues, routes, names) = if specs.is_empty() {
            let venue = SimulatedVenue::new(shared.clone(), instruments.clone(), seed);
            (vec![venue], vec![vec![0]; n], vec![DEFAULT_VENUE.to_string()])
        } else {
            let mut routes = vec![Vec::new(); n];
            let mut venues = Vec::with_capacity(specs.len());
            for (index, spec) in specs.iter().enumerate() {
                let id = VenueId::try_from(index).unwrap_or(VenueId::MAX);
                // Distinct, reproducible noise per venue; the first keeps the scenario's seed.
                let venue_seed = seed.wrapping_add((index as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15));
                let venue = SimulatedVenue::new(spec.effective(shared), instruments.clone(), venue_seed);
                venues.push(venue.with_share(id, spec.volume_fraction));
                for &symbol in &spec.symbols {
                    if let Some(route) = routes.get_mut(symbol) {
                        route.push(id);
                    }
                }
            }
            // A symbol no venue lists (only possible through the library, the scenario
            // refuses it) trades on the first venue rather than nowhere.
            for route in &mut routes {
                if route.is_empty() {
                    route.push(0);
                }
            }
            (venues, routes, specs.iter().map(|s| s.name.clone()).collect())
        };
        Router {
            venues,
            routes,
            rule: shared.routing,
            instruments,
            last_close: vec![None; n],
            log: RouteLog {
                venues: names,
                decisions: Vec::new(),
            },
        }
    }

    /// The venues' names and every routing decision, for the reports.
    pub fn into_log(self) -> RouteLog {
        self.log
    }

    pub fn has_working(&self) -> bool {
        self.venues.iter().any(SimulatedVenue::has_working)
    }

    /// Orders still working in `symbol`, on every venue.
    pub fn working_count(&self, symbol: SymbolId) -> usize {
        self.venues.iter().map(|v| v.working_count(symbol)).sum()
    }

    /// Sets the quoted spread of `symbol`'s next bar on every venue trading it.
    pub fn set_quoted_spread(&mut self, symbol: SymbolId, spread: Decimal) {
        for &v in &self.routes[symbol] {
            self.venues[usize::from(v)].set_quoted_spread(symbol, spread);
        }
    }

    /// Lets every venue trading `symbol` match its orders against the new bar.
    pub fn on_bar(&mut self, symbol: SymbolId, bar: &Bar, listener: &mut dyn VenueListener) {
        self.last_close[symbol] = Some(bar.close);
        if let [only] = self.routes[symbol][..] {
            self.venues[usize::from(only)].on_bar(symbol, bar, listener);
            return;
        }
        for &v in &self.routes[symbol] {
            self.venues[usize::from(v)].on_bar(symbol, bar, listener);
        }
    }

    /// Routes `order` and submits it there.
    pub fn submit(&mut self, order: &Order, now: Timestamp, listener: &mut dyn VenueListener) {
        if let [only] = &mut self.venues[..] {
            return only.submit(order, now, listener);
        }
        let decision = self.route(order, listener);
        let venue = decision.venue;
        self.log.decisions.push(decision);
        self.venues[usize::from(venue)].submit(order, now, listener);
    }

    fn route(&self, order: &Order, listener: &dyn VenueListener) -> RouteDecision {
        let candidates = &self.routes[order.symbol];
        let px = self.last_close[order.symbol].unwrap_or(Decimal::ZERO);
        let qty = match order.qty {
            OrderQty::Units(q) => q - order.filled_qty,
            OrderQty::AllCash if px > Decimal::ZERO => {
                self.instruments[order.symbol].round_qty_down(listener.buying_power().max(Decimal::ZERO) / px)
            }
            OrderQty::AllCash => Decimal::ZERO,
        };
        let decision = |venue, reason, quotes| RouteDecision {
            order_id: order.id,
            symbol: order.symbol,
            venue,
            reason,
            qty,
            px,
            quotes,
        };
        if let [only] = candidates[..] {
            return decision(only, RouteReason::OnlyVenue, Vec::new());
        }
        // The first leg of a pair names a sibling not yet sent; only the second looks it up
        // (it was logged just before, so the search from the end is short).
        let sibling = order
            .oco
            .filter(|&sibling| sibling < order.id)
            .and_then(|sibling| self.log.decision(sibling));
        if let Some(sibling) = sibling.filter(|s| candidates.contains(&s.venue)) {
            return decision(sibling.venue, RouteReason::OcoSibling, Vec::new());
        }
        let busy = candidates
            .iter()
            .find(|&&v| self.venues[usize::from(v)].working_count(order.symbol) > 0);
        if let Some(&busy) = busy {
            return decision(busy, RouteReason::WithWorking, Vec::new());
        }
        if self.rule == Routing::FirstListed {
            return decision(candidates[0], RouteReason::FirstListed, Vec::new());
        }
        let quotes: Vec<CostQuote> = candidates
            .iter()
            .filter_map(|&v| self.venues[usize::from(v)].quote(order, qty, px))
            .collect();
        // Strictly cheaper replaces: ties stay with the venue listed first.
        let best = quotes
            .iter()
            .fold(None::<&CostQuote>, |best, q| match best {
                Some(b) if b.total() <= q.total() => Some(b),
                _ => Some(q),
            })
            .map_or(candidates[0], |q| q.venue);
        decision(best, RouteReason::LowestCost, quotes)
    }

    /// Cancels a working order wherever it works; false when it no longer works.
    pub fn cancel(
        &mut self,
        symbol: SymbolId,
        order_id: OrderId,
        now: Timestamp,
        reason: &str,
        listener: &mut dyn VenueListener,
    ) -> bool {
        let Router { venues, routes, .. } = self;
        routes[symbol]
            .iter()
            .any(|&v| venues[usize::from(v)].cancel(symbol, order_id, now, reason, listener))
    }

    /// Expires every order still working on any venue.
    pub fn expire_all(&mut self, now: Timestamp, reason: &str, listener: &mut dyn VenueListener) {
        for venue in &mut self.venues {
            venue.expire_all(now, reason, listener);
        }
    }
}
