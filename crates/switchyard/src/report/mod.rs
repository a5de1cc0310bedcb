//! The evaluation as text a person can scan: aligned figures, nines, USD with a
//! precision that suits the amount, and which step serves what share.
//! [`comparison`] writes a comparison the same way, and [`html`] writes it
//! (or one plan) as a report to share.

pub mod comparison;
pub mod html;

use std::fmt::Write;

use crate::format::{count, duration, nines, pad_left, pad_right, percent, rate_limit, usd, width};
use crate::model::evaluate::Method;
use crate::model::monthly::Period;
use crate::model::{Portfolio, Report};

/// Each limited step's load and rejections (`MODEL.md` §12); nothing for a
/// plan without rate limits.
fn capacity(out: &mut String, portfolio: &Portfolio, report: &Report) {
    if !report.capacity.iter().any(|s| s.binding_limit.is_some()) {
        return;
    }
    let traffic = &portfolio.workload.traffic;
    let _ = writeln!(
        out,
        "\nCapacity at the peak ({:02}:00 UTC, peak minute x{})",
        traffic.peak_hour(),
        crate::limits::show(traffic.peak_minute_factor)
    );
    let _ = writeln!(
        out,
        "  {}{}",
        pad_right("availability at the peak", 32),
        percent(report.availability_at_peak)
    );
    for s in &report.capacity {
        let who = format!("{} {}. {}", s.route, s.step + 1, s.offering);
        let limit = match (s.binding_limit, s.headroom_peak) {
            (Some(kind), Some(headroom)) => {
                let o = portfolio
                    .offerings
                    .iter()
                    .find(|o| o.id == s.offering)
                    .map(|o| o.quota)
                    .unwrap_or_default();
                format!(
                    "{}, headroom {}",
                    rate_limit(kind, &o, &portfolio.workload),
                    percent(headroom)
                )
            }
            _ => "no limit".to_owned(),
        };
        let _ = writeln!(
            out,
            "  {who}: sent {} rpm, {limit}",
            count(s.offered_rpm_peak.round())
        );
        if s.binding_limit.is_some() {
            let _ = writeln!(
                out,
                "      rejected {} at the peak, {} over the day",
                percent(s.rejected_share_peak),
                percent(s.rejected_share_day)
            );
        }
        if let (Some(sent), Some(rejected), Some(available)) = (
            s.offered_rpm_upstream_outage,
            s.rejected_share_upstream_outage,
            s.availability_upstream_outage,
        ) && s.binding_limit.is_some()
        {
            let _ = writeln!(
                out,
                "      while the steps before it are down: sent {} rpm, rejected {}, route availability {}",
                count(sent.round()),
                percent(rejected),
                percent(available)
            );
        }
    }
}

/// The whole report for `plan_name`.
pub fn render(plan_name: &str, portfolio: &Portfolio, report: &Report) -> String {
    let w = &portfolio.workload;
    let mut out = String::new();
    let line = |out: &mut String, label: &str, value: String| {
        let _ = writeln!(out, "  {}{value}", pad_right(label, 32));
    };
    let _ = writeln!(out, "Plan {plan_name}");
    let budget = w
        .latency_budget_ms
        .map_or("no latency budget".to_owned(), |b| {
            format!("budget {}", duration(b))
        });
    // A distribution is told by its mean and its number of points.
    let points = |n: usize| match n {
        1 => String::new(),
        n => format!(" ({n}-point distribution)"),
    };
    let mixes = w.mixes();
    let _ = writeln!(
        out,
        "  {} requests/month, {}{} input + {}{} output tokens, {:.0}% cached, {budget}",
        count(w.requests_per_month),
        count(w.input_tokens),
        points(mixes.input.points().len()),
        count(w.output_tokens),
        points(mixes.output.points().len()),
        w.cached_input_share * 100.0,
    );

    let _ = writeln!(out, "\nReliability");
    let nines = nines(report.nines);
    line(
        &mut out,
        "availability (no deadline)",
        format!(
            "{}{nines}   exact",
            pad_right(&percent(report.availability), 14)
        ),
    );
    let s = &report.success_within_budget;
    let label = match w.latency_budget_ms {
        Some(b) => format!("success within {}", duration(b)),
        None => "success (no budget)".to_owned(),
    };
    let simulated = report.methods.success_within_budget == Method::MonteCarlo;
    let detail = if simulated {
        format!(
            "95% CI {} to {}   simulated",
            percent(s.ci95[0]),
            percent(s.ci95[1])
        )
    } else {
        "exact".to_owned()
    };
    line(
        &mut out,
        &label,
        format!("{}{detail}", pad_right(&percent(s.value), 14)),
    );
    let l = &report.latency_ms;
    let latency = match (l.p50, l.p95, l.p99) {
        (Some(p50), Some(p95), Some(p99)) => format!(
            "p50 {}   p95 {}   p99 {}",
            duration(p50),
            duration(p95),
            duration(p99)
        ),
        _ => "no request succeeded".to_owned(),
    };
    line(&mut out, "latency of successes", latency);

    let _ = writeln!(out, "\nCost");
    let c = &report.cost_usd;
    line(&mut out, "per request", usd(c.per_request));
    let or_na = |x: Option<f64>| x.map_or("n/a (nothing succeeds)".to_owned(), usd);
    line(&mut out, "per success", or_na(c.per_success));
    line(
        &mut out,
        "per success within budget",
        or_na(c.per_success_within_budget),
    );
    let fixed = if w.fixed_monthly_usd > 0.0 {
        format!("   (incl. {} fixed)", usd(w.fixed_monthly_usd))
    } else {
        String::new()
    };
    line(&mut out, "monthly", format!("{}{fixed}", usd(c.monthly)));

    let _ = writeln!(out, "\nServed by (share of successful requests)");
    let who: Vec<String> = report
        .served_share
        .iter()
        .map(|s| format!("{} {}. {}", s.route, s.step + 1, s.offering))
        .collect();
    let columns = report
        .served_share
        .iter()
        .map(|s| width(&s.route) + width(&s.offering))
        .max()
        .unwrap_or(0)
        + 8;
    for (s, who) in report.served_share.iter().zip(&who) {
        let share = format!("{:.2}%", s.share * 100.0);
        let _ = writeln!(out, "  {}{}", pad_right(who, columns), pad_left(&share, 9));
    }

    capacity(&mut out, portfolio, report);

    let m = &report.monthly_availability;
    let period = match m.period {
        Period::Month => "30-day months",
        Period::Day => "days",
    };
    let _ = writeln!(
        out,
        "\nSLA over {} simulated {period} (target {})",
        count(m.periods as f64),
        percent(m.target)
    );
    line(&mut out, "mean", percent(m.mean));
    line(
        &mut out,
        "p1 / p5 / p50",
        format!("{} / {} / {}", percent(m.p1), percent(m.p5), percent(m.p50)),
    );
    line(
        &mut out,
        "P(meets target)",
        format!(
            "{:.1}%   95% CI {:.1}% to {:.1}%",
            m.p_meets * 100.0,
            m.p_meets_ci95[0] * 100.0,
            m.p_meets_ci95[1] * 100.0
        ),
    );
    for g in &report.outage_processes {
        let process = match &g.fitted {
            Some(p) => format!(
                "fitted outage history: {:.2} outage days a month{}, median {:.0} min each; mean {}",
                p.events_per_month,
                if p.dispersion.is_finite() {
                    format!(" (clustered, dispersion {:.2})", p.dispersion)
                } else {
                    String::new()
                },
                p.log_mu.exp(),
                percent(g.availability)
            ),
            None => format!(
                "constant rate: availability {}, outages of {:.0} min on average",
                percent(g.availability),
                g.mttr_minutes
            ),
        };
        line(&mut out, &format!("group {}", g.group), process);
    }
    // The request simulation runs only for a plan past the exact walk's cap.
    let _ = if report.methods.latency == Method::MonteCarlo {
        writeln!(
            out,
            "\n{} simulated requests, seed {}",
            count(report.simulation.samples as f64),
            report.simulation.seed
        )
    } else {
        writeln!(out, "\nseed {}", report.simulation.seed)
    };
    out
}

/// Which figures came from probes and which were declared (`--observed`).
pub fn render_provenance(provenance: &[crate::probe::observed::Provenance]) -> String {
    let mut out = String::from("\nFigures (--observed)\n");
    for p in provenance {
        let source = if p.source == "observed" {
            format!("observed, {} probes", p.samples)
        } else {
            "declared (not enough probes)".to_owned()
        };
        let _ = writeln!(
            out,
            "  {}{}{:>12.4}   {source}",
            pad_right(&p.offering, 28),
            pad_right(p.field, 14),
            p.value
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const TWO_ROUTES: &str = r#"
[workload]
requests_per_month = 1000
input_tokens = 100
output_tokens = 50

[[offerings]]
id = "a"
availability = 0.999
ttft_p50_ms = 500
ttft_p95_ms = 900
tokens_per_s = 50
input_per_mtok = 1.0
output_per_mtok = 2.0

[[routes]]
name = "café-路由"
share = 0.5
steps = [{ offering = "a", timeout_ms = 5000 }]

[[routes]]
name = "plain"
share = 0.5
steps = [{ offering = "a", timeout_ms = 5000 }]
"#;

    fn evaluated(text: &str) -> (Portfolio, Report) {
        use crate::model::{EvaluateOptions, evaluate};
        use crate::plan::{Format, NoCatalog, parse, resolve};
        let plan = parse(text, Format::Toml, "plan.toml").expect("parses");
        let portfolio = resolve(&plan, &NoCatalog).expect("resolves").portfolio;
        let options = EvaluateOptions {
            samples: 2_000,
            periods: 20,
            ..EvaluateOptions::default()
        };
        let report = evaluate(&portfolio, &options);
        (portfolio, report)
    }

    /// The "Served by" lines, each ending in its right-aligned share.
    fn served_lines(text: &str) -> Vec<&str> {
        text.lines()
            .skip_while(|l| !l.starts_with("Served by"))
            .skip(1)
            .take_while(|l| !l.is_empty())
            .collect()
    }

    #[test]
    fn columns_align_by_display_width_not_bytes() {
        let (portfolio, report) = evaluated(TWO_ROUTES);
        let text = render("plan.toml", &portfolio, &report);
        let lines = served_lines(&text);
        assert_eq!(lines.len(), 2, "{text}");
        assert!(lines[0].contains("café-路由 1. a"), "{text}");
        // "café-路由" is 13 bytes and 7 characters but 9 columns wide.
        assert_eq!(width(lines[0]), width(lines[1]), "{text}");
    }

    #[test]
    fn no_name_length_makes_the_report_panic() {
        // Formatting widths over 65,535 panicked ("Formatting argument out of
        // range"); plans cap names now, but the report never relies on it.
        let (portfolio, mut report) = evaluated(TWO_ROUTES);
        report.served_share[0].route = "r".repeat(65_000);
        report.served_share[0].offering = "o".repeat(5_000);
        let text = render("plan.toml", &portfolio, &report);
        let lines = served_lines(&text);
        assert_eq!(width(lines[0]), width(lines[1]));
        assert!(width(lines[0]) > 70_000);
    }

    #[test]
    fn availability_zero_has_zero_nines_not_minus_zero() {
        let (portfolio, report) =
            evaluated(&TWO_ROUTES.replacen("availability = 0.999", "availability = 0", 1));
        assert_eq!(report.availability, 0.0);
        let nines = report.nines.expect("finite");
        assert!(nines == 0.0 && nines.is_sign_positive(), "{nines}");
        let text = render("plan.toml", &portfolio, &report);
        assert!(text.contains("0.00 nines"), "{text}");
        assert!(!text.contains("-0.00"), "{text}");
        let json = serde_json::to_string(&report).expect("json");
        assert!(json.contains("\"nines\":0.0"), "{json}");
        assert!(!json.contains("-0.0"), "{json}");
    }
}
