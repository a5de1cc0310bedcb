//! The one error that crosses into the UI: a stable `code` the UI can branch on
//! and a `message` written for a person, shown as is. Plan problems also come
//! with their field paths so the Plan page can mark the fields.

use serde::Serialize;
use switchyard::app::{self, OptionsError};
use switchyard::catalog::CatalogError;
use switchyard::chart::ChartError;
use switchyard::model::Cancelled;
use switchyard::plan::PlanError;
use ts_rs::TS;

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct AppError {
    /// `plan`, `catalog`, `network` (a price list that could not be
    /// downloaded), `history`, `chart`, `cancelled`, `io`, `input` or
    /// `internal`.
    pub code: String,
    pub message: String,
    /// Each problem of an invalid plan: its field path and the reason.
    pub problems: Vec<FieldProblem>,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct FieldProblem {
    pub field: String,
    pub reason: String,
}

pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    pub fn new(code: &str, message: impl Into<String>) -> Self {
        Self {
            code: code.to_owned(),
            message: message.into(),
            problems: Vec::new(),
        }
    }
}

impl std::fmt::Display for AppError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl From<PlanError> for AppError {
    fn from(e: PlanError) -> Self {
        let problems = match &e {
            PlanError::Invalid { problems, .. } => problems
                .iter()
                .map(|p| FieldProblem {
                    field: p.field.clone(),
                    reason: p.reason.clone(),
                })
                .collect(),
            PlanError::Syntax { field, reason, .. } => vec![FieldProblem {
                field: field.clone(),
                reason: reason.clone(),
            }],
            _ => Vec::new(),
        };
        Self {
            code: "plan".to_owned(),
            message: e.to_string(),
            problems,
        }
    }
}

impl From<CatalogError> for AppError {
    fn from(e: CatalogError) -> Self {
        let code = match e {
            CatalogError::ImportCancelled { .. } => "cancelled",
            CatalogError::Fetch(_) => "network",
            _ => "catalog",
        };
        Self::new(code, e.to_string())
    }
}

impl From<ChartError> for AppError {
    fn from(e: ChartError) -> Self {
        Self::new("chart", e.to_string())
    }
}

impl From<Cancelled> for AppError {
    fn from(_: Cancelled) -> Self {
        Self::new("cancelled", "cancelled")
    }
}

impl From<OptionsError> for AppError {
    fn from(e: OptionsError) -> Self {
        Self::new("input", e.to_string())
    }
}

impl From<app::Error> for AppError {
    fn from(e: app::Error) -> Self {
        match e {
            app::Error::Plan(e) => e.into(),
            app::Error::Catalog(e) => e.into(),
            app::Error::Options(e) => e.into(),
            app::Error::Chart(e) => e.into(),
            app::Error::History(e) => Self::new("history", e.to_string()),
            app::Error::Compare(e) => Self::new("input", e.to_string()),
            app::Error::Cancelled(e) => e.into(),
        }
    }
}

impl From<tauri::Error> for AppError {
    fn from(e: tauri::Error) -> Self {
        Self::new("internal", e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use switchyard::plan::Problem;

    #[test]
    fn plan_problems_keep_their_fields() {
        let e: AppError = PlanError::Invalid {
            file: "p.toml".to_owned(),
            problems: vec![Problem::new(
                "routes[0].steps[0].timeout_ms",
                "must be positive",
            )],
        }
        .into();
        assert_eq!(e.code, "plan");
        assert_eq!(
            e.message,
            "p.toml: routes[0].steps[0].timeout_ms: must be positive"
        );
        assert_eq!(e.problems[0].field, "routes[0].steps[0].timeout_ms");
        let json = serde_json::to_value(&e).expect("serializes");
        assert_eq!(json["code"], "plan");
    }
}
