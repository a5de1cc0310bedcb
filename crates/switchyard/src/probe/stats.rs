//! Statistics of probe results per offering, and the fit that turns them into the
//! model's *observed* parameters.

use std::collections::BTreeMap;

use serde::Serialize;

use super::outcome::{ErrorClass, ProbeKind, ProbeResult};
use crate::model::stats::{percentile, wilson95};

/// Fewer successful probes than this and TTFT and speed are not fitted.
pub const MIN_LATENCY_SAMPLES: u64 = 20;
/// Fewer probes than this and the error rate is not fitted.
pub const MIN_ERROR_SAMPLES: u64 = 30;

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProbeStats {
    pub offering: String,
    pub probes: u64,
    pub successes: u64,
    pub success_ratio: f64,
    pub success_ci95: [f64; 2],
    pub ttft_ms: Percentiles,
    pub tokens_per_s_p50: Option<f64>,
    /// Failures by class, only classes that occurred.
    pub errors: BTreeMap<ErrorClass, u64>,
    pub spent_usd: f64,
    pub first_at_ms: Option<i64>,
    pub last_at_ms: Option<i64>,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Percentiles {
    pub p50: Option<f64>,
    pub p95: Option<f64>,
    pub p99: Option<f64>,
}

/// The model parameters the probes support, each `None` without enough samples.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ObservedFit {
    pub samples: u64,
    pub error_rate: Option<f64>,
    pub ttft_p50_ms: Option<f64>,
    pub ttft_p95_ms: Option<f64>,
    pub tokens_per_s: Option<f64>,
}

/// Stats of one offering's streaming probes (reachability probes have no TTFT
/// and are left out).
pub fn stats(offering: &str, results: &[ProbeResult]) -> ProbeStats {
    let results: Vec<&ProbeResult> = results
        .iter()
        .filter(|r| r.kind == ProbeKind::Stream && r.offering == offering)
        .collect();
    let probes = results.len() as u64;
    let successes = results.iter().filter(|r| r.ok).count() as u64;
    let mut ttft: Vec<f64> = results
        .iter()
        .filter(|r| r.ok)
        .filter_map(|r| r.ttft_ms)
        .collect();
    let mut speed: Vec<f64> = results.iter().filter_map(|r| r.tokens_per_s).collect();
    let mut errors = BTreeMap::new();
    for class in results.iter().filter_map(|r| r.error) {
        *errors.entry(class).or_insert(0) += 1;
    }
    ProbeStats {
        offering: offering.to_owned(),
        probes,
        successes,
        success_ratio: if probes == 0 {
            0.0
        } else {
            successes as f64 / probes as f64
        },
        success_ci95: wilson95(successes, probes),
        ttft_ms: Percentiles {
            p50: percentile(&mut ttft, 0.50),
            p95: percentile(&mut ttft, 0.95),
            p99: percentile(&mut ttft, 0.99),
        },
        tokens_per_s_p50: percentile(&mut speed, 0.50),
        errors,
        spent_usd: results.iter().map(|r| r.cost_usd).sum(),
        first_at_ms: results.iter().map(|r| r.started_at_ms).min(),
        last_at_ms: results.iter().map(|r| r.started_at_ms).max(),
    }
}

/// The model's observed parameters from the stats.
///
/// `error_rate` counts every failure that is not a timeout: a probe's timeout is
/// its own deadline, not the plan's, so timeouts are left to the latency figures.
/// TTFT p50/p95 are the empirical percentiles the model's log-normal goes through.
pub fn fit(stats: &ProbeStats) -> ObservedFit {
    let timeouts = stats.errors.get(&ErrorClass::Timeout).copied().unwrap_or(0);
    let counted = stats.probes - timeouts;
    let errors = counted - stats.successes;
    let latency = stats.successes >= MIN_LATENCY_SAMPLES;
    let p50 = stats.ttft_ms.p50.filter(|_| latency);
    ObservedFit {
        samples: stats.probes,
        error_rate: (counted >= MIN_ERROR_SAMPLES).then(|| errors as f64 / counted as f64),
        ttft_p50_ms: p50,
        ttft_p95_ms: stats
            .ttft_ms
            .p95
            .filter(|_| latency)
            .map(|p95| p95.max(p50.unwrap_or(p95))),
        tokens_per_s: stats.tokens_per_s_p50.filter(|_| latency),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::probe::outcome::RateLimits;

    fn result(ok: bool, ttft: f64, error: Option<ErrorClass>) -> ProbeResult {
        ProbeResult {
            offering: "o".into(),
            kind: ProbeKind::Stream,
            started_at_ms: 1000,
            ok,
            status: Some(if ok { 200 } else { 503 }),
            error,
            error_detail: None,
            ttft_ms: ok.then_some(ttft),
            total_ms: ttft + 100.0,
            input_tokens: Some(10),
            output_tokens: Some(16),
            tokens_per_s: ok.then_some(150.0),
            rate_limits: RateLimits::default(),
            cost_usd: 0.001,
            request_id: None,
        }
    }

    #[test]
    fn stats_and_fit_by_hand() {
        let mut results: Vec<ProbeResult> = (1..=90)
            .map(|i| result(true, f64::from(i) * 10.0, None))
            .collect();
        results.extend((0..8).map(|_| result(false, 0.0, Some(ErrorClass::Server))));
        results.extend((0..2).map(|_| result(false, 0.0, Some(ErrorClass::Timeout))));
        let s = stats("o", &results);
        assert_eq!((s.probes, s.successes), (100, 90));
        assert_eq!(s.ttft_ms.p50, Some(450.0));
        assert_eq!(s.ttft_ms.p95, Some(860.0));
        assert_eq!(s.errors[&ErrorClass::Server], 8);
        let f = fit(&s);
        assert_eq!(f.error_rate, Some(8.0 / 98.0));
        assert_eq!((f.ttft_p50_ms, f.ttft_p95_ms), (Some(450.0), Some(860.0)));
        assert_eq!(f.tokens_per_s, Some(150.0));
    }

    #[test]
    fn too_few_samples_fit_nothing() {
        let results: Vec<ProbeResult> = (0..5).map(|_| result(true, 100.0, None)).collect();
        let f = fit(&stats("o", &results));
        assert_eq!(
            (f.error_rate, f.ttft_p50_ms, f.tokens_per_s),
            (None, None, None)
        );
    }
}
