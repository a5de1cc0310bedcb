//! Every plan of the hostile-input corpus (`tests/corpus/plans/`, one small
//! file per case of issue 13) goes through parse → resolve → evaluate (small
//! sample counts) → report, and the search and TCO when the plan has them. Each
//! must end with a result or a clean error: no panic, no control character in
//! the message. Files named `ok-*` must give a result; the others must be
//! refused. A fuzz harness starts from the same files.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use switchyard::app::{SearchOptions, search};
use switchyard::limits;
use switchyard::model::{EvaluateOptions, Progress, evaluate};
use switchyard::plan::{self, NoCatalog, PlanError, plan_tco};
use switchyard::report;

fn corpus() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/plans");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files
}

/// The whole pipeline on one file: `Ok` with the text printed, or the error.
fn run(path: &Path) -> Result<String, String> {
    let file = path.display().to_string();
    let plan = plan::load(path).map_err(|e| e.to_string())?;
    let mut out = String::new();
    if plan.search.is_some() {
        let options = SearchOptions {
            samples: 500,
            ..SearchOptions::default()
        };
        let run = search::run(plan.clone(), None, &options, &file, &Progress::new())
            .map_err(|e| e.to_string())?;
        out.push_str(&format!("{} frontier points\n", run.frontier.points.len()));
        if plan.routes.is_empty() {
            return Ok(out);
        }
    }
    let resolved = plan::resolve(&plan, &NoCatalog).map_err(|problems| {
        PlanError::Invalid {
            file: file.clone(),
            problems,
        }
        .to_string()
    })?;
    let options = EvaluateOptions {
        samples: 2_000,
        periods: 50,
        ..EvaluateOptions::default()
    };
    let evaluated = evaluate(&resolved.portfolio, &options);
    serde_json::to_string(&evaluated).map_err(|e| e.to_string())?;
    out.push_str(&report::render(&file, &resolved.portfolio, &evaluated));
    if plan.tco.is_some() {
        let tco = plan_tco(&plan, &resolved.portfolio, &file).map_err(|e| e.to_string())?;
        out.push_str(&format!("{:?}\n", tco.report.break_even_month));
    }
    Ok(out)
}

#[test]
fn every_corpus_plan_ends_with_a_result_or_a_clean_error() {
    let files = corpus();
    assert!(files.len() >= 20, "the corpus holds {} files", files.len());
    let mut failures = Vec::new();
    for path in &files {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("?");
        let started = Instant::now();
        let outcome = catch_unwind(AssertUnwindSafe(|| run(path)));
        let took = started.elapsed();
        let expect_ok = name.starts_with("ok-");
        match outcome {
            Err(_) => failures.push(format!("{name}: panicked")),
            Ok(Ok(_)) if !expect_ok => failures.push(format!("{name}: accepted")),
            Ok(Err(e)) if expect_ok => failures.push(format!("{name}: refused: {e}")),
            Ok(Ok(text)) | Ok(Err(text)) => {
                let unsafe_char = |c: char| c != '\n' && limits::is_unsafe_char(c);
                if text.chars().any(unsafe_char) {
                    failures.push(format!(
                        "{name}: prints a control character: {}",
                        limits::escape(&text)
                    ));
                }
                if text.trim().is_empty() {
                    failures.push(format!("{name}: says nothing"));
                }
            }
        }
        // Debug builds on a shared machine: a loose bound that still catches
        // the runaway cases (they took minutes and gigabytes).
        if took > Duration::from_secs(20) {
            failures.push(format!("{name}: took {took:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_hostile_cases_are_refused_for_the_right_reason() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/plans");
    for (name, needle) in [
        (
            "tiny-mttr.toml",
            "offerings[0].mttr_minutes: 1e-10 is out of range",
        ),
        (
            "tiny-group-mttr.toml",
            "groups[0].mttr_minutes: 1e-10 is out of range",
        ),
        (
            "huge-volume.toml",
            "workload.requests_per_month: 1e20 is out of range",
        ),
        (
            "huger-volume.toml",
            "workload.requests_per_month: 1e30 is out of range",
        ),
        (
            "huge-price.toml",
            "offerings[0].input_per_mtok: 1e308 is out of range",
        ),
        (
            "nan-availability.toml",
            "offerings[0].availability: NaN is not a finite number",
        ),
        (
            "inf-timeout.toml",
            "routes[0].steps[0].timeout_ms: inf is not a finite number",
        ),
        (
            "neg-inf-tokens.toml",
            "workload.input_tokens: -inf is not a finite number",
        ),
        (
            "control-char-route-name.toml",
            "routes[0].name: holds the control character U+001B",
        ),
        (
            "control-char-route-name.json",
            "routes[0].name: holds the control character U+001B",
        ),
        (
            "bidi-offering-id.toml",
            "offerings[0].id: holds the control character U+202E",
        ),
        (
            "control-char-unknown-field.toml",
            "unknown field `x\\u{1b}]0;title\\u{7}`",
        ),
        (
            "long-names.toml",
            "routes[0].name: is 35000 characters long; at most 256",
        ),
        (
            "huge-search.toml",
            "search: 10 candidates × 3 attempts × 40 timeouts = 1,200 step options; at most 1,000",
        ),
        (
            "too-many-steps.toml",
            "routes[0].steps: has 50 entries; at most 10",
        ),
        (
            "tco-growth-overflow.toml",
            "tco.monthly_growth: grows workload.requests_per_month to",
        ),
        ("not-utf8.toml", "not UTF-8"),
    ] {
        let err = run(&dir.join(name)).expect_err(name);
        assert!(
            err.contains(needle),
            "{name}: expected {needle:?} in\n{err}"
        );
    }
}
