//! What a gateway's failure handling costs during an outage of each upstream
//! step (`MODEL.md` §13): `evaluate --as litellm|portkey --json`'s
//! `during_outage`, and the figures the lint quotes.
//!
//! For each step with a later step to fall back to, the route is evaluated
//! twice by the exact walk, with the step's offering down: once as it is
//! (the request pays the step's failed attempts) and once with the step
//! skipped (an instant failure, no attempt billed, as a cooled-down step
//! is). The outage window's timeline ([`crate::model::outage_window`]) gives the
//! share of requests that pay, and the two are mixed by it.

use serde::Serialize;

use crate::model::latency::{self, BudgetFigures};
use crate::model::outage_states::{self, Part};
use crate::model::outage_window::{self, Breaker, Traffic};
use crate::model::{OutageMode, Portfolio};

use super::Format;

/// Seconds in the model's 30-day month.
pub const MONTH_S: f64 = 30.0 * 86_400.0;

/// One upstream step's outage, as the gateway runs it.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DuringOutage {
    pub route: String,
    /// 0-based, as in `served_share`.
    pub step: usize,
    pub offering: String,
    /// Failed attempts on the step per request that reaches it, over one
    /// outage of the offering's mean length.
    pub attempts_per_request: f64,
    /// The successful requests' latency during the outage over the same
    /// requests with the step skipped outright: what the failed attempts add.
    pub added_latency_ms: AddedLatency,
    /// Expected billed USD per request of the route during the outage.
    pub cost_per_request: f64,
    /// The share of requests reaching the step that pay its failed attempts
    /// (1: the gateway never takes the step out).
    pub paying_share: f64,
    /// The longest the step can stay skipped after it is back (s).
    pub return_to_primary_max_s: f64,
    /// How long the step stays skipped after an outage of exactly the MTTR
    /// ends, on the window's timeline (s): what a scheduled outage shows.
    pub return_to_primary_s: f64,
    /// The outage length the window assumes: the offering's MTTR (min).
    pub outage_minutes: f64,
    /// Requests a second that reach the step during the outage.
    pub rate_per_s: f64,
    /// Whether the gateway takes the step out at all during such an outage.
    pub trips: bool,
    /// The cooldown `MODEL.md` §13 derives from these figures (s).
    pub recommended_cooldown_s: f64,
    /// Whether a breaker with the gateway's failures to trip (the plan's, else
    /// its default) and the recommended cooldown would take the step out
    /// during such an outage: thin traffic never trips one. For the lint.
    #[serde(skip)]
    pub recommended_trips: bool,
    pub monthly: OutagesInAMonth,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct AddedLatency {
    pub p50: Option<f64>,
    pub p95: Option<f64>,
}

/// The outage weighted by how often it happens: the offering's own downtime.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct OutagesInAMonth {
    /// The share of the month the offering is down on its own.
    pub outage_share: f64,
    /// Its outages a 30-day month: `outage_share × 43,200 / MTTR`.
    pub outages: f64,
    /// Failed attempts on the step a month, over all its outages.
    pub failed_attempts: f64,
}

/// Every upstream step of every route of `portfolio` (the gateway's own),
/// under `breaker`. Steps whose walk would pass the exact cap are left out.
pub fn figures(
    portfolio: &Portfolio,
    format: Format,
    breaker: Option<Breaker>,
) -> Vec<DuringOutage> {
    let counts_attempts = super::breaker::defaults(format).is_some_and(|d| d.counts_attempts);
    let mut out = Vec::new();
    for (r, route) in portfolio.routes.iter().enumerate() {
        for j in 0..route.steps.len().saturating_sub(1) {
            if let Some(f) = step(portfolio, r, j, format, counts_attempts, breaker) {
                out.push(f);
            }
        }
    }
    out
}

fn step(
    portfolio: &Portfolio,
    r: usize,
    j: usize,
    format: Format,
    counts_attempts: bool,
    breaker: Option<Breaker>,
) -> Option<DuringOutage> {
    let route = &portfolio.routes[r];
    let s = &route.steps[j];
    let o = s.offering;
    let offering = &portfolio.offerings[o];
    let mut alone = portfolio.clone();
    alone.routes = vec![route.clone()];
    alone.routes[0].share = 1.0;
    let down = outage_states::given(&alone, &[(Part::Own(o), false)]);
    let skip = skipped(&down, j);
    let reach = {
        let f = latency::figures(&down)?;
        1.0 - f.served[0][..j].iter().sum::<f64>()
    };
    let rate = portfolio.workload.requests_per_month * route.share / MONTH_S * reach;
    let fail_ms = match offering.outage {
        OutageMode::Error => offering.error_latency_ms.min(s.timeout_ms),
        OutageMode::Hang => s.timeout_ms,
    };
    let lag_ms: f64 = (0..s.attempts)
        .map(|i| s.backoff_before(i) + fail_ms)
        .sum::<f64>();
    let traffic = Traffic {
        rate_per_s: rate,
        failures_per_request: if counts_attempts { s.attempts } else { 1 },
        lag_s: lag_ms / 1000.0,
    };
    let outage_s = offering.mttr_minutes * 60.0;
    let window = outage_window::timeline(outage_s, traffic, breaker);
    let recommended = recommended_cooldown_s(format, breaker, traffic, outage_s);
    let recommended_trips = super::breaker::defaults(format).is_some_and(|d| {
        let b = Breaker {
            failures_to_trip: breaker.map_or(d.failures_to_trip, |b| b.failures_to_trip),
            cooldown_s: recommended,
            open_from: d.open_from,
        };
        outage_window::timeline(outage_s, traffic, Some(b))
            .cycle
            .is_some()
    });
    let pay = window.paying_share;
    let mixed = latency::strata_figures(&[(pay, &down), (1.0 - pay, &skip)])?;
    let skipped = latency::figures(&skip)?;
    let outage_share = 1.0 - portfolio.private_availability(o);
    let attempts_per_request = pay * f64::from(s.attempts);
    Some(DuringOutage {
        route: route.name.clone(),
        step: j,
        offering: offering.id.clone(),
        attempts_per_request,
        added_latency_ms: added(&mixed, &skipped),
        cost_per_request: mixed.cost_per_request,
        paying_share: pay,
        return_to_primary_max_s: window.return_after_max_s,
        return_to_primary_s: window.return_after_s,
        outage_minutes: offering.mttr_minutes,
        rate_per_s: rate,
        trips: window.cycle.is_some(),
        recommended_cooldown_s: recommended,
        recommended_trips,
        monthly: OutagesInAMonth {
            outage_share,
            outages: outage_share * 43_200.0 / offering.mttr_minutes,
            failed_attempts: portfolio.workload.requests_per_month
                * route.share
                * outage_share
                * reach
                * attempts_per_request,
        },
    })
}

/// `down` with step `j` skipped: an offering of its own that refuses at once,
/// tried once and billed nothing, as a step the gateway has taken out.
fn skipped(down: &Portfolio, j: usize) -> Portfolio {
    let mut skip = down.clone();
    let mut out = skip.offerings[down.routes[0].steps[j].offering].clone();
    out.availability = 0.0;
    out.outage = OutageMode::Error;
    out.error_latency_ms = 0.0;
    out.groups.clear();
    skip.offerings.push(out);
    let step = &mut skip.routes[0].steps[j];
    step.offering = skip.offerings.len() - 1;
    step.attempts = 1;
    skip
}

fn added(mixed: &BudgetFigures, skipped: &BudgetFigures) -> AddedLatency {
    let [m50, m95, _] = mixed.percentiles();
    let [s50, s95, _] = skipped.percentiles();
    let diff = |a: Option<f64>, b: Option<f64>| Some(a? - b?);
    AddedLatency {
        p50: diff(m50, s50),
        p95: diff(m95, s95),
    }
}

/// The cooldown that keeps the requests paying during an outage to about 1%
/// (`n / (λ C)` ≤ 0.01, `n` the requests a trip takes) without keeping the
/// step out, on average, for more than an eighth of an outage once it is back
/// (`C ≤ MTTR / 4`: an outage ends at a uniform point of an open period, so
/// the mean wait is `C / 2`); the upper bound wins when traffic is too thin
/// for both, and the gateway's minimum is kept.
pub fn recommended_cooldown_s(
    format: Format,
    breaker: Option<Breaker>,
    traffic: Traffic,
    outage_s: f64,
) -> f64 {
    let Some(d) = super::breaker::defaults(format) else {
        return 0.0;
    };
    let k = breaker.map_or(d.failures_to_trip, |b| b.failures_to_trip);
    let n = f64::from(k.div_ceil(traffic.failures_per_request.max(1)));
    let enough = if traffic.rate_per_s > 0.0 {
        100.0 * n / traffic.rate_per_s
    } else {
        f64::INFINITY
    };
    enough.min(outage_s / 4.0).max(d.min_cooldown_s)
}

#[cfg(test)]
mod tests {
    use super::super::semantics::gateway_run;
    use super::super::testkit::{pair_plan, resolved_from};
    use super::*;
    use crate::export::lint_breaker::NOTABLE_ADDED_MS;
    use crate::plan::GatewaySpec;

    fn run(gateway: Option<GatewaySpec>, format: Format) -> DuringOutage {
        let mut plan = pair_plan();
        plan.gateway = gateway;
        let resolved = resolved_from(&plan);
        let run = gateway_run(&resolved, format).expect("exportable");
        assert_eq!(run.during_outage.len(), 1, "one upstream step");
        run.during_outage[0].clone()
    }

    /// LiteLLM's default never takes the lone primary out: every request pays
    /// both its attempts, and the latency they add is positive.
    #[test]
    fn without_a_cooldown_every_request_pays_every_attempt() {
        let d = run(None, Format::Litellm);
        assert_eq!(d.paying_share, 1.0);
        assert_eq!(d.attempts_per_request, 2.0);
        assert!(!d.trips);
        assert!(d.added_latency_ms.p50.expect("succeeds") > 0.0);
    }

    /// A cooldown takes most requests off the failed attempts: fewer attempts,
    /// less added latency than without one.
    #[test]
    fn a_cooldown_cuts_the_attempts_and_the_added_latency() {
        let without = run(None, Format::Litellm);
        let with = run(
            Some(GatewaySpec {
                failures_to_trip: Some(2),
                cooldown_s: Some(60.0),
                window_s: None,
            }),
            Format::Litellm,
        );
        assert!(with.paying_share < without.paying_share, "{with:?}");
        assert!(with.attempts_per_request < without.attempts_per_request);
        assert!(
            with.added_latency_ms.p95.expect("succeeds")
                <= without.added_latency_ms.p95.expect("succeeds")
        );
    }

    /// Portkey's open-source gateway runs no breaker: with `[gateway]` set,
    /// `--as portkey` still has every request pay, the lint warns that the
    /// exported `cb_config` works only on the hosted gateway, and says no
    /// cooldown is taking the step out.
    #[test]
    fn portkey_predicts_no_breaker_whatever_the_plan_says() {
        let spec = GatewaySpec {
            failures_to_trip: Some(2),
            cooldown_s: Some(60.0),
            window_s: None,
        };
        let d = run(Some(spec.clone()), Format::Portkey);
        assert_eq!((d.paying_share, d.trips), (1.0, false), "{d:?}");
        assert_eq!(d.return_to_primary_s, 0.0);
        let mut plan = pair_plan();
        plan.gateway = Some(spec);
        let run = gateway_run(&resolved_from(&plan), Format::Portkey).expect("exportable");
        let codes: Vec<&str> = run.differences.iter().map(|f| f.code).collect();
        assert!(codes.contains(&"portkey-breaker-hosted-only"), "{codes:?}");
        assert!(codes.contains(&"gateway-no-cooldown"), "{codes:?}");
        assert!(!codes.contains(&"cooldown-recommended"), "{codes:?}");
    }

    fn no_cooldown_steps(plan: &crate::plan::PlanFile, format: Format) -> Vec<Option<usize>> {
        let run = gateway_run(&resolved_from(plan), format).expect("exportable");
        run.differences
            .iter()
            .filter(|f| f.code == "gateway-no-cooldown")
            .map(|f| f.step)
            .collect()
    }

    /// The pair's primary pays 2 attempts of 300 ms and the gateway's wait
    /// between them (LiteLLM 500 ms: +1.1 s; Portkey 1 s: +1.6 s) at 0.39
    /// requests a second: worth saying, on the primary only.
    #[test]
    fn no_cooldown_is_said_where_the_failed_attempts_cost_a_second() {
        for format in [Format::Litellm, Format::Portkey] {
            assert_eq!(
                no_cooldown_steps(&pair_plan(), format),
                [Some(0)],
                "{format}"
            );
        }
    }

    /// One fast failed attempt (300 ms) is what the plan's own figures assume
    /// and costs little; traffic too thin for any breaker to trip cannot be
    /// helped by one. Neither is worth a finding.
    #[test]
    fn no_cooldown_is_not_said_for_a_cheap_failure_or_thin_traffic() {
        let mut cheap = pair_plan();
        cheap.routes[0].steps[0].attempts = Some(1);
        cheap.routes[0].steps[0].backoff_ms = None;
        let d = {
            let resolved = resolved_from(&cheap);
            gateway_run(&resolved, Format::Litellm)
                .expect("exportable")
                .during_outage[0]
                .clone()
        };
        assert!(
            d.added_latency_ms.p95.expect("succeeds") < NOTABLE_ADDED_MS,
            "{d:?}"
        );
        assert!(d.recommended_trips);
        for format in [Format::Litellm, Format::Portkey] {
            assert!(no_cooldown_steps(&cheap, format).is_empty(), "{format}");
        }
        // 300 requests a month: one every 2.4 hours, never two in an outage.
        let mut thin = pair_plan();
        thin.workload.requests_per_month = 300.0;
        let d = run_plan(&thin, Format::Litellm);
        assert!(!d.recommended_trips, "{d:?}");
        assert!(d.added_latency_ms.p95.expect("succeeds") >= NOTABLE_ADDED_MS);
        for format in [Format::Litellm, Format::Portkey] {
            assert!(no_cooldown_steps(&thin, format).is_empty(), "{format}");
        }
    }

    fn run_plan(plan: &crate::plan::PlanFile, format: Format) -> DuringOutage {
        let resolved = resolved_from(plan);
        gateway_run(&resolved, format)
            .expect("exportable")
            .during_outage[0]
            .clone()
    }
}
