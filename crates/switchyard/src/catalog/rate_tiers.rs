//! Published rate-limit tiers, the tier the user is on, and the limits probes
//! observed: where an offering's `rpm_limit`, `input_tpm_limit` and
//! `output_tpm_limit` come from when it has none of its own.
//!
//! Providers publish their limits per account tier, and which tier an account
//! is on only its owner knows, so the catalog carries every tier (seeded from
//! the embedded `rate_tiers.toml`, each figure with its page and the date it
//! was read) and the user says which one applies (`switchyard catalog tier
//! PROVIDER TIER`). A probe's response headers state the account's actual
//! limits, which beat any published table. The order, most specific first:
//!
//! 1. the offering's own figure: an override (`catalog set`) or an imported one;
//! 2. the limits the newest probe of the offering observed in its headers;
//! 3. the chosen tier's figures for the offering's model.
//!
//! Neither 2 nor 3 is stored as a figure: a new probe or another tier changes
//! the offering at once, and every such figure says where it came from
//! ([`super::inherit`] reports it like any inherited figure).

use std::collections::BTreeMap;

use rusqlite::{Connection, OptionalExtension, Transaction, TransactionBehavior, params};
use serde::{Deserialize, Serialize};

use super::error::{CatalogError, SqlContext, quote};
use super::fields::{Field, Value};
use super::observed_limits::{ObservedLimits, RequestsHeader, parse_limits};
use super::store::Catalog;
use crate::probe::RateLimits;

/// The embedded tier table.
pub const RATE_TIERS_TOML: &str = include_str!("rate_tiers.toml");

/// Probes read back, newest first, looking for one whose headers state a
/// limit: a bound, so that an offering probed a million times without such
/// headers costs one short query, not a scan.
const PROBES_SEARCHED: i64 = 200;

/// `rate_tiers.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TierTable {
    pub tiers: Vec<TierDef>,
    #[serde(default)]
    pub limits: Vec<LimitDef>,
}

/// A provider's tiers, lowest first.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TierDef {
    pub provider: String,
    pub names: Vec<String>,
    pub source: String,
    pub read: String,
}

/// One tier's figures for a model (or a prefix ending in `*`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LimitDef {
    pub provider: String,
    pub tier: String,
    pub model: String,
    pub rpm: Option<f64>,
    pub input_tpm: Option<f64>,
    pub output_tpm: Option<f64>,
    /// Input and output together, where that is what the provider publishes.
    pub tpm: Option<f64>,
    pub source: String,
    pub read: String,
    pub note: Option<String>,
}

/// The embedded table, checked.
pub fn embedded() -> Result<TierTable, CatalogError> {
    parse(RATE_TIERS_TOML, "rate_tiers.toml")
}

/// Parses and checks a tier table; `file` names it in errors.
pub fn parse(text: &str, file: &str) -> Result<TierTable, CatalogError> {
    let table: TierTable = toml::from_str(text).map_err(|e| CatalogError::File {
        file: file.to_owned(),
        reason: e.to_string(),
    })?;
    check(&table, file)?;
    Ok(table)
}

fn check(t: &TierTable, file: &str) -> Result<(), CatalogError> {
    let mut providers = BTreeMap::new();
    for def in &t.tiers {
        let entry = format!("tiers of {}", def.provider);
        if def.names.is_empty() {
            return Err(CatalogError::entry(file, &entry, "names", "no tier named"));
        }
        for name in &def.names {
            if normalize(name) != *name {
                return Err(CatalogError::entry(
                    file,
                    &entry,
                    "names",
                    format!("`{}` is not lowercase with `-` between words", quote(name)),
                ));
            }
        }
        check_date(file, &entry, &def.read)?;
        if providers.insert(def.provider.as_str(), def).is_some() {
            return Err(CatalogError::entry(
                file,
                &entry,
                "provider",
                "listed twice",
            ));
        }
    }
    let mut keys = std::collections::HashSet::new();
    for l in &t.limits {
        let entry = format!("{} {} {}", l.provider, l.tier, l.model);
        let Some(def) = providers.get(l.provider.as_str()) else {
            return Err(CatalogError::entry(
                file,
                &entry,
                "provider",
                "has no [[tiers]] entry",
            ));
        };
        if !def.names.contains(&l.tier) {
            return Err(CatalogError::entry(
                file,
                &entry,
                "tier",
                format!("not one of {}", def.names.join(", ")),
            ));
        }
        if !keys.insert((&l.provider, &l.tier, &l.model)) {
            return Err(CatalogError::entry(file, &entry, "model", "listed twice"));
        }
        if l.model.is_empty() || l.model[..l.model.len() - 1].contains('*') {
            return Err(CatalogError::entry(
                file,
                &entry,
                "model",
                "a model name, or a prefix with one `*` at its end",
            ));
        }
        if l.tpm.is_some() && (l.input_tpm.is_some() || l.output_tpm.is_some()) {
            return Err(CatalogError::entry(
                file,
                &entry,
                "tpm",
                "a combined tpm and a per-side input_tpm/output_tpm exclude each other",
            ));
        }
        let figures = [
            ("rpm", Field::RpmLimit, l.rpm),
            ("input_tpm", Field::InputTpmLimit, l.input_tpm),
            ("output_tpm", Field::OutputTpmLimit, l.output_tpm),
            ("tpm", Field::InputTpmLimit, l.tpm),
        ];
        if figures.iter().all(|(_, _, v)| v.is_none()) {
            return Err(CatalogError::entry(
                file,
                &entry,
                "rpm",
                "no figure given: leave the tier without a row instead",
            ));
        }
        for (name, field, value) in figures {
            if let Some(x) = value {
                field
                    .check(&Value::Number(x))
                    .map_err(|reason| CatalogError::entry(file, &entry, name, reason))?;
            }
        }
        if !l.source.starts_with("https://") {
            return Err(CatalogError::entry(
                file,
                &entry,
                "source",
                "not an https URL",
            ));
        }
        check_date(file, &entry, &l.read)?;
    }
    Ok(())
}

fn check_date(file: &str, entry: &str, date: &str) -> Result<(), CatalogError> {
    if crate::utc::is_iso_date(date) {
        return Ok(());
    }
    Err(CatalogError::entry(
        file,
        entry,
        "read",
        format!(
            "`{}` is not a calendar date written YYYY-MM-DD",
            quote(date)
        ),
    ))
}

/// A tier or provider name as typed: lowercase, `-` for spaces and `_`, so
/// that `Tier 1`, `tier_1` and `tier-1` name the same tier.
pub fn normalize(name: &str) -> String {
    name.trim()
        .to_lowercase()
        .split([' ', '_', '-'])
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join("-")
}

/// Writes the embedded tier table, inside `tx` (the migration's).
pub(crate) fn seed(tx: &Transaction<'_>, db: &str) -> Result<(), CatalogError> {
    let table = embedded().map_err(|e| CatalogError::DefaultCatalog(e.to_string()))?;
    write_table(tx, db, &table)
}

/// Replaces the tier table by `table`, keeping each provider's chosen tier
/// where the new table still has it. The caller's transaction makes it all or
/// nothing.
pub(crate) fn write_table(
    conn: &Connection,
    db: &str,
    table: &TierTable,
) -> Result<(), CatalogError> {
    let doing = "writing the rate-limit tiers";
    conn.execute(
        "DELETE FROM chosen_tiers WHERE NOT EXISTS (SELECT 1 FROM rate_tiers t
             WHERE t.provider = chosen_tiers.provider AND t.tier = chosen_tiers.tier)",
        [],
    )
    .doing(db, doing)?;
    conn.execute("DELETE FROM rate_tier_limits", [])
        .doing(db, doing)?;
    for def in &table.tiers {
        for (rank, name) in def.names.iter().enumerate() {
            conn.execute(
                "INSERT INTO rate_tiers (provider, tier, rank, source_url, read_on) VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (provider, tier) DO UPDATE SET rank = excluded.rank,
                     source_url = excluded.source_url, read_on = excluded.read_on",
                params![def.provider, name, rank as i64, def.source, def.read],
            )
            .doing(db, doing)?;
        }
    }
    for l in &table.limits {
        conn.execute(
            "INSERT INTO rate_tier_limits (provider, tier, model, rpm, input_tpm, output_tpm, tpm, source_url, read_on, note)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            params![l.provider, l.tier, l.model, l.rpm, l.input_tpm, l.output_tpm, l.tpm, l.source, l.read, l.note],
        )
        .doing(db, &format!("writing the rate-limit tier {} {} {}", l.provider, l.tier, l.model))?;
    }
    Ok(())
}

/// One tier's figures for a model or model prefix, with their source.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TierLimit {
    pub model: String,
    pub rpm: Option<f64>,
    pub input_tpm: Option<f64>,
    pub output_tpm: Option<f64>,
    /// Input and output together; it bounds each side.
    pub tpm: Option<f64>,
    pub source_url: String,
    pub read_on: String,
    pub note: Option<String>,
}

impl TierLimit {
    /// How well the row's `model` matches `model`: `None` for no match, else
    /// higher for a closer one (an exact name beats every prefix, a longer
    /// prefix a shorter).
    fn matches(&self, model: &str) -> Option<usize> {
        match self.model.strip_suffix('*') {
            Some(prefix) => model.starts_with(prefix).then_some(prefix.len()),
            None => (self.model == model).then_some(usize::MAX),
        }
    }

    /// The figure of `field`: a combined `tpm` stands for either side.
    pub fn get(&self, field: Field) -> Option<f64> {
        match field {
            Field::RpmLimit => self.rpm,
            Field::InputTpmLimit => self.input_tpm.or(self.tpm),
            Field::OutputTpmLimit => self.output_tpm.or(self.tpm),
            _ => None,
        }
    }
}

/// One tier of a provider.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TierInfo {
    pub name: String,
    pub chosen: bool,
    /// Its published figures; empty where none were found.
    pub limits: Vec<TierLimit>,
}

/// A provider's tiers and the one chosen.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProviderTiers {
    pub provider: String,
    /// The provider's name in the catalog, if the catalog has it.
    pub name: Option<String>,
    pub chosen: Option<String>,
    pub chosen_at: Option<String>,
    /// The provider's page naming its tiers, and when it was read.
    pub source_url: String,
    pub read_on: String,
    pub tiers: Vec<TierInfo>,
}

/// What `catalog tier PROVIDER TIER` changed.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TierChange {
    pub provider: String,
    pub old: Option<String>,
    pub new: Option<String>,
}

/// The tier chosen for a provider and its figures.
#[derive(Debug, Clone, PartialEq)]
pub struct ChosenTier {
    pub tier: String,
    pub limits: Vec<TierLimit>,
}

impl ChosenTier {
    /// The row that applies to `model`: the closest match.
    pub fn for_model(&self, model: &str) -> Option<&TierLimit> {
        self.limits
            .iter()
            .filter_map(|l| Some((l.matches(model)?, l)))
            .max_by_key(|(score, _)| *score)
            .map(|(_, l)| l)
    }
}

/// A `rate_tiers` row with its provider's name and chosen tier: provider,
/// tier, source URL, date read, provider name, chosen tier, chosen at.
type TierRow = (
    String,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
);

/// The limits one probe observed, and when.
#[derive(Debug, Clone, PartialEq)]
pub struct Observed {
    pub limits: ObservedLimits,
    pub started_at_ms: i64,
}

fn limit_rows(
    conn: &Connection,
    db: &str,
    provider: &str,
    tier: &str,
) -> Result<Vec<TierLimit>, CatalogError> {
    conn.prepare_cached(
        "SELECT model, rpm, input_tpm, output_tpm, tpm, source_url, read_on, note
         FROM rate_tier_limits WHERE provider = ?1 AND tier = ?2 ORDER BY model",
    )
    .and_then(|mut s| {
        s.query_map([provider, tier], |r| {
            Ok(TierLimit {
                model: r.get(0)?,
                rpm: r.get(1)?,
                input_tpm: r.get(2)?,
                output_tpm: r.get(3)?,
                tpm: r.get(4)?,
                source_url: r.get(5)?,
                read_on: r.get(6)?,
                note: r.get(7)?,
            })
        })
        .and_then(Iterator::collect::<Result<Vec<_>, _>>)
    })
    .doing(db, "reading a tier's rate limits")
}

impl Catalog {
    /// Every provider with published tiers, its tiers and figures, and the
    /// tier chosen; by provider id.
    pub fn rate_tiers(&self) -> Result<Vec<ProviderTiers>, CatalogError> {
        let db = &self.file;
        let doing = "reading the rate-limit tiers";
        let rows: Vec<TierRow> = self
            .conn
            .prepare_cached(
                "SELECT t.provider, t.tier, t.source_url, t.read_on, p.name, c.tier, c.chosen_at
                 FROM rate_tiers t LEFT JOIN providers p ON p.id = t.provider
                 LEFT JOIN chosen_tiers c ON c.provider = t.provider
                 ORDER BY t.provider, t.rank",
            )
            .and_then(|mut s| {
                s.query_map([], |r| {
                    Ok((
                        r.get(0)?,
                        r.get(1)?,
                        r.get(2)?,
                        r.get(3)?,
                        r.get(4)?,
                        r.get(5)?,
                        r.get(6)?,
                    ))
                })
                .and_then(Iterator::collect::<Result<Vec<_>, _>>)
            })
            .doing(db, doing)?;
        let mut out: Vec<ProviderTiers> = Vec::new();
        for (provider, tier, source_url, read_on, name, chosen, chosen_at) in rows {
            if out.last().is_none_or(|p| p.provider != provider) {
                out.push(ProviderTiers {
                    provider: provider.clone(),
                    name,
                    chosen: chosen.clone(),
                    chosen_at,
                    source_url,
                    read_on,
                    tiers: Vec::new(),
                });
            }
            let limits = limit_rows(&self.conn, db, &provider, &tier)?;
            if let Some(p) = out.last_mut() {
                p.tiers.push(TierInfo {
                    chosen: chosen.as_deref() == Some(tier.as_str()),
                    name: tier,
                    limits,
                });
            }
        }
        Ok(out)
    }

    /// Says that the account at `provider` is on `tier` (`None`: unknown,
    /// which removes the choice). Names are matched as [`normalize`]d; an
    /// unknown one is refused with the known ones.
    pub fn choose_tier(
        &mut self,
        provider: &str,
        tier: Option<&str>,
    ) -> Result<TierChange, CatalogError> {
        let db = self.file.clone();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .doing(&db, "starting the tier choice")?;
        let wanted = normalize(provider);
        let providers: Vec<String> = tx
            .prepare_cached("SELECT DISTINCT provider FROM rate_tiers ORDER BY provider")
            .and_then(|mut s| {
                s.query_map([], |r| r.get(0))
                    .and_then(Iterator::collect::<Result<Vec<_>, _>>)
            })
            .doing(&db, "reading the providers with tiers")?;
        let Some(provider) = providers.iter().find(|p| normalize(p) == wanted).cloned() else {
            return Err(CatalogError::UnknownTierProvider {
                provider: quote(provider),
                known: providers.join(", "),
            });
        };
        let tiers: Vec<String> = tx
            .prepare_cached("SELECT tier FROM rate_tiers WHERE provider = ?1 ORDER BY rank")
            .and_then(|mut s| {
                s.query_map([&provider], |r| r.get(0))
                    .and_then(Iterator::collect::<Result<Vec<_>, _>>)
            })
            .doing(&db, "reading the provider's tiers")?;
        let new = match tier {
            None => None,
            Some(t) => {
                let wanted = normalize(t);
                match tiers.iter().find(|name| normalize(name) == wanted) {
                    Some(name) => Some(name.clone()),
                    None => {
                        return Err(CatalogError::UnknownTier {
                            provider,
                            tier: quote(t),
                            known: tiers.join(", "),
                        });
                    }
                }
            }
        };
        let old: Option<String> = tx
            .query_row(
                "SELECT tier FROM chosen_tiers WHERE provider = ?1",
                [&provider],
                |r| r.get(0),
            )
            .optional()
            .doing(&db, "reading the chosen tier")?;
        if old != new {
            match &new {
                Some(t) => {
                    let now = Catalog::now(&tx, &db)?;
                    tx.execute(
                        "INSERT INTO chosen_tiers (provider, tier, chosen_at) VALUES (?1, ?2, ?3)
                         ON CONFLICT (provider) DO UPDATE SET tier = excluded.tier, chosen_at = excluded.chosen_at",
                        params![provider, t, now],
                    )
                    .doing(&db, "writing the chosen tier")?;
                }
                None => {
                    tx.execute("DELETE FROM chosen_tiers WHERE provider = ?1", [&provider])
                        .doing(&db, "removing the chosen tier")?;
                }
            }
        }
        tx.commit().doing(&db, "committing the tier choice")?;
        Ok(TierChange { provider, old, new })
    }

    /// The tier chosen for `provider` with its figures, if one is chosen.
    pub fn chosen_tier(&self, provider: &str) -> Result<Option<ChosenTier>, CatalogError> {
        let db = &self.file;
        let tier: Option<String> = self
            .conn
            .prepare_cached("SELECT tier FROM chosen_tiers WHERE provider = ?1")
            .and_then(|mut s| s.query_row([provider], |r| r.get(0)).optional())
            .doing(db, "reading the chosen tier")?;
        let Some(tier) = tier else {
            return Ok(None);
        };
        let limits = limit_rows(&self.conn, db, provider, &tier)?;
        Ok(Some(ChosenTier { tier, limits }))
    }

    /// The limits stated by the newest probe of `offering` whose headers state
    /// any (among its last [`PROBES_SEARCHED`]); `requests` says what the
    /// endpoint's `x-ratelimit-limit-requests` counts.
    pub fn observed_limits(
        &self,
        offering: &str,
        requests: RequestsHeader,
    ) -> Result<Option<Observed>, CatalogError> {
        let rows: Vec<(String, i64)> = self
            .conn
            .prepare_cached(
                "SELECT rate_limits, started_at_ms FROM probe_results
                 WHERE offering = ?1 AND rate_limits LIKE '%limit%'
                 ORDER BY started_at_ms DESC, id DESC LIMIT ?2",
            )
            .and_then(|mut s| {
                s.query_map(params![offering, PROBES_SEARCHED], |r| {
                    Ok((r.get(0)?, r.get(1)?))
                })
                .and_then(Iterator::collect::<Result<Vec<_>, _>>)
            })
            .doing(&self.file, "reading the probes' rate-limit headers")?;
        for (json, started_at_ms) in rows {
            // A row this build cannot read is skipped like one without limits.
            let Ok(stored) = serde_json::from_str::<RateLimits>(&json) else {
                continue;
            };
            let limits = parse_limits(
                stored.headers.iter().map(|(n, v)| (n.as_str(), v.as_str())),
                requests,
            );
            if !limits.is_empty() {
                return Ok(Some(Observed {
                    limits,
                    started_at_ms,
                }));
            }
        }
        Ok(None)
    }
}

#[cfg(test)]
#[path = "rate_tiers_tests.rs"]
mod tests;
