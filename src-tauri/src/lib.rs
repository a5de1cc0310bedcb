//! Switchyard's desktop shell: thin Tauri commands over the `switchyard`
//! engine. The engine computes every figure; this crate only carries
//! arguments in, results and `{code, message}` errors out, and runs long work
//! off the main thread with progress events and cancellation.

pub mod commands;
pub mod compositing;
pub mod diagnostics;
pub mod error;
pub mod jobs;
pub mod state;
pub mod window_state;

#[cfg(test)]
mod bindings_tests;

use tauri::Manager;

use crate::state::AppState;

/// The catalog's file name in the app-data dir.
const CATALOG_FILE: &str = "catalog.db";

/// Builds and runs the app.
pub fn run() {
    diagnostics::mark_start();
    let result = tauri::Builder::default()
        .plugin(tauri_plugin_store::Builder::new().build())
        .plugin(tauri_plugin_dialog::init())
        .setup(|app| {
            let dir = app.path().app_data_dir()?;
            app.manage(AppState::new(dir.join(CATALOG_FILE)));
            if let Some(window) = app.get_webview_window("main") {
                compositing::prefer_software(&window);
            }
            let prefs = window_state::open_store(app.handle())?;
            window_state::restore(app.handle(), &prefs);
            Ok(())
        })
        .on_window_event(window_state::on_window_event)
        .invoke_handler(tauri::generate_handler![
            commands::plan::example_plan,
            commands::plan::open_plan,
            commands::plan::save_plan,
            commands::plan::plan_text,
            commands::plan::plan_edit,
            commands::plan::app_defaults,
            commands::analysis::plan_chart,
            commands::analysis::cancel_job,
            commands::tco::tco_of_plan,
            commands::catalog::catalog_list,
            commands::catalog::catalog_offering,
            commands::catalog::catalog_set,
            commands::catalog::catalog_reset,
            commands::catalog::catalog_import,
            commands::refresh::catalog_refresh_check,
            commands::refresh::catalog_refresh_write,
            commands::refresh::catalog_refresh_discard,
            commands::history::history_list,
            commands::history::history_import,
            commands::usage::usage_import,
            commands::usage::usage_workload,
            commands::usage::usage_cost,
            commands::usage::usage_import_postgres,
            commands::probes::probe_start,
            commands::probes::probe_chart,
            commands::search::search_plan,
            commands::compare::compare_plans,
            commands::compare::export_report,
            commands::export::export_preview,
            commands::export::export_save,
            diagnostics::ui_ready,
        ])
        .run(tauri::generate_context!());
    if let Err(e) = result {
        eprintln!("switchyard: the app stopped: {e}");
        std::process::exit(1);
    }
}
