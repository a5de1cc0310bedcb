//! Speed of the model (issue: exact availability <= 1 µs for a 3-step route;
//! 1M simulated requests <= 50 ms on one core; 10,000 simulated months <= 1 s;
//! issue 20: the exact figures under a budget, percentiles included, of a
//! 3-step route <= 50 µs).
//! Results and the commands that reproduce them are in BENCHMARKS.md.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use switchyard::model::attempt::class_profiles;
use switchyard::model::monthly::{Period, monthly};
use switchyard::model::{
    EvaluateOptions, Portfolio, Quota, capacity, evaluate, exact, exact_summary, latency,
    simulate::simulate,
};
use switchyard::plan::{Format, NoCatalog, parse, resolve};

/// A 3-step route over three offerings in two failure groups, with retries,
/// backoff and a latency budget.
const PLAN: &str = r#"
[workload]
requests_per_month = 3_000_000
input_tokens = 1200
output_tokens = 350
cached_input_share = 0.25
latency_budget_ms = 15000

[[offerings]]
id = "a"
availability = 0.9982
error_rate = 0.01
ttft_p50_ms = 600
ttft_p95_ms = 1400
tokens_per_s = 70
input_per_mtok = 3.0
output_per_mtok = 15.0
groups = ["g1"]

[[offerings]]
id = "b"
availability = 0.999
error_rate = 0.02
outage = "hang"
ttft_p50_ms = 500
ttft_p95_ms = 1500
tokens_per_s = 90
input_per_mtok = 2.5
output_per_mtok = 10.0
groups = ["g1", "g2"]

[[offerings]]
id = "c"
availability = 0.995
error_rate = 0.02
ttft_p50_ms = 900
ttft_p95_ms = 3000
tokens_per_s = 50
input_per_mtok = 0.28
output_per_mtok = 0.42
groups = ["g2"]

[[groups]]
id = "g1"
availability = 0.9995

[[groups]]
id = "g2"
availability = 0.9999

[[routes]]
name = "default"
steps = [
  { offering = "a", attempts = 2, timeout_ms = 8000, backoff_ms = 100 },
  { offering = "b", attempts = 2, timeout_ms = 6000, backoff_ms = 100 },
  { offering = "c", attempts = 1, timeout_ms = 9000 },
]
"#;

fn portfolio() -> Portfolio {
    let plan = parse(PLAN, Format::Toml, "bench.toml").expect("bench plan parses");
    resolve(&plan, &NoCatalog)
        .expect("bench plan resolves")
        .portfolio
}

fn one_core() -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .expect("thread pool")
}

fn exact_figures(c: &mut Criterion) {
    let p = portfolio();
    let prepared = class_profiles(&p);
    c.bench_function(
        "exact availability, 3-step route (profiles precomputed)",
        |b| {
            b.iter(|| {
                exact::route_unavailability(black_box(&p), 0, black_box(&prepared[0].routes[0]))
            })
        },
    );
    c.bench_function("exact availability, 3-step route (from scratch)", |b| {
        b.iter(|| exact::availability(black_box(&p)))
    });
    c.bench_function("exact availability + cost + served shares", |b| {
        b.iter(|| exact::figures(black_box(&p)))
    });
}

/// Issue 20: success within the budget, cost with cut attempts, served
/// shares and p50/p95/p99 of the bench route, exactly, at its 15 s budget
/// and at a tight one that cuts the fallbacks.
fn exact_under_a_budget(c: &mut Criterion) {
    let p = portfolio();
    let mut tight = p.clone();
    tight.workload.latency_budget_ms = Some(6_000.0);
    for (name, p) in [("15 s", &p), ("6 s", &tight)] {
        let f = latency::figures(p).expect("within reach");
        eprintln!(
            "budget {name}: {} terms, success {}, p50/p95/p99 {:?}",
            f.latency.terms().len(),
            f.success,
            f.percentiles()
        );
        c.bench_function(
            &format!("exact under a {name} budget, 3-step route, with p50/p95/p99"),
            |b| {
                b.iter(|| {
                    let f = latency::figures(black_box(p)).expect("within reach");
                    (f.success, f.cost_per_request, f.percentiles())
                })
            },
        );
    }
}

fn simulation(c: &mut Criterion) {
    let p = portfolio();
    let pool = one_core();
    let mut group = c.benchmark_group("simulation");
    group.sample_size(10);
    group.bench_function(
        "1M requests, 3 steps, groups, retries, budget, one core",
        |b| b.iter(|| pool.install(|| simulate(black_box(&p), 1_000_000, 1))),
    );
    group.bench_function("1M requests, both cores", |b| {
        b.iter(|| simulate(black_box(&p), 1_000_000, 1))
    });
    group.bench_function("10,000 months, one core", |b| {
        b.iter(|| pool.install(|| monthly(black_box(&p), Period::Month, 10_000, 0.9999, 1)))
    });
    group.finish();
}

/// The bench plan with every offering rate-limited (at `limits`, requests a
/// minute) and a working-day traffic shape (issue 17). Limits far above the
/// load run all the capacity machinery without changing the plan's work;
/// limits near it also add the retries and fallbacks the rejections cause.
fn limited(mut p: Portfolio, limits: [f64; 3]) -> Portfolio {
    for (o, limit) in p.offerings.iter_mut().zip(limits) {
        o.quota.rpm = Some(limit);
    }
    let mut weights = [1.0; 24];
    weights[9..18].fill(3.0);
    p.workload.traffic = switchyard::model::Traffic::from_weights(&weights, 1.5);
    p
}

fn capacity(c: &mut Criterion) {
    let plain = portfolio();
    let roomy = limited(portfolio(), [1e6; 3]);
    let limits = limited(portfolio(), [25.0, 10.0, 5.0]);
    c.bench_function("exact summary, no limits", |b| {
        b.iter(|| exact_summary(black_box(&plain)))
    });
    c.bench_function("exact summary, rate limits and a traffic shape", |b| {
        b.iter(|| exact_summary(black_box(&limits)))
    });
    let pool = one_core();
    let options = EvaluateOptions {
        samples: 1_000_000,
        periods: 10_000,
        ..EvaluateOptions::default()
    };
    let mut group = c.benchmark_group("evaluate");
    group.sample_size(10);
    group.bench_function("evaluate, no limits, one core", |b| {
        b.iter(|| pool.install(|| evaluate(black_box(&plain), &options)))
    });
    group.bench_function("10,000 months, no limits, one core", |b| {
        b.iter(|| pool.install(|| monthly(black_box(&plain), Period::Month, 10_000, 0.9999, 1)))
    });
    group.bench_function(
        "10,000 months, roomy limits and a traffic shape, one core",
        |b| {
            b.iter(|| pool.install(|| monthly(black_box(&roomy), Period::Month, 10_000, 0.9999, 1)))
        },
    );
    group.bench_function(
        "evaluate, roomy limits and a traffic shape, one core",
        |b| b.iter(|| pool.install(|| evaluate(black_box(&roomy), &options))),
    );
    // The binding plan's work without the capacity machinery: its day's
    // rejections as fixed error rates, no limits, the same traffic shape.
    let hours = capacity::hourly(&limits);
    let mut folded = capacity::with_rejections(&limits, &capacity::day_rejected(&limits, &hours));
    for o in &mut folded.offerings {
        o.quota = Quota::default();
    }
    group.bench_function(
        "evaluate, the binding plan's rejections as fixed errors, no limits, one core",
        |b| b.iter(|| pool.install(|| evaluate(black_box(&folded), &options))),
    );
    group.bench_function(
        "evaluate, binding limits and a traffic shape, one core",
        |b| b.iter(|| pool.install(|| evaluate(black_box(&limits), &options))),
    );
    group.finish();
}

/// The bench plan with its tokens as a usage log's histograms give them:
/// 8 output points (8 classes of requests) and 6 input points.
fn distributed() -> Portfolio {
    use switchyard::model::{TokenMix, TokenMixes};
    let mut p = portfolio();
    let mixes = TokenMixes {
        input: TokenMix::new(&[
            (150.0, 8.0),
            (700.0, 30.0),
            (1_400.0, 40.0),
            (3_500.0, 15.0),
            (12_000.0, 6.0),
            (260_000.0, 1.0),
        ])
        .expect("input points"),
        output: TokenMix::new(&[
            (8.0, 2.0),
            (35.0, 10.0),
            (80.0, 20.0),
            (160.0, 25.0),
            (350.0, 22.0),
            (700.0, 13.0),
            (1_500.0, 6.0),
            (3_500.0, 2.0),
        ])
        .expect("output points"),
    };
    p.workload.input_tokens = mixes.input.mean();
    p.workload.output_tokens = mixes.output.mean();
    p.workload.token_mixes = Some(mixes);
    p
}

fn distributions(c: &mut Criterion) {
    let p = distributed();
    c.bench_function("exact summary, 8 output and 6 input points", |b| {
        b.iter(|| exact_summary(black_box(&p)))
    });
    let pool = one_core();
    let options = EvaluateOptions {
        samples: 1_000_000,
        periods: 10_000,
        ..EvaluateOptions::default()
    };
    let mut group = c.benchmark_group("evaluate");
    group.sample_size(10);
    group.bench_function("evaluate, 8 output and 6 input points, one core", |b| {
        b.iter(|| pool.install(|| evaluate(black_box(&p), &options)))
    });
    group.finish();
}

criterion_group!(
    benches,
    exact_figures,
    exact_under_a_budget,
    simulation,
    capacity,
    distributions
);
criterion_main!(benches);
