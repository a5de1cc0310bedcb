use super::*;

const BASE: &str = r#"
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
groups = ["g"]

[[offerings]]
id = "b"
availability = 0.99
ttft_p50_ms = 400
ttft_p95_ms = 800
tokens_per_s = 60
input_per_mtok = 0.5
output_per_mtok = 1.0

[[groups]]
id = "g"
availability = 0.9995

[[routes]]
name = "main"
share = 1.0
steps = [
  { offering = "a", attempts = 2, timeout_ms = 5000, backoff_ms = 100 },
  { offering = "b", timeout_ms = 5000 },
]
"#;

/// The errors of `BASE` with `from` replaced by `to`, one line each.
fn errors_with(from: &str, to: &str) -> String {
    assert!(BASE.contains(from), "the base plan has no `{from}`");
    let text = BASE.replacen(from, to, 1);
    match parse(&text, Format::Toml, "plan.toml") {
        Err(e) => e.to_string(),
        Ok(plan) => match resolve(&plan, &NoCatalog) {
            Ok(_) => String::from("(no error)"),
            Err(problems) => PlanError::Invalid {
                file: "plan.toml".into(),
                problems,
            }
            .to_string(),
        },
    }
}

fn assert_error(from: &str, to: &str, expected: &str) {
    let errors = errors_with(from, to);
    assert!(
        errors.lines().any(|l| l == expected),
        "expected the line\n  {expected}\ngot\n  {}",
        errors.replace('\n', "\n  ")
    );
}

#[test]
fn the_base_plan_resolves() {
    let plan = parse(BASE, Format::Toml, "plan.toml").expect("parses");
    let resolved = resolve(&plan, &NoCatalog).expect("resolves");
    let p = &resolved.portfolio;
    assert_eq!(p.offerings.len(), 2);
    assert_eq!(p.groups.len(), 1);
    assert_eq!(p.offerings[0].groups, vec![0]);
    assert_eq!(p.routes[0].steps[1].attempts, 1, "attempts default to 1");
    assert_eq!(p.routes[0].steps[1].backoff_ms, 0.0);
    assert_eq!(
        p.offerings[1].prices.cached_input_per_mtok, 0.5,
        "cached defaults to input"
    );
    assert_eq!(p.offerings[0].mttr_minutes, 30.0);
    assert_eq!(p.groups[0].mttr_minutes, 30.0);
}

#[test]
fn unknown_offering() {
    assert_error(
        r#"{ offering = "b", timeout_ms"#,
        r#"{ offering = "c", timeout_ms"#,
        "plan.toml: routes[0].steps[1].offering: unknown offering `c`: define it in [[offerings]] or import it into the catalog",
    );
}

#[test]
fn unknown_group() {
    assert_error(
        r#"groups = ["g"]"#,
        r#"groups = ["h"]"#,
        "plan.toml: offerings[0].groups[0]: unknown group `h`: define it in [[groups]]",
    );
}

#[test]
fn shares_must_sum_to_one() {
    assert_error(
        "share = 1.0",
        "share = 0.9",
        "plan.toml: routes.share: shares sum to 0.9, not 1 (a route without `share` counts as 1)",
    );
    // Within 1e-9 is fine.
    assert_eq!(
        errors_with("share = 1.0", "share = 0.9999999999"),
        "(no error)"
    );
}

#[test]
fn probabilities_outside_0_1() {
    assert_error(
        "availability = 0.99\n",
        "availability = 1.5\n",
        "plan.toml: offerings[1].availability: 1.5 is not a probability (must be in 0..1)",
    );
    assert_error(
        "availability = 0.9995",
        "availability = -0.1",
        "plan.toml: groups[0].availability: -0.1 is not a probability (must be in 0..1)",
    );
    assert_error(
        "output_tokens = 50",
        "output_tokens = 50\ncached_input_share = 2",
        "plan.toml: workload.cached_input_share: 2 is not a probability (must be in 0..1)",
    );
    assert_error(
        "tokens_per_s = 60",
        "tokens_per_s = 60\nerror_rate = nan",
        "plan.toml: offerings[1].error_rate: NaN is not a probability (must be in 0..1)",
    );
}

#[test]
fn p95_below_p50() {
    assert_error(
        "ttft_p95_ms = 900",
        "ttft_p95_ms = 300",
        "plan.toml: offerings[0].ttft_p95_ms: 300 is below ttft_p50_ms (500)",
    );
}

#[test]
fn non_positive_speeds_and_timeouts() {
    assert_error(
        "tokens_per_s = 60",
        "tokens_per_s = 0",
        "plan.toml: offerings[1].tokens_per_s: 0 must be positive",
    );
    assert_error(
        "timeout_ms = 5000, backoff",
        "timeout_ms = -1, backoff",
        "plan.toml: routes[0].steps[0].timeout_ms: -1 must be positive",
    );
}

#[test]
fn negative_prices() {
    assert_error(
        "output_per_mtok = 1.0",
        "output_per_mtok = -1.0",
        "plan.toml: offerings[1].output_per_mtok: -1 must not be negative",
    );
}

#[test]
fn attempts_below_one() {
    assert_error(
        "attempts = 2",
        "attempts = 0",
        "plan.toml: routes[0].steps[0].attempts: 0 must be between 1 and 20 (1 + retries)",
    );
}

#[test]
fn empty_routes() {
    let text = BASE.replace(
        "steps = [\n  { offering = \"a\", attempts = 2, timeout_ms = 5000, backoff_ms = 100 },\n  { offering = \"b\", timeout_ms = 5000 },\n]",
        "steps = []",
    );
    let plan = parse(&text, Format::Toml, "plan.toml").expect("parses");
    let problems = resolve(&plan, &NoCatalog).expect_err("an empty route");
    assert_eq!(
        problems[0].to_string(),
        "routes[0].steps: the route is empty: it needs at least one step"
    );
}

#[test]
fn unknown_fields_are_refused() {
    assert_error(
        "attempts = 2",
        "atempts = 2",
        "plan.toml: routes[0].steps[0].atempts: unknown field `atempts`, expected one of `offering`, `attempts`, `timeout_ms`, `backoff_ms` (line 34, column 21)",
    );
    let errors = errors_with("[workload]", "[workloads]");
    assert!(
        errors.starts_with(
            "plan.toml: workloads: unknown field `workloads`, expected one of `workload`"
        ),
        "{errors}"
    );
}

#[test]
fn missing_fields_and_wrong_types_name_the_field() {
    assert_error(
        "tokens_per_s = 60\n",
        "\n",
        "plan.toml: offerings[1].tokens_per_s: is missing: define it inline or in the catalog",
    );
    let errors = errors_with("attempts = 2", "attempts = \"two\"");
    assert!(
        errors.starts_with("plan.toml: routes[0].steps[0].attempts: invalid type: string \"two\""),
        "{errors}"
    );
}

#[test]
fn an_offering_cannot_be_more_available_than_its_groups() {
    assert_error(
        "availability = 0.999\n",
        "availability = 0.9999\n",
        "plan.toml: offerings[0].availability: 0.9999 is above the availability of its groups together (0.9995): an offering is up only while its groups are",
    );
}

#[test]
fn several_problems_are_reported_together() {
    let text = BASE
        .replacen("tokens_per_s = 60", "tokens_per_s = -5", 1)
        .replacen("share = 1.0", "share = 0.5", 1);
    let plan = parse(&text, Format::Toml, "plan.toml").expect("parses");
    let problems = resolve(&plan, &NoCatalog).expect_err("two problems");
    assert_eq!(problems.len(), 2, "{problems:?}");
}

#[test]
fn syntax_errors_give_the_line() {
    let errors = errors_with("input_tokens = 100", "input_tokens = ");
    assert!(errors.starts_with("plan.toml: (top level): "), "{errors}");
    assert!(errors.contains("line 4"), "{errors}");
}

#[test]
fn json_plans_parse_and_name_fields() {
    let plan = parse(BASE, Format::Toml, "plan.toml").expect("parses");
    let json = to_string(&plan, Format::Json).expect("writes");
    assert_eq!(
        parse(&json, Format::Json, "plan.json").expect("parses"),
        plan
    );
    let bad = json.replacen("\"attempts\": 2", "\"attempts\": -2", 1);
    let err = parse(&bad, Format::Json, "plan.json").expect_err("negative attempts");
    assert!(
        err.to_string()
            .starts_with("plan.json: routes[0].steps[0].attempts: invalid value: integer `-2`"),
        "{err}"
    );
    let err = parse("{\"workload\": {}} trailing", Format::Json, "p.json").expect_err("trailing");
    assert!(err.to_string().starts_with("p.json: "), "{err}");
}

#[test]
fn writing_a_plan_back_gives_the_same_plan() {
    for example in ["claude-then-deepseek.toml", "split-traffic.json"] {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../examples")
            .join(example);
        let plan = load(&path).expect("example loads");
        resolve(&plan, &NoCatalog).expect("example resolves");
        for format in [Format::Toml, Format::Json] {
            let text = to_string(&plan, format).expect("writes");
            assert_eq!(
                parse(&text, format, "again").expect("re-parses"),
                plan,
                "{example} {format:?}"
            );
        }
        let dir = tempfile::tempdir().expect("temp dir");
        let copy = dir.path().join("copy.toml");
        save(&plan, &copy).expect("saves");
        assert_eq!(load(&copy).expect("loads"), plan);
    }
}

#[test]
fn inline_fields_override_catalog_fields_one_by_one() {
    struct OneOffering;
    impl OfferingSource for OneOffering {
        fn offering(&self, id: &str) -> Option<OfferingSpec> {
            (id == "cat").then(|| OfferingSpec {
                id: "cat".into(),
                availability: Some(0.99),
                ttft_p50_ms: Some(500.0),
                ttft_p95_ms: Some(900.0),
                tokens_per_s: Some(50.0),
                input_per_mtok: Some(1.0),
                output_per_mtok: Some(2.0),
                ..OfferingSpec::default()
            })
        }
        fn group(&self, _: &str) -> Option<GroupSpec> {
            None
        }
    }
    let text = BASE.replacen(r#"id = "b""#, r#"id = "cat""#, 1).replacen(
        r#"{ offering = "b","#,
        r#"{ offering = "cat","#,
        1,
    );
    // Inline "cat" overrides every field; now drop some so the catalog fills them.
    let text = text.replacen("availability = 0.99\n", "\n", 1);
    let plan = parse(&text, Format::Toml, "plan.toml").expect("parses");
    let resolved = resolve(&plan, &OneOffering).expect("resolves");
    let cat = &resolved.portfolio.offerings[1];
    assert_eq!(cat.availability, 0.99, "from the catalog");
    assert_eq!(cat.tokens_per_s, 60.0, "inline wins");
}
