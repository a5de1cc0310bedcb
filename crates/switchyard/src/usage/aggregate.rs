//! What an import keeps of a log: counts, sums and histograms, never a
//! request's content. Per model and UTC hour: requests by status, tokens
//! and logged spend summed. Per model: the per-request histograms of input,
//! output and cached tokens and of latency ([`super::bins`]). Per route
//! (model, model group, API base): requests. Per model, hour and price
//! class ([`PriceClassKey`]): the sums a replay prices exactly without the
//! log. Memory grows with the number of models, hours, classes and routes,
//! each capped ([`super::limits`]), never with the number of lines.

use foldhash::HashMap;

use super::bins::{BINS, bin, price_band, whole_ms};
use super::limits::{MAX_CELLS, MAX_MODELS, MAX_PRICE_CLASSES, MAX_ROUTES};
use super::record::{Granularity, Status, UsageRecord};
use super::time::hour_of;

/// One model's traffic in one UTC hour.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Cell {
    pub requests: u64,
    pub successes: u64,
    pub failures: u64,
    /// Requests whose log gives no status (OpenAI buckets, old LiteLLM rows).
    pub unknown_status: u64,
    /// Requests LiteLLM answered from its own cache (no provider called).
    pub cache_hits: u64,
    pub input_tokens: u64,
    pub output_tokens: u64,
    pub cached_tokens: u64,
    /// Requests whose cached tokens the log gives (the rest are unknown, not 0).
    pub cached_known: u64,
    pub spend_usd: f64,
    /// Requests whose spend the log gives.
    pub spend_known: u64,
}

/// What decides how a request is priced, beside its token counts: the
/// requests of one model and hour with the same key are priced exactly as
/// their sums (`usage cost --stored`), because every price rule is linear
/// in the tokens once the tier, the batch price and a cache hit are fixed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PriceClassKey {
    /// [`super::bins::price_band`] of the prompt (a bucket's mean prompt).
    pub band: u8,
    pub batch: bool,
    /// Answered by LiteLLM's own cache: no provider billed.
    pub cache_hit: bool,
    /// The log gives the cached tokens (else they are priced as none).
    pub cached_known: bool,
    /// The log gives the spend.
    pub spend_known: bool,
    /// More cached tokens logged than prompt tokens: such a request pays
    /// no uncached prompt (`max(input − cached, 0)`), which is not linear,
    /// so it is kept apart.
    pub cached_over_input: bool,
}

/// The sums of one price class.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PriceClass {
    pub requests: u64,
    pub input_tokens: u64,
    pub output_tokens: u64,
    pub cached_tokens: u64,
    pub spend_usd: f64,
}

impl PriceClassKey {
    pub fn of(record: &UsageRecord<'_>) -> Self {
        Self {
            band: price_band(record.input_tokens, record.granularity.requests()),
            batch: record.batch,
            cache_hit: record.cache_hit,
            cached_known: record.cached_tokens.is_some(),
            spend_known: record.spend_usd.is_some(),
            cached_over_input: record
                .cached_tokens
                .is_some_and(|c| c > record.input_tokens),
        }
    }
}

/// One per-request histogram: the count of values in each bin and their sum.
/// The sums make a bin's mean exact, so a price tier on a bin edge (200k
/// tokens is one) prices the requests above it exactly from the stored
/// aggregates, with no guess at where in the bin they lie.
#[derive(Debug, Clone, PartialEq)]
pub struct Histogram {
    pub counts: [u64; BINS],
    pub sums: [u64; BINS],
}

impl Default for Histogram {
    fn default() -> Self {
        Self {
            counts: [0; BINS],
            sums: [0; BINS],
        }
    }
}

impl Histogram {
    /// Counts `x` in its bin.
    pub fn add(&mut self, x: u64) {
        let b = bin(x);
        self.counts[b] += 1;
        self.sums[b] = self.sums[b].saturating_add(x);
    }

    /// The non-empty bins: (bin, count, sum).
    pub fn bins(&self) -> impl Iterator<Item = (usize, u64, u64)> + '_ {
        self.counts
            .iter()
            .zip(&self.sums)
            .enumerate()
            .filter(|(_, (n, _))| **n > 0)
            .map(|(b, (n, s))| (b, *n, *s))
    }
}

/// Per-request histograms of one model, by [`super::bins`]. Latency is in
/// whole milliseconds.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Histograms {
    pub input_tokens: Histogram,
    pub output_tokens: Histogram,
    pub cached_tokens: Histogram,
    pub latency_ms: Histogram,
}

/// The histogram kinds, as stored.
pub const HISTOGRAM_KINDS: [&str; 4] = [
    "input_tokens",
    "output_tokens",
    "cached_tokens",
    "latency_ms",
];

impl Histograms {
    pub fn kinds(&self) -> [(&'static str, &Histogram); 4] {
        [
            (HISTOGRAM_KINDS[0], &self.input_tokens),
            (HISTOGRAM_KINDS[1], &self.output_tokens),
            (HISTOGRAM_KINDS[2], &self.cached_tokens),
            (HISTOGRAM_KINDS[3], &self.latency_ms),
        ]
    }
}

/// A model group or API base the log does not give.
const NOT_LOGGED: u32 = u32::MAX;

/// Where a model's requests went: its model group and API base.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Route {
    pub model: u32,
    pub model_group: Option<String>,
    pub api_base: Option<String>,
}

/// Everything an import keeps.
#[derive(Debug, Default)]
pub struct Aggregates {
    models: Vec<String>,
    index: HashMap<String, u32>,
    cells: HashMap<(u32, i64), Cell>,
    histograms: Vec<Histograms>,
    /// (model, model group, API base) → requests, the names by index in
    /// `names` ([`NOT_LOGGED`] when the log does not say): a record's route
    /// is found without copying its strings.
    routes: HashMap<(u32, u32, u32), u64>,
    names: Vec<String>,
    name_index: HashMap<String, u32>,
    price_classes: HashMap<(u32, i64, PriceClassKey), PriceClass>,
    /// The first and last start time seen, ms.
    pub first_ms: Option<i64>,
    pub last_ms: Option<i64>,
    /// The widest bucket seen, seconds; 0 when every record is one request.
    pub resolution_s: i64,
    pub requests: u64,
}

impl Aggregates {
    /// Adds `record`. Refuses (with the reason) only when a cap is reached:
    /// that is about the file as a whole, so the import stops.
    pub fn add(&mut self, record: &UsageRecord<'_>) -> Result<(), String> {
        let model = self.model_index(&record.model)?;
        let requests = record.granularity.requests();
        let hour = hour_of(record.start_ms);
        if !self.cells.contains_key(&(model, hour)) && self.cells.len() >= MAX_CELLS {
            return Err(format!(
                "more than {MAX_CELLS} (model, hour) pairs: split the log by time and import each part"
            ));
        }
        let cell = self.cells.entry((model, hour)).or_default();
        cell.requests = cell.requests.saturating_add(requests);
        match record.status {
            Some(Status::Success) => cell.successes = cell.successes.saturating_add(requests),
            Some(Status::Failure) => cell.failures = cell.failures.saturating_add(requests),
            None => cell.unknown_status = cell.unknown_status.saturating_add(requests),
        }
        if record.cache_hit {
            cell.cache_hits = cell.cache_hits.saturating_add(requests);
        }
        cell.input_tokens = cell.input_tokens.saturating_add(record.input_tokens);
        cell.output_tokens = cell.output_tokens.saturating_add(record.output_tokens);
        if let Some(cached) = record.cached_tokens {
            cell.cached_tokens = cell.cached_tokens.saturating_add(cached);
            cell.cached_known = cell.cached_known.saturating_add(requests);
        }
        if let Some(spend) = record.spend_usd {
            cell.spend_usd += spend;
            cell.spend_known = cell.spend_known.saturating_add(requests);
        }
        self.add_price_class(model, hour, record)?;
        match record.granularity {
            Granularity::Request => {
                let h = self
                    .histograms
                    .get_mut(model as usize)
                    .ok_or("internal: a model without histograms")?;
                h.input_tokens.add(record.input_tokens);
                h.output_tokens.add(record.output_tokens);
                if let Some(cached) = record.cached_tokens {
                    h.cached_tokens.add(cached);
                }
                if let Some(ms) = record.latency_ms {
                    h.latency_ms.add(whole_ms(ms));
                }
            }
            Granularity::Bucket { width_s, .. } => {
                self.resolution_s = self.resolution_s.max(width_s);
            }
        }
        let route = (
            model,
            self.name_id(record.model_group.as_deref())?,
            self.name_id(record.api_base.as_deref())?,
        );
        if let Some(n) = self.routes.get_mut(&route) {
            *n = n.saturating_add(requests);
        } else if self.routes.len() >= MAX_ROUTES {
            return Err(format!(
                "more than {MAX_ROUTES} (model, model_group, api_base) routes"
            ));
        } else {
            self.routes.insert(route, requests);
        }
        self.first_ms = Some(
            self.first_ms
                .map_or(record.start_ms, |f| f.min(record.start_ms)),
        );
        self.last_ms = Some(
            self.last_ms
                .map_or(record.start_ms, |l| l.max(record.start_ms)),
        );
        self.requests = self.requests.saturating_add(requests);
        Ok(())
    }

    fn add_price_class(
        &mut self,
        model: u32,
        hour: i64,
        record: &UsageRecord<'_>,
    ) -> Result<(), String> {
        let key = (model, hour, PriceClassKey::of(record));
        if !self.price_classes.contains_key(&key) && self.price_classes.len() >= MAX_PRICE_CLASSES {
            return Err(format!(
                "more than {MAX_PRICE_CLASSES} price classes (model, hour, prompt band): split the log by time and import each part"
            ));
        }
        let class = self.price_classes.entry(key).or_default();
        class.requests = class.requests.saturating_add(record.granularity.requests());
        class.input_tokens = class.input_tokens.saturating_add(record.input_tokens);
        class.output_tokens = class.output_tokens.saturating_add(record.output_tokens);
        class.cached_tokens = class
            .cached_tokens
            .saturating_add(record.cached_tokens.unwrap_or(0));
        class.spend_usd += record.spend_usd.unwrap_or(0.0);
        Ok(())
    }

    /// Every price class with its sums, by model name, hour and key.
    pub fn price_classes(&self) -> Vec<(&str, i64, PriceClassKey, &PriceClass)> {
        let mut out: Vec<_> = self
            .price_classes
            .iter()
            .map(|((m, h, k), c)| {
                (
                    self.models.get(*m as usize).map_or("", String::as_str),
                    *h,
                    *k,
                    c,
                )
            })
            .collect();
        out.sort_by(|a, b| (a.0, a.1, a.2).cmp(&(b.0, b.1, b.2)));
        out
    }

    /// The index of a model group or API base; [`NOT_LOGGED`] for none.
    fn name_id(&mut self, name: Option<&str>) -> Result<u32, String> {
        let Some(name) = name else {
            return Ok(NOT_LOGGED);
        };
        if let Some(&i) = self.name_index.get(name) {
            return Ok(i);
        }
        // Every route has at most two names of its own.
        if self.names.len() >= 2 * MAX_ROUTES {
            return Err(format!(
                "more than {MAX_ROUTES} (model, model_group, api_base) routes"
            ));
        }
        let i = u32::try_from(self.names.len()).map_err(|_| "too many names")?;
        self.names.push(name.to_owned());
        self.name_index.insert(name.to_owned(), i);
        Ok(i)
    }

    fn model_index(&mut self, model: &str) -> Result<u32, String> {
        if let Some(&i) = self.index.get(model) {
            return Ok(i);
        }
        if self.models.len() >= MAX_MODELS {
            return Err(format!("more than {MAX_MODELS} distinct models"));
        }
        let i = u32::try_from(self.models.len()).map_err(|_| "too many models")?;
        self.models.push(model.to_owned());
        self.index.insert(model.to_owned(), i);
        self.histograms.push(Histograms::default());
        Ok(i)
    }

    /// The models, by index.
    pub fn models(&self) -> &[String] {
        &self.models
    }

    /// Every (model, hour) cell, by model name then hour.
    pub fn cells(&self) -> Vec<(&str, i64, &Cell)> {
        let mut out: Vec<_> = self
            .cells
            .iter()
            .map(|((m, h), c)| {
                (
                    self.models.get(*m as usize).map_or("", String::as_str),
                    *h,
                    c,
                )
            })
            .collect();
        out.sort_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)));
        out
    }

    /// Each model's histograms, by model name.
    pub fn histograms(&self) -> Vec<(&str, &Histograms)> {
        let mut out: Vec<_> = self
            .models
            .iter()
            .map(String::as_str)
            .zip(&self.histograms)
            .collect();
        out.sort_by(|a, b| a.0.cmp(b.0));
        out
    }

    /// Every route with its requests, by model name.
    pub fn routes(&self) -> Vec<(&str, Route, u64)> {
        let name = |i: u32| self.names.get(i as usize).cloned();
        let mut out: Vec<_> = self
            .routes
            .iter()
            .map(|(&(model, group, base), n)| {
                (
                    self.models.get(model as usize).map_or("", String::as_str),
                    Route {
                        model,
                        model_group: name(group),
                        api_base: name(base),
                    },
                    *n,
                )
            })
            .collect();
        out.sort_by(|a, b| {
            (a.0, &a.1.model_group, &a.1.api_base).cmp(&(b.0, &b.1.model_group, &b.1.api_base))
        });
        out
    }

    /// Requests per model, by model name.
    pub fn requests_by_model(&self) -> Vec<(&str, u64)> {
        let mut totals = vec![0u64; self.models.len()];
        for ((m, _), c) in &self.cells {
            if let Some(t) = totals.get_mut(*m as usize) {
                *t = t.saturating_add(c.requests);
            }
        }
        let mut out: Vec<_> = self.models.iter().map(String::as_str).zip(totals).collect();
        out.sort_by(|a, b| a.0.cmp(b.0));
        out
    }
}
