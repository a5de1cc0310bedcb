//! Drawing a long probe log with as many marks as the screen can show. A
//! month of probes once a minute is 43,200 points per offering: drawn one by
//! one they make a 12 MiB SVG that the desktop app receives on every redraw,
//! and a cloud too dense to read. Above one probe per pixel column the chart
//! draws, per stretch of time, the median, the p10 to p90 band and the slowest
//! probe instead; failures merge into one mark per pixel column.

use super::time::ROUND_STEPS;
#[cfg(test)]
use super::time::{DAY, HOUR, MINUTE, SECOND};
use crate::model::stats::percentile;

/// The narrowest round stretch that cuts `span_ms` into at most `max_buckets`.
pub(super) fn bucket_width(span_ms: i64, max_buckets: usize) -> i64 {
    let max_buckets = max_buckets.max(1) as i64;
    let span_ms = span_ms.max(1);
    ROUND_STEPS
        .iter()
        .copied()
        .find(|w| span_ms / w < max_buckets)
        .unwrap_or_else(|| (span_ms / max_buckets).saturating_add(1))
}

/// The successful probes of one stretch of time, summarised.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Bucket {
    /// Which stretch: `index * width` is its start, in ms since the epoch.
    pub index: i64,
    pub first_ms: i64,
    pub last_ms: i64,
    pub count: usize,
    pub p10: f64,
    pub median: f64,
    pub p90: f64,
    pub slowest: f64,
}

impl Bucket {
    /// The middle of the stretch, where its marks are drawn.
    pub fn middle_ms(&self, width_ms: i64) -> f64 {
        (self.index as f64 + 0.5) * width_ms as f64
    }
}

/// The probes `(time, TTFT)` (sorted by time) summarised per stretch of
/// `width_ms`, skipping stretches without probes. Percentiles are nearest
/// rank, as everywhere in the reports.
pub(super) fn summarise(points: &[(i64, f64)], width_ms: i64) -> Vec<Bucket> {
    let width_ms = width_ms.max(1);
    let mut scratch = Vec::new();
    points
        .chunk_by(|a, b| a.0.div_euclid(width_ms) == b.0.div_euclid(width_ms))
        .filter_map(|stretch| {
            scratch.clear();
            scratch.extend(stretch.iter().map(|p| p.1));
            Some(Bucket {
                index: stretch.first()?.0.div_euclid(width_ms),
                first_ms: stretch.first()?.0,
                last_ms: stretch.last()?.0,
                count: stretch.len(),
                p10: percentile(&mut scratch, 0.10)?,
                median: percentile(&mut scratch, 0.50)?,
                p90: percentile(&mut scratch, 0.90)?,
                slowest: percentile(&mut scratch, 1.0)?,
            })
        })
        .collect()
}

/// Buckets split where a stretch without probes lies between them, so a
/// line never bridges an outage.
pub(super) fn contiguous(buckets: &[Bucket]) -> impl Iterator<Item = &[Bucket]> {
    buckets.chunk_by(|a, b| b.index == a.index.saturating_add(1))
}

/// Failures drawn as marks: one per pixel column, standing for every failure
/// in it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct FailureRun {
    pub first_ms: i64,
    pub last_ms: i64,
    pub count: usize,
}

/// The failure times (sorted) grouped by `column`, the pixel column the
/// chart draws each time in.
pub(super) fn failures_per_column(
    times_ms: &[i64],
    column: impl Fn(i64) -> i32,
) -> Vec<FailureRun> {
    times_ms
        .chunk_by(|a, b| column(*a) == column(*b))
        .filter_map(|run| {
            Some(FailureRun {
                first_ms: *run.first()?,
                last_ms: *run.last()?,
                count: run.len(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bucket_widths_are_round_and_bounded() {
        // A 30-day month in at most 225 stretches: 3.2 h rounds up to 6 h.
        assert_eq!(bucket_width(30 * DAY, 225), 6 * HOUR);
        assert_eq!(bucket_width(DAY, 225), 10 * MINUTE);
        assert_eq!(bucket_width(10 * MINUTE, 225), 5 * SECOND);
        assert_eq!(bucket_width(0, 225), SECOND);
        // Beyond the table: still at most `max_buckets`.
        let w = bucket_width(100 * 365 * DAY, 50);
        assert!(100 * 365 * DAY / w < 50, "{w}");
        assert!(bucket_width(i64::MAX, 0) > 0);
    }

    #[test]
    fn buckets_hold_nearest_rank_percentiles_by_hand() {
        // Stretch 0 (0..100 ms): TTFTs 1..=10 ms, shuffled. Stretch 2: one probe.
        let mut points: Vec<(i64, f64)> = [7, 3, 10, 1, 5, 9, 2, 8, 4, 6]
            .iter()
            .enumerate()
            .map(|(i, &t)| (i as i64 * 10, f64::from(t)))
            .collect();
        points.push((250, 42.0));
        let buckets = summarise(&points, 100);
        assert_eq!(
            buckets,
            [
                Bucket {
                    index: 0,
                    first_ms: 0,
                    last_ms: 90,
                    count: 10,
                    p10: 1.0,
                    median: 5.0,
                    p90: 9.0,
                    slowest: 10.0,
                },
                Bucket {
                    index: 2,
                    first_ms: 250,
                    last_ms: 250,
                    count: 1,
                    p10: 42.0,
                    median: 42.0,
                    p90: 42.0,
                    slowest: 42.0,
                },
            ]
        );
        assert_eq!(buckets[1].middle_ms(100), 250.0);
        // The empty stretch 1 splits the line.
        let runs: Vec<usize> = contiguous(&buckets).map(<[Bucket]>::len).collect();
        assert_eq!(runs, [1, 1]);
    }

    #[test]
    fn a_lone_spike_is_the_slowest_of_its_stretch() {
        let mut points: Vec<(i64, f64)> = (0..100_000)
            .map(|i| (i * MINUTE, 400.0 + (i % 7) as f64))
            .collect();
        points[61_234].1 = 9_000.0;
        let buckets = summarise(&points, 6 * HOUR);
        assert_eq!(
            buckets.len(),
            278 // 100,000 minutes in 6-hour (360-minute) stretches
        );
        assert_eq!(buckets.iter().map(|b| b.count).sum::<usize>(), 100_000);
        let spike = buckets
            .iter()
            .find(|b| b.slowest == 9_000.0)
            .expect("the spike's stretch");
        assert!(spike.first_ms <= 61_234 * MINUTE && 61_234 * MINUTE <= spike.last_ms);
        assert!(spike.p90 < 410.0, "one probe in 360 does not move p90");
        assert_eq!(contiguous(&buckets).count(), 1);
    }

    #[test]
    fn negative_times_fall_in_their_own_stretch() {
        let buckets = summarise(&[(-1, 1.0), (0, 2.0)], 10);
        assert_eq!(buckets.iter().map(|b| b.index).collect::<Vec<_>>(), [-1, 0]);
        assert_eq!(contiguous(&buckets).count(), 1);
        let extremes = summarise(&[(i64::MIN, 1.0), (i64::MAX, 2.0)], 7);
        assert_eq!(extremes.len(), 2);
    }

    #[test]
    fn failures_are_counted_per_column() {
        let times = [0, 1, 2, 30, 99, 100];
        // Four columns over 0..=100.
        let column = |t: i64| (t / 25).min(3) as i32;
        assert_eq!(
            failures_per_column(&times, column),
            [
                FailureRun {
                    first_ms: 0,
                    last_ms: 2,
                    count: 3
                },
                FailureRun {
                    first_ms: 30,
                    last_ms: 30,
                    count: 1
                },
                FailureRun {
                    first_ms: 99,
                    last_ms: 100,
                    count: 2
                },
            ]
        );
        assert!(failures_per_column(&[], column).is_empty());
        for column in [|_: i64| 0, |t: i64| t.signum() as i32] {
            let runs = failures_per_column(&[i64::MIN, 0, i64::MAX], column);
            assert_eq!(runs.iter().map(|r| r.count).sum::<usize>(), 3);
        }
    }
}
