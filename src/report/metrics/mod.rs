//! Performance, trade and cost metrics of one run.
//!
//! Each statistic lives in its own small module as a pure function of returns, an equity
//! curve, trades or fills, so it can be tested on its own; [`compute_metrics`] assembles
//! them for a [`RunOutcome`]. The conventions follow quantstats / empyrical so the
//! numbers can be checked against them (see `tests/metrics_conformance.rs`):
//!
//! - per-period simple returns `r_i = e_i / e_{i-1} - 1` of the equity curve, `N = points - 1`;
//! - risk-free rate 0;
//! - `sharpe = mean(r) / std(r, ddof = 1) * sqrt(P)`;
//! - `sortino = mean(r) / sqrt(mean(min(r, 0)^2) over all N) * sqrt(P)`;
//! - `volatility_ann = std(r, ddof = 1) * sqrt(P)`;
//! - max drawdown from the starting equity, as a negative fraction;
//! - `cagr_by_count = (final / initial)^(P / N) - 1`, `cagr_by_calendar` over 365.25-day years;
//! - `calmar = cagr_by_count / |max_drawdown|`.
//!
//! A statistic that is undefined (zero deviation, no downside, no trades, ...) is `None`
//! and serialises as `null`: the metrics never hold NaN or infinity.

pub mod cagr;
pub mod costs;
pub mod drawdown;
pub mod exposure;
pub mod returns;
pub mod sharpe;
pub mod sortino;
pub mod trades;

pub use cagr::{SECS_PER_YEAR, cagr_by_calendar, cagr_by_count, calmar};
pub use costs::{fees_total, orders_by_status, slippage_cost_bps, slippage_cost_total, traded_notional};
pub use drawdown::{
    DrawdownSpell, drawdown_series, drawdown_spells, max_drawdown, max_drawdown_duration_bars,
    max_drawdown_duration_days,
};
pub use exposure::{exposure, turnover};
pub use returns::{compensated_sum, mean, returns, std_dev, total_return};
pub use sharpe::{sharpe, volatility_ann};
pub use sortino::{downside_deviation, sortino};
pub use trades::{
    avg_bars_held, avg_trade_return_pct, expectancy, gross_loss, gross_profit, profit_factor, trade_return_pct,
    trades_closed, trades_open, win_rate,
};

use crate::backtest::result::RunOutcome;
use crate::model::Timestamp;
use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::BTreeMap;

/// Every metric of one run. Ratios are `f64` (`None` when undefined, serialised as
/// `null`); money totals are exact decimals (serialised as strings). Units come last in
/// field names (`_bars`, `_days`, `_pct`, `_bps`); fractions without a unit are plain
/// fractions (`-0.25` is -25%).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Metrics {
    /// Name of the strategy the metrics describe.
    pub strategy: String,
    /// The scenario's starting cash.
    pub start_cash: Decimal,
    /// First point of the equity curve: every curve statistic starts here. Equal to the
    /// starting cash unless the first bar already traded (same-close fills).
    pub start_equity: Decimal,
    pub final_equity: Decimal,
    pub first_ts: Option<Timestamp>,
    pub last_ts: Option<Timestamp>,
    pub n_equity_points: usize,
    /// `N = n_equity_points - 1`.
    pub n_returns: usize,
    pub periods_per_year: f64,
    /// `final_equity / start_equity - 1`.
    pub total_return: Option<f64>,
    pub cagr_by_count: Option<f64>,
    pub cagr_by_calendar: Option<f64>,
    pub volatility_ann: Option<f64>,
    pub sharpe: Option<f64>,
    pub sortino: Option<f64>,
    /// Negative fraction (0 if the curve never fell).
    pub max_drawdown: f64,
    pub max_drawdown_duration_bars: usize,
    pub max_drawdown_duration_days: f64,
    /// `cagr_by_count / |max_drawdown|`.
    pub calmar: Option<f64>,
    pub trades_closed: usize,
    pub trades_open: usize,
    /// Share of closed trades with positive net PnL (after fees), in [0, 1].
    pub win_rate: Option<f64>,
    /// Gross winning net PnL / |gross losing net PnL|, closed trades.
    pub profit_factor: Option<f64>,
    /// Mean net PnL per closed trade, in currency.
    pub expectancy: Option<f64>,
    /// Mean net PnL of closed trades in percent of their entry notional.
    pub avg_trade_return_pct: Option<f64>,
    pub avg_bars_held: Option<f64>,
    /// Net PnL (after fees) summed over closed trades.
    pub net_pnl_closed: Decimal,
    /// Share of equity points with an open position, in [0, 1].
    pub exposure: Option<f64>,
    /// `traded_notional / mean(equity)` over the whole run (not annualised).
    pub turnover: Option<f64>,
    /// Sum of `|px * qty|` over all fills.
    pub traded_notional: Decimal,
    pub fees_total: Decimal,
    /// Sum of adverse slippage in currency (positive = cost).
    pub slippage_cost_total: Decimal,
    /// `slippage_cost_total / traded_notional * 1e4`.
    pub slippage_cost_bps: Option<f64>,
    pub orders: usize,
    /// Order count per final status (`filled`, `cancelled`, ...), sorted by status.
    pub orders_by_status: BTreeMap<String, usize>,
    pub fills: usize,
}

/// Computes every metric of one outcome. `start_cash` is the scenario's cash, reported
/// beside the curve's own first point; `periods_per_year` is the `P` of annualisation.
pub fn compute_metrics(outcome: &RunOutcome, start_cash: Decimal, periods_per_year: f64) -> Metrics {
    let equity: Vec<f64> = outcome.equity.iter().map(|p| to_f64(p.equity)).collect();
    let ts: Vec<Timestamp> = outcome.equity.iter().map(|p| p.ts).collect();
    let rets = returns(&equity);
    let max_dd = max_drawdown(&equity);
    let cagr_count = cagr_by_count(&equity, periods_per_year);
    let cagr_calendar = match (equity.first(), equity.last(), ts.first(), ts.last()) {
        (Some(&first), Some(&last), Some(&t0), Some(&t1)) => cagr_by_calendar(first, last, t1.secs_since(t0)),
        _ => None,
    };
    let notional = traded_notional(&outcome.fills);
    let trades = &outcome.trades;
    Metrics {
        strategy: outcome.strategy.clone(),
        start_cash,
        start_equity: outcome.equity.first().map_or(start_cash, |p| p.equity),
        final_equity: outcome.equity.last().map_or(start_cash, |p| p.equity),
        first_ts: ts.first().copied(),
        last_ts: ts.last().copied(),
        n_equity_points: equity.len(),
        n_returns: rets.len(),
        periods_per_year,
        total_return: total_return(&equity),
        cagr_by_count: cagr_count,
        cagr_by_calendar: cagr_calendar,
        volatility_ann: volatility_ann(&rets, periods_per_year),
        sharpe: sharpe(&rets, periods_per_year),
        sortino: sortino(&rets, periods_per_year),
        max_drawdown: max_dd,
        max_drawdown_duration_bars: max_drawdown_duration_bars(&equity),
        max_drawdown_duration_days: max_drawdown_duration_days(&equity, &ts),
        calmar: calmar(cagr_count, max_dd),
        trades_closed: trades_closed(trades),
        trades_open: trades_open(trades),
        win_rate: win_rate(trades),
        profit_factor: profit_factor(trades),
        expectancy: expectancy(trades),
        avg_trade_return_pct: avg_trade_return_pct(trades),
        avg_bars_held: avg_bars_held(trades),
        net_pnl_closed: trades.iter().filter(|t| !t.is_open()).map(|t| t.net_pnl()).sum(),
        exposure: exposure(outcome.bars_in_market, equity.len()),
        turnover: turnover(to_f64(notional), &equity),
        traded_notional: notional,
        fees_total: fees_total(&outcome.fills),
        slippage_cost_total: slippage_cost_total(&outcome.fills),
        slippage_cost_bps: slippage_cost_bps(&outcome.fills),
        orders: outcome.orders.len(),
        orders_by_status: orders_by_status(&outcome.orders),
        fills: outcome.fills.len(),
    }
}

/// Correctly rounded conversion of a decimal to the nearest `f64`.
///
/// `Decimal`'s own conversion can be off by an ulp, which would show in the conformance
/// checks; a mantissa below 2^53 with a scale up to 22 divides exactly-representable
/// values once (one rounding), anything else goes through the correctly rounded parser.
pub fn to_f64(value: Decimal) -> f64 {
    const POW10: [f64; 23] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19,
        1e20, 1e21, 1e22,
    ];
    let mantissa = value.mantissa();
    let scale = value.scale() as usize;
    if mantissa.unsigned_abs() < (1_u128 << 53) && scale < POW10.len() {
        return mantissa as f64 / POW10[scale];
    }
    value.to_string().parse().unwrap_or(f64::NAN)
}

/// `Some(x)` for a finite `x`, else `None`: how the metrics keep NaN and infinity out.
pub(crate) fn finite(x: f64) -> Option<f64> {
    x.is_finite().then_some(x)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::dec;

    #[test]
    fn decimal_to_f64_is_correctly_rounded() {
        for text in [
            "0.1",
            "100000.0",
            "-2.675",
            "614793.4400000001",
            "0.3",
            "1e-10",
            "123456789012345678901.5",
        ] {
            let d: Decimal = text.parse().unwrap_or_else(|_| Decimal::from_scientific(text).unwrap());
            let expected: f64 = d.to_string().parse().unwrap();
            assert_eq!(to_f64(d), expected, "{text}");
        }
        assert_eq!(to_f64(dec!(0)), 0.0);
        assert_eq!(to_f64(Decimal::MAX), 79228162514264337593543950335.0);
    }
}
