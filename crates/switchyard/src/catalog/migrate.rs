//! Schema migrations: timestamped `.sql` files embedded in the binary, applied
//! in order. `PRAGMA user_version` holds how many have been applied (a
//! timestamp does not fit its 32 bits); `PRAGMA application_id` marks the file
//! as ours, so that another program's SQLite file is refused, not altered.

use rusqlite::{Connection, TransactionBehavior};

use super::error::{CatalogError, SqlContext};

/// Ours: "SYDY". Set by the first migration.
pub const APPLICATION_ID: i64 = 0x5359_4459;

/// The migrations, oldest first. Never edit or reorder a released one: add a
/// new file.
pub const MIGRATIONS: &[(&str, &str)] = &[
    (
        "20261124090000_catalog.sql",
        include_str!("migrations/20261124090000_catalog.sql"),
    ),
    (
        "20261124090100_observations_and_plans.sql",
        include_str!("migrations/20261124090100_observations_and_plans.sql"),
    ),
    (
        "20261124100000_probe_results.sql",
        include_str!("migrations/20261124100000_probe_results.sql"),
    ),
    (
        "20261203090000_outage_history.sql",
        include_str!("migrations/20261203090000_outage_history.sql"),
    ),
    (
        "20261203190000_fetched_sources.sql",
        include_str!("migrations/20261203190000_fetched_sources.sql"),
    ),
    (
        "20261203220000_rate_tiers.sql",
        include_str!("migrations/20261203220000_rate_tiers.sql"),
    ),
    (
        "20261204170000_usage.sql",
        include_str!("migrations/20261204170000_usage.sql"),
    ),
    (
        "20261205000000_usage_price_classes.sql",
        include_str!("migrations/20261205000000_usage_price_classes.sql"),
    ),
];

/// The first version with outage histories: a catalog migrated past it gets
/// the default catalog's embedded records.
pub const HISTORIES_VERSION: i64 = 4;

/// The first version with rate-limit tiers: a catalog migrated past it gets
/// the embedded tier table (catalog/rate_tiers.toml).
pub const RATE_TIERS_VERSION: i64 = 6;

/// The schema version this build writes.
pub fn latest_version() -> i64 {
    MIGRATIONS.len() as i64
}

pub fn version(conn: &Connection, file: &str) -> Result<i64, CatalogError> {
    conn.pragma_query_value(None, "user_version", |r| r.get(0))
        .doing(file, "reading the schema version")
}

/// Brings the database to the latest version in one transaction, refusing a
/// newer one. Returns the version it found (0 for a new file); `after` runs in
/// the same transaction, so that a fresh database is migrated and seeded
/// together or not at all.
pub fn migrate(
    conn: &mut Connection,
    file: &str,
    after: impl FnOnce(&rusqlite::Transaction<'_>, i64) -> Result<(), CatalogError>,
) -> Result<i64, CatalogError> {
    migrate_to(conn, file, latest_version(), after)
}

/// [`migrate`] up to `target` only: tests build old databases with it.
pub fn migrate_to(
    conn: &mut Connection,
    file: &str,
    target: i64,
    after: impl FnOnce(&rusqlite::Transaction<'_>, i64) -> Result<(), CatalogError>,
) -> Result<i64, CatalogError> {
    // A quick look first: an up-to-date database is not write-locked on open.
    let found = version(conn, file)?;
    check(conn, file, found)?;
    if found == target {
        return Ok(found);
    }
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .doing(file, "starting the migration")?;
    // Another process may have migrated in between: read again under the lock.
    let found = version(&tx, file)?;
    check(&tx, file, found)?;
    for (i, (name, sql)) in MIGRATIONS.iter().enumerate() {
        let v = i as i64 + 1;
        if v <= found || v > target {
            continue;
        }
        tx.execute_batch(sql)
            .doing(file, &format!("applying migration {name}"))?;
        tx.pragma_update(None, "user_version", v)
            .doing(file, "writing the schema version")?;
    }
    after(&tx, found)?;
    tx.commit().doing(file, "committing the migration")?;
    Ok(found)
}

/// Refuses a database of a newer schema, or one another program wrote.
pub(crate) fn check(conn: &Connection, file: &str, found: i64) -> Result<(), CatalogError> {
    if found > latest_version() {
        return Err(CatalogError::NewerSchema {
            file: file.to_owned(),
            found,
            supported: latest_version(),
        });
    }
    let app: i64 = conn
        .pragma_query_value(None, "application_id", |r| r.get(0))
        .doing(file, "reading the application id")?;
    let empty: bool = conn
        .query_row("SELECT count(*) = 0 FROM sqlite_schema", [], |r| r.get(0))
        .doing(file, "reading the schema")?;
    let ours = app == APPLICATION_ID || (app == 0 && found == 0 && empty);
    if ours {
        Ok(())
    } else {
        Err(CatalogError::NotACatalog {
            file: file.to_owned(),
            found: app,
        })
    }
}
