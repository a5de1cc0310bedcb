//! `switchyard usage import|workload|list`: a usage log (a file, or
//! LiteLLM's spend logs read from the proxy's PostgreSQL) read in bounded
//! memory into per-model, per-hour aggregates stored in the catalog (never a
//! request's content), the workload measured from them, and what is stored.

use std::io::IsTerminal;
use std::ops::ControlFlow;
use std::path::PathBuf;

use clap::{Args, Subcommand};

use switchyard::app::usage::{
    CostBasis, PostgresSource, UsageImportOptions, import_usage, import_usage_postgres, list,
    usage_cost, usage_cost_plans, usage_cost_stored,
};
use switchyard::app::usage_workload::{WorkloadOptions, workload, workload_toml};
use switchyard::catalog::Catalog;
use switchyard::catalog::usage_store::{ModelUsage, UsageImportReport, UsageImportRow, UsageList};
use switchyard::catalog::usage_window::UsageWindow;
use switchyard::format;
use switchyard::model::Portfolio;
use switchyard::usage::postgres::{DEFAULT_URL_ENV, TimeRange};
use switchyard::usage::time::parse_bound;
use switchyard::usage::{ColumnMap, ReadOptions, UsageFormat};

use super::Failure;

#[derive(Debug, Args)]
pub struct UsageArgs {
    /// The catalog database. Default: $SWITCHYARD_DB, else catalog.sqlite3 in
    /// the platform's app-data directory.
    /// (`--catalog` is `usage cost`'s flag for pricing at the catalog's
    /// prices, so it is no alias of this.)
    #[arg(long, global = true, value_name = "PATH")]
    db: Option<PathBuf>,
    #[command(subcommand)]
    command: UsageCommand,
}

#[derive(Debug, Subcommand)]
enum UsageCommand {
    /// Read a usage log into per-model, per-hour counts and token and latency
    /// histograms in the catalog: one transaction, never a prompt. The same
    /// file (by SHA-256) is imported once. With --from-postgres, LiteLLM's
    /// spend logs are read from the proxy's PostgreSQL instead of a file.
    Import {
        /// The log (or --from-postgres).
        #[arg(
            required_unless_present = "from_postgres",
            conflicts_with = "from_postgres"
        )]
        file: Option<PathBuf>,
        /// litellm-spend (a CSV export of LiteLLM_SpendLogs), openai-usage
        /// (Usage API completions pages or buckets, one per line), jsonl or csv.
        /// Implied litellm-spend with --from-postgres.
        #[arg(long, value_parser = UsageFormat::parse, required_unless_present = "from_postgres")]
        format: Option<UsageFormat>,
        /// COLUMN=FIELD: read CSV column COLUMN as FIELD (start_time, end_time,
        /// model, model_group, api_base, input_tokens, output_tokens,
        /// cached_tokens, status, latency_ms, spend_usd); repeat for each.
        #[arg(long = "map", value_name = "COLUMN=FIELD", value_parser = ColumnMap::parse)]
        map: Vec<ColumnMap>,
        /// Read LiteLLM_SpendLogs from the LiteLLM proxy's PostgreSQL, in a
        /// read-only transaction, streamed (COPY ... TO STDOUT). The
        /// connection string comes from $DATABASE_URL (--database-url-env).
        #[arg(long, conflicts_with = "map")]
        from_postgres: bool,
        /// The environment variable holding the connection string
        /// (postgresql://USER:PASSWORD@HOST:PORT/DATABASE); never the string
        /// itself, so the password stays out of shell history and `ps`.
        #[arg(long, value_name = "NAME", default_value = DEFAULT_URL_ENV, requires = "from_postgres")]
        database_url_env: String,
        /// With --from-postgres: rows whose startTime is at or after T
        /// (RFC 3339, or YYYY-MM-DD for midnight UTC).
        #[arg(long, value_name = "T", value_parser = parse_bound, requires = "from_postgres")]
        since: Option<i64>,
        /// With --from-postgres: rows whose startTime is before T.
        #[arg(long, value_name = "T", value_parser = parse_bound, requires = "from_postgres")]
        until: Option<i64>,
        /// Skip bad lines, count them by reason, and import the rest.
        #[arg(long)]
        skip_bad: bool,
        /// Import a log already imported again, in place of the earlier import.
        #[arg(long)]
        replace: bool,
        /// Print the report as JSON (docs/USAGE.md lists its fields).
        #[arg(long)]
        json: bool,
    },
    /// A plan's [workload] measured from the stored usage: volume, mean
    /// tokens, cached share, hourly_shape, and the fitted monthly growth.
    /// Prints TOML to paste into a plan (or JSON with the token histograms
    /// and daily counts).
    Workload {
        /// From this date (YYYY-MM-DD, UTC) or time (RFC 3339), to the hour.
        #[arg(long, value_name = "T", value_parser = parse_bound)]
        since: Option<i64>,
        /// Up to this date or time (not included).
        #[arg(long, value_name = "T", value_parser = parse_bound)]
        until: Option<i64>,
        /// Only this model, as the logs name it; repeat for several.
        #[arg(long = "model", value_name = "MODEL")]
        models: Vec<String>,
        /// Project requests_per_month this many months past the window with
        /// the fitted growth.
        #[arg(long, value_name = "N", default_value_t = 0)]
        months_ahead: u32,
        /// Write mean tokens per request instead of the distributions.
        #[arg(long)]
        means: bool,
        /// Print the measured workload as JSON (docs/USAGE.md lists its fields).
        #[arg(long)]
        json: bool,
    },
    /// Price the logged traffic request by request: on a plan (--plan:
    /// each request routed by the plan's shares and fallbacks), or at each
    /// model's own catalog prices (--catalog: a check of the log's own
    /// spend). Tiers, cache reads and batch prices included; per model and
    /// per UTC day, beside the spend as logged. Reads the log once, stores
    /// nothing. With --stored, prices the usage already imported instead,
    /// from its stored sums, in milliseconds.
    Cost {
        /// The log (or --stored).
        #[arg(required_unless_present = "stored", conflicts_with = "stored")]
        file: Option<PathBuf>,
        /// Price the usage stored in the catalog (`usage import`) instead of
        /// a log: exact for every price tier on a stored band edge.
        #[arg(long)]
        stored: bool,
        /// --stored: from this date (YYYY-MM-DD, UTC) or time (RFC 3339), to
        /// the hour.
        #[arg(long, value_name = "T", value_parser = parse_bound, requires = "stored")]
        since: Option<i64>,
        /// --stored: up to this date or time (not included).
        #[arg(long, value_name = "T", value_parser = parse_bound, requires = "stored")]
        until: Option<i64>,
        /// --stored: only this model, as the logs name it; repeat for several.
        #[arg(long = "model", value_name = "MODEL", requires = "stored")]
        models: Vec<String>,
        /// The log's format, as for `usage import`.
        #[arg(long, value_parser = UsageFormat::parse, default_value = "litellm-spend")]
        format: UsageFormat,
        /// COLUMN=FIELD: read CSV column COLUMN as FIELD, as for `usage import`.
        #[arg(long = "map", value_name = "COLUMN=FIELD", value_parser = ColumnMap::parse)]
        map: Vec<ColumnMap>,
        /// The plan to price the traffic on; repeat it to price the same
        /// traffic on several candidate plans, side by side.
        #[arg(
            long = "plan",
            value_name = "PLAN",
            required_unless_present = "catalog",
            conflicts_with = "catalog"
        )]
        plans: Vec<PathBuf>,
        /// Price each request at its own model's catalog prices instead.
        #[arg(long)]
        catalog: bool,
        /// Skip bad lines, count them by reason, and price the rest.
        #[arg(long)]
        skip_bad: bool,
        /// Print the report as JSON (docs/USAGE.md lists its fields).
        #[arg(long)]
        json: bool,
    },
    /// The imports stored, the time they cover, and requests per model.
    List {
        /// Print the imports and models as JSON.
        #[arg(long)]
        json: bool,
    },
}

pub fn run(args: &UsageArgs) -> Result<(), Failure> {
    match &args.command {
        UsageCommand::Import {
            file,
            format,
            map,
            from_postgres,
            database_url_env,
            since,
            until,
            skip_bad,
            replace,
            json,
        } => {
            let mut catalog = Catalog::open_chosen(args.db.as_deref())?;
            let report = if *from_postgres {
                if let Some(f) = format.filter(|f| *f != UsageFormat::LitellmSpend) {
                    return Err(Failure(format!(
                        "--from-postgres reads LiteLLM_SpendLogs: its format is litellm-spend, not {}",
                        f.name()
                    )));
                }
                let source = PostgresSource {
                    url_env: database_url_env.clone(),
                    range: TimeRange::new(*since, *until).map_err(Failure)?,
                };
                with_bar(false, |progress| {
                    import_usage_postgres(&mut catalog, &source, *skip_bad, *replace, progress)
                })
            } else {
                let (Some(file), Some(format)) = (file, format) else {
                    return Err(Failure(
                        "give the log FILE and its --format, or --from-postgres".to_owned(),
                    ));
                };
                let options = UsageImportOptions {
                    read: ReadOptions {
                        format: *format,
                        map: map.clone(),
                        skip_bad: *skip_bad,
                    },
                    replace: *replace,
                };
                with_bar(true, |progress| {
                    import_usage(&mut catalog, file, &options, progress)
                })
            }
            .map_err(|e| Failure(e.to_string()))?;
            if *json {
                print_json(&report)?;
            } else {
                print_import(&report, catalog.file());
            }
        }
        UsageCommand::Workload {
            since,
            until,
            models,
            months_ahead,
            means,
            json,
        } => {
            let catalog = Catalog::open_chosen(args.db.as_deref())?;
            let options = WorkloadOptions {
                window: UsageWindow {
                    since_ms: *since,
                    until_ms: *until,
                    models: models.clone(),
                },
                months_ahead: *months_ahead,
                means_only: *means,
            };
            let measured = workload(&catalog, &options).map_err(|e| Failure(e.to_string()))?;
            if *json {
                print_json(&measured)?;
            } else {
                outln!("{}", workload_toml(&measured).map_err(Failure)?.trim_end());
            }
        }
        UsageCommand::Cost {
            file,
            stored,
            since,
            until,
            models,
            format,
            map,
            plans,
            catalog,
            skip_bad,
            json,
        } => {
            let read = ReadOptions {
                format: *format,
                map: map.clone(),
                skip_bad: *skip_bad,
            };
            let window = UsageWindow {
                since_ms: *since,
                until_ms: *until,
                models: models.clone(),
            };
            // The catalog holds the stored usage, and the prices of --catalog.
            let opened = if *stored || *catalog {
                Some(Catalog::open_chosen(args.db.as_deref())?)
            } else {
                None
            };
            // Every plan is loaded before any log is read: a bad plan is
            // named at once, not after a replay.
            let loaded = plans
                .iter()
                .map(|plan| super::plan_input::load(plan, args.db.as_deref(), false))
                .collect::<Result<Vec<_>, _>>()?;
            let bases: Vec<CostBasis<'_>> = match (loaded.as_slice(), &opened) {
                ([], Some(catalog)) => vec![CostBasis::Catalog(catalog)],
                ([], None) => return Err(Failure("give --plan PLAN or --catalog".to_owned())),
                (loaded, _) => loaded
                    .iter()
                    .map(|l| CostBasis::Plan {
                        file: &l.file,
                        portfolio: &l.resolution.resolved.portfolio,
                    })
                    .collect(),
            };
            let reports = match (file, &opened) {
                // Several plans: the log is read once for all of them.
                (Some(file), _) if !*stored && loaded.len() > 1 => {
                    let plans: Vec<(&str, &Portfolio)> = loaded
                        .iter()
                        .map(|l| (l.file.as_str(), &l.resolution.resolved.portfolio))
                        .collect();
                    with_bar(true, |progress| {
                        usage_cost_plans(file, &read, &plans, progress)
                    })
                }
                (Some(file), _) if !*stored => bases
                    .into_iter()
                    .map(|basis| {
                        with_bar(true, |progress| usage_cost(file, &read, basis, progress))
                    })
                    .collect(),
                (_, Some(catalog)) => bases
                    .into_iter()
                    .map(|basis| usage_cost_stored(catalog, &window, basis))
                    .collect(),
                _ => return Err(Failure("give a log file or --stored".to_owned())),
            }
            .map_err(|e| Failure(e.to_string()))?;
            match (reports.as_slice(), *json) {
                ([report], true) => print_json(report)?,
                ([report], false) => super::usage_cost::print_cost(report),
                (reports, true) => print_json(&serde_json::json!({ "plans": reports }))?,
                (reports, false) => super::usage_cost::print_plans(reports),
            }
        }
        UsageCommand::List { json } => {
            let catalog = Catalog::open_chosen(args.db.as_deref())?;
            let stored = list(&catalog)?;
            if *json {
                print_json(&stored)?;
            } else {
                print_list(&stored, catalog.file());
            }
        }
    }
    Ok(())
}

/// Runs the read with a bar of bytes read on stderr, when stderr is a
/// terminal (scripts and `--json` consumers see nothing extra). Without a
/// known size (`sized` false: rows streamed from a database) it shows the
/// bytes read and their rate only.
fn with_bar<T>(sized: bool, f: impl FnOnce(&mut dyn FnMut(u64, u64) -> ControlFlow<()>) -> T) -> T {
    let bar = std::io::stderr().is_terminal().then(|| {
        let bar = indicatif::ProgressBar::new(0);
        bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
        let template = if sized {
            "reading {bar:40} {bytes}/{total_bytes} ({bytes_per_sec}, {eta})"
        } else {
            "reading {spinner} {bytes} ({bytes_per_sec}, {elapsed})"
        };
        if let Ok(style) = indicatif::ProgressStyle::with_template(template) {
            bar.set_style(style);
        }
        bar
    });
    let mut progress = |done: u64, total: u64| {
        if let Some(bar) = &bar {
            bar.set_length(total.max(done));
            bar.set_position(done);
        }
        ControlFlow::Continue(())
    };
    let result = f(&mut progress);
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    result
}

fn print_json<T: serde::Serialize>(value: &T) -> Result<(), Failure> {
    let text = serde_json::to_string_pretty(value)
        .map_err(|e| Failure(format!("cannot encode the output: {e}")))?;
    outln!("{text}");
    Ok(())
}

fn n(x: i64) -> String {
    format::count(x as f64)
}

fn resolution(seconds: i64) -> String {
    match seconds {
        0 => "per request".to_owned(),
        60 => "1-minute buckets".to_owned(),
        3600 => "1-hour buckets".to_owned(),
        86_400 => "1-day buckets".to_owned(),
        s => format!("{s}-second buckets"),
    }
}

fn print_import(report: &UsageImportReport, db: &str) {
    let i = &report.import;
    outln!(
        "{} ({}): {} requests in {} records from {} lines, {} to {} ({})",
        i.file,
        i.format,
        n(i.requests),
        n(i.records),
        n(i.lines),
        i.first_start,
        i.last_start,
        resolution(i.resolution_s)
    );
    if let Some(old) = report.replaced {
        outln!("replaced import {old} of the same content");
    }
    outln!("stored as import {} in {db} (sha256 {})", i.id, i.sha256);
    if i.skipped > 0 {
        let reasons: Vec<String> = i
            .skipped_by_reason
            .iter()
            .map(|(r, k)| format!("{} {r}", n(*k)))
            .collect();
        outln!("skipped {} bad lines: {}", n(i.skipped), reasons.join(", "));
        for example in &report.examples {
            outln!("  {example}");
        }
    }
    print_models(&report.models);
}

fn print_models(models: &[ModelUsage]) {
    let width = models
        .iter()
        .map(|m| format::width(&m.model))
        .max()
        .unwrap_or(5)
        .max(5);
    outln!(
        "{}  {:>14}  {:>9}  {:>16}  {:>16}",
        format::pad_right("model", width),
        "requests",
        "failures",
        "input tokens",
        "output tokens"
    );
    for m in models {
        outln!(
            "{}  {:>14}  {:>9}  {:>16}  {:>16}",
            format::pad_right(&m.model, width),
            n(m.requests),
            n(m.failures),
            n(m.input_tokens),
            n(m.output_tokens)
        );
    }
}

fn print_import_row(i: &UsageImportRow) {
    outln!(
        "  {:>3}  {}  {}  {} requests  {} to {}  ({}, {} skipped), imported {}",
        i.id,
        i.file_name,
        i.format,
        n(i.requests),
        i.first_start,
        i.last_start,
        resolution(i.resolution_s),
        n(i.skipped),
        i.imported_at
    );
}

fn print_list(stored: &UsageList, db: &str) {
    if stored.imports.is_empty() {
        outln!(
            "no usage imported in {db}; `switchyard usage import FILE --format F` imports a log"
        );
        return;
    }
    outln!("usage in {db}:");
    for i in &stored.imports {
        print_import_row(i);
    }
    if let (Some(first), Some(last)) = (&stored.first_start, &stored.last_start) {
        outln!("covering {first} to {last}");
    }
    print_models(&stored.models);
}
