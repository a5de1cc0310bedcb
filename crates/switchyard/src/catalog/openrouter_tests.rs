use super::*;
use crate::catalog::testkit::OPENROUTER_FIXTURE;

fn error_of(text: &str) -> String {
    match parse(text, "models.json", Options::default()) {
        Ok(_) => panic!("expected an error"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn the_fixture_converts_per_token_strings_to_per_million() {
    let batch = parse(OPENROUTER_FIXTURE, "models.json", Options::default()).expect("parses");
    assert_eq!(batch.entries, 7);
    assert_eq!(batch.skipped.get(VARIABLE_PRICE), Some(&1));
    assert_eq!(batch.skipped.get(NOT_TEXT), Some(&1));
    assert_eq!(batch.records.len(), 5);
    let gpt = batch
        .records
        .iter()
        .find(|r| r.model == "openai/gpt-4o")
        .expect("gpt-4o");
    assert_eq!(gpt.id.as_deref(), Some("openrouter/openai/gpt-4o"));
    let get = |f: Field| {
        gpt.figures
            .iter()
            .find(|(g, _)| *g == f)
            .map(|(_, v)| v.clone())
    };
    // "0.0000025" USD per token is 2.5 USD per 1M tokens, not 0.0000025.
    assert_eq!(get(Field::InputPerMtok), Some(Value::Number(2.5)));
    assert_eq!(get(Field::OutputPerMtok), Some(Value::Number(10.0)));
    assert_eq!(get(Field::CachedInputPerMtok), Some(Value::Number(1.25)));
    assert_eq!(get(Field::ContextWindow), Some(Value::Number(128000.0)));
    let free = batch
        .records
        .iter()
        .find(|r| r.model.ends_with(":free"))
        .expect("a free model");
    assert!(
        free.figures
            .contains(&(Field::InputPerMtok, Value::Number(0.0)))
    );
}

#[test]
fn bad_entries_are_named() {
    let e =
        error_of(r#"{"data": [{"id": "a/b", "pricing": {"prompt": "abc", "completion": "0"}}]}"#);
    assert_eq!(
        e,
        "models.json: entry `data[0] (a/b)`: pricing.prompt: \"abc\" is not a number"
    );
    let e =
        error_of(r#"{"data": [{"id": "a/b", "pricing": {"prompt": "-0.5", "completion": "0"}}]}"#);
    assert_eq!(
        e,
        "models.json: entry `data[0] (a/b)`: pricing.prompt: -0.5 is a negative price"
    );
    let e =
        error_of(r#"{"data": [{"id": "a/b", "pricing": {"prompt": "NaN", "completion": "0"}}]}"#);
    assert_eq!(
        e,
        "models.json: entry `data[0] (a/b)`: pricing.prompt: NaN is not a finite number"
    );
    let e = error_of(r#"{"data": [{"id": "a/b", "pricing": {"prompt": true}}]}"#);
    assert!(
        e.contains("pricing.prompt: expected a decimal string"),
        "{e}"
    );
    let e = error_of(r#"{"data": [{"id": 3}]}"#);
    assert_eq!(
        e,
        "models.json: entry `data[0]`: id: expected a string, found the number 3"
    );
    let e = error_of(
        r#"{"data": [{"id": "a", "pricing": {"prompt": "0", "completion": "0"}}, {"id": "a"}]}"#,
    );
    assert!(e.contains("`a` is listed twice"), "{e}");
    let e = error_of(r#"{"data": {}}"#);
    assert_eq!(e, "models.json: `data`: expected an array, found an object");
    let e = error_of(r#"{"data": [{"id": "a", "pricing": {"prompt": "0""#);
    assert!(e.starts_with("models.json: entry `data[0]`"), "{e}");
    let big = "y".repeat(10 * 1024 * 1024);
    let e = error_of(&format!(r#"{{"data": [{{"id": "{big}"}}]}}"#));
    assert!(
        e.len() < 300 && e.contains("10485760 bytes"),
        "{}",
        &e[..e.len().min(300)]
    );
}
