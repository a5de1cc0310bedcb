//! Every lint rule, firing and not firing.

use std::collections::HashSet;

use super::*;
use crate::export::testkit::{PAIR, pair, pair_plan, parse, resolved_from};
use crate::plan::{GroupSpec, PlanFile, StepSpec};

/// An environment with exactly these variables set.
struct FakeEnv(HashSet<&'static str>);

impl Env for FakeEnv {
    fn is_set(&self, name: &str) -> bool {
        self.0.contains(name)
    }
}

fn all_keys() -> FakeEnv {
    FakeEnv(HashSet::from(["PRIMARY_KEY", "FALLBACK_KEY"]))
}

fn codes_of(findings: &[Finding]) -> Vec<&'static str> {
    findings.iter().map(|f| f.code).collect()
}

fn plan_codes(plan: &PlanFile) -> Vec<&'static str> {
    codes_of(&lint(&resolved_from(plan), None, &all_keys()))
}

fn find<'a>(findings: &'a [Finding], code: &str) -> &'a Finding {
    findings
        .iter()
        .find(|f| f.code == code)
        .unwrap_or_else(|| panic!("no {code} in {:?}", codes_of(findings)))
}

#[test]
fn a_sound_plan_with_its_keys_set_has_no_plan_findings() {
    assert!(plan_codes(&pair_plan()).is_empty());
}

#[test]
fn a_timeout_below_the_expected_generation_time_is_an_error() {
    let mut plan = pair_plan();
    // 500 ms to the first token + 100 tokens at 100/s = 1,500 ms.
    plan.routes[0].steps[1].timeout_ms = 1400.0;
    let findings = lint(&resolved_from(&plan), None, &all_keys());
    let f = find(&findings, "timeout-below-generation");
    assert_eq!(f.severity, Severity::Error);
    assert_eq!((f.route.as_deref(), f.step), (Some("default"), Some(1)));
    assert_eq!(f.offering.as_deref(), Some("fallback"));
    assert!(f.message.contains("1500 ms"), "{}", f.message);
    plan.routes[0].steps[1].timeout_ms = 1600.0;
    assert!(!plan_codes(&plan).contains(&"timeout-below-generation"));
}

#[test]
fn a_timeout_that_cuts_many_successes_is_a_warning() {
    let mut plan = pair_plan();
    // Generation 1,000 ms; TTFT p50 500, p95 800: a 1,850 ms timeout cuts 3%
    // of would-be successes, a 1,550 ms one about 37%.
    plan.routes[0].steps[1].timeout_ms = 1850.0;
    assert!(!plan_codes(&plan).contains(&"timeout-cuts-successes"));
    plan.routes[0].steps[1].timeout_ms = 1550.0;
    let codes = plan_codes(&plan);
    assert!(codes.contains(&"timeout-cuts-successes"), "{codes:?}");
    assert!(!codes.contains(&"timeout-below-generation"));
}

#[test]
fn more_than_three_calls_per_request_is_amplification() {
    let mut plan = pair_plan();
    plan.routes[0].steps[1].attempts = Some(2); // 2 + 2 = 4
    let findings = lint(&resolved_from(&plan), None, &all_keys());
    let f = find(&findings, "retry-amplification");
    assert!(
        f.message.contains("4 provider calls (2 + 2)"),
        "{}",
        f.message
    );
    plan.routes[0].steps[1].attempts = Some(1); // 3
    assert!(!plan_codes(&plan).contains(&"retry-amplification"));
}

fn with_budget(budget: f64) -> PlanFile {
    let mut plan = pair_plan();
    plan.workload.latency_budget_ms = Some(budget);
    plan
}

#[test]
fn a_fallback_that_cannot_start_inside_the_budget_is_an_error() {
    // The primary has no errors and is up 99.9% of the time with `outage =
    // "error"`: it fails fastest by two 300 ms refusals with a 200 ms wait
    // between them, 800 ms.
    let findings = lint(&resolved_from(&with_budget(800.0)), None, &all_keys());
    let f = find(&findings, "fallback-beyond-budget");
    assert_eq!(f.step, Some(1));
    assert!(f.message.contains("at least 800 ms"), "{}", f.message);
    assert!(!plan_codes(&with_budget(801.0)).contains(&"fallback-beyond-budget"));
}

#[test]
fn a_fallback_that_cannot_finish_inside_the_budget_is_a_warning() {
    // It starts at 800 ms and needs more than 1,000 ms of generation.
    let codes = plan_codes(&with_budget(1500.0));
    assert!(codes.contains(&"fallback-cannot-finish"), "{codes:?}");
    assert!(!codes.contains(&"fallback-beyond-budget"));
    assert!(!plan_codes(&with_budget(1900.0)).contains(&"fallback-cannot-finish"));
}

#[test]
fn hanging_offerings_fail_no_faster_than_their_timeout() {
    let text = PAIR.replace(
        "availability = 0.999\n",
        "availability = 0.999\noutage = \"hang\"\n",
    );
    let resolved = resolved_from(&parse(&text));
    let p = &resolved.portfolio;
    let step = &p.routes[0].steps[0];
    assert_eq!(fastest_failure_ms(p, step), 2.0 * 10_000.0 + 200.0);
    let resolved = pair();
    let p = &resolved.portfolio;
    assert_eq!(fastest_failure_ms(p, &p.routes[0].steps[0]), 800.0);
}

#[test]
fn a_repeat_in_the_same_failure_domain_that_adds_little_is_flagged() {
    // primary, fallback, primary again: the third step only helps when the
    // primary is up and both earlier tries failed, which never happens here.
    let mut plan = pair_plan();
    plan.routes[0].steps.push(StepSpec {
        offering: "primary".to_owned(),
        attempts: None,
        timeout_ms: 10_000.0,
        backoff_ms: None,
    });
    let findings = lint(&resolved_from(&plan), None, &all_keys());
    let f = find(&findings, "repeat-without-availability");
    assert_eq!(f.step, Some(2));
    assert!(
        f.message.contains("the same offering with step 1"),
        "{}",
        f.message
    );
}

#[test]
fn a_repeat_that_adds_availability_is_not_flagged() {
    // A primary that errs 30% of the time: one more try at it helps a lot.
    let mut plan = pair_plan();
    plan.offerings[0].error_rate = Some(0.3);
    plan.routes[0].steps.push(StepSpec {
        offering: "primary".to_owned(),
        attempts: None,
        timeout_ms: 10_000.0,
        backoff_ms: None,
    });
    assert!(!plan_codes(&plan).contains(&"repeat-without-availability"));
}

#[test]
fn a_step_in_a_shared_group_is_a_repeat_too() {
    // Both offerings live in one cloud group and are almost never down on their
    // own: when the primary fails, the group is down and so is the fallback.
    let mut plan = pair_plan();
    plan.groups.push(GroupSpec {
        id: "cloud".to_owned(),
        availability: Some(0.9995),
        mttr_minutes: None,
        outage_process: None,
    });
    for o in &mut plan.offerings {
        o.groups = Some(vec!["cloud".to_owned()]);
        o.availability = Some(0.9995 * 0.999_999);
    }
    let findings = lint(&resolved_from(&plan), None, &all_keys());
    let f = find(&findings, "repeat-without-availability");
    assert!(f.message.contains("failure group `cloud`"), "{}", f.message);
    // Outside the group, the same fallback is worth having.
    plan.offerings[1].groups = None;
    assert!(!plan_codes(&plan).contains(&"repeat-without-availability"));
}

#[test]
fn an_unset_key_variable_is_a_warning_that_names_only_the_variable() {
    let findings = lint(&pair(), None, &FakeEnv(HashSet::from(["PRIMARY_KEY"])));
    let f = find(&findings, "key-env-unset");
    assert_eq!(f.severity, Severity::Warning);
    assert_eq!(f.offering.as_deref(), Some("fallback"));
    assert!(f.message.contains("`FALLBACK_KEY`"));
    assert_eq!(codes_of(&findings), ["key-env-unset"]);
}

#[test]
fn the_process_env_reads_set_and_unset() {
    assert!(ProcessEnv.is_set("PATH"));
    assert!(!ProcessEnv.is_set("SWITCHYARD_SURELY_UNSET_VARIABLE_1234"));
}

#[test]
fn missing_connections_are_errors_only_for_an_export() {
    let mut plan = pair_plan();
    plan.offerings[1].api_base = None;
    let resolved = resolved_from(&plan);
    assert!(lint(&resolved, None, &all_keys()).is_empty());
    let findings = lint(&resolved, Some(Format::Portkey), &all_keys());
    let f = find(&findings, "connection-missing");
    assert_eq!(f.severity, Severity::Error);
    assert!(
        f.message.starts_with("api_base: is missing"),
        "{}",
        f.message
    );
}

#[test]
fn gateway_differences_come_from_the_semantics() {
    let resolved = pair();
    let findings = lint(&resolved, Some(Format::Litellm), &all_keys());
    let run = semantics::gateway_run(&resolved, Format::Litellm).expect("exportable");
    for d in &run.differences {
        assert!(findings.contains(d), "{d}");
    }
    // And nothing else but what every LiteLLM export says of streams.
    let rest: Vec<&str> = findings
        .iter()
        .filter(|f| !run.differences.contains(f))
        .map(|f| f.code)
        .collect();
    assert_eq!(rest, ["stream-fault-after-start"]);
}

#[test]
fn a_fallback_to_a_group_that_does_not_exist_is_an_error() {
    let text = litellm::render(&litellm::config(
        &connection::routes(&pair()).expect("complete"),
        &crate::plan::GatewaySpec::default(),
    ));
    assert!(litellm_config(&text).is_empty());
    let broken = text.replace("- default/step-2", "- default/step-9");
    let findings = litellm_config(&broken);
    let f = find(&findings, "fallback-unknown-group");
    assert_eq!(f.route.as_deref(), Some("default"));
    assert!(f.message.contains("`default/step-9`"), "{}", f.message);
}

#[test]
fn a_route_named_like_another_routes_step_collides() {
    let mut plan = pair_plan();
    let mut clash = plan.routes[0].clone();
    clash.name = "default/step-2".to_owned();
    clash.steps.truncate(1);
    plan.routes[0].share = Some(0.5);
    clash.share = Some(0.5);
    plan.routes.push(clash);
    let findings = lint(&resolved_from(&plan), Some(Format::Litellm), &all_keys());
    let f = find(&findings, "duplicate-group");
    assert!(f.message.contains("`default/step-2`"), "{}", f.message);
}

#[test]
fn unreadable_config_is_an_error() {
    let findings = litellm_config("model_list: [");
    assert_eq!(codes_of(&findings), ["config-unreadable"]);
}

#[test]
fn errors_come_first_and_display_names_route_step_and_offering() {
    let mut plan = with_budget(800.0);
    plan.routes[0].steps[0].attempts = Some(4);
    let findings = lint(&resolved_from(&plan), None, &FakeEnv(HashSet::new()));
    let severities: Vec<_> = findings.iter().map(|f| f.severity).collect();
    let mut sorted = severities.clone();
    sorted.sort();
    assert_eq!(severities, sorted);
    let text = find(&findings, "fallback-beyond-budget").to_string();
    assert!(
        text.starts_with("error[fallback-beyond-budget] route `default` step 2 (fallback): "),
        "{text}"
    );
    assert_eq!(counts(&findings).0, 1);
}

#[test]
fn an_exported_litellm_config_ends_stalled_streams_and_one_without_timeouts_is_flagged() {
    let text = litellm::render(&litellm::config(
        &connection::routes(&pair()).expect("complete"),
        &crate::plan::GatewaySpec::default(),
    ));
    assert!(text.contains("stream_timeout: 10.0"), "{text}");
    assert!(!codes_of(&litellm_config(&text)).contains(&"stream-stall-undetected"));
    // Without stream_timeout, `timeout` still ends a streaming call.
    let no_stream: String = text
        .lines()
        .filter(|l| !l.trim_start().starts_with("stream_timeout:"))
        .map(|l| format!("{l}\n"))
        .collect();
    assert!(!codes_of(&litellm_config(&no_stream)).contains(&"stream-stall-undetected"));
    // Neither, for the first step only: that deployment alone is flagged.
    let none = no_stream.replacen("timeout: 10.0", "timeout: 0.0", 1);
    let findings = litellm_config(&none);
    let flagged: Vec<_> = findings
        .iter()
        .filter(|f| f.code == "stream-stall-undetected")
        .collect();
    assert_eq!(flagged.len(), 1, "{findings:?}");
    assert_eq!(flagged[0].severity, Severity::Warning);
    assert_eq!(flagged[0].route.as_deref(), Some("default"));
    assert!(
        flagged[0].message.contains("`default/step-1`"),
        "{}",
        flagged[0].message
    );
}

#[test]
fn portkey_cannot_end_a_stream_that_stalls_after_its_headers() {
    let resolved = pair();
    let findings = lint(&resolved, Some(Format::Portkey), &all_keys());
    let f = find(&findings, "portkey-stream-stall-undetected");
    assert_eq!(f.severity, Severity::Warning);
    assert!(f.message.contains("request_timeout"), "{}", f.message);
    let f = find(&findings, "portkey-streaming-fails");
    assert_eq!(f.severity, Severity::Warning);
    assert!(f.message.contains("500"), "{}", f.message);
    for other in [None, Some(Format::Litellm), Some(Format::Openrouter)] {
        let codes = codes_of(&lint(&resolved, other, &all_keys()));
        assert!(
            !codes.contains(&"portkey-stream-stall-undetected")
                && !codes.contains(&"portkey-streaming-fails"),
            "{other:?}"
        );
    }
}

/// LiteLLM's exports say what a stream that fails after it started becomes;
/// no other format does.
#[test]
fn litellm_says_a_started_stream_is_not_fallen_back_from() {
    let resolved = pair();
    let findings = lint(&resolved, Some(Format::Litellm), &all_keys());
    let f = find(&findings, "stream-fault-after-start");
    assert_eq!(f.severity, Severity::Info);
    assert!(f.message.contains("[DONE]"), "{}", f.message);
    for other in [None, Some(Format::Portkey), Some(Format::Openrouter)] {
        let codes = codes_of(&lint(&resolved, other, &all_keys()));
        assert!(!codes.contains(&"stream-fault-after-start"), "{other:?}");
    }
}
