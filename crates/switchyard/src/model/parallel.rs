//! Deterministic parallel Monte Carlo.
//!
//! Work is cut into chunks of a fixed size, whatever the number of threads, and
//! chunk `k` draws from its own stream: the seed's xoshiro256++ generator jumped
//! `k` times (2^128 steps each), so streams never overlap. Results come back in
//! chunk order and are merged in that order. The same seed therefore gives the
//! same figures, bit for bit, on one core or on many. Chunks run a few batches
//! at a time and are folded as they complete ([`fold_chunked_with_progress`]),
//! so a run of any length holds only one batch of chunk results at once.

use rand::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;
use rayon::prelude::*;

use super::progress::{Cancelled, Progress};

/// The generator every simulation uses.
pub type SimRng = Xoshiro256PlusPlus;

/// Chunks in flight at once, per thread: enough to keep every thread busy
/// between two folds, few enough that the chunk results waiting to be folded
/// stay small.
const CHUNKS_PER_THREAD_IN_FLIGHT: usize = 4;

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
    fold_chunked_with_progress(
        total,
        chunk_size,
        seed,
        progress,
        units_per_item,
        Vec::new(),
        work,
        |mut all, chunk| {
            all.push(chunk);
            all
        },
    )
}

/// Runs `work(rng, count)` over `total` items cut into chunks of `chunk_size`, in
/// parallel, and folds the chunk results into `init` with `fold`, in chunk order.
///
/// Chunks run in batches of a few per thread, and each batch is folded as soon
/// as it is done, so the memory held is that of one batch of chunk results
/// however many chunks there are. Whatever the thread count, `fold` sees the
/// same results in the same order, so the outcome is the same bit for bit.
#[allow(clippy::too_many_arguments)]
pub fn fold_chunked_with_progress<T, A, F, M>(
    total: u64,
    chunk_size: u64,
    seed: u64,
    progress: &Progress,
    units_per_item: u64,
    init: A,
    work: F,
    mut fold: M,
) -> Result<A, Cancelled>
where
    T: Send,
    F: Fn(SimRng, u64) -> T + Sync,
    M: FnMut(A, T) -> A,
{
    let chunk_size = chunk_size.max(1);
    let chunks = total.div_ceil(chunk_size);
    let batch = (rayon::current_num_threads() * CHUNKS_PER_THREAD_IN_FLIGHT).max(1) as u64;
    let mut base = SimRng::seed_from_u64(seed);
    let mut acc = init;
    let mut k = 0;
    while k < chunks {
        let end = chunks.min(k + batch);
        let mut jobs = Vec::with_capacity((end - k) as usize);
        for k in k..end {
            let count = chunk_size.min(total - k * chunk_size);
            jobs.push((base.clone(), count));
            base.jump();
        }
        let results = jobs
            .into_par_iter()
            .map(|(rng, count)| {
                if progress.is_cancelled() {
                    return Err(Cancelled);
                }
                let result = work(rng, count);
                progress.advance(count * units_per_item);
                Ok(result)
            })
            .collect::<Result<Vec<T>, Cancelled>>()?;
        for result in results {
            acc = fold(acc, result);
        }
        k = end;
    }
    Ok(acc)
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
    fn folding_sees_the_chunks_in_order_whatever_the_thread_count() {
        let fold = |threads| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .expect("thread pool")
                .install(|| {
                    fold_chunked_with_progress(
                        100_003,
                        100,
                        42,
                        &Progress::new(),
                        1,
                        (0u64, Vec::new()),
                        |mut rng, n| (n, rng.random::<f64>()),
                        |(items, mut firsts), (n, first)| {
                            firsts.push(first);
                            (items + n, firsts)
                        },
                    )
                })
                .expect("not cancelled")
        };
        let (items, firsts) = fold(1);
        assert_eq!(items, 100_003);
        assert_eq!(firsts.len(), 1001, "more chunks than one batch");
        assert_eq!(fold(2), (items, firsts.clone()));
        assert_eq!(fold(5), (items, firsts));
    }

    #[test]
    fn chunks_draw_distinct_streams() {
        let s = sums(1);
        assert_ne!(s[0], s[1]);
    }
}
