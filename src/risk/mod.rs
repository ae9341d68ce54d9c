//! The pre-trade risk guard: every order is checked here before it reaches a venue.
//!
//! [`RiskGuard`] is pure: it reads no clock and does no I/O. The driver gives it the
//! account as it stands ([`AccountView`]) and calls two methods:
//!
//! - [`RiskGuard::on_clock`] when a bar timestamp begins, before the venues match it:
//!   it rolls the trading day and applies the scheduled kill switch;
//! - [`RiskGuard::on_equity`] with each equity point (the account marked at every close
//!   of a timestamp): it applies the equity-driven rules (daily loss limit, drawdown
//!   circuit breaker) and moves the peak and the day's reference;
//! - [`RiskGuard::on_marked_equity`] with the account marked at every close of a
//!   timestamp, at its last bar before the strategy acts there (and before its equity
//!   point exists): the same rules, but no peak and no reference.
//!   All three change the [`TradingState`]; [`RiskGuard::on_time`] is the first two at once;
//! - [`RiskGuard::check`] for every order and child order about to reach a venue: `Ok`
//!   lets it through (and counts it for the throttle), `Err` carries a [`Rejection`] with
//!   one [`RejectCode`] and a message. Cancels are not orders and are never checked.
//!
//! At the end, [`RiskGuard::into_log`] hands over every rejection and every state change
//! ([`RiskLog`]), and [`render_markdown_section`] turns that into a report section.
//!
//! # Trading state
//!
//! - `active`: every check applies.
//! - `reducing`: only orders that do not increase exposure are accepted (see below).
//!   Entered when the daily loss limit is reached; lifted at the first bar of the next
//!   trading day (unless that bar's loss is over the limit again).
//! - `halted`: every new order is rejected, exits included (protective orders aside, see
//!   below), for the rest of the run.
//!   Entered when the drawdown circuit breaker trips, at `kill_switch_at`, or through
//!   [`RiskGuard::halt`] (a manual kill switch).
//!
//! Every change is recorded once, as a [`StateChange`] with its time and reason; a rule
//! that holds the state where it already is records nothing.
//!
//! # Definitions
//!
//! For an order in symbol s, with `position` and `working` the signed quantities the
//! account holds and has working in s, and `signed` the order's quantity signed by side:
//! `before = position + working`, `after = before + signed`.
//!
//! - **Increases exposure**: `|after| > |before|`, or the sign flips (`before` and
//!   `after` both non-zero with opposite signs). See [`increases_exposure`].
//! - **Price**: an order is valued at its limit price if it has one (limit and
//!   stop-limit orders), else at the symbol's mark (its last close). Stop prices are
//!   never used. Other symbols are valued at their marks.
//! - **Trading day**: the calendar day of the bar timestamp (`Timestamp::day_index`),
//!   in the timestamps' own clock (the engine never converts time zones).
//!
//! # Checks, in order
//!
//! The first failing check names the rejection, so each rejection has one code.
//!
//! 1. **State** (`halted`, `reducing`): halted rejects everything but protective orders
//!    (below); reducing rejects an order that increases exposure.
//! 2. **Trading hours** (`trading_hours = "09:30-16:00"`): the order's decision time of
//!    day must lie in the window, start inclusive, end exclusive; a window whose start
//!    is after its end runs over midnight. Daily bars are stamped at midnight, so a
//!    window that does not contain 00:00 refuses every order on daily data.
//! 3. **Throttle** (`max_orders_per_minute = N`): at most N orders accepted in any 60
//!    seconds of bar time: an order at t is refused when N were accepted in (t − 60 s, t].
//!    Only accepted orders count, and protective orders neither count nor are refused. On bars a minute or longer apart this is N orders per
//!    bar timestamp (all of a daily bar's orders share its timestamp).
//! 4. **Order size**: quantity at most `max_order_qty`, then value (quantity × price) at
//!    most `max_order_notional`. Every order, exits included: a position larger than
//!    `max_order_qty` cannot be closed by one order.
//! 5. **Price band** (`price_band_bps`): a limit price must lie within that many basis
//!    points of the mark, `|limit − mark| × 10⁴ ≤ bps × mark`. Every limit order,
//!    take-profit legs included.
//!
//! The remaining checks apply only to orders that increase exposure; an order that
//! reduces it always passes them, even when the account is over a limit.
//!
//! 6. **Position**: `|after|` at most `max_position_qty`, then `|after| × price` at most
//!    `max_position_notional`.
//! 7. **Gross exposure**: `Σ_{other symbols} |position + working| × mark + |after| ×
//!    price` at most `max_gross_exposure`.
//! 8. **Open positions**: a symbol is open when its position plus working orders is not
//!    zero. An order that opens a symbol (`before = 0`) is refused when
//!    `max_open_positions` other symbols are open already.
//! 9. **Buying power** (`check_buying_power`, on by default in a `[risk]` section): the
//!    exposure the order adds, `(|after| − |before|) × price`, must not exceed the buying
//!    power left after the orders already working, `buying_power − Σ_s (|position_s +
//!    working_s| − |position_s|) × mark_s`. Working exits free buying power, working
//!    entries use it up, so an exit-then-entry reversal fits what the exit releases.
//!
//! **Protective orders** ([`OrderCheck::protective`]: stop-loss and take-profit legs, and
//! the close-outs `bracket_flatten` and `risk_flatten`) that do not increase exposure
//! pass the state and throttle checks: a halt must never leave a position without its
//! stop (the engine, for its part, skips strategy signals the state would refuse, so
//! they cancel nothing). Legs still meet the size, price-band and trading-hours limits the user set;
//! **close-outs** ([`OrderCheck::close_out`]) that do not increase exposure pass every
//! check, since refusing one leaves a position with no protection at all (its legs were
//! refused or cancelled for it).
//!
//! A check that needs a price and has none (no mark yet and no limit price) rejects with
//! `no_price`, in the place of the first check that needed it.
//!
//! # Time- and equity-driven rules ([`RiskGuard::on_clock`], [`RiskGuard::on_equity`])
//!
//! - **Daily loss limit** (`daily_loss_limit = f`): the day's reference equity is the
//!   last equity seen before the day began (the previous day's close; the first equity
//!   seen on the first day). When `reference − equity ≥ f × reference`, the state
//!   becomes `reducing` until the next trading day: lifted at the day's first
//!   `on_equity` unless that equity is over the limit again. With daily bars this is the
//!   loss from one bar's close to the next.
//! - **Drawdown circuit breaker** (`max_drawdown = f`): the peak is the highest equity
//!   seen by `on_equity`; when `peak − equity ≥ f × peak`, the state becomes `halted`.
//! - **Kill switch** (`kill_switch_at`): from that bar time on (by `on_clock`, or by an
//!   order checked at or after it), the state is `halted`.
//!
//! The driver calls `on_marked_equity` at a timestamp's last close before the strategy
//! decides there, so a loss binds on the very bar that crosses a limit and the engine
//! skips the signals the new state would refuse. It never
//! hands the guard an account marked at some closes of a timestamp and not others:
//! orders decided on the earlier bars of a timestamp shared by several symbols are
//! checked against the last equity point.
//!
//! A reference or peak that is not positive disables the rule it feeds.
//!
//! # For the driver
//!
//! - Call `on_clock` when a timestamp begins and `on_equity` before the orders decided
//!   at that timestamp are checked, and pass orders and timestamps in time order (the
//!   throttle assumes it).
//! - `working` counts the unfilled remainder of the orders working at the venues. A
//!   one-cancels-other pair counts once (only one leg can fill), and when checking one
//!   leg of such a pair, leave its sibling out of `working`.
//! - An all-cash order has no quantity until it fills: pass the quantity the buying
//!   power buys at the mark (what sizing estimates), or the size checks see nothing.

mod guard;
mod markdown;
#[cfg(test)]
mod tests;

pub use crate::scenario::{RiskConfig, TradingHours};
pub use guard::RiskGuard;
pub use markdown::render_markdown_section;

use crate::model::{OrderId, Side, SymbolId, Timestamp};
use rust_decimal::Decimal;
use serde::Serialize;
use std::fmt;

/// What the guard sees of the account when it decides. Every slice is indexed by
/// [`SymbolId`] and has one entry per instrument.
#[derive(Debug, Clone, Copy)]
pub struct AccountView<'a> {
    /// Cash plus positions at the marks.
    pub equity: Decimal,
    /// Equity not committed to positions (`Portfolio::buying_power`), not counting
    /// working orders: the guard subtracts those itself.
    pub buying_power: Decimal,
    /// Signed position per symbol.
    pub positions: &'a [Decimal],
    /// Last close per symbol (zero before the symbol's first bar).
    pub marks: &'a [Decimal],
    /// Signed unfilled quantity of the orders already working per symbol, so that
    /// limits count them.
    pub working: &'a [Decimal],
}

/// One order about to reach a venue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OrderCheck {
    pub order_id: OrderId,
    pub symbol: SymbolId,
    pub side: Side,
    /// Positive quantity, in units.
    pub qty: Decimal,
    /// The limit price of a limit or stop-limit order.
    pub limit_px: Option<Decimal>,
    /// When the order was decided (its decision bar's timestamp).
    pub ts: Timestamp,
    /// A protective order: a stop-loss or take-profit leg, or the market order that
    /// closes a position whose leg could not be placed. One that does not increase
    /// exposure passes a halt and the throttle (see the module docs).
    pub protective: bool,
    /// A close-out: the market order that closes a position whose leg could not be
    /// placed (`bracket_flatten`) or that a halt flattens (`risk_flatten`). One that does
    /// not increase exposure passes every check: refusing it would leave the position
    /// without protection.
    pub close_out: bool,
}

/// Whether the guard accepts new risk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum TradingState {
    /// Every check applies.
    #[default]
    Active,
    /// Only orders that do not increase exposure are accepted.
    Reducing,
    /// No new orders at all.
    Halted,
}

impl TradingState {
    pub fn as_str(self) -> &'static str {
        match self {
            TradingState::Active => "active",
            TradingState::Reducing => "reducing",
            TradingState::Halted => "halted",
        }
    }
}

impl fmt::Display for TradingState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why an order was rejected: one code per check, in the order the checks run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RejectCode {
    /// Trading is halted (drawdown circuit breaker, kill switch).
    Halted,
    /// Trading is reducing (daily loss limit) and the order increases exposure.
    Reducing,
    /// Decided outside `trading_hours`.
    TradingHours,
    /// `max_orders_per_minute` orders already accepted in the last 60 seconds.
    Throttle,
    MaxOrderQty,
    /// A check needed a price and the order has neither a limit price nor a mark.
    NoPrice,
    MaxOrderNotional,
    /// The limit price is outside `price_band_bps` around the mark.
    PriceBand,
    MaxPositionQty,
    MaxPositionNotional,
    MaxGrossExposure,
    MaxOpenPositions,
    BuyingPower,
}

impl RejectCode {
    /// Every code, in the order the checks run (the order of report tables).
    pub const ALL: [RejectCode; 13] = [
        RejectCode::Halted,
        RejectCode::Reducing,
        RejectCode::TradingHours,
        RejectCode::Throttle,
        RejectCode::MaxOrderQty,
        RejectCode::NoPrice,
        RejectCode::MaxOrderNotional,
        RejectCode::PriceBand,
        RejectCode::MaxPositionQty,
        RejectCode::MaxPositionNotional,
        RejectCode::MaxGrossExposure,
        RejectCode::MaxOpenPositions,
        RejectCode::BuyingPower,
    ];

    /// The snake_case name reports use.
    pub fn as_str(self) -> &'static str {
        match self {
            RejectCode::Halted => "halted",
            RejectCode::Reducing => "reducing",
            RejectCode::TradingHours => "trading_hours",
            RejectCode::Throttle => "throttle",
            RejectCode::MaxOrderQty => "max_order_qty",
            RejectCode::NoPrice => "no_price",
            RejectCode::MaxOrderNotional => "max_order_notional",
            RejectCode::PriceBand => "price_band",
            RejectCode::MaxPositionQty => "max_position_qty",
            RejectCode::MaxPositionNotional => "max_position_notional",
            RejectCode::MaxGrossExposure => "max_gross_exposure",
            RejectCode::MaxOpenPositions => "max_open_positions",
            RejectCode::BuyingPower => "buying_power",
        }
    }
}

impl fmt::Display for RejectCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An order the guard refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rejection {
    /// The order's decision time.
    pub ts: Timestamp,
    pub order_id: OrderId,
    #[serde(skip)]
    pub symbol_id: SymbolId,
    /// The instrument's symbol.
    pub symbol: String,
    pub side: Side,
    pub qty: Decimal,
    pub limit_px: Option<Decimal>,
    pub code: RejectCode,
    /// What was over which limit, with the numbers.
    pub message: String,
}

/// A change of the trading state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StateChange {
    pub ts: Timestamp,
    pub from: TradingState,
    pub to: TradingState,
    pub reason: String,
}

/// Everything the guard did: rejections and state changes in the order they happened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct RiskLog {
    pub rejections: Vec<Rejection>,
    pub state_changes: Vec<StateChange>,
    /// The state at the end of the run.
    pub final_state: TradingState,
}

impl RiskLog {
    /// Rejections per code, in [`RejectCode::ALL`] order, codes without rejections left out.
    pub fn counts_by_code(&self) -> Vec<(RejectCode, usize)> {
        let mut counts = [0usize; RejectCode::ALL.len()];
        for rejection in &self.rejections {
            let index = RejectCode::ALL
                .iter()
                .position(|&c| c == rejection.code)
                .expect("ALL lists every code");
            counts[index] += 1;
        }
        RejectCode::ALL
            .iter()
            .zip(counts)
            .filter(|&(_, n)| n > 0)
            .map(|(&code, n)| (code, n))
            .collect()
    }
}

/// Whether adding `signed` to a signed quantity `current` increases exposure: the
/// absolute quantity grows, or the sign flips (a long becomes a short or back).
pub fn increases_exposure(current: Decimal, signed: Decimal) -> bool {
    let after = current + signed;
    let flips =
        (current > Decimal::ZERO && after < Decimal::ZERO) || (current < Decimal::ZERO && after > Decimal::ZERO);
    after.abs() > current.abs() || flips
}
