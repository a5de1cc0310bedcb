//! Chart data from engine results. The CLI (`switchyard chart`) and the desktop
//! app both build their charts here, so a chart means the same thing on screen
//! and in a file.

use super::data::{
    CapacityData, CapacitySeries, CostData, CostRow, ExceedanceData, ExceedanceSeries, LatencyData,
    ProbePoint, ProbeSeries, ProbesData, SlaData, TcoData, TcoMonth,
};
use crate::model::capacity::Analysis;
use crate::model::histogram::LatencyHistogram;
use crate::model::monthly::{Exceedance, MonthlyFigures, Period, period_ratios};
use crate::model::simulate::Simulation;
use crate::model::tco::TcoReport;
use crate::model::{Cancelled, Portfolio, Progress};
use crate::probe::ProbeResult;

/// Quantiles a latency CDF is drawn from: shares 0, 1/1000, ..., 1.
pub const LATENCY_QUANTILES: u32 = 1000;

/// The latency CDF of a simulation's successful requests, with the budget.
pub fn latency(portfolio: &Portfolio, sim: &Simulation) -> LatencyData {
    latency_of(&sim.latency, portfolio.workload.latency_budget_ms)
}

/// The latency CDF of a histogram: its nearest-rank quantiles at
/// [`LATENCY_QUANTILES`] + 1 evenly spaced shares, each within the histogram's
/// relative error of the exact sample quantile.
pub fn latency_of(histogram: &LatencyHistogram, budget_ms: Option<f64>) -> LatencyData {
    let quantiles = (0..=LATENCY_QUANTILES)
        .filter_map(|i| {
            let q = f64::from(i) / f64::from(LATENCY_QUANTILES);
            histogram.percentile(q).map(|x| [q, x])
        })
        .collect();
    LatencyData {
        count: histogram.count(),
        quantiles,
        budget_ms,
        within_budget: budget_ms.map(|b| histogram.share_at_most(b)),
    }
}

/// Expected USD per request by route and step, split into first tries,
/// retries and cut attempts.
pub fn cost(portfolio: &Portfolio, sim: &Simulation) -> CostData {
    let n = sim.samples.max(1) as f64;
    let mut rows = Vec::new();
    for (r, route) in portfolio.routes.iter().enumerate() {
        for (j, step) in route.steps.iter().enumerate() {
            let c = sim.cost_by_step[r][j];
            rows.push(CostRow {
                route: route.name.clone(),
                step: j,
                offering: portfolio.offerings[step.offering].id.clone(),
                success_usd: c.first_try_usd / n,
                retry_usd: c.retry_usd / n,
                timeout_usd: c.cut_usd / n,
            });
        }
    }
    CostData { rows }
}

/// The success ratio of `periods` simulated periods against `target`.
pub fn sla(
    portfolio: &Portfolio,
    period: Period,
    periods: u64,
    seed: u64,
    target: f64,
    progress: &Progress,
) -> Result<SlaData, Cancelled> {
    let ratios = period_ratios(portfolio, period, periods, seed, progress)?;
    let meets = ratios.iter().filter(|&&r| r >= target).count() as u64;
    Ok(SlaData {
        p_meets: meets as f64 / ratios.len().max(1) as f64,
        ratios,
        target,
        period_label: period_label(period).to_owned(),
    })
}

/// The exceedance curve of simulated periods (`evaluate`'s
/// `monthly_availability`), with a record's shares beside it where there is
/// one (`label`, `[threshold, share]` points).
pub fn exceedance(model: &MonthlyFigures, history: &[(String, Vec<Exceedance>)]) -> ExceedanceData {
    let points = |curve: &[Exceedance]| curve.iter().map(|e| [e.threshold, e.p]).collect();
    ExceedanceData {
        period_label: period_label(model.period).to_owned(),
        model: points(&model.exceedance),
        history: history
            .iter()
            .map(|(label, curve)| ExceedanceSeries {
                label: label.clone(),
                points: points(curve),
            })
            .collect(),
    }
}

/// What one period is, in chart titles.
pub fn period_label(period: Period) -> &'static str {
    match period {
        Period::Month => "30-day month",
        Period::Day => "day",
    }
}

/// Cumulative cost of both paths and where they cross.
pub fn tco(report: &TcoReport) -> TcoData {
    TcoData {
        months: report
            .months
            .iter()
            .map(|m| TcoMonth {
                month: m.month,
                api_cumulative_usd: m.api_cumulative_usd,
                self_hosted_cumulative_usd: m.self_hosted_cumulative_usd,
            })
            .collect(),
        break_even_month: report.break_even_month.map(f64::from),
    }
}

/// The probe results of each offering, in the order given; offerings without
/// results are left out. The app layer reads them from the catalog.
pub fn probes<'a>(results: impl IntoIterator<Item = (&'a str, &'a [ProbeResult])>) -> ProbesData {
    let series = results
        .into_iter()
        .filter(|(_, results)| !results.is_empty())
        .map(|(id, results)| ProbeSeries {
            offering: id.to_owned(),
            points: results
                .iter()
                .map(|r| ProbePoint {
                    at_ms: r.started_at_ms,
                    ttft_ms: r.ttft_ms,
                    ok: r.ok,
                })
                .collect(),
        })
        .collect();
    ProbesData { series }
}

/// The load of each rate-limited offering over the day, from the engine's
/// capacity analysis: the steps that use an offering are summed, as its
/// provider counts them against one limit. Offerings without a limit are
/// left out (there is nothing to draw them against).
pub fn capacity(portfolio: &Portfolio, analysis: &Analysis) -> CapacityData {
    let mut offerings: Vec<CapacitySeries> = Vec::new();
    for s in &analysis.steps {
        let (Some(kind), Some(limit), Some(headroom)) =
            (s.binding_limit, s.limit_rpm, s.headroom_peak)
        else {
            continue;
        };
        match offerings.iter_mut().find(|o| o.offering == s.offering) {
            Some(o) => {
                for (sum, x) in o.offered_rpm_by_hour.iter_mut().zip(&s.offered_rpm_by_hour) {
                    *sum += x;
                }
                o.offered_rpm_peak += s.offered_rpm_peak;
            }
            None => offerings.push(CapacitySeries {
                offering: s.offering.clone(),
                binding_field: kind.field().to_owned(),
                limit_rpm: limit,
                offered_rpm_by_hour: s.offered_rpm_by_hour.clone(),
                offered_rpm_peak: s.offered_rpm_peak,
                headroom_peak: headroom,
                rejected_share_peak: s.rejected_share_peak,
            }),
        }
    }
    let traffic = &portfolio.workload.traffic;
    CapacityData {
        peak_hour: traffic.peak_hour(),
        peak_minute_factor: traffic.peak_minute_factor,
        offerings,
    }
}
