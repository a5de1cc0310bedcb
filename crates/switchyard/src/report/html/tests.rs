use super::*;
use crate::compare::{Compared, ComparisonRun, InputSource, compare};
use crate::model::monthly::Period;
use crate::model::{EvaluateOptions, Progress, evaluate_with_progress};
use crate::plan::{Format, NoCatalog, PlanFile, parse, resolve};

const EXAMPLE: &str = include_str!("../../../../../examples/claude-then-deepseek.toml");

fn comparison(labels: &[&str]) -> (Comparison, Vec<PlanFile>) {
    let plans: Vec<PlanFile> = labels
        .iter()
        .enumerate()
        .map(|(i, _)| {
            let attempts = format!("attempts = {}, timeout_ms = 12000, backoff", i + 1);
            parse(
                &EXAMPLE.replace("attempts = 2, timeout_ms = 12000, backoff", &attempts),
                Format::Toml,
                "p.toml",
            )
            .expect("parses")
        })
        .collect();
    let portfolios = plans
        .iter()
        .zip(labels)
        .map(|(plan, label)| {
            let resolved = resolve(plan, &NoCatalog).expect("resolves");
            let options = EvaluateOptions {
                samples: 20_000,
                periods: 100,
                ..EvaluateOptions::default()
            };
            Compared {
                label: (*label).to_owned(),
                file: None,
                budget_ms: resolved.portfolio.workload.latency_budget_ms,
                report: evaluate_with_progress(&resolved.portfolio, &options, &Progress::new())
                    .expect("runs"),
                tco: None,
                sources: vec![InputSource {
                    offering: "anthropic/claude-sonnet".into(),
                    field: "availability".into(),
                    value: "0.9992".into(),
                    source: "Chu et al., ICPE 2025".into(),
                    url: Some("https://doi.org/10.1145/example".into()),
                    date: Some("2025-05-01".into()),
                }],
            }
        })
        .collect();
    let run = ComparisonRun {
        samples: 20_000,
        seed: 1,
        periods: 100,
        period: Period::Month,
    };
    let c = compare(portfolios, &plans, 0, 0.9999, run).expect("compares");
    (c, plans)
}

/// Parses the report as XML (its `<!DOCTYPE html>` allowed).
fn parse_html(html: &str) -> roxmltree::Document<'_> {
    let options = roxmltree::ParsingOptions {
        allow_dtd: true,
        ..roxmltree::ParsingOptions::default()
    };
    roxmltree::Document::parse_with_options(html, options).expect("well-formed")
}

fn meta() -> ReportMeta {
    ReportMeta {
        generated_at: "2026-12-03T18:00:00Z".into(),
        version: "0.1.0".into(),
    }
}

fn chart() -> ReportChart {
    ReportChart {
        title: "a chart".into(),
        svg: "<svg width=\"10\" height=\"10\" viewBox=\"0 0 10 10\" xmlns=\"http://www.w3.org/2000/svg\"><rect x=\"0\" y=\"0\" width=\"5\" height=\"5\"/></svg>".into(),
    }
}

#[test]
fn every_figure_is_in_the_report_as_the_comparison_has_it() {
    let (c, plans) = comparison(&["one <try>", "two & more", "three"]);
    let plans: Vec<ReportPlan> = plans
        .iter()
        .zip(&c.portfolios)
        .map(|(p, c)| ReportPlan {
            label: c.label.clone(),
            file: None,
            text: crate::plan::to_string(p, Format::Toml).expect("writes"),
        })
        .collect();
    let html = render(&c, &[chart()], &plans, &meta());
    let doc = parse_html(&html);
    let cells: Vec<roxmltree::Node> = doc
        .descendants()
        .filter(|n| n.has_tag_name("td") && n.attribute("data-value").is_some())
        .collect();
    let expected: usize = c
        .rows
        .iter()
        .map(|r| r.values.iter().flatten().count())
        .sum();
    assert_eq!(cells.len(), expected);
    for cell in cells {
        let row = c
            .rows
            .iter()
            .find(|r| Some(r.key.as_str()) == cell.attribute("data-key"))
            .expect("a row");
        let i: usize = cell
            .attribute("data-portfolio")
            .expect("column")
            .parse()
            .expect("index");
        let value: f64 = cell
            .attribute("data-value")
            .expect("value")
            .parse()
            .expect("number");
        assert_eq!(Some(value), row.values[i], "{}", row.key);
        let text: String = cell
            .descendants()
            .filter(|n| n.is_text())
            .filter_map(|n| n.text())
            .collect();
        assert!(
            text.starts_with(row.texts[i].as_deref().expect("text")),
            "{text}"
        );
        assert_eq!(
            text.contains('★'),
            row.best.contains(&i),
            "{}: {text}",
            row.key
        );
    }
    // Labels are text, never markup; the plans are there as written.
    assert!(html.contains("one &lt;try&gt;") && html.contains("two &amp; more"));
    assert!(html.contains("timeout_ms = 12000"));
    assert!(html.contains("What differs between the plans"));
    assert!(html.contains("routes[default].steps[0].attempts"));
    assert!(html.contains("seed 1"));
}

#[test]
fn the_report_names_no_url_but_its_sources() {
    let (c, _) = comparison(&["a", "b"]);
    let html = render(&c, &[chart()], &[], &meta());
    let links: Vec<&str> = html
        .match_indices("http")
        .map(|(at, _)| &html[at..])
        .collect();
    assert_eq!(links.len(), 2, "one source link per portfolio");
    assert!(
        links
            .iter()
            .all(|l| l.starts_with("https://doi.org/10.1145/example\">"))
    );
    for banned in ["<script", "<link", "@import", "src=", "url("] {
        assert!(!html.contains(banned), "{banned}");
    }
}

#[test]
fn a_single_plan_has_no_differences_section() {
    let (c, _) = comparison(&["alone"]);
    let html = render(&c, &[], &[], &meta());
    parse_html(&html);
    assert!(!html.contains("What differs"));
    assert!(!html.contains("(baseline)"));
    assert!(html.contains("<title>Switchyard report: alone</title>"));
}
