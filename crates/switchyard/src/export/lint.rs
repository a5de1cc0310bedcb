//! Lint: what is wrong or risky in a plan, and, for a gateway, what its config
//! will do differently from the plan.
//!
//! Every finding has a severity, a stable code (scripts match on it), the route
//! and step it concerns and a sentence a user understands. The rules:
//!
//! | code | severity | fires when |
//! |---|---|---|
//! | `timeout-below-generation` | error | a step's timeout is shorter than its expected generation time (TTFT p50 + output tokens / speed): most attempts time out |
//! | `timeout-cuts-successes` | warning | the timeout cuts more than 5% of the attempts that would succeed (TTFT p95 + generation is above it) |
//! | `retry-amplification` | warning | a route can call providers more than 3 times for one request |
//! | `retries-unbounded` | warning | (OpenRouter) the gateway retries as it sees fit, with no bound the config can set |
//! | `fallback-beyond-budget` | error | a step cannot even start inside the latency budget: the earlier steps, failing as fast as they can, use it all |
//! | `fallback-cannot-finish` | warning | a later step can start inside the budget but cannot finish in it |
//! | `budget-below-generation` | warning | even the first step cannot generate the answer inside the budget |
//! | `repeat-without-availability` | warning | a step shares its offering or a failure group with an earlier step of its route and removing it would raise the route's failure rate by less than 1% |
//! | `key-env-unset` | warning | the variable named by `key_env` is not set (never its value: only whether it is set) |
//! | `connection-missing` | error | (with a gateway) an offering lacks dialect, api_base, model or key_env |
//! | `fallback-unknown-group` | error | (LiteLLM) a fallback names a model group the config does not define |
//! | `duplicate-group` | error | (LiteLLM) two steps are exported as the same model group (a route named like another route's `<route>/step-<n>`) |
//! | `litellm-rate-limits` | info | (LiteLLM) the offerings' limits are exported as `rpm`/`tpm`, which this config uses only as weights and an in-flight cap: the provider's 429s do the limiting |
//! | `portkey-rate-limits` | info | (Portkey) its gateway config cannot carry a per-target limit: nothing is exported, the provider's 429 is retried or falls back |
//! | `openrouter-rate-limits` | info | (OpenRouter) its request preferences cannot carry a limit: nothing is exported |
//! | `limit-exceeded-at-peak`, `limit-exceeded-upstream-outage` | warning | a step is sent more than its offering's rate limit takes ([`super::lint_capacity`]) |
//! | gateway differences | any | (with a gateway) from [`super::semantics`]: backoff, budget, retries, order, ... |
//! | `stream-stall-undetected`, `portkey-stream-stall-undetected` | warning | (LiteLLM, Portkey) the config cannot end a stream that stalls mid-way ([`super::lint_streams`]) |
//! | `portkey-streaming-fails` | warning | (Portkey) its open-source Node build fails every streaming request with a 500 |
//! | `stream-fault-after-start` | info | (LiteLLM) a stream that fails after it started is not fallen back from; a cut one looks whole |
//! | failure handling | warning/info | (LiteLLM, Portkey) from [`super::lint_breaker`]: what the gateway does with a failing step under the plan's `[gateway]` |
//!
//! The LiteLLM checks read the exported YAML back, so they check the artifact,
//! not the intent.

use std::collections::{BTreeMap, HashSet};
use std::fmt;

use serde::Serialize;

use crate::model::{OutageMode, Portfolio, Step, exact};
use crate::plan::Resolved;

use super::connection;
use super::litellm::LitellmConfig;
use super::semantics;
use super::{Format, litellm};
use crate::secret::is_env_name;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Info,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        })
    }
}

/// One thing the lint found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    pub severity: Severity,
    /// Stable, kebab-case: the table in the module doc.
    pub code: &'static str,
    /// The route concerned, if any.
    pub route: Option<String>,
    /// The step concerned, 0-based as in `evaluate --json`'s `served_share`.
    pub step: Option<usize>,
    /// The offering of that step, or the offering concerned.
    pub offering: Option<String>,
    pub message: String,
}

impl Finding {
    /// A finding about the whole plan.
    pub fn plan(severity: Severity, code: &'static str, message: String) -> Self {
        Self {
            severity,
            code,
            route: None,
            step: None,
            offering: None,
            message,
        }
    }

    /// A finding about route `r`.
    pub fn route(
        resolved: &Resolved,
        r: usize,
        severity: Severity,
        code: &'static str,
        message: String,
    ) -> Self {
        Self {
            route: resolved.portfolio.routes.get(r).map(|x| x.name.clone()),
            ..Self::plan(severity, code, message)
        }
    }

    /// A finding about step `j` of route `r`.
    pub fn step(
        resolved: &Resolved,
        r: usize,
        j: usize,
        severity: Severity,
        code: &'static str,
        message: String,
    ) -> Self {
        let p = &resolved.portfolio;
        let offering = p
            .routes
            .get(r)
            .and_then(|x| x.steps.get(j))
            .map(|s| p.offerings[s.offering].id.clone());
        Self {
            step: Some(j),
            offering,
            ..Self::route(resolved, r, severity, code, message)
        }
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}[{}]", self.severity, self.code)?;
        match (&self.route, self.step, &self.offering) {
            (Some(route), Some(step), Some(offering)) => {
                write!(f, " route `{route}` step {} ({offering})", step + 1)?;
            }
            (Some(route), _, _) => write!(f, " route `{route}`")?,
            (None, _, Some(offering)) => write!(f, " offering `{offering}`")?,
            (None, _, None) => {}
        }
        write!(f, ": {}", self.message)
    }
}

/// Whether an environment variable is set to something non-empty. The lint
/// asks only this, so no key value ever reaches a finding.
pub trait Env {
    fn is_set(&self, name: &str) -> bool;
}

/// The process environment.
#[derive(Debug, Clone, Copy, Default)]
pub struct ProcessEnv;

impl Env for ProcessEnv {
    fn is_set(&self, name: &str) -> bool {
        std::env::var_os(name).is_some_and(|v| !v.is_empty())
    }
}

/// The ceiling on provider calls per request above which retries amplify an
/// outage into a load spike.
pub const MAX_AMPLIFICATION: u32 = 3;
/// Above this share of would-be successes cut by the timeout, warn.
pub const CUT_SHARE_WARNING: f64 = 0.05;
/// A step that lowers its route's failure rate by less than this (relative)
/// adds no availability worth its latency and cost.
pub const MIN_RELATIVE_GAIN: f64 = 0.01;

/// Every finding for `resolved`, and with a gateway `format`, everything about
/// its config. Errors first, then warnings, then infos; within a severity, in
/// plan order.
pub fn lint(resolved: &Resolved, format: Option<Format>, env: &dyn Env) -> Vec<Finding> {
    let mut findings = Vec::new();
    timeouts(resolved, &mut findings);
    amplification(resolved, &mut findings);
    budget(resolved, &mut findings);
    repeats(resolved, &mut findings);
    keys(resolved, env, &mut findings);
    findings.extend(super::lint_capacity::findings(resolved));
    if let Some(format) = format {
        match semantics::gateway_run(resolved, format) {
            Ok(run) => {
                if format == Format::Litellm
                    && let Ok(routes) = connection::routes(resolved)
                {
                    let text = litellm::render(&litellm::config(&routes, &resolved.gateway));
                    findings.extend(litellm_config(&text));
                }
                match format {
                    Format::Litellm => findings.push(super::lint_streams::litellm_after_start()),
                    Format::Portkey => findings.extend(super::lint_streams::portkey()),
                    Format::Openrouter => {}
                }
                findings.extend(run.differences);
            }
            Err(e) => findings.extend(e.problems.iter().map(|p| Finding {
                offering: Some(p.offering.clone()),
                ..Finding::plan(
                    Severity::Error,
                    "connection-missing",
                    format!("{}: {}", p.field, p.reason),
                )
            })),
        }
    }
    findings.sort_by_key(|f| f.severity);
    findings
}

/// Expected generation time of a step: `TTFT p50 + output_tokens / speed`.
fn expected_generation_ms(portfolio: &Portfolio, step: &Step) -> (f64, f64) {
    let o = &portfolio.offerings[step.offering];
    let generation = 1000.0 * portfolio.workload.output_tokens / o.tokens_per_s;
    (o.ttft.median_ms, generation)
}

fn timeouts(resolved: &Resolved, findings: &mut Vec<Finding>) {
    let p = &resolved.portfolio;
    for (r, route) in p.routes.iter().enumerate() {
        for (j, step) in route.steps.iter().enumerate() {
            let o = &p.offerings[step.offering];
            let (ttft, generation) = expected_generation_ms(p, step);
            let expected = ttft + generation;
            let cut = 1.0 - o.ttft.cdf(step.timeout_ms - generation);
            if step.timeout_ms < expected {
                findings.push(Finding::step(
                    resolved,
                    r,
                    j,
                    Severity::Error,
                    "timeout-below-generation",
                    format!(
                        "the timeout ({:.0} ms) is shorter than the expected generation time \
                         ({:.0} ms: {:.0} ms to the first token + {:.0} tokens at {} tokens/s), \
                         so {:.0}% of attempts time out; raise it above {:.0} ms",
                        step.timeout_ms,
                        expected,
                        ttft,
                        p.workload.output_tokens,
                        o.tokens_per_s,
                        cut * 100.0,
                        o.ttft.p95_ms() + generation
                    ),
                ));
            } else if cut > CUT_SHARE_WARNING {
                findings.push(Finding::step(
                    resolved,
                    r,
                    j,
                    Severity::Warning,
                    "timeout-cuts-successes",
                    format!(
                        "the timeout ({:.0} ms) cuts {:.1}% of the attempts that would succeed \
                         (time to first token p95 + generation is {:.0} ms); they are billed \
                         and retried or fallen back from",
                        step.timeout_ms,
                        cut * 100.0,
                        o.ttft.p95_ms() + generation
                    ),
                ));
            }
        }
    }
}

fn amplification(resolved: &Resolved, findings: &mut Vec<Finding>) {
    for (r, route) in resolved.portfolio.routes.iter().enumerate() {
        let calls: u32 = route.steps.iter().map(|s| s.attempts).sum();
        if calls > MAX_AMPLIFICATION {
            findings.push(Finding::route(
                resolved,
                r,
                Severity::Warning,
                "retry-amplification",
                format!(
                    "one request can make up to {calls} provider calls ({}); when providers \
                     struggle, retries multiply their load by up to {calls}x, more than the \
                     {MAX_AMPLIFICATION}x that retry budgets usually allow",
                    route
                        .steps
                        .iter()
                        .map(|s| s.attempts.to_string())
                        .collect::<Vec<_>>()
                        .join(" + ")
                ),
            ));
        }
    }
}

/// The shortest time in which a step can fail all its attempts: each attempt
/// failing as early as the offering can fail, plus the waits between them.
pub fn fastest_failure_ms(portfolio: &Portfolio, step: &Step) -> f64 {
    let o = &portfolio.offerings[step.offering];
    let error_ms = o.error_latency_ms.min(step.timeout_ms);
    let can_err_fast =
        o.error_rate > 0.0 || (o.outage == OutageMode::Error && o.availability < 1.0);
    let attempt = if can_err_fast {
        error_ms
    } else {
        step.timeout_ms
    };
    let waits: f64 = (1..step.attempts).map(|i| step.backoff_before(i)).sum();
    attempt * f64::from(step.attempts) + waits
}

fn budget(resolved: &Resolved, findings: &mut Vec<Finding>) {
    let p = &resolved.portfolio;
    let Some(budget) = p.workload.latency_budget_ms else {
        return;
    };
    for (r, route) in p.routes.iter().enumerate() {
        let mut start = 0.0;
        for (j, step) in route.steps.iter().enumerate() {
            let (_, generation) = expected_generation_ms(p, step);
            if j == 0 {
                if generation >= budget {
                    findings.push(Finding::step(
                        resolved,
                        r,
                        j,
                        Severity::Warning,
                        "budget-below-generation",
                        format!(
                            "generating the answer takes more than {generation:.0} ms, longer \
                             than the {budget:.0} ms budget: no request can succeed inside it"
                        ),
                    ));
                }
            } else if start >= budget {
                findings.push(Finding::step(
                    resolved,
                    r,
                    j,
                    Severity::Error,
                    "fallback-beyond-budget",
                    format!(
                        "this step can never run inside the {:.0} ms budget: the steps before it \
                         take at least {start:.0} ms to fail",
                        budget
                    ),
                ));
            } else if start + generation >= budget {
                findings.push(Finding::step(
                    resolved,
                    r,
                    j,
                    Severity::Warning,
                    "fallback-cannot-finish",
                    format!(
                        "this step starts at the earliest at {start:.0} ms and needs more than \
                         {generation:.0} ms to generate the answer: it can never finish inside \
                         the {budget:.0} ms budget"
                    ),
                ));
            }
            start += fastest_failure_ms(p, step);
        }
    }
}

/// What a step shares with an earlier step of its route: the same offering,
/// or a failure group.
fn shared_failure(portfolio: &Portfolio, steps: &[Step], j: usize) -> Option<(usize, String)> {
    let o = &portfolio.offerings[steps[j].offering];
    steps[..j].iter().enumerate().find_map(|(i, earlier)| {
        if earlier.offering == steps[j].offering {
            return Some((i, "the same offering".to_owned()));
        }
        let e = &portfolio.offerings[earlier.offering];
        o.groups
            .iter()
            .find(|g| e.groups.contains(g))
            .map(|&g| (i, format!("failure group `{}`", portfolio.groups[g].id)))
    })
}

fn route_unavailability(portfolio: &Portfolio, r: usize, steps: Vec<Step>) -> f64 {
    let mut alone = portfolio.clone();
    let mut route = alone.routes[r].clone();
    route.share = 1.0;
    route.steps = steps;
    alone.routes = vec![route];
    1.0 - exact::availability(&alone)
}

fn repeats(resolved: &Resolved, findings: &mut Vec<Finding>) {
    let p = &resolved.portfolio;
    for (r, route) in p.routes.iter().enumerate() {
        let with = route_unavailability(p, r, route.steps.clone());
        for j in 1..route.steps.len() {
            let Some((i, what)) = shared_failure(p, &route.steps, j) else {
                continue;
            };
            let mut without_steps = route.steps.clone();
            without_steps.remove(j);
            let without = route_unavailability(p, r, without_steps);
            let gain = if without > 0.0 {
                (without - with) / without
            } else {
                0.0
            };
            if gain < MIN_RELATIVE_GAIN {
                findings.push(Finding::step(
                    resolved,
                    r,
                    j,
                    Severity::Warning,
                    "repeat-without-availability",
                    format!(
                        "this step shares {what} with step {} and fails when it fails: it lowers \
                         the route's failure rate by only {:.2}%; another attempt at step {} or \
                         an offering outside that failure domain would do more",
                        i + 1,
                        gain * 100.0,
                        i + 1
                    ),
                ));
            }
        }
    }
}

fn keys(resolved: &Resolved, env: &dyn Env, findings: &mut Vec<Finding>) {
    let p = &resolved.portfolio;
    let mut seen = HashSet::new();
    for route in &p.routes {
        for step in &route.steps {
            let spec = &resolved.offering_specs[step.offering];
            let Some(name) = spec.key_env.as_deref() else {
                continue;
            };
            if !is_env_name(name) || !seen.insert(name) || env.is_set(name) {
                continue;
            }
            findings.push(Finding {
                offering: Some(spec.id.clone()),
                ..Finding::plan(
                    Severity::Warning,
                    "key-env-unset",
                    format!(
                        "the environment variable `{name}` that holds its key is not set here; \
                         the gateway will need it"
                    ),
                )
            });
        }
    }
}

/// Checks of an exported LiteLLM config, read back from its YAML.
pub fn litellm_config(yaml: &str) -> Vec<Finding> {
    let config: LitellmConfig = match litellm::parse(yaml) {
        Ok(c) => c,
        Err(e) => {
            return vec![Finding::plan(
                Severity::Error,
                "config-unreadable",
                format!("the exported LiteLLM config does not read back: {e}"),
            )];
        }
    };
    let mut findings = Vec::new();
    let mut groups: BTreeMap<&str, usize> = BTreeMap::new();
    for d in &config.model_list {
        *groups.entry(d.model_name.as_str()).or_default() += 1;
    }
    for (name, count) in &groups {
        if *count > 1 {
            findings.push(Finding::plan(
                Severity::Error,
                "duplicate-group",
                format!(
                    "{count} steps are exported as the model group `{name}`, so LiteLLM would \
                     pool them as one; rename the route whose name looks like `<route>/step-<n>`"
                ),
            ));
        }
    }
    for entry in &config.router_settings.fallbacks {
        for (from, targets) in entry {
            for name in std::iter::once(from).chain(targets) {
                if !groups.contains_key(name.as_str()) {
                    findings.push(Finding {
                        route: Some(from.clone()),
                        ..Finding::plan(
                            Severity::Error,
                            "fallback-unknown-group",
                            format!(
                                "the fallback `{from}` -> `{name}` names a model group the \
                                 config does not define"
                            ),
                        )
                    });
                }
            }
        }
    }
    findings.extend(super::lint_streams::litellm(&config));
    findings
}

/// How many findings of each severity: `(errors, warnings, infos)`.
pub fn counts(findings: &[Finding]) -> (usize, usize, usize) {
    let n = |s| findings.iter().filter(|f| f.severity == s).count();
    (n(Severity::Error), n(Severity::Warning), n(Severity::Info))
}

#[cfg(test)]
#[path = "lint_tests.rs"]
mod tests;
