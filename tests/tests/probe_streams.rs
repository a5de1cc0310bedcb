//! Streams that stall or are cut mid-way (issue 19, item 4): a probe must fail
//! them, in every dialect, and tell which it was; a stream that is only slow
//! must still pass. Every server is a fake on 127.0.0.1 started here.

use std::time::{Duration, Instant};

use switchyard::plan::Dialect;
use switchyard::probe::{ErrorClass, ProbeResult};
use switchyard_e2e::fake_provider::{Behavior, FakeProvider, Fault, Ttft};
use switchyard_e2e::probe_support::{KEY, options, run, target};
use tokio_util::sync::CancellationToken;

const DIALECTS: [Dialect; 3] = [Dialect::Openai, Dialect::Anthropic, Dialect::Gemini];

/// A deadline far beyond every stall limit used here: a test that only ends
/// at it has failed to detect the stall.
const DEADLINE: Duration = Duration::from_secs(8);

/// One probe of `dialect` against `server`, with `stall` as the stall limit.
async fn probe_once(
    server: &FakeProvider,
    dialect: Dialect,
    stall: Duration,
) -> (ProbeResult, Duration) {
    let mut opts = options(1, 1);
    opts.probe.deadline = DEADLINE;
    opts.probe.stall_timeout = stall;
    let started = Instant::now();
    let (mut results, _) = run(
        vec![target(server, dialect)],
        opts,
        CancellationToken::new(),
    )
    .await;
    (results.pop().expect("one result"), started.elapsed())
}

fn detail(result: &ProbeResult) -> String {
    result
        .error_detail
        .as_ref()
        .map(|d| d.to_string())
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stalled_stream_fails_as_a_stall_well_before_the_deadline() {
    let stall = Duration::from_millis(300);
    for dialect in DIALECTS {
        let server = FakeProvider::start(
            Behavior::default()
                .with_key(KEY)
                .with_tokens(8, 1.0)
                .with_fault(1.0, Fault::StallMidStream { after_tokens: 3 }),
        )
        .await;
        let (result, took) = probe_once(&server, dialect, stall).await;
        // Protocol, not Timeout: a stream stopped mid-way is broken under any
        // plan timeout, and the fit counts Protocol failures in error_rate.
        assert_eq!(
            result.error,
            Some(ErrorClass::Protocol),
            "{dialect:?}: {result:?}"
        );
        let text = detail(&result);
        assert!(
            text.starts_with("the stream stalled: no byte for 300 ms after ")
                && text.ends_with(" bytes and 3 content deltas"),
            "{dialect:?}: {text}"
        );
        assert!(result.ttft_ms.is_some(), "{dialect:?}: content had flowed");
        assert!(
            took < Duration::from_secs(3),
            "{dialect:?}: took {took:?}, as if only the deadline caught it"
        );
        // The fake's stalled task ends once the probe has left.
        let id = server.served().last().expect("served").id;
        let served = server
            .wait_finished(id, Duration::from_secs(3))
            .await
            .expect("the stalled request ends when the client leaves");
        assert!(served.client_disconnected, "{served:?}");
        assert_eq!(served.output_tokens, 3);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stream_cut_cleanly_before_its_completion_is_a_protocol_failure() {
    for dialect in DIALECTS {
        let server = FakeProvider::start(
            Behavior::default()
                .with_key(KEY)
                .with_tokens(8, 1.0)
                .with_fault(1.0, Fault::CutMidStream { after_tokens: 3 }),
        )
        .await;
        let (result, took) = probe_once(&server, dialect, Duration::from_secs(5)).await;
        assert_eq!(
            result.error,
            Some(ErrorClass::Protocol),
            "{dialect:?}: {result:?}"
        );
        assert_eq!(
            detail(&result),
            "the stream ended before the completion did",
            "{dialect:?}"
        );
        assert!(took < Duration::from_secs(3), "{dialect:?}: took {took:?}");
        let id = server.served().last().expect("served").id;
        let served = server
            .wait_finished(id, Duration::from_secs(3))
            .await
            .expect("ended");
        assert!(
            !served.client_disconnected,
            "the server ended it: {served:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_stream_whose_gaps_stay_under_the_stall_limit_succeeds() {
    // 120 ms between deltas against a 600 ms limit: 6 deltas take about
    // 0.6 s in all, as long as the limit, yet no single gap comes near it.
    for dialect in DIALECTS {
        let server =
            FakeProvider::start(Behavior::default().with_key(KEY).with_tokens(6, 120.0)).await;
        let (result, _) = probe_once(&server, dialect, Duration::from_millis(600)).await;
        assert!(result.ok, "{dialect:?}: {result:?}");
        assert_eq!(result.output_tokens, Some(6), "{dialect:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stall_before_the_first_delta_is_left_to_the_deadline() {
    // A stall limit is about a stream that started: a long time to first token
    // (here 700 ms, past a 300 ms limit) is not a stall.
    let server = FakeProvider::start(
        Behavior::default()
            .with_key(KEY)
            .with_tokens(4, 1.0)
            .with_ttft(Ttft::Fixed(700.0)),
    )
    .await;
    let (result, _) = probe_once(&server, Dialect::Openai, Duration::from_millis(300)).await;
    assert!(result.ok, "{result:?}");
    assert!(result.ttft_ms.unwrap_or(0.0) >= 650.0, "{result:?}");
}
