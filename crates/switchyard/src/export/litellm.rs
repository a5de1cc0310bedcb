//! LiteLLM proxy `config.yaml` (checked against LiteLLM 1.106.2's `router.py`,
//! `router_utils/cooldown_handlers.py` and `utils.py`).
//!
//! How the plan maps onto LiteLLM's router:
//!
//! - **Routes are model groups.** The application calls a route by its name
//!   (`"model": "default"`): the route's first step is the deployment of the
//!   group named after the route. Each later step is a group of its own,
//!   `<route>/step-<n>` (n counts from 1), reached only through
//!   `router_settings.fallbacks` (`{default: [default/step-2, default/step-3]}`),
//!   which LiteLLM tries in order, each with its own retries.
//! - **Attempts are per deployment.** `litellm_params.num_retries` is
//!   `attempts - 1`. LiteLLM 1.106.2 takes a deployment's own `num_retries` over
//!   the router's when the request does not send one (`async_function_with_retries`:
//!   request, then deployment, then router). `router_settings.num_retries` is 0, the
//!   default for a deployment added by hand. A request that sends `num_retries`
//!   overrides every step: the lint says so.
//! - **No retries under the router.** `max_retries: 0` stops the OpenAI SDK inside
//!   LiteLLM from retrying each call twice on its own (its default), which would
//!   triple every attempt of an OpenAI-compatible step.
//! - **Timeouts** are per deployment, `timeout` in seconds; `router_settings.timeout`
//!   is the longest of them, for deployments added by hand. LiteLLM raises its own
//!   `Timeout` (408), which it retries like a 429 or a 5xx. `stream_timeout`
//!   is the same figure: LiteLLM uses it instead of `timeout` for a streaming
//!   call, as the HTTP client's timeout of every read of the body, so a stream
//!   that stalls once started ends with a `Timeout` (retried or fallen back
//!   from) instead of holding the client (docs.litellm.ai/docs/proxy/timeout,
//!   "Custom Timeouts & Stream Timeouts (Per Model)"; BerriAI/litellm#24376
//!   reads it as the wait between chunks, BerriAI/litellm#16395 also makes it
//!   the aiohttp transport's total). The lint flags a deployment without it
//!   ([`super::lint_streams`]).
//! - **Cooldown.** `allowed_fails: 3` is LiteLLM's own default, which keeps its
//!   per-minute failure-rate logic: a group with a single deployment (every group
//!   here) is not cooled down on 429s or error rates, only when 100% of at least
//!   1,000 requests in a minute fail or on a non-retryable error (401, 404). Any
//!   other `allowed_fails` would switch to the count-based logic, which does cool
//!   single deployments down and sends their traffic straight to the fallback.
//!   `cooldown_time: 5` is LiteLLM's default. (In a pool of several deployments,
//!   cooldown shifts traffic away from the configured weights; this exporter makes
//!   no pools.)
//! - **What LiteLLM cannot express** (the lint reports it, and
//!   `switchyard evaluate --as litellm` evaluates it, both from
//!   [`super::semantics`]): the plan's backoff (LiteLLM waits 0.5 s, 1 s, 2 s, …
//!   capped at 8 s, plus 0–0.75 s of jitter, before each retry, and once more after
//!   the last retry before falling back), and the latency budget (the router has no
//!   whole-request deadline).
//! - **Keys** are `os.environ/<key_env>`, read by the proxy at start-up; the
//!   master key is `os.environ/LITELLM_MASTER_KEY`.
//! - **Providers** follow the dialect: `openai/<model>` for OpenAI-compatible
//!   endpoints (with their `api_base`), `anthropic/<model>` (LiteLLM appends
//!   `/v1/messages` to the host) and `gemini/<model>` (LiteLLM appends
//!   `/models/<model>:generateContent` to the base, so the base carries `/v1beta`).
//! - **Rate limits.** A step whose offering has limits gets `rpm` and `tpm` on
//!   its deployment ([`super::DeploymentLimits::of`]: `rpm` is `rpm_limit` rounded
//!   down; `tpm` is the token limits as one input-plus-output budget that binds
//!   at the same request rate). With this config (the default `simple-shuffle`
//!   strategy, no `enable_pre_call_checks`, no `optional_pre_call_checks`)
//!   LiteLLM 1.106.2 does not enforce them: `simple_shuffle` uses `rpm`/`tpm`
//!   only as weights among the deployments of one group (each group here has
//!   one), and `calculate_max_parallel_requests` caps the requests in flight
//!   at a deployment to its `rpm` (a concurrency cap that queues, never a rate
//!   limit). Under `usage-based-routing(-v2)`, `enable_pre_call_checks` or the
//!   `enforce_model_rate_limits` check the router itself would skip or refuse a
//!   deployment over its count for the current minute before the provider
//!   answers 429; the plan's model counts the provider's 429s, so the export
//!   turns none of them on. The lint says so.
//! - `model_info.id` is `<route>/step-<n>`, so LiteLLM's `x-litellm-model-id`
//!   response header says which step served a request.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::plan::{Dialect, GatewaySpec};

use super::connection::{Connection, ExportRoute};

/// LiteLLM's own `allowed_fails` default (`litellm.allowed_fails`). The router
/// treats this value as "not set", which keeps single deployments out of cooldown.
pub const ALLOWED_FAILS: u32 = 3;
/// LiteLLM's `DEFAULT_COOLDOWN_TIME_SECONDS`.
pub const COOLDOWN_TIME_S: f64 = 5.0;
/// LiteLLM's `ROUTER_MAX_FALLBACKS`: longer chains need `max_fallbacks`.
pub const DEFAULT_MAX_FALLBACKS: usize = 5;
/// LiteLLM's `INITIAL_RETRY_DELAY` (s): the first backoff, doubled per retry.
pub const INITIAL_RETRY_DELAY_S: f64 = 0.5;
/// LiteLLM's `MAX_RETRY_DELAY` (s): no backoff waits longer.
pub const MAX_RETRY_DELAY_S: f64 = 8.0;
/// LiteLLM's `JITTER` (s): a uniform 0..JITTER added to every wait.
pub const JITTER_S: f64 = 0.75;
pub const MASTER_KEY: &str = "os.environ/LITELLM_MASTER_KEY";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LitellmConfig {
    pub model_list: Vec<Deployment>,
    pub router_settings: RouterSettings,
    pub general_settings: GeneralSettings,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Deployment {
    pub model_name: String,
    pub litellm_params: LitellmParams,
    pub model_info: ModelInfo,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LitellmParams {
    /// `<provider>/<model>`.
    pub model: String,
    pub api_base: String,
    /// `os.environ/<VAR>`: the proxy reads the key from the environment.
    pub api_key: String,
    /// Per attempt, in seconds.
    pub timeout: f64,
    /// A streaming attempt's timeout, in seconds: the step's timeout, so that
    /// a stream stalled mid-way is cut as the plan's model cuts an attempt.
    /// Optional when read back: a config edited by hand may lack it, and the
    /// lint says what that costs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stream_timeout: Option<f64>,
    /// Retries of this deployment: the step's attempts - 1.
    pub num_retries: u32,
    /// Retries inside the provider SDK: always 0, the router retries.
    pub max_retries: u32,
    /// The offering's requests a minute, when the plan sets `rpm_limit`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rpm: Option<u64>,
    /// The offering's tokens a minute, input and output together, when the
    /// plan sets a token limit ([`super::DeploymentLimits::of`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tpm: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelInfo {
    pub id: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RouterSettings {
    /// `[{group: [fallback groups, in order]}]`, one entry per route with more
    /// than one step.
    pub fallbacks: Vec<BTreeMap<String, Vec<String>>>,
    pub num_retries: u32,
    pub timeout: f64,
    pub allowed_fails: u32,
    pub cooldown_time: f64,
    /// Only when the plan's `[gateway]` trips after 4 failures: `allowed_fails:
    /// 3` alone is LiteLLM's default and keeps the per-minute rule, which never
    /// cools a lone deployment down; a policy selects the count rule.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allowed_fails_policy: Option<BTreeMap<String, u32>>,
    /// Only when a route needs more fallbacks than LiteLLM's default 5.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_fallbacks: Option<usize>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GeneralSettings {
    pub master_key: String,
}

/// The model group step `step` (0-based) of `route` is exported as.
pub fn group_name(route: &str, step: usize) -> String {
    if step == 0 {
        route.to_owned()
    } else {
        format!("{route}/step-{}", step + 1)
    }
}

/// The deployment id of step `step` (0-based) of `route`.
pub fn deployment_id(route: &str, step: usize) -> String {
    format!("{route}/step-{}", step + 1)
}

/// LiteLLM's `model` for a connection: `<provider>/<model>`.
pub fn model(connection: &Connection) -> String {
    let provider = match connection.dialect {
        Dialect::Openai => "openai",
        Dialect::Anthropic => "anthropic",
        Dialect::Gemini => "gemini",
    };
    format!("{provider}/{}", connection.model)
}

/// LiteLLM's `api_base` for a connection (see the module doc).
pub fn api_base(connection: &Connection) -> String {
    match connection.dialect {
        Dialect::Openai => connection.api_base.clone(),
        Dialect::Anthropic => connection.host().to_owned(),
        Dialect::Gemini => format!("{}/v1beta", connection.host()),
    }
}

/// The exception classes of `allowed_fails_policy` an outage raises: a 5xx,
/// LiteLLM's own timeout, a 429.
pub const POLICY_CLASSES: [&str; 3] = [
    "InternalServerErrorAllowedFails",
    "RateLimitErrorAllowedFails",
    "TimeoutErrorAllowedFails",
];

/// `allowed_fails`, `cooldown_time` and the policy for the plan's `[gateway]`
/// ([`super::breaker`]). Without one: LiteLLM's defaults, under which a lone
/// deployment is never cooled down. With one: `allowed_fails` is the failures
/// to trip less one (the count rule cools down on the failure that takes the
/// count past it); when that is LiteLLM's default 3, the same count goes in
/// `allowed_fails_policy` too, since `allowed_fails: 3` alone reads as unset.
pub fn cooldown(gateway: &GatewaySpec) -> (u32, f64, Option<BTreeMap<String, u32>>) {
    match super::breaker::effective(gateway, super::Format::Litellm) {
        None => (ALLOWED_FAILS, COOLDOWN_TIME_S, None),
        Some(b) => {
            let allowed = b.failures_to_trip - 1;
            let policy = (allowed == ALLOWED_FAILS).then(|| {
                POLICY_CLASSES
                    .iter()
                    .map(|c| ((*c).to_owned(), allowed))
                    .collect()
            });
            (allowed, b.cooldown_s, policy)
        }
    }
}

/// The wait LiteLLM puts before retry `retry` (1-based) of a single-deployment
/// group, without its jitter: `0.5 s * 2^(retry-1)`, at most 8 s. After the last
/// of `n` retries it waits once more, as if before retry `n + 1`.
pub fn backoff_s(retry: u32) -> f64 {
    (INITIAL_RETRY_DELAY_S * 2f64.powi(retry.saturating_sub(1).min(30) as i32))
        .min(MAX_RETRY_DELAY_S)
}

pub fn config(routes: &[ExportRoute], gateway: &GatewaySpec) -> LitellmConfig {
    let mut model_list = Vec::new();
    let mut fallbacks = Vec::new();
    let mut longest_timeout_ms: f64 = 0.0;
    let mut longest_chain = 0;
    for route in routes {
        for (j, step) in route.steps.iter().enumerate() {
            longest_timeout_ms = longest_timeout_ms.max(step.timeout_ms);
            model_list.push(Deployment {
                model_name: group_name(&route.name, j),
                litellm_params: LitellmParams {
                    model: model(&step.connection),
                    api_base: api_base(&step.connection),
                    api_key: format!("os.environ/{}", step.connection.key_env),
                    timeout: seconds(step.timeout_ms),
                    stream_timeout: Some(seconds(step.timeout_ms)),
                    num_retries: step.attempts.saturating_sub(1),
                    max_retries: 0,
                    rpm: step.limits.rpm,
                    tpm: step.limits.tpm,
                },
                model_info: ModelInfo {
                    id: deployment_id(&route.name, j),
                },
            });
        }
        longest_chain = longest_chain.max(route.steps.len());
        if route.steps.len() > 1 {
            let later = (1..route.steps.len())
                .map(|j| group_name(&route.name, j))
                .collect();
            fallbacks.push(BTreeMap::from([(route.name.clone(), later)]));
        }
    }
    let needed = longest_chain.saturating_sub(1);
    let (allowed_fails, cooldown_time, allowed_fails_policy) = cooldown(gateway);
    LitellmConfig {
        model_list,
        router_settings: RouterSettings {
            fallbacks,
            num_retries: 0,
            timeout: seconds(longest_timeout_ms),
            allowed_fails,
            cooldown_time,
            allowed_fails_policy,
            max_fallbacks: (needed > DEFAULT_MAX_FALLBACKS).then_some(needed),
        },
        general_settings: GeneralSettings {
            master_key: MASTER_KEY.to_owned(),
        },
    }
}

/// Milliseconds as seconds, rounded to the millisecond so that the YAML shows
/// `12.0`, not `12.000000000000002`.
fn seconds(ms: f64) -> f64 {
    (ms.round()) / 1000.0
}

const HEADER: &str = "\
# LiteLLM proxy config written by `switchyard export --format litellm`.
# Call a route by its name (\"model\": \"<route>\"); <route>/step-<n> groups are its
# fallbacks. Keys come from the environment variables named after os.environ/.
# Run `switchyard lint PLAN --format litellm` to see where LiteLLM differs from the plan.
";

/// The config as YAML, with a comment header.
pub fn render(config: &LitellmConfig) -> String {
    let body = serde_yaml_ng::to_string(config)
        .unwrap_or_else(|e| format!("# cannot encode the config: {e}\n"));
    format!("{HEADER}{body}")
}

/// Reads a config back from its YAML (the lint checks the exported artifact
/// this way, and tests check structure, not bytes).
pub fn parse(yaml: &str) -> Result<LitellmConfig, String> {
    serde_yaml_ng::from_str(yaml).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::connection::routes;
    use crate::export::testkit::{PAIR, pair, parse, resolved_from, two_routes};
    use crate::plan::Resolved;

    fn export(resolved: &Resolved) -> (String, LitellmConfig) {
        let text = render(&config(
            &routes(resolved).expect("complete"),
            &resolved.gateway,
        ));
        let parsed = super::parse(&text).expect("valid YAML");
        (text, parsed)
    }

    #[test]
    fn the_route_is_the_first_steps_group_and_later_steps_are_fallbacks() {
        let (_, c) = export(&pair());
        let names: Vec<_> = c.model_list.iter().map(|d| d.model_name.as_str()).collect();
        assert_eq!(names, ["default", "default/step-2"]);
        assert_eq!(
            c.router_settings.fallbacks,
            [BTreeMap::from([(
                "default".to_owned(),
                vec!["default/step-2".to_owned()]
            )])]
        );
        assert_eq!(c.model_list[1].model_info.id, "default/step-2");
    }

    #[test]
    fn params_carry_provider_model_base_key_name_timeout_and_retries() {
        let (text, c) = export(&pair());
        let p = &c.model_list[0].litellm_params;
        assert_eq!(p.model, "anthropic/claude-test");
        assert_eq!(p.api_base, "http://127.0.0.1:9001");
        assert_eq!(p.api_key, "os.environ/PRIMARY_KEY");
        assert_eq!(p.timeout, 10.0);
        assert_eq!(p.stream_timeout, Some(10.0));
        assert_eq!(p.num_retries, 1);
        assert_eq!(p.max_retries, 0);
        let q = &c.model_list[1].litellm_params;
        assert_eq!(q.model, "openai/gpt-test");
        assert_eq!(q.api_base, "http://127.0.0.1:9002/v1");
        assert_eq!(q.num_retries, 0);
        assert_eq!(c.general_settings.master_key, MASTER_KEY);
        assert!(text.starts_with("# LiteLLM proxy config"));
    }

    #[test]
    fn router_settings_keep_single_deployments_out_of_cooldown() {
        let (_, c) = export(&pair());
        let r = &c.router_settings;
        assert_eq!(r.num_retries, 0);
        assert_eq!(r.allowed_fails, 3);
        assert_eq!(r.cooldown_time, 5.0);
        assert_eq!(r.timeout, 10.0);
        assert_eq!(r.max_fallbacks, None);
    }

    #[test]
    fn two_routes_get_their_own_groups_and_fallbacks() {
        let (_, c) = export(&two_routes());
        let names: Vec<_> = c.model_list.iter().map(|d| d.model_name.as_str()).collect();
        assert_eq!(names, ["chat", "chat/step-2", "batch"]);
        assert_eq!(c.router_settings.fallbacks.len(), 1, "batch has one step");
        assert_eq!(c.model_list[2].litellm_params.num_retries, 2);
        assert_eq!(c.router_settings.timeout, 20.0);
    }

    #[test]
    fn gemini_bases_carry_the_version_litellm_expects() {
        let text = PAIR.replace("dialect = \"openai\"", "dialect = \"gemini\"");
        let text = text.replace("9002/v1\"", "9002/v1beta\"");
        let (_, c) = export(&resolved_from(&parse(&text)));
        let p = &c.model_list[1].litellm_params;
        assert_eq!(p.model, "gemini/gpt-test");
        assert_eq!(p.api_base, "http://127.0.0.1:9002/v1beta");
    }

    #[test]
    fn long_chains_raise_max_fallbacks() {
        let mut plan = crate::export::testkit::pair_plan();
        let step = plan.routes[0].steps[1].clone();
        plan.routes[0].steps.extend(std::iter::repeat_n(step, 6));
        let (_, c) = export(&resolved_from(&plan));
        assert_eq!(c.router_settings.max_fallbacks, Some(7));
        assert_eq!(c.router_settings.fallbacks[0]["default"].len(), 7);
    }

    #[test]
    fn limits_become_rpm_and_a_combined_tpm_only_where_the_plan_sets_them() {
        let (text, c) = export(&pair());
        assert!(!text.contains("rpm:") && !text.contains("tpm:"), "{text}");
        let mut plan = crate::export::testkit::pair_plan();
        plan.offerings[0].rpm_limit = Some(120.7);
        plan.offerings[1].input_tpm_limit = Some(1_000_000.0);
        plan.offerings[1].output_tpm_limit = Some(40_000.0);
        let resolved = resolved_from(&plan);
        let w = &resolved.portfolio.workload;
        let (text, c2) = export(&resolved);
        let primary = &c2.model_list[0].litellm_params;
        assert_eq!((primary.rpm, primary.tpm), (Some(120), None));
        // The output limit binds: 40,000 / output tokens requests a minute,
        // each carrying input + output tokens.
        let rate = (1_000_000.0 / w.input_tokens).min(40_000.0 / w.output_tokens);
        let tpm = (rate * (w.input_tokens + w.output_tokens)).floor() as u64;
        let backup = &c2.model_list[1].litellm_params;
        assert_eq!((backup.rpm, backup.tpm), (None, Some(tpm)));
        assert!(
            tpm < 1_040_000,
            "the sum would admit more than the provider"
        );
        assert!(text.contains("rpm: 120"), "{text}");
        assert_eq!(c.model_list[0].litellm_params.rpm, None);
    }

    #[test]
    fn a_limit_below_one_whole_request_is_not_exported_as_zero() {
        let mut plan = crate::export::testkit::pair_plan();
        plan.offerings[0].rpm_limit = Some(0.5);
        let (_, c) = export(&resolved_from(&plan));
        assert_eq!(c.model_list[0].litellm_params.rpm, None);
    }

    #[test]
    fn timeouts_in_seconds_keep_their_milliseconds() {
        assert_eq!(seconds(12_000.0), 12.0);
        assert_eq!(seconds(1_500.4), 1.5);
        assert_eq!(seconds(250.0), 0.25);
    }

    #[test]
    fn backoff_doubles_from_half_a_second_up_to_eight() {
        assert_eq!(backoff_s(1), 0.5);
        assert_eq!(backoff_s(2), 1.0);
        assert_eq!(backoff_s(5), 8.0);
        assert_eq!(backoff_s(9), 8.0);
    }
}
