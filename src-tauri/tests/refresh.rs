//! The Catalog page's price check through the shell's own functions, against
//! a price-list server on 127.0.0.1: a check writes nothing, its token writes
//! exactly what it showed (no second download), and a discarded, replaced or
//! already written check cannot be written.

use std::time::Duration;

use switchyard::app::RefreshOptions;
use switchyard::catalog::RefreshFormat;
use switchyard_app::commands::refresh::{check, write};
use switchyard_app::jobs::{Events, JobProgress, PlanReport};
use switchyard_app::state::AppState;
use switchyard_e2e::price_server::{PriceServer, Reply};

#[derive(Clone)]
struct Quiet;

impl Events for Quiet {
    fn progress(&self, _progress: JobProgress) {}
    fn plan_report(&self, _report: PlanReport) {}
}

/// An OpenRouter list of `(id, prompt, completion)` prices per token.
fn models(list: &[(&str, &str, &str)]) -> Vec<u8> {
    let data: Vec<serde_json::Value> = list
        .iter()
        .map(|(id, prompt, completion)| {
            serde_json::json!({"id": id, "context_length": 128000,
                "pricing": {"prompt": prompt, "completion": completion}})
        })
        .collect();
    serde_json::to_vec(&serde_json::json!({ "data": data })).unwrap_or_default()
}

fn options() -> RefreshOptions {
    RefreshOptions {
        format: RefreshFormat::Openrouter,
        timeout_s: 10.0,
        ..RefreshOptions::default()
    }
}

fn dump(state: &AppState) -> Vec<String> {
    switchyard_e2e::dump(&state.db_path)
        .into_iter()
        .map(|(table, rows)| format!("{table}: {rows:?}"))
        .collect()
}

#[tokio::test]
async fn a_check_writes_nothing_and_its_token_writes_exactly_it() {
    let dir = tempfile::tempdir().expect("temp dir");
    let state = AppState::new(dir.path().join("catalog.db"));
    let server = PriceServer::start(Reply::json(models(&[
        ("acme/one", "0.000001", "0.000002"),
        ("acme/two", "0.000003", "0.000004"),
    ])));
    let url = server.url("api/v1/models");

    state.catalog().expect("opens and seeds");
    let before = dump(&state);
    let first = check(&Quiet, &state, Some(url.clone()), options(), "check")
        .await
        .expect("checks");
    assert_eq!(dump(&state), before, "a check writes nothing");
    assert_eq!(first.preview.changes, 2);
    assert_eq!(first.preview.url, url);
    let added: Vec<&str> = first
        .preview
        .diff
        .added
        .iter()
        .map(|a| a.id.as_str())
        .collect();
    assert_eq!(added, ["openrouter/acme/one", "openrouter/acme/two"]);

    // The list changes on the server after the check: the write applies
    // what was shown, without downloading again.
    server.set_reply(Reply::json(models(&[("acme/one", "0.000009", "0.000002")])));
    let served = server.requests().len();
    let report = write(&Quiet, &state, &first.token, "write")
        .await
        .expect("writes");
    assert_eq!((report.added, report.changed), (2, 0));
    assert_eq!(server.requests().len(), served, "no second download");
    let e = write(&Quiet, &state, &first.token, "write")
        .await
        .expect_err("written once");
    assert!(e.message.contains("check again"), "{}", e.message);

    // The next check sees the server's new list: a change and a removal.
    let second = check(&Quiet, &state, Some(url.clone()), options(), "check")
        .await
        .expect("checks");
    let changed: Vec<&str> = second
        .preview
        .diff
        .changed
        .iter()
        .map(|c| c.text.as_str())
        .collect();
    assert_eq!(changed, ["1 → 9 (+800.0%)"]);
    assert_eq!(second.preview.diff.removed, ["openrouter/acme/two"]);
    // A newer check replaces it; a discarded one cannot be written.
    let third = check(&Quiet, &state, Some(url.clone()), options(), "check")
        .await
        .expect("checks");
    assert!(write(&Quiet, &state, &second.token, "write").await.is_err());
    assert!(state.take_refresh(&third.token).is_some(), "discarded");
    let e = write(&Quiet, &state, &third.token, "write")
        .await
        .expect_err("discarded");
    assert_eq!(e.code, "catalog");
}

#[tokio::test]
async fn a_failed_download_is_a_network_error_naming_the_url() {
    let dir = tempfile::tempdir().expect("temp dir");
    let state = AppState::new(dir.path().join("catalog.db"));
    let server = PriceServer::start(Reply::Slow(Duration::from_secs(20)));
    let url = server.url("api/v1/models");
    let e = check(
        &Quiet,
        &state,
        Some(url.clone()),
        RefreshOptions {
            timeout_s: 0.3,
            ..options()
        },
        "check",
    )
    .await
    .expect_err("times out");
    assert_eq!(e.code, "network");
    assert_eq!(
        e.message,
        format!("{url}: no complete answer within 0.3 s (the download's timeout)")
    );
    server.set_reply(Reply::html());
    let e = check(&Quiet, &state, Some(url.clone()), options(), "check")
        .await
        .expect_err("html");
    assert_eq!(e.code, "catalog");
    assert!(
        e.message
            .starts_with(&format!("{url}: the server sent an HTML page")),
        "{}",
        e.message
    );
}
