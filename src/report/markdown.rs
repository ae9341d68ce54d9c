//! `report.md` for people, and the short summary the command line prints.
//!
//! Every number is printed with a fixed precision so the same run gives the same bytes.
//! The conventions section is generated from the same [`Conventions`] as `report.json`;
//! same-close fills get a warning at the top of the report, not only in the conventions.

use super::conventions::{Conventions, look_ahead_warning};
use super::format::{cell, dec, fixed, money, opt, pct};
use super::json::portable_data_files;
use super::metrics::{Metrics, compute_metrics};
use crate::backtest::result::RunResult;
use crate::scenario::{SizingConfig, SmaMode, StrategyConfig};
use std::fmt::Write as _;

/// One file of the report, as linked from `report.md`.
pub struct LinkedFile {
    pub name: &'static str,
    pub what: &'static str,
}

/// The files `report.md` links to, in the order it lists them.
pub const LINKED_FILES: [LinkedFile; 14] = [
    LinkedFile {
        name: "report.json",
        what: "everything in this report, for machines",
    },
    LinkedFile {
        name: "equity.csv",
        what: "the equity curve, its drawdown and the benchmark, one row per point",
    },
    LinkedFile {
        name: "trades.csv",
        what: "one row per round trip",
    },
    LinkedFile {
        name: "orders.csv",
        what: "one row per order, with its final status",
    },
    LinkedFile {
        name: "fills.csv",
        what: "one row per fill, with slippage, fees and venue",
    },
    LinkedFile {
        name: "parent_orders.csv",
        what: "one row per parent order: algorithm, children, filled fraction, duration, slippage against arrival and decision",
    },
    LinkedFile {
        name: "routing.csv",
        what: "where each routed order went (children of worked parents included, each with its parent) and what each venue quoted for it",
    },
    LinkedFile {
        name: "sizing.csv",
        what: "one row per entry sized at its decision: the model's inputs, raw and final quantity, what capped or skipped it",
    },
    LinkedFile {
        name: "equity.svg",
        what: "chart of equity over time",
    },
    LinkedFile {
        name: "drawdown.svg",
        what: "chart of drawdown over time",
    },
    LinkedFile {
        name: "slippage.md",
        what: "the slippage report: implementation shortfall per order, by symbol, side, size and hour",
    },
    LinkedFile {
        name: "slippage.csv",
        what: "one row per order: delay, timing, spread, impact, fees and opportunity cost, in currency and bps",
    },
    LinkedFile {
        name: "slippage_hist.svg",
        what: "chart of the distribution of the implementation shortfall per order",
    },
    LinkedFile {
        name: "slippage_vs_size.svg",
        what: "chart of spread and impact against order size as a share of bar volume",
    },
];

fn describe_strategy(strategy: &StrategyConfig, scenario_dir: &std::path::Path) -> String {
    match strategy {
        StrategyConfig::SmaCross { fast, slow, mode } => {
            let mode = match mode {
                SmaMode::LongOnly => "long only",
                SmaMode::LongShort => "long/short",
            };
            format!("SMA crossover (fast {fast}, slow {slow}, {mode})")
        }
        StrategyConfig::BuyAndHold => "buy and hold".to_string(),
        StrategyConfig::SignalsFile { path } => {
            format!(
                "signals from `{}`",
                super::format::display_path(path, scenario_dir).display()
            )
        }
    }
}

/// The sizing model in words. Every model but all-cash also rounds down to whole lots,
/// is capped by the buying power and skips entries below the minimum quantity.
fn describe_sizing(sizing: &SizingConfig) -> String {
    let share = |d: &rust_decimal::Decimal| pct(super::metrics::to_f64(*d));
    let model = match sizing {
        SizingConfig::AllCash => {
            return "all available cash, whole lots, sized at the fill (orders.csv shows each entry's quantity)"
                .to_string();
        }
        SizingConfig::FixedQty { qty } => format!("fixed quantity {}", dec(*qty)),
        SizingConfig::FixedNotional { notional } => format!("fixed notional {} per entry", dec(*notional)),
        SizingConfig::FractionOfEquity { fraction } => format!("{} of equity per entry", share(fraction)),
        SizingConfig::AtrRisk {
            risk_fraction,
            atr_bars,
            atr_multiple,
        } => format!(
            "ATR risk: {} of equity at risk per entry over a stop {} × ATR({atr_bars}) away \
             (ATR: simple mean of the last {atr_bars} true ranges)",
            share(risk_fraction),
            dec(*atr_multiple)
        ),
        SizingConfig::VolTarget { annual_vol, vol_bars } => format!(
            "volatility target: each entry sized to {} annualised volatility of equity \
             (σ of the last {vol_bars} close-to-close returns × √P)",
            share(annual_vol)
        ),
        SizingConfig::Confidence {
            fraction,
            min_confidence,
        } => format!(
            "confidence × {} of equity per entry; signals without a confidence or below {} are skipped",
            share(fraction),
            dec(*min_confidence)
        ),
    };
    format!("{model}; whole lots, capped by the buying power (sizing.csv shows each entry)")
}

fn interval(secs: f64) -> String {
    const UNITS: [(f64, &str); 4] = [(86_400.0, "d"), (3_600.0, "h"), (60.0, "min"), (1.0, "s")];
    for (size, unit) in UNITS {
        if secs >= size && (secs / size).fract() == 0.0 {
            return format!("{}{unit}", fixed(secs / size, 0));
        }
    }
    format!("{}s", fixed(secs, 3))
}

fn ratio(x: Option<f64>) -> String {
    opt(x, |v| fixed(v, 3))
}

fn opt_pct(x: Option<f64>) -> String {
    opt(x, pct)
}

/// One table row: a label and one cell per column of metrics.
fn row(out: &mut String, label: &str, columns: &[&Metrics], f: impl Fn(&Metrics) -> String) {
    let _ = write!(out, "| {label} |");
    for m in columns {
        let _ = write!(out, " {} |", cell(&f(m)));
    }
    out.push('\n');
}

fn table_head(out: &mut String, first: &str, columns: &[&Metrics]) {
    let _ = write!(out, "| {first} | Strategy |");
    if columns.len() > 1 {
        out.push_str(" Benchmark |");
    }
    out.push_str("\n|---|");
    for _ in columns {
        out.push_str("---:|");
    }
    out.push('\n');
}

fn orders_by_status(m: &Metrics) -> String {
    let parts: Vec<String> = m
        .orders_by_status
        .iter()
        .map(|(status, n)| format!("{status} {n}"))
        .collect();
    if parts.is_empty() {
        m.orders.to_string()
    } else {
        format!("{} ({})", m.orders, parts.join(", "))
    }
}

/// The text of `report.md`.
pub fn render_markdown(result: &RunResult, metrics: &Metrics, benchmark_metrics: Option<&Metrics>) -> String {
    let scenario = &result.scenario;
    let conventions = Conventions::for_run(result);
    let currency = &scenario.currency;
    let mut columns = vec![metrics];
    columns.extend(benchmark_metrics);
    let mut out = String::new();

    let _ = writeln!(out, "# Backtest report: {}\n", scenario.name);
    if let Some(description) = scenario.description.as_deref().filter(|d| !d.trim().is_empty()) {
        let _ = writeln!(out, "{}\n", description.trim());
    }
    if let Some(warning) = look_ahead_warning(scenario.venue.fill_timing) {
        let _ = writeln!(out, "> **{warning}**\n");
    }

    out.push_str("| Run | |\n|---|---|\n");
    let symbols: Vec<String> = result
        .instruments
        .iter()
        .map(|i| format!("{} ({}, {} calendar)", i.symbol, i.currency, i.calendar.name()))
        .collect();
    let benchmark = result.benchmark.as_ref().map_or("none".to_string(), |b| {
        format!(
            "{} of the same instruments, same venue and costs, orders sent as they are, no risk limits",
            b.strategy
        )
    });
    let period = match (metrics.first_ts, metrics.last_ts) {
        (Some(first), Some(last)) => format!("{first} to {last} ({} points)", metrics.n_equity_points),
        _ => "no data".to_string(),
    };
    let run_rows = [
        (
            "Strategy",
            format!(
                "`{}`: {}",
                result.main.strategy,
                describe_strategy(&scenario.strategy, &scenario.source_dir)
            ),
        ),
        ("Sizing", describe_sizing(&scenario.sizing)),
        ("Instruments", symbols.join(", ")),
        ("Starting cash", format!("{} {currency}", money(scenario.cash))),
        ("Period", period),
        ("Benchmark", benchmark),
        ("Seed", scenario.seed.to_string()),
        ("slipstream", env!("CARGO_PKG_VERSION").to_string()),
    ];
    for (label, value) in run_rows {
        let _ = writeln!(out, "| {label} | {} |", cell(&value));
    }

    out.push_str("\n## Performance\n\n");
    table_head(&mut out, "Metric", &columns);
    row(&mut out, &format!("Final equity ({currency})"), &columns, |m| {
        money(m.final_equity)
    });
    row(&mut out, "Total return", &columns, |m| opt_pct(m.total_return));
    row(&mut out, "CAGR (by period count)", &columns, |m| {
        opt_pct(m.cagr_by_count)
    });
    row(&mut out, "CAGR (by calendar)", &columns, |m| {
        opt_pct(m.cagr_by_calendar)
    });
    row(&mut out, "Volatility (annualised)", &columns, |m| {
        opt_pct(m.volatility_ann)
    });
    row(&mut out, "Sharpe", &columns, |m| ratio(m.sharpe));
    row(&mut out, "Sortino", &columns, |m| ratio(m.sortino));
    row(&mut out, "Max drawdown", &columns, |m| pct(m.max_drawdown));
    row(&mut out, "Longest drawdown (bars)", &columns, |m| {
        m.max_drawdown_duration_bars.to_string()
    });
    row(&mut out, "Longest drawdown (days)", &columns, |m| {
        fixed(m.max_drawdown_duration_days, 1)
    });
    row(&mut out, "Calmar", &columns, |m| ratio(m.calmar));
    row(&mut out, "Exposure", &columns, |m| opt_pct(m.exposure));
    row(&mut out, "Turnover (x mean equity)", &columns, |m| {
        opt(m.turnover, |v| fixed(v, 2))
    });

    out.push_str("\n## Trades\n\nClosed round trips; PnL after fees.\n\n");
    table_head(&mut out, "Statistic", &columns);
    row(&mut out, "Closed trades", &columns, |m| m.trades_closed.to_string());
    row(&mut out, "Open at the end", &columns, |m| m.trades_open.to_string());
    row(&mut out, "Win rate", &columns, |m| opt_pct(m.win_rate));
    row(&mut out, "Profit factor", &columns, |m| ratio(m.profit_factor));
    row(&mut out, &format!("Expectancy ({currency} per trade)"), &columns, |m| {
        opt(m.expectancy, |v| fixed(v, 2))
    });
    row(&mut out, "Average trade return", &columns, |m| {
        opt(m.avg_trade_return_pct, |v| format!("{}%", fixed(v, 2)))
    });
    row(&mut out, "Average bars held", &columns, |m| {
        opt(m.avg_bars_held, |v| fixed(v, 1))
    });
    row(
        &mut out,
        &format!("Net PnL of closed trades ({currency})"),
        &columns,
        |m| money(m.net_pnl_closed),
    );

    out.push_str("\n## Costs\n\n");
    table_head(&mut out, "Cost", &columns);
    row(&mut out, &format!("Fees ({currency})"), &columns, |m| {
        money(m.fees_total)
    });
    row(&mut out, &format!("Slippage cost ({currency})"), &columns, |m| {
        money(m.slippage_cost_total)
    });
    row(&mut out, "Slippage (bps of traded notional)", &columns, |m| {
        opt(m.slippage_cost_bps, |v| fixed(v, 2))
    });
    row(&mut out, &format!("Traded notional ({currency})"), &columns, |m| {
        money(m.traded_notional)
    });
    row(&mut out, "Orders (by final status)", &columns, orders_by_status);
    row(&mut out, "Fills", &columns, |m| m.fills.to_string());
    out.push_str(
        "\nEvery order's implementation shortfall against the price the strategy decided at (delay, timing, \
         spread, impact, fees, opportunity cost), by symbol, side, size and hour: [slippage.md](slippage.md).\n",
    );

    super::routing::routing_markdown(&mut out, result, &super::routing::routing_summary(result));
    let parents = super::parents::parent_rows(result);
    super::parents::execution_markdown(&mut out, &super::parents::execution_summary(result, &parents));
    if !result.scenario.risk.is_empty() {
        crate::risk::render_markdown_section(&result.main.risk, &mut out);
    }

    out.push_str("\n## Charts\n\n![Equity over time](equity.svg)\n\n![Drawdown over time](drawdown.svg)\n");

    out.push_str("\n## Conventions\n\n");
    let c = &conventions;
    let source = match c.periods_per_year_source.as_str() {
        "scenario" => "set in the scenario".to_string(),
        "calendar" => "derived from the bar interval and the instruments' trading calendar".to_string(),
        other => format!("source: {other}"),
    };
    let items = [
        (format!("Fill timing (`{}`)", c.fill_timing), c.fill_timing_rule.clone()),
        (
            format!("Intrabar path (`{}`)", c.intrabar_path),
            c.intrabar_path_rule.clone(),
        ),
        ("Slippage".to_string(), c.slippage.clone()),
        ("Commission".to_string(), c.commission.clone()),
        ("Routing".to_string(), c.routing.to_string()),
        ("Execution".to_string(), c.execution.clone()),
        (
            "Annualisation".to_string(),
            format!("P = {} periods per year, {source}", c.periods_per_year),
        ),
        ("Risk-free rate".to_string(), "0".to_string()),
        ("Returns".to_string(), c.returns.to_string()),
        ("Sharpe".to_string(), c.sharpe.to_string()),
        ("Sortino".to_string(), c.sortino.to_string()),
        ("Volatility".to_string(), c.volatility_ann.to_string()),
        ("Max drawdown".to_string(), c.max_drawdown.to_string()),
        ("Drawdown duration".to_string(), c.max_drawdown_duration.to_string()),
        ("CAGR by period count".to_string(), c.cagr_by_count.to_string()),
        ("CAGR by calendar".to_string(), c.cagr_by_calendar.to_string()),
        ("Calmar".to_string(), c.calmar.to_string()),
        ("Trades".to_string(), c.trades.to_string()),
        ("Exposure".to_string(), c.exposure.to_string()),
        ("Turnover".to_string(), c.turnover.to_string()),
        ("Slippage in bps".to_string(), c.slippage_cost_bps.to_string()),
        (
            "Undefined values".to_string(),
            format!("{} here, n/a in this file", c.undefined_values),
        ),
    ];
    for (label, text) in items {
        let _ = writeln!(out, "- **{label}**: {}.", text.trim_end_matches('.'));
    }
    for terms in &c.venues {
        let _ = writeln!(out, "- **Venue** {}.", terms.trim_end_matches('.'));
    }
    if let Some(warning) = look_ahead_warning(scenario.venue.fill_timing) {
        let _ = writeln!(out, "\n**{warning}**");
    }

    out.push_str("\n## Data provenance\n\n");
    let files = portable_data_files(&result.data_files, &result.scenario.source_dir);
    if files.is_empty() {
        out.push_str("No data files recorded.\n");
    } else {
        out.push_str("| Symbol | File | SHA-256 | Bars | First | Last | Bar interval | Gaps |\n");
        out.push_str("|---|---|---|---:|---|---|---:|---:|\n");
        for f in &files {
            let ts = |t: Option<crate::model::Timestamp>| t.map_or_else(|| "-".to_string(), |t| t.to_string());
            let _ = writeln!(
                out,
                "| {} | `{}` | `{}` | {} | {} | {} | {} | {} |",
                cell(&f.symbol),
                cell(&f.path.display().to_string()),
                cell(&f.sha256),
                f.bars,
                ts(f.first_ts),
                ts(f.last_ts),
                interval(f.bar_interval_secs),
                f.gaps
            );
        }
    }

    out.push_str("\n## Warnings\n\n");
    if result.warnings.is_empty() {
        out.push_str("None.\n");
    } else {
        for w in &result.warnings {
            let _ = writeln!(out, "- {}", w.replace(['\r', '\n'], " "));
        }
    }

    out.push_str("\n## Files\n\n");
    for f in &LINKED_FILES {
        let _ = writeln!(out, "- [{name}]({name}): {}", f.what, name = f.name);
    }
    out
}

/// The short summary the command line prints after a run: final equity, total return,
/// Sharpe, max drawdown, trades, fees and slippage cost (and the benchmark's headline
/// numbers when there is one). Ends with a newline.
pub fn summary_text(result: &RunResult, metrics: &Metrics) -> String {
    let currency = &result.scenario.currency;
    let mut out = String::new();
    let _ = writeln!(out, "{} ({})", result.scenario.name, metrics.strategy);
    let lines = [
        (
            "Final equity",
            format!(
                "{} {currency} (start {})",
                money(metrics.final_equity),
                money(metrics.start_cash)
            ),
        ),
        ("Total return", opt_pct(metrics.total_return)),
        (
            "Sharpe",
            format!(
                "{} (P = {}, {}; rf = 0)",
                ratio(metrics.sharpe),
                metrics.periods_per_year,
                result.periods_per_year_source
            ),
        ),
        (
            "Max drawdown",
            format!(
                "{} (longest {} bars, {} days)",
                pct(metrics.max_drawdown),
                metrics.max_drawdown_duration_bars,
                fixed(metrics.max_drawdown_duration_days, 1)
            ),
        ),
        (
            "Trades",
            format!(
                "{} closed, {} open, win rate {}",
                metrics.trades_closed,
                metrics.trades_open,
                opt_pct(metrics.win_rate)
            ),
        ),
        ("Fees", format!("{} {currency}", money(metrics.fees_total))),
        (
            "Slippage cost",
            format!(
                "{} {currency} ({} bps of traded notional)",
                money(metrics.slippage_cost_total),
                opt(metrics.slippage_cost_bps, |v| fixed(v, 2))
            ),
        ),
    ];
    for (label, value) in lines {
        let _ = writeln!(out, "  {label:<15}{value}");
    }
    if let Some(bench) = &result.benchmark {
        let b = compute_metrics(bench, result.scenario.cash, result.periods_per_year);
        let _ = writeln!(
            out,
            "  {:<15}{}: total return {}, Sharpe {}, max drawdown {}",
            "Benchmark",
            b.strategy,
            opt_pct(b.total_return),
            ratio(b.sharpe),
            pct(b.max_drawdown)
        );
    }
    if look_ahead_warning(result.scenario.venue.fill_timing).is_some() {
        out.push_str("  WARNING: fill timing is same_close, which looks ahead (see report.md)\n");
    }
    match result.warnings.len() {
        0 => {}
        1 => out.push_str("  1 warning (see report.md)\n"),
        n => {
            let _ = writeln!(out, "  {n} warnings (see report.md)");
        }
    }
    out
}
