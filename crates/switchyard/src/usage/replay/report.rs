//! What `switchyard usage cost` reports, and its JSON (docs/USAGE.md,
//! `usage cost --json`): per logged model, per UTC day and in total, the
//! requests, the spend as logged and the replayed cost side by side; on a
//! plan, each offering's part; the models left unpriced, by name.

use std::collections::BTreeMap;

use serde::Serialize;

use super::super::bins::is_band_edge;
use super::super::read::ReadSummary;
use super::pricing::Pricing;
use super::tally::{Replay, Tally};

/// One row of the report: a model, a day, or the whole log.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct CostLine {
    pub requests: u64,
    pub priced_requests: u64,
    /// Requests of models without a catalog price: in no `cost_usd`.
    pub unpriced_requests: u64,
    pub cache_hits: u64,
    pub batch_requests: u64,
    pub above_tier_requests: u64,
    pub cached_unknown_requests: u64,
    pub spend_known_requests: u64,
    /// The log's own spend; `null` when the log gives none.
    pub logged_spend_usd: Option<f64>,
    /// The replayed cost of the priced requests; `null` when none is priced
    /// (unknown, never 0).
    pub cost_usd: Option<f64>,
    /// The logged spend of the priced requests alone, which `cost_usd`
    /// compares to; `null` when the log gives no spend.
    pub logged_spend_priced_usd: Option<f64>,
    /// `cost_usd − logged_spend_priced_usd` when every priced request has a
    /// logged spend; else `null`.
    pub difference_usd: Option<f64>,
}

impl CostLine {
    fn of(t: &Tally) -> Self {
        let cost = (t.priced > 0 || t.requests == 0).then_some(t.cost_usd);
        let spend = (t.spend_known > 0).then_some(t.spend_usd);
        let priced_spend = (t.spend_known > 0).then_some(t.priced_spend_usd);
        let comparable = t.priced > 0 && t.spend_known >= t.requests;
        CostLine {
            requests: t.requests,
            priced_requests: t.priced,
            unpriced_requests: t.unpriced,
            cache_hits: t.cache_hits,
            batch_requests: t.batch,
            above_tier_requests: t.above_tier,
            cached_unknown_requests: t.cached_unknown,
            spend_known_requests: t.spend_known,
            logged_spend_usd: spend,
            cost_usd: cost,
            logged_spend_priced_usd: priced_spend,
            difference_usd: comparable.then_some(t.cost_usd - t.priced_spend_usd),
        }
    }
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ModelLine {
    /// The model as the log names it.
    pub model: String,
    /// `--catalog`: the catalog offering it is priced at, `null` if none.
    pub offering: Option<String>,
    /// `--catalog`: how the offering was found (`litellm_key`, `id`,
    /// `litellm_key_without_route`).
    pub matched_by: Option<&'static str>,
    #[serde(flatten)]
    pub line: CostLine,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DayLine {
    /// `YYYY-MM-DD`, UTC.
    pub day: String,
    #[serde(flatten)]
    pub line: CostLine,
}

/// A model the replay could not price, and why.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Unpriced {
    pub model: String,
    pub requests: u64,
    pub logged_spend_usd: Option<f64>,
    pub reason: String,
}

/// `--plan`: one offering of the plan and its part of the replayed cost.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OfferingLine {
    pub offering: String,
    /// E[attempts on it whose input is billed], per request.
    pub billed_input: f64,
    /// E[whole responses billed on it], per request.
    pub billed_output: f64,
    pub cost_usd: f64,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlanInfo {
    pub file: String,
    /// The plan's own cost per request at its mean workload.
    pub cost_per_request: f64,
    pub offerings: Vec<OfferingLine>,
}

/// The log as read.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LogInfo {
    pub file: String,
    pub format: &'static str,
    pub size_bytes: u64,
    pub lines: u64,
    pub records: u64,
    pub skipped: u64,
    pub skipped_by_reason: BTreeMap<String, u64>,
    pub examples: Vec<String>,
}

/// An import of the catalog.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoredImport {
    pub id: i64,
    pub file: String,
}

/// An offering whose price tier is not an edge of the stored price bands
/// ([`crate::usage::bins::PRICE_BAND_EDGES`]): from stored sums, its
/// requests of the band around the threshold are priced at the tier of the
/// band's mean prompt, not each at its own.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InexactTier {
    pub offering: String,
    pub above_tokens: f64,
}

/// `--stored`: what was replayed in place of a log.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoredInfo {
    /// The window asked for, RFC 3339; `null` when open.
    pub since: Option<String>,
    pub until: Option<String>,
    /// Only these models; all when empty.
    pub models: Vec<String>,
    /// The imports whose stored sums were priced.
    pub imports: Vec<StoredImport>,
    /// Imports of the window stored before price classes were kept: in no
    /// figure until imported again with `--replace`.
    pub without_classes: Vec<StoredImport>,
    /// Stored price classes priced (per model, hour and class).
    pub price_classes: u64,
    pub inexact_tiers: Vec<InexactTier>,
}

/// `switchyard usage cost --json`.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CostReport {
    /// `catalog` or `plan`.
    pub basis: &'static str,
    /// `--plan`: the plan and each offering's part; `null` with `--catalog`.
    pub plan: Option<PlanInfo>,
    /// The log replayed; `null` with `--stored`.
    pub log: Option<LogInfo>,
    /// `--stored`: the stored usage replayed; `null` for a log.
    pub stored: Option<StoredInfo>,
    pub total: CostLine,
    pub models: Vec<ModelLine>,
    pub days: Vec<DayLine>,
    /// The models left unpriced, by name; their requests are in no cost.
    pub unpriced: Vec<Unpriced>,
}

impl CostReport {
    /// The report of a finished replay of the log `read` describes.
    pub fn of(replay: &Replay<'_>, read: &ReadSummary) -> Self {
        Self::build(replay, Some(LogInfo::of(read)), None)
    }

    /// The report of a finished replay of stored usage, with the offerings
    /// whose tiers the stored sums cannot price exactly.
    pub fn of_stored(replay: &Replay<'_>, mut stored: StoredInfo) -> Self {
        stored.inexact_tiers = inexact_tiers(replay);
        Self::build(replay, None, Some(stored))
    }

    fn build(replay: &Replay<'_>, log: Option<LogInfo>, stored: Option<StoredInfo>) -> Self {
        let models: Vec<ModelLine> = replay
            .models()
            .into_iter()
            .map(|m| ModelLine {
                model: m.model.clone(),
                offering: m.matched.as_ref().map(|x| x.offering.clone()),
                matched_by: m.matched.as_ref().map(|x| x.rule),
                line: CostLine::of(&m.tally),
            })
            .collect();
        let unpriced = replay
            .models()
            .into_iter()
            .filter(|m| m.tally.unpriced > 0)
            .map(|m| Unpriced {
                model: m.model.clone(),
                requests: m.tally.unpriced,
                logged_spend_usd: (m.tally.spend_known > 0).then_some(m.tally.spend_usd),
                reason: match &m.matched {
                    None => "no catalog offering matches it".to_owned(),
                    Some(x) => format!(
                        "its catalog offering {} has no input or output price",
                        x.offering
                    ),
                },
            })
            .collect();
        let days = replay
            .days()
            .map(|(d, t)| {
                let (y, m, day) = crate::utc::civil_from_days(d);
                DayLine {
                    day: format!("{y:04}-{m:02}-{day:02}"),
                    line: CostLine::of(t),
                }
            })
            .collect();
        let (basis, plan) = match replay.pricing() {
            Pricing::Catalog(_) => ("catalog", None),
            Pricing::Plan(p) => (
                "plan",
                Some(PlanInfo {
                    file: p.file.clone(),
                    cost_per_request: p.cost_per_request,
                    offerings: p
                        .offerings
                        .iter()
                        .zip(replay.by_offering())
                        .map(|(o, cost)| OfferingLine {
                            offering: o.id.clone(),
                            billed_input: o.billed_input,
                            billed_output: o.billed_output,
                            cost_usd: *cost,
                        })
                        .collect(),
                }),
            ),
        };
        CostReport {
            basis,
            plan,
            log,
            stored,
            total: CostLine::of(replay.total()),
            models,
            days,
            unpriced,
        }
    }
}

impl LogInfo {
    fn of(read: &ReadSummary) -> Self {
        LogInfo {
            file: read.file.clone(),
            format: read.format.name(),
            size_bytes: read.size_bytes,
            lines: read.lines,
            records: read.records,
            skipped: read.skipped.values().sum(),
            skipped_by_reason: read
                .skipped
                .iter()
                .map(|(r, n)| (r.to_string(), *n))
                .collect(),
            examples: read.examples.clone(),
        }
    }
}

/// The priced offerings whose tier threshold is not a price band edge.
fn inexact_tiers(replay: &Replay<'_>) -> Vec<InexactTier> {
    let tiers: Vec<(String, f64)> = match replay.pricing() {
        Pricing::Plan(p) => p
            .offerings
            .iter()
            .filter_map(|o| o.prices.tier.map(|t| (o.id.clone(), t.above_tokens)))
            .collect(),
        Pricing::Catalog(_) => replay
            .models()
            .into_iter()
            .filter_map(|m| m.matched.as_ref())
            .filter_map(|x| Some((x.offering.clone(), x.prices?.tier?.above_tokens)))
            .collect(),
    };
    let mut out: Vec<InexactTier> = tiers
        .into_iter()
        .filter(|(_, above)| !is_band_edge(*above))
        .map(|(offering, above_tokens)| InexactTier {
            offering,
            above_tokens,
        })
        .collect();
    out.sort_by(|a, b| a.offering.cmp(&b.offering));
    out.dedup();
    out
}
