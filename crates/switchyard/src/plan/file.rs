//! The plan file's shape (`PLAN_FORMAT.md`), field for field. Optional fields stay
//! `None` when absent, so that writing a plan back gives the plan that was read;
//! defaults are applied when the plan is resolved. Unknown fields are refused: a
//! typo must not pass silently.

use serde::{Deserialize, Serialize};

use crate::model::outage_process::OutageProcess;
use crate::model::{Group, OutageMode};

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanFile {
    pub workload: WorkloadSpec,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<TargetSpec>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub offerings: Vec<OfferingSpec>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<GroupSpec>,
    /// Absent or empty only in a plan that is searched (`[search]`), not evaluated.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub routes: Vec<RouteSpec>,
    /// What `switchyard search` looks for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub search: Option<SearchSpec>,
    /// Total cost of ownership against self-hosting (`switchyard tco`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tco: Option<TcoSpec>,
    /// How the gateway handles a failing step: when it stops sending it
    /// requests, and for how long (`export`, `lint`, `evaluate --as`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gateway: Option<GatewaySpec>,
}

/// `[gateway]`: the failure handling both LiteLLM and Portkey can express.
/// Every field is optional; an absent one takes the gateway's own default
/// (`export::breaker::DEFAULTS`) when the plan is exported or evaluated `--as`
/// a gateway.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GatewaySpec {
    /// Failures of a step, counted within the window, that take it out of
    /// rotation (LiteLLM `allowed_fails` + 1, Portkey `failure_threshold`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failures_to_trip: Option<u32>,
    /// How long failures stay counted, in seconds. Neither gateway counts
    /// over a window of its own: both count over the cooldown, so a window
    /// other than the cooldown is reported by the lint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window_s: Option<f64>,
    /// How long a tripped step is skipped, in seconds (LiteLLM
    /// `cooldown_time`, Portkey `cooldown_interval` / 1000).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cooldown_s: Option<f64>,
}

/// `[search]`: the candidates, the choices per step and the constraints of a
/// portfolio search. Every field is optional; defaults are applied when the
/// search is resolved (see `docs/SEARCH.md`).
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SearchSpec {
    /// Candidate offering ids (inline or catalog). When absent, the candidates
    /// are the inline offerings and the catalog offerings that pass the filter.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub candidates: Option<Vec<String>>,
    /// Catalog filter: only these providers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub providers: Option<Vec<String>>,
    /// Catalog filter: only this mode; `chat` when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<String>,
    /// Only offerings whose catalog quality score is at least this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_quality: Option<f64>,
    /// Only offerings at most this dear, USD per million input tokens.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_input_per_mtok: Option<f64>,
    /// Only offerings at most this dear, USD per million output tokens.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_output_per_mtok: Option<f64>,
    /// Chains of 1 up to this many steps; 3 when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_chain_length: Option<usize>,
    /// Tries per step to consider; `[1, 2]` when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attempts: Option<Vec<u32>>,
    /// Timeouts per attempt to consider; the latency budget (or 30 s) when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeouts_ms: Option<Vec<f64>>,
    /// The backoff of every step; 0 when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backoff_ms: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_availability: Option<f64>,
    /// Checked on the frontier's points, exactly.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_success_within_budget: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_monthly_usd: Option<f64>,
    /// What the frontier trades off: `cost` and `availability` (both
    /// required), and `p95`, `success_within_budget` as further axes; cost
    /// and availability when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub objectives: Option<Vec<String>>,
    /// With p95 as an objective, two p95s within this fraction of each
    /// other count as one (0.01: within 1%); 0 is the exact frontier. 0.01
    /// when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub p95_resolution: Option<f64>,
    /// With p95 or success within the budget as an objective, two
    /// availabilities within this many nines count as one; 0 is exact.
    /// 0.01 when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub availability_resolution_nines: Option<f64>,
}

/// `[tco]`: the horizon and both paths' costs besides the API bill.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TcoSpec {
    pub horizon_months: u32,
    /// Volume growth per month (0.05 = 5%); 0 when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub monthly_growth: Option<f64>,
    /// Peak output tokens/s over the mean; 2 when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub peak_to_mean: Option<f64>,
    pub engineering_usd_per_hour: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gateway_usd_per_month: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api: Option<EngineeringSpec>,
    pub self_hosted: SelfHostedSpec,
}

/// Engineering hours of one path; both 0 when absent.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EngineeringSpec {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub integration_hours: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upkeep_hours_per_month: Option<f64>,
}

/// `[tco.self_hosted]`: GPUs rented (`gpu_usd_per_hour`) or bought
/// (`gpu_purchase_usd` with `amortisation_months`, `power_kw`, `pue`, `usd_per_kwh`).
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SelfHostedSpec {
    pub tokens_per_s_per_gpu: f64,
    /// 0.6 when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub utilisation_target: Option<f64>,
    /// 1 when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spare_replicas: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gpu_usd_per_hour: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gpu_purchase_usd: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amortisation_months: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub power_kw: Option<f64>,
    /// 1.4 when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pue: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub usd_per_kwh: Option<f64>,
    /// Uptime of one replica; 0.99 when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replica_availability: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operations_usd_per_month: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub integration_hours: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upkeep_hours_per_month: Option<f64>,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkloadSpec {
    pub requests_per_month: f64,
    /// Per request: a mean, or a distribution (`usage workload` measures one).
    pub input_tokens: TokenCount,
    pub output_tokens: TokenCount,
    /// Share of input tokens billed at the cached price; 0 when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cached_input_share: Option<f64>,
    /// Deadline for the whole request; none when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latency_budget_ms: Option<f64>,
    /// Fixed monthly costs added to the monthly figure; 0 when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fixed_monthly_usd: Option<f64>,
    /// 24 weights, one per UTC hour from 00:00: how the day's requests
    /// spread. Flat when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hourly_shape: Option<Vec<f64>>,
    /// The busiest minute of the peak hour over that hour's mean minute; 1
    /// (Poisson arrivals alone) when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub peak_minute_factor: Option<f64>,
}

/// Tokens per request: one number (every request alike, or their mean), or
/// a distribution of requests over token counts. A distribution prices a
/// request above a price tier at the tier's prices, and gives long answers
/// their own generation time, which a mean cannot (MODEL.md §2.1).
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum TokenCount {
    Mean(f64),
    Distribution(TokenDistribution),
}

/// `{ values = [...], weights = [...] }`: `weights[i]` requests (in any
/// unit: counts, shares) have `values[i]` tokens.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TokenDistribution {
    pub values: Vec<f64>,
    pub weights: Vec<f64>,
}

impl TokenCount {
    /// The mean tokens per request (`NaN` when the weights sum to nothing;
    /// the resolver refuses such a plan first).
    pub fn mean(&self) -> f64 {
        match self {
            TokenCount::Mean(x) => *x,
            TokenCount::Distribution(d) => {
                let total: f64 = d.weights.iter().sum();
                d.values
                    .iter()
                    .zip(&d.weights)
                    .map(|(v, w)| v * w)
                    .sum::<f64>()
                    / total
            }
        }
    }
}

impl From<f64> for TokenCount {
    fn from(x: f64) -> Self {
        TokenCount::Mean(x)
    }
}

/// By hand rather than `untagged`, so that a wrong value is told what a
/// token count may be, not that it "did not match any variant".
impl<'de> Deserialize<'de> for TokenCount {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = TokenCount;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a number of tokens, or a table { values = [...], weights = [...] }")
            }
            fn visit_f64<E: serde::de::Error>(self, x: f64) -> Result<TokenCount, E> {
                Ok(TokenCount::Mean(x))
            }
            fn visit_i64<E: serde::de::Error>(self, x: i64) -> Result<TokenCount, E> {
                Ok(TokenCount::Mean(x as f64))
            }
            fn visit_u64<E: serde::de::Error>(self, x: u64) -> Result<TokenCount, E> {
                Ok(TokenCount::Mean(x as f64))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                map: A,
            ) -> Result<TokenCount, A::Error> {
                TokenDistribution::deserialize(serde::de::value::MapAccessDeserializer::new(map))
                    .map(TokenCount::Distribution)
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TargetSpec {
    pub availability: f64,
}

/// The API an offering speaks, for probes and exports.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Dialect {
    Openai,
    Anthropic,
    Gemini,
}

/// An offering defined inline, or inline overrides of a catalog offering: every
/// field but `id` may be absent.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OfferingSpec {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub availability: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mttr_minutes: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_rate: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_latency_ms: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outage: Option<OutageMode>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ttft_p50_ms: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ttft_p95_ms: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tokens_per_s: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input_per_mtok: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cached_input_per_mtok: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output_per_mtok: Option<f64>,
    /// Batch API input price; absent, half the input price (as LiteLLM bills
    /// a batch without one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub batch_input_per_mtok: Option<f64>,
    /// Batch API output price; absent, half the output price.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub batch_output_per_mtok: Option<f64>,
    /// The price tier's threshold: a request whose prompt has more tokens
    /// than this pays the tier's prices on all of them. No tier when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tier_above_tokens: Option<f64>,
    /// Input price above the threshold; absent, `input_per_mtok`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tier_input_per_mtok: Option<f64>,
    /// Cached-input price above the threshold; absent,
    /// `cached_input_per_mtok`, else the tier's input price.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tier_cached_input_per_mtok: Option<f64>,
    /// Output price above the threshold; absent, `output_per_mtok`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tier_output_per_mtok: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub groups: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dialect: Option<Dialect>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_base: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    /// The NAME of the environment variable that holds the key, never the key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_env: Option<String>,
    /// Requests a minute the provider accepts; no limit when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rpm_limit: Option<f64>,
    /// Input tokens a minute the provider accepts; no limit when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input_tpm_limit: Option<f64>,
    /// Output tokens a minute the provider accepts; no limit when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output_tpm_limit: Option<f64>,
}

impl OfferingSpec {
    /// Whether the spec sets the figure `field` (a plan field name).
    pub fn sets(&self, field: &str) -> bool {
        match field {
            "availability" => self.availability.is_some(),
            "mttr_minutes" => self.mttr_minutes.is_some(),
            "error_rate" => self.error_rate.is_some(),
            "error_latency_ms" => self.error_latency_ms.is_some(),
            "outage" => self.outage.is_some(),
            "ttft_p50_ms" => self.ttft_p50_ms.is_some(),
            "ttft_p95_ms" => self.ttft_p95_ms.is_some(),
            "tokens_per_s" => self.tokens_per_s.is_some(),
            "input_per_mtok" => self.input_per_mtok.is_some(),
            "cached_input_per_mtok" => self.cached_input_per_mtok.is_some(),
            "output_per_mtok" => self.output_per_mtok.is_some(),
            "batch_input_per_mtok" => self.batch_input_per_mtok.is_some(),
            "batch_output_per_mtok" => self.batch_output_per_mtok.is_some(),
            "tier_above_tokens" => self.tier_above_tokens.is_some(),
            "tier_input_per_mtok" => self.tier_input_per_mtok.is_some(),
            "tier_cached_input_per_mtok" => self.tier_cached_input_per_mtok.is_some(),
            "tier_output_per_mtok" => self.tier_output_per_mtok.is_some(),
            "groups" => self.groups.is_some(),
            "rpm_limit" => self.rpm_limit.is_some(),
            "input_tpm_limit" => self.input_tpm_limit.is_some(),
            "output_tpm_limit" => self.output_tpm_limit.is_some(),
            _ => false,
        }
    }

    /// `self` with each of its absent fields taken from `base`: inline fields
    /// override catalog fields one by one.
    pub fn over(&self, base: &OfferingSpec) -> OfferingSpec {
        macro_rules! pick {
            ($($field:ident),*) => {
                OfferingSpec {
                    id: self.id.clone(),
                    $($field: self.$field.clone().or_else(|| base.$field.clone()),)*
                }
            };
        }
        pick!(
            availability,
            mttr_minutes,
            error_rate,
            error_latency_ms,
            outage,
            ttft_p50_ms,
            ttft_p95_ms,
            tokens_per_s,
            input_per_mtok,
            cached_input_per_mtok,
            output_per_mtok,
            batch_input_per_mtok,
            batch_output_per_mtok,
            tier_above_tokens,
            tier_input_per_mtok,
            tier_cached_input_per_mtok,
            tier_output_per_mtok,
            groups,
            dialect,
            api_base,
            model,
            key_env,
            rpm_limit,
            input_tpm_limit,
            output_tpm_limit
        )
    }
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GroupSpec {
    pub id: String,
    /// Required unless `outage_process` is given, whose mean it then is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub availability: Option<f64>,
    /// 30 minutes when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mttr_minutes: Option<f64>,
    /// Outages as fitted from the group's history (`switchyard history fit`),
    /// in place of the constant-rate process of `availability` and
    /// `mttr_minutes`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outage_process: Option<OutageProcessSpec>,
}

impl GroupSpec {
    /// The spec that resolves to `group` again: its process when it has one,
    /// else its availability and MTTR.
    pub fn of(group: &Group) -> Self {
        match &group.process {
            Some(process) => Self {
                id: group.id.clone(),
                availability: None,
                mttr_minutes: None,
                outage_process: Some(OutageProcessSpec::of(process)),
            },
            None => Self {
                id: group.id.clone(),
                availability: Some(group.availability),
                mttr_minutes: Some(group.mttr_minutes),
                outage_process: None,
            },
        }
    }
}

/// A fitted outage process (`MODEL.md` §11) as a plan writes it.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutageProcessSpec {
    /// Mean outage days per 30-day month.
    pub events_per_month: f64,
    /// Gamma shape of a month's rate; absent for a Poisson count.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dispersion: Option<f64>,
    /// Mean and standard deviation of the log of an outage day's weighted minutes.
    pub log_mu: f64,
    pub log_sigma: f64,
}

impl OutageProcessSpec {
    /// The model's process: no dispersion is a Poisson count.
    pub fn process(&self) -> OutageProcess {
        OutageProcess {
            events_per_month: self.events_per_month,
            dispersion: self.dispersion.unwrap_or(f64::INFINITY),
            log_mu: self.log_mu,
            log_sigma: self.log_sigma,
        }
    }

    /// The spec of `process`: an infinite dispersion is left out.
    pub fn of(process: &OutageProcess) -> Self {
        Self {
            events_per_month: process.events_per_month,
            dispersion: process.dispersion.is_finite().then_some(process.dispersion),
            log_mu: process.log_mu,
            log_sigma: process.log_sigma,
        }
    }
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RouteSpec {
    pub name: String,
    /// 1 when absent (the natural value for a plan with one route).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub share: Option<f64>,
    pub steps: Vec<StepSpec>,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StepSpec {
    pub offering: String,
    /// 1 (no retry) when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attempts: Option<u32>,
    pub timeout_ms: f64,
    /// 0 when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backoff_ms: Option<f64>,
}
