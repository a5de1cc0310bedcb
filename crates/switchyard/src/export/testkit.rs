//! Small plans for the export tests, written as plan files so that the tests go
//! through the same resolution as the command line.

use crate::plan::{self, Format, NoCatalog, PlanFile, Resolved};

/// A primary on an Anthropic-style endpoint with one retry, then an
/// OpenAI-compatible fallback; no errors, generous timeouts, no budget.
pub const PAIR: &str = r#"
[workload]
requests_per_month = 1_000_000
input_tokens = 1000
output_tokens = 100

[[offerings]]
id = "primary"
availability = 0.999
ttft_p50_ms = 500
ttft_p95_ms = 800
tokens_per_s = 100
input_per_mtok = 3.0
output_per_mtok = 15.0
dialect = "anthropic"
api_base = "http://127.0.0.1:9001"
model = "claude-test"
key_env = "PRIMARY_KEY"

[[offerings]]
id = "fallback"
availability = 0.995
ttft_p50_ms = 500
ttft_p95_ms = 800
tokens_per_s = 100
input_per_mtok = 0.5
output_per_mtok = 1.5
dialect = "openai"
api_base = "http://127.0.0.1:9002/v1"
model = "gpt-test"
key_env = "FALLBACK_KEY"

[[routes]]
name = "default"
steps = [
  { offering = "primary", attempts = 2, timeout_ms = 10000, backoff_ms = 200 },
  { offering = "fallback", timeout_ms = 10000 },
]
"#;

pub fn parse(text: &str) -> PlanFile {
    plan::parse(text, Format::Toml, "test.toml").expect("test plan parses")
}

pub fn pair_plan() -> PlanFile {
    parse(PAIR)
}

pub fn resolved_from(plan: &PlanFile) -> Resolved {
    plan::resolve(plan, &NoCatalog).expect("test plan resolves")
}

pub fn pair() -> Resolved {
    resolved_from(&pair_plan())
}

/// [`PAIR`] split over two routes: `chat` (primary then fallback, 70%) and
/// `batch` (fallback alone with two retries, 30%).
pub fn two_routes() -> Resolved {
    let mut plan = pair_plan();
    plan.routes[0].name = "chat".to_owned();
    plan.routes[0].share = Some(0.7);
    let mut batch = plan.routes[0].clone();
    batch.name = "batch".to_owned();
    batch.share = Some(0.3);
    batch.steps = vec![plan::StepSpec {
        offering: "fallback".to_owned(),
        attempts: Some(3),
        timeout_ms: 20000.0,
        backoff_ms: Some(1000.0),
    }];
    plan.routes.push(batch);
    resolved_from(&plan)
}
