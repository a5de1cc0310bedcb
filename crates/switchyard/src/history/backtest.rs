//! The backtest of a fitted process against the record it was fitted from:
//! for each threshold, the share of the record's periods (whole months, or
//! their days) at or above it, beside the process's P(period ≥ threshold)
//! over simulated periods, and the largest gap between the two.

use serde::Serialize;

use super::DailyHistory;
use super::fit::Fit;

use crate::model::Group;
use crate::model::monthly::{
    EXCEEDANCE_THRESHOLDS, Exceedance, Period, exceedance, group_period_ratios,
};
use crate::model::outage_process::DAY_MINUTES;

/// Simulated periods behind the model's column: a share's standard error is
/// then below 0.002.
pub const SIMULATED_PERIODS: u64 = 100_000;

/// One threshold of the backtest.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct BacktestRow {
    pub threshold: f64,
    /// Share of the record's periods at or above the threshold.
    pub history: f64,
    /// The fitted process's P(period ≥ threshold).
    pub model: f64,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Backtest {
    /// The group (or service) whose record was compared: the catalog
    /// group with `--group`, else the service read from the file.
    pub group: String,
    pub period: Period,
    /// The record's periods compared.
    pub periods: u32,
    pub rows: Vec<BacktestRow>,
    pub largest_gap: f64,
}

/// The availability of each of the record's periods in its whole months.
pub fn history_periods(history: &DailyHistory, period: Period) -> Vec<f64> {
    let months = history.whole_months();
    match period {
        Period::Month => months
            .iter()
            .map(|m| {
                let down: f64 = m.iter().map(|d| d.minutes).sum();
                1.0 - down / (m.len() as f64 * DAY_MINUTES)
            })
            .collect(),
        Period::Day => months
            .iter()
            .flat_map(|m| m.iter())
            .map(|d| 1.0 - d.minutes / DAY_MINUTES)
            .collect(),
    }
}

/// Backtests `fit` against `history` over `period`s, simulating with `seed`.
pub fn backtest(history: &DailyHistory, fit: &Fit, period: Period, seed: u64) -> Backtest {
    let observed = history_periods(history, period);
    let simulated = group_period_ratios(
        &Group::fitted(&history.service, fit.process),
        period,
        SIMULATED_PERIODS,
        seed,
    );
    let rows: Vec<BacktestRow> = exceedance(&observed, &EXCEEDANCE_THRESHOLDS)
        .into_iter()
        .zip(exceedance(&simulated, &EXCEEDANCE_THRESHOLDS))
        .map(
            |(
                Exceedance {
                    threshold,
                    p: history,
                },
                Exceedance { p: model, .. },
            )| BacktestRow {
                threshold,
                history,
                model,
            },
        )
        .collect();
    let largest_gap = rows
        .iter()
        .map(|r| (r.history - r.model).abs())
        .fold(0.0, f64::max);
    Backtest {
        group: history.service.clone(),
        period,
        periods: u32::try_from(observed.len()).unwrap_or(u32::MAX),
        rows,
        largest_gap,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::fit::fit;
    use crate::history::icpe::{PAPER_PARTIAL_WEIGHT, parse_daily};

    const OPENAI_DAILY: &str =
        include_str!("../../../../fixtures/icpe2025/outage_daily_openai.csv");

    fn backtest_of(service: &str, period: Period) -> Backtest {
        let history = parse_daily(
            OPENAI_DAILY,
            "outage_daily_openai.csv",
            service,
            PAPER_PARTIAL_WEIGHT,
        )
        .expect("reads");
        let fitted = fit(&history).expect("fits");
        backtest(&history, &fitted, period, 1)
    }

    #[test]
    fn the_openai_api_record_has_the_published_shares() {
        // fixtures/icpe2025/SOURCE.md: 42 whole months; months at or above
        // 99.99% 0.333, 99.9% 0.524, 99.5% 0.881, 99% 0.976.
        let b = backtest_of("api", Period::Month);
        assert_eq!(b.periods, 42);
        let share = |t: f64| {
            b.rows
                .iter()
                .find(|r| r.threshold == t)
                .map(|r| r.history)
                .expect("a row")
        };
        for (t, published) in [
            (0.9999, 0.333),
            (0.999, 0.524),
            (0.995, 0.881),
            (0.99, 0.976),
        ] {
            assert!((share(t) - published).abs() < 0.0005, "{t}: {}", share(t));
        }
    }

    #[test]
    fn the_fitted_api_process_meets_the_backtest_targets() {
        let monthly = backtest_of("api", Period::Month);
        assert!(monthly.largest_gap <= 0.08, "{monthly:#?}");
        let daily = backtest_of("api", Period::Day);
        assert!(daily.largest_gap <= 0.01, "{daily:#?}");
    }

    #[test]
    fn the_other_openai_services_are_reported_by_the_same_method() {
        for service in ["playground", "chatgpt"] {
            let monthly = backtest_of(service, Period::Month);
            let daily = backtest_of(service, Period::Day);
            assert!(monthly.periods >= 12 && daily.periods >= 360, "{service}");
            assert!(monthly.largest_gap < 0.15, "{service}: {monthly:#?}");
            assert!(daily.largest_gap < 0.02, "{service}: {daily:#?}");
        }
    }
}
