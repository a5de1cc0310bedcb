//! Interop verification: each scenario plan of `tests/interop/scenarios.toml`,
//! exported with `switchyard export`, run on the real LiteLLM proxy and Portkey
//! gateway against fake providers that fail as the plan says, and compared
//! with `switchyard evaluate --as <gateway>`. Observed success and served
//! shares must fall in the prediction's exact 99% binomial interval.
//!
//! The gateway test is `#[ignore]`d (it needs `tests/interop/setup.sh` and
//! takes minutes); `make test-interop` runs it. Filters for a quicker loop:
//! `SWITCHYARD_INTEROP_GATEWAYS=portkey`, `SWITCHYARD_INTEROP_SCENARIOS=a,b`.
//! `SWITCHYARD_INTEROP_UPDATE_DOCS=1` also writes the table into README.md and
//! docs/INTEROP.md. The report is `target/interop-report.md`; each run's
//! files (rewritten plan, export, gateway log, one line per request) are in
//! `target/interop/runs/<scenario>-<gateway>/`.

mod fakes;
mod gateway;
mod load;
mod process;
mod report;
mod run;
mod scenario;
mod stats;
mod streams;
mod windows;

use std::time::Instant;

use scenario::GatewayKind;

/// A comma-separated filter from the environment; `None` lets everything through.
fn filter(var: &str) -> Option<Vec<String>> {
    std::env::var(var)
        .ok()
        .filter(|v| !v.trim().is_empty())
        .map(|v| {
            v.split(',')
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty())
                .collect()
        })
}

/// The gateways `SWITCHYARD_INTEROP_GATEWAYS` lets through (all without it).
fn gateways() -> Vec<GatewayKind> {
    match filter("SWITCHYARD_INTEROP_GATEWAYS") {
        Some(names) => GatewayKind::ALL
            .into_iter()
            .filter(|g| names.iter().any(|n| n == g.name()))
            .collect(),
        None => GatewayKind::ALL.to_vec(),
    }
}

#[test]
#[ignore = "runs the real gateways for minutes: `make test-interop`"]
fn exported_configs_behave_on_the_real_gateways_as_predicted() {
    let root = switchyard_e2e::repo_root();
    let scenarios = scenario::load(&root.join("tests/interop/scenarios.toml"))
        .unwrap_or_else(|e| panic!("{e}"));
    let gateways = gateways();
    assert!(
        !gateways.is_empty(),
        "SWITCHYARD_INTEROP_GATEWAYS names no gateway"
    );
    for &g in &gateways {
        gateway::check_installed(&root, g).unwrap_or_else(|e| panic!("{e}"));
    }
    let only = filter("SWITCHYARD_INTEROP_SCENARIOS");
    let start = Instant::now();
    let mut results = Vec::new();
    for s in &scenarios.scenario {
        if only.as_ref().is_some_and(|names| !names.contains(&s.name)) {
            continue;
        }
        for &g in &gateways {
            if !s.runs_on(g) {
                continue;
            }
            eprintln!("interop: {} on {} ...", s.name, g.name());
            let r = run::run(&root, s, g, &scenarios.run);
            eprintln!(
                "interop: {} on {}: {} in {:.0} s",
                s.name,
                g.name(),
                if r.passed() { "pass" } else { "FAIL" },
                r.wall.as_secs_f64()
            );
            results.push(r);
        }
    }
    assert!(!results.is_empty(), "no scenario matched the filters");
    let total = start.elapsed();
    let report = report::document(&results, &scenarios, total);
    let path = root.join("target/interop-report.md");
    std::fs::create_dir_all(root.join("target")).expect("target/");
    std::fs::write(&path, &report).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    eprintln!("interop: report in {}", path.display());
    if std::env::var("SWITCHYARD_INTEROP_UPDATE_DOCS").as_deref() == Ok("1") {
        let table = report::table(&results, &scenarios, total);
        for doc in ["README.md", "docs/INTEROP.md"] {
            report::splice(&root.join(doc), &table).unwrap_or_else(|e| panic!("{e}"));
        }
    }
    let failed: Vec<String> = results
        .iter()
        .filter(|r| !r.passed())
        .map(|r| {
            let why = r.error.clone().unwrap_or_else(|| {
                let bad: Vec<String> = r
                    .figures
                    .iter()
                    .filter(|f| !f.check.pass)
                    .map(|f| {
                        format!(
                            "{}: predicted {:.4}, observed {}/{} outside [{:.4}, {:.4}]",
                            f.name,
                            f.check.predicted,
                            f.check.observed,
                            f.check.trials,
                            f.check.interval.0,
                            f.check.interval.1
                        )
                    })
                    .collect();
                let mut why = bad.join("; ");
                if r.wrong_requests > 0 {
                    why.push_str(&format!(
                        "; {} upstream requests in the wrong dialect, untagged or refused with a 4xx",
                        r.wrong_requests
                    ));
                }
                if r.header_mismatches > 0 {
                    why.push_str(&format!(
                        "; {} served-by headers disagree with the fakes",
                        r.header_mismatches
                    ));
                }
                why
            });
            format!("{} on {}: {why}", r.scenario, r.gateway.name())
        })
        .collect();
    assert!(
        failed.is_empty(),
        "{} of {} runs failed (report: {}):\n{}",
        failed.len(),
        results.len(),
        path.display(),
        failed.join("\n")
    );
}

/// Streams cut or stalled mid-way through each gateway: what the application
/// gets must be what `streams::EXPECTED` (and docs/INTEROP.md) says.
#[test]
#[ignore = "runs the real gateways: `make test-interop`"]
fn cut_and_stalled_streams_get_what_the_docs_say_on_the_real_gateways() {
    let root = switchyard_e2e::repo_root();
    let gateways = gateways();
    for &g in &gateways {
        gateway::check_installed(&root, g).unwrap_or_else(|e| panic!("{e}"));
    }
    let runs: Vec<streams::StreamRun> = gateways
        .iter()
        .map(|&g| {
            eprintln!("interop: streams on {} ...", g.name());
            streams::run(&root, g)
        })
        .collect();
    let table = streams::table(&runs);
    let path = root.join("target/interop-streams.md");
    std::fs::create_dir_all(root.join("target")).expect("target/");
    std::fs::write(&path, &table).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    eprintln!("interop: streams table in {}\n{table}", path.display());
    if std::env::var("SWITCHYARD_INTEROP_UPDATE_DOCS").as_deref() == Ok("1") {
        report::splice_between(
            &root.join("docs/INTEROP.md"),
            streams::BEGIN,
            streams::END,
            &table,
        )
        .unwrap_or_else(|e| panic!("{e}"));
    }
    let wrong = streams::mismatches(&runs);
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
