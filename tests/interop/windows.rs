//! Outage-window scenarios (issue 19): the primary is down for whole windows
//! on a schedule, requests arrive steadily, and what the gateway does inside
//! and after each window is compared with `evaluate --as <gateway> --json`'s
//! `during_outage` (`MODEL.md` §13).
//!
//! Everything comes from the plan, so the fakes, the load and the prediction
//! cannot drift apart: the offering whose availability is below 1 is down for
//! its MTTR at the start of every `MTTR / (1 − availability)` (so the plan's
//! availability and MTTR *are* the schedule's), and requests arrive every
//! `1/λ` with `λ` the plan's mean rate, half a gap after each window opens so
//! that no arrival sits on an edge.
//!
//! Figures, each measured once per window and checked by batch means
//! ([`crate::stats::BatchCheck`]):
//! - failed attempts on the primary per request arriving in the window
//!   (`attempts_per_request`) and the share of them that reached it at all
//!   (`paying_share`);
//! - how long traffic stayed off the primary after the window: requests
//!   arriving after it ended that skipped the primary, times `1/λ`
//!   (`return_to_primary_s`);
//! - the share of the window's successes served by the backup (every one:
//!   the primary is down);
//! - the latency the failed attempts add, p50 and p95: the window's
//!   successful requests against the same period's up-time requests served
//!   by the primary at its first attempt (both steps have the same latency
//!   in the scenario plans, so that baseline is the skipped step's). The
//!   gateway's own time, measured at the fakes, is no upstream's and no part
//!   of the model: the time before its first upstream attempt and, after a
//!   failed attempt, its fallback hop to the next. Both are taken out of each
//!   request and reported on their own ([`GatewayTime`]).

use std::collections::BTreeMap;
use std::time::Duration;

use serde_json::Value;
use switchyard::export::during_outage::MONTH_S;
use switchyard::model::Portfolio;
use switchyard_e2e::fake_provider::DownWindows;

use crate::load::{MAX_ARRIVALS, Outcome};
use crate::scenario::WindowsSpec;
use crate::stats::BatchCheck;

/// The schedule of one windows run.
#[derive(Debug, Clone, Copy)]
pub struct Schedule {
    /// The offering that goes down (index into the portfolio).
    pub offering: usize,
    pub windows: DownWindows,
    /// Requests a second.
    pub rate_per_s: f64,
}

impl Schedule {
    /// The schedule `portfolio` describes: one offering below availability 1
    /// (and no group below it), down for its MTTR every `MTTR / (1 − a)`.
    pub fn of(portfolio: &Portfolio, spec: WindowsSpec) -> Result<Schedule, String> {
        if portfolio.groups.iter().any(|g| g.availability < 1.0) {
            return Err("a windows scenario's groups must have availability 1".to_owned());
        }
        let down: Vec<usize> = (0..portfolio.offerings.len())
            .filter(|&o| portfolio.offerings[o].availability < 1.0)
            .collect();
        let [offering] = down[..] else {
            return Err(format!(
                "a windows scenario needs exactly one offering with availability below 1, got {}",
                down.len()
            ));
        };
        let o = &portfolio.offerings[offering];
        let down_s = o.mttr_minutes * 60.0;
        let period_s = down_s / (1.0 - o.availability);
        let rate_per_s = portfolio.workload.requests_per_month / MONTH_S;
        if !(1.0..=50.0).contains(&rate_per_s) {
            return Err(format!(
                "a windows scenario needs 1 to 50 requests a second, the plan's mean rate is {rate_per_s:.3}"
            ));
        }
        Ok(Schedule {
            offering,
            windows: DownWindows {
                period: Duration::from_secs_f64(period_s),
                down: Duration::from_secs_f64(down_s),
                count: spec.count,
            },
            rate_per_s,
        })
    }

    /// Steady arrivals over every period, half a gap after each window opens.
    pub fn arrivals(&self) -> Vec<Duration> {
        let end = (self.windows.period * self.windows.count).as_secs_f64();
        (0..MAX_ARRIVALS)
            .map(|i| (i as f64 + 0.5) / self.rate_per_s)
            .take_while(|&t| t < end)
            .map(Duration::from_secs_f64)
            .collect()
    }

    /// The window (index) `at` falls in, and whether it is inside the outage
    /// (else in the up-time after it).
    fn place(&self, at: Duration) -> (u32, bool) {
        let k = (at.as_secs_f64() / self.windows.period.as_secs_f64()).floor() as u32;
        (k, self.windows.down_at(at))
    }
}

/// When request `o` arrived: its key is `r<index>` into `arrivals`.
fn arrival(o: &Outcome, arrivals: &[Duration]) -> Option<Duration> {
    let i: usize = o.key.strip_prefix('r')?.parse().ok()?;
    arrivals.get(i).copied()
}

/// What `during_outage` predicts for the step that goes down.
#[derive(Debug, Clone, Copy)]
pub struct Predicted {
    pub attempts_per_request: f64,
    pub paying_share: f64,
    pub return_to_primary_s: f64,
    pub added_p50_ms: f64,
    pub added_p95_ms: f64,
    pub recommended_cooldown_s: f64,
}

/// `during_outage` of `evaluate --as --json` for step `step` of `route`.
pub fn predicted(json: &Value, route: &str, step: usize) -> Result<Predicted, String> {
    let d = json
        .get("during_outage")
        .and_then(Value::as_array)
        .and_then(|all| {
            all.iter()
                .find(|d| d["route"] == route && d["step"].as_u64() == Some(step as u64))
        })
        .ok_or_else(|| {
            format!("evaluate --as --json has no during_outage for {route} step {step}")
        })?;
    let num = |pointer: &str| {
        d.pointer(pointer)
            .and_then(Value::as_f64)
            .ok_or_else(|| format!("during_outage{pointer} is missing"))
    };
    Ok(Predicted {
        attempts_per_request: num("/attempts_per_request")?,
        paying_share: num("/paying_share")?,
        return_to_primary_s: num("/return_to_primary_s")?,
        added_p50_ms: num("/added_latency_ms/p50")?,
        added_p95_ms: num("/added_latency_ms/p95")?,
        recommended_cooldown_s: num("/recommended_cooldown_s")?,
    })
}

/// One figure of a windows run.
#[derive(Debug, Clone)]
pub struct WindowFigure {
    pub name: String,
    /// How the values print: `share`, `attempts`, `s` or `ms`.
    pub unit: &'static str,
    pub check: BatchCheck,
}

/// The primary's attempts of each request, by key.
pub type PrimaryAttempts = BTreeMap<String, u32>;

/// The gateway's own time in one request (ms), measured at the fakes: no
/// upstream's, and no part of the model.
#[derive(Debug, Clone, Copy, Default)]
pub struct GatewayTime {
    /// From the request leaving the client to its first upstream attempt.
    /// Longer for a request whose primary is cooling down (LiteLLM finds no
    /// deployment, raises, and falls back without an attempt) than for one
    /// sent straight to it.
    pub lead_ms: f64,
    /// From the primary's last answer to the next attempt, for a request
    /// that fell back from the primary.
    pub hop_ms: Option<f64>,
}

/// The gateway's own time in each request, by key.
pub type GatewayTimes = BTreeMap<String, GatewayTime>;

/// The `q` quantile of sorted `values` (nearest rank).
fn percentile(values: &[f64], q: f64) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    let i = ((values.len() as f64 - 1.0) * q).round() as usize;
    Some(values[i])
}

/// The figures of one run from its outcomes (by arrival index), the
/// primary's attempts per key, and who served each success.
pub fn figures(
    schedule: &Schedule,
    arrivals: &[Duration],
    outcomes: &[Outcome],
    primary_attempts: &PrimaryAttempts,
    gateway_times: &GatewayTimes,
    served_by_primary: impl Fn(&Outcome) -> Option<bool>,
    predicted: &Predicted,
) -> Vec<WindowFigure> {
    #[derive(Default)]
    struct Acc {
        requests: f64,
        attempts: f64,
        paying: f64,
        skipped_after: f64,
        successes: f64,
        by_backup: f64,
        window_ms: Vec<f64>,
        baseline_ms: Vec<f64>,
    }
    let count = schedule.windows.count as usize;
    let mut acc: Vec<Acc> = (0..count).map(|_| Acc::default()).collect();
    for o in outcomes {
        let Some(at) = arrival(o, arrivals) else {
            continue;
        };
        let (k, down) = schedule.place(at);
        let Some(a) = acc.get_mut(k as usize) else {
            continue;
        };
        let tries = primary_attempts.get(&o.key).copied().unwrap_or(0);
        let own = gateway_times.get(&o.key).copied().unwrap_or_default();
        // The latency the upstreams account for: the gateway's own time out.
        let ms = o.latency.as_secs_f64() * 1000.0 - own.lead_ms - own.hop_ms.unwrap_or(0.0);
        if down {
            a.requests += 1.0;
            a.attempts += f64::from(tries);
            a.paying += f64::from(u8::from(tries > 0));
            if o.succeeded() {
                a.successes += 1.0;
                a.by_backup += f64::from(u8::from(served_by_primary(o) == Some(false)));
                a.window_ms.push(ms);
            }
        } else if tries == 0 {
            a.skipped_after += 1.0;
        } else if tries == 1 && o.succeeded() && served_by_primary(o) == Some(true) {
            a.baseline_ms.push(ms);
        }
    }
    for a in &mut acc {
        a.window_ms.sort_by(f64::total_cmp);
        a.baseline_ms.sort_by(f64::total_cmp);
    }
    let gap = 1.0 / schedule.rate_per_s;
    let per_window =
        |f: &dyn Fn(&Acc) -> Option<f64>| -> Vec<f64> { acc.iter().filter_map(f).collect() };
    let share = |num: fn(&Acc) -> f64, den: fn(&Acc) -> f64| {
        move |a: &Acc| (den(a) > 0.0).then(|| num(a) / den(a))
    };
    let one_request = acc
        .iter()
        .map(|a| a.requests)
        .fold(f64::INFINITY, f64::min)
        .recip();
    let added =
        |q: f64| move |a: &Acc| Some(percentile(&a.window_ms, q)? - percentile(&a.baseline_ms, q)?);
    vec![
        WindowFigure {
            name: "failed attempts on the primary per request in a window".to_owned(),
            unit: "attempts",
            check: BatchCheck::new(
                predicted.attempts_per_request,
                per_window(&share(|a| a.attempts, |a| a.requests)),
                one_request,
            ),
        },
        WindowFigure {
            name: "share of a window's requests that tried the primary".to_owned(),
            unit: "share",
            check: BatchCheck::new(
                predicted.paying_share,
                per_window(&share(|a| a.paying, |a| a.requests)),
                one_request,
            ),
        },
        WindowFigure {
            name: "time traffic stays off the primary after a window".to_owned(),
            unit: "s",
            check: BatchCheck::new(
                predicted.return_to_primary_s,
                per_window(&|a: &Acc| Some(a.skipped_after * gap)),
                gap,
            ),
        },
        WindowFigure {
            name: "share of a window's successes served by the backup".to_owned(),
            unit: "share",
            check: BatchCheck::new(
                1.0,
                per_window(&share(|a| a.by_backup, |a| a.successes)),
                one_request,
            ),
        },
        WindowFigure {
            name: "latency the failed attempts add, p50".to_owned(),
            unit: "ms",
            check: BatchCheck::new(
                predicted.added_p50_ms,
                per_window(&added(0.5)),
                LATENCY_RESOLUTION_MS,
            ),
        },
        WindowFigure {
            name: "latency the failed attempts add, p95".to_owned(),
            unit: "ms",
            check: BatchCheck::new(
                predicted.added_p95_ms,
                per_window(&added(0.95)),
                LATENCY_RESOLUTION_MS,
            ),
        },
    ]
}

/// The gateway's own time, reported and not predicted: the fallback hop p50
/// in each window, and the lead before the first upstream attempt p50 in
/// the windows and in the up-time (ms).
#[derive(Debug, Clone, Default)]
pub struct GatewayTimeReport {
    pub hop_p50_ms: Vec<f64>,
    pub lead_p50_down_ms: Option<f64>,
    pub lead_p50_up_ms: Option<f64>,
}

pub fn gateway_time_report(
    schedule: &Schedule,
    arrivals: &[Duration],
    outcomes: &[Outcome],
    gateway_times: &GatewayTimes,
) -> GatewayTimeReport {
    let mut hops: Vec<Vec<f64>> = vec![Vec::new(); schedule.windows.count as usize];
    let (mut lead_down, mut lead_up) = (Vec::new(), Vec::new());
    for o in outcomes {
        let (Some(at), Some(own)) = (arrival(o, arrivals), gateway_times.get(&o.key)) else {
            continue;
        };
        let (k, down) = schedule.place(at);
        if !down {
            lead_up.push(own.lead_ms);
            continue;
        }
        lead_down.push(own.lead_ms);
        if let (Some(hop), Some(v)) = (own.hop_ms, hops.get_mut(k as usize)) {
            v.push(hop);
        }
    }
    let p50 = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        percentile(v, 0.5)
    };
    GatewayTimeReport {
        hop_p50_ms: hops.iter_mut().filter_map(p50).collect(),
        lead_p50_down_ms: p50(&mut lead_down),
        lead_p50_up_ms: p50(&mut lead_up),
    }
}

/// The resolution of a latency difference (ms): the fakes sleep on Tokio's
/// 1 ms timer wheel, and a difference of two latencies carries it twice.
pub const LATENCY_RESOLUTION_MS: f64 = 2.0;

#[cfg(test)]
mod tests {
    use super::*;

    fn schedule() -> Schedule {
        Schedule {
            offering: 0,
            windows: DownWindows {
                period: Duration::from_secs(30),
                down: Duration::from_secs(15),
                count: 4,
            },
            rate_per_s: 5.0,
        }
    }

    /// 4 periods of 30 s at 5 a second: 600 arrivals, 75 in each window, the
    /// first 0.1 s after it opens and none on an edge.
    #[test]
    fn arrivals_are_steady_and_off_the_edges() {
        let s = schedule();
        let a = s.arrivals();
        assert_eq!(a.len(), 600);
        assert_eq!(a[0], Duration::from_millis(100));
        let inside = a.iter().filter(|&&t| s.place(t).1).count();
        assert_eq!(inside, 300);
        assert_eq!(s.place(Duration::from_millis(14_900)), (0, true));
        assert_eq!(s.place(Duration::from_millis(15_100)), (0, false));
        assert_eq!(s.place(Duration::from_millis(30_100)), (1, true));
    }

    /// Synthetic windows whose upstreams answer in 100 ms everywhere. In each
    /// window, 60 requests skip the primary and the gateway spends 6 ms more
    /// before their first attempt (16 ms against 10 ms); 15 pay a 20 ms failed
    /// attempt and a 13 ms fallback hop. The failed attempts add 0 ms at p50
    /// and 20 ms at p95: the gateway's own time (lead and hop) is taken out.
    #[test]
    fn the_gateways_own_time_is_taken_out_of_the_added_latency() {
        let s = schedule();
        let arrivals = s.arrivals();
        let (mut outcomes, mut primary_attempts, mut times) =
            (Vec::new(), PrimaryAttempts::new(), GatewayTimes::new());
        let mut in_window = 0;
        for (i, &at) in arrivals.iter().enumerate() {
            let key = format!("r{i}");
            let (tries, own, upstream_ms) = if !s.place(at).1 {
                (
                    1,
                    GatewayTime {
                        lead_ms: 10.0,
                        hop_ms: None,
                    },
                    100.0,
                )
            } else {
                in_window += 1;
                if (in_window - 1) % 75 < 60 {
                    (
                        0,
                        GatewayTime {
                            lead_ms: 16.0,
                            hop_ms: None,
                        },
                        100.0,
                    )
                } else {
                    (
                        1,
                        GatewayTime {
                            lead_ms: 10.0,
                            hop_ms: Some(13.0),
                        },
                        120.0,
                    )
                }
            };
            let latency_ms = upstream_ms + own.lead_ms + own.hop_ms.unwrap_or(0.0);
            outcomes.push(Outcome {
                key: key.clone(),
                route: 0,
                status: Some(200),
                served_header: None,
                latency: Duration::from_secs_f64(latency_ms / 1000.0),
                sent: None,
                error: None,
            });
            primary_attempts.insert(key.clone(), tries);
            times.insert(key, own);
        }
        let predicted = Predicted {
            attempts_per_request: 0.2,
            paying_share: 0.2,
            return_to_primary_s: 0.0,
            added_p50_ms: 0.0,
            added_p95_ms: 20.0,
            recommended_cooldown_s: 1.0,
        };
        let up = |o: &Outcome| {
            let at = arrival(o, &arrivals).expect("an arrival");
            Some(!s.place(at).1)
        };
        let figures = figures(
            &s,
            &arrivals,
            &outcomes,
            &primary_attempts,
            &times,
            up,
            &predicted,
        );
        let added = |name: &str| {
            let f = figures.iter().find(|f| f.name == name).expect(name);
            f.check
                .per_window
                .iter()
                .map(|v| (v * 1000.0).round() / 1000.0)
                .collect::<Vec<_>>()
        };
        assert_eq!(added("latency the failed attempts add, p50"), vec![0.0; 4]);
        assert_eq!(added("latency the failed attempts add, p95"), vec![20.0; 4]);
        assert!(figures.iter().all(|f| f.check.pass), "{figures:?}");

        let report = gateway_time_report(&s, &arrivals, &outcomes, &times);
        assert_eq!(report.hop_p50_ms, vec![13.0; 4]);
        assert_eq!(report.lead_p50_down_ms, Some(16.0));
        assert_eq!(report.lead_p50_up_ms, Some(10.0));
    }
}
