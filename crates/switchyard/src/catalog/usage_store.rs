//! Usage logs in the catalog (`switchyard usage import|list`): each import's
//! aggregates ([`crate::usage::Aggregates`]), never a request's content.
//!
//! One import is one transaction: the import's row, its hourly cells,
//! histograms, routes and skip counts are all written or none is. A file is
//! known by its SHA-256: the same content imported twice would count its
//! requests twice, so it is refused unless `replace` is asked for, which
//! deletes the earlier import (its rows cascade) in the same transaction.

use std::collections::BTreeMap;

use rusqlite::{OptionalExtension, TransactionBehavior, params};
use serde::Serialize;

use super::error::{CatalogError, SqlContext};
use super::store::Catalog;
use crate::usage::UsageRead;
use crate::usage::time::hour_label;
use crate::utc::rfc3339_millis;

/// A count as SQLite's 64-bit integer (counts are capped far below).
fn int(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// One stored import, as `usage list` shows it.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UsageImportRow {
    pub id: i64,
    pub file: String,
    pub file_name: String,
    pub size_bytes: i64,
    pub sha256: String,
    pub format: String,
    /// 0: one record per request; else the widest bucket, seconds.
    pub resolution_s: i64,
    pub lines: i64,
    pub records: i64,
    pub requests: i64,
    pub skipped: i64,
    /// Skipped lines by reason.
    pub skipped_by_reason: BTreeMap<String, i64>,
    pub first_start: String,
    pub last_start: String,
    pub imported_at: String,
}

/// What an import wrote.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UsageImportReport {
    pub import: UsageImportRow,
    /// The earlier import of the same content this one replaced.
    pub replaced: Option<i64>,
    /// The first few skipped lines, as their errors read.
    pub examples: Vec<String>,
    /// Requests per model in this import.
    pub models: Vec<ModelUsage>,
}

/// One model's stored traffic.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ModelUsage {
    pub model: String,
    pub requests: i64,
    pub successes: i64,
    pub failures: i64,
    pub unknown_status: i64,
    pub input_tokens: i64,
    pub output_tokens: i64,
    pub cached_tokens: i64,
    /// Spend as logged, over the requests whose spend the log gives.
    pub spend_usd: f64,
    /// The first and last hour with a request, `YYYY-MM-DDTHH:00:00Z`.
    pub first_hour: String,
    pub last_hour: String,
}

/// Everything stored: the imports, the range they cover, requests per model.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UsageList {
    pub imports: Vec<UsageImportRow>,
    pub first_start: Option<String>,
    pub last_start: Option<String>,
    pub models: Vec<ModelUsage>,
}

const IMPORT_COLUMNS: &str = "id, file, file_name, size_bytes, sha256, format, resolution_s, lines, records, requests, skipped, first_start, last_start, imported_at";

fn import_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<UsageImportRow> {
    Ok(UsageImportRow {
        id: r.get(0)?,
        file: r.get(1)?,
        file_name: r.get(2)?,
        size_bytes: r.get(3)?,
        sha256: r.get(4)?,
        format: r.get(5)?,
        resolution_s: r.get(6)?,
        lines: r.get(7)?,
        records: r.get(8)?,
        requests: r.get(9)?,
        skipped: r.get(10)?,
        skipped_by_reason: BTreeMap::new(),
        first_start: r.get(11)?,
        last_start: r.get(12)?,
        imported_at: r.get(13)?,
    })
}

fn model_usage(r: &rusqlite::Row<'_>) -> rusqlite::Result<ModelUsage> {
    Ok(ModelUsage {
        model: r.get(0)?,
        requests: r.get(1)?,
        successes: r.get(2)?,
        failures: r.get(3)?,
        unknown_status: r.get(4)?,
        input_tokens: r.get(5)?,
        output_tokens: r.get(6)?,
        cached_tokens: r.get(7)?,
        spend_usd: r.get(8)?,
        first_hour: r.get(9)?,
        last_hour: r.get(10)?,
    })
}

const MODEL_SUMS: &str = "SELECT model, sum(requests), sum(successes), sum(failures), sum(unknown_status),
        sum(input_tokens), sum(output_tokens), sum(cached_tokens), sum(spend_usd), min(hour), max(hour)
     FROM usage_hourly";

impl Catalog {
    /// The stored import of content `sha256`, if any.
    pub fn usage_import_by_hash(
        &self,
        sha256: &str,
    ) -> Result<Option<UsageImportRow>, CatalogError> {
        self.conn
            .query_row(
                &format!("SELECT {IMPORT_COLUMNS} FROM usage_imports WHERE sha256 = ?1"),
                [sha256],
                import_row,
            )
            .optional()
            .doing(&self.file, "looking up a usage import by its hash")
    }

    /// Whether any stored import has `size` bytes: only then is a file worth
    /// hashing before it is read, to refuse a duplicate early.
    pub fn usage_size_known(&self, size: u64) -> Result<bool, CatalogError> {
        self.conn
            .query_row(
                "SELECT EXISTS (SELECT 1 FROM usage_imports WHERE size_bytes = ?1)",
                [int(size)],
                |r| r.get(0),
            )
            .doing(&self.file, "looking up usage imports by size")
    }

    /// Writes `read`'s aggregates as one import, all or nothing. The same
    /// content already stored is refused, or with `replace` deleted first.
    pub fn store_usage(
        &mut self,
        read: &UsageRead,
        replace: bool,
    ) -> Result<UsageImportReport, CatalogError> {
        let db = self.file.clone();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .doing(&db, "starting the usage import")?;
        let earlier: Option<UsageImportRow> = tx
            .query_row(
                &format!("SELECT {IMPORT_COLUMNS} FROM usage_imports WHERE sha256 = ?1"),
                [&read.sha256],
                import_row,
            )
            .optional()
            .doing(&db, "looking up a usage import by its hash")?;
        let replaced = match earlier {
            Some(e) if !replace => {
                return Err(CatalogError::DuplicateUsage {
                    file: read.file.clone(),
                    id: e.id,
                    previous: e.file,
                    imported_at: e.imported_at,
                });
            }
            Some(e) => {
                tx.execute("DELETE FROM usage_imports WHERE id = ?1", [e.id])
                    .doing(&db, "deleting the import replaced")?;
                Some(e.id)
            }
            None => None,
        };
        let now = Catalog::now(&tx, &db)?;
        let agg = &read.aggregates;
        let (first, last) = (
            rfc3339_millis(agg.first_ms.unwrap_or(0)),
            rfc3339_millis(agg.last_ms.unwrap_or(0)),
        );
        tx.execute(
            "INSERT INTO usage_imports (file, file_name, size_bytes, sha256, format, resolution_s, lines, records,
                 requests, skipped, first_start, last_start, imported_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
            params![
                read.file,
                read.file_name,
                int(read.size_bytes),
                read.sha256,
                read.format.name(),
                agg.resolution_s,
                int(read.lines),
                int(read.records),
                int(agg.requests),
                int(read.skipped_total()),
                first,
                last,
                now
            ],
        )
        .doing(&db, "recording the usage import")?;
        let id = tx.last_insert_rowid();
        {
            let mut skipped = tx
                .prepare_cached(
                    "INSERT INTO usage_skipped (import_id, reason, lines) VALUES (?1, ?2, ?3)",
                )
                .doing(&db, "preparing the skip counts")?;
            for (reason, n) in &read.skipped {
                skipped
                    .execute(params![id, reason.name(), int(*n)])
                    .doing(&db, "writing the skip counts")?;
            }
            let mut hourly = tx
                .prepare_cached(
                    "INSERT INTO usage_hourly (import_id, model, hour, requests, successes, failures, unknown_status,
                         cache_hits, input_tokens, output_tokens, cached_tokens, cached_known, spend_usd, spend_known)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
                )
                .doing(&db, "preparing the hourly counts")?;
            for (model, hour, c) in agg.cells() {
                hourly
                    .execute(params![
                        id,
                        model,
                        hour_label(hour),
                        int(c.requests),
                        int(c.successes),
                        int(c.failures),
                        int(c.unknown_status),
                        int(c.cache_hits),
                        int(c.input_tokens),
                        int(c.output_tokens),
                        int(c.cached_tokens),
                        int(c.cached_known),
                        c.spend_usd,
                        int(c.spend_known)
                    ])
                    .doing(&db, "writing the hourly counts")?;
            }
            let mut bins = tx
                .prepare_cached(
                    "INSERT INTO usage_histograms (import_id, model, kind, bin, count, total) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                )
                .doing(&db, "preparing the histograms")?;
            for (model, h) in agg.histograms() {
                for (kind, histogram) in h.kinds() {
                    for (bin, n, total) in histogram.bins() {
                        bins.execute(params![
                            id,
                            model,
                            kind,
                            int(bin as u64),
                            int(n),
                            int(total)
                        ])
                        .doing(&db, "writing the histograms")?;
                    }
                }
            }
            let mut classes = tx
                .prepare_cached(
                    "INSERT INTO usage_price_classes (import_id, model, hour, band, batch, cache_hit, cached_known,
                         spend_known, cached_over_input, requests, input_tokens, output_tokens, cached_tokens,
                         spend_usd)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
                )
                .doing(&db, "preparing the price classes")?;
            for (model, hour, key, c) in agg.price_classes() {
                classes
                    .execute(params![
                        id,
                        model,
                        hour_label(hour),
                        key.band,
                        key.batch,
                        key.cache_hit,
                        key.cached_known,
                        key.spend_known,
                        key.cached_over_input,
                        int(c.requests),
                        int(c.input_tokens),
                        int(c.output_tokens),
                        int(c.cached_tokens),
                        c.spend_usd
                    ])
                    .doing(&db, "writing the price classes")?;
            }
            let mut routes = tx
                .prepare_cached(
                    "INSERT INTO usage_routes (import_id, model, model_group, api_base, requests) VALUES (?1, ?2, ?3, ?4, ?5)",
                )
                .doing(&db, "preparing the routes")?;
            for (model, route, n) in agg.routes() {
                routes
                    .execute(params![
                        id,
                        model,
                        route.model_group.as_deref().unwrap_or(""),
                        route.api_base.as_deref().unwrap_or(""),
                        int(n)
                    ])
                    .doing(&db, "writing the routes")?;
            }
        }
        let import = self_import(&tx, &db, id)?;
        let models = models_of(&tx, &db, Some(id))?;
        tx.commit().doing(&db, "committing the usage import")?;
        Ok(UsageImportReport {
            import,
            replaced,
            examples: read.examples.clone(),
            models,
        })
    }

    /// Every stored import, the time range they cover, and requests per
    /// model over all of them.
    pub fn usage_list(&self) -> Result<UsageList, CatalogError> {
        let db = &self.file;
        let ids: Vec<i64> = self
            .conn
            .prepare_cached("SELECT id FROM usage_imports ORDER BY id")
            .and_then(|mut s| s.query_map([], |r| r.get(0)).and_then(Iterator::collect))
            .doing(db, "listing the usage imports")?;
        let mut imports = Vec::new();
        for id in ids {
            imports.push(self_import(&self.conn, db, id)?);
        }
        let (first_start, last_start) = self
            .conn
            .query_row(
                "SELECT min(first_start), max(last_start) FROM usage_imports",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .doing(db, "reading the usage range")?;
        Ok(UsageList {
            imports,
            first_start,
            last_start,
            models: models_of(&self.conn, db, None)?,
        })
    }
}

/// Import `id` with its skip counts.
fn self_import(
    conn: &rusqlite::Connection,
    db: &str,
    id: i64,
) -> Result<UsageImportRow, CatalogError> {
    let mut row = conn
        .query_row(
            &format!("SELECT {IMPORT_COLUMNS} FROM usage_imports WHERE id = ?1"),
            [id],
            import_row,
        )
        .doing(db, "reading a usage import")?;
    row.skipped_by_reason = conn
        .prepare_cached(
            "SELECT reason, lines FROM usage_skipped WHERE import_id = ?1 ORDER BY reason",
        )
        .and_then(|mut s| {
            s.query_map([id], |r| Ok((r.get(0)?, r.get(1)?)))
                .and_then(Iterator::collect)
        })
        .doing(db, "reading the skip counts")?;
    Ok(row)
}

/// Requests per model, of one import or of all.
fn models_of(
    conn: &rusqlite::Connection,
    db: &str,
    id: Option<i64>,
) -> Result<Vec<ModelUsage>, CatalogError> {
    let sql = match id {
        Some(_) => format!("{MODEL_SUMS} WHERE import_id = ?1 GROUP BY model ORDER BY model"),
        None => format!("{MODEL_SUMS} WHERE ?1 IS NULL GROUP BY model ORDER BY model"),
    };
    conn.prepare_cached(&sql)
        .and_then(|mut s| s.query_map([id], model_usage).and_then(Iterator::collect))
        .doing(db, "summing requests per model")
}
