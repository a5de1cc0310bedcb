//! Test helpers: fixtures, temporary databases, and a dump of a database's
//! rows to compare before and after.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rusqlite::Connection;

use super::store::{Catalog, OpenOptions};

/// The real LiteLLM map of v1.106.2, in the repository's `fixtures/litellm/`.
pub const FIXTURE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../fixtures/litellm/model_prices_1.106.2.json"
);

pub const OPENROUTER_FIXTURE: &str = include_str!("../../tests/data/openrouter_models.json");
pub const CSV_FIXTURE: &str = include_str!("../../tests/data/catalog.csv");

pub fn fixture_text() -> String {
    std::fs::read_to_string(FIXTURE).unwrap_or_else(|e| panic!("{FIXTURE}: {e}"))
}

/// A temporary directory and a database path inside it.
pub fn temp_db() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let path = dir.path().join("catalog.sqlite3");
    (dir, path)
}

pub fn open(path: &Path, seed: bool) -> Catalog {
    Catalog::open_with(
        path,
        OpenOptions {
            seed,
            ..OpenOptions::default()
        },
    )
    .unwrap_or_else(|e| panic!("open: {e}"))
}

/// Every row of every table, as text, plus the schema version: equal dumps
/// mean equal catalogs.
pub fn dump(conn: &Connection) -> BTreeMap<String, Vec<String>> {
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
        let mut stmt = match conn.prepare(&format!("SELECT * FROM \"{table}\"")) {
            Ok(s) => s,
            Err(e) => panic!("{table}: {e}"),
        };
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
