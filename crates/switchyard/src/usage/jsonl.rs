//! A usage log as JSON Lines: one object per line, keyed by Switchyard's own
//! field names ([`super::field::Field`]). `start_time` and `end_time` are an
//! RFC 3339 string or seconds since the epoch; tokens whole numbers;
//! `latency_ms` and `spend_usd` numbers; `status` as in CSV (a string, an
//! HTTP code or a boolean). Other keys (a prompt, say) are skipped unread.

use std::borrow::Cow;

use serde::Deserialize;

use super::error::{Bad, Reason, quote};
use super::fields;
use super::limits::MAX_REQUEST_TOKENS;
use super::parse::{Count, LineParser, Parsed, json_bad};
use super::record::{Granularity, UsageRecord};
use super::time;

#[derive(Debug, Default)]
pub struct Jsonl;

#[derive(Deserialize)]
struct Line<'a> {
    start_time: Option<serde_json::Value>,
    end_time: Option<serde_json::Value>,
    #[serde(borrow)]
    model: Option<Cow<'a, str>>,
    #[serde(borrow)]
    model_group: Option<Cow<'a, str>>,
    #[serde(borrow)]
    api_base: Option<Cow<'a, str>>,
    input_tokens: Option<Count>,
    output_tokens: Option<Count>,
    cached_tokens: Option<Count>,
    status: Option<serde_json::Value>,
    latency_ms: Option<f64>,
    spend_usd: Option<f64>,
}

/// A time: RFC 3339 text or epoch seconds.
fn json_time(field: &str, value: &serde_json::Value) -> Result<i64, Bad> {
    match value {
        serde_json::Value::String(s) => fields::time(field, s),
        serde_json::Value::Number(n) => n.as_f64().and_then(time::seconds_to_ms).ok_or_else(|| {
            Bad::new(
                field,
                Reason::NotATime,
                format!("{n} is not seconds between 1970 and 9999"),
            )
        }),
        other => Err(Bad::new(
            field,
            Reason::WrongType,
            format!(
                "{} is neither a time string nor epoch seconds",
                quote(&other.to_string())
            ),
        )),
    }
}

fn required<T>(field: &str, value: Option<T>) -> Result<T, Bad> {
    value.ok_or_else(|| Bad::new(field, Reason::Missing, "absent or null"))
}

fn token(field: &str, value: Option<Count>) -> Result<Option<u64>, Bad> {
    match value {
        Some(Count(n)) if n > MAX_REQUEST_TOKENS => Err(Bad::new(
            field,
            Reason::TooLarge,
            format!("{n} is more than {MAX_REQUEST_TOKENS}"),
        )),
        other => Ok(other.map(|c| c.0)),
    }
}

fn amount(field: &str, value: Option<f64>, max: f64) -> Result<Option<f64>, Bad> {
    value.map_or(Ok(None), |x| {
        fields::optional_amount(field, &x.to_string(), max)
    })
}

impl LineParser for Jsonl {
    fn has_header(&self) -> bool {
        false
    }

    fn parse<'a>(&self, line: &'a str) -> Result<Parsed<'a>, Bad> {
        let mut de = serde_json::Deserializer::from_str(line);
        let l: Line<'a> = serde_path_to_error::deserialize(&mut de).map_err(|e| json_bad(&e))?;
        de.end()
            .map_err(|e| Bad::line(Reason::Malformed, format!("more after the object: {e}")))?;
        let start_ms = json_time("start_time", &required("start_time", l.start_time)?)?;
        let model = match l.model {
            Some(m) => fields::optional_name("model", &m)?.map(str::to_owned),
            None => None,
        }
        .ok_or_else(|| Bad::new("model", Reason::Missing, "absent, null or empty"))?;
        let model_group = match l.model_group {
            Some(g) => fields::optional_name("model_group", &g)?.map(str::to_owned),
            None => None,
        };
        let api_base = match l.api_base {
            Some(b) => fields::optional_api_base("api_base", &b)?.map(Cow::into_owned),
            None => None,
        };
        let status = match &l.status {
            None | Some(serde_json::Value::Null) => None,
            Some(serde_json::Value::String(s)) => fields::optional_status("status", s)?,
            Some(serde_json::Value::Bool(b)) => fields::optional_status("status", &b.to_string())?,
            Some(serde_json::Value::Number(n)) => {
                fields::optional_status("status", &n.to_string())?
            }
            Some(other) => {
                return Err(Bad::new(
                    "status",
                    Reason::WrongType,
                    format!("{} is not a status", quote(&other.to_string())),
                ));
            }
        };
        let mut latency_ms = amount("latency_ms", l.latency_ms, super::limits::MAX_LATENCY_MS)?;
        if let (None, Some(end)) = (latency_ms, &l.end_time) {
            let end_ms = json_time("end_time", end)?;
            if end_ms < start_ms {
                return Err(Bad::new("end_time", Reason::Invalid, "before start_time"));
            }
            latency_ms = fields::optional_latency("end_time", &(end_ms - start_ms).to_string())?;
        }
        Ok(Parsed::One(UsageRecord {
            start_ms,
            model: Cow::Owned(model),
            model_group: model_group.map(Cow::Owned),
            api_base: api_base.map(Cow::Owned),
            input_tokens: required("input_tokens", token("input_tokens", l.input_tokens)?)?,
            output_tokens: required("output_tokens", token("output_tokens", l.output_tokens)?)?,
            cached_tokens: token("cached_tokens", l.cached_tokens)?,
            status,
            cache_hit: false,
            latency_ms,
            spend_usd: amount("spend_usd", l.spend_usd, super::limits::MAX_SPEND_USD)?,
            batch: false,
            granularity: Granularity::Request,
        }))
    }
}
