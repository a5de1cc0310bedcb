//! Usage-log parsing throughput (issue 18): the read pass of `switchyard
//! usage import` over a synthetic LiteLLM spend log held in memory (so the
//! disk is not measured), into aggregates; nothing stored. Criterion reports
//! it in MiB/s. Run: `cargo bench -p switchyard --bench usage`.

use std::ops::ControlFlow;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};

use switchyard::usage::read::read;
use switchyard::usage::synthetic::write_spend_log;
use switchyard::usage::{ReadOptions, UsageFormat};

/// Rows of the benchmark's log: about 80 MB, large enough that the read
/// buffer and the aggregates' first allocations do not dominate.
const ROWS: u64 = 100_000;

fn benches(c: &mut Criterion) {
    let mut log = Vec::new();
    write_spend_log(&mut log, ROWS, 1).unwrap_or_else(|e| panic!("{e}"));
    let options = ReadOptions {
        format: UsageFormat::LitellmSpend,
        map: Vec::new(),
        skip_bad: false,
    };
    let mut group = c.benchmark_group("usage");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(20))
        .throughput(Throughput::Bytes(log.len() as u64));
    group.bench_function("read_litellm_spend_100k_rows", |b| {
        b.iter(|| {
            let read = read(&log[..], "bench", 0, &options, &mut |_, _| {
                ControlFlow::Continue(())
            })
            .unwrap_or_else(|e| panic!("{e}"));
            read.records
        })
    });
    group.finish();
}

criterion_group!(usage, benches);
criterion_main!(usage);
