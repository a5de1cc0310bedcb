//! What one probe measured, as stored and as printed.

use serde::{Deserialize, Serialize};

/// Why a probe failed.
///
/// Transport failures (no connection, or a connection reset mid-body) are
/// `Connect`; a body the probe cannot read (malformed SSE, a stream that ends
/// before completion, a body over the size limit) is `Protocol`.
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

/// Rate-limit headers as the provider sent them (`x-ratelimit-*`,
/// `anthropic-ratelimit-*`, `retry-after`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RateLimits {
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub headers: Vec<(String, String)>,
    /// `retry-after` in seconds, when it was given as a number of seconds.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub retry_after_s: Option<f64>,
}

impl RateLimits {
    /// Picks the rate-limit headers out of a response's headers.
    pub fn from_headers<'a>(headers: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
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
            if wanted && out.headers.len() < 32 {
                let value: String = value.chars().take(128).collect();
                out.headers.push((name, value));
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
    pub error_detail: Option<String>,
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
    pub request_id: Option<String>,
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
        let limits = RateLimits::from_headers([
            ("Retry-After", "7"),
            ("x-ratelimit-remaining-requests", "99"),
            ("anthropic-ratelimit-tokens-limit", "1000"),
            ("content-type", "text/event-stream"),
        ]);
        assert_eq!(limits.retry_after_s, Some(7.0));
        assert_eq!(limits.headers.len(), 3);
        assert_eq!(limits.headers[0].0, "anthropic-ratelimit-tokens-limit");
    }

    #[test]
    fn a_date_retry_after_is_kept_as_text_only() {
        let limits = RateLimits::from_headers([("retry-after", "Wed, 21 Oct 2026 07:28:00 GMT")]);
        assert_eq!(limits.retry_after_s, None);
        assert_eq!(limits.headers.len(), 1);
    }
}
