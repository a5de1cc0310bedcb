//! `switchyard lint` end to end: exit status, text and JSON findings, and the
//! gateway differences with `--format`.

use std::fs;
use std::path::Path;
use std::process::Output;

use serde_json::Value;
use switchyard_e2e::{stderr, stdout, switchyard};

const PLAN: &str = r#"
[workload]
requests_per_month = 1_000_000
input_tokens = 1000
output_tokens = 100

[[offerings]]
id = "primary"
availability = 0.999
ttft_p50_ms = 500
ttft_p95_ms = 800
tokens_per_s = 100
input_per_mtok = 1.0
output_per_mtok = 2.0
dialect = "openai"
api_base = "http://127.0.0.1:18301/v1"
model = "m1"
key_env = "SWITCHYARD_E2E_LINT_KEY"

[[offerings]]
id = "fallback"
availability = 0.995
ttft_p50_ms = 500
ttft_p95_ms = 800
tokens_per_s = 100
input_per_mtok = 1.0
output_per_mtok = 2.0
dialect = "openai"
api_base = "http://127.0.0.1:18302/v1"
model = "m2"
key_env = "SWITCHYARD_E2E_LINT_KEY"

[[routes]]
name = "default"
steps = [
  { offering = "primary", attempts = 2, timeout_ms = 10000, backoff_ms = 500 },
  { offering = "fallback", timeout_ms = 10000 },
]
"#;

fn lint(dir: &Path, text: &str, extra: &[&str]) -> Output {
    let path = dir.join("plan.toml");
    fs::write(&path, text).expect("write plan");
    switchyard(dir)
        .arg("lint")
        .arg(&path)
        .args(extra)
        .env("SWITCHYARD_E2E_LINT_KEY", "set-for-the-test")
        .output()
        .expect("switchyard runs")
}

fn json(output: &Output) -> Value {
    serde_json::from_str(&stdout(output)).expect("one JSON object")
}

#[test]
fn a_clean_plan_has_no_findings_and_exits_zero() {
    let home = tempfile::tempdir().expect("temp");
    let output = lint(home.path(), PLAN, &[]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        stdout(&output).ends_with("plan.toml: no findings\n"),
        "{}",
        stdout(&output)
    );
    let report = json(&lint(home.path(), PLAN, &["--json"]));
    assert_eq!(report["findings"].as_array().map(Vec::len), Some(0));
    assert_eq!(report["errors"], 0);
}

#[test]
fn an_error_finding_exits_non_zero_and_says_where() {
    let home = tempfile::tempdir().expect("temp");
    let text = PLAN.replace(
        "{ offering = \"fallback\", timeout_ms = 10000 }",
        "{ offering = \"fallback\", timeout_ms = 900 }",
    );
    let output = lint(home.path(), &text, &[]);
    assert_eq!(output.status.code(), Some(1));
    let out = stdout(&output);
    assert!(
        out.contains("error[timeout-below-generation] route `default` step 2 (fallback): the timeout (900 ms)"),
        "{out}"
    );
    assert!(stderr(&output).contains("plan.toml: 1 error found by the lint"));

    let report = json(&lint(home.path(), &text, &["--json"]));
    let f = &report["findings"][0];
    assert_eq!(f["severity"], "error");
    assert_eq!(f["code"], "timeout-below-generation");
    assert_eq!(f["route"], "default");
    assert_eq!(f["step"], 1);
    assert_eq!(f["offering"], "fallback");
    assert_eq!(report["errors"], 1);
}

#[test]
fn warnings_alone_exit_zero() {
    let home = tempfile::tempdir().expect("temp");
    let text = PLAN.replace(
        "{ offering = \"fallback\", timeout_ms = 10000 }",
        "{ offering = \"fallback\", attempts = 3, timeout_ms = 10000 }",
    );
    let output = lint(home.path(), &text, &["--json"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let report = json(&output);
    assert_eq!(report["warnings"], 1);
    assert_eq!(report["findings"][0]["code"], "retry-amplification");
}

#[test]
fn an_unset_key_variable_is_a_warning() {
    let home = tempfile::tempdir().expect("temp");
    let path = home.path().join("plan.toml");
    fs::write(&path, PLAN).expect("write plan");
    let output = switchyard(home.path())
        .arg("lint")
        .arg(&path)
        .arg("--json")
        .env_remove("SWITCHYARD_E2E_LINT_KEY")
        .output()
        .expect("switchyard runs");
    assert!(output.status.success(), "{}", stderr(&output));
    let report = json(&output);
    assert_eq!(report["findings"][0]["code"], "key-env-unset");
    assert_eq!(report["findings"][0]["severity"], "warning");
    assert_eq!(
        report["findings"].as_array().map(Vec::len),
        Some(1),
        "one per variable"
    );
}

#[test]
fn with_a_gateway_it_lists_what_the_gateway_does_differently() {
    let home = tempfile::tempdir().expect("temp");
    let report = json(&lint(home.path(), PLAN, &["--format", "portkey", "--json"]));
    let codes: Vec<_> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| f["code"].as_str().unwrap_or_default().to_owned())
        .collect();
    // The primary's outage costs every request its two attempts and the wait
    // between them (1.6 s), which Portkey without cb_config never avoids. Its
    // request_timeout ends at the headers, so a stalled stream goes unnoticed:
    // a warning, first.
    assert_eq!(
        codes,
        [
            "portkey-streaming-fails",
            "portkey-stream-stall-undetected",
            "portkey-backoff",
            "gateway-no-cooldown"
        ]
    );
    assert_eq!(report["findings"][0]["severity"], "warning");
    assert_eq!(report["findings"][1]["severity"], "warning");
    assert_eq!(
        report["findings"][2]["severity"], "info",
        "no budget to spend"
    );

    let report = json(&lint(
        home.path(),
        PLAN,
        &["--format", "openrouter", "--json"],
    ));
    let codes: Vec<_> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| f["code"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert!(
        codes.contains(&"openrouter-retries".to_owned()),
        "{codes:?}"
    );
}

#[test]
fn an_unknown_format_is_refused_by_the_parser() {
    let home = tempfile::tempdir().expect("temp");
    let output = lint(home.path(), PLAN, &["--format", "kong"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("kong"));
}
