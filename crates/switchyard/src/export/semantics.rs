//! The portfolio a gateway will actually run for a plan, and what differs.
//!
//! An exported config is the plan as far as the gateway can express it. This
//! module says exactly how far: [`gateway_run`] rewrites the plan's portfolio
//! into the one the gateway executes (its retries, its backoff, no latency
//! budget, the steps it really tries), and lists each rewrite as a
//! [`Finding`]. `switchyard evaluate --as <gateway>` evaluates that portfolio and
//! `switchyard lint --format <gateway>` prints those findings: both come from
//! this one function, so what the lint says will differ is what `--as` computes.
//!
//! What each gateway changes (the module docs of [`super::litellm`],
//! [`super::portkey`] and [`super::openrouter`] give the sources):
//!
//! | | attempts | backoff before retry i | timeout | budget |
//! |---|---|---|---|---|
//! | plan | per step | `backoff_ms * 2^(i-1)` | per attempt | cuts the request |
//! | LiteLLM | per step (`num_retries`) | `500 ms * 2^(i-1)` + 0–750 ms jitter, and once more after the last retry | per attempt | none |
//! | Portkey | per step (`retry.attempts`) | `1000 ms * 2^(i-1)` | per attempt | none |
//! | OpenRouter | one try per model/provider pair | none | none (the client's) | none |
//!
//! The model has no jitter and no wait after a step's last retry, so `--as
//! litellm` leaves both out of its latency figures; the finding says how much
//! they add.

use crate::model::{Portfolio, Step};
use crate::plan::Resolved;

use super::connection::{self, DeploymentLimits, ExportRoute};
use super::lint::{Finding, Severity};
use super::openrouter::{self, Naming};
use super::{ExportError, Format, litellm, portkey};

/// How long an OpenRouter attempt may run when nothing cuts it: the common
/// client default (the OpenAI SDK waits 600 s).
pub const OPENROUTER_CLIENT_TIMEOUT_MS: f64 = 600_000.0;

/// A plan as one gateway will run it.
#[derive(Debug, Clone, PartialEq)]
pub struct GatewayRun {
    pub format: Format,
    /// The portfolio the gateway executes; evaluate it like any other.
    pub portfolio: Portfolio,
    /// Each way in which that portfolio differs from the plan's.
    pub differences: Vec<Finding>,
    /// Each upstream step's outage under the gateway's failure handling
    /// (LiteLLM and Portkey; empty for OpenRouter, whose handling is its own).
    pub during_outage: Vec<super::during_outage::DuringOutage>,
}

/// The portfolio `format`'s exported config will run, and how it differs from
/// the plan. Fails like the export when an offering cannot be reached.
pub fn gateway_run(resolved: &Resolved, format: Format) -> Result<GatewayRun, ExportError> {
    let routes = connection::routes(resolved)?;
    let mut differences = Vec::new();
    let mut portfolio = resolved.portfolio.clone();
    if let Some(budget) = portfolio.workload.latency_budget_ms.take() {
        differences.push(Finding::plan(
            Severity::Warning,
            "gateway-no-budget",
            format!(
                "{} has no whole-request deadline: a request keeps trying past the plan's \
                 {} budget, succeeding late or failing late, and its attempts are billed in full. \
                 Set the application's own request timeout to the budget; `evaluate --as {}` \
                 evaluates without the budget",
                format.gateway(),
                seconds(budget),
                format.name()
            ),
        ));
    }
    match format {
        Format::Litellm => litellm_run(&mut portfolio, resolved, &mut differences),
        Format::Portkey => fixed_backoff(
            &mut portfolio,
            resolved,
            portkey::BACKOFF_MS,
            Format::Portkey,
            "Portkey waits 1 s before the first retry and doubles the wait after each \
             (async-retry, no jitter)",
            &mut differences,
        ),
        Format::Openrouter => openrouter_run(&mut portfolio, resolved, &routes, &mut differences),
    }
    rate_limits(resolved, &routes, format, &mut differences);
    let during_outage = match super::breaker::defaults(format) {
        Some(_) => super::during_outage::figures(
            &portfolio,
            format,
            super::breaker::in_force(&resolved.gateway, format),
        ),
        None => Vec::new(),
    };
    differences.extend(super::lint_breaker::findings(
        resolved,
        format,
        &during_outage,
    ));
    Ok(GatewayRun {
        format,
        portfolio,
        differences,
        during_outage,
    })
}

/// What the gateway does with the plan's rate limits. The gateway's portfolio
/// keeps them either way: they are the provider's, and the provider answers
/// 429 past them whatever the gateway is told.
fn rate_limits(
    resolved: &Resolved,
    routes: &[ExportRoute],
    format: Format,
    differences: &mut Vec<Finding>,
) {
    let mut limited: Vec<(&str, DeploymentLimits)> = Vec::new();
    for step in routes.iter().flat_map(|r| &r.steps) {
        let quota = &resolved.portfolio.offerings[step.offering].quota;
        if quota.is_limited() && !limited.iter().any(|(id, _)| *id == step.offering_id) {
            limited.push((&step.offering_id, step.limits));
        }
    }
    if limited.is_empty() {
        return;
    }
    let names = limited
        .iter()
        .map(|(id, _)| format!("`{id}`"))
        .collect::<Vec<_>>()
        .join(", ");
    let (code, message) = match format {
        Format::Litellm => {
            let exported = limited
                .iter()
                .map(|(id, l)| {
                    let part = |name: &str, v: Option<u64>| v.map(|v| format!("{name} {v}"));
                    let parts: Vec<String> = [part("rpm", l.rpm), part("tpm", l.tpm)]
                        .into_iter()
                        .flatten()
                        .collect();
                    let parts = if parts.is_empty() {
                        "nothing (below one whole request or token a minute)".to_owned()
                    } else {
                        parts.join(", ")
                    };
                    format!("`{id}`: {parts}")
                })
                .collect::<Vec<_>>()
                .join("; ");
            (
                "litellm-rate-limits",
                format!(
                    "the deployments carry the offerings' limits as `rpm` and `tpm` \
                     ({exported}; `tpm` is the input and output token limits as one budget \
                     that binds at the same request rate for the workload's mean request, as \
                     LiteLLM counts both kinds of token together). With this config LiteLLM \
                     does not enforce them: the default simple-shuffle uses them only as \
                     weights among a group's deployments (one per group here), and `rpm` caps \
                     the requests in flight at the deployment (a queue, not a rate). The \
                     provider's 429 is retried or falls back like a 5xx, as the plan's model \
                     counts it. Turning on usage-based routing, `enable_pre_call_checks` or \
                     `enforce_model_rate_limits` would make LiteLLM skip the deployment \
                     itself once its count for the clock minute is reached: a fallback \
                     without the 429's error latency, which `evaluate --as litellm` does not \
                     model"
                ),
            )
        }
        Format::Portkey => (
            "portkey-rate-limits",
            format!(
                "Portkey's gateway config has no per-target rate limit (1.15.2's config \
                 schema has no field for one; Portkey's rate-limit policies belong to its \
                 hosted control plane and count per API key or workspace, not per target), so \
                 the export carries none of the limits of {names}. The provider's 429 is in \
                 `on_status_codes`: Portkey retries the target or falls back, as the plan's \
                 model counts it"
            ),
        ),
        Format::Openrouter => (
            "openrouter-rate-limits",
            format!(
                "OpenRouter's request preferences have no rate-limit field, so the export \
                 carries none of the limits of {names}; OpenRouter moves to the route's next \
                 provider or model on a 429 as on any error"
            ),
        ),
    };
    differences.push(Finding::plan(Severity::Info, code, message));
}

fn seconds(ms: f64) -> String {
    format!("{:.1} s", ms / 1000.0)
}

/// The waits before retries 1..attempts-1 of a step, as text.
fn waits(first_ms: f64, attempts: u32) -> String {
    (1..attempts)
        .map(|i| format!("{:.0} ms", first_ms * 2f64.powi(i as i32 - 1)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Gateways whose only difference per step is a fixed backoff base: every step
/// with retries gets `backoff_ms`, and a finding where the plan said otherwise.
fn fixed_backoff(
    portfolio: &mut Portfolio,
    resolved: &Resolved,
    backoff_ms: f64,
    format: Format,
    how: &str,
    differences: &mut Vec<Finding>,
) {
    let severity = backoff_severity(resolved);
    for (r, route) in portfolio.routes.iter_mut().enumerate() {
        for (j, step) in route.steps.iter_mut().enumerate() {
            if step.attempts > 1 && step.backoff_ms != backoff_ms {
                differences.push(Finding::step(
                    resolved,
                    r,
                    j,
                    severity,
                    match format {
                        Format::Portkey => "portkey-backoff",
                        _ => "gateway-backoff",
                    },
                    format!(
                        "{how}: waits of {} before its retries, where the plan says {}",
                        waits(backoff_ms, step.attempts),
                        waits(step.backoff_ms, step.attempts)
                    ),
                ));
            }
            if step.attempts > 1 {
                step.backoff_ms = backoff_ms;
            }
        }
    }
}

/// Backoff matters to a plan with a budget (it spends it); without one it only
/// moves latency.
fn backoff_severity(resolved: &Resolved) -> Severity {
    if resolved.portfolio.workload.latency_budget_ms.is_some() {
        Severity::Warning
    } else {
        Severity::Info
    }
}

fn litellm_run(portfolio: &mut Portfolio, resolved: &Resolved, differences: &mut Vec<Finding>) {
    let first_ms = litellm::INITIAL_RETRY_DELAY_S * 1000.0;
    let severity = backoff_severity(resolved);
    for (r, route) in portfolio.routes.iter_mut().enumerate() {
        for (j, step) in route.steps.iter_mut().enumerate() {
            if step.attempts <= 1 {
                continue;
            }
            let retries = step.attempts - 1;
            let capped = (1..=retries).any(|i| {
                litellm::backoff_s(i) < litellm::INITIAL_RETRY_DELAY_S * 2f64.powi(i as i32 - 1)
            });
            differences.push(Finding::step(
                resolved,
                r,
                j,
                severity,
                "litellm-backoff",
                format!(
                    "LiteLLM waits {} before its retries (each plus 0-{:.0} ms of random jitter{}) \
                     where the plan says {}, and waits {:.0} ms more after the last retry before \
                     falling back; `evaluate --as litellm` counts the doubling waits but not the \
                     jitter (up to {:.0} ms in all) or that last wait",
                    waits(first_ms, step.attempts),
                    litellm::JITTER_S * 1000.0,
                    if capped { ", at most 8 s" } else { "" },
                    waits(step.backoff_ms, step.attempts),
                    litellm::backoff_s(step.attempts) * 1000.0,
                    litellm::JITTER_S * 1000.0 * f64::from(step.attempts),
                ),
            ));
            step.backoff_ms = first_ms;
        }
    }
    differences.push(Finding::plan(
        Severity::Info,
        "litellm-request-retries",
        "each step's retries are the deployment's `num_retries`; a request that sends its own \
         `num_retries` overrides them for every step"
            .to_owned(),
    ));
}

/// OpenRouter tries each model of `models` in turn and, for each, the providers
/// of `provider.order` in turn: the steps it runs are the plan's (model,
/// provider) pairs in that order, each tried once.
fn openrouter_run(
    portfolio: &mut Portfolio,
    resolved: &Resolved,
    routes: &[ExportRoute],
    differences: &mut Vec<Finding>,
) {
    let timeout_ms = resolved
        .portfolio
        .workload
        .latency_budget_ms
        .unwrap_or(OPENROUTER_CLIENT_TIMEOUT_MS);
    differences.push(Finding::plan(
        Severity::Warning,
        "retries-unbounded",
        "OpenRouter retries and switches providers inside its own routing as it sees fit: \
         no setting bounds how many provider calls one request makes, so the plan's retry \
         budget cannot be enforced"
            .to_owned(),
    ));
    let prefs = openrouter::preferences(resolved, routes);
    for (r, (route, export_route)) in portfolio.routes.iter_mut().zip(routes).enumerate() {
        let names: Vec<Naming> = export_route.steps.iter().map(openrouter::naming).collect();
        let Some((_, pref)) = prefs.0.get(r) else {
            continue;
        };
        for (j, (step, naming)) in route.steps.iter().zip(&names).enumerate() {
            if naming.guessed {
                differences.push(Finding::step(
                    resolved,
                    r,
                    j,
                    Severity::Warning,
                    "openrouter-model-guessed",
                    format!(
                        "exported as OpenRouter model `{}` at provider `{}`, a name built from \
                         the provider's own; check it against OpenRouter's model list (or plan \
                         on `openrouter/...` offerings imported from it)",
                        naming.model,
                        naming.provider.as_deref().unwrap_or("?")
                    ),
                ));
            }
            if step.attempts > 1 {
                differences.push(Finding::step(
                    resolved,
                    r,
                    j,
                    Severity::Warning,
                    "openrouter-retries",
                    format!(
                        "OpenRouter takes no retry count: the plan's {} tries become one \
                         (OpenRouter may retry on its own, which no setting bounds)",
                        step.attempts
                    ),
                ));
            }
            differences.push(Finding::step(
                resolved,
                r,
                j,
                Severity::Info,
                "openrouter-timeout",
                format!(
                    "OpenRouter has no per-attempt timeout: the plan's {} cut does not happen; \
                     `evaluate --as openrouter` lets the attempt run up to {}",
                    seconds(step.timeout_ms),
                    if resolved.portfolio.workload.latency_budget_ms.is_some() {
                        format!("the budget, {}", seconds(timeout_ms))
                    } else {
                        format!("a client timeout of {}", seconds(timeout_ms))
                    }
                ),
            ));
        }
        let (steps, unplanned) = openrouter_order(&route.steps, &names, pref);
        for (model, provider) in unplanned {
            differences.push(Finding::route(
                resolved,
                r,
                Severity::Warning,
                "openrouter-unplanned-pair",
                format!(
                    "OpenRouter applies one provider order to every model, so it may also try \
                     `{model}` at `{provider}`, which the plan does not evaluate"
                ),
            ));
        }
        let planned: Vec<usize> = steps.iter().map(|&(j, _)| j).collect();
        let in_plan_order: Vec<usize> = (0..route.steps.len())
            .filter(|j| planned.contains(j))
            .collect();
        if planned != in_plan_order {
            differences.push(Finding::route(
                resolved,
                r,
                Severity::Warning,
                "openrouter-order",
                format!(
                    "OpenRouter tries models first, then providers, so it runs the steps in the \
                     order {}; `evaluate --as openrouter` uses that order",
                    planned
                        .iter()
                        .map(|j| (j + 1).to_string())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ));
        }
        for j in 0..route.steps.len() {
            if !planned.contains(&j) {
                differences.push(Finding::step(
                    resolved,
                    r,
                    j,
                    Severity::Warning,
                    "openrouter-repeat-dropped",
                    "OpenRouter tries each model at each provider once: this step repeats an \
                     earlier one and does not run"
                        .to_owned(),
                ));
            }
        }
        route.steps = steps
            .into_iter()
            .map(|(_, step)| Step {
                attempts: 1,
                timeout_ms,
                backoff_ms: 0.0,
                ..step
            })
            .collect();
    }
}

/// Steps with their index in the plan's route.
type IndexedSteps = Vec<(usize, Step)>;
/// (model, provider) pairs.
type Pairs = Vec<(String, String)>;

/// The plan's steps in OpenRouter's order (models, then providers), each
/// (model, provider) pair once, with the original index; and the pairs
/// OpenRouter may try that no step describes.
fn openrouter_order(
    steps: &[Step],
    names: &[Naming],
    pref: &openrouter::Preferences,
) -> (IndexedSteps, Pairs) {
    let mut ordered = Vec::new();
    let mut unplanned = Vec::new();
    for model in &pref.models {
        let providers: Vec<Option<&String>> = if pref.provider.order.is_empty() {
            vec![None]
        } else {
            pref.provider.order.iter().map(Some).collect()
        };
        for provider in providers {
            let found = names
                .iter()
                .position(|n| &n.model == model && n.provider.as_ref() == provider);
            match (found, provider) {
                (Some(j), _) => ordered.push((j, steps[j])),
                (None, Some(p)) => unplanned.push((model.clone(), p.clone())),
                (None, None) => {}
            }
        }
    }
    (ordered, unplanned)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::testkit::{PAIR, pair, parse, resolved_from, two_routes};
    use crate::model::exact;
    use crate::plan;

    fn codes(run: &GatewayRun) -> Vec<&'static str> {
        run.differences.iter().map(|f| f.code).collect()
    }

    fn with_budget(text: &str) -> Resolved {
        let text = text.replace(
            "output_tokens = 100\n",
            "output_tokens = 100\nlatency_budget_ms = 15000\n",
        );
        resolved_from(&parse(&text))
    }

    #[test]
    fn litellm_keeps_attempts_and_timeouts_and_takes_its_own_backoff() {
        let resolved = pair();
        let run = gateway_run(&resolved, Format::Litellm).expect("exportable");
        let steps = &run.portfolio.routes[0].steps;
        assert_eq!(steps[0].attempts, 2);
        assert_eq!(steps[0].timeout_ms, 10_000.0);
        assert_eq!(steps[0].backoff_ms, 500.0);
        assert_eq!(steps[1].backoff_ms, 0.0, "no retries, no backoff");
        assert_eq!(
            exact::availability(&run.portfolio),
            exact::availability(&resolved.portfolio),
            "without a budget, backoff does not change availability"
        );
        // The primary's two attempts and LiteLLM's wait cost every request of
        // its outage 1.1 s, which LiteLLM's default never cools down (§13).
        assert_eq!(
            codes(&run),
            [
                "litellm-backoff",
                "litellm-request-retries",
                "gateway-no-cooldown"
            ]
        );
        let backoff = &run.differences[0];
        assert_eq!((backoff.step, backoff.severity), (Some(0), Severity::Info));
        assert!(backoff.message.contains("500 ms"), "{}", backoff.message);
        assert!(backoff.message.contains("200 ms"), "{}", backoff.message);
        assert!(
            backoff
                .message
                .contains("1000 ms more after the last retry")
        );
    }

    #[test]
    fn every_gateway_says_what_it_does_with_rate_limits_and_only_when_there_are_some() {
        for format in Format::ALL {
            let run = gateway_run(&pair(), format).expect("exportable");
            assert!(
                !codes(&run).iter().any(|c| c.ends_with("rate-limits")),
                "{format}: no limits, no finding"
            );
        }
        let mut plan = crate::export::testkit::pair_plan();
        plan.offerings[0].rpm_limit = Some(120.0);
        let resolved = resolved_from(&plan);
        for (format, code, says) in [
            (Format::Litellm, "litellm-rate-limits", "`primary`: rpm 120"),
            (
                Format::Portkey,
                "portkey-rate-limits",
                "no per-target rate limit",
            ),
            (
                Format::Openrouter,
                "openrouter-rate-limits",
                "no rate-limit field",
            ),
        ] {
            let run = gateway_run(&resolved, format).expect("exportable");
            let finding = run
                .differences
                .iter()
                .find(|f| f.code == code)
                .unwrap_or_else(|| panic!("{format}: no {code} in {:?}", codes(&run)));
            assert_eq!(finding.severity, Severity::Info);
            assert!(finding.message.contains(says), "{}", finding.message);
            assert!(finding.message.contains("`primary`"), "{}", finding.message);
            assert_eq!(
                run.portfolio.offerings[0].quota, resolved.portfolio.offerings[0].quota,
                "{format}: the provider's limits stay in the gateway's portfolio"
            );
        }
    }

    #[test]
    fn no_gateway_enforces_the_budget() {
        let resolved = with_budget(PAIR);
        for format in Format::ALL {
            let run = gateway_run(&resolved, format).expect("exportable");
            assert_eq!(run.portfolio.workload.latency_budget_ms, None, "{format}");
            assert!(codes(&run).contains(&"gateway-no-budget"), "{format}");
        }
        let run = gateway_run(&pair(), Format::Portkey).expect("exportable");
        assert!(!codes(&run).contains(&"gateway-no-budget"));
    }

    #[test]
    fn backoff_findings_are_warnings_when_a_budget_is_spent_on_them() {
        let run = gateway_run(&with_budget(PAIR), Format::Litellm).expect("exportable");
        let f = run
            .differences
            .iter()
            .find(|f| f.code == "litellm-backoff")
            .expect("backoff differs");
        assert_eq!(f.severity, Severity::Warning);
    }

    #[test]
    fn portkey_backs_off_one_second_doubling() {
        let run = gateway_run(&two_routes(), Format::Portkey).expect("exportable");
        assert_eq!(run.portfolio.routes[0].steps[0].backoff_ms, 1000.0);
        assert_eq!(run.portfolio.routes[1].steps[0].attempts, 3);
        // The batch route already asks for 1 s: only the chat route differs.
        // Its primary, whose outage costs every request 1.6 s without a
        // cb_config, is the one upstream step (§13).
        assert_eq!(codes(&run), ["portkey-backoff", "gateway-no-cooldown"]);
        assert_eq!(run.differences[1].route.as_deref(), Some("chat"));
        assert_eq!(run.differences[0].route.as_deref(), Some("chat"));
    }

    #[test]
    fn openrouter_tries_once_per_step_without_timeouts() {
        // A primary that errs 10% of the time: its second try is worth having.
        let text = PAIR.replace(
            "availability = 0.999\n",
            "availability = 0.999\nerror_rate = 0.1\n",
        );
        let resolved = resolved_from(&parse(&text));
        let run = gateway_run(&resolved, Format::Openrouter).expect("exportable");
        let steps = &run.portfolio.routes[0].steps;
        assert_eq!(steps.len(), 2);
        assert!(steps.iter().all(|s| s.attempts == 1));
        assert!(
            steps
                .iter()
                .all(|s| s.timeout_ms == OPENROUTER_CLIENT_TIMEOUT_MS)
        );
        let c = codes(&run);
        assert!(c.contains(&"retries-unbounded"));
        assert!(c.contains(&"openrouter-retries"));
        assert!(c.contains(&"openrouter-timeout"));
        assert!(c.contains(&"openrouter-model-guessed"));
        // One provider order for all models: each model may meet the other's provider.
        assert_eq!(
            c.iter()
                .filter(|&&c| c == "openrouter-unplanned-pair")
                .count(),
            2
        );
        assert!(exact::availability(&run.portfolio) < exact::availability(&resolved.portfolio));
    }

    #[test]
    fn openrouter_runs_models_first_then_providers() {
        // claude@anthropic, gpt@deepseek, claude@bedrock: OpenRouter runs both
        // claude pairs before the gpt one.
        let text = PAIR
            .replace("\"primary\"", "\"anthropic/x\"")
            .replace("\"fallback\"", "\"deepseek/y\"");
        let mut plan = parse(&text);
        let mut third = plan.offerings[0].clone();
        third.id = "bedrock-anthropic/x".to_owned();
        third.model = Some("anthropic.claude-test".to_owned());
        plan.offerings.push(third);
        plan.routes[0].steps.push(plan::StepSpec {
            offering: "bedrock-anthropic/x".to_owned(),
            attempts: None,
            timeout_ms: 5000.0,
            backoff_ms: None,
        });
        let resolved = resolved_from(&plan);
        let run = gateway_run(&resolved, Format::Openrouter).expect("exportable");
        let order: Vec<_> = run.portfolio.routes[0]
            .steps
            .iter()
            .map(|s| run.portfolio.offerings[s.offering].id.as_str())
            .collect();
        assert_eq!(order, ["anthropic/x", "bedrock-anthropic/x", "deepseek/y"]);
        assert!(codes(&run).contains(&"openrouter-order"));
    }

    #[test]
    fn openrouter_drops_a_repeated_pair() {
        let mut plan = crate::export::testkit::pair_plan();
        let first = plan.routes[0].steps[0].clone();
        plan.routes[0].steps.push(first);
        let run = gateway_run(&resolved_from(&plan), Format::Openrouter).expect("exportable");
        assert_eq!(run.portfolio.routes[0].steps.len(), 2);
        let dropped: Vec<_> = run
            .differences
            .iter()
            .filter(|f| f.code == "openrouter-repeat-dropped")
            .map(|f| f.step)
            .collect();
        assert_eq!(dropped, [Some(2)]);
    }

    /// The exporters and this module must not drift apart: what the config
    /// says for each step is what the gateway portfolio runs.
    #[test]
    fn the_gateway_portfolio_matches_what_the_config_says() {
        let resolved = two_routes();
        let routes = connection::routes(&resolved).expect("complete");

        let config = litellm::config(&routes, &resolved.gateway);
        let run = gateway_run(&resolved, Format::Litellm).expect("exportable");
        let steps: Vec<_> = run.portfolio.routes.iter().flat_map(|r| &r.steps).collect();
        assert_eq!(config.model_list.len(), steps.len());
        for (d, step) in config.model_list.iter().zip(&steps) {
            assert_eq!(d.litellm_params.num_retries + 1, step.attempts);
            assert_eq!(d.litellm_params.timeout * 1000.0, step.timeout_ms);
        }

        let configs = portkey::configs(&routes, &resolved.gateway);
        let run = gateway_run(&resolved, Format::Portkey).expect("exportable");
        for ((_, config), route) in configs.0.iter().zip(&run.portfolio.routes) {
            assert_eq!(config.targets.len(), route.steps.len());
            for (t, step) in config.targets.iter().zip(&route.steps) {
                assert_eq!(t.retry.attempts + 1, step.attempts);
                assert_eq!(t.request_timeout as f64, step.timeout_ms);
            }
        }
    }

    #[test]
    fn an_unreachable_offering_fails_like_the_export() {
        let mut plan = crate::export::testkit::pair_plan();
        plan.offerings[1].dialect = None;
        assert!(gateway_run(&resolved_from(&plan), Format::Litellm).is_err());
    }
}
