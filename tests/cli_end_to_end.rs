//! End to end through the built binary: what a user types, what they get back, and
//! the determinism guarantee (same inputs => byte-identical report folders, across
//! separate processes).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The project folder, read when the test runs (cargo sets it), not baked in at compile
/// time: cargo reuses a test binary for another checkout of the same sources that shares
/// the target directory (CI's persistent one), and a baked-in path then names the first
/// checkout, perhaps long deleted.
fn root() -> PathBuf {
    PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo test sets CARGO_MANIFEST_DIR"))
}

fn slipstream(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_slipstream"))
        .args(args)
        .current_dir(root())
        .output()
        .expect("the slipstream binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

use slipstream::report::REPORT_FILES;

fn run_into(scenario: &str, out: &Path, extra: &[&str]) -> Output {
    let mut args = vec!["run", scenario, "--out", out.to_str().unwrap()];
    args.extend_from_slice(extra);
    slipstream(&args)
}

#[test]
fn run_writes_a_complete_report_folder_and_prints_a_summary() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("aapl");
    let output = run_into("scenarios/sma_cross_aapl.toml", &out, &[]);
    assert!(output.status.success(), "stderr: {}", text(&output.stderr));
    let stdout = text(&output.stdout);
    for expected in [
        "Final equity   614793.44",
        "Sharpe",
        "Max drawdown",
        "Trades         58 closed",
        "Fees",
        "Slippage cost",
        "reports:",
    ] {
        assert!(stdout.contains(expected), "summary lacks {expected:?}:\n{stdout}");
    }
    for file in REPORT_FILES {
        let path = out.join(file);
        assert!(
            path.metadata().map(|m| m.len() > 0).unwrap_or(false),
            "{file} missing or empty"
        );
    }
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap()).unwrap();
    assert_eq!(report["metrics"]["trades_closed"], 58);
    assert_eq!(report["scenario"]["name"], "sma_cross_aapl");
    assert_eq!(report["data_files"][0]["sha256"].as_str().unwrap().len(), 64);
    let trades = std::fs::read_to_string(out.join("trades.csv")).unwrap();
    assert_eq!(trades.lines().count(), 1 + 58, "header + 58 closed trades");
    let equity = std::fs::read_to_string(out.join("equity.csv")).unwrap();
    assert_eq!(equity.lines().count(), 1 + 3270, "header + one row per bar");
}

#[test]
fn same_scenario_in_separate_processes_gives_byte_identical_reports_from_any_working_directory() {
    let dir = tempfile::tempdir().unwrap();
    for scenario in [
        "portfolio_aapl_ibm_msft.toml",
        "signals_aapl.toml",
        "routing_ibm_two_venues.toml",
    ] {
        // From the project root, from inside scenarios/, and by an absolute path.
        let absolute = root().join("scenarios").join(scenario);
        let runs = [
            (root(), format!("scenarios/{scenario}")),
            (root().join("scenarios"), scenario.to_string()),
            (std::env::temp_dir(), absolute.display().to_string()),
        ];
        let mut outs = Vec::new();
        for (i, (cwd, path)) in runs.iter().enumerate() {
            let out = dir.path().join(format!("{scenario}-{i}"));
            let output = Command::new(env!("CARGO_BIN_EXE_slipstream"))
                .args(["run", path, "--out", out.to_str().unwrap(), "--quiet"])
                .current_dir(cwd)
                .output()
                .unwrap();
            assert!(
                output.status.success(),
                "{scenario} from {}: {}",
                cwd.display(),
                text(&output.stderr)
            );
            assert!(output.stdout.is_empty(), "--quiet prints nothing");
            outs.push(out);
        }
        for file in REPORT_FILES {
            let first = std::fs::read(outs[0].join(file)).unwrap();
            for other in &outs[1..] {
                assert!(
                    first == std::fs::read(other.join(file)).unwrap(),
                    "{scenario}: {file} differs between runs"
                );
            }
        }
    }
}

#[test]
fn output_that_cannot_be_written_is_exit_code_5_not_a_panic() {
    let Ok(full) = std::fs::OpenOptions::new().write(true).open("/dev/full") else {
        return; // not Linux: nothing to test here
    };
    let output = Command::new(env!("CARGO_BIN_EXE_slipstream"))
        .args(["data", "check", "data/AAPL_1d_bokeh.csv"])
        .current_dir(root())
        .stdout(full)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(5), "{}", text(&output.stderr));
    assert!(!text(&output.stderr).contains("panicked"));
}

#[test]
fn validate_checks_that_the_data_files_exist() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("s.toml");
    std::fs::write(
        &scenario,
        "name = \"s\"\ncash = 1000\n[[instruments]]\nsymbol = \"X\"\ndata = \"missing.csv\"\n[strategy]\nkind = \"buy_and_hold\"\n",
    )
    .unwrap();
    let output = slipstream(&["validate", scenario.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(4));
    assert!(text(&output.stderr).contains("missing.csv"), "{}", text(&output.stderr));
}

#[test]
fn set_overrides_change_the_run() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("o");
    let output = run_into(
        "scenarios/sma_cross_aapl.toml",
        &out,
        &[
            "--set",
            "strategy.fast=5",
            "--set",
            "venue.commission.model=fixed",
            "--set",
            "venue.commission.per_order=1",
        ],
    );
    assert!(output.status.success(), "{}", text(&output.stderr));
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap()).unwrap();
    assert_eq!(report["scenario"]["strategy"]["fast"], 5);
    let fills = report["metrics"]["fills"].as_u64().unwrap();
    assert!(fills > 0);
    assert_eq!(
        report["metrics"]["fees_total"],
        serde_json::json!(fills.to_string()),
        "one dollar per order, one fill per order"
    );
}

#[test]
fn same_close_runs_warn_about_look_ahead() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("sc");
    let output = run_into(
        "scenarios/sma_cross_aapl.toml",
        &out,
        &["--set", "venue.fill_timing=same_close"],
    );
    assert!(output.status.success(), "{}", text(&output.stderr));
    let md = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(
        md.to_lowercase().contains("look ahead") || md.to_lowercase().contains("look-ahead"),
        "{md}"
    );
    // Every market order fills on the bar it was decided on.
    let column = |path: &Path, name: &str| -> Vec<String> {
        let mut reader = csv::Reader::from_path(path).unwrap();
        let index = reader.headers().unwrap().iter().position(|h| h == name).unwrap();
        reader.records().map(|r| r.unwrap()[index].to_string()).collect()
    };
    let decided = column(&out.join("orders.csv"), "decision_ts");
    let order_ids = column(&out.join("orders.csv"), "id");
    let filled_at = column(&out.join("fills.csv"), "ts");
    let fill_orders = column(&out.join("fills.csv"), "order_id");
    assert!(!filled_at.is_empty());
    for (order_id, ts) in fill_orders.iter().zip(&filled_at) {
        let i = order_ids.iter().position(|id| id == order_id).unwrap();
        assert_eq!(
            &decided[i], ts,
            "order {order_id} filled on another bar than it was decided on"
        );
    }
}

#[test]
fn validate_lists_every_scenario_error_at_once_with_exit_code_3() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.toml");
    std::fs::write(
        &path,
        "name = \"bad\"\ncash = -5\nbogus = 1\n\n[[instruments]]\nsymbol = \"X\"\ndata = \"x.csv\"\n\n[strategy]\nkind = \"sma_cross\"\nfast = 30\nslow = 10\n",
    )
    .unwrap();
    let output = slipstream(&["validate", path.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(3), "stderr: {}", text(&output.stderr));
    let stderr = text(&output.stderr);
    for expected in ["cash", "bogus", "strategy.fast: must be less than strategy.slow"] {
        assert!(stderr.contains(expected), "missing {expected:?} in:\n{stderr}");
    }
    assert!(stderr.contains("bad.toml:2:"), "errors carry line numbers:\n{stderr}");
}

#[test]
fn validate_accepts_every_shipped_scenario() {
    let mut scenarios: Vec<PathBuf> = std::fs::read_dir(root().join("scenarios"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    scenarios.sort();
    assert!(scenarios.len() >= 4);
    for scenario in scenarios {
        let output = slipstream(&["validate", scenario.to_str().unwrap()]);
        assert!(
            output.status.success(),
            "{}: {}",
            scenario.display(),
            text(&output.stderr)
        );
    }
}

#[test]
fn bad_data_fails_the_run_with_file_line_and_field_and_exit_code_4() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("bars.csv");
    std::fs::write(
        &data,
        "timestamp,open,high,low,close,volume\n2020-01-01,10,11,9,10,100\n2020-01-02,10,9.5,9,10,100\n",
    )
    .unwrap();
    let scenario = dir.path().join("s.toml");
    std::fs::write(
        &scenario,
        "name = \"s\"\ncash = 1000\n[[instruments]]\nsymbol = \"X\"\ndata = \"bars.csv\"\n[strategy]\nkind = \"buy_and_hold\"\n",
    )
    .unwrap();
    let output = slipstream(&[
        "run",
        scenario.to_str().unwrap(),
        "--out",
        dir.path().join("out").to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(4));
    let stderr = text(&output.stderr);
    assert!(stderr.contains("bars.csv:3") && stderr.contains("high"), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "one clear line: {stderr}");

    let output = slipstream(&["data", "check", data.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(4));
    assert!(text(&output.stdout).contains("high"), "{}", text(&output.stdout));
}

#[test]
fn data_check_reads_a_spread_column_when_named() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("bars.csv");
    std::fs::write(
        &data,
        "timestamp,open,high,low,close,volume,spread\n\
         2000-03-01T00:00:00,100,105,99,101,1000,0.02\n\
         2000-03-02T00:00:00,101,103,100,102,2000,-0.5\n",
    )
    .unwrap();
    let file = data.to_str().unwrap();
    // Unnamed, the column is not read.
    let output = slipstream(&["data", "check", file]);
    assert!(output.status.success(), "{}", text(&output.stdout));
    let columns = "timestamp,open,high,low,close,volume,spread";
    let output = slipstream(&["data", "check", file, "--columns", columns]);
    assert_eq!(output.status.code(), Some(4));
    let stdout = text(&output.stdout);
    assert!(stdout.contains(":3: spread: -0.5 is negative"), "{stdout}");
    let output = slipstream(&["data", "check", file, "--columns", "a,b,c,d,e,f,g,h"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        text(&output.stderr).contains("six or seven names"),
        "{}",
        text(&output.stderr)
    );
}

#[test]
fn data_synth_is_seeded_and_checks_clean() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b, c) = (
        dir.path().join("a.csv"),
        dir.path().join("b.csv"),
        dir.path().join("c.csv"),
    );
    for (path, seed) in [(&a, "7"), (&b, "7"), (&c, "8")] {
        let output = slipstream(&[
            "data",
            "synth",
            "--bars",
            "500",
            "--seed",
            seed,
            "--out",
            path.to_str().unwrap(),
        ]);
        assert!(output.status.success(), "{}", text(&output.stderr));
    }
    assert_eq!(std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());
    assert_ne!(std::fs::read(&a).unwrap(), std::fs::read(&c).unwrap());
    let output = slipstream(&["data", "check", a.to_str().unwrap()]);
    assert!(output.status.success(), "{}", text(&output.stdout));
    assert!(text(&output.stdout).contains("500"));
}

#[test]
fn usage_errors_exit_with_code_2() {
    assert_eq!(slipstream(&["run"]).status.code(), Some(2));
    assert_eq!(slipstream(&["frobnicate"]).status.code(), Some(2));
    let output = slipstream(&["data", "synth", "--bars", "0", "--out", "/tmp/x.csv"]);
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn missing_scenario_file_is_one_clear_error() {
    let output = slipstream(&["run", "scenarios/does_not_exist.toml"]);
    assert_eq!(output.status.code(), Some(3));
    let stderr = text(&output.stderr);
    assert!(stderr.contains("does_not_exist.toml"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}
