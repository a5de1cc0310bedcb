//! Portkey gateway configs (checked against the gateway 1.15.2 build: its config
//! schema, `tryTargetsRecursively` and `retryRequest`).
//!
//! How the plan maps onto Portkey:
//!
//! - **One config per route.** The export is a JSON object keyed by route name;
//!   each value is a complete config, sent as the `x-portkey-config` header (or
//!   saved in Portkey) by the code that calls that route. `--route NAME` writes
//!   one config alone.
//! - **A fallback strategy over the steps.** `strategy.mode: fallback` with one
//!   target per step, in order. Portkey moves to the next target only when the
//!   response status is in `strategy.on_status_codes`: 408 (Portkey's own
//!   timeout answer), 429 and 500/502/503/504, the failures the plan's model
//!   counts. Any other status (a 400, a 401) ends the request, as it would
//!   at any gateway.
//!   `x-portkey-last-used-option-index` names the target (step) that answered.
//! - **Targets.** `provider` is the dialect's slug (`openai`, `anthropic`,
//!   `google`), `custom_host` the endpoint where it is not the provider's own
//!   (Portkey appends `/chat/completions`, `/messages` or
//!   `/v1beta/models/<model>:generateContent`), `override_params.model` the
//!   provider's model name.
//! - **Retries.** `retry.attempts` counts retries, not tries: `attempts - 1`
//!   (Portkey tries `attempts + 1` times). `retry.on_status_codes` adds 408 to
//!   Portkey's default list, so an attempt cut by `request_timeout` is retried as
//!   the plan's model retries a timed-out attempt. Portkey waits 1 s, 2 s, 4 s, …
//!   before retries (async-retry, factor 2, no randomisation), whatever the
//!   plan's `backoff_ms`: the lint says so.
//! - **Timeouts.** `request_timeout` is per attempt, in milliseconds; Portkey
//!   aborts the call and answers 408.
//! - **Keys.** `api_key` is the placeholder `${<key_env>}`, never the value:
//!   the application (or `envsubst`) puts the key in before sending the config.
//! - **Not expressible**: the latency budget (Portkey has no whole-request
//!   deadline).

use serde::{Deserialize, Serialize};

use crate::plan::{Dialect, GatewaySpec};

use super::connection::{Connection, ExportRoute};
use super::{ByRoute, pretty_json};

/// Statuses that move on to the next target and that retry a target: Portkey's
/// own timeout (408), rate limits and server errors.
pub const STATUS_CODES: [u16; 6] = [408, 429, 500, 502, 503, 504];
/// async-retry's `minTimeout`: the wait before the first retry, doubled after.
pub const BACKOFF_MS: f64 = 1000.0;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PortkeyConfig {
    pub strategy: Strategy,
    pub targets: Vec<Target>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Strategy {
    pub mode: String,
    pub on_status_codes: Vec<u16>,
    /// The circuit breaker, when the plan's `[gateway]` asks for one
    /// ([`super::breaker`]); its targets inherit it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cb_config: Option<CbConfig>,
}

/// Portkey's `cb_config` (`src/utils/circuitBreaker.ts`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CbConfig {
    pub failure_threshold: u32,
    /// Milliseconds, at least 30,000 (Portkey raises shorter ones).
    pub cooldown_interval: u64,
    /// The statuses the fallback moves on: without them Portkey counts only
    /// ≥ 500, not its own 408 of a hung attempt nor a 429.
    pub failure_status_codes: Vec<u16>,
}

/// `cb_config` for the plan's `[gateway]`; `None` without one.
pub fn cb_config(gateway: &GatewaySpec) -> Option<CbConfig> {
    super::breaker::effective(gateway, super::Format::Portkey).map(|b| CbConfig {
        failure_threshold: b.failures_to_trip,
        cooldown_interval: (b.cooldown_s * 1000.0).round() as u64,
        failure_status_codes: STATUS_CODES.to_vec(),
    })
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Target {
    pub provider: String,
    /// `${VAR}`: a placeholder naming the variable, never the key.
    pub api_key: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_host: Option<String>,
    pub override_params: OverrideParams,
    pub retry: Retry,
    /// Per attempt, in milliseconds.
    pub request_timeout: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OverrideParams {
    pub model: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Retry {
    /// Retries, not tries.
    pub attempts: u32,
    pub on_status_codes: Vec<u16>,
}

/// Portkey's provider slug for a dialect.
pub fn provider(dialect: Dialect) -> &'static str {
    match dialect {
        Dialect::Openai => "openai",
        Dialect::Anthropic => "anthropic",
        Dialect::Gemini => "google",
    }
}

/// The base Portkey uses for a provider when no `custom_host` is given.
fn default_host(dialect: Dialect) -> &'static str {
    match dialect {
        Dialect::Openai => "https://api.openai.com/v1",
        Dialect::Anthropic => "https://api.anthropic.com/v1",
        Dialect::Gemini => "https://generativelanguage.googleapis.com",
    }
}

/// `custom_host` for a connection, or `None` when it is the provider's own.
pub fn custom_host(connection: &Connection) -> Option<String> {
    let host = match connection.dialect {
        Dialect::Openai => connection.api_base.clone(),
        Dialect::Anthropic => format!("{}/v1", connection.host()),
        Dialect::Gemini => connection.host().to_owned(),
    };
    (host != default_host(connection.dialect)).then_some(host)
}

/// The config of every route, in plan order.
pub fn configs(routes: &[ExportRoute], gateway: &GatewaySpec) -> ByRoute<PortkeyConfig> {
    ByRoute(
        routes
            .iter()
            .map(|route| (route.name.clone(), config(route, cb_config(gateway))))
            .collect(),
    )
}

fn config(route: &ExportRoute, cb_config: Option<CbConfig>) -> PortkeyConfig {
    PortkeyConfig {
        strategy: Strategy {
            mode: "fallback".to_owned(),
            on_status_codes: STATUS_CODES.to_vec(),
            cb_config,
        },
        targets: route
            .steps
            .iter()
            .map(|step| Target {
                provider: provider(step.connection.dialect).to_owned(),
                api_key: format!("${{{}}}", step.connection.key_env),
                custom_host: custom_host(&step.connection),
                override_params: OverrideParams {
                    model: step.connection.model.clone(),
                },
                retry: Retry {
                    attempts: step.attempts.saturating_sub(1),
                    on_status_codes: STATUS_CODES.to_vec(),
                },
                request_timeout: step.timeout_ms.round().max(1.0) as u64,
            })
            .collect(),
    }
}

/// Every route's config, as one JSON object keyed by route name.
pub fn render(configs: &ByRoute<PortkeyConfig>) -> String {
    pretty_json(configs)
}

/// One route's config, as Portkey takes it.
pub fn render_one(config: &PortkeyConfig) -> String {
    pretty_json(config)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::export::connection::routes;
    use crate::export::testkit::{PAIR, pair, parse, resolved_from, two_routes};
    use crate::plan::Resolved;

    fn export(resolved: &Resolved) -> BTreeMap<String, PortkeyConfig> {
        let text = render(&configs(
            &routes(resolved).expect("complete"),
            &resolved.gateway,
        ));
        serde_json::from_str(&text).expect("valid JSON")
    }

    #[test]
    fn a_route_is_a_fallback_over_its_steps() {
        let c = &export(&pair())["default"];
        assert_eq!(c.strategy.mode, "fallback");
        assert!(c.strategy.on_status_codes.contains(&408));
        assert!(c.strategy.on_status_codes.contains(&429));
        assert_eq!(c.targets.len(), 2);
    }

    #[test]
    fn targets_carry_slug_host_model_retries_timeout_and_a_key_placeholder() {
        let c = &export(&pair())["default"];
        let t = &c.targets[0];
        assert_eq!(t.provider, "anthropic");
        assert_eq!(t.custom_host.as_deref(), Some("http://127.0.0.1:9001/v1"));
        assert_eq!(t.override_params.model, "claude-test");
        assert_eq!(t.retry.attempts, 1, "2 tries = 1 retry");
        assert!(t.retry.on_status_codes.contains(&408));
        assert_eq!(t.request_timeout, 10_000);
        assert_eq!(t.api_key, "${PRIMARY_KEY}");
        let u = &c.targets[1];
        assert_eq!(u.provider, "openai");
        assert_eq!(u.custom_host.as_deref(), Some("http://127.0.0.1:9002/v1"));
        assert_eq!(u.retry.attempts, 0);
    }

    #[test]
    fn the_providers_own_endpoint_needs_no_custom_host() {
        let text = PAIR
            .replace("http://127.0.0.1:9001", "https://api.anthropic.com")
            .replace("http://127.0.0.1:9002/v1", "https://api.openai.com/v1/");
        let c = &export(&resolved_from(&parse(&text)))["default"];
        assert_eq!(c.targets[0].custom_host, None);
        assert_eq!(c.targets[1].custom_host, None);
    }

    #[test]
    fn gemini_is_googles_slug_with_the_host_as_custom_host() {
        let text = PAIR
            .replace("dialect = \"openai\"", "dialect = \"gemini\"")
            .replace("9002/v1\"", "9002/v1beta\"");
        let c = &export(&resolved_from(&parse(&text)))["default"];
        assert_eq!(c.targets[1].provider, "google");
        assert_eq!(
            c.targets[1].custom_host.as_deref(),
            Some("http://127.0.0.1:9002")
        );
    }

    #[test]
    fn each_route_is_its_own_config_in_plan_order() {
        let resolved = two_routes();
        let text = render(&configs(
            &routes(&resolved).expect("complete"),
            &resolved.gateway,
        ));
        assert!(text.find("\"chat\"") < text.find("\"batch\""));
        let all = export(&resolved);
        assert_eq!(all.len(), 2);
        assert_eq!(all["batch"].targets.len(), 1);
        assert_eq!(all["batch"].targets[0].retry.attempts, 2);
        let one = configs(&routes(&resolved).expect("complete"), &resolved.gateway)
            .take("batch")
            .expect("batch exists");
        let parsed: PortkeyConfig = serde_json::from_str(&render_one(&one)).expect("one config");
        assert_eq!(parsed, all["batch"]);
    }
}
