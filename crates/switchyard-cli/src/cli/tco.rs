//! `switchyard tco PLAN`: the API portfolio against self-hosting, over the
//! horizon of the plan's `[tco]` section.

use std::path::PathBuf;

use switchyard::format;
use switchyard::plan::{PlanTco, plan_tco};

use super::Failure;

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

pub fn run(args: &TcoArgs) -> Result<(), Failure> {
    let loaded = super::plan_input::load(&args.plan, args.db.as_deref(), args.observed)?;
    let computed = plan_tco(
        &loaded.plan,
        &loaded.resolution.resolved.portfolio,
        &loaded.file,
    )?;
    if args.json {
        let json = serde_json::to_value(&computed)
            .map_err(|e| Failure(format!("cannot encode the report: {e}")))?;
        outln!("{json:#}");
        return Ok(());
    }
    let PlanTco {
        inputs,
        api_usd_per_request: per_request,
        report: result,
    } = computed;
    outln!(
        "TCO of {} over {} months",
        loaded.file,
        inputs.horizon_months
    );
    outln!(
        "  API cost per request {}, volume growing {:.1}% a month; a GPU costs {} a month",
        format::usd(per_request),
        inputs.monthly_growth * 100.0,
        format::usd(result.gpu_usd_per_month)
    );
    outln!(
        "\n  {:>5}  {:>14}  {:>14}  {:>16}  {:>16}  {:>5}  {:>12}",
        "month",
        "requests",
        "API",
        "self-hosted",
        "API total",
        "GPUs",
        "SH avail."
    );
    for m in &result.months {
        outln!(
            "  {:>5}  {:>14}  {:>14}  {:>16}  {:>16}  {:>5}  {:>12}",
            m.month,
            format::count(m.requests),
            format::usd(m.api_usd),
            format::usd(m.self_hosted_usd),
            format::usd(m.api_cumulative_usd),
            m.gpus,
            format::percent(m.self_hosted_availability)
        );
    }
    outln!(
        "\n  total: API {}, self-hosted {}",
        format::usd(result.api_total_usd),
        format::usd(result.self_hosted_total_usd)
    );
    match result.break_even_month {
        Some(m) => outln!("  self-hosting has cost less in total from month {m} on"),
        None => outln!("  self-hosting costs more in total over the whole horizon"),
    }
    match result.break_even_tokens_per_day {
        Some(v) => outln!(
            "  break-even volume: {} tokens/day (steady state, one-offs left out)",
            format::count(v)
        ),
        None => outln!(
            "  break-even volume: none (the API stays cheaper at any volume up to 100,000 GPUs)"
        ),
    }
    outln!(
        "  self-hosted availability (k of n replicas up): at least {}",
        format::percent(result.self_hosted_min_availability)
    );
    Ok(())
}
