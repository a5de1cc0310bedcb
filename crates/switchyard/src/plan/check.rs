//! What a plan holds besides numbers: every name is printable and of bounded
//! length, and every list is of bounded size ([`crate::limits`]). Checked when a
//! plan is parsed and again when it is resolved (a plan may come from the app,
//! not from a file), before any message quotes a name.

use crate::limits::{self, Limit};

use super::error::Problem;
use super::file::PlanFile;

/// The problems with `plan`'s names and list sizes, with their field paths.
/// No message quotes the offending name.
pub fn check_names(plan: &PlanFile) -> Vec<Problem> {
    let mut problems = Vec::new();
    let mut text = |field: String, value: &str, limit: &Limit| {
        if let Err(reason) = limits::check_text(value, limit) {
            problems.push(Problem::new(field, reason));
        }
    };
    let name = &limits::NAME_CHARS;
    for (i, o) in plan.offerings.iter().enumerate() {
        let at = format!("offerings[{i}]");
        text(format!("{at}.id"), &o.id, name);
        for (k, g) in o.groups.iter().flatten().enumerate() {
            text(format!("{at}.groups[{k}]"), g, name);
        }
        if let Some(url) = &o.api_base {
            text(format!("{at}.api_base"), url, &limits::URL_CHARS);
        }
        if let Some(model) = &o.model {
            text(format!("{at}.model"), model, name);
        }
        if let Some(key_env) = &o.key_env {
            text(format!("{at}.key_env"), key_env, name);
        }
    }
    for (i, g) in plan.groups.iter().enumerate() {
        text(format!("groups[{i}].id"), &g.id, name);
    }
    for (r, route) in plan.routes.iter().enumerate() {
        text(format!("routes[{r}].name"), &route.name, name);
        for (s, step) in route.steps.iter().enumerate() {
            text(
                format!("routes[{r}].steps[{s}].offering"),
                &step.offering,
                name,
            );
        }
    }
    if let Some(search) = &plan.search {
        for (list, values) in [
            ("candidates", &search.candidates),
            ("providers", &search.providers),
        ] {
            for (i, v) in values.iter().flatten().enumerate() {
                text(format!("search.{list}[{i}]"), v, name);
            }
        }
        if let Some(mode) = &search.mode {
            text("search.mode".to_owned(), mode, name);
        }
    }
    let mut count = |field: String, n: usize, limit: &Limit| {
        if !limit.contains(n as f64) {
            problems.push(Problem::new(
                field,
                format!("has {n} entries; at most {} are allowed", limit.max_count()),
            ));
        }
    };
    count(
        "offerings".into(),
        plan.offerings.len(),
        &limits::OFFERINGS_COUNT,
    );
    count("groups".into(), plan.groups.len(), &limits::GROUPS_COUNT);
    count("routes".into(), plan.routes.len(), &limits::ROUTES_COUNT);
    for (r, route) in plan.routes.iter().enumerate() {
        count(
            format!("routes[{r}].steps"),
            route.steps.len(),
            &limits::STEPS_COUNT,
        );
    }
    problems
}
