//! The lint's capacity rules (`MODEL.md` §12): a step sent more than its
//! offering's rate limit takes, at the peak or while the steps before it are
//! down, and by how much.
//!
//! | code | severity | fires when |
//! |---|---|---|
//! | `limit-exceeded-at-peak` | warning | at the peak minute the offering is sent more attempts a minute than its binding limit takes |
//! | `limit-exceeded-upstream-outage` | warning | while every earlier step of the route is down, the step is sent more than its offering's limit takes |

use crate::format::{count, percent, rate_limit};
use crate::model::capacity::{self, Analysis};
use crate::plan::Resolved;

use super::lint::{Finding, Severity};

/// The capacity findings of `resolved`, from the engine's capacity figures.
pub fn findings(resolved: &Resolved) -> Vec<Finding> {
    let portfolio = &resolved.portfolio;
    if !capacity::is_limited(portfolio) {
        return Vec::new();
    }
    let analysis: Analysis = capacity::analyse(portfolio);
    let peak = portfolio.workload.traffic.peak_hour();
    let mut out = Vec::new();
    let mut k = 0;
    for (r, route) in portfolio.routes.iter().enumerate() {
        for j in 0..route.steps.len() {
            let s = &analysis.steps[k];
            k += 1;
            let (Some(kind), Some(limit), Some(headroom)) =
                (s.binding_limit, s.limit_rpm, s.headroom_peak)
            else {
                continue;
            };
            let quota = &portfolio.offerings[route.steps[j].offering].quota;
            let described = rate_limit(kind, quota, &portfolio.workload);
            if headroom < 0.0 {
                out.push(Finding::step(
                    resolved,
                    r,
                    j,
                    Severity::Warning,
                    "limit-exceeded-at-peak",
                    format!(
                        "at the peak ({peak:02}:00 UTC) the offering is sent {} attempts a minute against \
                         its {described} ({} over); it rejects {} of them (429s), \
                         {} over the day, and the plan's availability at the peak is {}",
                        count((limit * (1.0 - headroom)).round()),
                        percent(-headroom),
                        percent(s.rejected_share_peak),
                        percent(s.rejected_share_day),
                        percent(analysis.availability_at_peak),
                    ),
                ));
            }
            if let (Some(sent), Some(rejected), Some(available)) = (
                s.offered_rpm_upstream_outage,
                s.rejected_share_upstream_outage,
                s.availability_upstream_outage,
            ) && sent > limit
            {
                out.push(Finding::step(
                    resolved,
                    r,
                    j,
                    Severity::Warning,
                    "limit-exceeded-upstream-outage",
                    format!(
                        "while the steps before it are down, at the peak it is sent {} attempts a minute \
                         against its {described} ({} over); it rejects {} of them, and \
                         the route's availability falls to {}",
                        count(sent.round()),
                        percent(sent / limit - 1.0),
                        percent(rejected),
                        percent(available),
                    ),
                ));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::testkit::{pair_plan, resolved_from};

    /// The test pair, 1,000,000 requests a month (23.1 a minute on a flat
    /// day), with these limits on the primary and the fallback.
    fn limited(primary: f64, fallback: f64) -> Vec<Finding> {
        let mut plan = pair_plan();
        plan.offerings[0].rpm_limit = Some(primary);
        plan.offerings[1].rpm_limit = Some(fallback);
        findings(&resolved_from(&plan))
    }

    #[test]
    fn a_primary_over_its_limit_at_the_peak_is_warned_with_its_figures() {
        let found = limited(10.0, 1_000.0);
        assert_eq!(found.len(), 1, "{found:?}");
        let f = &found[0];
        assert_eq!((f.code, f.step), ("limit-exceeded-at-peak", Some(0)));
        // The figures are the engine's, not recomputed here.
        let mut plan = pair_plan();
        plan.offerings[0].rpm_limit = Some(10.0);
        let a = capacity::analyse(&resolved_from(&plan).portfolio);
        let s = &a.steps[0];
        let over = percent(-s.headroom_peak.expect("limited"));
        assert!(
            f.message.contains(&format!("({over} over)")),
            "{}",
            f.message
        );
        assert!(
            f.message.contains(&percent(s.rejected_share_peak)),
            "{}",
            f.message
        );
        assert!(
            f.message.contains("rpm_limit of 10 requests a minute"),
            "{}",
            f.message
        );
    }

    #[test]
    fn a_fallback_too_small_for_the_primary_outage_is_warned() {
        // 23.1 a minute while the primary is down, against 15.
        let found = limited(1_000.0, 15.0);
        assert_eq!(found.len(), 1, "{found:?}");
        let f = &found[0];
        assert_eq!(
            (f.code, f.step),
            ("limit-exceeded-upstream-outage", Some(1))
        );
        assert!(
            f.message.contains("sent 23 attempts a minute"),
            "{}",
            f.message
        );
    }

    #[test]
    fn limits_with_room_and_plans_without_limits_are_quiet() {
        assert!(limited(1_000.0, 1_000.0).is_empty());
        assert!(findings(&resolved_from(&pair_plan())).is_empty());
    }
}
