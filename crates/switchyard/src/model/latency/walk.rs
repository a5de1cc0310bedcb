//! One route, one class of requests: the exact walk over its attempts with a
//! latency budget (`MODEL.md` §3.10).
//!
//! The walk follows the simulation's rules ([`super::super::simulate`]) step
//! by step, but carries every outcome at once: the state is the discrete
//! distribution of the elapsed time of the requests still running, kept per
//! "what is known of the world". A group's or an offering's state enters that
//! knowledge the first time an attempt needs it (the branch splits by its
//! probability) and leaves it once no later step depends on it (the branches
//! that differ only in it merge again). A chain of distinct offerings thus
//! keeps one or two branches, and a route that comes back to an offering keeps
//! that offering's state until its last step on it.
//!
//! Within a branch the offering of an attempt is surely up or surely down, so
//! an attempt sends each elapsed time `s` to at most three places: a success
//! (a term of the latency mixture: `s + TTFT + G` with `TTFT` truncated where
//! the timeout or the budget cuts), `s + error_ms` (an error) and `s + cut`
//! (a cut). Equal elapsed times merge, so the distribution stays small: a
//! step of `k` attempts adds at most `k + 1` distinct times to each.

use crate::model::attempt::AttemptProfile;
use crate::model::exact::local_index;
use crate::model::types::{Portfolio, Step, Ttft};

/// Elapsed times closer than this (relative, or 1e-9 ms near zero) are one:
/// sums of the same terms in another order differ in their last bits, and
/// keeping them apart would only grow the mixture. The latency it moves is
/// far below any figure's last printed digit.
const MERGE_RELATIVE: f64 = 1e-12;

/// Offerings' bits start here in the knowledge masks; groups use the bits below.
const OFFERING_BIT: usize = 32;

/// One term of the latency mixture: `weight` requests reach an attempt at
/// `offset_ms - generation` on an offering that is up and does not err, and
/// succeed at `offset_ms + TTFT` when `TTFT <= cap_ms`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Term {
    pub weight: f64,
    pub offset_ms: f64,
    pub cap_ms: f64,
    pub ttft: Ttft,
    /// `weight × P(TTFT <= cap_ms)`: the successes of this term.
    pub mass: f64,
}

/// The exact figures of one route and one class of requests.
#[derive(Debug, Clone, PartialEq)]
pub struct RouteWalk {
    /// P(success within the budget).
    pub success: f64,
    /// P(no success within the budget), summed from the failures themselves
    /// so that many nines keep their digits.
    pub failure: f64,
    /// P(the success comes at step j), per step.
    pub served: Vec<f64>,
    /// E[billed USD], cut attempts included.
    pub cost: f64,
    /// The successes, as a mixture of truncated shifted log-normals.
    pub terms: Vec<Term>,
    /// P(the request is still running after the last step): the failures
    /// a further step could still turn into successes.
    pub alive: f64,
    /// The earliest time at which such a request is still running;
    /// infinite when none is.
    pub earliest_alive_ms: f64,
}

/// The groups and offerings one route touches, as bits of a knowledge mask.
struct Footprint {
    /// Bit of each step's offering.
    step_bit: Vec<u64>,
    /// Group bits each step's offering needs.
    step_groups: Vec<u64>,
    /// Private availability of each step's offering.
    step_private: Vec<f64>,
    group_availability: Vec<f64>,
    /// The bits a step after step j still needs.
    needed_after: Vec<u64>,
}

impl Footprint {
    fn of(portfolio: &Portfolio, steps: &[Step]) -> Option<Self> {
        let (mut offerings, mut groups) = (Vec::new(), Vec::new());
        let local: Vec<(usize, Vec<usize>)> = steps
            .iter()
            .map(|s| {
                let d = local_index(&mut offerings, s.offering);
                let g = portfolio.offerings[s.offering]
                    .groups
                    .iter()
                    .map(|&g| local_index(&mut groups, g))
                    .collect();
                (d, g)
            })
            .collect();
        if offerings.len() > 64 - OFFERING_BIT || groups.len() > OFFERING_BIT {
            return None;
        }
        let step_bit: Vec<u64> = local.iter().map(|(d, _)| 1 << (OFFERING_BIT + d)).collect();
        let step_groups: Vec<u64> = local
            .iter()
            .map(|(_, gs)| gs.iter().fold(0, |m, &g| m | 1 << g))
            .collect();
        let mut needed_after = vec![0u64; steps.len()];
        for j in (0..steps.len().saturating_sub(1)).rev() {
            needed_after[j] = needed_after[j + 1] | step_bit[j + 1] | step_groups[j + 1];
        }
        Some(Self {
            step_bit,
            step_groups,
            step_private: steps
                .iter()
                .map(|s| portfolio.private_availability(s.offering))
                .collect(),
            group_availability: groups
                .iter()
                .map(|&g| portfolio.groups[g].availability)
                .collect(),
            needed_after,
        })
    }
}

/// A part of the requests that knows the same of the world: bits `known`
/// are drawn, and `up` says which of those are up. `shifts` is the
/// distribution of their elapsed time: `(ms, probability)`, sorted.
#[derive(Debug, Clone)]
struct Branch {
    known: u64,
    up: u64,
    shifts: Vec<(f64, f64)>,
}

impl Branch {
    /// This branch split on `bit` (up with `availability`); parts of zero
    /// probability are dropped.
    fn split(self, bit: u64, availability: f64, out: &mut Vec<Branch>) {
        let scaled = |p: f64, up: bool| Branch {
            known: self.known | bit,
            up: if up { self.up | bit } else { self.up & !bit },
            shifts: self.shifts.iter().map(|&(s, w)| (s, w * p)).collect(),
        };
        if availability > 0.0 {
            out.push(scaled(availability, true));
        }
        if availability < 1.0 {
            out.push(scaled(1.0 - availability, false));
        }
    }
}

/// Sorts `shifts` and merges equal times.
fn merge_shifts(shifts: &mut Vec<(f64, f64)>) {
    shifts.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut out: Vec<(f64, f64)> = Vec::with_capacity(shifts.len());
    for &(s, w) in shifts.iter() {
        match out.last_mut() {
            Some(last) if s - last.0 <= MERGE_RELATIVE * last.0.abs().max(1e3) => last.1 += w,
            _ => out.push((s, w)),
        }
    }
    *shifts = out;
}

/// Merges the branches that know the same, after forgetting what no later
/// step needs (`keep`).
fn forget(branches: Vec<Branch>, keep: u64) -> Vec<Branch> {
    let mut out: Vec<Branch> = Vec::with_capacity(branches.len());
    for mut b in branches {
        b.known &= keep;
        b.up &= keep;
        match out.iter_mut().find(|o| o.known == b.known && o.up == b.up) {
            Some(o) => o.shifts.append(&mut b.shifts),
            None => out.push(b),
        }
    }
    for b in &mut out {
        merge_shifts(&mut b.shifts);
    }
    out
}

/// Walks route `route` of `portfolio` for one class of requests (`profiles`,
/// one per step) under `budget_ms` (infinite: no budget). `None` when the
/// mixture would grow past `max_terms` terms or elapsed times: the figures
/// are then out of the walk's reach, and simulated.
pub fn walk(
    portfolio: &Portfolio,
    route: usize,
    profiles: &[AttemptProfile],
    budget_ms: f64,
    max_terms: usize,
) -> Option<RouteWalk> {
    walk_steps(
        portfolio,
        &portfolio.routes[route].steps,
        profiles,
        budget_ms,
        max_terms,
    )
}

/// [`walk`] over `steps` of `portfolio`'s offerings, which need not be one
/// of its routes (a chain the search scores).
pub fn walk_steps(
    portfolio: &Portfolio,
    steps: &[Step],
    profiles: &[AttemptProfile],
    budget_ms: f64,
    max_terms: usize,
) -> Option<RouteWalk> {
    PartialWalk::along(
        portfolio,
        steps,
        profiles,
        budget_ms,
        max_terms,
        steps.len(),
    )
    .map(PartialWalk::finish)
}

/// A walk stopped after the first steps of its route, to be resumed for
/// every route that starts with them (the search's chains that share a
/// prefix).
///
/// What the walk keeps between steps depends on the route's later steps
/// (a group a later step shares stays known), so a stopped walk may only
/// be resumed along a route whose later steps share the same of the first
/// steps' groups as the route it was started for ([`Self::along`]). Resumed
/// so, every figure is the one of the whole walk to the last bit: the same
/// operations in the same order.
#[derive(Debug, Clone)]
pub struct PartialWalk {
    branches: Vec<Branch>,
    out: RouteWalk,
    /// Steps walked.
    done: usize,
    /// The most terms or elapsed times held after any step: a walk given
    /// fewer than this as its `max_terms` would have stopped.
    peak: usize,
}

impl PartialWalk {
    /// The walk of `steps` stopped after its first `upto` steps; `None` when
    /// the mixture would grow past `max_terms` (or the route touches more
    /// offerings and groups than a mask holds).
    pub fn along(
        portfolio: &Portfolio,
        steps: &[Step],
        profiles: &[AttemptProfile],
        budget_ms: f64,
        max_terms: usize,
        upto: usize,
    ) -> Option<Self> {
        let walk = Self {
            branches: vec![Branch {
                known: 0,
                up: 0,
                shifts: vec![(0.0, 1.0)],
            }],
            out: RouteWalk {
                success: 0.0,
                failure: 0.0,
                served: Vec::with_capacity(steps.len()),
                cost: 0.0,
                terms: Vec::new(),
                alive: 0.0,
                earliest_alive_ms: f64::INFINITY,
            },
            done: 0,
            peak: 0,
        };
        walk.resume(portfolio, steps, profiles, budget_ms, max_terms, upto)
    }

    /// This walk continued along `steps` (the whole route: its first steps
    /// are the ones walked already, see the type's doc) up to step `upto`.
    pub fn resume(
        mut self,
        portfolio: &Portfolio,
        steps: &[Step],
        profiles: &[AttemptProfile],
        budget_ms: f64,
        max_terms: usize,
        upto: usize,
    ) -> Option<Self> {
        let footprint = Footprint::of(portfolio, steps)?;
        for j in self.done..upto {
            self.step(&footprint, j, &steps[j], &profiles[j], budget_ms);
            let shifts: usize = self.branches.iter().map(|b| b.shifts.len()).sum();
            self.peak = self.peak.max(shifts).max(self.out.terms.len());
            if self.peak > max_terms {
                return None;
            }
        }
        Some(self)
    }

    /// Walks step `j`.
    fn step(
        &mut self,
        footprint: &Footprint,
        j: usize,
        step: &Step,
        profile: &AttemptProfile,
        budget_ms: f64,
    ) {
        let out = &mut self.out;
        out.served.push(0.0);
        let mut branches = meet(std::mem::take(&mut self.branches), footprint, j);
        let bit = footprint.step_bit[j];
        let first_term = out.terms.len();
        for attempt in 0..step.attempts {
            let backoff = step.backoff_before(attempt);
            for branch in &mut branches {
                let up = branch.up & bit != 0;
                let mut next = Vec::with_capacity(2 * branch.shifts.len());
                for &(s, w) in &branch.shifts {
                    attempt_from(s + backoff, w, up, profile, budget_ms, j, &mut next, out);
                }
                merge_shifts(&mut next);
                branch.shifts = next;
            }
        }
        merge_terms(&mut out.terms, first_term);
        self.branches = forget(branches, footprint.needed_after[j]);
        self.done = j + 1;
    }

    /// [`Self::peak`]'s count: the walk is the one [`walk_steps`] would give
    /// with any `max_terms` at least this.
    pub fn peak(&self) -> usize {
        self.peak
    }

    /// The figures of the steps walked, as if the route ended there.
    pub fn finish(self) -> RouteWalk {
        let mut out = self.out;
        for &(s, w) in self.branches.iter().flat_map(|b| &b.shifts) {
            out.alive += w;
            out.earliest_alive_ms = out.earliest_alive_ms.min(s);
        }
        out.failure += out.alive;
        out.success = out.served.iter().sum();
        out
    }
}

/// Splits the branches that do not yet know step `j`'s offering by the state
/// of its groups (those not yet drawn) and of its private part.
fn meet(branches: Vec<Branch>, footprint: &Footprint, j: usize) -> Vec<Branch> {
    let bit = footprint.step_bit[j];
    let groups = footprint.step_groups[j];
    let mut out = Vec::with_capacity(branches.len() * 2);
    for b in branches {
        if b.known & bit != 0 {
            out.push(b);
            continue;
        }
        let mut drawn = vec![b];
        let mut rest = groups;
        while rest != 0 {
            let g = rest.trailing_zeros() as usize;
            rest &= rest - 1;
            let mut split = Vec::with_capacity(drawn.len() * 2);
            for x in drawn {
                if x.known & (1 << g) != 0 {
                    split.push(x);
                } else {
                    x.split(1 << g, footprint.group_availability[g], &mut split);
                }
            }
            drawn = split;
        }
        for mut x in drawn {
            if groups & !x.up != 0 {
                // A group is down: so is the offering, whatever its own part.
                x.known |= bit;
                x.up &= !bit;
                out.push(x);
            } else {
                x.split(bit, footprint.step_private[j], &mut out);
            }
        }
    }
    out
}

/// One attempt by the requests that start it at `elapsed` (backoff included)
/// with probability `w`, as `simulate::one_request` makes it: the running
/// ones go to `next`, the rest to `out`'s successes and failures.
#[allow(clippy::too_many_arguments)]
fn attempt_from(
    elapsed: f64,
    w: f64,
    up: bool,
    profile: &AttemptProfile,
    budget_ms: f64,
    step: usize,
    next: &mut Vec<(f64, f64)>,
    out: &mut RouteWalk,
) {
    let mut carry = |at: f64, p: f64, out: &mut RouteWalk| {
        if p <= 0.0 {
            return;
        }
        if at >= budget_ms {
            out.failure += p;
        } else {
            next.push((at, p));
        }
    };
    if elapsed >= budget_ms {
        out.failure += w;
        return;
    }
    if !up {
        carry(elapsed + profile.down_fail_ms, w, out);
        return;
    }
    carry(elapsed + profile.error_ms, w * profile.error_rate, out);
    let go = w * (1.0 - profile.error_rate);
    if go <= 0.0 {
        return;
    }
    let left = budget_ms - elapsed;
    let cut = profile.timeout_ms.min(left);
    let cap = cut - profile.generation_ms;
    let fits = profile.ttft.cdf(cap);
    out.cost += w * profile.expected_bill_cut_at(cut);
    let mass = go * fits;
    if mass > 0.0 {
        out.served[step] += mass;
        out.terms.push(Term {
            weight: go,
            offset_ms: elapsed + profile.generation_ms,
            cap_ms: cap,
            ttft: profile.ttft,
            mass,
        });
    }
    carry(elapsed + cut, go * (1.0 - fits), out);
}

/// Merges the terms from `from` on (one step's, so one TTFT) that start at
/// the same time: they have the same cap too.
fn merge_terms(terms: &mut Vec<Term>, from: usize) {
    let mut step: Vec<Term> = terms.split_off(from);
    step.sort_by(|a, b| a.offset_ms.total_cmp(&b.offset_ms));
    for t in step {
        let own = terms.len() > from;
        match terms.last_mut() {
            Some(last)
                if own
                    && last.offset_ms == t.offset_ms
                    && last.cap_ms == t.cap_ms
                    && last.ttft == t.ttft =>
            {
                last.weight += t.weight;
                last.mass += t.mass;
            }
            _ => terms.push(t),
        }
    }
}
