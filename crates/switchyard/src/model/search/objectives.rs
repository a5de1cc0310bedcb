//! The search with more objectives than cost and availability (`MODEL.md`
//! §5): p95 of successful requests' latency and success within the budget,
//! both exact ([`crate::model::latency`]), as further axes of the frontier.
//!
//! The two-objective prunings do not carry over: an option beaten on cost
//! and availability may be the fast one, and a fallback that adds successes
//! adds slow ones, so it can raise p95. So every option is kept, and a chain
//! or a whole subtree of extensions is skipped only when a chain already
//! scored beats a bound that holds for all of them: no cheaper, no more
//! available than the prefix's unavailability times the least failure of the
//! steps that may follow, no faster than the floor under the p95 of every
//! extension ([`BudgetFigures::extension_quantile_floor`]) and no more
//! successful than the ceiling over its success. A skipped chain is beaten by
//! a chain scored, so the frontier is the one brute force gives (the tests
//! compare them on random spaces).
//!
//! Where the time goes, and why the order: the frontier holds hundreds of
//! thousands of chains for a few hundred candidates (p95 trades against
//! availability at every fallback, so most chains of the fastest first step
//! are on it), and each needs its exact p95, a root finding over the latency
//! mixture. So the fast first steps go first (their chains rule out the slow
//! ones' subtrees), a chain's walk resumes its prefix's ([`ChainWalker`]),
//! and a walked chain that a chain scored before it beats on p95 is found
//! so with one evaluation of its CDF rather than the percentile
//! ([`Levels::slower_than_known`]).
//!
//! At a resolution ([`super::Resolution`], the default) p95 and availability
//! are compared by their cells ([`Grid`]): the frontier keeps one chain per
//! cell and cost level ([`Scoring::pareto`] says which), which makes it
//! small, and every pruning asks whether a chain scored is *ahead* of what
//! it skips in that order (no dearer and in cells no worse, strictly better
//! in one or strictly cheaper), so what is skipped is never on it. With
//! both resolutions 0 the cells are the figures and every comparison is
//! the exact one it always was.

use rayon::prelude::*;
use serde::Serialize;

use super::dominance::{Dominance, Entry, Staircase};
use super::resolution::Grid;
use super::walker::{ChainWalker, Walked};
use super::{Candidate, Constraints, SearchSpace, StepOption, chain_portfolio};
use crate::model::capacity;
use crate::model::latency::{self, BudgetFigures};
use crate::model::progress::{Cancelled, Progress};

/// What the frontier trades off.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Objective {
    /// Monthly cost, lower is better.
    Cost,
    /// Availability without a deadline, higher is better.
    Availability,
    /// p95 of successful requests' latency, lower is better.
    P95,
    /// Success within the latency budget, higher is better.
    SuccessWithinBudget,
}

impl Objective {
    pub const ALL: [Objective; 4] = [
        Objective::Cost,
        Objective::Availability,
        Objective::P95,
        Objective::SuccessWithinBudget,
    ];

    /// The frontier's axes when neither the plan nor the command line names
    /// any: cost against availability.
    pub const DEFAULT: [Objective; 2] = [Objective::Cost, Objective::Availability];

    /// The name a plan and the command line use.
    pub fn name(self) -> &'static str {
        match self {
            Objective::Cost => "cost",
            Objective::Availability => "availability",
            Objective::P95 => "p95",
            Objective::SuccessWithinBudget => "success_within_budget",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|o| o.name() == name)
    }

    /// Every name, for messages: "cost, availability, p95, success_within_budget".
    pub fn names() -> String {
        Self::ALL.map(Objective::name).join(", ")
    }
}

/// Which of the extra axes a search weighs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Extra {
    pub p95: bool,
    pub success: bool,
}

impl Extra {
    pub fn of(objectives: &[Objective]) -> Self {
        Self {
            p95: objectives.contains(&Objective::P95),
            success: objectives.contains(&Objective::SuccessWithinBudget),
        }
    }

    pub fn any(self) -> bool {
        self.p95 || self.success
    }
}

/// A chain with every figure the objectives weigh.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Point {
    options: [usize; super::MAX_CHAIN_LENGTH],
    len: usize,
    cost: f64,
    unavailability: f64,
    /// `+∞` when nothing succeeds, or the chain is out of the walk's reach.
    p95: f64,
    success: f64,
    /// Under rate limits, the peak availability and the chain's day figures.
    peak: Option<f64>,
    /// Bounds on every extension of this chain.
    p95_floor: f64,
    success_ceiling: f64,
    /// Walked only as the prefix of longer chains: a chain found already
    /// beats this one.
    pruned: bool,
}

impl Point {
    fn key(&self) -> (usize, [usize; super::MAX_CHAIN_LENGTH]) {
        (self.len, self.options)
    }

    /// `self` is no worse than `other` on every objective, exactly (the
    /// brute force of the tests; the search compares cells).
    #[cfg(test)]
    fn no_worse(&self, other: &Point, extra: Extra) -> bool {
        self.cost <= other.cost
            && self.unavailability <= other.unavailability
            && (!extra.p95 || self.p95 <= other.p95)
            && (!extra.success || self.success >= other.success)
    }
}

/// Margins that keep the bounds below (above) the computed figures they
/// bound when those are rounded differently: a relative 1e-12 is far above
/// the rounding of a sum of a few products, far below any difference that
/// decides a dominance.
const BOUND_MARGIN: f64 = 1e-12;

/// What it takes to score and filter chains.
struct Scoring<'a> {
    space: &'a SearchSpace,
    options: &'a [StepOption],
    extra: Extra,
    limited: bool,
    scorer: super::ChainScorer,
    /// The space's resolution: every comparison of p95 and availability
    /// that decides the frontier, or prunes, is between cells of it.
    grid: Grid,
}

impl Scoring<'_> {
    /// `chain`'s figures the general way: its own portfolio, the capacity
    /// model under rate limits, the walk over its strata. The reference the
    /// fast path ([`ChainWalker`]) equals.
    fn score(&self, chain: &[usize]) -> Point {
        let portfolio = &self.space.portfolio;
        let steps: Vec<_> = chain.iter().map(|&i| self.options[i].step).collect();
        let chain_pf = chain_portfolio(portfolio, &steps);
        let (figures, strata) = if self.limited {
            let analysis = capacity::analyse(&chain_pf);
            let strata = capacity::strata(&chain_pf, &capacity::hourly(&chain_pf));
            (
                (
                    analysis.day.cost_per_request,
                    analysis.day.unavailability,
                    Some(analysis.availability_at_peak),
                ),
                strata,
            )
        } else {
            (self.closed_form(chain), vec![(1.0, chain_pf)])
        };
        let weighted: Vec<(f64, &crate::model::Portfolio)> =
            strata.iter().map(|(w, p)| (*w, p)).collect();
        let walked = latency::strata_figures(&weighted);
        let prefix = chain.len() < self.space.max_chain_length;
        self.point(chain, figures, walked, prefix)
    }

    /// Cost, unavailability and peak availability of `chain` without rate
    /// limits: the closed forms.
    fn closed_form(&self, chain: &[usize]) -> (f64, f64, Option<f64>) {
        let mut refs: [&StepOption; super::MAX_CHAIN_LENGTH] =
            [&self.options[chain[0]]; super::MAX_CHAIN_LENGTH];
        for (r, &i) in refs.iter_mut().zip(chain) {
            *r = &self.options[i];
        }
        let f = self.scorer.score(&refs[..chain.len()]);
        (f.cost_per_request, f.unavailability, None)
    }

    /// The point of `chain` with the closed-form `figures` and the walk's;
    /// with the bounds on its extensions when it is a `prefix`.
    fn point(
        &self,
        chain: &[usize],
        (cost, unavailability, peak): (f64, f64, Option<f64>),
        walked: Option<BudgetFigures>,
        prefix: bool,
    ) -> Point {
        let mut options = [usize::MAX; super::MAX_CHAIN_LENGTH];
        options[..chain.len()].copy_from_slice(chain);
        // Only a prefix needs the bounds (two more root findings).
        let (p95, success, p95_floor, success_ceiling) = match &walked {
            Some(f) => {
                // Without p95 as an objective only a prefix needs it.
                let own = (self.extra.p95 || prefix)
                    .then(|| f.latency.percentile(0.95))
                    .flatten();
                (
                    own.unwrap_or(f64::INFINITY),
                    f.success,
                    if prefix && self.extra.p95 {
                        f.extension_quantile_floor_given(0.95, own)
                    } else {
                        0.0
                    },
                    if prefix {
                        f.extension_success_ceiling()
                    } else {
                        1.0
                    },
                )
            }
            // Out of the walk's reach (not for chains of three steps of a
            // few tries): nothing is known, so nothing is pruned by it.
            None => (f64::INFINITY, 0.0, 0.0, 1.0),
        };
        Point {
            options,
            len: chain.len(),
            cost,
            unavailability,
            p95,
            success,
            peak,
            p95_floor,
            success_ceiling,
            pruned: false,
        }
    }

    fn feasible(&self, p: &Point) -> bool {
        let c: Constraints = self.space.constraints;
        let w = &self.space.portfolio.workload;
        c.min_availability
            .is_none_or(|min| 1.0 - p.unavailability >= min && p.peak.unwrap_or(1.0) >= min)
            && c.max_monthly_usd
                .is_none_or(|max| p.cost * w.requests_per_month + w.fixed_monthly_usd <= max)
    }

    /// Extensions only cost more: a prefix over the monthly maximum stays
    /// over it.
    fn over_budget(&self, cost: f64) -> bool {
        let w = &self.space.portfolio.workload;
        self.space
            .constraints
            .max_monthly_usd
            .is_some_and(|max| cost * w.requests_per_month + w.fixed_monthly_usd > max)
    }

    /// The latency axis, exact, lower is better: p95, or minus the success
    /// when p95 is no objective. Only orders the first steps.
    fn key(&self, p95: f64, success: f64) -> f64 {
        if self.extra.p95 {
            p95
        } else if self.extra.success {
            -success
        } else {
            0.0
        }
    }

    /// The latency axis as [`Dominance`] sorts it and the frontier
    /// compares it: p95's cell ([`Grid::p95`]), or minus the success (exact)
    /// when p95 is no objective.
    fn cell_key(&self, p95: f64, success: f64) -> f64 {
        if self.extra.p95 {
            self.grid.p95(p95)
        } else {
            self.key(p95, success)
        }
    }

    /// The unavailability's cell ([`Grid::unavailability`]).
    fn cell_u(&self, unavailability: f64) -> f64 {
        self.grid.unavailability(unavailability)
    }

    /// The order in which a prefix's (or a first step's) chains are walked,
    /// by `(availability cell, cost, unavailability)` (the cell computed
    /// once per chain, not per comparison): by cell, so that a chain
    /// walked before another is in a cell no worse, which is what the
    /// checks against the chains walked before need (`Staircase` `own`);
    /// within a cell cheapest first, so that the cheapest rules out the
    /// dearer ones no faster unwalked; then by unavailability. Exact, this
    /// is most available first, as it always was.
    fn walk_order(&self, x: (f64, f64, f64), y: (f64, f64, f64)) -> std::cmp::Ordering {
        let by_cost = if self.grid.is_exact() {
            std::cmp::Ordering::Equal
        } else {
            x.1.total_cmp(&y.1)
        };
        x.0.total_cmp(&y.0).then(by_cost).then(x.2.total_cmp(&y.2))
    }

    /// `points`, feasible ones only, by their cells, for pruning queries.
    fn dominance(&self, points: &[Point]) -> Dominance {
        let entries = points
            .iter()
            .filter(|p| self.feasible(p))
            .map(|p| Entry {
                cost: p.cost,
                unavailability: self.cell_u(p.unavailability),
                key: self.cell_key(p.p95, p.success),
                success: p.success,
            })
            .collect();
        Dominance::new(entries, self.extra.p95 && self.extra.success)
    }

    /// Whether a chain of `known` is ahead of every chain at or past the
    /// cells `bound` ([`Self::chain_bound`], [`Self::subtree_bound`]) holds:
    /// one no dearer, in a strictly better availability cell and a p95
    /// cell no worse (and as successful), or, with a resolution, one
    /// strictly cheaper in cells no worse. Either way it comes first in
    /// the frontier's order ([`Self::pareto`]), so the chains bounded are
    /// not on it. Exact, the first is strict dominance, as it always was.
    fn rules_out(&self, known: &Dominance, bound: &Entry) -> bool {
        if self.grid.is_exact() {
            return known.beats(bound);
        }
        let (cheaper, no_dearer) = known.least_unavailability_cheaper(bound);
        no_dearer < bound.unavailability || cheaper <= bound.unavailability
    }

    /// What a chain must beat to beat `chain`, whose cost and
    /// unavailability are exact and whose p95 and success are bounded by
    /// its prefix's floor and ceiling (the fields `chain` copies from it):
    /// a chain no dearer, strictly less unavailable, at most as slow as the
    /// floor and at least as successful as the ceiling is strictly better
    /// on one objective and no worse on the others.
    ///
    /// The bound is in cells: the grid is monotone, so a chain at or past
    /// the figures is at or past their cells.
    fn chain_bound(&self, chain: &Point) -> Entry {
        let ceiling = chain.success_ceiling * (1.0 + BOUND_MARGIN);
        Entry {
            cost: chain.cost,
            unavailability: self.cell_u(chain.unavailability),
            key: self.cell_key(chain.p95_floor, ceiling),
            success: ceiling,
        }
    }

    /// What a chain must beat to beat every extension of `prefix` by 1 to
    /// `more` steps: each costs at least as much, is at best `best_fail`
    /// times less unavailable per step added (in every group state a step
    /// fails with at least that probability), and is bounded by the
    /// prefix's floor and ceiling (which hold for any successes added after
    /// the prefix, by any number of steps).
    fn subtree_bound(&self, prefix: &Point, more: usize, best_fail: f64) -> Entry {
        let ceiling = prefix.success_ceiling * (1.0 + BOUND_MARGIN);
        Entry {
            cost: prefix.cost,
            unavailability: self
                .cell_u(prefix.unavailability * best_fail.powi(more as i32) * (1.0 - BOUND_MARGIN)),
            key: self.cell_key(prefix.p95_floor, ceiling),
            success: ceiling,
        }
    }

    /// The feasible points no other feasible point is ahead of, cheapest
    /// first: `x` is ahead of `y` when it is no worse on every objective
    /// with p95 and availability by their cells (cost and success exact),
    /// and either strictly better in one of those or, all equal, first by
    /// the exact figures (less unavailable, then faster, then more
    /// successful, then canonically first).
    ///
    /// So one point is kept per set of equal cells and cost, and a point
    /// one cell behind another no dearer one is dropped: every point
    /// dropped has a point kept within a cell of it on both axes and no
    /// dearer. A point that dominates another exactly is ahead of it (its
    /// cells are no worse, and when they are equal its figures decide), so
    /// no point kept is dominated by another. Exact (a resolution of 0),
    /// cells are figures and this is the Pareto frontier with exact ties
    /// to the canonically first.
    fn pareto(&self, mut points: Vec<Point>) -> Vec<Point> {
        points.retain(|p| self.feasible(p));
        let both = self.extra.p95 && self.extra.success;
        let cells = |p: &Point| {
            (
                self.cell_u(p.unavailability),
                self.cell_key(p.p95, p.success),
            )
        };
        points.sort_by(|x, y| {
            let (cx, cy) = (cells(x), cells(y));
            let success = |x: &Point, y: &Point| {
                if both {
                    y.success.total_cmp(&x.success)
                } else {
                    std::cmp::Ordering::Equal
                }
            };
            x.cost
                .total_cmp(&y.cost)
                .then(cx.0.total_cmp(&cy.0))
                .then(cx.1.total_cmp(&cy.1))
                .then(success(x, y))
                .then(x.unavailability.total_cmp(&y.unavailability))
                .then(x.p95.total_cmp(&y.p95))
                .then(y.success.total_cmp(&x.success))
                .then(x.key().cmp(&y.key()))
        });
        // Sorted so, any point ahead of `p` comes before it, and a point
        // before `p` no worse in every cell is ahead of it.
        if both {
            let mut kept: Vec<(Point, (f64, f64))> = Vec::new();
            for p in points {
                let c = cells(&p);
                let ahead = kept.iter().any(|(k, ck)| {
                    k.cost <= p.cost && ck.0 <= c.0 && ck.1 <= c.1 && k.success >= p.success
                });
                if !ahead {
                    kept.push((p, c));
                }
            }
            return kept.into_iter().map(|(p, _)| p).collect();
        }
        // One latency axis: the points before `p` are no dearer, so one is
        // ahead of `p` exactly when one is no worse in the other two
        // cells, which a staircase of the kept ones answers.
        let mut stairs = Staircase::default();
        points
            .into_iter()
            .filter(|p| {
                let (u, key) = cells(p);
                stairs.insert(u, key)
            })
            .collect()
    }
}

/// The frontier of `space` over its objectives, and the chains walked.
///
/// Every one-step chain is scored; then the chains that start with each of
/// them, the fastest first steps first ([`longer_chains`]). A chain or a
/// whole subtree is skipped when a chain already scored beats a bound on it
/// ([`Scoring::subtree_bound`], [`Scoring::chain_bound`]; `MODEL.md` §5
/// proves them).
pub(super) fn search(
    space: &SearchSpace,
    options: &[StepOption],
    best_fail: f64,
    progress: &Progress,
) -> Result<(Vec<Candidate>, u64), Cancelled> {
    let scoring = Scoring {
        space,
        options,
        extra: Extra::of(&space.objectives),
        limited: capacity::is_limited(&space.portfolio),
        scorer: super::ChainScorer::for_portfolio(&space.portfolio),
        grid: Grid::new(space.resolution),
    };
    let walker = ChainWalker::new(&space.portfolio, options);
    let mut by_fail: Vec<(f64, usize)> = options
        .iter()
        .enumerate()
        .map(|(i, o)| (least_fail(o), i))
        .collect();
    by_fail.sort_by(|x, y| x.0.total_cmp(&y.0).then(x.1.cmp(&y.1)));
    let levels = Levels {
        scoring: &scoring,
        walker: &walker,
        best_fail,
        max_len: space.max_chain_length,
        by_fail,
    };
    let w = &space.portfolio.workload;
    let n = options.len();
    // One step: every option.
    let ones: Vec<Point> = (0..n).into_par_iter().map(|a| levels.score(&[a])).collect();
    let frontier = scoring.pareto(ones.clone());
    let (walked, frontier) = if space.max_chain_length >= 2 {
        longer_chains(&levels, &ones, frontier, progress)?
    } else {
        (0, frontier)
    };
    let scored = n as u64 + walked;
    let points = frontier
        .iter()
        .map(|p| Candidate {
            steps: p.options[..p.len]
                .iter()
                .map(|&i| options[i].step)
                .collect(),
            cost_per_request: p.cost,
            monthly_usd: p.cost * w.requests_per_month + w.fixed_monthly_usd,
            availability: 1.0 - p.unavailability,
            unavailability: p.unavailability,
            availability_at_peak: p.peak,
            p95_ms: (scoring.extra.p95 && p.p95.is_finite()).then_some(p.p95),
            success_within_budget: scoring.extra.success.then_some(p.success),
        })
        .collect();
    Ok((points, scored))
}

/// The chains of two and three steps, added to `frontier` (that of the
/// one-step chains `ones`), and the number walked.
///
/// By first step, the fastest first steps first (by their floor), in
/// batches that double: the fast first steps' chains are most of the
/// frontier, and they rule out whole subtrees of the slow ones. A batch is
/// pruned against the chains found before it, a set fixed before its
/// parallel part, so the frontier and the counts never depend on the
/// number of threads.
fn longer_chains(
    levels: &Levels,
    ones: &[Point],
    mut frontier: Vec<Point>,
    progress: &Progress,
) -> Result<(u64, Vec<Point>), Cancelled> {
    let scoring = levels.scoring;
    let mut firsts: Vec<&Point> = ones.iter().collect();
    firsts.sort_by(|x, y| {
        scoring
            .key(x.p95_floor, x.success_ceiling)
            .total_cmp(&scoring.key(y.p95_floor, y.success_ceiling))
            .then(x.key().cmp(&y.key()))
    });
    progress.expect(firsts.len() as u64);
    let mut walked = 0;
    let mut start = 0;
    let mut batch = 1;
    // Rebuilt only after a batch that found chains.
    let mut known = scoring.dominance(&frontier);
    while start < firsts.len() {
        let end = (start + batch).min(firsts.len());
        let found: Vec<(u64, Vec<Point>)> = firsts[start..end]
            .par_iter()
            .map(|first| {
                if progress.is_cancelled() {
                    return (0, Vec::new());
                }
                progress.advance(1);
                levels.subtree(first, &known, progress)
            })
            .collect();
        if progress.is_cancelled() {
            return Err(Cancelled);
        }
        let before = frontier.len();
        for (count, chains) in found {
            walked += count;
            frontier.extend(chains);
        }
        if frontier.len() > before {
            frontier = scoring.pareto(frontier);
            // The old set goes first: two at once would double the
            // search's memory.
            drop(std::mem::take(&mut known));
            known = scoring.dominance(&frontier);
        }
        start = end;
        batch *= 2;
    }
    Ok((walked, frontier))
}

/// The least probability that `option` fails, over the states of its
/// groups and the classes of requests: with its groups up, `1 - private_up
/// (1 - fail_if_up)`; 1 with one down.
fn least_fail(option: &StepOption) -> f64 {
    option
        .classes
        .iter()
        .map(|c| c.fail_if_up)
        .chain([option.fail_if_up])
        .map(|f| option.private_up * (f - 1.0) + 1.0)
        .fold(1.0_f64, f64::min)
}

/// A three-step chain left by the bounds before its walk, in
/// [`Levels::sweep`]: its availability cell, its prefix (index in the
/// group), its last step, its cost and unavailability.
type Left = (f64, u32, u32, f64, f64);

/// Indices of `left` by availability cell, in increasing cell order (the
/// entries of a bucket in no order), when the cells are few enough for a
/// dense table: at a resolution they are whole numbers (`-∞` for a chain
/// that never fails), a few hundred of them. `None` otherwise.
fn cell_buckets(left: &[Left]) -> Option<Vec<Vec<u32>>> {
    let finite = left.iter().map(|l| l.0).filter(|c| c.is_finite());
    let (lo, hi) = finite.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), c| {
        (lo.min(c), hi.max(c))
    });
    if lo > hi {
        return None;
    }
    let span = hi - lo;
    if span > (4 * left.len() + 1024) as f64
        || left.iter().any(|l| l.0.fract() != 0.0 && l.0.is_finite())
    {
        return None;
    }
    // Bucket 0 for `-∞`, then one per cell from `lo`.
    let mut buckets: Vec<Vec<u32>> = vec![Vec::new(); span as usize + 2];
    for (i, l) in left.iter().enumerate() {
        let b = if l.0.is_finite() {
            (l.0 - lo) as usize + 1
        } else {
            0
        };
        buckets[b].push(i as u32);
    }
    buckets.retain(|b| !b.is_empty());
    Some(buckets)
}

/// Building chains one step longer.
struct Levels<'a> {
    scoring: &'a Scoring<'a>,
    walker: &'a ChainWalker<'a>,
    best_fail: f64,
    max_len: usize,
    /// Each option's least failure probability over group states and
    /// classes of requests, with the option, least first.
    by_fail: Vec<(f64, usize)>,
}

impl Levels<'_> {
    /// `chain` walked from the start and scored.
    fn score(&self, chain: &[usize]) -> Point {
        if self.scoring.limited {
            return self.scoring.score(chain);
        }
        let walked = self.walker.start(chain, chain.len());
        let (cost, unavailability, peak) = self.scoring.closed_form(chain);
        self.scoring.point(
            chain,
            (cost, unavailability, peak),
            self.walker.figures(walked),
            chain.len() < self.max_len,
        )
    }

    /// Whether a chain of `known` or of `own` (the prefix's chains walked
    /// before this one, all at most as unavailable, in cells) is ahead of
    /// `chain` (exact cost and unavailability, `walked` its walk) on p95,
    /// the third objective: the fastest of those no dearer (and, in
    /// `known`, in a strictly better availability cell) is in a faster cell
    /// than `chain`'s p95, which one evaluation of its CDF tells
    /// ([`crate::model::latency::LatencyMixture::quantile_above`]) without
    /// finding the percentile. Strictly faster and no worse on the rest, it
    /// beats `chain` whatever the tie rule. With a resolution, a strictly
    /// cheaper one in cells no worse is ahead of it too.
    fn slower_than_known(
        &self,
        chain: &Point,
        walked: Option<&BudgetFigures>,
        known: &Dominance,
        own: &Staircase,
    ) -> bool {
        let scoring = self.scoring;
        let extra = scoring.extra;
        if !extra.p95 || extra.success {
            return false;
        }
        let grid = &scoring.grid;
        let u = scoring.cell_u(chain.unavailability);
        // Past `t` the chain is behind: in `known`, a chain no dearer in a
        // strictly better availability cell has a p95 cell at most `t`
        // (cells hold their lower edge, so past it is in a cell no
        // better); in `own` (all in availability cells no worse, by the
        // walk's order), one no dearer has a p95 cell strictly better than
        // the chain's once past `p95_past` of it.
        let mut t = known
            .fastest(chain.cost, u)
            .min(grid.p95_past(own.lowest(chain.cost)));
        if !grid.is_exact() {
            // Strictly cheaper, in cells no worse.
            t = t
                .min(known.fastest(chain.cost.next_down(), u.next_up()))
                .min(own.lowest(chain.cost.next_down()));
        }
        // Out of the walk's reach the chain's p95 is +∞.
        t.is_finite() && walked.is_none_or(|f| f.latency.quantile_above(0.95, t))
    }

    /// The chains that start with `first` (a one-step chain) that `known`
    /// does not rule out, walked (with their number), of which those no
    /// other of them beats.
    fn subtree(&self, first: &Point, known: &Dominance, progress: &Progress) -> (u64, Vec<Point>) {
        let scoring = self.scoring;
        let (mut walks, twos) = self.extend(first, known);
        let mut found: Vec<Point> = twos.iter().filter(|p| !p.pruned).copied().collect();
        if self.max_len >= 3 {
            let prefixes: Vec<&Point> = twos
                .iter()
                .filter(|p| !scoring.over_budget(p.cost))
                .filter(|p| !scoring.rules_out(known, &scoring.subtree_bound(p, 1, self.best_fail)))
                .collect();
            let (count, threes) = self.sweep(&prefixes, known, progress);
            walks += count;
            found.extend(threes);
        }
        (walks, scoring.pareto(found))
    }

    /// The three-step chains of `group` (two-step prefixes with one first
    /// step) that `known` and one another do not rule out, walked, with the
    /// number walked.
    ///
    /// The chains the bounds leave are taken most available first (by
    /// availability cell, [`Scoring::walk_order`]), so a chain of the group
    /// that beats another comes before it, and a
    /// staircase of the kept ones by cost and p95 tells the rest
    /// ([`Self::slower_than_known`]): the p95 of chains with one first step
    /// differ in their last digits only, and a chain is mostly beaten by
    /// another with the same first step.
    fn sweep(&self, group: &[&Point], known: &Dominance, progress: &Progress) -> (u64, Vec<Point>) {
        let scoring = self.scoring;
        let options = scoring.options;
        if scoring.limited {
            let mut walks = 0;
            let mut out = Vec::new();
            for prefix in group {
                if progress.is_cancelled() {
                    break;
                }
                let (count, chains) = self.extend(prefix, known);
                walks += count;
                out.extend(chains);
            }
            return (walks, scoring.pareto(out));
        }
        // (availability cell, prefix, last step, cost, unavailability) of
        // each chain left, prefix by prefix in parallel (a batch may hold a
        // single first step), collected in the group's order.
        let left: Vec<Vec<Left>> = group
            .par_iter()
            .enumerate()
            .map(|(k, prefix)| {
                let mut left = Vec::new();
                if progress.is_cancelled() {
                    return left;
                }
                let head = &prefix.options[..2];
                // In every group state and class a third step `c` fails with at
                // least `least_fail(c)`, so the chain is at least that times as
                // unavailable as the prefix: past the option whose bound a
                // chain of `known` beats (no dearer than the prefix, so than the
                // chain, and as fast and successful as the prefix's bounds),
                // every later one is beaten too.
                // (In cells: a chain in a strictly worse availability cell.)
                let ceiling = prefix.success_ceiling * (1.0 + BOUND_MARGIN);
                let beaten_below = known.least_unavailability(&Entry {
                    cost: prefix.cost,
                    unavailability: 0.0,
                    key: scoring.cell_key(prefix.p95_floor, ceiling),
                    success: ceiling,
                });
                // The chains' bound but for their cost and unavailability.
                let bound = scoring.chain_bound(prefix);
                for &(fail, c) in &self.by_fail {
                    if scoring.cell_u(prefix.unavailability * fail * (1.0 - BOUND_MARGIN))
                        > beaten_below
                    {
                        break;
                    }
                    let option = &options[c];
                    if head.iter().any(|&i| options[i].offering == option.offering) {
                        continue;
                    }
                    let (cost, unavailability, _) = scoring.closed_form(&[head[0], head[1], c]);
                    let cell = scoring.cell_u(unavailability);
                    let bound = Entry {
                        cost,
                        unavailability: cell,
                        ..bound
                    };
                    if !scoring.rules_out(known, &bound) {
                        left.push((cell, k as u32, c as u32, cost, unavailability));
                    }
                }
                left
            })
            .collect();
        if progress.is_cancelled() {
            return (0, Vec::new());
        }
        let left: Vec<Left> = left.into_iter().flatten().collect();
        let p95_only = scoring.extra.p95 && !scoring.extra.success;
        let floors: Vec<f64> = group
            .iter()
            .map(|p| scoring.cell_key(p.p95_floor, 0.0))
            .collect();
        // Every key differs (by prefix and last step): one order whatever
        // the sort and the threads.
        let order = |x: &Left, y: &Left| {
            scoring
                .walk_order((x.0, x.3, x.4), (y.0, y.3, y.4))
                .then((x.1, x.2).cmp(&(y.1, y.2)))
        };
        // With a resolution and p95 alone, the chains are taken one
        // availability cell at a time ([`cell_buckets`]): of a cell, those
        // dearer than a chain walked before that is in a p95 cell no worse
        // than every prefix's floor are behind it (strictly cheaper, in
        // cells no worse), so they are dropped before the sort; the rest
        // are taken in the same order as a sort of all. Otherwise one
        // bucket, sorted whole.
        let lowest_floor = floors.iter().copied().fold(f64::INFINITY, f64::min);
        let buckets = if p95_only && !scoring.grid.is_exact() {
            cell_buckets(&left)
        } else {
            None
        };
        let buckets = buckets.unwrap_or_else(|| {
            let mut all: Vec<u32> = (0..left.len() as u32).collect();
            all.par_sort_unstable_by(|&x, &y| order(&left[x as usize], &left[y as usize]));
            vec![all]
        });
        let by_cell = buckets.len() > 1;
        // Walks of each prefix as the start of its extensions, by which of
        // its groups the last step shares (`PartialWalk`'s condition).
        let mut starts: Vec<Vec<(u64, Walked)>> = vec![Vec::new(); group.len()];
        let mut own = Staircase::default();
        let mut out = Vec::new();
        let mut walks = 0;
        let mut n = 0usize;
        for mut bucket in buckets {
            if by_cell {
                let dearest = own.cheapest_at_most(lowest_floor);
                bucket.retain(|&i| left[i as usize].3 <= dearest);
                bucket.sort_unstable_by(|&x, &y| order(&left[x as usize], &left[y as usize]));
            }
            for &i in &bucket {
                let (_, k, c, cost, unavailability) = left[i as usize];
                if n.is_multiple_of(1024) && progress.is_cancelled() {
                    return (0, Vec::new());
                }
                n += 1;
                let prefix = group[k as usize];
                // A chain of the group before this one, no dearer and in a
                // strictly faster cell than its prefix's floor (or, with a
                // resolution, strictly cheaper and in one no slower), is ahead
                // of it unwalked.
                let floor = floors[k as usize];
                if p95_only
                    && (own.lowest(cost) < floor
                        || (!scoring.grid.is_exact() && own.lowest(cost.next_down()) <= floor))
                {
                    continue;
                }
                let chain = [prefix.options[0], prefix.options[1], c as usize];
                let class = options[chain[2]].group_mask
                    & (options[chain[0]].group_mask | options[chain[1]].group_mask);
                let cached = &mut starts[k as usize];
                let slot = match cached.iter().position(|(key, _)| *key == class) {
                    Some(slot) => slot,
                    None => {
                        cached.push((class, self.walker.start(&chain, 2)));
                        cached.len() - 1
                    }
                };
                let walked = self
                    .walker
                    .figures(self.walker.resume(&cached[slot].1, &chain, 3));
                walks += 1;
                let probe = Point {
                    cost,
                    unavailability,
                    ..*prefix
                };
                if self.slower_than_known(&probe, walked.as_ref(), known, &own) {
                    continue;
                }
                let point = scoring.point(&chain, (cost, unavailability, None), walked, false);
                own.insert(point.cost, scoring.cell_key(point.p95, point.success));
                out.push(point);
            }
        }
        (walks, scoring.pareto(out))
    }

    /// Every extension of `prefix` by one step that `known` does not rule
    /// out, walked, with the number walked. Those kept only as prefixes of
    /// longer chains (the chain itself ruled out) are marked `pruned`.
    fn extend(&self, prefix: &Point, known: &Dominance) -> (u64, Vec<Point>) {
        let scoring = self.scoring;
        let options = scoring.options;
        let len = prefix.len + 1;
        let more = self.max_len - len;
        // Under rate limits only the two-step prefixes are pruned, with the
        // bound the search always used there.
        let deep = !scoring.limited;
        let whole = scoring.subtree_bound(prefix, self.max_len - prefix.len, self.best_fail);
        if scoring.over_budget(prefix.cost) || (deep && scoring.rules_out(known, &whole)) {
            return (0, Vec::new());
        }
        let head = &prefix.options[..prefix.len];
        let prefix_mask = head.iter().fold(0u64, |m, &i| m | options[i].group_mask);
        let mut chain = [usize::MAX; super::MAX_CHAIN_LENGTH];
        chain[..prefix.len].copy_from_slice(head);
        // The extensions the bounds leave, by their exact cost and
        // unavailability, most available first (by cell,
        // `Scoring::walk_order`): a chain is then beaten only by ones
        // before it or by `known`.
        let mut left: Vec<(usize, Point, bool)> = Vec::new();
        let mut walks = 0;
        let mut out = Vec::new();
        for (c, option) in options.iter().enumerate() {
            if head.iter().any(|&i| options[i].offering == option.offering) {
                continue;
            }
            chain[prefix.len] = c;
            let chain = &chain[..len];
            if scoring.limited {
                walks += 1;
                out.push(scoring.score(chain));
                continue;
            }
            let (cost, unavailability, peak) = scoring.closed_form(chain);
            let probe = Point {
                cost,
                unavailability,
                peak,
                ..*prefix
            };
            let chain_out = scoring.rules_out(known, &scoring.chain_bound(&probe));
            let subtree_out = more == 0
                || scoring.over_budget(probe.cost)
                || scoring.rules_out(known, &scoring.subtree_bound(&probe, more, self.best_fail));
            if !(chain_out && subtree_out) {
                left.push((c, probe, chain_out));
            }
        }
        let mut left: Vec<(f64, usize, Point, bool)> = left
            .into_iter()
            .map(|(c, probe, out)| (scoring.cell_u(probe.unavailability), c, probe, out))
            .collect();
        left.sort_unstable_by(|x, y| {
            scoring
                .walk_order(
                    (x.0, x.2.cost, x.2.unavailability),
                    (y.0, y.2.cost, y.2.unavailability),
                )
                .then(x.1.cmp(&y.1))
        });
        // Walks of the prefix as the start of its extensions, by which of
        // its groups the next step shares (`PartialWalk`'s condition).
        let mut starts: Vec<(u64, Walked)> = Vec::new();
        // The chains walked so far, by cost and p95.
        let mut own = Staircase::default();
        for (_, c, probe, chain_out) in left {
            chain[prefix.len] = c;
            let chain = &chain[..len];
            let class = options[c].group_mask & prefix_mask;
            let slot = match starts.iter().position(|(k, _)| *k == class) {
                Some(slot) => slot,
                None => {
                    starts.push((class, self.walker.start(chain, prefix.len)));
                    starts.len() - 1
                }
            };
            let walked = self
                .walker
                .figures(self.walker.resume(&starts[slot].1, chain, len));
            walks += 1;
            let chain_out =
                chain_out || self.slower_than_known(&probe, walked.as_ref(), known, &own);
            if chain_out && more == 0 {
                continue;
            }
            let figures = (probe.cost, probe.unavailability, probe.peak);
            let mut point = scoring.point(chain, figures, walked, more > 0);
            point.pruned = chain_out;
            if !chain_out {
                own.insert(point.cost, scoring.cell_key(point.p95, point.success));
            }
            out.push(point);
        }
        (walks, out)
    }
}

#[cfg(test)]
#[path = "objectives_tests.rs"]
mod tests;
