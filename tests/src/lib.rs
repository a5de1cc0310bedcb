//! End-to-end test helpers: the built `switchyard` binary, commands isolated
//! in a temporary home, the repository's paths, a dump of a catalog database's
//! rows, a fake LLM provider server ([`fake_provider`]), a price-list
//! server ([`price_server`]) and a synthetic LiteLLM spend log priced both
//! ways ([`spend_log`]).

pub mod fake_provider;
pub mod price_server;
pub mod probe_support;
pub mod spend_log;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

/// The real LiteLLM price map v1.106.2, in the repository's `fixtures/litellm/`.
pub const LITELLM_FIXTURE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../fixtures/litellm/model_prices_1.106.2.json"
);

/// The path of the `switchyard` binary, built once per test process.
pub fn binary() -> &'static Path {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        let run = escargot::CargoBuild::new()
            .package("switchyard-cli")
            .bin("switchyard")
            .run()
            .unwrap_or_else(|e| panic!("building switchyard: {e}"));
        run.path().to_owned()
    })
}

/// A `switchyard` command whose home and data directories are inside `home`
/// and which sees no `SWITCHYARD_DB` from the caller: a test never touches
/// the user's real catalog.
pub fn switchyard(home: &Path) -> Command {
    let mut cmd = Command::new(binary());
    cmd.env_remove("SWITCHYARD_DB")
        .env_remove("SWITCHYARD_TEST_SLOW_IMPORT")
        .env("HOME", home)
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_CONFIG_HOME", home.join("config"));
    cmd
}

/// The stdout of `switchyard ARGS` in `home`, which must succeed (its stderr
/// is the failure's message).
pub fn stdout_of(home: &Path, args: &[&str]) -> String {
    let out = switchyard(home)
        .args(args)
        .output()
        .expect("runs switchyard");
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Every row of every table, as text, plus the schema version.
pub fn dump(db: &Path) -> BTreeMap<String, Vec<String>> {
    let conn = rusqlite::Connection::open(db).unwrap_or_else(|e| panic!("{}: {e}", db.display()));
    let mut out = BTreeMap::new();
    let version: i64 = conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap_or(-1);
    out.insert("(user_version)".to_owned(), vec![version.to_string()]);
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")
        .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
        .unwrap_or_default();
    for table in tables {
        let mut stmt = conn
            .prepare(&format!("SELECT * FROM \"{table}\""))
            .unwrap_or_else(|e| panic!("{table}: {e}"));
        let n = stmt.column_count();
        let mut rows: Vec<String> = stmt
            .query_map([], |r| {
                let mut cells = Vec::new();
                for i in 0..n {
                    let v: rusqlite::types::Value = r.get(i)?;
                    cells.push(format!("{v:?}"));
                }
                Ok(cells.join("|"))
            })
            .and_then(Iterator::collect)
            .unwrap_or_else(|e| panic!("{table}: {e}"));
        rows.sort();
        out.insert(table, rows);
    }
    out
}

/// The repository root (this crate lives in `tests/`).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ has a parent")
        .to_path_buf()
}

/// Runs `switchyard ARGS` in a fresh temporary home and returns its output.
pub fn run(args: &[&str]) -> Output {
    let home = tempfile::tempdir().expect("temp home");
    switchyard(home.path())
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
