//! TTFT accuracy of live probes on loopback with 200 probes in flight.
//!
//! Alone in its own test binary: cargo runs test binaries one after another, so
//! no other test competes for the two cores while this one times milliseconds.

use switchyard::model::stats::percentile;
use switchyard::plan::Dialect;
use switchyard_e2e::fake_provider::{Behavior, FakeProvider, Ttft};
use switchyard_e2e::probe_support::{KEY, options, run, target};
use tokio_util::sync::CancellationToken;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn measured_ttft_matches_the_injected_one_with_200_in_flight() {
    let server = FakeProvider::start(
        Behavior::default()
            .with_seed(1)
            .with_key(KEY)
            .with_ttft(Ttft::LogNormal {
                p50_ms: 300.0,
                p95_ms: 900.0,
            })
            // Few, spaced tokens: 200 streams must not saturate the two cores
            // that the client, the server and the test share.
            .with_tokens(3, 20.0),
    )
    .await;
    for dialect in [Dialect::Openai, Dialect::Anthropic, Dialect::Gemini] {
        let mut rounds = Vec::new();
        for round in 1..=ROUNDS {
            let p99 = measure_round(&server, dialect, round).await;
            rounds.push(p99);
            if p99 <= BOUND_MS {
                break;
            }
        }
        assert!(
            rounds.iter().any(|&p99| p99 <= BOUND_MS),
            "{dialect:?}: p99 error over {BOUND_MS} ms in all {ROUNDS} rounds: {rounds:.3?} ms"
        );
    }
}

/// The accuracy bound at p99 (the figure).
const BOUND_MS: f64 = 2.0;

/// Rounds a dialect gets to meet [`BOUND_MS`]. On an idle 2-core machine every
/// round lands at 0.3–0.8 ms. Another process taking the cores (a CI
/// neighbour, a build) delays the probe's wake-ups by whole scheduler slices,
/// 3–5 ms at p99 with two busy loops beside it: that is the machine, not the
/// probe. A fault in the probe's timing (a TTFT stamped after decoding the body,
/// or from the wrong start) is in every round, so three rounds still catch it.
const ROUNDS: usize = 3;

/// 600 probes, 200 in flight; returns the p99 of measured − served TTFT over
/// the steady state. Asserts in every round that no probe measured the first
/// token before the server wrote it.
async fn measure_round(server: &FakeProvider, dialect: Dialect, round: usize) -> f64 {
    // The first 200 start in one burst and also time 200 simultaneous connects;
    // the steady state after it is what a monitor sees, so they are left out.
    let (mut results, summary) = run(
        vec![target(server, dialect)],
        options(600, 200),
        CancellationToken::new(),
    )
    .await;
    assert_eq!(summary.probes, 600, "{dialect:?}");
    results.sort_by_key(|r| r.started_at_ms);
    let mut errors: Vec<f64> = results[200..]
        .iter()
        .map(|r| {
            assert!(r.ok, "{dialect:?}: {r:?}");
            let id: u64 = r
                .request_id
                .as_ref()
                .and_then(|s| s.as_str().parse().ok())
                .expect("request id");
            // What the server really did: from reading the request to writing
            // the first content delta into the socket (its timer may fire late,
            // and its connection task may pick the delta up late).
            let served = server.served_by_id(id).expect("served");
            let first = served.first_content_on_wire.expect("content written");
            let injected = first.duration_since(served.started).as_secs_f64() * 1000.0;
            r.ttft_ms.expect("ttft") - injected
        })
        .collect();
    let min = errors.iter().copied().fold(f64::INFINITY, f64::min);
    let p50 = percentile(&mut errors, 0.50).expect("400 probes");
    let p99 = percentile(&mut errors, 0.99).expect("400 probes");
    eprintln!(
        "{dialect:?} round {round}: measured - injected TTFT: min {min:.3} ms, p50 {p50:.3} ms, p99 {p99:.3} ms"
    );
    assert!(
        min >= 0.0,
        "{dialect:?}: measured before the server wrote it? {min}"
    );
    p99
}
