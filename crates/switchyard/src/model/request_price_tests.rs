//! Hand-computed prices: each expected value is worked out in the comment
//! above it from the list prices, not from the code under test.

use super::*;
use crate::model::{BatchPrices, PriceTier};

/// Gemini 2.5 Pro's prices in the LiteLLM 1.106.2 map: 1.25 / 0.125 / 10 USD
/// per 1M tokens, and 2.5 / 0.25 / 15 above 200k prompt tokens.
fn gemini_pro() -> Prices {
    Prices {
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
    }
}

fn tokens(input: u64, output: u64, cached: u64) -> RequestTokens {
    RequestTokens {
        input,
        output,
        cached,
    }
}

fn assert_usd(got: f64, want: f64) {
    assert!(
        (got - want).abs() <= 1e-12 * want.abs().max(1e-12),
        "got {got}, want {want}"
    );
}

#[test]
fn a_request_above_the_tier_pays_the_tier_on_all_its_tokens() {
    // 250,000 prompt tokens > 200,000: every token at the tier's prices.
    // Uncached 150,000 × 2.5e-6 = 0.375; cached 100,000 × 2.5e-7 = 0.025;
    // output 900 × 1.5e-5 = 0.0135. Total 0.4135 USD.
    let p = request_price(&gemini_pro(), tokens(250_000, 900, 100_000), false);
    assert_usd(p.input_usd, 0.4);
    assert_usd(p.output_usd, 0.0135);
    assert_usd(p.total(), 0.4135);
    // Not only the 50,000 above the threshold: that would be
    // 200,000 × 1.25e-6 + 50,000 × 2.5e-6 = 0.375 without cache at all.
    let flat = request_price(&gemini_pro(), tokens(250_000, 0, 0), false);
    assert_usd(flat.total(), 0.625);
}

#[test]
fn the_threshold_itself_is_below_the_tier() {
    // 200,000 is not above 200,000: 200,000 × 1.25e-6 + 1 × 1e-5 = 0.25001.
    let p = request_price(&gemini_pro(), tokens(200_000, 1, 0), false);
    assert_usd(p.total(), 0.25001);
    // One more prompt token crosses it: 200,001 × 2.5e-6 + 1 × 1.5e-5.
    let p = request_price(&gemini_pro(), tokens(200_001, 1, 0), false);
    assert_usd(p.total(), 0.5000175);
}

#[test]
fn cache_reads_are_taken_out_of_the_prompt_and_pay_the_cached_price() {
    // 1,000 prompt tokens of which 400 cached, 50 out:
    // 600 × 1.25e-6 = 0.00075; 400 × 1.25e-7 = 0.00005; 50 × 1e-5 = 0.0005.
    let p = request_price(&gemini_pro(), tokens(1_000, 50, 400), false);
    assert_usd(p.input_usd, 0.0008);
    assert_usd(p.total(), 0.0013);
}

#[test]
fn more_cached_than_prompt_tokens_bills_every_cached_token() {
    // LiteLLM clamps the uncached count at 0 but bills all 300 cached
    // tokens: 300 × 1.25e-7 + 10 × 1e-5 = 0.0000375 + 0.0001.
    let p = request_price(&gemini_pro(), tokens(100, 10, 300), false);
    assert_usd(p.total(), 0.0001375);
}

#[test]
fn a_batch_request_pays_the_batch_prices_and_no_tier() {
    // With a batch input price cached tokens are not set apart:
    // 250,000 × 6.25e-7 = 0.15625; output 900 × 5e-6 = 0.0045.
    let p = request_price(&gemini_pro(), tokens(250_000, 900, 100_000), true);
    assert_usd(p.input_usd, 0.15625);
    assert_usd(p.output_usd, 0.0045);
    // Without batch prices the resolver halves the list prices and the
    // cached price: 600 × 6.25e-7 + 400 × 6.25e-8 + 50 × 5e-6
    // = 0.000375 + 0.000025 + 0.00025 = 0.00065.
    let mut halved = gemini_pro();
    halved.batch = BatchPrices {
        input_per_mtok: 0.625,
        cached_input_per_mtok: Some(0.0625),
        output_per_mtok: 5.0,
    };
    let p = request_price(&halved, tokens(1_000, 50, 400), true);
    assert_usd(p.total(), 0.00065);
}

#[test]
fn a_model_with_no_tier_pays_its_list_prices_at_any_length() {
    // Claude Sonnet 4.5 in the map: 3 / 0.3 / 15, no tier.
    let sonnet = Prices {
        input_per_mtok: 3.0,
        cached_input_per_mtok: 0.3,
        output_per_mtok: 15.0,
        ..Prices::default()
    };
    // 250,000 × 3e-6 = 0.75; 1,000 × 1.5e-5 = 0.015.
    assert_usd(
        request_price(&sonnet, tokens(250_000, 1_000, 0), false).total(),
        0.765,
    );
    // With 100,000 cached: 150,000 × 3e-6 + 100,000 × 3e-7 = 0.45 + 0.03.
    assert_usd(
        request_price(&sonnet, tokens(250_000, 0, 100_000), false).total(),
        0.48,
    );
}

#[test]
fn no_tokens_cost_nothing() {
    assert_eq!(
        request_price(&gemini_pro(), RequestTokens::default(), false).total(),
        0.0
    );
    assert_eq!(
        request_price(&gemini_pro(), RequestTokens::default(), true).total(),
        0.0
    );
}

#[test]
fn the_largest_counts_stay_finite() {
    // u64::MAX tokens at a dollar a token: about 1.8e19 USD, finite.
    let dear = Prices {
        input_per_mtok: 1e6,
        cached_input_per_mtok: 1e6,
        output_per_mtok: 1e6,
        ..Prices::default()
    };
    let p = request_price(&dear, tokens(u64::MAX, u64::MAX, u64::MAX), false);
    assert!(p.total().is_finite() && p.total() > 1e19);
}
