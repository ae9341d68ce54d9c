//! The README's examples stay true: its scenario reference parses, with the values it
//! shows, and its quick-start summary is what the scenario prints.

use std::path::{Path, PathBuf};

fn readme() -> String {
    std::fs::read_to_string(
        Path::new(&std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo test sets CARGO_MANIFEST_DIR"))
            .join("README.md"),
    )
    .unwrap()
}

/// The first fenced block tagged `toml`.
fn toml_block(text: &str) -> String {
    let start = text.find("```toml\n").expect("a toml block in the README") + "```toml\n".len();
    let end = start + text[start..].find("```").unwrap();
    text[start..end].to_string()
}

#[test]
fn the_scenario_reference_in_the_readme_parses() {
    let block = toml_block(&readme());
    let scenario = slipstream::scenario::parse_str(&block, Path::new("scenarios/readme.toml"), &[])
        .unwrap_or_else(|e| panic!("the README's scenario does not parse:\n{e}"));
    assert_eq!(scenario.name, "sma_cross_aapl");
    assert_eq!(
        scenario.instruments[0].data.path,
        PathBuf::from("data/AAPL_1d_bokeh.csv")
    );
    assert_eq!(
        scenario.venue.participation_max,
        Some(rust_decimal::Decimal::new(25, 3))
    );
    assert_eq!(scenario.risk.max_drawdown, Some(rust_decimal::Decimal::new(25, 2)));
    assert_eq!(
        scenario.risk.trading_hours.map(|h| h.to_string()).as_deref(),
        Some("09:30-16:00")
    );
}

#[test]
fn the_quick_start_summary_is_what_the_run_prints() {
    let text = readme();
    let start = text
        .find("    sma_cross_aapl (sma_cross)\n")
        .expect("the quick-start output");
    let shown: Vec<&str> = text[start..].lines().take(10).map(|l| l.trim()).collect();
    let dir = tempfile::tempdir().unwrap();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_slipstream"))
        .args([
            "run",
            "scenarios/sma_cross_aapl.toml",
            "--out",
            dir.path().to_str().unwrap(),
        ])
        .current_dir(std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo test sets CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    let printed = String::from_utf8(output.stdout).unwrap();
    let printed: Vec<&str> = printed.lines().take(10).map(|l| l.trim()).collect();
    assert_eq!(shown, printed);
}
