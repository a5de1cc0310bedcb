//! `switchyard compare`, `switchyard report` and the `compare-*` charts end
//! to end: each column is what `evaluate` says of its plan, the report holds
//! the same figures, and bad input is refused with a reason.

use std::path::{Path, PathBuf};

use serde_json::Value;
use switchyard_e2e::{repo_root, stdout_of, switchyard};

/// Small runs: the figures are compared with each other, not with the truth.
const FAST: [&str; 4] = ["--samples", "20000", "--months", "300"];

/// Three plans in `dir`: the example, the example with three DeepSeek
/// attempts, and the catalog example (which opens the catalog).
fn three_plans(dir: &Path) -> Vec<PathBuf> {
    let example = std::fs::read_to_string(repo_root().join("examples/claude-then-deepseek.toml"))
        .expect("example");
    let today = dir.join("today.toml");
    std::fs::write(&today, &example).expect("writes");
    let sturdier = dir.join("sturdier.toml");
    std::fs::write(
        &sturdier,
        example.replace(
            "{ offering = \"deepseek/deepseek-chat\", attempts = 1,",
            "{ offering = \"deepseek/deepseek-chat\", attempts = 3,",
        ),
    )
    .expect("writes");
    vec![
        today,
        sturdier,
        repo_root().join("examples/from-catalog.toml"),
    ]
}

fn strs(paths: &[PathBuf]) -> Vec<&str> {
    paths.iter().map(|p| p.to_str().expect("utf-8")).collect()
}

fn compare_json(home: &Path, plans: &[PathBuf], extra: &[&str]) -> Value {
    let mut args = vec!["compare"];
    args.extend(strs(plans));
    args.extend(FAST);
    args.extend(extra);
    args.push("--json");
    serde_json::from_str(&stdout_of(home, &args)).expect("JSON")
}

fn row<'a>(c: &'a Value, key: &str) -> &'a Value {
    c["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .find(|r| r["key"] == key)
        .unwrap_or_else(|| panic!("no row {key}"))
}

#[test]
fn each_column_is_what_evaluate_says_of_its_plan() {
    let home = tempfile::tempdir().expect("home");
    let plans = three_plans(home.path());
    let c = compare_json(home.path(), &plans, &["--baseline", "2"]);
    assert_eq!(c["baseline"], 1);
    assert_eq!(c["target"], 0.9999, "the baseline's [target]");
    for (i, plan) in plans.iter().enumerate() {
        let mut args = vec!["evaluate", plan.to_str().expect("utf-8"), "--json"];
        args.extend(FAST);
        let alone: Value = serde_json::from_str(&stdout_of(home.path(), &args)).expect("JSON");
        assert_eq!(
            row(&c, "availability")["values"][i],
            alone["availability"],
            "{i}"
        );
        assert_eq!(
            row(&c, "cost_per_month_usd")["values"][i],
            alone["cost_usd"]["monthly"]
        );
        assert_eq!(
            row(&c, "latency_p95_ms")["values"][i],
            alone["latency_ms"]["p95"]
        );
    }
    // Three DeepSeek attempts are more available than one, and the baseline's
    // own difference is zero.
    let a = &row(&c, "availability")["values"];
    assert!(a[1].as_f64() > a[0].as_f64());
    assert_eq!(row(&c, "availability")["delta"][1], 0.0);
    assert_eq!(row(&c, "availability")["ratio_texts"][1], "×1.00");
    let diff: Vec<&str> = c["diff"]
        .as_array()
        .expect("diff")
        .iter()
        .map(|d| d["field"].as_str().expect("field"))
        .collect();
    assert!(
        diff.contains(&"routes[default].steps[1].attempts"),
        "{diff:?}"
    );
    assert!(diff.contains(&"workload.requests_per_month"), "{diff:?}");
    // The catalog plan's figures name their sources.
    let sources = c["portfolios"][2]["sources"].as_array().expect("sources");
    assert!(
        sources
            .iter()
            .any(|s| s["source"] == "the plan" && s["field"] == "error_rate")
    );
    assert!(
        sources
            .iter()
            .any(|s| s["url"].as_str().is_some_and(|u| u.starts_with("https://")))
    );
}

#[test]
fn the_text_marks_the_best_and_the_baseline() {
    let home = tempfile::tempdir().expect("home");
    let plans = three_plans(home.path());
    let mut args = vec!["compare"];
    args.extend(strs(&plans[..2]));
    args.extend(FAST);
    let text = stdout_of(home.path(), &args);
    assert!(
        text.starts_with("Comparison of 2 portfolios at SLA target 99.990%"),
        "{text}"
    );
    assert!(text.contains("Differences are from today; ★ marks the best."));
    let availability = text
        .split("\n\n")
        .find(|b| b.starts_with("Availability"))
        .expect("block");
    assert!(availability.contains("baseline"));
    assert!(
        availability
            .lines()
            .any(|l| l.contains("sturdier") && l.contains('★')),
        "{availability}"
    );
    assert!(
        text.contains("routes[default].steps[1].attempts: today 1 · sturdier 3"),
        "{text}"
    );
}

/// Parses the report as XML (its `<!DOCTYPE html>` allowed).
fn parse(html: &str) -> roxmltree::Document<'_> {
    let options = roxmltree::ParsingOptions {
        allow_dtd: true,
        ..roxmltree::ParsingOptions::default()
    };
    roxmltree::Document::parse_with_options(html, options).expect("well-formed")
}

#[test]
fn the_report_holds_the_comparisons_figures_and_no_other_url() {
    let home = tempfile::tempdir().expect("home");
    let plans = three_plans(home.path());
    let c = compare_json(home.path(), &plans, &[]);
    let out = home.path().join("report.html");
    let mut args = vec!["report"];
    args.extend(strs(&plans));
    args.extend(FAST);
    args.extend(["--out", out.to_str().expect("utf-8")]);
    stdout_of(home.path(), &args);
    let html = std::fs::read_to_string(&out).expect("written");
    let doc = parse(&html);
    let mut seen = 0;
    for cell in doc
        .descendants()
        .filter(|n| n.attribute("data-value").is_some())
    {
        let key = cell.attribute("data-key").expect("key");
        let i: usize = cell
            .attribute("data-portfolio")
            .expect("column")
            .parse()
            .expect("index");
        let value: f64 = cell
            .attribute("data-value")
            .expect("value")
            .parse()
            .expect("number");
        // The report writes the shortest exact decimal; serde_json reads the
        // JSON's to within an ulp (no float_roundtrip).
        let json = row(&c, key)["values"][i].as_f64().expect("a value");
        assert!(
            (value - json).abs() <= 2.0 * f64::EPSILON * json.abs(),
            "{key} {i}: {value} {json}"
        );
        seen += 1;
    }
    assert!(seen >= 3 * 15, "{seen} cells");
    assert_eq!(
        doc.descendants().filter(|n| n.has_tag_name("svg")).count(),
        4
    );
    // Every link is a source's, every other URL is a plan's own api_base
    // (the plans are shown as written), and the report loads nothing.
    let sources: Vec<&str> = c["portfolios"]
        .as_array()
        .expect("portfolios")
        .iter()
        .flat_map(|p| p["sources"].as_array().expect("sources"))
        .filter_map(|s| s["url"].as_str())
        .collect();
    let hrefs: Vec<&str> = doc
        .descendants()
        .filter_map(|n| n.attribute("href"))
        .collect();
    assert!(!hrefs.is_empty());
    assert!(hrefs.iter().all(|h| sources.contains(h)), "{hrefs:?}");
    let api_bases: Vec<String> = plans
        .iter()
        .flat_map(|p| {
            let plan: toml::Value =
                toml::from_str(&std::fs::read_to_string(p).expect("plan")).expect("TOML");
            plan.get("offerings")
                .and_then(|o| o.as_array().cloned())
                .unwrap_or_default()
                .into_iter()
                .filter_map(|o| {
                    o.get("api_base")
                        .and_then(|b| b.as_str())
                        .map(str::to_owned)
                })
        })
        .collect();
    for (at, _) in html.match_indices("http") {
        let rest = &html[at..];
        assert!(
            sources.iter().any(|u| rest.starts_with(u))
                || api_bases.iter().any(|u| rest.starts_with(u.as_str())),
            "{}",
            &rest[..60.min(rest.len())]
        );
    }
    for banned in ["<script", "<link", "<img", "<iframe", "@import", "url("] {
        assert!(!html.contains(banned), "{banned}");
    }
}

#[test]
fn the_comparison_charts_are_written() {
    let home = tempfile::tempdir().expect("home");
    let plans = three_plans(home.path());
    for (kind, file) in [
        ("compare-sla", "sla.svg"),
        ("compare-latency", "latency.png"),
        ("compare-cost", "cost.svg"),
        ("compare-frontier", "frontier.svg"),
    ] {
        let out = home.path().join(file);
        let mut args = vec!["chart", kind];
        args.extend(strs(&plans[..2]));
        args.extend([
            "--samples",
            "20000",
            "--months",
            "300",
            "--out",
            out.to_str().expect("utf-8"),
        ]);
        stdout_of(home.path(), &args);
        let bytes = std::fs::read(&out).expect("written");
        if file.ends_with(".svg") {
            let svg = String::from_utf8(bytes).expect("utf-8");
            // plotters writes each text on a line of its own.
            assert!(
                svg.contains("\ntoday\n") && svg.contains("\nsturdier\n"),
                "{kind}"
            );
        } else {
            assert!(bytes.starts_with(b"\x89PNG"));
        }
    }
}

#[test]
fn bad_comparisons_are_refused_with_a_reason() {
    let home = tempfile::tempdir().expect("home");
    let plans = three_plans(home.path());
    let refused = |args: &[&str]| {
        let out = switchyard(home.path()).args(args).output().expect("runs");
        assert!(!out.status.success(), "{args:?}");
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    let p = strs(&plans);
    let err = refused(&["compare", p[0], p[1], "--baseline", "3"]);
    assert!(
        err.contains("the baseline is portfolio 3 (counting from 1), but there are only 2"),
        "{err}"
    );
    let err = refused(&["compare", p[0]]);
    assert!(
        err.contains("2 values required") || err.contains("at least 2"),
        "{err}"
    );
    let err = refused(&["chart", "latency", p[0], p[1], "--out", "x.svg"]);
    assert!(err.contains("chart latency takes one plan, not 2"), "{err}");
    let err = refused(&["chart", "compare-sla", p[0], "--out", "x.svg"]);
    assert!(
        err.contains("a compare chart takes two to six plans, not 1"),
        "{err}"
    );
    let err = refused(&["compare", p[0], "/nonexistent/plan.toml"]);
    assert!(err.contains("/nonexistent/plan.toml"), "{err}");
    let err = refused(&["compare", p[0], p[1], "--target", "1.5"]);
    assert!(err.contains("--target"), "{err}");
}
