//! How to read the numbers: the venue's fill rules and cost models, and the formulas of
//! the metrics, in words. One source for `report.json` and `report.md`, so the two never
//! disagree.

use super::format::dec;
use crate::backtest::result::RunResult;
use crate::scenario::{
    CommissionConfig, ExecutionConfig, FillTiming, IntrabarPath, SlippageConfig, Spread, VenueConfig, VenueSpec,
    Visible,
};
use serde::Serialize;

/// The conventions a run's report was produced under.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Conventions {
    /// `next_open` or `same_close`.
    pub fill_timing: &'static str,
    pub fill_timing_rule: String,
    /// True when fills can use a price the strategy had only just seen (same-close fills).
    pub look_ahead: bool,
    pub intrabar_path: &'static str,
    pub intrabar_path_rule: String,
    pub slippage: String,
    pub commission: String,
    /// How orders were routed among the scenario's venues.
    pub routing: &'static str,
    /// Each declared venue's own terms (empty with a single venue).
    pub venues: Vec<String>,
    /// How parent orders were worked into child orders.
    pub execution: String,
    /// The `P` used to annualise.
    pub periods_per_year: f64,
    /// Where `P` came from: "scenario" (set explicitly) or "calendar" (bar interval and
    /// the instruments' trading calendar).
    pub periods_per_year_source: String,
    pub risk_free_rate: f64,
    pub returns: &'static str,
    pub sharpe: &'static str,
    pub sortino: &'static str,
    pub volatility_ann: &'static str,
    pub max_drawdown: &'static str,
    pub max_drawdown_duration: &'static str,
    pub cagr_by_count: &'static str,
    pub cagr_by_calendar: &'static str,
    pub calmar: &'static str,
    pub trades: &'static str,
    pub exposure: &'static str,
    pub turnover: &'static str,
    pub slippage_cost_bps: &'static str,
    pub undefined_values: &'static str,
    pub money: &'static str,
}

impl Conventions {
    pub fn for_run(result: &RunResult) -> Self {
        let venue = &result.scenario.venue;
        Conventions {
            fill_timing: fill_timing_name(venue.fill_timing),
            fill_timing_rule: fill_timing_rule(venue.fill_timing).to_string(),
            look_ahead: venue.fill_timing == FillTiming::SameClose,
            intrabar_path: intrabar_path_name(venue.intrabar_path),
            intrabar_path_rule: intrabar_path_rule(venue.intrabar_path).to_string(),
            slippage: slippage_rule(&venue.slippage),
            commission: commission_rule(&venue.commission),
            routing: super::routing::routing_rule(result),
            venues: result.scenario.venues.iter().map(|v| venue_terms(v, venue)).collect(),
            execution: execution_rule(&result.scenario.execution),
            periods_per_year: result.periods_per_year,
            periods_per_year_source: result.periods_per_year_source.to_string(),
            risk_free_rate: 0.0,
            returns: "per-period simple returns of the equity curve r_i = e_i / e_{i-1} - 1; N = points - 1",
            sharpe: "mean(r) / std(r, ddof=1) * sqrt(P), rf = 0",
            sortino: "mean(r) / sqrt(sum(min(r, 0)^2) / N) * sqrt(P): downside over all N returns, target 0",
            volatility_ann: "std(r, ddof=1) * sqrt(P)",
            max_drawdown: "min over i of e_i / max(e_0..e_i) - 1, a negative fraction; the running peak \
                           starts at the first equity point (the starting equity)",
            max_drawdown_duration: "longest spell from a peak to the first point back at or above it (or to the \
                                    last point if never recovered), in bars and in calendar days",
            cagr_by_count: "(final / initial)^(P / N) - 1",
            cagr_by_calendar: "(final / initial)^(1 / years) - 1, years = (last_ts - first_ts) / 365.25 days",
            calmar: "cagr_by_count / |max_drawdown|",
            trades: "closed round trips only; PnL net of fees; win rate = share with net PnL > 0; profit factor = \
                     sum of winning net PnL / |sum of losing net PnL|; expectancy = mean net PnL; trade return = net \
                     PnL / entry notional",
            exposure: "equity points with an open position / equity points",
            turnover: "sum of |fill notional| / mean equity, over the whole run (not annualised)",
            slippage_cost_bps: "sum of slippage cost / sum of |fill notional| * 1e4; slippage cost is the price \
                                lost against the price before slippage, times quantity (positive = cost)",
            undefined_values: "a statistic that is undefined (zero deviation, no downside, no closed trades) is null",
            money: "exact decimals, written as strings in JSON",
        }
    }
}

/// The execution algorithm in words, with its parameters.
pub fn execution_rule(config: &ExecutionConfig) -> String {
    let rule = match *config {
        ExecutionConfig::Market => "market: each order goes to the venue as it is".to_string(),
        ExecutionConfig::LimitTimeout {
            timeout_secs,
            fallback_market,
        } => format!(
            "limit with timeout: a GTC limit at the signal's limit price (the decision price without one), \
             cancelled after {timeout_secs} s; then {}",
            if fallback_market {
                "the rest goes out as a market order"
            } else {
                "the rest is given up"
            }
        ),
        ExecutionConfig::Split { threshold, max_child } => format!(
            "split: orders above {} go out at once as children of at most {}",
            dec(threshold),
            dec(max_child)
        ),
        ExecutionConfig::Twap {
            duration_secs,
            slices,
            limit_offset_bps,
        } => format!(
            "TWAP: {slices} slices over {duration_secs} s, slice i due at start + i x duration / slices; each IOC \
             child catches up to i+1 slices' share (whole lots; the last slice sends the remainder){}; what is \
             unfilled when the schedule is over stays unfilled",
            limit_offset_bps.map_or(String::new(), |b| format!(
                ", as a limit {} bps past the last close",
                dec(b)
            ))
        ),
        ExecutionConfig::Iceberg { visible } => format!(
            "iceberg: one GTC child at a time showing at most {} (at the signal's limit price, else market), the \
             next sent once it has filled",
            match visible {
                Visible::Qty(q) => dec(q),
                Visible::Fraction(f) => format!("{} of the parent", dec(f)),
            }
        ),
        ExecutionConfig::Vwap {
            duration_secs,
            slices,
            profile_bars,
        } => format!(
            "VWAP: {slices} slices over {duration_secs} s sized by the mean volume earlier bars (the last \
             {profile_bars}) traded at each slice's time of day (equal slices without history); IOC children \
             catch up to each slice's cumulative share"
        ),
        ExecutionConfig::Pov {
            rate,
            max_duration_secs,
        } => format!(
            "POV: each bar, an IOC child for {} of the volume of the bar just closed (the best forecast of the \
             next bar's), until filled{}",
            dec(rate),
            max_duration_secs.map_or(String::new(), |s| format!(" or {s} s have passed"))
        ),
    };
    format!(
        "{rule}. Algorithms act at bar closes (a timer due at T fires at the first close at or after T) and their \
         children can first fill on the next bar; protective stop-loss and take-profit legs go out as they are"
    )
}

/// One venue's terms in words: what it trades, its share of volume, and the slippage,
/// participation cap and fees it fills with.
fn venue_terms(spec: &VenueSpec, shared: &VenueConfig) -> String {
    let config = spec.effective(shared);
    let cap = config
        .participation_max
        .map_or("no participation cap".to_string(), |p| {
            format!("participation cap {}", dec(p))
        });
    format!(
        "{}: trades {} on {} of each bar's volume; {cap}; slippage: {}; commission: {}",
        spec.name,
        spec.symbol_names.join(", "),
        dec(spec.volume_fraction),
        slippage_rule(&config.slippage),
        commission_rule(&config.commission)
    )
}

pub fn fill_timing_name(timing: FillTiming) -> &'static str {
    match timing {
        FillTiming::NextOpen => "next_open",
        FillTiming::SameClose => "same_close",
    }
}

pub fn fill_timing_rule(timing: FillTiming) -> &'static str {
    match timing {
        FillTiming::NextOpen => {
            "a market order decided on bar t's close fills at bar t+1's open (no look-ahead); limit and stop orders \
             work from the next bar on"
        }
        FillTiming::SameClose => {
            "a market order fills at the close of the bar it was decided on: the strategy trades at a price it only \
             just saw, which looks ahead"
        }
    }
}

/// The warning a report shows prominently for same-close fills; `None` for next-open.
pub fn look_ahead_warning(timing: FillTiming) -> Option<&'static str> {
    match timing {
        FillTiming::NextOpen => None,
        FillTiming::SameClose => Some(
            "WARNING: fill timing is `same_close`. Market orders fill at the close of the very bar whose close \
             triggered the decision, a price no real strategy could have traded at once it was known. This looks \
             ahead and usually flatters the results; use `next_open` (the default) for numbers you can rely on.",
        ),
    }
}

pub fn intrabar_path_name(path: IntrabarPath) -> &'static str {
    match path {
        IntrabarPath::OpenHighLowClose => "open_high_low_close",
        IntrabarPath::Adaptive => "adaptive",
    }
}

pub fn intrabar_path_rule(path: IntrabarPath) -> &'static str {
    match path {
        IntrabarPath::OpenHighLowClose => {
            "prices inside a bar are assumed to move open -> high -> low -> close; this decides which of several \
             stop or limit levels in one bar trades first"
        }
        IntrabarPath::Adaptive => {
            "prices inside a bar are assumed to move open -> the extreme nearer the open -> the other extreme -> \
             close; this decides which of several stop or limit levels in one bar trades first"
        }
    }
}

pub fn slippage_rule(slippage: &SlippageConfig) -> String {
    match slippage {
        SlippageConfig::None => "none: fills at the price the fill rules produce".to_string(),
        SlippageConfig::FixedBps { bps, spread } => format!(
            "fixed {} bps against the order: buy px = p * (1 + {b}/10000), sell px = p * (1 - {b}/10000){sp}, \
             rounded to the tick against the order",
            dec(*bps),
            b = dec(*bps),
            sp = spread_part(*spread)
        ),
        SlippageConfig::HalfSpread { spread } => {
            let s = match spread {
                Spread::Fixed(value) => dec(*value),
                Spread::Data => "spread".to_string(),
            };
            format!(
                "half of {} (bar prices taken as mids): buy px = p + {s}/2, sell px = p - {s}/2, rounded to the tick \
                 against the order",
                spread_text(*spread)
            )
        }
        SlippageConfig::VolumeShare { price_impact, spread } => format!(
            "volume share (zipline / LEAN): the price moves against the order by p * {i} * share^2, share = the \
             bar volume filled so far by the strategy in the symbol (this fill included) / bar volume, capped at \
             the participation limit{sp}; rounded to the tick against the order",
            i = dec(*price_impact),
            sp = spread_part(*spread)
        ),
        SlippageConfig::SquareRoot { k, sigma_bars, spread } => format!(
            "square-root impact: the price moves against the order by p * {k} * sigma * sqrt(q / V), q = the fill's \
             quantity, V = the bar's volume (q / V capped at the participation limit), sigma = standard deviation \
             of the last {sigma_bars} close-to-close returns before the fill bar (no impact until they exist){sp}; \
             rounded to the tick against the order",
            k = dec(*k),
            sp = spread_part(*spread)
        ),
    }
}

fn spread_part(spread: Spread) -> String {
    if spread.is_zero() {
        String::new()
    } else {
        format!(", plus half of {}", spread_text(spread))
    }
}

fn spread_text(spread: Spread) -> String {
    match spread {
        Spread::Fixed(spread) => format!("a quoted spread of {}", dec(spread)),
        Spread::Data => "each fill bar's quoted spread from the data's spread column".to_string(),
    }
}

pub fn commission_rule(commission: &CommissionConfig) -> String {
    match commission {
        CommissionConfig::None => "none".to_string(),
        CommissionConfig::PerShare {
            per_share,
            min_per_order,
        } => format!(
            "{} per share; an order's first fill pays at least {} (so partial fills never pay the minimum twice)",
            dec(*per_share),
            dec(*min_per_order)
        ),
        CommissionConfig::PercentOfNotional { bps } => format!("{} bps of each fill's notional", dec(*bps)),
        CommissionConfig::Fixed { per_order } => {
            format!("{} per order (charged on the order's first fill)", dec(*per_order))
        }
        CommissionConfig::MakerTaker { maker_bps, taker_bps } => format!(
            "{} bps of notional for maker fills (resting limit orders traded through), {} bps for taker fills",
            dec(*maker_bps),
            dec(*taker_bps)
        ),
        CommissionConfig::Tiered {
            tiers,
            min_per_order,
            max_per_order_bps,
        } => {
            let mut lower = rust_decimal::Decimal::ZERO;
            let parts: Vec<String> = tiers
                .iter()
                .map(|t| {
                    let part = match t.up_to {
                        Some(up) => format!("shares {}..{} of an order at {}", dec(lower), dec(up), dec(t.per_share)),
                        None => format!("beyond {} at {}", dec(lower), dec(t.per_share)),
                    };
                    lower = t.up_to.unwrap_or(lower);
                    part
                })
                .collect();
            let max = max_per_order_bps.map_or(String::new(), |b| format!(", at most {} bps of its notional", dec(b)));
            format!(
                "tiered per share: {}; per order at least {}{max}",
                parts.join(", "),
                dec(*min_per_order)
            )
        }
    }
}
