//! `switchyard catalog ...`: import (a file, or a price list downloaded and
//! shown as a diff before it is written), list, show, history, set, reset,
//! and the rate-limit tier of each provider.

use std::io::IsTerminal;
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::{Subcommand, ValueEnum};
use serde::Serialize;

use switchyard::app::refresh::{self, Preview};
use switchyard::app::{ImportOptions, RefreshOptions};
use switchyard::catalog::overrides::OverrideChange;
use switchyard::catalog::query::FigureDetail;
use switchyard::catalog::rate_tiers::{self, ProviderTiers};
use switchyard::catalog::{
    Catalog, CatalogError, ImportFormat, ImportReport, ListFilter, ListOutput, OfferingRow,
    RefreshFormat, Value,
};

use super::Failure;

/// Test hook: milliseconds to sleep after each record an import writes, so an
/// end-to-end test can kill the process in the middle of the transaction.
pub const SLOW_IMPORT_ENV: &str = "SWITCHYARD_TEST_SLOW_IMPORT";
/// What the hook prints to stderr once the import has started writing.
pub const SLOW_IMPORT_MARKER: &str = "switchyard: import in progress";

#[derive(Debug, clap::Args)]
pub struct CatalogArgs {
    /// The catalog database. Default: $SWITCHYARD_DB, else catalog.sqlite3 in
    /// the platform's app-data directory (created and seeded on first use).
    #[arg(long, global = true, value_name = "PATH")]
    db: Option<PathBuf>,
    #[command(subcommand)]
    command: CatalogCommand,
}

#[derive(Debug, Subcommand)]
enum CatalogCommand {
    /// Import a price list from a file, or download it (--url) and see what
    /// changes before it is written; one transaction: all of it or nothing.
    Import {
        /// The list's format.
        #[arg(long, value_enum)]
        format: FormatArg,
        /// The file to import.
        #[arg(required_unless_present = "url", conflicts_with = "url")]
        file: Option<PathBuf>,
        /// Download the list instead (litellm, openrouter); without a value,
        /// the format's default URL. The changes are shown first, and written
        /// after a yes.
        #[arg(long, value_name = "URL", num_args = 0..=1, default_missing_value = "")]
        url: Option<String>,
        // The --url options conflict with FILE rather than require --url:
        // clap drops a requirement whose target conflicts with an argument
        // given, so `requires = "url"` would let `FILE --yes` through.
        /// With --url: show the changes only; write nothing.
        #[arg(long, conflicts_with = "file")]
        dry_run: bool,
        /// With --url: write the changes without asking (needed when not on a
        /// terminal).
        #[arg(long, conflicts_with_all = ["file", "dry_run"])]
        yes: bool,
        /// With --url: seconds the whole download may take.
        #[arg(long, value_name = "S", conflicts_with = "file", default_value_t = RefreshOptions::default().timeout_s, value_parser = |s: &str| RefreshOptions::TIMEOUT_S.parse_f64(s))]
        timeout_s: f64,
        /// Import every mode (embedding, image, ...), not only chat.
        #[arg(long)]
        all_modes: bool,
        /// Print the report (with --url, the changes) as JSON.
        #[arg(long)]
        json: bool,
    },
    /// List offerings with their effective figures (`*` marks an override).
    List {
        /// Only this provider's offerings.
        #[arg(long)]
        provider: Option<String>,
        /// Only offerings of this mode (e.g. chat).
        #[arg(long)]
        mode: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// One offering: every figure with its source and date.
    Show {
        id: String,
        #[arg(long)]
        json: bool,
    },
    /// Every change of an offering's figures, oldest first.
    History {
        id: String,
        #[arg(long)]
        json: bool,
    },
    /// Override a figure; imports will not change it until `reset`.
    Set {
        id: String,
        /// A field name, e.g. input_per_mtok, availability, outage.
        field: String,
        #[arg(allow_hyphen_values = true)]
        value: String,
        #[arg(long)]
        json: bool,
    },
    /// Remove an override (all of the offering's, without FIELD).
    Reset {
        id: String,
        field: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Say which rate-limit tier your account at PROVIDER is on: its published
    /// limits become the offerings' rpm/tpm limits where they have none of
    /// their own and no probe observed any. Without arguments: every
    /// provider's tiers, their figures and the one chosen.
    Tier {
        /// A provider with published tiers, e.g. anthropic.
        provider: Option<String>,
        /// One of the provider's tiers, e.g. tier-1 or start; without it,
        /// the provider's tiers are listed.
        tier: Option<String>,
        /// Forget the provider's tier instead.
        #[arg(long, requires = "provider", conflicts_with = "tier")]
        clear: bool,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum FormatArg {
    /// LiteLLM's model_prices_and_context_window.json.
    Litellm,
    /// OpenRouter's /api/v1/models JSON.
    Openrouter,
    /// The CSV format of docs/CATALOG.md.
    Csv,
}

impl FormatArg {
    /// The format of a download, if this one can be downloaded.
    fn refresh(self) -> Result<RefreshFormat, Failure> {
        match self {
            FormatArg::Litellm => Ok(RefreshFormat::Litellm),
            FormatArg::Openrouter => Ok(RefreshFormat::Openrouter),
            FormatArg::Csv => Err(Failure(
                "--url downloads litellm or openrouter lists; a CSV catalog is imported from a file"
                    .to_owned(),
            )),
        }
    }
}

impl From<FormatArg> for ImportFormat {
    fn from(f: FormatArg) -> Self {
        match f {
            FormatArg::Litellm => ImportFormat::Litellm,
            FormatArg::Openrouter => ImportFormat::Openrouter,
            FormatArg::Csv => ImportFormat::Csv,
        }
    }
}

/// Opens the catalog at `--db`, `SWITCHYARD_DB` or the default path.
pub fn open(db: Option<&Path>) -> Result<Catalog, Failure> {
    Ok(Catalog::open_chosen(db)?)
}

pub fn run(args: &CatalogArgs) -> Result<(), Failure> {
    let mut catalog = open(args.db.as_deref())?;
    match &args.command {
        CatalogCommand::Import {
            format,
            file,
            url,
            dry_run,
            yes,
            timeout_s,
            all_modes,
            json,
        } => {
            let Some(file) = file else {
                let options = RefreshOptions {
                    format: format.refresh()?,
                    all_modes: *all_modes,
                    timeout_s: *timeout_s,
                    ..RefreshOptions::default()
                };
                let ask = !*dry_run && !*yes;
                return refresh(&mut catalog, url.as_deref(), &options, ask, *dry_run, *json);
            };
            let options = ImportOptions {
                format: (*format).into(),
                all_modes: *all_modes,
            };
            let report = with_progress("importing", |progress| {
                catalog.import_file(file, options.format.into(), options.catalog(), progress)
            })?;
            if *json {
                print_json(&report)
            } else {
                out!("{}", render_import(&report));
                Ok(())
            }
        }
        CatalogCommand::List {
            provider,
            mode,
            json,
        } => {
            let rows = catalog.list(&ListFilter {
                provider: provider.clone(),
                mode: mode.clone(),
            })?;
            if *json {
                print_json(&ListOutput {
                    count: rows.len(),
                    offerings: &rows,
                })
            } else {
                out!("{}", render_list(&rows));
                Ok(())
            }
        }
        CatalogCommand::Show { id, json } => {
            let detail = catalog.show(id)?;
            if *json {
                print_json(&detail)
            } else {
                out!("{}", render_show(&detail));
                Ok(())
            }
        }
        CatalogCommand::History { id, json } => {
            let history = catalog.history(id)?;
            if *json {
                return print_json(&history);
            }
            for c in &history.changes {
                let import = match (&c.import_format, &c.import_file) {
                    (Some(f), Some(file)) => format!(" [{f} import of {file}]"),
                    _ => String::new(),
                };
                outln!(
                    "{}  {:<22} {:<8} {} -> {}  source {}, effective {}{import}",
                    c.recorded_at,
                    c.field,
                    c.kind,
                    show_value(c.old_value.as_ref()),
                    show_value(c.new_value.as_ref()),
                    c.source,
                    c.effective_date,
                );
            }
            Ok(())
        }
        CatalogCommand::Set {
            id,
            field,
            value,
            json,
        } => {
            let change = catalog.set(id, field, value)?;
            if *json {
                print_json(&change)
            } else {
                print_change("set", &change);
                Ok(())
            }
        }
        CatalogCommand::Reset { id, field, json } => {
            let changes = catalog.reset(id, field.as_deref())?;
            if *json {
                return print_json(&changes);
            }
            if changes.is_empty() {
                outln!("{id}: no override to reset");
            }
            for change in &changes {
                print_change("reset", change);
            }
            Ok(())
        }
        CatalogCommand::Tier {
            provider: None,
            json,
            ..
        } => list_tiers(&catalog, None, *json),
        CatalogCommand::Tier {
            provider: Some(provider),
            tier: None,
            clear: false,
            json,
        } => list_tiers(&catalog, Some(provider), *json),
        CatalogCommand::Tier {
            provider: Some(provider),
            tier,
            json,
            ..
        } => {
            let change = catalog.choose_tier(provider, tier.as_deref())?;
            if *json {
                return print_json(&change);
            }
            let name = |t: &Option<String>| t.clone().unwrap_or_else(|| "(none)".to_owned());
            outln!(
                "tier {}: {} -> {}",
                change.provider,
                name(&change.old),
                name(&change.new)
            );
            Ok(())
        }
    }
}

/// Every provider's tiers, one a line, the chosen one marked `*`, each with
/// its figures and their source.
pub fn render_tiers(providers: &[ProviderTiers]) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    for p in providers {
        let name = p
            .name
            .as_deref()
            .map(|n| format!(" ({n})"))
            .unwrap_or_default();
        let chosen = match (&p.chosen, &p.chosen_at) {
            (Some(t), Some(at)) => format!("tier {t}, chosen {at}"),
            _ => "no tier chosen".to_owned(),
        };
        let _ = writeln!(
            out,
            "{}{name}: {chosen}; tiers from {} (read {})",
            p.provider, p.source_url, p.read_on
        );
        for t in &p.tiers {
            let mark = if t.chosen { '*' } else { ' ' };
            if t.limits.is_empty() {
                let _ = writeln!(out, "  {mark} {:<12} no published figures found", t.name);
            }
            for (i, l) in t.limits.iter().enumerate() {
                let label = if i == 0 { t.name.as_str() } else { "" };
                let tokens = match (l.tpm, l.input_tpm, l.output_tpm) {
                    (Some(tpm), _, _) => format!("{} tpm (input + output)", whole(tpm)),
                    (None, i, o) => format!(
                        "{} input tpm, {} output tpm",
                        i.map_or("-".to_owned(), whole),
                        o.map_or("-".to_owned(), whole)
                    ),
                };
                let rpm = l.rpm.map_or("-".to_owned(), whole);
                let _ = writeln!(
                    out,
                    "  {mark} {label:<12} {:<22} {rpm} rpm, {tokens}  [{}, read {}]",
                    l.model, l.source_url, l.read_on
                );
            }
        }
    }
    if providers.is_empty() {
        out.push_str("no rate-limit tiers in this catalog\n");
    }
    out
}

/// A limit as a whole number with thousands separators where it is whole.
fn whole(x: f64) -> String {
    if x.fract() != 0.0 || x.abs() >= 9.0e15 {
        return x.to_string();
    }
    let digits = (x as i64).to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `--url`: downloads the list, shows what it changes, and writes that after
/// a yes (`--yes`, or `y` at the prompt); `--dry-run` only shows it. Without
/// a terminal to ask on and without `--yes`, nothing is even downloaded.
fn refresh(
    catalog: &mut Catalog,
    url: Option<&str>,
    options: &RefreshOptions,
    ask: bool,
    dry_run: bool,
    json: bool,
) -> Result<(), Failure> {
    if ask && !std::io::stdin().is_terminal() {
        return Err(Failure(
            "not on a terminal, so there is no one to ask before writing: pass --yes to write \
             the changes the download finds, or --dry-run to only see them; nothing was downloaded \
             or written"
                .to_owned(),
        ));
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure(format!("cannot start the download: {e}")))?;
    let fetched = runtime.block_on(refresh::download(url, options))?;
    let planned = with_progress("checking", |progress| {
        refresh::check(catalog, &fetched, options, progress)
    })?;
    let preview = &planned.preview;
    if !json {
        out!("{}", render_preview(preview));
    }
    let write = !dry_run && !preview.diff.is_empty() && (!ask || confirm()?);
    let written = if write {
        Some(with_progress("writing", |progress| {
            refresh::write(catalog, &planned, progress)
        })?)
    } else {
        None
    };
    if json {
        return print_json(&RefreshOutput {
            preview,
            written: written.as_ref(),
        });
    }
    match &written {
        Some(report) => outln!(
            "written: {} added, {} changed (import {})",
            report.added,
            report.changed,
            report.import_id.unwrap_or_default()
        ),
        None if dry_run && !preview.diff.is_empty() => outln!("dry run: nothing written"),
        None if !preview.diff.is_empty() => outln!("nothing written"),
        None => {}
    }
    Ok(())
}

/// `catalog import --url --json`: the preview and, once written, the report.
#[derive(Serialize)]
struct RefreshOutput<'a> {
    #[serde(flatten)]
    preview: &'a Preview,
    written: Option<&'a ImportReport>,
}

/// Asks on the terminal; only `y` or `yes` is a yes.
fn confirm() -> Result<bool, Failure> {
    eprint!("Write these changes? [y/N] ");
    let mut answer = String::new();
    std::io::stdin()
        .read_line(&mut answer)
        .map_err(|e| Failure(format!("cannot read the answer: {e}")))?;
    Ok(matches!(
        answer.trim().to_ascii_lowercase().as_str(),
        "y" | "yes"
    ))
}

/// Runs an import with a progress bar on stderr when stderr is a terminal
/// (and the slow-import test hook when its variable is set); `verb` says what
/// the bar counts.
fn with_progress<T>(
    verb: &str,
    f: impl FnOnce(&mut dyn FnMut(usize, usize) -> ControlFlow<()>) -> T,
) -> T {
    let bar = std::io::stderr().is_terminal().then(|| {
        let bar = indicatif::ProgressBar::new(0);
        bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
        if let Ok(style) = indicatif::ProgressStyle::with_template(&format!(
            "{verb} {{bar:40}} {{pos}}/{{len}} offerings"
        )) {
            bar.set_style(style);
        }
        bar
    });
    let slow = std::env::var(SLOW_IMPORT_ENV)
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
        .map(Duration::from_millis);
    let mut announced = false;
    let mut progress = |done: usize, total: usize| {
        if let Some(bar) = &bar {
            bar.set_length(total as u64);
            if done.is_multiple_of(64) || done == total {
                bar.set_position(done as u64);
            }
        }
        if let Some(pause) = slow {
            if !announced {
                eprintln!("{SLOW_IMPORT_MARKER}");
                announced = true;
            }
            std::thread::sleep(pause);
        }
        ControlFlow::Continue(())
    };
    let result = f(&mut progress);
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    result
}

fn print_json<T: Serialize>(value: &T) -> Result<(), Failure> {
    let text = serde_json::to_string_pretty(value)
        .map_err(|e| Failure(format!("cannot encode the output: {e}")))?;
    outln!("{text}");
    Ok(())
}

fn show_value(v: Option<&Value>) -> String {
    match v {
        None => "(none)".to_owned(),
        Some(Value::Number(x)) => format!("{x}"),
        Some(Value::Text(t)) => t.clone(),
    }
}

fn print_change(verb: &str, c: &OverrideChange) {
    outln!(
        "{verb} {} {}: {} -> {}",
        c.id,
        c.field,
        show_value(c.old_value.as_ref()),
        show_value(c.new_value.as_ref())
    );
}

pub fn render_import(r: &ImportReport) -> String {
    let mut out = format!("{} ({}): {}", r.file, r.format.name(), counts(r));
    if r.import_id.is_none() {
        out.push_str("  nothing changed; nothing written\n");
    }
    out
}

/// "N entries, ... skipped" and the skip reasons, one a line.
fn counts(r: &ImportReport) -> String {
    let mut out = format!(
        "{} entries, {} considered: {} added, {} changed, {} unchanged, {} skipped\n",
        r.entries, r.considered, r.added, r.changed, r.unchanged, r.skipped
    );
    for (reason, n) in &r.skipped_by_reason {
        out.push_str(&format!("  skipped {n:>5}: {reason}\n"));
    }
    out
}

/// A refresh's changes: what it adds, changes and no longer finds.
pub fn render_preview(p: &Preview) -> String {
    let d = &p.diff;
    let mut out = format!(
        "{} ({}, {} bytes in {:.2} s, fetched {})\n{}",
        p.url,
        switchyard::catalog::Format::from(p.format).name(),
        p.bytes,
        p.download_ms / 1000.0,
        p.retrieved_at,
        counts(&p.report)
    );
    if !d.added.is_empty() {
        out.push_str(&format!("added: {}\n", plural(d.added.len(), "offering")));
        for a in &d.added {
            let figures: Vec<String> = a
                .figures
                .iter()
                .map(|f| format!("{} {}", f.field, show_value(Some(&f.value))))
                .collect();
            out.push_str(&format!("  + {}  {}\n", a.id, figures.join(", ")));
        }
    }
    if !d.changed.is_empty() {
        out.push_str(&format!("changed: {}\n", plural(d.changed.len(), "value")));
        for c in &d.changed {
            let note = if c.overridden {
                "  (your override stays in effect)"
            } else {
                ""
            };
            out.push_str(&format!(
                "  ~ {}  {}  {}{note}\n",
                c.offering, c.field, c.text
            ));
        }
    }
    if !d.removed.is_empty() {
        out.push_str(&format!(
            "removed: {} the source no longer lists (kept in the catalog)\n",
            plural(d.removed.len(), "offering")
        ));
        for id in &d.removed {
            out.push_str(&format!("  - {id}\n"));
        }
    }
    if d.is_empty() {
        out.push_str("no changes: the catalog already has these figures; nothing to write\n");
    } else {
        out.push_str(&format!(
            "{} to write\n",
            plural(p.changes as usize, "change")
        ));
    }
    out
}

/// "1 offering", "2 offerings".
fn plural(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

fn render_list(rows: &[OfferingRow]) -> String {
    use switchyard::catalog::Field as F;
    let mut out = format!(
        "{:<48} {:<6} {:>10} {:>10} {:>10} {:>9} {:>8}\n",
        "id", "mode", "in/Mtok", "cached", "out/Mtok", "context", "avail"
    );
    for r in rows {
        let cell = |f: F| {
            let mark = if r.overridden.contains(&f.name()) {
                "*"
            } else if r.inherited.iter().any(|i| i.field == f.name()) {
                "~"
            } else {
                ""
            };
            match r.figures.get(f) {
                Some(v) => format!("{}{mark}", show_value(Some(v))),
                None => "-".to_owned(),
            }
        };
        out.push_str(&format!(
            "{:<48} {:<6} {:>10} {:>10} {:>10} {:>9} {:>8}\n",
            r.id,
            r.mode.as_deref().unwrap_or("-"),
            cell(F::InputPerMtok),
            cell(F::CachedInputPerMtok),
            cell(F::OutputPerMtok),
            cell(F::ContextWindow),
            cell(F::Availability),
        ));
    }
    out.push_str(&format!(
        "{} offerings (* your override, ~ inherited: `catalog show ID` says from where)\n",
        rows.len()
    ));
    out
}

fn render_show(d: &switchyard::catalog::OfferingDetail) -> String {
    let p = &d.provider;
    let mut out = format!(
        "{}\n  model     {}\n  mode      {}\n",
        d.id,
        d.model,
        d.mode.as_deref().unwrap_or("-")
    );
    if let Some(k) = &d.litellm_key {
        out.push_str(&format!("  litellm   {k}\n"));
    }
    out.push_str(&format!(
        "  provider  {} ({}), dialect {}, {}, key in ${}\n",
        p.id,
        p.name,
        p.dialect.as_deref().unwrap_or("-"),
        p.api_base.as_deref().unwrap_or("-"),
        p.key_env.as_deref().unwrap_or("-"),
    ));
    if let Some(sla) = &p.declared_sla {
        let src = p.sla_source.as_ref().map_or(String::new(), |s| {
            format!(" [{}, {}]", s.id, s.date.as_deref().unwrap_or("undated"))
        });
        out.push_str(&format!("  SLA       {sla}{src}\n"));
    }
    for g in &d.groups {
        let inherited = g
            .inherited_from
            .as_ref()
            .map_or(String::new(), |from| format!(" (inherited: {from})"));
        out.push_str(&format!(
            "  group     {}: availability {}, mttr {} min [{}, {}]{inherited}\n",
            g.id,
            g.availability,
            g.mttr_minutes.map_or("-".to_owned(), |m| m.to_string()),
            g.source.id,
            g.effective_date
        ));
        if let Some(f) = &g.fitted {
            out.push_str(&format!(
                "            plans use its fitted outage history: mean availability {}, {:.2} outage days a month, P(clean month) {:.2} [{}]\n",
                switchyard::format::percent(f.mean_availability),
                f.fit.process.events_per_month,
                f.p_clean_month,
                format_args!(
                    "{}, {} to {}, {} outage days",
                    f.fit.source.file,
                    f.fit.source.from,
                    f.fit.source.to,
                    f.fit.source.events
                )
            ));
        }
    }
    for f in &d.figures {
        out.push_str(&format!("  {:<22} {}\n", f.field, figure_line(f)));
    }
    out
}

fn figure_line(f: &FigureDetail) -> String {
    let provenance = match &f.source {
        Some(s) => {
            let fetched = match (&s.url, &s.retrieved_at) {
                (Some(url), Some(at)) => format!("; fetched from {url} at {at}"),
                _ => String::new(),
            };
            format!(
                "[{} ({}), since {}{fetched}]",
                s.id,
                s.kind,
                f.effective_date.as_deref().unwrap_or("-")
            )
        }
        None => String::new(),
    };
    if let Some(from) = &f.inherited_from {
        return format!("{} inherited from {from}", show_value(Some(&f.value)));
    }
    if f.overridden {
        format!(
            "{} * user override, set {}; imported {} {provenance}",
            show_value(Some(&f.value)),
            f.override_set_at.as_deref().unwrap_or("-"),
            show_value(f.imported_value.as_ref()),
        )
    } else {
        format!("{} {provenance}", show_value(Some(&f.value)))
    }
}

/// `catalog tier [PROVIDER]`: every provider's tiers, or the named one's
/// (an unknown name is refused with the known ones).
fn list_tiers(catalog: &Catalog, provider: Option<&String>, json: bool) -> Result<(), Failure> {
    let all = catalog.rate_tiers()?;
    // One provider's tiers when it is named, every provider's else.
    let tiers: Vec<ProviderTiers> = match provider {
        None => all,
        Some(provider) => {
            let wanted = rate_tiers::normalize(provider);
            let known = all
                .iter()
                .map(|p| p.provider.as_str())
                .collect::<Vec<_>>()
                .join(", ");
            let one: Vec<ProviderTiers> = all
                .iter()
                .filter(|p| rate_tiers::normalize(&p.provider) == wanted)
                .cloned()
                .collect();
            if one.is_empty() {
                return Err(CatalogError::UnknownTierProvider {
                    provider: provider.to_owned(),
                    known,
                }
                .into());
            }
            one
        }
    };
    if json {
        print_json(&tiers)
    } else {
        out!("{}", render_tiers(&tiers));
        Ok(())
    }
}
