//! One test per check and reason code, the trading state's transitions, the throttle's
//! window, trading hours, and the report section.

use super::*;
use crate::model::Instrument;
use rust_decimal::dec;

fn ts(text: &str) -> Timestamp {
    Timestamp::parse_iso(text).unwrap()
}

fn guard(config: RiskConfig) -> RiskGuard {
    let instruments = ["AAA", "BBB", "CCC"].map(Instrument::equity);
    RiskGuard::new(config, &instruments)
}

/// An account of three symbols, all marked at 10, flat, with 10,000 of equity and cash.
#[derive(Clone)]
struct Account {
    equity: Decimal,
    buying_power: Decimal,
    positions: Vec<Decimal>,
    marks: Vec<Decimal>,
    working: Vec<Decimal>,
}

impl Account {
    fn new() -> Self {
        Account {
            equity: dec!(10000),
            buying_power: dec!(10000),
            positions: vec![Decimal::ZERO; 3],
            marks: vec![dec!(10); 3],
            working: vec![Decimal::ZERO; 3],
        }
    }

    fn equity(mut self, equity: Decimal) -> Self {
        self.equity = equity;
        self
    }

    fn position(mut self, symbol: SymbolId, qty: Decimal) -> Self {
        self.positions[symbol] = qty;
        self
    }

    fn working(mut self, symbol: SymbolId, qty: Decimal) -> Self {
        self.working[symbol] = qty;
        self
    }

    fn buying_power(mut self, bp: Decimal) -> Self {
        self.buying_power = bp;
        self
    }

    fn view(&self) -> AccountView<'_> {
        AccountView {
            equity: self.equity,
            buying_power: self.buying_power,
            positions: &self.positions,
            marks: &self.marks,
            working: &self.working,
        }
    }
}

const DAY1: &str = "2012-06-14T10:00:00";

fn buy(symbol: SymbolId, qty: Decimal) -> OrderCheck {
    OrderCheck {
        order_id: 7,
        symbol,
        side: Side::Buy,
        qty,
        limit_px: None,
        ts: ts(DAY1),
        protective: false,
        close_out: false,
    }
}

fn sell(symbol: SymbolId, qty: Decimal) -> OrderCheck {
    OrderCheck {
        side: Side::Sell,
        ..buy(symbol, qty)
    }
}

fn limit(order: OrderCheck, px: Decimal) -> OrderCheck {
    OrderCheck {
        limit_px: Some(px),
        ..order
    }
}

fn at(order: OrderCheck, text: &str) -> OrderCheck {
    OrderCheck { ts: ts(text), ..order }
}

/// The code of a rejection, or `None` when the order passes.
fn code(g: &mut RiskGuard, order: OrderCheck, account: &Account) -> Option<RejectCode> {
    g.check(&order, &account.view()).err().map(|r| r.code)
}

/// Asserts a rejection with `expected` whose message contains `needle`.
fn rejects(g: &mut RiskGuard, order: OrderCheck, account: &Account, expected: RejectCode, needle: &str) {
    let rejection = g.check(&order, &account.view()).expect_err("a rejection");
    assert_eq!(rejection.code, expected, "{}", rejection.message);
    assert!(
        rejection.message.contains(needle),
        "message lacks {needle:?}: {}",
        rejection.message
    );
    assert_eq!(rejection.order_id, order.order_id);
    assert_eq!(rejection.symbol_id, order.symbol);
    assert_eq!(rejection.ts, order.ts);
}

fn no_buying_power_check() -> RiskConfig {
    RiskConfig {
        check_buying_power: false,
        ..RiskConfig::default()
    }
}

#[test]
fn the_default_config_is_inactive_and_accepts_everything() {
    let mut g = guard(RiskConfig::default());
    assert!(g.is_inactive());
    let account = Account::new().buying_power(Decimal::ZERO);
    assert_eq!(code(&mut g, buy(0, dec!(1000000)), &account), None);
    assert!(
        !guard(RiskConfig {
            check_buying_power: true,
            ..RiskConfig::default()
        })
        .is_inactive()
    );
    assert!(
        !guard(RiskConfig {
            kill_switch_at: Some(ts(DAY1)),
            ..RiskConfig::default()
        })
        .is_inactive()
    );
}

#[test]
fn what_increases_exposure() {
    for (current, signed, increases) in [
        (dec!(0), dec!(10), true),
        (dec!(0), dec!(-10), true),
        (dec!(100), dec!(10), true),
        (dec!(100), dec!(-50), false),
        (dec!(100), dec!(-100), false),
        (dec!(100), dec!(-150), true), // flips, though |after| < |before|
        (dec!(100), dec!(-300), true),
        (dec!(-100), dec!(50), false),
        (dec!(-100), dec!(100), false),
        (dec!(-100), dec!(-1), true),
        (dec!(-100), dec!(101), true),
    ] {
        assert_eq!(increases_exposure(current, signed), increases, "{current} {signed:+}");
    }
}

#[test]
fn max_order_qty_applies_to_every_order() {
    let mut g = guard(RiskConfig {
        max_order_qty: Some(dec!(100)),
        ..no_buying_power_check()
    });
    let account = Account::new().position(0, dec!(500));
    assert_eq!(code(&mut g, buy(0, dec!(100)), &account), None);
    rejects(
        &mut g,
        buy(0, dec!(101)),
        &account,
        RejectCode::MaxOrderQty,
        "buy 101 AAA: quantity 101 exceeds max_order_qty 100",
    );
    // An exit larger than the limit is refused too.
    rejects(
        &mut g,
        sell(0, dec!(500)),
        &account,
        RejectCode::MaxOrderQty,
        "sell 500",
    );
}

#[test]
fn max_order_notional_values_at_the_mark_or_the_limit() {
    let mut g = guard(RiskConfig {
        max_order_notional: Some(dec!(1000)),
        ..no_buying_power_check()
    });
    let account = Account::new();
    assert_eq!(code(&mut g, buy(0, dec!(100)), &account), None, "exactly at the limit");
    rejects(
        &mut g,
        buy(0, dec!(101)),
        &account,
        RejectCode::MaxOrderNotional,
        "value 1010 (101 x 10) exceeds max_order_notional 1000",
    );
    // A limit order is valued at its limit price.
    assert_eq!(code(&mut g, limit(buy(0, dec!(125)), dec!(8)), &account), None);
    assert_eq!(code(&mut g, limit(sell(0, dec!(80)), dec!(12.5)), &account), None);
    rejects(
        &mut g,
        limit(sell(0, dec!(81)), dec!(12.5)),
        &account,
        RejectCode::MaxOrderNotional,
        "value 1012.5 (81 x 12.5)",
    );
}

#[test]
fn no_price_when_a_check_needs_one_and_there_is_none() {
    let mut g = guard(RiskConfig {
        max_order_notional: Some(dec!(1000)),
        ..no_buying_power_check()
    });
    let mut account = Account::new();
    account.marks[1] = Decimal::ZERO;
    rejects(
        &mut g,
        buy(1, dec!(1)),
        &account,
        RejectCode::NoPrice,
        "no limit price and no mark for BBB yet",
    );
    // A limit price is a price.
    assert_eq!(code(&mut g, limit(buy(1, dec!(1)), dec!(10)), &account), None);
    // The price band needs the mark itself.
    let mut g = guard(RiskConfig {
        price_band_bps: Some(dec!(100)),
        ..no_buying_power_check()
    });
    rejects(
        &mut g,
        limit(buy(1, dec!(1)), dec!(10)),
        &account,
        RejectCode::NoPrice,
        "no mark for BBB",
    );
    // The buying-power check values entries.
    let mut g = guard(RiskConfig {
        check_buying_power: true,
        ..RiskConfig::default()
    });
    assert_eq!(code(&mut g, buy(1, dec!(1)), &account), Some(RejectCode::NoPrice));
}

#[test]
fn price_band_around_the_mark_for_limit_prices() {
    let mut g = guard(RiskConfig {
        price_band_bps: Some(dec!(500)),
        ..no_buying_power_check()
    });
    let account = Account::new().position(0, dec!(10));
    // 5% of 10 is 0.5: 9.5 and 10.5 are the edges, inside.
    assert_eq!(code(&mut g, limit(buy(0, dec!(1)), dec!(9.5)), &account), None);
    assert_eq!(code(&mut g, limit(sell(0, dec!(1)), dec!(10.5)), &account), None);
    rejects(
        &mut g,
        limit(buy(0, dec!(1)), dec!(10.51)),
        &account,
        RejectCode::PriceBand,
        "limit price 10.51 is 510 bps from the mark 10, outside price_band_bps 500",
    );
    // Exits are banded too (a take-profit far from the mark).
    rejects(
        &mut g,
        limit(sell(0, dec!(10)), dec!(12)),
        &account,
        RejectCode::PriceBand,
        "2000 bps",
    );
    // Market orders have no limit price to band.
    assert_eq!(code(&mut g, buy(0, dec!(1)), &account), None);
}

#[test]
fn max_position_qty_counts_working_orders_and_spares_reductions() {
    let mut g = guard(RiskConfig {
        max_position_qty: Some(dec!(100)),
        ..no_buying_power_check()
    });
    let account = Account::new().position(0, dec!(60)).working(0, dec!(30));
    assert_eq!(code(&mut g, buy(0, dec!(10)), &account), None);
    rejects(
        &mut g,
        buy(0, dec!(11)),
        &account,
        RejectCode::MaxPositionQty,
        "takes the position with working orders to 101, over max_position_qty 100",
    );
    // Shorts are limited by their size too.
    assert_eq!(
        code(&mut g, sell(0, dec!(201)), &account),
        Some(RejectCode::MaxPositionQty)
    );
    assert_eq!(code(&mut g, sell(0, dec!(190)), &account), None);
    // Over the limit already (a bigger position), a reduction passes.
    let over = Account::new().position(0, dec!(500));
    assert_eq!(code(&mut g, sell(0, dec!(100)), &over), None);
    assert_eq!(code(&mut g, buy(0, dec!(1)), &over), Some(RejectCode::MaxPositionQty));
}

#[test]
fn max_position_notional_values_the_position_after_the_order() {
    let mut g = guard(RiskConfig {
        max_position_notional: Some(dec!(1000)),
        ..no_buying_power_check()
    });
    let account = Account::new().position(2, dec!(50)).working(2, dec!(20));
    assert_eq!(code(&mut g, buy(2, dec!(30)), &account), None, "100 x 10");
    rejects(
        &mut g,
        buy(2, dec!(31)),
        &account,
        RejectCode::MaxPositionNotional,
        "to 101 worth 1010 at 10, over max_position_notional 1000",
    );
    // A limit order values the whole position at its limit price.
    assert_eq!(
        code(&mut g, limit(buy(2, dec!(30)), dec!(10.01)), &account),
        Some(RejectCode::MaxPositionNotional)
    );
    assert_eq!(code(&mut g, limit(buy(2, dec!(30)), dec!(9)), &account), None);
}

#[test]
fn max_gross_exposure_adds_every_symbol() {
    let mut g = guard(RiskConfig {
        max_gross_exposure: Some(dec!(5000)),
        ..no_buying_power_check()
    });
    // AAA long 200 (2000), BBB short 100 with 50 more working (1500): 3500 used.
    let account = Account::new()
        .position(0, dec!(200))
        .position(1, dec!(-100))
        .working(1, dec!(-50));
    assert_eq!(code(&mut g, buy(2, dec!(150)), &account), None);
    rejects(
        &mut g,
        buy(2, dec!(151)),
        &account,
        RejectCode::MaxGrossExposure,
        "takes gross exposure with working orders to 5010, over max_gross_exposure 5000",
    );
    // Adding to a short counts its size.
    assert_eq!(
        code(&mut g, sell(1, dec!(151)), &account),
        Some(RejectCode::MaxGrossExposure)
    );
    // Reducing is always allowed, even over the limit.
    assert_eq!(code(&mut g, sell(0, dec!(200)), &account), None);
    let over = account.position(0, dec!(600));
    assert_eq!(code(&mut g, sell(0, dec!(100)), &over), None);
    assert_eq!(code(&mut g, buy(0, dec!(1)), &over), Some(RejectCode::MaxGrossExposure));
}

#[test]
fn max_open_positions_refuses_opening_one_more() {
    let mut g = guard(RiskConfig {
        max_open_positions: Some(2),
        ..no_buying_power_check()
    });
    // AAA is held, BBB has a working entry: two open.
    let account = Account::new().position(0, dec!(10)).working(1, dec!(5));
    rejects(
        &mut g,
        buy(2, dec!(1)),
        &account,
        RejectCode::MaxOpenPositions,
        "opens a position while 2 symbols have positions or working orders: max_open_positions 2",
    );
    assert_eq!(
        code(&mut g, sell(2, dec!(1)), &account),
        Some(RejectCode::MaxOpenPositions)
    );
    // Adding to an open symbol is fine.
    assert_eq!(code(&mut g, buy(0, dec!(10)), &account), None);
    assert_eq!(code(&mut g, buy(1, dec!(10)), &account), None);
    // Once BBB's entry is cancelled, CCC may open.
    let account = account.working(1, Decimal::ZERO);
    assert_eq!(code(&mut g, buy(2, dec!(1)), &account), None);
}

#[test]
fn buying_power_counts_what_working_orders_commit_and_free() {
    let mut g = guard(RiskConfig {
        check_buying_power: true,
        ..RiskConfig::default()
    });
    let account = Account::new().buying_power(dec!(1000));
    assert_eq!(code(&mut g, buy(0, dec!(100)), &account), None);
    rejects(
        &mut g,
        buy(0, dec!(101)),
        &account,
        RejectCode::BuyingPower,
        "adds exposure worth 1010 but only 1000 of buying power is left (1000 less 0 for working orders)",
    );
    // A working entry uses buying power up.
    let busy = account.clone().working(1, dec!(-40));
    assert_eq!(code(&mut g, buy(0, dec!(61)), &busy), Some(RejectCode::BuyingPower));
    assert_eq!(code(&mut g, buy(0, dec!(60)), &busy), None);
    // Fully invested, with the exit working: the reversal's entry fits what the exit frees.
    let invested = Account::new()
        .buying_power(Decimal::ZERO)
        .position(0, dec!(1000))
        .working(0, dec!(-1000));
    assert_eq!(code(&mut g, sell(0, dec!(1000)), &invested), None);
    assert_eq!(
        code(&mut g, sell(0, dec!(1001)), &invested),
        Some(RejectCode::BuyingPower)
    );
    // Reductions and flips that shrink gross exposure need none.
    let long = Account::new().buying_power(Decimal::ZERO).position(0, dec!(1000));
    assert_eq!(code(&mut g, sell(0, dec!(1000)), &long), None);
    assert_eq!(code(&mut g, sell(0, dec!(1500)), &long), None, "1000 long to 500 short");
    assert_eq!(code(&mut g, sell(0, dec!(2001)), &long), Some(RejectCode::BuyingPower));
    // Off, nothing is checked.
    let mut g = guard(RiskConfig {
        max_order_qty: Some(dec!(1000000)),
        ..no_buying_power_check()
    });
    assert_eq!(code(&mut g, buy(0, dec!(100000)), &account), None);
}

#[test]
fn trading_hours_window() {
    let hours = TradingHours::parse("09:30-16:00").unwrap();
    let mut g = guard(RiskConfig {
        trading_hours: Some(hours),
        ..no_buying_power_check()
    });
    let account = Account::new();
    let o = buy(0, dec!(1));
    assert_eq!(
        code(&mut g, at(o, "2012-06-14T09:30:00"), &account),
        None,
        "start inclusive"
    );
    assert_eq!(code(&mut g, at(o, "2012-06-14T15:59:59"), &account), None);
    rejects(
        &mut g,
        at(o, "2012-06-14T16:00:00"),
        &account,
        RejectCode::TradingHours,
        "buy 1 AAA decided at 16:00:00, outside trading_hours 09:30-16:00",
    );
    assert_eq!(
        code(&mut g, at(o, "2012-06-14T09:29:59"), &account),
        Some(RejectCode::TradingHours)
    );
    // Daily bars are stamped at midnight: outside such a window.
    assert_eq!(
        code(&mut g, at(o, "2012-06-14"), &account),
        Some(RejectCode::TradingHours)
    );
    // Over midnight.
    let mut g = guard(RiskConfig {
        trading_hours: TradingHours::parse("22:00-06:00"),
        ..no_buying_power_check()
    });
    assert_eq!(code(&mut g, at(o, "2012-06-14T23:00:00"), &account), None);
    assert_eq!(code(&mut g, at(o, "2012-06-14T00:00:00"), &account), None);
    assert_eq!(
        code(&mut g, at(o, "2012-06-14T06:00:00"), &account),
        Some(RejectCode::TradingHours)
    );
    assert_eq!(
        code(&mut g, at(o, "2012-06-14T12:00:00"), &account),
        Some(RejectCode::TradingHours)
    );
}

#[test]
fn trading_hours_text() {
    let parse = |text| TradingHours::parse(text).map(|h| (h.start_minute, h.end_minute));
    assert_eq!(parse("09:30-16:00"), Some((570, 960)));
    assert_eq!(parse(" 00:00 - 24:00 "), Some((0, 1440)));
    assert_eq!(parse("22:00-06:00"), Some((1320, 360)));
    for bad in [
        "9:30-16:00",
        "09:30",
        "09:30-16:60",
        "24:00-10:00",
        "25:00-26:00",
        "10:00-10:00",
        "09:30-16:00-17:00",
        "aa:bb-cc:dd",
        "",
        "+9:30-16:00",
    ] {
        assert_eq!(parse(bad), None, "{bad:?}");
    }
    assert_eq!(TradingHours::parse("00:00-24:00").unwrap().to_string(), "00:00-24:00");
    assert_eq!(
        serde_json::to_string(&TradingHours::parse("09:30-16:00")).unwrap(),
        "\"09:30-16:00\""
    );
}

#[test]
fn throttle_counts_accepted_orders_in_any_sixty_seconds() {
    let mut g = guard(RiskConfig {
        max_orders_per_minute: Some(2),
        max_order_qty: Some(dec!(100)),
        ..no_buying_power_check()
    });
    let account = Account::new();
    let o = buy(0, dec!(1));
    assert_eq!(code(&mut g, at(o, "2012-06-14T10:00:00"), &account), None);
    // A rejected order does not count.
    assert_eq!(
        code(&mut g, at(buy(0, dec!(1000)), "2012-06-14T10:00:10"), &account),
        Some(RejectCode::MaxOrderQty)
    );
    assert_eq!(code(&mut g, at(o, "2012-06-14T10:00:30"), &account), None);
    rejects(
        &mut g,
        at(o, "2012-06-14T10:00:59"),
        &account,
        RejectCode::Throttle,
        "2 orders already accepted in the 60 seconds up to 2012-06-14T10:00:59: max_orders_per_minute 2",
    );
    // The first order leaves the window 60 seconds after it.
    assert_eq!(code(&mut g, at(o, "2012-06-14T10:01:00"), &account), None);
    assert_eq!(
        code(&mut g, at(o, "2012-06-14T10:01:29"), &account),
        Some(RejectCode::Throttle)
    );
    assert_eq!(code(&mut g, at(o, "2012-06-14T10:01:30"), &account), None);
    // Daily bars: N orders per bar timestamp.
    let mut g = guard(RiskConfig {
        max_orders_per_minute: Some(3),
        ..no_buying_power_check()
    });
    for day in ["2012-06-14", "2012-06-15"] {
        for _ in 0..3 {
            assert_eq!(code(&mut g, at(o, day), &account), None);
        }
        assert_eq!(code(&mut g, at(o, day), &account), Some(RejectCode::Throttle));
    }
}

#[test]
fn daily_loss_limit_reduces_until_the_next_day() {
    let mut g = guard(RiskConfig {
        daily_loss_limit: Some(dec!(0.02)),
        ..no_buying_power_check()
    });
    let flat = Account::new();
    g.on_time(ts("2012-06-14T09:30:00"), &flat.view());
    // 1.99% down from the day's start: still active.
    g.on_time(ts("2012-06-14T10:00:00"), &flat.clone().equity(dec!(9801)).view());
    assert_eq!(g.state(), TradingState::Active);
    let long = Account::new().position(0, dec!(100)).equity(dec!(9800));
    g.on_time(ts("2012-06-14T10:30:00"), &long.view());
    assert_eq!(g.state(), TradingState::Reducing);
    // An exit is accepted, an entry (or adding, or a reversal) refused.
    let o = at(sell(0, dec!(100)), "2012-06-14T10:30:00");
    assert_eq!(code(&mut g, o, &long), None);
    rejects(
        &mut g,
        at(buy(1, dec!(1)), "2012-06-14T10:30:00"),
        &long,
        RejectCode::Reducing,
        "trading is reducing (daily loss 2% of the day's starting equity 10000 reached daily_loss_limit 2%",
    );
    assert_eq!(
        code(&mut g, at(buy(0, dec!(1)), DAY1), &long),
        Some(RejectCode::Reducing)
    );
    assert_eq!(
        code(&mut g, at(sell(0, dec!(101)), DAY1), &long),
        Some(RejectCode::Reducing)
    );
    // Recovering the same day does not lift it.
    g.on_time(ts("2012-06-14T15:00:00"), &flat.clone().equity(dec!(10100)).view());
    assert_eq!(g.state(), TradingState::Reducing);
    // The next day starts from the last equity (10100) and lifts it.
    g.on_time(ts("2012-06-15T09:30:00"), &flat.clone().equity(dec!(10000)).view());
    assert_eq!(g.state(), TradingState::Active);
    assert_eq!(code(&mut g, at(buy(1, dec!(1)), "2012-06-15T09:30:00"), &flat), None);
    // The loss is measured from the day's start, 10100 (the last equity of the day
    // before), not from the day's first bar: 9850 is 2.5% below it.
    g.on_time(ts("2012-06-15T10:00:00"), &flat.clone().equity(dec!(9850)).view());
    assert_eq!(g.state(), TradingState::Reducing);
    // Over the limit again on the next day's first bar: still reducing, nothing recorded.
    g.on_time(ts("2012-06-18T09:30:00"), &flat.clone().equity(dec!(9600)).view());
    assert_eq!(g.state(), TradingState::Reducing);
    let log = g.into_log();
    let changes: Vec<(TradingState, TradingState, Timestamp)> =
        log.state_changes.iter().map(|c| (c.from, c.to, c.ts)).collect();
    assert_eq!(
        changes,
        [
            (TradingState::Active, TradingState::Reducing, ts("2012-06-14T10:30:00")),
            (TradingState::Reducing, TradingState::Active, ts("2012-06-15T09:30:00")),
            (TradingState::Active, TradingState::Reducing, ts("2012-06-15T10:00:00")),
        ]
    );
    assert_eq!(
        log.state_changes[1].reason,
        "new trading day 2012-06-15: the daily loss limit is lifted"
    );
    assert_eq!(log.final_state, TradingState::Reducing);
}

#[test]
fn daily_loss_on_daily_bars_is_close_to_close() {
    let mut g = guard(RiskConfig {
        daily_loss_limit: Some(dec!(0.05)),
        ..no_buying_power_check()
    });
    let account = |equity| Account::new().equity(equity);
    g.on_time(ts("2012-06-14"), &account(dec!(10000)).view());
    g.on_time(ts("2012-06-15"), &account(dec!(9400)).view());
    assert_eq!(g.state(), TradingState::Reducing, "6% down from the previous close");
    g.on_time(ts("2012-06-18"), &account(dec!(9000)).view());
    assert_eq!(g.state(), TradingState::Active, "4.3% down from 9400");
}

#[test]
fn drawdown_halts_for_the_rest_of_the_run() {
    let mut g = guard(RiskConfig {
        max_drawdown: Some(dec!(0.1)),
        daily_loss_limit: Some(dec!(0.01)),
        ..no_buying_power_check()
    });
    let equity = |e| Account::new().equity(e).position(0, dec!(10));
    g.on_time(ts("2012-06-14"), &equity(dec!(10000)).view());
    g.on_time(ts("2012-06-15"), &equity(dec!(12000)).view());
    g.on_time(ts("2012-06-18"), &equity(dec!(11000)).view());
    assert_eq!(g.state(), TradingState::Reducing, "8.3% from the peak, 8.3% on the day");
    g.on_time(ts("2012-06-19"), &equity(dec!(10800)).view());
    assert_eq!(g.state(), TradingState::Halted, "10% from the peak 12000");
    // Every order is refused, exits included.
    rejects(
        &mut g,
        at(sell(0, dec!(10)), "2012-06-19"),
        &equity(dec!(10800)),
        RejectCode::Halted,
        "trading is halted (drawdown 10% from the equity peak 12000 reached max_drawdown 10%): no new orders",
    );
    // Recovery and new days do not lift it.
    g.on_time(ts("2012-06-20"), &equity(dec!(13000)).view());
    g.on_time(ts("2012-06-21"), &equity(dec!(13000)).view());
    assert_eq!(g.state(), TradingState::Halted);
    assert_eq!(
        code(&mut g, at(buy(1, dec!(1)), "2012-06-21"), &equity(dec!(13000))),
        Some(RejectCode::Halted)
    );
    let log = g.into_log();
    let changes: Vec<(TradingState, TradingState)> = log.state_changes.iter().map(|c| (c.from, c.to)).collect();
    assert_eq!(
        changes,
        [
            (TradingState::Active, TradingState::Reducing),
            (TradingState::Reducing, TradingState::Halted)
        ]
    );
    assert_eq!(log.final_state, TradingState::Halted);
}

#[test]
fn kill_switch_halts_at_its_time() {
    let config = RiskConfig {
        kill_switch_at: Some(ts("2012-06-15T00:00:00")),
        ..no_buying_power_check()
    };
    let account = Account::new();
    let mut g = guard(config.clone());
    g.on_time(ts("2012-06-14"), &account.view());
    assert_eq!(g.state(), TradingState::Active);
    assert_eq!(code(&mut g, at(buy(0, dec!(1)), "2012-06-14"), &account), None);
    g.on_time(ts("2012-06-15"), &account.view());
    assert_eq!(g.state(), TradingState::Halted);
    rejects(
        &mut g,
        at(buy(0, dec!(1)), "2012-06-15"),
        &account,
        RejectCode::Halted,
        "trading is halted (kill switch at 2012-06-15T00:00:00)",
    );
    g.on_time(ts("2012-06-18"), &account.view());
    let log = g.into_log();
    assert_eq!(log.state_changes.len(), 1, "recorded once");
    assert_eq!(log.state_changes[0].ts, ts("2012-06-15"));
    assert_eq!(log.state_changes[0].reason, "kill switch at 2012-06-15T00:00:00");

    // An order checked at or after the switch halts even before on_time sees that time.
    let mut g = guard(config);
    g.on_time(ts("2012-06-14"), &account.view());
    assert_eq!(
        code(&mut g, at(sell(0, dec!(1)), "2012-06-15T00:00:01"), &account),
        Some(RejectCode::Halted)
    );
    assert_eq!(g.state(), TradingState::Halted);
    g.on_time(ts("2012-06-15T00:00:01"), &account.view());
    assert_eq!(g.log().state_changes.len(), 1);
}

#[test]
fn manual_halt() {
    let mut g = guard(no_buying_power_check());
    let account = Account::new();
    g.halt(ts(DAY1), "operator");
    g.halt(ts(DAY1), "again");
    rejects(
        &mut g,
        buy(0, dec!(1)),
        &account,
        RejectCode::Halted,
        "manual kill switch: operator",
    );
    assert_eq!(g.log().state_changes.len(), 1);
}

#[test]
fn the_first_failing_check_names_the_rejection() {
    let config = RiskConfig {
        trading_hours: TradingHours::parse("09:30-16:00"),
        max_orders_per_minute: Some(1),
        max_order_qty: Some(dec!(10)),
        max_order_notional: Some(dec!(50)),
        price_band_bps: Some(dec!(100)),
        max_position_qty: Some(dec!(5)),
        max_position_notional: Some(dec!(40)),
        max_gross_exposure: Some(dec!(30)),
        max_open_positions: Some(1),
        check_buying_power: true,
        ..RiskConfig::default()
    };
    let poor = Account::new().buying_power(Decimal::ZERO).position(1, dec!(1));
    let mut g = guard(config.clone());
    let o = buy(0, dec!(20));
    // Each step fixes the order (or the guard) just enough to reach the next check.
    let steps: [(OrderCheck, RejectCode); 9] = [
        (at(o, "2012-06-14T08:00:00"), RejectCode::TradingHours),
        (o, RejectCode::MaxOrderQty),
        (buy(0, dec!(6)), RejectCode::MaxOrderNotional),
        (limit(buy(0, dec!(6)), dec!(8)), RejectCode::PriceBand),
        (buy(0, dec!(5)), RejectCode::MaxPositionNotional),
        (limit(buy(0, dec!(4)), dec!(9.95)), RejectCode::MaxGrossExposure),
        (buy(0, dec!(2)), RejectCode::MaxOpenPositions),
        (buy(1, dec!(1)), RejectCode::BuyingPower),
        (sell(1, dec!(1)), RejectCode::Throttle),
    ];
    for (i, (order, expected)) in steps.into_iter().enumerate() {
        let result = code(&mut g, order, &poor);
        if expected == RejectCode::Throttle {
            // The closing sell passes every limit; a second order in the minute is throttled.
            assert_eq!(result, None, "step {i}");
            assert_eq!(code(&mut g, order, &poor), Some(expected), "step {i}");
        } else {
            assert_eq!(result, Some(expected), "step {i}");
        }
    }
    // Position quantity before position value.
    let mut g = guard(config.clone());
    assert_eq!(code(&mut g, buy(1, dec!(5)), &poor), Some(RejectCode::MaxPositionQty));
    // State first of all.
    let mut g = guard(config);
    g.halt(ts(DAY1), "test");
    assert_eq!(
        code(&mut g, at(o, "2012-06-14T08:00:00"), &poor),
        Some(RejectCode::Halted)
    );
}

/// Every reason code has a path to it: one run that produces each at least once.
#[test]
fn every_reason_code_is_reachable_and_counted_in_order() {
    let config = RiskConfig {
        max_position_qty: Some(dec!(100)),
        max_position_notional: Some(dec!(900)),
        max_gross_exposure: Some(dec!(1500)),
        max_open_positions: Some(2),
        max_order_qty: Some(dec!(200)),
        max_order_notional: Some(dec!(1500)),
        price_band_bps: Some(dec!(1000)),
        check_buying_power: true,
        daily_loss_limit: Some(dec!(0.05)),
        max_drawdown: Some(dec!(0.2)),
        max_orders_per_minute: Some(20),
        trading_hours: TradingHours::parse("09:00-17:00"),
        kill_switch_at: None,
        flatten_on_halt: false,
    };
    let mut g = guard(config);
    let mut account = Account::new().buying_power(dec!(700));
    account.marks[2] = Decimal::ZERO;
    let t = "2012-06-14T10:00:00";
    g.on_time(ts(t), &account.view());
    let cases = [
        (
            at(buy(0, dec!(1)), "2012-06-14T18:00:00"),
            Some(RejectCode::TradingHours),
        ),
        (buy(0, dec!(201)), Some(RejectCode::MaxOrderQty)),
        (buy(2, dec!(1)), Some(RejectCode::NoPrice)),
        (buy(0, dec!(151)), Some(RejectCode::MaxOrderNotional)),
        (limit(buy(0, dec!(1)), dec!(12)), Some(RejectCode::PriceBand)),
        (buy(0, dec!(101)), Some(RejectCode::MaxPositionQty)),
        (buy(0, dec!(91)), Some(RejectCode::MaxPositionNotional)),
        (buy(0, dec!(50)), None),
        (buy(1, dec!(71)), Some(RejectCode::BuyingPower)),
    ];
    for (i, (order, expected)) in cases.into_iter().enumerate() {
        assert_eq!(code(&mut g, order, &account), expected, "case {i}");
    }
    // AAA 900 and BBB 500 held, CCC priced: open positions and gross exposure.
    let crowded = Account::new()
        .buying_power(dec!(100000))
        .position(0, dec!(90))
        .position(1, dec!(50));
    assert_eq!(
        code(&mut g, buy(2, dec!(1)), &crowded),
        Some(RejectCode::MaxOpenPositions)
    );
    assert_eq!(
        code(&mut g, buy(1, dec!(11)), &crowded),
        Some(RejectCode::MaxGrossExposure)
    );
    // Throttle: 20 accepted in the minute (one so far).
    for _ in 0..19 {
        assert_eq!(code(&mut g, sell(0, dec!(1)), &crowded), None);
    }
    assert_eq!(code(&mut g, sell(0, dec!(1)), &crowded), Some(RejectCode::Throttle));
    // Reducing (5% down on the day), then halted (20% from the peak).
    g.on_time(ts("2012-06-14T11:00:00"), &crowded.clone().equity(dec!(9500)).view());
    assert_eq!(
        code(&mut g, at(buy(0, dec!(1)), "2012-06-14T11:00:00"), &crowded),
        Some(RejectCode::Reducing)
    );
    g.on_time(ts("2012-06-14T12:00:00"), &crowded.clone().equity(dec!(8000)).view());
    assert_eq!(
        code(&mut g, at(sell(0, dec!(1)), "2012-06-14T12:00:00"), &crowded),
        Some(RejectCode::Halted)
    );
    let log = g.into_log();
    let counts = log.counts_by_code();
    let codes: Vec<RejectCode> = counts.iter().map(|&(c, _)| c).collect();
    assert_eq!(codes, RejectCode::ALL, "every code, in the fixed order");
    assert!(counts.iter().all(|&(_, n)| n == 1), "{counts:?}");
    assert_eq!(counts.iter().map(|&(_, n)| n).sum::<usize>(), log.rejections.len());
}

#[test]
fn codes_and_states_have_stable_names() {
    let mut names: Vec<&str> = RejectCode::ALL.iter().map(|c| c.as_str()).collect();
    for code in RejectCode::ALL {
        assert_eq!(serde_json::to_string(&code).unwrap(), format!("\"{}\"", code.as_str()));
    }
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), RejectCode::ALL.len());
    for state in [TradingState::Active, TradingState::Reducing, TradingState::Halted] {
        assert_eq!(serde_json::to_string(&state).unwrap(), format!("\"{state}\""));
    }
}

#[test]
fn the_log_serializes_with_symbol_names() {
    let mut g = guard(RiskConfig {
        max_order_qty: Some(dec!(1)),
        ..no_buying_power_check()
    });
    let _ = g.check(&limit(sell(1, dec!(2)), dec!(9.5)), &Account::new().view());
    let json = serde_json::to_value(g.into_log()).unwrap();
    assert_eq!(
        json,
        serde_json::json!({
            "rejections": [{
                "ts": "2012-06-14T10:00:00",
                "order_id": 7,
                "symbol": "BBB",
                "side": "sell",
                "qty": "2",
                "limit_px": "9.5",
                "code": "max_order_qty",
                "message": "sell 2 BBB: quantity 2 exceeds max_order_qty 1"
            }],
            "state_changes": [],
            "final_state": "active"
        })
    );
}

#[test]
fn markdown_section() {
    let mut g = guard(RiskConfig {
        max_order_qty: Some(dec!(100)),
        kill_switch_at: Some(ts("2012-06-15")),
        ..no_buying_power_check()
    });
    let account = Account::new();
    let _ = g.check(&limit(buy(0, dec!(150)), dec!(10)), &account.view());
    g.on_time(ts("2012-06-15"), &account.view());
    let _ = g.check(&at(sell(1, dec!(5)), "2012-06-15"), &account.view());
    let mut out = String::new();
    render_markdown_section(&g.into_log(), &mut out);
    let expected = "
## Risk

The pre-trade risk guard rejected 2 orders; the trading state at the end was halted.

| Reason | Rejections |
|---|---:|
| `halted` | 1 |
| `max_order_qty` | 1 |

| Time | From | To | Reason |
|---|---|---|---|
| 2012-06-15T00:00:00 | active | halted | kill switch at 2012-06-15T00:00:00 |

| Time | Order | Symbol | Side | Qty | Limit | Reason | Message |
|---|---:|---|---|---:|---:|---|---|
| 2012-06-14T10:00:00 | 7 | AAA | buy | 150 | 10 | `max_order_qty` | buy 150 AAA: quantity 150 exceeds max_order_qty 100 |
| 2012-06-15T00:00:00 | 7 | BBB | sell | 5 |  | `halted` | trading is halted (kill switch at 2012-06-15T00:00:00): no new orders |
";
    assert_eq!(out, expected);

    let mut out = String::new();
    render_markdown_section(&RiskLog::default(), &mut out);
    assert_eq!(
        out,
        "\n## Risk\n\nThe pre-trade risk guard rejected 0 orders; the trading state at the end was active.\n\n\
         The trading state never changed.\n"
    );
}

#[test]
fn markdown_lists_the_first_rejections_only() {
    let mut g = guard(RiskConfig {
        max_order_qty: Some(dec!(1)),
        ..no_buying_power_check()
    });
    for _ in 0..(markdown::MAX_LISTED_REJECTIONS + 3) {
        let _ = g.check(&buy(0, dec!(2)), &Account::new().view());
    }
    let mut out = String::new();
    render_markdown_section(&g.into_log(), &mut out);
    assert_eq!(
        out.matches("| `max_order_qty` | buy 2 AAA").count(),
        markdown::MAX_LISTED_REJECTIONS
    );
    assert!(
        out.ends_with("\nThe first 20 rejections are listed; 3 more are not.\n"),
        "{out}"
    );
}

fn protective(order: OrderCheck) -> OrderCheck {
    OrderCheck {
        protective: true,
        ..order
    }
}

/// A halt refuses exits, but never a protective order that closes: a position keeps its
/// stop (or the flatten that replaces a leg that could not be placed).
#[test]
fn halted_lets_protective_orders_that_reduce_through() {
    let mut g = guard(no_buying_power_check());
    let long = Account::new().position(0, dec!(100));
    g.halt(ts(DAY1), "operator");
    assert_eq!(code(&mut g, sell(0, dec!(100)), &long), Some(RejectCode::Halted));
    assert_eq!(code(&mut g, protective(sell(0, dec!(100))), &long), None);
    // Protective in name only: a "stop" that would open a short is new risk.
    assert_eq!(
        code(&mut g, protective(sell(0, dec!(150))), &long),
        Some(RejectCode::Halted)
    );
    assert_eq!(
        code(&mut g, protective(buy(0, dec!(10))), &Account::new()),
        Some(RejectCode::Halted)
    );
}

/// Protective orders neither count for the throttle nor are refused by it.
#[test]
fn the_throttle_ignores_protective_orders() {
    let mut g = guard(RiskConfig {
        max_orders_per_minute: Some(1),
        ..no_buying_power_check()
    });
    let long = Account::new().position(0, dec!(100));
    assert_eq!(code(&mut g, protective(sell(0, dec!(100))), &long), None);
    assert_eq!(code(&mut g, buy(1, dec!(1)), &long), None, "the leg did not count");
    assert_eq!(
        code(&mut g, protective(sell(0, dec!(100))), &long),
        None,
        "nor is refused"
    );
    assert_eq!(code(&mut g, buy(2, dec!(1)), &long), Some(RejectCode::Throttle));
}

/// The clock and the equity come apart: the day rolls (its reference is the last equity
/// seen) without an equity, and a loss binds at the equity that shows it.
#[test]
fn the_day_rolls_on_the_clock_and_losses_bind_on_the_equity() {
    let mut g = guard(RiskConfig {
        daily_loss_limit: Some(dec!(0.02)),
        ..no_buying_power_check()
    });
    g.on_clock(ts("2012-06-14T09:30:00"));
    g.on_equity(ts("2012-06-14T09:30:00"), dec!(10000));
    g.on_clock(ts("2012-06-15T09:30:00"));
    // The new day's reference is the close before: 10,000.
    g.on_equity(ts("2012-06-15T09:30:00"), dec!(9850));
    assert_eq!(g.state(), TradingState::Active);
    g.on_equity(ts("2012-06-15T09:30:00"), dec!(9800));
    assert_eq!(
        g.state(),
        TradingState::Reducing,
        "at the equity that crossed the limit"
    );
    // The next day lifts it at its first equity, not at the clock alone.
    g.on_clock(ts("2012-06-18T09:30:00"));
    assert_eq!(g.state(), TradingState::Reducing);
    g.on_equity(ts("2012-06-18T09:30:00"), dec!(9800));
    assert_eq!(g.state(), TradingState::Active);
    assert_eq!(g.log().state_changes.len(), 2);
}

mod fast_equity_test {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

        /// The integer fast test of `on_equity` changes nothing: the same states, changes,
        /// reasons, peak and trip levels as the exact rules at every step, over equities
        /// of mixed scales drifting down through the trip levels (whole-cent floors, so
        /// some equities land on them exactly), across day changes.
        #[test]
        fn the_fast_test_agrees_with_the_exact_rules(
            steps in prop::collection::vec((-6i64..5, prop::sample::select(vec![1i64, 10, 1000]), 0u32..4, 0u8..6), 1..400),
            fine in any::<bool>(),
            loss_bps in 1i64..100,
            drawdown_bps in 1i64..300,
        ) {
            let config = RiskConfig {
                daily_loss_limit: Some(Decimal::new(loss_bps, 4)),
                max_drawdown: Some(Decimal::new(drawdown_bps, 4)),
                ..no_buying_power_check()
            };
            let (mut fast, mut exact) = (guard(config.clone()), guard(config));
            let mut equity = Decimal::from(10_000);
            let mut t = ts("2012-06-14T09:30:00").0;
            for (i, &(moves, unit, scale, hours)) in steps.iter().enumerate() {
                // Moves of a few cents or dollars, small enough to land on a level, shown
                // with 0..=3 more decimals; or, `fine`, moves of mills too, shown also
                // without trailing zeros (a lower scale than the peak's).
                let mut shown = if fine {
                    equity += Decimal::new(moves * unit, 3);
                    equity.normalize()
                } else {
                    equity += Decimal::new(moves * unit.min(100), 2);
                    equity
                };
                if scale > 0 {
                    shown.rescale(equity.scale() + scale);
                }
                t += i64::from(hours) * 6 * 3_600_000_000_000;
                let now = Timestamp(t);
                fast.on_clock(now);
                exact.on_clock(now);
                fast.on_equity(now, shown);
                exact.on_equity_exact(now, shown);
                prop_assert_eq!(fast.state(), exact.state(), "step {}", i);
                prop_assert_eq!(&fast.log().state_changes, &exact.log().state_changes);
                prop_assert_eq!(fast.levels(), exact.levels(), "step {}", i);
            }
        }
    }
}

/// The fast test's edges, exactly: an equity on a trip level trips it, and an equity with
/// fewer decimals than the peak, above it, is a new peak.
#[test]
fn the_fast_test_is_exact_at_its_edges() {
    let on_the_floor = |config: RiskConfig, low: Decimal, expected: TradingState| {
        let mut g = guard(config);
        let t = ts(DAY1);
        g.on_clock(t);
        g.on_equity(t, dec!(10000.00));
        g.on_equity(t, dec!(9990.00));
        g.on_equity(t, low);
        assert_eq!(g.state(), expected, "at {low}");
    };
    let drawdown = || RiskConfig {
        max_drawdown: Some(dec!(0.1)),
        ..no_buying_power_check()
    };
    let loss = || RiskConfig {
        daily_loss_limit: Some(dec!(0.02)),
        ..no_buying_power_check()
    };
    on_the_floor(drawdown(), dec!(9000.00), TradingState::Halted);
    on_the_floor(drawdown(), dec!(9000.01), TradingState::Active);
    on_the_floor(loss(), dec!(9800.00), TradingState::Reducing);
    on_the_floor(loss(), dec!(9800.01), TradingState::Active);
    // A floor with more decimals than the equities: 10000.01 × 0.9 = 9000.009.
    let mut g = guard(drawdown());
    g.on_clock(ts(DAY1));
    g.on_equity(ts(DAY1), dec!(10000.01));
    g.on_equity(ts(DAY1), dec!(9000.01));
    assert_eq!(g.state(), TradingState::Active);
    g.on_equity(ts(DAY1), dec!(9000.00));
    assert_eq!(g.state(), TradingState::Halted);
    // A peak with more decimals than the next equity, which is above it.
    let mut g = guard(drawdown());
    g.on_clock(ts(DAY1));
    g.on_equity(ts(DAY1), dec!(10000.125));
    g.on_equity(ts(DAY1), dec!(10000.12));
    g.on_equity(ts(DAY1), dec!(10000.13));
    assert_eq!(g.levels()[0], Some(dec!(10000.13)));
}
