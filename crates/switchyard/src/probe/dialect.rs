//! The three API dialects a probe speaks: how to ask for a tiny streaming
//! completion or a model list, and how to read each streamed event.
//!
//! - OpenAI-compatible chat completions (OpenAI, Azure OpenAI, DeepSeek, Groq,
//!   Together, Fireworks, Mistral, OpenRouter, vLLM, Ollama): `api_base` includes
//!   the version path, e.g. `https://api.openai.com/v1`.
//! - Anthropic Messages: `api_base` is the host, e.g. `https://api.anthropic.com`.
//! - Gemini `streamGenerateContent`: `api_base` is the host, e.g.
//!   `https://generativelanguage.googleapis.com`.

use reqwest::header::{HeaderName, HeaderValue};
use serde_json::{Value, json};

use super::keys::Secret;
use super::sse::SseEvent;
pub use crate::plan::Dialect;

/// Everything needed to probe one offering. The key is only named.
#[derive(Debug, Clone, PartialEq)]
pub struct ProbeTarget {
    pub offering: String,
    pub dialect: Dialect,
    pub api_base: String,
    /// The provider's own model name.
    pub model: String,
    /// The NAME of the environment variable holding the key.
    pub key_env: String,
    pub input_per_mtok: f64,
    pub output_per_mtok: f64,
}

/// What one streamed event says.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EventMeaning {
    /// It carries generated text (a role-only or empty delta does not count).
    pub content: bool,
    pub input_tokens: Option<u32>,
    /// Output tokens so far, when the event reports usage.
    pub output_tokens: Option<u32>,
    /// The stream says it is complete.
    pub done: bool,
    /// An error reported inside the stream.
    pub error: Option<String>,
}

/// The fixed probe prompt: short, so a probe costs a few hundred micro-dollars.
pub const PROBE_PROMPT: &str = "Count from 1 to 20, separated by spaces.";

fn url(base: &str, path: &str) -> String {
    format!("{}{path}", base.trim_end_matches('/'))
}

/// A header carrying the key, marked sensitive so that no `Debug` shows it.
fn key_header(name: &'static str, value: String) -> Option<(HeaderName, HeaderValue)> {
    let mut value = HeaderValue::from_str(&value).ok()?;
    value.set_sensitive(true);
    Some((HeaderName::from_static(name), value))
}

fn bearer(key: &Secret) -> Option<(HeaderName, HeaderValue)> {
    key_header("authorization", format!("Bearer {}", key.expose()))
}

/// The streaming completion request.
pub fn stream_request(
    client: &reqwest::Client,
    target: &ProbeTarget,
    key: &Secret,
    max_tokens: u32,
) -> reqwest::RequestBuilder {
    let (builder, auth) = match target.dialect {
        Dialect::Openai => (
            client
                .post(url(&target.api_base, "/chat/completions"))
                .json(&json!({
                    "model": target.model,
                    "messages": [{"role": "user", "content": PROBE_PROMPT}],
                    "max_tokens": max_tokens,
                    "stream": true,
                    "stream_options": {"include_usage": true},
                })),
            bearer(key),
        ),
        Dialect::Anthropic => (
            client
                .post(url(&target.api_base, "/v1/messages"))
                .header("anthropic-version", "2023-06-01")
                .json(&json!({
                    "model": target.model,
                    "max_tokens": max_tokens,
                    "messages": [{"role": "user", "content": PROBE_PROMPT}],
                    "stream": true,
                })),
            key_header("x-api-key", key.expose().to_owned()),
        ),
        Dialect::Gemini => (
            client
                .post(url(
                    &target.api_base,
                    &format!(
                        "/v1beta/models/{}:streamGenerateContent?alt=sse",
                        target.model
                    ),
                ))
                .json(&json!({
                    "contents": [{"role": "user", "parts": [{"text": PROBE_PROMPT}]}],
                    "generationConfig": {"maxOutputTokens": max_tokens},
                })),
            key_header("x-goog-api-key", key.expose().to_owned()),
        ),
    };
    with_auth(builder.header("accept", "text/event-stream"), auth)
}

/// The model-list request: reachability without tokens.
pub fn models_request(
    client: &reqwest::Client,
    target: &ProbeTarget,
    key: &Secret,
) -> reqwest::RequestBuilder {
    let (path, auth) = match target.dialect {
        Dialect::Openai => ("/models", bearer(key)),
        Dialect::Anthropic => (
            "/v1/models",
            key_header("x-api-key", key.expose().to_owned()),
        ),
        Dialect::Gemini => (
            "/v1beta/models",
            key_header("x-goog-api-key", key.expose().to_owned()),
        ),
    };
    let builder = client.get(url(&target.api_base, path));
    let builder = if target.dialect == Dialect::Anthropic {
        builder.header("anthropic-version", "2023-06-01")
    } else {
        builder
    };
    with_auth(builder, auth)
}

fn with_auth(
    builder: reqwest::RequestBuilder,
    auth: Option<(HeaderName, HeaderValue)>,
) -> reqwest::RequestBuilder {
    match auth {
        Some((name, value)) => builder.header(name, value),
        // A key that is not a valid header value is sent as nothing; the
        // provider's 401 then says so.
        None => builder,
    }
}

/// Reads one event of `dialect`'s stream.
pub fn interpret(dialect: Dialect, event: &SseEvent) -> Result<EventMeaning, String> {
    if dialect == Dialect::Openai && event.data.trim() == "[DONE]" {
        return Ok(EventMeaning {
            done: true,
            ..EventMeaning::default()
        });
    }
    let value: Value = serde_json::from_str(&event.data).map_err(|e| {
        let shown: String = event.data.chars().take(80).collect();
        format!("malformed event data ({e}): {shown}")
    })?;
    Ok(match dialect {
        Dialect::Openai => openai(&value),
        Dialect::Anthropic => anthropic(&value),
        Dialect::Gemini => gemini(&value),
    })
}

fn count(value: &Value) -> Option<u32> {
    value.as_u64().and_then(|n| u32::try_from(n).ok())
}

fn error_text(error: &Value) -> String {
    let kind = error.get("type").and_then(Value::as_str).unwrap_or("error");
    let message = error.get("message").and_then(Value::as_str).unwrap_or("");
    format!("{kind}: {message}")
}

fn openai(value: &Value) -> EventMeaning {
    let delta = &value["choices"][0]["delta"];
    EventMeaning {
        content: delta["content"].as_str().is_some_and(|s| !s.is_empty()),
        input_tokens: count(&value["usage"]["prompt_tokens"]),
        output_tokens: count(&value["usage"]["completion_tokens"]),
        done: false,
        error: value.get("error").map(error_text),
    }
}

fn anthropic(value: &Value) -> EventMeaning {
    let mut meaning = EventMeaning::default();
    match value["type"].as_str() {
        Some("message_start") => {
            meaning.input_tokens = count(&value["message"]["usage"]["input_tokens"]);
        }
        Some("content_block_delta") => {
            meaning.content = value["delta"]["text"]
                .as_str()
                .is_some_and(|s| !s.is_empty());
        }
        Some("message_delta") => {
            meaning.output_tokens = count(&value["usage"]["output_tokens"]);
        }
        Some("message_stop") => meaning.done = true,
        Some("error") => meaning.error = Some(error_text(&value["error"])),
        _ => {}
    }
    meaning
}

fn gemini(value: &Value) -> EventMeaning {
    let candidate = &value["candidates"][0];
    let content = candidate["content"]["parts"]
        .as_array()
        .is_some_and(|parts| {
            parts
                .iter()
                .any(|p| p["text"].as_str().is_some_and(|s| !s.is_empty()))
        });
    EventMeaning {
        content,
        input_tokens: count(&value["usageMetadata"]["promptTokenCount"]),
        output_tokens: count(&value["usageMetadata"]["candidatesTokenCount"]),
        done: candidate["finishReason"].is_string(),
        error: value.get("error").map(error_text),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(data: &str) -> SseEvent {
        SseEvent {
            event: None,
            data: data.to_owned(),
        }
    }

    fn target(dialect: Dialect, base: &str) -> ProbeTarget {
        ProbeTarget {
            offering: "x/y".into(),
            dialect,
            api_base: base.into(),
            model: "m-1".into(),
            key_env: "K".into(),
            input_per_mtok: 1.0,
            output_per_mtok: 2.0,
        }
    }

    #[test]
    fn openai_role_chunk_is_not_content_and_usage_is_read() {
        let role = r#"{"choices":[{"index":0,"delta":{"role":"assistant","content":""}}]}"#;
        assert!(!interpret(Dialect::Openai, &event(role)).unwrap().content);
        let tok = r#"{"choices":[{"index":0,"delta":{"content":"1 "}}]}"#;
        assert!(interpret(Dialect::Openai, &event(tok)).unwrap().content);
        let usage = r#"{"choices":[],"usage":{"prompt_tokens":12,"completion_tokens":20}}"#;
        let m = interpret(Dialect::Openai, &event(usage)).unwrap();
        assert_eq!((m.input_tokens, m.output_tokens), (Some(12), Some(20)));
        assert!(interpret(Dialect::Openai, &event("[DONE]")).unwrap().done);
    }

    #[test]
    fn anthropic_events() {
        let start =
            r#"{"type":"message_start","message":{"usage":{"input_tokens":15,"output_tokens":1}}}"#;
        assert_eq!(
            interpret(Dialect::Anthropic, &event(start))
                .unwrap()
                .input_tokens,
            Some(15)
        );
        let delta =
            r#"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"1"}}"#;
        assert!(
            interpret(Dialect::Anthropic, &event(delta))
                .unwrap()
                .content
        );
        let usage = r#"{"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":20}}"#;
        assert_eq!(
            interpret(Dialect::Anthropic, &event(usage))
                .unwrap()
                .output_tokens,
            Some(20)
        );
        assert!(
            interpret(Dialect::Anthropic, &event(r#"{"type":"message_stop"}"#))
                .unwrap()
                .done
        );
        let error =
            r#"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#;
        assert_eq!(
            interpret(Dialect::Anthropic, &event(error))
                .unwrap()
                .error
                .as_deref(),
            Some("overloaded_error: Overloaded")
        );
    }

    #[test]
    fn gemini_chunks() {
        let chunk = r#"{"candidates":[{"content":{"parts":[{"text":"1 2"}],"role":"model"}}],"usageMetadata":{"promptTokenCount":9,"candidatesTokenCount":3}}"#;
        let m = interpret(Dialect::Gemini, &event(chunk)).unwrap();
        assert!(m.content && !m.done);
        assert_eq!((m.input_tokens, m.output_tokens), (Some(9), Some(3)));
        let last = r#"{"candidates":[{"content":{"parts":[{"text":""}]},"finishReason":"STOP"}]}"#;
        assert!(interpret(Dialect::Gemini, &event(last)).unwrap().done);
    }

    #[test]
    fn malformed_data_is_an_error_that_shows_a_little_of_it() {
        let err = interpret(Dialect::Openai, &event("{not json")).unwrap_err();
        assert!(err.starts_with("malformed event data"), "{err}");
        assert!(err.ends_with("{not json"), "{err}");
    }

    #[test]
    fn requests_put_the_key_where_each_dialect_expects_and_hide_it() {
        let client = reqwest::Client::new();
        let key = Secret::new("sk-test-key");
        let cases = [
            (
                Dialect::Openai,
                "http://h/v1/",
                "http://h/v1/chat/completions",
                "authorization",
                "Bearer sk-test-key",
            ),
            (
                Dialect::Anthropic,
                "http://h",
                "http://h/v1/messages",
                "x-api-key",
                "sk-test-key",
            ),
            (
                Dialect::Gemini,
                "http://h",
                "http://h/v1beta/models/m-1:streamGenerateContent?alt=sse",
                "x-goog-api-key",
                "sk-test-key",
            ),
        ];
        for (dialect, base, expected_url, header, value) in cases {
            let request = stream_request(&client, &target(dialect, base), &key, 16)
                .build()
                .expect("request builds");
            assert_eq!(request.url().as_str(), expected_url);
            assert_eq!(request.headers()[header], value);
            assert!(request.headers()[header].is_sensitive());
            assert!(!format!("{request:?}").contains("sk-test-key"));
        }
    }
}
