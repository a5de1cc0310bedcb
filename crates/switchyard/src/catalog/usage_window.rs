//! Stored usage over a window of time, summed over imports: the hourly
//! totals and token histograms `switchyard usage workload` measures a
//! workload from.
//!
//! Hours are stored whole, so a window is taken to the hour: an hour is in
//! it when it starts before the window's end and ends after its start.
//! Histograms are kept per import, not per hour, so those of every import
//! whose requests overlap the window are summed (docs/USAGE.md says so).

use rusqlite::params;

use super::error::{CatalogError, SqlContext};
use super::store::Catalog;
use crate::usage::aggregate::{HISTOGRAM_KINDS, Histogram};
use crate::usage::time::{HOUR_MS, hour_label, hour_of, parse_ms};
use crate::usage::workload::{HourTotals, TokenHistograms, bins_of};
use crate::utc::rfc3339_millis;

/// Which stored usage to take.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct UsageWindow {
    /// Milliseconds since the epoch; open when `None`.
    pub since_ms: Option<i64>,
    pub until_ms: Option<i64>,
    /// Only these models (as the logs name them); all when empty.
    pub models: Vec<String>,
}

impl UsageWindow {
    /// The models as a JSON array for SQLite's `json_each`, or NULL for all.
    pub(super) fn models_json(&self) -> Option<String> {
        (!self.models.is_empty()).then(|| serde_json::Value::from(self.models.clone()).to_string())
    }
}

impl Catalog {
    /// The time the stored logs cover, `[start, end)` in ms, whole hours:
    /// from the hour of the first request of any import to the end of the
    /// hour of the last. `None` when nothing is stored.
    pub fn usage_coverage(&self) -> Result<Option<(i64, i64)>, CatalogError> {
        let db = &self.file;
        let (first, last): (Option<String>, Option<String>) = self
            .conn
            .query_row(
                "SELECT min(first_start), max(last_start) FROM usage_imports",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .doing(db, "reading the usage range")?;
        let hour = |label: Option<String>| -> Result<Option<i64>, CatalogError> {
            label
                .map(|l| {
                    parse_ms(&l).map(hour_of).ok_or_else(|| CatalogError::File {
                        file: db.clone(),
                        reason: format!("usage_imports holds the time `{l}`, which is not a time"),
                    })
                })
                .transpose()
        };
        Ok(match (hour(first)?, hour(last)?) {
            (Some(first), Some(last)) => Some((first * HOUR_MS, (last + 1) * HOUR_MS)),
            _ => None,
        })
    }

    /// All selected models' requests and tokens per hour in `window`, in
    /// order of hour.
    pub fn usage_hours(&self, window: &UsageWindow) -> Result<Vec<HourTotals>, CatalogError> {
        let db = &self.file;
        let since = window.since_ms.map(|ms| hour_label(hour_of(ms)));
        // The hour holding `until` starts before it, so it is in.
        let until = window
            .until_ms
            .map(|ms| hour_label(hour_of(ms.saturating_sub(1)) + 1));
        let rows: Vec<(String, i64, i64, i64, i64, i64)> = self
            .conn
            .prepare_cached(
                "SELECT hour, sum(requests), sum(input_tokens), sum(output_tokens),
                        sum(cached_tokens), sum(cached_known)
                   FROM usage_hourly
                  WHERE (?1 IS NULL OR hour >= ?1) AND (?2 IS NULL OR hour < ?2)
                    AND (?3 IS NULL OR model IN (SELECT value FROM json_each(?3)))
                  GROUP BY hour ORDER BY hour",
            )
            .and_then(|mut s| {
                s.query_map(params![since, until, window.models_json()], |r| {
                    Ok((
                        r.get(0)?,
                        r.get(1)?,
                        r.get(2)?,
                        r.get(3)?,
                        r.get(4)?,
                        r.get(5)?,
                    ))
                })
                .and_then(Iterator::collect)
            })
            .doing(db, "reading the hourly usage")?;
        let count = |n: i64| u64::try_from(n).unwrap_or(0);
        rows.into_iter()
            .map(|(label, requests, input, output, cached, known)| {
                let hour = parse_ms(&label)
                    .map(hour_of)
                    .ok_or_else(|| CatalogError::File {
                        file: db.clone(),
                        reason: format!(
                            "usage_hourly holds the hour `{label}`, which is not a time"
                        ),
                    })?;
                Ok(HourTotals {
                    hour,
                    requests: count(requests),
                    input_tokens: count(input),
                    output_tokens: count(output),
                    cached_tokens: count(cached),
                    cached_known: count(known),
                })
            })
            .collect()
    }

    /// The token histograms of the imports whose requests overlap `window`,
    /// summed, for the selected models.
    pub fn usage_token_histograms(
        &self,
        window: &UsageWindow,
    ) -> Result<TokenHistograms, CatalogError> {
        let db = &self.file;
        let since = window.since_ms.map(rfc3339_millis);
        let until = window.until_ms.map(rfc3339_millis);
        let rows: Vec<(String, i64, i64, i64)> = self
            .conn
            .prepare_cached(
                "SELECT h.kind, h.bin, sum(h.count), sum(h.total)
                   FROM usage_histograms h JOIN usage_imports i ON i.id = h.import_id
                  WHERE (?1 IS NULL OR i.last_start >= ?1) AND (?2 IS NULL OR i.first_start < ?2)
                    AND (?3 IS NULL OR h.model IN (SELECT value FROM json_each(?3)))
                  GROUP BY h.kind, h.bin",
            )
            .and_then(|mut s| {
                s.query_map(params![since, until, window.models_json()], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
                })
                .and_then(Iterator::collect)
            })
            .doing(db, "reading the usage histograms")?;
        let mut histograms: [Histogram; 3] = Default::default();
        for (kind, bin, count, total) in rows {
            let slot = HISTOGRAM_KINDS[..3].iter().position(|k| *k == kind);
            let bin = usize::try_from(bin).ok();
            if let (Some(slot), Some(bin)) = (slot, bin) {
                let h = &mut histograms[slot];
                if let (Some(c), Some(t)) = (h.counts.get_mut(bin), h.sums.get_mut(bin)) {
                    *c = u64::try_from(count).unwrap_or(0);
                    *t = u64::try_from(total).unwrap_or(0);
                }
            }
        }
        let [input, output, cached] = histograms;
        Ok(TokenHistograms {
            input_tokens: bins_of(&input),
            output_tokens: bins_of(&output),
            cached_tokens: bins_of(&cached),
        })
    }
}
