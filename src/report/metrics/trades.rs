//! Trade statistics, over closed round trips.
//!
//! Why closed trades only: an open trade's PnL is a mark at the last close, not a result;
//! it is counted (`trades_open`) but kept out of the rates and averages. Every PnL here
//! is **net of fees** (`pnl - fees`), so a trade that made less than its commissions is a
//! loss.
//!
//! - win rate: share of closed trades with net PnL > 0;
//! - profit factor: sum of winning net PnLs / |sum of losing net PnLs|;
//! - expectancy: mean net PnL per closed trade, in currency;
//! - trade return: net PnL / entry notional (`entry_px * qty`), in percent;
//! - bars held: equity points from entry to exit.

use super::{finite, to_f64};
use crate::backtest::result::Trade;
use rust_decimal::Decimal;

fn closed(trades: &[Trade]) -> impl Iterator<Item = &Trade> {
    trades.iter().filter(|t| !t.is_open())
}

pub fn trades_closed(trades: &[Trade]) -> usize {
    closed(trades).count()
}

pub fn trades_open(trades: &[Trade]) -> usize {
    trades.iter().filter(|t| t.is_open()).count()
}

/// Share of closed trades with a positive net PnL, in [0, 1]; `None` without closed trades.
pub fn win_rate(trades: &[Trade]) -> Option<f64> {
    let n = trades_closed(trades);
    if n == 0 {
        return None;
    }
    let wins = closed(trades).filter(|t| t.net_pnl() > Decimal::ZERO).count();
    Some(wins as f64 / n as f64)
}

/// Sum of positive net PnLs of closed trades (exact).
pub fn gross_profit(trades: &[Trade]) -> Decimal {
    closed(trades).map(Trade::net_pnl).filter(|p| *p > Decimal::ZERO).sum()
}

/// Sum of negative net PnLs of closed trades (exact, <= 0).
pub fn gross_loss(trades: &[Trade]) -> Decimal {
    closed(trades).map(Trade::net_pnl).filter(|p| *p < Decimal::ZERO).sum()
}

/// `gross_profit / |gross_loss|`; `None` when no closed trade lost money.
pub fn profit_factor(trades: &[Trade]) -> Option<f64> {
    let loss = gross_loss(trades);
    if loss.is_zero() {
        return None;
    }
    finite(to_f64(gross_profit(trades)) / to_f64(loss.abs()))
}

/// Mean net PnL per closed trade, in currency; `None` without closed trades.
pub fn expectancy(trades: &[Trade]) -> Option<f64> {
    let n = trades_closed(trades);
    if n == 0 {
        return None;
    }
    let total: Decimal = closed(trades).map(Trade::net_pnl).sum();
    finite(to_f64(total) / n as f64)
}

/// One trade's net PnL in percent of its entry notional; `None` for a zero notional.
pub fn trade_return_pct(trade: &Trade) -> Option<f64> {
    let notional = (trade.entry_px * trade.qty).abs();
    if notional.is_zero() {
        return None;
    }
    finite(to_f64(trade.net_pnl()) / to_f64(notional) * 100.0)
}

/// Mean of [`trade_return_pct`] over closed trades; `None` without closed trades.
pub fn avg_trade_return_pct(trades: &[Trade]) -> Option<f64> {
    let pcts: Vec<f64> = closed(trades).filter_map(trade_return_pct).collect();
    super::returns::mean(&pcts)
}

/// Mean bars held over closed trades; `None` without closed trades.
pub fn avg_bars_held(trades: &[Trade]) -> Option<f64> {
    let bars: Vec<f64> = closed(trades).map(|t| t.bars_held as f64).collect();
    super::returns::mean(&bars)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::model::{Side, Timestamp};
    use rust_decimal::dec;

    pub(crate) fn trade(
        entry_px: Decimal,
        exit_px: Option<Decimal>,
        qty: Decimal,
        fees: Decimal,
        bars: usize,
    ) -> Trade {
        let pnl = (exit_px.unwrap_or(entry_px) - entry_px) * qty;
        Trade {
            symbol: 0,
            side: Side::Buy,
            qty,
            entry_ts: Timestamp(0),
            entry_px,
            exit_ts: exit_px.map(|_| Timestamp(1)),
            exit_px,
            pnl,
            fees,
            bars_held: bars,
        }
    }

    fn sample() -> Vec<Trade> {
        vec![
            // +100 gross, 2 fees: +98 net on 1000 notional = 9.8%.
            trade(dec!(10), Some(dec!(11)), dec!(100), dec!(2), 4),
            // -50 gross, 2 fees: -52 net on 1000 notional = -5.2%.
            trade(dec!(20), Some(dec!(19)), dec!(50), dec!(2), 2),
            // +1 gross, 2 fees: a loss after fees, -1 net on 100 notional = -1%.
            trade(dec!(1), Some(dec!(1.01)), dec!(100), dec!(2), 3),
            // Still open: ignored by the rates.
            trade(dec!(5), None, dec!(10), dec!(1), 7),
        ]
    }

    #[test]
    fn trade_stats_by_hand() {
        let t = sample();
        assert_eq!(trades_closed(&t), 3);
        assert_eq!(trades_open(&t), 1);
        assert_eq!(win_rate(&t), Some(1.0 / 3.0));
        assert_eq!(gross_profit(&t), dec!(98));
        assert_eq!(gross_loss(&t), dec!(-53));
        assert_eq!(profit_factor(&t), Some(98.0 / 53.0));
        assert_eq!(expectancy(&t), Some(45.0 / 3.0));
        assert!((avg_trade_return_pct(&t).unwrap() - (9.8 - 5.2 - 1.0) / 3.0).abs() < 1e-12);
        assert_eq!(avg_bars_held(&t), Some(3.0));
    }

    #[test]
    fn no_trades_or_no_losses() {
        assert_eq!(win_rate(&[]), None);
        assert_eq!(profit_factor(&[]), None);
        assert_eq!(expectancy(&[]), None);
        assert_eq!(avg_bars_held(&[]), None);
        let winners = [trade(dec!(10), Some(dec!(11)), dec!(1), dec!(0), 1)];
        assert_eq!(profit_factor(&winners), None);
        assert_eq!(win_rate(&winners), Some(1.0));
    }
}
