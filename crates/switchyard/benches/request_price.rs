//! Per-request pricing speed (issue 18): a million requests priced with
//! `model::request_price` at the LiteLLM 1.106.2 map's prices, the way a
//! spend log's replay prices them. Token counts are drawn like the
//! repository's synthetic spend log (`tests/src/spend_log.rs`: log-normal
//! prompts with a heavy tail, a third with cache reads) over the map's
//! tiered models and a few flat ones, with a fixed seed. Two variants: the
//! model already resolved to its prices (an index, as after interning a log's
//! model names), and looked up by name per request.
//! Run: `cargo bench -p switchyard --bench request_price`. BENCHMARKS.md has
//! the numbers, beside LiteLLM's own loop over the same requests.

use std::collections::BTreeMap;
use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use rand::{Rng, SeedableRng};
use rand_distr::{Distribution, LogNormal};
use rand_xoshiro::Xoshiro256PlusPlus;

use switchyard::catalog::litellm;
use switchyard::model::{Prices, RequestTokens, request_price};

const FIXTURE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../fixtures/litellm/model_prices_1.106.2.json"
);
const LINES: usize = 1_000_000;

fn requests(prices: &BTreeMap<String, Prices>) -> (Vec<String>, Vec<(usize, RequestTokens)>) {
    // Every tiered model of the map, and as many flat ones.
    let tiered: Vec<&String> = prices
        .iter()
        .filter(|(_, p)| p.tier.is_some())
        .map(|(k, _)| k)
        .collect();
    let flat = prices
        .iter()
        .filter(|(_, p)| p.tier.is_none())
        .map(|(k, _)| k)
        .take(tiered.len());
    let models: Vec<String> = tiered.into_iter().chain(flat).cloned().collect();
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(20_261_204);
    let prompt = LogNormal::new(2_000f64.ln(), 1.8).unwrap_or_else(|e| panic!("{e}"));
    let completion = LogNormal::new(300f64.ln(), 1.0).unwrap_or_else(|e| panic!("{e}"));
    let lines = (0..LINES)
        .map(|_| {
            let input = (prompt.sample(&mut rng).round() as u64).clamp(1, 2_000_000);
            let cached = if rng.random_bool(0.35) {
                (input as f64 * rng.random_range(0.1..0.95)) as u64
            } else {
                0
            };
            let tokens = RequestTokens {
                input,
                output: (completion.sample(&mut rng).round() as u64).clamp(1, 128_000),
                cached,
            };
            (rng.random_range(0..models.len()), tokens)
        })
        .collect();
    (models, lines)
}

fn benches(c: &mut Criterion) {
    let text = std::fs::read_to_string(FIXTURE).unwrap_or_else(|e| panic!("{e}"));
    let batch = litellm::parse(&text, FIXTURE, litellm::Options::default())
        .unwrap_or_else(|e| panic!("{e}"));
    let prices = litellm::request_prices(&batch);
    let (models, lines) = requests(&prices);
    let resolved: Vec<Prices> = models.iter().map(|m| prices[m]).collect();

    let mut group = c.benchmark_group("request_price");
    group
        .sample_size(20)
        .measurement_time(Duration::from_secs(10))
        .throughput(Throughput::Elements(LINES as u64));
    group.bench_function("1m_requests_resolved", |b| {
        b.iter(|| {
            let total: f64 = lines
                .iter()
                .map(|(m, t)| request_price(&resolved[*m], *t, false).total())
                .sum();
            black_box(total)
        })
    });
    group.bench_function("1m_requests_by_model_name", |b| {
        b.iter(|| {
            let total: f64 = lines
                .iter()
                .map(|(m, t)| {
                    prices
                        .get(models[*m].as_str())
                        .map_or(0.0, |p| request_price(p, *t, false).total())
                })
                .sum();
            black_box(total)
        })
    });
    group.finish();
}

criterion_group!(request_price_benches, benches);
criterion_main!(request_price_benches);
