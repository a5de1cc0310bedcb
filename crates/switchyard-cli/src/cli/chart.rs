//! `switchyard chart KIND PLAN --out FILE`: the plotters charts of a plan, as SVG
//! or PNG by the file's extension. The figures come from the engine; this only
//! gathers them into the chart's data.

use std::path::PathBuf;

use clap::ValueEnum;

use switchyard::app::charts::{self, PlanChart};
use switchyard::app::compare::{self, CompareChart};
use switchyard::app::{self, ChartOptions, CompareOptions, SearchOptions, SimOptions, search};
use switchyard::chart::{Chart, render_to_file};
use switchyard::model::Progress;
use switchyard::model::monthly::Period;
use switchyard::plan::plan_tco;

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
    /// P(a month, or day, reaches each availability): the SLA distribution's
    /// exceedance curve.
    Exceedance,
    /// Attempts a minute each rate-limited offering is sent over the UTC day,
    /// against its binding limit, with the peak minute (no simulation).
    Capacity,
    /// Two to six plans: their monthly SLA exceedance curves overlaid.
    CompareSla,
    /// Two to six plans: their latency CDFs, with the budgets.
    CompareLatency,
    /// Two to six plans: cost per request by step.
    CompareCost,
    /// Two to six plans: monthly cost against availability (with --search,
    /// over that plan's searched plans).
    CompareFrontier,
}

#[derive(Debug, clap::Args)]
pub struct ChartArgs {
    #[arg(value_enum)]
    kind: Kind,
    /// The plan file (two to six for the compare-* charts).
    #[arg(required = true, num_args = 1..=6)]
    plans: Vec<PathBuf>,
    /// Where to write the chart: .svg or .png.
    #[arg(long)]
    out: PathBuf,
    #[arg(long, default_value_t = ChartOptions::default().samples, value_parser = |s: &str| ChartOptions::SAMPLES.parse_u64(s))]
    samples: u64,
    #[arg(long, default_value_t = ChartOptions::default().seed, value_parser = |s: &str| switchyard::app::SimOptions::SEED.parse_u64(s))]
    seed: u64,
    #[arg(long, default_value_t = ChartOptions::default().months, value_parser = |s: &str| switchyard::app::SimOptions::MONTHS.parse_u64(s))]
    months: u64,
    /// Describe days instead of 30-day months (sla, exceedance).
    #[arg(long)]
    daily: bool,
    #[arg(long, value_name = "PATH")]
    db: Option<PathBuf>,
    #[arg(long)]
    observed: bool,
    /// compare-frontier: draw this plan's [search] frontier behind the plans.
    #[arg(long, value_name = "PLAN")]
    search: Option<PathBuf>,
    /// compare-*: the SLA target every plan is taken at (default: the first
    /// plan's [target], else 99.99%).
    #[arg(long, value_parser = |s: &str| switchyard::app::CompareOptions::TARGET.parse_f64(s))]
    target: Option<f64>,
}

impl Kind {
    /// The charts of a plan's own simulation.
    fn of_plan(self) -> Option<PlanChart> {
        match self {
            Kind::Latency => Some(PlanChart::Latency),
            Kind::Sla => Some(PlanChart::Sla),
            Kind::Cost => Some(PlanChart::Cost),
            Kind::Exceedance => Some(PlanChart::Exceedance),
            Kind::Capacity => Some(PlanChart::Capacity),
            _ => None,
        }
    }

    /// The comparison charts, which take several plans.
    fn of_comparison(self) -> Option<CompareChart> {
        match self {
            Kind::CompareSla => Some(CompareChart::Sla),
            Kind::CompareLatency => Some(CompareChart::Latency),
            Kind::CompareCost => Some(CompareChart::Cost),
            Kind::CompareFrontier => Some(CompareChart::Frontier),
            _ => None,
        }
    }
}

impl ChartArgs {
    /// The one plan of a single-plan chart.
    fn plan(&self) -> Result<&PathBuf, Failure> {
        match self.plans.as_slice() {
            [plan] => Ok(plan),
            _ => Err(Failure(format!(
                "chart {} takes one plan, not {}; the compare-* charts take several",
                self.kind
                    .to_possible_value()
                    .map_or_else(String::new, |v| v.get_name().to_owned()),
                self.plans.len()
            ))),
        }
    }

    fn options(&self) -> ChartOptions {
        ChartOptions {
            samples: self.samples,
            seed: self.seed,
            months: self.months,
            period: if self.daily {
                Period::Day
            } else {
                Period::Month
            },
        }
    }
}

/// A comparison chart of the plans (see `switchyard compare`).
fn comparison(args: &ChartArgs, kind: CompareChart) -> Result<Chart, Failure> {
    if args.plans.len() < 2 {
        return Err(Failure(format!(
            "a compare chart takes two to six plans, not {}",
            args.plans.len()
        )));
    }
    let pinned = super::compare::load(&args.plans)?;
    let options = args.options();
    let compare_options = CompareOptions {
        sim: SimOptions {
            seed: options.seed,
            months: options.months,
            period: options.period,
            ..SimOptions::default()
        },
        baseline: 0,
        target: args.target,
    };
    let progress = Progress::new();
    let always = switchyard::catalog::explicit_db_path(args.db.as_deref()).is_some();
    let compared = compare::compare(
        &pinned,
        &compare_options,
        always,
        || switchyard::catalog::Catalog::open_chosen(args.db.as_deref()),
        &progress,
    )?;
    let search =
        super::compare::search_points(args.search.as_deref(), args.db.as_deref(), options.seed)?;
    Ok(compare::compare_chart(
        kind, &compared, &options, &search, &progress,
    )?)
}

pub fn run(args: &ChartArgs) -> Result<(), Failure> {
    let chart = if let Some(kind) = args.kind.of_comparison() {
        comparison(args, kind)?
    } else if args.kind == Kind::Frontier {
        frontier(args)?
    } else {
        let loaded = super::plan_input::load(args.plan()?, args.db.as_deref(), args.observed)?;
        let resolved = &loaded.resolution.resolved;
        match (args.kind.of_plan(), &loaded.resolution.catalog) {
            (Some(kind), _) => {
                let options = args.options();
                let history = app::history::group_curves(
                    loaded.resolution.catalog.as_ref(),
                    &resolved.portfolio,
                    options.period,
                )?;
                charts::plan_chart(
                    kind,
                    &resolved.portfolio,
                    resolved.target,
                    &history,
                    &options,
                    &Progress::new(),
                )
                .map_err(|e| Failure(format!("{}: {e}", loaded.file)))?
            }
            (None, _) if args.kind == Kind::Tco => {
                charts::tco(&plan_tco(&loaded.plan, &resolved.portfolio, &loaded.file)?)
            }
            (None, Some(catalog)) => charts::probes(
                catalog,
                resolved.portfolio.offerings.iter().map(|o| o.id.as_str()),
            )?,
            (None, None) => {
                let catalog = super::catalog::open(args.db.as_deref())?;
                charts::probes(
                    &catalog,
                    resolved.portfolio.offerings.iter().map(|o| o.id.as_str()),
                )?
            }
        }
    };
    render_to_file(&chart, &args.out)
        .map_err(|e| Failure(format!("{}: {e}", args.out.display())))?;
    eprintln!("wrote {}", args.out.display());
    Ok(())
}

/// The frontier of the plan's `[search]` (see [`search::frontier_chart`]),
/// its points simulated with at most the search's default sample count: the
/// chart shows cost and availability, which need no simulation.
fn frontier(args: &ChartArgs) -> Result<Chart, Failure> {
    let options = SearchOptions {
        samples: args.samples.min(SearchOptions::default().samples),
        seed: args.seed,
    };
    let run = super::search::compute(args.plan()?, args.db.as_deref(), &options, None)?;
    Ok(Chart::Frontier(search::frontier_chart(&run)))
}
