//! `switchyard lint PLAN [--format GATEWAY] [--json]`.

use std::path::PathBuf;

use serde::Serialize;

use switchyard::export::Format;
use switchyard::export::lint::{self, Finding, ProcessEnv};

use super::Failure;
use super::export::GatewayArg;
use super::plan_input::{LoadedPlan, load};

#[derive(Debug, clap::Args)]
pub struct LintArgs {
    /// The plan file (TOML, or JSON with a .json extension).
    plan: PathBuf,
    /// Also check the config for this gateway, and say what it will do
    /// differently from the plan.
    #[arg(long, value_enum)]
    format: Option<GatewayArg>,
    /// Print JSON: {findings: [...], errors, warnings, infos}.
    #[arg(long)]
    json: bool,
    /// The catalog database that offerings not defined inline come from.
    #[arg(long, value_name = "PATH")]
    db: Option<PathBuf>,
}

#[derive(Serialize)]
struct LintReport<'a> {
    findings: &'a [Finding],
    errors: usize,
    warnings: usize,
    infos: usize,
}

/// Findings as the lines `export` and `lint` print.
pub fn render(findings: &[Finding]) -> String {
    findings.iter().map(|f| format!("{f}\n")).collect()
}

/// `1 error`, `2 errors`.
fn count(n: usize, noun: &str) -> String {
    format!("{n} {noun}{}", if n == 1 { "" } else { "s" })
}

/// The failure to return when findings include errors.
pub fn errors_failure(file: &str, errors: usize) -> Failure {
    Failure(format!(
        "{file}: {} found by the lint",
        count(errors, "error")
    ))
}

pub fn run(args: &LintArgs) -> Result<(), Failure> {
    let LoadedPlan {
        file, resolution, ..
    } = load(&args.plan, args.db.as_deref(), false)?;
    let resolved = resolution.resolved;
    let format = args.format.map(Format::from);
    let findings = lint::lint(&resolved, format, &ProcessEnv);
    let (errors, warnings, infos) = lint::counts(&findings);
    if args.json {
        let report = LintReport {
            findings: &findings,
            errors,
            warnings,
            infos,
        };
        let json = serde_json::to_string_pretty(&report)
            .map_err(|e| Failure(format!("cannot encode the findings: {e}")))?;
        outln!("{json}");
    } else if findings.is_empty() {
        outln!("{file}: no findings");
    } else {
        out!("{}", render(&findings));
        outln!(
            "{file}: {}, {}, {}",
            count(errors, "error"),
            count(warnings, "warning"),
            count(infos, "info")
        );
    }
    if errors > 0 {
        return Err(errors_failure(&file, errors));
    }
    Ok(())
}
