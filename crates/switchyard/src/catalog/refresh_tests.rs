//! A refresh read and planned against a database: the diff the person is
//! shown is what the import writes, and the source names the download.

use std::ops::ControlFlow;

use super::*;
use crate::catalog::fetch::Fetched;
use crate::catalog::testkit::{dump, open, temp_db};
use crate::catalog::{Catalog, Diff, Field, Value, apply, apply_planned, plan};

const URL: &str = "http://127.0.0.1:9/prices.json";
const AT: &str = "2026-12-05T10:11:12.123Z";

fn fetched(body: &str, content_type: Option<&str>) -> Fetched {
    Fetched {
        url: URL.to_owned(),
        body: body.as_bytes().to_vec(),
        content_type: content_type.map(str::to_owned),
        retrieved_at: AT.to_owned(),
        elapsed: std::time::Duration::from_millis(5),
    }
}

/// A LiteLLM map of `acme` chat models: (key, input, output) in USD per 1M.
fn map(models: &[(&str, f64, f64)]) -> String {
    let entries: Vec<String> = models
        .iter()
        .map(|(key, input, output)| {
            format!(
                r#""{key}": {{"litellm_provider": "acme", "mode": "chat", "input_cost_per_token": {}, "output_cost_per_token": {}}}"#,
                input / 1e6,
                output / 1e6
            )
        })
        .collect();
    format!("{{{}}}", entries.join(", "))
}

fn batch_of(text: &str) -> Batch {
    batch(
        &fetched(text, Some("text/plain; charset=utf-8")),
        RefreshFormat::Litellm,
        ImportOptions::default(),
    )
    .unwrap_or_else(|e| panic!("{e}"))
}

fn go() -> impl FnMut(usize, usize) -> ControlFlow<()> {
    |_, _| ControlFlow::Continue(())
}

fn planned(catalog: &mut Catalog, batch: &Batch) -> Diff {
    plan(catalog, batch, &mut go())
        .unwrap_or_else(|e| panic!("{e}"))
        .diff
}

#[test]
fn html_and_non_text_downloads_are_named_not_parsed() {
    for (body, content_type) in [
        (
            "<!doctype html><html><body>Sign in</body></html>",
            Some("text/html; charset=utf-8"),
        ),
        ("  \n<html>moved</html>", Some("application/json")),
        ("{}", Some("TEXT/HTML")),
    ] {
        let e = batch(
            &fetched(body, content_type),
            RefreshFormat::Openrouter,
            ImportOptions::default(),
        )
        .expect_err("html");
        let text = e.to_string();
        assert!(
            text.starts_with(&format!("{URL}: the server sent an HTML page (")),
            "{text}"
        );
        assert!(
            text.ends_with("not the OpenRouter model list: is the URL right?"),
            "{text}"
        );
    }
    let mut bad = fetched("{}", None);
    bad.body = vec![b'{', 0xff, b'}'];
    let e = batch(&bad, RefreshFormat::Litellm, ImportOptions::default()).expect_err("not utf-8");
    assert_eq!(e.to_string(), format!("{URL}: is not UTF-8 text (byte 1)"));
    let e = batch(
        &fetched("[1, 2]", None),
        RefreshFormat::Litellm,
        ImportOptions::default(),
    )
    .expect_err("not a map");
    assert!(
        e.to_string()
            .starts_with(&format!("{URL}: not a LiteLLM price map")),
        "{e}"
    );
}

#[test]
fn records_name_the_download_as_their_source() {
    let b = batch_of(&map(&[("acme/x", 1.0, 2.0)]));
    assert_eq!(b.file, URL);
    let source = &b.records[0].source;
    assert_eq!(source.id, format!("litellm@{AT}"));
    assert_eq!(source.url.as_deref(), Some(URL));
    assert_eq!(source.retrieved_at.as_deref(), Some(AT));
    assert_eq!(
        source.title,
        format!("LiteLLM price map fetched from {URL}")
    );
}

#[test]
fn the_diff_lists_added_removed_and_changed_with_percentages() {
    let (_dir, path) = temp_db();
    let mut catalog = open(&path, true);
    let before = batch_of(&map(&[
        ("acme/x", 1.0, 2.0),
        ("acme/y", 3.0, 4.0),
        ("acme/z", 5.0, 6.0),
    ]));
    apply(&mut catalog, &before, &mut go()).unwrap_or_else(|e| panic!("{e}"));
    catalog
        .set("acme/z", "output_per_mtok", "7")
        .unwrap_or_else(|e| panic!("{e}"));

    // x dearer by 10%, y gone, z's output (overridden) cheaper, w new.
    let after = batch_of(&map(&[
        ("acme/x", 1.1, 2.0),
        ("acme/z", 5.0, 4.5),
        ("acme/w", 0.5, 1.5),
    ]));
    let snapshot = dump(catalog.connection());
    let diff = planned(&mut catalog, &after);
    assert_eq!(
        dump(catalog.connection()),
        snapshot,
        "a plan writes nothing"
    );

    assert_eq!(diff.added.len(), 1);
    assert_eq!(diff.added[0].id, "acme/w");
    let figures: Vec<(&str, &Value)> = diff.added[0]
        .figures
        .iter()
        .map(|f| (f.field, &f.value))
        .collect();
    assert_eq!(
        figures,
        [
            ("input_per_mtok", &Value::Number(0.5)),
            ("output_per_mtok", &Value::Number(1.5))
        ]
    );
    assert_eq!(diff.removed, ["acme/y"]);
    let changed: Vec<(&str, &str, &str, bool)> = diff
        .changed
        .iter()
        .map(|c| {
            (
                c.offering.as_str(),
                c.field.as_str(),
                c.text.as_str(),
                c.overridden,
            )
        })
        .collect();
    assert_eq!(
        changed,
        [
            ("acme/x", "input_per_mtok", "1 → 1.1 (+10.0%)", false),
            ("acme/z", "output_per_mtok", "6 → 4.5 (-25.0%)", true),
        ]
    );
    assert!((diff.changed[0].percent.unwrap_or(0.0) - 10.0).abs() < 1e-9);
    assert_eq!(diff.changes(), 3);

    // Applying the plan writes exactly it; the source names the download.
    let outcome =
        apply_planned(&mut catalog, &after, &diff, &mut go()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(outcome.diff, diff);
    assert!(outcome.report.import_id.is_some());
    let shown = catalog.show("acme/x").unwrap_or_else(|e| panic!("{e}"));
    let input = shown
        .figures
        .iter()
        .find(|f| f.field == Field::InputPerMtok.name())
        .unwrap_or_else(|| panic!("input"));
    let source = input.source.as_ref().unwrap_or_else(|| panic!("a source"));
    assert_eq!(source.id, format!("litellm@{AT}"));
    assert_eq!(source.url.as_deref(), Some(URL));
    assert_eq!(source.retrieved_at.as_deref(), Some(AT));
    // The override stays in effect.
    let z = catalog.show("acme/z").unwrap_or_else(|e| panic!("{e}"));
    let out = z
        .figures
        .iter()
        .find(|f| f.field == "output_per_mtok")
        .unwrap_or_else(|| panic!("out"));
    assert_eq!(
        (out.value.clone(), out.imported_value.clone()),
        (Value::Number(7.0), Some(Value::Number(4.5)))
    );
    // y is kept.
    assert!(catalog.show("acme/y").is_ok());

    // The same list again: nothing to write, and y is still not listed.
    let again = planned(&mut catalog, &after);
    assert!(again.is_empty(), "{again:?}");
    assert_eq!(again.removed, ["acme/y"]);
}

#[test]
fn a_plan_is_not_written_once_the_catalog_changed_under_it() {
    let (_dir, path) = temp_db();
    let mut catalog = open(&path, true);
    apply(
        &mut catalog,
        &batch_of(&map(&[("acme/x", 1.0, 2.0)])),
        &mut go(),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let refresh = batch_of(&map(&[("acme/x", 2.0, 2.0)]));
    let diff = planned(&mut catalog, &refresh);
    assert_eq!(diff.changed[0].text, "1 → 2 (+100.0%)");
    // Another import moves the price in between.
    apply(
        &mut catalog,
        &batch_of(&map(&[("acme/x", 1.5, 2.0)])),
        &mut go(),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let snapshot = dump(catalog.connection());
    let e = apply_planned(&mut catalog, &refresh, &diff, &mut go()).expect_err("stale");
    assert_eq!(
        e.to_string(),
        format!(
            "{URL}: the catalog changed since these changes were shown, so they were not written; check again"
        )
    );
    assert_eq!(dump(catalog.connection()), snapshot);
}

#[test]
fn the_default_urls_are_the_pinned_litellm_tag_and_openrouter() {
    assert_eq!(
        RefreshFormat::Litellm.default_url(),
        "https://raw.githubusercontent.com/BerriAI/litellm/v1.106.2/model_prices_and_context_window.json"
    );
    assert_eq!(
        RefreshFormat::Openrouter.default_url(),
        "https://openrouter.ai/api/v1/models"
    );
    let sources = RefreshSource::all();
    assert_eq!(sources[0].format, RefreshFormat::Litellm);
    // The fixture is the file the default URL names.
    let pinned = include_str!("../../../../fixtures/litellm/SOURCE.md");
    assert!(pinned.contains("at tag `v1.106.2`"), "{pinned}");
}
