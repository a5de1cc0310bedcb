//! Saved plans: a name and the plan's TOML text, so the desktop app can keep a
//! user's plans beside the catalog they resolve against.

use rusqlite::{OptionalExtension, params};
use serde::Serialize;

use crate::plan::{self, Format};

use super::error::{CatalogError, SqlContext};
use super::import::check_id;
use super::store::Catalog;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SavedPlan {
    pub name: String,
    pub toml: String,
    pub saved_at: String,
}

impl Catalog {
    /// Saves (or replaces) a plan under `name`. The text must parse as a plan.
    pub fn save_plan(&mut self, name: &str, toml: &str) -> Result<(), CatalogError> {
        check_id(name).map_err(|reason| CatalogError::InvalidValue {
            id: name.to_owned(),
            field: "name".to_owned(),
            reason,
        })?;
        plan::parse(toml, Format::Toml, name).map_err(|e| CatalogError::InvalidValue {
            id: name.to_owned(),
            field: "toml".to_owned(),
            reason: e.to_string(),
        })?;
        let now = Catalog::now(&self.conn, &self.file)?;
        self.conn
            .execute(
                "INSERT INTO saved_plans (name, toml, saved_at) VALUES (?1, ?2, ?3)
                 ON CONFLICT (name) DO UPDATE SET toml = excluded.toml, saved_at = excluded.saved_at",
                params![name, toml, now],
            )
            .doing(&self.file, "saving the plan")?;
        Ok(())
    }

    pub fn saved_plan(&self, name: &str) -> Result<Option<SavedPlan>, CatalogError> {
        self.conn
            .query_row(
                "SELECT name, toml, saved_at FROM saved_plans WHERE name = ?1",
                [name],
                |r| {
                    Ok(SavedPlan {
                        name: r.get(0)?,
                        toml: r.get(1)?,
                        saved_at: r.get(2)?,
                    })
                },
            )
            .optional()
            .doing(&self.file, "reading a saved plan")
    }

    /// The saved plans' names, sorted.
    pub fn saved_plan_names(&self) -> Result<Vec<String>, CatalogError> {
        let mut stmt = self
            .conn
            .prepare("SELECT name FROM saved_plans ORDER BY name")
            .doing(&self.file, "listing saved plans")?;
        stmt.query_map([], |r| r.get(0))
            .and_then(Iterator::collect)
            .doing(&self.file, "listing saved plans")
    }

    /// Deletes a saved plan; false if there was none of that name.
    pub fn delete_plan(&mut self, name: &str) -> Result<bool, CatalogError> {
        self.conn
            .execute("DELETE FROM saved_plans WHERE name = ?1", [name])
            .map(|n| n > 0)
            .doing(&self.file, "deleting a saved plan")
    }
}
