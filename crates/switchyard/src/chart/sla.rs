//! How often a month (or day) meets the SLA: a histogram of the simulated
//! periods' success ratios on a nines scale, bars that meet the target in
//! green and those that miss it in vermillion, and P(meets target) in the title.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::ChartError;
use super::data::SlaData;
use super::style::{self, Axis};
use crate::format;

/// Histogram bars across the axis.
const BINS: f64 = 40.0;

fn target(d: &SlaData) -> Option<f64> {
    Some(d.target).filter(|t| t.is_finite() && *t > 0.0 && *t < 1.0)
}

/// "P(meets 99.99%) = 93.4%".
fn p_meets_text(d: &SlaData) -> String {
    let target = target(d).map_or("target".to_owned(), style::percent_tick);
    let p = if d.p_meets.is_finite() {
        format!("{:.1}%", d.p_meets.clamp(0.0, 1.0) * 100.0)
    } else {
        "n/a".to_owned()
    };
    format!("P(meets {target}) = {p}")
}

fn period(d: &SlaData) -> &str {
    let p = d.period_label.trim();
    if p.is_empty() { "period" } else { p }
}

pub fn title(d: &SlaData) -> String {
    format!("Success ratio per {}: {}", period(d), p_meets_text(d))
}

pub fn draw<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    d: &SlaData,
) -> Result<(), ChartError>
where
    DB::ErrorType: 'static,
{
    let title = title(d);
    let ratios: Vec<f64> = d
        .ratios
        .iter()
        .filter(|r| r.is_finite())
        .map(|r| r.clamp(0.0, 1.0))
        .collect();
    if ratios.is_empty() {
        return style::no_data(area, &title, "no simulated period to show");
    }
    let target_nines = target(d).map(|t| style::nines(t, f64::INFINITY));
    // Perfect periods (ratio 1, infinitely many nines) stand just right of the rest.
    let best_finite = style::min_max(
        ratios
            .iter()
            .filter(|r| **r < 1.0)
            .map(|r| style::nines(*r, f64::INFINITY)),
    )
    .map(|(_, hi)| hi);
    let cap = best_finite
        .or(target_nines)
        .map_or(5.0, |n| n.max(target_nines.unwrap_or(0.0)) + 0.3);
    let nines: Vec<f64> = ratios.iter().map(|r| style::nines(*r, cap)).collect();
    let perfect = ratios.iter().filter(|r| **r >= 1.0).count();

    let (mut lo, mut hi) = style::min_max(nines.iter().copied()).unwrap_or((0.0, 1.0));
    if let Some(t) = target_nines {
        lo = lo.min(t);
        hi = hi.max(t);
    }
    let span = (hi - lo).max(0.2);
    let (lo, hi) = ((lo - 0.05 * span).max(0.0), hi + 0.05 * span);
    let width = (hi - lo) / BINS;
    // Bin edges on the target, so no bar straddles it.
    let anchor = target_nines.unwrap_or(lo);
    let first = ((lo - anchor) / width).floor() as i64;
    let bins = (((hi - anchor) / width).ceil() as i64 - first).clamp(1, 200) as usize;
    let mut counts = vec![0usize; bins];
    for n in &nines {
        let i = (((n - anchor) / width).floor() as i64 - first).clamp(0, bins as i64 - 1) as usize;
        counts[i] += 1;
    }
    let total = nines.len() as f64;
    let shares: Vec<f64> = counts.iter().map(|c| *c as f64 / total * 100.0).collect();
    let top = shares.iter().copied().fold(0.0, f64::max);

    let x_axis = Axis::nines(lo, hi);
    let y_axis = Axis::linear(0.0, (top * 1.18).max(1.0), |y, step| {
        format!("{}%", style::plain_tick(y, step))
    });
    let y_width = style::widest_label(&y_axis);
    let mut plot = style::plot(area, &title, x_axis, y_axis, y_width)?;
    let periods = format!("{}s", period(d));
    style::mesh(
        &mut plot,
        &format!("success ratio of one {} (nines scale)", period(d)),
        &format!("share of simulated {periods}"),
    )?;

    let meets = |edge: f64| target_nines.is_none_or(|t| edge >= t - 1e-9);
    let bar = |i: usize| {
        let x0 = anchor + (first + i as i64) as f64 * width;
        (x0, x0 + width)
    };
    let green = style::GREEN.filled();
    let red = style::VERMILLION.filled();
    plot.draw_series(
        (0..bins)
            .filter(|i| counts[*i] > 0 && meets(bar(*i).0))
            .map(|i| Rectangle::new([(bar(i).0, 0.0), (bar(i).1, shares[i])], green)),
    )?
    .label(format!("{periods} that meet the target"))
    .legend(move |(x, y)| Rectangle::new([(x, y - 6), (x + 20, y + 6)], green));
    if target_nines.is_some() {
        plot.draw_series(
            (0..bins)
                .filter(|i| counts[*i] > 0 && !meets(bar(*i).0))
                .map(|i| Rectangle::new([(bar(i).0, 0.0), (bar(i).1, shares[i])], red)),
        )?
        .label(format!("{periods} that miss it"))
        .legend(move |(x, y)| Rectangle::new([(x, y - 6), (x + 20, y + 6)], red));
    }

    for i in (0..bins).filter(|i| counts[*i] > 0) {
        let (x0, x1) = bar(i);
        super::hover(plot.backend_coord(&((x0 + x1) / 2.0, shares[i])), || {
            format!(
                "{} of {periods} between {} and {}",
                style::percent_tick(shares[i] / 100.0),
                style::nines_tick(x0),
                style::nines_tick(x1)
            )
        });
    }
    if let (Some(t), Some(target)) = (target_nines, target(d)) {
        let line = style::BLACK.stroke_width(2);
        let y_top = (top * 1.18).max(1.0);
        plot.draw_series(DashedLineSeries::new(
            vec![(t, 0.0), (t, y_top)],
            8,
            5,
            line,
        ))?
        .label(format!(
            "target {}: {}",
            style::percent_tick(target),
            p_meets_text(d)
        ))
        .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], line));
        plot.plotting_area().draw(
            &(EmptyElement::at((t, y_top))
                + Text::new(
                    format!("target {}", style::percent_tick(target)),
                    (-8, 14),
                    style::right(style::note_style()),
                )),
        )?;
    }
    if perfect > 0 {
        let at = cap;
        plot.plotting_area().draw(
            &(EmptyElement::at((at, 0.0))
                + Text::new(
                    format!(
                        "{} {periods} with no failure →",
                        format::count(perfect as f64)
                    ),
                    (-6, -14),
                    style::right(style::label_style()),
                )),
        )?;
    }

    style::legend(&mut plot, SeriesLabelPosition::UpperLeft)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::super::*;

    #[test]
    fn sla_svg_has_target_and_p_meets() {
        let d = sla_sample();
        let p = format!("P(meets 99.99%) = {:.1}%", d.p_meets * 100.0);
        let svg = renders_everywhere(&Chart::Sla(d));
        svg.expect_text(&format!("Success ratio per 30-day month: {p}"));
        svg.expect_text("success ratio of one 30-day month (nines scale)");
        svg.expect_text("share of simulated 30-day months");
        svg.expect_text("target 99.99%");
        svg.expect_text("30-day months that meet the target");
        svg.expect_text("30-day months that miss it");
        assert!(svg.texts.iter().any(|t| t == "99.99%"), "{:?}", svg.texts);
        assert!(svg.count("rect") >= 10, "{:?}", svg.elements);
    }

    #[test]
    fn degenerate_slas_do_not_panic() {
        let sla = |ratios: Vec<f64>, target: f64| SlaData {
            ratios,
            target,
            p_meets: f64::NAN,
            period_label: String::new(),
        };
        for d in [
            sla(vec![], 0.9999),
            sla(vec![1.0; 100], 0.9999),
            sla(vec![0.99995], 0.9999),
            sla(vec![f64::NAN, 2.0, -1.0], f64::NAN),
            sla(vec![0.5, 0.999_999_999], 1.0),
            sla(vec![0.0; 10], 0.0),
        ] {
            renders_everywhere(&Chart::Sla(d));
        }
        let svg = parse(&svg(&Chart::Sla(sla(vec![1.0; 5], 0.999))));
        svg.expect_text("5 periods with no failure");
    }
}
