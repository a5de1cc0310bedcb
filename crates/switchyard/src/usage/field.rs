//! Switchyard's own names for the fields of a usage record: the keys of a
//! JSONL log, the columns of a CSV log, and the targets of `--map`.

use super::error::quote;

/// A field of a usage record, as JSONL keys and CSV columns name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    StartTime,
    EndTime,
    Model,
    ModelGroup,
    ApiBase,
    InputTokens,
    OutputTokens,
    CachedTokens,
    Status,
    LatencyMs,
    SpendUsd,
}

impl Field {
    pub const ALL: [Field; 11] = [
        Field::StartTime,
        Field::EndTime,
        Field::Model,
        Field::ModelGroup,
        Field::ApiBase,
        Field::InputTokens,
        Field::OutputTokens,
        Field::CachedTokens,
        Field::Status,
        Field::LatencyMs,
        Field::SpendUsd,
    ];

    /// Without these a line is refused.
    pub const REQUIRED: [Field; 4] = [
        Field::StartTime,
        Field::Model,
        Field::InputTokens,
        Field::OutputTokens,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Field::StartTime => "start_time",
            Field::EndTime => "end_time",
            Field::Model => "model",
            Field::ModelGroup => "model_group",
            Field::ApiBase => "api_base",
            Field::InputTokens => "input_tokens",
            Field::OutputTokens => "output_tokens",
            Field::CachedTokens => "cached_tokens",
            Field::Status => "status",
            Field::LatencyMs => "latency_ms",
            Field::SpendUsd => "spend_usd",
        }
    }

    pub fn parse(name: &str) -> Result<Field, String> {
        Field::ALL
            .into_iter()
            .find(|f| f.name() == name)
            .ok_or_else(|| {
                format!(
                    "unknown field {}; the fields are {}",
                    quote(name),
                    Field::ALL.map(Field::name).join(", ")
                )
            })
    }
}

/// `--map column=field`: the CSV column `column` holds `field`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnMap {
    pub column: String,
    pub field: Field,
}

impl ColumnMap {
    /// `column=field`, as the command line gives it.
    pub fn parse(text: &str) -> Result<ColumnMap, String> {
        let (column, field) = text.split_once('=').ok_or_else(|| {
            format!(
                "{} is not column=field (for example prompt_tokens=input_tokens)",
                quote(text)
            )
        })?;
        let column = column.trim();
        if column.is_empty() {
            return Err(format!("{}: the column name is empty", quote(text)));
        }
        Ok(ColumnMap {
            column: column.to_owned(),
            field: Field::parse(field.trim())?,
        })
    }
}
