//! Helpers for the end-to-end tests: the built `switchyard` binary, the
//! repository's paths, and a fake LLM provider server ([`fake_provider`]).

pub mod fake_provider;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

/// The repository root (this crate lives in `tests/`).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ has a parent")
        .to_path_buf()
}

/// A command for the `switchyard` binary, built once per test process with the
/// same profile settings as the rest of the workspace.
pub fn switchyard() -> Command {
    static BINARY: OnceLock<PathBuf> = OnceLock::new();
    let path = BINARY.get_or_init(|| {
        escargot::CargoBuild::new()
            .package("switchyard")
            .bin("switchyard")
            .manifest_path(repo_root().join("Cargo.toml"))
            .run()
            .expect("cargo builds the switchyard binary")
            .path()
            .to_path_buf()
    });
    Command::new(path)
}

/// Runs `switchyard ARGS` and returns its output.
pub fn run(args: &[&str]) -> Output {
    switchyard()
        .args(args)
        .output()
        .expect("the switchyard binary runs")
}

/// Standard output as text.
pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Standard error as text.
pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}
