//! The rate limits a provider states in its response headers, read as the
//! offering's observed `rpm_limit`, `input_tpm_limit` and `output_tpm_limit`.
//!
//! A probe stores the headers as it got them ([`crate::probe::RateLimits`]); this
//! reads the *limit* headers among them (not the remaining counts, which say
//! how busy the account was, not what it may do). A header that is missing,
//! repeated with another value, or not a positive number in the field's range
//! is ignored: a provider's odd header must never stop a plan, nor invent a
//! figure.

use serde::Serialize;

use super::{Field, Value};

/// What a provider's `x-ratelimit-limit-requests` counts. OpenAI and the
/// OpenAI-compatible APIs mostly state requests per minute; Groq states
/// requests per *day* under the same name, which is not a per-minute limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestsHeader {
    PerMinute,
    PerDay,
}

impl RequestsHeader {
    /// Which one the endpoint at `api_base` sends: per day for Groq's API
    /// (its rate-limit page says so), per minute elsewhere.
    pub fn of_api_base(api_base: Option<&str>) -> Self {
        match api_base {
            Some(base)
                if host_of(base).is_some_and(|h| h == "groq.com" || h.ends_with(".groq.com")) =>
            {
                RequestsHeader::PerDay
            }
            _ => RequestsHeader::PerMinute,
        }
    }
}

/// The host of a URL, lowercased, without port or credentials.
fn host_of(url: &str) -> Option<String> {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let authority = rest.split(['/', '?', '#']).next()?;
    let host = authority.rsplit('@').next()?.split(':').next()?;
    (!host.is_empty()).then(|| host.to_ascii_lowercase())
}

/// One observed figure and the header it was read from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ObservedLimit {
    pub value: f64,
    pub header: &'static str,
}

/// The limits one response stated; `None` where it stated none.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct ObservedLimits {
    pub rpm_limit: Option<ObservedLimit>,
    pub input_tpm_limit: Option<ObservedLimit>,
    pub output_tpm_limit: Option<ObservedLimit>,
}

impl ObservedLimits {
    pub fn is_empty(&self) -> bool {
        self.rpm_limit.is_none()
            && self.input_tpm_limit.is_none()
            && self.output_tpm_limit.is_none()
    }

    /// The figure of `field`, for the three rate-limit fields.
    pub fn get(&self, field: Field) -> Option<&ObservedLimit> {
        match field {
            Field::RpmLimit => self.rpm_limit.as_ref(),
            Field::InputTpmLimit => self.input_tpm_limit.as_ref(),
            Field::OutputTpmLimit => self.output_tpm_limit.as_ref(),
            _ => None,
        }
    }
}

const OPENAI_REQUESTS: &str = "x-ratelimit-limit-requests";
/// OpenAI's token limit counts input and output together.
const OPENAI_TOKENS: &str = "x-ratelimit-limit-tokens";
const ANTHROPIC_REQUESTS: &str = "anthropic-ratelimit-requests-limit";
const ANTHROPIC_INPUT: &str = "anthropic-ratelimit-input-tokens-limit";
const ANTHROPIC_OUTPUT: &str = "anthropic-ratelimit-output-tokens-limit";
/// Anthropic's most restrictive token limit in effect: used for a side whose
/// own header is missing.
const ANTHROPIC_TOKENS: &str = "anthropic-ratelimit-tokens-limit";

/// Reads the limit headers among `headers` (names in any case). A combined
/// token limit (`x-ratelimit-limit-tokens`, `anthropic-ratelimit-tokens-limit`)
/// bounds each side, so it stands for input and output where no side-specific
/// header is given — the same mapping as a combined published tier.
pub fn parse_limits<'a>(
    headers: impl IntoIterator<Item = (&'a str, &'a str)>,
    requests: RequestsHeader,
) -> ObservedLimits {
    let wanted = [
        OPENAI_REQUESTS,
        OPENAI_TOKENS,
        ANTHROPIC_REQUESTS,
        ANTHROPIC_INPUT,
        ANTHROPIC_OUTPUT,
        ANTHROPIC_TOKENS,
    ];
    // Each wanted header's value; `None` once it was seen with two values.
    let mut seen: Vec<(&'static str, Option<&'a str>)> = Vec::new();
    for (name, value) in headers {
        let Some(&header) = wanted.iter().find(|w| name.trim().eq_ignore_ascii_case(w)) else {
            continue;
        };
        match seen.iter_mut().find(|(h, _)| *h == header) {
            Some((_, v)) if v.map(str::trim) != Some(value.trim()) => *v = None,
            Some(_) => {}
            None => seen.push((header, Some(value))),
        }
    }
    let figure = |header: &'static str, field: Field| -> Option<ObservedLimit> {
        let (_, value) = seen.iter().find(|(h, _)| *h == header)?;
        let value = number(value.as_deref()?, field)?;
        Some(ObservedLimit { value, header })
    };
    let rpm_limit = figure(ANTHROPIC_REQUESTS, Field::RpmLimit).or_else(|| {
        (requests == RequestsHeader::PerMinute)
            .then(|| figure(OPENAI_REQUESTS, Field::RpmLimit))
            .flatten()
    });
    let side = |own: &'static str, field: Field| {
        figure(own, field)
            .or_else(|| figure(ANTHROPIC_TOKENS, field))
            .or_else(|| figure(OPENAI_TOKENS, field))
    };
    ObservedLimits {
        rpm_limit,
        input_tpm_limit: side(ANTHROPIC_INPUT, Field::InputTpmLimit),
        output_tpm_limit: side(ANTHROPIC_OUTPUT, Field::OutputTpmLimit),
    }
}

/// `text` as a figure of `field`: a plain number within the field's range.
fn number(text: &str, field: Field) -> Option<f64> {
    let text = text.trim();
    // Only digits and one point: "1e3", "inf", "0x10", "+5" are not what a
    // provider sends for a limit, so they are not guessed at.
    if text.is_empty() || !text.chars().all(|c| c.is_ascii_digit() || c == '.') {
        return None;
    }
    let x: f64 = text.parse().ok()?;
    field.check(&Value::Number(x)).ok()?;
    Some(x)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(headers: &[(&str, &str)]) -> ObservedLimits {
        parse_limits(headers.iter().copied(), RequestsHeader::PerMinute)
    }

    fn values(l: &ObservedLimits) -> (Option<f64>, Option<f64>, Option<f64>) {
        (
            l.rpm_limit.as_ref().map(|f| f.value),
            l.input_tpm_limit.as_ref().map(|f| f.value),
            l.output_tpm_limit.as_ref().map(|f| f.value),
        )
    }

    #[test]
    fn openai_headers_give_rpm_and_a_combined_tpm() {
        let l = parse(&[
            ("x-ratelimit-limit-requests", "500"),
            ("x-ratelimit-limit-tokens", "30000"),
            ("x-ratelimit-remaining-requests", "499"),
            ("x-ratelimit-remaining-tokens", "29000"),
        ]);
        assert_eq!(values(&l), (Some(500.0), Some(30000.0), Some(30000.0)));
        assert_eq!(
            l.rpm_limit.map(|f| f.header),
            Some("x-ratelimit-limit-requests")
        );
    }

    #[test]
    fn anthropic_headers_give_each_side() {
        let l = parse(&[
            ("Anthropic-RateLimit-Requests-Limit", "50"),
            ("anthropic-ratelimit-input-tokens-limit", "30000"),
            ("anthropic-ratelimit-output-tokens-limit", "8000"),
            ("anthropic-ratelimit-tokens-limit", "38000"),
        ]);
        assert_eq!(values(&l), (Some(50.0), Some(30000.0), Some(8000.0)));
        assert_eq!(
            l.output_tpm_limit.map(|f| f.header),
            Some("anthropic-ratelimit-output-tokens-limit")
        );
        // Without the side headers, the combined one bounds both.
        let l = parse(&[("anthropic-ratelimit-tokens-limit", "38000")]);
        assert_eq!(values(&l), (None, Some(38000.0), Some(38000.0)));
    }

    #[test]
    fn groq_requests_per_day_are_not_a_per_minute_limit() {
        let headers = [
            ("x-ratelimit-limit-requests", "1000"),
            ("x-ratelimit-limit-tokens", "8000"),
        ];
        let l = parse_limits(
            headers,
            RequestsHeader::of_api_base(Some("https://api.groq.com/openai/v1")),
        );
        assert_eq!(values(&l), (None, Some(8000.0), Some(8000.0)));
        assert_eq!(
            RequestsHeader::of_api_base(Some("https://user:pw@API.GROQ.COM:443/x")),
            RequestsHeader::PerDay
        );
        for base in [
            Some("https://api.openai.com/v1"),
            Some("https://notgroq.com"),
            Some("groq.com.evil.example"),
            None,
        ] {
            assert_eq!(
                RequestsHeader::of_api_base(base),
                RequestsHeader::PerMinute,
                "{base:?}"
            );
        }
    }

    #[test]
    fn junk_values_are_ignored_never_a_panic() {
        for junk in [
            "",
            " ",
            "abc",
            "-5",
            "0",
            "0.0",
            "NaN",
            "inf",
            "1e3",
            "+5",
            "0x10",
            "1,000",
            "500;w=60",
            "1..2",
            ".",
            "99999999999999999999999999999",
            "1e400",
            "５００",
            "\u{0}",
            "500 requests",
        ] {
            let l = parse(&[
                ("x-ratelimit-limit-requests", junk),
                ("anthropic-ratelimit-input-tokens-limit", junk),
                ("anthropic-ratelimit-output-tokens-limit", junk),
            ]);
            assert!(l.is_empty(), "{junk:?} gave {l:?}");
        }
        // Out of the plan's range: more than 1e9 requests a minute.
        assert!(parse(&[("x-ratelimit-limit-requests", "2000000000")]).is_empty());
        // Padding is not junk.
        assert_eq!(
            values(&parse(&[("x-ratelimit-limit-requests", " 60 ")])).0,
            Some(60.0)
        );
        assert_eq!(
            values(&parse(&[("x-ratelimit-limit-requests", "2.5")])).0,
            Some(2.5)
        );
    }

    #[test]
    fn a_header_repeated_with_another_value_is_ignored() {
        let l = parse(&[
            ("x-ratelimit-limit-requests", "500"),
            ("X-RateLimit-Limit-Requests", "600"),
            ("x-ratelimit-limit-tokens", "100"),
            ("x-ratelimit-limit-tokens", "100"),
        ]);
        assert_eq!(values(&l), (None, Some(100.0), Some(100.0)));
    }

    #[test]
    fn unrelated_headers_give_nothing() {
        assert!(parse(&[]).is_empty());
        assert!(
            parse(&[
                ("retry-after", "3"),
                ("x-ratelimit-limit-requests-day", "14400")
            ])
            .is_empty()
        );
    }
}
