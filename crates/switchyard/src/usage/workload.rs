//! A plan's workload from stored usage (`switchyard usage workload`): the
//! numbers a `[workload]` is made of, measured from the hourly counts and
//! histograms an import keeps (docs/USAGE.md, "A workload from a log").
//!
//! - the window: the asked one within the time the stored logs cover
//!   ([`window`]);
//! - volume: the window's requests over its length, per month of
//!   [`MONTH_DAYS`] days;
//! - mean input and output tokens: token sums over requests;
//! - cached share: cached over input tokens, of the requests whose log says
//!   (LiteLLM's prompt tokens include the cached ones);
//! - `hourly_shape`: each UTC hour's requests over the times that hour
//!   occurs in the window, so a window that starts at 14:00 does not
//!   undercount the morning;
//! - growth: [`super::growth`], on the whole days of the window;
//! - token histograms: the stored bins with their exact means.

use serde::Serialize;

use super::aggregate::Histogram;
use super::bins;
use super::growth::{self, Growth, NoGrowth};
use crate::model::outage_process::MONTH_DAYS;

use super::time::HOUR_MS;
const DAY_MS: i64 = 24 * HOUR_MS;

/// All models' traffic in one UTC hour.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct HourTotals {
    /// Hours since the epoch.
    pub hour: i64,
    pub requests: u64,
    pub input_tokens: u64,
    pub output_tokens: u64,
    pub cached_tokens: u64,
    /// Requests whose cached tokens the log gives.
    pub cached_known: u64,
}

/// One non-empty histogram bin.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Bin {
    /// The bin's range, `lo <= x < hi`; `hi` is `None` for the open last bin.
    pub lo: u64,
    pub hi: Option<u64>,
    pub requests: u64,
    /// The exact mean of the values in the bin.
    pub mean: f64,
}

/// A histogram's non-empty bins.
pub fn bins_of(h: &Histogram) -> Vec<Bin> {
    h.bins()
        .map(|(b, n, sum)| {
            let (lo, hi) = bins::range(b);
            Bin {
                lo,
                hi,
                requests: n,
                mean: sum as f64 / n as f64,
            }
        })
        .collect()
}

/// The per-request token histograms, as bins.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TokenHistograms {
    pub input_tokens: Vec<Bin>,
    pub output_tokens: Vec<Bin>,
    pub cached_tokens: Vec<Bin>,
}

/// What a window of stored usage says of the workload.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MeasuredWorkload {
    /// The window measured ([`window`]), RFC 3339.
    pub start: String,
    pub end: String,
    /// Its length in days.
    pub days: f64,
    pub requests: u64,
    pub requests_per_month: f64,
    pub input_tokens: f64,
    pub output_tokens: f64,
    /// `None` when no request's log gives its cached tokens.
    pub cached_input_share: Option<f64>,
    /// Each UTC hour's mean requests over the mean hour: 24 weights whose
    /// mean is 1.
    pub hourly_shape: [f64; 24],
    /// Requests per whole UTC day in the window, in order.
    pub daily_requests: Vec<u64>,
    pub growth: GrowthFit,
    pub histograms: TokenHistograms,
}

/// A growth fit or why there is none: in JSON, the fit's fields or
/// `{"reason": …}`.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum GrowthFit {
    Fitted(Growth),
    Unfitted(NoGrowth),
}

impl GrowthFit {
    pub fn as_result(&self) -> Result<&Growth, &NoGrowth> {
        match self {
            GrowthFit::Fitted(g) => Ok(g),
            GrowthFit::Unfitted(e) => Err(e),
        }
    }
}

impl From<Result<Growth, NoGrowth>> for GrowthFit {
    fn from(fit: Result<Growth, NoGrowth>) -> Self {
        fit.map_or_else(GrowthFit::Unfitted, GrowthFit::Fitted)
    }
}

/// Why a window holds no workload.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct NoTraffic(pub String);

/// The window measured, `[start, end)` in ms: the asked one (either bound
/// open) within `coverage`, the time the stored logs cover, so that a
/// window reaching past the logs does not dilute the volume with hours no
/// log has seen. `None` when they do not overlap.
pub fn window(coverage: (i64, i64), since: Option<i64>, until: Option<i64>) -> Option<(i64, i64)> {
    let start = since.map_or(coverage.0, |s| s.max(coverage.0));
    let end = until.map_or(coverage.1, |u| u.min(coverage.1));
    (start < end).then_some((start, end))
}

/// The workload of `hours` (sorted by hour, each inside the window) in the
/// window `[start, end)` ms, with the histograms of the imports that cover
/// it.
pub fn measure(
    hours: &[HourTotals],
    (start, end): (i64, i64),
    histograms: TokenHistograms,
) -> Result<MeasuredWorkload, NoTraffic> {
    let sum = |f: fn(&HourTotals) -> u64| hours.iter().map(f).fold(0u64, u64::saturating_add);
    let requests = sum(|h| h.requests);
    if requests == 0 || end <= start {
        return Err(NoTraffic(
            "no stored requests in the window: import a log first (switchyard usage import), or widen --since/--until"
                .to_owned(),
        ));
    }
    let days = (end - start) as f64 / DAY_MS as f64;
    let per_request = |tokens: u64| tokens as f64 / requests as f64;
    let cached_known = sum(|h| h.cached_known);
    // The input tokens of the requests whose cached tokens are known, taken
    // as their share of all input (the hours do not split them further).
    let cached_input_share = (cached_known > 0).then(|| {
        let known_input = sum(|h| h.input_tokens) as f64 * cached_known as f64 / requests as f64;
        if known_input > 0.0 {
            (sum(|h| h.cached_tokens) as f64 / known_input).min(1.0)
        } else {
            0.0
        }
    });
    let daily_requests = whole_days(hours, start, end);
    Ok(MeasuredWorkload {
        start: crate::utc::rfc3339_millis(start),
        end: crate::utc::rfc3339_millis(end),
        days,
        requests,
        requests_per_month: requests as f64 / days * MONTH_DAYS,
        input_tokens: per_request(sum(|h| h.input_tokens)),
        output_tokens: per_request(sum(|h| h.output_tokens)),
        cached_input_share,
        hourly_shape: hourly_shape(hours, start, end),
        growth: growth::fit(&daily_requests).into(),
        daily_requests,
        histograms,
    })
}

/// Each hour of the day's requests per occurrence of that hour in
/// `[start, end)`, over their mean.
fn hourly_shape(hours: &[HourTotals], start: i64, end: i64) -> [f64; 24] {
    let mut requests = [0f64; 24];
    let mut occurrences = [0f64; 24];
    for h in hours {
        requests[h.hour.rem_euclid(24) as usize] += h.requests as f64;
    }
    let mut hour = start.div_euclid(HOUR_MS);
    while hour * HOUR_MS < end {
        occurrences[hour.rem_euclid(24) as usize] += 1.0;
        hour += 1;
    }
    let mut rate = [0f64; 24];
    for i in 0..24 {
        if occurrences[i] > 0.0 {
            rate[i] = requests[i] / occurrences[i];
        }
    }
    let mean = rate.iter().sum::<f64>() / 24.0;
    rate.map(|r| if mean > 0.0 { r / mean } else { 1.0 })
}

/// Requests per UTC day wholly inside `[start, end)`.
fn whole_days(hours: &[HourTotals], start: i64, end: i64) -> Vec<u64> {
    let first_day = (start + DAY_MS - 1).div_euclid(DAY_MS);
    let end_day = end.div_euclid(DAY_MS);
    let Ok(len) = usize::try_from(end_day - first_day) else {
        return Vec::new();
    };
    let mut daily = vec![0u64; len];
    for h in hours {
        let day = (h.hour * HOUR_MS).div_euclid(DAY_MS) - first_day;
        if let Some(n) = usize::try_from(day).ok().and_then(|d| daily.get_mut(d)) {
            *n = n.saturating_add(h.requests);
        }
    }
    daily
}

#[cfg(test)]
mod tests {
    use super::*;

    fn empty() -> TokenHistograms {
        TokenHistograms {
            input_tokens: Vec::new(),
            output_tokens: Vec::new(),
            cached_tokens: Vec::new(),
        }
    }

    fn hour(hour: i64, requests: u64) -> HourTotals {
        HourTotals {
            hour,
            requests,
            input_tokens: requests * 1000,
            output_tokens: requests * 200,
            cached_tokens: requests * 250,
            cached_known: requests,
        }
    }

    #[test]
    fn two_days_by_hand() {
        // Day 0 and day 1 (hours 0..48 since the epoch): 10 requests an
        // hour, 30 in hour 12 of each day.
        let hours: Vec<_> = (0..48)
            .map(|h| hour(h, if h % 24 == 12 { 30 } else { 10 }))
            .collect();
        let w = measure(&hours, (0, 48 * HOUR_MS), empty()).unwrap();
        assert_eq!(w.requests, 2 * (23 * 10 + 30));
        assert_eq!(w.days, 2.0);
        // 520 requests in 2 days is 7,800 per 30-day month.
        assert_eq!(w.requests_per_month, 7_800.0);
        assert_eq!((w.input_tokens, w.output_tokens), (1000.0, 200.0));
        assert_eq!(w.cached_input_share, Some(0.25));
        // Mean hour 260/24; hour 12 has 30, the rest 10.
        let mean = 260.0 / 24.0;
        assert!((w.hourly_shape[12] - 30.0 / mean).abs() < 1e-12);
        assert!((w.hourly_shape[0] - 10.0 / mean).abs() < 1e-12);
        assert!((w.hourly_shape.iter().sum::<f64>() - 24.0).abs() < 1e-12);
        assert_eq!(w.daily_requests, vec![260, 260]);
        assert!(w.growth.as_result().is_err());
        assert_eq!(w.start, "1970-01-01T00:00:00.000Z");
        assert_eq!(w.end, "1970-01-03T00:00:00.000Z");
    }

    #[test]
    fn a_window_that_starts_mid_day_keeps_the_shape_and_drops_the_part_day() {
        // Flat 10 an hour from hour 14 of day 0 to the end of day 2.
        let hours: Vec<_> = (14..72).map(|h| hour(h, 10)).collect();
        let w = measure(&hours, (14 * HOUR_MS, 72 * HOUR_MS), empty()).unwrap();
        for weight in w.hourly_shape {
            assert!((weight - 1.0).abs() < 1e-12, "{:?}", w.hourly_shape);
        }
        assert_eq!(w.daily_requests, vec![240, 240]);
        assert!((w.days - 58.0 / 24.0).abs() < 1e-12);
    }

    #[test]
    fn the_window_is_the_asked_one_within_what_the_logs_cover() {
        let covered = (24 * HOUR_MS, 48 * HOUR_MS);
        assert_eq!(window(covered, None, None), Some(covered));
        assert_eq!(
            window(covered, Some(0), Some(36 * HOUR_MS)),
            Some((24 * HOUR_MS, 36 * HOUR_MS))
        );
        assert_eq!(window(covered, Some(48 * HOUR_MS), None), None);
        // Hours without requests inside the window count as quiet hours.
        let hours: Vec<_> = (24..30).map(|h| hour(h, 10)).collect();
        let w = measure(&hours, (24 * HOUR_MS, 36 * HOUR_MS), empty()).unwrap();
        assert_eq!(w.days, 0.5);
        assert_eq!(w.requests_per_month, 60.0 / 0.5 * 30.0);
    }

    #[test]
    fn unknown_cached_tokens_are_not_zero() {
        let mut h = hour(0, 10);
        h.cached_known = 0;
        h.cached_tokens = 0;
        let w = measure(&[h], (0, HOUR_MS), empty()).unwrap();
        assert_eq!(w.cached_input_share, None);
        // Half the requests known: their 5 × 1000 input tokens hold 2,500 cached.
        let mut h = hour(0, 10);
        h.cached_known = 5;
        h.cached_tokens = 2_500;
        let w = measure(&[h], (0, HOUR_MS), empty()).unwrap();
        assert_eq!(w.cached_input_share, Some(0.5));
    }

    #[test]
    fn nothing_stored_is_an_error_that_says_what_to_do() {
        let e = measure(&[], (0, HOUR_MS), empty()).unwrap_err();
        assert!(e.0.contains("switchyard usage import"), "{e}");
    }

    #[test]
    fn bins_carry_their_exact_means() {
        let mut h = Histogram::default();
        for x in [250_000, 300_000, 100] {
            h.add(x);
        }
        let bins = bins_of(&h);
        assert_eq!(bins.len(), 2);
        assert_eq!(
            (bins[0].lo, bins[0].hi, bins[0].requests),
            (100, Some(200), 1)
        );
        assert_eq!(bins[1].lo, 200_000);
        assert_eq!(bins[1].mean, 275_000.0);
    }
}
