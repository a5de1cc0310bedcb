//! The capacity figures by simulation with arrival times (`MODEL.md` §12),
//! to check the closed-form approximation of [`super::capacity`] against.
//!
//! Requests arrive as a Poisson stream at a constant rate; each walks its
//! route's steps and attempts in time (a rejection or an error returns after
//! the offering's error latency, then the step's backoff), and every attempt
//! passes its offering's limiter at the moment it is made. Two limiters: the
//! one-minute window the closed form assumes, and the token bucket providers
//! and the interop fakes run. Everything else is the model's: the attempt
//! profile gives the chance an admitted attempt succeeds.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use rand::{Rng, SeedableRng};
use rand_distr::{Distribution, Exp1};
use rand_xoshiro::Xoshiro256PlusPlus;

use super::attempt::{AttemptProfile, class_profiles};
use super::types::Portfolio;

/// How a provider enforces a limit of `L` requests a minute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limiter {
    /// Each clock minute admits its first `floor(L)` requests.
    Window,
    /// A bucket of `L` tokens, refilled continuously at `L` a minute, full
    /// at the start; a request takes a token or is rejected.
    TokenBucket,
}

/// What the simulated minutes gave.
#[derive(Debug, Clone, PartialEq)]
pub struct SimulatedCapacity {
    /// Attempts each offering was sent.
    pub attempts: Vec<u64>,
    /// Attempts each offering rejected.
    pub rejected: Vec<u64>,
    pub requests: u64,
    pub successes: u64,
    /// Successes per route and step.
    pub served: Vec<Vec<u64>>,
}

impl SimulatedCapacity {
    /// Offering `o`'s rejected share of the attempts it was sent.
    pub fn rejected_share(&self, o: usize) -> f64 {
        if self.attempts[o] == 0 {
            0.0
        } else {
            self.rejected[o] as f64 / self.attempts[o] as f64
        }
    }

    pub fn availability(&self) -> f64 {
        self.successes as f64 / self.requests.max(1) as f64
    }
}

/// The state of one offering's limiter.
#[derive(Debug, Clone, Copy)]
struct Gate {
    capacity: f64,
    /// Window: the current minute and its admissions. Bucket: the tokens
    /// and when they were last topped up.
    minute: i64,
    admitted: f64,
    tokens: f64,
    last_s: f64,
}

impl Gate {
    fn new(capacity: f64) -> Self {
        Self {
            capacity,
            minute: -1,
            admitted: 0.0,
            tokens: capacity,
            last_s: 0.0,
        }
    }

    /// Whether an attempt at `at_s` seconds passes.
    fn admit(&mut self, limiter: Limiter, at_s: f64) -> bool {
        match limiter {
            Limiter::Window => {
                let minute = (at_s / 60.0).floor() as i64;
                if minute != self.minute {
                    self.minute = minute;
                    self.admitted = 0.0;
                }
                if self.admitted + 1.0 <= self.capacity.floor() {
                    self.admitted += 1.0;
                    true
                } else {
                    false
                }
            }
            Limiter::TokenBucket => {
                let refill = (at_s - self.last_s).max(0.0) * self.capacity / 60.0;
                self.tokens = (self.tokens + refill).min(self.capacity);
                self.last_s = at_s;
                if self.tokens >= 1.0 {
                    self.tokens -= 1.0;
                    true
                } else {
                    false
                }
            }
        }
    }
}

/// One pending attempt: when, which request, where in its chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Pending {
    /// Microseconds from the start (whole, so the heap orders exactly).
    at_us: u64,
    request: u64,
    /// The request's class ([`class_profiles`]): its answer's length.
    class: usize,
    route: usize,
    step: usize,
    attempt: u32,
}

/// Simulates `minutes` minutes of requests arriving at `rate` a minute.
/// Offerings whose availability is 0 are down throughout, the others up (the
/// check is of the limits, not of outages). Bounded: at most `max_requests`
/// arrivals.
pub fn simulate(
    portfolio: &Portfolio,
    rate: f64,
    minutes: f64,
    limiter: Limiter,
    seed: u64,
    max_requests: u64,
) -> SimulatedCapacity {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let classes = class_profiles(portfolio);
    let mut gates: Vec<Option<Gate>> = portfolio
        .offerings
        .iter()
        .map(|o| {
            o.quota
                .binding(&portfolio.workload)
                .map(|(_, c)| Gate::new(c))
        })
        .collect();
    let mut out = SimulatedCapacity {
        attempts: vec![0; portfolio.offerings.len()],
        rejected: vec![0; portfolio.offerings.len()],
        requests: 0,
        successes: 0,
        served: portfolio
            .routes
            .iter()
            .map(|r| vec![0; r.steps.len()])
            .collect(),
    };
    let mut heap: BinaryHeap<Reverse<Pending>> = BinaryHeap::new();
    let end_us = minutes * 60e6;
    let mut next_arrival_us = 0.0;
    let arrive = |rng: &mut Xoshiro256PlusPlus,
                  heap: &mut BinaryHeap<Reverse<Pending>>,
                  out: &mut SimulatedCapacity,
                  at: f64| {
        let u: f64 = rng.random();
        let route = portfolio
            .routes
            .iter()
            .scan(0.0, |acc, r| {
                *acc += r.share;
                Some(*acc)
            })
            .position(|c| u < c)
            .unwrap_or(portfolio.routes.len() - 1);
        // One class draws nothing, so the stream is as it always was.
        let class = if classes.len() > 1 {
            let u: f64 = rng.random();
            classes
                .iter()
                .scan(0.0, |acc, c| {
                    *acc += c.weight;
                    Some(*acc)
                })
                .position(|c| u < c)
                .unwrap_or(classes.len() - 1)
        } else {
            0
        };
        heap.push(Reverse(Pending {
            at_us: at as u64,
            request: out.requests,
            class,
            route,
            step: 0,
            attempt: 0,
        }));
        out.requests += 1;
    };
    loop {
        // Arrivals up to the next pending attempt enter first.
        let next_pending = heap.peek().map(|Reverse(p)| p.at_us as f64);
        let arrival_due = next_arrival_us < end_us
            && out.requests < max_requests
            && next_pending.is_none_or(|t| next_arrival_us <= t);
        if arrival_due {
            arrive(&mut rng, &mut heap, &mut out, next_arrival_us);
            let gap: f64 = Exp1.sample(&mut rng);
            next_arrival_us += gap * 60e6 / rate;
            continue;
        }
        let Some(Reverse(p)) = heap.pop() else { break };
        let step = portfolio.routes[p.route].steps[p.step];
        let profile: &AttemptProfile = &classes[p.class].routes[p.route][p.step];
        let o = step.offering;
        let up = portfolio.offerings[o].availability > 0.0;
        let mut done_after_ms = profile.down_fail_ms;
        if up {
            out.attempts[o] += 1;
            let admitted = gates[o]
                .as_mut()
                .is_none_or(|g| g.admit(limiter, p.at_us as f64 / 1e6));
            if !admitted {
                out.rejected[o] += 1;
                done_after_ms = profile.error_ms;
            } else if rng.random::<f64>() < profile.success_if_up {
                out.successes += 1;
                out.served[p.route][p.step] += 1;
                continue;
            } else {
                done_after_ms = profile.error_ms;
            }
        }
        // The next attempt of this step, or the next step.
        let (next_step, next_attempt) = if p.attempt + 1 < step.attempts {
            (p.step, p.attempt + 1)
        } else {
            (p.step + 1, 0)
        };
        let Some(next) = portfolio.routes[p.route].steps.get(next_step) else {
            continue;
        };
        let wait_ms = done_after_ms + next.backoff_before(next_attempt);
        heap.push(Reverse(Pending {
            at_us: p.at_us + (wait_ms * 1e3) as u64,
            step: next_step,
            attempt: next_attempt,
            ..p
        }));
    }
    out
}

#[cfg(test)]
#[path = "capacity_sim_tests.rs"]
mod tests;
