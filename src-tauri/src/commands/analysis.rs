//! The Analysis page's charts: long work on the blocking pool, with progress
//! events and cancellation. (The report comes with each edit: `plan_edit`.)

use switchyard::app::charts::{self, ChartView, PlanChart};
use switchyard::app::{self, ChartOptions};
use switchyard::chart::Chart;
use switchyard::plan::PlanFile;
use tauri::{AppHandle, State};

use crate::error::AppResult;
use crate::jobs::run_blocking;
use crate::state::AppState;

/// Chart size on screen: the engine's default aspect, a little smaller.
const WIDTH: u32 = 960;
const HEIGHT: u32 = 600;

/// A chart of the plan's own simulation, drawn by the engine.
#[tauri::command]
pub async fn plan_chart(
    app: AppHandle,
    state: State<'_, AppState>,
    plan: PlanFile,
    kind: PlanChart,
    options: ChartOptions,
    job: String,
) -> AppResult<ChartView> {
    // `charts::plan_chart` checks the options before it simulates.
    // The catalog stays locked only while the plan resolves and its groups'
    // records are read, not during the simulation.
    let (resolved, history) = {
        let resolution = state.resolve(&plan)?;
        let history = match kind {
            PlanChart::Exceedance => app::history::group_curves(
                resolution.catalog.as_ref().map(|c| c.get()),
                &resolution.resolved.portfolio,
                options.period,
            )?,
            _ => Vec::new(),
        };
        (resolution.resolved, history)
    };
    let stage = match kind {
        PlanChart::Sla | PlanChart::Exceedance => "simulating months",
        PlanChart::Latency | PlanChart::Cost => "simulating",
        PlanChart::Capacity => "computing capacity",
    };
    let chart = run_blocking(&app, &state.jobs, &job, stage, move |progress| {
        charts::plan_chart(
            kind,
            &resolved.portfolio,
            resolved.target,
            &history,
            &options,
            progress,
        )
    })
    .await??;
    view(&chart)
}

/// `chart` drawn at the app's on-screen size.
pub fn view(chart: &Chart) -> AppResult<ChartView> {
    Ok(charts::view(chart, WIDTH, HEIGHT)?)
}

/// Stops job `job`; false when it had already finished.
#[tauri::command]
pub fn cancel_job(state: State<'_, AppState>, job: String) -> bool {
    state.jobs.cancel(&job)
}
