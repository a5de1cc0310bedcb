//! `switchyard chart KIND PLAN --out FILE`: the plotters charts of a plan, as SVG
//! or PNG by the file's extension. The figures come from the engine; this only
//! gathers them into the chart's data.

use std::path::PathBuf;

use clap::ValueEnum;

use switchyard::chart::{Chart, build, render_to_file};
use switchyard::limits;
use switchyard::model::monthly::Period;
use switchyard::model::simulate::simulate;
use switchyard::model::{EvaluateOptions, Progress};
use switchyard::plan::plan_tco;
use switchyard::search_run;

use super::Failure;

#[derive(Debug, Clone, Copy, PartialEq, ValueEnum)]
enum Kind {
    /// The Pareto frontier of the plan's [search]: cost against availability.
    Frontier,
    /// Latency CDF of successful requests, with the budget.
    Latency,
    /// Distribution of monthly (or daily) availability, with the target.
    Sla,
    /// Cost per request by route and step: first tries, retries, cut attempts.
    Cost,
    /// TCO: cumulative cost of both paths and the break-even point.
    Tco,
    /// Probe TTFT and errors over time, per offering of the plan.
    Probes,
}

#[derive(Debug, clap::Args)]
pub struct ChartArgs {
    #[arg(value_enum)]
    kind: Kind,
    /// The plan file.
    plan: PathBuf,
    /// Where to write the chart: .svg or .png.
    #[arg(long)]
    out: PathBuf,
    #[arg(long, default_value_t = 200_000, value_parser = |s: &str| limits::CHART_SAMPLES.parse_u64(s))]
    samples: u64,
    #[arg(long, default_value_t = 1, value_parser = |s: &str| limits::SEED.parse_u64(s))]
    seed: u64,
    #[arg(long, default_value_t = 10_000, value_parser = |s: &str| limits::PERIODS.parse_u64(s))]
    months: u64,
    /// Describe days instead of 30-day months (sla).
    #[arg(long)]
    daily: bool,
    #[arg(long, value_name = "PATH")]
    db: Option<PathBuf>,
    #[arg(long)]
    observed: bool,
}

pub fn run(args: &ChartArgs) -> Result<(), Failure> {
    if args.kind == Kind::Frontier {
        let chart = frontier(args)?;
        return render_to_file(&chart, &args.out)
            .map_err(|e| Failure(format!("{}: {e}", args.out.display())));
    }
    let loaded = super::plan_input::load(&args.plan, args.db.as_deref(), args.observed)?;
    let portfolio = &loaded.resolved.portfolio;
    let chart = match args.kind {
        Kind::Frontier => unreachable!("drawn before the plan is resolved"),
        Kind::Latency => Chart::LatencyCdf(build::latency(
            portfolio,
            &simulate(portfolio, args.samples, args.seed),
        )),
        Kind::Sla => {
            let period = if args.daily {
                Period::Day
            } else {
                Period::Month
            };
            let target = loaded
                .resolved
                .target
                .unwrap_or(EvaluateOptions::default().target);
            let data = build::sla(
                portfolio,
                period,
                args.months,
                args.seed,
                target,
                &Progress::new(),
            )
            .map_err(|e| Failure(format!("{}: {e}", loaded.file)))?;
            Chart::Sla(data)
        }
        Kind::Cost => Chart::Cost(build::cost(
            portfolio,
            &simulate(portfolio, args.samples, args.seed),
        )),
        Kind::Tco => {
            let computed = plan_tco(&loaded.plan, portfolio, &loaded.file)?;
            Chart::Tco(build::tco(&computed.report))
        }
        Kind::Probes => {
            let catalog = super::catalog::open(args.db.as_deref())?;
            Chart::Probes(build::probes(&catalog, portfolio)?)
        }
    };
    render_to_file(&chart, &args.out).map_err(|e| Failure(e.to_string()))?;
    eprintln!("wrote {}", args.out.display());
    Ok(())
}

/// The frontier of the plan's `[search]` (see [`search_run::frontier_chart`]).
fn frontier(args: &ChartArgs) -> Result<Chart, Failure> {
    let run = super::search::compute(
        &args.plan,
        args.db.as_deref(),
        args.samples.min(100_000),
        args.seed,
    )?;
    Ok(Chart::Frontier(search_run::frontier_chart(&run)))
}
