//! `switchyard history` end to end on the ICPE 2025 OpenAI record
//! (fixtures/icpe2025): the fitted process of the API meets the backtest
//! targets of issue 15 (largest gap at most 0.08 over the monthly thresholds,
//! 0.01 over the daily ones), the JSON has its documented shape, and a bad
//! record is refused with its file, line and field.

use std::path::Path;

use switchyard_e2e::{stdout_of, switchyard};

const DAILY: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../fixtures/icpe2025/outage_daily_openai.csv"
);

fn json(home: &Path, args: &[&str]) -> serde_json::Value {
    serde_json::from_str(&stdout_of(home, args)).expect("JSON")
}

/// `history fit FILE ARGS`, FILE holding `text`, must fail saying `want`.
fn assert_refused(text: &str, args: &[&str], want: &str) {
    let home = tempfile::tempdir().expect("home");
    let file = home.path().join("bad.csv");
    std::fs::write(&file, text).expect("writes");
    let out = switchyard(home.path())
        .args(["history", "fit"])
        .arg(&file)
        .args(args)
        .output()
        .expect("runs");
    assert!(!out.status.success(), "{args:?} succeeded");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains(want), "{stderr}");
}

/// `history fit FILE ARGS --json` of a record file.
fn fit_json(home: &Path, file: &Path, args: &[&str]) -> serde_json::Value {
    let mut all = vec!["history", "fit", file.to_str().expect("utf-8")];
    all.extend_from_slice(args);
    all.push("--json");
    json(home, &all)
}

fn backtest(home: &Path, service: &str, period: &str) -> serde_json::Value {
    json(
        home,
        &[
            "history",
            "backtest",
            DAILY,
            "--format",
            "icpe-daily",
            "--service",
            service,
            "--period",
            period,
            "--json",
        ],
    )
}

#[test]
fn the_api_backtest_meets_its_targets() {
    let home = tempfile::tempdir().expect("home");
    let monthly = backtest(home.path(), "api", "month");
    assert_eq!(monthly["group"], "api");
    assert_eq!(monthly["period"], "month");
    assert_eq!(monthly["periods"], 42);
    let rows = monthly["rows"].as_array().expect("rows");
    let thresholds: Vec<f64> = rows
        .iter()
        .map(|r| r["threshold"].as_f64().expect("number"))
        .collect();
    assert_eq!(
        thresholds,
        [1.0, 0.9999, 0.999, 0.998, 0.995, 0.99, 0.95, 0.9]
    );
    let gap = rows
        .iter()
        .map(|r| (r["history"].as_f64().unwrap_or(0.0) - r["model"].as_f64().unwrap_or(1.0)).abs())
        .fold(0.0, f64::max);
    assert_eq!(monthly["largest_gap"].as_f64(), Some(gap));
    assert!(gap <= 0.08, "monthly gap {gap}");
    let daily = backtest(home.path(), "api", "day");
    let gap = daily["largest_gap"].as_f64().expect("number");
    assert!(gap <= 0.01, "daily gap {gap}");
}

#[test]
fn the_fit_gives_each_parameter_an_interval_and_a_source() {
    let home = tempfile::tempdir().expect("home");
    let fit = json(
        home.path(),
        &[
            "history",
            "fit",
            DAILY,
            "--format",
            "icpe-daily",
            "--service",
            "api",
            "--json",
        ],
    );
    for name in ["events_per_month", "dispersion", "log_mu", "log_sigma"] {
        let e = &fit[name];
        let (v, lo, hi) = (
            e["value"].as_f64().expect("value"),
            e["ci95"][0].as_f64().expect("low"),
            e["ci95"][1].as_f64().expect("high"),
        );
        assert!(lo <= v && v <= hi, "{name}: {e}");
    }
    assert_eq!(fit["source"]["months"], 42);
    assert_eq!(fit["source"]["from"], "2021-03-01");
    assert_eq!(fit["source"]["to"], "2024-08-31");
    let implied = fit["implies"]["mean_availability"]
        .as_f64()
        .expect("number");
    // The paper's mean daily availability of the API is 99.82%.
    assert!((implied - 0.9982).abs() < 0.001, "{implied}");
}

#[test]
fn a_bad_record_is_refused_with_its_line_and_field() {
    let icpe = "Date,Service,partial_outage_minutes,major_outage_minutes\n\
                2024-01-01,api,0,0\n2024-01-02,api,0,-3\n";
    assert_refused(
        icpe,
        &["--format", "icpe-daily", "--service", "api"],
        "bad.csv:3: major_outage_minutes: -3 is not between 0 and 1440",
    );
}

#[test]
fn a_teams_own_outage_log_is_fitted_over_the_days_it_covers() {
    let home = tempfile::tempdir().expect("home");
    let log = home.path().join("outages.csv");
    // Twelve months of 2023, an outage in most of them, two in some.
    let mut text = "start,end,group,weight\n".to_owned();
    for (month, day, minutes, weight) in [
        (1, 3, 25, "1"),
        (1, 17, 90, "0.3"),
        (2, 8, 12, ""),
        (4, 21, 40, "1"),
        (5, 2, 15, "1"),
        (5, 30, 180, "0.3"),
        (7, 11, 33, "1"),
        (8, 19, 9, "1"),
        (9, 5, 61, "1"),
        (11, 24, 20, "1"),
        (12, 1, 75, "0.3"),
    ] {
        text.push_str(&format!(
            "2023-{month:02}-{day:02}T10:00:00Z,2023-{month:02}-{day:02}T{:02}:{:02}:00Z,api,{weight}\n",
            10 + minutes / 60,
            minutes % 60
        ));
    }
    text.push_str("2023-06-01T10:00:00Z,2023-06-01T11:00:00Z,other-group,1\n");
    std::fs::write(&log, &text).expect("writes");
    let year = ["--from", "2023-01-01", "--to", "2023-12-31"];
    let fit = fit_json(
        home.path(),
        &log,
        &[&["--format", "csv", "--service", "api"][..], &year].concat(),
    );
    assert_eq!(fit["source"]["months"], 12);
    assert_eq!(fit["source"]["events"], 11);
    // Outage days per 30-day month: each month's count scaled by 30 over its days.
    let days_in = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    let counts = [2, 1, 0, 1, 2, 0, 1, 1, 1, 0, 1, 1];
    let expected: f64 = counts
        .iter()
        .zip(days_in)
        .map(|(c, d)| f64::from(*c) * 30.0 / f64::from(d))
        .sum::<f64>()
        / 12.0;
    let got = fit["events_per_month"]["value"].as_f64().expect("number");
    assert!((got - expected).abs() < 1e-12, "{got} vs {expected}");

    assert_refused(
        &text,
        &["--format", "csv", "--service", "api"],
        "a csv record needs the days it covers (--from and --to)",
    );
}

#[test]
fn a_status_pages_incidents_are_fitted_by_component() {
    let home = tempfile::tempdir().expect("home");
    let incidents: Vec<serde_json::Value> = (1..=9)
        .map(|month| {
            serde_json::json!({
                "name": format!("Elevated error rates {month}"),
                "impact": if month % 3 == 0 { "minor" } else { "major" },
                "created_at": format!("2024-{month:02}-10T08:00:00.000Z"),
                "resolved_at": format!("2024-{month:02}-10T08:40:00.000Z"),
                "components": [{ "name": if month == 5 { "Chat" } else { "API" } }],
            })
        })
        .collect();
    let file = home.path().join("incidents.json");
    std::fs::write(
        &file,
        serde_json::json!({ "page": { "name": "Example" }, "incidents": incidents }).to_string(),
    )
    .expect("writes");
    let fit = fit_json(
        home.path(),
        &file,
        &[
            "--format",
            "statuspage",
            "--service",
            "API",
            "--from",
            "2024-01-01",
            "--to",
            "2024-12-31",
        ],
    );
    assert_eq!(fit["source"]["service"], "API");
    assert_eq!(fit["source"]["months"], 12);
    assert_eq!(
        fit["source"]["events"], 8,
        "the Chat incident is another component"
    );
    // Major incidents count 40 minutes, minor ones 0.3 × 40 = 12.
    let mu = fit["log_mu"]["value"].as_f64().expect("number");
    let expected = (5.0 * 40f64.ln() + 3.0 * 12f64.ln()) / 8.0;
    assert!((mu - expected).abs() < 1e-12, "{mu} vs {expected}");
}

const INCIDENTS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../fixtures/icpe2025/incidents_openai.csv"
);

/// `history import FILE` of an ICPE incident table over the record's whole
/// months, into catalog `db`, with `extra` arguments.
fn import_incidents(home: &Path, file: &str, db: &str, extra: &[&str]) -> std::process::Output {
    let mut args = vec![
        "history",
        "import",
        file,
        "--format",
        "icpe-incidents",
        "--from",
        "2021-03-01",
        "--to",
        "2024-08-31",
        "--db",
        db,
    ];
    args.extend_from_slice(extra);
    switchyard(home).args(&args).output().expect("runs")
}

#[test]
fn an_import_feeds_its_groups_once_and_refuses_hostile_input_whole() {
    let home = tempfile::tempdir().expect("home");
    let db_path = home.path().join("catalog.sqlite3");
    let db = db_path.to_str().expect("utf-8");
    let components = [
        "--component",
        "API=azure-eastus",
        "--component",
        "ChatGPT=aws-us-east-1",
    ];
    let first = import_incidents(home.path(), INCIDENTS, db, &components);
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let stdout = String::from_utf8_lossy(&first.stdout);
    assert!(stdout.contains("azure-eastus: `API` of"), "{stdout}");
    assert!(stdout.contains("1,280 days written"), "{stdout}");
    let before = switchyard_e2e::dump(&db_path);
    // The same file again: nothing changes, and the report says so.
    let again = import_incidents(home.path(), INCIDENTS, db, &components);
    assert!(String::from_utf8_lossy(&again.stdout).contains("unchanged"));
    assert_eq!(switchyard_e2e::dump(&db_path), before);
    // Hostile: an unknown group after a good one, a bad row, a bad window.
    for (extra, want) in [
        (
            vec![
                "--component",
                "API=azure-eastus",
                "--component",
                "Labs=nowhere",
            ],
            "unknown group `nowhere`",
        ),
        (
            vec![
                "--group",
                "azure-eastus",
                "--service",
                "API",
                "--partial-weight",
                "2",
            ],
            "partial-outage weight: 2 is out of range",
        ),
        (
            vec!["--group", "azure-eastus", "--service", "Sora"],
            "no column for the service `Sora`",
        ),
    ] {
        let out = import_incidents(home.path(), INCIDENTS, db, &extra);
        assert!(!out.status.success(), "{extra:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(want), "{extra:?}: {stderr}");
        assert_eq!(switchyard_e2e::dump(&db_path), before, "{extra:?} wrote");
    }
    let bad = home.path().join("bad.csv");
    let mut text = std::fs::read_to_string(INCIDENTS).expect("reads");
    // A last incident of the API whose start is not a time.
    let columns = text.lines().next().expect("a header").split(',').count();
    let mut row = vec![""; columns];
    let header: Vec<&str> = text.lines().next().expect("a header").split(',').collect();
    let at = |name: &str| header.iter().position(|h| *h == name).expect(name);
    row[at("incident_impact_level")] = "2";
    row[at("API")] = "1";
    row[at("start_timestamp")] = "not a time";
    row[at("close_timestamp")] = "2024-08-01 10:00:00+00:00";
    let row = row.join(",");
    text = format!("{}\n{row}\n", text.trim_end());
    std::fs::write(&bad, text).expect("writes");
    let bad = bad.to_str().expect("utf-8");
    let out = import_incidents(
        home.path(),
        bad,
        db,
        &["--group", "azure-eastus", "--service", "API"],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success()
            && stderr.contains("bad.csv:")
            && stderr.contains("`not a time` is not a time"),
        "{stderr}"
    );
    assert_eq!(switchyard_e2e::dump(&db_path), before, "a bad row wrote");
    // The stored record fits and backtests by group.
    let listed: serde_json::Value = serde_json::from_str(&stdout_of(
        home.path(),
        &["history", "list", "--db", db, "--json"],
    ))
    .expect("JSON");
    let groups: Vec<&str> = listed
        .as_array()
        .expect("a list")
        .iter()
        .filter_map(|g| g["group"].as_str())
        .collect();
    assert_eq!(groups, ["aws-us-east-1", "azure-eastus", "openai-platform"]);
    let backtest = json(
        home.path(),
        &[
            "history",
            "backtest",
            "--group",
            "azure-eastus",
            "--db",
            db,
            "--json",
        ],
    );
    assert_eq!(backtest["periods"], 42);
}

#[test]
fn evaluate_uses_the_fitted_process_of_a_catalog_group() {
    // One OpenAI offering, no per-request errors, a billion requests: a month
    // meets 100% exactly when openai-platform has no outage, which under the
    // fitted process has probability (k / (k + m))^k, about 0.25, and under
    // the constant-rate process of 0.9982 and 35 minutes about 0.11.
    let home = tempfile::tempdir().expect("home");
    let db = home.path().join("catalog.sqlite3");
    let plan = home.path().join("plan.toml");
    std::fs::write(
        &plan,
        r#"
[workload]
requests_per_month = 1e9
input_tokens = 100
output_tokens = 100

[[offerings]]
id = "openai/gpt-5.5"
error_rate = 0

[[routes]]
name = "main"
steps = [{ offering = "openai/gpt-5.5", timeout_ms = 3600000 }]
"#,
    )
    .expect("writes");
    let fit = json(
        home.path(),
        &[
            "history",
            "fit",
            "--group",
            "openai-platform",
            "--db",
            db.to_str().expect("utf-8"),
            "--json",
        ],
    );
    let clean = fit["implies"]["p_clean_month"]
        .as_f64()
        .expect("p_clean_month");
    let report = json(
        home.path(),
        &[
            "evaluate",
            plan.to_str().expect("utf-8"),
            "--db",
            db.to_str().expect("utf-8"),
            "--months",
            "20000",
            "--samples",
            "10000",
            "--json",
        ],
    );
    let exceedance = report["monthly_availability"]["exceedance"]
        .as_array()
        .expect("exceedance");
    let at_one = exceedance
        .iter()
        .find(|e| e["threshold"] == 1.0)
        .and_then(|e| e["p"].as_f64())
        .expect("P(month = 100%)");
    // Binomial standard error at 20,000 months: 0.003.
    assert!((at_one - clean).abs() < 0.015, "{at_one} vs {clean}");
    assert!((clean - 0.2497).abs() < 0.001, "{clean}");
}
