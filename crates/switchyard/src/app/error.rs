//! One error for everything the application layer does, so that each face
//! maps one type to its own way of saying it (a line on stderr, an
//! `{code, message}` for the UI).

use crate::catalog::CatalogError;
use crate::chart::ChartError;
use crate::compare::CompareError;
use crate::history::HistoryError;
use crate::model::Cancelled;
use crate::plan::PlanError;

use super::options::OptionsError;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Plan(#[from] PlanError),
    #[error(transparent)]
    Catalog(#[from] CatalogError),
    #[error(transparent)]
    Options(#[from] OptionsError),
    #[error(transparent)]
    Chart(#[from] ChartError),
    #[error(transparent)]
    History(#[from] HistoryError),
    #[error(transparent)]
    Compare(#[from] CompareError),
    #[error("{0}")]
    Cancelled(#[from] Cancelled),
}
