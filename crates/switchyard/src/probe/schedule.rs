//! Sweeps: many probes over many offerings, with bounded concurrency (global and
//! per provider), spend and token caps, `Retry-After`, pacing for monitors, and
//! cancellation that takes effect at once.
//!
//! Each probe reserves its worst-case cost and tokens before it starts; a probe
//! whose reservation would pass a cap is not started and the sweep stops. So a
//! cap is never exceeded by more than the estimate's error, and probes already in
//! flight (whose reservations fitted) finish and are kept.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::Serialize;
use tokio::sync::{Semaphore, mpsc};
use tokio::task::JoinSet;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use super::client::{ProbeOptions, probe};
use super::dialect::{PROBE_PROMPT, ProbeTarget};
use super::keys::Secret;
use super::outcome::{ErrorClass, ProbeKind, ProbeResult};

#[derive(Debug, Clone, PartialEq)]
pub struct SweepOptions {
    /// Probes per offering.
    pub count: u32,
    /// Pause between rounds: a monitor. `None` probes as fast as the limits allow.
    pub interval: Option<Duration>,
    /// Each round starts up to this fraction of the interval early or late, so
    /// monitors of many offerings do not fire in lockstep.
    pub jitter: f64,
    pub concurrency: usize,
    pub per_provider: usize,
    pub max_spend_usd: Option<f64>,
    pub max_tokens: Option<u64>,
    /// Longest `Retry-After` honoured; longer ones are clipped to it.
    pub max_retry_after: Duration,
    pub kind: ProbeKind,
    pub probe: ProbeOptions,
}

impl Default for SweepOptions {
    fn default() -> Self {
        Self {
            count: 1,
            interval: None,
            jitter: 0.1,
            concurrency: 8,
            per_provider: 2,
            max_spend_usd: Some(0.10),
            max_tokens: None,
            max_retry_after: Duration::from_secs(120),
            kind: ProbeKind::Stream,
            probe: ProbeOptions::default(),
        }
    }
}

/// Why a sweep ended.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StopReason {
    Completed,
    SpendCap,
    TokenCap,
    Cancelled,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SweepSummary {
    pub probes: u64,
    pub spent_usd: f64,
    pub tokens: u64,
    pub stopped: StopReason,
}

/// One offering to probe: where, with which key, under which provider's limits.
#[derive(Debug, Clone)]
pub struct SweepTarget {
    pub target: ProbeTarget,
    pub key: Secret,
    /// Probes of one provider share its concurrency limit and its `Retry-After`.
    pub provider: String,
}

#[derive(Debug, Default)]
struct Ledger {
    spent_usd: f64,
    reserved_usd: f64,
    tokens: u64,
    reserved_tokens: u64,
    probes: u64,
    stop: Option<StopReason>,
}

struct Shared {
    client: reqwest::Client,
    options: SweepOptions,
    global: Semaphore,
    providers: HashMap<String, Semaphore>,
    not_before: Mutex<HashMap<String, Instant>>,
    ledger: Mutex<Ledger>,
    /// Cancelled by the caller: everything stops at once.
    cancel: CancellationToken,
    /// Cancelled by a cap (or the caller): no new probe starts.
    stop: CancellationToken,
    results: mpsc::UnboundedSender<ProbeResult>,
}

/// Worst-case cost and tokens of one probe, reserved before it starts.
fn estimate(target: &ProbeTarget, options: &SweepOptions) -> (f64, u64) {
    match options.kind {
        ProbeKind::Reachability => (0.0, 0),
        ProbeKind::Stream => {
            // Chat templates add tokens around the prompt; count generously.
            let input = PROBE_PROMPT.len() as u64 / 2 + 32;
            let output = u64::from(options.probe.max_tokens);
            let cost = input as f64 * target.input_per_mtok / 1e6
                + output as f64 * target.output_per_mtok / 1e6;
            (cost, input + output)
        }
    }
}

/// Runs the sweep, sending each finished probe to `results` as it completes.
pub async fn sweep(
    client: reqwest::Client,
    targets: Vec<SweepTarget>,
    options: SweepOptions,
    cancel: CancellationToken,
    results: mpsc::UnboundedSender<ProbeResult>,
) -> SweepSummary {
    let providers = targets
        .iter()
        .map(|t| {
            (
                t.provider.clone(),
                Semaphore::new(options.per_provider.max(1)),
            )
        })
        .collect();
    let shared = Arc::new(Shared {
        client,
        global: Semaphore::new(options.concurrency.max(1)),
        providers,
        not_before: Mutex::new(HashMap::new()),
        ledger: Mutex::new(Ledger::default()),
        stop: cancel.child_token(),
        cancel,
        results,
        options,
    });
    let start = Instant::now();
    let mut tasks = JoinSet::new();
    let targets: Vec<Arc<SweepTarget>> = targets.into_iter().map(Arc::new).collect();
    for round in 0..shared.options.count {
        let at = start + round_offset(&shared.options, round);
        for target in &targets {
            tasks.spawn(run_one(shared.clone(), target.clone(), at));
        }
    }
    while tasks.join_next().await.is_some() {}
    let ledger = shared
        .ledger
        .lock()
        .map(|l| (l.probes, l.spent_usd, l.tokens, l.stop));
    let (probes, spent_usd, tokens, stop) = ledger.unwrap_or((0, 0.0, 0, None));
    SweepSummary {
        probes,
        spent_usd,
        tokens,
        stopped: if shared.cancel.is_cancelled() {
            StopReason::Cancelled
        } else {
            stop.unwrap_or(StopReason::Completed)
        },
    }
}

fn round_offset(options: &SweepOptions, round: u32) -> Duration {
    let Some(interval) = options.interval else {
        return Duration::ZERO;
    };
    let base = interval.as_secs_f64() * f64::from(round);
    let jitter = if round == 0 {
        0.0
    } else {
        (rand::random::<f64>() * 2.0 - 1.0)
            * options.jitter.clamp(0.0, 1.0)
            * interval.as_secs_f64()
    };
    Duration::from_secs_f64((base + jitter).max(0.0))
}

/// `future`, unless the sweep stops first.
async fn unless_stopped<T>(stop: &CancellationToken, future: impl Future<Output = T>) -> Option<T> {
    tokio::select! {
        _ = stop.cancelled() => None,
        value = future => Some(value),
    }
}

async fn run_one(shared: Arc<Shared>, target: Arc<SweepTarget>, at: Instant) {
    let shared = &*shared;
    let stop = &shared.stop;
    if unless_stopped(stop, tokio::time::sleep_until(at))
        .await
        .is_none()
    {
        return;
    }
    let Some(Ok(_global)) = unless_stopped(stop, shared.global.acquire()).await else {
        return;
    };
    let Some(provider) = shared.providers.get(&target.provider) else {
        return;
    };
    let Some(Ok(_provider)) = unless_stopped(stop, provider.acquire()).await else {
        return;
    };
    let not_before = shared
        .not_before
        .lock()
        .ok()
        .and_then(|m| m.get(&target.provider).copied());
    if let Some(when) = not_before
        && unless_stopped(stop, tokio::time::sleep_until(when))
            .await
            .is_none()
    {
        return;
    }
    let (cost, tokens) = estimate(&target.target, &shared.options);
    if !reserve(shared, cost, tokens) {
        return;
    }
    // Once started, only the caller's cancel stops a probe: its cost is reserved.
    let result = tokio::select! {
        _ = shared.cancel.cancelled() => None,
        r = probe(&shared.client, &target.target, &target.key, &shared.options.probe, shared.options.kind) => Some(r),
    };
    settle(shared, cost, tokens, result.as_ref());
    let Some(result) = result else {
        return;
    };
    if result.error == Some(ErrorClass::RateLimited)
        && let Some(after) = result.rate_limits.retry_after_s
        && let Ok(mut map) = shared.not_before.lock()
    {
        let wait = Duration::from_secs_f64(after).min(shared.options.max_retry_after);
        map.insert(target.provider.clone(), Instant::now() + wait);
    }
    let _ = shared.results.send(result);
}

/// Reserves a probe's worst case; false (and the sweep stops) if a cap forbids it.
fn reserve(shared: &Shared, cost: f64, tokens: u64) -> bool {
    let Ok(mut ledger) = shared.ledger.lock() else {
        return false;
    };
    let over_spend = shared
        .options
        .max_spend_usd
        .is_some_and(|cap| ledger.spent_usd + ledger.reserved_usd + cost > cap);
    let over_tokens = shared
        .options
        .max_tokens
        .is_some_and(|cap| ledger.tokens + ledger.reserved_tokens + tokens > cap);
    if over_spend || over_tokens {
        ledger.stop.get_or_insert(if over_spend {
            StopReason::SpendCap
        } else {
            StopReason::TokenCap
        });
        shared.stop.cancel();
        return false;
    }
    ledger.reserved_usd += cost;
    ledger.reserved_tokens += tokens;
    true
}

/// Replaces a reservation by what the probe really cost.
fn settle(shared: &Shared, cost: f64, tokens: u64, result: Option<&ProbeResult>) {
    if let Ok(mut ledger) = shared.ledger.lock() {
        ledger.reserved_usd -= cost;
        ledger.reserved_tokens -= tokens;
        if let Some(r) = result {
            ledger.probes += 1;
            ledger.spent_usd += r.cost_usd;
            ledger.tokens +=
                u64::from(r.input_tokens.unwrap_or(0)) + u64::from(r.output_tokens.unwrap_or(0));
        }
    }
}
