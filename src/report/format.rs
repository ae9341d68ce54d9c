//! Deterministic text formatting shared by the writers: fixed-precision floats, exact
//! decimals, Markdown-safe cells and paths free of the machine they ran on.

use rust_decimal::Decimal;
use std::path::{Path, PathBuf};

/// `x` with `decimals` fixed digits, never `-0.00`.
pub fn fixed(x: f64, decimals: usize) -> String {
    let text = format!("{x:.decimals$}");
    match text.strip_prefix('-') {
        Some(rest) if rest.chars().all(|c| c == '0' || c == '.') => rest.to_string(),
        _ => text,
    }
}

/// A fraction as a percentage with two decimals (`-0.25` -> `-25.00%`).
pub fn pct(x: f64) -> String {
    format!("{}%", fixed(x * 100.0, 2))
}

/// An optional value, or `n/a`.
pub fn opt(x: Option<f64>, f: impl Fn(f64) -> String) -> String {
    x.map_or_else(|| "n/a".to_string(), f)
}

/// Money with two decimals, rounded half away from zero.
pub fn money(d: Decimal) -> String {
    format!(
        "{:.2}",
        d.round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
    )
}

/// A decimal without trailing zeros (`100000.00` -> `100000`).
pub fn dec(d: Decimal) -> String {
    d.normalize().to_string()
}

/// Escapes text for one Markdown table cell (pipes, line breaks).
pub fn cell(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('|', "\\|")
        .replace(['\r', '\n'], " ")
}

/// The path as it should appear in a report: relative to the scenario file's folder, as
/// the scenario writes it, so a report does not change with the working directory or
/// where the checkout lives.
pub fn display_path(path: &Path, scenario_dir: &Path) -> PathBuf {
    crate::scenario::paths::relative_to(path, scenario_dir)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::dec;

    #[test]
    fn formats_are_fixed() {
        assert_eq!(fixed(0.123456, 4), "0.1235");
        assert_eq!(fixed(-0.00001, 2), "0.00");
        assert_eq!(fixed(-1.5, 1), "-1.5");
        assert_eq!(pct(-0.25), "-25.00%");
        assert_eq!(opt(None, |x| fixed(x, 2)), "n/a");
        assert_eq!(money(dec!(100000)), "100000.00");
        assert_eq!(money(dec!(2.675)), "2.68");
        assert_eq!(dec(dec!(100000.00)), "100000");
        assert_eq!(cell("a|b\nc"), "a\\|b c");
    }
}
