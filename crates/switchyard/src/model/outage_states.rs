//! The outage states that move load between steps (`MODEL.md` §12).
//!
//! While an offering is down, the steps after it are sent the requests it
//! would have served. A rate-limited step's rejections therefore depend on
//! which offerings before it are down. Averaging that load over time, as if
//! the primary's outages sent the fallback a little overflow every minute,
//! hides the case that matters: a fallback sized for the mean overflow is sent
//! the primary's whole traffic while the primary is down, and rejects most of
//! it. So the capacity figures are a mixture over the outage states of the
//! parts that sit upstream of a limit, each state solved on its own.

use super::types::Portfolio;

/// States with more parts down than this are not enumerated: their
/// probability (the product of at least three unavailabilities) goes to the
/// time-averaged load instead, an error the mixture reports as its
/// `leftover`.
pub const MAX_DOWN: usize = 2;

/// Something whose outage takes offerings down.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Part {
    /// A failure group: every offering in it is down with it.
    Group(usize),
    /// One offering's own uptime, its groups factored out.
    Own(usize),
}

impl Part {
    /// P(the part is up).
    pub fn availability(self, portfolio: &Portfolio) -> f64 {
        match self {
            Part::Group(g) => portfolio.groups[g].availability,
            Part::Own(o) => portfolio.private_availability(o),
        }
    }
}

/// `portfolio` with each part of `known` up (`true`) or down for certain;
/// the other parts keep their availability. Each offering's availability is
/// its own uptime times its groups'.
pub fn given(portfolio: &Portfolio, known: &[(Part, bool)]) -> Portfolio {
    let mut own: Vec<f64> = (0..portfolio.offerings.len())
        .map(|o| portfolio.private_availability(o))
        .collect();
    let mut out = portfolio.clone();
    for &(part, up) in known {
        let availability = if up { 1.0 } else { 0.0 };
        match part {
            Part::Group(g) => out.groups[g].availability = availability,
            Part::Own(o) => own[o] = availability,
        }
    }
    let groups: Vec<f64> = out.groups.iter().map(|g| g.availability).collect();
    for (offering, own) in out.offerings.iter_mut().zip(own) {
        offering.availability = own * offering.groups.iter().map(|&g| groups[g]).product::<f64>();
    }
    out
}

/// The uncertain parts (up with a probability strictly between 0 and 1) of
/// every offering that some route tries before a step whose offering has a
/// rate limit: the parts whose outages change a limited offering's load.
pub fn upstream_of_limits(portfolio: &Portfolio) -> Vec<Part> {
    let mut parts = Vec::new();
    let mut add = |part: Part| {
        let a = part.availability(portfolio);
        if a > 0.0 && a < 1.0 && !parts.contains(&part) {
            parts.push(part);
        }
    };
    for route in &portfolio.routes {
        let Some(last_limited) = route
            .steps
            .iter()
            .rposition(|s| portfolio.offerings[s.offering].quota.is_limited())
        else {
            continue;
        };
        for step in &route.steps[..last_limited] {
            let o = step.offering;
            portfolio.offerings[o]
                .groups
                .iter()
                .for_each(|&g| add(Part::Group(g)));
            add(Part::Own(o));
        }
    }
    parts
}

/// One state of the enumerated parts, and its probability.
#[derive(Debug, Clone, PartialEq)]
pub struct State {
    pub probability: f64,
    /// Every enumerated part, up or down.
    pub known: Vec<(Part, bool)>,
}

/// The states of `parts` with at most [`MAX_DOWN`] of them down, parts
/// independent, and the probability of all other states (the leftover).
pub fn states(portfolio: &Portfolio, parts: &[Part]) -> (Vec<State>, f64) {
    let up: Vec<f64> = parts.iter().map(|p| p.availability(portfolio)).collect();
    let all_up: f64 = up.iter().product();
    let mut out = Vec::new();
    let mut down = Vec::new();
    enumerate(parts, &up, 0, &mut down, &mut out);
    let covered: f64 = out.iter().map(|s: &State| s.probability).sum();
    debug_assert!(out.first().is_none_or(|s| s.probability == all_up));
    (out, (1.0 - covered).max(0.0))
}

/// Adds every state whose down parts extend `down` by parts at `from` or later.
fn enumerate(parts: &[Part], up: &[f64], from: usize, down: &mut Vec<usize>, out: &mut Vec<State>) {
    let probability: f64 = up
        .iter()
        .enumerate()
        .map(|(i, a)| if down.contains(&i) { 1.0 - a } else { *a })
        .product();
    out.push(State {
        probability,
        known: parts
            .iter()
            .enumerate()
            .map(|(i, &p)| (p, !down.contains(&i)))
            .collect(),
    });
    if down.len() == MAX_DOWN {
        return;
    }
    for i in from..parts.len() {
        down.push(i);
        enumerate(parts, up, i + 1, down, out);
        down.pop();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::testkit::*;

    #[test]
    fn given_sets_the_known_parts_and_keeps_the_rest() {
        let mut p = chain(vec![offering("a", 0.9 * 0.99), offering("b", 0.99)]);
        p.groups = vec![group("g", 0.99)];
        p.offerings[0].groups = vec![0];
        let up = given(&p, &[(Part::Group(0), true)]);
        assert!((up.offerings[0].availability - 0.9).abs() < 1e-15);
        let down = given(&p, &[(Part::Group(0), false)]);
        assert_eq!(down.offerings[0].availability, 0.0);
        let own_down = given(&p, &[(Part::Own(0), false), (Part::Own(1), true)]);
        assert_eq!(own_down.offerings[0].availability, 0.0);
        assert_eq!(own_down.offerings[1].availability, 1.0);
        assert!((own_down.groups[0].availability - 0.99).abs() < 1e-15);
    }

    #[test]
    fn only_the_parts_before_a_limit_count() {
        // a → b → c, b limited: a's parts matter, b's and c's do not.
        let mut p = chain(vec![
            offering("a", 0.99),
            offering("b", 0.98),
            offering("c", 0.97),
        ]);
        assert!(upstream_of_limits(&p).is_empty());
        p.offerings[1].quota.rpm = Some(10.0);
        assert_eq!(upstream_of_limits(&p), vec![Part::Own(0)]);
        p.offerings[2].quota.rpm = Some(10.0);
        assert_eq!(upstream_of_limits(&p), vec![Part::Own(0), Part::Own(1)]);
        // A part that is certain is not a state to enumerate.
        p.offerings[0].availability = 1.0;
        assert_eq!(upstream_of_limits(&p), vec![Part::Own(1)]);
    }

    #[test]
    fn the_states_and_the_leftover_sum_to_one() {
        let p = chain(vec![
            offering("a", 0.9),
            offering("b", 0.8),
            offering("c", 0.7),
            offering("d", 0.6),
        ]);
        let parts: Vec<Part> = (0..4).map(Part::Own).collect();
        let (states, leftover) = states(&p, &parts);
        // 1 + 4 + 6 states with at most two down.
        assert_eq!(states.len(), 11);
        let total: f64 = states.iter().map(|s| s.probability).sum::<f64>() + leftover;
        assert!((total - 1.0).abs() < 1e-12);
        // The leftover is P(three or four down), by hand.
        let u = [0.1, 0.2, 0.3, 0.4];
        let all: f64 = u.iter().product();
        let three: f64 = (0..4).map(|skip| (1.0 - u[skip]) * all / u[skip]).sum();
        assert!((leftover - (three + all)).abs() < 1e-12, "{leftover}");
    }
}
