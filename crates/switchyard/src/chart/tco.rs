//! API spend against self-hosting, cumulated month by month: the self-hosted
//! line starts high (hardware, set-up) and rises slowly, the API line starts at
//! zero and rises with volume; where they cross is the break-even month.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::ChartError;
use super::data::{TcoData, TcoMonth};
use super::style::{self, Axis};
use crate::format;

fn valid(m: &TcoMonth) -> bool {
    m.api_cumulative_usd.is_finite() && m.self_hosted_cumulative_usd.is_finite()
}

pub fn title(d: &TcoData) -> String {
    let horizon = d.months.iter().filter(|m| valid(m)).map(|m| m.month).max();
    match horizon {
        Some(h) => format!("Total cost of ownership over {h} months: API vs self-hosted"),
        None => "Total cost of ownership: API vs self-hosted".to_owned(),
    }
}

/// The API path's cumulative cost at fractional month `m`, by linear
/// interpolation between the surrounding months.
fn api_at(months: &[&TcoMonth], m: f64) -> Option<f64> {
    let after = months.iter().position(|x| f64::from(x.month) >= m)?;
    let b = months[after];
    if after == 0 || f64::from(b.month) == m {
        return Some(b.api_cumulative_usd);
    }
    let a = months[after - 1];
    let t = (m - f64::from(a.month)) / f64::from(b.month - a.month);
    Some(a.api_cumulative_usd + t * (b.api_cumulative_usd - a.api_cumulative_usd))
}

pub fn draw<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    d: &TcoData,
) -> Result<(), ChartError>
where
    DB::ErrorType: 'static,
{
    let title = title(d);
    let mut months: Vec<&TcoMonth> = d.months.iter().filter(|m| valid(m)).collect();
    if months.is_empty() {
        return style::no_data(area, &title, "no month with finite costs");
    }
    months.sort_by_key(|m| m.month);
    months.dedup_by_key(|m| m.month);
    let first = f64::from(months[0].month);
    let last = f64::from(months[months.len() - 1].month);
    let (y_lo, y_hi) = style::min_max(
        months
            .iter()
            .flat_map(|m| [m.api_cumulative_usd, m.self_hosted_cumulative_usd]),
    )
    .unwrap_or((0.0, 1.0));
    let x_axis = Axis::linear(first, last.max(first + 1.0), |x, step| {
        style::plain_tick(x, step)
    });
    let y_axis = Axis::linear(y_lo.min(0.0), (y_hi * 1.1).max(1.0), |y, _| {
        style::usd_tick(y)
    });
    let y_width = style::widest_label(&y_axis);
    let mut plot = style::plot(area, &title, x_axis, y_axis, y_width)?;
    style::mesh(&mut plot, "month", "cumulative cost (USD)")?;

    let end = months[months.len() - 1];
    let api = style::BLUE.stroke_width(3);
    plot.draw_series(LineSeries::new(
        months
            .iter()
            .map(|m| (f64::from(m.month), m.api_cumulative_usd)),
        api,
    ))?
    .label(format!(
        "API: {} after {} months",
        style::usd_tick(end.api_cumulative_usd.round()),
        end.month
    ))
    .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], api));
    let hosted = style::ORANGE.stroke_width(3);
    plot.draw_series(DashedLineSeries::new(
        months
            .iter()
            .map(|m| (f64::from(m.month), m.self_hosted_cumulative_usd)),
        10,
        6,
        hosted,
    ))?
    .label(format!(
        "self-hosted: {} after {} months",
        style::usd_tick(end.self_hosted_cumulative_usd.round()),
        end.month
    ))
    .legend(move |(x, y)| {
        EmptyElement::at((x, y))
            + PathElement::new(vec![(0, 0), (8, 0)], hosted)
            + PathElement::new(vec![(12, 0), (20, 0)], hosted)
    });
    if months.len() == 1 {
        // One month draws no line: show the two values as points.
        let m = months[0];
        let x = f64::from(m.month);
        plot.draw_series([
            Circle::new((x, m.api_cumulative_usd), 5, style::BLUE.filled()),
            Circle::new((x, m.self_hosted_cumulative_usd), 5, style::ORANGE.filled()),
        ])?;
    }

    for m in &months {
        let x = f64::from(m.month);
        super::hover(plot.backend_coord(&(x, m.api_cumulative_usd)), || {
            format!(
                "month {}: API {} in all",
                m.month,
                format::usd(m.api_cumulative_usd)
            )
        });
        super::hover(
            plot.backend_coord(&(x, m.self_hosted_cumulative_usd)),
            || {
                format!(
                    "month {}: self-hosted {} in all",
                    m.month,
                    format::usd(m.self_hosted_cumulative_usd)
                )
            },
        );
    }
    let break_even = d
        .break_even_month
        .filter(|m| m.is_finite() && *m >= first && *m <= last)
        .and_then(|m| api_at(&months, m).map(|usd| (m, usd)));
    match break_even {
        Some((m, usd)) => {
            let marker = style::BLACK.stroke_width(2);
            plot.draw_series(DashedLineSeries::new(
                vec![(m, y_lo.min(0.0)), (m, usd)],
                4,
                4,
                marker,
            ))?;
            plot.draw_series(std::iter::once(Circle::new((m, usd), 7, marker)))?
                .label(format!("break-even at month {m:.1}"))
                .legend(move |(x, y)| Circle::new((x + 10, y), 6, marker));
            plot.plotting_area().draw(
                &(EmptyElement::at((m, usd))
                    + Text::new(
                        format!("break-even: month {m:.1}, {}", style::usd_tick(usd.round())),
                        (-12, -16),
                        style::right(style::note_style()),
                    )),
            )?;
        }
        None => {
            let why = match d.break_even_month {
                Some(m) if m.is_finite() => format!("break-even at month {m:.1}, past the horizon"),
                _ => format!("no break-even within {} months", end.month),
            };
            // A legend entry without marks: the fact belongs next to the lines.
            plot.draw_series(std::iter::empty::<Circle<(f64, f64), i32>>())?
                .label(why)
                .legend(|(x, y)| EmptyElement::at((x, y)));
        }
    }
    style::legend(&mut plot, SeriesLabelPosition::UpperLeft)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::super::*;

    #[test]
    fn tco_svg_has_both_paths_and_break_even() {
        let svg = renders_everywhere(&Chart::Tco(tco_sample()));
        svg.expect_text("Total cost of ownership over 36 months: API vs self-hosted");
        svg.expect_text("month");
        svg.expect_text("cumulative cost (USD)");
        svg.expect_text("API: $");
        svg.expect_text("self-hosted: $");
        svg.expect_text("break-even at month 25.7");
        svg.expect_text("break-even: month 25.7");
        assert!(svg.count("polyline") >= 3, "{:?}", svg.elements);
    }

    #[test]
    fn without_break_even_the_legend_says_so() {
        let mut d = tco_sample();
        d.break_even_month = None;
        parse(&svg(&Chart::Tco(d.clone()))).expect_text("no break-even within 36 months");
        d.break_even_month = Some(80.0);
        parse(&svg(&Chart::Tco(d))).expect_text("past the horizon");
    }

    #[test]
    fn degenerate_tcos_do_not_panic() {
        let month = |m, a, s| TcoMonth {
            month: m,
            api_cumulative_usd: a,
            self_hosted_cumulative_usd: s,
        };
        for (months, be) in [
            (vec![], Some(1.0)),
            (vec![month(0, 0.0, 0.0)], Some(0.0)),
            (vec![month(3, 5.0, 5.0), month(3, 5.0, 5.0)], Some(3.0)),
            (
                vec![month(0, f64::NAN, 1.0), month(u32::MAX, 1e300, -1e300)],
                Some(f64::NAN),
            ),
        ] {
            renders_everywhere(&Chart::Tco(TcoData {
                months,
                break_even_month: be,
            }));
        }
    }
}
