//! The `switchyard catalog` commands and `evaluate --db`, run as a user would:
//! the real binary, a temporary home, a temporary database. Price refreshes
//! (`import --url`) are in [`refresh`].

#[path = "catalog_cli/refresh.rs"]
mod refresh;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::Value;
use switchyard_e2e::{LITELLM_FIXTURE, dump, switchyard};

fn run(home: &Path, db: &Path, args: &[&str]) -> Output {
    switchyard(home)
        .args(args)
        .env("SWITCHYARD_DB", db)
        .output()
        .unwrap_or_else(|e| panic!("running switchyard: {e}"))
}

fn ok_json(home: &Path, db: &Path, args: &[&str]) -> Value {
    let out = run(home, db, args);
    assert!(
        out.status.success(),
        "{args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{args:?}: not JSON ({e}): {}",
            String::from_utf8_lossy(&out.stdout)
        )
    })
}

#[test]
fn import_list_show_set_reset_history() {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let (home, db) = (tmp.path(), tmp.path().join("c.db"));
    let report = ok_json(
        home,
        &db,
        &[
            "catalog",
            "import",
            "--format",
            "litellm",
            LITELLM_FIXTURE,
            "--json",
        ],
    );
    assert_eq!(report["entries"], 4242);
    assert_eq!(report["considered"], 3014);
    assert_eq!(report["added"], 2808, "on top of the 43 seeded offerings");
    assert_eq!(report["unchanged"], 43);
    assert_eq!(report["changed"], 0);
    assert_eq!(
        report["skipped_by_reason"]["no per-token input and output price"],
        144
    );

    let list = ok_json(home, &db, &["catalog", "list", "--mode", "chat", "--json"]);
    assert_eq!(list["count"], 2851);
    let list = ok_json(
        home,
        &db,
        &["catalog", "list", "--provider", "mistral", "--json"],
    );
    let first = &list["offerings"][0];
    for key in [
        "id",
        "provider",
        "model",
        "mode",
        "litellm_key",
        "groups",
        "overridden",
        "input_per_mtok",
        "availability",
        "outage",
    ] {
        assert!(first.get(key).is_some(), "list --json has `{key}`: {first}");
    }

    let id = "anthropic/claude-haiku-5-5";
    let set = ok_json(
        home,
        &db,
        &["catalog", "set", id, "output_per_mtok", "0.4", "--json"],
    );
    assert_eq!(set["old_value"], 0.5);
    assert_eq!(set["new_value"], 0.4);
    // The same file again: nothing changes and the override stays.
    let again = ok_json(
        home,
        &db,
        &[
            "catalog",
            "import",
            "--format",
            "litellm",
            LITELLM_FIXTURE,
            "--json",
        ],
    );
    assert_eq!(
        (again["added"].as_u64(), again["changed"].as_u64()),
        (Some(0), Some(0))
    );
    let show = ok_json(home, &db, &["catalog", "show", id, "--json"]);
    let out = show["figures"]
        .as_array()
        .and_then(|f| f.iter().find(|f| f["field"] == "output_per_mtok"))
        .cloned()
        .unwrap_or_default();
    assert_eq!(out["value"], 0.4);
    assert_eq!(out["overridden"], true);
    assert_eq!(out["imported_value"], 0.5);
    assert_eq!(out["source"]["id"], "litellm-1.106.2");
    assert_eq!(show["provider"]["key_env"], "ANTHROPIC_API_KEY");

    let reset = ok_json(home, &db, &["catalog", "reset", id, "--json"]);
    assert_eq!(reset[0]["new_value"], 0.5);
    let history = ok_json(home, &db, &["catalog", "history", id, "--json"]);
    let kinds: Vec<&str> = history["changes"]
        .as_array()
        .map(|c| c.iter().filter_map(|c| c["kind"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(kinds.iter().filter(|k| **k == "override").count(), 1);
    assert_eq!(kinds.iter().filter(|k| **k == "reset").count(), 1);

    // Text output works too, and errors name what is wrong.
    let out = run(home, &db, &["catalog", "show", "no/such"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown offering `no/such`"));
    assert!(out.stdout.is_empty());
    let out = run(home, &db, &["catalog", "set", id, "input_per_mtok", "-2"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("-2 is a negative price"));
    // The plan's ranges hold here too: an MTTR under a second is refused.
    let before = dump(&db);
    let out = run(home, &db, &["catalog", "set", id, "mttr_minutes", "1e-9"]);
    assert!(!out.status.success());
    assert_eq!(
        String::from_utf8_lossy(&out.stderr).trim(),
        format!(
            "error: {id}: mttr_minutes: 1e-9 is out of range: must be at least 0.0166667 (1 second) and at most 525,600 (1 year)"
        )
    );
    assert_eq!(dump(&db), before, "nothing written");
    // No user data dir was touched.
    assert!(!home.join("data").exists());
}

#[test]
fn a_malformed_import_changes_nothing_and_names_the_entry() {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let (home, db) = (tmp.path(), tmp.path().join("c.db"));
    ok_json(home, &db, &["catalog", "list", "--json"]);
    let before = dump(&db);
    let text = std::fs::read_to_string(LITELLM_FIXTURE).unwrap_or_else(|e| panic!("{e}"));
    let bad = tmp.path().join("truncated.json");
    std::fs::write(&bad, &text[..text.len() / 2]).unwrap_or_else(|e| panic!("{e}"));
    let out = run(
        home,
        &db,
        &[
            "catalog",
            "import",
            "--format",
            "litellm",
            &bad.display().to_string(),
        ],
    );
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.starts_with(&format!("error: {}: entry `", bad.display())),
        "{err}"
    );
    assert!(out.stdout.is_empty());
    assert_eq!(dump(&db), before);
}

#[test]
fn a_newer_database_is_refused_with_both_versions() {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let (home, db) = (tmp.path(), tmp.path().join("c.db"));
    ok_json(home, &db, &["catalog", "list", "--json"]);
    let supported = switchyard::catalog::migrate::latest_version();
    let newer = supported + 4;
    {
        let conn = rusqlite::Connection::open(&db).unwrap_or_else(|e| panic!("{e}"));
        conn.pragma_update(None, "user_version", newer)
            .unwrap_or_else(|e| panic!("{e}"));
    }
    let out = run(home, &db, &["catalog", "list"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(&db.display().to_string()), "{err}");
    assert!(err.contains(&format!("schema version {newer}")), "{err}");
    assert!(err.contains(&format!("supports ({supported})")), "{err}");
}

/// A process killed with SIGKILL in the middle of an import's transaction
/// leaves the catalog as it was before the import.
#[test]
fn kill_9_mid_import_leaves_the_previous_catalog_intact() {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let (home, db) = (tmp.path(), tmp.path().join("c.db"));
    // A catalog with history and an override, to be kept exactly.
    ok_json(
        home,
        &db,
        &[
            "catalog",
            "set",
            "openai/gpt-5.5",
            "input_per_mtok",
            "4",
            "--json",
        ],
    );
    let before = dump(&db);

    let mut child = switchyard(home)
        .args(["catalog", "import", "--format", "litellm", LITELLM_FIXTURE])
        .env("SWITCHYARD_DB", &db)
        // 2 ms per offering: the import's transaction stays open for ~6 s.
        .env("SWITCHYARD_TEST_SLOW_IMPORT", "2")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("spawning: {e}"));
    let stderr = child.stderr.take().unwrap_or_else(|| panic!("stderr"));
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok(line) if line.contains("import in progress") => break,
            Ok(_) => continue,
            Err(e) => {
                let _ = child.kill();
                panic!("the import never started: {e}");
            }
        }
    }
    // Let it write a good part of the transaction, then SIGKILL it.
    std::thread::sleep(Duration::from_millis(2500));
    let wal = db.with_extension("db-wal");
    let wal_bytes = std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0);
    child.kill().unwrap_or_else(|e| panic!("kill: {e}"));
    let status = child.wait().unwrap_or_else(|e| panic!("wait: {e}"));
    assert!(!status.success(), "killed, not finished: {status}");
    eprintln!("killed mid-import; the WAL held {wal_bytes} bytes of uncommitted pages");

    assert_eq!(
        dump(&db),
        before,
        "the catalog is as it was before the import"
    );
    // And it is usable: the same import now completes.
    let report = ok_json(
        home,
        &db,
        &[
            "catalog",
            "import",
            "--format",
            "litellm",
            LITELLM_FIXTURE,
            "--json",
        ],
    );
    assert_eq!(report["added"], 2808);
}

const PLAN: &str = r#"
[workload]
requests_per_month = 100000
input_tokens = 1000
output_tokens = 200

[[routes]]
name = "main"
steps = [
  { offering = "anthropic/claude-sonnet-5-5", attempts = 2, timeout_ms = 10000 },
  { offering = "vertex-anthropic/claude-sonnet-5-5", timeout_ms = 10000 },
]
"#;

#[test]
fn evaluate_resolves_offerings_from_the_catalog() {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let home = tmp.path();
    let plan = tmp.path().join("plan.toml");
    std::fs::write(&plan, PLAN).unwrap_or_else(|e| panic!("{e}"));
    let db = tmp.path().join("c.db");
    let plan_arg = plan.display().to_string();
    let db_arg = db.display().to_string();
    let args = [
        "evaluate",
        plan_arg.as_str(),
        "--samples",
        "2000",
        "--months",
        "20",
        "--json",
    ];
    let out = switchyard(home)
        .args(args)
        .args(["--db", db_arg.as_str()])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
    let a = report["availability"].as_f64().unwrap_or(0.0);
    assert!(a > 0.9999 && a < 1.0, "{a}");
    // A user override changes the evaluation.
    ok_json(
        home,
        &db,
        &[
            "catalog",
            "set",
            "anthropic/claude-sonnet-5-5",
            "output_per_mtok",
            "100",
            "--json",
        ],
    );
    let out = switchyard(home)
        .args(args)
        .env("SWITCHYARD_DB", &db)
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let dearer: Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
    assert!(
        dearer["cost_usd"]["monthly"].as_f64() > report["cost_usd"]["monthly"].as_f64(),
        "{dearer}"
    );
    // Unknown offering: the catalog is named as the place to look.
    std::fs::write(&plan, PLAN.replace("vertex-anthropic/", "nowhere/"))
        .unwrap_or_else(|e| panic!("{e}"));
    let out = switchyard(home)
        .args(args)
        .args(["--db", db_arg.as_str()])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("unknown offering `nowhere/claude-sonnet-5-5`")
    );
    assert!(out.stdout.is_empty());
}

#[test]
fn a_self_contained_plan_opens_no_database() {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let home = tmp.path();
    let example = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../examples/claude-then-deepseek.toml"
    );
    let out = switchyard(home)
        .args([
            "evaluate",
            example,
            "--samples",
            "1000",
            "--months",
            "10",
            "--json",
        ])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let entries: Vec<_> = std::fs::read_dir(home)
        .map(|d| d.flatten().collect())
        .unwrap_or_default();
    assert!(
        entries.is_empty(),
        "nothing created in the home: {entries:?}"
    );
}
