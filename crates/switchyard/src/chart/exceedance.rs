//! The exceedance curve: P(a period's availability ≥ x) against x on a nines
//! scale, the model's curve as a line and, where an outage record exists, the
//! record's shares beside it as points. A clean period (100%) stands at the
//! right end, past the last finite threshold.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::ChartError;
use super::data::ExceedanceData;
use super::style::{self, Axis};

/// How far right of the last finite threshold "100%" stands, in nines.
const CLEAN_GAP: f64 = 0.5;

pub fn title(d: &ExceedanceData) -> String {
    format!("P(a {} reaches each availability)", period(&d.period_label))
}

/// Points with finite thresholds and shares, as (nines, p); 100% at `clean`.
pub(super) fn points(series: &[[f64; 2]], clean: f64) -> Vec<(f64, f64)> {
    series
        .iter()
        .filter(|[t, p]| t.is_finite() && p.is_finite() && (0.0..=1.0).contains(t))
        .map(|[t, p]| (style::nines(*t, clean), p.clamp(0.0, 1.0)))
        .collect()
}

/// What one period is called in axis titles ("period" when unnamed).
pub(super) fn period(label: &str) -> &str {
    match label.trim() {
        "" => "period",
        p => p,
    }
}

/// The plot of exceedance curves whose finite thresholds span `lo..hi`
/// nines: availability on a nines scale with "100%" (a clean period) at its
/// right end, at the returned x, and the share of periods up the side.
pub(super) fn plot<'a, DB>(
    area: &'a DrawingArea<DB, Shift>,
    title: &str,
    (lo, hi): (f64, f64),
    period_label: &str,
) -> Result<(style::Plot<'a, DB>, f64), ChartError>
where
    DB: DrawingBackend,
    DB::ErrorType: 'static,
{
    let clean = hi + CLEAN_GAP;
    let mut ticks = style::nines_ticks(lo, hi);
    ticks.push(clean);
    let x_axis = Axis::with_ticks((lo - 0.1).max(0.0), clean + 0.15, ticks, move |n| {
        if n >= clean - 1e-9 {
            "100%".to_owned()
        } else {
            style::nines_tick(n)
        }
    });
    let y_axis = Axis::linear(0.0, 1.0, |y, step| {
        format!("{}%", style::plain_tick(y * 100.0, step * 100.0))
    });
    let y_width = style::widest_label(&y_axis);
    let mut plot = style::plot(area, title, x_axis, y_axis, y_width)?;
    let period = period(period_label);
    style::mesh(
        &mut plot,
        &format!("availability a {period} reaches (nines scale)"),
        &format!("share of {period}s"),
    )?;
    Ok((plot, clean))
}

pub fn draw<DB>(area: &DrawingArea<DB, Shift>, d: &ExceedanceData) -> Result<(), ChartError>
where
    DB: DrawingBackend,
    DB::ErrorType: 'static,
{
    let title = title(d);
    let finite = style::min_max(
        d.model
            .iter()
            .chain(d.history.iter().flat_map(|h| h.points.iter()))
            .filter(|[t, _]| t.is_finite() && *t < 1.0 && *t >= 0.0)
            .map(|[t, _]| style::nines(*t, f64::INFINITY)),
    );
    let Some((lo, hi)) = finite else {
        return style::no_data(area, &title, "no threshold below 100% to show");
    };
    let clean = hi + CLEAN_GAP;
    let model = points(&d.model, clean);
    let observed: Vec<Vec<(f64, f64)>> =
        d.history.iter().map(|h| points(&h.points, clean)).collect();
    if model.is_empty() && observed.iter().all(Vec::is_empty) {
        return style::no_data(area, &title, "no share to show");
    }
    let (mut plot, _) = plot(area, &title, (lo, hi), &d.period_label)?;

    let line = style::series_colour(0).stroke_width(3);
    plot.draw_series(LineSeries::new(model.clone(), line))?
        .label("model")
        .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], line));
    plot.draw_series(
        model
            .iter()
            .map(|&at| Circle::new(at, 4, style::series_colour(0).filled())),
    )?;
    hover(&plot, &d.model, clean, "model");
    for (i, (h, at)) in d.history.iter().zip(&observed).enumerate() {
        // The first record in vermillion, as the docs' charts show it; more
        // records in the palette's next colours.
        let colour = if i == 0 {
            style::VERMILLION
        } else {
            style::series_colour(i + 1)
        };
        plot.draw_series(
            at.iter()
                .map(|&at| Cross::new(at, 7, colour.stroke_width(3))),
        )?
        .label(h.label.clone())
        .legend(move |(x, y)| Cross::new((x + 10, y), 6, colour.stroke_width(3)));
        hover(&plot, &h.points, clean, &h.label);
    }
    style::legend(&mut plot, SeriesLabelPosition::LowerLeft)?;
    Ok(())
}

/// A hover point at each drawn point of `series`, labelled with `name`.
fn hover<DB: DrawingBackend>(
    plot: &style::Plot<'_, DB>,
    series: &[[f64; 2]],
    clean: f64,
    name: &str,
) {
    let kept = series
        .iter()
        .filter(|[t, p]| t.is_finite() && p.is_finite() && (0.0..=1.0).contains(t));
    for (&(x, p), [t, _]) in points(series, clean).iter().zip(kept) {
        super::hover(plot.backend_coord(&(x, p)), || {
            format!(
                "{name}: {} at least {}",
                style::percent_tick(p),
                style::percent_tick(*t)
            )
        });
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::super::*;

    #[test]
    fn the_curve_and_the_record_are_drawn() {
        let svg = renders_everywhere(&Chart::Exceedance(exceedance_sample()));
        svg.expect_text("P(a 30-day month reaches each availability)");
        svg.expect_text("model");
        svg.expect_text("OpenAI API, 42 months");
        svg.expect_text("100%");
        svg.expect_text("99.99%");
    }

    #[test]
    fn degenerate_curves_do_not_panic() {
        for model in [
            vec![],
            vec![[1.0, 0.3]],
            vec![[f64::NAN, 0.5], [0.999, f64::INFINITY]],
            vec![[0.9, 1.0], [2.0, 0.5], [-1.0, 0.5]],
        ] {
            let d = ExceedanceData {
                period_label: String::new(),
                model,
                history: Vec::new(),
            };
            renders_everywhere(&Chart::Exceedance(d));
        }
    }
}
