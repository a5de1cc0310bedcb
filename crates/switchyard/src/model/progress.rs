//! Progress and cancellation of long simulations, shared between the thread that
//! computes and the one that shows (a progress bar, a desktop event).
//!
//! Work is counted in units: one simulated request is one unit, and one simulated
//! period is [`UNITS_PER_PERIOD`] units, about what it costs relative to a request.
//! Chunks check for cancellation before they start, so a cancel takes effect
//! within one chunk's time (a few milliseconds).

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// A simulated period costs about as much as this many simulated requests.
pub const UNITS_PER_PERIOD: u64 = 25;

#[derive(Debug, Default)]
pub struct Progress {
    total: AtomicU64,
    done: AtomicU64,
    cancelled: AtomicBool,
    /// Tests cancel at an exact point of the work with this (0: never), so a
    /// cancellation test does not race the work it cancels.
    #[cfg(test)]
    cancel_at: AtomicU64,
}

/// The work stopped because it was cancelled; partial results are discarded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("cancelled")]
pub struct Cancelled;

impl Progress {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds `units` of work to the total expected.
    pub fn expect(&self, units: u64) {
        self.total.fetch_add(units, Ordering::Relaxed);
    }

    pub fn advance(&self, units: u64) {
        let _done = self.done.fetch_add(units, Ordering::Relaxed) + units;
        #[cfg(test)]
        {
            let at = self.cancel_at.load(Ordering::Relaxed);
            if at > 0 && _done >= at {
                self.cancel();
            }
        }
    }

    /// Cancels once `units` of work are done.
    #[cfg(test)]
    pub(crate) fn cancel_when_done(&self, units: u64) {
        self.cancel_at.store(units, Ordering::Relaxed);
    }

    /// `(done, total)` units.
    pub fn position(&self) -> (u64, u64) {
        (
            self.done.load(Ordering::Relaxed),
            self.total.load(Ordering::Relaxed),
        )
    }

    /// Asks the running work to stop as soon as it can.
    pub fn cancel(&self) {
        self.cancelled.store(true, Ordering::Relaxed);
    }

    pub fn is_cancelled(&self) -> bool {
        self.cancelled.load(Ordering::Relaxed)
    }
}
