//! OpenAI's usage export: the Usage API's completions buckets,
//! `GET https://api.openai.com/v1/organization/usage/completions` (with
//! `bucket_width` 1m, 1h or 1d and `group_by=model`), one JSON object per
//! line: either a whole response page (`{"object": "page", "data": [...]}`,
//! as `jq -c .` writes each page) or one bucket (`{"object": "bucket",
//! "start_time": ..., "end_time": ..., "results": [...]}`).
//!
//! Each result counts `num_model_requests` requests of one model in the
//! bucket with their summed `input_tokens`, `output_tokens` and
//! `input_cached_tokens`: an aggregate, not requests. So it adds to the
//! request counts and token sums of the hour the bucket starts in, never to
//! the per-request histograms, and the import records the bucket width as its
//! time resolution (a day's bucket says nothing about the hours in it). The
//! API has no status (it counts billed requests), latency or spend.

use std::borrow::Cow;

use serde::Deserialize;

use super::error::{Bad, Reason, quote};
use super::limits::MAX_BUCKET_COUNT;
use super::parse::{Count, LineParser, Parsed, json_bad};
use super::record::{Granularity, UsageRecord};
use super::time::seconds_to_ms;

/// The `object` of a completions usage result.
pub const RESULT_OBJECT: &str = "organization.usage.completions.result";

/// The model of a result that the export did not group by model.
pub const UNGROUPED_MODEL: &str = "(all models)";

#[derive(Debug, Default)]
pub struct OpenaiUsage;

/// A page or a bucket: one shape with the fields of both.
#[derive(Deserialize)]
struct Object {
    object: String,
    data: Option<Vec<Bucket>>,
    start_time: Option<i64>,
    end_time: Option<i64>,
    results: Option<Vec<UsageResult>>,
}

#[derive(Deserialize)]
struct Bucket {
    object: Option<String>,
    start_time: i64,
    end_time: i64,
    results: Vec<UsageResult>,
}

#[derive(Deserialize)]
struct UsageResult {
    object: Option<String>,
    input_tokens: Count,
    output_tokens: Count,
    input_cached_tokens: Option<Count>,
    num_model_requests: Count,
    model: Option<String>,
    /// Whether the result counts batch API requests: present (`true` or
    /// `false`) when the export is grouped by `batch`, else `null`.
    batch: Option<bool>,
}

fn bucket<'a>(
    at: &str,
    start: i64,
    end: i64,
    results: Vec<UsageResult>,
    out: &mut Vec<UsageRecord<'a>>,
) -> Result<(), Bad> {
    let start_ms = seconds_to_ms(start as f64).ok_or_else(|| {
        Bad::new(
            format!("{at}start_time"),
            Reason::NotATime,
            format!("{start} is not seconds between 1970 and 9999"),
        )
    })?;
    let width_s = end.saturating_sub(start);
    if width_s <= 0 {
        return Err(Bad::new(
            format!("{at}end_time"),
            Reason::Invalid,
            format!("{end} is not after start_time {start}"),
        ));
    }
    for (i, r) in results.into_iter().enumerate() {
        let field = |name: &str| format!("{at}results[{i}].{name}");
        if let Some(object) = r.object.as_deref().filter(|o| *o != RESULT_OBJECT) {
            return Err(Bad::new(
                field("object"),
                Reason::Invalid,
                format!(
                    "{} is not {RESULT_OBJECT}: only the completions usage is read",
                    quote(object)
                ),
            ));
        }
        let check = |name: &str, n: u64| {
            if n > MAX_BUCKET_COUNT {
                Err(Bad::new(
                    field(name),
                    Reason::TooLarge,
                    format!("{n} is more than {MAX_BUCKET_COUNT}"),
                ))
            } else {
                Ok(n)
            }
        };
        let requests = check("num_model_requests", r.num_model_requests.0)?;
        let model = match r.model {
            Some(m) => super::fields::optional_name(&field("model"), &m)?.map(str::to_owned),
            None => None,
        };
        out.push(UsageRecord {
            start_ms,
            model: Cow::Owned(model.unwrap_or_else(|| UNGROUPED_MODEL.to_owned())),
            model_group: None,
            api_base: None,
            input_tokens: check("input_tokens", r.input_tokens.0)?,
            output_tokens: check("output_tokens", r.output_tokens.0)?,
            cached_tokens: r
                .input_cached_tokens
                .map(|c| check("input_cached_tokens", c.0))
                .transpose()?,
            status: None,
            cache_hit: false,
            latency_ms: None,
            spend_usd: None,
            batch: r.batch.unwrap_or(false),
            granularity: Granularity::Bucket { requests, width_s },
        });
    }
    Ok(())
}

impl LineParser for OpenaiUsage {
    fn has_header(&self) -> bool {
        false
    }

    fn parse<'a>(&self, line: &'a str) -> Result<Parsed<'a>, Bad> {
        if line.trim() == "{" {
            return Err(Bad::line(
                Reason::Malformed,
                "a pretty-printed JSON object: openai-usage reads one page or bucket per line (`jq -c . page.json`)",
            ));
        }
        let mut de = serde_json::Deserializer::from_str(line);
        let o: Object = serde_path_to_error::deserialize(&mut de).map_err(|e| json_bad(&e))?;
        de.end()
            .map_err(|e| Bad::line(Reason::Malformed, format!("more after the object: {e}")))?;
        let mut out = Vec::new();
        match o.object.as_str() {
            "page" => {
                let data = o
                    .data
                    .ok_or_else(|| Bad::new("data", Reason::Missing, "a page without data"))?;
                for (i, b) in data.into_iter().enumerate() {
                    let at = format!("data[{i}].");
                    if let Some(object) = b.object.as_deref().filter(|o| *o != "bucket") {
                        return Err(Bad::new(
                            format!("{at}object"),
                            Reason::Invalid,
                            format!("{} is not bucket", quote(object)),
                        ));
                    }
                    bucket(&at, b.start_time, b.end_time, b.results, &mut out)?;
                }
            }
            "bucket" => {
                let start = o
                    .start_time
                    .ok_or_else(|| Bad::new("start_time", Reason::Missing, "absent"))?;
                let end = o
                    .end_time
                    .ok_or_else(|| Bad::new("end_time", Reason::Missing, "absent"))?;
                let results = o
                    .results
                    .ok_or_else(|| Bad::new("results", Reason::Missing, "absent"))?;
                bucket("", start, end, results, &mut out)?;
            }
            other => {
                return Err(Bad::new(
                    "object",
                    Reason::Invalid,
                    format!("{} is neither page nor bucket", quote(other)),
                ));
            }
        }
        Ok(Parsed::Many(out))
    }
}
