//! Properties of the model that must hold for every portfolio (proptest): more
//! fallbacks never hurt, more errors never help, shares mix linearly, and the
//! simulated SLA distribution is centred on the exact availability.

use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed};

use super::exact;
use super::monthly::{Period, monthly};
use super::testkit::*;
use super::types::{OutageMode, Portfolio, Ttft};

/// Fixed seed: a failing case is a bug to fix, not noise to re-run away.
fn config(cases: u32) -> Config {
    Config {
        cases,
        rng_seed: RngSeed::Fixed(0x5117_c4ad),
        failure_persistence: None,
        ..Config::default()
    }
}

/// Up to four offerings in up to two groups, and one route of one to three steps.
fn portfolios(min_availability: f64) -> impl Strategy<Value = Portfolio> {
    let offering_params = (
        min_availability..=1.0,
        0.0..0.3f64,
        100.0..2000.0f64,
        1.0..4.0f64,
        20.0..200.0f64,
        any::<bool>(),
        prop::option::of(0..2usize),
    );
    let step_params = (0..4usize, 1..=3u32, 1000.0..15_000.0f64, 0.0..500.0f64);
    (
        prop::collection::vec(offering_params, 4),
        prop::collection::vec(0.995..=1.0f64, 2),
        prop::collection::vec(step_params, 1..=3),
    )
        .prop_map(|(offerings, groups, steps)| {
            let groups: Vec<_> = groups
                .into_iter()
                .enumerate()
                .map(|(i, a)| group(&format!("g{i}"), a))
                .collect();
            let offerings = offerings
                .into_iter()
                .enumerate()
                .map(|(i, (private, error, p50, spread, speed, hang, g))| {
                    let mut o = offering(&format!("o{i}"), private);
                    o.error_rate = error;
                    o.ttft = Ttft::from_percentiles(p50, p50 * spread);
                    o.tokens_per_s = speed;
                    o.outage = if hang {
                        OutageMode::Hang
                    } else {
                        OutageMode::Error
                    };
                    if let Some(g) = g {
                        o.groups = vec![g];
                        o.availability *= groups[g].availability;
                    }
                    o
                })
                .collect();
            let steps = steps
                .into_iter()
                .map(|(o, attempts, timeout, backoff)| {
                    let mut s = step(o, attempts, timeout);
                    s.backoff_ms = backoff;
                    s
                })
                .collect();
            portfolio(offerings, groups, vec![route("r", 1.0, steps)])
        })
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn adding_a_fallback_never_lowers_availability(
        p in portfolios(0.5),
        o in 0..4usize,
        attempts in 1..=3u32,
        timeout in 500.0..20_000.0f64,
    ) {
        let before = exact::figures(&p).availability;
        let mut longer = p.clone();
        longer.routes[0].steps.push(step(o, attempts, timeout));
        let after = exact::figures(&longer).availability;
        prop_assert!(after >= before - 1e-12, "{before} -> {after}");
    }

    #[test]
    fn raising_an_error_rate_never_raises_availability(
        p in portfolios(0.5),
        o in 0..4usize,
        more in 0.0..0.7f64,
    ) {
        let before = exact::figures(&p).availability;
        let mut worse = p.clone();
        worse.offerings[o].error_rate = (worse.offerings[o].error_rate + more).min(1.0);
        let after = exact::figures(&worse).availability;
        prop_assert!(after <= before + 1e-12, "{before} -> {after}");
    }

    #[test]
    fn shares_split_the_figures_linearly(
        a in portfolios(0.5),
        b in portfolios(0.5),
        share in 0.0..=1.0f64,
    ) {
        // Put b's route over a's offerings, renumbered, so both live in one portfolio.
        let mut mixed = a.clone();
        let shift = mixed.offerings.len();
        let group_shift = mixed.groups.len();
        mixed.groups.extend(b.groups.iter().cloned());
        mixed.offerings.extend(b.offerings.iter().cloned().map(|mut o| {
            o.groups.iter_mut().for_each(|g| *g += group_shift);
            o
        }));
        let mut second = b.routes[0].clone();
        second.steps.iter_mut().for_each(|s| s.offering += shift);
        second.name = "s".into();
        second.share = 1.0 - share;
        mixed.routes[0].share = share;
        mixed.routes.push(second);

        let (fa, fb, fm) = (exact::figures(&a), exact::figures(&b), exact::figures(&mixed));
        let expected = share * fa.availability + (1.0 - share) * fb.availability;
        prop_assert!((fm.availability - expected).abs() < 1e-12);
        let cost = share * fa.cost_per_request + (1.0 - share) * fb.cost_per_request;
        prop_assert!((fm.cost_per_request - cost).abs() <= 1e-12 * cost.max(1e-9));
    }
}

proptest! {
    #![proptest_config(config(6))]

    #[test]
    fn the_simulated_sla_mean_matches_the_exact_availability(p in portfolios(0.95)) {
        let exact = exact::figures(&p).availability;
        let m = monthly(&p, Period::Month, 4000, 0.999, 17);
        prop_assert!(
            (m.mean - exact).abs() <= 5.0 * m.mean_std_error + 1e-9,
            "mean {} exact {exact} SE {}", m.mean, m.mean_std_error
        );
    }
}
