//! The application layer: what the two faces, the `switchyard` CLI and the
//! desktop shell, call. Each face parses its input (flags, IPC arguments),
//! calls one function here and shows the result; neither wires the engine's
//! parts together itself, so a plan means the same in both.
//!
//! - [`options`]: the options of every job, with their one set of defaults
//!   and ranges.
//! - [`evaluation`]: a plan resolved once (opening the catalog only when the
//!   plan needs it), its exact figures and merged offerings, and the
//!   simulation that follows, which reuses them.
//! - [`charts`]: the charts of a plan, and of stored probe results.
//! - [`compare`]: portfolios side by side, and their overlaid charts.
//! - [`catalog_rows`]: the catalog's offerings with their observed figures.
//! - [`search`]: a plan's `[search]` end to end.
//! - [`history`]: outage records read, imported, fitted and backtested.
//! - [`refresh`]: a price list fetched, previewed as a diff, and written.
//! - [`usage`]: usage logs read into aggregates and stored;
//!   [`usage_workload`]: a plan's `[workload]` measured from them.
//! - [`counters`]: how many resolves and exact computations ran, for the
//!   test that an edit costs one of each.
//!
//! Layers run one way: `model` ← `plan` ← `catalog`, `probe`, `export` ←
//! `chart`, `report` ← `app` ← the CLI and the shell
//! (`tests/tests/layers.rs` checks the imports).

pub mod catalog_rows;
pub mod charts;
pub mod compare;
pub mod counters;
mod error;
pub mod evaluation;
pub mod history;
pub mod options;
pub mod refresh;
pub mod search;
pub mod usage;
pub mod usage_workload;

pub use error::Error;
pub use evaluation::{Evaluation, OfferingView, PlanView, Resolution, evaluation, resolve};
pub use options::{
    ChartOptions, CompareOptions, Defaults, ImportOptions, OptionsError, ProbeRunOptions,
    RefreshOptions, SearchOptions, SimOptions,
};
