//! The seeded Monte Carlo of single requests (`MODEL.md` §2): success within the
//! latency budget, latency of successful requests, billed cost, and which step
//! served each success.
//!
//! The world state is drawn lazily: a group or offering gets its up/down state the
//! first time a request needs it and keeps it for the rest of that request. Most
//! requests end at their first attempt, so most never draw the fallbacks' states.

use rand::Rng;
use rand_distr::StandardNormal;

use super::attempt::{ClassProfiles, class_profiles};
use super::histogram::LatencyHistogram;
use super::parallel::{SimRng, fold_chunked_with_progress};
use super::progress::{Cancelled, Progress};
use super::stats::{Moments, wilson95};
use super::types::Portfolio;

/// Requests per parallel chunk. Fixed, so results do not depend on thread count.
const CHUNK: u64 = 1 << 16;

/// What the simulation counted.
#[derive(Debug, Clone, PartialEq)]
pub struct Simulation {
    pub samples: u64,
    /// Requests that succeeded within the budget (all successes without one).
    pub successes: u64,
    /// Billed cost per request, over all requests.
    pub cost: Moments,
    /// Successes per route and step.
    pub served: Vec<Vec<u64>>,
    /// Billed USD per route and step, by kind of attempt, summed over requests.
    pub cost_by_step: Vec<Vec<StepCost>>,
    /// Latency of the successful requests, ms, in log-spaced bins: its size does
    /// not grow with the number of requests (see [`LatencyHistogram`] for the
    /// error of its percentiles).
    pub latency: LatencyHistogram,
}

/// What one step's attempts were billed, by kind: first tries that succeeded,
/// retries that succeeded, and attempts cut by their timeout or the budget.
/// Errors and refusals are free.
#[derive(Debug, Clone, Copy, Default, PartialEq, serde::Serialize)]
pub struct StepCost {
    pub first_try_usd: f64,
    pub retry_usd: f64,
    pub cut_usd: f64,
}

impl StepCost {
    fn add(&mut self, other: &StepCost) {
        self.first_try_usd += other.first_try_usd;
        self.retry_usd += other.retry_usd;
        self.cut_usd += other.cut_usd;
    }
}

impl Simulation {
    /// P(success within the budget) and its Wilson 95% interval.
    pub fn success_rate(&self) -> (f64, [f64; 2]) {
        let value = if self.samples == 0 {
            0.0
        } else {
            self.successes as f64 / self.samples as f64
        };
        (value, wilson95(self.successes, self.samples))
    }

    /// p50, p95 and p99 of successful requests' latency (nearest rank, within
    /// [`super::histogram::RELATIVE_ERROR`] of the exact sample percentiles);
    /// `None` without successes.
    pub fn latency_percentiles(&self) -> [Option<f64>; 3] {
        [0.50, 0.95, 0.99].map(|q| self.latency.percentile(q))
    }

    /// Adds `other`'s counts to these. Sums of floats depend on their order, so
    /// chunks are merged in chunk order.
    pub fn merge(&mut self, other: Simulation) {
        self.samples += other.samples;
        self.successes += other.successes;
        self.cost.merge(&other.cost);
        for (mine, theirs) in self.served.iter_mut().zip(&other.served) {
            for (a, b) in mine.iter_mut().zip(theirs) {
                *a += b;
            }
        }
        self.latency.merge(&other.latency);
        for (mine, theirs) in self.cost_by_step.iter_mut().zip(&other.cost_by_step) {
            for (a, b) in mine.iter_mut().zip(theirs) {
                a.add(b);
            }
        }
    }
}

/// Simulates `samples` requests from `seed`.
pub fn simulate(portfolio: &Portfolio, samples: u64, seed: u64) -> Simulation {
    // A fresh `Progress` is never cancelled.
    simulate_with_progress(portfolio, samples, seed, &Progress::new())
        .unwrap_or_else(|Cancelled| Simulator::new(portfolio).empty())
}

/// [`simulate`], one progress unit per request, stopping when cancelled.
pub fn simulate_with_progress(
    portfolio: &Portfolio,
    samples: u64,
    seed: u64,
    progress: &Progress,
) -> Result<Simulation, Cancelled> {
    let sim = Simulator::new(portfolio);
    fold_chunked_with_progress(
        samples,
        CHUNK,
        seed,
        progress,
        1,
        sim.empty(),
        |mut rng, count| sim.run(&mut rng, count),
        |mut total, chunk| {
            total.merge(chunk);
            total
        },
    )
}

/// Running sums of `weights`.
fn cumulative(weights: impl Iterator<Item = f64>) -> Vec<f64> {
    weights
        .scan(0.0, |acc, w| {
            *acc += w;
            Some(*acc)
        })
        .collect()
}

/// An index drawn with the probabilities whose running sums are
/// `cumulative`. One choice draws nothing, so a plan with one route and one
/// class of requests uses the same random numbers as ever.
fn pick(cumulative: &[f64], rng: &mut SimRng) -> usize {
    if cumulative.len() <= 1 {
        return 0;
    }
    let u: f64 = rng.random();
    cumulative
        .iter()
        .position(|&c| u < c)
        .unwrap_or(cumulative.len() - 1)
}

/// The portfolio, flattened for the inner loop.
struct Simulator<'a> {
    portfolio: &'a Portfolio,
    /// The classes of requests by their answers' length.
    classes: Vec<ClassProfiles>,
    /// Their cumulative weights, for picking one with one uniform draw.
    cumulative_class: Vec<f64>,
    /// Cumulative route shares, for picking a route with one uniform draw.
    cumulative_share: Vec<f64>,
    private_availability: Vec<f64>,
    budget_ms: f64,
}

/// Lazily drawn up/down states of one request. A state is valid while its stamp
/// equals the current request's number, which saves clearing arrays per request.
struct WorldState {
    request: u64,
    offering_stamp: Vec<u64>,
    offering_up: Vec<bool>,
    group_stamp: Vec<u64>,
    group_up: Vec<bool>,
}

impl<'a> Simulator<'a> {
    fn new(portfolio: &'a Portfolio) -> Self {
        let cumulative_share = cumulative(portfolio.routes.iter().map(|r| r.share));
        let classes = class_profiles(portfolio);
        let cumulative_class = cumulative(classes.iter().map(|c| c.weight));
        Self {
            portfolio,
            classes,
            cumulative_class,
            cumulative_share,
            private_availability: (0..portfolio.offerings.len())
                .map(|o| portfolio.private_availability(o))
                .collect(),
            budget_ms: portfolio
                .workload
                .latency_budget_ms
                .unwrap_or(f64::INFINITY),
        }
    }

    fn empty(&self) -> Simulation {
        Simulation {
            samples: 0,
            successes: 0,
            cost: Moments::default(),
            served: self
                .portfolio
                .routes
                .iter()
                .map(|r| vec![0; r.steps.len()])
                .collect(),
            cost_by_step: self
                .portfolio
                .routes
                .iter()
                .map(|r| vec![StepCost::default(); r.steps.len()])
                .collect(),
            latency: LatencyHistogram::new(),
        }
    }

    fn run(&self, rng: &mut SimRng, count: u64) -> Simulation {
        let mut out = self.empty();
        // At most one chunk's latencies, binned when the chunk is done.
        let mut latencies = Vec::with_capacity(count as usize);
        let mut world = WorldState {
            request: 0,
            offering_stamp: vec![0; self.portfolio.offerings.len()],
            offering_up: vec![false; self.portfolio.offerings.len()],
            group_stamp: vec![0; self.portfolio.groups.len()],
            group_up: vec![false; self.portfolio.groups.len()],
        };
        for request in 1..=count {
            world.request = request;
            let route = pick(&self.cumulative_share, rng);
            let class = pick(&self.cumulative_class, rng);
            let (cost, success) = self.one_request(
                rng,
                &mut world,
                (class, route),
                &mut out.cost_by_step[route],
            );
            out.samples += 1;
            out.cost.push(cost);
            if let Some((step, latency)) = success {
                out.successes += 1;
                out.served[route][step] += 1;
                latencies.push(latency);
            }
        }
        out.latency = LatencyHistogram::from_values(&latencies);
        out
    }

    fn offering_up(&self, rng: &mut SimRng, world: &mut WorldState, o: usize) -> bool {
        if world.offering_stamp[o] == world.request {
            return world.offering_up[o];
        }
        let mut up = true;
        for &g in &self.portfolio.offerings[o].groups {
            if world.group_stamp[g] != world.request {
                world.group_stamp[g] = world.request;
                world.group_up[g] = rng.random::<f64>() < self.portfolio.groups[g].availability;
            }
            up &= world.group_up[g];
        }
        // Draw the private state even when a group is down, so the number of draws
        // does not depend on the order in which offerings are first met.
        up &= rng.random::<f64>() < self.private_availability[o];
        world.offering_stamp[o] = world.request;
        world.offering_up[o] = up;
        up
    }

    /// One request: its billed cost, and the step and latency of its success.
    fn one_request(
        &self,
        rng: &mut SimRng,
        world: &mut WorldState,
        (class, route): (usize, usize),
        breakdown: &mut [StepCost],
    ) -> (f64, Option<(usize, f64)>) {
        let budget = self.budget_ms;
        let mut elapsed = 0.0;
        let mut cost = 0.0;
        for (j, step) in self.portfolio.routes[route].steps.iter().enumerate() {
            let profile = &self.classes[class].routes[route][j];
            for attempt in 0..step.attempts {
                elapsed += step.backoff_before(attempt);
                if elapsed >= budget {
                    return (cost, None);
                }
                let left = budget - elapsed;
                if !self.offering_up(rng, world, step.offering) {
                    elapsed += profile.down_fail_ms;
                } else if rng.random::<f64>() < profile.error_rate {
                    elapsed += profile.error_ms;
                } else {
                    let z: f64 = rng.sample(StandardNormal);
                    let ttft = profile.ttft.median_ms * (profile.ttft.sigma * z).exp();
                    let latency = ttft + profile.generation_ms;
                    if latency <= profile.timeout_ms && latency <= left {
                        cost += profile.bill.success_usd;
                        if attempt == 0 {
                            breakdown[j].first_try_usd += profile.bill.success_usd;
                        } else {
                            breakdown[j].retry_usd += profile.bill.success_usd;
                        }
                        return (cost, Some((j, elapsed + latency)));
                    }
                    let cut = profile.timeout_ms.min(left);
                    let billed = profile.bill.cut(cut, ttft);
                    breakdown[j].cut_usd += billed;
                    cost += billed;
                    elapsed += cut;
                }
                if elapsed >= budget {
                    return (cost, None);
                }
            }
        }
        (cost, None)
    }
}

#[cfg(test)]
#[path = "simulate_tests.rs"]
mod tests;
