//! The CSV tables: trades, orders, fills and the equity curve, one row per item.
//!
//! Decimals are written with trailing zeros removed (`100000`, `10.5`), floats with Rust's
//! shortest round-trip form, timestamps as ISO-8601; an absent value is an empty field.
//! Symbols are written by name, not by index.

use super::format::dec;
use super::metrics::{drawdown_series, to_f64, trade_return_pct};
use crate::backtest::result::{RunOutcome, RunResult};
use crate::model::{OrderQty, Side, SymbolId};
use rust_decimal::Decimal;

fn symbol_name(result: &RunResult, id: SymbolId) -> String {
    result
        .instruments
        .get(id)
        .map_or_else(|| format!("#{id}"), |i| i.symbol.clone())
}

fn opt_dec(d: Option<Decimal>) -> String {
    d.map(dec).unwrap_or_default()
}

pub(crate) fn finish(writer: csv::Writer<Vec<u8>>) -> Result<Vec<u8>, csv::Error> {
    writer.into_inner().map_err(|e| csv::Error::from(e.into_error()))
}

pub const TRADES_HEADER: [&str; 13] = [
    "symbol",
    "side",
    "qty",
    "entry_ts",
    "entry_px",
    "exit_ts",
    "exit_px",
    "pnl",
    "fees",
    "net_pnl",
    "return_pct",
    "bars_held",
    "status",
];

/// `trades.csv`: one row per trade of the main strategy, closed trades first. `side` is
/// `long` or `short`; `pnl` is before fees, `net_pnl` after; `return_pct` is net PnL in
/// percent of the entry notional.
pub fn trades_csv(result: &RunResult) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(TRADES_HEADER)?;
    for t in &result.main.trades {
        w.write_record([
            symbol_name(result, t.symbol),
            if t.side == Side::Buy { "long" } else { "short" }.to_string(),
            dec(t.qty),
            t.entry_ts.to_string(),
            dec(t.entry_px),
            t.exit_ts.map(|ts| ts.to_string()).unwrap_or_default(),
            opt_dec(t.exit_px),
            dec(t.pnl),
            dec(t.fees),
            dec(t.net_pnl()),
            trade_return_pct(t).map(|x| x.to_string()).unwrap_or_default(),
            t.bars_held.to_string(),
            if t.is_open() { "open" } else { "closed" }.to_string(),
        ])?;
    }
    finish(w)
}

pub const ORDERS_HEADER: [&str; 17] = [
    "id",
    "symbol",
    "side",
    "type",
    "qty",
    "limit_px",
    "stop_px",
    "tif",
    "status",
    "decision_ts",
    "decision_px",
    "filled_qty",
    "avg_fill_px",
    "reason",
    "note",
    "last_update_ts",
    "venue",
];

/// `orders.csv`: one row per order of the main strategy. `qty` is `all_cash` for an
/// all-cash order that never filled, else the quantity (the filled one for all-cash
/// orders); `avg_fill_px` is empty until the first fill. `venue` is where the order went,
/// itself or through its children (`a+b` when a parent's children went to two venues),
/// empty when nothing of it reached a venue.
pub fn orders_csv(result: &RunResult) -> Result<Vec<u8>, csv::Error> {
    let venues = super::routing::venues_of_orders(result);
    let routes = &result.main.routes;
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(ORDERS_HEADER)?;
    for o in &result.main.orders {
        let qty = match o.qty {
            OrderQty::Units(q) => dec(q),
            OrderQty::AllCash if o.filled_qty.is_zero() => "all_cash".to_string(),
            OrderQty::AllCash => dec(o.filled_qty),
        };
        let avg_fill_px = if o.filled_qty.is_zero() {
            String::new()
        } else {
            dec(o.avg_fill_px)
        };
        w.write_record([
            o.id.to_string(),
            symbol_name(result, o.symbol),
            o.side.as_str().to_string(),
            o.kind.name().to_string(),
            qty,
            opt_dec(o.kind.limit_px()),
            opt_dec(o.kind.stop_px()),
            o.tif.as_str().to_string(),
            o.status.as_str().to_string(),
            o.decision_ts.to_string(),
            dec(o.decision_px),
            dec(o.filled_qty),
            avg_fill_px,
            o.reason.to_string(),
            o.note.clone().unwrap_or_default(),
            o.last_update_ts.to_string(),
            super::routing::venue_label(routes, venues.get(&o.id).map_or(&[][..], Vec::as_slice)),
        ])?;
    }
    finish(w)
}

pub const FILLS_HEADER: [&str; 13] = [
    "order_id",
    "symbol",
    "side",
    "ts",
    "qty",
    "px_before_slippage",
    "slippage_per_unit",
    "px",
    "slippage_cost",
    "fee",
    "notional",
    "liquidity",
    "venue",
];

/// `fills.csv`: one row per fill of the main strategy. `slippage_per_unit` and
/// `slippage_cost` are positive when the fill was worse than before slippage.
pub fn fills_csv(result: &RunResult) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(FILLS_HEADER)?;
    for f in &result.main.fills {
        let per_unit = match f.side {
            Side::Buy => f.px - f.px_before_slippage,
            Side::Sell => f.px_before_slippage - f.px,
        };
        w.write_record([
            f.order_id.to_string(),
            symbol_name(result, f.symbol),
            f.side.as_str().to_string(),
            f.ts.to_string(),
            dec(f.qty),
            dec(f.px_before_slippage),
            dec(per_unit),
            dec(f.px),
            dec(f.slippage_cost()),
            dec(f.fee),
            dec(f.notional()),
            match f.liquidity {
                crate::model::Liquidity::Taker => "taker",
                crate::model::Liquidity::Maker => "maker",
            }
            .to_string(),
            result.main.routes.name(f.venue).to_string(),
        ])?;
    }
    finish(w)
}

/// Header of `equity.csv`; `benchmark_equity` only when the run has a benchmark.
pub fn equity_header(has_benchmark: bool) -> Vec<&'static str> {
    let mut header = vec!["ts", "cash", "positions_value", "gross_exposure", "equity", "drawdown"];
    if has_benchmark {
        header.push("benchmark_equity");
    }
    header
}

/// `equity.csv`: the main curve, its drawdown (a negative fraction from the running
/// peak), and the benchmark's equity on the same row index when there is a benchmark
/// (empty where the benchmark curve is shorter).
pub fn equity_csv(result: &RunResult) -> Result<Vec<u8>, csv::Error> {
    let curve = &result.main.equity;
    let dd = drawdown_series(&equity_f64(&result.main));
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(equity_header(result.benchmark.is_some()))?;
    for (i, p) in curve.iter().enumerate() {
        let mut row = vec![
            p.ts.to_string(),
            dec(p.cash),
            dec(p.positions_value()),
            dec(p.gross_exposure),
            dec(p.equity),
            dd[i].to_string(),
        ];
        if let Some(bench) = &result.benchmark {
            row.push(bench.equity.get(i).map(|b| dec(b.equity)).unwrap_or_default());
        }
        w.write_record(&row)?;
    }
    finish(w)
}

/// The outcome's equity curve as floats.
pub fn equity_f64(outcome: &RunOutcome) -> Vec<f64> {
    outcome.equity.iter().map(|p| to_f64(p.equity)).collect()
}

pub const SIZING_HEADER: [&str; 15] = [
    "ts",
    "symbol",
    "side",
    "model",
    "equity",
    "buying_power",
    "price",
    "atr",
    "sigma_annual",
    "confidence",
    "raw_qty",
    "qty",
    "capped_by",
    "skip_reason",
    "order_id",
];

/// `sizing.csv`: one row per entry the main strategy sized, in decision order: the
/// model's inputs (equity, the buying power the entry could use, the decision price, the
/// ATR or annualised volatility it read, the signal's confidence), the quantity before
/// rounding and caps (`raw_qty`), the final quantity, `capped_by` (`buying_power` when the
/// buying power cut it), and `skip_reason` with an empty `qty` and `order_id` when the
/// entry was skipped. All-cash entries are sized at the fill, not at the decision, and
/// have no row (`orders.csv` shows their quantities): an all-cash run writes the header
/// alone.
pub fn sizing_csv(result: &RunResult) -> Result<Vec<u8>, csv::Error> {
    let orders = &result.main.orders;
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(SIZING_HEADER)?;
    for s in &result.main.sizing {
        let order = s.order_id.and_then(|id| orders.get((id as usize).wrapping_sub(1)));
        let qty = match s.qty {
            Some(OrderQty::Units(q)) => dec(q),
            Some(OrderQty::AllCash) => match order {
                Some(o) if !o.filled_qty.is_zero() => dec(o.filled_qty),
                _ => "all_cash".to_string(),
            },
            None => String::new(),
        };
        w.write_record([
            s.ts.to_string(),
            symbol_name(result, s.symbol),
            s.side.as_str().to_string(),
            s.model.to_string(),
            dec(s.equity),
            dec(s.buying_power),
            dec(s.price),
            opt_dec(s.atr),
            opt_dec(s.sigma_annual),
            s.confidence.map(|c| c.to_string()).unwrap_or_default(),
            opt_dec(s.raw_qty),
            qty,
            if s.capped_by_buying_power { "buying_power" } else { "" }.to_string(),
            s.skip_reason.clone().unwrap_or_default(),
            s.order_id.map(|id| id.to_string()).unwrap_or_default(),
        ])?;
    }
    finish(w)
}
