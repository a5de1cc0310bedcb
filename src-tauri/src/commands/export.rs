//! The Export page: a gateway config of the plan, the lint's findings about it,
//! and saving it where the user chose.

use std::path::PathBuf;

use serde::Serialize;
use switchyard::export::lint::{self, Env, ProcessEnv, Severity};
use switchyard::export::{self, Format};
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
        let out = dir.path().join("config.yaml");
        save(&state, &plan, Format::Litellm, &out, true).expect("writes");
        let written = std::fs::read_to_string(&out).expect("reads");
        assert!(
            written.contains("os.environ/ANTHROPIC_API_KEY"),
            "{written}"
        );
    }
}
