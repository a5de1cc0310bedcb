//! Replay costs checked against values worked out by hand: a prompt above a
//! 200k tier, cache reads, a batch call, a model missing from the catalog;
//! a plan of two steps; and the plan's own cost per request recovered from
//! a log of mean-sized requests.

use std::borrow::Cow;
use std::ops::ControlFlow;

use super::*;
use crate::model::billed::{billed, mean_request_cost};
use crate::model::testkit::{chain, group, offering, portfolio, route, step};
use crate::model::{BatchPrices, OutageMode, Portfolio, PriceTier, Prices, Quota, Ttft};
use crate::usage::UsageFormat;
use crate::usage::read::{ReadOptions, RecordSink, read_into};
use crate::usage::record::{Granularity, UsageRecord};

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-12 * b.abs().max(1e-12)
}

/// $2 / $0.5 cached / $8 per 1M; above 200k prompt tokens $4 / $1 / $12;
/// batch $1 in, $4 out, cached tokens not told apart.
fn tiered() -> Prices {
    Prices {
        input_per_mtok: 2.0,
        cached_input_per_mtok: 0.5,
        output_per_mtok: 8.0,
        batch: BatchPrices {
            input_per_mtok: 1.0,
            cached_input_per_mtok: None,
            output_per_mtok: 4.0,
        },
        tier: Some(PriceTier {
            above_tokens: 200_000.0,
            input_per_mtok: 4.0,
            cached_input_per_mtok: 1.0,
            output_per_mtok: 12.0,
        }),
    }
}

/// A LiteLLM spend log (the columns read, and `call_type`) of six requests.
const LOG: &str = "startTime,model,prompt_tokens,completion_tokens,spend,call_type,status,cache_hit,metadata
2026-11-03 10:00:00,m-tiered,1000,500,0.006,acompletion,success,False,\"{\"\"additional_usage_values\"\": {}}\"
2026-11-03 11:00:00,m-tiered,250000,1000,0.862,acompletion,success,False,\"{\"\"additional_usage_values\"\": {\"\"cache_read_input_tokens\"\": 50000}}\"
2026-11-04 00:00:00,m-tiered,200000,100,0.4008,acompletion,success,False,{}
2026-11-04 01:00:00,m-tiered,10000,200,0.0096,acompletion,success,False,\"{\"\"additional_usage_values\"\": {\"\"cache_read_input_tokens\"\": 8000}}\"
2026-11-04 02:00:00,m-tiered,300000,1000,0.304,aretrieve_batch,success,False,{}
2026-11-04 03:00:00,m-tiered,5000,100,0,acompletion,success,True,{}
2026-11-04 04:00:00,mystery,100,10,0.5,acompletion,success,False,{}
2026-11-04 05:00:00,mystery,100,10,0.25,acompletion,success,False,{}
";

fn replay_log(replay: &mut Replay<'_>) -> crate::usage::ReadSummary {
    let options = ReadOptions {
        format: UsageFormat::LitellmSpend,
        map: Vec::new(),
        skip_bad: false,
    };
    read_into(
        LOG.as_bytes(),
        "spend.csv",
        0,
        &options,
        &mut |_, _| ControlFlow::Continue(()),
        replay,
    )
    .expect("reads")
}

#[test]
fn each_request_is_priced_by_hand_at_its_catalog_price() {
    let mut find = |model: &str| {
        (model == "m-tiered").then(|| Match {
            offering: "prov/m-tiered".to_owned(),
            rule: "litellm_key",
            prices: Some(tiered()),
        })
    };
    let mut replay = Replay::new(Pricing::Catalog(&mut find));
    let read = replay_log(&mut replay);
    let report = CostReport::of(&replay, &read);
    // 1,000 in, 500 out:           1000 × 2e-6 + 500 × 8e-6                  = 0.006
    // 250,000 in (50,000 cached), above the tier, so every token at its tier price:
    //                              200000 × 4e-6 + 50000 × 1e-6 + 1000 × 12e-6 = 0.862
    // 200,000 in: on the threshold, not above: 200000 × 2e-6 + 100 × 8e-6   = 0.4008
    // 10,000 in, 8,000 cached:     2000 × 2e-6 + 8000 × 0.5e-6 + 200 × 8e-6  = 0.0096
    // batch, 300,000 in: no tier, batch prices: 300000 × 1e-6 + 1000 × 4e-6  = 0.304
    // a hit of LiteLLM's cache: no provider called                           = 0
    let m = &report.models[0];
    assert_eq!(m.model, "m-tiered");
    assert_eq!(m.offering.as_deref(), Some("prov/m-tiered"));
    assert_eq!(m.line.requests, 6);
    assert_eq!(m.line.above_tier_requests, 1);
    assert_eq!(m.line.batch_requests, 1);
    assert_eq!(m.line.cache_hits, 1);
    assert_eq!(
        m.line.cached_unknown_requests, 3,
        "`{{}}` metadata: unknown"
    );
    let cost = m.line.cost_usd.expect("priced");
    assert!(
        close(cost, 0.006 + 0.862 + 0.4008 + 0.0096 + 0.304),
        "{cost}"
    );
    assert!(m.line.difference_usd.expect("comparable").abs() < 1e-12);

    // The missing model: named with its requests and logged spend, no cost.
    let x = &report.models[1];
    assert_eq!(x.model, "mystery");
    assert_eq!(x.offering, None);
    assert_eq!(x.line.cost_usd, None, "unknown, never 0");
    assert_eq!(x.line.unpriced_requests, 2);
    assert_eq!(report.unpriced.len(), 1);
    assert_eq!(report.unpriced[0].model, "mystery");
    assert_eq!(report.unpriced[0].requests, 2);
    assert!(close(
        report.unpriced[0].logged_spend_usd.expect("spend"),
        0.75
    ));

    // The total prices what it can and says what it left out.
    assert_eq!(report.total.requests, 8);
    assert_eq!(report.total.unpriced_requests, 2);
    assert!(close(report.total.cost_usd.expect("some priced"), 1.5824));
    assert!(close(
        report.total.logged_spend_usd.expect("spend"),
        1.5824 + 0.75
    ));
    assert!(close(
        report.total.logged_spend_priced_usd.expect("spend"),
        1.5824
    ));

    // Per UTC day.
    assert_eq!(report.days.len(), 2);
    assert_eq!(report.days[0].day, "2026-11-03");
    assert!(close(report.days[0].line.cost_usd.expect("priced"), 0.868));
    assert_eq!(report.days[1].line.requests, 6);
    assert!(close(report.days[1].line.cost_usd.expect("priced"), 0.7144));
    assert_eq!(report.days[1].line.unpriced_requests, 2);
}

#[test]
fn litellm_batch_calls_are_read_as_batch() {
    use crate::usage::litellm_spend::is_batch_call;
    assert!(is_batch_call("aretrieve_batch"));
    assert!(is_batch_call("retrieve_batch"));
    assert!(!is_batch_call("acompletion"));
    assert!(!is_batch_call(""));
}

/// One request of `input` prompt tokens, `cached` of them cached, `output`
/// out.
fn request(input: u64, cached: u64, output: u64) -> UsageRecord<'static> {
    UsageRecord {
        start_ms: crate::utc::days_from_civil(2026, 11, 3) * 86_400_000,
        model: Cow::Borrowed("logged"),
        model_group: None,
        api_base: None,
        input_tokens: input,
        output_tokens: output,
        cached_tokens: Some(cached),
        status: None,
        cache_hit: false,
        latency_ms: None,
        spend_usd: None,
        batch: false,
        granularity: Granularity::Request,
    }
}

fn plan_pricing(p: &Portfolio) -> PlanPricing {
    let weights = billed(p);
    PlanPricing {
        file: "plan.toml".to_owned(),
        offerings: weights
            .iter()
            .map(|w| PlanOffering {
                id: p.offerings[w.offering].id.clone(),
                prices: p.offerings[w.offering].prices,
                billed_input: w.input,
                billed_output: w.output,
            })
            .collect(),
        cost_per_request: mean_request_cost(p, &weights),
    }
}

#[test]
fn a_two_step_plan_prices_a_request_by_hand() {
    // a (up 90%) then b (up 50%); no errors, no timeouts: a request is billed
    // at a when a is up (0.9), at b when a is down and b up (0.1 × 0.5).
    let mut p = chain(vec![offering("a", 0.9), offering("b", 0.5)]);
    p.offerings[1].prices = Prices {
        input_per_mtok: 3.0,
        cached_input_per_mtok: 1.0,
        output_per_mtok: 6.0,
        ..Prices::default()
    };
    let mut replay = Replay::new(Pricing::Plan(plan_pricing(&p)));
    // 1,000 in, 100 out: at a 1000 × 1e-6 + 100 × 2e-6 = 0.0012, at b
    // 1000 × 3e-6 + 100 × 6e-6 = 0.0036; 0.9 × 0.0012 + 0.05 × 0.0036.
    replay.add(&request(1000, 0, 100)).expect("adds");
    // 2,000 in, 1,000 of them cached, no output: at a 1000 × 1e-6 + 1000 ×
    // 0.5e-6 = 0.0015, at b 1000 × 3e-6 + 1000 × 1e-6 = 0.004.
    replay.add(&request(2000, 1000, 0)).expect("adds");
    let first = 0.9 * 0.0012 + 0.05 * 0.0036;
    let second = 0.9 * 0.0015 + 0.05 * 0.004;
    assert!(close(replay.total().cost_usd, first + second));
    assert!(close(replay.by_offering()[0], 0.9 * (0.0012 + 0.0015)));
    assert!(close(replay.by_offering()[1], 0.05 * (0.0036 + 0.004)));
}

#[test]
fn a_log_of_mean_requests_costs_requests_times_the_plans_cost_per_request() {
    // Two routes, a shared group, errors, a hanging outage, a timeout that
    // cuts some responses, a retry, a rate limit that binds at the peak, and
    // price tiers at 200k that a mean request does not reach.
    let mut a = offering("a", 0.97);
    a.error_rate = 0.03;
    a.outage = OutageMode::Hang;
    a.ttft = Ttft::from_percentiles(500.0, 2500.0);
    a.groups = vec![0];
    a.prices = tiered();
    let mut b = offering("b", 0.99);
    b.error_rate = 0.01;
    b.quota = Quota {
        rpm: Some(20.0),
        ..Quota::default()
    };
    b.prices = Prices {
        input_per_mtok: 3.0,
        cached_input_per_mtok: 0.3,
        output_per_mtok: 15.0,
        ..tiered()
    };
    let mut c = offering("c", 0.995);
    c.groups = vec![0];
    let mut p = portfolio(
        vec![a, b, c],
        vec![group("cloud", 0.999)],
        vec![
            route("main", 0.7, vec![step(0, 2, 1800.0), step(1, 1, 10_000.0)]),
            route("side", 0.3, vec![step(2, 1, 10_000.0), step(0, 1, 5000.0)]),
        ],
    );
    p.workload.cached_input_share = 0.25;
    let exact = crate::model::exact_summary(&p);
    let pricing = plan_pricing(&p);
    assert!(close(pricing.cost_per_request, exact.cost_per_request));
    let mut replay = Replay::new(Pricing::Plan(pricing));
    let n = 10_000u64;
    // The workload's mean: 1,000 prompt tokens, a quarter cached, 100 out.
    for _ in 0..n {
        replay.add(&request(1000, 250, 100)).expect("adds");
    }
    let total = replay.total().cost_usd;
    let expected = n as f64 * exact.cost_per_request;
    assert!(
        (total - expected).abs() <= 1e-9 * expected,
        "{total} vs {expected}"
    );
}

#[test]
fn a_bucket_is_priced_at_the_tier_of_its_mean_prompt() {
    let mut r = request(0, 0, 0);
    // 10 requests, 2.5M prompt tokens: a mean of 250k, above the tier.
    r.granularity = Granularity::Bucket {
        requests: 10,
        width_s: 86_400,
    };
    r.input_tokens = 2_500_000;
    r.output_tokens = 1000;
    let p = record_price(&tiered(), &r).total();
    assert!(close(p, 2_500_000.0 * 4e-6 + 1000.0 * 12e-6));
    // 10 requests of a mean 150k: below it.
    r.input_tokens = 1_500_000;
    let p = record_price(&tiered(), &r).total();
    assert!(close(p, 1_500_000.0 * 2e-6 + 1000.0 * 8e-6));
}
