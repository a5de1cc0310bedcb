//! `switchyard tco` end to end: the example plan's self-hosting comparison, and
//! a plan without `[tco]`.

use serde_json::Value;
use switchyard_e2e::{repo_root, run, stderr, stdout};

#[test]
fn the_example_compares_both_paths_month_by_month() {
    let plan = repo_root().join("examples/claude-then-deepseek.toml");
    let output = run(&["tco", plan.to_str().expect("utf-8"), "--json"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let json: Value = serde_json::from_str(&stdout(&output)).expect("JSON");
    let months = json["report"]["months"].as_array().expect("months");
    assert_eq!(months.len(), 24);
    let per_request = json["api_usd_per_request"].as_f64().expect("number");
    // Month 1 by hand: 3M requests at the exact cost per request, plus the
    // gateway ($300), upkeep (8 h) and integration (40 h) at $150/h.
    let m1 = months[0]["api_usd"].as_f64().expect("number");
    assert!(
        (m1 - (3e6 * per_request + 300.0 + 48.0 * 150.0)).abs() < 1e-6,
        "{m1}"
    );
    // Self-hosted month 2: 2 GPUs at $2.5/h for 720 h, $15,000 ops, 40 h upkeep.
    let sh2 = months[1]["self_hosted_usd"].as_f64().expect("number");
    assert!(
        (sh2 - (2.0 * 1800.0 + 15_000.0 + 6000.0)).abs() < 1e-9,
        "{sh2}"
    );
    assert!(
        json["report"]["break_even_tokens_per_day"]
            .as_f64()
            .is_some()
    );
}

#[test]
fn a_plan_without_tco_says_what_to_add() {
    let plan = repo_root().join("examples/split-traffic.json");
    let output = run(&["tco", plan.to_str().expect("utf-8")]);
    assert!(!output.status.success());
    assert!(
        stderr(&output)
            .contains("tco: is missing: add a [tco] section to compare with self-hosting"),
        "{}",
        stderr(&output)
    );
}
