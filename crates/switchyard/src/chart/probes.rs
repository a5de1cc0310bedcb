//! What the probes saw: time to first token of each offering over time, and
//! below it a strip with one row per offering where each failed probe is a
//! cross, so an outage shows as a run of crosses. Long logs are drawn per
//! stretch of time (see `thin.rs`).
//! Times are UTC: the chart must read the same wherever it is rendered.

use plotters::chart::SeriesAnno;
use plotters::coord::Shift;
use plotters::prelude::*;

use super::ChartError;
use super::data::{ProbePoint, ProbesData};
use super::style::{self, Axis};
use super::time::{DAY, MINUTE, date_time, date_time_seconds, time_tick, time_ticks};
use super::{thin, time};
use crate::format;

/// Longest offering name in the failure strip's labels.
const MAX_NAME: usize = 30;

pub fn title(d: &ProbesData) -> String {
    let probes: usize = d.series.iter().map(|s| s.points.len()).sum();
    format!(
        "Time to first token by offering ({} probes)",
        format::count(probes as f64)
    )
}

fn ttft(p: &ProbePoint) -> Option<f64> {
    p.ttft_ms.filter(|t| p.ok && t.is_finite() && *t >= 0.0)
}

/// "x: failed, <time>", or for a mark that stands for several failures,
/// "x: 3 failed, <first> to <last>".
fn failure_label(offering: &str, run: &thin::FailureRun) -> String {
    if run.count == 1 {
        format!("{offering}: failed, {}", date_time_seconds(run.first_ms))
    } else {
        format!(
            "{offering}: {} failed, {} to {}",
            format::count(run.count as f64),
            date_time_seconds(run.first_ms),
            date_time_seconds(run.last_ms)
        )
    }
}

/// Pixels per stretch of time when a series is summarised: wide enough that
/// each stretch holds several probes, narrow enough to show a day's shape in
/// a month.
const PIXELS_PER_BUCKET: usize = 4;

/// Opacity of the p10 to p90 band; three overlapping bands stay readable.
const BAND_ALPHA: f64 = 0.2;

/// One mark per probe, joined by a line: for logs that fit the width.
fn draw_each_probe<'a, 'b, DB: DrawingBackend>(
    plot: &'b mut style::Plot<'a, DB>,
    offering: &str,
    ok: &[(i64, f64)],
    colour: RGBColor,
) -> Result<&'b mut SeriesAnno<'a, DB>, ChartError>
where
    DB::ErrorType: 'static,
{
    let points: Vec<(f64, f64)> = ok.iter().map(|&(at, t)| (at as f64, t)).collect();
    plot.draw_series(LineSeries::new(
        points.iter().copied(),
        colour.mix(0.6).stroke_width(2),
    ))?;
    for &(at, t) in ok {
        super::hover(plot.backend_coord(&(at as f64, t)), || {
            format!(
                "{offering}: TTFT {}, {}",
                format::duration(t),
                date_time_seconds(at)
            )
        });
    }
    Ok(plot.draw_series(points.iter().map(|p| Circle::new(*p, 2, colour.filled())))?)
}

/// Per stretch of time: the median as a line, the p10 to p90 band around
/// it, and the slowest probe as a dot, so a lone spike stays visible. Lines
/// and bands break where a stretch has no successful probe.
fn draw_summary<'a, 'b, DB: DrawingBackend>(
    plot: &'b mut style::Plot<'a, DB>,
    offering: &str,
    buckets: &[thin::Bucket],
    width_ms: i64,
    colour: RGBColor,
) -> Result<&'b mut SeriesAnno<'a, DB>, ChartError>
where
    DB::ErrorType: 'static,
{
    let at = |b: &thin::Bucket| b.middle_ms(width_ms);
    for run in thin::contiguous(buckets) {
        let band: Vec<(f64, f64)> = run
            .iter()
            .map(|b| (at(b), b.p90))
            .chain(run.iter().rev().map(|b| (at(b), b.p10)))
            .collect();
        if run.len() > 1 {
            plot.draw_series(std::iter::once(Polygon::new(
                band,
                colour.mix(BAND_ALPHA).filled(),
            )))?;
        } else {
            // A stretch between two gaps: a bar, and the median on it.
            plot.draw_series(std::iter::once(PathElement::new(
                band,
                colour.mix(0.5).stroke_width(3),
            )))?;
            plot.draw_series(
                run.iter()
                    .map(|b| Circle::new((at(b), b.median), 3, colour.filled())),
            )?;
        }
    }
    plot.draw_series(
        buckets
            .iter()
            .map(|b| Circle::new((at(b), b.slowest), 2, colour.mix(0.8).filled())),
    )?;
    for b in buckets {
        super::hover(plot.backend_coord(&(at(b), b.median)), || {
            format!(
                "{offering}: median TTFT {} (p10 {}, p90 {}, slowest {}) of {} probes, {} to {}",
                format::duration(b.median),
                format::duration(b.p10),
                format::duration(b.p90),
                format::duration(b.slowest),
                format::count(b.count as f64),
                date_time_seconds(b.first_ms),
                date_time_seconds(b.last_ms)
            )
        });
    }
    Ok(plot.draw_series(thin::contiguous(buckets).map(|run| {
        PathElement::new(
            run.iter().map(|b| (at(b), b.median)).collect::<Vec<_>>(),
            colour.stroke_width(2),
        )
    }))?)
}

pub fn draw<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    d: &ProbesData,
) -> Result<(), ChartError>
where
    DB::ErrorType: 'static,
{
    let title = title(d);
    let series: Vec<_> = d.series.iter().filter(|s| !s.points.is_empty()).collect();
    let Some((t_lo, t_hi)) = series
        .iter()
        .flat_map(|s| s.points.iter().map(|p| p.at_ms))
        .fold(None, |acc: Option<(i64, i64)>, t| match acc {
            None => Some((t, t)),
            Some((lo, hi)) => Some((lo.min(t), hi.max(t))),
        })
    else {
        return style::no_data(area, &title, "no probe results to show");
    };
    // At least ten minutes wide, so one probe still sits mid-axis.
    let pad = (t_hi.saturating_sub(t_lo) / 40).max(5 * MINUTE);
    let (x_lo, x_hi) = (t_lo.saturating_sub(pad), t_hi.saturating_add(pad));
    let (ticks, step) = time_ticks(x_lo, x_hi);
    let multi_day = t_lo.div_euclid(DAY) != t_hi.div_euclid(DAY);
    let x_axis = || {
        Axis::with_ticks(x_lo as f64, x_hi as f64, ticks.clone(), move |x| {
            time_tick(x as i64, step, multi_day)
        })
    };

    let ttfts: Vec<f64> = series
        .iter()
        .flat_map(|s| s.points.iter().filter_map(ttft))
        .collect();
    let (y_min, y_max) = style::min_max(ttfts.iter().copied()).unwrap_or((100.0, 1000.0));
    let seconds = y_max >= 2000.0;
    let unit = move |ms: f64, step: f64| {
        if seconds {
            style::plain_tick(ms / 1000.0, step / 1000.0)
        } else {
            style::plain_tick(ms, step)
        }
    };
    let log_y = y_min > 0.0 && y_max / y_min > 20.0;
    let y_axis = if log_y {
        Axis::log(y_min / 1.3, y_max * 1.5, move |ms| {
            let step = 10f64.powf(ms.log10().floor());
            unit(ms, step)
        })
    } else {
        Axis::linear(0.0, (y_max * 1.25).max(1.0), unit)
    };

    let names: Vec<String> = series
        .iter()
        .map(|s| style::truncate(&s.offering, MAX_NAME))
        .collect();
    let label_width = names
        .iter()
        .map(|n| style::text_width(n, style::LABEL_SIZE))
        .max()
        .unwrap_or(40)
        .max(style::widest_label(&y_axis))
        + 40;

    let (_, h) = area.dim_in_pixel();
    let strip = (series.len() as u32 * 26 + 110).min(h / 2);
    let (top, bottom) = area.split_vertically(h.saturating_sub(strip));

    let mut plot = ChartBuilder::on(&top)
        .caption(&title, style::title_style())
        .margin(16)
        .margin_right(32)
        .x_label_area_size(30)
        .y_label_area_size(label_width)
        .build_cartesian_2d(x_axis(), y_axis)?;
    let y_desc = match (seconds, log_y) {
        (true, true) => "time to first token (s, log scale)",
        (true, false) => "time to first token (s)",
        (false, true) => "time to first token (ms, log scale)",
        (false, false) => "time to first token (ms)",
    };
    plot.configure_mesh()
        .y_desc(y_desc)
        .axis_desc_style(style::axis_style())
        .label_style(style::label_style())
        .bold_line_style(RGBColor(0xDD, 0xDD, 0xDD))
        .light_line_style(TRANSPARENT)
        .x_labels(12)
        .y_labels(10)
        .draw()?;

    // Above one probe per pixel column a series is drawn per stretch of
    // time (see `thin`); its legend still counts every probe.
    let columns = plot.plotting_area().dim_in_pixel().0 as usize;
    let width_ms = thin::bucket_width(x_hi.saturating_sub(x_lo), columns / PIXELS_PER_BUCKET);
    let mut summarised = false;
    for (i, s) in series.iter().enumerate() {
        let colour = style::series_colour(i);
        let mut ok: Vec<(i64, f64)> = s
            .points
            .iter()
            .filter_map(|p| ttft(p).map(|t| (p.at_ms, t)))
            .collect();
        ok.sort_by_key(|p| p.0);
        let label = format!(
            "{} ({} ok, {} failed)",
            names[i],
            format::count(ok.len() as f64),
            format::count((s.points.len() - ok.len()) as f64)
        );
        if ok.len() > columns {
            summarised = true;
            let buckets = thin::summarise(&ok, width_ms);
            draw_summary(&mut plot, &s.offering, &buckets, width_ms, colour)?
                .label(label)
                .legend(move |(x, y)| {
                    EmptyElement::at((x, y))
                        + Rectangle::new([(0, -4), (20, 4)], colour.mix(BAND_ALPHA).filled())
                        + PathElement::new(vec![(0, 0), (20, 0)], colour.stroke_width(2))
                });
        } else {
            draw_each_probe(&mut plot, &s.offering, &ok, colour)?
                .label(label)
                .legend(move |(x, y)| {
                    EmptyElement::at((x, y))
                        + PathElement::new(vec![(0, 0), (20, 0)], colour.stroke_width(2))
                        + Circle::new((10, 0), 3, colour.filled())
                });
        }
    }
    if summarised {
        plot.draw_series(std::iter::empty::<EmptyElement<(f64, f64), DB>>())?
            .label(format!(
                "line: median per {}, band: p10 to p90, dot: slowest",
                time::width_label(width_ms)
            ))
            .legend(|(x, y)| EmptyElement::at((x, y)));
    }
    style::legend(&mut plot, SeriesLabelPosition::UpperRight)?;

    // The failure strip: one row per offering, same time axis.
    let n = series.len() as f64;
    let row_names = names.clone();
    let rows = Axis::with_ticks(
        0.0,
        n,
        (0..series.len())
            .map(|i| n - 1.0 - i as f64 + 0.5)
            .collect(),
        move |y| {
            let i = (n - 0.5 - y).round();
            if i >= 0.0 && (i as usize) < row_names.len() {
                row_names[i as usize].clone()
            } else {
                String::new()
            }
        },
    );
    let mut strip = ChartBuilder::on(&bottom)
        .margin(16)
        .margin_top(4)
        .margin_right(32)
        .x_label_area_size(58)
        .y_label_area_size(label_width)
        .build_cartesian_2d(x_axis(), rows)?;
    let multi = if multi_day {
        format!("time (UTC), {} to {}", date_time(t_lo), date_time(t_hi))
    } else {
        format!("time (UTC) on {}", &date_time(t_lo)[..10])
    };
    strip
        .configure_mesh()
        .x_desc(multi)
        .axis_desc_style(style::axis_style())
        .label_style(style::label_style())
        .bold_line_style(RGBColor(0xDD, 0xDD, 0xDD))
        .light_line_style(TRANSPARENT)
        .disable_y_mesh()
        .x_labels(12)
        .y_labels(series.len() + 1)
        .draw()?;
    let failure_marks: Vec<(f64, Vec<thin::FailureRun>)> = series
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let mut times: Vec<i64> = s
                .points
                .iter()
                .filter(|p| ttft(p).is_none())
                .map(|p| p.at_ms)
                .collect();
            times.sort_unstable();
            let y = n - 1.0 - i as f64 + 0.5;
            let column = |t: i64| strip.backend_coord(&(t as f64, y)).0;
            (y, thin::failures_per_column(&times, column))
        })
        .collect();
    for (s, (y, runs)) in series.iter().zip(&failure_marks) {
        for run in runs {
            super::hover(strip.backend_coord(&(run.first_ms as f64, *y)), || {
                failure_label(&s.offering, run)
            });
        }
    }
    let cross = style::VERMILLION.stroke_width(2);
    strip
        .draw_series(failure_marks.iter().flat_map(|(y, runs)| {
            runs.iter()
                .map(move |run| Cross::new((run.first_ms as f64, *y), 5, cross))
        }))?
        .label("failed probe")
        .legend(move |(x, y)| Cross::new((x + 10, y), 5, cross));
    strip
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperRight)
        .margin(4)
        .legend_area_size(28)
        .background_style(WHITE.mix(0.9))
        .border_style(style::GREY)
        .label_font(style::label_style())
        .draw()?;
    Ok(())
}

#[cfg(test)]
mod chart_tests {
    use super::super::testing::*;
    use super::super::*;

    #[test]
    fn probes_svg_has_series_failures_and_times() {
        let d = probes_sample();
        let failures: usize = d
            .series
            .iter()
            .map(|s| s.points.iter().filter(|p| !p.ok).count())
            .sum();
        let svg = renders_everywhere(&Chart::Probes(d));
        svg.expect_text("Time to first token by offering (540 probes)");
        svg.expect_text("time to first token (s)");
        svg.expect_text("time (UTC) on 2026-01-01");
        svg.expect_text("02:00");
        svg.expect_text("anthropic/claude-sonnet-4 (");
        svg.expect_text("deepseek/deepseek-chat (");
        svg.expect_text("failed probe");
        // One polyline per series; each failure a cross of two lines.
        assert!(svg.count("polyline") >= 3, "{:?}", svg.elements);
        assert!(svg.count("line") >= 2 * failures, "{:?}", svg.elements);
    }

    #[test]
    fn degenerate_probes_do_not_panic() {
        let point = |at_ms, ttft_ms, ok| ProbePoint { at_ms, ttft_ms, ok };
        let series = |points| ProbeSeries {
            offering: "x".into(),
            points,
        };
        for s in [
            vec![],
            vec![series(vec![])],
            vec![series(vec![point(0, Some(100.0), true)])],
            vec![series(vec![point(0, None, false); 3])],
            vec![series(vec![
                point(i64::MIN, Some(f64::NAN), true),
                point(i64::MAX, Some(1e300), true),
            ])],
            vec![series(vec![
                point(5, Some(0.0), true),
                point(5, Some(-3.0), true),
            ])],
        ] {
            renders_everywhere(&Chart::Probes(ProbesData { series: s }));
        }
    }
}
