//! The commands the UI calls. Each takes its arguments, calls the engine and maps
//! the error; the figures all come from the engine.

pub mod analysis;
pub mod catalog;
pub mod export;
pub mod plan;
pub mod probes;
pub mod search;
pub mod tco;
