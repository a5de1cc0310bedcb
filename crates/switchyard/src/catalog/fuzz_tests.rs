//! Fuzzing with proptest: arbitrary bytes and strings, and JSON shaped like
//! each format with arbitrary values, into every importer and the plan
//! parser. The property is "returns, never panics"; errors are fine.

use proptest::prelude::*;

use super::testkit::{CSV_FIXTURE, OPENROUTER_FIXTURE};
use super::{Format, ImportOptions, parse};
use crate::plan;

const FORMATS: [Format; 3] = [Format::Litellm, Format::Openrouter, Format::Csv];

fn all_importers(text: &str) {
    for format in FORMATS {
        for all_modes in [false, true] {
            let _ = parse(text, format, "fuzz", ImportOptions { all_modes });
        }
    }
}

fn plan_parsers(text: &str) {
    for format in [plan::Format::Toml, plan::Format::Json] {
        if let Ok(p) = plan::parse(text, format, "fuzz") {
            let _ = plan::resolve(&p, &plan::NoCatalog);
        }
    }
}

/// Any JSON value, a few levels deep.
fn json() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::Bool),
        any::<f64>().prop_map(|x| serde_json::json!(x)),
        any::<i64>().prop_map(|x| serde_json::json!(x)),
        ".{0,20}".prop_map(serde_json::Value::String),
        prop_oneof![
            Just("chat"),
            Just("-1"),
            Just("0.000002"),
            Just("NaN"),
            Just("1e400")
        ]
        .prop_map(|s| serde_json::Value::String(s.to_owned())),
    ];
    leaf.prop_recursive(3, 24, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(serde_json::Value::Array),
            prop::collection::btree_map(field_name(), inner, 0..6)
                .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Field names the importers read, and some they do not.
fn field_name() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("litellm_provider".to_owned()),
        Just("mode".to_owned()),
        Just("input_cost_per_token".to_owned()),
        Just("output_cost_per_token".to_owned()),
        Just("cache_read_input_token_cost".to_owned()),
        Just("max_input_tokens".to_owned()),
        Just("data".to_owned()),
        Just("id".to_owned()),
        Just("pricing".to_owned()),
        Just("prompt".to_owned()),
        Just("completion".to_owned()),
        Just("context_length".to_owned()),
        Just("architecture".to_owned()),
        Just("output_modalities".to_owned()),
        "[a-z_]{1,12}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        let text = String::from_utf8_lossy(&bytes);
        all_importers(&text);
        plan_parsers(&text);
    }

    #[test]
    fn arbitrary_strings_never_panic(text in "\\PC{0,300}") {
        all_importers(&text);
        plan_parsers(&text);
    }

    #[test]
    fn format_shaped_json_never_panics(entries in prop::collection::btree_map("[a-z/._-]{1,10}", json(), 0..6)) {
        let map: serde_json::Map<String, serde_json::Value> = entries.clone().into_iter().collect();
        let litellm = serde_json::Value::Object(map.clone()).to_string();
        let openrouter = serde_json::json!({ "data": entries.into_values().collect::<Vec<_>>() }).to_string();
        all_importers(&litellm);
        all_importers(&openrouter);
        plan_parsers(&litellm);
    }

    #[test]
    fn mutated_fixtures_never_panic(cut in 0usize..4000, byte in any::<u8>(), at in 0usize..4000) {
        for fixture in [OPENROUTER_FIXTURE, CSV_FIXTURE] {
            let mut bytes = fixture.as_bytes().to_vec();
            let n = bytes.len();
            bytes[at % n] = byte;
            bytes.truncate(cut % (n + 1));
            all_importers(&String::from_utf8_lossy(&bytes));
        }
    }

    #[test]
    fn mutated_plans_never_panic(cut in 0usize..3000, byte in any::<u8>(), at in 0usize..3000) {
        let text = include_str!("../../../../examples/claude-then-deepseek.toml");
        let mut bytes = text.as_bytes().to_vec();
        let n = bytes.len();
        bytes[at % n] = byte;
        bytes.truncate(cut % (n + 1));
        plan_parsers(&String::from_utf8_lossy(&bytes));
    }
}
