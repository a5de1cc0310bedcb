//! Deterministic parallel Monte Carlo.
//!
//! Work is cut into chunks of a fixed size, whatever the number of threads, and
//! chunk `k` draws from its own stream: the seed's xoshiro256++ generator jumped
//! `k` times (2^128 steps each), so streams never overlap. Results come back in
//! chunk order and are merged in that order. The same seed therefore gives the
//! same figures, bit for bit, on one core or on many.

use rand::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;
use rayon::prelude::*;

use super::progress::{Cancelled, Progress};

/// The generator every simulation uses.
pub type SimRng = Xoshiro256PlusPlus;

/// Runs `work(rng, count)` over `total` items cut into chunks of `chunk_size`, in
/// parallel, and returns the chunk results in order.
pub fn run_chunked<T, F>(total: u64, chunk_size: u64, seed: u64, work: F) -> Vec<T>
where
    T: Send,
    F: Fn(SimRng, u64) -> T + Sync,
{
    run_chunked_with_progress(total, chunk_size, seed, &Progress::new(), 1, work)
        .unwrap_or_default()
}

/// [`run_chunked`], advancing `progress` by `units_per_item` per item done and
/// stopping early when it is cancelled.
pub fn run_chunked_with_progress<T, F>(
    total: u64,
    chunk_size: u64,
    seed: u64,
    progress: &Progress,
    units_per_item: u64,
    work: F,
) -> Result<Vec<T>, Cancelled>
where
    T: Send,
    F: Fn(SimRng, u64) -> T + Sync,
{
    let chunk_size = chunk_size.max(1);
    let chunks = total.div_ceil(chunk_size);
    let mut base = SimRng::seed_from_u64(seed);
    let mut jobs = Vec::with_capacity(chunks as usize);
    for k in 0..chunks {
        let count = chunk_size.min(total - k * chunk_size);
        jobs.push((base.clone(), count));
        base.jump();
    }
    jobs.into_par_iter()
        .map(|(rng, count)| {
            if progress.is_cancelled() {
                return Err(Cancelled);
            }
            let result = work(rng, count);
            progress.advance(count * units_per_item);
            Ok(result)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::Rng;

    fn sums(threads: usize) -> Vec<f64> {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("thread pool");
        pool.install(|| {
            run_chunked(10_007, 1000, 42, |mut rng, n| {
                (0..n).map(|_| rng.random::<f64>()).sum::<f64>()
            })
        })
    }

    #[test]
    fn same_seed_same_chunks_whatever_the_thread_count() {
        let one = sums(1);
        assert_eq!(one.len(), 11);
        assert_eq!(one, sums(2));
        assert_eq!(one, sums(4));
    }

    #[test]
    fn progress_counts_items_and_cancel_stops_the_work() {
        let progress = Progress::new();
        let out = run_chunked_with_progress(10_000, 1000, 1, &progress, 3, |_, n| n);
        assert_eq!(out.map(|v| v.iter().sum::<u64>()), Ok(10_000));
        assert_eq!(progress.position().0, 30_000);
        progress.cancel();
        let out = run_chunked_with_progress(10_000, 1000, 1, &progress, 1, |_, n| n);
        assert_eq!(out, Err(Cancelled));
    }

    #[test]
    fn chunks_draw_distinct_streams() {
        let s = sums(1);
        assert_ne!(s[0], s[1]);
    }
}
