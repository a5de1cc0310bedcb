//! `switchyard tco PLAN`: the API portfolio against self-hosting, over the
//! horizon of the plan's `[tco]` section.

use std::path::PathBuf;

use switchyard::model::exact;
use switchyard::model::tco::{TcoInputs, TcoReport, Volume, tco};
use switchyard::plan::{PlanError, Problem, resolve_tco};
use switchyard::report;

use super::Failure;
use super::plan_input::LoadedPlan;

#[derive(Debug, clap::Args)]
pub struct TcoArgs {
    /// The plan file, with a [tco] section.
    plan: PathBuf,
    /// The catalog database (default: SWITCHYARD_DB, then the app-data dir).
    #[arg(long, value_name = "PATH")]
    db: Option<PathBuf>,
    /// Plan on figures observed by `switchyard probe`.
    #[arg(long)]
    observed: bool,
    #[arg(long)]
    json: bool,
}

/// A loaded plan's `[tco]` inputs, its exact API cost per request and the TCO
/// report: shared by `switchyard tco` and `switchyard chart tco`.
pub fn compute(loaded: &LoadedPlan) -> Result<(TcoInputs, f64, TcoReport), Failure> {
    let invalid = |problems: Vec<Problem>| PlanError::Invalid {
        file: loaded.file.clone(),
        problems,
    };
    let spec = loaded.plan.tco.as_ref().ok_or_else(|| {
        invalid(vec![Problem::new(
            "tco",
            "is missing: add a [tco] section to compare with self-hosting",
        )])
    })?;
    let inputs = resolve_tco(spec).map_err(invalid)?;
    let portfolio = &loaded.resolved.portfolio;
    // The exact expected cost per request (no budget): TCO is a planning total,
    // and the closed form keeps it exact and the same on every run.
    let per_request = exact::figures(portfolio).cost_per_request;
    let w = &portfolio.workload;
    let volume = Volume {
        requests_per_month: w.requests_per_month,
        input_tokens: w.input_tokens,
        output_tokens: w.output_tokens,
        api_usd_per_request: per_request,
        api_fixed_usd_per_month: w.fixed_monthly_usd,
    };
    let report = tco(&inputs, &volume);
    Ok((inputs, per_request, report))
}

pub fn run(args: &TcoArgs) -> Result<(), Failure> {
    let loaded = super::plan_input::load(&args.plan, args.db.as_deref(), args.observed)?;
    let (inputs, per_request, result) = compute(&loaded)?;
    if args.json {
        let json = serde_json::json!({
            "api_usd_per_request": per_request,
            "inputs": inputs,
            "report": result,
        });
        println!("{json:#}");
        return Ok(());
    }
    println!(
        "TCO of {} over {} months",
        loaded.file, inputs.horizon_months
    );
    println!(
        "  API cost per request {}, volume growing {:.1}% a month; a GPU costs {} a month",
        report::usd(per_request),
        inputs.monthly_growth * 100.0,
        report::usd(result.gpu_usd_per_month)
    );
    println!(
        "\n  {:>5}  {:>14}  {:>14}  {:>16}  {:>16}  {:>5}  {:>12}",
        "month", "requests", "API", "self-hosted", "API total", "GPUs", "SH avail."
    );
    for m in &result.months {
        println!(
            "  {:>5}  {:>14}  {:>14}  {:>16}  {:>16}  {:>5}  {:>12}",
            m.month,
            report::count(m.requests),
            report::usd(m.api_usd),
            report::usd(m.self_hosted_usd),
            report::usd(m.api_cumulative_usd),
            m.gpus,
            report::percent(m.self_hosted_availability)
        );
    }
    println!(
        "\n  total: API {}, self-hosted {}",
        report::usd(result.api_total_usd),
        report::usd(result.self_hosted_total_usd)
    );
    match result.break_even_month {
        Some(m) => println!("  self-hosting has cost less in total from month {m} on"),
        None => println!("  self-hosting costs more in total over the whole horizon"),
    }
    match result.break_even_tokens_per_day {
        Some(v) => println!(
            "  break-even volume: {} tokens/day (steady state, one-offs left out)",
            report::count(v)
        ),
        None => println!(
            "  break-even volume: none (the API stays cheaper at any volume up to 100,000 GPUs)"
        ),
    }
    println!(
        "  self-hosted availability (k of n replicas up): at least {}",
        report::percent(result.self_hosted_min_availability)
    );
    Ok(())
}
