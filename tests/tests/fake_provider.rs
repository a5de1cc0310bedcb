//! Tests of the fake LLM provider itself: wire shapes, latency injection,
//! faults and their probabilities, concurrency and reproducibility. Loopback
//! only; every loop is bounded in count and time.

use std::collections::HashMap;
use std::io::{Read, Write};
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use serde_json::{Value, json};
use switchyard_e2e::fake_provider::{
    Behavior, Dialect, FakeProvider, Fault, PromptTokens, Served, Ttft,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Timing-sensitive tests take this so they do not measure each other's load.
static TIMING: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

const KEY: &str = "fake-SECRET-0123456789";

/// One parsed SSE event and when its last byte arrived.
#[derive(Debug, Clone)]
struct Event {
    name: Option<String>,
    data: String,
    at: Instant,
}

impl Event {
    fn json(&self) -> Value {
        serde_json::from_str(&self.data)
            .unwrap_or_else(|e| panic!("event data is not JSON ({e}): {}", self.data))
    }
}

fn parse_block(block: &str, at: Instant) -> Option<Event> {
    let mut name = None;
    let mut data: Vec<&str> = Vec::new();
    for line in block.split('\n').map(|l| l.trim_end_matches('\r')) {
        if let Some(v) = line.strip_prefix("event:") {
            name = Some(v.trim().to_owned());
        } else if let Some(v) = line.strip_prefix("data:") {
            data.push(v.strip_prefix(' ').unwrap_or(v));
        }
    }
    (name.is_some() || !data.is_empty()).then(|| Event {
        name,
        data: data.join("\n"),
        at,
    })
}

/// Reads a whole SSE body (bounded by `limit`), returning the events and the
/// error that cut it short, if any.
async fn collect_sse(resp: reqwest::Response, limit: Duration) -> (Vec<Event>, Option<String>) {
    let deadline = tokio::time::Instant::now() + limit;
    let mut stream = resp.bytes_stream();
    let mut buf: Vec<u8> = Vec::new();
    let mut events = Vec::new();
    loop {
        let next = match tokio::time::timeout_at(deadline, stream.next()).await {
            Ok(next) => next,
            Err(_) => return (events, Some("test deadline".to_owned())),
        };
        match next {
            None => return (events, None),
            Some(Err(e)) => return (events, Some(format!("{e:?}"))),
            Some(Ok(chunk)) => {
                let at = Instant::now();
                buf.extend_from_slice(&chunk);
                loop {
                    let lf = find(&buf, b"\n\n").map(|i| (i, 2));
                    let crlf = find(&buf, b"\r\n\r\n").map(|i| (i, 4));
                    let Some((i, n)) = [lf, crlf].into_iter().flatten().min() else {
                        break;
                    };
                    let block = String::from_utf8_lossy(&buf[..i]).into_owned();
                    buf.drain(..i + n);
                    if let Some(e) = parse_block(&block, at) {
                        events.push(e);
                    }
                }
            }
        }
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(5))
        .build()
        .expect("reqwest client")
}

fn openai(
    c: &reqwest::Client,
    fake: &FakeProvider,
    key: &str,
    max_tokens: u32,
) -> reqwest::RequestBuilder {
    c.post(format!("{}/v1/chat/completions", fake.base_url()))
        .bearer_auth(key)
        .json(&json!({
            "model": "fake-model",
            "messages": [{"role": "user", "content": "Say hello, please!!"}],
            "max_tokens": max_tokens,
            "stream": true,
            "stream_options": {"include_usage": true},
        }))
}

fn anthropic(
    c: &reqwest::Client,
    fake: &FakeProvider,
    key: &str,
    max_tokens: u32,
) -> reqwest::RequestBuilder {
    c.post(format!("{}/v1/messages", fake.base_url()))
        .header("x-api-key", key)
        .header("anthropic-version", "2023-06-01")
        .json(&json!({
            "model": "claude-fake",
            "max_tokens": max_tokens,
            "messages": [{"role": "user", "content": "Say hello, please!!"}],
            "stream": true,
        }))
}

fn gemini(
    c: &reqwest::Client,
    fake: &FakeProvider,
    key: &str,
    max_tokens: u32,
) -> reqwest::RequestBuilder {
    c.post(format!(
        "{}/v1beta/models/gemini-fake:streamGenerateContent?alt=sse",
        fake.base_url()
    ))
    .header("x-goog-api-key", key)
    .json(&json!({
        "contents": [{"role": "user", "parts": [{"text": "Say hello, please!!"}]}],
        "generationConfig": {"maxOutputTokens": max_tokens},
    }))
}

fn request(
    dialect: Dialect,
    c: &reqwest::Client,
    fake: &FakeProvider,
    key: &str,
) -> reqwest::RequestBuilder {
    match dialect {
        Dialect::OpenAi => openai(c, fake, key, 1000),
        Dialect::Anthropic => anthropic(c, fake, key, 1000),
        Dialect::Gemini => gemini(c, fake, key, 1000),
    }
}

const DIALECTS: [Dialect; 3] = [Dialect::OpenAi, Dialect::Anthropic, Dialect::Gemini];

fn header<'a>(resp: &'a reqwest::Response, name: &str) -> &'a str {
    resp.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_else(|| panic!("missing header {name}"))
}

/// Whether an event is a content delta, in any dialect.
fn content_text(dialect: Dialect, e: &Event) -> Option<String> {
    if e.data == "[DONE]" {
        return None;
    }
    let v = e.json();
    let text = match dialect {
        Dialect::OpenAi => v.pointer("/choices/0/delta/content"),
        Dialect::Anthropic => v.pointer("/delta/text"),
        Dialect::Gemini => v.pointer("/candidates/0/content/parts/0/text"),
    }?
    .as_str()?;
    (!text.is_empty()).then(|| text.to_owned())
}

#[tokio::test]
async fn openai_stream_has_the_exact_shape() {
    let fake = FakeProvider::start(Behavior::default().with_key(KEY).with_tokens(5, 0.0)).await;
    let c = client();
    let resp = openai(&c, &fake, KEY, 100).send().await.expect("request");
    assert_eq!(resp.status(), 200);
    assert_eq!(header(&resp, "content-type"), "text/event-stream");
    assert_eq!(header(&resp, "x-request-id"), "1");
    assert_eq!(header(&resp, "x-ratelimit-limit-requests"), "1000");
    assert_eq!(header(&resp, "x-ratelimit-remaining-requests"), "999");
    assert_eq!(header(&resp, "x-ratelimit-reset-requests"), "1m0s");
    let (events, err) = collect_sse(resp, Duration::from_secs(5)).await;
    assert_eq!(err, None);
    assert_eq!(events.len(), 1 + 5 + 1 + 1 + 1, "{events:?}");
    assert!(events.iter().all(|e| e.name.is_none()));

    let first = events[0].json();
    assert_eq!(first["object"], "chat.completion.chunk");
    assert_eq!(first["model"], "fake-model");
    assert!(first["id"].as_str().is_some_and(|s| !s.is_empty()));
    assert_eq!(
        first["choices"][0]["delta"],
        json!({"role": "assistant", "content": ""})
    );
    assert_eq!(first["choices"][0]["finish_reason"], Value::Null);
    for e in &events[1..6] {
        let v = e.json();
        assert_eq!(v["choices"][0]["index"], 0);
        assert_eq!(v["choices"][0]["delta"], json!({"content": "tok "}));
        assert_eq!(v["choices"][0]["finish_reason"], Value::Null);
    }
    let fin = events[6].json();
    assert_eq!(fin["choices"][0]["delta"], json!({}));
    assert_eq!(fin["choices"][0]["finish_reason"], "stop");
    let usage = events[7].json();
    assert_eq!(usage["choices"], json!([]));
    // "Say hello, please!!" is 19 characters: ceil(19 / 4) = 5 prompt tokens.
    assert_eq!(
        usage["usage"],
        json!({"prompt_tokens": 5, "completion_tokens": 5, "total_tokens": 10})
    );
    assert_eq!(events[8].data, "[DONE]");

    let rec = fake
        .wait_finished(1, Duration::from_secs(2))
        .await
        .expect("finished");
    assert_eq!(rec.dialect, Some(Dialect::OpenAi));
    assert_eq!(rec.path, "/v1/chat/completions");
    assert_eq!(rec.model.as_deref(), Some("fake-model"));
    assert_eq!(rec.key.as_deref(), Some(KEY));
    assert_eq!(rec.status, Some(200));
    assert_eq!(rec.output_tokens, 5);
    assert_eq!(rec.fault, None);
    assert!(!rec.client_disconnected);
    assert!(rec.ended.is_some_and(|end| end >= rec.started));
}

#[tokio::test]
async fn anthropic_stream_has_the_exact_shape() {
    let behavior = Behavior {
        prompt_tokens: PromptTokens::Fixed(42),
        ..Behavior::default().with_key(KEY).with_tokens(4, 0.0)
    };
    let fake = FakeProvider::start(behavior).await;
    let c = client();
    let resp = anthropic(&c, &fake, KEY, 100)
        .send()
        .await
        .expect("request");
    assert_eq!(resp.status(), 200);
    assert_eq!(header(&resp, "content-type"), "text/event-stream");
    assert_eq!(header(&resp, "x-request-id"), "1");
    assert_eq!(header(&resp, "anthropic-ratelimit-requests-limit"), "1000");
    assert_eq!(
        header(&resp, "anthropic-ratelimit-requests-remaining"),
        "999"
    );
    let reset = header(&resp, "anthropic-ratelimit-requests-reset");
    assert!(
        reset.len() == 20 && reset.ends_with('Z') && reset.contains('T'),
        "{reset}"
    );
    let (events, err) = collect_sse(resp, Duration::from_secs(5)).await;
    assert_eq!(err, None);
    let names: Vec<&str> = events
        .iter()
        .map(|e| e.name.as_deref().unwrap_or(""))
        .collect();
    assert_eq!(
        names,
        [
            "message_start",
            "content_block_start",
            "ping",
            "content_block_delta",
            "content_block_delta",
            "content_block_delta",
            "content_block_delta",
            "content_block_stop",
            "message_delta",
            "message_stop"
        ]
    );
    for e in &events {
        assert_eq!(e.json()["type"], e.name.as_deref().unwrap_or(""));
    }
    let start = events[0].json();
    assert_eq!(start["message"]["type"], "message");
    assert_eq!(start["message"]["role"], "assistant");
    assert_eq!(start["message"]["model"], "claude-fake");
    assert_eq!(start["message"]["content"], json!([]));
    assert_eq!(
        start["message"]["usage"],
        json!({"input_tokens": 42, "output_tokens": 1})
    );
    assert_eq!(
        events[1].json()["content_block"],
        json!({"type": "text", "text": ""})
    );
    for e in &events[3..7] {
        assert_eq!(
            e.json(),
            json!({"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "tok "}})
        );
    }
    let delta = events[8].json();
    assert_eq!(delta["delta"]["stop_reason"], "end_turn");
    assert_eq!(delta["usage"], json!({"output_tokens": 4}));
    let rec = fake
        .wait_finished(1, Duration::from_secs(2))
        .await
        .expect("finished");
    assert_eq!(
        (rec.dialect, rec.key.as_deref()),
        (Some(Dialect::Anthropic), Some(KEY))
    );
}

#[tokio::test]
async fn gemini_stream_has_the_exact_shape_with_header_or_query_key() {
    let fake = FakeProvider::start(Behavior::default().with_key(KEY).with_tokens(3, 0.0)).await;
    let c = client();
    let via_header = gemini(&c, &fake, KEY, 100).send().await.expect("request");
    let via_query = c
        .post(format!(
            "{}/v1beta/models/gemini-fake:streamGenerateContent?alt=sse&key={KEY}",
            fake.base_url()
        ))
        .json(&json!({"contents": [{"role": "user", "parts": [{"text": "Say hello, please!!"}]}]}))
        .send()
        .await
        .expect("request");
    for resp in [via_header, via_query] {
        assert_eq!(resp.status(), 200);
        assert_eq!(header(&resp, "content-type"), "text/event-stream");
        let (events, err) = collect_sse(resp, Duration::from_secs(5)).await;
        assert_eq!(err, None);
        assert_eq!(events.len(), 3);
        for (k, e) in events.iter().enumerate() {
            let v = e.json();
            let cand = &v["candidates"][0];
            assert_eq!(
                cand["content"],
                json!({"parts": [{"text": "tok "}], "role": "model"})
            );
            assert_eq!(cand["index"], 0);
            let last = k == 2;
            assert_eq!(cand.get("finishReason").is_some(), last);
            if last {
                assert_eq!(cand["finishReason"], "STOP");
            }
            assert_eq!(
                v["usageMetadata"],
                json!({"promptTokenCount": 5, "candidatesTokenCount": k + 1, "totalTokenCount": 5 + k + 1})
            );
            assert_eq!(v["modelVersion"], "gemini-fake");
        }
    }
    let served = fake.served();
    assert_eq!(served.len(), 2);
    for rec in &served {
        assert_eq!(rec.dialect, Some(Dialect::Gemini));
        assert_eq!(rec.model.as_deref(), Some("gemini-fake"));
        assert_eq!(rec.key.as_deref(), Some(KEY));
    }
}

#[tokio::test]
async fn models_are_listed_in_each_dialect() {
    let fake = FakeProvider::start(Behavior::default().with_key(KEY)).await;
    let c = client();
    let openai: Value = c
        .get(format!("{}/v1/models", fake.base_url()))
        .bearer_auth(KEY)
        .send()
        .await
        .expect("request")
        .json()
        .await
        .expect("json");
    assert_eq!(openai["object"], "list");
    assert_eq!(openai["data"][0]["id"], "fake-model");
    assert_eq!(openai["data"][0]["object"], "model");
    let anthropic: Value = c
        .get(format!("{}/v1/models", fake.base_url()))
        .header("x-api-key", KEY)
        .header("anthropic-version", "2023-06-01")
        .send()
        .await
        .expect("request")
        .json()
        .await
        .expect("json");
    assert_eq!(anthropic["data"][1]["id"], "fake-model-large");
    assert_eq!(anthropic["data"][1]["type"], "model");
    assert_eq!(anthropic["has_more"], false);
    let gemini: Value = c
        .get(format!("{}/v1beta/models?key={KEY}", fake.base_url()))
        .send()
        .await
        .expect("request")
        .json()
        .await
        .expect("json");
    assert_eq!(gemini["models"][0]["name"], "models/fake-model");
}

#[tokio::test]
async fn wrong_or_missing_keys_get_401_in_each_dialect_shape() {
    let fake = FakeProvider::start(Behavior::default().with_key(KEY)).await;
    let c = client();
    for dialect in DIALECTS {
        for sent in ["sk-wrong-key", ""] {
            let resp = if sent.is_empty() {
                let mut req = request(dialect, &c, &fake, "x").build().expect("request");
                req.headers_mut().remove("authorization");
                req.headers_mut().remove("x-api-key");
                req.headers_mut().remove("x-goog-api-key");
                c.execute(req).await.expect("request")
            } else {
                request(dialect, &c, &fake, sent)
                    .send()
                    .await
                    .expect("request")
            };
            assert_eq!(resp.status(), 401, "{dialect:?}");
            assert!(resp.headers().contains_key("x-request-id"));
            let body: Value = resp.json().await.expect("json error body");
            match dialect {
                Dialect::OpenAi => assert_eq!(body["error"]["code"], "invalid_api_key"),
                Dialect::Anthropic => {
                    assert_eq!(body["type"], "error");
                    assert_eq!(body["error"]["type"], "authentication_error");
                }
                Dialect::Gemini => {
                    assert_eq!(body["error"]["code"], 401);
                    assert_eq!(body["error"]["status"], "UNAUTHENTICATED");
                }
            }
            // Not hostile: the key never comes back.
            assert!(!body.to_string().contains("sk-wrong-key"));
        }
    }
    let served = fake.served();
    assert_eq!(served.len(), 6);
    assert!(
        served
            .iter()
            .all(|s| s.status == Some(401) && s.output_tokens == 0)
    );
    assert_eq!(served[0].key.as_deref(), Some("sk-wrong-key"));
    assert_eq!(served[1].key, None);
}

#[tokio::test]
async fn hostile_echo_puts_the_key_into_error_bodies() {
    let fake = FakeProvider::start(Behavior::default().with_key(KEY).with_hostile_echo(true)).await;
    let c = client();
    for dialect in DIALECTS {
        let resp = request(dialect, &c, &fake, "sk-leaked-123")
            .send()
            .await
            .expect("request");
        assert_eq!(resp.status(), 401);
        let text = resp.text().await.expect("body");
        assert!(text.contains("sk-leaked-123"), "{dialect:?}: {text}");
    }
}

#[tokio::test]
async fn anthropic_requires_the_version_header() {
    let fake = FakeProvider::start(Behavior::default()).await;
    let c = client();
    let resp = c
        .post(format!("{}/v1/messages", fake.base_url()))
        .header("x-api-key", KEY)
        .json(&json!({"model": "m", "max_tokens": 5, "messages": [{"role": "user", "content": "hi"}], "stream": true}))
        .send()
        .await
        .expect("request");
    assert_eq!(resp.status(), 400);
    let body: Value = resp.json().await.expect("json");
    assert_eq!(body["error"]["type"], "invalid_request_error");
}

#[tokio::test]
async fn bad_requests_get_400s_and_the_server_keeps_serving() {
    let fake = FakeProvider::start(Behavior::default()).await;
    let c = client();
    let base = fake.base_url();
    let bad_bodies: [&[u8]; 8] = [
        b"{not json",
        b"[]",
        b"\"string\"",
        b"{}",
        b"{\"model\":\"m\",\"messages\":\"nope\",\"stream\":true}",
        b"{\"model\":\"m\",\"messages\":[],\"stream\":true}",
        b"{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}",
        b"{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"stream\":true,\"max_tokens\":-3}",
    ];
    for body in bad_bodies {
        for (url, anthropic) in [
            (format!("{base}/v1/chat/completions"), false),
            (format!("{base}/v1/messages"), true),
            (
                format!("{base}/v1beta/models/g:streamGenerateContent?alt=sse"),
                false,
            ),
        ] {
            let mut req = c.post(&url).body(body.to_vec());
            if anthropic {
                req = req.header("anthropic-version", "2023-06-01");
            }
            let resp = req.send().await.expect("request");
            assert_eq!(
                resp.status(),
                400,
                "{url} {}",
                String::from_utf8_lossy(body)
            );
            let _: Value = resp.json().await.expect("a JSON error body");
        }
    }
    // Anthropic without max_tokens; Gemini without alt=sse; wrong method; unknown
    // path; a body over the limit.
    let resp = c
        .post(format!("{base}/v1/messages"))
        .header("anthropic-version", "2023-06-01")
        .json(
            &json!({"model": "m", "messages": [{"role": "user", "content": "x"}], "stream": true}),
        )
        .send()
        .await
        .expect("request");
    assert_eq!(resp.status(), 400);
    let resp = c
        .post(format!("{base}/v1beta/models/g:streamGenerateContent"))
        .json(&json!({"contents": [{"parts": [{"text": "x"}]}]}))
        .send()
        .await
        .expect("request");
    assert_eq!(resp.status(), 400);
    let resp = c
        .get(format!("{base}/v1/chat/completions"))
        .send()
        .await
        .expect("request");
    assert_eq!(resp.status(), 405);
    let resp = c.get(format!("{base}/nope")).send().await.expect("request");
    assert_eq!(resp.status(), 404);
    assert!(resp.headers().contains_key("x-request-id"));
    let resp = c
        .post(format!("{base}/v1/chat/completions"))
        .body(vec![b' '; 5 * 1024 * 1024])
        .send()
        .await
        .expect("request");
    assert_eq!(resp.status(), 413);
    // Still healthy.
    let resp = openai(&c, &fake, KEY, 3).send().await.expect("request");
    assert_eq!(resp.status(), 200);
    let (events, err) = collect_sse(resp, Duration::from_secs(5)).await;
    assert_eq!((events.len(), err), (1 + 3 + 3, None));
}

#[tokio::test]
async fn max_tokens_caps_the_output_and_request_ids_are_sequential() {
    let fake = FakeProvider::start(Behavior::default().with_tokens(50, 0.0)).await;
    let c = client();
    for (n, dialect) in DIALECTS.into_iter().enumerate() {
        let builder = match dialect {
            Dialect::OpenAi => openai(&c, &fake, KEY, 7),
            Dialect::Anthropic => anthropic(&c, &fake, KEY, 7),
            Dialect::Gemini => gemini(&c, &fake, KEY, 7),
        };
        let resp = builder.send().await.expect("request");
        assert_eq!(header(&resp, "x-request-id"), (n + 1).to_string());
        let (events, err) = collect_sse(resp, Duration::from_secs(5)).await;
        assert_eq!(err, None);
        let content = events
            .iter()
            .filter(|e| content_text(dialect, e).is_some())
            .count();
        assert_eq!(content, 7, "{dialect:?}");
    }
    let ids: Vec<u64> = fake.served().iter().map(|s| s.id).collect();
    assert_eq!(ids, [1, 2, 3]);
}

/// Sends one request and returns (headers-received, first-content) latencies
/// from the send.
async fn measure_ttft(
    dialect: Dialect,
    c: &reqwest::Client,
    fake: &FakeProvider,
) -> (Duration, Duration, Vec<Event>) {
    let sent = Instant::now();
    let resp = request(dialect, c, fake, KEY)
        .send()
        .await
        .expect("request");
    let headers_at = sent.elapsed();
    let (events, err) = collect_sse(resp, Duration::from_secs(10)).await;
    assert_eq!(err, None);
    let first = events
        .iter()
        .find(|e| content_text(dialect, e).is_some())
        .expect("a content delta");
    (headers_at, first.at - sent, events)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fixed_ttft_is_honoured_before_the_first_content_delta() {
    let _serial = TIMING.lock().await;
    let fake = FakeProvider::start(
        Behavior::default()
            .with_ttft(Ttft::Fixed(150.0))
            .with_tokens(3, 0.0),
    )
    .await;
    let c = client();
    for dialect in DIALECTS {
        // Warm the connection so the measurement is the server's doing.
        let _ = measure_ttft(dialect, &c, &fake).await;
        let (headers_at, ttft, events) = measure_ttft(dialect, &c, &fake).await;
        let ms = ttft.as_secs_f64() * 1000.0;
        assert!(
            (149.0..180.0).contains(&ms),
            "{dialect:?}: first content after {ms} ms"
        );
        assert!(
            headers_at < Duration::from_millis(60),
            "{dialect:?}: headers after {headers_at:?}"
        );
        if dialect != Dialect::Gemini {
            // The preamble comes first and is not content.
            let first_content = events
                .iter()
                .position(|e| content_text(dialect, e).is_some());
            assert!(first_content.is_some_and(|i| i > 0));
        }
    }
    // The server stamps the socket write just after the system call returns;
    // a client that has read the whole (one-token) answer can get here first
    // when the machine is busy, so wait for the stamps, a bounded while.
    let deadline = Instant::now() + Duration::from_secs(5);
    let served = loop {
        let served = fake.served();
        if served.iter().all(|r| r.first_content_on_wire.is_some()) || Instant::now() > deadline {
            break served;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    };
    for rec in served {
        assert_eq!(rec.injected_ttft_ms, Some(150.0));
        let observed = rec.first_content.expect("content") - rec.started;
        assert!(observed >= Duration::from_millis(150) && observed < Duration::from_millis(170));
        // The socket's stamp is the content delta's write, not the preamble's
        // (written at once, 150 ms earlier).
        let written = rec.first_content_on_wire.expect("written") - rec.started;
        assert!(
            written >= Duration::from_millis(150) && written < Duration::from_millis(170),
            "first content written after {written:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn preamble_arrives_before_the_ttft() {
    let _serial = TIMING.lock().await;
    let fake = FakeProvider::start(
        Behavior::default()
            .with_ttft(Ttft::Fixed(300.0))
            .with_tokens(1, 0.0),
    )
    .await;
    let c = client();
    for dialect in [Dialect::OpenAi, Dialect::Anthropic] {
        let sent = Instant::now();
        let resp = request(dialect, &c, &fake, KEY)
            .send()
            .await
            .expect("request");
        let (events, _) = collect_sse(resp, Duration::from_secs(5)).await;
        let preamble = events[0].at - sent;
        let content = events
            .iter()
            .find(|e| content_text(dialect, e).is_some())
            .expect("content")
            .at
            - sent;
        assert!(
            preamble < Duration::from_millis(100),
            "{dialect:?}: {preamble:?}"
        );
        assert!(
            content >= Duration::from_millis(300),
            "{dialect:?}: {content:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn per_token_delay_spaces_the_deltas() {
    let _serial = TIMING.lock().await;
    let fake = FakeProvider::start(
        Behavior::default()
            .with_ttft(Ttft::Fixed(20.0))
            .with_tokens(11, 15.0),
    )
    .await;
    let c = client();
    let (_, _, events) = measure_ttft(Dialect::Anthropic, &c, &fake).await;
    let times: Vec<Instant> = events
        .iter()
        .filter(|e| content_text(Dialect::Anthropic, e).is_some())
        .map(|e| e.at)
        .collect();
    assert_eq!(times.len(), 11);
    let span = (times[10] - times[0]).as_secs_f64() * 1000.0;
    assert!(
        (148.0..185.0).contains(&span),
        "10 gaps of 15 ms took {span} ms"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lognormal_ttft_matches_its_percentiles() {
    let behavior = Behavior::default()
        .with_seed(11)
        .with_ttft(Ttft::LogNormal {
            p50_ms: 4.0,
            p95_ms: 12.0,
        })
        .with_tokens(1, 0.0);
    let fake = FakeProvider::start(behavior).await;
    let c = client();
    let mut tasks = Vec::new();
    for _ in 0..400 {
        let req = openai(&c, &fake, KEY, 5);
        tasks.push(tokio::spawn(async move {
            let resp = req.send().await.expect("request");
            collect_sse(resp, Duration::from_secs(20)).await.1
        }));
    }
    for t in tasks {
        assert_eq!(t.await.expect("task"), None);
    }
    let mut ttfts: Vec<f64> = fake
        .served()
        .iter()
        .map(|s| s.injected_ttft_ms.expect("ttft"))
        .collect();
    ttfts.sort_by(f64::total_cmp);
    let p50 = ttfts[199];
    let p95 = ttfts[379];
    assert!((3.4..4.7).contains(&p50), "p50 {p50}");
    assert!((9.0..16.0).contains(&p95), "p95 {p95}");
}

/// Counts of each fault kind over the served records.
fn fault_counts(served: &[Served]) -> HashMap<String, usize> {
    let mut counts = HashMap::new();
    for s in served {
        let name = match s.fault {
            None => "none".to_owned(),
            Some(f) => format!("{f:?}")
                .split([' ', '('])
                .next()
                .unwrap_or("")
                .to_owned(),
        };
        *counts.entry(name).or_insert(0) += 1;
    }
    counts
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn faults_happen_with_their_probabilities_and_behave() {
    let behavior = Behavior::default()
        .with_seed(2024)
        .with_tokens(4, 0.0)
        .with_fault(0.15, Fault::ServerError(500))
        .with_fault(0.05, Fault::ServerError(503))
        .with_fault(0.15, Fault::RateLimited { retry_after_s: 7 })
        .with_fault(0.10, Fault::ResetMidStream { after_tokens: 2 })
        .with_fault(0.10, Fault::MalformedSse)
        .with_fault(0.05, Fault::HugeBody { bytes: 20_000 })
        .with_fault(0.05, Fault::Hang { send_headers: true });
    let fake = FakeProvider::start(behavior).await;
    let c = client();
    const N: usize = 400;
    let mut tasks = Vec::new();
    for i in 0..N {
        let req = request(DIALECTS[i % 3], &c, &fake, KEY).timeout(Duration::from_millis(800));
        tasks.push(tokio::spawn(async move {
            match req.send().await {
                Ok(resp) => {
                    let status = resp.status().as_u16();
                    let id: u64 = header(&resp, "x-request-id").parse().expect("id");
                    let retry_after = resp.headers().get("retry-after").is_some();
                    let (events, err) = collect_sse(resp, Duration::from_secs(20)).await;
                    (Some(id), status, retry_after, events.len(), err)
                }
                Err(e) => (None, 0, false, 0, Some(format!("{e:?}"))),
            }
        }));
    }
    let mut outcomes = Vec::new();
    for t in tasks {
        outcomes.push(t.await.expect("task"));
    }
    // Every request, hung ones included, ends within a bounded time.
    let mut served = Vec::new();
    for id in 1..=N as u64 {
        served.push(
            fake.wait_finished(id, Duration::from_secs(5))
                .await
                .expect("request ended"),
        );
    }
    let counts = fault_counts(&served);
    let expect = |name: &str, p: f64| {
        let got = counts.get(name).copied().unwrap_or(0) as f64;
        let mean = p * N as f64;
        let sd = (N as f64 * p * (1.0 - p)).sqrt();
        assert!(
            (got - mean).abs() <= 4.0 * sd,
            "{name}: {got} vs {mean} ± {sd}: {counts:?}"
        );
    };
    expect("none", 0.35);
    expect("ServerError", 0.20);
    expect("RateLimited", 0.15);
    expect("ResetMidStream", 0.10);
    expect("MalformedSse", 0.10);
    expect("HugeBody", 0.05);
    expect("Hang", 0.05);

    let by_id: HashMap<u64, &Served> = served.iter().map(|s| (s.id, s)).collect();
    for (id, status, retry_after, _events, err) in &outcomes {
        let Some(id) = id else {
            panic!("a request failed before its headers: {err:?}");
        };
        let rec = by_id[id];
        match rec.fault {
            Some(Fault::ServerError(code)) => assert_eq!(*status, code),
            Some(Fault::RateLimited { .. }) => assert!(*status == 429 && *retry_after),
            Some(Fault::ResetMidStream { .. }) => {
                assert!(err.is_some(), "reset {id} ended cleanly");
                assert_eq!(rec.output_tokens, 2);
                assert!(!rec.client_disconnected);
            }
            Some(Fault::Hang { .. }) => {
                assert!(err.is_some());
                assert!(rec.client_disconnected);
            }
            None | Some(Fault::MalformedSse) | Some(Fault::HugeBody { .. }) => {
                assert_eq!((*status, err), (200, &None), "request {id}");
                assert!(!rec.client_disconnected);
            }
            Some(other) => panic!("unexpected fault {other:?}"),
        }
    }
}

#[tokio::test]
async fn server_errors_and_rate_limits_use_each_dialects_shape() {
    for (status, fault) in [
        (500, Fault::ServerError(500)),
        (503, Fault::ServerError(503)),
        (429, Fault::RateLimited { retry_after_s: 13 }),
    ] {
        let fake = FakeProvider::start(
            Behavior::default()
                .with_fault(1.0, fault)
                .with_hostile_echo(true),
        )
        .await;
        let c = client();
        for dialect in DIALECTS {
            let resp = request(dialect, &c, &fake, KEY)
                .send()
                .await
                .expect("request");
            assert_eq!(resp.status(), status);
            assert!(resp.headers().contains_key("x-request-id"));
            if status == 429 {
                assert_eq!(header(&resp, "retry-after"), "13");
                match dialect {
                    Dialect::OpenAi => {
                        assert_eq!(header(&resp, "x-ratelimit-remaining-requests"), "0");
                        assert_eq!(header(&resp, "x-ratelimit-reset-requests"), "13s");
                    }
                    Dialect::Anthropic => {
                        assert_eq!(header(&resp, "anthropic-ratelimit-requests-remaining"), "0");
                        assert!(
                            resp.headers()
                                .contains_key("anthropic-ratelimit-requests-reset")
                        );
                    }
                    Dialect::Gemini => {}
                }
            }
            let body: Value = resp.json().await.expect("json");
            assert!(body.to_string().contains(KEY), "hostile echo: {body}");
            match (dialect, status) {
                (Dialect::OpenAi, 429) => assert_eq!(body["error"]["code"], "rate_limit_exceeded"),
                (Dialect::OpenAi, _) => assert_eq!(body["error"]["type"], "server_error"),
                (Dialect::Anthropic, 429) => assert_eq!(body["error"]["type"], "rate_limit_error"),
                (Dialect::Anthropic, 503) => assert_eq!(body["error"]["type"], "overloaded_error"),
                (Dialect::Anthropic, _) => assert_eq!(body["error"]["type"], "api_error"),
                (Dialect::Gemini, 429) => {
                    assert_eq!(body["error"]["status"], "RESOURCE_EXHAUSTED");
                    assert_eq!(body["error"]["details"][0]["retryDelay"], "13s");
                }
                (Dialect::Gemini, 503) => assert_eq!(body["error"]["status"], "UNAVAILABLE"),
                (Dialect::Gemini, _) => assert_eq!(body["error"]["status"], "INTERNAL"),
            }
        }
    }
}

#[tokio::test]
async fn hang_without_headers_lasts_until_the_client_gives_up() {
    let fake = FakeProvider::start(Behavior::default().with_fault(
        1.0,
        Fault::Hang {
            send_headers: false,
        },
    ))
    .await;
    let c = client();
    let started = Instant::now();
    let err = openai(&c, &fake, KEY, 5)
        .timeout(Duration::from_millis(300))
        .send()
        .await
        .expect_err("no response");
    assert!(err.is_timeout(), "{err:?}");
    assert!(started.elapsed() >= Duration::from_millis(300));
    let rec = fake
        .wait_finished(1, Duration::from_secs(5))
        .await
        .expect("disconnect noticed");
    assert!(rec.client_disconnected);
    assert_eq!(rec.status, None);
    assert_eq!(
        rec.fault,
        Some(Fault::Hang {
            send_headers: false
        })
    );
}

#[tokio::test]
async fn hang_with_headers_sends_200_and_then_nothing() {
    let fake = FakeProvider::start(
        Behavior::default().with_fault(1.0, Fault::Hang { send_headers: true }),
    )
    .await;
    let c = client();
    let resp = anthropic(&c, &fake, KEY, 5)
        .send()
        .await
        .expect("headers arrive");
    assert_eq!(resp.status(), 200);
    let mut body = resp.bytes_stream();
    let waited = tokio::time::timeout(Duration::from_millis(300), body.next()).await;
    assert!(waited.is_err(), "no byte may arrive");
    drop(body);
    let rec = fake
        .wait_finished(1, Duration::from_secs(5))
        .await
        .expect("disconnect noticed");
    assert!(rec.client_disconnected);
    assert_eq!(rec.output_tokens, 0);
}

#[tokio::test]
async fn reset_mid_stream_is_a_real_tcp_reset() {
    let fake = FakeProvider::start(
        Behavior::default()
            .with_tokens(10, 0.0)
            .with_fault(1.0, Fault::ResetMidStream { after_tokens: 3 }),
    )
    .await;
    // Through reqwest: some deltas, then an error instead of the end.
    let c = client();
    let resp = openai(&c, &fake, KEY, 100).send().await.expect("headers");
    let (events, err) = collect_sse(resp, Duration::from_secs(5)).await;
    assert!(err.is_some(), "the body must fail");
    assert_eq!(
        events
            .iter()
            .filter(|e| content_text(Dialect::OpenAi, e).is_some())
            .count(),
        3
    );
    let rec = fake
        .wait_finished(1, Duration::from_secs(2))
        .await
        .expect("ended");
    assert!(!rec.client_disconnected);
    assert_eq!(rec.output_tokens, 3);

    // On a raw socket: the read fails with ECONNRESET, not a clean EOF.
    let mut sock = tokio::net::TcpStream::connect(fake.addr())
        .await
        .expect("connect");
    let body = r#"{"model":"m","messages":[{"role":"user","content":"hi"}],"stream":true}"#;
    let head = format!(
        "POST /v1/chat/completions HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
        body.len()
    );
    sock.write_all(head.as_bytes()).await.expect("write");
    let mut received = Vec::new();
    let mut buf = [0u8; 4096];
    let outcome = tokio::time::timeout(Duration::from_secs(5), async {
        loop {
            match sock.read(&mut buf).await {
                Ok(0) => return Ok(()),
                Ok(n) => received.extend_from_slice(&buf[..n]),
                Err(e) => return Err(e),
            }
        }
    })
    .await
    .expect("bounded");
    let err = outcome.expect_err("a clean EOF is not a reset");
    assert_eq!(err.kind(), std::io::ErrorKind::ConnectionReset);
    let text = String::from_utf8_lossy(&received);
    assert!(text.starts_with("HTTP/1.1 200"));
    assert_eq!(text.matches("tok ").count(), 3);
}

#[tokio::test]
async fn malformed_sse_line_is_broken_json_and_leaks_the_key_when_hostile() {
    let fake = FakeProvider::start(
        Behavior::default()
            .with_tokens(3, 0.0)
            .with_hostile_echo(true)
            .with_fault(1.0, Fault::MalformedSse),
    )
    .await;
    let c = client();
    for dialect in DIALECTS {
        let resp = request(dialect, &c, &fake, KEY)
            .send()
            .await
            .expect("request");
        let (events, err) = collect_sse(resp, Duration::from_secs(5)).await;
        assert_eq!(err, None);
        let broken: Vec<&Event> = events
            .iter()
            .filter(|e| e.data != "[DONE]" && serde_json::from_str::<Value>(&e.data).is_err())
            .collect();
        assert_eq!(broken.len(), 1, "{dialect:?}: {events:?}");
        assert!(broken[0].data.contains(KEY));
        // The rest of the stream still comes.
        let good = events
            .iter()
            .filter(|e| serde_json::from_str::<Value>(&e.data).is_ok())
            .filter(|e| content_text(dialect, e).is_some())
            .count();
        assert_eq!(good, 3);
    }
}

#[tokio::test]
async fn endless_body_stops_when_the_client_drops_the_response() {
    let fake = FakeProvider::start(Behavior::default().with_fault(1.0, Fault::EndlessBody)).await;
    let c = client();
    for (n, dialect) in DIALECTS.into_iter().enumerate() {
        let resp = request(dialect, &c, &fake, KEY)
            .send()
            .await
            .expect("request");
        assert_eq!(resp.status(), 200);
        let mut body = resp.bytes_stream();
        let mut got = 0usize;
        let deadline = Instant::now() + Duration::from_secs(10);
        while got < 256 * 1024 && Instant::now() < deadline {
            match tokio::time::timeout(Duration::from_secs(2), body.next()).await {
                Ok(Some(Ok(chunk))) => got += chunk.len(),
                other => panic!("endless body ended: {other:?}"),
            }
        }
        assert!(got >= 256 * 1024);
        drop(body);
        let id = n as u64 + 1;
        let rec = fake
            .wait_finished(id, Duration::from_secs(3))
            .await
            .expect("stopped promptly");
        assert!(rec.client_disconnected);
        assert!(rec.output_tokens > 100, "{rec:?}");
        // And it stays stopped: the count no longer moves.
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert_eq!(
            fake.served_by_id(id).map(|r| r.output_tokens),
            Some(rec.output_tokens)
        );
    }
}

#[tokio::test]
async fn huge_body_is_one_line_without_a_newline() {
    let fake = FakeProvider::start(
        Behavior::default()
            .with_fault(0.5, Fault::HugeBody { bytes: 1 << 30 })
            .with_fault(0.5, Fault::HugeBody { bytes: 100_000 })
            .with_seed(3),
    )
    .await;
    let c = client();
    let mut saw_small = false;
    let mut saw_huge = false;
    for _ in 0..12 {
        if saw_small && saw_huge {
            break;
        }
        let resp = openai(&c, &fake, KEY, 5).send().await.expect("request");
        assert_eq!(header(&resp, "content-type"), "text/event-stream");
        let id: u64 = header(&resp, "x-request-id").parse().expect("id");
        let fault = fake.served_by_id(id).and_then(|r| r.fault);
        let mut body = resp.bytes_stream();
        let mut total = Vec::new();
        let cap = 4 * 1024 * 1024;
        while total.len() < cap {
            match tokio::time::timeout(Duration::from_secs(2), body.next())
                .await
                .expect("bytes flow")
            {
                Some(Ok(chunk)) => total.extend_from_slice(&chunk),
                Some(Err(e)) => panic!("{e:?}"),
                None => break,
            }
        }
        assert!(total.starts_with(b"data: "));
        assert!(!total.contains(&b'\n'));
        drop(body);
        match fault {
            Some(Fault::HugeBody { bytes: 100_000 }) => {
                saw_small = true;
                assert_eq!(total.len(), 6 + 100_000);
                let rec = fake
                    .wait_finished(id, Duration::from_secs(2))
                    .await
                    .expect("ended");
                assert!(!rec.client_disconnected);
            }
            Some(Fault::HugeBody { .. }) => {
                saw_huge = true;
                assert!(total.len() >= cap);
                let rec = fake
                    .wait_finished(id, Duration::from_secs(3))
                    .await
                    .expect("stopped");
                assert!(rec.client_disconnected);
            }
            other => panic!("unexpected {other:?}"),
        }
    }
    assert!(saw_small && saw_huge);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_hundred_concurrent_streams_complete_without_added_latency() {
    let _serial = TIMING.lock().await;
    let fake = FakeProvider::start(
        Behavior::default()
            .with_ttft(Ttft::Fixed(200.0))
            .with_tokens(10, 10.0),
    )
    .await;
    let c = client();
    let barrier = std::sync::Arc::new(tokio::sync::Barrier::new(300));
    let mut tasks = Vec::new();
    for i in 0..300 {
        let req = request(DIALECTS[i % 3], &c, &fake, KEY);
        let barrier = std::sync::Arc::clone(&barrier);
        tasks.push(tokio::spawn(async move {
            barrier.wait().await;
            let resp = req.send().await.expect("request");
            let (events, err) = collect_sse(resp, Duration::from_secs(30)).await;
            assert_eq!(err, None);
            events
                .iter()
                .filter(|e| content_text(DIALECTS[i % 3], e).is_some())
                .count()
        }));
    }
    let started = Instant::now();
    for t in tasks {
        assert_eq!(t.await.expect("task"), 10);
    }
    let wall = started.elapsed();
    assert!(wall < Duration::from_secs(5), "300 streams took {wall:?}");
    // Server-side: every first delta left within a few ms of its TTFT.
    let served = fake.served();
    assert_eq!(served.len(), 300);
    let mut late: Vec<f64> = served
        .iter()
        .map(|s| (s.first_content.expect("content") - s.started).as_secs_f64() * 1000.0 - 200.0)
        .collect();
    late.sort_by(f64::total_cmp);
    assert!(late[0] >= 0.0, "content before the TTFT: {}", late[0]);
    assert!(late[150] < 10.0, "median lateness {} ms", late[150]);
    assert!(late[299] < 60.0, "worst lateness {} ms", late[299]);
}

#[tokio::test]
async fn the_same_seed_gives_the_same_faults() {
    let behavior = |seed| {
        Behavior::default()
            .with_seed(seed)
            .with_tokens(1, 0.0)
            .with_ttft(Ttft::LogNormal {
                p50_ms: 1.0,
                p95_ms: 3.0,
            })
            .with_fault(0.3, Fault::ServerError(500))
            .with_fault(0.3, Fault::RateLimited { retry_after_s: 1 })
    };
    let mut runs = Vec::new();
    for seed in [99, 99, 100] {
        let fake = FakeProvider::start(behavior(seed)).await;
        let c = client();
        for _ in 0..60 {
            let resp = openai(&c, &fake, KEY, 5).send().await.expect("request");
            let _ = resp.bytes().await;
        }
        let served = fake.served();
        let faults: Vec<Option<Fault>> = served.iter().map(|s| s.fault).collect();
        let ttfts: Vec<Option<f64>> = served.iter().map(|s| s.injected_ttft_ms).collect();
        runs.push((faults, ttfts));
    }
    assert_eq!(runs[0], runs[1]);
    assert_ne!(runs[0].0, runs[2].0);
}

/// A plain `#[test]`: no runtime of its own, a raw HTTP/1.1 exchange.
#[test]
fn start_blocking_serves_a_sync_test() {
    let fake = FakeProvider::start_blocking(Behavior::default().with_key(KEY).with_tokens(2, 0.0));
    let mut sock = std::net::TcpStream::connect(fake.addr()).expect("connect");
    sock.set_read_timeout(Some(Duration::from_secs(5)))
        .expect("timeout");
    let body =
        r#"{"model":"m","max_tokens":9,"messages":[{"role":"user","content":"hi"}],"stream":true}"#;
    let req = format!(
        "POST /v1/messages HTTP/1.1\r\nhost: x\r\nx-api-key: {KEY}\r\nanthropic-version: 2023-06-01\r\ncontent-type: application/json\r\nconnection: close\r\ncontent-length: {}\r\n\r\n{body}",
        body.len()
    );
    sock.write_all(req.as_bytes()).expect("write");
    let mut out = String::new();
    sock.read_to_string(&mut out).expect("read");
    assert!(out.starts_with("HTTP/1.1 200"), "{out}");
    assert!(out.contains("x-request-id: 1\r\n"));
    assert!(out.contains("event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n"));
    assert_eq!(out.matches("\"text\":\"tok \"").count(), 2);
    let rec = fake
        .wait_finished_blocking(1, Duration::from_secs(2))
        .expect("ended");
    assert_eq!(rec.key.as_deref(), Some(KEY));
    drop(fake);
}

#[tokio::test]
async fn shutdown_closes_the_port() {
    let fake = FakeProvider::start(Behavior::default()).await;
    let addr = fake.addr();
    assert!(addr.ip().is_loopback());
    tokio::net::TcpStream::connect(addr)
        .await
        .expect("listening");
    fake.shutdown().await;
    let refused =
        tokio::time::timeout(Duration::from_secs(2), tokio::net::TcpStream::connect(addr))
            .await
            .expect("bounded");
    assert!(refused.is_err());
}

#[tokio::test]
async fn garbage_on_the_wire_does_not_hurt_the_server() {
    let fake = FakeProvider::start(Behavior::default().with_key(KEY)).await;
    for garbage in [
        &b"\x00\x01\x02 not http at all\r\n\r\n"[..],
        b"POST /v1/chat/completions HTTP/1.1\r\ncontent-length: 99999999999999999999\r\n\r\n",
        b"POST /v1/messages HTTP/1.1\r\nx-api-key: \xff\xfe\r\nanthropic-version: 1\r\nconnection: close\r\ncontent-length: 2\r\n\r\n{}",
        b"GET /v1beta/models?key=%zz%&alt HTTP/1.1\r\nconnection: close\r\n\r\n",
    ] {
        let mut sock = tokio::net::TcpStream::connect(fake.addr()).await.expect("connect");
        sock.write_all(garbage).await.expect("write");
        let mut out = Vec::new();
        let read = tokio::time::timeout(Duration::from_secs(3), sock.read_to_end(&mut out)).await;
        assert!(read.is_ok(), "the server answers or closes promptly: {garbage:?}");
        let text = String::from_utf8_lossy(&out);
        assert!(
            text.is_empty() || text.starts_with("HTTP/1.1 4"),
            "{text}"
        );
    }
    let c = client();
    let resp = openai(&c, &fake, KEY, 2).send().await.expect("request");
    assert_eq!(resp.status(), 200);
}
