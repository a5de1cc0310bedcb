use super::*;
use crate::model::EvaluateOptions;
use crate::model::exact;
use crate::model::outage_process::OutageProcess;
use crate::model::testkit::*;

fn two_in_a_group() -> Portfolio {
    let mut a = offering("a", 0.995);
    a.error_rate = 0.01;
    a.groups = vec![0];
    let mut b = offering("b", 0.99);
    b.mttr_minutes = 90.0;
    b.groups = vec![0];
    let c = offering("c", 0.98);
    let mut p = portfolio(
        vec![a, b, c],
        vec![group("cloud", 0.998)],
        vec![
            route(
                "main",
                0.8,
                vec![step(0, 2, 10_000.0), step(1, 1, 10_000.0)],
            ),
            route("other", 0.2, vec![step(2, 1, 10_000.0)]),
        ],
    );
    p.workload.requests_per_month = 200_000.0;
    p
}

#[test]
fn the_mean_matches_the_exact_availability() {
    let p = two_in_a_group();
    let exact = exact::figures(&p).availability;
    for period in [Period::Month, Period::Day] {
        let m = monthly(&p, period, 20_000, 0.999, 3);
        assert!(
            (m.mean - exact).abs() <= 4.0 * m.mean_std_error,
            "{period:?}: mean {} vs exact {exact} (SE {})",
            m.mean,
            m.mean_std_error
        );
        assert!(m.p1 <= m.p5 && m.p5 <= m.p50 && m.p50 <= 1.0);
    }
}

#[test]
fn a_month_without_outage_has_the_closed_form_probability() {
    // One offering, no errors, huge volume: the month meets 100% exactly when no
    // outage touches it, which has probability a * exp(-length / up_mean).
    let mut p = chain(vec![offering("a", 0.999)]);
    p.workload.requests_per_month = 1e9;
    let up_mean = 30.0 * 0.999 / 0.001;
    for (period, periods) in [(Period::Month, 20_000), (Period::Day, 20_000)] {
        let expected = 0.999 * (-period.minutes() / up_mean).exp();
        let m = monthly(&p, period, periods, 1.0, 5);
        let se = (expected * (1.0 - expected) / periods as f64).sqrt();
        assert!(
            (m.p_meets - expected).abs() <= 4.0 * se,
            "{period:?}: {} vs {expected}",
            m.p_meets
        );
    }
}

/// A clustered, heavy-tailed process like the ones fitted from status pages.
fn clustered() -> OutageProcess {
    OutageProcess {
        events_per_month: 2.0,
        dispersion: 1.5,
        log_mu: 3.0,
        log_sigma: 1.2,
    }
}

#[test]
fn with_a_fitted_group_the_mean_still_matches_the_exact_availability() {
    let mut p = two_in_a_group();
    p.groups[0] = Group::fitted("cloud", clustered());
    let exact = exact::figures(&p).availability;
    for period in [Period::Month, Period::Day] {
        let m = monthly(&p, period, 40_000, 0.999, 13);
        assert!(
            (m.mean - exact).abs() <= 4.0 * m.mean_std_error,
            "{period:?}: mean {} vs exact {exact} (SE {})",
            m.mean,
            m.mean_std_error
        );
    }
}

#[test]
fn a_fitted_group_has_the_negative_binomials_clean_months() {
    // One offering that fails only with its group: a month is clean exactly
    // when the group has no event, P = (k / (k + m))^k; a day is clean with
    // P = 1 - E[rate] / 30 = 1 - m / 30 (a rate above 30 a month is too rare
    // to count).
    let process = clustered();
    let group = Group::fitted("cloud", process);
    let mut only = offering("a", group.availability);
    only.groups = vec![0];
    let mut p = portfolio(
        vec![only],
        vec![group],
        vec![route("default", 1.0, vec![step(0, 1, 10_000.0)])],
    );
    p.workload.requests_per_month = 1e9;
    let periods = 40_000;
    for (period, expected) in [
        (Period::Month, process.p_clean_month()),
        (Period::Day, 1.0 - process.events_per_month / 30.0),
    ] {
        let m = monthly(&p, period, periods, 1.0, 17);
        let se = (expected * (1.0 - expected) / periods as f64).sqrt();
        assert!(
            (m.p_meets - expected).abs() <= 4.0 * se,
            "{period:?}: {} vs {expected}",
            m.p_meets
        );
    }
}

#[test]
fn a_sure_portfolio_meets_every_target() {
    let p = chain(vec![offering("a", 1.0)]);
    let m = monthly(&p, Period::Month, 1000, 0.9999, 1);
    assert_eq!((m.mean, m.p1, m.p_meets), (1.0, 1.0, 1.0));
}

#[test]
fn small_volumes_show_count_noise() {
    // 30 requests a month at 90% success: the ratio moves in steps of about 1/30.
    let mut a = offering("a", 1.0);
    a.error_rate = 0.1;
    let mut p = chain(vec![a]);
    p.workload.requests_per_month = 30.0;
    let m = monthly(&p, Period::Month, 5000, 0.9, 2);
    assert!(m.p5 <= 0.8 && m.p50 < 1.0, "p5 {} p50 {}", m.p5, m.p50);
    assert!((m.mean - 0.9).abs() < 0.01, "mean {}", m.mean);
}

#[test]
fn same_seed_same_distribution_whatever_the_thread_count() {
    let p = two_in_a_group();
    let run = |threads| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("pool")
            .install(|| monthly(&p, Period::Month, 3000, 0.999, 9))
    };
    assert_eq!(run(1), run(2));
}

/// Runs `periods` periods with the fast-mixing threshold at `fast_above`.
fn run(p: &Portfolio, period: Period, periods: u64, seed: u64, fast_above: f64) -> PeriodRun {
    let settings = Settings {
        fast_above,
        keep_expected: true,
    };
    run_periods(p, period, periods, seed, &Progress::new(), settings).expect("not cancelled")
}

/// Nearest-rank `q`-quantile of `sorted` and its distribution-free interval at
/// `k` standard deviations of the rank (the order statistics around it).
fn quantile_interval(sorted: &[f64], q: f64, k: f64) -> [f64; 2] {
    let n = sorted.len() as f64;
    let sd = (n * q * (1.0 - q)).sqrt();
    let at = |rank: f64| sorted[(rank.ceil().max(1.0) as usize).min(sorted.len()) - 1];
    [at(n * q - k * sd), at(n * q + k * sd)]
}

/// The fast-mixing approximation against the event-by-event simulation of the
/// same portfolio: the means agree within 4 standard errors, and the 3-sigma
/// order-statistic intervals of p5 overlap. Returns the exact run's p5 interval.
fn approximation_agrees(p: &Portfolio, periods: u64) -> [f64; 2] {
    let exact = run(p, Period::Day, periods, 21, f64::INFINITY);
    let approx = run(p, Period::Day, periods, 22, FAST_MIXING_OUTAGES);
    assert!(exact.events > 0);
    let describe_ = |ratios: &[f64]| {
        let mut m = Moments::default();
        ratios.iter().for_each(|&r| m.push(r));
        let mut sorted = ratios.to_vec();
        sorted.sort_by(f64::total_cmp);
        (m, quantile_interval(&sorted, 0.05, 3.0))
    };
    let (m_exact, p5_exact) = describe_(&exact.ratios);
    let (m_approx, p5_approx) = describe_(&approx.ratios);
    let se = m_exact.std_error().hypot(m_approx.std_error());
    assert!(
        (m_exact.mean() - m_approx.mean()).abs() <= 4.0 * se,
        "mean: exact {} approximated {} (4 SE {})",
        m_exact.mean(),
        m_approx.mean(),
        4.0 * se
    );
    assert!(
        p5_exact[0] <= p5_approx[1] && p5_approx[0] <= p5_exact[1],
        "p5: exact in {p5_exact:?}, approximated in {p5_approx:?}"
    );
    p5_exact
}

/// One offering, no errors, a huge volume: a day's ratio is its uptime share.
/// `outages` is the expected number of outages in a day.
fn flapping(availability: f64, outages: f64) -> Portfolio {
    let mut o = offering("a", availability);
    // n = T / (mu_up + mu_down) = T (1 - a) / mttr.
    o.mttr_minutes = Period::Day.minutes() * (1.0 - availability) / outages;
    let mut p = chain(vec![o]);
    p.workload.requests_per_month = 1e13;
    p
}

#[test]
fn fast_mixing_agrees_with_the_event_by_event_simulation_around_the_threshold() {
    for outages in [0.9 * FAST_MIXING_OUTAGES, 1.1 * FAST_MIXING_OUTAGES] {
        let p = flapping(0.5, outages);
        let model = Model::new(&p, Period::Day, FAST_MIXING_OUTAGES);
        assert_eq!(
            model.fast[0].is_some(),
            outages > FAST_MIXING_OUTAGES,
            "{outages} outages"
        );
        let p5 = approximation_agrees(&p, 4000);
        // Holding the uptime at its mean (0.5) would miss p5 by far: the
        // spread of the period's uptime, which the approximation draws, matters.
        assert!(p5[1] < 0.49, "exact p5 in {p5:?}");
    }
}

#[test]
fn fast_mixing_groups_shared_by_a_chain_agree_with_the_event_by_event_simulation() {
    // A flapping group under both offerings of a chain (enumerated per request),
    // a flapping private part (averaged on its own) and a slow one.
    let day = Period::Day.minutes();
    let mut g = group("g", 0.999);
    g.mttr_minutes = day * 0.001 / 1100.0;
    let mut a = offering("a", 0.999 * 0.99);
    a.groups = vec![0];
    let mut b = offering("b", 0.999 * 0.9);
    b.mttr_minutes = day * 0.1 / 1100.0;
    b.groups = vec![0];
    let mut p = portfolio(
        vec![a, b],
        vec![g],
        vec![route(
            "default",
            1.0,
            vec![step(0, 1, 10_000.0), step(1, 1, 10_000.0)],
        )],
    );
    p.workload.requests_per_month = 1e13;
    let model = Model::new(&p, Period::Day, FAST_MIXING_OUTAGES);
    assert_eq!(model.routes[0].fast_shared.len(), 1, "the group");
    assert_eq!(
        model.routes[0].offerings[1].fast_own.len(),
        1,
        "b's own part"
    );
    assert_eq!(model.routes[0].offerings[0].slow.len(), 1, "a's own part");
    approximation_agrees(&p, 4000);
    // And the mean is the exact availability.
    let m = monthly(&p, Period::Day, 20_000, 0.999, 4);
    let exact = exact::figures(&p).availability;
    assert!(
        (m.mean - exact).abs() <= 4.0 * m.mean_std_error,
        "{} vs {exact}",
        m.mean
    );
}

#[test]
fn an_mttr_of_one_second_costs_no_event_at_all() {
    // Two components at availability 0.5 with an MTTR of 1 s: 1.3 million
    // outages each a month, which the event-by-event simulation would walk
    // through, 10,000 months over.
    let mut g = group("g", 0.5);
    g.mttr_minutes = 1.0 / 60.0;
    let mut a = offering("a", 0.25);
    a.mttr_minutes = 1.0 / 60.0;
    a.groups = vec![0];
    let mut p = portfolio(
        vec![a],
        vec![g],
        vec![route("default", 1.0, vec![step(0, 1, 10_000.0)])],
    );
    p.workload.requests_per_month = 1e9;
    let periods = EvaluateOptions::default().periods;
    let settings = Settings {
        fast_above: FAST_MIXING_OUTAGES,
        keep_expected: false,
    };
    let r = run_periods(&p, Period::Month, periods, 1, &Progress::new(), settings).expect("runs");
    assert_eq!(r.events, 0);
    assert_eq!(r.ratios.len() as u64, periods);
    let m = describe(r.ratios, 0.5, Period::Month);
    assert!((m.mean - 0.25).abs() < 1e-4, "{}", m.mean);
    // The whole evaluation, with its default periods, runs as quickly.
    let report = crate::model::evaluate(&p, &EvaluateOptions::default());
    assert!((report.monthly_availability.mean - 0.25).abs() < 1e-4);
}

#[test]
fn just_below_the_threshold_the_work_is_about_two_changes_per_outage() {
    let p = flapping(0.5, 0.99 * FAST_MIXING_OUTAGES);
    let periods = 500;
    let r = run(&p, Period::Day, periods, 3, FAST_MIXING_OUTAGES);
    let per_period = r.events as f64 / periods as f64;
    assert!(
        (per_period - 2.0 * 0.99 * FAST_MIXING_OUTAGES).abs() < 0.05 * FAST_MIXING_OUTAGES,
        "{per_period} changes per period"
    );
}

#[test]
fn huge_volumes_give_the_time_weighted_success_probability() {
    // At 1e15 requests a month the count noise is about 1e-8: each period's
    // ratio is its time-weighted success probability. It used to print 0 at
    // 1e20 and 1 at 1e30 (the Poisson sampler refuses means above 1.8e19).
    for volume in [1e9, 1e13, 1e15, 1e20, 1e30] {
        let mut p = two_in_a_group();
        p.workload.requests_per_month = volume;
        let r = run(&p, Period::Month, 2000, 8, FAST_MIXING_OUTAGES);
        for (&observed, &expected) in r.ratios.iter().zip(&r.expected) {
            let sd = (expected * (1.0 - expected) / volume).sqrt();
            assert!(
                (observed - expected).abs() <= 6.0 * sd + 1e-12,
                "{volume}: {observed} vs {expected}"
            );
        }
        let observed = describe(r.ratios, 0.999, Period::Month);
        let limit = describe(r.expected, 0.999, Period::Month);
        let tolerance = 6.0 / volume.sqrt() + 1e-12;
        for (o, l) in [
            (observed.mean, limit.mean),
            (observed.p1, limit.p1),
            (observed.p5, limit.p5),
            (observed.p50, limit.p50),
        ] {
            assert!((o - l).abs() <= tolerance, "{volume}: {o} vs {l}");
        }
        assert!(limit.mean > 0.99 && limit.mean < 1.0);
    }
}

#[test]
fn exceedance_is_the_share_at_or_above_each_threshold() {
    let p = two_in_a_group();
    for target in EXCEEDANCE_THRESHOLDS {
        let m = monthly(&p, Period::Month, 2_000, target, 3);
        let at = m
            .exceedance
            .iter()
            .find(|e| e.threshold == target)
            .expect("every threshold");
        // The same simulation: P(meets target) is the curve at the target.
        assert!(
            (at.p - m.p_meets).abs() < 1e-12,
            "{target}: {at:?} vs {}",
            m.p_meets
        );
        let ps: Vec<f64> = m.exceedance.iter().map(|e| e.p).collect();
        assert!(
            ps.windows(2).all(|w| w[0] <= w[1]),
            "falls as the bar drops: {ps:?}"
        );
    }
}

#[test]
fn a_daily_rate_integrates_whole_days_and_hour_pieces_by_hand() {
    // 1 a minute before noon, 3 after.
    let rate = DailyRate::new(std::array::from_fn(|h| if h < 12 { 1.0 } else { 3.0 }));
    assert_eq!(rate.between(0.0, 1440.0), 720.0 + 2160.0);
    assert_eq!(rate.between(690.0, 750.0), 30.0 + 90.0, "across noon");
    assert_eq!(
        rate.between(1400.0, 1500.0),
        120.0 + 60.0,
        "across midnight"
    );
    assert_eq!(rate.between(100.0, 100.0 + 3.0 * 1440.0), 3.0 * 2880.0);
}

#[test]
fn with_a_traffic_shape_the_month_weighs_each_moment_by_its_traffic() {
    // No outages and no limits: every month is the closed form whatever the
    // shape. With a shape, the hourly path runs; its mean must still be the
    // availability, since outages fall at uniform times.
    let mut p = chain(vec![offering("a", 0.99)]);
    p.offerings[0].mttr_minutes = 600.0;
    let mut weights = [1.0; 24];
    weights[9..18].fill(5.0);
    p.workload.traffic = crate::model::Traffic::from_weights(&weights, 1.0);
    p.workload.requests_per_month = 1e12;
    let m = monthly(&p, Period::Month, 4_000, 0.999, 3);
    assert!(
        (m.mean - 0.99).abs() < 4.0 * m.mean_std_error,
        "{} ± {}",
        m.mean,
        m.mean_std_error
    );
    // The spread is wider than for a flat day: an outage's weight now
    // depends on the hour it falls in.
    p.workload.traffic = crate::model::Traffic::default();
    let flat = monthly(&p, Period::Month, 4_000, 0.999, 3);
    assert!(m.p1 < flat.p1, "shaped p1 {} vs flat {}", m.p1, flat.p1);
}
