//! Plans: the example, open, save, text, and each edit: its exact figures at
//! once and its simulated report as a job that follows.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Serialize;
use switchyard::app::{self, Defaults, PlanView, SimOptions};
use switchyard::plan::{self, Format, PlanFile};
use tauri::{AppHandle, State};
use ts_rs::TS;

use crate::error::{AppError, AppResult};
use crate::jobs::{Events, PlanReport, run_started};
use crate::state::AppState;

/// Wait after an edit before simulating it, so that typing does not start a
/// simulation per keystroke: a newer edit cancels the waiting one.
const SIMULATE_AFTER: Duration = Duration::from_millis(250);

/// The plan a first run opens: the README's worked example, embedded so the
/// app works offline from the start.
const EXAMPLE: &str = include_str!("../../../examples/claude-then-deepseek.toml");
const EXAMPLE_NAME: &str = "claude-then-deepseek.toml";

/// A plan and where it lives.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct PlanDocument {
    /// The file, or `None` for the example until it is saved.
    pub path: Option<String>,
    /// File name for the title bar.
    pub name: String,
    pub plan: PlanFile,
}

fn name_of(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

pub fn example() -> AppResult<PlanDocument> {
    Ok(PlanDocument {
        path: None,
        name: EXAMPLE_NAME.to_owned(),
        plan: plan::parse(EXAMPLE, Format::Toml, EXAMPLE_NAME)?,
    })
}

#[tauri::command]
pub fn example_plan() -> AppResult<PlanDocument> {
    example()
}

#[tauri::command(async)]
pub fn open_plan(path: PathBuf) -> AppResult<PlanDocument> {
    let plan = plan::load(&path)?;
    Ok(PlanDocument {
        name: name_of(&path),
        path: Some(path.display().to_string()),
        plan,
    })
}

/// Writes the plan, TOML or JSON by the file's extension.
#[tauri::command(async)]
pub fn save_plan(path: PathBuf, plan: PlanFile) -> AppResult<PlanDocument> {
    plan::save(&plan, &path)?;
    Ok(PlanDocument {
        name: name_of(&path),
        path: Some(path.display().to_string()),
        plan,
    })
}

#[tauri::command]
pub fn plan_text(plan: PlanFile, format: Format) -> AppResult<String> {
    plan::to_string(&plan, format).map_err(|e| AppError::new("plan", e))
}

/// Every job's defaults, as the engine defines them: the UI holds none.
#[tauri::command]
pub fn app_defaults() -> Defaults {
    Defaults::default()
}

/// One edit of the Plan page: the plan resolved once and its closed forms
/// computed once, returned at once; the simulation of the same resolved
/// portfolio follows as job `job` and sends its report as a `plan-report`
/// event numbered `edit`.
#[tauri::command(async)]
pub fn plan_edit(
    app: AppHandle,
    state: State<'_, AppState>,
    plan: PlanFile,
    options: SimOptions,
    job: String,
    edit: u64,
) -> AppResult<PlanView> {
    start_edit(&state, app, &plan, options, job, edit)
}

/// [`plan_edit`] with its events sent to `events`.
pub fn start_edit(
    state: &AppState,
    events: impl Events,
    plan: &PlanFile,
    options: SimOptions,
    job: String,
    edit: u64,
) -> AppResult<PlanView> {
    let evaluation = options
        .validate()
        .map_err(AppError::from)
        .and_then(|()| state.resolve(plan))
        .map(app::evaluation);
    let evaluation = match evaluation {
        Ok(evaluation) => evaluation,
        Err(e) => {
            // The figures on screen are for an older plan: stop refining them.
            state.jobs.cancel(&job);
            return Err(e);
        }
    };
    let view = evaluation.view.clone();
    // Registered now, so that the next edit cancels this one even while it waits.
    let progress = state.jobs.start(&job);
    let jobs = state.jobs.clone();
    tauri::async_runtime::spawn(async move {
        tokio::time::sleep(SIMULATE_AFTER).await;
        if progress.is_cancelled() {
            jobs.finish(&job, &progress);
            return;
        }
        let result = run_started(&events, &jobs, &job, progress, "simulating", move |p| {
            evaluation.simulate(&options, p)
        })
        .await
        .and_then(|r| r.map_err(AppError::from));
        let (report, error) = match result {
            Ok(report) => (Some(report), None),
            Err(e) if e.code == "cancelled" => return,
            Err(e) => (None, Some(e)),
        };
        events.plan_report(PlanReport {
            job,
            edit,
            report,
            error,
        });
    });
    Ok(view)
}

/// The exact view of `plan` alone, with no simulation after it.
pub fn view(state: &AppState, plan: &PlanFile) -> AppResult<PlanView> {
    Ok(app::evaluation(state.resolve(plan)?).view)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state() -> (tempfile::TempDir, AppState) {
        let dir = tempfile::tempdir().expect("temp dir");
        let state = AppState::new(dir.path().join("catalog.db"));
        (dir, state)
    }

    #[test]
    fn the_example_evaluates_without_opening_the_catalog() {
        let (dir, state) = state();
        let doc = example().expect("example parses");
        let view = view(&state, &doc.plan).expect("example resolves");
        assert!(view.figures.availability > 0.9999 && view.figures.availability < 1.0);
        assert_eq!(view.target, Some(0.9999));
        assert!(!dir.path().join("catalog.db").exists());
    }

    #[test]
    fn a_longer_timeout_changes_the_availability() {
        let (_dir, state) = state();
        let mut plan = example().expect("example").plan;
        let before = view(&state, &plan).expect("ok").figures.availability;
        plan.routes[0].steps[1].timeout_ms = 2_000.0;
        let after = view(&state, &plan).expect("ok").figures.availability;
        assert!(after < before, "{after} < {before}");
    }

    #[test]
    fn an_invalid_plan_names_its_fields() {
        let (_dir, state) = state();
        let mut plan = example().expect("example").plan;
        plan.routes[0].steps[0].timeout_ms = -1.0;
        let e = view(&state, &plan).expect_err("invalid");
        assert_eq!(e.code, "plan");
        assert_eq!(e.problems[0].field, "routes[0].steps[0].timeout_ms");
    }

    #[test]
    fn save_then_open_gives_the_plan_back() {
        let dir = tempfile::tempdir().expect("temp dir");
        let plan = example().expect("example").plan;
        for name in ["p.toml", "p.json"] {
            let path = dir.path().join(name);
            save_plan(path.clone(), plan.clone()).expect("saved");
            let doc = open_plan(path).expect("opened");
            assert_eq!(doc.plan, plan);
            assert_eq!(doc.name, name);
        }
    }
}
