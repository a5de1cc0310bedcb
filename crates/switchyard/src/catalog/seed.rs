//! The embedded default catalog (`default_catalog.toml`, explained in
//! `DEFAULT_CATALOG.md`): parsed, checked, and written into a new database in
//! the transaction that creates it, so a first run has a useful catalog and
//! every figure keeps the source and date its curator gave it.

use rusqlite::{Transaction, params};
use serde::Deserialize;

use super::error::{CatalogError, SqlContext};
use super::fields::{Field, Value};
use super::import::{FigureWrite, check_id, write_figure};
use super::outage_history::{HistoryImport, group_exists, write_record};
use super::store::Catalog;
use crate::history::DailyHistory;
use crate::history::fit::fit;
use crate::history::record::{RecordFormat, RecordRequest, read_record};
use crate::secret::check_env_name;

/// The default catalog's text, as compiled into the binary.
pub const DEFAULT_CATALOG_TOML: &str = include_str!("default_catalog.toml");

/// The default catalog file, field for field. Unknown fields are refused so a
/// typo in the curated file fails its tests instead of dropping a figure.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DefaultCatalog {
    pub meta: Meta,
    pub sources: Vec<SourceDef>,
    pub providers: Vec<ProviderDef>,
    pub groups: Vec<GroupDef>,
    /// Groups whose outage process is fitted from an embedded record.
    #[serde(default)]
    pub histories: Vec<HistoryDef>,
    pub offerings: Vec<OfferingDef>,
}

/// A group's embedded outage record.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HistoryDef {
    pub group: String,
    /// A name in [`EMBEDDED_RECORDS`].
    pub file: String,
    /// `icpe-daily` (a record that needs no window).
    pub format: String,
    pub service: String,
}

/// The outage records compiled into the binary, by the path the repository
/// keeps them at (their source is beside them, in `SOURCE.md`).
pub const EMBEDDED_RECORDS: &[(&str, &str)] = &[(
    "fixtures/icpe2025/outage_daily_openai.csv",
    include_str!("../../../../fixtures/icpe2025/outage_daily_openai.csv"),
)];

impl HistoryDef {
    /// The record this entry names, read as the CLI would read it.
    pub fn record(&self) -> Result<DailyHistory, String> {
        let at = format!("histories `{}`", self.group);
        let text = EMBEDDED_RECORDS
            .iter()
            .find_map(|(name, text)| (*name == self.file).then_some(*text))
            .ok_or_else(|| format!("{at}: `{}` is not an embedded record", self.file))?;
        let format = RecordFormat::parse(&self.format).map_err(|e| format!("{at}: {e}"))?;
        if format.needs_window() {
            return Err(format!("{at}: a {} record needs a window", format.name()));
        }
        let request = RecordRequest {
            service: Some(self.service.clone()),
            ..RecordRequest::new(format)
        };
        read_record(text, &self.file, &request).map_err(|e| format!("{at}: {e}"))
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Meta {
    pub compiled: String,
    pub notes: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceDef {
    pub id: String,
    pub title: String,
    pub url: String,
    pub date: String,
    /// list-price | measurement | sla | assumption
    pub kind: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProviderDef {
    pub id: String,
    pub name: String,
    pub dialect: String,
    pub api_base: String,
    pub key_env: String,
    pub litellm_provider: Option<String>,
    pub declared_sla: String,
    pub declared_sla_availability: Option<f64>,
    pub sla_source: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GroupDef {
    pub id: String,
    pub description: String,
    pub availability: f64,
    pub mttr_minutes: f64,
    pub source: String,
}

/// Numbers are `f64` even where the file writes integers (`mttr_minutes = 35`):
/// serde's `f64` accepts TOML integers, which a test checks.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OfferingDef {
    pub id: String,
    pub provider: String,
    pub model: String,
    pub litellm_key: Option<String>,
    pub mode: String,
    pub context_window: Option<f64>,
    pub input_per_mtok: f64,
    pub cached_input_per_mtok: Option<f64>,
    pub output_per_mtok: f64,
    pub batch_input_per_mtok: Option<f64>,
    pub batch_output_per_mtok: Option<f64>,
    /// The LiteLLM price tier, where the map has one (`catalog::litellm`).
    pub tier_above_tokens: Option<f64>,
    pub tier_input_per_mtok: Option<f64>,
    pub tier_cached_input_per_mtok: Option<f64>,
    pub tier_output_per_mtok: Option<f64>,
    pub price_source: String,
    pub quality: Option<f64>,
    pub quality_source: Option<String>,
    /// Absent: inherited from the offering's groups (`catalog::inherit`),
    /// as for a provider platform whose whole downtime its group carries.
    pub availability: Option<f64>,
    pub availability_source: Option<String>,
    pub mttr_minutes: f64,
    pub error_rate: f64,
    pub error_latency_ms: f64,
    pub outage: String,
    pub reliability_source: String,
    pub ttft_p50_ms: f64,
    pub ttft_p95_ms: f64,
    pub tokens_per_s: f64,
    pub latency_source: String,
    pub groups: Vec<String>,
}

impl OfferingDef {
    /// Each figure with the id of its source.
    pub fn figures(&self) -> Vec<(Field, Value, &str)> {
        let price = self.price_source.as_str();
        let reliability = self.reliability_source.as_str();
        let latency = self.latency_source.as_str();
        let n = Value::Number;
        let mut out = vec![
            (Field::InputPerMtok, n(self.input_per_mtok), price),
            (Field::OutputPerMtok, n(self.output_per_mtok), price),
            (Field::MttrMinutes, n(self.mttr_minutes), reliability),
            (Field::ErrorRate, n(self.error_rate), reliability),
            (Field::ErrorLatencyMs, n(self.error_latency_ms), reliability),
            (Field::Outage, Value::Text(self.outage.clone()), reliability),
            (Field::TtftP50Ms, n(self.ttft_p50_ms), latency),
            (Field::TtftP95Ms, n(self.ttft_p95_ms), latency),
            (Field::TokensPerS, n(self.tokens_per_s), latency),
        ];
        let optional = [
            (
                Field::Availability,
                self.availability,
                self.availability_source.as_deref().unwrap_or(""),
            ),
            (Field::CachedInputPerMtok, self.cached_input_per_mtok, price),
            (Field::BatchInputPerMtok, self.batch_input_per_mtok, price),
            (Field::BatchOutputPerMtok, self.batch_output_per_mtok, price),
            (Field::TierAboveTokens, self.tier_above_tokens, price),
            (Field::TierInputPerMtok, self.tier_input_per_mtok, price),
            (
                Field::TierCachedInputPerMtok,
                self.tier_cached_input_per_mtok,
                price,
            ),
            (Field::TierOutputPerMtok, self.tier_output_per_mtok, price),
            (Field::ContextWindow, self.context_window, price),
            (
                Field::Quality,
                self.quality,
                self.quality_source.as_deref().unwrap_or(price),
            ),
        ];
        for (field, value, source) in optional {
            if let Some(v) = value {
                out.push((field, n(v), source));
            }
        }
        out.sort_by_key(|(f, _, _)| *f);
        out
    }
}

/// Parses and checks the embedded default catalog.
pub fn default_catalog() -> Result<DefaultCatalog, CatalogError> {
    let catalog: DefaultCatalog = toml::from_str(DEFAULT_CATALOG_TOML)
        .map_err(|e| CatalogError::DefaultCatalog(e.to_string()))?;
    check(&catalog).map_err(CatalogError::DefaultCatalog)?;
    Ok(catalog)
}

/// The rules `DEFAULT_CATALOG.md` promises, checked so a bad edit fails tests.
fn check(c: &DefaultCatalog) -> Result<(), String> {
    let sources: std::collections::HashSet<&str> =
        c.sources.iter().map(|s| s.id.as_str()).collect();
    let providers: std::collections::HashSet<&str> =
        c.providers.iter().map(|p| p.id.as_str()).collect();
    let mut groups: std::collections::HashMap<&str, f64> = c
        .groups
        .iter()
        .map(|g| (g.id.as_str(), g.availability))
        .collect();
    let source = |at: &str, id: &str| {
        if sources.contains(id) {
            Ok(())
        } else {
            Err(format!("{at}: unknown source `{id}`"))
        }
    };
    for s in &c.sources {
        check_id(&s.id).map_err(|e| format!("sources `{}`: {e}", s.id))?;
        if !crate::utc::is_iso_date(&s.date) {
            return Err(format!(
                "sources `{}`: date `{}` is not YYYY-MM-DD",
                s.id, s.date
            ));
        }
    }
    for p in &c.providers {
        check_id(&p.id).map_err(|e| format!("providers `{}`: {e}", p.id))?;
        if !matches!(p.dialect.as_str(), "openai" | "anthropic" | "gemini") {
            return Err(format!(
                "providers `{}`: unknown dialect `{}`",
                p.id, p.dialect
            ));
        }
        if let Err(e) = check_env_name(&p.key_env) {
            return Err(format!("providers `{}`: key_env {e}", p.id));
        }
        source(&format!("providers `{}`", p.id), &p.sla_source)?;
    }
    for h in &c.histories {
        if !groups.contains_key(h.group.as_str()) {
            return Err(format!("histories: unknown group `{}`", h.group));
        }
        let fitted = fit(&h.record()?).map_err(|e| format!("histories `{}`: {e}", h.group))?;
        // Offerings are checked against the group as plans will see it.
        groups.insert(h.group.as_str(), fitted.process.mean_availability());
    }
    for g in &c.groups {
        Field::Availability.check(&Value::Number(g.availability))?;
        Field::MttrMinutes.check(&Value::Number(g.mttr_minutes))?;
        source(&format!("groups `{}`", g.id), &g.source)?;
    }
    for o in &c.offerings {
        let at = format!("offerings `{}`", o.id);
        check_id(&o.id).map_err(|e| format!("{at}: {e}"))?;
        if !providers.contains(o.provider.as_str()) {
            return Err(format!("{at}: unknown provider `{}`", o.provider));
        }
        for (field, value, src) in o.figures() {
            field
                .check(&value)
                .map_err(|e| format!("{at}: {field}: {e}"))?;
            source(&at, src)?;
        }
        if o.ttft_p95_ms < o.ttft_p50_ms {
            return Err(format!("{at}: ttft_p95_ms is below ttft_p50_ms"));
        }
        let mut product = 1.0;
        for g in &o.groups {
            product *= groups
                .get(g.as_str())
                .ok_or_else(|| format!("{at}: unknown group `{g}`"))?;
        }
        match (o.availability, &o.availability_source) {
            (Some(a), Some(_)) if a > product + 1e-12 => {
                return Err(format!(
                    "{at}: availability {a} is above its groups' {product}"
                ));
            }
            (Some(_), Some(_)) => {}
            (None, None) if !o.groups.is_empty() => {}
            (None, None) => {
                return Err(format!(
                    "{at}: no availability and no group to inherit one from"
                ));
            }
            _ => {
                return Err(format!(
                    "{at}: availability and availability_source go together"
                ));
            }
        }
    }
    Ok(())
}

/// Writes the default catalog into a new database, inside `tx`.
pub(crate) fn seed(tx: &Transaction<'_>, db: &str) -> Result<(), CatalogError> {
    let c = default_catalog()?;
    let now = Catalog::now(tx, db)?;
    tx.execute(
        "INSERT INTO imports (format, file, imported_at, added) VALUES ('default', ?1, ?2, ?3)",
        params![
            format!(
                "default_catalog.toml (embedded, compiled {})",
                c.meta.compiled
            ),
            now,
            c.offerings.len() as i64
        ],
    )
    .doing(db, "seeding: logging")?;
    let import_id = tx.last_insert_rowid();
    let mut dates = std::collections::HashMap::new();
    for s in &c.sources {
        tx.execute(
            "INSERT INTO sources (id, kind, title, url, date) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![s.id, s.kind, s.title, s.url, s.date],
        )
        .doing(db, &format!("seeding source `{}`", s.id))?;
        dates.insert(s.id.as_str(), s.date.as_str());
    }
    let date_of = |id: &str| dates.get(id).copied().unwrap_or(c.meta.compiled.as_str());
    for p in &c.providers {
        tx.execute(
            "INSERT INTO providers (id, name, dialect, api_base, key_env, litellm_provider,
                                    declared_sla, declared_sla_availability, sla_source)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![
                p.id,
                p.name,
                p.dialect,
                p.api_base,
                p.key_env,
                p.litellm_provider,
                p.declared_sla,
                p.declared_sla_availability,
                p.sla_source
            ],
        )
        .doing(db, &format!("seeding provider `{}`", p.id))?;
    }
    for g in &c.groups {
        tx.execute(
            "INSERT INTO groups (id, description, availability, mttr_minutes, source, effective_date)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                g.id,
                g.description,
                g.availability,
                g.mttr_minutes,
                g.source,
                date_of(&g.source)
            ],
        )
        .doing(db, &format!("seeding group `{}`", g.id))?;
    }
    for o in &c.offerings {
        tx.execute(
            "INSERT INTO offerings (id, provider, model, mode, litellm_key, added_by)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![o.id, o.provider, o.model, o.mode, o.litellm_key, import_id],
        )
        .doing(db, &format!("seeding offering `{}`", o.id))?;
        for (field, value, source) in o.figures() {
            write_figure(
                tx,
                db,
                &FigureWrite {
                    offering: &o.id,
                    field,
                    old: None,
                    new: &value,
                    source,
                    effective_date: date_of(source),
                    import_id,
                    now: &now,
                },
            )?;
        }
        for g in &o.groups {
            tx.execute(
                "INSERT INTO memberships (offering, group_id) VALUES (?1, ?2)",
                params![o.id, g],
            )
            .doing(db, &format!("seeding the groups of `{}`", o.id))?;
        }
    }
    Ok(())
}

/// Writes the default catalog's embedded outage records into their groups,
/// inside `tx`, for those of the groups that are there.
fn write_histories(
    tx: &Transaction<'_>,
    db: &str,
    c: &DefaultCatalog,
    now: &str,
) -> Result<(), CatalogError> {
    for h in &c.histories {
        if !group_exists(tx, db, &h.group)? {
            continue;
        }
        let record = h.record().map_err(CatalogError::DefaultCatalog)?;
        let format = RecordFormat::parse(&h.format).map_err(CatalogError::DefaultCatalog)?;
        let import = HistoryImport {
            group: h.group.clone(),
            history: record,
        };
        write_record(tx, db, &h.file, format, &import, now)?;
    }
    Ok(())
}

/// [`write_histories`] of the default catalog: run by the migration that
/// adds histories, so a new catalog gets them after its seed and an older
/// one gets them for the default groups it still has.
pub(crate) fn seed_histories(tx: &Transaction<'_>, db: &str) -> Result<(), CatalogError> {
    let c = default_catalog()?;
    let now = Catalog::now(tx, db)?;
    write_histories(tx, db, &c, &now)
}
