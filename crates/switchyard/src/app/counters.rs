//! How often the application layer resolved a plan and ran the closed forms.
//! An edit on the Plan page must cost one of each (the exact figures and the
//! simulation that follows share them); the shell's test reads these counts.
//! Two relaxed atomic increments per edit cost nothing next to the work.

use std::sync::atomic::{AtomicU64, Ordering};

static RESOLVES: AtomicU64 = AtomicU64::new(0);
static EXACT_COMPUTATIONS: AtomicU64 = AtomicU64::new(0);

/// Plans resolved since the process started.
pub fn resolves() -> u64 {
    RESOLVES.load(Ordering::Relaxed)
}

/// Closed-form computations of a resolved plan since the process started.
pub fn exact_computations() -> u64 {
    EXACT_COMPUTATIONS.load(Ordering::Relaxed)
}

pub(super) fn count_resolve() {
    RESOLVES.fetch_add(1, Ordering::Relaxed);
}

pub(super) fn count_exact() {
    EXACT_COMPUTATIONS.fetch_add(1, Ordering::Relaxed);
}
