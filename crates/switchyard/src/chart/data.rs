//! The inputs of the charts: plain data, so the CLI, the desktop app and tests
//! can build a chart from an evaluation, a search, a probe log or a JSON file
//! without the renderers knowing about any engine module.

use serde::{Deserialize, Serialize};

/// One chart and its data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Chart {
    /// Monthly cost against availability of the searched plans.
    Frontier(FrontierData),
    /// The distribution of the latency of successful requests.
    LatencyCdf(LatencyData),
    /// The success ratio of simulated months (or days) against an SLA target.
    Sla(SlaData),
    /// Where the money per request goes, per route and step.
    Cost(CostData),
    /// Cumulative cost of the API path against self-hosting.
    Tco(TcoData),
    /// Time to first token seen by probes, over time.
    Probes(ProbesData),
    /// P(a period's availability ≥ x): the model's curve, and a record's.
    Exceedance(ExceedanceData),
    /// Several portfolios' exceedance curves on one nines scale.
    CompareSla(CompareSlaData),
    /// Several portfolios' latency CDFs, with their budgets.
    CompareLatency(CompareLatencyData),
    /// Several portfolios' cost per request, step by step.
    CompareCost(CompareCostData),
    /// Several portfolios' monthly cost against availability, over a search's
    /// plans when one has run.
    CompareFrontier(CompareFrontierData),
    /// Attempts a minute each rate-limited offering is sent over the day,
    /// against its binding limit, with the peak minute.
    Capacity(CapacityData),
}

/// The load of each rate-limited offering over the day (`MODEL.md` §12), as
/// the engine's capacity analysis computed it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CapacityData {
    /// The busiest UTC hour (0..23), where the peak minute falls.
    pub peak_hour: usize,
    /// The busiest minute of the peak hour over that hour's mean minute.
    pub peak_minute_factor: f64,
    /// One per offering with a limit, in the order the routes first use it.
    pub offerings: Vec<CapacitySeries>,
}

/// One rate-limited offering's load: every step that uses it, summed, since
/// the provider counts them against one limit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CapacitySeries {
    pub offering: String,
    /// The plan field of the limit that binds, e.g. `rpm_limit`.
    pub binding_field: String,
    /// The binding limit in requests a minute.
    pub limit_rpm: f64,
    /// Attempts a minute in each UTC hour's mean minute (24 values).
    pub offered_rpm_by_hour: Vec<f64>,
    /// Attempts a minute at the peak minute.
    pub offered_rpm_peak: f64,
    /// `1 - sent / limit` at the peak minute (below 0: over the limit).
    pub headroom_peak: f64,
    /// The share of the peak minute's attempts the limit rejects.
    pub rejected_share_peak: f64,
}

/// The exceedance curve of each compared portfolio (`[threshold, share]`,
/// as [`ExceedanceData::model`]); portfolio `i` is drawn in
/// [`super::style::series_colour`]`(i)` on every comparison chart.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CompareSlaData {
    pub period_label: String,
    /// The common SLA target, marked on the axis.
    pub target: f64,
    pub series: Vec<ExceedanceSeries>,
}

/// The latency CDF of each compared portfolio, each with its own budget.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CompareLatencyData {
    pub series: Vec<LabelledLatency>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LabelledLatency {
    pub label: String,
    pub latency: LatencyData,
}

/// The cost rows of each compared portfolio.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CompareCostData {
    pub series: Vec<LabelledCost>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LabelledCost {
    pub label: String,
    pub cost: CostData,
}

/// The compared portfolios as points (their `label`, cost and availability;
/// the other fields are unused), and a search's plans behind them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CompareFrontierData {
    pub portfolios: Vec<FrontierPoint>,
    #[serde(default)]
    pub search: Vec<FrontierPoint>,
}

/// An exceedance curve: `[threshold, share]` points of the model, and of an
/// outage record where there is one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExceedanceData {
    /// What one period is: "30-day month" or "day".
    pub period_label: String,
    pub model: Vec<[f64; 2]>,
    /// The records beside the model: one per failure group with a history.
    pub history: Vec<ExceedanceSeries>,
}

/// The shares of a record, with its name for the legend.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExceedanceSeries {
    pub label: String,
    pub points: Vec<[f64; 2]>,
}

/// The plans of a search: cost, availability and whether each is on the
/// Pareto frontier or is the one chosen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FrontierData {
    pub points: Vec<FrontierPoint>,
    /// The search's third objective (p95 or success within the budget),
    /// drawn as the colour of the frontier's points; `None` when it weighs
    /// cost and availability only.
    #[serde(default)]
    pub colour: Option<FrontierColour>,
}

/// A figure drawn as colour: from green for the best value on the chart to
/// vermillion for the worst.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FrontierColour {
    /// What the colour shows, for the legend: "p95", "success within budget".
    pub label: String,
    /// One per point, in `points` order; `None`: not known (drawn as usual).
    pub values: Vec<Option<f64>>,
    /// Lower is better (a latency) or higher is (a success rate).
    pub lower_is_better: bool,
    /// Milliseconds (shown as a duration) or a share (shown as a percent).
    pub unit: ColourUnit,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ColourUnit {
    Ms,
    Share,
}

impl FrontierColour {
    /// The value as the legend and labels print it.
    pub fn show(&self, value: f64) -> String {
        match self.unit {
            ColourUnit::Ms => crate::format::duration(value),
            ColourUnit::Share => crate::format::percent(value),
        }
    }
}

/// One plan of a search.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FrontierPoint {
    pub label: String,
    pub monthly_usd: f64,
    /// P(request succeeds), 0..1.
    pub availability: f64,
    pub p95_ms: Option<f64>,
    pub on_frontier: bool,
    pub chosen: bool,
}

/// The latency distribution of successful requests, as points of its CDF:
/// however many requests were simulated, a fixed number of quantiles
/// (see [`super::build::latency_of`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LatencyData {
    /// Successful requests described.
    pub count: u64,
    /// `[share, latency_ms]`: a share (0..1) of the successes took at most
    /// `latency_ms` (the nearest-rank quantile). Share 0 is the fastest, share 1
    /// the slowest.
    pub quantiles: Vec<[f64; 2]>,
    /// The latency budget of the workload, if it has one.
    pub budget_ms: Option<f64>,
    /// Share (0..1) of the successes within the budget, if there is one.
    #[serde(default)]
    pub within_budget: Option<f64>,
}

/// The success ratio of each simulated period and the SLA target.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SlaData {
    /// One success ratio (0..1) per simulated period.
    pub ratios: Vec<f64>,
    /// The SLA target, e.g. 0.9999.
    pub target: f64,
    /// P(period >= target) as the engine computed it.
    pub p_meets: f64,
    /// What one period is: "30-day month" or "day".
    pub period_label: String,
}

/// Expected cost per request split by route, step and kind of attempt.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CostData {
    pub rows: Vec<CostRow>,
}

/// Expected USD per request that one step of one route spends.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CostRow {
    pub route: String,
    /// 0-based position of the step in its route.
    pub step: usize,
    pub offering: String,
    /// Spent on first attempts that succeeded.
    pub success_usd: f64,
    /// Spent on retries (attempts after the first), whatever their outcome.
    pub retry_usd: f64,
    /// Spent on attempts that timed out or were cut by the budget.
    pub timeout_usd: f64,
}

/// Cumulative cost of both paths, month by month.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TcoData {
    pub months: Vec<TcoMonth>,
    /// Where the paths cross (fractional month), if they do.
    pub break_even_month: Option<f64>,
}

/// Cumulative cost at the end of one month.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TcoMonth {
    pub month: u32,
    pub api_cumulative_usd: f64,
    pub self_hosted_cumulative_usd: f64,
}

/// Probe results of several offerings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProbesData {
    pub series: Vec<ProbeSeries>,
}

/// Probe results of one offering.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProbeSeries {
    pub offering: String,
    pub points: Vec<ProbePoint>,
}

/// One probe: when, and its time to first token if it succeeded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProbePoint {
    /// Unix time in milliseconds.
    pub at_ms: i64,
    pub ttft_ms: Option<f64>,
    pub ok: bool,
}
