//! What one edit on the Plan page costs: one resolve of the plan and one
//! computation of its closed forms, whose figures the simulated report then
//! shares. (The UI's side, one IPC call per edit, is checked by the browser
//! test.) The counters are process-wide, so this file holds one test.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use switchyard::app::{SimOptions, counters};
use switchyard_app::commands::plan::{example, start_edit};
use switchyard_app::jobs::{Events, JobProgress, PlanReport};
use switchyard_app::state::AppState;

/// The events a window would get, kept for the test.
#[derive(Clone, Default)]
struct Recorder {
    reports: Arc<Mutex<Vec<PlanReport>>>,
}

impl Events for Recorder {
    fn progress(&self, _progress: JobProgress) {}
    fn plan_report(&self, report: PlanReport) {
        self.reports
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(report);
    }
}

impl Recorder {
    /// Waits (at most 60 s) until `n` reports have come.
    fn wait_for(&self, n: usize) -> Vec<PlanReport> {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let reports = self
                .reports
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .clone();
            if reports.len() >= n || Instant::now() > deadline {
                return reports;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

#[test]
fn an_edit_costs_one_resolve_and_one_exact_computation() {
    let dir = tempfile::tempdir().expect("temp dir");
    let state = AppState::new(dir.path().join("catalog.db"));
    let events = Recorder::default();
    let mut plan = example().expect("example").plan;
    plan.routes[0].steps[1].timeout_ms = 2_000.0;
    let options = SimOptions {
        samples: 20_000,
        months: 200,
        ..SimOptions::default()
    };

    let (resolves, exact) = (counters::resolves(), counters::exact_computations());
    let view = start_edit(&state, events.clone(), &plan, options, "evaluate".into(), 7)
        .expect("the edit resolves");
    let reports = events.wait_for(1);
    assert_eq!(reports.len(), 1, "the simulation reported");
    let report = reports[0].report.as_ref().expect("a report, not an error");
    assert_eq!(reports[0].edit, 7);
    assert_eq!(counters::resolves() - resolves, 1, "one resolve per edit");
    assert_eq!(
        counters::exact_computations() - exact,
        1,
        "one exact computation per edit"
    );
    // The report is built on the view's exact figures.
    assert_eq!(report.availability, view.figures.availability);
    assert_eq!(report.nines, view.figures.nines);

    // A second edit before the first has simulated cancels it: one report,
    // for the newer edit, and still one resolve and one exact computation each.
    let (resolves, exact) = (counters::resolves(), counters::exact_computations());
    plan.routes[0].steps[1].timeout_ms = 3_000.0;
    start_edit(&state, events.clone(), &plan, options, "evaluate".into(), 8).expect("resolves");
    plan.routes[0].steps[1].timeout_ms = 4_000.0;
    start_edit(&state, events.clone(), &plan, options, "evaluate".into(), 9).expect("resolves");
    let reports = events.wait_for(2);
    assert_eq!(counters::resolves() - resolves, 2);
    assert_eq!(counters::exact_computations() - exact, 2);
    // Long enough for a stray report of edit 8 (it would have been due
    // within its 250 ms wait and a 20,000-request simulation).
    std::thread::sleep(Duration::from_millis(1_000));
    assert_eq!(
        events.wait_for(0).len(),
        2,
        "the replaced edit sent nothing"
    );
    assert_eq!(reports[1].edit, 9);
}
