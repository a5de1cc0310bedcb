//! Load against rate limits over the day: for each rate-limited offering, the
//! attempts a minute it is sent in each UTC hour's mean minute (a staircase,
//! one step per hour), its binding limit as a dashed line of the same colour
//! (labelled with the plan field that sets it), and the peak minute as a dot.
//! An hour's mean minute can sit well under the limit while the peak minute
//! is over it, which is why both are drawn: the dot is what the headroom in
//! the title and on the Plan page is measured at.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::ChartError;
use super::data::{CapacityData, CapacitySeries};
use super::style::{self, Axis};
use crate::format;

/// Longest offering name in the legend before it is cut.
const MAX_LABEL: usize = 36;

/// A rate a minute as it reads: whole numbers from 10 up, a few digits below
/// (a plan of a few requests a minute still shows its load).
pub(super) fn rate(x: f64) -> String {
    if !x.is_finite() {
        "n/a".to_owned()
    } else if x.abs() >= 10.0 {
        format::count(x)
    } else {
        let s = format!("{x:.2}");
        s.trim_end_matches('0').trim_end_matches('.').to_owned()
    }
}

fn valid(s: &CapacitySeries) -> bool {
    s.limit_rpm.is_finite() && s.limit_rpm > 0.0
}

/// The offering with the least headroom at the peak, if any has a limit.
fn tightest(d: &CapacityData) -> Option<&CapacitySeries> {
    d.offerings
        .iter()
        .filter(|s| valid(s) && s.headroom_peak.is_finite())
        .min_by(|a, b| a.headroom_peak.total_cmp(&b.headroom_peak))
}

/// The tightest offering's headroom, short enough for a 960-pixel chart.
pub fn title(d: &CapacityData) -> String {
    match tightest(d) {
        Some(s) => format!(
            "Rate-limit headroom at the peak minute: {} ({})",
            format::percent(s.headroom_peak),
            style::truncate(&s.offering, MAX_LABEL)
        ),
        None => "Load against the rate limits".to_owned(),
    }
}

/// "14:00 UTC".
fn hour(h: usize) -> String {
    format!("{:02}:00 UTC", h % 24)
}

pub fn draw<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    d: &CapacityData,
) -> Result<(), ChartError>
where
    DB::ErrorType: 'static,
{
    let title = title(d);
    let series: Vec<&CapacitySeries> = d.offerings.iter().filter(|s| valid(s)).collect();
    if series.is_empty() {
        return style::no_data(
            area,
            &title,
            "no offering has a rate limit (rpm_limit, input_tpm_limit, output_tpm_limit)",
        );
    }
    let finite = |x: f64| if x.is_finite() { x.max(0.0) } else { 0.0 };
    let top = series
        .iter()
        .flat_map(|s| {
            s.offered_rpm_by_hour
                .iter()
                .copied()
                .chain([s.limit_rpm, s.offered_rpm_peak])
        })
        .map(finite)
        .fold(0.0, f64::max);
    // Room above the highest line for the legend.
    let y_hi = (top * 1.35).max(1.0);
    let x_axis = Axis::with_ticks(
        0.0,
        24.0,
        (0..=24).step_by(3).map(f64::from).collect(),
        |x| format!("{:02}:00", x.round() as i64),
    );
    let y_axis = Axis::linear(0.0, y_hi, |y, step| {
        if step >= 1.0 {
            format::count(y)
        } else {
            style::plain_tick(y, step)
        }
    });
    let y_width = style::widest_label(&y_axis);
    let mut plot = style::plot(area, &title, x_axis, y_axis, y_width)?;
    style::mesh(
        &mut plot,
        "hour of the day (UTC)",
        "attempts a minute (retries included)",
    )?;

    let peak_x = d.peak_hour.min(23) as f64 + 0.5;
    for (i, s) in series.iter().enumerate() {
        let colour = style::series_colour(i);
        // Text styles borrow their colour for as long as the chart lives.
        let text_colour: &'static RGBColor = &style::SERIES[i % style::SERIES.len()];
        let name = style::truncate(&s.offering, MAX_LABEL);
        let hours: Vec<f64> = s
            .offered_rpm_by_hour
            .iter()
            .copied()
            .map(finite)
            .take(24)
            .collect();
        let line = colour.stroke_width(3);
        plot.draw_series(LineSeries::new(
            hours.iter().enumerate().flat_map(|(h, v)| {
                let h = h as f64;
                [(h, *v), (h + 1.0, *v)]
            }),
            line,
        ))?
        .label(format!("{name}: mean minute of each hour"))
        .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], line));

        let limit = colour.stroke_width(2);
        plot.draw_series(DashedLineSeries::new(
            vec![(0.0, s.limit_rpm), (24.0, s.limit_rpm)],
            8,
            5,
            limit,
        ))?
        .label(format!(
            "{name}: limit {}/min ({} binds)",
            rate(s.limit_rpm),
            s.binding_field
        ))
        .legend(move |(x, y)| {
            EmptyElement::at((x, y))
                + PathElement::new(vec![(0, 0), (8, 0)], limit)
                + PathElement::new(vec![(12, 0), (20, 0)], limit)
        });
        plot.plotting_area().draw(
            &(EmptyElement::at((24.0, s.limit_rpm))
                + Text::new(
                    format!("{} {}/min", s.binding_field, rate(s.limit_rpm)),
                    (-6, -12),
                    style::right(style::note_style().color(text_colour)),
                )),
        )?;

        let peak = finite(s.offered_rpm_peak);
        plot.draw_series(std::iter::once(Circle::new(
            (peak_x, peak),
            7,
            colour.filled(),
        )))?
        .label(format!(
            "{name}: peak minute, headroom {}",
            format::percent(s.headroom_peak)
        ))
        .legend(move |(x, y)| Circle::new((x + 10, y), 6, colour.filled()));

        for (h, v) in hours.iter().enumerate() {
            super::hover(plot.backend_coord(&(h as f64 + 0.5, *v)), || {
                format!(
                    "{}: {} attempts a minute, {} to {:02}:00 UTC (mean minute)",
                    s.offering,
                    rate(*v),
                    hour(h),
                    (h + 1) % 24
                )
            });
        }
        super::hover(plot.backend_coord(&(24.0, s.limit_rpm)), || {
            format!(
                "{}: limit {} requests a minute ({} binds)",
                s.offering,
                rate(s.limit_rpm),
                s.binding_field
            )
        });
        super::hover(plot.backend_coord(&(peak_x, peak)), || {
            format!(
                "{}: {} attempts a minute at the peak minute ({}, ×{}), headroom {}, {} rejected",
                s.offering,
                rate(s.offered_rpm_peak),
                hour(d.peak_hour),
                crate::limits::show(d.peak_minute_factor),
                format::percent(s.headroom_peak),
                format::percent(s.rejected_share_peak)
            )
        });
    }
    style::legend(&mut plot, SeriesLabelPosition::UpperLeft)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::super::*;

    #[test]
    fn capacity_svg_has_the_limit_the_hours_and_the_peak() {
        let d = capacity_sample();
        let svg = renders_everywhere(&Chart::Capacity(d.clone()));
        svg.expect_text("Rate-limit headroom at the peak minute: -");
        svg.expect_text("hour of the day (UTC)");
        svg.expect_text("attempts a minute (retries included)");
        // The example's output tokens bind first: 90,000 a minute over 350
        // tokens a request is 257 requests, under its rpm_limit of 1,000.
        svg.expect_text("limit 257/min (output_tpm_limit binds)");
        svg.expect_text("output_tpm_limit 257/min");
        svg.expect_text("peak minute, headroom -");
        svg.expect_text("12:00");
        assert!(svg.count("polyline") >= 2, "{:?}", svg.elements);
    }

    #[test]
    fn without_a_limit_it_says_so() {
        let mut d = capacity_sample();
        d.offerings.clear();
        parse(&svg(&Chart::Capacity(d))).expect_text("no offering has a rate limit");
    }

    #[test]
    fn degenerate_capacities_do_not_panic() {
        let series = |limit: f64, hours: Vec<f64>, peak: f64| CapacitySeries {
            offering: "x".repeat(80),
            binding_field: "rpm_limit".into(),
            limit_rpm: limit,
            offered_rpm_by_hour: hours,
            offered_rpm_peak: peak,
            headroom_peak: 1.0 - peak / limit,
            rejected_share_peak: f64::NAN,
        };
        for s in [
            series(0.0, vec![1.0; 24], 1.0),
            series(f64::NAN, vec![], f64::NAN),
            series(5.0, vec![f64::INFINITY; 30], -1.0),
            series(0.5, vec![0.0; 24], 0.0),
            series(1e12, vec![1e13; 24], 1e14),
        ] {
            renders_everywhere(&Chart::Capacity(CapacityData {
                peak_hour: 99,
                peak_minute_factor: f64::NAN,
                offerings: vec![s],
            }));
        }
    }

    #[test]
    fn small_rates_keep_their_digits() {
        assert_eq!(super::rate(0.25), "0.25");
        assert_eq!(super::rate(3.0), "3");
        assert_eq!(super::rate(612.4), "612");
        assert_eq!(super::rate(12_345.6), "12,346");
    }
}
