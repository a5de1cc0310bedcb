//! Monthly growth of traffic, fitted to a log's daily request counts.
//!
//! Traffic that grows by a steady share each month is a straight line in
//! `ln(requests per day)` against the day, so the fit is least squares on
//! the logarithm: slope `b` per day, growth `exp(30 b) − 1` per month of
//! [`MONTH_DAYS`] days, the month every other figure uses. Most traffic has
//! a weekly rhythm (quiet weekends), and a log that ends on a weekend would
//! pass it for a decline, so each day of the week gets its own level: the
//! slope is fitted within each weekday's days (the "within" estimator of a
//! regression with one intercept per weekday). The interval comes from the
//! slope's standard error and Student's t, so a short or noisy log says how
//! little it knows rather than a number alone.
//!
//! Only whole UTC days count (a log that starts at 14:00 would otherwise
//! show a first day of half the traffic and fake a growth), and days
//! without requests are left out (their logarithm does not exist); the
//! report says how many days the fit used.

use serde::Serialize;

use crate::model::outage_process::MONTH_DAYS;
use crate::model::stats::t975;

/// Fewer whole days than this and no growth is fitted: two weeks hold each
/// weekday twice, so a weekly rhythm cannot pass for growth.
pub const MIN_DAYS: usize = 14;

/// A fitted monthly growth.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Growth {
    /// The share by which a month's requests exceed the month before's
    /// (0.1 is 10% more each month; negative is shrinking).
    pub monthly: f64,
    /// Its 95% interval.
    pub ci95: [f64; 2],
    /// The days the fit used: whole days with at least one request.
    pub days: usize,
}

/// Why no growth was fitted.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NoGrowth {
    pub reason: String,
}

/// The growth of `daily`, requests per whole UTC day in order, `None` for a
/// day with no requests.
pub fn fit(daily: &[u64]) -> Result<Growth, NoGrowth> {
    let points: Vec<(f64, f64)> = daily
        .iter()
        .enumerate()
        .filter(|(_, n)| **n > 0)
        .map(|(day, n)| (day as f64, (*n as f64).ln()))
        .collect();
    if points.len() < MIN_DAYS {
        return Err(NoGrowth {
            reason: format!(
                "{} whole days with requests; a growth fit needs at least {MIN_DAYS}",
                points.len()
            ),
        });
    }
    // Each weekday's days (day index mod 7) around their own means.
    let mut sums = [(0.0f64, 0.0f64, 0usize); 7];
    for &(x, y) in &points {
        let g = &mut sums[x as usize % 7];
        *g = (g.0 + x, g.1 + y, g.2 + 1);
    }
    let centred: Vec<(f64, f64)> = points
        .iter()
        .map(|&(x, y)| {
            let (sx, sy, k) = sums[x as usize % 7];
            (x - sx / k as f64, y - sy / k as f64)
        })
        .collect();
    let sxx: f64 = centred.iter().map(|p| p.0 * p.0).sum();
    let sxy: f64 = centred.iter().map(|p| p.0 * p.1).sum();
    let slope = sxy / sxx;
    let residual: f64 = centred.iter().map(|p| (p.1 - slope * p.0).powi(2)).sum();
    // One slope and a level per weekday present.
    let weekdays = sums.iter().filter(|g| g.2 > 0).count();
    let df = (points.len() - weekdays - 1) as f64;
    let se = (residual / df / sxx).sqrt();
    let half = t975(df) * se;
    let monthly = |b: f64| (MONTH_DAYS * b).exp_m1();
    Ok(Growth {
        monthly: monthly(slope),
        ci95: [monthly(slope - half), monthly(slope + half)],
        days: points.len(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_distr::{Distribution, Poisson};

    #[test]
    fn exact_exponential_growth_is_found_exactly() {
        // 1000 a day growing 10% a month: day d has 1000 · 1.1^(d/30).
        let daily: Vec<u64> = (0..60)
            .map(|d| (1e9 * 1.1f64.powf(d as f64 / MONTH_DAYS)).round() as u64)
            .collect();
        let g = fit(&daily).unwrap();
        assert!((g.monthly - 0.1).abs() < 1e-6, "{g:?}");
        assert!(g.ci95[0] <= g.monthly && g.monthly <= g.ci95[1]);
        assert!(g.ci95[1] - g.ci95[0] < 1e-6);
        assert_eq!(g.days, 60);
    }

    #[test]
    fn a_weekly_rhythm_is_not_growth() {
        // Weekdays 1000, weekends 400, eight weeks ending on a weekend: no
        // growth at all (a single straight line would say -7% a month).
        let daily: Vec<u64> = (0..56)
            .map(|d| if d % 7 >= 5 { 400 } else { 1000 })
            .collect();
        let g = fit(&daily).unwrap();
        assert!(g.monthly.abs() < 1e-12, "{g:?}");
        // The same rhythm on 10% monthly growth: found exactly.
        let grown: Vec<u64> = daily
            .iter()
            .enumerate()
            .map(|(d, n)| (*n as f64 * 1e6 * 1.1f64.powf(d as f64 / MONTH_DAYS)).round() as u64)
            .collect();
        let g = fit(&grown).unwrap();
        assert!((g.monthly - 0.1).abs() < 1e-6, "{g:?}");
    }

    #[test]
    fn noisy_growth_is_inside_the_interval_about_95_times_in_100() {
        // Poisson days around 500 · 1.25^(d/30) over 45 days, 400 logs.
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        let mut inside = 0;
        for _ in 0..400 {
            let daily: Vec<u64> = (0..45)
                .map(|d| {
                    let mean = 500.0 * 1.25f64.powf(d as f64 / MONTH_DAYS);
                    Poisson::new(mean).unwrap().sample(&mut rng) as u64
                })
                .collect();
            let g = fit(&daily).unwrap();
            inside += usize::from(g.ci95[0] <= 0.25 && 0.25 <= g.ci95[1]);
        }
        // Binomial(400, 0.95): 380 ± 4.4; 4 SE either side.
        assert!((362..=398).contains(&inside), "{inside} of 400");
    }

    #[test]
    fn short_or_empty_logs_say_why_there_is_no_fit() {
        let e = fit(&[10; 13]).unwrap_err();
        assert!(e.reason.contains("13 whole days"), "{}", e.reason);
        let mut gaps = vec![0u64; 30];
        gaps[3] = 5;
        assert!(fit(&gaps).unwrap_err().reason.contains("1 whole days"));
    }
}
