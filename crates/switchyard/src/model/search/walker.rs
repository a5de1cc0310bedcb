//! The exact walk (`MODEL.md` §3.10) of many chains that share prefixes:
//! the search walks a prefix once and resumes it for each of its extensions.
//!
//! Each figure is the one [`latency::strata_figures`] gives for the chain's
//! own portfolio ([`super::chain_portfolio`]) to the last bit: the attempt
//! profiles are the same (they depend on the step and its offering only),
//! the walk of each class of requests is the same sequence of operations
//! ([`PartialWalk`]'s doc says when a stopped walk may be resumed), and the
//! classes are mixed in the same order with the same weights. Where that
//! function would give up (the mixture past [`latency::MAX_TERMS`]) so does
//! this one.

use super::StepOption;
use crate::model::attempt::AttemptProfile;
use crate::model::latency::walk::PartialWalk;
use crate::model::latency::{BudgetFigures, LatencyMixture, MAX_TERMS, Term};
use crate::model::{Portfolio, Step};

/// What it takes to walk chains of a search's step options.
pub(super) struct ChainWalker<'a> {
    portfolio: &'a Portfolio,
    options: &'a [StepOption],
    /// Per option, one attempt profile per class of requests.
    profiles: Vec<Vec<AttemptProfile>>,
    /// The classes' weights.
    weights: Vec<f64>,
    budget_ms: f64,
}

/// A chain walked part-way, one walk per class of requests (`None`: out of
/// the walk's reach, or a class of no weight, which the mixture skips).
#[derive(Debug, Clone)]
pub(super) struct Walked {
    walks: Vec<Option<PartialWalk>>,
    reachable: bool,
    /// Steps walked.
    len: usize,
}

/// Up to [`super::MAX_CHAIN_LENGTH`] steps, without allocating.
struct Steps {
    steps: [Step; super::MAX_CHAIN_LENGTH],
    len: usize,
}

impl Steps {
    fn as_slice(&self) -> &[Step] {
        &self.steps[..self.len]
    }
}

impl<'a> ChainWalker<'a> {
    pub fn new(portfolio: &'a Portfolio, options: &'a [StepOption]) -> Self {
        let mixes = portfolio.workload.mixes();
        let points = mixes.output.points();
        Self {
            portfolio,
            options,
            profiles: options
                .iter()
                .map(|o| {
                    points
                        .iter()
                        .map(|&(tokens, _)| AttemptProfile::new(portfolio, &o.step, tokens))
                        .collect()
                })
                .collect(),
            weights: points.iter().map(|&(_, w)| w).collect(),
            budget_ms: portfolio
                .workload
                .latency_budget_ms
                .unwrap_or(f64::INFINITY),
        }
    }

    fn steps(&self, chain: &[usize]) -> Steps {
        let mut steps = [self.options[chain[0]].step; super::MAX_CHAIN_LENGTH];
        for (s, &i) in steps.iter_mut().zip(chain) {
            *s = self.options[i].step;
        }
        Steps {
            steps,
            len: chain.len(),
        }
    }

    fn class_profiles(&self, chain: &[usize], class: usize) -> [AttemptProfile; 3] {
        let mut out = [self.profiles[chain[0]][class]; super::MAX_CHAIN_LENGTH];
        for (p, &i) in out.iter_mut().zip(chain) {
            *p = self.profiles[i][class];
        }
        out
    }

    /// `chain`'s first `upto` steps walked as the start of `chain` (whose
    /// later steps decide what the walk keeps; see [`PartialWalk`]).
    pub fn start(&self, chain: &[usize], upto: usize) -> Walked {
        self.walk(chain, upto, |_| None)
    }

    /// `walked` (the start of a chain that shares with `chain` its first
    /// steps and which of their groups its later steps share) continued
    /// along `chain` up to step `upto`.
    pub fn resume(&self, walked: &Walked, chain: &[usize], upto: usize) -> Walked {
        if !walked.reachable {
            return walked.clone();
        }
        self.walk(chain, upto, |k| walked.walks[k].clone())
    }

    fn walk(
        &self,
        chain: &[usize],
        upto: usize,
        from: impl Fn(usize) -> Option<PartialWalk>,
    ) -> Walked {
        let steps = self.steps(chain);
        let mut walks = Vec::with_capacity(self.weights.len());
        for (k, &w) in self.weights.iter().enumerate() {
            if w <= 0.0 {
                walks.push(None);
                continue;
            }
            let profiles = self.class_profiles(chain, k);
            let walk = match from(k) {
                Some(partial) => partial.resume(
                    self.portfolio,
                    steps.as_slice(),
                    &profiles,
                    self.budget_ms,
                    MAX_TERMS,
                    upto,
                ),
                None => PartialWalk::along(
                    self.portfolio,
                    steps.as_slice(),
                    &profiles,
                    self.budget_ms,
                    MAX_TERMS,
                    upto,
                ),
            };
            let Some(walk) = walk else {
                return Walked {
                    walks: Vec::new(),
                    reachable: false,
                    len: upto,
                };
            };
            walks.push(Some(walk));
        }
        Walked {
            walks,
            reachable: true,
            len: upto,
        }
    }

    /// The figures of the steps `walked` holds, as if the chain ended there:
    /// what [`latency::strata_figures`] gives for that chain alone.
    pub fn figures(&self, walked: Walked) -> Option<BudgetFigures> {
        if !walked.reachable {
            return None;
        }
        let mut f = BudgetFigures::nothing_yet(vec![walked.len]);
        let mut terms: Vec<Term> = Vec::new();
        for (walk, &weight) in walked.walks.into_iter().zip(&self.weights) {
            let Some(walk) = walk else { continue };
            // `strata_figures` weighs a class by the stratum's weight times
            // the route's share times its own: here 1 × 1 × its own, exactly.
            let w = weight;
            if walk.peak() > MAX_TERMS.saturating_sub(terms.len()) {
                return None;
            }
            if !f.add_walk(&mut terms, 0, w, walk.finish()) {
                return None;
            }
        }
        f.latency = LatencyMixture::new(terms);
        Some(f)
    }
}
