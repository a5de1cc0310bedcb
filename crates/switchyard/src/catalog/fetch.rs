//! Downloading a price list: one GET, bounded in time and in size, that either
//! returns the whole body or says why not, naming the URL.
//!
//! A price refresh must never write half a list, so every way a download can
//! go wrong is an error here, before anything is parsed: no connection, a
//! status other than 2xx, no complete answer within the timeout, a body that
//! breaks off (fewer bytes than its `Content-Length`, or a chunked body cut
//! short), or one larger than the cap. The body is streamed and reading stops
//! at the cap, so a wrong URL (a disk image, an endless stream) cannot fill
//! memory.
//!
//! TLS is rustls with the platform's verifier (reqwest's `rustls` feature,
//! pinned in the workspace `Cargo.toml`): the operating system's root
//! certificates, so a corporate CA that the system trusts works, and no
//! certificate bundle is built in. Messages show the URL without any
//! user name or password it carries; no header a caller could hold a key in
//! is ever sent.

use std::time::{Duration, Instant};

use reqwest::Url;
use reqwest::header::{ACCEPT, CONTENT_TYPE};

use crate::probe::client::chain;
use crate::utc;

/// How long and how large a download may be.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FetchLimits {
    /// The whole download: connecting, the answer and its body.
    pub timeout: Duration,
    /// Largest body read, in bytes.
    pub max_bytes: u64,
}

/// A downloaded body and where and when it was read.
#[derive(Debug, Clone, PartialEq)]
pub struct Fetched {
    /// The URL as messages and the catalog show it: without credentials.
    pub url: String,
    pub body: Vec<u8>,
    /// The `Content-Type` header, if the server sent one.
    pub content_type: Option<String>,
    /// When the body had been read: UTC, RFC 3339 with milliseconds.
    pub retrieved_at: String,
    pub elapsed: Duration,
}

/// Why a download failed. Each names the URL (without credentials).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum FetchError {
    #[error("`{url}` is not a URL to download from: {reason}")]
    Url { url: String, reason: String },
    #[error("{url}: cannot connect: {reason}")]
    Connect { url: String, reason: String },
    #[error("{url}: the server answered {status}, not the list")]
    Status { url: String, status: String },
    #[error("{url}: no complete answer within {seconds} s (the download's timeout)")]
    Timeout { url: String, seconds: String },
    #[error("{url}: the download broke off after {got} bytes{expected}: {reason}")]
    Cut {
        url: String,
        got: u64,
        /// " of N (its Content-Length)", or empty when the length is unknown.
        expected: String,
        reason: String,
    },
    #[error("{url}: larger than the download's cap of {max} bytes")]
    TooLarge { url: String, max: u64 },
}

/// Downloads `url` within `limits`.
pub async fn fetch(url: &str, limits: FetchLimits) -> Result<Fetched, FetchError> {
    let (target, shown) = parse_url(url)?;
    let started = Instant::now();
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::limited(5))
        .user_agent(concat!(
            "switchyard/",
            env!("CARGO_PKG_VERSION"),
            " (price refresh)"
        ))
        .build()
        .map_err(|e| FetchError::Connect {
            url: shown.clone(),
            reason: chain(&e.without_url()),
        })?;
    let download = read(&client, target, &shown, limits.max_bytes);
    let (body, content_type) = tokio::time::timeout(limits.timeout, download)
        .await
        .map_err(|_| FetchError::Timeout {
            url: shown.clone(),
            seconds: crate::limits::show(limits.timeout.as_secs_f64()),
        })??;
    Ok(Fetched {
        url: shown,
        body,
        content_type,
        retrieved_at: utc::now_rfc3339_millis(),
        elapsed: started.elapsed(),
    })
}

/// The URL to request, and the same without credentials for messages and
/// the stored source: no user name or password, and no query, which can
/// carry a key too (`?key=…`). Only `http` and `https`.
fn parse_url(url: &str) -> Result<(Url, String), FetchError> {
    let trimmed = url.trim();
    let parsed = Url::parse(trimmed).map_err(|e| FetchError::Url {
        url: super::error::quote(trimmed),
        reason: e.to_string(),
    })?;
    let mut shown = parsed.clone();
    // Both fail only for URLs that cannot have credentials at all.
    let _ = shown.set_password(None);
    let _ = shown.set_username("");
    shown.set_query(None);
    shown.set_fragment(None);
    let shown = shown.to_string();
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(FetchError::Url {
            url: shown,
            reason: format!("`{}:` is not http or https", parsed.scheme()),
        });
    }
    Ok((parsed, shown))
}

/// The body, streamed and capped, and its content type.
async fn read(
    client: &reqwest::Client,
    url: Url,
    shown: &str,
    max_bytes: u64,
) -> Result<(Vec<u8>, Option<String>), FetchError> {
    let mut response = client
        .get(url)
        .header(ACCEPT, "application/json")
        .send()
        .await
        .map_err(|e| FetchError::Connect {
            url: shown.to_owned(),
            reason: chain(&e.without_url()),
        })?;
    let status = response.status();
    if !status.is_success() {
        return Err(FetchError::Status {
            url: shown.to_owned(),
            status: format!(
                "{} {}",
                status.as_u16(),
                status.canonical_reason().unwrap_or("")
            )
            .trim_end()
            .to_owned(),
        });
    }
    let too_large = || FetchError::TooLarge {
        url: shown.to_owned(),
        max: max_bytes,
    };
    let declared = response.content_length();
    if declared.is_some_and(|n| n > max_bytes) {
        return Err(too_large());
    }
    let content_type = response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let cut = |got: usize, reason: String| FetchError::Cut {
        url: shown.to_owned(),
        got: got as u64,
        expected: declared.map_or_else(String::new, |n| format!(" of {n} (its Content-Length)")),
        reason,
    };
    let mut body = Vec::new();
    loop {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                if (body.len() + chunk.len()) as u64 > max_bytes {
                    return Err(too_large());
                }
                body.extend_from_slice(&chunk);
            }
            Ok(None) => break,
            Err(e) => return Err(cut(body.len(), chain(&e.without_url()))),
        }
    }
    if declared.is_some_and(|n| n != body.len() as u64) {
        return Err(cut(body.len(), "the connection closed early".to_owned()));
    }
    Ok((body, content_type))
}

#[cfg(test)]
#[path = "fetch_tests.rs"]
mod tests;
