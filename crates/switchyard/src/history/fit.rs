//! The outage process of a failure group, fitted from its daily record.
//!
//! An event is an outage day (a day with weighted outage minutes), as status
//! pages record them. Over the record's whole months:
//!
//! - `events_per_month` is the mean count of outage days per month, scaled to
//!   a 30-day month; its interval is Student's t on the monthly counts, which
//!   holds whatever their dispersion.
//! - `dispersion` is the method-of-moments shape of the negative binomial,
//!   `m² / (v − m)` from the counts' mean `m` and variance `v` (infinite, a
//!   Poisson count, when `v ≤ m`); its interval is the 2.5% and 97.5%
//!   percentiles of the same estimate over resampled months (a seeded bootstrap).
//! - `log_mu` and `log_sigma` are the maximum-likelihood log-normal of the
//!   events' minutes, with Student's t and chi-square intervals.
//!
//! No constant here is tuned to a service: the same method fits every record.

use rand::{Rng, SeedableRng};
use serde::Serialize;
use statrs::distribution::{ChiSquared, ContinuousCDF};

use super::{DailyHistory, HistoryError};
pub use crate::model::evaluate::Estimate;
use crate::model::outage_process::{MONTH_DAYS, OutageProcess};
use crate::model::parallel::SimRng;
use crate::model::stats::t975;

/// Resamples of the dispersion's bootstrap.
const BOOTSTRAP_RESAMPLES: usize = 2_000;
/// The fewest whole months a fit needs: with fewer, a variance (and so the
/// dispersion) means little.
pub const MIN_MONTHS: usize = 6;

/// What a fit was made from.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FitSource {
    pub file: String,
    pub service: String,
    /// First and last day of the whole months used.
    pub from: String,
    pub to: String,
    pub months: u32,
    /// Outage days in those months.
    pub events: u32,
}

/// The fitted process, its parameters with their intervals, and its source.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Fit {
    pub process: OutageProcess,
    pub events_per_month: Estimate,
    /// `None` in `value` and the interval's ends: not finite (a Poisson count).
    pub dispersion: Estimate,
    pub log_mu: Estimate,
    pub log_sigma: Estimate,
    pub source: FitSource,
}

/// What a fit is computed from: each whole month's count of outage days
/// (scaled to a 30-day month) and the log of each outage day's minutes.
struct Samples<'h> {
    months: Vec<&'h [super::Day]>,
    counts: Vec<f64>,
    logs: Vec<f64>,
}

/// The samples of `history`'s whole months, refused when too few to fit.
fn samples(history: &DailyHistory) -> Result<Samples<'_>, HistoryError> {
    let months = history.whole_months();
    if months.len() < MIN_MONTHS {
        return Err(HistoryError::File {
            file: history.file.clone(),
            reason: format!(
                "`{}` has {} whole months of record; a fit needs at least {MIN_MONTHS}",
                history.service,
                months.len()
            ),
        });
    }
    // Each month's count of outage days, scaled to the model's 30-day month.
    let counts: Vec<f64> = months
        .iter()
        .map(|m| m.iter().filter(|d| d.minutes > 0.0).count() as f64 * MONTH_DAYS / m.len() as f64)
        .collect();
    let logs: Vec<f64> = months
        .iter()
        .flat_map(|m| m.iter())
        .filter(|d| d.minutes > 0.0)
        .map(|d| d.minutes.ln())
        .collect();
    if logs.len() < 2 {
        return Err(HistoryError::File {
            file: history.file.clone(),
            reason: format!(
                "`{}` has {} outage days in its whole months; a fit of their length needs at least 2",
                history.service,
                logs.len()
            ),
        });
    }
    Ok(Samples {
        months,
        counts,
        logs,
    })
}

/// The fitted process alone: the point estimates of [`fit`] without their
/// intervals (no bootstrap), for a plan resolving a group with a history,
/// which needs nothing else.
pub fn fit_process(history: &DailyHistory) -> Result<OutageProcess, HistoryError> {
    let Samples { counts, logs, .. } = samples(history)?;
    Ok(OutageProcess {
        events_per_month: mean(&counts),
        dispersion: moments_shape(&counts),
        log_mu: mean(&logs),
        log_sigma: ml_sigma(&logs),
    })
}

/// Fits the outage process of `history` from its whole months.
pub fn fit(history: &DailyHistory) -> Result<Fit, HistoryError> {
    let Samples {
        months,
        counts,
        logs,
    } = samples(history)?;
    let events_per_month = mean_interval(&counts);
    let dispersion = Estimate {
        value: moments_shape(&counts),
        ci95: bootstrap_shape(&counts),
    };
    let log_mu = mean_interval(&logs);
    let log_sigma = sigma_interval(&logs);
    let first = months.first().and_then(|m| m.first());
    let last = months.last().and_then(|m| m.last());
    Ok(Fit {
        process: OutageProcess {
            events_per_month: events_per_month.value,
            dispersion: dispersion.value,
            log_mu: log_mu.value,
            log_sigma: log_sigma.value,
        },
        events_per_month,
        dispersion,
        log_mu,
        log_sigma,
        source: FitSource {
            file: history.file.clone(),
            service: history.service.clone(),
            from: first.map(|d| d.date.clone()).unwrap_or_default(),
            to: last.map(|d| d.date.clone()).unwrap_or_default(),
            months: u32::try_from(months.len()).unwrap_or(u32::MAX),
            events: u32::try_from(logs.len()).unwrap_or(u32::MAX),
        },
    })
}

fn mean(xs: &[f64]) -> f64 {
    xs.iter().sum::<f64>() / xs.len() as f64
}

/// The sample variance (n − 1).
fn variance(xs: &[f64]) -> f64 {
    let m = mean(xs);
    xs.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / (xs.len() as f64 - 1.0)
}

/// The mean with its t interval.
fn mean_interval(xs: &[f64]) -> Estimate {
    let n = xs.len() as f64;
    let m = mean(xs);
    let half = t975(n - 1.0) * (variance(xs) / n).sqrt();
    Estimate {
        value: m,
        ci95: [m - half, m + half],
    }
}

/// The maximum-likelihood standard deviation (the n, not n − 1, divisor).
fn ml_sigma(xs: &[f64]) -> f64 {
    let n = xs.len() as f64;
    (variance(xs) * (n - 1.0) / n).sqrt()
}

/// The maximum-likelihood standard deviation with its chi-square interval.
fn sigma_interval(xs: &[f64]) -> Estimate {
    let n = xs.len() as f64;
    let s2 = variance(xs);
    let (low, high) = match ChiSquared::new(n - 1.0) {
        Ok(chi) => (chi.inverse_cdf(0.975), chi.inverse_cdf(0.025)),
        Err(_) => (f64::NAN, f64::NAN),
    };
    Estimate {
        value: ml_sigma(xs),
        ci95: [
            (s2 * (n - 1.0) / low).sqrt(),
            (s2 * (n - 1.0) / high).sqrt(),
        ],
    }
}

/// The negative binomial's shape by the method of moments; infinite (a
/// Poisson count) when the counts are not overdispersed.
fn moments_shape(counts: &[f64]) -> f64 {
    let (m, v) = (mean(counts), variance(counts));
    if v > m && m > 0.0 {
        m * m / (v - m)
    } else {
        f64::INFINITY
    }
}

/// The 2.5% and 97.5% percentiles of [`moments_shape`] over resampled months.
fn bootstrap_shape(counts: &[f64]) -> [f64; 2] {
    let mut rng = SimRng::seed_from_u64(1);
    let mut shapes: Vec<f64> = (0..BOOTSTRAP_RESAMPLES)
        .map(|_| {
            let resample: Vec<f64> = (0..counts.len())
                .map(|_| counts[rng.random_range(0..counts.len())])
                .collect();
            moments_shape(&resample)
        })
        .collect();
    shapes.sort_by(f64::total_cmp);
    let at =
        |q: f64| shapes[((q * (shapes.len() - 1) as f64).round() as usize).min(shapes.len() - 1)];
    [at(0.025), at(0.975)]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::Day;
    use crate::model::monthly::Period;
    use crate::model::outage_process::DAY_MINUTES;

    const TRUE: OutageProcess = OutageProcess {
        events_per_month: 2.3,
        dispersion: 1.6,
        log_mu: 3.0,
        log_sigma: 1.2,
    };

    /// A synthetic daily record of `months` 30-day months drawn from `p` as
    /// the process defines it: the month's rate from the gamma, its count of
    /// outage days from the Poisson (at most 30), on distinct days, each with
    /// log-normal minutes (at most a day).
    fn synthetic(p: &OutageProcess, months: usize, seed: u64) -> DailyHistory {
        use rand::seq::index::sample;
        use rand_distr::{Distribution, Gamma, LogNormal, Poisson};
        let mut rng = SimRng::seed_from_u64(seed);
        let length = LogNormal::new(p.log_mu, p.log_sigma).expect("valid");
        let mut days = Vec::new();
        for month in 0..months {
            let rate = Gamma::new(p.dispersion, p.events_per_month / p.dispersion)
                .expect("valid")
                .sample(&mut rng);
            let events = Poisson::new(rate)
                .map_or(0.0, |d| d.sample(&mut rng))
                .min(30.0);
            let mut minutes = [0.0; 30];
            for day in sample(&mut rng, 30, events as usize) {
                minutes[day] = length.sample(&mut rng).min(DAY_MINUTES);
            }
            // 30-day months: April, June, September, November.
            let (year, number) = (2000 + month / 4, [4, 6, 9, 11][month % 4]);
            for (day, minutes) in minutes.into_iter().enumerate() {
                days.push(Day {
                    date: format!("{year:04}-{number:02}-{:02}", day + 1),
                    minutes,
                });
            }
        }
        DailyHistory {
            file: "synthetic".to_owned(),
            service: "s".to_owned(),
            days,
        }
    }

    #[test]
    fn the_fit_recovers_known_parameters_from_a_long_record() {
        let f = fit(&synthetic(&TRUE, 2_000, 11)).expect("fits");
        let p = f.process;
        assert!((p.events_per_month - 2.3).abs() < 0.15, "{p:?}");
        assert!((p.dispersion - 1.6).abs() < 0.4, "{p:?}");
        assert!((p.log_mu - 3.0).abs() < 0.1, "{p:?}");
        assert!((p.log_sigma - 1.2).abs() < 0.1, "{p:?}");
        assert_eq!(f.source.months, 2_000);
    }

    #[test]
    fn intervals_cover_the_true_values_about_as_often_as_they_say() {
        // 42 months, as the OpenAI API's record; 200 records.
        let (mut rate, mut mu, mut sigma, mut shape) = (0, 0, 0, 0);
        let records = 200;
        for seed in 0..records {
            let f = fit(&synthetic(&TRUE, 42, 1_000 + seed)).expect("fits");
            let inside = |e: Estimate, x: f64| e.ci95[0] <= x && x <= e.ci95[1];
            rate += u32::from(inside(f.events_per_month, TRUE.events_per_month));
            mu += u32::from(inside(f.log_mu, TRUE.log_mu));
            sigma += u32::from(inside(f.log_sigma, TRUE.log_sigma));
            shape += u32::from(inside(f.dispersion, TRUE.dispersion));
        }
        let share = |n: u32| f64::from(n) / records as f64;
        // 95% intervals: over 200 records, a share within ±0.05 of 0.95 (3
        // binomial standard errors). The bootstrap of a shape from 42 months
        // is rougher (a percentile interval of a skewed estimate): it only
        // needs to cover most of the time.
        for (name, n) in [("rate", rate), ("log_mu", mu), ("log_sigma", sigma)] {
            assert!((share(n) - 0.95).abs() < 0.05, "{name} {}", share(n));
        }
        assert!(share(shape) > 0.8, "dispersion {}", share(shape));
    }

    #[test]
    fn the_process_alone_is_the_fits_point_estimates() {
        for seed in [1, 2, 3] {
            let record = synthetic(&TRUE, 60, seed);
            let full = fit(&record).expect("fits");
            assert_eq!(fit_process(&record).expect("fits"), full.process);
        }
    }

    #[test]
    fn a_short_record_is_refused() {
        let e = fit(&synthetic(&TRUE, 3, 1)).expect_err("too short");
        assert!(e.to_string().contains("at least 6"), "{e}");
    }

    #[test]
    fn the_fitted_process_simulates_the_records_clean_months() {
        let record = synthetic(&TRUE, 2_000, 5);
        let f = fit(&record).expect("fits");
        let group = crate::model::Group::fitted("synthetic", f.process);
        let months = crate::model::monthly::group_period_ratios(&group, Period::Month, 50_000, 9);
        let clean = months.iter().filter(|&&a| a >= 1.0).count() as f64 / months.len() as f64;
        let history = record
            .whole_months()
            .iter()
            .filter(|m| m.iter().all(|d| d.minutes == 0.0))
            .count() as f64
            / 2_000.0;
        assert!((clean - history).abs() < 0.03, "{clean} vs {history}");
    }
}
