//! Helpers for probe tests against the fake provider: a target per dialect, a
//! sweep that collects its results, and sweep options for tests.

use std::time::Duration;

use switchyard::plan::Dialect;
use switchyard::probe::{
    ProbeOptions, ProbeResult, ProbeTarget, Secret, SweepOptions, SweepSummary, SweepTarget, sweep,
};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::fake_provider::FakeProvider;

/// The key test targets send (it looks like no real provider's key).
pub const KEY: &str = "test-key-0123456789abcdef";

fn base(server: &FakeProvider, dialect: Dialect) -> String {
    match dialect {
        Dialect::Openai => format!("{}/v1", server.base_url()),
        Dialect::Anthropic | Dialect::Gemini => server.base_url(),
    }
}

pub fn target(server: &FakeProvider, dialect: Dialect) -> SweepTarget {
    SweepTarget {
        target: ProbeTarget {
            offering: format!("fake/{dialect:?}"),
            dialect,
            api_base: base(server, dialect),
            model: "fake-model".into(),
            key_env: "FAKE_KEY".into(),
            input_per_mtok: 0.0,
            // 16 output tokens cost exactly $0.001.
            output_per_mtok: 62.5,
        },
        key: Secret::new(KEY),
        provider: "fake".into(),
    }
}

pub async fn run(
    targets: Vec<SweepTarget>,
    options: SweepOptions,
    cancel: CancellationToken,
) -> (Vec<ProbeResult>, SweepSummary) {
    let client = switchyard::probe::http_client().expect("client");
    let (sender, mut receiver) = mpsc::unbounded_channel();
    let summary = sweep(client, targets, options, cancel, sender).await;
    let mut results = Vec::new();
    while let Ok(r) = receiver.try_recv() {
        results.push(r);
    }
    (results, summary)
}

pub fn options(count: u32, concurrency: usize) -> SweepOptions {
    SweepOptions {
        count,
        concurrency,
        per_provider: concurrency,
        max_spend_usd: None,
        probe: ProbeOptions {
            deadline: Duration::from_secs(5),
            ..ProbeOptions::default()
        },
        ..SweepOptions::default()
    }
}
