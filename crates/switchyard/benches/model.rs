//! Speed of the model (issue: exact availability <= 1 µs for a 3-step route;
//! 1M simulated requests <= 50 ms on one core; 10,000 simulated months <= 1 s).
//! Results and the commands that reproduce them are in BENCHMARKS.md.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use switchyard::model::attempt::profiles;
use switchyard::model::monthly::{Period, monthly};
use switchyard::model::{Portfolio, exact, simulate::simulate};
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
    let prepared = profiles(&p);
    c.bench_function(
        "exact availability, 3-step route (profiles precomputed)",
        |b| b.iter(|| exact::route_unavailability(black_box(&p), 0, black_box(&prepared[0]))),
    );
    c.bench_function("exact availability, 3-step route (from scratch)", |b| {
        b.iter(|| exact::availability(black_box(&p)))
    });
    c.bench_function("exact availability + cost + served shares", |b| {
        b.iter(|| exact::figures(black_box(&p)))
    });
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

criterion_group!(benches, exact_figures, simulation);
criterion_main!(benches);
