//! The search result: each plan's monthly cost against its availability on a
//! nines scale (99% to 99.9% is as far as 99.9% to 99.99%, which is how the
//! difference feels in outage minutes), with the Pareto frontier as a
//! staircase and the chosen plan ringed and named.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::ChartError;
use super::data::{FrontierColour, FrontierData, FrontierPoint};
use super::style::{self, Axis};
use crate::format;

/// Frontier points that get their own label; more would collide.
const MAX_LABELLED: usize = 8;

pub fn title(d: &FrontierData) -> String {
    let frontier = d.points.iter().filter(|p| p.on_frontier).count();
    format!(
        "Cost vs availability: {} plans, {frontier} on the frontier",
        d.points.len()
    )
}

/// A point as drawn: cost and nines, and its value on the colour axis.
struct Placed<'a> {
    point: &'a FrontierPoint,
    x: f64,
    y: f64,
    value: Option<f64>,
}

/// From green (the best value on the chart) through yellow to vermillion
/// (the worst): `t` in 0..=1 from best to worst.
fn ramp(t: f64) -> RGBColor {
    let t = if t.is_finite() {
        t.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let mix = |a: RGBColor, b: RGBColor, u: f64| {
        let c = |x: u8, y: u8| (f64::from(x) + (f64::from(y) - f64::from(x)) * u).round() as u8;
        RGBColor(c(a.0, b.0), c(a.1, b.1), c(a.2, b.2))
    };
    if t < 0.5 {
        mix(style::GREEN, style::YELLOW, 2.0 * t)
    } else {
        mix(style::YELLOW, style::VERMILLION, 2.0 * t - 2.0 * 0.5)
    }
}

/// The colour of `value` between the chart's best and worst values.
fn colour_of(colour: &FrontierColour, range: (f64, f64), value: f64) -> RGBColor {
    let (lo, hi) = range;
    let t = if hi > lo {
        (value - lo) / (hi - lo)
    } else {
        0.0
    };
    ramp(if colour.lower_is_better { t } else { 1.0 - t })
}

pub fn draw<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    d: &FrontierData,
) -> Result<(), ChartError>
where
    DB::ErrorType: 'static,
{
    let title = title(d);
    let valid: Vec<&FrontierPoint> = d
        .points
        .iter()
        .filter(|p| p.monthly_usd.is_finite() && p.availability.is_finite())
        .collect();
    if valid.is_empty() {
        return style::no_data(area, &title, "no plan with a finite cost and availability");
    }
    // Certain plans (availability 1) sit half a nine above the best other one.
    let finite_max = style::min_max(
        valid
            .iter()
            .filter(|p| p.availability < 1.0)
            .map(|p| style::nines(p.availability.max(0.0), f64::INFINITY)),
    )
    .map_or(6.0, |(_, hi)| hi + 0.5);
    let value_of = |p: &FrontierPoint| -> Option<f64> {
        let c = d.colour.as_ref()?;
        let i = d.points.iter().position(|q| std::ptr::eq(q, p))?;
        c.values.get(i).copied().flatten().filter(|v| v.is_finite())
    };
    let placed: Vec<Placed> = valid
        .iter()
        .map(|p| Placed {
            point: p,
            x: p.monthly_usd,
            y: style::nines(p.availability.clamp(0.0, 1.0), finite_max),
            value: value_of(p),
        })
        .collect();
    let range = style::min_max(
        placed
            .iter()
            .filter(|p| p.point.on_frontier)
            .filter_map(|p| p.value),
    );

    let (x_lo, x_hi) = style::min_max(placed.iter().map(|p| p.x)).unwrap_or((0.0, 1.0));
    let (y_lo, y_hi) = style::min_max(placed.iter().map(|p| p.y)).unwrap_or((0.0, 1.0));
    let log_x = x_lo > 0.0 && x_hi / x_lo > 10.0;
    let x_axis = if log_x {
        Axis::log(x_lo / 1.4, x_hi * 1.4, style::usd_tick)
    } else {
        let pad = ((x_hi - x_lo) * 0.08).max(x_hi.abs() * 0.05).max(1e-6);
        let lo = if x_lo >= 0.0 {
            (x_lo - pad).max(0.0)
        } else {
            x_lo - pad
        };
        Axis::linear(lo, x_hi + pad, |x, _| style::usd_tick(x))
    };
    let y_pad = ((y_hi - y_lo) * 0.12).max(0.15);
    let y_axis = Axis::nines((y_lo - y_pad).max(0.0), y_hi + y_pad * 1.5);
    let y_width = style::widest_label(&y_axis);

    let mut plot = style::plot(area, &title, x_axis, y_axis, y_width)?;
    let x_desc = if log_x {
        "monthly cost (USD, log scale)"
    } else {
        "monthly cost (USD)"
    };
    style::mesh(&mut plot, x_desc, "availability (nines scale)")?;

    let dominated: Vec<&Placed> = placed.iter().filter(|p| !p.point.on_frontier).collect();
    let mut frontier: Vec<&Placed> = placed.iter().filter(|p| p.point.on_frontier).collect();
    frontier.sort_by(|a, b| a.x.total_cmp(&b.x).then(a.y.total_cmp(&b.y)));

    if !dominated.is_empty() {
        let faint = style::GREY.mix(0.55).filled();
        plot.draw_series(dominated.iter().map(|p| Circle::new((p.x, p.y), 4, faint)))?
            .label(format!("dominated plans ({})", dominated.len()))
            .legend(move |(x, y)| Circle::new((x + 10, y), 4, faint));
    }

    if !frontier.is_empty() {
        // The staircase: the best availability money can buy up to each cost.
        let mut steps = Vec::with_capacity(frontier.len() * 2);
        for (i, p) in frontier.iter().enumerate() {
            if i > 0 {
                steps.push((p.x, frontier[i - 1].y));
            }
            steps.push((p.x, p.y));
        }
        let line = style::BLUE.stroke_width(2);
        plot.draw_series(LineSeries::new(steps, line))?;
        let fill = |p: &Placed| match (&d.colour, range, p.value) {
            (Some(c), Some(range), Some(v)) => colour_of(c, range, v),
            _ => style::BLUE,
        };
        plot.draw_series(
            frontier
                .iter()
                .map(|p| Circle::new((p.x, p.y), 5, fill(p).filled())),
        )?
        .label(format!("Pareto frontier ({})", frontier.len()))
        .legend(move |(x, y)| {
            EmptyElement::at((x, y))
                + PathElement::new(vec![(0, 0), (20, 0)], line)
                + Circle::new((10, 0), 5, style::BLUE.filled())
        });
        if frontier.len() <= MAX_LABELLED {
            for p in frontier.iter().filter(|p| !p.point.chosen) {
                // Below the tread of its step, clear of the point and the riser.
                plot.plotting_area().draw(
                    &(EmptyElement::at((p.x, p.y))
                        + Text::new(
                            style::truncate(&p.point.label, 28),
                            (8, 12),
                            style::left(style::label_style().color(&style::BLUE)),
                        )),
                )?;
            }
        }
    }

    for p in &placed {
        super::hover(plot.backend_coord(&(p.x, p.y)), || {
            let p95 = p.point.p95_ms.map_or(String::new(), |ms| {
                format!(", p95 {}", format::duration(ms))
            });
            format!(
                "{}: {}/month, {}{p95}",
                p.point.label,
                format::usd(p.point.monthly_usd),
                format::percent(p.point.availability)
            )
        });
    }
    if let Some(chosen) = placed.iter().find(|p| p.point.chosen) {
        let ring = style::VERMILLION.stroke_width(3);
        plot.draw_series(std::iter::once(Circle::new((chosen.x, chosen.y), 11, ring)))?
            .label("chosen plan")
            .legend(move |(x, y)| Circle::new((x + 10, y), 7, ring));
        let p = chosen.point;
        let mut text = format!(
            "{}: {}/month, {}",
            style::truncate(&p.label, 32),
            style::usd_tick(p.monthly_usd),
            format::percent(p.availability)
        );
        if let Some(p95) = p.p95_ms.filter(|v| v.is_finite()) {
            text.push_str(&format!(", p95 {}", format::duration(p95)));
        }
        // Left of the ring when the ring is in the right half, so it stays inside.
        let (px, _) = plot.backend_coord(&(chosen.x, chosen.y));
        let (range_x, _) = plot.plotting_area().get_pixel_range();
        let in_right_half = px > (range_x.start + range_x.end) / 2;
        let style = style::note_style().color(&style::VERMILLION);
        let (style, offset) = if in_right_half {
            (style::right(style), -18)
        } else {
            (style::left(style), 18)
        };
        plot.plotting_area().draw(
            &(EmptyElement::at((chosen.x, chosen.y)) + Text::new(text, (offset, -18), style)),
        )?;
    }

    if let (Some(c), Some((lo, hi))) = (&d.colour, range) {
        // The colour axis in the legend: its best and worst ends.
        let (best, worst) = if c.lower_is_better {
            (lo, hi)
        } else {
            (hi, lo)
        };
        for (text, colour) in [
            (format!("{}: {} (best)", c.label, c.show(best)), ramp(0.0)),
            (format!("{}: {} (worst)", c.label, c.show(worst)), ramp(1.0)),
        ] {
            let filled = colour.filled();
            plot.draw_series(std::iter::empty::<Circle<(f64, f64), i32>>())?
                .label(text)
                .legend(move |(x, y)| Circle::new((x + 10, y), 5, filled));
        }
    }
    style::legend(&mut plot, SeriesLabelPosition::LowerRight)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::super::*;

    #[test]
    fn frontier_svg_has_title_axes_legend_and_points() {
        let d = frontier_sample();
        let svg = renders_everywhere(&Chart::Frontier(d.clone()));
        svg.expect_text("Cost vs availability: 66 plans, 6 on the frontier");
        svg.expect_text("monthly cost (USD, log scale)");
        svg.expect_text("availability (nines scale)");
        for tick in ["99.9%", "99.99%", "$1,000"] {
            assert!(
                svg.texts.iter().any(|t| t == tick),
                "tick {tick}: {:?}",
                svg.texts
            );
        }
        assert!(
            !svg.texts.iter().any(|t| t.contains("0000000")),
            "{:?}",
            svg.texts
        );
        svg.expect_text("dominated plans (60)");
        svg.expect_text("Pareto frontier (6)");
        svg.expect_text("chosen plan");
        svg.expect_text("claude → deepseek: $2,650/month, 99.9962%, p95 2.60 s");
        // 66 points, the chosen ring and the legend's markers.
        assert!(svg.count("circle") >= 66 + 1 + 3, "{:?}", svg.elements);
        assert!(svg.count("polyline") >= 1);
    }

    /// p95 as the search's third objective: the frontier's points coloured
    /// from the fastest to the slowest, both named in the legend.
    #[test]
    fn a_third_objective_is_drawn_as_colour() {
        let mut d = frontier_sample();
        let values: Vec<Option<f64>> = d.points.iter().map(|p| p.p95_ms).collect();
        d.colour = Some(FrontierColour {
            label: "p95".into(),
            values,
            lower_is_better: true,
            unit: ColourUnit::Ms,
        });
        let svg = renders_everywhere(&Chart::Frontier(d.clone()));
        let frontier: Vec<f64> = d
            .points
            .iter()
            .filter(|p| p.on_frontier)
            .filter_map(|p| p.p95_ms)
            .collect();
        let (lo, hi) = style::min_max(frontier).expect("values");
        svg.expect_text(&format!("p95: {} (best)", crate::format::duration(lo)));
        svg.expect_text(&format!("p95: {} (worst)", crate::format::duration(hi)));
        assert_ne!(lo, hi, "the sample spans a range");
    }

    #[test]
    fn degenerate_frontiers_do_not_panic() {
        let point = |usd: f64, a: f64| FrontierPoint {
            label: "p".into(),
            monthly_usd: usd,
            availability: a,
            p95_ms: Some(f64::NAN),
            on_frontier: true,
            chosen: true,
        };
        for points in [
            vec![],
            vec![point(f64::NAN, 0.99)],
            vec![point(100.0, 0.999)],
            vec![point(100.0, 1.0), point(100.0, 1.0)],
            vec![point(0.0, 0.0), point(-5.0, 2.0), point(f64::INFINITY, 0.5)],
            vec![point(1e-9, 0.5), point(1e12, 1.0 - 1e-15)],
        ] {
            renders_everywhere(&Chart::Frontier(FrontierData {
                points,
                colour: None,
            }));
        }
        let svg = parse(&svg(&Chart::Frontier(FrontierData {
            points: vec![],
            colour: None,
        })));
        svg.expect_text("no data");
    }
}
