//! Times in usage logs, to milliseconds since 1970-01-01T00:00Z (UTC).
//!
//! Accepted: `YYYY-MM-DD` then `T` or a space, `HH:MM[:SS[.fraction]]`, then
//! `Z`, an offset (`+HH`, `+HHMM`, `+HH:MM`) or nothing, meaning UTC. That
//! covers RFC 3339 and PostgreSQL's text output of both `timestamp(3)` (what
//! Prisma makes of a `DateTime` column: `2026-11-03 14:05:07.123`, no zone;
//! LiteLLM writes UTC there) and `timestamptz` (`2026-11-03 14:05:07.123+00`).

use crate::utc::{days_from_civil, is_iso_date};

/// Milliseconds since the epoch of `text`, `None` if it is not a time.
pub fn parse_ms(text: &str) -> Option<i64> {
    let text = text.trim();
    let date = text.get(..10)?;
    if !is_iso_date(date) {
        return None;
    }
    let rest = text.get(10..)?;
    let rest = rest
        .strip_prefix('T')
        .or_else(|| rest.strip_prefix('t'))
        .or_else(|| rest.strip_prefix(' '))?;
    let (clock, offset_s) = split_offset(rest)?;
    let (clock, fraction) = match clock.split_once('.') {
        Some((c, f)) => (c, Some(f)),
        None => (clock, None),
    };
    let b = clock.as_bytes();
    let two = |i: usize| -> Option<i64> {
        let (h, l) = (*b.get(i)?, *b.get(i + 1)?);
        (h.is_ascii_digit() && l.is_ascii_digit()).then(|| i64::from((h - b'0') * 10 + (l - b'0')))
    };
    let (hour, minute, second) = match b.len() {
        5 if b[2] == b':' => (two(0)?, two(3)?, 0),
        8 if b[2] == b':' && b[5] == b':' => (two(0)?, two(3)?, two(6)?),
        _ => return None,
    };
    if hour > 23 || minute > 59 || second > 60 || (fraction.is_some() && b.len() == 5) {
        return None;
    }
    let millis = match fraction {
        None => 0,
        Some(f) if !f.is_empty() && f.len() <= 9 && f.bytes().all(|c| c.is_ascii_digit()) => {
            let digits: String = f.chars().chain("000".chars()).take(3).collect();
            digits.parse::<i64>().ok()?
        }
        Some(_) => return None,
    };
    let n = |r: std::ops::Range<usize>| date.get(r)?.parse::<u32>().ok();
    let days = days_from_civil(i64::from(n(0..4)?), n(5..7)?, n(8..10)?);
    // A leap second (:60) is read as the next second's start.
    let seconds = days * 86_400 + hour * 3_600 + minute * 60 + second - offset_s;
    Some(seconds * 1000 + millis)
}

/// Latest bound accepted: 9999-12-31T23:59:59.999Z (PostgreSQL's
/// `timestamp` goes further, LiteLLM's rows do not).
pub const MAX_BOUND_MS: i64 = 253_402_300_799_999;

/// A `--since`/`--until` value as milliseconds since the epoch: RFC 3339
/// (`2026-11-01T00:00:00Z`, an offset, or none meaning UTC; a space for the
/// `T` too) or a date `2026-11-01`, meaning its midnight UTC.
pub fn parse_bound(text: &str) -> Result<i64, String> {
    let text = text.trim();
    let ms = if is_iso_date(text) {
        let n = |r: std::ops::Range<usize>| text.get(r).and_then(|t| t.parse::<u32>().ok());
        match (n(0..4), n(5..7), n(8..10)) {
            (Some(y), Some(m), Some(d)) => Some(days_from_civil(i64::from(y), m, d) * 86_400_000),
            _ => None,
        }
    } else {
        parse_ms(text)
    };
    match ms {
        Some(ms) if (0..=MAX_BOUND_MS).contains(&ms) => Ok(ms),
        Some(_) => Err(format!(
            "`{}` is outside 1970-01-01 to 9999-12-31",
            shorten(text)
        )),
        None => Err(format!(
            "`{}` is not a time: give RFC 3339 (2026-11-01T00:00:00Z) or a date (2026-11-01, midnight UTC)",
            shorten(text)
        )),
    }
}

fn shorten(text: &str) -> String {
    let mut out: String = text.chars().take(40).collect();
    if text.chars().count() > 40 {
        out.push('…');
    }
    out
}

/// The clock and its offset from UTC in seconds.
fn split_offset(rest: &str) -> Option<(&str, i64)> {
    if let Some(clock) = rest.strip_suffix(['Z', 'z']) {
        return Some((clock, 0));
    }
    let Some(at) = rest.rfind(['+', '-']) else {
        return Some((rest, 0));
    };
    let (clock, offset) = (&rest[..at], &rest[at + 1..]);
    let digits: String = offset.chars().filter(|c| *c != ':').collect();
    let shaped = match offset.len() {
        2 | 4 => !offset.contains(':'),
        5 => offset.as_bytes().get(2) == Some(&b':'),
        _ => false,
    };
    if !shaped || !digits.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let hours: i64 = digits.get(..2)?.parse().ok()?;
    let minutes: i64 = digits
        .get(2..)
        .filter(|m| !m.is_empty())
        .map_or(Some(0), |m| m.parse().ok())?;
    if hours > 23 || minutes > 59 {
        return None;
    }
    let seconds = hours * 3_600 + minutes * 60;
    Some((
        clock,
        if rest.as_bytes()[at] == b'-' {
            -seconds
        } else {
            seconds
        },
    ))
}

/// Milliseconds of a number of seconds since the epoch (JSON logs, OpenAI's
/// `start_time`), `None` when not finite or before 1970 or after 9999.
pub fn seconds_to_ms(seconds: f64) -> Option<i64> {
    // 253402300800 is 10000-01-01T00:00Z.
    (seconds.is_finite() && (0.0..253_402_300_800.0).contains(&seconds))
        .then(|| (seconds * 1000.0).round() as i64)
}

/// An hour in milliseconds.
pub const HOUR_MS: i64 = 3_600_000;

/// The UTC hour a time falls in, as hours since the epoch.
pub fn hour_of(ms: i64) -> i64 {
    ms.div_euclid(HOUR_MS)
}

/// An hour since the epoch as `YYYY-MM-DDTHH:00:00Z`, the form the catalog
/// stores hours in (sorts as text).
pub fn hour_label(hour: i64) -> String {
    crate::utc::format_timestamp(hour.saturating_mul(3600))
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: i64 = 1_793_714_707_000; // 2026-11-03T14:05:07Z

    #[test]
    fn postgres_and_rfc3339_forms_read_as_utc() {
        for text in [
            "2026-11-03 14:05:07",
            "2026-11-03T14:05:07Z",
            "2026-11-03 14:05:07+00",
            "2026-11-03 14:05:07+00:00",
            "2026-11-03T15:05:07+01:00",
            "2026-11-03T13:05:07-0100",
            "2026-11-03 14:05:07.000",
        ] {
            assert_eq!(parse_ms(text), Some(BASE), "{text}");
        }
        assert_eq!(parse_ms("2026-11-03 14:05:07.12"), Some(BASE + 120));
        assert_eq!(parse_ms("2026-11-03 14:05:07.123456"), Some(BASE + 123));
        assert_eq!(parse_ms("2026-11-03 14:05"), Some(BASE - 7000));
    }

    #[test]
    fn other_text_is_not_a_time() {
        for text in [
            "",
            "yesterday",
            "2026-02-30 00:00:00",
            "2026-11-03",
            "2026-11-03 24:00:00",
            "2026-11-03 14:05:07.",
            "2026-11-03 14:05:07.1x",
            "2026-11-03 14:05:07+5",
            "2026-11-03 14:05:07+25:00",
            "2026-11-03 14:5:07",
            "２０２６-11-03 14:05:07",
        ] {
            assert_eq!(parse_ms(text), None, "{text}");
        }
    }

    #[test]
    fn window_bounds_are_dates_or_times() {
        assert_eq!(
            parse_bound("2026-11-03"),
            Ok(BASE - (14 * 3600 + 5 * 60 + 7) * 1000)
        );
        assert_eq!(parse_bound("2026-11-03T14:05:07Z"), Ok(BASE));
        let e = parse_bound("last week").unwrap_err();
        assert!(e.contains("`last week` is not a time"), "{e}");
        assert!(parse_bound("2026-13-01").is_err());
    }

    #[test]
    fn hours_are_utc_and_label_as_rfc3339() {
        let hour = hour_of(BASE);
        assert_eq!(hour_label(hour), "2026-11-03T14:00:00Z");
        assert_eq!(seconds_to_ms(1.5), Some(1500));
        assert_eq!(seconds_to_ms(-1.0), None);
        assert_eq!(seconds_to_ms(f64::NAN), None);
    }
}
