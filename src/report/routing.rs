//! Where orders went and why: the routing section of `report.json` and `report.md`, and
//! `routing.csv` (one row per order and quoted venue).
//!
//! Expected costs are the router's quotes at the decision (see
//! [`crate::venue::router`]); realised costs are summed from the venue's fills: spread
//! and impact against the price before slippage, and fees.

use super::format::{cell, dec, money};
use super::slippage::{bps, symbol_name};
use super::tables::finish;
use crate::backtest::result::RunResult;
use crate::model::{Order, OrderId};
use crate::scenario::Routing;
use crate::venue::router::{RouteDecision, RouteReason, VenueId};
use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// One venue's share of the run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VenueSummary {
    pub name: String,
    /// Orders routed here.
    pub orders: usize,
    pub fills: usize,
    pub filled_qty: Decimal,
    pub filled_notional: Decimal,
    pub spread_cost: Decimal,
    pub impact_cost: Decimal,
    pub fees: Decimal,
    /// Spread, impact and fees in bps of the filled notional.
    pub cost_bps: f64,
    /// What the router expected the orders it quoted and routed here to cost, in total,
    /// filled or not (`None` unless the rule compared costs for some order routed here).
    /// An estimate: rounded to cents.
    pub expected_cost: Option<Decimal>,
}

/// How many orders were routed for each reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReasonCount {
    pub reason: RouteReason,
    pub orders: usize,
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

/// Sums the run's routing decisions and fills by venue.
pub fn routing_summary(result: &RunResult) -> RoutingSummary {
    let routes = &result.main.routes;
    let mut venues: Vec<VenueSummary> = routes
        .venues
        .iter()
        .map(|name| VenueSummary {
            name: name.clone(),
            orders: 0,
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
    if routes.decisions.is_empty()
        && let Some(only) = venues.first_mut()
    {
        // One venue: the router forwarded every order without logging.
        only.orders = result.main.orders.len();
        if only.orders > 0 {
            reasons.insert(
                RouteReason::OnlyVenue.as_str(),
                ReasonCount {
                    reason: RouteReason::OnlyVenue,
                    orders: only.orders,
                },
            );
        }
    }
    for decision in &routes.decisions {
        reasons
            .entry(decision.reason.as_str())
            .or_insert(ReasonCount {
                reason: decision.reason,
                orders: 0,
            })
            .orders += 1;
        if let Some(v) = venues.get_mut(usize::from(decision.venue)) {
            v.orders += 1;
            if let Some(q) = decision.quotes.iter().find(|q| q.venue == decision.venue) {
                *v.expected_cost.get_or_insert(Decimal::ZERO) += q.total();
            }
        }
    }
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

/// The venue each order was routed to, by order id (no entry: venue 0, the only one).
pub fn venue_of_orders(result: &RunResult) -> BTreeMap<OrderId, VenueId> {
    result
        .main
        .routes
        .decisions
        .iter()
        .map(|d| (d.order_id, d.venue))
        .collect()
}

pub const ROUTING_HEADER: [&str; 14] = [
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

/// `routing.csv`: one row per order and venue quoted for it (one row with empty quote
/// columns when the rule compared nothing), in submission order.
pub fn routing_csv(result: &RunResult) -> Result<Vec<u8>, csv::Error> {
    let routes = &result.main.routes;
    let orders: BTreeMap<OrderId, &Order> = result.main.orders.iter().map(|o| (o.id, o)).collect();
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(ROUTING_HEADER)?;
    if routes.decisions.is_empty() {
        // One venue: every order went to it.
        for o in &result.main.orders {
            let qty = match o.qty {
                crate::model::OrderQty::Units(q) => dec(q),
                crate::model::OrderQty::AllCash => "all_cash".to_string(),
            };
            let mut row = vec![
                o.id.to_string(),
                symbol_name(result, o.symbol),
                o.side.as_str().to_string(),
                o.decision_ts.to_string(),
                qty,
                dec(o.decision_px),
                routes.name(0).to_string(),
                RouteReason::OnlyVenue.as_str().to_string(),
            ];
            row.extend(std::iter::repeat_n(String::new(), 5));
            row.push("true".to_string());
            w.write_record(&row)?;
        }
    }
    for d in &routes.decisions {
        let head = decision_head(result, d, orders.get(&d.order_id).copied());
        if d.quotes.is_empty() {
            let mut row = head.clone();
            row.extend(std::iter::repeat_n(String::new(), 5));
            row.push("true".to_string());
            w.write_record(&row)?;
        }
        for q in &d.quotes {
            let mut row = head.clone();
            row.extend([
                routes.name(q.venue).to_string(),
                money(q.spread),
                money(q.impact),
                money(q.fees),
                money(q.total()),
                (q.venue == d.venue).to_string(),
            ]);
            w.write_record(&row)?;
        }
    }
    finish(w)
}

fn decision_head(result: &RunResult, d: &RouteDecision, order: Option<&Order>) -> Vec<String> {
    vec![
        d.order_id.to_string(),
        symbol_name(result, d.symbol),
        order.map(|o| o.side.as_str().to_string()).unwrap_or_default(),
        order.map(|o| o.decision_ts.to_string()).unwrap_or_default(),
        dec(d.qty),
        dec(d.px),
        result.main.routes.name(d.venue).to_string(),
        d.reason.as_str().to_string(),
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
        "| Venue | Orders | Fills | Filled qty | Filled notional ({currency}) | Spread | Impact | Fees | Cost bps | \
         Expected cost of orders quoted |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    );
    for v in &summary.venues {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {:.2} | {} |",
            cell(&v.name),
            v.orders,
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
        .map(|r| format!("{} {}", r.orders, r.reason.as_str()))
        .collect();
    let _ = writeln!(
        out,
        "\nWhy: {}. Every order's quotes, venue by venue, are in [routing.csv](routing.csv).",
        reasons.join(", ")
    );
}
