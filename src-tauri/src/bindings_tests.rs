//! The TypeScript types of `ui/src/bindings/` are generated from the Rust types
//! here. This test regenerates them into a temporary directory and fails when
//! the committed files differ; `UPDATE_BINDINGS=1 cargo test -p switchyard-app
//! bindings` writes them.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use ts_rs::{Config, TS};

use crate::commands::{analysis, catalog, compare, export, plan, probes, refresh, search, tco};
use crate::error::AppError;
use crate::jobs::{JobProgress, PlanReport};

fn export_all(dir: &Path) {
    let cfg = Config::new().with_large_int("number").with_out_dir(dir);
    let results = [
        AppError::export_all(&cfg),
        JobProgress::export_all(&cfg),
        PlanReport::export_all(&cfg),
        plan::PlanDocument::export_all(&cfg),
        switchyard::app::PlanView::export_all(&cfg),
        switchyard::plan::Format::export_all(&cfg),
        switchyard::app::Defaults::export_all(&cfg),
        switchyard::app::charts::PlanChart::export_all(&cfg),
        switchyard::app::charts::ChartView::export_all(&cfg),
        switchyard::model::Report::export_all(&cfg),
        tco::TcoView::export_all(&cfg),
        switchyard::app::catalog_rows::CatalogRow::export_all(&cfg),
        catalog::FigureSource::export_all(&cfg),
        switchyard::catalog::ImportReport::export_all(&cfg),
        refresh::RefreshCheck::export_all(&cfg),
        switchyard::catalog::outage_history::GroupHistory::export_all(&cfg),
        switchyard::catalog::outage_history::HistoryImportReport::export_all(&cfg),
        switchyard::app::history::HistoryImportOptions::export_all(&cfg),
        switchyard::app::usage::UsageImportRequest::export_all(&cfg),
        switchyard::catalog::usage_store::UsageImportReport::export_all(&cfg),
        switchyard::app::usage_workload::WorkloadRequest::export_all(&cfg),
        switchyard::app::usage_workload::UsageWorkload::export_all(&cfg),
        switchyard::app::usage::UsageCostRequest::export_all(&cfg),
        switchyard::app::usage::PostgresImportRequest::export_all(&cfg),
        switchyard::usage::replay::CostReport::export_all(&cfg),
        switchyard::export::Format::export_all(&cfg),
        search::SearchView::export_all(&cfg),
        compare::ComparisonView::export_all(&cfg),
        switchyard::app::compare::Pinned::export_all(&cfg),
        switchyard::app::CompareOptions::export_all(&cfg),
        switchyard::chart::FrontierPoint::export_all(&cfg),
        export::ExportView::export_all(&cfg),
        probes::ProbeEvent::export_all(&cfg),
        probes::ProbeRun::export_all(&cfg),
    ];
    for r in results {
        r.expect("bindings export");
    }
}

fn files(dir: &Path) -> BTreeMap<PathBuf, String> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).expect("readable dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "ts") {
                let rel = path.strip_prefix(dir).expect("inside").to_owned();
                out.insert(rel, std::fs::read_to_string(&path).expect("text"));
            }
        }
    }
    out
}

#[test]
fn bindings_are_up_to_date() {
    let committed = Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui/src/bindings");
    if std::env::var_os("UPDATE_BINDINGS").is_some() {
        let _ = std::fs::remove_dir_all(&committed);
        export_all(&committed);
        return;
    }
    let fresh = tempfile::tempdir().expect("temp dir");
    export_all(fresh.path());
    let fresh = files(fresh.path());
    let old = if committed.is_dir() {
        files(&committed)
    } else {
        BTreeMap::new()
    };
    let stale: Vec<String> = fresh
        .keys()
        .chain(old.keys())
        .filter(|k| fresh.get(*k) != old.get(*k))
        .map(|k| k.display().to_string())
        .collect();
    assert!(
        stale.is_empty(),
        "ui/src/bindings is stale ({}); run `UPDATE_BINDINGS=1 cargo test -p switchyard-app bindings` and commit",
        stale.join(", ")
    );
}

/// The browser test (`ui/tests/browser`) answers the UI's commands with these
/// results of the real commands on the example plan, so its mocked IPC speaks
/// exactly what the shell speaks. Stale fixtures fail like stale bindings.
fn browser_fixtures() -> String {
    use switchyard::app::charts::{self, PlanChart};
    use switchyard::app::{ChartOptions, Defaults, SearchOptions, SimOptions};
    use switchyard::chart::Chart;
    use switchyard::model::Progress;

    let dir = tempfile::tempdir().expect("temp dir");
    let state = crate::state::AppState::new(dir.path().join("catalog.db"));
    let doc = plan::example().expect("example");
    let evaluation = switchyard::app::evaluation(state.resolve(&doc.plan).expect("resolves"));
    let p = &evaluation.portfolio;
    let sim = SimOptions {
        samples: 50_000,
        months: 2_000,
        ..SimOptions::default()
    };
    let report = evaluation.simulate(&sim, &Progress::new()).expect("runs");
    let chart_options = ChartOptions {
        samples: 50_000,
        months: 2_000,
        ..ChartOptions::default()
    };
    // The example's groups with an outage record in the embedded catalog
    // (openai-platform) are drawn beside the exceedance curve, as the app does.
    let history = switchyard::app::history::group_curves(
        Some(state.catalog().expect("catalog").get()),
        p,
        chart_options.period,
    )
    .expect("reads");
    let chart = |kind| {
        let chart = charts::plan_chart(
            kind,
            p,
            evaluation.view.target,
            &history,
            &chart_options,
            &Progress::new(),
        )
        .expect("draws");
        analysis::view(&chart).expect("renders")
    };
    let tco = switchyard::plan::plan_tco(&doc.plan, p, crate::state::UNSAVED).expect("tco");
    let rows = switchyard::app::catalog_rows::rows(state.catalog().expect("catalog").get())
        .expect("lists");
    let sources =
        catalog::sources(state.catalog().expect("catalog").get(), &rows[0].id).expect("sources");
    let mut searched = doc.plan.clone();
    searched.search = Some(switchyard::plan::SearchSpec {
        candidates: Some(vec![
            "anthropic/claude-sonnet".to_owned(),
            "deepseek/deepseek-chat".to_owned(),
        ]),
        ..Default::default()
    });
    let search_options = SearchOptions {
        samples: 2_000,
        ..SearchOptions::default()
    };
    let search_run = switchyard::app::search::run(
        searched,
        None,
        &search_options,
        crate::state::UNSAVED,
        &Progress::new(),
    )
    .expect("searches");
    // The same search with p95 as a third objective: its frontier is at the
    // default resolution, which the page says.
    let mut searched_p95 = search_run.plan.clone();
    if let Some(s) = searched_p95.search.as_mut() {
        s.objectives = Some(vec!["cost".into(), "availability".into(), "p95".into()]);
    }
    let search_p95 = switchyard::app::search::run(
        searched_p95,
        None,
        &search_options,
        crate::state::UNSAVED,
        &Progress::new(),
    )
    .expect("searches");
    let json = serde_json::json!({
        "app_defaults": Defaults::default(),
        "example_plan": doc,
        "plan_edit": evaluation.view,
        "plan_report": report,
        "charts": {
            "latency": chart(PlanChart::Latency),
            "cost": chart(PlanChart::Cost),
            "sla": chart(PlanChart::Sla),
            "exceedance": chart(PlanChart::Exceedance),
            "probes": analysis::view(&Chart::Probes(probes_fixture(&rows[0].id))).expect("chart"),
        },
        "tco_of_plan": tco::TcoView {
            chart: analysis::view(&charts::tco(&tco)).expect("chart"),
            tco,
        },
        "catalog_list": rows,
        "catalog_offering": sources,
        "history_list": switchyard::app::history::group_histories(state.catalog().expect("catalog").get()).expect("lists"),
        "search_plan": search::search_view(&search_run).expect("views"),
        "search_plan_p95": search::search_view(&search_p95).expect("views"),
        "compare_plans": compare_fixture(&doc.plan, dir.path()),
        "peak_traffic": peak_traffic_fixture(&state),
        "export_preview": export::preview(&state, &doc.plan, switchyard::export::Format::Litellm, &NoKeys).expect("exports"),
        "catalog_refresh_check": refresh_fixture(),
        "usage": usage_fixture(&state, dir.path(), &doc.plan),
    });
    serde_json::to_string_pretty(&json).expect("encodes") + "\n"
}

/// A synthetic LiteLLM spend log (20,000 requests, one a second) imported
/// into the fixtures' catalog, as `usage_import` answers, and the workload
/// `usage_workload` measures of it, and what `usage_cost` prices it at on
/// the example plan and at the catalog's prices.
fn usage_fixture(
    state: &crate::state::AppState,
    dir: &Path,
    plan: &switchyard::plan::PlanFile,
) -> serde_json::Value {
    use switchyard::app::usage::{UsageImportRequest, import_usage};
    use switchyard::app::usage_workload::{WorkloadRequest, workload};
    use switchyard::usage::UsageFormat;

    let log = dir.join("spend.csv");
    let mut file = std::fs::File::create(&log).expect("creates the log");
    switchyard::usage::synthetic::write_spend_log(&mut file, 20_000, 1).expect("writes the log");
    let request = UsageImportRequest {
        format: UsageFormat::LitellmSpend,
        skip_bad: false,
        replace: false,
    };
    let mut catalog = state.open_connection().expect("opens");
    let mut report = import_usage(&mut catalog, &log, &(&request).into(), &mut |_, _| {
        std::ops::ControlFlow::Continue(())
    })
    .expect("imports");
    // Where the test machine kept the log, and when: not the fixture's business.
    report.import.file = "spend.csv".to_owned();
    report.import.imported_at = "2026-12-04T12:00:00.000Z".to_owned();
    let measured = workload(
        state.catalog().expect("catalog").get(),
        &WorkloadRequest::default().options().expect("options"),
    )
    .expect("measures");
    let request = switchyard::app::usage::UsageCostRequest::default();
    let mut on_plan =
        crate::commands::usage::cost(state, Some(plan), &request).expect("prices on the plan");
    let mut at_catalog =
        crate::commands::usage::cost(state, None, &request).expect("prices at the catalog");
    for cost in [&mut on_plan, &mut at_catalog] {
        for import in cost.stored.iter_mut().flat_map(|s| s.imports.iter_mut()) {
            import.file = "spend.csv".to_owned();
        }
    }
    serde_json::json!({
        "import": report,
        "workload": measured,
        "cost_on_plan": on_plan,
        "cost_at_catalog": at_catalog,
    })
}

/// `examples/peak-traffic.toml` (rate limits and a day's traffic shape) as
/// the Plan page gets it: the document `open_plan` answers, and the view
/// `plan_edit` answers and the capacity chart `plan_chart` draws, as the plan
/// is and with Claude's `rpm_limit` cut to 200 (then it binds), keyed by
/// that limit. The browser test checks the page against `switchyard
/// evaluate --json` of the same plans.
fn peak_traffic_fixture(state: &crate::state::AppState) -> serde_json::Value {
    use switchyard::app::ChartOptions;
    use switchyard::app::charts::{self, PlanChart};
    use switchyard::model::Progress;

    const FILE: &str = "peak-traffic.toml";
    let text = include_str!("../../examples/peak-traffic.toml");
    let original =
        switchyard::plan::parse(text, switchyard::plan::Format::Toml, FILE).expect("parses");
    let mut views = serde_json::Map::new();
    let mut charts = serde_json::Map::new();
    for rpm_limit in [1000.0, 200.0] {
        let mut p = original.clone();
        p.offerings[0].rpm_limit = Some(rpm_limit);
        let evaluation = switchyard::app::evaluation(state.resolve(&p).expect("resolves"));
        let chart = charts::plan_chart(
            PlanChart::Capacity,
            &evaluation.portfolio,
            evaluation.view.target,
            &[],
            &ChartOptions::default(),
            &Progress::new(),
        )
        .expect("draws");
        let key = format!("{rpm_limit}");
        views.insert(key.clone(), serde_json::json!(evaluation.view));
        charts.insert(
            key,
            serde_json::json!(analysis::view(&chart).expect("renders")),
        );
    }
    serde_json::json!({
        "doc": plan::PlanDocument {
            path: Some(format!("examples/{FILE}")),
            name: FILE.to_owned(),
            plan: original,
        },
        "views": views,
        "charts": charts,
    })
}

/// Three portfolios of the example: as it is, with one attempt on Claude,
/// and with three on DeepSeek, compared at small sample counts.
fn compare_fixture(example: &switchyard::plan::PlanFile, dir: &Path) -> compare::ComparisonView {
    use switchyard::app::compare::Pinned;
    use switchyard::app::{CompareOptions, SimOptions};
    let variant = |route_step: usize, attempts: u32| {
        let mut plan = example.clone();
        plan.routes[0].steps[route_step].attempts = Some(attempts);
        plan
    };
    let pinned = [
        ("today", example.clone()),
        ("one Claude attempt", variant(0, 1)),
        ("three DeepSeek attempts", variant(1, 3)),
    ]
    .map(|(label, plan)| Pinned {
        label: label.to_owned(),
        file: None,
        plan,
    });
    let options = CompareOptions {
        sim: SimOptions {
            samples: 20_000,
            months: 500,
            ..SimOptions::default()
        },
        ..CompareOptions::default()
    };
    compare::comparison_view(
        &pinned,
        &options,
        &[],
        &dir.join("catalog.db"),
        &switchyard::model::Progress::new(),
    )
    .expect("compares")
}

/// A price check as the Catalog page shows it, made by the engine's own
/// refresh from two versions of a small LiteLLM list (entries of the repo's
/// fixture; no network): the first written, the second checked against it,
/// with a price up 10%, a price down, an offering added and one dropped.
fn refresh_fixture() -> refresh::RefreshCheck {
    use std::time::Duration;
    use switchyard::app::RefreshOptions;
    use switchyard::app::refresh as engine;
    use switchyard::catalog::{Catalog, Fetched, RefreshFormat};

    let text = std::fs::read_to_string(switchyard_e2e::LITELLM_FIXTURE).expect("the fixture");
    let full: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(&text).expect("a map");
    let list = |keys: &[&str], edit: &dyn Fn(&mut serde_json::Map<String, serde_json::Value>)| {
        let mut map: serde_json::Map<String, serde_json::Value> = keys
            .iter()
            .map(|k| ((*k).to_owned(), full[*k].clone()))
            .collect();
        edit(&mut map);
        Fetched {
            url: RefreshFormat::Litellm.default_url().to_owned(),
            body: serde_json::to_vec(&map).expect("encodes"),
            content_type: Some("text/plain; charset=utf-8".to_owned()),
            retrieved_at: "2026-12-05T09:30:00.000Z".to_owned(),
            elapsed: Duration::from_millis(420),
        }
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let mut catalog = Catalog::open(&dir.path().join("catalog.db")).expect("opens");
    let options = RefreshOptions::default();
    let go = &mut |_: usize, _: usize| std::ops::ControlFlow::Continue(());
    let first = list(&["gpt-4o", "gpt-4o-mini", "gpt-4.1"], &|_| {});
    let planned = engine::check(&mut catalog, &first, &options, go).expect("checks");
    engine::write(&mut catalog, &planned, go).expect("writes");
    let second = list(&["gpt-4o", "gpt-4.1", "o3"], &|m| {
        m["gpt-4o"]["input_cost_per_token"] = serde_json::json!(2.75e-6);
        m["gpt-4.1"]["output_cost_per_token"] = serde_json::json!(6e-6);
    });
    let planned = engine::check(&mut catalog, &second, &options, go).expect("checks");
    refresh::RefreshCheck {
        token: "refresh-1".to_owned(),
        preview: planned.preview,
    }
}

/// Twelve probes of `offering` a minute apart, the 4th and 9th failed: what
/// the Probes page draws after a short run (the real run is tested against a
/// fake provider in tests/probes.rs).
fn probes_fixture(offering: &str) -> switchyard::chart::ProbesData {
    use switchyard::chart::{ProbePoint, ProbeSeries, ProbesData};
    let start = 1_767_225_600_000_i64; // 2026-01-01T00:00Z
    let points = (0..12_i32)
        .map(|i| {
            let ok = i != 3 && i != 8;
            ProbePoint {
                at_ms: start + i64::from(i) * 60_000,
                ttft_ms: ok.then(|| 400.0 + f64::from(i % 5) * 55.0),
                ok,
            }
        })
        .collect();
    ProbesData {
        series: vec![ProbeSeries {
            offering: offering.to_owned(),
            points,
        }],
    }
}

/// No key variable set, whatever the environment of the test run.
struct NoKeys;

impl switchyard::export::lint::Env for NoKeys {
    fn is_set(&self, _name: &str) -> bool {
        false
    }
}

#[test]
fn browser_fixtures_are_up_to_date() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui/tests/browser/fixtures.json");
    let fresh = browser_fixtures();
    if std::env::var_os("UPDATE_BINDINGS").is_some() {
        std::fs::write(&path, fresh).expect("writes the fixtures");
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == fresh,
        "ui/tests/browser/fixtures.json is stale; run `UPDATE_BINDINGS=1 cargo test -p switchyard-app bindings` and commit"
    );
}
