//! What one logged record costs: its own tokens priced by the per-request
//! rule of `MODEL.md` §3.8 ([`crate::model::request_price`]), at its own
//! model's catalog prices or on a plan's offerings (§3.9).

use crate::model::{Prices, RequestPrice, RequestTokens, request_price};

use super::super::record::{Granularity, UsageRecord};

/// A logged model's catalog offering, as the catalog matched it
/// (`catalog::log_prices` states the matching rule).
#[derive(Debug, Clone, PartialEq)]
pub struct Match {
    /// The offering's id.
    pub offering: String,
    /// How it was matched: `litellm_key`, `id` or `litellm_key_without_route`.
    pub rule: &'static str,
    /// Its prices; `None` when the offering lacks an input or output price,
    /// so the model is unpriced (named, never priced at 0).
    pub prices: Option<Prices>,
}

/// One offering of a plan with its weights ([`crate::model::billed`]).
#[derive(Debug, Clone, PartialEq)]
pub struct PlanOffering {
    pub id: String,
    pub prices: Prices,
    /// E[attempts on it whose input is billed] per request.
    pub billed_input: f64,
    /// E[whole responses billed on it] per request.
    pub billed_output: f64,
}

/// A plan as a replay prices on it: the offerings its routes use.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanPricing {
    /// The plan's file, as given.
    pub file: String,
    pub offerings: Vec<PlanOffering>,
    /// The plan's own `cost_per_request` at its mean workload.
    pub cost_per_request: f64,
}

impl PlanPricing {
    /// The record's expected cost on the plan: `Σ_o billed_input_o × prompt
    /// cost_o + billed_output_o × output cost_o`, each cost the record's own
    /// tokens at offering `o`'s prices. Each offering's part is added to
    /// `by_offering`.
    pub fn cost(&self, record: &UsageRecord<'_>, by_offering: &mut [f64]) -> f64 {
        let mut total = 0.0;
        for (o, slot) in self.offerings.iter().zip(by_offering.iter_mut()) {
            if o.billed_input == 0.0 && o.billed_output == 0.0 {
                continue;
            }
            let p = record_price(&o.prices, record);
            let part = o.billed_input * p.input_usd + o.billed_output * p.output_usd;
            *slot += part;
            total += part;
        }
        total
    }
}

/// How a replay prices records.
pub enum Pricing<'a> {
    /// Each record at its own model's catalog prices: `find(model)` is asked
    /// once per distinct model.
    Catalog(&'a mut dyn FnMut(&str) -> Option<Match>),
    /// Each record routed on a plan.
    Plan(PlanPricing),
}

impl std::fmt::Debug for Pricing<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Pricing::Catalog(_) => f.write_str("Pricing::Catalog"),
            Pricing::Plan(plan) => f.debug_tuple("Pricing::Plan").field(plan).finish(),
        }
    }
}

/// The price of one record's tokens at `prices`.
///
/// A request is priced by the per-request rule, its cached tokens (0 when
/// the log does not say) out of the prompt, batch prices when it was a batch
/// call. A bucket of *N* requests (OpenAI's usage export) has only sums: it
/// is priced as its sums, at the tier its mean prompt (`input / N`) falls
/// in, which is exact unless its requests fall on both sides of a tier's
/// threshold; a batch bucket ignores tiers, so it is exact.
pub fn record_price(prices: &Prices, record: &UsageRecord<'_>) -> RequestPrice {
    let tokens = RequestTokens {
        input: record.input_tokens,
        output: record.output_tokens,
        cached: record.cached_tokens.unwrap_or(0),
    };
    match record.granularity {
        Granularity::Request => request_price(prices, tokens, record.batch),
        Granularity::Bucket { requests, .. } => request_price(
            &bucket_prices(prices, tokens.input, requests),
            tokens,
            record.batch,
        ),
    }
}

/// `prices` with the tier resolved for a bucket whose mean prompt is
/// `input / requests`: the tier's prices in place of the list prices when
/// the mean is above the threshold, and no tier left to apply to the sums.
fn bucket_prices(prices: &Prices, input: u64, requests: u64) -> Prices {
    let mut flat = Prices {
        tier: None,
        ..*prices
    };
    if let Some(t) = prices.tier
        && requests > 0
        && input as f64 / requests as f64 > t.above_tokens
    {
        flat.input_per_mtok = t.input_per_mtok;
        flat.cached_input_per_mtok = t.cached_input_per_mtok;
        flat.output_per_mtok = t.output_per_mtok;
    }
    flat
}

/// Whether the record's prompt crosses `prices`' tier (a bucket: its mean
/// prompt), for the report's count of tiered requests.
pub fn above_tier(prices: &Prices, record: &UsageRecord<'_>) -> bool {
    let Some(t) = prices.tier else { return false };
    if record.batch {
        return false;
    }
    let requests = record.granularity.requests().max(1);
    record.input_tokens as f64 / requests as f64 > t.above_tokens
}
