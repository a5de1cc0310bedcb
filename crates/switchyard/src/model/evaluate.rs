//! Puts the figures of `MODEL.md` §3 together. Each figure is taken from the
//! closed form where one exists and from the simulation otherwise; `methods` in
//! the report says which. The figures of single requests (success within the
//! budget, latency, cost and served shares) are exact ([`super::latency`]);
//! only a plan whose latency mixture would outgrow
//! [`super::latency::MAX_TERMS`] has them simulated.

use serde::Serialize;

use super::capacity::{self, StepCapacity};
use super::latency::{self, BudgetFigures};
use super::monthly::{MonthlyFigures, Period, monthly_with_progress};
use super::outage_process::OutageProcess;
use super::progress::{Cancelled, Progress, UNITS_PER_PERIOD};
use super::simulate::{Simulation, simulate_with_progress};
use super::types::Portfolio;

/// How to run the simulations.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EvaluateOptions {
    /// Simulated requests.
    pub samples: u64,
    pub seed: u64,
    /// Simulated periods for `monthly_availability`.
    pub periods: u64,
    pub period: Period,
    /// The availability a period must reach to count as meeting the SLA.
    pub target: f64,
}

impl EvaluateOptions {
    /// The progress units an evaluation with these options takes.
    pub fn work_units(&self) -> u64 {
        self.samples + self.periods * UNITS_PER_PERIOD
    }
}

impl Default for EvaluateOptions {
    fn default() -> Self {
        Self {
            samples: 1_000_000,
            seed: 1,
            periods: 10_000,
            period: Period::Month,
            target: 0.999,
        }
    }
}

/// Everything `switchyard evaluate` reports; field names are fixed by
/// `PLAN_FORMAT.md`.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub availability: f64,
    /// `-log10(1 - availability)`; `None` for a certain success.
    pub nines: Option<f64>,
    pub success_within_budget: Estimate,
    pub latency_ms: LatencyPercentiles,
    pub cost_usd: Cost,
    pub served_share: Vec<ServedShare>,
    /// The availability at the peak minute, under the rate limits
    /// (`MODEL.md` §12); `availability` itself is over the whole day.
    pub availability_at_peak: f64,
    /// Each step's load against its offering's rate limits.
    pub capacity: Vec<StepCapacity>,
    pub monthly_availability: MonthlyFigures,
    /// The outage process each group of the plan follows in the monthly
    /// simulation.
    pub outage_processes: Vec<GroupProcess>,
    pub methods: Methods,
    pub simulation: SimulationInfo,
}

/// Which outage process a group follows (`MODEL.md` §3 and §11).
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupProcess {
    pub group: String,
    /// The group's long-run uptime (the fitted process's mean, if fitted).
    pub availability: f64,
    /// Mean outage (of one event, if fitted), minutes.
    pub mttr_minutes: f64,
    /// The process fitted from the group's history; `None`: the
    /// constant-rate process of `availability` and `mttr_minutes`.
    pub fitted: Option<OutageProcess>,
}

impl GroupProcess {
    /// Every group of `portfolio`.
    pub fn of(portfolio: &Portfolio) -> Vec<GroupProcess> {
        portfolio
            .groups
            .iter()
            .map(|g| GroupProcess {
                group: g.id.clone(),
                availability: g.availability,
                mttr_minutes: g.mttr_minutes,
                fitted: g.process,
            })
            .collect()
    }
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Estimate {
    pub value: f64,
    pub ci95: [f64; 2],
}

/// Percentiles of successful requests; `None` when nothing succeeded.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct LatencyPercentiles {
    pub p50: Option<f64>,
    pub p95: Option<f64>,
    pub p99: Option<f64>,
}

/// Costs in USD. A ratio over a zero success rate is `None`.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Cost {
    pub per_request: f64,
    pub per_request_ci95: [f64; 2],
    pub per_success: Option<f64>,
    pub per_success_within_budget: Option<f64>,
    pub monthly: f64,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ServedShare {
    pub route: String,
    /// 0-based position in the route.
    pub step: usize,
    pub offering: String,
    /// Share of all the plan's successful requests (within the budget, if any).
    pub share: f64,
}

/// Where a figure came from.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    Exact,
    MonteCarlo,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Methods {
    pub availability: Method,
    pub success_within_budget: Method,
    pub cost_per_request: Method,
    pub served_share: Method,
    pub latency: Method,
    pub monthly_availability: Method,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct SimulationInfo {
    pub samples: u64,
    pub seed: u64,
}

/// `-log10(1 - a)` from the unavailability, which keeps its digits near 1.
/// Availability 0 has 0 nines, not -0 (`+ 0.0` drops the sign of a zero).
pub fn nines(unavailability: f64) -> Option<f64> {
    (unavailability > 0.0).then(|| -unavailability.log10() + 0.0)
}

/// The exact figures: what a planner sees while typing, in microseconds,
/// before the monthly simulation has run.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExactSummary {
    pub availability: f64,
    /// `-log10(1 - availability)`; `None` for a certain success.
    pub nines: Option<f64>,
    /// Expected billed cost of one request, no deadline.
    pub cost_per_request: f64,
    /// `None` when nothing succeeds.
    pub cost_per_success: Option<f64>,
    /// Requests per month x cost per request + fixed monthly costs.
    pub monthly_usd: f64,
    /// Share of successful requests each step serves, no deadline.
    pub served_share: Vec<ServedShare>,
    /// The availability at the peak minute under the rate limits.
    pub availability_at_peak: f64,
    /// Each step's load against its offering's rate limits.
    pub capacity: Vec<StepCapacity>,
    /// Success within the budget, cost under it and the latency of
    /// successes, exact (`MODEL.md` §3.10), so that they too show on every
    /// edit; `None` for a plan past the exact walk's cap, whose
    /// evaluation simulates them.
    pub requests: Option<RequestSummary>,
}

/// The exact figures of single requests, under the budget if there is one.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RequestSummary {
    /// P(success within the budget); the availability without one.
    pub success_within_budget: f64,
    /// Expected billed cost of one request, cut attempts included.
    pub cost_per_request: f64,
    pub latency_ms: LatencyPercentiles,
}

/// The exact figures of a portfolio, as [`evaluate`] reports them for a plan
/// without a budget: over the day, under the rate limits if it has any.
pub fn exact_summary(portfolio: &Portfolio) -> ExactSummary {
    summarize(portfolio, &capacity::analyse(portfolio))
}

/// [`exact_summary`] from the capacity analysis already computed: the one
/// place that turns the day's closed forms into availability, nines, costs
/// and served shares, for the figures shown while typing and for the report
/// alike.
pub fn summarize(portfolio: &Portfolio, analysis: &capacity::Analysis) -> ExactSummary {
    let exact = &analysis.day;
    let mut served_share = Vec::new();
    for (r, route) in portfolio.routes.iter().enumerate() {
        for (j, step) in route.steps.iter().enumerate() {
            served_share.push(ServedShare {
                route: route.name.clone(),
                step: j,
                offering: portfolio.offerings[step.offering].id.clone(),
                share: ratio(route.share * exact.routes[r].served[j], exact.availability),
            });
        }
    }
    ExactSummary {
        availability: exact.availability,
        nines: nines(exact.unavailability),
        cost_per_request: exact.cost_per_request,
        cost_per_success: Some(exact.cost_per_request / exact.availability)
            .filter(|x| exact.availability > 0.0 && x.is_finite()),
        monthly_usd: portfolio.workload.requests_per_month * exact.cost_per_request
            + portfolio.workload.fixed_monthly_usd,
        served_share,
        availability_at_peak: analysis.availability_at_peak,
        capacity: analysis.steps.clone(),
        requests: request_summary(portfolio, analysis),
    }
}

/// The exact figures of single requests over the day's hours, as
/// [`evaluate`] reports them (without a budget, success and cost are the
/// day's closed forms); `None` past the walk's cap.
fn request_summary(portfolio: &Portfolio, analysis: &capacity::Analysis) -> Option<RequestSummary> {
    let strata = capacity::strata(portfolio, &analysis.hours);
    let weighted: Vec<(f64, &Portfolio)> = strata.iter().map(|(w, p)| (*w, p)).collect();
    let f = latency::strata_figures(&weighted)?;
    let [p50, p95, p99] = f.percentiles();
    let (success_within_budget, cost_per_request) =
        if portfolio.workload.latency_budget_ms.is_some() {
            (f.success, f.cost_per_request)
        } else {
            (analysis.day.availability, analysis.day.cost_per_request)
        };
    Some(RequestSummary {
        success_within_budget,
        cost_per_request,
        latency_ms: LatencyPercentiles { p50, p95, p99 },
    })
}

/// Evaluates a portfolio: the closed forms, the exact figures under the
/// budget, and the simulated monthly figures.
pub fn evaluate(portfolio: &Portfolio, options: &EvaluateOptions) -> Report {
    // A fresh `Progress` is never cancelled.
    evaluate_with_progress(portfolio, options, &Progress::new())
        .expect("a fresh progress is never cancelled")
}

/// [`evaluate`], reporting to `progress` and stopping when it is cancelled.
pub fn evaluate_with_progress(
    portfolio: &Portfolio,
    options: &EvaluateOptions,
    progress: &Progress,
) -> Result<Report, Cancelled> {
    evaluate_from(portfolio, &exact_summary(portfolio), options, progress)
}

/// Where the figures of single requests come from.
pub(crate) enum Requests {
    /// The exact walk ([`latency::strata_figures`]).
    Exact(BudgetFigures),
    /// The simulation, for a plan out of the walk's reach.
    Simulated(Simulation),
}

/// The figures of single requests of `portfolio`: exact when the walk can
/// reach them, else simulated. Under rate limits both run on the day's hours,
/// each with its rejections ([`capacity::strata`]). The request simulation's
/// units of progress are counted either way, so a run's total is known before
/// it starts.
pub(crate) fn request_figures(
    portfolio: &Portfolio,
    samples: u64,
    seed: u64,
    progress: &Progress,
) -> Result<Requests, Cancelled> {
    let hours = capacity::hourly(portfolio);
    let strata = capacity::strata(portfolio, &hours);
    let weighted: Vec<(f64, &Portfolio)> = strata.iter().map(|(w, p)| (*w, p)).collect();
    if let Some(exact) = latency::strata_figures(&weighted) {
        if progress.is_cancelled() {
            return Err(Cancelled);
        }
        progress.advance(samples);
        return Ok(Requests::Exact(exact));
    }
    simulate_strata(&strata, samples, seed, progress).map(Requests::Simulated)
}

/// [`evaluate_with_progress`] on exact figures already computed (`exact`, the
/// [`exact_summary`] of `portfolio`): only the rest runs.
pub fn evaluate_from(
    portfolio: &Portfolio,
    exact: &ExactSummary,
    options: &EvaluateOptions,
    progress: &Progress,
) -> Result<Report, Cancelled> {
    progress.expect(options.work_units());
    let requests = request_figures(portfolio, options.samples, options.seed, progress)?;
    let monthly_availability = monthly_with_progress(
        portfolio,
        options.period,
        options.periods,
        options.target,
        options.seed,
        progress,
    )?;
    Ok(assemble(
        portfolio,
        exact,
        options,
        &requests,
        monthly_availability,
    ))
}

/// Simulates each stratum (an hour of the day, with its rejections) with
/// its share of `samples`, and merges them: the requests of a day, hour by
/// hour. One stratum (a plan without limits) is the plain simulation.
pub(crate) fn simulate_strata(
    strata: &[(f64, Portfolio)],
    samples: u64,
    seed: u64,
    progress: &Progress,
) -> Result<Simulation, Cancelled> {
    let mut left = samples;
    let mut total: Option<Simulation> = None;
    for (k, (weight, portfolio)) in strata.iter().enumerate() {
        let count = if k + 1 == strata.len() {
            left
        } else {
            ((samples as f64 * weight).round() as u64).min(left)
        };
        left -= count;
        let stratum_seed = seed.wrapping_add(k as u64);
        let sim = simulate_with_progress(portfolio, count, stratum_seed, progress)?;
        match &mut total {
            Some(t) => t.merge(sim),
            None => total = Some(sim),
        }
    }
    Ok(total.expect("at least one stratum"))
}

/// The figures of single requests a report shows, whichever way they came.
struct RequestFigures {
    success_within_budget: Estimate,
    per_request: f64,
    per_request_ci95: [f64; 2],
    latency: LatencyPercentiles,
    served_share: Vec<ServedShare>,
    method: Method,
}

impl RequestFigures {
    /// Without a budget, success, cost and served shares are the day's closed
    /// forms (`exact`), under rate limits too; with one they come from
    /// `requests`. Latency always does.
    fn of(portfolio: &Portfolio, exact: &ExactSummary, requests: &Requests) -> Self {
        let has_budget = portfolio.workload.latency_budget_ms.is_some();
        let closed = |latency: LatencyPercentiles, method: Method| RequestFigures {
            success_within_budget: Estimate {
                value: exact.availability,
                ci95: [exact.availability; 2],
            },
            per_request: exact.cost_per_request,
            per_request_ci95: [exact.cost_per_request; 2],
            latency,
            served_share: exact.served_share.clone(),
            method,
        };
        match requests {
            Requests::Exact(f) => {
                let [p50, p95, p99] = f.percentiles();
                let latency = LatencyPercentiles { p50, p95, p99 };
                if !has_budget {
                    return closed(latency, Method::Exact);
                }
                RequestFigures {
                    success_within_budget: Estimate {
                        value: f.success,
                        ci95: [f.success; 2],
                    },
                    per_request: f.cost_per_request,
                    per_request_ci95: [f.cost_per_request; 2],
                    latency,
                    served_share: shares(portfolio, |r, j| ratio(f.served[r][j], f.success)),
                    method: Method::Exact,
                }
            }
            Requests::Simulated(sim) => {
                let [p50, p95, p99] = sim.latency_percentiles();
                let latency = LatencyPercentiles { p50, p95, p99 };
                if !has_budget {
                    return closed(latency, Method::MonteCarlo);
                }
                let (value, ci95) = sim.success_rate();
                RequestFigures {
                    success_within_budget: Estimate { value, ci95 },
                    per_request: sim.cost.mean(),
                    per_request_ci95: sim.cost.ci95(),
                    latency,
                    served_share: shares(portfolio, |r, j| {
                        ratio(sim.served[r][j] as f64, sim.successes as f64)
                    }),
                    method: Method::MonteCarlo,
                }
            }
        }
    }
}

/// The report from the exact figures, the figures of single requests and
/// the monthly simulation.
fn assemble(
    portfolio: &Portfolio,
    exact: &ExactSummary,
    options: &EvaluateOptions,
    requests: &Requests,
    monthly_availability: MonthlyFigures,
) -> Report {
    let has_budget = portfolio.workload.latency_budget_ms.is_some();
    let figures = RequestFigures::of(portfolio, exact, requests);
    // Without a budget, success, cost and served shares are the closed forms
    // whatever gave the latency.
    let budget_method = if has_budget {
        figures.method
    } else {
        Method::Exact
    };
    let success_within_budget = figures.success_within_budget;
    let per_request = figures.per_request;
    // `None` when nothing succeeds, or when so little does that the ratio is
    // beyond any float.
    let divide = |cost: f64, rate: f64| Some(cost / rate).filter(|x| rate > 0.0 && x.is_finite());

    Report {
        availability: exact.availability,
        nines: exact.nines,
        success_within_budget,
        latency_ms: figures.latency,
        cost_usd: Cost {
            per_request,
            per_request_ci95: figures.per_request_ci95,
            per_success: divide(per_request, exact.availability),
            per_success_within_budget: divide(per_request, success_within_budget.value),
            monthly: portfolio.workload.requests_per_month * per_request
                + portfolio.workload.fixed_monthly_usd,
        },
        served_share: figures.served_share,
        availability_at_peak: exact.availability_at_peak,
        capacity: exact.capacity.clone(),
        monthly_availability,
        outage_processes: GroupProcess::of(portfolio),
        methods: Methods {
            availability: Method::Exact,
            success_within_budget: budget_method,
            cost_per_request: budget_method,
            served_share: budget_method,
            latency: figures.method,
            monthly_availability: Method::MonteCarlo,
        },
        simulation: SimulationInfo {
            samples: options.samples,
            seed: options.seed,
        },
    }
}

/// Every step of every route with its share, `share(route, step)`.
fn shares(portfolio: &Portfolio, share: impl Fn(usize, usize) -> f64) -> Vec<ServedShare> {
    let mut shares = Vec::new();
    for (r, route) in portfolio.routes.iter().enumerate() {
        for (j, step) in route.steps.iter().enumerate() {
            shares.push(ServedShare {
                route: route.name.clone(),
                step: j,
                offering: portfolio.offerings[step.offering].id.clone(),
                share: share(r, j),
            });
        }
    }
    shares
}

fn ratio(part: f64, whole: f64) -> f64 {
    if whole > 0.0 { part / whole } else { 0.0 }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::testkit::*;
    use crate::model::types::{OutageMode, Prices};

    fn quick() -> EvaluateOptions {
        EvaluateOptions {
            samples: 20_000,
            periods: 500,
            ..EvaluateOptions::default()
        }
    }

    #[test]
    fn cost_figures_follow_their_definitions() {
        let mut p = chain(vec![offering("a", 0.9), offering("b", 0.5)]);
        p.workload.fixed_monthly_usd = 100.0;
        let r = evaluate(&p, &quick());
        assert!((r.availability - 0.95).abs() < 1e-15);
        assert!((r.nines.unwrap() - 1.301_029_995_663_981).abs() < 1e-12);
        let c = r.cost_usd;
        let expected = 0.95 * (1000.0 * 1e-6 + 100.0 * 2e-6);
        assert!((c.per_request - expected).abs() < 1e-15);
        assert!((c.per_success.unwrap() - expected / 0.95).abs() < 1e-15);
        assert_eq!(c.per_success, c.per_success_within_budget);
        assert!((c.monthly - (1e6 * expected + 100.0)).abs() < 1e-9);
    }

    #[test]
    fn served_shares_sum_to_one_and_name_their_steps() {
        let r = evaluate(
            &chain(vec![offering("a", 0.9), offering("b", 0.5)]),
            &quick(),
        );
        let shares: Vec<f64> = r.served_share.iter().map(|s| s.share).collect();
        assert!((shares[0] - 0.9 / 0.95).abs() < 1e-15);
        assert!((shares.iter().sum::<f64>() - 1.0).abs() < 1e-15);
        assert_eq!(r.served_share[1].offering, "b");
        assert_eq!(r.served_share[1].step, 1);
    }

    #[test]
    fn with_a_budget_success_cost_and_shares_are_exact() {
        let mut p = chain(vec![offering("a", 0.9), offering("b", 0.5)]);
        p.workload.latency_budget_ms = Some(1600.0);
        let r = evaluate(&p, &quick());
        // Only the first step fits in 1,600 ms (a fallback needs 300 + 1,500).
        assert!((r.success_within_budget.value - 0.9).abs() < 1e-15);
        assert_eq!(
            r.success_within_budget.ci95,
            [r.success_within_budget.value; 2]
        );
        assert_eq!(r.methods.success_within_budget, Method::Exact);
        assert_eq!(r.methods.cost_per_request, Method::Exact);
        assert_eq!(r.methods.served_share, Method::Exact);
        assert_eq!(r.methods.latency, Method::Exact);
        assert_eq!(r.served_share[1].share, 0.0);
        assert!((r.served_share[0].share - 1.0).abs() < 1e-15);
        // Every success takes 500 ms to first token and 1,000 ms to generate.
        assert_eq!(
            r.latency_ms.p95.map(|x| (x - 1500.0).abs() < 1e-6),
            Some(true)
        );
        // The fallback, reached at 300 ms, is cut at the budget with 80
        // tokens produced.
        let success_usd = 1000.0 * 1e-6 + 100.0 * 2e-6;
        let cut_usd = 1000.0 * 1e-6 + 80.0 * 2e-6;
        let cost = 0.9 * success_usd + 0.05 * cut_usd;
        assert!((r.cost_usd.per_request - cost).abs() < 1e-15 * cost / 1e-3);
    }

    /// A plan whose mixture would outgrow the walk's cap is simulated, and
    /// `methods` says so.
    #[test]
    fn a_plan_out_of_the_walk_s_reach_is_simulated() {
        let offerings: Vec<_> = (0..10)
            .map(|i| {
                let mut o = offering(&format!("o{i}"), 0.999);
                o.error_rate = 0.3;
                o.error_latency_ms = 100.0 + 7.0 * i as f64;
                o.ttft = crate::model::types::Ttft::from_percentiles(500.0, 3000.0);
                o
            })
            .collect();
        let mut p = chain(offerings);
        for (i, s) in p.routes[0].steps.iter_mut().enumerate() {
            s.attempts = 20;
            s.timeout_ms = 2000.0 + 13.0 * i as f64;
            s.backoff_ms = 1.0;
        }
        // The backoffs double to 2^18 ms: a day's budget holds them all.
        p.workload.latency_budget_ms = Some(86_400_000.0);
        let r = evaluate(&p, &quick());
        assert_eq!(r.methods.success_within_budget, Method::MonteCarlo);
        assert_eq!(r.methods.latency, Method::MonteCarlo);
        assert!(r.success_within_budget.ci95[0] < r.success_within_budget.ci95[1]);
        p.workload.latency_budget_ms = None;
        let r = evaluate(&p, &quick());
        assert_eq!(r.methods.success_within_budget, Method::Exact);
        assert_eq!(r.methods.latency, Method::MonteCarlo);
    }

    #[test]
    fn a_dead_portfolio_has_no_per_success_cost() {
        let r = evaluate(&chain(vec![offering("a", 0.0)]), &quick());
        assert_eq!(r.availability, 0.0);
        assert_eq!(r.cost_usd.per_success, None);
        assert_eq!(r.latency_ms.p50, None);
        assert_eq!(r.served_share[0].share, 0.0);
    }

    #[test]
    fn progress_counts_every_unit_and_cancel_stops() {
        let p = chain(vec![offering("a", 0.9)]);
        let progress = Progress::new();
        evaluate_with_progress(&p, &quick(), &progress).expect("not cancelled");
        let expected = 20_000 + 500 * UNITS_PER_PERIOD;
        assert_eq!(progress.position(), (expected, expected));
        let cancelled = Progress::new();
        cancelled.cancel();
        assert_eq!(
            evaluate_with_progress(&p, &quick(), &cancelled),
            Err(Cancelled)
        );
    }

    #[test]
    fn the_exact_summary_agrees_with_an_evaluation_without_a_budget() {
        let mut p = chain(vec![offering("a", 0.9), offering("b", 0.5)]);
        p.workload.fixed_monthly_usd = 100.0;
        let r = evaluate(&p, &quick());
        let s = exact_summary(&p);
        assert_eq!(s.availability, r.availability);
        assert_eq!(s.nines, r.nines);
        assert_eq!(s.cost_per_request, r.cost_usd.per_request);
        assert_eq!(s.cost_per_success, r.cost_usd.per_success);
        assert_eq!(s.monthly_usd, r.cost_usd.monthly);
        assert_eq!(s.served_share, r.served_share);
        let requests = s.requests.expect("within reach");
        assert_eq!(requests.latency_ms, r.latency_ms);
        assert_eq!(
            requests.success_within_budget,
            r.success_within_budget.value
        );
        // With a budget too: the figures shown while typing are the report's.
        p.workload.latency_budget_ms = Some(1600.0);
        let r = evaluate(&p, &quick());
        let requests = exact_summary(&p).requests.expect("within reach");
        assert_eq!(
            requests.success_within_budget,
            r.success_within_budget.value
        );
        assert_eq!(requests.cost_per_request, r.cost_usd.per_request);
        assert_eq!(requests.latency_ms, r.latency_ms);
    }

    #[test]
    fn costs_stay_finite_and_exact_at_the_largest_prices_and_volumes() {
        // The largest inputs the plan format accepts: 1e6 USD per million
        // tokens, 1e7 tokens each way, 1e15 requests a month. One request then
        // bills up to 2e7 USD per attempt and a month about 1e22 USD: far from
        // overflow, and every figure must be finite and right.
        let mut offerings = vec![offering("a", 0.9), offering("b", 0.5)];
        for o in &mut offerings {
            o.prices = Prices {
                input_per_mtok: 1e6,
                cached_input_per_mtok: 1e6,
                output_per_mtok: 1e6,
                ..Prices::default()
            };
            o.tokens_per_s = 1e4;
        }
        let mut p = chain(offerings);
        for s in &mut p.routes[0].steps {
            s.timeout_ms = 2e6;
        }
        p.workload.input_tokens = 1e7;
        p.workload.output_tokens = 1e7;
        p.workload.cached_input_share = 0.5;
        p.workload.requests_per_month = 1e15;
        p.workload.fixed_monthly_usd = 1e9;
        let per_request = 0.95 * 2e7;
        let monthly = 1e15 * per_request + 1e9;
        let close = |x: f64, y: f64| (x - y).abs() <= 1e-12 * y;

        let r = evaluate(&p, &quick());
        let c = r.cost_usd;
        assert!(close(c.per_request, per_request), "{}", c.per_request);
        assert!(close(c.per_success.expect("finite"), per_request / 0.95));
        assert!(close(c.monthly, monthly), "{}", c.monthly);
        let s = exact_summary(&p);
        assert!(close(s.monthly_usd, monthly));
        assert!(close(s.cost_per_success.expect("finite"), 2e7));

        // With a budget the cost is the walk's, and the simulation's mean,
        // interval and per-step breakdown stay finite too.
        p.workload.latency_budget_ms = Some(4e6);
        let r = evaluate(&p, &quick());
        let c = r.cost_usd;
        assert!(close(c.per_request, per_request), "{}", c.per_request);
        for x in [
            c.per_request,
            c.per_request_ci95[0],
            c.per_request_ci95[1],
            c.monthly,
        ]
        .into_iter()
        .chain(c.per_success)
        .chain(c.per_success_within_budget)
        {
            assert!(x.is_finite() && x > 0.0, "{c:?}");
        }
        assert!(c.per_request_ci95[0] <= c.per_request && c.per_request <= c.per_request_ci95[1]);
        let sim = crate::model::simulate::simulate(&p, 20_000, 1);
        assert!(sim.cost.sum.is_finite() && sim.cost.sum_sq.is_finite());
        assert!(sim.cost_by_step.iter().flatten().all(|s| {
            s.first_try_usd.is_finite() && s.retry_usd.is_finite() && s.cut_usd.is_finite()
        }));
    }

    #[test]
    fn a_cost_per_success_beyond_any_float_is_none() {
        // A plan that succeeds once in 1e310 requests but pays for every
        // attempt (a hang is cut at its timeout, billed): its cost per success
        // is beyond any float, and is reported as none, like a plan that never
        // succeeds, rather than as infinity.
        let mut p = chain(vec![offering("a", 1e-310)]);
        p.offerings[0].outage = OutageMode::Hang;
        let s = exact_summary(&p);
        assert!(s.cost_per_request > 0.0);
        assert_eq!(s.cost_per_success, None);
        assert_eq!(evaluate(&p, &quick()).cost_usd.per_success, None);
    }

    #[test]
    fn a_certain_portfolio_has_no_finite_nines() {
        let r = evaluate(&chain(vec![offering("a", 1.0)]), &quick());
        assert_eq!(r.nines, None);
    }
}
