//! `switchyard probe` end to end: results stored in the catalog, the canary key
//! that must appear nowhere, Ctrl-C that keeps finished results, `probe stats`,
//! and `evaluate --observed` planning on what was measured.

use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use serde_json::Value;
use switchyard_e2e::fake_provider::{Behavior, FakeProvider, Fault, Ttft};
use switchyard_e2e::{stderr, stdout, switchyard};

const CANARY: &str = "canary-5w1tchy4rd-c4n4ry-k3y-0000";

fn rows(db: &Path) -> i64 {
    rusqlite::Connection::open(db)
        .and_then(|c| c.query_row("SELECT count(*) FROM probe_results", [], |r| r.get(0)))
        .unwrap_or(0)
}

/// Every file of the database (main, WAL, shared memory) as bytes.
fn database_bytes(db: &Path) -> Vec<u8> {
    let mut bytes = Vec::new();
    for suffix in ["", "-wal", "-shm"] {
        let path = format!("{}{suffix}", db.display());
        bytes.extend(std::fs::read(path).unwrap_or_default());
    }
    bytes
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

#[test]
fn the_canary_key_is_sent_but_never_stored_logged_or_printed() {
    let server = FakeProvider::start_blocking(
        Behavior::default()
            .with_seed(5)
            .with_key(CANARY)
            .with_hostile_echo(true)
            .with_tokens(4, 1.0)
            .with_fault(0.3, Fault::ServerError(500))
            .with_fault(0.3, Fault::MalformedSse)
            .with_fault(0.1, Fault::ResetMidStream { after_tokens: 1 }),
    );
    let home = tempfile::tempdir().expect("temp home");
    let db = home.path().join("catalog.db");
    let mut outputs = Vec::new();
    for (dialect, base) in [
        ("openai", format!("{}/v1", server.base_url())),
        ("anthropic", server.base_url()),
        ("gemini", server.base_url()),
    ] {
        let output = switchyard(home.path())
            .env("SWITCHYARD_CANARY_KEY", CANARY)
            .args([
                "probe",
                "--base-url",
                &base,
                "--dialect",
                dialect,
                "--model",
                "m",
            ])
            .args([
                "--key-env",
                "SWITCHYARD_CANARY_KEY",
                "--id",
                dialect,
                "--count",
                "20",
            ])
            .args(["--concurrency", "4", "--timeout", "5", "--json", "--db"])
            .arg(&db)
            .output()
            .expect("runs");
        assert!(output.status.success(), "{}", stderr(&output));
        outputs.push(output);
    }
    let stats = switchyard(home.path())
        .args(["probe", "stats", "--json", "--db"])
        .arg(&db)
        .output()
        .expect("runs");
    outputs.push(stats);

    // The key went out, through every dialect's header...
    let served = server.served();
    assert_eq!(served.len(), 60);
    assert!(served.iter().all(|s| s.key.as_deref() == Some(CANARY)));
    // ...and failures happened, whose bodies echoed it back.
    let report: Value = serde_json::from_str(&stdout(&outputs[0])).expect("JSON");
    let failed = report["results"]
        .as_array()
        .expect("results")
        .iter()
        .filter(|r| r["ok"] == false)
        .count();
    assert!(
        failed >= 5,
        "only {failed} failures: the test would prove little"
    );
    for output in &outputs {
        assert!(
            !contains(&output.stdout, CANARY),
            "stdout: {}",
            stdout(output)
        );
        assert!(
            !contains(&output.stderr, CANARY),
            "stderr: {}",
            stderr(output)
        );
    }
    assert_eq!(rows(&db), 60);
    assert!(
        !contains(&database_bytes(&db), CANARY),
        "the database holds the key"
    );
}

#[test]
fn a_missing_key_variable_is_named() {
    let home = tempfile::tempdir().expect("temp home");
    let output = switchyard(home.path())
        .env_remove("SWITCHYARD_NO_SUCH_KEY")
        .args([
            "probe",
            "--base-url",
            "http://127.0.0.1:9/v1",
            "--dialect",
            "openai",
            "--model",
            "m",
        ])
        .args(["--key-env", "SWITCHYARD_NO_SUCH_KEY", "--db"])
        .arg(home.path().join("c.db"))
        .output()
        .expect("runs");
    assert!(!output.status.success());
    let err = stderr(&output);
    assert!(
        err.contains("the key variable `SWITCHYARD_NO_SUCH_KEY` is not set"),
        "{err}"
    );
}

/// A key pasted where the variable's name belongs is refused without being
/// repeated: not on stderr, not on stdout, not in the database.
#[test]
fn a_key_pasted_as_the_variable_name_is_never_echoed() {
    let home = tempfile::tempdir().expect("temp home");
    let db = home.path().join("c.db");
    let output = switchyard(home.path())
        .args([
            "probe",
            "--base-url",
            "http://127.0.0.1:9/v1",
            "--dialect",
            "openai",
            "--model",
            "m",
        ])
        .args(["--key-env", CANARY, "--db"])
        .arg(&db)
        .output()
        .expect("runs");
    assert!(!output.status.success());
    let err = stderr(&output);
    assert!(err.contains("is not an environment variable name"), "{err}");
    assert!(!contains(&output.stderr, CANARY), "{err}");
    assert!(!contains(&output.stdout, CANARY));
    assert!(!contains(&database_bytes(&db), CANARY));
}

#[test]
fn ctrl_c_stops_at_once_and_keeps_what_finished() {
    let server = FakeProvider::start_blocking(
        Behavior::default()
            .with_ttft(Ttft::Fixed(100.0))
            .with_tokens(2, 1.0),
    );
    let home = tempfile::tempdir().expect("temp home");
    let db = home.path().join("catalog.db");
    let mut child = switchyard(home.path())
        .env("FAKE_KEY", "k")
        .args(["probe", "--base-url", &format!("{}/v1", server.base_url())])
        .args([
            "--dialect",
            "openai",
            "--model",
            "m",
            "--key-env",
            "FAKE_KEY",
            "--id",
            "fake",
        ])
        .args(["--count", "300", "--concurrency", "1", "--db"])
        .arg(&db)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starts");
    // Results are stored at least once a second; wait (bounded) for some.
    let deadline = Instant::now() + Duration::from_secs(20);
    while rows(&db) < 5 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    let stored_before = rows(&db);
    assert!(stored_before >= 5, "no results stored within 20 s");
    let status = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(status.success());
    let interrupted = Instant::now();
    let output = loop {
        if child.try_wait().expect("waits").is_some() {
            break child.wait_with_output().expect("output");
        }
        assert!(
            interrupted.elapsed() < Duration::from_secs(5),
            "still running 5 s after Ctrl-C"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        stdout(&output).contains("cancelled (finished probes are stored)"),
        "{}",
        stdout(&output)
    );
    let stored = rows(&db);
    assert!(stored >= stored_before && stored < 300, "{stored} rows");
    let first_line = stdout(&output)
        .lines()
        .next()
        .unwrap_or_default()
        .to_owned();
    assert!(
        first_line.starts_with(&format!("{stored} probes")),
        "{first_line}"
    );
}

const PLAN: &str = r#"
[workload]
requests_per_month = 100000
input_tokens = 500
output_tokens = 100

[[offerings]]
id = "fake"
availability = 0.999
error_rate = 0.0
ttft_p50_ms = 1000
ttft_p95_ms = 2000
tokens_per_s = 50
input_per_mtok = 1.0
output_per_mtok = 2.0

[[routes]]
name = "only"
steps = [{ offering = "fake", attempts = 1, timeout_ms = 30000 }]
"#;

#[test]
fn evaluate_observed_plans_on_what_the_probes_measured() {
    let server = FakeProvider::start_blocking(
        Behavior::default()
            .with_seed(9)
            .with_ttft(Ttft::Fixed(50.0))
            .with_tokens(4, 1.0)
            .with_fault(0.25, Fault::ServerError(503)),
    );
    let home = tempfile::tempdir().expect("temp home");
    let db = home.path().join("catalog.db");
    let probe = switchyard(home.path())
        .env("FAKE_KEY", "k")
        .args(["probe", "--base-url", &format!("{}/v1", server.base_url())])
        .args([
            "--dialect",
            "openai",
            "--model",
            "m",
            "--key-env",
            "FAKE_KEY",
            "--id",
            "fake",
        ])
        .args(["--count", "80", "--concurrency", "8", "--db"])
        .arg(&db)
        .output()
        .expect("runs");
    assert!(probe.status.success(), "{}", stderr(&probe));
    let text = stdout(&probe);
    assert!(text.starts_with("80 probes"), "{text}");
    assert!(text.contains("5xx ×"), "{text}");

    let plan = home.path().join("plan.toml");
    std::fs::write(&plan, PLAN).expect("plan");
    let evaluate = |observed: bool| -> Value {
        let mut cmd = switchyard(home.path());
        cmd.arg("evaluate")
            .arg(&plan)
            .args(["--samples", "20000", "--months", "100", "--json", "--db"])
            .arg(&db);
        if observed {
            cmd.arg("--observed");
        }
        let output = cmd.output().expect("runs");
        assert!(output.status.success(), "{}", stderr(&output));
        serde_json::from_str(&stdout(&output)).expect("JSON")
    };
    let declared = evaluate(false);
    let observed = evaluate(true);
    assert!((declared["availability"].as_f64().unwrap_or(0.0) - 0.999).abs() < 1e-12);
    let sources = observed["figure_sources"]
        .as_array()
        .expect("figure_sources");
    let error_rate = sources
        .iter()
        .find(|s| s["field"] == "error_rate")
        .expect("error_rate source");
    assert_eq!(error_rate["source"], "observed");
    assert_eq!(error_rate["samples"], 80);
    let rate = error_rate["value"].as_f64().expect("value");
    assert!((rate - 0.25).abs() < 0.15, "observed error rate {rate}");
    // The plan's availability now carries the observed error rate.
    let expected = 0.999 * (1.0 - rate);
    assert!((observed["availability"].as_f64().unwrap_or(0.0) - expected).abs() < 1e-9);
    let p50 = sources
        .iter()
        .find(|s| s["field"] == "ttft_p50_ms")
        .expect("p50");
    assert_eq!(p50["source"], "observed");
    assert!(
        (p50["value"].as_f64().unwrap_or(0.0) - 50.0).abs() < 5.0,
        "{p50}"
    );
}
