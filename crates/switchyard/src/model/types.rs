//! The plain data the model computes over. Indices, not names, link the parts:
//! the plan module has already checked that every reference resolves.

use serde::{Deserialize, Serialize};

use super::outage_process::OutageProcess;
use super::tokens::{TokenMix, TokenMixes};

/// How an offering behaves while it is down (`MODEL.md` §1, `outage`).
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum OutageMode {
    /// Refused quickly, after `error_latency_ms`.
    #[default]
    Error,
    /// Nothing comes back: the attempt runs until its timeout.
    Hang,
}

/// Time to first token: log-normal through its median and 95th percentile.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Ttft {
    /// `ln p50`.
    pub mu: f64,
    /// `(ln p95 - ln p50) / z95`; zero makes the time deterministic.
    pub sigma: f64,
    /// `p50` itself, so that a sample is `p50 * exp(sigma z)`, exact when sigma is 0.
    pub median_ms: f64,
}

/// The standard normal quantile at 0.95, to the precision `MODEL.md` fixes.
pub const Z95: f64 = 1.644_853_6;

impl Ttft {
    /// The log-normal through `p50` and `p95` (both in ms, `0 < p50 <= p95`).
    pub fn from_percentiles(p50_ms: f64, p95_ms: f64) -> Self {
        let mu = p50_ms.ln();
        Self {
            mu,
            sigma: (p95_ms.ln() - mu) / Z95,
            median_ms: p50_ms,
        }
    }

    /// The 95th percentile the distribution goes through.
    pub fn p95_ms(&self) -> f64 {
        self.median_ms * (self.sigma * Z95).exp()
    }
}

/// List prices in USD per million tokens.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Prices {
    pub input_per_mtok: f64,
    pub cached_input_per_mtok: f64,
    pub output_per_mtok: f64,
    /// What a request sent through the provider's batch API pays
    /// ([`super::request_price`]); the planning figures of §2–3 do not use it.
    pub batch: BatchPrices,
    /// The higher prices of a long prompt, if the offering has them.
    pub tier: Option<PriceTier>,
}

impl Prices {
    /// The prices (input, cached input, output, per 1M tokens) a request
    /// whose prompt has `input_tokens` tokens pays: the tier's when the
    /// prompt is above its threshold, on all the request's tokens.
    pub fn for_prompt(&self, input_tokens: f64) -> (f64, f64, f64) {
        match self.tier {
            Some(t) if input_tokens > t.above_tokens => {
                (t.input_per_mtok, t.cached_input_per_mtok, t.output_per_mtok)
            }
            _ => (
                self.input_per_mtok,
                self.cached_input_per_mtok,
                self.output_per_mtok,
            ),
        }
    }
}

/// Batch prices, resolved the way LiteLLM 1.106.2's `batch_cost_calculator`
/// bills a batch request, so that pricing one is a lookup, not a rule.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct BatchPrices {
    pub input_per_mtok: f64,
    /// `None`: cached tokens are not told apart, every prompt token pays
    /// `input_per_mtok` (LiteLLM, when the offering has a batch input price
    /// but no batch cache price). `Some`: they pay this, the others
    /// `input_per_mtok`.
    pub cached_input_per_mtok: Option<f64>,
    pub output_per_mtok: f64,
}

/// A price tier: a request whose prompt (cached tokens included) has more
/// than `above_tokens` tokens pays these prices on all its tokens, not only
/// on those above the threshold. Prices the tier does not list are resolved
/// before they get here (`plan::resolve`): input and output fall back to the
/// list prices, cached input to the list cached price, else the tier's input.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PriceTier {
    pub above_tokens: f64,
    pub input_per_mtok: f64,
    pub cached_input_per_mtok: f64,
    pub output_per_mtok: f64,
}

/// One model at one provider endpoint, with every parameter resolved.
#[derive(Debug, Clone, PartialEq)]
pub struct Offering {
    pub id: String,
    /// Total uptime, its groups included.
    pub availability: f64,
    pub mttr_minutes: f64,
    pub error_rate: f64,
    pub error_latency_ms: f64,
    pub outage: OutageMode,
    pub ttft: Ttft,
    pub tokens_per_s: f64,
    pub prices: Prices,
    /// Indices into [`Portfolio::groups`].
    pub groups: Vec<usize>,
    /// The provider's rate limits on this offering, if known.
    pub quota: Quota,
}

/// An offering's rate limits, per minute (`MODEL.md` §12). `None`: no limit
/// is known, and the model assumes the offering takes whatever it is sent.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Quota {
    /// Requests a minute.
    pub rpm: Option<f64>,
    /// Input tokens a minute.
    pub input_tpm: Option<f64>,
    /// Output tokens a minute.
    pub output_tpm: Option<f64>,
}

impl Quota {
    /// Whether any limit is set.
    pub fn is_limited(&self) -> bool {
        self.rpm.is_some() || self.input_tpm.is_some() || self.output_tpm.is_some()
    }
}

/// A shared-failure domain.
#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    pub id: String,
    /// The long-run uptime; with a `process`, the process's mean.
    pub availability: f64,
    /// The mean outage; with a `process`, the mean of one event.
    pub mttr_minutes: f64,
    /// The outage process fitted from the group's history. Without one the
    /// group alternates exponential up and down times (`MODEL.md` §3).
    pub process: Option<OutageProcess>,
}

impl Group {
    /// A group whose outages follow `process`: its availability and mean
    /// outage are the process's, so the closed forms agree with the
    /// simulation's mean.
    pub fn fitted(id: &str, process: OutageProcess) -> Self {
        Self {
            id: id.to_owned(),
            availability: process.mean_availability(),
            mttr_minutes: process.mean_event_minutes(),
            process: Some(process),
        }
    }
}

/// One step of a fallback chain.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Step {
    /// Index into [`Portfolio::offerings`].
    pub offering: usize,
    /// Tries, retries included (at least 1).
    pub attempts: u32,
    pub timeout_ms: f64,
    /// Wait before retry `i` is `backoff_ms * 2^(i-1)`.
    pub backoff_ms: f64,
}

impl Step {
    /// The wait before attempt `attempt` (0-based) of this step.
    pub fn backoff_before(&self, attempt: u32) -> f64 {
        if attempt == 0 {
            0.0
        } else {
            self.backoff_ms * f64::from(1u32 << (attempt - 1).min(30))
        }
    }
}

/// An ordered fallback chain that takes `share` of the traffic.
#[derive(Debug, Clone, PartialEq)]
pub struct Route {
    pub name: String,
    pub share: f64,
    pub steps: Vec<Step>,
}

/// What the traffic looks like.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Workload {
    pub requests_per_month: f64,
    /// Mean tokens per request: what rate limits, exports and self-hosting
    /// sizes use (all linear in tokens).
    pub input_tokens: f64,
    pub output_tokens: f64,
    pub cached_input_share: f64,
    /// Deadline for the whole request, fallbacks included.
    pub latency_budget_ms: Option<f64>,
    /// Fixed monthly costs added to the monthly figure (gateway hosting, ...).
    pub fixed_monthly_usd: f64,
    /// When in the day the requests come.
    pub traffic: Traffic,
    /// The tokens per request as distributions, whose means are
    /// `input_tokens` and `output_tokens`; `None`: every request has the
    /// means.
    pub token_mixes: Option<TokenMixes>,
}

impl Workload {
    /// The input and output distributions: the plan's, or points at the means.
    pub fn mixes(&self) -> TokenMixes {
        self.token_mixes.unwrap_or(TokenMixes {
            input: TokenMix::single(self.input_tokens),
            output: TokenMix::single(self.output_tokens),
        })
    }
}

/// How the month's requests spread over the day and within the peak hour
/// (`MODEL.md` §12). Only rate limits make this matter: every other figure
/// is per request.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Traffic {
    /// Each UTC hour's share of a day's requests; the 24 shares sum to 1.
    pub hourly_share: [f64; 24],
    /// The busiest minute of the peak hour over that hour's mean minute; 1
    /// leaves only the Poisson spread of arrivals.
    pub peak_minute_factor: f64,
}

impl Default for Traffic {
    /// Flat over the day, Poisson within the hour.
    fn default() -> Self {
        Self {
            hourly_share: [1.0 / 24.0; 24],
            peak_minute_factor: 1.0,
        }
    }
}

impl Traffic {
    /// The traffic of `weights` (24 non-negative weights, not all zero),
    /// normalised to shares.
    pub fn from_weights(weights: &[f64; 24], peak_minute_factor: f64) -> Self {
        let total: f64 = weights.iter().sum();
        Self {
            hourly_share: weights.map(|w| w / total),
            peak_minute_factor,
        }
    }

    /// The busiest hour (the first, on a tie).
    pub fn peak_hour(&self) -> usize {
        (0..24).fold(0, |best, h| {
            if self.hourly_share[h] > self.hourly_share[best] {
                h
            } else {
                best
            }
        })
    }
}

/// Everything the model needs: a resolved plan.
#[derive(Debug, Clone, PartialEq)]
pub struct Portfolio {
    pub offerings: Vec<Offering>,
    pub groups: Vec<Group>,
    pub routes: Vec<Route>,
    pub workload: Workload,
}

impl Portfolio {
    /// The offering's own uptime once its groups are factored out
    /// (`availability / Π groups`), clamped to 1 against rounding.
    pub fn private_availability(&self, offering: usize) -> f64 {
        let o = &self.offerings[offering];
        let groups: f64 = o
            .groups
            .iter()
            .map(|&g| self.groups[g].availability)
            .product();
        if groups <= 0.0 {
            return 0.0;
        }
        (o.availability / groups).min(1.0)
    }
}
