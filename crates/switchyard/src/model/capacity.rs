//! Capacity under rate limits (`MODEL.md` §12): the load each step is sent,
//! the share of it the provider's limits reject, and what those rejections do
//! to the closed-form figures, at the peak minute, over the day and while the
//! steps before a step are down.
//!
//! A rejection is a 429: it comes back after the offering's error latency,
//! is billed nothing, and is retried or passed down the chain as the step says.
//! That is exactly how the model already treats an error, so a rejected share
//! `q` at an offering folds into its error rate as `1 - (1 - e)(1 - q)` and
//! every closed form of [`super::exact`] applies unchanged.
//!
//! The rejected share depends on the load, and the load on the rejected
//! shares (a rejected attempt is retried, or falls to the next step). The
//! figures are the least fixed point of that loop, reached by iterating from
//! no rejections: both maps are increasing, so the iterates increase to it.
//!
//! Approximations, each stated in `MODEL.md` §12: a limit is a window of one
//! minute that admits the first `L` requests (fluid in time, Poisson in
//! count); rejections of one request's attempts are independent; token limits
//! count the workload's mean tokens per request.

use serde::Serialize;
use statrs::distribution::{DiscreteCDF, Poisson};

use super::exact::{self, Figures, RouteFigures};
use super::monthly::Period;
use super::outage_states;
use super::types::{Portfolio, Quota, Workload};

/// The fixed point is reached when no rejected share moves by more than this.
const CONVERGED: f64 = 1e-12;
/// The iteration stops after this many rounds even if not converged. It
/// converges geometrically; a chain of many retries near its limit is the
/// slowest case, and still settles to 1e-12 within a few hundred rounds.
const MAX_ROUNDS: usize = 2_000;

/// The limit that rejects the most at the load in question.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BindingLimit {
    Rpm,
    InputTpm,
    OutputTpm,
}

impl BindingLimit {
    /// The plan field that sets this limit.
    pub fn field(self) -> &'static str {
        match self {
            BindingLimit::Rpm => "rpm_limit",
            BindingLimit::InputTpm => "input_tpm_limit",
            BindingLimit::OutputTpm => "output_tpm_limit",
        }
    }
}

impl Quota {
    /// The tightest of the limits in requests a minute, and which one it is.
    /// A token limit admits `limit / tokens per request` requests; a workload
    /// with no tokens of that kind is never held back by it.
    pub fn binding(&self, workload: &Workload) -> Option<(BindingLimit, f64)> {
        let per_request =
            |limit: Option<f64>, tokens: f64| limit.filter(|_| tokens > 0.0).map(|l| l / tokens);
        [
            (BindingLimit::Rpm, self.rpm),
            (
                BindingLimit::InputTpm,
                per_request(self.input_tpm, workload.input_tokens),
            ),
            (
                BindingLimit::OutputTpm,
                per_request(self.output_tpm, workload.output_tokens),
            ),
        ]
        .into_iter()
        .filter_map(|(kind, limit)| limit.map(|l| (kind, l)))
        .fold(
            None,
            |best: Option<(BindingLimit, f64)>, (kind, l)| match best {
                Some((_, b)) if b <= l => best,
                _ => Some((kind, l)),
            },
        )
    }
}

/// The share of a minute's requests a limit of `capacity` requests a minute
/// rejects, when the count sent in the minute is Poisson with mean `offered`:
/// `E[(X - L)+] / E[X]` with `L = floor(capacity)`, which is
/// `P(X >= L) - (L / m) P(X >= L + 1)`.
pub fn rejected_share(offered: f64, capacity: f64) -> f64 {
    if offered <= 0.0 || !offered.is_finite() {
        return 0.0;
    }
    let admitted = capacity.floor();
    if admitted < 1.0 {
        return 1.0;
    }
    let Ok(count) = Poisson::new(offered) else {
        return 0.0;
    };
    let at_least = |k: f64| {
        if k <= 0.0 {
            1.0
        } else {
            count.sf(k as u64 - 1)
        }
    };
    (at_least(admitted) - admitted / offered * at_least(admitted + 1.0)).clamp(0.0, 1.0)
}

/// Requests a minute in hour `hour`'s mean minute.
pub fn requests_per_minute(workload: &Workload, hour: usize) -> f64 {
    let per_day = workload.requests_per_month / (Period::Month.minutes() / (24.0 * 60.0));
    per_day * workload.traffic.hourly_share[hour] / 60.0
}

/// The load and rejections at one arrival rate, at their fixed point.
#[derive(Debug, Clone, PartialEq)]
pub struct Solution {
    /// Each offering's rejected share of the attempts it is sent.
    pub rejected: Vec<f64>,
    /// Attempts a minute each offering is sent while up, retries included.
    pub offered: Vec<f64>,
    /// The closed forms with the rejections folded in.
    pub figures: Figures,
}

/// `portfolio` with each offering's rejected share `rejected[o]` folded into
/// its error rate.
pub fn with_rejections(portfolio: &Portfolio, rejected: &[f64]) -> Portfolio {
    let mut out = portfolio.clone();
    for (o, &q) in out.offerings.iter_mut().zip(rejected) {
        if q > 0.0 {
            o.error_rate = 1.0 - (1.0 - o.error_rate) * (1.0 - q);
        }
    }
    out
}

/// Attempts a minute each offering is sent while it is up, when requests
/// arrive at `rate` a minute: each step's expected attempts while up, over
/// the offering's uptime.
fn offered_load(portfolio: &Portfolio, figures: &Figures, rate: f64) -> Vec<f64> {
    let mut load = vec![0.0; portfolio.offerings.len()];
    for (route, rf) in portfolio.routes.iter().zip(&figures.routes) {
        for (step, attempts) in route.steps.iter().zip(&rf.attempts_up) {
            load[step.offering] += rate * route.share * attempts;
        }
    }
    for (l, o) in load.iter_mut().zip(&portfolio.offerings) {
        *l = if o.availability > 0.0 {
            *l / o.availability
        } else {
            0.0
        };
    }
    load
}

/// The load and rejections at `rate` requests a minute: a mixture over the
/// outage states of the parts upstream of a limit
/// ([`outage_states::upstream_of_limits`]), each state at its own fixed
/// point, weighted by its probability.
///
/// Without rejections the states' figures sum, by total probability, to the
/// portfolio's own closed forms; so the mixture is those closed forms plus
/// each state's change by its rejections. The states not enumerated (more
/// than [`outage_states::MAX_DOWN`] parts down) change as the time-averaged
/// load does, the one approximation, which vanishes when no limit binds.
pub fn solve(portfolio: &Portfolio, rate: f64) -> Solution {
    let (free, averaged) = solve_state(portfolio, rate);
    let parts = outage_states::upstream_of_limits(portfolio);
    if parts.is_empty() || !can_bind(portfolio, rate) {
        return averaged;
    }
    let (states, leftover) = outage_states::states(portfolio, &parts);
    let mut mixture = Mixture::new(portfolio, &free);
    for state in &states {
        if state.probability > 0.0 {
            let known = outage_states::given(portfolio, &state.known);
            let (state_free, state_fixed) = solve_state(&known, rate);
            mixture.add(state.probability, &known, &state_free, state_fixed);
        }
    }
    if leftover > 0.0 {
        mixture.add(leftover, portfolio, &free, averaged);
    }
    mixture.finish(portfolio)
}

/// Solutions of several outage states, summed by probability as changes
/// from the closed forms without rejections.
struct Mixture {
    /// Figures with their weights: the closed forms at 1, then each state's
    /// fixed point at `+p` and its figures without rejections at `-p`.
    weighted: Vec<(f64, Figures)>,
    /// Per offering: attempts a minute, and rejected attempts a minute.
    sent: Vec<f64>,
    rejected: Vec<f64>,
    /// Per offering: the probability-weighted rejected share, for an
    /// offering sent nothing in any state.
    share: Vec<f64>,
}

impl Mixture {
    fn new(portfolio: &Portfolio, free: &Solution) -> Self {
        let n = portfolio.offerings.len();
        Self {
            weighted: vec![(1.0, free.figures.clone())],
            sent: (0..n)
                .map(|o| free.offered[o] * portfolio.offerings[o].availability)
                .collect(),
            rejected: vec![0.0; n],
            share: vec![0.0; n],
        }
    }

    fn add(&mut self, probability: f64, state: &Portfolio, free: &Solution, fixed: Solution) {
        for (o, offering) in state.offerings.iter().enumerate() {
            let up = probability * offering.availability;
            self.sent[o] += up * (fixed.offered[o] - free.offered[o]);
            self.rejected[o] += up * fixed.offered[o] * fixed.rejected[o];
            self.share[o] += probability * fixed.rejected[o];
        }
        self.weighted.push((-probability, free.figures.clone()));
        self.weighted.push((probability, fixed.figures));
    }

    fn finish(self, portfolio: &Portfolio) -> Solution {
        let rejected = (0..portfolio.offerings.len())
            .map(|o| {
                if self.sent[o] > 0.0 {
                    (self.rejected[o] / self.sent[o]).clamp(0.0, 1.0)
                } else {
                    self.share[o]
                }
            })
            .collect();
        let offered = portfolio
            .offerings
            .iter()
            .zip(&self.sent)
            .map(|(o, sent)| {
                if o.availability > 0.0 {
                    sent.max(0.0) / o.availability
                } else {
                    0.0
                }
            })
            .collect();
        let pairs: Vec<(f64, &Figures)> = self.weighted.iter().map(|(w, f)| (*w, f)).collect();
        Solution {
            rejected,
            offered,
            figures: mix_figures(portfolio, &pairs),
        }
    }
}

/// One outage state (all of it known, or the time-averaged load) at `rate`
/// requests a minute: its figures without rejections, and at the least fixed
/// point of load and rejections.
fn solve_state(portfolio: &Portfolio, rate: f64) -> (Solution, Solution) {
    let capacity: Vec<Option<f64>> = portfolio
        .offerings
        .iter()
        .map(|o| o.quota.binding(&portfolio.workload).map(|(_, c)| c))
        .collect();
    let mut rejected = vec![0.0; portfolio.offerings.len()];
    let mut figures = exact::figures(portfolio);
    let mut offered = offered_load(portfolio, &figures, rate);
    let free = Solution {
        rejected: rejected.clone(),
        offered: offered.clone(),
        figures: figures.clone(),
    };
    if capacity.iter().all(Option::is_none) {
        return (free.clone(), free);
    }
    for _ in 0..MAX_ROUNDS {
        let next: Vec<f64> = capacity
            .iter()
            .zip(&offered)
            .map(|(c, &load)| c.map_or(0.0, |c| rejected_share(load, c)))
            .collect();
        let moved = next
            .iter()
            .zip(&rejected)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f64::max);
        rejected = next;
        let adjusted = with_rejections(portfolio, &rejected);
        figures = exact::figures(&adjusted);
        offered = offered_load(&adjusted, &figures, rate);
        if moved <= CONVERGED {
            break;
        }
    }
    let fixed = Solution {
        rejected,
        offered,
        figures,
    };
    (free, fixed)
}

/// Whether any offering of `portfolio` has a rate limit.
pub fn is_limited(portfolio: &Portfolio) -> bool {
    portfolio.offerings.iter().any(|o| o.quota.is_limited())
}

/// A rejected share below this is none: far below any figure's last digit.
const NEGLIGIBLE: f64 = 1e-15;

/// Whether any limit could reject more than a negligible share at `rate`
/// requests a minute in any outage state: each offering's load is at most
/// every request making, at every step that uses it, all the attempts the
/// step allows. Limits that cannot bind change no figure, so the outage
/// states need not be told apart.
pub fn can_bind(portfolio: &Portfolio, rate: f64) -> bool {
    portfolio.offerings.iter().enumerate().any(|(o, offering)| {
        let Some((_, limit)) = offering.quota.binding(&portfolio.workload) else {
            return false;
        };
        let most: f64 = portfolio
            .routes
            .iter()
            .flat_map(|r| {
                r.steps
                    .iter()
                    .filter(|s| s.offering == o)
                    .map(move |s| r.share * f64::from(s.attempts))
            })
            .sum();
        rejected_share(rate * most, limit) > NEGLIGIBLE
    })
}

/// The busiest rate a minute of the day: the peak minute, or the busiest
/// hour's mean minute if that is higher.
pub fn busiest_rate(workload: &Workload) -> f64 {
    (0..24)
        .map(|h| requests_per_minute(workload, h))
        .fold(peak_rate(workload), f64::max)
}

/// The solutions of the day's 24 hours. Hours of equal traffic share one
/// solution, so a flat day costs one.
pub fn hourly(portfolio: &Portfolio) -> Vec<Solution> {
    let shares = portfolio.workload.traffic.hourly_share;
    let mut solved: Vec<(f64, Solution)> = Vec::new();
    (0..24)
        .map(|h| {
            if let Some((_, s)) = solved.iter().find(|(share, _)| *share == shares[h]) {
                return s.clone();
            }
            let s = solve(portfolio, requests_per_minute(&portfolio.workload, h));
            solved.push((shares[h], s.clone()));
            s
        })
        .collect()
}

/// The day's figures: each hour's closed forms weighted by its traffic. A
/// plan without limits gets the closed forms themselves (every hour alike).
pub fn day_figures(portfolio: &Portfolio, hours: &[Solution]) -> Figures {
    if !is_limited(portfolio) {
        return exact::figures(portfolio);
    }
    let shares = portfolio.workload.traffic.hourly_share;
    let pairs: Vec<(f64, &Figures)> = shares
        .iter()
        .zip(hours)
        .map(|(&w, s)| (w, &s.figures))
        .collect();
    mix_figures(portfolio, &pairs)
}

/// `Σ w × figures`, figure by figure, for weights that sum to 1.
fn mix_figures(portfolio: &Portfolio, weighted: &[(f64, &Figures)]) -> Figures {
    let sum = |f: &dyn Fn(&Figures) -> f64| -> f64 { weighted.iter().map(|(w, x)| w * f(x)).sum() };
    let routes = portfolio
        .routes
        .iter()
        .enumerate()
        .map(|(r, route)| {
            let per_step = |f: &dyn Fn(&RouteFigures) -> &Vec<f64>| -> Vec<f64> {
                (0..route.steps.len())
                    .map(|j| sum(&|fig: &Figures| f(&fig.routes[r])[j]))
                    .collect()
            };
            let unavailability = sum(&|f| f.routes[r].unavailability);
            RouteFigures {
                availability: 1.0 - unavailability,
                unavailability,
                served: per_step(&|f| &f.served),
                cost_per_request: sum(&|f| f.routes[r].cost_per_request),
                attempts_up: per_step(&|f| &f.attempts_up),
                billed_input: per_step(&|f| &f.billed_input),
                billed_output: per_step(&|f| &f.billed_output),
            }
        })
        .collect();
    let unavailability = sum(&|f| f.unavailability);
    Figures {
        availability: 1.0 - unavailability,
        unavailability,
        cost_per_request: sum(&|f| f.cost_per_request),
        routes,
    }
}

/// Each offering's share of the day's attempts that is rejected. Every hour
/// lasts 60 minutes, so an hour's attempts are its rate a minute, times 60.
pub fn day_rejected(portfolio: &Portfolio, hours: &[Solution]) -> Vec<f64> {
    (0..portfolio.offerings.len())
        .map(|o| {
            let (rejected, offered) = hours.iter().fold((0.0, 0.0), |(rejected, offered), s| {
                (
                    rejected + s.offered[o] * s.rejected[o],
                    offered + s.offered[o],
                )
            });
            if offered > 0.0 {
                rejected / offered
            } else {
                0.0
            }
        })
        .collect()
}

/// Requests a minute at the peak: the busiest hour's mean minute times the
/// peak-minute factor.
pub fn peak_rate(workload: &Workload) -> f64 {
    requests_per_minute(workload, workload.traffic.peak_hour())
        * workload.traffic.peak_minute_factor
}

/// `portfolio` with the offerings of the steps of `route` before `step` down
/// for good (an offering the step itself uses stays up).
pub fn upstream_down(portfolio: &Portfolio, route: usize, step: usize) -> Portfolio {
    let mut out = portfolio.clone();
    let steps = &portfolio.routes[route].steps;
    let own = steps[step].offering;
    for s in &steps[..step] {
        if s.offering != own {
            out.offerings[s.offering].availability = 0.0;
        }
    }
    out
}

/// One step's capacity figures, as `evaluate --json` reports them.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StepCapacity {
    pub route: String,
    /// 0-based position in the route.
    pub step: usize,
    pub offering: String,
    /// Attempts a minute this step sends at the peak minute, retries included.
    pub offered_rpm_peak: f64,
    /// Which of the offering's limits binds; `None` without limits.
    pub binding_limit: Option<BindingLimit>,
    /// The binding limit in requests a minute.
    pub limit_rpm: Option<f64>,
    /// `1 - sent / limit` at the peak, counting every step that uses the
    /// offering; below 0 the offering is sent more than it takes.
    pub headroom_peak: Option<f64>,
    /// The offering's rejected share of the attempts it is sent at the peak.
    pub rejected_share_peak: f64,
    /// The same over the day, weighted by the attempts of each hour.
    pub rejected_share_day: f64,
    /// Attempts a minute at the peak while every earlier step is down;
    /// `None` for a first step.
    pub offered_rpm_upstream_outage: Option<f64>,
    pub rejected_share_upstream_outage: Option<f64>,
    /// The route's availability at the peak while every earlier step is down.
    pub availability_upstream_outage: Option<f64>,
    /// The step's share of all the plan's successes at the peak minute (the
    /// day's share is `served_share`).
    pub served_share_peak: f64,
    /// Attempts a minute this step sends in each UTC hour's mean minute.
    pub offered_rpm_by_hour: Vec<f64>,
}

/// Everything rate limits change, for the report.
#[derive(Debug, Clone, PartialEq)]
pub struct Analysis {
    pub steps: Vec<StepCapacity>,
    /// The portfolio's availability at the peak minute.
    pub availability_at_peak: f64,
    /// The day's closed forms (traffic-weighted over the hours).
    pub day: Figures,
    /// Each offering's rejected share over the day.
    pub day_rejected: Vec<f64>,
    /// The solutions of the day's 24 hours ([`hourly`]), from which the
    /// figures under the budget are mixed ([`strata`]).
    pub hours: Vec<Solution>,
}

/// Attempts a minute step `j` of route `r` sends under `solution` at `rate`.
fn step_load(
    portfolio: &Portfolio,
    solution: &Solution,
    rate: f64,
    route: usize,
    step: usize,
) -> f64 {
    let availability =
        portfolio.offerings[portfolio.routes[route].steps[step].offering].availability;
    if availability <= 0.0 {
        return 0.0;
    }
    rate * portfolio.routes[route].share * solution.figures.routes[route].attempts_up[step]
        / availability
}

/// The capacity figures of `portfolio`.
pub fn analyse(portfolio: &Portfolio) -> Analysis {
    let hours = hourly(portfolio);
    let day = day_figures(portfolio, &hours);
    let day_rejected = day_rejected(portfolio, &hours);
    let peak = peak_rate(&portfolio.workload);
    let at_peak = solve(portfolio, peak);
    let mut steps = Vec::new();
    for (r, route) in portfolio.routes.iter().enumerate() {
        for (j, step) in route.steps.iter().enumerate() {
            let o = step.offering;
            let offering = &portfolio.offerings[o];
            let binding = offering.quota.binding(&portfolio.workload);
            let upstream = (j > 0).then(|| {
                let down = upstream_down(portfolio, r, j);
                let solution = solve(&down, peak);
                (
                    step_load(&down, &solution, peak, r, j),
                    solution.rejected[o],
                    solution.figures.routes[r].availability,
                )
            });
            steps.push(StepCapacity {
                route: route.name.clone(),
                step: j,
                offering: offering.id.clone(),
                offered_rpm_peak: step_load(portfolio, &at_peak, peak, r, j),
                binding_limit: binding.map(|(kind, _)| kind),
                limit_rpm: binding.map(|(_, l)| l),
                headroom_peak: binding.map(|(_, l)| 1.0 - at_peak.offered[o] / l),
                rejected_share_peak: at_peak.rejected[o],
                rejected_share_day: day_rejected[o],
                offered_rpm_upstream_outage: upstream.map(|u| u.0),
                rejected_share_upstream_outage: upstream.map(|u| u.1),
                availability_upstream_outage: upstream.map(|u| u.2),
                served_share_peak: if at_peak.figures.availability > 0.0 {
                    route.share * at_peak.figures.routes[r].served[j] / at_peak.figures.availability
                } else {
                    0.0
                },
                offered_rpm_by_hour: (0..24)
                    .map(|h| {
                        let rate = requests_per_minute(&portfolio.workload, h);
                        step_load(portfolio, &hours[h], rate, r, j)
                    })
                    .collect(),
            });
        }
    }
    Analysis {
        steps,
        availability_at_peak: at_peak.figures.availability,
        day,
        day_rejected,
        hours,
    }
}

/// The portfolio the simulations run on for hour-stratified figures: one
/// per distinct hour, with its rejections folded in, and its share of the
/// day's requests. A plan without limits is one stratum, itself.
pub fn strata(portfolio: &Portfolio, hours: &[Solution]) -> Vec<(f64, Portfolio)> {
    if !is_limited(portfolio) {
        return vec![(1.0, portfolio.clone())];
    }
    let shares = portfolio.workload.traffic.hourly_share;
    let mut out: Vec<(f64, Vec<f64>, Portfolio)> = Vec::new();
    for (s, w) in hours.iter().zip(shares) {
        if w <= 0.0 {
            continue;
        }
        match out.iter_mut().find(|(_, q, _)| *q == s.rejected) {
            Some(stratum) => stratum.0 += w,
            None => out.push((
                w,
                s.rejected.clone(),
                with_rejections(portfolio, &s.rejected),
            )),
        }
    }
    out.into_iter().map(|(w, _, p)| (w, p)).collect()
}

#[cfg(test)]
#[path = "capacity_tests.rs"]
mod tests;
