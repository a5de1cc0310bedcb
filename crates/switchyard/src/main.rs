//! The `switchyard` command line. Each subcommand parses its arguments, calls the
//! engine and prints; no figure is computed here.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use switchyard::model::monthly::Period;
use switchyard::model::{EvaluateOptions, evaluate};
use switchyard::plan::{self, NoCatalog, PlanError};
use switchyard::report;

#[derive(Debug, Parser)]
#[command(
    name = "switchyard",
    version,
    about = "Plan LLM provider portfolios: availability, latency, cost"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Evaluate a plan: availability, success within budget, latency, cost, SLA.
    Evaluate(EvaluateArgs),
}

#[derive(Debug, clap::Args)]
struct EvaluateArgs {
    /// The plan file (TOML, or JSON with a .json extension).
    plan: PathBuf,
    /// Simulated requests for the budget and latency figures.
    #[arg(long, default_value_t = 1_000_000, value_parser = clap::value_parser!(u64).range(1..=1_000_000_000))]
    samples: u64,
    /// Seed of the simulations; the same seed gives the same output.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Simulated periods for the SLA distribution.
    #[arg(long, default_value_t = 10_000, value_parser = clap::value_parser!(u64).range(1..=10_000_000))]
    months: u64,
    /// The period whose success ratio the SLA distribution describes.
    #[arg(long, value_enum, default_value_t = PeriodArg::Month)]
    period: PeriodArg,
    /// Print JSON (fields as in PLAN_FORMAT.md) instead of a report.
    #[arg(long)]
    json: bool,
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

/// A failure to report: already worded for the user.
#[derive(Debug)]
struct Failure(String);

impl From<PlanError> for Failure {
    fn from(e: PlanError) -> Self {
        Failure(e.to_string())
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Evaluate(args) => run_evaluate(&args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure(message)) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run_evaluate(args: &EvaluateArgs) -> Result<(), Failure> {
    let file = args.plan.display().to_string();
    let plan_file = plan::load(&args.plan)?;
    let resolved =
        plan::resolve(&plan_file, &NoCatalog).map_err(|problems| PlanError::Invalid {
            file: file.clone(),
            problems,
        })?;
    let options = EvaluateOptions {
        samples: args.samples,
        seed: args.seed,
        periods: args.months,
        period: args.period.into(),
        target: resolved.target.unwrap_or(EvaluateOptions::default().target),
    };
    let report = evaluate(&resolved.portfolio, &options);
    if args.json {
        let json = serde_json::to_string_pretty(&report)
            .map_err(|e| Failure(format!("cannot encode the report: {e}")))?;
        println!("{json}");
    } else {
        print!("{}", report::render(&file, &resolved.portfolio, &report));
    }
    Ok(())
}
