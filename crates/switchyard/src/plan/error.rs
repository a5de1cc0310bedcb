//! Plan errors. Every message names the file, the field and the reason, so a
//! user can go straight to the line to fix.

use std::fmt;

/// One thing wrong with a plan, at a field path such as `routes[0].steps[1].attempts`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub field: String,
    pub reason: String,
}

impl Problem {
    pub fn new(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            reason: reason.into(),
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.reason)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    #[error("{file}: cannot read the plan: {source}")]
    Read {
        file: String,
        #[source]
        source: std::io::Error,
    },
    /// The file is not one a plan may be read from: too large, or not a regular file.
    #[error("{file}: {reason}")]
    TooLarge { file: String, reason: String },
    /// The text is not a plan: bad syntax, a wrong type, an unknown field.
    #[error("{file}: {field}: {reason}")]
    Syntax {
        file: String,
        field: String,
        reason: String,
    },
    /// The plan parses but does not make sense; all its problems at once.
    #[error("{}", render_problems(file, problems))]
    Invalid {
        file: String,
        problems: Vec<Problem>,
    },
    #[error("{file}: cannot write the plan: {reason}")]
    Write { file: String, reason: String },
}

fn render_problems(file: &str, problems: &[Problem]) -> String {
    problems
        .iter()
        .map(|p| format!("{file}: {p}"))
        .collect::<Vec<_>>()
        .join("\n")
}
