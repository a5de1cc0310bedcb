//! `switchyard search PLAN`: the Pareto frontier of the plan's `[search]`, as a
//! table or JSON, optionally written out as one plan file per point.

use std::path::{Path, PathBuf};

use switchyard::app::SearchOptions;
use switchyard::app::search::{self, SearchRun, needs_catalog};
use switchyard::catalog::{Catalog, explicit_db_path};
use switchyard::format;
use switchyard::model::Progress;
use switchyard::plan::{self, point_plan, skipped_by_kind};

use super::Failure;

#[derive(Debug, clap::Args)]
pub struct SearchArgs {
    /// The plan file, with a [search] section.
    plan: PathBuf,
    /// The catalog database (default: SWITCHYARD_DB, then the app-data dir).
    #[arg(long, value_name = "PATH")]
    db: Option<PathBuf>,
    /// Simulated requests per frontier point, for its latency figures.
    #[arg(long, default_value_t = SearchOptions::default().samples, value_parser = |s: &str| SearchOptions::SAMPLES.parse_u64(s))]
    samples: u64,
    #[arg(long, default_value_t = SearchOptions::default().seed, value_parser = |s: &str| switchyard::app::SimOptions::SEED.parse_u64(s))]
    seed: u64,
    /// What the frontier trades off, overriding the plan's `[search]
    /// objectives`: `cost,availability` and any of `p95`,
    /// `success_within_budget` (checked as the plan's list is).
    #[arg(long, value_name = "LIST", value_delimiter = ',')]
    objectives: Option<Vec<String>>,
    /// Write each frontier point as a plan file into this directory.
    #[arg(long, value_name = "DIR")]
    emit_plans: Option<PathBuf>,
    #[arg(long)]
    json: bool,
}

/// Loads the plan, opens the catalog when the search needs it, and runs it.
pub fn compute(
    path: &Path,
    db: Option<&Path>,
    options: &SearchOptions,
    objectives: Option<&[String]>,
) -> Result<SearchRun, Failure> {
    let file = path.display().to_string();
    let mut plan = plan::load(path)?;
    if let (Some(spec), Some(list)) = (plan.search.as_mut(), objectives) {
        spec.objectives = Some(list.to_vec());
    }
    let catalog = if needs_catalog(&plan, explicit_db_path(db).is_some()) {
        Some(Catalog::open_chosen(db)?)
    } else {
        None
    };
    // A two-objective search takes well under a second, one with p95 at
    // the cap of options a few seconds (BENCHMARKS.md): a bar once it has
    // run for half a second.
    let progress = Progress::new();
    let counted = &progress;
    // The catalog moves to the search's thread (a connection is not shared).
    Ok(super::progress::with_growing_bar(
        &progress,
        "searching",
        move || search::run(plan, catalog.as_ref(), options, &file, counted),
    )?)
}

pub fn run(args: &SearchArgs) -> Result<(), Failure> {
    let options = SearchOptions {
        samples: args.samples,
        seed: args.seed,
    };
    let run = compute(
        &args.plan,
        args.db.as_deref(),
        &options,
        args.objectives.as_deref(),
    )?;
    if let Some(dir) = &args.emit_plans {
        emit_plans(&run, dir)?;
    }
    if args.json {
        let mut json = serde_json::json!({
            "skipped": run.search.skipped,
            "search": run.report,
        });
        // A field added only where it applies, so older readers are
        // unaffected.
        if let Some(resolution) = run.search.space.frontier_resolution() {
            json["resolution"] = serde_json::json!(resolution);
        }
        outln!("{json:#}");
        return Ok(());
    }
    print_table(&run, &args.plan);
    Ok(())
}

fn emit_plans(run: &SearchRun, dir: &Path) -> Result<(), Failure> {
    std::fs::create_dir_all(dir).map_err(|e| {
        Failure(format!(
            "{}: cannot create the directory: {e}",
            dir.display()
        ))
    })?;
    for (i, point) in run.frontier.points.iter().enumerate() {
        let path = dir.join(format!("frontier-{:02}.toml", i + 1));
        plan::save(&point_plan(&run.plan, &run.search, &point.steps), &path)?;
    }
    Ok(())
}

fn print_table(run: &SearchRun, path: &Path) {
    let r = &run.report;
    outln!(
        "Frontier of {}: {} candidates, {} step options ({} kept), {} of {} chains scored",
        path.display(),
        r.candidates,
        r.stats.options,
        r.stats.options_kept,
        format::count(r.stats.chains_scored as f64),
        format::count(r.stats.chains_total as f64),
    );
    if !run.search.skipped.is_empty() {
        let kinds: Vec<String> = skipped_by_kind(&run.search.skipped)
            .into_iter()
            .map(|(kind, n)| format!("{} {}", format::count(n as f64), kind.describe()))
            .collect();
        outln!(
            "  {} offerings considered, {} skipped: {}",
            format::count((r.candidates + run.search.skipped.len()) as f64),
            format::count(run.search.skipped.len() as f64),
            kinds.join(", ")
        );
    }
    if r.frontier.is_empty() {
        outln!("\n  no route meets the constraints");
    }
    outln!(
        "\n  {:>4}  {:>12}  {:>10}  {:>8}  {:>9}  route",
        "rank",
        "monthly",
        "avail.",
        "p95",
        "in budget"
    );
    for p in r.frontier.iter().chain(&r.rejected) {
        let route = p
            .steps
            .iter()
            .map(|s| {
                format!(
                    "{} ×{} ({})",
                    s.offering,
                    s.attempts,
                    format::duration(s.timeout_ms)
                )
            })
            .collect::<Vec<_>>()
            .join(" → ");
        outln!(
            "  {:>4}  {:>12}  {:>10}  {:>8}  {:>9}  {route}",
            p.rank,
            format::usd(p.monthly_usd),
            format::percent(p.availability),
            p.latency_ms.p95.map_or("—".to_owned(), format::duration),
            format::percent(p.success_within_budget),
        );
    }
    if !r.rejected.is_empty() {
        outln!(
            "\n  {} frontier points miss search.min_success_within_budget (listed last)",
            r.rejected.len()
        );
    }
}
