//! The figures of workloads with token distributions, against hand values,
//! LiteLLM's own price rule, the simulation and the search's scorer.

use rand::{Rng, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;

use super::{TokenMix, TokenMixes};
use crate::model::exact;
use crate::model::monthly::{Period, monthly};
use crate::model::search::{ChainScorer, StepOption, synthetic};
use crate::model::simulate::simulate;
use crate::model::testkit::{chain, offering, step};
use crate::model::types::{PriceTier, Route, Step};
use crate::model::{Portfolio, RequestTokens, request_price};

/// `portfolio` with its tokens as `input` and `output` distributions.
fn with_mixes(mut portfolio: Portfolio, input: &[(f64, f64)], output: &[(f64, f64)]) -> Portfolio {
    let mixes = TokenMixes {
        input: TokenMix::new(input).expect("a valid input distribution"),
        output: TokenMix::new(output).expect("a valid output distribution"),
    };
    portfolio.workload.input_tokens = mixes.input.mean();
    portfolio.workload.output_tokens = mixes.output.mean();
    portfolio.workload.token_mixes = Some(mixes);
    portfolio
}

/// One always-up offering (500 ms to the first token, 100 tokens/s, $1 in,
/// $2 out per 1M), one attempt with a 5 s timeout; 1,000 input tokens and
/// answers of 100 tokens (90%) or 1,000 (10%).
fn long_answers() -> Portfolio {
    let mut p = chain(vec![offering("a", 1.0)]);
    p.routes[0].steps[0] = step(0, 1, 5_000.0);
    with_mixes(p, &[(1000.0, 1.0)], &[(100.0, 9.0), (1000.0, 1.0)])
}

#[test]
fn a_long_answer_times_out_where_the_mean_answer_would_not() {
    // 100 tokens: 500 + 1,000 ms, inside the 5 s timeout; bill 1,000 × $1/M
    // + 100 × $2/M = $0.0012. 1,000 tokens: 500 + 10,000 ms, cut at 5 s with
    // 4.5 s of output (450 tokens) billed: $0.001 + $0.0009 = $0.0019.
    let f = exact::figures(&long_answers());
    assert!((f.availability - 0.9).abs() < 1e-15, "{}", f.availability);
    let cost = 0.9 * 0.0012 + 0.1 * 0.0019;
    assert!(
        (f.cost_per_request - cost).abs() < 1e-15,
        "{}",
        f.cost_per_request
    );
    assert!((f.routes[0].served[0] - 0.9).abs() < 1e-15);

    // The mean answer (190 tokens, 2.4 s) always succeeds, and pays more.
    let mut mean = chain(vec![offering("a", 1.0)]);
    mean.routes[0].steps[0] = step(0, 1, 5_000.0);
    mean.workload.output_tokens = 190.0;
    let m = exact::figures(&mean);
    assert_eq!(m.availability, 1.0);
    assert!((m.cost_per_request - (0.001 + 190.0 * 2e-6)).abs() < 1e-15);
}

#[test]
fn the_simulation_draws_each_request_s_class() {
    let p = long_answers();
    let n = 200_000;
    let sim = simulate(&p, n, 11);
    let (rate, _) = sim.success_rate();
    // Binomial(n, 0.9): SE 0.00067; 4 SE.
    let se = (0.9f64 * 0.1 / n as f64).sqrt();
    assert!((rate - 0.9).abs() < 4.0 * se, "{rate}");
    // The cost is 0.0012 or 0.0019 by class: SE = 0.0007 · SE of the share.
    let cost = sim.cost.mean();
    assert!((cost - 0.00127).abs() < 4.0 * 0.0007 * se, "{cost}");
}

#[test]
fn the_monthly_sla_mixes_the_classes() {
    // Never down: each month's ratio is the short answers' share, drawn
    // from a million requests (SE 0.0003 a month, 0.00002 over 200).
    let figures = monthly(&long_answers(), Period::Month, 200, 0.95, 3);
    assert!((figures.mean - 0.9).abs() < 1e-4, "{figures:?}");
    assert_eq!(figures.p_meets, 0.0);
}

#[test]
fn each_prompt_pays_its_own_tier_as_litellm_prices_it() {
    let mut a = offering("a", 1.0);
    a.prices.tier = Some(PriceTier {
        above_tokens: 200_000.0,
        input_per_mtok: 2.0,
        cached_input_per_mtok: 1.0,
        output_per_mtok: 4.0,
    });
    let p = with_mixes(
        chain(vec![a.clone()]),
        &[(1000.0, 99.0), (250_000.0, 1.0)],
        &[(100.0, 1.0)],
    );
    // 99%: 1,000 × $1/M + 100 × $2/M; 1%: 250,000 × $2/M + 100 × $4/M.
    let hand = 0.99 * (0.001 + 0.0002) + 0.01 * (0.5 + 0.0004);
    let f = exact::figures(&p);
    assert!(
        (f.cost_per_request - hand).abs() < 1e-15,
        "{}",
        f.cost_per_request
    );
    // LiteLLM's rule (`request_price`, checked against LiteLLM itself) per point.
    let litellm: f64 = [(1000, 0.99), (250_000, 0.01)]
        .iter()
        .map(|&(input, share)| {
            let tokens = RequestTokens {
                input,
                output: 100,
                cached: 0,
            };
            share * request_price(&a.prices, tokens, false).total()
        })
        .sum();
    assert!((f.cost_per_request - litellm).abs() < 1e-15);
    // The mean prompt (3,490 tokens) is under the tier: priced as one, the
    // long prompts' premium is lost.
    let mut mean = chain(vec![a]);
    mean.workload.input_tokens = 3490.0;
    let m = exact::figures(&mean).cost_per_request;
    assert!((m - (0.00349 + 0.0002)).abs() < 1e-15, "{m}");
    assert!(m < 0.6 * hand);
}

#[test]
fn the_search_scores_a_chain_as_the_exact_mixture() {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(5);
    for case in 0..60 {
        let portfolio = synthetic::catalog(case, 5, 3);
        let mut portfolio = with_mixes(
            portfolio,
            &[(300.0, 5.0), (4_000.0, 2.0), (250_000.0, 0.1)],
            &[(50.0, 3.0), (400.0, 5.0), (2_500.0, 1.0)],
        );
        let steps: Vec<Step> = (0..3)
            .map(|o| Step {
                offering: o,
                attempts: rng.random_range(1..=3),
                timeout_ms: rng.random_range(2_000.0..20_000.0),
                backoff_ms: 0.0,
            })
            .collect();
        portfolio.routes = vec![Route {
            name: "chain".to_owned(),
            share: 1.0,
            steps: steps.clone(),
        }];
        let expected = exact::figures(&portfolio);
        let options: Vec<StepOption> = steps
            .iter()
            .map(|&s| StepOption::new(&portfolio, s))
            .collect();
        let refs: Vec<&StepOption> = options.iter().collect();
        let got = ChainScorer::for_portfolio(&portfolio).score(&refs);
        let close = |a: f64, b: f64| (a - b).abs() <= 1e-12 * a.abs().max(b.abs()).max(1e-300);
        assert!(
            close(got.unavailability, expected.unavailability),
            "case {case}: {} vs {}",
            got.unavailability,
            expected.unavailability
        );
        assert!(
            close(got.cost_per_request, expected.cost_per_request),
            "case {case}"
        );
    }
}
