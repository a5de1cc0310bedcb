//! The Export page: a gateway config of the plan, the lint's findings about it,
//! and saving it where the user chose.

use std::path::PathBuf;

use serde::Serialize;
use switchyard::export::during_outage::DuringOutage;
use switchyard::export::lint::{self, Env, ProcessEnv, Severity};
use switchyard::export::{self, Format, semantics};
use switchyard::plan::PlanFile;
use tauri::State;
use ts_rs::TS;

use crate::error::{AppError, AppResult};
use crate::state::AppState;

/// One lint finding, as the page lists it.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct FindingView {
    /// `error`, `warning` or `info`.
    pub severity: String,
    pub code: String,
    pub route: Option<String>,
    pub step: Option<u32>,
    pub offering: Option<String>,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct ExportView {
    /// The config text, or `None` when the plan lacks what the gateway needs.
    pub text: Option<String>,
    /// Why there is no text: each missing connection detail, in words.
    pub problem: Option<String>,
    /// `yaml` or `json`, for highlighting and the file name.
    pub language: String,
    pub findings: Vec<FindingView>,
    /// Lint errors: saving needs `force` while there are any.
    pub errors: u32,
    /// What an outage of each upstream step costs as the gateway runs the
    /// config (`evaluate --as <gateway>`'s `during_outage`); empty for a
    /// gateway without failure handling of its own (OpenRouter) or a plan
    /// it cannot reach.
    pub during_outage: Vec<DuringOutage>,
}

fn language(format: Format) -> &'static str {
    match format {
        Format::Litellm => "yaml",
        Format::Portkey | Format::Openrouter => "json",
    }
}

/// The export and its lint; `env` says which key variables are set (the
/// process environment in the app).
pub fn preview(
    state: &AppState,
    plan: &PlanFile,
    format: Format,
    env: &dyn Env,
) -> AppResult<ExportView> {
    let resolved = state.resolve(plan)?.resolved;
    let findings = lint::lint(&resolved, Some(format), env);
    let (errors, _, _) = lint::counts(&findings);
    let during_outage = semantics::gateway_run(&resolved, format)
        .map(|run| run.during_outage)
        .unwrap_or_default();
    let (text, problem) = match export::export(&resolved, format) {
        Ok(text) => (Some(text), None),
        Err(e) => (None, Some(e.to_string())),
    };
    Ok(ExportView {
        text,
        problem,
        language: language(format).to_owned(),
        findings: findings
            .iter()
            .map(|f| FindingView {
                severity: match f.severity {
                    Severity::Error => "error",
                    Severity::Warning => "warning",
                    Severity::Info => "info",
                }
                .to_owned(),
                code: f.code.to_owned(),
                route: f.route.clone(),
                step: f.step.map(|s| u32::try_from(s).unwrap_or(u32::MAX)),
                offering: f.offering.clone(),
                message: f.message.clone(),
            })
            .collect(),
        errors: u32::try_from(errors).unwrap_or(u32::MAX),
        during_outage,
    })
}

#[tauri::command(async)]
pub fn export_preview(
    state: State<'_, AppState>,
    plan: PlanFile,
    gateway: Format,
) -> AppResult<ExportView> {
    preview(&state, &plan, gateway, &ProcessEnv)
}

/// Writes the config to `path`. With lint errors, only when `force` is set,
/// as `switchyard export --force`.
pub fn save(
    state: &AppState,
    plan: &PlanFile,
    gateway: Format,
    path: &std::path::Path,
    force: bool,
) -> AppResult<()> {
    let view = preview(state, plan, gateway, &ProcessEnv)?;
    let Some(text) = view.text else {
        return Err(AppError::new(
            "export",
            view.problem
                .unwrap_or_else(|| "nothing to export".to_owned()),
        ));
    };
    if view.errors > 0 && !force {
        return Err(AppError::new(
            "export",
            format!(
                "the lint found {} error(s); the config was not written (tick \"save anyway\" to write it)",
                view.errors
            ),
        ));
    }
    std::fs::write(path, text).map_err(|e| {
        AppError::new(
            "io",
            format!("{}: cannot write the config: {e}", path.display()),
        )
    })
}

#[tauri::command(async)]
pub fn export_save(
    state: State<'_, AppState>,
    plan: PlanFile,
    gateway: Format,
    path: PathBuf,
    force: bool,
) -> AppResult<()> {
    save(&state, &plan, gateway, &path, force)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_example_exports_to_every_gateway_without_key_values() {
        let dir = tempfile::tempdir().expect("dir");
        let state = AppState::new(dir.path().join("c.db"));
        let plan = crate::commands::plan::example().expect("example").plan;
        for g in Format::ALL {
            let view = preview(&state, &plan, g, &ProcessEnv).expect("previews");
            let text = view.text.expect("the example has its connections");
            assert!(!text.is_empty());
            assert!(!text.contains("sk-"), "{text}");
        }
    }

    /// The example plan has one upstream step (Claude, 2 attempts, before
    /// DeepSeek) and no `[gateway]`: LiteLLM never cools a deployment alone
    /// in its group under its defaults, so during Claude's outage every
    /// request pays both of its attempts; OpenRouter has no failure
    /// handling the model describes, so nothing is shown for it.
    #[test]
    fn the_export_shows_what_an_outage_of_each_upstream_step_costs() {
        let dir = tempfile::tempdir().expect("dir");
        let state = AppState::new(dir.path().join("c.db"));
        let plan = crate::commands::plan::example().expect("example").plan;
        let litellm = preview(&state, &plan, Format::Litellm, &ProcessEnv).expect("previews");
        let [step] = litellm.during_outage.as_slice() else {
            panic!("one upstream step: {:?}", litellm.during_outage);
        };
        assert_eq!(
            (step.step, step.offering.as_str()),
            (0, "anthropic/claude-sonnet")
        );
        assert_eq!(step.paying_share, 1.0);
        assert!(!step.trips);
        assert!((step.attempts_per_request - 2.0).abs() < 1e-12, "{step:?}");
        let openrouter = preview(&state, &plan, Format::Openrouter, &ProcessEnv).expect("previews");
        assert!(openrouter.during_outage.is_empty());
    }

    #[test]
    fn saving_writes_the_previewed_config() {
        let dir = tempfile::tempdir().expect("dir");
        let state = AppState::new(dir.path().join("c.db"));
        let plan = crate::commands::plan::example().expect("example").plan;
        let out = dir.path().join("config.yaml");
        save(&state, &plan, Format::Litellm, &out, true).expect("writes");
        let written = std::fs::read_to_string(&out).expect("reads");
        assert!(
            written.contains("os.environ/ANTHROPIC_API_KEY"),
            "{written}"
        );
    }
}
