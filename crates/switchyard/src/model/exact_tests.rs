use super::*;
use crate::model::testkit::*;

const SUCCESS_USD: f64 = 1000.0 * 1e-6 + 100.0 * 2e-6;

#[test]
fn primary_999_with_fallback_995_gives_0_999995() {
    let p = chain(vec![offering("a", 0.999), offering("b", 0.995)]);
    let f = figures(&p);
    assert!(
        (f.availability - 0.999_995).abs() < 1e-15,
        "{}",
        f.availability
    );
    assert!((f.unavailability - 0.000_005).abs() < 1e-18);
    assert!((availability(&p) - 0.999_995).abs() < 1e-15);
}

#[test]
fn a_shared_group_lowers_availability_by_the_product_formula() {
    let mut p = chain(vec![offering("a", 0.999), offering("b", 0.995)]);
    p.groups.push(group("cloud", 0.9995));
    p.offerings[0].groups.push(0);
    p.offerings[1].groups.push(0);
    let f = figures(&p);
    // Hand calculation: both private parts inside the group's 0.9995.
    // 1 - pa = 0.0005 / 0.9995, 1 - pb = 0.0045 / 0.9995,
    // A = 0.9995 * (1 - 2.25e-6 / 0.9995²) = 0.9995 - 2.25e-6 / 0.9995 = 0.99949774887443...
    let expected = 0.9995 * (1.0 - (0.0005 / 0.9995) * (0.0045 / 0.9995));
    assert!((f.availability - expected).abs() < 1e-15);
    assert!((f.availability - 0.999_497_748_874_4).abs() < 1e-12);
    assert!(f.availability < 0.999_995);
}

#[test]
fn retries_against_a_down_provider_do_not_help() {
    let mut one = chain(vec![offering("a", 0.99)]);
    let mut three = one.clone();
    three.routes[0].steps[0].attempts = 3;
    assert_eq!(figures(&one).availability, figures(&three).availability);
    // With transient errors they do: 0.99 * (1 - 0.1³).
    one.offerings[0].error_rate = 0.1;
    three.offerings[0].error_rate = 0.1;
    assert!((figures(&one).availability - 0.99 * 0.9).abs() < 1e-15);
    assert!((figures(&three).availability - 0.99 * 0.999).abs() < 1e-15);
}

#[test]
fn a_timeout_shorter_than_generation_makes_a_step_useless() {
    let mut p = chain(vec![offering("a", 0.999), offering("b", 0.995)]);
    // 500 ms to first token + 1,000 ms of generation never fits in 1,200 ms.
    p.routes[0].steps[0].timeout_ms = 1200.0;
    let f = figures(&p);
    assert!((f.availability - 0.995).abs() < 1e-15);
    assert_eq!(f.routes[0].served[0], 0.0);
}

#[test]
fn the_same_offering_in_two_steps_shares_one_state() {
    let mut a = offering("a", 0.99);
    a.error_rate = 0.5;
    let mut p = chain(vec![a]);
    p.routes[0].steps.push(step(0, 1, 10_000.0));
    // Independent states would give 1 - (1 - 0.495)² = 0.744975.
    assert!((figures(&p).availability - 0.99 * 0.75).abs() < 1e-15);
}

#[test]
fn routes_are_weighted_by_share() {
    let mut p = chain(vec![offering("a", 0.99), offering("b", 0.9)]);
    p.routes = vec![
        route("one", 0.25, vec![step(0, 1, 10_000.0)]),
        route("two", 0.75, vec![step(1, 1, 10_000.0)]),
    ];
    assert!((figures(&p).availability - (0.25 * 0.99 + 0.75 * 0.9)).abs() < 1e-15);
}

#[test]
fn served_shares_by_hand() {
    let f = figures(&chain(vec![offering("a", 0.999), offering("b", 0.995)]));
    assert!((f.routes[0].served[0] - 0.999).abs() < 1e-15);
    assert!((f.routes[0].served[1] - 0.001 * 0.995).abs() < 1e-15);
}

#[test]
fn cost_of_a_sure_success_is_one_full_bill() {
    let f = figures(&chain(vec![offering("a", 1.0)]));
    assert!((f.cost_per_request - SUCCESS_USD).abs() < 1e-18);
}

#[test]
fn errors_are_free_and_retries_pay_only_when_made() {
    let mut a = offering("a", 1.0);
    a.error_rate = 0.5;
    let mut p = chain(vec![a]);
    p.routes[0].steps[0].attempts = 2;
    // Success on the first try (1/2) or on the second (1/4); errors cost nothing.
    assert!((figures(&p).cost_per_request - 0.75 * SUCCESS_USD).abs() < 1e-18);
}

#[test]
fn a_fallback_behind_a_down_primary_pays_once() {
    let p = chain(vec![offering("a", 0.0), offering("b", 1.0)]);
    assert!((figures(&p).cost_per_request - SUCCESS_USD).abs() < 1e-18);
}

#[test]
fn a_timed_out_attempt_pays_input_and_the_output_produced() {
    let mut p = chain(vec![offering("a", 1.0)]);
    // First token at 500 ms, cut at 1,200 ms: 700 ms at 100 tokens/s = 70 tokens.
    p.routes[0].steps[0].timeout_ms = 1200.0;
    let expected = 1000.0 * 1e-6 + 70.0 * 2e-6;
    assert!((figures(&p).cost_per_request - expected).abs() < 1e-15);
}

#[test]
fn cached_input_is_billed_at_the_cached_price() {
    let mut p = chain(vec![offering("a", 1.0)]);
    p.workload.cached_input_share = 0.25;
    let expected = 750.0 * 1e-6 + 250.0 * 0.5e-6 + 100.0 * 2e-6;
    assert!((figures(&p).cost_per_request - expected).abs() < 1e-18);
}
