use super::*;
use crate::model::{Route, exact};

/// A small search space over the synthetic catalog.
fn space(seed: u64, offerings: usize, groups: usize) -> SearchSpace {
    SearchSpace {
        portfolio: synthetic::catalog(seed, offerings, groups),
        max_chain_length: 3,
        attempts: vec![1, 2],
        timeouts_ms: vec![4_000.0, 12_000.0],
        backoff_ms: 50.0,
        constraints: Constraints::default(),
        objectives: Objective::DEFAULT.to_vec(),
        resolution: Resolution::DEFAULT,
    }
}

/// Every chain of distinct offerings, scored one by one, then filtered with the
/// frontier's definition: feasible, not beaten on cost and availability, ties to
/// the canonically first. The scores decide with the search's own scorer (so
/// that rounding cannot make two correct answers differ); each frontier point's
/// figures are then checked against the general closed form, `exact::figures`.
fn brute_force(space: &SearchSpace) -> Vec<(Vec<Step>, f64, f64)> {
    let options = step_options(space);
    let mut chains: Vec<Vec<usize>> = (0..options.len()).map(|i| vec![i]).collect();
    let mut frontier_of_len = chains.clone();
    for _ in 1..space.max_chain_length {
        let mut longer = Vec::new();
        for c in &frontier_of_len {
            for (i, o) in options.iter().enumerate() {
                if c.iter().all(|&j| options[j].offering != o.offering) {
                    let mut n = c.clone();
                    n.push(i);
                    longer.push(n);
                }
            }
        }
        chains.extend(longer.iter().cloned());
        frontier_of_len = longer;
    }
    let w = &space.portfolio.workload;
    let scorer = ChainScorer::for_portfolio(&space.portfolio);
    let scored: Vec<(Vec<usize>, f64, f64)> = chains
        .into_iter()
        .map(|c| {
            let refs: Vec<&StepOption> = c.iter().map(|&i| &options[i]).collect();
            let f = scorer.score(&refs);
            (c, f.cost_per_request, f.unavailability)
        })
        .filter(|(_, cost, u)| {
            let c = space.constraints;
            c.min_availability.is_none_or(|m| 1.0 - u >= m)
                && c.max_monthly_usd
                    .is_none_or(|m| cost * w.requests_per_month + w.fixed_monthly_usd <= m)
        })
        .collect();
    let mut frontier = Vec::new();
    for (i, x) in scored.iter().enumerate() {
        let beaten = scored.iter().enumerate().any(|(j, y)| {
            let strictly = y.1 <= x.1 && y.2 <= x.2 && (y.1 < x.1 || y.2 < x.2);
            let tie_first = y.1 == x.1 && y.2 == x.2 && (y.0.len(), &y.0) < (x.0.len(), &x.0);
            j != i && (strictly || tie_first)
        });
        if !beaten {
            frontier.push(x.clone());
        }
    }
    frontier.sort_by(|a, b| a.1.total_cmp(&b.1));
    frontier
        .into_iter()
        .map(|(c, cost, u)| (c.iter().map(|&i| options[i].step).collect(), cost, u))
        .collect()
}

fn assert_same(space: &SearchSpace) {
    let got = search(space);
    let want = brute_force(space);
    let close = |a: f64, b: f64| (a - b).abs() <= 1e-12 * a.abs().max(b.abs());
    assert_eq!(
        got.points.len(),
        want.len(),
        "frontier sizes differ: {:?}\nvs\n{:?}",
        got.points.iter().map(|p| &p.steps).collect::<Vec<_>>(),
        want.iter().map(|w| &w.0).collect::<Vec<_>>()
    );
    for (g, w) in got.points.iter().zip(&want) {
        assert_eq!(g.steps, w.0);
        assert_eq!((g.cost_per_request, g.unavailability), (w.1, w.2));
        let mut p = space.portfolio.clone();
        p.routes = vec![Route {
            name: "x".into(),
            share: 1.0,
            steps: g.steps.clone(),
        }];
        let f = exact::figures(&p);
        assert!(
            close(g.cost_per_request, f.cost_per_request),
            "{} vs {}",
            g.cost_per_request,
            f.cost_per_request
        );
        assert!(
            close(g.unavailability, f.unavailability),
            "{} vs {}",
            g.unavailability,
            f.unavailability
        );
    }
    assert!(got.stats.chains_scored <= got.stats.chains_total);
}

#[test]
fn frontier_matches_brute_force_with_shared_groups() {
    for seed in 0..6 {
        assert_same(&space(seed, 7, 3));
    }
}

#[test]
fn frontier_matches_brute_force_without_groups() {
    for seed in 10..13 {
        assert_same(&space(seed, 7, 0));
    }
}

#[test]
fn frontier_matches_brute_force_under_constraints() {
    for seed in 20..24 {
        let mut s = space(seed, 7, 2);
        s.constraints = Constraints {
            min_availability: Some(0.9999),
            max_monthly_usd: Some(9_000.0),
        };
        assert_same(&s);
    }
}

#[test]
fn frontier_matches_brute_force_for_short_chains() {
    for len in 1..=2 {
        let mut s = space(30 + len as u64, 8, 3);
        s.max_chain_length = len;
        assert_same(&s);
    }
}

#[test]
fn the_frontier_is_sorted_by_cost_and_trades_cost_for_availability() {
    let f = search(&space(3, 20, 4));
    assert!(f.points.len() >= 3, "{} points", f.points.len());
    for pair in f.points.windows(2) {
        assert!(pair[0].monthly_usd < pair[1].monthly_usd);
        assert!(pair[0].availability < pair[1].availability);
    }
}

#[test]
fn pruning_scores_fewer_chains_than_brute_force() {
    let f = search(&space(4, 40, 5));
    assert!(
        f.stats.chains_scored * 10 < f.stats.chains_total,
        "{:?}",
        f.stats
    );
    assert!(f.stats.options_kept < f.stats.options);
}

#[test]
fn the_same_space_gives_the_same_frontier_on_any_thread_count() {
    let s = space(5, 30, 4);
    let reference = search(&s);
    for threads in [1, 2, 3] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("thread pool");
        let f = pool.install(|| search(&s));
        assert_eq!(f, reference, "{threads} threads");
    }
}

#[test]
fn an_impossible_constraint_gives_an_empty_frontier() {
    let mut s = space(6, 6, 2);
    s.constraints.min_availability = Some(1.0);
    assert!(search(&s).points.is_empty());
}

#[test]
fn a_finished_search_reports_all_its_work_done() {
    let s = space(7, 30, 4);
    let progress = Progress::new();
    let f = search_with_progress(&s, &progress).expect("not cancelled");
    assert_eq!(f, search(&s));
    let (done, total) = progress.position();
    assert_eq!(done, total);
    assert!(total > f.stats.options_kept, "both phases counted: {total}");
}

#[test]
fn a_search_cancelled_while_pairing_stops_at_the_next_prefix() {
    let s = space(8, 30, 4);
    let progress = Progress::new();
    progress.cancel_when_done(1);
    assert_eq!(search_with_progress(&s, &progress), Err(Cancelled));
    assert_eq!(progress.position().0, 1, "no prefix after the cancel");
}

#[test]
fn a_search_cancelled_while_extending_stops_within_a_prefix_per_thread() {
    let s = space(9, 30, 4);
    let kept = search(&s).stats.options_kept;
    let progress = Progress::new();
    progress.cancel_when_done(kept + 1);
    assert_eq!(search_with_progress(&s, &progress), Err(Cancelled));
    let (done, total) = progress.position();
    let threads = rayon::current_num_threads() as u64;
    assert!(done < total, "stopped early: {done} of {total}");
    assert!(
        done <= kept + 1 + threads,
        "at most one prefix per thread after the cancel: {done} (kept {kept})"
    );
}

#[test]
fn a_cancelled_report_simulates_no_further_point() {
    let s = space(10, 12, 3);
    let frontier = search(&s);
    assert!(frontier.points.len() >= 2);
    let options = report::PointOptions {
        samples: 2_000,
        seed: 1,
        min_success_within_budget: None,
    };
    let progress = Progress::new();
    progress.cancel_when_done(1);
    let result = report::report_with_progress(&s, &frontier, options, &progress);
    assert!(result.is_err());
    let (done, total) = progress.position();
    assert!(
        done <= options.samples,
        "one point at most: {done} of {total}"
    );
}

/// Three offerings at 99.9% each, 100 requests a minute; the cheapest (`a`)
/// takes 50 a minute, `b` 40, `c` has no limit; prices rise from a to c.
fn limited_space(min_availability: f64) -> SearchSpace {
    use crate::model::testkit::{chain, offering};
    let mut offerings = vec![
        offering("a", 0.999),
        offering("b", 0.999),
        offering("c", 0.999),
    ];
    for (k, o) in offerings.iter_mut().enumerate() {
        o.prices.input_per_mtok = 1.0 + k as f64;
    }
    offerings[0].quota.rpm = Some(50.0);
    offerings[1].quota.rpm = Some(40.0);
    let mut portfolio = chain(offerings);
    portfolio.routes.clear();
    portfolio.workload.requests_per_month = 100.0 * 43_200.0;
    SearchSpace {
        portfolio,
        max_chain_length: 2,
        attempts: vec![1],
        timeouts_ms: vec![10_000.0],
        backoff_ms: 0.0,
        constraints: Constraints {
            min_availability: Some(min_availability),
            max_monthly_usd: None,
        },
        objectives: Objective::DEFAULT.to_vec(),
        resolution: Resolution::DEFAULT,
    }
}

#[test]
fn under_rate_limits_a_chain_whose_fallback_cannot_carry_the_peak_is_dropped() {
    // Without limits any pair of these is a 99.9999% chain. With them, `a`
    // first rejects half of the 100 a minute and `b` takes only 40 of the
    // 50 left (about 90%); `c` then `a` is sent all 100 at `a` while `c` is
    // down (0.1% of the time), where `a` rejects half: 0.999 + 0.001 × 0.999 × 0.5,
    // short of 99.99% too. No chain of this space qualifies.
    assert!(search(&limited_space(0.9999)).points.is_empty());
    // By hand: `c` up, or `c` down and `a` up and not rejecting.
    let c_then_a =
        0.999 + 0.001 * 0.999 * (1.0 - crate::model::capacity::rejected_share(100.0, 50.0));
    let mut chain = limited_space(0.9999).portfolio;
    chain.routes = vec![Route {
        name: "c then a".to_owned(),
        share: 1.0,
        steps: vec![
            crate::model::testkit::step(2, 1, 10_000.0),
            crate::model::testkit::step(0, 1, 10_000.0),
        ],
    }];
    let figures = crate::model::capacity::analyse(&chain);
    assert!(
        (figures.day.availability - c_then_a).abs() < 1e-9,
        "{}",
        figures.day.availability
    );
    assert!(figures.day.availability < 0.9999);
    // With room for the whole load at `a` (200 a minute), `a` then `c` is
    // the cheapest chain that carries every outage: 1 - 0.001².
    let mut space = limited_space(0.9999);
    space.portfolio.offerings[0].quota.rpm = Some(200.0);
    let frontier = search(&space);
    let chains: Vec<Vec<usize>> = frontier
        .points
        .iter()
        .map(|p| p.steps.iter().map(|s| s.offering).collect())
        .collect();
    assert_eq!(chains, vec![vec![0, 2]]);
    for p in &frontier.points {
        let peak = p.availability_at_peak.expect("limited");
        assert!(peak >= 0.9999 && p.availability >= 0.9999, "{p:?}");
        assert!((p.availability - (1.0 - 0.001 * 0.001)).abs() < 1e-9);
    }
    // The figures are the capacity model's for the chain.
    let best = &frontier.points[0];
    let mut chain = space.portfolio.clone();
    chain.routes = vec![Route {
        name: "chain".to_owned(),
        share: 1.0,
        steps: best.steps.clone(),
    }];
    let a = crate::model::capacity::analyse(&chain);
    assert!((best.availability - a.day.availability).abs() < 1e-12);
    assert!((best.cost_per_request - a.day.cost_per_request).abs() < 1e-15);
}
