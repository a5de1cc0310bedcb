//! `switchyard export` and `switchyard evaluate --as` end to end: keys never
//! leave the environment, errors name the file and field, output is the same
//! on every run, `--out` and `--route` do what they say, lint errors stop an
//! export, and `--as` evaluates the gateway's portfolio.

use std::fs;
use std::path::Path;
use std::process::Output;

use serde_json::Value;
use switchyard::export::litellm;
use switchyard_e2e::{repo_root, stderr, stdout, switchyard};

/// A value for the key variables that a leak would show: long, distinctive,
/// and nothing like a real key.
const KEY_VALUE: &str = "switchyard-test-value-must-never-be-printed-0042";

const PLAN: &str = r#"
[workload]
requests_per_month = 1_000_000
input_tokens = 1000
output_tokens = 100
latency_budget_ms = 15000

[[offerings]]
id = "primary"
availability = 0.99
error_rate = 0.05
ttft_p50_ms = 500
ttft_p95_ms = 900
tokens_per_s = 100
input_per_mtok = 3.0
output_per_mtok = 15.0
dialect = "anthropic"
api_base = "http://127.0.0.1:18201"
model = "claude-test"
key_env = "SWITCHYARD_E2E_PRIMARY_KEY"

[[offerings]]
id = "fallback"
availability = 0.995
ttft_p50_ms = 500
ttft_p95_ms = 900
tokens_per_s = 100
input_per_mtok = 0.5
output_per_mtok = 1.5
dialect = "openai"
api_base = "http://127.0.0.1:18202/v1"
model = "gpt-test"
key_env = "SWITCHYARD_E2E_FALLBACK_KEY"

[[routes]]
name = "chat"
share = 0.75
steps = [
  { offering = "primary", attempts = 2, timeout_ms = 8000, backoff_ms = 200 },
  { offering = "fallback", timeout_ms = 8000 },
]

[[routes]]
name = "batch"
share = 0.25
steps = [ { offering = "fallback", attempts = 2, timeout_ms = 8000, backoff_ms = 1000 } ]
"#;

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    fs::write(&path, text).expect("write plan");
    path.display().to_string()
}

/// Runs switchyard with both key variables set to [`KEY_VALUE`].
fn run_with_keys(home: &Path, args: &[&str]) -> Output {
    switchyard(home)
        .args(args)
        .env("SWITCHYARD_E2E_PRIMARY_KEY", KEY_VALUE)
        .env("SWITCHYARD_E2E_FALLBACK_KEY", KEY_VALUE)
        .output()
        .expect("switchyard runs")
}

#[test]
fn key_values_never_appear_in_any_output() {
    let home = tempfile::tempdir().expect("temp");
    let plan = write(home.path(), "plan.toml", PLAN);
    for format in ["litellm", "portkey", "openrouter"] {
        let out = home.path().join(format!("config.{format}"));
        let to_file = run_with_keys(
            home.path(),
            &[
                "export",
                &plan,
                "--format",
                format,
                "--out",
                out.to_str().expect("utf-8"),
            ],
        );
        assert!(to_file.status.success(), "{}", stderr(&to_file));
        let written = fs::read_to_string(&out).expect("config written");
        let to_stdout = run_with_keys(home.path(), &["export", &plan, "--format", format]);
        let lint = run_with_keys(home.path(), &["lint", &plan, "--format", format, "--json"]);
        for text in [
            written.clone(),
            stdout(&to_file),
            stderr(&to_file),
            stdout(&to_stdout),
            stderr(&to_stdout),
            stdout(&lint),
            stderr(&lint),
        ] {
            assert!(
                !text.contains(KEY_VALUE),
                "{format}: the key leaked:\n{text}"
            );
        }
        // LiteLLM and Portkey name the variables instead (OpenRouter requests
        // carry the caller's own OpenRouter key, not the providers').
        if format != "openrouter" {
            assert!(written.contains("SWITCHYARD_E2E_PRIMARY_KEY"), "{written}");
        }
    }
}

#[test]
fn output_is_identical_across_runs() {
    let home = tempfile::tempdir().expect("temp");
    let plan = write(home.path(), "plan.toml", PLAN);
    for format in ["litellm", "portkey", "openrouter"] {
        let first = run_with_keys(home.path(), &["export", &plan, "--format", format]);
        let second = run_with_keys(home.path(), &["export", &plan, "--format", format]);
        assert!(first.status.success(), "{}", stderr(&first));
        assert_eq!(first.stdout, second.stdout, "{format}");
        assert!(!first.stdout.is_empty());
    }
}

#[test]
fn out_writes_the_file_and_nothing_to_stdout() {
    let home = tempfile::tempdir().expect("temp");
    let plan = write(home.path(), "plan.toml", PLAN);
    let out = home.path().join("config.yaml");
    let output = run_with_keys(
        home.path(),
        &[
            "export",
            &plan,
            "--format",
            "litellm",
            "--out",
            out.to_str().expect("utf-8"),
        ],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(output.stdout.is_empty());
    let config = litellm::parse(&fs::read_to_string(&out).expect("written")).expect("YAML");
    let names: Vec<_> = config
        .model_list
        .iter()
        .map(|d| d.model_name.as_str())
        .collect();
    assert_eq!(names, ["chat", "chat/step-2", "batch"]);
    assert_eq!(config.model_list[0].litellm_params.num_retries, 1);
    // Findings go to standard error: the budget LiteLLM cannot enforce.
    assert!(stderr(&output).contains("warning[gateway-no-budget]"));
}

#[test]
fn route_selects_one_portkey_config() {
    let home = tempfile::tempdir().expect("temp");
    let plan = write(home.path(), "plan.toml", PLAN);
    let output = run_with_keys(
        home.path(),
        &["export", &plan, "--format", "portkey", "--route", "batch"],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let config: Value = serde_json::from_str(&stdout(&output)).expect("one config");
    assert_eq!(config["strategy"]["mode"], "fallback");
    assert_eq!(config["targets"].as_array().map(Vec::len), Some(1));
    assert_eq!(config["targets"][0]["retry"]["attempts"], 1);
    assert_eq!(
        config["targets"][0]["api_key"],
        "${SWITCHYARD_E2E_FALLBACK_KEY}"
    );

    let unknown = run_with_keys(
        home.path(),
        &["export", &plan, "--format", "portkey", "--route", "nope"],
    );
    assert!(!unknown.status.success());
    assert!(unknown.stdout.is_empty());
    let err = stderr(&unknown);
    assert!(
        err.contains("plan.toml: --route: the plan has no route `nope`"),
        "{err}"
    );
    assert!(err.contains("`chat`, `batch`"), "{err}");
}

#[test]
fn a_missing_connection_field_names_the_file_offering_and_field() {
    let home = tempfile::tempdir().expect("temp");
    let text = PLAN.replace("api_base = \"http://127.0.0.1:18202/v1\"\n", "");
    let plan = write(home.path(), "broken.toml", &text);
    let output = run_with_keys(home.path(), &["export", &plan, "--format", "litellm"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(output.stdout.is_empty(), "no config is printed");
    let err = stderr(&output);
    assert!(
        err.contains("error[connection-missing] offering `fallback`: api_base: is missing"),
        "{err}"
    );
    assert!(
        err.contains("broken.toml: 1 error found by the lint"),
        "{err}"
    );
}

#[test]
fn an_invalid_plan_is_refused_with_file_and_field() {
    let home = tempfile::tempdir().expect("temp");
    let text = PLAN.replace(
        "attempts = 2, timeout_ms = 8000, backoff_ms = 200",
        "attempts = 0, timeout_ms = 8000",
    );
    let plan = write(home.path(), "bad.toml", &text);
    let output = run_with_keys(home.path(), &["export", &plan, "--format", "portkey"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(output.stdout.is_empty());
    let err = stderr(&output);
    assert!(
        err.contains("bad.toml: routes[0].steps[0].attempts"),
        "{err}"
    );
}

#[test]
fn lint_errors_stop_the_export_unless_forced() {
    let home = tempfile::tempdir().expect("temp");
    // 500 ms to the first token + 1 s of generation does not fit in 1.2 s.
    let text = PLAN.replace(
        "{ offering = \"fallback\", timeout_ms = 8000 }",
        "{ offering = \"fallback\", timeout_ms = 1200 }",
    );
    let plan = write(home.path(), "tight.toml", &text);
    let out = home.path().join("config.json");
    let out_arg = out.to_str().expect("utf-8");
    let refused = run_with_keys(
        home.path(),
        &["export", &plan, "--format", "portkey", "--out", out_arg],
    );
    assert_eq!(refused.status.code(), Some(1));
    assert!(!out.exists(), "nothing is written");
    let err = stderr(&refused);
    assert!(
        err.contains("error[timeout-below-generation] route `chat` step 2 (fallback)"),
        "{err}"
    );
    assert!(err.contains("--force"), "{err}");

    let forced = run_with_keys(
        home.path(),
        &[
            "export", &plan, "--format", "portkey", "--out", out_arg, "--force",
        ],
    );
    assert!(forced.status.success(), "{}", stderr(&forced));
    let config: Value =
        serde_json::from_str(&fs::read_to_string(&out).expect("written")).expect("JSON");
    assert_eq!(config["chat"]["targets"][1]["request_timeout"], 1200);
}

fn evaluate(home: &Path, plan: &str, extra: &[&str]) -> Value {
    let mut args = vec![
        "evaluate",
        plan,
        "--samples",
        "40000",
        "--months",
        "200",
        "--json",
    ];
    args.extend_from_slice(extra);
    let output = run_with_keys(home, &args);
    assert!(output.status.success(), "{}", stderr(&output));
    serde_json::from_str(&stdout(&output)).expect("one JSON object")
}

#[test]
fn evaluate_as_a_gateway_has_the_same_fields_and_the_gateways_figures() {
    let home = tempfile::tempdir().expect("temp");
    let plan = write(home.path(), "plan.toml", PLAN);
    let plain = evaluate(home.path(), &plan, &[]);
    for gateway in ["litellm", "portkey", "openrouter"] {
        let as_gateway = evaluate(home.path(), &plan, &["--as", gateway]);
        let object = as_gateway.as_object().expect("object");
        for key in plain.as_object().expect("object").keys() {
            assert!(object.contains_key(key), "{gateway}: {key} missing");
        }
        assert_eq!(as_gateway["as_gateway"]["format"], gateway);
        let differences = as_gateway["as_gateway"]["differences"]
            .as_array()
            .expect("differences");
        assert!(
            differences.iter().any(|d| d["code"] == "gateway-no-budget"),
            "{gateway}"
        );
        // No gateway enforces the budget: its figures are the ones without one.
        assert_eq!(as_gateway["methods"]["success_within_budget"], "exact");
        // LiteLLM and Portkey: what an outage of each upstream step costs.
        if gateway != "openrouter" {
            let during = as_gateway["during_outage"]
                .as_array()
                .expect("during_outage");
            assert!(!during.is_empty(), "{gateway}");
            for d in during {
                assert!(d["attempts_per_request"].as_f64().is_some_and(|a| a >= 1.0));
                assert!(d["added_latency_ms"]["p50"].is_number(), "{d}");
                assert!(d["cost_per_request"].is_number(), "{d}");
            }
        } else {
            assert!(as_gateway.get("during_outage").is_none());
        }
    }
    // LiteLLM and Portkey keep every attempt: availability is the plan's.
    let litellm = evaluate(home.path(), &plan, &["--as", "litellm"]);
    assert_eq!(litellm["availability"], plain["availability"]);
    // OpenRouter tries each step once: less available.
    let openrouter = evaluate(home.path(), &plan, &["--as", "openrouter"]);
    let a = |v: &Value| v["availability"].as_f64().expect("number");
    assert!(
        a(&openrouter) < a(&plain),
        "{} vs {}",
        a(&openrouter),
        a(&plain)
    );
}

#[test]
fn the_example_plans_export_in_every_format() {
    let root = repo_root();
    let home = tempfile::tempdir().expect("temp");
    let plan = root.join("examples/claude-then-deepseek.toml");
    for format in ["litellm", "portkey", "openrouter"] {
        let output = switchyard(home.path())
            .args(["export", plan.to_str().expect("utf-8"), "--format", format])
            .env_remove("ANTHROPIC_API_KEY")
            .env_remove("DEEPSEEK_API_KEY")
            .output()
            .expect("switchyard runs");
        assert!(output.status.success(), "{format}: {}", stderr(&output));
        // Keys of the example are not set in tests: a warning, not an error.
        assert!(
            stderr(&output).contains("warning[key-env-unset]"),
            "{format}"
        );
    }
}

/// The text report's during-outage line says what the app's Export page does,
/// from the figures of `--json`: the share that pays (and whether the step is
/// ever taken out), the failed attempts, and how long traffic stays off the
/// step after it is back (and the most it can).
#[test]
fn evaluate_as_a_gateway_prints_each_steps_outage_from_the_json_figures() {
    use switchyard::format::{duration, percent};
    let home = tempfile::tempdir().expect("temp");
    let windows = fs::read_to_string(repo_root().join("tests/interop/plans/outage-windows.toml"))
        .expect("the interop plan");
    let line_of = |plan: &str| -> (Value, String) {
        let json = evaluate(home.path(), plan, &["--as", "litellm"]);
        let d = json["during_outage"][0].clone();
        assert!(d.is_object(), "one upstream step: {json}");
        let output = run_with_keys(home.path(), &["evaluate", plan, "--as", "litellm"]);
        assert!(output.status.success(), "{}", stderr(&output));
        let line = stdout(&output)
            .lines()
            .find(|l| l.contains("During an outage of interop/primary"))
            .expect("the step's line")
            .to_owned();
        (d, line)
    };
    let num = |d: &Value, key: &str| d[key].as_f64().expect(key);

    // Without [gateway], LiteLLM never cools the lone primary down.
    let plain = write(home.path(), "windows.toml", &windows);
    let (d, line) = line_of(&plain);
    assert_eq!(d["trips"], false);
    assert_eq!(num(&d, "paying_share"), 1.0);
    assert!(
        line.contains(
            "100.00% (never taken out) of requests pay its failed attempts (1.00 a request)"
        ),
        "{line}"
    );
    assert!(
        line.ends_with("traffic off it 0 ms after it is back"),
        "{line}"
    );

    // With a 3.75 s cooldown it is taken out: a share pays, and traffic
    // stays off it a while after the outage.
    let cooled = write(
        home.path(),
        "cooled.toml",
        &format!("{windows}\n[gateway]\ncooldown_s = 3.75\n"),
    );
    let (d, line) = line_of(&cooled);
    assert_eq!(d["trips"], true);
    let share = num(&d, "paying_share");
    assert!(share > 0.0 && share < 1.0, "{d}");
    assert!(
        line.contains(&format!(
            "{} of requests pay its failed attempts ({:.2} a request)",
            percent(share),
            num(&d, "attempts_per_request")
        )),
        "{line}"
    );
    let max = num(&d, "return_to_primary_max_s");
    assert!(max > 0.0, "{d}");
    assert!(
        line.ends_with(&format!(
            "traffic off it {} (at most {}) after it is back",
            duration(num(&d, "return_to_primary_s") * 1000.0),
            duration(max * 1000.0)
        )),
        "{line}"
    );
}
