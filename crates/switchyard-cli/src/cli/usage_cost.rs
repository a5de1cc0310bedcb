//! `switchyard usage cost` as text: per model, per UTC day and in total,
//! the requests, the spend as logged and the replayed cost side by side;
//! on a plan, each offering's part; the unpriced models named.

use switchyard::format;
use switchyard::usage::replay::CostReport;
use switchyard::usage::replay::report::CostLine;

fn n(x: u64) -> String {
    format::count(x as f64)
}

fn money(x: Option<f64>) -> String {
    x.map_or_else(|| "-".to_owned(), format::usd)
}

/// The replayed cost of a row: unknown when nothing in it is priced, and
/// marked when part of it is not.
fn cost(line: &CostLine) -> String {
    match line.cost_usd {
        None => "unpriced".to_owned(),
        Some(c) if line.unpriced_requests > 0 => format!("{} + unpriced", format::usd(c)),
        Some(c) => format::usd(c),
    }
}

fn difference(line: &CostLine) -> String {
    match line.difference_usd {
        None => "-".to_owned(),
        Some(d) if d >= 0.0 => format!("+{}", format::usd(d)),
        Some(d) => format::usd(d),
    }
}

fn table(rows: &[(String, &CostLine)], label: &str) {
    let width = rows
        .iter()
        .map(|(k, _)| format::width(k))
        .max()
        .unwrap_or(0)
        .max(format::width(label))
        .max(5);
    outln!(
        "{}  {:>12}  {:>14}  {:>22}  {:>12}",
        format::pad_right(label, width),
        "requests",
        "logged spend",
        "replayed cost",
        "difference"
    );
    for (key, line) in rows {
        outln!(
            "{}  {:>12}  {:>14}  {:>22}  {:>12}",
            format::pad_right(key, width),
            n(line.requests),
            money(line.logged_spend_usd),
            cost(line),
            difference(line)
        );
    }
}

/// What was priced: the log read, or the stored usage.
fn print_source(report: &CostReport, basis: &str) {
    if let Some(stored) = &report.stored {
        let window = match (&stored.since, &stored.until) {
            (None, None) => "all the stored usage".to_owned(),
            (Some(s), None) => format!("the stored usage from {s}"),
            (None, Some(u)) => format!("the stored usage until {u}"),
            (Some(s), Some(u)) => format!("the stored usage from {s} until {u}"),
        };
        let imports: Vec<String> = stored
            .imports
            .iter()
            .map(|i| format!("{} ({})", i.id, i.file))
            .collect();
        outln!(
            "{window}: {} requests in {} stored price classes of imports {}, priced {basis}",
            n(report.total.requests),
            n(stored.price_classes),
            imports.join(", ")
        );
        if !stored.models.is_empty() {
            outln!("models: {}", stored.models.join(", "));
        }
        for i in &stored.without_classes {
            outln!(
                "not included: import {} ({}) was stored before price classes were kept; import it again with --replace",
                i.id,
                i.file
            );
        }
        for t in &stored.inexact_tiers {
            outln!(
                "approximate: {}'s tier above {} prompt tokens is not a stored band edge; requests near it are priced at their band's mean prompt",
                t.offering,
                n(t.above_tokens as u64)
            );
        }
    }
    let Some(log) = &report.log else { return };
    outln!(
        "{} ({}): {} requests in {} records from {} lines, priced {basis}",
        log.file,
        log.format,
        n(report.total.requests),
        n(log.records),
        n(log.lines)
    );
    if log.skipped > 0 {
        let reasons: Vec<String> = log
            .skipped_by_reason
            .iter()
            .map(|(r, k)| format!("{} {r}", n(*k)))
            .collect();
        outln!(
            "skipped {} bad lines: {}",
            n(log.skipped),
            reasons.join(", ")
        );
        for example in &log.examples {
            outln!("  {example}");
        }
    }
}

pub fn print_cost(report: &CostReport) {
    let basis = match &report.plan {
        Some(plan) => format!("on the plan {}", plan.file),
        None => "at each model's own catalog prices".to_owned(),
    };
    print_source(report, &basis);
    let t = &report.total;
    let mut notes = Vec::new();
    if t.above_tier_requests > 0 {
        notes.push(format!("{} above a price tier", n(t.above_tier_requests)));
    }
    if t.batch_requests > 0 {
        notes.push(format!("{} batch", n(t.batch_requests)));
    }
    if t.cache_hits > 0 {
        notes.push(format!(
            "{} answered by the gateway's cache (no cost)",
            n(t.cache_hits)
        ));
    }
    if t.cached_unknown_requests > 0 {
        notes.push(format!(
            "{} without a cached-token count (priced as uncached)",
            n(t.cached_unknown_requests)
        ));
    }
    if !notes.is_empty() {
        outln!("requests: {}", notes.join(", "));
    }
    outln!();
    let mut rows: Vec<(String, &CostLine)> = report
        .models
        .iter()
        .map(|m| {
            let key = match &m.offering {
                Some(o) if *o != m.model => format!("{} ({o})", m.model),
                _ => m.model.clone(),
            };
            (key, &m.line)
        })
        .collect();
    rows.push(("total".to_owned(), &report.total));
    table(&rows, "model");
    outln!();
    let days: Vec<(String, &CostLine)> = report
        .days
        .iter()
        .map(|d| (d.day.clone(), &d.line))
        .collect();
    table(&days, "day (UTC)");
    if let Some(plan) = &report.plan {
        outln!();
        outln!(
            "on the plan, per request (the plan's own mean request costs {}):",
            format::usd(plan.cost_per_request)
        );
        let width = plan
            .offerings
            .iter()
            .map(|o| format::width(&o.offering))
            .max()
            .unwrap_or(0)
            .max(8);
        outln!(
            "{}  {:>14}  {:>16}  {:>14}",
            format::pad_right("offering", width),
            "billed inputs",
            "billed outputs",
            "cost"
        );
        for o in &plan.offerings {
            outln!(
                "{}  {:>14.6}  {:>16.6}  {:>14}",
                format::pad_right(&o.offering, width),
                o.billed_input,
                o.billed_output,
                format::usd(o.cost_usd)
            );
        }
    }
    if !report.unpriced.is_empty() {
        outln!();
        outln!("not priced (their requests are in no replayed cost):");
        for u in &report.unpriced {
            outln!(
                "  {}: {} requests, {} logged: {}",
                u.model,
                n(u.requests),
                money(u.logged_spend_usd),
                u.reason
            );
        }
    }
}

/// Several plans' replays of the same traffic: each report in turn, then
/// the plans side by side, cheapest first, against the spend as logged.
pub fn print_plans(reports: &[CostReport]) {
    for report in reports {
        print_cost(report);
        outln!();
    }
    let mut rows: Vec<(String, &CostLine)> = reports
        .iter()
        .map(|r| {
            let name = r.plan.as_ref().map_or("(catalog)", |p| p.file.as_str());
            (name.to_owned(), &r.total)
        })
        .collect();
    rows.sort_by(|a, b| {
        let key = |l: &CostLine| l.cost_usd.unwrap_or(f64::INFINITY);
        key(a.1).total_cmp(&key(b.1))
    });
    outln!("the same traffic on each plan, cheapest first:");
    table(&rows, "plan");
}
