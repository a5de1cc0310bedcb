//! The latency of successful requests as a cumulative distribution: for any
//! latency on the x axis, the share of successes at least that fast. p50, p95
//! and p99 are marked, and so is the latency budget, with the share inside it.
//! The curve is drawn through the quantiles of the simulation's latency
//! histogram (see [`super::build::latency_of`]), never through the raw
//! latencies, so its size does not depend on how many requests were simulated.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::ChartError;
use super::data::LatencyData;
use super::style::{self, Axis};
use crate::format;

pub fn title(d: &LatencyData) -> String {
    format!(
        "Latency of successful requests (n = {})",
        format::count(d.count as f64)
    )
}

fn valid(x: f64) -> bool {
    x.is_finite() && x >= 0.0
}

/// The CDF points of `d` that make sense, by share, with latencies made
/// non-decreasing (a CDF's quantiles cannot go down). Data written by
/// [`super::build::latency_of`] is already so; a hand-written file may not be.
pub(super) fn curve_points(d: &LatencyData) -> Vec<(f64, f64)> {
    let mut points: Vec<(f64, f64)> = d
        .quantiles
        .iter()
        .map(|&[q, x]| (q, x))
        .filter(|&(q, x)| (0.0..=1.0).contains(&q) && valid(x))
        .collect();
    points.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut highest = 0.0f64;
    for p in &mut points {
        highest = highest.max(p.1);
        p.1 = highest;
    }
    points
}

/// The q-quantile of the curve: the latency of its first point of share at
/// least `q` (nearest rank on the quantile grid). `points` is not empty.
pub(super) fn quantile(points: &[(f64, f64)], q: f64) -> f64 {
    let i = points.partition_point(|p| p.0 < q - 1e-9);
    points[i.min(points.len() - 1)].1
}

/// The share of the curve at most `x`: the share of its last point not past
/// `x`, 0 before the first.
fn share_at_most(points: &[(f64, f64)], x: f64) -> f64 {
    match points.partition_point(|p| p.1 <= x) {
        0 => 0.0,
        i => points[i - 1].0,
    }
}

/// The plot of latency CDFs over `x_lo..x_hi` ms: latency across (in
/// seconds from 2 s up, and then `true` is returned), the share of
/// successes up the side in percent.
pub(super) fn cdf_plot<'a, DB>(
    area: &'a DrawingArea<DB, Shift>,
    title: &str,
    x_lo: f64,
    x_hi: f64,
) -> Result<(style::Plot<'a, DB>, bool), ChartError>
where
    DB: DrawingBackend,
    DB::ErrorType: 'static,
{
    let seconds = x_hi >= 2000.0;
    let x_axis = Axis::linear(x_lo, x_hi * 1.02, move |x, step| {
        if seconds {
            style::plain_tick(x / 1000.0, step / 1000.0)
        } else {
            style::plain_tick(x, step)
        }
    });
    let y_axis = Axis::linear(0.0, 100.0, |y, step| {
        format!("{}%", style::plain_tick(y, step))
    });
    let y_width = style::widest_label(&y_axis);
    Ok((style::plot(area, title, x_axis, y_axis, y_width)?, seconds))
}

pub fn draw<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    d: &LatencyData,
) -> Result<(), ChartError>
where
    DB::ErrorType: 'static,
{
    let title = title(d);
    let points = curve_points(d);
    if points.is_empty() || d.count == 0 {
        return style::no_data(area, &title, "no successful request to show");
    }
    let n = d.count;
    let budget = d.budget_ms.filter(|b| valid(*b));

    // A far tail would squeeze the body of the curve into a corner: cut the
    // axis at 1.5 x p99.9 (the curve leaves the plot there, nearly at 100%).
    let max = points[points.len() - 1].1;
    let x_data_hi = max.min(quantile(&points, 0.999) * 1.5);
    let x_hi = x_data_hi.max(budget.unwrap_or(0.0) * 1.06).max(1.0);
    let min = points[0].1;
    let x_lo = if min < 0.4 * x_hi {
        0.0
    } else {
        (min - 0.08 * (x_hi - min)).max(0.0)
    };
    let (mut plot, seconds) = cdf_plot(area, &title, x_lo, x_hi)?;
    let mut x_desc = if seconds {
        "latency (s)".to_owned()
    } else {
        "latency (ms)".to_owned()
    };
    if max > x_hi * 1.02 {
        x_desc.push_str(&format!(
            ", axis cut at {}: slowest {}",
            format::duration(x_hi),
            format::duration(max)
        ));
    }
    style::mesh(&mut plot, &x_desc, "share of successful requests")?;

    let x_end = x_hi * 1.02;
    let mut curve: Vec<(f64, f64)> = points
        .iter()
        .filter(|(_, x)| *x <= x_end)
        .map(|&(q, x)| (x, q * 100.0))
        .collect();
    if max > x_end {
        // Up to the edge, where the curve leaves the plot.
        curve.push((x_end, share_at_most(&points, x_end) * 100.0));
    }
    // Start on the x axis, so one latency still draws a visible step.
    curve.insert(0, (min, 0.0));
    let line = style::BLUE.stroke_width(3);
    plot.draw_series(LineSeries::new(curve, line))?
        .label(format!(
            "successful requests (n = {})",
            format::count(n as f64)
        ))
        .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], line));

    if let Some(b) = budget {
        let within = d
            .within_budget
            .filter(|w| (0.0..=1.0).contains(w))
            .unwrap_or_else(|| share_at_most(&points, b));
        let dashed = style::VERMILLION.stroke_width(2);
        plot.draw_series(DashedLineSeries::new(
            vec![(b, 0.0), (b, 100.0)],
            8,
            5,
            dashed,
        ))?
        .label(format!(
            "latency budget {} ({} of successes within)",
            format::duration(b),
            format::percent(within)
        ))
        .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], dashed));
        plot.plotting_area().draw(
            &(EmptyElement::at((b, 100.0))
                + Text::new(
                    format!("budget {}", format::duration(b)),
                    (-8, 14),
                    style::right(style::note_style().color(&style::VERMILLION)),
                )),
        )?;
    }

    let marks = [(0.5, "p50"), (0.95, "p95"), (0.99, "p99")];
    let marker = style::BLACK.filled();
    plot.draw_series(marks.iter().map(|(q, _)| {
        let x = quantile(&points, *q);
        Circle::new((x, q * 100.0), 5, marker)
    }))?
    .label("p50 / p95 / p99")
    .legend(move |(x, y)| Circle::new((x + 10, y), 5, marker));
    for i in 1..20 {
        let q = f64::from(i) * 0.05;
        let x = quantile(&points, q);
        if x <= x_end {
            super::hover(plot.backend_coord(&(x, q * 100.0)), || {
                format!(
                    "{:.0}% of successes within {}",
                    q * 100.0,
                    format::duration(x)
                )
            });
        }
    }
    for (q, name) in marks {
        let x = quantile(&points, q);
        super::hover(plot.backend_coord(&(x, q * 100.0)), || {
            format!("{name}: {}", format::duration(x))
        });
        // Left of the curve: the curve rises to the right of its quantiles.
        plot.plotting_area().draw(
            &(EmptyElement::at((x, q * 100.0))
                + Text::new(
                    format!("{name} {}", format::duration(x)),
                    (-10, 0),
                    style::right(style::label_style()),
                )),
        )?;
    }

    style::legend(&mut plot, SeriesLabelPosition::LowerRight)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::super::*;

    #[test]
    fn latency_svg_has_quantiles_budget_and_units() {
        let svg = renders_everywhere(&Chart::LatencyCdf(latency_sample(1_000_000)));
        svg.expect_text("Latency of successful requests (n = 1,000,000)");
        svg.expect_text("latency (s)");
        svg.expect_text("share of successful requests");
        svg.expect_text("budget 15.00 s");
        for mark in ["p50 ", "p95 ", "p99 "] {
            svg.expect_text(mark);
        }
        svg.expect_text("100%");
        svg.expect_text("successful requests (n = 1,000,000)");
        svg.expect_text("latency budget 15.00 s");
        // The curve is drawn from 1,001 quantiles, not a million latencies.
        assert!(svg.count("polyline") >= 2, "{:?}", svg.elements);
        assert!(svg.count("circle") >= 3);
    }

    #[test]
    fn short_latencies_are_in_milliseconds() {
        let d = latency_of_values(&[120.0, 340.0, 560.0, 800.0], None);
        let svg = renders_everywhere(&Chart::LatencyCdf(d));
        svg.expect_text("latency (ms)");
        assert!(!svg.has_text("budget"));
    }

    #[test]
    fn the_curve_is_the_histogram_quantiles() {
        // 1,000 evenly spread latencies: the quantile of share i/1000 is the
        // i-th, within the histogram's error.
        let values: Vec<f64> = (1..=1000).map(|i| f64::from(i) * 10.0).collect();
        let d = latency_of_values(&values, Some(5000.0));
        assert_eq!(d.count, 1000);
        assert_eq!(d.quantiles.len(), 1001);
        assert_eq!(d.quantiles[0], [0.0, 10.0]);
        assert_eq!(d.quantiles[1000], [1.0, 10_000.0]);
        let [q, x] = d.quantiles[500];
        assert_eq!(q, 0.5);
        assert!((x - 5000.0).abs() <= 5000.0 * crate::model::histogram::RELATIVE_ERROR);
        assert_eq!(d.within_budget, Some(0.5));
        let svg = renders_everywhere(&Chart::LatencyCdf(d));
        svg.expect_text("(50.00% of successes within)");
    }

    #[test]
    fn degenerate_latencies_do_not_panic() {
        for (latencies_ms, budget_ms) in [
            (vec![], Some(1000.0)),
            (vec![f64::NAN, -1.0, f64::INFINITY], None),
            (vec![500.0], Some(f64::NAN)),
            (vec![500.0; 1000], Some(0.0)),
            (vec![0.0, 0.0], Some(1e12)),
            (vec![1.0, 1e15], None),
        ] {
            renders_everywhere(&Chart::LatencyCdf(latency_of_values(
                &latencies_ms,
                budget_ms,
            )));
        }
        // Hand-written data: shares out of range, NaN, quantiles going down, a
        // count that disagrees with the points.
        for (count, quantiles, within_budget) in [
            (0, vec![[0.5, 100.0]], None),
            (10, vec![], Some(2.0)),
            (10, vec![[f64::NAN, 1.0], [2.0, 5.0], [-1.0, 3.0]], None),
            (
                10,
                vec![[0.0, 900.0], [0.5, 100.0], [1.0, f64::NAN]],
                Some(f64::NAN),
            ),
            (u64::MAX, vec![[1.0, 5.0]], Some(0.5)),
        ] {
            renders_everywhere(&Chart::LatencyCdf(LatencyData {
                count,
                quantiles,
                budget_ms: Some(500.0),
                within_budget,
            }));
        }
    }
}
