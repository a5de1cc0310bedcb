use super::*;
use crate::model::testkit::*;
use crate::model::types::{Portfolio, Traffic};

/// Requests a month that make `per_minute` requests a minute on a flat day.
fn monthly_for(per_minute: f64) -> f64 {
    per_minute * Period::Month.minutes()
}

fn close(a: f64, b: f64, tolerance: f64) -> bool {
    (a - b).abs() <= tolerance
}

#[test]
fn the_poisson_overflow_matches_a_hand_sum() {
    // m = 2, L = 1: the window admits one request when any comes, so the
    // rejected share is (2 - P(X >= 1)) / 2.
    let expected = (2.0 - (1.0 - (-2.0f64).exp())) / 2.0;
    assert!(close(rejected_share(2.0, 1.0), expected, 1e-12));
    assert!(
        close(rejected_share(2.0, 1.9), expected, 1e-12),
        "a window admits whole requests"
    );
    // Against the defining sum E[(X - L)+] / m, term by term.
    for (m, l) in [(90.0f64, 100.0), (100.0, 100.0), (150.0, 100.0), (3.5, 2.0)] {
        let mut p = (-m).exp();
        let mut excess = 0.0;
        for k in 0..2_000u32 {
            if k > 0 {
                p *= m / f64::from(k);
            }
            excess += (f64::from(k) - l).max(0.0) * p;
        }
        assert!(
            close(rejected_share(m, l), excess / m, 1e-10),
            "m {m}, L {l}"
        );
    }
    assert_eq!(rejected_share(0.0, 10.0), 0.0);
    assert_eq!(
        rejected_share(5.0, 0.5),
        1.0,
        "a limit under one request admits none"
    );
    // Far above the limit, the fluid share 1 - L/m.
    assert!(close(rejected_share(1e6, 5e5), 0.5, 1e-3));
}

#[test]
fn the_tightest_limit_binds_in_requests_a_minute() {
    let w = workload(); // 1,000 input and 100 output tokens a request
    let quota = Quota {
        rpm: Some(500.0),
        input_tpm: Some(200_000.0),
        output_tpm: Some(60_000.0),
    };
    assert_eq!(quota.binding(&w), Some((BindingLimit::InputTpm, 200.0)));
    let loose = Quota {
        input_tpm: Some(1e9),
        ..quota
    };
    assert_eq!(loose.binding(&w), Some((BindingLimit::Rpm, 500.0)));
    assert_eq!(Quota::default().binding(&w), None);
}

#[test]
fn one_step_whose_limit_is_below_the_peak() {
    // Two requests a minute against one a minute, one attempt: the share
    // rejected is (2 - (1 - e^-2)) / 2 = 0.5677, and every rejection is a
    // failed request.
    let mut p = chain(vec![offering("a", 1.0)]);
    p.offerings[0].quota.rpm = Some(1.0);
    p.workload.requests_per_month = monthly_for(2.0);
    let a = analyse(&p);
    let q = (2.0 - (1.0 - (-2.0f64).exp())) / 2.0;
    let step = &a.steps[0];
    assert!(close(step.rejected_share_peak, q, 1e-12));
    assert!(close(step.rejected_share_day, q, 1e-12));
    assert!(close(step.offered_rpm_peak, 2.0, 1e-12));
    assert_eq!(step.binding_limit, Some(BindingLimit::Rpm));
    assert!(close(step.headroom_peak.expect("limited"), -1.0, 1e-12));
    assert!(close(a.availability_at_peak, 1.0 - q, 1e-12));
    assert!(close(a.day.availability, 1.0 - q, 1e-12));
    // A rejection is billed nothing: only the admitted requests pay.
    let bill = 1000.0 * 1e-6 + 100.0 * 2e-6;
    assert!(close(a.day.cost_per_request, (1.0 - q) * bill, 1e-15));
    assert_eq!(step.rejected_share_upstream_outage, None);
}

#[test]
fn a_retry_adds_load_and_the_fixed_point_holds_it() {
    // Two attempts on one step: the load is m (1 + q), and q is the overflow
    // of that load. Solved here by bisection on the closed form, apart from
    // the model's iteration.
    let m = 2.0;
    let overflow = |load: f64| 1.0 - (1.0 - (-load).exp()) / load;
    let (mut lo, mut hi) = (0.0, 1.0);
    for _ in 0..200 {
        let mid = (lo + hi) / 2.0;
        if overflow(m * (1.0 + mid)) > mid {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    let q = lo;
    let mut p = chain(vec![offering("a", 1.0)]);
    p.routes[0].steps[0].attempts = 2;
    p.offerings[0].quota.rpm = Some(1.0);
    p.workload.requests_per_month = monthly_for(m);
    let a = analyse(&p);
    assert!(
        close(a.steps[0].rejected_share_peak, q, 1e-9),
        "{} vs {q}",
        a.steps[0].rejected_share_peak
    );
    assert!(close(a.steps[0].offered_rpm_peak, m * (1.0 + q), 1e-8));
    assert!(close(a.availability_at_peak, 1.0 - q * q, 1e-9));
}

/// 100 requests a minute; the primary is up 99% of the time (no errors),
/// the fallback takes 50 a minute.
fn small_fallback() -> Portfolio {
    let mut p = chain(vec![offering("a", 0.99), offering("b", 1.0)]);
    p.offerings[1].quota.rpm = Some(50.0);
    p.workload.requests_per_month = monthly_for(100.0);
    p
}

#[test]
fn a_fallback_absorbs_an_outage_of_the_primary_until_its_limit() {
    // While the primary is up the fallback is sent nothing; while it is down
    // (1% of the time) the fallback is sent all 100 a minute and rejects
    // q = 1 - E[min(X, 50)] / 100, X ~ Poisson(100): 0.5 to 1e-6. Averaged
    // over time that is 1 a minute, which a limit of 50 would never reject:
    // the mixture over the primary's states must not average it away.
    let mut p = small_fallback();
    let a = analyse(&p);
    let fallback = &a.steps[1];
    let q = fallback
        .rejected_share_upstream_outage
        .expect("second step");
    assert!(close(q, 0.5, 1e-6), "{q}");
    assert!(close(
        fallback.offered_rpm_upstream_outage.expect("second step"),
        100.0,
        1e-9
    ));
    assert!(close(
        fallback.availability_upstream_outage.expect("second step"),
        1.0 - q,
        1e-12
    ));
    // The mean load is 1 a minute, all of it in the primary's outages, so
    // every attempt the fallback is sent meets the outage's rejections.
    assert!(close(fallback.offered_rpm_peak, 1.0, 1e-9));
    assert!(close(fallback.rejected_share_peak, q, 1e-12));
    assert!(close(fallback.rejected_share_day, q, 1e-12));
    // Availability by hand: 0.99 + 0.01 (1 - q), at the peak and over the day.
    let availability = 0.99 + 0.01 * (1.0 - q);
    assert!(close(a.availability_at_peak, availability, 1e-12));
    assert!(close(a.day.availability, availability, 1e-12));
    assert!(close(
        fallback.served_share_peak,
        0.01 * (1.0 - q) / availability,
        1e-12
    ));
    assert!(close(
        a.steps[0].served_share_peak,
        0.99 / availability,
        1e-12
    ));
    // A fallback sized for the whole load rejects nothing in the outage.
    p.offerings[1].quota.rpm = Some(1_000.0);
    let roomy = analyse(&p);
    assert!(
        roomy.steps[1]
            .rejected_share_upstream_outage
            .expect("second")
            < 1e-15
    );
    assert!(close(roomy.availability_at_peak, 1.0, 1e-15));
}

#[test]
fn the_mixture_over_outage_states_is_exact_when_no_limit_binds() {
    // Limits far above any load, groups shared across the steps and a third
    // step: every state's fixed point has no rejections, so the mixture is
    // the closed forms themselves (total probability), to rounding.
    let mut p = chain(vec![
        offering("a", 0.99 * 0.995),
        offering("b", 0.98 * 0.995),
        offering("c", 0.97),
    ]);
    p.groups = vec![group("g", 0.995)];
    p.offerings[0].groups = vec![0];
    p.offerings[1].groups = vec![0];
    p.offerings[0].error_rate = 0.1;
    p.offerings[1].quota.rpm = Some(1e9);
    p.offerings[2].quota.rpm = Some(1e9);
    let plain = exact::figures(&p);
    let mixed = solve(&p, 100.0);
    assert!(close(mixed.figures.availability, plain.availability, 1e-14));
    assert!(close(
        mixed.figures.unavailability,
        plain.unavailability,
        1e-15
    ));
    assert!(close(
        mixed.figures.cost_per_request,
        plain.cost_per_request,
        1e-15
    ));
    for (m, e) in mixed.figures.routes[0]
        .served
        .iter()
        .zip(&plain.routes[0].served)
    {
        assert!(close(*m, *e, 1e-14));
    }
    assert!(mixed.rejected.iter().all(|&q| q < 1e-15));
}

#[test]
fn a_shared_group_down_sends_the_fallback_nothing_more() {
    // The primary and the fallback share a group, and nothing else fails:
    // when the group is down both are, so the fallback never carries the
    // primary's traffic and never rejects, however small its limit.
    let mut p = chain(vec![offering("a", 0.99), offering("b", 0.99)]);
    p.groups = vec![group("g", 0.99)];
    p.offerings[0].groups = vec![0];
    p.offerings[1].groups = vec![0];
    p.offerings[1].quota.rpm = Some(1.0);
    p.workload.requests_per_month = monthly_for(100.0);
    let a = analyse(&p);
    assert!(a.steps[1].rejected_share_peak < 1e-15);
    assert!(close(a.availability_at_peak, 0.99, 1e-12));
}

#[test]
fn the_sla_months_see_the_fallback_reject_during_the_primarys_outages() {
    // The SLA simulation conditions each moment on the primary's state: its
    // mean month is the mixture's availability, 0.99 + 0.01 (1 - q), not the
    // 1.0 that the time-averaged overflow of 1 a minute would give. Slow
    // outages (30 minutes, event by event) and fast ones (0.6 s, mixed within
    // the period) alike.
    let q = rejected_share(100.0, 50.0);
    let availability = 0.99 + 0.01 * (1.0 - q);
    for mttr in [30.0, 0.01] {
        let mut p = small_fallback();
        p.offerings[0].mttr_minutes = mttr;
        let options = crate::model::EvaluateOptions {
            samples: 10_000,
            periods: 4_000,
            ..Default::default()
        };
        let r = crate::model::evaluate(&p, &options);
        assert!(close(r.availability, availability, 1e-12));
        let m = &r.monthly_availability;
        assert!(
            (m.mean - availability).abs() < 4.0 * m.mean_std_error + 1e-9,
            "mttr {mttr}: {} ± {} vs {availability}",
            m.mean,
            m.mean_std_error
        );
        assert!(m.mean < 0.996, "mttr {mttr}: {}", m.mean);
    }
}

/// One offering limited to 100 requests a minute; hour 12 carries 3
/// weights, the others 1 (26 in all), 40 requests a minute per weight: 120
/// a minute at noon, 40 otherwise.
fn noon_peak() -> Portfolio {
    let mut weights = [1.0; 24];
    weights[12] = 3.0;
    let mut p = chain(vec![offering("a", 1.0)]);
    p.offerings[0].quota.rpm = Some(100.0);
    p.workload.traffic = Traffic::from_weights(&weights, 1.0);
    p.workload.requests_per_month = 26.0 * 40.0 * 60.0 * 30.0;
    p
}

#[test]
fn the_day_weights_each_hour_by_its_traffic() {
    // Hour 12 carries 3 weights, the others 1: 26 in all. The limit binds
    // mostly at noon; the day's share weighs each hour's rejections by the
    // attempts sent in it.
    let mut p = noon_peak();
    let a = analyse(&p);
    let quiet = rejected_share(40.0, 100.0);
    let noon = rejected_share(120.0, 100.0);
    let expected = (23.0 * 40.0 * quiet + 120.0 * noon) / (23.0 * 40.0 + 120.0);
    assert!(close(a.steps[0].rejected_share_day, expected, 1e-12));
    assert!(close(a.steps[0].rejected_share_peak, noon, 1e-12));
    assert!(close(a.steps[0].offered_rpm_by_hour[12], 120.0, 1e-9));
    assert!(close(a.steps[0].offered_rpm_by_hour[3], 40.0, 1e-9));
    let availability = (23.0 * (1.0 - quiet) + 3.0 * (1.0 - noon)) / 26.0;
    assert!(close(a.day.availability, availability, 1e-12));
    // The peak-minute factor scales the peak alone.
    p.workload.traffic.peak_minute_factor = 1.5;
    let bursty = analyse(&p);
    assert!(close(
        bursty.steps[0].rejected_share_peak,
        rejected_share(180.0, 100.0),
        1e-12
    ));
    assert!(close(bursty.steps[0].rejected_share_day, expected, 1e-12));
}

#[test]
fn without_limits_the_figures_are_the_closed_forms_themselves() {
    let p = chain(vec![offering("a", 0.9), offering("b", 0.5)]);
    let a = analyse(&p);
    assert_eq!(a.day, exact::figures(&p));
    assert!(
        a.steps
            .iter()
            .all(|s| s.binding_limit.is_none() && s.rejected_share_day == 0.0)
    );
    assert_eq!(strata(&p, &hourly(&p)).len(), 1);
}

#[test]
fn the_strata_are_the_distinct_hours_with_their_traffic() {
    let p = noon_peak();
    let strata = strata(&p, &hourly(&p));
    assert_eq!(strata.len(), 2);
    assert!(close(strata[0].0, 23.0 / 26.0, 1e-15));
    assert!(close(strata[1].0, 3.0 / 26.0, 1e-15));
    let noon = rejected_share(120.0, 100.0);
    assert!(close(strata[1].1.offerings[0].error_rate, noon, 1e-15));
}

#[test]
fn every_figure_of_the_report_sees_the_hour_of_day() {
    // A limit that binds at noon only, and an offering that never goes down:
    // the SLA simulation's mean month, the exact success and the closed
    // forms must all be the day's traffic-weighted mixture.
    let mut p = noon_peak();
    p.workload.latency_budget_ms = Some(60_000.0);
    let options = crate::model::EvaluateOptions {
        samples: 200_000,
        periods: 400,
        ..Default::default()
    };
    let r = crate::model::evaluate(&p, &options);
    let (quiet, noon) = (rejected_share(40.0, 100.0), rejected_share(120.0, 100.0));
    let day = (23.0 * (1.0 - quiet) + 3.0 * (1.0 - noon)) / 26.0;
    assert!(close(r.availability, day, 1e-12));
    let m = &r.monthly_availability;
    assert!(
        (m.mean - day).abs() < 4.0 * m.mean_std_error + 1e-12,
        "{} vs {day}",
        m.mean
    );
    // Success within the budget is exact, over the same hours.
    assert!(close(r.success_within_budget.value, day, 1e-12));
    assert_eq!(
        r.methods.success_within_budget,
        crate::model::evaluate::Method::Exact
    );
    assert!(close(r.availability_at_peak, 1.0 - noon, 1e-12));
}
