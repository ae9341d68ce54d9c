//! SVG charts of the equity curve and its drawdown, drawn with plotters' SVG backend
//! (SVG text needs no font files, and the output is plain text, identical run to run).
//!
//! Series are plotted against the equity point's index (so weekends and overnight gaps
//! take no room) and the x ticks are labelled with the dates of those points. Curves with
//! more points than the chart has pixels are thinned to each bucket's minimum and maximum,
//! which keeps every peak and trough visible.

use super::format::fixed;
use super::metrics::drawdown_series;
use super::tables::equity_f64;
use crate::backtest::result::RunResult;
use crate::model::Timestamp;
use plotters::prelude::*;

pub const WIDTH: u32 = 1000;
pub const HEIGHT: u32 = 500;
/// Above this many points a series is thinned to bucket minima and maxima.
const MAX_POINTS: usize = 2 * WIDTH as usize;

const STRATEGY_COLOR: RGBColor = RGBColor(31, 119, 180);
const BENCHMARK_COLOR: RGBColor = RGBColor(255, 127, 14);
const DRAWDOWN_COLOR: RGBColor = RGBColor(214, 39, 40);
const GRID_COLOR: RGBColor = RGBColor(225, 225, 225);

/// `equity.svg`: the strategy's equity and, when there is one, the benchmark's.
pub fn equity_svg(result: &RunResult) -> Result<String, String> {
    let ts: Vec<Timestamp> = result.main.equity.iter().map(|p| p.ts).collect();
    let strategy = equity_f64(&result.main);
    let benchmark = result.benchmark.as_ref().map(equity_f64);
    let all = strategy.iter().chain(benchmark.iter().flatten());
    let (lo, hi) = padded_range(all.copied());
    let y_decimals = tick_decimals(lo, hi);
    let title = format!("Equity: {}", result.scenario.name);
    let y_desc = format!("Equity ({})", result.scenario.currency);
    let frame = Frame {
        title: &title,
        y_range: (lo, hi),
        y_desc: &y_desc,
        y_decimals,
        y_suffix: "",
        legend: true,
    };
    render(&frame, &ts, |chart| {
        chart
            .draw_series(LineSeries::new(thin(&strategy), STRATEGY_COLOR.stroke_width(2)))
            .map_err(|e| e.to_string())?
            .label(format!("strategy ({})", result.main.strategy))
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], STRATEGY_COLOR.stroke_width(2)));
        if let (Some(bench), Some(outcome)) = (&benchmark, &result.benchmark) {
            chart
                .draw_series(LineSeries::new(thin(bench), BENCHMARK_COLOR.stroke_width(1)))
                .map_err(|e| e.to_string())?
                .label(format!("benchmark ({})", outcome.strategy))
                .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], BENCHMARK_COLOR.stroke_width(2)));
        }
        Ok(())
    })
}

/// `drawdown.svg`: the strategy's drawdown from its running peak, in percent, as a
/// filled area below zero.
pub fn drawdown_svg(result: &RunResult) -> Result<String, String> {
    let ts: Vec<Timestamp> = result.main.equity.iter().map(|p| p.ts).collect();
    let dd: Vec<f64> = drawdown_series(&equity_f64(&result.main))
        .iter()
        .map(|d| d * 100.0)
        .collect();
    let lo = dd.iter().copied().fold(0.0, f64::min);
    let lo = if lo < 0.0 { lo * 1.05 } else { -1.0 };
    // A little room above zero so the top tick label clears the title.
    let hi = -lo * 0.02;
    let title = format!("Drawdown: {}", result.scenario.name);
    let frame = Frame {
        title: &title,
        y_range: (lo, hi),
        y_desc: "Drawdown from peak",
        y_decimals: tick_decimals(lo, hi),
        y_suffix: "%",
        legend: false,
    };
    render(&frame, &ts, |chart| {
        chart
            .draw_series(
                AreaSeries::new(thin(&dd), 0.0, DRAWDOWN_COLOR.mix(0.3)).border_style(DRAWDOWN_COLOR.stroke_width(1)),
            )
            .map_err(|e| e.to_string())?;
        Ok(())
    })
}

type Chart<'a, 'b> = ChartContext<
    'a,
    SVGBackend<'b>,
    Cartesian2d<plotters::coord::types::RangedCoordf64, plotters::coord::types::RangedCoordf64>,
>;

/// What surrounds the series of one chart.
struct Frame<'a> {
    title: &'a str,
    y_range: (f64, f64),
    y_desc: &'a str,
    y_decimals: usize,
    y_suffix: &'a str,
    /// Draw a legend of the labelled series.
    legend: bool,
}

/// Draws the frame (title, axes with date ticks, grid), hands the chart to `series`, then
/// draws the legend if asked.
fn render(
    frame: &Frame<'_>,
    ts: &[Timestamp],
    series: impl FnOnce(&mut Chart<'_, '_>) -> Result<(), String>,
) -> Result<String, String> {
    let &Frame {
        title,
        y_range: (y_lo, y_hi),
        y_desc,
        y_decimals,
        y_suffix,
        legend,
    } = frame;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, HEIGHT)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| e.to_string())?;
        let x_hi = ts.len().saturating_sub(1).max(1) as f64;
        let mut chart = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", 22))
            .margin(15)
            .margin_right(45)
            .x_label_area_size(45)
            .y_label_area_size(85)
            .build_cartesian_2d(0.0..x_hi, y_lo..y_hi)
            .map_err(|e| e.to_string())?;
        let date_format = date_format(ts);
        let x_label = |x: &f64| tick_date(ts, *x, date_format);
        let y_label = |y: &f64| format!("{}{y_suffix}", fixed(*y, y_decimals));
        let x_desc = if ts.is_empty() { "Date (no data)" } else { "Date" };
        chart
            .configure_mesh()
            .x_labels(8)
            .y_labels(8)
            .x_label_formatter(&x_label)
            .y_label_formatter(&y_label)
            .x_desc(x_desc)
            .y_desc(y_desc)
            .light_line_style(GRID_COLOR.mix(0.25))
            .bold_line_style(GRID_COLOR)
            .label_style(("sans-serif", 13))
            .axis_desc_style(("sans-serif", 15))
            .draw()
            .map_err(|e| e.to_string())?;
        series(&mut chart)?;
        if legend {
            chart
                .configure_series_labels()
                .position(SeriesLabelPosition::UpperLeft)
                .background_style(WHITE.mix(0.85))
                .border_style(BLACK.mix(0.4))
                .label_font(("sans-serif", 14))
                .draw()
                .map_err(|e| e.to_string())?;
        }
        root.present().map_err(|e| e.to_string())?;
    }
    Ok(svg)
}

/// Enough decimals to tell apart about eight ticks over `lo..hi` (at most 4).
pub(crate) fn tick_decimals(lo: f64, hi: f64) -> usize {
    let step = (hi - lo) / 8.0;
    if !(step.is_finite() && step > 0.0) {
        return 0;
    }
    (-step.log10()).ceil().clamp(0.0, 4.0) as usize
}

/// Dates only when the curve spans days; date and time for intraday curves.
fn date_format(ts: &[Timestamp]) -> &'static str {
    match (ts.first(), ts.last()) {
        (Some(first), Some(last)) if last.secs_since(*first) < 5.0 * 86_400.0 => "%m-%d %H:%M",
        _ => "%Y-%m-%d",
    }
}

fn tick_date(ts: &[Timestamp], x: f64, format: &str) -> String {
    // Ticks between two points (short curves) would repeat a neighbour's date.
    if ts.is_empty() || !x.is_finite() || x < -0.5 || (x - x.round()).abs() > 1e-9 {
        return String::new();
    }
    let idx = (x.round() as usize).min(ts.len() - 1);
    ts[idx].to_naive().format(format).to_string()
}

/// A y range covering `values` with 5% room at each end (never empty).
pub(crate) fn padded_range(values: impl Iterator<Item = f64>) -> (f64, f64) {
    let (lo, hi) = values
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| (lo.min(v), hi.max(v)));
    if lo > hi {
        return (0.0, 1.0);
    }
    let pad = if hi > lo {
        (hi - lo) * 0.05
    } else {
        (hi.abs() * 0.01).max(1.0)
    };
    (lo - pad, hi + pad)
}

/// `(index, value)` points, thinned to each bucket's minimum and maximum (in index order)
/// when there are more than [`MAX_POINTS`].
fn thin(values: &[f64]) -> Vec<(f64, f64)> {
    if values.len() <= MAX_POINTS {
        return values.iter().enumerate().map(|(i, v)| (i as f64, *v)).collect();
    }
    let bucket = values.len().div_ceil(MAX_POINTS / 2);
    let mut points = Vec::with_capacity(MAX_POINTS + 2);
    for (b, chunk) in values.chunks(bucket).enumerate() {
        let start = b * bucket;
        let (mut min_i, mut max_i) = (0, 0);
        for (i, v) in chunk.iter().enumerate() {
            if *v < chunk[min_i] {
                min_i = i;
            }
            if *v > chunk[max_i] {
                max_i = i;
            }
        }
        let (a, c) = if min_i <= max_i { (min_i, max_i) } else { (max_i, min_i) };
        points.push(((start + a) as f64, chunk[a]));
        if c != a {
            points.push(((start + c) as f64, chunk[c]));
        }
    }
    if let Some(&last) = values.last() {
        let idx = (values.len() - 1) as f64;
        if points.last().is_none_or(|p| p.0 != idx) {
            points.push((idx, last));
        }
    }
    points
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thinning_keeps_extremes_and_ends() {
        let mut values: Vec<f64> = (0..10_000).map(|i| (i % 7) as f64).collect();
        values[5_000] = -50.0;
        values[7_000] = 80.0;
        let points = thin(&values);
        assert!(points.len() <= MAX_POINTS + 1);
        assert!(points.contains(&(5_000.0, -50.0)));
        assert!(points.contains(&(7_000.0, 80.0)));
        assert_eq!(points.last(), Some(&(9_999.0, values[9_999])));
        assert!(points.windows(2).all(|w| w[0].0 < w[1].0));
        assert_eq!(thin(&[1.0, 2.0]), vec![(0.0, 1.0), (1.0, 2.0)]);
    }

    #[test]
    fn tick_labels() {
        assert_eq!(tick_decimals(9_800.0, 10_400.0), 0);
        assert_eq!(tick_decimals(-2.1, 0.04), 1);
        assert_eq!(tick_decimals(-0.05, 0.0), 3);
        assert_eq!(tick_decimals(1.0, 1.0), 0);
        let ts = [Timestamp(0), Timestamp(86_400_000_000_000)];
        assert_eq!(tick_date(&ts, 1.0, "%Y-%m-%d"), "1970-01-02");
        assert_eq!(tick_date(&ts, 0.5, "%Y-%m-%d"), "");
        assert_eq!(tick_date(&ts, 7.0, "%Y-%m-%d"), "1970-01-02");
    }

    #[test]
    fn ranges_are_never_empty() {
        assert_eq!(padded_range([].into_iter()), (0.0, 1.0));
        let (lo, hi) = padded_range([100.0, 100.0].into_iter());
        assert!(lo < 100.0 && hi > 100.0);
        assert_eq!(padded_range([0.0, 10.0].into_iter()), (-0.5, 10.5));
    }
}
