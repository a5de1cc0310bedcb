//! The commands the UI calls. Each takes its arguments, calls the engine and maps
//! the error; the figures all come from the engine.
//!
//! A Tauri command declared without `async` runs on the main thread, the one
//! that also runs the window's event loop. So every command that opens the
//! catalog, reads or writes a file, or draws a chart is `async` or
//! `#[tauri::command(async)]`: creating and seeding the catalog on a first
//! launch, or a slow disk, never holds up a frame. Only commands that return
//! at once (the embedded example, cancelling a job) stay on the main thread.

pub mod analysis;
pub mod catalog;
pub mod compare;
pub mod export;
pub mod history;
pub mod plan;
pub mod probes;
pub mod refresh;
pub mod search;
pub mod tco;
pub mod usage;
