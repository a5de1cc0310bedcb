//! The three wire dialects: request parsing, SSE framing, error bodies, model
//! lists and rate-limit headers, each in the shape the real provider uses.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use serde_json::{Value, json};

use super::config::REQUEST_KEY_MARKER;

/// Which provider API a request spoke.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Dialect {
    /// `POST /v1/chat/completions`, `Authorization: Bearer`.
    OpenAi,
    /// `POST /v1/messages`, `x-api-key` + `anthropic-version`.
    Anthropic,
    /// `POST /v1beta/models/{model}:streamGenerateContent?alt=sse`,
    /// `x-goog-api-key` or `?key=`.
    Gemini,
}

/// What a generation request asked for, once its body has been checked.
#[derive(Debug, Clone)]
pub(crate) struct GenRequest {
    pub model: String,
    pub max_tokens: Option<u32>,
    /// Characters of prompt text, for `PromptTokens::FromPrompt`.
    pub prompt_chars: usize,
    /// OpenAI only: `stream_options.include_usage`.
    pub include_usage: bool,
    /// The client asked for a stream (always, for Gemini's
    /// `streamGenerateContent`).
    pub stream: bool,
    /// The key after [`REQUEST_KEY_MARKER`] in the prompt, if any.
    pub request_key: Option<String>,
}

/// Every text of a message `content`: a string, or an array of parts with
/// `text` fields.
fn content_texts(content: &Value) -> Vec<&str> {
    match content {
        Value::String(s) => vec![s.as_str()],
        Value::Array(parts) => parts
            .iter()
            .filter_map(|p| p.get("text").and_then(Value::as_str))
            .collect(),
        _ => Vec::new(),
    }
}

/// The first request key in these texts: the characters after the marker up
/// to whitespace or a closing bracket or quote.
fn find_request_key<'a>(texts: impl IntoIterator<Item = &'a str>) -> Option<String> {
    texts.into_iter().find_map(|t| {
        let rest = &t[t.find(REQUEST_KEY_MARKER)? + REQUEST_KEY_MARKER.len()..];
        let key: String = rest
            .chars()
            .take_while(|c| !c.is_whitespace() && !matches!(c, ']' | ')' | '"' | '\''))
            .take(128)
            .collect();
        (!key.is_empty()).then_some(key)
    })
}

/// Characters of text in a message `content`: a string, or an array of parts
/// with `text` fields (OpenAI and Anthropic both allow either).
fn content_chars(content: &Value) -> usize {
    match content {
        Value::String(s) => s.chars().count(),
        Value::Array(parts) => parts
            .iter()
            .filter_map(|p| p.get("text").and_then(Value::as_str))
            .map(|t| t.chars().count())
            .sum(),
        _ => 0,
    }
}

/// Reads an optional non-negative integer field, rejecting anything else.
fn opt_u32(body: &Value, field: &str) -> Result<Option<u32>, String> {
    match body.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => v
            .as_u64()
            .map(|n| Some(u32::try_from(n).unwrap_or(u32::MAX)))
            .ok_or_else(|| format!("`{field}` must be a non-negative integer")),
    }
}

fn messages(body: &Value) -> Result<&Vec<Value>, String> {
    match body.get("messages") {
        Some(Value::Array(m)) if !m.is_empty() => Ok(m),
        Some(Value::Array(_)) => Err("`messages` must not be empty".to_owned()),
        _ => Err("`messages` is required and must be an array".to_owned()),
    }
}

/// Whether the body asks to stream. Without `non_streaming`, only `stream:
/// true` is accepted; with it, an absent or `false` `stream` means one JSON body.
fn stream_flag(body: &Value, non_streaming: bool) -> Result<bool, String> {
    match body.get("stream") {
        Some(Value::Bool(true)) => Ok(true),
        None | Some(Value::Null | Value::Bool(false)) if non_streaming => Ok(false),
        Some(v) if !v.is_boolean() && !v.is_null() => Err("`stream` must be a boolean".to_owned()),
        _ => Err("this fake provider only streams: set `stream: true`".to_owned()),
    }
}

fn model_field(body: &Value) -> Result<String, String> {
    match body.get("model") {
        Some(Value::String(m)) if !m.is_empty() => Ok(m.clone()),
        _ => Err("`model` is required and must be a non-empty string".to_owned()),
    }
}

/// Checks a generation request body. `path_model` is Gemini's model from the URL;
/// `gemini_stream` says whether Gemini's path was `streamGenerateContent`.
/// `non_streaming` allows OpenAI and Anthropic requests that do not stream.
/// Errors are messages for a 400.
pub(crate) fn parse_request(
    dialect: Dialect,
    body: &[u8],
    path_model: Option<&str>,
    gemini_stream: bool,
    non_streaming: bool,
) -> Result<GenRequest, String> {
    let body: Value =
        serde_json::from_slice(body).map_err(|e| format!("request body is not valid JSON: {e}"))?;
    if !body.is_object() {
        return Err("request body must be a JSON object".to_owned());
    }
    match dialect {
        Dialect::OpenAi => {
            let model = model_field(&body)?;
            let msgs = messages(&body)?;
            let stream = stream_flag(&body, non_streaming)?;
            let max_tokens = match opt_u32(&body, "max_completion_tokens")? {
                Some(n) => Some(n),
                None => opt_u32(&body, "max_tokens")?,
            };
            let include_usage = body
                .pointer("/stream_options/include_usage")
                .and_then(Value::as_bool)
                .unwrap_or(false);
            let prompt_chars = msgs
                .iter()
                .map(|m| m.get("content").map_or(0, content_chars))
                .sum();
            let request_key = find_request_key(
                msgs.iter()
                    .filter_map(|m| m.get("content"))
                    .flat_map(content_texts),
            );
            Ok(GenRequest {
                model,
                max_tokens,
                prompt_chars,
                include_usage,
                stream,
                request_key,
            })
        }
        Dialect::Anthropic => {
            let model = model_field(&body)?;
            let msgs = messages(&body)?;
            let stream = stream_flag(&body, non_streaming)?;
            let max_tokens = opt_u32(&body, "max_tokens")?
                .ok_or_else(|| "max_tokens: Field required".to_owned())?;
            let system = body.get("system").map_or(0, content_chars);
            let prompt_chars = system
                + msgs
                    .iter()
                    .map(|m| m.get("content").map_or(0, content_chars))
                    .sum::<usize>();
            let request_key = find_request_key(
                body.get("system")
                    .into_iter()
                    .chain(msgs.iter().filter_map(|m| m.get("content")))
                    .flat_map(content_texts),
            );
            Ok(GenRequest {
                model,
                max_tokens: Some(max_tokens),
                prompt_chars,
                include_usage: false,
                stream,
                request_key,
            })
        }
        Dialect::Gemini => {
            let model = path_model.unwrap_or_default().to_owned();
            let contents = match body.get("contents") {
                Some(Value::Array(c)) if !c.is_empty() => c,
                _ => return Err("`contents` is required and must be a non-empty array".to_owned()),
            };
            let text_of = |c: &Value| -> usize {
                c.get("parts").and_then(Value::as_array).map_or(0, |parts| {
                    parts
                        .iter()
                        .filter_map(|p| p.get("text").and_then(Value::as_str))
                        .map(|t| t.chars().count())
                        .sum()
                })
            };
            let system = body.get("systemInstruction").map_or(0, text_of);
            let prompt_chars = system + contents.iter().map(text_of).sum::<usize>();
            let max_tokens = match body.get("generationConfig") {
                None | Some(Value::Null) => None,
                Some(cfg @ Value::Object(_)) => opt_u32(cfg, "maxOutputTokens")?,
                Some(_) => return Err("`generationConfig` must be an object".to_owned()),
            };
            let texts_of = |c: &'_ Value| -> Vec<String> {
                c.get("parts")
                    .and_then(Value::as_array)
                    .map_or(Vec::new(), |parts| {
                        parts
                            .iter()
                            .filter_map(|p| p.get("text").and_then(Value::as_str))
                            .map(str::to_owned)
                            .collect()
                    })
            };
            let texts: Vec<String> = body
                .get("systemInstruction")
                .into_iter()
                .chain(contents.iter())
                .flat_map(texts_of)
                .collect();
            Ok(GenRequest {
                model,
                max_tokens,
                prompt_chars,
                include_usage: false,
                stream: gemini_stream,
                request_key: find_request_key(texts.iter().map(String::as_str)),
            })
        }
    }
}

/// The text of every content delta.
pub(crate) const TOKEN: &str = "tok ";

/// One SSE event without a name (`data: ...` plus the blank line).
fn data_event(dialect: Dialect, v: &Value) -> Bytes {
    // Gemini terminates events with CRLF pairs on the real wire; clients must
    // cope with both line endings.
    let end = if dialect == Dialect::Gemini {
        "\r\n\r\n"
    } else {
        "\n\n"
    };
    Bytes::from(format!("data: {v}{end}"))
}

fn named_event(name: &str, v: &Value) -> Bytes {
    Bytes::from(format!("event: {name}\ndata: {v}\n\n"))
}

/// Builds the events of one response stream.
#[derive(Debug, Clone)]
pub(crate) struct Encoder {
    pub dialect: Dialect,
    pub request_id: u64,
    pub model: String,
    pub prompt_tokens: u32,
    pub include_usage: bool,
    pub created: u64,
}

impl Encoder {
    fn chatcmpl_id(&self) -> String {
        format!("chatcmpl-fake{:08}", self.request_id)
    }

    /// An OpenAI chunk with the fields every real chunk carries.
    fn openai_chunk(&self, choices: Value) -> Value {
        let mut v = json!({
            "id": self.chatcmpl_id(),
            "object": "chat.completion.chunk",
            "created": self.created,
            "model": self.model,
            "system_fingerprint": "fp_fake",
            "choices": choices,
        });
        if self.include_usage {
            // Real OpenAI sends `usage: null` on every chunk but the last one
            // when usage was asked for.
            v["usage"] = Value::Null;
        }
        v
    }

    /// Events before any content: they are not content deltas, so they go out at
    /// once, before the TTFT wait.
    pub(crate) fn preamble(&self) -> Vec<Bytes> {
        match self.dialect {
            Dialect::OpenAi => vec![data_event(
                self.dialect,
                &self.openai_chunk(json!([{
                    "index": 0,
                    "delta": {"role": "assistant", "content": ""},
                    "logprobs": null,
                    "finish_reason": null,
                }])),
            )],
            Dialect::Anthropic => vec![
                named_event(
                    "message_start",
                    &json!({
                        "type": "message_start",
                        "message": {
                            "id": format!("msg_fake{:08}", self.request_id),
                            "type": "message",
                            "role": "assistant",
                            "model": self.model,
                            "content": [],
                            "stop_reason": null,
                            "stop_sequence": null,
                            "usage": {"input_tokens": self.prompt_tokens, "output_tokens": 1},
                        },
                    }),
                ),
                named_event(
                    "content_block_start",
                    &json!({
                        "type": "content_block_start",
                        "index": 0,
                        "content_block": {"type": "text", "text": ""},
                    }),
                ),
                named_event("ping", &json!({"type": "ping"})),
            ],
            Dialect::Gemini => Vec::new(),
        }
    }

    /// Content delta number `index` (from 0). `last` marks Gemini's final chunk,
    /// which carries the finish reason.
    pub(crate) fn delta(&self, index: u64, last: bool) -> Bytes {
        match self.dialect {
            Dialect::OpenAi => data_event(
                self.dialect,
                &self.openai_chunk(json!([{
                    "index": 0,
                    "delta": {"content": TOKEN},
                    "logprobs": null,
                    "finish_reason": null,
                }])),
            ),
            Dialect::Anthropic => named_event(
                "content_block_delta",
                &json!({
                    "type": "content_block_delta",
                    "index": 0,
                    "delta": {"type": "text_delta", "text": TOKEN},
                }),
            ),
            Dialect::Gemini => self.gemini_chunk(TOKEN, index + 1, last),
        }
    }

    fn gemini_chunk(&self, text: &str, candidates_tokens: u64, last: bool) -> Bytes {
        let mut candidate = json!({
            "content": {"parts": [{"text": text}], "role": "model"},
            "index": 0,
        });
        if last {
            candidate["finishReason"] = json!("STOP");
        }
        data_event(
            self.dialect,
            &json!({
                "candidates": [candidate],
                "usageMetadata": {
                    "promptTokenCount": self.prompt_tokens,
                    "candidatesTokenCount": candidates_tokens,
                    "totalTokenCount": u64::from(self.prompt_tokens) + candidates_tokens,
                },
                "modelVersion": self.model,
                "responseId": format!("fake{:08}", self.request_id),
            }),
        )
    }

    /// Events after `sent` content deltas of a stream that ends normally.
    pub(crate) fn epilogue(&self, sent: u32) -> Vec<Bytes> {
        match self.dialect {
            Dialect::OpenAi => {
                let mut out = vec![data_event(
                    self.dialect,
                    &self.openai_chunk(json!([{
                        "index": 0,
                        "delta": {},
                        "logprobs": null,
                        "finish_reason": "stop",
                    }])),
                )];
                if self.include_usage {
                    let mut usage = self.openai_chunk(json!([]));
                    usage["usage"] = json!({
                        "prompt_tokens": self.prompt_tokens,
                        "completion_tokens": sent,
                        "total_tokens": u64::from(self.prompt_tokens) + u64::from(sent),
                    });
                    out.push(data_event(self.dialect, &usage));
                }
                out.push(Bytes::from_static(b"data: [DONE]\n\n"));
                out
            }
            Dialect::Anthropic => vec![
                named_event(
                    "content_block_stop",
                    &json!({"type": "content_block_stop", "index": 0}),
                ),
                named_event(
                    "message_delta",
                    &json!({
                        "type": "message_delta",
                        "delta": {"stop_reason": "end_turn", "stop_sequence": null},
                        "usage": {"output_tokens": sent},
                    }),
                ),
                named_event("message_stop", &json!({"type": "message_stop"})),
            ],
            // With no tokens at all Gemini still sends one (empty) chunk carrying
            // the finish reason; otherwise the last delta carried it.
            Dialect::Gemini if sent == 0 => vec![self.gemini_chunk("", 0, true)],
            Dialect::Gemini => Vec::new(),
        }
    }

    /// The whole response of a request that did not stream: `tokens` content
    /// tokens in one JSON body, in the dialect's non-streaming shape.
    pub(crate) fn complete(&self, tokens: u32) -> Bytes {
        let text = TOKEN.repeat(tokens as usize);
        let total = u64::from(self.prompt_tokens) + u64::from(tokens);
        let v = match self.dialect {
            Dialect::OpenAi => json!({
                "id": self.chatcmpl_id(),
                "object": "chat.completion",
                "created": self.created,
                "model": self.model,
                "system_fingerprint": "fp_fake",
                "choices": [{
                    "index": 0,
                    "message": {"role": "assistant", "content": text, "refusal": null},
                    "logprobs": null,
                    "finish_reason": "stop",
                }],
                "usage": {
                    "prompt_tokens": self.prompt_tokens,
                    "completion_tokens": tokens,
                    "total_tokens": total,
                },
            }),
            Dialect::Anthropic => json!({
                "id": format!("msg_fake{:08}", self.request_id),
                "type": "message",
                "role": "assistant",
                "model": self.model,
                "content": [{"type": "text", "text": text}],
                "stop_reason": "end_turn",
                "stop_sequence": null,
                "usage": {"input_tokens": self.prompt_tokens, "output_tokens": tokens},
            }),
            Dialect::Gemini => json!({
                "candidates": [{
                    "content": {"parts": [{"text": text}], "role": "model"},
                    "finishReason": "STOP",
                    "index": 0,
                }],
                "usageMetadata": {
                    "promptTokenCount": self.prompt_tokens,
                    "candidatesTokenCount": tokens,
                    "totalTokenCount": total,
                },
                "modelVersion": self.model,
                "responseId": format!("fake{:08}", self.request_id),
            }),
        };
        Bytes::from(v.to_string())
    }

    /// A non-streaming body whose JSON is cut short (optionally leaking `key`).
    pub(crate) fn malformed_complete(&self, key: Option<&str>) -> Bytes {
        let leak = key.map(|k| format!(" key={k}")).unwrap_or_default();
        Bytes::from(format!(
            "{{\"id\":\"{}\",\"object\":\"chat.completion\",\"choices\":[{{\"index\":0,\"message\":{{\"content\":\"broken{leak}",
            self.chatcmpl_id()
        ))
    }

    /// A `data:` line whose JSON is cut short (optionally leaking `key`).
    pub(crate) fn malformed(&self, key: Option<&str>) -> Bytes {
        let leak = key.map(|k| format!(" key={k}")).unwrap_or_default();
        let line = match self.dialect {
            Dialect::OpenAi => format!(
                "data: {{\"id\":\"{}\",\"object\":\"chat.completion.chunk\",\"choices\":[{{\"index\":0,\"delta\":{{\"content\":\"broken{leak}\n\n",
                self.chatcmpl_id()
            ),
            Dialect::Anthropic => format!(
                "event: content_block_delta\ndata: {{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{{\"type\":\"text_delta\",\"text\":\"broken{leak}\n\n"
            ),
            Dialect::Gemini => format!(
                "data: {{\"candidates\":[{{\"content\":{{\"parts\":[{{\"text\":\"broken{leak}\r\n\r\n"
            ),
        };
        Bytes::from(line)
    }
}

/// A keep-alive SSE comment.
pub(crate) const COMMENT: &[u8] = b": keep-alive\n\n";

/// Kinds of error the server answers with; each dialect names them its own way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ErrorKind {
    BadRequest,
    Auth,
    NotFound,
    MethodNotAllowed,
    TooLarge,
    RateLimited,
    Server,
}

/// The dialect's JSON error body. `key` is the client's key, echoed only when the
/// caller decided to be hostile.
pub(crate) fn error_body(
    dialect: Dialect,
    status: u16,
    kind: ErrorKind,
    message: &str,
    request_id: u64,
    echo_key: Option<&str>,
) -> Bytes {
    let message = match (kind, echo_key) {
        (ErrorKind::Auth, Some(k)) => format!(
            "Incorrect API key provided: {k}. You can find your API key in your account settings."
        ),
        (_, Some(k)) => format!("{message} (request made with API key {k})"),
        (_, None) => message.to_owned(),
    };
    let v = match dialect {
        Dialect::OpenAi => {
            let (ty, code) = match kind {
                ErrorKind::BadRequest | ErrorKind::TooLarge | ErrorKind::MethodNotAllowed => {
                    ("invalid_request_error", Value::Null)
                }
                ErrorKind::Auth => ("invalid_request_error", json!("invalid_api_key")),
                ErrorKind::NotFound => ("invalid_request_error", json!("unknown_url")),
                ErrorKind::RateLimited => ("requests", json!("rate_limit_exceeded")),
                ErrorKind::Server => ("server_error", Value::Null),
            };
            json!({"error": {"message": message, "type": ty, "param": null, "code": code}})
        }
        Dialect::Anthropic => {
            let ty = match kind {
                ErrorKind::BadRequest | ErrorKind::MethodNotAllowed => "invalid_request_error",
                ErrorKind::Auth => "authentication_error",
                ErrorKind::NotFound => "not_found_error",
                ErrorKind::TooLarge => "request_too_large",
                ErrorKind::RateLimited => "rate_limit_error",
                ErrorKind::Server if status == 503 || status == 529 => "overloaded_error",
                ErrorKind::Server => "api_error",
            };
            json!({
                "type": "error",
                "error": {"type": ty, "message": message},
                "request_id": format!("req_fake{request_id:08}"),
            })
        }
        Dialect::Gemini => {
            let status_name = match kind {
                ErrorKind::BadRequest | ErrorKind::MethodNotAllowed | ErrorKind::TooLarge => {
                    "INVALID_ARGUMENT"
                }
                ErrorKind::Auth => "UNAUTHENTICATED",
                ErrorKind::NotFound => "NOT_FOUND",
                ErrorKind::RateLimited => "RESOURCE_EXHAUSTED",
                ErrorKind::Server if status == 503 => "UNAVAILABLE",
                ErrorKind::Server => "INTERNAL",
            };
            json!({"error": {"code": status, "message": message, "status": status_name}})
        }
    };
    Bytes::from(v.to_string())
}

/// Gemini's 429 body also says how long to wait, in a `RetryInfo` detail (when
/// there is a wait to tell).
pub(crate) fn gemini_rate_limit_body(retry_after_s: Option<u64>, echo_key: Option<&str>) -> Bytes {
    let mut message = "Resource has been exhausted (e.g. check quota).".to_owned();
    if let Some(k) = echo_key {
        message.push_str(&format!(" (request made with API key {k})"));
    }
    let details: Vec<Value> = retry_after_s
        .map(|s| {
            json!({
                "@type": "type.googleapis.com/google.rpc.RetryInfo",
                "retryDelay": format!("{s}s"),
            })
        })
        .into_iter()
        .collect();
    Bytes::from(
        json!({"error": {
            "code": 429,
            "message": message,
            "status": "RESOURCE_EXHAUSTED",
            "details": details,
        }})
        .to_string(),
    )
}

/// The `GET` models list body.
pub(crate) fn models_body(dialect: Dialect, models: &[String]) -> Bytes {
    let v = match dialect {
        Dialect::OpenAi => json!({
            "object": "list",
            "data": models.iter().map(|m| json!({
                "id": m, "object": "model", "created": 1_700_000_000, "owned_by": "fake-provider",
            })).collect::<Vec<_>>(),
        }),
        Dialect::Anthropic => json!({
            "data": models.iter().map(|m| json!({
                "id": m, "type": "model", "display_name": m, "created_at": "2025-01-01T00:00:00Z",
            })).collect::<Vec<_>>(),
            "has_more": false,
            "first_id": models.first(),
            "last_id": models.last(),
        }),
        Dialect::Gemini => json!({
            "models": models.iter().map(|m| json!({
                "name": format!("models/{m}"),
                "displayName": m,
                "inputTokenLimit": 1_048_576,
                "outputTokenLimit": 8192,
                "supportedGenerationMethods": ["generateContent", "streamGenerateContent"],
            })).collect::<Vec<_>>(),
        }),
    };
    Bytes::from(v.to_string())
}

/// Requests per minute the fake claims to allow.
pub(crate) const LIMIT_REQUESTS: u64 = 1000;
/// Tokens per minute the fake claims to allow.
pub(crate) const LIMIT_TOKENS: u64 = 1_000_000;

/// OpenAI writes reset durations like `1s`, `6m0s`.
fn go_duration(secs: u64) -> String {
    if secs < 60 {
        format!("{secs}s")
    } else {
        format!("{}m{}s", secs / 60, secs % 60)
    }
}

/// RFC 3339 UTC timestamp (Anthropic's reset format).
pub(crate) fn rfc3339(t: SystemTime) -> String {
    let secs = t.duration_since(UNIX_EPOCH).unwrap_or_default().as_secs();
    let days = i64::try_from(secs / 86_400).unwrap_or(0);
    let rem = secs % 86_400;
    let (year, month, day) = switchyard::utc::civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        (rem / 60) % 60,
        rem % 60
    )
}

/// Rate-limit headers as the provider sends them. `used` is how many generation
/// requests the window has seen; `reset_s` when it refills.
pub(crate) fn rate_limit_headers(
    dialect: Dialect,
    used: u64,
    reset_s: u64,
) -> Vec<(&'static str, String)> {
    let remaining = LIMIT_REQUESTS.saturating_sub(used);
    let remaining_tokens = LIMIT_TOKENS.saturating_sub(used.saturating_mul(1000));
    match dialect {
        Dialect::OpenAi => vec![
            ("x-ratelimit-limit-requests", LIMIT_REQUESTS.to_string()),
            ("x-ratelimit-limit-tokens", LIMIT_TOKENS.to_string()),
            ("x-ratelimit-remaining-requests", remaining.to_string()),
            ("x-ratelimit-remaining-tokens", remaining_tokens.to_string()),
            ("x-ratelimit-reset-requests", go_duration(reset_s)),
            ("x-ratelimit-reset-tokens", go_duration(reset_s)),
        ],
        Dialect::Anthropic => {
            let reset = rfc3339(SystemTime::now() + Duration::from_secs(reset_s));
            vec![
                (
                    "anthropic-ratelimit-requests-limit",
                    LIMIT_REQUESTS.to_string(),
                ),
                (
                    "anthropic-ratelimit-requests-remaining",
                    remaining.to_string(),
                ),
                ("anthropic-ratelimit-requests-reset", reset.clone()),
                ("anthropic-ratelimit-tokens-limit", LIMIT_TOKENS.to_string()),
                (
                    "anthropic-ratelimit-tokens-remaining",
                    remaining_tokens.to_string(),
                ),
                ("anthropic-ratelimit-tokens-reset", reset),
            ]
        }
        // Gemini sends no rate-limit headers, only `retry-after`-less 429s with a
        // RetryInfo detail; the fake adds `retry-after` there for uniformity.
        Dialect::Gemini => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_formats_known_instants() {
        assert_eq!(rfc3339(UNIX_EPOCH), "1970-01-01T00:00:00Z");
        let t = UNIX_EPOCH + Duration::from_secs(1_709_251_199); // leap year end of Feb
        assert_eq!(rfc3339(t), "2024-02-29T23:59:59Z");
    }
}
