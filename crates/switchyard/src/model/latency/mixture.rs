//! The latency of successful requests as a finite mixture, its CDF and its
//! percentiles (`MODEL.md` §3.10).
//!
//! Each term is a shifted log-normal truncated at its cap, so the CDF is a
//! weighted sum of log-normal CDFs, exact up to the rounding of `erfc`. A
//! percentile is the root of `CDF(t) = q`, found by Newton steps on the
//! mixture's density, kept inside a bracket that every step shrinks and
//! falling back to bisection when a step would leave it (a mixture's density
//! may be flat between its modes, or a deterministic TTFT make it a step).

use std::f64::consts::PI;

use statrs::distribution::{ContinuousCDF, Normal};

use super::walk::Term;
use crate::model::attempt::std_normal_cdf;

/// The tolerance of every percentile: the value returned, `t`, is the
/// smallest time with CDF at least `q` to within `t × REL_TOL`.
pub const REL_TOL: f64 = 1e-9;

/// Root-finding steps before giving up on the tolerance. Bisection alone
/// halves the bracket each step, and a bracket is at most a day wide over a
/// microsecond: about 60 steps. Never reached in the tests.
const MAX_STEPS: usize = 200;

/// The latency of successful requests: the mixture of its terms.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct LatencyMixture {
    /// Sorted by offset, so a CDF stops at the first term that starts later.
    terms: Vec<Term>,
    /// The successes: the sum of the terms' masses.
    total: f64,
}

impl LatencyMixture {
    /// The mixture of `terms` (in any order, weights in any unit).
    pub fn new(mut terms: Vec<Term>) -> Self {
        terms.retain(|t| t.mass > 0.0);
        terms.sort_by(|a, b| a.offset_ms.total_cmp(&b.offset_ms));
        let total = terms.iter().map(|t| t.mass).sum();
        Self { terms, total }
    }

    pub fn terms(&self) -> &[Term] {
        &self.terms
    }

    /// The probability of a success, in the terms' unit.
    pub fn total(&self) -> f64 {
        self.total
    }

    /// Successes at or below `t_ms`, in the terms' unit, and their density
    /// there (the density leaves out deterministic terms, whose CDF is a
    /// step).
    fn mass_and_density(&self, t_ms: f64) -> (f64, f64) {
        let mut mass = 0.0;
        let mut density = 0.0;
        for term in &self.terms {
            let x = t_ms - term.offset_ms;
            if x <= 0.0 {
                break;
            }
            if x >= term.cap_ms {
                mass += term.mass;
                continue;
            }
            let ttft = &term.ttft;
            if ttft.sigma == 0.0 {
                // The simulation's TTFT is the median itself: compare with it
                // rather than through logarithms, which blur the step's edge
                // by an ulp.
                if x >= ttft.median_ms {
                    mass += term.weight;
                }
                continue;
            }
            let z = (x.ln() - ttft.mu) / ttft.sigma;
            mass += term.weight * std_normal_cdf(z);
            density += term.weight * (-0.5 * z * z).exp() / (x * ttft.sigma * (2.0 * PI).sqrt());
        }
        (mass, density)
    }

    /// P(latency <= `t_ms` | success); 0 when nothing succeeds.
    pub fn cdf(&self, t_ms: f64) -> f64 {
        if self.total <= 0.0 {
            return 0.0;
        }
        (self.mass_and_density(t_ms).0 / self.total).min(1.0)
    }

    /// The `q` quantile of the latency of successful requests (`0 < q <= 1`):
    /// the smallest `t` with `CDF(t) >= q`, within `t × REL_TOL`; `None` when
    /// nothing succeeds.
    pub fn percentile(&self, q: f64) -> Option<f64> {
        self.percentile_above(q, 0.0)
    }

    /// Whether the `q` quantile [`Self::percentile`] returns is surely
    /// above `t_ms`, found with one or two evaluations of the CDF rather
    /// than the root finding: the search asks it of chains that some chain
    /// at `t_ms` would beat if they are slower.
    ///
    /// The percentile returns a time whose computed mass reaches the
    /// target (`q` of the mass at the latest cap), or the earliest start
    /// when that already does; so when the mass at `t_ms` falls short of
    /// the target by more than rounding (a relative 1e-12, where the sums
    /// of a few terms differ by 1e-16), the percentile is past `t_ms`.
    /// `false` means "not sure", not "no".
    pub fn quantile_above(&self, q: f64, t_ms: f64) -> bool {
        let Some(first) = self.terms.first() else {
            // Nothing succeeds: no percentile, which the search reads as +∞.
            return true;
        };
        if self.total <= 0.0 || q.is_nan() {
            return true;
        }
        let lo = first.offset_ms.max(0.0);
        if t_ms < lo {
            return true;
        }
        let hi = self
            .terms
            .iter()
            .map(|t| t.offset_ms + t.cap_ms)
            .fold(lo, f64::max);
        let target = q.clamp(0.0, 1.0) * self.mass_and_density(hi).0;
        self.mass_and_density(lo).0 < target
            && self.mass_and_density(t_ms).0 < target * (1.0 - 1e-12)
    }

    /// [`Self::percentile`] for several `q`, in increasing order: each search
    /// starts from the one before.
    pub fn percentiles<const N: usize>(&self, qs: [f64; N]) -> [Option<f64>; N] {
        let mut floor = 0.0;
        qs.map(|q| {
            let p = self.percentile_above(q, floor);
            if let Some(p) = p {
                floor = floor.max(p * (1.0 - REL_TOL));
            }
            p
        })
    }

    /// [`Self::percentile`], knowing it is above `floor`.
    fn percentile_above(&self, q: f64, floor: f64) -> Option<f64> {
        let first = self.terms.first()?;
        if self.total <= 0.0 || q.is_nan() {
            return None;
        }
        // Below the earliest start nothing has succeeded; at the latest cap
        // everything has.
        let mut lo = first.offset_ms.max(floor);
        let mut hi = self
            .terms
            .iter()
            .map(|t| t.offset_ms + t.cap_ms)
            .fold(lo, f64::max);
        let target = q.clamp(0.0, 1.0) * self.mass_and_density(hi).0;
        if self.mass_and_density(lo).0 >= target {
            // Only when `floor` is already past it, or q is 0.
            return Some(lo);
        }
        let mut x = self.guess(q).clamp(lo, hi);
        let mut width = 2.0 * (hi - lo);
        for step in 0..MAX_STEPS {
            if hi - lo <= REL_TOL * hi {
                break;
            }
            // Newton steps that shrink the bracket by less than half in two
            // tries are no better than bisection: bisect.
            if step % 2 == 0 {
                if hi - lo > 0.5 * width {
                    x = 0.5 * (lo + hi);
                }
                width = hi - lo;
            }
            if x <= lo || x >= hi {
                x = 0.5 * (lo + hi);
            }
            let (mass, density) = self.mass_and_density(x);
            let below = mass < target;
            if below {
                lo = x;
            } else {
                hi = x;
            }
            // A Newton step, nudged a quarter of the tolerance past the root
            // so that the next point lands on its other side and closes the
            // bracket.
            let nudge = 0.25 * REL_TOL * x;
            let newton = x - (mass - target) / density;
            x = if density > 0.0 && newton.is_finite() {
                if below {
                    newton + nudge
                } else {
                    newton - nudge
                }
            } else {
                0.5 * (lo + hi)
            };
        }
        Some(self.step_within(lo, hi, target).unwrap_or(hi))
    }

    /// The earliest jump of a deterministic term's CDF in `(lo, hi]` at
    /// which the mass reaches `target`: where the quantile is such a jump it
    /// is that time exactly, not the tolerance above it.
    fn step_within(&self, lo: f64, hi: f64, target: f64) -> Option<f64> {
        self.terms
            .iter()
            .filter(|t| t.ttft.sigma == 0.0)
            .map(|t| t.offset_ms + t.ttft.median_ms)
            .filter(|&jump| lo < jump && jump <= hi)
            .filter(|&jump| self.mass_and_density(jump).0 >= target)
            .min_by(f64::total_cmp)
    }

    /// A first guess for the `q` quantile: that of the heaviest term alone.
    fn guess(&self, q: f64) -> f64 {
        let Some(t) = self.terms.iter().max_by(|a, b| a.mass.total_cmp(&b.mass)) else {
            return 0.0;
        };
        let z = Normal::standard().inverse_cdf(q.clamp(1e-12, 1.0 - 1e-12));
        t.offset_ms + (t.ttft.mu + t.ttft.sigma * z).exp().min(t.cap_ms)
    }
}
