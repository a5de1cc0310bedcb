//! The harness's two statistical tests.
//!
//! - Does an observed count fit a predicted probability? The exact binomial
//!   acceptance region, computed from the predicted `p` and the number of
//!   trials, never from the observation, so that a wrong model cannot widen
//!   its own interval ([`Check`]).
//! - Does a figure measured over outage windows fit its prediction? Requests
//!   inside one window are not independent (one breaker state, one outage), so
//!   the unit is the window: batch means, one value per window, and the
//!   Student-t interval of their mean ([`BatchCheck`]).

use statrs::distribution::{Binomial, ContinuousCDF, DiscreteCDF, StudentsT};

/// The confidence of every interval in the report.
pub const LEVEL: f64 = 0.99;

/// The counts a Binomial(`n`, `p`) lands in with probability at least `level`,
/// with at most `(1 - level) / 2` in each tail: the largest `lo` with
/// `P(X < lo) <= alpha/2` and the smallest `hi` with `P(X > hi) <= alpha/2`.
/// This is the acceptance region of the exact two-sided binomial test.
pub fn acceptance_region(n: u64, p: f64, level: f64) -> (u64, u64) {
    assert!((0.0..=1.0).contains(&p), "p = {p} is not a probability");
    assert!(level > 0.0 && level < 1.0, "level = {level}");
    if n == 0 {
        return (0, 0);
    }
    if p == 0.0 {
        return (0, 0);
    }
    if p == 1.0 {
        return (n, n);
    }
    let tail = (1.0 - level) / 2.0;
    let dist = Binomial::new(p, n).expect("0 < p < 1");
    // P(X < k) = cdf(k - 1); it grows with k, so search for the last k where
    // it is still within the tail.
    let below = |k: u64| if k == 0 { 0.0 } else { dist.cdf(k - 1) };
    let lo = last_true(0, n, |k| below(k) <= tail);
    // P(X > k) = 1 - cdf(k), through the survival function for precision.
    let hi = first_true(0, n, |k| dist.sf(k) <= tail);
    (lo, hi)
}

/// The largest k in `lo..=hi` with `pred(k)`, for a predicate that is true up
/// to some point and false after it (`pred(lo)` must hold).
fn last_true(mut lo: u64, mut hi: u64, pred: impl Fn(u64) -> bool) -> u64 {
    debug_assert!(pred(lo));
    while lo < hi {
        let mid = lo + (hi - lo).div_ceil(2);
        if pred(mid) {
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    lo
}

/// The smallest k in `lo..=hi` with `pred(k)`, for a predicate that is false up
/// to some point and true after it (`pred(hi)` must hold).
fn first_true(mut lo: u64, mut hi: u64, pred: impl Fn(u64) -> bool) -> u64 {
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if pred(mid) {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    hi
}

/// One comparison of an observed count with a prediction.
#[derive(Debug, Clone, PartialEq)]
pub struct Check {
    pub predicted: f64,
    pub observed: u64,
    pub trials: u64,
    /// The acceptance region as proportions of `trials`.
    pub interval: (f64, f64),
    pub pass: bool,
}

impl Check {
    pub fn new(predicted: f64, observed: u64, trials: u64) -> Check {
        let (lo, hi) = acceptance_region(trials, predicted.clamp(0.0, 1.0), LEVEL);
        let as_share = |k: u64| {
            if trials == 0 {
                0.0
            } else {
                k as f64 / trials as f64
            }
        };
        Check {
            predicted,
            observed,
            trials,
            interval: (as_share(lo), as_share(hi)),
            pass: (lo..=hi).contains(&observed),
        }
    }

    pub fn observed_share(&self) -> f64 {
        if self.trials == 0 {
            0.0
        } else {
            self.observed as f64 / self.trials as f64
        }
    }
}

/// A figure measured once per outage window, against its prediction.
///
/// Method (batch means): each window gives one value; windows are far enough
/// apart for the gateway's failure state to clear between them (every
/// scenario's up-time outlasts its cooldown), so the values are taken as
/// independent. The interval is the mean ± `t(0.995, W − 1) · s / √W`, widened
/// on each side by `resolution`: the figure's own granularity (one request of
/// a window for a share, one arrival gap for a time), since a window's edge
/// falls between two arrivals and the model counts whole requests. With every
/// window giving the same value the interval is that value ± the resolution.
#[derive(Debug, Clone, PartialEq)]
pub struct BatchCheck {
    pub predicted: f64,
    pub per_window: Vec<f64>,
    pub mean: f64,
    pub interval: (f64, f64),
    pub pass: bool,
}

impl BatchCheck {
    pub fn new(predicted: f64, per_window: Vec<f64>, resolution: f64) -> BatchCheck {
        let w = per_window.len();
        let mean = per_window.iter().sum::<f64>() / w.max(1) as f64;
        let half = if w >= 2 {
            let var = per_window.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (w - 1) as f64;
            let t = StudentsT::new(0.0, 1.0, (w - 1) as f64)
                .expect("at least one degree of freedom")
                .inverse_cdf(1.0 - (1.0 - LEVEL) / 2.0);
            t * (var / w as f64).sqrt()
        } else {
            f64::INFINITY
        };
        let interval = (mean - half - resolution, mean + half + resolution);
        BatchCheck {
            predicted,
            per_window,
            mean,
            interval,
            pass: w >= 2 && predicted.is_finite() && (interval.0..=interval.1).contains(&predicted),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reference regions from exact rational arithmetic (Python `fractions`
    /// with `math.comb`, the same definition).
    #[test]
    fn regions_match_exact_arithmetic() {
        assert_eq!(acceptance_region(400, 0.5, 0.99), (174, 226));
        assert_eq!(acceptance_region(400, 0.97, 0.99), (378, 396));
        assert_eq!(acceptance_region(10, 0.5, 0.99), (1, 9));
        assert_eq!(acceptance_region(400, 0.995, 0.99), (394, 400));
        assert_eq!(acceptance_region(1, 0.5, 0.99), (0, 1));
        assert_eq!(acceptance_region(400, 0.02, 0.99), (2, 16));
    }

    #[test]
    fn certain_outcomes_allow_no_deviation() {
        assert_eq!(acceptance_region(400, 0.0, 0.99), (0, 0));
        assert_eq!(acceptance_region(400, 1.0, 0.99), (400, 400));
        assert_eq!(acceptance_region(0, 0.3, 0.99), (0, 0));
    }

    #[test]
    fn each_tail_holds_at_most_half_a_percent() {
        for &(n, p) in &[(400_u64, 0.73), (1000, 0.031), (57, 0.9)] {
            let (lo, hi) = acceptance_region(n, p, 0.99);
            let d = Binomial::new(p, n).unwrap();
            let below = if lo == 0 { 0.0 } else { d.cdf(lo - 1) };
            assert!(below <= 0.005, "{n} {p}: {below}");
            assert!(d.sf(hi) <= 0.005, "{n} {p}");
            // Tight: one step further in would put too much in the tail.
            assert!(d.cdf(lo) > 0.005, "{n} {p}");
            assert!(hi == 0 || d.sf(hi - 1) > 0.005, "{n} {p}");
        }
    }

    /// By hand: values 10, 12, 14: mean 12, s = 2, t(0.995, 2) = 9.9248,
    /// half-width 9.9248 × 2 / √3 = 11.460; with a resolution of 1 the
    /// interval is [−0.460, 24.460].
    #[test]
    fn batch_means_use_the_t_interval_of_the_window_values() {
        let c = BatchCheck::new(24.0, vec![10.0, 12.0, 14.0], 1.0);
        assert!((c.mean - 12.0).abs() < 1e-12);
        assert!((c.interval.1 - 24.460).abs() < 1e-3, "{:?}", c.interval);
        assert!((c.interval.0 + 0.460).abs() < 1e-3, "{:?}", c.interval);
        assert!(c.pass);
        assert!(!BatchCheck::new(25.0, vec![10.0, 12.0, 14.0], 1.0).pass);
        // Identical windows: the prediction must be within the resolution.
        assert!(BatchCheck::new(16.5, vec![16.0; 4], 1.0).pass);
        assert!(!BatchCheck::new(17.5, vec![16.0; 4], 1.0).pass);
        // One window says nothing about the spread: never a pass.
        assert!(!BatchCheck::new(16.0, vec![16.0], 1.0).pass);
    }

    #[test]
    fn a_check_passes_inside_and_fails_outside() {
        assert!(Check::new(0.5, 200, 400).pass);
        assert!(Check::new(0.5, 174, 400).pass);
        assert!(!Check::new(0.5, 173, 400).pass);
        assert!(!Check::new(0.5, 227, 400).pass);
        let c = Check::new(0.97, 390, 400);
        assert_eq!(c.interval, (378.0 / 400.0, 396.0 / 400.0));
        assert!((c.observed_share() - 0.975).abs() < 1e-12);
    }
}
