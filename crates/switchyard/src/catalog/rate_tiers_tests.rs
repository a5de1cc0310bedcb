use rusqlite::Connection;

use super::*;
use crate::catalog::migrate;
use crate::catalog::seed::default_catalog;
use crate::catalog::testkit::{open, temp_db};
use crate::plan::{OfferingSource, OfferingSpec};
use crate::probe::{ProbeKind, ProbeResult, Secret};

fn count(conn: &Connection, sql: &str) -> i64 {
    conn.query_row(sql, [], |r| r.get(0))
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

fn spec(catalog: &Catalog, id: &str) -> OfferingSpec {
    catalog
        .offering_spec(id)
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|| panic!("no offering {id}"))
}

fn limits(catalog: &Catalog, id: &str) -> (Option<f64>, Option<f64>, Option<f64>) {
    let s = spec(catalog, id);
    (s.rpm_limit, s.input_tpm_limit, s.output_tpm_limit)
}

fn probe_with(offering: &str, at_ms: i64, headers: &[(&str, &str)]) -> ProbeResult {
    let no_key = Secret::new("");
    ProbeResult {
        offering: offering.into(),
        kind: ProbeKind::Stream,
        started_at_ms: at_ms,
        ok: true,
        status: Some(200),
        error: None,
        error_detail: None,
        ttft_ms: Some(300.0),
        total_ms: 900.0,
        input_tokens: Some(20),
        output_tokens: Some(16),
        tokens_per_s: Some(80.0),
        rate_limits: RateLimits::from_headers(headers.iter().copied(), &no_key),
        cost_usd: 0.0,
        request_id: None,
    }
}

#[test]
fn the_embedded_table_matches_the_default_catalogs_offerings() {
    let table = embedded().unwrap_or_else(|e| panic!("{e}"));
    let catalog = default_catalog().unwrap_or_else(|e| panic!("{e}"));
    for def in &table.tiers {
        assert!(
            catalog.providers.iter().any(|p| p.id == def.provider),
            "tiers of unknown provider {}",
            def.provider
        );
    }
    assert!(!table.limits.is_empty());
    for l in &table.limits {
        let row = TierLimit {
            model: l.model.clone(),
            rpm: l.rpm,
            input_tpm: l.input_tpm,
            output_tpm: l.output_tpm,
            tpm: l.tpm,
            source_url: l.source.clone(),
            read_on: l.read.clone(),
            note: l.note.clone(),
        };
        assert!(
            catalog
                .offerings
                .iter()
                .any(|o| o.provider == l.provider && row.matches(&o.model).is_some()),
            "{} {} {} matches no offering of the default catalog",
            l.provider,
            l.tier,
            l.model
        );
    }
}

#[test]
fn bad_tables_are_refused_naming_entry_and_field() {
    let head = "[[tiers]]\nprovider = \"p\"\nnames = [\"t1\"]\nsource = \"https://x\"\nread = \"2026-12-03\"\n";
    let row = |extra: &str| {
        format!(
            "{head}[[limits]]\nprovider = \"p\"\ntier = \"t1\"\nmodel = \"m\"\nsource = \"https://x\"\nread = \"2026-12-03\"\n{extra}"
        )
    };
    for (extra, field) in [
        ("rpm = 10\ntier2 = 1\n", "tier2"),
        ("", "no figure"),
        ("tpm = 10\ninput_tpm = 5\n", "tpm"),
        ("rpm = -1\n", "rpm"),
        ("rpm = 1e12\n", "rpm"),
        ("input_tpm = 0\n", "input_tpm"),
    ] {
        let err = parse(&row(extra), "t.toml")
            .err()
            .unwrap_or_else(|| panic!("{extra:?} was accepted"))
            .to_string();
        assert!(
            err.contains("t.toml") && err.contains(field),
            "{extra:?}: {err}"
        );
    }
    let err = parse(
        &row("rpm = 1\n").replace("tier = \"t1\"", "tier = \"t9\""),
        "t.toml",
    )
    .err()
    .map(|e| e.to_string())
    .unwrap_or_default();
    assert!(err.contains("t9") && err.contains("not one of t1"), "{err}");
    let err = parse(
        &row("rpm = 1\n").replace("read = \"2026-12-03\"\nrpm", "read = \"2026-02-30\"\nrpm"),
        "t.toml",
    )
    .err()
    .map(|e| e.to_string())
    .unwrap_or_default();
    assert!(err.contains("2026-02-30"), "{err}");
    assert!(parse(&row("rpm = 1\n"), "t.toml").is_ok());
}

#[test]
fn a_new_catalog_has_the_tiers_and_none_chosen() {
    let (_dir, path) = temp_db();
    let catalog = open(&path, true);
    let conn = catalog.connection();
    assert_eq!(
        catalog.schema_version().ok(),
        Some(migrate::latest_version())
    );
    let table = embedded().unwrap_or_else(|e| panic!("{e}"));
    let tiers: usize = table.tiers.iter().map(|t| t.names.len()).sum();
    assert_eq!(count(conn, "SELECT count(*) FROM rate_tiers"), tiers as i64);
    assert_eq!(
        count(conn, "SELECT count(*) FROM rate_tier_limits"),
        table.limits.len() as i64
    );
    assert_eq!(count(conn, "SELECT count(*) FROM chosen_tiers"), 0);
    assert_eq!(limits(&catalog, "groq/gpt-oss-120b"), (None, None, None));
}

#[test]
fn an_existing_catalog_is_migrated_to_tiers_keeping_its_data() {
    let (_dir, path) = temp_db();
    {
        let mut conn = Connection::open(&path).unwrap_or_else(|e| panic!("{e}"));
        migrate::migrate_to(
            &mut conn,
            "old.db",
            migrate::RATE_TIERS_VERSION - 1,
            |tx, _| crate::catalog::seed::seed(tx, "old.db"),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        conn.execute(
            "INSERT INTO overrides (offering, field, value, set_at) VALUES ('groq/gpt-oss-120b', 'rpm_limit', 12, '2026-12-01T00:00:00Z')",
            [],
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let has = count(
            &conn,
            "SELECT count(*) FROM sqlite_schema WHERE name = 'rate_tiers'",
        );
        assert_eq!(has, 0);
    }
    let mut catalog = open(&path, true);
    assert_eq!(
        catalog.schema_version().ok(),
        Some(migrate::latest_version())
    );
    assert!(count(catalog.connection(), "SELECT count(*) FROM rate_tiers") > 0);
    catalog
        .choose_tier("groq", Some("free"))
        .unwrap_or_else(|e| panic!("{e}"));
    // The override the old catalog had still wins; the tier fills the rest.
    assert_eq!(
        limits(&catalog, "groq/gpt-oss-120b"),
        (Some(12.0), Some(8000.0), Some(8000.0))
    );
    // Opening again migrates nothing and re-seeds nothing: the choice stays.
    drop(catalog);
    let catalog = open(&path, true);
    assert_eq!(
        count(catalog.connection(), "SELECT count(*) FROM chosen_tiers"),
        1
    );
}

#[test]
fn choosing_a_tier_changes_the_resolved_limits() {
    let (_dir, path) = temp_db();
    let mut catalog = open(&path, true);
    let change = catalog
        .choose_tier("Groq", Some("Free"))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        change,
        TierChange {
            provider: "groq".into(),
            old: None,
            new: Some("free".into())
        }
    );
    assert_eq!(
        limits(&catalog, "groq/gpt-oss-120b"),
        (Some(30.0), Some(8000.0), Some(8000.0))
    );
    // A model the tier has no row for gets nothing; neither do other providers.
    assert_eq!(limits(&catalog, "groq/qwen3.8-27b"), (None, None, None));
    assert_eq!(
        limits(&catalog, "together/gpt-oss-120b"),
        (None, None, None)
    );
    // A prefix row covers every model it starts.
    catalog
        .choose_tier("mistral", Some("free"))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        limits(&catalog, "mistral/codestral-2508"),
        (Some(60.0), Some(500000.0), Some(500000.0))
    );
    catalog
        .choose_tier("anthropic", Some("scale"))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        limits(&catalog, "anthropic/claude-fable-5-1"),
        (Some(4000.0), Some(4_000_000.0), Some(800_000.0))
    );
    catalog
        .choose_tier("anthropic", Some("start"))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        limits(&catalog, "anthropic/claude-fable-5-1"),
        (Some(1000.0), Some(500_000.0), Some(100_000.0))
    );
    // A tier with no published figures, or no tier, leaves the limits unset.
    catalog
        .choose_tier("groq", Some("developer"))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(limits(&catalog, "groq/gpt-oss-120b"), (None, None, None));
    let change = catalog
        .choose_tier("groq", None)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(change.old.as_deref(), Some("developer"));
    assert_eq!(change.new, None);
    // The listing says what is chosen.
    let listed = catalog.rate_tiers().unwrap_or_else(|e| panic!("{e}"));
    let anthropic = listed
        .iter()
        .find(|p| p.provider == "anthropic")
        .unwrap_or_else(|| panic!("listed"));
    assert_eq!(anthropic.chosen.as_deref(), Some("start"));
    assert_eq!(anthropic.name.as_deref(), Some("Anthropic"));
    assert_eq!(
        anthropic
            .tiers
            .iter()
            .map(|t| (t.name.as_str(), t.chosen))
            .collect::<Vec<_>>(),
        vec![
            ("evaluation", false),
            ("start", true),
            ("build", false),
            ("scale", false)
        ]
    );
    assert!(
        listed
            .iter()
            .find(|p| p.provider == "groq")
            .is_some_and(|p| p.chosen.is_none())
    );
}

#[test]
fn an_override_beats_an_observed_limit_which_beats_the_tier() {
    let (_dir, path) = temp_db();
    let mut catalog = open(&path, true);
    let id = "anthropic/claude-fable-5-1";
    catalog
        .choose_tier("anthropic", Some("start"))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        limits(&catalog, id),
        (Some(1000.0), Some(500_000.0), Some(100_000.0))
    );
    // An older probe with limits, a newer one without: the older one counts.
    crate::catalog::probes::insert(
        &catalog,
        &[
            probe_with(
                id,
                1_000,
                &[
                    ("anthropic-ratelimit-requests-limit", "50"),
                    ("anthropic-ratelimit-input-tokens-limit", "30000"),
                    ("anthropic-ratelimit-output-tokens-limit", "junk"),
                ],
            ),
            probe_with(id, 2_000, &[("retry-after", "1")]),
        ],
    )
    .unwrap_or_else(|e| panic!("{e}"));
    // Observed where the header was good; the tier where it was junk.
    assert_eq!(
        limits(&catalog, id),
        (Some(50.0), Some(30000.0), Some(100_000.0))
    );
    // A newer probe's limits replace the older's.
    crate::catalog::probes::insert(
        &catalog,
        &[probe_with(
            id,
            3_000,
            &[("anthropic-ratelimit-requests-limit", "80")],
        )],
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        limits(&catalog, id),
        (Some(80.0), Some(500_000.0), Some(100_000.0))
    );
    catalog
        .set(id, "rpm_limit", "7")
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(limits(&catalog, id).0, Some(7.0));
    // Each figure says where it came from.
    let (_, inheritance) = catalog
        .offering_spec_inheriting(id)
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|| panic!("found"));
    assert!(
        inheritance.of(Field::RpmLimit).is_none(),
        "own figure, not inherited"
    );
    let input = inheritance
        .of(Field::InputTpmLimit)
        .map(|f| f.from.clone())
        .unwrap_or_default();
    assert!(
        input.contains("`anthropic` tier `start`")
            && input.contains("platform.claude.com")
            && input.contains("read 2026-12-03"),
        "{input}"
    );
    catalog
        .reset(id, Some("rpm_limit"))
        .unwrap_or_else(|e| panic!("{e}"));
    let (_, inheritance) = catalog
        .offering_spec_inheriting(id)
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|| panic!("found"));
    let rpm = inheritance
        .of(Field::RpmLimit)
        .map(|f| f.from.clone())
        .unwrap_or_default();
    assert!(
        rpm.contains("observed")
            && rpm.contains("anthropic-ratelimit-requests-limit")
            && rpm.contains("1970-01-01T00:00:03"),
        "{rpm}"
    );
    // A plan resolving the offering reports the same origin.
    let plan = crate::plan::parse(
        &format!(
            "[workload]\nrequests_per_month = 1000\ninput_tokens = 1000\noutput_tokens = 200\n\n\
             [[routes]]\nname = \"main\"\nsteps = [{{ offering = \"{id}\", timeout_ms = 10000 }}]\n"
        ),
        crate::plan::Format::Toml,
        "plan.toml",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let snapshot = catalog
        .snapshot_for(&plan)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(snapshot.offering(id).and_then(|s| s.rpm_limit), Some(80.0));
    let origin = snapshot.offering_origin(id, "output_tpm_limit");
    assert!(origin.contains("tier `start`"), "{origin}");
}

#[test]
fn unknown_providers_and_tiers_are_refused_naming_the_known_ones() {
    let (_dir, path) = temp_db();
    let mut catalog = open(&path, true);
    let err = catalog
        .choose_tier("deepseek", Some("1"))
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(
        err.contains("`deepseek`") && err.contains("anthropic, google, groq, mistral, openai"),
        "{err}"
    );
    let err = catalog
        .choose_tier("openai", Some("tier-9"))
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(
        err.contains("`tier-9`")
            && err.contains("`openai`")
            && err.contains("tier-1, tier-2, tier-3, tier-4, tier-5"),
        "{err}"
    );
    // Nothing was written by either.
    assert_eq!(
        count(catalog.connection(), "SELECT count(*) FROM chosen_tiers"),
        0
    );
    // Spelling variants of a known tier are accepted.
    for spelling in ["Tier 1", "tier_1", " TIER-1 "] {
        let change = catalog
            .choose_tier("OpenAI", Some(spelling))
            .unwrap_or_else(|e| panic!("{spelling}: {e}"));
        assert_eq!(change.new.as_deref(), Some("tier-1"));
    }
}

#[test]
fn writing_a_tier_table_is_one_transaction() {
    let (_dir, path) = temp_db();
    let mut catalog = open(&path, true);
    catalog
        .choose_tier("groq", Some("free"))
        .unwrap_or_else(|e| panic!("{e}"));
    let before = crate::catalog::testkit::dump(catalog.connection());
    let mut table = embedded().unwrap_or_else(|e| panic!("{e}"));
    // A second row with the same key fails half-way through the writes.
    let again = table.limits[0].clone();
    table.limits.push(again);
    let db = catalog.file().to_owned();
    let conn = &mut catalog.conn;
    let tx = conn.transaction().unwrap_or_else(|e| panic!("{e}"));
    let err = write_table(&tx, &db, &table)
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(err.contains("writing the rate-limit tier"), "{err}");
    drop(tx); // rolled back
    assert_eq!(crate::catalog::testkit::dump(catalog.connection()), before);
    // The table written whole keeps the choice it still has.
    let table = embedded().unwrap_or_else(|e| panic!("{e}"));
    let tx = catalog.conn.transaction().unwrap_or_else(|e| panic!("{e}"));
    write_table(&tx, &db, &table).unwrap_or_else(|e| panic!("{e}"));
    tx.commit().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(crate::catalog::testkit::dump(catalog.connection()), before);
}
