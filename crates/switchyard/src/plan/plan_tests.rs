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
        "plan.toml: offerings[1].availability: 1.5 is out of range: must be at least 0 and at most 1",
    );
    assert_error(
        "availability = 0.9995",
        "availability = -0.1",
        "plan.toml: groups[0].availability: -0.1 is out of range: must be at least 0 and at most 1",
    );
    assert_error(
        "output_tokens = 50",
        "output_tokens = 50\ncached_input_share = 2",
        "plan.toml: workload.cached_input_share: 2 is out of range: must be at least 0 and at most 1",
    );
    assert_error(
        "tokens_per_s = 60",
        "tokens_per_s = 60\nerror_rate = nan",
        "plan.toml: offerings[1].error_rate: NaN is not a finite number: must be at least 0 and at most 1",
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
        "plan.toml: offerings[1].tokens_per_s: 0 is out of range: must be at least 0.01 and at most 1e7",
    );
    assert_error(
        "timeout_ms = 5000, backoff",
        "timeout_ms = -1, backoff",
        "plan.toml: routes[0].steps[0].timeout_ms: -1 is out of range: must be at least 1 and at most 86,400,000 (1 day)",
    );
}

#[test]
fn negative_prices() {
    assert_error(
        "output_per_mtok = 1.0",
        "output_per_mtok = -1.0",
        "plan.toml: offerings[1].output_per_mtok: -1 is out of range: must be at least 0 and at most 1,000,000",
    );
}

#[test]
fn attempts_below_one() {
    assert_error(
        "attempts = 2",
        "attempts = 0",
        "plan.toml: routes[0].steps[0].attempts: 0 is out of range: must be at least 1 and at most 20 (1 + retries)",
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

// ---------------------------------------------------------------- ranges

#[test]
fn an_mttr_under_a_second_is_refused_with_the_range() {
    // 1e-10 minutes took 17.5 GB in the monthly simulation (issue 13).
    assert_error(
        "tokens_per_s = 60",
        "tokens_per_s = 60\nmttr_minutes = 1e-10",
        "plan.toml: offerings[1].mttr_minutes: 1e-10 is out of range: must be at least 0.0166667 (1 second) and at most 525,600 (1 year)",
    );
    assert_error(
        "availability = 0.9995",
        "availability = 0.9995\nmttr_minutes = 0.001",
        "plan.toml: groups[0].mttr_minutes: 0.001 is out of range: must be at least 0.0166667 (1 second) and at most 525,600 (1 year)",
    );
    assert_eq!(
        errors_with(
            "tokens_per_s = 60",
            "tokens_per_s = 60\nmttr_minutes = 0.0166667"
        ),
        "(no error)"
    );
}

#[test]
fn volumes_and_prices_the_model_cannot_compute_are_refused() {
    assert_error(
        "requests_per_month = 1000",
        "requests_per_month = 1e20",
        "plan.toml: workload.requests_per_month: 1e20 is out of range: must be at least 0 and at most 1e15",
    );
    assert_error(
        "output_per_mtok = 1.0",
        "output_per_mtok = 1e308",
        "plan.toml: offerings[1].output_per_mtok: 1e308 is out of range: must be at least 0 and at most 1,000,000",
    );
    assert_error(
        "input_tokens = 100",
        "input_tokens = inf",
        "plan.toml: workload.input_tokens: inf is not a finite number: must be at least 0 and at most 1e8",
    );
    assert_error(
        "timeout_ms = 5000, backoff",
        "timeout_ms = nan, backoff",
        "plan.toml: routes[0].steps[0].timeout_ms: NaN is not a finite number: must be at least 1 and at most 86,400,000 (1 day)",
    );
}

#[test]
fn every_range_problem_is_reported_at_once() {
    let text = BASE
        .replacen("requests_per_month = 1000", "requests_per_month = 1e20", 1)
        .replacen(
            "tokens_per_s = 60",
            "tokens_per_s = 60\nmttr_minutes = 1e-10",
            1,
        )
        .replacen("output_per_mtok = 2.0", "output_per_mtok = 1e308", 1);
    let plan = parse(&text, Format::Toml, "plan.toml").expect("parses");
    let problems = resolve(&plan, &NoCatalog).expect_err("three problems");
    assert_eq!(problems.len(), 3, "{problems:?}");
}

// ------------------------------------------------------------------ names

#[test]
fn control_characters_in_names_are_refused_at_parse_time() {
    // An ESC in a route name was printed raw by `evaluate` and `lint`.
    let err = errors_with(r#"name = "main""#, r#"name = "ma\u001b[31min""#);
    assert_eq!(
        err,
        "plan.toml: routes[0].name: holds the control character U+001B at character 3: names must be printable (no control characters or bidirectional overrides)"
    );
    assert!(!err.contains('\u{1b}'));
    let err = errors_with(r#"id = "b""#, "id = \"b\u{202E}\"");
    assert!(
        err.starts_with("plan.toml: offerings[1].id: holds the control character U+202E"),
        "{err}"
    );
    // Every name a plan holds is checked, not only route names.
    let err = errors_with(
        "output_per_mtok = 1.0",
        "output_per_mtok = 1.0\nmodel = \"m\\t\"\nkey_env = \"K\\u0007\"",
    );
    assert!(err.contains("offerings[1].model: holds"), "{err}");
    assert!(err.contains("offerings[1].key_env: holds"), "{err}");
}

#[test]
fn names_are_capped_in_length() {
    // A route name plus offering id of ~65,527 bytes panicked in report.rs.
    let long = "r".repeat(70_000);
    let err = errors_with(r#"name = "main""#, &format!("name = \"{long}\""));
    assert_eq!(
        err,
        "plan.toml: routes[0].name: is 70000 characters long; at most 256 are allowed"
    );
}

#[test]
fn names_are_checked_on_resolve_too() {
    // Plans from the app are not parsed from text.
    let mut plan = parse(BASE, Format::Toml, "plan.toml").expect("parses");
    plan.routes[0].name = "x\u{1b}]0;title\u{7}".to_owned();
    let problems = resolve(&plan, &NoCatalog).expect_err("refused");
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(problems[0].field, "routes[0].name");
}

#[test]
fn too_many_steps_are_refused() {
    let steps: Vec<String> = (0..11)
        .map(|_| r#"{ offering = "b", timeout_ms = 5000 }"#.to_owned())
        .collect();
    let text = format!(
        "{}\n[[routes]]\nname = \"long\"\nshare = 0\nsteps = [{}]\n",
        BASE,
        steps.join(", ")
    );
    let err = parse(&text, Format::Toml, "plan.toml").expect_err("too long");
    assert_eq!(
        err.to_string(),
        "plan.toml: routes[1].steps: has 11 entries; at most 10 are allowed"
    );
}

#[test]
fn syntax_errors_do_not_echo_control_characters() {
    let text = BASE.replacen("[workload]", "[workload]\n\"a\\u001bb\" = 1", 1);
    let err = parse(&text, Format::Toml, "plan.toml")
        .expect_err("unknown field")
        .to_string();
    assert!(!err.contains('\u{1b}'), "{err:?}");
    assert!(err.contains("a\\u{1b}b"), "{err}");
}

// ---------------------------------------------------------------- reading

#[test]
fn special_files_are_refused_not_read() {
    // `evaluate /dev/zero` read forever.
    let err = load(Path::new("/dev/zero")).expect_err("a device");
    assert_eq!(
        err.to_string(),
        "/dev/zero: is not a regular file; plans are read from regular files of at most 4194304 bytes (4 MiB)"
    );
}

#[test]
fn plan_files_over_the_cap_are_refused() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("big.toml");
    let max = crate::limits::PLAN_FILE_BYTES.max_count();
    let mut text = BASE.to_owned();
    text.push_str(&"#".repeat(max as usize - text.len()));
    std::fs::write(&path, &text).expect("write");
    load(&path).expect("exactly at the cap loads");
    text.push('\n');
    std::fs::write(&path, &text).expect("write");
    let err = load(&path).expect_err("one byte over");
    assert!(
        err.to_string()
            .ends_with("big.toml: is 4194305 bytes; a plan file is at most 4194304 bytes (4 MiB)"),
        "{err}"
    );
}

#[test]
fn a_byte_order_mark_is_skipped() {
    let plan = parse(BASE, Format::Toml, "plan.toml").expect("parses");
    let json = to_string(&plan, Format::Json).expect("writes");
    for (text, format) in [
        (format!("\u{feff}{json}"), Format::Json),
        (format!("\u{feff}{BASE}"), Format::Toml),
    ] {
        assert_eq!(parse(&text, format, "bom").expect("parses"), plan);
    }
}

// ------------------------------------------------------- where from

/// A catalog offering `cat` whose availability is out of range, as a catalog
/// written before the ranges (or by hand) may hold.
struct BadCatalog;

impl OfferingSource for BadCatalog {
    fn offering(&self, id: &str) -> Option<OfferingSpec> {
        (id == "cat").then(|| OfferingSpec {
            id: "cat".into(),
            availability: Some(1.5),
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
    fn offering_origin(&self, id: &str, field: &str) -> String {
        format!("the catalog `test.sqlite3` (your override of {id} {field})")
    }
}

#[test]
fn a_value_from_the_catalog_is_blamed_on_the_catalog() {
    // The plan defines `cat` inline but does not set its availability: the
    // error named offerings[1].availability, a field the plan never set.
    let text = BASE
        .replacen(r#"id = "b""#, r#"id = "cat""#, 1)
        .replacen(r#"{ offering = "b","#, r#"{ offering = "cat","#, 1)
        .replacen("availability = 0.99\n", "\n", 1);
    let plan = parse(&text, Format::Toml, "plan.toml").expect("parses");
    let problems = resolve(&plan, &BadCatalog).expect_err("1.5 is refused");
    let lines: Vec<String> = problems.iter().map(ToString::to_string).collect();
    assert_eq!(
        lines,
        vec![
            "offering `cat`: availability from the catalog `test.sqlite3` (your override of cat availability): 1.5 is out of range: must be at least 0 and at most 1"
        ]
    );
    // Set inline, the plan's field is blamed.
    let text = text.replacen(
        "tokens_per_s = 60",
        "tokens_per_s = 60\navailability = 2",
        1,
    );
    let plan = parse(&text, Format::Toml, "plan.toml").expect("parses");
    let problems = resolve(&plan, &BadCatalog).expect_err("2 is refused");
    assert_eq!(problems[0].field, "offerings[1].availability");
    // Used from the catalog alone.
    let text = BASE.replacen(r#"{ offering = "b","#, r#"{ offering = "cat","#, 1);
    let plan = parse(&text, Format::Toml, "plan.toml").expect("parses");
    let problems = resolve(&plan, &BadCatalog).expect_err("1.5 is refused");
    assert_eq!(problems[0].field, "offering `cat`");
    assert!(
        problems[0]
            .reason
            .starts_with("availability from the catalog")
    );
}

#[test]
fn a_group_membership_from_the_catalog_is_not_blamed_on_the_plan() {
    struct GroupedCatalog;
    impl OfferingSource for GroupedCatalog {
        fn offering(&self, id: &str) -> Option<OfferingSpec> {
            (id == "cat").then(|| OfferingSpec {
                id: "cat".into(),
                groups: Some(vec!["nowhere".into()]),
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
    let plan = parse(&text, Format::Toml, "plan.toml").expect("parses");
    let problems = resolve(&plan, &GroupedCatalog).expect_err("unknown group");
    assert_eq!(
        problems[0].field,
        "offering `cat` (from the catalog).groups[0]"
    );
}

// ----------------------------------------------------------------- search

const SEARCH: &str = r#"
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

[[offerings]]
id = "b"
availability = 0.99
ttft_p50_ms = 400
ttft_p95_ms = 800
tokens_per_s = 60
input_per_mtok = 0.5
output_per_mtok = 1.0

[search]
attempts = [1, 2, 3]
"#;

fn search_problems(timeouts: usize) -> Result<usize, Vec<String>> {
    let list: Vec<String> = (1..=timeouts).map(|t| (t * 100).to_string()).collect();
    let text = format!("{SEARCH}timeouts_ms = [{}]\n", list.join(", "));
    let plan = parse(&text, Format::Toml, "plan.toml").expect("parses");
    let pool: Vec<CandidateInfo> = ["a", "b"]
        .iter()
        .map(|id| CandidateInfo {
            id: (*id).to_owned(),
            quality: None,
            explicit: false,
        })
        .collect();
    resolve_search(&plan, &pool, &NoCatalog)
        .map(|s| s.space.timeouts_ms.len())
        .map_err(|p| p.iter().map(ToString::to_string).collect())
}

#[test]
fn the_search_option_space_is_capped_with_the_numbers() {
    // 2 candidates × 3 attempts × 166 timeouts = 996 options: searched.
    assert_eq!(search_problems(166), Ok(166));
    // 2 × 3 × 167 = 1,002: refused, before any work.
    assert_eq!(
        search_problems(167),
        Err(vec![
            "search: 2 candidates × 3 attempts × 167 timeouts = 1,002 step options; at most 1,000 are searched (time and memory grow with about the cube of the options): list fewer timeouts_ms or attempts, or fewer candidates".to_owned()
        ])
    );
}

/// `[search] objectives` (`extra`, TOML lines) resolved over the two
/// candidates: the objectives, or the problems.
fn search_objectives(extra: &str) -> Result<Vec<&'static str>, Vec<String>> {
    search_space(extra).map(|s| s.objectives.iter().map(|o| o.name()).collect())
}

/// `[search]` with `extra` (TOML lines) resolved over the two candidates
/// `a` and `b`: its space, or the problems.
fn search_space(extra: &str) -> Result<crate::model::search::SearchSpace, Vec<String>> {
    let text = format!("{SEARCH}{extra}\n");
    let plan = parse(&text, Format::Toml, "plan.toml").expect("parses");
    let pool: Vec<CandidateInfo> = ["a", "b"]
        .iter()
        .map(|id| CandidateInfo {
            id: (*id).to_owned(),
            quality: None,
            explicit: false,
        })
        .collect();
    resolve_search(&plan, &pool, &NoCatalog)
        .map(|s| s.space)
        .map_err(|p| p.iter().map(ToString::to_string).collect())
}

#[test]
fn search_objectives_default_to_cost_and_availability_and_are_checked() {
    assert_eq!(search_objectives(""), Ok(vec!["cost", "availability"]));
    assert_eq!(
        search_objectives(r#"objectives = ["availability", "p95", "cost", "p95"]"#),
        Ok(vec!["availability", "p95", "cost"])
    );
    assert_eq!(
        search_objectives(r#"objectives = ["cost", "p99"]"#),
        Err(vec![
            "search.objectives[1]: unknown objective `p99`: use cost, availability, p95, success_within_budget".to_owned(),
            "search.objectives: must include `availability`: the frontier always trades cost against availability".to_owned(),
        ])
    );
    assert_eq!(
        search_objectives(r#"objectives = ["cost", "availability", "success_within_budget"]"#),
        Err(vec![
            "search.objectives: success_within_budget needs a budget: set workload.latency_budget_ms"
                .to_owned()
        ])
    );
    // With p95 as an objective at a resolution finer than the default (0
    // here) at most 400 options: 2 × 3 × 67 = 402 are refused, 2 × 3 × 66 =
    // 396 searched; at the default resolution the general limit applies.
    let timeouts = |n: usize, resolution: &str| {
        let list: Vec<String> = (1..=n).map(|t| (t * 100).to_string()).collect();
        format!(
            "timeouts_ms = [{}]\nobjectives = [\"cost\", \"availability\", \"p95\"]\n{resolution}",
            list.join(", ")
        )
    };
    for finer in [
        "p95_resolution = 0",
        "availability_resolution_nines = 0.005",
    ] {
        assert!(search_objectives(&timeouts(66, finer)).is_ok());
        let refused = search_objectives(&timeouts(67, finer)).expect_err("too many");
        assert!(
            refused[0].starts_with("search.objectives: 402 step options;"),
            "{refused:?}"
        );
    }
    assert!(search_objectives(&timeouts(67, "")).is_ok());
    assert!(search_objectives(&timeouts(166, "p95_resolution = 0.05")).is_ok());
    let refused = search_objectives(&timeouts(167, "")).expect_err("too many");
    assert!(refused[0].starts_with("search: "), "{refused:?}");
}

#[test]
fn search_settings_are_checked_against_their_ranges() {
    let text = format!("{SEARCH}timeouts_ms = [0.5]\nbackoff_ms = inf\nmin_quality = -1\n");
    let plan = parse(&text, Format::Toml, "plan.toml").expect("parses");
    let pool = [CandidateInfo {
        id: "a".into(),
        quality: Some(5.0),
        explicit: true,
    }];
    let problems: Vec<String> = resolve_search(&plan, &pool, &NoCatalog)
        .expect_err("refused")
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        problems,
        vec![
            "search.timeouts_ms[0]: 0.5 is out of range: must be at least 1 and at most 86,400,000 (1 day)",
            "search.backoff_ms: inf is not a finite number: must be at least 0 and at most 3,600,000 (1 hour)",
            "search.min_quality: -1 is out of range: must be at least 0 and at most 1,000,000",
        ]
    );
}

/// `[search]`'s resolution (`extra`, TOML lines) resolved over the two
/// candidates, or the problems.
fn search_resolution(extra: &str) -> Result<crate::model::search::Resolution, Vec<String>> {
    search_space(extra).map(|s| s.resolution)
}

#[test]
fn the_search_resolution_defaults_to_the_models_and_is_checked() {
    use crate::model::search::Resolution;
    assert_eq!(search_resolution(""), Ok(Resolution::DEFAULT));
    assert_eq!(
        search_resolution("p95_resolution = 0\navailability_resolution_nines = 0"),
        Ok(Resolution::EXACT)
    );
    assert_eq!(
        search_resolution("p95_resolution = 0.05"),
        Ok(Resolution {
            p95: 0.05,
            ..Resolution::DEFAULT
        })
    );
    assert_eq!(
        search_resolution("p95_resolution = 0.6\navailability_resolution_nines = -0.01"),
        Err(vec![
            "search.p95_resolution: 0.6 is out of range: must be at least 0 and at most 0.5"
                .to_owned(),
            "search.availability_resolution_nines: -0.01 is out of range: must be at least 0 and at most 1"
                .to_owned(),
        ])
    );
    assert_eq!(
        search_resolution("p95_resolution = nan"),
        Err(vec![
            "search.p95_resolution: NaN is not a finite number: must be at least 0 and at most 0.5"
                .to_owned()
        ])
    );
}

const FITTED_GROUP: &str = r#"[[groups]]
id = "g"
outage_process = { events_per_month = 2.0, dispersion = 1.5, log_mu = 3.0, log_sigma = 1.2 }"#;

#[test]
fn a_group_may_give_its_fitted_outage_process() {
    let text = BASE
        .replacen(
            "[[groups]]\nid = \"g\"\navailability = 0.9995",
            FITTED_GROUP,
            1,
        )
        .replacen("availability = 0.999\n", "availability = 0.998\n", 1);
    assert_ne!(text, BASE);
    let plan = parse(&text, Format::Toml, "plan.toml").expect("parses");
    let resolved = resolve(&plan, &NoCatalog).expect("resolves");
    let group = &resolved.portfolio.groups[0];
    let process = group.process.expect("the fitted process");
    assert_eq!(process.dispersion, 1.5);
    // Its availability is the process's mean: 2 days of mean
    // e^(3 + 1.2²/2) = 41.1 minutes (the cap at a day trims 0.1 of it) a month.
    let mean_minutes = (3.0f64 + 0.72).exp();
    let by_hand = 1.0 - 2.0 * mean_minutes / 43_200.0;
    assert!(
        (group.availability - by_hand).abs() < 1e-5,
        "{}",
        group.availability
    );
    // Written back, the spec resolves to the same group.
    assert_eq!(
        GroupSpec::of(group).outage_process.map(|p| p.process()),
        Some(process)
    );
}

#[test]
fn a_fitted_group_refuses_contradictions_and_bad_parameters() {
    let base = "[[groups]]\nid = \"g\"\navailability = 0.9995";
    assert_error(
        base,
        &format!("{FITTED_GROUP}\navailability = 0.999"),
        "plan.toml: groups[0].availability: is set beside outage_process, whose mean uptime it would contradict: remove one",
    );
    assert_error(
        base,
        &format!("{FITTED_GROUP}\nmttr_minutes = 20"),
        "plan.toml: groups[0].mttr_minutes: is set beside outage_process, whose mean outage it would contradict: remove one",
    );
    assert_error(
        base,
        &FITTED_GROUP.replace("events_per_month = 2.0", "events_per_month = 31"),
        "plan.toml: groups[0].outage_process.events_per_month: 31 is out of range: must be at least 0 and at most 30",
    );
    assert_error(
        base,
        &FITTED_GROUP.replace("dispersion = 1.5", "dispersion = 0"),
        "plan.toml: groups[0].outage_process.dispersion: 0 is out of range: must be greater than 0 and at most 1,000,000",
    );
    assert_error(
        base,
        "[[groups]]\nid = \"g\"",
        "plan.toml: groups[0].availability: is missing: give availability (with mttr_minutes) or an outage_process",
    );
}

#[test]
fn a_candidate_is_dominated_only_by_one_no_worse_in_every_figure() {
    use crate::model::testkit::{group, offering, portfolio};
    use crate::plan::search::dominated;
    let in_group = |id: &str, input: f64| {
        let mut o = offering(id, 0.999);
        o.groups = vec![0];
        o.prices.input_per_mtok = input;
        o
    };
    let cheap = in_group("cheap", 1.0);
    let dear = in_group("dear", 2.0);
    let twin = in_group("twin", 1.0);
    let mut slow = in_group("slow", 0.5);
    slow.tokens_per_s = 10.0;
    let mut elsewhere = offering("elsewhere", 0.999);
    elsewhere.prices.input_per_mtok = 3.0;
    let p = portfolio(
        vec![cheap, dear, twin, slow, elsewhere],
        vec![group("g", 0.999)],
        Vec::new(),
    );
    let none = [false; 5];
    let by = |i: usize, explicit: &[bool]| dominated(&p, i, explicit);
    assert_eq!(
        by(0, &none),
        None,
        "cheap: the twin is identical but sorts after it"
    );
    assert_eq!(by(1, &none).as_deref(), Some("cheap"));
    assert_eq!(
        by(2, &none).as_deref(),
        Some("cheap"),
        "identical: the first id stays"
    );
    assert_eq!(by(3, &none), None, "slow is cheaper: nothing dominates it");
    assert_eq!(by(4, &none), None, "in no group: not comparable");
    // A candidate the plan names stays.
    assert_eq!(by(1, &[false, true, false, false, false]), None);
    // With private downtime of its own, cheap no longer dominates: its retry
    // could be worse than dear as a fallback.
    let mut q = p.clone();
    q.offerings[0].availability = 0.99;
    assert_eq!(dominated(&q, 1, &none).as_deref(), Some("twin"));
}

// ---------------------------------------------------------------- per-request prices

#[test]
fn a_price_tier_resolves_its_missing_prices_as_litellm_does() {
    // Offering b: 0.5 / 1.0, no cached price. Its tier lists only the input
    // price, so output keeps the list price and cached input (no cached
    // price listed at all) is the tier's input price.
    let text = BASE.replacen(
        "output_per_mtok = 1.0",
        "output_per_mtok = 1.0\ntier_above_tokens = 200000\ntier_input_per_mtok = 0.75",
        1,
    );
    let plan = parse(&text, Format::Toml, "plan.toml").expect("parses");
    let resolved = resolve(&plan, &NoCatalog).expect("resolves");
    let b = &resolved.portfolio.offerings[1].prices;
    let tier = b.tier.expect("a tier");
    assert_eq!(tier.above_tokens, 200_000.0);
    assert_eq!(tier.input_per_mtok, 0.75);
    assert_eq!(tier.cached_input_per_mtok, 0.75);
    assert_eq!(tier.output_per_mtok, 1.0);
    // With a list cached price and no tier one, cached tokens above the
    // threshold keep the list cached price.
    let text = text.replacen(
        "tier_above_tokens",
        "cached_input_per_mtok = 0.05\ntier_above_tokens",
        1,
    );
    let plan = parse(&text, Format::Toml, "plan.toml").expect("parses");
    let resolved = resolve(&plan, &NoCatalog).expect("resolves");
    let tier = resolved.portfolio.offerings[1].prices.tier.expect("a tier");
    assert_eq!(tier.cached_input_per_mtok, 0.05);
    // Offering a has no tier.
    assert_eq!(resolved.portfolio.offerings[0].prices.tier, None);
}

#[test]
fn batch_prices_resolve_as_litellm_bills_a_batch() {
    let plan = parse(BASE, Format::Toml, "plan.toml").expect("parses");
    let resolved = resolve(&plan, &NoCatalog).expect("resolves");
    // No batch prices and no cached price: half the list prices, cached
    // tokens free (LiteLLM prices a missing cache key at 0 in a batch).
    let batch = resolved.portfolio.offerings[1].prices.batch;
    assert_eq!(batch.input_per_mtok, 0.25);
    assert_eq!(batch.cached_input_per_mtok, Some(0.0));
    assert_eq!(batch.output_per_mtok, 0.5);
    let text = BASE.replacen(
        "output_per_mtok = 1.0",
        "output_per_mtok = 1.0\nbatch_input_per_mtok = 0.2\nbatch_output_per_mtok = 0.4",
        1,
    );
    let plan = parse(&text, Format::Toml, "plan.toml").expect("parses");
    let resolved = resolve(&plan, &NoCatalog).expect("resolves");
    let batch = resolved.portfolio.offerings[1].prices.batch;
    assert_eq!(batch.input_per_mtok, 0.2);
    assert_eq!(
        batch.cached_input_per_mtok, None,
        "every prompt token at 0.2"
    );
    assert_eq!(batch.output_per_mtok, 0.4);
}

#[test]
fn tier_prices_without_a_threshold_and_bad_tiers_are_refused() {
    assert_error(
        "output_per_mtok = 1.0",
        "output_per_mtok = 1.0\ntier_output_per_mtok = 2.0",
        "plan.toml: offerings[1].tier_output_per_mtok: is set without tier_above_tokens, the prompt size above which it applies",
    );
    assert_error(
        "output_per_mtok = 1.0",
        "output_per_mtok = 1.0\ntier_above_tokens = -1",
        "plan.toml: offerings[1].tier_above_tokens: -1 is out of range: must be at least 0 and at most 1e12",
    );
    assert_error(
        "output_per_mtok = 1.0",
        "output_per_mtok = 1.0\ntier_above_tokens = 1000\ntier_input_per_mtok = -2",
        "plan.toml: offerings[1].tier_input_per_mtok: -2 is out of range: must be at least 0 and at most 1,000,000",
    );
}
