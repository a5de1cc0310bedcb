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

use rand::Rng;
use rand::seq::index;
use rand_distr::{Distribution, Gamma, LogNormal, Poisson};
use serde::Serialize;
use statrs::distribution::{ContinuousCDF, Normal};

use super::monthly::Period;
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
    /// Expected weighted outage minutes of one event: the mean of the
    /// log-normal capped at a day, `E[min(X, c)] = e^(mu + s²/2) Φ((ln c - mu -
    /// s²)/s) + c (1 - Φ((ln c - mu)/s))`, so that the exact availability and
    /// the simulation's mean are the same number.
    pub fn mean_event_minutes(&self) -> f64 {
        let (mu, s, cap) = (self.log_mu, self.log_sigma, DAY_MINUTES);
        if s <= 0.0 {
            return mu.exp().min(cap);
        }
        let phi = |x: f64| Normal::standard().cdf(x);
        let log_cap = cap.ln();
        (mu + s * s / 2.0).exp() * phi((log_cap - mu - s * s) / s)
            + cap * (1.0 - phi((log_cap - mu) / s))
    }

    /// The long-run share of time the group is up. A month holds at most 30
    /// events (one a day); the share of the negative binomial beyond 30 is
    /// left out, it is below 1e-6 for any process with a few events a month.
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

    /// One event placed in day `day` of the period: it starts at a uniform
    /// time that lets it end by midnight.
    fn event_in_day(&self, day: usize, rng: &mut SimRng) -> Outage {
        let minutes = self.event_minutes(rng);
        let start = day as f64 * DAY_MINUTES + rng.random::<f64>() * (DAY_MINUTES - minutes);
        Outage {
            start_min: start,
            end_min: start + minutes,
        }
    }

    /// Draws one period's outages into `out` (cleared first), in minutes from
    /// the period's start. A month first draws its rate, then a Poisson count
    /// of events (at most 30), each on its own day, so that outages never
    /// overlap and the month's downtime is the sum of its events. A day is a
    /// day of a random month: an outage day with probability the month's rate
    /// over 30.
    pub fn draw_outages(&self, period: Period, rng: &mut SimRng, out: &mut Vec<Outage>) {
        out.clear();
        let rate = self.month_rate(rng);
        match period {
            Period::Month => {
                let count = Poisson::new(rate)
                    .map_or(0.0, |poisson| poisson.sample(rng))
                    .min(MONTH_DAYS) as usize;
                for day in index::sample(rng, MONTH_DAYS as usize, count) {
                    out.push(self.event_in_day(day, rng));
                }
            }
            Period::Day => {
                if rng.random::<f64>() < rate / MONTH_DAYS {
                    out.push(self.event_in_day(0, rng));
                }
            }
        }
    }
}

/// One outage of a fitted process: down from `start_min` to `end_min`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Outage {
    pub start_min: f64,
    pub end_min: f64,
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;

    use super::*;
    use crate::model::monthly::exceedance;

    /// Each simulated period's availability: one minus its outage minutes.
    fn period_availabilities(
        p: &OutageProcess,
        period: Period,
        periods: u64,
        seed: u64,
    ) -> Vec<f64> {
        let mut rng = SimRng::seed_from_u64(seed);
        let mut outages = Vec::new();
        (0..periods)
            .map(|_| {
                p.draw_outages(period, &mut rng, &mut outages);
                let down: f64 = outages.iter().map(|o| o.end_min - o.start_min).sum();
                1.0 - down / period.minutes()
            })
            .collect()
    }

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
            let months = period_availabilities(&p, Period::Month, 100_000, 7);
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
        // The second process has a median event of 403 minutes, so the cap at
        // a day cuts a fifth of its events: the closed form must follow it.
        for (p, seed) in [
            (process(1.6), 3),
            (
                OutageProcess {
                    events_per_month: 3.0,
                    dispersion: f64::INFINITY,
                    log_mu: 6.0,
                    log_sigma: 1.5,
                },
                4,
            ),
        ] {
            let months = period_availabilities(&p, Period::Month, 200_000, seed);
            let mut moments = crate::model::stats::Moments::default();
            months.iter().for_each(|&a| moments.push(a));
            let expected = p.mean_availability();
            assert!(
                (moments.mean() - expected).abs() < 4.0 * moments.std_error(),
                "{} vs {expected} (standard error {})",
                moments.mean(),
                moments.std_error()
            );
        }
    }

    #[test]
    fn a_months_outages_fall_on_distinct_days() {
        let p = OutageProcess {
            events_per_month: 12.0,
            dispersion: 0.8,
            log_mu: 7.0,
            log_sigma: 1.0,
        };
        let mut rng = SimRng::seed_from_u64(11);
        let mut outages = Vec::new();
        for _ in 0..2_000 {
            p.draw_outages(Period::Month, &mut rng, &mut outages);
            let mut days: Vec<u64> = outages
                .iter()
                .map(|o| (o.start_min / DAY_MINUTES) as u64)
                .collect();
            for o in &outages {
                assert!(o.start_min >= 0.0 && o.end_min >= o.start_min);
                // Within its own day.
                let day = (o.start_min / DAY_MINUTES).floor();
                assert!(o.end_min <= (day + 1.0) * DAY_MINUTES + 1e-9, "{o:?}");
            }
            let count = days.len();
            days.sort_unstable();
            days.dedup();
            assert_eq!(days.len(), count);
            assert!(count <= 30);
        }
    }

    #[test]
    fn days_are_cleaner_than_months() {
        let p = process(1.6);
        let days = exceedance(&period_availabilities(&p, Period::Day, 100_000, 5), &[1.0]);
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
