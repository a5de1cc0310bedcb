//! The simulation and the charts: long work on the blocking pool, with progress
//! events and cancellation.

use serde::{Deserialize, Serialize};
use switchyard::chart::{self, Chart, HoverPoint, build};
use switchyard::limits;
use switchyard::model::monthly::Period;
use switchyard::model::simulate::simulate_with_progress;
use switchyard::model::{EvaluateOptions, Report, evaluate_with_progress};
use switchyard::plan::{PlanFile, plan_tco};
use tauri::{AppHandle, State};
use ts_rs::TS;

use crate::error::{AppError, AppResult};
use crate::jobs::run_blocking;
use crate::state::{AppState, UNSAVED};

/// How to simulate. The UI's defaults are the CLI's, so the figures match.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize, TS)]
pub struct SimOptions {
    #[ts(type = "number")]
    pub samples: u64,
    #[ts(type = "number")]
    pub seed: u64,
    #[ts(type = "number")]
    pub months: u64,
    pub period: Period,
}

impl SimOptions {
    /// The ranges of `switchyard::limits`, as the CLI's flags have them.
    fn check(&self) -> AppResult<()> {
        let input =
            |what: &str, reason: String| AppError::new("input", format!("{what}: {reason}"));
        limits::CHART_SAMPLES
            .check_count(self.samples)
            .map_err(|r| input("simulated requests", r))?;
        limits::PERIODS
            .check_count(self.months)
            .map_err(|r| input("simulated periods", r))?;
        Ok(())
    }
}

/// The full evaluation, as `switchyard evaluate --json` reports it.
#[tauri::command]
pub async fn evaluate_plan(
    app: AppHandle,
    state: State<'_, AppState>,
    plan: PlanFile,
    options: SimOptions,
    job: String,
) -> AppResult<Report> {
    options.check()?;
    let resolved = state.resolve(&plan)?;
    let evaluate = EvaluateOptions {
        samples: options.samples,
        seed: options.seed,
        periods: options.months,
        period: options.period,
        target: resolved.target.unwrap_or(EvaluateOptions::default().target),
    };
    run_blocking(&app, &state.jobs, &job, "simulating", move |progress| {
        evaluate_with_progress(&resolved.portfolio, &evaluate, progress)
    })
    .await?
    .map_err(AppError::from)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum ChartKind {
    Latency,
    Sla,
    Cost,
    Tco,
    Probes,
}

/// A chart as the engine draws it, and its points that show values on hover.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct ChartView {
    pub title: String,
    pub svg: String,
    pub width: u32,
    pub height: u32,
    pub points: Vec<HoverPoint>,
}

/// Chart size on screen: the engine's default aspect, a little smaller.
const WIDTH: u32 = 960;
const HEIGHT: u32 = 600;

#[tauri::command]
pub async fn plan_chart(
    app: AppHandle,
    state: State<'_, AppState>,
    plan: PlanFile,
    kind: ChartKind,
    options: SimOptions,
    job: String,
) -> AppResult<ChartView> {
    options.check()?;
    let resolved = state.resolve(&plan)?;
    let portfolio = resolved.portfolio;
    let chart = match kind {
        ChartKind::Tco => Chart::Tco(build::tco(&plan_tco(&plan, &portfolio, UNSAVED)?.report)),
        ChartKind::Probes => Chart::Probes(build::probes(state.catalog()?.get(), &portfolio)?),
        ChartKind::Latency | ChartKind::Cost => {
            let sim = run_blocking(&app, &state.jobs, &job, "simulating", move |progress| {
                simulate_with_progress(&portfolio, options.samples, options.seed, progress)
                    .map(|sim| (sim, portfolio))
            })
            .await??;
            let (sim, portfolio) = sim;
            if kind == ChartKind::Latency {
                Chart::LatencyCdf(build::latency(&portfolio, &sim))
            } else {
                Chart::Cost(build::cost(&portfolio, &sim))
            }
        }
        ChartKind::Sla => {
            let target = resolved.target.unwrap_or(EvaluateOptions::default().target);
            let data = run_blocking(
                &app,
                &state.jobs,
                &job,
                "simulating months",
                move |progress| {
                    build::sla(
                        &portfolio,
                        options.period,
                        options.months,
                        options.seed,
                        target,
                        progress,
                    )
                },
            )
            .await??;
            Chart::Sla(data)
        }
    };
    view(&chart)
}

pub fn view(chart: &Chart) -> AppResult<ChartView> {
    let (svg, points) = chart::render_svg_with_hover(chart, WIDTH, HEIGHT)?;
    Ok(ChartView {
        title: chart::title(chart),
        svg,
        width: WIDTH,
        height: HEIGHT,
        points,
    })
}

/// Stops job `job`; false when it had already finished.
#[tauri::command]
pub fn cancel_job(state: State<'_, AppState>, job: String) -> bool {
    state.jobs.cancel(&job)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_chart_of_the_example_renders_as_svg() {
        let plan = crate::commands::plan::example().expect("example").plan;
        let dir = tempfile::tempdir().expect("dir");
        let state = AppState::new(dir.path().join("c.db"));
        let resolved = state.resolve(&plan).expect("resolves");
        let p = &resolved.portfolio;
        let sim = switchyard::model::simulate::simulate(p, 20_000, 1);
        let tco = plan_tco(&plan, p, UNSAVED).expect("the example has [tco]");
        for chart in [
            Chart::LatencyCdf(build::latency(p, &sim)),
            Chart::Cost(build::cost(p, &sim)),
            Chart::Tco(build::tco(&tco.report)),
        ] {
            let v = view(&chart).expect("renders");
            assert!(v.svg.starts_with("<svg"), "{}", &v.svg[..40]);
            assert!(!v.title.is_empty());
            assert!(!v.points.is_empty(), "{}", v.title);
        }
    }
}
