//! The resolution at which a search with latency objectives tells p95 and
//! availability apart (`MODEL.md` §5, "The ε-frontier"), and the grid that
//! applies it.
//!
//! Why: the exact three-objective frontier over a few hundred candidates
//! holds hundreds of thousands of chains (nearly every chain that starts
//! with the fastest option is on it, their p95s differing in the last
//! digits) and each needs its exact p95, which takes seconds to minutes.
//! Nobody reads such a frontier, and no input is known that finely. An
//! ε-Pareto set (Laumanns, Thiele, Deb and Zitzler, "Combining convergence
//! and diversity in evolutionary multi-objective optimization", 2002)
//! keeps one chain per cell of a grid over p95 and availability (the
//! cheapest), so its size is bounded by the grid, while every chain of the
//! exact frontier stays within one cell of a chain returned.

/// The default relative resolution of p95: two p95s within a factor 1.01
/// may be one point. 1% of a 6 s p95 is 60 ms, below what a provider's
/// measured latency is known to (the catalog's TTFT and speed figures vary
/// by more than that from one week to the next), and it merges the chains
/// whose p95s differ only in their last digits.
pub const DEFAULT_P95_RESOLUTION: f64 = 0.01;

/// The default resolution of availability, in nines (`-log10(1 - a)`):
/// two availabilities within 0.01 nines may be one point. That is a 2.3%
/// difference in downtime at any level (99.9% against 99.9023%: 43.2
/// against 42.2 minutes a month), finer than any provider's availability
/// figure is known, and it keeps the frontier's steps even across levels,
/// where a fixed step in availability would merge all of 99.99%–99.999%.
pub const DEFAULT_AVAILABILITY_RESOLUTION_NINES: f64 = 0.01;

/// How finely a search with p95 or success within the budget as an
/// objective tells chains apart; 0 in both is the exact frontier. Cost is
/// always exact, and so is success within the budget.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Resolution {
    /// Relative: two p95s within a factor `1 + p95` are equal.
    pub p95: f64,
    /// In nines: two availabilities within this many nines are equal.
    pub availability_nines: f64,
}

impl Resolution {
    /// [`DEFAULT_P95_RESOLUTION`] and [`DEFAULT_AVAILABILITY_RESOLUTION_NINES`].
    pub const DEFAULT: Resolution = Resolution {
        p95: DEFAULT_P95_RESOLUTION,
        availability_nines: DEFAULT_AVAILABILITY_RESOLUTION_NINES,
    };

    /// The exact frontier: every distinct p95 and availability counts.
    pub const EXACT: Resolution = Resolution {
        p95: 0.0,
        availability_nines: 0.0,
    };
}

impl Default for Resolution {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// The grid of a [`Resolution`]: maps a p95 and an unavailability to their
/// cell, as a number that orders cells as the figures order (lower is
/// better for both). Both maps are monotone. p95's is exact about its own
/// edges, `cell(x) >= e` exactly when `x >= e` for any edge `e` it returns,
/// which the pruning relies on to compare an exact p95 with a cell;
/// unavailability's cells are only ever compared with one another, so a
/// cell is its index, one logarithm away (the search takes millions). With
/// a resolution of 0 a figure is its own cell.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Grid {
    /// `ln(1 + p95 resolution)`: p95's cells are `[e^(k s), e^((k+1) s))`.
    p_step: f64,
    /// `nines resolution × ln 10`: unavailability's cells are
    /// `(e^((j-1) s), e^(j s)]`, up to the rounding of `ln`.
    u_step: f64,
}

impl Grid {
    pub fn new(resolution: Resolution) -> Self {
        let step = |x: f64| if x > 0.0 && x.is_finite() { x } else { 0.0 };
        Self {
            p_step: step(resolution.p95).ln_1p(),
            u_step: step(resolution.availability_nines) * std::f64::consts::LN_10,
        }
    }

    /// Both figures exact: no cells.
    pub fn is_exact(&self) -> bool {
        self.p_step == 0.0 && self.u_step == 0.0
    }

    /// The cell of a p95, as its lower edge `e^(k s) <= p95`; the p95
    /// itself when exact, zero or infinite.
    pub fn p95(&self, p95: f64) -> f64 {
        if self.p_step == 0.0 || !(p95 > 0.0 && p95.is_finite()) {
            return p95;
        }
        let edge = |k: f64| (k * self.p_step).exp();
        let mut k = (p95.ln() / self.p_step).floor();
        // `ln` and `exp` round: settle `k` against the edges themselves.
        while edge(k + 1.0) <= p95 {
            k += 1.0;
        }
        while edge(k) > p95 {
            k -= 1.0;
        }
        edge(k)
    }

    /// A time past which a p95 is in a cell strictly worse than `cell` (a
    /// value [`Self::p95`] returned): `cell` itself when exact, else just
    /// below the next cell's lower edge.
    pub fn p95_past(&self, cell: f64) -> f64 {
        if self.p_step == 0.0 || !(cell > 0.0 && cell.is_finite()) {
            return cell;
        }
        let k = (cell.ln() / self.p_step).round();
        ((k + 1.0) * self.p_step).exp().next_down()
    }

    /// The cell of an unavailability, as its index `j = ceil(ln(u) / s)`
    /// (at most 0; `-∞` for 0); the unavailability itself when exact.
    pub fn unavailability(&self, u: f64) -> f64 {
        if self.u_step == 0.0 || !(u > 0.0 && u.is_finite()) {
            return if self.u_step == 0.0 || u > 0.0 {
                u
            } else {
                f64::NEG_INFINITY
            };
        }
        // `+ 0.0`: the cell just below 1 is `ceil` of a small negative
        // number, `-0.0`, which sorts apart from `0.0` by `total_cmp`.
        (u.ln() / self.u_step).ceil() + 0.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Cells are monotone, hold their figure, and are about the resolution
    /// wide; exact grids are the identity.
    #[test]
    fn cells_hold_their_figures() {
        let grid = Grid::new(Resolution::DEFAULT);
        let mut last = (0.0, 0.0);
        for i in 1..20_000 {
            let p = 100.0 * 1.0007_f64.powi(i);
            let cell = grid.p95(p);
            assert!(
                cell <= p && p < cell * 1.01 * (1.0 + 1e-12),
                "{p} in {cell}"
            );
            assert!(cell >= last.0);
            assert!(grid.p95_past(cell) >= p, "{p}: {}", grid.p95_past(cell));
            assert!(grid.p95(grid.p95_past(cell).next_up()) > cell);
            let u = 0.5 * 0.999_f64.powi(i);
            let ucell = grid.unavailability(u);
            let upper = (ucell * grid.u_step).exp();
            assert!(u <= upper * (1.0 + 1e-12) && upper < u * 10f64.powf(0.01) * (1.0 + 1e-12));
            assert!(i == 1 || ucell <= last.1, "{u}");
            last = (cell, ucell);
        }
        // Nearby figures share a cell; figures a resolution apart do not.
        assert_eq!(grid.p95(1000.0), grid.p95(1000.0 * 1.0001));
        assert!(grid.p95(1000.0) < grid.p95(1000.0 * 1.0101));
        let exact = Grid::new(Resolution::EXACT);
        assert!(exact.is_exact() && !grid.is_exact());
        for x in [0.0, 1e-9, 0.5, 3.0, 6_000.0, f64::INFINITY] {
            assert_eq!(exact.p95(x), x);
            assert_eq!(exact.p95_past(x), x);
            assert_eq!(exact.unavailability(x), x);
        }
        assert_eq!(grid.p95(f64::INFINITY), f64::INFINITY);
        assert_eq!(grid.unavailability(0.0), f64::NEG_INFINITY);
        assert_eq!(grid.unavailability(1.0), 0.0);
        assert!(grid.unavailability(0.5) < grid.unavailability(1.0));
        assert!(grid.unavailability(0.9999).total_cmp(&0.0).is_eq());
    }
}
