//! The Probes page: probe catalog offerings under caps, watch each result as
//! it lands (`probe-result` events), cancel at any time. Results are stored in
//! the catalog in batches, as the CLI stores them.

use std::time::Duration;

use serde::{Deserialize, Serialize};
use switchyard::catalog::probes;
use switchyard::chart::{Chart, build};
use switchyard::limits;
use switchyard::probe::{
    self, ProbeOptions, ProbeResult, ProbeStats, SweepOptions, SweepSummary, stats, targets,
};
use tauri::{AppHandle, Emitter, State};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;
use ts_rs::TS;

use super::analysis::{ChartView, view};
use crate::error::{AppError, AppResult};
use crate::state::AppState;

pub const RESULT_EVENT: &str = "probe-result";

/// The limits of one run: the CLI's options, with the CLI's defaults in the UI.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize, TS)]
pub struct ProbeCaps {
    /// Probes per offering.
    pub count: u32,
    pub concurrency: u32,
    pub per_provider: u32,
    /// Stop before spending more than this (USD, at catalog prices).
    pub max_spend_usd: f64,
    #[ts(type = "number | null")]
    pub max_tokens: Option<u64>,
    /// `max_tokens` of each probe's completion.
    pub output_tokens: u32,
    /// Hard deadline of one probe.
    pub timeout_s: f64,
}

impl ProbeCaps {
    fn options(&self) -> AppResult<SweepOptions> {
        // The ranges of `switchyard::limits`, as the CLI's flags have them.
        fn input(what: &'static str) -> impl Fn(String) -> AppError {
            move |reason| AppError::new("input", format!("{what}: {reason}"))
        }
        limits::PROBE_COUNT
            .check_count(u64::from(self.count))
            .map_err(input("probes per offering"))?;
        limits::PROBE_CONCURRENCY
            .check_count(u64::from(self.concurrency))
            .map_err(input("concurrency"))?;
        limits::PROBE_CONCURRENCY
            .check_count(u64::from(self.per_provider))
            .map_err(input("concurrency per provider"))?;
        limits::PROBE_MAX_SPEND
            .check(self.max_spend_usd)
            .map_err(input("the spend cap"))?;
        if let Some(tokens) = self.max_tokens {
            limits::PROBE_MAX_TOKENS
                .check_count(tokens)
                .map_err(input("the token cap"))?;
        }
        limits::PROBE_OUTPUT_TOKENS
            .check_count(u64::from(self.output_tokens))
            .map_err(input("output tokens per probe"))?;
        limits::APP_PROBE_TIMEOUT
            .check(self.timeout_s)
            .map_err(input("the probe timeout"))?;
        Ok(SweepOptions {
            count: self.count,
            concurrency: self.concurrency as usize,
            per_provider: self.per_provider as usize,
            max_spend_usd: Some(self.max_spend_usd),
            max_tokens: self.max_tokens,
            probe: ProbeOptions {
                max_tokens: self.output_tokens,
                deadline: Duration::from_secs_f64(self.timeout_s),
                ..ProbeOptions::default()
            },
            ..SweepOptions::default()
        })
    }
}

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
    caps: ProbeCaps,
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
    let data = build::probes_of(state.catalog()?.get(), offerings.iter().map(String::as_str))?;
    view(&Chart::Probes(data))
}

/// The probe run behind [`probe_start`]: keys from `env` (then the OS
/// keychain), each result handed to `emit`, results stored in the catalog in
/// batches, stopped when job `job` is cancelled.
pub async fn run_probes(
    state: &AppState,
    offerings: &[String],
    caps: ProbeCaps,
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
    let options = caps.options()?;
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

#[cfg(test)]
mod tests {
    use super::*;

    fn caps() -> ProbeCaps {
        ProbeCaps {
            count: 5,
            concurrency: 8,
            per_provider: 2,
            max_spend_usd: 0.1,
            max_tokens: None,
            output_tokens: 16,
            timeout_s: 30.0,
        }
    }

    #[test]
    fn caps_become_sweep_options() {
        let o = caps().options().expect("valid");
        assert_eq!(o.count, 5);
        assert_eq!(o.max_spend_usd, Some(0.1));
        assert_eq!(o.probe.deadline, Duration::from_secs(30));
    }

    #[test]
    fn bad_caps_are_refused_in_words() {
        for bad in [
            ProbeCaps { count: 0, ..caps() },
            ProbeCaps {
                max_spend_usd: f64::NAN,
                ..caps()
            },
            ProbeCaps {
                timeout_s: -1.0,
                ..caps()
            },
            ProbeCaps {
                output_tokens: 0,
                ..caps()
            },
        ] {
            let e = bad.options().expect_err("invalid");
            assert_eq!(e.code, "input");
            assert!(!e.message.contains('{'), "{}", e.message);
        }
    }
}
