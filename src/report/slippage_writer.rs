//! The slippage report's files: `slippage.csv` (one row per order), `slippage.md` (totals,
//! the tables by symbol, side, size and hour, the worst orders, the conventions and the
//! charts) and the two charts, `slippage_hist.svg` and `slippage_vs_size.svg`. The numbers
//! come from [`super::slippage`]; see there for the formulas.
//!
//! As everywhere in the reports, output is deterministic: decimals without trailing zeros
//! in the CSV, bps with two fixed decimals in Markdown, no wall clock.

use super::charts::{HEIGHT, WIDTH, padded_range, tick_decimals};
use super::format::{cell, dec, fixed, money};
use super::metrics::to_f64;
use super::slippage::{Components, GroupCosts, OrderCost, SlippageConventions, SlippageSummary, qty_text, symbol_name};
use crate::backtest::result::RunResult;
use crate::model::Side;
use plotters::prelude::*;
use rust_decimal::Decimal;
use std::fmt::Write as _;

/// How many orders `slippage.md` lists as the worst.
pub const WORST_ORDERS: usize = 10;

const COMPONENTS: [&str; 7] = [
    "delay",
    "timing",
    "spread",
    "impact",
    "fees",
    "opportunity",
    "shortfall",
];

/// Header of `slippage.csv`: money columns, then the same in bps (`*_bps`), then the venue
/// (the venues a parent's children went to joined by `+`; empty for an order that never
/// reached one).
pub fn slippage_header() -> Vec<String> {
    let mut header: Vec<String> = [
        "id",
        "symbol",
        "side",
        "reason",
        "status",
        "qty",
        "filled_qty",
        "decision_ts",
        "decision_px",
        "arrival_ts",
        "arrival_px",
        "avg_fill_px",
        "size_pct_of_bar_volume",
    ]
    .iter()
    .map(|s| (*s).to_string())
    .collect();
    header.extend(COMPONENTS.iter().map(|c| (*c).to_string()));
    header.extend(COMPONENTS.iter().map(|c| format!("{c}_bps")));
    header.push("venue".to_string());
    header
}

/// Size as a percentage of the arrival bar's volume, as a float.
pub fn size_pct(cost: &OrderCost) -> Option<f64> {
    cost.size_of_bar_volume.map(|f| to_f64(f) * 100.0)
}

/// `slippage.csv`: one row per order of the main strategy, in id order. `qty` is
/// `all_cash` for an all-cash order that never filled; absent values are empty; the cost
/// columns are empty for orders that never reached the market (they are not costed).
pub fn slippage_csv(result: &RunResult, costs: &[OrderCost]) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(slippage_header())?;
    let opt_dec = |d: Option<Decimal>| d.map(dec).unwrap_or_default();
    for c in costs {
        let mut row = vec![
            c.order_id.to_string(),
            symbol_name(result, c.symbol),
            c.side.as_str().to_string(),
            c.reason.to_string(),
            c.status.as_str().to_string(),
            qty_text(c),
            dec(c.filled_qty),
            c.decision_ts.to_string(),
            dec(c.decision_px),
            c.arrival_ts.map(|t| t.to_string()).unwrap_or_default(),
            opt_dec(c.arrival_px),
            opt_dec(c.avg_fill_px),
            size_pct(c).map(|p| p.to_string()).unwrap_or_default(),
        ];
        if c.reached_market {
            row.extend(c.cost.named().iter().map(|(_, v)| dec(*v)));
            row.extend(c.bps.named().iter().map(|(_, v)| v.to_string()));
        } else {
            row.extend(std::iter::repeat_n(String::new(), 2 * COMPONENTS.len()));
        }
        row.push(super::routing::venue_label(&result.main.routes, &c.venues));
        w.write_record(&row)?;
    }
    w.into_inner().map_err(|e| csv::Error::from(e.into_error()))
}

fn bps_text(x: f64) -> String {
    fixed(x, 2)
}

fn labels() -> Components<&'static str> {
    Components {
        delay: "Delay",
        timing: "Timing",
        spread: "Spread",
        impact: "Impact",
        fees: "Fees",
        opportunity: "Opportunity",
        shortfall: "Shortfall",
    }
}

/// A table of groups: components in bps, the shortfall also in currency.
fn group_table(out: &mut String, first: &str, groups: &[GroupCosts], currency: &str) {
    let names = labels().named();
    let _ = write!(out, "| {first} | Orders | Filled | Decided notional ({currency}) |");
    for (_, label) in &names {
        let _ = write!(out, " {label} (bps) |");
    }
    let _ = writeln!(out, " Shortfall ({currency}) |");
    out.push_str("|---|---:|---:|---:|");
    out.push_str(&"---:|".repeat(names.len() + 1));
    out.push('\n');
    for g in groups {
        let _ = write!(
            out,
            "| {} | {} | {} | {} |",
            cell(&g.group),
            g.orders,
            g.filled_orders,
            money(g.decision_notional)
        );
        for (_, v) in g.bps.named() {
            let _ = write!(out, " {} |", bps_text(v));
        }
        let _ = writeln!(out, " {} |", money(g.cost.shortfall));
    }
}

fn section_groups(out: &mut String, title: &str, first: &str, groups: &[GroupCosts], currency: &str) {
    let _ = writeln!(out, "\n## {title}\n");
    if groups.is_empty() {
        out.push_str("No orders reached the market.\n");
    } else {
        group_table(out, first, groups, currency);
    }
}

/// The text of `slippage.md`.
pub fn render_slippage_markdown(result: &RunResult, costs: &[OrderCost], summary: &SlippageSummary) -> String {
    let currency = &result.scenario.currency;
    let mut out = String::new();
    let _ = writeln!(out, "# Slippage report: {}\n", result.scenario.name);
    let included = summary.orders - summary.orders_excluded;
    let _ = writeln!(
        out,
        "Implementation shortfall of every order of the strategy `{}`: what each order cost against the price \
         the strategy saw when it decided, split into delay, timing, spread, impact, fees and the opportunity \
         cost of what never filled. Positive is a cost, negative a gain; bps are of the decided notional \
         (decision price x ordered quantity). Formulas are under [Conventions](#conventions); every order, in \
         {currency} and in bps, is in [slippage.csv](slippage.csv).\n",
        result.main.strategy
    );
    let _ = writeln!(
        out,
        "{} orders: {included} reached the market and are summed below; {} never reached the market and are \
         left out of every total (listed at the end).",
        summary.orders, summary.orders_excluded
    );

    out.push_str("\n## Totals\n\n");
    let t = &summary.totals;
    let _ = writeln!(out, "| Component | {currency} | bps |\n|---|---:|---:|");
    let names = labels().named();
    for ((_, label), ((_, money_v), (_, bps_v))) in names.iter().zip(t.cost.named().iter().zip(t.bps.named().iter())) {
        let label = if *label == "Shortfall" {
            "**Implementation shortfall**"
        } else {
            label
        };
        let _ = writeln!(out, "| {label} | {} | {} |", money(*money_v), bps_text(*bps_v));
    }
    let _ = writeln!(
        out,
        "\nOrders summed: {} ({} with fills); decided notional {} {currency}.",
        t.orders,
        t.filled_orders,
        money(t.decision_notional)
    );

    section_groups(&mut out, "By symbol", "Symbol", &summary.by_symbol, currency);
    section_groups(&mut out, "By side", "Side", &summary.by_side, currency);
    section_groups(
        &mut out,
        "By order size (share of the arrival bar's volume)",
        "Size",
        &summary.by_size,
        currency,
    );
    match (&summary.by_hour, &summary.intraday.by_hour_omitted) {
        (Some(hours), _) => section_groups(&mut out, "By hour of day (arrival bar)", "Hour", hours, currency),
        (None, reason) => {
            let _ = writeln!(
                out,
                "\n## By hour of day (arrival bar)\n\nOmitted: {}.",
                reason.as_deref().unwrap_or("the run is not intraday")
            );
        }
    }

    if let Some(venues) = &summary.by_venue {
        section_groups(&mut out, "By venue", "Venue", venues, currency);
    }

    let worst = super::slippage::worst_orders(costs, WORST_ORDERS);
    let _ = writeln!(out, "\n## Worst orders\n");
    if worst.is_empty() {
        out.push_str("No orders reached the market.\n");
    } else {
        let _ = writeln!(
            out,
            "The {} orders with the largest implementation shortfall in bps.\n",
            worst.len()
        );
        let _ = writeln!(
            out,
            "| Order | Symbol | Side | Reason | Status | Qty | Filled | Decision px | Arrival px | Avg fill px | Size \
             (% of bar volume) | Delay (bps) | Timing (bps) | Spread + impact (bps) | Fees (bps) | Opportunity \
             (bps) | Shortfall (bps) | Shortfall ({currency}) |"
        );
        out.push_str("|---:|---|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        let opt_dec = |d: Option<Decimal>| d.map_or_else(|| "-".to_string(), dec);
        for c in worst {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
                c.order_id,
                cell(&symbol_name(result, c.symbol)),
                c.side.as_str(),
                cell(c.reason),
                c.status.as_str(),
                qty_text(c),
                dec(c.filled_qty),
                dec(c.decision_px),
                opt_dec(c.arrival_px),
                opt_dec(c.avg_fill_px),
                size_pct(c).map_or_else(|| "unknown".to_string(), |p| fixed(p, 4)),
                bps_text(c.bps.delay),
                bps_text(c.bps.timing),
                bps_text(c.slippage_bps()),
                bps_text(c.bps.fees),
                bps_text(c.bps.opportunity),
                bps_text(c.bps.shortfall),
                money(c.cost.shortfall),
            );
        }
    }

    out.push_str("\n## Orders that never reached the market\n\n");
    let excluded: Vec<&OrderCost> = costs.iter().filter(|c| !c.reached_market).collect();
    if excluded.is_empty() {
        out.push_str("None.\n");
    } else {
        out.push_str("Left out of every total above.\n\n");
        out.push_str("| Order | Symbol | Side | Reason | Status | Qty | Decided at | Decision px | Note |\n");
        out.push_str("|---:|---|---|---|---|---:|---|---:|---|\n");
        for c in excluded {
            let note = result
                .main
                .orders
                .iter()
                .find(|o| o.id == c.order_id)
                .and_then(|o| o.note.clone())
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} | {} | {} | {} |",
                c.order_id,
                cell(&symbol_name(result, c.symbol)),
                c.side.as_str(),
                cell(c.reason),
                c.status.as_str(),
                qty_text(c),
                c.decision_ts,
                dec(c.decision_px),
                cell(&note)
            );
        }
    }

    out.push_str(
        "\n## Charts\n\n![Distribution of the implementation shortfall per order](slippage_hist.svg)\n\n\
         ![Spread and impact against order size](slippage_vs_size.svg)\n",
    );
    let unknown_size = costs
        .iter()
        .filter(|c| c.reached_market && c.size_of_bar_volume.is_none())
        .count();
    if unknown_size > 0 {
        let _ = writeln!(
            out,
            "\n{unknown_size} order(s) of unknown size are not in the size chart."
        );
    }

    out.push_str("\n## Conventions\n\n");
    for (label, text) in SlippageConventions::TEXT.items() {
        let _ = writeln!(out, "- **{label}**: {}.", text.trim_end_matches('.'));
    }

    out.push_str(
        "\n## Files\n\n- [slippage.csv](slippage.csv): one row per order, every component in currency and in bps\n\
         - [slippage_hist.svg](slippage_hist.svg): distribution of the shortfall per order\n\
         - [slippage_vs_size.svg](slippage_vs_size.svg): spread and impact against order size\n\
         - [report.md](report.md): the main report\n",
    );
    out
}

const BAR_COLOR: RGBColor = RGBColor(31, 119, 180);
const BUY_COLOR: RGBColor = RGBColor(31, 119, 180);
const SELL_COLOR: RGBColor = RGBColor(214, 39, 40);
const GRID_COLOR: RGBColor = RGBColor(225, 225, 225);

/// The smallest of 1, 2, 5 times a power of ten that is at least `x` (> 0).
fn nice_step(x: f64) -> f64 {
    let power = 10f64.powf(x.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * power)
        .find(|step| *step >= x * (1.0 - 1e-12))
        .unwrap_or(10.0 * power)
}

/// Histogram bins of `values`: the first bin's lower edge, the bin width and the counts.
/// About `sqrt(n)` bins (5 to 40) of a round width; one bin of width 1 when every value is
/// the same.
pub fn histogram_bins(values: &[f64]) -> (f64, f64, Vec<usize>) {
    let finite: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
    let Some(lo) = finite.iter().copied().reduce(f64::min) else {
        return (-1.0, 2.0, Vec::new());
    };
    let hi = finite.iter().copied().fold(lo, f64::max);
    let (start, width, bins) = if hi - lo < 1e-9 {
        (lo - 0.5, 1.0, 1)
    } else {
        let target = ((finite.len() as f64).sqrt().ceil()).clamp(5.0, 40.0);
        let width = nice_step((hi - lo) / target);
        let start = (lo / width).floor() * width;
        let bins = (((hi - start) / width).floor() as usize + 1).min(400);
        (start, width, bins)
    };
    let mut counts = vec![0; bins];
    for v in finite {
        let i = (((v - start) / width).floor().max(0.0) as usize).min(bins - 1);
        counts[i] += 1;
    }
    (start, width, counts)
}

fn chart_err(e: impl std::fmt::Display) -> String {
    e.to_string()
}

/// `slippage_hist.svg`: how many orders had which implementation shortfall, in bps (orders
/// that reached the market).
pub fn slippage_hist_svg(result: &RunResult, costs: &[OrderCost]) -> Result<String, String> {
    let values: Vec<f64> = costs
        .iter()
        .filter(|c| c.reached_market)
        .map(|c| c.bps.shortfall)
        .collect();
    let (start, width, counts) = histogram_bins(&values);
    let end = start + width * counts.len().max(1) as f64;
    let (x_lo, x_hi) = (start - width * 0.5, end + width * 0.5);
    let top = counts.iter().copied().max().unwrap_or(0).max(1) as f64 * 1.1;
    let x_decimals = tick_decimals(x_lo, x_hi);
    let title = format!("Implementation shortfall per order: {}", result.scenario.name);
    let x_desc = if values.is_empty() {
        "Implementation shortfall (bps of decided notional; no orders)".to_string()
    } else {
        format!(
            "Implementation shortfall (bps of decided notional; {} orders, bins of {} bps)",
            values.len(),
            fixed(width, tick_decimals(0.0, width * 8.0))
        )
    };
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, HEIGHT)).into_drawing_area();
        root.fill(&WHITE).map_err(chart_err)?;
        let mut chart = ChartBuilder::on(&root)
            .caption(&title, ("sans-serif", 22))
            .margin(15)
            .margin_right(45)
            .x_label_area_size(45)
            .y_label_area_size(70)
            .build_cartesian_2d(x_lo..x_hi, 0.0..top)
            .map_err(chart_err)?;
        let x_label = |x: &f64| fixed(*x, x_decimals);
        let y_label = |y: &f64| {
            if (y - y.round()).abs() > 1e-9 {
                String::new()
            } else {
                fixed(*y, 0)
            }
        };
        chart
            .configure_mesh()
            .x_labels(10)
            .y_labels(8)
            .x_label_formatter(&x_label)
            .y_label_formatter(&y_label)
            .x_desc(x_desc)
            .y_desc("Orders")
            .light_line_style(GRID_COLOR.mix(0.25))
            .bold_line_style(GRID_COLOR)
            .label_style(("sans-serif", 13))
            .axis_desc_style(("sans-serif", 15))
            .draw()
            .map_err(chart_err)?;
        chart
            .draw_series(counts.iter().enumerate().filter(|(_, n)| **n > 0).map(|(i, n)| {
                let x0 = start + width * i as f64;
                Rectangle::new([(x0, 0.0), (x0 + width, *n as f64)], BAR_COLOR.mix(0.7).filled())
            }))
            .map_err(chart_err)?;
        if x_lo < 0.0 && x_hi > 0.0 {
            chart
                .draw_series(LineSeries::new(
                    [(0.0, 0.0), (0.0, top)],
                    BLACK.mix(0.5).stroke_width(1),
                ))
                .map_err(chart_err)?;
        }
        root.present().map_err(chart_err)?;
    }
    Ok(svg)
}

/// A tick label of a percentage on a log axis: only 1, 2 and 5 times a power of ten are
/// labelled (`0.05%`, `2%`, `10%`), so labels never crowd; other ticks get no text.
fn pct_tick(x: f64) -> String {
    if !(x.is_finite() && x > 0.0) {
        return String::new();
    }
    let mantissa = x / 10f64.powf(x.log10().floor());
    let round = [1.0, 2.0, 5.0, 10.0].iter().any(|m| (mantissa - m).abs() < 1e-6 * m);
    if !round {
        return String::new();
    }
    let decimals = (1.0 - x.log10().floor()).clamp(0.0, 6.0) as usize;
    let text = fixed(x, decimals);
    let text = if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    };
    format!("{text}%")
}

/// `slippage_vs_size.svg`: each order's spread + impact in bps against its size as a
/// percentage of the arrival bar's volume (log scale), buys and sells apart. Orders of
/// unknown size are left out.
pub fn slippage_vs_size_svg(result: &RunResult, costs: &[OrderCost]) -> Result<String, String> {
    let points: Vec<(Side, f64, f64)> = costs
        .iter()
        .filter(|c| c.reached_market)
        .filter_map(|c| {
            size_pct(c)
                .filter(|p| p.is_finite() && *p > 0.0)
                .map(|p| (c.side, p, c.slippage_bps()))
        })
        .collect();
    let (x_lo, x_hi) = match points.iter().map(|p| p.1).reduce(f64::min) {
        Some(lo) => {
            let hi = points.iter().map(|p| p.1).fold(lo, f64::max);
            (lo / 2.0, hi * 2.0)
        }
        None => (0.01, 100.0),
    };
    let (y_lo, y_hi) = padded_range(points.iter().map(|p| p.2).chain([0.0]));
    // Room at the top for the legend.
    let y_hi = y_hi + (y_hi - y_lo) * 0.15;
    let y_decimals = tick_decimals(y_lo, y_hi);
    let title = format!("Spread + impact against order size: {}", result.scenario.name);
    let x_desc = if points.is_empty() {
        "Order size (% of the arrival bar's volume, log scale; no orders of known size)"
    } else {
        "Order size (% of the arrival bar's volume, log scale)"
    };
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, HEIGHT)).into_drawing_area();
        root.fill(&WHITE).map_err(chart_err)?;
        let mut chart = ChartBuilder::on(&root)
            .caption(&title, ("sans-serif", 22))
            .margin(15)
            .margin_right(45)
            .x_label_area_size(45)
            .y_label_area_size(85)
            .build_cartesian_2d((x_lo..x_hi).log_scale(), y_lo..y_hi)
            .map_err(chart_err)?;
        let x_label = |x: &f64| pct_tick(*x);
        let y_label = |y: &f64| fixed(*y, y_decimals);
        chart
            .configure_mesh()
            .x_labels(10)
            .y_labels(8)
            .x_label_formatter(&x_label)
            .y_label_formatter(&y_label)
            .x_desc(x_desc)
            .y_desc("Spread + impact (bps of decided notional)")
            .light_line_style(GRID_COLOR.mix(0.25))
            .bold_line_style(GRID_COLOR)
            .label_style(("sans-serif", 13))
            .axis_desc_style(("sans-serif", 15))
            .draw()
            .map_err(chart_err)?;
        for (side, color) in [(Side::Buy, BUY_COLOR), (Side::Sell, SELL_COLOR)] {
            let these: Vec<(f64, f64)> = points.iter().filter(|p| p.0 == side).map(|p| (p.1, p.2)).collect();
            if these.is_empty() {
                continue;
            }
            chart
                .draw_series(
                    these
                        .iter()
                        .map(|&(x, y)| Circle::new((x, y), 4, color.mix(0.7).filled())),
                )
                .map_err(chart_err)?
                .label(format!("{} ({})", side.as_str(), these.len()))
                .legend(move |(x, y)| Circle::new((x + 10, y), 4, color.filled()));
        }
        if !points.is_empty() {
            chart
                .configure_series_labels()
                .position(SeriesLabelPosition::UpperLeft)
                .background_style(WHITE.mix(0.85))
                .border_style(BLACK.mix(0.4))
                .label_font(("sans-serif", 14))
                .draw()
                .map_err(chart_err)?;
        }
        root.present().map_err(chart_err)?;
    }
    Ok(svg)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bins_cover_every_value() {
        let values = [-3.0, 0.0, 1.0, 2.5, 10.0, 10.0, 47.0];
        let (start, width, counts) = histogram_bins(&values);
        assert_eq!(width, 10.0);
        assert_eq!(start, -10.0);
        assert_eq!(counts.iter().sum::<usize>(), values.len());
        assert_eq!(counts, vec![1, 3, 2, 0, 0, 1]);
        let (start, width, counts) = histogram_bins(&[5.0, 5.0]);
        assert_eq!((start, width, counts), (4.5, 1.0, vec![2]));
        assert_eq!(histogram_bins(&[]).2, Vec::<usize>::new());
    }

    #[test]
    fn nice_steps_and_ticks() {
        assert_eq!(nice_step(0.3), 0.5);
        assert_eq!(nice_step(7.0), 10.0);
        assert_eq!(nice_step(20.0), 20.0);
        assert_eq!(pct_tick(0.05), "0.05%");
        assert_eq!(pct_tick(2.5), "", "only 1, 2 and 5 times a power of ten");
        assert_eq!(pct_tick(0.002), "0.002%");
        assert_eq!(pct_tick(20.0), "20%");
        assert_eq!(pct_tick(1.0), "1%");
    }
}
