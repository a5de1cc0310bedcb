//! Portfolio search over the synthetic catalog: chains up to 3 steps, attempts
//! 1..=2, one timeout, candidates spread over 12 provider groups. Reproduce with
//! `cargo bench -p switchyard --bench search`; results in BENCHMARKS.md.

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use switchyard::model::search::{
    Constraints, Objective, Resolution, SearchSpace, search, synthetic,
};

fn space(candidates: usize) -> SearchSpace {
    SearchSpace {
        portfolio: synthetic::catalog(2026, candidates, 12),
        max_chain_length: 3,
        attempts: vec![1, 2],
        timeouts_ms: vec![15_000.0],
        backoff_ms: 100.0,
        constraints: Constraints::default(),
        objectives: Objective::DEFAULT.to_vec(),
        resolution: Resolution::DEFAULT,
    }
}

fn frontier(c: &mut Criterion) {
    let mut group = c.benchmark_group("search");
    group.sample_size(10);
    for n in [50, 100, 300, 1000] {
        let s = space(n);
        let f = search(&s);
        eprintln!(
            "{n} candidates: {} frontier points, {:?}",
            f.points.len(),
            f.stats
        );
        group.bench_with_input(BenchmarkId::new("candidates", n), &s, |b, s| {
            b.iter(|| search(black_box(s)))
        });
    }
    group.finish();
}

/// Issue 20: p95 as a third objective (target: 300 candidates in at most
/// 1 s), at the default resolution (`Resolution::DEFAULT`: the exact
/// frontier has 468,021 points at 300 candidates, each with its exact p95).
/// 500 candidates are 1,000 step options, the most a plan may search.
fn frontier_with_p95(c: &mut Criterion) {
    let mut group = c.benchmark_group("search with p95");
    group.sample_size(10);
    for n in [20, 50, 100, 300, 500] {
        let mut s = space(n);
        s.objectives = vec![Objective::Cost, Objective::Availability, Objective::P95];
        let started = std::time::Instant::now();
        let f = search(&s);
        eprintln!(
            "{n} candidates with p95: {} frontier points, {:?}, {:?}",
            f.points.len(),
            f.stats,
            started.elapsed()
        );
        group.bench_with_input(BenchmarkId::new("candidates", n), &s, |b, s| {
            b.iter(|| search(black_box(s)))
        });
    }
    group.finish();
}

criterion_group!(benches, frontier, frontier_with_p95);
criterion_main!(benches);
