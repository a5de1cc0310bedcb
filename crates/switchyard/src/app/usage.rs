//! Usage logs end to end (`switchyard usage import|list|cost`): a log read
//! in bounded memory into aggregates and stored in the catalog in one
//! transaction, or priced request by request at the catalog's prices or on
//! a plan. The log is a file, or LiteLLM's spend logs read from the proxy's
//! PostgreSQL ([`import_usage_postgres`]).

use std::ops::ControlFlow;
use std::path::Path;

use crate::catalog::usage_store::{UsageImportReport, UsageList};
use crate::catalog::{Catalog, CatalogError};
use crate::usage::postgres::{Target, TimeRange, url_from_env};
use crate::usage::replay::{CostReport, PlanOffering, PlanPricing, Pricing, Replay};
use crate::usage::{ReadOptions, UsageError, UsageFormat, read_file, read_file_into};

/// How to import a log.
#[derive(Debug, Clone, PartialEq)]
pub struct UsageImportOptions {
    pub read: ReadOptions,
    /// Import content already stored again, in place of the earlier import.
    pub replace: bool,
}

/// What the app asks of an import: a file's format and what to do with bad
/// lines and a log already imported (`--map` is the CLI's, for CSV logs).
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
pub struct UsageImportRequest {
    pub format: UsageFormat,
    pub skip_bad: bool,
    pub replace: bool,
}

impl From<&UsageImportRequest> for UsageImportOptions {
    fn from(r: &UsageImportRequest) -> Self {
        Self {
            read: ReadOptions {
                format: r.format,
                map: Vec::new(),
                skip_bad: r.skip_bad,
            },
            replace: r.replace,
        }
    }
}

/// Why an import wrote nothing.
#[derive(Debug, thiserror::Error)]
pub enum UsageImportError {
    #[error(transparent)]
    Read(#[from] UsageError),
    #[error(transparent)]
    Catalog(#[from] CatalogError),
}

/// Reads `path` and stores its aggregates. `progress(bytes, total)` is
/// called while reading; `Break` cancels. When the catalog holds an import
/// of the same size, the file is hashed first, so a duplicate is refused
/// before a long read rather than after it.
pub fn import_usage(
    catalog: &mut Catalog,
    path: &Path,
    options: &UsageImportOptions,
    progress: &mut dyn FnMut(u64, u64) -> ControlFlow<()>,
) -> Result<UsageImportReport, UsageImportError> {
    let file = path.display().to_string();
    if !options.replace {
        let size = std::fs::metadata(path)
            .map_err(|source| UsageError::Read {
                file: file.clone(),
                source,
            })?
            .len();
        if catalog.usage_size_known(size)? {
            let handle = std::fs::File::open(path).map_err(|source| UsageError::Read {
                file: file.clone(),
                source,
            })?;
            let (_, sha256) =
                crate::usage::lines::hash(handle).map_err(|source| UsageError::Read {
                    file: file.clone(),
                    source,
                })?;
            if let Some(e) = catalog.usage_import_by_hash(&sha256)? {
                return Err(CatalogError::DuplicateUsage {
                    file,
                    id: e.id,
                    previous: e.file,
                    imported_at: e.imported_at,
                }
                .into());
            }
        }
    }
    let read = read_file(path, &options.read, progress)?;
    Ok(catalog.store_usage(&read, options.replace)?)
}

/// Where `usage import --from-postgres` reads.
#[derive(Debug, Clone, PartialEq)]
pub struct PostgresSource {
    /// The environment variable holding the connection string: the password
    /// is never on the command line, where `ps` and shell history would see it.
    pub url_env: String,
    pub range: TimeRange,
}

/// Reads LiteLLM's spend logs of `source.range` from the proxy's database
/// (read-only) and stores their aggregates as an import of the
/// `litellm-spend` format. The same rows imported again have the same
/// SHA-256 (of the streamed CSV) and are refused unless `replace`.
/// `progress(bytes, 0)`: the size is not known ahead.
pub fn import_usage_postgres(
    catalog: &mut Catalog,
    source: &PostgresSource,
    skip_bad: bool,
    replace: bool,
    progress: &mut dyn FnMut(u64, u64) -> ControlFlow<()>,
) -> Result<UsageImportReport, UsageImportError> {
    let url = url_from_env(&source.url_env)?;
    let target = Target::parse(&url)?;
    let read = target.read_spend_logs(&source.range, skip_bad, progress)?;
    Ok(catalog.store_usage(&read, replace)?)
}

/// What the catalog holds.
pub fn list(catalog: &Catalog) -> Result<UsageList, CatalogError> {
    catalog.usage_list()
}

/// What `switchyard usage cost` prices the log on.
#[derive(Debug)]
pub enum CostBasis<'a> {
    /// Each request at its own model's catalog prices
    /// ([`crate::catalog::log_prices`] matches the models).
    Catalog(&'a Catalog),
    /// Each request routed on a resolved plan (`MODEL.md` §3.9); `file`
    /// names the plan in the report.
    Plan {
        file: &'a str,
        portfolio: &'a crate::model::Portfolio,
    },
}

/// Why a replay gave no report.
#[derive(Debug, thiserror::Error)]
pub enum UsageCostError {
    #[error(transparent)]
    Read(#[from] UsageError),
    #[error(transparent)]
    Catalog(#[from] CatalogError),
}

/// The plan as a replay prices on it: each offering its routes use, with
/// its expected billed attempts and responses per request
/// ([`crate::model::billed`]).
pub fn plan_pricing(file: &str, portfolio: &crate::model::Portfolio) -> PlanPricing {
    let weights = crate::model::billed::billed(portfolio);
    PlanPricing {
        file: file.to_owned(),
        cost_per_request: crate::model::billed::mean_request_cost(portfolio, &weights),
        offerings: weights
            .iter()
            .filter(|w| w.input > 0.0 || w.output > 0.0)
            .map(|w| {
                let o = &portfolio.offerings[w.offering];
                PlanOffering {
                    id: o.id.clone(),
                    prices: o.prices,
                    billed_input: w.input,
                    billed_output: w.output,
                }
            })
            .collect(),
    }
}

/// Reads the log at `path` once, pricing every request on `basis` as it
/// goes, and reports the cost beside the spend as logged, per model and per
/// UTC day. `progress(bytes, total)` as for [`import_usage`]. Nothing is
/// written to the catalog.
pub fn usage_cost(
    path: &Path,
    read: &ReadOptions,
    basis: CostBasis<'_>,
    progress: &mut dyn FnMut(u64, u64) -> ControlFlow<()>,
) -> Result<CostReport, UsageCostError> {
    match basis {
        CostBasis::Catalog(catalog) => {
            let prices = catalog.log_prices()?;
            let mut find = |model: &str| prices.find(model);
            let mut replay = Replay::new(Pricing::Catalog(&mut find));
            let summary = read_file_into(path, read, progress, &mut replay)?;
            Ok(CostReport::of(&replay, &summary))
        }
        CostBasis::Plan { file, portfolio } => {
            let mut replay = Replay::new(Pricing::Plan(plan_pricing(file, portfolio)));
            let summary = read_file_into(path, read, progress, &mut replay)?;
            Ok(CostReport::of(&replay, &summary))
        }
    }
}
