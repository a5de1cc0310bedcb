//! The stored price classes of a window of time, summed over imports and
//! handed to a record sink one by one: what `switchyard usage cost
//! --stored` replays in place of the log (docs/USAGE.md).
//!
//! Each row is one model's requests of one UTC hour in one price class
//! ([`crate::usage::aggregate::PriceClassKey`]), given to the sink as a
//! bucket of that many requests with their summed tokens and spend. Hours
//! are taken whole, as for `usage workload` ([`super::usage_window`]).

use std::borrow::Cow;

use rusqlite::params;

use super::error::{CatalogError, SqlContext};
use super::store::Catalog;
use super::usage_window::UsageWindow;
use crate::usage::read::RecordSink;
use crate::usage::record::{Granularity, UsageRecord};
use crate::usage::replay::report::StoredImport;
use crate::usage::time::{HOUR_MS, hour_label, hour_of, parse_ms};
use crate::utc::rfc3339_millis;

/// What a stored replay read.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredClasses {
    /// The imports whose requests overlap the window and have price
    /// classes.
    pub imports: Vec<StoredImport>,
    /// Imports that overlap the window but were stored before price
    /// classes were kept (schema version 8): their requests are in no
    /// figure; import the log again with `--replace` to include them.
    pub without_classes: Vec<StoredImport>,
    /// Price classes handed to the sink.
    pub classes: u64,
}

/// One stored class, summed over imports (the band and the
/// cached-over-input flag only keep classes apart; they are not needed to
/// price the sums).
struct ClassRow {
    model: String,
    hour: String,
    batch: bool,
    cache_hit: bool,
    cached_known: bool,
    spend_known: bool,
    requests: i64,
    input_tokens: i64,
    output_tokens: i64,
    cached_tokens: i64,
    spend_usd: f64,
}

impl Catalog {
    /// Hands every stored price class of `window` (summed over imports) to
    /// `sink`, in order of model, hour and class.
    pub fn usage_price_classes(
        &self,
        window: &UsageWindow,
        sink: &mut dyn RecordSink,
    ) -> Result<StoredClasses, CatalogError> {
        let db = &self.file;
        let since = window.since_ms.map(|ms| hour_label(hour_of(ms)));
        let until = window
            .until_ms
            .map(|ms| hour_label(hour_of(ms.saturating_sub(1)) + 1));
        // Imports overlap the window by their first and last request, in
        // the stored times' own format (as `usage_token_histograms`).
        let (first, last) = (
            window.since_ms.map(rfc3339_millis),
            window.until_ms.map(rfc3339_millis),
        );
        let overlapping: Vec<(StoredImport, bool)> = self
            .conn
            .prepare_cached(
                "SELECT i.id, i.file, EXISTS (SELECT 1 FROM usage_price_classes p WHERE p.import_id = i.id)
                   FROM usage_imports i
                  WHERE (?1 IS NULL OR i.last_start >= ?1) AND (?2 IS NULL OR i.first_start < ?2)
                  ORDER BY i.id",
            )
            .and_then(|mut s| {
                s.query_map(params![first, last], |r| {
                    Ok((
                        StoredImport {
                            id: r.get(0)?,
                            file: r.get(1)?,
                        },
                        r.get(2)?,
                    ))
                })
                .and_then(Iterator::collect)
            })
            .doing(db, "reading the usage imports of the window")?;
        let (with, without): (Vec<_>, Vec<_>) =
            overlapping.into_iter().partition(|(_, classes)| *classes);
        let (with, without) = (
            with.into_iter().map(|(i, _)| i).collect(),
            without.into_iter().map(|(i, _)| i).collect(),
        );
        let mut statement = self
            .conn
            .prepare_cached(
                "SELECT model, hour, band, batch, cache_hit, cached_known, spend_known, cached_over_input,
                        sum(requests), sum(input_tokens), sum(output_tokens), sum(cached_tokens), sum(spend_usd)
                   FROM usage_price_classes
                  WHERE (?1 IS NULL OR hour >= ?1) AND (?2 IS NULL OR hour < ?2)
                    AND (?3 IS NULL OR model IN (SELECT value FROM json_each(?3)))
                  GROUP BY model, hour, band, batch, cache_hit, cached_known, spend_known, cached_over_input
                  ORDER BY model, hour, band, batch, cache_hit, cached_known, spend_known, cached_over_input",
            )
            .doing(db, "reading the price classes")?;
        let rows = statement
            .query_map(params![since, until, window.models_json()], |r| {
                Ok(ClassRow {
                    model: r.get(0)?,
                    hour: r.get(1)?,
                    batch: r.get(3)?,
                    cache_hit: r.get(4)?,
                    cached_known: r.get(5)?,
                    spend_known: r.get(6)?,
                    requests: r.get(8)?,
                    input_tokens: r.get(9)?,
                    output_tokens: r.get(10)?,
                    cached_tokens: r.get(11)?,
                    spend_usd: r.get(12)?,
                })
            })
            .doing(db, "reading the price classes")?;
        let mut classes = 0u64;
        for row in rows {
            let row: ClassRow = row.doing(db, "reading a price class")?;
            let record = record_of(&row).ok_or_else(|| CatalogError::File {
                file: db.clone(),
                reason: format!(
                    "usage_price_classes holds the hour `{}`, which is not a time",
                    row.hour
                ),
            })?;
            sink.add(&record).map_err(|reason| CatalogError::File {
                file: db.clone(),
                reason,
            })?;
            classes += 1;
        }
        Ok(StoredClasses {
            imports: with,
            without_classes: without,
            classes,
        })
    }
}

/// One stored class as a bucket record of its requests; `None` when its
/// hour is not a time.
fn record_of(row: &ClassRow) -> Option<UsageRecord<'_>> {
    let count = |n: i64| u64::try_from(n).unwrap_or(0);
    let start_ms = parse_ms(&row.hour).map(|ms| hour_of(ms) * HOUR_MS)?;
    Some(UsageRecord {
        start_ms,
        model: Cow::Borrowed(&row.model),
        model_group: None,
        api_base: None,
        input_tokens: count(row.input_tokens),
        output_tokens: count(row.output_tokens),
        cached_tokens: row.cached_known.then_some(count(row.cached_tokens)),
        status: None,
        cache_hit: row.cache_hit,
        latency_ms: None,
        spend_usd: row.spend_known.then_some(row.spend_usd),
        batch: row.batch,
        granularity: Granularity::Bucket {
            requests: count(row.requests),
            width_s: HOUR_MS / 1000,
        },
    })
}
