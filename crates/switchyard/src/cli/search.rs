//! `switchyard search PLAN`: the Pareto frontier of the plan's `[search]`, as a
//! table or JSON, optionally written out as one plan file per point.

use std::path::{Path, PathBuf};

use switchyard::catalog::{Catalog, Field, ListFilter, db_path, explicit_db_path};
use switchyard::model::search::report::{PointOptions, SearchReport, report};
use switchyard::model::search::{Frontier, search};
use switchyard::plan::{
    self, CandidateInfo, NoCatalog, OfferingSource, PlanError, PlanFile, ResolvedSearch,
    point_plan, resolve_search,
};
use switchyard::report as fmt;

use super::Failure;

#[derive(Debug, clap::Args)]
pub struct SearchArgs {
    /// The plan file, with a [search] section.
    plan: PathBuf,
    /// The catalog database (default: SWITCHYARD_DB, then the app-data dir).
    #[arg(long, value_name = "PATH")]
    db: Option<PathBuf>,
    /// Simulated requests per frontier point, for its latency figures.
    #[arg(long, default_value_t = 20_000, value_parser = clap::value_parser!(u64).range(1..=10_000_000))]
    samples: u64,
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Write each frontier point as a plan file into this directory.
    #[arg(long, value_name = "DIR")]
    emit_plans: Option<PathBuf>,
    #[arg(long)]
    json: bool,
}

/// A search run: the resolved search, its frontier and the report.
pub struct SearchRun {
    pub plan: PlanFile,
    pub search: ResolvedSearch,
    pub frontier: Frontier,
    pub report: SearchReport,
}

/// Loads the plan, gathers candidates (from the catalog when the plan does not
/// list them all inline), searches and simulates the frontier's points.
pub fn compute(
    path: &Path,
    db: Option<&Path>,
    samples: u64,
    seed: u64,
) -> Result<SearchRun, Failure> {
    let file = path.display().to_string();
    let plan = plan::load(path)?;
    let invalid = |problems| PlanError::Invalid {
        file: file.clone(),
        problems,
    };
    let spec = plan.search.clone().unwrap_or_default();
    let catalog = if needs_catalog(&plan, db) {
        let db = match explicit_db_path(db) {
            Some(db) => db,
            None => db_path(None)?.0,
        };
        Some(Catalog::open(&db)?)
    } else {
        None
    };
    let pool = candidate_pool(&plan, catalog.as_ref())?;
    let source: &dyn OfferingSource = match &catalog {
        Some(c) => c,
        None => &NoCatalog,
    };
    let search_spec = resolve_search(&plan, &pool, source).map_err(invalid)?;
    let frontier = search(&search_spec.space);
    let report = report(
        &search_spec.space,
        &frontier,
        PointOptions {
            samples,
            seed,
            min_success_within_budget: spec.min_success_within_budget,
        },
    );
    Ok(SearchRun {
        plan,
        search: search_spec,
        frontier,
        report,
    })
}

/// The catalog is needed unless the plan names its candidates and defines them
/// all inline with every figure, and no database is named.
fn needs_catalog(plan: &PlanFile, db: Option<&Path>) -> bool {
    if explicit_db_path(db).is_some() {
        return true;
    }
    match plan.search.as_ref().and_then(|s| s.candidates.as_ref()) {
        None => true,
        Some(ids) => {
            let probe = PlanFile {
                routes: Vec::new(),
                ..plan.clone()
            };
            ids.iter()
                .any(|id| !plan.offerings.iter().any(|o| &o.id == id))
                || switchyard::catalog::plan_needs_catalog(&probe)
        }
    }
}

/// The candidates: the ids the plan lists, or its inline offerings and the
/// catalog's offerings that pass the provider and mode filter.
fn candidate_pool(
    plan: &PlanFile,
    catalog: Option<&Catalog>,
) -> Result<Vec<CandidateInfo>, Failure> {
    let spec = plan.search.clone().unwrap_or_default();
    let quality_of = |id: &str| -> Result<Option<f64>, Failure> {
        Ok(match catalog {
            Some(c) => match c.show(id) {
                Ok(d) => d
                    .figures
                    .iter()
                    .find(|f| f.field == Field::Quality.name())
                    .and_then(|f| f.value.as_f64()),
                Err(_) => None,
            },
            None => None,
        })
    };
    if let Some(ids) = &spec.candidates {
        return ids
            .iter()
            .map(|id| {
                Ok(CandidateInfo {
                    id: id.clone(),
                    quality: quality_of(id)?,
                    explicit: true,
                })
            })
            .collect();
    }
    let mut pool: Vec<CandidateInfo> = plan
        .offerings
        .iter()
        .map(|o| CandidateInfo {
            id: o.id.clone(),
            quality: None,
            explicit: false,
        })
        .collect();
    if let Some(catalog) = catalog {
        let mode = Some(spec.mode.clone().unwrap_or_else(|| "chat".to_owned()));
        let providers: Vec<Option<String>> = match &spec.providers {
            Some(list) => list.iter().cloned().map(Some).collect(),
            None => vec![None],
        };
        for provider in providers {
            let rows = catalog.list(&ListFilter {
                provider,
                mode: mode.clone(),
            })?;
            for row in rows {
                if pool.iter().any(|c| c.id == row.id) {
                    continue;
                }
                pool.push(CandidateInfo {
                    quality: row.figures.number(Field::Quality),
                    id: row.id,
                    explicit: false,
                });
            }
        }
    }
    Ok(pool)
}

pub fn run(args: &SearchArgs) -> Result<(), Failure> {
    let run = compute(&args.plan, args.db.as_deref(), args.samples, args.seed)?;
    if let Some(dir) = &args.emit_plans {
        emit_plans(&run, dir)?;
    }
    if args.json {
        let json = serde_json::json!({
            "skipped": run.search.skipped,
            "search": run.report,
        });
        println!("{json:#}");
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
    println!(
        "Frontier of {}: {} candidates, {} step options ({} kept), {} of {} chains scored",
        path.display(),
        r.candidates,
        r.stats.options,
        r.stats.options_kept,
        fmt::count(r.stats.chains_scored as f64),
        fmt::count(r.stats.chains_total as f64),
    );
    if !run.search.skipped.is_empty() {
        println!(
            "  {} catalog offerings skipped (lacking figures or filtered out)",
            run.search.skipped.len()
        );
    }
    if r.frontier.is_empty() {
        println!("\n  no route meets the constraints");
    }
    println!(
        "\n  {:>4}  {:>12}  {:>10}  {:>8}  {:>9}  route",
        "rank", "monthly", "avail.", "p95", "in budget"
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
                    fmt::duration(s.timeout_ms)
                )
            })
            .collect::<Vec<_>>()
            .join(" → ");
        println!(
            "  {:>4}  {:>12}  {:>10}  {:>8}  {:>9}  {route}",
            p.rank,
            fmt::usd(p.monthly_usd),
            fmt::percent(p.availability),
            p.latency_ms.p95.map_or("—".to_owned(), fmt::duration),
            fmt::percent(p.success_within_budget),
        );
    }
    if !r.rejected.is_empty() {
        println!(
            "\n  {} frontier points miss search.min_success_within_budget (listed last)",
            r.rejected.len()
        );
    }
}
