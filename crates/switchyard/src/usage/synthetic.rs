//! A synthetic LiteLLM spend log: deterministic rows shaped like a real
//! `LiteLLM_SpendLogs` CSV export (every column of LiteLLM 1.106.2's table,
//! metadata JSON with the usage figures LiteLLM keeps), for the import's
//! benchmark and its memory test. Rows run one a second from a fixed start;
//! tokens are log-uniform, a few requests fail. No randomness beyond a
//! seeded generator, so a seed gives the same bytes everywhere.

use std::io::{self, Write};

/// The header `\copy "LiteLLM_SpendLogs" TO ... CSV HEADER` writes for a
/// table built by LiteLLM 1.106.2's schema.prisma, columns in its order.
pub const SPEND_LOG_HEADER: &str = "request_id,call_type,api_key,spend,total_tokens,prompt_tokens,completion_tokens,startTime,endTime,request_duration_ms,completionStartTime,model,model_id,model_group,custom_llm_provider,api_base,user,metadata,cache_hit,cache_key,request_tags,team_id,organization_id,end_user,requester_ip_address,messages,response,session_id,status,mcp_namespaced_tool_name,billing_agent_id,agent_id,proxy_server_request,litellm_call_id,created_at,updated_at";

/// The models the rows use: (model, model group, provider, api base, USD per
/// input token, USD per output token).
const MODELS: [(&str, &str, &str, &str, f64, f64); 4] = [
    (
        "gpt-4o",
        "chat",
        "openai",
        "https://api.openai.com/v1",
        2.5e-6,
        1e-5,
    ),
    (
        "claude-sonnet-4-5",
        "chat",
        "anthropic",
        "https://api.anthropic.com",
        3e-6,
        1.5e-5,
    ),
    (
        "deepseek-chat",
        "cheap",
        "deepseek",
        "https://api.deepseek.com",
        2.7e-7,
        1.1e-6,
    ),
    (
        "gemini-2.5-flash",
        "cheap",
        "gemini",
        "https://generativelanguage.googleapis.com",
        3e-7,
        2.5e-6,
    ),
];

/// A small, fast, seeded generator (SplitMix64): enough for test data.
#[derive(Debug, Clone)]
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Log-uniform whole number in [lo, hi).
    fn log_uniform(&mut self, lo: f64, hi: f64) -> u64 {
        (lo * (hi / lo).powf(self.unit())) as u64
    }
}

/// 2026-11-01T00:00:00Z, the first row's start.
const START_S: i64 = 1_793_491_200;

/// Writes the header and `rows` rows; returns the bytes written.
pub fn write_spend_log(out: &mut impl Write, rows: u64, seed: u64) -> io::Result<u64> {
    let mut rng = SplitMix(seed);
    let mut written = 0u64;
    let mut line = String::with_capacity(2048);
    line.push_str(SPEND_LOG_HEADER);
    line.push('\n');
    out.write_all(line.as_bytes())?;
    written += line.len() as u64;
    for i in 0..rows {
        line.clear();
        row(&mut line, i, &mut rng);
        out.write_all(line.as_bytes())?;
        written += line.len() as u64;
    }
    Ok(written)
}

/// Rows until at least `bytes` are written; returns (rows, bytes).
pub fn write_spend_log_bytes(
    out: &mut impl Write,
    bytes: u64,
    seed: u64,
) -> io::Result<(u64, u64)> {
    let mut rng = SplitMix(seed);
    let mut line = String::with_capacity(2048);
    line.push_str(SPEND_LOG_HEADER);
    line.push('\n');
    out.write_all(line.as_bytes())?;
    let (mut written, mut rows) = (line.len() as u64, 0u64);
    while written < bytes {
        line.clear();
        row(&mut line, rows, &mut rng);
        out.write_all(line.as_bytes())?;
        written += line.len() as u64;
        rows += 1;
    }
    Ok((rows, written))
}

fn time(seconds: i64, millis: u64) -> String {
    let t = crate::utc::format_timestamp(seconds);
    // `2026-11-01T00:00:00Z` as psql prints a timestamp(3): a space, no zone.
    format!("{} {}.{millis:03}", &t[..10], &t[11..19])
}

fn row(line: &mut String, i: u64, rng: &mut SplitMix) {
    use std::fmt::Write as _;
    let (model, group, provider, api_base, per_in, per_out) =
        MODELS[(rng.next() % MODELS.len() as u64) as usize];
    let prompt = rng.log_uniform(20.0, 300_000.0);
    let completion = rng.log_uniform(5.0, 8_000.0);
    let cached = if rng.unit() < 0.3 { prompt / 2 } else { 0 };
    let failed = rng.unit() < 0.02;
    let (prompt, completion) = if failed {
        (prompt, 0)
    } else {
        (prompt, completion)
    };
    let spend = if failed {
        0.0
    } else {
        prompt as f64 * per_in + completion as f64 * per_out
    };
    let duration_ms = rng.log_uniform(200.0, 60_000.0);
    let start_s = START_S + i as i64;
    let start_ms = rng.next() % 1000;
    let end_total_ms = start_ms + duration_ms;
    let start = time(start_s, start_ms);
    let end = time(start_s + (end_total_ms / 1000) as i64, end_total_ms % 1000);
    let id = rng.next();
    let key = rng.next();
    let status = if failed { "failure" } else { "success" };
    let cached_json = if cached > 0 {
        format!(
            r#", ""cache_read_input_tokens"": {cached}, ""prompt_tokens_details"": {{""cached_tokens"": {cached}, ""audio_tokens"": null}}"#
        )
    } else {
        String::new()
    };
    let error = if failed {
        r#", ""error_information"": {""error_code"": ""429"", ""error_class"": ""RateLimitError"", ""llm_provider"": """#.to_owned()
            + provider
            + r#"""}"#
    } else {
        String::new()
    };
    let _ = writeln!(
        line,
        "{id:016x}-{i:08x},acompletion,{key:016x}{key:016x}{key:016x}{key:016x},{spend},{total},{prompt},{completion},{start},{end},{duration_ms},{start},{model},{id:08x},{group},{provider},{api_base},user-{u},\"{{\"\"user_api_key\"\": \"\"{key:016x}\"\", \"\"user_api_key_alias\"\": \"\"svc-{u}\"\", \"\"user_api_key_team_id\"\": \"\"team-{t}\"\", \"\"user_api_key_user_id\"\": \"\"user-{u}\"\", \"\"spend_logs_metadata\"\": null, \"\"requester_ip_address\"\": \"\"\"\", \"\"additional_usage_values\"\": {{\"\"completion_tokens_details\"\": null{cached_json}}}, \"\"status\"\": \"\"{status}\"\"{error}, \"\"model_map_information\"\": {{\"\"model_map_key\"\": \"\"{model}\"\"}}, \"\"litellm_overhead_time_ms\"\": 1.25}}\",False,Cache OFF,[],team-{t},,,,{{}},{{}},sess-{s:x},{status},,,,{{}},{id:x},{start},{end}",
        total = prompt + completion,
        u = id % 50,
        t = id % 5,
        s = id % 10_000,
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_writes_the_same_bytes() {
        let (mut a, mut b) = (Vec::new(), Vec::new());
        write_spend_log(&mut a, 100, 7).expect("writes");
        write_spend_log(&mut b, 100, 7).expect("writes");
        assert_eq!(a, b);
        let mut c = Vec::new();
        write_spend_log(&mut c, 100, 8).expect("writes");
        assert_ne!(a, c);
    }

    #[test]
    fn the_log_reads_back_as_litellm_spend() {
        let mut text = Vec::new();
        write_spend_log(&mut text, 2_000, 1).expect("writes");
        let options = super::super::ReadOptions {
            format: super::super::UsageFormat::LitellmSpend,
            map: Vec::new(),
            skip_bad: false,
        };
        let read = super::super::read::read(&text[..], "synthetic", 0, &options, &mut |_, _| {
            std::ops::ControlFlow::Continue(())
        })
        .expect("reads");
        assert_eq!(read.records, 2_000);
        let cells = read.aggregates.cells();
        let failures: u64 = cells.iter().map(|c| c.2.failures).sum();
        assert!((10..=80).contains(&failures), "{failures}");
        let cached: u64 = cells.iter().map(|c| c.2.cached_known).sum();
        assert_eq!(cached, 2_000);
        assert_eq!(read.aggregates.models().len(), 4);
    }
}
