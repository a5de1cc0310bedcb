//! A provider's requests-per-minute limit, as a token bucket.
//!
//! The bucket holds at most `capacity` tokens (the limit), gains `capacity /
//! 60` tokens a second, continuously, and each admitted request takes one. A
//! request that finds less than one token is rejected (a 429), and told how
//! long until one is there (`retry-after`).
//!
//! The clock is passed in ([`TokenBucket::try_take`] takes `now`), so the
//! bucket is a pure function of its arrival times and tests need no sleeps.
//!
//! The planning model (`MODEL.md` §12) instead admits the first `floor(L)`
//! requests of each one-minute window. Under a steady overload the two agree:
//! both admit `L` a minute, so the rejected share is `1 - L / offered`. They
//! differ in the transient: a full bucket first lets a burst of `L` through,
//! which is why a fake can start with its bucket empty ("the peak has been on
//! for a while"), the state a bucket under overload stays close to.

use std::time::{Duration, Instant};

/// How full a bucket starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BucketStart {
    /// `capacity` tokens: a provider that saw no traffic before.
    Full,
    /// No token: the steady state of a bucket under overload.
    Empty,
}

/// A requests-per-minute limit on one fake provider.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RpmLimit {
    /// Requests a minute; also the bucket's capacity.
    pub rpm: f64,
    pub start: BucketStart,
}

/// The bucket itself.
#[derive(Debug, Clone)]
pub struct TokenBucket {
    capacity: f64,
    per_second: f64,
    tokens: f64,
    /// When `tokens` was last brought up to date.
    last: Instant,
}

impl TokenBucket {
    /// A bucket for `limit` whose clock starts at `now`. Panics on a limit no
    /// test could mean (not finite, or not positive).
    pub fn new(limit: RpmLimit, now: Instant) -> Self {
        assert!(
            limit.rpm.is_finite() && limit.rpm > 0.0,
            "an RPM limit must be finite and positive, got {}",
            limit.rpm
        );
        TokenBucket {
            capacity: limit.rpm,
            per_second: limit.rpm / 60.0,
            tokens: match limit.start {
                BucketStart::Full => limit.rpm,
                BucketStart::Empty => 0.0,
            },
            last: now,
        }
    }

    /// Tokens in the bucket at `now` (refilled up to then).
    pub fn tokens(&mut self, now: Instant) -> f64 {
        self.refill(now);
        self.tokens
    }

    fn refill(&mut self, now: Instant) {
        // A `now` earlier than the last update (threads racing to the lock)
        // adds nothing rather than going backwards.
        let elapsed = now.saturating_duration_since(self.last).as_secs_f64();
        self.tokens = (self.tokens + elapsed * self.per_second).min(self.capacity);
        self.last = self.last.max(now);
    }

    /// Admits a request arriving at `now` (taking a token), or rejects it with
    /// the time until a token will be there.
    pub fn try_take(&mut self, now: Instant) -> Result<(), Duration> {
        self.refill(now);
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            Ok(())
        } else {
            Err(Duration::from_secs_f64(
                (1.0 - self.tokens) / self.per_second,
            ))
        }
    }
}

/// The `retry-after` value (whole seconds, as the header's delta-seconds form
/// allows) for a wait: rounded up, and at least 1 so that no client reads it
/// as "now".
pub fn retry_after_s(wait: Duration) -> u64 {
    (wait.as_secs_f64().ceil() as u64).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limit(rpm: f64, start: BucketStart) -> RpmLimit {
        RpmLimit { rpm, start }
    }

    #[test]
    fn a_full_bucket_admits_a_burst_of_its_capacity_then_refuses() {
        let t0 = Instant::now();
        let mut b = TokenBucket::new(limit(120.0, BucketStart::Full), t0);
        for i in 0..120 {
            assert!(b.try_take(t0).is_ok(), "request {i} of the burst");
        }
        let wait = b.try_take(t0).expect_err("the 121st finds it empty");
        // 2 tokens a second: the next one is half a second away.
        assert!((wait.as_secs_f64() - 0.5).abs() < 1e-9, "{wait:?}");
        assert_eq!(retry_after_s(wait), 1);
    }

    #[test]
    fn it_refills_continuously_at_the_limit_per_minute() {
        let t0 = Instant::now();
        let mut b = TokenBucket::new(limit(120.0, BucketStart::Empty), t0);
        assert!(b.try_take(t0).is_err());
        let wait = b.try_take(t0 + Duration::from_millis(250)).unwrap_err();
        assert!((wait.as_secs_f64() - 0.25).abs() < 1e-9, "{wait:?}");
        assert!(b.try_take(t0 + Duration::from_millis(500)).is_ok());
        assert!(b.try_take(t0 + Duration::from_millis(500)).is_err());
        assert!((b.tokens(t0 + Duration::from_secs(10)) - 19.0).abs() < 1e-9);
        // Never above capacity, however long it waits.
        assert!((b.tokens(t0 + Duration::from_secs(3600)) - 120.0).abs() < 1e-9);
    }

    #[test]
    fn under_overload_it_admits_the_limit_a_minute_and_rejects_the_rest() {
        // 240 a minute, evenly spaced, against 120: from empty, half get in.
        let t0 = Instant::now();
        let mut b = TokenBucket::new(limit(120.0, BucketStart::Empty), t0);
        let admitted = (1..=240)
            .filter(|i| b.try_take(t0 + Duration::from_millis(250 * i)).is_ok())
            .count();
        assert_eq!(admitted, 120);
        // From full, the first minute's burst lets all but the last in (the
        // first quarter second's refill is lost to the full bucket's cap).
        let mut b = TokenBucket::new(limit(120.0, BucketStart::Full), t0);
        let admitted = (1..=240)
            .filter(|i| b.try_take(t0 + Duration::from_millis(250 * i)).is_ok())
            .count();
        assert_eq!(admitted, 239);
    }

    #[test]
    fn a_clock_that_goes_backwards_adds_no_tokens() {
        let t0 = Instant::now() + Duration::from_secs(5);
        let mut b = TokenBucket::new(limit(60.0, BucketStart::Empty), t0);
        assert!(b.try_take(t0 + Duration::from_secs(1)).is_ok());
        assert!(b.try_take(t0).is_err());
        assert!(b.tokens(t0 + Duration::from_secs(1)) < 1e-9);
    }

    #[test]
    fn retry_after_rounds_up_to_whole_seconds() {
        assert_eq!(retry_after_s(Duration::from_millis(1)), 1);
        assert_eq!(retry_after_s(Duration::from_millis(1001)), 2);
        assert_eq!(retry_after_s(Duration::ZERO), 1);
    }

    #[test]
    #[should_panic(expected = "finite and positive")]
    fn a_limit_of_zero_is_a_test_authors_mistake() {
        let _ = TokenBucket::new(limit(0.0, BucketStart::Full), Instant::now());
    }
}
