//! What every importer produces, and the one place that writes it.
//!
//! An importer turns a file into a [`Batch`] of [`Record`]s without touching
//! the database (so it can be tested and fuzzed alone); [`apply`] writes the
//! batch in one transaction. The rules live here, the same for every format:
//!
//! - An offering is found again by its LiteLLM key, else by its id.
//! - A figure the file gives is compared with the *imported* value: equal
//!   changes nothing; different updates it and writes a history row. A figure
//!   the file does not give is left as it is.
//! - User overrides are never touched: the effective value stays the user's
//!   until `catalog reset`.
//! - An import that adds or changes nothing writes nothing, not even its log
//!   row, so re-importing a file leaves the database as it was.
//! - Any error rolls the whole import back.
//!
//! The writer records what it changes as a [`Diff`]. [`plan`] runs the same
//! writer in a transaction that is always rolled back, so a preview is the
//! import itself minus the commit; [`apply_planned`] commits only if the
//! import still does exactly what the preview showed.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::ops::ControlFlow;

use rusqlite::{OptionalExtension, Transaction, TransactionBehavior, params};
use serde::Serialize;

use super::diff::{AddedOffering, Diff, FieldChange, FigureValue};
use super::error::{CatalogError, SqlContext, quote};
use super::fields::{Field, Value};
use super::store::Catalog;

/// Longest id, model name or key accepted; real ones are under 100 bytes.
pub const MAX_ID_BYTES: usize = 256;

/// The formats `catalog import` reads (and the seed, `default`).
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Default,
    Litellm,
    Openrouter,
    Csv,
}

impl Format {
    pub fn name(self) -> &'static str {
        match self {
            Format::Default => "default",
            Format::Litellm => "litellm",
            Format::Openrouter => "openrouter",
            Format::Csv => "csv",
        }
    }
}

/// The formats a person imports (every [`Format`] but the embedded seed).
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ImportFormat {
    Litellm,
    Openrouter,
    Csv,
}

impl From<ImportFormat> for Format {
    fn from(f: ImportFormat) -> Self {
        match f {
            ImportFormat::Litellm => Format::Litellm,
            ImportFormat::Openrouter => Format::Openrouter,
            ImportFormat::Csv => Format::Csv,
        }
    }
}

/// A parsed import file.
#[derive(Debug, Clone)]
pub struct Batch {
    pub format: Format,
    /// The file, for messages and the import log.
    pub file: String,
    /// Entries in the file.
    pub entries: u64,
    /// Entries of the modes being imported (chat unless `--all-modes`).
    pub considered: u64,
    pub records: Vec<Record>,
    /// Entries left out, by reason.
    pub skipped: BTreeMap<String, u64>,
    /// Every entry the source lists, imported or skipped, by LiteLLM key or
    /// offering id: an offering an earlier import of this format wrote that is
    /// not among them is one the source no longer lists ([`Diff::removed`]).
    /// `None` for a format that lists only what it changes (CSV).
    pub listed: Option<HashSet<String>>,
}

impl Batch {
    pub(crate) fn new(format: Format, file: &str) -> Self {
        Self {
            format,
            file: file.to_owned(),
            entries: 0,
            considered: 0,
            records: Vec::new(),
            skipped: BTreeMap::new(),
            listed: None,
        }
    }

    pub(crate) fn skip(&mut self, reason: impl Into<String>) {
        *self.skipped.entry(reason.into()).or_insert(0) += 1;
    }
}

/// One offering as a file describes it.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    /// How the file names the entry (a key, `data[3]`, `row 7`), for messages.
    pub entry: String,
    /// The offering id; `None` means `{provider id}/{model}` once the provider
    /// is known.
    pub id: Option<String>,
    pub litellm_key: Option<String>,
    pub provider: ProviderRef,
    pub model: String,
    pub mode: Option<String>,
    pub figures: Vec<(Field, Value)>,
    /// Group memberships, when the format has them (CSV); they replace the old.
    pub groups: Option<Vec<String>>,
    pub source: SourceRef,
    /// Since when the figures hold; the import's date when absent.
    pub effective_date: Option<String>,
}

/// Which provider a record belongs to.
#[derive(Debug, Clone, PartialEq)]
pub enum ProviderRef {
    /// LiteLLM's `litellm_provider`: the catalog provider that declares it (if
    /// exactly one does), else a provider of that id, created if missing.
    Litellm(String),
    /// This provider, created with these details if missing.
    Known(NewProvider),
}

/// A provider to create when an import names one the catalog lacks.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct NewProvider {
    pub id: String,
    pub name: String,
    pub dialect: Option<String>,
    pub api_base: Option<String>,
    /// The NAME of the key's environment variable.
    pub key_env: Option<String>,
    pub litellm_provider: Option<String>,
    pub declared_sla: Option<String>,
}

/// Where a record's figures come from.
#[derive(Debug, Clone, PartialEq)]
pub struct SourceRef {
    pub id: String,
    pub title: String,
    /// Where the figures were fetched from (a price refresh), without any
    /// credentials.
    pub url: Option<String>,
    /// When they were fetched: UTC, RFC 3339 with milliseconds.
    pub retrieved_at: Option<String>,
}

impl SourceRef {
    /// A file's source: no URL, no fetch time.
    pub(crate) fn file(id: String, title: String) -> Self {
        Self {
            id,
            title,
            url: None,
            retrieved_at: None,
        }
    }
}

/// What an import did.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ImportReport {
    pub format: Format,
    pub file: String,
    pub entries: u64,
    pub considered: u64,
    pub added: u64,
    pub changed: u64,
    pub unchanged: u64,
    pub skipped: u64,
    pub skipped_by_reason: BTreeMap<String, u64>,
    /// The import log row; `None` when nothing changed (nothing was written).
    pub import_id: Option<i64>,
}

/// Progress of a long import: records written so far, and in all. Returning
/// `Break` stops the import before its commit, so nothing is written.
pub type Progress<'a> = &'a mut dyn FnMut(usize, usize) -> ControlFlow<()>;

/// The skip reason of an entry whose offering id an earlier entry (or another
/// LiteLLM key) already has: LiteLLM lists some models under two keys.
pub const ALIAS_REASON: &str = "alias: another entry has the same offering id";

struct Existing {
    provider: String,
    litellm_key: Option<String>,
    mode: Option<String>,
}

/// What running an import's rules found: its counts and its changes.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// `import_id` is `None` unless the import was committed.
    pub report: ImportReport,
    pub diff: Diff,
}

/// Whether a run of the rules ends in a commit.
#[derive(Debug, Clone, Copy)]
enum Commit<'a> {
    /// When it changes anything ([`apply`]).
    IfChanged,
    /// Never: a preview ([`plan`]).
    Never,
    /// Only when it changes exactly this ([`apply_planned`]).
    IfSame(&'a Diff),
}

/// Writes `batch` in one transaction (see the module doc for the rules).
pub fn apply(
    catalog: &mut Catalog,
    batch: &Batch,
    progress: Progress<'_>,
) -> Result<ImportReport, CatalogError> {
    run(catalog, batch, progress, Commit::IfChanged).map(|o| o.report)
}

/// What [`apply`] would do with `batch`, found by doing it in a transaction
/// that is then rolled back: nothing is written.
pub fn plan(
    catalog: &mut Catalog,
    batch: &Batch,
    progress: Progress<'_>,
) -> Result<Outcome, CatalogError> {
    run(catalog, batch, progress, Commit::Never)
}

/// [`apply`], committed only if it changes exactly `expected` (the [`plan`]
/// a person agreed to); otherwise nothing is written and the error says the
/// catalog changed since.
pub fn apply_planned(
    catalog: &mut Catalog,
    batch: &Batch,
    expected: &Diff,
    progress: Progress<'_>,
) -> Result<Outcome, CatalogError> {
    run(catalog, batch, progress, Commit::IfSame(expected))
}

fn run(
    catalog: &mut Catalog,
    batch: &Batch,
    progress: Progress<'_>,
    commit: Commit<'_>,
) -> Result<Outcome, CatalogError> {
    let file = catalog.file.clone();
    let tx = catalog
        .conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .doing(&file, "starting the import")?;
    let mut w = Writer::start(&tx, &file, batch)?;
    let total = batch.records.len();
    for (i, record) in batch.records.iter().enumerate() {
        w.record(record)?;
        if progress(i + 1, total).is_break() {
            // Dropping the transaction rolls it back.
            return Err(CatalogError::ImportCancelled { file });
        }
    }
    let mut outcome = w.finish()?;
    let write = match commit {
        Commit::IfChanged => !outcome.diff.is_empty(),
        Commit::Never => false,
        Commit::IfSame(expected) if *expected == outcome.diff => !outcome.diff.is_empty(),
        Commit::IfSame(_) => {
            return Err(CatalogError::ChangedSincePreview {
                file: batch.file.clone(),
            });
        }
    };
    if write {
        w.log(&mut outcome.report)?;
        tx.commit().doing(&file, "committing the import")?;
    }
    // Otherwise the transaction is dropped: rolled back, nothing written.
    Ok(outcome)
}

/// The state of one import in progress.
struct Writer<'t> {
    tx: &'t Transaction<'t>,
    /// The database file, for messages about it.
    db: String,
    batch: &'t Batch,
    now: String,
    import_id: i64,
    offerings: HashMap<String, Existing>,
    by_key: HashMap<String, String>,
    providers: HashSet<String>,
    by_litellm: HashMap<String, Vec<String>>,
    figures: HashMap<(String, Field), Value>,
    groups: Option<HashSet<String>>,
    sources: HashSet<String>,
    seen: HashSet<String>,
    /// The (offering, field) pairs the user overrides, for the diff.
    overrides: HashSet<(String, Field)>,
    report: ImportReport,
    diff: Diff,
}

impl<'t> Writer<'t> {
    fn start(tx: &'t Transaction<'t>, db: &str, batch: &'t Batch) -> Result<Self, CatalogError> {
        let now = Catalog::now(tx, db)?;
        tx.execute(
            "INSERT INTO imports (format, file, imported_at) VALUES (?1, ?2, ?3)",
            params![batch.format.name(), batch.file, now],
        )
        .doing(db, "logging the import")?;
        let import_id = tx.last_insert_rowid();
        let mut w = Writer {
            tx,
            db: db.to_owned(),
            batch,
            now,
            import_id,
            offerings: HashMap::new(),
            by_key: HashMap::new(),
            providers: HashSet::new(),
            by_litellm: HashMap::new(),
            figures: HashMap::new(),
            groups: None,
            sources: HashSet::new(),
            seen: HashSet::new(),
            overrides: HashSet::new(),
            diff: Diff::default(),
            report: ImportReport {
                format: batch.format,
                file: batch.file.clone(),
                entries: batch.entries,
                considered: batch.considered,
                added: 0,
                changed: 0,
                unchanged: 0,
                skipped: batch.skipped.values().sum(),
                skipped_by_reason: batch.skipped.clone(),
                import_id: None,
            },
        };
        w.load()?;
        Ok(w)
    }

    /// Reads what the comparisons need, in a few whole-table scans: faster than
    /// one query per record.
    fn load(&mut self) -> Result<(), CatalogError> {
        let db = self.db.clone();
        let mut stmt = self
            .tx
            .prepare("SELECT id, litellm_key, mode, provider FROM offerings")
            .doing(&db, "reading the offerings")?;
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    Existing {
                        litellm_key: r.get(1)?,
                        mode: r.get(2)?,
                        provider: r.get(3)?,
                    },
                ))
            })
            .doing(&db, "reading the offerings")?;
        for row in rows {
            let (id, existing) = row.doing(&db, "reading the offerings")?;
            if let Some(key) = &existing.litellm_key {
                self.by_key.insert(key.clone(), id.clone());
            }
            self.offerings.insert(id, existing);
        }
        let mut stmt = self
            .tx
            .prepare("SELECT id, litellm_provider FROM providers")
            .doing(&db, "reading the providers")?;
        let rows = stmt
            .query_map([], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, Option<String>>(1)?))
            })
            .doing(&db, "reading the providers")?;
        for row in rows {
            let (id, litellm) = row.doing(&db, "reading the providers")?;
            if let Some(l) = litellm {
                self.by_litellm.entry(l).or_default().push(id.clone());
            }
            self.providers.insert(id);
        }
        let mut stmt = self
            .tx
            .prepare("SELECT offering, field, value FROM figures")
            .doing(&db, "reading the figures")?;
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, Value>(2)?,
                ))
            })
            .doing(&db, "reading the figures")?;
        for row in rows {
            let (offering, field, value) = row.doing(&db, "reading the figures")?;
            // A field this build does not know (written by a newer one within
            // the same schema) is never compared, so never overwritten.
            if let Some(field) = Field::from_name(&field) {
                self.figures.insert((offering, field), value);
            }
        }
        let mut stmt = self
            .tx
            .prepare("SELECT offering, field FROM overrides")
            .doing(&db, "reading the overrides")?;
        let rows = stmt
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))
            .doing(&db, "reading the overrides")?;
        for row in rows {
            let (offering, field) = row.doing(&db, "reading the overrides")?;
            if let Some(field) = Field::from_name(&field) {
                self.overrides.insert((offering, field));
            }
        }
        Ok(())
    }

    fn entry_error(&self, r: &Record, field: &str, reason: impl Into<String>) -> CatalogError {
        CatalogError::entry(&self.batch.file, &r.entry, field, reason)
    }

    fn record(&mut self, r: &Record) -> Result<(), CatalogError> {
        let provider = self.provider(r)?;
        let id = match &r.id {
            Some(id) => id.clone(),
            None => format!("{provider}/{}", r.model),
        };
        check_id(&id).map_err(|reason| self.entry_error(r, "id", reason))?;
        check_id(&r.model).map_err(|reason| self.entry_error(r, "model", reason))?;
        let found = r
            .litellm_key
            .as_ref()
            .and_then(|k| self.by_key.get(k))
            .cloned();
        let target = match found {
            Some(existing) => existing,
            None => {
                // Same id, another LiteLLM key: an alias of that offering.
                if let Some(existing) = self.offerings.get(&id)
                    && let (Some(theirs), Some(ours)) = (&existing.litellm_key, &r.litellm_key)
                    && theirs != ours
                {
                    self.skip(ALIAS_REASON);
                    return Ok(());
                }
                id
            }
        };
        if !self.seen.insert(target.clone()) {
            self.skip(ALIAS_REASON);
            return Ok(());
        }
        if let Some(groups) = &r.groups {
            self.check_groups(r, groups)?;
        }
        // A CSV row names its provider; a LiteLLM key may be another route to
        // an offering the catalog files elsewhere, which is not a move.
        if let Some(existing) = self.offerings.get(&target)
            && matches!(r.provider, ProviderRef::Known(_))
            && existing.provider != provider
        {
            return Err(self.entry_error(
                r,
                "provider",
                format!(
                    "`{}` differs from the catalog's provider of `{target}`, `{}`: an import \
                     never moves an offering to another provider (import it under another id)",
                    quote(&provider),
                    quote(&existing.provider)
                ),
            ));
        }
        if self.offerings.contains_key(&target) {
            self.update(&target, r)
        } else {
            self.add(&target, &provider, r)
        }
    }

    fn skip(&mut self, reason: &str) {
        self.report.skipped += 1;
        *self
            .report
            .skipped_by_reason
            .entry(reason.to_owned())
            .or_insert(0) += 1;
    }

    /// The provider id of a record, creating the provider if it is new.
    fn provider(&mut self, r: &Record) -> Result<String, CatalogError> {
        let new = match &r.provider {
            ProviderRef::Litellm(name) => {
                if let Some([only]) = self.by_litellm.get(name).map(Vec::as_slice) {
                    return Ok(only.clone());
                }
                NewProvider {
                    id: name.clone(),
                    name: name.clone(),
                    litellm_provider: Some(name.clone()),
                    ..NewProvider::default()
                }
            }
            ProviderRef::Known(p) => p.clone(),
        };
        if self.providers.contains(&new.id) {
            return Ok(new.id);
        }
        check_id(&new.id).map_err(|reason| self.entry_error(r, "provider", reason))?;
        self.tx
            .prepare_cached(
                "INSERT INTO providers (id, name, dialect, api_base, key_env, litellm_provider, declared_sla)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )
            .and_then(|mut s| {
                s.execute(params![
                    new.id,
                    new.name,
                    new.dialect,
                    new.api_base,
                    new.key_env,
                    new.litellm_provider,
                    new.declared_sla
                ])
            })
            .doing(&self.db, &format!("adding provider `{}`", new.id))?;
        self.providers.insert(new.id.clone());
        if let Some(l) = &new.litellm_provider {
            self.by_litellm
                .entry(l.clone())
                .or_default()
                .push(new.id.clone());
        }
        Ok(new.id)
    }

    fn check_groups(&mut self, r: &Record, groups: &[String]) -> Result<(), CatalogError> {
        if self.groups.is_none() {
            let mut stmt = self
                .tx
                .prepare("SELECT id FROM groups")
                .doing(&self.db, "reading the groups")?;
            let ids = stmt
                .query_map([], |row| row.get::<_, String>(0))
                .and_then(Iterator::collect::<Result<HashSet<_>, _>>)
                .doing(&self.db, "reading the groups")?;
            self.groups = Some(ids);
        }
        let known = self.groups.as_ref();
        for g in groups {
            if !known.is_some_and(|k| k.contains(g)) {
                return Err(self.entry_error(
                    r,
                    "groups",
                    format!(
                        "unknown group `{}`: groups come from the default catalog",
                        quote(g)
                    ),
                ));
            }
        }
        Ok(())
    }

    fn add(&mut self, id: &str, provider: &str, r: &Record) -> Result<(), CatalogError> {
        self.tx
            .prepare_cached(
                "INSERT INTO offerings (id, provider, model, mode, litellm_key, added_by)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )
            .and_then(|mut s| {
                s.execute(params![
                    id,
                    provider,
                    r.model,
                    r.mode,
                    r.litellm_key,
                    self.import_id
                ])
            })
            .doing(&self.db, &format!("adding offering `{id}`"))?;
        for (field, value) in &r.figures {
            self.write_figure(id, *field, None, value, r)?;
        }
        if let Some(groups) = &r.groups {
            self.set_groups(id, groups)?;
        }
        self.offerings.insert(
            id.to_owned(),
            Existing {
                provider: provider.to_owned(),
                litellm_key: r.litellm_key.clone(),
                mode: r.mode.clone(),
            },
        );
        if let Some(key) = &r.litellm_key {
            self.by_key.insert(key.clone(), id.to_owned());
        }
        self.report.added += 1;
        self.diff.added.push(AddedOffering {
            id: id.to_owned(),
            figures: r
                .figures
                .iter()
                .map(|(f, v)| FigureValue::new(*f, v))
                .collect(),
        });
        Ok(())
    }

    fn update(&mut self, id: &str, r: &Record) -> Result<(), CatalogError> {
        let mut changed = false;
        // The model name is kept as first added: a curated name (the provider's
        // own) must not be replaced by an importer's derived one.
        let (old_key, old_mode) = match self.offerings.get(id) {
            Some(e) => (e.litellm_key.clone(), e.mode.clone()),
            None => (None, None),
        };
        let key = old_key.clone().or_else(|| r.litellm_key.clone());
        let mode = r.mode.clone().or(old_mode.clone());
        if key != old_key || mode != old_mode {
            if key != old_key {
                self.diff.changed.push(FieldChange::offering(
                    id,
                    "litellm_key",
                    old_key.clone(),
                    key.clone(),
                ));
            }
            if mode != old_mode {
                self.diff.changed.push(FieldChange::offering(
                    id,
                    "mode",
                    old_mode.clone(),
                    mode.clone(),
                ));
            }
            self.tx
                .prepare_cached("UPDATE offerings SET litellm_key = ?2, mode = ?3 WHERE id = ?1")
                .and_then(|mut s| s.execute(params![id, key, mode]))
                .doing(&self.db, &format!("updating offering `{id}`"))?;
            if let (Some(k), None) = (&key, &old_key) {
                self.by_key.insert(k.clone(), id.to_owned());
            }
            if let Some(e) = self.offerings.get_mut(id) {
                e.litellm_key = key;
                e.mode = mode;
            }
            changed = true;
        }
        for (field, value) in &r.figures {
            let old = self.figures.get(&(id.to_owned(), *field)).cloned();
            if old.as_ref() != Some(value) {
                let overridden = self.overrides.contains(&(id.to_owned(), *field));
                self.diff.changed.push(FieldChange::figure(
                    id,
                    *field,
                    old.as_ref(),
                    value,
                    overridden,
                ));
                self.write_figure(id, *field, old.as_ref(), value, r)?;
                changed = true;
            }
        }
        if let Some(groups) = &r.groups {
            let mut stmt = self
                .tx
                .prepare_cached(
                    "SELECT group_id FROM memberships WHERE offering = ?1 ORDER BY group_id",
                )
                .doing(&self.db, "reading memberships")?;
            let old = stmt
                .query_map([id], |row| row.get::<_, String>(0))
                .and_then(Iterator::collect::<Result<Vec<_>, _>>)
                .doing(&self.db, "reading memberships")?;
            let mut new = groups.clone();
            new.sort();
            new.dedup();
            if old != new {
                self.diff.changed.push(FieldChange::offering(
                    id,
                    "groups",
                    Some(old.join(", ")),
                    Some(new.join(", ")),
                ));
                self.set_groups(id, &new)?;
                changed = true;
            }
        }
        if changed {
            self.report.changed += 1;
        } else {
            self.report.unchanged += 1;
        }
        Ok(())
    }

    fn set_groups(&mut self, id: &str, groups: &[String]) -> Result<(), CatalogError> {
        self.tx
            .execute("DELETE FROM memberships WHERE offering = ?1", [id])
            .doing(&self.db, "replacing memberships")?;
        for g in groups {
            self.tx
                .prepare_cached(
                    "INSERT OR IGNORE INTO memberships (offering, group_id) VALUES (?1, ?2)",
                )
                .and_then(|mut s| s.execute(params![id, g]))
                .doing(&self.db, "adding a membership")?;
        }
        Ok(())
    }

    fn write_figure(
        &mut self,
        id: &str,
        field: Field,
        old: Option<&Value>,
        value: &Value,
        r: &Record,
    ) -> Result<(), CatalogError> {
        if !self.sources.contains(&r.source.id) {
            self.tx
                .prepare_cached(
                    "INSERT OR IGNORE INTO sources (id, kind, title, url, retrieved_at)
                     VALUES (?1, 'import', ?2, ?3, ?4)",
                )
                .and_then(|mut s| {
                    s.execute(params![
                        r.source.id,
                        r.source.title,
                        r.source.url,
                        r.source.retrieved_at
                    ])
                })
                .doing(&self.db, "recording the source")?;
            self.sources.insert(r.source.id.clone());
        }
        let date = r
            .effective_date
            .clone()
            .unwrap_or_else(|| self.now.get(..10).unwrap_or(&self.now).to_owned());
        write_figure(
            self.tx,
            &self.db,
            &FigureWrite {
                offering: id,
                field,
                old,
                new: value,
                source: &r.source.id,
                effective_date: &date,
                import_id: self.import_id,
                now: &self.now,
            },
        )?;
        self.figures.insert((id.to_owned(), field), value.clone());
        Ok(())
    }

    /// The counts and the sorted diff, with the offerings the source no
    /// longer lists.
    fn finish(&mut self) -> Result<Outcome, CatalogError> {
        let mut diff = std::mem::take(&mut self.diff);
        diff.removed = self.removed()?;
        diff.sort();
        Ok(Outcome {
            report: self.report.clone(),
            diff,
        })
    }

    /// Offerings whose figures an import of this batch's format wrote, that
    /// the batch neither imports nor lists (by LiteLLM key or id). Nothing
    /// for a format that does not list its whole source.
    fn removed(&self) -> Result<Vec<String>, CatalogError> {
        let Some(listed) = &self.batch.listed else {
            return Ok(Vec::new());
        };
        let doing = "finding the offerings the source no longer lists";
        let mut stmt = self
            .tx
            .prepare(
                "SELECT DISTINCT o.id, o.litellm_key FROM offerings o
                 JOIN figures f ON f.offering = o.id
                 JOIN imports i ON i.id = f.import_id
                 WHERE i.format = ?1",
            )
            .doing(&self.db, doing)?;
        let rows = stmt
            .query_map([self.batch.format.name()], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, Option<String>>(1)?))
            })
            .and_then(Iterator::collect::<Result<Vec<_>, _>>)
            .doing(&self.db, doing)?;
        Ok(rows
            .into_iter()
            .filter(|(id, key)| {
                !self.seen.contains(id)
                    && !listed.contains(id)
                    && !key.as_ref().is_some_and(|k| listed.contains(k))
            })
            .map(|(id, _)| id)
            .collect())
    }

    /// Completes the import's log row, before the commit.
    fn log(&self, report: &mut ImportReport) -> Result<(), CatalogError> {
        self.tx
            .execute(
                "UPDATE imports SET added = ?2, changed = ?3, unchanged = ?4, skipped = ?5 WHERE id = ?1",
                params![
                    self.import_id,
                    report.added as i64,
                    report.changed as i64,
                    report.unchanged as i64,
                    report.skipped as i64
                ],
            )
            .doing(&self.db, "logging the import")?;
        report.import_id = Some(self.import_id);
        Ok(())
    }
}

/// One imported value to store, with its provenance.
pub(crate) struct FigureWrite<'a> {
    pub offering: &'a str,
    pub field: Field,
    pub old: Option<&'a Value>,
    pub new: &'a Value,
    pub source: &'a str,
    pub effective_date: &'a str,
    pub import_id: i64,
    pub now: &'a str,
}

/// Stores an imported value and its history row.
pub(crate) fn write_figure(
    tx: &Transaction<'_>,
    db: &str,
    f: &FigureWrite<'_>,
) -> Result<(), CatalogError> {
    tx.prepare_cached(
        "INSERT INTO figures (offering, field, value, source, effective_date, import_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (offering, field) DO UPDATE SET
           value = excluded.value, source = excluded.source,
           effective_date = excluded.effective_date, import_id = excluded.import_id",
    )
    .and_then(|mut s| {
        s.execute(params![
            f.offering,
            f.field.name(),
            f.new,
            f.source,
            f.effective_date,
            f.import_id
        ])
    })
    .doing(db, &format!("writing {} of `{}`", f.field, f.offering))?;
    tx.prepare_cached(
        "INSERT INTO history (offering, field, kind, old_value, new_value, source, import_id, recorded_at, effective_date)
         VALUES (?1, ?2, 'import', ?3, ?4, ?5, ?6, ?7, ?8)",
    )
    .and_then(|mut s| {
        s.execute(params![
            f.offering,
            f.field.name(),
            f.old,
            f.new,
            f.source,
            f.import_id,
            f.now,
            f.effective_date
        ])
    })
    .doing(db, &format!("writing the history of `{}`", f.offering))?;
    Ok(())
}

/// An id, model name or key: not empty, not absurdly long, no control
/// characters (they would garble terminals and messages).
pub fn check_id(id: &str) -> Result<(), String> {
    if id.trim().is_empty() {
        Err("is empty".to_owned())
    } else if id.len() > MAX_ID_BYTES {
        Err(format!(
            "`{}` is too long (at most {MAX_ID_BYTES} bytes)",
            quote(id)
        ))
    } else if id.chars().any(char::is_control) {
        Err(format!(
            "`{}` contains control characters",
            id.escape_debug()
        ))
    } else {
        Ok(())
    }
}

/// Whether an offering exists.
pub(crate) fn offering_exists(
    conn: &rusqlite::Connection,
    db: &str,
    id: &str,
) -> Result<bool, CatalogError> {
    conn.query_row("SELECT 1 FROM offerings WHERE id = ?1", [id], |_| Ok(()))
        .optional()
        .map(|o| o.is_some())
        .doing(db, "looking up the offering")
}
