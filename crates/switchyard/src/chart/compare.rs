//! The comparison charts: several portfolios on one chart, portfolio `i` in
//! [`style::series_colour`]`(i)` and with marker [`marker`]`(i)` on every one
//! of them, so a reader who cannot tell two colours apart still tells the
//! portfolios apart by shape.

use plotters::coord::Shift;
use plotters::element::{Drawable, PointCollection};
use plotters::prelude::*;
use plotters_backend::DrawingErrorKind;

use super::ChartError;
use super::data::{
    CompareCostData, CompareFrontierData, CompareLatencyData, CompareSlaData, FrontierPoint,
};
use super::style::{self, Axis};
use super::{cost, exceedance, latency};
use crate::format;

pub fn sla_title(d: &CompareSlaData) -> String {
    format!(
        "P(a {} reaches each availability), by portfolio",
        exceedance::period(&d.period_label)
    )
}

pub fn latency_title(_: &CompareLatencyData) -> String {
    "Latency of successful requests, by portfolio".to_owned()
}

pub fn cost_title(_: &CompareCostData) -> String {
    "Cost per request by step, by portfolio".to_owned()
}

pub fn frontier_title(d: &CompareFrontierData) -> String {
    if d.search.is_empty() {
        "Monthly cost against availability, by portfolio".to_owned()
    } else {
        format!(
            "Monthly cost against availability, over {} searched plans",
            d.search.len()
        )
    }
}

/// The outline of portfolio `i`'s marker, `r` pixels from its centre to its
/// corners: a circle, triangle, square, diamond, triangle down, star.
fn shape(i: usize, r: i32) -> Vec<(i32, i32)> {
    let r = f64::from(r);
    let polygon = |corners: usize, radii: &[f64], turn: f64| -> Vec<(i32, i32)> {
        (0..corners)
            .map(|k| {
                let angle = turn + std::f64::consts::TAU * k as f64 / corners as f64;
                let at = r * radii[k % radii.len()];
                (
                    (at * angle.cos()).round() as i32,
                    (at * angle.sin()).round() as i32,
                )
            })
            .collect()
    };
    let up = -std::f64::consts::FRAC_PI_2;
    match i % 6 {
        0 => polygon(16, &[0.85], 0.0),
        1 => polygon(3, &[1.1], up),
        2 => polygon(4, &[1.0], std::f64::consts::FRAC_PI_4),
        3 => polygon(4, &[1.1], 0.0),
        4 => polygon(3, &[1.1], -up),
        _ => polygon(10, &[1.2, 0.5], up),
    }
}

/// Portfolio `i`'s marker: its shape in its colour, with a stroke of its
/// line through it in a legend.
#[derive(Debug, Clone)]
pub struct Marker<C> {
    at: C,
    portfolio: usize,
    size: i32,
    line: bool,
}

/// Portfolio `i`'s marker at `at`, about `size` pixels across.
pub fn marker(i: usize, at: (f64, f64), size: i32) -> Marker<(f64, f64)> {
    Marker {
        at,
        portfolio: i,
        size,
        line: false,
    }
}

/// The legend's sample of portfolio `i`: its line and its marker.
fn legend_entry(i: usize) -> impl Fn((i32, i32)) -> Marker<(i32, i32)> {
    move |(x, y)| Marker {
        at: (x + 10, y),
        portfolio: i,
        size: 10,
        line: true,
    }
}

impl<'a, C: 'a> PointCollection<'a, C> for &'a Marker<C> {
    type Point = &'a C;
    type IntoIter = std::iter::Once<&'a C>;

    fn point_iter(self) -> Self::IntoIter {
        std::iter::once(&self.at)
    }
}

impl<C, DB: DrawingBackend> Drawable<DB> for Marker<C> {
    fn draw<I: Iterator<Item = (i32, i32)>>(
        &self,
        mut pos: I,
        backend: &mut DB,
        _: (u32, u32),
    ) -> Result<(), DrawingErrorKind<DB::ErrorType>> {
        let Some((x, y)) = pos.next() else {
            return Ok(());
        };
        let colour = style::series_colour(self.portfolio);
        if self.line {
            backend.draw_line((x - 10, y), (x + 10, y), &colour.stroke_width(3))?;
        }
        let outline: Vec<(i32, i32)> = shape(self.portfolio, self.size / 2)
            .into_iter()
            .map(|(dx, dy)| (x + dx, y + dy))
            .collect();
        backend.fill_polygon(outline, &colour.filled())
    }
}

pub fn draw_sla<'a, DB>(
    area: &'a DrawingArea<DB, Shift>,
    d: &CompareSlaData,
) -> Result<(), ChartError>
where
    DB: DrawingBackend + 'a,
    DB::ErrorType: 'static,
{
    let title = sla_title(d);
    let finite = style::min_max(
        d.series
            .iter()
            .flat_map(|s| s.points.iter())
            .filter(|[t, _]| t.is_finite() && (0.0..1.0).contains(t))
            .map(|[t, _]| style::nines(*t, f64::INFINITY)),
    );
    let Some((lo, hi)) = finite else {
        return style::no_data(area, &title, "no threshold below 100% to show");
    };
    let (mut plot, clean) = exceedance::plot(area, &title, (lo, hi), &d.period_label)?;
    if d.target.is_finite() && (0.0..1.0).contains(&d.target) {
        let x = style::nines(d.target, clean);
        let dashed = style::GREY.stroke_width(2);
        plot.draw_series(DashedLineSeries::new(
            vec![(x, 0.0), (x, 1.0)],
            8,
            5,
            dashed,
        ))?
        .label(format!("target {}", format::percent(d.target)))
        .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], dashed));
    }
    for (i, s) in d.series.iter().enumerate() {
        let at = exceedance::points(&s.points, clean);
        let line = style::series_colour(i).stroke_width(3);
        plot.draw_series(LineSeries::new(at.clone(), line))?
            .label(s.label.clone())
            .legend(legend_entry(i));
        plot.draw_series(at.iter().map(|&p| marker(i, p, 10)))?;
        for (&(x, p), [t, _]) in at.iter().zip(
            s.points
                .iter()
                .filter(|[t, p]| t.is_finite() && p.is_finite() && (0.0..=1.0).contains(t)),
        ) {
            super::hover(plot.backend_coord(&(x, p)), || {
                format!(
                    "{}: {} at least {}",
                    s.label,
                    style::percent_tick(p),
                    style::percent_tick(*t)
                )
            });
        }
    }
    style::legend(&mut plot, SeriesLabelPosition::LowerLeft)?;
    Ok(())
}

pub fn draw_latency<'a, DB>(
    area: &'a DrawingArea<DB, Shift>,
    d: &CompareLatencyData,
) -> Result<(), ChartError>
where
    DB: DrawingBackend + 'a,
    DB::ErrorType: 'static,
{
    let title = latency_title(d);
    let curves: Vec<Vec<(f64, f64)>> = d
        .series
        .iter()
        .map(|s| {
            if s.latency.count == 0 {
                Vec::new()
            } else {
                latency::curve_points(&s.latency)
            }
        })
        .collect();
    if curves.iter().all(Vec::is_empty) {
        return style::no_data(area, &title, "no successful request to show");
    }
    let budgets: Vec<f64> = d
        .series
        .iter()
        .filter_map(|s| s.latency.budget_ms.filter(|b| b.is_finite() && *b > 0.0))
        .collect();
    // As on one plan's chart: cut the far tail at 1.5 × the slowest p99.9.
    let x_hi = curves
        .iter()
        .filter(|c| !c.is_empty())
        .map(|c| c[c.len() - 1].1.min(latency::quantile(c, 0.999) * 1.5))
        .chain(budgets.iter().map(|b| b * 1.06))
        .fold(1.0, f64::max);
    let (mut plot, seconds) = latency::cdf_plot(area, &title, 0.0, x_hi)?;
    style::mesh(
        &mut plot,
        if seconds {
            "latency (s)"
        } else {
            "latency (ms)"
        },
        "share of successful requests",
    )?;
    let x_end = x_hi * 1.02;
    let mut drawn_budgets: Vec<f64> = Vec::new();
    for b in budgets {
        if drawn_budgets.iter().any(|d| (d - b).abs() < 1e-9) {
            continue;
        }
        drawn_budgets.push(b);
        let dashed = style::GREY.stroke_width(2);
        plot.draw_series(DashedLineSeries::new(
            vec![(b, 0.0), (b, 100.0)],
            8,
            5,
            dashed,
        ))?
        .label(format!("budget {}", format::duration(b)))
        .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], dashed));
    }
    for (i, (s, points)) in d.series.iter().zip(&curves).enumerate() {
        if points.is_empty() {
            continue;
        }
        let mut curve: Vec<(f64, f64)> = points
            .iter()
            .filter(|(_, x)| *x <= x_end)
            .map(|&(q, x)| (x, q * 100.0))
            .collect();
        curve.insert(0, (points[0].1, 0.0));
        let line = style::series_colour(i).stroke_width(3);
        plot.draw_series(LineSeries::new(curve, line))?
            .label(s.label.clone())
            .legend(legend_entry(i));
        for (q, name) in [(0.5, "p50"), (0.95, "p95"), (0.99, "p99")] {
            let x = latency::quantile(points, q);
            if x <= x_end {
                plot.draw_series(std::iter::once(marker(i, (x, q * 100.0), 10)))?;
                super::hover(plot.backend_coord(&(x, q * 100.0)), || {
                    format!("{}: {name} {}", s.label, format::duration(x))
                });
            }
        }
    }
    style::legend(&mut plot, SeriesLabelPosition::LowerRight)?;
    Ok(())
}

/// Longest bar label before it is cut with an ellipsis.
const MAX_LABEL: usize = 48;

pub fn draw_cost<'a, DB>(
    area: &'a DrawingArea<DB, Shift>,
    d: &CompareCostData,
) -> Result<(), ChartError>
where
    DB: DrawingBackend + 'a,
    DB::ErrorType: 'static,
{
    let title = cost_title(d);
    // One bar per step of each portfolio, the portfolios one after another.
    let bars: Vec<(usize, String, [f64; 3])> = d
        .series
        .iter()
        .enumerate()
        .flat_map(|(i, s)| {
            s.cost.rows.iter().map(move |r| {
                let label = format!("{} · {} · {}. {}", s.label, r.route, r.step + 1, r.offering);
                (i, style::truncate(&label, MAX_LABEL), cost::parts(r))
            })
        })
        .collect();
    let max = bars
        .iter()
        .map(|(_, _, p)| p.iter().sum::<f64>())
        .fold(0.0, f64::max);
    if bars.is_empty() || max <= 0.0 {
        return style::no_data(area, &title, "no step spends anything");
    }
    let n = bars.len() as f64;
    let labels: Vec<String> = bars.iter().map(|(_, l, _)| l.clone()).collect();
    let mut plot = cost::bars_plot(
        area,
        &title,
        &labels,
        max,
        (
            "expected cost per request (USD): solid first tries, lighter retries, palest cut attempts",
            "portfolio · route · step",
        ),
    )?;
    // The kinds of spend as shades of the portfolio's colour.
    let shades = [1.0, 0.55, 0.25];
    for (i, s) in d.series.iter().enumerate() {
        let colour = style::series_colour(i);
        let mut rects = Vec::new();
        for (row, (_, _, p)) in bars
            .iter()
            .enumerate()
            .filter(|(_, (owner, _, _))| *owner == i)
        {
            let y = n - 1.0 - row as f64;
            let mut start = 0.0;
            for (k, part) in p.iter().enumerate() {
                if *part > 0.0 {
                    rects.push(Rectangle::new(
                        [(start, y + 0.2), (start + part, y + 0.8)],
                        colour.mix(shades[k]).filled(),
                    ));
                }
                start += part;
            }
            let total: f64 = p.iter().sum();
            super::hover(plot.backend_coord(&(total, y + 0.5)), || {
                format!(
                    "{}: {} per request (first tries {}, retries {}, cut {})",
                    bars[row].1,
                    format::usd(total),
                    format::usd(p[0]),
                    format::usd(p[1]),
                    format::usd(p[2])
                )
            });
        }
        plot.draw_series(rects)?
            .label(s.label.clone())
            .legend(legend_entry(i));
    }
    style::legend(&mut plot, SeriesLabelPosition::UpperRight)?;
    Ok(())
}

pub fn draw_frontier<'a, DB>(
    area: &'a DrawingArea<DB, Shift>,
    d: &CompareFrontierData,
) -> Result<(), ChartError>
where
    DB: DrawingBackend + 'a,
    DB::ErrorType: 'static,
{
    let title = frontier_title(d);
    let valid = |p: &&FrontierPoint| {
        p.monthly_usd.is_finite() && p.monthly_usd >= 0.0 && p.availability.is_finite()
    };
    let portfolios: Vec<(usize, &FrontierPoint)> = d
        .portfolios
        .iter()
        .enumerate()
        .filter(|(_, p)| valid(p))
        .collect();
    let search: Vec<&FrontierPoint> = d.search.iter().filter(valid).collect();
    if portfolios.is_empty() {
        return style::no_data(
            area,
            &title,
            "no portfolio with a finite cost and availability",
        );
    }
    let all = || {
        portfolios
            .iter()
            .map(|(_, p)| *p)
            .chain(search.iter().copied())
    };
    let cap = style::min_max(
        all()
            .filter(|p| p.availability < 1.0)
            .map(|p| style::nines(p.availability.max(0.0), f64::INFINITY)),
    )
    .map_or(6.0, |(_, hi)| hi + 0.5);
    let y_of = |p: &FrontierPoint| style::nines(p.availability.clamp(0.0, 1.0), cap);
    let (x_lo, x_hi) = style::min_max(all().map(|p| p.monthly_usd)).unwrap_or((0.0, 1.0));
    let (y_lo, y_hi) = style::min_max(all().map(y_of)).unwrap_or((0.0, 1.0));
    let log_x = x_lo > 0.0 && x_hi / x_lo > 10.0;
    let x_axis = if log_x {
        Axis::log(x_lo / 1.4, x_hi * 1.4, style::usd_tick)
    } else {
        let pad = ((x_hi - x_lo) * 0.1).max(x_hi.abs() * 0.08).max(1e-6);
        Axis::linear((x_lo - pad).max(0.0), x_hi + pad, |x, _| style::usd_tick(x))
    };
    let y_pad = ((y_hi - y_lo) * 0.12).max(0.15);
    let y_axis = Axis::nines((y_lo - y_pad).max(0.0), y_hi + y_pad * 1.5);
    let y_width = style::widest_label(&y_axis);
    let mut plot = style::plot(area, &title, x_axis, y_axis, y_width)?;
    style::mesh(
        &mut plot,
        if log_x {
            "monthly cost (USD, log scale)"
        } else {
            "monthly cost (USD)"
        },
        "availability (nines scale)",
    )?;
    if !search.is_empty() {
        let faint = style::GREY.mix(0.45).filled();
        plot.draw_series(
            search
                .iter()
                .map(|p| Circle::new((p.monthly_usd, y_of(p)), 3, faint)),
        )?
        .label(format!("searched plans ({})", search.len()))
        .legend(move |(x, y)| Circle::new((x + 10, y), 3, faint));
        let mut frontier: Vec<(f64, f64)> = search
            .iter()
            .filter(|p| p.on_frontier)
            .map(|p| (p.monthly_usd, y_of(p)))
            .collect();
        frontier.sort_by(|a, b| a.0.total_cmp(&b.0));
        let mut steps = Vec::with_capacity(frontier.len() * 2);
        for (k, p) in frontier.iter().enumerate() {
            if k > 0 {
                steps.push((p.0, frontier[k - 1].1));
            }
            steps.push(*p);
        }
        let line = style::GREY.stroke_width(2);
        plot.draw_series(LineSeries::new(steps, line))?
            .label("search frontier")
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], line));
    }
    for &(i, p) in &portfolios {
        let at = (p.monthly_usd, y_of(p));
        plot.draw_series(std::iter::once(marker(i, at, 16)))?
            .label(p.label.clone())
            .legend(legend_entry(i));
        plot.plotting_area().draw(
            &(EmptyElement::at(at)
                + Text::new(
                    style::truncate(&p.label, 28),
                    (12, -12),
                    style::left(
                        style::label_style().color(&style::SERIES[i % style::SERIES.len()]),
                    ),
                )),
        )?;
        super::hover(plot.backend_coord(&at), || {
            format!(
                "{}: {}/month, {}",
                p.label,
                format::usd(p.monthly_usd),
                format::percent(p.availability)
            )
        });
    }
    style::legend(&mut plot, SeriesLabelPosition::LowerRight)?;
    Ok(())
}

#[cfg(test)]
mod tests;
