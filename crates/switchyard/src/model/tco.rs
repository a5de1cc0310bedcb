//! Total cost of ownership (`MODEL.md` §4): the API portfolio against serving the
//! model yourself, month by month over a horizon with growing volume, and the
//! daily volume at which the two cost the same.
//!
//! Months are 30 days (720 hours), as everywhere in the model. One-off
//! integration work is billed in month 1. The break-even volume compares steady
//! running costs (no one-offs, no growth): it answers "from what volume on is
//! self-hosting cheaper every month".

use serde::Serialize;
use statrs::distribution::{Binomial, DiscreteCDF};

const HOURS_PER_MONTH: f64 = 720.0;
const SECONDS_PER_DAY: f64 = 86_400.0;
/// Break-even search stops past this many GPUs: beyond it the answer is "never".
const MAX_GPUS: u64 = 100_000;

/// Engineering work of one path.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Engineering {
    /// One-off, billed in month 1.
    pub integration_hours: f64,
    pub upkeep_hours_per_month: f64,
}

/// How GPUs are paid for.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum GpuCost {
    /// Rented by the hour.
    Rent { usd_per_hour: f64 },
    /// Bought and amortised, plus the power they draw.
    Own {
        purchase_usd: f64,
        amortisation_months: f64,
        power_kw: f64,
        pue: f64,
        usd_per_kwh: f64,
    },
}

impl GpuCost {
    /// What one GPU costs per 30-day month.
    pub fn per_gpu_month(&self) -> f64 {
        match *self {
            GpuCost::Rent { usd_per_hour } => usd_per_hour * HOURS_PER_MONTH,
            GpuCost::Own {
                purchase_usd,
                amortisation_months,
                power_kw,
                pue,
                usd_per_kwh,
            } => {
                purchase_usd / amortisation_months + power_kw * pue * HOURS_PER_MONTH * usd_per_kwh
            }
        }
    }
}

/// Everything TCO needs besides the portfolio's cost per request.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct TcoInputs {
    pub horizon_months: u32,
    /// Volume grows by this fraction each month.
    pub monthly_growth: f64,
    /// Peak output tokens/s over the mean: capacity is sized for the peak.
    pub peak_to_mean: f64,
    pub engineering_usd_per_hour: f64,
    pub api: Engineering,
    pub gateway_usd_per_month: f64,
    pub self_hosted: Engineering,
    /// Output tokens per second one GPU sustains for the model.
    pub tokens_per_s_per_gpu: f64,
    /// Share of a GPU's throughput planned for, in (0, 1].
    pub utilisation_target: f64,
    pub spare_replicas: u32,
    pub gpu: GpuCost,
    /// Uptime of one replica, for the k-of-n availability.
    pub replica_availability: f64,
    pub operations_usd_per_month: f64,
}

/// The workload figures TCO uses.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Volume {
    pub requests_per_month: f64,
    pub input_tokens: f64,
    pub output_tokens: f64,
    /// Expected API cost of one request (the portfolio's `per_request`).
    pub api_usd_per_request: f64,
    /// Costs the plan adds every month whatever the volume (`fixed_monthly_usd`).
    pub api_fixed_usd_per_month: f64,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct TcoMonth {
    pub month: u32,
    pub requests: f64,
    pub api_usd: f64,
    pub self_hosted_usd: f64,
    pub api_cumulative_usd: f64,
    pub self_hosted_cumulative_usd: f64,
    /// GPUs running (needed plus spares).
    pub gpus: u64,
    /// P(at least the needed replicas are up).
    pub self_hosted_availability: f64,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TcoReport {
    pub months: Vec<TcoMonth>,
    pub api_total_usd: f64,
    pub self_hosted_total_usd: f64,
    /// The first month whose cumulative self-hosted cost is at most the API's.
    pub break_even_month: Option<u32>,
    /// Total (input + output) tokens per day above which self-hosting costs less
    /// per month in steady state; `None` if it never does (up to 100,000 GPUs).
    pub break_even_tokens_per_day: Option<f64>,
    /// The lowest monthly self-hosted availability over the horizon.
    pub self_hosted_min_availability: f64,
    pub gpu_usd_per_month: f64,
}

/// GPUs needed (before spares) for `output_tokens_per_s` of mean load.
pub fn gpus_needed(inputs: &TcoInputs, output_tokens_per_s: f64) -> u64 {
    let peak = output_tokens_per_s * inputs.peak_to_mean;
    let per_gpu = inputs.tokens_per_s_per_gpu * inputs.utilisation_target;
    ((peak / per_gpu).ceil() as u64).max(1)
}

/// P(at least `needed` of `total` replicas are up), each up with `a`.
pub fn k_of_n(needed: u64, total: u64, a: f64) -> f64 {
    if needed == 0 {
        return 1.0;
    }
    if needed > total {
        return 0.0;
    }
    match Binomial::new(a, total) {
        // P(X >= needed) = 1 - P(X <= needed - 1)
        Ok(b) => b.sf(needed - 1),
        Err(_) => 0.0,
    }
}

/// Month-by-month costs of both paths over the horizon.
pub fn tco(inputs: &TcoInputs, volume: &Volume) -> TcoReport {
    let rate = inputs.engineering_usd_per_hour;
    let gpu_month = inputs.gpu.per_gpu_month();
    let mut months = Vec::with_capacity(inputs.horizon_months as usize);
    let (mut api_total, mut self_total) = (0.0, 0.0);
    let mut break_even_month = None;
    for m in 1..=inputs.horizon_months {
        let requests = volume.requests_per_month * (1.0 + inputs.monthly_growth).powi(m as i32 - 1);
        let one_off = |e: &Engineering| {
            if m == 1 {
                e.integration_hours * rate
            } else {
                0.0
            }
        };
        let api_usd = requests * volume.api_usd_per_request
            + volume.api_fixed_usd_per_month
            + inputs.gateway_usd_per_month
            + inputs.api.upkeep_hours_per_month * rate
            + one_off(&inputs.api);
        let output_tokens_per_s = requests * volume.output_tokens / (30.0 * SECONDS_PER_DAY);
        let needed = gpus_needed(inputs, output_tokens_per_s);
        let gpus = needed + u64::from(inputs.spare_replicas);
        let self_hosted_usd = gpus as f64 * gpu_month
            + inputs.operations_usd_per_month
            + inputs.self_hosted.upkeep_hours_per_month * rate
            + one_off(&inputs.self_hosted);
        api_total += api_usd;
        self_total += self_hosted_usd;
        if break_even_month.is_none() && self_total <= api_total {
            break_even_month = Some(m);
        }
        months.push(TcoMonth {
            month: m,
            requests,
            api_usd,
            self_hosted_usd,
            api_cumulative_usd: api_total,
            self_hosted_cumulative_usd: self_total,
            gpus,
            self_hosted_availability: k_of_n(needed, gpus, inputs.replica_availability),
        });
    }
    TcoReport {
        self_hosted_min_availability: months
            .iter()
            .map(|m| m.self_hosted_availability)
            .fold(1.0, f64::min),
        months,
        api_total_usd: api_total,
        self_hosted_total_usd: self_total,
        break_even_month,
        break_even_tokens_per_day: break_even_tokens_per_day(inputs, volume),
        gpu_usd_per_month: gpu_month,
    }
}

/// The smallest daily token volume V at which steady monthly API cost
/// `a + b V` reaches the self-hosted cost, a step function of V: constant while
/// the same number of GPUs carries the load.
pub fn break_even_tokens_per_day(inputs: &TcoInputs, volume: &Volume) -> Option<f64> {
    let rate = inputs.engineering_usd_per_hour;
    let tokens_per_request = volume.input_tokens + volume.output_tokens;
    if tokens_per_request <= 0.0 || volume.output_tokens <= 0.0 {
        return None;
    }
    // API monthly cost = fixed + slope * V (V in tokens/day).
    let fixed = volume.api_fixed_usd_per_month
        + inputs.gateway_usd_per_month
        + inputs.api.upkeep_hours_per_month * rate;
    let slope = 30.0 * volume.api_usd_per_request / tokens_per_request;
    let self_fixed =
        inputs.operations_usd_per_month + inputs.self_hosted.upkeep_hours_per_month * rate;
    // k GPUs carry up to this many tokens/day.
    let per_gpu_day = inputs.tokens_per_s_per_gpu * inputs.utilisation_target / inputs.peak_to_mean
        * SECONDS_PER_DAY
        * tokens_per_request
        / volume.output_tokens;
    let gpu_month = inputs.gpu.per_gpu_month();
    let mut low = 0.0;
    for k in 1..=MAX_GPUS {
        let high = k as f64 * per_gpu_day;
        let self_cost = self_fixed + (k + u64::from(inputs.spare_replicas)) as f64 * gpu_month;
        if fixed + slope * low >= self_cost {
            return Some(low);
        }
        if slope > 0.0 {
            let v = (self_cost - fixed) / slope;
            if v <= high {
                return Some(v.max(low));
            }
        }
        low = high;
    }
    None
}

#[cfg(test)]
#[path = "tco_tests.rs"]
mod tests;
