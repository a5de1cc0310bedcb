//! Closed forms (`MODEL.md` §3): availability, expected cost per request without a
//! budget, and the share of successes each step serves.
//!
//! Given the states of the failure groups, offerings are independent, and given
//! the offerings' states, attempts are independent. So we enumerate the states of
//! the groups a route touches (2^G of them) and, within each, factor the chain by
//! offering: the chance that the chain reaches an attempt is the product over
//! offerings of "that offering failed every earlier attempt made on it". An
//! offering used by several steps keeps one state for all of them.

use super::attempt::{AttemptProfile, ClassProfiles, class_profiles};
use super::types::Portfolio;

/// Enumeration is exponential in the groups one route touches; the plan validator
/// refuses routes over this.
pub const MAX_GROUPS_PER_ROUTE: usize = 20;

/// Exact figures of one route.
#[derive(Debug, Clone, PartialEq)]
pub struct RouteFigures {
    /// P(some attempt succeeds), no deadline.
    pub availability: f64,
    /// `1 - availability`, computed directly so that many nines keep their digits.
    pub unavailability: f64,
    /// P(the request succeeds at step j), per step.
    pub served: Vec<f64>,
    /// E[sum of billed attempts] in USD, no deadline.
    pub cost_per_request: f64,
    /// E[attempts made at step j while its offering is up], per step: the
    /// load a request puts on the step's rate limits (`MODEL.md` §12).
    pub attempts_up: Vec<f64>,
    /// E[attempts at step j whose input is billed], per step: the attempts
    /// made while up that are not errors.
    pub billed_input: Vec<f64>,
    /// E[the whole responses billed at step j], per step: successes, and
    /// the shares of a response timed-out attempts produced. With
    /// `billed_input`, `cost_per_request = Σ_j billed_input_j × input bill_j
    /// + billed_output_j × output bill_j` (`MODEL.md` §3.9).
    pub billed_output: Vec<f64>,
}

/// Exact figures of a whole portfolio, routes weighted by share.
#[derive(Debug, Clone, PartialEq)]
pub struct Figures {
    pub availability: f64,
    pub unavailability: f64,
    pub cost_per_request: f64,
    pub routes: Vec<RouteFigures>,
}

/// The offerings and groups one route touches, renumbered from zero.
struct Footprint {
    /// Local offering index of each step.
    step_offering: Vec<usize>,
    /// Private availability of each local offering.
    private: Vec<f64>,
    /// Bit `g` set: the local offering needs local group `g`.
    group_mask: Vec<u64>,
    /// Availability of each local group.
    group_availability: Vec<f64>,
}

impl Footprint {
    fn of(portfolio: &Portfolio, route: usize) -> Self {
        let steps = &portfolio.routes[route].steps;
        let mut offerings: Vec<usize> = Vec::with_capacity(steps.len());
        let mut groups: Vec<usize> = Vec::new();
        let step_offering = steps
            .iter()
            .map(|s| local_index(&mut offerings, s.offering))
            .collect();
        let group_mask = offerings
            .iter()
            .map(|&o| {
                portfolio.offerings[o]
                    .groups
                    .iter()
                    .fold(0u64, |mask, &g| mask | 1 << local_index(&mut groups, g))
            })
            .collect();
        debug_assert!(groups.len() <= MAX_GROUPS_PER_ROUTE);
        Self {
            step_offering,
            private: offerings
                .iter()
                .map(|&o| portfolio.private_availability(o))
                .collect(),
            group_mask,
            group_availability: groups
                .iter()
                .map(|&g| portfolio.groups[g].availability)
                .collect(),
        }
    }

    /// Calls `visit(probability, up)` for every state of the groups, where `up[d]`
    /// is P(local offering d is up | that state). States of zero probability are
    /// skipped.
    fn for_each_group_state(&self, mut visit: impl FnMut(f64, &[f64])) {
        let mut up = vec![0.0; self.private.len()];
        for down in 0u64..(1u64 << self.group_availability.len()) {
            let probability: f64 = self
                .group_availability
                .iter()
                .enumerate()
                .map(|(g, &a)| if down >> g & 1 == 1 { 1.0 - a } else { a })
                .product();
            if probability == 0.0 {
                continue;
            }
            for (d, p) in up.iter_mut().enumerate() {
                *p = if self.group_mask[d] & down == 0 {
                    self.private[d]
                } else {
                    0.0
                };
            }
            visit(probability, &up);
        }
    }
}

pub(super) fn local_index(list: &mut Vec<usize>, global: usize) -> usize {
    list.iter().position(|&x| x == global).unwrap_or_else(|| {
        list.push(global);
        list.len() - 1
    })
}

/// Exact availability of one route: `1 - Σ_states P(state) Π_d fail_d`, where an
/// offering that is up fails all its attempts with `Π (1 - s)^k` and one that is
/// down fails surely.
pub fn route_unavailability(
    portfolio: &Portfolio,
    route: usize,
    profiles: &[AttemptProfile],
) -> f64 {
    let footprint = Footprint::of(portfolio, route);
    let steps = &portfolio.routes[route].steps;
    let mut fail_if_up = vec![1.0; footprint.private.len()];
    for ((step, profile), &d) in steps.iter().zip(profiles).zip(&footprint.step_offering) {
        fail_if_up[d] *= (1.0 - profile.success_if_up).powi(step.attempts as i32);
    }
    let mut unavailability = 0.0;
    footprint.for_each_group_state(|probability, up| {
        let fail: f64 = up
            .iter()
            .zip(&fail_if_up)
            .map(|(&p, &f)| p * f + (1.0 - p))
            .product();
        unavailability += probability * fail;
    });
    unavailability
}

/// Exact availability of the whole portfolio (no deadline).
pub fn availability(portfolio: &Portfolio) -> f64 {
    let classes = class_profiles(portfolio);
    1.0 - portfolio
        .routes
        .iter()
        .enumerate()
        .map(|(r, route)| {
            route.share
                * classes
                    .iter()
                    .map(|c| c.weight * route_unavailability(portfolio, r, &c.routes[r]))
                    .sum::<f64>()
        })
        .sum::<f64>()
}

/// Every exact figure of one route, walking its attempts in order.
pub fn route_figures(
    portfolio: &Portfolio,
    route: usize,
    profiles: &[AttemptProfile],
) -> RouteFigures {
    let footprint = Footprint::of(portfolio, route);
    let steps = &portfolio.routes[route].steps;
    let bills: Vec<f64> = profiles
        .iter()
        .map(AttemptProfile::expected_bill_if_up)
        .collect();
    let mut served = vec![0.0; steps.len()];
    let mut attempts_up = vec![0.0; steps.len()];
    let mut billed_input = vec![0.0; steps.len()];
    let mut billed_output = vec![0.0; steps.len()];
    let billed: Vec<(f64, f64)> = profiles.iter().map(AttemptProfile::billed_if_up).collect();
    let mut cost = 0.0;
    let mut unavailability = 0.0;
    // P(offering d failed every attempt made on it so far | d is up).
    let mut failed_so_far = vec![1.0; footprint.private.len()];
    footprint.for_each_group_state(|probability, up| {
        failed_so_far.fill(1.0);
        for (j, (step, profile)) in steps.iter().zip(profiles).enumerate() {
            let d = footprint.step_offering[j];
            for _ in 0..step.attempts {
                let others: f64 = (0..up.len())
                    .filter(|&e| e != d)
                    .map(|e| up[e] * failed_so_far[e] + (1.0 - up[e]))
                    .product();
                // P(this attempt is made and its offering is up).
                let reached_up = probability * others * up[d] * failed_so_far[d];
                cost += reached_up * bills[j];
                attempts_up[j] += reached_up;
                billed_input[j] += reached_up * billed[j].0;
                billed_output[j] += reached_up * billed[j].1;
                served[j] += reached_up * profile.success_if_up;
                failed_so_far[d] *= 1.0 - profile.success_if_up;
            }
        }
        let fail: f64 = up
            .iter()
            .zip(&failed_so_far)
            .map(|(&p, &f)| p * f + (1.0 - p))
            .product();
        unavailability += probability * fail;
    });
    RouteFigures {
        availability: 1.0 - unavailability,
        unavailability,
        served,
        cost_per_request: cost,
        attempts_up,
        billed_input,
        billed_output,
    }
}

/// The figures of route `route` over the classes of requests: each class's
/// figures weighted by its share (one class: its figures, unchanged).
pub fn mixed_route_figures(
    portfolio: &Portfolio,
    route: usize,
    classes: &[ClassProfiles],
) -> RouteFigures {
    if let [only] = classes {
        return route_figures(portfolio, route, &only.routes[route]);
    }
    let steps = portfolio.routes[route].steps.len();
    let mut mixed = RouteFigures {
        availability: 0.0,
        unavailability: 0.0,
        served: vec![0.0; steps],
        cost_per_request: 0.0,
        attempts_up: vec![0.0; steps],
        billed_input: vec![0.0; steps],
        billed_output: vec![0.0; steps],
    };
    let add = |sum: &mut [f64], part: &[f64], w: f64| {
        for (s, x) in sum.iter_mut().zip(part) {
            *s += w * x;
        }
    };
    for class in classes {
        let (w, f) = (
            class.weight,
            route_figures(portfolio, route, &class.routes[route]),
        );
        mixed.unavailability += w * f.unavailability;
        mixed.cost_per_request += w * f.cost_per_request;
        add(&mut mixed.served, &f.served, w);
        add(&mut mixed.attempts_up, &f.attempts_up, w);
        add(&mut mixed.billed_input, &f.billed_input, w);
        add(&mut mixed.billed_output, &f.billed_output, w);
    }
    mixed.availability = 1.0 - mixed.unavailability;
    mixed
}

/// Every exact figure of the portfolio.
pub fn figures(portfolio: &Portfolio) -> Figures {
    let classes = class_profiles(portfolio);
    let routes: Vec<RouteFigures> = (0..portfolio.routes.len())
        .map(|r| mixed_route_figures(portfolio, r, &classes))
        .collect();
    let weighted = |f: fn(&RouteFigures) -> f64| -> f64 {
        portfolio
            .routes
            .iter()
            .zip(&routes)
            .map(|(route, figures)| route.share * f(figures))
            .sum()
    };
    let unavailability = weighted(|f| f.unavailability);
    Figures {
        availability: 1.0 - unavailability,
        unavailability,
        cost_per_request: weighted(|f| f.cost_per_request),
        routes,
    }
}

#[cfg(test)]
#[path = "exact_tests.rs"]
mod tests;
