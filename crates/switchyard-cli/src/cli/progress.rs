//! A progress bar on standard error for long simulations, only when a person is
//! watching (stderr is a terminal), so scripts and `--json` pipelines stay clean.

use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};
use switchyard::model::Progress;

/// Work below this many units finishes too fast to need a bar.
const WORTH_A_BAR: u64 = 5_000_000;

/// Runs `work` (about `total` units) on a scoped thread while the calling thread
/// draws a bar from `progress`, if the work is long and stderr is a terminal.
pub fn with_bar<T: Send>(progress: &Progress, total: u64, work: impl FnOnce() -> T + Send) -> T {
    if total < WORTH_A_BAR || !std::io::stderr().is_terminal() {
        return work();
    }
    let bar = ProgressBar::new(total);
    if let Ok(style) =
        ProgressStyle::with_template("{spinner} simulating {wide_bar} {percent}% ({eta})")
    {
        bar.set_style(style);
    }
    drive(&bar, work, || bar.set_position(progress.position().0))
}

/// Runs `work` on a scoped thread, calling `tick` every 100 ms until it
/// ends, then clears `bar`: the one drawing loop of both bars.
fn drive<T: Send>(bar: &ProgressBar, work: impl FnOnce() -> T + Send, mut tick: impl FnMut()) -> T {
    let result = std::thread::scope(|scope| {
        let handle = scope.spawn(work);
        while !handle.is_finished() {
            tick();
            std::thread::sleep(Duration::from_millis(100));
        }
        handle.join()
    });
    bar.finish_and_clear();
    match result {
        Ok(value) => value,
        Err(panic) => std::panic::resume_unwind(panic),
    }
}

/// A bar only for work that has run this long: a search that ends sooner
/// would only flash one.
const SHOW_AFTER: Duration = Duration::from_millis(500);

/// Runs `work` on a scoped thread while the calling thread draws a bar of
/// `progress` labelled `what`, for work whose total grows as it goes (a
/// search learns how many prefixes survive its bounds only as it prunes):
/// the bar's length follows the work's own count. Shown only when stderr is
/// a terminal and the work outlasts [`SHOW_AFTER`].
pub fn with_growing_bar<T: Send>(
    progress: &Progress,
    what: &str,
    work: impl FnOnce() -> T + Send,
) -> T {
    if !std::io::stderr().is_terminal() {
        return work();
    }
    let bar = ProgressBar::hidden();
    if let Ok(style) =
        ProgressStyle::with_template(&format!("{{spinner}} {what} {{wide_bar}} {{pos}}/{{len}}"))
    {
        bar.set_style(style);
    }
    let started = std::time::Instant::now();
    drive(&bar, work, || {
        if started.elapsed() >= SHOW_AFTER && bar.is_hidden() {
            bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
        }
        let (done, total) = progress.position();
        bar.set_length(total.max(done));
        bar.set_position(done);
    })
}
