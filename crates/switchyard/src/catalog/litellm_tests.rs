use super::*;
use crate::catalog::testkit::{FIXTURE, fixture_text};

fn parse_str(text: &str) -> Result<Batch, CatalogError> {
    parse(text, "prices.json", Options::default())
}

fn error_of(text: &str) -> String {
    match parse_str(text) {
        Ok(_) => panic!("expected an error for {}", &text[..text.len().min(200)]),
        Err(e) => e.to_string(),
    }
}

const GOOD: &str = r#"{
  "sample_spec": {"mode": "one of: chat, embedding", "max_input_tokens": "max input tokens"},
  "gpt-x": {"litellm_provider": "openai", "mode": "chat", "max_input_tokens": 128000,
            "input_cost_per_token": 2.5e-06, "output_cost_per_token": 1e-05,
            "cache_read_input_token_cost": 1.25e-06,
            "input_cost_per_token_batches": 1.25e-06, "output_cost_per_token_batches": 5e-06},
  "gemini/gem": {"litellm_provider": "gemini", "mode": "chat", "input_cost_per_token": 0, "output_cost_per_token": 0},
  "text-embedding-x": {"litellm_provider": "openai", "mode": "embedding", "input_cost_per_token": 1e-07},
  "per-second": {"litellm_provider": "openai", "mode": "chat", "input_cost_per_second": 0.01},
  "no-mode": {"litellm_provider": "openai"}
}"#;

#[test]
fn maps_prices_to_per_million_and_skips_by_reason() {
    let batch = parse_str(GOOD).expect("parses");
    assert_eq!(batch.entries, 6);
    assert_eq!(
        batch.considered, 3,
        "chat entries: gpt-x, gemini/gem, per-second"
    );
    assert_eq!(batch.records.len(), 2);
    assert_eq!(batch.skipped.get(SAMPLE_SPEC), Some(&1));
    assert_eq!(batch.skipped.get("mode embedding"), Some(&1));
    assert_eq!(batch.skipped.get(NO_PRICE), Some(&1));
    assert_eq!(batch.skipped.get(NO_MODE), Some(&1));
    let gpt = batch
        .records
        .iter()
        .find(|r| r.entry == "gpt-x")
        .expect("gpt-x");
    let get = |f: Field| {
        gpt.figures
            .iter()
            .find(|(g, _)| *g == f)
            .map(|(_, v)| v.clone())
    };
    assert_eq!(get(Field::InputPerMtok), Some(Value::Number(2.5)));
    assert_eq!(get(Field::OutputPerMtok), Some(Value::Number(10.0)));
    assert_eq!(get(Field::CachedInputPerMtok), Some(Value::Number(1.25)));
    assert_eq!(get(Field::BatchInputPerMtok), Some(Value::Number(1.25)));
    assert_eq!(get(Field::BatchOutputPerMtok), Some(Value::Number(5.0)));
    assert_eq!(get(Field::ContextWindow), Some(Value::Number(128000.0)));
    assert_eq!(gpt.provider, ProviderRef::Litellm("openai".into()));
    assert_eq!(gpt.model, "gpt-x");
    let gem = batch
        .records
        .iter()
        .find(|r| r.entry == "gemini/gem")
        .expect("gem");
    assert_eq!(gem.model, "gem", "the route segment is dropped");
}

#[test]
fn all_modes_imports_other_modes() {
    let batch = parse(GOOD, "p.json", Options { all_modes: true }).expect("parses");
    assert_eq!(batch.considered, 5, "all but sample_spec");
    // The embedding entry has no output price, like `no-mode` and `per-second`.
    assert_eq!(batch.records.len(), 2);
    assert_eq!(batch.skipped.get(NO_PRICE), Some(&3));
    let with_output = GOOD.replace(
        r#""input_cost_per_token": 1e-07}"#,
        r#""input_cost_per_token": 1e-07, "output_cost_per_token": 0}"#,
    );
    let batch = parse(&with_output, "p.json", Options { all_modes: true }).expect("parses");
    assert_eq!(batch.records.len(), 3, "the embedding entry too");
    assert!(
        batch
            .records
            .iter()
            .any(|r| r.mode.as_deref() == Some("embedding"))
    );
}

#[test]
fn model_names_drop_the_route_segment() {
    assert_eq!(
        model_name("gemini/gemini-2.5-pro", "gemini"),
        "gemini-2.5-pro"
    );
    assert_eq!(
        model_name("vertex_ai/claude-x", "vertex_ai-anthropic_models"),
        "claude-x"
    );
    assert_eq!(model_name("together_ai/a/b", "together_ai"), "a/b");
    assert_eq!(model_name("gpt-4o", "openai"), "gpt-4o");
    assert_eq!(model_name("us/gpt-4o", "azure"), "us/gpt-4o");
    assert_eq!(model_name("azure/", "azure"), "azure/");
}

#[test]
fn the_real_fixture_parses_with_exact_counts() {
    let text = fixture_text();
    let batch = parse(&text, FIXTURE, Options::default()).expect("the fixture parses");
    assert_eq!(batch.entries, 4242);
    assert_eq!(batch.considered, 3014, "mode: chat entries");
    assert_eq!(batch.records.len(), 2870);
    assert_eq!(batch.skipped.get(NO_PRICE), Some(&144));
    assert_eq!(batch.skipped.get("mode embedding"), Some(&151));
    assert_eq!(batch.skipped.get("mode image_generation"), Some(&407));
    assert_eq!(batch.skipped.get(NO_MODE), Some(&9));
    let non_chat: u64 = batch
        .skipped
        .iter()
        .filter(|(r, _)| r.starts_with("mode ") || *r == NO_MODE || *r == SAMPLE_SPEC)
        .map(|(_, n)| n)
        .sum();
    assert_eq!(non_chat, 4242 - 3014);
}

#[test]
fn truncated_json_names_the_file_and_entry() {
    let cut = &GOOD[..GOOD.find("\"cache_read").expect("cut point")];
    let e = error_of(cut);
    assert!(e.starts_with("prices.json: entry `gpt-x`"), "{e}");
    assert!(e.contains("EOF"), "{e}");
    let e = error_of("");
    assert!(e.starts_with("prices.json: not a LiteLLM price map"), "{e}");
    let e = error_of("[1, 2]");
    assert!(e.contains("not a LiteLLM price map"), "{e}");
}

#[test]
fn wrong_types_name_the_entry_and_field() {
    let e = error_of(
        r#"{"m": {"litellm_provider": "openai", "mode": "chat", "input_cost_per_token": "cheap", "output_cost_per_token": 1e-6}}"#,
    );
    assert_eq!(
        e,
        "prices.json: entry `m`: input_cost_per_token: expected a number, found the string \"cheap\""
    );
    let e = error_of(r#"{"m": {"litellm_provider": 7, "mode": "chat"}}"#);
    assert_eq!(
        e,
        "prices.json: entry `m`: litellm_provider: expected a string, found the number 7"
    );
    let e = error_of(
        r#"{"m": {"litellm_provider": "openai", "mode": "chat", "input_cost_per_token": 1e-6, "output_cost_per_token": 1e-6, "max_input_tokens": [1]}}"#,
    );
    assert_eq!(
        e,
        "prices.json: entry `m`: max_input_tokens: expected a number, found an array"
    );
    let e = error_of(r#"{"m": 5}"#);
    assert_eq!(
        e,
        "prices.json: entry `m`: (value): expected an object, found the number 5"
    );
    let e = error_of(r#"{"m": {"mode": true}}"#);
    assert!(e.contains("entry `m`: mode: expected a string"), "{e}");
}

#[test]
fn negative_nan_and_huge_values_are_refused() {
    let e = error_of(
        r#"{"m": {"litellm_provider": "openai", "mode": "chat", "input_cost_per_token": -1e-6, "output_cost_per_token": 1e-6}}"#,
    );
    assert_eq!(
        e,
        "prices.json: entry `m`: input_cost_per_token: -1 is a negative price"
    );
    // JSON has no NaN; the token is a syntax error, reported at its entry.
    let e = error_of(
        r#"{"m": {"litellm_provider": "openai", "mode": "chat", "input_cost_per_token": NaN}}"#,
    );
    assert!(
        e.starts_with("prices.json: entry `m`: input_cost_per_token:"),
        "{e}"
    );
    let e = error_of(
        r#"{"m": {"litellm_provider": "openai", "mode": "chat", "input_cost_per_token": 1e999}}"#,
    );
    assert!(e.starts_with("prices.json: entry `m`"), "{e}");
    let e = error_of(
        r#"{"m": {"litellm_provider": "openai", "mode": "chat", "input_cost_per_token": 1e-6, "output_cost_per_token": 1e-6, "max_input_tokens": 1.5}}"#,
    );
    assert!(
        e.contains("max_input_tokens: 1.5 is not a whole number"),
        "{e}"
    );
}

#[test]
fn a_ten_megabyte_string_is_refused_briefly() {
    let big = "x".repeat(10 * 1024 * 1024);
    for text in [
        format!(r#"{{"{big}": {{"litellm_provider": "openai", "mode": "chat"}}}}"#),
        format!(r#"{{"m": {{"litellm_provider": "{big}", "mode": "chat"}}}}"#),
        format!(r#"{{"m": {{"litellm_provider": "openai", "mode": "{big}"}}}}"#),
    ] {
        let e = parse_str(&text)
            .map(|b| b.skipped)
            .map_err(|e| e.to_string());
        match e {
            Err(e) => {
                assert!(
                    e.len() < 300,
                    "the message quotes a short prefix: {}",
                    e.len()
                );
                assert!(e.contains("10485760 bytes"), "{e}");
                assert!(e.starts_with("prices.json: entry `"), "{e}");
            }
            Ok(skipped) => {
                // A long non-chat mode is skipped, and its reason kept short.
                assert!(skipped.keys().all(|k| k.len() < 100), "{skipped:?}");
            }
        }
    }
}

/// The figures of record `entry` of `batch`, by field.
fn figures_of(batch: &Batch, entry: &str) -> Vec<(Field, Value)> {
    batch
        .records
        .iter()
        .find(|r| r.entry == entry)
        .map(|r| r.figures.clone())
        .unwrap_or_default()
}

fn figure(figures: &[(Field, Value)], field: Field) -> Option<f64> {
    figures
        .iter()
        .find(|(f, _)| *f == field)
        .and_then(|(_, v)| v.as_f64())
}

#[test]
fn price_tiers_are_imported_with_their_threshold() {
    let text = r#"{
      "gem-pro": {"litellm_provider": "gemini", "mode": "chat",
                  "input_cost_per_token": 1.25e-06, "output_cost_per_token": 1e-05,
                  "cache_read_input_token_cost": 1.25e-07,
                  "input_cost_per_token_above_200k_tokens": 2.5e-06,
                  "output_cost_per_token_above_200k_tokens": 1.5e-05,
                  "cache_read_input_token_cost_above_200k_tokens": 2.5e-07,
                  "input_cost_per_token_above_200k_tokens_priority": 4.5e-06,
                  "input_cost_per_token_above_272k_tokens_batches": 9e-06},
      "exp": {"litellm_provider": "gemini", "mode": "chat",
              "input_cost_per_token": 1e-06, "output_cost_per_token": 2e-06,
              "input_cost_per_token_above_128k_tokens": 3e-06},
      "xai/grok": {"litellm_provider": "xai", "mode": "chat",
                   "input_cost_per_token": 3e-06, "output_cost_per_token": 1.5e-05,
                   "input_cost_per_token_above_200k_tokens": 6e-06,
                   "output_cost_per_token_above_200k_tokens": 3e-05},
      "flat": {"litellm_provider": "openai", "mode": "chat",
               "input_cost_per_token": 1e-06, "output_cost_per_token": 2e-06,
               "input_cost_per_token_above_200k_tokens": null}
    }"#;
    let batch = parse_str(text).expect("parses");
    let gem = figures_of(&batch, "gem-pro");
    assert_eq!(figure(&gem, Field::TierAboveTokens), Some(200_000.0));
    assert_eq!(figure(&gem, Field::TierInputPerMtok), Some(2.5));
    assert_eq!(figure(&gem, Field::TierOutputPerMtok), Some(15.0));
    assert_eq!(figure(&gem, Field::TierCachedInputPerMtok), Some(0.25));
    // The 272k key is a batch price and the priority key another service
    // tier: neither makes a second threshold or replaces a standard price.
    let exp = figures_of(&batch, "exp");
    assert_eq!(figure(&exp, Field::TierAboveTokens), Some(128_000.0));
    assert_eq!(figure(&exp, Field::TierInputPerMtok), Some(3.0));
    assert_eq!(figure(&exp, Field::TierOutputPerMtok), None);
    assert_eq!(figure(&exp, Field::TierCachedInputPerMtok), None);
    // LiteLLM bills xAI's tier from the threshold itself (`>=`).
    let grok = figures_of(&batch, "xai/grok");
    assert_eq!(figure(&grok, Field::TierAboveTokens), Some(199_999.0));
    assert_eq!(figure(&grok, Field::TierOutputPerMtok), Some(30.0));
    // A null tier price is no tier.
    let flat = figures_of(&batch, "flat");
    assert_eq!(figure(&flat, Field::TierAboveTokens), None);
    assert!(!flat.is_empty());
}

#[test]
fn tier_keys_are_read_as_litellm_reads_them() {
    assert_eq!(
        tier_key("input_cost_per_token_above_200k_tokens"),
        Some(("input_cost_per_token", 200_000.0))
    );
    assert_eq!(
        tier_key("cache_read_input_token_cost_above_128_tokens"),
        Some(("cache_read_input_token_cost", 128.0))
    );
    assert_eq!(
        tier_key("input_cost_per_token_above_200k_tokens_batches"),
        None
    );
    assert_eq!(
        tier_key("output_cost_per_token_above_200k_tokens_priority"),
        None
    );
    assert_eq!(
        tier_key("cache_creation_input_token_cost_above_200k_tokens"),
        None
    );
    assert_eq!(tier_key("cache_creation_input_token_cost_above_1hr"), None);
    assert_eq!(tier_key("input_cost_per_token_above_k_tokens"), None);
}

#[test]
fn the_real_fixture_has_its_tiers() {
    let batch = parse(&fixture_text(), FIXTURE, Options::default()).expect("fixture parses");
    let tiered: Vec<&Record> = batch
        .records
        .iter()
        .filter(|r| r.figures.iter().any(|(f, _)| *f == Field::TierAboveTokens))
        .collect();
    // Chat entries with a standard tier in v1.106.2: 17 at 100k, 4 at 128k,
    // 81 at 200k, 92 at 272k, 1 at 512k (counted in the map's JSON).
    let at = |t: f64| {
        tiered
            .iter()
            .filter(|r| {
                figure(&r.figures, Field::TierAboveTokens) == Some(t)
                    || figure(&r.figures, Field::TierAboveTokens) == Some(t - 1.0)
            })
            .count()
    };
    assert_eq!(
        [
            at(100_000.0),
            at(128_000.0),
            at(200_000.0),
            at(272_000.0),
            at(512_000.0)
        ],
        [17, 4, 81, 92, 1]
    );
    assert_eq!(tiered.len(), 195);
}
