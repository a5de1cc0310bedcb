use super::*;
use crate::model::exact;
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
