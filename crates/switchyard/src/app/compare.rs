//! Portfolios side by side, end to end: each plan resolved (against one
//! catalog, opened once if any plan needs it), evaluated with the same
//! options at one SLA target, then tabulated and diffed
//! ([`crate::compare`]); and the comparison charts drawn from the same
//! resolved portfolios.

use std::borrow::Borrow;

use serde::{Deserialize, Serialize};

use super::charts::ChartView;
use super::error::Error;
use super::evaluation::{evaluation, resolve};
use super::options::{ChartOptions, CompareOptions};
use crate::catalog::Catalog;
use crate::catalog::CatalogError;
use crate::chart::{
    Chart, CompareCostData, CompareFrontierData, CompareLatencyData, CompareSlaData,
    ExceedanceSeries, FrontierPoint, LabelledCost, LabelledLatency, build,
};
use crate::compare::{self, Compared, Comparison, ComparisonRun, InputSource};
use crate::model::simulate::simulate_with_progress;
use crate::model::{EvaluateOptions, Portfolio, Progress};
use crate::plan::{PlanFile, needs_catalog, plan_tco};
use crate::report::html;

/// A portfolio to compare: a plan and the name it goes by.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pinned {
    pub label: String,
    /// The file the plan was read from; `None` for a what-if or a search
    /// point that lives only in the app.
    pub file: Option<String>,
    pub plan: PlanFile,
}

/// A comparison and the portfolios it was computed on, for its charts.
#[derive(Debug, Clone)]
pub struct ComparedPlans {
    pub comparison: Comparison,
    pub portfolios: Vec<Portfolio>,
}

/// Evaluates `pinned` as `options` say. The catalog is opened with `open`
/// once, when `always` is set or any plan needs it.
pub fn compare<C, E>(
    pinned: &[Pinned],
    options: &CompareOptions,
    always: bool,
    open: impl FnOnce() -> Result<C, E>,
    progress: &Progress,
) -> Result<ComparedPlans, Error>
where
    C: Borrow<Catalog>,
    Error: From<E>,
{
    compare::check(pinned.len(), options.baseline)?;
    options.validate()?;
    let catalog = if always || pinned.iter().any(|p| needs_catalog(&p.plan)) {
        Some(open()?)
    } else {
        None
    };
    let mut evaluations = Vec::with_capacity(pinned.len());
    for p in pinned {
        let name = p.file.as_deref().unwrap_or(&p.label);
        let resolution = match &catalog {
            Some(c) => resolve::<&Catalog, Error>(&p.plan, name, true, || Ok(c.borrow()))?,
            // No plan needs a catalog, so resolve never opens one.
            None => resolve::<&Catalog, Error>(&p.plan, name, false, || {
                unreachable!("resolve opened a catalog for a self-contained plan")
            })?,
        };
        evaluations.push((p, resolution.resolved.target, evaluation(resolution)));
    }
    let target = options
        .target
        .or(evaluations[options.baseline].1)
        .unwrap_or(EvaluateOptions::default().target);
    let mut compared = Vec::with_capacity(pinned.len());
    let mut portfolios = Vec::with_capacity(pinned.len());
    for (p, _, e) in evaluations {
        let name = p.file.as_deref().unwrap_or(&p.label);
        let sources = figure_sources(&p.plan, &e.portfolio, catalog.as_ref().map(Borrow::borrow))?;
        let report = crate::model::evaluate_from(
            &e.portfolio,
            &e.view.figures,
            &options.sim.evaluate(Some(target)),
            progress,
        )?;
        let tco = match &p.plan.tco {
            Some(_) => Some(plan_tco(&p.plan, &e.portfolio, name)?.report),
            None => None,
        };
        compared.push(Compared {
            label: p.label.clone(),
            file: p.file.clone(),
            budget_ms: e.view.budget_ms,
            report,
            tco,
            sources,
        });
        portfolios.push(e.portfolio);
    }
    let plans: Vec<PlanFile> = pinned.iter().map(|p| p.plan.clone()).collect();
    let run = ComparisonRun {
        samples: options.sim.samples,
        seed: options.sim.seed,
        periods: options.sim.months,
        period: options.sim.period,
    };
    Ok(ComparedPlans {
        comparison: compare::compare(compared, &plans, options.baseline, target, run)?,
        portfolios,
    })
}

/// Where each figure of each offering of `portfolio` comes from: the plan's
/// inline fields, else the catalog's provenance (`catalog show`).
fn figure_sources(
    plan: &PlanFile,
    portfolio: &Portfolio,
    catalog: Option<&Catalog>,
) -> Result<Vec<InputSource>, Error> {
    let mut out = Vec::new();
    for offering in &portfolio.offerings {
        let inline = plan.offerings.iter().find(|o| o.id == offering.id);
        let detail = match catalog.map(|c| c.show(&offering.id)) {
            Some(Ok(detail)) => Some(detail),
            Some(Err(CatalogError::UnknownOffering(_))) | None => None,
            Some(Err(e)) => return Err(e.into()),
        };
        if let Some(inline) = inline {
            let value = serde_json::to_value(inline).unwrap_or_default();
            for (field, v) in value.as_object().into_iter().flatten() {
                if field != "id" && !v.is_null() {
                    out.push(InputSource {
                        offering: offering.id.clone(),
                        field: field.clone(),
                        value: v.to_string().trim_matches('"').to_owned(),
                        source: "the plan".to_owned(),
                        url: None,
                        date: None,
                    });
                }
            }
        }
        for f in detail.iter().flat_map(|d| &d.figures) {
            if inline.is_some_and(|i| i.sets(f.field)) {
                continue;
            }
            let (source, url, date) = if f.overridden {
                ("override".to_owned(), None, f.override_set_at.clone())
            } else if let Some(from) = &f.inherited_from {
                (format!("inherited from {from}"), None, None)
            } else {
                let s = f.source.as_ref();
                (
                    s.map_or("the catalog".to_owned(), |s| s.title.clone()),
                    s.and_then(|s| s.url.clone()),
                    f.effective_date
                        .clone()
                        .or_else(|| s.and_then(|s| s.date.clone())),
                )
            };
            out.push(InputSource {
                offering: offering.id.clone(),
                field: f.field.to_owned(),
                value: f.value.to_string().trim_matches('`').to_owned(),
                source,
                url,
                date,
            });
        }
    }
    Ok(out)
}

/// The work of comparing `count` portfolios, in [`Progress`] units.
pub fn work_units(options: &CompareOptions, count: usize) -> u64 {
    options.sim.evaluate(None).work_units() * count as u64
}

/// The comparison charts.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CompareChart {
    /// The monthly SLA exceedance curves.
    Sla,
    /// Latency CDFs of successful requests, with the budgets.
    Latency,
    /// Cost per request by step.
    Cost,
    /// Monthly cost against availability, over a search's plans.
    Frontier,
}

impl CompareChart {
    pub const ALL: [CompareChart; 4] = [
        CompareChart::Sla,
        CompareChart::Latency,
        CompareChart::Cost,
        CompareChart::Frontier,
    ];
}

/// Draws `kind` of `compared`. The SLA and frontier charts take the
/// comparison's own figures; the latency and cost charts simulate each
/// portfolio as `options` say. `search` holds a search's plans to draw
/// behind the frontier chart (empty when none has run).
pub fn compare_chart(
    kind: CompareChart,
    compared: &ComparedPlans,
    options: &ChartOptions,
    search: &[FrontierPoint],
    progress: &Progress,
) -> Result<Chart, Error> {
    options.validate()?;
    let c = &compared.comparison;
    Ok(match kind {
        CompareChart::Sla => Chart::CompareSla(CompareSlaData {
            period_label: build::period_label(c.run.period).to_owned(),
            target: c.target,
            series: c
                .portfolios
                .iter()
                .map(|p| ExceedanceSeries {
                    label: p.label.clone(),
                    points: p
                        .report
                        .monthly_availability
                        .exceedance
                        .iter()
                        .map(|e| [e.threshold, e.p])
                        .collect(),
                })
                .collect(),
        }),
        CompareChart::Frontier => Chart::CompareFrontier(CompareFrontierData {
            portfolios: c
                .portfolios
                .iter()
                .map(|p| FrontierPoint {
                    label: p.label.clone(),
                    monthly_usd: p.report.cost_usd.monthly,
                    availability: p.report.availability,
                    p95_ms: p.report.latency_ms.p95,
                    on_frontier: false,
                    chosen: false,
                })
                .collect(),
            search: search.to_vec(),
        }),
        CompareChart::Latency | CompareChart::Cost => {
            progress.expect(options.samples * compared.portfolios.len() as u64);
            let mut latency = Vec::new();
            let mut cost = Vec::new();
            for (p, portfolio) in c.portfolios.iter().zip(&compared.portfolios) {
                let sim =
                    simulate_with_progress(portfolio, options.samples, options.seed, progress)?;
                if kind == CompareChart::Latency {
                    latency.push(LabelledLatency {
                        label: p.label.clone(),
                        latency: build::latency(portfolio, &sim),
                    });
                } else {
                    cost.push(LabelledCost {
                        label: p.label.clone(),
                        cost: build::cost(portfolio, &sim),
                    });
                }
            }
            if kind == CompareChart::Latency {
                Chart::CompareLatency(CompareLatencyData { series: latency })
            } else {
                Chart::CompareCost(CompareCostData { series: cost })
            }
        }
    })
}

/// The chart options of a comparison's charts: its seed and periods, at
/// the charts' default sample count.
pub fn chart_options(options: &CompareOptions) -> ChartOptions {
    ChartOptions {
        seed: options.sim.seed,
        months: options.sim.months,
        period: options.sim.period,
        ..ChartOptions::default()
    }
}

/// Size of the charts in a report, in pixels (drawn as SVG, scaled to the
/// page).
pub const REPORT_CHART_SIZE: (u32, u32) = (960, 600);

/// The self-contained HTML report of `compared` (one plan or several):
/// its figures, its charts drawn with `chart_options`, the plans as written
/// in `pinned` and every figure's source.
pub fn report(
    compared: &ComparedPlans,
    pinned: &[Pinned],
    chart_options: &ChartOptions,
    search: &[FrontierPoint],
    progress: &Progress,
) -> Result<String, Error> {
    let charts = compare_views(compared, chart_options, search, REPORT_CHART_SIZE, progress)?
        .into_iter()
        .map(|(_, view)| html::ReportChart {
            title: view.title,
            svg: view.svg,
        })
        .collect::<Vec<_>>();
    let plans = pinned
        .iter()
        .map(|p| {
            Ok(html::ReportPlan {
                label: p.label.clone(),
                file: p.file.clone(),
                text: crate::plan::to_string(&p.plan, crate::plan::Format::Toml).map_err(
                    |reason| crate::plan::PlanError::Write {
                        file: p.file.clone().unwrap_or_else(|| p.label.clone()),
                        reason,
                    },
                )?,
            })
        })
        .collect::<Result<Vec<_>, Error>>()?;
    let meta = html::ReportMeta {
        generated_at: crate::utc::now(),
        version: env!("CARGO_PKG_VERSION").to_owned(),
    };
    Ok(html::render(&compared.comparison, &charts, &plans, &meta))
}

/// Every comparison chart of `compared`, drawn for a screen or a report at
/// `width` × `height`.
pub fn compare_views(
    compared: &ComparedPlans,
    options: &ChartOptions,
    search: &[FrontierPoint],
    size: (u32, u32),
    progress: &Progress,
) -> Result<Vec<(CompareChart, ChartView)>, Error> {
    CompareChart::ALL
        .iter()
        .map(|&kind| {
            let chart = compare_chart(kind, compared, options, search, progress)?;
            Ok((kind, super::charts::view(&chart, size.0, size.1)?))
        })
        .collect()
}

#[cfg(test)]
mod tests;
