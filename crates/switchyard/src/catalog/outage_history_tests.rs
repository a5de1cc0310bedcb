use super::*;
use crate::catalog::testkit::{dump, open, temp_db};
use crate::history::icpe::{PAPER_PARTIAL_WEIGHT, parse_daily};
use crate::history::outage_log::parse_outage_log;
use crate::plan::OfferingSource;

/// A log of one 90-minute outage a month for a year, in group `self-hosted`.
fn year_log() -> String {
    let mut text = String::from("start,end,group,weight\n");
    for month in 1..=12 {
        text.push_str(&format!(
            "2025-{month:02}-10T08:00:00Z,2025-{month:02}-10T09:30:00Z,self-hosted,1\n"
        ));
    }
    text
}

fn import_of(group: &str, log: &str) -> HistoryImport {
    HistoryImport {
        group: group.to_owned(),
        history: parse_outage_log(log, "log.csv", "self-hosted", "2025-01-01", "2025-12-31")
            .expect("reads"),
    }
}

#[test]
fn an_import_is_stored_and_a_repeat_changes_nothing() {
    let (_dir, path) = temp_db();
    let mut catalog = open(&path, true);
    let first = catalog
        .import_history(
            "log.csv",
            RecordFormat::Csv,
            &[import_of("groq-platform", &year_log())],
        )
        .expect("imports");
    let g = &first.groups[0];
    assert_eq!((g.days, g.outage_days, g.changed_days), (365, 12, 365));
    assert_eq!(
        (g.first_day.as_str(), g.last_day.as_str()),
        ("2025-01-01", "2025-12-31")
    );
    let before = dump(&catalog.conn);
    let again = catalog
        .import_history(
            "log.csv",
            RecordFormat::Csv,
            &[import_of("groq-platform", &year_log())],
        )
        .expect("imports again");
    assert_eq!(again.groups[0].changed_days, 0);
    assert_eq!(
        dump(&catalog.conn),
        before,
        "a repeated import wrote something"
    );
}

#[test]
fn an_unknown_group_refuses_the_whole_import() {
    let (_dir, path) = temp_db();
    let mut catalog = open(&path, true);
    let before = dump(&catalog.conn);
    let e = catalog
        .import_history(
            "log.csv",
            RecordFormat::Csv,
            &[
                import_of("groq-platform", &year_log()),
                import_of("nowhere", &year_log()),
            ],
        )
        .expect_err("refused");
    let text = e.to_string();
    assert!(
        text.starts_with("unknown group `nowhere`; the catalog's groups are: "),
        "{text}"
    );
    assert!(text.contains("openai-platform"), "{text}");
    assert_eq!(dump(&catalog.conn), before, "the first group was written");
}

#[test]
fn a_plan_sees_the_fitted_process_of_an_imported_group() {
    let (_dir, path) = temp_db();
    let mut catalog = open(&path, true);
    let constant = catalog.group("groq-platform").expect("a group");
    assert!(constant.outage_process.is_none());
    assert_eq!(constant.availability, Some(0.997));
    catalog
        .import_history(
            "log.csv",
            RecordFormat::Csv,
            &[import_of("groq-platform", &year_log())],
        )
        .expect("imports");
    let fitted = catalog.group("groq-platform").expect("a group");
    let process = fitted.outage_process.expect("fitted").process();
    // One outage day in every month, scaled to a 30-day month, each of 90
    // minutes.
    let by_hand = (1..=12)
        .map(|m| 30.0 / f64::from(crate::utc::days_in_month(2025, m)))
        .sum::<f64>()
        / 12.0;
    assert!(
        (process.events_per_month - by_hand).abs() < 1e-9,
        "{process:?}"
    );
    assert!((process.log_mu - 90f64.ln()).abs() < 1e-9);
    assert_eq!(process.log_sigma, 0.0);
    assert_eq!(fitted.availability, None);
    let history = catalog
        .group_history("groq-platform")
        .expect("reads")
        .expect("stored");
    assert_eq!(history.files, vec!["log.csv".to_owned()]);
    assert_eq!(history.fit.expect("fits").fit.source.months, 12);
}

#[test]
fn a_short_history_leaves_the_constant_rate_figures() {
    let (_dir, path) = temp_db();
    let mut catalog = open(&path, true);
    let log = "start,end,group,weight\n2025-01-10T08:00:00Z,2025-01-10T09:00:00Z,self-hosted,1\n";
    let short = HistoryImport {
        group: "groq-platform".to_owned(),
        history: parse_outage_log(log, "log.csv", "self-hosted", "2025-01-01", "2025-03-31")
            .expect("reads"),
    };
    catalog
        .import_history("log.csv", RecordFormat::Csv, &[short])
        .expect("imports");
    assert!(
        catalog
            .group("groq-platform")
            .expect("a group")
            .outage_process
            .is_none()
    );
    let history = catalog
        .group_history("groq-platform")
        .expect("reads")
        .expect("stored");
    assert!(history.fit.is_none());
    let why = history.fit_error.expect("too short");
    assert!(why.contains("at least 6"), "{why}");
}

#[test]
fn the_default_catalog_fits_openai_from_the_icpe_api_record() {
    let (_dir, path) = temp_db();
    let catalog = open(&path, true);
    let stored = catalog
        .group_fit("openai-platform")
        .expect("reads")
        .expect("fitted");
    let text = include_str!("../../../../fixtures/icpe2025/outage_daily_openai.csv");
    let direct = crate::history::fit::fit(
        &parse_daily(text, "outage_daily_openai.csv", "api", PAPER_PARTIAL_WEIGHT).expect("reads"),
    )
    .expect("fits");
    assert_eq!(stored.process, direct.process);
    assert_eq!(stored.source.months, 42);
    // Every OpenAI offering is at most its group's fitted mean.
    let spec = catalog.group("openai-platform").expect("a group");
    let mean = spec
        .outage_process
        .expect("fitted")
        .process()
        .mean_availability();
    let gpt = catalog.offering("openai/gpt-5.5").expect("an offering");
    assert!(gpt.availability.expect("set") <= mean, "{mean}");
}

#[test]
fn a_catalog_made_before_histories_gets_them_on_migration() {
    let (_dir, path) = temp_db();
    {
        let mut conn = rusqlite::Connection::open(&path).expect("opens");
        crate::catalog::migrate::migrate_to(&mut conn, "old", 3, |tx, _| {
            crate::catalog::seed::seed(tx, "old").map(|_| ())
        })
        .expect("an old catalog");
    }
    let catalog = open(&path, true);
    assert!(
        catalog
            .group_fit("openai-platform")
            .expect("reads")
            .is_some()
    );
}
