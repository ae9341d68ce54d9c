//! Parent orders: every order the engine sent for a signal (entries, exits, targets; not
//! the protective legs), as its execution algorithm worked it. `parent_orders.csv` has a
//! row per parent; the `Execution` section of `report.md` and `report.json` sums them.
//!
//! Slippage against arrival = side × (average fill − arrival price) / arrival price ×
//! 10⁴, and against decision the same with the decision price; positive is a cost. Under
//! `market` each parent is its own single child.

use super::format::{cell, dec, fixed};
use super::slippage::{bps, symbol_name};
use super::tables::finish;
use crate::backtest::result::RunResult;
use crate::execution::ParentRecord;
use crate::model::{Order, OrderId, OrderQty, Timestamp};
use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// One parent order, as reported.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ParentRow {
    pub parent_id: OrderId,
    pub symbol: String,
    pub side: &'static str,
    pub algo: &'static str,
    pub reason: &'static str,
    pub decision_ts: Timestamp,
    pub decision_px: Decimal,
    pub arrival_ts: Option<Timestamp>,
    pub arrival_px: Option<Decimal>,
    pub avg_fill_px: Option<Decimal>,
    pub qty: Option<Decimal>,
    pub filled_qty: Decimal,
    /// Filled over ordered (`None` for an all-cash order that never filled).
    pub filled_fraction: Option<f64>,
    pub children: usize,
    pub start_ts: Timestamp,
    pub end_ts: Timestamp,
    pub duration_secs: f64,
    pub slippage_vs_arrival_bps: Option<f64>,
    pub slippage_vs_decision_bps: Option<f64>,
    pub fees: Decimal,
    pub status: &'static str,
    pub note: String,
}

/// The parents of the run summed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExecutionSummary {
    pub algo: &'static str,
    pub parents: usize,
    pub children: usize,
    pub filled_whole: usize,
    /// Filled quantity over ordered quantity, over parents with a known quantity.
    pub filled_fraction: Option<f64>,
    /// Notional-weighted over parents with fills.
    pub slippage_vs_arrival_bps: Option<f64>,
    pub slippage_vs_decision_bps: Option<f64>,
    pub fees: Decimal,
}

/// Every order but the protective ones (legs and flattens), which the executor always
/// sends as they are.
pub(super) fn is_parent(order: &Order) -> bool {
    !crate::engine::is_protective(order.reason)
}

/// Every parent of the main strategy, in id order.
pub fn parent_rows(result: &RunResult) -> Vec<ParentRow> {
    let records: BTreeMap<OrderId, &ParentRecord> =
        result.main.execution.parents.iter().map(|p| (p.parent_id, p)).collect();
    let mut fees: BTreeMap<OrderId, Decimal> = BTreeMap::new();
    for fill in &result.main.fills {
        *fees.entry(fill.order_id).or_default() += fill.fee;
    }
    let algo = if result.main.execution.algo.is_empty() {
        "market"
    } else {
        result.main.execution.algo
    };
    result
        .main
        .orders
        .iter()
        .filter(|o| is_parent(o))
        .map(|o| {
            let record = records.get(&o.id);
            let filled = o.filled_qty;
            let avg = (!filled.is_zero()).then_some(o.avg_fill_px);
            let qty = match o.qty {
                OrderQty::Units(q) => Some(q),
                OrderQty::AllCash => None,
            };
            let s = o.side.sign();
            let vs = |reference: Decimal| avg.map(|a| bps(s * (a - reference), reference));
            let start = record.map_or(o.decision_ts, |r| r.start);
            let end = record.and_then(|r| r.end).unwrap_or(o.last_update_ts);
            ParentRow {
                parent_id: o.id,
                symbol: symbol_name(result, o.symbol),
                side: o.side.as_str(),
                algo: if record.is_some() { algo } else { "market" },
                reason: o.reason,
                decision_ts: o.decision_ts,
                decision_px: o.decision_px,
                arrival_ts: o.arrival_ts,
                arrival_px: o.arrival_px,
                avg_fill_px: avg,
                qty,
                filled_qty: filled,
                filled_fraction: qty.filter(|q| !q.is_zero()).map(|q| bps(filled, q) / 1e4),
                children: record.map_or(1, |r| r.children.len()),
                start_ts: start,
                end_ts: end,
                duration_secs: end.secs_since(start),
                slippage_vs_arrival_bps: o.arrival_px.and_then(vs),
                slippage_vs_decision_bps: vs(o.decision_px),
                fees: fees.get(&o.id).copied().unwrap_or_default(),
                status: o.status.as_str(),
                note: o.note.clone().unwrap_or_default(),
            }
        })
        .collect()
}

/// Sums the parents.
pub fn execution_summary(result: &RunResult, rows: &[ParentRow]) -> ExecutionSummary {
    let known: Vec<&ParentRow> = rows.iter().filter(|r| r.qty.is_some()).collect();
    let ordered: Decimal = known.iter().filter_map(|r| r.qty).sum();
    let filled: Decimal = known.iter().map(|r| r.filled_qty).sum();
    let weighted = |pick: fn(&ParentRow) -> Option<f64>| {
        let (sum, weight) = rows
            .iter()
            .filter_map(|r| {
                let notional = super::metrics::to_f64(r.avg_fill_px? * r.filled_qty);
                pick(r).map(|b| (b * notional, notional))
            })
            .fold((0.0, 0.0), |(s, w), (x, n)| (s + x, w + n));
        (weight > 0.0).then(|| sum / weight)
    };
    ExecutionSummary {
        algo: if result.main.execution.algo.is_empty() {
            "market"
        } else {
            result.main.execution.algo
        },
        parents: rows.len(),
        children: rows.iter().map(|r| r.children).sum(),
        filled_whole: rows.iter().filter(|r| r.status == "filled").count(),
        filled_fraction: (!ordered.is_zero()).then(|| bps(filled, ordered) / 1e4),
        slippage_vs_arrival_bps: weighted(|r| r.slippage_vs_arrival_bps),
        slippage_vs_decision_bps: weighted(|r| r.slippage_vs_decision_bps),
        fees: rows.iter().map(|r| r.fees).sum(),
    }
}

pub const PARENT_HEADER: [&str; 22] = [
    "parent_id",
    "symbol",
    "side",
    "algo",
    "reason",
    "decision_ts",
    "decision_px",
    "arrival_ts",
    "arrival_px",
    "avg_fill_px",
    "qty",
    "filled_qty",
    "filled_fraction",
    "children",
    "start_ts",
    "end_ts",
    "duration_secs",
    "slippage_vs_arrival_bps",
    "slippage_vs_decision_bps",
    "fees",
    "status",
    "note",
];

/// `parent_orders.csv`.
pub fn parent_orders_csv(result: &RunResult) -> Result<Vec<u8>, csv::Error> {
    let opt_dec = |d: Option<Decimal>| d.map(dec).unwrap_or_default();
    let opt_f = |x: Option<f64>| x.map(|v| v.to_string()).unwrap_or_default();
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(PARENT_HEADER)?;
    for r in parent_rows(result) {
        w.write_record([
            r.parent_id.to_string(),
            r.symbol,
            r.side.to_string(),
            r.algo.to_string(),
            r.reason.to_string(),
            r.decision_ts.to_string(),
            dec(r.decision_px),
            r.arrival_ts.map(|t| t.to_string()).unwrap_or_default(),
            opt_dec(r.arrival_px),
            opt_dec(r.avg_fill_px),
            r.qty.map_or_else(|| "all_cash".to_string(), dec),
            dec(r.filled_qty),
            opt_f(r.filled_fraction),
            r.children.to_string(),
            r.start_ts.to_string(),
            r.end_ts.to_string(),
            r.duration_secs.to_string(),
            opt_f(r.slippage_vs_arrival_bps),
            opt_f(r.slippage_vs_decision_bps),
            dec(r.fees),
            r.status.to_string(),
            r.note,
        ])?;
    }
    finish(w)
}

/// The `## Execution` section of `report.md`.
pub fn execution_markdown(out: &mut String, summary: &ExecutionSummary) {
    let opt = |x: Option<f64>| x.map_or_else(|| "n/a".to_string(), |v| fixed(v, 2));
    let _ = writeln!(out, "\n## Execution\n");
    let _ = writeln!(
        out,
        "Algorithm `{}`: {} parent orders worked through {} child orders; {} filled whole; {} of the ordered \
         quantity filled. Slippage of the average fill against the arrival price {} bps, against the decision \
         price {} bps (weighted by filled notional; positive is a cost). Fees {}. Every parent: \
         [parent_orders.csv](parent_orders.csv).",
        cell(summary.algo),
        summary.parents,
        summary.children,
        summary.filled_whole,
        summary
            .filled_fraction
            .map_or_else(|| "n/a".to_string(), |f| format!("{:.2}%", f * 100.0)),
        opt(summary.slippage_vs_arrival_bps),
        opt(summary.slippage_vs_decision_bps),
        super::format::money(summary.fees)
    );
}
