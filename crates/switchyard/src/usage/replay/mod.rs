//! Replay costing (`switchyard usage cost`, docs/USAGE.md): a usage log
//! read once more, record by record, each request priced by itself, in
//! bounded memory (per model and per UTC day, never per line).
//!
//! - [`pricing`]: how one record is priced: at its own model's catalog
//!   prices (`--catalog`), or on a plan's offerings by the plan's own
//!   routing (`--plan`, `MODEL.md` §3.9).
//! - [`tally`]: the record sink the read pass feeds
//!   ([`super::read::RecordSink`]): costs and logged spend per model, per
//!   day and per plan offering.
//! - [`report`]: what is reported, and its JSON.

pub mod pricing;
pub mod report;
pub mod tally;

#[cfg(test)]
mod tests;

pub use pricing::{Match, PlanOffering, PlanPricing, Pricing, record_price};
pub use report::CostReport;
pub use tally::Replay;
