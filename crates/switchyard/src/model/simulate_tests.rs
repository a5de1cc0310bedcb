use super::*;
use crate::model::exact;
use crate::model::testkit::*;
use crate::model::types::{OutageMode, Ttft};

/// A portfolio where nothing is certain: two groups, errors, log-normal TTFT
/// against tight timeouts, retries, and the same offering in two routes.
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
            route("side", 0.3, vec![step(2, 1, 4000.0), step(0, 1, 3000.0)]),
        ],
    );
    p.routes[0].steps[0].backoff_ms = 50.0;
    p
}

fn within(value: f64, expected: f64, std_error: f64, what: &str) {
    assert!(
        (value - expected).abs() <= 4.0 * std_error,
        "{what}: simulated {value}, exact {expected}, 4 SE = {}",
        4.0 * std_error
    );
}

#[test]
fn simulation_agrees_with_the_exact_availability_cost_and_served_shares() {
    let p = uncertain();
    let exact = exact::figures(&p);
    let n = 400_000;
    let sim = simulate(&p, n, 7);
    let (rate, _) = sim.success_rate();
    let se = (exact.availability * (1.0 - exact.availability) / n as f64).sqrt();
    within(rate, exact.availability, se, "availability");
    within(
        sim.cost.mean(),
        exact.cost_per_request,
        sim.cost.std_error(),
        "cost",
    );
    for (r, route) in p.routes.iter().enumerate() {
        for j in 0..route.steps.len() {
            let expected = route.share * exact.routes[r].served[j];
            let simulated = sim.served[r][j] as f64 / n as f64;
            let se = (expected * (1.0 - expected) / n as f64).sqrt();
            within(simulated, expected, se, &format!("served {r}/{j}"));
        }
    }
}

#[test]
fn same_seed_same_result_whatever_the_thread_count() {
    let p = uncertain();
    let run = |threads| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("pool")
            .install(|| simulate(&p, 150_000, 11))
    };
    let one = run(1);
    assert_eq!(one, run(2));
    assert_eq!(one, run(3));
    assert_ne!(one, simulate(&p, 150_000, 12), "another seed differs");
}

#[test]
fn a_budget_shorter_than_the_fastest_response_gives_zero() {
    // 500 ms to first token + 1,000 ms of generation: nothing finishes in 1,499 ms.
    let mut p = chain(vec![offering("a", 1.0), offering("b", 1.0)]);
    p.workload.latency_budget_ms = Some(1499.0);
    let sim = simulate(&p, 10_000, 1);
    assert_eq!(sim.successes, 0);
    assert_eq!(sim.latency_percentiles(), [None, None, None]);
}

#[test]
fn a_budget_cut_bills_input_and_the_output_produced() {
    let mut p = chain(vec![offering("a", 1.0)]);
    p.workload.latency_budget_ms = Some(1200.0);
    let sim = simulate(&p, 1000, 1);
    // Cut at 1,200 ms, first token at 500 ms: 70 tokens of output.
    let expected = 1000.0 * 1e-6 + 70.0 * 2e-6;
    assert!((sim.cost.mean() - expected).abs() < 1e-15);
}

#[test]
fn latency_adds_up_failures_backoffs_and_the_fallback() {
    // The primary is down and refuses after 300 ms, three times, with 100 ms and
    // 200 ms backoffs: 1,200 ms lost, then the fallback takes 1,500 ms.
    let mut p = chain(vec![offering("a", 0.0), offering("b", 1.0)]);
    p.routes[0].steps[0].attempts = 3;
    p.routes[0].steps[0].backoff_ms = 100.0;
    let sim = simulate(&p, 1000, 1);
    assert_eq!(sim.successes, 1000);
    assert_eq!(sim.latency_percentiles(), [Some(2700.0); 3]);
    assert_eq!(sim.served[0], vec![0, 1000]);
}

#[test]
fn a_hanging_primary_costs_its_timeout_and_can_exhaust_the_budget() {
    let mut p = chain(vec![offering("a", 0.0), offering("b", 1.0)]);
    p.offerings[0].outage = OutageMode::Hang;
    p.routes[0].steps[0].timeout_ms = 2000.0;
    assert_eq!(simulate(&p, 100, 1).latency_percentiles()[0], Some(3500.0));
    p.workload.latency_budget_ms = Some(3000.0);
    assert_eq!(simulate(&p, 100, 1).successes, 0);
    p.workload.latency_budget_ms = Some(3500.0);
    assert_eq!(simulate(&p, 100, 1).successes, 100);
}

#[test]
fn the_cost_breakdown_adds_up_to_the_cost() {
    let p = uncertain();
    let sim = simulate(&p, 50_000, 4);
    let total: f64 = sim
        .cost_by_step
        .iter()
        .flatten()
        .map(|c| c.first_try_usd + c.retry_usd + c.cut_usd)
        .sum();
    assert!((total - sim.cost.sum).abs() < 1e-9 * sim.cost.sum);
    assert!(
        sim.cost_by_step[0][0].retry_usd > 0.0,
        "the 2-attempt step retries"
    );
    assert!(
        sim.cost_by_step[0][0].cut_usd > 0.0,
        "tight timeouts cut attempts"
    );
    assert_eq!(
        sim.cost_by_step[1][1].retry_usd, 0.0,
        "a 1-attempt step never retries"
    );
}

#[test]
fn the_latency_histogram_stays_small_and_counts_every_success() {
    let p = uncertain();
    let sim = simulate(&p, 2_000_000, 5);
    assert_eq!(sim.latency.count(), sim.successes);
    // A few tens of thousands of bins of 12 bytes, whatever the sample count.
    assert!(
        sim.latency.occupied_bins() < 60_000,
        "{} bins",
        sim.latency.occupied_bins()
    );
    let [p50, p95, p99] = sim.latency_percentiles().map(|x| x.expect("successes"));
    assert!(sim.latency.min() <= Some(p50) && p50 <= p95 && p95 <= p99);
    assert!(Some(p99) <= sim.latency.max());
}
