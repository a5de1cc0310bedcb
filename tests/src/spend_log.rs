//! A synthetic LiteLLM spend log, and the same log priced by Switchyard.
//!
//! The log has the columns of the `LiteLLM_SpendLogs` table exactly as
//! LiteLLM 1.106.2's `litellm/proxy/schema.prisma` defines them, in that
//! order, rendered as `psql \copy (SELECT * FROM "LiteLLM_SpendLogs") TO FILE
//! CSV HEADER` writes them: `NULL` as an empty field, an empty string as `""`,
//! a field quoted only when it holds a comma, a quote or a line break,
//! `timestamp(3)` as `2026-11-03 14:05:09.12` (trailing zeros of the fraction
//! dropped), `double precision` as PostgreSQL's shortest round-trip text
//! (`1.5e-05` below 1e-4), `jsonb` as PostgreSQL prints it (keys shortest
//! first, `", "` and `": "` between items).
//!
//! Each line is one successful `acompletion` of a model drawn from
//! [`MODELS`]: LiteLLM map keys chosen so that the log has price tiers at
//! 100k, 128k, 200k (xAI's inclusive one among them), 272k and 512k prompt
//! tokens, cache prices and models without one, and a zero input price. Prompt
//! sizes are log-normal with a heavy tail (about 0.5% of the lines above
//! 200,000 tokens), a few land exactly on a tier's threshold or one past it,
//! and about a third of the requests read part of their prompt from the
//! cache. `model` is the map key, `prompt_tokens` counts cached tokens too,
//! and the cached count is in `metadata.additional_usage_values`
//! (`cache_read_input_tokens`, and `prompt_tokens_details.cached_tokens`),
//! where the proxy's `spend_tracking_utils.py` puts it. `spend` is the
//! line's price by [`switchyard::model::request_price`].
//!
//! Models that LiteLLM 1.106.2 prices by a rule of their own are left out:
//! `fireworks_ai` (a default cache rate), `perplexity` (its own cached-token
//! rule), entries with `off_peak_pricing` (the price depends on the clock) or
//! a `tiered_pricing` table, and keys `cost_per_token` cannot map to a
//! provider.

use std::collections::BTreeMap;
use std::io::{self, BufRead, Write};

use rand::{Rng, SeedableRng};
use rand_distr::{Distribution, LogNormal};
use rand_xoshiro::Xoshiro256PlusPlus;
use serde_json::{Value, json};
use switchyard::catalog::litellm;
use switchyard::model::{Prices, RequestTokens, request_price};
use switchyard::utc;

/// The seed of the repository's logs: the same seed and line count give the
/// same bytes.
pub const DEFAULT_SEED: u64 = 20_261_204;

/// The models of the log, LiteLLM map keys, with their relative weights.
pub const MODELS: &[(&str, u32)] = &[
    // 200k tiers, with cache prices
    ("gemini/gemini-2.5-pro", 8),
    ("gemini-2.5-pro", 3),
    ("gemini/gemini-3.1-pro-preview", 5),
    ("vertex_ai/gemini-3.1-pro-preview", 2),
    ("anthropic.claude-sonnet-4-5-20250929-v1:0", 4),
    ("vertex_ai/claude-sonnet-4-5", 3),
    ("oci/xai.grok-4.20-reasoning", 1),
    // 200k, without a cache price
    ("gemini/gemini-2.5-computer-use-preview-10-2025", 1),
    ("replicate/google/gemini-3-pro", 1),
    // xAI: the tier starts at the threshold itself
    ("xai/grok-4.3", 3),
    ("xai/grok-code-fast-1", 2),
    // 272k
    ("gpt-5.5", 6),
    ("gpt-6-astra", 2),
    ("gpt-6.1-sol", 4),
    ("gpt-6-luna", 5),
    ("azure/gpt-5.4", 3),
    ("azure_ai/gpt-6-sol", 2),
    // 100k
    ("claude-haiku-5-5", 5),
    ("vertex_ai/claude-haiku-5-5", 2),
    // 128k, a zero input price
    ("gemini/gemini-exp-1114", 1),
    // 512k
    ("minimax/MiniMax-M3", 2),
    // no tier
    ("gpt-4o", 6),
    ("gpt-4o-mini", 8),
    ("claude-sonnet-4-5", 6),
    ("deepseek/deepseek-chat", 5),
    ("gemini/gemini-2.5-flash", 6),
    ("mistral/mistral-large-latest", 2),
    ("together_ai/meta-llama/Llama-3.3-70B-Instruct-Turbo", 2),
];

/// The columns of `LiteLLM_SpendLogs` in LiteLLM 1.106.2's `schema.prisma`,
/// in its order.
pub const COLUMNS: [&str; 36] = [
    "request_id",
    "call_type",
    "api_key",
    "spend",
    "total_tokens",
    "prompt_tokens",
    "completion_tokens",
    "startTime",
    "endTime",
    "request_duration_ms",
    "completionStartTime",
    "model",
    "model_id",
    "model_group",
    "custom_llm_provider",
    "api_base",
    "user",
    "metadata",
    "cache_hit",
    "cache_key",
    "request_tags",
    "team_id",
    "organization_id",
    "end_user",
    "requester_ip_address",
    "messages",
    "response",
    "session_id",
    "status",
    "mcp_namespaced_tool_name",
    "billing_agent_id",
    "agent_id",
    "proxy_server_request",
    "litellm_call_id",
    "created_at",
    "updated_at",
];

/// The prices of every priced chat entry of the repository's LiteLLM map
/// (`fixtures/litellm`), by key, as Switchyard resolves them.
pub fn map_prices() -> Result<BTreeMap<String, Prices>, String> {
    let text = std::fs::read_to_string(crate::LITELLM_FIXTURE)
        .map_err(|e| format!("{}: {e}", crate::LITELLM_FIXTURE))?;
    let batch = litellm::parse(&text, crate::LITELLM_FIXTURE, litellm::Options::default())
        .map_err(|e| e.to_string())?;
    Ok(litellm::request_prices(&batch))
}

/// One model of the log, with what the generator needs of it.
struct Model {
    key: &'static str,
    provider: String,
    prices: Prices,
    id: String,
}

/// The tier thresholds a line may be put exactly on (or one past).
fn threshold_of(prices: &Prices) -> Option<u64> {
    prices.tier.map(|t| t.above_tokens as u64)
}

/// Writes a log of `lines` lines drawn with `seed` to `out`.
pub fn generate(out: &mut dyn Write, lines: u64, seed: u64) -> Result<(), String> {
    let prices = map_prices()?;
    let text = std::fs::read_to_string(crate::LITELLM_FIXTURE)
        .map_err(|e| format!("{}: {e}", crate::LITELLM_FIXTURE))?;
    let map: Value = serde_json::from_str(&text).map_err(|e| e.to_string())?;
    let mut models = Vec::new();
    for (i, (key, _)) in MODELS.iter().enumerate() {
        let p = prices
            .get(*key)
            .ok_or_else(|| format!("{key} is not a priced chat model of the map"))?;
        let provider = map[*key]["litellm_provider"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        models.push(Model {
            key,
            provider,
            prices: *p,
            id: format!("{:016x}{:016x}", seed ^ 0x5eed, i as u64 + 1),
        });
    }
    let total_weight: u32 = MODELS.iter().map(|(_, w)| w).sum();
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let prompt = LogNormal::new(2_000f64.ln(), 1.8).map_err(|e| e.to_string())?;
    let completion = LogNormal::new(300f64.ln(), 1.0).map_err(|e| e.to_string())?;
    // Requests spread over November 2026, in order.
    let start_ms = utc::days_from_civil(2026, 11, 1) * 86_400_000;
    let span_ms = 30 * 86_400_000i64;
    let step = span_ms as f64 / lines.max(1) as f64;
    let w = |e: io::Error| e.to_string();
    writeln!(out, "{}", COLUMNS.join(",")).map_err(w)?;
    for n in 0..lines {
        let mut pick = rng.random_range(0..total_weight);
        let mut index = 0;
        for (i, (_, weight)) in MODELS.iter().enumerate() {
            if pick < *weight {
                index = i;
                break;
            }
            pick -= weight;
        }
        let model = &models[index];
        let mut input = (prompt.sample(&mut rng).round() as u64).clamp(1, 2_000_000);
        if let Some(t) = threshold_of(&model.prices)
            && rng.random_bool(0.002)
        {
            // On the threshold, or one past it: where `>` and `>=` differ.
            input = t + rng.random_range(0..=1);
        }
        let output = (completion.sample(&mut rng).round() as u64).clamp(1, 128_000);
        let cached = if rng.random_bool(0.35) {
            (input as f64 * rng.random_range(0.1..0.95)) as u64
        } else {
            0
        };
        let tokens = RequestTokens {
            input,
            output,
            cached,
        };
        let spend = request_price(&model.prices, tokens, false).total();
        let begin = start_ms + (n as f64 * step) as i64 + rng.random_range(0..1000);
        let ttft = rng.random_range(150..4_000);
        let duration = ttft + (output as i64 * 1000) / rng.random_range(30..200);
        let call_id = uuid(&mut rng);
        let row = [
            Some(uuid(&mut rng)),
            Some("acompletion".to_owned()),
            Some(hex(&mut rng, 4)),
            Some(pg_float8(spend)),
            Some((input + output).to_string()),
            Some(input.to_string()),
            Some(output.to_string()),
            Some(pg_timestamp(begin)),
            Some(pg_timestamp(begin + duration)),
            Some(duration.to_string()),
            Some(pg_timestamp(begin + ttft)),
            Some(model.key.to_owned()),
            Some(model.id.clone()),
            Some(model.key.rsplit('/').next().unwrap_or(model.key).to_owned()),
            Some(model.provider.clone()),
            Some(format!("https://gateway.invalid/{}", model.provider)),
            Some(format!("user-{}", rng.random_range(1..200))),
            Some(jsonb(&metadata(&mut rng, cached))),
            Some("False".to_owned()),
            Some("Cache OFF".to_owned()),
            Some("[]".to_owned()),
            Some(format!("team-{}", rng.random_range(1..12))),
            Some(String::new()),
            Some(String::new()),
            None,
            Some("{}".to_owned()),
            Some("{}".to_owned()),
            Some(call_id.clone()),
            Some("success".to_owned()),
            None,
            None,
            None,
            Some("{}".to_owned()),
            Some(call_id),
            Some(pg_timestamp(begin + duration + 5)),
            Some(pg_timestamp(begin + duration + 5)),
        ];
        let line: Vec<String> = row.iter().map(|f| csv_field(f.as_deref())).collect();
        writeln!(out, "{}", line.join(",")).map_err(w)?;
    }
    out.flush().map_err(w)
}

/// The metadata the proxy stores with a line, with the cached tokens where
/// `spend_tracking_utils.py` puts them.
fn metadata(rng: &mut Xoshiro256PlusPlus, cached: u64) -> Value {
    let mut usage = serde_json::Map::new();
    if cached > 0 {
        usage.insert("cache_read_input_tokens".into(), json!(cached));
        usage.insert(
            "prompt_tokens_details".into(),
            json!({ "cached_tokens": cached }),
        );
    }
    json!({
        "user_api_key": hex(rng, 4),
        "user_api_key_alias": null,
        "user_api_key_team_id": null,
        "user_api_key_user_id": null,
        "status": "success",
        "additional_usage_values": Value::Object(usage),
        "mcp_tool_call_metadata": null,
    })
}

fn uuid(rng: &mut Xoshiro256PlusPlus) -> String {
    let a: u128 = rng.random();
    let h = format!("{a:032x}");
    format!(
        "{}-{}-{}-{}-{}",
        &h[..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..]
    )
}

/// `words` random 64-bit words in hex: a hashed key's look.
fn hex(rng: &mut Xoshiro256PlusPlus, words: usize) -> String {
    (0..words)
        .map(|_| format!("{:016x}", rng.random::<u64>()))
        .collect()
}

/// A CSV field as `COPY ... CSV` writes it: NULL empty, the empty string
/// `""`, quoted (quotes doubled) when it holds a delimiter, quote or line
/// break.
pub fn csv_field(value: Option<&str>) -> String {
    match value {
        None => String::new(),
        Some("") => "\"\"".to_owned(),
        Some(v) if v.contains([',', '"', '\n', '\r']) => {
            format!("\"{}\"", v.replace('"', "\"\""))
        }
        Some(v) => v.to_owned(),
    }
}

/// A `timestamp(3)` as PostgreSQL prints it: the fraction without trailing
/// zeros, none when it is zero.
pub fn pg_timestamp(ms: i64) -> String {
    let days = ms.div_euclid(86_400_000);
    let rest = ms.rem_euclid(86_400_000);
    let (y, m, d) = utc::civil_from_days(days);
    let (h, min, s, frac) = (
        rest / 3_600_000,
        rest / 60_000 % 60,
        rest / 1000 % 60,
        rest % 1000,
    );
    let mut text = format!("{y:04}-{m:02}-{d:02} {h:02}:{min:02}:{s:02}");
    if frac > 0 {
        let f = format!("{frac:03}");
        text.push('.');
        text.push_str(f.trim_end_matches('0'));
    }
    text
}

/// A `double precision` as PostgreSQL (12 and later) prints it: the shortest
/// text that reads back as the same double, in exponent form (`1.5e-05`,
/// `2e+20`) when the decimal exponent is below -4 or at least 15.
pub fn pg_float8(x: f64) -> String {
    if x == 0.0 || !x.is_finite() {
        return format!("{x}");
    }
    let sci = format!("{x:e}");
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    if (-4..15).contains(&exp) {
        format!("{x}")
    } else {
        let sign = if exp < 0 { '-' } else { '+' };
        format!("{mantissa}e{sign}{:02}", exp.abs())
    }
}

/// JSON as a `jsonb` column prints it: object keys by length, then bytes,
/// `", "` between items and `": "` after keys.
pub fn jsonb(value: &Value) -> String {
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort_by(|a, b| a.len().cmp(&b.len()).then_with(|| a.cmp(b)));
            let items: Vec<String> = keys
                .iter()
                .map(|k| format!("{}: {}", Value::String((*k).clone()), jsonb(&map[*k])))
                .collect();
            format!("{{{}}}", items.join(", "))
        }
        Value::Array(items) => {
            let items: Vec<String> = items.iter().map(jsonb).collect();
            format!("[{}]", items.join(", "))
        }
        other => other.to_string(),
    }
}

/// The part of a line's `metadata` that pricing reads; serde skips the rest
/// without building it, which keeps reading a million lines fast.
#[derive(serde::Deserialize)]
struct Metadata {
    #[serde(default)]
    additional_usage_values: Option<AdditionalUsage>,
}

#[derive(serde::Deserialize)]
struct AdditionalUsage {
    #[serde(default)]
    cache_read_input_tokens: Option<u64>,
}

/// The cached prompt tokens the proxy recorded in a line's metadata; 0 when
/// the metadata is absent, not JSON, or says nothing about the cache (as
/// `price_log.py` reads it).
fn cached_tokens(metadata: &[u8]) -> u64 {
    // Most lines read nothing from the cache: skip their JSON.
    const KEY: &[u8] = b"cache_read_input_tokens";
    if !metadata.windows(KEY.len()).any(|w| w == KEY) {
        return 0;
    }
    serde_json::from_slice::<Metadata>(metadata)
        .ok()
        .and_then(|m| m.additional_usage_values)
        .and_then(|u| u.cache_read_input_tokens)
        .unwrap_or(0)
}

/// What pricing needs of one log line.
#[derive(Debug, Clone, PartialEq)]
pub struct LogLine {
    pub request_id: String,
    pub model: String,
    pub tokens: RequestTokens,
}

/// Reads a spend log CSV: the columns by name from its header, the cached
/// tokens from the metadata's `additional_usage_values`. Fields are read as
/// bytes and only the five it needs are decoded, so a million lines take about
/// a second.
pub fn read(input: impl BufRead) -> Result<Vec<LogLine>, String> {
    let mut reader = csv::ReaderBuilder::new().from_reader(input);
    let headers = reader.headers().map_err(|e| e.to_string())?.clone();
    let col = |name: &str| {
        headers
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| format!("no column {name}"))
    };
    let (id, model, prompt, completion, meta) = (
        col("request_id")?,
        col("model")?,
        col("prompt_tokens")?,
        col("completion_tokens")?,
        col("metadata")?,
    );
    let mut lines = Vec::new();
    // One record, reused: a million lines allocate their fields once.
    let mut r = csv::ByteRecord::new();
    for n in 0u64.. {
        match reader.read_byte_record(&mut r) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => return Err(format!("line {}: {e}", n + 2)),
        }
        let field = |i: usize| -> Result<&str, String> {
            let bytes = r.get(i).unwrap_or_default();
            std::str::from_utf8(bytes).map_err(|e| format!("line {}: {}: {e}", n + 2, &headers[i]))
        };
        let number = |i: usize| -> Result<u64, String> {
            field(i)?
                .parse()
                .map_err(|e| format!("line {}: {}: {e}", n + 2, &headers[i]))
        };
        lines.push(LogLine {
            request_id: field(id)?.to_owned(),
            model: field(model)?.to_owned(),
            tokens: RequestTokens {
                input: number(prompt)?,
                output: number(completion)?,
                cached: cached_tokens(r.get(meta).unwrap_or_default()),
            },
        });
    }
    Ok(lines)
}

/// Each line's price, in order; an unknown model is an error naming it.
pub fn price(lines: &[LogLine], prices: &BTreeMap<String, Prices>) -> Result<Vec<f64>, String> {
    lines
        .iter()
        .map(|l| {
            prices
                .get(&l.model)
                .map(|p| request_price(p, l.tokens, false).total())
                .ok_or_else(|| format!("{}: no price for model {}", l.request_id, l.model))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_read_as_postgres_writes_them() {
        assert_eq!(pg_float8(0.0013), "0.0013");
        assert_eq!(pg_float8(0.0001), "0.0001");
        assert_eq!(pg_float8(1.5e-5), "1.5e-05");
        assert_eq!(pg_float8(0.4135), "0.4135");
        assert_eq!(pg_float8(123.0), "123");
        assert_eq!(pg_float8(2e20), "2e+20");
        assert_eq!(pg_timestamp(0), "1970-01-01 00:00:00");
        assert_eq!(pg_timestamp(1_500), "1970-01-01 00:00:01.5");
        assert_eq!(pg_timestamp(86_400_123), "1970-01-02 00:00:00.123");
        assert_eq!(csv_field(None), "");
        assert_eq!(csv_field(Some("")), "\"\"");
        assert_eq!(csv_field(Some("a,b")), "\"a,b\"");
        assert_eq!(csv_field(Some("{\"a\": 1}")), "\"{\"\"a\"\": 1}\"");
        assert_eq!(
            jsonb(&json!({"bb": [1, 2], "a": null, "ab": {"c": "x"}})),
            r#"{"a": null, "ab": {"c": "x"}, "bb": [1, 2]}"#
        );
    }

    #[test]
    fn the_same_seed_writes_the_same_log_and_it_reads_back() {
        let mut a = Vec::new();
        let mut b = Vec::new();
        generate(&mut a, 300, 7).expect("generates");
        generate(&mut b, 300, 7).expect("generates");
        assert_eq!(a, b);
        let lines = read(a.as_slice()).expect("reads");
        assert_eq!(lines.len(), 300);
        assert!(lines.iter().any(|l| l.tokens.cached > 0));
        let prices = map_prices().expect("map");
        let priced = price(&lines, &prices).expect("prices");
        assert!(priced.iter().all(|p| p.is_finite() && *p >= 0.0));
        let header = String::from_utf8_lossy(&a)
            .lines()
            .next()
            .unwrap_or_default()
            .to_owned();
        assert_eq!(header.split(',').count(), 36);
    }
}
