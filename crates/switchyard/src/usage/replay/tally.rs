//! The replay's record sink: each record priced as it is read
//! ([`super::pricing`]) and added to its model's, its UTC day's and (on a
//! plan) each offering's totals. Memory grows with the models and days,
//! each capped, never with the lines.

use std::collections::BTreeMap;

use foldhash::HashMap;

use super::super::limits::MAX_MODELS;
use super::super::read::RecordSink;
use super::super::record::UsageRecord;
use super::pricing::{Match, Pricing, above_tier};

/// At most this many UTC days in one replay: 100 years.
pub const MAX_DAYS: usize = 36_525;

const DAY_MS: i64 = 86_400_000;

/// Requests, logged spend and replayed cost of some part of the log.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Tally {
    pub requests: u64,
    /// Requests the replay priced.
    pub priced: u64,
    /// Requests of models the catalog has no price for: not in `cost_usd`.
    pub unpriced: u64,
    /// Requests answered by LiteLLM's own cache: no provider was called, so
    /// they cost nothing, on the log's bill as on the plan's.
    pub cache_hits: u64,
    /// Requests sent through the batch API (batch prices).
    pub batch: u64,
    /// Priced requests whose prompt crossed their offering's price tier
    /// (`--catalog`; on a plan, tiers are the offerings', counted there).
    pub above_tier: u64,
    /// Requests whose log does not give their cached tokens (priced as none).
    pub cached_unknown: u64,
    /// Requests whose spend the log gives, and its sum.
    pub spend_known: u64,
    pub spend_usd: f64,
    /// The logged spend of the priced requests: what `cost_usd` compares to.
    pub priced_spend_usd: f64,
    /// The replayed cost of the priced requests.
    pub cost_usd: f64,
}

impl Tally {
    fn add(&mut self, requests: u64, record: &UsageRecord<'_>, cost: Option<f64>, tiered: bool) {
        self.requests = self.requests.saturating_add(requests);
        if record.cache_hit {
            self.cache_hits = self.cache_hits.saturating_add(requests);
        }
        if record.batch {
            self.batch = self.batch.saturating_add(requests);
        }
        if record.cached_tokens.is_none() {
            self.cached_unknown = self.cached_unknown.saturating_add(requests);
        }
        if let Some(spend) = record.spend_usd {
            self.spend_known = self.spend_known.saturating_add(requests);
            self.spend_usd += spend;
        }
        match cost {
            Some(cost) => {
                self.priced = self.priced.saturating_add(requests);
                self.cost_usd += cost;
                self.priced_spend_usd += record.spend_usd.unwrap_or(0.0);
                if tiered {
                    self.above_tier = self.above_tier.saturating_add(requests);
                }
            }
            None => self.unpriced = self.unpriced.saturating_add(requests),
        }
    }
}

/// One logged model: its catalog match (`--catalog`) and its totals.
#[derive(Debug, Clone)]
pub struct ModelTally {
    pub model: String,
    /// `--catalog` only: the offering it was matched to, if any.
    pub matched: Option<Match>,
    pub tally: Tally,
}

/// A replay in progress: the sink the read pass feeds.
#[derive(Debug)]
pub struct Replay<'a> {
    pricing: Pricing<'a>,
    models: Vec<ModelTally>,
    index: HashMap<String, usize>,
    days: BTreeMap<i64, Tally>,
    /// `--plan`: each plan offering's part of the cost.
    by_offering: Vec<f64>,
    total: Tally,
}

impl<'a> Replay<'a> {
    pub fn new(pricing: Pricing<'a>) -> Self {
        let by_offering = match &pricing {
            Pricing::Plan(plan) => vec![0.0; plan.offerings.len()],
            Pricing::Catalog(_) => Vec::new(),
        };
        Self {
            pricing,
            models: Vec::new(),
            index: HashMap::default(),
            days: BTreeMap::new(),
            by_offering,
            total: Tally::default(),
        }
    }

    fn model(&mut self, name: &str) -> Result<usize, String> {
        if let Some(&i) = self.index.get(name) {
            return Ok(i);
        }
        if self.models.len() >= MAX_MODELS {
            return Err(format!("more than {MAX_MODELS} distinct models"));
        }
        let matched = match &mut self.pricing {
            Pricing::Catalog(find) => find(name),
            Pricing::Plan(_) => None,
        };
        self.models.push(ModelTally {
            model: name.to_owned(),
            matched,
            tally: Tally::default(),
        });
        self.index.insert(name.to_owned(), self.models.len() - 1);
        Ok(self.models.len() - 1)
    }

    /// Each logged model with its totals, by name.
    pub fn models(&self) -> Vec<&ModelTally> {
        let mut out: Vec<&ModelTally> = self.models.iter().collect();
        out.sort_by(|a, b| a.model.cmp(&b.model));
        out
    }

    /// Each UTC day (days since 1970-01-01) with its totals, in order.
    pub fn days(&self) -> impl Iterator<Item = (i64, &Tally)> {
        self.days.iter().map(|(d, t)| (*d, t))
    }

    /// `--plan`: each plan offering's part of the cost, in plan order.
    pub fn by_offering(&self) -> &[f64] {
        &self.by_offering
    }

    pub fn total(&self) -> &Tally {
        &self.total
    }

    pub fn pricing(&self) -> &Pricing<'a> {
        &self.pricing
    }
}

impl RecordSink for Replay<'_> {
    /// A replay stores nothing, so it needs no hash of the file.
    fn wants_hash(&self) -> bool {
        false
    }

    fn add(&mut self, record: &UsageRecord<'_>) -> Result<(), String> {
        let m = self.model(&record.model)?;
        let day = record.start_ms.div_euclid(DAY_MS);
        if !self.days.contains_key(&day) && self.days.len() >= MAX_DAYS {
            return Err(format!(
                "more than {MAX_DAYS} days: split the log by time and replay each part"
            ));
        }
        let requests = record.granularity.requests();
        let (cost, tiered) = if record.cache_hit {
            (Some(0.0), false)
        } else {
            match &self.pricing {
                Pricing::Plan(plan) => (Some(plan.cost(record, &mut self.by_offering)), false),
                Pricing::Catalog(_) => match self.models[m].matched.as_ref().and_then(|x| x.prices)
                {
                    Some(prices) => (
                        Some(super::pricing::record_price(&prices, record).total()),
                        above_tier(&prices, record),
                    ),
                    None => (None, false),
                },
            }
        };
        self.models[m].tally.add(requests, record, cost, tiered);
        self.days
            .entry(day)
            .or_default()
            .add(requests, record, cost, tiered);
        self.total.add(requests, record, cost, tiered);
        Ok(())
    }
}
