//! `switchyard history fit|backtest FILE`: the outage process fitted from a
//! service's daily outage record, and its backtest against that record.

use std::path::{Path, PathBuf};

use clap::{Args, Subcommand, ValueEnum};

use switchyard::catalog::MAX_IMPORT_BYTES;
use switchyard::chart::{Chart, ExceedanceData, ExceedanceSeries, render_to_file};
use switchyard::format;
use switchyard::history::DailyHistory;
use switchyard::history::backtest::{Backtest, backtest};
use switchyard::history::fit::{Estimate, Fit, fit};
use switchyard::history::icpe::{PAPER_PARTIAL_WEIGHT, parse_daily};
use switchyard::history::outage_log::parse_outage_log;
use switchyard::history::statuspage::parse_incidents;
use switchyard::model::monthly::Period;

use super::Failure;

#[derive(Debug, Args)]
pub struct HistoryArgs {
    #[command(subcommand)]
    command: HistoryCommand,
}

#[derive(Debug, Subcommand)]
enum HistoryCommand {
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
}

#[derive(Debug, Args)]
struct RecordArgs {
    /// The outage record.
    file: PathBuf,
    /// The record's format.
    #[arg(long, value_enum)]
    format: RecordFormat,
    /// What to read: icpe-daily: the service (api, chatgpt, playground, labs);
    /// csv: a value of the group column; statuspage: a component's name
    /// (default: every incident).
    #[arg(long)]
    service: Option<String>,
    /// The weight of a partial outage's minutes against a major outage's
    /// (icpe-daily: partial outages; statuspage: minor incidents; a csv log
    /// weighs each row itself).
    #[arg(long, default_value_t = PAPER_PARTIAL_WEIGHT)]
    partial_weight: f64,
    /// csv, statuspage: the first day the record covers (YYYY-MM-DD, UTC).
    #[arg(long)]
    from: Option<String>,
    /// csv, statuspage: the last day the record covers (YYYY-MM-DD, UTC).
    #[arg(long)]
    to: Option<String>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum RecordFormat {
    /// The ICPE 2025 dataset's daily outage table (fixtures/icpe2025/SOURCE.md).
    IcpeDaily,
    /// An outage log: start, end (UTC), group, weight (0 to 1); with --from and --to.
    Csv,
    /// A status page's incidents (Statuspage v2 incidents.json); with --from and --to.
    Statuspage,
}

fn read(record: &RecordArgs) -> Result<DailyHistory, Failure> {
    let name = record.file.display().to_string();
    let text = read_capped(&record.file).map_err(|e| Failure(format!("{name}: {e}")))?;
    let service = || {
        record.service.as_deref().ok_or_else(|| {
            Failure(format!(
                "{name}: --service names the service or group whose record to read"
            ))
        })
    };
    let window = || match (&record.from, &record.to) {
        (Some(from), Some(to)) => Ok((from.as_str(), to.as_str())),
        _ => Err(Failure(format!(
            "{name}: this format needs --from and --to: the days the record covers"
        ))),
    };
    let read = match record.format {
        RecordFormat::IcpeDaily => parse_daily(&text, &name, service()?, record.partial_weight),
        RecordFormat::Csv => {
            let (from, to) = window()?;
            parse_outage_log(&text, &name, service()?, from, to)
        }
        RecordFormat::Statuspage => {
            let (from, to) = window()?;
            parse_incidents(
                &text,
                &name,
                record.service.as_deref(),
                record.partial_weight,
                from,
                to,
            )
        }
    };
    read.map_err(|e| Failure(e.to_string()))
}

fn read_capped(path: &Path) -> Result<String, String> {
    let size = std::fs::metadata(path).map_err(|e| e.to_string())?.len();
    if size > MAX_IMPORT_BYTES {
        return Err(format!(
            "{size} bytes is larger than the {MAX_IMPORT_BYTES} bytes a record may have"
        ));
    }
    std::fs::read_to_string(path).map_err(|e| e.to_string())
}

pub fn run(args: &HistoryArgs) -> Result<(), Failure> {
    match &args.command {
        HistoryCommand::Fit { record, json } => {
            let fitted = fit(&read(record)?).map_err(|e| Failure(e.to_string()))?;
            if *json {
                let mut value = serde_json::to_value(&fitted)
                    .map_err(|e| Failure(format!("cannot encode the fit: {e}")))?;
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
                outln!("{value:#}");
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
            let history = read(record)?;
            let fitted = fit(&history).map_err(|e| Failure(e.to_string()))?;
            let result = backtest(&history, &fitted, *period, *seed);
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
    }
    Ok(())
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
    outln!(
        "Implies: mean availability {}, {} outage days per month, P(clean month) {}",
        format::percent(p.mean_availability()),
        number(p.events_per_month),
        format::percent(p.p_clean_month())
    );
}

fn print_backtest(b: &Backtest) {
    let period = match b.period {
        Period::Month => "months",
        Period::Day => "days",
    };
    outln!(
        "Backtest of `{}` over {} historical {period} (model: {} simulated)",
        b.service,
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
        history: Some(ExceedanceSeries {
            label: format!(
                "`{}`, {} {unit}",
                b.service,
                format::count(f64::from(b.periods))
            ),
            points: b.rows.iter().map(|r| [r.threshold, r.history]).collect(),
        }),
    }
}
