//! The normalised usage record every reader produces: one logged request, or
//! one aggregated bucket of requests (OpenAI's usage export). Nothing of the
//! request's content (prompts, responses) is in it.

use std::borrow::Cow;

/// How a request ended, as the log says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Success,
    Failure,
}

/// What one record stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Granularity {
    /// One request: its tokens go into the per-request histograms.
    Request,
    /// `requests` requests in a bucket `width_s` seconds wide, starting at the
    /// record's start: its tokens are sums over the bucket. The histograms are
    /// per request, so a bucket adds to the counts and sums only, never to
    /// them (a bucket's mean put in as `requests` equal requests would invent a
    /// distribution the log does not have).
    Bucket { requests: u64, width_s: i64 },
}

impl Granularity {
    pub fn requests(self) -> u64 {
        match self {
            Granularity::Request => 1,
            Granularity::Bucket { requests, .. } => requests,
        }
    }
}

/// One record of a usage log, in UTC.
#[derive(Debug, Clone, PartialEq)]
pub struct UsageRecord<'a> {
    /// When the request (or bucket) started, milliseconds since
    /// 1970-01-01T00:00Z.
    pub start_ms: i64,
    /// The model as the log names it (LiteLLM: the provider's model, `model`).
    pub model: Cow<'a, str>,
    /// The gateway's public model name (LiteLLM: `model_group`), if logged.
    pub model_group: Option<Cow<'a, str>>,
    /// Where the request went (LiteLLM: `api_base`), if logged.
    pub api_base: Option<Cow<'a, str>>,
    pub input_tokens: u64,
    pub output_tokens: u64,
    /// Input tokens read from the provider's prompt cache, when the log says.
    pub cached_tokens: Option<u64>,
    /// `None` when the log has no status (OpenAI's buckets count billed
    /// requests; older LiteLLM rows have no `status`).
    pub status: Option<Status>,
    /// LiteLLM answered from its own response cache: no provider was called.
    pub cache_hit: bool,
    /// End-to-end latency, when the log has it.
    pub latency_ms: Option<f64>,
    /// Spend as logged (LiteLLM's `spend`), USD.
    pub spend_usd: Option<f64>,
    /// Sent through the provider's batch API, which bills batch prices
    /// (`model::request_price`). Only the formats that say so set it:
    /// OpenAI's usage buckets (`batch: true`) and LiteLLM rows of a batch
    /// call ([`crate::usage::litellm_spend::is_batch_call`]); false
    /// otherwise.
    pub batch: bool,
    pub granularity: Granularity,
}
