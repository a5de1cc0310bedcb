//! The fitted outage process of a failure group (MODEL.md §11): what a
//! provider's outage history says, as a process the model can draw periods
//! from.
//!
//! Real outages cluster and their lengths are heavy-tailed: some months are
//! clean, others bring several long outages. A constant-rate process with
//! exponential repairs (the renewal process of §5, from availability and MTTR)
//! misses both tails. Here instead:
//!
//! - **Frequency.** An event is an outage day, as status pages record them.
//!   Each 30-day month draws its own rate of events from a gamma distribution
//!   of mean `events_per_month` and shape `dispersion`, and then a Poisson count
//!   at that rate (at most 30), so the month's count is negative binomial: as
//!   `dispersion` grows the months become alike, and at infinity the count is
//!   Poisson.
//! - **Durations.** Each event lasts a log-normal number of severity-weighted
//!   minutes (`exp(N(log_mu, log_sigma²))`), at most a day.
//!
//! A day is a day of a month: it is an outage day with probability the month's
//! rate over 30, and its availability is one minus its outage minutes over a
//! day.

use rand::{Rng, SeedableRng};
use rand_distr::{Distribution, Gamma, LogNormal, Poisson};
use serde::Serialize;

use super::monthly::Period;
#[cfg(test)]
use super::monthly::exceedance;
use super::parallel::SimRng;

/// Minutes in a day, the longest one event may last.
pub const DAY_MINUTES: f64 = 24.0 * 60.0;
/// Days in the model's month.
pub const MONTH_DAYS: f64 = 30.0;

/// A failure group's outage process, as fitted from its history.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct OutageProcess {
    /// Mean outage events per 30-day month.
    pub events_per_month: f64,
    /// Gamma shape of a month's event rate; `f64::INFINITY` for a Poisson count.
    pub dispersion: f64,
    /// Mean of the log of one event's weighted outage minutes.
    pub log_mu: f64,
    /// Standard deviation of the log of one event's weighted outage minutes.
    pub log_sigma: f64,
}

impl OutageProcess {
    /// Expected weighted outage minutes of one event (the log-normal's mean;
    /// the cap at a day is left out, it moves the mean by less than the
    /// interval of any fit from a few years of data).
    pub fn mean_event_minutes(&self) -> f64 {
        (self.log_mu + self.log_sigma * self.log_sigma / 2.0).exp()
    }

    /// The long-run share of time the group is up.
    pub fn mean_availability(&self) -> f64 {
        let minutes = self.events_per_month * self.mean_event_minutes();
        (1.0 - minutes / (MONTH_DAYS * DAY_MINUTES)).max(0.0)
    }

    /// P(a month has no outage event): the negative binomial's zero,
    /// `(k / (k + m))^k`, which tends to `e^(-m)` as `k` grows.
    pub fn p_clean_month(&self) -> f64 {
        let (m, k) = (self.events_per_month, self.dispersion);
        if k.is_infinite() {
            (-m).exp()
        } else {
            (k / (k + m)).powf(k)
        }
    }

    /// The month's event rate, drawn from its gamma distribution.
    fn month_rate(&self, rng: &mut SimRng) -> f64 {
        let m = self.events_per_month;
        if m <= 0.0 {
            return 0.0;
        }
        if self.dispersion.is_infinite() {
            return m;
        }
        match Gamma::new(self.dispersion, m / self.dispersion) {
            Ok(gamma) => gamma.sample(rng),
            Err(_) => m,
        }
    }

    /// Weighted outage minutes of one event: at most a day.
    fn event_minutes(&self, rng: &mut SimRng) -> f64 {
        LogNormal::new(self.log_mu, self.log_sigma)
            .map_or(0.0, |length| length.sample(rng).min(DAY_MINUTES))
    }

    /// The availability of `periods` simulated periods (months or days) of
    /// seed `seed`.
    pub fn period_availabilities(&self, period: Period, periods: u64, seed: u64) -> Vec<f64> {
        let mut rng = SimRng::seed_from_u64(seed);
        (0..periods)
            .map(|_| {
                let rate = self.month_rate(&mut rng);
                match period {
                    Period::Month => {
                        let events = Poisson::new(rate)
                            .map_or(0.0, |poisson| poisson.sample(&mut rng))
                            .min(MONTH_DAYS) as u64;
                        let down: f64 = (0..events).map(|_| self.event_minutes(&mut rng)).sum();
                        1.0 - down / (MONTH_DAYS * DAY_MINUTES)
                    }
                    Period::Day => {
                        // A day of a random month: an outage day with the
                        // month's rate over 30.
                        if rng.random::<f64>() < rate / MONTH_DAYS {
                            1.0 - self.event_minutes(&mut rng) / DAY_MINUTES
                        } else {
                            1.0
                        }
                    }
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn process(k: f64) -> OutageProcess {
        OutageProcess {
            events_per_month: 2.0,
            dispersion: k,
            log_mu: 3.0,
            log_sigma: 1.2,
        }
    }

    #[test]
    fn clean_months_match_the_negative_binomial_zero() {
        for k in [0.5, 1.6, 10.0, f64::INFINITY] {
            let p = process(k);
            let months = p.period_availabilities(Period::Month, 100_000, 7);
            let clean = exceedance(&months, &[1.0])[0].p;
            let exact = p.p_clean_month();
            // Binomial standard error at 100,000 months is under 0.0016.
            assert!((clean - exact).abs() < 0.006, "k {k}: {clean} vs {exact}");
        }
    }

    #[test]
    fn the_poisson_limit_is_the_constant_rate_clean_month() {
        // With no dispersion the count is Poisson: P(clean) = e^(-m).
        assert!((process(f64::INFINITY).p_clean_month() - (-2.0f64).exp()).abs() < 1e-15);
        assert!((process(1e9).p_clean_month() - (-2.0f64).exp()).abs() < 1e-6);
    }

    #[test]
    fn simulated_downtime_has_the_processs_mean() {
        let p = process(1.6);
        let months = p.period_availabilities(Period::Month, 200_000, 3);
        let mean = months.iter().sum::<f64>() / months.len() as f64;
        // The cap at a day trims a little of the log-normal's tail.
        let expected = p.mean_availability();
        assert!(
            (mean - expected).abs() < 2e-4,
            "{mean} vs {expected} (unavailability {})",
            1.0 - expected
        );
    }

    #[test]
    fn days_are_cleaner_than_months() {
        let p = process(1.6);
        let days = exceedance(&p.period_availabilities(Period::Day, 100_000, 5), &[1.0]);
        // A day is an outage day with probability the month's rate over 30,
        // so P(clean day) = 1 - m/30 (a rate above 30 is too rare to count).
        let exact = 1.0 - 2.0 / 30.0;
        assert!(
            (days[0].p - exact).abs() < 0.004,
            "{} vs {exact}",
            days[0].p
        );
    }

    #[test]
    fn exceedance_counts_periods_at_or_above() {
        let e = exceedance(&[1.0, 0.9995, 0.99, 0.5], &[1.0, 0.999, 0.9]);
        assert_eq!(
            e.iter().map(|x| x.p).collect::<Vec<_>>(),
            vec![0.25, 0.5, 0.75]
        );
    }
}
