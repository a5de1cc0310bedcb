//! `[tco]` of a plan: defaults and validation into [`TcoInputs`].

use serde::Serialize;

use super::error::{PlanError, Problem};
use super::file::{PlanFile, TcoSpec};
use crate::limits::{self, Limit};
use crate::model::tco::{Engineering, GpuCost, TcoInputs, TcoReport, Volume, tco};
use crate::model::{Portfolio, exact};

/// A plan's TCO comparison: its `[tco]` inputs, the API cost per request it
/// assumes, and the month-by-month report (`switchyard tco --json`).
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlanTco {
    pub api_usd_per_request: f64,
    pub inputs: TcoInputs,
    pub report: TcoReport,
}

/// The TCO of `plan` (resolved into `portfolio`); `file` names it in errors.
/// The API side uses the exact expected cost per request (no budget): TCO is a
/// planning total, and the closed form keeps it the same on every run.
pub fn plan_tco(plan: &PlanFile, portfolio: &Portfolio, file: &str) -> Result<PlanTco, PlanError> {
    let invalid = |problems: Vec<Problem>| PlanError::Invalid {
        file: file.to_owned(),
        problems,
    };
    let spec = plan.tco.as_ref().ok_or_else(|| {
        invalid(vec![Problem::new(
            "tco",
            "is missing: add a [tco] section to compare with self-hosting",
        )])
    })?;
    let inputs = resolve_tco(spec).map_err(invalid)?;
    let w = &portfolio.workload;
    let last_month =
        w.requests_per_month * (1.0 + inputs.monthly_growth).powi(inputs.horizon_months as i32 - 1);
    if let Err(reason) = limits::REQUESTS_PER_MONTH.check(last_month) {
        return Err(invalid(vec![Problem::new(
            "tco.monthly_growth",
            format!(
                "grows workload.requests_per_month to {} by month {}, and that volume {reason}",
                limits::show(last_month),
                inputs.horizon_months
            ),
        )]));
    }
    let per_request = exact::figures(portfolio).cost_per_request;
    let volume = Volume {
        requests_per_month: w.requests_per_month,
        input_tokens: w.input_tokens,
        output_tokens: w.output_tokens,
        api_usd_per_request: per_request,
        api_fixed_usd_per_month: w.fixed_monthly_usd,
    };
    Ok(PlanTco {
        api_usd_per_request: per_request,
        report: tco(&inputs, &volume),
        inputs,
    })
}

/// What `[tco]` takes for a field it leaves out: the one definition the
/// engine resolves with and the TCO page shows in an empty box.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct TcoDefaults {
    pub monthly_growth: f64,
    pub peak_to_mean: f64,
    pub gateway_usd_per_month: f64,
    pub integration_hours: f64,
    pub upkeep_hours_per_month: f64,
    pub utilisation_target: f64,
    pub spare_replicas: u32,
    pub replica_availability: f64,
    pub operations_usd_per_month: f64,
    pub power_kw: f64,
    pub pue: f64,
    pub usd_per_kwh: f64,
}

pub const TCO_DEFAULTS: TcoDefaults = TcoDefaults {
    monthly_growth: 0.0,
    // A day's peak hour carries about twice the mean load.
    peak_to_mean: 2.0,
    gateway_usd_per_month: 0.0,
    integration_hours: 0.0,
    upkeep_hours_per_month: 0.0,
    // Headroom for bursts on each GPU.
    utilisation_target: 0.6,
    spare_replicas: 1,
    replica_availability: 0.99,
    operations_usd_per_month: 0.0,
    power_kw: 0.0,
    // A typical data centre's power usage effectiveness.
    pue: 1.4,
    usd_per_kwh: 0.0,
};

/// Validates a `[tco]` section; all problems at once, with their field paths.
pub fn resolve_tco(spec: &TcoSpec) -> Result<TcoInputs, Vec<Problem>> {
    let mut problems = Vec::new();
    let mut check = |field: &str, value: f64, limit: &Limit| {
        if let Err(reason) = limit.check(value) {
            problems.push(Problem::new(format!("tco.{field}"), reason));
        }
    };
    check(
        "horizon_months",
        f64::from(spec.horizon_months),
        &limits::TCO_HORIZON_MONTHS,
    );
    let growth = spec.monthly_growth.unwrap_or(TCO_DEFAULTS.monthly_growth);
    check("monthly_growth", growth, &limits::TCO_MONTHLY_GROWTH);
    let peak = spec.peak_to_mean.unwrap_or(TCO_DEFAULTS.peak_to_mean);
    check("peak_to_mean", peak, &limits::TCO_PEAK_TO_MEAN);
    let rate = spec.engineering_usd_per_hour;
    check("engineering_usd_per_hour", rate, &limits::TCO_USD_PER_HOUR);
    let gateway = spec
        .gateway_usd_per_month
        .unwrap_or(TCO_DEFAULTS.gateway_usd_per_month);
    check("gateway_usd_per_month", gateway, &limits::TCO_USD_PER_MONTH);
    let api = spec.api.clone().unwrap_or_default();
    let api = Engineering {
        integration_hours: api
            .integration_hours
            .unwrap_or(TCO_DEFAULTS.integration_hours),
        upkeep_hours_per_month: api
            .upkeep_hours_per_month
            .unwrap_or(TCO_DEFAULTS.upkeep_hours_per_month),
    };
    check(
        "api.integration_hours",
        api.integration_hours,
        &limits::TCO_INTEGRATION_HOURS,
    );
    check(
        "api.upkeep_hours_per_month",
        api.upkeep_hours_per_month,
        &limits::TCO_UPKEEP_HOURS,
    );
    let s = &spec.self_hosted;
    let self_hosted = Engineering {
        integration_hours: s
            .integration_hours
            .unwrap_or(TCO_DEFAULTS.integration_hours),
        upkeep_hours_per_month: s
            .upkeep_hours_per_month
            .unwrap_or(TCO_DEFAULTS.upkeep_hours_per_month),
    };
    check(
        "self_hosted.integration_hours",
        self_hosted.integration_hours,
        &limits::TCO_INTEGRATION_HOURS,
    );
    check(
        "self_hosted.upkeep_hours_per_month",
        self_hosted.upkeep_hours_per_month,
        &limits::TCO_UPKEEP_HOURS,
    );
    check(
        "self_hosted.tokens_per_s_per_gpu",
        s.tokens_per_s_per_gpu,
        &limits::TCO_TOKENS_PER_S_PER_GPU,
    );
    let utilisation = s
        .utilisation_target
        .unwrap_or(TCO_DEFAULTS.utilisation_target);
    check(
        "self_hosted.utilisation_target",
        utilisation,
        &limits::TCO_UTILISATION_TARGET,
    );
    let spares = s.spare_replicas.unwrap_or(TCO_DEFAULTS.spare_replicas);
    check(
        "self_hosted.spare_replicas",
        f64::from(spares),
        &limits::TCO_SPARE_REPLICAS,
    );
    let replica = s
        .replica_availability
        .unwrap_or(TCO_DEFAULTS.replica_availability);
    check(
        "self_hosted.replica_availability",
        replica,
        &limits::TCO_REPLICA_AVAILABILITY,
    );
    let operations = s
        .operations_usd_per_month
        .unwrap_or(TCO_DEFAULTS.operations_usd_per_month);
    check(
        "self_hosted.operations_usd_per_month",
        operations,
        &limits::TCO_USD_PER_MONTH,
    );
    let mut amortisation_missing = false;
    let gpu = match (s.gpu_usd_per_hour, s.gpu_purchase_usd) {
        (Some(usd_per_hour), None) => {
            check(
                "self_hosted.gpu_usd_per_hour",
                usd_per_hour,
                &limits::TCO_USD_PER_HOUR,
            );
            Some(GpuCost::Rent { usd_per_hour })
        }
        (None, Some(purchase_usd)) => {
            let power_kw = s.power_kw.unwrap_or(TCO_DEFAULTS.power_kw);
            let pue = s.pue.unwrap_or(TCO_DEFAULTS.pue);
            let usd_per_kwh = s.usd_per_kwh.unwrap_or(TCO_DEFAULTS.usd_per_kwh);
            check(
                "self_hosted.gpu_purchase_usd",
                purchase_usd,
                &limits::TCO_GPU_PURCHASE_USD,
            );
            let amortisation_months = match s.amortisation_months {
                Some(months) => {
                    check(
                        "self_hosted.amortisation_months",
                        months,
                        &limits::TCO_AMORTISATION_MONTHS,
                    );
                    months
                }
                None => {
                    amortisation_missing = true;
                    f64::NAN
                }
            };
            check("self_hosted.power_kw", power_kw, &limits::TCO_POWER_KW);
            check("self_hosted.pue", pue, &limits::TCO_PUE);
            check(
                "self_hosted.usd_per_kwh",
                usd_per_kwh,
                &limits::TCO_USD_PER_KWH,
            );
            Some(GpuCost::Own {
                purchase_usd,
                amortisation_months,
                power_kw,
                pue,
                usd_per_kwh,
            })
        }
        _ => None,
    };
    if amortisation_missing {
        problems.push(Problem::new(
            "tco.self_hosted.amortisation_months",
            "is missing: required with gpu_purchase_usd",
        ));
    }
    let Some(gpu) = gpu else {
        problems.push(Problem::new(
            "tco.self_hosted",
            "give either gpu_usd_per_hour (rent) or gpu_purchase_usd with amortisation_months (own), not both",
        ));
        return Err(problems);
    };
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(TcoInputs {
        horizon_months: spec.horizon_months,
        monthly_growth: growth,
        peak_to_mean: peak,
        engineering_usd_per_hour: rate,
        api,
        gateway_usd_per_month: gateway,
        self_hosted,
        tokens_per_s_per_gpu: s.tokens_per_s_per_gpu,
        utilisation_target: utilisation,
        spare_replicas: spares,
        gpu,
        replica_availability: replica,
        operations_usd_per_month: operations,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::{Format, parse};

    const BASE: &str = r#"
[workload]
requests_per_month = 1000
input_tokens = 100
output_tokens = 50

[[routes]]
name = "r"
steps = [{ offering = "x", timeout_ms = 1000 }]

[tco]
horizon_months = 24
monthly_growth = 0.05
engineering_usd_per_hour = 150

[tco.api]
integration_hours = 40

[tco.self_hosted]
tokens_per_s_per_gpu = 2500
gpu_usd_per_hour = 2.5
operations_usd_per_month = 12000
"#;

    fn problems(text: &str) -> Vec<String> {
        let plan = parse(text, Format::Toml, "p.toml").expect("parses");
        match resolve_tco(plan.tco.as_ref().expect("tco")) {
            Ok(_) => vec![],
            Err(p) => p.iter().map(ToString::to_string).collect(),
        }
    }

    #[test]
    fn a_rented_gpu_plan_resolves_with_defaults() {
        let plan = parse(BASE, Format::Toml, "p.toml").expect("parses");
        let inputs = resolve_tco(plan.tco.as_ref().expect("tco")).expect("valid");
        assert_eq!(inputs.gpu, GpuCost::Rent { usd_per_hour: 2.5 });
        assert_eq!(
            (
                inputs.utilisation_target,
                inputs.spare_replicas,
                inputs.peak_to_mean
            ),
            (0.6, 1, 2.0)
        );
        assert_eq!(inputs.api.integration_hours, 40.0);
    }

    #[test]
    fn bad_fields_are_named() {
        assert_eq!(
            problems(&BASE.replace("monthly_growth = 0.05", "monthly_growth = 3")),
            vec!["tco.monthly_growth: 3 is out of range: must be at least -0.5 and at most 1"]
        );
        assert_eq!(
            problems(&BASE.replace("gpu_usd_per_hour = 2.5", "gpu_purchase_usd = 30000")),
            vec!["tco.self_hosted.amortisation_months: is missing: required with gpu_purchase_usd"]
        );
        assert_eq!(
            problems(&BASE.replace("gpu_usd_per_hour = 2.5\n", "")),
            vec![
                "tco.self_hosted: give either gpu_usd_per_hour (rent) or gpu_purchase_usd with amortisation_months (own), not both"
            ]
        );
        let typo = parse(
            &BASE.replace("tokens_per_s_per_gpu", "tokens_per_gpu"),
            Format::Toml,
            "p.toml",
        );
        assert!(typo.is_err_and(|e| e.to_string().contains("unknown field `tokens_per_gpu`")));
    }
}
