//! What the fake provider should do: latency, output size, injected faults and
//! outages.
//!
//! Everything random is drawn from a generator seeded by `Behavior::seed` and the
//! request's sequential id, so request number *k* gets the same TTFT and the same
//! fault on every run, however the requests interleave in time.
//!
//! Behind a gateway, arrival order is not stable (retries and fallbacks of
//! concurrent requests interleave), so a client can tag each of *its* requests
//! with a key in the prompt ([`REQUEST_KEY_MARKER`]). Then the draws are seeded by
//! (seed, key, attempt number of that key at this server) instead, and an
//! outage is decided once per key: every attempt of one client request, retries
//! included, sees the same up/down state, as in the planning model (MODEL.md §2).

use std::time::Duration;

use rand::{Rng, SeedableRng};
use rand_distr::StandardNormal;
use rand_xoshiro::Xoshiro256PlusPlus;

use super::bucket::RpmLimit;

/// The 95th percentile of the standard normal distribution: turns a p50/p95 pair
/// into the log-normal's sigma.
const Z_95: f64 = 1.644_853_6;

/// Time to first token: how long after receiving a generation request the server
/// waits before it sends the first *content* delta.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Ttft {
    /// Always this many milliseconds.
    Fixed(f64),
    /// Log-normal with this median and 95th percentile (milliseconds), which is
    /// roughly how real providers' TTFT is distributed.
    LogNormal { p50_ms: f64, p95_ms: f64 },
}

impl Ttft {
    fn validate(&self) {
        match *self {
            Ttft::Fixed(ms) => assert!(
                ms.is_finite() && ms >= 0.0,
                "Ttft::Fixed needs a finite, non-negative ms, got {ms}"
            ),
            Ttft::LogNormal { p50_ms, p95_ms } => assert!(
                p50_ms.is_finite() && p95_ms.is_finite() && p50_ms > 0.0 && p95_ms >= p50_ms,
                "Ttft::LogNormal needs 0 < p50 <= p95, got p50={p50_ms} p95={p95_ms}"
            ),
        }
    }

    /// Draws one TTFT in milliseconds: `p50 * exp(sigma * z)` with
    /// `sigma = ln(p95 / p50) / 1.6448536`.
    fn sample(&self, rng: &mut Xoshiro256PlusPlus) -> f64 {
        match *self {
            Ttft::Fixed(ms) => ms,
            Ttft::LogNormal { p50_ms, p95_ms } => {
                let sigma = (p95_ms / p50_ms).ln() / Z_95;
                let z: f64 = rng.sample(StandardNormal);
                p50_ms * (sigma * z).exp()
            }
        }
    }
}

/// How many prompt (input) tokens the server reports in usage.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PromptTokens {
    /// Always this count.
    Fixed(u32),
    /// `max(1, ceil(chars / 4))` over every text part of the prompt (system text
    /// included): the usual rule of thumb, stable for a given prompt.
    FromPrompt,
}

/// Put this in a prompt's text, followed by a key without whitespace (for
/// example `switchyard-request-key:r42`), to key the fake's random draws and
/// outages by that client request instead of by arrival order.
pub const REQUEST_KEY_MARKER: &str = "switchyard-request-key:";

/// A misbehaviour injected into a generation request instead of (or in the middle
/// of) a healthy stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Answers with this status (e.g. 500 or 503) and the dialect's JSON error
    /// body, after `Behavior::error_latency_ms`.
    ServerError(u16),
    /// Answers with 429, a `retry-after` header, the dialect's rate-limit headers
    /// (remaining = 0) and its rate-limit error body, after
    /// `Behavior::error_latency_ms`.
    RateLimited { retry_after_s: u64 },
    /// The same 429 without any `retry-after` header: the client must choose its
    /// own wait.
    RateLimitedNoRetryAfter,
    /// Accepts the request and then never sends another byte: with
    /// `send_headers` the 200 status and headers go out first, without it not even
    /// those. Ends only when the client gives up (or the server shuts down).
    Hang { send_headers: bool },
    /// Streams normally (TTFT included) until `after_tokens` content deltas are
    /// out, then aborts the TCP connection with an RST (SO_LINGER 0), not a clean
    /// end of body.
    ResetMidStream { after_tokens: u32 },
    /// Streams normally (TTFT included) until `after_tokens` content deltas are
    /// out, then sends nothing more with the connection left open: no finish
    /// reason, no end of body. Ends when the client goes away or the server
    /// shuts down. Without streaming: the 200 head after the generation time,
    /// then nothing.
    StallMidStream { after_tokens: u32 },
    /// Streams normally until `after_tokens` content deltas are out, then ends
    /// the body cleanly without the dialect's completion (no finish reason,
    /// `[DONE]` or `message_stop`): what a proxy that gives up mid-answer
    /// sends. Without streaming: the first half of the JSON body, then a clean
    /// end.
    CutMidStream { after_tokens: u32 },
    /// Streams normally, but after the first content delta sends one `data:` line
    /// whose JSON is cut short (carrying the client's key when
    /// `Behavior::hostile_echo` is on), then carries on to a normal end.
    MalformedSse,
    /// Sends the stream's preamble, then SSE comment and content-delta lines
    /// forever (a batch of about 8 KiB per millisecond), until the client goes
    /// away. Backpressure keeps server memory bounded.
    EndlessBody,
    /// A 200 `text/event-stream` whose body is `data: ` followed by `bytes` bytes
    /// of `x` and never a newline: one huge line, then a clean end.
    HugeBody { bytes: u64 },
}

impl Fault {
    fn validate(&self) {
        if let Fault::ServerError(status) = *self {
            assert!(
                (400..=599).contains(&status) && status != 429,
                "Fault::ServerError needs a 4xx/5xx status other than 429, got {status}"
            );
        }
    }
}

/// One fault and the probability that a given generation request gets it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FaultRule {
    pub probability: f64,
    pub fault: Fault,
}

/// A failure domain that is down for a share of client requests: the offering
/// itself, or a group it belongs to. Servers that share a domain get the same
/// rule (same `seed`), so they are down for the same requests. For a keyed
/// request the state is drawn once per key; otherwise once per request.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OutageRule {
    /// Seeds this domain's draws; independent of `Behavior::seed`.
    pub seed: u64,
    /// Probability that the domain is down for a given request.
    pub probability: f64,
}

/// A schedule of outage windows, as a provider's status page shows them: down
/// for `down` at the start of every `period`, `count` times, from an origin
/// set when the load starts ([`super::FakeProvider::start_down_windows`]). The
/// state is judged by the time an attempt reaches the server, so every request
/// arriving inside a window is refused whatever its key: the outcomes of one
/// window are not independent, which is what the interop's window scenarios
/// test gateways against.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DownWindows {
    pub period: Duration,
    pub down: Duration,
    pub count: u32,
}

impl DownWindows {
    /// Whether the server is down `since` the origin.
    pub fn down_at(&self, since: Duration) -> bool {
        let period = self.period.as_secs_f64();
        let t = since.as_secs_f64();
        let k = (t / period).floor();
        k < f64::from(self.count) && t - k * period < self.down.as_secs_f64()
    }

    /// The `(start, end)` offsets of window `k`.
    pub fn window(&self, k: u32) -> (Duration, Duration) {
        let start = self.period * k;
        (start, start + self.down)
    }
}

/// What a server does while one of its outage rules says it is down (MODEL.md's
/// `outage`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutageMode {
    /// Refuses with this status after `Behavior::error_latency_ms`.
    Error(u16),
    /// Accepts the request and sends nothing, not even headers, until the client
    /// gives up.
    Hang,
}

/// The whole behaviour of one fake provider. `Behavior::default()` is healthy and
/// fast: no key check, TTFT 0, no per-token delay, 16 output tokens, no faults.
#[derive(Debug, Clone, PartialEq)]
pub struct Behavior {
    /// Seeds every random choice (fault, TTFT), per request id.
    pub seed: u64,
    /// When set, every request must carry this key through its dialect's auth
    /// header (Gemini also accepts `?key=`); otherwise it gets a 401. When unset,
    /// any key or none is accepted (and still recorded).
    pub api_key: Option<String>,
    pub ttft: Ttft,
    /// Delay between successive content deltas, in milliseconds.
    pub per_token_ms: f64,
    /// Content deltas (one token each) in a healthy stream, capped by the
    /// request's `max_tokens` / `maxOutputTokens`.
    pub output_tokens: u32,
    pub prompt_tokens: PromptTokens,
    /// Faults and their probabilities; at most one applies to a request. The
    /// probabilities must add up to at most 1; the remainder is healthy.
    pub faults: Vec<FaultRule>,
    /// Send realistic rate-limit headers on successful responses too (429s always
    /// carry them).
    pub rate_limit_headers: bool,
    /// Put the client's API key, verbatim, into error bodies and the malformed SSE
    /// line, so tests can prove the client redacts it from whatever it keeps.
    pub hostile_echo: bool,
    /// Models listed by the `GET` models endpoints. Generation accepts any model.
    pub models: Vec<String>,
    /// Answer a generation request that does not ask to stream with one JSON
    /// body after the whole generation time (TTFT + `output_tokens *
    /// per_token_ms`), as gateways expect. Off by default: probes must stream,
    /// and a request that does not is then a 400.
    pub non_streaming: bool,
    /// Delay before an injected error or rate limit is answered (and before an
    /// outage refusal), in milliseconds.
    pub error_latency_ms: f64,
    /// Failure domains; the server is down for a request when any of them is.
    pub outages: Vec<OutageRule>,
    /// What the server does while down.
    pub outage_mode: OutageMode,
    /// Scheduled outage windows, in force once the load sets their origin.
    pub down_windows: Option<DownWindows>,
    /// A requests-per-minute limit on generation requests, as a token bucket
    /// ([`super::bucket`]): past it a request gets a 429 with `retry-after`
    /// (after `error_latency_ms`) before any fault or outage is drawn.
    pub rpm_limit: Option<RpmLimit>,
}

impl Default for Behavior {
    fn default() -> Self {
        Behavior {
            seed: 0,
            api_key: None,
            ttft: Ttft::Fixed(0.0),
            per_token_ms: 0.0,
            output_tokens: 16,
            prompt_tokens: PromptTokens::FromPrompt,
            faults: Vec::new(),
            rate_limit_headers: true,
            hostile_echo: false,
            models: vec!["fake-model".to_owned(), "fake-model-large".to_owned()],
            non_streaming: false,
            error_latency_ms: 0.0,
            outages: Vec::new(),
            outage_mode: OutageMode::Error(503),
            down_windows: None,
            rpm_limit: None,
        }
    }
}

impl Behavior {
    pub fn with_seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    pub fn with_key(mut self, key: impl Into<String>) -> Self {
        self.api_key = Some(key.into());
        self
    }

    pub fn with_ttft(mut self, ttft: Ttft) -> Self {
        self.ttft = ttft;
        self
    }

    pub fn with_tokens(mut self, output_tokens: u32, per_token_ms: f64) -> Self {
        self.output_tokens = output_tokens;
        self.per_token_ms = per_token_ms;
        self
    }

    /// Adds a fault applied with `probability` per generation request.
    pub fn with_fault(mut self, probability: f64, fault: Fault) -> Self {
        self.faults.push(FaultRule { probability, fault });
        self
    }

    pub fn with_hostile_echo(mut self, on: bool) -> Self {
        self.hostile_echo = on;
        self
    }

    pub fn with_non_streaming(mut self, on: bool) -> Self {
        self.non_streaming = on;
        self
    }

    pub fn with_error_latency_ms(mut self, ms: f64) -> Self {
        self.error_latency_ms = ms;
        self
    }

    /// Adds a failure domain that is down for `probability` of requests.
    pub fn with_outage(mut self, seed: u64, probability: f64) -> Self {
        self.outages.push(OutageRule { seed, probability });
        self
    }

    pub fn with_outage_mode(mut self, mode: OutageMode) -> Self {
        self.outage_mode = mode;
        self
    }

    /// Adds a schedule of outage windows (down as `outage_mode` says).
    pub fn with_down_windows(mut self, windows: DownWindows) -> Self {
        self.down_windows = Some(windows);
        self
    }

    pub fn with_rpm_limit(mut self, limit: RpmLimit) -> Self {
        self.rpm_limit = Some(limit);
        self
    }

    /// Panics on a configuration no test could mean (the test author's mistake,
    /// never a client's).
    pub(crate) fn validate(&self) {
        self.ttft.validate();
        assert!(
            self.per_token_ms.is_finite() && self.per_token_ms >= 0.0,
            "per_token_ms must be finite and non-negative"
        );
        let mut total = 0.0;
        for rule in &self.faults {
            assert!(
                (0.0..=1.0).contains(&rule.probability),
                "fault probability must lie in [0, 1], got {}",
                rule.probability
            );
            rule.fault.validate();
            total += rule.probability;
        }
        assert!(
            total <= 1.0 + 1e-9,
            "fault probabilities add up to {total}, more than 1"
        );
        assert!(
            self.error_latency_ms.is_finite() && self.error_latency_ms >= 0.0,
            "error_latency_ms must be finite and non-negative"
        );
        for rule in &self.outages {
            assert!(
                (0.0..=1.0).contains(&rule.probability),
                "outage probability must lie in [0, 1], got {}",
                rule.probability
            );
        }
        if let Some(limit) = self.rpm_limit {
            assert!(
                limit.rpm.is_finite() && limit.rpm > 0.0,
                "an RPM limit must be finite and positive, got {}",
                limit.rpm
            );
        }
        if let OutageMode::Error(status) = self.outage_mode {
            Fault::ServerError(status).validate();
        }
        if let Some(w) = self.down_windows {
            assert!(
                !w.down.is_zero() && w.down < w.period && w.count > 0,
                "down windows need 0 < down < period and a count, got {w:?}"
            );
        }
    }

    /// The random choices for one generation request: drawn from a generator
    /// seeded by (seed, draw) alone, always in the same order (fault, then TTFT);
    /// the outage state from each rule's own seed and the request (or its key).
    pub(crate) fn plan(&self, draw: Draw) -> Plan {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(self.seed ^ draw.mix());
        let down = self.outages.iter().any(|rule| {
            let mut domain = Xoshiro256PlusPlus::seed_from_u64(rule.seed ^ draw.request_mix());
            domain.random::<f64>() < rule.probability
        });
        let u: f64 = rng.random();
        let mut cumulative = 0.0;
        let mut fault = None;
        for rule in &self.faults {
            cumulative += rule.probability;
            if u < cumulative {
                fault = Some(rule.fault);
                break;
            }
        }
        let ttft_ms = self.ttft.sample(&mut rng);
        Plan {
            fault,
            ttft_ms,
            down,
        }
    }
}

/// What seeds one request's draws.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Draw {
    /// An untagged request: its sequential id.
    Id(u64),
    /// A tagged request: its key's hash and the attempt number of that key at
    /// this server (0 for the first).
    Keyed { key_hash: u64, attempt: u32 },
}

impl Draw {
    /// Mixes the whole draw (attempt included) into one seed word.
    fn mix(self) -> u64 {
        match self {
            Draw::Id(id) => id.wrapping_mul(0x9E37_79B9_7F4A_7C15),
            Draw::Keyed { key_hash, attempt } => splitmix(
                key_hash ^ splitmix(u64::from(attempt).wrapping_add(0xA076_1D64_78BD_642F)),
            ),
        }
    }

    /// Mixes only the request (not the attempt): the outage state holds for
    /// every attempt of a keyed request.
    fn request_mix(self) -> u64 {
        match self {
            Draw::Id(id) => splitmix(id),
            Draw::Keyed { key_hash, .. } => splitmix(key_hash),
        }
    }
}

/// SplitMix64's finaliser: spreads nearby inputs over the whole word.
fn splitmix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// FNV-1a over the key's bytes: stable across runs, platforms and Rust versions
/// (unlike `DefaultHasher`'s documented guarantees).
pub(crate) fn key_hash(key: &str) -> u64 {
    key.bytes().fold(0xCBF2_9CE4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01B3)
    })
}

/// What the random draws decided for one request.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Plan {
    pub fault: Option<Fault>,
    pub ttft_ms: f64,
    /// An outage rule says the server is down for this request.
    pub down: bool,
}
