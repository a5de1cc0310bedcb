//! From a plan's `[search]` section and a pool of candidate offerings to the
//! model's [`SearchSpace`]: defaults, filters and validation, with every problem
//! named by its field.

use crate::limits::{self, Limit};
use crate::model::search::{Constraints, Objective, Resolution, SearchSpace};
use crate::model::{Portfolio, Step};

use super::check::check_names;
use super::error::Problem;
use super::file::{GroupSpec, OfferingSpec, PlanFile, RouteSpec, SearchSpec, StepSpec};
use super::resolve::{OfferingSource, Resolved, resolve_offerings};

/// The most tries per step a search considers (`MODEL.md` §5: 1..=3).
pub const MAX_SEARCH_ATTEMPTS: u32 = limits::SEARCH_ATTEMPTS.max.value as u32;
/// Group states are bit masks of one machine word.
const MAX_SEARCH_GROUPS: usize = 64;
const DEFAULT_TIMEOUT_MS: f64 = 30_000.0;
/// The most step options a search with success within the budget as an
/// objective, or p95 at a resolution finer than the default (exact
/// included), scores. Its frontier is large (p95 trades against
/// availability at every fallback) and each point needs its exact p95:
/// exact, 400 options (200 synthetic candidates) give 228,650 points in
/// about 4 s on two shared cores, 600 give 468,021 in about 14 s. At the
/// default resolution ([`Resolution::DEFAULT`]) the frontier is a few
/// hundred points and the general limit applies: 600 options take 0.71 s,
/// 1,000 take 1.9 s (`BENCHMARKS.md`).
pub const MAX_OPTIONS_WITH_LATENCY_OBJECTIVES: u64 = 400;

/// Whether [`MAX_OPTIONS_WITH_LATENCY_OBJECTIVES`] applies: success within
/// the budget is an objective (an exact axis, not measured at a
/// resolution), or p95 is at a resolution finer than the default on either
/// axis. Only cost, availability and p95 at the default resolution or
/// coarser were measured up to the general limit.
fn latency_capped(objectives: &[Objective], resolution: &Resolution) -> bool {
    let extra = crate::model::search::Extra::of(objectives);
    let fine = resolution.p95 < Resolution::DEFAULT.p95
        || resolution.availability_nines < Resolution::DEFAULT.availability_nines;
    extra.success || (extra.p95 && fine)
}

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
    pub kind: SkipKind,
    pub reason: String,
}

/// Why candidates are left out, in kinds a summary can count.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SkipKind {
    /// It lacks a figure the model needs, even after inheritance.
    LacksFigures,
    /// A `[search]` filter (price, quality) leaves it out.
    Filtered,
    /// Another candidate is at least as good in every figure
    /// ([`dominated`]).
    Dominated,
}

impl SkipKind {
    pub fn describe(self) -> &'static str {
        match self {
            SkipKind::LacksFigures => "lack figures",
            SkipKind::Filtered => "filtered out",
            SkipKind::Dominated => "dominated by another candidate",
        }
    }
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

/// How many candidates were skipped for each kind of reason, in kind order.
pub fn skipped_by_kind(skipped: &[Skipped]) -> Vec<(SkipKind, usize)> {
    let mut counts: std::collections::BTreeMap<SkipKind, usize> = Default::default();
    for s in skipped {
        *counts.entry(s.kind).or_default() += 1;
    }
    counts.into_iter().collect()
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
            None => ids.push((candidate.id.clone(), at, candidate.explicit)),
            Some((_, reason)) if candidate.explicit => problems.push(Problem::new(at, reason)),
            Some((kind, reason)) => skipped.push(Skipped {
                id: candidate.id.clone(),
                kind,
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
    let all: Vec<(String, String)> = ids
        .iter()
        .map(|(id, at, _)| (id.clone(), at.clone()))
        .collect();
    let everyone = resolve_offerings(plan, &all, source)?;
    let explicit: Vec<bool> = ids.iter().map(|(_, _, explicit)| *explicit).collect();
    let mut kept = Vec::new();
    for (i, (id, at)) in all.into_iter().enumerate() {
        match dominated(&everyone.portfolio, i, &explicit) {
            Some(by) => skipped.push(Skipped {
                reason: format!(
                    "`{by}` costs no more and is at least as reliable and fast, in the same groups"
                ),
                id,
                kind: SkipKind::Dominated,
            }),
            None => kept.push((id, at)),
        }
    }
    option_space(
        kept.len(),
        &settings.1,
        &settings.2,
        &settings.5,
        &settings.6,
    )?;
    let resolved = resolve_offerings(plan, &kept, source)?;
    if resolved.portfolio.groups.len() > MAX_SEARCH_GROUPS {
        return Err(vec![Problem::new(
            "search",
            format!(
                "the candidates belong to {} failure groups; a search supports at most {MAX_SEARCH_GROUPS}",
                resolved.portfolio.groups.len()
            ),
        )]);
    }
    let (max_chain_length, attempts, timeouts_ms, backoff_ms, constraints, objectives, resolution) =
        settings;
    Ok(ResolvedSearch {
        space: SearchSpace {
            portfolio: resolved.portfolio.clone(),
            max_chain_length,
            attempts,
            timeouts_ms,
            backoff_ms,
            constraints,
            objectives,
            resolution,
        },
        resolved,
        skipped,
        min_success_within_budget: spec.min_success_within_budget,
    })
}

type Settings = (
    usize,
    Vec<u32>,
    Vec<f64>,
    f64,
    Constraints,
    Vec<Objective>,
    Resolution,
);

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
        (
            "search.p95_resolution",
            spec.p95_resolution,
            &limits::SEARCH_P95_RESOLUTION,
        ),
        (
            "search.availability_resolution_nines",
            spec.availability_resolution_nines,
            &limits::SEARCH_AVAILABILITY_RESOLUTION,
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
    let objectives = objectives(plan, spec, problems);
    // The defaults are the model's, defined once (`Resolution::DEFAULT`).
    let resolution = Resolution {
        p95: spec.p95_resolution.unwrap_or(Resolution::DEFAULT.p95),
        availability_nines: spec
            .availability_resolution_nines
            .unwrap_or(Resolution::DEFAULT.availability_nines),
    };
    (
        max_chain_length,
        attempts,
        timeouts_ms,
        backoff_ms,
        constraints,
        objectives,
        resolution,
    )
}

/// `search.objectives` resolved: [`Objective::DEFAULT`] when absent; each
/// name known, cost and availability always among them (the frontier's two
/// axes), and success within the budget only with a budget.
fn objectives(plan: &PlanFile, spec: &SearchSpec, problems: &mut Vec<Problem>) -> Vec<Objective> {
    let Some(names) = &spec.objectives else {
        return Objective::DEFAULT.to_vec();
    };
    let mut out: Vec<Objective> = Vec::new();
    for (i, name) in names.iter().enumerate() {
        match Objective::from_name(name) {
            Some(o) if !out.contains(&o) => out.push(o),
            Some(_) => {}
            None => problems.push(Problem::new(
                format!("search.objectives[{i}]"),
                format!(
                    "unknown objective `{}`: use {}",
                    limits::escape(name),
                    Objective::names()
                ),
            )),
        }
    }
    for required in Objective::DEFAULT {
        if !out.contains(&required) {
            problems.push(Problem::new(
                "search.objectives",
                format!(
                    "must include `{}`: the frontier always trades cost against availability",
                    required.name()
                ),
            ));
        }
    }
    if out.contains(&Objective::SuccessWithinBudget) && plan.workload.latency_budget_ms.is_none() {
        problems.push(Problem::new(
            "search.objectives",
            "success_within_budget needs a budget: set workload.latency_budget_ms",
        ));
    }
    out
}

/// The number of step options the search would score (candidates × distinct
/// attempt counts × distinct timeouts), refused above [`limits::SEARCH_OPTIONS`]
/// with the numbers.
fn option_space(
    candidates: usize,
    attempts: &[u32],
    timeouts_ms: &[f64],
    objectives: &[Objective],
    resolution: &Resolution,
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
    if latency_capped(objectives, resolution) && options > MAX_OPTIONS_WITH_LATENCY_OBJECTIVES {
        return Err(vec![Problem::new(
            "search.objectives",
            format!(
                "{} step options; with success_within_budget as an objective, or p95 at a resolution \
                 finer than the default (search.p95_resolution {}, search.availability_resolution_nines {}), \
                 the frontier holds hundreds of thousands of chains, each with its exact p95, so at most \
                 {MAX_OPTIONS_WITH_LATENCY_OBJECTIVES} are searched: list fewer candidates, \
                 attempts or timeouts_ms, search p95 at the default resolution or coarser, or search \
                 cost and availability alone",
                count(options),
                Resolution::DEFAULT.p95,
                Resolution::DEFAULT.availability_nines,
            ),
        )]);
    }
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

/// The candidate that dominates candidate `b` of `portfolio`, if one does:
/// in the same groups and outage mode, with no private downtime of its own
/// (so its retry is never worse than `b` as its fallback), and no worse in
/// any figure the search weighs: prices, availability, error rate and
/// latency, TTFT and speed. Of identical candidates the first by id stays.
/// A candidate the plan names (`explicit`) is never left out.
pub fn dominated(portfolio: &Portfolio, b: usize, explicit: &[bool]) -> Option<String> {
    if explicit.get(b).copied().unwrap_or(true) {
        return None;
    }
    let ob = &portfolio.offerings[b];
    let mut groups_b = ob.groups.clone();
    groups_b.sort_unstable();
    (0..portfolio.offerings.len())
        .filter(|&a| a != b)
        .find(|&a| {
            let oa = &portfolio.offerings[a];
            let mut groups_a = oa.groups.clone();
            groups_a.sort_unstable();
            let pa = &oa.prices;
            let pb = &ob.prices;
            let no_worse = groups_a == groups_b
                && oa.outage == ob.outage
                && portfolio.private_availability(a) >= 1.0
                && oa.availability >= ob.availability
                && oa.error_rate <= ob.error_rate
                && oa.error_latency_ms <= ob.error_latency_ms
                && oa.ttft.median_ms <= ob.ttft.median_ms
                && oa.ttft.p95_ms() <= ob.ttft.p95_ms()
                && oa.tokens_per_s >= ob.tokens_per_s
                && pa.input_per_mtok <= pb.input_per_mtok
                && pa.cached_input_per_mtok <= pb.cached_input_per_mtok
                && pa.output_per_mtok <= pb.output_per_mtok;
            let identical = oa.availability == ob.availability
                && oa.error_rate == ob.error_rate
                && oa.error_latency_ms == ob.error_latency_ms
                && oa.ttft == ob.ttft
                && oa.tokens_per_s == ob.tokens_per_s
                && pa == pb;
            no_worse && (!identical || oa.id < ob.id)
        })
        .map(|a| portfolio.offerings[a].id.clone())
}

/// Why `candidate` cannot take part, if it cannot: missing figures, or a filter.
fn disqualification(
    plan: &PlanFile,
    spec: &SearchSpec,
    candidate: &CandidateInfo,
    source: &dyn OfferingSource,
) -> Option<(SkipKind, String)> {
    let inline = plan.offerings.iter().find(|o| o.id == candidate.id);
    let merged: OfferingSpec = match (inline, source.offering(&candidate.id)) {
        (Some(i), Some(base)) => i.over(&base),
        (Some(i), None) => i.clone(),
        (None, Some(base)) => base,
        (None, None) => {
            return Some((
                SkipKind::LacksFigures,
                format!(
                    "unknown offering `{}`: define it in [[offerings]] or import it into the catalog",
                    candidate.id
                ),
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
        return Some((
            SkipKind::LacksFigures,
            format!("lacks {}", missing.join(", ")),
        ));
    }
    if let Some(min) = spec.min_quality {
        match candidate.quality {
            None => {
                return Some((
                    SkipKind::Filtered,
                    "has no quality score (search.min_quality is set)".to_owned(),
                ));
            }
            Some(q) if q < min => {
                return Some((
                    SkipKind::Filtered,
                    format!("quality {q} is below search.min_quality ({min})"),
                ));
            }
            Some(_) => {}
        }
    }
    let over = |price: Option<f64>, max: Option<f64>| match (price, max) {
        (Some(p), Some(m)) => p > m,
        _ => false,
    };
    if over(merged.input_per_mtok, spec.max_input_per_mtok) {
        return Some((
            SkipKind::Filtered,
            format!(
                "input price ${}/Mtok is above search.max_input_per_mtok",
                merged.input_per_mtok.unwrap_or_default()
            ),
        ));
    }
    if over(merged.output_per_mtok, spec.max_output_per_mtok) {
        return Some((
            SkipKind::Filtered,
            format!(
                "output price ${}/Mtok is above search.max_output_per_mtok",
                merged.output_per_mtok.unwrap_or_default()
            ),
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
        gateway: plan.gateway.clone(),
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
