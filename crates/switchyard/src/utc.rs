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
    }
}
