//! The slippage report's numbers: every order's implementation shortfall against the
//! price the strategy saw when it decided, split into where it came from, and the same
//! summed by symbol, side, order size and hour of day.
//!
//! Only the main strategy's orders are costed (the benchmark is a reference, not a
//! strategy to tune). For one order, with `s = side.sign()` (+1 buy, -1 sell), `Q` the
//! ordered quantity, `F` the filled quantity and `U = Q - F` what never filled:
//!
//! - **delay** `= s × (arrival_px - decision_px) × F`: the price moved between the
//!   decision (the close the strategy saw) and the first price the order could trade at
//!   (latency, the overnight gap to the next open);
//! - **timing** `= s × (VWAP of px_before_slippage over the order's fills - arrival_px) × F`:
//!   the market moved while the order worked (several bars under a participation cap,
//!   a stop triggered later); negative for a limit that waited for a better price;
//! - **spread** `= Σ fill.spread_cost()` and **impact** `= Σ fill.impact_cost()`: what each
//!   fill lost against its price before slippage (impact can be negative through the
//!   random component);
//! - **fees** `= Σ fill.fee`;
//! - **opportunity** `= s × (end_px - decision_px) × U`: what the part that never filled
//!   would have made or lost, priced at the symbol's last close when the order ended
//!   (0 when the order has no end price);
//! - **implementation shortfall** = the sum of the six, which equals
//!   `s × (avg_fill_px - decision_px) × F + fees + opportunity` (up to the rounding of
//!   the order's average price).
//!
//! Positive is a cost, negative a gain. Money is exact ([`Decimal`]); basis points are
//! `component / (decision_px × Q) × 10⁴` (0 when `Q = 0`). An all-cash order that never
//! filled has no quantity: `Q = 0`, so all its costs are 0 and its size is unknown.
//! Aggregates sum the money and divide by the summed decided notional `Σ decision_px × Q`,
//! so a group's bps are notional-weighted.
//!
//! Orders that never reached the market (no arrival bar and no fill: rejected, or
//! cancelled before they could trade) are listed with their status but left out of every
//! aggregate. The size of an order is `Q / arrival_volume` (unknown without an arrival
//! bar, with a zero-volume arrival bar or when `Q` is unknown). The hour-of-day table
//! (hour of `arrival_ts`) exists only for intraday runs: the smallest positive
//! `bar_interval_secs` of the data files is under a day.

use super::format::dec;
use super::metrics::to_f64;
use crate::backtest::result::RunResult;
use crate::model::{Fill, Order, OrderId, OrderQty, OrderStatus, Side, SymbolId, Timestamp};
use crate::venue::router::VenueId;
use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

const BPS: Decimal = Decimal::from_parts(10_000, 0, 0, false, 0);
const SECS_PER_DAY: f64 = 86_400.0;

/// The parts of an implementation shortfall, in currency or in bps. Positive = cost.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct Components<T> {
    pub delay: T,
    pub timing: T,
    pub spread: T,
    pub impact: T,
    pub fees: T,
    pub opportunity: T,
    /// The sum of the six others.
    pub shortfall: T,
}

impl<T: Copy> Components<T> {
    /// `(name, value)` pairs in the order the reports print them, the shortfall last.
    pub fn named(&self) -> [(&'static str, T); 7] {
        [
            ("delay", self.delay),
            ("timing", self.timing),
            ("spread", self.spread),
            ("impact", self.impact),
            ("fees", self.fees),
            ("opportunity", self.opportunity),
            ("shortfall", self.shortfall),
        ]
    }

    fn map<U>(&self, f: impl Fn(T) -> U) -> Components<U> {
        Components {
            delay: f(self.delay),
            timing: f(self.timing),
            spread: f(self.spread),
            impact: f(self.impact),
            fees: f(self.fees),
            opportunity: f(self.opportunity),
            shortfall: f(self.shortfall),
        }
    }
}

impl Components<Decimal> {
    fn add(&mut self, other: &Components<Decimal>) {
        self.delay += other.delay;
        self.timing += other.timing;
        self.spread += other.spread;
        self.impact += other.impact;
        self.fees += other.fees;
        self.opportunity += other.opportunity;
        self.shortfall += other.shortfall;
    }

    /// Each part in bps of `notional` (all 0 when the notional is 0).
    pub fn bps_of(&self, notional: Decimal) -> Components<f64> {
        self.map(|amount| bps(amount, notional))
    }
}

/// `amount / notional × 10⁴`, computed exactly and then converted; 0 when the notional is 0.
pub fn bps(amount: Decimal, notional: Decimal) -> f64 {
    let notional = notional.abs();
    if notional.is_zero() {
        return 0.0;
    }
    let exact = amount.checked_mul(BPS).and_then(|a| a.checked_div(notional));
    let value = exact.map_or_else(|| to_f64(amount) / to_f64(notional) * 1e4, to_f64);
    if value.is_finite() { value } else { 0.0 }
}

/// Order size as a share of the arrival bar's volume, in buckets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SizeBucket {
    /// Under 0.1% of the bar's volume.
    Under0_1Pct,
    /// 0.1% up to 1%.
    From0_1To1Pct,
    /// 1% up to 5%.
    From1To5Pct,
    /// 5% up to 10%.
    From5To10Pct,
    /// 10% or more.
    AtLeast10Pct,
    /// No arrival bar, a zero-volume arrival bar, or an unknown quantity.
    Unknown,
}

impl SizeBucket {
    /// Every bucket, smallest first, `Unknown` last.
    pub const ALL: [SizeBucket; 6] = [
        SizeBucket::Under0_1Pct,
        SizeBucket::From0_1To1Pct,
        SizeBucket::From1To5Pct,
        SizeBucket::From5To10Pct,
        SizeBucket::AtLeast10Pct,
        SizeBucket::Unknown,
    ];

    /// The bucket of a share of bar volume (a fraction: `0.02` is 2%).
    pub fn of(share: Option<Decimal>) -> SizeBucket {
        let Some(share) = share else {
            return SizeBucket::Unknown;
        };
        let bounds = [
            (Decimal::new(1, 3), SizeBucket::Under0_1Pct),
            (Decimal::new(1, 2), SizeBucket::From0_1To1Pct),
            (Decimal::new(5, 2), SizeBucket::From1To5Pct),
            (Decimal::new(10, 2), SizeBucket::From5To10Pct),
        ];
        bounds
            .iter()
            .find(|(upper, _)| share < *upper)
            .map_or(SizeBucket::AtLeast10Pct, |(_, bucket)| *bucket)
    }

    pub fn label(self) -> &'static str {
        match self {
            SizeBucket::Under0_1Pct => "< 0.1%",
            SizeBucket::From0_1To1Pct => "0.1-1%",
            SizeBucket::From1To5Pct => "1-5%",
            SizeBucket::From5To10Pct => "5-10%",
            SizeBucket::AtLeast10Pct => ">= 10%",
            SizeBucket::Unknown => "unknown",
        }
    }
}

/// One order's costs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OrderCost {
    pub order_id: OrderId,
    pub symbol: SymbolId,
    pub side: Side,
    pub reason: &'static str,
    pub status: OrderStatus,
    /// `Q`: the ordered quantity (0 for an all-cash order that never filled).
    pub qty: Decimal,
    /// False for an all-cash order that never filled (its quantity was never resolved).
    pub qty_known: bool,
    /// `F`.
    pub filled_qty: Decimal,
    pub decision_ts: Timestamp,
    pub decision_px: Decimal,
    pub arrival_ts: Option<Timestamp>,
    pub arrival_px: Option<Decimal>,
    /// `None` before the first fill.
    pub avg_fill_px: Option<Decimal>,
    pub end_px: Option<Decimal>,
    /// `Q / arrival_volume`, a fraction; `None` when unknown.
    pub size_of_bar_volume: Option<Decimal>,
    pub size_bucket: SizeBucket,
    /// False when the order never reached the market: it is listed but not aggregated,
    /// and its costs are all 0.
    pub reached_market: bool,
    /// `decision_px × Q`, the basis of the bps.
    pub decision_notional: Decimal,
    /// The venues the order reached, itself or through its children, in listing order:
    /// several for a parent whose children went to different venues, none for an order
    /// that never reached one.
    pub venues: Vec<VenueId>,
    pub cost: Components<Decimal>,
    pub bps: Components<f64>,
}

impl OrderCost {
    /// Impact plus spread in bps: what the venue's slippage models cost the order.
    pub fn slippage_bps(&self) -> f64 {
        self.bps.impact + self.bps.spread
    }

    /// The hour of day (0-23) of the arrival bar.
    pub fn arrival_hour(&self) -> Option<u32> {
        self.arrival_ts.map(Timestamp::hour)
    }
}

/// Costs of one order of `result`'s main strategy, from the order and its fills.
pub fn order_cost(order: &Order, fills: &[&Fill]) -> OrderCost {
    let s = order.side.sign();
    let (qty, qty_known) = match order.qty {
        OrderQty::Units(q) => (q, true),
        OrderQty::AllCash if order.filled_qty.is_zero() => (Decimal::ZERO, false),
        // Not expected (all-cash orders are resolved at their first fill), but the filled
        // quantity is then the only quantity there is.
        OrderQty::AllCash => (order.filled_qty, true),
    };
    let filled = order.filled_qty;
    let reached_market = order.arrival_ts.is_some() || !filled.is_zero() || !fills.is_empty();
    let decision_px = order.decision_px;
    let size_of_bar_volume = match (qty_known, order.arrival_volume) {
        (true, Some(volume)) if volume > Decimal::ZERO && order.arrival_ts.is_some() => {
            Some(qty.checked_div(volume).unwrap_or(Decimal::MAX))
        }
        _ => None,
    };
    let mut cost = Components::default();
    if reached_market {
        // Without a recorded arrival price the decision price stands in (no delay cost).
        let arrival_px = order.arrival_px.unwrap_or(decision_px);
        let unfilled = (qty - filled).max(Decimal::ZERO);
        cost.delay = s * (arrival_px - decision_px) * filled;
        cost.timing = s * fills
            .iter()
            .map(|f| (f.px_before_slippage - arrival_px) * f.qty)
            .sum::<Decimal>();
        cost.spread = fills.iter().map(|f| f.spread_cost()).sum();
        cost.impact = fills.iter().map(|f| f.impact_cost()).sum();
        cost.fees = fills.iter().map(|f| f.fee).sum();
        cost.opportunity = order
            .end_px
            .map_or(Decimal::ZERO, |end| s * (end - decision_px) * unfilled);
        cost.shortfall = cost.delay + cost.timing + cost.spread + cost.impact + cost.fees + cost.opportunity;
    }
    let decision_notional = (decision_px * qty).abs();
    OrderCost {
        order_id: order.id,
        symbol: order.symbol,
        side: order.side,
        reason: order.reason,
        status: order.status,
        qty,
        qty_known,
        filled_qty: filled,
        decision_ts: order.decision_ts,
        decision_px,
        arrival_ts: order.arrival_ts,
        arrival_px: order.arrival_px,
        avg_fill_px: (!filled.is_zero()).then_some(order.avg_fill_px),
        end_px: order.end_px,
        size_of_bar_volume,
        size_bucket: SizeBucket::of(size_of_bar_volume),
        reached_market,
        decision_notional,
        venues: fill_venues(fills),
        bps: cost.bps_of(decision_notional),
        cost,
    }
}

/// The venues of `fills`, in listing order, each once.
fn fill_venues(fills: &[&Fill]) -> Vec<VenueId> {
    let mut venues: Vec<VenueId> = fills.iter().map(|f| f.venue).collect();
    venues.sort_unstable();
    venues.dedup();
    venues
}

/// Costs of every order of the main strategy, in order id order.
pub fn order_costs(result: &RunResult) -> Vec<OrderCost> {
    let mut fills_of: BTreeMap<OrderId, Vec<&Fill>> = BTreeMap::new();
    for fill in &result.main.fills {
        fills_of.entry(fill.order_id).or_default().push(fill);
    }
    let mut costs: Vec<OrderCost> = result
        .main
        .orders
        .iter()
        .map(|o| order_cost(o, fills_of.get(&o.id).map_or(&[][..], Vec::as_slice)))
        .collect();
    // The routing covers children that filled nothing, which the fills cannot show.
    let mut venues = super::routing::venues_of_orders(result);
    for cost in &mut costs {
        if let Some(routed) = venues.remove(&cost.order_id) {
            cost.venues = routed;
        }
    }
    costs.sort_by_key(|c| c.order_id);
    costs
}

/// The costs of a group of orders.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupCosts {
    /// What the group is: a symbol, `buy`/`sell`, a size bucket, an hour, or `all`.
    pub group: String,
    /// Orders in the group (only orders that reached the market).
    pub orders: usize,
    /// Orders with at least one fill.
    pub filled_orders: usize,
    /// `Σ decision_px × Q`, the basis of the bps.
    pub decision_notional: Decimal,
    /// Summed costs in currency.
    pub cost: Components<Decimal>,
    /// `cost / decision_notional × 10⁴`, part by part.
    pub bps: Components<f64>,
}

impl GroupCosts {
    fn empty(group: impl Into<String>) -> Self {
        GroupCosts {
            group: group.into(),
            orders: 0,
            filled_orders: 0,
            decision_notional: Decimal::ZERO,
            cost: Components::default(),
            bps: Components::default(),
        }
    }

    fn add(&mut self, order: &OrderCost) {
        self.orders += 1;
        if !order.filled_qty.is_zero() {
            self.filled_orders += 1;
        }
        self.decision_notional += order.decision_notional;
        self.cost.add(&order.cost);
        self.bps = self.cost.bps_of(self.decision_notional);
    }
}

/// How the slippage numbers are defined, in words and formulas: in `report.json` and in
/// `slippage.md`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SlippageConventions {
    pub scope: &'static str,
    pub sign: &'static str,
    pub symbols: &'static str,
    pub delay: &'static str,
    pub timing: &'static str,
    pub spread: &'static str,
    pub impact: &'static str,
    pub fees: &'static str,
    pub opportunity: &'static str,
    pub shortfall: &'static str,
    pub bps: &'static str,
    pub aggregates: &'static str,
    pub all_cash: &'static str,
    pub size: &'static str,
    pub hour: &'static str,
    pub excluded: &'static str,
}

impl SlippageConventions {
    pub const TEXT: SlippageConventions = SlippageConventions {
        scope: "every order of the main strategy (not the benchmark), against the price the strategy saw when it \
                decided",
        sign: "positive = cost, negative = gain; money exact, bps as floats",
        symbols: "s = +1 for a buy, -1 for a sell; Q = ordered quantity, F = filled quantity, U = Q - F; \
                  decision_px = the close the strategy saw; arrival_px = the first price the order could trade at \
                  (the open of its first tradable bar; that bar's close under same-close fills); end_px = the \
                  symbol's last close when the order ended",
        delay: "s * (arrival_px - decision_px) * F: the price moved between the decision and the first price the \
                order could trade at",
        timing: "s * (VWAP of the fills' prices before slippage - arrival_px) * F: the market moved while the order \
                 worked (e.g. over several bars under a participation cap); negative for a limit that waited for a \
                 better price",
        spread: "sum over the order's fills of spread_per_unit * qty (half the quoted spread paid to cross)",
        impact: "sum over the order's fills of the slippage cost that is not spread (price moved against the order, \
                 tick rounding, and the random component, which can be negative)",
        fees: "sum of the fees of the order's fills",
        opportunity: "s * (end_px - decision_px) * U: what the part that never filled would have made or lost; 0 \
                      when the order has no end price",
        shortfall: "delay + timing + spread + impact + fees + opportunity = s * (avg_fill_px - decision_px) * F + \
                    fees + opportunity (up to the rounding of the average fill price)",
        bps: "component / (decision_px * Q) * 1e4; 0 when Q = 0",
        aggregates: "a group's money is the sum over its orders; its bps are (summed money) / (summed \
                     decision_px * Q) * 1e4, so larger orders weigh more",
        all_cash: "an all-cash order that never filled never had a quantity: Q = 0, so its costs and bps are 0 and \
                   its size is unknown",
        size: "Q / the volume of the arrival bar, in percent; unknown without an arrival bar or with a zero-volume \
               one; buckets < 0.1%, 0.1-1%, 1-5%, 5-10%, >= 10%, unknown",
        hour: "hour of day of the arrival bar's timestamp (in the data's time zone); only for intraday runs, where \
               the smallest bar interval of the data files is under a day",
        excluded: "orders that never reached the market (rejected, or cancelled before their first tradable bar) \
                   are listed with their status and left out of every aggregate",
    };

    /// `(label, text)` pairs in the order `slippage.md` prints them.
    pub fn items(&self) -> [(&'static str, &'static str); 16] {
        [
            ("Scope", self.scope),
            ("Sign", self.sign),
            ("Symbols", self.symbols),
            ("Delay", self.delay),
            ("Timing", self.timing),
            ("Spread", self.spread),
            ("Impact", self.impact),
            ("Fees", self.fees),
            ("Opportunity", self.opportunity),
            ("Implementation shortfall", self.shortfall),
            ("Basis points", self.bps),
            ("Aggregates", self.aggregates),
            ("All-cash orders", self.all_cash),
            ("Order size", self.size),
            ("Hour of day", self.hour),
            ("Excluded orders", self.excluded),
        ]
    }
}

/// Whether the hour-of-day table applies, and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Intraday {
    pub intraday: bool,
    /// Smallest positive bar interval of the data files, in seconds.
    pub smallest_bar_interval_secs: Option<f64>,
    /// Why there is no hour-of-day table, when there is none.
    pub by_hour_omitted: Option<String>,
}

/// Is `result` intraday: is the smallest positive bar interval of its data files under a day?
pub fn intraday(result: &RunResult) -> Intraday {
    let smallest = result
        .data_files
        .iter()
        .map(|f| f.bar_interval_secs)
        .filter(|s| s.is_finite() && *s > 0.0)
        .min_by(f64::total_cmp);
    let intraday = smallest.is_some_and(|s| s < SECS_PER_DAY);
    let by_hour_omitted = match smallest {
        _ if intraday => None,
        Some(s) => Some(format!(
            "the run is not intraday: its smallest bar interval is {} seconds (one day or more), so every bar \
             has the same time of day",
            super::format::fixed(s, 0)
        )),
        None => Some("no bar interval is known (no data files with two bars or more)".to_string()),
    };
    Intraday {
        intraday,
        smallest_bar_interval_secs: smallest,
        by_hour_omitted,
    }
}

/// The aggregated slippage report: the `"slippage"` section of `report.json`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SlippageSummary {
    pub conventions: SlippageConventions,
    /// Every order of the main strategy.
    pub orders: usize,
    /// Orders that never reached the market, left out of the aggregates.
    pub orders_excluded: usize,
    pub intraday: Intraday,
    /// Every order that reached the market.
    pub totals: GroupCosts,
    /// By symbol, in the order of the instruments.
    pub by_symbol: Vec<GroupCosts>,
    /// `buy`, then `sell`.
    pub by_side: Vec<GroupCosts>,
    /// By [`SizeBucket`], smallest first, `unknown` last.
    pub by_size: Vec<GroupCosts>,
    /// By hour of day of arrival (`"09:00"`), for intraday runs only.
    pub by_hour: Option<Vec<GroupCosts>>,
    /// By venue, for runs with several venues only: each venue in listing order, then
    /// each group of venues a parent's children were split across (`a+b`), as one group.
    pub by_venue: Option<Vec<GroupCosts>>,
}

/// The symbol's name, or `#id` for an index outside the instruments.
pub fn symbol_name(result: &RunResult, id: SymbolId) -> String {
    result
        .instruments
        .get(id)
        .map_or_else(|| format!("#{id}"), |i| i.symbol.clone())
}

/// Sums `costs` (as [`order_costs`] gives them) by symbol, side, size bucket and, for
/// intraday runs, hour of day. Only groups with orders are listed; orders that never
/// reached the market are counted in `orders_excluded` and nowhere else.
pub fn aggregate(result: &RunResult, costs: &[OrderCost]) -> SlippageSummary {
    let included: Vec<&OrderCost> = costs.iter().filter(|c| c.reached_market).collect();
    let group_by = |key: &dyn Fn(&OrderCost) -> Option<(u64, String)>| -> Vec<GroupCosts> {
        let mut groups: BTreeMap<u64, GroupCosts> = BTreeMap::new();
        for c in &included {
            if let Some((rank, label)) = key(c) {
                groups.entry(rank).or_insert_with(|| GroupCosts::empty(label)).add(c);
            }
        }
        groups.into_values().collect()
    };
    let mut totals = GroupCosts::empty("all");
    for c in &included {
        totals.add(c);
    }
    let by_symbol = group_by(&|c| Some((c.symbol as u64, symbol_name(result, c.symbol))));
    let by_side = group_by(&|c| {
        Some((
            match c.side {
                Side::Buy => 0,
                Side::Sell => 1,
            },
            c.side.as_str().to_string(),
        ))
    });
    let by_size = group_by(&|c| Some((c.size_bucket as u64, c.size_bucket.label().to_string())));
    let intraday = intraday(result);
    let by_hour = intraday
        .intraday
        .then(|| group_by(&|c| c.arrival_hour().map(|h| (u64::from(h), format!("{h:02}:00")))));
    let routes = &result.main.routes;
    // Single venues first, in listing order, then each combination a split parent used:
    // a parent's costs are not divided between its children's venues.
    let venue_sets: BTreeSet<(usize, &[VenueId])> = included
        .iter()
        .filter(|c| !c.venues.is_empty())
        .map(|c| (c.venues.len(), c.venues.as_slice()))
        .collect();
    let by_venue = (routes.venues.len() > 1).then(|| {
        group_by(&|c| {
            let key = (c.venues.len(), c.venues.as_slice());
            let rank = venue_sets.iter().position(|k| *k == key)?;
            Some((rank as u64, super::routing::venue_label(routes, &c.venues)))
        })
    });
    SlippageSummary {
        conventions: SlippageConventions::TEXT,
        orders: costs.len(),
        orders_excluded: costs.len() - included.len(),
        intraday,
        totals,
        by_symbol,
        by_side,
        by_size,
        by_hour,
        by_venue,
    }
}

/// [`order_costs`] and [`aggregate`] in one call.
pub fn slippage_report(result: &RunResult) -> (Vec<OrderCost>, SlippageSummary) {
    let costs = order_costs(result);
    let summary = aggregate(result, &costs);
    (costs, summary)
}

/// The `n` orders that reached the market with the largest shortfall in bps, largest
/// first (ties by order id).
pub fn worst_orders(costs: &[OrderCost], n: usize) -> Vec<&OrderCost> {
    let mut worst: Vec<&OrderCost> = costs.iter().filter(|c| c.reached_market).collect();
    worst.sort_by(|a, b| {
        b.bps
            .shortfall
            .total_cmp(&a.bps.shortfall)
            .then(a.order_id.cmp(&b.order_id))
    });
    worst.truncate(n);
    worst
}

/// The quantity as the reports write it: `all_cash` for an all-cash order that never filled.
pub fn qty_text(cost: &OrderCost) -> String {
    if cost.qty_known {
        dec(cost.qty)
    } else {
        "all_cash".to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::dec;

    #[test]
    fn buckets_have_closed_lower_bounds() {
        assert_eq!(SizeBucket::of(None), SizeBucket::Unknown);
        assert_eq!(SizeBucket::of(Some(dec!(0))), SizeBucket::Under0_1Pct);
        assert_eq!(SizeBucket::of(Some(dec!(0.000999))), SizeBucket::Under0_1Pct);
        assert_eq!(SizeBucket::of(Some(dec!(0.001))), SizeBucket::From0_1To1Pct);
        assert_eq!(SizeBucket::of(Some(dec!(0.01))), SizeBucket::From1To5Pct);
        assert_eq!(SizeBucket::of(Some(dec!(0.05))), SizeBucket::From5To10Pct);
        assert_eq!(SizeBucket::of(Some(dec!(0.1))), SizeBucket::AtLeast10Pct);
        assert_eq!(SizeBucket::of(Some(dec!(3))), SizeBucket::AtLeast10Pct);
    }

    #[test]
    fn bps_are_exact_and_never_divide_by_zero() {
        assert_eq!(bps(dec!(220), dec!(10000)), 220.0);
        assert!((bps(dec!(-1), dec!(3)) + 10000.0 / 3.0).abs() < 1e-9);
        assert_eq!(bps(dec!(5), Decimal::ZERO), 0.0);
    }
}
