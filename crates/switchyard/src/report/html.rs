//! A comparison (or one plan) as one self-contained HTML file to hand to the
//! people who decide: the figures with the best of each row marked and the
//! differences from the baseline, the charts as inline SVG, the plans as
//! written, where every input figure comes from, and how each figure was
//! computed. It loads nothing (no script, stylesheet, font or image from
//! anywhere), so it opens offline and prints to PDF as it shows. Its only
//! links are the sources' own; the only other URLs in it are the plans'
//! `api_base` values, shown as text because the plans are shown as written.
//!
//! The markup is well-formed XML as well as HTML, so a test can parse it and
//! read each figure back: every value cell carries its exact number in
//! `data-value`, the figure's key in `data-key` and its column in
//! `data-portfolio`.

use std::fmt::Write;

use crate::compare::{Better, Comparison};
use crate::model::evaluate::Method;

/// A chart of the report: its title and its SVG.
#[derive(Debug, Clone)]
pub struct ReportChart {
    pub title: String,
    pub svg: String,
}

/// A compared plan as written, for the report's appendix.
#[derive(Debug, Clone)]
pub struct ReportPlan {
    pub label: String,
    pub file: Option<String>,
    /// The plan in TOML.
    pub text: String,
}

/// What the report says about itself.
#[derive(Debug, Clone)]
pub struct ReportMeta {
    /// When it was made (RFC 3339, UTC).
    pub generated_at: String,
    /// The Switchyard version that made it.
    pub version: String,
}

const STYLE: &str = r#"
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; color: #1b1f24; margin: 2rem auto; max-width: 72rem; padding: 0 1rem; line-height: 1.4; }
h1 { font-size: 1.6rem; margin-bottom: 0.2rem; }
h2 { font-size: 1.2rem; margin-top: 2rem; border-bottom: 1px solid #d0d7de; padding-bottom: 0.2rem; }
.meta { color: #57606a; font-size: 0.9rem; }
table { border-collapse: collapse; width: 100%; font-size: 0.9rem; }
th, td { border-bottom: 1px solid #d0d7de; padding: 0.3rem 0.5rem; text-align: right; vertical-align: top; }
th:first-child, td:first-child { text-align: left; }
td.best { font-weight: 700; background: #eef6ee; }
.diff { display: block; color: #57606a; font-size: 0.8rem; font-weight: 400; }
.swatch { display: inline-block; width: 0.8rem; height: 0.8rem; border-radius: 2px; margin-right: 0.3rem; vertical-align: -0.1rem; }
.method { color: #57606a; font-size: 0.8rem; }
figure { margin: 1rem 0; page-break-inside: avoid; break-inside: avoid; }
figure svg { width: 100%; height: auto; }
figcaption { font-size: 0.9rem; color: #57606a; }
pre { background: #f6f8fa; padding: 0.8rem; overflow-x: auto; font-size: 0.8rem; white-space: pre-wrap; }
@media print { body { margin: 0; max-width: none; } h2 { page-break-after: avoid; break-after: avoid; } tr, pre { page-break-inside: avoid; break-inside: avoid; } }
@page { size: A4; margin: 15mm; }
"#;

/// Colours of the portfolios, as the charts draw them (Okabe–Ito).
const SWATCHES: [&str; 8] = [
    "#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000", "#F0E442",
];

/// The whole report.
pub fn render(
    comparison: &Comparison,
    charts: &[ReportChart],
    plans: &[ReportPlan],
    meta: &ReportMeta,
) -> String {
    let mut out = String::new();
    let names: Vec<&str> = comparison
        .portfolios
        .iter()
        .map(|p| p.label.as_str())
        .collect();
    let title = if names.len() == 1 {
        format!("Switchyard report: {}", names[0])
    } else {
        format!("Switchyard comparison: {}", names.join(" · "))
    };
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n\
         <meta name=\"generator\" content=\"Switchyard {}\"/>\n<title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n",
        escape(&meta.version),
        escape(&title)
    );
    let _ = writeln!(out, "<h1>{}</h1>", escape(&title));
    let _ = writeln!(
        out,
        "<p class=\"meta\">Made {} by Switchyard {}. SLA target {} for every portfolio. {}</p>",
        escape(&meta.generated_at),
        escape(&meta.version),
        escape(&crate::format::percent(comparison.target)),
        if names.len() > 1 {
            format!(
                "Differences (Δ, ×) are from <strong>{}</strong>.",
                escape(names[comparison.baseline])
            )
        } else {
            String::new()
        }
    );
    figures(&mut out, comparison);
    let _ = writeln!(out, "<h2 id=\"charts\">Charts</h2>");
    for chart in charts {
        let _ = writeln!(
            out,
            "<figure>{}<figcaption>{}</figcaption></figure>",
            inline_svg(&chart.svg),
            escape(&chart.title)
        );
    }
    if comparison.portfolios.len() > 1 {
        plan_diff(&mut out, comparison);
    }
    sources(&mut out, comparison);
    methods(&mut out, comparison);
    let _ = writeln!(out, "<h2 id=\"plans\">The plans</h2>");
    for plan in plans {
        let _ = writeln!(
            out,
            "<h3>{}{}</h3>\n<pre>{}</pre>",
            escape(&plan.label),
            plan.file.as_deref().map_or(String::new(), |f| format!(
                " <span class=\"meta\">({})</span>",
                escape(f)
            )),
            escape(&plan.text)
        );
    }
    out.push_str("</body>\n</html>\n");
    out
}

fn figures(out: &mut String, c: &Comparison) {
    let _ = writeln!(
        out,
        "<h2 id=\"figures\">Figures</h2>\n<table id=\"figures-table\">\n<thead><tr><th>figure</th>"
    );
    for (i, p) in c.portfolios.iter().enumerate() {
        let baseline = if c.portfolios.len() > 1 && i == c.baseline {
            " <span class=\"method\">(baseline)</span>"
        } else {
            ""
        };
        let _ = write!(
            out,
            "<th><span class=\"swatch\" style=\"background:{}\"></span>{}{baseline}</th>",
            SWATCHES[i % SWATCHES.len()],
            escape(&p.label)
        );
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for row in &c.rows {
        let method = match row.method {
            Method::Exact => "exact",
            Method::MonteCarlo => "simulated",
        };
        let better = match row.better {
            Better::Higher => ", higher is better",
            Better::Lower => ", lower is better",
            Better::None => "",
        };
        let _ = write!(
            out,
            "<tr data-key=\"{}\"><td>{}<span class=\"diff\">{method}{better}</span></td>",
            escape(&row.key),
            escape(&row.label)
        );
        for i in 0..c.portfolios.len() {
            let best = row.best.contains(&i);
            let class = if best { " class=\"best\"" } else { "" };
            match (row.values[i], &row.texts[i]) {
                (Some(v), Some(text)) => {
                    let _ = write!(
                        out,
                        "<td{class} data-key=\"{}\" data-portfolio=\"{i}\" data-value=\"{v}\">{}{}",
                        escape(&row.key),
                        escape(text),
                        if best { " ★" } else { "" }
                    );
                    if c.portfolios.len() > 1 && i != c.baseline {
                        let delta = row.delta_texts[i].as_deref().unwrap_or("");
                        let ratio = row.ratio_texts[i].as_deref().unwrap_or("");
                        let _ = write!(
                            out,
                            "<span class=\"diff\">{} {}</span>",
                            escape(delta),
                            escape(ratio)
                        );
                    }
                    out.push_str("</td>");
                }
                _ => {
                    let _ = write!(
                        out,
                        "<td data-key=\"{}\" data-portfolio=\"{i}\">—</td>",
                        escape(&row.key)
                    );
                }
            }
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table>\n");
}

fn plan_diff(out: &mut String, c: &Comparison) {
    let _ = writeln!(out, "<h2 id=\"diff\">What differs between the plans</h2>");
    if c.diff.is_empty() {
        out.push_str("<p>The plans are the same.</p>\n");
        return;
    }
    out.push_str("<table id=\"diff-table\">\n<thead><tr><th>field</th>");
    for p in &c.portfolios {
        let _ = write!(out, "<th>{}</th>", escape(&p.label));
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for row in &c.diff {
        let _ = write!(out, "<tr><td><code>{}</code></td>", escape(&row.field));
        for v in &row.values {
            let _ = write!(
                out,
                "<td>{}</td>",
                v.as_deref().map_or("—".to_owned(), escape)
            );
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table>\n");
}

fn sources(out: &mut String, c: &Comparison) {
    let _ = writeln!(
        out,
        "<h2 id=\"sources\">Where the input figures come from</h2>"
    );
    for p in &c.portfolios {
        let _ = writeln!(
            out,
            "<h3>{}</h3>\n<table class=\"sources\">\n<thead><tr><th>offering</th><th>figure</th><th>value</th><th>source</th><th>date</th></tr></thead>\n<tbody>",
            escape(&p.label)
        );
        for s in &p.sources {
            let source = match &s.url {
                Some(url) if is_web_link(url) => {
                    format!("<a href=\"{}\">{}</a>", escape(url), escape(&s.source))
                }
                _ => escape(&s.source),
            };
            let _ = writeln!(
                out,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{source}</td><td>{}</td></tr>",
                escape(&s.offering),
                escape(&s.field),
                escape(&s.value),
                escape(s.date.as_deref().unwrap_or("—"))
            );
        }
        out.push_str("</tbody>\n</table>\n");
    }
}

fn methods(out: &mut String, c: &Comparison) {
    let exact: Vec<&str> = c
        .rows
        .iter()
        .filter(|r| r.method == Method::Exact)
        .map(|r| r.label.as_str())
        .collect();
    let simulated: Vec<&str> = c
        .rows
        .iter()
        .filter(|r| r.method == Method::MonteCarlo)
        .map(|r| r.label.as_str())
        .collect();
    let _ = writeln!(
        out,
        "<h2 id=\"methods\">How the figures were computed</h2>\n<ul>\n\
         <li><strong>Exact</strong> (closed forms of the model): {}.</li>\n\
         <li><strong>Simulated</strong>: {}. Each plan ran {} simulated requests and {} simulated {}s, seed {}; the same seed gives the same figures.</li>\n\
         <li>P(a {} meets the target) is taken at {} for every portfolio, so the rows compare like with like.</li>\n\
         <li>The charts of latency and cost per step simulate each portfolio again with the same seed; their curves are for shape, the table's figures are the ones to quote.</li>\n</ul>",
        escape(&exact.join(", ")),
        escape(&simulated.join(", ")),
        crate::format::count(c.run.samples as f64),
        crate::format::count(c.run.periods as f64),
        c.run.period.name(),
        c.run.seed,
        c.run.period.name(),
        escape(&crate::format::percent(c.target)),
    );
}

/// Only http(s) links become anchors; anything else in a catalog's URL
/// field is shown as text.
fn is_web_link(url: &str) -> bool {
    url.starts_with("https://") || url.starts_with("http://")
}

/// An SVG to inline in HTML: without its XML namespace (HTML5 parsers put
/// inline `<svg>` in the SVG namespace themselves), so the report names no
/// URL but its sources'.
fn inline_svg(svg: &str) -> String {
    svg.replacen(" xmlns=\"http://www.w3.org/2000/svg\"", "", 1)
}

/// `text` safe inside an element or a double-quoted attribute.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests;
