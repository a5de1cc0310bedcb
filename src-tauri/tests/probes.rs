//! The desktop app's probe run (what the Probes page calls) against a fake
//! provider on 127.0.0.1: one event per result as it lands, results stored in
//! the app's catalog, statistics that agree with the events, the key nowhere
//! in the database, the probes chart drawn from what was stored, and Cancel
//! stopping a run of probes that never answer.

use std::path::Path;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use switchyard::app::ProbeRunOptions;
use switchyard::app::charts;
use switchyard::chart::Chart;
use switchyard::probe::StopReason;
use switchyard_app::commands::analysis::view;
use switchyard_app::commands::probes::{ProbeEvent, run_probes};
use switchyard_app::state::AppState;
use switchyard_e2e::fake_provider::{Behavior, FakeProvider, Fault};

/// An offering of the embedded catalog; its provider is pointed at the fake.
const OFFERING: &str = "openai/gpt-5.5";
const KEY_ENV: &str = "SWITCHYARD_APP_TEST_KEY";
const KEY: &str = "canary-app-probe-k3y-5w1tchy4rd";

fn caps(count: u32) -> ProbeRunOptions {
    ProbeRunOptions {
        count,
        concurrency: 4,
        per_provider: 2,
        max_spend_usd: 10.0,
        max_tokens: None,
        output_tokens: 8,
        timeout_s: 20.0,
        ..ProbeRunOptions::default()
    }
}

/// The app's catalog, created and seeded as on first run, with the
/// offering's provider answering at `server` and keyed by [`KEY_ENV`].
fn state_probing(dir: &Path, server: &FakeProvider) -> AppState {
    let state = AppState::new(dir.join("catalog.db"));
    drop(state.catalog().expect("creates the catalog"));
    let db = rusqlite::Connection::open(&state.db_path).expect("opens");
    let changed = db
        .execute(
            "UPDATE providers SET api_base = ?1, key_env = ?2
             WHERE id = (SELECT provider FROM offerings WHERE id = ?3)",
            (format!("{}/v1", server.base_url()), KEY_ENV, OFFERING),
        )
        .expect("updates");
    assert_eq!(changed, 1);
    state
}

fn env(name: &str) -> Option<String> {
    (name == KEY_ENV).then(|| KEY.to_owned())
}

fn database_bytes(db: &Path) -> Vec<u8> {
    ["", "-wal", "-shm"]
        .iter()
        .flat_map(|suffix| std::fs::read(format!("{}{suffix}", db.display())).unwrap_or_default())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_probe_run_streams_each_result_stores_them_and_charts_them() {
    let server = FakeProvider::start(
        Behavior::default()
            .with_seed(11)
            .with_key(KEY)
            .with_hostile_echo(true)
            .with_tokens(4, 1.0)
            .with_fault(0.3, Fault::ServerError(503)),
    )
    .await;
    let dir = tempfile::tempdir().expect("dir");
    let state = state_probing(dir.path(), &server);
    let events: Mutex<Vec<ProbeEvent>> = Mutex::new(Vec::new());
    let run = run_probes(
        &state,
        &[OFFERING.to_owned()],
        caps(24),
        "probes",
        env,
        |e| {
            events.lock().expect("lock").push(e);
        },
    )
    .await
    .expect("runs");

    let events = events.into_inner().expect("lock");
    assert_eq!(events.len(), 24);
    // The server echoed the key in every header and error body: the events
    // the UI receives carry none of it.
    let sent_to_ui = serde_json::to_string(&events).expect("encodes");
    assert!(!sent_to_ui.contains(KEY), "{sent_to_ui}");
    let done: Vec<u64> = events.iter().map(|e| e.done).collect();
    assert_eq!(
        done,
        (1..=24).collect::<Vec<_>>(),
        "one event per result, in order"
    );
    assert!(events.iter().all(|e| e.total == 24 && e.job == "probes"));
    let ok = events.iter().filter(|e| e.ok).count() as u64;
    let failed: Vec<&ProbeEvent> = events.iter().filter(|e| !e.ok).collect();
    assert!(ok > 0 && !failed.is_empty(), "{ok} ok of 24");
    assert!(
        failed
            .iter()
            .all(|e| e.error.is_some() && e.ttft_ms.is_none())
    );

    // What the server saw agrees with what the app reported.
    let served = server.served();
    assert_eq!(served.len(), 24);
    assert!(served.iter().all(|s| s.key.as_deref() == Some(KEY)));
    let served_503 = served.iter().filter(|s| s.status == Some(503)).count();
    assert_eq!(served_503, failed.len());

    assert_eq!(run.summary.probes, 24);
    assert_eq!(run.summary.stopped, StopReason::Completed);
    assert_eq!(run.stats.len(), 1);
    assert_eq!(run.stats[0].probes, 24);
    assert_eq!(run.stats[0].successes, ok);

    // Stored in the app's catalog, without the key.
    let rows: i64 = rusqlite::Connection::open(&state.db_path)
        .expect("opens")
        .query_row(
            "SELECT count(*) FROM probe_results WHERE offering = ?1",
            [OFFERING],
            |r| r.get(0),
        )
        .expect("counts");
    assert_eq!(rows, 24);
    let bytes = database_bytes(&state.db_path);
    assert!(!bytes.windows(KEY.len()).any(|w| w == KEY.as_bytes()));

    // The Probes page's chart: every stored probe, each with a hover point.
    let stored =
        charts::probes(state.catalog().expect("catalog").get(), [OFFERING]).expect("loads");
    let Chart::Probes(data) = &stored else {
        panic!("a probe chart");
    };
    assert_eq!(data.series.len(), 1);
    assert_eq!(data.series[0].points.len(), 24);
    let chart = view(&stored).expect("draws");
    assert!(chart.svg.starts_with("<svg"));
    let ttft_points = chart
        .points
        .iter()
        .filter(|p| p.label.contains(": TTFT "))
        .count();
    // Failures in one pixel column share a mark that says how many it
    // stands for ("x: 3 failed, ..."); probes a second apart do.
    let failures_marked: usize = chart
        .points
        .iter()
        .filter_map(|p| p.label.strip_prefix(&format!("{OFFERING}: ")))
        .filter_map(|rest| {
            if rest.starts_with("failed, ") {
                Some(1)
            } else {
                let (count, tail) = rest.split_once(' ')?;
                tail.starts_with("failed, ").then(|| count.parse().ok())?
            }
        })
        .sum();
    assert_eq!(ttft_points as u64, ok);
    assert_eq!(failures_marked, failed.len());
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancel_stops_a_run_of_probes_that_never_answer() {
    let server = FakeProvider::start(Behavior::default().with_seed(12).with_fault(
        1.0,
        Fault::Hang {
            send_headers: false,
        },
    ))
    .await;
    let dir = tempfile::tempdir().expect("dir");
    let state = state_probing(dir.path(), &server);
    let offerings = [OFFERING.to_owned()];
    let started = Instant::now();
    let (run, cancelled) = tokio::join!(
        run_probes(&state, &offerings, caps(40), "probes", env, |_| {}),
        async {
            // Wait until probes are in flight at the server, then cancel.
            let deadline = Instant::now() + Duration::from_secs(10);
            while server.served().is_empty() && Instant::now() < deadline {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
            state.jobs.cancel("probes")
        }
    );
    assert!(cancelled, "the job was running");
    let run = run.expect("a cancelled run still reports");
    assert_eq!(run.summary.stopped, StopReason::Cancelled);
    // The probe deadline is 20 s: the run ended because of the cancel.
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
    // Two in flight per provider, each hanging until cancelled: no probe
    // started after them.
    assert!(server.served().len() <= 2, "{}", server.served().len());
    server.shutdown().await;
}

#[tokio::test]
async fn a_missing_key_is_named_and_nothing_is_sent() {
    let server = FakeProvider::start(Behavior::default()).await;
    let dir = tempfile::tempdir().expect("dir");
    let state = state_probing(dir.path(), &server);
    let e = run_probes(
        &state,
        &[OFFERING.to_owned()],
        caps(3),
        "probes",
        |_| None,
        |_| {},
    )
    .await
    .expect_err("no key");
    assert_eq!(e.code, "probe");
    assert!(e.message.contains(KEY_ENV), "{}", e.message);
    assert!(server.served().is_empty());
    server.shutdown().await;
}
