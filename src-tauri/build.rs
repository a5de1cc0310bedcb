//! Generates one permission per command (`allow-<command>`), so the capability
//! file can grant exactly the commands the UI calls.

const COMMANDS: &[&str] = &[
    "example_plan",
    "open_plan",
    "save_plan",
    "plan_text",
    "plan_edit",
    "app_defaults",
    "plan_chart",
    "cancel_job",
    "tco_of_plan",
    "catalog_list",
    "catalog_offering",
    "catalog_set",
    "catalog_reset",
    "catalog_import",
    "catalog_refresh_check",
    "catalog_refresh_write",
    "catalog_refresh_discard",
    "history_list",
    "history_import",
    "usage_import",
    "usage_workload",
    "usage_cost",
    "usage_import_postgres",
    "probe_start",
    "probe_chart",
    "search_plan",
    "compare_plans",
    "export_report",
    "export_preview",
    "export_save",
    "ui_ready",
];

fn main() {
    let attributes = tauri_build::Attributes::new()
        .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS));
    if let Err(e) = tauri_build::try_build(attributes) {
        println!("cargo::error=tauri-build failed: {e:#}");
    }
}
