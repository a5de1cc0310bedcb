//! Usage-log parsing throughput (issue 18): the read pass of `switchyard
//! usage import` over a synthetic LiteLLM spend log held in memory (so the
//! disk is not measured), into aggregates; nothing stored. Criterion reports
//! it in MiB/s. The same pass replaying the log's cost (`switchyard usage
//! cost`: every request priced at its model's prices, or on a two-offering
//! plan) shows what pricing each request adds to the read. Run: `cargo
//! bench -p switchyard --bench usage`.

use std::ops::ControlFlow;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};

use switchyard::model::{BatchPrices, PriceTier, Prices};
use switchyard::usage::read::{read, read_into};
use switchyard::usage::replay::{Match, PlanOffering, PlanPricing, Pricing, Replay};
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
    let prices = Prices {
        input_per_mtok: 1.25,
        cached_input_per_mtok: 0.125,
        output_per_mtok: 10.0,
        batch: BatchPrices {
            input_per_mtok: 0.625,
            cached_input_per_mtok: None,
            output_per_mtok: 5.0,
        },
        tier: Some(PriceTier {
            above_tokens: 200_000.0,
            input_per_mtok: 2.5,
            cached_input_per_mtok: 0.25,
            output_per_mtok: 15.0,
        }),
    };
    group.bench_function("replay_catalog_100k_rows", |b| {
        b.iter(|| {
            let mut find = |model: &str| {
                Some(Match {
                    offering: model.to_owned(),
                    rule: "litellm_key",
                    prices: Some(prices),
                })
            };
            let mut replay = Replay::new(Pricing::Catalog(&mut find));
            read_into(
                &log[..],
                "bench",
                0,
                &options,
                &mut |_, _| ControlFlow::Continue(()),
                &mut replay,
            )
            .unwrap_or_else(|e| panic!("{e}"));
            replay.total().cost_usd
        })
    });
    let plan = PlanPricing {
        file: "bench".to_owned(),
        offerings: vec![
            PlanOffering {
                id: "a".to_owned(),
                prices,
                billed_input: 0.999,
                billed_output: 0.99,
            },
            PlanOffering {
                id: "b".to_owned(),
                prices,
                billed_input: 0.01,
                billed_output: 0.009,
            },
        ],
        cost_per_request: 0.0,
    };
    group.bench_function("replay_plan_100k_rows", |b| {
        b.iter(|| {
            let mut replay = Replay::new(Pricing::Plan(plan.clone()));
            read_into(
                &log[..],
                "bench",
                0,
                &options,
                &mut |_, _| ControlFlow::Continue(()),
                &mut replay,
            )
            .unwrap_or_else(|e| panic!("{e}"));
            replay.total().cost_usd
        })
    });
    group.finish();
}

criterion_group!(usage, benches);
criterion_main!(usage);
