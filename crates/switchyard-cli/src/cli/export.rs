//! `switchyard export PLAN --format litellm|portkey|openrouter`.

use std::path::PathBuf;

use clap::ValueEnum;

use switchyard::export::lint::{self, ProcessEnv};
use switchyard::export::{self, ExportError, Format};

use super::Failure;
use super::plan_input::{LoadedPlan, load};

#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    /// The plan file (TOML, or JSON with a .json extension).
    plan: PathBuf,
    /// The gateway to write a config for.
    #[arg(long, value_enum)]
    format: GatewayArg,
    /// Write the config to FILE instead of standard output.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    /// Portkey and OpenRouter: write only this route's config (by default, one
    /// JSON object keyed by route name). LiteLLM's config always serves every route.
    #[arg(long, value_name = "NAME")]
    route: Option<String>,
    /// The catalog database that offerings not defined inline come from.
    #[arg(long, value_name = "PATH")]
    db: Option<PathBuf>,
    /// Write the config even when the lint finds errors.
    #[arg(long)]
    force: bool,
}

/// A gateway on the command line.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum GatewayArg {
    Litellm,
    Portkey,
    Openrouter,
}

impl From<GatewayArg> for Format {
    fn from(g: GatewayArg) -> Self {
        match g {
            GatewayArg::Litellm => Format::Litellm,
            GatewayArg::Portkey => Format::Portkey,
            GatewayArg::Openrouter => Format::Openrouter,
        }
    }
}

/// An export failure, each problem on its own line with the plan's name.
pub fn export_failure(file: &str, error: &ExportError) -> Failure {
    Failure(
        error
            .problems
            .iter()
            .map(|p| format!("{file}: {p}"))
            .collect::<Vec<_>>()
            .join("\n"),
    )
}

pub fn run(args: &ExportArgs) -> Result<(), Failure> {
    let format = Format::from(args.format);
    let LoadedPlan {
        file, resolution, ..
    } = load(&args.plan, args.db.as_deref(), false)?;
    let resolved = resolution.resolved;
    // The lint runs first: its findings go to standard error, so that standard
    // output is the config alone.
    let findings = lint::lint(&resolved, Some(format), &ProcessEnv);
    eprint!("{}", super::lint::render(&findings));
    let (errors, _, _) = lint::counts(&findings);
    if errors > 0 && !args.force {
        let mut failure = super::lint::errors_failure(&file, errors);
        failure
            .0
            .push_str("; the config was not written (--force writes it anyway)");
        return Err(failure);
    }
    let exported = match &args.route {
        None => export::export(&resolved, format).map(Some),
        Some(route) => export::export_route(&resolved, format, route),
    }
    .map_err(|e| export_failure(&file, &e))?;
    let Some(text) = exported else {
        let names: Vec<_> = resolved
            .portfolio
            .routes
            .iter()
            .map(|r| format!("`{}`", r.name))
            .collect();
        return Err(Failure(format!(
            "{file}: --route: the plan has no route `{}` (its routes: {})",
            args.route.as_deref().unwrap_or_default(),
            names.join(", ")
        )));
    };
    match &args.out {
        Some(out) => std::fs::write(out, text)
            .map_err(|e| Failure(format!("{}: cannot write the config: {e}", out.display()))),
        None => {
            out!("{text}");
            Ok(())
        }
    }
}
