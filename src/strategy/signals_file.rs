//! Replays signals generated elsewhere: how users bring their own research.
//!
//! The file is CSV with a header. Columns (any order; unknown columns are an error so a
//! typo is never silently ignored):
//!
//! | column | required | meaning |
//! |---|---|---|
//! | `timestamp` | yes | when the signal was known (ISO-8601) |
//! | `symbol` | yes | an instrument of the scenario |
//! | `side` | one of side/target | `long` (or `buy`), `short` (or `sell`), `flat` (or `exit`) |
//! | `target` | one of side/target | signed target position in units |
//! | `confidence` | no | 0..=1 |
//! | `limit_px` | no | enter with a limit order at this price |
//! | `stop_loss` | no | protective stop for what the entry fills, from its first fill |
//! | `take_profit` | no | profit-taking limit for what the entry fills, from its first fill |
//!
//! A signal is acted on at the first bar of its symbol stamped at or after its
//! timestamp (it was known by that bar's close), so with the default fill timing it
//! trades at the following bar's open. Rows must be in non-decreasing time order.
//! Signals dated before a symbol's first bar (stale when the data starts) or after its
//! last bar are never acted on; the report says how many. `stop_loss` and
//! `take_profit` go with a `side` of long or short, not with a target or flat.

use super::{Intent, Signal, Strategy, StrategyContext};
use crate::model::{Bar, Instrument, SymbolId, Timestamp};
use rust_decimal::Decimal;
use std::path::{Path, PathBuf};
use std::str::FromStr;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}{}{}: {message}", file.display(), line.map(|l| format!(":{l}")).unwrap_or_default(), field.as_ref().map(|f| format!(": {f}")).unwrap_or_default())]
pub struct SignalsError {
    pub file: PathBuf,
    pub line: Option<u64>,
    pub field: Option<String>,
    pub message: String,
}

/// Largest magnitude of a target or price: keeps quantity × price inside Decimal's range.
const VALUE_MAX: Decimal = Decimal::from_parts(0xD4A5_1000, 0xE8, 0, false, 0);

const COLUMNS: [&str; 8] = [
    "timestamp",
    "symbol",
    "side",
    "target",
    "confidence",
    "limit_px",
    "stop_loss",
    "take_profit",
];

/// A parsed signal with the time it becomes actionable.
#[derive(Debug, Clone, PartialEq)]
struct TimedSignal {
    ts: Timestamp,
    signal: Signal,
}

pub struct SignalsFile {
    /// Per symbol, in time order; `next[symbol]` is the first not yet emitted.
    queues: Vec<Vec<TimedSignal>>,
    next: Vec<usize>,
    /// Per symbol: signals dropped because they predate the symbol's first bar.
    stale: Vec<usize>,
    seen_bar: Vec<bool>,
    symbols: Vec<String>,
}

impl SignalsFile {
    /// Reads and validates the whole file.
    ///
    /// # Errors
    /// A [`SignalsError`] naming the file, line and field of the first bad value.
    pub fn load(path: &Path, instruments: &[Instrument]) -> Result<Self, SignalsError> {
        let err = |line: Option<u64>, field: Option<&str>, message: String| SignalsError {
            file: path.to_path_buf(),
            line,
            field: field.map(str::to_string),
            message,
        };
        let mut reader = csv::ReaderBuilder::new()
            .trim(csv::Trim::All)
            .from_path(path)
            .map_err(|e| err(None, None, format!("cannot read signals file: {e}")))?;
        let headers = reader
            .headers()
            .map_err(|e| err(Some(1), None, format!("bad header: {e}")))?
            .clone();
        let mut index = [None; COLUMNS.len()];
        for (i, name) in headers.iter().enumerate() {
            let Some(c) = COLUMNS.iter().position(|c| *c == name) else {
                return Err(err(
                    Some(1),
                    Some(name),
                    format!("unknown column; expected some of {}", COLUMNS.join(", ")),
                ));
            };
            index[c] = Some(i);
        }
        for required in ["timestamp", "symbol"] {
            if index[COLUMNS.iter().position(|c| *c == required).expect("listed")].is_none() {
                return Err(err(Some(1), Some(required), "required column is missing".to_string()));
            }
        }
        if index[2].is_none() && index[3].is_none() {
            return Err(err(
                Some(1),
                Some("side"),
                "the file needs a `side` or a `target` column".to_string(),
            ));
        }

        let mut queues = vec![Vec::new(); instruments.len()];
        let mut last_ts = None;
        for (row, record) in reader.records().enumerate() {
            let line = row as u64 + 2;
            let record = record.map_err(|e| err(Some(line), None, format!("malformed row: {e}")))?;
            let get = |c: usize| index[c].and_then(|i| record.get(i)).filter(|v| !v.is_empty());
            let field_err = |c: usize, message: String| err(Some(line), Some(COLUMNS[c]), message);

            let ts_text = get(0).ok_or_else(|| field_err(0, "missing value".to_string()))?;
            let ts = Timestamp::parse_iso(ts_text)
                .ok_or_else(|| field_err(0, format!("`{ts_text}` is not an ISO-8601 date or date-time")))?;
            if last_ts.is_some_and(|last| ts < last) {
                return Err(field_err(
                    0,
                    format!("{ts} is earlier than the row before; sort the file by time"),
                ));
            }
            last_ts = Some(ts);

            let symbol_text = get(1).ok_or_else(|| field_err(1, "missing value".to_string()))?;
            let symbol = instruments
                .iter()
                .position(|i| i.symbol == symbol_text)
                .ok_or_else(|| field_err(1, format!("`{symbol_text}` is not an instrument of the scenario")))?;

            let decimal = |c: usize| -> Result<Option<Decimal>, SignalsError> {
                let value = get(c)
                    .map(|v| Decimal::from_str(v).map_err(|_| field_err(c, format!("`{v}` is not a number"))))
                    .transpose()?;
                match value {
                    Some(v) if v.abs() > VALUE_MAX => Err(field_err(
                        c,
                        format!("{v} is outside the supported range -{VALUE_MAX} .. {VALUE_MAX}"),
                    )),
                    other => Ok(other),
                }
            };
            let intent = match (get(2), decimal(3)?) {
                (Some(_), Some(_)) => return Err(field_err(3, "give either side or target, not both".to_string())),
                (None, None) => return Err(field_err(2, "missing value: give a side or a target".to_string())),
                (None, Some(target)) => Intent::Target(target),
                (Some(side), None) => match side.to_ascii_lowercase().as_str() {
                    "long" | "buy" => Intent::Long,
                    "short" | "sell" => Intent::Short,
                    "flat" | "exit" => Intent::Flat,
                    other => return Err(field_err(2, format!("`{other}`: expected long, short or flat"))),
                },
            };
            let confidence = match get(4) {
                None => None,
                Some(v) => match v.parse::<f64>() {
                    Ok(c) if (0.0..=1.0).contains(&c) => Some(c),
                    _ => return Err(field_err(4, format!("`{v}` is not a number in 0..=1"))),
                },
            };
            let mut signal = Signal::new(symbol, intent);
            signal.confidence = confidence;
            let has_side = matches!(intent, Intent::Long | Intent::Short);
            for c in [6, 7] {
                if get(c).is_some() && !has_side {
                    return Err(field_err(
                        c,
                        "goes with a side of long or short, not with a target or flat".to_string(),
                    ));
                }
            }
            for (c, slot) in [
                (5, &mut signal.limit_px),
                (6, &mut signal.stop_loss),
                (7, &mut signal.take_profit),
            ] {
                *slot = decimal(c)?;
                if let Some(px) = *slot
                    && px <= Decimal::ZERO
                {
                    return Err(field_err(c, format!("{px} must be a positive price")));
                }
            }
            queues[symbol].push(TimedSignal { ts, signal });
        }
        let n = queues.len();
        Ok(SignalsFile {
            queues,
            next: vec![0; n],
            stale: vec![0; n],
            seen_bar: vec![false; n],
            symbols: instruments.iter().map(|i| i.symbol.clone()).collect(),
        })
    }

    /// Number of signals loaded, over all symbols.
    pub fn len(&self) -> usize {
        self.queues.iter().map(Vec::len).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl Strategy for SignalsFile {
    fn notes(&self) -> Vec<String> {
        let mut notes = Vec::new();
        for (symbol, name) in self.symbols.iter().enumerate() {
            if self.stale[symbol] > 0 {
                notes.push(format!(
                    "{name}: {} signal(s) dated before the first bar were not acted on",
                    self.stale[symbol]
                ));
            }
            let unused = self.queues[symbol].len() - self.next[symbol];
            if unused > 0 {
                notes.push(format!(
                    "{name}: {unused} signal(s) dated after the last bar were not acted on"
                ));
            }
        }
        notes
    }

    fn on_bar(&mut self, _ctx: &StrategyContext<'_>, symbol: SymbolId, bar: &Bar, signals: &mut Vec<Signal>) {
        let queue = &self.queues[symbol];
        let next = &mut self.next[symbol];
        if !self.seen_bar[symbol] {
            // Signals from before the data starts are stale: not acted on all at once.
            self.seen_bar[symbol] = true;
            while queue.get(*next).is_some_and(|t| t.ts < bar.ts) {
                *next += 1;
                self.stale[symbol] += 1;
            }
        }
        while let Some(timed) = queue.get(*next) {
            if timed.ts > bar.ts {
                break;
            }
            signals.push(timed.signal);
            *next += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn load(text: &str) -> Result<SignalsFile, SignalsError> {
        let mut file = tempfile::NamedTempFile::new().unwrap();
        file.write_all(text.as_bytes()).unwrap();
        SignalsFile::load(file.path(), &[Instrument::equity("AAPL"), Instrument::equity("IBM")])
    }

    #[test]
    fn parses_sides_targets_and_prices() {
        let s = load(
            "timestamp,symbol,side,target,confidence,limit_px,stop_loss,take_profit\n\
             2000-01-03,AAPL,long,,0.8,100.5,95,110\n\
             2000-01-04,IBM,,-300,,,,\n\
             2000-01-05,AAPL,flat,,,,,\n",
        )
        .unwrap();
        assert_eq!(s.len(), 3);
        let first = &s.queues[0][0].signal;
        assert_eq!(first.intent, Intent::Long);
        assert_eq!(first.confidence, Some(0.8));
        assert_eq!(first.limit_px, Some(Decimal::from_str("100.5").unwrap()));
        assert_eq!(s.queues[1][0].signal.intent, Intent::Target(Decimal::from(-300)));
    }

    #[test]
    fn errors_name_line_and_field() {
        let e = load("timestamp,symbol,side\n2000-01-03,AAPL,long\n2000-01-04,MSFT,long\n")
            .err()
            .unwrap();
        assert_eq!((e.line, e.field.as_deref()), (Some(3), Some("symbol")));
        assert!(e.to_string().contains(":3: symbol: `MSFT` is not an instrument"), "{e}");
        let e = load("timestamp,symbol,side\n2000-01-03,AAPL,sideways\n").err().unwrap();
        assert_eq!((e.line, e.field.as_deref()), (Some(2), Some("side")));
        let e = load("timestamp,symbol,side\n2000-01-05,AAPL,long\n2000-01-04,AAPL,flat\n")
            .err()
            .unwrap();
        assert_eq!((e.line, e.field.as_deref()), (Some(3), Some("timestamp")));
        let e = load("timestamp,symbol,sied\n").err().unwrap();
        assert_eq!((e.line, e.field.as_deref()), (Some(1), Some("sied")));
        let e = load("timestamp,symbol,side,confidence\n2000-01-03,AAPL,long,1.5\n")
            .err()
            .unwrap();
        assert_eq!(e.field.as_deref(), Some("confidence"));
        let e = load("timestamp,symbol,side,stop_loss\n2000-01-03,AAPL,long,-1\n")
            .err()
            .unwrap();
        assert_eq!(e.field.as_deref(), Some("stop_loss"));
        let e = load("timestamp,symbol,target,take_profit\n2000-01-03,AAPL,5,110\n")
            .err()
            .unwrap();
        assert_eq!((e.line, e.field.as_deref()), (Some(2), Some("take_profit")));
        assert!(e.to_string().contains("goes with a side"), "{e}");
        let e = load("timestamp,symbol,target\n2000-01-03,AAPL,79228162514264337593543950335\n")
            .err()
            .unwrap();
        assert_eq!(e.field.as_deref(), Some("target"));
        assert!(e.to_string().contains("outside the supported range"), "{e}");
        assert_eq!(VALUE_MAX, Decimal::from(1_000_000_000_000i64));
    }

    #[test]
    fn stale_and_late_signals_are_not_acted_on_and_are_reported() {
        use crate::model::Bar;
        use crate::portfolio::Portfolio;
        let mut s = load(
            "timestamp,symbol,side\n2000-01-01,AAPL,long\n2000-01-02,AAPL,flat\n2000-01-05,AAPL,long\n2000-02-01,AAPL,flat\n",
        )
        .unwrap();
        let portfolio = Portfolio::new(Decimal::ONE, 2);
        let ctx = StrategyContext { portfolio: &portfolio };
        let mut out = Vec::new();
        for day in ["2000-01-04", "2000-01-05", "2000-01-06"] {
            let px = Decimal::from(10);
            let ts = Timestamp::parse_iso(day).unwrap();
            let bar = Bar {
                ts,
                open: px,
                high: px,
                low: px,
                close: px,
                volume: px,
            };
            s.on_bar(&ctx, 0, &bar, &mut out);
        }
        assert_eq!(out.iter().map(|s| s.intent).collect::<Vec<_>>(), [Intent::Long]);
        assert_eq!(
            s.notes(),
            [
                "AAPL: 2 signal(s) dated before the first bar were not acted on",
                "AAPL: 1 signal(s) dated after the last bar were not acted on"
            ]
        );
    }
}
