//! A fake LLM provider on loopback for end-to-end tests of live probes and
//! gateways.
//!
//! It speaks the OpenAI chat-completions, Anthropic Messages and Gemini
//! `streamGenerateContent` wire formats with real SSE, and injects seeded,
//! reproducible latency and faults (errors, 429s, hangs, TCP resets, malformed
//! SSE, endless and huge bodies). Every request is logged as a [`Served`].
//!
//! For gateways ([`Behavior::non_streaming`]) it also answers requests that do
//! not stream with one JSON body (Gemini: `generateContent`), and models a
//! provider the way MODEL.md does: outages per client request
//! ([`Behavior::outages`], keyed by [`REQUEST_KEY_MARKER`] in the prompt),
//! errors per attempt after `error_latency_ms`, and the whole generation time
//! before the answer.
//!
//! The server always runs on its **own** multi-threaded Tokio runtime (two worker
//! threads), whatever the caller uses: a `#[tokio::test]` on a current-thread
//! runtime, or a plain `#[test]`. That keeps its timers (TTFT, per-token delay)
//! independent of the test's own load, and makes the sync and async entry points
//! the same server:
//!
//! ```no_run
//! use switchyard_e2e::fake_provider::{Behavior, FakeProvider, Fault, Ttft};
//!
//! // In an async test (any runtime flavour):
//! # async fn async_test() {
//! let fake = FakeProvider::start(
//!     Behavior::default()
//!         .with_key("sk-test")
//!         .with_ttft(Ttft::LogNormal { p50_ms: 300.0, p95_ms: 900.0 })
//!         .with_fault(0.1, Fault::RateLimited { retry_after_s: 2 }),
//! )
//! .await;
//! let url = format!("{}/v1/chat/completions", fake.base_url());
//! # let _ = url;
//! fake.shutdown().await; // or just drop it
//! # }
//!
//! // In a plain #[test]: the same server, nothing else to hold.
//! fn sync_test() {
//!     let fake = FakeProvider::start_blocking(Behavior::default());
//!     let served = fake.served();
//! #   let _ = served;
//! }
//! ```
//!
//! It only ever binds `127.0.0.1:0`.

mod bucket;
mod config;
mod dialects;
mod faults;
mod nonstream;
mod record;
mod wire;

pub use bucket::{BucketStart, RpmLimit, TokenBucket, retry_after_s};
pub use config::{
    Behavior, DownWindows, Fault, FaultRule, OutageMode, OutageRule, PromptTokens,
    REQUEST_KEY_MARKER, Ttft,
};
pub use dialects::Dialect;
pub use record::Served;

use std::collections::HashMap;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use http_body_util::{BodyExt, Empty, Full, Limited, StreamBody, combinators::BoxBody};
use hyper::body::Incoming;
use hyper::header::{HeaderMap, HeaderValue};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::{TcpListener, TcpStream};
use tokio::runtime::Runtime;
use tokio::sync::mpsc;
use tokio::task::{JoinHandle, JoinSet};

use config::{Draw, key_hash};
use dialects::{Encoder, ErrorKind, GenRequest};
use faults::{CHANNEL_FRAMES, Sink, StreamJob};
use record::{Log, Recorder};
use wire::{Connection, StampedIo};

/// Request bodies larger than this get a 413: no probe sends anything close.
const MAX_REQUEST_BYTES: usize = 4 * 1024 * 1024;

/// Worker threads of the server's runtime: enough for hundreds of concurrent
/// streams (they are mostly asleep) on this 2-core machine.
const WORKER_THREADS: usize = 2;

type Body = BoxBody<Bytes, Infallible>;

/// State shared by every connection.
#[derive(Debug)]
struct Shared {
    behavior: Behavior,
    next_id: AtomicU64,
    /// Generation requests so far, for the rate-limit headers' "remaining".
    generations: AtomicU64,
    /// Attempts seen so far per client request key.
    attempts_by_key: Mutex<HashMap<String, u32>>,
    /// The RPM limit's bucket, if the behaviour has one.
    bucket: Option<Mutex<TokenBucket>>,
    /// When the down windows' schedule starts; none are in force before.
    windows_origin: Mutex<Option<Instant>>,
    log: Arc<Log>,
}

impl Shared {
    /// Whether a request received at `at` falls in a scheduled down window.
    fn in_down_window(&self, at: Instant) -> bool {
        let Some(windows) = self.behavior.down_windows else {
            return false;
        };
        let origin = *self
            .windows_origin
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        origin
            .and_then(|o| at.checked_duration_since(o))
            .is_some_and(|since| windows.down_at(since))
    }

    /// The draw for a generation request: by key and attempt when tagged (and
    /// counts the attempt), else by id.
    fn draw(&self, id: u64, key: Option<&str>) -> (Draw, u32) {
        let Some(key) = key else {
            return (Draw::Id(id), 0);
        };
        let mut attempts = self
            .attempts_by_key
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let counter = attempts.entry(key.to_owned()).or_insert(0);
        let attempt = *counter;
        *counter = counter.saturating_add(1);
        (
            Draw::Keyed {
                key_hash: key_hash(key),
                attempt,
            },
            attempt,
        )
    }
}

/// A running fake provider. Dropping it stops the server (listener, open
/// connections and streams) without blocking.
#[derive(Debug)]
pub struct FakeProvider {
    addr: SocketAddr,
    shared: Arc<Shared>,
    accept: Option<JoinHandle<()>>,
    runtime: Option<Runtime>,
}

impl FakeProvider {
    /// Starts a server on `127.0.0.1:0` on its own runtime. Callable from any
    /// async context. Panics if `behavior` is inconsistent (probabilities above 1,
    /// negative delays) or the loopback port cannot be bound.
    pub async fn start(behavior: Behavior) -> FakeProvider {
        Self::start_inner(behavior)
    }

    /// The same server for non-async tests: nothing to hold but the returned
    /// value. Works from inside an async context too (it does not block on
    /// anything but binding a loopback port).
    pub fn start_blocking(behavior: Behavior) -> FakeProvider {
        Self::start_inner(behavior)
    }

    fn start_inner(behavior: Behavior) -> FakeProvider {
        behavior.validate();
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(WORKER_THREADS)
            .thread_name("fake-provider")
            .enable_io()
            .enable_time()
            .build()
            .expect("the fake provider builds its runtime");
        let std_listener = std::net::TcpListener::bind(("127.0.0.1", 0))
            .expect("the fake provider binds a loopback port");
        std_listener
            .set_nonblocking(true)
            .expect("the listener goes non-blocking");
        let addr = std_listener
            .local_addr()
            .expect("the listener has an address");
        let listener = {
            let _guard = runtime.enter();
            TcpListener::from_std(std_listener).expect("tokio adopts the listener")
        };
        let bucket = behavior
            .rpm_limit
            .map(|limit| Mutex::new(TokenBucket::new(limit, Instant::now())));
        let shared = Arc::new(Shared {
            bucket,
            behavior,
            next_id: AtomicU64::new(0),
            generations: AtomicU64::new(0),
            attempts_by_key: Mutex::new(HashMap::new()),
            windows_origin: Mutex::new(None),
            log: Arc::new(Log::default()),
        });
        let accept = runtime.spawn(accept_loop(listener, Arc::clone(&shared)));
        FakeProvider {
            addr,
            shared,
            accept: Some(accept),
            runtime: Some(runtime),
        }
    }

    /// `http://127.0.0.1:PORT`, without a trailing slash.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn behavior(&self) -> &Behavior {
        &self.shared.behavior
    }

    /// Starts the RPM limit's bucket afresh now, as full or as empty as its
    /// [`RpmLimit::start`] says; nothing without a limit. For a load that
    /// begins well after the server (a gateway takes seconds to start, and an
    /// empty bucket would fill meanwhile).
    pub fn restart_rpm_limit(&self) {
        if let (Some(bucket), Some(limit)) = (&self.shared.bucket, self.shared.behavior.rpm_limit) {
            *bucket
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner) =
                TokenBucket::new(limit, Instant::now());
        }
    }

    /// Starts the schedule of [`Behavior::down_windows`] at `origin` (the
    /// load's own clock, so that its arrivals and the windows line up).
    pub fn start_down_windows(&self, origin: Instant) {
        *self
            .shared
            .windows_origin
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(origin);
    }

    /// Every request so far, by id, including the ones still in flight
    /// (`ended: None`).
    pub fn served(&self) -> Vec<Served> {
        self.shared.log.all()
    }

    /// The record of request `id`, if it has arrived.
    pub fn served_by_id(&self, id: u64) -> Option<Served> {
        self.shared.log.get(id)
    }

    /// Waits (at most `timeout`) until request `id` has ended, and returns its
    /// record; `None` if it did not end in time.
    pub async fn wait_finished(&self, id: u64, timeout: Duration) -> Option<Served> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(r) = self.shared.log.get(id).filter(|r| r.ended.is_some()) {
                return Some(r);
            }
            if Instant::now() >= deadline {
                return None;
            }
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
    }

    /// [`FakeProvider::wait_finished`] for non-async tests.
    pub fn wait_finished_blocking(&self, id: u64, timeout: Duration) -> Option<Served> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(r) = self.shared.log.get(id).filter(|r| r.ended.is_some()) {
                return Some(r);
            }
            if Instant::now() >= deadline {
                return None;
            }
            std::thread::sleep(Duration::from_millis(2));
        }
    }

    /// Stops accepting and closes every connection. When it returns the port
    /// refuses new connections.
    pub async fn shutdown(mut self) {
        if let Some(accept) = self.accept.take() {
            accept.abort();
            // Cancelled is the expected outcome; the listener is dropped by then.
            let _ = accept.await;
        }
    }
}

impl Drop for FakeProvider {
    fn drop(&mut self) {
        if let Some(accept) = self.accept.take() {
            accept.abort();
        }
        if let Some(runtime) = self.runtime.take() {
            // Never blocks, so dropping a provider inside an async test is fine.
            runtime.shutdown_background();
        }
    }
}

/// Accepts connections until aborted; aborting drops the `JoinSet`, which
/// aborts every connection task with it.
async fn accept_loop(listener: TcpListener, shared: Arc<Shared>) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    connections.spawn(serve_connection(stream, Arc::clone(&shared)));
                }
                // Out of file descriptors and the like: back off instead of
                // spinning; the client sees a slow accept.
                Err(_) => tokio::time::sleep(Duration::from_millis(5)).await,
            },
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
}

/// Serves one connection with HTTP/1.1 keep-alive. Keeps a duplicate of the
/// socket so that a `ResetMidStream` producer can have it aborted with an RST:
/// SO_LINGER 0 on the shared socket, then closing both descriptors.
async fn serve_connection(stream: TcpStream, shared: Arc<Shared>) {
    // SSE chunks are small; Nagle's algorithm would hold them back.
    let _ = stream.set_nodelay(true);
    let Ok(std_stream) = stream.into_std() else {
        return;
    };
    let Ok(dup) = std_stream.try_clone() else {
        return;
    };
    let Ok(stream) = TcpStream::from_std(std_stream) else {
        return;
    };
    let hooks = Arc::new(Connection::default());
    let service = {
        let hooks = Arc::clone(&hooks);
        service_fn(move |req| handle(Arc::clone(&shared), Arc::clone(&hooks), req))
    };
    let connection = http1::Builder::new().keep_alive(true).serve_connection(
        TokioIo::new(StampedIo::new(stream, Arc::clone(&hooks))),
        service,
    );
    tokio::select! {
        _ = connection => {}
        () = hooks.reset.notified() => {
            let _ = socket2::SockRef::from(&dup).set_linger(Some(Duration::ZERO));
        }
    }
    // The connection (and its descriptor) is dropped by now; dropping the
    // duplicate closes the socket, with an RST if linger was set.
    drop(dup);
}

/// Where a request goes.
#[derive(Debug)]
enum Route {
    /// A generation: the dialect, Gemini's model from the path, and whether
    /// Gemini's path was the streaming one (`true` for the other dialects,
    /// whose body says).
    Generate(Dialect, Option<String>, bool),
    Models(Dialect),
    WrongMethod(Dialect),
    NotFound(Dialect),
}

fn route(method: &Method, path: &str, headers: &HeaderMap) -> Route {
    let anthropic_ish =
        headers.contains_key("anthropic-version") || headers.contains_key("x-api-key");
    let by_method = |d: Dialect, want: Method, r: Route| {
        if *method == want {
            r
        } else {
            Route::WrongMethod(d)
        }
    };
    match path {
        "/v1/chat/completions" => by_method(
            Dialect::OpenAi,
            Method::POST,
            Route::Generate(Dialect::OpenAi, None, true),
        ),
        "/v1/messages" => by_method(
            Dialect::Anthropic,
            Method::POST,
            Route::Generate(Dialect::Anthropic, None, true),
        ),
        "/v1/models" => {
            let d = if anthropic_ish {
                Dialect::Anthropic
            } else {
                Dialect::OpenAi
            };
            by_method(d, Method::GET, Route::Models(d))
        }
        "/v1beta/models" => by_method(Dialect::Gemini, Method::GET, Route::Models(Dialect::Gemini)),
        _ => {
            if let Some(rest) = path.strip_prefix("/v1beta/models/") {
                let generate = rest
                    .strip_suffix(":streamGenerateContent")
                    .map(|m| (m, true))
                    .or_else(|| rest.strip_suffix(":generateContent").map(|m| (m, false)));
                if let Some((model, stream)) = generate
                    && !model.is_empty()
                    && !model.contains('/')
                {
                    return by_method(
                        Dialect::Gemini,
                        Method::POST,
                        Route::Generate(Dialect::Gemini, Some(model.to_owned()), stream),
                    );
                }
                return Route::NotFound(Dialect::Gemini);
            }
            if path.starts_with("/v1beta") {
                Route::NotFound(Dialect::Gemini)
            } else if anthropic_ish {
                Route::NotFound(Dialect::Anthropic)
            } else {
                Route::NotFound(Dialect::OpenAi)
            }
        }
    }
}

fn header_str<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// Decodes `%XX` escapes and `+` in a query value; invalid escapes stay as they
/// are (a fake should be lenient, not crash).
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let hex = s
                    .get(i + 1..i + 3)
                    .and_then(|h| u8::from_str_radix(h, 16).ok());
                if let Some(b) = hex {
                    out.push(b);
                    i += 3;
                } else {
                    out.push(b'%');
                    i += 1;
                }
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn query_param(query: Option<&str>, name: &str) -> Option<String> {
    query?.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        (percent_decode(k) == name).then(|| percent_decode(v))
    })
}

/// A hostile server's headers: the client's key in the request ids, in
/// rate-limit headers a client reads (values and a name), and in `retry-after`
/// where the response has no real one (a 429 keeps its own, so the dialects'
/// 429 shapes stay as they are).
fn echo_headers(id: u64, key: &str, status: StatusCode) -> Vec<(String, String)> {
    let mut names = vec![
        "x-request-id",
        "request-id",
        "x-ratelimit-echo",
        "anthropic-ratelimit-echo",
    ];
    if status != StatusCode::TOO_MANY_REQUESTS {
        names.push("retry-after");
    }
    let mut headers: Vec<(String, String)> = names
        .iter()
        .map(|name| ((*name).to_owned(), format!("{id}-Bearer {key}")))
        .collect();
    headers.push((
        format!("x-ratelimit-{}", key.to_ascii_lowercase()),
        id.to_string(),
    ));
    headers
}

/// The key the client sent through its dialect's mechanism.
fn client_key(dialect: Dialect, headers: &HeaderMap, query: Option<&str>) -> Option<String> {
    match dialect {
        Dialect::OpenAi => header_str(headers, "authorization").and_then(|v| {
            let (scheme, token) = v.split_once(' ')?;
            scheme
                .eq_ignore_ascii_case("bearer")
                .then(|| token.trim().to_owned())
        }),
        Dialect::Anthropic => header_str(headers, "x-api-key").map(str::to_owned),
        Dialect::Gemini => header_str(headers, "x-goog-api-key")
            .map(str::to_owned)
            .or_else(|| query_param(query, "key")),
    }
}

/// Builds responses for one request, stamping the headers every response has.
struct Responder<'a> {
    shared: &'a Shared,
    dialect: Dialect,
    id: u64,
    /// The key to echo into error bodies (only when `hostile_echo`).
    echo_key: Option<String>,
}

impl Responder<'_> {
    fn base(
        &self,
        status: StatusCode,
        content_type: &'static str,
    ) -> hyper::http::response::Builder {
        let mut b = Response::builder()
            .status(status)
            .header("content-type", content_type);
        match &self.echo_key {
            None => {
                b = b.header("x-request-id", self.id.to_string());
                if self.dialect == Dialect::Anthropic {
                    b = b.header("request-id", format!("req_fake{:08}", self.id));
                }
            }
            Some(key) => b = Self::with_headers(b, echo_headers(self.id, key, status)),
        }
        b
    }

    /// Adds the headers whose name and value are valid; others are left out.
    fn with_headers<N: AsRef<str>>(
        mut b: hyper::http::response::Builder,
        headers: Vec<(N, String)>,
    ) -> hyper::http::response::Builder {
        for (name, value) in headers {
            let name = hyper::header::HeaderName::from_bytes(name.as_ref().as_bytes());
            if let (Ok(n), Ok(v)) = (name, HeaderValue::from_str(&value)) {
                b = b.header(n, v);
            }
        }
        b
    }

    fn finish(b: hyper::http::response::Builder, body: Body) -> Response<Body> {
        // Every header set above is a valid static name and a checked value, so
        // this cannot fail; an empty 500 is the harmless fallback anyway.
        b.body(body).unwrap_or_else(|_| {
            let mut r = Response::new(Empty::new().boxed());
            *r.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
            r
        })
    }

    fn error(&self, status: u16, kind: ErrorKind, message: &str) -> Response<Body> {
        let code = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = dialects::error_body(
            self.dialect,
            status,
            kind,
            message,
            self.id,
            self.echo_key.as_deref(),
        );
        Self::finish(self.base(code, "application/json"), Full::new(body).boxed())
    }

    /// A 429; with `retry_after_s` it carries a `retry-after` header (and
    /// Gemini's `RetryInfo`), without it the client gets no hint.
    fn rate_limited(&self, retry_after_s: Option<u64>) -> Response<Body> {
        let mut b = self.base(StatusCode::TOO_MANY_REQUESTS, "application/json");
        if let Some(s) = retry_after_s {
            b = b.header("retry-after", s.to_string());
        }
        b = Self::with_headers(
            b,
            dialects::rate_limit_headers(
                self.dialect,
                dialects::LIMIT_REQUESTS,
                retry_after_s.unwrap_or(60),
            ),
        );
        let body = match self.dialect {
            Dialect::Gemini => {
                dialects::gemini_rate_limit_body(retry_after_s, self.echo_key.as_deref())
            }
            d => dialects::error_body(
                d,
                429,
                ErrorKind::RateLimited,
                "Rate limit reached for requests. Please try again later.",
                self.id,
                self.echo_key.as_deref(),
            ),
        };
        Self::finish(b, Full::new(body).boxed())
    }

    fn json(&self, body: Bytes) -> Response<Body> {
        Self::finish(
            self.base(StatusCode::OK, "application/json"),
            Full::new(body).boxed(),
        )
    }

    /// A 200 SSE response whose body is fed through the returned sink.
    fn sse(&self) -> (Response<Body>, Sink) {
        self.channel("text/event-stream")
    }

    /// A 200 response of this content type whose body is fed through the
    /// returned sink.
    fn channel(&self, content_type: &'static str) -> (Response<Body>, Sink) {
        let (tx, mut rx) = mpsc::channel(CHANNEL_FRAMES);
        let stream = futures_util::stream::poll_fn(move |cx| rx.poll_recv(cx));
        let mut b = self.base(StatusCode::OK, content_type);
        if content_type == "text/event-stream" {
            b = b.header("cache-control", "no-cache");
        }
        if self.shared.behavior.rate_limit_headers {
            let used = self.shared.generations.load(Ordering::Relaxed);
            b = Self::with_headers(b, dialects::rate_limit_headers(self.dialect, used, 60));
        }
        (
            Self::finish(b, BodyExt::boxed(StreamBody::new(stream))),
            Sink::new(tx),
        )
    }
}

/// The service: never fails, never panics on client input.
async fn handle(
    shared: Arc<Shared>,
    hooks: Arc<Connection>,
    req: Request<Incoming>,
) -> Result<Response<Body>, Infallible> {
    let received = Instant::now();
    let id = shared.next_id.fetch_add(1, Ordering::Relaxed) + 1;
    let method = req.method().clone();
    let path = req.uri().path().to_owned();
    let query = req.uri().query().map(str::to_owned);
    let route = route(&method, &path, req.headers());
    let dialect = match &route {
        Route::Generate(d, _, _)
        | Route::Models(d)
        | Route::WrongMethod(d)
        | Route::NotFound(d) => *d,
    };
    let key = client_key(dialect, req.headers(), query.as_deref());
    let has_version = req.headers().contains_key("anthropic-version");
    let rec = shared.log.open(Served {
        id,
        dialect: (!matches!(route, Route::NotFound(_))).then_some(dialect),
        method: method.to_string(),
        path,
        model: None,
        key: key.clone(),
        status: None,
        injected_ttft_ms: None,
        fault: None,
        request_key: None,
        attempt: 0,
        down: false,
        throttled: false,
        streaming: false,
        output_tokens: 0,
        client_disconnected: false,
        started: received,
        first_content: None,
        first_content_on_wire: None,
        ended: None,
    });
    let r = Responder {
        shared: &shared,
        dialect,
        id,
        echo_key: if shared.behavior.hostile_echo {
            key.clone()
        } else {
            None
        },
    };

    // Read the body before any answer, so that an early error (401, 404, ...)
    // leaves the connection clean for keep-alive.
    let body = match Limited::new(req.into_body(), MAX_REQUEST_BYTES)
        .collect()
        .await
    {
        Ok(collected) => collected.to_bytes(),
        Err(e) if e.is::<http_body_util::LengthLimitError>() => {
            // The rest of the body is still on the wire: the connection cannot
            // be reused, and the client must be told so.
            let mut response = r.error(413, ErrorKind::TooLarge, "request body too large");
            response
                .headers_mut()
                .insert("connection", HeaderValue::from_static("close"));
            return Ok(done(rec, response));
        }
        Err(_) => {
            return Ok(done(
                rec,
                r.error(
                    400,
                    ErrorKind::BadRequest,
                    "could not read the request body",
                ),
            ));
        }
    };
    let path_model = match route {
        Route::NotFound(_) => {
            return Ok(done(
                rec,
                r.error(404, ErrorKind::NotFound, "Unknown request URL"),
            ));
        }
        Route::WrongMethod(_) => {
            return Ok(done(
                rec,
                r.error(405, ErrorKind::MethodNotAllowed, "Method not allowed"),
            ));
        }
        Route::Models(_) => None,
        Route::Generate(_, model, gemini_stream) => {
            rec.update(|s| s.model.clone_from(&model));
            Some((model, gemini_stream))
        }
    };

    if dialect == Dialect::Anthropic && !has_version {
        return Ok(done(
            rec,
            r.error(
                400,
                ErrorKind::BadRequest,
                "anthropic-version: header is required",
            ),
        ));
    }
    if let Some(expected) = &shared.behavior.api_key
        && key.as_deref() != Some(expected.as_str())
    {
        let message = if key.is_none() {
            "No API key provided."
        } else {
            "Invalid API key."
        };
        return Ok(done(rec, r.error(401, ErrorKind::Auth, message)));
    }
    let Some((path_model, gemini_stream)) = path_model else {
        let body = dialects::models_body(dialect, &shared.behavior.models);
        return Ok(done(rec, r.json(body)));
    };
    if dialect == Dialect::Gemini && !gemini_stream && !shared.behavior.non_streaming {
        return Ok(done(
            rec,
            r.error(
                400,
                ErrorKind::BadRequest,
                "this fake provider only streams: use streamGenerateContent?alt=sse",
            ),
        ));
    }
    if dialect == Dialect::Gemini
        && gemini_stream
        && query_param(query.as_deref(), "alt").as_deref() != Some("sse")
    {
        return Ok(done(
            rec,
            r.error(
                400,
                ErrorKind::BadRequest,
                "this fake provider only streams Server-Sent Events: add ?alt=sse",
            ),
        ));
    }

    let request = match dialects::parse_request(
        dialect,
        &body,
        path_model.as_deref(),
        gemini_stream,
        shared.behavior.non_streaming,
    ) {
        Ok(request) => request,
        Err(message) => return Ok(done(rec, r.error(400, ErrorKind::BadRequest, &message))),
    };
    let (draw, attempt) = shared.draw(id, request.request_key.as_deref());
    rec.update(|s| {
        s.model = Some(request.model.clone());
        s.request_key.clone_from(&request.request_key);
        s.attempt = attempt;
        s.streaming = request.stream;
    });
    shared.generations.fetch_add(1, Ordering::Relaxed);
    if let Some(bucket) = &shared.bucket {
        let admitted = bucket
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .try_take(received);
        if let Err(wait) = admitted {
            rec.update(|s| s.throttled = true);
            let error_latency = Duration::from_secs_f64(shared.behavior.error_latency_ms / 1000.0);
            tokio::time::sleep_until((received + error_latency).into()).await;
            return Ok(done(rec, r.rate_limited(Some(retry_after_s(wait)))));
        }
    }
    Ok(generate(&r, request, draw, key, rec, received, hooks).await)
}

/// Records the status and closes the record of an immediate response.
fn done(rec: Recorder, response: Response<Body>) -> Response<Body> {
    let status = response.status().as_u16();
    rec.update(|s| s.status = Some(status));
    rec.finish(false);
    response
}

/// Answers a valid generation request: a fault, a stream, or (when it did not
/// ask to stream) one JSON body.
async fn generate(
    r: &Responder<'_>,
    request: GenRequest,
    draw: Draw,
    key: Option<String>,
    rec: Recorder,
    received: Instant,
    hooks: Arc<Connection>,
) -> Response<Body> {
    let behavior = &r.shared.behavior;
    let mut plan = behavior.plan(draw);
    plan.down |= r.shared.in_down_window(received);
    // While down, the outage decides instead of the per-attempt draw.
    let fault = if plan.down {
        Some(match behavior.outage_mode {
            OutageMode::Error(status) => Fault::ServerError(status),
            OutageMode::Hang => Fault::Hang {
                send_headers: false,
            },
        })
    } else {
        plan.fault
    };
    rec.update(|s| {
        s.fault = fault;
        s.down = plan.down;
    });
    let error_latency = Duration::from_secs_f64(behavior.error_latency_ms / 1000.0);
    match fault {
        Some(Fault::ServerError(status)) => {
            tokio::time::sleep_until((received + error_latency).into()).await;
            return done(
                rec,
                r.error(
                    status,
                    ErrorKind::Server,
                    "The server had an error while processing your request.",
                ),
            );
        }
        Some(Fault::RateLimited { retry_after_s }) => {
            tokio::time::sleep_until((received + error_latency).into()).await;
            return done(rec, r.rate_limited(Some(retry_after_s)));
        }
        Some(Fault::RateLimitedNoRetryAfter) => {
            tokio::time::sleep_until((received + error_latency).into()).await;
            return done(rec, r.rate_limited(None));
        }
        Some(Fault::Hang {
            send_headers: false,
        }) => {
            // Hold the record until hyper drops this future, which it does when
            // the client closes the connection; the record then says so.
            let _rec = rec;
            return std::future::pending().await;
        }
        _ => {}
    }
    if !request.stream {
        let answer = nonstream::Answer {
            request,
            fault,
            ttft_ms: plan.ttft_ms,
            echo_key: if behavior.hostile_echo { key } else { None },
            received,
        };
        return nonstream::answer(r, answer, rec, hooks).await;
    }

    let (response, sink) = r.sse();
    rec.update(|s| s.status = Some(200));
    match fault {
        Some(Fault::Hang { .. }) => {
            tokio::spawn(faults::hang(sink, rec));
        }
        Some(Fault::HugeBody { bytes }) => {
            tokio::spawn(faults::huge(bytes, sink, rec));
        }
        fault => {
            let tokens = output_tokens(behavior, &request);
            let job = StreamJob {
                enc: encoder(r, behavior, request),
                fault,
                tokens,
                received,
                ttft_ms: plan.ttft_ms,
                per_token_ms: behavior.per_token_ms,
                echo_key: if behavior.hostile_echo { key } else { None },
                hooks,
            };
            tokio::spawn(faults::produce(job, sink, rec));
        }
    }
    response
}

/// Content tokens of a healthy answer: the configured count, capped by the
/// request's own limit.
fn output_tokens(behavior: &Behavior, request: &GenRequest) -> u32 {
    behavior
        .output_tokens
        .min(request.max_tokens.unwrap_or(u32::MAX))
}

/// The encoder of one answer's events or body.
fn encoder(r: &Responder<'_>, behavior: &Behavior, request: GenRequest) -> Encoder {
    let prompt_tokens = match behavior.prompt_tokens {
        PromptTokens::Fixed(n) => n,
        PromptTokens::FromPrompt => {
            u32::try_from(request.prompt_chars.div_ceil(4).max(1)).unwrap_or(u32::MAX)
        }
    };
    Encoder {
        dialect: r.dialect,
        request_id: r.id,
        model: request.model,
        prompt_tokens,
        include_usage: request.include_usage,
        created: SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs()),
    }
}
