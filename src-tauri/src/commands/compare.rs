//! The Compare page: pinned portfolios evaluated side by side with their
//! overlaid charts, and the report of them written to a file. Both run as
//! jobs (progress, cancel) on a catalog connection of their own, so a long
//! comparison never holds the catalog the other pages read.

use std::path::PathBuf;

use serde::Serialize;
use switchyard::app::CompareOptions;
use switchyard::app::charts::ChartView;
use switchyard::app::compare::{self, CompareChart, ComparedPlans, Pinned};
use switchyard::chart::FrontierPoint;
use switchyard::compare::Comparison;
use switchyard::model::Progress;
use tauri::{AppHandle, State};
use ts_rs::TS;

use crate::error::{AppError, AppResult};
use crate::jobs::run_blocking;
use crate::state::{AppState, open_catalog};

/// Chart size on screen, as the Analysis page draws its charts.
const SIZE: (u32, u32) = (960, 600);

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct CompareChartView {
    pub kind: CompareChart,
    pub chart: ChartView,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct ComparisonView {
    pub comparison: Comparison,
    pub charts: Vec<CompareChartView>,
}

/// The comparison of `pinned` and its four charts; `search` is the last
/// search's frontier, drawn behind the cost-against-availability chart.
#[tauri::command]
pub async fn compare_plans(
    app: AppHandle,
    state: State<'_, AppState>,
    pinned: Vec<Pinned>,
    options: CompareOptions,
    search: Vec<FrontierPoint>,
    job: String,
) -> AppResult<ComparisonView> {
    let db = state.db_path.clone();
    run_blocking(&app, &state.jobs, &job, "comparing", move |progress| {
        comparison_view(&pinned, &options, &search, &db, progress)
    })
    .await?
}

/// What `compare_plans` answers, for the command and the browser fixtures.
pub fn comparison_view(
    pinned: &[Pinned],
    options: &CompareOptions,
    search: &[FrontierPoint],
    db: &std::path::Path,
    progress: &Progress,
) -> AppResult<ComparisonView> {
    let compared = evaluate(pinned, options, db, progress)?;
    let charts = compare::compare_views(
        &compared,
        &compare::chart_options(options),
        search,
        SIZE,
        progress,
    )?
    .into_iter()
    .map(|(kind, chart)| CompareChartView { kind, chart })
    .collect();
    Ok(ComparisonView {
        comparison: compared.comparison,
        charts,
    })
}

/// Writes the report of `pinned` (one plan or a comparison) to `path`.
#[tauri::command]
pub async fn export_report(
    app: AppHandle,
    state: State<'_, AppState>,
    pinned: Vec<Pinned>,
    options: CompareOptions,
    search: Vec<FrontierPoint>,
    path: PathBuf,
    job: String,
) -> AppResult<()> {
    let db = state.db_path.clone();
    run_blocking(
        &app,
        &state.jobs,
        &job,
        "writing the report",
        move |progress| {
            let compared = evaluate(&pinned, &options, &db, progress)?;
            let html = compare::report(
                &compared,
                &pinned,
                &compare::chart_options(&options),
                &search,
                progress,
            )?;
            std::fs::write(&path, html)
                .map_err(|e| AppError::new("io", format!("cannot write {}: {e}", path.display())))
        },
    )
    .await?
}

fn evaluate(
    pinned: &[Pinned],
    options: &CompareOptions,
    db: &std::path::Path,
    progress: &Progress,
) -> AppResult<ComparedPlans> {
    Ok(compare::compare(
        pinned,
        options,
        false,
        || open_catalog(db),
        progress,
    )?)
}
