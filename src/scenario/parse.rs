//! Reading and validating a scenario file into a [`Scenario`].
//!
//! Validation reports every problem at once: each reader below records an error and
//! returns `None` instead of stopping, and [`parse_str`] fails at the end if anything
//! was recorded. Errors carry the field's dotted path and line.

mod execution;

use super::config::{
    ColumnMap, CommissionConfig, DataFormat, DataSource, FeeTier, FillTiming, InstrumentConfig, IntrabarPath,
    PriceClamp, Routing, Scenario, SizingConfig, SlippageConfig, SmaMode, Spread, StrategyConfig, VenueConfig,
    VenueSpec,
};
use super::config::{RiskConfig, TradingHours};
use super::error::{FieldError, ScenarioErrors};
use super::tree::{self, Entry, Found, Kind, Lines, Node, Origin};
use crate::model::{Calendar, Instrument, Timestamp};
use rust_decimal::Decimal;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::str::FromStr;

/// Reads and validates the scenario at `path`, after applying `overrides`
/// (`--set key=value` strings). Relative data and signals paths resolve against the
/// scenario file's folder.
pub fn load(path: &Path, overrides: &[String]) -> Result<Scenario, ScenarioErrors> {
    match std::fs::read_to_string(path) {
        Ok(text) => parse_str(&text, path, overrides),
        Err(e) => Err(ScenarioErrors::new(
            path,
            vec![FieldError::new("", None, format!("cannot read: {e}"))],
        )),
    }
}

/// Validates scenario text. `file` names the scenario in messages, and its parent folder
/// is where relative data and signals paths resolve.
pub fn parse_str(text: &str, file: &Path, overrides: &[String]) -> Result<Scenario, ScenarioErrors> {
    let lines = Lines::new(text);
    let doc = match toml_edit::Document::parse(text) {
        Ok(doc) => doc,
        Err(e) => {
            let (line, message) = match e.span() {
                Some(span) => (
                    Some(lines.line(span.start)),
                    format!("invalid TOML (column {}): {}", lines.column(span.start), e.message()),
                ),
                None => (None, format!("invalid TOML: {}", e.message())),
            };
            return Err(ScenarioErrors::new(file, vec![FieldError::new("", line, message)]));
        }
    };
    let mut root = tree::from_document(doc.as_table(), &lines);

    let mut cx = Cx {
        errors: Vec::new(),
        base: file.parent().map(Path::to_path_buf).unwrap_or_default(),
    };
    for text in overrides {
        if let Err(e) = tree::apply_override(&mut root, text) {
            cx.errors.push(e);
        }
    }
    let scenario = cx.scenario(&root);
    match scenario {
        Some(scenario) if cx.errors.is_empty() => Ok(scenario),
        _ => {
            // A failed field always records an error; this guards the invariant anyway.
            if cx.errors.is_empty() {
                cx.errors.push(FieldError::new("", None, "invalid scenario"));
            }
            Err(ScenarioErrors::new(file, cx.errors))
        }
    }
}

const TOP_FIELDS: &[&str] = &[
    "name",
    "description",
    "cash",
    "currency",
    "seed",
    "periods_per_year",
    "start",
    "end",
    "output_dir",
    "benchmark",
    "instruments",
    "strategy",
    "sizing",
    "venue",
    "venues",
    "execution",
    "risk",
];
const INSTRUMENT_FIELDS: &[&str] = &[
    "symbol",
    "data",
    "format",
    "timestamp_format",
    "columns",
    "tick_size",
    "lot_size",
    "min_qty",
    "currency",
    "calendar",
];
const COLUMN_FIELDS: &[&str] = &["timestamp", "open", "high", "low", "close", "volume", "spread"];
/// Largest indicator window (bars): larger ones would only exhaust memory.
const MAX_WINDOW: i64 = 1_000_000;
/// One year of latency is already absurd; beyond it time arithmetic could overflow.
const MAX_LATENCY_MS: i64 = 365 * 86_400_000;
/// Default window of `atr_risk` sizing's ATR, in true ranges (bars).
const DEFAULT_ATR_BARS: usize = 14;
/// Default window of `vol_target` sizing's volatility, in returns.
const DEFAULT_VOL_BARS: usize = 20;
/// Largest `vol_target` target (1000% a year): a larger one is surely a percentage typo.
const MAX_ANNUAL_VOL: i64 = 10;
/// Starting cash bound: keeps every product of cash and price inside Decimal's range.
const MAX_CASH: i64 = 1_000_000_000_000_000;

const VENUE_FIELDS: &[&str] = &[
    "fill_timing",
    "intrabar_path",
    "slippage",
    "commission",
    "participation_max",
    "latency_ms",
    "slippage_noise_bps",
    "price_clamp",
    "routing",
];
const RISK_FIELDS: &[&str] = &[
    "max_position_qty",
    "max_position_notional",
    "max_gross_exposure",
    "max_open_positions",
    "max_order_qty",
    "max_order_notional",
    "price_band_bps",
    "check_buying_power",
    "daily_loss_limit",
    "max_drawdown",
    "max_orders_per_minute",
    "trading_hours",
    "kill_switch_at",
    "flatten_on_halt",
];
/// Largest count limit in `[risk]` (open positions, orders per minute).
const MAX_RISK_COUNT: i64 = 1_000_000;
const VENUE_SPEC_FIELDS: &[&str] = &[
    "name",
    "symbols",
    "volume_fraction",
    "spread",
    "participation_max",
    "commission",
];

/// The validation context: errors found so far, and the folder relative paths resolve against.
struct Cx {
    errors: Vec<FieldError>,
    base: PathBuf,
}

/// A table being read: its dotted path and node.
#[derive(Clone, Copy)]
struct Tbl<'a> {
    path: &'a str,
    node: &'a Node,
    entries: &'a [Entry],
}

impl<'a> Tbl<'a> {
    fn field_path(&self, key: &str) -> String {
        if self.path.is_empty() {
            key.to_string()
        } else {
            format!("{}.{key}", self.path)
        }
    }

    fn get(&self, key: &str) -> Option<&'a Node> {
        self.entries.iter().find(|e| e.key == key).map(|e| &e.node)
    }
}

fn is_set(origin: Origin) -> bool {
    origin == Origin::Set
}

/// Joins names for messages: `a, b, c`.
fn list(names: &[&str]) -> String {
    names.join(", ")
}

/// The value of `key` in a table node.
fn node_at<'a>(node: &'a Node, key: &str) -> Option<&'a Node> {
    node.table()?.iter().find(|e| e.key == key).map(|e| &e.node)
}

/// The value of `key` in the `index`-th table of an array node.
fn item_at<'a>(node: &'a Node, index: usize, key: &str) -> Option<&'a Node> {
    match &node.kind {
        Kind::Array(items) => node_at(items.get(index)?, key),
        _ => None,
    }
}

/// Joins owned names, quoted: `"a", "b"`.
fn quoted_strings(names: &[String]) -> String {
    names.iter().map(|n| format!("{n:?}")).collect::<Vec<_>>().join(", ")
}

/// Joins names, quoted, for enum messages: `"a", "b"`.
fn quoted(names: &[&str]) -> String {
    names.iter().map(|n| format!("{n:?}")).collect::<Vec<_>>().join(", ")
}

/// Which bound a decimal must respect.
#[derive(Clone, Copy)]
enum Bound {
    Positive,
    NonNegative,
    /// In (0, 1].
    Fraction,
    /// In [0, 1].
    UnitInterval,
    /// Basis points in [0, 10000]: at most 100%.
    Bps,
}

/// No decimal in a scenario may exceed this magnitude: it keeps every product the engine
/// forms (cash × bps, price × quantity) inside Decimal's range.
const DECIMAL_MAX: i64 = 1_000_000_000_000_000;

impl Bound {
    fn expected(self) -> &'static str {
        match self {
            Bound::Positive => "a positive decimal",
            Bound::NonNegative => "a non-negative decimal",
            Bound::Fraction => "a decimal in (0, 1]",
            Bound::UnitInterval => "a decimal in [0, 1]",
            Bound::Bps => "basis points in [0, 10000]",
        }
    }

    fn check(self, value: Decimal) -> Option<&'static str> {
        match self {
            Bound::Positive if value <= Decimal::ZERO => Some("must be greater than 0"),
            Bound::NonNegative if value < Decimal::ZERO => Some("must not be negative"),
            Bound::Fraction if value <= Decimal::ZERO || value > Decimal::ONE => {
                Some("must be greater than 0 and at most 1")
            }
            Bound::UnitInterval if value < Decimal::ZERO || value > Decimal::ONE => Some("must be between 0 and 1"),
            Bound::Bps if value < Decimal::ZERO || value > Decimal::from(10_000) => {
                Some("must be between 0 and 10000 basis points")
            }
            _ if value.abs() > Decimal::from(DECIMAL_MAX) => Some("is beyond the supported magnitude 10^15"),
            _ => None,
        }
    }
}

impl Cx {
    /// Records an error about the value at `origin`.
    fn error(&mut self, path: &str, origin: Origin, message: impl Into<String>) {
        let message = message.into();
        let message = if is_set(origin) {
            format!("(--set) {message}")
        } else {
            message
        };
        self.errors.push(FieldError::new(path, origin.line(), message));
    }

    fn wrong_type(&mut self, path: &str, node: &Node, expected: &str) {
        self.error(path, node.origin, format!("expected {expected}, found {}", Found(node)));
    }

    /// Views `node` as a table, or records a wrong-type error.
    fn table<'a>(&mut self, path: &'a str, node: &'a Node) -> Option<Tbl<'a>> {
        match node.table() {
            Some(entries) => Some(Tbl { path, node, entries }),
            None => {
                self.wrong_type(path, node, "a table");
                None
            }
        }
    }

    /// Rejects every key of `t` not in `allowed`. `context` names the variant that decided
    /// the allowed keys (`kind = "fixed_qty"`), if any.
    fn reject_unknown(&mut self, t: Tbl<'_>, allowed: &[&str], context: Option<String>) {
        for entry in t.entries {
            if !allowed.contains(&entry.key.as_str()) {
                let message = match &context {
                    Some(context) => format!("unknown field for {context}; expected one of {}", list(allowed)),
                    None => format!("unknown field; expected one of {}", list(allowed)),
                };
                self.error(&t.field_path(&entry.key), entry.key_origin, message);
            }
        }
    }

    fn missing(&mut self, t: Tbl<'_>, key: &str) {
        self.error(&t.field_path(key), t.node.origin, "missing required field");
    }

    /// A required field: records "missing" if absent.
    fn required<T>(
        &mut self,
        t: Tbl<'_>,
        key: &str,
        read: impl FnOnce(&mut Self, &str, &Node) -> Option<T>,
    ) -> Option<T> {
        match t.get(key) {
            Some(node) => read(self, &t.field_path(key), node),
            None => {
                self.missing(t, key);
                None
            }
        }
    }

    /// An optional field: `Some(None)` if absent, `None` if present but invalid.
    fn optional<T>(
        &mut self,
        t: Tbl<'_>,
        key: &str,
        read: impl FnOnce(&mut Self, &str, &Node) -> Option<T>,
    ) -> Option<Option<T>> {
        match t.get(key) {
            Some(node) => read(self, &t.field_path(key), node).map(Some),
            None => Some(None),
        }
    }

    fn string(&mut self, path: &str, node: &Node) -> Option<String> {
        match &node.kind {
            Kind::Str(s) => Some(s.clone()),
            _ => {
                self.wrong_type(path, node, "a string");
                None
            }
        }
    }

    fn non_empty_string(&mut self, path: &str, node: &Node) -> Option<String> {
        match &node.kind {
            Kind::Str(s) if s.trim().is_empty() => {
                self.error(path, node.origin, "must not be empty");
                None
            }
            Kind::Str(s) => Some(s.clone()),
            _ => {
                self.wrong_type(path, node, "a non-empty string");
                None
            }
        }
    }

    fn boolean(&mut self, path: &str, node: &Node) -> Option<bool> {
        match node.kind {
            Kind::Bool(b) => Some(b),
            _ => {
                self.wrong_type(path, node, "a boolean (true or false)");
                None
            }
        }
    }

    /// An integer in `min..=max`.
    fn integer_in(&mut self, path: &str, node: &Node, min: i64, max: i64) -> Option<i64> {
        let value = self.integer(path, node, min)?;
        if value > max {
            self.error(path, node.origin, format!("must be at most {max}, found {value}"));
            return None;
        }
        Some(value)
    }

    /// An integer at least `min`.
    fn integer(&mut self, path: &str, node: &Node, min: i64) -> Option<i64> {
        match node.kind {
            Kind::Int(i) if i >= min => Some(i),
            Kind::Int(i) => {
                self.error(path, node.origin, format!("must be at least {min}, found {i}"));
                None
            }
            _ => {
                self.wrong_type(path, node, &format!("an integer >= {min}"));
                None
            }
        }
    }

    /// A decimal written as a TOML integer, float or string, within `bound`.
    fn decimal(&mut self, path: &str, node: &Node, bound: Bound) -> Option<Decimal> {
        let parsed = match &node.kind {
            Kind::Int(i) => Some(Decimal::from(*i)),
            // The shortest text that reads back as the same float: 0.01 stays exactly 0.01.
            // NaN and infinities fall through to the wrong-type error.
            Kind::Float(x) if x.is_finite() => parse_decimal(&format!("{x}")),
            Kind::Str(s) => parse_decimal(s),
            _ => None,
        };
        let Some(value) = parsed else {
            self.wrong_type(path, node, bound.expected());
            return None;
        };
        if let Some(problem) = bound.check(value) {
            self.error(path, node.origin, format!("{problem}, found {value}"));
            return None;
        }
        Some(value)
    }

    /// One of `names`, returned as its index.
    fn choice(&mut self, path: &str, node: &Node, names: &[&str]) -> Option<usize> {
        match &node.kind {
            Kind::Str(s) => match names.iter().position(|n| n == s) {
                Some(i) => Some(i),
                None => {
                    self.error(
                        path,
                        node.origin,
                        format!("unknown value {s:?}; expected one of {}", quoted(names)),
                    );
                    None
                }
            },
            _ => {
                self.wrong_type(path, node, &format!("one of {}", quoted(names)));
                None
            }
        }
    }

    /// A date or datetime, written as a string or a TOML date/time literal (without offset).
    fn timestamp(&mut self, path: &str, node: &Node) -> Option<Timestamp> {
        let text = match &node.kind {
            Kind::Str(s) | Kind::Datetime(s) => s,
            _ => {
                self.wrong_type(path, node, "an ISO date or datetime");
                return None;
            }
        };
        let parsed = Timestamp::parse_iso(text);
        if parsed.is_none() {
            self.error(
                path,
                node.origin,
                format!(
                    "expected an ISO date or datetime without time zone (2020-01-31 or 2020-01-31T09:30:00), found {}",
                    Found(node)
                ),
            );
        }
        parsed
    }

    /// A path, resolved against the scenario's folder.
    fn path(&mut self, path: &str, node: &Node) -> Option<PathBuf> {
        self.non_empty_string(path, node)
            .map(|p| super::paths::lexically_normal(&self.base.join(p)))
    }

    fn scenario(&mut self, root: &Node) -> Option<Scenario> {
        let t = self.table("", root)?;
        self.reject_unknown(t, TOP_FIELDS, None);

        let name = self.required(t, "name", |cx, path, node| {
            let name = cx.string(path, node)?;
            let valid_chars = name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'));
            if name.is_empty() || !valid_chars || name.chars().all(|c| c == '.') {
                cx.error(
                    path,
                    node.origin,
                    format!("{name:?} is not a valid name: use letters, digits, '_', '.' and '-' (it names a folder)"),
                );
                return None;
            }
            Some(name)
        });
        let description = self.optional(t, "description", Cx::string);
        let cash = self.required(t, "cash", |cx, path, node| {
            let cash = cx.decimal(path, node, Bound::Positive)?;
            if cash > Decimal::from(MAX_CASH) {
                cx.error(path, node.origin, format!("must be at most {MAX_CASH}, found {cash}"));
                return None;
            }
            Some(cash)
        });
        let currency = self.optional(t, "currency", Cx::non_empty_string);
        let seed = self.optional(t, "seed", |cx, path, node| cx.integer(path, node, 0));
        let periods_per_year = self.optional(t, "periods_per_year", |cx, path, node| {
            let value = match node.kind {
                Kind::Int(i) => i as f64,
                Kind::Float(x) => x,
                _ => f64::NAN,
            };
            if value.is_finite() && value > 0.0 {
                Some(value)
            } else {
                cx.wrong_type(path, node, "a positive number");
                None
            }
        });
        let start = self.optional(t, "start", Cx::timestamp);
        let end = self.optional(t, "end", Cx::timestamp);
        if let (Some(Some(s)), Some(Some(e)), Some(node)) = (start, end, t.get("start"))
            && s >= e
        {
            self.error("start", node.origin, format!("must be before end ({s} >= {e})"));
        }
        let output_dir = self.optional(t, "output_dir", |cx, path, node| {
            cx.non_empty_string(path, node).map(PathBuf::from)
        });
        let benchmark = self.optional(t, "benchmark", Cx::boolean);

        let default_currency = match &currency {
            Some(Some(c)) => c.clone(),
            _ => "USD".to_string(),
        };
        let instruments = self.required(t, "instruments", |cx, path, node| {
            cx.instruments(path, node, &default_currency)
        });
        let strategy = self.required(t, "strategy", Cx::strategy);
        let sizing = self.optional(t, "sizing", Cx::sizing);
        if let (Some(strategy), Some(Some(sizing))) = (&strategy, &sizing) {
            self.check_confidence_source(t, strategy, sizing);
        }
        let venue = self.optional(t, "venue", Cx::venue);
        let execution = self.optional(t, "execution", Cx::execution);
        let symbols: Option<Vec<String>> = instruments
            .as_ref()
            .map(|list| list.iter().map(|i| i.instrument.symbol.clone()).collect());
        let venues = self.optional(t, "venues", |cx, path, node| cx.venues(path, node, symbols.as_deref()));
        if let (Some(instruments), Some(shared), Some(venues)) = (&instruments, &venue, &venues) {
            let shared = shared.clone().unwrap_or_default();
            self.check_data_spreads(t, instruments, &shared, venues.as_deref().unwrap_or_default());
        }
        let risk = self.optional(t, "risk", Cx::risk);

        let name = name?;
        Some(Scenario {
            output_dir: output_dir?.unwrap_or_else(|| Path::new("reports").join(&name)),
            name,
            description: description?,
            cash: cash?,
            currency: default_currency,
            seed: seed?.map_or(0, |s| s as u64),
            periods_per_year: periods_per_year?,
            start: start?,
            end: end?,
            benchmark: benchmark?.unwrap_or(true),
            instruments: instruments?,
            strategy: strategy?,
            sizing: sizing?.unwrap_or(SizingConfig::AllCash),
            venue: venue?.unwrap_or_default(),
            venues: venues?.unwrap_or_default(),
            execution: execution?.unwrap_or_default(),
            risk: risk?.unwrap_or_default(),
            source_dir: self.base.clone(),
        })
    }

    fn instruments(&mut self, path: &str, node: &Node, default_currency: &str) -> Option<Vec<InstrumentConfig>> {
        let Kind::Array(items) = &node.kind else {
            self.wrong_type(path, node, "an array of tables ([[instruments]])");
            return None;
        };
        if items.is_empty() {
            self.error(path, node.origin, "must list at least one instrument");
            return None;
        }
        let mut all_valid = true;
        let mut out = Vec::with_capacity(items.len());
        // Symbol -> path of the first instrument with it.
        let mut seen: BTreeMap<String, String> = BTreeMap::new();
        for (i, item) in items.iter().enumerate() {
            let item_path = format!("{path}[{i}]");
            if let Some(t) = self.table(&item_path, item)
                && let Some(symbol_node) = t.get("symbol")
                && let Kind::Str(symbol) = &symbol_node.kind
            {
                if let Some(first) = seen.get(symbol) {
                    let message = format!("duplicate symbol {symbol:?} (also used by {first})");
                    self.error(&t.field_path("symbol"), symbol_node.origin, message);
                    all_valid = false;
                } else {
                    seen.insert(symbol.clone(), item_path.clone());
                }
            }
            match self.instrument(&item_path, item, default_currency) {
                Some(instrument) => out.push(instrument),
                None => all_valid = false,
            }
        }
        all_valid.then_some(out)
    }

    fn instrument(&mut self, path: &str, node: &Node, default_currency: &str) -> Option<InstrumentConfig> {
        let Some(entries) = node.table() else {
            // `instruments` already reported the wrong type.
            return None;
        };
        let t = Tbl { path, node, entries };
        self.reject_unknown(t, INSTRUMENT_FIELDS, None);

        let symbol = self.required(t, "symbol", Cx::non_empty_string);
        let data = self.required(t, "data", Cx::path);
        let format = self.optional(t, "format", |cx, path, node| {
            cx.choice(path, node, &["csv", "csv_polars", "parquet"])
                .map(|i| [DataFormat::Csv, DataFormat::CsvPolars, DataFormat::Parquet][i])
        });
        let timestamp_format = self.optional(t, "timestamp_format", |cx, path, node| {
            let format = cx.non_empty_string(path, node)?;
            let invalid = chrono::format::StrftimeItems::new(&format).any(|item| item == chrono::format::Item::Error);
            if invalid {
                cx.error(
                    path,
                    node.origin,
                    format!("{format:?} is not a valid chrono format string"),
                );
                return None;
            }
            Some(format)
        });
        let columns = self.optional(t, "columns", Cx::columns);
        let tick_size = self.optional(t, "tick_size", |cx, path, node| cx.decimal(path, node, Bound::Positive));
        let lot_size = self.optional(t, "lot_size", |cx, path, node| cx.decimal(path, node, Bound::Positive));
        let min_qty = self.optional(t, "min_qty", |cx, path, node| cx.decimal(path, node, Bound::Positive));
        let currency = self.optional(t, "currency", Cx::non_empty_string);
        let calendar = self.optional(t, "calendar", |cx, path, node| {
            cx.choice(path, node, &["equity", "fx", "crypto"])
                .map(|i| [Calendar::Equity, Calendar::Fx, Calendar::Crypto][i])
        });

        let data = data?;
        let format = format?.unwrap_or_else(|| format_from_extension(&data));
        let lot_size = lot_size?.unwrap_or(Decimal::ONE);
        Some(InstrumentConfig {
            instrument: Instrument {
                symbol: symbol?,
                tick_size: tick_size?.unwrap_or(Decimal::new(1, 2)),
                lot_size,
                min_qty: min_qty?.unwrap_or(lot_size),
                currency: currency?.unwrap_or_else(|| default_currency.to_string()),
                calendar: calendar?.unwrap_or(Calendar::Equity),
            },
            data: DataSource {
                path: data,
                format,
                columns: columns?.unwrap_or_default(),
                timestamp_format: timestamp_format?,
            },
        })
    }

    fn columns(&mut self, path: &str, node: &Node) -> Option<ColumnMap> {
        let t = self.table(path, node)?;
        self.reject_unknown(t, COLUMN_FIELDS, None);
        let mut columns = ColumnMap::default();
        let mut valid = true;
        for (key, slot) in [
            ("timestamp", &mut columns.timestamp),
            ("open", &mut columns.open),
            ("high", &mut columns.high),
            ("low", &mut columns.low),
            ("close", &mut columns.close),
            ("volume", &mut columns.volume),
        ] {
            match self.optional(t, key, Cx::non_empty_string) {
                Some(Some(name)) => *slot = name,
                Some(None) => {}
                None => valid = false,
            }
        }
        match self.optional(t, "spread", Cx::non_empty_string) {
            Some(spread) => columns.spread = spread,
            None => valid = false,
        }
        valid.then_some(columns)
    }

    fn strategy(&mut self, path: &str, node: &Node) -> Option<StrategyConfig> {
        const KINDS: &[&str] = &["sma_cross", "buy_and_hold", "signals_file"];
        const FIELDS: [&[&str]; 3] = [&["kind", "fast", "slow", "mode"], &["kind"], &["kind", "path"]];
        let t = self.table(path, node)?;
        let Some(kind) = self.required(t, "kind", |cx, path, node| cx.choice(path, node, KINDS)) else {
            // Without a kind, only keys no kind accepts are surely wrong.
            self.reject_unknown(t, &union(&FIELDS), None);
            return None;
        };
        self.reject_unknown(t, FIELDS[kind], Some(format!("kind = {:?}", KINDS[kind])));
        match kind {
            0 => {
                let fast = self.required(t, "fast", |cx, path, node| cx.integer_in(path, node, 1, MAX_WINDOW));
                let slow = self.required(t, "slow", |cx, path, node| cx.integer_in(path, node, 1, MAX_WINDOW));
                let mode = self.optional(t, "mode", |cx, path, node| {
                    cx.choice(path, node, &["long_only", "long_short"])
                        .map(|i| [SmaMode::LongOnly, SmaMode::LongShort][i])
                });
                let (fast, slow) = (fast?, slow?);
                if fast >= slow {
                    let origin = t.get("fast").map_or(t.node.origin, |n| n.origin);
                    let message = format!("must be less than {} ({fast} >= {slow})", t.field_path("slow"));
                    self.error(&t.field_path("fast"), origin, message);
                    return None;
                }
                Some(StrategyConfig::SmaCross {
                    fast: usize::try_from(fast).ok()?,
                    slow: usize::try_from(slow).ok()?,
                    mode: mode?.unwrap_or(SmaMode::LongOnly),
                })
            }
            1 => Some(StrategyConfig::BuyAndHold),
            _ => self
                .required(t, "path", Cx::path)
                .map(|path| StrategyConfig::SignalsFile { path }),
        }
    }

    fn sizing(&mut self, path: &str, node: &Node) -> Option<SizingConfig> {
        const KINDS: &[&str] = &[
            "all_cash",
            "fixed_qty",
            "fraction_of_equity",
            "fixed_notional",
            "atr_risk",
            "vol_target",
            "confidence",
        ];
        const FIELDS: [&[&str]; 7] = [
            &["kind"],
            &["kind", "qty"],
            &["kind", "fraction"],
            &["kind", "notional"],
            &["kind", "risk_fraction", "atr_bars", "atr_multiple"],
            &["kind", "annual_vol", "vol_bars"],
            &["kind", "fraction", "min_confidence"],
        ];
        let t = self.table(path, node)?;
        let kind = self.optional(t, "kind", |cx, path, node| cx.choice(path, node, KINDS));
        let Some(kind) = kind else {
            self.reject_unknown(t, &union(&FIELDS), None);
            return None;
        };
        let kind = kind.unwrap_or(0);
        self.reject_unknown(t, FIELDS[kind], Some(format!("kind = {:?}", KINDS[kind])));
        let positive = |cx: &mut Cx, path: &str, node: &Node| cx.decimal(path, node, Bound::Positive);
        let fraction = |cx: &mut Cx, path: &str, node: &Node| cx.decimal(path, node, Bound::Fraction);
        match kind {
            0 => Some(SizingConfig::AllCash),
            1 => self
                .required(t, "qty", positive)
                .map(|qty| SizingConfig::FixedQty { qty }),
            2 => self
                .required(t, "fraction", fraction)
                .map(|fraction| SizingConfig::FractionOfEquity { fraction }),
            3 => self
                .required(t, "notional", positive)
                .map(|notional| SizingConfig::FixedNotional { notional }),
            4 => {
                let risk_fraction = self.required(t, "risk_fraction", fraction);
                let atr_bars = self.optional(t, "atr_bars", |cx, path, node| cx.integer_in(path, node, 1, MAX_WINDOW));
                let atr_multiple = self.optional(t, "atr_multiple", positive);
                Some(SizingConfig::AtrRisk {
                    risk_fraction: risk_fraction?,
                    atr_bars: atr_bars?.map_or(DEFAULT_ATR_BARS, |n| n as usize),
                    atr_multiple: atr_multiple?.unwrap_or(Decimal::TWO),
                })
            }
            5 => {
                let annual_vol = self.required(t, "annual_vol", |cx, path, node| {
                    let vol = cx.decimal(path, node, Bound::Positive)?;
                    if vol > Decimal::from(MAX_ANNUAL_VOL) {
                        let message =
                            format!("must be at most {MAX_ANNUAL_VOL} (a fraction a year: 0.15 is 15%), found {vol}");
                        cx.error(path, node.origin, message);
                        return None;
                    }
                    Some(vol)
                });
                let vol_bars = self.optional(t, "vol_bars", |cx, path, node| cx.integer_in(path, node, 2, MAX_WINDOW));
                Some(SizingConfig::VolTarget {
                    annual_vol: annual_vol?,
                    vol_bars: vol_bars?.map_or(DEFAULT_VOL_BARS, |n| n as usize),
                })
            }
            _ => {
                let fraction = self.required(t, "fraction", fraction);
                let min_confidence = self.optional(t, "min_confidence", |cx, path, node| {
                    cx.decimal(path, node, Bound::UnitInterval)
                });
                Some(SizingConfig::Confidence {
                    fraction: fraction?,
                    min_confidence: min_confidence?.unwrap_or(Decimal::ZERO),
                })
            }
        }
    }

    /// Confidence sizing needs signals that carry a confidence: only a signals file has one.
    fn check_confidence_source(&mut self, root: Tbl<'_>, strategy: &StrategyConfig, sizing: &SizingConfig) {
        if !matches!(sizing, SizingConfig::Confidence { .. }) || matches!(strategy, StrategyConfig::SignalsFile { .. })
        {
            return;
        }
        let node = node_at(root.node, "sizing").and_then(|s| node_at(s, "kind"));
        let origin = node.map_or(root.node.origin, |n| n.origin);
        let message = format!(
            "\"confidence\" scales each signal's confidence, and strategy.kind = {:?} gives none, so every entry \
             would be skipped; use a signals file with a confidence column",
            strategy.name()
        );
        self.error("sizing.kind", origin, message);
    }

    fn venue(&mut self, path: &str, node: &Node) -> Option<VenueConfig> {
        let t = self.table(path, node)?;
        self.reject_unknown(t, VENUE_FIELDS, None);
        let defaults = VenueConfig::default();
        let fill_timing = self.optional(t, "fill_timing", |cx, path, node| {
            cx.choice(path, node, &["next_open", "same_close"])
                .map(|i| [FillTiming::NextOpen, FillTiming::SameClose][i])
        });
        let intrabar_path = self.optional(t, "intrabar_path", |cx, path, node| {
            cx.choice(path, node, &["ohlc", "adaptive"])
                .map(|i| [IntrabarPath::OpenHighLowClose, IntrabarPath::Adaptive][i])
        });
        let slippage = self.optional(t, "slippage", Cx::slippage);
        let commission = self.optional(t, "commission", Cx::commission);
        let participation_max = self.optional(t, "participation_max", |cx, path, node| {
            cx.decimal(path, node, Bound::Fraction)
        });
        let latency_ms = self.optional(t, "latency_ms", |cx, path, node| {
            cx.integer_in(path, node, 0, MAX_LATENCY_MS)
        });
        let slippage_noise_bps = self.optional(t, "slippage_noise_bps", |cx, path, node| {
            cx.decimal(path, node, Bound::Bps)
        });
        let price_clamp = self.optional(t, "price_clamp", |cx, path, node| {
            cx.choice(path, node, &["none", "bar_range"])
                .map(|i| [PriceClamp::None, PriceClamp::BarRange][i])
        });
        let routing = self.optional(t, "routing", |cx, path, node| {
            cx.choice(path, node, &["lowest_cost", "first_listed"])
                .map(|i| [Routing::LowestCost, Routing::FirstListed][i])
        });
        if let (Some(Some(FillTiming::SameClose)), Some(Some(ms))) = (&fill_timing, &latency_ms)
            && *ms > 0
        {
            let origin = t.get("latency_ms").map_or(t.node.origin, |n| n.origin);
            let message =
                "must be 0 with fill_timing = \"same_close\" (those fills happen at the decision bar's close)";
            self.error(&t.field_path("latency_ms"), origin, message.to_string());
            return None;
        }
        Some(VenueConfig {
            fill_timing: fill_timing?.unwrap_or(defaults.fill_timing),
            intrabar_path: intrabar_path?.unwrap_or(defaults.intrabar_path),
            slippage: slippage?.unwrap_or(defaults.slippage),
            commission: commission?.unwrap_or(defaults.commission),
            participation_max: participation_max?,
            latency_ms: latency_ms?.map_or(defaults.latency_ms, |ms| ms as u64),
            slippage_noise_bps: slippage_noise_bps?.unwrap_or(defaults.slippage_noise_bps),
            price_clamp: price_clamp?.unwrap_or(defaults.price_clamp),
            routing: routing?.unwrap_or(defaults.routing),
        })
    }

    /// `[risk]`: the pre-trade risk guard's limits, each optional. Writing the section
    /// turns the buying-power check on unless `check_buying_power = false`.
    fn risk(&mut self, path: &str, node: &Node) -> Option<RiskConfig> {
        let t = self.table(path, node)?;
        self.reject_unknown(t, RISK_FIELDS, None);
        let positive = |cx: &mut Cx, path: &str, node: &Node| cx.decimal(path, node, Bound::Positive);
        let fraction = |cx: &mut Cx, path: &str, node: &Node| cx.decimal(path, node, Bound::Fraction);
        let count = |cx: &mut Cx, path: &str, node: &Node| cx.integer_in(path, node, 1, MAX_RISK_COUNT);
        let max_position_qty = self.optional(t, "max_position_qty", positive);
        let max_position_notional = self.optional(t, "max_position_notional", positive);
        let max_gross_exposure = self.optional(t, "max_gross_exposure", positive);
        let max_open_positions = self.optional(t, "max_open_positions", count);
        let max_order_qty = self.optional(t, "max_order_qty", positive);
        let max_order_notional = self.optional(t, "max_order_notional", positive);
        let price_band_bps = self.optional(t, "price_band_bps", |cx, path, node| cx.decimal(path, node, Bound::Bps));
        let check_buying_power = self.optional(t, "check_buying_power", Cx::boolean);
        let daily_loss_limit = self.optional(t, "daily_loss_limit", fraction);
        let max_drawdown = self.optional(t, "max_drawdown", fraction);
        let max_orders_per_minute = self.optional(t, "max_orders_per_minute", count);
        let trading_hours = self.optional(t, "trading_hours", |cx, path, node| {
            let text = cx.string(path, node)?;
            let hours = TradingHours::parse(&text);
            if hours.is_none() {
                let message = format!(
                    "expected \"HH:MM-HH:MM\" (00:00 to 23:59, 24:00 as an end; start and end differ), found {text:?}"
                );
                cx.error(path, node.origin, message);
            }
            hours
        });
        let kill_switch_at = self.optional(t, "kill_switch_at", Cx::timestamp);
        let flatten_on_halt = self.optional(t, "flatten_on_halt", Cx::boolean);
        Some(RiskConfig {
            max_position_qty: max_position_qty?,
            max_position_notional: max_position_notional?,
            max_gross_exposure: max_gross_exposure?,
            max_open_positions: max_open_positions?.map(|n| n as usize),
            max_order_qty: max_order_qty?,
            max_order_notional: max_order_notional?,
            price_band_bps: price_band_bps?,
            check_buying_power: check_buying_power?.unwrap_or(true),
            daily_loss_limit: daily_loss_limit?,
            max_drawdown: max_drawdown?,
            max_orders_per_minute: max_orders_per_minute?.map(|n| n as u32),
            trading_hours: trading_hours?,
            kill_switch_at: kill_switch_at?,
            flatten_on_halt: flatten_on_halt?.unwrap_or(false),
        })
    }

    /// `spread = "data"` needs a spread column in the data of every instrument it prices.
    fn check_data_spreads(
        &mut self,
        root: Tbl<'_>,
        instruments: &[InstrumentConfig],
        shared: &VenueConfig,
        venues: &[VenueSpec],
    ) {
        let at = |keys: &[&str]| keys.iter().try_fold(root.node, |node, key| node_at(node, key));
        // (dotted path, node to point at, instrument indices it prices)
        let mut users: Vec<(String, Option<&Node>, Vec<usize>)> = Vec::new();
        if venues.is_empty() {
            if shared.slippage.spread() == Spread::Data {
                let all = (0..instruments.len()).collect();
                users.push((
                    "venue.slippage.spread".into(),
                    at(&["venue", "slippage", "spread"]),
                    all,
                ));
            }
        } else {
            for (i, spec) in venues.iter().enumerate() {
                if spec.effective(shared).slippage.spread() != Spread::Data {
                    continue;
                }
                let (path, node) = match spec.spread {
                    Some(_) => (
                        format!("venues[{i}].spread"),
                        at(&["venues"]).and_then(|v| item_at(v, i, "spread")),
                    ),
                    None => (
                        "venue.slippage.spread".to_string(),
                        at(&["venue", "slippage", "spread"]),
                    ),
                };
                users.push((path, node, spec.symbols.clone()));
            }
        }
        for (path, node, symbols) in users {
            let origin = node.map_or(root.node.origin, |n| n.origin);
            for &i in &symbols {
                if instruments[i].data.columns.spread.is_none() {
                    let message = format!(
                        "\"data\" prices {:?} with its data's spread column, but instruments[{i}] maps none \
                         (set columns.spread)",
                        instruments[i].instrument.symbol
                    );
                    self.error(&path, origin, message);
                }
            }
        }
    }

    /// A quoted spread: a non-negative decimal, or `"data"` for the data's spread column.
    fn spread(&mut self, path: &str, node: &Node) -> Option<Spread> {
        match &node.kind {
            Kind::Str(s) if s == "data" => Some(Spread::Data),
            Kind::Str(s) if parse_decimal(s).is_none() => {
                self.wrong_type(path, node, "a non-negative decimal or \"data\"");
                None
            }
            _ => self.decimal(path, node, Bound::NonNegative).map(Spread::Fixed),
        }
    }

    /// `[[venues]]`: several simulated venues. `symbols` are the scenario's instruments
    /// (`None` when those did not validate: then symbols are not cross-checked).
    fn venues(&mut self, path: &str, node: &Node, symbols: Option<&[String]>) -> Option<Vec<VenueSpec>> {
        let Kind::Array(items) = &node.kind else {
            self.wrong_type(path, node, "an array of tables ([[venues]])");
            return None;
        };
        if items.is_empty() {
            self.error(path, node.origin, "must list at least one venue (or be left out)");
            return None;
        }
        let mut out = Vec::with_capacity(items.len());
        let mut all_valid = true;
        for (i, item) in items.iter().enumerate() {
            match self.venue_spec(&format!("{path}[{i}]"), item, symbols) {
                Some(spec) => out.push(spec),
                None => all_valid = false,
            }
        }
        if !all_valid {
            return None;
        }
        let mut valid = true;
        for (i, spec) in out.iter().enumerate() {
            if let Some(first) = out[..i].iter().position(|s| s.name == spec.name) {
                let message = format!("duplicate venue name {:?} (also {path}[{first}])", spec.name);
                let name_node = items[i].table().and_then(|t| t.iter().find(|e| e.key == "name"));
                let origin = name_node.map_or(items[i].origin, |e| e.node.origin);
                self.error(&format!("{path}[{i}].name"), origin, message);
                valid = false;
            }
        }
        for (index, symbol) in symbols.unwrap_or_default().iter().enumerate() {
            let serving: Vec<&VenueSpec> = out.iter().filter(|s| s.symbols.contains(&index)).collect();
            if serving.is_empty() {
                let message = format!("no venue trades {symbol:?}: list it in some venue's symbols");
                self.error(path, node.origin, message);
                valid = false;
            }
            let total: Decimal = serving.iter().map(|s| s.volume_fraction).sum();
            if total > Decimal::ONE {
                let message = format!(
                    "the volume_fraction of the venues trading {symbol:?} add up to {total}, more than the whole bar"
                );
                self.error(path, node.origin, message);
                valid = false;
            }
        }
        valid.then_some(out)
    }

    fn venue_spec(&mut self, path: &str, node: &Node, symbols: Option<&[String]>) -> Option<VenueSpec> {
        let t = self.table(path, node)?;
        self.reject_unknown(t, VENUE_SPEC_FIELDS, None);
        let name = self.required(t, "name", Cx::non_empty_string);
        let listed = self.optional(t, "symbols", |cx, path, node| cx.venue_symbols(path, node, symbols));
        let volume_fraction = self.optional(t, "volume_fraction", |cx, path, node| {
            cx.decimal(path, node, Bound::Fraction)
        });
        let spread = self.optional(t, "spread", Cx::spread);
        let participation_max = self.optional(t, "participation_max", |cx, path, node| {
            cx.decimal(path, node, Bound::Fraction)
        });
        let commission = self.optional(t, "commission", Cx::commission);
        let all = symbols.unwrap_or_default();
        let (indices, names) = match listed? {
            Some(indices) => {
                let names = indices.iter().map(|&i| all[i].clone()).collect();
                (indices, names)
            }
            None => ((0..all.len()).collect(), all.to_vec()),
        };
        Some(VenueSpec {
            name: name?,
            symbols: indices,
            symbol_names: names,
            volume_fraction: volume_fraction?.unwrap_or(Decimal::ONE),
            spread: spread?,
            participation_max: participation_max?,
            commission: commission?,
        })
    }

    /// A venue's `symbols`: instrument indices, each listed once.
    fn venue_symbols(&mut self, path: &str, node: &Node, symbols: Option<&[String]>) -> Option<Vec<usize>> {
        let Kind::Array(items) = &node.kind else {
            self.wrong_type(path, node, "an array of symbols");
            return None;
        };
        if items.is_empty() {
            self.error(
                path,
                node.origin,
                "must list at least one symbol (or be left out: every instrument)",
            );
            return None;
        }
        let mut out = Vec::with_capacity(items.len());
        let mut valid = true;
        for (i, item) in items.iter().enumerate() {
            let item_path = format!("{path}[{i}]");
            let Some(symbol) = self.non_empty_string(&item_path, item) else {
                valid = false;
                continue;
            };
            let Some(all) = symbols else { continue };
            match all.iter().position(|s| *s == symbol) {
                Some(index) if out.contains(&index) => {
                    self.error(&item_path, item.origin, format!("{symbol:?} is listed twice"));
                    valid = false;
                }
                Some(index) => out.push(index),
                None => {
                    let message = format!("unknown symbol {symbol:?}; the instruments are {}", quoted_strings(all));
                    self.error(&item_path, item.origin, message);
                    valid = false;
                }
            }
        }
        (valid && symbols.is_some()).then_some(out)
    }

    fn slippage(&mut self, path: &str, node: &Node) -> Option<SlippageConfig> {
        const MODELS: &[&str] = &["none", "fixed_bps", "half_spread", "volume_share", "square_root"];
        const FIELDS: [&[&str]; 5] = [
            &["model"],
            &["model", "bps", "spread"],
            &["model", "spread"],
            &["model", "price_impact", "spread"],
            &["model", "k", "sigma_bars", "spread"],
        ];
        let t = self.table(path, node)?;
        let Some(model) = self.optional(t, "model", |cx, path, node| cx.choice(path, node, MODELS)) else {
            self.reject_unknown(t, &union(&FIELDS), None);
            return None;
        };
        let model = model.unwrap_or(0);
        self.reject_unknown(t, FIELDS[model], Some(format!("model = {:?}", MODELS[model])));
        let non_negative = |cx: &mut Cx, path: &str, node: &Node| cx.decimal(path, node, Bound::NonNegative);
        match model {
            0 => Some(SlippageConfig::None),
            1 => {
                let bps = self.required(t, "bps", |cx, path, node| cx.decimal(path, node, Bound::Bps));
                let spread = self.optional(t, "spread", Cx::spread);
                Some(SlippageConfig::FixedBps {
                    bps: bps?,
                    spread: spread?.unwrap_or(Spread::ZERO),
                })
            }
            2 => self
                .required(t, "spread", Cx::spread)
                .map(|spread| SlippageConfig::HalfSpread { spread }),
            3 => {
                let price_impact = self.required(t, "price_impact", non_negative);
                let spread = self.optional(t, "spread", Cx::spread);
                Some(SlippageConfig::VolumeShare {
                    price_impact: price_impact?,
                    spread: spread?.unwrap_or(Spread::ZERO),
                })
            }
            _ => {
                let k = self.required(t, "k", non_negative);
                let sigma_bars = self.optional(t, "sigma_bars", |cx, path, node| {
                    cx.integer_in(path, node, 2, MAX_WINDOW)
                });
                let spread = self.optional(t, "spread", Cx::spread);
                Some(SlippageConfig::SquareRoot {
                    k: k?,
                    sigma_bars: sigma_bars?.map_or(20, |n| n as usize),
                    spread: spread?.unwrap_or(Spread::ZERO),
                })
            }
        }
    }

    fn commission(&mut self, path: &str, node: &Node) -> Option<CommissionConfig> {
        const MODELS: &[&str] = &[
            "none",
            "per_share",
            "percent_of_notional",
            "fixed",
            "maker_taker",
            "tiered",
        ];
        const FIELDS: [&[&str]; 6] = [
            &["model"],
            &["model", "per_share", "min_per_order"],
            &["model", "bps"],
            &["model", "per_order"],
            &["model", "maker_bps", "taker_bps"],
            &["model", "tiers", "min_per_order", "max_per_order_bps"],
        ];
        let t = self.table(path, node)?;
        let Some(model) = self.optional(t, "model", |cx, path, node| cx.choice(path, node, MODELS)) else {
            self.reject_unknown(t, &union(&FIELDS), None);
            return None;
        };
        let model = model.unwrap_or(0);
        self.reject_unknown(t, FIELDS[model], Some(format!("model = {:?}", MODELS[model])));
        let non_negative = |cx: &mut Cx, path: &str, node: &Node| cx.decimal(path, node, Bound::NonNegative);
        let bps = |cx: &mut Cx, path: &str, node: &Node| cx.decimal(path, node, Bound::Bps);
        match model {
            0 => Some(CommissionConfig::None),
            1 => {
                let per_share = self.required(t, "per_share", non_negative);
                let min_per_order = self.optional(t, "min_per_order", non_negative);
                Some(CommissionConfig::PerShare {
                    per_share: per_share?,
                    min_per_order: min_per_order?.unwrap_or(Decimal::ZERO),
                })
            }
            2 => self
                .required(t, "bps", bps)
                .map(|bps| CommissionConfig::PercentOfNotional { bps }),
            3 => self
                .required(t, "per_order", non_negative)
                .map(|per_order| CommissionConfig::Fixed { per_order }),
            4 => {
                let maker_bps = self.required(t, "maker_bps", bps);
                let taker_bps = self.required(t, "taker_bps", bps);
                Some(CommissionConfig::MakerTaker {
                    maker_bps: maker_bps?,
                    taker_bps: taker_bps?,
                })
            }
            _ => {
                let tiers = self.required(t, "tiers", Cx::fee_tiers);
                let min_per_order = self.optional(t, "min_per_order", non_negative);
                let max_per_order_bps = self.optional(t, "max_per_order_bps", bps);
                Some(CommissionConfig::Tiered {
                    tiers: tiers?,
                    min_per_order: min_per_order?.unwrap_or(Decimal::ZERO),
                    max_per_order_bps: max_per_order_bps?,
                })
            }
        }
    }

    /// `[[venue.commission.tiers]]`: `up_to` strictly increasing, the last without one.
    fn fee_tiers(&mut self, path: &str, node: &Node) -> Option<Vec<FeeTier>> {
        let Kind::Array(items) = &node.kind else {
            self.wrong_type(path, node, "an array of tables ([[venue.commission.tiers]])");
            return None;
        };
        if items.is_empty() {
            self.error(path, node.origin, "must list at least one tier");
            return None;
        }
        let mut tiers = Vec::with_capacity(items.len());
        let mut all_valid = true;
        for (i, item) in items.iter().enumerate() {
            let item_path = format!("{path}[{i}]");
            let Some(t) = self.table(&item_path, item) else {
                all_valid = false;
                continue;
            };
            self.reject_unknown(t, &["up_to", "per_share"], None);
            let up_to = self.optional(t, "up_to", |cx, path, node| cx.decimal(path, node, Bound::Positive));
            let per_share = self.required(t, "per_share", |cx, path, node| {
                cx.decimal(path, node, Bound::NonNegative)
            });
            match (up_to, per_share) {
                (Some(up_to), Some(per_share)) => {
                    let last = i + 1 == items.len();
                    let previous = tiers.last().and_then(|t: &FeeTier| t.up_to);
                    if last != up_to.is_none() {
                        let message = if last {
                            "the last tier has no up_to"
                        } else {
                            "every tier but the last needs up_to"
                        };
                        self.error(&item_path, item.origin, message);
                        all_valid = false;
                    } else if let (Some(previous), Some(now)) = (previous, up_to)
                        && now <= previous
                    {
                        let message = format!("up_to must increase from tier to tier ({now} <= {previous})");
                        self.error(&t.field_path("up_to"), item.origin, message);
                        all_valid = false;
                    }
                    tiers.push(FeeTier { up_to, per_share });
                }
                _ => all_valid = false,
            }
        }
        all_valid.then_some(tiers)
    }
}

/// Every field any variant accepts, without repeats, in first-seen order.
fn union(fields: &[&[&'static str]]) -> Vec<&'static str> {
    let mut out: Vec<&'static str> = Vec::new();
    for name in fields.iter().flat_map(|f| f.iter()) {
        if !out.contains(name) {
            out.push(name);
        }
    }
    out
}

/// Parses decimal text (`0.01`, `-3`, `1e-4`); `None` if it is not a number.
fn parse_decimal(text: &str) -> Option<Decimal> {
    let text = text.trim();
    Decimal::from_str(text).ok().or_else(|| {
        if text.contains(['e', 'E']) {
            Decimal::from_scientific(text).ok()
        } else {
            None
        }
    })
}

/// `.parquet` and `.pq` files are Parquet; everything else reads as CSV.
fn format_from_extension(path: &Path) -> DataFormat {
    let ext = path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
    match ext.as_deref() {
        Some("parquet" | "pq") => DataFormat::Parquet,
        _ => DataFormat::Csv,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::dec;

    const MINIMAL: &str = r#"name = "t"
cash = 1000

[[instruments]]
symbol = "A"
data = "a.csv"

[strategy]
kind = "buy_and_hold"
"#;

    fn parse(text: &str) -> Result<Scenario, ScenarioErrors> {
        parse_str(text, Path::new("dir/s.toml"), &[])
    }

    #[test]
    fn minimal_gets_defaults() {
        let s = parse(MINIMAL).unwrap();
        assert_eq!(s.currency, "USD");
        assert_eq!(s.output_dir, PathBuf::from("reports/t"));
        assert_eq!(s.instruments[0].data.path, PathBuf::from("dir/a.csv"));
        assert_eq!(s.instruments[0].instrument, Instrument::equity("A"));
        assert_eq!(s.sizing, SizingConfig::AllCash);
        assert_eq!(s.venue, VenueConfig::default());
    }

    #[test]
    fn decimals_from_every_spelling() {
        let mut cx = Cx {
            errors: Vec::new(),
            base: PathBuf::new(),
        };
        let node = |kind| Node {
            kind,
            origin: Origin::File(Some(1)),
        };
        assert_eq!(
            cx.decimal("x", &node(Kind::Float(0.01)), Bound::Positive),
            Some(dec!(0.01))
        );
        assert_eq!(
            cx.decimal("x", &node(Kind::Float(0.1 + 0.2)), Bound::Positive),
            Some(dec!(0.30000000000000004))
        );
        assert_eq!(cx.decimal("x", &node(Kind::Int(3)), Bound::Positive), Some(dec!(3)));
        assert_eq!(
            cx.decimal("x", &node(Kind::Str(" 0.05 ".into())), Bound::Positive),
            Some(dec!(0.05))
        );
        assert_eq!(
            cx.decimal("x", &node(Kind::Str("1e-4".into())), Bound::Positive),
            Some(dec!(0.0001))
        );
        assert_eq!(cx.decimal("x", &node(Kind::Int(0)), Bound::NonNegative), Some(dec!(0)));
        assert!(cx.errors.is_empty());
        assert_eq!(cx.decimal("x", &node(Kind::Float(f64::NAN)), Bound::Positive), None);
        assert_eq!(
            cx.decimal("x", &node(Kind::Float(f64::INFINITY)), Bound::Positive),
            None
        );
        assert_eq!(cx.decimal("x", &node(Kind::Int(0)), Bound::Positive), None);
        assert_eq!(cx.decimal("x", &node(Kind::Str("1.5".into())), Bound::Fraction), None);
        assert_eq!(cx.decimal("x", &node(Kind::Bool(true)), Bound::Positive), None);
        assert_eq!(cx.errors.len(), 5);
        assert_eq!(cx.errors[0].message, "expected a positive decimal, found float NaN");
        assert_eq!(cx.errors[2].message, "must be greater than 0, found 0");
        assert_eq!(cx.errors[4].message, "expected a positive decimal, found boolean true");
    }

    #[test]
    fn invalid_toml_has_a_line() {
        let err = parse("name = \"t\"\ncash = \n").unwrap_err();
        assert_eq!(err.errors.len(), 1);
        assert_eq!(err.errors[0].line, Some(2));
        assert!(err.errors[0].message.starts_with("invalid TOML"), "{err}");
    }

    #[test]
    fn format_defaults_from_extension() {
        assert_eq!(format_from_extension(Path::new("x/a.PARQUET")), DataFormat::Parquet);
        assert_eq!(format_from_extension(Path::new("a.pq")), DataFormat::Parquet);
        assert_eq!(format_from_extension(Path::new("a.csv")), DataFormat::Csv);
        assert_eq!(format_from_extension(Path::new("a")), DataFormat::Csv);
    }

    #[test]
    fn missing_file_is_one_error() {
        let err = load(Path::new("/nonexistent/slipstream/s.toml"), &[]).unwrap_err();
        assert_eq!(err.errors.len(), 1);
        assert_eq!(err.errors[0].path, "");
        assert!(
            err.to_string()
                .starts_with("/nonexistent/slipstream/s.toml: cannot read: "),
            "{err}"
        );
    }
}
