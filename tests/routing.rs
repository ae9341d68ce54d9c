//! Several simulated venues and the router: where orders go, why, and what each venue's
//! own spread, fees, volume share and participation cap do to the fills.

mod common;

use common::{Scripted, d};
use rust_decimal::Decimal;
use slipstream::backtest::Simulation;
use slipstream::backtest::result::RunOutcome;
use slipstream::model::{Bar, Instrument, Timestamp};
use slipstream::scenario::{CommissionConfig, Routing, SizingConfig, SlippageConfig, Spread, VenueConfig, VenueSpec};
use slipstream::strategy::{Intent, Signal};
use slipstream::venue::router::RouteReason;

const DAY_NS: i64 = 86_400_000_000_000;

/// Flat bars at 100 with a volume of 1,000,000.
fn flat_bars(n: usize) -> Vec<Bar> {
    (0..n)
        .map(|i| Bar {
            ts: Timestamp(10_957 * DAY_NS + i as i64 * DAY_NS),
            open: d("100"),
            high: d("100"),
            low: d("100"),
            close: d("100"),
            volume: d("1000000"),
        })
        .collect()
}

fn venue(name: &str, fraction: &str, per_share: &str) -> VenueSpec {
    VenueSpec {
        name: name.to_string(),
        symbols: vec![0],
        symbol_names: vec!["S0".to_string()],
        volume_fraction: d(fraction),
        spread: None,
        participation_max: None,
        commission: Some(CommissionConfig::PerShare {
            per_share: d(per_share),
            min_per_order: Decimal::ZERO,
        }),
    }
}

fn volume_share() -> VenueConfig {
    VenueConfig {
        slippage: SlippageConfig::VolumeShare {
            price_impact: d("0.1"),
            spread: Spread::ZERO,
        },
        ..VenueConfig::default()
    }
}

fn run(
    bars: Vec<Bar>,
    spreads: Option<Vec<Decimal>>,
    shared: &VenueConfig,
    venues: &[VenueSpec],
    qty: &str,
    signal: Signal,
) -> RunOutcome {
    let instruments = vec![Instrument::equity("S0")];
    let data = vec![bars];
    let spreads = vec![spreads];
    let simulation = Simulation {
        risk: &Default::default(),
        execution: Default::default(),
        instruments: &instruments,
        bars: &data,
        spreads: &spreads,
        venue: shared,
        venues,
        sizing: SizingConfig::FixedQty { qty: d(qty) },
        periods_per_year: 252.0,
        cash: d("100000000"),
        seed: 7,
    };
    let plan = vec![(0, 0, signal)];
    simulation.run("scripted", Box::new(Scripted::new(1, plan))).unwrap().0
}

fn long() -> Signal {
    Signal::new(0, Intent::Long)
}

/// A deep venue (80% of the volume, 0.005 per share) and a small one (20%, 0.001 per
/// share) under volume-share impact (price_impact 0.1) at 100, on a 0.01 tick. Impact per
/// share is 10 × (q / 800,000)² on the deep venue and 10 × (q / 200,000)² on the small
/// one, rounded up to the tick as a fill is: small orders are cheaper on the small venue
/// (lower fee), large ones on the deep one (less impact).
fn deep_and_small() -> Vec<VenueSpec> {
    vec![venue("deep", "0.8", "0.005"), venue("small", "0.2", "0.001")]
}

#[test]
fn a_small_order_goes_where_fees_are_low_and_a_large_one_where_impact_is() {
    let small = run(flat_bars(3), None, &volume_share(), &deep_and_small(), "1000", long());
    let decision = &small.routes.decisions[0];
    assert_eq!((decision.venue, decision.reason), (1, RouteReason::LowestCost));
    // By hand, q = 1,000: the deep venue's 0.0000156 and the small one's 0.00025 per
    // share both round up to a tick, 0.01 × 1,000 = 10; fees 5 and 1.
    let totals: Vec<Decimal> = decision.quotes.iter().map(|q| q.total()).collect();
    assert_eq!(totals, [d("15"), d("11")]);
    assert_eq!((decision.quotes[1].impact, decision.quotes[1].fees), (d("10"), d("1")));
    assert!(small.fills.iter().all(|f| f.venue == 1));

    let large = run(flat_bars(3), None, &volume_share(), &deep_and_small(), "10000", long());
    let decision = &large.routes.decisions[0];
    // q = 10,000: deep 10 × 0.0125² = 0.0016 → 0.01 a share, 100 + 50 fees; small
    // 10 × 0.05² = 0.025 → 0.03 a share, 300 + 10 fees.
    let totals: Vec<Decimal> = decision.quotes.iter().map(|q| q.total()).collect();
    assert_eq!(totals, [d("150"), d("310")]);
    assert_eq!(decision.venue, 0);
    assert!(large.fills.iter().all(|f| f.venue == 0));
    // The deep venue's fill pays its own fee schedule: 0.005 per share.
    assert_eq!(large.fills[0].fee, d("50"));
}

#[test]
fn impact_uses_the_venues_share_of_the_volume() {
    // Everything to the small venue: 10,000 shares are 5% of its 200,000, so the impact is
    // 100 × 0.1 × 0.05² = 0.025 per share → 100.03 on the tick (it would be 100.01 with
    // the whole bar's volume).
    let shared = VenueConfig {
        routing: Routing::FirstListed,
        ..volume_share()
    };
    let venues = vec![venue("small", "0.2", "0"), venue("deep", "0.8", "0")];
    let out = run(flat_bars(3), None, &shared, &venues, "10000", long());
    assert_eq!(out.routes.decisions[0].reason, RouteReason::FirstListed);
    assert_eq!((out.fills[0].venue, out.fills[0].px), (0, d("100.03")));
}

#[test]
fn each_venue_caps_participation_on_its_own_share_of_the_volume() {
    let shared = VenueConfig {
        routing: Routing::FirstListed,
        ..VenueConfig::default()
    };
    let mut deep = venue("deep", "0.8", "0");
    deep.participation_max = Some(d("0.01"));
    let mut small = venue("small", "0.2", "0");
    small.participation_max = Some(d("0.01"));
    // 1% of 800,000 = 8,000 on the deep venue's bar (the DAY entry then expires: daily bars).
    let out = run(
        flat_bars(5),
        None,
        &shared,
        &[deep.clone(), small.clone()],
        "20000",
        long(),
    );
    let sizes: Vec<Decimal> = out.fills.iter().map(|f| f.qty).collect();
    assert_eq!(sizes, [d("8000")]);
    // 1% of 200,000 = 2,000 on the small venue, listed first this time.
    let out = run(flat_bars(5), None, &shared, &[small, deep], "5000", long());
    let sizes: Vec<Decimal> = out.fills.iter().map(|f| f.qty).collect();
    assert_eq!(sizes, [d("2000")]);
    assert!(out.fills.iter().all(|f| f.venue == 0));
}

#[test]
fn protective_legs_stay_together_on_one_venue() {
    let bars: Vec<Bar> = flat_bars(2)
        .into_iter()
        .chain((2..6).map(|i| Bar {
            ts: Timestamp(10_957 * DAY_NS + i * DAY_NS),
            open: d("100"),
            high: d("106"),
            low: d("99"),
            close: d("105"),
            volume: d("1000000"),
        }))
        .collect();
    let signal = Signal {
        stop_loss: Some(d("90")),
        take_profit: Some(d("105")),
        ..long()
    };
    let out = run(bars, None, &volume_share(), &deep_and_small(), "1000", signal);
    let decisions = &out.routes.decisions;
    assert_eq!(decisions.len(), 3, "entry, stop, take-profit: {decisions:?}");
    let stop = &decisions[1];
    let take = &decisions[2];
    assert_eq!(take.reason, RouteReason::OcoSibling);
    assert_eq!(take.venue, stop.venue);
    // The take-profit filled on the legs' venue and the stop was cancelled there.
    let exit = out.fills.last().unwrap();
    assert_eq!((exit.order_id, exit.venue), (take.order_id, take.venue));
}

#[test]
fn a_data_spread_prices_each_fill_with_its_bars_quote() {
    let shared = VenueConfig {
        slippage: SlippageConfig::HalfSpread { spread: Spread::Data },
        ..VenueConfig::default()
    };
    let out = run(
        flat_bars(3),
        Some(vec![d("0.5"), d("0.2"), d("0.9")]),
        &shared,
        &[],
        "10",
        long(),
    );
    // The order fills at bar 1's open: half of bar 1's spread of 0.2.
    assert_eq!((out.fills[0].px, out.fills[0].spread_per_unit), (d("100.1"), d("0.1")));
}

#[test]
fn the_router_compares_a_data_spread_with_a_fixed_one() {
    let shared = VenueConfig {
        slippage: SlippageConfig::HalfSpread { spread: Spread::Data },
        ..VenueConfig::default()
    };
    let mut quoted = venue("quoted", "0.5", "0");
    quoted.spread = Some(Spread::Data);
    let mut fixed = venue("fixed", "0.5", "0");
    fixed.spread = Some(Spread::Fixed(d("0.1")));
    let venues = [quoted, fixed];
    // The decision bar quotes 0.4 in the data: the fixed 0.1 is cheaper.
    let wide = run(flat_bars(3), Some(vec![d("0.4"); 3]), &shared, &venues, "10", long());
    assert_eq!(wide.routes.decisions[0].venue, 1);
    assert_eq!(wide.fills[0].px, d("100.05"));
    // It quotes 0.02: the data's spread is cheaper.
    let tight = run(flat_bars(3), Some(vec![d("0.02"); 3]), &shared, &venues, "10", long());
    assert_eq!(tight.routes.decisions[0].venue, 0);
    assert_eq!(tight.fills[0].px, d("100.01"));
}

#[test]
fn ties_go_to_the_venue_listed_first_and_runs_repeat() {
    let venues = vec![venue("a", "0.5", "0.002"), venue("b", "0.5", "0.002")];
    let first = run(flat_bars(3), None, &volume_share(), &venues, "1000", long());
    assert_eq!(first.routes.decisions[0].venue, 0);
    let again = run(flat_bars(3), None, &volume_share(), &venues, "1000", long());
    assert_eq!(first, again);
}

/// The shipped example does what the README says: small round trips to the ECN, the
/// large one to the primary, and fewer fees than sending everything to the primary.
#[test]
fn the_shipped_routing_example_routes_by_size() {
    let path =
        std::path::Path::new(&std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo test sets CARGO_MANIFEST_DIR"))
            .join("scenarios/routing_ibm_two_venues.toml");
    let run_with = |overrides: &[&str]| {
        let overrides: Vec<String> = overrides.iter().map(|s| s.to_string()).collect();
        let scenario = slipstream::scenario::load(&path, &overrides).unwrap();
        slipstream::backtest::run(&scenario).unwrap().main
    };
    let routed = run_with(&[]);
    let venues: Vec<(Decimal, &str)> = routed
        .routes
        .decisions
        .iter()
        .map(|d| (d.qty, routed.routes.name(d.venue)))
        .collect();
    assert_eq!(
        venues,
        [
            (d("2000"), "ecn"),
            (d("2000"), "ecn"),
            (d("10000"), "ecn"),
            (d("10000"), "ecn"),
            (d("400000"), "primary"),
            (d("400000"), "primary"),
        ]
    );
    let fees = |out: &RunOutcome| out.fills.iter().map(|f| f.fee).sum::<Decimal>();
    assert_eq!(fees(&routed), d("2812"));
    let first_listed = run_with(&["venue.routing=first_listed"]);
    assert!(first_listed.fills.iter().all(|f| f.venue == 0));
    assert_eq!(fees(&first_listed), d("2884"));
}

/// From the file to the fill: a scenario maps the data's spread column, and each fill
/// pays half of its own bar's spread.
#[test]
fn a_spread_column_in_the_data_reaches_the_fills() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("bars.csv"),
        "timestamp,open,high,low,close,volume,quoted\n\
         2020-01-02,100,101,99,100,1000,0.10\n\
         2020-01-03,100,101,99,100,1000,0.30\n\
         2020-01-06,100,101,99,100,1000,0.50\n",
    )
    .unwrap();
    let text = r#"name = "data_spread"
cash = 100000
benchmark = false
[[instruments]]
symbol = "X"
data = "bars.csv"
columns = { spread = "quoted" }
[strategy]
kind = "buy_and_hold"
[sizing]
kind = "fixed_qty"
qty = 10
[venue.slippage]
model = "half_spread"
spread = "data"
"#;
    let path = dir.path().join("s.toml");
    let scenario = slipstream::scenario::parse_str(text, &path, &[]).unwrap();
    let out = slipstream::backtest::run(&scenario).unwrap().main;
    // Decided on 2020-01-02, filled at the next open: half of that bar's 0.30.
    assert_eq!(
        (out.fills[0].px, out.fills[0].spread_per_unit),
        (d("100.15"), d("0.15"))
    );
}

fn run_all_cash(venues: &[VenueSpec], shared: &VenueConfig, plan: Vec<(usize, usize, Signal)>) -> RunOutcome {
    let instruments = vec![Instrument::equity("S0")];
    let data = vec![flat_bars(6)];
    let simulation = Simulation {
        risk: &Default::default(),
        execution: Default::default(),
        instruments: &instruments,
        bars: &data,
        spreads: &[],
        venue: shared,
        venues,
        sizing: SizingConfig::AllCash,
        periods_per_year: 252.0,
        cash: d("100000"),
        seed: 7,
    };
    simulation.run("scripted", Box::new(Scripted::new(1, plan))).unwrap().0
}

/// A reversal sends an exit and then an all-cash entry that needs the exit's proceeds:
/// both go to one venue, so they fill in that order and the run ends short, as it does
/// with a single venue.
#[test]
fn a_reversal_on_two_venues_ends_where_it_does_on_one() {
    let shared = VenueConfig {
        slippage: SlippageConfig::HalfSpread {
            spread: Spread::Fixed(d("0.02")),
        },
        ..VenueConfig::default()
    };
    let mut wide = venue("wide", "0.5", "0");
    wide.spread = Some(Spread::Fixed(d("0.10")));
    let mut tight = venue("tight", "0.5", "0");
    tight.spread = Some(Spread::Fixed(d("0.02")));
    let plan = vec![(0, 0, long()), (0, 2, Signal::new(0, Intent::Short))];
    let one = run_all_cash(&[], &shared, plan.clone());
    let two = run_all_cash(&[wide, tight], &shared, plan);
    let position = |out: &RunOutcome| out.fills.iter().map(|f| f.side.sign() * f.qty).sum::<Decimal>();
    assert!(position(&one) < Decimal::ZERO, "short after the reversal on one venue");
    assert_eq!(position(&two), position(&one));
    let reasons: Vec<RouteReason> = two.routes.decisions.iter().map(|r| r.reason).collect();
    assert_eq!(
        reasons,
        [
            RouteReason::LowestCost,
            RouteReason::LowestCost,
            RouteReason::WithWorking
        ]
    );
}

/// One listed venue with the whole volume and no terms of its own is the default venue
/// under another name: the same orders and fills.
#[test]
fn one_listed_venue_with_the_whole_volume_changes_nothing() {
    let mut shared = volume_share();
    shared.participation_max = Some(d("0.001"));
    let plan = vec![(0, 0, long()), (0, 3, Signal::new(0, Intent::Flat))];
    let listed = VenueSpec {
        commission: None,
        ..venue("only", "1", "0")
    };
    let default = run_all_cash(&[], &shared, plan.clone());
    let named = run_all_cash(&[listed], &shared, plan);
    assert_eq!(named.fills, default.fills);
    assert_eq!(named.orders, default.orders);
    assert_eq!(named.equity, default.equity);
    assert!(!default.fills.is_empty());
}

/// The quote prices what a fill would really get, tick rounding included: half of a
/// 0.015 spread fills at 100.01 on a 0.01 tick, dearer than half of 0.02 with no fee.
#[test]
fn quotes_round_to_the_tick_as_fills_do() {
    let mut a = venue("a", "0.5", "0");
    a.spread = Some(Spread::Fixed(d("0.02")));
    let mut b = venue("b", "0.5", "0.001");
    b.spread = Some(Spread::Fixed(d("0.015")));
    let out = run(flat_bars(3), None, &VenueConfig::default(), &[a, b], "1000", long());
    let totals: Vec<Decimal> = out.routes.decisions[0].quotes.iter().map(|q| q.total()).collect();
    assert_eq!(totals, [d("10"), d("11")]);
    assert_eq!(out.fills[0].venue, 0);
}

/// Ten weekdays from 2020-01-02 of flat bars at 100, the data's spread alternating 0.4
/// and 0.02, and a signals file: long with a stop-loss and a take-profit on the first
/// day, flat on the sixth.
fn write_worked_run_files(dir: &std::path::Path) {
    let days = [
        "2020-01-02",
        "2020-01-03",
        "2020-01-06",
        "2020-01-07",
        "2020-01-08",
        "2020-01-09",
        "2020-01-10",
        "2020-01-13",
        "2020-01-14",
        "2020-01-15",
    ];
    let mut bars = String::from("timestamp,open,high,low,close,volume,quoted\n");
    for (i, day) in days.iter().enumerate() {
        let spread = if i % 2 == 0 { "0.4" } else { "0.02" };
        bars.push_str(&format!("{day},100,100,100,100,1000000,{spread}\n"));
    }
    std::fs::write(dir.join("bars.csv"), bars).unwrap();
    std::fs::write(
        dir.join("signals.csv"),
        "timestamp,symbol,side,stop_loss,take_profit\n\
         2020-01-02,X,long,90,110\n\
         2020-01-09,X,flat,,\n",
    )
    .unwrap();
}

/// Worked by TWAP: three slices a day apart.
// Four daily slices from a Thursday: the weekend's two come due at the Monday close,
// exactly at the window's end, so each parent sends three children and fills whole.
const TWAP: &str = "[execution]\nalgo = \"twap\"\nduration = \"4d\"\nslices = 4\n";

/// A scenario trading X with `execution` and `more` (TOML: venues, risk limits).
fn worked_run(dir: &std::path::Path, execution: &str, more: &str) -> slipstream::backtest::result::RunResult {
    write_worked_run_files(dir);
    let text = format!(
        r#"name = "worked_on_two_venues"
cash = 1000000
benchmark = false
[[instruments]]
symbol = "X"
data = "bars.csv"
columns = {{ spread = "quoted" }}
[strategy]
kind = "signals_file"
path = "signals.csv"
[sizing]
kind = "fixed_qty"
qty = 900
[venue.slippage]
model = "half_spread"
spread = "data"
{execution}
{more}"#
    );
    let path = dir.join("s.toml");
    let scenario = slipstream::scenario::parse_str(&text, &path, &[]).unwrap();
    slipstream::backtest::run(&scenario).unwrap()
}

/// One venue quoting the data's spread, one a fixed 0.1: the data's 0.4 days send a
/// child to the fixed venue, its 0.02 days to the quoted one.
const QUOTED_AND_FIXED: &str = r#"
[[venues]]
name = "quoted"
volume_fraction = 0.5
spread = "data"
[[venues]]
name = "fixed"
volume_fraction = 0.5
spread = 0.1
"#;

fn csv_rows(bytes: &[u8]) -> (Vec<String>, Vec<Vec<String>>) {
    let mut reader = csv::Reader::from_reader(bytes);
    let header = reader.headers().unwrap().iter().map(str::to_string).collect();
    let rows = reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect();
    (header, rows)
}

fn column(header: &[String], name: &str) -> usize {
    header
        .iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("no column {name} in {header:?}"))
}

/// With two venues and TWAP the router sees children; routing.csv names each one's
/// parent, an order of orders.csv, and the fills and venue columns of the parent's
/// reports name every venue its children went to.
#[test]
fn children_routed_to_two_venues_are_reported_under_their_parents() {
    use slipstream::execution::CHILD_ID_BASE;
    use slipstream::report::{routing, slippage, slippage_writer, tables};
    let dir = tempfile::tempdir().unwrap();
    let result = worked_run(dir.path(), TWAP, QUOTED_AND_FIXED);
    let out = &result.main;
    let parents = &out.execution.parents;
    assert_eq!(parents.len(), 2, "the entry and the exit are worked: {parents:?}");
    let parent_of = |child: u64| {
        parents
            .iter()
            .find(|p| p.children.contains(&child))
            .map(|p| p.parent_id)
    };

    let (header, rows) = csv_rows(&routing::routing_csv(&result).unwrap());
    assert_eq!(header[..2], ["parent_id", "order_id"]);
    let (parent_col, order_col, venue_col) = (
        column(&header, "parent_id"),
        column(&header, "order_id"),
        column(&header, "routed_to"),
    );
    let order_ids: Vec<String> = out.orders.iter().map(|o| o.id.to_string()).collect();
    let (orders_header, orders_rows) = csv_rows(&tables::orders_csv(&result).unwrap());
    let orders_csv_ids: Vec<&str> = orders_rows
        .iter()
        .map(|r| r[column(&orders_header, "id")].as_str())
        .collect();
    let mut routed_children: Vec<u64> = Vec::new();
    let mut protective = 0;
    for row in &rows {
        let (parent, order): (u64, u64) = (row[parent_col].parse().unwrap(), row[order_col].parse().unwrap());
        assert!(
            order_ids.contains(&row[parent_col]),
            "parent {parent} is an engine order"
        );
        assert!(
            orders_csv_ids.contains(&row[parent_col].as_str()),
            "parent {parent} is in orders.csv"
        );
        if order >= CHILD_ID_BASE {
            assert_eq!(
                Some(parent),
                parent_of(order),
                "child {order} names the parent that sent it"
            );
            if routed_children.last() != Some(&order) {
                routed_children.push(order);
            }
        } else {
            // A protective leg goes as it is: its own parent.
            assert_eq!(parent, order);
            protective += 1;
        }
    }
    let logged: Vec<u64> = parents.iter().flat_map(|p| p.children.iter().copied()).collect();
    assert_eq!(
        routed_children, logged,
        "every child was routed, once, in the order sent"
    );
    assert!(
        protective >= 2,
        "the stop-loss and take-profit legs are routed as they are"
    );

    // The entry's children went to both venues (the precondition of what follows).
    let entry = parents[0].parent_id;
    let venues_of = |parent: u64| -> Vec<&str> {
        let mut v: Vec<&str> = rows
            .iter()
            .filter(|r| r[parent_col] == parent.to_string())
            .map(|r| r[venue_col].as_str())
            .collect();
        v.sort_unstable();
        v.dedup();
        v
    };
    assert_eq!(venues_of(entry), ["fixed", "quoted"]);

    // fills.csv books the children's fills under the parent, each with its own venue.
    let (fills_header, fills_rows) = csv_rows(&tables::fills_csv(&result).unwrap());
    let (fill_order, fill_venue) = (column(&fills_header, "order_id"), column(&fills_header, "venue"));
    let entry_fills: Vec<&str> = fills_rows
        .iter()
        .filter(|r| r[fill_order] == entry.to_string())
        .map(|r| r[fill_venue].as_str())
        .collect();
    let child_venues: Vec<&str> = out
        .execution
        .child_fills
        .iter()
        .filter(|f| parent_of(f.order_id) == Some(entry))
        .map(|f| {
            let decision = out.routes.decision(f.order_id).unwrap();
            assert_eq!(decision.venue, f.venue, "a child fills where it was routed");
            out.routes.name(f.venue)
        })
        .collect();
    assert_eq!(entry_fills, child_venues);
    assert!(entry_fills.contains(&"fixed") && entry_fills.contains(&"quoted"));

    // orders.csv and slippage.csv name both venues for the split parent.
    let entry_row = orders_rows.iter().find(|r| r[0] == entry.to_string()).unwrap();
    assert_eq!(entry_row[column(&orders_header, "venue")], "quoted+fixed");
    let costs = slippage::order_costs(&result);
    let (slip_header, slip_rows) = csv_rows(&slippage_writer::slippage_csv(&result, &costs).unwrap());
    let slip_entry = slip_rows.iter().find(|r| r[0] == entry.to_string()).unwrap();
    assert_eq!(slip_entry[column(&slip_header, "venue")], "quoted+fixed");
    let summary = slippage::aggregate(&result, &costs);
    let groups: Vec<&str> = summary
        .by_venue
        .as_ref()
        .unwrap()
        .iter()
        .map(|g| g.group.as_str())
        .collect();
    assert!(
        groups.contains(&"quoted+fixed"),
        "a split parent is its own group: {groups:?}"
    );

    // The Routing section counts routed orders (children included) and parents apart.
    let routing_summary = routing::routing_summary(&result);
    let routed: usize = routing_summary.venues.iter().map(|v| v.routed_orders).sum();
    assert_eq!(routed, out.routes.decisions.len());
    let routed_rows = rows.iter().filter(|r| r[column(&header, "chosen")] == "true").count();
    assert_eq!(routed, routed_rows);
    for v in &routing_summary.venues {
        let parents_here = orders_rows
            .iter()
            .filter(|r| r[column(&orders_header, "venue")].split('+').any(|n| n == v.name))
            .count();
        assert_eq!(
            v.parent_orders, parents_here,
            "{}: parents counted once per venue",
            v.name
        );
        assert!(
            v.routed_orders > v.parent_orders,
            "{}: children outnumber parents",
            v.name
        );
    }
    let mut md = String::new();
    routing::routing_markdown(&mut md, &result, &routing_summary);
    assert!(md.contains("| Venue | Routed orders | Parent orders |"), "{md}");
}

/// With one venue the router logs nothing, and routing.csv still lists what reached the
/// venue: the children, each with its parent, not the parents themselves.
#[test]
fn with_one_venue_routing_csv_lists_the_children_under_their_parents() {
    use slipstream::report::routing;
    let dir = tempfile::tempdir().unwrap();
    let result = worked_run(dir.path(), TWAP, "");
    let out = &result.main;
    assert!(out.routes.decisions.is_empty());
    let (header, rows) = csv_rows(&routing::routing_csv(&result).unwrap());
    let pairs: Vec<(u64, u64)> = rows
        .iter()
        .map(|r| {
            (
                r[column(&header, "parent_id")].parse().unwrap(),
                r[column(&header, "order_id")].parse().unwrap(),
            )
        })
        .collect();
    let mut expected: Vec<(u64, u64)> = Vec::new();
    for o in &out.orders {
        match out.execution.parents.iter().find(|p| p.parent_id == o.id) {
            Some(p) => expected.extend(p.children.iter().map(|&c| (o.id, c))),
            None => expected.push((o.id, o.id)),
        }
    }
    assert_eq!(pairs, expected);
    assert!(rows.iter().all(|r| r[column(&header, "reason")] == "only_venue"));
    let summary = routing::routing_summary(&result);
    assert_eq!(summary.venues[0].routed_orders, rows.len());
    assert_eq!(summary.venues[0].parent_orders, out.orders.len());
}

/// What the risk guard refused never reached the venue: with one venue (where the
/// router logs nothing) routing.csv leaves it out and orders.csv names no venue for it,
/// whether the order went as it is or through children.
#[test]
fn with_one_venue_refused_orders_and_children_are_not_routed() {
    use slipstream::report::{routing, tables};
    for execution in ["", TWAP] {
        let dir = tempfile::tempdir().unwrap();
        // The 900-share entry, and each of its 225-share children, is over the limit.
        let result = worked_run(dir.path(), execution, "[risk]\nmax_order_qty = 200\n");
        let out = &result.main;
        assert!(out.fills.is_empty(), "{execution}: nothing traded");
        assert!(!out.risk.rejections.is_empty(), "{execution}: the guard refused");
        let (_, rows) = csv_rows(&routing::routing_csv(&result).unwrap());
        assert!(rows.is_empty(), "{execution}: nothing reached the venue: {rows:?}");
        let (header, rows) = csv_rows(&tables::orders_csv(&result).unwrap());
        assert!(
            rows.iter().all(|r| r[column(&header, "venue")].is_empty()),
            "{execution}: {rows:?}"
        );
        assert_eq!(routing::routing_summary(&result).venues[0].routed_orders, 0);
    }
}
