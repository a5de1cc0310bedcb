//! From a plan's `[search]` section and a pool of candidate offerings to the
//! model's [`SearchSpace`]: defaults, filters and validation, with every problem
//! named by its field.

use crate::limits::{self, Limit};
use crate::model::Step;
use crate::model::search::{Constraints, SearchSpace};

use super::check::check_names;
use super::error::Problem;
use super::file::{GroupSpec, OfferingSpec, PlanFile, RouteSpec, SearchSpec, StepSpec};
use super::resolve::{OfferingSource, Resolved, resolve_offerings};

/// The most tries per step a search considers (`MODEL.md` §5: 1..=3).
pub const MAX_SEARCH_ATTEMPTS: u32 = limits::SEARCH_ATTEMPTS.max.value as u32;
/// Group states are bit masks of one machine word.
const MAX_SEARCH_GROUPS: usize = 64;
const DEFAULT_TIMEOUT_MS: f64 = 30_000.0;

/// One offering that may take part in the search.
#[derive(Debug, Clone, PartialEq)]
pub struct CandidateInfo {
    pub id: String,
    /// The catalog's quality score, if it has one.
    pub quality: Option<f64>,
    /// Named in `search.candidates` (then it must qualify: a problem otherwise),
    /// rather than found by the catalog filter (then it is skipped, with a reason).
    pub explicit: bool,
}

/// A candidate left out, and why.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Skipped {
    pub id: String,
    pub reason: String,
}

/// A search ready to run.
#[derive(Debug, Clone, PartialEq)]
pub struct ResolvedSearch {
    pub space: SearchSpace,
    /// The candidates' offerings and specs (routes empty), in `space` order.
    pub resolved: Resolved,
    pub skipped: Vec<Skipped>,
    /// Checked on the frontier's points by simulation.
    pub min_success_within_budget: Option<f64>,
}

/// Resolves `plan`'s `[search]` over `pool`.
pub fn resolve_search(
    plan: &PlanFile,
    pool: &[CandidateInfo],
    source: &dyn OfferingSource,
) -> Result<ResolvedSearch, Vec<Problem>> {
    let Some(spec) = &plan.search else {
        return Err(vec![Problem::new(
            "search",
            "the plan has no [search] section: add one to say what to search",
        )]);
    };
    let names = check_names(plan);
    if !names.is_empty() {
        return Err(names);
    }
    let mut problems = Vec::new();
    let settings = settings(plan, spec, &mut problems);
    let mut ids = Vec::new();
    let mut skipped = Vec::new();
    for (i, candidate) in pool.iter().enumerate() {
        let at = if candidate.explicit {
            format!("search.candidates[{i}]")
        } else {
            format!("catalog offering `{}`", candidate.id)
        };
        match disqualification(plan, spec, candidate, source) {
            None => ids.push((candidate.id.clone(), at)),
            Some(reason) if candidate.explicit => problems.push(Problem::new(at, reason)),
            Some(reason) => skipped.push(Skipped {
                id: candidate.id.clone(),
                reason,
            }),
        }
    }
    if ids.is_empty() && problems.is_empty() {
        problems.push(Problem::new(
            "search",
            format!(
                "no candidate offering qualifies ({} considered, {} skipped)",
                pool.len(),
                skipped.len()
            ),
        ));
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    option_space(ids.len(), &settings.1, &settings.2)?;
    let resolved = resolve_offerings(plan, &ids, source)?;
    if resolved.portfolio.groups.len() > MAX_SEARCH_GROUPS {
        return Err(vec![Problem::new(
            "search",
            format!(
                "the candidates belong to {} failure groups; a search supports at most {MAX_SEARCH_GROUPS}",
                resolved.portfolio.groups.len()
            ),
        )]);
    }
    let (max_chain_length, attempts, timeouts_ms, backoff_ms, constraints) = settings;
    Ok(ResolvedSearch {
        space: SearchSpace {
            portfolio: resolved.portfolio.clone(),
            max_chain_length,
            attempts,
            timeouts_ms,
            backoff_ms,
            constraints,
        },
        resolved,
        skipped,
        min_success_within_budget: spec.min_success_within_budget,
    })
}

type Settings = (usize, Vec<u32>, Vec<f64>, f64, Constraints);

/// The search's choices with defaults applied, each checked.
fn settings(plan: &PlanFile, spec: &SearchSpec, problems: &mut Vec<Problem>) -> Settings {
    let mut range = |field: &str, value: f64, limit: &Limit| {
        if let Err(reason) = limit.check(value) {
            problems.push(Problem::new(field, reason));
        }
    };
    let max_chain_length = spec
        .max_chain_length
        .unwrap_or(limits::SEARCH_MAX_CHAIN_LENGTH.max.value as usize);
    range(
        "search.max_chain_length",
        max_chain_length as f64,
        &limits::SEARCH_MAX_CHAIN_LENGTH,
    );
    let attempts = spec.attempts.clone().unwrap_or_else(|| vec![1, 2]);
    for (i, &a) in attempts.iter().enumerate() {
        range(
            &format!("search.attempts[{i}]"),
            f64::from(a),
            &limits::SEARCH_ATTEMPTS,
        );
    }
    let timeouts_ms = spec.timeouts_ms.clone().unwrap_or_else(|| {
        vec![
            plan.workload
                .latency_budget_ms
                .unwrap_or(DEFAULT_TIMEOUT_MS),
        ]
    });
    for (i, &t) in timeouts_ms.iter().enumerate() {
        range(
            &format!("search.timeouts_ms[{i}]"),
            t,
            &limits::SEARCH_TIMEOUT_MS,
        );
    }
    let backoff_ms = spec.backoff_ms.unwrap_or(0.0);
    range("search.backoff_ms", backoff_ms, &limits::SEARCH_BACKOFF_MS);
    for (field, value) in [
        ("search.min_availability", spec.min_availability),
        (
            "search.min_success_within_budget",
            spec.min_success_within_budget,
        ),
    ] {
        if let Some(v) = value {
            range(field, v, &limits::SEARCH_MIN_AVAILABILITY);
        }
    }
    for (field, value, limit) in [
        (
            "search.max_monthly_usd",
            spec.max_monthly_usd,
            &limits::SEARCH_MAX_MONTHLY_USD,
        ),
        (
            "search.max_input_per_mtok",
            spec.max_input_per_mtok,
            &limits::SEARCH_MAX_PRICE,
        ),
        (
            "search.max_output_per_mtok",
            spec.max_output_per_mtok,
            &limits::SEARCH_MAX_PRICE,
        ),
        (
            "search.min_quality",
            spec.min_quality,
            &limits::SEARCH_MIN_QUALITY,
        ),
    ] {
        if let Some(v) = value {
            range(field, v, limit);
        }
    }
    let mut problem = |field: &str, reason: &str| problems.push(Problem::new(field, reason));
    if attempts.is_empty() {
        problem("search.attempts", "is empty: list at least one");
    }
    if timeouts_ms.is_empty() {
        problem("search.timeouts_ms", "is empty: list at least one");
    }
    if spec.min_success_within_budget.is_some() && plan.workload.latency_budget_ms.is_none() {
        problem(
            "search.min_success_within_budget",
            "needs a budget: set workload.latency_budget_ms",
        );
    }
    let constraints = Constraints {
        min_availability: spec.min_availability,
        max_monthly_usd: spec.max_monthly_usd,
    };
    (
        max_chain_length,
        attempts,
        timeouts_ms,
        backoff_ms,
        constraints,
    )
}

/// The number of step options the search would score (candidates × distinct
/// attempt counts × distinct timeouts), refused above [`limits::SEARCH_OPTIONS`]
/// with the numbers.
fn option_space(
    candidates: usize,
    attempts: &[u32],
    timeouts_ms: &[f64],
) -> Result<(), Vec<Problem>> {
    let mut a = attempts.to_vec();
    a.sort_unstable();
    a.dedup();
    let mut t = timeouts_ms.to_vec();
    t.sort_by(f64::total_cmp);
    t.dedup();
    let options = (candidates as u64)
        .saturating_mul(a.len() as u64)
        .saturating_mul(t.len() as u64);
    let limit = &limits::SEARCH_OPTIONS;
    if limit.contains(options as f64) {
        return Ok(());
    }
    let plural = |n: usize, what: &str| {
        format!(
            "{} {what}{}",
            count(n as u64),
            if n == 1 { "" } else { "s" }
        )
    };
    Err(vec![Problem::new(
        "search",
        format!(
            "{} × {} × {} = {} step options; at most {} are searched (time and memory grow with about the cube of the options): \
             list fewer timeouts_ms or attempts, or fewer candidates",
            plural(candidates, "candidate"),
            plural(a.len(), "attempt"),
            plural(t.len(), "timeout"),
            count(options),
            count(limit.max_count()),
        ),
    )])
}

/// "4,560".
fn count(n: u64) -> String {
    crate::format::count(n as f64)
}

/// Why `candidate` cannot take part, if it cannot: missing figures, or a filter.
fn disqualification(
    plan: &PlanFile,
    spec: &SearchSpec,
    candidate: &CandidateInfo,
    source: &dyn OfferingSource,
) -> Option<String> {
    let inline = plan.offerings.iter().find(|o| o.id == candidate.id);
    let merged: OfferingSpec = match (inline, source.offering(&candidate.id)) {
        (Some(i), Some(base)) => i.over(&base),
        (Some(i), None) => i.clone(),
        (None, Some(base)) => base,
        (None, None) => {
            return Some(format!(
                "unknown offering `{}`: define it in [[offerings]] or import it into the catalog",
                candidate.id
            ));
        }
    };
    let missing: Vec<&str> = [
        ("availability", merged.availability),
        ("ttft_p50_ms", merged.ttft_p50_ms),
        ("ttft_p95_ms", merged.ttft_p95_ms),
        ("tokens_per_s", merged.tokens_per_s),
        ("input_per_mtok", merged.input_per_mtok),
        ("output_per_mtok", merged.output_per_mtok),
    ]
    .iter()
    .filter(|(_, v)| v.is_none())
    .map(|(name, _)| *name)
    .collect();
    if !missing.is_empty() {
        return Some(format!("lacks {}", missing.join(", ")));
    }
    if let Some(min) = spec.min_quality {
        match candidate.quality {
            None => return Some("has no quality score (search.min_quality is set)".to_owned()),
            Some(q) if q < min => {
                return Some(format!("quality {q} is below search.min_quality ({min})"));
            }
            Some(_) => {}
        }
    }
    let over = |price: Option<f64>, max: Option<f64>| match (price, max) {
        (Some(p), Some(m)) => p > m,
        _ => false,
    };
    if over(merged.input_per_mtok, spec.max_input_per_mtok) {
        return Some(format!(
            "input price ${}/Mtok is above search.max_input_per_mtok",
            merged.input_per_mtok.unwrap_or_default()
        ));
    }
    if over(merged.output_per_mtok, spec.max_output_per_mtok) {
        return Some(format!(
            "output price ${}/Mtok is above search.max_output_per_mtok",
            merged.output_per_mtok.unwrap_or_default()
        ));
    }
    None
}

/// A self-contained plan that runs `steps` (a frontier point) over the search's
/// offerings: the same workload, target and `[tco]`, the route as its only route,
/// and every offering and group it uses written inline with the figures the
/// search used, so that it evaluates and exports the same without the catalog.
pub fn point_plan(plan: &PlanFile, search: &ResolvedSearch, steps: &[Step]) -> PlanFile {
    let portfolio = &search.resolved.portfolio;
    let mut used: Vec<usize> = Vec::new();
    for s in steps {
        if !used.contains(&s.offering) {
            used.push(s.offering);
        }
    }
    let offerings: Vec<OfferingSpec> = used
        .iter()
        .map(|&o| search.resolved.offering_specs[o].clone())
        .collect();
    let mut groups: Vec<GroupSpec> = Vec::new();
    for &o in &used {
        for &g in &portfolio.offerings[o].groups {
            let group = &portfolio.groups[g];
            if !groups.iter().any(|x| x.id == group.id) {
                groups.push(GroupSpec::of(group));
            }
        }
    }
    PlanFile {
        workload: plan.workload.clone(),
        target: plan.target.clone(),
        offerings,
        groups,
        routes: vec![RouteSpec {
            name: "default".to_owned(),
            share: None,
            steps: steps
                .iter()
                .map(|s| StepSpec {
                    offering: portfolio.offerings[s.offering].id.clone(),
                    attempts: Some(s.attempts),
                    timeout_ms: s.timeout_ms,
                    backoff_ms: (s.backoff_ms > 0.0).then_some(s.backoff_ms),
                })
                .collect(),
        }],
        search: None,
        tco: plan.tco.clone(),
    }
}
