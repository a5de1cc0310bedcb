//! Tests of the fake provider's gateway-facing side: non-streaming answers in
//! each dialect, the whole generation time before the answer, outages per
//! client request (keyed in the prompt) shared by servers of one failure
//! domain, draws that do not depend on arrival order, error latency, and 429s
//! with and without `retry-after`. Loopback only; every loop is bounded.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use switchyard_e2e::fake_provider::{
    Behavior, BucketStart, Dialect, DownWindows, FakeProvider, Fault, OutageMode,
    REQUEST_KEY_MARKER, RpmLimit, Served, Ttft,
};

const KEY: &str = "fake-gateway-key-0001";

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .expect("client")
}

fn prompt(key: &str) -> String {
    format!("hello {REQUEST_KEY_MARKER}{key} there")
}

/// A non-streaming OpenAI request carrying request key `key`.
async fn openai(c: &reqwest::Client, fake: &FakeProvider, key: &str) -> reqwest::Response {
    c.post(format!("{}/v1/chat/completions", fake.base_url()))
        .bearer_auth(KEY)
        .json(&json!({"model": "m", "messages": [{"role": "user", "content": prompt(key)}]}))
        .send()
        .await
        .expect("request")
}

fn by_key(served: &[Served]) -> HashMap<String, Vec<Served>> {
    let mut out: HashMap<String, Vec<Served>> = HashMap::new();
    for s in served {
        if let Some(k) = &s.request_key {
            out.entry(k.clone()).or_default().push(s.clone());
        }
    }
    out
}

#[tokio::test]
async fn openai_answers_one_json_body_after_the_whole_generation_time() {
    let fake = FakeProvider::start(
        Behavior::default()
            .with_key(KEY)
            .with_non_streaming(true)
            .with_ttft(Ttft::Fixed(150.0))
            .with_tokens(5, 20.0),
    )
    .await;
    let c = client();
    let t = Instant::now();
    let resp = openai(&c, &fake, "a").await;
    let elapsed = t.elapsed();
    assert_eq!(resp.status(), 200);
    assert_eq!(
        resp.headers()["content-type"].to_str().unwrap(),
        "application/json"
    );
    let body: Value = resp.json().await.expect("JSON");
    assert_eq!(body["object"], "chat.completion");
    assert_eq!(
        body["choices"][0]["message"]["content"],
        "tok tok tok tok tok "
    );
    assert_eq!(body["choices"][0]["finish_reason"], "stop");
    assert_eq!(body["usage"]["completion_tokens"], 5);
    // TTFT 150 ms plus 5 tokens at 20 ms: nothing before 250 ms.
    assert!(elapsed >= Duration::from_millis(250), "{elapsed:?}");
    assert!(elapsed < Duration::from_millis(2000), "{elapsed:?}");
    let served = fake.served();
    assert_eq!(served.len(), 1);
    assert_eq!(served[0].request_key.as_deref(), Some("a"));
    assert!(!served[0].streaming);
    assert_eq!(served[0].status, Some(200));
    assert_eq!(served[0].output_tokens, 5);
}

#[tokio::test]
async fn anthropic_and_gemini_answer_in_their_own_shapes() {
    let fake = FakeProvider::start(
        Behavior::default()
            .with_key(KEY)
            .with_non_streaming(true)
            .with_tokens(2, 0.0),
    )
    .await;
    let c = client();
    let resp = c
        .post(format!("{}/v1/messages", fake.base_url()))
        .header("x-api-key", KEY)
        .header("anthropic-version", "2023-06-01")
        .json(
            &json!({"model": "claude", "max_tokens": 100, "stream": false,
            "system": prompt("s"),
            "messages": [{"role": "user", "content": [{"type": "text", "text": "hi"}]}]}),
        )
        .send()
        .await
        .expect("request");
    assert_eq!(resp.status(), 200);
    let body: Value = resp.json().await.expect("JSON");
    assert_eq!(body["type"], "message");
    assert_eq!(body["content"][0]["text"], "tok tok ");
    assert_eq!(body["stop_reason"], "end_turn");
    assert_eq!(body["usage"]["output_tokens"], 2);

    let resp = c
        .post(format!(
            "{}/v1beta/models/gem:generateContent",
            fake.base_url()
        ))
        .header("x-goog-api-key", KEY)
        .json(&json!({"contents": [{"parts": [{"text": prompt("g")}]}]}))
        .send()
        .await
        .expect("request");
    assert_eq!(resp.status(), 200);
    let body: Value = resp.json().await.expect("JSON");
    assert_eq!(
        body["candidates"][0]["content"]["parts"][0]["text"],
        "tok tok "
    );
    assert_eq!(body["candidates"][0]["finishReason"], "STOP");
    let keys: Vec<_> = fake
        .served()
        .iter()
        .map(|s| (s.dialect, s.request_key.clone()))
        .collect();
    assert_eq!(
        keys,
        vec![
            (Some(Dialect::Anthropic), Some("s".to_owned())),
            (Some(Dialect::Gemini), Some("g".to_owned())),
        ]
    );
}

#[tokio::test]
async fn without_the_flag_a_request_that_does_not_stream_is_refused() {
    let fake = FakeProvider::start(Behavior::default()).await;
    let c = client();
    let resp = openai(&c, &fake, "a").await;
    assert_eq!(resp.status(), 400);
    let resp = c
        .post(format!(
            "{}/v1beta/models/gem:generateContent",
            fake.base_url()
        ))
        .json(&json!({"contents": [{"parts": [{"text": "x"}]}]}))
        .send()
        .await
        .expect("request");
    assert_eq!(resp.status(), 400);
}

/// Outage rule probability 0.4: every attempt of one key sees the same state,
/// the share of keys that are down is binomial (bounded with a huge margin:
/// 400 keys, mean 160, sd 9.8), and a second server with the same rule seed is
/// down for exactly the same keys.
#[tokio::test]
async fn outages_hold_for_every_attempt_of_a_request_and_are_shared_by_a_domain() {
    let behavior = Behavior::default()
        .with_key(KEY)
        .with_non_streaming(true)
        .with_outage(77, 0.4)
        .with_outage_mode(OutageMode::Error(503));
    let a = FakeProvider::start(behavior.clone()).await;
    let b = FakeProvider::start(behavior.with_seed(999)).await;
    let c = client();
    let mut down_keys = Vec::new();
    for i in 0..400 {
        let key = format!("r{i}");
        let first = openai(&c, &a, &key).await.status();
        let second = openai(&c, &a, &key).await.status();
        assert_eq!(first, second, "{key}: the state holds for the request");
        assert!(first == 200 || first == 503, "{first}");
        if first == 503 {
            down_keys.push(key.clone());
        }
        let other = openai(&c, &b, &key).await.status();
        assert_eq!(other, first, "{key}: the same domain, the same state");
    }
    assert!(
        (110..=210).contains(&down_keys.len()),
        "{}",
        down_keys.len()
    );
    let records = by_key(&a.served());
    assert_eq!(records.len(), 400);
    for (key, attempts) in &records {
        let mut numbers: Vec<u32> = attempts.iter().map(|s| s.attempt).collect();
        numbers.sort_unstable();
        assert_eq!(numbers, vec![0, 1], "{key}");
        assert!(attempts.iter().all(|s| s.down == down_keys.contains(key)));
    }
    // Another domain (another seed) is down for other requests.
    let d = FakeProvider::start(
        Behavior::default()
            .with_non_streaming(true)
            .with_outage(78, 0.4),
    )
    .await;
    let mut same = 0;
    for i in 0..100 {
        let key = format!("r{i}");
        let down = openai(&c, &d, &key).await.status() == 503;
        same += usize::from(down == down_keys.contains(&key));
    }
    assert!(same < 90, "independent domains agree on {same} of 100");
}

/// Per-attempt faults of keyed requests depend on (seed, key, attempt), not on
/// arrival order: two servers with the same seed, fed the same attempts in
/// opposite orders, give each attempt the same fault.
#[tokio::test]
async fn keyed_faults_do_not_depend_on_arrival_order() {
    let behavior = Behavior::default()
        .with_seed(5)
        .with_non_streaming(true)
        .with_fault(0.5, Fault::ServerError(500));
    let forward = FakeProvider::start(behavior.clone()).await;
    let backward = FakeProvider::start(behavior).await;
    let c = client();
    let keys: Vec<String> = (0..60).map(|i| format!("k{i}")).collect();
    for key in &keys {
        for _ in 0..3 {
            openai(&c, &forward, key).await;
        }
    }
    for key in keys.iter().rev() {
        for _ in 0..3 {
            openai(&c, &backward, key).await;
        }
    }
    let outcome = |fake: &FakeProvider| {
        let mut v: Vec<(String, u32, Option<u16>)> = fake
            .served()
            .into_iter()
            .map(|s| (s.request_key.unwrap_or_default(), s.attempt, s.status))
            .collect();
        v.sort();
        v
    };
    let f = outcome(&forward);
    assert_eq!(f, outcome(&backward));
    let errors = f.iter().filter(|(_, _, s)| *s == Some(500)).count();
    assert!((50..=130).contains(&errors), "{errors} of 180");
    // Attempts of one key are drawn independently: some keys fail and then
    // succeed.
    assert!(
        keys.iter().any(|k| {
            let statuses: Vec<_> = f
                .iter()
                .filter(|(key, _, _)| key == k)
                .map(|x| x.2)
                .collect();
            statuses.contains(&Some(500)) && statuses.contains(&Some(200))
        }),
        "{f:?}"
    );
}

#[tokio::test]
async fn errors_wait_for_the_error_latency_and_429s_may_omit_retry_after() {
    let fake = FakeProvider::start(
        Behavior::default()
            .with_non_streaming(true)
            .with_error_latency_ms(200.0)
            .with_fault(1.0, Fault::RateLimitedNoRetryAfter),
    )
    .await;
    let c = client();
    let t = Instant::now();
    let resp = openai(&c, &fake, "x").await;
    assert!(
        t.elapsed() >= Duration::from_millis(200),
        "{:?}",
        t.elapsed()
    );
    assert_eq!(resp.status(), 429);
    assert!(!resp.headers().contains_key("retry-after"));
    let body: Value = resp.json().await.expect("JSON");
    assert_eq!(body["error"]["code"], "rate_limit_exceeded");

    let fake = FakeProvider::start(
        Behavior::default()
            .with_non_streaming(true)
            .with_fault(1.0, Fault::RateLimited { retry_after_s: 3 }),
    )
    .await;
    let resp = openai(&c, &fake, "y").await;
    assert_eq!(resp.status(), 429);
    assert_eq!(resp.headers()["retry-after"].to_str().unwrap(), "3");
}

/// Past its RPM limit the fake answers 429 with `retry-after` (after the
/// error latency) and draws no fault: a bucket of 3 admits 3 at once, then
/// refuses, and a restarted empty bucket (one token a second) refuses the
/// next request, sent well within that second.
#[tokio::test]
async fn an_rpm_limit_answers_429_with_retry_after_once_its_bucket_is_empty() {
    let fake = FakeProvider::start(
        Behavior::default()
            .with_non_streaming(true)
            .with_error_latency_ms(50.0)
            .with_fault(1.0, Fault::ServerError(500))
            .with_rpm_limit(RpmLimit {
                rpm: 3.0,
                start: BucketStart::Full,
            }),
    )
    .await;
    let c = client();
    for key in ["a", "b", "c"] {
        // Admitted: the injected fault answers.
        assert_eq!(openai(&c, &fake, key).await.status(), 500, "{key}");
    }
    let t = Instant::now();
    let resp = openai(&c, &fake, "d").await;
    assert!(
        t.elapsed() >= Duration::from_millis(50),
        "{:?}",
        t.elapsed()
    );
    assert_eq!(resp.status(), 429);
    // One token every 20 s: the wait rounds up to whole seconds.
    let retry_after: u64 = resp.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=20).contains(&retry_after), "{retry_after}");
    let served = fake.served();
    let throttled: Vec<bool> = served.iter().map(|s| s.throttled).collect();
    assert_eq!(throttled, [false, false, false, true]);
    assert_eq!(served[3].fault, None, "a throttled request draws no fault");

    let fake = FakeProvider::start(Behavior::default().with_non_streaming(true).with_rpm_limit(
        RpmLimit {
            rpm: 60.0,
            start: BucketStart::Empty,
        },
    ))
    .await;
    fake.restart_rpm_limit();
    assert_eq!(openai(&c, &fake, "e").await.status(), 429);
}

/// A hanging outage sends nothing, not even headers, until the client gives up;
/// the record then says the client went away.
#[tokio::test]
async fn a_hanging_outage_lasts_until_the_client_gives_up() {
    let fake = FakeProvider::start(
        Behavior::default()
            .with_non_streaming(true)
            .with_outage(1, 1.0)
            .with_outage_mode(OutageMode::Hang),
    )
    .await;
    let c = reqwest::Client::builder()
        .timeout(Duration::from_millis(300))
        .build()
        .expect("client");
    let t = Instant::now();
    let err = c
        .post(format!("{}/v1/chat/completions", fake.base_url()))
        .json(&json!({"model": "m", "messages": [{"role": "user", "content": prompt("h")}]}))
        .send()
        .await
        .expect_err("the request hangs");
    assert!(err.is_timeout(), "{err:?}");
    assert!(t.elapsed() >= Duration::from_millis(300));
    let record = fake
        .wait_finished(1, Duration::from_secs(5))
        .await
        .expect("the record closes when the client leaves");
    assert!(record.down);
    assert!(record.client_disconnected);
    assert_eq!(record.status, None);
}

#[tokio::test]
async fn without_streaming_a_cut_is_half_a_body_and_a_stall_is_a_head_alone() {
    let cut = FakeProvider::start(
        Behavior::default()
            .with_key(KEY)
            .with_non_streaming(true)
            .with_fault(1.0, Fault::CutMidStream { after_tokens: 2 }),
    )
    .await;
    let c = client();
    let resp = openai(&c, &cut, "cut").await;
    assert_eq!(resp.status(), 200);
    let text = resp.text().await.expect("a clean end of body");
    assert!(text.starts_with('{'), "{text}");
    assert!(
        serde_json::from_str::<Value>(&text).is_err(),
        "half a body does not parse: {text}"
    );

    let stall = FakeProvider::start(
        Behavior::default()
            .with_key(KEY)
            .with_non_streaming(true)
            .with_fault(1.0, Fault::StallMidStream { after_tokens: 2 }),
    )
    .await;
    let mut resp = openai(&c, &stall, "stall").await;
    assert_eq!(resp.status(), 200);
    let waited = tokio::time::timeout(Duration::from_millis(300), resp.chunk()).await;
    assert!(waited.is_err(), "no byte of the body: {waited:?}");
    drop(resp);
    let id = stall.served().last().expect("served").id;
    let served = stall
        .wait_finished(id, Duration::from_secs(3))
        .await
        .expect("the stalled answer ends when the client leaves");
    assert!(served.client_disconnected, "{served:?}");
}

/// Scheduled windows hold from the origin the load sets, by the time a
/// request reaches the server, for every key alike: up before the origin,
/// down in the first 300 ms of each 600 ms period, up again after `count`
/// periods.
#[tokio::test]
async fn down_windows_follow_the_schedule_from_the_origin() {
    let windows = DownWindows {
        period: Duration::from_millis(600),
        down: Duration::from_millis(300),
        count: 2,
    };
    let fake = FakeProvider::start(
        Behavior::default()
            .with_non_streaming(true)
            .with_down_windows(windows),
    )
    .await;
    let c = client();
    assert_eq!(openai(&c, &fake, "before").await.status(), 200);
    let origin = Instant::now();
    fake.start_down_windows(origin);
    // Mid-window and mid-up-time of both periods, then after the schedule.
    let mut statuses = Vec::new();
    for (i, at_ms) in [150_u64, 450, 750, 1050, 1350].into_iter().enumerate() {
        tokio::time::sleep_until((origin + Duration::from_millis(at_ms)).into()).await;
        statuses.push(openai(&c, &fake, &format!("k{i}")).await.status().as_u16());
    }
    assert_eq!(statuses, [503, 200, 503, 200, 200]);
    let down: Vec<bool> = fake.served().iter().map(|s| s.down).collect();
    assert_eq!(down, [false, true, false, true, false, false]);
    assert!(windows.down_at(Duration::from_millis(0)));
    assert!(!windows.down_at(Duration::from_millis(300)));
    assert!(!windows.down_at(Duration::from_millis(1200)));
    assert_eq!(
        windows.window(1),
        (Duration::from_millis(600), Duration::from_millis(900))
    );
}
