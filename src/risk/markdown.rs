//! The "Risk" section of `report.md`: rejections by reason code, the trading state's
//! changes, and the first rejections in full. Pure string building, deterministic.

use super::{RejectCode, RiskLog};
use crate::report::format::{cell, dec};
use std::fmt::Write;

/// Rejections listed one by one; the rest are counted.
pub const MAX_LISTED_REJECTIONS: usize = 20;

/// Appends a `## Risk` section for `log` to `out`.
pub fn render_markdown_section(log: &RiskLog, out: &mut String) {
    out.push_str("\n## Risk\n\n");
    let total = log.rejections.len();
    let orders = if total == 1 { "order" } else { "orders" };
    let _ = writeln!(
        out,
        "The pre-trade risk guard rejected {total} {orders}; the trading state at the end was {}.",
        log.final_state
    );

    let counts = log.counts_by_code();
    if !counts.is_empty() {
        out.push_str("\n| Reason | Rejections |\n|---|---:|\n");
        for (code, n) in &counts {
            let _ = writeln!(out, "| {} | {n} |", code_cell(*code));
        }
    }

    out.push('\n');
    if log.state_changes.is_empty() {
        out.push_str("The trading state never changed.\n");
    } else {
        out.push_str("| Time | From | To | Reason |\n|---|---|---|---|\n");
        for change in &log.state_changes {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} |",
                change.ts,
                change.from,
                change.to,
                cell(&change.reason)
            );
        }
    }

    if total > 0 {
        out.push_str("\n| Time | Order | Symbol | Side | Qty | Limit | Reason | Message |\n");
        out.push_str("|---|---:|---|---|---:|---:|---|---|\n");
        for r in log.rejections.iter().take(MAX_LISTED_REJECTIONS) {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} | {} | {} |",
                r.ts,
                r.order_id,
                cell(&r.symbol),
                r.side.as_str(),
                dec(r.qty),
                r.limit_px.map_or_else(String::new, dec),
                code_cell(r.code),
                cell(&r.message)
            );
        }
        if total > MAX_LISTED_REJECTIONS {
            let _ = writeln!(
                out,
                "\nThe first {MAX_LISTED_REJECTIONS} rejections are listed; {} more are not.",
                total - MAX_LISTED_REJECTIONS
            );
        }
    }
}

fn code_cell(code: RejectCode) -> String {
    format!("`{}`", code.as_str())
}
