//! What the commands share: the catalog (opened on first use, so a plan that
//! needs no catalog never waits for it) and the running jobs.

use std::borrow::Borrow;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use switchyard::app::refresh::Planned;
use switchyard::app::{self, Resolution};
use switchyard::catalog::{Catalog, CatalogError, OpenOptions};
use switchyard::plan::PlanFile;

use crate::error::AppResult;
use crate::jobs::Jobs;

#[derive(Debug)]
pub struct AppState {
    /// The catalog database, in the app-data dir.
    pub db_path: PathBuf,
    catalog: Mutex<Option<Catalog>>,
    /// Shared with jobs that outlive the command that started them (an
    /// edit's simulation).
    pub jobs: Arc<Jobs>,
    /// The price check the Catalog page shows, under its token, until it is
    /// written or discarded: writing applies exactly this batch, never a new
    /// download. One at a time: a new check replaces it.
    refresh: Mutex<Option<(String, Planned)>>,
    /// Checks so far, for their tokens.
    refreshes: AtomicU64,
}

/// The name plans are called by in messages when they have no file yet.
pub const UNSAVED: &str = "plan";

impl AppState {
    pub fn new(db_path: PathBuf) -> Self {
        Self {
            db_path,
            catalog: Mutex::new(None),
            jobs: Arc::default(),
            refresh: Mutex::new(None),
            refreshes: AtomicU64::new(0),
        }
    }

    /// Keeps a checked refresh (replacing any other) and returns its token.
    pub fn keep_refresh(&self, planned: Planned) -> String {
        let token = format!(
            "refresh-{}",
            self.refreshes.fetch_add(1, Ordering::Relaxed) + 1
        );
        *self.refresh.lock().unwrap_or_else(|p| p.into_inner()) = Some((token.clone(), planned));
        token
    }

    /// Takes the checked refresh of `token`, if it is still the one kept.
    pub fn take_refresh(&self, token: &str) -> Option<Planned> {
        let mut kept = self.refresh.lock().unwrap_or_else(|p| p.into_inner());
        if kept.as_ref().is_some_and(|(t, _)| t == token) {
            kept.take().map(|(_, planned)| planned)
        } else {
            None
        }
    }

    /// The catalog, opened (created and seeded the first time) on first use.
    pub fn catalog(&self) -> Result<CatalogGuard<'_>, CatalogError> {
        let mut guard = self.catalog.lock().unwrap_or_else(|p| p.into_inner());
        if guard.is_none() {
            *guard = Some(self.open_connection()?);
        }
        Ok(CatalogGuard(guard))
    }

    /// A connection of its own to the catalog (for long writes: imports,
    /// probe results), its app-data directory created on first use.
    pub fn open_connection(&self) -> Result<Catalog, CatalogError> {
        open_catalog(&self.db_path)
    }

    /// Validates `plan` and resolves it through the application layer,
    /// which takes the catalog only when the plan needs it.
    pub fn resolve(&self, plan: &PlanFile) -> AppResult<Resolution<CatalogGuard<'_>>> {
        Ok(app::resolve(plan, UNSAVED, false, || self.catalog())?)
    }
}

/// A connection of its own to the catalog at `db_path`, its directory
/// created on first use (for jobs that outlive the command's borrow of the
/// state).
pub fn open_catalog(db_path: &std::path::Path) -> Result<Catalog, CatalogError> {
    let options = OpenOptions {
        create_dir: true,
        ..OpenOptions::default()
    };
    Catalog::open_with(db_path, options)
}

/// The locked, opened catalog.
#[derive(Debug)]
pub struct CatalogGuard<'a>(MutexGuard<'a, Option<Catalog>>);

impl Borrow<Catalog> for CatalogGuard<'_> {
    fn borrow(&self) -> &Catalog {
        self.get()
    }
}

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
