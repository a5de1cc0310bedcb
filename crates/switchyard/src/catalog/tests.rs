//! Store, import, override, query and plan-resolution tests against temporary
//! databases. Parser tests live beside each importer.

use std::path::Path;

use rusqlite::Connection;

use super::fields::{Field, Value};
use super::import::ALIAS_REASON;
use super::testkit::{CSV_FIXTURE, FIXTURE, OPENROUTER_FIXTURE, dump, fixture_text, open, temp_db};
use super::*;
use crate::plan::{self as plans, NoCatalog, OfferingSource};

fn no_progress() -> impl FnMut(usize, usize) -> std::ops::ControlFlow<()> {
    |_, _| std::ops::ControlFlow::Continue(())
}

fn import_text(
    catalog: &mut Catalog,
    text: &str,
    format: Format,
) -> Result<ImportReport, CatalogError> {
    let batch = parse(text, format, "input", ImportOptions::default())?;
    apply(catalog, &batch, &mut no_progress())
}

fn import_fixture(catalog: &mut Catalog) -> ImportReport {
    catalog
        .import_file(
            Path::new(FIXTURE),
            Format::Litellm,
            ImportOptions::default(),
            &mut no_progress(),
        )
        .unwrap_or_else(|e| panic!("{e}"))
}

fn effective(catalog: &Catalog, id: &str, field: Field) -> Option<Value> {
    catalog
        .list(&ListFilter::default())
        .unwrap_or_else(|e| panic!("{e}"))
        .into_iter()
        .find(|r| r.id == id)
        .and_then(|r| r.figures.get(field).cloned())
}

fn count(conn: &Connection, sql: &str) -> i64 {
    conn.query_row(sql, [], |r| r.get(0))
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

// ------------------------------------------------------------------ store

#[test]
fn a_new_database_is_configured_and_seeded() {
    let (_dir, path) = temp_db();
    let catalog = open(&path, true);
    let conn = catalog.connection();
    let mode: String = conn
        .pragma_query_value(None, "journal_mode", |r| r.get(0))
        .unwrap_or_default();
    assert_eq!(mode, "wal");
    let fk: i64 = conn
        .pragma_query_value(None, "foreign_keys", |r| r.get(0))
        .unwrap_or_default();
    assert_eq!(fk, 1);
    assert_eq!(
        catalog.schema_version().ok(),
        Some(migrate::latest_version())
    );
    assert_eq!(count(conn, "SELECT count(*) FROM offerings"), 43);
    assert_eq!(count(conn, "SELECT count(*) FROM providers"), 13);
    assert_eq!(count(conn, "SELECT count(*) FROM groups"), 12);
    // The ICPE record of the OpenAI API, from 2021-02-11 to 2024-08-31.
    assert_eq!(
        count(
            conn,
            "SELECT count(*) FROM outage_days WHERE group_id = 'openai-platform'"
        ),
        1298
    );
    assert_eq!(
        count(conn, "SELECT count(*) FROM sources WHERE kind != 'user'"),
        40
    );
    assert_eq!(count(conn, "SELECT count(*) FROM memberships"), 43);
    // Every figure carries a known source and a date.
    assert_eq!(
        count(
            conn,
            "SELECT count(*) FROM figures f LEFT JOIN sources s ON s.id = f.source
             WHERE s.id IS NULL OR length(f.effective_date) != 10"
        ),
        0
    );
    assert_eq!(
        count(conn, "SELECT count(*) FROM figures"),
        count(conn, "SELECT count(*) FROM history WHERE kind = 'import'")
    );
    // Only key NAMES are stored.
    let names: Vec<String> = conn
        .prepare("SELECT key_env FROM providers")
        .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
        .unwrap_or_default();
    assert!(
        names.iter().all(|n| crate::secret::is_env_name(n)),
        "{names:?}"
    );
    // Opening again neither re-seeds nor migrates.
    let before = dump(conn);
    drop(catalog);
    let again = open(&path, true);
    assert_eq!(dump(again.connection()), before);
}

#[test]
fn the_default_path_is_overridden_by_flag_then_env() {
    let (path, explicit) = db_path(Some(Path::new("/tmp/x.db"))).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(path, Path::new("/tmp/x.db"));
    assert!(explicit);
}

#[test]
fn the_default_catalog_reads_integers_as_floats() {
    #[derive(serde::Deserialize)]
    struct T {
        x: f64,
    }
    let t: T = toml::from_str("x = 35").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(t.x, 35.0);
    let c = seed::default_catalog().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(c.offerings.len(), 43);
    let astra = c
        .offerings
        .iter()
        .find(|o| o.id == "openai/gpt-6-astra")
        .unwrap_or_else(|| panic!("astra"));
    assert_eq!(astra.mttr_minutes, 35.0);
    assert_eq!(astra.ttft_p50_ms, 3000.0);
    assert_eq!(astra.context_window, Some(922000.0));
}

#[test]
fn default_prices_equal_the_litellm_fixture_exactly() {
    let c = seed::default_catalog().unwrap_or_else(|e| panic!("{e}"));
    let batch = litellm::parse(&fixture_text(), FIXTURE, litellm::Options::default())
        .unwrap_or_else(|e| panic!("{e}"));
    for o in &c.offerings {
        let key = o
            .litellm_key
            .as_deref()
            .unwrap_or_else(|| panic!("{} has a key", o.id));
        let record = batch
            .records
            .iter()
            .find(|r| r.litellm_key.as_deref() == Some(key))
            .unwrap_or_else(|| panic!("{key} is a priced chat entry"));
        for (field, value) in &record.figures {
            let ours = o
                .figures()
                .into_iter()
                .find(|(f, _, _)| f == field)
                .map(|(_, v, _)| v);
            assert_eq!(ours.as_ref(), Some(value), "{}: {field}", o.id);
        }
    }
}

#[test]
fn an_older_schema_is_migrated_keeping_its_data() {
    let (_dir, path) = temp_db();
    {
        let mut conn = Connection::open(&path).unwrap_or_else(|e| panic!("{e}"));
        migrate::migrate_to(&mut conn, "old.db", 1, |_, _| Ok(()))
            .unwrap_or_else(|e| panic!("{e}"));
        conn.execute_batch(
            "INSERT INTO imports (id, format, file, imported_at) VALUES (1, 'csv', 'x.csv', '2026-01-01T00:00:00Z');
             INSERT INTO providers (id, name) VALUES ('p', 'P');
             INSERT INTO offerings (id, provider, model, added_by) VALUES ('p/m', 'p', 'm', 1);",
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let v: i64 = conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .unwrap_or(0);
        assert_eq!(v, 1);
        let has: i64 = count(
            &conn,
            "SELECT count(*) FROM sqlite_schema WHERE name = 'saved_plans'",
        );
        assert_eq!(has, 0);
    }
    let catalog = open(&path, true);
    assert_eq!(
        catalog.schema_version().ok(),
        Some(migrate::latest_version())
    );
    let conn = catalog.connection();
    assert_eq!(
        count(conn, "SELECT count(*) FROM offerings"),
        1,
        "kept, and not re-seeded"
    );
    assert_eq!(count(conn, "SELECT count(*) FROM saved_plans"), 0);
    assert_eq!(count(conn, "SELECT count(*) FROM observations"), 0);
    assert_eq!(count(conn, "SELECT count(*) FROM probe_results"), 0);
}

#[test]
fn a_newer_schema_is_refused_naming_file_and_versions() {
    let (_dir, path) = temp_db();
    drop(open(&path, false));
    {
        let conn = Connection::open(&path).unwrap_or_else(|e| panic!("{e}"));
        conn.pragma_update(None, "user_version", 99)
            .unwrap_or_else(|e| panic!("{e}"));
    }
    let before = std::fs::read(&path).unwrap_or_default();
    let e = Catalog::open(&path).map(|_| ()).map_err(|e| e.to_string());
    let message = e.err().unwrap_or_default();
    let file = path.display().to_string();
    assert!(message.starts_with(&file), "{message}");
    assert!(message.contains("schema version 99"), "{message}");
    let supports = format!("supports ({})", migrate::latest_version());
    assert!(message.contains(&supports), "{message}");
    assert_eq!(
        std::fs::read(&path).unwrap_or_default(),
        before,
        "untouched"
    );
}

#[test]
fn foreign_files_are_refused() {
    let (dir, path) = temp_db();
    {
        let conn = Connection::open(&path).unwrap_or_else(|e| panic!("{e}"));
        conn.execute_batch("CREATE TABLE notes (x TEXT); INSERT INTO notes VALUES ('mine');")
            .unwrap_or_else(|e| panic!("{e}"));
    }
    let e = Catalog::open(&path)
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(e.contains("not a switchyard catalog"), "{e}");
    let text = dir.path().join("notes.txt");
    std::fs::write(
        &text,
        "this is not a database, just some text that is long enough".repeat(100),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let e = Catalog::open(&text)
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(e.starts_with(&text.display().to_string()), "{e}");
    assert!(e.contains("cannot open the catalog database"), "{e}");
}

// ------------------------------------------------------------------ imports

#[test]
fn the_litellm_fixture_imports_into_an_empty_database_with_exact_counts() {
    let (_dir, path) = temp_db();
    let mut catalog = open(&path, false);
    let r = import_fixture(&mut catalog);
    assert_eq!(r.entries, 4242);
    assert_eq!(r.considered, 3014);
    assert_eq!(r.added, 2855);
    assert_eq!(r.changed, 0);
    assert_eq!(r.unchanged, 0);
    assert_eq!(r.skipped, 4242 - 2855);
    assert_eq!(r.skipped_by_reason.get(litellm::NO_PRICE), Some(&144));
    assert_eq!(r.skipped_by_reason.get(ALIAS_REASON), Some(&15));
    assert_eq!(r.skipped_by_reason.get("mode responses"), Some(&189));
    assert_eq!(r.added + r.unchanged + 144 + 15, r.considered);
    let conn = catalog.connection();
    assert_eq!(
        count(conn, "SELECT count(*) FROM offerings WHERE mode = 'chat'"),
        2855
    );
    assert_eq!(
        effective(&catalog, "openai/gpt-4o", Field::InputPerMtok),
        Some(Value::Number(2.5))
    );
    assert_eq!(
        effective(&catalog, "gemini/gemini-2.5-flash", Field::OutputPerMtok),
        Some(Value::Number(2.5))
    );
}

#[test]
fn the_litellm_fixture_updates_the_seeded_offerings_in_place() {
    let (_dir, path) = temp_db();
    let mut catalog = open(&path, true);
    let r = import_fixture(&mut catalog);
    assert_eq!(
        r.unchanged, 43,
        "the default offerings, found by key, same prices"
    );
    assert_eq!(r.added, 2808);
    assert_eq!(r.skipped_by_reason.get(ALIAS_REASON), Some(&19));
    // New Gemini API entries join the catalog's `google` provider.
    let google = catalog
        .list(&ListFilter {
            provider: Some("google".into()),
            mode: None,
        })
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(google.len() > 3, "{}", google.len());
}

#[test]
fn reimporting_the_same_file_changes_nothing() {
    let (_dir, path) = temp_db();
    let mut catalog = open(&path, true);
    import_fixture(&mut catalog);
    let before = dump(catalog.connection());
    let r = import_fixture(&mut catalog);
    assert_eq!((r.added, r.changed, r.unchanged), (0, 0, 2851));
    assert_eq!(r.import_id, None);
    assert_eq!(dump(catalog.connection()), before);
}

#[test]
fn a_changed_price_writes_history() {
    let (_dir, path) = temp_db();
    let mut catalog = open(&path, false);
    let one = r#"{"gpt-4o": {"litellm_provider": "openai", "mode": "chat", "input_cost_per_token": 2.5e-06, "output_cost_per_token": 1e-05}}"#;
    import_text(&mut catalog, one, Format::Litellm).unwrap_or_else(|e| panic!("{e}"));
    let two = one.replace("2.5e-06", "2e-06");
    let r = import_text(&mut catalog, &two, Format::Litellm).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((r.added, r.changed, r.unchanged), (0, 1, 0));
    let h = catalog
        .history("openai/gpt-4o")
        .unwrap_or_else(|e| panic!("{e}"));
    let input: Vec<_> = h
        .changes
        .iter()
        .filter(|c| c.field == "input_per_mtok")
        .collect();
    assert_eq!(input.len(), 2);
    assert_eq!(input[0].old_value, None);
    assert_eq!(input[0].new_value, Some(Value::Number(2.5)));
    assert_eq!(input[1].old_value, Some(Value::Number(2.5)));
    assert_eq!(input[1].new_value, Some(Value::Number(2.0)));
    assert_eq!(input[1].kind, "import");
    assert_eq!(input[1].source, "litellm:input");
    assert_eq!(input[1].import_format.as_deref(), Some("litellm"));
    assert_eq!(input[1].effective_date.len(), 10);
    assert_eq!(
        h.changes
            .iter()
            .filter(|c| c.field == "output_per_mtok")
            .count(),
        1,
        "an unchanged price writes no history"
    );
}

#[test]
fn overrides_survive_a_reimport_until_reset() {
    let (_dir, path) = temp_db();
    let mut catalog = open(&path, true);
    let id = "anthropic/claude-sonnet-5-5";
    catalog
        .set(id, "input_per_mtok", "1.5")
        .unwrap_or_else(|e| panic!("{e}"));
    catalog
        .set(id, "availability", "0.995")
        .unwrap_or_else(|e| panic!("{e}"));
    import_fixture(&mut catalog);
    assert_eq!(
        effective(&catalog, id, Field::InputPerMtok),
        Some(Value::Number(1.5))
    );
    // A new imported price lands beside the override, not over it.
    let patched = patch_price(
        &fixture_text(),
        "claude-sonnet-5-5",
        "input_cost_per_token",
        1e-6,
    );
    let r = import_text(&mut catalog, &patched, Format::Litellm).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r.changed, 1);
    let detail = catalog.show(id).unwrap_or_else(|e| panic!("{e}"));
    let input = detail
        .figures
        .iter()
        .find(|f| f.field == "input_per_mtok")
        .unwrap_or_else(|| panic!("input"));
    assert!(input.overridden);
    assert_eq!(input.value, Value::Number(1.5));
    assert_eq!(input.imported_value, Some(Value::Number(1.0)));
    let rows = catalog
        .list(&ListFilter::default())
        .unwrap_or_else(|e| panic!("{e}"));
    let row = rows
        .iter()
        .find(|r| r.id == id)
        .unwrap_or_else(|| panic!("row"));
    assert_eq!(row.overridden, vec!["input_per_mtok", "availability"]);
    // Reset one field: the imported value is back.
    let changes = catalog
        .reset(id, Some("input_per_mtok"))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(changes.len(), 1);
    assert_eq!(changes[0].new_value, Some(Value::Number(1.0)));
    assert_eq!(
        effective(&catalog, id, Field::InputPerMtok),
        Some(Value::Number(1.0))
    );
    assert_eq!(
        effective(&catalog, id, Field::Availability),
        Some(Value::Number(0.995))
    );
    // Reset all.
    let changes = catalog.reset(id, None).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(changes.len(), 1);
    assert_eq!(
        effective(&catalog, id, Field::Availability),
        Some(Value::Number(0.9992))
    );
    assert!(
        catalog
            .reset(id, None)
            .unwrap_or_else(|e| panic!("{e}"))
            .is_empty()
    );
    let kinds: Vec<String> = catalog
        .history(id)
        .unwrap_or_else(|e| panic!("{e}"))
        .changes
        .into_iter()
        .filter(|c| c.kind != "import")
        .map(|c| format!("{} {}", c.kind, c.field))
        .collect();
    assert_eq!(
        kinds,
        [
            "override input_per_mtok",
            "override availability",
            "reset input_per_mtok",
            "reset availability"
        ]
    );
}

/// The fixture with one entry's price replaced.
fn patch_price(text: &str, key: &str, field: &str, value: f64) -> String {
    patch(text, key, field, serde_json::json!(value))
}

/// The fixture with one entry's field replaced.
fn patch(text: &str, key: &str, field: &str, value: serde_json::Value) -> String {
    let mut map: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(text).unwrap_or_else(|e| panic!("{e}"));
    if let Some(serde_json::Value::Object(entry)) = map.get_mut(key) {
        entry.insert(field.to_owned(), value);
    } else {
        panic!("no entry {key}");
    }
    serde_json::to_string(&map).unwrap_or_default()
}

#[test]
fn set_and_reset_check_their_input() {
    let (_dir, path) = temp_db();
    let mut catalog = open(&path, true);
    let id = "openai/gpt-5.5";
    let e = |r: Result<_, CatalogError>| r.err().map(|e| e.to_string()).unwrap_or_default();
    assert_eq!(
        e(catalog.set(id, "input_per_mtok", "-3")),
        "openai/gpt-5.5: input_per_mtok: -3 is a negative price"
    );
    assert!(
        e(catalog.set(id, "price", "3"))
            .starts_with("unknown field `price`; the fields are: input_per_mtok")
    );
    assert!(
        e(catalog.set("nope/x", "input_per_mtok", "3")).starts_with("unknown offering `nope/x`")
    );
    assert!(e(catalog.set(id, "outage", "maybe")).contains("not `error` or `hang`"));
    // The plan's ranges (switchyard::limits): `catalog set … mttr_minutes 1e-9`
    // was accepted, and a plan using it ran out of memory.
    assert_eq!(
        e(catalog.set(id, "mttr_minutes", "1e-9")),
        "openai/gpt-5.5: mttr_minutes: 1e-9 is out of range: must be at least 0.0166667 (1 second) and at most 525,600 (1 year)"
    );
    assert!(e(catalog.set(id, "input_per_mtok", "1e308")).contains("at most 1,000,000"));
    let reset = catalog
        .reset("nope/x", None)
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(reset.starts_with("unknown offering"), "{reset}");
    catalog
        .set(id, "outage", "hang")
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        effective(&catalog, id, Field::Outage),
        Some(Value::Text("hang".into()))
    );
}

#[test]
fn malformed_imports_leave_the_database_byte_identical() {
    let (dir, path) = temp_db();
    drop(open(&path, true));
    let bytes = std::fs::read(&path).unwrap_or_default();
    let rows = dump(open(&path, true).connection());
    let big = "x".repeat(10 * 1024 * 1024);
    let cases: Vec<(Format, String)> = vec![
        (Format::Litellm, fixture_text()[..1_500_000].to_owned()),
        (
            Format::Litellm,
            patch_price(&fixture_text(), "gpt-4o", "input_cost_per_token", -1e-6),
        ),
        (
            Format::Litellm,
            fixture_text().replacen(
                r#""input_cost_per_token": 2.5e-06"#,
                r#""input_cost_per_token": NaN"#,
                1,
            ),
        ),
        (
            Format::Litellm,
            patch(
                &fixture_text(),
                "gpt-4o",
                "litellm_provider",
                serde_json::json!(["openai"]),
            ),
        ),
        (
            Format::Litellm,
            patch(
                &fixture_text(),
                "gpt-4o",
                "max_input_tokens",
                serde_json::json!("128k"),
            ),
        ),
        (
            Format::Litellm,
            patch(
                &fixture_text(),
                "gpt-4o",
                "litellm_provider",
                serde_json::json!(big),
            ),
        ),
        (
            Format::Openrouter,
            OPENROUTER_FIXTURE.replace("\"0.000015\"", "\"-0.000015\""),
        ),
        (Format::Openrouter, OPENROUTER_FIXTURE[..900].to_owned()),
        (Format::Csv, CSV_FIXTURE.replace("0.999", "NaN")),
        // Fails only when written (the group is checked against the
        // database), after the first row has been written: rolled back.
        (
            Format::Csv,
            CSV_FIXTURE.replace(",,,,,,,,,,\n", ",,,,,,,,no-such-group,,\n"),
        ),
    ];
    for (i, (format, text)) in cases.iter().enumerate() {
        let file = dir.path().join(format!("bad-{i}"));
        std::fs::write(&file, text).unwrap_or_else(|e| panic!("{e}"));
        let mut catalog = open(&path, true);
        let result =
            catalog.import_file(&file, *format, ImportOptions::default(), &mut no_progress());
        let message = result
            .err()
            .map(|e| e.to_string())
            .unwrap_or_else(|| panic!("case {i} imported"));
        assert!(
            message.starts_with(&file.display().to_string()),
            "case {i}: {message}"
        );
        assert!(message.len() < 400, "case {i}: {}", message.len());
        assert!(
            message.contains("entry `") || message.contains("not a"),
            "case {i}: {message}"
        );
        assert_eq!(dump(catalog.connection()), rows, "case {i}: rows");
        drop(catalog);
        assert!(
            std::fs::read(&path).unwrap_or_default() == bytes,
            "case {i}: bytes"
        );
    }
}

#[test]
fn openrouter_and_csv_imports_are_idempotent_too() {
    let (_dir, path) = temp_db();
    let mut catalog = open(&path, true);
    let r = import_text(&mut catalog, OPENROUTER_FIXTURE, Format::Openrouter)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((r.added, r.skipped), (5, 2));
    let r = import_text(&mut catalog, CSV_FIXTURE, Format::Csv).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r.added, 2);
    let before = dump(catalog.connection());
    for (text, format) in [
        (OPENROUTER_FIXTURE, Format::Openrouter),
        (CSV_FIXTURE, Format::Csv),
    ] {
        let r = import_text(&mut catalog, text, format).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((r.added, r.changed), (0, 0));
    }
    assert_eq!(dump(catalog.connection()), before);
    let gpt = catalog
        .show("openrouter/openai/gpt-4o")
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(gpt.provider.key_env.as_deref(), Some("OPENROUTER_API_KEY"));
    let fast = catalog
        .show("acme/fast-1")
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(fast.groups.len(), 1);
    let avail = fast
        .figures
        .iter()
        .find(|f| f.field == "availability")
        .unwrap_or_else(|| panic!("a"));
    assert_eq!(avail.effective_date.as_deref(), Some("2026-11-01"));
    assert_eq!(
        avail.source.as_ref().map(|s| s.title.as_str()),
        Some("acme price page")
    );
}

// ------------------------------------------------------------------ queries

#[test]
fn list_filters_and_its_json_is_stable() {
    let (_dir, path) = temp_db();
    let catalog = open(&path, true);
    let rows = catalog
        .list(&ListFilter {
            provider: Some("deepseek".into()),
            mode: Some("chat".into()),
        })
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(rows.len(), 2);
    let json = serde_json::to_value(ListOutput {
        count: rows.len(),
        offerings: &rows,
    })
    .unwrap_or_default();
    let first = &json["offerings"][0];
    let keys: Vec<&str> = first
        .as_object()
        .map(|o| o.keys().map(String::as_str).collect())
        .unwrap_or_default();
    let mut expected = vec![
        "id",
        "provider",
        "model",
        "mode",
        "litellm_key",
        "groups",
        "overridden",
        "inherited",
    ];
    expected.extend(Field::ALL.map(Field::name));
    let mut sorted_keys = keys.clone();
    sorted_keys.sort_unstable();
    expected.sort_unstable();
    assert_eq!(sorted_keys, expected);
    assert_eq!(first["id"], "deepseek/deepseek-v4-flash");
    assert_eq!(first["outage"], "hang");
    assert_eq!(first["context_window"], 1000000);
    assert_eq!(first["groups"][0], "deepseek-platform");
    assert!(
        catalog
            .list(&ListFilter {
                provider: None,
                mode: Some("embedding".into())
            })
            .unwrap_or_default()
            .is_empty()
    );
}

#[test]
fn show_gives_every_figure_its_source_and_date() {
    let (_dir, path) = temp_db();
    let catalog = open(&path, true);
    let d = catalog
        .show("azure-eastus/gpt-5.5")
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(d.provider.declared_sla_availability, Some(0.999));
    assert_eq!(
        d.provider.sla_source.as_ref().map(|s| s.kind.as_str()),
        Some("sla")
    );
    // Every figure but quality and the rate limits, its LiteLLM price tier
    // (above 272k prompt tokens: threshold and three prices) included.
    assert_eq!(
        d.figures.len(),
        15 - 1 + 4,
        "all but quality, with the tier"
    );
    assert!(
        d.figures
            .iter()
            .any(|f| f.field == "tier_above_tokens" && f.value.as_f64() == Some(272_000.0))
    );
    for f in &d.figures {
        let s = f
            .source
            .as_ref()
            .unwrap_or_else(|| panic!("{} has a source", f.field));
        assert!(!s.title.is_empty());
        assert!(f.effective_date.is_some());
    }
    let avail = d
        .figures
        .iter()
        .find(|f| f.field == "availability")
        .unwrap_or_else(|| panic!("a"));
    assert_eq!(
        avail.source.as_ref().map(|s| s.id.as_str()),
        Some("azure-openai-sla")
    );
    assert!(matches!(
        catalog.show("nope"),
        Err(CatalogError::UnknownOffering(_))
    ));
    assert!(matches!(
        catalog.history("nope"),
        Err(CatalogError::UnknownOffering(_))
    ));
}

// ------------------------------------------------------------------ plans

const PLAN: &str = r#"
[workload]
requests_per_month = 1000
input_tokens = 1000
output_tokens = 200

[[offerings]]
id = "anthropic/claude-sonnet-5-5"
error_rate = 0.05

[[routes]]
name = "main"
steps = [
  { offering = "anthropic/claude-sonnet-5-5", attempts = 2, timeout_ms = 10000 },
  { offering = "bedrock-anthropic/claude-sonnet-5-5", timeout_ms = 10000 },
]
"#;

#[test]
fn plans_resolve_against_the_catalog_with_inline_fields_on_top() {
    let (_dir, path) = temp_db();
    let mut catalog = open(&path, true);
    let plan =
        plans::parse(PLAN, plans::Format::Toml, "plan.toml").unwrap_or_else(|e| panic!("{e}"));
    assert!(plans::needs_catalog(&plan));
    assert!(plans::resolve(&plan, &NoCatalog).is_err());
    catalog
        .set("anthropic/claude-sonnet-5-5", "output_per_mtok", "12")
        .unwrap_or_else(|e| panic!("{e}"));
    let snapshot = catalog
        .snapshot_for(&plan)
        .unwrap_or_else(|e| panic!("{e}"));
    let resolved = plans::resolve(&plan, &snapshot).unwrap_or_else(|p| panic!("{p:?}"));
    let p = &resolved.portfolio;
    assert_eq!(p.offerings.len(), 2);
    let sonnet = &p.offerings[0];
    assert_eq!(sonnet.error_rate, 0.05, "inline wins");
    assert_eq!(sonnet.availability, 0.9992, "from the catalog");
    assert_eq!(sonnet.prices.output_per_mtok, 12.0, "the user's override");
    assert_eq!(sonnet.prices.input_per_mtok, 2.0);
    assert_eq!(p.groups.len(), 2, "anthropic-platform and aws-us-east-1");
    assert_eq!(
        resolved.offering_specs[0].key_env.as_deref(),
        Some("ANTHROPIC_API_KEY")
    );
    // The direct implementation agrees.
    let direct = plans::resolve(&plan, &catalog).unwrap_or_else(|p| panic!("{p:?}"));
    assert_eq!(direct.portfolio, resolved.portfolio);
    assert!(catalog.group("aws-us-east-1").is_some());
    assert!(catalog.offering("nope").is_none());
}

#[test]
fn a_refused_catalog_value_is_blamed_on_the_catalog_not_the_plan() {
    let (_dir, path) = temp_db();
    let mut catalog = open(&path, true);
    let id = "anthropic/claude-sonnet-5-5";
    // A value `catalog set` refuses today, as an older catalog may hold it.
    catalog
        .conn
        .execute(
            "INSERT INTO overrides (offering, field, value, set_at)
             VALUES (?1, 'availability', 1.5, '2026-11-30T10:00:00Z')",
            [id],
        )
        .unwrap_or_else(|e| panic!("{e}"));
    let plan =
        plans::parse(PLAN, plans::Format::Toml, "plan.toml").unwrap_or_else(|e| panic!("{e}"));
    let snapshot = catalog
        .snapshot_for(&plan)
        .unwrap_or_else(|e| panic!("{e}"));
    let file = path.display();
    let expected = format!(
        "offering `{id}`: availability from the catalog `{file}` (your override, set \
         2026-11-30T10:00:00Z; `switchyard catalog reset {id} availability` removes it): \
         1.5 is out of range: must be at least 0 and at most 1"
    );
    for source in [&snapshot as &dyn OfferingSource, &catalog] {
        let problems = plans::resolve(&plan, source).err().unwrap_or_default();
        let text: Vec<String> = problems.iter().map(ToString::to_string).collect();
        // The plan defines the offering inline but never sets its availability.
        assert_eq!(text, vec![expected.clone()]);
    }
    // An imported (not overridden) value names the catalog alone.
    catalog
        .reset(id, Some("availability"))
        .unwrap_or_else(|e| panic!("{e}"));
    catalog
        .conn
        .execute(
            "UPDATE figures SET value = 0.99999 WHERE offering = ?1 AND field = 'availability'",
            [id],
        )
        .unwrap_or_else(|e| panic!("{e}"));
    let problems = plans::resolve(&plan, &catalog).err().unwrap_or_default();
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(problems[0].field, format!("offering `{id}`"));
    assert!(
        problems[0].reason.starts_with(&format!(
            "availability from the catalog `{file}`: 0.99999 is above the availability of its groups"
        )),
        "{problems:?}"
    );
}

#[test]
fn an_imported_offering_without_reliability_figures_names_what_is_missing() {
    let (_dir, path) = temp_db();
    let mut catalog = open(&path, false);
    import_fixture(&mut catalog);
    let text = PLAN.replace("bedrock-anthropic/claude-sonnet-5-5", "openai/gpt-4o");
    let plan =
        plans::parse(&text, plans::Format::Toml, "plan.toml").unwrap_or_else(|e| panic!("{e}"));
    let snapshot = catalog
        .snapshot_for(&plan)
        .unwrap_or_else(|e| panic!("{e}"));
    let problems = plans::resolve(&plan, &snapshot).err().unwrap_or_default();
    let text: Vec<String> = problems.iter().map(ToString::to_string).collect();
    assert!(
        text.iter().any(|p| p == "offering `openai/gpt-4o` (from the catalog).availability: is missing: define it inline or in the catalog"),
        "{text:?}"
    );
}

#[test]
fn self_contained_plans_need_no_catalog() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../examples/claude-then-deepseek.toml"
    );
    let plan = plans::load(Path::new(path)).unwrap_or_else(|e| panic!("{e}"));
    assert!(!plans::needs_catalog(&plan));
    let mut partial = plan.clone();
    partial.offerings[0].availability = None;
    assert!(plans::needs_catalog(&partial));
    let mut grouped = plan.clone();
    grouped.offerings[0].groups = Some(vec!["aws-us-east-1".into()]);
    assert!(!plan.groups.iter().any(|g| g.id == "aws-us-east-1"));
    assert!(plans::needs_catalog(&grouped), "a group it does not define");
    let mut elsewhere = plan.clone();
    elsewhere.routes[0].steps[0].offering = "openai/gpt-5.5".into();
    assert!(
        plans::needs_catalog(&elsewhere),
        "an offering it does not define"
    );
}

#[test]
fn saved_plans_round_trip() {
    let (_dir, path) = temp_db();
    let mut catalog = open(&path, true);
    catalog
        .save_plan("mine", PLAN)
        .unwrap_or_else(|e| panic!("{e}"));
    catalog
        .save_plan("mine", PLAN)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        catalog.saved_plan_names().unwrap_or_default(),
        vec!["mine".to_owned()]
    );
    let saved = catalog
        .saved_plan("mine")
        .unwrap_or_default()
        .unwrap_or_else(|| panic!("saved"));
    assert_eq!(saved.toml, PLAN);
    assert!(catalog.save_plan("bad", "not a plan").is_err());
    assert!(catalog.delete_plan("mine").unwrap_or(false));
    assert!(catalog.saved_plan("mine").unwrap_or_default().is_none());
}

#[test]
fn a_cancelled_import_stops_at_once_and_writes_nothing() {
    let (_dir, path) = temp_db();
    let mut catalog = open(&path, true);
    let before = dump(catalog.connection());
    let mut seen = 0;
    let result = catalog.import_file(
        Path::new(FIXTURE),
        Format::Litellm,
        ImportOptions::default(),
        &mut |done, _| {
            seen = done;
            if done == 100 {
                std::ops::ControlFlow::Break(())
            } else {
                std::ops::ControlFlow::Continue(())
            }
        },
    );
    match result {
        Err(e @ CatalogError::ImportCancelled { .. }) => assert_eq!(
            e.to_string(),
            format!("{FIXTURE}: the import was cancelled; nothing was written")
        ),
        other => panic!("expected a cancelled import, got {other:?}"),
    }
    assert_eq!(seen, 100, "no record after the cancel");
    assert_eq!(dump(catalog.connection()), before, "nothing written");
    // The catalog is usable after it, and the same import then goes through.
    assert!(import_fixture(&mut catalog).added > 2000);
}

// ------------------------------------------------------- hostile inputs

#[test]
fn impossible_calendar_dates_are_refused() {
    for date in ["2026-13-45", "2026-02-30", "2025-02-29"] {
        let text = format!("id,provider,input_per_mtok,date\nacme/x,acme,1,{date}\n");
        let err = parse(&text, Format::Csv, "dates.csv", ImportOptions::default())
            .err()
            .unwrap_or_else(|| panic!("{date} was accepted"))
            .to_string();
        assert!(
            err.contains("dates.csv") && err.contains("date") && err.contains(date),
            "{err}"
        );
    }
}

#[test]
fn a_csv_row_cannot_move_an_offering_to_another_provider() {
    let (_dir, path) = temp_db();
    let mut catalog = open(&path, true);
    import_text(&mut catalog, CSV_FIXTURE, Format::Csv).unwrap_or_else(|e| panic!("{e}"));
    let before = dump(catalog.connection());
    let moved = "id,provider,input_per_mtok\nacme/fast-1,other,0.5\n";
    let err = import_text(&mut catalog, moved, Format::Csv)
        .err()
        .unwrap_or_else(|| panic!("the move was accepted"))
        .to_string();
    assert!(
        err.contains("acme/fast-1") && err.contains("provider") && err.contains("`acme`"),
        "{err}"
    );
    assert_eq!(dump(catalog.connection()), before, "nothing written");
}

#[test]
fn a_byte_order_mark_is_not_text() {
    for (text, format) in [
        (format!("\u{feff}{CSV_FIXTURE}"), Format::Csv),
        (
            "\u{feff}{\"m\": {\"litellm_provider\": \"openai\", \"mode\": \"chat\", \"input_cost_per_token\": 1e-6}}"
                .to_owned(),
            Format::Litellm,
        ),
        (format!("\u{feff}{OPENROUTER_FIXTURE}"), Format::Openrouter),
    ] {
        parse(&text, format, "bom", ImportOptions::default())
            .unwrap_or_else(|e| panic!("{format:?}: {e}"));
    }
}

#[test]
fn a_repeated_key_in_a_price_map_is_refused_at_any_depth() {
    for text in [
        r#"{"m": {"mode": "chat"}, "m": {"mode": "chat"}}"#,
        r#"{"m": {"mode": "chat", "input_cost_per_token": 1e-6, "input_cost_per_token": 2e-6}}"#,
    ] {
        let err = parse(text, Format::Litellm, "dup.json", ImportOptions::default())
            .err()
            .unwrap_or_else(|| panic!("accepted: {text}"))
            .to_string();
        assert!(
            err.contains("dup.json") && err.contains("appears twice"),
            "{err}"
        );
    }
}

#[test]
fn setting_the_override_already_set_writes_nothing() {
    let (_dir, path) = temp_db();
    let mut catalog = open(&path, true);
    let id = "anthropic/claude-sonnet-5-5";
    catalog
        .set(id, "input_per_mtok", "1.5")
        .unwrap_or_else(|e| panic!("{e}"));
    let before = dump(catalog.connection());
    catalog
        .set(id, "input_per_mtok", "1.5")
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(dump(catalog.connection()), before);
}

#[test]
fn a_chosen_database_in_a_missing_directory_is_refused() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let path = dir.path().join("no-such-dir").join("x.sqlite");
    let err = Catalog::open_chosen(Some(&path))
        .err()
        .unwrap_or_else(|| panic!("opened"))
        .to_string();
    assert!(err.contains("does not exist"), "{err}");
    assert!(
        !dir.path().join("no-such-dir").exists(),
        "created the directory"
    );
}
