//! LiteLLM's spend logs as a CSV export of the proxy's `LiteLLM_SpendLogs`
//! table, as LiteLLM 1.106.2's `litellm/proxy/schema.prisma` defines it and
//! `psql -c "\copy \"LiteLLM_SpendLogs\" TO 'spend.csv' CSV HEADER"` writes
//! it (docs/USAGE.md lists every column read and how).
//!
//! - Columns are found by the header's names, never by position: the table's
//!   column order depends on the migrations that built it.
//! - `startTime`, `endTime` are Prisma `DateTime`, a PostgreSQL
//!   `timestamp(3)` without zone that LiteLLM fills in UTC
//!   (`_ensure_datetime_utc`): psql prints `2026-11-03 14:05:07.123`.
//! - `prompt_tokens`, `completion_tokens`, `request_duration_ms` are `Int`;
//!   `spend` is `Float` (`double precision`: `1.2e-05` or `0.00012`).
//! - `model`, `model_group`, `api_base`, `cache_hit`, `status` are `String`
//!   (`String?` but `model`); psql writes NULL as an empty field.
//!   `cache_hit` is Python's `str(cache_hit)`: `True`, `False` or `None`;
//!   `status` is `success` or `failure`.
//! - `metadata` is `Json?` (jsonb, printed as JSON text, quotes doubled by
//!   CSV). LiteLLM puts the provider's cached input tokens there, in
//!   `additional_usage_values.cache_read_input_tokens`, else
//!   `additional_usage_values.prompt_tokens_details.cached_tokens`, else
//!   `usage_object.prompt_tokens_details.cached_tokens`
//!   (`get_logging_payload` in `proxy/spend_tracking/spend_tracking_utils.py`),
//!   which is the order read here.
//! - `messages`, `response`, `proxy_server_request` (prompts and answers,
//!   when the proxy stores them) are never read.

use std::borrow::Cow;

use serde::Deserialize;

use super::csv_split::{split, split_expecting};
use super::error::{Bad, Reason, quote};
use super::fields;
use super::parse::{LineParser, Parsed};
use super::record::{Granularity, UsageRecord};

/// The columns of `LiteLLM_SpendLogs` read, by the names schema.prisma gives
/// them. The first four are required.
pub const COLUMNS: [&str; 13] = [
    "startTime",
    "model",
    "prompt_tokens",
    "completion_tokens",
    "endTime",
    "request_duration_ms",
    "model_group",
    "api_base",
    "cache_hit",
    "status",
    "spend",
    "metadata",
    "call_type",
];
const REQUIRED: usize = 4;

/// The reader, once the header said where each column is.
#[derive(Debug, Default)]
pub struct LitellmSpend {
    /// Index in a record of each of [`COLUMNS`].
    at: [Option<usize>; 13],
    width: usize,
}

#[derive(Deserialize)]
struct Metadata {
    additional_usage_values: Option<UsageValues>,
    usage_object: Option<UsageValues>,
}

#[derive(Deserialize)]
struct UsageValues {
    cache_read_input_tokens: Option<serde_json::Value>,
    prompt_tokens_details: Option<Details>,
}

#[derive(Deserialize)]
struct Details {
    cached_tokens: Option<serde_json::Value>,
}

impl LitellmSpend {
    /// The text of column `i` of [`COLUMNS`] in `fields`; empty when the
    /// export lacks the column.
    fn text<'b>(&self, fields: &'b [Cow<'_, str>], i: usize) -> &'b str {
        match self
            .at
            .get(i)
            .copied()
            .flatten()
            .and_then(|at| fields.get(at))
        {
            Some(c) => c.as_ref(),
            None => "",
        }
    }
}

impl LitellmSpend {
    /// Column `i` of [`COLUMNS`] taken out of `fields`, borrowed from the
    /// line when it was; empty when the export lacks the column.
    fn take<'a>(&self, fields: &mut [Cow<'a, str>], i: usize) -> Cow<'a, str> {
        self.at
            .get(i)
            .copied()
            .flatten()
            .and_then(|at| fields.get_mut(at))
            .map(std::mem::take)
            .unwrap_or_default()
    }
}

/// A JSON count in the metadata: a whole number of at least 0, or null.
fn json_count(field: &str, value: Option<&serde_json::Value>) -> Result<Option<u64>, Bad> {
    match value {
        None | Some(serde_json::Value::Null) => Ok(None),
        Some(serde_json::Value::Number(n)) => match n.as_u64() {
            Some(v) => fields::count_max(field, &v.to_string(), super::limits::MAX_REQUEST_TOKENS)
                .map(Some),
            None => fields::count_max(field, &n.to_string(), super::limits::MAX_REQUEST_TOKENS)
                .map(Some),
        },
        Some(other) => Err(Bad::new(
            field,
            Reason::WrongType,
            format!("{} is not a number", quote(&other.to_string())),
        )),
    }
}

/// The cached input tokens LiteLLM recorded in `metadata`, in the order its
/// spend-log writer fills them; 0 when it kept usage figures without any,
/// `None` when the metadata holds no usage figures at all.
fn cached_tokens(text: &str) -> Result<Option<u64>, Bad> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let meta: Metadata = serde_json::from_str(text).map_err(|e| {
        Bad::new(
            "metadata",
            if e.is_eof() {
                Reason::Truncated
            } else {
                Reason::Malformed
            },
            format!("not the JSON object LiteLLM writes: {e}"),
        )
    })?;
    let auv = meta.additional_usage_values.as_ref();
    if let Some(n) = json_count(
        "metadata.additional_usage_values.cache_read_input_tokens",
        auv.and_then(|u| u.cache_read_input_tokens.as_ref()),
    )? {
        return Ok(Some(n));
    }
    for (name, usage) in [
        (
            "metadata.additional_usage_values.prompt_tokens_details.cached_tokens",
            auv,
        ),
        (
            "metadata.usage_object.prompt_tokens_details.cached_tokens",
            meta.usage_object.as_ref(),
        ),
    ] {
        let details = usage.and_then(|u| u.prompt_tokens_details.as_ref());
        if let Some(n) = json_count(name, details.and_then(|d| d.cached_tokens.as_ref()))? {
            return Ok(Some(n));
        }
    }
    Ok((auv.is_some() || meta.usage_object.is_some()).then_some(0))
}

/// `cache_hit` as LiteLLM writes it (`str(cache_hit)`).
fn cache_hit(text: &str) -> Result<bool, Bad> {
    match text.trim() {
        "True" | "true" | "t" => Ok(true),
        "False" | "false" | "f" | "None" | "" => Ok(false),
        other => Err(Bad::new(
            "cache_hit",
            Reason::Invalid,
            format!("{} is not True, False or None", quote(other)),
        )),
    }
}

/// Whether a row's `call_type` is a batch call, billed at batch prices.
///
/// LiteLLM 1.106.2's `CallTypes` names its batch calls `create_batch`,
/// `acreate_batch`, `retrieve_batch` and `aretrieve_batch`; the proxy logs a
/// batch job's cost when it finds the job complete (`CheckBatchCost`, with
/// `batch_cost_calculator`, the rule `cost_per_token(...,
/// call_type="retrieve_batch")` follows), on a row of such a call, whose
/// tokens are the job's. Every other call type (`acompletion`, `completion`,
/// `aresponses`, ...) and an absent column is not a batch: the row bills
/// list prices.
pub fn is_batch_call(call_type: &str) -> bool {
    matches!(
        call_type.trim(),
        "create_batch" | "acreate_batch" | "retrieve_batch" | "aretrieve_batch"
    )
}

impl LineParser for LitellmSpend {
    fn has_header(&self) -> bool {
        true
    }

    fn header(&mut self, line: &str) -> Result<(), String> {
        let names = split(line).ok_or("the header has an unclosed quote")?;
        self.width = names.len();
        for (slot, column) in self.at.iter_mut().zip(COLUMNS) {
            *slot = names.iter().position(|n| n.trim() == column);
        }
        let missing: Vec<&str> = COLUMNS[..REQUIRED]
            .iter()
            .zip(&self.at)
            .filter(|(_, at)| at.is_none())
            .map(|(c, _)| *c)
            .collect();
        if missing.is_empty() {
            Ok(())
        } else {
            Err(format!(
                "not a LiteLLM_SpendLogs export: the header lacks {} (export with `\\copy \"LiteLLM_SpendLogs\" TO 'spend.csv' CSV HEADER`; the header read was {})",
                missing.join(", "),
                quote(line)
            ))
        }
    }

    fn parse<'a>(&self, line: &'a str) -> Result<Parsed<'a>, Bad> {
        let mut fields = split_expecting(line, self.width)
            .ok_or_else(|| Bad::line(Reason::Truncated, "a quoted field is never closed"))?;
        if fields.len() != self.width {
            return Err(Bad::line(
                Reason::Malformed,
                format!("{} fields, the header has {}", fields.len(), self.width),
            ));
        }
        let start_ms = fields::time("startTime", self.text(&fields, 0))?;
        let model_group = fields::optional_name_of("model_group", self.take(&mut fields, 6))?;
        let model = match fields::optional_name_of("model", self.take(&mut fields, 1))? {
            Some(m) => m,
            None => model_group.clone().ok_or_else(|| {
                Bad::new("model", Reason::Missing, "empty, and so is model_group")
            })?,
        };
        let api_base = fields::optional_api_base_of("api_base", self.take(&mut fields, 7))?;
        let input_tokens = fields::tokens("prompt_tokens", self.text(&fields, 2))?;
        let output_tokens = fields::tokens("completion_tokens", self.text(&fields, 3))?;
        let duration = fields::optional_latency("request_duration_ms", self.text(&fields, 5))?;
        let latency_ms = match duration {
            Some(ms) => Some(ms),
            None => match self.text(&fields, 4).trim() {
                "" => None,
                end => {
                    let end_ms = fields::time("endTime", end)?;
                    if end_ms < start_ms {
                        return Err(Bad::new("endTime", Reason::Invalid, "before startTime"));
                    }
                    fields::optional_latency("endTime", &(end_ms - start_ms).to_string())?
                }
            },
        };
        let record = UsageRecord {
            start_ms,
            model,
            model_group,
            api_base,
            input_tokens,
            output_tokens,
            cached_tokens: cached_tokens(self.text(&fields, 11))?,
            status: fields::optional_status("status", self.text(&fields, 9))?,
            cache_hit: cache_hit(self.text(&fields, 8))?,
            latency_ms,
            spend_usd: fields::optional_usd("spend", self.text(&fields, 10))?,
            batch: is_batch_call(self.text(&fields, 12)),
            granularity: Granularity::Request,
        };
        Ok(Parsed::One(record))
    }
}
