//! Catalog speed (issue 3): importing the real LiteLLM map into an empty
//! database (target <= 200 ms), re-importing it unchanged (<= 100 ms), and
//! `catalog list --mode chat` with JSON serialization over the imported map
//! (<= 20 ms). Run: `cargo bench -p switchyard --bench catalog`.

use std::path::Path;
use std::time::Duration;

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};

use switchyard::catalog::{Catalog, Format, ImportOptions, ListFilter, ListOutput, OpenOptions};

const FIXTURE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../fixtures/litellm/model_prices_1.106.2.json"
);

fn empty(dir: &Path, name: &str) -> Catalog {
    let path = dir.join(name);
    let _ = std::fs::remove_file(&path);
    let _ = std::fs::remove_file(path.with_extension("sqlite3-wal"));
    let _ = std::fs::remove_file(path.with_extension("sqlite3-shm"));
    Catalog::open_with(
        &path,
        OpenOptions {
            seed: false,
            ..OpenOptions::default()
        },
    )
    .unwrap_or_else(|e| panic!("{e}"))
}

fn import(catalog: &mut Catalog) -> u64 {
    let report = catalog
        .import_file(
            Path::new(FIXTURE),
            Format::Litellm,
            ImportOptions::default(),
            &mut |_, _| std::ops::ControlFlow::Continue(()),
        )
        .unwrap_or_else(|e| panic!("{e}"));
    report.added + report.unchanged
}

fn benches(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let mut group = c.benchmark_group("catalog");
    group
        .sample_size(20)
        .measurement_time(Duration::from_secs(10));

    // Opening the empty database is setup, not measured; the import (read
    // the file, parse, write in one transaction, commit) is.
    let mut n = 0;
    group.bench_function("import_litellm_into_empty_db", |b| {
        b.iter_batched(
            || {
                n += 1;
                empty(dir.path(), &format!("empty-{}.sqlite3", n % 2))
            },
            |mut catalog| import(&mut catalog),
            BatchSize::PerIteration,
        )
    });

    let mut full = empty(dir.path(), "full.sqlite3");
    import(&mut full);
    group.bench_function("reimport_litellm_unchanged", |b| {
        b.iter(|| import(&mut full))
    });

    group.bench_function("list_chat_json", |b| {
        b.iter(|| {
            let rows = full
                .list(&ListFilter {
                    provider: None,
                    mode: Some("chat".to_owned()),
                })
                .unwrap_or_else(|e| panic!("{e}"));
            serde_json::to_string(&ListOutput {
                count: rows.len(),
                offerings: &rows,
            })
            .map(|s| s.len())
            .unwrap_or(0)
        })
    });
    group.finish();
}

criterion_group!(catalog, benches);
criterion_main!(catalog);
