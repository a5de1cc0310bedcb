//! Small builders for hand-checked portfolios in unit tests.

use super::types::*;

/// An offering with no errors and a deterministic 500 ms to first token, 100
/// tokens/s, $1/$2 per million tokens: every figure is easy to check by hand.
pub fn offering(id: &str, availability: f64) -> Offering {
    Offering {
        id: id.to_owned(),
        availability,
        mttr_minutes: 30.0,
        error_rate: 0.0,
        error_latency_ms: 300.0,
        outage: OutageMode::Error,
        ttft: Ttft::from_percentiles(500.0, 500.0),
        tokens_per_s: 100.0,
        prices: Prices {
            input_per_mtok: 1.0,
            cached_input_per_mtok: 0.5,
            output_per_mtok: 2.0,
            ..Prices::default()
        },
        groups: Vec::new(),
        quota: Quota::default(),
    }
}

pub fn group(id: &str, availability: f64) -> Group {
    Group {
        id: id.to_owned(),
        availability,
        mttr_minutes: 60.0,
        process: None,
    }
}

pub fn step(offering: usize, attempts: u32, timeout_ms: f64) -> Step {
    Step {
        offering,
        attempts,
        timeout_ms,
        backoff_ms: 0.0,
    }
}

pub fn route(name: &str, share: f64, steps: Vec<Step>) -> Route {
    Route {
        name: name.to_owned(),
        share,
        steps,
    }
}

/// 1,000 input and 100 output tokens (1 s of generation at 100 tokens/s), no cache,
/// no budget.
pub fn workload() -> Workload {
    Workload {
        requests_per_month: 1_000_000.0,
        input_tokens: 1000.0,
        output_tokens: 100.0,
        cached_input_share: 0.0,
        latency_budget_ms: None,
        fixed_monthly_usd: 0.0,
        traffic: Traffic::default(),
        token_mixes: None,
    }
}

pub fn portfolio(offerings: Vec<Offering>, groups: Vec<Group>, routes: Vec<Route>) -> Portfolio {
    Portfolio {
        offerings,
        groups,
        routes,
        workload: workload(),
    }
}

/// One route over the given offerings, one step each, one attempt, 10 s timeout.
pub fn chain(offerings: Vec<Offering>) -> Portfolio {
    let steps = (0..offerings.len()).map(|o| step(o, 1, 10_000.0)).collect();
    portfolio(offerings, Vec::new(), vec![route("default", 1.0, steps)])
}
