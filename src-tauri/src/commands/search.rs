//! The Search page: the Pareto frontier of the plan's `[search]`, each point
//! with the plan it stands for, so a click opens it.

use serde::Serialize;
use switchyard::app::SearchOptions;
use switchyard::app::charts::ChartView;
use switchyard::app::search::{self as search_run, SearchRun, needs_catalog};
use switchyard::catalog::Catalog;
use switchyard::chart::Chart;
use switchyard::plan::{PlanFile, point_plan, skipped_by_kind};
use tauri::{AppHandle, State};
use ts_rs::TS;

use super::analysis::view;
use crate::error::AppResult;
use crate::jobs::run_blocking;
use crate::state::{AppState, UNSAVED};

/// One point of the frontier.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct SearchPoint {
    /// 1-based, cheapest first.
    pub rank: u32,
    /// "offering ×attempts → ...".
    pub label: String,
    pub monthly_usd: f64,
    pub cost_per_request: f64,
    pub availability: f64,
    pub nines: Option<f64>,
    pub success_within_budget: f64,
    pub p95_ms: Option<f64>,
    /// False when the point misses `min_success_within_budget`.
    pub meets_constraints: bool,
    /// The cheapest point that meets the plan's target.
    pub chosen: bool,
    /// The point as a plan of its own: the plan's workload with this route.
    pub plan: PlanFile,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct SkippedCount {
    pub reason: String,
    pub count: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct SearchView {
    pub candidates: u32,
    /// Catalog offerings left out.
    pub skipped: u32,
    /// How many were left out for each kind of reason, in words.
    pub skipped_by_kind: Vec<SkippedCount>,
    pub chains_total: f64,
    pub chains_scored: f64,
    pub points: Vec<SearchPoint>,
    pub chart: ChartView,
    /// The resolution of a frontier with p95 or success within the budget
    /// (`None`: exact, the two-axis frontier).
    pub resolution: Option<switchyard::model::search::Resolution>,
}

pub fn search_view(run: &SearchRun) -> AppResult<SearchView> {
    let chosen = search_run::chosen_rank(run);
    let count = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
    let rejected = run.report.rejected.iter().map(|p| (p, false));
    let points = run
        .report
        .frontier
        .iter()
        .map(|p| (p, true))
        .chain(rejected)
        .map(|(p, meets)| {
            let steps = &run.frontier.points[p.rank - 1].steps;
            SearchPoint {
                rank: count(p.rank),
                label: search_run::chain_label(run, steps),
                monthly_usd: p.monthly_usd,
                cost_per_request: p.cost_per_request,
                availability: p.availability,
                nines: p.nines,
                success_within_budget: p.success_within_budget,
                p95_ms: p.latency_ms.p95,
                meets_constraints: meets,
                chosen: Some(p.rank) == chosen,
                plan: point_plan(&run.plan, &run.search, steps),
            }
        })
        .collect();
    Ok(SearchView {
        candidates: count(run.report.candidates),
        skipped: count(run.search.skipped.len()),
        skipped_by_kind: skipped_by_kind(&run.search.skipped)
            .into_iter()
            .map(|(kind, n)| SkippedCount {
                reason: kind.describe().to_owned(),
                count: count(n),
            })
            .collect(),
        chains_total: run.report.stats.chains_total as f64,
        chains_scored: run.report.stats.chains_scored as f64,
        points,
        chart: view(&Chart::Frontier(search_run::frontier_chart(run)))?,
        resolution: run.search.space.frontier_resolution(),
    })
}

/// Runs the search on the blocking pool, on its own catalog connection so the
/// other pages stay responsive; it reports progress and stops when cancelled.
#[tauri::command]
pub async fn search_plan(
    app: AppHandle,
    state: State<'_, AppState>,
    plan: PlanFile,
    options: SearchOptions,
    job: String,
) -> AppResult<SearchView> {
    options.validate()?;
    let db = needs_catalog(&plan, false).then(|| state.db_path.clone());
    if db.is_some() {
        // Creates and seeds the catalog the first time, like every other page.
        drop(state.catalog()?);
    }
    run_blocking(&app, &state.jobs, &job, "searching", move |progress| {
        let catalog = db.as_deref().map(Catalog::open).transpose()?;
        let run = search_run::run(plan, catalog.as_ref(), &options, UNSAVED, progress)?;
        search_view(&run)
    })
    .await?
}

#[cfg(test)]
mod tests {
    use super::*;
    use switchyard::model::Progress;

    #[test]
    fn the_frontier_of_an_inline_search_opens_as_plans() {
        let mut plan = crate::commands::plan::example().expect("example").plan;
        plan.search = Some(switchyard::plan::SearchSpec {
            candidates: Some(vec![
                "anthropic/claude-sonnet".to_owned(),
                "deepseek/deepseek-chat".to_owned(),
            ]),
            ..Default::default()
        });
        assert!(!needs_catalog(&plan, false));
        let options = SearchOptions {
            samples: 2_000,
            ..SearchOptions::default()
        };
        let run =
            search_run::run(plan, None, &options, UNSAVED, &Progress::new()).expect("searches");
        let v = search_view(&run).expect("views");
        assert!(!v.points.is_empty());
        assert!(v.chart.svg.starts_with("<svg"));
        let first = &v.points[0];
        assert_eq!(first.rank, 1);
        assert_eq!(first.plan.routes.len(), 1);
        // The point's plan evaluates to the point's availability.
        let dir = tempfile::tempdir().expect("dir");
        let state = AppState::new(dir.path().join("c.db"));
        let exact = crate::commands::plan::view(&state, &first.plan).expect("resolves");
        assert!((exact.figures.availability - first.availability).abs() < 1e-12);
    }
}
