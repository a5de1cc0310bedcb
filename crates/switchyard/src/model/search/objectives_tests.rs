use super::*;
use crate::model::search::{Resolution, report::route_portfolio, search, step_options, synthetic};

fn space(
    seed: u64,
    offerings: usize,
    objectives: &[Objective],
    budget: Option<f64>,
) -> SearchSpace {
    let mut portfolio = synthetic::catalog(seed, offerings, 2);
    portfolio.workload.latency_budget_ms = budget;
    SearchSpace {
        portfolio,
        max_chain_length: 3,
        attempts: vec![1, 2],
        timeouts_ms: vec![3_000.0, 9_000.0],
        backoff_ms: 50.0,
        constraints: Constraints::default(),
        objectives: objectives.to_vec(),
        resolution: Resolution::EXACT,
    }
}

/// Every feasible chain of distinct offerings up to the space's length,
/// scored the general way.
fn every_chain(space: &SearchSpace) -> Vec<Point> {
    let options = step_options(space);
    let scoring = Scoring {
        space,
        options: &options,
        extra: Extra::of(&space.objectives),
        limited: false,
        scorer: crate::model::search::ChainScorer::for_portfolio(&space.portfolio),
        grid: Grid::new(space.resolution),
    };
    let n = options.len();
    let mut chains: Vec<Vec<usize>> = Vec::new();
    for a in 0..n {
        chains.push(vec![a]);
        if space.max_chain_length < 2 {
            continue;
        }
        for b in 0..n {
            if options[b].offering == options[a].offering {
                continue;
            }
            chains.push(vec![a, b]);
            if space.max_chain_length < 3 {
                continue;
            }
            for c in 0..n {
                if options[c].offering != options[a].offering
                    && options[c].offering != options[b].offering
                {
                    chains.push(vec![a, b, c]);
                }
            }
        }
    }
    chains
        .iter()
        .map(|c| scoring.score(c))
        .filter(|p| scoring.feasible(p))
        .collect()
}

/// The steps of `points`' chains.
fn steps_of(space: &SearchSpace, points: &[&Point]) -> Vec<Vec<crate::model::Step>> {
    let options = step_options(space);
    points
        .iter()
        .map(|p| {
            p.options[..p.len]
                .iter()
                .map(|&i| options[i].step)
                .collect()
        })
        .collect()
}

/// Every chain of distinct offerings up to the space's length, scored,
/// then filtered by the definition: feasible, beaten by no other feasible
/// chain on every objective, ties to the canonically first.
fn brute_force(space: &SearchSpace) -> Vec<Vec<crate::model::Step>> {
    let points = every_chain(space);
    let extra = Extra::of(&space.objectives);
    let mut frontier: Vec<&Point> = points
        .iter()
        .filter(|x| {
            !points.iter().any(|y| {
                let beats = y.no_worse(x, extra)
                    && (y.cost < x.cost
                        || y.unavailability < x.unavailability
                        || (extra.p95 && y.p95 < x.p95)
                        || (extra.success && y.success > x.success));
                let tie_first = y.no_worse(x, extra) && x.no_worse(y, extra) && y.key() < x.key();
                beats || tie_first
            })
        })
        .collect();
    frontier.sort_by(|x, y| x.cost.total_cmp(&y.cost).then(x.key().cmp(&y.key())));
    steps_of(space, &frontier)
}

/// Every chain scored, filtered by the definition of the frontier at the
/// space's resolution (`MODEL.md` §5): a chain is left out when another is
/// ahead of it, that is no dearer, no worse in the cells of p95 and
/// availability (and no less successful), and strictly better in one of
/// those or, all equal, first by its exact unavailability, p95, success
/// and canonical order. Written from the definition, pair by pair.
fn brute_force_cells(space: &SearchSpace) -> Vec<Vec<crate::model::Step>> {
    let points = every_chain(space);
    let extra = Extra::of(&space.objectives);
    let grid = Grid::new(space.resolution);
    let cells = |p: &Point| {
        (
            grid.unavailability(p.unavailability),
            if extra.p95 { grid.p95(p.p95) } else { 0.0 },
        )
    };
    let success = |p: &Point| if extra.success { p.success } else { 0.0 };
    let ahead = |x: &Point, y: &Point| {
        let (cx, cy) = (cells(x), cells(y));
        let no_worse = x.cost <= y.cost && cx.0 <= cy.0 && cx.1 <= cy.1 && success(x) >= success(y);
        let strict = x.cost < y.cost || cx.0 < cy.0 || cx.1 < cy.1 || success(x) > success(y);
        let first = (x.unavailability, x.p95, -x.success)
            .partial_cmp(&(y.unavailability, y.p95, -y.success))
            .expect("no NaN")
            .then(x.key().cmp(&y.key()))
            .is_lt();
        no_worse && (strict || first)
    };
    let frontier: Vec<&Point> = points
        .iter()
        .filter(|y| !points.iter().any(|x| ahead(x, y)))
        .collect();
    steps_of(space, &frontier)
}

/// The search's frontier at `space`'s resolution against brute force
/// ([`brute_force_cells`]), and the guarantees of `MODEL.md` §5 against
/// the exact frontier ([`brute_force`]): (a) each of its points has a
/// point returned no dearer, at most the resolution less available (in
/// nines) and slower (relative), and no less successful; (b) no point
/// returned is dominated by another. Returns the sizes of both frontiers.
fn assert_covers(space: &SearchSpace) -> (usize, usize) {
    let got = search(space);
    let mut got_steps: Vec<_> = got.points.iter().map(|c| c.steps.clone()).collect();
    let mut want = brute_force_cells(space);
    let order = |a: &Vec<crate::model::Step>, b: &Vec<crate::model::Step>| {
        format!("{a:?}").cmp(&format!("{b:?}"))
    };
    got_steps.sort_by(order);
    want.sort_by(order);
    assert_eq!(got_steps, want, "{:?}", space.objectives);
    let exact_space = exact(space);
    // The exact search is brute force's frontier (and so its figures).
    assert_same(&exact_space);
    let exact = search(&exact_space);
    let missed = uncovered(&exact.points, &got.points, space);
    assert!(missed.is_empty(), "not covered: {missed:?}");
    for x in &got.points {
        for y in &got.points {
            assert!(
                std::ptr::eq(x, y) || !dominates(x, y, space),
                "{:?} dominates {:?}",
                x.steps,
                y.steps
            );
        }
    }
    (got.points.len(), exact.points.len())
}

/// The points of `exact` that no point of `got` covers at `space`'s
/// resolution (a relative 1e-9 above it for rounding).
fn uncovered<'a>(
    exact: &'a [Candidate],
    got: &[Candidate],
    space: &SearchSpace,
) -> Vec<&'a Vec<crate::model::Step>> {
    let r = space.resolution;
    let slack = 1.0 + 1e-9;
    let p95 = |c: &Candidate| c.p95_ms.unwrap_or(f64::INFINITY);
    let success = |c: &Candidate| c.success_within_budget.unwrap_or(0.0);
    exact
        .iter()
        .filter(|y| {
            !got.iter().any(|x| {
                x.monthly_usd <= y.monthly_usd
                    && x.unavailability
                        <= y.unavailability * 10f64.powf(r.availability_nines) * slack
                    && p95(x) <= p95(y) * (1.0 + r.p95) * slack
                    && success(x) >= success(y) - 1e-12
            })
        })
        .map(|y| &y.steps)
        .collect()
}

/// `x` no worse than `y` on every objective and strictly better on one,
/// by the exact figures.
fn dominates(x: &Candidate, y: &Candidate, space: &SearchSpace) -> bool {
    let extra = Extra::of(&space.objectives);
    let p95 = |c: &Candidate| c.p95_ms.unwrap_or(f64::INFINITY);
    let success = |c: &Candidate| c.success_within_budget.unwrap_or(0.0);
    let no_worse = x.monthly_usd <= y.monthly_usd
        && x.unavailability <= y.unavailability
        && (!extra.p95 || p95(x) <= p95(y))
        && (!extra.success || success(x) >= success(y));
    let better = x.monthly_usd < y.monthly_usd
        || x.unavailability < y.unavailability
        || (extra.p95 && p95(x) < p95(y))
        || (extra.success && success(x) > success(y));
    no_worse && better
}

fn assert_same(space: &SearchSpace) {
    let got = search(space);
    let mut got_steps: Vec<_> = got.points.iter().map(|c| c.steps.clone()).collect();
    let mut want = brute_force(space);
    let order = |a: &Vec<crate::model::Step>, b: &Vec<crate::model::Step>| {
        format!("{a:?}").cmp(&format!("{b:?}"))
    };
    got_steps.sort_by(order);
    want.sort_by(order);
    assert_eq!(got_steps, want, "{:?}", space.objectives);
    // Each point's figures are its route's, evaluated the general way.
    let extra = Extra::of(&space.objectives);
    for c in &got.points {
        let f = latency::figures(&route_portfolio(space, &c.steps)).expect("small");
        if extra.p95 {
            let p95 = f.latency.percentile(0.95);
            assert_eq!(c.p95_ms, p95, "{:?}", c.steps);
        }
        if extra.success {
            let s = c.success_within_budget.expect("an objective");
            assert!((s - f.success).abs() <= 1e-12, "{s} vs {}", f.success);
        }
    }
}

#[test]
fn the_p95_frontier_matches_brute_force() {
    for seed in 0..3 {
        assert_same(&space(
            seed,
            5,
            &[Objective::Cost, Objective::Availability, Objective::P95],
            None,
        ));
    }
}

#[test]
fn the_four_objective_frontier_matches_brute_force_under_a_budget() {
    let all = Objective::ALL;
    for seed in 3..6 {
        assert_same(&space(seed, 5, &all, Some(6_000.0)));
    }
    let success = [
        Objective::Cost,
        Objective::Availability,
        Objective::SuccessWithinBudget,
    ];
    assert_same(&space(6, 5, &success, Some(4_000.0)));
}

#[test]
fn p95_as_an_objective_keeps_fast_chains_the_two_axes_drop() {
    let two = space(7, 6, &Objective::DEFAULT, None);
    let three = space(
        7,
        6,
        &[Objective::Cost, Objective::Availability, Objective::P95],
        None,
    );
    let (a, b) = (search(&two), search(&three));
    assert!(
        b.points.len() > a.points.len(),
        "{} vs {}",
        b.points.len(),
        a.points.len()
    );
    // Every point of the two-axis frontier is on the three-axis one.
    for p in &a.points {
        assert!(b.points.iter().any(|q| q.steps == p.steps), "{:?}", p.steps);
    }
    // A p95 for every point that ever succeeds (the cheapest may never).
    assert!(
        b.points
            .iter()
            .all(|p| p.p95_ms.is_some() == (p.availability > 0.0))
    );
}

/// The batches and the sweeps prune only with chains fixed before them or
/// found before in a fixed order: the frontier and the counts are the same
/// on any number of threads.
#[test]
fn the_p95_search_is_the_same_on_any_thread_count() {
    for (objectives, resolution) in [
        (
            vec![Objective::Cost, Objective::Availability, Objective::P95],
            Resolution::EXACT,
        ),
        (Objective::ALL.to_vec(), Resolution::EXACT),
        (
            vec![Objective::Cost, Objective::Availability, Objective::P95],
            Resolution::DEFAULT,
        ),
    ] {
        let mut s = space(8, 12, &objectives, Some(9_000.0));
        s.resolution = resolution;
        let reference = search(&s);
        assert!(reference.points.len() > 20, "{}", reference.points.len());
        for threads in [1, 2, 3] {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .expect("thread pool");
            let f = pool.install(|| search(&s));
            assert_eq!(f, reference, "{threads} threads");
        }
    }
}

fn p95_space(seed: u64, offerings: usize, resolution: Resolution) -> SearchSpace {
    let mut s = space(
        seed,
        offerings,
        &[Objective::Cost, Objective::Availability, Objective::P95],
        None,
    );
    s.resolution = resolution;
    s
}

/// At the default resolution and coarser ones, the frontier is brute
/// force's by the definition, covers the exact one and holds no dominated
/// point; the coarser the resolution, the fewer points.
#[test]
fn the_frontier_at_a_resolution_covers_the_exact_one() {
    let coarse = Resolution {
        p95: 0.1,
        availability_nines: 0.25,
    };
    for seed in 0..3 {
        let (default, exact) = assert_covers(&p95_space(seed, 5, Resolution::DEFAULT));
        let (fewer, _) = assert_covers(&p95_space(seed, 5, coarse));
        assert!(
            fewer < default && default <= exact,
            "seed {seed}: {fewer} < {default} <= {exact}"
        );
    }
    // Four objectives (success stays exact) and success alone.
    let mut all = space(3, 5, &Objective::ALL, Some(6_000.0));
    all.resolution = coarse;
    assert_covers(&all);
    let mut success = space(
        6,
        5,
        &[
            Objective::Cost,
            Objective::Availability,
            Objective::SuccessWithinBudget,
        ],
        Some(4_000.0),
    );
    success.resolution = coarse;
    assert_covers(&success);
    // Each resolution alone.
    for resolution in [
        Resolution {
            p95: 0.05,
            availability_nines: 0.0,
        },
        Resolution {
            p95: 0.0,
            availability_nines: 0.1,
        },
    ] {
        assert_covers(&p95_space(4, 5, resolution));
    }
}

/// The checks can fail: without its cheapest point (which only a point as
/// cheap can cover) the frontier no longer covers the exact one, and the
/// exact frontier with a dominated point added fails the other check.
#[test]
fn the_coverage_check_catches_a_missing_point() {
    let s = p95_space(1, 5, Resolution::DEFAULT);
    let exact = search(&exact(&s)).points;
    let mut got = search(&s).points;
    assert!(uncovered(&exact, &got, &s).is_empty());
    got.remove(0);
    assert!(!uncovered(&exact, &got, &s).is_empty());
    let mut worse = exact[0].clone();
    worse.monthly_usd *= 1.5;
    assert!(dominates(&exact[0], &worse, &s));
}

/// `s` at a resolution of 0.
fn exact(s: &SearchSpace) -> SearchSpace {
    SearchSpace {
        resolution: Resolution::EXACT,
        ..s.clone()
    }
}

/// The default resolution at a size where the exact frontier is large:
/// far fewer points, all covering it (against the exact search, which the
/// tests above tie to brute force).
#[test]
fn the_default_resolution_shrinks_a_large_frontier() {
    let s = p95_space(8, 12, Resolution::DEFAULT);
    let exact = search(&exact(&s));
    let got = search(&s);
    assert!(
        got.points.len() * 4 < exact.points.len(),
        "{} vs {}",
        got.points.len(),
        exact.points.len()
    );
    assert!(got.stats.chains_scored <= exact.stats.chains_scored);
    assert!(uncovered(&exact.points, &got.points, &s).is_empty());
}

#[test]
fn objectives_have_one_name_each() {
    for o in Objective::ALL {
        assert_eq!(Objective::from_name(o.name()), Some(o));
    }
    assert_eq!(Objective::from_name("p99"), None);
    assert_eq!(
        Objective::names(),
        "cost, availability, p95, success_within_budget"
    );
}

mod random_spaces {
    use super::*;
    use crate::model::tokens::{TokenMix, TokenMixes};
    use proptest::prelude::*;
    use proptest::test_runner::{Config, RngSeed};

    /// Fixed seed: a failing case is a bug to fix, not noise to re-run away.
    fn config(cases: u32) -> Config {
        Config {
            cases,
            rng_seed: RngSeed::Fixed(0x5ea2_c4f5),
            failure_persistence: None,
            ..Config::default()
        }
    }

    /// A small search space drawn at random: offerings, groups (some
    /// offerings in two), tries, timeouts, backoff, a budget or none,
    /// answers of one length or two, constraints, and which extra
    /// objectives count.
    #[allow(clippy::type_complexity)]
    fn spaces() -> impl Strategy<Value = SearchSpace> {
        (
            (any::<u64>(), 3..=5usize, 0..=3usize, any::<bool>()),
            (
                prop::sample::subsequence(vec![1u32, 2, 3], 1..=2),
                prop::collection::vec(800.0..12_000.0f64, 1..=2),
                0.0..400.0f64,
                prop::option::of(1_500.0..15_000.0f64),
                any::<bool>(),
            ),
            (
                0..3usize,
                prop::option::of(0.99..0.99999f64),
                prop::option::of(0.0005..0.02f64),
                2..=3usize,
            ),
        )
            .prop_map(
                |(
                    (seed, offerings, groups, two_groups),
                    (attempts, timeouts_ms, backoff_ms, budget, two_lengths),
                    (which, min_availability, max_per_request, max_chain_length),
                )| {
                    let mut portfolio = synthetic::catalog(seed, offerings, groups);
                    if two_groups && groups >= 2 {
                        // The first offering also needs the group it lacks.
                        let o = &mut portfolio.offerings[0];
                        let g = usize::from(o.groups.first() == Some(&0));
                        if !o.groups.contains(&g) {
                            o.groups.push(g);
                            o.availability *= portfolio.groups[g].availability;
                        }
                    }
                    portfolio.workload.latency_budget_ms = budget;
                    if two_lengths {
                        portfolio.workload.token_mixes = Some(TokenMixes {
                            input: TokenMix::single(portfolio.workload.input_tokens),
                            output: TokenMix::new(&[(150.0, 0.7), (900.0, 0.3)]).expect("a mix"),
                        });
                    }
                    let extra: &[Objective] = match (which, budget) {
                        (0, _) | (_, None) => &[Objective::P95],
                        (1, _) => &[Objective::SuccessWithinBudget],
                        _ => &[Objective::P95, Objective::SuccessWithinBudget],
                    };
                    let mut objectives = Objective::DEFAULT.to_vec();
                    objectives.extend_from_slice(extra);
                    // A monthly maximum that rules out the dearer chains
                    // (the synthetic requests cost $0.0002 to $0.02).
                    let max_monthly_usd = max_per_request.map(|usd| {
                        let w = &portfolio.workload;
                        usd * w.requests_per_month + w.fixed_monthly_usd
                    });
                    SearchSpace {
                        portfolio,
                        max_chain_length,
                        attempts,
                        timeouts_ms,
                        backoff_ms,
                        constraints: Constraints {
                            min_availability,
                            max_monthly_usd,
                        },
                        objectives,
                        resolution: Resolution::EXACT,
                    }
                },
            )
    }

    proptest! {
        #![proptest_config(config(48))]

        /// The pruned search finds exactly the brute-force frontier, with
        /// each point's figures those of its route evaluated the general way.
        #[test]
        fn random_spaces_give_the_brute_force_frontier(space in spaces()) {
            assert_same(&space);
        }
    }

    proptest! {
        #![proptest_config(config(32))]

        /// At a random resolution (0 among them), the pruned search finds
        /// the frontier the definition gives, which covers the exact one
        /// and holds no dominated point.
        #[test]
        fn random_spaces_at_a_resolution_cover_the_exact_frontier(
            mut space in spaces(),
            p95 in prop::sample::select(vec![0.0, 0.001, 0.01, 0.05, 0.2]),
            nines in prop::sample::select(vec![0.0, 0.01, 0.05, 0.3]),
        ) {
            space.resolution = Resolution { p95, availability_nines: nines };
            assert_covers(&space);
        }
    }
}
