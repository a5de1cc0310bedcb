use super::super::testing::*;
use super::super::*;

/// Every portfolio's label, and a legend entry for each.
fn names_every_portfolio(svg: &Parsed) {
    for label in COMPARED {
        svg.expect_text(label);
    }
}

#[test]
fn the_overlaid_exceedance_curves_name_each_portfolio_and_the_target() {
    let svg = renders_everywhere(&Chart::CompareSla(compare_sla_sample()));
    svg.expect_text("P(a 30-day month reaches each availability), by portfolio");
    svg.expect_text("target 99.99");
    names_every_portfolio(&svg);
    // One line per portfolio, the target's dashes, and the legend's lines.
    assert!(svg.count("polyline") >= 3, "{:?}", svg.elements);
}

#[test]
fn the_latency_cdfs_mark_each_distinct_budget_once() {
    let svg = renders_everywhere(&Chart::CompareLatency(compare_latency_sample()));
    names_every_portfolio(&svg);
    svg.expect_text("budget 15.00 s");
    svg.expect_text("budget 10.00 s");
    assert_eq!(
        svg.texts.iter().filter(|t| *t == "budget 15.00 s").count(),
        1
    );
}

#[test]
fn each_portfolio_has_a_bar_per_step() {
    let d = compare_cost_sample();
    let svg = renders_everywhere(&Chart::CompareCost(d.clone()));
    names_every_portfolio(&svg);
    let (_, points) =
        render_svg_with_hover(&Chart::CompareCost(d.clone()), 960, 600).expect("renders");
    let steps: usize = d.series.iter().map(|s| s.cost.rows.len()).sum();
    assert_eq!(points.len(), steps);
    // The doubled portfolio's Claude step costs twice the sample's.
    assert!(
        points
            .iter()
            .any(|p| p.label.starts_with("multi-vendor · primary · 1.")
                && p.label
                    .contains(&crate::format::usd(2.0 * (0.0123 + 0.0004 + 0.0011)))),
        "{points:?}"
    );
}

#[test]
fn the_portfolios_stand_over_the_searched_plans() {
    let svg = renders_everywhere(&Chart::CompareFrontier(compare_frontier_sample()));
    svg.expect_text("over 66 searched plans");
    svg.expect_text("search frontier");
    names_every_portfolio(&svg);
    let alone = CompareFrontierData {
        search: Vec::new(),
        ..compare_frontier_sample()
    };
    let svg = renders_everywhere(&Chart::CompareFrontier(alone));
    assert!(!svg.has_text("search frontier"));
}

#[test]
fn a_portfolio_keeps_its_colour_on_every_chart() {
    // The third portfolio is green on each chart: its line, bar or marker.
    let green = "#009E73";
    for chart in [
        Chart::CompareSla(compare_sla_sample()),
        Chart::CompareLatency(compare_latency_sample()),
        Chart::CompareCost(compare_cost_sample()),
        Chart::CompareFrontier(compare_frontier_sample()),
    ] {
        let svg = svg(&chart);
        assert!(
            svg.to_ascii_uppercase().contains(green),
            "{}",
            title(&chart)
        );
    }
}

#[test]
fn degenerate_comparisons_do_not_panic() {
    renders_everywhere(&Chart::CompareSla(CompareSlaData {
        period_label: String::new(),
        target: f64::NAN,
        series: vec![ExceedanceSeries {
            label: "x".into(),
            points: vec![[f64::NAN, 2.0], [1.0, 1.0]],
        }],
    }));
    renders_everywhere(&Chart::CompareLatency(CompareLatencyData {
        series: vec![],
    }));
    renders_everywhere(&Chart::CompareCost(CompareCostData { series: vec![] }));
    renders_everywhere(&Chart::CompareFrontier(CompareFrontierData {
        portfolios: vec![],
        search: vec![],
    }));
    let seven = CompareFrontierData {
        portfolios: (0..7)
            .map(|i| FrontierPoint {
                label: format!("p{i}"),
                monthly_usd: 100.0 * f64::from(i),
                availability: 1.0 - 1e-3 / f64::from(i + 1),
                p95_ms: None,
                on_frontier: false,
                chosen: false,
            })
            .collect(),
        search: vec![],
    };
    renders_everywhere(&Chart::CompareFrontier(seven));
}
