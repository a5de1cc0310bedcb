use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed};

use super::*;
use crate::model::attempt::std_normal_cdf;
use crate::model::exact;
use crate::model::histogram::RELATIVE_ERROR;
use crate::model::simulate::simulate;
use crate::model::testkit::*;
use crate::model::tokens::{TokenMix, TokenMixes};
use crate::model::types::{OutageMode, Ttft};

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol * a.abs().max(b.abs()).max(1e-300)
}

/// One step, no budget: the latency is `G + TTFT` given `TTFT <= τ - G`, so
/// its CDF is the log-normal's, shifted by `G` and renormalised.
#[test]
fn one_step_without_a_budget_is_a_shifted_log_normal() {
    let mut a = offering("a", 0.98);
    a.ttft = Ttft::from_percentiles(600.0, 1800.0);
    let mut p = chain(vec![a]);
    p.routes[0].steps[0].timeout_ms = 3000.0;
    let f = figures(&p).expect("small");
    let ttft = p.offerings[0].ttft;
    // G = 1,000 ms (100 tokens at 100 tokens/s).
    let fits = ttft.cdf(2000.0);
    assert!(close(f.success, 0.98 * fits, 1e-15));
    for t in [1100.0, 1500.0, 1600.0, 2200.0, 2999.0] {
        let expected = ttft.cdf(t - 1000.0) / fits;
        assert!(close(f.latency.cdf(t), expected, 1e-13), "{t}");
    }
    assert_eq!(f.latency.cdf(1000.0), 0.0);
    assert!(close(f.latency.cdf(3000.0), 1.0, 1e-15));
    // The p50 by hand: G + exp(μ + σ Φ⁻¹(F(2000)/2)).
    let p50 = f.latency.percentile(0.5).expect("successes");
    assert!(f.latency.cdf(p50) >= 0.5);
    let below = p50 * (1.0 - REL_TOL);
    assert!(f.latency.cdf(below) < 0.5, "the smallest such time");
}

/// An error on the first try (300 ms, rate 0.2), then a success: two terms,
/// `0.8 F(t - 1000)` and `0.16 F(t - 1300)`, and a third for the rare first
/// try cut at its 10 s timeout, `0.64 (1 - F(9000)) F(t - 11000)`.
#[test]
fn an_error_then_a_success_is_a_two_term_mixture() {
    let mut a = offering("a", 1.0);
    a.error_rate = 0.2;
    a.ttft = Ttft::from_percentiles(400.0, 1200.0);
    let mut p = chain(vec![a]);
    p.routes[0].steps[0].attempts = 2;
    let f = figures(&p).expect("small");
    let ttft = p.offerings[0].ttft;
    let cap = ttft.cdf(9000.0);
    let total = 0.96 * cap + 0.64 * (1.0 - cap) * cap;
    assert!(close(f.success, total, 1e-14));
    assert_eq!(f.latency.terms().len(), 3);
    for t in [1200.0, 1400.0, 1700.0, 2500.0, 6000.0] {
        let by_hand = (0.8 * ttft.cdf(t - 1000.0) + 0.16 * ttft.cdf(t - 1300.0)) / total;
        assert!(close(f.latency.cdf(t), by_hand, 1e-13), "{t}");
    }
    // The p95 solves 0.8 F(t − 1000) + 0.16 F(t − 1300) = 0.95 × total.
    let p95 = f.latency.percentile(0.95).expect("successes");
    let at = |t: f64| 0.8 * ttft.cdf(t - 1000.0) + 0.16 * ttft.cdf(t - 1300.0);
    assert!(at(p95) >= 0.95 * total * (1.0 - 1e-14));
    assert!(at(p95 * (1.0 - 2.0 * REL_TOL)) < 0.95 * total);
}

/// A deterministic TTFT: the CDF is a staircase and each percentile is a
/// stair's edge, found exactly (within the tolerance) by bisection.
#[test]
fn a_deterministic_ttft_gives_stairs() {
    // The primary is up half the time and refuses after 300 ms otherwise.
    let p = chain(vec![offering("a", 0.5), offering("b", 1.0)]);
    let f = figures(&p).expect("small");
    assert!(close(f.success, 1.0, 1e-15));
    let [p50, p95, _] = f.percentiles().map(|x| x.expect("successes"));
    // A stair's edge exactly, not the tolerance above it.
    assert_eq!(p50, 1500.0);
    assert_eq!(p95, 1800.0);
    assert_eq!(f.latency.cdf(1499.0), 0.0);
    assert!(close(f.latency.cdf(1500.0), 0.5, 1e-15));
}

/// With a budget the cut attempt pays input and the output produced, and
/// the budget decides which fallbacks still fit.
#[test]
fn a_budget_cuts_and_bills_as_the_rules_say() {
    let mut p = chain(vec![offering("a", 0.9), offering("b", 0.5)]);
    p.workload.latency_budget_ms = Some(1600.0);
    let f = figures(&p).expect("small");
    // Only the first step fits in 1,600 ms (a fallback needs 300 + 1,500).
    assert!(close(f.success, 0.9, 1e-15));
    assert_eq!(f.served[0][1], 0.0);
    // The fallback, reached at 300 ms, is cut at 1,600 ms: 1,300 ms, of which
    // 800 ms of output (80 tokens) after its first token at 500 ms.
    let success_usd = 1000.0 * 1e-6 + 100.0 * 2e-6;
    let cut_usd = 1000.0 * 1e-6 + 80.0 * 2e-6;
    let expected = 0.9 * success_usd + 0.1 * 0.5 * cut_usd;
    assert!(
        close(f.cost_per_request, expected, 1e-14),
        "{}",
        f.cost_per_request
    );
}

/// A portfolio where nothing is certain: two groups, errors, log-normal TTFT
/// against tight timeouts, retries with backoff, a hanging offering, the same
/// offering in two steps and in two routes.
fn uncertain() -> Portfolio {
    let mut a = offering("a", 0.93);
    a.error_rate = 0.08;
    a.ttft = Ttft::from_percentiles(600.0, 2500.0);
    a.groups = vec![0];
    let mut b = offering("b", 0.85);
    b.error_rate = 0.2;
    b.outage = OutageMode::Hang;
    b.ttft = Ttft::from_percentiles(300.0, 900.0);
    b.groups = vec![0, 1];
    let mut c = offering("c", 0.9);
    c.ttft = Ttft::from_percentiles(800.0, 4000.0);
    c.groups = vec![1];
    let mut p = portfolio(
        vec![a, b, c],
        vec![group("g0", 0.97), group("g1", 0.95)],
        vec![
            route(
                "main",
                0.7,
                vec![step(0, 2, 2500.0), step(1, 1, 1800.0), step(2, 2, 3000.0)],
            ),
            route(
                "side",
                0.3,
                vec![step(2, 1, 4000.0), step(0, 1, 3000.0), step(2, 2, 3500.0)],
            ),
        ],
    );
    p.routes[0].steps[0].backoff_ms = 50.0;
    p.routes[1].steps[2].backoff_ms = 200.0;
    p
}

/// Answers of three lengths: the long ones outrun the tight timeouts.
fn with_token_mix(mut p: Portfolio) -> Portfolio {
    p.workload.token_mixes = Some(TokenMixes {
        input: TokenMix::single(1000.0),
        output: TokenMix::new(&[(20.0, 0.5), (100.0, 0.3), (180.0, 0.2)]).expect("valid"),
    });
    p.workload.output_tokens = 0.5 * 20.0 + 0.3 * 100.0 + 0.2 * 180.0;
    p
}

/// Without a budget the walk is the closed forms of `exact`, another way.
#[test]
fn without_a_budget_the_walk_reproduces_the_closed_forms() {
    for p in [uncertain(), with_token_mix(uncertain())] {
        let e = exact::figures(&p);
        let f = figures(&p).expect("small");
        assert!(close(f.success, e.availability, 1e-12));
        assert!(close(f.failure, e.unavailability, 1e-12));
        assert!(close(f.cost_per_request, e.cost_per_request, 1e-12));
        for (r, route) in p.routes.iter().enumerate() {
            for j in 0..route.steps.len() {
                let want = route.share * e.routes[r].served[j];
                assert!(close(f.served[r][j], want, 1e-12), "{r}/{j}");
            }
        }
        assert!(close(f.latency.total(), f.success, 1e-12));
    }
}

/// `value` within 4 standard errors of `expected`.
fn within(value: f64, expected: f64, std_error: f64, what: &str) {
    assert!(
        (value - expected).abs() <= 4.0 * std_error,
        "{what}: simulated {value}, exact {expected}, 4 SE = {}",
        4.0 * std_error
    );
}

/// The exact figures against a simulation of `n` requests: success, cost,
/// served shares, and each simulated percentile's place in the exact CDF
/// (the histogram's bin error allowed for).
fn agrees_with_simulation(p: &Portfolio, n: u64, seed: u64) {
    let f = figures(p).expect("small");
    let sim = simulate(p, n, seed);
    let budget = p.workload.latency_budget_ms;
    let proportion_se = |x: f64, n: f64| (x * (1.0 - x) / n).sqrt().max(0.5 / n);
    let (rate, _) = sim.success_rate();
    within(
        rate,
        f.success,
        proportion_se(f.success, n as f64),
        &format!("success, budget {budget:?}"),
    );
    within(
        sim.cost.mean(),
        f.cost_per_request,
        sim.cost.std_error(),
        "cost",
    );
    for (r, route) in p.routes.iter().enumerate() {
        for j in 0..route.steps.len() {
            let simulated = sim.served[r][j] as f64 / n as f64;
            let expected = f.served[r][j];
            within(
                simulated,
                expected,
                proportion_se(expected, n as f64),
                &format!("served {r}/{j}"),
            );
        }
    }
    let successes = sim.successes as f64;
    for (q, exact_p) in [0.5, 0.95, 0.99].into_iter().zip(f.percentiles()) {
        let simulated = sim.latency.percentile(q).expect("successes");
        let exact_p = exact_p.expect("successes");
        // The sample quantile's share of the exact distribution is q within
        // its binomial error; the histogram moves it by at most 1e-4.
        let low = f.latency.cdf(simulated * (1.0 - RELATIVE_ERROR));
        let high = f.latency.cdf(simulated * (1.0 + RELATIVE_ERROR));
        let slack = 4.0 * proportion_se(q, successes) + 1.0 / successes;
        assert!(
            low - slack <= q && q <= high + slack,
            "p{}: simulated {simulated} (CDF {low}..{high}), exact {exact_p}, budget {budget:?}",
            q * 100.0
        );
    }
}

#[test]
fn the_walk_agrees_with_the_simulation_on_varied_plans() {
    let n = 2_000_000;
    for (k, budget) in [None, Some(2500.0), Some(4200.0), Some(9000.0)]
        .into_iter()
        .enumerate()
    {
        let mut p = uncertain();
        p.workload.latency_budget_ms = budget;
        agrees_with_simulation(&p, n, 100 + k as u64);
        agrees_with_simulation(&with_token_mix(p), n, 200 + k as u64);
    }
}

/// The issue's check at 10M requests: `cargo test -p switchyard --lib
/// latency -- --ignored` (`make test-latency-10m`; a few seconds).
#[test]
#[ignore = "10M-request simulations; run by hand"]
fn the_walk_agrees_with_ten_million_simulated_requests() {
    for (k, budget) in [None, Some(1800.0), Some(3000.0), Some(6000.0)]
        .into_iter()
        .enumerate()
    {
        let mut p = with_token_mix(uncertain());
        p.workload.latency_budget_ms = budget;
        p.routes[1].steps[1].attempts = 3;
        p.routes[1].steps[1].backoff_ms = 150.0;
        agrees_with_simulation(&p, 10_000_000, 300 + k as u64);
    }
}

#[test]
fn nothing_within_the_budget_has_no_percentiles() {
    let mut p = chain(vec![offering("a", 1.0), offering("b", 1.0)]);
    p.workload.latency_budget_ms = Some(1499.0);
    let f = figures(&p).expect("small");
    assert_eq!(f.success, 0.0);
    assert_eq!(f.failure, 1.0);
    assert_eq!(f.percentiles(), [None, None, None]);
    assert_eq!(f.latency.cdf(5000.0), 0.0);
}

#[test]
fn too_many_retries_are_out_of_reach() {
    // Ten steps of twenty attempts, each erring or timing out at its own
    // times: the elapsed times multiply past the cap.
    let offerings: Vec<_> = (0..10)
        .map(|i| {
            let mut o = offering(&format!("o{i}"), 0.999);
            o.error_rate = 0.3;
            o.error_latency_ms = 100.0 + 7.0 * i as f64;
            o.ttft = Ttft::from_percentiles(500.0, 3000.0);
            o
        })
        .collect();
    let mut p = chain(offerings);
    for (i, s) in p.routes[0].steps.iter_mut().enumerate() {
        s.attempts = 20;
        s.timeout_ms = 2000.0 + 13.0 * i as f64;
        s.backoff_ms = 1.0;
    }
    assert!(figures(&p).is_none());
}

fn config(cases: u32) -> Config {
    Config {
        cases,
        rng_seed: RngSeed::Fixed(0x01a7_e4c7),
        failure_persistence: None,
        ..Config::default()
    }
}

/// Up to three offerings (hang or error) in up to two groups, one route of
/// one to three steps with retries and backoff, and maybe a budget.
fn portfolios() -> impl Strategy<Value = Portfolio> {
    let offering_params = (
        0.5..=1.0f64,
        0.0..0.4f64,
        100.0..2000.0f64,
        1.0..4.0f64,
        20.0..400.0f64,
        any::<bool>(),
        prop::option::of(0..2usize),
    );
    let step_params = (0..3usize, 1..=3u32, 800.0..8000.0f64, 0.0..400.0f64);
    (
        prop::collection::vec(offering_params, 3),
        prop::collection::vec(0.9..=1.0f64, 2),
        prop::collection::vec(step_params, 1..=3),
        prop::option::of(500.0..15_000.0f64),
    )
        .prop_map(|(offerings, groups, steps, budget)| {
            let groups: Vec<_> = groups
                .into_iter()
                .enumerate()
                .map(|(i, a)| group(&format!("g{i}"), a))
                .collect();
            let offerings = offerings
                .into_iter()
                .enumerate()
                .map(|(i, (up, error, p50, spread, speed, hang, g))| {
                    let mut o = offering(&format!("o{i}"), up);
                    o.error_rate = error;
                    o.ttft = Ttft::from_percentiles(p50, p50 * spread);
                    o.tokens_per_s = speed;
                    if hang {
                        o.outage = OutageMode::Hang;
                    }
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
            let mut p = portfolio(offerings, groups, vec![route("r", 1.0, steps)]);
            p.workload.latency_budget_ms = budget;
            p
        })
}

proptest! {
    #![proptest_config(config(200))]

    #[test]
    fn percentiles_rise_with_q(p in portfolios(), a in 0.01..0.99f64, b in 0.01..0.99f64) {
        let f = figures(&p).expect("small");
        let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
        if let (Some(x), Some(y)) = (f.latency.percentile(lo), f.latency.percentile(hi)) {
            prop_assert!(x <= y * (1.0 + REL_TOL), "q {lo} -> {x}, q {hi} -> {y}");
            // Each is the smallest time its share is reached at.
            prop_assert!(f.latency.cdf(y) >= hi * (1.0 - 1e-12));
            prop_assert!(f.latency.cdf(x * (1.0 - 2.0 * REL_TOL)) <= lo);
        }
    }

    #[test]
    fn the_cdf_rises_with_t(p in portfolios(), s in 0.0..20_000.0f64, d in 0.0..5_000.0f64) {
        let f = figures(&p).expect("small");
        let (x, y) = (f.latency.cdf(s), f.latency.cdf(s + d));
        prop_assert!((0.0..=1.0).contains(&x) && x <= y + 1e-15, "{x} then {y}");
    }

    #[test]
    fn success_within_the_budget_never_exceeds_availability(p in portfolios()) {
        let f = figures(&p).expect("small");
        let e = exact::figures(&p);
        prop_assert!(f.success <= e.availability + 1e-12, "{} > {}", f.success, e.availability);
        prop_assert!(close(f.success + f.failure, 1.0, 1e-12));
        // A cut attempt never bills more than a whole one.
        let mut free = p.clone();
        free.workload.latency_budget_ms = None;
        let unbounded = figures(&free).expect("small");
        prop_assert!(f.cost_per_request <= unbounded.cost_per_request * (1.0 + 1e-12));
    }
}

/// The normal CDF the mixture sums, at a point the tests above use.
#[test]
fn the_mixture_sums_the_attempt_module_s_normal_cdf() {
    assert!((std_normal_cdf(0.0) - 0.5).abs() < 1e-15);
}
