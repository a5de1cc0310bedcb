//! The charts of a plan and of stored probes, gathered the same way for a
//! file (`switchyard chart`) and for the screen (the Analysis, TCO, Search and
//! Probes pages).

use serde::{Deserialize, Serialize};

use super::error::Error;
use super::options::ChartOptions;
use crate::catalog::{Catalog, probes};
use crate::chart::{self, Chart, HoverPoint, build};
use crate::model::capacity;
use crate::model::monthly::{Exceedance, monthly_with_progress};
use crate::model::progress::UNITS_PER_PERIOD;
use crate::model::simulate::simulate_with_progress;
use crate::model::{EvaluateOptions, Portfolio, Progress};
use crate::plan::PlanTco;

/// The charts drawn from a plan's own simulation. The TCO, probe and frontier
/// charts come from their own jobs ([`tco`], [`probes`], `app::search`).
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PlanChart {
    /// Latency CDF of successful requests, with the budget.
    Latency,
    /// Distribution of the period's availability, with the target.
    Sla,
    /// Cost per request by route and step: first tries, retries, cut attempts.
    Cost,
    /// P(a period reaches each availability): the SLA distribution's
    /// exceedance curve.
    Exceedance,
    /// Attempts a minute each rate-limited offering is sent over the day,
    /// against its limit. Closed forms only: no simulation, so the options'
    /// sample and period counts do not change it.
    Capacity,
}

/// Simulates `portfolio` as `options` say and draws `kind` of it; `target`
/// is the plan's, if it sets one. `history` holds the records drawn beside
/// the exceedance curve ([`super::history::group_curves`]).
pub fn plan_chart(
    kind: PlanChart,
    portfolio: &Portfolio,
    target: Option<f64>,
    history: &[(String, Vec<Exceedance>)],
    options: &ChartOptions,
    progress: &Progress,
) -> Result<Chart, Error> {
    options.validate()?;
    Ok(match kind {
        PlanChart::Latency | PlanChart::Cost => {
            let sim = simulate_with_progress(portfolio, options.samples, options.seed, progress)?;
            if kind == PlanChart::Latency {
                Chart::LatencyCdf(build::latency(portfolio, &sim))
            } else {
                Chart::Cost(build::cost(portfolio, &sim))
            }
        }
        PlanChart::Sla => Chart::Sla(build::sla(
            portfolio,
            options.period,
            options.months,
            options.seed,
            target.unwrap_or(EvaluateOptions::default().target),
            progress,
        )?),
        PlanChart::Exceedance => {
            progress.expect(options.months * UNITS_PER_PERIOD);
            let figures = monthly_with_progress(
                portfolio,
                options.period,
                options.months,
                target.unwrap_or(EvaluateOptions::default().target),
                options.seed,
                progress,
            )?;
            Chart::Exceedance(build::exceedance(&figures, history))
        }
        PlanChart::Capacity => {
            Chart::Capacity(build::capacity(portfolio, &capacity::analyse(portfolio)))
        }
    })
}

/// The TCO chart of a plan's `[tco]` ([`plan_tco`]).
pub fn tco(tco: &PlanTco) -> Chart {
    Chart::Tco(build::tco(&tco.report))
}

/// The stored probe results of each of `offerings` that has any, over time.
pub fn probes<'a>(
    catalog: &Catalog,
    offerings: impl IntoIterator<Item = &'a str>,
) -> Result<Chart, Error> {
    let mut stored = Vec::new();
    for id in offerings {
        stored.push((id, probes::load(catalog, Some(id), None)?));
    }
    Ok(Chart::Probes(build::probes(
        stored.iter().map(|(id, results)| (*id, results.as_slice())),
    )))
}

/// A chart drawn for a screen, with the points that show values on hover.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChartView {
    pub title: String,
    pub svg: String,
    pub width: u32,
    pub height: u32,
    pub points: Vec<HoverPoint>,
}

/// Draws `chart` as an SVG of `width` × `height` pixels for a screen.
pub fn view(chart: &Chart, width: u32, height: u32) -> Result<ChartView, Error> {
    let (svg, points) = chart::render_svg_with_hover(chart, width, height)?;
    Ok(ChartView {
        title: chart::title(chart),
        svg,
        width,
        height,
        points,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::testkit::{open, temp_db};
    use crate::plan::{Format, NoCatalog, PlanFile, parse, resolve};

    const EXAMPLE: &str = include_str!("../../../../examples/claude-then-deepseek.toml");

    fn example() -> (PlanFile, crate::plan::Resolved) {
        let plan = parse(EXAMPLE, Format::Toml, "example.toml").expect("parses");
        let resolved = resolve(&plan, &NoCatalog).expect("resolves");
        (plan, resolved)
    }

    #[test]
    fn every_chart_of_the_example_draws_with_hover_points() {
        let (plan, resolved) = example();
        let options = ChartOptions {
            samples: 5_000,
            months: 50,
            ..ChartOptions::default()
        };
        let mut charts: Vec<Chart> = [
            PlanChart::Latency,
            PlanChart::Sla,
            PlanChart::Cost,
            PlanChart::Exceedance,
            PlanChart::Capacity,
        ]
        .into_iter()
        .map(|kind| {
            plan_chart(
                kind,
                &resolved.portfolio,
                resolved.target,
                &[],
                &options,
                &Progress::new(),
            )
            .expect("draws")
        })
        .collect();
        let plan_tco =
            crate::plan::plan_tco(&plan, &resolved.portfolio, "example.toml").expect("has [tco]");
        charts.push(tco(&plan_tco));
        for chart in &charts {
            let v = view(chart, 960, 600).expect("renders");
            assert!(v.svg.starts_with("<svg"), "{}", v.title);
            if matches!(chart, Chart::Capacity(_)) {
                // The example has no rate limit: the chart says so.
                assert!(
                    v.svg.contains("no offering has a rate limit"),
                    "{}",
                    v.title
                );
            } else {
                assert!(!v.points.is_empty(), "{}", v.title);
            }
        }
    }

    /// The capacity chart's peak-minute points say the engine's figures for
    /// each limited offering: its sent rate, headroom and rejected share.
    #[test]
    fn the_capacity_chart_carries_the_engines_figures() {
        let plan = parse(
            include_str!("../../../../examples/peak-traffic.toml"),
            Format::Toml,
            "peak-traffic.toml",
        )
        .expect("parses");
        let resolved = resolve(&plan, &NoCatalog).expect("resolves");
        let p = &resolved.portfolio;
        let chart = plan_chart(
            PlanChart::Capacity,
            p,
            resolved.target,
            &[],
            &ChartOptions::default(),
            &Progress::new(),
        )
        .expect("draws");
        let Chart::Capacity(data) = &chart else {
            panic!("a capacity chart");
        };
        let analysis = capacity::analyse(p);
        let limited: Vec<_> = analysis
            .steps
            .iter()
            .filter(|s| s.binding_limit.is_some())
            .collect();
        assert_eq!(limited.len(), 1, "only Claude has limits");
        let step = limited[0];
        assert_eq!(data.offerings.len(), 1);
        let series = &data.offerings[0];
        assert_eq!(series.offering, step.offering);
        assert_eq!(series.offered_rpm_by_hour, step.offered_rpm_by_hour);
        assert_eq!(series.offered_rpm_peak, step.offered_rpm_peak);
        assert_eq!(Some(series.limit_rpm), step.limit_rpm);
        assert_eq!(Some(series.headroom_peak), step.headroom_peak);
        assert_eq!(data.peak_hour, p.workload.traffic.peak_hour());

        let v = view(&chart, 960, 600).expect("renders");
        let format = crate::format::percent;
        let peak = v
            .points
            .iter()
            .find(|h| h.label.contains("at the peak minute"))
            .expect("a peak point");
        assert!(
            peak.label.starts_with(&format!(
                "{}: {} attempts a minute at the peak minute ({:02}:00 UTC",
                step.offering,
                crate::format::count(step.offered_rpm_peak),
                data.peak_hour
            )),
            "{}",
            peak.label
        );
        assert!(
            peak.label.ends_with(&format!(
                "headroom {}, {} rejected",
                format(step.headroom_peak.expect("limited")),
                format(step.rejected_share_peak)
            )),
            "{}",
            peak.label
        );
        let hours: Vec<_> = v
            .points
            .iter()
            .filter(|h| h.label.contains("(mean minute)"))
            .collect();
        assert_eq!(hours.len(), 24);
        let busiest = hours
            .iter()
            .find(|h| {
                h.label
                    .contains(&format!("{:02}:00 UTC to", data.peak_hour))
            })
            .expect("the peak hour");
        assert!(busiest.label.contains(&format!(
            "{} attempts a minute",
            crate::format::count(step.offered_rpm_by_hour[data.peak_hour])
        )));
        // The peak minute is never below its hour's mean minute on the image.
        assert!(peak.y <= busiest.y, "{peak:?} {busiest:?}");
    }

    #[test]
    fn offerings_without_probes_are_left_out_of_the_probe_chart() {
        let (_dir, path) = temp_db();
        let catalog = open(&path, true);
        let Chart::Probes(data) = probes(&catalog, ["openai/gpt-5.5"]).expect("loads") else {
            panic!("a probe chart");
        };
        assert!(data.series.is_empty());
    }

    #[test]
    fn a_chart_refuses_options_out_of_range() {
        let (_, resolved) = example();
        let options = ChartOptions {
            samples: 0,
            ..ChartOptions::default()
        };
        let e = plan_chart(
            PlanChart::Cost,
            &resolved.portfolio,
            None,
            &[],
            &options,
            &Progress::new(),
        )
        .expect_err("refused");
        assert!(e.to_string().starts_with("simulated requests"), "{e}");
    }
}
