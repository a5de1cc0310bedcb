//! Text fields to typed values, one rule per kind of field, shared by the
//! CSV readers (LiteLLM's export and the generic CSV). Each failure is a
//! [`Bad`] naming the field as the file names it.

use std::borrow::Cow;

use super::error::{Bad, Reason, quote};
use super::limits::{
    MAX_LATENCY_MS, MAX_NAME_BYTES, MAX_REQUEST_TOKENS, MAX_SPEND_USD, MAX_URL_BYTES,
};
use super::record::Status;
use super::time::parse_ms;

/// A whole, non-negative count of at most `max`. `12.0` and `1e3` are whole;
/// `12.5` is not.
pub fn count_max(field: &str, text: &str, max: u64) -> Result<u64, Bad> {
    let text = text.trim();
    if text.is_empty() {
        return Err(Bad::new(field, Reason::Missing, "empty"));
    }
    if let Ok(n) = text.parse::<u64>() {
        return check_max(field, n, max);
    }
    match text.parse::<f64>() {
        Ok(x) if x.is_nan() => Err(Bad::new(field, Reason::WrongType, "NaN is not a count")),
        Ok(x) if x < 0.0 => Err(Bad::new(
            field,
            Reason::Negative,
            format!("{} is negative", quote(text)),
        )),
        Ok(x) if x.fract() != 0.0 => Err(Bad::new(
            field,
            Reason::NotWhole,
            format!("{} is not a whole number", quote(text)),
        )),
        // Whole, and `as` saturates: 1e300 is caught by the maximum.
        Ok(x) if x < 1.8e19 => check_max(field, x as u64, max),
        Ok(_) => Err(Bad::new(
            field,
            Reason::TooLarge,
            format!("{} is too large (at most {max})", quote(text)),
        )),
        Err(_) => Err(Bad::new(
            field,
            Reason::WrongType,
            format!("{} is not a number", quote(text)),
        )),
    }
}

fn check_max(field: &str, n: u64, max: u64) -> Result<u64, Bad> {
    if n > max {
        Err(Bad::new(
            field,
            Reason::TooLarge,
            format!("{n} is more than {max}"),
        ))
    } else {
        Ok(n)
    }
}

/// A token count of one request.
pub fn tokens(field: &str, text: &str) -> Result<u64, Bad> {
    count_max(field, text, MAX_REQUEST_TOKENS)
}

/// [`tokens`], `None` when empty (SQL NULL).
pub fn optional_tokens(field: &str, text: &str) -> Result<Option<u64>, Bad> {
    if text.trim().is_empty() {
        Ok(None)
    } else {
        tokens(field, text).map(Some)
    }
}

/// A finite, non-negative number of at most `max`; `None` when empty.
pub fn optional_amount(field: &str, text: &str, max: f64) -> Result<Option<f64>, Bad> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    match text.parse::<f64>() {
        Ok(x) if !x.is_finite() => Err(Bad::new(
            field,
            Reason::WrongType,
            format!("{} is not a finite number", quote(text)),
        )),
        Ok(x) if x < 0.0 => Err(Bad::new(
            field,
            Reason::Negative,
            format!("{} is negative", quote(text)),
        )),
        Ok(x) if x > max => Err(Bad::new(
            field,
            Reason::TooLarge,
            format!("{} is more than {max}", quote(text)),
        )),
        Ok(x) => Ok(Some(x)),
        Err(_) => Err(Bad::new(
            field,
            Reason::WrongType,
            format!("{} is not a number", quote(text)),
        )),
    }
}

/// Spend in USD; `None` when empty.
pub fn optional_usd(field: &str, text: &str) -> Result<Option<f64>, Bad> {
    optional_amount(field, text, MAX_SPEND_USD)
}

/// A latency in milliseconds; `None` when empty.
pub fn optional_latency(field: &str, text: &str) -> Result<Option<f64>, Bad> {
    optional_amount(field, text, MAX_LATENCY_MS)
}

/// A time (see [`super::time`]).
pub fn time(field: &str, text: &str) -> Result<i64, Bad> {
    if text.trim().is_empty() {
        return Err(Bad::new(field, Reason::Missing, "empty"));
    }
    parse_ms(text).ok_or_else(|| {
        Bad::new(
            field,
            Reason::NotATime,
            format!(
                "{} is not a time such as 2026-11-03 14:05:07.123 or 2026-11-03T14:05:07Z",
                quote(text)
            ),
        )
    })
}

/// A name (model, model group), `None` when empty.
pub fn optional_name<'a>(field: &str, text: &'a str) -> Result<Option<&'a str>, Bad> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    if text.len() > MAX_NAME_BYTES {
        return Err(Bad::new(
            field,
            Reason::TooLarge,
            format!("{} is longer than {MAX_NAME_BYTES} bytes", quote(text)),
        ));
    }
    if has_control(text) {
        return Err(Bad::new(
            field,
            Reason::Binary,
            format!("{} has control characters", quote(text)),
        ));
    }
    Ok(Some(text))
}

/// Whether `text` has a control character (`char::is_control`: C0, DEL and
/// C1). ASCII text, nearly every name and URL, is checked byte by byte
/// without decoding.
fn has_control(text: &str) -> bool {
    if text.bytes().all(|b| (0x20..0x7f).contains(&b)) {
        return false;
    }
    text.chars().any(char::is_control)
}

/// [`optional_name`] of a field split from a line, kept borrowed from the
/// line when it was (no copy per record).
pub fn optional_name_of<'a>(field: &str, text: Cow<'a, str>) -> Result<Option<Cow<'a, str>>, Bad> {
    Ok(match text {
        Cow::Borrowed(t) => optional_name(field, t)?.map(Cow::Borrowed),
        Cow::Owned(t) => optional_name(field, &t)?.map(|n| Cow::Owned(n.to_owned())),
    })
}

/// [`optional_api_base`] of a field split from a line, kept borrowed from
/// the line when nothing is cut.
pub fn optional_api_base_of<'a>(
    field: &str,
    text: Cow<'a, str>,
) -> Result<Option<Cow<'a, str>>, Bad> {
    Ok(match text {
        Cow::Borrowed(t) => optional_api_base(field, t)?,
        Cow::Owned(t) => optional_api_base(field, &t)?.map(|b| Cow::Owned(b.into_owned())),
    })
}

/// An API base, without what must not be stored: user name and password,
/// query (Azure SAS tokens, `?key=`) and fragment. `None` when empty.
pub fn optional_api_base<'a>(field: &str, text: &'a str) -> Result<Option<Cow<'a, str>>, Bad> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    if text.len() > MAX_URL_BYTES {
        return Err(Bad::new(
            field,
            Reason::TooLarge,
            format!("{} is longer than {MAX_URL_BYTES} bytes", quote(text)),
        ));
    }
    if has_control(text) {
        return Err(Bad::new(
            field,
            Reason::Binary,
            format!("{} has control characters", quote(text)),
        ));
    }
    // Nothing to cut: the text as it is, with no copy (the usual case).
    if !text.contains(['?', '#', '@']) {
        return Ok(Some(Cow::Borrowed(text)));
    }
    let cut = text.find(['?', '#']).map_or(text, |at| &text[..at]);
    let (scheme, rest) = cut.split_once("://").map_or(("", cut), |(s, r)| (s, r));
    let host_end = rest.find('/').unwrap_or(rest.len());
    let (authority, path) = rest.split_at(host_end);
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let mut out = String::with_capacity(cut.len());
    if !scheme.is_empty() {
        out.push_str(scheme);
        out.push_str("://");
    }
    out.push_str(host);
    out.push_str(path);
    Ok(Some(Cow::Owned(out)))
}

/// A status: `success`, `ok`, `true` or a 2xx/3xx HTTP code are successes;
/// `failure`, `error`, `failed`, `false` or another HTTP code failures;
/// empty is unknown.
pub fn optional_status(field: &str, text: &str) -> Result<Option<Status>, Bad> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let lower = text.to_ascii_lowercase();
    match lower.as_str() {
        "success" | "succeeded" | "ok" | "true" => return Ok(Some(Status::Success)),
        "failure" | "failed" | "error" | "false" => return Ok(Some(Status::Failure)),
        _ => {}
    }
    match lower.parse::<u16>() {
        Ok(code) if (100..400).contains(&code) => Ok(Some(Status::Success)),
        Ok(code) if (400..600).contains(&code) => Ok(Some(Status::Failure)),
        _ => Err(Bad::new(
            field,
            Reason::Invalid,
            format!(
                "{} is not success or failure (or an HTTP status code)",
                quote(text)
            ),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_say_why_they_are_refused() {
        assert_eq!(tokens("t", " 12 "), Ok(12));
        assert_eq!(tokens("t", "1e3"), Ok(1000));
        assert_eq!(tokens("t", "12.0"), Ok(12));
        let reason = |text: &str| tokens("t", text).map_err(|b| b.reason);
        assert_eq!(reason("-3"), Err(Reason::Negative));
        assert_eq!(reason("2.5"), Err(Reason::NotWhole));
        assert_eq!(reason("abc"), Err(Reason::WrongType));
        assert_eq!(reason("NaN"), Err(Reason::WrongType));
        assert_eq!(reason(""), Err(Reason::Missing));
        assert_eq!(reason("100000001"), Err(Reason::TooLarge));
        assert_eq!(reason("99999999999999999999999"), Err(Reason::TooLarge));
        assert_eq!(reason("1e300"), Err(Reason::TooLarge));
    }

    #[test]
    fn amounts_must_be_finite_and_not_negative() {
        assert_eq!(optional_usd("spend", "0.00012"), Ok(Some(0.00012)));
        assert_eq!(optional_usd("spend", "1.2e-05"), Ok(Some(1.2e-05)));
        assert_eq!(optional_usd("spend", ""), Ok(None));
        assert_eq!(
            optional_usd("spend", "-1").map_err(|b| b.reason),
            Err(Reason::Negative)
        );
        assert_eq!(
            optional_usd("spend", "inf").map_err(|b| b.reason),
            Err(Reason::WrongType)
        );
        assert_eq!(
            optional_latency("l", "1e12").map_err(|b| b.reason),
            Err(Reason::TooLarge)
        );
    }

    #[test]
    fn api_bases_lose_credentials_and_queries() {
        let base = |t: &str| {
            optional_api_base("api_base", t)
                .ok()
                .flatten()
                .map(Cow::into_owned)
        };
        assert_eq!(
            base("https://api.openai.com/v1"),
            Some("https://api.openai.com/v1".to_owned())
        );
        assert_eq!(
            base("https://u:p@h.example/x?sig=secret#f"),
            Some("https://h.example/x".to_owned())
        );
        assert_eq!(base(""), None);
    }

    #[test]
    fn statuses_read_words_and_http_codes() {
        assert_eq!(optional_status("s", "success"), Ok(Some(Status::Success)));
        assert_eq!(optional_status("s", "FAILURE"), Ok(Some(Status::Failure)));
        assert_eq!(optional_status("s", "200"), Ok(Some(Status::Success)));
        assert_eq!(optional_status("s", "429"), Ok(Some(Status::Failure)));
        assert_eq!(optional_status("s", ""), Ok(None));
        assert_eq!(
            optional_status("s", "maybe").map_err(|b| b.reason),
            Err(Reason::Invalid)
        );
    }
}
