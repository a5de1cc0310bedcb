//! Start-up timing. The UI calls [`ui_ready`] once, after its first paint with
//! the plan's figures on screen; the shell prints how long that took since the
//! process started. With `SWITCHYARD_EXIT_AFTER_FIRST_PAINT=1` it then exits,
//! which is how BENCHMARKS.md measures cold start.

use std::sync::OnceLock;
use std::time::Instant;

use tauri::AppHandle;

static STARTED: OnceLock<Instant> = OnceLock::new();

/// Call first thing in `run`.
pub fn mark_start() {
    let _ = STARTED.set(Instant::now());
}

#[tauri::command]
pub fn ui_ready(app: AppHandle) {
    let ms = STARTED
        .get()
        .map_or(0.0, |t| t.elapsed().as_secs_f64() * 1000.0);
    eprintln!("switchyard: first paint {ms:.0} ms after start");
    if std::env::var_os("SWITCHYARD_EXIT_AFTER_FIRST_PAINT").is_some() {
        app.exit(0);
    }
}
