//! The evaluation as text a person can scan: aligned figures, nines, USD with a
//! precision that suits the amount, and which step serves what share.

use std::fmt::Write;

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

fn thousands(digits: &str) -> String {
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The whole report for `plan_name`.
pub fn render(plan_name: &str, portfolio: &Portfolio, report: &Report) -> String {
    let w = &portfolio.workload;
    let mut out = String::new();
    let line = |out: &mut String, label: &str, value: String| {
        let _ = writeln!(out, "  {label:<32}{value}");
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
    let nines = report
        .nines
        .map_or("certain".to_owned(), |n| format!("{n:.2} nines"));
    line(
        &mut out,
        "availability (no deadline)",
        format!("{:<14}{nines}   exact", percent(report.availability)),
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
        format!("{:<14}{detail}", percent(s.value)),
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
    let width = report
        .served_share
        .iter()
        .map(|s| s.route.len() + s.offering.len())
        .max()
        .unwrap_or(0)
        + 8;
    for s in &report.served_share {
        let who = format!("{} {}. {}", s.route, s.step + 1, s.offering);
        let _ = writeln!(
            out,
            "  {who:<width$}{:>9}",
            format!("{:.2}%", s.share * 100.0)
        );
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
            "  {:<28}{:<14}{:>12.4}   {source}",
            p.offering, p.field, p.value
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
    }
}
