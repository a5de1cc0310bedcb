//! The application side: a fixed number of requests through the gateway, a
//! bounded number in flight, each bounded in time and the whole run bounded
//! too. Each request picks its route by a seeded draw over the routes' shares,
//! as the model splits traffic, and carries its own key for the fakes.

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
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime for the load");
    let shares: Vec<f64> = routes.iter().map(|(_, s)| *s).collect();
    runtime.block_on(async {
        let client = reqwest::Client::builder()
            .timeout(REQUEST_LIMIT)
            .pool_max_idle_per_host(concurrency)
            .build()
            .expect("an HTTP client");
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
                    error,
                }
            });
        }
        let mut outcomes = Vec::with_capacity(n as usize);
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
    })
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
                error: Some("not finished by the run's deadline".to_owned()),
            });
        }
    }
    outcomes.sort_by_key(|o| o.key[1..].parse::<u64>().unwrap_or(u64::MAX));
    outcomes
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
}
