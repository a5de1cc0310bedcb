//! Token counts per request as distributions (`MODEL.md` §2.1).
//!
//! A mean prices a workload right only while the price is linear in the
//! tokens. It is not: a prompt above a price tier pays the tier's prices on
//! all its tokens, and an answer long enough to outrun a timeout fails where
//! the mean answer succeeds. So a workload may give its input and output
//! tokens as a distribution over a few points (a usage log's histogram
//! bins, each at its exact mean), and the figures are the mixture over the
//! output points: each point is a class of requests with its own generation
//! time and bill, solved exactly as a workload of its own and weighted by
//! its share. Input and output are taken as independent (a log's histograms
//! are kept per model, not jointly), so a class's bill is its expectation
//! over the input points.

/// The most points a distribution may have: a usage histogram's 23 bins
/// fit, and each output point is one more exact pass over the routes.
pub const MAX_TOKEN_POINTS: usize = 24;

/// A distribution of tokens per request: points with their probabilities.
/// `Copy`, so a [`super::Workload`] stays a value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TokenMix {
    points: [(f64, f64); MAX_TOKEN_POINTS],
    len: usize,
}

impl TokenMix {
    /// Every request has `tokens`.
    pub fn single(tokens: f64) -> Self {
        let mut points = [(0.0, 0.0); MAX_TOKEN_POINTS];
        points[0] = (tokens, 1.0);
        Self { points, len: 1 }
    }

    /// `(tokens, weight)` pairs, weights in any unit, normalised here.
    /// Points of zero weight are dropped. `None` when there are more than
    /// [`MAX_TOKEN_POINTS`], or the weights are not finite, non-negative and
    /// of positive sum (the plan resolver says which).
    pub fn new(pairs: &[(f64, f64)]) -> Option<Self> {
        let total: f64 = pairs.iter().map(|p| p.1).sum();
        let valid = pairs.len() <= MAX_TOKEN_POINTS
            && total.is_finite()
            && total > 0.0
            && pairs.iter().all(|p| p.1 >= 0.0 && p.0.is_finite());
        if !valid {
            return None;
        }
        let mut points = [(0.0, 0.0); MAX_TOKEN_POINTS];
        let mut len = 0;
        for &(tokens, weight) in pairs.iter().filter(|p| p.1 > 0.0) {
            points[len] = (tokens, weight / total);
            len += 1;
        }
        Some(Self { points, len })
    }

    /// The points: `(tokens, probability)`, probabilities summing to 1.
    pub fn points(&self) -> &[(f64, f64)] {
        &self.points[..self.len]
    }

    pub fn mean(&self) -> f64 {
        self.points().iter().map(|(x, p)| x * p).sum()
    }

    /// The largest token count with any weight.
    pub fn max(&self) -> f64 {
        self.points().iter().map(|p| p.0).fold(0.0, f64::max)
    }
}

/// The input and output distributions of a workload.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TokenMixes {
    pub input: TokenMix,
    pub output: TokenMix,
}

#[cfg(test)]
#[path = "tokens_tests.rs"]
mod figures_tests;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weights_are_normalised_and_zero_weights_dropped() {
        let mix = TokenMix::new(&[(100.0, 3.0), (5.0, 0.0), (1000.0, 1.0)]).unwrap();
        assert_eq!(mix.points(), &[(100.0, 0.75), (1000.0, 0.25)]);
        assert_eq!(mix.mean(), 325.0);
        assert_eq!(mix.max(), 1000.0);
        assert_eq!(TokenMix::single(42.0).points(), &[(42.0, 1.0)]);
    }

    #[test]
    fn bad_weights_and_too_many_points_are_refused() {
        assert!(TokenMix::new(&[]).is_none());
        assert!(TokenMix::new(&[(1.0, 0.0)]).is_none());
        assert!(TokenMix::new(&[(1.0, -1.0), (2.0, 2.0)]).is_none());
        assert!(TokenMix::new(&[(1.0, f64::INFINITY)]).is_none());
        assert!(TokenMix::new(&[(1.0, 1.0); MAX_TOKEN_POINTS + 1]).is_none());
        assert!(TokenMix::new(&[(1.0, 1.0); MAX_TOKEN_POINTS]).is_some());
    }
}
