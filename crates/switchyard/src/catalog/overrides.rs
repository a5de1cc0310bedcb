//! User overrides: `catalog set ID FIELD VALUE` and `catalog reset ID [FIELD]`.
//!
//! An override sits beside the imported value instead of replacing it, so a
//! re-import updates the imported value (and its history) while the effective
//! value stays the user's until a reset. Both write a history row.

use rusqlite::{OptionalExtension, TransactionBehavior, params};
use serde::Serialize;

use super::error::{CatalogError, SqlContext};
use super::fields::{Field, Value};
use super::import::offering_exists;
use super::store::Catalog;

/// What a set or a reset changed, for one field.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OverrideChange {
    pub id: String,
    pub field: &'static str,
    /// The effective value before.
    pub old_value: Option<Value>,
    /// The effective value after (for a reset: the imported value, if any).
    pub new_value: Option<Value>,
}

/// Parses a field name, with the list of names when it is unknown.
pub fn field(name: &str) -> Result<Field, CatalogError> {
    Field::from_name(name).ok_or_else(|| CatalogError::UnknownField {
        field: super::error::quote(name),
        known: Field::known_names(),
    })
}

impl Catalog {
    /// Overrides `field` of offering `id` with `value` (its text form).
    pub fn set(
        &mut self,
        id: &str,
        field_name: &str,
        value: &str,
    ) -> Result<OverrideChange, CatalogError> {
        let field = field(field_name)?;
        let value = field
            .parse(value)
            .map_err(|reason| CatalogError::InvalidValue {
                id: id.to_owned(),
                field: field.name().to_owned(),
                reason,
            })?;
        let db = self.file.clone();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .doing(&db, "starting the override")?;
        if !offering_exists(&tx, &db, id)? {
            return Err(CatalogError::UnknownOffering(id.to_owned()));
        }
        let old = effective(&tx, &db, id, field)?;
        let overridden = override_of(&tx, &db, id, field)?;
        // Setting the override it already has changes nothing, and says so by
        // writing nothing: no new date, no history row.
        if overridden.as_ref() != Some(&value) {
            let now = Catalog::now(&tx, &db)?;
            tx.execute(
                "INSERT INTO overrides (offering, field, value, set_at) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (offering, field) DO UPDATE SET value = excluded.value, set_at = excluded.set_at",
                params![id, field.name(), value, now],
            )
            .doing(&db, "writing the override")?;
            // History is of values: pinning the value the catalog already has
            // (so imports no longer change it) is an override without a change.
            if old.as_ref() != Some(&value) {
                history(
                    &tx,
                    &db,
                    id,
                    field,
                    "override",
                    old.as_ref(),
                    Some(&value),
                    &now,
                )?;
            }
        }
        tx.commit().doing(&db, "committing the override")?;
        Ok(OverrideChange {
            id: id.to_owned(),
            field: field.name(),
            old_value: old,
            new_value: Some(value),
        })
    }

    /// Removes the override of `field` of offering `id`, or all its overrides
    /// when `field` is `None`. Returns one change per override removed (none
    /// when there was nothing to reset).
    pub fn reset(
        &mut self,
        id: &str,
        field_name: Option<&str>,
    ) -> Result<Vec<OverrideChange>, CatalogError> {
        let only = field_name.map(field).transpose()?;
        let db = self.file.clone();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .doing(&db, "starting the reset")?;
        if !offering_exists(&tx, &db, id)? {
            return Err(CatalogError::UnknownOffering(id.to_owned()));
        }
        let now = Catalog::now(&tx, &db)?;
        let mut changes = Vec::new();
        let fields: Vec<Field> = match only {
            Some(f) => vec![f],
            None => Field::ALL.to_vec(),
        };
        for field in fields {
            let old = override_of(&tx, &db, id, field)?;
            let Some(old) = old else { continue };
            tx.execute(
                "DELETE FROM overrides WHERE offering = ?1 AND field = ?2",
                params![id, field.name()],
            )
            .doing(&db, "removing the override")?;
            let new = effective(&tx, &db, id, field)?;
            history(&tx, &db, id, field, "reset", Some(&old), new.as_ref(), &now)?;
            changes.push(OverrideChange {
                id: id.to_owned(),
                field: field.name(),
                old_value: Some(old),
                new_value: new,
            });
        }
        tx.commit().doing(&db, "committing the reset")?;
        Ok(changes)
    }
}

/// The effective value: the override, else the imported value.
fn effective(
    conn: &rusqlite::Connection,
    db: &str,
    id: &str,
    field: Field,
) -> Result<Option<Value>, CatalogError> {
    conn.query_row(
        "SELECT COALESCE(
            (SELECT value FROM overrides WHERE offering = ?1 AND field = ?2),
            (SELECT value FROM figures WHERE offering = ?1 AND field = ?2))",
        params![id, field.name()],
        |r| r.get(0),
    )
    .doing(db, "reading the value")
}

/// The user's override of `field`, if there is one.
fn override_of(
    conn: &rusqlite::Connection,
    db: &str,
    id: &str,
    field: Field,
) -> Result<Option<Value>, CatalogError> {
    conn.query_row(
        "SELECT value FROM overrides WHERE offering = ?1 AND field = ?2",
        params![id, field.name()],
        |r| r.get(0),
    )
    .optional()
    .doing(db, "reading the override")
}

#[allow(clippy::too_many_arguments)]
fn history(
    conn: &rusqlite::Connection,
    db: &str,
    id: &str,
    field: Field,
    kind: &str,
    old: Option<&Value>,
    new: Option<&Value>,
    now: &str,
) -> Result<(), CatalogError> {
    conn.execute(
        "INSERT INTO history (offering, field, kind, old_value, new_value, source, recorded_at, effective_date)
         VALUES (?1, ?2, ?3, ?4, ?5, 'user', ?6, substr(?6, 1, 10))",
        params![id, field.name(), kind, old, new, now],
    )
    .doing(db, "writing the history")?;
    Ok(())
}
