//! `switchyard compare PLAN PLAN...` and `switchyard report PLAN [PLAN...]`:
//! portfolios side by side, as text, JSON or a self-contained HTML report.

use std::path::{Path, PathBuf};

use switchyard::app::CompareOptions;
use switchyard::app::compare::{self, ComparedPlans, Pinned};
use switchyard::catalog::{Catalog, explicit_db_path};
use switchyard::chart::FrontierPoint;
use switchyard::model::Progress;
use switchyard::plan;
use switchyard::report;

use super::Failure;
use super::sim_flags::SimFlags;

/// The options every comparison takes.
#[derive(Debug, clap::Args)]
pub struct CompareFlags {
    /// The portfolio the differences are taken from, counting from 1.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u64).range(1..=6))]
    baseline: u64,
    /// The SLA target every plan's P(month meets target) is taken at.
    /// Default: the baseline plan's [target], else 99.99%.
    #[arg(long, value_parser = |s: &str| CompareOptions::TARGET.parse_f64(s))]
    target: Option<f64>,
    #[command(flatten)]
    sim: SimFlags,
    /// The catalog database that offerings not defined inline come from.
    #[arg(long, value_name = "PATH")]
    db: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
pub struct CompareArgs {
    /// Two to six plan files.
    #[arg(required = true, num_args = 2..=6)]
    plans: Vec<PathBuf>,
    #[command(flatten)]
    flags: CompareFlags,
    /// Print JSON (the comparison as the app and the report show it).
    #[arg(long)]
    json: bool,
}

#[derive(Debug, clap::Args)]
pub struct ReportArgs {
    /// One to six plan files.
    #[arg(required = true, num_args = 1..=6)]
    plans: Vec<PathBuf>,
    /// Where to write the report (.html).
    #[arg(long)]
    out: PathBuf,
    /// Draw this plan's [search] frontier behind the portfolios.
    #[arg(long, value_name = "PLAN")]
    search: Option<PathBuf>,
    #[command(flatten)]
    flags: CompareFlags,
}

impl CompareFlags {
    fn options(&self) -> CompareOptions {
        CompareOptions {
            sim: self.sim.options(),
            // clap keeps the value in 1..=6.
            baseline: (self.baseline - 1) as usize,
            target: self.target,
        }
    }
}

/// The plans as pinned portfolios, each named by its file stem (its path
/// where two stems are the same).
pub fn load(paths: &[PathBuf]) -> Result<Vec<Pinned>, Failure> {
    let stem = |p: &Path| {
        p.file_stem().map_or_else(
            || p.display().to_string(),
            |s| s.to_string_lossy().into_owned(),
        )
    };
    paths
        .iter()
        .map(|path| {
            let clash = paths.iter().filter(|p| stem(p) == stem(path)).count() > 1;
            Ok(Pinned {
                label: if clash {
                    path.display().to_string()
                } else {
                    stem(path)
                },
                file: Some(path.display().to_string()),
                plan: plan::load(path)?,
            })
        })
        .collect()
}

/// Evaluates the pinned plans, with a progress bar when it is long.
pub fn compute(
    pinned: &[Pinned],
    flags: &CompareFlags,
) -> Result<(ComparedPlans, CompareOptions), Failure> {
    let options = flags.options();
    let progress = Progress::new();
    let always = explicit_db_path(flags.db.as_deref()).is_some();
    let work = compare::work_units(&options, pinned.len());
    let compared = super::progress::with_bar(&progress, work, || {
        compare::compare(
            pinned,
            &options,
            always,
            || Catalog::open_chosen(flags.db.as_deref()),
            &progress,
        )
    })?;
    Ok((compared, options))
}

pub fn run(args: &CompareArgs) -> Result<(), Failure> {
    let pinned = load(&args.plans)?;
    let (compared, _) = compute(&pinned, &args.flags)?;
    if args.json {
        let json = serde_json::to_string_pretty(&compared.comparison)
            .map_err(|e| Failure(format!("cannot encode the comparison: {e}")))?;
        outln!("{json}");
    } else {
        out!("{}", report::comparison::render(&compared.comparison));
    }
    Ok(())
}

pub fn run_report(args: &ReportArgs) -> Result<(), Failure> {
    let pinned = load(&args.plans)?;
    let (compared, options) = compute(&pinned, &args.flags)?;
    let search = search_points(
        args.search.as_deref(),
        args.flags.db.as_deref(),
        options.sim.seed,
    )?;
    let html = compare::report(
        &compared,
        &pinned,
        &compare::chart_options(&options),
        &search,
        &Progress::new(),
    )?;
    std::fs::write(&args.out, html)
        .map_err(|e| Failure(format!("cannot write {}: {e}", args.out.display())))?;
    eprintln!("wrote {}", args.out.display());
    Ok(())
}

/// The searched plans of `plan`'s [search], to draw behind the portfolios;
/// none without a plan.
pub fn search_points(
    plan: Option<&Path>,
    db: Option<&Path>,
    seed: u64,
) -> Result<Vec<FrontierPoint>, Failure> {
    let Some(plan) = plan else {
        return Ok(Vec::new());
    };
    let options = switchyard::app::SearchOptions {
        seed,
        ..switchyard::app::SearchOptions::default()
    };
    let run = super::search::compute(plan, db, &options, None)?;
    Ok(switchyard::app::search::frontier_chart(&run).points)
}
