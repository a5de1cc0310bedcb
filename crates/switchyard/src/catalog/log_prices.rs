//! The catalog's prices for the models a usage log names, for re-pricing a
//! log at its own models' prices (`switchyard usage cost --catalog`).
//!
//! A logged model matches, in this order (the first rule that finds one
//! offering wins):
//!
//! 1. `litellm_key`: the offering imported from the LiteLLM map entry of
//!    that key. LiteLLM's spend logs name the model as its map does
//!    (`gpt-4o`, `gemini/gemini-2.5-pro`), which is the key `cost_per_token`
//!    prices it by.
//! 2. `id`: the offering of that id (`openai/gpt-4o`), for logs that name
//!    Switchyard's offerings.
//! 3. `litellm_key_without_route`: for a model `segment/rest`, the offering
//!    whose LiteLLM key is `rest` at a provider the segment names (the
//!    provider is `segment`, or starts with `segment-` or `segment_`, as
//!    [`super::litellm::model_name`] strips a route): a key the import kept
//!    once under another name (an alias of the same offering).
//!
//! A model that matches nothing, or an offering without an input or output
//! price, is unpriced: named in the report with its requests and logged
//! spend, never priced at 0. Prices are the effective ones (overrides
//! applied, inherited figures filled in), as `catalog list` shows them.

use std::collections::HashMap;

use super::error::CatalogError;
use super::litellm::prices_of;
use super::query::{ListFilter, OfferingRow};
use super::store::Catalog;
use crate::usage::replay::Match;

/// The catalog's offerings, indexed for matching logged model names.
#[derive(Debug)]
pub struct LogPrices {
    rows: Vec<OfferingRow>,
    by_key: HashMap<String, usize>,
    by_id: HashMap<String, usize>,
}

impl Catalog {
    /// Every offering, ready to match a log's models.
    pub fn log_prices(&self) -> Result<LogPrices, CatalogError> {
        let rows = self.list(&ListFilter::default())?;
        let mut by_key = HashMap::new();
        let mut by_id = HashMap::new();
        for (i, r) in rows.iter().enumerate() {
            if let Some(k) = &r.litellm_key {
                by_key.entry(k.clone()).or_insert(i);
            }
            by_id.insert(r.id.clone(), i);
        }
        Ok(LogPrices {
            rows,
            by_key,
            by_id,
        })
    }
}

impl LogPrices {
    /// The offering `model` matches, by the rules above, with its prices.
    pub fn find(&self, model: &str) -> Option<Match> {
        let (at, rule) = if let Some(&i) = self.by_key.get(model) {
            (i, "litellm_key")
        } else if let Some(&i) = self.by_id.get(model) {
            (i, "id")
        } else {
            let (segment, rest) = model.split_once('/')?;
            let &i = self.by_key.get(rest)?;
            let provider = &self.rows[i].provider;
            let named = provider == segment
                || provider.starts_with(&format!("{segment}-"))
                || provider.starts_with(&format!("{segment}_"));
            if !named {
                return None;
            }
            (i, "litellm_key_without_route")
        };
        let row = &self.rows[at];
        let figures = crate::catalog::fields::Field::ALL
            .iter()
            .filter_map(|f| Some((*f, row.figures.number(*f)?)));
        Some(Match {
            offering: row.id.clone(),
            rule,
            prices: prices_of(figures),
        })
    }
}
