//! The application side: a fixed number of requests through the gateway, a
//! bounded number in flight, each bounded in time and the whole run bounded
//! too. Each request picks its route by a seeded draw over the routes' shares,
//! as the model splits traffic, and carries its own key for the fakes.
//!
//! For rate limits the arrival process matters, not just the count: the model
//! (`MODEL.md` §12) takes a minute's requests as Poisson. [`drive_arrivals`]
//! sends each request at its own arrival time whatever the others are doing
//! (open loop): seeded exponential gaps at the plan's peak rate for a peak
//! scenario ([`poisson_arrivals`]), steady ones for an outage-window scenario
//! (`crate::windows::Schedule::arrivals`).

use std::sync::Arc;
use std::time::{Duration, Instant};

use rand::{Rng, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use crate::gateway::Gateway;

/// The longest one request may take through a gateway (retries, backoffs,
/// timeouts and fallbacks included).
const REQUEST_LIMIT: Duration = Duration::from_secs(120);

/// What happened to one request.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// Its key in the prompt (`r<index>`).
    pub key: String,
    pub route: usize,
    /// The gateway's status; `None` when the request itself failed (connection
    /// error, timeout, or the run's deadline).
    pub status: Option<u16>,
    /// The value of the gateway's served-by header, on success.
    pub served_header: Option<String>,
    pub latency: Duration,
    /// When it was sent; `None` for a request that never finished. The
    /// fakes' attempts are on the same clock, so the gateway's own time
    /// before its first upstream attempt is theirs minus this.
    pub sent: Option<Instant>,
    /// A transport error, or the start of an error body.
    pub error: Option<String>,
}

impl Outcome {
    pub fn succeeded(&self) -> bool {
        self.status == Some(200)
    }
}

/// The route of request `index`: a draw over `shares`, seeded by (seed, index)
/// so the split is reproducible whatever the scheduling.
pub fn route_of(seed: u64, index: u64, shares: &[f64]) -> usize {
    let mut rng =
        Xoshiro256PlusPlus::seed_from_u64(seed ^ index.wrapping_mul(0xD6E8_FEB8_6659_FD93));
    let u: f64 = rng.random();
    let mut cumulative = 0.0;
    for (i, share) in shares.iter().enumerate() {
        cumulative += share;
        if u < cumulative {
            return i;
        }
    }
    shares.len().saturating_sub(1)
}

/// Sends `n` requests, `concurrency` at a time, all done by `deadline`
/// (requests not finished by then count as failed, with an error saying so).
pub fn drive(
    gateway: &Gateway,
    routes: &[(String, f64)],
    n: u64,
    concurrency: usize,
    seed: u64,
    max_tokens: u32,
    deadline: Duration,
) -> Vec<Outcome> {
    let runtime = load_runtime();
    let shares: Vec<f64> = routes.iter().map(|(_, s)| *s).collect();
    runtime.block_on(async {
        let client = load_client(concurrency);
        let slots = Arc::new(Semaphore::new(concurrency));
        let mut tasks = JoinSet::new();
        let header = gateway.served_header();
        for index in 0..n {
            let route = route_of(seed, index, &shares);
            let key = format!("r{index}");
            let request = gateway.request(&client, &routes[route].0, &key, max_tokens);
            let slots = Arc::clone(&slots);
            tasks.spawn(async move {
                let _slot = slots
                    .acquire_owned()
                    .await
                    .expect("the semaphore stays open");
                send(request, header, key, route).await
            });
        }
        gather(tasks, deadline, n as usize).await
    })
}

/// Requests in flight at once under [`drive_arrivals`]: a safety bound far above
/// what a peak of a few requests a second needs; past it a request waits, and
/// is counted late.
const MAX_IN_FLIGHT: usize = 256;
/// At most this many arrivals in one run, whatever the rate and time say.
pub const MAX_ARRIVALS: usize = 20_000;
/// A request that starts this much after its arrival time counts as late.
const LATE: Duration = Duration::from_millis(100);

/// The arrival times of a Poisson process of `per_minute` requests a minute
/// over `duration`, from `seed`: exponential gaps, at most [`MAX_ARRIVALS`].
pub fn poisson_arrivals(per_minute: f64, duration: Duration, seed: u64) -> Vec<Duration> {
    assert!(
        per_minute.is_finite() && per_minute > 0.0,
        "an arrival rate must be finite and positive, got {per_minute}"
    );
    let per_second = per_minute / 60.0;
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed ^ 0x5EED_A771_0A15_0000);
    let end = duration.as_secs_f64();
    let mut t = 0.0;
    let mut arrivals = Vec::new();
    while arrivals.len() < MAX_ARRIVALS {
        // 1 - U is in (0, 1]: its logarithm is finite.
        let u: f64 = rng.random();
        t += -(1.0 - u).ln() / per_second;
        if t >= end {
            break;
        }
        arrivals.push(Duration::from_secs_f64(t));
    }
    arrivals
}

/// What [`drive_arrivals`] did besides the outcomes.
#[derive(Debug, Clone, Copy, Default)]
pub struct ArrivalStats {
    pub arrivals: u64,
    /// Requests that started more than 100 ms after their arrival time (the
    /// in-flight bound or a starved runtime): they did not arrive as the
    /// process says.
    pub late: u64,
}

/// Sends one request at each of `arrivals` (offsets from `origin`, which
/// may be a little ahead so that other clocks can start on it), all done by
/// `deadline` after it (unfinished ones count as failed).
pub fn drive_arrivals(
    gateway: &Gateway,
    routes: &[(String, f64)],
    arrivals: &[Duration],
    origin: Instant,
    seed: u64,
    max_tokens: u32,
    deadline: Duration,
) -> (Vec<Outcome>, ArrivalStats) {
    let runtime = load_runtime();
    let shares: Vec<f64> = routes.iter().map(|(_, s)| *s).collect();
    let late = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let outcomes = runtime.block_on(async {
        let client = load_client(64);
        let slots = Arc::new(Semaphore::new(MAX_IN_FLIGHT));
        let mut tasks = JoinSet::new();
        let header = gateway.served_header();
        let start = tokio::time::Instant::from_std(origin);
        for (index, &at) in arrivals.iter().enumerate() {
            let index = index as u64;
            let route = route_of(seed, index, &shares);
            let key = format!("r{index}");
            let request = gateway.request(&client, &routes[route].0, &key, max_tokens);
            let slots = Arc::clone(&slots);
            let late = Arc::clone(&late);
            tasks.spawn(async move {
                tokio::time::sleep_until(start + at).await;
                let _slot = slots
                    .acquire_owned()
                    .await
                    .expect("the semaphore stays open");
                if start.elapsed() > at + LATE {
                    late.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                }
                send(request, header, key, route).await
            });
        }
        let ahead = origin.saturating_duration_since(Instant::now());
        gather(tasks, deadline + ahead, arrivals.len()).await
    });
    let stats = ArrivalStats {
        arrivals: arrivals.len() as u64,
        late: late.load(std::sync::atomic::Ordering::Relaxed),
    };
    (outcomes, stats)
}

/// Sends one request and records what came back.
async fn send(
    request: reqwest::RequestBuilder,
    header: &'static str,
    key: String,
    route: usize,
) -> Outcome {
    let start = Instant::now();
    let (status, served_header, error) = match request.send().await {
        Ok(resp) => {
            let status = resp.status().as_u16();
            let served = resp
                .headers()
                .get(header)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned);
            let body = resp.text().await.unwrap_or_default();
            let error = (status != 200).then(|| body.chars().take(300).collect());
            (Some(status), served, error)
        }
        Err(e) => (None, None, Some(e.to_string())),
    };
    Outcome {
        key,
        route,
        status,
        served_header,
        latency: start.elapsed(),
        sent: Some(start),
        error,
    }
}

/// Fills in the requests that never finished (the deadline passed) as failures,
/// so that every index has an outcome.
pub fn complete(mut outcomes: Vec<Outcome>, n: u64, seed: u64, shares: &[f64]) -> Vec<Outcome> {
    let mut seen = vec![false; n as usize];
    for o in &outcomes {
        if let Some(i) = o
            .key
            .strip_prefix('r')
            .and_then(|i| i.parse::<usize>().ok())
            && i < seen.len()
        {
            seen[i] = true;
        }
    }
    for (i, done) in seen.iter().enumerate() {
        if !done {
            outcomes.push(Outcome {
                key: format!("r{i}"),
                route: route_of(seed, i as u64, shares),
                status: None,
                served_header: None,
                latency: Duration::ZERO,
                sent: None,
                error: Some("not finished by the run's deadline".to_owned()),
            });
        }
    }
    outcomes.sort_by_key(|o| o.key[1..].parse::<u64>().unwrap_or(u64::MAX));
    outcomes
}

/// Every finished request's outcome, until all are done or `deadline`
/// passes; the rest are then aborted and count as not done.
async fn gather(mut tasks: JoinSet<Outcome>, deadline: Duration, expected: usize) -> Vec<Outcome> {
    let mut outcomes = Vec::with_capacity(expected);
    let run = async {
        while let Some(done) = tasks.join_next().await {
            if let Ok(outcome) = done {
                outcomes.push(outcome);
            }
        }
    };
    if tokio::time::timeout(deadline, run).await.is_err() {
        tasks.abort_all();
    }
    outcomes
}

/// The runtime a load runs on: two workers, as the machine has two cores.
fn load_runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime for the load")
}

/// The application's HTTP client: each request bounded by
/// [`REQUEST_LIMIT`], up to `idle` kept-alive connections.
fn load_client(idle: usize) -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(REQUEST_LIMIT)
        .pool_max_idle_per_host(idle)
        .build()
        .expect("an HTTP client")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_are_drawn_by_share_and_reproducibly() {
        let shares = [0.7, 0.3];
        let first: Vec<usize> = (0..2000).map(|i| route_of(9, i, &shares)).collect();
        let again: Vec<usize> = (0..2000).map(|i| route_of(9, i, &shares)).collect();
        assert_eq!(first, again);
        let zeros = first.iter().filter(|&&r| r == 0).count();
        // Binomial(2000, 0.7): mean 1400, sd 20.5; far outside would be a bug.
        assert!((1320..=1480).contains(&zeros), "{zeros}");
        assert!(route_of(9, 5, &[1.0]) == 0);
    }

    #[test]
    fn poisson_arrivals_are_reproducible_bounded_and_at_the_rate() {
        let ten_minutes = Duration::from_secs(600);
        let a = poisson_arrivals(480.0, ten_minutes, 7);
        assert_eq!(a, poisson_arrivals(480.0, ten_minutes, 7));
        assert_ne!(a, poisson_arrivals(480.0, ten_minutes, 8));
        assert!(a.windows(2).all(|w| w[0] <= w[1]), "in time order");
        assert!(a.iter().all(|t| *t < ten_minutes));
        // Poisson(4800): sd 69; outside +-5 sd would be a bug.
        assert!((4450..=5150).contains(&a.len()), "{}", a.len());
        // Counts per minute vary as a Poisson's do: variance close to the mean.
        let mut per_minute = [0_f64; 10];
        for t in &a {
            per_minute[(t.as_secs() / 60) as usize] += 1.0;
        }
        let mean = per_minute.iter().sum::<f64>() / 10.0;
        let var = per_minute.iter().map(|c| (c - mean).powi(2)).sum::<f64>() / 9.0;
        assert!(var > 0.0 && var < 4.0 * mean, "mean {mean}, variance {var}");
        // The bound holds whatever the rate.
        assert_eq!(
            poisson_arrivals(1e9, Duration::from_secs(60), 1).len(),
            MAX_ARRIVALS
        );
    }
}
