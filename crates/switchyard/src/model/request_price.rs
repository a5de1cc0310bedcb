//! What one request costs, given its token counts: the rule of `MODEL.md`
//! §3.8, which is LiteLLM 1.106.2's
//! `litellm.cost_per_token` for the same model and usage.
//!
//! The planning figures (§2–3) price a *mean* request with a cached share; a
//! usage log has real requests, whose long prompts cross price tiers and
//! whose cached tokens are counted. Re-pricing a log must give what the
//! gateway billed, to the cent, so this follows LiteLLM's own arithmetic
//! (`generic_cost_per_token` and `_get_token_base_cost` in
//! `litellm/litellm_core_utils/llm_cost_calc/utils.py`,
//! `batch_cost_calculator` in `litellm/cost_calculator.py`) step by step,
//! in the same order of floating-point operations:
//!
//! - `input` counts every prompt token, cached ones included; the uncached
//!   ones are `max(input - cached, 0)`, and the cached ones all pay the cached
//!   price (LiteLLM does not cap them at the prompt);
//! - the tier applies when `input > above_tokens`, to **all** tokens of the
//!   request (input, cached and output), not only to those above;
//! - prompt cost = uncached × input price + cached × cached price, output cost
//!   = output × output price, each price per token (per 1M / 10^6);
//! - a batch request ignores the tier and pays the batch prices
//!   ([`super::BatchPrices`]).

use super::types::Prices;

/// The token counts of one request, as a spend log records them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RequestTokens {
    /// Prompt tokens, cached ones included (LiteLLM's `prompt_tokens`).
    pub input: u64,
    /// Completion tokens.
    pub output: u64,
    /// Prompt tokens read from the provider's cache
    /// (`cache_read_input_tokens`).
    pub cached: u64,
}

/// A request's cost in USD, split as LiteLLM splits it.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct RequestPrice {
    /// The prompt, cached tokens included.
    pub input_usd: f64,
    pub output_usd: f64,
}

impl RequestPrice {
    /// `input_usd + output_usd`, the sum LiteLLM's callers take.
    pub fn total(&self) -> f64 {
        self.input_usd + self.output_usd
    }
}

/// USD per 1M tokens to USD per token, as LiteLLM's map states prices.
fn per_token(per_mtok: f64) -> f64 {
    per_mtok / 1e6
}

/// The price of one request with `tokens` on an offering with `prices`, sent
/// through the batch API when `batch`. Pure: no lookup, no allocation, so a
/// log of a million lines is priced in milliseconds.
pub fn request_price(prices: &Prices, tokens: RequestTokens, batch: bool) -> RequestPrice {
    // Token counts are exact in a double up to 2^53, as in Python's
    // int-to-float multiplication.
    let input = tokens.input as f64;
    let cached = tokens.cached as f64;
    let output = tokens.output as f64;
    if batch {
        let b = &prices.batch;
        let input_usd = match b.cached_input_per_mtok {
            None => input * per_token(b.input_per_mtok),
            Some(cached_price) => {
                let uncached = tokens.input.saturating_sub(tokens.cached) as f64;
                uncached * per_token(b.input_per_mtok) + cached * per_token(cached_price)
            }
        };
        return RequestPrice {
            input_usd,
            output_usd: output * per_token(b.output_per_mtok),
        };
    }
    let (input_price, cached_price, output_price) = prices.for_prompt(input);
    let uncached = tokens.input.saturating_sub(tokens.cached) as f64;
    RequestPrice {
        input_usd: uncached * per_token(input_price) + cached * per_token(cached_price),
        output_usd: output * per_token(output_price),
    }
}

#[cfg(test)]
#[path = "request_price_tests.rs"]
mod tests;
