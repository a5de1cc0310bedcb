//! The subcommands of the `switchyard` binary. Each parses its arguments, calls
//! the engine and prints; no figure is computed here.

// The output macros first: `#[macro_use]` makes them visible to the modules
// declared after it.
#[macro_use]
mod stdout;

pub mod catalog;
pub mod chart;
pub mod compare;
pub mod evaluate;
pub mod export;
pub mod history;
pub mod lint;
mod plan_input;
pub mod probe;
mod progress;
pub mod search;
mod sim_flags;
pub mod tco;
pub mod usage;
mod usage_cost;

use switchyard::catalog::CatalogError;
use switchyard::plan::PlanError;

/// A failure to report to the user, already worded: it names the file or field
/// and the reason.
#[derive(Debug)]
pub struct Failure(pub String);

impl From<PlanError> for Failure {
    fn from(e: PlanError) -> Self {
        Failure(e.to_string())
    }
}

impl From<switchyard::app::Error> for Failure {
    fn from(e: switchyard::app::Error) -> Self {
        Failure(e.to_string())
    }
}

impl From<CatalogError> for Failure {
    fn from(e: CatalogError) -> Self {
        Failure(e.to_string())
    }
}
