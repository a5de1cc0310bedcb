//! A price refresh: a price list downloaded ([`super::fetch`]) and read as an
//! import whose figures name the download as their source.
//!
//! Each refresh is a source of its own, `{format}@{time}` (e.g.
//! `litellm@2026-12-05T10:11:12.123Z`), with the URL and the time it was
//! fetched: the figures it changed say where and when they were read, and a
//! later refresh that changes them again names itself. The source row is
//! written with the first figure that names it, so a refresh that changes
//! nothing leaves no trace (the import rules' "re-import writes nothing").

use serde::{Deserialize, Serialize};

use super::error::CatalogError;
use super::fetch::Fetched;
use super::import::{Batch, Format, SourceRef};
use super::{ImportOptions, litellm, openrouter, parse, utf8_text};

/// The formats a price list can be fetched in.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RefreshFormat {
    Litellm,
    Openrouter,
}

impl RefreshFormat {
    pub const ALL: [RefreshFormat; 2] = [RefreshFormat::Litellm, RefreshFormat::Openrouter];

    /// Where the list is fetched from unless a URL is given.
    pub fn default_url(self) -> &'static str {
        match self {
            RefreshFormat::Litellm => litellm::DEFAULT_URL,
            RefreshFormat::Openrouter => openrouter::DEFAULT_URL,
        }
    }

    /// What the list is called on screen.
    pub fn title(self) -> &'static str {
        match self {
            RefreshFormat::Litellm => "LiteLLM price map",
            RefreshFormat::Openrouter => "OpenRouter model list",
        }
    }
}

impl From<RefreshFormat> for Format {
    fn from(f: RefreshFormat) -> Self {
        match f {
            RefreshFormat::Litellm => Format::Litellm,
            RefreshFormat::Openrouter => Format::Openrouter,
        }
    }
}

/// A list to fetch, as the UI offers it: its format, name and default URL.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct RefreshSource {
    pub format: RefreshFormat,
    pub title: &'static str,
    pub url: &'static str,
}

impl RefreshSource {
    pub fn all() -> [RefreshSource; 2] {
        RefreshFormat::ALL.map(|format| RefreshSource {
            format,
            title: format.title(),
            url: format.default_url(),
        })
    }
}

/// Reads a download as `format`, its records sourced to the download. An
/// HTML page (a login wall, an error page served with 200, a wrong URL) is
/// named as such rather than as bad JSON.
pub fn batch(
    fetched: &Fetched,
    format: RefreshFormat,
    options: ImportOptions,
) -> Result<Batch, CatalogError> {
    let url = &fetched.url;
    let html = fetched
        .content_type
        .as_deref()
        .is_some_and(|t| t.to_ascii_lowercase().contains("html"));
    let starts = fetched.body.iter().find(|b| !b.is_ascii_whitespace());
    if html || starts == Some(&b'<') {
        return Err(CatalogError::File {
            file: url.clone(),
            reason: format!(
                "the server sent an HTML page ({}), not the {}: is the URL right?",
                fetched.content_type.as_deref().unwrap_or("no Content-Type"),
                format.title()
            ),
        });
    }
    let text = utf8_text(fetched.body.clone(), url)?;
    let mut batch = parse(&text, format.into(), url, options)?;
    let source = SourceRef {
        id: format!("{}@{}", Format::from(format).name(), fetched.retrieved_at),
        title: format!("{} fetched from {url}", format.title()),
        url: Some(url.clone()),
        retrieved_at: Some(fetched.retrieved_at.clone()),
    };
    for record in &mut batch.records {
        record.source = source.clone();
    }
    Ok(batch)
}

#[cfg(test)]
#[path = "refresh_tests.rs"]
mod tests;
