//! [`RiskGuard`]: the checks and the trading state (semantics in the module docs).

use super::{AccountView, OrderCheck, RejectCode, Rejection, RiskLog, StateChange, TradingState, increases_exposure};
use crate::model::time::{NANOS_PER_DAY, NANOS_PER_SEC};
use crate::model::{Instrument, SymbolId, Timestamp};
use crate::scenario::RiskConfig;
use rust_decimal::{Decimal, RoundingStrategy};
use std::collections::VecDeque;

/// The throttle's window: 60 seconds of bar time.
const THROTTLE_WINDOW_NANOS: i64 = 60 * NANOS_PER_SEC;

/// The pre-trade risk guard of one run. See the [module docs](super) for the rules.
#[derive(Debug, Clone)]
pub struct RiskGuard {
    config: RiskConfig,
    symbols: Vec<String>,
    state: TradingState,
    /// Why the current state holds, for rejection messages.
    state_reason: String,
    /// The trading day of the last `on_clock`.
    day: Option<i64>,
    /// A day began and no `on_equity` has seen it yet (a reducing state may lift).
    new_day: bool,
    /// Where the current trading day ends, in nanoseconds.
    day_end_ns: i64,
    /// `kill_switch_at` in nanoseconds (`i64::MAX` without one), for `on_clock`'s test.
    kill_switch_ns: i64,
    /// The daily loss limit's reference: equity at the start of the trading day.
    day_start_equity: Decimal,
    /// Equity at the last `on_equity`.
    last_equity: Option<Decimal>,
    /// Highest equity seen by `on_equity`.
    peak_equity: Option<Decimal>,
    /// Equity at or below which the drawdown breaker trips (`peak × (1 − limit)`, kept
    /// as the peak moves so that each bar only compares).
    drawdown_floor: Option<Decimal>,
    /// Equity at or below which the daily loss limit is reached, for the current day.
    loss_floor: Option<Decimal>,
    /// The per-bar fast test, rebuilt whenever the slow path ran.
    watch: Option<Watch>,
    /// Decision times of the orders accepted in the throttle's window, oldest first.
    accepted: VecDeque<Timestamp>,
    log: RiskLog,
}

/// The per-bar test in integers: the peak and the highest level a rule trips at, as
/// mantissas at the scale of the last equity, both rounded down. For an equity `e` at that
/// scale (a multiple of its unit) `e <= level` and `e <= level rounded down` agree, so
/// "not a new peak and above every trip level" is exact on the mantissas.
#[derive(Debug, Clone, Copy)]
struct Watch {
    scale: u32,
    peak: i128,
    /// `i128::MIN` when no rule can trip (none set, or halted already).
    trip: i128,
}

/// `d` rounded down to `scale` decimals, as a mantissa at that scale; `None` where it
/// does not fit.
fn mantissa_at(d: Decimal, scale: u32) -> Option<i128> {
    let down = d.round_dp_with_strategy(scale, RoundingStrategy::ToNegativeInfinity);
    let widen = 10i128.checked_pow(scale.checked_sub(down.scale())?)?;
    down.mantissa().checked_mul(widen)
}

/// Exact decimal text without trailing zeros, for messages.
fn num(d: Decimal) -> String {
    d.normalize().to_string()
}

/// A fraction as a percentage with two decimals, for messages.
fn pct(numerator: Decimal, denominator: Decimal) -> String {
    match numerator
        .checked_mul(Decimal::ONE_HUNDRED)
        .and_then(|n| n.checked_div(denominator))
    {
        Some(p) => format!("{}%", num(p.round_dp(2))),
        None => "n/a".to_string(),
    }
}

impl RiskGuard {
    /// A guard with `config`'s limits for a run trading `instruments` (in scenario
    /// order: the slices of every [`AccountView`] follow it).
    pub fn new(config: RiskConfig, instruments: &[Instrument]) -> Self {
        let kill_switch_ns = config.kill_switch_at.map_or(i64::MAX, |t| t.0);
        RiskGuard {
            config,
            symbols: instruments.iter().map(|i| i.symbol.clone()).collect(),
            state: TradingState::Active,
            state_reason: String::new(),
            day: None,
            new_day: false,
            day_end_ns: i64::MIN,
            kill_switch_ns,
            day_start_equity: Decimal::ZERO,
            last_equity: None,
            peak_equity: None,
            drawdown_floor: None,
            loss_floor: None,
            watch: None,
            accepted: VecDeque::new(),
            log: RiskLog::default(),
        }
    }

    /// True when the config has no limit at all: every order would pass, and the driver
    /// may skip the guard.
    pub fn is_inactive(&self) -> bool {
        self.config.is_empty()
    }

    /// Whether a rule reads the equity (daily loss limit, drawdown breaker): without one,
    /// [`RiskGuard::on_equity`] only records it.
    pub fn watches_equity(&self) -> bool {
        self.config.daily_loss_limit.is_some() || self.config.max_drawdown.is_some()
    }

    pub fn config(&self) -> &RiskConfig {
        &self.config
    }

    pub fn state(&self) -> TradingState {
        self.state
    }

    /// What happened so far.
    pub fn log(&self) -> &RiskLog {
        &self.log
    }

    /// Every rejection and state change, and the final state.
    pub fn into_log(self) -> RiskLog {
        let mut log = self.log;
        log.final_state = self.state;
        log
    }

    /// A bar timestamp and the equity at it, at once: [`RiskGuard::on_clock`] then
    /// [`RiskGuard::on_equity`].
    pub fn on_time(&mut self, ts: Timestamp, account: &AccountView<'_>) {
        self.on_clock(ts);
        self.on_equity(ts, account.equity);
    }

    /// A bar timestamp begins: rolls the trading day (its loss reference is the last
    /// equity seen, the previous day's close) and applies the kill switch.
    #[inline]
    pub fn on_clock(&mut self, ts: Timestamp) {
        // Most timestamps fall in the day already rolled, before the kill switch: two
        // comparisons (the first day's end starts at i64::MIN).
        if ts.0 < self.day_end_ns && ts.0 < self.kill_switch_ns {
            return;
        }
        self.roll_clock(ts);
    }

    #[inline(never)]
    fn roll_clock(&mut self, ts: Timestamp) {
        if ts.0 < self.day_end_ns {
            return self.kill_switch_by_clock(ts);
        }
        let day = ts.day_index();
        debug_assert!(self.day.is_none_or(|d| d <= day), "time goes forward");
        if self.day != Some(day) {
            self.day = Some(day);
            self.day_end_ns = day.saturating_add(1).saturating_mul(NANOS_PER_DAY);
            self.new_day = true;
            if let Some(equity) = self.last_equity {
                self.set_day_reference(equity);
            }
        }
        self.kill_switch_by_clock(ts);
    }

    fn kill_switch_by_clock(&mut self, ts: Timestamp) {
        if self.state != TradingState::Halted
            && let Some(reason) = self.kill_switch_reason(ts)
        {
            self.set_state(ts, TradingState::Halted, reason);
        }
    }

    /// The account's equity at `ts`, marked at the latest closes: applies the drawdown
    /// circuit breaker and the daily loss limit, in that order.
    #[inline]
    pub fn on_equity(&mut self, ts: Timestamp, equity: Decimal) {
        if self.moves_nothing(equity) {
            self.last_equity = Some(equity);
            return;
        }
        self.on_equity_slow(ts, equity);
    }

    /// The fast test: on the same day, an equity that is no new peak and above every trip
    /// level changes nothing. Most bars pass it with two integer comparisons.
    #[inline]
    fn moves_nothing(&self, equity: Decimal) -> bool {
        self.watch.is_some_and(|watch| {
            !self.new_day && equity.scale() == watch.scale && {
                let m = equity.mantissa();
                m <= watch.peak && m > watch.trip
            }
        })
    }

    /// The account marked at a timestamp's last close, before the strategy decides there
    /// and before the equity point exists: the rules apply to it (and a new day's lift),
    /// but it sets neither the peak nor the day's reference, which only
    /// [`RiskGuard::on_equity`] with recorded equity points does.
    #[inline]
    pub fn on_marked_equity(&mut self, ts: Timestamp, equity: Decimal) {
        if self.moves_nothing(equity) {
            return;
        }
        let Some(peak) = self.peak_equity else {
            // Nothing recorded yet: no peak and no reference to measure a loss from.
            return;
        };
        self.apply_equity_rules(ts, equity, peak);
        self.watch = self.watch_for(equity.scale());
    }

    #[inline(never)]
    fn on_equity_slow(&mut self, ts: Timestamp, equity: Decimal) {
        self.on_equity_exact(ts, equity);
        self.watch = self.watch_for(equity.scale());
    }

    /// The rules on exact decimals (what the fast test in `on_equity` stands in for).
    pub(super) fn on_equity_exact(&mut self, ts: Timestamp, equity: Decimal) {
        if self.last_equity.is_none() {
            // The first equity seen is the first day's reference.
            self.set_day_reference(equity);
        }
        self.last_equity = Some(equity);
        let peak = match self.peak_equity {
            Some(p) if p >= equity => p,
            _ => {
                self.drawdown_floor = self
                    .config
                    .max_drawdown
                    .filter(|_| equity > Decimal::ZERO)
                    .map(|limit| equity - limit * equity);
                equity
            }
        };
        self.peak_equity = Some(peak);
        self.apply_equity_rules(ts, equity, peak);
    }

    /// The peak and the two trip levels, for tests that compare paths.
    #[cfg(test)]
    pub(super) fn levels(&self) -> [Option<Decimal>; 3] {
        [self.peak_equity, self.drawdown_floor, self.loss_floor]
    }

    /// The fast test for equities at `scale`, from the exact state.
    fn watch_for(&self, scale: u32) -> Option<Watch> {
        let peak = mantissa_at(self.peak_equity?, scale)?;
        let mut trip = i128::MIN;
        if self.state != TradingState::Halted {
            for level in [self.drawdown_floor, self.loss_floor].into_iter().flatten() {
                trip = trip.max(mantissa_at(level, scale)?);
            }
        }
        Some(Watch { scale, peak, trip })
    }

    /// The drawdown breaker, then the daily loss limit, on an equity the peak has seen.
    fn apply_equity_rules(&mut self, ts: Timestamp, equity: Decimal, peak: Decimal) {
        let new_day = std::mem::take(&mut self.new_day);
        if self.state == TradingState::Halted {
            return;
        }
        if let Some(limit) = self.config.max_drawdown
            && self.drawdown_floor.is_some_and(|floor| equity <= floor)
        {
            let reason = format!(
                "drawdown {} from the equity peak {} reached max_drawdown {}",
                pct(peak - equity, peak),
                num(peak),
                pct(limit, Decimal::ONE)
            );
            self.set_state(ts, TradingState::Halted, reason);
            return;
        }
        let reference = self.day_start_equity;
        let loss_hit = self.loss_floor.is_some_and(|floor| equity <= floor);
        if loss_hit {
            let limit = self.config.daily_loss_limit.unwrap_or_default();
            let reason = format!(
                "daily loss {} of the day's starting equity {} reached daily_loss_limit {} (until the next trading day)",
                pct(reference - equity, reference),
                num(reference),
                pct(limit, Decimal::ONE)
            );
            if self.state == TradingState::Reducing {
                // Still reducing (a new day over the limit again): no change to record.
                self.state_reason = reason;
            } else {
                self.set_state(ts, TradingState::Reducing, reason);
            }
        } else if new_day && self.state == TradingState::Reducing {
            let reason = format!("new trading day {}: the daily loss limit is lifted", ts.date());
            self.set_state(ts, TradingState::Active, reason);
        }
    }

    /// The daily loss limit's reference for the day that began, and its floor.
    fn set_day_reference(&mut self, reference: Decimal) {
        self.day_start_equity = reference;
        self.loss_floor = self
            .config
            .daily_loss_limit
            .filter(|_| reference > Decimal::ZERO)
            .map(|limit| reference - limit * reference);
    }

    /// The manual kill switch: halts trading from `ts` for the rest of the run.
    pub fn halt(&mut self, ts: Timestamp, reason: &str) {
        self.set_state(ts, TradingState::Halted, format!("manual kill switch: {reason}"));
    }

    /// Pre-trade check of one order about to reach a venue. `Ok` counts it for the
    /// throttle; a rejection is logged and returned.
    pub fn check(&mut self, order: &OrderCheck, account: &AccountView<'_>) -> Result<(), Rejection> {
        if self.state != TradingState::Halted
            && let Some(reason) = self.kill_switch_reason(order.ts)
        {
            self.set_state(order.ts, TradingState::Halted, reason);
        }
        if self.config.max_orders_per_minute.is_some() {
            let oldest_kept = order.ts.0.saturating_sub(THROTTLE_WINDOW_NANOS);
            while self.accepted.front().is_some_and(|t| t.0 <= oldest_kept) {
                self.accepted.pop_front();
            }
        }
        match self.evaluate(order, account) {
            Ok(exempt) => {
                if self.config.max_orders_per_minute.is_some() && !exempt {
                    self.accepted.push_back(order.ts);
                }
                Ok(())
            }
            Err((code, message)) => {
                let rejection = Rejection {
                    ts: order.ts,
                    order_id: order.order_id,
                    symbol_id: order.symbol,
                    symbol: self.symbol_name(order.symbol),
                    side: order.side,
                    qty: order.qty,
                    limit_px: order.limit_px,
                    code,
                    message,
                };
                self.log.rejections.push(rejection.clone());
                Err(rejection)
            }
        }
    }

    fn symbol_name(&self, symbol: SymbolId) -> String {
        self.symbols
            .get(symbol)
            .cloned()
            .unwrap_or_else(|| format!("#{symbol}"))
    }

    fn kill_switch_reason(&self, ts: Timestamp) -> Option<String> {
        let at = self.config.kill_switch_at?;
        (ts >= at).then(|| format!("kill switch at {at}"))
    }

    /// Records a change; nothing when the state is already `to`.
    fn set_state(&mut self, ts: Timestamp, to: TradingState, reason: String) {
        if self.state == to {
            return;
        }
        self.log.state_changes.push(StateChange {
            ts,
            from: self.state,
            to,
            reason: reason.clone(),
        });
        self.state = to;
        self.state_reason = reason;
    }

    /// Orders accepted in (ts − 60 s, ts].
    fn accepted_in_window(&self, ts: Timestamp) -> usize {
        let oldest_kept = ts.0.saturating_sub(THROTTLE_WINDOW_NANOS);
        self.accepted.iter().filter(|t| t.0 > oldest_kept && **t <= ts).count()
    }

    /// The checks, in their documented order; the first failure names the rejection.
    /// `Ok(true)`: a protective order that does not increase exposure, exempt from the
    /// state and the throttle.
    fn evaluate(&self, order: &OrderCheck, account: &AccountView<'_>) -> Result<bool, (RejectCode, String)> {
        let config = &self.config;
        let symbol = order.symbol;
        let name = || self.symbol_name(symbol);
        let at = |values: &[Decimal], s: SymbolId| values.get(s).copied().unwrap_or_default();
        debug_assert_eq!(account.positions.len(), self.symbols.len(), "one position per symbol");
        debug_assert_eq!(account.marks.len(), self.symbols.len(), "one mark per symbol");
        debug_assert_eq!(
            account.working.len(),
            self.symbols.len(),
            "one working quantity per symbol"
        );
        let signed = order.side.sign() * order.qty;
        let before = at(account.positions, symbol) + at(account.working, symbol);
        let after = before + signed;
        let increases = increases_exposure(before, signed);
        let mark = at(account.marks, symbol);
        let describe = || format!("{} {} {}", order.side.as_str(), num(order.qty), name());
        let exempt = order.protective && !increases;
        if order.close_out && !increases {
            return Ok(true);
        }

        // 1. State.
        match self.state {
            _ if exempt => {}
            TradingState::Halted => {
                let message = format!("trading is halted ({}): no new orders", self.state_reason);
                return Err((RejectCode::Halted, message));
            }
            TradingState::Reducing if increases => {
                let message = format!(
                    "trading is reducing ({}): only orders that do not increase exposure are accepted, \
                     and {} takes the position with working orders from {} to {}",
                    self.state_reason,
                    describe(),
                    num(before),
                    num(after)
                );
                return Err((RejectCode::Reducing, message));
            }
            _ => {}
        }
        // 2. Trading hours.
        if let Some(hours) = config.trading_hours
            && !hours.contains(order.ts)
        {
            let time = order.ts.to_naive().format("%H:%M:%S");
            let what = describe();
            let message = format!("{what} decided at {time}, outside trading_hours {hours}");
            return Err((RejectCode::TradingHours, message));
        }
        // 3. Throttle.
        if let Some(limit) = config.max_orders_per_minute
            && !exempt
        {
            let recent = self.accepted_in_window(order.ts);
            if recent >= limit as usize {
                let message = format!(
                    "{recent} orders already accepted in the 60 seconds up to {}: max_orders_per_minute {limit}",
                    order.ts
                );
                return Err((RejectCode::Throttle, message));
            }
        }
        // 4. Order size.
        if let Some(max) = config.max_order_qty
            && order.qty > max
        {
            let what = describe();
            let message = format!("{what}: quantity {} exceeds max_order_qty {}", num(order.qty), num(max));
            return Err((RejectCode::MaxOrderQty, message));
        }
        let px = order.limit_px.unwrap_or(mark);
        let priced = || {
            if px > Decimal::ZERO {
                Ok(px)
            } else {
                let what = describe();
                let name = name();
                let message = format!("{what}: no price to value it at (no limit price and no mark for {name} yet)");
                Err((RejectCode::NoPrice, message))
            }
        };
        if let Some(max) = config.max_order_notional {
            let px = priced()?;
            let notional = order.qty.saturating_mul(px);
            if notional > max {
                let what = describe();
                let message = format!(
                    "{what}: value {} ({} x {}) exceeds max_order_notional {}",
                    num(notional),
                    num(order.qty),
                    num(px),
                    num(max)
                );
                return Err((RejectCode::MaxOrderNotional, message));
            }
        }
        // 5. Price band.
        if let (Some(band), Some(limit_px)) = (config.price_band_bps, order.limit_px) {
            if mark <= Decimal::ZERO {
                let what = describe();
                let name = name();
                let message = format!(
                    "{what}: no mark for {name} yet to check the limit price {} against",
                    num(limit_px)
                );
                return Err((RejectCode::NoPrice, message));
            }
            let distance = (limit_px - mark).abs();
            if distance.saturating_mul(Decimal::from(10_000)) > band.saturating_mul(mark) {
                let bps = distance
                    .checked_mul(Decimal::from(10_000))
                    .and_then(|d| d.checked_div(mark))
                    .map_or_else(|| "n/a".to_string(), |b| num(b.round_dp(2)));
                let what = describe();
                let message = format!(
                    "{what}: limit price {} is {bps} bps from the mark {}, outside price_band_bps {}",
                    num(limit_px),
                    num(mark),
                    num(band)
                );
                return Err((RejectCode::PriceBand, message));
            }
        }
        if !increases {
            return Ok(exempt);
        }
        // 6. Position.
        if let Some(max) = config.max_position_qty
            && after.abs() > max
        {
            let what = describe();
            let message = format!(
                "{what} takes the position with working orders to {}, over max_position_qty {}",
                num(after),
                num(max)
            );
            return Err((RejectCode::MaxPositionQty, message));
        }
        if let Some(max) = config.max_position_notional {
            let px = priced()?;
            let value = after.abs().saturating_mul(px);
            if value > max {
                let what = describe();
                let message = format!(
                    "{what} takes the position with working orders to {} worth {} at {}, over max_position_notional {}",
                    num(after),
                    num(value),
                    num(px),
                    num(max)
                );
                return Err((RejectCode::MaxPositionNotional, message));
            }
        }
        // 7. Gross exposure.
        if let Some(max) = config.max_gross_exposure {
            let px = priced()?;
            let others = (0..self.symbols.len())
                .filter(|&s| s != symbol)
                .map(|s| {
                    let open = at(account.positions, s) + at(account.working, s);
                    open.abs().saturating_mul(at(account.marks, s))
                })
                .fold(Decimal::ZERO, Decimal::saturating_add);
            let gross = others.saturating_add(after.abs().saturating_mul(px));
            if gross > max {
                let what = describe();
                let message = format!(
                    "{what} takes gross exposure with working orders to {}, over max_gross_exposure {}",
                    num(gross),
                    num(max)
                );
                return Err((RejectCode::MaxGrossExposure, message));
            }
        }
        // 8. Open positions.
        if let Some(max) = config.max_open_positions
            && before.is_zero()
        {
            let open = (0..self.symbols.len())
                .filter(|&s| s != symbol && !(at(account.positions, s) + at(account.working, s)).is_zero())
                .count();
            if open >= max {
                let what = describe();
                let message = format!(
                    "{what} opens a position while {open} symbols have positions or working orders: \
                     max_open_positions {max}"
                );
                return Err((RejectCode::MaxOpenPositions, message));
            }
        }
        // 9. Buying power.
        if config.check_buying_power {
            let px = priced()?;
            let added = (after.abs() - before.abs()).saturating_mul(px);
            if added > Decimal::ZERO {
                let committed = (0..self.symbols.len())
                    .map(|s| {
                        let position = at(account.positions, s);
                        let open = position + at(account.working, s);
                        (open.abs() - position.abs()).saturating_mul(at(account.marks, s))
                    })
                    .fold(Decimal::ZERO, Decimal::saturating_add);
                let available = account.buying_power.saturating_sub(committed);
                if added > available {
                    let what = describe();
                    let message = format!(
                        "{what} adds exposure worth {} but only {} of buying power is left ({} less {} for working orders)",
                        num(added),
                        num(available),
                        num(account.buying_power),
                        num(committed)
                    );
                    return Err((RejectCode::BuyingPower, message));
                }
            }
        }
        Ok(exempt)
    }
}
