//! `switchyard usage cost` end to end, through the built binary: the
//! recorded LiteLLM fixture re-priced at a catalog imported from LiteLLM's
//! own map agrees with the spend it logged (and with LiteLLM's own prices)
//! to the cent; a plan replay checked by hand, a 200k tier crossed; a model
//! missing from the catalog named, never priced at 0; bad input refused
//! with file, line, field and reason; stored usage priced from its price
//! classes as its logs would be.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Output;

use serde_json::Value;
use switchyard_e2e::{LITELLM_FIXTURE, repo_root, stderr, stdout, switchyard};

struct Home {
    dir: tempfile::TempDir,
}

impl Home {
    fn new() -> Self {
        Self {
            dir: tempfile::tempdir().expect("temp home"),
        }
    }

    fn db(&self) -> PathBuf {
        self.dir.path().join("catalog.sqlite3")
    }

    fn write(&self, name: &str, text: &str) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::write(&path, text).expect("writes");
        path
    }

    /// `switchyard ARGS --db DB`.
    fn run(&self, args: &[&str]) -> Output {
        switchyard(self.dir.path())
            .args(args)
            .arg("--db")
            .arg(self.db())
            .output()
            .expect("runs switchyard")
    }

    /// A catalog holding LiteLLM 1.106.2's map, as `catalog import` reads it.
    fn import_litellm_map(&self) {
        let out = self.run(&["catalog", "import", "--format", "litellm", LITELLM_FIXTURE]);
        assert!(out.status.success(), "{}", stderr(&out));
    }

    /// `usage cost ARGS --json`, which must succeed.
    fn cost(&self, args: &[&str]) -> Value {
        let mut all = vec!["usage", "cost"];
        all.extend_from_slice(args);
        all.push("--json");
        let out = self.run(&all);
        assert!(out.status.success(), "{all:?}: {}", stderr(&out));
        serde_json::from_str(&stdout(&out)).expect("JSON")
    }
}

fn path(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

fn fixture(name: &str) -> PathBuf {
    repo_root().join("fixtures/spend_log").join(name)
}

fn num(v: &Value, key: &str) -> f64 {
    v[key]
        .as_f64()
        .unwrap_or_else(|| panic!("{key} is not a number in {v}"))
}

#[test]
fn the_recorded_fixture_repriced_at_the_catalog_agrees_with_its_spend_to_the_cent() {
    let home = Home::new();
    home.import_litellm_map();
    let log = fixture("spend_log_200.csv");
    let report = home.cost(&[path(&log), "--format", "litellm-spend", "--catalog"]);
    assert_eq!(report["basis"], "catalog");
    assert_eq!(
        report["unpriced"].as_array().map(Vec::len),
        Some(0),
        "every model of the fixture is in LiteLLM's map: {}",
        report["unpriced"]
    );
    let total = &report["total"];
    assert_eq!(total["requests"], 200);
    assert_eq!(total["priced_requests"], 200);
    assert!(total["above_tier_requests"].as_u64().expect("count") > 0);
    let cost = num(total, "cost_usd");
    let logged = num(total, "logged_spend_usd");
    assert!(
        (cost - logged).abs() < 0.005,
        "replayed {cost} vs logged {logged}"
    );
    // And against LiteLLM's own price of every line (the fixture's
    // `litellm_prices_200.csv`, from `litellm.cost_per_token`).
    let text = std::fs::read_to_string(fixture("litellm_prices_200.csv")).expect("prices");
    let litellm: f64 = text
        .lines()
        .filter_map(|l| l.split_once(',')?.1.parse::<f64>().ok())
        .sum();
    assert!(
        (cost - litellm).abs() < 0.005,
        "replayed {cost} vs LiteLLM {litellm}"
    );
    for m in report["models"].as_array().expect("models") {
        assert!(!m["offering"].is_null(), "{m}");
        let d = num(m, "difference_usd");
        assert!(d.abs() < 0.005, "{}: {d}", m["model"]);
    }
    let days: u64 = report["days"]
        .as_array()
        .expect("days")
        .iter()
        .map(|d| d["requests"].as_u64().expect("requests"))
        .sum();
    assert_eq!(days, 200);
}

/// a (up 90%; above 200k prompt tokens its prices double) then b (up 50%),
/// no errors, no timeouts.
const PLAN: &str = r#"
[workload]
requests_per_month = 1_000_000
input_tokens = 1000
output_tokens = 100

[[offerings]]
id = "a"
availability = 0.9
ttft_p50_ms = 500
ttft_p95_ms = 500
tokens_per_s = 100
input_per_mtok = 1.0
output_per_mtok = 2.0
tier_above_tokens = 200000
tier_input_per_mtok = 2.0
tier_output_per_mtok = 4.0

[[offerings]]
id = "b"
availability = 0.5
ttft_p50_ms = 500
ttft_p95_ms = 500
tokens_per_s = 100
input_per_mtok = 3.0
output_per_mtok = 6.0

[[routes]]
name = "default"
steps = [
  { offering = "a", timeout_ms = 10000 },
  { offering = "b", timeout_ms = 10000 },
]
"#;

const PLAN_LOG: &str = r#"{"start_time":"2026-11-03T10:00:00Z","model":"gpt-4o","input_tokens":1000,"output_tokens":100,"spend_usd":0.01}
{"start_time":"2026-11-04T10:00:00Z","model":"gpt-4o","input_tokens":300000,"output_tokens":1000,"spend_usd":1.5}
"#;

#[test]
fn a_plan_replay_matches_the_hand_computed_cost() {
    let home = Home::new();
    let plan = home.write("plan.toml", PLAN);
    let log = home.write("log.jsonl", PLAN_LOG);
    let report = home.cost(&[path(&log), "--format", "jsonl", "--plan", path(&plan)]);
    assert_eq!(report["basis"], "plan");
    // A request is billed at a when a is up (0.9), at b when a is down and b
    // up (0.1 × 0.5 = 0.05).
    // 1,000 in, 100 out:  a 1000 × 1e-6 + 100 × 2e-6 = 0.0012,
    //                     b 1000 × 3e-6 + 100 × 6e-6 = 0.0036
    //                     0.9 × 0.0012 + 0.05 × 0.0036 = 0.00126
    // 300,000 in (above a's 200k tier), 1,000 out:
    //                     a 300000 × 2e-6 + 1000 × 4e-6 = 0.604,
    //                     b 300000 × 3e-6 + 1000 × 6e-6 = 0.906
    //                     0.9 × 0.604 + 0.05 × 0.906 = 0.5889
    let close = |a: f64, b: f64| (a - b).abs() < 1e-12;
    let days = report["days"].as_array().expect("days");
    assert!(close(num(&days[0], "cost_usd"), 0.00126), "{}", days[0]);
    assert!(close(num(&days[1], "cost_usd"), 0.5889), "{}", days[1]);
    assert!(close(num(&report["total"], "cost_usd"), 0.59016));
    assert!(close(num(&report["total"], "logged_spend_usd"), 1.51));
    let offerings = report["plan"]["offerings"].as_array().expect("offerings");
    assert!(close(num(&offerings[0], "billed_input"), 0.9));
    assert!(close(num(&offerings[1], "billed_output"), 0.05));
    assert!(close(
        num(&offerings[0], "cost_usd"),
        0.9 * (0.0012 + 0.604)
    ));
    // The plan's own mean request (1,000 in, 100 out) is the first line's.
    assert!(close(num(&report["plan"], "cost_per_request"), 0.00126));

    // The text report says the same.
    let log_arg = path(&log);
    let out = home.run(&[
        "usage",
        "cost",
        log_arg,
        "--format",
        "jsonl",
        "--plan",
        path(&plan),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("2026-11-04"), "{text}");
    assert!(text.contains("$0.5902"), "{text}");
}

/// The same traffic on two candidate plans in one command: each plan's
/// report is the one it gets alone, and the text ranks them, cheapest first.
#[test]
fn several_plans_price_the_same_traffic_side_by_side() {
    let home = Home::new();
    let pair = home.write("pair.toml", PLAN);
    // b alone: billed when it is up (0.5), at 1,000 in and 100 out
    // 1000 × 3e-6 + 100 × 6e-6 = 0.0036, at 300,000 in and 1,000 out
    // 300000 × 3e-6 + 1000 × 6e-6 = 0.906: 0.5 × 0.9096 = 0.4548.
    let alone = home.write(
        "b-alone.toml",
        &PLAN.replace("  { offering = \"a\", timeout_ms = 10000 },\n", ""),
    );
    let log = home.write("log.jsonl", PLAN_LOG);
    fn args<'a>(log: &'a Path, plans: &[&'a Path]) -> Vec<&'a str> {
        let mut all = vec![path(log), "--format", "jsonl"];
        for p in plans {
            all.extend(["--plan", path(p)]);
        }
        all
    }
    let both = home.cost(&args(&log, &[&pair, &alone]));
    let plans = both["plans"].as_array().expect("a report a plan");
    assert_eq!(plans.len(), 2);
    assert_eq!(plans[0], home.cost(&args(&log, &[&pair])));
    assert_eq!(plans[1], home.cost(&args(&log, &[&alone])));
    let close = |a: f64, b: f64| (a - b).abs() < 1e-12;
    assert!(close(num(&plans[0]["total"], "cost_usd"), 0.59016));
    assert!(close(num(&plans[1]["total"], "cost_usd"), 0.4548));

    let mut all = vec!["usage", "cost"];
    all.extend(args(&log, &[&pair, &alone]));
    let out = home.run(&all);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    let ranking = text
        .split("the same traffic on each plan, cheapest first:")
        .nth(1)
        .expect("the side-by-side table");
    let at = |name: &str| ranking.find(name).expect(name);
    assert!(at("b-alone.toml") < at("pair.toml"), "{ranking}");
    assert!(ranking.contains("$0.4548"), "{ranking}");
}

#[test]
fn a_model_missing_from_the_catalog_is_named_never_priced_at_zero() {
    let home = Home::new();
    home.import_litellm_map();
    let log = home.write(
        "spend.csv",
        "startTime,model,prompt_tokens,completion_tokens,spend\n\
         2026-11-03 10:00:00,gpt-4o,1000,100,0.0035\n\
         2026-11-03 11:00:00,not-a-model-anywhere,1000,100,0.5\n\
         2026-11-03 12:00:00,not-a-model-anywhere,10,1,0.25\n",
    );
    let report = home.cost(&[path(&log), "--catalog"]);
    let unpriced = report["unpriced"].as_array().expect("unpriced");
    assert_eq!(unpriced.len(), 1);
    assert_eq!(unpriced[0]["model"], "not-a-model-anywhere");
    assert_eq!(unpriced[0]["requests"], 2);
    assert!((num(&unpriced[0], "logged_spend_usd") - 0.75).abs() < 1e-12);
    let models: BTreeMap<String, Value> = report["models"]
        .as_array()
        .expect("models")
        .iter()
        .map(|m| (m["model"].as_str().expect("name").to_owned(), m.clone()))
        .collect();
    assert!(models["not-a-model-anywhere"]["cost_usd"].is_null());
    // gpt-4o at $2.50 / $10 per 1M: 1000 × 2.5e-6 + 100 × 1e-5.
    assert!((num(&models["gpt-4o"], "cost_usd") - 0.0035).abs() < 1e-12);
    assert_eq!(report["total"]["unpriced_requests"], 2);

    let out = home.run(&["usage", "cost", path(&log), "--catalog"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("not priced"), "{text}");
    assert!(text.contains("not-a-model-anywhere: 2 requests"), "{text}");
    assert!(text.contains("unpriced"), "{text}");
}

#[test]
fn bad_input_is_refused_with_file_line_field_and_reason() {
    let home = Home::new();
    let plan = home.write("plan.toml", PLAN);
    let log = home.write(
        "log.jsonl",
        "{\"start_time\":\"2026-11-03T10:00:00Z\",\"model\":\"m\",\"input_tokens\":10,\"output_tokens\":1}\n\
         {\"start_time\":\"2026-11-03T10:00:00Z\",\"model\":\"m\",\"input_tokens\":-12,\"output_tokens\":1}\n",
    );
    let out = home.run(&[
        "usage",
        "cost",
        path(&log),
        "--format",
        "jsonl",
        "--plan",
        path(&plan),
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("log.jsonl:2: input_tokens"), "{err}");
    assert!(err.contains("[negative]"), "{err}");
    assert!(!err.contains("panicked"), "{err}");

    // --skip-bad prices the rest and says what it skipped.
    let report = home.cost(&[
        path(&log),
        "--format",
        "jsonl",
        "--plan",
        path(&plan),
        "--skip-bad",
    ]);
    assert_eq!(report["log"]["skipped"], 1);
    assert_eq!(report["total"]["requests"], 1);

    // One basis, not both, and not none.
    let both = home.run(&[
        "usage",
        "cost",
        path(&log),
        "--catalog",
        "--plan",
        path(&plan),
    ]);
    assert_eq!(both.status.code(), Some(2), "{}", stderr(&both));
    let none = home.run(&["usage", "cost", path(&log)]);
    assert_eq!(none.status.code(), Some(2), "{}", stderr(&none));

    // A missing file, a missing plan.
    let gone = home.run(&["usage", "cost", "nope.csv", "--plan", path(&plan)]);
    assert_eq!(gone.status.code(), Some(1));
    assert!(stderr(&gone).contains("nope.csv"), "{}", stderr(&gone));
    let no_plan = home.run(&["usage", "cost", path(&log), "--plan", "nope.toml"]);
    assert_eq!(no_plan.status.code(), Some(1));
    assert!(
        stderr(&no_plan).contains("nope.toml"),
        "{}",
        stderr(&no_plan)
    );
}

/// Per model: (requests, cost or null, logged spend), from a report.
fn by_model(report: &Value) -> BTreeMap<String, (u64, Option<f64>, Option<f64>)> {
    report["models"]
        .as_array()
        .expect("models")
        .iter()
        .map(|m| {
            (
                m["model"].as_str().expect("name").to_owned(),
                (
                    m["requests"].as_u64().expect("requests"),
                    m["cost_usd"].as_f64(),
                    m["logged_spend_usd"].as_f64(),
                ),
            )
        })
        .collect()
}

/// Two reports price the same requests the same, model by model and day by
/// day, to 1e-9 relative (the stored sums add in another order).
fn assert_same_costs(stored: &Value, replayed: &Value) {
    let close = |a: Option<f64>, b: Option<f64>| match (a, b) {
        (Some(a), Some(b)) => (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1e-12),
        (None, None) => true,
        _ => false,
    };
    let (s, r) = (by_model(stored), by_model(replayed));
    assert_eq!(s.keys().collect::<Vec<_>>(), r.keys().collect::<Vec<_>>());
    for (model, (n, cost, spend)) in &r {
        let (sn, scost, sspend) = s[model];
        assert_eq!(sn, *n, "{model}");
        assert!(close(scost, *cost), "{model}: {scost:?} vs {cost:?}");
        assert!(close(sspend, *spend), "{model}: {sspend:?} vs {spend:?}");
    }
    let days = |r: &Value| -> Vec<(String, Option<f64>)> {
        r["days"]
            .as_array()
            .expect("days")
            .iter()
            .map(|d| {
                (
                    d["day"].as_str().expect("day").to_owned(),
                    d["cost_usd"].as_f64(),
                )
            })
            .collect()
    };
    let (sd, rd) = (days(stored), days(replayed));
    assert_eq!(sd.len(), rd.len());
    for ((a, x), (b, y)) in sd.iter().zip(&rd) {
        assert_eq!(a, b);
        assert!(close(*x, *y), "{a}: {x:?} vs {y:?}");
    }
    for key in [
        "requests",
        "priced_requests",
        "unpriced_requests",
        "batch_requests",
        "cache_hits",
    ] {
        assert_eq!(stored["total"][key], replayed["total"][key], "{key}");
    }
    assert!(close(
        stored["total"]["cost_usd"].as_f64(),
        replayed["total"]["cost_usd"].as_f64()
    ));
}

/// Requests a stored replay must keep apart: a batch call with cache reads,
/// a prompt of exactly 200,000 tokens (no tier for LiteLLM's `>`, the tier
/// for xAI's `>=`) and one above, a cache hit, a model the catalog lacks,
/// and more cached tokens logged than prompt tokens.
const EDGES_LOG: &str = "startTime,model,prompt_tokens,completion_tokens,spend,call_type,cache_hit,metadata
2026-11-03 10:00:00,gemini/gemini-2.5-pro,200000,100,0.251,acompletion,False,
2026-11-03 10:10:00,gemini/gemini-2.5-pro,200001,100,0.502,acompletion,False,
2026-11-03 10:20:00,xai/grok-4.3,200000,100,0.9,acompletion,False,
2026-11-03 10:30:00,xai/grok-4.3,199999,100,0.4,acompletion,False,
2026-11-03 11:00:00,gpt-4o,1000,100,0.0035,retrieve_batch,False,\"{\"\"additional_usage_values\"\": {\"\"cache_read_input_tokens\"\": 400}}\"
2026-11-03 11:30:00,gpt-4o,1000,100,0,acompletion,True,
2026-11-04 09:00:00,gpt-4o,100,10,0.001,acompletion,False,\"{\"\"additional_usage_values\"\": {\"\"cache_read_input_tokens\"\": 500}}\"
2026-11-04 09:05:00,not-a-model-anywhere,1000,100,0.5,acompletion,False,
";

/// The lines of the CSV log `text` (header kept) whose `column` passes `keep`.
fn lines_where(text: &str, column: &str, keep: impl Fn(&str) -> bool) -> String {
    let mut lines = text.lines();
    let header = lines.next().expect("header");
    let at = header.split(',').position(|c| c == column).expect("column");
    let mut out = format!("{header}\n");
    for line in lines {
        // The recorded fixture's quoted fields come after these columns.
        if keep(line.split(',').nth(at).unwrap_or("")) {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

#[test]
fn stored_usage_is_priced_from_its_price_classes_as_the_logs_would_be() {
    // The edge cases: stored, then priced without the log, at the catalog
    // and on a plan, against the log's own replay.
    let home = Home::new();
    home.import_litellm_map();
    let out = home.run(&["usage", "cost", "--stored", "--catalog"]);
    assert!(!out.status.success(), "nothing stored yet");
    assert!(stderr(&out).contains("no stored usage"), "{}", stderr(&out));
    let edges = home.write("edges.csv", EDGES_LOG);
    let out = home.run(&["usage", "import", path(&edges), "--format", "litellm-spend"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let stored = home.cost(&["--stored", "--catalog"]);
    assert!(stored["log"].is_null());
    assert_eq!(stored["stored"]["imports"][0]["id"], 1);
    assert_eq!(stored["stored"]["inexact_tiers"], serde_json::json!([]));
    let replayed = home.cost(&[path(&edges), "--catalog"]);
    assert_same_costs(&stored, &replayed);
    assert_eq!(stored["total"]["batch_requests"], 1);
    assert_eq!(stored["total"]["cache_hits"], 1);
    assert_eq!(
        stored["total"]["above_tier_requests"],
        replayed["total"]["above_tier_requests"]
    );
    assert_eq!(stored["unpriced"][0]["model"], "not-a-model-anywhere");
    let plan = home.write("plan.toml", PLAN);
    assert_same_costs(
        &home.cost(&["--stored", "--plan", path(&plan)]),
        &home.cost(&[path(&edges), "--plan", path(&plan)]),
    );
    let text = stdout(&home.run(&["usage", "cost", "--stored", "--catalog"]));
    assert!(
        text.contains("stored price classes of imports 1 ("),
        "{text}"
    );
    let out = home.run(&["usage", "cost", path(&edges), "--stored", "--catalog"]);
    assert!(!out.status.success(), "a log and --stored together");

    // The recorded fixture: the whole, a window of days and one model,
    // each against the replay of the same lines.
    let home = Home::new();
    home.import_litellm_map();
    let recorded = fixture("spend_log_200.csv");
    let out = home.run(&[
        "usage",
        "import",
        path(&recorded),
        "--format",
        "litellm-spend",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_same_costs(
        &home.cost(&["--stored", "--catalog"]),
        &home.cost(&[path(&recorded), "--catalog"]),
    );
    let text = std::fs::read_to_string(&recorded).expect("fixture");
    let days = home.write(
        "days.csv",
        &lines_where(&text, "startTime", |t| {
            ("2026-11-05".."2026-11-08").contains(&t)
        }),
    );
    assert_same_costs(
        &home.cost(&[
            "--stored",
            "--catalog",
            "--since",
            "2026-11-05",
            "--until",
            "2026-11-08",
        ]),
        &home.cost(&[path(&days), "--catalog"]),
    );
    let one = home.write("one.csv", &lines_where(&text, "model", |m| m == "gpt-5.5"));
    assert_same_costs(
        &home.cost(&["--stored", "--catalog", "--model", "gpt-5.5"]),
        &home.cost(&[path(&one), "--catalog"]),
    );
}

#[test]
fn stored_replays_name_what_they_cannot_price_exactly_or_at_all() {
    let home = Home::new();
    home.import_litellm_map();
    let one = home.write(
        "one.csv",
        "startTime,model,prompt_tokens,completion_tokens,spend\n2026-11-03 10:00:00,gpt-4o,1000,100,0.0035\n",
    );
    let out = home.run(&["usage", "import", path(&one), "--format", "litellm-spend"]);
    assert!(out.status.success(), "{}", stderr(&out));
    // A window starting at the import's only request still finds the import.
    let at = home.cost(&["--stored", "--catalog", "--since", "2026-11-03T10:00:00Z"]);
    assert_eq!(at["stored"]["imports"][0]["id"], 1, "{}", at["stored"]);
    assert_eq!(at["total"]["requests"], 1);

    // A plan tier off the stored band edges is named.
    let off_edge = PLAN.replace("tier_above_tokens = 200000", "tier_above_tokens = 150000");
    let plan = home.write("off-edge.toml", &off_edge);
    let report = home.cost(&["--stored", "--plan", path(&plan)]);
    assert_eq!(
        report["stored"]["inexact_tiers"],
        serde_json::json!([{ "offering": "a", "above_tokens": 150000.0 }])
    );
    let text = stdout(&home.run(&["usage", "cost", "--stored", "--plan", path(&plan)]));
    assert!(
        text.contains("approximate: a's tier above 150,000 prompt tokens"),
        "{text}"
    );

    // An import stored before price classes were kept: named, and left out.
    let db = rusqlite::Connection::open(home.db()).expect("opens the catalog");
    db.execute("DELETE FROM usage_price_classes", [])
        .expect("forgets the classes");
    drop(db);
    let out = home.run(&["usage", "cost", "--stored", "--catalog"]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains("imported before price classes were kept"),
        "{err}"
    );
    assert!(
        err.contains("(import 1)") && err.contains("--replace"),
        "{err}"
    );
    let out = home.run(&[
        "usage",
        "import",
        path(&one),
        "--format",
        "litellm-spend",
        "--replace",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        home.cost(&["--stored", "--catalog"])["total"]["requests"],
        1
    );
}
