//! Exact cost and availability of one fallback chain of distinct offerings, fast
//! enough to score millions of candidates.
//!
//! This is `exact::route_figures` specialised to what the search needs: every
//! step uses a different offering, so given the states of the failure groups the
//! steps fail independently, and a chain's figures in one group state are
//! `U = Π f_i` and `C = Σ_i (Π_{j<i} f_j) c_i`, with `f_i` the chance that step `i`
//! fails all its attempts and `c_i` its expected bill once reached. The options'
//! per-attempt figures are computed once ([`StepOption`]); a chain only multiplies.

use crate::model::attempt::AttemptProfile;
use crate::model::{Portfolio, Step};

/// One way to use one offering as a step: the offering, its tries and timeout.
#[derive(Debug, Clone, PartialEq)]
pub struct StepOption {
    /// Index into the search's offerings.
    pub offering: usize,
    pub step: Step,
    /// The offering's own uptime, its groups factored out.
    pub private_up: f64,
    /// Bit `g`: the offering belongs to search group `g`.
    pub group_mask: u64,
    /// P(every attempt fails | the offering is up) = `(1 - s)^attempts`.
    pub fail_if_up: f64,
    /// E[bill of the step once reached | the offering is up]; a down offering
    /// refuses or hangs for free.
    pub cost_if_up: f64,
    /// Unconditional P(the step fails) = `1 - A (1 - fail_if_up)`.
    pub fail: f64,
    /// Unconditional expected bill once reached = `A · cost_if_up`.
    pub cost: f64,
    /// Per class of requests (by answer length, `attempt::class_profiles`):
    /// its weight, `fail_if_up` and `cost_if_up`. The fields above are their
    /// means (exactly the one class's, for a workload of means).
    pub classes: Vec<StepClass>,
}

/// A step option's figures for one class of requests.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StepClass {
    pub weight: f64,
    pub fail_if_up: f64,
    pub cost_if_up: f64,
}

impl StepOption {
    /// The option of using `step.offering` of `portfolio` with `step`'s tries and
    /// timeout; `group_mask` says which of the portfolio's groups it needs.
    pub fn new(portfolio: &Portfolio, step: Step) -> Self {
        let classes: Vec<StepClass> = portfolio
            .workload
            .mixes()
            .output
            .points()
            .iter()
            .map(|&(output_tokens, weight)| {
                let profile = AttemptProfile::new(portfolio, &step, output_tokens);
                let miss = 1.0 - profile.success_if_up;
                // Σ_{k < attempts} miss^k: attempt k is made only if the k
                // before it failed.
                let reached: f64 = (0..step.attempts).map(|k| miss.powi(k as i32)).sum();
                StepClass {
                    weight,
                    fail_if_up: miss.powi(step.attempts as i32),
                    cost_if_up: reached * profile.expected_bill_if_up(),
                }
            })
            .collect();
        let (fail_if_up, cost_if_up) = match classes.as_slice() {
            [one] => (one.fail_if_up, one.cost_if_up),
            many => many.iter().fold((0.0, 0.0), |(f, c), k| {
                (f + k.weight * k.fail_if_up, c + k.weight * k.cost_if_up)
            }),
        };
        let offering = &portfolio.offerings[step.offering];
        let group_mask = offering.groups.iter().fold(0u64, |mask, &g| mask | 1 << g);
        Self {
            offering: step.offering,
            step,
            private_up: portfolio.private_availability(step.offering),
            group_mask,
            fail_if_up,
            cost_if_up,
            fail: 1.0 - offering.availability * (1.0 - fail_if_up),
            cost: offering.availability * cost_if_up,
            classes,
        }
    }

    /// Whether its figures differ by class of requests: then no option can
    /// be dropped for another by comparing their means.
    pub fn is_mixed(&self) -> bool {
        self.classes.len() > 1
    }
}

/// The longest chain [`ChainScorer`] scores.
pub const MAX_STEPS: usize = 3;

/// Cost per request and unavailability of a chain.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ChainFigures {
    pub cost_per_request: f64,
    pub unavailability: f64,
}

/// Scores chains over a fixed set of groups.
#[derive(Debug, Clone)]
pub struct ChainScorer {
    group_availability: Vec<f64>,
}

impl ChainScorer {
    pub fn new(group_availability: Vec<f64>) -> Self {
        Self { group_availability }
    }

    /// The scorer of chains over `portfolio`'s failure groups.
    pub fn for_portfolio(portfolio: &Portfolio) -> Self {
        Self::new(portfolio.groups.iter().map(|g| g.availability).collect())
    }

    /// The exact figures of the chain `steps` (distinct offerings, in order; at
    /// most [`MAX_STEPS`]): the mixture of its figures over the classes of
    /// requests, which every option lists alike.
    pub fn score(&self, steps: &[&StepOption]) -> ChainFigures {
        assert!(
            steps.len() <= MAX_STEPS,
            "chains are at most {MAX_STEPS} steps"
        );
        let classes = steps.first().map_or(1, |s| s.classes.len());
        if classes <= 1 {
            return self.score_class(steps, |s| (s.fail_if_up, s.cost_if_up));
        }
        let mut mixed = ChainFigures {
            cost_per_request: 0.0,
            unavailability: 0.0,
        };
        for c in 0..classes {
            let weight = steps[0].classes[c].weight;
            let f = self.score_class(steps, |s| {
                (s.classes[c].fail_if_up, s.classes[c].cost_if_up)
            });
            mixed.cost_per_request += weight * f.cost_per_request;
            mixed.unavailability += weight * f.unavailability;
        }
        mixed
    }

    /// The figures of one class of requests, whose `(fail_if_up,
    /// cost_if_up)` at each step `of` gives.
    fn score_class(
        &self,
        steps: &[&StepOption],
        of: impl Fn(&StepOption) -> (f64, f64),
    ) -> ChainFigures {
        let touched = steps.iter().fold(0u64, |m, s| m | s.group_mask);
        let mut cost = 0.0;
        let mut unavailability = 0.0;
        // Enumerate the states of the touched groups only: `down` runs over the
        // subsets of `touched`.
        let mut down = 0u64;
        loop {
            let mut probability = 1.0;
            let mut rest = touched;
            while rest != 0 {
                let g = rest.trailing_zeros() as usize;
                let a = self.group_availability[g];
                probability *= if down >> g & 1 == 1 { 1.0 - a } else { a };
                rest &= rest - 1;
            }
            if probability > 0.0 {
                let mut reach = 1.0;
                let mut state_cost = 0.0;
                let mut fails = [1.0; MAX_STEPS];
                for (s, fail) in steps.iter().zip(&mut fails) {
                    let up = if s.group_mask & down == 0 {
                        s.private_up
                    } else {
                        0.0
                    };
                    let (fail_if_up, cost_if_up) = of(s);
                    state_cost += reach * up * cost_if_up;
                    *fail = up * fail_if_up + (1.0 - up);
                    reach *= *fail;
                }
                // The same steps in another order are exactly as available;
                // multiplying in a fixed order keeps them equal to the last bit,
                // so that the dearer order is seen as dominated, not as a
                // different trade-off.
                fails.sort_by(f64::total_cmp);
                cost += probability * state_cost;
                unavailability += probability * fails.iter().product::<f64>();
            }
            if down == touched {
                break;
            }
            // Next subset of `touched` in increasing order.
            down = (down.wrapping_sub(touched)) & touched;
        }
        ChainFigures {
            cost_per_request: cost,
            unavailability,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::exact;
    use crate::model::search::synthetic;
    use rand::{Rng, SeedableRng};
    use rand_xoshiro::Xoshiro256PlusPlus;

    /// The chain scorer and the general closed form agree on random chains of
    /// distinct offerings with shared groups.
    #[test]
    fn scorer_matches_the_general_closed_form() {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(7);
        for case in 0..200 {
            let mut portfolio = synthetic::catalog(case, 5, 3);
            let n = rng.random_range(1..=3usize).min(portfolio.offerings.len());
            let mut ids: Vec<usize> = (0..portfolio.offerings.len()).collect();
            for i in 0..n {
                let j = rng.random_range(i..ids.len());
                ids.swap(i, j);
            }
            let steps: Vec<Step> = ids[..n]
                .iter()
                .map(|&o| Step {
                    offering: o,
                    attempts: rng.random_range(1..=3),
                    timeout_ms: rng.random_range(2_000.0..20_000.0),
                    backoff_ms: 0.0,
                })
                .collect();
            portfolio.routes = vec![crate::model::Route {
                name: "chain".to_owned(),
                share: 1.0,
                steps: steps.clone(),
            }];
            let expected = exact::figures(&portfolio);
            let options: Vec<StepOption> = steps
                .iter()
                .map(|&s| StepOption::new(&portfolio, s))
                .collect();
            let refs: Vec<&StepOption> = options.iter().collect();
            let scorer = ChainScorer::for_portfolio(&portfolio);
            let got = scorer.score(&refs);
            let close = |a: f64, b: f64| (a - b).abs() <= 1e-12 * a.abs().max(b.abs()).max(1e-300);
            assert!(
                close(got.unavailability, expected.unavailability),
                "case {case}: {} vs {}",
                got.unavailability,
                expected.unavailability
            );
            assert!(
                close(got.cost_per_request, expected.cost_per_request),
                "case {case}: {} vs {}",
                got.cost_per_request,
                expected.cost_per_request
            );
        }
    }
}
