//! `monthly_availability` (`MODEL.md` §3): the distribution of one period's request
//! success ratio under an outage renewal process.
//!
//! Every group, and every offering's private part, alternates up and down periods,
//! both exponential: down with mean `mttr`, up with mean `mttr * a / (1 - a)`, so
//! the long-run uptime is `a`. A period starts in the stationary state (up with
//! probability `a`; the exponential's lack of memory makes the first sojourn the
//! same distribution as any other). Between two state changes the chance that a
//! request succeeds is a constant that the closed form gives, so the period's
//! expected ratio is a time-weighted sum over the few segments of the period.
//!
//! Traffic is a Poisson stream, uniform in time, of the period's expected volume,
//! so the period's successes and failures are independent Poisson counts with
//! means `N r` and `N (1 - r)`. Their ratio has mean `r`: for large volumes the
//! ratio is `r` itself, for small ones the count noise shows, as it does in a real
//! month of few requests.

use rand::Rng;
use rand_distr::{Distribution, Exp1, Poisson};
use serde::{Deserialize, Serialize};

use super::attempt::profiles;
use super::parallel::{SimRng, run_chunked_with_progress};
use super::progress::{Cancelled, Progress, UNITS_PER_PERIOD};
use super::stats::{Moments, percentile, wilson95};
use super::types::Portfolio;

/// The calendar period whose success ratio is described.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Period {
    /// 30 days.
    #[default]
    Month,
    Day,
}

impl Period {
    pub fn minutes(self) -> f64 {
        match self {
            Period::Month => 30.0 * 24.0 * 60.0,
            Period::Day => 24.0 * 60.0,
        }
    }

    /// Expected requests in one period.
    pub fn requests(self, requests_per_month: f64) -> f64 {
        match self {
            Period::Month => requests_per_month,
            Period::Day => requests_per_month / 30.0,
        }
    }
}

/// The distribution of the period success ratio.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MonthlyFigures {
    pub mean: f64,
    pub p1: f64,
    pub p5: f64,
    pub p50: f64,
    /// P(period ratio >= target).
    pub p_meets: f64,
    pub p_meets_ci95: [f64; 2],
    pub target: f64,
    /// Standard error of `mean`, for checking it against the exact availability.
    pub mean_std_error: f64,
    pub period: Period,
    pub periods: u64,
}

/// Periods per parallel chunk. Fixed, so results do not depend on thread count.
const CHUNK: u64 = 256;

/// One alternating up/down process: a group or an offering's private part.
#[derive(Debug, Clone, Copy)]
struct Component {
    availability: f64,
    down_mean_min: f64,
    up_mean_min: f64,
}

impl Component {
    fn new(availability: f64, mttr_minutes: f64) -> Self {
        let up_mean_min = if availability >= 1.0 {
            f64::INFINITY
        } else {
            mttr_minutes * availability / (1.0 - availability)
        };
        Self {
            availability,
            down_mean_min: mttr_minutes,
            up_mean_min,
        }
    }
}

/// A route's offerings with the components each one needs up.
struct RouteShape {
    share: f64,
    /// Per distinct offering: the components it needs, and P(all its attempts fail | up).
    offerings: Vec<(Vec<usize>, f64)>,
}

struct Model {
    components: Vec<Component>,
    routes: Vec<RouteShape>,
}

impl Model {
    /// Only the groups and offerings some route uses take part.
    fn new(portfolio: &Portfolio) -> Self {
        let profiles = profiles(portfolio);
        let mut component_of_group = vec![None; portfolio.groups.len()];
        let mut component_of_offering = vec![None; portfolio.offerings.len()];
        let mut components = Vec::new();
        let mut component = |slot: &mut Option<usize>, c: Component| {
            *slot.get_or_insert_with(|| {
                components.push(c);
                components.len() - 1
            })
        };
        let mut routes = Vec::new();
        for (r, route) in portfolio.routes.iter().enumerate() {
            let mut offerings: Vec<(usize, Vec<usize>, f64)> = Vec::new();
            for (step, profile) in route.steps.iter().zip(&profiles[r]) {
                let fail = (1.0 - profile.success_if_up).powi(step.attempts as i32);
                if let Some(entry) = offerings.iter_mut().find(|e| e.0 == step.offering) {
                    entry.2 *= fail;
                    continue;
                }
                let o = &portfolio.offerings[step.offering];
                let mut needs: Vec<usize> = o
                    .groups
                    .iter()
                    .map(|&g| {
                        let group = &portfolio.groups[g];
                        component(
                            &mut component_of_group[g],
                            Component::new(group.availability, group.mttr_minutes),
                        )
                    })
                    .collect();
                needs.push(component(
                    &mut component_of_offering[step.offering],
                    Component::new(
                        portfolio.private_availability(step.offering),
                        o.mttr_minutes,
                    ),
                ));
                offerings.push((step.offering, needs, fail));
            }
            routes.push(RouteShape {
                share: route.share,
                offerings: offerings.into_iter().map(|(_, n, f)| (n, f)).collect(),
            });
        }
        Self { components, routes }
    }

    /// P(a request succeeds | these components are down).
    fn success_given(&self, down: &[bool]) -> f64 {
        self.routes
            .iter()
            .map(|route| {
                let fail: f64 = route
                    .offerings
                    .iter()
                    .map(|(needs, fail_if_up)| {
                        if needs.iter().any(|&c| down[c]) {
                            1.0
                        } else {
                            *fail_if_up
                        }
                    })
                    .product();
                route.share * (1.0 - fail)
            })
            .sum()
    }
}

/// A state change of one component at a time within the period.
#[derive(Debug, Clone, Copy)]
struct Change {
    at_min: f64,
    component: usize,
    down: bool,
}

/// Simulates `periods` periods and describes their success ratios.
pub fn monthly(
    portfolio: &Portfolio,
    period: Period,
    periods: u64,
    target: f64,
    seed: u64,
) -> MonthlyFigures {
    // A fresh `Progress` is never cancelled.
    monthly_with_progress(portfolio, period, periods, target, seed, &Progress::new())
        .unwrap_or_else(|Cancelled| describe(Vec::new(), target, period))
}

/// [`monthly`], [`UNITS_PER_PERIOD`] progress units per period, stopping when
/// cancelled.
pub fn monthly_with_progress(
    portfolio: &Portfolio,
    period: Period,
    periods: u64,
    target: f64,
    seed: u64,
    progress: &Progress,
) -> Result<MonthlyFigures, Cancelled> {
    let ratios = period_ratios(portfolio, period, periods, seed, progress)?;
    Ok(describe(ratios, target, period))
}

/// The success ratio of each simulated period, in simulation order (for charts
/// of the distribution). Same seed, same ratios as [`monthly`] describes.
pub fn period_ratios(
    portfolio: &Portfolio,
    period: Period,
    periods: u64,
    seed: u64,
    progress: &Progress,
) -> Result<Vec<f64>, Cancelled> {
    let model = Model::new(portfolio);
    let requests = period.requests(portfolio.workload.requests_per_month);
    let chunks = run_chunked_with_progress(
        periods,
        CHUNK,
        seed,
        progress,
        UNITS_PER_PERIOD,
        |mut rng, count| {
            let mut changes = Vec::new();
            let mut down = vec![false; model.components.len()];
            (0..count)
                .map(|_| {
                    let r =
                        expected_ratio(&model, period.minutes(), &mut rng, &mut changes, &mut down);
                    observed_ratio(r, requests, &mut rng)
                })
                .collect::<Vec<f64>>()
        },
    )?;
    Ok(chunks.into_iter().flatten().collect())
}

/// Mean, percentiles and `p_meets` of the period ratios.
fn describe(mut ratios: Vec<f64>, target: f64, period: Period) -> MonthlyFigures {
    let mut moments = Moments::default();
    ratios.iter().for_each(|&r| moments.push(r));
    let meets = ratios.iter().filter(|&&r| r >= target).count() as u64;
    let n = ratios.len() as u64;
    let mut pct = |q| percentile(&mut ratios, q).unwrap_or(f64::NAN);
    MonthlyFigures {
        mean: moments.mean(),
        p1: pct(0.01),
        p5: pct(0.05),
        p50: pct(0.50),
        p_meets: if n == 0 { 0.0 } else { meets as f64 / n as f64 },
        p_meets_ci95: wilson95(meets, n),
        target,
        mean_std_error: moments.std_error(),
        period,
        periods: n,
    }
}

/// The time-weighted success probability of one simulated period.
fn expected_ratio(
    model: &Model,
    length_min: f64,
    rng: &mut SimRng,
    changes: &mut Vec<Change>,
    down: &mut [bool],
) -> f64 {
    changes.clear();
    for (c, comp) in model.components.iter().enumerate() {
        let mut is_down = rng.random::<f64>() >= comp.availability;
        down[c] = is_down;
        let mut at = 0.0;
        loop {
            let mean = if is_down {
                comp.down_mean_min
            } else {
                comp.up_mean_min
            };
            if mean.is_infinite() {
                break;
            }
            let sojourn: f64 = Exp1.sample(rng);
            at += sojourn * mean;
            if at >= length_min {
                break;
            }
            is_down = !is_down;
            changes.push(Change {
                at_min: at,
                component: c,
                down: is_down,
            });
        }
    }
    changes.sort_by(|a, b| a.at_min.total_cmp(&b.at_min));
    let mut weighted = 0.0;
    let mut since = 0.0;
    let mut success = model.success_given(down);
    for change in changes.iter() {
        weighted += (change.at_min - since) * success;
        since = change.at_min;
        down[change.component] = change.down;
        success = model.success_given(down);
    }
    weighted += (length_min - since) * success;
    weighted / length_min
}

/// The success ratio seen by a Poisson stream of `requests` expected requests
/// whose chance of success is `ratio`. A period without requests failed none.
fn observed_ratio(ratio: f64, requests: f64, rng: &mut SimRng) -> f64 {
    let count = |mean: f64, rng: &mut SimRng| -> f64 {
        match Poisson::new(mean) {
            Ok(poisson) => poisson.sample(rng),
            Err(_) => 0.0,
        }
    };
    let successes = count(requests * ratio, rng);
    let failures = count(requests * (1.0 - ratio), rng);
    if successes + failures == 0.0 {
        1.0
    } else {
        successes / (successes + failures)
    }
}

#[cfg(test)]
#[path = "monthly_tests.rs"]
mod tests;
