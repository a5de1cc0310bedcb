//! What one probe measured, as stored and as printed.

use serde::{Deserialize, Serialize};

use crate::secret::{Redacted, Secret};

/// Why a probe failed.
///
/// Transport failures (no connection, or a connection reset mid-body) are
/// `Connect`; a body the probe cannot read (malformed SSE, a stream that ends
/// before completion or stalls once its content started, a body over the size
/// limit) is `Protocol`.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorClass {
    Timeout,
    Connect,
    RateLimited,
    Server,
    Client,
    Protocol,
}

impl ErrorClass {
    pub const ALL: [ErrorClass; 6] = [
        ErrorClass::Timeout,
        ErrorClass::Connect,
        ErrorClass::RateLimited,
        ErrorClass::Server,
        ErrorClass::Client,
        ErrorClass::Protocol,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ErrorClass::Timeout => "timeout",
            ErrorClass::Connect => "connect",
            ErrorClass::RateLimited => "rate_limited",
            ErrorClass::Server => "server",
            ErrorClass::Client => "client",
            ErrorClass::Protocol => "protocol",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == text)
    }

    /// The class of an HTTP error status.
    pub fn of_status(status: u16) -> Self {
        match status {
            429 => ErrorClass::RateLimited,
            500..=599 => ErrorClass::Server,
            _ => ErrorClass::Client,
        }
    }
}

/// What a probe asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProbeKind {
    /// A tiny streaming completion: time to first token, speed, usage.
    Stream,
    /// Listing the models: reachability, no tokens.
    Reachability,
}

impl ProbeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ProbeKind::Stream => "stream",
            ProbeKind::Reachability => "reachability",
        }
    }
}

/// Longest header name or value kept.
const MAX_HEADER_CHARS: usize = 128;
/// Most rate-limit headers kept from one response.
const MAX_HEADERS: usize = 32;

/// Rate-limit headers as the provider sent them (`x-ratelimit-*`,
/// `anthropic-ratelimit-*`, `retry-after`), redacted: a server can echo the
/// key in any header, names included.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RateLimits {
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub headers: Vec<(Redacted, Redacted)>,
    /// `retry-after` in seconds, when it was given as a number of seconds.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub retry_after_s: Option<f64>,
}

impl RateLimits {
    /// Picks the rate-limit headers out of a response's headers, with `key`
    /// redacted from their names and values.
    pub fn from_headers<'a>(
        headers: impl IntoIterator<Item = (&'a str, &'a str)>,
        key: &Secret,
    ) -> Self {
        let mut out = RateLimits::default();
        for (name, value) in headers {
            let name = name.to_ascii_lowercase();
            if name == "retry-after" {
                out.retry_after_s = value
                    .trim()
                    .parse::<f64>()
                    .ok()
                    .filter(|s| s.is_finite() && *s >= 0.0);
            }
            let wanted = name == "retry-after"
                || name.starts_with("x-ratelimit-")
                || name.starts_with("anthropic-ratelimit-");
            if wanted && out.headers.len() < MAX_HEADERS {
                out.headers.push((
                    key.redact(&name, MAX_HEADER_CHARS),
                    key.redact(value, MAX_HEADER_CHARS),
                ));
            }
        }
        out.headers.sort();
        out
    }
}

/// One probe's measurements.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProbeResult {
    pub offering: String,
    pub kind: ProbeKind,
    /// Wall-clock start, Unix milliseconds.
    pub started_at_ms: i64,
    pub ok: bool,
    pub status: Option<u16>,
    pub error: Option<ErrorClass>,
    /// What went wrong, in a sentence, with any key redacted and capped in length.
    pub error_detail: Option<Redacted>,
    /// Time to the first content delta (not to the headers).
    pub ttft_ms: Option<f64>,
    pub total_ms: f64,
    pub input_tokens: Option<u32>,
    pub output_tokens: Option<u32>,
    /// Output tokens after the first, per second of generation after the first.
    pub tokens_per_s: Option<f64>,
    pub rate_limits: RateLimits,
    pub cost_usd: f64,
    /// The provider's request id (`x-request-id`, `request-id`), for support tickets.
    pub request_id: Option<Redacted>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_classes() {
        assert_eq!(ErrorClass::of_status(429), ErrorClass::RateLimited);
        assert_eq!(ErrorClass::of_status(503), ErrorClass::Server);
        assert_eq!(ErrorClass::of_status(401), ErrorClass::Client);
        for class in ErrorClass::ALL {
            assert_eq!(ErrorClass::parse(class.as_str()), Some(class));
        }
    }

    #[test]
    fn rate_limit_headers_are_kept_and_retry_after_read() {
        let limits = RateLimits::from_headers(
            [
                ("Retry-After", "7"),
                ("x-ratelimit-remaining-requests", "99"),
                ("anthropic-ratelimit-tokens-limit", "1000"),
                ("content-type", "text/event-stream"),
            ],
            &Secret::new("sk-unused-0000"),
        );
        assert_eq!(limits.retry_after_s, Some(7.0));
        assert_eq!(limits.headers.len(), 3);
        assert_eq!(
            limits.headers[0].0.as_str(),
            "anthropic-ratelimit-tokens-limit"
        );
    }

    #[test]
    fn a_key_echoed_in_a_header_name_or_value_is_redacted() {
        let key = Secret::new("sk-canary-0123456789");
        let limits = RateLimits::from_headers(
            [
                (
                    "x-ratelimit-remaining-requests",
                    "Bearer sk-canary-0123456789",
                ),
                ("x-ratelimit-sk-canary-0123456789", "1"),
            ],
            &key,
        );
        let text = serde_json::to_string(&limits).expect("encodes");
        assert!(!text.contains("canary"), "{text}");
        assert!(text.contains("Bearer ***"), "{text}");
    }

    #[test]
    fn a_date_retry_after_is_kept_as_text_only() {
        let limits = RateLimits::from_headers(
            [("retry-after", "Wed, 21 Oct 2026 07:28:00 GMT")],
            &Secret::new("sk-unused-0000"),
        );
        assert_eq!(limits.retry_after_s, None);
        assert_eq!(limits.headers.len(), 1);
    }
}
