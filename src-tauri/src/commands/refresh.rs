//! The Catalog page's "Check for price changes": fetch a price list, show
//! what it would change, and write exactly that on request (or discard it).
//!
//! The check keeps the planned batch in the shell's state under a token
//! ([`AppState::keep_refresh`]); "Write" names the token, so what is written
//! is what was shown, never a second download, and the engine commits it only
//! if the catalog has not changed in between.

use serde::Serialize;
use switchyard::app::RefreshOptions;
use switchyard::app::refresh::{self, Preview};
use switchyard::catalog::ImportReport;
use tauri::{AppHandle, State};
use ts_rs::TS;

use crate::commands::catalog::report_import;
use crate::error::{AppError, AppResult};
use crate::jobs::{Events, run_blocking};
use crate::state::AppState;

/// A price check: what it would change, and the token that writes it.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct RefreshCheck {
    pub token: String,
    pub preview: Preview,
}

/// Downloads the list (from `url`, else the format's default) and plans it
/// against the catalog; writes nothing.
pub async fn check(
    events: &impl Events,
    state: &AppState,
    url: Option<String>,
    options: RefreshOptions,
    job: &str,
) -> AppResult<RefreshCheck> {
    let fetched = refresh::download(url.as_deref(), &options).await?;
    // Planning runs the import in a transaction: on a connection of its own,
    // as an import does.
    let mut catalog = state.open_connection()?;
    let planned = run_blocking(events, &state.jobs, job, "checking", move |progress| {
        refresh::check(&mut catalog, &fetched, &options, &mut |done, total| {
            report_import(progress, done, total)
        })
    })
    .await??;
    let preview = planned.preview.clone();
    Ok(RefreshCheck {
        token: state.keep_refresh(planned),
        preview,
    })
}

/// Writes the check of `token`, exactly as it was shown.
pub async fn write(
    events: &impl Events,
    state: &AppState,
    token: &str,
    job: &str,
) -> AppResult<ImportReport> {
    let planned = state.take_refresh(token).ok_or_else(|| {
        AppError::new(
            "catalog",
            "these price changes were discarded or replaced by a newer check; check again",
        )
    })?;
    let mut catalog = state.open_connection()?;
    Ok(
        run_blocking(events, &state.jobs, job, "writing", move |progress| {
            refresh::write(&mut catalog, &planned, &mut |done, total| {
                report_import(progress, done, total)
            })
        })
        .await??,
    )
}

#[tauri::command]
pub async fn catalog_refresh_check(
    app: AppHandle,
    state: State<'_, AppState>,
    url: Option<String>,
    options: RefreshOptions,
    job: String,
) -> AppResult<RefreshCheck> {
    check(&app, &state, url, options, &job).await
}

#[tauri::command]
pub async fn catalog_refresh_write(
    app: AppHandle,
    state: State<'_, AppState>,
    token: String,
    job: String,
) -> AppResult<ImportReport> {
    write(&app, &state, &token, &job).await
}

/// Forgets the check of `token`; false if it was not the one kept.
#[tauri::command(async)]
pub fn catalog_refresh_discard(state: State<'_, AppState>, token: String) -> bool {
    state.take_refresh(&token).is_some()
}
