//! A bounded histogram of latencies, so that the memory a simulation keeps does
//! not grow with the number of requests it simulates.
//!
//! Bins are log-spaced: bin `i` holds the latencies in
//! `[LOW_MS * r^i, LOW_MS * r^(i+1))` with `r = BIN_RATIO = 1 + 2e-4`, from
//! [`LOW_MS`] (1 µs) up to [`HIGH_MS`] (10^15 ms, some 31,700 years). A bin is
//! reported by its geometric midpoint, which is within `sqrt(r) - 1 = 9.9995e-5`
//! of any value in the bin, relatively; [`RELATIVE_ERROR`] states that bound as
//! 1e-4, the margin absorbing the rounding of the bin index and midpoint. Values
//! below `LOW_MS` (0 included) and above the top bin are still counted, in an
//! underflow and an overflow bin, and the exact smallest and largest values are
//! kept alongside.
//!
//! A percentile keeps the nearest-rank definition of [`super::stats::percentile`]
//! (the smallest value with at least `q` of the data at or below it), applied to
//! the bins: the histogram finds the bin holding the value of that rank and
//! reports its midpoint, clamped to the exact `[min, max]`. Binning is monotone,
//! so the value of that rank lies in that bin, and the reported percentile is
//! within [`RELATIVE_ERROR`] of the exact one, relatively, whenever that value
//! lies in `[LOW_MS, HIGH_MS]`. A percentile that falls in the underflow bin is
//! reported as the exact minimum (off by less than `LOW_MS` = 1 µs), one in the
//! overflow bin as the exact maximum. The lowest and highest ranks give the
//! exact minimum and maximum.
//!
//! The bins are kept sparse, as sorted `(bin, count)` pairs: one chunk of 65,536
//! requests fills at most that many bins and typically a few thousand, and the
//! whole range has 207,254 bins, so no histogram ever holds more than about
//! 2.5 MB whatever the number of requests. Counts are integers, so merging is
//! exact, associative and commutative; the figures therefore do not depend on
//! how chunks were grouped.
//!
//! Why not the `hdrhistogram` crate: it records integers (latencies would need a
//! fixed unit), its error is set by significant decimal digits (3 digits: about
//! 5e-4; 5 digits: about 5e-6, at some megabytes per histogram, which is too
//! heavy per chunk), its quantiles follow its own convention rather than the
//! nearest rank every other figure here uses, and it is one more dependency for
//! about a hundred lines of arithmetic.

/// Lowest latency with bins of its own, ms (1 µs).
pub const LOW_MS: f64 = 1e-3;
/// Latencies from here up (more or less one bin) go to the overflow bin, ms.
pub const HIGH_MS: f64 = 1e15;
/// Ratio of a bin's upper edge to its lower edge.
pub const BIN_RATIO: f64 = 1.0 + 2e-4;
/// Bound on the relative error of a reported percentile within
/// `[LOW_MS, HIGH_MS]` (see the module documentation).
pub const RELATIVE_ERROR: f64 = 1e-4;

/// `ln(1 + 2e-4)`, to the last digit (checked by a test); bins are spaced by
/// `exp(LN_RATIO)`, which is `BIN_RATIO` to the last digit.
const LN_RATIO: f64 = 1.999_800_026_662_667_5e-4;
/// Bins between `LOW_MS` and `HIGH_MS`: `ceil(ln(HIGH_MS / LOW_MS) / ln(BIN_RATIO))`.
const BINS: u32 = 207_254;

/// Where one latency goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Slot {
    Under,
    Bin(u32),
    Over,
}

fn slot(ms: f64) -> Slot {
    if ms.is_nan() || ms < LOW_MS {
        return Slot::Under;
    }
    let i = ((ms / LOW_MS).ln() / LN_RATIO).floor();
    if i >= f64::from(BINS) {
        Slot::Over
    } else {
        // 0 <= i < BINS here.
        Slot::Bin(i as u32)
    }
}

/// The geometric midpoint of bin `i`.
fn midpoint(i: u32) -> f64 {
    LOW_MS * ((f64::from(i) + 0.5) * LN_RATIO).exp()
}

/// Counts of latencies in log-spaced bins; see the module documentation.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct LatencyHistogram {
    /// Latencies recorded.
    count: u64,
    /// Of those, below `LOW_MS`.
    underflow: u64,
    /// Of those, above the top bin.
    overflow: u64,
    /// Exact extremes, `min <= max`; `None` while empty.
    min_ms: Option<f64>,
    max_ms: Option<f64>,
    /// `(bin, count)`, bins strictly increasing, counts positive.
    bins: Vec<(u32, u64)>,
}

impl LatencyHistogram {
    /// An empty histogram.
    pub fn new() -> Self {
        Self::default()
    }

    /// The histogram of `values`, in any order. NaN counts as underflow; callers
    /// record latencies, which are never NaN.
    pub fn from_values(values: &[f64]) -> Self {
        let mut out = Self::new();
        if values.is_empty() {
            return out;
        }
        let mut indices: Vec<u32> = Vec::with_capacity(values.len());
        let (mut min, mut max) = (f64::INFINITY, f64::NEG_INFINITY);
        for &v in values {
            min = min.min(v);
            max = max.max(v);
            match slot(v) {
                Slot::Under => out.underflow += 1,
                Slot::Over => out.overflow += 1,
                Slot::Bin(i) => indices.push(i),
            }
        }
        indices.sort_unstable();
        for chunk in indices.chunk_by(|a, b| a == b) {
            out.bins.push((chunk[0], chunk.len() as u64));
        }
        out.count = values.len() as u64;
        // `f64::min` and `max` skip NaN: the extremes stay unset for NaN alone.
        if min <= max {
            out.min_ms = Some(min);
            out.max_ms = Some(max);
        }
        out
    }

    /// Adds `other`'s counts to this histogram's. Exact, associative and
    /// commutative: counts are integers.
    pub fn merge(&mut self, other: &LatencyHistogram) {
        if other.count == 0 {
            return;
        }
        self.count += other.count;
        self.underflow += other.underflow;
        self.overflow += other.overflow;
        self.min_ms = match (self.min_ms, other.min_ms) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        self.max_ms = match (self.max_ms, other.max_ms) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
        if other.bins.is_empty() {
            return;
        }
        if self.bins.is_empty() {
            self.bins.clone_from(&other.bins);
            return;
        }
        let mut merged = Vec::with_capacity(self.bins.len() + other.bins.len());
        let (mut a, mut b) = (self.bins.iter().peekable(), other.bins.iter().peekable());
        loop {
            let next = match (a.peek(), b.peek()) {
                (Some(&&(i, m)), Some(&&(j, n))) => match i.cmp(&j) {
                    std::cmp::Ordering::Less => {
                        a.next();
                        (i, m)
                    }
                    std::cmp::Ordering::Greater => {
                        b.next();
                        (j, n)
                    }
                    std::cmp::Ordering::Equal => {
                        a.next();
                        b.next();
                        (i, m + n)
                    }
                },
                (Some(_), None) => *a.next().expect("peeked"),
                (None, Some(_)) => *b.next().expect("peeked"),
                (None, None) => break,
            };
            merged.push(next);
        }
        self.bins = merged;
    }

    /// Latencies recorded.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// The exact smallest latency recorded.
    pub fn min(&self) -> Option<f64> {
        self.min_ms
    }

    /// The exact largest latency recorded.
    pub fn max(&self) -> Option<f64> {
        self.max_ms
    }

    /// Occupied bins (under- and overflow not included): what the histogram
    /// holds in memory, about 12 bytes each.
    pub fn occupied_bins(&self) -> usize {
        self.bins.len()
    }

    /// The nearest-rank `q`-percentile (`q` in 0..=1, clamped), within
    /// [`RELATIVE_ERROR`] of the exact one (see the module documentation);
    /// `None` when empty.
    pub fn percentile(&self, q: f64) -> Option<f64> {
        let (min, max) = (self.min_ms?, self.max_ms?);
        if self.count == 0 {
            return None;
        }
        let q = if q.is_nan() { 0.0 } else { q.clamp(0.0, 1.0) };
        let rank = ((q * self.count as f64).ceil() as u64).clamp(1, self.count);
        if rank == 1 {
            return Some(min);
        }
        if rank == self.count {
            return Some(max);
        }
        let mut seen = self.underflow;
        if rank <= seen {
            return Some(min);
        }
        for &(i, n) in &self.bins {
            seen += n;
            if rank <= seen {
                return Some(midpoint(i).max(min).min(max));
            }
        }
        Some(max)
    }

    /// The share of recorded latencies at most `ms`, counting the whole bin
    /// that holds `ms`: exact but for the latencies of that one bin above `ms`
    /// (less than 2e-4 above it, relatively, or anywhere in the under- or
    /// overflow bin when `ms` is out of range). Exact when `ms` is at least the
    /// largest latency, as a latency budget is for the successes within it.
    pub fn share_at_most(&self, ms: f64) -> f64 {
        let (Some(min), Some(max)) = (self.min_ms, self.max_ms) else {
            return 0.0;
        };
        if ms >= max {
            return 1.0;
        }
        if ms < min || ms.is_nan() {
            return 0.0;
        }
        let within = match slot(ms) {
            Slot::Under => self.underflow,
            Slot::Bin(b) => {
                self.underflow
                    + self
                        .bins
                        .iter()
                        .take_while(|(i, _)| *i <= b)
                        .map(|(_, n)| n)
                        .sum::<u64>()
            }
            Slot::Over => self.count,
        };
        within as f64 / self.count as f64
    }
}

#[cfg(test)]
#[path = "histogram_tests.rs"]
mod tests;
