//! Issue 15, "every offering can be planned": an offering imported from
//! LiteLLM's price map (`gpt-4o`, prices only) goes into a plan and into a
//! search with no figure entered by hand, and every figure it inherits is
//! marked with where it came from.

use std::path::Path;

use switchyard_e2e::stdout_of;

const LITELLM: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../fixtures/litellm/model_prices_1.106.2.json"
);

/// A home with a catalog at `catalog.sqlite3` holding the LiteLLM map.
fn imported() -> (tempfile::TempDir, String) {
    let home = tempfile::tempdir().expect("home");
    let db = home.path().join("catalog.sqlite3").display().to_string();
    stdout_of(
        home.path(),
        &[
            "catalog", "import", LITELLM, "--format", "litellm", "--db", &db,
        ],
    );
    (home, db)
}

/// Writes a plan of a million requests a month of 1,000 input and 300 output
/// tokens, then `rest`, as `name` in `dir`; returns its path.
fn write_plan(dir: &Path, name: &str, rest: &str) -> String {
    let path = dir.join(name);
    let text = format!(
        "[workload]\nrequests_per_month = 1000000\ninput_tokens = 1000\noutput_tokens = 300\n{rest}"
    );
    std::fs::write(&path, text).expect("writes the plan");
    path.display().to_string()
}

#[test]
fn gpt_4o_from_the_price_map_is_planned_with_its_figures_marked() {
    let (home, db) = imported();
    let shown = stdout_of(
        home.path(),
        &["catalog", "show", "openai/gpt-4o", "--db", &db],
    );
    assert!(
        shown.contains("availability")
            && shown.contains(
                "inherited from group `openai-platform` (the mean of its fitted outage history)"
            ),
        "{shown}"
    );
    assert!(
        shown.contains("(inherited: the group of provider `openai`'s offerings)"),
        "{shown}"
    );
    let plan = write_plan(
        home.path(),
        "plan.toml",
        r#"
[[routes]]
name = "main"
steps = [
  { offering = "openai/gpt-4o", timeout_ms = 600000, attempts = 2 },
  { offering = "anthropic/claude-haiku-4-5", timeout_ms = 600000 },
]
"#,
    );
    let report: serde_json::Value = serde_json::from_str(&stdout_of(
        home.path(),
        &[
            "evaluate",
            &plan,
            "--db",
            &db,
            "--json",
            "--samples",
            "20000",
            "--months",
            "1000",
        ],
    ))
    .expect("JSON");
    let sources = report["figure_sources"].as_array().expect("figure_sources");
    let inherited = |offering: &str, field: &str| {
        sources
            .iter()
            .find(|s| s["offering"] == offering && s["field"] == field)
            .unwrap_or_else(|| panic!("{offering} {field} in {sources:#?}"))
            .clone()
    };
    let availability = inherited("openai/gpt-4o", "availability");
    assert_eq!(availability["source"], "inherited");
    assert_eq!(
        availability["from"],
        "group `openai-platform` (the mean of its fitted outage history)"
    );
    // Its prices are its own: not in the list.
    assert!(
        !sources
            .iter()
            .any(|s| s["offering"] == "openai/gpt-4o" && s["field"] == "input_per_mtok")
    );
    // The groups: OpenAI's fitted, Anthropic's constant-rate.
    let processes = report["outage_processes"]
        .as_array()
        .expect("outage_processes");
    let fitted: Vec<(&str, bool)> = processes
        .iter()
        .map(|g| (g["group"].as_str().unwrap_or(""), g["fitted"].is_object()))
        .collect();
    assert_eq!(
        fitted,
        [("openai-platform", true), ("anthropic-platform", false)]
    );
    // The exact availability: two platforms, each up on its own, the first
    // tried twice (per-request errors of 0.5% and 1%, inherited too; with
    // ten-minute timeouts, a timeout is too rare to count).
    let a1 = availability["value"].as_f64().expect("a number");
    let a2 = inherited("anthropic/claude-haiku-4-5", "availability")["value"]
        .as_f64()
        .expect("a number");
    let (e1, e2) = (0.005f64, 0.01f64);
    let by_hand = 1.0 - (1.0 - a1 * (1.0 - e1 * e1)) * (1.0 - a2 * (1.0 - e2));
    let exact = report["availability"].as_f64().expect("availability");
    assert!((exact - by_hand).abs() < 1e-12, "{exact} vs {by_hand}");
}

#[test]
fn a_search_considers_imported_offerings_and_says_what_it_skipped() {
    let (home, db) = imported();
    let plan = write_plan(
        home.path(),
        "search.toml",
        r#"
[search]
providers = ["openai", "anthropic"]
max_chain_length = 2
attempts = [1]
timeouts_ms = [30000]
"#,
    );
    let json: serde_json::Value = serde_json::from_str(&stdout_of(
        home.path(),
        &["search", &plan, "--db", &db, "--json"],
    ))
    .expect("JSON");
    let skipped = json["skipped"].as_array().expect("skipped");
    let kinds = |kind: &str| skipped.iter().filter(|s| s["kind"] == kind).count();
    assert!(kinds("dominated") > 0, "{skipped:#?}");
    let text = stdout_of(home.path(), &["search", &plan, "--db", &db]);
    assert!(text.contains("offerings considered,"), "{text}");
    assert!(text.contains("dominated by another candidate"), "{text}");
    // An imported offering made the frontier or was weighed against one:
    // either way it was a candidate, not skipped for lack of figures.
    assert!(
        !skipped
            .iter()
            .any(|s| s["id"] == "openai/gpt-4o" && s["kind"] == "lacks_figures"),
        "{skipped:#?}"
    );
}
