//! A reproducible synthetic catalog, for the search's benchmark and tests.
//!
//! Real catalogs with full reliability figures are small (the embedded one has 43
//! offerings); the search must be measured at 50 to 1,000. The figures are drawn
//! from ranges seen in the embedded catalog: availability 99–99.95%, error rates
//! 0.1–3%, median TTFT 200–1,500 ms, 30–250 tokens/s, prices $0.1–$15 per
//! million tokens, every offering in one of `groups` provider platforms.

use rand::{Rng, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;

use crate::model::{
    Group, Offering, OutageMode, Portfolio, Prices, Quota, Traffic, Ttft, Workload,
};

/// `offerings` offerings spread over `groups` groups, drawn from `seed`; no routes.
pub fn catalog(seed: u64, offerings: usize, groups: usize) -> Portfolio {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let groups: Vec<Group> = (0..groups)
        .map(|g| Group {
            id: format!("platform-{g:02}"),
            availability: rng.random_range(0.9990..0.99995),
            mttr_minutes: rng.random_range(20.0..90.0),
            process: None,
        })
        .collect();
    let offerings = (0..offerings)
        .map(|i| {
            let group = (!groups.is_empty()).then(|| rng.random_range(0..groups.len()));
            let ceiling = group.map_or(1.0, |g| groups[g].availability);
            let p50: f64 = rng.random_range(200.0..1_500.0);
            let input: f64 = rng.random_range(0.1..5.0);
            Offering {
                id: format!("synthetic/model-{i:04}"),
                availability: ceiling * rng.random_range(0.990..0.9995),
                mttr_minutes: rng.random_range(10.0..60.0),
                error_rate: rng.random_range(0.001..0.03),
                error_latency_ms: rng.random_range(100.0..800.0),
                outage: if rng.random_bool(0.2) {
                    OutageMode::Hang
                } else {
                    OutageMode::Error
                },
                ttft: Ttft::from_percentiles(p50, p50 * rng.random_range(1.5..4.0)),
                tokens_per_s: rng.random_range(30.0..250.0),
                prices: Prices {
                    input_per_mtok: input,
                    cached_input_per_mtok: input / 10.0,
                    output_per_mtok: input * rng.random_range(2.0..5.0),
                    ..Prices::default()
                },
                groups: group.into_iter().collect(),
                quota: Quota::default(),
            }
        })
        .collect();
    Portfolio {
        offerings,
        groups,
        routes: Vec::new(),
        workload: Workload {
            requests_per_month: 3_000_000.0,
            input_tokens: 1_200.0,
            output_tokens: 350.0,
            cached_input_share: 0.25,
            latency_budget_ms: None,
            fixed_monthly_usd: 0.0,
            traffic: Traffic::default(),
            token_mixes: None,
        },
    }
}
