//! A price refresh end to end, the same for the CLI (`catalog import --url`)
//! and the Catalog page ("Check for price changes"): fetch the list, read it,
//! plan it against the catalog (the import run and rolled back), show the
//! [`Preview`], and write exactly that plan on request.
//!
//! The [`Planned`] refresh keeps the batch that was previewed, so writing it
//! never fetches again; and the write commits only if it does what the
//! preview showed ([`crate::catalog::apply_planned`]).

use serde::Serialize;

use crate::catalog::{
    Batch, Catalog, Diff, Fetched, ImportReport, Progress, RefreshFormat, apply_planned, fetch,
    plan, refresh,
};

use super::error::Error;
use super::options::RefreshOptions;

/// What a person is shown before a refresh is written.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Preview {
    pub format: RefreshFormat,
    /// Where the list was fetched from (without credentials).
    pub url: String,
    /// When it was fetched: UTC, RFC 3339.
    pub retrieved_at: String,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub bytes: u64,
    /// How long the download took.
    pub download_ms: f64,
    /// The import's counts; `import_id` is `null`: nothing is written yet.
    pub report: ImportReport,
    pub diff: Diff,
    /// How many writes the refresh makes ([`Diff::changes`]).
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub changes: u64,
}

/// A refresh fetched and planned: its preview and the batch that writes it.
#[derive(Debug, Clone)]
pub struct Planned {
    pub batch: Batch,
    pub preview: Preview,
}

/// Downloads the list from `url`, or from the format's default URL.
pub async fn download(url: Option<&str>, options: &RefreshOptions) -> Result<Fetched, Error> {
    options.validate()?;
    let url = url
        .map(str::trim)
        .filter(|u| !u.is_empty())
        .unwrap_or_else(|| options.format.default_url());
    Ok(fetch::fetch(url, options.limits())
        .await
        .map_err(crate::catalog::CatalogError::from)?)
}

/// Reads a download and plans it against `catalog`; writes nothing.
pub fn check(
    catalog: &mut Catalog,
    fetched: &Fetched,
    options: &RefreshOptions,
    progress: Progress<'_>,
) -> Result<Planned, Error> {
    let batch = refresh::batch(fetched, options.format, options.catalog())?;
    let outcome = plan(catalog, &batch, progress)?;
    let preview = Preview {
        format: options.format,
        url: fetched.url.clone(),
        retrieved_at: fetched.retrieved_at.clone(),
        bytes: fetched.body.len() as u64,
        download_ms: fetched.elapsed.as_secs_f64() * 1000.0,
        report: outcome.report,
        changes: outcome.diff.changes() as u64,
        diff: outcome.diff,
    };
    Ok(Planned { batch, preview })
}

/// Writes a planned refresh, only if it still changes exactly what its
/// preview showed.
pub fn write(
    catalog: &mut Catalog,
    planned: &Planned,
    progress: Progress<'_>,
) -> Result<ImportReport, Error> {
    let outcome = apply_planned(catalog, &planned.batch, &planned.preview.diff, progress)?;
    Ok(outcome.report)
}
