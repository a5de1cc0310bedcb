//! What differs between plans as written: each plan flattened to
//! `path = value` fields, and a row for every path whose value is not the
//! same in all of them. Routes are matched by name and offerings and groups
//! by id, not by position, so reordering routes is not a difference but
//! changing a step's offering, attempts, timeout or a route's share is.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

use crate::plan::PlanFile;

/// One field that differs, with its value in each plan (`None`: the plan
/// does not set it).
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DiffRow {
    /// Where the field is: `routes[primary].steps[2].timeout_ms`,
    /// `offerings[openai/gpt-5].availability`, `workload.latency_budget_ms`.
    pub field: String,
    pub values: Vec<Option<String>>,
}

/// The fields that differ between `plans`, in the order of the first plan
/// that has each.
pub fn plan_diff(plans: &[PlanFile]) -> Vec<DiffRow> {
    let flat: Vec<BTreeMap<String, String>> = plans.iter().map(flatten).collect();
    let mut order: Vec<&String> = Vec::new();
    for fields in &flat {
        for path in fields.keys() {
            if !order.contains(&path) {
                order.push(path);
            }
        }
    }
    order.sort_by_key(|path| section_rank(path));
    order
        .into_iter()
        .filter_map(|path| {
            let values: Vec<Option<String>> = flat.iter().map(|f| f.get(path).cloned()).collect();
            let same = values.windows(2).all(|w| w[0] == w[1]);
            (!same).then(|| DiffRow {
                field: path.clone(),
                values,
            })
        })
        .collect()
}

/// Sections in the order a plan file reads (the sort is stable, so fields
/// keep their order within a section).
fn section_rank(path: &str) -> usize {
    const SECTIONS: [&str; 7] = [
        "workload",
        "target",
        "routes",
        "offerings",
        "groups",
        "search",
        "tco",
    ];
    SECTIONS
        .iter()
        .position(|s| path.starts_with(s))
        .unwrap_or(SECTIONS.len())
}

/// `plan` as `path = value`, values written as in JSON (strings unquoted).
fn flatten(plan: &PlanFile) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    // A PlanFile is plain data; serialising it cannot fail.
    if let Ok(value) = serde_json::to_value(plan) {
        walk(&value, String::new(), &mut out);
    }
    out
}

fn walk(value: &Value, path: String, out: &mut BTreeMap<String, String>) {
    match value {
        Value::Null => {}
        Value::Object(fields) => {
            for (name, v) in fields {
                let path = if path.is_empty() {
                    name.clone()
                } else {
                    format!("{path}.{name}")
                };
                walk(v, path, out);
            }
        }
        Value::Array(items) if items.iter().all(Value::is_object) && !items.is_empty() => {
            for (i, item) in items.iter().enumerate() {
                let key = item
                    .get("name")
                    .or_else(|| item.get("id"))
                    .and_then(Value::as_str)
                    .map_or_else(|| i.to_string(), str::to_owned);
                walk(item, format!("{path}[{key}]"), out);
            }
        }
        Value::String(s) => {
            out.insert(path, s.clone());
        }
        other => {
            out.insert(path, other.to_string());
        }
    }
}
