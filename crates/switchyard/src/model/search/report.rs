//! The frontier as users see it: each point's route by offering id, its exact
//! cost and availability, and its latency figures and success within the
//! budget, exact too (`MODEL.md` §3.10); a point out of the exact walk's reach
//! is simulated with a fixed seed.

use serde::Serialize;

use crate::model::evaluate::{Requests, nines, request_figures};
use crate::model::progress::{Cancelled, Progress};
use crate::model::{Portfolio, Route, Step};

use super::{Candidate, Frontier, SearchSpace, SearchStats};

/// How to simulate the frontier's points the exact walk cannot reach.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PointOptions {
    pub samples: u64,
    pub seed: u64,
    /// Points below this success within the budget are rejected.
    pub min_success_within_budget: Option<f64>,
}

/// `switchyard search --json`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SearchReport {
    /// Offerings searched.
    pub candidates: usize,
    pub stats: SearchStats,
    /// The frontier's points that meet every constraint, cheapest first.
    pub frontier: Vec<PointReport>,
    /// Frontier points whose success within the budget is below
    /// `min_success_within_budget`.
    pub rejected: Vec<PointReport>,
    pub simulation: SimulationSettings,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct SimulationSettings {
    pub samples: u64,
    pub seed: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PointReport {
    /// 1-based position on the frontier, cheapest first.
    pub rank: usize,
    pub steps: Vec<PointStep>,
    pub monthly_usd: f64,
    pub cost_per_request: f64,
    /// Exact, no deadline.
    pub availability: f64,
    pub nines: Option<f64>,
    /// Under rate limits, the availability at the peak minute (`availability`
    /// is then the day's); absent without limits.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub availability_at_peak: Option<f64>,
    /// Exact (simulated only past the walk's reach); the availability when
    /// the workload has no budget.
    pub success_within_budget: f64,
    /// Percentiles of successful requests' latency, exact likewise.
    pub latency_ms: PointLatency,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PointStep {
    pub offering: String,
    pub attempts: u32,
    pub timeout_ms: f64,
    pub backoff_ms: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct PointLatency {
    pub p50: Option<f64>,
    pub p95: Option<f64>,
    pub p99: Option<f64>,
}

/// The portfolio of one route: `steps` over `space`'s offerings.
pub fn route_portfolio(space: &SearchSpace, steps: &[Step]) -> Portfolio {
    Portfolio {
        routes: vec![Route {
            name: "default".to_owned(),
            share: 1.0,
            steps: steps.to_vec(),
        }],
        ..space.portfolio.clone()
    }
}

/// Describes each frontier point and splits them by the budget constraint.
pub fn report(space: &SearchSpace, frontier: &Frontier, options: PointOptions) -> SearchReport {
    // A fresh `Progress` is never cancelled.
    report_with_progress(space, frontier, options, &Progress::new()).unwrap_or_else(|Cancelled| {
        SearchReport {
            candidates: space.portfolio.offerings.len(),
            stats: frontier.stats,
            frontier: Vec::new(),
            rejected: Vec::new(),
            simulation: SimulationSettings {
                samples: options.samples,
                seed: options.seed,
            },
        }
    })
}

/// [`report`], `samples` progress units per point (simulated or not),
/// stopping when cancelled.
pub fn report_with_progress(
    space: &SearchSpace,
    frontier: &Frontier,
    options: PointOptions,
    progress: &Progress,
) -> Result<SearchReport, Cancelled> {
    let mut accepted = Vec::new();
    let mut rejected = Vec::new();
    progress.expect(options.samples.saturating_mul(frontier.points.len() as u64));
    for (i, point) in frontier.points.iter().enumerate() {
        let described = describe(space, point, i + 1, options, progress)?;
        let misses = options
            .min_success_within_budget
            .is_some_and(|min| described.success_within_budget < min);
        if misses {
            rejected.push(described);
        } else {
            accepted.push(described);
        }
    }
    Ok(SearchReport {
        candidates: space.portfolio.offerings.len(),
        stats: frontier.stats,
        frontier: accepted,
        rejected,
        simulation: SimulationSettings {
            samples: options.samples,
            seed: options.seed,
        },
    })
}

fn describe(
    space: &SearchSpace,
    point: &Candidate,
    rank: usize,
    options: PointOptions,
    progress: &Progress,
) -> Result<PointReport, Cancelled> {
    let portfolio = route_portfolio(space, &point.steps);
    // Under rate limits, each distinct hour with its rejections, as
    // `evaluate` does.
    let requests = request_figures(&portfolio, options.samples, options.seed, progress)?;
    let (success, [p50, p95, p99]) = match &requests {
        Requests::Exact(f) => (f.success, f.percentiles()),
        Requests::Simulated(sim) => (sim.success_rate().0, sim.latency_percentiles()),
    };
    let success_within_budget = if portfolio.workload.latency_budget_ms.is_some() {
        success
    } else {
        point.availability
    };
    Ok(PointReport {
        rank,
        steps: point
            .steps
            .iter()
            .map(|s| PointStep {
                offering: space.portfolio.offerings[s.offering].id.clone(),
                attempts: s.attempts,
                timeout_ms: s.timeout_ms,
                backoff_ms: s.backoff_ms,
            })
            .collect(),
        monthly_usd: point.monthly_usd,
        cost_per_request: point.cost_per_request,
        availability: point.availability,
        nines: nines(point.unavailability),
        availability_at_peak: point.availability_at_peak,
        success_within_budget,
        latency_ms: PointLatency { p50, p95, p99 },
    })
}
