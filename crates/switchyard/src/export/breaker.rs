//! What each gateway does with a failing step: the plan's `[gateway]` section
//! with each gateway's own defaults, one table for the export, the lint and
//! `evaluate --as`.
//!
//! Checked in the sources (`docs/MODEL.md` §13 and `docs/EXPORT.md` say more):
//!
//! - **LiteLLM 1.106.2**, `litellm/router_utils/cooldown_handlers.py`,
//!   `_should_cooldown_deployment`. While `allowed_fails` is unset or equal to
//!   `litellm.allowed_fails` (3) and no `allowed_fails_policy` is set
//!   (`_is_allowed_fails_set_on_router`), the per-minute rule applies, and a
//!   deployment alone in its model group is cooled down only when 100% of at
//!   least `SINGLE_DEPLOYMENT_TRAFFIC_FAILURE_THRESHOLD` (1,000) requests in the
//!   minute failed, or on a non-retryable status: every group of the export
//!   has one deployment, so an outage is never cooled down. Any other
//!   `allowed_fails`, or any `allowed_fails_policy`, selects the count rule
//!   (`should_cooldown_based_on_allowed_fails_policy`): each failed call adds
//!   one to a counter that lives `cooldown_time` after its last failure, and the
//!   failure that takes it past `allowed_fails` cools the deployment down for
//!   `cooldown_time` (`DEFAULT_COOLDOWN_TIME_SECONDS` = 5). A group whose only
//!   deployment is cooling has no healthy deployment: `should_retry_this_error`
//!   raises at once and the router falls back.
//! - **Portkey**, `src/utils/circuitBreaker.ts` (`cb_config` on a strategy,
//!   inherited by its targets): `failure_threshold` failures (statuses in
//!   `failure_status_codes`, else ≥ 500) counted from the first one open the
//!   target; it closes, its counts cleared, once more than `cooldown_interval`
//!   ms (at least 30,000) have passed since that first failure; when every
//!   target is open the breaker is bypassed. That code runs in Portkey's
//!   hosted gateway, for a config saved with an id. The open-source gateway
//!   1.15.2 (`@portkey-ai/gateway`, the one Switchyard's interop runs) parses
//!   `cb_config` but never opens a circuit: its build only calls a
//!   `handleCircuitBreakerResponse` hook that nothing in it sets, and nothing
//!   marks a target open. The interop scenario `outage-windows-portkey-breaker`
//!   shows every request of an outage paying (`docs/INTEROP.md`).

use crate::model::outage_window::{Breaker, OpenFrom};
use crate::plan::GatewaySpec;

use super::Format;

/// One gateway's failure handling and its defaults.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GatewayDefaults {
    pub format: Format,
    /// Failures to trip when the plan's `[gateway]` does not say.
    pub failures_to_trip: u32,
    /// Cooldown when the plan's `[gateway]` does not say (s).
    pub cooldown_s: f64,
    /// The shortest cooldown the gateway accepts; it raises shorter ones (s).
    pub min_cooldown_s: f64,
    pub open_from: OpenFrom,
    /// Each failed attempt counts (LiteLLM); else a target's answer after its
    /// retries counts once (Portkey).
    pub counts_attempts: bool,
    /// Whether a plan without `[gateway]` gets a breaker: LiteLLM's default
    /// never cools a lone deployment down; Portkey has none without `cb_config`.
    pub breaker_by_default: bool,
    /// Whether the gateway Switchyard checks (the open-source release pinned
    /// in `tests/interop`) runs the breaker its config asks for: `evaluate
    /// --as` predicts that gateway, the export still writes the settings.
    pub runs_breaker: bool,
}

/// LiteLLM: `allowed_fails` 3 (so 4 failures trip the count rule), 5 s.
pub const LITELLM: GatewayDefaults = GatewayDefaults {
    format: Format::Litellm,
    failures_to_trip: super::litellm::ALLOWED_FAILS + 1,
    cooldown_s: super::litellm::COOLDOWN_TIME_S,
    min_cooldown_s: 0.0,
    open_from: OpenFrom::LastTrip,
    counts_attempts: true,
    breaker_by_default: false,
    runs_breaker: true,
};

/// Portkey: no breaker without `cb_config`. `failure_threshold` has no
/// default of Portkey's own; Switchyard writes LiteLLM's 3 when the plan sets
/// only a cooldown. The cooldown defaults to Portkey's minimum, 30 s.
pub const PORTKEY: GatewayDefaults = GatewayDefaults {
    format: Format::Portkey,
    failures_to_trip: 3,
    cooldown_s: 30.0,
    min_cooldown_s: 30.0,
    open_from: OpenFrom::FirstFailure,
    counts_attempts: false,
    breaker_by_default: false,
    runs_breaker: false,
};

/// The gateways whose failure handling the plan can set.
pub const DEFAULTS: [GatewayDefaults; 2] = [LITELLM, PORTKEY];

/// The defaults of `format`; `None` for OpenRouter, whose failure handling is
/// its own and not configurable.
pub fn defaults(format: Format) -> Option<&'static GatewayDefaults> {
    DEFAULTS.iter().find(|d| d.format == format)
}

/// Whether the plan asks for failure handling at all.
pub fn configured(spec: &GatewaySpec) -> bool {
    spec.failures_to_trip.is_some() || spec.window_s.is_some() || spec.cooldown_s.is_some()
}

/// The breaker `format` runs for the plan's `[gateway]` (`None`: every request
/// of an outage pays the failed attempts).
pub fn effective(spec: &GatewaySpec, format: Format) -> Option<Breaker> {
    let d = defaults(format)?;
    if !configured(spec) && !d.breaker_by_default {
        return None;
    }
    Some(Breaker {
        failures_to_trip: spec.failures_to_trip.unwrap_or(d.failures_to_trip).max(1),
        cooldown_s: spec
            .cooldown_s
            .unwrap_or(d.cooldown_s)
            .max(d.min_cooldown_s),
        open_from: d.open_from,
    })
}

/// The breaker the gateway actually runs for the plan: [`effective`] where
/// the checked release runs one ([`GatewayDefaults::runs_breaker`]); `None`
/// for Portkey's open-source gateway, whatever its `cb_config` says.
pub fn in_force(spec: &GatewaySpec, format: Format) -> Option<Breaker> {
    effective(spec, format).filter(|_| defaults(format).is_some_and(|d| d.runs_breaker))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn without_a_gateway_section_no_gateway_cools_a_step_down() {
        let none = GatewaySpec::default();
        for format in Format::ALL {
            assert_eq!(effective(&none, format), None, "{format}");
        }
    }

    #[test]
    fn absent_fields_take_the_gateways_defaults_and_portkey_its_minimum() {
        let cooldown_only = GatewaySpec {
            cooldown_s: Some(10.0),
            ..GatewaySpec::default()
        };
        let l = effective(&cooldown_only, Format::Litellm).expect("breaker");
        assert_eq!((l.failures_to_trip, l.cooldown_s), (4, 10.0));
        let p = effective(&cooldown_only, Format::Portkey).expect("breaker");
        assert_eq!((p.failures_to_trip, p.cooldown_s), (3, 30.0));
        assert_eq!(effective(&cooldown_only, Format::Openrouter), None);
    }

    /// The export writes Portkey's `cb_config`, but the open-source gateway
    /// runs none; LiteLLM runs what it is given.
    #[test]
    fn only_litellm_runs_the_breaker_it_is_configured_with() {
        let spec = GatewaySpec {
            cooldown_s: Some(10.0),
            ..GatewaySpec::default()
        };
        assert_eq!(
            in_force(&spec, Format::Litellm),
            effective(&spec, Format::Litellm)
        );
        assert!(effective(&spec, Format::Portkey).is_some());
        assert_eq!(in_force(&spec, Format::Portkey), None);
    }
}
