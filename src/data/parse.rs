//! Field parsing on the hot path. Loading a million bars a second leaves a few hundred
//! nanoseconds per row, so numbers are parsed straight from the CSV bytes and the one
//! timestamp layout every shipped file uses (`YYYY-MM-DDTHH:MM:SS`) is decoded by hand;
//! anything else falls back to chrono through [`Timestamp`]'s parsers. The date
//! arithmetic here (days from a civil date and back) is also what the CSV writer uses
//! to print timestamps without going through chrono's formatter.

use crate::model::Timestamp;
use crate::model::time::{NANOS_PER_DAY, NANOS_PER_SEC, TimeParseError};
use rust_decimal::Decimal;
use std::str::FromStr;

/// Why a numeric field was rejected; rendered into a message by the caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum NumberFault {
    Missing,
    NotANumber(String),
    NonFinite(String),
    /// A number too large for a `Decimal` (about 7.9e28), as written.
    TooLarge {
        text: String,
        negative: bool,
    },
    /// A nonzero number too close to zero for a `Decimal` (28 decimal places), as written.
    TooSmall {
        text: String,
        negative: bool,
    },
}

/// Parses a decimal from field bytes: plain (`118.56`, `-3`, `+0.5`) or with an
/// exponent (`1.5e3`). Rejects empty fields, `nan`, `inf` and anything else, and says
/// so when a number is too large or too small to be held at all (`1e30`, `1e-30`)
/// rather than letting it round to zero or calling it not a number.
pub(crate) fn parse_decimal(bytes: &[u8]) -> Result<Decimal, NumberFault> {
    let bytes = bytes.trim_ascii();
    if bytes.is_empty() {
        return Err(NumberFault::Missing);
    }
    let Ok(text) = std::str::from_utf8(bytes) else {
        return Err(NumberFault::NotANumber(String::from_utf8_lossy(bytes).into_owned()));
    };
    if let Ok(d) = Decimal::from_str(text) {
        return nonzero_kept(d, text);
    }
    let scientific = bytes.iter().any(|b| matches!(b, b'e' | b'E'))
        && bytes
            .iter()
            .all(|b| b.is_ascii_digit() || matches!(b, b'e' | b'E' | b'.' | b'+' | b'-'));
    if scientific && let Ok(d) = Decimal::from_scientific(text) {
        return nonzero_kept(d, text);
    }
    let unsigned = text.trim_start_matches(['+', '-']).to_ascii_lowercase();
    if matches!(unsigned.as_str(), "nan" | "inf" | "infinity") {
        return Err(NumberFault::NonFinite(text.to_string()));
    }
    // A well-formed number that `Decimal` cannot hold: say which way it is out of reach.
    match text.parse::<f64>() {
        Ok(_) if !has_nonzero_digit(text) => Ok(Decimal::ZERO),
        Ok(x) if x.is_infinite() || x.abs() >= 1.0 => Err(NumberFault::TooLarge {
            text: text.to_string(),
            negative: x.is_sign_negative(),
        }),
        Ok(x) => Err(NumberFault::TooSmall {
            text: text.to_string(),
            negative: x.is_sign_negative(),
        }),
        Err(_) => Err(NumberFault::NotANumber(text.to_string())),
    }
}

/// `d` as parsed from `text`, unless `text` is a nonzero number that rounded to zero
/// (more decimal places than a `Decimal` holds).
#[inline]
fn nonzero_kept(d: Decimal, text: &str) -> Result<Decimal, NumberFault> {
    if d.is_zero() && has_nonzero_digit(text) {
        return Err(NumberFault::TooSmall {
            text: text.to_string(),
            negative: text.starts_with('-'),
        });
    }
    Ok(d)
}

/// Whether the significand of a number's text (the part before any exponent) has a nonzero digit.
fn has_nonzero_digit(text: &str) -> bool {
    let significand = text.split(['e', 'E']).next().unwrap_or(text);
    significand.bytes().any(|b| matches!(b, b'1'..=b'9'))
}

/// Converts a float read from a typed column through its shortest round-trip text, so
/// that `118.56_f64` becomes exactly `118.56`, not the binary value's 50 digits.
pub(crate) fn decimal_from_f64(x: f64) -> Result<Decimal, NumberFault> {
    from_float_text(
        x.is_finite(),
        &x.to_string(),
        x == 0.0,
        x.abs() >= 1.0,
        x.is_sign_negative(),
        || format!("{x:e}"),
    )
}

/// As [`decimal_from_f64`], through `f32`'s own shortest text (`118.56_f32` → `118.56`).
pub(crate) fn decimal_from_f32(x: f32) -> Result<Decimal, NumberFault> {
    from_float_text(
        x.is_finite(),
        &x.to_string(),
        x == 0.0,
        x.abs() >= 1.0,
        x.is_sign_negative(),
        || format!("{x:e}"),
    )
}

/// The shared body of the float conversions. A float's Display never uses an exponent,
/// so `from_str` reads `shortest`; values beyond Decimal's range (about 7.9e28) fail and
/// values below 1e-28 round to zero, both reported with the float's exponent form
/// (formatted only then: this runs for every cell of a float column).
fn from_float_text(
    finite: bool,
    shortest: &str,
    zero: bool,
    large: bool,
    negative: bool,
    scientific: impl FnOnce() -> String,
) -> Result<Decimal, NumberFault> {
    if !finite {
        return Err(NumberFault::NonFinite(shortest.to_string()));
    }
    let fault = |text: String| {
        if large {
            NumberFault::TooLarge { text, negative }
        } else {
            NumberFault::TooSmall { text, negative }
        }
    };
    match Decimal::from_str(shortest) {
        Ok(d) if d.is_zero() && !zero => Err(fault(scientific())),
        Ok(d) => Ok(d),
        Err(_) => Err(fault(scientific())),
    }
}

/// How the timestamp column is written.
#[derive(Debug, Clone, Copy)]
pub(crate) enum TsLayout<'a> {
    /// ISO-8601 (the default): fast path for `YYYY-MM-DDTHH:MM:SS`, else [`Timestamp::parse_iso`].
    Iso,
    /// An explicit chrono format, as given in the scenario.
    Chrono(&'a str),
}

impl<'a> TsLayout<'a> {
    pub(crate) fn new(format: Option<&'a str>) -> Self {
        match format {
            None => TsLayout::Iso,
            Some(f) => TsLayout::Chrono(f),
        }
    }

    /// Parses a timestamp field: [`TimeParseError::Invalid`] when it does not match the
    /// layout, [`TimeParseError::OutOfRange`] when it does but names an instant a
    /// [`Timestamp`] cannot hold.
    pub(crate) fn parse(self, bytes: &[u8]) -> Result<Timestamp, TimeParseError> {
        let bytes = bytes.trim_ascii();
        let fast = match self {
            TsLayout::Iso => fast_iso_secs(bytes),
            TsLayout::Chrono("%Y-%m-%dT%H:%M:%S") if bytes.get(10) == Some(&b'T') => fast_iso_secs(bytes),
            TsLayout::Chrono("%Y-%m-%d %H:%M:%S") if bytes.get(10) == Some(&b' ') => fast_iso_secs(bytes),
            TsLayout::Chrono("%Y-%m-%d") if bytes.len() == 10 => fast_iso_secs(bytes),
            TsLayout::Chrono(_) => None,
        };
        if let Some(secs) = fast {
            return Timestamp::from_secs(secs).ok_or(TimeParseError::OutOfRange);
        }
        let text = std::str::from_utf8(bytes).map_err(|_| TimeParseError::Invalid)?;
        match self {
            TsLayout::Iso => Timestamp::try_parse_iso(text),
            TsLayout::Chrono(format) => Timestamp::try_parse_with_format(text, format),
        }
    }

    /// What the layout expects, for error messages.
    pub(crate) fn describe(self) -> String {
        match self {
            TsLayout::Iso => "ISO-8601, e.g. 2000-03-01T00:00:00".to_string(),
            TsLayout::Chrono(f) => format!("format `{f}`"),
        }
    }
}

/// Decodes `YYYY-MM-DDTHH:MM:SS`, `YYYY-MM-DD HH:MM:SS` or `YYYY-MM-DD` by hand into
/// seconds since the epoch (which cannot overflow for four-digit years; the caller
/// makes nanoseconds with a checked multiplication). Returns `None` for any other shape
/// or an out-of-range part, leaving the decision to chrono.
fn fast_iso_secs(b: &[u8]) -> Option<i64> {
    let (date, time) = match b.len() {
        10 => (b, None),
        19 if matches!(b[10], b'T' | b' ') && b[13] == b':' && b[16] == b':' => (&b[..10], Some(&b[11..])),
        _ => return None,
    };
    if date[4] != b'-' || date[7] != b'-' {
        return None;
    }
    let year = digits(&date[..4])? as i64;
    let month = digits(&date[5..7])?;
    let day = digits(&date[8..10])?;
    if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
        return None;
    }
    let mut secs = days_from_civil(year, month, day) * 86_400;
    if let Some(t) = time {
        let (h, m, s) = (digits(&t[..2])?, digits(&t[3..5])?, digits(&t[6..8])?);
        if h > 23 || m > 59 || s > 59 {
            return None;
        }
        secs += i64::from(h * 3600 + m * 60 + s);
    }
    Some(secs)
}

fn digits(b: &[u8]) -> Option<u32> {
    b.iter().try_fold(0u32, |acc, &c| {
        let d = c.wrapping_sub(b'0');
        (d <= 9).then_some(acc * 10 + u32::from(d))
    })
}

fn is_leap(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (months counted from March so
/// that the leap day falls at the end of the counting year).
pub(crate) fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let year_of_era = y - era * 400;
    let month_from_march = i64::from((month + 9) % 12);
    let day_of_year = (153 * month_from_march + 2) / 5 + i64::from(day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The inverse of [`days_from_civil`]: (year, month, day) of a day number.
pub(crate) fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z - era * 146_097;
    let year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_from_march = (5 * day_of_year + 2) / 153;
    let day = (day_of_year - (153 * month_from_march + 2) / 5 + 1) as u32;
    let month = if month_from_march < 10 {
        month_from_march + 3
    } else {
        month_from_march - 9
    } as u32;
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// Writes `YYYY-MM-DDTHH:MM:SS` for whole-second timestamps in years 0..=9999, the same
/// text as `Timestamp`'s Display; `None` otherwise (the caller then uses Display).
pub(crate) fn format_iso_fast(ts: Timestamp, out: &mut [u8; 19]) -> Option<()> {
    if ts.0 % NANOS_PER_SEC != 0 {
        return None;
    }
    let days = ts.0.div_euclid(NANOS_PER_DAY);
    let secs_of_day = (ts.0.rem_euclid(NANOS_PER_DAY) / NANOS_PER_SEC) as u32;
    let (year, month, day) = civil_from_days(days);
    if !(0..=9999).contains(&year) {
        return None;
    }
    let year = year as u32;
    let put2 = |out: &mut [u8; 19], at: usize, v: u32| {
        out[at] = b'0' + (v / 10) as u8;
        out[at + 1] = b'0' + (v % 10) as u8;
    };
    put2(out, 0, year / 100);
    put2(out, 2, year % 100);
    out[4] = b'-';
    put2(out, 5, month);
    out[7] = b'-';
    put2(out, 8, day);
    out[10] = b'T';
    put2(out, 11, secs_of_day / 3600);
    out[13] = b':';
    put2(out, 14, secs_of_day / 60 % 60);
    out[16] = b':';
    put2(out, 17, secs_of_day % 60);
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::dec;

    fn fast_iso(b: &[u8]) -> Option<Timestamp> {
        fast_iso_secs(b).map(|secs| Timestamp::from_secs(secs).expect("in range"))
    }

    #[test]
    fn decimals_plain_and_scientific() {
        assert_eq!(parse_decimal(b"118.56"), Ok(dec!(118.56)));
        assert_eq!(parse_decimal(b" 127 "), Ok(dec!(127)));
        assert_eq!(parse_decimal(b"143539993.3"), Ok(dec!(143539993.3)));
        assert_eq!(parse_decimal(b"1.5e3"), Ok(dec!(1500)));
        assert_eq!(parse_decimal(b"2E-2"), Ok(dec!(0.02)));
        assert_eq!(parse_decimal(b"1e+2"), Ok(dec!(100)));
        assert_eq!(parse_decimal(b"-4"), Ok(dec!(-4)));
        assert_eq!(parse_decimal(b""), Err(NumberFault::Missing));
        assert_eq!(parse_decimal(b"NaN"), Err(NumberFault::NonFinite("NaN".into())));
        assert_eq!(parse_decimal(b"-inf"), Err(NumberFault::NonFinite("-inf".into())));
        assert_eq!(
            parse_decimal(b"Infinity"),
            Err(NumberFault::NonFinite("Infinity".into()))
        );
        assert_eq!(parse_decimal(b"12a"), Err(NumberFault::NotANumber("12a".into())));
        assert_eq!(parse_decimal(b"e5"), Err(NumberFault::NotANumber("e5".into())));
    }

    #[test]
    fn floats_keep_their_short_text() {
        assert_eq!(decimal_from_f64(118.56), Ok(dec!(118.56)));
        assert_eq!(decimal_from_f64(1e-7), Ok(dec!(0.0000001)));
        assert_eq!(decimal_from_f32(118.56), Ok(dec!(118.56)));
        assert!(matches!(decimal_from_f64(f64::NAN), Err(NumberFault::NonFinite(_))));
        assert!(matches!(
            decimal_from_f64(f64::INFINITY),
            Err(NumberFault::NonFinite(_))
        ));
        assert!(matches!(decimal_from_f64(1e300), Err(NumberFault::TooLarge { .. })));
    }

    #[test]
    fn fast_path_agrees_with_chrono() {
        // Every day from 1899 to 2101 at a few times of day, leap years included.
        let first = days_from_civil(1899, 1, 1);
        let last = days_from_civil(2101, 12, 31);
        for days in first..=last {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
            for time in ["00:00:00", "09:30:05", "23:59:59"] {
                let text = format!("{y:04}-{m:02}-{d:02}T{time}");
                let fast = fast_iso(text.as_bytes()).expect("fast path");
                assert_eq!(Some(fast), Timestamp::parse_iso(&text), "{text}");
                let mut buf = [0u8; 19];
                format_iso_fast(fast, &mut buf).unwrap();
                assert_eq!(std::str::from_utf8(&buf).unwrap(), fast.to_string());
            }
        }
    }

    #[test]
    fn fast_path_declines_what_it_cannot_read() {
        assert_eq!(fast_iso(b"2001-02-29T00:00:00"), None);
        assert_eq!(fast_iso(b"2000-13-01"), None);
        assert_eq!(fast_iso(b"2000-01-01T24:00:00"), None);
        assert_eq!(fast_iso(b"2000/01/01T00:00:00"), None);
        assert_eq!(fast_iso(b"2000-01-01T00:00:00.5"), None);
        // ...but the layouts still read them through chrono where chrono can.
        let half = TsLayout::Iso.parse(b"2000-01-01T00:00:00.5").unwrap();
        assert_eq!(half.0 % NANOS_PER_SEC, NANOS_PER_SEC / 2);
        assert_eq!(
            TsLayout::Iso.parse(b"2000-02-29").ok(),
            Timestamp::parse_iso("2000-02-29")
        );
        assert_eq!(TsLayout::Iso.parse(b"2001-02-29"), Err(TimeParseError::Invalid));
        let dmy = TsLayout::Chrono("%d/%m/%Y").parse(b"01/03/2000").unwrap();
        assert_eq!(dmy.to_string(), "2000-03-01T00:00:00");
        assert_eq!(
            TsLayout::Chrono("%d/%m/%Y").parse(b"2000-03-01"),
            Err(TimeParseError::Invalid)
        );
    }

    #[test]
    fn timestamps_outside_the_i64_range_are_refused_not_wrapped() {
        let iso = TsLayout::Iso;
        let chrono_t = TsLayout::Chrono("%Y-%m-%dT%H:%M:%S");
        let chrono_sp = TsLayout::Chrono("%Y-%m-%d %H:%M:%S");
        let chrono_d = TsLayout::Chrono("%Y-%m-%d");
        let dmy = TsLayout::Chrono("%d/%m/%Y");
        let out = Err(TimeParseError::OutOfRange);
        // The fast path (every shape it decodes), and chrono behind it.
        assert_eq!(iso.parse(b"2263-01-01"), out);
        assert_eq!(iso.parse(b"2263-01-01T00:00:00"), out);
        assert_eq!(iso.parse(b"2263-01-01 00:00:00"), out);
        assert_eq!(iso.parse(b"9999-12-31T23:59:59"), out);
        assert_eq!(iso.parse(b"2262-04-11T23:47:17"), out);
        assert_eq!(iso.parse(b"1677-09-21T00:12:43"), out);
        assert_eq!(iso.parse(b"0000-01-01"), out);
        assert_eq!(iso.parse(b"2263-01-01T00:00:00.5"), out);
        assert_eq!(iso.parse(b"2263-01-01T00:00"), out);
        assert_eq!(chrono_t.parse(b"2263-01-01T00:00:00"), out);
        assert_eq!(chrono_sp.parse(b"2263-01-01 00:00:00"), out);
        assert_eq!(chrono_d.parse(b"2263-01-01"), out);
        assert_eq!(dmy.parse(b"01/01/2263"), out);
        assert_eq!(dmy.parse(b"01/01/1677"), out);
        // The last and first whole seconds that fit.
        assert_eq!(
            iso.parse(b"2262-04-11T23:47:16"),
            Ok(Timestamp(i64::MAX - i64::MAX % NANOS_PER_SEC))
        );
        let first = iso.parse(b"1677-09-21T00:12:44").unwrap();
        assert!(first > Timestamp::MIN && first.0 - Timestamp::MIN.0 < NANOS_PER_SEC);
        assert_eq!(chrono_d.parse(b"2262-04-11"), Timestamp::try_parse_iso("2262-04-11"));
    }

    #[test]
    fn numbers_decimal_cannot_hold_say_so() {
        let large = |text: &str, negative: bool| {
            Err(NumberFault::TooLarge {
                text: text.into(),
                negative,
            })
        };
        let small = |text: &str, negative: bool| {
            Err(NumberFault::TooSmall {
                text: text.into(),
                negative,
            })
        };
        assert_eq!(parse_decimal(b"1e30"), large("1e30", false));
        assert_eq!(parse_decimal(b"-1E400"), large("-1E400", true));
        assert_eq!(
            parse_decimal(b"100000000000000000000000000000"),
            large("100000000000000000000000000000", false)
        );
        assert_eq!(parse_decimal(b"1e-30"), small("1e-30", false));
        assert_eq!(parse_decimal(b"-2.5e-29"), small("-2.5e-29", true));
        // Too many decimal places: Decimal would round this to zero.
        let tiny = format!("0.{}1", "0".repeat(30));
        assert_eq!(parse_decimal(tiny.as_bytes()), small(&tiny, false));
        // Zero stays zero however it is written; the edges of Decimal still parse.
        assert_eq!(parse_decimal(b"0e-50"), Ok(Decimal::ZERO));
        assert_eq!(parse_decimal(b"0.00000000000000000000000000000000"), Ok(Decimal::ZERO));
        assert_eq!(parse_decimal(b"1e-28"), Ok(Decimal::new(1, 28)));
        assert_eq!(
            parse_decimal(b"1e25").unwrap().to_string(),
            "10000000000000000000000000"
        );
        // Typed floats the same way, shown in exponent form.
        assert_eq!(decimal_from_f64(1e30), large("1e30", false));
        assert_eq!(decimal_from_f64(-1e300), large("-1e300", true));
        assert_eq!(decimal_from_f64(1e-30), small("1e-30", false));
        assert_eq!(decimal_from_f32(1e-30), small("1e-30", false));
        assert_eq!(decimal_from_f32(3e38), large("3e38", false));
        assert_eq!(decimal_from_f64(0.0), Ok(Decimal::ZERO));
    }
}
