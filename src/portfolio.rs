//! Cash, netted positions and round-trip trades.
//!
//! The portfolio is the engine's book of record: every fill changes it through
//! [`Portfolio::apply_fill`] and nothing else. Positions are netted per symbol (a sell
//! against a long reduces it, and past zero opens a short), with an average entry price
//! and realised PnL. Cash is charged the fill's notional and its fee, so a fill changes
//! `cash + position value at the fill price` by exactly minus its fee.

use crate::backtest::result::Trade;
use crate::model::{Fill, Side, SymbolId, Timestamp};
use rust_decimal::Decimal;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Position {
    /// Signed: positive long, negative short.
    pub qty: Decimal,
    /// Average entry price of the open quantity; zero when flat.
    pub avg_px: Decimal,
    /// PnL realised by reducing fills, before fees.
    pub realized_pnl: Decimal,
}

impl Position {
    pub fn is_flat(&self) -> bool {
        self.qty.is_zero()
    }
}

/// A trade that is still open: accumulates its fills until the position is flat again.
#[derive(Debug, Clone)]
struct OpenTrade {
    side: Side,
    entry_ts: Timestamp,
    entry_qty: Decimal,
    entry_notional: Decimal,
    exit_qty: Decimal,
    exit_notional: Decimal,
    exit_ts: Timestamp,
    max_qty: Decimal,
    pnl: Decimal,
    fees: Decimal,
    entry_point: usize,
}

impl OpenTrade {
    fn open(side: Side, ts: Timestamp, qty: Decimal, px: Decimal, fee: Decimal, point: usize) -> Self {
        OpenTrade {
            side,
            entry_ts: ts,
            entry_qty: qty,
            entry_notional: qty * px,
            exit_qty: Decimal::ZERO,
            exit_notional: Decimal::ZERO,
            exit_ts: ts,
            max_qty: qty,
            pnl: Decimal::ZERO,
            fees: fee,
            entry_point: point,
        }
    }

    fn entry_px(&self) -> Decimal {
        self.entry_notional / self.entry_qty
    }

    fn into_trade(self, symbol: SymbolId, exit: Option<(Timestamp, Decimal)>, pnl: Decimal, point: usize) -> Trade {
        Trade {
            symbol,
            side: self.side,
            qty: self.max_qty,
            entry_ts: self.entry_ts,
            entry_px: self.entry_px(),
            exit_ts: exit.map(|(ts, _)| ts),
            exit_px: exit.map(|(_, px)| px),
            pnl,
            fees: self.fees,
            bars_held: point.saturating_sub(self.entry_point),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Portfolio {
    cash: Decimal,
    positions: Vec<Position>,
    /// Last known close per symbol, used to mark positions.
    marks: Vec<Decimal>,
    open_trades: Vec<Option<OpenTrade>>,
    closed_trades: Vec<Trade>,
    fees_total: Decimal,
}

impl Portfolio {
    pub fn new(cash: Decimal, symbols: usize) -> Self {
        Portfolio {
            cash,
            positions: vec![Position::default(); symbols],
            marks: vec![Decimal::ZERO; symbols],
            open_trades: vec![None; symbols],
            closed_trades: Vec::new(),
            fees_total: Decimal::ZERO,
        }
    }

    pub fn cash(&self) -> Decimal {
        self.cash
    }

    pub fn position(&self, symbol: SymbolId) -> &Position {
        &self.positions[symbol]
    }

    pub fn positions(&self) -> &[Position] {
        &self.positions
    }

    pub fn mark(&mut self, symbol: SymbolId, px: Decimal) {
        self.marks[symbol] = px;
    }

    pub fn mark_px(&self, symbol: SymbolId) -> Decimal {
        self.marks[symbol]
    }

    pub fn fees_total(&self) -> Decimal {
        self.fees_total
    }

    /// PnL of the open position in `symbol` at its mark, before fees.
    pub fn unrealized_pnl(&self, symbol: SymbolId) -> Decimal {
        let pos = &self.positions[symbol];
        pos.qty * (self.marks[symbol] - pos.avg_px)
    }

    /// Signed market value of all positions at the marks.
    pub fn positions_value(&self) -> Decimal {
        self.positions.iter().zip(&self.marks).map(|(p, m)| p.qty * m).sum()
    }

    /// Signed and absolute position values at the marks in one pass (one multiplication
    /// per open position; flat ones cost none): the equity curve takes both every bar.
    pub fn values(&self) -> (Decimal, Decimal) {
        let mut net = Decimal::ZERO;
        let mut gross = Decimal::ZERO;
        for (p, m) in self.positions.iter().zip(&self.marks) {
            if p.qty.is_zero() {
                continue;
            }
            let value = p.qty * m;
            net += value;
            gross += value.abs();
        }
        (net, gross)
    }

    /// Sum of absolute position values at the marks.
    pub fn gross_exposure(&self) -> Decimal {
        self.positions
            .iter()
            .zip(&self.marks)
            .map(|(p, m)| (p.qty * m).abs())
            .sum()
    }

    /// What an all-cash order may spend: equity not already committed to positions
    /// (equity − gross exposure, at least zero). Flat, it is the cash; short-sale proceeds
    /// never count twice.
    pub fn buying_power(&self) -> Decimal {
        (self.equity() - self.gross_exposure()).max(Decimal::ZERO)
    }

    pub fn equity(&self) -> Decimal {
        self.cash + self.positions_value()
    }

    pub fn has_position(&self) -> bool {
        self.positions.iter().any(|p| !p.is_flat())
    }

    /// Books a fill: cash, position (netting, average price, realised PnL) and the
    /// round-trip trade it belongs to. `point` is the index of the equity point being
    /// built, used for bars held.
    pub fn apply_fill(&mut self, fill: &Fill, point: usize) {
        debug_assert!(fill.qty > Decimal::ZERO, "fill quantity must be positive");
        debug_assert!(fill.fee >= Decimal::ZERO, "fees are charged, never paid out");
        let signed = fill.side.sign() * fill.qty;
        self.cash -= signed * fill.px + fill.fee;
        self.fees_total += fill.fee;

        let pos = &mut self.positions[fill.symbol];
        let before = pos.qty;
        let same_direction = before.is_zero() || (before > Decimal::ZERO) == (signed > Decimal::ZERO);
        if same_direction {
            let new_qty = before + signed;
            pos.avg_px = (before.abs() * pos.avg_px + fill.qty * fill.px) / new_qty.abs();
            pos.qty = new_qty;
            self.add_to_trade(fill, fill.qty, fill.fee, point);
            return;
        }

        // Reducing, closing, or reversing.
        let closing_qty = before.abs().min(fill.qty);
        let per_unit = if before > Decimal::ZERO {
            fill.px - pos.avg_px
        } else {
            pos.avg_px - fill.px
        };
        let pnl = closing_qty * per_unit;
        pos.realized_pnl += pnl;
        pos.qty = before + signed;
        let opening_qty = fill.qty - closing_qty;
        if pos.qty.is_zero() {
            pos.avg_px = Decimal::ZERO;
        } else if opening_qty > Decimal::ZERO {
            pos.avg_px = fill.px;
        }
        let closing_fee = fill.fee * closing_qty / fill.qty;
        let now_flat = pos.qty.is_zero() || opening_qty > Decimal::ZERO;
        self.reduce_trade(fill, closing_qty, closing_fee, pnl, now_flat, point);
        if opening_qty > Decimal::ZERO {
            self.add_to_trade(fill, opening_qty, fill.fee - closing_fee, point);
        }
    }

    fn add_to_trade(&mut self, fill: &Fill, qty: Decimal, fee: Decimal, point: usize) {
        let slot = &mut self.open_trades[fill.symbol];
        match slot {
            Some(trade) => {
                trade.entry_qty += qty;
                trade.entry_notional += qty * fill.px;
                trade.fees += fee;
                trade.max_qty = trade.max_qty.max(self.positions[fill.symbol].qty.abs());
            }
            None => *slot = Some(OpenTrade::open(fill.side, fill.ts, qty, fill.px, fee, point)),
        }
    }

    fn reduce_trade(&mut self, fill: &Fill, qty: Decimal, fee: Decimal, pnl: Decimal, closes: bool, point: usize) {
        let slot = &mut self.open_trades[fill.symbol];
        let Some(trade) = slot.as_mut() else {
            debug_assert!(false, "a reducing fill always has an open trade");
            return;
        };
        trade.exit_qty += qty;
        trade.exit_notional += qty * fill.px;
        trade.exit_ts = fill.ts;
        trade.pnl += pnl;
        trade.fees += fee;
        if closes {
            let trade = slot.take().expect("checked above");
            let exit_px = trade.exit_notional / trade.exit_qty;
            let (exit_ts, pnl) = (trade.exit_ts, trade.pnl);
            self.closed_trades
                .push(trade.into_trade(fill.symbol, Some((exit_ts, exit_px)), pnl, point));
        }
    }

    /// Closed trades in exit order, then trades still open, marked at the last close.
    pub fn trades(&self, point: usize) -> Vec<Trade> {
        let mut trades = self.closed_trades.clone();
        for (symbol, open) in self.open_trades.iter().enumerate() {
            if let Some(trade) = open {
                let pnl = trade.pnl + self.unrealized_pnl(symbol);
                trades.push(trade.clone().into_trade(symbol, None, pnl, point));
            }
        }
        trades
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Liquidity;
    use rust_decimal::dec;

    fn fill(side: Side, qty: Decimal, px: Decimal, fee: Decimal, day: i64) -> Fill {
        Fill {
            order_id: 0,
            symbol: 0,
            side,
            ts: Timestamp(day * crate::model::time::NANOS_PER_DAY),
            qty,
            px,
            px_before_slippage: px,
            spread_per_unit: Decimal::ZERO,
            fee,
            liquidity: Liquidity::Taker,
            venue: 0,
        }
    }

    #[test]
    fn long_round_trip_books_cash_pnl_and_trade() {
        let mut p = Portfolio::new(dec!(1000), 1);
        p.apply_fill(&fill(Side::Buy, dec!(10), dec!(50), dec!(1), 0), 0);
        assert_eq!(p.cash(), dec!(499));
        assert_eq!(p.position(0).avg_px, dec!(50));
        p.apply_fill(&fill(Side::Sell, dec!(10), dec!(60), dec!(1), 3), 3);
        assert_eq!(p.cash(), dec!(1098));
        assert!(p.position(0).is_flat());
        let trades = p.trades(3);
        assert_eq!(trades.len(), 1);
        assert_eq!(trades[0].pnl, dec!(100));
        assert_eq!(trades[0].fees, dec!(2));
        assert_eq!(trades[0].exit_px, Some(dec!(60)));
        assert_eq!(trades[0].bars_held, 3);
    }

    #[test]
    fn reversal_closes_one_trade_and_opens_another() {
        let mut p = Portfolio::new(dec!(1000), 1);
        p.apply_fill(&fill(Side::Buy, dec!(10), dec!(50), dec!(0), 0), 0);
        p.apply_fill(&fill(Side::Sell, dec!(30), dec!(40), dec!(3), 1), 1);
        assert_eq!(p.position(0).qty, dec!(-20));
        assert_eq!(p.position(0).avg_px, dec!(40));
        p.mark(0, dec!(35));
        assert_eq!(p.unrealized_pnl(0), dec!(100), "short 20 from 40, marked at 35");
        let trades = p.trades(2);
        assert_eq!(trades.len(), 2);
        assert_eq!(trades[0].pnl, dec!(-100));
        assert_eq!(trades[0].fees, dec!(1));
        assert!(trades[1].is_open());
        assert_eq!(trades[1].side, Side::Sell);
        assert_eq!(trades[1].pnl, dec!(100));
        assert_eq!(trades[1].fees, dec!(2));
        assert_eq!(p.equity(), dec!(1000) - dec!(500) + dec!(1200) - dec!(3) - dec!(700));
    }

    #[test]
    fn adding_to_a_position_averages_the_price() {
        let mut p = Portfolio::new(dec!(10000), 1);
        p.apply_fill(&fill(Side::Buy, dec!(10), dec!(50), dec!(0), 0), 0);
        p.apply_fill(&fill(Side::Buy, dec!(30), dec!(70), dec!(0), 1), 1);
        assert_eq!(p.position(0).avg_px, dec!(65));
        p.apply_fill(&fill(Side::Sell, dec!(20), dec!(80), dec!(0), 2), 2);
        assert_eq!(p.position(0).realized_pnl, dec!(300));
        assert_eq!(p.position(0).avg_px, dec!(65));
    }
}
