//! A comparison as text: for each figure, one line per portfolio with its
//! value, a star on the best, and its difference from the baseline; then
//! what differs between the plans.

use std::fmt::Write;

use crate::compare::Comparison;
use crate::format::{count, pad_right, percent};

/// The whole comparison.
pub fn render(c: &Comparison) -> String {
    let mut out = String::new();
    let width = c
        .portfolios
        .iter()
        .map(|p| crate::format::width(&p.label))
        .max()
        .unwrap_or(0)
        + 2;
    let _ = writeln!(
        out,
        "Comparison of {} portfolios at SLA target {} ({} requests and {} {}s simulated per plan, seed {})",
        c.portfolios.len(),
        percent(c.target),
        count(c.run.samples as f64),
        count(c.run.periods as f64),
        c.run.period.name(),
        c.run.seed
    );
    let baseline = &c.portfolios[c.baseline].label;
    let _ = writeln!(out, "Differences are from {baseline}; ★ marks the best.");
    for row in &c.rows {
        let method = match row.method {
            crate::model::evaluate::Method::Exact => "exact",
            crate::model::evaluate::Method::MonteCarlo => "simulated",
        };
        let _ = writeln!(out, "\n{} ({method})", row.label);
        for (i, p) in c.portfolios.iter().enumerate() {
            let value = row.texts[i].as_deref().unwrap_or("n/a");
            let star = if row.best.contains(&i) { " ★" } else { "" };
            let diff = if i == c.baseline {
                "baseline".to_owned()
            } else {
                match (&row.delta_texts[i], &row.ratio_texts[i]) {
                    (Some(d), Some(r)) => format!("{d}  {r}"),
                    (Some(d), None) => d.clone(),
                    _ => String::new(),
                }
            };
            let _ = writeln!(
                out,
                "  {}{}{}",
                pad_right(&p.label, width),
                pad_right(&format!("{value}{star}"), 22),
                diff
            );
        }
    }
    if c.portfolios.len() > 1 {
        let _ = writeln!(out, "\nWhat differs between the plans");
        if c.diff.is_empty() {
            let _ = writeln!(out, "  nothing: the plans are the same");
        }
        for d in &c.diff {
            let values: Vec<String> = c
                .portfolios
                .iter()
                .zip(&d.values)
                .map(|(p, v)| format!("{} {}", p.label, v.as_deref().unwrap_or("(not set)")))
                .collect();
            let _ = writeln!(out, "  {}: {}", d.field, values.join(" · "));
        }
    }
    out
}
