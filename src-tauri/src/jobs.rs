//! Long work (simulations, imports, probes) runs off the main thread, reports
//! progress as `job-progress` events and can be cancelled by id. The UI picks
//! the id, so it can cancel before the command has even returned.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::Serialize;
use switchyard::model::{Progress, Report};
use tauri::{AppHandle, Emitter};
use ts_rs::TS;

use crate::error::AppError;

/// The event the UI listens to for progress.
pub const PROGRESS_EVENT: &str = "job-progress";
/// The event that carries the report of an edit's simulation.
pub const PLAN_REPORT_EVENT: &str = "plan-report";

/// The simulated report of a Plan-page edit, or why there is none. A
/// cancelled simulation (a newer edit replaced it) sends nothing.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct PlanReport {
    pub job: String,
    /// The UI's number of the edit this report is for.
    #[ts(type = "number")]
    pub edit: u64,
    pub report: Option<Report>,
    pub error: Option<AppError>,
}

/// Where a job's events go: the window (an [`AppHandle`]) or, in tests, a
/// recorder.
pub trait Events: Clone + Send + Sync + 'static {
    fn progress(&self, progress: JobProgress);
    fn plan_report(&self, report: PlanReport);
}

impl Events for AppHandle {
    fn progress(&self, progress: JobProgress) {
        let _ = self.emit(PROGRESS_EVENT, progress);
    }
    fn plan_report(&self, report: PlanReport) {
        let _ = self.emit(PLAN_REPORT_EVENT, report);
    }
}

/// How often progress is reported: often enough to look live, rarely enough to
/// cost nothing.
const TICK: Duration = Duration::from_millis(100);

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct JobProgress {
    pub job: String,
    #[ts(type = "number")]
    pub done: u64,
    #[ts(type = "number")]
    pub total: u64,
    /// What the job is doing, for the status line.
    pub stage: String,
}

/// The running jobs' progress handles, by id.
#[derive(Debug, Default)]
pub struct Jobs {
    running: Mutex<HashMap<String, Arc<Progress>>>,
}

impl Jobs {
    /// Registers job `id` and returns its progress handle. A job of the same id
    /// still running is cancelled: the UI reuses an id for "the current
    /// simulation", and only the latest matters.
    pub fn start(&self, id: &str) -> Arc<Progress> {
        let progress = Arc::new(Progress::new());
        let mut running = self.running.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(old) = running.insert(id.to_owned(), progress.clone()) {
            old.cancel();
        }
        progress
    }

    /// Forgets job `id` if `progress` is still the one registered under it.
    pub fn finish(&self, id: &str, progress: &Arc<Progress>) {
        let mut running = self.running.lock().unwrap_or_else(|p| p.into_inner());
        if running.get(id).is_some_and(|p| Arc::ptr_eq(p, progress)) {
            running.remove(id);
        }
    }

    /// Asks job `id` to stop; false if no such job runs.
    pub fn cancel(&self, id: &str) -> bool {
        let running = self.running.lock().unwrap_or_else(|p| p.into_inner());
        running.get(id).map(|p| p.cancel()).is_some()
    }
}

/// Runs `work` on the blocking pool as job `id` while reporting its progress
/// every tick.
pub async fn run_blocking<T: Send + 'static>(
    events: &impl Events,
    jobs: &Jobs,
    id: &str,
    stage: &str,
    work: impl FnOnce(&Progress) -> T + Send + 'static,
) -> Result<T, AppError> {
    let progress = jobs.start(id);
    run_started(events, jobs, id, progress, stage, work).await
}

/// [`run_blocking`] for a job already registered (its `progress` from
/// [`Jobs::start`]), so that it can be cancelled before it starts work.
pub async fn run_started<T: Send + 'static>(
    events: &impl Events,
    jobs: &Jobs,
    id: &str,
    progress: Arc<Progress>,
    stage: &str,
    work: impl FnOnce(&Progress) -> T + Send + 'static,
) -> Result<T, AppError> {
    let worker = progress.clone();
    let mut handle = tokio::task::spawn_blocking(move || work(&worker));
    let result = loop {
        tokio::select! {
            result = &mut handle => break result,
            () = tokio::time::sleep(TICK) => {
                let (done, total) = progress.position();
                events.progress(JobProgress {
                    job: id.to_owned(),
                    done,
                    total,
                    stage: stage.to_owned(),
                });
            }
        }
    };
    jobs.finish(id, &progress);
    // A last report at its end, whatever the job counted, so that a bar of
    // unknown length (rows streamed from a database) closes too.
    let (done, total) = progress.position();
    let end = done.max(total).max(1);
    events.progress(JobProgress {
        job: id.to_owned(),
        done: end,
        total: end,
        stage: stage.to_owned(),
    });
    result.map_err(|e| AppError::new("internal", format!("{stage} failed: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_job_of_the_same_id_cancels_the_old_one() {
        let jobs = Jobs::default();
        let first = jobs.start("sim");
        let second = jobs.start("sim");
        assert!(first.is_cancelled());
        assert!(!second.is_cancelled());
        jobs.finish("sim", &first);
        assert!(
            jobs.cancel("sim"),
            "finishing the old job keeps the new one"
        );
        assert!(second.is_cancelled());
        jobs.finish("sim", &second);
        assert!(!jobs.cancel("sim"));
    }

    /// Keeps the progress reports a job sends.
    #[derive(Default, Clone)]
    struct Recorded(Arc<std::sync::Mutex<Vec<JobProgress>>>);

    impl Events for Recorded {
        fn progress(&self, progress: JobProgress) {
            self.0.lock().expect("lock").push(progress);
        }
        fn plan_report(&self, _: PlanReport) {}
    }

    #[test]
    fn a_job_of_unknown_length_ends_with_a_report_that_closes_its_bar() {
        let events = Recorded::default();
        let jobs = Jobs::default();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .expect("runtime");
        let out = runtime.block_on(run_blocking(&events, &jobs, "db", "streaming", |p| {
            // Bytes streamed, no total ever expected.
            p.advance(4096);
            7
        }));
        assert_eq!(out.expect("runs"), 7);
        let last = events
            .0
            .lock()
            .expect("lock")
            .last()
            .cloned()
            .expect("a report");
        assert_eq!((last.done, last.total), (4096, 4096));
        assert_eq!(last.stage, "streaming");
    }
}
