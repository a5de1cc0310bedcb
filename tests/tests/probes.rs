//! Live probes against the fake provider on loopback: TTFT accuracy under load,
//! failure classification with hard deadlines, caps, cancellation, fitting, and
//! the canary key that must never be stored or printed.

use std::time::{Duration, Instant};

use switchyard::plan::Dialect;
use switchyard::probe::{ErrorClass, ProbeKind, ProbeResult, StopReason, fit, stats, sweep};
use switchyard_e2e::fake_provider::{Behavior, FakeProvider, Fault, Ttft};
use switchyard_e2e::probe_support::{KEY, options, run, target};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

/// One probe against a server that always does `fault`.
async fn one_probe(fault: Fault, deadline: Duration) -> (ProbeResult, Duration) {
    let server = FakeProvider::start(
        Behavior::default()
            .with_key(KEY)
            .with_tokens(8, 1.0)
            .with_fault(1.0, fault),
    )
    .await;
    let mut opts = options(1, 1);
    opts.probe.deadline = deadline;
    opts.probe.max_body_bytes = 256 << 10;
    let started = Instant::now();
    let (mut results, _) = run(
        vec![target(&server, Dialect::Openai)],
        opts,
        CancellationToken::new(),
    )
    .await;
    (results.pop().expect("one result"), started.elapsed())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_failure_mode_is_classified_within_the_deadline() {
    let deadline = Duration::from_millis(1500);
    let cases = [
        (Fault::ServerError(500), ErrorClass::Server),
        (Fault::ServerError(503), ErrorClass::Server),
        (
            Fault::RateLimited { retry_after_s: 3 },
            ErrorClass::RateLimited,
        ),
        (
            Fault::Hang {
                send_headers: false,
            },
            ErrorClass::Timeout,
        ),
        (Fault::Hang { send_headers: true }, ErrorClass::Timeout),
        (
            Fault::ResetMidStream { after_tokens: 2 },
            ErrorClass::Connect,
        ),
        (Fault::MalformedSse, ErrorClass::Protocol),
        (Fault::EndlessBody, ErrorClass::Protocol),
        (Fault::HugeBody { bytes: 1 << 30 }, ErrorClass::Protocol),
    ];
    for (fault, class) in cases {
        let (result, took) = one_probe(fault, deadline).await;
        assert_eq!(result.error, Some(class), "{fault:?}: {result:?}");
        assert!(!result.ok);
        assert!(
            took < deadline + Duration::from_millis(500),
            "{fault:?} took {took:?}, past the deadline"
        );
        if let Fault::RateLimited { retry_after_s } = fault {
            assert_eq!(result.rate_limits.retry_after_s, Some(retry_after_s as f64));
        }
    }
}

fn resident_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_endless_or_1_gb_body_is_cut_and_memory_stays_bounded() {
    let before = resident_kib();
    for fault in [Fault::EndlessBody, Fault::HugeBody { bytes: 1 << 30 }] {
        let (result, _) = one_probe(fault, Duration::from_secs(10)).await;
        let detail = result.error_detail.unwrap_or_default().to_string();
        assert!(
            detail.contains("exceeded") || detail.contains("longer than"),
            "{fault:?}: {detail}"
        );
    }
    let grown_mib = resident_kib().saturating_sub(before) / 1024;
    assert!(grown_mib < 64, "resident memory grew by {grown_mib} MiB");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_key_is_a_client_error_and_the_key_is_not_echoed() {
    let server = FakeProvider::start(
        Behavior::default()
            .with_key("the-right-one-000000")
            .with_hostile_echo(true),
    )
    .await;
    let (results, _) = run(
        vec![target(&server, Dialect::Anthropic)],
        options(1, 1),
        CancellationToken::new(),
    )
    .await;
    let r = &results[0];
    assert_eq!((r.error, r.status), (Some(ErrorClass::Client), Some(401)));
    assert!(!format!("{r:?}").contains(KEY), "{r:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_spend_cap_stops_a_run() {
    let server = FakeProvider::start(Behavior::default().with_tokens(16, 0.0)).await;
    let mut opts = options(20, 1);
    // Each probe costs $0.001 and reserves $0.001 (16 tokens at $62.5/M, input free).
    opts.max_spend_usd = Some(0.0035);
    let (results, summary) = run(
        vec![target(&server, Dialect::Openai)],
        opts,
        CancellationToken::new(),
    )
    .await;
    assert_eq!(summary.stopped, StopReason::SpendCap);
    assert_eq!(results.len(), 3);
    assert!(
        (summary.spent_usd - 0.003).abs() < 1e-12,
        "{}",
        summary.spent_usd
    );
    assert_eq!(
        server.served().len(),
        3,
        "no fourth request reached the provider"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retry_after_holds_back_the_provider() {
    let server = FakeProvider::start(
        Behavior::default()
            .with_seed(3)
            .with_fault(1.0, Fault::RateLimited { retry_after_s: 1 }),
    )
    .await;
    let started = Instant::now();
    let (results, _) = run(
        vec![target(&server, Dialect::Openai)],
        options(3, 1),
        CancellationToken::new(),
    )
    .await;
    assert_eq!(results.len(), 3);
    // Three 429s with `retry-after: 1`: the second and third wait a second each.
    assert!(
        started.elapsed() >= Duration::from_millis(1900),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancellation_is_immediate_and_keeps_finished_results() {
    let server = FakeProvider::start(
        Behavior::default()
            .with_ttft(Ttft::Fixed(200.0))
            .with_tokens(4, 1.0),
    )
    .await;
    let cancel = CancellationToken::new();
    let client = switchyard::probe::http_client().expect("client");
    let (sender, mut receiver) = mpsc::unbounded_channel();
    let running = tokio::spawn(sweep(
        client,
        vec![target(&server, Dialect::Openai)],
        options(100, 2),
        cancel.clone(),
        sender,
    ));
    let mut kept = Vec::new();
    while kept.len() < 4 {
        let r = tokio::time::timeout(Duration::from_secs(10), receiver.recv())
            .await
            .expect("a result within 10 s")
            .expect("channel open");
        kept.push(r);
    }
    let cancelled_at = Instant::now();
    cancel.cancel();
    let summary = tokio::time::timeout(Duration::from_secs(2), running)
        .await
        .expect("the sweep stops within 2 s")
        .expect("no panic");
    assert!(
        cancelled_at.elapsed() < Duration::from_millis(100),
        "{:?}",
        cancelled_at.elapsed()
    );
    assert_eq!(summary.stopped, StopReason::Cancelled);
    while let Ok(r) = receiver.try_recv() {
        kept.push(r);
    }
    assert!(kept.len() >= 4 && kept.len() < 100);
    assert_eq!(
        summary.probes as usize,
        kept.len(),
        "every finished probe was delivered"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fitting_recovers_the_injected_error_rate_and_ttft() {
    let (p50, p95, error_rate) = (150.0, 400.0, 0.10);
    let server = FakeProvider::start(
        Behavior::default()
            .with_seed(11)
            .with_ttft(Ttft::LogNormal {
                p50_ms: p50,
                p95_ms: p95,
            })
            .with_tokens(8, 1.0)
            .with_fault(error_rate, Fault::ServerError(500)),
    )
    .await;
    let n = 600;
    let (results, _) = run(
        vec![target(&server, Dialect::Openai)],
        options(n, 50),
        CancellationToken::new(),
    )
    .await;
    let s = stats("fake/Openai", &results);
    let f = fit(&s);
    assert_eq!(f.samples, u64::from(n));
    let se = (error_rate * (1.0 - error_rate) / f64::from(n)).sqrt();
    let fitted = f.error_rate.expect("enough samples");
    assert!(
        (fitted - error_rate).abs() <= 4.0 * se,
        "error rate {fitted} vs {error_rate}"
    );
    // Sample quantiles of ~540 log-normal draws: within 10% (p50) and 20% (p95),
    // several standard errors wide; the probe adds well under 2 ms.
    let fitted_p50 = f.ttft_p50_ms.expect("p50");
    let fitted_p95 = f.ttft_p95_ms.expect("p95");
    assert!((fitted_p50 / p50 - 1.0).abs() < 0.10, "p50 {fitted_p50}");
    assert!((fitted_p95 / p95 - 1.0).abs() < 0.20, "p95 {fitted_p95}");
    assert!(f.tokens_per_s.is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reachability_costs_nothing() {
    let server = FakeProvider::start(Behavior::default().with_key(KEY)).await;
    for dialect in [Dialect::Openai, Dialect::Anthropic, Dialect::Gemini] {
        let mut opts = options(1, 1);
        opts.kind = ProbeKind::Reachability;
        let (results, summary) = run(
            vec![target(&server, dialect)],
            opts,
            CancellationToken::new(),
        )
        .await;
        assert!(results[0].ok, "{dialect:?}: {:?}", results[0]);
        assert_eq!((results[0].cost_usd, summary.tokens), (0.0, 0));
    }
}

/// The most requests the server had open at one time.
fn max_overlap(server: &FakeProvider) -> usize {
    let served = server.served();
    let mut events: Vec<(Instant, i32)> = Vec::new();
    for s in &served {
        events.push((s.started, 1));
        events.push((s.ended.expect("finished"), -1));
    }
    events.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(&b.1)));
    let (mut open, mut most) = (0i32, 0i32);
    for (_, delta) in events {
        open += delta;
        most = most.max(open);
    }
    most as usize
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrency_is_bounded_globally_and_per_provider() {
    let behavior = || {
        Behavior::default()
            .with_ttft(Ttft::Fixed(60.0))
            .with_tokens(2, 1.0)
    };
    let (a, b) = (
        FakeProvider::start(behavior()).await,
        FakeProvider::start(behavior()).await,
    );
    let mut second = target(&b, Dialect::Openai);
    second.provider = "other".into();
    second.target.offering = "fake/other".into();
    let mut opts = options(12, 5);
    opts.per_provider = 2;
    let (results, _) = run(
        vec![target(&a, Dialect::Openai), second],
        opts,
        CancellationToken::new(),
    )
    .await;
    assert_eq!(results.len(), 24);
    assert_eq!((max_overlap(&a), max_overlap(&b)), (2, 2), "per provider");

    let c = FakeProvider::start(behavior()).await;
    let mut opts = options(12, 3);
    opts.per_provider = 10;
    let (results, _) = run(
        vec![target(&c, Dialect::Openai)],
        opts,
        CancellationToken::new(),
    )
    .await;
    assert_eq!(results.len(), 12);
    assert_eq!(max_overlap(&c), 3, "global");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_token_cap_stops_a_run() {
    let server = FakeProvider::start(Behavior::default().with_tokens(16, 0.0)).await;
    let mut opts = options(20, 1);
    // Each probe reserves 16 output tokens plus a generous prompt estimate (52).
    let cap = 3 * (16 + 52) + 10;
    opts.max_tokens = Some(cap);
    let (results, summary) = run(
        vec![target(&server, Dialect::Openai)],
        opts,
        CancellationToken::new(),
    )
    .await;
    assert_eq!(summary.stopped, StopReason::TokenCap);
    assert!((3..20).contains(&results.len()), "{}", results.len());
    assert!(
        summary.tokens <= cap,
        "{} tokens used, cap {cap}",
        summary.tokens
    );
    // The next probe's reservation would not have fitted.
    assert!(summary.tokens + 16 + 52 > cap);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_monitor_paces_its_rounds() {
    let server = FakeProvider::start(Behavior::default().with_tokens(2, 0.0)).await;
    let mut opts = options(4, 4);
    opts.interval = Some(Duration::from_millis(300));
    opts.jitter = 0.1;
    let started = Instant::now();
    let (results, _) = run(
        vec![target(&server, Dialect::Openai)],
        opts,
        CancellationToken::new(),
    )
    .await;
    assert_eq!(results.len(), 4);
    let starts: Vec<Instant> = server.served().iter().map(|s| s.started).collect();
    for pair in starts.windows(2) {
        let gap = pair[1].duration_since(pair[0]);
        // 300 ms apart, give or take 10% jitter on each side.
        assert!(gap >= Duration::from_millis(200), "{gap:?}");
    }
    assert!(started.elapsed() >= Duration::from_millis(800));
}
