//! Where the money per request goes: one horizontal bar per route step, split
//! into first-try successes, retries and attempts that timed out or were cut,
//! so waste from retries and timeouts shows next to the useful spend.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::ChartError;
use super::data::{CostData, CostRow};
use super::style::{self, Axis};
use crate::format;

/// Longest category label before it is cut with an ellipsis.
const MAX_LABEL: usize = 44;

/// A USD amount as drawn: finite and not negative.
fn amount(x: f64) -> f64 {
    if x.is_finite() { x.max(0.0) } else { 0.0 }
}

pub(super) fn parts(r: &CostRow) -> [f64; 3] {
    [
        amount(r.success_usd),
        amount(r.retry_usd),
        amount(r.timeout_usd),
    ]
}

pub fn title(d: &CostData) -> String {
    let total: f64 = d.rows.iter().map(|r| parts(r).iter().sum::<f64>()).sum();
    format!(
        "Cost per request by route and step: {} in all",
        format::usd(total)
    )
}

/// A plot of horizontal USD bars, one per label from the top (bar `i` spans
/// y = n − 1 − i to n − i), with an empty band above them for the legend so
/// it never covers a bar; `max` is the longest bar.
pub(super) fn bars_plot<'a, DB>(
    area: &'a DrawingArea<DB, Shift>,
    title: &str,
    labels: &[String],
    max: f64,
    (x_desc, y_desc): (&str, &str),
) -> Result<style::Plot<'a, DB>, ChartError>
where
    DB: DrawingBackend,
    DB::ErrorType: 'static,
{
    let n = labels.len() as f64;
    let (_, h) = area.dim_in_pixel();
    let plot_h = (f64::from(h) - 150.0).max(60.0);
    let band = (95.0 * n / (plot_h - 95.0).max(10.0)).clamp(0.6, 3.0 * n);
    let tick_labels = labels.to_vec();
    let y_axis = Axis::with_ticks(
        0.0,
        n + band,
        (0..labels.len())
            .map(|i| n - 1.0 - i as f64 + 0.5)
            .collect(),
        move |y| {
            let i = (n - 0.5 - y).round();
            if i >= 0.0 && (i as usize) < tick_labels.len() {
                tick_labels[i as usize].clone()
            } else {
                String::new()
            }
        },
    );
    let x_axis = Axis::linear(0.0, max * 1.22, |x, _| style::usd_tick(x));
    let y_width = labels
        .iter()
        .map(|l| style::text_width(l, style::LABEL_SIZE))
        .max()
        .unwrap_or(40);
    let mut plot = style::plot(area, title, x_axis, y_axis, y_width)?;
    plot.configure_mesh()
        .x_desc(x_desc)
        .y_desc(y_desc)
        .axis_desc_style(style::axis_style())
        .label_style(style::label_style())
        .bold_line_style(RGBColor(0xDD, 0xDD, 0xDD))
        .light_line_style(TRANSPARENT)
        .disable_y_mesh()
        .x_labels(10)
        .y_labels(labels.len() + 1)
        .draw()?;
    Ok(plot)
}

pub fn draw<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    d: &CostData,
) -> Result<(), ChartError>
where
    DB::ErrorType: 'static,
{
    let title = title(d);
    let totals: Vec<f64> = d.rows.iter().map(|r| parts(r).iter().sum()).collect();
    let max = totals.iter().copied().fold(0.0, f64::max);
    if d.rows.is_empty() || max <= 0.0 {
        return style::no_data(area, &title, "no route step spends anything");
    }
    let n = d.rows.len() as f64;
    let labels: Vec<String> = d
        .rows
        .iter()
        .map(|r| {
            style::truncate(
                &format!("{} · {}. {}", r.route, r.step.saturating_add(1), r.offering),
                MAX_LABEL,
            )
        })
        .collect();
    let mut plot = bars_plot(
        area,
        &title,
        &labels,
        max,
        ("expected cost per request (USD)", "route · step. offering"),
    )?;

    let kinds = [
        ("first-try successes", style::BLUE),
        ("retries", style::ORANGE),
        ("timed-out or cut attempts", style::VERMILLION),
    ];
    for (k, (name, colour)) in kinds.iter().enumerate() {
        let fill = colour.filled();
        let bars: Vec<Rectangle<(f64, f64)>> = d
            .rows
            .iter()
            .enumerate()
            .filter_map(|(i, r)| {
                let p = parts(r);
                let start: f64 = p[..k].iter().sum();
                let y = n - 1.0 - i as f64;
                (p[k] > 0.0)
                    .then(|| Rectangle::new([(start, y + 0.2), (start + p[k], y + 0.8)], fill))
            })
            .collect();
        plot.draw_series(bars)?
            .label(*name)
            .legend(move |(x, y)| Rectangle::new([(x, y - 6), (x + 20, y + 6)], fill));
    }
    for (i, total) in totals.iter().enumerate() {
        let y = n - 1.0 - i as f64 + 0.5;
        let p = parts(&d.rows[i]);
        super::hover(plot.backend_coord(&(*total, y)), || {
            format!(
                "{}: {} per request (first tries {}, retries {}, cut {})",
                labels[i],
                format::usd(*total),
                format::usd(p[0]),
                format::usd(p[1]),
                format::usd(p[2])
            )
        });
        plot.plotting_area().draw(
            &(EmptyElement::at((*total, y))
                + Text::new(
                    format::usd(*total),
                    (6, 0),
                    style::left(style::label_style()),
                )),
        )?;
    }
    style::legend(&mut plot, SeriesLabelPosition::UpperRight)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::super::*;

    #[test]
    fn cost_svg_has_bars_per_step_and_kind() {
        let svg = renders_everywhere(&Chart::Cost(cost_sample()));
        svg.expect_text("Cost per request by route and step: $0.01714 in all");
        svg.expect_text("expected cost per request (USD)");
        svg.expect_text("primary · 1. anthropic/claude-sonnet-4");
        svg.expect_text("batch · 2. azure-eastus/gpt-4o");
        svg.expect_text("first-try successes");
        svg.expect_text("retries");
        svg.expect_text("timed-out or cut attempts");
        svg.expect_text("$0.0138");
        // 4 rows x 3 kinds, one empty (no retry on batch 2), plus legend swatches.
        assert!(svg.count("rect") >= 11 + 3, "{:?}", svg.elements);
    }

    #[test]
    fn degenerate_costs_do_not_panic() {
        let row = |s: f64| CostRow {
            route: "r".repeat(200),
            step: usize::MAX,
            offering: "o".into(),
            success_usd: s,
            retry_usd: f64::NAN,
            timeout_usd: -1.0,
        };
        for rows in [
            vec![],
            vec![row(0.0)],
            vec![row(f64::INFINITY)],
            vec![row(1.0); 60],
        ] {
            renders_everywhere(&Chart::Cost(CostData { rows }));
        }
    }
}
