//! Plan files (`PLAN_FORMAT.md`): parse TOML or JSON, resolve against a catalog
//! into a [`crate::model::Portfolio`], and write back.
//!
//! Parsing keeps the file as written ([`PlanFile`]); [`resolve`] applies defaults,
//! fills offerings from the catalog and checks every rule, reporting all problems
//! at once with their field paths.

mod check;
mod error;
mod file;
mod resolve;
mod search;
mod tco;

use std::io::Read;
use std::path::Path;

use crate::limits;

pub use check::check_names;
pub use error::{PlanError, Problem};
pub use file::{
    Dialect, EngineeringSpec, GatewaySpec, GroupSpec, OfferingSpec, OutageProcessSpec, PlanFile,
    RouteSpec, SearchSpec, SelfHostedSpec, StepSpec, TargetSpec, TcoSpec, TokenCount,
    TokenDistribution, WorkloadSpec,
};
pub use resolve::{
    NoCatalog, OfferingSource, REQUIRED_OFFERING_FIELDS, Resolved, needs_catalog, offering_prices,
    resolve, resolve_offerings,
};
pub use search::{
    CandidateInfo, MAX_SEARCH_ATTEMPTS, ResolvedSearch, SkipKind, Skipped, point_plan,
    resolve_search, skipped_by_kind,
};
pub use tco::{PlanTco, TCO_DEFAULTS, TcoDefaults, plan_tco, resolve_tco};

/// The two syntaxes a plan may be written in.
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "TextFormat"))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Toml,
    Json,
}

impl Format {
    /// `.json` files are JSON; everything else is TOML.
    pub fn of_path(path: &Path) -> Self {
        match path.extension().and_then(|e| e.to_str()) {
            Some(ext) if ext.eq_ignore_ascii_case("json") => Format::Json,
            _ => Format::Toml,
        }
    }
}

/// Reads and parses the plan at `path`. Only a regular file of at most
/// [`limits::PLAN_FILE_BYTES`] is read, and never more than that: a device, a
/// pipe or a larger file is refused with the limit.
pub fn load(path: &Path) -> Result<PlanFile, PlanError> {
    let file = path.display().to_string();
    let text = read_bounded(path, &file)?;
    parse(&text, Format::of_path(path), &file)
}

/// The plan file's text, read with a bounded reader.
fn read_bounded(path: &Path, file: &str) -> Result<String, PlanError> {
    let max = limits::PLAN_FILE_BYTES.max_count();
    let read_error = |source| PlanError::Read {
        file: file.to_owned(),
        source,
    };
    let too_big = |reason: String| PlanError::TooLarge {
        file: file.to_owned(),
        reason,
    };
    // Before opening: opening a FIFO would wait for a writer.
    let metadata = std::fs::metadata(path).map_err(read_error)?;
    if !metadata.is_file() {
        return Err(too_big(format!(
            "is not a regular file; plans are read from regular files of at most {} bytes ({})",
            max,
            limits::PLAN_FILE_BYTES.max.gloss.unwrap_or_default()
        )));
    }
    let too_large = |size: String| {
        too_big(format!(
            "is {size} bytes; a plan file is at most {max} bytes ({})",
            limits::PLAN_FILE_BYTES.max.gloss.unwrap_or_default()
        ))
    };
    if metadata.len() > max {
        return Err(too_large(metadata.len().to_string()));
    }
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(max + 1).read_to_end(&mut bytes))
        .map_err(read_error)?;
    if bytes.len() as u64 > max {
        // It grew since the size was read.
        return Err(too_large(format!("more than {max}")));
    }
    String::from_utf8(bytes).map_err(|e| {
        read_error(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!(
                "the file is not UTF-8 text (byte {})",
                e.utf8_error().valid_up_to()
            ),
        ))
    })
}

/// Parses plan text; `file` names it in errors. A leading byte order mark is
/// skipped. Names are checked here, before anything can print them: a name with
/// a control character, or too long, is refused with its field path
/// ([`check_names`]).
pub fn parse(text: &str, format: Format, file: &str) -> Result<PlanFile, PlanError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let plan = parse_syntax(text, format, file)?;
    let problems = check_names(&plan);
    if problems.is_empty() {
        Ok(plan)
    } else {
        Err(PlanError::Invalid {
            file: file.to_owned(),
            problems,
        })
    }
}

fn parse_syntax(text: &str, format: Format, file: &str) -> Result<PlanFile, PlanError> {
    // The parsers quote what they could not read (an unknown field's name):
    // no control character gets through to the terminal.
    let syntax = |field: String, reason: String| PlanError::Syntax {
        file: file.to_owned(),
        field: if field.is_empty() || field == "." {
            "(top level)".to_owned()
        } else {
            limits::escape(&field)
        },
        reason: limits::escape(&reason),
    };
    match format {
        Format::Toml => {
            let deserializer = toml::Deserializer::parse(text)
                .map_err(|e| syntax(String::new(), toml_reason(text, &e)))?;
            serde_path_to_error::deserialize(deserializer)
                .map_err(|e| syntax(e.path().to_string(), toml_reason(text, e.inner())))
        }
        Format::Json => {
            let mut deserializer = serde_json::Deserializer::from_str(text);
            let plan: PlanFile = serde_path_to_error::deserialize(&mut deserializer)
                .map_err(|e| syntax(e.path().to_string(), json_reason(e.inner())))?;
            deserializer
                .end()
                .map_err(|e| syntax(String::new(), json_reason(&e)))?;
            Ok(plan)
        }
    }
}

/// The plan as text in `format`. Parsing the result gives `plan` back.
pub fn to_string(plan: &PlanFile, format: Format) -> Result<String, String> {
    match format {
        Format::Toml => toml::to_string_pretty(plan).map_err(|e| e.to_string()),
        Format::Json => serde_json::to_string_pretty(plan)
            .map(|s| s + "\n")
            .map_err(|e| e.to_string()),
    }
}

/// Writes the plan to `path`, in the format its extension names.
pub fn save(plan: &PlanFile, path: &Path) -> Result<(), PlanError> {
    let file = path.display().to_string();
    let text = to_string(plan, Format::of_path(path)).map_err(|reason| PlanError::Write {
        file: file.clone(),
        reason,
    })?;
    std::fs::write(path, text).map_err(|e| PlanError::Write {
        file,
        reason: e.to_string(),
    })
}

fn toml_reason(text: &str, error: &toml::de::Error) -> String {
    let message = error.message().trim_end();
    match error.span() {
        Some(span) => {
            let (line, column) = line_column(text, span.start);
            format!("{message} (line {line}, column {column})")
        }
        None => message.to_owned(),
    }
}

fn json_reason(error: &serde_json::Error) -> String {
    // serde_json appends " at line L column C" itself.
    error.to_string()
}

/// 1-based line and column of a byte offset.
fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

#[cfg(test)]
#[path = "plan_tests.rs"]
mod tests;
