//! The Catalog page: list with declared and observed figures, one offering's
//! sources (for hover), overrides, and imports.

use std::ops::ControlFlow;
use std::path::PathBuf;

use serde::Serialize;
use switchyard::app::ImportOptions;
use switchyard::app::catalog_rows::{self, CatalogRow};
use switchyard::catalog::{Catalog, ImportReport, Value};
use switchyard::model::Progress;
use tauri::{AppHandle, State};
use ts_rs::TS;

use crate::error::{AppError, AppResult};
use crate::jobs::run_blocking;
use crate::state::AppState;

/// Where one figure of one offering comes from.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct FigureSource {
    pub field: String,
    /// The effective value as text.
    pub value: String,
    pub overridden: bool,
    /// The source's title, or "your override".
    pub source: String,
    pub url: Option<String>,
    /// Since when the value holds (the override's date for an override).
    pub date: Option<String>,
    /// Where the value comes from when the offering has none of its own.
    pub inherited: Option<String>,
}

#[tauri::command(async)]
pub fn catalog_list(state: State<'_, AppState>) -> AppResult<Vec<CatalogRow>> {
    Ok(catalog_rows::rows(state.catalog()?.get())?)
}

fn text(v: &Value) -> String {
    match v {
        Value::Number(x) => x.to_string(),
        Value::Text(t) => t.clone(),
    }
}

pub fn sources(catalog: &Catalog, id: &str) -> AppResult<Vec<FigureSource>> {
    let detail = catalog.show(id)?;
    Ok(detail
        .figures
        .iter()
        .map(|f| FigureSource {
            field: f.field.to_owned(),
            value: text(&f.value),
            overridden: f.overridden,
            source: if f.overridden {
                "your override".to_owned()
            } else if let Some(from) = &f.inherited_from {
                format!("inherited from {from}")
            } else {
                f.source
                    .as_ref()
                    .map_or_else(|| "unknown".to_owned(), |s| s.title.clone())
            },
            url: if f.overridden {
                None
            } else {
                f.source.as_ref().and_then(|s| s.url.clone())
            },
            date: if f.overridden {
                f.override_set_at.clone()
            } else {
                f.effective_date.clone()
            },
            inherited: f.inherited_from.clone(),
        })
        .collect())
}

#[tauri::command(async)]
pub fn catalog_offering(state: State<'_, AppState>, id: String) -> AppResult<Vec<FigureSource>> {
    sources(state.catalog()?.get(), &id)
}

/// Overrides one figure (given as text, checked by the engine's rules).
#[tauri::command(async)]
pub fn catalog_set(
    state: State<'_, AppState>,
    id: String,
    field: String,
    value: String,
) -> AppResult<()> {
    state.catalog()?.get_mut().set(&id, &field, &value)?;
    Ok(())
}

/// Removes the override of one field, or of all fields.
#[tauri::command(async)]
pub fn catalog_reset(
    state: State<'_, AppState>,
    id: String,
    field: Option<String>,
) -> AppResult<()> {
    state.catalog()?.get_mut().reset(&id, field.as_deref())?;
    Ok(())
}

/// Imports a file in one transaction and says what changed.
#[tauri::command]
pub async fn catalog_import(
    app: AppHandle,
    state: State<'_, AppState>,
    path: PathBuf,
    options: ImportOptions,
    job: String,
) -> AppResult<ImportReport> {
    options.validate()?;
    // The import gets its own connection: a long write must not hold the
    // shared one, and SQLite's busy timeout orders the two.
    let mut catalog = state.open_connection()?;
    run_blocking(&app, &state.jobs, &job, "importing", move |progress| {
        catalog.import_file(
            &path,
            options.format.into(),
            options.catalog(),
            &mut |done, total| report_import(progress, done, total),
        )
    })
    .await?
    .map_err(AppError::from)
}

/// Moves the job's progress to `done` of `total` records, and stops the
/// import (before its commit, so nothing is written) once it is cancelled.
pub(crate) fn report_import(progress: &Progress, done: usize, total: usize) -> ControlFlow<()> {
    let (seen, expected) = progress.position();
    if expected == 0 {
        progress.expect(total as u64);
    }
    progress.advance((done as u64).saturating_sub(seen));
    if progress.is_cancelled() {
        ControlFlow::Break(())
    } else {
        ControlFlow::Continue(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn import_progress_counts_records_and_stops_once_cancelled() {
        let progress = Progress::new();
        assert_eq!(report_import(&progress, 1, 40), ControlFlow::Continue(()));
        assert_eq!(report_import(&progress, 25, 40), ControlFlow::Continue(()));
        assert_eq!(progress.position(), (25, 40));
        progress.cancel();
        assert_eq!(report_import(&progress, 26, 40), ControlFlow::Break(()));
        assert_eq!(progress.position(), (26, 40));
    }

    #[test]
    fn a_cancelled_import_is_a_cancel_for_the_ui() {
        let e: AppError = switchyard::catalog::CatalogError::ImportCancelled {
            file: "litellm.json".to_owned(),
        }
        .into();
        assert_eq!(e.code, "cancelled");
        assert_eq!(
            e.message,
            "litellm.json: the import was cancelled; nothing was written"
        );
    }

    #[test]
    fn the_seeded_catalog_lists_with_sources_and_takes_overrides() {
        let dir = tempfile::tempdir().expect("dir");
        let state = AppState::new(dir.path().join("c.db"));
        let rows = catalog_rows::rows(state.catalog().expect("opens").get()).expect("lists");
        assert!(rows.len() >= 40, "{}", rows.len());
        let first = rows[0].id.clone();
        let figures = sources(state.catalog().expect("opens").get(), &first).expect("shows");
        assert!(
            figures
                .iter()
                .any(|f| f.field == "input_per_mtok" && f.date.is_some())
        );

        state
            .catalog()
            .expect("opens")
            .get_mut()
            .set(&first, "availability", "0.5")
            .expect("set");
        let rows = catalog_rows::rows(state.catalog().expect("opens").get()).expect("lists");
        let edited = rows.iter().find(|r| r.id == first).expect("still there");
        assert_eq!(edited.availability, Some(0.5));
        assert_eq!(edited.overridden, vec!["availability".to_owned()]);
        let figures = sources(state.catalog().expect("opens").get(), &first).expect("shows");
        let a = figures
            .iter()
            .find(|f| f.field == "availability")
            .expect("has it");
        assert_eq!(a.source, "your override");
    }

    #[test]
    fn a_bad_override_is_refused_with_a_readable_message() {
        let dir = tempfile::tempdir().expect("dir");
        let state = AppState::new(dir.path().join("c.db"));
        let id = catalog_rows::rows(state.catalog().expect("opens").get()).expect("lists")[0]
            .id
            .clone();
        let e: AppError = state
            .catalog()
            .expect("opens")
            .get_mut()
            .set(&id, "availability", "1.5")
            .expect_err("out of range")
            .into();
        assert_eq!(e.code, "catalog");
        assert!(e.message.contains("availability"), "{}", e.message);
    }
}
