use super::rows::best;
use super::*;
use crate::model::{EvaluateOptions, Progress, evaluate_with_progress};
use crate::plan::{Format, NoCatalog, PlanFile, parse, resolve};

const EXAMPLE: &str = include_str!("../../../../examples/claude-then-deepseek.toml");

fn plan(text: &str) -> PlanFile {
    parse(text, Format::Toml, "p.toml").expect("parses")
}

/// The example with DeepSeek's one attempt raised to `attempts` and Claude's
/// timeout set to `timeout_ms`.
fn variant(attempts: u32, timeout_ms: u32) -> PlanFile {
    plan(
        &EXAMPLE
            .replace(
                "{ offering = \"deepseek/deepseek-chat\", attempts = 1, timeout_ms = 12000 }",
                &format!("{{ offering = \"deepseek/deepseek-chat\", attempts = {attempts}, timeout_ms = 12000 }}"),
            )
            .replace(
                "attempts = 2, timeout_ms = 12000, backoff_ms = 100",
                &format!("attempts = 2, timeout_ms = {timeout_ms}, backoff_ms = 100"),
            ),
    )
}

fn compared(label: &str, plan: &PlanFile) -> Compared {
    let resolved = resolve(plan, &NoCatalog).expect("resolves");
    let options = EvaluateOptions {
        samples: 20_000,
        periods: 200,
        target: 0.9999,
        ..EvaluateOptions::default()
    };
    let report =
        evaluate_with_progress(&resolved.portfolio, &options, &Progress::new()).expect("runs");
    Compared {
        label: label.to_owned(),
        file: None,
        budget_ms: resolved.portfolio.workload.latency_budget_ms,
        report,
        tco: None,
        sources: Vec::new(),
    }
}

fn run() -> ComparisonRun {
    ComparisonRun {
        samples: 20_000,
        seed: 1,
        periods: 200,
        period: Period::Month,
    }
}

fn row<'a>(c: &'a Comparison, key: &str) -> &'a Row {
    c.rows
        .iter()
        .find(|r| r.key == key)
        .unwrap_or_else(|| panic!("no row {key}"))
}

#[test]
fn each_column_is_its_plans_report_and_the_best_is_marked() {
    let plans = [variant(1, 12000), variant(3, 12000)];
    let portfolios = vec![compared("one", &plans[0]), compared("three", &plans[1])];
    let reports: Vec<Report> = portfolios.iter().map(|p| p.report.clone()).collect();
    let c = compare(portfolios, &plans, 0, 0.9999, run()).expect("compares");
    let a = row(&c, "availability");
    assert_eq!(
        a.values,
        vec![Some(reports[0].availability), Some(reports[1].availability)]
    );
    // Two more attempts on the fallback can only raise availability.
    assert!(reports[1].availability > reports[0].availability);
    assert_eq!(a.best, vec![1]);
    assert_eq!(a.delta[0], Some(0.0));
    assert_eq!(
        a.delta[1],
        Some(reports[1].availability - reports[0].availability)
    );
    assert_eq!(
        a.ratio[1],
        Some(reports[1].availability / reports[0].availability)
    );
    let monthly = row(&c, "cost_per_month_usd");
    assert_eq!(monthly.better, Better::Lower);
    assert_eq!(monthly.values[1], Some(reports[1].cost_usd.monthly));
    let p95 = row(&c, "latency_p95_ms");
    assert_eq!(p95.method, crate::model::evaluate::Method::Exact);
    assert_eq!(p95.values[0], reports[0].latency_ms.p95);
    // One row per exceedance threshold of the report.
    let thresholds = reports[0].monthly_availability.exceedance.len();
    assert_eq!(
        c.rows
            .iter()
            .filter(|r| r.key.starts_with("exceedance_"))
            .count(),
        thresholds
    );
    assert!(
        c.rows.iter().all(|r| !r.key.starts_with("tco_")),
        "no [tco] was given"
    );
}

#[test]
fn best_marks_ties_and_nothing_when_all_are_equal() {
    assert_eq!(
        best(&[Some(1.0), Some(2.0), Some(2.0)], Better::Higher),
        vec![1, 2]
    );
    assert_eq!(best(&[Some(1.0), None, Some(0.5)], Better::Lower), vec![2]);
    assert!(best(&[Some(3.0), Some(3.0)], Better::Lower).is_empty());
    assert!(
        best(&[Some(3.0), None], Better::Lower).is_empty(),
        "one value stands alone"
    );
    assert!(best(&[Some(1.0), Some(2.0)], Better::None).is_empty());
}

#[test]
fn the_ratio_to_a_zero_or_missing_baseline_is_absent() {
    let mut zero = compared("a", &variant(1, 12000));
    zero.report.latency_ms.p95 = None;
    zero.report.cost_usd.per_request = 0.0;
    let other = compared("b", &variant(1, 12000));
    let rows = rows(&[zero, other], 0);
    let by = |k: &str| rows.iter().find(|r| r.key == k).expect("row").clone();
    assert_eq!(by("latency_p95_ms").delta[1], None);
    assert_eq!(by("latency_p95_ms").ratio[1], None);
    assert_eq!(by("cost_per_request_usd").ratio[1], None);
    assert!(by("cost_per_request_usd").delta[1].is_some());
}

#[test]
fn the_diff_names_the_fields_that_differ_by_route_name_and_step() {
    let plans = [variant(1, 12000), variant(3, 9000), variant(1, 12000)];
    let diff = plan_diff(&plans);
    let fields: Vec<&str> = diff.iter().map(|d| d.field.as_str()).collect();
    assert_eq!(
        fields,
        [
            "routes[default].steps[0].timeout_ms",
            "routes[default].steps[1].attempts"
        ]
    );
    assert_eq!(
        diff[1].values,
        vec![
            Some("1".to_owned()),
            Some("3".to_owned()),
            Some("1".to_owned())
        ]
    );
    assert!(plan_diff(&[variant(1, 12000), variant(1, 12000)]).is_empty());
}

#[test]
fn a_field_one_plan_leaves_out_is_a_difference() {
    let without = plan(&EXAMPLE.replace("latency_budget_ms = 15000\n", ""));
    let diff = plan_diff(&[variant(1, 12000), without]);
    assert_eq!(diff.len(), 1, "{diff:?}");
    assert_eq!(diff[0].field, "workload.latency_budget_ms");
    assert_eq!(diff[0].values, vec![Some("15000.0".to_owned()), None]);
}

#[test]
fn counts_and_baselines_out_of_range_are_refused() {
    assert_eq!(check(0, 0), Err(CompareError::Count(0)));
    assert_eq!(check(7, 0), Err(CompareError::Count(7)));
    assert_eq!(
        check(3, 3),
        Err(CompareError::Baseline { given: 4, count: 3 })
    );
    assert!(check(6, 5).is_ok());
    assert_eq!(
        CompareError::Baseline { given: 4, count: 3 }.to_string(),
        "the baseline is portfolio 4 (counting from 1), but there are only 3"
    );
}

#[test]
fn differences_read_in_their_unit() {
    assert_eq!(delta_text(Unit::Probability, 0.000_103), "+0.010 pp");
    assert_eq!(delta_text(Unit::Probability, -0.2), "−20.0 pp");
    assert_eq!(delta_text(Unit::Usd, -1234.5), "−$1,234.50");
    assert_eq!(delta_text(Unit::Milliseconds, 250.0), "+250 ms");
    assert_eq!(delta_text(Unit::Nines, 0.0), "±0");
    assert_eq!(ratio_text(1.000_103), "×1.00010");
    assert_eq!(ratio_text(2.5), "×2.50");
    assert_eq!(text(Unit::Probability, 0.9999), "99.990%");
}
