//! The Plan page's usage logs: import a log into the catalog (with progress
//! and cancel), measure the workload of what is stored, for the preview
//! the plan's `[workload]` is taken from, and price the stored traffic on
//! the open plan or at the catalog's prices.

use std::ops::ControlFlow;
use std::path::PathBuf;

use switchyard::app::usage::{
    CostBasis, PostgresImportRequest, UsageCostError, UsageCostRequest, UsageImportError,
    UsageImportRequest, import_usage, import_usage_postgres, usage_cost_stored,
};
use switchyard::app::usage_workload::{
    UsageWorkload, UsageWorkloadError, WorkloadRequest, workload,
};
use switchyard::catalog::usage_store::UsageImportReport;
use switchyard::model::Progress;
use switchyard::plan::PlanFile;
use switchyard::usage::UsageError;
use switchyard::usage::replay::CostReport;
use tauri::{AppHandle, State};

use crate::error::{AppError, AppResult};
use crate::jobs::run_blocking;
use crate::state::AppState;

impl From<UsageImportError> for AppError {
    fn from(e: UsageImportError) -> Self {
        match e {
            UsageImportError::Read(UsageError::Cancelled { .. }) => {
                AppError::new("cancelled", e.to_string())
            }
            UsageImportError::Read(e) => AppError::new("usage", e.to_string()),
            UsageImportError::Catalog(e) => e.into(),
        }
    }
}

impl From<UsageWorkloadError> for AppError {
    fn from(e: UsageWorkloadError) -> Self {
        match e {
            UsageWorkloadError::Catalog(e) => e.into(),
            e => AppError::new("usage", e.to_string()),
        }
    }
}

impl From<UsageCostError> for AppError {
    fn from(e: UsageCostError) -> Self {
        match e {
            UsageCostError::Catalog(e) => e.into(),
            e => AppError::new("usage", e.to_string()),
        }
    }
}

/// Moves the job to `done` of `total` bytes; stops the read (nothing is
/// written) once the job is cancelled.
fn report_bytes(progress: &Progress, done: u64, total: u64) -> ControlFlow<()> {
    if progress.position().1 == 0 {
        progress.expect(total.max(1));
    }
    streamed_bytes(progress, done)
}

/// Reads a usage log into the catalog's aggregates, in one transaction.
#[tauri::command]
pub async fn usage_import(
    app: AppHandle,
    state: State<'_, AppState>,
    path: PathBuf,
    options: UsageImportRequest,
    job: String,
) -> AppResult<UsageImportReport> {
    // Its own connection: a long import must not hold the shared one.
    let mut catalog = state.open_connection()?;
    Ok(run_blocking(
        &app,
        &state.jobs,
        &job,
        "reading the log",
        move |progress| {
            import_usage(
                &mut catalog,
                &path,
                &(&options).into(),
                &mut |done, total| report_bytes(progress, done, total),
            )
        },
    )
    .await??)
}

/// Reads LiteLLM's spend logs from the proxy's PostgreSQL (read-only, the
/// connection string from the environment variable the request names)
/// into the catalog's aggregates, as `usage import --from-postgres`. The
/// size is not known ahead, so progress counts the bytes streamed.
#[tauri::command]
pub async fn usage_import_postgres(
    app: AppHandle,
    state: State<'_, AppState>,
    request: PostgresImportRequest,
    job: String,
) -> AppResult<UsageImportReport> {
    let source = request
        .source()
        .map_err(|e| AppError::new("usage", e.to_string()))?;
    let mut catalog = state.open_connection()?;
    Ok(run_blocking(
        &app,
        &state.jobs,
        &job,
        "reading the spend logs",
        move |progress| {
            import_usage_postgres(
                &mut catalog,
                &source,
                request.skip_bad,
                request.replace,
                &mut |done, _| streamed_bytes(progress, done),
            )
        },
    )
    .await??)
}

/// Moves the job to `done` bytes (of a stream whose size is unknown, the
/// bar shows no share of a guessed total); stops the read once the job is
/// cancelled.
fn streamed_bytes(progress: &Progress, done: u64) -> ControlFlow<()> {
    let (seen, _) = progress.position();
    progress.advance(done.saturating_sub(seen));
    if progress.is_cancelled() {
        ControlFlow::Break(())
    } else {
        ControlFlow::Continue(())
    }
}

/// The workload of the stored usage in a window: what the preview shows and
/// the `[workload]` it applies.
#[tauri::command(async)]
pub fn usage_workload(
    state: State<'_, AppState>,
    request: WorkloadRequest,
) -> AppResult<UsageWorkload> {
    let options = request.options()?;
    Ok(workload(state.catalog()?.get(), &options)?)
}

/// What the stored traffic of a window would have cost on `plan` (each
/// request routed by its shares and fallbacks), or at each model's own
/// catalog prices when `plan` is `None`: `usage cost --stored`.
#[tauri::command(async)]
pub fn usage_cost(
    state: State<'_, AppState>,
    plan: Option<PlanFile>,
    request: UsageCostRequest,
) -> AppResult<CostReport> {
    cost(&state, plan.as_ref(), &request)
}

/// [`usage_cost`] on the app's state.
pub fn cost(
    state: &AppState,
    plan: Option<&PlanFile>,
    request: &UsageCostRequest,
) -> AppResult<CostReport> {
    let window = request.window()?;
    // The plan resolves (and lets the catalog go) before the catalog is
    // taken for the usage it stores.
    let resolved = match plan {
        Some(plan) => Some(state.resolve(plan)?.resolved),
        None => None,
    };
    let catalog = state.catalog()?;
    let basis = match &resolved {
        Some(r) => CostBasis::Plan {
            file: "the open plan",
            portfolio: &r.portfolio,
        },
        None => CostBasis::Catalog(catalog.get()),
    };
    Ok(usage_cost_stored(catalog.get(), &window, basis)?)
}
