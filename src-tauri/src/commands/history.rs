//! The Catalog page's outage histories: import a record into the catalog's
//! groups, and list each group's history with its fit.

use std::path::PathBuf;

use switchyard::app::history::{self, HistoryImportOptions};
use switchyard::catalog::outage_history::{GroupHistory, HistoryImportReport};
use tauri::{AppHandle, State};

use crate::error::AppResult;
use crate::jobs::run_blocking;
use crate::state::AppState;

/// Every group with an outage history, and its fit.
#[tauri::command(async)]
pub fn history_list(state: State<'_, AppState>) -> AppResult<Vec<GroupHistory>> {
    Ok(history::group_histories(state.catalog()?.get())?)
}

/// Imports an outage record into its groups in one transaction.
#[tauri::command]
pub async fn history_import(
    app: AppHandle,
    state: State<'_, AppState>,
    path: PathBuf,
    options: HistoryImportOptions,
    job: String,
) -> AppResult<HistoryImportReport> {
    options.validate()?;
    // Its own connection, as for a price-list import: the shared one stays
    // free for the other pages.
    let mut catalog = state.open_connection()?;
    Ok(
        run_blocking(&app, &state.jobs, &job, "importing a history", move |_| {
            history::import_history(&mut catalog, &path, &options)
        })
        .await??,
    )
}
