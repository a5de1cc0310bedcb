//! Small statistics the reports need: intervals and percentiles, defined once so
//! that every figure uses the same convention.

/// The two-sided 95% normal quantile.
pub const Z975: f64 = 1.959_963_984_540_054;

/// The two-sided 95% quantile of Student's t with `df` degrees of freedom
/// (the normal one when `df` is not a valid count).
pub fn t975(df: f64) -> f64 {
    use statrs::distribution::{ContinuousCDF, StudentsT};
    StudentsT::new(0.0, 1.0, df).map_or(Z975, |t| t.inverse_cdf(0.975))
}

/// Wilson score interval at 95% for `successes` out of `trials`. Unlike the
/// normal approximation it stays inside [0, 1] and is honest near 0 and 1, where
/// availability figures live.
pub fn wilson95(successes: u64, trials: u64) -> [f64; 2] {
    if trials == 0 {
        return [0.0, 1.0];
    }
    let n = trials as f64;
    let p = successes as f64 / n;
    let z2 = Z975 * Z975;
    let centre = (p + z2 / (2.0 * n)) / (1.0 + z2 / n);
    let half = Z975 * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt() / (1.0 + z2 / n);
    // At 0 (or all) successes the bound is exactly 0 (or 1); `centre - half`
    // leaves rounding noise such as 5.55e-17 there.
    let low = if successes == 0 {
        0.0
    } else {
        (centre - half).max(0.0)
    };
    let high = if successes >= trials {
        1.0
    } else {
        (centre + half).min(1.0)
    };
    [low, high]
}

/// Nearest-rank percentile: the smallest value with at least `q` of the data at or
/// below it. Reorders `values`; `None` when there are none.
pub fn percentile(values: &mut [f64], q: f64) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    let rank = (q * values.len() as f64).ceil() as usize;
    let index = rank.clamp(1, values.len()) - 1;
    let (_, value, _) = values.select_nth_unstable_by(index, f64::total_cmp);
    Some(*value)
}

/// Running mean and variance by sums; exact enough for the sample sizes here and
/// mergeable in a fixed order, which keeps results independent of thread count.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Moments {
    pub n: u64,
    pub sum: f64,
    pub sum_sq: f64,
}

impl Moments {
    pub fn push(&mut self, x: f64) {
        self.n += 1;
        self.sum += x;
        self.sum_sq += x * x;
    }

    pub fn merge(&mut self, other: &Moments) {
        self.n += other.n;
        self.sum += other.sum;
        self.sum_sq += other.sum_sq;
    }

    pub fn mean(&self) -> f64 {
        if self.n == 0 {
            0.0
        } else {
            self.sum / self.n as f64
        }
    }

    /// Standard error of the mean.
    pub fn std_error(&self) -> f64 {
        if self.n < 2 {
            return 0.0;
        }
        let n = self.n as f64;
        let variance = ((self.sum_sq - self.sum * self.sum / n) / (n - 1.0)).max(0.0);
        (variance / n).sqrt()
    }

    /// Normal 95% interval of the mean.
    pub fn ci95(&self) -> [f64; 2] {
        let half = Z975 * self.std_error();
        [self.mean() - half, self.mean() + half]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wilson_matches_a_textbook_value() {
        // 81 of 263: Wilson 95% interval (0.2553, 0.3662) (Newcombe 1998, table I).
        let [lo, hi] = wilson95(81, 263);
        assert!(
            (lo - 0.2553).abs() < 1e-4 && (hi - 0.3662).abs() < 1e-4,
            "{lo} {hi}"
        );
    }

    #[test]
    fn wilson_stays_inside_the_unit_interval() {
        assert!(wilson95(10, 10)[1] > 1.0 - 1e-12);
        assert_eq!(wilson95(0, 10)[0], 0.0);
        assert!(wilson95(10, 10)[0] < 1.0);
    }

    /// No rounding noise at the ends: 0 successes give a lower bound of exactly
    /// 0 (it printed 5.55e-17), all successes an upper bound of exactly 1.
    #[test]
    fn wilson_is_exact_at_the_ends() {
        for trials in 1..=5000 {
            assert_eq!(wilson95(0, trials)[0], 0.0, "0 of {trials}");
            assert_eq!(wilson95(trials, trials)[1], 1.0, "{trials} of {trials}");
        }
        assert_eq!(wilson95(0, 1_000_000_000)[0], 0.0);
    }

    #[test]
    fn nearest_rank_percentiles() {
        let mut v: Vec<f64> = (1..=100).rev().map(f64::from).collect();
        assert_eq!(percentile(&mut v, 0.5), Some(50.0));
        assert_eq!(percentile(&mut v, 0.95), Some(95.0));
        assert_eq!(percentile(&mut v, 0.01), Some(1.0));
        assert_eq!(percentile(&mut v, 0.0), Some(1.0));
        assert_eq!(percentile(&mut v, 1.0), Some(100.0));
        assert_eq!(percentile(&mut [], 0.5), None);
    }

    #[test]
    fn moments_of_a_known_sample() {
        let mut m = Moments::default();
        for x in [2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0] {
            m.push(x);
        }
        assert_eq!(m.mean(), 5.0);
        // Sample variance 32/7; standard error sqrt(32/7/8).
        assert!((m.std_error() - (32.0f64 / 7.0 / 8.0).sqrt()).abs() < 1e-12);
    }
}
