//! Exact figures under a latency budget (`MODEL.md` §3.10): success within
//! the budget, the latency of successful requests (its CDF and percentiles),
//! the cost per request with cut attempts billed, and the served shares.
//!
//! [`walk`] follows one route for one class of requests; this module mixes
//! the routes by share and the classes by weight, and under rate limits the
//! hours of the day by their traffic, as `evaluate` simulates them. Without
//! a budget the same walk gives the closed forms of [`super::exact`] (to
//! rounding) and the latency mixture besides.

pub mod mixture;
pub mod walk;

pub use mixture::{LatencyMixture, REL_TOL};
pub use walk::{RouteWalk, Term};

use super::attempt::class_profiles;
use super::types::Portfolio;

/// The most terms (and elapsed times) a whole mixture may hold. A plan within
/// the format's ranges stays far below it unless its routes are long chains
/// of many retries; past it the figures are simulated, and `methods` says
/// so. At the cap a percentile takes a few milliseconds.
pub const MAX_TERMS: usize = 1 << 17;

/// The exact figures of a portfolio under its budget.
#[derive(Debug, Clone, PartialEq)]
pub struct BudgetFigures {
    /// P(success within the budget).
    pub success: f64,
    /// `1 - success`, summed from the failures.
    pub failure: f64,
    /// E[billed USD per request].
    pub cost_per_request: f64,
    /// Per route and step, P(a request takes that route and succeeds at that
    /// step within the budget).
    pub served: Vec<Vec<f64>>,
    /// The latency of successful requests.
    pub latency: LatencyMixture,
    /// P(a request is still running after its route's last step, within the
    /// budget): what a further step could still serve.
    pub alive: f64,
    /// The earliest time such a request is still running (infinite: none).
    pub earliest_alive_ms: f64,
}

impl BudgetFigures {
    /// p50, p95 and p99 of successful requests' latency.
    pub fn percentiles(&self) -> [Option<f64>; 3] {
        self.latency.percentiles([0.50, 0.95, 0.99])
    }

    /// A floor under the `q` quantile of the latency of every route that
    /// starts with these figures' (one route) and adds steps: `+∞` counts
    /// as "nothing succeeds".
    ///
    /// A further step adds at most `alive` successes, all after
    /// `earliest_alive_ms` (call it `m`). With `S` the successes and `F`
    /// their CDF, the extended CDF is at most `S F(t) / (S + X)` before `m`
    /// and at most `(S F(t) + X) / (S + X)` after, for the `X <= alive` it
    /// adds; so its quantile is at least `min(Q(q), max(m, Q(q - (1 - q)
    /// alive / S)))`, `Q` being these figures' quantile. The search prunes
    /// a prefix with it (`MODEL.md` §5).
    pub fn extension_quantile_floor(&self, q: f64) -> f64 {
        self.extension_quantile_floor_given(q, self.latency.percentile(q))
    }

    /// [`Self::extension_quantile_floor`] given this route's own `q`
    /// quantile (`own`, as [`LatencyMixture::percentile`] returns it), which
    /// the caller has already.
    pub fn extension_quantile_floor_given(&self, q: f64, own: Option<f64>) -> f64 {
        let total = self.latency.total();
        let m = self.earliest_alive_ms;
        if total <= 0.0 {
            return m;
        }
        let own = own.map_or(f64::INFINITY, |p| p * (1.0 - REL_TOL));
        let level = q - (1.0 - q) * self.alive / total;
        let lower = if level <= 0.0 {
            0.0
        } else {
            self.latency.percentile(level).unwrap_or(0.0) * (1.0 - REL_TOL)
        };
        own.min(m.max(lower))
    }

    /// A ceiling over the success within the budget of every extension of
    /// this route: its own, and every request still running.
    pub fn extension_success_ceiling(&self) -> f64 {
        self.success + self.alive
    }
}

impl BudgetFigures {
    /// Figures of routes with these step counts before any walk is added.
    pub(crate) fn nothing_yet(route_steps: Vec<usize>) -> Self {
        Self {
            success: 0.0,
            failure: 0.0,
            cost_per_request: 0.0,
            served: route_steps.into_iter().map(|n| vec![0.0; n]).collect(),
            latency: LatencyMixture::default(),
            alive: 0.0,
            earliest_alive_ms: f64::INFINITY,
        }
    }

    /// Adds the walk of route `route` at weight `w` (a stratum's, a route's
    /// share and a class's, multiplied), its mixture terms to `terms`, which
    /// become [`Self::latency`] once every walk is in. False once `terms`
    /// passes [`MAX_TERMS`]: the figures are then out of the walk's reach.
    pub(crate) fn add_walk(
        &mut self,
        terms: &mut Vec<Term>,
        route: usize,
        w: f64,
        walked: walk::RouteWalk,
    ) -> bool {
        self.success += w * walked.success;
        self.failure += w * walked.failure;
        self.cost_per_request += w * walked.cost;
        self.alive += w * walked.alive;
        if walked.alive > 0.0 {
            self.earliest_alive_ms = self.earliest_alive_ms.min(walked.earliest_alive_ms);
        }
        if let Some(served) = self.served.get_mut(route) {
            for (sum, s) in served.iter_mut().zip(&walked.served) {
                *sum += w * s;
            }
        }
        terms.extend(walked.terms.into_iter().map(|t| Term {
            weight: w * t.weight,
            mass: w * t.mass,
            ..t
        }));
        terms.len() <= MAX_TERMS
    }
}

/// The exact figures of `portfolio` under its workload's budget (none: no
/// deadline); `None` when the mixture would exceed [`MAX_TERMS`].
pub fn figures(portfolio: &Portfolio) -> Option<BudgetFigures> {
    strata_figures(&[(1.0, portfolio)])
}

/// The figures of several portfolios mixed by weight: the hours of a day
/// under rate limits, each with its rejections ([`super::capacity::strata`]),
/// which all share one plan's routes.
pub fn strata_figures(strata: &[(f64, &Portfolio)]) -> Option<BudgetFigures> {
    let first = strata.first()?.1;
    let mut out = BudgetFigures::nothing_yet(first.routes.iter().map(|r| r.steps.len()).collect());
    let mut terms = Vec::new();
    for &(stratum_weight, portfolio) in strata {
        let budget = portfolio
            .workload
            .latency_budget_ms
            .unwrap_or(f64::INFINITY);
        let classes = class_profiles(portfolio);
        for (r, route) in portfolio.routes.iter().enumerate() {
            for class in &classes {
                let w = stratum_weight * route.share * class.weight;
                if w <= 0.0 {
                    continue;
                }
                let left = MAX_TERMS.saturating_sub(terms.len());
                let walked = walk::walk(portfolio, r, &class.routes[r], budget, left)?;
                if !out.add_walk(&mut terms, r, w, walked) {
                    return None;
                }
            }
        }
    }
    out.latency = LatencyMixture::new(terms);
    Some(out)
}

#[cfg(test)]
#[path = "latency_tests.rs"]
mod tests;
