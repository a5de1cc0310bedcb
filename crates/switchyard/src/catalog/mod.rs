//! The catalog: a SQLite database of providers, offerings, their figures with
//! source and date, price history, user overrides, groups, observed figures
//! and saved plans; importers that keep it current; and the embedded default
//! catalog that seeds a new database.
//!
//! - [`store`]: where the database is and how it is opened (WAL, busy timeout,
//!   foreign keys); [`migrate`]: the embedded, versioned schema.
//! - [`fields`]: the figures an offering carries and their rules.
//! - [`import`]: the rules every import follows, in one transaction;
//!   [`litellm`], [`openrouter`] and [`csv`] read the three formats; [`diff`]
//!   is what an import changes, shown before a refresh writes it.
//! - [`fetch`]: a price list downloaded within a timeout and a size cap;
//!   [`refresh`]: read as an import sourced to its URL and time.
//! - [`seed`]: the default catalog; [`query`]: list, show, history;
//!   [`overrides`]: `catalog set` / `catalog reset`; [`source`]: plans
//!   resolve against the catalog; [`plans`]: saved plans.
//! - [`usage_store`]: imported usage logs, as aggregates only;
//!   [`usage_window`]: them summed over a window of time.
//!   [`log_prices`]: the prices of a log's models, for re-pricing it.
//!
//! The catalog stores the *name* of each provider's key variable, never a key.

pub mod csv;
pub mod diff;
pub mod error;
pub mod fetch;
pub mod fields;
pub mod import;
pub mod inherit;
pub mod litellm;
pub mod log_prices;
pub mod migrate;
pub mod observed_limits;
pub mod openrouter;
pub mod outage_history;
pub mod overrides;
pub mod plans;
pub mod probe_targets;
pub mod probes;
pub mod query;
pub mod rate_tiers;
pub mod refresh;
pub mod seed;
pub mod source;
pub mod store;
pub mod usage_classes;
pub mod usage_store;
pub mod usage_window;

use std::io::Read;
use std::path::Path;

pub use diff::{AddedOffering, Diff, FieldChange, FigureValue};
pub use error::CatalogError;
pub use fetch::{FetchError, FetchLimits, Fetched};
pub use fields::{Field, Value};
pub use import::{
    Batch, Format, ImportFormat, ImportReport, Outcome, Progress, apply, apply_planned, plan,
};
pub use query::{Change, HistoryOutput, ListFilter, ListOutput, OfferingDetail, OfferingRow};
pub use refresh::{RefreshFormat, RefreshSource};
pub use source::Snapshot;
pub use store::{Catalog, DB_ENV, OpenOptions, db_path, explicit_db_path};

/// Largest import file read. The LiteLLM map is about 3 MB; a bound keeps a
/// wrong file (a disk image, /dev/zero) from exhausting memory.
pub const MAX_IMPORT_BYTES: u64 = 256 * 1024 * 1024;

/// What an import reads besides the file.
#[derive(Debug, Clone, Copy, Default)]
pub struct ImportOptions {
    /// Import every mode, not only chat (LiteLLM, OpenRouter).
    pub all_modes: bool,
}

/// Parses import text in `format`; `file` names it in errors. No database is
/// touched: the result goes to [`apply`].
pub fn parse(
    text: &str,
    format: Format,
    file: &str,
    options: ImportOptions,
) -> Result<Batch, CatalogError> {
    // Editors on Windows save UTF-8 with a byte-order mark; it is not text.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    match format {
        Format::Litellm => litellm::parse(
            text,
            file,
            litellm::Options {
                all_modes: options.all_modes,
            },
        ),
        Format::Openrouter => openrouter::parse(
            text,
            file,
            openrouter::Options {
                all_modes: options.all_modes,
            },
        ),
        Format::Csv => csv::parse(text, file),
        Format::Default => Err(CatalogError::File {
            file: file.to_owned(),
            reason: "the default catalog is seeded, not imported".to_owned(),
        }),
    }
}

/// Reads an import file as UTF-8 text, refusing one over [`MAX_IMPORT_BYTES`].
pub fn read_import_file(path: &Path) -> Result<String, CatalogError> {
    let file = path.display().to_string();
    let read = |source| CatalogError::Read {
        file: file.clone(),
        source,
    };
    let handle = std::fs::File::open(path).map_err(read)?;
    let mut bytes = Vec::new();
    handle
        .take(MAX_IMPORT_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(read)?;
    if bytes.len() as u64 > MAX_IMPORT_BYTES {
        return Err(CatalogError::File {
            file,
            reason: format!("is larger than {} MB", MAX_IMPORT_BYTES / (1024 * 1024)),
        });
    }
    utf8_text(bytes, &file)
}

/// Import bytes as text; `file` names them in the error.
pub(crate) fn utf8_text(bytes: Vec<u8>, file: &str) -> Result<String, CatalogError> {
    String::from_utf8(bytes).map_err(|e| CatalogError::File {
        file: file.to_owned(),
        reason: format!("is not UTF-8 text (byte {})", e.utf8_error().valid_up_to()),
    })
}

impl Catalog {
    /// Reads, parses and applies an import file in one transaction.
    pub fn import_file(
        &mut self,
        path: &Path,
        format: Format,
        options: ImportOptions,
        progress: Progress<'_>,
    ) -> Result<ImportReport, CatalogError> {
        let text = read_import_file(path)?;
        let name = path.display().to_string();
        let batch = parse(&text, format, &name, options)?;
        // A person cancels an import of a file: name the file, not the database.
        apply(self, &batch, progress).map_err(|e| match e {
            CatalogError::ImportCancelled { .. } => CatalogError::ImportCancelled { file: name },
            other => other,
        })
    }
}

#[cfg(test)]
pub(crate) mod testkit;

#[cfg(test)]
mod tests;

#[cfg(test)]
mod fuzz_tests;
