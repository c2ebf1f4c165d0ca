//! When to try a request again and how long to wait first: the source's
//! `Retry-After` when it sends one (429, 503), else exponential backoff
//! with jitter, within a cap on attempts and on the total wait.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use chrono::{DateTime, Utc};

/// The retry limits of one connector.
#[derive(Debug, Clone, PartialEq)]
pub struct RetryPolicy {
    /// Retries after the first attempt (so `max_retries + 1` attempts).
    pub max_retries: u32,
    /// The most a request may spend waiting between attempts, in total.
    pub max_total_wait: Duration,
    /// The first backoff; each retry doubles it.
    pub backoff_base: Duration,
    /// The longest single backoff.
    pub backoff_max: Duration,
}

impl Default for RetryPolicy {
    fn default() -> RetryPolicy {
        RetryPolicy {
            max_retries: 5,
            max_total_wait: Duration::from_secs(120),
            backoff_base: Duration::from_millis(500),
            backoff_max: Duration::from_secs(30),
        }
    }
}

/// The decision after a failed attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Next {
    /// Wait this long, then try again.
    Wait(Duration),
    /// No attempts left.
    OutOfAttempts,
    /// The source asked for a wait longer than what is left of the budget.
    TooLong(Duration),
}

impl RetryPolicy {
    /// What to do after attempt number `attempt` (1-based) failed, having
    /// waited `waited` so far; `asked` is the source's Retry-After.
    pub fn next(&self, attempt: u32, waited: Duration, asked: Option<Duration>) -> Next {
        if attempt > self.max_retries {
            return Next::OutOfAttempts;
        }
        let left = self.max_total_wait.saturating_sub(waited);
        match asked {
            Some(asked) if asked > left => Next::TooLong(asked),
            Some(asked) => Next::Wait(asked),
            None if left.is_zero() => Next::OutOfAttempts,
            None => Next::Wait(self.backoff(attempt).min(left)),
        }
    }

    /// Exponential backoff with "equal jitter": half the step for sure,
    /// the other half drawn, so clients that failed together spread out.
    pub fn backoff(&self, attempt: u32) -> Duration {
        let doublings = attempt.saturating_sub(1).min(20);
        let step = self
            .backoff_base
            .saturating_mul(1u32 << doublings)
            .min(self.backoff_max);
        let half = step / 2;
        half + half.mul_f64(jitter())
    }
}

/// A `Retry-After` value: seconds, whole or fractional (Graph sends "10"
/// and "2.128"), or an HTTP date (a date in the past means now).
pub fn parse_retry_after(value: &str, now: DateTime<Utc>) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<f64>() {
        return (seconds.is_finite() && seconds >= 0.0).then(|| Duration::from_secs_f64(seconds.min(1e9)));
    }
    let at = DateTime::parse_from_rfc2822(value).ok()?.with_timezone(&Utc);
    Some((at - now).to_std().unwrap_or(Duration::ZERO))
}

/// A number in [0, 1) that differs between calls and processes (not for
/// anything secret: only to spread retries).
fn jitter() -> f64 {
    static STATE: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64);
    let mut x =
        STATE.fetch_add(0x9E37_79B9_7F4A_7C15, Ordering::Relaxed) ^ nanos ^ u64::from(std::process::id());
    // splitmix64's finaliser.
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^= x >> 31;
    (x >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> RetryPolicy {
        RetryPolicy {
            max_retries: 3,
            max_total_wait: Duration::from_secs(10),
            backoff_base: Duration::from_millis(100),
            backoff_max: Duration::from_millis(1000),
        }
    }

    #[test]
    fn retry_after_reads_seconds_fractions_and_dates() {
        let now = DateTime::parse_from_rfc3339("2025-04-21T15:53:50Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(parse_retry_after("10", now), Some(Duration::from_secs(10)));
        assert_eq!(
            parse_retry_after(" 2.128 ", now),
            Some(Duration::from_millis(2128))
        );
        assert_eq!(
            parse_retry_after("Mon, 21 Apr 2025 15:53:53 GMT", now),
            Some(Duration::from_secs(3))
        );
        assert_eq!(
            parse_retry_after("Mon, 21 Apr 2025 15:00:00 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("-1", now), None);
        assert_eq!(parse_retry_after("soon", now), None);
        assert_eq!(parse_retry_after("NaN", now), None);
    }

    #[test]
    fn backoff_doubles_with_jitter_up_to_the_cap() {
        let p = policy();
        for _ in 0..50 {
            let first = p.backoff(1);
            assert!(first >= Duration::from_millis(50) && first <= Duration::from_millis(100));
            let third = p.backoff(3);
            assert!(third >= Duration::from_millis(200) && third <= Duration::from_millis(400));
            let late = p.backoff(30);
            assert!(late >= Duration::from_millis(500) && late <= Duration::from_millis(1000));
        }
    }

    #[test]
    fn the_source_wait_is_honoured_within_the_budget() {
        let p = policy();
        let asked = Some(Duration::from_secs(2));
        assert_eq!(
            p.next(1, Duration::ZERO, asked),
            Next::Wait(Duration::from_secs(2))
        );
        assert_eq!(
            p.next(1, Duration::from_secs(9), asked),
            Next::TooLong(Duration::from_secs(2))
        );
        assert_eq!(p.next(4, Duration::ZERO, asked), Next::OutOfAttempts);
        // Backoff never overruns the budget.
        match p.next(2, Duration::from_millis(9_950), None) {
            Next::Wait(d) => assert!(d <= Duration::from_millis(50)),
            other => panic!("{other:?}"),
        }
        assert_eq!(p.next(2, Duration::from_secs(10), None), Next::OutOfAttempts);
    }
}
