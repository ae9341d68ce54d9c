//! The validated configuration of one backtest. Everything after
//! [`crate::scenario::load`] trusts these values: the parser checked every field,
//! so the engine does not re-validate.

use crate::model::{Instrument, Timestamp};
use rust_decimal::Decimal;
use serde::Serialize;
use std::path::PathBuf;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Scenario {
    pub name: String,
    pub description: Option<String>,
    /// Starting cash, in `currency`.
    pub cash: Decimal,
    pub currency: String,
    /// Seeds every random component of the run (none in the default venue).
    pub seed: u64,
    /// Overrides the periods per year derived from the bar interval and calendar.
    pub periods_per_year: Option<f64>,
    /// Bars before `start` or after `end` (inclusive bounds) are dropped at load.
    pub start: Option<Timestamp>,
    pub end: Option<Timestamp>,
    /// Where reports go; relative paths are relative to the working directory.
    pub output_dir: PathBuf,
    /// Whether to run the buy-and-hold benchmark beside the strategy.
    pub benchmark: bool,
    pub instruments: Vec<InstrumentConfig>,
    pub strategy: StrategyConfig,
    pub sizing: SizingConfig,
    pub venue: VenueConfig,
    /// The simulated venues, when the scenario declares several (`[[venues]]`); empty
    /// means one venue trading every instrument by the `[venue]` rules alone.
    pub venues: Vec<VenueSpec>,
    /// How orders are worked (`[execution]`).
    pub execution: ExecutionConfig,
    /// The pre-trade risk guard's limits (`[risk]`); the default has none.
    pub risk: RiskConfig,
    /// The scenario file's folder, as given; data and signals paths were resolved
    /// against it, and reports show them relative to it again.
    #[serde(skip)]
    pub source_dir: PathBuf,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InstrumentConfig {
    pub instrument: Instrument,
    pub data: DataSource,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DataSource {
    /// Resolved against the scenario file's folder.
    pub path: PathBuf,
    pub format: DataFormat,
    pub columns: ColumnMap,
    /// chrono format for the timestamp column; `None` reads ISO-8601.
    pub timestamp_format: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DataFormat {
    /// Read row by row with the csv crate.
    Csv,
    /// Read through polars' CSV reader (for large files).
    CsvPolars,
    Parquet,
}

/// Names of the source columns holding each field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ColumnMap {
    pub timestamp: String,
    pub open: String,
    pub high: String,
    pub low: String,
    pub close: String,
    pub volume: String,
    /// The column holding each bar's quoted spread, in price units; `None` (the
    /// default): the file has no spread column.
    pub spread: Option<String>,
}

impl Default for ColumnMap {
    fn default() -> Self {
        ColumnMap {
            timestamp: "timestamp".into(),
            open: "open".into(),
            high: "high".into(),
            low: "low".into(),
            close: "close".into(),
            volume: "volume".into(),
            spread: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum StrategyConfig {
    /// SMA(fast)/SMA(slow) crossover on closes, per symbol.
    SmaCross { fast: usize, slow: usize, mode: SmaMode },
    /// Buy on the first bar, hold to the end (the benchmark).
    BuyAndHold,
    /// Replays signals generated elsewhere.
    SignalsFile { path: PathBuf },
}

impl StrategyConfig {
    pub fn name(&self) -> &'static str {
        match self {
            StrategyConfig::SmaCross { .. } => "sma_cross",
            StrategyConfig::BuyAndHold => "buy_and_hold",
            StrategyConfig::SignalsFile { .. } => "signals_file",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SmaMode {
    /// Cross up enters long when flat; cross down exits.
    LongOnly,
    /// Cross up goes long, cross down goes short (reversing).
    LongShort,
}

/// How an entry's quantity is decided (formulas in [`crate::sizing`]). Every model but
/// `AllCash` is decided at the decision bar's close, rounded down to whole lots, capped by
/// the buying power and skipped below the instrument's minimum quantity.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum SizingConfig {
    /// All available cash at the fill price, whole lots (the conformance convention).
    AllCash,
    /// The same quantity, in units, per entry.
    FixedQty { qty: Decimal },
    /// The same notional, in the scenario's currency, per entry: `notional / price`.
    FixedNotional { notional: Decimal },
    /// A fraction of equity (marked at the decision bar's close), per entry.
    FractionOfEquity { fraction: Decimal },
    /// Risk `risk_fraction` of equity over a stop `atr_multiple × ATR(atr_bars)` away:
    /// `risk_fraction × equity / (atr_multiple × ATR)`.
    AtrRisk {
        risk_fraction: Decimal,
        atr_bars: usize,
        atr_multiple: Decimal,
    },
    /// Size so the position's annualised volatility is `annual_vol` of equity:
    /// `annual_vol × equity / (σ_annual × price)`, σ_annual the standard deviation of
    /// the last `vol_bars` close-to-close returns times √P.
    VolTarget { annual_vol: Decimal, vol_bars: usize },
    /// The signal's confidence scales a fraction of equity:
    /// `confidence × fraction × equity / price`; a signal without a confidence, or with
    /// one below `min_confidence`, is skipped.
    Confidence { fraction: Decimal, min_confidence: Decimal },
}

impl SizingConfig {
    /// The model's name, as the scenario spells its `kind`.
    pub fn name(&self) -> &'static str {
        match self {
            SizingConfig::AllCash => "all_cash",
            SizingConfig::FixedQty { .. } => "fixed_qty",
            SizingConfig::FixedNotional { .. } => "fixed_notional",
            SizingConfig::FractionOfEquity { .. } => "fraction_of_equity",
            SizingConfig::AtrRisk { .. } => "atr_risk",
            SizingConfig::VolTarget { .. } => "vol_target",
            SizingConfig::Confidence { .. } => "confidence",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VenueConfig {
    pub fill_timing: FillTiming,
    pub intrabar_path: IntrabarPath,
    pub slippage: SlippageConfig,
    pub commission: CommissionConfig,
    /// Largest share of a bar's volume that the strategy's orders in one symbol may fill
    /// together (0 < p <= 1). `None`: no volume limit, and zero-volume bars still fill.
    pub participation_max: Option<Decimal>,
    /// Delay before an order reaches the venue, measured from the start of the bar it was
    /// decided on (bars carry no finer timing): it can first fill on a bar that starts
    /// more than `latency_ms` later. A latency shorter than the bar interval keeps the
    /// next bar; on intraday bars a longer one moves the first fill later.
    pub latency_ms: u64,
    /// Standard deviation of a seeded random slippage component, in basis points of the
    /// price (0: none). Drawn per fill from the scenario's seed.
    pub slippage_noise_bps: Decimal,
    /// Whether slipped prices are kept within the fill bar's low..high.
    pub price_clamp: PriceClamp,
    /// How orders choose among several venues (`[[venues]]`).
    pub routing: Routing,
}

impl Default for VenueConfig {
    fn default() -> Self {
        VenueConfig {
            fill_timing: FillTiming::NextOpen,
            intrabar_path: IntrabarPath::OpenHighLowClose,
            slippage: SlippageConfig::None,
            commission: CommissionConfig::None,
            participation_max: None,
            latency_ms: 0,
            slippage_noise_bps: Decimal::ZERO,
            price_clamp: PriceClamp::None,
            routing: Routing::LowestCost,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PriceClamp {
    /// Slippage is charged in full, even past the bar's printed range (the bar's prices
    /// do not include the order's own impact). Sells never go below one tick.
    None,
    /// A slipped price is clamped into the fill bar's low..high.
    BarRange,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FillTiming {
    /// A market order decided on bar t's close fills at bar t+1's open (default).
    NextOpen,
    /// A market order fills at the close of the bar it was decided on. Looks ahead:
    /// the strategy could not have traded at a price it only just saw.
    SameClose,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum IntrabarPath {
    /// open → high → low → close.
    #[serde(rename = "ohlc")]
    OpenHighLowClose,
    /// open → whichever extreme is nearer the open → the other → close.
    Adaptive,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "snake_case", tag = "model")]
pub enum SlippageConfig {
    None,
    /// Price moves against the order by `bps` basis points of the fill price. Plus half
    /// of `spread`, if any.
    FixedBps {
        bps: Decimal,
        spread: Spread,
    },
    /// Buys pay half the quoted spread above the price, sells receive half below.
    HalfSpread {
        spread: Spread,
    },
    /// The zipline / LEAN volume-share model: the price moves against the order by
    /// `price_impact × share²` of the price, where `share` is the bar's volume filled so
    /// far by the strategy's orders in the symbol (this fill included) over the bar's
    /// volume, capped at the participation limit. Plus half of `spread`, if any.
    VolumeShare {
        price_impact: Decimal,
        spread: Spread,
    },
    /// Square-root impact: the price moves against the order by `k × σ × √(q / V)` of the
    /// price, with q the fill's quantity, V the bar's volume (q / V capped at the
    /// participation limit) and σ the standard deviation of the last `sigma_bars`
    /// close-to-close returns before the fill bar (earlier bars only). Plus half of
    /// `spread`, if any.
    SquareRoot {
        k: Decimal,
        sigma_bars: usize,
        spread: Spread,
    },
}

impl SlippageConfig {
    /// The quoted spread the model charges half of.
    pub fn spread(&self) -> Spread {
        match *self {
            SlippageConfig::None => Spread::ZERO,
            SlippageConfig::FixedBps { spread, .. }
            | SlippageConfig::HalfSpread { spread }
            | SlippageConfig::VolumeShare { spread, .. }
            | SlippageConfig::SquareRoot { spread, .. } => spread,
        }
    }

    /// The same model charging half of `spread` instead (`none` becomes `half_spread`).
    #[must_use]
    pub fn with_spread(self, spread: Spread) -> Self {
        match self {
            SlippageConfig::None | SlippageConfig::HalfSpread { .. } => SlippageConfig::HalfSpread { spread },
            SlippageConfig::FixedBps { bps, .. } => SlippageConfig::FixedBps { bps, spread },
            SlippageConfig::VolumeShare { price_impact, .. } => SlippageConfig::VolumeShare { price_impact, spread },
            SlippageConfig::SquareRoot { k, sigma_bars, .. } => SlippageConfig::SquareRoot { k, sigma_bars, spread },
        }
    }
}

/// Where a quoted spread comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Spread {
    /// The same spread, in price units, on every bar.
    Fixed(Decimal),
    /// Each bar's value in the data's spread column (`columns.spread`), in price units.
    Data,
}

impl Spread {
    pub const ZERO: Spread = Spread::Fixed(Decimal::ZERO);

    pub fn is_zero(self) -> bool {
        self == Spread::ZERO
    }
}

/// A fixed spread is written as its number, a data spread as `"data"`.
impl Serialize for Spread {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Spread::Fixed(value) => Serialize::serialize(value, serializer),
            Spread::Data => serializer.serialize_str("data"),
        }
    }
}

/// One simulated venue of a scenario with several (`[[venues]]`). Each trades the
/// instruments it lists on its share of every bar's volume, with its own spread, fees
/// and participation cap; the shared `[venue]` rules (fill timing, intrabar path,
/// impact model, latency, noise, clamp) apply to all.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VenueSpec {
    pub name: String,
    /// Instrument indices (scenario order) this venue trades.
    #[serde(skip)]
    pub symbols: Vec<usize>,
    /// The same, by symbol, for reports.
    #[serde(rename = "symbols")]
    pub symbol_names: Vec<String>,
    /// Share of each bar's volume that trades on this venue (0 < f <= 1): its
    /// participation cap and the impact models apply to `f × volume`.
    pub volume_fraction: Decimal,
    /// Replaces the impact model's spread on this venue.
    pub spread: Option<Spread>,
    /// Replaces `[venue].participation_max` on this venue.
    pub participation_max: Option<Decimal>,
    /// Replaces `[venue].commission` on this venue.
    pub commission: Option<CommissionConfig>,
}

impl VenueSpec {
    /// The venue rules this venue fills by: the shared ones with its own overrides.
    pub fn effective(&self, shared: &VenueConfig) -> VenueConfig {
        let mut config = shared.clone();
        if let Some(spread) = self.spread {
            config.slippage = config.slippage.with_spread(spread);
        }
        if let Some(cap) = self.participation_max {
            config.participation_max = Some(cap);
        }
        if let Some(commission) = &self.commission {
            config.commission = commission.clone();
        }
        config
    }
}

/// How an order picks its venue when several trade its symbol.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Routing {
    /// The venue with the lowest expected cost at the order's decision: half the quoted
    /// spread, impact at the last bar's volume on that venue, and fees, for the order's
    /// whole quantity (ties go to the venue listed first).
    LowestCost,
    /// Always the first listed venue that trades the symbol (a baseline to compare with).
    FirstListed,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case", tag = "model")]
pub enum CommissionConfig {
    None,
    /// `per_share` × quantity, at least `min_per_order` for each order (charged on its first fill).
    PerShare {
        per_share: Decimal,
        min_per_order: Decimal,
    },
    /// `bps` basis points of the fill's notional.
    PercentOfNotional {
        bps: Decimal,
    },
    /// A flat amount per order (charged on its first fill).
    Fixed {
        per_order: Decimal,
    },
    /// Basis points of the fill's notional, by liquidity: a resting limit order that is
    /// traded through pays `maker_bps`, everything else `taker_bps`.
    MakerTaker {
        maker_bps: Decimal,
        taker_bps: Decimal,
    },
    /// A per-share schedule by the order's own size: the first `tiers[0].up_to` shares
    /// of an order at `tiers[0].per_share`, the next ones at the next tier's rate, and so
    /// on (the last tier has no `up_to`). At least `min_per_order`, and at most
    /// `max_per_order_bps` of the order's filled notional, per order.
    Tiered {
        tiers: Vec<FeeTier>,
        min_per_order: Decimal,
        max_per_order_bps: Option<Decimal>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct FeeTier {
    /// Shares of the order priced at this tier's rate, up to this cumulative count;
    /// `None` for the last tier.
    pub up_to: Option<Decimal>,
    pub per_share: Decimal,
}

/// How the engine's orders are worked: each order from a signal (entry, exit or target)
/// is a parent that an algorithm turns into child orders over time (`[execution]`).
/// Protective stop-loss and take-profit legs go to the venue as they are.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
#[serde(rename_all = "snake_case", tag = "algo")]
pub enum ExecutionConfig {
    /// The order goes to the venue as it is (the default).
    #[default]
    Market,
    /// A limit order at the signal's limit price (the decision price without one),
    /// cancelled after `timeout_secs`; then the rest goes out as a market order, or, with
    /// `fallback_market = false`, is given up.
    LimitTimeout { timeout_secs: i64, fallback_market: bool },
    /// Orders above `threshold` go out at once as children of at most `max_child`; one
    /// that would need more than [`crate::execution::algo::MAX_CHILDREN`] is cancelled
    /// unworked.
    Split { threshold: Decimal, max_child: Decimal },
    /// `slices` equal children over `duration_secs`, one every `duration / slices`, each
    /// catching up to its share; IOC children, marketable limits `limit_offset_bps` past
    /// the last close when set. Children go out only at bar closes within [start, start +
    /// `duration_secs`] (a close exactly at the end still sends): slices that come due
    /// after the last such close are never sent, and at the first close past the end the
    /// parent ends with the rest unfilled (live children cancelled first).
    Twap {
        duration_secs: i64,
        slices: usize,
        limit_offset_bps: Option<Decimal>,
    },
    /// One child at a time showing at most `visible` (a quantity, or a fraction of the
    /// parent), the next sent when it has filled; a parent that would need more than
    /// [`crate::execution::algo::MAX_CHILDREN`] clips is cancelled unworked.
    Iceberg { visible: Visible },
    /// As TWAP, with slice sizes following the volume earlier bars traded at the same
    /// time of day (over the last `profile_bars` bars); the same window rule: nothing is
    /// sent at a close past start + `duration_secs`.
    Vwap {
        duration_secs: i64,
        slices: usize,
        profile_bars: usize,
    },
    /// Each bar, an IOC child for `rate` × the last bar's volume, until filled or
    /// `max_duration_secs` is over.
    Pov {
        rate: Decimal,
        max_duration_secs: Option<i64>,
    },
}

impl ExecutionConfig {
    pub fn name(&self) -> &'static str {
        match self {
            ExecutionConfig::Market => "market",
            ExecutionConfig::LimitTimeout { .. } => "limit_timeout",
            ExecutionConfig::Split { .. } => "split",
            ExecutionConfig::Twap { .. } => "twap",
            ExecutionConfig::Iceberg { .. } => "iceberg",
            ExecutionConfig::Vwap { .. } => "vwap",
            ExecutionConfig::Pov { .. } => "pov",
        }
    }
}

/// An iceberg's visible size.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Visible {
    Qty(Decimal),
    Fraction(Decimal),
}

/// The pre-trade risk guard's limits (`[risk]`; see [`crate::risk`]). Every limit is
/// optional; the default has none, and a run without limits skips the guard.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct RiskConfig {
    /// Largest absolute position per symbol, in units, after the order and the orders
    /// already working in the symbol.
    pub max_position_qty: Option<Decimal>,
    /// Largest absolute position value per symbol (position after the order, working
    /// orders included, at the mark or the order's limit price), in the account currency.
    pub max_position_notional: Option<Decimal>,
    /// Largest gross exposure (sum of absolute position values at the marks, working
    /// orders and the order included), in the account currency.
    pub max_gross_exposure: Option<Decimal>,
    /// Most symbols with a position (or working orders) at once.
    pub max_open_positions: Option<usize>,
    /// Largest quantity of one order, in units (every order, exits included).
    pub max_order_qty: Option<Decimal>,
    /// Largest value of one order (quantity × mark, or × limit price), every order.
    pub max_order_notional: Option<Decimal>,
    /// A limit price must lie within this many basis points of the symbol's mark.
    pub price_band_bps: Option<Decimal>,
    /// Whether an order that adds exposure must fit the buying power left after the
    /// orders already working. True by default in a `[risk]` section; false without one.
    pub check_buying_power: bool,
    /// Loss over the trading day, as a fraction of the equity at its start, at which
    /// the guard only accepts orders that reduce exposure until the next day.
    pub daily_loss_limit: Option<Decimal>,
    /// Drawdown from the running equity peak, as a fraction, at which the guard halts
    /// trading for the rest of the run.
    pub max_drawdown: Option<Decimal>,
    /// Most orders accepted in any 60 seconds of bar time.
    pub max_orders_per_minute: Option<u32>,
    /// The time of day (bar timestamps' clock) when orders may be decided.
    pub trading_hours: Option<TradingHours>,
    /// From this bar time on, trading is halted: the backtest's stand-in for a manual
    /// kill switch.
    pub kill_switch_at: Option<Timestamp>,
    /// When trading halts (drawdown breaker, kill switch), close every open position at
    /// market instead of freezing it: a halt refuses the strategy's own exits.
    pub flatten_on_halt: bool,
}

impl RiskConfig {
    /// True when no limit is set at all: the guard would accept every order.
    pub fn is_empty(&self) -> bool {
        *self == RiskConfig::default()
    }
}

/// A window of the day, `start` inclusive, `end` exclusive, in minutes after midnight of
/// the bar timestamps' own clock (the engine never converts time zones). `end` may be
/// 1440 (`24:00`); a window with `start > end` runs over midnight (`22:00-06:00`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TradingHours {
    pub start_minute: u32,
    pub end_minute: u32,
}

impl TradingHours {
    pub const MINUTES_PER_DAY: u32 = 1440;

    /// Whether a timestamp's time of day lies in the window.
    pub fn contains(&self, ts: Timestamp) -> bool {
        const NANOS_PER_MINUTE: i64 = 60 * crate::model::time::NANOS_PER_SEC;
        let of_day = ts.0.rem_euclid(crate::model::time::NANOS_PER_DAY);
        let start = i64::from(self.start_minute) * NANOS_PER_MINUTE;
        let end = i64::from(self.end_minute) * NANOS_PER_MINUTE;
        if self.start_minute <= self.end_minute {
            start <= of_day && of_day < end
        } else {
            of_day >= start || of_day < end
        }
    }

    /// Reads `HH:MM-HH:MM` (`00:00`..`23:59`, and `24:00` as an end). `None` when the
    /// text is not that, or the window is empty (start equal to end).
    pub fn parse(text: &str) -> Option<Self> {
        fn minute(text: &str, end: bool) -> Option<u32> {
            let bytes = text.as_bytes();
            if bytes.len() != 5 || bytes[2] != b':' {
                return None;
            }
            let digits = |s: &str| {
                (s.len() == 2 && s.bytes().all(|b| b.is_ascii_digit()))
                    .then(|| s.parse::<u32>().ok())
                    .flatten()
            };
            let (h, m) = (digits(&text[..2])?, digits(&text[3..])?);
            match (h, m) {
                (24, 0) if end => Some(TradingHours::MINUTES_PER_DAY),
                (0..=23, 0..=59) => Some(h * 60 + m),
                _ => None,
            }
        }
        let (start, end) = text.trim().split_once('-')?;
        let hours = TradingHours {
            start_minute: minute(start.trim(), false)?,
            end_minute: minute(end.trim(), true)?,
        };
        (hours.start_minute != hours.end_minute).then_some(hours)
    }
}

impl std::fmt::Display for TradingHours {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let hm = |m: u32| format!("{:02}:{:02}", m / 60, m % 60);
        write!(f, "{}-{}", hm(self.start_minute), hm(self.end_minute))
    }
}

/// Written as its text, `"09:30-16:00"`.
impl Serialize for TradingHours {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}
