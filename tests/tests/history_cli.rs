//! `switchyard history` end to end on the ICPE 2025 OpenAI record
//! (fixtures/icpe2025): the fitted process of the API meets the backtest
//! targets of issue 15 (largest gap at most 0.08 over the monthly thresholds,
//! 0.01 over the daily ones), the JSON has its documented shape, and a bad
//! record is refused with its file, line and field.

use std::path::Path;

use switchyard_e2e::switchyard;

const DAILY: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../fixtures/icpe2025/outage_daily_openai.csv"
);

fn json(home: &Path, args: &[&str]) -> serde_json::Value {
    let out = switchyard(home)
        .args(args)
        .output()
        .expect("runs switchyard");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON")
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
    assert_eq!(monthly["service"], "api");
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
    let home = tempfile::tempdir().expect("home");
    let file = home.path().join("bad.csv");
    std::fs::write(
        &file,
        "Date,Service,partial_outage_minutes,major_outage_minutes\n2024-01-01,api,0,0\n2024-01-02,api,0,-3\n",
    )
    .expect("writes");
    let out = switchyard(home.path())
        .args(["history", "fit"])
        .arg(&file)
        .args(["--format", "icpe-daily", "--service", "api"])
        .output()
        .expect("runs");
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("bad.csv:3: major_outage_minutes: -3 is not between 0 and 1440"),
        "{stderr}"
    );
}
