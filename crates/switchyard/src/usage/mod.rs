//! Usage logs: real traffic read into the aggregates a workload is made of,
//! never keeping a request's content (docs/USAGE.md).
//!
//! - [`read`]: the import's read pass: a log streamed line by line, in
//!   bounded memory ([`limits`]), into [`aggregate::Aggregates`]; bad lines
//!   refused with file, line, field and reason ([`error`]), or counted.
//! - [`lines`]: the bounded line reader (and the file's SHA-256);
//!   [`blocks`]: lines gathered into blocks and parsed on every core;
//!   [`csv_split`]: one CSV record's fields.
//! - One reader per format ([`parse::LineParser`]): [`litellm_spend`]
//!   (LiteLLM 1.106.2's `LiteLLM_SpendLogs` as a CSV export), [`openai`]
//!   (the Usage API's completions buckets), [`jsonl`] and [`csv_log`]
//!   (Switchyard's own field names, [`field`]).
//! - [`record`]: the normalised record; [`fields`]: text to typed values;
//!   [`time`]: timestamps to UTC; [`bins`]: the log-scale histogram bins.
//! - [`postgres`]: the same `litellm-spend` reader fed by a `COPY … TO
//!   STDOUT` from the proxy's own PostgreSQL, read-only, over a time range.
//! - [`replay`]: the log priced request by request, at the catalog's
//!   prices or on a plan (`switchyard usage cost`).
//! - [`synthetic`]: a deterministic LiteLLM spend log, for benchmarks and
//!   the memory test.
//! - [`workload`]: a plan's workload measured from stored aggregates, with
//!   [`growth`] fitted to the daily counts.
//!
//! Storing the aggregates is the catalog's (`catalog::usage_store`).

pub mod aggregate;
pub mod bins;
pub mod blocks;
pub mod csv_log;
pub mod csv_split;
pub mod error;
pub mod field;
pub mod fields;
pub mod growth;
pub mod jsonl;
pub mod limits;
pub mod lines;
pub mod litellm_spend;
pub mod openai;
pub mod parse;
pub mod postgres;
pub mod read;
pub mod record;
pub mod replay;
pub mod synthetic;
pub mod time;
pub mod workload;

#[cfg(test)]
mod tests;

pub use aggregate::Aggregates;
pub use error::{Reason, UsageError};
pub use field::{ColumnMap, Field};
pub use read::{ReadOptions, ReadSummary, RecordSink, UsageRead, read_file, read_file_into};
pub use record::{Status, UsageRecord};

/// A usage log's format.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum UsageFormat {
    /// A CSV export of LiteLLM's `LiteLLM_SpendLogs` table.
    LitellmSpend,
    /// OpenAI's Usage API completions buckets, one page or bucket per line.
    OpenaiUsage,
    /// JSON Lines with Switchyard's field names.
    Jsonl,
    /// CSV with a header, Switchyard's field names or `--map`.
    Csv,
}

impl UsageFormat {
    pub const ALL: [UsageFormat; 4] = [
        UsageFormat::LitellmSpend,
        UsageFormat::OpenaiUsage,
        UsageFormat::Jsonl,
        UsageFormat::Csv,
    ];

    pub fn name(self) -> &'static str {
        match self {
            UsageFormat::LitellmSpend => "litellm-spend",
            UsageFormat::OpenaiUsage => "openai-usage",
            UsageFormat::Jsonl => "jsonl",
            UsageFormat::Csv => "csv",
        }
    }

    pub fn parse(text: &str) -> Result<UsageFormat, String> {
        UsageFormat::ALL
            .into_iter()
            .find(|f| f.name() == text)
            .ok_or_else(|| {
                format!(
                    "unknown usage format `{text}`; the formats are {}",
                    UsageFormat::ALL.map(UsageFormat::name).join(", ")
                )
            })
    }

    /// Whether its records are single requests (and so feed the histograms).
    pub fn per_request(self) -> bool {
        self != UsageFormat::OpenaiUsage
    }
}
