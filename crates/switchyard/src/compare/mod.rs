//! Portfolios side by side: the same figures of each, the best of each row,
//! each one's difference from a baseline, and what differs between the plans
//! themselves. `switchyard compare`, `switchyard report` and the app's Compare
//! page all show a [`Comparison`]; only its rendering differs.
//!
//! The figures come from each plan's own [`Report`], so a column of the table
//! is exactly what `switchyard evaluate` says of that plan under the same
//! options. The one thing made common is the SLA target: P(a month meets the
//! target) is only comparable at one target, so every plan is simulated at
//! the comparison's ([`Comparison::target`]).

mod diff;
mod rows;

use serde::Serialize;

pub use diff::{DiffRow, plan_diff};
pub use rows::{Better, Row, Unit, delta_text, ratio_text, rows, text};

use crate::model::Report;
use crate::model::monthly::Period;
use crate::model::tco::TcoReport;

/// Fewest and most portfolios a comparison holds: one is a report of a single
/// plan; more than six no longer fits a page or a colour-blind-safe palette.
pub const MIN_PORTFOLIOS: usize = 1;
pub const MAX_PORTFOLIOS: usize = 6;

/// One portfolio of a comparison, evaluated.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Compared {
    /// The name shown in column heads and legends (the file stem, or the
    /// name a person gave a what-if).
    pub label: String,
    /// The plan's file, when it came from one.
    pub file: Option<String>,
    /// The plan's own latency budget, which its success figure is within.
    pub budget_ms: Option<f64>,
    pub report: Report,
    /// Totals of the plan's `[tco]` section, when it has one.
    pub tco: Option<TcoReport>,
    /// Where each figure of each offering the plan uses comes from.
    pub sources: Vec<InputSource>,
}

/// One input figure of a compared plan and where it comes from, so a reader
/// of a shared comparison can check it.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InputSource {
    pub offering: String,
    pub field: String,
    pub value: String,
    /// "the plan", "override", "inherited from …", or the catalog source's
    /// title.
    pub source: String,
    pub url: Option<String>,
    /// When the source was published or the value last changed.
    pub date: Option<String>,
}

/// The options every portfolio was simulated with, so a reader can reproduce
/// each figure.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ComparisonRun {
    pub samples: u64,
    pub seed: u64,
    pub periods: u64,
    pub period: Period,
}

/// Portfolios side by side.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparison {
    /// The SLA target every portfolio's P(period meets target) is taken at.
    pub target: f64,
    /// The portfolio the Δ and × of each row are taken against.
    pub baseline: usize,
    pub run: ComparisonRun,
    pub portfolios: Vec<Compared>,
    pub rows: Vec<Row>,
    /// The plans' own differences, field by field.
    pub diff: Vec<DiffRow>,
}

/// Why portfolios cannot be compared.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CompareError {
    #[error("compare takes {MIN_PORTFOLIOS} to {MAX_PORTFOLIOS} portfolios, not {0}")]
    Count(usize),
    #[error("the baseline is portfolio {given} (counting from 1), but there are only {count}")]
    Baseline { given: usize, count: usize },
}

/// Checks that `count` portfolios with `baseline` (0-based) make a
/// comparison, before anything is evaluated.
pub fn check(count: usize, baseline: usize) -> Result<(), CompareError> {
    if !(MIN_PORTFOLIOS..=MAX_PORTFOLIOS).contains(&count) {
        return Err(CompareError::Count(count));
    }
    if baseline >= count {
        return Err(CompareError::Baseline {
            given: baseline + 1,
            count,
        });
    }
    Ok(())
}

/// The comparison of `portfolios`, evaluated at `target` with `run`, whose
/// plans (in the same order, as written) `plans` holds.
pub fn compare(
    portfolios: Vec<Compared>,
    plans: &[crate::plan::PlanFile],
    baseline: usize,
    target: f64,
    run: ComparisonRun,
) -> Result<Comparison, CompareError> {
    check(portfolios.len(), baseline)?;
    Ok(Comparison {
        target,
        baseline,
        run,
        rows: rows(&portfolios, baseline),
        diff: plan_diff(plans),
        portfolios,
    })
}

#[cfg(test)]
mod tests;
