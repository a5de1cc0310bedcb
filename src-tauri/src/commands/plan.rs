//! Plans: the example, open, save, text, and the exact figures while typing.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use switchyard::model::{ExactSummary, exact_summary};
use switchyard::plan::{self, Format, PlanFile};
use tauri::State;
use ts_rs::TS;

use crate::error::AppResult;
use crate::state::AppState;

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

/// The exact figures and the plan's target, for the figure cards.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct ExactView {
    pub figures: ExactSummary,
    /// `[target] availability`, if the plan sets one.
    pub target: Option<f64>,
    /// The workload's latency budget, if any (then the simulation refines).
    pub budget_ms: Option<f64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum TextFormat {
    Toml,
    Json,
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
pub fn plan_text(plan: PlanFile, format: TextFormat) -> AppResult<String> {
    let format = match format {
        TextFormat::Toml => Format::Toml,
        TextFormat::Json => Format::Json,
    };
    plan::to_string(&plan, format).map_err(|e| crate::error::AppError::new("plan", e))
}

/// The closed-form figures: fast enough to run on every keystroke.
#[tauri::command(async)]
pub fn exact_figures(state: State<'_, AppState>, plan: PlanFile) -> AppResult<ExactView> {
    exact(&state, &plan)
}

pub fn exact(state: &AppState, plan: &PlanFile) -> AppResult<ExactView> {
    let resolved = state.resolve(plan)?;
    Ok(ExactView {
        figures: exact_summary(&resolved.portfolio),
        target: resolved.target,
        budget_ms: resolved.portfolio.workload.latency_budget_ms,
    })
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
        let view = exact(&state, &doc.plan).expect("example resolves");
        assert!(view.figures.availability > 0.9999 && view.figures.availability < 1.0);
        assert_eq!(view.target, Some(0.9999));
        assert!(!dir.path().join("catalog.db").exists());
    }

    #[test]
    fn a_longer_timeout_changes_the_availability() {
        let (_dir, state) = state();
        let mut plan = example().expect("example").plan;
        let before = exact(&state, &plan).expect("ok").figures.availability;
        plan.routes[0].steps[1].timeout_ms = 2_000.0;
        let after = exact(&state, &plan).expect("ok").figures.availability;
        assert!(after < before, "{after} < {before}");
    }

    #[test]
    fn an_invalid_plan_names_its_fields() {
        let (_dir, state) = state();
        let mut plan = example().expect("example").plan;
        plan.routes[0].steps[0].timeout_ms = -1.0;
        let e = exact(&state, &plan).expect_err("invalid");
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
