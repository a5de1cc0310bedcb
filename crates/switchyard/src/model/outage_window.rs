//! One step down for a window: which requests still pay its failed attempts
//! and which skip it while the gateway's breaker is open (`MODEL.md` §13).
//!
//! A gateway that cools a failing step down stops sending it requests for a
//! while; one that never does sends every request of an outage into the failed
//! attempts first. The rest of the model treats outages as states a request
//! meets (§2), so it cannot see the difference. This module follows one outage
//! through time instead, on a deterministic timeline: requests arrive every
//! `1/λ` seconds, each that finds the breaker closed pays the step's failed
//! attempts, their failures are recorded `lag` seconds after the request
//! arrived, and the breaker opens when enough of them are on its counter.
//!
//! The two gateways differ in where the open period is measured from (both
//! checked in their sources; `docs/MODEL.md` §13 cites them):
//!
//! - [`OpenFrom::LastTrip`] (LiteLLM 1.106.2, the count rule of
//!   `router_utils/cooldown_handlers.py`): the deployment is cooled down for
//!   `cooldown` from the failure that trips it, and every later failure still
//!   in flight sets the cooldown again; the failure counter lives `cooldown`
//!   after its last failure, so a gap of `cooldown` between failures resets it.
//! - [`OpenFrom::FirstFailure`] (Portkey's `cb_config`, `src/utils/circuitBreaker.ts`):
//!   failures are counted from the first one; the circuit is open while the
//!   count is at the threshold and closes, with its counts cleared, once more
//!   than `cooldown` has passed since that first failure.
//!
//! After the breaker closes both need `failures_to_trip` new failures: neither
//! gateway has a half-open state that re-trips on the first failed probe.

/// Where a gateway measures its open period from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpenFrom {
    /// From the last recorded failure while tripped (LiteLLM's cooldown cache).
    LastTrip,
    /// From the first failure counted (Portkey's circuit breaker).
    FirstFailure,
}

/// A gateway's failure handling for one step, as the window model needs it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Breaker {
    /// Failures on the counter that open the breaker (≥ 1).
    pub failures_to_trip: u32,
    /// How long the breaker stays open, and how long its counter lives (s).
    pub cooldown_s: f64,
    pub open_from: OpenFrom,
}

/// The step's outage as requests meet it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Traffic {
    /// Requests a second that reach the step (λ > 0).
    pub rate_per_s: f64,
    /// Failures one paying request puts on the counter: LiteLLM counts each
    /// failed attempt, Portkey the target's answer after its retries.
    pub failures_per_request: u32,
    /// Seconds from a request's arrival until its failure is recorded: the
    /// failed attempts' time to fail, with the waits between them.
    pub lag_s: f64,
}

/// What one outage window does to the requests that reach the step.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Window {
    /// Requests arriving during the window.
    pub requests: f64,
    /// Of them, those that found the breaker closed and paid the failed attempts.
    pub paying: f64,
    /// `paying / requests`: the share that pays (1 without a breaker).
    pub paying_share: f64,
    /// Requests per cycle of the timeline that pay, and the cycle's length in
    /// requests (`None`: the breaker never opens).
    pub cycle: Option<(f64, f64)>,
    /// The longest the breaker can keep traffic off the step after it is back
    /// (s): the open period a request can find right as the outage ends.
    pub return_after_max_s: f64,
    /// How long the breaker keeps traffic off the step after this outage
    /// ends (s), on this timeline: what the last cycle's open period has
    /// left. It is what a scheduled outage of exactly `duration_s` shows.
    pub return_after_s: f64,
}

/// The timeline of an outage of `duration_s` seconds (`MODEL.md` §13), with
/// `breaker` `None` for a gateway that never cools the step down.
///
/// Requests arrive at `i/λ`, `i = 0, 1, …` while `i/λ < duration_s`. With
/// `n = ⌈k / f⌉` paying requests to trip and `ℓ = λ · lag` the lag in arrivals,
/// the `n`-th failure is recorded at arrival-time `τ = n − 1 + ℓ`; every request
/// arriving by then pays: `p = ⌊τ⌋ + 1` per cycle. The breaker then stays open
/// until `E` (in arrivals from the cycle's first request): `p − 1 + ℓ + λC` for
/// [`OpenFrom::LastTrip`], `ℓ + λC` for [`OpenFrom::FirstFailure`]; the next
/// cycle starts at the first arrival at or after `E` (LiteLLM's cache expiry)
/// or strictly after it (Portkey's `now − first > cooldown`). A breaker whose
/// counter cannot reach `k` never opens: LiteLLM's when requests come more than
/// `C` apart (and `n > 1`), Portkey's when the `n` failures span more than `C`.
pub fn timeline(duration_s: f64, traffic: Traffic, breaker: Option<Breaker>) -> Window {
    let lambda = traffic.rate_per_s.max(0.0);
    let requests = if lambda > 0.0 && duration_s > 0.0 {
        (duration_s * lambda).ceil()
    } else {
        0.0
    };
    let never = Window {
        requests,
        paying: requests,
        // No request, no failure to trip on: the share is the no-breaker 1.
        paying_share: 1.0,
        cycle: None,
        return_after_max_s: 0.0,
        return_after_s: 0.0,
    };
    let Some(b) = breaker else {
        return never;
    };
    if requests == 0.0 || b.cooldown_s <= 0.0 {
        return never;
    }
    let f = traffic.failures_per_request.max(1);
    let n = f64::from(b.failures_to_trip.max(1).div_ceil(f));
    let c_arrivals = b.cooldown_s * lambda;
    let trips = match b.open_from {
        OpenFrom::LastTrip => n <= 1.0 || c_arrivals > 1.0,
        OpenFrom::FirstFailure => n - 1.0 <= c_arrivals,
    };
    if !trips {
        return never;
    }
    let lag = traffic.lag_s.max(0.0) * lambda;
    let pay = (n - 1.0 + lag).floor() + 1.0;
    let (end, cycle) = match b.open_from {
        OpenFrom::LastTrip => {
            let end = pay - 1.0 + lag + c_arrivals;
            (end, end.ceil().max(pay))
        }
        OpenFrom::FirstFailure => {
            let end = lag + c_arrivals;
            (end, (end.floor() + 1.0).max(pay))
        }
    };
    let full = (requests / cycle).floor();
    let rest = requests - full * cycle;
    let paying = full * pay + rest.min(pay);
    // The open period starts when the n-th failure is recorded (arrival-time
    // n - 1 + ℓ) and lasts until `end`.
    let open = ((end - (n - 1.0 + lag)) / lambda).max(0.0);
    // The last cycle's open period, from its first request: a full cycle's
    // `end`, or a partial cycle's when it still gets its n failures (only its
    // requests arriving during the outage fail, and re-arm LiteLLM's cooldown).
    let last_end = if rest == 0.0 {
        Some((full - 1.0) * cycle + end)
    } else if rest >= n {
        let tripped = match b.open_from {
            OpenFrom::LastTrip => rest.min(pay) - 1.0 + lag + c_arrivals,
            OpenFrom::FirstFailure => end,
        };
        Some(full * cycle + tripped)
    } else {
        None
    };
    let return_after_s = last_end.map_or(0.0, |e| ((e - duration_s * lambda) / lambda).max(0.0));
    Window {
        requests,
        paying,
        paying_share: paying / requests,
        cycle: Some((pay, cycle)),
        return_after_max_s: open,
        return_after_s,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn breaker(k: u32, cooldown_s: f64, open_from: OpenFrom) -> Option<Breaker> {
        Some(Breaker {
            failures_to_trip: k,
            cooldown_s,
            open_from,
        })
    }

    const ONE_A_SECOND: Traffic = Traffic {
        rate_per_s: 1.0,
        failures_per_request: 1,
        lag_s: 0.0,
    };

    /// λ = 1/s, D = 60 s, trip after 3, cooldown 5 s, failures recorded at
    /// once. By hand, LiteLLM: t = 0, 1, 2 pay (the third trips it at t = 2),
    /// the cooldown [2, 7) skips t = 3, 4, 5, 6; t = 7, 8, 9 pay, 10–13 skip, …
    /// a cycle of 7 requests of which 3 pay. 60 = 8 × 7 + 4: 8 × 3 + 3 (t =
    /// 56, 57, 58) = 27 pay, 33 skip.
    #[test]
    fn litellm_hand_worked_timeline() {
        let w = timeline(60.0, ONE_A_SECOND, breaker(3, 5.0, OpenFrom::LastTrip));
        assert_eq!(w.requests, 60.0);
        assert_eq!(w.cycle, Some((3.0, 7.0)));
        assert_eq!(w.paying, 27.0);
        assert_eq!(w.paying_share, 27.0 / 60.0);
        assert_eq!(w.return_after_max_s, 5.0);
        // The last cycle starts at t = 56 and trips at 58: open until 63, 3 s
        // after the outage ends at 60.
        assert_eq!(w.return_after_s, 3.0);
    }

    /// The same outage under Portkey's rule. By hand: t = 0, 1, 2 pay (first
    /// failure at 0, third at 2 opens it); t = 3, 4, 5 find it open (5 − 0 is
    /// not more than 5); t = 6 clears the counts and pays. A cycle of 6
    /// requests, 3 pay: 10 cycles, 30 pay, 30 skip.
    #[test]
    fn portkey_hand_worked_timeline() {
        let w = timeline(60.0, ONE_A_SECOND, breaker(3, 5.0, OpenFrom::FirstFailure));
        assert_eq!(w.cycle, Some((3.0, 6.0)));
        assert_eq!(w.paying, 30.0);
        assert_eq!(w.return_after_max_s, 3.0);
        // The tenth cycle (t = 54 … 59) is open from 56 until after 59, the
        // last request: t = 60 would clear it, so nothing stays out.
        assert_eq!(w.return_after_s, 0.0);
    }

    /// The return after the outage, by hand: λ = 5/s, 20 s, LiteLLM's 4
    /// failures, 5 s, failures recorded 20 ms after arrival (ℓ = 0.1). A
    /// cycle: 4 pay (arrivals 0–3, the 4th failure at 3.1), open until 3.1 +
    /// 25 = 28.1, so 29 arrivals. 100 arrivals: 3 cycles (87), 13 left, which
    /// trip again; the last cycle's cooldown runs to 87 + 28.1 = 115.1, 15.1
    /// arrivals (3.02 s) after the outage ends at 100. 4 × 4 = 16 pay.
    #[test]
    fn the_last_cycle_keeps_the_step_out_after_the_outage() {
        let traffic = Traffic {
            rate_per_s: 5.0,
            failures_per_request: 1,
            lag_s: 0.02,
        };
        let w = timeline(20.0, traffic, breaker(4, 5.0, OpenFrom::LastTrip));
        assert_eq!(w.cycle, Some((4.0, 29.0)));
        assert_eq!(w.paying, 16.0);
        assert!(
            (w.return_after_s - 3.02).abs() < 1e-9,
            "{}",
            w.return_after_s
        );
        // 3 left in the last cycle are too few to trip: back at once.
        let w = timeline(18.0, traffic, breaker(4, 5.0, OpenFrom::LastTrip));
        assert_eq!((w.requests, w.paying), (90.0, 15.0));
        assert_eq!(w.return_after_s, 0.0);
    }

    /// LiteLLM's lone deployment (and Portkey without `cb_config`): every
    /// request pays.
    #[test]
    fn without_a_breaker_every_request_pays() {
        let w = timeline(60.0, ONE_A_SECOND, None);
        assert_eq!((w.requests, w.paying, w.paying_share), (60.0, 60.0, 1.0));
        assert_eq!(w.cycle, None);
    }

    /// Failures recorded 2.5 s after arrival: by hand (LiteLLM) the third
    /// failure is recorded at 2 + 2.5 = 4.5, so t = 0 … 4 pay (5 requests); t
    /// = 3 and 4 re-arm the cooldown, whose last setting (4 + 2.5 = 6.5) runs
    /// to 11.5: t = 5 … 11 skip, t = 12 starts the next cycle of 12.
    #[test]
    fn failures_in_flight_pay_and_rearm_the_cooldown() {
        let traffic = Traffic {
            lag_s: 2.5,
            ..ONE_A_SECOND
        };
        let w = timeline(60.0, traffic, breaker(3, 5.0, OpenFrom::LastTrip));
        assert_eq!(w.cycle, Some((5.0, 12.0)));
        assert_eq!(w.paying, 25.0);
        assert_eq!(w.return_after_max_s, 7.0);
    }

    /// Retries count on LiteLLM's counter: 3 attempts a request trip a
    /// threshold of 3 with one request; a cycle is that request and the 4
    /// skipped in its 5 s cooldown.
    #[test]
    fn each_failed_attempt_counts_where_the_gateway_counts_attempts() {
        let traffic = Traffic {
            failures_per_request: 3,
            ..ONE_A_SECOND
        };
        let w = timeline(60.0, traffic, breaker(3, 5.0, OpenFrom::LastTrip));
        assert_eq!(w.cycle, Some((1.0, 5.0)));
        assert_eq!(w.paying, 12.0);
    }

    /// Requests further apart than the counter lives never trip LiteLLM's
    /// breaker; n failures spread over more than the cooldown never trip
    /// Portkey's.
    #[test]
    fn sparse_traffic_never_trips() {
        let slow = Traffic {
            rate_per_s: 0.1,
            ..ONE_A_SECOND
        };
        let w = timeline(600.0, slow, breaker(3, 5.0, OpenFrom::LastTrip));
        assert_eq!((w.paying, w.cycle), (60.0, None));
        let w = timeline(600.0, slow, breaker(3, 15.0, OpenFrom::FirstFailure));
        assert_eq!((w.paying, w.cycle), (60.0, None));
        // At 30 s the 3 failures (20 s apart at the ends) fit: it trips.
        let w = timeline(600.0, slow, breaker(3, 30.0, OpenFrom::FirstFailure));
        assert!(w.cycle.is_some() && w.paying < 60.0);
    }

    /// A partial last cycle pays at most its own requests.
    #[test]
    fn a_short_outage_is_a_partial_cycle() {
        let w = timeline(2.0, ONE_A_SECOND, breaker(3, 5.0, OpenFrom::LastTrip));
        assert_eq!((w.requests, w.paying), (2.0, 2.0));
        let w = timeline(0.0, ONE_A_SECOND, breaker(3, 5.0, OpenFrom::LastTrip));
        assert_eq!((w.requests, w.paying, w.paying_share), (0.0, 0.0, 1.0));
    }
}
