//! What the commands share: the catalog (opened on first use, so a plan that
//! needs no catalog never waits for it) and the running jobs.

use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard};

use switchyard::catalog::{Catalog, OpenOptions, Snapshot, plan_needs_catalog};
use switchyard::plan::{self, NoCatalog, OfferingSource, PlanError, PlanFile, Resolved};

use crate::error::AppResult;
use crate::jobs::Jobs;

#[derive(Debug)]
pub struct AppState {
    /// The catalog database, in the app-data dir.
    pub db_path: PathBuf,
    catalog: Mutex<Option<Catalog>>,
    pub jobs: Jobs,
}

/// The name plans are called by in messages when they have no file yet.
pub const UNSAVED: &str = "plan";

impl AppState {
    pub fn new(db_path: PathBuf) -> Self {
        Self {
            db_path,
            catalog: Mutex::new(None),
            jobs: Jobs::default(),
        }
    }

    /// The catalog, opened (created and seeded the first time) on first use.
    pub fn catalog(&self) -> AppResult<CatalogGuard<'_>> {
        let mut guard = self.catalog.lock().unwrap_or_else(|p| p.into_inner());
        if guard.is_none() {
            *guard = Some(self.open_connection()?);
        }
        Ok(CatalogGuard(guard))
    }

    /// A connection of its own to the catalog (for long writes: imports,
    /// probe results), its app-data directory created on first use.
    pub fn open_connection(&self) -> AppResult<Catalog> {
        let options = OpenOptions {
            create_dir: true,
            ..OpenOptions::default()
        };
        Ok(Catalog::open_with(&self.db_path, options)?)
    }

    /// Validates `plan` and resolves it against the catalog when it names
    /// offerings the plan does not define.
    pub fn resolve(&self, plan: &PlanFile) -> AppResult<Resolved> {
        let snapshot: Option<Snapshot> = if plan_needs_catalog(plan) {
            Some(self.catalog()?.get().snapshot_for(plan)?)
        } else {
            None
        };
        let source: &dyn OfferingSource = match &snapshot {
            Some(s) => s,
            None => &NoCatalog,
        };
        plan::resolve(plan, source).map_err(|problems| {
            PlanError::Invalid {
                file: UNSAVED.to_owned(),
                problems,
            }
            .into()
        })
    }
}

/// The locked, opened catalog.
#[derive(Debug)]
pub struct CatalogGuard<'a>(MutexGuard<'a, Option<Catalog>>);

impl CatalogGuard<'_> {
    pub fn get(&self) -> &Catalog {
        self.0
            .as_ref()
            .unwrap_or_else(|| unreachable!("opened in AppState::catalog"))
    }
    pub fn get_mut(&mut self) -> &mut Catalog {
        self.0
            .as_mut()
            .unwrap_or_else(|| unreachable!("opened in AppState::catalog"))
    }
}
