//! A plan's `[search]` run end to end: which catalog offerings are candidates,
//! the exact frontier, its simulated report, and the frontier chart's data.
//! `switchyard search`, `switchyard chart frontier` and the desktop app's
//! Search page all run searches through here.

use super::error::Error;
use super::options::SearchOptions;
use crate::catalog::{Catalog, CatalogError, Field, ListFilter};
use crate::chart::{ColourUnit, FrontierColour, FrontierData, FrontierPoint};
use crate::model::Progress;
use crate::model::Step;
use crate::model::search::report::{PointOptions, SearchReport, report_with_progress};
use crate::model::search::{Extra, Frontier, search_with_progress, single_steps};
use crate::plan::{
    CandidateInfo, NoCatalog, OfferingSource, PlanError, PlanFile, ResolvedSearch,
    needs_catalog as plan_needs_catalog, resolve_search,
};

/// A finished search and what it was run on.
#[derive(Debug)]
pub struct SearchRun {
    pub plan: PlanFile,
    pub search: ResolvedSearch,
    pub frontier: Frontier,
    pub report: SearchReport,
}

/// Whether the search needs the catalog: when `explicit_db` names one, when the
/// plan lists no candidates (they come from the catalog), or when a candidate
/// or an inline offering is not defined in the plan.
pub fn needs_catalog(plan: &PlanFile, explicit_db: bool) -> bool {
    if explicit_db {
        return true;
    }
    match plan.search.as_ref().and_then(|s| s.candidates.as_ref()) {
        None => true,
        Some(ids) => {
            let probe = PlanFile {
                routes: Vec::new(),
                ..plan.clone()
            };
            ids.iter()
                .any(|id| !plan.offerings.iter().any(|o| &o.id == id))
                || plan_needs_catalog(&probe)
        }
    }
}

/// The candidates: the plan's `[search] candidates`, or its inline offerings
/// and the catalog's offerings that pass the search's provider and mode filter.
pub fn candidate_pool(
    plan: &PlanFile,
    catalog: Option<&Catalog>,
) -> Result<Vec<CandidateInfo>, CatalogError> {
    let spec = plan.search.clone().unwrap_or_default();
    let quality_of = |id: &str| -> Option<f64> {
        let detail = catalog?.show(id).ok()?;
        detail
            .figures
            .iter()
            .find(|f| f.field == Field::Quality.name())
            .and_then(|f| f.value.as_f64())
    };
    if let Some(ids) = &spec.candidates {
        return Ok(ids
            .iter()
            .map(|id| CandidateInfo {
                id: id.clone(),
                quality: quality_of(id),
                explicit: true,
            })
            .collect());
    }
    let mut pool: Vec<CandidateInfo> = plan
        .offerings
        .iter()
        .map(|o| CandidateInfo {
            id: o.id.clone(),
            quality: None,
            explicit: false,
        })
        .collect();
    if let Some(catalog) = catalog {
        let mode = Some(spec.mode.clone().unwrap_or_else(|| "chat".to_owned()));
        let providers: Vec<Option<String>> = match &spec.providers {
            Some(list) => list.iter().cloned().map(Some).collect(),
            None => vec![None],
        };
        for provider in providers {
            let rows = catalog.list(&ListFilter {
                provider,
                mode: mode.clone(),
            })?;
            for row in rows {
                if pool.iter().any(|c| c.id == row.id) {
                    continue;
                }
                pool.push(CandidateInfo {
                    quality: row.figures.number(Field::Quality),
                    id: row.id,
                    explicit: false,
                });
            }
        }
    }
    Ok(pool)
}

/// Runs `plan`'s search over its candidates (`catalog` when it needs one);
/// `file` names the plan in errors. `progress` counts the frontier search's
/// prefixes and then the simulated requests of its points, and stops both
/// when cancelled.
pub fn run(
    plan: PlanFile,
    catalog: Option<&Catalog>,
    options: &SearchOptions,
    file: &str,
    progress: &Progress,
) -> Result<SearchRun, Error> {
    options.validate()?;
    let spec = plan.search.clone().unwrap_or_default();
    let pool = candidate_pool(&plan, catalog)?;
    let source: &dyn OfferingSource = match catalog {
        Some(c) => c,
        None => &NoCatalog,
    };
    let search_spec =
        resolve_search(&plan, &pool, source).map_err(|problems| PlanError::Invalid {
            file: file.to_owned(),
            problems,
        })?;
    let frontier = search_with_progress(&search_spec.space, progress)?;
    let report = report_with_progress(
        &search_spec.space,
        &frontier,
        PointOptions {
            samples: options.samples,
            seed: options.seed,
            min_success_within_budget: spec.min_success_within_budget,
        },
        progress,
    )?;
    Ok(SearchRun {
        plan,
        search: search_spec,
        frontier,
        report,
    })
}

/// "offering ×attempts → ..." for a chain of steps of the search.
pub fn chain_label(run: &SearchRun, steps: &[Step]) -> String {
    let space = &run.search.space;
    steps
        .iter()
        .map(|s| {
            format!(
                "{} ×{}",
                space.portfolio.offerings[s.offering].id, s.attempts
            )
        })
        .collect::<Vec<_>>()
        .join(" → ")
}

/// The rank of the point the frontier chart marks as chosen: the cheapest
/// frontier point that meets the plan's `[target]`.
pub fn chosen_rank(run: &SearchRun) -> Option<usize> {
    let target = run.search.resolved.target;
    run.report
        .frontier
        .iter()
        .find(|p| target.is_some_and(|t| p.availability >= t))
        .map(|p| p.rank)
}

/// The frontier chart: every step option used alone (faint when dominated),
/// the frontier's points, and the chosen one; a third objective, if the
/// search weighs one, as the colour of the frontier's points (p95 first).
pub fn frontier_chart(run: &SearchRun) -> FrontierData {
    let space = &run.search.space;
    let chosen = chosen_rank(run);
    let extra = Extra::of(&space.objectives);
    let mut points: Vec<FrontierPoint> = Vec::new();
    let mut values: Vec<Option<f64>> = Vec::new();
    for c in single_steps(space)
        .iter()
        .filter(|c| !run.frontier.points.iter().any(|p| p.steps == c.steps))
    {
        points.push(FrontierPoint {
            label: chain_label(run, &c.steps),
            monthly_usd: c.monthly_usd,
            availability: c.availability,
            p95_ms: None,
            on_frontier: false,
            chosen: false,
        });
        values.push(None);
    }
    for p in run.report.frontier.iter().chain(&run.report.rejected) {
        let steps = &run.frontier.points[p.rank - 1].steps;
        points.push(FrontierPoint {
            label: chain_label(run, steps),
            monthly_usd: p.monthly_usd,
            availability: p.availability,
            p95_ms: p.latency_ms.p95,
            on_frontier: true,
            chosen: Some(p.rank) == chosen,
        });
        values.push(if extra.p95 {
            p.latency_ms.p95
        } else {
            Some(p.success_within_budget)
        });
    }
    let colour = extra.any().then(|| FrontierColour {
        label: if extra.p95 {
            "p95"
        } else {
            "success within budget"
        }
        .to_owned(),
        values,
        lower_is_better: extra.p95,
        unit: if extra.p95 {
            ColourUnit::Ms
        } else {
            ColourUnit::Share
        },
    });
    FrontierData { points, colour }
}
