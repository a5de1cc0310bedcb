//! One fake provider per offering of a plan, behaving as MODEL.md says that
//! offering behaves, and the plan rewritten to point at them.
//!
//! The model draws the state of the world once per request (each offering and
//! group up or down), and then each attempt independently (error or not,
//! latency). The fakes do the same: every client request carries a key in its
//! prompt, outages are drawn per key (with one seed per failure domain, so the
//! offerings of a group go down together), and errors and latencies per
//! (key, attempt). The numbers come from the resolved plan, so the fakes cannot
//! drift from what `switchyard evaluate` is told.

use std::path::Path;

use rand::Rng;
use switchyard::model::{OutageMode as PlanOutage, Portfolio};
use switchyard::plan::{Dialect as PlanDialect, PlanFile, Resolved};
use switchyard_e2e::fake_provider::{
    Behavior, BucketStart, Dialect, DownWindows, FakeProvider, OutageMode, RpmLimit, Ttft,
};

use crate::scenario::Scenario;

/// A running fake for one offering.
#[derive(Debug)]
pub struct Fake {
    pub offering: String,
    /// The base URL the rewritten plan gives the offering (with `/v1` for the
    /// OpenAI dialect, as the catalog writes it).
    pub api_base: String,
    /// The environment variable the gateway reads the key from, and the key.
    pub key_env: String,
    pub key: String,
    /// The wire format the plan says the offering speaks: every request the
    /// gateway sends it must be in that dialect.
    pub dialect: Dialect,
    pub server: FakeProvider,
}

/// The fakes of one run.
#[derive(Debug)]
pub struct Fakes {
    pub fakes: Vec<Fake>,
}

impl Fakes {
    /// The fake that `url` (a gateway's record of the upstream it used) points
    /// at: the one whose host and port it carries.
    pub fn by_url(&self, url: &str) -> Option<&Fake> {
        let authority = |u: &str| {
            let rest = u.split_once("://").map_or(u, |(_, r)| r);
            rest.split('/').next().unwrap_or(rest).to_owned()
        };
        let wanted = authority(url);
        self.fakes.iter().find(|f| authority(&f.api_base) == wanted)
    }

    /// `(env var, value)` of every key, for the gateway's environment.
    pub fn key_env(&self) -> Vec<(String, String)> {
        self.fakes
            .iter()
            .map(|f| (f.key_env.clone(), f.key.clone()))
            .collect()
    }
}

/// A seed for one named failure domain or draw stream of a run.
fn seed_for(run_seed: u64, what: &str) -> u64 {
    what.bytes().fold(run_seed ^ 0xCBF2_9CE4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01B3)
    })
}

/// A key for the fake to demand: random per run, and nothing like a real
/// provider key.
fn test_key(offering_index: usize) -> String {
    let mut rng = rand::rng();
    format!(
        "interop-test-{offering_index}-{:016x}{:016x}",
        rng.random::<u64>(),
        rng.random::<u64>()
    )
}

/// What the fake for offering `index` of `portfolio` does. With `windows`
/// its outages are scheduled windows instead of draws per request.
pub fn behavior(
    portfolio: &Portfolio,
    index: usize,
    scenario: &Scenario,
    run_seed: u64,
    key: &str,
    windows: Option<DownWindows>,
) -> Behavior {
    let o = &portfolio.offerings[index];
    let group_availability: f64 = o
        .groups
        .iter()
        .map(|&g| portfolio.groups[g].availability)
        .product();
    let private = (o.availability / group_availability).min(1.0);
    let ttft = if o.ttft.sigma == 0.0 {
        Ttft::Fixed(o.ttft.median_ms)
    } else {
        Ttft::LogNormal {
            p50_ms: o.ttft.median_ms,
            p95_ms: o.ttft.p95_ms(),
        }
    };
    let tokens = portfolio.workload.output_tokens.round().max(0.0) as u32;
    let mut b = Behavior::default()
        .with_seed(seed_for(run_seed, &format!("attempts:{}", o.id)))
        .with_key(key)
        .with_non_streaming(true)
        .with_ttft(ttft)
        .with_tokens(tokens, 1000.0 / o.tokens_per_s)
        .with_error_latency_ms(o.error_latency_ms)
        .with_outage_mode(match o.outage {
            PlanOutage::Error => OutageMode::Error(503),
            PlanOutage::Hang => OutageMode::Hang,
        });
    if o.error_rate > 0.0 {
        b = b.with_fault(o.error_rate, scenario.error_fault(&o.id));
    }
    // The plan's RPM limit, enforced by a token bucket. It starts empty: the
    // scenarios with limits drive the peak, and a bucket that has been under
    // overload for a while is empty, while one that starts full lets a burst
    // of a whole minute's limit through first, which the model's steady
    // minute has no room for. Token limits are not enforced (the model counts
    // mean tokens; the fake's requests are all alike anyway).
    if let Some(rpm) = o.quota.rpm {
        b = b.with_rpm_limit(RpmLimit {
            rpm,
            start: BucketStart::Empty,
        });
    }
    if let (true, Some(w)) = (private < 1.0, windows) {
        b = b.with_down_windows(w);
    } else if private < 1.0 {
        b = b.with_outage(
            seed_for(run_seed, &format!("offering:{}", o.id)),
            1.0 - private,
        );
    }
    for &g in &o.groups {
        let group = &portfolio.groups[g];
        if group.availability < 1.0 {
            b = b.with_outage(
                seed_for(run_seed, &format!("group:{}", group.id)),
                1.0 - group.availability,
            );
        }
    }
    b
}

/// Starts one fake per offering and returns them with the plan rewritten to
/// use them (written to `plan_out`).
pub fn start(
    file: &PlanFile,
    resolved: &Resolved,
    scenario: &Scenario,
    run_seed: u64,
    windows: Option<DownWindows>,
    plan_out: &Path,
) -> Result<Fakes, String> {
    let portfolio = &resolved.portfolio;
    start_with(file, resolved, &scenario.name, plan_out, |index, key| {
        behavior(portfolio, index, scenario, run_seed, key, windows)
    })
}

/// Starts one fake per offering, each doing what `behavior(index, key)`
/// says, and writes the plan rewritten to use them to `plan_out`.
pub fn start_with(
    file: &PlanFile,
    resolved: &Resolved,
    scenario: &str,
    plan_out: &Path,
    behavior: impl Fn(usize, &str) -> Behavior,
) -> Result<Fakes, String> {
    let mut fakes = Vec::new();
    for (index, spec) in resolved.offering_specs.iter().enumerate() {
        let key_env = spec.key_env.clone().ok_or_else(|| {
            format!(
                "scenario {scenario}: offering {} has no key_env; the gateways need one",
                spec.id
            )
        })?;
        let key = test_key(index);
        let server = FakeProvider::start_blocking(behavior(index, &key));
        let (api_base, dialect) = match spec.dialect {
            Some(PlanDialect::Openai) | None => {
                (format!("{}/v1", server.base_url()), Dialect::OpenAi)
            }
            Some(PlanDialect::Anthropic) => (server.base_url(), Dialect::Anthropic),
            Some(PlanDialect::Gemini) => (server.base_url(), Dialect::Gemini),
        };
        fakes.push(Fake {
            offering: spec.id.clone(),
            api_base,
            key_env,
            key,
            dialect,
            server,
        });
    }
    let mut rewritten = file.clone();
    for spec in &mut rewritten.offerings {
        let fake = fakes
            .iter()
            .find(|f| f.offering == spec.id)
            .ok_or_else(|| format!("scenario {scenario}: no fake for {}", spec.id))?;
        spec.api_base = Some(fake.api_base.clone());
    }
    switchyard::plan::save(&rewritten, plan_out).map_err(|e| e.to_string())?;
    Ok(Fakes { fakes })
}
