//! The search with more objectives than cost and availability (`MODEL.md`
//! §5): p95 of successful requests' latency and success within the budget,
//! both exact ([`crate::model::latency`]), as further axes of the frontier.
//!
//! The two-objective prunings do not carry over: an option beaten on cost
//! and availability may be the fast one, and a fallback that adds successes
//! adds slow ones, so it can raise p95. So every option is kept, every chain
//! of one and two steps is scored, and only the prefix bound stays, with a
//! floor under the p95 and a ceiling over the success of every extension
//! ([`BudgetFigures::extension_quantile_floor`]): a prefix is not extended
//! when a chain already found is no dearer, more available than any
//! extension can be, and at least as fast and as successful as any can be.

use rayon::prelude::*;
use serde::Serialize;

use super::{Candidate, Constraints, SearchSpace, StepOption, chain_portfolio};
use crate::model::capacity;
use crate::model::latency::{self, BudgetFigures};
use crate::model::progress::{Cancelled, Progress};

/// What the frontier trades off.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Objective {
    /// Monthly cost, lower is better.
    Cost,
    /// Availability without a deadline, higher is better.
    Availability,
    /// p95 of successful requests' latency, lower is better.
    P95,
    /// Success within the latency budget, higher is better.
    SuccessWithinBudget,
}

impl Objective {
    pub const ALL: [Objective; 4] = [
        Objective::Cost,
        Objective::Availability,
        Objective::P95,
        Objective::SuccessWithinBudget,
    ];

    /// The frontier's axes when neither the plan nor the command line names
    /// any: cost against availability.
    pub const DEFAULT: [Objective; 2] = [Objective::Cost, Objective::Availability];

    /// The name a plan and the command line use.
    pub fn name(self) -> &'static str {
        match self {
            Objective::Cost => "cost",
            Objective::Availability => "availability",
            Objective::P95 => "p95",
            Objective::SuccessWithinBudget => "success_within_budget",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|o| o.name() == name)
    }

    /// Every name, for messages: "cost, availability, p95, success_within_budget".
    pub fn names() -> String {
        Self::ALL.map(Objective::name).join(", ")
    }
}

/// Which of the extra axes a search weighs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Extra {
    pub p95: bool,
    pub success: bool,
}

impl Extra {
    pub fn of(objectives: &[Objective]) -> Self {
        Self {
            p95: objectives.contains(&Objective::P95),
            success: objectives.contains(&Objective::SuccessWithinBudget),
        }
    }

    pub fn any(self) -> bool {
        self.p95 || self.success
    }
}

/// A chain with every figure the objectives weigh.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Point {
    options: [usize; super::MAX_CHAIN_LENGTH],
    len: usize,
    cost: f64,
    unavailability: f64,
    /// `+∞` when nothing succeeds, or the chain is out of the walk's reach.
    p95: f64,
    success: f64,
    /// Under rate limits, the peak availability and the chain's day figures.
    peak: Option<f64>,
    /// Bounds on every extension of this chain.
    p95_floor: f64,
    success_ceiling: f64,
}

impl Point {
    fn key(&self) -> (usize, [usize; super::MAX_CHAIN_LENGTH]) {
        (self.len, self.options)
    }

    /// `self` is no worse than `other` on every objective.
    fn no_worse(&self, other: &Point, extra: Extra) -> bool {
        self.cost <= other.cost
            && self.unavailability <= other.unavailability
            && (!extra.p95 || self.p95 <= other.p95)
            && (!extra.success || self.success >= other.success)
    }
}

/// What it takes to score and filter chains.
struct Scoring<'a> {
    space: &'a SearchSpace,
    options: &'a [StepOption],
    extra: Extra,
    limited: bool,
}

impl Scoring<'_> {
    fn score(&self, chain: &[usize]) -> Point {
        let portfolio = &self.space.portfolio;
        let steps: Vec<_> = chain.iter().map(|&i| self.options[i].step).collect();
        let chain_pf = chain_portfolio(portfolio, &steps);
        let (cost, unavailability, peak, strata) = if self.limited {
            let analysis = capacity::analyse(&chain_pf);
            let strata = capacity::strata(&chain_pf, &capacity::hourly(&chain_pf));
            (
                analysis.day.cost_per_request,
                analysis.day.unavailability,
                Some(analysis.availability_at_peak),
                strata,
            )
        } else {
            let refs: Vec<&StepOption> = chain.iter().map(|&i| &self.options[i]).collect();
            let f = super::ChainScorer::for_portfolio(portfolio).score(&refs);
            (
                f.cost_per_request,
                f.unavailability,
                None,
                vec![(1.0, chain_pf)],
            )
        };
        let weighted: Vec<(f64, &crate::model::Portfolio)> =
            strata.iter().map(|(w, p)| (*w, p)).collect();
        let walked: Option<BudgetFigures> = latency::strata_figures(&weighted);
        let mut options = [usize::MAX; super::MAX_CHAIN_LENGTH];
        options[..chain.len()].copy_from_slice(chain);
        // Only a prefix that may be extended needs the bounds (two more
        // root findings).
        let prefix = chain.len() + 1 == super::MAX_CHAIN_LENGTH;
        let (p95, success, p95_floor, success_ceiling) = match &walked {
            Some(f) => (
                f.latency.percentile(0.95).unwrap_or(f64::INFINITY),
                f.success,
                if prefix {
                    f.extension_quantile_floor(0.95)
                } else {
                    0.0
                },
                if prefix {
                    f.extension_success_ceiling()
                } else {
                    1.0
                },
            ),
            // Out of the walk's reach (not for chains of three steps of a
            // few tries): nothing is known, so nothing is pruned by it.
            None => (f64::INFINITY, 0.0, 0.0, 1.0),
        };
        Point {
            options,
            len: chain.len(),
            cost,
            unavailability,
            p95,
            success,
            peak,
            p95_floor,
            success_ceiling,
        }
    }

    fn feasible(&self, p: &Point) -> bool {
        let c: Constraints = self.space.constraints;
        let w = &self.space.portfolio.workload;
        c.min_availability
            .is_none_or(|min| 1.0 - p.unavailability >= min && p.peak.unwrap_or(1.0) >= min)
            && c.max_monthly_usd
                .is_none_or(|max| p.cost * w.requests_per_month + w.fixed_monthly_usd <= max)
    }

    /// The feasible points no other feasible point beats on every objective,
    /// cheapest first; of exact ties the canonically first.
    fn pareto(&self, mut points: Vec<Point>) -> Vec<Point> {
        points.retain(|p| self.feasible(p));
        points.sort_by(|x, y| {
            x.cost
                .total_cmp(&y.cost)
                .then(x.unavailability.total_cmp(&y.unavailability))
                .then(x.p95.total_cmp(&y.p95))
                .then(y.success.total_cmp(&x.success))
                .then(x.key().cmp(&y.key()))
        });
        let mut kept: Vec<Point> = Vec::new();
        for p in points {
            // Sorted so, any point that beats or ties `p` comes before it.
            if !kept.iter().any(|k| k.no_worse(&p, self.extra)) {
                kept.push(p);
            }
        }
        kept
    }
}

/// The frontier of `space` over its objectives, and the chains scored.
pub(super) fn search(
    space: &SearchSpace,
    options: &[StepOption],
    best_fail: f64,
    progress: &Progress,
) -> Result<(Vec<Candidate>, u64), Cancelled> {
    let scoring = Scoring {
        space,
        options,
        extra: Extra::of(&space.objectives),
        limited: capacity::is_limited(&space.portfolio),
    };
    let w = &space.portfolio.workload;
    let over_budget = |cost: f64| {
        space
            .constraints
            .max_monthly_usd
            .is_some_and(|max| cost * w.requests_per_month + w.fixed_monthly_usd > max)
    };
    let n = options.len();
    progress.expect(n as u64);
    let short: Vec<Vec<Point>> = (0..n)
        .into_par_iter()
        .map(|a| {
            if progress.is_cancelled() {
                return Vec::new();
            }
            progress.advance(1);
            let mut out = vec![scoring.score(&[a])];
            if space.max_chain_length >= 2 {
                for b in 0..n {
                    if options[b].offering != options[a].offering {
                        out.push(scoring.score(&[a, b]));
                    }
                }
            }
            out
        })
        .collect();
    if progress.is_cancelled() {
        return Err(Cancelled);
    }
    let found: Vec<Point> = short.into_iter().flatten().collect();
    let mut scored = found.len() as u64;
    let mut frontier = scoring.pareto(found.clone());
    if space.max_chain_length >= 3 {
        let extra = scoring.extra;
        let prefixes: Vec<&Point> = found
            .iter()
            .filter(|p| p.len == 2 && !over_budget(p.cost))
            .filter(|p| {
                let bound_u = p.unavailability * best_fail;
                !frontier.iter().any(|q| {
                    q.cost <= p.cost
                        && q.unavailability < bound_u
                        && (!extra.p95 || q.p95 <= p.p95_floor)
                        && (!extra.success || q.success >= p.success_ceiling)
                })
            })
            .collect();
        progress.expect(prefixes.len() as u64);
        let triples: Vec<(u64, Vec<Point>)> = prefixes
            .par_iter()
            .map(|prefix| {
                if progress.is_cancelled() {
                    return (0, Vec::new());
                }
                progress.advance(1);
                let (a, b) = (prefix.options[0], prefix.options[1]);
                let local: Vec<Point> = (0..n)
                    .filter(|&c| {
                        options[c].offering != options[a].offering
                            && options[c].offering != options[b].offering
                    })
                    .map(|c| scoring.score(&[a, b, c]))
                    .collect();
                (local.len() as u64, scoring.pareto(local))
            })
            .collect();
        if progress.is_cancelled() {
            return Err(Cancelled);
        }
        for (count, local) in triples {
            scored += count;
            frontier.extend(local);
        }
        frontier = scoring.pareto(frontier);
    }
    let points = frontier
        .iter()
        .map(|p| Candidate {
            steps: p.options[..p.len]
                .iter()
                .map(|&i| options[i].step)
                .collect(),
            cost_per_request: p.cost,
            monthly_usd: p.cost * w.requests_per_month + w.fixed_monthly_usd,
            availability: 1.0 - p.unavailability,
            unavailability: p.unavailability,
            availability_at_peak: p.peak,
            p95_ms: (scoring.extra.p95 && p.p95.is_finite()).then_some(p.p95),
            success_within_budget: scoring.extra.success.then_some(p.success),
        })
        .collect();
    Ok((points, scored))
}

#[cfg(test)]
#[path = "objectives_tests.rs"]
mod tests;
