//! Properties of the pre-trade risk guard over random runs: once halted, nothing gets
//! through (in particular nothing that increases exposure); while reducing, nothing that
//! increases exposure gets through; a halt is never lifted; a rejected order reaches no
//! venue and never counts for the throttle (removing it changes no other decision); the
//! accepted orders never exceed the throttle in any 60 seconds.

use proptest::prelude::*;
use rust_decimal::Decimal;
use slipstream::model::{Instrument, Side, Timestamp};
use slipstream::risk::{
    AccountView, OrderCheck, RejectCode, RiskConfig, RiskGuard, TradingHours, TradingState, increases_exposure,
};

const SYMBOLS: usize = 3;
const MINUTE: i64 = 60_000_000_000;

#[derive(Debug, Clone)]
enum Step {
    /// Time moves on by `minutes` (a day or more now and then), equity and marks move by
    /// the percentages, and working orders fill (or are cancelled).
    Tick {
        minutes: i64,
        equity_pct: i64,
        mark_pct: [i64; SYMBOLS],
        fill: bool,
    },
    /// An order at the current time; if accepted it fills at once or starts working.
    Order {
        symbol: usize,
        buy: bool,
        qty: i64,
        limit_bps: Option<i64>,
        fill_now: bool,
        later_secs: i64,
    },
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        (
            prop_oneof![3 => 0i64..5, 1 => 60i64..3000],
            -8i64..=8,
            prop::array::uniform3(-5i64..=5),
            any::<bool>()
        )
            .prop_map(|(minutes, equity_pct, mark_pct, fill)| Step::Tick {
                minutes,
                equity_pct,
                mark_pct,
                fill
            }),
        (
            0..SYMBOLS,
            any::<bool>(),
            1i64..300,
            prop::option::of(-400i64..400),
            any::<bool>(),
            0i64..40
        )
            .prop_map(|(symbol, buy, qty, limit_bps, fill_now, later_secs)| Step::Order {
                symbol,
                buy,
                qty,
                limit_bps,
                fill_now,
                later_secs
            }),
    ]
}

fn config() -> impl Strategy<Value = RiskConfig> {
    let d = |lo: i64, hi: i64| prop::option::of((lo..hi).prop_map(Decimal::from));
    let fraction = |lo: i64, hi: i64| prop::option::of((lo..hi).prop_map(|p| Decimal::new(p, 2)));
    (
        (d(50, 800), d(500, 8000), d(1000, 20000), prop::option::of(1usize..4)),
        (d(20, 400), d(200, 4000), d(50, 600), any::<bool>()),
        (
            fraction(1, 10),
            fraction(5, 40),
            prop::option::of(1u32..6),
            prop::option::of(prop_oneof![
                Just("09:00-17:00"),
                Just("22:00-06:00"),
                Just("00:00-24:00")
            ]),
            prop::option::of(0i64..6000),
        ),
    )
        .prop_map(
            |(
                (max_position_qty, max_position_notional, max_gross_exposure, max_open_positions),
                (max_order_qty, max_order_notional, price_band_bps, check_buying_power),
                (daily_loss_limit, max_drawdown, max_orders_per_minute, hours, kill_after),
            )| RiskConfig {
                max_position_qty,
                max_position_notional,
                max_gross_exposure,
                max_open_positions,
                max_order_qty,
                max_order_notional,
                price_band_bps,
                check_buying_power,
                daily_loss_limit,
                max_drawdown,
                max_orders_per_minute,
                trading_hours: hours.and_then(TradingHours::parse),
                kill_switch_at: kill_after.map(|m| Timestamp(start().0 + m * MINUTE)),
                // The engine's business, not the guard's: the guard never reads it.
                flatten_on_halt: false,
            },
        )
}

fn start() -> Timestamp {
    Timestamp::parse_iso("2012-06-14T08:30:00").unwrap()
}

/// The account as the driver would show it, owned so that it can be replayed.
#[derive(Debug, Clone)]
struct Account {
    equity: Decimal,
    positions: Vec<Decimal>,
    marks: Vec<Decimal>,
    working: Vec<Decimal>,
}

impl Account {
    fn buying_power(&self) -> Decimal {
        let gross: Decimal = self.positions.iter().zip(&self.marks).map(|(q, m)| (q * m).abs()).sum();
        (self.equity - gross).max(Decimal::ZERO)
    }

    fn view(&self) -> AccountView<'_> {
        AccountView {
            equity: self.equity,
            buying_power: self.buying_power(),
            positions: &self.positions,
            marks: &self.marks,
            working: &self.working,
        }
    }
}

/// One call to the guard, with the account it saw.
#[derive(Debug, Clone)]
enum Call {
    OnTime(Timestamp, Account),
    Check(OrderCheck, Account),
}

/// What a call decided: a check's outcome, and the state after the call.
type Outcome = (Option<RejectCode>, TradingState);

fn replay(config: &RiskConfig, instruments: &[Instrument], calls: &[Call]) -> Vec<Outcome> {
    let mut guard = RiskGuard::new(config.clone(), instruments);
    calls
        .iter()
        .map(|call| match call {
            Call::OnTime(ts, account) => {
                guard.on_time(*ts, &account.view());
                (None, guard.state())
            }
            Call::Check(order, account) => {
                let code = guard.check(order, &account.view()).err().map(|r| r.code);
                (code, guard.state())
            }
        })
        .collect()
}

fn pct(x: Decimal, p: i64) -> Decimal {
    (x * (Decimal::ONE_HUNDRED + Decimal::from(p)) / Decimal::ONE_HUNDRED).round_dp(4)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn halted_and_reducing_let_no_new_risk_through(config in config(), steps in prop::collection::vec(step(), 1..60)) {
        let instruments: Vec<Instrument> = ["AAA", "BBB", "CCC"].into_iter().map(Instrument::equity).collect();
        let mut guard = RiskGuard::new(config.clone(), &instruments);
        let mut account = Account {
            equity: Decimal::from(10_000),
            positions: vec![Decimal::ZERO; SYMBOLS],
            marks: vec![Decimal::from(10); SYMBOLS],
            working: vec![Decimal::ZERO; SYMBOLS],
        };
        let mut now = start();
        let mut calls = Vec::new();
        let mut venue: Vec<OrderCheck> = Vec::new();
        let mut accepted_at: Vec<Timestamp> = Vec::new();
        let mut halted_since: Option<usize> = None;
        let mut order_id = 0;
        guard.on_time(now, &account.view());
        calls.push(Call::OnTime(now, account.clone()));

        for (i, step) in steps.iter().enumerate() {
            match *step {
                Step::Tick { minutes, equity_pct, mark_pct, fill } => {
                    now = Timestamp(now.0 + minutes * MINUTE);
                    account.equity = pct(account.equity, equity_pct);
                    for (mark, p) in account.marks.iter_mut().zip(mark_pct) {
                        *mark = pct(*mark, p);
                    }
                    for s in 0..SYMBOLS {
                        if fill {
                            account.positions[s] += account.working[s];
                        }
                        account.working[s] = Decimal::ZERO;
                    }
                    guard.on_time(now, &account.view());
                    calls.push(Call::OnTime(now, account.clone()));
                }
                Step::Order { symbol, buy, qty, limit_bps, fill_now, later_secs } => {
                    order_id += 1;
                    // Child orders may come a little after the bar (still in time order).
                    now = Timestamp(now.0 + later_secs * 1_000_000_000);
                    let mark = account.marks[symbol];
                    let order = OrderCheck {
                        order_id,
                        symbol,
                        side: if buy { Side::Buy } else { Side::Sell },
                        qty: Decimal::from(qty),
                        limit_px: limit_bps.map(|bps| (mark * Decimal::from(10_000 + bps) / Decimal::from(10_000)).round_dp(2)),
                        ts: now,
                        protective: false,
                        close_out: false,
                    };
                    let state_before = guard.state();
                    let current = account.positions[symbol] + account.working[symbol];
                    let increases = increases_exposure(current, order.side.sign() * order.qty);
                    calls.push(Call::Check(order, account.clone()));
                    let result = guard.check(&order, &account.view());
                    let state = guard.state();
                    if state == TradingState::Halted {
                        prop_assert!(result.is_err(), "step {i}: accepted while halted");
                    }
                    if increases && state_before != TradingState::Active {
                        prop_assert!(result.is_err(), "step {i}: exposure increased while {state_before}");
                    }
                    match result {
                        Ok(()) => {
                            // Only accepted orders reach the venue, and none once halted.
                            prop_assert!(halted_since.is_none(), "step {i}: an order reached the venue after the halt");
                            venue.push(order);
                            accepted_at.push(order.ts);
                            let signed = order.side.sign() * order.qty;
                            if fill_now {
                                account.positions[symbol] += signed;
                            } else {
                                account.working[symbol] += signed;
                            }
                        }
                        Err(rejection) => {
                            prop_assert_eq!(rejection.order_id, order.order_id);
                            prop_assert!(!rejection.message.is_empty());
                        }
                    }
                }
            }
            // A halt is never lifted.
            match (halted_since, guard.state()) {
                (None, TradingState::Halted) => halted_since = Some(i),
                (Some(since), state) => prop_assert_eq!(state, TradingState::Halted, "halted at step {} and lifted at {}", since, i),
                _ => {}
            }
        }

        let log = guard.into_log();
        prop_assert_eq!(log.final_state == TradingState::Halted, halted_since.is_some());
        // Every change is a change, recorded once.
        for change in &log.state_changes {
            prop_assert_ne!(change.from, change.to);
        }
        for pair in log.state_changes.windows(2) {
            prop_assert_eq!(pair[0].to, pair[1].from);
        }
        // The throttle holds over every 60 seconds of accepted orders.
        if let Some(limit) = config.max_orders_per_minute {
            for (i, t) in accepted_at.iter().enumerate() {
                let in_window = accepted_at[..=i].iter().filter(|u| u.0 > t.0 - MINUTE).count();
                prop_assert!(in_window <= limit as usize, "{} orders in the minute up to {}", in_window, t);
            }
        }

        // A rejected order counts for nothing: without it, every other call decides the same.
        let outcomes = replay(&config, &instruments, &calls);
        for (k, outcome) in outcomes.iter().enumerate() {
            if outcome.0.is_none() || !matches!(calls[k], Call::Check(..)) {
                continue;
            }
            let mut without = calls.clone();
            without.remove(k);
            let mut expected = outcomes.clone();
            expected.remove(k);
            let got = replay(&config, &instruments, &without);
            // A kill switch that this check tripped trips at the next call instead; the
            // decisions are the same.
            let decisions = |o: &[Outcome]| o.iter().map(|(code, _)| *code).collect::<Vec<_>>();
            prop_assert_eq!(decisions(&got), decisions(&expected), "removing rejected call {}", k);
        }
    }
}
