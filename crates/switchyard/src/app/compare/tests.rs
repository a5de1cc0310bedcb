use std::cell::Cell;

use super::*;
use crate::app::SimOptions;
use crate::catalog::CatalogError;
use crate::catalog::testkit::{open, temp_db};
use crate::plan::{Format, parse};

const EXAMPLE: &str = include_str!("../../../../../examples/claude-then-deepseek.toml");
const FROM_CATALOG: &str = include_str!("../../../../../examples/from-catalog.toml");

fn pinned(label: &str, text: &str) -> Pinned {
    Pinned {
        label: label.to_owned(),
        file: None,
        plan: parse(text, Format::Toml, label).expect("parses"),
    }
}

fn options(baseline: usize) -> CompareOptions {
    CompareOptions {
        sim: SimOptions {
            samples: 20_000,
            months: 200,
            ..SimOptions::default()
        },
        baseline,
        target: None,
    }
}

fn never_opened() -> Result<Catalog, CatalogError> {
    panic!("self-contained plans opened the catalog")
}

#[test]
fn each_column_is_what_evaluate_says_of_its_plan() {
    let cheaper = EXAMPLE.replace(
        "attempts = 2, timeout_ms = 12000",
        "attempts = 1, timeout_ms = 12000",
    );
    let plans = [pinned("example", EXAMPLE), pinned("one attempt", &cheaper)];
    let o = options(1);
    let c = compare(&plans, &o, false, never_opened, &Progress::new()).expect("compares");
    assert_eq!(c.comparison.baseline, 1);
    assert_eq!(c.comparison.target, 0.9999, "the baseline's [target]");
    for (p, compared) in plans.iter().zip(&c.comparison.portfolios) {
        let e = evaluation(resolve(&p.plan, "p", false, never_opened).expect("resolves"));
        let alone = e.simulate(&o.sim, &Progress::new()).expect("runs");
        assert_eq!(compared.report, alone, "{}", p.label);
        assert!(compared.tco.is_some(), "the example has a [tco]");
    }
    assert!(
        c.comparison
            .rows
            .iter()
            .any(|r| r.key == "tco_api_total_usd")
    );
    assert_eq!(c.comparison.diff.len(), 1);
    assert_eq!(
        c.comparison.diff[0].field,
        "routes[default].steps[0].attempts"
    );
}

#[test]
fn every_plan_is_simulated_at_the_common_target() {
    let lax = EXAMPLE.replace("availability = 0.9999\n", "availability = 0.99\n");
    let plans = [pinned("strict", EXAMPLE), pinned("lax", &lax)];
    let mut o = options(0);
    o.target = Some(0.999);
    let c = compare(&plans, &o, false, never_opened, &Progress::new()).expect("compares");
    assert_eq!(c.comparison.target, 0.999);
    for p in &c.comparison.portfolios {
        assert_eq!(p.report.monthly_availability.target, 0.999);
    }
    o.target = Some(1.5);
    let err = compare(&plans, &o, false, never_opened, &Progress::new()).expect_err("refused");
    assert!(err.to_string().starts_with("SLA target: "), "{err}");
}

#[test]
fn the_catalog_is_opened_once_for_all_plans() {
    let (_dir, path) = temp_db();
    let catalog = open(&path, true);
    let opened = Cell::new(0);
    let plans = [
        pinned("catalog", FROM_CATALOG),
        pinned("example", EXAMPLE),
        pinned("again", FROM_CATALOG),
    ];
    let c = compare(
        &plans,
        &options(0),
        false,
        || {
            opened.set(opened.get() + 1);
            Ok::<_, CatalogError>(&catalog)
        },
        &Progress::new(),
    )
    .expect("compares");
    assert_eq!(opened.get(), 1);
    assert_eq!(c.portfolios.len(), 3);
    assert_eq!(
        c.comparison.portfolios[0].report,
        c.comparison.portfolios[2].report
    );
}

#[test]
fn a_bad_count_or_baseline_is_refused_before_anything_runs() {
    let one = [pinned("a", EXAMPLE)];
    let err =
        compare(&one, &options(1), false, never_opened, &Progress::new()).expect_err("refused");
    assert!(matches!(err, Error::Compare(_)), "{err}");
    let seven: Vec<Pinned> = (0..7).map(|i| pinned(&format!("p{i}"), EXAMPLE)).collect();
    let err =
        compare(&seven, &options(0), false, never_opened, &Progress::new()).expect_err("refused");
    assert_eq!(err.to_string(), "compare takes 1 to 6 portfolios, not 7");
}

#[test]
fn the_charts_draw_every_portfolio_in_its_order() {
    let plans = [pinned("first", EXAMPLE), pinned("second", EXAMPLE)];
    let c = compare(&plans, &options(0), false, never_opened, &Progress::new()).expect("compares");
    let chart_options = ChartOptions {
        samples: 20_000,
        ..ChartOptions::default()
    };
    for kind in CompareChart::ALL {
        let chart = compare_chart(kind, &c, &chart_options, &[], &Progress::new()).expect("draws");
        let labels: Vec<String> = match &chart {
            Chart::CompareSla(d) => d.series.iter().map(|s| s.label.clone()).collect(),
            Chart::CompareLatency(d) => d.series.iter().map(|s| s.label.clone()).collect(),
            Chart::CompareCost(d) => d.series.iter().map(|s| s.label.clone()).collect(),
            Chart::CompareFrontier(d) => d.portfolios.iter().map(|s| s.label.clone()).collect(),
            other => panic!("{kind:?} drew {other:?}"),
        };
        assert_eq!(labels, ["first", "second"], "{kind:?}");
    }
    let Chart::CompareFrontier(f) = compare_chart(
        CompareChart::Frontier,
        &c,
        &chart_options,
        &[],
        &Progress::new(),
    )
    .expect("draws") else {
        panic!("not a frontier")
    };
    assert_eq!(
        f.portfolios[0].monthly_usd,
        c.comparison.portfolios[0].report.cost_usd.monthly
    );
}
