//! `switchyard search` end to end over the embedded catalog: the frontier, its
//! determinism, plans written per point that evaluate to the same figures, the
//! frontier chart, and clear errors.

use std::path::Path;

use serde_json::Value;
use switchyard_e2e::{repo_root, stderr, stdout, switchyard};

fn example() -> String {
    repo_root()
        .join("examples/search.toml")
        .to_str()
        .expect("utf-8")
        .to_owned()
}

fn search_json(home: &Path, extra: &[&str]) -> (String, Value) {
    let output = switchyard(home)
        .args(["search", &example(), "--json", "--samples", "5000"])
        .args(extra)
        .output()
        .expect("run switchyard");
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    let json = serde_json::from_str(&text).expect("JSON");
    (text, json)
}

#[test]
fn the_frontier_trades_cost_for_availability_the_same_way_every_run() {
    let home = tempfile::tempdir().expect("tempdir");
    let (first, json) = search_json(home.path(), &[]);
    let (second, _) = search_json(home.path(), &[]);
    assert_eq!(first, second, "same inputs, same bytes");
    let points = json["search"]["frontier"].as_array().expect("frontier");
    assert!(points.len() >= 2, "{json:#}");
    for pair in points.windows(2) {
        let cost = |p: &Value| p["monthly_usd"].as_f64().expect("number");
        let avail = |p: &Value| p["availability"].as_f64().expect("number");
        assert!(cost(&pair[0]) < cost(&pair[1]));
        assert!(avail(&pair[0]) < avail(&pair[1]));
    }
    for p in points {
        // [search] asks for at least 99.9% and 99% within the 15 s budget.
        assert!(p["availability"].as_f64().expect("number") >= 0.999);
        assert!(p["success_within_budget"].as_f64().expect("number") >= 0.99);
        let steps = p["steps"].as_array().expect("steps");
        assert!((1..=3).contains(&steps.len()));
    }
    let stats = &json["search"]["stats"];
    assert!(stats["chains_scored"].as_u64() < stats["chains_total"].as_u64());
}

#[test]
fn each_emitted_plan_evaluates_to_its_frontier_figures() {
    let home = tempfile::tempdir().expect("tempdir");
    let dir = home.path().join("frontier");
    let (_, json) = search_json(home.path(), &["--emit-plans", dir.to_str().expect("utf-8")]);
    let points = json["search"]["frontier"].as_array().expect("frontier");
    for p in points.iter().take(3) {
        let rank = p["rank"].as_u64().expect("rank");
        let plan = dir.join(format!("frontier-{rank:02}.toml"));
        // Self-contained: evaluates with no catalog at all.
        let output = switchyard(home.path())
            .env_remove("SWITCHYARD_DB")
            .args([
                "evaluate",
                plan.to_str().expect("utf-8"),
                "--json",
                "--samples",
                "1000",
            ])
            .output()
            .expect("run switchyard");
        assert!(output.status.success(), "{}", stderr(&output));
        let eval: Value = serde_json::from_str(&stdout(&output)).expect("JSON");
        let a = eval["availability"].as_f64().expect("number");
        let want = p["availability"].as_f64().expect("number");
        assert!((a - want).abs() < 1e-12, "{a} vs {want}");
        // The emitted route is the point's route, step for step.
        let text = std::fs::read_to_string(&plan).expect("plan");
        for step in p["steps"].as_array().expect("steps") {
            let id = step["offering"].as_str().expect("id");
            assert!(
                text.contains(&format!("offering = \"{id}\"")),
                "{id} in {text}"
            );
        }
    }
}

#[test]
fn the_frontier_chart_marks_the_frontier_and_the_chosen_plan() {
    let home = tempfile::tempdir().expect("tempdir");
    let out = home.path().join("frontier.svg");
    let output = switchyard(home.path())
        .args([
            "chart",
            "frontier",
            &example(),
            "--out",
            out.to_str().expect("utf-8"),
        ])
        .args(["--samples", "2000"])
        .output()
        .expect("run switchyard");
    assert!(output.status.success(), "{}", stderr(&output));
    let svg = std::fs::read_to_string(&out).expect("svg");
    assert!(svg.contains("Pareto frontier"), "legend");
    assert!(svg.contains("chosen plan"), "chosen marker");
    assert!(svg.contains("monthly cost"), "x axis");
}

/// Runs `switchyard search` on `plan`, which must fail without printing a
/// result; returns its error text.
fn search_error(home: &Path, plan: &Path) -> String {
    let output = switchyard(home)
        .args(["search", plan.to_str().expect("utf-8")])
        .output()
        .expect("run switchyard");
    assert!(!output.status.success());
    assert!(stdout(&output).is_empty());
    stderr(&output)
}

#[test]
fn a_plan_without_search_says_what_to_add() {
    let home = tempfile::tempdir().expect("tempdir");
    let plan = repo_root().join("examples/split-traffic.json");
    let err = search_error(home.path(), &plan);
    assert!(
        err.contains("split-traffic.json") && err.contains("search"),
        "{err}"
    );
}

#[test]
fn bad_search_fields_are_named() {
    let home = tempfile::tempdir().expect("tempdir");
    let plan = home.path().join("bad.toml");
    std::fs::write(
        &plan,
        "[workload]\nrequests_per_month = 1000\ninput_tokens = 10\noutput_tokens = 10\n\n\
         [search]\nattempts = [0, 2]\nmax_chain_length = 5\ntimeouts_ms = [-1.0]\n\
         min_success_within_budget = 0.99\n",
    )
    .expect("write");
    let err = search_error(home.path(), &plan);
    for needle in [
        "bad.toml: search.attempts[0]: 0 is out of range: must be at least 1 and at most 3",
        "search.max_chain_length: 5 is out of range: must be at least 1 and at most 3",
        "search.timeouts_ms[0]: -1 is out of range: must be at least 1 and at most 86,400,000 (1 day)",
        "search.min_success_within_budget: needs a budget",
    ] {
        assert!(err.contains(needle), "missing {needle:?} in {err}");
    }
}

#[test]
fn an_unknown_candidate_is_an_error_naming_it() {
    let home = tempfile::tempdir().expect("tempdir");
    let plan = home.path().join("unknown.toml");
    std::fs::write(
        &plan,
        "[workload]\nrequests_per_month = 1000\ninput_tokens = 10\noutput_tokens = 10\n\n\
         [search]\ncandidates = [\"nope/no-such-model\"]\n",
    )
    .expect("write");
    let err = search_error(home.path(), &plan);
    assert!(
        err.contains("search.candidates[0]") && err.contains("nope/no-such-model"),
        "{err}"
    );
}

/// 40 timeouts and 3 attempt counts over the embedded catalog aborted at 6 GB;
/// the option space is refused before any work, with the numbers.
#[test]
fn a_search_too_large_to_run_is_refused_with_the_numbers() {
    let home = tempfile::tempdir().expect("tempdir");
    let plan = home.path().join("huge.toml");
    let timeouts: Vec<String> = (1..=40).map(|t| (t * 1000).to_string()).collect();
    let text = std::fs::read_to_string(example())
        .expect("example")
        .replace("attempts = [1, 2]", "attempts = [1, 2, 3]")
        .replace(
            "timeouts_ms = [8000, 15000]",
            &format!("timeouts_ms = [{}]", timeouts.join(", ")),
        );
    std::fs::write(&plan, text).expect("write");
    // No wall-clock bound here: on a loaded machine even the refusal's
    // catalog load is slow; the count in the message shows nothing ran.
    let err = search_error(home.path(), &plan);
    let candidates = err
        .split("search: ")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .and_then(|n| n.parse::<u64>().ok())
        .unwrap_or_else(|| panic!("no candidate count in {err}"));
    let expected = format!(
        "search: {candidates} candidates × 3 attempts × 40 timeouts = {} step options; at most 1,000 are searched",
        switchyard::format::count((candidates * 120) as f64)
    );
    assert!(err.contains(&expected), "expected {expected:?} in {err}");
}

/// `--objectives` adds p95 as a third axis: at a resolution of 0 every
/// frontier point of the two-axis search stays (or a chain of the same cost
/// and availability, such as the same offerings in another order, with a
/// p95 no higher), more join it (faster but dearer or less available), and
/// each has its exact p95. At the default resolution each is within 1% of
/// the p95 and 0.01 nines of the availability of a point no dearer, and the
/// JSON says the resolution. A search that would score too many chains so
/// is refused, naming the field.
#[test]
fn objectives_add_p95_as_an_axis() {
    let home = tempfile::tempdir().expect("tempdir");
    let text = std::fs::read_to_string(example())
        .expect("example")
        .replace("attempts = [1, 2]", "attempts = [1]")
        .replace("timeouts_ms = [8000, 15000]", "timeouts_ms = [15000]");
    let plan = home.path().join("p95.toml");
    std::fs::write(&plan, &text).expect("write");
    let exact_plan = home.path().join("p95-exact.toml");
    let exact_text = text.replace(
        "backoff_ms = 100",
        "backoff_ms = 100\np95_resolution = 0\navailability_resolution_nines = 0",
    );
    assert_ne!(exact_text, text);
    std::fs::write(&exact_plan, exact_text).expect("write");
    let run_plan = |plan: &Path, extra: &[&str]| -> Value {
        let output = switchyard(home.path())
            .args(["search", plan.to_str().expect("utf-8"), "--json"])
            .args(extra)
            .output()
            .expect("run switchyard");
        assert!(output.status.success(), "{}", stderr(&output));
        serde_json::from_str(&stdout(&output)).expect("JSON")
    };
    let run = |extra: &[&str]| run_plan(&exact_plan, extra);
    let figure = |p: &Value, f: &str| p[f].as_f64().expect("number");
    let two = run(&[]);
    assert!(
        two["resolution"].is_null(),
        "the two-axis frontier is exact"
    );
    let three = run(&["--objectives", "cost,availability,p95"]);
    assert_eq!(three["resolution"]["p95"].as_f64(), Some(0.0));
    let coarse = run_plan(&plan, &["--objectives", "cost,availability,p95"]);
    assert_eq!(coarse["resolution"]["p95"].as_f64(), Some(0.01));
    assert_eq!(
        coarse["resolution"]["availability_nines"].as_f64(),
        Some(0.01)
    );
    let points = |j: &Value| -> Vec<Value> {
        let s = &j["search"];
        let mut all = s["frontier"].as_array().expect("frontier").clone();
        all.extend(s["rejected"].as_array().expect("rejected").iter().cloned());
        all
    };
    let (a, b) = (points(&two), points(&three));
    assert!(b.len() > a.len(), "{} vs {}", b.len(), a.len());
    for p in &a {
        let kept = b.iter().any(|q| {
            figure(q, "monthly_usd") == figure(p, "monthly_usd")
                && figure(q, "availability") == figure(p, "availability")
                && q["latency_ms"]["p95"].as_f64() <= p["latency_ms"]["p95"].as_f64()
        });
        assert!(kept, "{}", p["steps"]);
    }
    assert!(b.iter().all(|p| p["latency_ms"]["p95"].is_number()));
    let c = points(&coarse);
    assert!(c.len() <= b.len(), "{} vs {}", c.len(), b.len());
    let nines = |p: &Value| -(1.0 - figure(p, "availability")).log10();
    let p95 = |p: &Value| p["latency_ms"]["p95"].as_f64().expect("p95");
    for p in &b {
        let covered = c.iter().any(|q| {
            figure(q, "monthly_usd") <= figure(p, "monthly_usd")
                && nines(q) >= nines(p) - 0.01 - 1e-6
                && p95(q) <= p95(p) * 1.01 * (1.0 + 1e-9)
        });
        assert!(covered, "{}", p["steps"]);
    }

    // 22 candidates × 2 attempts × 10 timeouts = 440 step options: refused
    // exact, searched at the default resolution.
    let wide = home.path().join("wide.toml");
    let text = std::fs::read_to_string(example())
        .expect("example")
        .replace(
            "timeouts_ms = [8000, 15000]",
            "timeouts_ms = [2000, 4000, 6000, 8000, 10000, 12000, 15000, 20000, 25000, 30000]",
        );
    std::fs::write(&wide, &text).expect("write");
    let output = switchyard(home.path())
        .args(["search", wide.to_str().expect("utf-8")])
        .args(["--objectives", "cost,availability,p95"])
        .output()
        .expect("run switchyard");
    assert!(output.status.success(), "{}", stderr(&output));
    let wide_exact = home.path().join("wide-exact.toml");
    std::fs::write(
        &wide_exact,
        text.replace("backoff_ms = 100", "backoff_ms = 100\np95_resolution = 0"),
    )
    .expect("write");
    let output = switchyard(home.path())
        .args(["search", wide_exact.to_str().expect("utf-8")])
        .args(["--objectives", "cost,availability,p95"])
        .output()
        .expect("run switchyard");
    assert!(!output.status.success());
    let err = stderr(&output);
    assert!(
        err.contains("search.objectives: ") && err.contains("at most 400"),
        "{err}"
    );
    let output = switchyard(home.path())
        .args(["search", &example(), "--objectives", "cost,p99"])
        .output()
        .expect("run switchyard");
    assert!(
        stderr(&output).contains("unknown objective `p99`"),
        "{}",
        stderr(&output)
    );
}
