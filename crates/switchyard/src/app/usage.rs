//! Usage logs end to end (`switchyard usage import|list|cost`): a log read
//! in bounded memory into aggregates and stored in the catalog in one
//! transaction, or priced request by request at the catalog's prices or on
//! a plan. The log is a file, or LiteLLM's spend logs read from the proxy's
//! PostgreSQL ([`import_usage_postgres`]).

use std::ops::ControlFlow;
use std::path::Path;

use crate::catalog::usage_classes::StoredClasses;
use crate::catalog::usage_store::{UsageImportReport, UsageList};
use crate::catalog::usage_window::UsageWindow;
use crate::catalog::{Catalog, CatalogError};
use crate::usage::postgres::{Target, TimeRange, url_from_env};
use crate::usage::read::RecordSink;
use crate::usage::record::UsageRecord;
use crate::usage::replay::report::StoredInfo;
use crate::usage::replay::{CostReport, PlanOffering, PlanPricing, Pricing, Replay};
use crate::usage::{ReadOptions, UsageError, UsageFormat, read_file, read_file_into};
use crate::utc::rfc3339_millis;

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

/// What the app asks of an import from LiteLLM's PostgreSQL: the
/// environment variable that holds the connection string (never the
/// string itself: the password stays out of the UI, its state and its
/// logs), and the time range as typed, read by the CLI's rule.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
pub struct PostgresImportRequest {
    /// Blank: `DATABASE_URL`, as the CLI's default.
    pub url_env: String,
    pub since: Option<String>,
    pub until: Option<String>,
    pub skip_bad: bool,
    pub replace: bool,
}

impl PostgresImportRequest {
    /// The source to read, or which field is wrong and why.
    pub fn source(&self) -> Result<PostgresSource, UsageError> {
        let bad = |reason: String| UsageError::file("PostgreSQL", reason);
        let window = super::usage_workload::typed_window(&self.since, &self.until, &[])
            .map_err(|(field, reason)| bad(format!("{field}: {reason}")))?;
        let url_env = match self.url_env.trim() {
            "" => crate::usage::postgres::DEFAULT_URL_ENV.to_owned(),
            name => name.to_owned(),
        };
        Ok(PostgresSource {
            url_env,
            range: TimeRange::new(window.since_ms, window.until_ms).map_err(bad)?,
        })
    }
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

/// What the app asks to price: the stored usage of a window, as typed.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Default, serde::Deserialize)]
pub struct UsageCostRequest {
    pub since: Option<String>,
    pub until: Option<String>,
    pub models: Vec<String>,
}

impl UsageCostRequest {
    pub fn window(&self) -> Result<UsageWindow, UsageCostError> {
        super::usage_workload::typed_window(&self.since, &self.until, &self.models)
            .map_err(|(field, reason)| UsageCostError::Bound { field, reason })
    }
}

/// Why a replay gave no report.
#[derive(Debug, thiserror::Error)]
pub enum UsageCostError {
    #[error("{field}: {reason}")]
    Bound { field: &'static str, reason: String },
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

/// [`usage_cost`] of one log on several plans (`usage cost FILE --plan A
/// --plan B`), the log read once: each record goes to every plan's replay
/// in turn, so each report is the one that plan gets alone.
pub fn usage_cost_plans(
    path: &Path,
    read: &ReadOptions,
    plans: &[(&str, &crate::model::Portfolio)],
    progress: &mut dyn FnMut(u64, u64) -> ControlFlow<()>,
) -> Result<Vec<CostReport>, UsageCostError> {
    let mut replays = EveryReplay(
        plans
            .iter()
            .map(|(file, portfolio)| Replay::new(Pricing::Plan(plan_pricing(file, portfolio))))
            .collect(),
    );
    let summary = read_file_into(path, read, progress, &mut replays)?;
    Ok(replays
        .0
        .iter()
        .map(|replay| CostReport::of(replay, &summary))
        .collect())
}

/// Several replays fed by one read pass.
struct EveryReplay<'a>(Vec<Replay<'a>>);

impl RecordSink for EveryReplay<'_> {
    fn wants_hash(&self) -> bool {
        false
    }

    fn add(&mut self, record: &UsageRecord<'_>) -> Result<(), String> {
        self.0.iter_mut().try_for_each(|replay| replay.add(record))
    }
}

/// Prices the usage stored in the catalog over `window` on `basis`, from
/// the stored price classes (`usage cost --stored`): the same report as a
/// replay of the logs, without the logs. Every rule of the per-request
/// price is linear in the tokens once a request's tier, batch and cache
/// flags are fixed, and the classes keep those apart, so the cost is the
/// logs' own to rounding, for every tier on a price band edge (the report
/// names the offerings whose tier is not). `catalog` holds the usage; with
/// [`CostBasis::Catalog`] it is also where prices come from.
pub fn usage_cost_stored(
    catalog: &Catalog,
    window: &UsageWindow,
    basis: CostBasis<'_>,
) -> Result<CostReport, UsageCostError> {
    let stored = |classes: StoredClasses| StoredInfo {
        since: window.since_ms.map(rfc3339_millis),
        until: window.until_ms.map(rfc3339_millis),
        models: window.models.clone(),
        imports: classes.imports,
        without_classes: classes.without_classes,
        price_classes: classes.classes,
        inexact_tiers: Vec::new(),
    };
    let nothing = |classes: &StoredClasses| -> Result<(), UsageCostError> {
        if classes.classes > 0 {
            return Ok(());
        }
        let reason = if classes.without_classes.is_empty() {
            "no stored usage in the window: import a log first (`switchyard usage import`)"
                .to_owned()
        } else {
            let files: Vec<String> = classes
                .without_classes
                .iter()
                .map(|i| format!("{} (import {})", i.file, i.id))
                .collect();
            format!(
                "the stored usage of the window was imported before price classes were kept: import {} again with --replace",
                files.join(", ")
            )
        };
        Err(CatalogError::File {
            file: catalog.file().to_owned(),
            reason,
        }
        .into())
    };
    let replayed = |mut replay: Replay<'_>| -> Result<CostReport, UsageCostError> {
        let classes = catalog.usage_price_classes(window, &mut replay)?;
        nothing(&classes)?;
        Ok(CostReport::of_stored(&replay, stored(classes)))
    };
    match basis {
        CostBasis::Catalog(prices_from) => {
            let prices = prices_from.log_prices()?;
            let mut find = |model: &str| prices.find(model);
            replayed(Replay::new(Pricing::Catalog(&mut find)))
        }
        CostBasis::Plan { file, portfolio } => {
            replayed(Replay::new(Pricing::Plan(plan_pricing(file, portfolio))))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(url_env: &str, since: Option<&str>, until: Option<&str>) -> PostgresImportRequest {
        PostgresImportRequest {
            url_env: url_env.to_owned(),
            since: since.map(str::to_owned),
            until: until.map(str::to_owned),
            skip_bad: false,
            replace: false,
        }
    }

    #[test]
    fn a_database_import_reads_the_range_by_the_clis_rule() {
        let source = request(" ", Some("2026-11-01"), Some(""))
            .source()
            .expect("valid");
        assert_eq!(source.url_env, "DATABASE_URL", "blank is the CLI's default");
        assert_eq!(source.range.since_ms, Some(1_793_491_200_000));
        assert_eq!(source.range.until_ms, None, "blank is open");
        let named = request("SPEND_DB", None, None).source().expect("valid");
        assert_eq!(named.url_env, "SPEND_DB");
        let bad = request("", Some("yesterday"), None)
            .source()
            .unwrap_err()
            .to_string();
        assert!(bad.starts_with("PostgreSQL: since: "), "{bad}");
        let empty = request("", Some("2026-11-02"), Some("2026-11-01"))
            .source()
            .unwrap_err()
            .to_string();
        assert!(empty.contains("is not before"), "{empty}");
    }
}
