//! Switchyard: availability, latency and cost planning for portfolios of LLM
//! providers behind a gateway.
//!
//! - [`app`]: what the CLI and the desktop shell call: job options with their
//!   defaults, one resolve, the exact view and the simulation that follows,
//!   charts, searches.
//! - [`catalog`]: the SQLite catalog of offerings, its importers and history.
//! - [`chart`]: SVG and PNG charts of evaluations, searches, TCO and probes.
//! - [`compare`]: portfolios side by side: the table, the best of each row,
//!   the differences from a baseline and between the plans.
//! - [`export`]: gateway configs (LiteLLM, Portkey, OpenRouter), their lint, and
//!   the portfolio each gateway really runs.
//! - [`format`]: how a figure reads (percentages, nines, USD), one rule for
//!   the CLI and the UI.
//! - [`history`]: outage records, the outage process fitted from them, and its
//!   backtest.
//! - [`limits`]: the valid range of every input, in one table.
//! - [`model`]: the math of `MODEL.md`, pure functions over plain data.
//! - [`plan`]: plan files: parse, validate, resolve into a [`model::Portfolio`], write.
//! - [`report`]: the human-readable rendering of an evaluation.
//! - [`secret`]: API keys, the redaction of server text, variable names.
//! - [`usage`]: usage logs (LiteLLM spend logs, OpenAI usage, JSONL, CSV) read
//!   in bounded memory into per-model, per-hour aggregates and histograms.
//! - [`utc`]: calendar dates for UTC labels.

pub mod app;
pub mod catalog;
pub mod chart;
pub mod compare;
pub mod export;
pub mod format;
pub mod history;
pub mod limits;
pub mod model;
pub mod plan;
pub mod probe;
pub mod report;
pub mod secret;
pub mod usage;
pub mod utc;
