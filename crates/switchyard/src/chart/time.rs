//! Times on chart axes and labels: UTC dates without a date crate, and the
//! round steps (1 s, 5 min, 6 h, 7 days) that ticks and time buckets use, so
//! a chart reads the same wherever it is rendered.

use crate::utc::civil_from_days;

pub(super) const SECOND: i64 = 1000;
pub(super) const MINUTE: i64 = 60 * SECOND;
pub(super) const HOUR: i64 = 60 * MINUTE;
pub(super) const DAY: i64 = 24 * HOUR;

/// Durations a person would pick for a tick step or a stretch of time.
pub(super) const ROUND_STEPS: [i64; 24] = [
    SECOND,
    2 * SECOND,
    5 * SECOND,
    10 * SECOND,
    15 * SECOND,
    30 * SECOND,
    MINUTE,
    2 * MINUTE,
    5 * MINUTE,
    10 * MINUTE,
    15 * MINUTE,
    30 * MINUTE,
    HOUR,
    2 * HOUR,
    3 * HOUR,
    6 * HOUR,
    12 * HOUR,
    DAY,
    2 * DAY,
    7 * DAY,
    14 * DAY,
    30 * DAY,
    90 * DAY,
    365 * DAY,
];

/// "10 min", "6 h", "1 day", "7 days".
pub(super) fn width_label(width_ms: i64) -> String {
    let plural = |n: i64, unit: &str| {
        if n == 1 {
            format!("1 {unit}")
        } else {
            format!("{n} {unit}s")
        }
    };
    if width_ms % DAY == 0 {
        plural(width_ms / DAY, "day")
    } else if width_ms % HOUR == 0 {
        format!("{} h", width_ms / HOUR)
    } else if width_ms % MINUTE == 0 {
        format!("{} min", width_ms / MINUTE)
    } else if width_ms % SECOND == 0 {
        format!("{} s", width_ms / SECOND)
    } else {
        format!("{width_ms} ms")
    }
}

/// "2026-01-01 14:05" (UTC).
pub(super) fn date_time(ms: i64) -> String {
    let (y, mo, d) = civil_from_days(ms.div_euclid(DAY));
    let minutes = ms.rem_euclid(DAY) / MINUTE;
    format!(
        "{y:04}-{mo:02}-{d:02} {:02}:{:02}",
        minutes / 60,
        minutes % 60
    )
}

/// "2026-01-01 14:05:07 UTC": hover labels tell probes a few seconds apart.
pub(super) fn date_time_seconds(ms: i64) -> String {
    let seconds = ms.rem_euclid(MINUTE) / 1000;
    format!("{}:{seconds:02} UTC", date_time(ms))
}

/// A tick label at a time step: "14:05" within a day, "01-03 14:00" across
/// days, "01-03" for steps of whole days.
pub(super) fn time_tick(ms: i64, step: i64, multi_day: bool) -> String {
    let full = date_time(ms);
    if step >= DAY {
        full[5..10].to_owned()
    } else if multi_day {
        full[5..].to_owned()
    } else {
        full[11..].to_owned()
    }
}

/// Ticks at round times (every 5 minutes, every 6 hours, ...) across `[lo, hi]`.
pub(super) fn time_ticks(lo: i64, hi: i64) -> (Vec<f64>, i64) {
    let span = hi.saturating_sub(lo).max(1);
    let step = ROUND_STEPS
        .iter()
        .copied()
        .filter(|s| *s >= MINUTE)
        .find(|s| span / s <= 7)
        .unwrap_or(365 * DAY);
    let first = lo.div_euclid(step) + 1;
    let ticks = (first..)
        .map(|i| i.saturating_mul(step))
        .take_while(|t| *t <= hi)
        .take(50)
        .map(|t| t as f64)
        .collect();
    (ticks, step)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_utc_civil_dates() {
        assert_eq!(date_time(0), "1970-01-01 00:00");
        assert_eq!(
            date_time(1_767_225_600_000 + 14 * HOUR + 5 * MINUTE),
            "2026-01-01 14:05"
        );
        assert_eq!(date_time(951_782_400_000), "2000-02-29 00:00");
        assert_eq!(date_time(-MINUTE), "1969-12-31 23:59");
        assert_eq!(
            date_time_seconds(1_767_225_600_000 + 14 * HOUR + 5 * MINUTE + 7_250),
            "2026-01-01 14:05:07 UTC"
        );
        // Extremes must not panic.
        let _ = date_time(i64::MIN);
        let _ = date_time(i64::MAX);
        let _ = time_ticks(i64::MIN, i64::MAX);
    }

    #[test]
    fn widths_read_in_their_largest_whole_unit() {
        assert_eq!(width_label(6 * HOUR), "6 h");
        assert_eq!(width_label(DAY), "1 day");
        assert_eq!(width_label(7 * DAY), "7 days");
        assert_eq!(width_label(10 * MINUTE), "10 min");
        assert_eq!(width_label(5 * SECOND), "5 s");
        assert_eq!(width_label(1500), "1500 ms");
    }
}
