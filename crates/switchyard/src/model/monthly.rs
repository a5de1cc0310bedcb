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
//! Traffic is a Poisson stream of the period's expected volume (uniform in time
//! on a flat day; with an hourly shape or rate limits each moment weighs by its
//! hour's traffic, [`hourly_ratio`]),
//! so the period's successes and failures are independent Poisson counts with
//! means `N r` and `N (1 - r)`. Their ratio has mean `r`: for large volumes the
//! ratio is `r` itself, for small ones the count noise shows, as it does in a real
//! month of few requests. Counts of mean above `NORMAL_COUNT_ABOVE` (1e12) are drawn
//! from the Poisson's normal limit.
//!
//! **Fast-mixing components.** The event-by-event simulation costs one state
//! change per outage, and a component with an MTTR of seconds has millions of
//! outages a month. A component expected to have more than
//! [`FAST_MIXING_OUTAGES`] outages in one period is therefore not simulated
//! event by event: over the period, each request sees it up independently, with
//! probability the period's uptime fraction `U`. `U` is drawn once per period
//! from its normal limit (the renewal-reward central limit theorem for an
//! alternating process with exponential up and down times of means `mu_up` and
//! `mu_down`, over a period of length `T`): mean `a`, standard deviation
//!
//! ```text
//! sd(U) = sqrt(2 mu_up² mu_down² / ((mu_up + mu_down)³ T)) = a (1 - a) sqrt(2 / n)
//! ```
//!
//! where `n = T / (mu_up + mu_down)` is the expected number of outages. Holding
//! `U` at `a` would drop that spread, which at the threshold (`n = 1000`) is
//! `0.045 a (1 - a)`: 4.5% of the mean downtime, up to 0.011 in absolute terms at
//! `a = 0.5`, enough to move `p5`. Drawing `U` keeps it; what is neglected is
//! (i) the skewness of `U`, of order `1 / sqrt(n)` (at most about 0.06 at the
//! threshold), which moves `p5` by at most about `0.02 sd(U)` and `p1` by at
//! most about `0.05 sd(U)` (Cornish–Fisher), and (ii) the
//! correlation, inside the period, between the fast component's state and the
//! slow components' segments, which have no correlation to begin with (the
//! processes are independent) and whose finite-window residue is of the same
//! `1 / sqrt(n)` order again. At the threshold these move the percentiles by at
//! most about 0.2% of the mean downtime, and less above it. The work per period
//! is then at most about `2 n` state changes per slow component, whatever the
//! MTTRs, and none for a fast one. docs/MODEL.md §10 has the details.

use std::collections::HashMap;

use rand::Rng;
use rand_distr::{Distribution, Exp1, Poisson, StandardNormal};
use serde::{Deserialize, Serialize};

use super::capacity;
use super::outage_process::{Outage, OutageProcess};
use super::outage_states::Part;
use super::parallel::{SimRng, fold_chunked_with_progress};
use super::progress::{Cancelled, Progress, UNITS_PER_PERIOD};
use super::stats::{Moments, percentile, wilson95};
use super::types::{
    Group, Offering, OutageMode, Portfolio, Prices, Quota, Route, Step, Traffic, Ttft, Workload,
};

#[path = "monthly_variants.rs"]
mod variants;
use variants::{Seen, Variants};

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
    pub const ALL: [Period; 2] = [Period::Month, Period::Day];

    /// The name on the command line and in JSON.
    pub fn name(self) -> &'static str {
        match self {
            Period::Month => "month",
            Period::Day => "day",
        }
    }

    /// The period named `text` (`month` or `day`).
    pub fn parse(text: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|p| p.name() == text.trim())
            .ok_or_else(|| format!("`{}` is not a period: month or day", text.trim()))
    }

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

/// The availability thresholds the backtest and `evaluate`'s exceedance
/// report: a clean period, three and four nines, and the levels SLAs name.
pub const EXCEEDANCE_THRESHOLDS: [f64; 8] = [1.0, 0.9999, 0.999, 0.998, 0.995, 0.99, 0.95, 0.9];

/// One threshold of an exceedance curve: the share of periods at or above it.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Exceedance {
    pub threshold: f64,
    pub p: f64,
}

/// The share of `availabilities` at or above each threshold.
pub fn exceedance(availabilities: &[f64], thresholds: &[f64]) -> Vec<Exceedance> {
    let n = availabilities.len().max(1) as f64;
    thresholds
        .iter()
        .map(|&threshold| Exceedance {
            threshold,
            // A hair of tolerance: 1 - 0/T is exactly 1, but a sum of
            // minutes may leave 0.99999999999 where the history says 1.
            p: availabilities
                .iter()
                .filter(|&&a| a >= threshold - 1e-12)
                .count() as f64
                / n,
        })
        .collect()
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
    /// P(period ratio ≥ t) at each of [`EXCEEDANCE_THRESHOLDS`].
    pub exceedance: Vec<Exceedance>,
}

/// Periods per parallel chunk. Fixed, so results do not depend on thread count.
const CHUNK: u64 = 256;

/// A component expected to have more outages than this in one period is
/// fast-mixing: its state is not simulated event by event (see the module
/// documentation for the approximation and its error).
pub const FAST_MIXING_OUTAGES: f64 = 1000.0;

/// Above this expected count, a period's Poisson count of requests is drawn
/// from its normal limit, `mean + sqrt(mean) z` (skewness `1 / sqrt(mean)`,
/// below 1e-6 here). `rand_distr`'s Poisson refuses means above about 1.8e19,
/// which made every figure 0 or 1 at huge volumes.
const NORMAL_COUNT_ABOVE: f64 = 1e12;

/// A group or an offering's private part: what takes it down.
#[derive(Debug, Clone, Copy)]
enum Component {
    /// Alternating exponential up and down times.
    Renewal(Renewal),
    /// A group's process fitted from its history (`MODEL.md` §11): at most a
    /// few dozen outages a period, so never fast-mixing.
    Fitted(OutageProcess),
}

impl Component {
    fn of_group(group: &Group) -> Self {
        match group.process {
            Some(process) => Component::Fitted(process),
            None => Component::Renewal(Renewal::new(group.availability, group.mttr_minutes)),
        }
    }
}

/// One alternating up/down process with exponential sojourns.
#[derive(Debug, Clone, Copy)]
struct Renewal {
    availability: f64,
    down_mean_min: f64,
    up_mean_min: f64,
}

impl Renewal {
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

    /// Expected outages in a period of `length_min`: `T / (mu_up + mu_down)`.
    fn outages_in(&self, length_min: f64) -> f64 {
        let cycle = self.up_mean_min + self.down_mean_min;
        if cycle.is_infinite() {
            0.0
        } else if cycle > 0.0 {
            length_min / cycle
        } else {
            f64::INFINITY
        }
    }

    /// Standard deviation of the uptime fraction over a period with `outages`
    /// expected outages: `a (1 - a) sqrt(2 / n)`.
    fn uptime_sd(&self, outages: f64) -> f64 {
        let a = self.availability;
        a * (1.0 - a) * (2.0 / outages).sqrt()
    }
}

/// One distinct offering of a route, by what it needs up.
#[derive(Debug)]
struct OfferingShape {
    /// Components simulated event by event.
    slow: Vec<usize>,
    /// Fast-mixing components no other offering of the route needs.
    fast_own: Vec<usize>,
    /// Bits into [`RouteShape::fast_shared`].
    fast_shared: u64,
}

/// A route's offerings with the components each one needs up.
#[derive(Debug)]
struct RouteShape {
    share: f64,
    offerings: Vec<OfferingShape>,
    /// Fast-mixing components (groups) that several offerings of the route
    /// need: one request sees one state of each, so their states are
    /// enumerated, `2^k` of them (`k` is at most the groups one route may
    /// touch, [`super::exact::MAX_GROUPS_PER_ROUTE`]).
    fast_shared: Vec<usize>,
}

struct Model {
    period: Period,
    components: Vec<Component>,
    /// Per component: the standard deviation of its period uptime fraction if
    /// it is fast-mixing, `None` if it is simulated event by event.
    fast: Vec<Option<f64>>,
    routes: Vec<RouteShape>,
    /// P(all of an offering's attempts fail | up) by hour and outage state
    /// (one table for a plan without limits).
    variants: Variants,
    /// The class of each UTC hour: hours of equal traffic reject alike.
    hour_class: [usize; 24],
    /// Each UTC hour's traffic over the mean hour's; `None` for a flat day,
    /// where time and traffic weigh alike.
    traffic: Option<[f64; 24]>,
}

/// What one chunk of periods works with, reused from period to period.
struct Scratch {
    changes: Vec<Change>,
    /// Slow components: down now.
    down: Vec<bool>,
    /// Fast components: this period's uptime fraction.
    up_share: Vec<f64>,
    /// Per route with shared fast components: P(all fail) by the set of its
    /// offerings no slow component holds down, the hour's variant and the
    /// class of requests, for this period.
    memo: Vec<HashMap<(u64, usize, usize), f64>>,
    /// Per offering of the route being evaluated: P(it fails | not held down).
    fail_alive: Vec<f64>,
    /// The fail tables met so far, by variant.
    seen: Seen,
    /// A fitted component's outages in this period.
    outages: Vec<Outage>,
    /// State changes simulated (for tests of the work done).
    events: u64,
}

impl Model {
    /// Only the groups and offerings some route uses take part. A component
    /// with more than `fast_above` expected outages in one `period` is
    /// fast-mixing.
    fn new(portfolio: &Portfolio, period: Period, fast_above: f64) -> Self {
        let length_min = period.minutes();
        let mut component_of_group = vec![None; portfolio.groups.len()];
        let mut component_of_offering = vec![None; portfolio.offerings.len()];
        let mut components = Vec::new();
        let mut parts = Vec::new();
        let mut component = |slot: &mut Option<usize>, c: Component, part: Part| {
            *slot.get_or_insert_with(|| {
                components.push(c);
                parts.push(part);
                components.len() - 1
            })
        };
        let mut needs_per_route = Vec::new();
        let mut steps_per_route = Vec::new();
        for route in &portfolio.routes {
            let mut offerings: Vec<(usize, Vec<usize>, Vec<usize>)> = Vec::new();
            for (j, step) in route.steps.iter().enumerate() {
                if let Some(entry) = offerings.iter_mut().find(|e| e.0 == step.offering) {
                    entry.2.push(j);
                    continue;
                }
                let o = &portfolio.offerings[step.offering];
                let mut needs: Vec<usize> = o
                    .groups
                    .iter()
                    .map(|&g| {
                        component(
                            &mut component_of_group[g],
                            Component::of_group(&portfolio.groups[g]),
                            Part::Group(g),
                        )
                    })
                    .collect();
                needs.push(component(
                    &mut component_of_offering[step.offering],
                    Component::Renewal(Renewal::new(
                        portfolio.private_availability(step.offering),
                        o.mttr_minutes,
                    )),
                    Part::Own(step.offering),
                ));
                offerings.push((step.offering, needs, vec![j]));
            }
            steps_per_route.push(offerings.iter().map(|e| e.2.clone()).collect());
            needs_per_route.push((route.share, offerings));
        }
        let fast: Vec<Option<f64>> = components
            .iter()
            .map(|c| match c {
                Component::Renewal(r) => {
                    let outages = r.outages_in(length_min);
                    (outages > fast_above).then(|| r.uptime_sd(outages))
                }
                Component::Fitted(_) => None,
            })
            .collect();
        let routes = needs_per_route
            .into_iter()
            .map(|(share, offerings)| {
                let users = |c: usize| offerings.iter().filter(|e| e.1.contains(&c)).count();
                let mut fast_shared: Vec<usize> = Vec::new();
                let shapes = offerings
                    .iter()
                    .map(|(_, needs, _)| {
                        let mut shape = OfferingShape {
                            slow: Vec::new(),
                            fast_own: Vec::new(),
                            fast_shared: 0,
                        };
                        for &c in needs {
                            if fast[c].is_none() {
                                shape.slow.push(c);
                            } else if users(c) == 1 {
                                shape.fast_own.push(c);
                            } else {
                                let bit = super::exact::local_index(&mut fast_shared, c);
                                debug_assert!(bit < 64);
                                shape.fast_shared |= 1 << bit;
                            }
                        }
                        shape
                    })
                    .collect();
                RouteShape {
                    share,
                    offerings: shapes,
                    fast_shared,
                }
            })
            .collect();
        let slow = parts
            .iter()
            .enumerate()
            .filter(|(c, _)| fast[*c].is_none())
            .map(|(c, &part)| (c, part))
            .collect();
        let variants = Variants::new(portfolio, steps_per_route, slow);
        Self {
            period,
            components,
            fast,
            routes,
            hour_class: variants.hour_class(),
            variants,
            traffic: {
                let shares = portfolio.workload.traffic.hourly_share;
                let flat = shares.iter().all(|&x| x == shares[0]);
                (!flat || capacity::is_limited(portfolio)).then(|| shares.map(|x| x * 24.0))
            },
        }
    }

    fn scratch(&self, portfolio: &Portfolio) -> Scratch {
        Scratch {
            seen: self.variants.seen(portfolio),
            changes: Vec::new(),
            down: vec![false; self.components.len()],
            up_share: vec![1.0; self.components.len()],
            memo: self.routes.iter().map(|_| HashMap::new()).collect(),
            fail_alive: Vec::new(),
            outages: Vec::new(),
            events: 0,
        }
    }

    /// P(a request succeeds | the slow components down in `s.down`, the fast
    /// ones up with their period's uptime fractions): the mixture over the
    /// classes of requests of the table `variant`.
    fn success_given(&self, s: &mut Scratch, variant: usize) -> f64 {
        let mut success = 0.0;
        for (r, route) in self.routes.iter().enumerate() {
            for class in 0..s.seen.tables[variant].len() {
                let (weight, fail) = self.route_fail(s, variant, class, r, route);
                success += route.share * (1.0 - fail) * weight;
            }
        }
        success
    }

    /// The weight of class `class` of table `variant`, and P(route `r`
    /// fails a request of that class).
    fn route_fail(
        &self,
        s: &mut Scratch,
        variant: usize,
        class: usize,
        r: usize,
        route: &RouteShape,
    ) -> (f64, f64) {
        let (weight, table) = &s.seen.tables[variant][class];
        // P(offering fails | no slow component holds it down), and which
        // offerings are so held.
        let mut alive = 0u64;
        let fail_alive = &mut s.fail_alive;
        fail_alive.clear();
        for (d, o) in route.offerings.iter().enumerate() {
            if o.slow.iter().any(|&c| s.down[c]) {
                fail_alive.push(1.0);
                continue;
            }
            alive |= 1u64.checked_shl(d as u32).unwrap_or(0);
            let up: f64 = o.fast_own.iter().map(|&c| s.up_share[c]).product();
            fail_alive.push(up * table[r][d] + (1.0 - up));
        }
        let fail = if route.fast_shared.is_empty() {
            fail_alive.iter().product()
        } else {
            let memoised = route.offerings.len() <= 64;
            match s.memo[r].get(&(alive, variant, class)) {
                Some(&fail) if memoised => fail,
                _ => {
                    let fail = self.fail_over_shared(route, &s.up_share, fail_alive);
                    if memoised {
                        s.memo[r].insert((alive, variant, class), fail);
                    }
                    fail
                }
            }
        };
        (*weight, fail)
    }

    /// P(every offering of `route` fails), averaged over the states of its
    /// shared fast components.
    fn fail_over_shared(&self, route: &RouteShape, up_share: &[f64], fail_alive: &[f64]) -> f64 {
        let mut fail = 0.0;
        for down in 0u64..(1u64 << route.fast_shared.len()) {
            let probability: f64 = route
                .fast_shared
                .iter()
                .enumerate()
                .map(|(j, &c)| {
                    if down >> j & 1 == 1 {
                        1.0 - up_share[c]
                    } else {
                        up_share[c]
                    }
                })
                .product();
            if probability == 0.0 {
                continue;
            }
            let all_fail: f64 = route
                .offerings
                .iter()
                .zip(fail_alive)
                .map(|(o, &f)| if o.fast_shared & down != 0 { 1.0 } else { f })
                .product();
            fail += probability * all_fail;
        }
        fail
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
    let settings = Settings {
        fast_above: FAST_MIXING_OUTAGES,
        keep_expected: false,
    };
    Ok(run_periods(portfolio, period, periods, seed, progress, settings)?.ratios)
}

/// The availability of `periods` simulated periods of `group` alone: the
/// ratios [`period_ratios`] gives for one offering that fails only when the
/// group is down, under unbounded traffic (so no count noise). The backtest
/// compares these with a group's history, through the same simulation that
/// `evaluate` runs.
pub fn group_period_ratios(group: &Group, period: Period, periods: u64, seed: u64) -> Vec<f64> {
    let only = Offering {
        id: group.id.clone(),
        availability: group.availability,
        mttr_minutes: group.mttr_minutes,
        error_rate: 0.0,
        error_latency_ms: 0.0,
        outage: OutageMode::Error,
        ttft: Ttft::from_percentiles(1.0, 1.0),
        tokens_per_s: 1.0,
        prices: Prices::default(),
        groups: vec![0],
        quota: Quota::default(),
    };
    let portfolio = Portfolio {
        offerings: vec![only],
        groups: vec![group.clone()],
        routes: vec![Route {
            name: group.id.clone(),
            share: 1.0,
            steps: vec![Step {
                offering: 0,
                attempts: 1,
                timeout_ms: f64::MAX,
                backoff_ms: 0.0,
            }],
        }],
        workload: Workload {
            requests_per_month: f64::INFINITY,
            input_tokens: 0.0,
            output_tokens: 0.0,
            cached_input_share: 0.0,
            latency_budget_ms: None,
            fixed_monthly_usd: 0.0,
            traffic: Traffic::default(),
            token_mixes: None,
        },
    };
    // A fresh `Progress` is never cancelled.
    period_ratios(&portfolio, period, periods, seed, &Progress::new()).unwrap_or_default()
}

/// How [`run_periods`] runs; tests change what [`period_ratios`] fixes.
#[derive(Debug, Clone, Copy)]
struct Settings {
    /// Components expected to have more outages per period are fast-mixing.
    fast_above: f64,
    /// Keep each period's time-weighted success probability too.
    keep_expected: bool,
}

/// What [`run_periods`] simulated.
#[derive(Debug, Default)]
struct PeriodRun {
    /// Each period's observed success ratio.
    ratios: Vec<f64>,
    /// Each period's time-weighted success probability, if kept.
    expected: Vec<f64>,
    /// State changes simulated, over all periods.
    events: u64,
}

fn run_periods(
    portfolio: &Portfolio,
    period: Period,
    periods: u64,
    seed: u64,
    progress: &Progress,
    settings: Settings,
) -> Result<PeriodRun, Cancelled> {
    let model = Model::new(portfolio, period, settings.fast_above);
    let requests = period.requests(portfolio.workload.requests_per_month);
    fold_chunked_with_progress(
        periods,
        CHUNK,
        seed,
        progress,
        UNITS_PER_PERIOD,
        PeriodRun::default(),
        |mut rng, count| {
            let mut scratch = model.scratch(portfolio);
            let mut run = PeriodRun::default();
            for _ in 0..count {
                let r = expected_ratio(&model, &mut rng, &mut scratch);
                run.ratios.push(observed_ratio(r, requests, &mut rng));
                if settings.keep_expected {
                    run.expected.push(r);
                }
            }
            run.events = scratch.events;
            run
        },
        |mut all, chunk| {
            all.ratios.extend_from_slice(&chunk.ratios);
            all.expected.extend_from_slice(&chunk.expected);
            all.events += chunk.events;
            all
        },
    )
}

/// Mean, percentiles and `p_meets` of the period ratios.
fn describe(mut ratios: Vec<f64>, target: f64, period: Period) -> MonthlyFigures {
    let mut moments = Moments::default();
    ratios.iter().for_each(|&r| moments.push(r));
    let meets = ratios.iter().filter(|&&r| r >= target).count() as u64;
    let n = ratios.len() as u64;
    let exceedance = exceedance(&ratios, &EXCEEDANCE_THRESHOLDS);
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
        exceedance,
    }
}

/// The time-weighted success probability of one simulated period.
fn expected_ratio(model: &Model, rng: &mut SimRng, s: &mut Scratch) -> f64 {
    let length_min = model.period.minutes();
    s.changes.clear();
    for memo in &mut s.memo {
        memo.clear();
    }
    for (c, comp) in model.components.iter().enumerate() {
        s.down[c] = false;
        match comp {
            Component::Renewal(renewal) => match model.fast[c] {
                Some(sd) => {
                    let z: f64 = rng.sample(StandardNormal);
                    s.up_share[c] = (renewal.availability + sd * z).clamp(0.0, 1.0);
                }
                None => renewal_changes(renewal, c, length_min, rng, s),
            },
            Component::Fitted(process) => {
                process.draw_outages(model.period, rng, &mut s.outages);
                for outage in &s.outages {
                    s.changes.push(Change {
                        at_min: outage.start_min,
                        component: c,
                        down: true,
                    });
                    s.changes.push(Change {
                        at_min: outage.end_min,
                        component: c,
                        down: false,
                    });
                }
            }
        }
    }
    s.events += s.changes.len() as u64;
    s.changes.sort_by(|a, b| a.at_min.total_cmp(&b.at_min));
    if let Some(traffic) = &model.traffic {
        return hourly_ratio(model, s, length_min, traffic);
    }
    let mut weighted = 0.0;
    let mut since = 0.0;
    let mut success = model.success_given(s, 0);
    for i in 0..s.changes.len() {
        let change = s.changes[i];
        weighted += (change.at_min - since) * success;
        since = change.at_min;
        s.down[change.component] = change.down;
        success = model.success_given(s, 0);
    }
    weighted += (length_min - since) * success;
    weighted / length_min
}

/// [`expected_ratio`] when the hour of the day matters: traffic that is
/// not flat weighs each moment by its hour's traffic (an outage at the peak
/// fails more requests), and rate limits make the chance of success depend
/// on the hour. Each segment between two state changes is cut at the hours
/// it spans; the period starts at 00:00 UTC.
fn hourly_ratio(model: &Model, s: &mut Scratch, length_min: f64, traffic: &[f64; 24]) -> f64 {
    let requests = DailyRate::new(*traffic);
    let mut by_class = vec![0.0; model.variants.classes()];
    // The successes a minute in the current state: one chance of success
    // for every hour (no limits, or one class of hours) scales the
    // requests; else each class of hours has its own.
    let mut refresh = |s: &mut Scratch| {
        let first = model.variants.first(&s.down, &mut s.seen);
        for (k, x) in by_class.iter_mut().enumerate() {
            *x = model.success_given(s, first + k);
        }
        if by_class.len() == 1 {
            Err(by_class[0])
        } else {
            Ok(DailyRate::new(std::array::from_fn(|h| {
                traffic[h] * by_class[model.hour_class[h]]
            })))
        }
    };
    let between = |successes: &Result<DailyRate, f64>, from: f64, to: f64| match successes {
        Ok(rate) => rate.between(from, to),
        Err(success) => success * requests.between(from, to),
    };
    let mut successes = refresh(s);
    let mut succeeded = 0.0;
    let mut since = 0.0;
    for i in 0..s.changes.len() {
        let change = s.changes[i];
        let until = change.at_min.min(length_min).max(since);
        succeeded += between(&successes, since, until);
        since = until;
        s.down[change.component] = change.down;
        successes = refresh(s);
    }
    succeeded += between(&successes, since, length_min);
    let requested = requests.between(0.0, length_min);
    if requested > 0.0 {
        succeeded / requested
    } else {
        0.0
    }
}

/// A rate that repeats every day and is constant within each UTC hour, and
/// its integral in constant time: whole days from the day's total, the rest
/// from prefix sums over the hours.
struct DailyRate {
    per_minute: [f64; 24],
    /// `before[h]`: the integral over the hours before `h`; `before[24]` is
    /// the whole day's.
    before: [f64; 25],
}

impl DailyRate {
    fn new(per_minute: [f64; 24]) -> Self {
        let mut before = [0.0; 25];
        for h in 0..24 {
            before[h + 1] = before[h] + per_minute[h] * 60.0;
        }
        Self { per_minute, before }
    }

    /// The integral from the period's start (00:00 UTC) to `t` minutes.
    fn to(&self, t: f64) -> f64 {
        let days = (t / 1440.0).floor();
        let within = t - days * 1440.0;
        let h = ((within / 60.0) as usize).min(23);
        days * self.before[24] + self.before[h] + (within - h as f64 * 60.0) * self.per_minute[h]
    }

    fn between(&self, from: f64, to: f64) -> f64 {
        self.to(to) - self.to(from)
    }
}

/// Starts a renewal component in its stationary state and adds its state
/// changes within the period.
fn renewal_changes(
    renewal: &Renewal,
    c: usize,
    length_min: f64,
    rng: &mut SimRng,
    s: &mut Scratch,
) {
    let mut is_down = rng.random::<f64>() >= renewal.availability;
    s.down[c] = is_down;
    let mut at = 0.0;
    loop {
        let mean = if is_down {
            renewal.down_mean_min
        } else {
            renewal.up_mean_min
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
        s.changes.push(Change {
            at_min: at,
            component: c,
            down: is_down,
        });
    }
}

/// The success ratio seen by a Poisson stream of `requests` expected requests
/// whose chance of success is `ratio`. A period without requests failed none.
/// Counts of huge means come from the normal limit ([`NORMAL_COUNT_ABOVE`]);
/// at volumes beyond any count a float holds, the ratio is its limit, `ratio`.
fn observed_ratio(ratio: f64, requests: f64, rng: &mut SimRng) -> f64 {
    if !requests.is_finite() {
        return ratio;
    }
    let count = |mean: f64, rng: &mut SimRng| -> f64 {
        if mean > NORMAL_COUNT_ABOVE {
            let z: f64 = rng.sample(StandardNormal);
            return (mean + mean.sqrt() * z).max(0.0);
        }
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
