//! A CSV format for hand-kept catalogs (documented in `docs/CATALOG.md`).
//!
//! The first row names the columns, in any order; only `id` and `provider` are
//! required. An empty cell means "this file does not say": the catalog keeps
//! what it has. Lines starting with `#` are comments.
//!
//! | column | meaning |
//! |---|---|
//! | `id` | the offering id, e.g. `openai/gpt-4o` |
//! | `provider` | the provider id; created (bare) if the catalog lacks it |
//! | `model` | the provider's model name; default: `id` after its first `/` |
//! | `mode` | e.g. `chat` |
//! | every field of [`Field`] | its value (prices in USD per 1M tokens) |
//! | `groups` | group ids separated by `;`; replaces the offering's groups |
//! | `source` | where the numbers come from (free text) |
//! | `date` | since when they hold, `YYYY-MM-DD`; default: the import's date |

use std::collections::{HashMap, HashSet};

use super::error::{CatalogError, quote};
use super::fields::Field;
use super::import::{Batch, Format, NewProvider, ProviderRef, Record, SourceRef, check_id};
use super::litellm::file_name;
use crate::utc::is_iso_date;

/// The columns that are not fields.
const OTHER_COLUMNS: [&str; 7] = [
    "id", "provider", "model", "mode", "groups", "source", "date",
];

/// All column names, for messages and docs.
pub fn columns() -> Vec<&'static str> {
    let mut all: Vec<&str> = OTHER_COLUMNS.to_vec();
    all.extend(Field::ALL.map(Field::name));
    all
}

/// Parses a CSV catalog; `file` names it in errors.
pub fn parse(text: &str, file: &str) -> Result<Batch, CatalogError> {
    let whole = |reason: String| CatalogError::File {
        file: file.to_owned(),
        reason,
    };
    let mut reader = ::csv::ReaderBuilder::new()
        .trim(::csv::Trim::All)
        .comment(Some(b'#'))
        .from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| whole(format!("cannot read the header row: {e}")))?
        .clone();
    let mut index: HashMap<&str, usize> = HashMap::new();
    let known = columns();
    for (i, name) in headers.iter().enumerate() {
        if !known.contains(&name) {
            return Err(whole(format!(
                "unknown column `{}`; the columns are: {}",
                quote(name),
                known.join(", ")
            )));
        }
        if index.insert(name, i).is_some() {
            return Err(whole(format!("column `{name}` appears twice")));
        }
    }
    for required in ["id", "provider"] {
        if !index.contains_key(required) {
            return Err(whole(format!("the header row has no `{required}` column")));
        }
    }
    let mut batch = Batch::new(Format::Csv, file);
    let default_source = SourceRef::file(
        format!("csv:{}", file_name(file)),
        format!("CSV catalog imported from {file}"),
    );
    let mut ids = HashSet::new();
    for row in reader.records() {
        let row = row.map_err(|e| {
            let line = e.position().map_or(0, ::csv::Position::line);
            whole(format!("line {line}: {e}"))
        })?;
        batch.entries += 1;
        batch.considered += 1;
        let line = row.position().map_or(0, ::csv::Position::line);
        let cell = |name: &str| {
            index
                .get(name)
                .and_then(|&i| row.get(i))
                .filter(|s| !s.is_empty())
        };
        let mut entry = format!("line {line}");
        let err = |entry: &str, field: &str, reason: String| {
            CatalogError::entry(file, entry, field, reason)
        };
        let id = cell("id").ok_or_else(|| err(&entry, "id", "is empty".to_owned()))?;
        check_id(id).map_err(|r| err(&entry, "id", r))?;
        entry = format!("line {line} ({id})");
        if !ids.insert(id.to_owned()) {
            return Err(err(&entry, "id", format!("`{id}` is listed twice")));
        }
        let provider =
            cell("provider").ok_or_else(|| err(&entry, "provider", "is empty".to_owned()))?;
        check_id(provider).map_err(|r| err(&entry, "provider", r))?;
        let model = cell("model")
            .unwrap_or_else(|| id.split_once('/').map_or(id, |(_, m)| m))
            .to_owned();
        check_id(&model).map_err(|r| err(&entry, "model", r))?;
        let mode = cell("mode").map(str::to_owned);
        if let Some(m) = &mode {
            check_id(m).map_err(|r| err(&entry, "mode", r))?;
        }
        let mut figures = Vec::new();
        for field in Field::ALL {
            if let Some(text) = cell(field.name()) {
                let value = field
                    .parse(text)
                    .map_err(|r| err(&entry, field.name(), r))?;
                figures.push((field, value));
            }
        }
        let groups = match cell("groups") {
            None => None,
            Some(list) => {
                let mut groups = Vec::new();
                for g in list.split(';').map(str::trim).filter(|g| !g.is_empty()) {
                    check_id(g).map_err(|r| err(&entry, "groups", r))?;
                    groups.push(g.to_owned());
                }
                Some(groups)
            }
        };
        let source = match cell("source") {
            Some(text) => {
                check_id(text).map_err(|r| err(&entry, "source", r))?;
                SourceRef::file(format!("csv:{text}"), text.to_owned())
            }
            None => default_source.clone(),
        };
        let date = cell("date").map(str::to_owned);
        if let Some(d) = &date
            && !is_iso_date(d)
        {
            return Err(err(
                &entry,
                "date",
                format!("`{}` is not a calendar date written YYYY-MM-DD", quote(d)),
            ));
        }
        batch.records.push(Record {
            entry,
            id: Some(id.to_owned()),
            litellm_key: None,
            provider: ProviderRef::Known(NewProvider {
                id: provider.to_owned(),
                name: provider.to_owned(),
                ..NewProvider::default()
            }),
            model,
            mode,
            figures,
            groups,
            source,
            effective_date: date,
        });
    }
    Ok(batch)
}

#[cfg(test)]
#[path = "csv_tests.rs"]
mod tests;
