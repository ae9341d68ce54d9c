//! Where orders went and why: the routing section of `report.json` and `report.md`, and
//! `routing.csv` (one row per routed order and quoted venue).
//!
//! A *routed order* is what a venue received: an order of `orders.csv` sent as it is
//! (under `[execution] algo = "market"`, and every protective stop-loss or take-profit
//! leg), or a child of a parent worked by an execution algorithm. The router only sees
//! routed orders, so its log names children; the engine, `orders.csv`, `fills.csv` and
//! `slippage.csv` only know parents. Each routed order is therefore reported with its
//! `parent_id`, the order of `orders.csv` it works for: its own id when it was sent as
//! it is, so that the column always joins `orders.csv`.
//!
//! Expected costs are the router's quotes at the decision (see
//! [`crate::venue::router`]); realised costs are summed from the venue's fills: spread
//! and impact against the price before slippage, and fees.

use super::format::{cell, dec, money};
use super::parents::is_parent;
use super::slippage::{bps, symbol_name};
use super::tables::finish;
use crate::backtest::result::RunResult;
use crate::execution::ParentRecord;
use crate::model::{Order, OrderId, OrderQty, SymbolId};
use crate::scenario::Routing;
use crate::venue::RouteLog;
use crate::venue::router::{RouteDecision, RouteReason, VenueId};
use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

/// One venue's share of the run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VenueSummary {
    pub name: String,
    /// Orders this venue received: children of parents worked by an execution algorithm,
    /// and orders sent as they are (rows of `routing.csv` routed here).
    pub routed_orders: usize,
    /// Orders of `orders.csv` with at least one routed order here: the same as
    /// `routed_orders` under `market`; a parent whose children went to several venues
    /// counts at each of them.
    pub parent_orders: usize,
    pub fills: usize,
    pub filled_qty: Decimal,
    pub filled_notional: Decimal,
    pub spread_cost: Decimal,
    pub impact_cost: Decimal,
    pub fees: Decimal,
    /// Spread, impact and fees in bps of the filled notional.
    pub cost_bps: f64,
    /// What the router expected the routed orders it quoted and sent here to cost, in total,
    /// filled or not (`None` unless the rule compared costs for some order routed here).
    /// An estimate: rounded to cents.
    pub expected_cost: Option<Decimal>,
}

/// How many routed orders (children included) went where they went for each reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReasonCount {
    pub reason: RouteReason,
    pub routed_orders: usize,
}

/// The routing section of the reports.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RoutingSummary {
    pub rule: &'static str,
    pub rule_text: &'static str,
    pub venues: Vec<VenueSummary>,
    pub by_reason: Vec<ReasonCount>,
}

/// The rule in words, as the conventions state it.
pub fn routing_rule(result: &RunResult) -> &'static str {
    if result.main.routes.venues.len() <= 1 {
        return "one venue: every order goes to it";
    }
    match result.scenario.venue.routing {
        Routing::LowestCost => {
            "lowest expected cost: each order goes to the venue trading its symbol where its whole quantity would \
             cost least at the symbol's last close: half the quoted spread, the impact model at that venue's share of \
             the last bar's volume (capped at its participation limit), and its fees (a limit order that would rest \
             is priced as a maker: fees only). Ties go to the venue listed first; the time a small venue takes to \
             fill is not priced. A one-cancels-other leg goes where its sibling went"
        }
        Routing::FirstListed => {
            "first listed: each order goes to the first venue listed for its symbol (a baseline); a \
             one-cancels-other leg goes where its sibling went"
        }
    }
}

fn rule_name(result: &RunResult) -> &'static str {
    if result.main.routes.venues.len() <= 1 {
        return "single_venue";
    }
    match result.scenario.venue.routing {
        Routing::LowestCost => "lowest_cost",
        Routing::FirstListed => "first_listed",
    }
}

/// One order that reached a venue.
#[derive(Debug, Clone, Copy)]
pub struct RoutedOrder<'a> {
    /// The routed order's own id: a child's (numbered from
    /// [`crate::execution::CHILD_ID_BASE`]), or the order's own when it was sent as it is.
    pub order_id: OrderId,
    /// The order of `orders.csv` it works for: its own id when it was sent as it is.
    pub parent_id: OrderId,
    pub symbol: SymbolId,
    pub venue: VenueId,
    /// The router's decision; `None` with one venue, where nothing was chosen.
    pub decision: Option<&'a RouteDecision>,
    /// The routed order as it ended (`None` only for an id the run's orders lack).
    pub order: Option<&'a Order>,
}

/// Every order that reached a venue, with the parent it works for.
///
/// With several venues these are the router's decisions, in submission order. With one
/// the router only forwards and logs nothing, so the list is rebuilt from the orders, in
/// id order with a worked parent's children in its place: what the risk guard refused
/// never reached the venue, nor did a worked parent itself (only its children do).
pub fn routed_orders(result: &RunResult) -> Vec<RoutedOrder<'_>> {
    let main = &result.main;
    let execution = &main.execution;
    let children: BTreeMap<OrderId, &Order> = execution.children.iter().map(|c| (c.id, c)).collect();
    if main.routes.venues.len() > 1 {
        let orders: BTreeMap<OrderId, &Order> = main.orders.iter().map(|o| (o.id, o)).collect();
        let parent_of: BTreeMap<OrderId, OrderId> = execution
            .parents
            .iter()
            .flat_map(|p| p.children.iter().map(move |&c| (c, p.parent_id)))
            .collect();
        return main
            .routes
            .decisions
            .iter()
            .map(|d| RoutedOrder {
                order_id: d.order_id,
                parent_id: parent_of.get(&d.order_id).copied().unwrap_or(d.order_id),
                symbol: d.symbol,
                venue: d.venue,
                decision: Some(d),
                order: orders.get(&d.order_id).or_else(|| children.get(&d.order_id)).copied(),
            })
            .collect();
    }
    let refused: BTreeSet<OrderId> = main.risk.rejections.iter().map(|r| r.order_id).collect();
    let records: BTreeMap<OrderId, &ParentRecord> = execution.parents.iter().map(|p| (p.parent_id, p)).collect();
    // Under an algorithm the executor keeps every order but the protective legs; one
    // without a record never started (an all-cash parent with no cash for a lot).
    let algo_run = !matches!(execution.algo, "" | "market");
    let mut routed = Vec::new();
    for o in &main.orders {
        let only = |order_id, order| RoutedOrder {
            order_id,
            parent_id: o.id,
            symbol: o.symbol,
            venue: 0,
            decision: None,
            order,
        };
        if let Some(record) = records.get(&o.id) {
            routed.extend(
                record
                    .children
                    .iter()
                    .filter(|c| !refused.contains(c))
                    .map(|&c| only(c, children.get(&c).copied())),
            );
        } else {
            let sent_as_is = !algo_run || !is_parent(o);
            if sent_as_is && !refused.contains(&o.id) {
                routed.push(only(o.id, Some(o)));
            }
        }
    }
    routed
}

/// Sums the run's routed orders and fills by venue.
pub fn routing_summary(result: &RunResult) -> RoutingSummary {
    let routes = &result.main.routes;
    let mut venues: Vec<VenueSummary> = routes
        .venues
        .iter()
        .map(|name| VenueSummary {
            name: name.clone(),
            routed_orders: 0,
            parent_orders: 0,
            fills: 0,
            filled_qty: Decimal::ZERO,
            filled_notional: Decimal::ZERO,
            spread_cost: Decimal::ZERO,
            impact_cost: Decimal::ZERO,
            fees: Decimal::ZERO,
            cost_bps: 0.0,
            expected_cost: None,
        })
        .collect();
    let mut reasons: BTreeMap<&'static str, ReasonCount> = BTreeMap::new();
    let mut parents_seen: BTreeSet<(VenueId, OrderId)> = BTreeSet::new();
    for routed in routed_orders(result) {
        let reason = routed.decision.map_or(RouteReason::OnlyVenue, |d| d.reason);
        reasons
            .entry(reason.as_str())
            .or_insert(ReasonCount {
                reason,
                routed_orders: 0,
            })
            .routed_orders += 1;
        if let Some(v) = venues.get_mut(usize::from(routed.venue)) {
            v.routed_orders += 1;
            if parents_seen.insert((routed.venue, routed.parent_id)) {
                v.parent_orders += 1;
            }
            if let Some(q) = routed
                .decision
                .and_then(|d| d.quotes.iter().find(|q| q.venue == d.venue))
            {
                *v.expected_cost.get_or_insert(Decimal::ZERO) += q.total();
            }
        }
    }
    // Fills carry the venue that made them, children's included (the engine books them
    // under the parent's id, but the venue stays the child's).
    for fill in &result.main.fills {
        if let Some(v) = venues.get_mut(usize::from(fill.venue)) {
            v.fills += 1;
            v.filled_qty += fill.qty;
            v.filled_notional += fill.notional();
            v.spread_cost += fill.spread_cost();
            v.impact_cost += fill.impact_cost();
            v.fees += fill.fee;
        }
    }
    for v in &mut venues {
        v.cost_bps = bps(v.spread_cost + v.impact_cost + v.fees, v.filled_notional);
        v.expected_cost = v.expected_cost.map(|c| c.round_dp(2));
    }
    RoutingSummary {
        rule: rule_name(result),
        rule_text: routing_rule(result),
        venues,
        by_reason: reasons.into_values().collect(),
    }
}

/// The venues each order of `orders.csv` reached, itself or through its children, in
/// listing order (one for most orders; several for a parent whose children went to
/// different venues). Orders that never reached a venue are absent.
pub fn venues_of_orders(result: &RunResult) -> BTreeMap<OrderId, Vec<VenueId>> {
    let mut out: BTreeMap<OrderId, Vec<VenueId>> = BTreeMap::new();
    for routed in routed_orders(result) {
        let venues = out.entry(routed.parent_id).or_default();
        if let Err(at) = venues.binary_search(&routed.venue) {
            venues.insert(at, routed.venue);
        }
    }
    out
}

/// How `orders.csv` and `slippage.csv` name where an order went: the venues' names
/// joined by `+` (`primary+ecn` for a parent split across two), empty for none.
pub fn venue_label(routes: &RouteLog, venues: &[VenueId]) -> String {
    let names: Vec<&str> = venues.iter().map(|&v| routes.name(v)).collect();
    names.join("+")
}

pub const ROUTING_HEADER: [&str; 15] = [
    "parent_id",
    "order_id",
    "symbol",
    "side",
    "decision_ts",
    "qty",
    "ref_px",
    "routed_to",
    "reason",
    "quoted_venue",
    "expected_spread",
    "expected_impact",
    "expected_fees",
    "expected_total",
    "chosen",
];

/// `routing.csv`: one row per routed order and venue quoted for it (one row with empty
/// quote columns when the rule compared nothing), in the order of [`routed_orders`].
/// `parent_id` is the order of `orders.csv` the routed order works for (its own id when
/// sent as it is), `order_id` the routed order itself (a child's id under an algorithm).
pub fn routing_csv(result: &RunResult) -> Result<Vec<u8>, csv::Error> {
    let routes = &result.main.routes;
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(ROUTING_HEADER)?;
    for routed in routed_orders(result) {
        let head = routed_head(result, &routed);
        let quotes = routed.decision.map_or(&[][..], |d| d.quotes.as_slice());
        if quotes.is_empty() {
            let mut row = head.clone();
            row.extend(std::iter::repeat_n(String::new(), 5));
            row.push("true".to_string());
            w.write_record(&row)?;
        }
        for q in quotes {
            let mut row = head.clone();
            row.extend([
                routes.name(q.venue).to_string(),
                money(q.spread),
                money(q.impact),
                money(q.fees),
                money(q.total()),
                (q.venue == routed.venue).to_string(),
            ]);
            w.write_record(&row)?;
        }
    }
    finish(w)
}

/// The columns of a routed order's rows before the quote.
fn routed_head(result: &RunResult, routed: &RoutedOrder<'_>) -> Vec<String> {
    let order = routed.order;
    // The router's own figures when it decided; with one venue, the order's.
    let (qty, px) = match routed.decision {
        Some(d) => (dec(d.qty), dec(d.px)),
        None => (
            order
                .map(|o| match o.qty {
                    OrderQty::Units(q) => dec(q),
                    OrderQty::AllCash => "all_cash".to_string(),
                })
                .unwrap_or_default(),
            order.map(|o| dec(o.decision_px)).unwrap_or_default(),
        ),
    };
    vec![
        routed.parent_id.to_string(),
        routed.order_id.to_string(),
        symbol_name(result, routed.symbol),
        order.map(|o| o.side.as_str().to_string()).unwrap_or_default(),
        order.map(|o| o.decision_ts.to_string()).unwrap_or_default(),
        qty,
        px,
        result.main.routes.name(routed.venue).to_string(),
        routed
            .decision
            .map_or(RouteReason::OnlyVenue, |d| d.reason)
            .as_str()
            .to_string(),
    ]
}

/// The `## Routing` section of `report.md`; nothing for a run with one venue.
pub fn routing_markdown(out: &mut String, result: &RunResult, summary: &RoutingSummary) {
    if summary.venues.len() <= 1 {
        return;
    }
    let currency = &result.scenario.currency;
    let _ = writeln!(out, "\n## Routing\n\nRule: {}.\n", cell(summary.rule_text));
    let _ = writeln!(
        out,
        "| Venue | Routed orders | Parent orders | Fills | Filled qty | Filled notional ({currency}) | Spread | Impact | \
         Fees | Cost bps | Expected cost of routed orders quoted |\n\
         |---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    );
    for v in &summary.venues {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {:.2} | {} |",
            cell(&v.name),
            v.routed_orders,
            v.parent_orders,
            v.fills,
            dec(v.filled_qty),
            money(v.filled_notional),
            money(v.spread_cost),
            money(v.impact_cost),
            money(v.fees),
            v.cost_bps,
            v.expected_cost.map_or_else(|| "n/a".to_string(), money)
        );
    }
    let reasons: Vec<String> = summary
        .by_reason
        .iter()
        .map(|r| format!("{} {}", r.routed_orders, r.reason.as_str()))
        .collect();
    let _ = writeln!(
        out,
        "\nRouted orders are what each venue received: the orders sent as they are and, under an execution \
         algorithm, the children of each parent. Parent orders are the orders of orders.csv they work for; a \
         parent whose children went to several venues counts at each. Why, by routed order: {}. Every routed \
         order's quotes, venue by venue, with the parent it works for, are in [routing.csv](routing.csv).",
        reasons.join(", ")
    );
}
