//! The planning model of `MODEL.md` §1–3, as pure functions over plain data.
//!
//! Nothing here does I/O, reads a clock or keeps global state: the same
//! [`Portfolio`] and options always give the same figures. The plan module turns a
//! plan file into a [`Portfolio`]; this module only computes.
//!
//! - [`attempt`]: what one attempt at one step costs and how likely it succeeds.
//! - [`exact`]: closed forms (availability, cost per request without a budget,
//!   served shares), by enumerating failure-group states.
//! - [`latency`]: exact figures under a latency budget, and the latency of
//!   successful requests as a mixture: its CDF and percentiles.
//! - [`simulate`]: the seeded Monte Carlo of single requests, which checks
//!   them and stands in where the mixture would grow too large.
//! - [`histogram`]: the bounded latency histogram the simulation keeps.
//! - [`monthly`]: the outage renewal process behind `monthly_availability`.
//! - [`outage_process`]: the outage process fitted from a group's history:
//!   overdispersed counts, heavy-tailed durations.
//! - [`evaluate`]: puts the figures together into a [`Report`].
//! - [`billed`]: a plan's bill per request as weights on a request's own
//!   tokens, offering by offering (usage replay).
//! - [`request_price`]: what one request with given token counts costs,
//!   tiers, cache and batch included, as LiteLLM prices it.
//! - [`tokens`]: tokens per request as distributions, whose output points
//!   are the request classes the figures mix over.

pub mod attempt;
pub mod billed;
pub mod capacity;
pub mod capacity_sim;
pub mod evaluate;
pub mod exact;
pub mod histogram;
pub mod latency;
pub mod monthly;
pub mod outage_process;
pub mod outage_states;
pub mod outage_window;
pub mod parallel;
pub mod progress;
#[cfg(test)]
mod properties;
pub mod request_price;
pub mod search;
pub mod simulate;
pub mod stats;
pub mod tco;
pub mod tokens;
mod types;

#[cfg(test)]
pub(crate) mod testkit;

pub use evaluate::{
    EvaluateOptions, ExactSummary, Report, evaluate, evaluate_from, evaluate_with_progress,
    exact_summary, summarize,
};
pub use progress::{Cancelled, Progress};
pub use request_price::{RequestPrice, RequestTokens, request_price};
pub use tokens::{TokenMix, TokenMixes};
pub use types::{
    BatchPrices, Group, Offering, OutageMode, Portfolio, PriceTier, Prices, Quota, Route, Step,
    Traffic, Ttft, Workload,
};
