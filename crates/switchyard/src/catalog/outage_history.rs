//! A failure group's outage history in the catalog (`switchyard history
//! import`): the daily record of each group, and the outage process fitted
//! from it when a plan asks for the group.
//!
//! The record is stored, not the fit: the fit is a function of the record
//! (seeded, so the same record gives the same fit), and keeping only the
//! record means a better fitting method needs no re-import. An import is one
//! transaction; a day the new record covers replaces the stored day, so
//! importing the same file again changes nothing.

use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use serde::Serialize;

use super::error::{CatalogError, SqlContext};
use super::store::Catalog;
use crate::history::fit::{Fit, fit, fit_process};
use crate::history::record::RecordFormat;
use crate::history::{DailyHistory, Day};
use crate::model::outage_process::{DAY_MINUTES, OutageProcess};

/// One group's record to import.
#[derive(Debug, Clone, PartialEq)]
pub struct HistoryImport {
    pub group: String,
    pub history: DailyHistory,
}

/// What the import did to one group.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupImport {
    pub group: String,
    pub service: String,
    pub first_day: String,
    pub last_day: String,
    /// Days the record covers, and how many of them had an outage.
    pub days: u32,
    pub outage_days: u32,
    /// Days new to the catalog or with other minutes than it held.
    pub changed_days: u32,
}

/// The groups an import touched.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HistoryImportReport {
    pub file: String,
    pub format: RecordFormat,
    pub groups: Vec<GroupImport>,
}

/// A group's stored history and the fit it gives.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupHistory {
    pub group: String,
    pub first_day: String,
    pub last_day: String,
    pub days: u32,
    pub outage_days: u32,
    /// The files its days came from, in import order.
    pub files: Vec<String>,
    /// The fitted process, and what it implies; or
    pub fit: Option<FittedHistory>,
    /// why there is none (too short a record).
    pub fit_error: Option<String>,
}

/// A fit with what its process implies, as the Catalog page shows it.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FittedHistory {
    pub fit: Fit,
    pub mean_availability: f64,
    pub p_clean_month: f64,
}

impl FittedHistory {
    /// `fit` with what its process implies.
    pub fn of(fit: Fit) -> Self {
        Self {
            mean_availability: fit.process.mean_availability(),
            p_clean_month: fit.process.p_clean_month(),
            fit,
        }
    }
}

fn as_count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

impl Catalog {
    /// Writes each group's record, all or nothing. A group must exist in the
    /// catalog; a day already stored for it is replaced.
    pub fn import_history(
        &mut self,
        file: &str,
        format: RecordFormat,
        imports: &[HistoryImport],
    ) -> Result<HistoryImportReport, CatalogError> {
        let db = self.file.clone();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .doing(&db, "starting the history import")?;
        let now = Catalog::now(&tx, &db)?;
        let mut groups = Vec::new();
        for import in imports {
            groups.push(write_record(&tx, &db, file, format, import, &now)?);
        }
        tx.commit().doing(&db, "committing the history import")?;
        Ok(HistoryImportReport {
            file: file.to_owned(),
            format,
            groups,
        })
    }

    /// The daily record stored for `group`, if any; it is named after the
    /// files it came from.
    pub fn group_record(&self, group: &str) -> Result<Option<DailyHistory>, CatalogError> {
        let db = &self.file;
        let doing = "reading a group's outage history";
        let days: Vec<Day> = self
            .conn
            .prepare_cached("SELECT day, minutes FROM outage_days WHERE group_id = ?1 ORDER BY day")
            .and_then(|mut s| {
                s.query_map([group], |r| {
                    Ok(Day {
                        date: r.get(0)?,
                        minutes: r.get(1)?,
                    })
                })
                .and_then(Iterator::collect::<Result<Vec<_>, _>>)
            })
            .doing(db, doing)?;
        if days.is_empty() {
            return Ok(None);
        }
        let files = self.record_files(group)?;
        Ok(Some(DailyHistory::new(&files.join(", "), group, days)))
    }

    /// The files that still hold days of `group`'s record, oldest import first.
    fn record_files(&self, group: &str) -> Result<Vec<String>, CatalogError> {
        self.conn
            .prepare_cached(
                "SELECT i.file FROM outage_imports i
                 WHERE i.group_id = ?1 AND EXISTS (SELECT 1 FROM outage_days d WHERE d.import_id = i.id)
                 GROUP BY i.file ORDER BY min(i.id)",
            )
            .and_then(|mut s| {
                s.query_map([group], |r| r.get(0))
                    .and_then(Iterator::collect::<Result<Vec<String>, _>>)
            })
            .doing(&self.file, "reading a group's history imports")
    }

    /// `group`'s stored history with its fit; `None` without a record.
    pub fn group_history(&self, group: &str) -> Result<Option<GroupHistory>, CatalogError> {
        let Some(record) = self.group_record(group)? else {
            return Ok(None);
        };
        let (first, last) = match (record.days.first(), record.days.last()) {
            (Some(f), Some(l)) => (f.date.clone(), l.date.clone()),
            _ => return Ok(None),
        };
        let fitted = fit(&record);
        Ok(Some(GroupHistory {
            group: group.to_owned(),
            first_day: first,
            last_day: last,
            days: as_count(record.days.len()),
            outage_days: as_count(record.days.iter().filter(|d| d.minutes > 0.0).count()),
            files: self.record_files(group)?,
            fit_error: fitted.as_ref().err().map(ToString::to_string),
            fit: fitted.ok().map(FittedHistory::of),
        }))
    }

    /// Every group with a stored history, by id.
    pub fn group_histories(&self) -> Result<Vec<GroupHistory>, CatalogError> {
        let ids: Vec<String> = self
            .conn
            .prepare_cached("SELECT DISTINCT group_id FROM outage_days ORDER BY group_id")
            .and_then(|mut s| {
                s.query_map([], |r| r.get(0))
                    .and_then(Iterator::collect::<Result<Vec<String>, _>>)
            })
            .doing(&self.file, "listing the groups with a history")?;
        let mut out = Vec::new();
        for id in ids {
            out.extend(self.group_history(&id)?);
        }
        Ok(out)
    }

    /// The process fitted from `group`'s stored history, when it has one long
    /// enough: the fit's point estimates, without its intervals.
    pub fn group_process(&self, group: &str) -> Result<Option<OutageProcess>, CatalogError> {
        Ok(self
            .group_record(group)?
            .and_then(|record| fit_process(&record).ok()))
    }

    /// The fit of `group`'s stored history, when it has one long enough.
    pub fn group_fit(&self, group: &str) -> Result<Option<Fit>, CatalogError> {
        Ok(self
            .group_history(group)?
            .and_then(|h| h.fit)
            .map(|f| f.fit))
    }
}

/// Writes one group's record inside the caller's transaction: the days that
/// are new or changed, under one `outage_imports` row (none when nothing
/// changed, so a repeated import leaves no trace).
pub(crate) fn write_record(
    tx: &Connection,
    db: &str,
    file: &str,
    format: RecordFormat,
    import: &HistoryImport,
    now: &str,
) -> Result<GroupImport, CatalogError> {
    if !group_exists(tx, db, &import.group)? {
        return Err(CatalogError::UnknownGroup {
            id: super::error::quote(&import.group),
            known: group_ids(tx, db)?.join(", "),
        });
    }
    let days = &import.history.days;
    let (Some(first), Some(last)) = (days.first(), days.last()) else {
        return Err(CatalogError::File {
            file: file.to_owned(),
            reason: format!("the record of `{}` has no days", import.history.service),
        });
    };
    let mut changed = Vec::new();
    {
        let mut stored = tx
            .prepare_cached("SELECT minutes FROM outage_days WHERE group_id = ?1 AND day = ?2")
            .doing(db, "reading the stored history")?;
        for day in days {
            let minutes = day.minutes.clamp(0.0, DAY_MINUTES);
            let held: Option<f64> = stored
                .query_row(params![import.group, day.date], |r| r.get(0))
                .optional()
                .doing(db, "reading the stored history")?;
            if held != Some(minutes) {
                changed.push((day.date.as_str(), minutes));
            }
        }
    }
    if !changed.is_empty() {
        tx.execute(
            "INSERT INTO outage_imports (group_id, file, format, service, first_day, last_day, imported_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                import.group,
                file,
                format.name(),
                import.history.service,
                first.date,
                last.date,
                now
            ],
        )
        .doing(db, "logging the history import")?;
        let import_id = tx.last_insert_rowid();
        let mut write = tx
            .prepare_cached(
                "INSERT INTO outage_days (group_id, day, minutes, import_id) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (group_id, day) DO UPDATE SET minutes = excluded.minutes, import_id = excluded.import_id",
            )
            .doing(db, "writing the history")?;
        for (date, minutes) in &changed {
            write
                .execute(params![import.group, date, minutes, import_id])
                .doing(db, "writing the history")?;
        }
    }
    Ok(GroupImport {
        group: import.group.clone(),
        service: import.history.service.clone(),
        first_day: first.date.clone(),
        last_day: last.date.clone(),
        days: as_count(days.len()),
        outage_days: as_count(days.iter().filter(|d| d.minutes > 0.0).count()),
        changed_days: as_count(changed.len()),
    })
}

/// Whether the catalog has group `id`.
pub(crate) fn group_exists(conn: &Connection, db: &str, id: &str) -> Result<bool, CatalogError> {
    conn.query_row("SELECT count(*) > 0 FROM groups WHERE id = ?1", [id], |r| {
        r.get(0)
    })
    .doing(db, "looking up a group")
}

/// The catalog's group ids, for messages.
fn group_ids(conn: &Connection, db: &str) -> Result<Vec<String>, CatalogError> {
    conn.prepare_cached("SELECT id FROM groups ORDER BY id")
        .and_then(|mut s| {
            s.query_map([], |r| r.get(0))
                .and_then(Iterator::collect::<Result<Vec<String>, _>>)
        })
        .doing(db, "listing the groups")
}

#[cfg(test)]
#[path = "outage_history_tests.rs"]
mod tests;
