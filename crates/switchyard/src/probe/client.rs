//! One probe: send, time the first content delta, read the stream to its end
//! within a hard deadline and a body-size limit, and classify what went wrong.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use super::dialect::{self, Dialect, PROBE_PROMPT, ProbeTarget};
use super::outcome::{ErrorClass, ProbeKind, ProbeResult, RateLimits};
use super::sse::SseDecoder;
use crate::secret::{Redacted, Secret};

/// Limits of one probe.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ProbeOptions {
    /// `max_tokens` of the completion: small, so a probe is cheap.
    pub max_tokens: u32,
    /// Hard deadline for the whole attempt, body included.
    pub deadline: Duration,
    /// Longest silence allowed between two chunks of the body once the first
    /// content delta arrived. A stalled stream would otherwise only end at
    /// `deadline`, as a `Timeout` that the fit leaves out of `error_rate`
    /// (a slow answer is the latency figures' business); but a stream that
    /// stopped mid-way is broken, not slow, under any plan timeout, so it fails
    /// as `Protocol`, like a stream cut before its completion, and its detail
    /// says it stalled. Before the first delta the deadline alone applies: a
    /// long time to first token (a reasoning model thinking) is not a stall.
    pub stall_timeout: Duration,
    /// A body larger than this is cut and the probe fails (`Protocol`).
    pub max_body_bytes: usize,
    /// Longest SSE line accepted.
    pub max_line_bytes: usize,
}

impl Default for ProbeOptions {
    fn default() -> Self {
        Self {
            max_tokens: 16,
            deadline: Duration::from_secs(30),
            stall_timeout: Duration::from_secs(10),
            max_body_bytes: 1 << 20,
            max_line_bytes: 64 << 10,
        }
    }
}

/// Error details are capped: a hostile server must not fill the database.
const MAX_DETAIL_CHARS: usize = 300;
/// Request ids are capped likewise.
const MAX_REQUEST_ID_CHARS: usize = 128;
/// How much of an error body is read for its detail.
const MAX_ERROR_BODY: usize = 4096;

/// The one HTTP client all probes share: rustls, connection and request
/// timeouts, no redirects (a probe measures the endpoint it was given).
pub fn http_client() -> Result<reqwest::Client, reqwest::Error> {
    reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(10))
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!(
            "switchyard/",
            env!("CARGO_PKG_VERSION"),
            " (probe)"
        ))
        .build()
}

/// What a probe has seen so far; kept outside the request future so that a
/// deadline keeps the measurements made before it.
#[derive(Debug)]
struct Seen {
    started: Instant,
    status: Option<u16>,
    ttft_ms: Option<f64>,
    last_content_ms: Option<f64>,
    content_deltas: u32,
    input_tokens: Option<u32>,
    output_tokens: Option<u32>,
    rate_limits: RateLimits,
    request_id: Option<Redacted>,
}

impl Seen {
    fn elapsed_ms(&self) -> f64 {
        self.started.elapsed().as_secs_f64() * 1000.0
    }
}

type Failure = (ErrorClass, String);

/// Runs one probe of `kind` against `target`. Never fails: every failure is a
/// classified result.
pub async fn probe(
    client: &reqwest::Client,
    target: &ProbeTarget,
    key: &Secret,
    options: &ProbeOptions,
    kind: ProbeKind,
) -> ProbeResult {
    let started_at_ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64);
    let mut seen = Seen {
        started: Instant::now(),
        status: None,
        ttft_ms: None,
        last_content_ms: None,
        content_deltas: 0,
        input_tokens: None,
        output_tokens: None,
        rate_limits: RateLimits::default(),
        request_id: None,
    };
    let outcome = tokio::time::timeout(
        options.deadline,
        exchange(client, target, key, options, kind, &mut seen),
    )
    .await
    .unwrap_or_else(|_| {
        Err((
            ErrorClass::Timeout,
            format!(
                "no complete answer within {} ms",
                options.deadline.as_millis()
            ),
        ))
    });
    let total_ms = seen.elapsed_ms();
    finish(target, key, kind, started_at_ms, total_ms, seen, outcome)
}

fn finish(
    target: &ProbeTarget,
    key: &Secret,
    kind: ProbeKind,
    started_at_ms: i64,
    total_ms: f64,
    seen: Seen,
    outcome: Result<(), Failure>,
) -> ProbeResult {
    let output_tokens = seen
        .output_tokens
        .or((seen.content_deltas > 0).then_some(seen.content_deltas));
    let input_tokens = match kind {
        ProbeKind::Stream => seen
            .input_tokens
            .or(Some((PROBE_PROMPT.len() as u32).div_ceil(4))),
        ProbeKind::Reachability => None,
    };
    let tokens_per_s = match (
        outcome.is_ok(),
        output_tokens,
        seen.ttft_ms,
        seen.last_content_ms,
    ) {
        (true, Some(out), Some(first), Some(last)) if out >= 2 && last > first => {
            Some(f64::from(out - 1) / ((last - first) / 1000.0))
        }
        _ => None,
    };
    let cost_usd = f64::from(input_tokens.unwrap_or(0)) * target.input_per_mtok / 1e6
        + f64::from(output_tokens.unwrap_or(0)) * target.output_per_mtok / 1e6;
    let (error, error_detail) = match outcome {
        Ok(()) => (None, None),
        Err((class, detail)) => (Some(class), Some(key.redact(&detail, MAX_DETAIL_CHARS))),
    };
    ProbeResult {
        offering: target.offering.clone(),
        kind,
        started_at_ms,
        ok: error.is_none(),
        status: seen.status,
        error,
        error_detail,
        ttft_ms: seen.ttft_ms,
        total_ms,
        input_tokens,
        output_tokens,
        tokens_per_s,
        rate_limits: seen.rate_limits,
        cost_usd,
        request_id: seen.request_id,
    }
}

/// The request and its whole response.
async fn exchange(
    client: &reqwest::Client,
    target: &ProbeTarget,
    key: &Secret,
    options: &ProbeOptions,
    kind: ProbeKind,
    seen: &mut Seen,
) -> Result<(), Failure> {
    let request = match kind {
        ProbeKind::Stream => dialect::stream_request(client, target, key, options.max_tokens),
        ProbeKind::Reachability => dialect::models_request(client, target, key),
    };
    let mut response = request.send().await.map_err(transport_failure)?;
    let status = response.status().as_u16();
    seen.status = Some(status);
    let headers = response.headers();
    seen.rate_limits = RateLimits::from_headers(
        headers
            .iter()
            .filter_map(|(name, value)| Some((name.as_str(), value.to_str().ok()?))),
        key,
    );
    seen.request_id = ["x-request-id", "request-id"]
        .iter()
        .find_map(|h| headers.get(*h)?.to_str().ok())
        .map(|id| key.redact(id, MAX_REQUEST_ID_CHARS));

    if !response.status().is_success() {
        let body = read_capped(&mut response, MAX_ERROR_BODY).await;
        let mut detail = format!("HTTP {status}");
        if let Some(after) = seen.rate_limits.retry_after_s {
            detail.push_str(&format!(" (retry after {after} s)"));
        }
        if !body.trim().is_empty() {
            detail.push_str(": ");
            detail.push_str(body.trim());
        }
        return Err((ErrorClass::of_status(status), detail));
    }
    match kind {
        ProbeKind::Reachability => Ok(()),
        ProbeKind::Stream => read_stream(response, target.dialect, options, seen).await,
    }
}

/// Reads the event stream chunk by chunk, timing the first content delta.
async fn read_stream(
    mut response: reqwest::Response,
    dialect: Dialect,
    options: &ProbeOptions,
    seen: &mut Seen,
) -> Result<(), Failure> {
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    if !content_type.contains("event-stream") {
        return Err((
            ErrorClass::Protocol,
            format!("expected an event stream, got content-type `{content_type}`"),
        ));
    }
    let mut decoder = SseDecoder::new(options.max_line_bytes);
    let mut events = Vec::new();
    let mut received = 0usize;
    let mut done = false;
    loop {
        let chunk = next_chunk(&mut response, options, seen, received).await?;
        let Some(chunk) = chunk else {
            decoder
                .finish(&mut events)
                .map_err(|e| (ErrorClass::Protocol, e.to_string()))?;
            done |= absorb(dialect, &mut events, seen)?;
            break;
        };
        received += chunk.len();
        if received > options.max_body_bytes {
            return Err((
                ErrorClass::Protocol,
                format!(
                    "the body exceeded {} bytes and was cut",
                    options.max_body_bytes
                ),
            ));
        }
        decoder
            .feed(&chunk, &mut events)
            .map_err(|e| (ErrorClass::Protocol, e.to_string()))?;
        if absorb(dialect, &mut events, seen)? {
            done = true;
            // Read what is left (the chunked terminator), within the limits, so
            // the connection goes back to the pool instead of being dropped. The
            // answer is complete: a server silent past here only loses the
            // connection, not the probe.
            while let Ok(Ok(Some(rest))) =
                tokio::time::timeout(options.stall_timeout, response.chunk()).await
            {
                received += rest.len();
                if received > options.max_body_bytes {
                    break;
                }
            }
            break;
        }
    }
    // Every dialect marks the end: `[DONE]`, `message_stop`, or Gemini's
    // `finishReason` on its last chunk. A body that ends cleanly without it was
    // cut (a gateway or proxy giving up mid-answer), not finished.
    if done {
        Ok(())
    } else {
        Err((
            ErrorClass::Protocol,
            "the stream ended before the completion did".to_owned(),
        ))
    }
}

/// The next chunk of the body; once content flowed, a silence longer than
/// `stall_timeout` is a stall.
async fn next_chunk(
    response: &mut reqwest::Response,
    options: &ProbeOptions,
    seen: &Seen,
    received: usize,
) -> Result<Option<impl std::ops::Deref<Target = [u8]> + use<>>, Failure> {
    let read = response.chunk();
    let chunk = if seen.content_deltas == 0 {
        read.await
    } else {
        match tokio::time::timeout(options.stall_timeout, read).await {
            Ok(chunk) => chunk,
            Err(_) => return Err((ErrorClass::Protocol, stall_detail(options, seen, received))),
        }
    };
    chunk.map_err(|e| {
        (
            ErrorClass::Connect,
            format!(
                "the connection failed after {received} bytes of the stream: {}",
                chain(&e)
            ),
        )
    })
}

/// Says that (and where) the stream stalled.
fn stall_detail(options: &ProbeOptions, seen: &Seen, received: usize) -> String {
    format!(
        "the stream stalled: no byte for {} ms after {received} bytes and {} content deltas",
        options.stall_timeout.as_millis(),
        seen.content_deltas
    )
}

/// Applies decoded events to what was seen; true once the stream says it is done.
fn absorb(
    dialect: Dialect,
    events: &mut Vec<super::sse::SseEvent>,
    seen: &mut Seen,
) -> Result<bool, Failure> {
    let mut done = false;
    for event in events.drain(..) {
        let meaning = dialect::interpret(dialect, &event).map_err(|e| (ErrorClass::Protocol, e))?;
        if let Some(error) = meaning.error {
            return Err((
                ErrorClass::Server,
                format!("error inside the stream: {error}"),
            ));
        }
        if meaning.content {
            let now = seen.elapsed_ms();
            seen.ttft_ms.get_or_insert(now);
            seen.last_content_ms = Some(now);
            seen.content_deltas += 1;
        }
        seen.input_tokens = meaning.input_tokens.or(seen.input_tokens);
        seen.output_tokens = meaning.output_tokens.or(seen.output_tokens);
        done |= meaning.done;
    }
    Ok(done)
}

/// At most `limit` bytes of the body, as text; the rest is never read.
async fn read_capped(response: &mut reqwest::Response, limit: usize) -> String {
    let mut body = Vec::new();
    while body.len() < limit {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                body.extend_from_slice(&chunk[..chunk.len().min(limit - body.len())])
            }
            _ => break,
        }
    }
    String::from_utf8_lossy(&body).into_owned()
}

fn transport_failure(e: reqwest::Error) -> Failure {
    // Anything but a timeout before the response is a failure to talk to the
    // endpoint at all: refused, reset, TLS, DNS.
    let class = if e.is_timeout() {
        ErrorClass::Timeout
    } else {
        ErrorClass::Connect
    };
    (class, chain(&e))
}

/// An error and its causes, in one line (also the reason of a failed price
/// download, `catalog::fetch`).
pub(crate) fn chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
