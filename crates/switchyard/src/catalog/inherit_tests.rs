use super::*;
use crate::catalog::outage_history::HistoryImport;
use crate::catalog::testkit::{open, temp_db};
use crate::catalog::{Format, ImportOptions};
use crate::history::outage_log::parse_outage_log;
use crate::history::record::RecordFormat;
use crate::plan::OfferingSource;

/// A seeded catalog with the LiteLLM price map imported.
fn with_litellm() -> (tempfile::TempDir, Catalog) {
    let (dir, path) = temp_db();
    let mut catalog = open(&path, true);
    catalog
        .import_file(
            std::path::Path::new(crate::catalog::testkit::FIXTURE),
            Format::Litellm,
            ImportOptions::default(),
            &mut |_, _| std::ops::ControlFlow::Continue(()),
        )
        .expect("imports");
    (dir, catalog)
}

fn number(spec: Option<f64>) -> f64 {
    spec.expect("a figure")
}

#[test]
fn a_litellm_offering_inherits_what_it_lacks_and_says_from_where() {
    let (_dir, catalog) = with_litellm();
    let (spec, inheritance) = catalog
        .offering_spec_inheriting("openai/gpt-4o")
        .expect("reads")
        .expect("imported");
    // Groups: the provider's; availability: the group's fitted mean.
    assert_eq!(spec.groups, Some(vec!["openai-platform".to_owned()]));
    let fitted = catalog
        .group_fit("openai-platform")
        .expect("reads")
        .expect("fitted");
    assert_eq!(
        number(spec.availability),
        fitted.process.mean_availability()
    );
    // MTTR: the median of OpenAI's five curated offerings (all 35 minutes);
    // latency: the median of their TTFTs (500, 700, 1150, 1200, 3000 ms).
    assert_eq!(number(spec.mttr_minutes), 35.0);
    assert_eq!(number(spec.ttft_p50_ms), 1150.0);
    // Its prices are its own.
    assert_eq!(number(spec.input_per_mtok), 2.5);
    assert!(inheritance.of(Field::InputPerMtok).is_none());
    let from = &inheritance.of(Field::TtftP50Ms).expect("inherited").from;
    assert_eq!(
        from,
        "the median of provider `openai`'s 5 offerings with a figure of their own"
    );
    assert_eq!(
        inheritance.of(Field::Availability).expect("inherited").from,
        "group `openai-platform` (the mean of its fitted outage history)"
    );
}

#[test]
fn latency_comes_from_the_same_model_at_another_provider_first() {
    let (_dir, path) = temp_db();
    let catalog = open(&path, true);
    // An offering of gpt-5.5 at Groq with prices only.
    catalog
        .conn
        .execute_batch(
            "INSERT INTO offerings (id, provider, model, mode, added_by) VALUES ('groq/gpt-5.5', 'groq', 'gpt-5.5', 'chat', 1);",
        )
        .expect("inserts");
    let (spec, inheritance) = catalog
        .offering_spec_inheriting("groq/gpt-5.5")
        .expect("reads")
        .expect("there");
    let twin = catalog.offering("azure-eastus/gpt-5.5").expect("seeded");
    assert_eq!(spec.ttft_p50_ms, twin.ttft_p50_ms);
    assert_eq!(spec.tokens_per_s, twin.tokens_per_s);
    assert_eq!(
        inheritance.of(Field::TokensPerS).expect("inherited").from,
        "the same model at `azure-eastus/gpt-5.5`"
    );
    // Reliability is still the provider's, not the twin's.
    assert_eq!(spec.groups, Some(vec!["groq-platform".to_owned()]));
}

#[test]
fn a_provider_with_nothing_to_inherit_leaves_the_gaps() {
    // DeepInfra came with the price map: no curated offering, no group.
    let (_dir, catalog) = with_litellm();
    let id: String = catalog
        .conn
        .query_row(
            "SELECT id FROM offerings WHERE provider = 'deepinfra' ORDER BY id LIMIT 1",
            [],
            |r| r.get(0),
        )
        .expect("a DeepInfra offering");
    let (spec, inheritance) = catalog
        .offering_spec_inheriting(&id)
        .expect("reads")
        .expect("there");
    assert_eq!(spec.availability, None);
    assert_eq!(spec.ttft_p50_ms, None);
    assert_eq!(spec.groups, None);
    assert!(inheritance.figures.is_empty(), "{inheritance:?}");
}

#[test]
fn an_own_availability_keeps_its_private_uptime_under_a_fitted_group() {
    let (_dir, path) = temp_db();
    let mut catalog = open(&path, true);
    let before = catalog.offering("azure-eastus/gpt-5.5").expect("seeded");
    let own = number(before.availability);
    let mut log = String::from("start,end,group,weight\n");
    for month in 1..=12 {
        log.push_str(&format!(
            "2025-{month:02}-10T08:00:00Z,2025-{month:02}-10T10:00:00Z,azure,1\n"
        ));
    }
    let history =
        parse_outage_log(&log, "log.csv", "azure", "2025-01-01", "2025-12-31").expect("reads");
    catalog
        .import_history(
            "log.csv",
            RecordFormat::Csv,
            &[HistoryImport {
                group: "azure-eastus".to_owned(),
                history,
            }],
        )
        .expect("imports");
    let mean = catalog
        .group_fit("azure-eastus")
        .expect("reads")
        .expect("fitted")
        .process
        .mean_availability();
    let after = catalog.offering("azure-eastus/gpt-5.5").expect("seeded");
    // Private uptime own / 0.9995 (the group's stated), now under the mean.
    let by_hand = own / 0.9995 * mean;
    assert!((number(after.availability) - by_hand).abs() < 1e-15);
    let detail = catalog.show("azure-eastus/gpt-5.5").expect("shows");
    let figure = detail
        .figures
        .iter()
        .find(|f| f.field == "availability")
        .expect("availability");
    assert!(
        figure
            .inherited_from
            .as_deref()
            .is_some_and(|from| from.contains("its private uptime kept")),
        "{figure:?}"
    );
}
