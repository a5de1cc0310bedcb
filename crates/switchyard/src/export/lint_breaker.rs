//! The lint's failure-handling rules (`MODEL.md` §13): what LiteLLM and
//! Portkey do with a failing step, from the outage window's figures.
//!
//! | code | severity | fires when |
//! |---|---|---|
//! | `gateway-no-cooldown` | info | the gateway never takes an upstream step out (LiteLLM's lone deployment under its default rule, Portkey's open-source gateway), and it matters: a breaker with the recommended cooldown would trip at the step's outage traffic, and the failed attempts add at least 1 s to the p95 of the requests that reach the step |
//! | `cooldown-never-trips` | warning | the plan sets a breaker, but the requests reaching the step come too far apart for it to trip |
//! | `cooldown-shorter-than-outage` | info | the cooldown is shorter than the offering's MTTR: the step is probed again, several times an outage |
//! | `cooldown-longer-than-outage` | warning | the cooldown is longer than the MTTR: traffic stays off the step after it is back |
//! | `cooldown-recommended` | info | the cooldown derived from the plan's own outage figures |
//! | `portkey-cooldown-minimum` | warning | `cooldown_s` under Portkey's 30 s minimum |
//! | `portkey-breaker-hosted-only` | warning | the plan sets a breaker: the export writes `cb_config`, which only Portkey's hosted gateway runs (for a saved config); the open-source gateway 1.15.2 ignores it |
//! | `gateway-window-is-cooldown` | info | `window_s` differs from the cooldown: neither gateway counts over a window of its own |

use crate::format::{duration, percent};
use crate::plan::Resolved;

use super::Format;
use super::breaker;
use super::during_outage::DuringOutage;
use super::lint::{Finding, Severity};

/// What the failed attempts of a step must add to the p95 of the requests
/// reaching it during an outage for `gateway-no-cooldown` to say so: below
/// it, every request paying them is what the plan's own figures assume (§2)
/// and not worth a finding on every plan with a fallback.
pub const NOTABLE_ADDED_MS: f64 = 1000.0;

/// The failure-handling findings of `resolved` under `format`.
pub fn findings(resolved: &Resolved, format: Format, during: &[DuringOutage]) -> Vec<Finding> {
    let Some(d) = breaker::defaults(format) else {
        return Vec::new();
    };
    let spec = &resolved.gateway;
    let effective = breaker::effective(spec, format);
    let in_force = breaker::in_force(spec, format);
    let mut out = Vec::new();
    if let (Some(c), Format::Portkey) = (spec.cooldown_s, format)
        && c < d.min_cooldown_s
    {
        out.push(Finding::plan(
            Severity::Warning,
            "portkey-cooldown-minimum",
            format!(
                "Portkey raises a cb_config cooldown_interval under 30 s to 30 s: the plan's {} becomes 30 s, and `evaluate --as portkey` uses 30 s",
                duration(c * 1000.0)
            ),
        ));
    }
    if effective.is_some() && in_force.is_none() {
        out.push(Finding::plan(
            Severity::Warning,
            "portkey-breaker-hosted-only",
            "the export writes cb_config, but only Portkey's hosted gateway runs it (for a config saved with an id); the open-source gateway 1.15.2 parses it and never opens a circuit (checked on the real gateway: docs/INTEROP.md), so every request of an outage pays the failed attempts, and `evaluate --as portkey` predicts that".to_owned(),
        ));
    }
    if let (Some(w), Some(b)) = (spec.window_s, effective)
        && w != b.cooldown_s
    {
        out.push(Finding::plan(
            Severity::Info,
            "gateway-window-is-cooldown",
            format!(
                "{} counts failures over its cooldown, not over a window of its own ({}): the window_s of {} is not exported; `evaluate --as` counts over {}",
                format.gateway(),
                match format {
                    Format::Litellm => "the counter lives cooldown_time after its last failure",
                    _ => "cooldown_interval from the first failure",
                },
                duration(w * 1000.0),
                duration(b.cooldown_s * 1000.0)
            ),
        ));
    }
    for o in during {
        let Some(r) = resolved
            .portfolio
            .routes
            .iter()
            .position(|x| x.name == o.route)
        else {
            continue;
        };
        let step =
            |severity, code, message| Finding::step(resolved, r, o.step, severity, code, message);
        let cost = format!(
            "{:.2} failed attempts a request reaching it, +{} p50 / +{} p95",
            o.attempts_per_request,
            o.added_latency_ms.p50.map_or("n/a".to_owned(), duration),
            o.added_latency_ms.p95.map_or("n/a".to_owned(), duration),
        );
        let recommend = format!(
            "a cooldown of {} (requests paying about 1% of an outage at {:.3} a second, and no more than a quarter of the {} min MTTR; MODEL.md §13)",
            duration(o.recommended_cooldown_s * 1000.0),
            o.rate_per_s,
            o.outage_minutes
        );
        match in_force {
            None if !(o.recommended_trips
                && o.added_latency_ms
                    .p95
                    .is_some_and(|a| a >= NOTABLE_ADDED_MS)) => {}
            None => out.push(step(
                Severity::Info,
                "gateway-no-cooldown",
                format!(
                    "{}: during an outage of {} every request pays its failed attempts ({cost}). {}; for this step the outage figures give {recommend}",
                    match format {
                        Format::Litellm => "LiteLLM never cools down a deployment alone in its model group under its default allowed_fails (3): only 100% failures of at least 1,000 requests in a minute would",
                        _ => "the open-source Portkey gateway runs no circuit breaker",
                    },
                    o.offering,
                    match format {
                        Format::Litellm => "Set [gateway] failures_to_trip and cooldown_s",
                        _ => "On Portkey's hosted gateway, [gateway] failures_to_trip and cooldown_s (exported as cb_config) would take the step out",
                    },
                ),
            )),
            Some(b) => {
                let mttr_s = o.outage_minutes * 60.0;
                if !o.trips {
                    out.push(step(
                        Severity::Warning,
                        "cooldown-never-trips",
                        format!(
                            "{:.3} requests a second reach the step during an outage: too few for {} failures within {} to trip the breaker, so every request pays ({cost})",
                            o.rate_per_s,
                            b.failures_to_trip,
                            duration(b.cooldown_s * 1000.0)
                        ),
                    ));
                } else if b.cooldown_s < mttr_s {
                    out.push(step(
                        Severity::Info,
                        "cooldown-shorter-than-outage",
                        format!(
                            "the {} cooldown is shorter than the {} min MTTR: the step is tried again about {:.0} times an outage; {} of the requests pay ({cost})",
                            duration(b.cooldown_s * 1000.0),
                            o.outage_minutes,
                            mttr_s / b.cooldown_s,
                            percent(o.paying_share)
                        ),
                    ));
                } else {
                    out.push(step(
                        Severity::Warning,
                        "cooldown-longer-than-outage",
                        format!(
                            "the {} cooldown is longer than the {} min MTTR: once the step is back, traffic can stay on the fallback for up to {}",
                            duration(b.cooldown_s * 1000.0),
                            o.outage_minutes,
                            duration(o.return_to_primary_max_s * 1000.0)
                        ),
                    ));
                }
                out.push(step(
                    Severity::Info,
                    "cooldown-recommended",
                    format!("for the plan's own outage figures: {recommend}"),
                ));
            }
        }
    }
    out
}
