//! The evaluation as text a person can scan: aligned figures, nines, USD with a
//! precision that suits the amount, and which step serves what share.

use std::fmt::Write;

use unicode_width::UnicodeWidthStr;

use crate::model::monthly::Period;
use crate::model::{Portfolio, Report};

/// A probability as a percentage with two significant digits of its failure
/// part, so the nines show: 0.999995 is "99.99950%", 0.95 is "95.00%".
pub fn percent(p: f64) -> String {
    let unavailability = 1.0 - p;
    let decimals = if unavailability <= 0.0 {
        2
    } else {
        ((-unavailability.log10() - 1e-9).ceil() as i64 - 1).clamp(2, 10) as usize
    };
    format!("{:.*}%", decimals, p * 100.0)
}

/// USD: cents for amounts of a dollar or more (with thousands separators), four
/// significant digits below.
pub fn usd(x: f64) -> String {
    if !x.is_finite() {
        return "n/a".to_owned();
    }
    if x.abs() >= 1.0 {
        let cents = format!("{:.2}", x.abs());
        let (whole, fraction) = cents.split_once('.').unwrap_or((&cents, "00"));
        let sign = if x < 0.0 { "-" } else { "" };
        return format!("{sign}${}.{fraction}", thousands(whole));
    }
    if x == 0.0 {
        return "$0".to_owned();
    }
    let decimals = ((-x.abs().log10()).ceil() as usize + 3).min(12);
    format!("${:.*}", decimals, x)
}

/// Milliseconds as "640 ms" or "5.60 s".
pub fn duration(ms: f64) -> String {
    if ms >= 1000.0 {
        format!("{:.2} s", ms / 1000.0)
    } else {
        format!("{ms:.0} ms")
    }
}

/// An integer with thousands separators: "3,000,000".
pub fn count(x: f64) -> String {
    thousands(&format!("{:.0}", x))
}

fn thousands(text: &str) -> String {
    let (sign, digits) = match text.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", text),
    };
    // Not a run of digits ("inf", "NaN"): as it is.
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return text.to_owned();
    }
    let mut out = String::from(sign);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The columns `text` takes in a terminal: by display width, so that "路由"
/// takes four and "é" one, whatever their bytes.
pub fn width(text: &str) -> usize {
    UnicodeWidthStr::width(text)
}

/// `text` padded with spaces to `columns` display columns (never cut). Unlike
/// `format!("{text:<columns$}")` it counts columns, not characters, and takes
/// any width (the formatter panics past 65,535).
pub fn pad_right(text: &str, columns: usize) -> String {
    let mut out = String::from(text);
    out.extend(std::iter::repeat_n(
        ' ',
        columns.saturating_sub(width(text)),
    ));
    out
}

/// `text` right-aligned in `columns` display columns.
pub fn pad_left(text: &str, columns: usize) -> String {
    let mut out: String = std::iter::repeat_n(' ', columns.saturating_sub(width(text))).collect();
    out.push_str(text);
    out
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
    let _ = writeln!(
        out,
        "  {} requests/month, {} input + {} output tokens, {:.0}% cached, {budget}",
        count(w.requests_per_month),
        count(w.input_tokens),
        count(w.output_tokens),
        w.cached_input_share * 100.0,
    );

    let _ = writeln!(out, "\nReliability");
    // `+ 0.0` turns a negative zero (availability 0) into 0.
    let nines = report
        .nines
        .map_or("certain".to_owned(), |n| format!("{:.2} nines", n + 0.0));
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
    let detail = if w.latency_budget_ms.is_some() {
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
    let _ = writeln!(
        out,
        "\n{} simulated requests, seed {}",
        count(report.simulation.samples as f64),
        report.simulation.seed
    );
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

    #[test]
    fn percentages_show_their_nines() {
        assert_eq!(percent(0.999_995), "99.99950%");
        assert_eq!(percent(0.95), "95.00%");
        assert_eq!(percent(0.9999), "99.990%");
        assert_eq!(percent(0.999_12), "99.912%");
        assert_eq!(percent(1.0), "100.00%");
        assert_eq!(percent(0.0), "0.00%");
    }

    #[test]
    fn dollars_suit_the_amount() {
        assert_eq!(usd(26_700.0), "$26,700.00");
        assert_eq!(usd(1_234_567.891), "$1,234,567.89");
        assert_eq!(usd(0.0089), "$0.008900");
        assert_eq!(usd(0.012_345_6), "$0.01235");
        assert_eq!(usd(0.0), "$0");
        assert_eq!(usd(f64::INFINITY), "n/a");
    }

    #[test]
    fn durations_and_counts() {
        assert_eq!(duration(640.4), "640 ms");
        assert_eq!(duration(5600.0), "5.60 s");
        assert_eq!(count(3_000_000.0), "3,000,000");
        assert_eq!(count(999.0), "999");
        assert_eq!(count(-500.0), "-500");
        assert_eq!(count(-1500.0), "-1,500");
        assert_eq!(count(f64::INFINITY), "inf");
    }

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
        assert_eq!(pad_right("路由", 6), "路由  ");
        assert_eq!(pad_left("é", 3), "  é");
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
