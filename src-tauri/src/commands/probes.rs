//! The Probes page: probe catalog offerings under caps, watch each result as
//! it lands (`probe-result` events), cancel at any time. Results are stored in
//! the catalog in batches, as the CLI stores them.

use std::time::Duration;

use serde::Serialize;
use switchyard::app::ProbeRunOptions;
use switchyard::app::charts::{self, ChartView};
use switchyard::catalog::{probe_targets as targets, probes};
use switchyard::probe::{self, ProbeResult, ProbeStats, SweepSummary, stats};
use tauri::{AppHandle, Emitter, State};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;
use ts_rs::TS;

use super::analysis::view;
use crate::error::{AppError, AppResult};
use crate::state::AppState;

pub const RESULT_EVENT: &str = "probe-result";

/// One finished probe, as the live view shows it.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct ProbeEvent {
    pub job: String,
    pub offering: String,
    pub ok: bool,
    pub ttft_ms: Option<f64>,
    /// The failure class (`timeout`, `rate_limit`, ...), if it failed.
    pub error: Option<String>,
    pub cost_usd: f64,
    #[ts(type = "number")]
    pub done: u64,
    #[ts(type = "number")]
    pub total: u64,
}

/// How the run ended and what each offering measured.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct ProbeRun {
    pub summary: SweepSummary,
    pub stats: Vec<ProbeStats>,
}

/// Results are written to the catalog at least this often.
const FLUSH_EVERY: usize = 50;

/// Probes `offerings` under `caps`; each result is emitted as a
/// `probe-result` event as it lands.
#[tauri::command]
pub async fn probe_start(
    app: AppHandle,
    state: State<'_, AppState>,
    offerings: Vec<String>,
    caps: ProbeRunOptions,
    job: String,
) -> AppResult<ProbeRun> {
    let emit = |event: ProbeEvent| {
        let _ = app.emit(RESULT_EVENT, event);
    };
    run_probes(
        &state,
        &offerings,
        caps,
        &job,
        |name| std::env::var(name).ok(),
        emit,
    )
    .await
}

/// The stored probe results of `offerings` over time, drawn by the engine.
#[tauri::command]
pub async fn probe_chart(
    state: State<'_, AppState>,
    offerings: Vec<String>,
) -> AppResult<ChartView> {
    let chart = charts::probes(state.catalog()?.get(), offerings.iter().map(String::as_str))?;
    view(&chart)
}

/// The probe run behind [`probe_start`]: keys from `env` (then the OS
/// keychain), each result handed to `emit`, results stored in the catalog in
/// batches, stopped when job `job` is cancelled.
pub async fn run_probes(
    state: &AppState,
    offerings: &[String],
    caps: ProbeRunOptions,
    job: &str,
    env: impl Fn(&str) -> Option<String>,
    emit: impl Fn(ProbeEvent),
) -> AppResult<ProbeRun> {
    if offerings.is_empty() {
        return Err(AppError::new(
            "input",
            "pick at least one offering to probe",
        ));
    }
    caps.validate()?;
    let options = caps.sweep();
    let sweep_targets = {
        let catalog = state.catalog()?;
        offerings
            .iter()
            .map(|id| {
                targets::catalog_target(catalog.get(), id)
                    .and_then(|t| targets::sweep_target_with(t, &env))
            })
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| AppError::new("probe", e.to_string()))?
    };
    let total = u64::from(caps.count) * sweep_targets.len() as u64;
    let client = probe::http_client()
        .map_err(|e| AppError::new("probe", format!("cannot build the HTTP client: {e}")))?;
    // Results get their own connection, like an import: the shared one stays free.
    let store = state.open_connection()?;

    let progress = state.jobs.start(job);
    let cancel = CancellationToken::new();
    let bridge = {
        // `cancel_job` sets the job's flag; the sweep listens to a token.
        let (progress, cancel) = (progress.clone(), cancel.clone());
        tokio::spawn(async move {
            while !cancel.is_cancelled() {
                if progress.is_cancelled() {
                    cancel.cancel();
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        })
    };
    let (sender, mut receiver) = mpsc::unbounded_channel();
    let sweep = tokio::spawn(probe::sweep(
        client,
        sweep_targets,
        options,
        cancel.clone(),
        sender,
    ));
    let mut all: Vec<ProbeResult> = Vec::new();
    let mut pending: Vec<ProbeResult> = Vec::new();
    let mut stored = Ok(());
    while let Some(result) = receiver.recv().await {
        emit(ProbeEvent {
            job: job.to_owned(),
            offering: result.offering.clone(),
            ok: result.ok,
            ttft_ms: result.ttft_ms,
            error: result.error.map(|e| e.as_str().to_owned()),
            cost_usd: result.cost_usd,
            done: all.len() as u64 + 1,
            total,
        });
        pending.push(result.clone());
        all.push(result);
        if pending.len() >= FLUSH_EVERY && stored.is_ok() {
            stored = probes::insert(&store, &pending);
            pending.clear();
        }
    }
    if stored.is_ok() {
        stored = probes::insert(&store, &pending);
    }
    let summary = sweep.await;
    cancel.cancel();
    let _ = bridge.await;
    state.jobs.finish(job, &progress);
    stored?;
    let summary =
        summary.map_err(|e| AppError::new("internal", format!("the probe run failed: {e}")))?;
    let mut ids: Vec<String> = all.iter().map(|r| r.offering.clone()).collect();
    ids.sort();
    ids.dedup();
    Ok(ProbeRun {
        summary,
        stats: ids.iter().map(|id| stats(id, &all)).collect(),
    })
}
