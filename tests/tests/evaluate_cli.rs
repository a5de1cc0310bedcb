//! `switchyard evaluate` end to end: the JSON contract of PLAN_FORMAT.md, hand
//! values through the whole stack, reproducibility, and errors.

use std::fs;

use serde_json::Value;
use switchyard_e2e::{repo_root, run, stderr, stdout};

/// The hand-checked pair: 99.9% then 99.5%, no errors, generous timeouts.
const PAIR: &str = r#"
[workload]
requests_per_month = 1_000_000
input_tokens = 1000
output_tokens = 100

[[offerings]]
id = "primary"
availability = 0.999
ttft_p50_ms = 500
ttft_p95_ms = 500
tokens_per_s = 100
input_per_mtok = 1.0
output_per_mtok = 2.0

[[offerings]]
id = "fallback"
availability = 0.995
ttft_p50_ms = 500
ttft_p95_ms = 500
tokens_per_s = 100
input_per_mtok = 1.0
output_per_mtok = 2.0

[[routes]]
name = "default"
share = 1.0
steps = [
  { offering = "primary", timeout_ms = 10000 },
  { offering = "fallback", timeout_ms = 10000 },
]
"#;

fn write_plan(dir: &tempfile::TempDir, name: &str, text: &str) -> String {
    let path = dir.path().join(name);
    fs::write(&path, text).expect("write plan");
    path.display().to_string()
}

fn evaluate_json(args: &[&str]) -> Value {
    let output = run(args);
    assert!(output.status.success(), "{}", stderr(&output));
    serde_json::from_str(&stdout(&output)).expect("stdout is one JSON object")
}

#[test]
fn json_has_exactly_the_documented_fields() {
    let plan = repo_root().join("examples/claude-then-deepseek.toml");
    let plan = plan.to_str().expect("utf-8 path");
    let report = evaluate_json(&[
        "evaluate",
        plan,
        "--samples",
        "50000",
        "--months",
        "500",
        "--json",
    ]);
    for pointer in [
        "/availability",
        "/nines",
        "/success_within_budget/value",
        "/success_within_budget/ci95/0",
        "/success_within_budget/ci95/1",
        "/latency_ms/p50",
        "/latency_ms/p95",
        "/latency_ms/p99",
        "/cost_usd/per_request",
        "/cost_usd/per_success",
        "/cost_usd/per_success_within_budget",
        "/cost_usd/monthly",
        "/served_share/0/route",
        "/served_share/0/step",
        "/served_share/0/offering",
        "/served_share/0/share",
        "/monthly_availability/mean",
        "/monthly_availability/p1",
        "/monthly_availability/p5",
        "/monthly_availability/p50",
        "/monthly_availability/p_meets",
    ] {
        let value = report.pointer(pointer);
        assert!(
            value.is_some_and(|v| v.is_number() || v.is_string()),
            "{pointer} missing or not a value in {report}"
        );
    }
    assert_eq!(
        report["served_share"][1]["offering"],
        "deepseek/deepseek-chat"
    );
    assert_eq!(
        report["monthly_availability"]["target"], 0.9999,
        "from [target]"
    );
    // The exceedance curve at the documented thresholds, P(meets) among them.
    let curve = report["monthly_availability"]["exceedance"]
        .as_array()
        .expect("exceedance");
    let thresholds: Vec<f64> = curve
        .iter()
        .filter_map(|e| e["threshold"].as_f64())
        .collect();
    assert_eq!(
        thresholds,
        [1.0, 0.9999, 0.999, 0.998, 0.995, 0.99, 0.95, 0.9]
    );
    assert_eq!(curve[1]["p"], report["monthly_availability"]["p_meets"]);
}

#[test]
fn the_hand_checked_pair_through_the_whole_stack() {
    let dir = tempfile::tempdir().expect("temp dir");
    let plan = write_plan(&dir, "pair.toml", PAIR);
    let report = evaluate_json(&[
        "evaluate",
        &plan,
        "--samples",
        "20000",
        "--months",
        "200",
        "--json",
    ]);
    let availability = report["availability"].as_f64().expect("number");
    assert!((availability - 0.999_995).abs() < 1e-15, "{availability}");
    // Without a budget success equals availability, and its interval is a point.
    assert_eq!(
        report["success_within_budget"]["value"],
        report["availability"]
    );
    // Latency is 500 ms + 1,000 ms for nearly every request; p99 also sees the
    // fallback after a 300 ms refusal only with probability 0.001.
    assert_eq!(report["latency_ms"]["p50"], 1500.0);
    // Cost: one full bill per success ($0.0012), never anything for refusals.
    let per_request = report["cost_usd"]["per_request"].as_f64().expect("number");
    assert!(
        (per_request - 0.999_995 * 0.0012).abs() < 1e-15,
        "{per_request}"
    );
    let monthly = report["cost_usd"]["monthly"].as_f64().expect("number");
    assert!(
        (monthly - 1e6 * 0.999_995 * 0.0012).abs() < 1e-6,
        "{monthly}"
    );
    let first = report["served_share"][0]["share"].as_f64().expect("number");
    assert!((first - 0.999 / 0.999_995).abs() < 1e-15);
}

#[test]
fn the_same_seed_prints_the_same_report() {
    let plan = repo_root().join("examples/split-traffic.json");
    let plan = plan.to_str().expect("utf-8 path");
    let args = |seed: &'static str| {
        vec![
            "evaluate",
            plan,
            "--samples",
            "30000",
            "--months",
            "300",
            "--seed",
            seed,
            "--json",
        ]
    };
    let a = stdout(&run(&args("7")));
    assert_eq!(a, stdout(&run(&args("7"))));
    assert_ne!(a, stdout(&run(&args("8"))));
}

#[test]
fn days_instead_of_months() {
    let dir = tempfile::tempdir().expect("temp dir");
    let plan = write_plan(&dir, "pair.toml", PAIR);
    let report = evaluate_json(&[
        "evaluate",
        &plan,
        "--samples",
        "1000",
        "--months",
        "300",
        "--period",
        "day",
        "--json",
    ]);
    assert_eq!(report["monthly_availability"]["period"], "day");
    assert_eq!(report["monthly_availability"]["periods"], 300);
}

#[test]
fn the_readable_report_shows_nines_dollars_and_shares() {
    let dir = tempfile::tempdir().expect("temp dir");
    let plan = write_plan(&dir, "pair.toml", PAIR);
    let output = run(&["evaluate", &plan, "--samples", "20000", "--months", "200"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    for expected in [
        "availability (no deadline)      99.99950%     5.30 nines   exact",
        "per request                     $0.001200",
        "monthly                         $1,199.99",
        "default 1. primary",
        "99.90%",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in\n{text}");
    }
}

#[test]
fn an_invalid_plan_names_file_field_and_reason_and_prints_no_json() {
    let dir = tempfile::tempdir().expect("temp dir");
    let plan = write_plan(
        &dir,
        "bad.toml",
        &PAIR.replace("availability = 0.995", "availability = 1.995"),
    );
    let output = run(&["evaluate", &plan, "--json"]);
    assert!(!output.status.success());
    assert!(stdout(&output).is_empty(), "no JSON on failure");
    assert_eq!(
        stderr(&output).trim(),
        format!(
            "error: {plan}: offerings[1].availability: 1.995 is out of range: must be at least 0 and at most 1"
        )
    );
}

#[test]
fn a_missing_file_is_named() {
    let output = run(&["evaluate", "/nonexistent/plan.toml", "--json"]);
    assert!(!output.status.success());
    let err = stderr(&output);
    assert!(
        err.starts_with("error: /nonexistent/plan.toml: cannot read the plan: "),
        "{err}"
    );
}

#[test]
fn zero_samples_are_refused_by_the_argument_parser() {
    let output = run(&["evaluate", "x.toml", "--samples", "0"]);
    assert!(!output.status.success());
    assert!(stderr(&output).contains("--samples"), "{}", stderr(&output));
}

/// The flags' ranges come from switchyard::limits, and the message gives them.
#[test]
fn flags_out_of_range_are_refused_with_the_range() {
    for (args, expected) in [
        (
            vec!["--samples", "2000000000"],
            "invalid value '2000000000' for '--samples <SAMPLES>': 2000000000 is out of range: must be at least 1 and at most 1e9",
        ),
        (
            vec!["--months", "10000000"],
            "invalid value '10000000' for '--months <MONTHS>': 10000000 is out of range: must be at least 1 and at most 1,000,000",
        ),
        (vec!["--seed", "-1"], "unexpected argument '-1'"),
    ] {
        let mut all = vec!["evaluate", "x.toml"];
        all.extend(args);
        let output = run(&all);
        assert!(!output.status.success());
        assert!(stderr(&output).contains(expected), "{}", stderr(&output));
    }
}

#[test]
fn a_special_file_is_refused_not_read_forever() {
    let output = run(&["evaluate", "/dev/zero", "--samples", "1000"]);
    assert!(!output.status.success());
    assert_eq!(
        stderr(&output).trim(),
        "error: /dev/zero: is not a regular file; plans are read from regular files of at most 4194304 bytes (4 MiB)"
    );
}

#[test]
fn a_tiny_mttr_is_refused_with_the_range() {
    // 1e-10 minutes took 17.5 GB of memory in 60 s (issue 13).
    let dir = tempfile::tempdir().expect("temp dir");
    let plan = write_plan(
        &dir,
        "mttr.toml",
        &PAIR.replacen(
            "output_per_mtok = 2.0",
            "output_per_mtok = 2.0\nmttr_minutes = 1e-10",
            1,
        ),
    );
    let output = run(&["evaluate", &plan, "--samples", "1000"]);
    assert!(!output.status.success());
    assert_eq!(
        stderr(&output).trim(),
        format!(
            "error: {plan}: offerings[0].mttr_minutes: 1e-10 is out of range: must be at least 0.0166667 (1 second) and at most 525,600 (1 year)"
        )
    );
}

#[test]
fn an_escape_sequence_in_a_route_name_never_reaches_the_terminal() {
    let dir = tempfile::tempdir().expect("temp dir");
    let plan = write_plan(
        &dir,
        "esc.toml",
        &PAIR.replace(r#"name = "default""#, r#"name = "de\u001b[31mfault""#),
    );
    for command in ["evaluate", "lint"] {
        let output = run(&[command, &plan]);
        assert!(!output.status.success());
        let (out, err) = (stdout(&output), stderr(&output));
        assert!(
            !out.contains('\u{1b}') && !err.contains('\u{1b}'),
            "{out}{err}"
        );
        assert!(
            err.contains("routes[0].name: holds the control character U+001B"),
            "{err}"
        );
    }
}

#[test]
fn a_closed_pipe_ends_quietly() {
    use std::io::{BufRead, BufReader};
    use std::process::Stdio;
    // A listing far larger than a pipe's buffer, so the writer meets the closed pipe.
    let home = tempfile::tempdir().expect("temp home");
    let db = home.path().join("c.db");
    let import = switchyard_e2e::switchyard(home.path())
        .args([
            "catalog",
            "import",
            "--format",
            "litellm",
            switchyard_e2e::LITELLM_FIXTURE,
            "--db",
        ])
        .arg(&db)
        .output()
        .expect("imports");
    assert!(import.status.success(), "{}", stderr(&import));
    let mut child = switchyard_e2e::switchyard(home.path())
        .args(["catalog", "list", "--db"])
        .arg(&db)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starts");
    let mut first = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut first)
        .expect("reads a line");
    // The reader is dropped here: the pipe is closed, as `| head -1` does.
    let output = child.wait_with_output().expect("ends");
    assert!(first.starts_with("id "), "{first}");
    assert!(stderr(&output).is_empty(), "{}", stderr(&output));
    assert_eq!(output.status.code(), Some(141));
}
