//! `switchyard evaluate PLAN`.

use std::path::PathBuf;

use switchyard::app;
use switchyard::export::Format;
use switchyard::export::semantics::gateway_run;
use switchyard::format;
use switchyard::model::Progress;
use switchyard::report;

use super::Failure;
use super::export::{GatewayArg, export_failure};
use super::plan_input::LoadedPlan;
use super::sim_flags::SimFlags;

#[derive(Debug, clap::Args)]
pub struct EvaluateArgs {
    /// The plan file (TOML, or JSON with a .json extension).
    plan: PathBuf,
    #[command(flatten)]
    sim: SimFlags,
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

pub fn run(args: &EvaluateArgs) -> Result<(), Failure> {
    let LoadedPlan {
        file,
        mut resolution,
        provenance,
        ..
    } = super::plan_input::load(&args.plan, args.db.as_deref(), args.observed)?;
    let gateway = match args.as_gateway.map(Format::from) {
        Some(format) => {
            Some(gateway_run(&resolution.resolved, format).map_err(|e| export_failure(&file, &e))?)
        }
        None => None,
    };
    if let Some(run) = &gateway {
        resolution.resolved.portfolio = run.portfolio.clone();
    }
    let evaluation = app::evaluation(resolution);
    let inherited: Vec<serde_json::Value> = evaluation
        .view
        .offerings
        .iter()
        .flat_map(|o| {
            o.inherited.iter().map(|f| {
                serde_json::json!({
                    "offering": o.id,
                    "field": f.field,
                    "source": "inherited",
                    "value": f.value,
                    "from": f.from,
                })
            })
        })
        .collect();
    let options = args.sim.options();
    let work = options.evaluate(evaluation.view.target).work_units();
    let progress = Progress::new();
    let report =
        super::progress::with_bar(&progress, work, || evaluation.simulate(&options, &progress))
            .map_err(|e| Failure(format!("{file}: evaluation {e}")))?;
    let portfolio = &evaluation.portfolio;
    if args.json {
        let mut json = serde_json::to_value(&report)
            .map_err(|e| Failure(format!("cannot encode the report: {e}")))?;
        if let Some(object) = json.as_object_mut() {
            let mut sources: Vec<serde_json::Value> = provenance
                .iter()
                .flatten()
                .map(|p| serde_json::json!(p))
                .collect();
            sources.extend(inherited.iter().cloned());
            if provenance.is_some() || !sources.is_empty() {
                object.insert(
                    "figure_sources".to_owned(),
                    serde_json::Value::Array(sources),
                );
            }
        }
        if let (Some(run), Some(object)) = (&gateway, json.as_object_mut()) {
            object.insert(
                "as_gateway".to_owned(),
                serde_json::json!({ "format": run.format.name(), "differences": run.differences }),
            );
            if !run.during_outage.is_empty() {
                object.insert(
                    "during_outage".to_owned(),
                    serde_json::json!(run.during_outage),
                );
            }
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
            for d in &run.during_outage {
                outln!("{}", during_outage_line(d));
            }
        }
        out!("{}", report::render(&file, portfolio, &report));
        if let Some(provenance) = &provenance {
            out!("{}", report::render_provenance(provenance));
        }
        if !inherited.is_empty() {
            outln!("\nInherited figures (the catalog has none of the offering's own)");
            for o in &evaluation.view.offerings {
                for f in &o.inherited {
                    outln!("  {} {} = {} from {}", o.id, f.field, f.value, f.from);
                }
            }
        }
    }
    Ok(())
}

/// One line per upstream step: what an outage of it costs as the gateway
/// handles it. The same figures, in the same words, as the app's Export page.
fn during_outage_line(d: &switchyard::export::during_outage::DuringOutage) -> String {
    let ms = |v: Option<f64>| v.map_or_else(|| "n/a".to_owned(), format::duration);
    let paying = if d.trips {
        format::percent(d.paying_share)
    } else {
        format!("{} (never taken out)", format::percent(d.paying_share))
    };
    let off = if d.return_to_primary_max_s > 0.0 {
        format!(
            "{} (at most {})",
            format::duration(d.return_to_primary_s * 1000.0),
            format::duration(d.return_to_primary_max_s * 1000.0)
        )
    } else {
        format::duration(d.return_to_primary_s * 1000.0)
    };
    format!(
        "  During an outage of {} (route {}, step {}, {} min): {} of requests pay its failed attempts ({:.2} a request), +{} p50 / +{} p95, {} a request; traffic off it {} after it is back",
        d.offering,
        d.route,
        d.step + 1,
        d.outage_minutes,
        paying,
        d.attempts_per_request,
        ms(d.added_latency_ms.p50),
        ms(d.added_latency_ms.p95),
        format::usd(d.cost_per_request),
        off,
    )
}
