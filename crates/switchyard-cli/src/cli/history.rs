//! `switchyard history import|fit|backtest|list`: a group's outage record
//! stored in the catalog, the outage process fitted from a record (a file, or
//! a group's stored one), and its backtest against that record.

use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};

use switchyard::app;
use switchyard::app::history::{
    ComponentGroup, HistoryImportOptions, RecordSource, record_formats,
};
use switchyard::catalog::Catalog;
use switchyard::catalog::outage_history::HistoryImportReport;
use switchyard::chart::{Chart, ExceedanceData, ExceedanceSeries, render_to_file};
use switchyard::format;
use switchyard::history::DailyHistory;
use switchyard::history::backtest::Backtest;
use switchyard::history::fit::{Estimate, Fit};
use switchyard::history::icpe::PAPER_PARTIAL_WEIGHT;
use switchyard::history::record::{RecordFormat, RecordRequest};
use switchyard::model::monthly::Period;
use switchyard::model::outage_process::OutageProcess;

use super::Failure;

#[derive(Debug, Args)]
pub struct HistoryArgs {
    #[command(subcommand)]
    command: HistoryCommand,
}

#[derive(Debug, Subcommand)]
enum HistoryCommand {
    /// Store a record in the catalog as the outage history of a group, whose
    /// plans then use the process fitted from it. One transaction; the same
    /// file again changes nothing.
    Import {
        /// The outage record.
        file: PathBuf,
        #[command(flatten)]
        read: ReadArgs,
        /// The catalog group the record feeds (with --service for what to
        /// read from it).
        #[arg(long, conflicts_with = "components")]
        group: Option<String>,
        /// NAME=GROUP: the record of service or component NAME feeds catalog
        /// group GROUP; repeat for each.
        #[arg(long = "component", value_name = "NAME=GROUP", value_parser = ComponentGroup::parse)]
        components: Vec<ComponentGroup>,
        /// The catalog database (default: SWITCHYARD_DB, else the app-data one).
        #[arg(long)]
        db: Option<PathBuf>,
        #[arg(long)]
        json: bool,
    },
    /// Fit the outage process: events per month, their dispersion and length,
    /// each with a 95% interval, and what they imply.
    Fit {
        #[command(flatten)]
        record: RecordArgs,
        #[arg(long)]
        json: bool,
    },
    /// The share of the record's periods at or above each threshold beside
    /// the fitted process's, and the largest gap.
    Backtest {
        #[command(flatten)]
        record: RecordArgs,
        /// month (30 days) or day.
        #[arg(long, default_value = Period::Month.name(), value_parser = Period::parse)]
        period: Period,
        /// Seed of the model's simulated periods.
        #[arg(long, default_value_t = 1, value_parser = |s: &str| switchyard::limits::SEED.parse_u64(s))]
        seed: u64,
        /// Also draw the curves (the model's line, the record's points) into
        /// this .svg or .png file.
        #[arg(long, value_name = "FILE")]
        chart: Option<PathBuf>,
        #[arg(long)]
        json: bool,
    },
    /// The catalog's groups with an outage history, and each one's fit.
    List {
        #[arg(long)]
        db: Option<PathBuf>,
        #[arg(long)]
        json: bool,
    },
}

/// A record from a file, or a catalog group's stored one.
#[derive(Debug, Args)]
struct RecordArgs {
    /// The outage record file (or --group for a catalog group's history).
    #[arg(required_unless_present = "group", conflicts_with = "group")]
    file: Option<PathBuf>,
    #[command(flatten)]
    read: ReadArgs,
    /// The catalog group whose stored history to use.
    #[arg(long)]
    group: Option<String>,
    /// The catalog database (default: SWITCHYARD_DB, else the app-data one).
    #[arg(long, requires = "group")]
    db: Option<PathBuf>,
}

/// How to read a record file.
#[derive(Debug, Args)]
struct ReadArgs {
    /// The record's format: icpe-daily, icpe-incidents, csv or statuspage.
    #[arg(long, value_parser = RecordFormat::parse)]
    format: Option<RecordFormat>,
    /// What to read: icpe-daily: the service (api, chatgpt, playground,
    /// labs); icpe-incidents: a service column (API, ChatGPT, ...); csv: a
    /// value of the group column; statuspage: a component's name (default:
    /// every incident).
    #[arg(long)]
    service: Option<String>,
    /// The weight of a partial outage's minutes against a major outage's
    /// (icpe-daily: partial outages; icpe-incidents, statuspage: minor
    /// incidents; a csv log weighs each row itself).
    #[arg(long, default_value_t = PAPER_PARTIAL_WEIGHT)]
    partial_weight: f64,
    /// icpe-incidents, csv, statuspage: the first day the record covers
    /// (YYYY-MM-DD, UTC).
    #[arg(long)]
    from: Option<String>,
    /// icpe-incidents, csv, statuspage: the last day the record covers.
    #[arg(long)]
    to: Option<String>,
}

impl ReadArgs {
    /// The request, once a format is given.
    fn request(&self, file: &Path) -> Result<RecordRequest, Failure> {
        let format = self.format.ok_or_else(|| {
            Failure(format!(
                "{}: --format names the record's format: {}",
                file.display(),
                record_formats().join(", ")
            ))
        })?;
        Ok(RecordRequest {
            format,
            service: self.service.clone(),
            partial_weight: self.partial_weight,
            from: self.from.clone(),
            to: self.to.clone(),
        })
    }
}

fn read(record: &RecordArgs) -> Result<DailyHistory, Failure> {
    let source = match (&record.file, &record.group) {
        (Some(file), _) => RecordSource::File(file, record.read.request(file)?),
        (None, Some(group)) => RecordSource::Group(group),
        (None, None) => return Err(Failure("give a record FILE or --group".to_owned())),
    };
    Ok(app::history::record(&source, || {
        Catalog::open_chosen(record.db.as_deref())
    })?)
}

pub fn run(args: &HistoryArgs) -> Result<(), Failure> {
    match &args.command {
        HistoryCommand::Import {
            file,
            read,
            group,
            components,
            db,
            json,
        } => {
            let options = HistoryImportOptions {
                record: read.request(file)?,
                group: group.clone(),
                components: components.clone(),
            };
            let mut catalog = Catalog::open_chosen(db.as_deref())?;
            let report = app::history::import_history(&mut catalog, file, &options)?;
            if *json {
                let value = serde_json::to_value(&report)
                    .map_err(|e| Failure(format!("cannot encode the import: {e}")))?;
                outln!("{value:#}");
            } else {
                print_import(&report, catalog.file());
            }
        }
        HistoryCommand::Fit { record, json } => {
            let fitted = app::history::fit_record(&read(record)?)?;
            if *json {
                outln!("{:#}", fit_json(&fitted)?);
            } else {
                print_fit(&fitted);
            }
        }
        HistoryCommand::Backtest {
            record,
            period,
            seed,
            chart,
            json,
        } => {
            let result = app::history::backtest_record(&read(record)?, *period, *seed)?;
            if let Some(path) = chart {
                render_to_file(&Chart::Exceedance(backtest_chart(&result)), path)
                    .map_err(|e| Failure(e.to_string()))?;
                eprintln!("wrote {}", path.display());
            }
            if *json {
                let value = serde_json::to_value(&result)
                    .map_err(|e| Failure(format!("cannot encode the backtest: {e}")))?;
                outln!("{value:#}");
            } else {
                print_backtest(&result);
            }
        }
        HistoryCommand::List { db, json } => {
            let catalog = Catalog::open_chosen(db.as_deref())?;
            let histories = app::history::group_histories(&catalog)?;
            if *json {
                let list = histories
                    .iter()
                    .map(|h| {
                        Ok(serde_json::json!({
                            "group": h.group,
                            "first_day": h.first_day,
                            "last_day": h.last_day,
                            "days": h.days,
                            "outage_days": h.outage_days,
                            "files": h.files,
                            "fit": match (&h.fit, &h.fit_error) {
                                (Some(f), _) => fit_json(&f.fit)?,
                                (None, why) => serde_json::json!({ "error": why }),
                            },
                        }))
                    })
                    .collect::<Result<Vec<_>, Failure>>()?;
                outln!("{:#}", serde_json::Value::Array(list));
            } else if histories.is_empty() {
                outln!("No group of {} has an outage history.", catalog.file());
            } else {
                for h in &histories {
                    outln!(
                        "{}: {} to {}, {} days, {} with an outage, from {}",
                        h.group,
                        h.first_day,
                        h.last_day,
                        format::count(f64::from(h.days)),
                        format::count(f64::from(h.outage_days)),
                        h.files.join(", ")
                    );
                    match (&h.fit, &h.fit_error) {
                        (Some(f), _) => outln!("  {}", implies(&f.fit.process)),
                        (None, why) => outln!("  no fit: {}", why.as_deref().unwrap_or("-")),
                    }
                }
            }
        }
    }
    Ok(())
}

/// The fit as JSON, with what its process implies.
fn fit_json(fitted: &Fit) -> Result<serde_json::Value, Failure> {
    let mut value =
        serde_json::to_value(fitted).map_err(|e| Failure(format!("cannot encode the fit: {e}")))?;
    if let Some(object) = value.as_object_mut() {
        object.insert(
            "implies".to_owned(),
            serde_json::json!({
                "mean_availability": fitted.process.mean_availability(),
                "events_per_month": fitted.process.events_per_month,
                "p_clean_month": fitted.process.p_clean_month(),
            }),
        );
    }
    Ok(value)
}

fn print_import(report: &HistoryImportReport, db: &str) {
    for g in &report.groups {
        let change = if g.changed_days == 0 {
            "unchanged".to_owned()
        } else {
            format!("{} days written", format::count(f64::from(g.changed_days)))
        };
        outln!(
            "{}: `{}` of {} ({}), {} to {}: {} days, {} with an outage; {change}",
            g.group,
            g.service,
            report.file,
            report.format.name(),
            g.first_day,
            g.last_day,
            format::count(f64::from(g.days)),
            format::count(f64::from(g.outage_days)),
        );
    }
    outln!("Catalog: {db} (`switchyard history fit --group ID` shows a group's fit)");
}

fn interval(e: &Estimate, show: impl Fn(f64) -> String) -> String {
    format!(
        "{}   95% CI {} to {}",
        show(e.value),
        show(e.ci95[0]),
        show(e.ci95[1])
    )
}

fn number(x: f64) -> String {
    if x.is_infinite() {
        "∞ (Poisson)".to_owned()
    } else {
        format!("{x:.3}")
    }
}

fn print_fit(f: &Fit) {
    let s = &f.source;
    outln!(
        "Outage process of `{}` from {} ({} to {}, {} whole months, {} outage days)",
        s.service,
        s.file,
        s.from,
        s.to,
        s.months,
        s.events
    );
    for (name, estimate) in [
        ("outage days per month", &f.events_per_month),
        ("dispersion (gamma shape)", &f.dispersion),
        ("log of minutes: mu", &f.log_mu),
        ("log of minutes: sigma", &f.log_sigma),
    ] {
        outln!("  {name:<26}{}", interval(estimate, number));
    }
    let p = &f.process;
    outln!(
        "  weighted minutes of an outage day: median {:.0}, mean {:.0}",
        p.log_mu.exp(),
        p.mean_event_minutes()
    );
    outln!("{}", implies(p));
}

/// What a process implies, in one line.
fn implies(p: &OutageProcess) -> String {
    format!(
        "Implies: mean availability {}, {} outage days per month, P(clean month) {}",
        format::percent(p.mean_availability()),
        number(p.events_per_month),
        format::percent(p.p_clean_month())
    )
}

fn print_backtest(b: &Backtest) {
    let period = match b.period {
        Period::Month => "months",
        Period::Day => "days",
    };
    outln!(
        "Backtest of `{}` over {} historical {period} (model: {} simulated)",
        b.group,
        format::count(f64::from(b.periods)),
        format::count(switchyard::history::backtest::SIMULATED_PERIODS as f64)
    );
    outln!("  {:>10}  {:>8}  {:>8}", "at least", "history", "model");
    for r in &b.rows {
        outln!(
            "  {:>10}  {:>8.3}  {:>8.3}",
            format::percent(r.threshold),
            r.history,
            r.model
        );
    }
    outln!("  largest gap {:.3}", b.largest_gap);
}

/// The backtest as an exceedance chart: the model's line, the record's points.
fn backtest_chart(b: &Backtest) -> ExceedanceData {
    let (label, unit) = match b.period {
        Period::Month => ("30-day month", "months"),
        Period::Day => ("day", "days"),
    };
    ExceedanceData {
        period_label: label.to_owned(),
        model: b.rows.iter().map(|r| [r.threshold, r.model]).collect(),
        history: vec![ExceedanceSeries {
            label: format!(
                "`{}`, {} {unit}",
                b.group,
                format::count(f64::from(b.periods))
            ),
            points: b.rows.iter().map(|r| [r.threshold, r.history]).collect(),
        }],
    }
}
