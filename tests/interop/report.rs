//! `target/interop-report.md`: predicted against observed for every scenario
//! and gateway, and the same table between markers in README.md and
//! docs/INTEROP.md when asked to update them.

use std::fmt::Write as _;
use std::path::Path;
use std::time::Duration;

use crate::run::RunResult;
use crate::scenario::{RunSettings, Scenarios};
use crate::stats::LEVEL;

pub const BEGIN: &str = "<!-- interop-table:begin (written by `make test-interop-docs`) -->";
pub const END: &str = "<!-- interop-table:end -->";

fn pct(p: f64) -> String {
    format!("{:.2}%", p * 100.0)
}

/// The table and the notes under it.
pub fn table(results: &[RunResult], scenarios: &Scenarios, total: Duration) -> String {
    let run: &RunSettings = &scenarios.run;
    let mut out = String::new();
    let checks: usize = results
        .iter()
        .map(|r| r.figures.len() + window_checks(r).count())
        .sum();
    let passed: usize = results
        .iter()
        .map(|r| {
            r.figures.iter().filter(|f| f.check.pass).count()
                + window_checks(r).filter(|f| f.check.pass).count()
        })
        .sum();
    let _ = writeln!(
        out,
        "LiteLLM 1.106.2 (proxy) and the Portkey gateway 1.15.2 (`--headless`), non-streaming, \
         against fake providers on 127.0.0.1. {} requests per run, {} in flight, seed {}. \
         *Predicted* is `switchyard evaluate --as <gateway>`, *plan model* the plan's own \
         semantics (`evaluate` without `--as`); the interval is the exact binomial {:.0}% \
         acceptance region around the prediction (success: n = requests; served shares: \
         n = successes). {passed} of {checks} checks pass; {} runs in {:.0} s.",
        run.requests,
        run.concurrency,
        run.seed,
        LEVEL * 100.0,
        results.len(),
        total.as_secs_f64()
    );
    if scenarios.scenario.iter().any(|s| s.windows.is_some()) {
        out.push_str(
            "\nWindows scenarios send requests steadily at the plan's mean rate while the \
             offering below availability 1 is down on a schedule: for its MTTR at the start of \
             every `MTTR / (1 − availability)`. Outcomes inside one window are not independent \
             (one outage, one breaker state), so each figure is measured once per window and \
             checked by batch means: the window values' mean ± t(0.995, windows − 1) · s / √windows, \
             widened by the figure's resolution (one request of a window, one arrival gap, or \
             2 ms for a latency difference). Added latency leaves out the gateway's own \
             time, which no upstream and no model figure includes: its lead from the request's \
             sending to the first upstream attempt, and its fallback hop from a failed answer \
             to the next attempt (both at the fakes; per run below). *Predicted* is `evaluate --as <gateway> --json`'s \
             `during_outage` for the step that goes down; success is checked as above.\n",
        );
    }
    if scenarios.scenario.iter().any(|s| s.peak.is_some()) {
        out.push_str(
            "\nPeak scenarios send no fixed count: requests arrive as a Poisson process at the \
             plan's peak-minute rate for a set time (the count is what arrived), and the fakes \
             enforce the plan's `rpm_limit` with a token bucket that starts empty. Their \
             *predicted* and *plan model* figures are the capacity fixed point at the peak \
             (`switchyard::model::capacity::solve`) on the gateway's and the plan's portfolio; a \
             rejected share's n is the generation attempts the fake was sent.\n",
        );
    }
    out.push('\n');
    out.push_str(
        "| scenario | gateway | figure | plan model | predicted | observed | 99% interval | |\n",
    );
    out.push_str("|---|---|---|---:|---:|---:|---:|---|\n");
    for r in results {
        if let Some(e) = &r.error {
            let first = e.lines().next().unwrap_or_default().replace('|', "/");
            let _ = writeln!(
                out,
                "| {} | {} | run failed: {first} | | | | | FAIL |",
                r.scenario,
                r.gateway.name()
            );
            continue;
        }
        for f in &r.figures {
            let c = &f.check;
            row(
                &mut out,
                r,
                [
                    f.name.clone(),
                    f.plan_model.map_or("–".to_owned(), pct),
                    pct(c.predicted),
                    format!("{}/{} = {}", c.observed, c.trials, pct(c.observed_share())),
                    format!("{}–{}", pct(c.interval.0), pct(c.interval.1)),
                ],
                c.pass,
            );
        }
        for f in window_checks(r) {
            let c = &f.check;
            let per_window: Vec<String> = c.per_window.iter().map(|v| value(f.unit, *v)).collect();
            row(
                &mut out,
                r,
                [
                    format!("{} (per window, batch means)", f.name),
                    "–".to_owned(),
                    value(f.unit, c.predicted),
                    format!("{} = {}", per_window.join(", "), value(f.unit, c.mean)),
                    format!(
                        "{}–{}",
                        value(f.unit, c.interval.0),
                        value(f.unit, c.interval.1)
                    ),
                ],
                c.pass,
            );
        }
        if r.wrong_requests > 0 {
            let _ = writeln!(
                out,
                "| {} | {} | upstream requests in the wrong dialect, untagged or refused with a 4xx | | | {} | 0 | FAIL |",
                r.scenario,
                r.gateway.name(),
                r.wrong_requests
            );
        }
        if r.header_mismatches > 0 {
            let _ = writeln!(
                out,
                "| {} | {} | served-by header missing or naming an upstream that did not answer 200 | | | {} | 0 | FAIL |",
                r.scenario,
                r.gateway.name(),
                r.header_mismatches
            );
        }
    }
    out
}

/// One checked row of the table: figure, plan model, predicted, observed and
/// interval, after the run's scenario and gateway.
fn row(out: &mut String, r: &RunResult, cells: [String; 5], pass: bool) {
    let _ = writeln!(
        out,
        "| {} | {} | {} | {} |",
        r.scenario,
        r.gateway.name(),
        cells.join(" | "),
        if pass { "pass" } else { "FAIL" }
    );
}

/// The window figures of a run.
fn window_checks(r: &RunResult) -> impl Iterator<Item = &crate::windows::WindowFigure> {
    r.windows.iter().flat_map(|w| &w.figures)
}

/// A time in whole ms, or "–" when nothing was measured.
fn ms_or_dash(v: Option<f64>) -> String {
    v.map_or_else(|| "–".to_owned(), |v| format!("{v:.0}"))
}

/// A window figure in its unit.
fn value(unit: &str, v: f64) -> String {
    match unit {
        "share" => pct(v),
        // `+ 0.0`: a value that rounds to zero from below reads "0", not "-0".
        "ms" => format!("{:.0} ms", v.round() + 0.0),
        "s" => format!("{:.1} s", (v * 10.0).round() / 10.0 + 0.0),
        _ => format!("{v:.2}"),
    }
}

/// The details under the table: attempts per offering, failures, latency.
pub fn details(results: &[RunResult]) -> String {
    let mut out = String::from(
        "| scenario | gateway | upstream attempts per request reaching it (mean, max) | failed requests | 200s not used | other upstream requests | latency p50 / p95 | gateway ready | run |\n|---|---|---|---|---|---|---|---|---|\n",
    );
    for r in results {
        let attempts: Vec<String> = r
            .attempts
            .iter()
            .map(|(o, a)| {
                let mean = if a.requests == 0 {
                    0.0
                } else {
                    a.attempts as f64 / a.requests as f64
                };
                format!("{o}: {mean:.2}, {} ({} req.)", a.max, a.requests)
            })
            .collect();
        let failures: Vec<String> = r
            .failures
            .iter()
            .map(|(status, n)| format!("{n}× {status}"))
            .collect();
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {:.0} / {:.0} ms | {:.1} s | {:.0} s{} |",
            r.scenario,
            r.gateway.name(),
            attempts.join("; "),
            if failures.is_empty() {
                "none".to_owned()
            } else {
                failures.join(", ")
            },
            r.unused_answers,
            r.other_requests,
            r.latency_p50_ms,
            r.latency_p95_ms,
            r.ready_after.as_secs_f64(),
            r.wall.as_secs_f64(),
            r.peak
                .map(|(rate, stats)| format!(
                    " (peak {rate:.0}/min: {} arrivals, {} started late)",
                    stats.arrivals, stats.late
                ))
                .or_else(|| r.windows.as_ref().map(|w| format!(
                    " ({} windows of {:.0} s every {:.0} s at {:.1}/s: {} arrivals, {} started late{}; the gateway's own time, p50: fallback hop per window {} ms, lead to the first attempt {} ms in the windows and {} ms up)",
                    w.schedule.windows.count,
                    w.schedule.windows.down.as_secs_f64(),
                    w.schedule.windows.period.as_secs_f64(),
                    w.schedule.rate_per_s,
                    w.arrivals.arrivals,
                    w.arrivals.late,
                    w.cooldown_set_s
                        .map_or(String::new(), |c| format!("; recommended cooldown {c:.2} s set")),
                    w.gateway_time
                        .hop_p50_ms
                        .iter()
                        .map(|h| format!("{h:.0}"))
                        .collect::<Vec<_>>()
                        .join(", "),
                    ms_or_dash(w.gateway_time.lead_p50_down_ms),
                    ms_or_dash(w.gateway_time.lead_p50_up_ms),
                )))
                .unwrap_or_default()
        );
    }
    out
}

/// The whole report file.
pub fn document(results: &[RunResult], scenarios: &Scenarios, total: Duration) -> String {
    let mut out = String::from("# Interop with real gateways: predicted against observed\n\n");
    out.push_str(&table(results, scenarios, total));
    out.push_str("\n## Per run\n\n");
    out.push_str(&details(results));
    out.push_str("\n## Scenarios\n\n");
    for s in &scenarios.scenario {
        let errors: Vec<String> = s
            .errors
            .iter()
            .map(|(o, e)| format!("{o}: {}", e.describe()))
            .collect();
        let _ = writeln!(
            out,
            "- **{}** (`tests/interop/{}`): {}{}",
            s.name,
            s.plan.display(),
            s.about,
            if errors.is_empty() {
                String::new()
            } else {
                format!(" Errors: {}.", errors.join(", "))
            }
        );
    }
    out
}

/// Puts `table` between the markers of `path`, which must have them.
pub fn splice(path: &Path, table: &str) -> Result<(), String> {
    splice_between(path, BEGIN, END, table)
}

/// Puts `table` between the markers `begin` and `end` of `path`.
pub fn splice_between(path: &Path, begin: &str, end: &str, table: &str) -> Result<(), String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let (Some(b), Some(e)) = (text.find(begin), text.find(end)) else {
        return Err(format!(
            "{}: the interop-table markers are missing",
            path.display()
        ));
    };
    if e < b {
        return Err(format!(
            "{}: the interop-table markers are out of order",
            path.display()
        ));
    }
    let new = format!("{}{begin}\n{table}{}", &text[..b], &text[e..]);
    std::fs::write(path, new).map_err(|e| format!("{}: {e}", path.display()))
}
