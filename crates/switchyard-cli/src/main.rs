//! The `switchyard` command line: argument parsing and dispatch. The work of each
//! subcommand lives in `cli/`.

mod cli;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

use cli::Failure;

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
    Evaluate(cli::evaluate::EvaluateArgs),
    /// The catalog of offerings: import price lists, list, show, history, overrides.
    Catalog(cli::catalog::CatalogArgs),
    /// Live probes: time to first token, speed, errors and rate limits, stored in the catalog.
    Probe(cli::probe::ProbeArgs),
    /// Search the Pareto frontier of fallback chains ([search] in the plan).
    Search(cli::search::SearchArgs),
    /// Total cost of ownership: the API portfolio against self-hosting ([tco] in the plan).
    Tco(cli::tco::TcoArgs),
    /// Compare two to six plans side by side: figures, best of each, differences.
    Compare(cli::compare::CompareArgs),
    /// A self-contained HTML report of one plan or a comparison, to share.
    Report(cli::compare::ReportArgs),
    /// Charts of a plan as SVG or PNG: latency, sla, cost, tco, probes, compare-*.
    Chart(cli::chart::ChartArgs),
    /// Write the plan as a gateway config: LiteLLM config.yaml, Portkey configs, OpenRouter preferences.
    Export(cli::export::ExportArgs),
    /// Check a plan (and with --format, its gateway config): findings with severity.
    Lint(cli::lint::LintArgs),
    /// Outage history: the outage process fitted from a record, and its backtest.
    History(cli::history::HistoryArgs),
    /// Usage logs: import LiteLLM spend logs, OpenAI usage, JSONL or CSV as aggregates; list them.
    Usage(cli::usage::UsageArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Evaluate(args) => cli::evaluate::run(&args),
        Command::Catalog(args) => cli::catalog::run(&args),
        Command::Probe(args) => cli::probe::run(&args),
        Command::Search(args) => cli::search::run(&args),
        Command::Tco(args) => cli::tco::run(&args),
        Command::Compare(args) => cli::compare::run(&args),
        Command::Report(args) => cli::compare::run_report(&args),
        Command::Chart(args) => cli::chart::run(&args),
        Command::Export(args) => cli::export::run(&args),
        Command::Lint(args) => cli::lint::run(&args),
        Command::History(args) => cli::history::run(&args),
        Command::Usage(args) => cli::usage::run(&args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure(message)) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}
