//! Portfolio search (`MODEL.md` §5): the Pareto frontier of single-route fallback
//! chains over monthly cost and availability, with latency figures for the
//! frontier's points.
//!
//! **What is searched.** Chains of 1 to `max_chain_length` steps, each step a
//! different candidate offering used with one of the allowed attempt counts and
//! timeouts. A chain is scored with the exact closed forms: availability and
//! expected cost per request (no deadline). Monthly cost adds the workload's fixed
//! costs.
//!
//! **What is returned.** The chains no other chain beats: a chain is dominated
//! when another is no dearer and no less available and strictly better in one of
//! the two. Ties (the same cost and availability to the last bit) keep the chain
//! that comes first in canonical order (shorter, then by option). Latency (p50,
//! p95, p99 of successful requests) and success within the latency budget need
//! the simulation, which is run only for the frontier's points (fixed seed, so
//! the output is the same on every run); `min_success_within_budget` is checked
//! on those points and the ones that miss it are reported as rejected.
//!
//! **Why it is fast and still exact.** Two prunings, both proven safe:
//! - *Redundant options.* Within one group signature (the set of failure groups
//!   an offering belongs to), a chain's cost and unavailability are, in every
//!   group state, non-decreasing functions of each step's (cost, failure)
//!   pair. So an option beaten on both by another option of the same signature
//!   can be swapped out of any chain for a chain that dominates it, provided the
//!   better option's offering is not already in the chain. An option is dropped
//!   when such a better option exists for its own offering, or for
//!   `max_chain_length` distinct other offerings (a chain can hold at most
//!   `max_chain_length - 1` others).
//! - *Bounds.* Extending a chain never lowers its cost, and lowers its
//!   unavailability at most by the factor of the most reliable option; a prefix
//!   is not extended when a chain already found beats that bound, and never when
//!   its cost is over `max_monthly_usd`.
//!
//! Chains of three steps are scored in parallel by first step; the pruning only
//! uses the frontier of the shorter chains, fixed before the parallel part, so
//! the result never depends on the number of threads.

mod chain;
mod dominance;
mod objectives;
pub mod report;
mod resolution;
pub mod synthetic;
mod walker;

use rayon::prelude::*;
use serde::Serialize;

pub use chain::{ChainFigures, ChainScorer, StepOption};
pub use objectives::{Extra, Objective};
pub use resolution::{DEFAULT_AVAILABILITY_RESOLUTION_NINES, DEFAULT_P95_RESOLUTION, Resolution};

use super::capacity;
use super::progress::{Cancelled, Progress};
use super::{Portfolio, Route, Step};

/// The longest chain the search builds.
pub const MAX_CHAIN_LENGTH: usize = chain::MAX_STEPS;

/// What to search: candidate offerings (in `portfolio.offerings`, with its groups
/// and workload; its routes are ignored) and the choices for each step.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchSpace {
    pub portfolio: Portfolio,
    /// 1..=[`MAX_CHAIN_LENGTH`].
    pub max_chain_length: usize,
    /// Tries per step to consider (each at least 1).
    pub attempts: Vec<u32>,
    /// Timeouts per attempt to consider, in ms.
    pub timeouts_ms: Vec<f64>,
    /// The backoff of every step.
    pub backoff_ms: f64,
    pub constraints: Constraints,
    /// What the frontier trades off: always cost and availability, and p95
    /// or success within the budget if listed ([`Objective::DEFAULT`]).
    pub objectives: Vec<Objective>,
    /// How finely p95 and availability are told apart when p95 or success
    /// within the budget is an objective ([`Resolution`]); the two-axis
    /// frontier is always exact.
    pub resolution: Resolution,
}

impl SearchSpace {
    /// The resolution the frontier is at, when it is at one: only a frontier
    /// with p95 or success within the budget is; the two-axis one is exact.
    /// What `search --json` and the app report.
    pub fn frontier_resolution(&self) -> Option<Resolution> {
        Extra::of(&self.objectives).any().then_some(self.resolution)
    }
}

/// Conditions a chain must meet to be on the frontier.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Constraints {
    pub min_availability: Option<f64>,
    pub max_monthly_usd: Option<f64>,
}

/// One chain of the frontier, with its exact figures.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    /// Indices into [`SearchSpace::portfolio`]'s offerings.
    pub steps: Vec<Step>,
    pub cost_per_request: f64,
    pub monthly_usd: f64,
    pub availability: f64,
    pub unavailability: f64,
    /// The availability at the peak minute under the offerings' rate limits
    /// (`MODEL.md` §12); `None` when no offering has a limit. With limits,
    /// the other figures are the day's, under the limits too.
    pub availability_at_peak: Option<f64>,
    /// p95 of successful requests' latency, exact, when it is an objective
    /// (`None` then: nothing succeeds).
    pub p95_ms: Option<f64>,
    /// Success within the budget, exact, when it is an objective.
    pub success_within_budget: Option<f64>,
}

/// The portfolio of the chain `steps` alone: its own offerings (a search may
/// hold thousands, and the capacity solve and the walk visit every one),
/// every group, and the workload.
pub(crate) fn chain_portfolio(portfolio: &Portfolio, steps: &[Step]) -> Portfolio {
    let mut offerings = Vec::new();
    let steps: Vec<Step> = steps
        .iter()
        .map(|s| Step {
            offering: super::exact::local_index(&mut offerings, s.offering),
            ..*s
        })
        .collect();
    Portfolio {
        offerings: offerings
            .iter()
            .map(|&o| portfolio.offerings[o].clone())
            .collect(),
        groups: portfolio.groups.clone(),
        routes: vec![Route {
            name: "chain".to_owned(),
            share: 1.0,
            steps,
        }],
        workload: portfolio.workload,
    }
}

/// `candidate`'s figures under the rate limits of `portfolio`'s offerings:
/// the day's closed forms and the peak availability of the chain alone.
fn under_limits(portfolio: &Portfolio, candidate: &mut Candidate) {
    let chain = chain_portfolio(portfolio, &candidate.steps);
    let analysis = capacity::analyse(&chain);
    let w = &portfolio.workload;
    candidate.cost_per_request = analysis.day.cost_per_request;
    candidate.monthly_usd =
        analysis.day.cost_per_request * w.requests_per_month + w.fixed_monthly_usd;
    candidate.availability = analysis.day.availability;
    candidate.unavailability = analysis.day.unavailability;
    candidate.availability_at_peak = Some(analysis.availability_at_peak);
}

/// The frontier, cheapest first, and how much work it took.
#[derive(Debug, Clone, PartialEq)]
pub struct Frontier {
    pub points: Vec<Candidate>,
    pub stats: SearchStats,
}

/// Counts that show what the pruning saved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct SearchStats {
    /// Step options: candidates × attempts × timeouts.
    pub options: u64,
    /// Options left after dropping the redundant ones.
    pub options_kept: u64,
    /// Chains brute force would score.
    pub chains_total: u64,
    /// Chains actually scored.
    pub chains_scored: u64,
}

/// Searches `space` for its frontier.
pub fn search(space: &SearchSpace) -> Frontier {
    // A fresh `Progress` is never cancelled.
    search_with_progress(space, &Progress::new()).unwrap_or_else(|Cancelled| Frontier {
        points: Vec::new(),
        stats: SearchStats::default(),
    })
}

/// [`search`], reporting progress and stopping when cancelled.
///
/// The units are prefixes extended: one per first step while chains of one
/// and two steps are scored, then one per two-step prefix that survives the
/// bounds. The second count is only known once the first phase is done, so
/// the total grows once, midway. Cancellation is checked before each prefix,
/// which bounds the delay to scoring one prefix's extensions (microseconds
/// to a millisecond, even at 1,000 candidates).
pub fn search_with_progress(
    space: &SearchSpace,
    progress: &Progress,
) -> Result<Frontier, Cancelled> {
    let portfolio = &space.portfolio;
    let options = step_options(space);
    let scorer = ChainScorer::for_portfolio(portfolio);
    // Dropping an option another beats on cost and availability holds for
    // the closed forms alone: under rate limits the beaten one may be the
    // one with room, so every option is kept.
    // So does it for one class of requests: with several, an option beaten
    // on the means may still be the better one for the long answers.
    let mixed = options.iter().any(StepOption::is_mixed);
    let kept = if capacity::is_limited(portfolio) || mixed {
        (0..options.len()).collect()
    } else {
        non_redundant(&options, space.max_chain_length)
    };
    if Extra::of(&space.objectives).any() {
        // Every option is kept (see `objectives`), so the bound is over all.
        let best_fail = options
            .iter()
            .flat_map(|o| {
                o.classes
                    .iter()
                    .map(|c| c.fail_if_up)
                    .chain([o.fail_if_up])
                    .map(move |f| o.private_up * (f - 1.0) + 1.0)
            })
            .fold(1.0_f64, f64::min);
        let (points, scored) = objectives::search(space, &options, best_fail, progress)?;
        let n = options.len() as u64;
        return Ok(Frontier {
            points,
            stats: SearchStats {
                options: n,
                options_kept: n,
                chains_total: chains_total(space, &options),
                chains_scored: scored,
            },
        });
    }
    let volume = portfolio.workload.requests_per_month;
    let fixed = portfolio.workload.fixed_monthly_usd;
    // Extensions only cost more: a prefix over the monthly maximum stays over it.
    let over_budget = |cost: f64| {
        space
            .constraints
            .max_monthly_usd
            .is_some_and(|max| cost * volume + fixed > max)
    };
    // The smallest factor by which one more step can cut unavailability: the
    // most reliable kept option with all its groups up.
    // With several classes of requests, a chain's unavailability is their
    // weighted sum, each cut by its own factor: the smallest over classes
    // bounds them all.
    let best_fail = kept
        .iter()
        .flat_map(|&i| {
            let o = &options[i];
            o.classes
                .iter()
                .map(|c| c.fail_if_up)
                .chain([o.fail_if_up])
                .map(move |f| o.private_up * (f - 1.0) + 1.0)
        })
        .fold(1.0_f64, f64::min);

    // A chain with a rate-limited offering is scored by the capacity model
    // (the day's figures, and its peak against `min_availability`); the
    // others by the fast closed form, which is then the same.
    let limited: Vec<bool> = portfolio
        .offerings
        .iter()
        .map(|o| o.quota.is_limited())
        .collect();
    let score = |chain: &[usize]| -> Scored {
        let refs: Vec<&StepOption> = chain.iter().map(|&i| &options[i]).collect();
        let figures = scorer.score(&refs);
        if !chain.iter().any(|&i| limited[options[i].offering]) {
            return Scored::new(chain, figures);
        }
        let mut c = Candidate {
            steps: chain.iter().map(|&i| options[i].step).collect(),
            cost_per_request: figures.cost_per_request,
            monthly_usd: 0.0,
            availability: 1.0 - figures.unavailability,
            unavailability: figures.unavailability,
            availability_at_peak: None,
            p95_ms: None,
            success_within_budget: None,
        };
        under_limits(portfolio, &mut c);
        let mut s = Scored::new(
            chain,
            ChainFigures {
                cost_per_request: c.cost_per_request,
                unavailability: c.unavailability,
            },
        );
        s.peak_ok = space
            .constraints
            .min_availability
            .is_none_or(|min| c.availability_at_peak.unwrap_or(1.0) >= min);
        s
    };
    let mut scored = 0u64;
    let mut found: Vec<Scored> = Vec::new();
    progress.expect(kept.len() as u64);
    // Chains of one and two steps, all of them.
    for &a in &kept {
        if progress.is_cancelled() {
            return Err(Cancelled);
        }
        progress.advance(1);
        scored += 1;
        found.push(score(&[a]));
        if space.max_chain_length < 2 {
            continue;
        }
        for &b in &kept {
            if options[b].offering == options[a].offering {
                continue;
            }
            scored += 1;
            found.push(score(&[a, b]));
        }
    }
    let limits = Limits {
        constraints: space.constraints,
        volume,
        fixed,
    };
    let mut frontier = pareto(found.clone(), limits);

    if space.max_chain_length >= 3 {
        let pairs: Vec<&Scored> = found
            .iter()
            .filter(|s| s.len == 2 && !over_budget(s.figures.cost_per_request))
            .filter(|s| {
                // Any extension costs at least as much and is at best
                // `best_fail` times less unavailable.
                let bound_u = s.figures.unavailability * best_fail;
                !frontier.iter().any(|q| {
                    q.figures.cost_per_request <= s.figures.cost_per_request
                        && q.figures.unavailability < bound_u
                })
            })
            .collect();
        let by_cost = sorted_by_cost(&options, &kept);
        progress.expect(pairs.len() as u64);
        let triples: Vec<(u64, Vec<Scored>)> = pairs
            .par_iter()
            .map(|prefix| {
                if progress.is_cancelled() {
                    return (0, Vec::new());
                }
                progress.advance(1);
                let (a, b) = (prefix.options[0], prefix.options[1]);
                let useful = useful_extensions(&options, &by_cost, &[a, b], mixed);
                let local: Vec<Scored> = useful.iter().map(|&c| score(&[a, b, c])).collect();
                (local.len() as u64, pareto(local, limits))
            })
            .collect();
        if progress.is_cancelled() {
            return Err(Cancelled);
        }
        for (count, local) in triples {
            scored += count;
            frontier.extend(local);
        }
        frontier = pareto(frontier, limits);
    }

    let n = options.len() as u64;
    let points: Vec<Candidate> = frontier
        .iter()
        .map(|s| Candidate {
            steps: s.options[..s.len]
                .iter()
                .map(|&i| options[i].step)
                .collect(),
            cost_per_request: s.figures.cost_per_request,
            monthly_usd: s.figures.cost_per_request * volume + fixed,
            availability: 1.0 - s.figures.unavailability,
            unavailability: s.figures.unavailability,
            availability_at_peak: None,
            p95_ms: None,
            success_within_budget: None,
        })
        .collect();
    let points = if capacity::is_limited(portfolio) {
        points
            .into_iter()
            .map(|mut c| {
                under_limits(portfolio, &mut c);
                c
            })
            .collect()
    } else {
        points
    };
    Ok(Frontier {
        points,
        stats: SearchStats {
            options: n,
            options_kept: kept.len() as u64,
            chains_total: chains_total(space, &options),
            chains_scored: scored,
        },
    })
}

/// Every step option used alone, scored: the field the frontier is drawn
/// against (dominated ones included), in canonical order.
pub fn single_steps(space: &SearchSpace) -> Vec<Candidate> {
    let options = step_options(space);
    let scorer = ChainScorer::for_portfolio(&space.portfolio);
    let w = &space.portfolio.workload;
    let limited = capacity::is_limited(&space.portfolio);
    options
        .iter()
        .map(|o| {
            let f = scorer.score(&[o]);
            let mut c = Candidate {
                steps: vec![o.step],
                cost_per_request: f.cost_per_request,
                monthly_usd: f.cost_per_request * w.requests_per_month + w.fixed_monthly_usd,
                availability: 1.0 - f.unavailability,
                unavailability: f.unavailability,
                availability_at_peak: None,
                p95_ms: None,
                success_within_budget: None,
            };
            if limited {
                under_limits(&space.portfolio, &mut c);
            }
            c
        })
        .collect()
}

/// Every (offering, attempts, timeout), in canonical order: by offering index,
/// then attempts, then timeout.
pub fn step_options(space: &SearchSpace) -> Vec<StepOption> {
    let mut attempts = space.attempts.clone();
    attempts.sort_unstable();
    attempts.dedup();
    let mut timeouts = space.timeouts_ms.clone();
    timeouts.sort_by(f64::total_cmp);
    timeouts.dedup();
    let mut options = Vec::new();
    for offering in 0..space.portfolio.offerings.len() {
        for &a in &attempts {
            for &t in &timeouts {
                let step = Step {
                    offering,
                    attempts: a,
                    timeout_ms: t,
                    backoff_ms: space.backoff_ms,
                };
                options.push(StepOption::new(&space.portfolio, step));
            }
        }
    }
    options
}

/// The number of chains of distinct offerings brute force would score.
fn chains_total(space: &SearchSpace, options: &[StepOption]) -> u64 {
    let offerings = space.portfolio.offerings.len() as u64;
    let per = (options.len() as u64).checked_div(offerings).unwrap_or(0);
    let mut total = 0;
    let mut ways = 1u64;
    for k in 0..space.max_chain_length as u64 {
        if k >= offerings {
            break;
        }
        ways = ways.saturating_mul((offerings - k).saturating_mul(per));
        total += ways;
    }
    total
}

/// Indices of the options that may appear in a frontier chain (see the module
/// doc): an option is redundant when a better one of the same signature exists
/// for its own offering or for `max_len` distinct other offerings. "Better" needs
/// a relative margin of 1e-9 so that rounding cannot turn the swap into a tie.
fn non_redundant(options: &[StepOption], max_len: usize) -> Vec<usize> {
    // A perfect option (never fails) makes the steps after it unreachable, so
    // the swap would not be strictly better: keep everything then.
    if options.iter().any(|o| o.fail <= 0.0) {
        return (0..options.len()).collect();
    }
    const MARGIN: f64 = 1e-9;
    let beats = |p: &StepOption, q: &StepOption| {
        p.group_mask == q.group_mask
            && p.cost <= q.cost
            && p.fail <= q.fail
            && (p.cost < q.cost * (1.0 - MARGIN) || p.fail < q.fail * (1.0 - MARGIN))
    };
    (0..options.len())
        .filter(|&i| {
            let q = &options[i];
            let mut others: Vec<usize> = Vec::new();
            for p in options {
                if !beats(p, q) {
                    continue;
                }
                if p.offering == q.offering {
                    return false;
                }
                if !others.contains(&p.offering) {
                    others.push(p.offering);
                    if others.len() >= max_len {
                        return false;
                    }
                }
            }
            true
        })
        .collect()
}

/// `kept` ordered by unconditional cost, then failure probability, then index.
fn sorted_by_cost(options: &[StepOption], kept: &[usize]) -> Vec<usize> {
    let mut sorted = kept.to_vec();
    sorted.sort_by(|&x, &y| {
        options[x]
            .cost
            .total_cmp(&options[y].cost)
            .then(options[x].fail.total_cmp(&options[y].fail))
            .then(x.cmp(&y))
    });
    sorted
}

/// The options worth appending to `prefix` as its last step.
///
/// Given the prefix, an appended option `c` enters the chain's figures only
/// through its cost and failure probability conditioned on the prefix's groups
/// it shares (`class` = its groups ∩ the prefix's), and monotonically: in each
/// group state, cost is `C_P + U_P(g) c(g)` and unavailability `U_P(g) F(g)`.
/// Conditioning scales every option of one class by the same factor, so an
/// option `d` of the same class with `cost_d ≤ cost_c` and `F_d < F_c` gives a
/// strictly better chain whenever `d`'s offering is not in the prefix (`d` may be
/// `c`'s own offering). Scanning by cost, a running minimum of `F` per class
/// finds every such `c`; the rest are returned, in scan order.
///
/// With several classes of requests (`mixed`) the figures are sums over the
/// classes and no option's means settle it: every option is returned.
fn useful_extensions(
    options: &[StepOption],
    by_cost: &[usize],
    prefix: &[usize],
    mixed: bool,
) -> Vec<usize> {
    const MARGIN: f64 = 1e-9;
    let prefix_mask = prefix.iter().fold(0u64, |m, &i| m | options[i].group_mask);
    let in_prefix = |o: usize| prefix.iter().any(|&i| options[i].offering == o);
    if mixed {
        return by_cost
            .iter()
            .copied()
            .filter(|&c| !in_prefix(options[c].offering))
            .collect();
    }
    // (class, lowest failure probability seen so far in it).
    let mut best: Vec<(u64, f64)> = Vec::new();
    let mut useful = Vec::new();
    for &c in by_cost {
        let option = &options[c];
        if in_prefix(option.offering) {
            continue;
        }
        let class = option.group_mask & prefix_mask;
        let slot = match best.iter().position(|&(k, _)| k == class) {
            Some(slot) => slot,
            None => {
                best.push((class, f64::INFINITY));
                best.len() - 1
            }
        };
        if best[slot].1 < option.fail * (1.0 - MARGIN) {
            continue;
        }
        useful.push(c);
        best[slot].1 = best[slot].1.min(option.fail);
    }
    useful
}

/// A scored chain: option indices (canonical order key) and figures.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Scored {
    options: [usize; MAX_CHAIN_LENGTH],
    len: usize,
    figures: ChainFigures,
    /// Under rate limits: whether the chain meets `min_availability` at the
    /// peak minute too. Always true without limits.
    peak_ok: bool,
}

impl Scored {
    fn new(chain: &[usize], figures: ChainFigures) -> Self {
        let mut options = [usize::MAX; MAX_CHAIN_LENGTH];
        options[..chain.len()].copy_from_slice(chain);
        Self {
            options,
            len: chain.len(),
            figures,
            peak_ok: true,
        }
    }

    /// Canonical order: shorter chains first, then by option indices.
    fn key(&self) -> (usize, [usize; MAX_CHAIN_LENGTH]) {
        (self.len, self.options)
    }
}

/// The feasible chains of `chains` that no other feasible chain dominates,
/// cheapest first; among exact ties the canonically first survives.
fn pareto(mut chains: Vec<Scored>, limits: Limits) -> Vec<Scored> {
    chains.retain(|s| s.peak_ok && limits.feasible(&s.figures));
    chains.sort_by(|x, y| {
        x.figures
            .cost_per_request
            .total_cmp(&y.figures.cost_per_request)
            .then(
                x.figures
                    .unavailability
                    .total_cmp(&y.figures.unavailability),
            )
            .then(x.key().cmp(&y.key()))
    });
    let mut best = f64::INFINITY;
    chains.retain(|s| {
        let keep = s.figures.unavailability < best;
        if keep {
            best = s.figures.unavailability;
        }
        keep
    });
    chains
}

/// The constraints with what it takes to apply them.
#[derive(Debug, Clone, Copy)]
struct Limits {
    constraints: Constraints,
    volume: f64,
    fixed: f64,
}

impl Limits {
    fn feasible(&self, f: &ChainFigures) -> bool {
        let c = self.constraints;
        let available = c
            .min_availability
            .is_none_or(|min| 1.0 - f.unavailability >= min);
        let affordable = c
            .max_monthly_usd
            .is_none_or(|max| f.cost_per_request * self.volume + self.fixed <= max);
        available && affordable
    }
}

#[cfg(test)]
#[path = "search_tests.rs"]
mod tests;
