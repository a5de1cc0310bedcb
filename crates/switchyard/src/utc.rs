//! UTC calendar dates from day counts. Charts label times in UTC so they read
//! the same wherever they are drawn; this is the one calendar conversion they
//! (and the fake providers of the tests, for RFC 3339 headers) need, so it is
//! not worth a date crate.

/// Year, month (1–12) and day (1–31) of `days` since 1970-01-01, in the
/// proleptic Gregorian calendar (Howard Hinnant's `civil_from_days`). Total
/// over `i64`: extreme inputs give far-off years, never a panic.
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days.saturating_add(719_468);
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe.saturating_add(era.saturating_mul(400));
    (year.saturating_add(i64::from(month <= 2)), month, day)
}

/// `ms` milliseconds since 1970-01-01T00:00Z as RFC 3339 with milliseconds,
/// `2026-12-05T10:11:12.123Z`: the form the catalog writes every timestamp in
/// (SQLite's `strftime('%Y-%m-%dT%H:%M:%fZ')`).
pub fn rfc3339_millis(ms: i64) -> String {
    let (days, ms_of_day) = (ms.div_euclid(86_400_000), ms.rem_euclid(86_400_000));
    let (year, month, day) = civil_from_days(days);
    let (hour, minute) = (ms_of_day / 3_600_000, ms_of_day / 60_000 % 60);
    let (second, milli) = (ms_of_day / 1000 % 60, ms_of_day % 1000);
    format!("{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}.{milli:03}Z")
}

/// Now, as [`rfc3339_millis`].
pub fn now_rfc3339_millis() -> String {
    let ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
    rfc3339_millis(ms)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (the inverse of
/// [`civil_from_days`]; Howard Hinnant's `days_from_civil`).
pub fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = i64::from((month + 9) % 12);
    let doy = (153 * mp + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// `seconds` since 1970-01-01T00:00Z as RFC 3339 in UTC, to the second:
/// `2026-12-03T18:05:09Z`.
pub fn format_timestamp(seconds: i64) -> String {
    let (year, month, day) = civil_from_days(seconds.div_euclid(86_400));
    let s = seconds.rem_euclid(86_400);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        s / 3600,
        s / 60 % 60,
        s % 60
    )
}

/// The system clock now, as [`format_timestamp`] writes it (the Unix epoch
/// if the clock is set before it).
pub fn now() -> String {
    let seconds = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
    format_timestamp(seconds)
}

/// Seconds since 1970-01-01T00:00Z of an RFC 3339 time:
/// `YYYY-MM-DDTHH:MM[:SS[.fraction]]` then `Z`, an offset `±HH:MM`, or nothing
/// (UTC), a space allowed for the `T`. The fraction is dropped. `None` for
/// anything else.
pub fn parse_timestamp(text: &str) -> Option<i64> {
    let text = text.trim();
    let (date, rest) = (text.get(..10)?, text.get(10..)?);
    if !is_iso_date(date) {
        return None;
    }
    let rest = rest.strip_prefix(['T', ' '])?;
    let (time, offset) = split_offset(rest)?;
    let time = time
        .split_once('.')
        .map_or(Some(time), |(whole, fraction)| {
            (!fraction.is_empty() && fraction.bytes().all(|b| b.is_ascii_digit())).then_some(whole)
        })?;
    let parts: Vec<&str> = time.split(':').collect();
    if !(2..=3).contains(&parts.len()) {
        return None;
    }
    let (hour, minute) = (two_digits(parts[0])?, two_digits(parts[1])?);
    let second = parts.get(2).map_or(Some(0), |p| two_digits(p))?;
    if hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    let n = |range: std::ops::Range<usize>| date[range].parse::<u32>().ok();
    let days = days_from_civil(i64::from(n(0..4)?), n(5..7)?, n(8..10)?);
    Some(days * 86_400 + hour * 3_600 + minute * 60 + second - offset)
}

/// The time of day and the offset from UTC in seconds of `rest`.
fn split_offset(rest: &str) -> Option<(&str, i64)> {
    if let Some(time) = rest.strip_suffix('Z') {
        return Some((time, 0));
    }
    let Some(sign_at) = rest.len().checked_sub(6) else {
        return Some((rest, 0));
    };
    match rest.as_bytes().get(sign_at) {
        Some(&sign @ (b'+' | b'-')) if rest.as_bytes().get(sign_at + 3) == Some(&b':') => {
            let (hours, minutes) = (
                two_digits(&rest[sign_at + 1..sign_at + 3])?,
                two_digits(&rest[sign_at + 4..])?,
            );
            if hours > 23 || minutes > 59 {
                return None;
            }
            let seconds = hours * 3_600 + minutes * 60;
            Some((
                &rest[..sign_at],
                if sign == b'-' { -seconds } else { seconds },
            ))
        }
        _ => Some((rest, 0)),
    }
}

/// Two ASCII digits as a number.
fn two_digits(text: &str) -> Option<i64> {
    (text.len() == 2 && text.bytes().all(|b| b.is_ascii_digit())).then(|| text.parse().ok())?
}

/// Whether `s` is a real calendar date written `YYYY-MM-DD`: the month 1–12
/// and the day within that month, 29 February only in leap years.
pub fn is_iso_date(s: &str) -> bool {
    let b = s.as_bytes();
    let shaped = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    if !shaped {
        return false;
    }
    let number = |range: std::ops::Range<usize>| s[range].parse::<u32>().unwrap_or(0);
    let (year, month, day) = (number(0..4), number(5..7), number(8..10));
    (1..=12).contains(&month) && (1..=days_in_month(year, month)).contains(&day)
}

/// Days in `month` (1–12) of `year`, in the Gregorian calendar.
pub fn days_in_month(year: u32, month: u32) -> u32 {
    let leap = year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400));
    match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_are_written_as_they_are_parsed() {
        for text in [
            "1970-01-01T00:00:00Z",
            "2026-12-03T18:05:09Z",
            "2000-02-29T23:59:59Z",
        ] {
            let seconds = parse_timestamp(text).expect("parses");
            assert_eq!(format_timestamp(seconds), text);
        }
        assert_eq!(format_timestamp(-1), "1969-12-31T23:59:59Z");
    }

    #[test]
    fn calendar_dates_only() {
        for good in ["2026-01-31", "2024-02-29", "2000-02-29", "2026-12-01"] {
            assert!(is_iso_date(good), "{good}");
        }
        for bad in [
            "2026-13-45",
            "2026-02-30",
            "2026-02-29",
            "1900-02-29",
            "2026-04-31",
            "2026-00-10",
            "2026-01-00",
            "2026-1-01",
            "2026/01/01",
            "20260101xx",
        ] {
            assert!(!is_iso_date(bad), "{bad}");
        }
    }

    #[test]
    fn known_days_by_python_datetime() {
        // (date - date(1970, 1, 1)).days
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(19_782), (2024, 2, 29));
        assert_eq!(civil_from_days(11_017), (2000, 3, 1));
        assert_eq!(civil_from_days(-1), (1969, 12, 31));
        assert_eq!(civil_from_days(-135_081), (1600, 2, 29));
        let _ = civil_from_days(i64::MIN);
        let _ = civil_from_days(i64::MAX);
        for days in [0, 19_782, 11_017, -1, -135_081, 20_000, 730_000] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
    }

    #[test]
    fn timestamps_read_back() {
        // datetime(2024, 2, 29, 13, 45, 7, 541000, tzinfo=timezone.utc)
        assert_eq!(
            rfc3339_millis(1_709_214_307_541),
            "2024-02-29T13:45:07.541Z"
        );
        assert_eq!(rfc3339_millis(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(rfc3339_millis(-1), "1969-12-31T23:59:59.999Z");
        let now = now_rfc3339_millis();
        assert!(
            parse_timestamp(&now).is_some_and(|s| s > 1_700_000_000),
            "{now}"
        );
    }

    #[test]
    fn rfc_3339_times() {
        // datetime(2024, 2, 29, 13, 45, 7, tzinfo=timezone.utc).timestamp()
        for text in [
            "2024-02-29T13:45:07Z",
            "2024-02-29 13:45:07+00:00",
            "2024-02-29T13:45:07",
            "2024-02-29T13:45:07.541Z",
            "2024-02-29T15:45:07+02:00",
            "2024-02-29T06:15:07.5-07:30",
        ] {
            assert_eq!(parse_timestamp(text), Some(1_709_214_307), "{text}");
        }
        assert_eq!(parse_timestamp("2024-02-29T13:45Z"), Some(1_709_214_300));
        for bad in [
            "2024-02-30T00:00Z",
            "2024-02-29T24:00Z",
            "2024-02-29T13:60Z",
            "2024-02-29T13:45:07+25:00",
            "2024-02-29T13:45:07.Z",
            "2024-02-29T13:45:07.5x",
            "2024-02-29",
            "2024-02-29T1:45Z",
            "2024-02-29T+1:45Z",
            "yesterday",
            "",
        ] {
            assert_eq!(parse_timestamp(bad), None, "{bad}");
        }
    }
}
