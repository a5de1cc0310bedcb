//! A team's own usage log as CSV: a header, one request per record. Columns
//! named like Switchyard's fields ([`Field`]) are read as those fields;
//! `--map column=field` reads another column as a field (and a column mapped
//! away is no longer read under its own name). Other columns are ignored.

use std::borrow::Cow;

use super::csv_split::{split, split_expecting};
use super::error::{Bad, Reason, quote};
use super::field::{ColumnMap, Field};
use super::fields;
use super::parse::{LineParser, Parsed};
use super::record::{Granularity, UsageRecord};

#[derive(Debug, Default)]
pub struct CsvLog {
    map: Vec<ColumnMap>,
    /// Index in a record, and the column's name, of each of `Field::ALL`.
    at: [Option<(usize, String)>; 11],
    width: usize,
}

impl CsvLog {
    pub fn new(map: Vec<ColumnMap>) -> Self {
        Self {
            map,
            ..Self::default()
        }
    }

    fn slot(field: Field) -> usize {
        Field::ALL.iter().position(|f| *f == field).unwrap_or(0)
    }

    /// The text of `field` in `fields`, and the column it came from.
    fn get<'b>(&'b self, fields: &'b [Cow<'_, str>], field: Field) -> (&'b str, &'b str) {
        match &self.at[Self::slot(field)] {
            Some((i, column)) => (fields.get(*i).map_or("", |c| c.as_ref()), column.as_str()),
            None => ("", field.name()),
        }
    }
}

impl LineParser for CsvLog {
    fn has_header(&self) -> bool {
        true
    }

    fn header(&mut self, line: &str) -> Result<(), String> {
        let names = split(line).ok_or("the header has an unclosed quote")?;
        self.width = names.len();
        let column = |name: &str| names.iter().position(|n| n.trim() == name);
        for m in &self.map {
            if column(&m.column).is_none() {
                return Err(format!(
                    "--map {}={}: the header has no column {}",
                    m.column,
                    m.field.name(),
                    quote(&m.column)
                ));
            }
        }
        for field in Field::ALL {
            let mapped = self.map.iter().rev().find(|m| m.field == field);
            let name = match mapped {
                Some(m) => Some(m.column.clone()),
                // A column mapped to another field is not also read as itself.
                None if self.map.iter().any(|m| m.column == field.name()) => None,
                None => Some(field.name().to_owned()),
            };
            self.at[Self::slot(field)] = name.and_then(|n| column(&n).map(|i| (i, n)));
        }
        let missing: Vec<&str> = Field::REQUIRED
            .iter()
            .filter(|f| self.at[Self::slot(**f)].is_none())
            .map(|f| f.name())
            .collect();
        if missing.is_empty() {
            Ok(())
        } else {
            Err(format!(
                "no column for {} (name the columns so, or map them: --map COLUMN={})",
                missing.join(", "),
                missing.first().copied().unwrap_or("FIELD")
            ))
        }
    }

    fn parse<'a>(&self, line: &'a str) -> Result<Parsed<'a>, Bad> {
        let fields = split_expecting(line, self.width)
            .ok_or_else(|| Bad::line(Reason::Truncated, "a quoted field is never closed"))?;
        if fields.len() != self.width {
            return Err(Bad::line(
                Reason::Malformed,
                format!("{} fields, the header has {}", fields.len(), self.width),
            ));
        }
        let get = |f: Field| self.get(&fields, f);
        let (text, col) = get(Field::StartTime);
        let start_ms = fields::time(col, text)?;
        let (text, col) = get(Field::Model);
        let model = fields::optional_name(col, text)?
            .ok_or_else(|| Bad::new(col, Reason::Missing, "empty"))?;
        let (text, col) = get(Field::ModelGroup);
        let model_group = fields::optional_name(col, text)?;
        let (text, col) = get(Field::ApiBase);
        let api_base = fields::optional_api_base(col, text)?;
        let (text, col) = get(Field::InputTokens);
        let input_tokens = fields::tokens(col, text)?;
        let (text, col) = get(Field::OutputTokens);
        let output_tokens = fields::tokens(col, text)?;
        let (text, col) = get(Field::CachedTokens);
        let cached_tokens = fields::optional_tokens(col, text)?;
        let (text, col) = get(Field::Status);
        let status = fields::optional_status(col, text)?;
        let (text, col) = get(Field::SpendUsd);
        let spend_usd = fields::optional_usd(col, text)?;
        let (text, col) = get(Field::LatencyMs);
        let mut latency_ms = fields::optional_latency(col, text)?;
        let (end, col) = get(Field::EndTime);
        if latency_ms.is_none() && !end.trim().is_empty() {
            let end_ms = fields::time(col, end)?;
            if end_ms < start_ms {
                return Err(Bad::new(col, Reason::Invalid, "before the start time"));
            }
            latency_ms = fields::optional_latency(col, &(end_ms - start_ms).to_string())?;
        }
        Ok(Parsed::One(UsageRecord {
            start_ms,
            model: Cow::Owned(model.to_owned()),
            model_group: model_group.map(|g| Cow::Owned(g.to_owned())),
            api_base: api_base.map(|b| Cow::Owned(b.into_owned())),
            input_tokens,
            output_tokens,
            cached_tokens,
            status,
            cache_hit: false,
            latency_ms,
            spend_usd,
            batch: false,
            granularity: Granularity::Request,
        }))
    }
}
