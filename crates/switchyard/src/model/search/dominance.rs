//! "Does a chain already found beat these bounds?", fast over thousands of
//! chains: the query the search's pruning asks for every prefix and chain
//! (`MODEL.md` §5).
//!
//! A query is `(cost, u, key, success)`: is there a point no dearer than
//! `cost`, strictly less unavailable than `u`, with a latency key at most
//! `key` and a success at least `success`? The points are sorted by cost,
//! so "no dearer" is a prefix of them; a merge-sort tree over that order
//! splits any prefix into at most `log2 n` nodes, each holding its points
//! sorted by key with the running minimum of their unavailability, so a
//! node answers the rest with one binary search. With both p95 and success
//! as objectives a node's points with a key at most `key` are scanned for
//! one that is successful enough as well (the tree still narrows them to
//! the no dearer and faster ones).

use std::collections::BTreeMap;

/// One point as the queries see it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Entry {
    pub cost: f64,
    pub unavailability: f64,
    /// Lower is better: p95, or minus the success when p95 is no objective
    /// (0 when neither is).
    pub key: f64,
    /// Success within the budget; only read when `scan_success` is set.
    pub success: f64,
}

/// One node's entry: the point, and the least unavailability of the
/// node's points up to it in key order.
#[derive(Debug, Clone, Copy)]
struct Slot {
    entry: Entry,
    least_u: f64,
}

/// The points, queried by dominance.
#[derive(Debug, Clone, Default)]
pub(super) struct Dominance {
    /// Costs in increasing order.
    costs: Vec<f64>,
    /// Node `i` (1-based heap layout over `size` leaves) covers a range of
    /// the cost order; its slots are those points by key.
    nodes: Vec<Vec<Slot>>,
    size: usize,
    /// Both key and success matter: the prefix minimum is not enough.
    scan_success: bool,
}

impl Dominance {
    pub fn new(mut entries: Vec<Entry>, scan_success: bool) -> Self {
        entries.sort_by(|x, y| x.cost.total_cmp(&y.cost));
        let size = entries.len().next_power_of_two();
        let mut nodes: Vec<Vec<Slot>> = vec![Vec::new(); 2 * size];
        for (i, e) in entries.iter().enumerate() {
            nodes[size + i] = vec![Slot {
                entry: *e,
                least_u: e.unavailability,
            }];
        }
        for i in (1..size).rev() {
            let merged = merge_by_key(&nodes[2 * i], &nodes[2 * i + 1]);
            nodes[i] = merged;
        }
        Self {
            costs: entries.iter().map(|e| e.cost).collect(),
            nodes,
            size,
            scan_success,
        }
    }

    /// Whether a point has cost `<= q.cost`, unavailability `< q.unavailability`,
    /// key `<= q.key` and (when it counts) success `>= q.success`.
    pub fn beats(&self, q: &Entry) -> bool {
        self.least_unavailability(q) < q.unavailability
    }

    /// The least unavailability of a point with cost `<= q.cost`, key `<=
    /// q.key` and (when it counts) success `>= q.success` (`+∞`: none).
    pub fn least_unavailability(&self, q: &Entry) -> f64 {
        let end = self.costs.partition_point(|&c| c <= q.cost);
        self.least_in(0, end, q)
    }

    /// [`Self::least_unavailability`] of the points strictly cheaper than
    /// `q.cost`, and of those no dearer: the search's two questions in
    /// one walk of the tree when no point costs exactly `q.cost`.
    pub fn least_unavailability_cheaper(&self, q: &Entry) -> (f64, f64) {
        let below = self.costs.partition_point(|&c| c < q.cost);
        let end = below + self.costs[below..].partition_point(|&c| c <= q.cost);
        let cheaper = self.least_in(0, below, q);
        (cheaper, cheaper.min(self.least_in(below, end, q)))
    }

    /// The least unavailability over the points `start..end` in cost order.
    fn least_in(&self, start: usize, end: usize, q: &Entry) -> f64 {
        let mut least = f64::INFINITY;
        // The nodes that tile [start, end), bottom-up.
        let (mut lo, mut hi) = (self.size + start, self.size + end);
        while lo < hi {
            if lo & 1 == 1 {
                least = least.min(self.node_least(lo, q));
                lo += 1;
            }
            if hi & 1 == 1 {
                hi -= 1;
                least = least.min(self.node_least(hi, q));
            }
            lo /= 2;
            hi /= 2;
        }
        least
    }

    fn node_least(&self, node: usize, q: &Entry) -> f64 {
        let slots = &self.nodes[node];
        let n = slots.partition_point(|s| s.entry.key <= q.key);
        if n == 0 {
            return f64::INFINITY;
        }
        if !self.scan_success {
            return slots[n - 1].least_u;
        }
        slots[..n]
            .iter()
            .filter(|s| s.entry.success >= q.success)
            .map(|s| s.entry.unavailability)
            .fold(f64::INFINITY, f64::min)
    }

    /// The lowest key of a point no dearer than `cost` and strictly less
    /// unavailable than `unavailability` (`+∞`: none). Only without the
    /// success scan.
    pub fn fastest(&self, cost: f64, unavailability: f64) -> f64 {
        debug_assert!(!self.scan_success);
        let end = self.costs.partition_point(|&c| c <= cost);
        let mut best = f64::INFINITY;
        let mut visit = |node: usize| {
            // Running minima only fall along the key order: the first slot
            // below `unavailability` is the fastest such point.
            let slots = &self.nodes[node];
            let i = slots.partition_point(|s| s.least_u >= unavailability);
            if let Some(s) = slots.get(i) {
                best = best.min(s.entry.key);
            }
        };
        let (mut lo, mut hi) = (self.size, self.size + end);
        while lo < hi {
            if lo & 1 == 1 {
                visit(lo);
                lo += 1;
            }
            if hi & 1 == 1 {
                hi -= 1;
                visit(hi);
            }
            lo /= 2;
            hi /= 2;
        }
        best
    }
}

/// The slots of two nodes in one list by key, with the running minima of
/// unavailability recomputed.
fn merge_by_key(x: &[Slot], y: &[Slot]) -> Vec<Slot> {
    let mut merged = Vec::with_capacity(x.len() + y.len());
    let (mut i, mut j) = (0, 0);
    while i < x.len() || j < y.len() {
        let take_x =
            j == y.len() || (i < x.len() && x[i].entry.key.total_cmp(&y[j].entry.key).is_le());
        if take_x {
            merged.push(x[i]);
            i += 1;
        } else {
            merged.push(y[j]);
            j += 1;
        }
    }
    let mut least = f64::INFINITY;
    for s in &mut merged {
        least = least.min(s.entry.unavailability);
        s.least_u = least;
    }
    merged
}

/// A two-dimensional staircase: the points inserted that none other is no
/// worse than on both axes (lower is better on both). Sweeping points in
/// the order of a third axis, it tells whether an earlier point is no worse
/// on all three.
#[derive(Debug, Clone, Default)]
pub(super) struct Staircase {
    /// By the first axis; the second falls strictly along it.
    steps: BTreeMap<Ordered, f64>,
}

/// An `f64` ordered by `total_cmp`.
#[derive(Debug, Clone, Copy)]
struct Ordered(f64);

impl PartialEq for Ordered {
    fn eq(&self, other: &Self) -> bool {
        self.0.total_cmp(&other.0).is_eq()
    }
}

impl Eq for Ordered {}

impl PartialOrd for Ordered {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Ordered {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.0.total_cmp(&other.0)
    }
}

impl Staircase {
    /// The lowest second axis of a point whose first is at most `x` (`+∞`:
    /// none).
    pub fn lowest(&self, x: f64) -> f64 {
        self.steps
            .range(..=Ordered(x))
            .next_back()
            .map_or(f64::INFINITY, |(_, &y)| y)
    }

    /// The least first axis of a point whose second is at most `y` (`+∞`:
    /// none): the second falls along the first, so the first such step.
    pub fn cheapest_at_most(&self, y: f64) -> f64 {
        self.steps
            .iter()
            .find(|(_, v)| v.total_cmp(&y).is_le())
            .map_or(f64::INFINITY, |(k, _)| k.0)
    }

    /// Inserts `(x, y)` unless a point no worse on both is in; says whether
    /// it went in. The points it makes redundant leave.
    pub fn insert(&mut self, x: f64, y: f64) -> bool {
        // The lowest second axis among the points no worse on the first is
        // the one of the last of them.
        if let Some((_, &last)) = self.steps.range(..=Ordered(x)).next_back()
            && last.total_cmp(&y).is_le()
        {
            return false;
        }
        // The points from `x` on that are no better on the second axis.
        while let Some((&k, &v)) = self.steps.range(Ordered(x)..).next() {
            if v.total_cmp(&y).is_lt() {
                break;
            }
            self.steps.remove(&k);
        }
        self.steps.insert(Ordered(x), y);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};
    use rand_xoshiro::Xoshiro256PlusPlus;

    /// The staircase keeps what a scan over the points kept keeps.
    #[test]
    fn the_staircase_keeps_what_a_scan_keeps() {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(12);
        for case in 0..200 {
            let mut stairs = Staircase::default();
            let mut kept: Vec<(f64, f64)> = Vec::new();
            for _ in 0..rng.random_range(0..80) {
                let p = (
                    f64::from(rng.random_range(0..15u8)),
                    f64::from(rng.random_range(0..15u8)),
                );
                let lowest = kept
                    .iter()
                    .filter(|k| k.0 <= p.0)
                    .map(|k| k.1)
                    .fold(f64::INFINITY, f64::min);
                assert_eq!(stairs.lowest(p.0), lowest);
                let cheapest = kept
                    .iter()
                    .filter(|k| k.1 <= p.1)
                    .map(|k| k.0)
                    .fold(f64::INFINITY, f64::min);
                assert_eq!(stairs.cheapest_at_most(p.1), cheapest);
                let want = !kept.iter().any(|k| k.0 <= p.0 && k.1 <= p.1);
                assert_eq!(stairs.insert(p.0, p.1), want, "case {case}: {p:?}");
                if want {
                    kept.push(p);
                }
            }
        }
    }

    /// The tree answers as a scan over every point does.
    #[test]
    fn answers_as_a_scan_does() {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(11);
        let draw = |rng: &mut Xoshiro256PlusPlus| Entry {
            // Few distinct values, so that ties are common.
            cost: f64::from(rng.random_range(0..20u8)),
            unavailability: f64::from(rng.random_range(0..20u8)),
            key: f64::from(rng.random_range(0..20u8)),
            success: f64::from(rng.random_range(0..20u8)),
        };
        for case in 0..200 {
            let n = rng.random_range(0..60);
            let points: Vec<Entry> = (0..n).map(|_| draw(&mut rng)).collect();
            let scan_success = case % 2 == 0;
            let tree = Dominance::new(points.clone(), scan_success);
            for _ in 0..50 {
                let q = draw(&mut rng);
                let want = points.iter().any(|p| {
                    p.cost <= q.cost
                        && p.unavailability < q.unavailability
                        && p.key <= q.key
                        && (!scan_success || p.success >= q.success)
                });
                assert_eq!(tree.beats(&q), want, "case {case}: {q:?}");
                let least = points
                    .iter()
                    .filter(|p| {
                        p.cost <= q.cost
                            && p.key <= q.key
                            && (!scan_success || p.success >= q.success)
                    })
                    .map(|p| p.unavailability)
                    .fold(f64::INFINITY, f64::min);
                assert_eq!(tree.least_unavailability(&q), least);
                let cheaper = points
                    .iter()
                    .filter(|p| {
                        p.cost < q.cost
                            && p.key <= q.key
                            && (!scan_success || p.success >= q.success)
                    })
                    .map(|p| p.unavailability)
                    .fold(f64::INFINITY, f64::min);
                assert_eq!(tree.least_unavailability_cheaper(&q), (cheaper, least));
                if !scan_success {
                    let fastest = points
                        .iter()
                        .filter(|p| p.cost <= q.cost && p.unavailability < q.unavailability)
                        .map(|p| p.key)
                        .fold(f64::INFINITY, f64::min);
                    assert_eq!(tree.fastest(q.cost, q.unavailability), fastest);
                }
            }
        }
    }
}
