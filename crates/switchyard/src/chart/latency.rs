//! The latency of successful requests as a cumulative distribution: for any
//! latency on the x axis, the share of successes at least that fast. p50, p95
//! and p99 are marked, and so is the latency budget, with the share inside it.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::ChartError;
use super::data::LatencyData;
use super::style::{self, Axis};
use crate::report;

/// Quantile points drawn: a million latencies draw as 501 points, the same
/// curve to the eye.
const CURVE_POINTS: usize = 500;

pub fn title(d: &LatencyData) -> String {
    let n = d.latencies_ms.iter().filter(|x| valid(**x)).count();
    format!(
        "Latency of successful requests (n = {})",
        report::count(n as f64)
    )
}

fn valid(x: f64) -> bool {
    x.is_finite() && x >= 0.0
}

/// The q-quantile of sorted, non-empty `xs` (nearest rank).
fn quantile(sorted: &[f64], q: f64) -> f64 {
    let i = (q.clamp(0.0, 1.0) * (sorted.len() - 1) as f64).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

pub fn draw<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    d: &LatencyData,
) -> Result<(), ChartError>
where
    DB::ErrorType: 'static,
{
    let title = title(d);
    let mut sorted: Vec<f64> = d
        .latencies_ms
        .iter()
        .copied()
        .filter(|x| valid(*x))
        .collect();
    if sorted.is_empty() {
        return style::no_data(area, &title, "no successful request to show");
    }
    sorted.sort_unstable_by(f64::total_cmp);
    let n = sorted.len();
    let budget = d.budget_ms.filter(|b| valid(*b));

    // A far tail would squeeze the body of the curve into a corner: cut the
    // axis at 1.5 x p99.9 (the curve leaves the plot there, nearly at 100%).
    let max = sorted[n - 1];
    let x_data_hi = max.min(quantile(&sorted, 0.999) * 1.5);
    let x_hi = x_data_hi.max(budget.unwrap_or(0.0) * 1.06).max(1.0);
    let min = sorted[0];
    let x_lo = if min < 0.4 * x_hi {
        0.0
    } else {
        (min - 0.08 * (x_hi - min)).max(0.0)
    };
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
    let mut plot = style::plot(area, &title, x_axis, y_axis, y_width)?;
    let mut x_desc = if seconds {
        "latency (s)".to_owned()
    } else {
        "latency (ms)".to_owned()
    };
    if max > x_hi * 1.02 {
        x_desc.push_str(&format!(
            ", axis cut at {}: slowest {}",
            report::duration(x_hi),
            report::duration(max)
        ));
    }
    style::mesh(&mut plot, &x_desc, "share of successful requests")?;

    let x_end = x_hi * 1.02;
    let mut curve: Vec<(f64, f64)> = (0..=CURVE_POINTS)
        .map(|i| {
            let q = i as f64 / CURVE_POINTS as f64;
            (quantile(&sorted, q), q * 100.0)
        })
        .filter(|(x, _)| *x <= x_end)
        .collect();
    if max > x_end {
        // Up to the edge, where the curve leaves the plot.
        let inside = sorted.partition_point(|x| *x <= x_end);
        curve.push((x_end, inside as f64 / n as f64 * 100.0));
    }
    // Start on the x axis, so one latency still draws a visible step.
    curve.insert(0, (sorted[0], 0.0));
    let line = style::BLUE.stroke_width(3);
    plot.draw_series(LineSeries::new(curve, line))?
        .label(format!(
            "successful requests (n = {})",
            report::count(n as f64)
        ))
        .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], line));

    if let Some(b) = budget {
        let within = sorted.partition_point(|x| *x <= b) as f64 / n as f64;
        let dashed = style::VERMILLION.stroke_width(2);
        plot.draw_series(DashedLineSeries::new(
            vec![(b, 0.0), (b, 100.0)],
            8,
            5,
            dashed,
        ))?
        .label(format!(
            "latency budget {} ({} of successes within)",
            report::duration(b),
            report::percent(within)
        ))
        .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], dashed));
        plot.plotting_area().draw(
            &(EmptyElement::at((b, 100.0))
                + Text::new(
                    format!("budget {}", report::duration(b)),
                    (-8, 14),
                    style::right(style::note_style().color(&style::VERMILLION)),
                )),
        )?;
    }

    let marks = [(0.5, "p50"), (0.95, "p95"), (0.99, "p99")];
    let marker = style::BLACK.filled();
    plot.draw_series(marks.iter().map(|(q, _)| {
        let x = quantile(&sorted, *q);
        Circle::new((x, q * 100.0), 5, marker)
    }))?
    .label("p50 / p95 / p99")
    .legend(move |(x, y)| Circle::new((x + 10, y), 5, marker));
    for i in 1..20 {
        let q = f64::from(i) * 0.05;
        let x = quantile(&sorted, q);
        if x <= x_end {
            super::hover(plot.backend_coord(&(x, q * 100.0)), || {
                format!(
                    "{:.0}% of successes within {}",
                    q * 100.0,
                    report::duration(x)
                )
            });
        }
    }
    for (q, name) in marks {
        let x = quantile(&sorted, q);
        super::hover(plot.backend_coord(&(x, q * 100.0)), || {
            format!("{name}: {}", report::duration(x))
        });
        // Left of the curve: the curve rises to the right of its quantiles.
        plot.plotting_area().draw(
            &(EmptyElement::at((x, q * 100.0))
                + Text::new(
                    format!("{name} {}", report::duration(x)),
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
        // The curve is downsampled: one polyline of at most ~500 points.
        assert!(svg.count("polyline") >= 2, "{:?}", svg.elements);
        assert!(svg.count("circle") >= 3);
    }

    #[test]
    fn short_latencies_are_in_milliseconds() {
        let d = LatencyData {
            latencies_ms: vec![120.0, 340.0, 560.0, 800.0],
            budget_ms: None,
        };
        let svg = renders_everywhere(&Chart::LatencyCdf(d));
        svg.expect_text("latency (ms)");
        assert!(!svg.has_text("budget"));
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
            renders_everywhere(&Chart::LatencyCdf(LatencyData {
                latencies_ms,
                budget_ms,
            }));
        }
    }
}
