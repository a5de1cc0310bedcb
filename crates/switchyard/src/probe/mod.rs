//! Live probes: measure what providers actually deliver (time to first token,
//! speed, errors, rate limits) so the model can plan on *observed* figures beside
//! the *declared* ones.
//!
//! This is the only code that reaches the network. It goes through one reqwest
//! client ([`client::http_client`]) with timeouts, under the limits of
//! [`schedule::sweep`]: bounded concurrency, spend and token caps, cancellation.
//! Keys are named, never stored ([`keys`]).

pub mod client;
pub mod dialect;
pub mod keys;
pub mod observed;
pub mod outcome;
pub mod schedule;
pub mod sse;
pub mod stats;

pub use client::{ProbeOptions, http_client, probe};
pub use dialect::{Dialect, ProbeTarget};
pub use keys::Secret;
pub use outcome::{ErrorClass, ProbeKind, ProbeResult, RateLimits};
pub use schedule::{StopReason, SweepOptions, SweepSummary, SweepTarget, sweep};
pub use stats::{ObservedFit, ProbeStats, fit, stats};
