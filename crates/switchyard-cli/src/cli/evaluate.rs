//! `switchyard evaluate PLAN`.

use std::path::PathBuf;

use clap::ValueEnum;

use switchyard::limits;
use switchyard::model::monthly::Period;
use switchyard::model::{EvaluateOptions, Progress, evaluate_with_progress};
use switchyard::report;

use switchyard::export::Format;
use switchyard::export::semantics::gateway_run;

use super::Failure;
use super::export::{GatewayArg, export_failure};
use super::plan_input::LoadedPlan;

#[derive(Debug, clap::Args)]
pub struct EvaluateArgs {
    /// The plan file (TOML, or JSON with a .json extension).
    plan: PathBuf,
    /// Simulated requests for the budget and latency figures.
    #[arg(long, default_value_t = 1_000_000, value_parser = |s: &str| limits::EVALUATE_SAMPLES.parse_u64(s))]
    samples: u64,
    /// Seed of the simulations; the same seed gives the same output.
    #[arg(long, default_value_t = 1, value_parser = |s: &str| limits::SEED.parse_u64(s))]
    seed: u64,
    /// Simulated periods for the SLA distribution.
    #[arg(long, default_value_t = 10_000, value_parser = |s: &str| limits::PERIODS.parse_u64(s))]
    months: u64,
    /// The period whose success ratio the SLA distribution describes.
    #[arg(long, value_enum, default_value_t = PeriodArg::Month)]
    period: PeriodArg,
    /// Print JSON (fields as in PLAN_FORMAT.md) instead of a report.
    #[arg(long)]
    json: bool,
    /// The catalog database that offerings not defined inline come from.
    /// Default: $SWITCHYARD_DB, else the app-data catalog. A self-contained
    /// plan (every offering and group inline and complete) is evaluated
    /// without opening any database unless --db or $SWITCHYARD_DB is given.
    #[arg(long, value_name = "PATH")]
    db: Option<PathBuf>,
    /// Plan on figures observed by `switchyard probe` (error rate, TTFT, speed)
    /// where there are enough probes, and say which figure came from where.
    #[arg(long)]
    observed: bool,
    /// Evaluate the plan as this gateway's exported config will run it (its
    /// retries, backoff, no latency budget, ...); `switchyard lint --format`
    /// lists each difference.
    #[arg(long = "as", value_enum, value_name = "GATEWAY")]
    as_gateway: Option<GatewayArg>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum PeriodArg {
    /// 30 days.
    Month,
    Day,
}

impl From<PeriodArg> for Period {
    fn from(p: PeriodArg) -> Self {
        match p {
            PeriodArg::Month => Period::Month,
            PeriodArg::Day => Period::Day,
        }
    }
}

pub fn run(args: &EvaluateArgs) -> Result<(), Failure> {
    let LoadedPlan {
        file,
        resolved,
        provenance,
        ..
    } = super::plan_input::load(&args.plan, args.db.as_deref(), args.observed)?;
    let gateway = match args.as_gateway.map(Format::from) {
        Some(format) => {
            Some(gateway_run(&resolved, format).map_err(|e| export_failure(&file, &e))?)
        }
        None => None,
    };
    let portfolio = gateway
        .as_ref()
        .map_or(&resolved.portfolio, |run| &run.portfolio);
    let options = EvaluateOptions {
        samples: args.samples,
        seed: args.seed,
        periods: args.months,
        period: args.period.into(),
        target: resolved.target.unwrap_or(EvaluateOptions::default().target),
    };
    let progress = Progress::new();
    let report = super::progress::with_bar(&progress, options.work_units(), || {
        evaluate_with_progress(portfolio, &options, &progress)
    })
    .map_err(|cancelled| Failure(format!("{file}: evaluation {cancelled}")))?;
    if args.json {
        let mut json = serde_json::to_value(&report)
            .map_err(|e| Failure(format!("cannot encode the report: {e}")))?;
        if let (Some(provenance), Some(object)) = (&provenance, json.as_object_mut()) {
            object.insert("figure_sources".to_owned(), serde_json::json!(provenance));
        }
        if let (Some(run), Some(object)) = (&gateway, json.as_object_mut()) {
            object.insert(
                "as_gateway".to_owned(),
                serde_json::json!({ "format": run.format.name(), "differences": run.differences }),
            );
        }
        outln!("{json:#}");
    } else {
        if let Some(run) = &gateway {
            outln!(
                "Evaluated as {} will run it ({} differences from the plan, see `switchyard lint --format {}`)",
                run.format.gateway(),
                run.differences.len(),
                run.format.name()
            );
        }
        out!("{}", report::render(&file, portfolio, &report));
        if let Some(provenance) = &provenance {
            out!("{}", report::render_provenance(provenance));
        }
    }
    Ok(())
}
