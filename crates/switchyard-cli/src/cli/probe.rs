//! `switchyard probe`: live probes of catalog offerings or of an ad-hoc endpoint,
//! stored in the catalog; `switchyard probe stats`: what they measured.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Subcommand, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use switchyard::app::ProbeRunOptions;
use switchyard::catalog::{Catalog, probe_targets as targets, probes};
use switchyard::format;
use switchyard::limits;
use switchyard::plan::Dialect;
use switchyard::probe::{
    self, ErrorClass, ProbeResult, ProbeTarget, SweepOptions, SweepSummary, SweepTarget, stats,
};

use super::Failure;

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct ProbeArgs {
    #[command(subcommand)]
    command: Option<ProbeCommand>,
    #[command(flatten)]
    run: RunArgs,
}

#[derive(Debug, Subcommand)]
enum ProbeCommand {
    /// Success ratio, TTFT percentiles, speed and errors of stored probes.
    Stats(StatsArgs),
}

#[derive(Debug, Args)]
struct RunArgs {
    /// Catalog offering ids to probe.
    offerings: Vec<String>,
    /// Probe an endpoint that is not in the catalog (with --dialect, --model, --key-env).
    #[arg(long, requires_all = ["dialect", "model", "key_env"])]
    base_url: Option<String>,
    #[arg(long, value_enum)]
    dialect: Option<DialectArg>,
    /// The provider's model name at --base-url.
    #[arg(long)]
    model: Option<String>,
    /// The NAME of the environment variable holding the key for --base-url.
    #[arg(long)]
    key_env: Option<String>,
    /// The id results of --base-url are stored under (default: MODEL@BASE_URL).
    #[arg(long)]
    id: Option<String>,
    /// Probes per offering.
    #[arg(long, default_value_t = ProbeRunOptions::default().count, value_parser = |s: &str| ProbeRunOptions::COUNT.parse_u32(s))]
    count: u32,
    /// Probes in flight at once, over all offerings.
    #[arg(long, default_value_t = ProbeRunOptions::default().concurrency, value_parser = |s: &str| ProbeRunOptions::CONCURRENCY.parse_u32(s))]
    concurrency: u32,
    /// Probes in flight at once against one endpoint.
    #[arg(long, default_value_t = ProbeRunOptions::default().per_provider, value_parser = |s: &str| ProbeRunOptions::CONCURRENCY.parse_u32(s))]
    per_provider: u32,
    /// Seconds between rounds: a monitor (default: as fast as the limits allow).
    #[arg(long, value_parser = |s: &str| ProbeRunOptions::SECONDS.parse_f64(s))]
    interval: Option<f64>,
    /// Stop before spending more than this many USD (at catalog prices).
    #[arg(long, default_value_t = ProbeRunOptions::default().max_spend_usd, value_parser = |s: &str| ProbeRunOptions::MAX_SPEND_USD.parse_f64(s))]
    max_spend: f64,
    /// Stop before using more than this many tokens.
    #[arg(long, value_parser = |s: &str| ProbeRunOptions::MAX_TOKENS.parse_u64(s))]
    max_tokens: Option<u64>,
    /// max_tokens of each probe's completion.
    #[arg(long, default_value_t = ProbeRunOptions::default().output_tokens, value_parser = |s: &str| ProbeRunOptions::OUTPUT_TOKENS.parse_u32(s))]
    output_tokens: u32,
    /// Hard deadline of one probe, in seconds.
    #[arg(long, default_value_t = ProbeRunOptions::default().timeout_s, value_parser = |s: &str| ProbeRunOptions::SECONDS.parse_f64(s))]
    timeout: f64,
    /// Longest silence, in seconds, between two chunks of a stream once its
    /// content started; past it the probe fails as stalled.
    #[arg(long, default_value_t = ProbeRunOptions::default().stall_timeout_s, value_parser = |s: &str| ProbeRunOptions::SECONDS.parse_f64(s))]
    stall_timeout: f64,
    /// List models instead of generating: reachability only, no tokens.
    #[arg(long)]
    reachability: bool,
    /// The catalog database (default: SWITCHYARD_DB, then the app-data dir).
    #[arg(long)]
    db: Option<PathBuf>,
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Args)]
struct StatsArgs {
    /// One offering (default: every offering with probes).
    offering: Option<String>,
    /// Only probes of the last this many hours.
    #[arg(long, value_parser = |s: &str| limits::PROBE_HOURS.parse_f64(s))]
    hours: Option<f64>,
    #[arg(long)]
    db: Option<PathBuf>,
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum DialectArg {
    Openai,
    Anthropic,
    Gemini,
}

impl From<DialectArg> for Dialect {
    fn from(d: DialectArg) -> Self {
        match d {
            DialectArg::Openai => Dialect::Openai,
            DialectArg::Anthropic => Dialect::Anthropic,
            DialectArg::Gemini => Dialect::Gemini,
        }
    }
}

pub fn run(args: &ProbeArgs) -> Result<(), Failure> {
    match &args.command {
        Some(ProbeCommand::Stats(stats_args)) => run_stats(stats_args),
        None => run_probes(&args.run),
    }
}

fn targets(args: &RunArgs, catalog: &Catalog) -> Result<Vec<SweepTarget>, Failure> {
    let mut out = Vec::new();
    for id in &args.offerings {
        let target = targets::catalog_target(catalog, id).map_err(|e| Failure(e.to_string()))?;
        out.push(sweep_target(target)?);
    }
    if let (Some(base), Some(dialect), Some(model), Some(key_env)) =
        (&args.base_url, args.dialect, &args.model, &args.key_env)
    {
        let target = ProbeTarget {
            offering: args.id.clone().unwrap_or_else(|| format!("{model}@{base}")),
            dialect: dialect.into(),
            api_base: base.clone(),
            model: model.clone(),
            key_env: key_env.clone(),
            input_per_mtok: 0.0,
            output_per_mtok: 0.0,
        };
        out.push(sweep_target(target)?);
    }
    if out.is_empty() {
        return Err(Failure(
            "nothing to probe: name catalog offerings, or give --base-url with --dialect, --model and --key-env".into(),
        ));
    }
    Ok(out)
}

fn sweep_target(target: ProbeTarget) -> Result<SweepTarget, Failure> {
    targets::sweep_target(target).map_err(|e| Failure(e.to_string()))
}

fn run_probes(args: &RunArgs) -> Result<(), Failure> {
    let catalog = super::catalog::open(args.db.as_deref())?;
    let targets = targets(args, &catalog)?;
    let options = ProbeRunOptions {
        count: args.count,
        concurrency: args.concurrency,
        per_provider: args.per_provider,
        interval_s: args.interval,
        max_spend_usd: args.max_spend,
        max_tokens: args.max_tokens,
        output_tokens: args.output_tokens,
        timeout_s: args.timeout,
        stall_timeout_s: args.stall_timeout,
        reachability: args.reachability,
    };
    options.validate().map_err(|e| Failure(e.to_string()))?;
    let options = options.sweep();
    let total = u64::from(args.count) * targets.len() as u64;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| Failure(format!("cannot start the probe runtime: {e}")))?;
    let (results, summary) =
        runtime.block_on(drive(targets, options, total, &catalog, !args.json))?;
    if args.json {
        let offerings: Vec<String> = distinct_offerings(&results);
        let stats: Vec<_> = offerings.iter().map(|o| stats(o, &results)).collect();
        let json = serde_json::json!({"summary": summary, "stats": stats, "results": results});
        outln!("{json:#}");
    } else {
        print_summary(&summary, &results);
    }
    Ok(())
}

/// Runs the sweep, storing results in batches as they come and showing progress.
async fn drive(
    targets: Vec<SweepTarget>,
    options: SweepOptions,
    total: u64,
    catalog: &Catalog,
    show_progress: bool,
) -> Result<(Vec<ProbeResult>, SweepSummary), Failure> {
    let client =
        probe::http_client().map_err(|e| Failure(format!("cannot build the HTTP client: {e}")))?;
    let cancel = CancellationToken::new();
    let on_ctrl_c = cancel.clone();
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            on_ctrl_c.cancel();
        }
    });
    let (sender, mut receiver) = mpsc::unbounded_channel();
    let sweep = tokio::spawn(probe::sweep(client, targets, options, cancel, sender));
    let bar = progress_bar(total, show_progress);
    let mut all = Vec::new();
    let mut pending = Vec::new();
    let mut last_flush = std::time::Instant::now();
    while let Some(result) = receiver.recv().await {
        pending.push(result.clone());
        all.push(result);
        bar.set_position(all.len() as u64);
        bar.set_message(live_line(&all));
        if pending.len() >= 50 || last_flush.elapsed() > Duration::from_secs(1) {
            probes::insert(catalog, &pending).map_err(|e| Failure(e.to_string()))?;
            pending.clear();
            last_flush = std::time::Instant::now();
        }
    }
    probes::insert(catalog, &pending).map_err(|e| Failure(e.to_string()))?;
    bar.finish_and_clear();
    let summary = sweep
        .await
        .map_err(|e| Failure(format!("the probe run failed: {e}")))?;
    Ok((all, summary))
}

fn progress_bar(total: u64, wanted: bool) -> ProgressBar {
    if !wanted || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(total);
    if let Ok(style) = ProgressStyle::with_template("{spinner} probes {pos}/{len} {wide_bar} {msg}")
    {
        bar.set_style(style);
    }
    bar.enable_steady_tick(Duration::from_millis(200));
    bar
}

/// "p50 TTFT 412 ms, 3 errors (429 ×2, 5xx ×1), $0.0012" over the results so far.
fn live_line(results: &[ProbeResult]) -> String {
    let mut ttft: Vec<f64> = results.iter().filter_map(|r| r.ttft_ms).collect();
    let p50 = switchyard::model::stats::percentile(&mut ttft, 0.5)
        .map_or("-".to_owned(), format::duration);
    let errors = results.iter().filter(|r| !r.ok).count();
    let spent: f64 = results.iter().map(|r| r.cost_usd).sum();
    format!("p50 TTFT {p50}, {errors} errors, {}", format::usd(spent))
}

fn distinct_offerings(results: &[ProbeResult]) -> Vec<String> {
    let mut ids: Vec<String> = results.iter().map(|r| r.offering.clone()).collect();
    ids.sort();
    ids.dedup();
    ids
}

fn print_summary(summary: &SweepSummary, results: &[ProbeResult]) {
    let why = match summary.stopped {
        probe::StopReason::Completed => "completed",
        probe::StopReason::SpendCap => "stopped at the spend cap",
        probe::StopReason::TokenCap => "stopped at the token cap",
        probe::StopReason::Cancelled => "cancelled (finished probes are stored)",
    };
    outln!(
        "{} probes, {}, {} tokens: {why}",
        summary.probes,
        format::usd(summary.spent_usd),
        summary.tokens
    );
    for offering in distinct_offerings(results) {
        print_stats(&stats(&offering, results));
    }
}

fn print_stats(s: &probe::ProbeStats) {
    let ms = |x: Option<f64>| x.map_or("-".to_owned(), format::duration);
    outln!("\n{}", s.offering);
    outln!(
        "  success       {}/{} = {:.1}%   95% CI {:.1}% to {:.1}%",
        s.successes,
        s.probes,
        s.success_ratio * 100.0,
        s.success_ci95[0] * 100.0,
        s.success_ci95[1] * 100.0
    );
    outln!(
        "  TTFT          p50 {}   p95 {}   p99 {}",
        ms(s.ttft_ms.p50),
        ms(s.ttft_ms.p95),
        ms(s.ttft_ms.p99)
    );
    if let Some(speed) = s.tokens_per_s_p50 {
        outln!("  speed         {speed:.0} tokens/s (median)");
    }
    if !s.errors.is_empty() {
        let errors: Vec<String> = s
            .errors
            .iter()
            .map(|(class, n)| format!("{} ×{n}", label(*class)))
            .collect();
        outln!("  errors        {}", errors.join(", "));
    }
    outln!("  spent         {}", format::usd(s.spent_usd));
}

fn label(class: ErrorClass) -> &'static str {
    match class {
        ErrorClass::Timeout => "timeout",
        ErrorClass::Connect => "connect",
        ErrorClass::RateLimited => "429",
        ErrorClass::Server => "5xx",
        ErrorClass::Client => "4xx",
        ErrorClass::Protocol => "protocol",
    }
}

fn run_stats(args: &StatsArgs) -> Result<(), Failure> {
    let catalog = super::catalog::open(args.db.as_deref())?;
    // The value parser keeps --hours in limits::PROBE_HOURS.
    let since_ms = args.hours.map(|h| {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as i64);
        now - (h * 3_600_000.0) as i64
    });
    let results = probes::load(&catalog, args.offering.as_deref(), since_ms)
        .map_err(|e| Failure(e.to_string()))?;
    let offerings = match &args.offering {
        Some(o) => vec![o.clone()],
        None => distinct_offerings(&results),
    };
    let all: Vec<_> = offerings.iter().map(|o| stats(o, &results)).collect();
    if args.json {
        let with_fit: Vec<_> = all
            .iter()
            .map(|s| serde_json::json!({"stats": s, "fit": probe::fit(s)}))
            .collect();
        outln!("{:#}", serde_json::Value::Array(with_fit));
    } else if all.is_empty() {
        outln!("no probes stored yet: run `switchyard probe OFFERING`");
    } else {
        all.iter().for_each(print_stats);
    }
    Ok(())
}
